"""Open311 GeoReport v2 (with pagination and FixMyStreet's servicerequestupdates), served under
/open311/:

- `parse`: reads and checks a request once, into typed values, or refuses it (`Open311Error`);
- `select`: every read (which categories, requests and updates a client may see);
- `serialise`: the answers, as XML or JSON, and the spec's error bodies;
- `views`: thin — parse, select, call the feedback services, serialise;
- `urls`: the endpoints.
"""
