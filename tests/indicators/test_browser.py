"""Pages with charts in a real Chromium: axe-core WCAG 2.1 AA with zero violations, no console or
CSP errors, the data table opens without JavaScript, and staff forms show errors accessibly."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from insyn.accounts.models import Role
from tests.browser.conftest import assert_accessible, assert_no_page_errors

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_world():
    from insyn.importers.services import import_followup_files
    from insyn.indicators.demo import load_demo
    from insyn.indicators.models import Indicator
    from insyn.organisations.services import DATA_DIR, load_registry_file

    load_registry_file(DATA_DIR / "uppsala.json")
    pages = Path(__file__).resolve().parents[2] / "insyn" / "importers" / "demo_pages"
    import_followup_files(sorted(pages.glob("*.txt")))
    load_demo()
    return {
        "gender": Indicator.objects.get(kpi_id="U07414"),
        "own": Indicator.objects.get(kpi__source="own"),
    }


def check(page, url):
    response = page.goto(url)
    assert response.status == 200, url
    assert_accessible(page)
    assert_no_page_errors(page)


def test_indicator_pages_are_accessible(page, live_server, demo_world):
    check(page, live_server.url + "/indikatorer/")
    check(page, live_server.url + demo_world["gender"].get_absolute_url())
    # the chart is an image named by its title and description
    svg = page.locator("svg.ind-chart-svg").first
    assert svg.get_attribute("role") == "img"
    name = page.evaluate(
        "el => { const ids = el.getAttribute('aria-labelledby').split(' ');"
        " return ids.map(i => document.getElementById(i).textContent).join(' '); }",
        svg.element_handle(),
    )
    assert "Värdet har" in name
    # the table opens without scripts and is still accessible when open
    page.get_by_text("Visa värdena som tabell").first.click()
    assert page.locator("details.ind-table table").first.is_visible()
    assert_accessible(page)
    check(page, live_server.url + demo_world["own"].get_absolute_url())


def test_goal_page_with_the_indicator_panel(page, live_server, demo_world):
    from insyn.goals.models import Goal

    goal = Goal.objects.get(plan__year=2023, number="4")
    check(page, live_server.url + goal.get_absolute_url())
    assert page.get_by_role("heading", name="Indikatorer för målet").is_visible()


def test_budget_pages_are_accessible(page, live_server, demo_world):
    check(page, live_server.url + "/indikatorer/budget/")
    check(page, live_server.url + "/indikatorer/budget/?year=2023")
    page.get_by_text("Ansvarar för", exact=False).first.click()
    assert_accessible(page)
    response = page.goto(live_server.url + "/indikatorer/budget/?year=1999")
    assert response.status == 404
    assert_accessible(page)


def test_phone_width(browser, live_server, demo_world):
    context = browser.new_context(locale="sv-SE", viewport={"width": 390, "height": 844})
    try:
        mobile = context.new_page()
        mobile.goto(live_server.url + demo_world["gender"].get_absolute_url())
        assert_accessible(mobile)
        width = mobile.evaluate("document.documentElement.scrollWidth")
        assert width <= 390 + 1, "the page scrolls sideways on a phone"
    finally:
        context.close()


def test_staff_pages_with_errors_are_accessible(browser_context, live_server, demo_world):
    from tests.factories import MembershipFactory

    membership = MembershipFactory(role=Role.COMPILER, organisation=None)
    client = Client()
    client.force_login(membership.user)
    browser_context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = browser_context.new_page()
    for path in (
        "/personal/indikatorer/",
        "/personal/indikatorer/ny/",
        f"/personal/indikatorer/{demo_world['own'].pk}/",
        "/personal/indikatorer/budget/",
    ):
        page.goto(live_server.url + path)
        assert_accessible(page)
    upload = Path(django_settings.DATA_DIR) / "felaktig-budget.csv"
    upload.write_text("Nämnd;Nettokostnad\nUBN;mycket\nTrollnämnden;3\n", encoding="utf-8")
    try:
        page.get_by_label("Budgetår").fill("2025")
        page.get_by_label("Fil (Excel .xlsx eller CSV)").set_input_files(str(upload))
        page.get_by_role("button", name="Läs in filen").click()
        summary = page.get_by_role("alert")
        assert "Rad 2: ”mycket” i kolumnen Nettokostnad är inte ett tal." in summary.inner_text()
        assert "Trollnämnden" in summary.inner_text()
        assert_accessible(page)
    finally:
        upload.unlink()
