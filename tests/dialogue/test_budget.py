"""Participatory budget: rules for a ballot, one ballot per person (database constraint),
changeable until voting closes, results, and winners followed up as assignments."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from insyn.core.errors import ServiceError
from insyn.dialogue import counting, services
from insyn.dialogue.models import (
    Ballot,
    BallotChoice,
    BudgetPhase,
    IdentityLevel,
    ProposalState,
    VotingRule,
)
from tests.dialogue.conftest import needs_concurrent_db, sign_in_participant
from tests.dialogue.factories import BudgetFactory, ParticipantFactory, ProposalFactory
from tests.factories import GoalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def budget():
    budget = BudgetFactory(amount=1000)
    ProposalFactory.create_batch(3, budget=budget, cost=400)
    ProposalFactory(budget=budget, state=ProposalState.NOT_FEASIBLE, cost=None)
    return budget


def _ids(budget, n):
    return list(
        budget.proposals.filter(state=ProposalState.FEASIBLE).values_list("pk", flat=True)[:n]
    )


def test_ballot_over_budget_is_refused_with_a_clear_message(budget):
    with pytest.raises(services.BallotRefused) as refused:
        services.cast_ballot(
            budget=budget, participant=ParticipantFactory(), proposal_ids=_ids(budget, 3)
        )
    assert "1\u00a0200 kronor" in refused.value.message and "1\u00a0000" in refused.value.message
    assert not Ballot.objects.exists()


def test_choose_n_refuses_too_many(budget):
    budget.rule, budget.max_choices = VotingRule.CHOOSE_N, 2
    budget.save()
    with pytest.raises(services.BallotRefused) as refused:
        services.cast_ballot(
            budget=budget, participant=ParticipantFactory(), proposal_ids=_ids(budget, 3)
        )
    assert "högst 2" in refused.value.message
    services.cast_ballot(
        budget=budget, participant=ParticipantFactory(), proposal_ids=_ids(budget, 2)
    )


def test_not_feasible_foreign_and_empty_choices_are_refused(budget):
    participant = ParticipantFactory()
    not_feasible = budget.proposals.get(state=ProposalState.NOT_FEASIBLE)
    other = ProposalFactory()
    for ids in ([not_feasible.pk], [other.pk], [], [999999]):
        with pytest.raises(services.BallotRefused):
            services.cast_ballot(budget=budget, participant=participant, proposal_ids=ids)


def test_database_allows_one_ballot_per_person(budget):
    participant = ParticipantFactory()
    Ballot.objects.create(budget=budget, participant=participant)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(budget=budget, participant=participant)


def test_ballot_can_be_changed_until_voting_closes(budget):
    participant = ParticipantFactory()
    first, second, third = _ids(budget, 3)
    services.cast_ballot(budget=budget, participant=participant, proposal_ids=[first, second])
    ballot = services.cast_ballot(budget=budget, participant=participant, proposal_ids=[third])
    assert Ballot.objects.count() == 1 and ballot.version == 2
    assert list(ballot.choices.values_list("proposal_id", flat=True)) == [third]
    services.budget_close_voting(budget=budget, by=None)
    with pytest.raises(services.BallotRefused):
        services.cast_ballot(budget=budget, participant=participant, proposal_ids=[first])


def test_a_changed_ranking_keeps_the_proposals_and_replaces_their_ranks():
    """The same proposals ranked the other way round: the choices are the new ranks (on
    PostgreSQL the kept proposals' rows are updated in place, the others removed or added)."""
    budget = BudgetFactory(rule=VotingRule.RANKING, max_choices=3)
    first, second, third = (ProposalFactory(budget=budget, cost=100).pk for _ in range(3))
    person = ParticipantFactory()
    services.cast_ballot(budget=budget, participant=person, values={first: 1, second: 2, third: 3})
    ballot = services.cast_ballot(budget=budget, participant=person, values={third: 1, first: 2})
    assert ballot.version == 2
    assert dict(ballot.choices.values_list("proposal_id", "value")) == {third: 1, first: 2}


def test_eid_level_required_when_the_dialogue_says_so(budget):
    budget.dialogue.identity_level = IdentityLevel.EID
    budget.dialogue.save()
    with pytest.raises(services.BallotRefused):
        services.cast_ballot(
            budget=budget, participant=ParticipantFactory(), proposal_ids=_ids(budget, 1)
        )
    eid_person = services.participant_from_eid(issuer="https://broker", subject="abc")
    services.cast_ballot(budget=budget, participant=eid_person, proposal_ids=_ids(budget, 1))


def test_most_votes_first_funds_what_fits_in_order_of_votes():
    """The greedy rule (pabutools, cost satisfaction) is "most votes first": 1 (10 votes, 700)
    then 2 (9 votes, 400) does not fit, 3 (8 votes, 300) does; 4 has no votes."""
    candidates = [
        counting.Candidate(1, 700),
        counting.Candidate(2, 400),
        counting.Candidate(3, 300),
        counting.Candidate(4, 10),
    ]
    votes = {1: 10, 2: 9, 3: 8}
    ballots = [{p: 1} for p, n in votes.items() for _ in range(n)]
    outcome = counting.count(amount=1000, candidates=candidates, ballots=ballots)
    assert outcome.winners == [1, 3]
    assert outcome.support == {1: 10, 2: 9, 3: 8, 4: 0}


def test_results_published_and_winner_becomes_assignment(budget, officer):
    a, b, c = _ids(budget, 3)
    for picks in ([a, b], [a], [a, c], [b]):
        services.cast_ballot(budget=budget, participant=ParticipantFactory(), proposal_ids=picks)
    services.budget_publish_results(budget=budget, by=officer)
    budget.refresh_from_db()
    assert budget.phase == BudgetPhase.RESULTS
    votes = dict(budget.proposals.values_list("pk", "votes"))
    assert (votes[a], votes[b], votes[c]) == (3, 2, 1)
    winners = set(budget.proposals.filter(is_winner=True).values_list("pk", flat=True))
    assert winners == {a, b}  # 400 + 400 fits; c (400) would exceed 1000
    goal = GoalFactory()
    assignment = services.proposal_create_assignment(
        proposal=budget.proposals.get(pk=a), goal=goal, by=officer
    )
    assert assignment.goal == goal and budget.proposals.get(pk=a).assignments.get() == assignment
    assert budget.dialogue.assignments.filter(pk=assignment.pk).exists()
    with pytest.raises(ServiceError):
        services.proposal_create_assignment(
            proposal=budget.proposals.get(pk=c), goal=goal, by=officer
        )


def test_vote_page_requires_sign_in_and_saves(client, budget):
    url = reverse("dialogue:vote", args=[budget.dialogue.pk, budget.pk])
    page = client.get(url).content.decode()
    assert "Logga in för att rösta" in page
    participant = ParticipantFactory()
    sign_in_participant(client, participant)
    ids = _ids(budget, 3)
    response = client.post(url, {"proposals": ids})
    assert response.status_code == 400
    assert "budgeten är 1" in response.content.decode()
    assert client.post(url, {"proposals": ids[:2]}).status_code == 302
    assert Ballot.objects.get().participant == participant


def test_proposal_assessment_gives_a_public_answer(client, officer):
    budget = BudgetFactory(phase=BudgetPhase.PROPOSALS)
    url = reverse("dialogue:budget", args=[budget.dialogue.pk, budget.pk])
    assert client.post(url, {"title": "Parkbänk", "description": "Vid dammen"}).status_code == 302
    proposal = budget.proposals.get()
    with pytest.raises(ServiceError):
        services.proposal_assess(
            proposal=proposal, feasible=True, cost=None, answer="Ja", by=officer
        )
    services.proposal_assess(
        proposal=proposal, feasible=True, cost=900, answer="Vi bygger.", by=officer
    )
    page = client.get(
        reverse("dialogue:proposal", args=[budget.dialogue.pk, budget.pk, proposal.pk])
    ).content.decode()
    assert "Vi bygger." in page and "900 kronor" in page


def test_voting_cannot_open_with_unassessed_proposals(officer):
    budget = BudgetFactory(phase=BudgetPhase.ASSESSMENT)
    ProposalFactory(budget=budget)
    ProposalFactory(budget=budget, state=ProposalState.SUBMITTED)
    with pytest.raises(ServiceError):
        services.budget_set_phase(budget=budget, phase=BudgetPhase.VOTING, by=officer)


@needs_concurrent_db
@pytest.mark.django_db(transaction=True)
def test_concurrent_ballots_make_one_ballot_per_person_and_lose_no_update():
    """Many threads, each with its own connection, cast ballots at once: several threads per
    person. Exactly one ballot per person; its version equals the number of successful casts
    (no lost update); its choices are exactly one submitted set (never a mix)."""
    budget = BudgetFactory(amount=10_000)
    proposals = ProposalFactory.create_batch(6, budget=budget, cost=100)
    people = ParticipantFactory.create_batch(12)
    per_person = 4
    barrier = threading.Barrier(len(people) * per_person)
    successes: Counter[int] = Counter()
    submitted: dict[int, list[frozenset[int]]] = {p.pk: [] for p in people}
    errors: list[BaseException] = []
    lock = threading.Lock()

    def vote(person, n: int) -> None:
        picks = frozenset(p.pk for p in proposals[n : n + 1 + n % 3])
        try:
            barrier.wait()
            services.cast_ballot(budget=budget, participant=person, proposal_ids=picks)
            with lock:
                successes[person.pk] += 1
                submitted[person.pk].append(picks)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=vote, args=(person, n))
        for person in people
        for n in range(per_person)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert Ballot.objects.filter(budget=budget).count() == len(people)
    for person in people:
        ballot = Ballot.objects.get(budget=budget, participant=person)
        assert ballot.version == successes[person.pk] == per_person
        chosen = frozenset(
            BallotChoice.objects.filter(ballot=ballot).values_list("proposal_id", flat=True)
        )
        assert chosen in submitted[person.pk]
