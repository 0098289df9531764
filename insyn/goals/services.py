"""The reporting workflow: every state change of periods, reports, compiled follow-up,
corrections, carry-over and additional assignments. Views, commands and the bulk upload call
these functions; nothing else writes these tables.

Lifecycle of a FollowUpPeriod:

    planned --period_open--> open --period_publish--> published (frozen; corrections only)

Lifecycle of an organisation's Report (organisation set):

    draft --report_submit--> submitted --report_approve--> approved
                                 \\--report_return--> returned --report_submit--> submitted

Drafts are saved with optimistic concurrency: the form carries the version it was based on, and
the save is a conditional `UPDATE ... WHERE version = n`; if no row matched, ReportConflict is
raised carrying the other person's version, and nothing is overwritten.

Reads (completeness, compiling, corrections, lineage, publish blockers) are in selectors.py.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from insyn.core.errors import ServiceError, StaleEdit
from insyn.goals import following, indexing, notifications
from insyn.goals.models import (
    Assignment,
    AssignmentKind,
    Correction,
    FollowUpPeriod,
    Goal,
    GoalFollowUp,
    GoalSection,
    GoalStatus,
    PeriodKind,
    PeriodState,
    Plan,
    PrefillSource,
    Report,
    ReportState,
    Status,
)
from insyn.goals.selectors import publish_blockers, responsible_for_year
from insyn.organisations.models import Organisation

logger = logging.getLogger(__name__)

EDITABLE_STATES = (ReportState.DRAFT, ReportState.RETURNED)
DONE_STATES = (ReportState.SUBMITTED, ReportState.APPROVED)
FINISHED_STATUSES = (Status.COMPLETED, Status.NOT_DONE)
KIND_MONTH: dict[str, int] = {PeriodKind.APRIL: 4, PeriodKind.AUGUST: 8, PeriodKind.ANNUAL: 12}
MONTH_NAMES = [
    "",
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
]
CASE_NUMBER_RE = re.compile(r"^[A-ZÅÄÖ]{2,6}-\d{4}-\d{1,6}$")
PARAGRAPH_RE = re.compile(r"^§\s?\d{1,4}$")


class ReportConflict(Exception):
    """Someone else saved the report since the form was loaded; `current` is their version."""

    def __init__(self, current: Report) -> None:
        super().__init__(_("Rapporten har ändrats av någon annan."))
        self.current = current


def _today() -> dt.date:
    return timezone.localdate()


def _as_history_user(obj: Any, by: Any) -> Any:
    if by is not None and getattr(by, "is_authenticated", False):
        obj._history_user = by
    return obj


# --- Periods ------------------------------------------------------------------------------------


@transaction.atomic
def period_create(
    *,
    plan: Plan,
    kind: str,
    deadline: dt.date,
    by: Any,
    label: str = "",
    month: int | None = None,
    year: int | None = None,
) -> FollowUpPeriod:
    """A planned period; a deadline in the past is refused."""
    errors: dict[str, str] = {}
    if kind not in PeriodKind.values:
        errors["kind"] = _("Välj vilken sorts uppföljning det är.")
    if deadline is None:
        errors["deadline"] = _("Ange sista dag för rapportering.")
    elif deadline < _today():
        errors["deadline"] = _(
            "Sista dag för rapportering (%(date)s) har redan passerat. "
            "Välj ett datum från och med i dag."
        ) % {"date": f"{deadline:%Y-%m-%d}"}
    label = (label or (PeriodKind(kind).label if kind in PeriodKind.values else "")).strip()
    if not errors and FollowUpPeriod.objects.filter(plan=plan, kind=kind, label=label).exists():
        errors["label"] = _("Planen har redan en period som heter ”%(label)s”.") % {"label": label}
    if errors:
        raise ServiceError(errors)
    period = FollowUpPeriod(
        plan=plan,
        year=year or plan.year,
        kind=kind,
        label=label,
        month=month or KIND_MONTH.get(kind),
        deadline=deadline,
        state=PeriodState.PLANNED,
    )
    _as_history_user(period, by).save()
    return period


def _assignments_for_reporting(plan: Plan, *, ids: Iterable[int] | None = None) -> list[Assignment]:
    qs = (
        Assignment.objects.filter(goal__plan=plan)
        .select_related("goal")
        .prefetch_related("responsible_organisations", "responsible_groups")
    )
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return list(qs)


@dataclass(frozen=True)
class Prefill:
    """A new draft's starting point: status, text, and where they came from."""

    status: str
    assessment: str
    source: str
    period_id: int | None


def _latest_before(
    rows: Iterable[tuple[Any, ...]], current_key: tuple[int, int]
) -> dict[Any, tuple[tuple[int, int], str, str, int]]:
    """key → (period sort key, status, assessment, period id) of the latest row before the
    current period. Rows are (key, status, assessment, year, month, period id)."""
    latest: dict[Any, tuple[tuple[int, int], str, str, int]] = {}
    for key, status, assessment, year, month, period_id in rows:
        sort_key = (year, month or 13)
        if sort_key >= current_key:
            continue
        found = latest.get(key)
        if found is None or found[0] < sort_key:
            latest[key] = (sort_key, status, assessment, period_id)
    return latest


@dataclass
class PreviousTexts:
    own: dict[tuple[int, int], Prefill]  # (assignment id, organisation id) → own last report
    compiled: dict[int, Prefill]  # assignment id → last published compiled assessment

    def for_draft(self, assignment_id: int, organisation_id: int) -> Prefill:
        return (
            self.own.get((assignment_id, organisation_id))
            or self.compiled.get(assignment_id)
            or Prefill(Status.UNKNOWN, "", PrefillSource.NONE, None)
        )


def _previous_reports(period: FollowUpPeriod, assignments: Sequence[Assignment]) -> PreviousTexts:
    """(assignment id, organisation id) → where that organisation's new draft starts: its own
    latest earlier report on the assignment (or on the assignment it was carried over from);
    else the compiled assessment of the latest earlier *published* period for the assignment
    (or its origin). Two queries."""
    source_of = {a.pk: a.carried_over_from_id or a.pk for a in assignments}
    lookup_ids = set(source_of) | set(source_of.values())
    current_key = period.sort_key
    own_rows = (
        Report.objects.filter(assignment_id__in=lookup_ids, organisation__isnull=False)
        .exclude(period=period)
        .values_list(
            "assignment_id",
            "organisation_id",
            "status",
            "assessment",
            "period__year",
            "period__month",
            "period_id",
        )
    )
    own = _latest_before(
        (((a, o), st, text, y, m, p) for a, o, st, text, y, m, p in own_rows.iterator(2000)),
        current_key,
    )
    compiled_rows = (
        Report.objects.compiled_published()
        .filter(assignment_id__in=lookup_ids)
        .exclude(assessment="")
        .values_list(
            "assignment_id", "status", "assessment", "period__year", "period__month", "period_id"
        )
    )
    compiled = _latest_before(compiled_rows.iterator(2000), current_key)
    result: dict[tuple[int, int], Prefill] = {}
    for (assignment_id, org_id), (_key, status, text, period_id) in own.items():
        result[(assignment_id, org_id)] = Prefill(status, text, PrefillSource.OWN, period_id)
    # An assignment's own earlier reports win over those of the one it was carried from.
    for assignment in assignments:
        origin = assignment.carried_over_from_id
        if not origin:
            continue
        for (assignment_id, org_id), value in list(result.items()):
            if assignment_id == origin:
                result.setdefault((assignment.pk, org_id), value)
    compiled_for: dict[int, Prefill] = {}
    for assignment in assignments:
        found = compiled.get(assignment.pk) or compiled.get(source_of[assignment.pk])
        if found:
            _key, status, text, period_id = found
            compiled_for[assignment.pk] = Prefill(status, text, PrefillSource.COMPILED, period_id)
    return PreviousTexts(own=result, compiled=compiled_for)


def assessment_label(period: FollowUpPeriod) -> str:
    if period.month:
        return f"Rapportering {MONTH_NAMES[period.month]} {period.year}"
    return f"{period.label} {period.year}"


def _create_drafts(period: FollowUpPeriod, assignments: Sequence[Assignment], by: Any) -> int:
    responsible = responsible_for_year(assignments, period.year)
    previous = _previous_reports(period, assignments)
    existing = set(
        Report.objects.filter(
            period=period, organisation__isnull=False, assignment__in=[a.pk for a in assignments]
        ).values_list("assignment_id", "organisation_id")
    )
    label = assessment_label(period)
    drafts = []
    for assignment in assignments:
        for org in responsible[assignment.pk]:
            if (assignment.pk, org.pk) in existing:
                continue
            prefill = previous.for_draft(assignment.pk, org.pk)
            drafts.append(
                Report(
                    assignment=assignment,
                    period=period,
                    organisation=org,
                    status=prefill.status,
                    assessment=prefill.assessment,
                    prefill_source=prefill.source,
                    prefill_period_id=prefill.period_id,
                    assessment_label=label,
                    state=ReportState.DRAFT,
                )
            )
    user = by if getattr(by, "is_authenticated", False) else None
    bulk_create_with_history(drafts, Report, batch_size=500, default_user=user)
    return len(drafts)


@transaction.atomic
def drafts_prefill_untouched(*, period: FollowUpPeriod, by: Any) -> int:
    """Pre-fill the drafts of an open period that nobody has touched yet (first version, empty,
    no source) as period_open would today: for periods opened before drafts were pre-filled
    from the compiled assessment. Returns the number of drafts filled."""
    if period.state != PeriodState.OPEN:
        return 0
    drafts = list(
        Report.objects.select_for_update()
        .filter(
            period=period,
            organisation__isnull=False,
            state=ReportState.DRAFT,
            version=1,
            assessment="",
            status=Status.UNKNOWN,
            prefill_source=PrefillSource.NONE,
        )
        .select_related("assignment")
    )
    previous = _previous_reports(
        period, list({r.assignment_id: r.assignment for r in drafts}.values())
    )
    filled = []
    for report in drafts:
        prefill = previous.for_draft(report.assignment_id, report.organisation_id)  # type: ignore[arg-type]
        if prefill.source == PrefillSource.NONE:
            continue
        report.status, report.assessment = prefill.status, prefill.assessment
        report.prefill_source, report.prefill_period_id = prefill.source, prefill.period_id
        filled.append(report)
    user = by if getattr(by, "is_authenticated", False) else None
    bulk_update_with_history(
        filled,
        Report,
        ["status", "assessment", "prefill_source", "prefill_period"],
        batch_size=500,
        default_user=user,
    )
    return len(filled)


@transaction.atomic
def period_open(*, period: FollowUpPeriod, by: Any) -> int:
    """Open for reporting: one draft per assignment × responsible organisation, pre-filled from
    the organisation's previous report. Returns the number of drafts created."""
    given = period
    period = FollowUpPeriod.objects.select_for_update().get(pk=period.pk)
    if period.state != PeriodState.PLANNED:
        raise ServiceError(
            _("Perioden är redan %(state)s.") % {"state": period.get_state_display().lower()}
        )
    if period.deadline and period.deadline < _today():
        raise ServiceError(
            _("Sista dag för rapportering har passerat. Ändra datumet innan perioden öppnas.")
        )
    created = _create_drafts(period, _assignments_for_reporting(period.plan), by)
    period.state = PeriodState.OPEN
    period.opened_at = timezone.now()
    _as_history_user(period, by).save(update_fields=["state", "opened_at"])
    given.state, given.opened_at = period.state, period.opened_at
    notifications.period_opened(period)
    return created


@transaction.atomic
def period_update_deadline(*, period: FollowUpPeriod, deadline: dt.date, by: Any) -> FollowUpPeriod:
    if period.is_published:
        raise ServiceError(_("En publicerad period kan inte ändras."))
    if deadline < _today():
        raise ServiceError({"deadline": _("Sista dag för rapportering har redan passerat.")})
    period.deadline = deadline
    _as_history_user(period, by).save(update_fields=["deadline"])
    return period


# --- Organisation reports -----------------------------------------------------------------------


def _check_editable(report: Report) -> None:
    if report.period.state != PeriodState.OPEN:
        raise ServiceError(_("Perioden är inte öppen för rapportering."))
    if report.state not in EDITABLE_STATES:
        raise ServiceError(_("Rapporten är redan inlämnad och kan inte ändras."))


def _check_status(status: str) -> None:
    if status not in Status.values:
        raise ServiceError({"status": _("Ogiltig status. Välj en status i listan.")})


@transaction.atomic
def report_save(
    *, report_id: int, version: int, status: str, assessment: str, by: Any, change_reason: str = ""
) -> Report:
    """Save a draft (or a returned report) based on `version`; ReportConflict if it changed.
    `change_reason` is kept in the history record (e.g. "autosave:<editor token>")."""
    _check_status(status)
    report = Report.objects.select_related("period", "assignment").get(pk=report_id)
    if report.organisation_id is None:
        raise ServiceError(_("Den sammanställda rapporten skrivs på sammanställningssidan."))
    _check_editable(report)
    updated = Report.objects.filter(
        pk=report_id, version=version, state__in=EDITABLE_STATES
    ).update(version=F("version") + 1)
    if not updated:
        report.refresh_from_db()
        raise ReportConflict(report)
    report.refresh_from_db(fields=["version"])
    report.status = status
    report.assessment = assessment.strip()
    if change_reason:
        report._change_reason = change_reason[:100]  # type: ignore[attr-defined]
    _as_history_user(report, by).save(update_fields=["status", "assessment", "updated_at"])
    return report


@transaction.atomic
def report_submit(
    *, report_id: int, version: int, status: str, assessment: str, by: Any, change_reason: str = ""
) -> Report:
    """Save and submit; an empty assessment or a missing status is refused."""
    errors = {}
    if not assessment.strip():
        errors["assessment"] = _("Skriv en bedömning innan du lämnar in rapporten.")
    if status == Status.UNKNOWN:
        errors["status"] = _("Välj en status innan du lämnar in rapporten.")
    if errors:
        raise ServiceError(errors)
    report = report_save(
        report_id=report_id,
        version=version,
        status=status,
        assessment=assessment,
        by=by,
        change_reason=change_reason,
    )
    report.state = ReportState.SUBMITTED
    report.submitted_at = timezone.now()
    report.submitted_by = by if getattr(by, "is_authenticated", False) else None
    _as_history_user(report, by).save(
        update_fields=["state", "submitted_at", "submitted_by", "updated_at"]
    )
    return report


def _lock_submitted(report: Report) -> Report:
    # of=("self",): PostgreSQL cannot lock the nullable side of the organisation join.
    report = (
        Report.objects.select_for_update(of=("self",))
        .select_related("period", "assignment", "organisation")
        .get(pk=report.pk)
    )
    if report.state != ReportState.SUBMITTED:
        raise ServiceError(_("Bara inlämnade rapporter kan återsändas eller godkännas."))
    if report.period.is_published:
        raise ServiceError(_("Perioden är publicerad."))
    return report


@transaction.atomic
def report_return(*, report: Report, comment: str, by: Any) -> Report:
    """Send a submitted report back to the organisation with a comment (emailed to them)."""
    if not comment.strip():
        raise ServiceError({"comment": _("Skriv vad som behöver kompletteras.")})
    report = _lock_submitted(report)
    report.state = ReportState.RETURNED
    report.return_comment = comment.strip()
    report.version += 1
    _as_history_user(report, by).save(
        update_fields=["state", "return_comment", "version", "updated_at"]
    )
    notifications.report_returned(report)
    return report


@transaction.atomic
def report_approve(*, report: Report, by: Any) -> Report:
    report = _lock_submitted(report)
    report.state = ReportState.APPROVED
    report.version += 1
    _as_history_user(report, by).save(update_fields=["state", "version", "updated_at"])
    return report


# --- Compiled follow-up, publishing and corrections --------------------------------------------


def _check_compilable(period: FollowUpPeriod, note: str) -> None:
    if period.state == PeriodState.PLANNED:
        raise ServiceError(_("Perioden har inte öppnats."))
    if period.is_published and not note.strip():
        raise ServiceError(
            {
                "note": _(
                    "Perioden är publicerad. Beskriv vad som ändras och "
                    "varför – rättelsen visas för alla."
                )
            }
        )


def _record_correction(
    *,
    period: FollowUpPeriod,
    changes: list[dict[str, str]],
    note: str,
    by: Any,
    assignment: Assignment | None = None,
    goal: Goal | None = None,
) -> Correction:
    FollowUpPeriod.objects.select_for_update().filter(pk=period.pk).first()
    last = Correction.objects.filter(period=period).aggregate(v=Max("version"))["v"] or 1
    correction = Correction(
        period=period,
        assignment=assignment,
        goal=goal,
        version=last + 1,
        note=note.strip(),
        changes=changes,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    _as_history_user(correction, by).save()
    _index(period)
    following.correction_published(correction)
    return correction


def _changes(obj: Any, new: dict[str, str]) -> list[dict[str, str]]:
    changes = []
    for name, value in new.items():
        before = getattr(obj, name)
        if before != value:
            model_field = obj._meta.get_field(name)
            display = dict(model_field.choices or [])
            changes.append(
                {
                    "field": name,
                    "label": str(model_field.verbose_name).capitalize(),
                    "before": str(display.get(before, before)),
                    "after": str(display.get(value, value)),
                }
            )
    return changes


@transaction.atomic
def compiled_save(
    *,
    period: FollowUpPeriod,
    assignment: Assignment,
    status: str,
    assessment: str,
    by: Any,
    note: str = "",
    version: int | None = None,
) -> Report:
    """The executive board's compiled assessment and status for one assignment. After
    publishing, a change needs a note and becomes a visible Correction."""
    _check_status(status)
    _check_compilable(period, note)
    if assignment.goal.plan_id != period.plan_id:
        raise ServiceError(_("Uppdraget hör inte till periodens plan."))
    report, created = Report.objects.get_or_create(
        assignment=assignment,
        period=period,
        organisation=None,
        defaults={"state": ReportState.APPROVED, "assessment_label": assessment_label(period)},
    )
    if version is not None and not created:
        updated = Report.objects.filter(pk=report.pk, version=version).update(
            version=F("version") + 1
        )
        if not updated:
            report.refresh_from_db()
            raise ReportConflict(report)
        report.refresh_from_db(fields=["version"])
    new = {"status": status, "assessment": assessment.strip()}
    changes = _changes(report, new)
    if not changes and not created:
        return report
    for name, value in new.items():
        setattr(report, name, value)
    _as_history_user(report, by).save()
    if period.is_published and changes:
        _record_correction(period=period, assignment=assignment, changes=changes, note=note, by=by)
    return report


class GoalFollowUpChanged(StaleEdit):
    """Someone else saved the goal's follow-up after the page was loaded; nothing was written.
    `current` is their version."""

    current: GoalFollowUp
    sentence = gettext_lazy(
        "Någon annan har sparat målets bedömning sedan du öppnade sidan. Din bedömning "
        "är inte sparad. Jämför med den sparade och spara igen om din ska gälla."
    )


@transaction.atomic
def goal_follow_up_save(
    *,
    period: FollowUpPeriod,
    goal: Goal,
    status: str,
    assessment: str,
    by: Any,
    note: str = "",
    version: int | None = None,
) -> GoalFollowUp:
    """The goal's status and assessment; the summary sentence is computed (goal_summary).
    `version`: the follow-up's version when the page was loaded (0: none was saved);
    GoalFollowUpChanged if someone else has saved it since."""
    if status not in GoalStatus.values:
        raise ServiceError({"status": _("Välj målets status: grön, gul eller röd.")})
    _check_compilable(period, note)
    if goal.plan_id != period.plan_id:
        raise ServiceError(_("Målet hör inte till periodens plan."))
    follow_up, created = GoalFollowUp.objects.select_for_update().get_or_create(
        goal=goal, period=period
    )
    if version is not None and (0 if created else follow_up.version) != version:
        raise GoalFollowUpChanged(follow_up)  # the transaction drops a row created just now
    new = {"status": status, "assessment": assessment.strip()}
    changes = _changes(follow_up, new)
    if not changes and not created:
        return follow_up
    for name, value in new.items():
        setattr(follow_up, name, value)
    follow_up.version += 1
    _as_history_user(follow_up, by).save()
    if period.is_published and changes:
        _record_correction(period=period, goal=goal, changes=changes, note=note, by=by)
    return follow_up


def _index(period: FollowUpPeriod) -> None:
    indexing.index_period(period)


@transaction.atomic
def period_publish(*, period: FollowUpPeriod, by: Any) -> FollowUpPeriod:
    """Freeze the period and make it public; refused with the list of what is missing."""
    given = period
    period = FollowUpPeriod.objects.select_for_update().get(pk=period.pk)
    if period.is_published:
        raise ServiceError(_("Perioden är redan publicerad."))
    if period.state == PeriodState.PLANNED:
        raise ServiceError(_("Perioden har inte öppnats."))
    problems = publish_blockers(period)
    if problems:
        raise ServiceError(problems)
    period.state = PeriodState.PUBLISHED
    period.published_at = timezone.now()
    period.published_on = timezone.localdate(period.published_at)
    _as_history_user(period, by).save(update_fields=["state", "published_at", "published_on"])
    given.state, given.published_at = period.state, period.published_at
    given.published_on = period.published_on
    _index(period)
    notifications.period_published(period)
    following.period_published(period)
    return period


# --- Carry-over, additional assignments, lineage -------------------------------------------------


def _copy_goal(goal: Goal, to_plan: Plan, by: Any) -> Goal:
    existing = Goal.objects.filter(plan=to_plan, number=goal.number).first()
    if existing:
        return existing
    new = Goal(
        plan=to_plan,
        number=goal.number,
        kind=goal.kind,
        title=goal.title,
        short_title=goal.short_title,
        order=goal.order,
    )
    _as_history_user(new, by).save()
    for section in goal.sections.all():
        _as_history_user(
            GoalSection(goal=new, order=section.order, heading=section.heading, body=section.body),
            by,
        ).save()
    return new


@transaction.atomic
def carry_over(*, from_period: FollowUpPeriod, to_plan: Plan, by: Any) -> list[Assignment]:
    """Carry the unfinished assignments (compiled status not completed or not_done in the
    period, which must be published) into the next plan as "Kvarvarande från <år> uppdrag <nr>",
    under the goal with the same number (created from the old goal if missing). Idempotent."""
    if not from_period.is_published:
        raise ServiceError(_("Välj en publicerad period att föra över från."))
    if to_plan.year <= from_period.plan.year:
        raise ServiceError(_("Uppdrag kan bara föras över till en senare plan."))
    statuses = dict(
        Report.objects.filter(period=from_period, organisation__isnull=True).values_list(
            "assignment_id", "status"
        )
    )
    already = set(
        Assignment.objects.filter(goal__plan=to_plan, carried_over_from__isnull=False).values_list(
            "carried_over_from_id", flat=True
        )
    )
    sources = (
        Assignment.objects.filter(goal__plan=from_period.plan)
        .exclude(kind=AssignmentKind.BOARD_GOAL)
        .select_related("goal")
        .prefetch_related(
            "responsible_organisations",
            "responsible_groups",
            "affected_organisations",
            "affected_groups",
            "goal__sections",
        )
    )
    created = []
    for source in sources:
        if statuses.get(source.pk, Status.UNKNOWN) in FINISHED_STATUSES or source.pk in already:
            continue
        goal = _copy_goal(source.goal, to_plan, by)
        if source.kind == AssignmentKind.REMAINING and source.origin_year:
            origin_year, origin_number = source.origin_year, source.origin_number
        else:
            origin_year, origin_number = from_period.plan.year, source.number
        assignment = Assignment(
            goal=goal,
            kind=AssignmentKind.REMAINING,
            number="",
            title=source.title,
            description=source.description,
            order=source.order,
            origin_year=origin_year,
            origin_number=origin_number,
            carried_over_from=source,
        )
        _as_history_user(assignment, by).save()
        assignment.responsible_organisations.set(source.responsible_organisations.all())
        assignment.responsible_groups.set(source.responsible_groups.all())
        assignment.affected_organisations.set(source.affected_organisations.all())
        assignment.affected_groups.set(source.affected_groups.all())
        created.append(assignment)
    _drafts_for_open_periods(to_plan, created, by)
    return created


def _drafts_for_open_periods(plan: Plan, assignments: Sequence[Assignment], by: Any) -> None:
    if not assignments:
        return
    for period in FollowUpPeriod.objects.filter(plan=plan, state=PeriodState.OPEN):
        _create_drafts(
            period, _assignments_for_reporting(plan, ids=[a.pk for a in assignments]), by
        )


@transaction.atomic
def assignment_add_additional(
    *,
    goal: Goal,
    title: str,
    description: str,
    case_number: str,
    paragraph: str,
    body: str,
    decision_date: dt.date | None,
    by: Any,
    responsible: Iterable[Organisation] = (),
    responsible_groups: Iterable[Any] = (),
    affected: Iterable[Organisation] = (),
) -> Assignment:
    """An assignment given by a later council decision (tillkommande uppdrag). If the plan has
    an open period, its responsible organisations get drafts at once."""
    errors: dict[str, str] = {}
    case_number = case_number.strip().upper()
    paragraph = paragraph.strip()
    if paragraph and not paragraph.startswith("§"):
        paragraph = f"§{paragraph}"
    responsible = list(responsible)
    responsible_groups = list(responsible_groups)
    if not title.strip():
        errors["title"] = _("Skriv uppdragets titel.")
    if not CASE_NUMBER_RE.match(case_number):
        errors["case_number"] = _("Diarienumret ska se ut som KSN-2019-03835.")
    if not PARAGRAPH_RE.match(paragraph):
        errors["paragraph"] = _("Paragrafen ska se ut som §379.")
    if not body.strip():
        errors["body"] = _(
            "Ange vilket organ som fattade beslutet, till exempel Kommunfullmäktige."
        )
    if decision_date is None:
        errors["decision_date"] = _("Ange beslutsdatum.")
    elif decision_date > _today():
        errors["decision_date"] = _("Beslutsdatumet kan inte ligga i framtiden.")
    if not responsible and not responsible_groups:
        errors["responsible"] = _("Välj minst en ansvarig organisation.")
    if errors:
        raise ServiceError(errors)
    order = (Assignment.objects.filter(goal=goal).aggregate(m=Max("order"))["m"] or 0) + 1
    assignment = Assignment(
        goal=goal,
        kind=AssignmentKind.ADDITIONAL,
        title=title.strip(),
        description=description.strip(),
        order=order,
        decision_case_number=case_number,
        decision_paragraph=paragraph,
        decision_body=body.strip(),
        decision_date=decision_date,
    )
    _as_history_user(assignment, by).save()
    assignment.responsible_organisations.set(responsible)
    assignment.responsible_groups.set(responsible_groups)
    assignment.affected_organisations.set(list(affected))
    _drafts_for_open_periods(goal.plan, [assignment], by)
    return assignment


# --- Bulk reporting (XLSX upload) --------------------------------------------------------------


@dataclass
class BulkRow:
    row_number: int
    report_id: int
    version: int | None
    status: str
    assessment: str
    submit: bool


class BulkUploadError(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


def _same_text(a: str, b: str) -> bool:
    return a.replace("\r\n", "\n").strip() == b.replace("\r\n", "\n").strip()


@transaction.atomic
def bulk_report(
    *, period: FollowUpPeriod, rows: Sequence[BulkRow], organisation_ids: set[int], by: Any
) -> int:
    """Apply validated rows from an uploaded template: all rows or none. Every row is checked
    (own organisation, this period, still editable, unchanged since download, status valid,
    assessment present when submitting); any error rejects the whole upload. A row that changes
    nothing (same status and text, not marked for submission) is left alone: no save, no history
    entry. Returns the number of reports changed."""
    errors: list[str] = []
    if period.state != PeriodState.OPEN:
        raise BulkUploadError([_("Perioden är inte öppen för rapportering.")])
    reports = Report.objects.in_bulk([row.report_id for row in rows])
    seen: set[int] = set()
    changed: list[BulkRow] = []
    for row in rows:
        where = _("Rad %(n)s") % {"n": row.row_number}
        report = reports.get(row.report_id)
        if report is None or report.period_id != period.pk:
            errors.append(
                _("%(where)s: rapport-id %(id)s finns inte i den här perioden.")
                % {"where": where, "id": row.report_id}
            )
            continue
        if report.organisation_id not in organisation_ids:
            errors.append(
                _("%(where)s: rapporten tillhör en organisation som du inte rapporterar för.")
                % {"where": where}
            )
            continue
        if row.report_id in seen:
            errors.append(
                _("%(where)s: rapport-id %(id)s förekommer flera gånger.")
                % {"where": where, "id": row.report_id}
            )
        seen.add(row.report_id)
        if (
            not row.submit
            and row.status == report.status
            and _same_text(row.assessment, report.assessment)
        ):
            continue
        changed.append(row)
        if report.state not in EDITABLE_STATES:
            errors.append(
                _("%(where)s: rapporten är redan inlämnad och kan inte ändras.") % {"where": where}
            )
        if row.version is not None and row.version != report.version:
            errors.append(
                _(
                    "%(where)s: rapporten har ändrats i Insyn efter att mallen hämtades. "
                    "Hämta en ny mall."
                )
                % {"where": where}
            )
        if row.status not in Status.values:
            errors.append(_("%(where)s: ogiltig status.") % {"where": where})
        if row.submit and not row.assessment.strip():
            errors.append(
                _("%(where)s: bedömning saknas men raden är markerad för inlämning.")
                % {"where": where}
            )
        if row.submit and row.status == Status.UNKNOWN:
            errors.append(_("%(where)s: välj status för att kunna lämna in.") % {"where": where})
    if errors:
        raise BulkUploadError(errors)
    for row in changed:
        report = reports[row.report_id]
        kwargs = {
            "report_id": report.pk,
            "version": report.version,
            "status": row.status,
            "assessment": row.assessment,
            "by": by,
        }
        try:
            (report_submit if row.submit else report_save)(**kwargs)
        except ReportConflict as exc:
            raise BulkUploadError(
                [
                    _("Rad %(n)s: rapporten ändrades samtidigt av någon annan.")
                    % {"n": row.row_number}
                ]
            ) from exc
    return len(changed)
