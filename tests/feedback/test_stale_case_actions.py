"""A stale case page on every contact-centre action that edits the case (routing, triage,
publishing, merging, linking): two handlers open the same case, B changes it, A submits. A is
told in Swedish that someone else changed the case, sees the case as it is now next to what A
sent, nothing of A's is written, and sending again from that page works."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from insyn.accounts.models import Role
from insyn.accounts.testing import login_verified
from insyn.feedback import services
from insyn.feedback.models import Case, CaseEvent, Kind, PublicState
from tests.factories import GoalFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _seen(page: str, prefix: str) -> str:
    match = re.search(rf'name="seen" value="([^"]+)" id="{prefix}_seen"', page)
    assert match, f"the {prefix} form remembers when the case was loaded"
    return match.group(1)


def _actions(setup: Any, other: Case) -> dict[str, tuple[str, dict[str, Any], str]]:
    """prefix → (URL suffix, what A sends, a text of A's that the conflict shows)."""
    goal = GoalFactory(title="Trygga gator")
    return {
        "reassign": ("fordela/", {"organisation": setup.uppsalahem.pk}, "Uppsalahem AB"),
        "triage": (
            "sortera/",
            {"kind": Kind.FAULT, "category": setup.graffiti.pk},
            "Klotter",
        ),
        "merge": ("sammanfoga/", {"into": other.number}, other.number),
        "moderate": (
            "publicering/",
            {
                "public_description": "Stort hål vid busshållplatsen",
                "public_address": "Torget",
                "state": PublicState.PUBLISHED,
            },
            "Stort hål vid busshållplatsen",
        ),
        "link": ("koppla/", {"goal": goal.pk}, "Trygga gator"),
    }


@pytest.mark.parametrize("prefix", ["reassign", "triage", "merge", "moderate", "link"])
def test_a_stale_page_is_told_and_nothing_is_overwritten(setup, client, prefix):
    case = services.create_case(
        kind=Kind.FAULT, category=setup.potholes, description="Hål", address_text="Torget"
    ).case
    other = services.create_case(
        kind=Kind.FAULT, category=setup.potholes, description="Samma hål", address_text="Torget"
    ).case
    suffix, mine, shown = _actions(setup, other)[prefix]
    base = f"/personal/arenden/{case.number}/"

    a = client
    login_verified(a, setup.users["cc"])
    page = a.get(base).content.decode()
    seen = _seen(page, prefix)

    b = Client()
    colleague = MembershipFactory(
        role=Role.CONTACT_CENTRE, organisation=None, user=UserFactory(username="kollega")
    ).user
    login_verified(b, colleague)
    assert (
        b.post(
            base + "fordela/",
            {
                "organisation": setup.trafikverket.pk,
                "seen": _seen(b.get(base).content.decode(), "reassign"),
            },
        ).status_code
        == 302
    )
    case.refresh_from_db()
    theirs = (
        case.organisation_id,
        case.category_id,
        case.public_state,
        case.goal_id,
        case.updated_at,
    )
    events = CaseEvent.objects.count()

    response = a.post(base + suffix, {**mine, "seen": seen})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Någon annan har ändrat ärendet sedan du öppnade sidan" in html
    assert "Det du skickade (inte sparat)" in html
    assert shown in html  # A's version, beside the case as it is now
    assert "Trafikverket" in html  # B's version
    case.refresh_from_db()
    other.refresh_from_db()
    assert (
        case.organisation_id,
        case.category_id,
        case.public_state,
        case.goal_id,
        case.updated_at,
    ) == theirs
    assert case.merged_into_id is None and other.merged_into_id is None
    assert CaseEvent.objects.count() == events

    # The page that showed the conflict is based on the new version: sending again works.
    again = a.post(base + suffix, {**mine, "seen": _seen(html, prefix)})
    assert again.status_code == 302, again.content.decode()[:3000]
    assert CaseEvent.objects.count() > events


def test_a_fresh_page_needs_no_reload(setup, cc_client):
    case = services.create_case(
        kind=Kind.FAULT, category=setup.potholes, description="Hål", address_text="Torget"
    ).case
    base = f"/personal/arenden/{case.number}/"
    seen = _seen(cc_client.get(base).content.decode(), "reassign")
    response = cc_client.post(
        base + "fordela/", {"organisation": setup.uppsalahem.pk, "seen": seen}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.organisation == setup.uppsalahem
