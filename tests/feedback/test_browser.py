"""In a real browser: a fault report submitted with JavaScript off and on, and axe-core
(WCAG 2.1 AA) on every public feedback page and the contact-centre pages."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from insyn.feedback import services
from insyn.feedback.models import Case, CaseStatus, Kind, PublicState
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    assert_accessible,
    assert_no_page_errors,
    serve_tiles,
)
from tests.feedback.conftest import CENTRUM, jpeg_bytes

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
expect = pytest.importorskip("playwright.sync_api").expect


@pytest.fixture
def photo_file(tmp_path) -> Path:
    path = tmp_path / "IMG_0042.jpg"
    path.write_bytes(jpeg_bytes(gps=True, size=(320, 240)))
    return path


def published_nearby(setup):
    case = services.create_case(
        kind=Kind.FAULT,
        category=setup.potholes,
        description="Djupt hål i cykelbanan",
        lat=CENTRUM[0] + 0.0004,
        long=CENTRUM[1],
        address_text="Kungsgatan 40",
    ).case
    services.moderate(
        case=case,
        public_description="Djupt hål i cykelbanan",
        public_address="Kungsgatan 40",
        state=PublicState.PUBLISHED,
        by=None,
    )
    return case


def test_fault_report_without_javascript(setup, browser, live_server, photo_file):
    context = browser.new_context(java_script_enabled=False, locale="sv-SE", viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/synpunkter/")
        page.get_by_role("link", name="Gör en felanmälan").click()
        assert not page.locator("[data-streetmap]").is_visible()  # the map needs JS
        page.get_by_label("Hål i vägen").check()
        page.get_by_label("Adress eller platsbeskrivning").fill("Svartbäcksgatan 12")
        page.get_by_role("button", name="Fortsätt").click()
        assert "Steg 2 av 2" in page.content()
        page.get_by_role("textbox", name="Beskriv felet").fill(
            "Ett stort hål i körbanan utanför porten."
        )
        page.get_by_label("Bilder (högst tre)").set_input_files(str(photo_file))
        page.get_by_label("E-post").fill("anna@example.org")
        page.get_by_role("button", name="Skicka felanmälan").click()
        page.wait_for_url(re.compile(r"/synpunkter/kvitto/$"))
        case = Case.objects.get()
        assert case.number in page.content()
        assert case.address_text == "Svartbäcksgatan 12" and case.lat is None
        assert case.photos.count() == 1
        link = page.locator(".tracking-link a").get_attribute("href")
        page.goto(link)
        assert case.number in page.content() and "Mottaget" in page.content()
    finally:
        context.close()


def test_fault_report_with_javascript_map_and_axe(setup, browser, live_server, photo_file):
    near = published_nearby(setup)
    context = browser.new_context(
        locale="sv-SE",
        viewport=DESKTOP,
        geolocation={"latitude": CENTRUM[0], "longitude": CENTRUM[1]},
        permissions=["geolocation"],
    )
    tiles = serve_tiles(context)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.insyn_errors = errors
    try:
        page.goto(live_server.url + "/synpunkter/")
        assert_accessible(page)
        page.goto(live_server.url + "/synpunkter/felanmalan/")
        expect(page.locator("[data-streetmap]")).to_be_visible()
        expect(page.locator(".leaflet-tile-loaded").first).to_be_attached()
        assert tiles  # drawn from the configured tile source (served by the test)
        assert_accessible(page)
        # Errors are summarised and linked (submit without anything).
        page.get_by_role("button", name="Fortsätt").click()
        assert page.locator(".error-summary").is_visible()
        assert_accessible(page)
        page.get_by_label("Hål i vägen").check()
        # A click on the map fills in the coordinates…
        page.locator("[data-map-canvas]").click(position={"x": 200, "y": 150})
        expect(page.locator("#id_lat")).not_to_have_value("")
        # …and "Använd min position" puts the point where the browser says we are.
        page.get_by_role("button", name="Använd min position").click()
        # expect() polls from Python: a wait_for_function string is eval, which the CSP refuses.
        expect(page.locator("#id_lat")).to_have_value(re.compile(r"^59\.858"))
        expect(page.locator("[data-map-status]")).to_have_text(re.compile(r"^\s*Din position"))
        page.get_by_role("button", name="Fortsätt").click()
        assert near.number in page.content()
        assert (
            page.get_by_role("button", name=re.compile("Följ det här ärendet i stället")).count()
            == 1
        )
        assert_accessible(page)
        page.get_by_role("textbox", name="Beskriv felet").fill("Hål i körbanan.")
        page.get_by_label("Bilder (högst tre)").set_input_files(str(photo_file))
        page.get_by_role("button", name="Skicka felanmälan").click()
        page.wait_for_url(re.compile(r"/synpunkter/kvitto/$"))
        assert_accessible(page)
        case = Case.objects.exclude(pk=near.pk).get()
        assert abs(case.lat - CENTRUM[0]) < 1e-4 and abs(case.long - CENTRUM[1]) < 1e-4
        page.goto(page.locator(".tracking-link a").get_attribute("href"))
        assert_accessible(page)
        assert_no_page_errors(page)
    finally:
        context.close()


def test_follow_instead_in_the_browser(setup, browser, live_server):
    near = published_nearby(setup)
    context = browser.new_context(locale="sv-SE", viewport=PHONE)
    serve_tiles(context)
    page = context.new_page()
    try:
        page.goto(
            f"{live_server.url}/synpunkter/felanmalan/?category={setup.potholes.pk}"
            f"&lat={CENTRUM[0]}&long={CENTRUM[1]}"
        )
        page.locator(".follow-form").first.get_by_label("E-post (valfritt)").fill(
            "granne@example.org"
        )
        page.get_by_role("button", name=re.compile("Följ det här ärendet i stället")).click()
        page.wait_for_url(re.compile(r"/synpunkter/kvitto/$"))
        assert "Du följer nu ärendet" in page.content() and near.number in page.content()
        assert_accessible(page)
        assert Case.objects.count() == 1 and near.followers.count() == 2
    finally:
        context.close()


def test_axe_on_the_other_public_pages(setup, page, live_server):
    case = published_nearby(setup)
    from insyn.core.images import clean_image_bytes

    receipt = services.create_case(
        kind=Kind.FAULT,
        category=setup.graffiti,
        description="Tag",
        lat=CENTRUM[0],
        long=CENTRUM[1],
        photos=[clean_image_bytes(jpeg_bytes())],
        contact_email="a@example.org",
    )
    services.moderate(
        case=receipt.case,
        public_description="Klotter på väggen",
        public_address="Tunneln",
        state=PublicState.PUBLISHED,
        by=None,
    )
    services.answer(case=receipt.case, body="Vi tar bort klottret.", by=None)
    services.change_status(case=receipt.case, status=CaseStatus.RESOLVED, by=None)
    from insyn.feedback import alerts

    subscription = alerts.subscribe(email="g@example.org", district=setup.gottsunda)
    near = f"lat={CENTRUM[0]}&long={CENTRUM[1]}"
    for url in (
        # step 2 with the nearby reports on a map, and the area alert pages
        f"/synpunkter/felanmalan/?category={setup.potholes.pk}&{near}",
        f"/synpunkter/bevaka/?{near}&radie=500",
        f"/synpunkter/bevaka/{subscription.token}/",
        f"/synpunkter/bevaka/{alerts.unsubscribe_token(subscription.alert)}/avsluta/",
        "/synpunkter/felanmalningar/",
        f"/synpunkter/felanmalningar/{case.number}/",
        f"/synpunkter/felanmalningar/{receipt.case.number}/",
        f"/synpunkter/arende/{receipt.token}/",
        "/synpunkter/lamna/?typ=ide",
    ):
        page.goto(live_server.url + url)
        assert page.title(), url
        assert_accessible(page)
        for size in (PHONE, DESKTOP):  # WCAG 1.4.10: no sideways scrolling on a phone
            page.set_viewport_size(size)
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
                url,
                size,
            )
    assert_no_page_errors(page)
    # The feedback form with errors (answered with 400, which the console reports).
    page.get_by_role("button", name="Skicka").click()
    assert page.locator(".error-summary").is_visible()
    assert_accessible(page)


def _sign_in_the_contact_centre(setup, page, live_server):
    from django.conf import settings as dj_settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = setup.users["cc"]
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session["otp_device_id"] = device.persistent_id
    session.save()
    page.context.add_cookies(
        [
            {
                "name": dj_settings.SESSION_COOKIE_NAME,
                "value": session.session_key,
                "url": live_server.url,
            }
        ]
    )


def test_axe_on_the_contact_centre_pages(setup, page, live_server):
    _sign_in_the_contact_centre(setup, page, live_server)
    case = published_nearby(setup)
    for url in (
        "/personal/arenden/",
        f"/personal/arenden/{case.number}/",
        "/personal/arenden/nytt/",
        "/personal/arenden/statistik/",
        "/personal/arenden/fordelning/",
        "/personal/arenden/teman/",
    ):
        page.goto(live_server.url + url)
        assert "/konto/" not in page.url, url
        assert_accessible(page)


def test_the_inbox_map_asks_per_viewport_when_opened(setup, page, live_server):
    _sign_in_the_contact_centre(setup, page, live_server)
    serve_tiles(page.context)
    case = published_nearby(setup)
    asked_for = []
    page.on("request", lambda r: asked_for.append(r.url))
    page.goto(live_server.url + "/personal/arenden/")
    expect(page.locator(".inbox-map .leaflet-container")).to_have_count(1)
    page.wait_for_timeout(500)  # the map is drawn, closed: it asks for nothing
    assert not [url for url in asked_for if "karta.json" in url]
    with page.expect_request(lambda r: "/personal/arenden/karta.json?bbox=" in r.url) as asked:
        page.locator(".inbox-map summary").click()
    assert "&zoom=" in asked.value.url
    expect(page.locator(".inbox-map .leaflet-marker-icon").first).to_be_visible()
    assert case.number in asked.value.response().text()


def test_map_with_the_keyboard_only_and_place_search(setup, browser, live_server):
    """No mouse: search a place, then put the pin with Enter and move it with the arrow keys;
    every move is announced in the live region."""
    from insyn.organisations.services import load_demo_places

    load_demo_places()
    context = browser.new_context(locale="sv-SE", viewport=DESKTOP)
    serve_tiles(context)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/synpunkter/felanmalan/")
        page.get_by_label("Adress eller platsbeskrivning").fill("Gottsunda centrum")
        page.get_by_role("button", name="Sök plats").press("Enter")
        choice = page.get_by_role("button", name="Gottsunda centrum, Uppsala")
        choice.focus()
        page.keyboard.press("Enter")
        expect(page.locator("#id_lat")).to_have_value("59.806600")
        expect(page.locator("#id_address_text")).to_have_value("Gottsunda centrum, Uppsala")
        # the map: focus it, Enter puts the pin in the middle, arrows move it
        page.locator("[data-map-canvas]").focus()
        page.keyboard.press("Enter")
        status = page.locator("[data-map-status]")
        expect(status).to_contain_text("Vald plats")
        before = float(page.locator("#id_long").input_value())
        page.keyboard.press("ArrowRight")
        expect(status).to_contain_text("Markören flyttad till")
        assert float(page.locator("#id_long").input_value()) > before
        lat_before = float(page.locator("#id_lat").input_value())
        page.keyboard.press("ArrowUp")
        expect(page.locator("#id_lat")).not_to_have_value(str(lat_before))
        assert float(page.locator("#id_lat").input_value()) > lat_before
        assert page.locator("[data-map-status]").get_attribute("aria-live") == "polite"
        assert_accessible(page)
    finally:
        context.close()


def test_public_map_clusters_published_reports(setup, browser, live_server):
    for _ in range(3):
        published_nearby(setup)
    context = browser.new_context(locale="sv-SE", viewport=DESKTOP)
    serve_tiles(context)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/synpunkter/felanmalningar/")
        expect(page.locator("[data-streetmap]")).to_be_visible()
        expect(page.locator(".marker-cluster").first).to_be_visible()
        assert "3" in page.locator(".marker-cluster").first.inner_text()
        assert_accessible(page)
    finally:
        context.close()


def test_public_map_asks_per_viewport_and_draws_server_clusters(
    setup, browser, live_server, monkeypatch
):
    from insyn.feedback import selectors

    monkeypatch.setattr(selectors, "MAP_POINT_LIMIT", 2)  # three reports: clusters
    for _ in range(3):
        published_nearby(setup)
    context = browser.new_context(locale="sv-SE", viewport=DESKTOP)
    serve_tiles(context)
    page = context.new_page()
    try:
        with page.expect_request(lambda r: "karta.json?bbox=" in r.url) as asked:
            page.goto(live_server.url + "/synpunkter/felanmalningar/")
        assert "&zoom=" in asked.value.url
        cluster = page.locator(".map-cluster").first
        expect(cluster).to_be_visible()
        assert cluster.inner_text() == "3"
        assert cluster.get_attribute("aria-label").startswith("3 felanmälningar här")
        assert_accessible(page)
        # choosing it with the keyboard zooms in and asks again for the smaller viewport
        with page.expect_request(lambda r: "karta.json?bbox=" in r.url) as again:
            cluster.focus()
            page.keyboard.press("Enter")
        assert again.value.url != asked.value.url
    finally:
        context.close()


def test_the_buttons_of_pages_behind_a_private_link_work_in_a_browser(setup, page, live_server):
    """An area alert's confirmation page and the tracking page post their own forms. Their
    referrer policy must let the browser send the page's origin: under `no-referrer` Chromium
    sends `Origin: null`, which Django's CSRF check refuses with 403 (the test client sends no
    Origin, so only a browser shows it)."""
    from insyn.feedback import alerts

    subscription = alerts.subscribe(email="g@example.org", district=setup.gottsunda)
    page.goto(live_server.url + f"/synpunkter/bevaka/{subscription.token}/")
    page.get_by_role("button", name="Bekräfta bevakningen").click()
    expect(page.get_by_text("Tack! Bevakningen gäller nu.").first).to_be_visible()
    subscription.alert.refresh_from_db()
    assert subscription.alert.confirmed_at is not None

    receipt = services.create_case(
        kind=Kind.FAULT,
        category=setup.potholes,
        description="Hål i cykelbanan",
        lat=CENTRUM[0],
        long=CENTRUM[1],
        address_text="Kungsgatan 40",
        contact_email="anna@example.org",
    )
    page.goto(live_server.url + f"/synpunkter/arende/{receipt.token}/")
    page.locator("form.unfollow button").click()
    expect(page.get_by_text("Du får inte längre e-post om det här ärendet.").first).to_be_visible()
    assert not receipt.case.followers.filter(email="anna@example.org", notify=True).exists()
