"""A budget as a Pabulib election (export) and a Pabulib election replayed as a closed budget."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from insyn.core.errors import ServiceError
from insyn.dialogue import pabulib
from insyn.dialogue.models import (
    Ballot,
    BallotChoice,
    Budget,
    BudgetPhase,
    CountingRule,
    Dialogue,
    Proposal,
    ProposalState,
    Source,
    VotingRule,
)
from insyn.dialogue.services.budgets import _compute_results, ballot_choices
from insyn.dialogue.services.common import _as_history_user
from insyn.organisations.selectors import current_municipality

PABULIB_VOTE_TYPES: dict[str, str] = {
    VotingRule.WITHIN_BUDGET: "approval",
    VotingRule.CHOOSE_N: "approval",
    VotingRule.RANKING: "ordinal",
    VotingRule.POINTS: "cumulative",
}


def budget_as_pabulib(budget: Budget) -> pabulib.PbElection:
    """The budget as a Pabulib election: feasible projects with cost, votes and whether they
    won; every ballot as an anonymous voter number (ballots sorted by content, so the number says
    nothing about who voted or when)."""
    dialogue = budget.dialogue
    town = current_municipality()
    proposals = list(budget.proposals.on_ballot().order_by("pk"))
    ballots: dict[int, list[tuple[int, int]]] = {}
    for ballot_id, proposal_id, value in ballot_choices(budget):
        ballots.setdefault(ballot_id, []).append((proposal_id, value))
    votes: list[tuple[list[int], list[int] | None]] = []
    for choices in sorted(ballots.values(), key=lambda c: sorted(c)):
        if budget.rule == VotingRule.RANKING:
            ordered = [p for p, _rank in sorted(choices, key=lambda c: c[1])]
            votes.append((ordered, None))
        elif budget.rule == VotingRule.POINTS:
            votes.append(([p for p, _v in sorted(choices)], [v for _p, v in sorted(choices)]))
        else:
            votes.append(([p for p, _v in sorted(choices)], None))
    start = dialogue.starts_on or timezone.localdate()
    end = dialogue.ends_on or start
    meta = {
        "description": f"{budget.title} ({dialogue.title})",
        "country": "Sweden",
        "unit": town.short_name if town else "Kommunen",
        "instance": str(end.year),
        "num_projects": str(len(proposals)),
        "num_votes": str(len(votes)),
        "budget": str(budget.amount),
        "vote_type": PABULIB_VOTE_TYPES[budget.rule],
        "rule": "greedy" if budget.counting == CountingRule.GREEDY else "unknown",
        "date_begin": start.strftime("%d.%m.%Y"),
        "date_end": end.strftime("%d.%m.%Y"),
        "language": "sv",
        "currency": "SEK",
    }
    if budget.counting == CountingRule.MES:
        meta["comment"] = (
            "#1: Method of Equal Shares (pabutools 1.2.3), completed by raising every voter's "
            "share by 1% of it at a time while the outcome fits the budget, then greedily by "
            "support"
        )
    if budget.rule == VotingRule.WITHIN_BUDGET:
        meta["max_sum_cost"] = str(budget.amount)
    elif budget.rule in (VotingRule.CHOOSE_N, VotingRule.RANKING):
        meta["max_length"] = str(budget.max_choices or len(proposals))
    elif budget.rule == VotingRule.POINTS:
        meta["max_sum_points"] = str(budget.max_choices or 0)
    support = dict.fromkeys((p.pk for p in proposals), 0)
    for chosen, _points in votes:
        for p in chosen:
            support[p] = support.get(p, 0) + 1
    return pabulib.PbElection(
        meta=meta,
        projects=[
            pabulib.PbProject(
                id=str(p.pk),
                cost=p.cost or 0,
                name=p.title,
                votes=support.get(p.pk, 0),
                selected=p.is_winner,
            )
            for p in proposals
        ],
        votes=[
            pabulib.PbVote(str(n), [str(p) for p in chosen], points)
            for n, (chosen, points) in enumerate(votes, start=1)
        ],
    )


VOTING_RULES_BY_PABULIB = {
    "approval": VotingRule.CHOOSE_N,
    "ordinal": VotingRule.RANKING,
    "cumulative": VotingRule.POINTS,
}


@transaction.atomic
def budget_import_pabulib(*, dialogue: Dialogue, text: str, counting_rule: str, by: Any) -> Budget:
    """Replay a Pabulib election (an earlier budget, or one published elsewhere) as a closed
    budget of the dialogue, counted under `counting_rule`: all or nothing, and a PabulibError
    naming the line when the file is wrong."""
    election = pabulib.parse(text)
    if counting_rule not in CountingRule.values:
        raise ServiceError(_("Okänt sätt att räkna rösterna."))
    rule = VOTING_RULES_BY_PABULIB[election.vote_type]
    max_choices = None
    if rule == VotingRule.POINTS:
        max_choices = max((sum(v.points or []) for v in election.votes), default=1) or 1
    else:
        max_choices = max((len(v.projects) for v in election.votes), default=1) or 1
    if election.meta.get("max_sum_cost") and rule == VotingRule.CHOOSE_N:
        rule, max_choices = VotingRule.WITHIN_BUDGET, None
    budget = Budget(
        dialogue=dialogue,
        title=(election.meta.get("description") or _("Inläst medborgarbudget"))[:200],
        intro=_("Inläst från en Pabulib-fil för att jämföra räknesätt."),
        amount=election.budget,
        rule=rule,
        counting=counting_rule,
        max_choices=min(max_choices, 1000) if max_choices else None,
        phase=BudgetPhase.CLOSED,
    )
    _as_history_user(budget, by).save()
    proposals = {}
    now = timezone.now()
    for project in election.projects:
        proposals[project.id] = Proposal.objects.create(
            budget=budget,
            title=(project.name or project.id)[:200],
            description=_("Projekt %(id)s i Pabulib-filen.") % {"id": project.id},
            state=ProposalState.FEASIBLE,
            cost=project.cost,
            answer=_("Inläst från Pabulib."),
            assessed_by=by,
            assessed_at=now,
            source=Source.OTHER,
            entered_by=by,
        )
    ballots = Ballot.objects.bulk_create(
        Ballot(budget=budget, participant=None, version=1) for _vote in election.votes
    )
    choices = []
    for ballot, vote in zip(ballots, election.votes, strict=True):
        for position, pid in enumerate(vote.projects):
            if rule == VotingRule.RANKING:
                value = position + 1
            elif rule == VotingRule.POINTS:
                value = max(1, min((vote.points or [1])[position], 32767))
            else:
                value = 1
            choices.append(BallotChoice(ballot=ballot, proposal=proposals[pid], value=value))
    BallotChoice.objects.bulk_create(choices, batch_size=5000)
    _compute_results(budget)
    return budget
