"""List pages cost a bounded number of queries: the same with ten times the data."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from insyn.core.images import clean_image_bytes
from insyn.core.models import OutgoingEmail
from insyn.feedback import services
from insyn.feedback.models import Case, CaseNumberCounter, Kind, PublicState
from tests.factories import GOTTSUNDA_BOX, AssignmentFactory, DistrictFactory, GoalFactory
from tests.feedback.conftest import CENTRUM, jpeg_bytes

pytestmark = pytest.mark.django_db


def make_cases(setup, n, start=0):
    photo = clean_image_bytes(jpeg_bytes())
    theme = services.save_theme(title=f"Tema {start}", by=None)
    categories = [setup.potholes, setup.graffiti, setup.lights, setup.state_road]
    for i in range(start, start + n):
        category = categories[i % len(categories)]
        case = services.create_case(
            kind=Kind.FAULT,
            category=category,
            description=f"Fel nummer {i}",
            lat=CENTRUM[0] + i * 1e-4,
            long=CENTRUM[1],
            address_text=f"Gatan {i}",
            attributes={"antal": "1"} if category == setup.lights else {},
            photos=[photo] if i % 3 == 0 else [],
            contact_email=f"p{i}@example.org",
        ).case
        services.moderate(
            case=case,
            public_description=f"Fel {i}",
            public_address=f"Gatan {i}",
            state=PublicState.PUBLISHED,
            by=None,
        )
        services.answer(case=case, body="Tack!", by=None)
        services.link_governance(case=case, theme=theme, by=None)
        DistrictFactory(name=f"Område {i}", box=GOTTSUNDA_BOX) if i % 10 == 0 else None


def count(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


URLS = [
    "/personal/arenden/",
    "/personal/arenden/?status=open&forsenade=on",
    "/synpunkter/felanmalningar/",
    "/open311/v2/requests.xml",
    "/open311/v2/servicerequestupdates.json",
    "/personal/arenden/statistik/",
]


def test_list_pages_are_bounded(setup, cc_client):
    make_cases(setup, 5)
    for url in URLS:  # warm the caches (the municipality's identity) first
        count(cc_client, url)
    small = {url: count(cc_client, url) for url in URLS}
    make_cases(setup, 45, start=5)
    large = {url: count(cc_client, url) for url in URLS}
    assert small == large, (small, large)
    assert max(large.values()) <= 20, large


def test_case_page_and_tracking_page_are_bounded(setup, cc_client, client):
    receipt = services.create_case(
        kind=Kind.FAULT,
        category=setup.potholes,
        description="x",
        address_text="Torget",
        contact_email="a@example.org",
    )
    case = receipt.case
    services.moderate(  # only a published case can be followed
        case=case,
        public_description="x",
        public_address="",
        state="published",
        by=setup.users["cc"],
    )

    def both():
        return (
            count(cc_client, f"/personal/arenden/{case.number}/"),
            count(client, f"/synpunkter/arende/{receipt.token}/"),
        )

    both()  # warm the caches
    before = both()
    for i in range(20):
        services.answer(case=case, body=f"Svar {i}", by=setup.users["cc"])
        services.add_note(case=case, body=f"Notis {i}", by=setup.users["cc"])
        services.follow_case(case=case, email=f"f{i}@example.org")
    assert both() == before


def test_panels_are_bounded(setup):
    from insyn.feedback.selectors import assignment_panel, goal_panel

    goal = GoalFactory()
    assignment = AssignmentFactory(goal=goal)
    assert goal_panel(goal) is None
    theme = services.save_theme(title="Belysning", assignment=assignment, by=None)
    for i in range(12):
        case = services.create_case(
            kind=Kind.FAULT if i % 2 else Kind.IDEA,
            category=setup.potholes if i % 2 else setup.idea,
            description="x",
            address_text="y",
        ).case
        services.link_governance(
            case=case,
            theme=theme if i % 3 else None,
            assignment=None if i % 3 else assignment,
            by=None,
        )
    with CaptureQueriesContext(connection) as ctx:
        panel = goal_panel(goal)
        a_panel = assignment_panel(assignment)
    assert len(ctx.captured_queries) <= 4
    assert panel.context["feedback_total"] == 12 == a_panel.context["feedback_total"]
    assert dict(panel.context["feedback_counts"]) == {"Felanmälan": 6, "Idé": 6}
    assert panel.context["feedback_themes"] == [("Belysning", 8)]
    assert panel.title == "Det här har invånare sagt"


@pytest.fixture
def rate_counters(settings):
    """The embedded default's rate-limit counters (one statement per step), as in production
    without Redis, so the pins below count what a real request costs."""
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {"BACKEND": "insyn.core.cache.CounterDatabaseCache"},
    }
    settings.RATELIMIT_USE_CACHE = "ratelimit"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        # The key, the rate limit (1: insyn.core.cache), the service and its questions, the
        # districts at the point and the routing rules (read afresh inside a test's transaction),
        # then the writes
        # (insyn.feedback.services._write_intake). SQLite: the number (counter), the case, its
        # follower, its event, the history row and the receipt e-mail, six statements in one
        # transaction (no savepoint inside a test's). PostgreSQL: all of them in one statement.
        ("potthal", {"sqlite": 12, "postgresql": 7}),
        # Forwarded: both events in the one INSERT, and the notice to the organisation: the
        # intake is then a transaction (a savepoint inside a test: two statements) and the
        # notice's dedupe key needs a savepoint of its own (three statements).
        ("statlig-vag", {"sqlite": 17, "postgresql": 12}),
    ],
)
def test_one_open311_post_costs_a_fixed_number_of_queries(
    setup, client, rate_counters, django_assert_num_queries, code, expected
):
    """Issue 13: an Open311 POST was 19–20 queries (30 with the database cache's rate limit);
    a regression here fails. SAVEPOINT/RELEASE stand in for BEGIN/COMMIT in a test."""
    key = services.issue_api_key(name="Pin", rate_per_minute=1000)[1]

    def post(n):
        return client.post(
            "/open311/v2/requests.xml",
            {
                "api_key": key,
                "service_code": code,
                "lat": CENTRUM[0],
                "long": CENTRUM[1],
                "description": f"Hål nummer {n}",
                "email": f"p{n}@example.org",
            },
        )

    assert post(0).status_code == 200  # the first also marks the key used and starts the year
    with django_assert_num_queries(expected[connection.vendor]):
        response = post(1)
    assert response.status_code == 200
    case = Case.objects.get(description="Hål nummer 1")  # stored once
    # Its one history row was written after numbering: it carries the real number.
    (row,) = case.history.all()
    assert (row.number, row.history_type) == (case.number, "+")
    assert case.number.endswith("-000002")
    # The rows written with plain SQL (services._write_intake) are what the ORM wrote: every
    # tracked column in the history row, the events in order, the receipt with the number.
    for field in row.tracked_fields:
        assert getattr(row, field.attname) == getattr(case, field.attname), field.name
    assert (row.history_change_reason, row.history_user_id, row.history_date) == (
        "",
        None,
        case.created_at,
    )
    forwarded = code == "statlig-vag"
    events = list(case.events.order_by("created_at", "pk"))
    assert [e.kind for e in events] == (["created", "forwarded"] if forwarded else ["created"])
    assert all(e.is_public and e.status == case.status for e in events)
    (follower,) = case.followers.all()
    assert (follower.reported_case_id, follower.email) == (case.pk, "p1@example.org")
    (receipt,) = OutgoingEmail.objects.filter(to="p1@example.org")
    assert receipt.subject == f"Vi har tagit emot ditt ärende {case.number}"
    assert f"ärende {case.number} (" in receipt.body and "#" not in receipt.body
    if forwarded:
        notice = OutgoingEmail.objects.get(dedupe_key=f"feedback:org:{events[1].pk}")
        assert case.number in notice.subject


def test_a_case_number_past_six_digits_keeps_every_digit(setup):
    """PostgreSQL makes the number inside the intake's statement: as next_case_number() does,
    at least six digits, never cut."""
    year = timezone.localtime().year
    CaseNumberCounter.objects.update_or_create(year=year, defaults={"last": 999_999})
    receipt = services.create_case(
        kind=Kind.FAULT, category=setup.potholes, description="x", address_text="Torget"
    )
    assert receipt.case.number == f"UPP-{year}-1000000"
    assert Case.objects.get(pk=receipt.case.pk).number == receipt.case.number
    assert receipt.case.history.get().number == receipt.case.number


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("code", "expected"),
    [
        # As a server process runs it (no test transaction around the request): the key, the
        # service and its questions, the districts and the routing rules come from what the
        # process keeps (insyn.core.reference), so: the rate limit (1), then on SQLite BEGIN,
        # the number, the case, its follower, its event, the history row, the e-mail, COMMIT;
        # on PostgreSQL one statement, outside any transaction.
        ("potthal", {"sqlite": 9, "postgresql": 2}),
        # The notice to the organisation: BEGIN … COMMIT around the intake on PostgreSQL too,
        # and the notice with its savepoint (three statements).
        ("statlig-vag", {"sqlite": 12, "postgresql": 7}),
    ],
)
def test_one_open311_post_as_a_server_process_runs_it(
    setup, client, rate_counters, django_assert_num_queries, code, expected
):
    key = services.issue_api_key(name="Pin", rate_per_minute=1000)[1]
    data = {"api_key": key, "service_code": code, "lat": CENTRUM[0], "long": CENTRUM[1]}

    def post(n):
        return client.post(
            "/open311/v2/requests.xml",
            {**data, "description": f"Hål nummer {n}", "email": f"p{n}@example.org"},
        )

    assert post(0).status_code == 200  # the first also marks the key used and starts the year
    with django_assert_num_queries(expected[connection.vendor]):
        assert post(1).status_code == 200
    assert Case.objects.filter(description="Hål nummer 1").count() == 1
