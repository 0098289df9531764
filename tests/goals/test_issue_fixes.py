"""Defects found by walking each role's day (issues 11 and 12), each pinned by a test."""

from __future__ import annotations

import pytest
from django.urls import reverse

from insyn.goals import selectors, services
from insyn.goals.models import Report, ReportState, Status
from tests.world import open_period

pytestmark = pytest.mark.django_db


def _son_report(world):
    return Report.objects.get(
        period=world.period, assignment=world.assignments[0], organisation=world.son
    )


def test_a_reader_sees_only_handed_in_versions_in_a_reports_history(world, as_user):
    open_period(world)
    report = _son_report(world)
    reporter = world.users["reporter"]
    report = services.report_save(
        report_id=report.pk,
        version=report.version,
        status=Status.ON_TRACK,
        assessment="UTKAST-HEMLIGT före inlämning",
        by=reporter,
    )
    report = services.report_submit(
        report_id=report.pk,
        version=report.version,
        status=Status.ON_TRACK,
        assessment="Inlämnad text",
        by=reporter,
    )
    report = services.report_return(
        report=report, comment="INTERN-RETURKOMMENTAR", by=world.users["compiler"]
    )
    report = services.report_submit(
        report_id=report.pk,
        version=report.version,
        status=Status.ON_TRACK,
        assessment="Kompletterad text",
        by=reporter,
    )
    url = reverse("goals:report_history", args=[report.pk])
    page = as_user(world.users["reader"]).get(url).content.decode()
    assert "Inlämnad text" in page and "Kompletterad text" in page
    assert "UTKAST-HEMLIGT" not in page
    assert "SON: arbetet är försenat" not in page  # the pre-filled draft was never handed in
    assert "INTERN-RETURKOMMENTAR" not in page
    # The organisation itself and the compilers still see everything.
    for who in ("reporter", "compiler"):
        page = as_user(world.users[who]).get(url).content.decode()
        assert "UTKAST-HEMLIGT" in page and "INTERN-RETURKOMMENTAR" in page


def test_the_completeness_line_counts_a_board_that_handed_in_part(world, as_user):
    open_period(world)
    # SON reports on two assignments (its own and the group's); it hands in one of them.
    son_reports = Report.objects.filter(period=world.period, organisation=world.son)
    assert son_reports.count() == 2
    son_reports.filter(assignment=world.assignments[0]).update(state=ReportState.SUBMITTED)
    sentence = selectors.completeness(world.period).sentence
    assert "Ingen nämnd och ingen bolagsstyrelse har rapporterat ännu" not in sentence
    assert sentence == (
        "Ingen nämnd och ingen bolagsstyrelse har rapporterat allt ännu; "
        "1 nämnd har lämnat in en del"
    )
    page = as_user(world.users["compiler"]).get(reverse("goals:period", args=[world.period.pk]))
    assert "1 nämnd har lämnat in en del" in page.content.decode()


def test_a_bulk_upload_counts_and_records_only_the_reports_it_changed(world, as_user):
    import io

    from openpyxl import load_workbook

    from insyn.goals import exports

    open_period(world)
    son_reports = list(Report.objects.filter(period=world.period, organisation=world.son))
    assert len(son_reports) == 2
    history_before = {r.pk: r.history.count() for r in son_reports}
    workbook = load_workbook(io.BytesIO(exports.bulk_template(world.period, {world.son.pk})))
    sheet = workbook["Rapporter"]
    changed_id = sheet.cell(row=2, column=1).value
    sheet.cell(row=2, column=8).value = "Ny text från filen"
    upload = io.BytesIO()
    workbook.save(upload)
    upload.seek(0)
    upload.name = "rapporter.xlsx"
    response = as_user(world.users["reporter"]).post(
        reverse("goals:bulk_upload", args=[world.period.pk]), {"file": upload}, follow=True
    )
    text = response.content.decode()
    assert "1 rapport är ändrad från filen." in text
    for report in son_reports:
        grew = report.history.count() - history_before[report.pk]
        assert grew == (1 if report.pk == changed_id else 0)


def test_drafts_start_from_the_own_report_else_the_published_compiled_one(world, as_user):
    open_period(world)
    a1, a2, _a3 = world.assignments
    own = Report.objects.get(period=world.period, assignment=a1, organisation=world.son)
    assert own.assessment == "SON: arbetet är försenat i april."
    assert own.prefill_source == "own" and own.prefill_period == world.previous
    # Uppsalahem AB has no report of its own on a1: it starts from the published compilation.
    company = Report.objects.get(period=world.period, assignment=a1, organisation=world.company)
    assert company.assessment == "Sammanställt i april."
    assert company.status == Status.DELAYED
    assert company.prefill_source == "compiled" and company.prefill_period == world.previous
    # Nothing earlier at all: empty, and says nothing about a source.
    empty = Report.objects.get(period=world.period, assignment=a2, organisation=world.ks)
    assert empty.assessment == "" and empty.prefill_source == ""
    page = as_user(world.users["reporter_company"]).get(reverse("goals:report", args=[company.pk]))
    text = page.content.decode()
    assert "Förifyllt från den publicerade sammanställda bedömningen för" in text
    assert "Uppföljning per april" in text
    page = as_user(world.users["reporter"]).get(reverse("goals:report", args=[own.pk]))
    assert "Förifyllt från er rapport för Uppföljning per april" in page.content.decode()


def test_an_unpublished_compiled_assessment_is_never_a_drafts_starting_point(world):
    from insyn.goals.models import PeriodState

    world.previous.state = PeriodState.CLOSED
    world.previous.save()
    open_period(world)
    company = Report.objects.get(
        period=world.period, assignment=world.assignments[0], organisation=world.company
    )
    assert company.assessment == "" and company.prefill_source == ""


def test_untouched_drafts_of_an_already_open_period_are_filled_once(world):
    open_period(world)
    drafts = Report.objects.filter(period=world.period, organisation__isnull=False)
    drafts.update(assessment="", status=Status.UNKNOWN, prefill_source="", prefill_period=None)
    touched = drafts.get(assignment=world.assignments[0], organisation=world.son)
    Report.objects.filter(pk=touched.pk).update(version=2)
    filled = services.drafts_prefill_untouched(period=world.period, by=None)
    assert filled == 1  # only Uppsalahem AB's a1 draft has an earlier text and is untouched
    company = drafts.get(assignment=world.assignments[0], organisation=world.company)
    assert company.assessment == "Sammanställt i april." and company.prefill_source == "compiled"
    touched.refresh_from_db()
    assert touched.assessment == ""
    assert services.drafts_prefill_untouched(period=world.period, by=None) == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fokusmål 1. X\n\nPublicerad 12 oktober 2023\n", "2023-10-12"),
        ("Senast uppdaterad: 2023-10-30\n", "2023-10-30"),
        ("Sidan publicerades den 3 november 2023", "2023-11-03"),
        ("Publicerad 31 februari 2023", None),
        ("Uppdraget ska publiceras senast i december 2022.", None),
        ("Ingen datumrad alls", None),
    ],
)
def test_the_importer_reads_the_pages_own_publication_date(text, expected):
    from insyn.importers.followup_parser import page_publication_date

    assert page_publication_date(text) == expected


def test_the_archive_shows_the_municipalitys_publication_date_not_the_imports(client):
    import datetime as dt

    from django.utils import timezone

    from tests.factories import PeriodFactory, PlanFactory

    plan = PlanFactory(year=2023)
    dated = PeriodFactory(plan=plan, published_on=dt.date(2023, 10, 12))
    undated = PeriodFactory(
        plan=plan, kind="annual", label="Årsbokslut", month=None, published_on=None
    )
    page = client.get(reverse("public:archive")).content.decode()
    assert 'publicerad <time datetime="2023-10-12">12 oktober 2023</time>' in page
    today = timezone.localdate().isoformat()
    assert f'publicerad <time datetime="{today}"' not in page  # never the import day
    page = client.get(reverse("public:period", args=[undated.pk])).content.decode()
    assert "Sidan anger inte när den publicerades." in page
    assert dated.published_at.date() != dt.date(2023, 10, 12)


def test_an_imported_page_keeps_its_publication_date(db, tmp_path):
    import datetime as dt

    from insyn.goals.models import FollowUpPeriod
    from insyn.importers.services import import_followup_files
    from insyn.organisations.services import DATA_DIR, load_registry_file
    from tests.importers.test_import_service import GOAL_1, GOAL_4

    load_registry_file(DATA_DIR / "uppsala.json")
    import_followup_files([GOAL_1])
    period = FollowUpPeriod.objects.get()
    assert period.published_on is None  # the saved page says nothing: no invented date
    dated = tmp_path / "dated.txt"
    dated.write_text(
        GOAL_4.read_text(encoding="utf-8") + "\n\nPublicerad 12 oktober 2023\n", encoding="utf-8"
    )
    import_followup_files([dated])
    period.refresh_from_db()
    assert period.published_on == dt.date(2023, 10, 12)


def test_period_and_goal_pages_link_the_published_files(world, client):
    period = world.previous
    for url in (
        reverse("public:period", args=[period.pk]),
        reverse("public:goal", args=[world.plan.year, world.goals[0].number]),
    ):
        page = client.get(url).content.decode()
        for fmt in ("pdf", "xlsx", "csv"):
            link = reverse("goals_export:period", args=[period.pk, fmt])
            assert f'href="{link}"' in page, (url, fmt)
    for fmt in ("xlsx", "csv"):
        response = client.get(reverse("goals_export:period", args=[period.pk, fmt]))
        assert response.status_code == 200


def test_a_stale_report_page_says_who_saved_the_other_version_and_shows_both(world, client):
    from tests.factories import MembershipFactory, UserFactory

    open_period(world)
    report = _son_report(world)
    anna = world.users["reporter"]
    bertil = MembershipFactory(organisation=world.son, user=UserFactory(username="bertil")).user
    url = reverse("goals:report", args=[report.pk])
    client.force_login(anna)
    client.post(
        url,
        {"status": "on_track", "assessment": "Annas text", "version": report.version, "save": "1"},
    )
    client.force_login(bertil)
    response = client.post(
        url,
        {"status": "delayed", "assessment": "Bertils text", "version": report.version, "save": "1"},
    )
    text = response.content.decode()
    assert "Någon annan har sparat rapporten medan du skrev" in text
    assert "Annas text" in text and "Bertils text" in text
    assert "Sparad av reporter-son" in text


def test_a_refused_goals_change_is_told_in_the_chosen_language(world):
    """The service's refusals are gettext messages: Swedish by default, English when the
    visitor has chosen English (they were untranslated Swedish literals)."""
    from django.utils import translation

    from insyn.core.errors import ServiceError

    for language, expected in (
        ("sv", "Ange sista dag för rapportering."),
        ("en", "Enter the reporting deadline."),
    ):
        with translation.override(language), pytest.raises(ServiceError) as refused:
            services.period_create(plan=world.plan, kind="", deadline=None, by=None)
        assert expected in str(refused.value.field_problems["deadline"])
