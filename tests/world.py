"""The one test world: a municipality's named cast (organisations and staff personas) and the
worlds built from it.

Personas are the people of the staff side, each with one role (and organisation), named so that
a failing test reads like a story:

    persona("reporter")  ->  Rita Rapportör, reporter for Socialnämnden (username reporter-son)

Worlds:
- `make_world()`: the reporting workflow — KS, SON, UBN and Uppsalahem, plan 2023 with two goals
  and three assignments, a published April period, a planned August period, and every persona;
- `build_world(goals=, assignments=, organisations=)`: a whole published follow-up in any size
  for the public pages (with `grow`, `add_assignments` and `ten_times` for the query-count tests),
  where everything unpublished contains SECRET.
Both start from the same cast (`organisation("ks")`, …) and the same factories (tests/factories.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from insyn.accounts.models import Role
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
    MembershipFactory,
    MunicipalityFactory,
    OrganisationAliasFactory,
    OrganisationFactory,
    OrganisationGroupFactory,
    PeriodFactory,
    PlanFactory,
    ReportFactory,
    UserFactory,
)

# --- The cast ------------------------------------------------------------------------------------

ORGANISATIONS: dict[str, dict[str, Any]] = {
    "ks": {
        "name": "Kommunstyrelsen",
        "slug": "kommunstyrelsen",
        "kind": OrganisationKind.EXECUTIVE_BOARD,
        "short_name": "KS",
    },
    "son": {"name": "Socialnämnden", "slug": "socialnamnden", "short_name": "SON"},
    "ubn": {"name": "Utbildningsnämnden", "slug": "utbildningsnamnden", "short_name": "UBN"},
    "uppsalahem": {
        "name": "Uppsalahem AB",
        "slug": "uppsalahem-ab",
        "kind": OrganisationKind.COMPANY,
        "short_name": "UH",
        "email": "rapport@uppsalahem.example",
    },
}


def organisation(key: str, **overrides: Any) -> Organisation:
    """One of the cast's organisations (see ORGANISATIONS)."""
    return OrganisationFactory(**{**ORGANISATIONS[key], **overrides})


@dataclass(frozen=True)
class Persona:
    username: str
    first_name: str
    last_name: str
    role: str
    organisation: str | None = None  # a key of ORGANISATIONS, for roles held for one

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


PERSONAS: dict[str, Persona] = {
    "admin": Persona("admin1", "Ada", "Administratör", Role.ADMIN),
    "compiler": Persona("compiler1", "Kim", "Kompilator", Role.COMPILER),
    "reader": Persona("reader1", "Lisa", "Läsare", Role.READER),
    "reporter": Persona("reporter-son", "Rita", "Rapportör", Role.REPORTER, "son"),
    "reporter_company": Persona("reporter-uh", "Bo", "Bolagsson", Role.REPORTER, "uppsalahem"),
    "reporter_foreign": Persona("reporter-ubn", "Ulf", "Utbildare", Role.REPORTER, "ubn"),
    "dialogue_officer": Persona("dialog1", "Dina", "Dialogsson", Role.DIALOGUE_OFFICER),
    "contact_centre": Persona("kc1", "Kent", "Kontaktcenter", Role.CONTACT_CENTRE),
}


def persona(key: str, organisation: Organisation | None = None) -> Any:
    """The persona's user with their one membership (`organisation` for a role held for one)."""
    p = PERSONAS[key]
    # Only the username is stored: pages name staff by it, and the tests read it there.
    user = UserFactory(username=p.username)
    MembershipFactory(role=p.role, organisation=organisation, user=user)
    return user


# --- The reporting workflow --------------------------------------------------------------------


@dataclass
class World:
    plan: Any
    goals: list[Any]
    assignments: list[Any]
    ks: Any
    son: Any
    ubn: Any
    company: Any
    previous: Any
    period: Any
    users: dict[str, Any]


def make_world(*, year: int = 2023) -> World:
    """A small municipality for the reporting workflow: boards and a company, a plan with two
    goals and assignments, a published previous period, and every persona."""
    MunicipalityFactory()
    orgs = {key: organisation(key) for key in ("ks", "son", "ubn", "uppsalahem")}
    ks, son, ubn, company = orgs["ks"], orgs["son"], orgs["ubn"], orgs["uppsalahem"]
    all_group = OrganisationGroupFactory()
    plan = PlanFactory(year=year)
    goal1 = GoalFactory(plan=plan, number="1", title="Hållbar stad")
    goal2 = GoalFactory(plan=plan, number="2", title="Trygg uppväxt")
    a1 = AssignmentFactory(goal=goal1, number="1", responsible=[son, company])
    a2 = AssignmentFactory(goal=goal1, number="2", responsible=[ks])
    a3 = AssignmentFactory(goal=goal2, number="3")
    a3.responsible_groups.set([all_group])
    previous = PeriodFactory(
        plan=plan,
        kind=PeriodKind.APRIL,
        label="Uppföljning per april",
        month=4,
        state=PeriodState.PUBLISHED,
        deadline=dt.date(year, 5, 1),
    )
    ReportFactory(
        assignment=a1,
        period=previous,
        organisation=son,
        status=Status.DELAYED,
        assessment="SON: arbetet är försenat i april.",
    )
    ReportFactory(
        assignment=a1, period=previous, status=Status.DELAYED, assessment="Sammanställt i april."
    )
    GoalFollowUpFactory(goal=goal1, period=previous)
    period = PeriodFactory(
        plan=plan,
        kind=PeriodKind.AUGUST,
        state=PeriodState.PLANNED,
        published_at=None,
        label="Delårsuppföljning per augusti",
        deadline=timezone.localdate() + dt.timedelta(days=20),
    )
    users = {
        key: persona(key, orgs[p.organisation] if p.organisation else None)
        for key, p in PERSONAS.items()
    }
    return World(
        plan=plan,
        goals=[goal1, goal2],
        assignments=[a1, a2, a3],
        ks=ks,
        son=son,
        ubn=ubn,
        company=company,
        previous=previous,
        period=period,
        users=users,
    )


def open_period(world: World) -> None:
    from insyn.goals import services

    services.period_open(period=world.period, by=world.users["admin"])
    world.period.refresh_from_db()


def submit_all(world: World, *, status: str = Status.ON_TRACK) -> None:
    """Every organisation report of the period submitted (directly, for setting up)."""
    world.period.reports.filter(organisation__isnull=False).update(
        state=ReportState.SUBMITTED, status=status, assessment="Klart enligt plan."
    )


# --- A published follow-up in any size (the public pages) ------------------------------------

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
class PublishedWorld:
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
) -> PublishedWorld:
    MunicipalityFactory(contact_email="kontakt@example.org")
    plan = PlanFactory(year=year)
    previous_plan = PlanFactory(year=year - 1)
    now = timezone.now()
    world = PublishedWorld(
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
    world.organisations.append(organisation("ks"))
    grow(world, goals=goals, assignments=assignments, organisations=organisations)
    return world


def _add_organisations(world: PublishedWorld, n: int) -> None:
    start = len(world.organisations)
    for i in range(start, start + n):
        if i % 3 == 2:
            org = CompanyFactory()
        else:
            org = OrganisationFactory()
            OrganisationAliasFactory(organisation=org, alias=f"ALT{org.pk}")
        world.organisations.append(org)


def grow(
    world: PublishedWorld, *, goals: int, assignments: int, organisations: int = 0
) -> PublishedWorld:
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


def add_assignments(world: PublishedWorld, goal: Goal, n: int) -> None:
    """Add n assignments (of every kind, with reports) to an existing goal."""
    previous_goal = Goal.objects.get(plan=world.previous_plan, number=goal.number)
    start = goal.assignments.count()
    for j in range(start, start + n):
        _add_assignment(world, goal, previous_goal, j, world.organisations)


def ten_times(world: PublishedWorld) -> PublishedWorld:
    """Ten times the data of the small world: goals, organisations, and assignments of the
    first goal (whose pages the query-count tests then load again)."""
    goals, per_goal = len(world.goals), world.goals[0].assignments.count()
    _add_organisations(world, 9 * len(world.organisations))
    grow(world, goals=9 * goals, assignments=per_goal)
    add_assignments(world, world.goals[0], 9 * per_goal)
    return world


def _add_assignment(
    world: PublishedWorld, goal: Goal, previous_goal: Goal, j: int, orgs: list[Organisation]
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
