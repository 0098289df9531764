"""The plan page: every goal of a plan in a chosen published period."""

from __future__ import annotations

import pytest

from tests.factories import PlanFactory
from tests.world import SECRET, build_world

pytestmark = pytest.mark.django_db


def test_it_lists_the_goals_with_status_in_the_newest_period(client):
    world = build_world(goals=3)
    html = client.get("/plan/2023/").content.decode()
    assert world.plan.title in html
    for goal in world.goals:
        assert goal.title in html
    assert "Målen och deras status enligt <strong>Delårsuppföljning per augusti 2023" in html


def test_it_shows_an_earlier_period_when_asked(client):
    world = build_world()
    html = client.get(f"/plan/2023/?period={world.april.pk}").content.decode()
    assert "enligt <strong>Uppföljning per april 2023" in html
    assert "goal-status--yellow" in html and "goal-status--green" not in html


def test_it_refuses_unpublished_or_foreign_periods(client):
    world = build_world()
    assert client.get(f"/plan/2023/?period={world.draft.pk}").status_code == 404
    assert client.get(f"/plan/2023/?period={world.previous_period.pk}").status_code == 404
    assert client.get("/plan/2023/?period=abc").status_code == 400  # insyn.core.params
    assert SECRET not in client.get("/plan/2023/").content.decode()


def test_it_is_404_for_a_year_without_a_plan(client):
    build_world()
    assert client.get("/plan/1999/").status_code == 404


def test_it_shows_a_plan_without_published_follow_up_without_statuses(client):
    PlanFactory(year=2030)
    html = client.get("/plan/2030/").content.decode()
    assert "Ingen uppföljning av den här planen är publicerad ännu." in html


def test_it_costs_the_same_queries_with_ten_times_the_data(assert_bounded):
    assert_bounded(build_world(), lambda w: "/plan/2023/", 8)
