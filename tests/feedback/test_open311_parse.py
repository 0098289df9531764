"""The Open311 package reads a request once (`parse`, no database) and leaves the rules to the
services; the views build no querysets."""

from __future__ import annotations

import ast
import inspect

import pytest
from django.http import QueryDict

from insyn.feedback import services
from insyn.feedback.open311 import parse, views
from tests.feedback.test_open311 import post


def test_parse_reads_a_new_request_without_the_database():
    """No django_db mark: a query here would fail the test."""
    params = QueryDict(
        "lat=59.858&long=17.639&description=+H%C3%A5l+&first_name=Anna&last_name=Ek"
        "&attribute[antal]=fler&attribute[typ][]=a&attribute[typ][]=b&address_id=7"
    )
    new = parse.new_request(params)
    assert (new.lat, new.long, new.description, new.name) == (59.858, 17.639, "Hål", "Anna Ek")
    assert new.attributes == {"antal": "fler", "typ": ["a", "b"]}
    assert new.address == "Adress-id 7"


@pytest.mark.parametrize(
    ("query", "needle"),
    [
        ("lat=1", "både lat och long"),
        ("status=x", "status"),
        ("start_date=nej", "start_date"),
        ("page=0", "page"),
        ("lat=59.8&long=17.6&radius=0", "radius"),
    ],
)
def test_parse_refuses_a_bad_query_with_a_400(query, needle):
    with pytest.raises(parse.Open311Error) as caught:
        parse.request_query(QueryDict(query))
    assert caught.value.status == 400 and needle in str(caught.value)


def test_request_ids_override_every_other_argument():
    query = parse.request_query(QueryDict("service_request_id=upp-2026-1,+x-2&status=nonsense"))
    assert query.ids == ["UPP-2026-1", "X-2"] and query.status == ""


@pytest.mark.django_db
def test_a_bad_parameter_is_reported_before_the_categorys_rules(setup, client):
    """The request is read whole first: a malformed e-mail is the answer even when the
    category's required question is also unanswered (the rules run once, in the services)."""
    key = services.issue_api_key(name="FixMyStreet Uppsala", rate_per_minute=1000)[1]
    response = post(client, key, "json", service_code="gatubelysning", email="inte-en-adress")
    assert response.status_code == 400
    assert [e["description"] for e in response.json()] == ["email är inte en giltig e-postadress."]


def test_the_views_build_no_querysets():
    tree = ast.parse(inspect.getsource(views))
    names = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    assert not names & {"objects", "filter", "exclude", "select_related", "prefetch_related"}
