"""Staff pages of the reporting workflow, under /personal/uppfoljning/ (namespace "goals").

Thin views: access checks, forms, a service call, redirect. Object access: a reporter sees only
the reports of their own organisations; a reader sees submitted and approved reports; compilers
and administrators see all. Everything else answers 404.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from insyn.accounts.models import Role
from insyn.accounts.permissions import has_role, role_required, roles_of
from insyn.core.errors import add_to_form
from insyn.core.forms import both_versions
from insyn.goals import exports, selectors, services
from insyn.goals.access import (
    READER_VISIBLE_STATES,
    access_assignment,
    access_goal,
    access_period,
    access_report,
    can_edit_report,
    reporter_organisations,
    sees_whole_report,
)
from insyn.goals.forms import (
    AdditionalAssignmentForm,
    CarryOverForm,
    CompiledForm,
    GoalFollowUpForm,
    PeriodForm,
    ReportForm,
    ReviewForm,
    UploadForm,
)
from insyn.goals.models import (
    FollowUpPeriod,
    GoalFollowUp,
    PeriodState,
    Report,
    ReportState,
    Status,
)

ADMIN = Role.ADMIN
COMPILER = Role.COMPILER
READER = Role.READER
REPORTER = Role.REPORTER
HISTORY_LIMIT = 200


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    roles = roles_of(request.user)
    return {
        "is_admin": ADMIN in roles,
        "is_compiler": bool({ADMIN, COMPILER} & roles),
        "is_reporter": REPORTER in roles,
        "is_reader": READER in roles,
        **extra,
    }


def _period(request: HttpRequest, period_id: int) -> FollowUpPeriod:
    return access_period(request.user, period_id)


def _reporter_orgs(user: Any) -> set[int]:
    return reporter_organisations(user)


def _own_autosave(request: HttpRequest, report: Report, editor: str) -> bool:
    """True when the report's current version was autosaved by this same page (editor token,
    one per page load) of this user: the Save button raced its own autosave."""
    if not editor:
        return False
    latest = report.history.order_by("-history_id").first()
    return bool(
        latest
        and latest.version == report.version
        and latest.history_user_id == request.user.pk
        and latest.history_change_reason == f"autosave:{editor}"
    )


def _save_report(
    request: HttpRequest, fn: Any, report_id: int, data: dict[str, Any], *, autosave: bool = False
) -> Report:
    """Save through the service; a conflict with this page's own autosave is retried on top
    of it, any other conflict (another person, another tab) is raised."""
    editor = data.get("editor") or ""
    data = {k: v for k, v in data.items() if k != "editor"}
    reason = f"autosave:{editor}" if autosave and editor else ""
    try:
        return fn(report_id=report_id, by=request.user, change_reason=reason, **data)
    except services.ReportConflict as exc:
        if not _own_autosave(request, exc.current, editor):
            raise
        return fn(
            report_id=report_id,
            by=request.user,
            change_reason=reason,
            **{**data, "version": exc.current.version},
        )


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


# --- Overview ------


@role_required(COMPILER, READER, REPORTER)
def index(request: HttpRequest) -> HttpResponse:
    periods = list(
        FollowUpPeriod.objects.select_related("plan").order_by("-year", "-month", "-pk")[:50]
    )
    counts = period_counts([p.pk for p in periods])
    for period in periods:
        period.counts = counts.get(period.pk, {"total": 0, "done": 0})
    return render(request, "goals/index.html", _context(request, periods=periods))


@role_required(REPORTER)
def my_reports(request: HttpRequest) -> HttpResponse:
    org_ids = _reporter_orgs(request.user)
    reports = (
        Report.objects.filter(organisation_id__in=org_ids, period__state=PeriodState.OPEN)
        .select_related("period", "organisation", "assignment__goal")
        .order_by(
            "period_id",
            "organisation__name",
            "assignment__goal__order",
            "assignment__order",
            "assignment_id",
        )[:2000]
    )
    periods: dict[int, dict[str, Any]] = {}
    for report in reports:
        entry = periods.setdefault(report.period_id, {"period": report.period, "reports": []})
        entry["reports"].append(report)
    return render(
        request, "goals/my_reports.html", _context(request, periods=list(periods.values()))
    )


# --- Periods ------


@role_required(ADMIN)
@require_http_methods(["GET", "POST"])
def period_create(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            period = services.period_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Perioden är skapad. Öppna den när den ska rapporteras."))
            return redirect("goals:period", period.pk)
    return render(request, "goals/period_form.html", _context(request, form=form))


@role_required(COMPILER, READER)
def period_detail(request: HttpRequest, period_id: int) -> HttpResponse:
    period = _period(request, period_id)
    progress = selectors.completeness(period)
    return render(
        request,
        "goals/period_detail.html",
        _context(
            request,
            period=period,
            progress=progress,
            blockers=selectors.publish_blockers(period)
            if period.state != PeriodState.PUBLISHED
            else [],
            corrections=selectors.corrections_for_period(period),
        ),
    )


@role_required(ADMIN)
@require_POST
def period_open(request: HttpRequest, period_id: int) -> HttpResponse:
    period = _period(request, period_id)
    try:
        created = services.period_open(period=period, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Perioden är öppnad: %(n)s utkast skapades.") % {"n": created})
    return redirect("goals:period", period.pk)


@role_required(COMPILER)
@require_POST
def period_publish(request: HttpRequest, period_id: int) -> HttpResponse:
    period = _period(request, period_id)
    try:
        services.period_publish(period=period, by=request.user)
    except ValidationError as exc:
        messages.error(request, _("Perioden kan inte publiceras ännu. Det här saknas:"))
        for message in exc.messages[:50]:
            messages.error(request, message)
        if len(exc.messages) > 50:
            messages.error(request, _("… och %(n)s till.") % {"n": len(exc.messages) - 50})
    else:
        messages.success(request, _("Perioden är publicerad."))
    return redirect("goals:period", period.pk)


# --- Organisation reports ------


@role_required(REPORTER, COMPILER, READER, write_roles=(REPORTER,))
@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, report_id: int) -> HttpResponse:
    report = access_report(request.user, report_id, write=request.method == "POST")
    can_edit = (
        can_edit_report(request.user, report)
        and report.state in services.EDITABLE_STATES
        and report.period.state == PeriodState.OPEN
    )
    conflict = None
    initial = {
        "status": report.status,
        "assessment": report.assessment,
        "version": report.version,
        "editor": secrets.token_hex(8),
    }
    form = ReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        action = "submit" if "submit" in request.POST else "save"
        fn = services.report_submit if action == "submit" else services.report_save
        try:
            _save_report(request, fn, report.pk, form.cleaned_data)
        except services.ReportConflict as exc:
            conflict = exc.current
            latest = conflict.history.select_related("history_user").first()
            conflict.saved_by = latest.history_user if latest else None
            # Keep the user's text; the next save is based on the other version.
            data = request.POST.copy()
            data["version"] = str(conflict.version)
            form = ReportForm(data, initial=initial)
            form.is_valid()
            form.add_error(
                None,
                _(
                    "Någon annan har sparat rapporten medan du skrev. Din "
                    "text är inte sparad. Jämför med den sparade versionen "
                    "nedan och spara igen."
                ),
            )
            report = access_report(request.user, report_id)
        except ValidationError as exc:
            add_to_form(form, exc)
        else:
            if action == "submit":
                messages.success(request, _("Rapporten är inlämnad. Tack!"))
                return redirect("goals:my_reports")
            messages.success(request, _("Rapporten är sparad."))
            return redirect("goals:report", report.pk)
    previous_qs = Report.objects.filter(
        assignment=report.assignment, organisation=report.organisation
    )
    if not sees_whole_report(request.user, report):
        previous_qs = previous_qs.filter(state__in=READER_VISIBLE_STATES)
    previous = (
        previous_qs.exclude(pk=report.pk)
        .select_related("period")
        .order_by("-period__year", "-period__month")
        .first()
    )
    return render(
        request,
        "goals/report_edit.html",
        _context(
            request,
            report=report,
            form=form,
            can_edit=can_edit,
            conflict=conflict,
            previous=previous,
            can_review=has_role(request.user, COMPILER)
            and report.state == ReportState.SUBMITTED
            and not report.period.is_published,
            review_form=ReviewForm(),
        ),
    )


@role_required(REPORTER, write_roles=(REPORTER,))
@require_POST
def report_autosave(request: HttpRequest, report_id: int) -> HttpResponse:
    """htmx autosave: answers a small status fragment (and the new version, out of band)."""
    report = access_report(request.user, report_id, write=True)
    form = ReportForm(request.POST)
    context: dict[str, Any] = {"report": report}
    status = 200
    if not form.is_valid():
        context["error"] = _("Kunde inte spara automatiskt: kontrollera fälten.")
        status = 400
    else:
        try:
            saved = _save_report(
                request, services.report_save, report.pk, form.cleaned_data, autosave=True
            )
        except services.ReportConflict as exc:
            context["conflict"] = exc.current
            status = 409
        except ValidationError as exc:
            context["error"] = " ".join(exc.messages)
            status = 400
        else:
            context["saved"] = saved
    response = render(request, "goals/partials/autosave_status.html", context, status=status)
    if status != 200 and request.htmx:
        # htmx swaps only 2xx answers by default; the message must still be shown.
        response.status_code = 200
    return response


@role_required(COMPILER)
@require_POST
def report_review(request: HttpRequest, report_id: int) -> HttpResponse:
    report = access_report(request.user, report_id)
    form = ReviewForm(request.POST)
    default = reverse("goals:report", args=[report.pk])
    if not form.is_valid():
        messages.error(request, _("Välj om rapporten ska godkännas eller återsändas."))
        return redirect(_safe_next(request, default))
    try:
        if form.cleaned_data["action"] == "return":
            services.report_return(
                report=report, comment=form.cleaned_data["comment"], by=request.user
            )
            messages.success(
                request, _("Rapporten är återsänd till %(org)s.") % {"org": report.organisation}
            )
        else:
            services.report_approve(report=report, by=request.user)
            messages.success(
                request, _("Rapporten från %(org)s är godkänd.") % {"org": report.organisation}
            )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect(_safe_next(request, default))


def _history_entries(records: list[Any], fields: list[str]) -> list[dict[str, Any]]:
    """Each historical record with its differences from the one before (oldest last)."""
    entries = []
    for index, record in enumerate(records):
        older = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if older is not None:
            delta = record.diff_against(older, included_fields=fields)
            for change in delta.changes:
                field = record.instance_type._meta.get_field(change.field)
                display = dict(field.choices or [])
                changes.append(
                    {
                        "label": str(field.verbose_name).capitalize(),
                        "old": display.get(change.old, change.old),
                        "new": display.get(change.new, change.new),
                    }
                )
        entries.append(
            {"record": record, "changes": changes, "created": record.history_type == "+"}
        )
    return entries


@role_required(REPORTER, COMPILER, READER)
def report_history(request: HttpRequest, report_id: int) -> HttpResponse:
    report = access_report(request.user, report_id)
    whole = sees_whole_report(request.user, report)
    records = selectors.report_history(report, whole=whole, limit=HISTORY_LIMIT)
    fields = ["status", "assessment", "state"] + (["return_comment"] if whole else [])
    entries = _history_entries(records, fields)
    return render(
        request,
        "goals/history.html",
        _context(
            request,
            object=report,
            entries=entries,
            back=reverse("goals:report", args=[report.pk]),
            heading=_("Historik: %(r)s") % {"r": report},
        ),
    )


@role_required(COMPILER, READER)
def assignment_history(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = access_assignment(request.user, assignment_id)
    records = list(
        assignment.history.select_related("history_user").order_by("-history_date", "-history_id")[
            :HISTORY_LIMIT
        ]
    )
    entries = _history_entries(
        records,
        [
            "number",
            "kind",
            "title",
            "description",
            "origin_year",
            "origin_number",
            "decision_case_number",
            "decision_paragraph",
            "decision_body",
            "decision_date",
        ],
    )
    compiled = list(
        Report.objects.filter(assignment=assignment, organisation__isnull=True).select_related(
            "period"
        )
    )
    compiled_records = list(
        Report.history.filter(assignment_id=assignment.pk, organisation_id__isnull=True)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:HISTORY_LIMIT]
    )
    return render(
        request,
        "goals/assignment_history.html",
        _context(
            request,
            assignment=assignment,
            entries=entries,
            compiled_entries=_history_entries(compiled_records, ["status", "assessment"]),
            compiled=compiled,
            lineage=selectors.assignment_lineage(assignment),
            corrections=selectors.corrections_for_assignment(assignment),
        ),
    )


# --- Compiling ------


@role_required(COMPILER, READER)
def compile_overview(request: HttpRequest, period_id: int) -> HttpResponse:
    period = _period(request, period_id)
    return render(
        request,
        "goals/compile_overview.html",
        _context(request, period=period, goals=selectors.compile_overview(period)),
    )


@role_required(COMPILER, READER, write_roles=(COMPILER,))
@require_http_methods(["GET", "POST"])
def compile_assignment(request: HttpRequest, period_id: int, assignment_id: int) -> HttpResponse:
    period = _period(request, period_id)
    assignment = access_assignment(request.user, assignment_id, period=period)
    compiled = Report.objects.filter(
        period=period, assignment=assignment, organisation__isnull=True
    ).first()
    initial = {
        "status": compiled.status if compiled else Status.UNKNOWN,
        "assessment": compiled.assessment if compiled else "",
        "version": compiled.version if compiled else None,
    }
    form = CompiledForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.compiled_save(
                period=period, assignment=assignment, by=request.user, **form.cleaned_data
            )
        except services.ReportConflict as exc:
            conflict = exc.current
            form.add_error(
                None,
                _(
                    "Någon annan har sparat den sammanställda bedömningen medan "
                    "du skrev. Jämför och spara igen."
                ),
            )
            data = request.POST.copy()
            data["version"] = str(conflict.version)
            form.data = data
        except ValidationError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Den sammanställda bedömningen är sparad."))
            return redirect("goals:compile_assignment", period.pk, assignment.pk)
    reports = selectors.reports_for_compiling(period, assignment)
    if not has_role(request.user, COMPILER):
        reports = [r for r in reports if r.state in READER_VISIBLE_STATES]
    return render(
        request,
        "goals/compile_assignment.html",
        _context(
            request,
            period=period,
            assignment=assignment,
            form=form,
            reports=reports,
            compiled=compiled,
            conflict=conflict,
            review_form=ReviewForm(),
            can_write=has_role(request.user, COMPILER),
        ),
    )


@role_required(COMPILER, READER, write_roles=(COMPILER,))
@require_http_methods(["GET", "POST"])
def compile_goal(request: HttpRequest, period_id: int, goal_id: int) -> HttpResponse:
    period = _period(request, period_id)
    goal = access_goal(request.user, goal_id, period=period)
    follow_up = GoalFollowUp.objects.filter(goal=goal, period=period).first()

    def saved(f: GoalFollowUp | None) -> dict[str, Any]:
        return {
            "status": f.status if f else "",
            "assessment": f.assessment if f else "",
            "version": f.version if f else 0,
        }

    form = GoalFollowUpForm(request.POST or None, initial=saved(follow_up))
    versions = None
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_follow_up_save(
                period=period, goal=goal, by=request.user, **form.cleaned_data
            )
        except services.GoalFollowUpChanged as exc:
            # Both versions side by side; the form keeps this person's, based on the new one.
            versions = both_versions(form, saved(exc.current))
            data = request.POST.copy()
            data["version"] = str(exc.current.version)
            form = GoalFollowUpForm(data)
            form.is_valid()
            add_to_form(form, exc)
        except ValidationError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Målets uppföljning är sparad."))
            return redirect("goals:compile_overview", period.pk)
    return render(
        request,
        "goals/compile_goal.html",
        _context(
            request,
            period=period,
            goal=goal,
            form=form,
            follow_up=follow_up,
            versions=versions,
            summary=selectors.goal_summary(goal, period),
            can_write=has_role(request.user, COMPILER),
        ),
        status=400 if request.method == "POST" else 200,
    )


# --- Exports and bulk reporting ------


@role_required(COMPILER, READER)
def period_export(request: HttpRequest, period_id: int, fmt: str) -> HttpResponse:
    """Staff exports, also of unpublished periods (a preview for the executive board)."""
    return exports.export_response(request, _period(request, period_id), fmt)


@role_required(REPORTER)
def bulk_template(request: HttpRequest, period_id: int) -> HttpResponse:
    period = _period(request, period_id)
    if period.state != PeriodState.OPEN:
        raise Http404
    data = exports.bulk_template(period, _reporter_orgs(request.user))
    response = HttpResponse(data, content_type=exports.EXPORT_TYPES["xlsx"][0])
    response["Content-Disposition"] = (
        f'attachment; filename="rapportmall-{period.year}-{period.kind}.xlsx"'
    )
    return response


@role_required(REPORTER)
@require_http_methods(["GET", "POST"])
def bulk_upload(request: HttpRequest, period_id: int) -> HttpResponse:
    period = _period(request, period_id)
    if period.state != PeriodState.OPEN:
        raise Http404
    form = UploadForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > exports.MAX_UPLOAD_BYTES:
                raise services.BulkUploadError([_("Filen är för stor (högst 5 MB).")])
            rows = exports.parse_bulk_upload(upload.read())
            count = services.bulk_report(
                period=period,
                rows=rows,
                by=request.user,
                organisation_ids=_reporter_orgs(request.user),
            )
        except services.BulkUploadError as exc:
            errors = exc.errors
        else:
            if count == 0:
                messages.info(request, _("Filen ändrade ingen rapport."))
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(n)s rapport är ändrad från filen.",
                        "%(n)s rapporter är ändrade från filen.",
                        count,
                    )
                    % {"n": count},
                )
            return redirect("goals:my_reports")
    return render(
        request,
        "goals/bulk_upload.html",
        _context(request, period=period, form=form, errors=errors),
        status=400 if errors else 200,
    )


# --- Plans: carry-over and additional assignments ----------------------------------------------


@role_required(ADMIN)
@require_http_methods(["GET", "POST"])
def carry_over(request: HttpRequest) -> HttpResponse:
    form = CarryOverForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = services.carry_over(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_to_form(form, exc)
        else:
            messages.success(
                request, _("%(n)s kvarvarande uppdrag fördes över.") % {"n": len(created)}
            )
    return render(request, "goals/carry_over.html", _context(request, form=form, created=created))


@role_required(ADMIN)
@require_http_methods(["GET", "POST"])
def assignment_additional(request: HttpRequest) -> HttpResponse:
    form = AdditionalAssignmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assignment = services.assignment_add_additional(
                goal=data["goal"],
                title=data["title"],
                description=data["description"],
                case_number=data["case_number"],
                paragraph=data["paragraph"],
                body=data["body"],
                decision_date=data["decision_date"],
                responsible=data["responsible"],
                responsible_groups=data["responsible_groups"],
                by=request.user,
            )
        except ValidationError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Det tillkommande uppdraget är tillagt."))
            return redirect("goals:assignment_history", assignment.pk)
    return render(request, "goals/assignment_form.html", _context(request, form=form))


def period_counts(period_ids: list[int]) -> dict[int, dict[str, int]]:
    rows = (
        Report.objects.filter(period_id__in=period_ids, organisation__isnull=False)
        .values("period_id")
        .annotate(total=Count("id"), done=Count("id", filter=Q(state__in=READER_VISIBLE_STATES)))
    )
    return {row["period_id"]: row for row in rows}
