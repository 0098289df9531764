"""What every public page has: skip link, navigation, language switch, footer, last updated,
no inline script or style, Swedish error pages."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string

from tests.dialogue.conftest import sign_in_participant
from tests.dialogue.factories import ParticipantFactory
from tests.factories import MembershipFactory, UserFactory
from tests.world import build_world

pytestmark = pytest.mark.django_db

NAV = [
    ("/", "Mål och uppdrag"),
    ("/arkiv/", "Arkiv"),
    ("/organisationer/", "Organisationer"),
    ("/sok/", "Sök"),
    ("/dialog/", "Dialoger"),
    ("/synpunkter/", "Synpunkter och felanmälan"),
    ("/indikatorer/", "Indikatorer och budget"),
]


@pytest.fixture
def pages(db):
    world = build_world(goals=1, assignments=3)
    return [
        "/",
        "/plan/2023/",
        world.goals[0].get_absolute_url(),
        world.assignments[0].get_absolute_url(),
        "/organisationer/",
        world.organisations[1].get_absolute_url(),
        "/arkiv/",
        world.august.get_absolute_url(),
        "/sok/?q=uppdrag",
        "/om/",
        "/om/tillganglighet/",
        f"/organisationer/grupper/{world.group.slug}/2023/",
    ]


def test_every_page_has_the_frame(client, pages):
    for url in pages:
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert '<html lang="sv">' in html
        body = html.split("<body>", 1)[1]
        assert body.lstrip().startswith('<a class="skip-link" href="#main">Hoppa till innehållet')
        assert '<main id="main"' in html
        assert '<nav class="site-nav-wrap" aria-label="Huvudmeny">' in html
        for href, label in NAV:
            assert re.search(
                rf'<a href="{re.escape(href)}"( aria-current="\w+")?>{label}</a>', html
            ), (url, href)
        assert 'action="/i18n/setlang/" method="post"' in html
        assert "csrfmiddlewaretoken" not in html  # no token: the page can be cached
        assert 'href="/om/tillganglighet/">Tillgänglighetsredogörelse' in html
        assert 'href="/om/">Om Insyn' in html and 'href="/api/">Öppna data' in html
        assert "Uppsala kommun" in html
        # CSP: no inline script, no style attributes.
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert " style=" not in html, url
        assert "Content-Security-Policy" in response.headers


def test_every_page_says_when_it_was_last_updated(client, pages):
    for url in pages:
        html = client.get(url).content.decode()
        assert re.search(r"Senast uppdaterad <time datetime=\"\d{4}-\d\d-\d\d\">", html), url


def test_the_current_section_is_marked_in_the_menu(client, pages):
    html = client.get("/arkiv/").content.decode()
    assert '<a href="/arkiv/" aria-current="page">Arkiv</a>' in html
    html = client.get(pages[2]).content.decode()  # a goal page belongs to "Mål och uppdrag"
    assert '<a href="/" aria-current="true">Mål och uppdrag</a>' in html


def test_the_language_switch_works_without_javascript(client, pages):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/arkiv/"})
    assert response.status_code == 302 and response.headers["Location"] == "/arkiv/"
    html = client.get("/arkiv/").content.decode()
    assert '<html lang="en">' in html
    assert "Skip to content" in html and "Archive" in html
    assert 'lang="sv" class="link-button">Svenska</button>' in html


def test_content_in_swedish_is_marked_as_swedish_on_english_pages(client, pages):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(pages[2]).content.decode()
    assert '<span lang="sv">Uppsala ska nå mål 1</span>' in html
    assert '<p class="summary-sentence" lang="sv">' in html


def test_a_signed_in_official_on_a_public_page_sees_who_and_the_way_back_and_out(client, pages):
    """A compiler who checks how a published page looks can get back to their staff pages, or
    sign out, from the public page itself (the staff layout's header had both, the public one
    neither: the way back was the browser's history or a typed address)."""
    user = UserFactory(username="sammanstallare-sam", first_name="Sam", last_name="Sammanställare")
    MembershipFactory(user=user)
    client.force_login(user)
    for url in pages:
        html = client.get(url).content.decode()
        account = html.split('<div class="staff-account container">', 1)[1].split("</div>", 1)[0]
        assert "Inloggad som Sam Sammanställare" in account, url
        assert '<a href="/personal/">Till personalsidorna</a>' in account, url
        assert 'action="/konto/logga-ut/"' in account and "csrfmiddlewaretoken" in account
    response = client.post("/konto/logga-ut/")
    assert response.status_code == 302
    html = client.get(pages[2]).content.decode()
    assert "staff-account" not in html and "Inloggad som" not in html

    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(pages[2]).content.decode()
    assert "Signed in as Sam Sammanställare" in html and ">To the staff pages</a>" in html


def test_visitors_and_signed_in_residents_see_no_staff_header(client, pages):
    html = client.get(pages[2]).content.decode()
    assert "staff-account" not in html
    sign_in_participant(client, ParticipantFactory(email="invanare@example.org"))
    html = client.get(pages[2]).content.decode()
    assert "staff-account" not in html and "Inloggad som" not in html


def test_an_unknown_page_gets_a_swedish_404(client):
    response = client.get("/finns-inte-alls/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Sidan finns inte" in html and "Gå till startsidan" in html


def test_a_wrong_method_gets_the_405_page_in_the_sites_design(client):
    # Signing out is a POST; a GET of the address (a bookmark, a pasted link) was a blank page.
    response = client.get("/konto/logga-ut/")
    assert response.status_code == 405
    assert response["Allow"] == "POST, OPTIONS"
    html = response.content.decode()
    assert "Sidan kan inte öppnas på det här sättet" in html and "Gå till startsidan" in html
    assert 'class="skip-link"' in html  # the site's layout

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/konto/logga-ut/").content.decode()
    assert "This page cannot be opened this way" in html and "Go to the start page" in html


def test_an_apis_own_405_is_left_as_it_is(client):
    response = client.post("/api/v1/plans")  # the open-data API answers in JSON
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert "Metoden är inte tillåten" in response.content.decode()


def test_the_500_page_renders_without_a_request_or_database():
    html = render_to_string("500.html")
    assert "Något gick fel hos oss" in html and 'class="skip-link"' in html
