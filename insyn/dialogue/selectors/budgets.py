"""Participatory budgets: the proposals shown, a participant's ballot, the results."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from insyn.core.publication import publication_version
from insyn.dialogue.models import (
    Ballot,
    BallotChoice,
    Budget,
    BudgetPhase,
    DeliveryUpdate,
    Participant,
    Proposal,
)
from insyn.dialogue.selectors.register import public_dialogues
from insyn.goals.models import Assignment


def public_proposals(budget: Budget) -> list[Proposal]:
    return list(
        budget.proposals.public()
        .select_related("district")
        .prefetch_related(Prefetch("assignments", Assignment.objects.select_related("goal__plan")))
        .order_by("-is_winner", "-votes", "pk")[:500]
    )


def ballot_values(budget: Budget, participant: Participant | None) -> dict[int, int]:
    """The participant's ballot as proposal id → value (1, a place, or points)."""
    if participant is None:
        return {}
    return dict(
        BallotChoice.objects.filter(
            ballot__budget=budget, ballot__participant=participant
        ).values_list("proposal_id", "value")
    )


def keeps_informed(budget: Budget, participant: Participant | None) -> bool:
    if participant is None:
        return False
    return Ballot.objects.filter(
        budget=budget, participant=participant, keep_informed=True
    ).exists()


def ballot_of(budget: Budget, participant: Participant | None) -> set[int]:
    if participant is None:
        return set()
    ballot = Ballot.objects.filter(budget=budget, participant=participant).first()
    if ballot is None:
        return set()
    return set(ballot.choices.values_list("proposal_id", flat=True))


# What a cast needs of the budget and its dialogue besides the proposals' ids and titles (the
# form's choices): ballot_sheet reads only these columns.
_SHEET_FIELDS = (
    "title",
    "budget",
    "budget__dialogue",
    "budget__rule",
    "budget__max_choices",
    "budget__dialogue__identity_level",
)


# Each process keeps the sheets it has read for the current publication version: a vote is the
# same sheet thousands of times, and every change a resident could see of a budget, its dialogue
# or its proposals bumps the version (insyn.core.publication). The sheet only builds the form;
# cast_ballot checks the ballot against the budget as it is inside its transaction.
_SHEETS: dict[tuple[int, int, str], list[Proposal]] = {}
_SHEETS_MAX = 256


def ballot_sheet(dialogue_pk: int, budget_pk: int) -> list[Proposal]:
    """The proposals on a public budget's ballot, each with its budget and dialogue (only the
    columns a vote POST reads), in one query or none; empty when the budget is not public or
    has none on the ballot (the caller then reads the page the slow way). Read only: the
    instances are shared by the process's threads."""
    key = (dialogue_pk, budget_pk, publication_version())
    sheet = _SHEETS.get(key)
    if sheet is None:
        sheet = list(
            Proposal.objects.public()
            .on_ballot()
            .filter(
                budget_id=budget_pk,
                budget__dialogue_id=dialogue_pk,
                budget__dialogue__in=public_dialogues(),
            )
            .select_related("budget__dialogue")
            .only(*_SHEET_FIELDS)
            .order_by("pk")
        )
        if len(_SHEETS) >= _SHEETS_MAX:
            _SHEETS.clear()
        _SHEETS[key] = sheet
    return sheet


def feasible_proposals(budget: Budget) -> list[Proposal]:
    return list(budget.proposals.public().on_ballot().order_by("pk"))


@dataclass
class ResultRow:
    proposal: Proposal
    support: int
    won: bool
    won_greedy: bool
    completed: bool  # MES: funded by the completion, not from the equal shares
    payers: int
    share_paid: float


@dataclass
class BudgetResults:
    rule: str
    rows: list[ResultRow]
    voters: int
    spent: int
    share_per_voter: float
    differs: bool
    only_greedy: list[Proposal]  # would have won under "most votes first" but did not
    only_rule: list[Proposal]  # won under the chosen rule but not under "most votes first"
    by_district: list[tuple[str, int, list[tuple[str, int]]]]  # district, voters, top projects


def budget_results(budget: Budget) -> BudgetResults | None:
    """The stored count (Budget.results) as rows for the results page: a fixed number of
    queries."""
    data = budget.results or {}
    if not data:
        return None
    proposals = {
        p.pk: p
        for p in budget.proposals.on_ballot()
        .select_related("responsible_organisation")
        .prefetch_related(
            Prefetch("deliveries", DeliveryUpdate.objects.order_by("on", "pk")),
            Prefetch("assignments", Assignment.objects.select_related("goal__plan")),
        )
    }
    winners, greedy = set(data.get("winners", [])), set(data.get("greedy_winners", []))
    completed = set(data.get("completed", []))
    payments = data.get("payments", {})
    support = {int(k): v for k, v in data.get("support", {}).items()}
    rows = [
        ResultRow(
            proposal=p,
            support=support.get(pk, 0),
            won=pk in winners,
            won_greedy=pk in greedy,
            completed=pk in completed,
            payers=payments.get(str(pk), {}).get("payers", 0),
            share_paid=payments.get(str(pk), {}).get("share_paid", 0.0),
        )
        for pk, p in proposals.items()
    ]
    rows.sort(key=lambda r: (not r.won, -r.support, r.proposal.pk))
    by_district: dict[str, dict[str, int]] = {}
    voters_by_district: dict[str, int] = {}
    for district, title, n in (
        BallotChoice.objects.filter(ballot__budget=budget, ballot__district__isnull=False)
        .values_list("ballot__district__name", "proposal__title")
        .annotate(n=Count("id"))
        .order_by()
    ):
        by_district.setdefault(district, {})[title] = n
    for district, n in (
        Ballot.objects.filter(budget=budget, district__isnull=False)
        .values_list("district__name")
        .annotate(n=Count("id"))
        .order_by()
    ):
        voters_by_district[district] = n
    return BudgetResults(
        rule=data.get("rule", ""),
        rows=rows,
        voters=data.get("voters", 0),
        spent=data.get("spent", 0),
        share_per_voter=data.get("share_per_voter", 0.0),
        differs=winners != greedy,
        only_greedy=[proposals[pk] for pk in sorted(greedy - winners) if pk in proposals],
        only_rule=[proposals[pk] for pk in sorted(winners - greedy) if pk in proposals],
        by_district=[
            (
                district,
                voters_by_district.get(district, 0),
                sorted(titles.items(), key=lambda t: (-t[1], t[0]))[:3],
            )
            for district, titles in sorted(by_district.items())
        ],
    )


def public_proposal_with_delivery(budget: Budget) -> QuerySet[Proposal]:
    """A budget's proposals with what their page shows of the delivery, in fixed queries."""
    return (
        budget.proposals.public()
        .select_related("district", "responsible_organisation")
        .prefetch_related(
            Prefetch("deliveries", DeliveryUpdate.objects.order_by("on", "pk")),
            Prefetch("assignments", Assignment.objects.select_related("goal__plan")),
        )
    )


def public_delivery_photo(uuid: Any) -> DeliveryUpdate | None:
    """A delivery update's photo, once the budget's results are public: a winning project of a
    budget with published results, in a public dialogue."""
    return (
        DeliveryUpdate.objects.filter(
            photo_uuid=uuid,
            proposal__is_winner=True,
            proposal__budget__phase=BudgetPhase.RESULTS,
            proposal__budget__dialogue__in=public_dialogues(),
        )
        .exclude(photo="")
        .first()
    )
