"""The open-data world: a 2023 plan whose one goal has an assignment of every kind, published
April and August periods and an unpublished annual one. Built from the one test world's cast
and its SECRET (tests/world.py); what only these tests need (Kulturnämnden, goal 4's texts)
is made here with the same factories."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from insyn.goals.models import (
    AssignmentKind,
    FollowUpPeriod,
    Goal,
    GoalStatus,
    PeriodKind,
    PeriodState,
    Plan,
    ReportState,
    Status,
    Trend,
)
from insyn.organisations.models import Organisation, OrganisationGroup
from tests.factories import (
    AssignmentFactory,
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
    UserFactory,
)
from tests.world import SECRET, organisation


@dataclass
class World:
    plan: Plan
    goal: Goal
    april: FollowUpPeriod
    august: FollowUpPeriod
    draft: FollowUpPeriod
    board: Organisation
    company: Organisation
    group: OrganisationGroup
    assignments: list


@pytest.fixture
def world(db) -> World:
    """A 2023 plan, goal 4 with three assignments, published April and August periods, and a
    draft annual period (and draft reports) whose texts all contain SECRET."""
    MunicipalityFactory()
    user = UserFactory(username="handlaggare", email="handlaggare@uppsala.example")
    board = OrganisationFactory(
        name="Kulturnämnden",
        slug="kulturnamnden",
        short_name="KTN",
        email="kultur-notiser@uppsala.example",
        active_from=2019,
    )
    OrganisationAliasFactory(organisation=board, alias="Kulturnämnd")
    company = organisation("uppsalahem")
    group = OrganisationGroupFactory()
    plan = PlanFactory(
        year=2023, decision_case_number="KSN-2022-01202", decision_date=dt.date(2022, 6, 13)
    )
    goal = GoalFactory(plan=plan, number="4", title="Uppsala ska bli tryggare")
    GoalSectionFactory(goal=goal, order=1, heading="Målbeskrivning", body="Trygghet för alla.")
    council = AssignmentFactory(
        goal=goal, number="20", title="Förebygga brott", responsible=[board]
    )
    council.affected_organisations.set([company])
    remaining = AssignmentFactory(
        goal=goal,
        number="",
        kind=AssignmentKind.REMAINING,
        origin_year=2022,
        origin_number="19",
        title="Fritidsgårdar",
    )
    remaining.responsible_groups.set([group])
    additional = AssignmentFactory(
        goal=goal,
        number="",
        kind=AssignmentKind.ADDITIONAL,
        title="Trygghetsvandringar",
        decision_case_number="KSN-2019-03835",
        decision_paragraph="§379",
        decision_body="KF",
        decision_date=dt.date(2019, 12, 9),
        responsible=[company],
    )
    board_goal = AssignmentFactory(
        goal=goal,
        number="",
        kind=AssignmentKind.BOARD_GOAL,
        board_goal_code="NB 1.1",
        title="Attraktiv arbetsgivare",
        responsible=[board, company],
    )
    april = PeriodFactory(plan=plan, kind=PeriodKind.APRIL, label="Uppföljning per april", month=4)
    august = PeriodFactory(plan=plan)
    draft = PeriodFactory(
        plan=plan,
        kind=PeriodKind.ANNUAL,
        label=f"Årsbokslut {SECRET}",
        month=None,
        state=PeriodState.CLOSED,
        published_at=None,
    )

    ReportFactory(
        assignment=council,
        period=april,
        status=Status.ON_TRACK,
        assessment="I april pågick arbetet.",
    )
    GoalFollowUpFactory(
        goal=goal,
        period=april,
        status=GoalStatus.RED,
        assessment="Svårt läge i april.",
        stated_trend=Trend.WORSENED,
    )
    for assignment, status in (
        (council, Status.COMPLETED),
        (remaining, Status.DELAYED),
        (additional, Status.ON_TRACK),
        (board_goal, Status.ON_TRACK),
    ):
        ReportFactory(
            assignment=assignment,
            period=august,
            status=status,
            assessment=f"Sammanställd bedömning av {assignment.title}.",
            submitted_by=user,
        )
    ReportFactory(
        assignment=council,
        period=august,
        organisation=board,
        status=Status.COMPLETED,
        state=ReportState.APPROVED,
        assessment="Kulturnämnden är klar.",
        submitted_by=user,
    )
    # Handed in: not yet; so never public even though August is published.
    ReportFactory(
        assignment=council,
        period=august,
        organisation=company,
        state=ReportState.DRAFT,
        assessment=f"{SECRET} utkast från bolaget.",
    )
    GoalFollowUpFactory(
        goal=goal,
        period=august,
        status=GoalStatus.YELLOW,
        assessment="Målet bedöms bli delvis uppfyllt.",
    )
    # Everything in the unpublished period.
    for assignment in (council, remaining, additional, board_goal):
        ReportFactory(
            assignment=assignment,
            period=draft,
            status=Status.NOT_DONE,
            assessment=f"{SECRET} sammanställd bedömning.",
        )
        ReportFactory(
            assignment=assignment,
            period=draft,
            organisation=board,
            status=Status.NOT_DONE,
            state=ReportState.APPROVED,
            assessment=f"{SECRET} nämndens bedömning.",
        )
    GoalFollowUpFactory(
        goal=goal,
        period=draft,
        status=GoalStatus.GREEN,
        assessment=f"{SECRET} målbedömning.",
        published_summary=f"{SECRET} sammanfattning.",
    )
    return World(
        plan,
        goal,
        april,
        august,
        draft,
        board,
        company,
        group,
        [council, remaining, additional, board_goal],
    )
