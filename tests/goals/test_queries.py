"""List pages cost a bounded number of queries: the same with ten times the data."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from insyn.accounts.models import Role
from insyn.goals import services
from insyn.goals.models import Assignment, ReportState
from tests.factories import (
    AssignmentFactory,
    GoalFactory,
    MembershipFactory,
    OrganisationFactory,
)
from tests.world import open_period

pytestmark = pytest.mark.django_db


def grow(world, factor: int) -> None:
    """factor more goals × assignments × organisations (the reporter's organisation included)."""
    orgs = [OrganisationFactory() for _ in range(factor)]
    reporter = world.users["reporter"]
    for org in orgs:
        MembershipFactory(user=reporter, role=Role.REPORTER, organisation=org)
    for _ in range(factor):
        goal = GoalFactory(plan=world.plan)
        for _ in range(3):
            AssignmentFactory(goal=goal, responsible=[world.son, *orgs])


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


PAGES = [
    ("reporter", "goals:my_reports", lambda w: []),
    ("compiler", "goals:index", lambda w: []),
    ("compiler", "goals:period", lambda w: [w.period.pk]),
    ("compiler", "goals:compile_overview", lambda w: [w.period.pk]),
    ("compiler", "goals:compile_assignment", lambda w: [w.period.pk, w.assignments[2].pk]),
]


@pytest.mark.parametrize(("role", "name", "args"), PAGES)
def test_it_keeps_list_pages_bounded(
    world, as_user, role, name, args, django_assert_max_num_queries
):
    grow(world, 1)
    open_period(world)
    client = as_user(world.users[role])
    url = reverse(name, args=args(world))
    small = count(client, url)

    grow(world, 9)  # ten times the goals, assignments, organisations and reports
    assignments = list(Assignment.objects.filter(goal__plan=world.plan))
    services._drafts_for_open_periods(world.plan, assignments, world.users["admin"])
    world.period.reports.filter(organisation__isnull=False).update(state=ReportState.SUBMITTED)
    assert world.period.reports.count() > 10 * 8
    client = as_user(world.users[role])
    with django_assert_max_num_queries(small + 2):
        client.get(url)


def test_it_fetches_nothing_per_row_when_exporting(world, as_user):
    grow(world, 1)
    open_period(world)
    client = as_user(world.users["compiler"])
    url = reverse("goals:period_export", args=[world.period.pk, "xlsx"])
    small = count(client, url)
    grow(world, 9)
    assert count(client, url) <= small + 2
