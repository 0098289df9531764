"""Reads for the dialogue pages, panels, results and exports — each with a bounded number of
queries. Public reads only ever return published dialogues and never personal data."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from insyn.core.registry import Panel
from insyn.dialogue import guideline, representativeness
from insyn.dialogue.models import (
    AgeBand,
    Answer,
    Ballot,
    BallotChoice,
    Budget,
    CoordinationComment,
    DeliveryUpdate,
    Dialogue,
    DialogueState,
    Discussion,
    District,
    Meeting,
    MethodKind,
    OfflineInput,
    Participant,
    PopulationFigure,
    Post,
    PostState,
    Proposal,
    ProposalState,
    Question,
    QuestionKind,
    Registration,
    Subscription,
    Survey,
    SurveyResponse,
)
from insyn.goals.models import Assignment, Goal

PAGE_SIZE = 50
PANEL_LIMIT = 20


# --- Public list and detail --------------------------------------------------------------------


@dataclass
class DialogueFilters:
    status: str = ""  # "open" | "closed" | ""
    district: int | None = None
    goal: int | None = None
    method: str = ""
    q: str = ""


def public_dialogues() -> QuerySet[Dialogue]:
    return Dialogue.objects.filter(state__in=[DialogueState.PUBLISHED, DialogueState.CLOSED])


def dialogue_list(filters: DialogueFilters, *, limit: int = PAGE_SIZE) -> list[Dialogue]:
    """Published dialogues matching the filters; the search box goes through insyn.search."""
    qs = public_dialogues()
    if filters.status == "open":
        qs = qs.filter(state=DialogueState.PUBLISHED)
    elif filters.status == "closed":
        qs = qs.filter(state=DialogueState.CLOSED)
    if filters.district:
        qs = qs.filter(Q(districts=filters.district) | Q(whole_municipality=True))
    if filters.goal:
        qs = qs.filter(goals=filters.goal)
    if filters.method in MethodKind.values:
        qs = qs.filter(methods__icontains=f'"{filters.method}"')
    if filters.q.strip():
        from insyn.search import services as search

        hits = search.search(filters.q, kinds=["dialogue"], limit=200)
        ids = [
            int(h.object_key.rsplit(":", 1)[1])
            for h in hits
            if h.object_key.startswith("dialogue.dialogue:")
        ]
        qs = qs.filter(pk__in=ids)
    qs = (
        qs.distinct()
        .select_related("responsible_board")
        .prefetch_related("districts", Prefetch("goals", Goal.objects.select_related("plan")))
    )
    return list(qs.order_by("state", "-starts_on", "-pk")[:limit])


def filter_choices() -> dict[str, Any]:
    goals = (
        Goal.objects.filter(dialogues__state__in=[DialogueState.PUBLISHED, DialogueState.CLOSED])
        .select_related("plan")
        .distinct()
        .order_by("-plan__year", "order", "number")
    )
    return {
        "districts": list(District.objects.all()),
        "goals": list(goals),
        "methods": [(v, str(label)) for v, label in MethodKind.choices],
    }


def public_dialogue(pk: int) -> Dialogue | None:
    return (
        public_dialogues()
        .select_related("responsible_board")
        .prefetch_related(
            "districts",
            "affected_organisations",
            Prefetch("goals", Goal.objects.select_related("plan")),
            Prefetch("assignments", Assignment.objects.select_related("goal__plan")),
            Prefetch("earlier_dialogues", public_dialogues()),
            Prefetch("surveys", Survey.objects.order_by("pk")),
            Prefetch("discussions", Discussion.objects.order_by("pk")),
            Prefetch("budgets", Budget.objects.order_by("pk")),
            Prefetch(
                "meetings",
                Meeting.objects.annotate(registered=Count("registrations")).order_by("starts_at"),
            ),
        )
        .filter(pk=pk)
        .first()
    )


def visible_posts(discussion: Discussion) -> list[Post]:
    """Top-level posts with their replies; hidden posts keep their place with the reason."""
    replies = Post.objects.filter(state__in=[PostState.VISIBLE, PostState.HIDDEN]).order_by(
        "created_at", "pk"
    )
    return list(
        discussion.posts.filter(
            parent__isnull=True, state__in=[PostState.VISIBLE, PostState.HIDDEN]
        )
        .prefetch_related(Prefetch("replies", replies))
        .order_by("created_at", "pk")[:500]
    )


def public_proposals(budget: Budget) -> list[Proposal]:
    return list(
        budget.proposals.select_related("district")
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


# --- Panels on goal and assignment pages ------------------------------------------------------


def _panel(dialogues: QuerySet[Dialogue], title: str) -> Panel | None:
    items = list(
        dialogues.filter(state__in=[DialogueState.PUBLISHED, DialogueState.CLOSED]).order_by(
            "state", "-starts_on", "-pk"
        )[:PANEL_LIMIT]
    )
    if not items:
        return None
    return Panel(template="dialogue/panel.html", context={"dialogues": items}, title=title)


def goal_panel(goal: Goal) -> Panel | None:
    return _panel(Dialogue.objects.filter(goals=goal), _("Dialoger med invånare"))


def assignment_panel(assignment: Assignment) -> Panel | None:
    return _panel(
        Dialogue.objects.filter(
            Q(assignments=assignment) | Q(budgets__proposals__assignments=assignment)
        ).distinct(),
        _("Dialoger med invånare"),
    )


def organisation_panel(organisation: Any) -> Panel | None:
    return _panel(
        Dialogue.objects.filter(
            Q(responsible_board=organisation) | Q(affected_organisations=organisation)
        ).distinct(),
        _("Dialoger med invånare"),
    )


# --- Staff -----------------------------------------------------------------------------------


def staff_dialogues(*, state: str = "", limit: int = 200) -> list[Dialogue]:
    qs = Dialogue.objects.select_related("responsible_board").order_by("-updated_at")
    if state in DialogueState.values:
        qs = qs.filter(state=state)
    return list(qs[:limit])


def overdue_feedback(today: dt.date | None = None, *, limit: int = 200) -> list[Dialogue]:
    """Dialogues whose feedback date has passed without published feedback."""
    today = today or timezone.localdate()
    return list(
        Dialogue.objects.filter(
            state=DialogueState.PUBLISHED, feedback_on__lt=today, feedback_published_at__isnull=True
        )
        .select_related("responsible_board")
        .order_by("feedback_on")[:limit]
    )


def staff_dialogue(pk: int) -> Dialogue | None:
    return (
        Dialogue.objects.select_related("responsible_board", "created_by")
        .prefetch_related(
            "districts",
            "affected_organisations",
            "goals__plan",
            "assignments__goal__plan",
            "earlier_dialogues",
            "coordination_comments__organisation",
            "coordination_comments__author",
            "surveys",
            "discussions",
            "budgets",
            "meetings",
            "outreach__district",
        )
        .filter(pk=pk)
        .first()
    )


def dialogue_history(dialogue: Dialogue, limit: int = 30) -> list[Any]:
    return list(dialogue.history.select_related("history_user").order_by("-history_date")[:limit])


@dataclass
class Suggestion:
    dialogue: Dialogue
    reasons: list[str] = field(default_factory=list)
    score: float = 0.0


def suggest_earlier_dialogues(dialogue: Dialogue, *, limit: int = 10) -> list[Suggestion]:
    """Earlier dialogues on the same goals, districts or words (the guideline: take earlier
    dialogues' views and material into account)."""
    found: dict[int, Suggestion] = {}

    def add(other: Dialogue, reason: str, score: float) -> None:
        if other.pk == dialogue.pk:
            return
        item = found.setdefault(other.pk, Suggestion(other))
        if reason not in item.reasons:
            item.reasons.append(reason)
        item.score += score

    goal_ids = list(dialogue.goals.values_list("pk", flat=True))
    district_ids = list(dialogue.districts.values_list("pk", flat=True))
    if goal_ids:
        for other in (
            Dialogue.objects.filter(goals__in=goal_ids)
            .exclude(pk=dialogue.pk)
            .annotate(n=Count("goals", filter=Q(goals__in=goal_ids)))
            .order_by("-n")[:50]
        ):
            add(other, _("samma mål"), 3.0 * other.n)
    if district_ids:
        for other in (
            Dialogue.objects.filter(districts__in=district_ids)
            .exclude(pk=dialogue.pk)
            .annotate(n=Count("districts", filter=Q(districts__in=district_ids)))
            .order_by("-n")[:50]
        ):
            add(other, _("samma område"), 1.0 * other.n)
    words = " ".join(w for w in f"{dialogue.title}".split() if len(w) > 3)
    if words:
        from insyn.search import services as search

        # Any single strong word: search requires every word, so ask per word.
        ids: Counter[int] = Counter()
        for word in words.split()[:6]:
            for hit in search.search(word, kinds=["dialogue"], limit=20):
                if hit.object_key.startswith("dialogue.dialogue:"):
                    ids[int(hit.object_key.rsplit(":", 1)[1])] += 1
        for other in Dialogue.objects.filter(pk__in=list(ids)).exclude(pk=dialogue.pk):
            add(other, _("liknande ord"), 1.0 * ids[other.pk])
    already = set(dialogue.earlier_dialogues.values_list("pk", flat=True))
    items = [s for s in found.values() if s.dialogue.pk not in already]
    items.sort(key=lambda s: (-s.score, -s.dialogue.pk))
    return items[:limit]


# --- Survey results (staff) -------------------------------------------------------------------


@dataclass
class OptionResult:
    text: str
    count: int
    percent: float
    mean_rank: float | None = None


@dataclass
class QuestionResult:
    question: Question
    answered: int
    options: list[OptionResult] = field(default_factory=list)
    mean: float | None = None
    texts: list[str] = field(default_factory=list)


def survey_results(survey: Survey, *, text_limit: int = 200) -> tuple[int, list[QuestionResult]]:
    """(responses, per-question results); a fixed number of queries whatever the size."""
    total = survey.responses.count()
    questions = list(survey.questions.prefetch_related("options"))
    option_counts = Counter(
        Answer.objects.filter(question__survey=survey, option__isnull=False).values_list(
            "option_id", flat=True
        )
    )
    answered = dict(
        Answer.objects.filter(question__survey=survey)
        .values("question_id")
        .annotate(n=Count("response", distinct=True))
        .values_list("question_id", "n")
    )
    ranks: dict[int, list[int]] = defaultdict(list)
    scale_values: dict[int, list[int]] = defaultdict(list)
    for question_id, option_id, value in Answer.objects.filter(
        question__survey=survey, value__isnull=False
    ).values_list("question_id", "option_id", "value"):
        if option_id:
            ranks[option_id].append(value)
        else:
            scale_values[question_id].append(value)
    texts: dict[int, list[str]] = defaultdict(list)
    for question_id, text in (
        Answer.objects.filter(question__survey=survey)
        .exclude(text="")
        .order_by("pk")
        .values_list("question_id", "text")
    ):
        if len(texts[question_id]) < text_limit:
            texts[question_id].append(text)
    results = []
    for q in questions:
        n = answered.get(q.pk, 0)
        result = QuestionResult(question=q, answered=n)
        if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RANKING):
            for option in q.options.all():
                count = option_counts.get(option.pk, 0)
                option_ranks = ranks.get(option.pk, [])
                if q.kind == QuestionKind.RANKING:
                    count = sum(1 for r in option_ranks if r == 1)
                result.options.append(
                    OptionResult(
                        text=option.text,
                        count=count,
                        percent=round(100 * count / n, 1) if n else 0.0,
                        mean_rank=(
                            round(sum(option_ranks) / len(option_ranks), 2)
                            if option_ranks
                            else None
                        ),
                    )
                )
        elif q.kind == QuestionKind.SCALE:
            values = scale_values.get(q.pk, [])
            dist = Counter(values)
            for step in range(q.scale_min, q.scale_max + 1):
                result.options.append(
                    OptionResult(
                        text=str(step),
                        count=dist.get(step, 0),
                        percent=round(100 * dist.get(step, 0) / n, 1) if n else 0.0,
                    )
                )
            result.mean = round(sum(values) / len(values), 2) if values else None
        else:
            result.texts = texts.get(q.pk, [])
        results.append(result)
    return total, results


def survey_export_rows(survey: Survey) -> tuple[list[str], Iterable[list[Any]]]:
    """Header and rows, one row per response; never who answered."""
    questions = list(survey.questions.prefetch_related("options"))
    header = [_("Svar"), _("Datum"), _("Källa"), _("Område"), _("Åldersgrupp")]
    header += [q.text for q in questions]
    option_text = {o.pk: o.text for q in questions for o in q.options.all()}

    def rows() -> Iterable[list[Any]]:
        responses = (
            survey.responses.select_related("district")
            .order_by("pk")
            .prefetch_related(Prefetch("answers", Answer.objects.order_by("value", "pk")))
        )
        for number, response in enumerate(responses.iterator(chunk_size=500), start=1):
            by_question: dict[int, list[Answer]] = defaultdict(list)
            for answer in response.answers.all():
                by_question[answer.question_id].append(answer)
            row: list[Any] = [
                number,
                timezone.localtime(response.created_at).date().isoformat(),
                response.get_source_display(),
                response.district.name if response.district_id else "",
                response.get_age_band_display() if response.age_band else "",
            ]
            for q in questions:
                parts = by_question.get(q.pk, [])
                if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
                    row.append("; ".join(option_text[a.option_id] for a in parts))
                elif q.kind == QuestionKind.RANKING:
                    row.append(" > ".join(option_text[a.option_id] for a in parts))
                elif q.kind == QuestionKind.SCALE:
                    row.append(parts[0].value if parts else "")
                else:
                    row.append(parts[0].text if parts else "")
            yield row

    return header, rows()


# --- Representativeness ------------------------------------------------------------------------


@dataclass
class Representativeness:
    districts: representativeness.Comparison
    ages: representativeness.Comparison
    total: int
    population_year: int | None
    scope: str


def participation_units(dialogue: Dialogue) -> list[tuple[int | None, int | None, str, int]]:
    """(participant id or None, district id, age band, weight) per contribution; signed-in
    participants count once (their latest stated metadata), anonymous contributions each."""
    units: list[tuple[int | None, int | None, str, int]] = []
    querysets = [
        SurveyResponse.objects.filter(survey__dialogue=dialogue),
        Post.objects.filter(discussion__dialogue=dialogue),
        Proposal.objects.filter(budget__dialogue=dialogue),
        Registration.objects.filter(meeting__dialogue=dialogue),
    ]
    for qs in querysets:
        units += [
            (p, d, a, 1) for p, d, a in qs.values_list("participant_id", "district_id", "age_band")
        ]
    units += [
        (p, d, a, 1)
        for p, d, a in Ballot.objects.filter(budget__dialogue=dialogue).values_list(
            "participant_id", "district_id", "age_band"
        )
    ]
    units += [
        (None, d, a, n)
        for d, a, n in OfflineInput.objects.filter(dialogue=dialogue).values_list(
            "district_id", "age_band", "people"
        )
    ]
    people: dict[int, tuple[int | None, int | None, str, int]] = {}
    anonymous = []
    for unit in units:
        pid, district, age, _weight = unit
        if pid is None:
            anonymous.append(unit)
            continue
        old = people.get(pid)
        people[pid] = (
            pid,
            district or (old[1] if old else None),
            age or (old[2] if old else ""),
            1,
        )
    return list(people.values()) + anonymous


def dialogue_representativeness(dialogue: Dialogue) -> Representativeness:
    units = participation_units(dialogue)
    districts = list(District.objects.all())
    scope_ids = [d.pk for d in dialogue.districts.all()]
    in_scope = [
        d for d in districts if not scope_ids or dialogue.whole_municipality or d.pk in scope_ids
    ]
    year = PopulationFigure.objects.order_by("-year").values_list("year", flat=True).first()
    pop_district: Counter[str] = Counter()
    pop_age: Counter[str] = Counter()
    scope_keys = {d.pk for d in in_scope}
    if year:
        for district_id, band, count in PopulationFigure.objects.filter(year=year).values_list(
            "district_id", "age_band", "count"
        ):
            pop_district[str(district_id)] += count
            if district_id in scope_keys:
                pop_age[band] += count
    part_district: Counter[str] = Counter()
    part_age: Counter[str] = Counter()
    district_unknown = age_unknown = 0
    for _pid, district_id, band, weight in units:
        if district_id:
            part_district[str(district_id)] += weight
        else:
            district_unknown += weight
        if band:
            part_age[band] += weight
        else:
            age_unknown += weight
    outside = sum(n for key, n in part_district.items() if int(key) not in scope_keys)
    by_district = representativeness.compare(
        [(str(d.pk), d.name) for d in in_scope],
        part_district,
        pop_district,
        not_stated=district_unknown + outside,
    )
    by_age = representativeness.compare(
        list(AgeBand.choices), part_age, pop_age, not_stated=age_unknown
    )
    scope = (
        _("hela kommunen")
        if dialogue.whole_municipality or not scope_ids
        else ", ".join(d.name for d in in_scope)
    )
    return Representativeness(
        districts=by_district,
        ages=by_age,
        total=sum(u[3] for u in units),
        population_year=year,
        scope=scope,
    )


# --- A participant's own data ---------------------------------------------------------------


def participant_export(participant: Participant) -> dict[str, Any]:
    """Everything Insyn holds about the participant, as JSON-ready data."""

    def when(value: dt.datetime | None) -> str | None:
        return value.isoformat() if value else None

    emails = [participant.email] if participant.email else []
    data: dict[str, Any] = {
        "deltagare": {
            "e-post": participant.email,
            "e-post_verifierad": when(participant.email_verified_at),
            "e-legitimation_verifierad": when(participant.eid_verified_at),
            "område": participant.district.name if participant.district_id else None,
            "åldersgrupp": participant.age_band or None,
            "skapad": when(participant.created_at),
        },
        "enkätsvar": [],
        "inlägg": [],
        "förslag": [],
        "röster": [],
        "anmälningar": [],
        "prenumerationer": [],
    }
    for response in (
        SurveyResponse.objects.filter(participant=participant)
        .select_related("survey__dialogue")
        .prefetch_related("answers__question", "answers__option")
    ):
        data["enkätsvar"].append(
            {
                "dialog": response.survey.dialogue.title,
                "enkät": response.survey.title,
                "datum": when(response.created_at),
                "svar": [
                    {
                        "fråga": a.question.text,
                        "svar": a.option.text if a.option_id else (a.text or a.value),
                    }
                    for a in response.answers.all()
                ],
            }
        )
    for post in Post.objects.filter(participant=participant).select_related("discussion__dialogue"):
        data["inlägg"].append(
            {
                "dialog": post.discussion.dialogue.title,
                "diskussion": post.discussion.title,
                "text": post.body,
                "namn": post.author_name,
                "datum": when(post.created_at),
            }
        )
    for proposal in Proposal.objects.filter(participant=participant).select_related("budget"):
        data["förslag"].append(
            {
                "budget": proposal.budget.title,
                "rubrik": proposal.title,
                "beskrivning": proposal.description,
                "datum": when(proposal.created_at),
            }
        )
    for ballot in (
        Ballot.objects.filter(participant=participant)
        .select_related("budget")
        .prefetch_related("choices__proposal")
    ):
        data["röster"].append(
            {
                "budget": ballot.budget.title,
                "val": [c.proposal.title for c in ballot.choices.all()],
                "senast_ändrad": when(ballot.updated_at),
            }
        )
    registrations = Registration.objects.filter(
        Q(participant=participant) | Q(email__in=emails)
    ).select_related("meeting")
    for registration in registrations:
        data["anmälningar"].append(
            {
                "möte": registration.meeting.title,
                "namn": registration.name,
                "e-post": registration.email,
                "behov": registration.needs,
            }
        )
    for sub in Subscription.objects.filter(email__in=emails).select_related("dialogue"):
        data["prenumerationer"].append(
            {"dialog": sub.dialogue.title, "bekräftad": when(sub.confirmed_at)}
        )
    return data


def feasible_proposals(budget: Budget) -> list[Proposal]:
    return list(budget.proposals.filter(state=ProposalState.FEASIBLE).order_by("pk"))


def moderation_queue(discussion: Discussion) -> list[Post]:
    return list(
        discussion.posts.filter(Q(state=PostState.PENDING) | Q(report_count__gt=0))
        .prefetch_related("reports")
        .order_by("-report_count", "created_at")[:200]
    )


def plan_goals() -> Sequence[Goal]:
    return list(Goal.objects.select_related("plan").order_by("-plan__year", "order", "number"))


# --- Participatory budget results, explained ---------------------------------------------------


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
        for p in budget.proposals.filter(state=ProposalState.FEASIBLE).prefetch_related(
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


# --- The dialogue guideline, principle by principle ------------------------------------------------


def guideline_checks(dialogues: Iterable[Dialogue]) -> dict[int, list[guideline.Verdict]]:
    """Each dialogue's checklist; three queries for any number of dialogues."""
    items = list(dialogues)
    ids = [d.pk for d in items]
    affected: dict[int, list[str]] = defaultdict(list)
    for dialogue_id, name in Dialogue.affected_organisations.through.objects.filter(
        dialogue_id__in=ids
    ).values_list("dialogue_id", "organisation__name"):
        affected[dialogue_id].append(name)
    commented: dict[int, set[str]] = defaultdict(set)
    for dialogue_id, name in CoordinationComment.objects.filter(
        dialogue_id__in=ids, organisation__isnull=False
    ).values_list("dialogue_id", "organisation__name"):
        commented[dialogue_id].add(name)
    counts = {
        row["pk"]: row
        for row in Dialogue.objects.filter(pk__in=ids)
        .annotate(
            n_earlier=Count("earlier_dialogues", distinct=True),
            n_outreach=Count("outreach", distinct=True),
        )
        .values("pk", "n_earlier", "n_outreach")
    }
    today = timezone.localdate()
    return {
        d.pk: guideline.check(
            guideline.Facts(
                purpose=d.purpose,
                result_use=d.result_use,
                decision_maker=d.decision_maker,
                ladder_steps=list(d.ladder_steps or []),
                anchored_with=d.anchored_with,
                anchored_body=d.anchored_body,
                anchored_on=d.anchored_on,
                affected=sorted(affected[d.pk]),
                commented=sorted(commented[d.pk]),
                earlier_count=counts.get(d.pk, {}).get("n_earlier", 0),
                earlier_note=d.earlier_dialogues_note,
                outreach_count=counts.get(d.pk, {}).get("n_outreach", 0),
                ends_on=d.ends_on,
                feedback_on=d.feedback_on,
                feedback_published_at=d.feedback_published_at,
            ),
            today=today,
        )
        for d in items
    }


@dataclass
class GuidelineRow:
    year: int
    board: str
    dialogues: int
    met: dict[str, int]  # principle key → how many dialogues met it


def guideline_overview() -> list[GuidelineRow]:
    """Per year (when the dialogue started) and responsible board: how many published dialogues
    met each principle."""
    dialogues = list(
        public_dialogues().select_related("responsible_board").order_by("-starts_on", "pk")
    )
    checks = guideline_checks(dialogues)
    rows: dict[tuple[int, str], GuidelineRow] = {}
    for d in dialogues:
        year = (
            d.starts_on or (d.published_at and d.published_at.date()) or timezone.localdate()
        ).year
        board = d.responsible_board.name if d.responsible_board_id else _("Ingen nämnd angiven")
        row = rows.setdefault(
            (year, board),
            GuidelineRow(year, board, 0, {key: 0 for key, _title in guideline.PRINCIPLES}),
        )
        row.dialogues += 1
        for verdict in checks[d.pk]:
            if verdict.verdict == guideline.MET:
                row.met[verdict.key] += 1
    return sorted(rows.values(), key=lambda r: (-r.year, r.board))
