"""Numbers and dates from a request go through insyn.core.params (issue 12 finding 4): "²",
"٣" and integers past 64 bits were server errors on several pages."""

from __future__ import annotations

import ast
import datetime as dt
import pathlib

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from insyn.core import params

HOSTILE = [
    "²",
    "٣",
    "1²",
    "99999999999999999999999",
    "-1",
    "1.5",
    "1e3",
    " 7 ",
    "\x00",
    "x" * 10_000,
]


@given(st.text(max_size=40))
def test_parse_int_accepts_only_bounded_ascii_digits(raw):
    try:
        value = params.parse_int(raw, low=0, high=1000)
    except params.BadParameter as exc:
        assert exc.message
    else:
        assert 0 <= value <= 1000
        assert raw.strip().lstrip("+").isascii()


@given(st.integers())
def test_parse_int_round_trips_in_range(n):
    if 0 <= n <= params.MAX_ID:
        assert params.parse_int(str(n)) == n
    else:
        with pytest.raises(params.BadParameter):
            params.parse_int(str(n))


@pytest.mark.parametrize("raw", ["²", "٣", "2024-1-1", "2024-02-30", "99999-01-01", "0001-01-01"])
def test_parse_date_refuses_what_is_not_a_date_in_range(raw):
    with pytest.raises(params.BadParameter):
        params.parse_date(raw)
    assert params.parse_date("2024-02-29") == dt.date(2024, 2, 29)


def test_a_filter_that_may_be_ignored_is_ignored():
    assert params.int_param({"sida": "²"}, "sida", default=1, ignore=True) == 1
    assert params.page_param({"sida": "99999999999999999999999"}) == 1
    assert params.int_param({"sida": ["1"]}, "sida", default=3) == 3  # arrays are not numbers


@pytest.mark.parametrize("value", HOSTILE)
def test_public_pages_never_fail_on_odd_numbers(client, site, value):
    urls = [
        (reverse("public:plan", args=[2023]), "period"),
        (reverse("public:organisation", args=[site.organisation.slug]), "ar"),
        (reverse("indicators:budget"), "year"),
        (reverse("feedback:reports"), "sida"),
        (reverse("dialogue:index"), "omrade"),
        (reverse("dialogue:index"), "mal"),
        (reverse("public:search"), "q"),
    ]
    for url, name in urls:
        response = client.get(url, {name: value})
        assert response.status_code < 500, (url, name, value)
        if response.status_code == 400:
            assert "heltal" in response.content.decode() or "datum" in response.content.decode()


@pytest.mark.parametrize("value", ["²", "99999999999999999999999", "٣"])
def test_the_fault_form_never_fails_on_an_odd_category(client, site, value):
    response = client.post(reverse("feedback:fault_submit"), {"category": value})
    assert response.status_code < 500
    response = client.post(reverse("feedback:give"), {"category": value, "description": "x"})
    assert response.status_code < 500


def test_a_bad_period_is_a_swedish_400(client, site):
    response = client.get(reverse("public:plan", args=[2023]), {"period": "²"})
    assert response.status_code == 400
    assert "period måste vara ett heltal" in response.content.decode()


def test_every_form_integer_field_is_bounded():
    """forms.IntegerField without max_value lets 10**30 reach the database (OverflowError)."""
    root = pathlib.Path(params.__file__).resolve().parents[1]
    unbounded = []
    for path in root.rglob("forms.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "IntegerField"
                and not {"max_value", "min_value"} <= {k.arg for k in node.keywords}
            ):
                unbounded.append(f"{path.relative_to(root)}:{node.lineno}")
    assert unbounded == []


def test_no_view_parses_digits_with_isdigit():
    """str.isdigit() is true for "²": request values are parsed with insyn.core.params."""
    root = pathlib.Path(params.__file__).resolve().parents[1]
    offenders = [
        str(path.relative_to(root))
        for pattern in ("views.py", "*_views.py", "forms.py")
        for path in root.rglob(pattern)
        if ".isdigit()" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


@pytest.mark.django_db
def test_a_path_number_past_64_bits_is_a_404_not_a_500(client):
    """Found by tests/security/test_fuzz_post.py: /dialog/<huge>/budget/1/rosta/ reached SQLite
    as an OverflowError."""
    for url in (
        "/dialog/99999999999999999999999999/budget/1/rosta/",
        "/dialog/1/diskussion/99999999999999999999999999/inlagg/1/anmal/",
    ):
        assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_an_overflowing_number_from_a_request_is_a_swedish_400_not_a_500(rf):
    """Found by tests/security/test_fuzz_post.py: an id past 64 bits in a form's
    ModelMultipleChoiceField reached SQLite, which raised OverflowError (a 500)."""
    import json

    from insyn.core.params import BadParameterMiddleware

    middleware = BadParameterMiddleware(lambda request: None)
    response = middleware.process_exception(rf.post("/personal/dialog/ny/"), OverflowError())
    assert response is not None and response.status_code == 400
    assert "för stort" in response.content.decode()
    api = middleware.process_exception(rf.get("/api/v1/plans"), OverflowError())
    assert api.status_code == 400 and "för stort" in json.loads(api.content)["error"]


@pytest.mark.django_db
def test_a_hostile_ballot_is_refused_not_a_500(client):
    """Found by tests/security/test_fuzz_post.py: the vote page parsed the ticked boxes with
    int() when it redrew a refused ballot."""
    from insyn.dialogue.identity import SESSION_KEY
    from tests.dialogue.factories import ParticipantFactory, ProposalFactory

    proposal = ProposalFactory()
    session = client.session
    session[SESSION_KEY] = ParticipantFactory().pk
    session.save()
    url = f"/dialog/{proposal.budget.dialogue_id}/budget/{proposal.budget_id}/rosta/"
    for value in ("²", "\x00", "1.5e308"):
        assert client.post(url, {"proposals": [value]}).status_code < 500
