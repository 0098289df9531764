"""Every list endpoint costs the same number of queries with ten times the data."""

from __future__ import annotations

import pytest

from insyn.goals.models import PeriodKind, ReportState
from tests.factories import (
    AssignmentFactory,
    GoalFactory,
    GoalFollowUpFactory,
    GoalSectionFactory,
    OrganisationAliasFactory,
    OrganisationFactory,
    OrganisationGroupFactory,
    PeriodFactory,
    PlanFactory,
    ReportFactory,
)

pytestmark = pytest.mark.django_db


def build(n: int) -> dict:
    """n goals with two assignments each, n + 6 organisations, two published periods with
    compiled and per-organisation reports for every assignment."""
    organisations = OrganisationFactory.create_batch(n + 6)
    for org in organisations:
        OrganisationAliasFactory(organisation=org)
    group = OrganisationGroupFactory()
    plan = PlanFactory(year=2023)
    periods = [
        PeriodFactory(plan=plan, kind=PeriodKind.APRIL, label="April", month=4),
        PeriodFactory(plan=plan),
    ]
    assignment = None
    for g in range(n):
        goal = GoalFactory(plan=plan, number=str(g + 1))
        GoalSectionFactory(goal=goal)
        for period in periods:
            GoalFollowUpFactory(goal=goal, period=period)
        for _ in range(2):
            assignment = AssignmentFactory(goal=goal, responsible=organisations[:3])
            assignment.affected_organisations.set(organisations[3:6])
            assignment.responsible_groups.set([group])
            for period in periods:
                ReportFactory(assignment=assignment, period=period)
                for org in organisations[:2]:
                    ReportFactory(
                        assignment=assignment,
                        period=period,
                        organisation=org,
                        state=ReportState.SUBMITTED,
                    )
    return {"period": periods[1], "assignment": assignment, "org": organisations[0]}


ENDPOINTS = [
    ("/api/v1/organisations", 3),
    ("/api/v1/organisations/{org}", 8),
    ("/api/v1/plans", 3),
    ("/api/v1/plans/2023", 7),
    ("/api/v1/plans/2023/goals", 7),
    ("/api/v1/plans/2023/goals/1", 11),
    ("/api/v1/plans/2023/goals/1/follow-up.csv", 7),
    ("/api/v1/assignments/{assignment}", 10),
    ("/api/v1/periods", 2),
    ("/api/v1/periods/{period}", 3),
    ("/api/v1/periods/{period}/reports", 4),
    ("/api/v1/periods/{period}/reports?limit=1000", 4),
]


@pytest.mark.parametrize("n", [1, 10])
def test_query_count_does_not_grow_with_the_data(client, django_assert_max_num_queries, n):
    data = build(n)
    for path, max_queries in ENDPOINTS:
        url = path.format(
            org=data["org"].slug, assignment=data["assignment"].pk, period=data["period"].pk
        )
        with django_assert_max_num_queries(max_queries):
            response = client.get(url)
        assert response.status_code == 200, url
