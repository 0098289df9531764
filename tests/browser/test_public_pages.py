"""The public site in a real Chromium: axe-core (WCAG 2.1 AA) finds nothing on any page, the
pages work with the keyboard alone, fit a phone, print sensibly and break no CSP rule."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE, assert_accessible, assert_no_page_errors
from tests.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    """Rich enough to show every status, a trend, filters, groups, details and history."""
    from insyn.goals.indexing import index_period
    from insyn.goals.services import compiled_save, goal_follow_up_save

    world = build_world(goals=2, assignments=6, organisations=4)
    # Corrections after publication are shown on the goal, assignment and period pages.
    goal_follow_up_save(
        period=world.august,
        goal=world.goals[0],
        status="green",
        assessment="Rättad bedömning av målet.",
        by=None,
        note="En mening saknades i bedömningen.",
    )
    compiled_save(
        period=world.august,
        assignment=next(a for a in world.assignments if a.carried_over_from_id),
        status="delayed",
        assessment="Rättad bedömning.",
        by=None,
        note="Fel status hade publicerats.",
    )
    index_period(world.august)
    return world


def _pages(world) -> dict[str, str]:
    goal = world.goals[0]
    return {
        "start": "/",
        "plan": "/plan/2023/",
        "goal": goal.get_absolute_url(),
        "goal-filtered": f"{goal.get_absolute_url()}?status=on_track&status=delayed"
        f"&organisation={world.organisations[1].slug}",
        "goal-april": f"{goal.get_absolute_url()}?period={world.april.pk}",
        "assignment": next(
            a for a in world.assignments if a.carried_over_from_id
        ).get_absolute_url(),
        "organisations": "/organisationer/",
        "organisation": world.organisations[1].get_absolute_url(),
        "group": f"/organisationer/grupper/{world.group.slug}/2023/",
        "archive": "/arkiv/",
        "period": world.august.get_absolute_url(),
        "search": "/sok/?q=uppdrag",
        "search-empty": "/sok/",
        "search-none": "/sok/?q=xyzzyplugh",
        "about": "/om/",
        "accessibility": "/om/tillganglighet/",
        "not-found": "/finns-inte/",
    }


PAGE_NAMES = [
    "start",
    "plan",
    "goal",
    "goal-filtered",
    "goal-april",
    "assignment",
    "organisations",
    "organisation",
    "group",
    "archive",
    "period",
    "search",
    "search-empty",
    "search-none",
    "about",
    "accessibility",
    "not-found",
]


def _open_all_details(page) -> None:
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_every_public_page_has_no_axe_violations(page, live_server, world, name):
    page.goto(live_server.url + _pages(world)[name])
    assert page.locator("h1").count() == 1
    _open_all_details(page)  # what is behind <details> must pass too
    assert_accessible(page)
    if name != "not-found":  # there the browser rightly logs the 404
        assert_no_page_errors(page)


@pytest.mark.parametrize("name", ["start", "goal", "assignment", "organisation", "search"])
def test_pages_pass_in_english_too(page, live_server, world, name):
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="English").click()
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + _pages(world)[name])
    assert page.locator("html").get_attribute("lang") == "en"
    _open_all_details(page)
    assert_accessible(page)


@pytest.mark.parametrize(
    "name", ["start", "goal", "assignment", "organisation", "archive", "search", "accessibility"]
)
def test_pages_fit_a_phone_without_sideways_scrolling(browser, live_server, world, name):
    context = browser.new_context(viewport=PHONE, locale="sv-SE", is_mobile=True)
    page = context.new_page()
    try:
        page.goto(live_server.url + _pages(world)[name])
        _open_all_details(page)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= PHONE["width"], f"{name}: {scroll_width}px wide"
        assert_accessible(page)
    finally:
        context.close()


def _tab_until(page, predicate_js: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(predicate_js):
            return
    raise AssertionError(f"Tab never reached: {predicate_js}")


def test_a_goal_can_be_read_with_the_keyboard_alone(page, live_server, world):
    page.goto(live_server.url + "/")
    # The first Tab reaches the skip link, and it is visible when focused.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.locator(".skip-link").bounding_box()["y"] >= 0

    goal_path = world.goals[0].get_absolute_url()
    _tab_until(page, f"document.activeElement.getAttribute('href') === '{goal_path}'")
    outline = page.evaluate("getComputedStyle(document.activeElement).backgroundColor")
    assert outline == "rgb(255, 221, 0)", "the focused link is highlighted"
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + goal_path)

    _tab_until(page, "document.activeElement.tagName === 'SUMMARY'")
    details = page.evaluate_handle("document.activeElement.parentElement")
    assert details.evaluate("d => d.open") is False
    page.keyboard.press("Enter")
    assert details.evaluate("d => d.open") is True
    body = details.evaluate("d => d.querySelector('.details-body').innerText")
    assert body.strip()
    page.keyboard.press("Space")
    assert details.evaluate("d => d.open") is False


def test_the_filters_work_with_the_keyboard_and_without_javascript(browser, live_server, world):
    context = browser.new_context(java_script_enabled=False, locale="sv-SE")
    page = context.new_page()
    try:
        page.goto(live_server.url + world.goals[0].get_absolute_url())
        page.get_by_label("Slutfört").check()
        page.get_by_role("button", name="Filtrera").click()
        page.wait_for_url("**status=completed**")
        assert "Visar 1 av 6 uppdrag." in page.content()
        page.get_by_role("link", name="Visa alla uppdrag").click()
        assert "6 uppdrag." in page.content()
    finally:
        context.close()


def test_printing_hides_the_menu_and_opens_every_details(page, live_server, world):
    page.goto(live_server.url + world.goals[0].get_absolute_url())
    page.emulate_media(media="print")
    assert page.locator(".site-nav-wrap").is_hidden()
    assert page.locator(".filters").is_hidden()
    assert page.locator("details .details-body").first.is_visible()
    after = page.evaluate(
        "getComputedStyle(document.querySelector('main .assignment-title a'), '::after').content"
    )
    assert "/uppdrag/" in after  # the URL is printed next to the link


def test_following_a_goal_works_and_every_step_passes_axe(page, live_server, world):
    """The goal page links to its own follow page (the goal page is cached and has no form):
    errors, the 'check your e-mail' page, and the confirmation link's page with its button."""
    from insyn.goals import following
    from insyn.goals.models import GoalFollower

    goal = world.goals[0]
    page.goto(live_server.url + goal.get_absolute_url())
    page.get_by_role("link", name="Följ målet").click()
    page.wait_for_url("**/folj/")
    assert page.locator("h1").count() == 1
    assert_accessible(page)
    assert_no_page_errors(page)  # before the form's own 400 answer below
    page.get_by_role("button", name="Skicka länken").click()
    assert page.get_by_text("Ange din e-postadress.").first.is_visible()
    assert_accessible(page)  # the error state
    page.get_by_label("Din e-postadress").fill("granne@example.org")
    page.get_by_label("En sammanfattning per dag").check()
    page.get_by_role("button", name="Skicka länken").click()
    page.wait_for_url("**/folj/skickat/")
    assert_accessible(page)
    follower = GoalFollower.objects.get(email="granne@example.org")
    page.goto(following.confirm_url(follower).replace(_site_url(), live_server.url))
    assert_accessible(page)
    page.get_by_role("button", name="Ja, följ målet").click()
    page.get_by_text("Klart! Du följer nu målet.").wait_for()
    assert_accessible(page)
    follower.refresh_from_db()
    assert follower.is_confirmed


def _site_url() -> str:
    from django.conf import settings

    return settings.SITE_URL.rstrip("/")
