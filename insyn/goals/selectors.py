"""Every read of goals and follow-up, in bounded queries: first what residents may see (the
public site, the API), then the reporting workflow's reads (completeness, compiling, corrections,
lineage, publish blockers) that staff pages, exports and the public pages share. Writes are in
services.py.

The one rule everything here keeps: a period is public only when its state is PUBLISHED, and a
report is public only when its period is. Within a published period, an organisation's own report
is shown only once it was submitted or approved (a draft that was never handed in stays in); the
compiled report (organisation NULL) is what the municipality published and is always shown.

Every function costs a fixed number of queries whatever the number of goals, assignments,
organisations or reports (the public page tests pin the counts with ten times the data).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import BooleanField, CharField, Count, F, Max, Prefetch, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from insyn.core import registry
from insyn.core.registry import LoopItem
from insyn.goals.models import (
    GOAL_STATUS_RANK,
    STATUS_ORDER,
    Assignment,
    AssignmentKind,
    Correction,
    FollowUpPeriod,
    Goal,
    GoalFollowUp,
    GoalSection,
    PeriodState,
    Plan,
    Report,
    ReportState,
    Status,
    Trend,
)
from insyn.goals.summary import StatusCounts, summary_sentence
from insyn.organisations.models import (
    BOARD_KINDS,
    Organisation,
    OrganisationGroup,
    OrganisationKind,
)
from insyn.organisations.selectors import expand_responsible

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

HANDED_IN_STATES = (ReportState.SUBMITTED, ReportState.APPROVED)
MAX_CHAIN = 50  # carry-over links followed from one assignment (a plan year each)


# --- What is public ---------------------------------------------------------------------------


def published_periods() -> QuerySet[FollowUpPeriod]:
    return FollowUpPeriod.objects.published()


def public_reports() -> QuerySet[Report]:
    """Reports a resident may read: of published periods; organisations' only once handed in."""
    return Report.objects.public()


def period_sort_key(period: FollowUpPeriod) -> tuple[int, int, int]:
    """Chronological order: year, then month (the annual report, month NULL, ends the year)."""
    return (period.year, period.month or 13, period.pk or 0)


def all_published_periods() -> list[FollowUpPeriod]:
    """Every published period with its plan, oldest first (one query; a few per year)."""
    periods = list(published_periods().select_related("plan"))
    periods.sort(key=period_sort_key)
    return periods


def previous_period(
    period: FollowUpPeriod, periods: Sequence[FollowUpPeriod]
) -> FollowUpPeriod | None:
    """The published period before `period`: earlier in the same plan, else the newest period
    of the nearest earlier plan year that has one."""
    key = period_sort_key(period)
    same_plan = [p for p in periods if p.plan_id == period.plan_id and period_sort_key(p) < key]
    if same_plan:
        return max(same_plan, key=period_sort_key)
    plan_year = period.plan.year
    earlier = [p for p in periods if p.plan.year < plan_year]
    if not earlier:
        return None
    nearest_year = max(p.plan.year for p in earlier)
    return max((p for p in earlier if p.plan.year == nearest_year), key=period_sort_key)


def latest_of(periods: Iterable[FollowUpPeriod]) -> FollowUpPeriod | None:
    periods = list(periods)
    return max(periods, key=period_sort_key) if periods else None


# --- Trend --------------------------------------------------------------------------------------

TREND_ARROWS = {Trend.IMPROVED: "↑", Trend.UNCHANGED: "→", Trend.WORSENED: "↓"}


@dataclass(frozen=True)
class TrendInfo:
    value: str
    computed: bool
    previous_period: FollowUpPeriod | None = None
    previous_status: str = ""

    @property
    def label(self) -> str:
        return str(Trend(self.value).label)

    @property
    def arrow(self) -> str:
        return TREND_ARROWS[Trend(self.value)]

    @property
    def previous_status_label(self) -> str:
        from insyn.goals.models import GoalStatus

        return str(GoalStatus(self.previous_status).label) if self.previous_status else ""


def compare_goal_status(current: str, previous: str) -> str | None:
    """Trend from the previous goal status to the current one (green > yellow > red)."""
    if current not in GOAL_STATUS_RANK or previous not in GOAL_STATUS_RANK:
        return None
    now, before = GOAL_STATUS_RANK[current], GOAL_STATUS_RANK[previous]
    if now > before:
        return Trend.IMPROVED
    if now < before:
        return Trend.WORSENED
    return Trend.UNCHANGED


def goal_trend(
    follow_up: GoalFollowUp | None, previous_status: str, previous: FollowUpPeriod | None
) -> TrendInfo | None:
    """Computed from the previous period's status when there is one to compare with; else the
    trend as the municipality stated it on an imported page; else none."""
    if follow_up is None:
        return None
    if previous is not None and previous_status:
        computed = compare_goal_status(follow_up.status, previous_status)
        if computed:
            return TrendInfo(computed, True, previous, previous_status)
    if follow_up.stated_trend:
        return TrendInfo(follow_up.stated_trend, False)
    return None


def previous_goal_statuses(previous: FollowUpPeriod | None) -> dict[str, str]:
    """Goal number → goal status in the previous period (one query, none without a period)."""
    if previous is None:
        return {}
    return dict(
        GoalFollowUp.objects.filter(period=previous)
        .exclude(status="")
        .values_list("goal__number", "status")
    )


# --- Goals of a plan in a period --------------------------------------------------------------


@dataclass
class GoalOverview:
    goal: Goal
    follow_up: GoalFollowUp | None
    counts: StatusCounts
    trend: TrendInfo | None
    last_updated: dt.datetime | None = None

    @property
    def status(self) -> str:
        return self.follow_up.status if self.follow_up else ""

    @property
    def status_label(self) -> str:
        return self.follow_up.get_status_display() if self.follow_up and self.status else ""

    @property
    def summary(self) -> str:
        return summary_sentence(self.counts, self.goal.kind_definite)


def _newest(*values: dt.datetime | None) -> dt.datetime | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def compiled_counts(
    period: FollowUpPeriod, goal_ids: Iterable[int]
) -> tuple[dict[int, StatusCounts], dict[int, dt.datetime | None]]:
    """Per goal: counts of compiled statuses of its council assignments (board goals are not
    counted) in the period, and the newest change among those reports. An assignment without
    a compiled report counts as "saknar rapporterad status", as in
    goal_summary (below). Two queries."""
    goal_ids = list(goal_ids)
    rows = (
        Report.objects.filter(
            period=period, organisation__isnull=True, assignment__goal_id__in=goal_ids
        )
        .exclude(assignment__kind=AssignmentKind.BOARD_GOAL)
        .values("assignment__goal_id", "status")
        .annotate(n=Count("id"), latest=Max("updated_at"))
        .order_by()
    )
    per_goal: dict[int, dict[str, int]] = defaultdict(dict)
    latest: dict[int, dt.datetime | None] = {}
    for row in rows:
        goal_id = row["assignment__goal_id"]
        status = row["status"] if row["status"] in Status.values else Status.UNKNOWN
        per_goal[goal_id][status] = per_goal[goal_id].get(status, 0) + row["n"]
        latest[goal_id] = _newest(latest.get(goal_id), row["latest"])
    totals = dict(
        Assignment.objects.filter(goal_id__in=goal_ids)
        .exclude(kind=AssignmentKind.BOARD_GOAL)
        .values_list("goal_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for goal_id, total in totals.items():
        counts = per_goal[goal_id]
        missing = total - sum(counts.values())
        if missing > 0:
            counts[Status.UNKNOWN] = counts.get(Status.UNKNOWN, 0) + missing
    return {goal_id: StatusCounts(**counts) for goal_id, counts in per_goal.items()}, latest


def goal_overviews(
    plan: Plan, period: FollowUpPeriod | None, periods: Sequence[FollowUpPeriod]
) -> list[GoalOverview]:
    """Every goal of the plan with its status, trend and summary in the (published) period."""
    goals = list(plan.goals.select_related("plan").order_by("order", "number"))
    if period is None:
        return [GoalOverview(goal, None, StatusCounts(), None) for goal in goals]
    assert period.is_published, "only published periods are shown"
    follow_ups = {f.goal_id: f for f in GoalFollowUp.objects.filter(period=period, goal__plan=plan)}
    goal_ids = [g.pk for g in goals]
    counts, report_latest = compiled_counts(period, goal_ids)
    previous = previous_period(period, periods)
    previous_statuses = previous_goal_statuses(previous)
    overviews = []
    for goal in goals:
        follow_up = follow_ups.get(goal.pk)
        trend = goal_trend(follow_up, previous_statuses.get(goal.number, ""), previous)
        overviews.append(
            GoalOverview(
                goal,
                follow_up,
                counts.get(goal.pk, StatusCounts()),
                trend,
                _newest(
                    period.published_at,
                    follow_up.updated_at if follow_up else None,
                    report_latest.get(goal.pk),
                ),
            )
        )
    return overviews


def plans_with_published_periods() -> QuerySet[Plan]:
    return Plan.objects.published().order_by("-year")


def current_plan() -> Plan | None:
    """The newest plan that has a published period."""
    return plans_with_published_periods().first()


@dataclass
class PlanPage:
    plan: Plan
    periods: list[FollowUpPeriod]  # this plan's published periods, oldest first
    period: FollowUpPeriod | None  # the one shown
    goals: list[GoalOverview]

    @property
    def last_updated(self) -> dt.datetime | None:
        return _newest(*(g.last_updated for g in self.goals))

    @property
    def status_totals(self) -> list[tuple[str, StrOrPromise, int]]:
        """How many goals are green, yellow, red (for the overview line)."""
        from insyn.goals.models import GoalStatus

        totals: list[tuple[str, StrOrPromise, int]] = []
        for status in GoalStatus:
            n = sum(1 for g in self.goals if g.status == status)
            if n:
                totals.append((status.value, status.label, n))
        return totals


def plan_page(plan: Plan, period_id: int | None = None) -> PlanPage | None:
    """A plan with its goals in the given published period (default: its newest). None when the
    period asked for is not a published period of this plan."""
    periods = all_published_periods()
    own = [p for p in periods if p.plan_id == plan.pk]
    if period_id is None:
        period = latest_of(own)
    else:
        period = next((p for p in own if p.pk == period_id), None)
        if period is None:
            return None
    return PlanPage(plan, own, period, goal_overviews(plan, period, periods))


def start_page() -> PlanPage | None:
    plan = current_plan()
    return plan_page(plan) if plan else None


# --- Organisations named on assignments ---------------------------------------------------------


@dataclass(frozen=True)
class GroupRef:
    """A group as named on an assignment, with its members in the plan year."""

    group: OrganisationGroup
    year: int
    members: tuple[Organisation, ...]

    @property
    def name(self) -> str:
        return self.group.name


def group_ref(
    group: OrganisationGroup, year: int, by_kind: dict[str, list[Organisation]]
) -> GroupRef:
    members = sorted(
        (org for kind in group.kinds for org in by_kind.get(kind, [])), key=lambda org: org.name
    )
    return GroupRef(group, year, tuple(members))


@dataclass
class AssignmentRow:
    assignment: Assignment
    report: Report | None  # compiled report in the shown period
    responsible: list[Organisation]
    responsible_groups: list[GroupRef]
    affected: list[Organisation]
    affected_groups: list[GroupRef]

    @property
    def status(self) -> str:
        return self.report.status if self.report else Status.UNKNOWN

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label)

    @property
    def responsible_ids(self) -> set[int]:
        ids = {org.pk for org in self.responsible}
        for ref in self.responsible_groups:
            ids.update(org.pk for org in ref.members)
        return ids

    @property
    def decision(self) -> str:
        return decision_reference(self.assignment)


def decision_reference(assignment: Assignment) -> str:
    """ "KF 2022-06-13 § 379, KSN-2022-01202" from whatever parts are known."""
    parts = []
    when = " ".join(
        x
        for x in (
            assignment.decision_body,
            assignment.decision_date.isoformat() if assignment.decision_date else "",
        )
        if x
    )
    if when:
        parts.append(when)
    if assignment.decision_paragraph:
        paragraph = assignment.decision_paragraph
        parts.append(paragraph if paragraph.startswith("§") else f"§ {paragraph}")
    head = " ".join(parts)
    if assignment.decision_case_number:
        return (
            f"{head}, {assignment.decision_case_number}"
            if head
            else assignment.decision_case_number
        )
    return head


_PARTY_LINKS = (
    # (role, the many-to-many field, the through table's column of the other side)
    ("responsible", "responsible_organisations", "organisation_id"),
    ("responsible_groups", "responsible_groups", "organisationgroup_id"),
    ("affected", "affected_organisations", "organisation_id"),
    ("affected_groups", "affected_groups", "organisationgroup_id"),
)


def _party_links(assignment_ids: list[int]) -> list[tuple[int, int, str]]:
    """(assignment id, organisation or group id, role) of the four links, in one query."""
    parts = [
        getattr(Assignment, field)
        .through.objects.filter(assignment_id__in=assignment_ids)
        .annotate(role=Value(role, output_field=CharField()))
        .values_list("assignment_id", column, "role")
        for role, field, column in _PARTY_LINKS
    ]
    return list(parts[0].union(*parts[1:], all=True))


def assignment_rows(
    assignments: Sequence[Assignment], year: int, reports: dict[int, Report]
) -> list[AssignmentRow]:
    """Rows with who is responsible and who is affected, named or as a group (with the group's
    members in the year): at most three queries whatever the number of assignments — the four
    links at once, the organisations (those named and, if a group is named, every one active in
    the year) and the groups."""
    links = _party_links([a.pk for a in assignments]) if assignments else []
    named: dict[tuple[int, str], list[int]] = defaultdict(list)
    for assignment_id, target_id, role in links:
        named[(assignment_id, role)].append(target_id)
    group_ids = {t for _a, t, role in links if role.endswith("_groups")}
    org_ids = {t for _a, t, role in links if not role.endswith("_groups")}
    groups: dict[int, OrganisationGroup] = {}
    if group_ids:
        groups = {g.pk: g for g in OrganisationGroup.objects.filter(pk__in=group_ids)}
    organisations: dict[int, Organisation] = {}
    by_kind: dict[str, list[Organisation]] = defaultdict(list)
    if org_ids or groups:
        found = (
            Organisation.objects.filter(pk__in=org_ids)
            .order_by()
            .annotate(in_year=Value(False, output_field=BooleanField()))
        )
        if groups:  # the groups' members: every organisation active in the year
            found = found.union(
                Organisation.objects.active_in(year)
                .order_by()
                .annotate(in_year=Value(True, output_field=BooleanField())),
                all=True,
            )
        for org in sorted(found, key=lambda o: (o.name, o.pk)):
            if org.pk not in organisations:
                organisations[org.pk] = org
            if org.in_year:
                by_kind[org.kind].append(organisations[org.pk])

    def orgs(assignment: Assignment, role: str) -> list[Organisation]:
        return sorted(
            (organisations[i] for i in named[(assignment.pk, role)] if i in organisations),
            key=lambda o: o.name,
        )

    def refs(assignment: Assignment, role: str) -> list[GroupRef]:
        found_groups = [groups[i] for i in named[(assignment.pk, role)] if i in groups]
        return [group_ref(g, year, by_kind) for g in sorted(found_groups, key=lambda g: g.name)]

    return [
        AssignmentRow(
            assignment=a,
            report=reports.get(a.pk),
            responsible=orgs(a, "responsible"),
            responsible_groups=refs(a, "responsible_groups"),
            affected=orgs(a, "affected"),
            affected_groups=refs(a, "affected_groups"),
        )
        for a in assignments
    ]


# --- The goal page ------------------------------------------------------------------------------


@dataclass
class StatusOption:
    value: str
    label: StrOrPromise
    count: int
    selected: bool


@dataclass
class GoalPage:
    goal: Goal
    periods: list[FollowUpPeriod]
    period: FollowUpPeriod | None
    overview: GoalOverview
    rows: list[AssignmentRow]  # after the filters
    total_assignments: int
    status_options: list[StatusOption]
    organisation_options: list[Organisation]
    selected_statuses: list[str]
    selected_organisation: Organisation | None
    history: list[tuple[FollowUpPeriod, GoalFollowUp | None]] = field(default_factory=list)

    @property
    def is_filtered(self) -> bool:
        return bool(self.selected_statuses or self.selected_organisation)

    @property
    def last_updated(self) -> dt.datetime | None:
        return _newest(
            self.overview.last_updated, *(r.report.updated_at for r in self.rows if r.report)
        )


def goal_at(year: int, number: str) -> Goal | None:
    """The goal at its public address (the goal page shows any goal of a plan)."""
    return Goal.objects.select_related("plan").filter(plan__year=year, number=number).first()


def goal_page(
    year: int,
    number: str,
    *,
    period_id: int | None = None,
    statuses: Sequence[str] = (),
    organisation_slug: str = "",
) -> GoalPage | None:
    """Everything the goal page shows. None when the goal or the asked-for period is unknown
    (or the period is not a published period of the goal's plan)."""
    goal = (
        Goal.objects.select_related("plan")
        # The sections in their order (their default ordering joins goal and plan again).
        .prefetch_related(Prefetch("sections", GoalSection.objects.order_by("order", "pk")))
        .filter(plan__year=year, number=number)
        .first()
    )
    if goal is None:
        return None
    all_periods = all_published_periods()
    periods = [p for p in all_periods if p.plan_id == goal.plan_id]
    if period_id is None:
        period = latest_of(periods)
    else:
        period = next((p for p in periods if p.pk == period_id), None)
        if period is None:
            return None

    follow_ups: dict[int, GoalFollowUp] = {}
    if periods:
        by_pk = {p.pk: p for p in periods}
        for f in GoalFollowUp.objects.filter(goal=goal, period__in=list(by_pk)):
            f.period = by_pk[f.period_id]
            follow_ups[f.period_id] = f
    # The goals loop ("Ni sa — vi gjorde") shows the latest of them: read once.
    registry.share(goal, "goals:published_follow_ups", list(follow_ups.values()))
    follow_up = follow_ups.get(period.pk) if period else None
    assignments = list(goal.assignments.order_by("order", "pk"))
    reports: dict[int, Report] = {}
    trend = None
    if period is not None:
        reports = {
            r.assignment_id: r
            for r in Report.objects.filter(
                period=period, organisation__isnull=True, assignment__goal=goal
            ).order_by()  # a dict by assignment: no ordering (it joined four tables)
        }
        previous = previous_period(period, all_periods)
        trend = goal_trend(
            follow_up, previous_goal_statuses(previous).get(goal.number, ""), previous
        )
    # The same counts as compiled_counts(), from the rows already loaded.
    counts = (
        StatusCounts.from_statuses(
            reports[a.pk].status if a.pk in reports else Status.UNKNOWN
            for a in assignments
            if a.counts_in_summary
        )
        if period
        else StatusCounts()
    )
    overview = GoalOverview(
        goal,
        follow_up,
        counts,
        trend,
        _newest(
            period.published_at if period else None,
            follow_up.updated_at if follow_up else None,
            *(r.updated_at for r in reports.values()),
        ),
    )
    rows = assignment_rows(assignments, goal.plan.year, reports)

    organisations: dict[int, Organisation] = {}
    for row in rows:
        for org in row.responsible:
            organisations[org.pk] = org
        for ref in row.responsible_groups:
            for org in ref.members:
                organisations[org.pk] = org
    organisation_options = sorted(organisations.values(), key=lambda o: o.name)
    selected_org = next((o for o in organisation_options if o.slug == organisation_slug), None)
    selected_statuses: list[str] = [s for s in STATUS_ORDER if s in statuses]

    status_counts: dict[str, int] = {s: 0 for s in STATUS_ORDER}
    for row in rows:
        status_counts[row.status] += 1
    status_options = [
        StatusOption(s.value, s.label, status_counts[s], s in selected_statuses)
        for s in STATUS_ORDER
        if status_counts[s] or s in selected_statuses
    ]

    shown = [
        r
        for r in rows
        if (not selected_statuses or r.status in selected_statuses)
        and (selected_org is None or selected_org.pk in r.responsible_ids)
    ]
    history = [(p, follow_ups.get(p.pk)) for p in periods]
    return GoalPage(
        goal,
        periods,
        period,
        overview,
        shown,
        len(rows),
        status_options,
        organisation_options,
        selected_statuses,
        selected_org,
        history,
    )


# --- The assignment page ------------------------------------------------------------------------


@dataclass
class PeriodReports:
    period: FollowUpPeriod
    compiled: Report | None
    organisations: list[Report]


@dataclass
class ChainLink:
    assignment: Assignment
    periods: list[PeriodReports]
    row: AssignmentRow | None = None  # only for the assignment the page is about

    @property
    def is_current(self) -> bool:
        return self.row is not None


@dataclass
class AssignmentPage:
    assignment: Assignment
    row: AssignmentRow
    chain: list[ChainLink]  # oldest plan year first, including the assignment itself
    latest: Report | None  # this assignment's newest published compiled report

    @property
    def last_updated(self) -> dt.datetime | None:
        values = []
        for link in self.chain:
            for pr in link.periods:
                values.append(pr.period.published_at)
                values.extend(r.updated_at for r in ([pr.compiled] if pr.compiled else []))
                values.extend(r.updated_at for r in pr.organisations)
        return _newest(*values)


def _assignment_qs() -> QuerySet[Assignment]:
    return Assignment.objects.select_related("goal__plan")


def assignment_chain(assignment: Assignment) -> list[Assignment]:
    """The assignment's life across plan years: what it was carried over from, and what it was
    carried into, oldest first. One query per plan year the chain spans (bounded by MAX_CHAIN),
    never per goal, report or organisation."""
    chain = [assignment]
    seen = {assignment.pk}
    current = assignment
    while current.carried_over_from_id and len(chain) < MAX_CHAIN:
        parent = _assignment_qs().filter(pk=current.carried_over_from_id).first()
        if parent is None or parent.pk in seen:
            break
        chain.insert(0, parent)
        seen.add(parent.pk)
        current = parent
    frontier = [assignment.pk]
    while frontier and len(chain) < MAX_CHAIN:
        children = [
            c
            for c in _assignment_qs()
            .filter(carried_over_from_id__in=frontier)
            .order_by("goal__plan__year", "pk")
            if c.pk not in seen
        ]
        for child in children:
            seen.add(child.pk)
            chain.append(child)
        frontier = [c.pk for c in children]
    return chain


def assignment_page_at(year: int, goal_number: str, slug: str) -> AssignmentPage | None:
    """The assignment at its citable address /plan/<year>/mal/<goal>/uppdrag/<slug>/."""
    return _assignment_page(
        _assignment_qs().filter(goal__plan__year=year, goal__number=goal_number, slug=slug).first()
    )


def assignment_url(pk: int) -> str | None:
    """The citable address of the assignment with this (database) id, for the old /uppdrag/<id>/."""
    assignment = Assignment.objects.select_related("goal__plan").filter(pk=pk).first()
    return assignment.get_absolute_url() if assignment else None


def _assignment_page(assignment: Assignment | None) -> AssignmentPage | None:
    if assignment is None:
        return None
    chain = assignment_chain(assignment)
    reports = (
        public_reports()
        .filter(assignment__in=[a.pk for a in chain])
        .select_related("period__plan", "organisation")
    )
    by_assignment: dict[int, dict[int, PeriodReports]] = defaultdict(dict)
    for report in reports:
        per_period = by_assignment[report.assignment_id]
        pr = per_period.setdefault(report.period_id, PeriodReports(report.period, None, []))
        if report.organisation_id is None:
            pr.compiled = report
        else:
            pr.organisations.append(report)
    links = []
    latest: Report | None = None
    for a in chain:
        periods = sorted(
            by_assignment.get(a.pk, {}).values(), key=lambda pr: period_sort_key(pr.period)
        )
        for pr in periods:
            pr.organisations.sort(key=lambda r: r.organisation.name if r.organisation else "")
            if pr.compiled is not None and a.pk == assignment.pk:
                latest = pr.compiled  # periods are in time order
        links.append(ChainLink(a, periods))
    own_reports = {assignment.pk: latest} if latest else {}
    row = assignment_rows([assignment], assignment.goal.plan.year, own_reports)[0]
    for link in links:
        if link.assignment.pk == assignment.pk:
            link.row = row
    return AssignmentPage(assignment, row, links, latest)


# --- Organisations ------------------------------------------------------------------------------


@dataclass
class OrganisationAssignment:
    assignment: Assignment
    compiled: Report | None
    own: Report | None
    through_group: OrganisationGroup | None

    @property
    def status(self) -> str:
        return self.compiled.status if self.compiled else Status.UNKNOWN

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label)


@dataclass
class OrganisationPage:
    organisation: Organisation
    aliases: list
    plans: list[Plan]
    plan: Plan | None
    period: FollowUpPeriod | None
    groups: list[OrganisationGroup]
    responsible: list[OrganisationAssignment]
    affected: list[Assignment]

    @property
    def status_counts(self) -> list[tuple[str, StrOrPromise, int]]:
        counts: dict[str, int] = {s: 0 for s in STATUS_ORDER}
        for item in self.responsible:
            counts[item.status] += 1
        return [(s.value, s.label, counts[s]) for s in STATUS_ORDER if counts[s]]

    @property
    def last_updated(self) -> dt.datetime | None:
        values = [self.period.published_at if self.period else None]
        for item in self.responsible:
            values.extend(r.updated_at for r in (item.compiled, item.own) if r)
        return _newest(*values)


def organisation_list() -> tuple[
    list[tuple[StrOrPromise, list[Organisation]]], list[OrganisationGroup]
]:
    """Organisations by kind (boards first) with their aliases, and the groups. Three queries."""
    from insyn.organisations.models import OrganisationKind

    organisations = Organisation.objects.internal().prefetch_related("aliases").order_by("name")
    by_kind: dict[str, list[Organisation]] = defaultdict(list)
    for org in organisations:
        by_kind[org.kind].append(org)
    order = [OrganisationKind.EXECUTIVE_BOARD, OrganisationKind.BOARD, OrganisationKind.COMPANY]
    sections: list[tuple[StrOrPromise, list[Organisation]]] = [
        (OrganisationKind(k).label, by_kind[k]) for k in order if by_kind.get(k)
    ]
    return sections, list(OrganisationGroup.objects.order_by("name"))


def organisation_page(slug: str, year: int | None = None) -> OrganisationPage | None:
    """What the organisation is responsible for in a plan year (directly or through a group)
    and how those assignments stand in the plan's newest published period."""
    organisation = (
        Organisation.objects.select_related("successor")
        .prefetch_related("aliases", "predecessors")
        .filter(slug=slug)
        .first()
    )
    if organisation is None:
        return None
    plans = list(plans_with_published_periods())
    if year is None:
        plan = plans[0] if plans else None
    else:
        plan = (
            next((p for p in plans if p.year == year), None)
            or Plan.objects.filter(year=year).first()
        )
        if plan is None:
            return None
    groups = [g for g in OrganisationGroup.objects.order_by("name") if organisation.kind in g.kinds]
    responsible: list[OrganisationAssignment] = []
    affected: list[Assignment] = []
    period = None
    if plan is not None:
        period = latest_of(published_periods().filter(plan=plan))
        active = organisation.is_active_in(plan.year)
        group_ids = [g.pk for g in groups] if active else []
        direct = Q(responsible_organisations=organisation)
        assignments = list(
            Assignment.objects.filter(goal__plan=plan)
            .filter(direct | Q(responsible_groups__in=group_ids))
            .select_related("goal__plan")
            .prefetch_related(
                Prefetch(
                    "responsible_groups",
                    queryset=OrganisationGroup.objects.filter(pk__in=group_ids),
                    to_attr="matching_groups",
                ),
                Prefetch(
                    "responsible_organisations",
                    queryset=Organisation.objects.filter(pk=organisation.pk),
                    to_attr="matching_direct",
                ),
            )
            .distinct()
            .order_by("goal__order", "goal__number", "order", "pk")
        )
        compiled: dict[int, Report] = {}
        own: dict[int, Report] = {}
        if period is not None:
            for report in (
                public_reports()
                .filter(period=period, assignment__in=[a.pk for a in assignments])
                .filter(Q(organisation__isnull=True) | Q(organisation=organisation))
            ):
                target = compiled if report.organisation_id is None else own
                target[report.assignment_id] = report
        for a in assignments:
            through = a.matching_groups[0] if not a.matching_direct and a.matching_groups else None
            responsible.append(
                OrganisationAssignment(a, compiled.get(a.pk), own.get(a.pk), through)
            )
        affected_groups = group_ids
        affected = list(
            Assignment.objects.filter(goal__plan=plan)
            .filter(Q(affected_organisations=organisation) | Q(affected_groups__in=affected_groups))
            .exclude(pk__in=[a.pk for a in assignments])
            .select_related("goal__plan")
            .distinct()
            .order_by("goal__order", "goal__number", "order", "pk")
        )
    return OrganisationPage(
        organisation,
        list(organisation.aliases.all()),
        plans,
        plan,
        period,
        groups,
        responsible,
        affected,
    )


def organisations_last_changed() -> dt.datetime | None:
    """When the organisation registry last changed (from its history; one query)."""
    return Organisation.history.aggregate(latest=Max("history_date"))["latest"]


def last_publication() -> dt.datetime | None:
    """When follow-up was last published (one query)."""
    return published_periods().aggregate(latest=Max("published_at"))["latest"]


@dataclass
class GroupPage:
    group: OrganisationGroup
    year: int
    members: list[Organisation]


def group_page(slug: str, year: int) -> GroupPage | None:
    group = OrganisationGroup.objects.filter(slug=slug).first()
    if group is None:
        return None
    members = list(group.members(year).prefetch_related("aliases").order_by("name"))
    return GroupPage(group, year, members)


# --- Archive and period pages -------------------------------------------------------------------


@dataclass
class ArchivePlan:
    plan: Plan
    periods: list[FollowUpPeriod]
    goal_count: int


def archive() -> list[ArchivePlan]:
    """Every plan that has published follow-up, newest first, with its published periods."""
    plans = (
        Plan.objects.published()
        .annotate(goal_count=Count("goals", distinct=True))
        .order_by("-year")
    )
    by_plan: dict[int, list[FollowUpPeriod]] = defaultdict(list)
    for period in published_periods().filter(plan__in=[p.pk for p in plans]):
        by_plan[period.plan_id].append(period)
    return [ArchivePlan(p, sorted(by_plan[p.pk], key=period_sort_key), p.goal_count) for p in plans]


def period_page(pk: int) -> PlanPage | None:
    period = published_periods().filter(pk=pk).select_related("plan").first()
    if period is None:
        return None
    return plan_page(period.plan, period.pk)


def status_legend() -> list[tuple[str, str, StrOrPromise, str]]:
    """The assignment status scale as the municipality explains it: code, colour, label, text."""
    return [
        (Status.COMPLETED, _("Grön"), Status.COMPLETED.label, _("Uppdraget är färdigt")),
        (
            Status.ON_TRACK,
            _("Grön"),
            Status.ON_TRACK.label,
            _("Uppdraget pågår eller väntar enligt plan"),
        ),
        (
            Status.DELAYED,
            _("Gul"),
            Status.DELAYED.label,
            _("Uppdraget är försenat eller inte påbörjat"),
        ),
        (
            Status.NOT_DONE,
            _("Röd"),
            Status.NOT_DONE.label,
            _("Uppdraget genomförs inte, har utgått eller har avstannat"),
        ),
    ]


# --- Staff: history ---------------------------------------------------------------------------


def report_history(report: Report, *, whole: bool, limit: int = 200) -> list[Any]:
    """The report's history records, newest first. `whole` (compilers, administrators, the
    report's own organisation): every record. Otherwise (a reader) only the versions that were
    handed in — submitted or approved — so drafts written before submission never show; the
    caller also leaves out the return comment. One query."""
    records = report.history.select_related("history_user").order_by("-history_date", "-history_id")
    if not whole:
        records = records.filter(state__in=HANDED_IN_STATES)
    return list(records[:limit])


# --- "Ni sa — vi gjorde": what the follow-up reports now -------------------------------------


def _period_title(period: FollowUpPeriod) -> str:
    return _("Uppföljningen %(label)s %(year)s") % {"label": period.label, "year": period.year}


def published_follow_ups(goal: Goal) -> list[GoalFollowUp]:
    """The goal's follow-ups in published periods, each with its period (one query, or none
    when the goal page has read them already: registry.shared)."""
    return registry.shared(
        goal,
        "goals:published_follow_ups",
        lambda: list(
            GoalFollowUp.objects.published()
            .filter(goal=goal)
            .select_related("period__plan")
            .order_by()
        ),
    )


def goal_loop(goal: Goal) -> list[LoopItem]:
    """The goal's assessment in the latest published follow-up (published_follow_ups)."""
    follow_ups = published_follow_ups(goal)
    follow_up = max(follow_ups, key=lambda f: period_sort_key(f.period)) if follow_ups else None
    if follow_up is None:
        return []
    text = follow_up.assessment or follow_up.published_summary
    if follow_up.status:
        text = f"{follow_up.get_status_display()}. {text}".strip()
    return [
        LoopItem(
            stage="reports",
            title=_period_title(follow_up.period),
            text=text,
            url=follow_up.period.get_absolute_url(),
            date=follow_up.period.published_on,
        )
    ]


def assignment_loop(assignment: Assignment) -> list[LoopItem]:
    """One query: the compiled assessment of the assignment in the latest published follow-up."""
    report = (
        Report.objects.compiled_published()
        .filter(assignment=assignment)
        .select_related("period")
        .order_by("-period__year", F("period__month").desc(nulls_first=True), "-period__pk")
        .first()
    )
    if report is None:
        return []
    return [
        LoopItem(
            stage="reports",
            title=_period_title(report.period),
            text=f"{report.get_status_display()}. {report.assessment}".strip(),
            url=report.period.get_absolute_url(),
            date=report.period.published_on,
        )
    ]


# --- The reporting workflow (staff pages, exports, and the public pages' corrections and
# completeness): reads that used to live in services.py --------------------------------------


def responsible_for_year(
    assignments: Sequence[Assignment], year: int
) -> dict[int, list[Organisation]]:
    """Responsible organisations per assignment (groups expanded through the registry for the
    year; inactive and external organisations left out). One query per distinct set of groups."""
    expanded: dict[frozenset[int], list[Organisation]] = {}
    result: dict[int, list[Organisation]] = {}
    for assignment in assignments:
        groups = list(assignment.responsible_groups.all())
        key = frozenset(group.pk for group in groups)
        if key and key not in expanded:
            expanded[key] = expand_responsible([], groups, year)
        direct = [
            org for org in assignment.responsible_organisations.all() if org.is_active_in(year)
        ]
        orgs = expand_responsible(direct + expanded.get(key, []), [], year)
        result[assignment.pk] = [org for org in orgs if org.kind != OrganisationKind.EXTERNAL]
    return result


def goal_summary(goal: Goal, period: FollowUpPeriod, statuses: Iterable[str] | None = None) -> str:
    """The computed summary sentence from the compiled statuses (board goals not counted)."""
    if statuses is None:
        statuses = (
            Report.objects.filter(period=period, organisation__isnull=True, assignment__goal=goal)
            .exclude(assignment__kind=AssignmentKind.BOARD_GOAL)
            .values_list("status", flat=True)
        )
        counted = (
            Assignment.objects.filter(goal=goal).exclude(kind=AssignmentKind.BOARD_GOAL).count()
        )
        statuses = list(statuses)
        statuses += [Status.UNKNOWN] * max(0, counted - len(statuses))
    return summary_sentence(StatusCounts.from_statuses(statuses), goal.kind_definite)


def publish_blockers(period: FollowUpPeriod) -> list[str]:
    """What is missing before the period can be published, in the chosen language, one line
    each."""
    assignments = list(Assignment.objects.filter(goal__plan=period.plan).select_related("goal"))
    goals = list(Goal.objects.filter(plan=period.plan))
    compiled = {
        r.assignment_id: r for r in Report.objects.filter(period=period, organisation__isnull=True)
    }
    follow_ups = {f.goal_id: f for f in GoalFollowUp.objects.filter(period=period)}
    problems = []
    for assignment in assignments:
        where = (
            f"{assignment.goal.get_kind_display()} {assignment.goal.number}, {assignment.heading}"
        )
        report = compiled.get(assignment.pk)
        if report is None or not report.assessment.strip():
            problems.append(_("%(where)s: sammanställd bedömning saknas.") % {"where": where})
        if report is None or report.status == Status.UNKNOWN:
            problems.append(_("%(where)s: sammanställd status saknas.") % {"where": where})
    for goal in goals:
        follow_up = follow_ups.get(goal.pk)
        if follow_up is None or not follow_up.status:
            problems.append(
                _("%(kind)s %(number)s: målets status saknas.")
                % {"kind": goal.get_kind_display(), "number": goal.number}
            )
    return problems


def corrections_for_period(period: FollowUpPeriod) -> list[Correction]:
    """Corrections of a published period, oldest first (for the public pages)."""
    return list(
        Correction.objects.filter(period=period)
        .select_related("assignment", "goal", "period")
        .order_by("version")
    )


def corrections_for_assignment(assignment: Assignment) -> list[Correction]:
    return list(
        Correction.objects.filter(assignment=assignment)
        .select_related("period")
        .order_by("period__year", "period__month", "version")
    )


def corrections_for_goal(goal: Goal) -> list[Correction]:
    return list(
        Correction.objects.filter(goal=goal)
        .select_related("period")
        .order_by("period__year", "period__month", "version")
    )


def _kind_phrase(done: int, total: int, one: str, definite: str, many: str) -> str:
    if done == total:
        return definite if total == 1 else f"alla {many}"
    if done == 0:
        return f"ingen {one}"
    return f"{done} av {total} {many}"


def _partial_clause(boards_partial: int, companies_partial: int) -> str:
    """ "1 nämnd och 2 bolagsstyrelser har lämnat in en del" — those who began handing in."""
    parts = []
    if boards_partial:
        parts.append(f"{boards_partial} {'nämnd' if boards_partial == 1 else 'nämnder'}")
    if companies_partial:
        word = "bolagsstyrelse" if companies_partial == 1 else "bolagsstyrelser"
        parts.append(f"{companies_partial} {word}")
    return " och ".join(parts) + " har lämnat in en del" if parts else ""


def completeness_sentence(
    *,
    boards_done: int,
    boards_total: int,
    companies_done: int,
    companies_total: int,
    boards_partial: int = 0,
    companies_partial: int = 0,
) -> str:
    """ "Alla nämnder och 11 av 13 bolagsstyrelser har rapporterat", for any counts. An
    organisation "har rapporterat" when it has handed in all its reports; those that handed in
    some are named after a semicolon, so the sentence never says nobody reported while some
    did. In English when the visitor chose English (`_completeness_english`)."""
    if (get_language() or "sv").startswith("en"):
        return _completeness_english(
            boards_done,
            boards_total,
            companies_done,
            companies_total,
            boards_partial,
            companies_partial,
        )
    text = _completeness_main(boards_done, boards_total, companies_done, companies_total)
    partial = _partial_clause(boards_partial, companies_partial)
    if partial and boards_total + companies_total:
        text = text.replace("har rapporterat ännu", "har rapporterat allt ännu")
        text = f"{text}; {partial}"
    return text


def _english_phrase(done: int, total: int, one: str, many: str) -> str:
    if done == total:
        return f"the {one}" if total == 1 else f"all {many}"
    if done == 0:
        return f"no {one}"
    return f"{done} of {total} {many}"


def _completeness_english(
    boards_done: int,
    boards_total: int,
    companies_done: int,
    companies_total: int,
    boards_partial: int,
    companies_partial: int,
) -> str:
    """The completeness sentence in English: "All boards and 11 of 13 company boards have
    reported"."""
    if boards_total == 0 and companies_total == 0:
        return "No boards or company boards are to report in this period."
    parts = []
    if boards_total:
        parts.append((boards_done, _english_phrase(boards_done, boards_total, "board", "boards")))
    if companies_total:
        parts.append(
            (
                companies_done,
                _english_phrase(companies_done, companies_total, "company board", "company boards"),
            )
        )

    def verb(phrase: str) -> str:
        return "has" if phrase.startswith(("the ", "no ", "1 of ")) else "have"

    partial = []
    if boards_partial:
        partial.append(f"{boards_partial} {'board' if boards_partial == 1 else 'boards'}")
    if companies_partial:
        word = "company board" if companies_partial == 1 else "company boards"
        partial.append(f"{companies_partial} {word}")
    phrases = [phrase for _done, phrase in parts]
    if all(done == 0 for done, _phrase in parts):
        subject = " and ".join(phrases)
        text = f"{subject} {verb(phrases[-1])} reported {'in full ' if partial else ''}yet"
    elif len(parts) == 2 and (parts[0][0] == 0) != (parts[1][0] == 0):
        text = f"{phrases[0]} but {phrases[1]} {verb(phrases[1])} reported"
    else:
        subject = " and ".join(phrases)
        text = f"{subject} {verb(phrases[0]) if len(phrases) == 1 else 'have'} reported"
    if partial:
        handed = "has" if boards_partial + companies_partial == 1 else "have"
        text += "; " + " and ".join(partial) + f" {handed} handed in part"
    return text[0].upper() + text[1:]


def _completeness_main(
    boards_done: int, boards_total: int, companies_done: int, companies_total: int
) -> str:
    if boards_total == 0 and companies_total == 0:
        return "Inga nämnder eller bolagsstyrelser ska rapportera i den här perioden."
    parts = []
    if boards_total:
        parts.append(
            (boards_done, _kind_phrase(boards_done, boards_total, "nämnd", "nämnden", "nämnder"))
        )
    if companies_total:
        parts.append(
            (
                companies_done,
                _kind_phrase(
                    companies_done,
                    companies_total,
                    "bolagsstyrelse",
                    "bolagsstyrelsen",
                    "bolagsstyrelser",
                ),
            )
        )
    if all(done == 0 for done, _phrase in parts):
        text = " och ".join(phrase for _done, phrase in parts) + " har rapporterat ännu"
    elif len(parts) == 2 and (parts[0][0] == 0) != (parts[1][0] == 0):
        text = f"{parts[0][1]} men {parts[1][1]} har rapporterat"
    else:
        text = " och ".join(phrase for _done, phrase in parts) + " har rapporterat"
    return text[0].upper() + text[1:]


@dataclass
class OrganisationProgress:
    organisation: Organisation
    total: int = 0
    draft: int = 0
    returned: int = 0
    submitted: int = 0
    approved: int = 0
    overdue: bool = False

    @property
    def done(self) -> bool:
        return self.total > 0 and self.submitted + self.approved == self.total

    @property
    def remaining(self) -> int:
        return self.draft + self.returned


@dataclass
class Completeness:
    period: FollowUpPeriod
    rows: list[OrganisationProgress] = field(default_factory=list)
    boards_done: int = 0
    boards_total: int = 0
    companies_done: int = 0
    companies_total: int = 0
    boards_partial: int = 0
    companies_partial: int = 0

    @property
    def sentence(self) -> str:
        return completeness_sentence(
            boards_done=self.boards_done,
            boards_total=self.boards_total,
            companies_done=self.companies_done,
            companies_total=self.companies_total,
            boards_partial=self.boards_partial,
            companies_partial=self.companies_partial,
        )

    @property
    def overdue(self) -> list[OrganisationProgress]:
        return [row for row in self.rows if row.overdue]


def completeness(period: FollowUpPeriod, *, today: dt.date | None = None) -> Completeness:
    """Who has submitted everything, who has not, and who is overdue (two queries)."""
    today = today or timezone.localdate()
    counts = (
        Report.objects.filter(period=period, organisation__isnull=False)
        .values("organisation_id", "state")
        .annotate(n=Count("id"))
    )
    by_org: dict[int, dict[str, int]] = defaultdict(dict)
    for count in counts:
        by_org[count["organisation_id"]][count["state"]] = count["n"]
    result = Completeness(period=period)
    past_deadline = bool(
        period.deadline and period.deadline < today and period.state == PeriodState.OPEN
    )
    for org in Organisation.objects.filter(pk__in=list(by_org)).order_by("name"):
        states = by_org[org.pk]
        row = OrganisationProgress(
            organisation=org,
            total=sum(states.values()),
            draft=states.get(ReportState.DRAFT, 0),
            returned=states.get(ReportState.RETURNED, 0),
            submitted=states.get(ReportState.SUBMITTED, 0),
            approved=states.get(ReportState.APPROVED, 0),
        )
        row.overdue = past_deadline and not row.done
        result.rows.append(row)
        partial = not row.done and row.submitted + row.approved > 0
        if org.kind in BOARD_KINDS:
            result.boards_total += 1
            result.boards_done += row.done
            result.boards_partial += partial
        elif org.kind == OrganisationKind.COMPANY:
            result.companies_total += 1
            result.companies_done += row.done
            result.companies_partial += partial
    return result


def last_published_period(plan: Plan) -> FollowUpPeriod | None:
    periods = [p for p in FollowUpPeriod.objects.published().filter(plan=plan)]
    return max(periods, key=lambda p: p.sort_key, default=None)


def assignment_lineage(assignment: Assignment) -> list[Assignment]:
    """The assignment's whole life across plan years: where it was carried over from and into,
    oldest first (each step one query; chains are a few years long)."""
    seen = {assignment.pk}
    root = assignment
    while root.carried_over_from_id and root.carried_over_from_id not in seen:
        seen.add(root.carried_over_from_id)
        root = Assignment.objects.select_related("goal__plan").get(pk=root.carried_over_from_id)
    chain = [Assignment.objects.select_related("goal__plan").get(pk=root.pk)]
    frontier = [root.pk]
    visited = {root.pk}
    while frontier:
        children = list(
            Assignment.objects.filter(carried_over_from_id__in=frontier)
            .exclude(pk__in=visited)
            .select_related("goal__plan")
        )
        chain.extend(children)
        visited.update(c.pk for c in children)
        frontier = [c.pk for c in children]
    return sorted(chain, key=lambda a: (a.goal.plan.year, a.pk))


def lineage_reports(assignment: Assignment) -> list[Report]:
    """Every published compiled report along the lineage (for staff and public history)."""
    ids = [a.pk for a in assignment_lineage(assignment)]
    return list(
        Report.objects.compiled_published()
        .filter(assignment_id__in=ids)
        .select_related("period", "assignment")
        .order_by("period__year", "period__month")
    )


def reports_for_compiling(period: FollowUpPeriod, assignment: Assignment) -> list[Report]:
    return list(
        Report.objects.filter(period=period, assignment=assignment, organisation__isnull=False)
        .select_related("organisation", "submitted_by")
        .order_by("organisation__name")
    )


def compile_overview(period: FollowUpPeriod) -> list[dict[str, Any]]:
    """Goals with their assignments, compiled report and the organisations' progress: five
    queries whatever the size."""
    goals = list(
        Goal.objects.filter(plan=period.plan).prefetch_related(
            Prefetch("assignments", queryset=Assignment.objects.order_by("order", "pk"))
        )
    )
    compiled = {
        r.assignment_id: r for r in Report.objects.filter(period=period, organisation__isnull=True)
    }
    follow_ups = {f.goal_id: f for f in GoalFollowUp.objects.filter(period=period)}
    progress: dict[int, dict[str, int]] = defaultdict(lambda: {"total": 0, "done": 0})
    for row in (
        Report.objects.filter(period=period, organisation__isnull=False)
        .values("assignment_id")
        .annotate(total=Count("id"), done=Count("id", filter=Q(state__in=HANDED_IN_STATES)))
    ):
        progress[row["assignment_id"]] = {"total": row["total"], "done": row["done"]}
    result = []
    for goal in goals:
        items = []
        statuses = []
        for assignment in goal.assignments.all():
            report = compiled.get(assignment.pk)
            if assignment.counts_in_summary:
                statuses.append(report.status if report else Status.UNKNOWN)
            items.append(
                {"assignment": assignment, "compiled": report, "progress": progress[assignment.pk]}
            )
        result.append(
            {
                "goal": goal,
                "items": items,
                "follow_up": follow_ups.get(goal.pk),
                "summary": goal_summary(goal, period, statuses),
            }
        )
    return result
