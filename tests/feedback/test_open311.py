"""Open311 GeoReport v2 against the specification's examples: names, types, content types,
errors — in XML and JSON."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from insyn.feedback import services
from insyn.feedback.models import Case, CaseEvent, CaseStatus, Kind, PublicState, Source
from tests.feedback.conftest import CENTRUM

pytestmark = pytest.mark.django_db

XML = "text/xml; charset=utf-8"
JSON = "application/json; charset=utf-8"
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


@pytest.fixture
def key(setup):
    return services.issue_api_key(name="FixMyStreet Uppsala", rate_per_minute=1000)[1]


def xml_of(response):
    body = response.content
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    assert response["Content-Type"] == XML
    return ET.fromstring(body)


def json_of(response):
    assert response["Content-Type"] == JSON
    return json.loads(response.content)


def post(client, key, fmt="xml", **data):
    payload = {
        "api_key": key,
        "service_code": "potthal",
        "lat": CENTRUM[0],
        "long": CENTRUM[1],
        "description": "A large sinkhole is destroying the street",
    }
    payload.update(data)
    payload = {k: v for k, v in payload.items() if v is not None}
    return client.post(f"/open311/v2/requests.{fmt}", payload)


def publish(case, by=None):
    services.moderate(
        case=case,
        public_description=case.public_description or "Hål",
        public_address="Kungsgatan 1",
        state=PublicState.PUBLISHED,
        by=by,
    )


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_discovery(setup, client, fmt):
    response = client.get(f"/open311/discovery.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        data = json_of(response)
        assert set(data) == {"changeset", "contact", "key_service", "endpoints"}
        endpoint = data["endpoints"][0]
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert endpoint["url"] == "http://testserver/open311/v2"
        assert endpoint["type"] == "production"
        assert endpoint["formats"] == ["text/xml", "application/json"]
    else:
        root = xml_of(response)
        assert root.tag == "discovery"
        endpoint = root.find("endpoints/endpoint")
        assert [f.text for f in endpoint.findall("formats/format")] == [
            "text/xml",
            "application/json",
        ]
        assert endpoint.findtext("changeset")


def test_service_list_xml(setup, client):
    root = xml_of(client.get("/open311/v2/services.xml"))
    assert root.tag == "services"
    services_ = {s.findtext("service_code"): s for s in root.findall("service")}
    assert "ovrigt" not in services_  # feedback-only categories are not Open311 services
    lights = services_["gatubelysning"]
    assert [child.tag for child in lights] == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]
    assert lights.findtext("metadata") == "true"
    assert services_["potthal"].findtext("metadata") == "false"
    assert lights.findtext("type") == "realtime"


def test_service_list_json_is_an_array_with_string_codes(setup, client):
    data = json_of(client.get("/open311/v2/services.json"))
    assert isinstance(data, list)
    lights = next(s for s in data if s["service_code"] == "gatubelysning")
    assert lights["metadata"] is True and isinstance(lights["service_code"], str)


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_service_definition(setup, client, fmt):
    response = client.get(f"/open311/v2/services/gatubelysning.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        data = json_of(response)
        assert data["service_code"] == "gatubelysning"
        attr = data["attributes"][1]
        assert set(attr) == {
            "variable",
            "code",
            "datatype",
            "required",
            "datatype_description",
            "order",
            "description",
            "values",
        }
        assert attr["variable"] is True and attr["required"] is True and attr["order"] == 2
        assert attr["datatype"] == "singlevaluelist"
        assert attr["values"] == [{"key": "1", "name": "En"}, {"key": "fler", "name": "Fler"}]
        assert data["attributes"][0]["datatype_description"] is None
    else:
        root = xml_of(response)
        assert root.tag == "service_definition"
        attrs = root.findall("attributes/attribute")
        assert attrs[1].findtext("code") == "antal"
        assert [v.findtext("key") for v in attrs[1].findall("values/value")] == ["1", "fler"]
        assert attrs[0].find("datatype_description").text is None  # <datatype_description/>


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_unknown_service_code_is_404_in_the_spec_error_format(setup, client, fmt):
    response = client.get(f"/open311/v2/services/nope.{fmt}")
    assert response.status_code == 404
    if fmt == "json":
        errors = json_of(response)
        assert isinstance(errors, list) and errors[0]["code"] == 404
        assert "description" in errors[0]
    else:
        root = xml_of(response)
        assert root.tag == "errors"
        assert root.findtext("error/code") == "404" and root.findtext("error/description")


def test_post_request_like_the_spec_example(setup, client, key):
    # The spec's own example request, with our service code and a point in Uppsala.
    body = (
        f"api_key={key}&jurisdiction_id=uppsala.se&service_code=potthal&lat=59.8586"
        "&long=17.6389&address_string=1234+5th+street&email=smit333%40sfgov.edu"
        "&device_id=tt222111&account_id=123456&first_name=john&last_name=smith"
        "&phone=111111111&description=A+large+sinkhole+is+destroying+the+street"
        "&media_url=http%3A%2F%2Ffarm3.static.flickr.com%2F2002%2F2212426634_5ed477a060.jpg"
        "&attribute[WHISPAWN]=123456&attribute[WHISDORN]=COISL001"
    )
    response = client.post(
        "/open311/v2/requests.xml",
        body,
        content_type="application/x-www-form-urlencoded; charset=utf-8",
    )
    assert response.status_code == 200, response.content
    root = xml_of(response)
    assert root.tag == "service_requests"
    request = root.find("request")
    assert [c.tag for c in request] == ["service_request_id", "service_notice", "account_id"]
    case = Case.objects.get(number=request.findtext("service_request_id"))
    assert request.findtext("account_id") == "123456"
    assert case.source == Source.OPEN311 and case.contact_name == "john smith"
    assert case.contact_email == "smit333@sfgov.edu" and case.address_text == "1234 5th street"
    assert case.external_media_url.startswith("http://farm3.static.flickr.com/")


def test_post_request_json(setup, client, key):
    response = post(
        client,
        key,
        "json",
        service_code="gatubelysning",
        **{"attribute[antal]": "fler", "attribute[stolpnummer]": "A12"},
    )
    data = json_of(response)
    assert isinstance(data, list) and len(data) == 1
    assert set(data[0]) == {"service_request_id", "service_notice", "account_id"}
    assert isinstance(data[0]["service_request_id"], str)
    assert data[0]["account_id"] is None
    case = Case.objects.get(number=data[0]["service_request_id"])
    assert case.attributes == {"antal": "fler", "stolpnummer": "A12"}


@pytest.mark.parametrize("fmt", ["xml", "json"])
@pytest.mark.parametrize(
    ("change", "status", "needle"),
    [
        ({"api_key": None}, 403, "api_key"),
        ({"api_key": "fel-nyckel"}, 403, "api_key"),
        ({"service_code": None}, 400, "service_code"),
        ({"service_code": "finns-inte"}, 404, "service_code"),
        ({"lat": None, "long": None}, 400, "Plats saknas"),
        ({"long": None}, 400, "både lat och long"),
        ({"lat": "norr"}, 400, "decimaltal"),
        ({"lat": "59.33", "long": "18.07"}, 400, "utanför"),
        ({"service_code": "gatubelysning"}, 400, "Hur många lampor"),
        ({"service_code": "gatubelysning", "attribute[antal]": "tusen"}, 400, "Ogiltigt svar"),
        ({"email": "inte-en-adress"}, 400, "email"),
        ({"description": "x" * 4001}, 400, "4 000"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
        ({"jurisdiction_id": "sfgov.org"}, 404, "jurisdiction_id"),
    ],
)
def test_post_errors(setup, client, key, fmt, change, status, needle):
    response = post(client, key, fmt, **change)
    assert response.status_code == status
    if fmt == "json":
        errors = json_of(response)
        assert errors[0]["code"] == status and needle in errors[0]["description"]
    else:
        root = xml_of(response)
        assert root.tag == "errors" and needle in root.findtext("error/description")
    assert not Case.objects.exists()


def test_revoked_key_is_refused(setup, client, key):
    from insyn.feedback.models import Open311ApiKey

    services.revoke_api_key(key=Open311ApiKey.objects.get(), by=None)
    assert post(client, key).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_what_the_server_keeps_follows_every_change_at_once(setup, client, key):
    """The keys, services and routing rules each process keeps between requests
    (insyn.core.reference) are read again after any change: a new rule routes the next request,
    a closed category and a revoked key are refused at once."""
    from insyn.feedback.models import Open311ApiKey, RoutingRule

    assert post(client, key).status_code == 200
    assert post(client, key).status_code == 200  # now from what the process kept
    assert Case.objects.latest("pk").organisation == setup.streets
    rule = RoutingRule.objects.get(category=setup.potholes, area=None)
    rule.organisation = setup.uppsalahem
    rule.save()
    assert post(client, key).status_code == 200
    assert Case.objects.latest("pk").organisation == setup.uppsalahem
    setup.potholes.active = False
    setup.potholes.save()
    assert post(client, key).status_code == 404
    assert post(client, key, service_code="klotter").status_code == 200
    services.revoke_api_key(key=Open311ApiKey.objects.get(), by=None)
    assert post(client, key, service_code="klotter").status_code == 403


def test_address_string_alone_is_a_location(setup, client, key):
    response = post(client, key, lat=None, long=None, address_string="Dragarbrunnsgatan 1")
    assert response.status_code == 200


def test_get_requests_only_published_and_all_fields(setup, client, key):
    created = post(
        client,
        key,
        "json",
        address_string="Kungsgatan 1",
        description="Hål. Ring mig på 070-123 45 67.",
    )
    number = json_of(created)[0]["service_request_id"]
    hidden = services.create_case(
        kind=Kind.FAULT, category=setup.potholes, description="Opublicerad", address_text="Torget"
    ).case
    personal = services.create_case(
        kind=Kind.COMPLAINT, category=setup.idea, description="Klagomål om min granne"
    ).case
    case = Case.objects.get(number=number)
    publish(case)

    data = json_of(client.get("/open311/v2/requests.json"))
    assert [r["service_request_id"] for r in data] == [number]
    item = data[0]
    assert list(item) == REQUEST_FIELDS
    assert item["status"] == "open" and item["service_code"] == "potthal"
    assert item["description"] == "Hål. Ring mig på [telefonnummer borttaget]."
    assert item["agency_responsible"] == "Gatu- och samhällsmiljönämnden"
    assert isinstance(item["lat"], float) and item["address_id"] is None
    for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
        parsed = dt.datetime.fromisoformat(item[field])
        assert parsed.tzinfo is not None  # "Timezone information must be included"
    root = xml_of(client.get("/open311/v2/requests.xml"))
    assert root.tag == "service_requests"
    assert [c.tag for c in root.find("request")] == REQUEST_FIELDS
    assert hidden.number not in client.get("/open311/v2/requests.xml").content.decode()
    assert personal.number not in client.get("/open311/v2/requests.xml").content.decode()

    # The submitting client sees its own unpublished requests; nobody else does.
    other = json_of(post(client, key, "json"))[0]["service_request_id"]
    assert client.get(f"/open311/v2/requests/{other}.json").status_code == 404
    mine = client.get(f"/open311/v2/requests/{other}.json", {"api_key": key})
    assert mine.status_code == 200 and json_of(mine)[0]["service_request_id"] == other


def test_get_request_by_id(setup, client, key):
    number = json_of(post(client, key, "json"))[0]["service_request_id"]
    publish(Case.objects.get(number=number))
    data = json_of(client.get(f"/open311/v2/requests/{number}.json"))
    assert isinstance(data, list) and data[0]["service_request_id"] == number
    root = xml_of(client.get(f"/open311/v2/requests/{number}.xml"))
    assert root.tag == "service_requests" and root.find("request/service_request_id").text == number
    missing = client.get("/open311/v2/requests/UPP-1999-000001.xml")
    assert missing.status_code == 404 and xml_of(missing).tag == "errors"


def test_get_requests_filters(setup, client, key):
    now = timezone.now()
    made = []
    for days_ago, code in ((1, "potthal"), (10, "klotter"), (100, "potthal")):
        case = services.create_case(
            kind=Kind.FAULT,
            category=getattr(setup, {"potthal": "potholes", "klotter": "graffiti"}[code]),
            description="x",
            address_text="Torget",
            now=now - dt.timedelta(days=days_ago),
        ).case
        publish(case)
        made.append(case)
    services.change_status(case=made[1], status=CaseStatus.RESOLVED, by=None)

    def ids(**params):
        return [
            r["service_request_id"]
            for r in json_of(client.get("/open311/v2/requests.json", params))
        ]

    assert ids() == [made[0].number, made[1].number]  # default: the most recent 90 days
    assert ids(service_code="klotter") == [made[1].number]
    assert ids(status="closed") == [made[1].number]
    assert ids(status="open") == [made[0].number]
    assert ids(status="open,closed") == [made[0].number, made[1].number]
    start = (now - dt.timedelta(days=120)).isoformat()
    end = (now - dt.timedelta(days=50)).isoformat()
    assert ids(start_date=start, end_date=end) == [made[2].number]
    # service_request_id overrides all other arguments.
    assert ids(service_request_id=f"{made[2].number},{made[0].number}", status="closed") == [
        made[0].number,
        made[2].number,
    ]
    assert ids(page_size="1") == [made[0].number]
    assert ids(page_size="1", page="2") == [made[1].number]


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "90"),
        ({"start_date": "igår"}, "start_date"),
        ({"end_date": "2026-13-45"}, "end_date"),
        ({"start_date": "2026-05-01", "end_date": "2026-04-01"}, "före"),
        ({"status": "pending"}, "status"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "1001"}, "page_size"),
        ({"page": "-1"}, "page"),
        ({"lat": "59.85"}, "long"),
        ({"lat": "59.85", "long": "17.63", "radius": "0"}, "radius"),
        ({"lat": "59.85", "long": "17.63", "radius": "50000"}, "radius"),
        ({"lat": "norr", "long": "17.63"}, "lat"),
    ],
)
def test_get_requests_bad_parameters(setup, client, params, needle):
    for fmt in ("xml", "json"):
        response = client.get(f"/open311/v2/requests.{fmt}", params)
        assert response.status_code == 400
        body = response.content.decode()
        assert needle in body


def test_get_requests_near_a_point_match_the_public_list(setup, client, key):
    """lat/long/radius: the same geometry (organisations.selectors.within_radius) as the public
    list's near filter — a case 300 m away is inside 500 m and outside 200 m."""
    from insyn.organisations.geometry import distance_m

    here = (59.8586, 17.6389)
    made = {}
    for name, lat in (("here", here[0]), ("300m", here[0] + 0.0027), ("far", here[0] + 0.05)):
        case = services.create_case(
            kind=Kind.FAULT, category=setup.potholes, description="x", lat=lat, long=here[1]
        ).case
        publish(case)
        made[name] = case.number
    assert 290 < distance_m(*here, here[0] + 0.0027, here[1]) < 310

    def ids(**params):
        data = json_of(
            client.get("/open311/v2/requests.json", {"lat": here[0], "long": here[1], **params})
        )
        return {r["service_request_id"] for r in data}

    assert ids() == {made["here"], made["300m"]}  # default radius 500 m
    assert ids(radius="200") == {made["here"]}
    assert ids(radius="10000") == set(made.values())
    page = client.get(
        "/synpunkter/felanmalningar/", {"lat": here[0], "long": here[1], "radie": 200}
    ).content.decode()
    assert made["here"] in page and made["300m"] not in page and made["far"] not in page
    data = client.get(
        "/synpunkter/felanmalningar/karta.json", {"lat": here[0], "long": here[1], "radie": 500}
    ).json()
    assert {r[2] for r in data["points"]} == {made["here"], made["300m"]}


def test_tokens(setup, client, key):
    number = json_of(post(client, key, "json"))[0]["service_request_id"]
    token = Case.objects.get(number=number).open311_token
    data = json_of(client.get(f"/open311/v2/tokens/{token}.json"))
    assert data == [{"service_request_id": number, "token": token}]
    assert client.get("/open311/v2/tokens/okand.xml").status_code == 404


def test_formats_and_methods(setup, client):
    response = client.get("/open311/v2/services.html")
    assert response.status_code == 404 and xml_of(response).tag == "errors"
    response = client.delete("/open311/v2/requests.json")
    assert response.status_code == 405 and json_of(response)[0]["code"] == 405


def test_updates_extension_get(setup, client, key):
    number = json_of(post(client, key, "json"))[0]["service_request_id"]
    case = Case.objects.get(number=number)
    services.add_note(case=case, body="Intern: ring entreprenören", by=setup.users["cc"])
    services.answer(
        case=case,
        body="Vi lagar hålet i veckan.",
        status=CaseStatus.IN_PROGRESS,
        by=setup.users["cc"],
    )
    services.change_status(case=case, status=CaseStatus.RESOLVED, by=setup.users["cc"])

    # Unpublished: only the client that filed it sees its updates.
    assert json_of(client.get("/open311/v2/servicerequestupdates.json")) == []
    data = json_of(client.get("/open311/v2/servicerequestupdates.json", {"api_key": key}))
    assert [u["status"] for u in data] == ["open", "in_progress", "fixed"]
    assert all(
        list(u)
        == [
            "update_id",
            "service_request_id",
            "status",
            "updated_datetime",
            "description",
            "media_url",
        ]
        for u in data
    )
    assert all(isinstance(u["update_id"], str) for u in data)
    assert "Intern" not in json.dumps(data, ensure_ascii=False)
    assert data[1]["description"] == "Vi lagar hålet i veckan."
    root = xml_of(client.get("/open311/v2/servicerequestupdates.xml", {"api_key": key}))
    assert root.tag == "service_requests_updates"
    assert [u.findtext("status") for u in root.findall("request_update")] == [
        "open",
        "in_progress",
        "fixed",
    ]
    publish(case)
    assert len(json_of(client.get("/open311/v2/servicerequestupdates.json"))) == 3


def test_updates_extension_post_from_the_responsible_organisation(setup, client, key):
    tv_key = services.issue_api_key(name="Trafikverket", organisation=setup.trafikverket)[1]
    receipt = services.create_case(
        kind=Kind.FAULT,
        category=setup.state_road,
        description="Stängslet är nere",
        lat=59.9,
        long=17.65,
        contact_email="anna@example.org",
    )
    payload = {
        "api_key": tv_key,
        "service_request_id": receipt.case.number,
        "status": "FIXED",
        "description": "Stängslet är lagat.",
        "update_id": "TV-77",
        "updated_datetime": "2026-03-01T10:00:00+01:00",
    }
    response = client.post("/open311/v2/servicerequestupdates.xml", payload)
    assert response.status_code == 200, response.content
    root = xml_of(response)
    update_id = root.findtext("request_update/update_id")
    case = Case.objects.get(pk=receipt.case.pk)
    assert case.status == CaseStatus.RESOLVED
    assert CaseEvent.objects.get(pk=update_id).is_public
    assert "Stängslet är lagat." in case.followers.get().case.events.get(pk=update_id).body
    # Repeating the same update_id does not add a second one.
    again = client.post("/open311/v2/servicerequestupdates.json", payload)
    assert json_of(again) == [{"update_id": update_id}]
    # Another key may not update this case.
    other = client.post(
        "/open311/v2/servicerequestupdates.json", {**payload, "api_key": key, "update_id": "X1"}
    )
    assert other.status_code == 403
    unknown = client.post(
        "/open311/v2/servicerequestupdates.json",
        {**payload, "status": "melted", "update_id": "TV-78"},
    )
    assert unknown.status_code == 400
    missing = client.post(
        "/open311/v2/servicerequestupdates.json",
        {**payload, "service_request_id": "UPP-1999-000009"},
    )
    assert missing.status_code == 404


def test_updates_extension_post_from_a_client_is_an_internal_note(setup, client, key):
    number = json_of(post(client, key, "json"))[0]["service_request_id"]
    response = client.post(
        "/open311/v2/servicerequestupdates.json",
        {
            "api_key": key,
            "service_request_id": number,
            "status": "OPEN",
            "description": "Invånaren skriver: hålet har blivit större",
            "update_id": "FMS-1",
        },
    )
    assert response.status_code == 200
    event = Case.objects.get(number=number).events.get(external_id="FMS-1")
    assert event.kind == "note" and not event.is_public


def test_open311_post_rate_limit_per_key(setup, client, monkeypatch):
    # The limit counts per fixed minute window; on a slow machine three POSTs can straddle a
    # window's end, so the limiter's clock is held still.
    import types

    import django_ratelimit.core

    monkeypatch.setattr(
        django_ratelimit.core, "time", types.SimpleNamespace(time=lambda: 1_800_000_030.0)
    )
    raw = services.issue_api_key(name="Snål", rate_per_minute=2)[1]
    assert post(client, raw).status_code == 200
    assert post(client, raw).status_code == 200
    limited = post(client, raw)
    assert limited.status_code == 429 and xml_of(limited).tag == "errors"


def test_api_key_page_issues_a_key_once(setup, client):
    from insyn.accounts.testing import login_verified

    login_verified(client, setup.users["admin"])
    response = client.post(
        "/personal/arenden/api-nycklar/", {"name": "Testklient", "rate_per_minute": 30}
    )
    assert response.status_code == 200
    text = response.content.decode()
    from insyn.feedback.models import Open311ApiKey

    key = Open311ApiKey.objects.get(name="Testklient")
    import re

    raw = re.search(r"<code>([\w-]{30,})</code>", text).group(1)
    assert services.hash_token(raw) == key.key_hash and raw not in key.key_hash
    assert raw not in client.get("/personal/arenden/api-nycklar/").content.decode()


def test_nul_bytes_are_refused_not_crashing(setup, client, key):
    # PostgreSQL cannot store NUL in text; the API must say so instead of failing.
    for fmt in ("xml", "json"):
        assert client.get(f"/open311/v2/services/%00.{fmt}").status_code == 400
        assert client.get(f"/open311/v2/requests.{fmt}", {"status": "open\x00"}).status_code == 400
        assert post(client, key, fmt, description="a\x00b").status_code == 400
    assert client.get("/synpunkter/felanmalningar/UPP%00/").status_code == 404


def test_a_full_page_carries_each_cases_newest_public_note(setup, client):
    """A page of more than 20 requests asks for notes and photos with the page's ids as one
    array on PostgreSQL (issue 13): every case still gets its own newest public text, and the
    page costs the same queries as a page of one."""
    from insyn.feedback.models import EventKind

    now = timezone.now()
    cases = []
    for i in range(25):
        case = services.create_case(
            kind=Kind.FAULT, category=setup.potholes, description=f"Hål {i}", lat=59.85, long=17.6
        ).case
        publish(case)
        cases.append(case)
        for age, text in ((2, f"äldre {i}"), (1, f"nyast {i}")):
            CaseEvent.objects.create(
                case=case,
                kind=EventKind.ANSWER,
                is_public=True,
                body=text,
                created_at=now + dt.timedelta(minutes=10 - age),
            )
    CaseEvent.objects.create(case=cases[0], kind=EventKind.NOTE, is_public=False, body="intern")
    data = json_of(client.get("/open311/v2/requests.json"))
    notes = {r["service_request_id"]: r["status_notes"] for r in data}
    assert notes == {c.number: f"nyast {i}" for i, c in enumerate(cases)}
    with CaptureQueriesContext(connection) as one:
        client.get("/open311/v2/requests.json", {"page_size": "1"})
    with CaptureQueriesContext(connection) as page:
        client.get("/open311/v2/requests.json")
    assert len(page) == len(one)
