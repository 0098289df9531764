"""Participatory budgets: rules, proposals and their assessment, phases, ballots, counting,
results, and following winning projects to delivery (as assignments under a goal).

A ballot is one row per participant and budget (a database UniqueConstraint), replaced inside one
transaction with its row locked, so concurrent casts never make two and never mix choices.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from insyn.core.errors import ServiceError
from insyn.core.forms import UNMODERATED
from insyn.core.images import CleanImage
from insyn.core.notices import notify
from insyn.core.publication import bump_publication_version
from insyn.core.templatetags.insyn_format import format_number
from insyn.dialogue import counting
from insyn.dialogue.indexing import index_dialogue
from insyn.dialogue.models import (
    AgeBand,
    Ballot,
    BallotChoice,
    Budget,
    BudgetPhase,
    CountingRule,
    DeliveryStage,
    DeliveryUpdate,
    Dialogue,
    District,
    Participant,
    Proposal,
    ProposalModeration,
    ProposalReport,
    ProposalState,
    Source,
    VotingRule,
)
from insyn.dialogue.services.common import (
    MAX_TEXT,
    _as_history_user,
    lock_for_moderation,
    record_moderation,
)
from insyn.goals.models import Assignment, AssignmentKind, Goal
from insyn.organisations.models import Organisation


class BallotRefused(ServiceError):
    pass


RULES_NEEDING_N: dict[str, Any] = {
    VotingRule.CHOOSE_N: _("Ange hur många förslag varje person får välja."),
    VotingRule.RANKING: _("Ange hur många förslag varje person får rangordna."),
    VotingRule.POINTS: _("Ange hur många poäng varje person får fördela."),
}


def _check_rules(rule: str, counting: str, max_choices: int | None) -> None:
    if rule not in VotingRule.values:
        raise ServiceError(_("Okänd röstningsregel."))
    if counting not in CountingRule.values:
        raise ServiceError(_("Okänt sätt att räkna rösterna."))
    if rule in RULES_NEEDING_N and not max_choices:
        raise ServiceError(str(RULES_NEEDING_N[rule]))
    if max_choices is not None and not 1 <= max_choices <= 1000:
        raise ServiceError(_("Antalet måste vara mellan 1 och 1 000."))


def budget_create(
    *,
    dialogue: Dialogue,
    title: str,
    amount: int,
    rule: str,
    max_choices: int | None = None,
    counting: str = CountingRule.GREEDY,
    intro: str = "",
    premoderation: bool = True,
    by: Any = None,
) -> Budget:
    _check_rules(rule, counting, max_choices)
    if amount <= 0:
        raise ServiceError(_("Budgeten måste vara större än noll."))
    budget = Budget(
        dialogue=dialogue,
        title=title,
        amount=amount,
        rule=rule,
        counting=counting,
        max_choices=max_choices if rule in RULES_NEEDING_N else None,
        intro=intro,
        premoderation=premoderation,
    )
    _as_history_user(budget, by).save()
    return budget


@transaction.atomic
def budget_set_rules(
    *, budget: Budget, rule: str, counting: str, max_choices: int | None, by: Any
) -> Budget:
    """Change the ballot and the counting rule — only before voting opens, so that everyone
    votes knowing how the votes will be counted."""
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    if budget.phase in (BudgetPhase.VOTING, BudgetPhase.CLOSED, BudgetPhase.RESULTS):
        raise ServiceError(
            _("Röstningsregeln och räknesättet kan inte ändras när omröstningen har öppnat.")
        )
    _check_rules(rule, counting, max_choices)
    budget.rule, budget.counting = rule, counting
    budget.max_choices = max_choices if rule in RULES_NEEDING_N else None
    _as_history_user(budget, by).save()
    return budget


@transaction.atomic
def proposal_submit(
    *,
    budget: Budget,
    title: str,
    description: str,
    place: str = "",
    participant: Participant | None = None,
    district: District | None = None,
    age_band: str = "",
    source: str = Source.ONLINE,
    entered_by: Any = None,
) -> Proposal:
    if not budget.accepting_proposals and source == Source.ONLINE:
        raise ServiceError(_("Det går inte att lämna förslag just nu."))
    if not title.strip() or not description.strip():
        raise ServiceError(_("Ge förslaget en rubrik och en beskrivning."))
    if age_band and age_band not in AgeBand.values:
        raise ServiceError(_("Okänd åldersgrupp."))
    # A resident's own proposal waits for a moderator when the budget says so; what staff enter
    # from paper or a meeting they have already read.
    waits = budget.premoderation and source == Source.ONLINE
    return Proposal.objects.create(
        budget=budget,
        title=title.strip()[:200],
        description=description.strip()[:MAX_TEXT],
        place=place.strip()[:200],
        participant=participant,
        district=district,
        age_band=age_band,
        source=source,
        entered_by=entered_by,
        moderation=ProposalModeration.PENDING if waits else ProposalModeration.VISIBLE,
    )


@transaction.atomic
def proposal_report(*, proposal: Proposal, reason: str) -> ProposalReport:
    """Anyone may report a public proposal as abusive; it goes to the moderation queue."""
    if not proposal.is_public:
        raise ServiceError(_("Förslaget finns inte."))
    reason = reason.strip() or _("Ingen motivering angavs.")
    report = ProposalReport.objects.create(proposal=proposal, reason=reason[:300])
    Proposal.objects.filter(pk=proposal.pk).update(report_count=F("report_count") + 1)
    return report


@transaction.atomic
def proposal_hide(
    *, proposal: Proposal, reason: str, by: Any, seen: dt.datetime | str | None = None
) -> Proposal:
    """Hide a proposal (abuse, personal data); the reason is shown in its place. A proposal
    that goes to the vote is not hidden: its assessment is changed first."""
    if not reason.strip():
        raise ServiceError(
            _("Ange skälet till att förslaget döljs; skälet visas i stället för förslaget.")
        )
    lock_for_moderation(proposal, seen=seen, mine=_("dölj"))
    if proposal.is_feasible:
        raise ServiceError(
            _("Förslaget är bedömt som genomförbart. Ändra bedömningen innan du döljer det.")
        )
    proposal.moderation = ProposalModeration.HIDDEN
    return record_moderation(proposal, by=by, hidden_reason=reason.strip()[:300])


@transaction.atomic
def proposal_approve(
    *, proposal: Proposal, by: Any, seen: dt.datetime | str | None = None
) -> Proposal:
    """Let a proposal through moderation (or keep a reported one): everyone sees it.
    `seen`: see common.lock_for_moderation."""
    lock_for_moderation(proposal, seen=seen, mine=_("godkänn"))
    proposal.moderation = ProposalModeration.VISIBLE
    return record_moderation(proposal, by=by)


class ProposalAssessedMeanwhile(ServiceError):
    """Someone else assessed the proposal after the page was loaded; nothing was written.
    `current` is the proposal as they left it."""

    def __init__(self, current: Proposal) -> None:
        super().__init__(
            _(
                "Någon annan har bedömt förslaget sedan du öppnade sidan. Din bedömning är inte "
                "sparad. Jämför med den sparade bedömningen och spara igen om din ska gälla."
            ),
            code="stale",
        )
        self.current = current


@transaction.atomic
def proposal_assess(
    *,
    proposal: Proposal,
    feasible: bool,
    cost: int | None,
    answer: str,
    by: Any,
    seen: dt.datetime | str | None = None,
) -> Proposal:
    """Staff's feasibility and cost, with a public answer to the proposer and everyone. The
    officer has read the proposal: one still waiting for moderation is let through; a hidden
    one cannot go to the vote. `seen`: its assessed_at when the page was loaded (UNMODERATED:
    not assessed then); ProposalAssessedMeanwhile if someone else has assessed it since."""
    current = Proposal.objects.select_for_update().get(pk=proposal.pk)  # locked till commit
    if seen is not None:
        expected = None if seen == UNMODERATED else seen
        if current.assessed_at != expected:
            raise ProposalAssessedMeanwhile(current)
    budget = proposal.budget
    if budget.phase in (BudgetPhase.VOTING, BudgetPhase.CLOSED, BudgetPhase.RESULTS):
        raise ServiceError(_("Förslag kan inte bedömas om när omröstningen har börjat."))
    if not answer.strip():
        raise ServiceError(_("Skriv kommunens svar; det visas för alla."))
    if feasible:
        if not cost or cost <= 0:
            raise ServiceError(_("Ett genomförbart förslag behöver en beräknad kostnad."))
        if cost > budget.amount:
            raise ServiceError(_("Förslaget kostar mer än hela budgeten."))
    if feasible and proposal.moderation == ProposalModeration.HIDDEN:
        raise ServiceError(_("Ett dolt förslag kan inte gå till omröstning."))
    if proposal.moderation == ProposalModeration.PENDING:
        proposal.moderation = ProposalModeration.VISIBLE
        proposal.moderated_by, proposal.moderated_at = by, timezone.now()
    proposal.state = ProposalState.FEASIBLE if feasible else ProposalState.NOT_FEASIBLE
    proposal.cost = cost
    proposal.answer = answer.strip()
    proposal.assessed_by = by
    proposal.assessed_at = timezone.now()
    _as_history_user(proposal, by).save()
    return proposal


@transaction.atomic
def budget_set_phase(
    *, budget: Budget, phase: str, by: Any, voting_closes_at: dt.datetime | None = None
) -> Budget:
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    order = BudgetPhase.values
    if phase not in order or order.index(phase) < order.index(budget.phase):
        raise ServiceError(_("Fasen kan bara flyttas framåt."))
    if phase == BudgetPhase.VOTING:
        if not budget.proposals.on_ballot().exists():
            raise ServiceError(_("Minst ett förslag måste vara bedömt som genomförbart."))
        if budget.proposals.to_assess().exists():
            raise ServiceError(_("Alla förslag måste vara bedömda innan omröstningen öppnar."))
        budget.voting_closes_at = voting_closes_at
    if phase in (BudgetPhase.CLOSED, BudgetPhase.RESULTS):
        if budget.phase == BudgetPhase.VOTING:
            budget = budget_close_voting(budget=budget, by=by)
        if phase == BudgetPhase.RESULTS:
            return budget_publish_results(budget=budget, by=by)
        return budget
    budget.phase = phase
    _as_history_user(budget, by).save()
    return budget


def check_ballot(
    budget: Budget, proposals: Sequence[Proposal], values: Mapping[int, int] | None = None
) -> None:
    """Raise BallotRefused with a clear Swedish message if the choice breaks the rule.

    `values`: proposal id → rank (ranking, 1 = first) or points (points); 1 otherwise."""
    values = values or {}
    if not proposals:
        raise BallotRefused(_("Välj minst ett förslag."))
    if any(p.budget_id != budget.pk or not p.is_feasible or not p.is_public for p in proposals):
        raise BallotRefused(_("Du kan bara rösta på förslag som går till omröstning."))
    n = budget.max_choices or 0
    if budget.rule == VotingRule.WITHIN_BUDGET:
        total = sum(p.cost or 0 for p in proposals)
        if total > budget.amount:
            raise BallotRefused(
                _(
                    "Dina val kostar %(total)s kronor, men budgeten är %(amount)s kronor. "
                    "Ta bort något förslag så att summan ryms i budgeten."
                )
                % {"total": _kr(total), "amount": _kr(budget.amount)}
            )
    elif budget.rule == VotingRule.RANKING:
        ranks = sorted(values.get(p.pk, 0) for p in proposals)
        if len(proposals) > n:
            raise BallotRefused(
                _("Du har rangordnat %(count)s förslag, men du får rangordna högst %(max)s.")
                % {"count": len(proposals), "max": n}
            )
        if ranks != list(range(1, len(proposals) + 1)):
            raise BallotRefused(
                _("Ge förslagen platserna 1, 2, 3 … i följd, och varje plats bara en gång.")
            )
    elif budget.rule == VotingRule.POINTS:
        points = [values.get(p.pk, 0) for p in proposals]
        if any(v < 1 for v in points):
            raise BallotRefused(_("Ge varje förslag du väljer minst 1 poäng."))
        if sum(points) > n:
            raise BallotRefused(
                _("Du har delat ut %(total)s poäng, men du har %(max)s poäng att fördela.")
                % {"total": sum(points), "max": n}
            )
    elif n and len(proposals) > n:
        raise BallotRefused(
            _("Du har valt %(count)s förslag, men du får välja högst %(max)s.")
            % {"count": len(proposals), "max": n}
        )


def _kr(amount: int) -> str:
    return format_number(amount, 0)


def _in_model_order(model: Any, *names: str) -> tuple[str, ...]:
    """Column names in the model's field order, the order Model.from_db expects them in."""
    return tuple(f.attname for f in model._meta.concrete_fields if f.attname in names)


# The columns a cast reads, each model's in its field order (for Model.from_db, which leaves
# the other fields deferred: far cheaper than keyword construction, which computes every
# field's default).
_SHEET = (
    (
        Budget,
        _in_model_order(
            Budget,
            "id",
            "dialogue_id",
            "amount",
            "rule",
            "max_choices",
            "phase",
            "voting_closes_at",
        ),
    ),
    (Dialogue, _in_model_order(Dialogue, "id", "state", "identity_level")),
    (
        Participant,
        _in_model_order(
            Participant, "id", "district_id", "age_band", "email_verified_at", "eid_verified_at"
        ),
    ),
    (Proposal, _in_model_order(Proposal, "id", "budget_id", "cost", "state", "moderation")),
)
_SHEET_ALIASES = ("b", "d", "pt", "p")
_SHEET_COLUMNS: dict[str, str] = {}
_BALLOT_LOCKS = 0x1B5A11  # the advisory lock space of "a person's ballot" (PostgreSQL)  # the select list, quoted, per database vendor


def _columns(model: Any, names: tuple[str, ...]) -> list[str]:
    return [f.column for f in model._meta.concrete_fields if f.attname in names]


def _fresh_sheet(
    budget_pk: int, participant_pk: int, ids: Sequence[int]
) -> tuple[Budget, Participant | None, list[Proposal]]:
    """The budget with its dialogue, the participant (None if there is no such person) and the
    chosen proposals (any budget's: check_ballot refuses another budget's), read inside the
    cast's transaction in one statement with only the columns the checks and the ballot use.
    Plain SQL and a plain cursor: the ORM's select_related over Proposal → Budget → Dialogue,
    and the participant's own query, cost about ten times the statement itself in compilation,
    and a raw queryset built a Budget for every row; here each object is built once, from the
    first row (budget, dialogue, person) and from each row's proposal columns."""
    connection = transaction.get_connection()
    q = connection.ops.quote_name
    chosen = f"p.id IN ({', '.join(['%s'] * len(ids))})" if ids else "1 = 0"
    columns = _SHEET_COLUMNS.get(connection.vendor)
    if columns is None:
        columns = _SHEET_COLUMNS[connection.vendor] = ", ".join(
            f"{alias}.{q(column)}"
            for alias, (model, names) in zip(_SHEET_ALIASES, _SHEET, strict=True)
            for column in _columns(model, names)
        )
    # The person's casts are serialised until commit where the database needs it (PostgreSQL;
    # SQLite's IMMEDIATE transactions take its one write lock at BEGIN): a second cast by the
    # same person waits here, so its writes, a statement later, see the first cast's ballot and
    # choices. A transaction-scoped advisory lock keyed by the person: a row lock on the
    # person's row (FOR NO KEY UPDATE) did the same but wrote the lock into the row, and the
    # ballot's foreign key then shared it with a second locker (a multixact) on every ballot.
    lock = ""
    lock_params: list[int] = []
    if connection.vendor == "postgresql":
        lock = "CROSS JOIN (SELECT pg_advisory_xact_lock(%s, %s)) lk "
        lock_params = [_BALLOT_LOCKS, participant_pk % 2**31]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {q(Budget._meta.db_table)} b {lock}"
            f"JOIN {q(Dialogue._meta.db_table)} d ON d.id = b.dialogue_id "
            f"LEFT JOIN {q(Participant._meta.db_table)} pt ON pt.id = %s "
            f"LEFT JOIN {q(Proposal._meta.db_table)} p ON {chosen} "
            "WHERE b.id = %s ORDER BY p.id",
            [*lock_params, participant_pk, *ids, budget_pk],
        )
        rows = cursor.fetchall()
    if not rows:
        raise Budget.DoesNotExist

    def parts(row: Sequence[Any]) -> Iterable[tuple[Any, tuple[str, ...], Sequence[Any]]]:
        at = 0
        for model, names in _SHEET:
            yield model, names, row[at : at + len(names)]
            at += len(names)

    def build(model: Any, names: tuple[str, ...], values: Sequence[Any]) -> Any:
        return _loaded(model, connection.alias, names, _db_values(connection, model, names, values))

    (_, budget_names, budget_row), (_, dialogue_names, dialogue_row), person, _ = parts(rows[0])
    budget = build(Budget, budget_names, budget_row)
    budget.dialogue = build(Dialogue, dialogue_names, dialogue_row)
    participant = build(*person) if person[2][0] is not None else None
    proposals = [
        build(*proposal) for *_, proposal in map(parts, rows) if proposal[2][0] is not None
    ]
    return budget, participant, proposals


def _loaded(model: Any, alias: str, names: Sequence[str], values: Sequence[Any]) -> Any:
    """`model.from_db(alias, names, values)`: the object as loaded from the database, the
    fields not read deferred (loaded if asked for). Without Model.__init__, which walks every
    field of the model for the few read here (a dialogue has some fifty): a cast builds six or
    seven of these. A model with pre_init/post_init receivers goes through from_db."""
    if pre_init.has_listeners(model) or post_init.has_listeners(model):
        return model.from_db(alias, names, values)
    obj = model.__new__(model)
    obj.__dict__.update(zip(names, values, strict=True))
    obj._state = ModelState()
    obj._state.adding = False
    obj._state.db = alias
    return obj


def _db_values(connection: Any, model: Any, names: Sequence[str], values: Sequence[Any]) -> list:
    """Columns read with plain SQL as the ORM would give them: only date and time columns have
    converters here (SQLite's are text), so only those are converted."""
    return [
        _db_value(connection, model, name, value)
        if value is not None and name in _CONVERTED
        else value
        for name, value in zip(names, values, strict=True)
    ]


_CONVERTED = {
    name
    for model, names in _SHEET
    for name in names
    if model._meta.get_field(name).get_internal_type() in ("DateTimeField", "DateField")
}


def _db_value(connection: Any, model: Any, name: str, value: Any) -> Any:
    column = model._meta.get_field(name).get_col(model._meta.db_table)
    for convert in connection.ops.get_db_converters(column) + column.get_db_converters(connection):
        value = convert(value, column, connection)
    return value


@transaction.atomic
def cast_ballot(
    *,
    budget: Budget,
    participant: Participant | int,
    proposal_ids: Iterable[int] = (),
    values: Mapping[int, int] | None = None,
    keep_informed: bool | None = None,
) -> Ballot:
    """Create or replace the participant's ballot. One row per person (UniqueConstraint),
    written with one INSERT … ON CONFLICT DO UPDATE that also takes the row's lock until commit,
    so concurrent casts by the same person serialise and the last one wins whole. `version`
    counts successful casts."""
    values = {int(k): int(v) for k, v in (values or {}).items() if int(v) > 0}
    ids = sorted({int(i) for i in proposal_ids} | set(values))
    # The budget, the person (a Participant or its id, as the vote POST has it from the session)
    # and the chosen proposals are read afresh inside the transaction, in one statement.
    person_pk = participant if isinstance(participant, int) else participant.pk
    budget, person, proposals = _fresh_sheet(budget.pk, person_pk, ids)
    if not budget.voting_open:
        raise BallotRefused(_("Omröstningen är inte öppen."))
    if person is None:
        raise BallotRefused(_("Logga in för att rösta"))
    if not person.meets(budget.dialogue.identity_level):
        raise BallotRefused(_("Den här omröstningen kräver inloggning med e-legitimation."))
    if len(proposals) != len(ids):
        raise BallotRefused(_("Du kan bara rösta på förslag som går till omröstning."))
    check_ballot(budget, proposals, values)
    return _upsert_ballot(
        budget, person, keep_informed, [(p.pk, values.get(p.pk, 1)) for p in proposals]
    )


def _upsert_ballot(
    budget: Budget,
    participant: Participant,
    keep_informed: bool | None,
    choices: Sequence[tuple[int, int]],
) -> Ballot:
    """The person's ballot, created or with one more cast counted (and their district and age
    band as they are now), in one INSERT … ON CONFLICT DO UPDATE … RETURNING: the conflict on
    the one-ballot-per-person constraint turns a second cast into an update that holds the row
    lock until commit (where an UPDATE, then an INSERT for a first ballot, took two or three).
    Then its choices (proposal id, value; at least one) replace the ballot's old ones.

    PostgreSQL does all of it in one statement (the ballot's upsert, the removal of the choices
    no longer made and the upsert of the ones made, as data-modifying CTEs); SQLite, which has
    no such CTEs, in three (the upsert, a DELETE of every old choice, an INSERT). The CTEs all
    read the statement's one snapshot, which would miss the choices of a concurrent cast by the
    same person that commits while this one waits for the ballot's row: _fresh_sheet, a
    statement earlier, has already waited for that cast on the person's row lock."""
    connection = transaction.get_connection()
    q = connection.ops.quote_name
    table, choice_table = q(Ballot._meta.db_table), q(BallotChoice._meta.db_table)
    now = timezone.now()
    sets = (
        f"version = {table}.version + 1, district_id = excluded.district_id, "
        "age_band = excluded.age_band, updated_at = excluded.updated_at"
    )
    if keep_informed is not None:
        sets += ", keep_informed = excluded.keep_informed"
    upsert = (
        f"INSERT INTO {table} (budget_id, participant_id, district_id, age_band, version, "
        "keep_informed, created_at, updated_at) VALUES (%s, %s, %s, %s, 1, %s, %s, %s) "
        f"ON CONFLICT (budget_id, participant_id) DO UPDATE SET {sets} "
        "RETURNING id, version, keep_informed"
    )
    params = [
        budget.pk,
        participant.pk,
        participant.district_id,
        participant.age_band,
        bool(keep_informed),
        connection.ops.adapt_datetimefield_value(now),
        connection.ops.adapt_datetimefield_value(now),
    ]
    chosen = ", ".join(["%s"] * len(choices))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH b AS ({upsert}), "
                f"gone AS (DELETE FROM {choice_table} c USING b WHERE c.ballot_id = b.id "
                f"AND c.proposal_id NOT IN ({chosen})), "
                f"made AS (INSERT INTO {choice_table} (ballot_id, proposal_id, value) "
                "SELECT b.id, v.proposal_id, v.value FROM b, (VALUES "
                + ", ".join(["(%s, %s)"] * len(choices))
                + ") AS v (proposal_id, value) ON CONFLICT (ballot_id, proposal_id) "
                "DO UPDATE SET value = excluded.value) "
                "SELECT id, version, keep_informed FROM b",
                [*params, *(pk for pk, _value in choices), *(x for c in choices for x in c)],
            )
            pk, version, informed = cursor.fetchone()
        else:
            cursor.execute(upsert, params)
            pk, version, informed = cursor.fetchone()
            # A first ballot has nothing to delete; one statement is cheaper than telling apart.
            cursor.execute(f"DELETE FROM {choice_table} WHERE ballot_id = %s", [pk])
            cursor.execute(
                f"INSERT INTO {choice_table} (ballot_id, proposal_id, value) VALUES "
                + ", ".join(["(%s, %s, %s)"] * len(choices)),
                [x for proposal, value in choices for x in (pk, proposal, value)],
            )
    # The row as written; created_at, not read back, loads if asked for.
    return _loaded(
        Ballot,
        connection.alias,
        [
            "id",
            "budget_id",
            "participant_id",
            "district_id",
            "age_band",
            "version",
            "keep_informed",
            "updated_at",
        ],
        [
            pk,
            budget.pk,
            participant.pk,
            participant.district_id,
            participant.age_band,
            version,
            bool(informed),
            now,
        ],
    )


BALLOT_KINDS: dict[str, str] = {
    VotingRule.WITHIN_BUDGET: counting.APPROVAL,
    VotingRule.CHOOSE_N: counting.APPROVAL,
    VotingRule.RANKING: counting.RANKING,
    VotingRule.POINTS: counting.POINTS,
}


def ballot_choices(budget: Budget) -> list[tuple[int, int, int]]:
    """Every choice on the budget's ballots for a proposal on the ballot (a feasible one), as
    (ballot id, proposal id, rank or points); what counting and the Pabulib export read."""
    return list(
        BallotChoice.objects.filter(
            ballot__budget=budget, proposal__in=Proposal.objects.on_ballot()
        ).values_list("ballot_id", "proposal_id", "value")
    )


def count_budget(budget: Budget) -> counting.Outcome:
    """Count the budget's ballots under its rule (and under "most votes first" for comparison)."""
    proposals = list(budget.proposals.on_ballot().order_by("pk"))
    ballots: dict[int, dict[int, int]] = {}
    for ballot_id, proposal_id, value in ballot_choices(budget):
        ballots.setdefault(ballot_id, {})[proposal_id] = value
    return counting.count(
        amount=budget.amount,
        candidates=[counting.Candidate(p.pk, p.cost or 0) for p in proposals],
        ballots=list(ballots.values()),
        ballot_kind=BALLOT_KINDS[budget.rule],
        rule=budget.counting,
        max_rank=budget.max_choices or 0,
    )


def _compute_results(budget: Budget) -> None:
    outcome = count_budget(budget)
    for proposal_id, supporters in outcome.support.items():
        Proposal.objects.filter(pk=proposal_id).update(votes=supporters)
    budget.proposals.update(is_winner=False)
    budget.proposals.filter(pk__in=outcome.winners).update(is_winner=True)
    budget.results = counting.as_json(outcome)
    budget.save(update_fields=["results"])
    bump_publication_version(area="dialogue")


@transaction.atomic
def budget_close_voting(*, budget: Budget, by: Any) -> Budget:
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    if budget.phase != BudgetPhase.VOTING:
        raise ServiceError(_("Omröstningen pågår inte."))
    budget.phase = BudgetPhase.CLOSED
    _as_history_user(budget, by).save()
    _compute_results(budget)
    return budget


@transaction.atomic
def budget_publish_results(*, budget: Budget, by: Any) -> Budget:
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    if budget.phase == BudgetPhase.VOTING:
        budget_close_voting(budget=budget, by=by)
        budget.refresh_from_db()
    if budget.phase != BudgetPhase.CLOSED:
        raise ServiceError(_("Resultatet kan publiceras när omröstningen har stängt."))
    budget.phase = BudgetPhase.RESULTS
    budget.results_published_at = timezone.now()
    _as_history_user(budget, by).save()
    index_dialogue(budget.dialogue)
    return budget


@transaction.atomic
def proposal_link_assignment(*, proposal: Proposal, assignment: Assignment, by: Any) -> None:
    if not proposal.is_winner:
        raise ServiceError(_("Bara vinnande förslag kopplas till uppdrag."))
    proposal.assignments.add(assignment)
    if not proposal.budget.dialogue.assignments.filter(pk=assignment.pk).exists():
        proposal.budget.dialogue.assignments.add(assignment)


@transaction.atomic
def proposal_create_assignment(
    *, proposal: Proposal, goal: Goal, by: Any, responsible: Organisation | None = None
) -> Assignment:
    """Turn a winning proposal into an assignment (tillkommande uppdrag) under the goal, so its
    implementation is followed up like any other assignment."""
    if not proposal.is_winner:
        raise ServiceError(_("Bara vinnande förslag blir uppdrag."))
    dialogue = proposal.budget.dialogue
    assignment = Assignment(
        goal=goal,
        kind=AssignmentKind.ADDITIONAL,
        title=proposal.title,
        description=_("Vinnande förslag i %(budget)s (%(dialogue)s): %(text)s")
        % {
            "budget": proposal.budget.title,
            "dialogue": dialogue.title,
            "text": proposal.description,
        },
        order=goal.assignments.count() + 1,
    )
    _as_history_user(assignment, by).save()
    board = responsible or dialogue.responsible_board
    if board is not None:
        assignment.responsible_organisations.add(board)
    proposal_link_assignment(proposal=proposal, assignment=assignment, by=by)
    return assignment


@transaction.atomic
def proposal_record_delivery(
    *,
    proposal: Proposal,
    stage: str,
    on: dt.date,
    note: str,
    by: Any,
    responsible: Organisation | None = None,
    photo: CleanImage | None = None,
    photo_alt: str = "",
) -> DeliveryUpdate:
    """A winning project moved on (planned, procured, being built, done), maybe with a photo
    (already re-encoded without metadata by insyn.core.images) and its alt text. Voters who
    asked to be kept informed get a notice."""
    if not proposal.is_winner:
        raise ServiceError(_("Bara vinnande förslag följs upp till genomförande."))
    if stage not in DeliveryStage.values:
        raise ServiceError(_("Okänt skede."))
    photo_alt = " ".join(photo_alt.split())[:300]
    if photo is not None and not photo_alt:
        raise ServiceError(
            {"photo_alt": _("Beskriv vad bilden visar, för den som inte kan se den.")}
        )
    update = DeliveryUpdate(proposal=proposal, stage=stage, on=on, note=note.strip()[:MAX_TEXT])
    update.created_by = by if getattr(by, "is_authenticated", False) else None
    if photo is not None:
        update.photo.save("photo.jpg", ContentFile(photo.data), save=False)
        update.photo_uuid = uuid.uuid4()
        update.photo_alt = photo_alt
        update.photo_width, update.photo_height = photo.width, photo.height
    try:
        _record_delivery(
            update, proposal=proposal, stage=stage, on=on, by=by, responsible=responsible
        )
    except BaseException:
        if update.photo.name:  # nothing half-saved: the row rolls back, the file goes too
            update.photo.storage.delete(update.photo.name)
        raise
    return update


def _record_delivery(
    update: DeliveryUpdate,
    *,
    proposal: Proposal,
    stage: str,
    on: dt.date,
    by: Any,
    responsible: Organisation | None,
) -> None:
    _as_history_user(update, by).save()
    proposal.delivery_stage = stage
    if responsible is not None:
        proposal.responsible_organisation = responsible
    _as_history_user(proposal, by).save()
    budget = proposal.budget
    url = settings.SITE_URL + reverse("dialogue:budget", args=[budget.dialogue_id, budget.pk])
    emails = (
        Ballot.objects.filter(budget=budget, keep_informed=True, participant__isnull=False)
        .exclude(participant__email="")
        .values_list("participant__email", flat=True)
        .distinct()
    )
    for email in emails:
        notify(
            email,
            subject=_("Medborgarbudgeten: %(title)s – %(stage)s")
            % {"title": proposal.title, "stage": update.get_stage_display()},
            body=_(
                "Förslaget ”%(title)s” som vann i %(budget)s har kommit ett steg till: "
                "%(stage)s (%(date)s).\n\n%(note)s\n\nLäs mer: %(url)s\n\n"
                "Du får det här för att du bad om att hållas informerad när du röstade."
            )
            % {
                "title": proposal.title,
                "budget": budget.title,
                "stage": update.get_stage_display().lower(),
                "date": on.isoformat(),
                "note": update.note,
                "url": url,
            },
            dedupe_key=f"dialogue:delivery:{update.pk}",
            url=url,
        )
