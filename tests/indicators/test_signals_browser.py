"""The new public pages in a real Chromium with axe-core (WCAG 2.1 AA, zero violations): a goal
page with a resident signal (its breakdown table open) and "Ni sa — vi gjorde", and the page
where a resident chooses how often notices come."""

from __future__ import annotations

import os

import pytest
from django.utils import timezone

from insyn.core import notices
from insyn.dialogue.models import DialogueState
from insyn.feedback.models import Theme
from insyn.indicators import services
from tests.browser.conftest import assert_accessible, assert_no_page_errors
from tests.dialogue.factories import PublishedDialogueFactory
from tests.factories import GoalFactory, GoalFollowUpFactory, MunicipalityFactory, PeriodFactory
from tests.indicators.test_signals import at, build_world, case, resolved_cases

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def goal(db):
    world = build_world()
    resolved_cases(world)
    case(world["light"], area=world["gottsunda"], created=at(2025, 2, 1))
    services.signals_compute(year=2025)
    indicator = services.indicator_create(
        kpi=None, title="", signal_key="ATGARDSTID-MEDIAN", is_published=True
    )
    goal = GoalFactory()
    services.indicator_link(indicator=indicator, goal=goal)
    Theme.objects.create(title="Belysning i Gottsunda", goal=goal)
    dialogue = PublishedDialogueFactory(
        title="Trygghetsvandring",
        feedback_summary="Mer ljus längs gångvägen.",
        feedback_usage="Ny belysning under våren.",
        feedback_published_at=timezone.now(),
        state=DialogueState.CLOSED,
    )
    dialogue.goals.add(goal)
    GoalFollowUpFactory(goal=goal, period=PeriodFactory(plan=goal.plan))
    return goal


def test_goal_page_with_signal_and_loop_is_accessible(page, live_server, goal):
    response = page.goto(live_server.url + goal.get_absolute_url())
    assert response.status == 200
    assert page.locator("#loop-heading").is_visible()
    page.get_by_text("Visa fördelningen 2025").first.click()
    assert page.locator("details.ind-table table").nth(1).is_visible()
    assert_accessible(page)
    assert_no_page_errors(page)


def test_notice_settings_page_is_accessible(page, live_server, db):
    MunicipalityFactory()
    url = notices.settings_url("anna@example.org")
    path = url[url.index("/epost/") :]
    assert page.goto(live_server.url + path).status == 200
    assert_accessible(page)
    page.get_by_label("En sammanfattning per vecka").check()
    page.get_by_role("button", name="Spara").click()
    page.wait_for_selector("text=Ditt val är sparat.")
    assert_accessible(page)
    assert_no_page_errors(page)
