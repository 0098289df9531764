"""Counting a participatory budget with the maintained library for it, pabutools.

Pure: projects (id, cost), the budget and the ballots in; winners and an explanation out. No
database. The rule is chosen before voting opens (`Budget.counting`):

- GREEDY, "flest röster först": projects in order of support, each funded if it still fits
  (pabutools' greedy utilitarian welfare with cost satisfaction, which for approval ballots is
  exactly "most votes first"; for points and rankings, most points or Borda score per krona).
- MES, "lika andelar" (Method of Equal Shares): every voter gets an equal share of the budget;
  a project is funded when its supporters can pay for it together from their shares, cheapest
  per unit of satisfaction first. Completed as equalshares.net describes: the shares are raised
  step by step (by 1 % of a share at a time, pabutools' default step; "add1" raises them by one
  krona, which is the same idea but hundreds of times slower for a municipal budget) as long as
  the result still fits the budget, and what is left is filled greedily (utilitarian completion).

Ballots: approval (within the budget, or up to N projects) counts each chosen project as support
worth its cost (cost utility); cumulative points count the points; a ranking of up to N counts
Borda points (the first of N gets N, the next N-1, …).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from pabutools.election import (
    ApprovalBallot,
    ApprovalProfile,
    CumulativeBallot,
    CumulativeProfile,
    Instance,
    OrdinalBallot,
    OrdinalProfile,
    Project,
)
from pabutools.election.satisfaction import Additive_Borda_Sat, Additive_Cardinal_Sat, Cost_Sat
from pabutools.rules import (
    exhaustion_by_budget_increase,
    greedy_utilitarian_welfare,
    method_of_equal_shares,
)
from pabutools.tiebreaking import TieBreakingRule

GREEDY = "greedy"
MES = "mes"
APPROVAL = "approval"
POINTS = "points"
RANKING = "ranking"


@dataclass(frozen=True)
class Candidate:
    id: int
    cost: int


@dataclass
class Payment:
    """How the supporters of one MES-funded project paid for it."""

    project: int
    supporters: int  # voters who supported it (with the weight they gave it)
    payers: int  # supporters who paid something
    share_paid: float  # the most one supporter paid, kronor
    total: float


@dataclass
class Outcome:
    rule: str
    winners: list[int]
    greedy_winners: list[int]
    voters: int
    spent: int
    share_per_voter: float  # kronor, MES only (after the add1 completion)
    payments: dict[int, Payment] = field(default_factory=dict)
    completed: list[int] = field(default_factory=list)  # MES: funded by the greedy completion
    support: dict[int, int] = field(default_factory=dict)  # project → voters who chose it

    @property
    def differs_from_greedy(self) -> bool:
        return set(self.winners) != set(self.greedy_winners)


def _tie_breaking(costs: Mapping[int, int]) -> TieBreakingRule:
    """Ties: the cheaper project, then the one proposed first (lower id) — as before."""
    return TieBreakingRule(lambda inst, prof, proj: (costs[int(proj.name)], int(proj.name)))


def _profile(
    kind: str,
    projects: Mapping[int, Project],
    ballots: Sequence[Mapping[int, int]],
    max_rank: int,
):
    if kind == POINTS:
        return CumulativeProfile(
            [
                CumulativeBallot({projects[p]: v for p, v in b.items() if p in projects})
                for b in ballots
            ]
        ), Additive_Cardinal_Sat
    if kind == RANKING:
        profile = OrdinalProfile(
            [
                OrdinalBallot(
                    [
                        projects[p]
                        for p, _rank in sorted(b.items(), key=lambda i: i[1])
                        if p in projects
                    ]
                )
                for b in ballots
            ]
        )
        return profile, Additive_Borda_Sat
    return ApprovalProfile(
        [ApprovalBallot({projects[p] for p in b if p in projects}) for b in ballots]
    ), Cost_Sat


def count(
    *,
    amount: int,
    candidates: Sequence[Candidate],
    ballots: Sequence[Mapping[int, int]],
    ballot_kind: str = APPROVAL,
    rule: str = GREEDY,
    max_rank: int = 0,
) -> Outcome:
    """Winners (in the order they were funded) under `rule`, and under GREEDY for comparison.

    `ballots`: one mapping per voter, project id → value (1 for approval, points, or rank 1 = first).
    """
    costs = {c.id: c.cost for c in candidates}
    support: dict[int, int] = {c.id: 0 for c in candidates}
    for ballot in ballots:
        for p in ballot:
            if p in support:
                support[p] += 1
    # A project nobody chose never wins (pabutools' greedy would fund it with money left over).
    projects = {c.id: Project(str(c.id), c.cost) for c in candidates if support[c.id] > 0}
    instance = Instance(projects.values(), budget_limit=amount)
    ballots = [b for b in ballots if any(p in projects for p in b)]
    outcome = Outcome(
        rule=rule,
        winners=[],
        greedy_winners=[],
        voters=len(ballots),
        spent=0,
        share_per_voter=0.0,
        support=support,
    )
    if not ballots:
        return outcome
    profile, sat_class = _profile(ballot_kind, projects, ballots, max_rank)
    profile = profile.as_multiprofile()  # identical ballots counted once, with their number
    tie = _tie_breaking(costs)
    greedy = greedy_utilitarian_welfare(instance, profile, sat_class=sat_class, tie_breaking=tie)
    outcome.greedy_winners = [int(p.name) for p in greedy]
    if rule == MES:
        step = share_step(amount, len(ballots)) * len(ballots)
        equal_shares = exhaustion_by_budget_increase(
            instance,
            profile,
            rule=method_of_equal_shares,
            rule_params={"sat_class": sat_class, "tie_breaking": tie, "analytics": True},
            budget_step=step,
            budget_bound=amount * 4,
        )
        completed = greedy_utilitarian_welfare(
            instance,
            profile,
            sat_class=sat_class,
            tie_breaking=tie,
            initial_budget_allocation=equal_shares,
        )
        in_mes = [int(p.name) for p in equal_shares]
        outcome.winners = in_mes + [int(p.name) for p in completed if int(p.name) not in in_mes]
        outcome.completed = outcome.winners[len(in_mes) :]
        details = getattr(equal_shares, "details", None)
        if details is not None and details.iterations:
            outcome.share_per_voter = float(details.iterations[0].voters_budget[0])
            outcome.payments = _payments(details, ballots)
        else:
            outcome.share_per_voter = amount / len(ballots)
    else:
        outcome.winners = outcome.greedy_winners
    outcome.spent = sum(costs[p] for p in outcome.winners)
    return outcome


def share_step(amount: int, voters: int) -> int:
    """How much each voter's share grows per step of the completion: one percent of the share
    (at least one krona), as pabutools does by default."""
    if voters <= 0:
        return 1
    return max(1, amount // voters // 100)


def _payments(details, ballots) -> dict[int, Payment]:
    """Per funded project: how many supporters paid, the most one paid, the total. Budgets are
    per distinct ballot; `voter_multiplicity` says how many voters cast each."""
    result: dict[int, Payment] = {}
    multiplicity = details.voter_multiplicity
    for iteration in details.iterations:
        project = iteration.selected_project
        if project is None or iteration.voters_budget_after_selection is None:
            continue
        pid = int(project.name)
        paid = [
            (float(before) - float(after), n)
            for before, after, n in zip(
                iteration.voters_budget,
                iteration.voters_budget_after_selection,
                multiplicity,
                strict=False,
            )
        ]
        payers = [(x, n) for x, n in paid if x > 1e-9]
        result[pid] = Payment(
            project=pid,
            supporters=sum(1 for b in ballots if pid in b),
            payers=sum(n for _x, n in payers),
            share_paid=max((x for x, _n in payers), default=0.0),
            total=sum(x * n for x, n in payers),
        )
    return result


def as_json(outcome: Outcome) -> dict:
    """The outcome as stored on the budget (Budget.results) and shown on its results page."""
    return {
        "rule": outcome.rule,
        "winners": outcome.winners,
        "greedy_winners": outcome.greedy_winners,
        "completed": outcome.completed,
        "voters": outcome.voters,
        "spent": outcome.spent,
        "share_per_voter": round(outcome.share_per_voter, 2),
        "support": {str(k): v for k, v in outcome.support.items()},
        "payments": {
            str(k): {
                "supporters": p.supporters,
                "payers": p.payers,
                "share_paid": round(p.share_paid, 2),
                "total": round(p.total, 2),
            }
            for k, p in outcome.payments.items()
        },
    }
