"""In a real browser: a reporter submits (with autosave working under the CSP), a compiler
compiles and publishes; axe-core finds no WCAG 2.1 AA violations on those staff pages."""

from __future__ import annotations

import os
import re

import pytest

from insyn.goals import services
from insyn.goals.models import PeriodState, Report, ReportState
from tests.browser.conftest import assert_accessible, assert_no_page_errors
from tests.world import make_world, open_period

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "lösenord-för-test"


def check_page_errors(page, missing: list[str]) -> None:
    """No console errors; a missing /favicon.ico (the browser asks by itself) is not ours."""
    if missing and all(url.endswith("/favicon.ico") for url in missing):
        page.insyn_errors[:] = [e for e in page.insyn_errors if "404" not in e]
    assert not [url for url in missing if not url.endswith("/favicon.ico")], missing
    assert_no_page_errors(page)


def log_in(page, base: str, username: str) -> None:
    page.goto(base + "/konto/logga-in/")
    assert_accessible(page)
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()


def test_it_lets_a_reporter_submit_and_a_compiler_publish(page, live_server):
    from playwright.sync_api import expect

    world = make_world()
    open_period(world)
    mine = Report.objects.get(
        period=world.period, assignment=world.assignments[0], organisation=world.son
    )
    Report.objects.filter(period=world.period).exclude(pk=mine.pk).update(
        state=ReportState.SUBMITTED, assessment="Enligt plan.", status="on_track"
    )
    base = live_server.url
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)

    # The reporter: autosave, then submit.
    log_in(page, base, "reporter-son")
    page.goto(base + "/personal/uppfoljning/mina-rapporter/")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Uppdrag 1")).click()
    expect(page.get_by_label("Bedömning")).to_have_value("SON: arbetet är försenat i april.")
    assert_accessible(page)
    page.get_by_label("Bedömning").fill("Upphandlingen är klar, arbetet följer planen.")
    expect(page.locator("#autosave-status")).to_contain_text("Sparat automatiskt", timeout=10_000)
    mine.refresh_from_db()
    assert mine.assessment == "Upphandlingen är klar, arbetet följer planen."
    page.get_by_label("Status").select_option("on_track")
    page.get_by_role("button", name="Lämna in").click()
    expect(page.get_by_text("Rapporten är inlämnad. Tack!")).to_be_visible()
    check_page_errors(page, missing)
    mine.refresh_from_db()
    assert mine.state == ReportState.SUBMITTED and mine.status == "on_track"

    # The compiler: everything compiled except assignment 1, which is done in the browser.
    compiler = world.users["compiler"]
    for assignment in world.assignments[1:]:
        services.compiled_save(
            period=world.period,
            assignment=assignment,
            status="on_track",
            assessment="Pågår.",
            by=compiler,
        )
    services.goal_follow_up_save(
        period=world.period, goal=world.goals[1], status="green", assessment="Bra.", by=compiler
    )
    page.get_by_role("button", name=re.compile("Logga ut")).click()
    log_in(page, base, "compiler1")
    page.goto(
        f"{base}/personal/uppfoljning/perioder/{world.period.pk}/uppdrag/{world.assignments[0].pk}/"
    )
    expect(page.get_by_text("Upphandlingen är klar, arbetet följer planen.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Sammanställd status").select_option("on_track")
    page.get_by_role("textbox", name="Sammanställd bedömning").fill(
        "Båda organisationerna följer planen."
    )
    page.get_by_role("button", name="Spara sammanställning").click()
    expect(page.get_by_text("Den sammanställda bedömningen är sparad.")).to_be_visible()
    page.goto(f"{base}/personal/uppfoljning/perioder/{world.period.pk}/mal/{world.goals[0].pk}/")
    expect(
        page.get_by_text("Alla kommunfullmäktiges två uppdrag inom fokusmålet pågår enligt plan.")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Målets status").select_option("green")
    page.get_by_role("button", name="Spara").click()
    page.goto(f"{base}/personal/uppfoljning/perioder/{world.period.pk}/")
    assert_accessible(page)
    page.get_by_role("button", name="Publicera").click()
    expect(page.get_by_text("Perioden är publicerad.")).to_be_visible()
    assert_accessible(page)
    check_page_errors(page, missing)
    world.period.refresh_from_db()
    assert world.period.state == PeriodState.PUBLISHED
