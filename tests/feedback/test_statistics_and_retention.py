"""Statistics (volumes, medians, on-time rate, CSV) and retention (anonymise-old-cases)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from insyn.core.images import clean_image_bytes
from insyn.feedback import selectors, services
from insyn.feedback.models import Case, CaseEvent, CaseFollower, CasePhoto, CaseStatus, Kind
from insyn.feedback.models import PublicState as PS
from tests.feedback.conftest import jpeg_bytes

pytestmark = pytest.mark.django_db


def three_answered_and_resolved(setup, now: dt.datetime) -> None:
    """Three pothole reports from ten days ago, answered after 2, 4 and 30 hours and resolved
    after 1, 5 and 20 days (the target is 14): medians 4 hours and 5 days, 2 of 3 on time."""
    for hours, days in ((2, 1), (4, 5), (30, 20)):
        case = services.create_case(
            kind=Kind.FAULT,
            category=setup.potholes,
            description="x",
            address_text="y",
            now=now - dt.timedelta(days=10),
        ).case
        services.answer(
            case=case,
            body="Tack",
            by=setup.users["cc"],
            now=case.created_at + dt.timedelta(hours=hours),
        )
        services.change_status(
            case=case,
            status=CaseStatus.RESOLVED,
            by=setup.users["cc"],
            now=case.created_at + dt.timedelta(days=days),
        )


def test_statistics(setup):
    now = timezone.now()
    three_answered_and_resolved(setup, now)
    services.create_case(kind=Kind.IDEA, category=setup.idea, description="idé")
    # The statistics count by the municipality's calendar: between 23:00 and midnight UTC
    # `now.date()` is yesterday in Sweden, and the idea filed just now fell outside it.
    today = timezone.localdate(now)
    stats = selectors.statistics(start=today - dt.timedelta(days=30), end=today)
    assert stats.total == 4
    assert dict(stats.by_kind) == {"Felanmälan": 3, "Idé": 1}
    assert dict(stats.by_category) == {"Hål i vägen": 3, "Övrigt": 1}
    assert dict(stats.by_organisation) == {"Gatu- och samhällsmiljönämnden": 4}
    assert sum(n for _m, n in stats.by_month) == 4
    assert stats.median_first_answer == dt.timedelta(hours=4)
    assert stats.median_resolution == dt.timedelta(days=5)
    assert (stats.resolved, stats.resolved_on_time) == (3, 2)
    assert stats.on_time_rate == pytest.approx(2 / 3)


def test_statistics_months_follow_the_municipalitys_calendar(setup):
    """A case counts in the month its local date falls in (Europe/Stockholm): just before and
    after local midnight at a month's turn, across a change to and from summer time and a
    year's turn, over a period that starts and ends mid-month. The months are the period's
    month starts, not a conversion of every row, so a recount in Python is the oracle."""
    from zoneinfo import ZoneInfo

    stockholm = ZoneInfo("Europe/Stockholm")
    local = [
        dt.datetime(2024, 11, 20, 0, 0, tzinfo=stockholm),  # the period's first moment
        dt.datetime(2024, 12, 31, 23, 59, tzinfo=stockholm),  # the last minute of the year
        dt.datetime(2025, 1, 1, 0, 0, tzinfo=stockholm),
        dt.datetime(2025, 3, 31, 23, 30, tzinfo=stockholm),  # summer time since 30 March: 21:30 UTC
        dt.datetime(2025, 4, 1, 0, 10, tzinfo=stockholm),  # 31 March 22:10 UTC, but April here
        dt.datetime(2025, 10, 31, 23, 45, tzinfo=stockholm),  # winter time again since 26 October
        dt.datetime(2025, 11, 1, 0, 5, tzinfo=stockholm),
        dt.datetime(2025, 11, 14, 23, 59, tzinfo=stockholm),  # the period's last day
        dt.datetime(2025, 11, 15, 0, 0, tzinfo=stockholm),  # the day after: outside
    ]
    for moment in local:
        services.create_case(
            kind=Kind.FAULT,
            category=setup.potholes,
            description="x",
            address_text="y",
            now=moment,
        )
    stats = selectors.statistics(start=dt.date(2024, 11, 20), end=dt.date(2025, 11, 14))
    expected: dict[str, int] = {}
    for moment in local[:-1]:
        key = moment.strftime("%Y-%m")
        expected[key] = expected.get(key, 0) + 1
    assert stats.by_month == sorted(expected.items())
    assert stats.by_month == [
        ("2024-11", 1),
        ("2024-12", 1),
        ("2025-01", 1),
        ("2025-03", 1),
        ("2025-04", 1),
        ("2025-10", 1),
        ("2025-11", 2),
    ]
    assert stats.total == 8
    # a period inside one month
    one = selectors.statistics(start=dt.date(2025, 11, 1), end=dt.date(2025, 11, 14))
    assert one.by_month == [("2025-11", 2)] and one.total == 2


def test_even_count_median(setup):
    staff = setup.users["cc"]
    for h in (2, 4):
        case = services.create_case(
            kind=Kind.FAULT, category=setup.potholes, description="x", address_text="y"
        ).case
        services.answer(
            case=case, body="Tack", by=staff, now=case.created_at + dt.timedelta(hours=h)
        )
    today = timezone.localdate()
    assert selectors.statistics(start=today, end=today).median_first_answer == dt.timedelta(hours=3)


def test_postgresql_medians_are_the_interval_medians_to_the_microsecond(setup):
    """PostgreSQL sorts the durations as float8 microseconds (issue 13) and rebuilds what
    percentile_cont over intervals gives: low + (high - low) / 2 rounded half to even, which
    differs from rounding the mean when `low` is odd."""
    from django.db import connection
    from django.db.models import Aggregate, DurationField, F, Q

    if connection.vendor != "postgresql":
        pytest.skip("the float8 medians are PostgreSQL's")

    class IntervalMedian(Aggregate):
        function = "percentile_cont"
        template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
        output_field = DurationField()

    hour = 3_600_000_000
    for micro in (hour, 2 * hour + 1, 3 * hour + 4, 4 * hour):
        case = services.create_case(
            kind=Kind.FAULT, category=setup.potholes, description="x", address_text="y"
        ).case
        Case.objects.filter(pk=case.pk).update(
            first_answered_at=case.created_at + dt.timedelta(microseconds=micro),
            resolved_at=case.created_at + dt.timedelta(microseconds=micro * 3),
        )
    today = timezone.localdate()
    stats = selectors.statistics(start=today, end=today)
    # the middle two: 2 h + 1 µs and 3 h + 4 µs; half their distance, h/2 + 1.5 µs, rounds to
    # h/2 + 2 µs (the mean itself would round to 2.5 h + 2 µs)
    assert stats.median_first_answer == dt.timedelta(microseconds=2 * hour + 1 + hour // 2 + 2)
    # three times each: 6 h + 3 µs and 9 h + 12 µs; 1.5 h + 4.5 µs rounds down to 4 µs
    assert stats.median_resolution == dt.timedelta(microseconds=6 * hour + 3 + 3 * hour // 2 + 4)
    oracle = Case.objects.aggregate(
        first=IntervalMedian(
            F("first_answered_at") - F("created_at"), filter=Q(first_answered_at__isnull=False)
        ),
        resolution=IntervalMedian(
            F("resolved_at") - F("created_at"), filter=Q(resolved_at__isnull=False)
        ),
    )
    assert (stats.median_first_answer, stats.median_resolution) == (
        oracle["first"],
        oracle["resolution"],
    )


def test_statistics_csv(setup, cc_client):
    services.create_case(
        kind=Kind.FAULT, category=setup.potholes, description="x", address_text="y"
    )
    response = cc_client.get("/personal/arenden/statistik.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["mått", "grupp", "värde"]
    assert ["typ", "Felanmälan", "1"] in rows and ["kategori", "Hål i vägen", "1"] in rows
    assert cc_client.get("/personal/arenden/statistik/").status_code == 200


def test_anonymise_old_cases(setup, settings):
    settings.FEEDBACK_RETENTION_DAYS = 365
    old = timezone.now() - dt.timedelta(days=500)
    staff = setup.users["cc"]
    receipt = services.create_case(
        kind=Kind.FAULT,
        category=setup.potholes,
        description="Anna här, 070-123 45 67",
        address_text="Kungsgatan 12",
        contact_name="Anna Andersson",
        contact_email="anna@example.org",
        contact_phone="070-123 45 67",
        photos=[clean_image_bytes(jpeg_bytes())],
        now=old,
    )
    case = receipt.case
    services.add_note(case=case, body="Anna ringde igen", by=staff, now=old)
    services.moderate(
        case=case,
        public_description="Hål i gatan",
        public_address="Kungsgatan",
        state=PS.PUBLISHED,
        by=staff,
        now=old,
    )
    services.follow_case(case=case, email="granne@example.org", now=old)
    services.change_status(
        case=case,
        status=CaseStatus.RESOLVED,
        by=staff,
        body="Lagat",
        now=old + dt.timedelta(days=2),
    )
    recent = services.create_case(
        kind=Kind.COMPLAINT,
        category=setup.idea,
        description="Nytt klagomål",
        contact_email="b@example.org",
    )
    services.change_status(case=recent.case, status=CaseStatus.RESOLVED, by=staff)
    still_open = services.create_case(
        kind=Kind.COMPLAINT,
        category=setup.idea,
        description="Gammalt men öppet",
        contact_email="c@example.org",
        now=old,
    ).case

    out = io.StringIO()
    call_command("anonymise_old_cases", stdout=out)
    assert "1 ärenden" in out.getvalue()

    case.refresh_from_db()
    assert case.anonymised_at is not None
    assert (case.contact_name, case.contact_email, case.contact_phone) == ("", "", "")
    assert "Anna" not in case.description and "070" not in case.description
    assert case.public_description == "Hål i gatan"  # the moderated public text stays
    assert not CaseFollower.objects.filter(case=case).exclude(email="").exists()
    assert not CaseEvent.objects.filter(case=case, body__contains="Anna").exists()
    assert CaseEvent.objects.filter(case=case, body="Lagat").exists()  # public answers stay
    for row in case.history.all():  # the history is anonymised too
        assert row.contact_email == "" and "Anna" not in row.description
    photo = CasePhoto.objects.get(case=case)  # published: the public copy stays
    assert not photo.image and photo.public_image
    assert Case.objects.get(pk=recent.case.pk).contact_email == "b@example.org"
    assert Case.objects.get(pk=still_open.pk).contact_email == "c@example.org"

    # Idempotent; and --days overrides the setting.
    assert services.anonymise_old_cases() == 0
    call_command("anonymise_old_cases", "--days", "0", stdout=io.StringIO())
    assert Case.objects.get(pk=recent.case.pk).contact_email == ""


def test_unpublished_photos_are_deleted_on_anonymisation(setup):
    old = timezone.now() - dt.timedelta(days=1000)
    case = services.create_case(
        kind=Kind.IDEA,
        category=setup.idea,
        description="x",
        photos=[clean_image_bytes(jpeg_bytes())],
        now=old,
    ).case
    services.change_status(case=case, status=CaseStatus.CLOSED, by=None, now=old)
    assert services.anonymise_old_cases(days=365) == 1
    assert not CasePhoto.objects.filter(case=case).exists()


def test_statistics_queries_run_with_memory_for_a_year_on_postgresql(setup):
    """Both statistics queries run in a transaction with work_mem raised (a year of a million
    cases is grouped and sorted in memory; at the default the GROUP BY was costed as spilling,
    past jit_above_cost, and compiled first) and planned for their own period."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        pytest.skip("work_mem and plans are PostgreSQL's")
    services.create_case(
        kind=Kind.FAULT, category=setup.potholes, description="x", address_text="y"
    )
    today = timezone.localdate()
    with CaptureQueriesContext(connection) as queries:
        assert selectors.statistics(start=today, end=today).total == 1
    sqls = [q["sql"] for q in queries.captured_queries]
    reads = [i for i, sql in enumerate(sqls) if "feedback_case" in sql]
    assert len(reads) == 2  # the GROUP BY and the medians
    for i in reads:
        before = sqls[max(0, i - 3) : i]
        assert "SET LOCAL work_mem = '64MB'" in before, sqls
        assert "SET LOCAL plan_cache_mode = force_custom_plan" in before, sqls


@pytest.mark.django_db(transaction=True)
def test_postgresql_medians_are_read_beside_the_counts(setup):
    """Outside a transaction, PostgreSQL sorts the medians on a second connection while the
    first one groups and counts (insyn.core.parallel.beside; a year of a million cases took
    the two one after the other), and the figures are the same."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        pytest.skip("SQLite reads on one connection")
    now = timezone.now()
    three_answered_and_resolved(setup, now)
    today = timezone.localdate(now)
    with CaptureQueriesContext(connection) as queries:
        stats = selectors.statistics(start=today - dt.timedelta(days=30), end=today)
    assert (stats.total, stats.resolved) == (3, 3)
    assert stats.median_first_answer == dt.timedelta(hours=4)
    assert stats.median_resolution == dt.timedelta(days=5)
    here = " ".join(q["sql"] for q in queries.captured_queries)
    assert "GROUP BY" in here
    assert "percentile_cont" not in here  # read on the other connection


def test_statistics_page_shows_the_period_its_figures_are_for(setup, cc_client):
    today = timezone.localdate()
    text = cc_client.get("/personal/arenden/statistik/").content.decode()
    assert f'name="start" value="{today - dt.timedelta(days=364):%Y-%m-%d}"' in text
    assert f'name="end" value="{today:%Y-%m-%d}"' in text
    # A date the browser would not send, typed by hand: said, not silently replaced.
    bad = cc_client.get("/personal/arenden/statistik/?start=2026-13-45&end=").content.decode()
    assert 'value="2026-13-45"' in bad
    assert "Skriv datumet som ÅÅÅÅ-MM-DD." in bad
