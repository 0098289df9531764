"""Two compilers write the same goal's assessment: the second, whose page is stale, is told that
someone else saved it, sees the saved version beside their own, and nothing of theirs is written
until they save again from the page that showed both."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from insyn.accounts.models import Role
from insyn.accounts.testing import login_verified
from insyn.goals.models import GoalFollowUp
from tests.factories import MembershipFactory, UserFactory
from tests.world import make_world, open_period

pytestmark = pytest.mark.django_db


def _compiler(name: str) -> Client:
    user = UserFactory(username=name)
    MembershipFactory(user=user, role=Role.COMPILER, organisation=None)
    c = Client()
    login_verified(c, user)
    return c


def _version(page: str) -> str:
    match = re.search(r'type="hidden" name="version" value="(\d+)"', page)
    assert match, "the form remembers which version it showed"
    return match.group(1)


def test_a_stale_goal_assessment_is_told_and_overwrites_nothing():
    world = make_world()
    open_period(world)
    goal = world.goals[1]
    url = reverse("goals:compile_goal", args=[world.period.pk, goal.pk])
    a, b = _compiler("kompilator-a"), _compiler("kompilator-b")
    seen_a = _version(a.get(url).content.decode())
    assert seen_a == "0"  # nothing saved yet

    theirs = {"status": "green", "assessment": "Målet nås i år."}
    assert (
        b.post(url, {**theirs, "version": _version(b.get(url).content.decode())}).status_code == 302
    )
    saved = GoalFollowUp.objects.get(goal=goal, period=world.period)
    versions = saved.history.count()

    mine = {"status": "red", "assessment": "Målet nås inte."}
    response = a.post(url, {**mine, "version": seen_a})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Någon annan har sparat målets bedömning sedan du öppnade sidan" in html
    assert "Målet nås i år." in html and "Målet nås inte." in html  # both versions
    now = GoalFollowUp.objects.get(goal=goal, period=world.period)
    assert (now.status, now.assessment, now.version) == ("green", "Målet nås i år.", saved.version)
    assert now.history.count() == versions

    again = a.post(url, {**mine, "version": _version(html)})
    assert again.status_code == 302
    assert GoalFollowUp.objects.get(goal=goal, period=world.period).status == "red"
