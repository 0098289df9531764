"""Trend: computed from the previous published period's goal status, else as stated."""

from __future__ import annotations

import pytest

from insyn.goals import selectors
from insyn.goals.models import GoalStatus, PeriodKind, PeriodState, Trend
from tests.factories import GoalFactory, GoalFollowUpFactory, PeriodFactory, PlanFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("before", "now", "expected"),
    [
        (GoalStatus.RED, GoalStatus.YELLOW, Trend.IMPROVED),
        (GoalStatus.YELLOW, GoalStatus.GREEN, Trend.IMPROVED),
        (GoalStatus.RED, GoalStatus.GREEN, Trend.IMPROVED),
        (GoalStatus.GREEN, GoalStatus.GREEN, Trend.UNCHANGED),
        (GoalStatus.YELLOW, GoalStatus.YELLOW, Trend.UNCHANGED),
        (GoalStatus.GREEN, GoalStatus.YELLOW, Trend.WORSENED),
        (GoalStatus.GREEN, GoalStatus.RED, Trend.WORSENED),
    ],
)
def test_it_compares_green_over_yellow_over_red(before, now, expected):
    assert selectors.compare_goal_status(now, before) == expected


def test_it_cannot_compare_a_missing_status():
    assert selectors.compare_goal_status("", GoalStatus.GREEN) is None
    assert selectors.compare_goal_status(GoalStatus.GREEN, "") is None


def _trend(goal, period):
    page = selectors.goal_page(goal.plan.year, goal.number, period_id=period.pk)
    return page.overview.trend


def test_it_compares_with_the_previous_period_of_the_same_plan():
    plan = PlanFactory(year=2023)
    goal = GoalFactory(plan=plan, number="4")
    april = PeriodFactory(plan=plan, kind=PeriodKind.APRIL, label="Per april", month=4)
    august = PeriodFactory(plan=plan, kind=PeriodKind.AUGUST, month=8)
    annual = PeriodFactory(plan=plan, kind=PeriodKind.ANNUAL, label="Årsbokslut", month=None)
    GoalFollowUpFactory(goal=goal, period=april, status=GoalStatus.GREEN)
    GoalFollowUpFactory(
        goal=goal, period=august, status=GoalStatus.YELLOW, stated_trend=Trend.IMPROVED
    )  # the computed trend wins
    GoalFollowUpFactory(goal=goal, period=annual, status=GoalStatus.YELLOW)
    trend = _trend(goal, august)
    assert trend.value == Trend.WORSENED and trend.computed
    assert trend.previous_period == april and trend.previous_status == GoalStatus.GREEN
    # The annual report (no month) comes after August.
    trend = _trend(goal, annual)
    assert trend.value == Trend.UNCHANGED and trend.previous_period == august


def test_it_skips_unpublished_periods_when_looking_back():
    plan = PlanFactory(year=2023)
    goal = GoalFactory(plan=plan, number="1")
    april = PeriodFactory(plan=plan, kind=PeriodKind.APRIL, label="Per april", month=4)
    draft = PeriodFactory(
        plan=plan,
        kind=PeriodKind.OTHER,
        label="Extra",
        month=6,
        state=PeriodState.CLOSED,
        published_at=None,
    )
    august = PeriodFactory(plan=plan, kind=PeriodKind.AUGUST, month=8)
    GoalFollowUpFactory(goal=goal, period=april, status=GoalStatus.RED)
    GoalFollowUpFactory(goal=goal, period=draft, status=GoalStatus.GREEN)
    GoalFollowUpFactory(goal=goal, period=august, status=GoalStatus.YELLOW)
    trend = _trend(goal, august)
    assert trend.value == Trend.IMPROVED and trend.previous_period == april


def test_it_compares_with_the_same_goal_number_in_the_previous_plan_year():
    old_plan, plan = PlanFactory(year=2022), PlanFactory(year=2023)
    old_goal = GoalFactory(plan=old_plan, number="4")
    goal = GoalFactory(plan=plan, number="4")
    GoalFactory(plan=old_plan, number="5")
    old_annual = PeriodFactory(
        plan=old_plan, kind=PeriodKind.ANNUAL, label="Årsbokslut", month=None
    )
    old_august = PeriodFactory(plan=old_plan, kind=PeriodKind.AUGUST, month=8)
    GoalFollowUpFactory(goal=old_goal, period=old_august, status=GoalStatus.RED)
    GoalFollowUpFactory(goal=old_goal, period=old_annual, status=GoalStatus.GREEN)
    april = PeriodFactory(plan=plan, kind=PeriodKind.APRIL, label="Per april", month=4)
    GoalFollowUpFactory(goal=goal, period=april, status=GoalStatus.YELLOW)
    trend = _trend(goal, april)
    assert trend.value == Trend.WORSENED and trend.previous_period == old_annual


def test_it_falls_back_to_the_stated_trend_without_a_previous_period():
    plan = PlanFactory(year=2023)
    goal = GoalFactory(plan=plan, number="4")
    august = PeriodFactory(plan=plan)
    GoalFollowUpFactory(
        goal=goal, period=august, status=GoalStatus.YELLOW, stated_trend=Trend.UNCHANGED
    )
    trend = _trend(goal, august)
    assert trend.value == Trend.UNCHANGED and not trend.computed


def test_it_falls_back_to_the_stated_trend_when_the_goal_is_new():
    old_plan, plan = PlanFactory(year=2022), PlanFactory(year=2023)
    GoalFollowUpFactory(
        goal=GoalFactory(plan=old_plan, number="1"),
        period=PeriodFactory(plan=old_plan),
        status=GoalStatus.RED,
    )
    goal = GoalFactory(plan=plan, number="9")  # no goal 9 in 2022
    august = PeriodFactory(plan=plan)
    GoalFollowUpFactory(
        goal=goal, period=august, status=GoalStatus.GREEN, stated_trend=Trend.IMPROVED
    )
    trend = _trend(goal, august)
    assert trend.value == Trend.IMPROVED and not trend.computed


def test_it_shows_no_trend_when_there_is_nothing_to_go_on():
    plan = PlanFactory(year=2023)
    goal = GoalFactory(plan=plan)
    august = PeriodFactory(plan=plan)
    GoalFollowUpFactory(goal=goal, period=august, status=GoalStatus.GREEN)
    assert _trend(goal, august) is None


def test_the_page_shows_the_trend_with_arrow_and_text(client):
    plan = PlanFactory(year=2023)
    goal = GoalFactory(plan=plan, number="4")
    april = PeriodFactory(plan=plan, kind=PeriodKind.APRIL, label="Per april", month=4)
    august = PeriodFactory(plan=plan, kind=PeriodKind.AUGUST, month=8)
    GoalFollowUpFactory(goal=goal, period=april, status=GoalStatus.GREEN)
    GoalFollowUpFactory(goal=goal, period=august, status=GoalStatus.RED)
    html = client.get(goal.get_absolute_url()).content.decode()
    assert 'class="trend trend--worsened"' in html
    assert '<span class="trend-arrow" aria-hidden="true">↓</span> Försämrad' in html
    assert "jämfört med Per april 2023 (Grön)" in html
