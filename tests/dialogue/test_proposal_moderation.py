"""Residents' budget proposals are moderated (issue 12 finding 7): with premoderation (the
default) a proposal is public only once a moderator lets it through; without, it shows at once;
anyone can report a public proposal (rate-limited, honeypot) and it goes to /personal/moderering/.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from insyn.accounts.models import Role
from insyn.core.errors import ServiceError
from insyn.dialogue import services
from insyn.dialogue.models import (
    BudgetPhase,
    Proposal,
    ProposalModeration,
    ProposalReport,
    ProposalState,
)
from tests.dialogue.factories import BudgetFactory, ProposalFactory
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def budget(db):
    return BudgetFactory(phase=BudgetPhase.PROPOSALS)


@pytest.fixture
def moderator(db):
    user = UserFactory(username="moderator-forslag")
    MembershipFactory(user=user, role=Role.MODERATOR, organisation=None)
    return user


def _page(budget):
    return reverse("dialogue:budget", args=[budget.dialogue_id, budget.pk])


def _submit(client, budget, title="Ny lekplats vid ån"):
    return client.post(
        _page(budget), {"title": title, "description": "Gungor och en sandlåda.", "place": ""}
    )


def test_a_residents_proposal_waits_for_a_moderator(client, budget, moderator):
    response = _submit(client, budget)
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert proposal.moderation == ProposalModeration.PENDING
    page = client.get(_page(budget)).content.decode()
    assert "Ny lekplats vid ån" not in page
    assert "En moderator läser förslaget innan det visas här." in page
    detail = reverse("dialogue:proposal", args=[budget.dialogue_id, budget.pk, proposal.pk])
    assert client.get(detail).status_code == 404

    client.force_login(moderator)
    queue = client.get(reverse("staff:moderation")).content.decode()
    assert "Ny lekplats vid ån" in queue
    response = client.post(reverse("staff:moderate_proposal", args=[proposal.pk, "godkann"]))
    assert response.status_code == 302
    client.logout()
    assert "Ny lekplats vid ån" in client.get(_page(budget)).content.decode()
    assert client.get(detail).status_code == 200


def test_without_premoderation_a_proposal_shows_at_once(client):
    budget = BudgetFactory(phase=BudgetPhase.PROPOSALS, premoderation=False)
    _submit(client, budget)
    assert Proposal.objects.get().moderation == ProposalModeration.VISIBLE
    assert "Ny lekplats vid ån" in client.get(_page(budget)).content.decode()


def test_anyone_can_report_a_public_proposal_and_it_reaches_the_queue(client, moderator):
    proposal = ProposalFactory(budget=BudgetFactory(phase=BudgetPhase.PROPOSALS))
    url = reverse(
        "dialogue:proposal_report",
        args=[proposal.budget.dialogue_id, proposal.budget_id, proposal.pk],
    )
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": "Kränkande"}).status_code == 302
    proposal.refresh_from_db()
    assert proposal.report_count == 1 and ProposalReport.objects.get().reason == "Kränkande"

    client.force_login(moderator)
    assert proposal.title in client.get(reverse("staff:moderation")).content.decode()
    client.post(
        reverse("staff:moderate_proposal", args=[proposal.pk, "dolj"]),
        {"reason": "Bryter mot reglerna"},
    )
    proposal.refresh_from_db()
    # Feasible proposals go to the vote: the assessment changes before it can be hidden.
    assert proposal.moderation == ProposalModeration.VISIBLE
    proposal.state = ProposalState.NOT_FEASIBLE
    proposal.save()
    client.post(
        reverse("staff:moderate_proposal", args=[proposal.pk, "dolj"]),
        {"reason": "Bryter mot reglerna"},
    )
    proposal.refresh_from_db()
    assert proposal.moderation == ProposalModeration.HIDDEN
    assert ProposalReport.objects.get().handled_at is not None
    client.logout()
    page = client.get(_page(proposal.budget)).content.decode()
    assert proposal.title not in page


def test_the_report_form_has_a_honeypot_and_changes_nothing_when_filled(client):
    proposal = ProposalFactory(budget=BudgetFactory(phase=BudgetPhase.PROPOSALS))
    url = reverse(
        "dialogue:proposal_report",
        args=[proposal.budget.dialogue_id, proposal.budget_id, proposal.pk],
    )
    response = client.post(url, {"reason": "x", "webbplats": "http://spam.example"})
    assert response.status_code == 400
    assert ProposalReport.objects.count() == 0


def test_reporting_is_rate_limited(client, settings):
    cache.clear()
    proposal = ProposalFactory(budget=BudgetFactory(phase=BudgetPhase.PROPOSALS))
    url = reverse(
        "dialogue:proposal_report",
        args=[proposal.budget.dialogue_id, proposal.budget_id, proposal.pk],
    )
    statuses = [client.post(url, {"reason": f"anmälan {n}"}).status_code for n in range(40)]
    assert 429 in statuses
    assert ProposalReport.objects.count() < 40
    cache.clear()


def test_a_pending_or_hidden_proposal_cannot_be_reported(client):
    proposal = ProposalFactory(
        budget=BudgetFactory(phase=BudgetPhase.PROPOSALS), moderation=ProposalModeration.PENDING
    )
    url = reverse(
        "dialogue:proposal_report",
        args=[proposal.budget.dialogue_id, proposal.budget_id, proposal.pk],
    )
    assert client.post(url, {"reason": "x"}).status_code == 404
    with pytest.raises(ServiceError):
        services.proposal_report(proposal=proposal, reason="x")


def test_only_dialogue_moderators_moderate_proposals(client):
    proposal = ProposalFactory(moderation=ProposalModeration.PENDING)
    contact = UserFactory(username="kontaktcenter-forslag")
    MembershipFactory(user=contact, role=Role.CONTACT_CENTRE, organisation=None)
    client.force_login(contact)
    queue = client.get(reverse("staff:moderation")).content.decode()
    assert proposal.title not in queue
    response = client.post(reverse("staff:moderate_proposal", args=[proposal.pk, "godkann"]))
    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.moderation == ProposalModeration.PENDING


def test_assessing_a_pending_proposal_lets_it_through_and_a_hidden_one_cannot_go_to_the_vote(
    moderator,
):
    budget = BudgetFactory(phase=BudgetPhase.ASSESSMENT)
    pending = ProposalFactory(
        budget=budget, state=ProposalState.SUBMITTED, moderation=ProposalModeration.PENDING
    )
    services.proposal_assess(
        proposal=pending, feasible=False, cost=None, answer="Nej.", by=moderator
    )
    assert pending.moderation == ProposalModeration.VISIBLE
    hidden = ProposalFactory(
        budget=budget, state=ProposalState.SUBMITTED, moderation=ProposalModeration.HIDDEN
    )
    with pytest.raises(ServiceError):
        services.proposal_assess(
            proposal=hidden, feasible=True, cost=10, answer="Ja.", by=moderator
        )
