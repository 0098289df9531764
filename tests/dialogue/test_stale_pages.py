"""Two dialogue officers work on the same thing (a proposal's assessment, a dialogue's feedback
texts or anchoring): the second, whose page is stale, is told that someone else changed it, sees
the saved version beside their own, and nothing of theirs is written until they send again from
the page that showed both."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from insyn.accounts.models import Role
from insyn.dialogue.models import BudgetPhase, ProposalModeration, ProposalState
from tests.dialogue.factories import BudgetFactory, ProposalFactory
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _officer(name: str) -> Client:
    user = UserFactory(username=name)
    MembershipFactory(user=user, role=Role.DIALOGUE_OFFICER, organisation=None)
    c = Client()
    c.force_login(user)
    return c


def _seen(page: str) -> str:
    match = re.search(r'name="seen" value="([^"]*)"', page)
    assert match, "the assess form remembers what it showed"
    return match.group(1)


def test_a_stale_assessment_is_told_and_overwrites_nothing():
    budget = BudgetFactory(phase=BudgetPhase.PROPOSALS, amount=10_000)
    proposal = ProposalFactory(
        budget=budget,
        state=ProposalState.SUBMITTED,
        moderation=ProposalModeration.VISIBLE,
        cost=None,
        answer="",
    )
    url = f"/personal/dialog/forslag/{proposal.pk}/bedom/"
    a, b = _officer("dialog-a"), _officer("dialog-b")
    seen_a = _seen(a.get(url).content.decode())
    assert seen_a == "ny"

    theirs = {"feasible": "yes", "cost": 4000, "answer": "Vi bygger bänken i maj."}
    assert b.post(url, {**theirs, "seen": _seen(b.get(url).content.decode())}).status_code == 302
    proposal.refresh_from_db()
    versions = proposal.history.count()

    mine = {"feasible": "no", "cost": "", "answer": "Marken är inte kommunens."}
    response = a.post(url, {**mine, "seen": seen_a})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Någon annan har bedömt förslaget sedan du öppnade sidan" in html
    assert "Vi bygger bänken i maj." in html  # theirs
    assert "Marken är inte kommunens." in html  # mine, kept
    assert 'class="error-summary"' in html
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.FEASIBLE and proposal.cost == 4000
    assert proposal.answer == "Vi bygger bänken i maj."
    assert proposal.history.count() == versions

    again = a.post(url, {**mine, "seen": _seen(html)})
    assert again.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.NOT_FEASIBLE


@pytest.mark.parametrize(
    "suffix, theirs, mine, shown",
    [
        (
            "aterkoppling/",
            {"summary": "Parken får fler bänkar.", "usage": "I programmet.", "decision": "KF"},
            {"summary": "Parken får en lekplats.", "usage": "", "decision": ""},
            "Parken får fler bänkar.",
        ),
        (
            "forankring/",
            {
                "anchored_with": "Presidiet",
                "anchored_body": "Kulturnämnden",
                "anchored_on": "2024-01-10",
            },
            {
                "anchored_with": "Ordföranden",
                "anchored_body": "Kulturnämnden",
                "anchored_on": "2024-01-11",
            },
            "Presidiet",
        ),
    ],
)
def test_a_stale_dialogue_page_is_told_and_overwrites_nothing(suffix, theirs, mine, shown):
    from insyn.dialogue.models import Dialogue
    from tests.dialogue.factories import PublishedDialogueFactory

    dialogue = PublishedDialogueFactory()
    url = f"/personal/dialog/{dialogue.pk}/{suffix}"
    a, b = _officer("dialog-a"), _officer("dialog-b")
    seen_a = _seen(a.get(url).content.decode())
    assert b.post(url, {**theirs, "seen": _seen(b.get(url).content.decode())}).status_code == 302
    saved = Dialogue.objects.get(pk=dialogue.pk)
    versions = saved.history.count()

    response = a.post(url, {**mine, "seen": seen_a})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Någon annan har ändrat dialogen sedan du öppnade sidan" in html
    assert shown in html and mine[next(iter(mine))] in html  # both versions
    now = Dialogue.objects.get(pk=dialogue.pk)
    assert now.updated_at == saved.updated_at and now.history.count() == versions

    again = a.post(url, {**mine, "seen": _seen(html)})
    assert again.status_code == 302
    assert Dialogue.objects.get(pk=dialogue.pk).history.count() > versions
