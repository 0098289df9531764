"""Dialogue, Post and Proposal QuerySets: each public-visibility rule in one place."""

from __future__ import annotations

import datetime as dt

import pytest

from insyn.dialogue.models import (
    Dialogue,
    DialogueState,
    Post,
    PostState,
    Proposal,
    ProposalState,
)
from tests.dialogue.factories import (
    BudgetFactory,
    DialogueFactory,
    DiscussionFactory,
    ProposalFactory,
)

pytestmark = pytest.mark.django_db


def test_public_dialogues_are_published_or_closed_never_drafts():
    draft = DialogueFactory(state=DialogueState.DRAFT)
    published = DialogueFactory(state=DialogueState.PUBLISHED)
    closed = DialogueFactory(state=DialogueState.CLOSED)
    assert set(Dialogue.objects.public()) == {published, closed}
    assert draft.is_public is False and published.is_public and closed.is_public


def test_feedback_overdue_is_an_open_dialogue_past_its_feedback_date_without_feedback():
    today = dt.date(2026, 6, 1)
    late = DialogueFactory(state=DialogueState.PUBLISHED, feedback_on=dt.date(2026, 5, 1))
    DialogueFactory(state=DialogueState.PUBLISHED, feedback_on=dt.date(2026, 7, 1))
    DialogueFactory(state=DialogueState.DRAFT, feedback_on=dt.date(2026, 5, 1))
    assert list(Dialogue.objects.feedback_overdue(today)) == [late]


def test_posts_in_the_thread_and_visible_posts():
    discussion = DiscussionFactory()
    visible, hidden, pending = (
        Post.objects.create(discussion=discussion, body=state, state=state)
        for state in (PostState.VISIBLE, PostState.HIDDEN, PostState.PENDING)
    )
    assert set(Post.objects.in_thread()) == {visible, hidden}
    assert list(Post.objects.visible()) == [visible]
    assert pending not in Post.objects.in_thread()


def test_assessed_proposals_and_the_ballot():
    budget = BudgetFactory()
    feasible = ProposalFactory(budget=budget, state=ProposalState.FEASIBLE)
    refused = ProposalFactory(budget=budget, state=ProposalState.NOT_FEASIBLE)
    ProposalFactory(budget=budget, state=ProposalState.SUBMITTED)
    assert set(Proposal.objects.assessed()) == {feasible, refused}
    assert list(budget.proposals.on_ballot()) == [feasible]
