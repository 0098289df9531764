"""Exports of a period (PDF, XLSX, CSV) and bulk reporting through an XLSX template."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from insyn.goals import services
from insyn.goals.exports import TEMPLATE_HEADERS, period_pdf_html
from insyn.goals.models import PeriodState, Report, ReportState
from tests.world import open_period, submit_all

pytestmark = pytest.mark.django_db


def publish(world):
    open_period(world)
    submit_all(world)
    compiler = world.users["compiler"]
    for assignment, status in zip(
        world.assignments, ["completed", "on_track", "delayed"], strict=True
    ):
        services.compiled_save(
            period=world.period,
            assignment=assignment,
            status=status,
            assessment=f"Bedömning av uppdrag {assignment.number}.",
            by=compiler,
        )
    for goal in world.goals:
        services.goal_follow_up_save(
            period=world.period, goal=goal, status="green", assessment="Målet nås.", by=compiler
        )
    services.period_publish(period=world.period, by=compiler)


def test_it_exports_the_published_follow_up_as_pdf(world, client):
    from weasyprint import HTML

    publish(world)
    response = client.get(reverse("goals_export:period", args=[world.period.pk, "pdf"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    html = period_pdf_html(world.period)
    document = HTML(string=html).render()
    assert len(document.pages) >= 4  # cover, contents, legend, one page per goal
    for text in (
        "Innehåll",
        "Statusskalan",
        "Hållbar stad",
        "Trygg uppväxt",
        "Bedömning av uppdrag 1.",
        "counter(page)",
    ):
        assert text in html
    # Each goal starts a page; its heading is on a later page than the cover.
    anchors = {a[0] for page in document.pages for a in page.anchors.items()}
    assert f"goal-{world.goals[0].pk}" in anchors and "legend" in anchors


def test_it_exports_xlsx_and_csv(world, client):
    publish(world)
    response = client.get(reverse("goals_export:period", args=[world.period.pk, "xlsx"]))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[:3] == ["Uppdrag", "Mål", "Organisationernas rapporter"]
    rows = list(workbook["Uppdrag"].iter_rows(values_only=True))
    assert rows[0][0] == "Plan" and len(rows) == 4
    assert {row[11] for row in rows[1:]} == {"completed", "on_track", "delayed"}
    assert rows[1][12] == "Bedömning av uppdrag 1."
    goals = list(workbook["Mål"].iter_rows(values_only=True))
    assert goals[1][3] == "Grön"
    assert "Ett av kommunfullmäktiges två uppdrag" in goals[1][4]

    response = client.get(reverse("goals_export:period", args=[world.period.pk, "csv"]))
    text = response.content.decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0][0] == "Plan" and len(parsed) == 4
    assert parsed[3][10] == "Försenat"


def test_it_never_exports_unpublished_periods_publicly(world, client, as_user):
    open_period(world)
    for fmt in ("pdf", "xlsx", "csv"):
        url = reverse("goals_export:period", args=[world.period.pk, fmt])
        assert client.get(url).status_code == 404
    staff = as_user(world.users["reader"])
    response = staff.get(reverse("goals:period_export", args=[world.period.pk, "csv"]))
    assert response.status_code == 200
    assert "Klart enligt plan" not in response.content.decode("utf-8-sig")  # no org drafts


def _template(client, world) -> Workbook:
    response = client.get(reverse("goals:bulk_template", args=[world.period.pk]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def _upload(client, world, workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "rapporter.xlsx"
    return client.post(reverse("goals:bulk_upload", args=[world.period.pk]), {"file": buffer})


def test_it_takes_a_filled_in_template(world, as_user):
    open_period(world)
    client = as_user(world.users["reporter"])
    workbook = _template(client, world)
    sheet = workbook["Rapporter"]
    rows = list(sheet.iter_rows(min_row=2))
    assert [c.value for c in sheet[1]] == TEMPLATE_HEADERS
    assert {row[2].value for row in rows} == {"Socialnämnden"}
    assert len(rows) == 2
    rows[0][6].value = "Enligt plan"
    rows[0][7].value = "Allt går bra."
    rows[0][8].value = "ja"
    rows[1][6].value = "delayed"
    rows[1][7].value = "Försenat utkast"
    response = _upload(client, world, workbook)
    assert response.status_code == 302
    first = Report.objects.get(pk=rows[0][0].value)
    second = Report.objects.get(pk=rows[1][0].value)
    assert first.state == ReportState.SUBMITTED and first.assessment == "Allt går bra."
    assert second.state == ReportState.DRAFT and second.status == "delayed"


def test_it_rejects_the_whole_upload_with_per_row_errors(world, as_user):
    open_period(world)
    client = as_user(world.users["reporter"])
    workbook = _template(client, world)
    sheet = workbook["Rapporter"]
    rows = list(sheet.iter_rows(min_row=2))
    rows[0][6].value = "Enligt plan"
    rows[0][7].value = "Bra text"
    rows[0][8].value = "ja"
    rows[1][6].value = "Lila"
    rows[1][8].value = "ja"
    foreign = Report.objects.get(period=world.period, organisation=world.ubn)
    sheet.append(
        [
            foreign.pk,
            foreign.version,
            "Utbildningsnämnden",
            "2",
            "Uppdrag 3",
            "",
            "Enligt plan",
            "Intrång",
            "ja",
        ]
    )
    sheet.append([999999, 1, "", "", "", "", "Enligt plan", "x", "nej"])
    sheet.append(["", 1, "", "", "", "", "Slutfört", "", "ja"])
    response = _upload(client, world, workbook)
    assert response.status_code == 400
    text = response.content.decode()
    assert "Rad 3: okänd status ”Lila”" in text
    assert "Rad 6: Rapport-id saknas" in text
    # Nothing was saved, not even the good row.
    assert Report.objects.get(pk=rows[0][0].value).state == ReportState.DRAFT

    # Fix the format errors: the foreign, unknown and empty-assessment rows are refused next.
    rows[1][6].value = "Slutfört"
    sheet.delete_rows(6)
    response = _upload(client, world, workbook)
    text = response.content.decode()
    assert "Rad 3: bedömning saknas men raden är markerad för inlämning" in text
    assert "Rad 4: rapporten tillhör en organisation som du inte rapporterar för" in text
    assert "Rad 5: rapport-id 999999 finns inte" in text
    foreign.refresh_from_db()
    assert (
        foreign.assessment == ""
        and Report.objects.get(pk=rows[0][0].value).state == ReportState.DRAFT
    )


def test_it_rejects_a_file_that_is_not_a_spreadsheet(world, as_user):
    open_period(world)
    client = as_user(world.users["reporter"])
    response = client.post(
        reverse("goals:bulk_upload", args=[world.period.pk]),
        {"file": SimpleUploadedFile("rapporter.xlsx", b"not a zip")},
    )
    assert response.status_code == 400
    assert "kunde inte läsas som en Excel-fil" in response.content.decode()


def test_it_refuses_a_template_older_than_the_report(world, as_user):
    open_period(world)
    client = as_user(world.users["reporter"])
    workbook = _template(client, world)
    row = next(iter(workbook["Rapporter"].iter_rows(min_row=2)))
    report = Report.objects.get(pk=row[0].value)
    services.report_save(
        report_id=report.pk,
        version=report.version,
        status="on_track",
        assessment="Ändrad i webben",
        by=world.users["reporter"],
    )
    row[7].value = "Från Excel"
    response = _upload(client, world, workbook)
    assert "har ändrats i Insyn efter att mallen hämtades" in response.content.decode()
    report.refresh_from_db()
    assert report.assessment == "Ändrad i webben"
    assert world.period.state == PeriodState.OPEN


def test_it_indexes_the_period_for_search_only_when_published(world):
    from insyn.search.models import SearchDocument

    open_period(world)
    services.compiled_save(
        period=world.period,
        assignment=world.assignments[0],
        status="on_track",
        assessment="Unikt ord flaggstångsknopp.",
        by=world.users["compiler"],
    )
    assert not SearchDocument.objects.filter(body__contains="flaggstångsknopp").exists()
    submit_all(world)
    for assignment in world.assignments[1:]:
        services.compiled_save(
            period=world.period,
            assignment=assignment,
            status="on_track",
            assessment="Pågår.",
            by=world.users["compiler"],
        )
    for goal in world.goals:
        services.goal_follow_up_save(
            period=world.period,
            goal=goal,
            status="green",
            assessment="",
            by=world.users["compiler"],
        )
    services.period_publish(period=world.period, by=world.users["compiler"])
    assert SearchDocument.objects.filter(body__contains="flaggstångsknopp").exists()


@pytest.mark.parametrize(
    "typed", ['=HYPERLINK("http://x","klicka")', "-2+3+cmd|' /C calc'!A0", "+1+1", "@SUM(A1)"]
)
def test_it_never_turns_a_reporters_text_into_a_spreadsheet_formula(world, client, typed):
    """Issue 12 finding 5: "-", tab, CR and leading blanks were let through before."""
    publish(world)
    services.compiled_save(
        period=world.period,
        assignment=world.assignments[0],
        status="completed",
        assessment=typed,
        by=world.users["compiler"],
        note="Test av formel.",
    )
    response = client.get(reverse("goals_export:period", args=[world.period.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content))["Uppdrag"]
    cell = sheet.cell(row=2, column=13)
    stored = typed.strip()  # the form strips blanks
    assert cell.data_type == "s" and cell.value == stored and cell.quotePrefix
    text = client.get(reverse("goals_export:period", args=[world.period.pk, "csv"])).content.decode(
        "utf-8-sig"
    )
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert "'" + stored in rows[1]


def test_the_files_stay_swedish_documents_when_english_is_chosen(world, client):
    """An English visitor downloads the same Swedish files (the PDF is <html lang="sv">, the
    columns are read back by uploads): no English status label, heading or summary mixed in."""
    publish(world)
    client.cookies["django_language"] = "en"
    csv_text = client.get(
        reverse("goals_export:period", args=[world.period.pk, "csv"])
    ).content.decode("utf-8-sig")
    assert "Försenat" in csv_text and "Delayed" not in csv_text
    workbook = load_workbook(
        io.BytesIO(
            client.get(reverse("goals_export:period", args=[world.period.pk, "xlsx"])).content
        )
    )
    goals = list(workbook["Mål"].iter_rows(values_only=True))
    assert goals[1][3] == "Grön" and "Ett av kommunfullmäktiges två uppdrag" in goals[1][4]
    from django.utils import translation

    with translation.override("en"):
        html = period_pdf_html(world.period)
        assert world.assignments[0].heading.startswith("Assignment")  # pages follow English
    assert "Uppdrag 1" in html and "Assignment" not in html and "Delayed" not in html
