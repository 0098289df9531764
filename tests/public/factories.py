"""A whole published follow-up world for public page tests, in any size.

`build_world(goals=2, assignments=3, organisations=3)` makes, for plan 2023: boards and a
company (with aliases), the group "Alla nämnder och bolag", goals with description sections and
assignments of every kind (council, remaining carried over from plan 2022, additional with a
decision, a board goal), responsible and affected organisations and groups, and three periods:
April and August published (goal statuses yellow then green, compiled and per-organisation
reports) and a third one still open whose every text is SECRET (it must never be shown).
`grow(world, ...)` adds more of the same, for the ten-times-the-data query-count tests.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from insyn.goals.models import (
    Assignment,
    AssignmentKind,
    FollowUpPeriod,
    Goal,
    GoalStatus,
    PeriodKind,
    PeriodState,
    Plan,
    ReportState,
    Status,
)
from insyn.organisations.models import Organisation, OrganisationGroup, OrganisationKind
from tests.factories import (
    AssignmentFactory,
    CompanyFactory,
    GoalFactory,
    GoalFollowUpFactory,
    GoalSectionFactory,
    MunicipalityFactory,
    OrganisationAliasFactory,
    OrganisationFactory,
    OrganisationGroupFactory,
    PeriodFactory,
    PlanFactory,
    ReportFactory,
)

SECRET = "HEMLIGT-UTKAST"  # appears only in unpublished material
NOT_SUBMITTED = "ALDRIG-INLÄMNAT"  # an organisation's draft inside a published period
STATUS_CYCLE = [
    Status.ON_TRACK,
    Status.ON_TRACK,
    Status.COMPLETED,
    Status.DELAYED,
    Status.NOT_DONE,
    Status.ON_TRACK,
]


@dataclass
class World:
    plan: Plan
    previous_plan: Plan
    april: FollowUpPeriod
    august: FollowUpPeriod
    draft: FollowUpPeriod
    previous_period: FollowUpPeriod
    group: OrganisationGroup
    organisations: list[Organisation] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    previous_assignment: Assignment | None = None


def build_world(
    *, goals: int = 2, assignments: int = 3, organisations: int = 3, year: int = 2023
) -> World:
    MunicipalityFactory(contact_email="kontakt@example.org")
    plan = PlanFactory(year=year)
    previous_plan = PlanFactory(year=year - 1)
    now = timezone.now()
    world = World(
        plan=plan,
        previous_plan=previous_plan,
        april=PeriodFactory(
            plan=plan,
            kind=PeriodKind.APRIL,
            label="Uppföljning per april",
            month=4,
            published_at=now - dt.timedelta(days=120),
        ),
        august=PeriodFactory(
            plan=plan, kind=PeriodKind.AUGUST, published_at=now - dt.timedelta(days=10)
        ),
        draft=PeriodFactory(
            plan=plan,
            kind=PeriodKind.ANNUAL,
            label="Årsbokslut",
            month=None,
            state=PeriodState.OPEN,
            published_at=None,
        ),
        previous_period=PeriodFactory(
            plan=previous_plan,
            kind=PeriodKind.ANNUAL,
            label="Årsbokslut",
            month=None,
            published_at=now - dt.timedelta(days=300),
        ),
        group=OrganisationGroupFactory(),
    )
    world.organisations.append(
        OrganisationFactory(
            name="Kommunstyrelsen",
            slug="kommunstyrelsen",
            short_name="KS",
            kind=OrganisationKind.EXECUTIVE_BOARD,
        )
    )
    grow(world, goals=goals, assignments=assignments, organisations=organisations)
    return world


def _add_organisations(world: World, n: int) -> None:
    start = len(world.organisations)
    for i in range(start, start + n):
        if i % 3 == 2:
            org = CompanyFactory()
        else:
            org = OrganisationFactory()
            OrganisationAliasFactory(organisation=org, alias=f"ALT{org.pk}")
        world.organisations.append(org)


def grow(world: World, *, goals: int, assignments: int, organisations: int = 0) -> World:
    """Add `goals` goals with `assignments` assignments each (and more organisations)."""
    _add_organisations(world, organisations)
    orgs = world.organisations
    for _ in range(goals):
        number = str(len(world.goals) + 1)
        goal = GoalFactory(
            plan=world.plan,
            number=number,
            order=len(world.goals) + 1,
            title=f"Uppsala ska nå mål {number}",
        )
        GoalSectionFactory(
            goal=goal, order=1, heading="Målbeskrivning", body=f"Beskrivning av mål {number}."
        )
        GoalSectionFactory(
            goal=goal,
            order=2,
            heading="Välkomna och inkluderade",
            body="Alla ska känna sig välkomna.",
        )
        GoalFollowUpFactory(
            goal=goal,
            period=world.april,
            status=GoalStatus.YELLOW,
            assessment="Målet bedöms bli delvis uppfyllt.",
        )
        GoalFollowUpFactory(
            goal=goal,
            period=world.august,
            status=GoalStatus.GREEN,
            assessment=f"Mål {number} bedöms bli uppfyllt vid årets slut.",
        )
        GoalFollowUpFactory(
            goal=goal,
            period=world.draft,
            status=GoalStatus.RED,
            assessment=f"{SECRET} målbedömning",
        )
        previous_goal = GoalFactory(
            plan=world.previous_plan, number=number, title=f"Förra årets mål {number}"
        )
        GoalFollowUpFactory(goal=previous_goal, period=world.previous_period, status=GoalStatus.RED)
        world.goals.append(goal)
        for j in range(assignments):
            _add_assignment(world, goal, previous_goal, j, orgs)
    return world


def add_assignments(world: World, goal: Goal, n: int) -> None:
    """Add n assignments (of every kind, with reports) to an existing goal."""
    previous_goal = Goal.objects.get(plan=world.previous_plan, number=goal.number)
    start = goal.assignments.count()
    for j in range(start, start + n):
        _add_assignment(world, goal, previous_goal, j, world.organisations)


def ten_times(world: World) -> World:
    """Ten times the data of the small world: goals, organisations, and assignments of the
    first goal (whose pages the query-count tests then load again)."""
    goals, per_goal = len(world.goals), world.goals[0].assignments.count()
    _add_organisations(world, 9 * len(world.organisations))
    grow(world, goals=9 * goals, assignments=per_goal)
    add_assignments(world, world.goals[0], 9 * per_goal)
    return world


def _add_assignment(
    world: World, goal: Goal, previous_goal: Goal, j: int, orgs: list[Organisation]
) -> None:
    n = len(world.assignments)
    kind = AssignmentKind.COUNCIL
    extra: dict = {}
    if j % 6 == 1:
        kind = AssignmentKind.ADDITIONAL
        extra = {
            "decision_case_number": f"KSN-2022-{n:05d}",
            "decision_paragraph": "§379",
            "decision_body": "KF",
            "decision_date": dt.date(2022, 6, 13),
        }
    elif j % 6 == 3:
        kind = AssignmentKind.BOARD_GOAL
        extra = {"board_goal_code": f"NB 1.{j}"}
    elif j % 6 == 4:
        kind = AssignmentKind.REMAINING
        old = AssignmentFactory(
            goal=previous_goal, number=str(100 + n), title=f"Förra årets uppdrag {n}"
        )
        ReportFactory(
            assignment=old,
            period=world.previous_period,
            status=Status.DELAYED,
            assessment=f"Förra året gick uppdrag {n} långsamt.",
        )
        world.previous_assignment = old
        extra = {
            "origin_year": world.previous_plan.year,
            "origin_number": old.number,
            "carried_over_from": old,
        }
    assignment = AssignmentFactory(
        goal=goal,
        kind=kind,
        order=j,
        number="" if kind != AssignmentKind.COUNCIL else str(n + 1),
        title=f"Uppdrag nummer {n} ska genomföras",
        **extra,
    )
    responsible = [orgs[n % len(orgs)], orgs[(n + 1) % len(orgs)]]
    assignment.responsible_organisations.set(responsible)
    assignment.affected_organisations.set([orgs[(n + 2) % len(orgs)]])
    if j % 3 == 0:
        assignment.responsible_groups.set([world.group])
        assignment.affected_groups.set([world.group])
    world.assignments.append(assignment)

    for period, status in (
        (world.april, Status.ON_TRACK),
        (world.august, STATUS_CYCLE[n % len(STATUS_CYCLE)]),
    ):
        ReportFactory(
            assignment=assignment,
            period=period,
            status=status,
            assessment=f"Sammanställd bedömning {n} för {period.label}.",
        )
        for org in responsible:
            ReportFactory(
                assignment=assignment,
                period=period,
                organisation=org,
                status=status,
                state=ReportState.APPROVED,
                assessment=f"{org.name} rapporterar om uppdrag {n}.",
            )
    # The open period: everything secret.
    ReportFactory(
        assignment=assignment,
        period=world.draft,
        status=Status.NOT_DONE,
        state=ReportState.SUBMITTED,
        assessment=f"{SECRET} sammanställd {n}",
    )
    ReportFactory(
        assignment=assignment,
        period=world.draft,
        organisation=responsible[0],
        status=Status.NOT_DONE,
        state=ReportState.APPROVED,
        assessment=f"{SECRET} från organisation {n}",
    )
    # A published period, but an organisation that never handed in its draft.
    if len(orgs) > 2:
        unsubmitted = orgs[(n + 2) % len(orgs)]
        ReportFactory(
            assignment=assignment,
            period=world.august,
            organisation=unsubmitted,
            status=Status.NOT_DONE,
            state=ReportState.DRAFT,
            assessment=f"{NOT_SUBMITTED} {n}",
        )
