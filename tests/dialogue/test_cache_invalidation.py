"""Every public change in the dialogue app makes the cached public pages stale at once
(insyn.core.publication); private rows (ballots) do not."""

from __future__ import annotations

import pytest

from insyn.core.publication import publication_version
from insyn.dialogue import services
from insyn.dialogue.models import ProposalState
from tests.dialogue.factories import (
    BudgetFactory,
    DialogueFactory,
    DiscussionFactory,
    ParticipantFactory,
    ProposalFactory,
)

pytestmark = pytest.mark.django_db


def test_a_published_dialogue_appears_on_the_cached_list(client):
    client.get("/dialog/")
    assert client.get("/dialog/")["X-Insyn-Cache"] == "hit"
    services.dialogue_publish(dialogue=DialogueFactory(title="Ny park i Gottsunda"), by=None)
    response = client.get("/dialog/")
    assert response["X-Insyn-Cache"] == "miss"
    assert "Ny park i Gottsunda" in response.content.decode()


def test_hiding_a_post_bumps_the_version():
    post = services.post_submit(discussion=DiscussionFactory(), body="Hej", author_name="Eva")
    before = publication_version()
    services.post_hide(post=post, reason="Personangrepp", by=None)
    assert publication_version() != before


def test_a_deleted_participants_name_leaves_the_public_pages_at_once():
    """Only update()s and SET NULLs touch public rows here: the service bumps by itself."""
    participant = ParticipantFactory(email="eva@example.org")
    services.post_submit(
        discussion=DiscussionFactory(), body="Bra idé", author_name="Eva", participant=participant
    )
    before = publication_version()
    services.participant_delete(participant=participant)
    assert publication_version() != before


def test_ballots_are_private_and_results_are_public():
    budget = BudgetFactory(amount=1000)
    ProposalFactory.create_batch(2, budget=budget, cost=400, state=ProposalState.FEASIBLE)
    ids = list(budget.proposals.values_list("pk", flat=True))
    before = publication_version()
    services.cast_ballot(budget=budget, participant=ParticipantFactory(), proposal_ids=ids[:1])
    assert publication_version() == before  # votes show only with the results
    services.budget_publish_results(budget=budget, by=None)
    assert publication_version() != before
