"""The archive (every published period by plan year) and the period page."""

from __future__ import annotations

import pytest

from tests.world import NOT_SUBMITTED, SECRET, build_world

pytestmark = pytest.mark.django_db


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_it_lists_published_periods_by_plan_year(client):
    world = build_world()
    html = get(client, "/arkiv/")
    assert html.index('id="plan-2023"') < html.index('id="plan-2022"')
    for period in (world.april, world.august, world.previous_period):
        assert period.get_absolute_url() in html
    assert world.draft.get_absolute_url() not in html
    assert "Årsbokslut 2023" not in html
    assert world.plan.get_absolute_url() in html and "2 mål" in html


def test_a_period_page_shows_all_goals_of_that_period(client):
    world = build_world(goals=3)
    html = get(client, world.april.get_absolute_url())
    assert "Uppföljning per april 2023" in html
    for goal in world.goals:
        assert f"{goal.get_absolute_url()}?period={world.april.pk}" in html
    assert "3 mål har status gul" in html
    assert "goal-status--green" not in html


def test_an_unpublished_period_is_404_and_leaks_nothing(client):
    world = build_world()
    response = client.get(world.draft.get_absolute_url())
    assert response.status_code == 404
    assert SECRET not in response.content.decode()
    assert client.get("/uppfoljning/999999/").status_code == 404


def test_no_page_shows_unpublished_text(client):
    world = build_world(goals=2, assignments=6)
    urls = [
        "/",
        "/plan/2023/",
        "/arkiv/",
        "/organisationer/",
        world.august.get_absolute_url(),
        world.april.get_absolute_url(),
        *(g.get_absolute_url() for g in world.goals),
        *(a.get_absolute_url() for a in world.assignments),
        *(o.get_absolute_url() for o in world.organisations),
    ]
    for url in urls:
        html = get(client, url)
        assert SECRET not in html and NOT_SUBMITTED not in html, url


def test_the_archive_costs_the_same_queries_with_ten_times_the_data(assert_bounded):
    assert_bounded(build_world(), lambda w: "/arkiv/", 3)


def test_the_period_page_costs_the_same_queries_with_ten_times_the_data(assert_bounded):
    assert_bounded(build_world(), lambda w: w.august.get_absolute_url(), 8)
