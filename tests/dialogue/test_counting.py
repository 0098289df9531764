"""Counting participatory budgets (insyn.dialogue.counting, with pabutools) and sharing them as
Pabulib files (insyn.dialogue.pabulib): published outcomes reproduced, greedy and MES differing
where they should, every export passing pabulib-checker, import all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pabulib.checker import Checker

from insyn.core.errors import ServiceError
from insyn.core.models import OutgoingEmail
from insyn.dialogue import counting, pabulib, services
from insyn.dialogue.models import (
    Ballot,
    BudgetPhase,
    CountingRule,
    DeliveryStage,
    Proposal,
    ProposalState,
    VotingRule,
)
from tests.dialogue.factories import BudgetFactory, ParticipantFactory, ProposalFactory
from tests.factories import MunicipalityFactory, UserFactory

DATA = Path(__file__).parent / "data" / "pabulib"
WESOLA = DATA / "poland_warszawa_2017_wesola-plac-wojska-polskiego.pb"


def _ballots(election: pabulib.PbElection) -> tuple[list[counting.Candidate], list[dict]]:
    candidates = [counting.Candidate(int(p.id), p.cost) for p in election.projects]
    ballots = [
        {int(p): (v.points[i] if v.points else i + 1) for i, p in enumerate(v.projects)}
        for v in election.votes
    ]
    return candidates, ballots


def checker_errors(text: str) -> dict:
    results = Checker().process_files([text])
    file_result = next(v for k, v in results.items() if k not in ("metadata", "summary"))
    return file_result["results"].get("errors", {}) or {}


# --- Published outcomes -------------------------------------------------------------------------


def test_reproduces_the_published_greedy_outcome_of_a_real_budget():
    election = pabulib.parse(WESOLA.read_text("utf-8"))
    candidates, ballots = _ballots(election)
    outcome = counting.count(amount=election.budget, candidates=candidates, ballots=ballots)
    published = {int(p.id) for p in election.projects if p.selected}
    assert set(outcome.winners) == published == {427, 915, 2567, 1623}
    assert outcome.support == {int(p.id): p.votes for p in election.projects}


# Small instances shipped in tests/dialogue/data/pabulib/ (see its README): the Method of Equal
# Shares outcome that pabutools 1.2.3 itself computes (add1 completion, then utilitarian greedy),
# written here as literals, and what "most votes first" funds. Project ids as in the files.
PUBLISHED = [
    # (file, vote type, equal shares, most votes first)
    (
        "poland_warszawa_2017_wesola-plac-wojska-polskiego.pb",
        "approval",
        {427, 915, 1623, 2567},
        {427, 915, 1623, 2567},
    ),
    # Hand-checked. Budget 330, 10 voters: a share of 33 kr each. Six voters approve the park's
    # 1 (100 kr), 2 (110) and 3 (120); four approve the library's 4 (100) and 5 (110).
    # Most votes first: 1, 2, 3 have 6 votes each and cost exactly 330, so the four library
    # voters (40 %) get nothing.
    # Equal shares: the six pay 1 together (16.67 each, the cheapest per krona of utility, as
    # cheap as 2 but cheaper), then have 16.33 each = 98 kr left, too little for 2 (110). The
    # four pay 4 (25 each) and have 8 each left. {1, 4} spends 200. Raising every share one
    # krona at a time: at 35 kr the six can pay 1 and 2 (210 ≤ 6 × 35) and the four still pay 4:
    # {1, 2, 4} = 310 ≤ 330. The next change comes at 53 kr, when the four could also pay 5
    # (210 ≤ 4 × 53): {1, 2, 4, 5} = 420 > 330, so the shares stop at 52 and the outcome stays
    # {1, 2, 4}. The 20 kr left buy nothing (the cheapest unfunded project costs 110).
    ("sweden_testkommun_2024_majoritet.pb", "approval", {1, 2, 4}, {1, 2, 3}),
    ("sweden_testkommun_2024_parken.pb", "approval", {4, 5, 6}, {1, 4, 6}),
    ("sweden_testkommun_2024_poang.pb", "cumulative", {1, 4}, {2, 4}),
    ("sweden_testkommun_2024_rangordning.pb", "ordinal", {1, 2}, {1, 2}),
]


@pytest.mark.parametrize(("name", "vote_type", "mes", "greedy"), PUBLISHED)
def test_import_and_count_reproduce_the_published_equal_shares_outcomes(
    db, name, vote_type, mes, greedy
):
    text = (DATA / name).read_text("utf-8")
    election = pabulib.parse(text)
    assert election.vote_type == vote_type
    if not name.startswith("poland"):  # Warsaw published greedy's (an older format, too)
        assert {int(p.id) for p in election.projects if p.selected} == mes
        assert checker_errors(text) == {}
    dialogue = BudgetFactory(amount=1).dialogue
    for rule, expected in ((CountingRule.MES, mes), (CountingRule.GREEDY, greedy)):
        replay = services.budget_import_pabulib(
            dialogue=dialogue, text=text, counting_rule=rule, by=None
        )
        file_id = {p.pk: p.description.split()[1] for p in replay.proposals.all()}
        won = {int(file_id[pk]) for pk in replay.results["winners"]}
        assert won == expected, rule
        assert {int(file_id[p.pk]) for p in replay.proposals.filter(is_winner=True)} == expected
        assert {int(file_id[pk]) for pk in replay.results["greedy_winners"]} == greedy


def test_the_shipped_outcomes_are_what_pabutools_computes():
    """The literals above, recomputed with pabutools' own rules and default tie-breaking (no
    Insyn code): so they are pabutools' outcomes, not Insyn's echoed back."""
    from pabutools.election import ApprovalProfile, CumulativeProfile, parse_pabulib
    from pabutools.election.satisfaction import (
        Additive_Borda_Sat,
        Additive_Cardinal_Sat,
        Cost_Sat,
    )
    from pabutools.rules import (
        exhaustion_by_budget_increase,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
    )

    for name, _vote_type, mes, greedy in PUBLISHED:
        instance, profile = parse_pabulib(str(DATA / name))
        sat = (
            Cost_Sat
            if isinstance(profile, ApprovalProfile)
            else Additive_Cardinal_Sat
            if isinstance(profile, CumulativeProfile)
            else Additive_Borda_Sat
        )
        add1 = exhaustion_by_budget_increase(
            instance,
            profile,
            method_of_equal_shares,
            {"sat_class": sat},
            budget_step=profile.num_ballots(),
            budget_bound=instance.budget_limit * 4,
        )
        completed = greedy_utilitarian_welfare(
            instance, profile, sat_class=sat, initial_budget_allocation=add1
        )
        assert {int(p.name) for p in completed} == mes, name
        assert {
            int(p.name) for p in greedy_utilitarian_welfare(instance, profile, sat_class=sat)
        } == greedy, name


def test_mes_matches_an_independent_implementation_pabulib_checker():
    """pabulib-checker computes Equal Shares itself when a file declares rule equalshares: a file
    whose `selected` column is pabutools' MES result passes it, and a wrong one does not."""
    costs = {1: 100, 2: 110, 3: 120, 4: 100, 5: 110}
    candidates = [counting.Candidate(i, c) for i, c in costs.items()]
    ballots = [{1: 1, 2: 1, 3: 1}] * 60 + [{4: 1, 5: 1}] * 40
    winners = _mes_without_completion(330, candidates, ballots)
    # Shares of 3.30: the 60 buy project 1 (100 of their 198), the 40 buy project 4 (100 of
    # 132); nobody can afford more without the completion.
    assert set(winners) == {1, 4}

    def file(selected: set[int]) -> str:
        return pabulib.write(
            pabulib.PbElection(
                meta={
                    "description": "Majoritet och minoritet",
                    "country": "Sweden",
                    "unit": "Testkommun",
                    "instance": "2024",
                    "num_projects": "5",
                    "num_votes": "100",
                    "budget": "330",
                    "vote_type": "approval",
                    "rule": "equalshares",
                    "date_begin": "2024",
                    "date_end": "2024",
                },
                projects=[
                    pabulib.PbProject(
                        str(c.id),
                        c.cost,
                        f"P{c.id}",
                        sum(1 for b in ballots if c.id in b),
                        c.id in selected,
                    )
                    for c in candidates
                ],
                votes=[
                    pabulib.PbVote(str(n), [str(p) for p in b])
                    for n, b in enumerate(ballots, start=1)
                ],
            )
        )

    assert checker_errors(file(set(winners))) == {}
    assert checker_errors(file({1, 2})) != {}


def _mes_without_completion(amount, candidates, ballots):
    from pabutools.election import ApprovalBallot, ApprovalProfile, Instance, Project
    from pabutools.election.satisfaction import Cost_Sat
    from pabutools.rules import method_of_equal_shares

    projects = {c.id: Project(str(c.id), c.cost) for c in candidates}
    profile = ApprovalProfile([ApprovalBallot({projects[p] for p in b}) for b in ballots])
    result = method_of_equal_shares(
        Instance(projects.values(), budget_limit=amount), profile, sat_class=Cost_Sat
    )
    return [int(p.name) for p in result]


# --- Greedy and MES differ where they should ------------------------------------------------------


def test_the_majority_takes_everything_under_greedy_but_not_under_equal_shares():
    candidates = [counting.Candidate(i, 100) for i in range(1, 6)]
    ballots = [{1: 1, 2: 1, 3: 1}] * 60 + [{4: 1, 5: 1}] * 40
    greedy = counting.count(amount=300, candidates=candidates, ballots=ballots)
    mes = counting.count(amount=300, candidates=candidates, ballots=ballots, rule=counting.MES)
    assert greedy.winners == [1, 2, 3]
    assert set(mes.winners) == {1, 2, 4}
    assert mes.greedy_winners == [1, 2, 3] and mes.differs_from_greedy
    # Each voter's share, and how the 40 paid for project 4 together.
    assert mes.share_per_voter >= 3
    assert mes.payments[4].payers == 40 and mes.payments[4].total == pytest.approx(100)


def test_when_everyone_agrees_both_rules_agree():
    candidates = [counting.Candidate(i, 100) for i in range(1, 4)]
    ballots = [{1: 1, 2: 1}] * 10
    for rule in (counting.GREEDY, counting.MES):
        outcome = counting.count(amount=200, candidates=candidates, ballots=ballots, rule=rule)
        assert set(outcome.winners) == {1, 2}


def test_points_and_rankings_are_counted():
    candidates = [counting.Candidate(i, 100) for i in range(1, 4)]
    points = [{1: 5, 2: 1}, {1: 4, 3: 2}, {3: 6}]
    outcome = counting.count(
        amount=100, candidates=candidates, ballots=points, ballot_kind=counting.POINTS
    )
    assert outcome.winners == [1]  # 9 points against 6 and 1
    ranks = [{2: 1, 1: 2}, {2: 1, 3: 2}, {1: 1, 2: 2}]
    outcome = counting.count(
        amount=100,
        candidates=candidates,
        ballots=ranks,
        ballot_kind=counting.RANKING,
        max_rank=2,
    )
    assert outcome.winners == [2]  # first twice, second once


@settings(max_examples=40, deadline=None)
@given(
    costs=st.lists(st.integers(1, 50), min_size=1, max_size=6),
    raw=st.lists(st.sets(st.integers(0, 5), min_size=1, max_size=4), min_size=1, max_size=25),
    amount=st.integers(1, 120),
    rule=st.sampled_from([counting.GREEDY, counting.MES]),
)
def test_every_outcome_fits_the_budget_and_only_funds_supported_projects(costs, raw, amount, rule):
    candidates = [counting.Candidate(i + 1, c) for i, c in enumerate(costs)]
    ballots = [{p + 1: 1 for p in b if p < len(costs)} for b in raw]
    outcome = counting.count(amount=amount, candidates=candidates, ballots=ballots, rule=rule)
    cost = {c.id: c.cost for c in candidates}
    assert sum(cost[p] for p in outcome.winners) <= amount
    assert len(set(outcome.winners)) == len(outcome.winners)
    supported = {p for b in ballots for p in b}
    assert set(outcome.winners) <= supported


# --- Pabulib files ---------------------------------------------------------------------------------


@pytest.fixture
def voted(db):
    MunicipalityFactory()
    budget = BudgetFactory(amount=300)
    proposals = [ProposalFactory(budget=budget, cost=100, title=f"Projekt {i}") for i in range(5)]
    ids = [p.pk for p in proposals]
    for picks in [ids[:3]] * 6 + [ids[3:]] * 4:
        services.cast_ballot(budget=budget, participant=ParticipantFactory(), proposal_ids=picks)
    return budget, proposals


@pytest.mark.parametrize("counting_rule", [CountingRule.GREEDY, CountingRule.MES])
def test_export_passes_the_checker_and_round_trips(voted, counting_rule):
    budget, _proposals = voted
    budget.counting = counting_rule
    budget.save()
    officer = UserFactory()
    services.budget_publish_results(budget=budget, by=officer)
    budget.refresh_from_db()
    text = pabulib.write(services.budget_as_pabulib(budget))
    assert checker_errors(text) == {}
    election = pabulib.parse(text)
    assert election.budget == 300 and len(election.votes) == 10
    assert {int(p.id) for p in election.projects if p.selected} == set(
        budget.proposals.filter(is_winner=True).values_list("pk", flat=True)
    )
    for participant_word in ("@", "Participant"):
        assert participant_word not in text
    # Import it again into another dialogue: the same winners under the same rule.
    copy = services.budget_import_pabulib(
        dialogue=budget.dialogue, text=text, counting_rule=counting_rule, by=officer
    )
    won = {p.title for p in copy.proposals.filter(is_winner=True)}
    assert won == set(budget.proposals.filter(is_winner=True).values_list("title", flat=True))
    assert copy.phase == BudgetPhase.CLOSED and copy.ballots.count() == 10


def test_import_of_a_real_file_compares_rules(db):
    budget = BudgetFactory(amount=1)
    dialogue = budget.dialogue
    text = WESOLA.read_text("utf-8")
    replay = services.budget_import_pabulib(
        dialogue=dialogue, text=text, counting_rule=CountingRule.MES, by=UserFactory()
    )
    assert replay.amount == 51195 and replay.proposals.count() == 4
    assert replay.results["greedy_winners"]
    assert set(replay.results["winners"]) == set(
        replay.proposals.filter(is_winner=True).values_list("pk", flat=True)
    )


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (lambda t: t.replace("num_votes;27", "num_votes;28"), "Rad 10: META säger 28 röster"),
        (lambda t: t.replace("num_projects;4", "num_projects;5"), "Rad 9: META säger 5 projekt"),
        (lambda t: t.replace("PROJECTS\n", "PROJEKT\n"), "Rad"),
        (lambda t: t.replace("5642;33;F;internet;427", "5642;33;F;internet;999"), "999"),
        (lambda t: t.replace("427;15995;", "427;gratis;"), "Kostnaden"),
        (lambda t: t.replace("VOTES\n", ""), "Rad 26: Raden har 5 fält"),
        (lambda t: t.replace("vote_type;approval", "vote_type;scoring"), "Rad 12: Okänd vote_type"),
        (lambda t: t + "5642;1;F;internet;427\n", "två gånger"),
    ],
)
def test_a_broken_file_names_the_problem_and_saves_nothing(db, broken, message):
    budget = BudgetFactory(amount=1)
    before = (Proposal.objects.count(), Ballot.objects.count())
    with pytest.raises(pabulib.PabulibError, match=message):
        services.budget_import_pabulib(
            dialogue=budget.dialogue,
            text=broken(WESOLA.read_text("utf-8")),
            counting_rule=CountingRule.GREEDY,
            by=None,
        )
    assert (Proposal.objects.count(), Ballot.objects.count()) == before


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_any_text_parses_or_gives_a_clear_error(text):
    try:
        pabulib.parse(text)
    except pabulib.PabulibError as exc:
        assert str(exc)


# --- Rules chosen before voting, ballots that match them --------------------------------------------


def test_the_rule_cannot_change_after_voting_opens(db):
    budget = BudgetFactory(phase=BudgetPhase.VOTING)
    with pytest.raises(ServiceError, match="kan inte ändras"):
        services.budget_set_rules(
            budget=budget,
            rule=VotingRule.WITHIN_BUDGET,
            counting=CountingRule.MES,
            max_choices=None,
            by=None,
        )
    budget.refresh_from_db()
    assert budget.counting == CountingRule.GREEDY


def test_ballots_must_match_the_rule(db):
    budget = BudgetFactory(rule=VotingRule.POINTS, max_choices=5)
    a, b = (ProposalFactory(budget=budget).pk for _ in range(2))
    voter = ParticipantFactory()
    with pytest.raises(services.BallotRefused, match="6 poäng"):
        services.cast_ballot(budget=budget, participant=voter, values={a: 4, b: 2})
    services.cast_ballot(budget=budget, participant=voter, values={a: 4, b: 1})
    budget.rule, budget.max_choices = VotingRule.RANKING, 2
    budget.save()
    with pytest.raises(services.BallotRefused, match="platserna"):
        services.cast_ballot(budget=budget, participant=voter, values={a: 1, b: 3})
    services.cast_ballot(budget=budget, participant=voter, values={a: 2, b: 1})


# --- Followed to delivery ---------------------------------------------------------------------------


def test_delivery_stages_notify_voters_who_asked(voted, settings):
    budget, proposals = voted
    informed = ParticipantFactory(email="hall-mig-informerad@example.org")
    services.cast_ballot(
        budget=budget, participant=informed, proposal_ids=[proposals[0].pk], keep_informed=True
    )
    services.budget_publish_results(budget=budget, by=UserFactory())
    winner = budget.proposals.filter(is_winner=True).first()
    loser = budget.proposals.filter(is_winner=False, state=ProposalState.FEASIBLE).first()
    import datetime as dt

    services.proposal_record_delivery(
        proposal=winner,
        stage=DeliveryStage.PROCURED,
        on=dt.date(2025, 3, 1),
        note="Klart.",
        by=None,
    )
    winner.refresh_from_db()
    assert winner.delivery_stage == DeliveryStage.PROCURED
    mail = OutgoingEmail.objects.get(to="hall-mig-informerad@example.org")
    assert winner.title in mail.subject and "upphandlat" in mail.body
    assert OutgoingEmail.objects.count() == 1  # nobody else asked
    with pytest.raises(ServiceError):
        services.proposal_record_delivery(
            proposal=loser, stage=DeliveryStage.DONE, on=dt.date(2025, 3, 1), note="", by=None
        )
