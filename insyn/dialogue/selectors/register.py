"""Reads of the dialogue register: the public list and detail, the staff list and detail, the
history, suggested earlier dialogues, the plan's goals, and the guideline overview."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from insyn.dialogue import guideline
from insyn.dialogue.models import (
    PUBLIC_DIALOGUE_STATES,
    Budget,
    CoordinationComment,
    Dialogue,
    DialogueState,
    Discussion,
    District,
    Meeting,
    MethodKind,
    Survey,
)
from insyn.goals.models import Assignment, Goal

PAGE_SIZE = 50


@dataclass
class DialogueFilters:
    status: str = ""  # "open" | "closed" | ""
    district: int | None = None
    goal: int | None = None
    method: str = ""
    q: str = ""


def public_dialogues() -> QuerySet[Dialogue]:
    return Dialogue.objects.public()


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
        Goal.objects.filter(dialogues__state__in=PUBLIC_DIALOGUE_STATES)
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


def staff_dialogues(*, state: str = "", limit: int = 200) -> list[Dialogue]:
    qs = Dialogue.objects.select_related("responsible_board").order_by("-updated_at")
    if state in DialogueState.values:
        qs = qs.filter(state=state)
    return list(qs[:limit])


def overdue_feedback(today: dt.date | None = None, *, limit: int = 200) -> list[Dialogue]:
    """Dialogues whose feedback date has passed without published feedback."""
    today = today or timezone.localdate()
    return list(
        Dialogue.objects.feedback_overdue(today)
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
            # feedback's DialogueLink, reached by its related name (no import of feedback)
            "case_links__theme",
            "case_links__category",
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
        for similar in Dialogue.objects.filter(pk__in=list(ids)).exclude(pk=dialogue.pk):
            add(similar, _("liknande ord"), 1.0 * ids[similar.pk])
    already = set(dialogue.earlier_dialogues.values_list("pk", flat=True))
    items = [s for s in found.values() if s.dialogue.pk not in already]
    items.sort(key=lambda s: (-s.score, -s.dialogue.pk))
    return items[:limit]


def plan_goals() -> Sequence[Goal]:
    return list(Goal.objects.select_related("plan").order_by("-plan__year", "order", "number"))


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
    counts: dict[int, tuple[int, int]] = {
        pk: (n_earlier, n_outreach)
        for pk, n_earlier, n_outreach in Dialogue.objects.filter(pk__in=ids)
        .annotate(
            n_earlier=Count("earlier_dialogues", distinct=True),
            n_outreach=Count("outreach", distinct=True),
        )
        .values_list("pk", "n_earlier", "n_outreach")
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
                earlier_count=counts.get(d.pk, (0, 0))[0],
                earlier_note=d.earlier_dialogues_note,
                outreach_count=counts.get(d.pk, (0, 0))[1],
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
        board = d.responsible_board.name if d.responsible_board else _("Ingen nämnd angiven")
        row = rows.setdefault(
            (year, board),
            GuidelineRow(year, board, 0, {key: 0 for key, _title in guideline.PRINCIPLES}),
        )
        row.dialogues += 1
        for verdict in checks[d.pk]:
            if verdict.verdict == guideline.MET:
                row.met[verdict.key] += 1
    return sorted(rows.values(), key=lambda r: (-r.year, r.board))
