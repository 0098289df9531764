"""Plan, FollowUpPeriod and Report QuerySets: what the public may read, in one place."""

from __future__ import annotations

import pytest

from insyn.goals.models import FollowUpPeriod, PeriodState, Plan, Report, ReportState
from tests.factories import (
    AssignmentFactory,
    OrganisationFactory,
    PeriodFactory,
    PlanFactory,
    ReportFactory,
)

pytestmark = pytest.mark.django_db


def test_published_periods_and_plans():
    published = PeriodFactory(plan=PlanFactory(year=2023))
    PeriodFactory(plan=published.plan, label="April", state=PeriodState.OPEN, published_at=None)
    draft_only = PlanFactory(year=2024)
    PeriodFactory(plan=draft_only, state=PeriodState.CLOSED, published_at=None)
    assert list(FollowUpPeriod.objects.published()) == [published]
    assert list(Plan.objects.published()) == [published.plan]  # once, however many periods


def test_public_reports_are_of_published_periods_and_handed_in():
    published = PeriodFactory()
    open_period = PeriodFactory(
        plan=published.plan, label="April", state=PeriodState.OPEN, published_at=None
    )
    assignment = AssignmentFactory()
    org = OrganisationFactory()
    compiled = ReportFactory(period=published, assignment=assignment)
    approved = ReportFactory(period=published, assignment=assignment, organisation=org)
    draft = ReportFactory(
        period=published,
        assignment=AssignmentFactory(goal=assignment.goal),
        organisation=org,
        state=ReportState.DRAFT,
    )
    unpublished = ReportFactory(period=open_period, assignment=assignment)
    assert set(Report.objects.public()) == {compiled, approved}
    assert list(Report.objects.compiled_published()) == [compiled]
    assert draft not in Report.objects.public() and unpublished not in Report.objects.public()
