"""The start page: the current plan's goals with status, trend and computed summary."""

from __future__ import annotations

import pytest

from insyn.goals.models import PeriodKind, PeriodState
from tests.factories import GoalFactory, GoalFollowUpFactory, PeriodFactory, PlanFactory
from tests.world import NOT_SUBMITTED, SECRET, build_world

pytestmark = pytest.mark.django_db


def test_it_shows_the_current_plans_goals_with_status_trend_and_summary(client):
    world = build_world(goals=2, assignments=6)
    html = client.get("/").content.decode()
    assert world.plan.title in html
    assert "Uppsala ska nå mål 1" in html and "Uppsala ska nå mål 2" in html
    assert world.goals[0].get_absolute_url() in html
    assert "Grön" in html and "goal-status--green" in html  # text and shape, not colour alone
    # Yellow in April, green in August: improved, and the page says against what.
    assert "Förbättrad" in html and "↑" in html
    assert "jämfört med Uppföljning per april 2023" in html
    # 6 assignments, 1 board goal not counted: 5 council assignments in August's statuses.
    assert "av kommunfullmäktiges fem uppdrag inom fokusmålet" in html
    assert "Delårsuppföljning per augusti 2023" in html


def test_it_shows_the_newest_plan_that_has_a_published_period(client):
    build_world()
    newer = PlanFactory(year=2024)
    GoalFactory(plan=newer, number="1", title="Ett mål i en plan utan publicering")
    PeriodFactory(
        plan=newer,
        kind=PeriodKind.APRIL,
        label="Uppföljning per april",
        month=4,
        state=PeriodState.OPEN,
        published_at=None,
    )
    html = client.get("/").content.decode()
    assert "Mål och budget 2023" in html
    assert "Ett mål i en plan utan publicering" not in html


def test_it_says_so_when_nothing_is_published_yet(client):
    plan = PlanFactory(year=2025)
    goal = GoalFactory(plan=plan)
    GoalFollowUpFactory(
        goal=goal, period=PeriodFactory(plan=plan, state=PeriodState.CLOSED, published_at=None)
    )
    response = client.get("/")
    assert response.status_code == 200
    assert "Ingen uppföljning är publicerad ännu" in response.content.decode()


def test_it_never_shows_unpublished_text(client):
    build_world()
    html = client.get("/").content.decode()
    assert SECRET not in html and NOT_SUBMITTED not in html
    assert "Röd" not in html  # the open period's goal status


def test_it_says_when_it_was_last_updated(client):
    build_world()
    html = client.get("/").content.decode()
    assert "Senast uppdaterad" in html and "<time datetime=" in html


def test_it_costs_the_same_queries_with_ten_times_the_data(assert_bounded):
    assert_bounded(build_world(), lambda w: "/", 8)


def test_the_search_page_costs_the_same_queries_with_ten_times_the_data(assert_bounded):
    assert_bounded(build_world(), lambda w: "/sok/?q=uppdrag", 10)


def test_a_cache_hit_costs_no_query_whatever_the_data(client):
    """The cached answer is independent of the data: zero queries at N and at 10×N."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.world import ten_times

    world = build_world()
    url = world.goals[0].get_absolute_url()
    for grow in (False, True):
        if grow:
            ten_times(world)
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url)["X-Insyn-Cache"] == "hit"
        assert len(ctx) == 0
