"""A day per role in a real browser: sign in with the form, land on the staff home (/personal/),
open the first piece of work the home points to, sign out — with axe-core (WCAG 2.1 AA) on each
page. A screenshot of every home is saved under the test's tmp_path (pytest prints it on failure
and keeps the last runs under the system's pytest temp folder) so a person can look."""

from __future__ import annotations

import re

import pytest

from insyn.accounts.models import Role
from tests.browser.conftest import assert_accessible, assert_no_page_errors
from tests.factories import MembershipFactory, UserFactory
from tests.world import make_world, open_period

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "lösenord-för-webbläsartest"
TIMEOUT = 60_000  # a busy machine: generous, never tight

ROLES = {
    "reporter": (Role.REPORTER, "son", "Dina rapporter"),
    "compiler": (Role.COMPILER, None, "Sammanställning och granskning"),
    "reader": (Role.READER, None, "Översikter"),
    "dialogue_officer": (Role.DIALOGUE_OFFICER, None, "Dialoger"),
    "contact_centre": (Role.CONTACT_CENTRE, None, "Kontaktcenter"),
    "case_handler": (Role.CASE_HANDLER, "son", "Ärenden till din organisation"),
    "moderator": (Role.MODERATOR, None, "Moderering"),
    "admin": (Role.ADMIN, None, "Systemets hälsa"),
}


def _sign_in(page, base: str, username: str) -> None:
    page.goto(base + "/konto/logga-in/", timeout=TIMEOUT)
    assert_accessible(page)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state("load", timeout=TIMEOUT)


@pytest.mark.parametrize("role", list(ROLES))
def test_a_role_signs_in_lands_on_its_home_works_and_signs_out(page, live_server, tmp_path, role):
    from playwright.sync_api import expect

    page.set_default_timeout(TIMEOUT)
    role_value, org_key, heading = ROLES[role]
    world = make_world()
    open_period(world)
    organisation = getattr(world, org_key) if org_key else None
    user = UserFactory(username=f"dag-{role}")
    user.set_password(PASSWORD)
    user.save()
    MembershipFactory(user=user, role=role_value, organisation=organisation)
    base = live_server.url

    _sign_in(page, base, user.username)
    if role == "admin":  # the second factor: set up a TOTP device and enter a code
        from django_otp.oath import totp
        from django_otp.plugins.otp_totp.models import TOTPDevice

        expect(page).to_have_url(re.compile(r"/konto/tvastegsverifiering/ny/"))
        assert_accessible(page)
        device = TOTPDevice.objects.get(user=user, confirmed=False)
        page.fill("input[name=token]", f"{totp(device.bin_key):06d}")
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_load_state("load", timeout=TIMEOUT)

    expect(page).to_have_url(re.compile(r"/personal/$"))
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()
    assert_accessible(page)
    assert_no_page_errors(page)
    shot = tmp_path / f"home-{role}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0

    # The main task starts from the home: follow its first link to the work.
    first = page.locator("main .staff-home-items a").first
    if first.count():
        first.click()
        page.wait_for_load_state("load", timeout=TIMEOUT)
        assert "/personal/" in page.url or page.url.startswith(base + "/indikatorer/")
        assert_accessible(page)
        expect(page.get_by_role("button", name="Logga ut")).to_be_visible()

    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_load_state("load", timeout=TIMEOUT)
    page.goto(base + "/personal/", timeout=TIMEOUT)
    expect(page).to_have_url(re.compile(r"/konto/logga-in/"))
