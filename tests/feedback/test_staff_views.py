"""Contact-centre pages: role checks on every /personal/arenden/ URL, and each action."""

from __future__ import annotations

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from insyn.accounts.models import Role
from insyn.accounts.testing import login_verified
from insyn.core.images import clean_image_bytes
from insyn.core.models import OutgoingEmail
from insyn.feedback import services
from insyn.feedback.models import Case, CaseStatus, Kind, PublicState
from tests.factories import AssignmentFactory, GoalFactory, MembershipFactory, UserFactory
from tests.feedback.conftest import CENTRUM, jpeg_bytes

pytestmark = pytest.mark.django_db


def feedback_staff_patterns():
    resolver = get_resolver()
    for top in resolver.url_patterns:
        if isinstance(top, URLResolver) and getattr(top, "namespace", "") == "feedback_staff":
            return [p for p in top.url_patterns if isinstance(p, URLPattern)]
    raise AssertionError("feedback_staff not mounted")


def test_every_staff_view_requires_the_contact_centre_role():
    patterns = feedback_staff_patterns()
    assert len(patterns) >= 15
    for pattern in patterns:
        roles = getattr(pattern.callback, "insyn_roles", None)
        assert roles is not None, pattern.name
        assert Role.CONTACT_CENTRE in roles or roles == (Role.ADMIN,), pattern.name


def _url(pattern, number, photo):
    route = str(pattern.pattern)
    return "/personal/arenden/" + (
        route.replace("<str:number>", number)
        .replace("<uuid:uuid>", str(photo))
        .replace("<int:pk>", "1")
    )


@pytest.mark.parametrize("who", ["anonymous", "reporter", "resident", "cc", "admin"])
def test_role_matrix(setup, client, who):
    case = services.create_case(
        kind=Kind.FAULT,
        category=setup.potholes,
        description="Hål",
        address_text="Torget",
        photos=[clean_image_bytes(jpeg_bytes())],
    ).case
    photo = case.photos.get().uuid
    if who == "reporter":
        login_verified(client, setup.users["reporter"])
    elif who == "resident":
        login_verified(client, UserFactory(username="invanare"))
    elif who in ("cc", "admin"):
        login_verified(client, setup.users[who])
    for pattern in feedback_staff_patterns():
        url = _url(pattern, case.number, photo)
        response = client.get(url)
        admin_only = pattern.callback.insyn_roles == (Role.ADMIN,)
        if who == "anonymous":
            assert response.status_code == 302 and "/konto/" in response["Location"], url
        elif who in ("reporter", "resident") or (who == "cc" and admin_only):
            assert response.status_code == 403, url
        else:
            assert response.status_code in (200, 405), (url, response.status_code)


def test_inbox_filters(setup, cc_client):
    a = services.create_case(
        kind=Kind.FAULT, category=setup.potholes, description="a", address_text="x"
    ).case
    b = services.create_case(
        kind=Kind.FAULT, category=setup.state_road, description="b", address_text="x"
    ).case
    c = services.create_case(kind=Kind.IDEA, category=setup.idea, description="c").case
    Case.objects.filter(pk=c.pk).update(due_at="2000-01-01T00:00:00Z")

    def numbers(**params):
        text = cc_client.get("/personal/arenden/", params).content.decode()
        return {n for n in (a.number, b.number, c.number) if n in text}

    assert numbers() == {a.number, b.number, c.number}
    assert numbers(status="forwarded") == {b.number}
    assert numbers(status="open") == {a.number, b.number, c.number}
    assert numbers(kategori=setup.potholes.pk) == {a.number}
    assert numbers(organisation=setup.trafikverket.pk) == {b.number}
    assert numbers(forsenade="on") == {c.number}
    assert numbers(typ="ide") == {c.number}
    assert numbers(nummer=a.number.lower()) == {a.number}
    assert "Försenat" in cc_client.get("/personal/arenden/", {"forsenade": "on"}).content.decode()


def test_case_actions_through_the_pages(setup, cc_client):
    receipt = services.create_case(
        kind=Kind.FAULT,
        category=setup.potholes,
        description="Hål, ring 070-123 45 67",
        lat=CENTRUM[0],
        long=CENTRUM[1],
        contact_email="anna@example.org",
    )
    n = receipt.case.number
    base = f"/personal/arenden/{n}/"
    page = cc_client.get(base).content.decode()
    assert "anna@example.org" in page and "Händelselogg" in page

    assert cc_client.post(base + "anteckning/", {"body": "Intern notis"}).status_code == 302
    assert (
        cc_client.post(
            base + "svar/", {"body": "Vi tittar på det.", "status": "in_progress"}
        ).status_code
        == 302
    )
    assert (
        cc_client.post(base + "fordela/", {"organisation": setup.uppsalahem.pk}).status_code == 302
    )
    assert (
        cc_client.post(
            base + "sortera/", {"kind": Kind.FAULT, "category": setup.graffiti.pk}
        ).status_code
        == 302
    )
    assert (
        cc_client.post(
            base + "publicering/",
            {
                "public_description": "Hål i gatan, ring 070-123 45 67",
                "public_address": "Torget",
                "state": PublicState.PUBLISHED,
            },
        ).status_code
        == 302
    )
    goal = GoalFactory()
    assignment = AssignmentFactory(goal=goal)
    assert cc_client.post(base + "koppla/", {"assignment": assignment.pk}).status_code == 302
    assert (
        cc_client.post(base + "status/", {"status": "resolved", "body": "Klart"}).status_code == 302
    )

    case = Case.objects.get(number=n)
    assert case.status == CaseStatus.RESOLVED and case.organisation == setup.uppsalahem
    assert case.category == setup.graffiti and case.public_state == PublicState.PUBLISHED
    assert "070-123" not in case.public_description  # masked on top of staff's text
    assert case.assignment == assignment and case.goal == goal
    assert [e.kind for e in case.events.all()] == [
        "created",
        "note",
        "answer",
        "assigned",
        "triaged",
        "moderated",
        "linked",
        "status",
    ]
    assert OutgoingEmail.objects.filter(to="anna@example.org").count() == 3
    # Errors are shown next to the field, nothing changes.
    bad = cc_client.post(base + "svar/", {"body": "", "template": ""})
    assert bad.status_code == 400 and "Skriv ett svar eller välj en mall" in bad.content.decode()


def test_merge_through_the_page(setup, cc_client):
    a = services.create_case(
        kind=Kind.FAULT, category=setup.potholes, description="a", address_text="x"
    ).case
    b = services.create_case(
        kind=Kind.FAULT, category=setup.potholes, description="b", address_text="x"
    ).case
    bad = cc_client.post(f"/personal/arenden/{b.number}/sammanfoga/", {"into": "UPP-1-1"})
    assert bad.status_code == 400 and "inget ärende" in bad.content.decode()
    ok = cc_client.post(f"/personal/arenden/{b.number}/sammanfoga/", {"into": a.number})
    assert ok.status_code == 302
    assert Case.objects.get(pk=b.pk).merged_into == a


def test_register_on_behalf_shows_the_tracking_link_once(setup, cc_client):
    response = cc_client.post(
        "/personal/arenden/nytt/",
        {
            "source": "phone",
            "kind": Kind.FAULT,
            "category": setup.potholes.pk,
            "description": "Ringde om ett hål.",
            "address_text": "Svartbäcksgatan 3",
            "contact_name": "Bertil",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    # The history says who filed it, under the case's real number (written after numbering).
    (row,) = case.history.all()
    assert (row.history_user, row.number) == (setup.users["cc"], case.number)
    first = cc_client.get(response["Location"]).content.decode()
    assert "/synpunkter/arende/" in first
    assert "/synpunkter/arende/" not in cc_client.get(response["Location"]).content.decode()
    assert case.source == "phone" and case.created_by == setup.users["cc"]
    missing_place = cc_client.post(
        "/personal/arenden/nytt/",
        {
            "source": "desk",
            "kind": Kind.FAULT,
            "category": setup.potholes.pk,
            "description": "Utan plats",
        },
    )
    assert missing_place.status_code == 400


def test_blur_and_hide_photo_pages(setup, cc_client):
    case = services.create_case(
        kind=Kind.FAULT,
        category=setup.potholes,
        description="a",
        address_text="x",
        photos=[clean_image_bytes(jpeg_bytes())],
    ).case
    photo = case.photos.get()
    assert cc_client.get(f"/personal/arenden/bild/{photo.uuid}/").status_code == 200
    assert (
        cc_client.post(
            f"/personal/arenden/bild/{photo.uuid}/sudda/",
            {"left": 10, "top": 10, "right": 60, "bottom": 60},
        ).status_code
        == 302
    )
    photo.refresh_from_db()
    assert photo.blurred
    assert (
        cc_client.post(f"/personal/arenden/bild/{photo.uuid}/dolj/", {"hidden": "1"}).status_code
        == 302
    )
    photo.refresh_from_db()
    assert photo.hidden
    assert cc_client.get(f"/personal/arenden/bild/{uuid.uuid4()}/").status_code == 404


def test_themes_page(setup, cc_client):
    goal = GoalFactory()
    response = cc_client.post("/personal/arenden/teman/", {"title": "Belysning", "goal": goal.pk})
    assert response.status_code == 302
    again = cc_client.post("/personal/arenden/teman/", {"title": "Belysning"})
    assert again.status_code == 400 and "redan" in again.content.decode()


def test_contact_centre_member_of_an_organisation_also_passes(setup, client):
    user = MembershipFactory(role=Role.CONTACT_CENTRE, user=UserFactory(username="cc2")).user
    login_verified(client, user)
    assert client.get("/personal/arenden/").status_code == 200


def _seen(page: str, form: str) -> str:
    import re

    match = re.search(rf'name="seen" value="([^"]+)" id="{form}_seen"', page)
    assert match, "the form remembers when the case was loaded"
    return match.group(1)


def test_a_stale_case_page_says_so_and_shows_both_versions(setup, cc_client):
    """Two handlers open the same case; the second to answer is told, in Swedish, that the case
    changed, sees the case as it is now next to their own text, and nothing of theirs is saved."""
    case = services.create_case(
        kind=Kind.FAULT, category=setup.potholes, description="Hål", address_text="Torget"
    ).case
    base = f"/personal/arenden/{case.number}/"
    page = cc_client.get(base).content.decode()
    seen_status, seen_answer = _seen(page, "status"), _seen(page, "answer")
    # Someone else answers first (another handler, or the same person in another tab).
    services.answer(case=case, body="Vi lagar hålet i veckan.", by=setup.users["cc"])
    events = case.events.count()

    response = cc_client.post(
        base + "svar/", {"body": "Hålet är lagat.", "status": "resolved", "seen": seen_answer}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Någon annan har ändrat ärendet sedan du öppnade sidan" in html
    assert "Vi lagar hålet i veckan." in html  # theirs
    assert "Hålet är lagat." in html  # mine, still in the form
    assert case.events.count() == events
    case.refresh_from_db()
    assert case.status != CaseStatus.RESOLVED
    # Sending again from the page that showed the conflict is based on the new version.
    again = cc_client.post(
        base + "svar/",
        {"body": "Hålet är lagat.", "status": "resolved", "seen": _seen(html, "answer")},
    )
    assert again.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED

    # The status form too.
    stale = cc_client.post(base + "status/", {"status": "closed", "seen": seen_status})
    assert stale.status_code == 400
    assert "Någon annan har ändrat ärendet" in stale.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED


def test_a_broken_seen_value_is_a_swedish_error_not_a_crash(setup, cc_client):
    case = services.create_case(
        kind=Kind.FAULT, category=setup.potholes, description="Hål", address_text="Torget"
    ).case
    response = cc_client.post(
        f"/personal/arenden/{case.number}/status/", {"status": "closed", "seen": "igår"}
    )
    assert response.status_code == 400
    assert "Sidan är inte aktuell" in response.content.decode()
    case.refresh_from_db()
    assert case.status != CaseStatus.CLOSED
