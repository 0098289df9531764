"""A period's follow-up as PDF (WeasyPrint), XLSX (openpyxl) and CSV; and the bulk-reporting
template (download drafts as XLSX, upload them filled in).

Only the compiled follow-up and the organisations' submitted/approved reports are exported;
drafts and returned reports never are. Public URLs serve published periods only (views decide).
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from insyn.core import params, spreadsheets
from insyn.goals.models import (
    Assignment,
    FollowUpPeriod,
    Goal,
    GoalFollowUp,
    Report,
    ReportState,
    Status,
)
from insyn.goals.selectors import corrections_for_period, goal_summary
from insyn.goals.services import BulkRow, BulkUploadError

STATUS_LABELS = {s.value: str(s.label) for s in Status}


def in_site_language[F: Callable[..., Any]](function: F) -> F:
    """The period's files (PDF, XLSX, CSV, the reporting template) are the municipality's
    Swedish documents, with Swedish columns that uploads read back: written in the site's
    language whatever the person downloading them chose (else an English visitor's PDF mixed
    English status labels and headings into a Swedish document)."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with translation.override(settings.LANGUAGE_CODE):
            return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


# Accepted in uploads: the Swedish label (any case) or the code.
STATUS_BY_TEXT = {
    **{str(s.label).lower(): s.value for s in Status},
    **{s.value: s.value for s in Status},
}
YES = {"ja", "j", "yes", "x", "1", "sant", "true"}
NO = {"", "nej", "n", "no", "0", "falskt", "false"}
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UPLOAD_ROWS = 5000
TEMPLATE_HEADERS = [
    "Rapport-id",
    "Version",
    "Organisation",
    "Mål",
    "Uppdrag",
    "Titel",
    "Status",
    "Bedömning",
    "Lämna in (ja/nej)",
]
CSV_HEADERS = [
    "Plan",
    "Period",
    "Målnummer",
    "Mål",
    "Målets status",
    "Sammanfattning",
    "Uppdrag",
    "Uppdragstyp",
    "Titel",
    "Ansvariga",
    "Status",
    "Statuskod",
    "Bedömning",
]


@dataclass
class GoalSection:
    goal: Goal
    follow_up: GoalFollowUp | None
    summary: str
    items: list[dict[str, Any]]


def period_content(period: FollowUpPeriod) -> list[GoalSection]:
    """Goals, their follow-up and every assignment with compiled and organisation reports
    (a fixed number of queries)."""
    goals = list(Goal.objects.filter(plan=period.plan).order_by("order", "number"))
    assignments = list(
        Assignment.objects.filter(goal__plan=period.plan)
        .prefetch_related("responsible_organisations", "responsible_groups")
        .order_by("order", "pk")
    )
    reports = list(
        Report.objects.filter(period=period)
        .filter(organisation__isnull=True)
        .select_related("assignment")
    )
    compiled = {r.assignment_id: r for r in reports}
    org_reports: dict[int, list[Report]] = {}
    for report in (
        Report.objects.filter(
            period=period,
            organisation__isnull=False,
            state__in=[ReportState.SUBMITTED, ReportState.APPROVED],
        )
        .select_related("organisation")
        .order_by("organisation__name")
    ):
        org_reports.setdefault(report.assignment_id, []).append(report)
    follow_ups = {f.goal_id: f for f in GoalFollowUp.objects.filter(period=period)}
    by_goal: dict[int, list[Assignment]] = {}
    for assignment in assignments:
        by_goal.setdefault(assignment.goal_id, []).append(assignment)
    sections = []
    for goal in goals:
        items = []
        statuses = []
        for assignment in by_goal.get(goal.pk, []):
            report = compiled.get(assignment.pk)
            status = report.status if report else Status.UNKNOWN
            if assignment.counts_in_summary:
                statuses.append(status)
            responsible = [o.name for o in assignment.responsible_organisations.all()] + [
                g.name for g in assignment.responsible_groups.all()
            ]
            items.append(
                {
                    "assignment": assignment,
                    "compiled": report,
                    "status": status,
                    "status_label": STATUS_LABELS[status],
                    "responsible": responsible,
                    "org_reports": org_reports.get(assignment.pk, []),
                }
            )
        sections.append(
            GoalSection(
                goal=goal,
                follow_up=follow_ups.get(goal.pk),
                summary=goal_summary(goal, period, statuses),
                items=items,
            )
        )
    return sections


def _rows(period: FollowUpPeriod) -> list[list[str]]:
    rows = []
    for section in period_content(period):
        goal_status = (
            section.follow_up.get_status_display()
            if section.follow_up and section.follow_up.status
            else ""
        )
        for item in section.items:
            assignment = item["assignment"]
            compiled = item["compiled"]
            rows.append(
                [
                    period.plan.title,
                    f"{period.label} {period.year}",
                    section.goal.number,
                    section.goal.title,
                    goal_status,
                    section.summary,
                    assignment.heading,
                    assignment.get_kind_display(),
                    assignment.title,
                    ", ".join(item["responsible"]),
                    item["status_label"],
                    item["status"],
                    compiled.assessment if compiled else "",
                ]
            )
    return rows


@in_site_language
def export_csv(period: FollowUpPeriod) -> bytes:
    """UTF-8 with a byte-order mark (so Excel shows å, ä, ö), comma-separated, one row per
    assignment; text that would start a formula is neutralised (insyn.core.spreadsheets)."""
    return spreadsheets.csv_bytes(CSV_HEADERS, _rows(period), lineterminator="\r\n")


def _autosize(sheet: Any, widths: dict[str, int]) -> None:
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width


@in_site_language
def export_xlsx(period: FollowUpPeriod) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Uppdrag"
    sheet.append(CSV_HEADERS)
    for row in _rows(period):
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=2):
        row[-1].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    _autosize(sheet, {"D": 40, "F": 60, "I": 60, "J": 40, "M": 90})

    goals_sheet = workbook.create_sheet("Mål")
    goals_sheet.append(["Målnummer", "Typ", "Mål", "Status", "Sammanfattning", "Bedömning"])
    orgs_sheet = workbook.create_sheet("Organisationernas rapporter")
    orgs_sheet.append(["Mål", "Uppdrag", "Organisation", "Status", "Statuskod", "Bedömning"])
    for section in period_content(period):
        follow_up = section.follow_up
        goals_sheet.append(
            [
                section.goal.number,
                section.goal.get_kind_display(),
                section.goal.title,
                follow_up.get_status_display() if follow_up and follow_up.status else "",
                section.summary,
                follow_up.assessment if follow_up else "",
            ]
        )
        for item in section.items:
            for report in item["org_reports"]:
                orgs_sheet.append(
                    [
                        section.goal.number,
                        item["assignment"].heading,
                        report.organisation.name,
                        STATUS_LABELS[report.status],
                        report.status,
                        report.assessment,
                    ]
                )
    corrections = corrections_for_period(period)
    if corrections:
        corr_sheet = workbook.create_sheet("Rättelser")
        corr_sheet.append(["Version", "Datum", "Gäller", "Vad och varför"])
        for correction in corrections:
            target = (
                correction.assignment.heading
                if correction.assignment
                else (str(correction.goal) if correction.goal else "")
            )
            corr_sheet.append(
                [
                    correction.version,
                    timezone.localtime(correction.created_at).strftime("%Y-%m-%d"),
                    target,
                    correction.note,
                ]
            )
    for extra in (goals_sheet, orgs_sheet):
        for cell in extra[1]:
            cell.font = Font(bold=True)
    workbook.properties.title = f"{period.label} {period.year}"
    return spreadsheets.save_workbook(workbook)


@in_site_language
def export_pdf(period: FollowUpPeriod, *, base_url: str = "") -> bytes:
    """A printable report: cover, table of contents with page numbers, one section per goal,
    the status legend, and page numbers in the footer (WeasyPrint)."""
    from weasyprint import HTML

    html = period_pdf_html(period)
    return HTML(string=html, base_url=base_url or None).write_pdf()


@in_site_language
def period_pdf_html(period: FollowUpPeriod) -> str:
    return render_to_string(
        "goals/export/period_pdf.html",
        {
            "period": period,
            "sections": period_content(period),
            "corrections": corrections_for_period(period),
            "statuses": [(s.value, s.label) for s in Status],
            "generated": timezone.localtime(),
        },
    )


# --- Bulk reporting ------------------------------------------------------------------------------


@in_site_language
def bulk_template(period: FollowUpPeriod, organisation_ids: set[int]) -> bytes:
    """The organisation's editable reports of the period as an XLSX to fill in."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Rapporter"
    sheet.append(TEMPLATE_HEADERS)
    reports = (
        Report.objects.filter(
            period=period,
            organisation_id__in=organisation_ids,
            state__in=[ReportState.DRAFT, ReportState.RETURNED],
        )
        .select_related("organisation", "assignment__goal")
        .order_by("organisation__name", "assignment__goal__order", "assignment__order")
    )
    for report in reports:
        sheet.append(
            [
                report.pk,
                report.version,
                report.organisation.name,
                report.assignment.goal.number,
                report.assignment.heading,
                report.assignment.title,
                STATUS_LABELS[report.status],
                report.assessment,
                "nej",
            ]
        )
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    last = max(sheet.max_row, 2)
    statuses = DataValidation(
        type="list", allow_blank=False, formula1='"' + ",".join(STATUS_LABELS.values()) + '"'
    )
    statuses.error = "Välj en status i listan."
    submit = DataValidation(type="list", allow_blank=True, formula1='"ja,nej"')
    sheet.add_data_validation(statuses)
    sheet.add_data_validation(submit)
    statuses.add(f"G2:G{last}")
    submit.add(f"I2:I{last}")
    for row in sheet.iter_rows(min_row=2):
        row[7].alignment = Alignment(wrap_text=True, vertical="top")
    _autosize(sheet, {"C": 30, "E": 24, "F": 50, "G": 18, "H": 90, "I": 18})
    sheet.freeze_panes = "A2"
    help_sheet = workbook.create_sheet("Instruktioner")
    for line in [
        "Fyll i Status och Bedömning. Skriv ja i kolumnen Lämna in för rader som ska lämnas in.",
        "Status: " + ", ".join(STATUS_LABELS.values()) + " (eller koden).",
        "Ändra inte Rapport-id eller Version. Ladda upp filen på sidan Ladda upp ifylld mall.",
        "Om någon rad är fel sparas ingenting, och du får en lista över vad som behöver rättas.",
    ]:
        help_sheet.append([line])
    return spreadsheets.save_workbook(workbook)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_bulk_upload(data: bytes) -> list[BulkRow]:
    """Rows of an uploaded template; BulkUploadError with every problem found, in Swedish."""
    from openpyxl import load_workbook

    if len(data) > MAX_UPLOAD_BYTES:
        raise BulkUploadError([_("Filen är för stor (högst 5 MB).")])
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook["Rapporter"] if "Rapporter" in workbook.sheetnames else workbook.active
        raw = list(sheet.iter_rows(values_only=True, max_row=MAX_UPLOAD_ROWS + 2))
    except Exception as exc:  # any parse error of an uploaded file is the user's file
        raise BulkUploadError(
            [
                _(
                    "Filen kunde inte läsas som en Excel-fil (.xlsx). Använd mallen "
                    "som du hämtade från Insyn."
                )
            ]
        ) from exc
    if not raw or [_text(c) for c in raw[0][: len(TEMPLATE_HEADERS)]] != TEMPLATE_HEADERS:
        raise BulkUploadError(
            [_("Filen har inte mallens kolumner. Hämta mallen på nytt och fyll i den.")]
        )
    if len(raw) > MAX_UPLOAD_ROWS + 1:
        raise BulkUploadError([_("Filen har fler än %(n)s rader.") % {"n": MAX_UPLOAD_ROWS}])
    rows: list[BulkRow] = []
    errors: list[str] = []
    for number, values in enumerate(raw[1:], start=2):
        cells = [_text(c) for c in (list(values) + [None] * 9)[:9]]
        if not any(cells):
            continue
        report_id, version, _org, _goal, _heading, _title, status, assessment, submit = cells
        where = _("Rad %(n)s") % {"n": number}
        row_errors = []
        if params.id_or_none(report_id) is None:
            row_errors.append(
                _("%(where)s: Rapport-id saknas eller är inte ett tal.") % {"where": where}
            )
        if version and params.id_or_none(version) is None:
            row_errors.append(_("%(where)s: Version ska vara ett tal.") % {"where": where})
        code = STATUS_BY_TEXT.get(status.lower())
        if code is None:
            row_errors.append(
                _("%(where)s: okänd status ”%(status)s”. Använd någon av: %(statuses)s.")
                % {"where": where, "status": status, "statuses": ", ".join(STATUS_LABELS.values())}
            )
        if submit.lower() not in YES | NO:
            row_errors.append(
                _("%(where)s: skriv ja eller nej i kolumnen Lämna in.") % {"where": where}
            )
        if row_errors:
            errors.extend(row_errors)
            continue
        rows.append(
            BulkRow(
                row_number=number,
                report_id=int(report_id),
                version=int(version) if version else None,
                status=code,
                assessment=assessment,
                submit=submit.lower() in YES,
            )
        )
    if errors:
        raise BulkUploadError(errors)
    if not rows:
        raise BulkUploadError([_("Filen innehåller inga rapporter.")])
    return rows


# --- A period as a download (the staff and the public export views) -------------------------

EXPORT_TYPES = {
    "pdf": ("application/pdf", "pdf"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "csv": ("text/csv; charset=utf-8", "csv"),
}


def export_response(request: HttpRequest, period: FollowUpPeriod, fmt: str) -> HttpResponse:
    if fmt not in EXPORT_TYPES:
        raise Http404
    content_type, extension = EXPORT_TYPES[fmt]
    if fmt == "pdf":
        data = export_pdf(period, base_url=request.build_absolute_uri("/"))
    elif fmt == "xlsx":
        data = export_xlsx(period)
    else:
        data = export_csv(period)
    response = HttpResponse(data, content_type=content_type)
    filename = f"uppfoljning-{period.year}-{period.kind}-{period.pk}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
