"""Reads for the open-data API and CSV, as plain JSON-ready dicts with stable English keys.

What is public follows `insyn.goals.selectors`, the rule the pages keep: plans, goals,
assignments and organisations are public records; a follow-up period, its goal follow-ups and
its reports only once the period is PUBLISHED; an organisation's own report only once it was
handed in. No personal data: no users, no e-mail addresses, no `submitted_by`.

Every function costs a fixed number of queries whatever the amount of data (the tests pin it
at two data sizes). URLs in the output are absolute, built by the `link` function the view
passes in (`request.build_absolute_uri`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, QuerySet
from django.urls import reverse

from insyn.goals.models import (
    Assignment,
    AssignmentKind,
    FollowUpPeriod,
    Goal,
    GoalFollowUp,
    GoalStatus,
    Plan,
    Report,
    Status,
)
from insyn.goals.selectors import (
    all_published_periods,
    decision_reference,
    goal_trend,
    period_sort_key,
    previous_goal_statuses,
    previous_period,
    public_reports,
    published_periods,
)
from insyn.goals.summary import StatusCounts, summary_sentence
from insyn.organisations.models import Organisation, OrganisationGroup

Link = Callable[[str], str]
Json = dict[str, Any]

STATUS_LABELS = {status.value: str(status.label) for status in Status}
GOAL_STATUS_LABELS = {status.value: str(status.label) for status in GoalStatus}


def _api(link: Link, name: str, *args: Any) -> str:
    return link(reverse(f"api:{name}", args=args))


def _page(link: Link, obj: Any) -> str:
    return link(obj.get_absolute_url())


# --- References (the short form of a thing inside another) -------------------------------------


def organisation_ref(org: Organisation, link: Link) -> Json:
    return {"slug": org.slug, "name": org.name, "url": _api(link, "organisation", org.slug)}


def group_ref(group: OrganisationGroup, members: Iterable[Organisation], link: Link) -> Json:
    return {
        "slug": group.slug,
        "name": group.name,
        "kinds": list(group.kinds),
        "members": [organisation_ref(org, link) for org in members],
    }


def period_ref(period: FollowUpPeriod, link: Link) -> Json:
    return {
        "id": period.pk,
        "label": period.label,
        "year": period.year,
        "month": period.month,
        "kind": period.kind,
        "url": _api(link, "period", period.pk),
    }


def goal_ref(goal: Goal, link: Link) -> Json:
    return {
        "plan_year": goal.plan.year,
        "number": goal.number,
        "kind": goal.kind,
        "title": goal.title,
        "url": _api(link, "goal", goal.plan.year, goal.number),
    }


def assignment_ref(assignment: Assignment, link: Link) -> Json:
    """Needs assignment.goal.plan loaded."""
    return {
        "id": assignment.pk,
        "plan_year": assignment.goal.plan.year,
        "goal_number": assignment.goal.number,
        "heading": assignment.heading,
        "number": assignment.number or None,
        "kind": assignment.kind,
        "title": assignment.title,
        "url": _api(link, "assignment", assignment.pk),
    }


def report_json(
    report: Report, link: Link, *, with_period: bool = True, with_assignment: bool = False
) -> Json:
    data: Json = {"id": report.pk}
    if with_assignment:
        data["assignment"] = assignment_ref(report.assignment, link)
    if with_period:
        data["period"] = period_ref(report.period, link)
    data.update(
        {
            "compiled": report.organisation_id is None,
            "organisation": (
                organisation_ref(report.organisation, link) if report.organisation else None
            ),
            "status": report.status,
            "status_label": STATUS_LABELS.get(report.status, STATUS_LABELS[Status.UNKNOWN]),
            "assessment_label": report.assessment_label,
            "assessment": report.assessment,
        }
    )
    return data


def _report_order(report: Report) -> tuple:
    return (
        period_sort_key(report.period),
        report.organisation_id is not None,
        report.organisation.name if report.organisation else "",
    )


# --- Organisations --------------------------------------------------------------------------------


def _organisation_json(org: Organisation, link: Link) -> Json:
    return {
        "slug": org.slug,
        "name": org.name,
        "short_name": org.short_name,
        "kind": org.kind,
        "kind_label": str(org.get_kind_display()),
        "aliases": [
            {"alias": a.alias, "kind": a.kind}
            for a in sorted(org.aliases.all(), key=lambda a: a.alias)
        ],
        "active_from": org.active_from,
        "active_until": org.active_until,
        "successor": organisation_ref(org.successor, link) if org.successor else None,
        "website": org.website,
        "url": _api(link, "organisation", org.slug),
        "html_url": _page(link, org),
    }


def organisations(link: Link) -> list[Json]:
    """Every organisation by name. Two queries."""
    rows = Organisation.objects.select_related("successor").prefetch_related("aliases")
    return [_organisation_json(org, link) for org in rows.order_by("name")]


def organisation(slug: str, link: Link) -> Json | None:
    """One organisation with its groups and the assignments that name it. Six queries."""
    org = (
        Organisation.objects.select_related("successor")
        .prefetch_related("aliases", "predecessors")
        .filter(slug=slug)
        .first()
    )
    if org is None:
        return None
    data = _organisation_json(org, link)
    data["description"] = org.description
    data["predecessors"] = [
        organisation_ref(p, link) for p in sorted(org.predecessors.all(), key=lambda p: p.name)
    ]
    data["groups"] = [
        {"slug": g.slug, "name": g.name}
        for g in OrganisationGroup.objects.order_by("name")
        if org.kind in g.kinds
    ]
    ordering = ("-goal__plan__year", "goal__order", "goal__number", "order", "pk")
    data["responsible_for"] = [
        assignment_ref(a, link)
        for a in org.responsible_for.select_related("goal__plan").order_by(*ordering)
    ]
    data["affected_by"] = [
        assignment_ref(a, link)
        for a in org.affected_by.select_related("goal__plan").order_by(*ordering)
    ]
    return data


# --- Plans and goals ------------------------------------------------------------------------------


def _plan_json(plan: Plan, periods: Sequence[FollowUpPeriod], link: Link) -> Json:
    return {
        "year": plan.year,
        "title": plan.title,
        "last_year": plan.last_year,
        "decision_case_number": plan.decision_case_number,
        "decision_date": plan.decision_date,
        "periods": [period_ref(p, link) for p in periods],
        "url": _api(link, "plan", plan.year),
        "goals_url": _api(link, "goals", plan.year),
        "html_url": _page(link, plan),
    }


def _periods_by_plan(all_periods: Sequence[FollowUpPeriod]) -> dict[int, list[FollowUpPeriod]]:
    by_plan: dict[int, list[FollowUpPeriod]] = defaultdict(list)
    for period in all_periods:  # oldest first
        by_plan[period.plan_id].append(period)
    return by_plan


def plans(link: Link) -> list[Json]:
    """Every plan, newest first, with its published periods. Two queries."""
    by_plan = _periods_by_plan(all_published_periods())
    rows = Plan.objects.annotate(goal_count=Count("goals")).order_by("-year")
    result = []
    for plan in rows:
        data = _plan_json(plan, by_plan.get(plan.pk, []), link)
        data["goal_count"] = plan.goal_count
        result.append(data)
    return result


def goal_follow_ups(
    goals: Sequence[Goal], plan: Plan, all_periods: Sequence[FollowUpPeriod], link: Link
) -> dict[int, list[Json]]:
    """Per goal: its follow-up in each published period of the plan, oldest first — status,
    trend (computed against the previous period, as the pages do), the summary sentence and
    counts of the compiled statuses of council assignments, and the assessment.
    At most three queries for any number of goals and periods."""
    periods = [p for p in all_periods if p.plan_id == plan.pk]
    if not goals or not periods:
        return {goal.pk: [] for goal in goals}
    period_ids = [p.pk for p in periods]
    goal_ids = [g.pk for g in goals]
    follow_ups = {
        (f.goal_id, f.period_id): f
        for f in GoalFollowUp.objects.filter(goal_id__in=goal_ids, period_id__in=period_ids)
    }
    counts: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    rows = (
        Report.objects.filter(
            period_id__in=period_ids, organisation__isnull=True, assignment__goal_id__in=goal_ids
        )
        .exclude(assignment__kind=AssignmentKind.BOARD_GOAL)
        .values_list("assignment__goal_id", "period_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for goal_id, period_id, status, n in rows:
        status = status if status in Status.values else Status.UNKNOWN
        per = counts[(goal_id, period_id)]
        per[status] = per.get(status, 0) + n
    # The plan's first period compares with the previous plan's last (goals matched by number).
    first_previous = previous_period(periods[0], all_periods)
    earlier_statuses = previous_goal_statuses(first_previous)

    result: dict[int, list[Json]] = {}
    for goal in goals:
        entries = []
        for period in periods:
            follow_up = follow_ups.get((goal.pk, period.pk))
            previous = previous_period(period, all_periods)
            if previous is not None and previous.plan_id == plan.pk:
                before = follow_ups.get((goal.pk, previous.pk))
                previous_status = before.status if before else ""
            else:
                previous_status = earlier_statuses.get(goal.number, "")
            trend = goal_trend(follow_up, previous_status, previous)
            status_counts = StatusCounts(**counts.get((goal.pk, period.pk), {}))
            status = follow_up.status if follow_up and follow_up.status else None
            entries.append(
                {
                    "period": period_ref(period, link),
                    "status": status,
                    "status_label": GOAL_STATUS_LABELS[status] if status else None,
                    "trend": trend.value if trend else None,
                    "trend_label": str(trend.label) if trend else None,
                    "trend_computed": trend.computed if trend else None,
                    "summary": summary_sentence(status_counts, goal.kind_definite),
                    "counts": status_counts.as_dict(),
                    "assessment": follow_up.assessment if follow_up else "",
                    "published_summary": follow_up.published_summary if follow_up else "",
                }
            )
        result[goal.pk] = entries
    return result


def _goal_json(goal: Goal, follow_ups: list[Json], link: Link) -> Json:
    return {
        "plan_year": goal.plan.year,
        "number": goal.number,
        "kind": goal.kind,
        "kind_label": str(goal.get_kind_display()),
        "title": goal.title,
        "short_title": goal.short_title,
        "latest_follow_up": follow_ups[-1] if follow_ups else None,
        "url": _api(link, "goal", goal.plan.year, goal.number),
        "csv_url": _api(link, "goal-follow-up-csv", goal.plan.year, goal.number),
        "html_url": _page(link, goal),
    }


def _plan_goals(plan: Plan, all_periods: Sequence[FollowUpPeriod], link: Link) -> list[Json]:
    goals = list(plan.goals.select_related("plan").order_by("order", "number"))
    follow_ups = goal_follow_ups(goals, plan, all_periods, link)
    return [_goal_json(goal, follow_ups[goal.pk], link) for goal in goals]


def plan(year: int, link: Link) -> Json | None:
    """A plan with its goals (latest status each) and published periods. Six queries."""
    plan_obj = Plan.objects.filter(year=year).first()
    if plan_obj is None:
        return None
    all_periods = all_published_periods()
    data = _plan_json(plan_obj, _periods_by_plan(all_periods).get(plan_obj.pk, []), link)
    data["goals"] = _plan_goals(plan_obj, all_periods, link)
    return data


def goals(year: int, link: Link) -> list[Json] | None:
    """The goals of a plan with their latest follow-up. Six queries."""
    plan_obj = Plan.objects.filter(year=year).first()
    if plan_obj is None:
        return None
    return _plan_goals(plan_obj, all_published_periods(), link)


def _compiled_reports(
    goal: Goal, periods: Sequence[FollowUpPeriod]
) -> dict[tuple[int, int], Report]:
    """(assignment id, period id) → compiled report of the goal's assignments. One query."""
    if not periods:
        return {}
    reports = public_reports().filter(
        period_id__in=[p.pk for p in periods], organisation__isnull=True, assignment__goal=goal
    )
    return {(r.assignment_id, r.period_id): r for r in reports}


def _goal_assignments(goal: Goal) -> list[Assignment]:
    return list(
        goal.assignments.select_related("goal__plan")
        .prefetch_related("responsible_organisations", "responsible_groups")
        .order_by("order", "pk")
    )


def goal(year: int, number: str, link: Link) -> Json | None:
    """A goal with sections, assignments (latest published compiled status each) and its
    follow-up in every published period. Ten queries."""
    goal_obj = (
        Goal.objects.select_related("plan")
        .prefetch_related("sections")
        .filter(plan__year=year, number=number)
        .first()
    )
    if goal_obj is None:
        return None
    all_periods = all_published_periods()
    periods = [p for p in all_periods if p.plan_id == goal_obj.plan_id]
    follow_ups = goal_follow_ups([goal_obj], goal_obj.plan, all_periods, link)[goal_obj.pk]
    data = _goal_json(goal_obj, follow_ups, link)
    data["plan"] = {
        "year": goal_obj.plan.year,
        "title": goal_obj.plan.title,
        "url": _api(link, "plan", goal_obj.plan.year),
    }
    data["sections"] = [{"heading": s.heading, "body": s.body} for s in goal_obj.sections.all()]
    compiled = _compiled_reports(goal_obj, periods)
    periods_by_id = {p.pk: p for p in periods}
    assignments = []
    for assignment in _goal_assignments(goal_obj):
        latest = next(
            (
                compiled[(assignment.pk, p.pk)]
                for p in reversed(periods)
                if (assignment.pk, p.pk) in compiled
            ),
            None,
        )
        item = assignment_ref(assignment, link)
        item.update(
            {
                "kind_label": str(assignment.get_kind_display()),
                "counts_in_summary": assignment.counts_in_summary,
                "responsible_organisations": [
                    organisation_ref(org, link)
                    for org in sorted(
                        assignment.responsible_organisations.all(), key=lambda o: o.name
                    )
                ],
                "responsible_groups": [
                    {"slug": g.slug, "name": g.name} for g in assignment.responsible_groups.all()
                ],
                "latest_status": None
                if latest is None
                else {
                    "period": period_ref(periods_by_id[latest.period_id], link),
                    "status": latest.status,
                    "status_label": STATUS_LABELS.get(latest.status),
                },
                "html_url": _page(link, assignment),
            }
        )
        assignments.append(item)
    data["assignments"] = assignments
    data["follow_ups"] = follow_ups
    return data


# --- Assignments ----------------------------------------------------------------------------------


def assignment(pk: int, link: Link) -> Json | None:
    """An assignment with everything the council decided about it and its public reports.
    Nine queries."""
    obj = (
        Assignment.objects.select_related("goal__plan", "carried_over_from__goal__plan")
        .prefetch_related(
            "responsible_organisations",
            "responsible_groups",
            "affected_organisations",
            "affected_groups",
        )
        .filter(pk=pk)
        .first()
    )
    if obj is None:
        return None
    year = obj.goal.plan.year
    groups = list(obj.responsible_groups.all()) + list(obj.affected_groups.all())
    by_kind: dict[str, list[Organisation]] = defaultdict(list)
    if groups:
        for org in Organisation.objects.active_in(year).order_by("name"):
            by_kind[org.kind].append(org)

    def members(group: OrganisationGroup) -> list[Organisation]:
        return sorted(
            (o for kind in group.kinds for o in by_kind.get(kind, [])), key=lambda o: o.name
        )

    reports = sorted(
        public_reports().filter(assignment=obj).select_related("period", "organisation"),
        key=_report_order,
    )
    carried_into = obj.carried_into.select_related("goal__plan").order_by("goal__plan__year", "pk")
    parent = obj.carried_over_from
    return {
        "id": obj.pk,
        "goal": goal_ref(obj.goal, link),
        "heading": obj.heading,
        "number": obj.number or None,
        "kind": obj.kind,
        "kind_label": str(obj.get_kind_display()),
        "counts_in_summary": obj.counts_in_summary,
        "title": obj.title,
        "description": obj.description,
        "origin": {
            "year": obj.origin_year,
            "number": obj.origin_number or None,
            "carried_over_from": assignment_ref(parent, link) if parent else None,
        },
        "carried_into": [assignment_ref(a, link) for a in carried_into],
        "decision": {
            "case_number": obj.decision_case_number or None,
            "paragraph": obj.decision_paragraph or None,
            "body": obj.decision_body or None,
            "date": obj.decision_date,
            "reference": decision_reference(obj) or None,
        },
        "board_goal_code": obj.board_goal_code or None,
        "responsible_organisations": [
            organisation_ref(o, link)
            for o in sorted(obj.responsible_organisations.all(), key=lambda o: o.name)
        ],
        "responsible_groups": [
            group_ref(g, members(g), link) for g in obj.responsible_groups.all()
        ],
        "affected_organisations": [
            organisation_ref(o, link)
            for o in sorted(obj.affected_organisations.all(), key=lambda o: o.name)
        ],
        "affected_groups": [group_ref(g, members(g), link) for g in obj.affected_groups.all()],
        "reports": [report_json(r, link) for r in reports],
        "url": _api(link, "assignment", obj.pk),
        "html_url": _page(link, obj),
    }


# --- Periods and reports --------------------------------------------------------------------------


def _period_json(period: FollowUpPeriod, link: Link) -> Json:
    data = period_ref(period, link)
    data.update(
        {
            "kind_label": str(period.get_kind_display()),
            "plan_year": period.plan.year,
            "published_at": period.published_at,
            # The municipality's publication date (published_at: when Insyn made it public).
            "published_on": period.published_on,
            "reports_url": _api(link, "period-reports", period.pk),
            "html_url": _page(link, period),
        }
    )
    return data


def periods(link: Link) -> list[Json]:
    """Published periods, oldest first. One query."""
    return [_period_json(p, link) for p in all_published_periods()]


def published_period(pk: int) -> FollowUpPeriod | None:
    return published_periods().select_related("plan").filter(pk=pk).first()


def period(pk: int, link: Link) -> Json | None:
    period_obj = published_period(pk)
    if period_obj is None:
        return None
    data = _period_json(period_obj, link)
    data["report_count"] = public_reports().filter(period=period_obj).count()
    return data


@dataclass(frozen=True)
class ReportPage:
    count: int
    results: list[Json]


def period_reports_queryset(period_obj: FollowUpPeriod) -> QuerySet[Report]:
    return (
        public_reports()
        .filter(period=period_obj)
        .select_related("assignment__goal__plan", "organisation", "period")
        .order_by(
            "assignment__goal__order",
            "assignment__goal__number",
            "assignment__order",
            "assignment_id",
            F("organisation__name").asc(nulls_first=True),
            "pk",
        )
    )


def period_reports(
    period_obj: FollowUpPeriod, *, limit: int, offset: int, link: Link
) -> ReportPage:
    """One page of a published period's public reports, compiled first per assignment.
    Two queries."""
    reports = period_reports_queryset(period_obj)
    count = reports.count()
    page = list(reports[offset : offset + limit]) if offset < count else []
    return ReportPage(
        count, [report_json(r, link, with_period=False, with_assignment=True) for r in page]
    )


# --- CSV of a goal's follow-up --------------------------------------------------------------------

CSV_HEADER = [
    "Plan",
    "Mål",
    "Uppdrags-id",
    "Uppdrag",
    "Nummer",
    "Typ",
    "Titel",
    "Uppföljning",
    "Statuskod",
    "Status",
    "Ansvariga",
    "Bedömning",
]


def goal_follow_up_rows(year: int, number: str) -> tuple[Goal, list[list[str]]] | None:
    """One row per assignment × published period of the goal's plan. Six queries."""
    goal_obj = Goal.objects.select_related("plan").filter(plan__year=year, number=number).first()
    if goal_obj is None:
        return None
    periods = [p for p in all_published_periods() if p.plan_id == goal_obj.plan_id]
    compiled = _compiled_reports(goal_obj, periods)
    goal_label = f"{goal_obj.get_kind_display()} {goal_obj.number}. {goal_obj.title}"
    rows = []
    for assignment in _goal_assignments(goal_obj):
        responsible = "; ".join(
            [
                o.name
                for o in sorted(assignment.responsible_organisations.all(), key=lambda o: o.name)
            ]
            + [g.name for g in assignment.responsible_groups.all()]
        )
        for period_obj in periods:
            report = compiled.get((assignment.pk, period_obj.pk))
            status = report.status if report else Status.UNKNOWN
            rows.append(
                [
                    str(goal_obj.plan.year),
                    goal_label,
                    str(assignment.pk),
                    assignment.heading,
                    assignment.number,
                    str(assignment.get_kind_display()),
                    assignment.title,
                    f"{period_obj.label} {period_obj.year}",
                    str(status),
                    STATUS_LABELS.get(status, STATUS_LABELS[Status.UNKNOWN]),
                    responsible,
                    report.assessment if report else "",
                ]
            )
    return goal_obj, rows
