"""A small municipality for the reporting workflow: boards and companies, a plan with two goals
and assignments, a published previous period, and one user per role."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from insyn.accounts.models import Role
from insyn.accounts.testing import login_verified
from insyn.goals.models import PeriodKind, PeriodState, ReportState, Status
from insyn.organisations.models import OrganisationKind
from tests.factories import (
    AssignmentFactory,
    GoalFactory,
    GoalFollowUpFactory,
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    OrganisationGroupFactory,
    PeriodFactory,
    PlanFactory,
    ReportFactory,
    UserFactory,
)


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
    MunicipalityFactory()
    ks = OrganisationFactory(
        name="Kommunstyrelsen",
        slug="kommunstyrelsen",
        kind=OrganisationKind.EXECUTIVE_BOARD,
        short_name="KS",
    )
    son = OrganisationFactory(name="Socialnämnden", slug="socialnamnden", short_name="SON")
    ubn = OrganisationFactory(
        name="Utbildningsnämnden", slug="utbildningsnamnden", short_name="UBN"
    )
    company = OrganisationFactory(
        name="Uppsalahem AB",
        slug="uppsalahem-ab",
        kind=OrganisationKind.COMPANY,
        short_name="UH",
        email="rapport@uppsalahem.example",
    )
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
        "admin": MembershipFactory(
            role=Role.ADMIN, organisation=None, user=UserFactory(username="admin1")
        ).user,
        "compiler": MembershipFactory(
            role=Role.COMPILER, organisation=None, user=UserFactory(username="compiler1")
        ).user,
        "reader": MembershipFactory(
            role=Role.READER, organisation=None, user=UserFactory(username="reader1")
        ).user,
        "reporter": MembershipFactory(
            role=Role.REPORTER, organisation=son, user=UserFactory(username="reporter-son")
        ).user,
        "reporter_company": MembershipFactory(
            role=Role.REPORTER, organisation=company, user=UserFactory(username="reporter-uh")
        ).user,
        "reporter_foreign": MembershipFactory(
            role=Role.REPORTER, organisation=ubn, user=UserFactory(username="reporter-ubn")
        ).user,
        "dialogue_officer": MembershipFactory(
            role=Role.DIALOGUE_OFFICER, organisation=None, user=UserFactory(username="dialog1")
        ).user,
        "contact_centre": MembershipFactory(
            role=Role.CONTACT_CENTRE, organisation=None, user=UserFactory(username="kc1")
        ).user,
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


@pytest.fixture
def world(db) -> World:
    return make_world()


@pytest.fixture
def as_user(client):
    """as_user(user) logs the test client in (administrators with a verified second factor)."""

    def login(user):
        client.logout()
        login_verified(client, user)
        return client

    return login


def open_period(world: World) -> None:
    from insyn.goals import services

    services.period_open(period=world.period, by=world.users["admin"])
    world.period.refresh_from_db()


def submit_all(world: World, *, status: str = Status.ON_TRACK) -> None:
    """Every organisation report of the period submitted (directly, for setting up)."""
    world.period.reports.filter(organisation__isnull=False).update(
        state=ReportState.SUBMITTED, status=status, assessment="Klart enligt plan."
    )


# The shared browser fixtures (Debian Chromium via Playwright), for tests/goals/test_browser_*.
from tests.browser.conftest import browser, browser_context, page  # noqa: E402, F401
