"""What governance by goals contributes to search: goals and assignments of published follow-up.

The importer and the publish service call `index_period(period)` after they have written a
published period, and `unindex_period(period)` before a period stops being public (or is
deleted); `insyn rebuild-search-index` calls `reindex_all()`.

A goal or an assignment is searchable once its plan has at least one published follow-up
period. Its document holds what is public about it: for an assignment its heading, title,
description and the assessments (compiled and per organisation) of every published period of
its plan; for a goal its sections and its follow-up assessments of the published periods.
Nothing from a period that is not published is ever read, and an organisation's own report
only once it was handed in (`insyn.goals.selectors.public_reports`, the rule the pages keep).

Object keys: "goals.goal:<pk>" and "goals.assignment:<pk>". A service that deletes a goal or
an assignment removes its document with `remove_document`.

Goals take part in a full rebuild (`insyn.search.indexing.reindex_all`) through
`reindex_goals`, registered in `GoalsConfig.ready()` (insyn.core.registry).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import translation

from insyn.goals.models import (
    Assignment,
    FollowUpPeriod,
    Goal,
    GoalFollowUp,
    GoalSection,
    Plan,
    assignment_urls,
)
from insyn.goals.selectors import public_reports
from insyn.search import services
from insyn.search.models import SearchDocument

KIND_GOAL = "goal"
KIND_ASSIGNMENT = "assignment"
GOALS_PREFIX = "goals."
# What an assignment's document reads of it: its heading, URL, title and description.
ASSIGNMENT_FIELDS = (
    "goal",
    "kind",
    "number",
    "origin_year",
    "origin_number",
    "board_goal_code",
    "slug",
    "title",
    "description",
)


def goal_key(goal_id: int) -> str:
    return f"goals.goal:{goal_id}"


def assignment_key(assignment_id: int) -> str:
    return f"goals.assignment:{assignment_id}"


def index_period(period: FollowUpPeriod) -> int:
    """(Re)index the goals and assignments of a published period's plan; returns how many.

    Does nothing for a period that is not published.
    """
    if not period.is_published:
        return 0
    documents, hidden = _plan_documents([period.plan_id])
    with transaction.atomic():
        _remove_keys(hidden)
        return services.index_documents(documents)


def index_plans(
    plan_ids: Iterable[int],
    *,
    two_processes: bool = False,
    known_stems: Callable[[], Mapping[str, str]] | None = None,
) -> int:
    """(Re)index the goals and assignments of several plans with a published period in one pass
    (the importer's: a fixed number of queries for all of them); returns how many.

    `two_processes`: stem the documents in two processes when there are many (a command only,
    see `services.build_documents`); `known_stems`: texts already stemmed, say the imported
    pages' (see there)."""
    documents, hidden = _plan_documents(
        sorted(set(plan_ids)), two_processes=two_processes, known_stems=known_stems
    )
    with transaction.atomic():
        _remove_keys(hidden)
        return services.index_documents(documents)


def unindex_period(period: FollowUpPeriod) -> None:
    """Take the period's material out of search, whatever its state is at the moment.

    Documents of its plan are rebuilt from the other published periods; if none is left, the
    plan's goals and assignments leave the index.
    """
    documents, hidden = _plan_documents([period.plan_id], exclude_period_id=period.pk)
    with transaction.atomic():
        _remove_keys(hidden)
        services.index_documents(documents)


def reindex_goals() -> int:
    """Rebuild every goal and assignment document from published material; returns how many."""
    documents: list[SearchDocument] = []
    for plan_id in Plan.objects.order_by("pk").values_list("pk", flat=True):
        plan_documents, _hidden = _plan_documents([plan_id])
        documents.extend(plan_documents)
    return services.replace_documents(GOALS_PREFIX, documents)


# --- Building documents -------------------------------------------------------------------------


def _remove_keys(keys: list[str]) -> None:
    for start in range(0, len(keys), services.DELETE_BATCH):
        SearchDocument.objects.filter(
            object_key__in=keys[start : start + services.DELETE_BATCH]
        ).delete()


def _paragraphs(parts: Iterable[str]) -> str:
    return "\n\n".join(part.strip() for part in parts if part and part.strip())


def _plan_documents(
    plan_ids: list[int],
    exclude_period_id: int | None = None,
    *,
    two_processes: bool = False,
    known_stems: Callable[[], Mapping[str, str]] | None = None,
) -> tuple[list[SearchDocument], list[str]]:
    """Documents for the plans' goals and assignments, and the keys that must not be indexed.

    A fixed number of queries whatever the number of goals, assignments and reports.
    """
    published = FollowUpPeriod.objects.published().filter(plan_id__in=plan_ids)
    if exclude_period_id is not None:
        published = published.exclude(pk=exclude_period_id)
    periods = sorted(published, key=lambda p: p.sort_key, reverse=True)  # newest first
    period_order = {period.pk: index for index, period in enumerate(periods)}
    public_plans = {period.plan_id for period in periods}

    # Goals as objects (their URL and kind label), the many rows below them as plain values
    # and assignments without their goal and plan joined in again for every row: building
    # model objects was most of the time of indexing an imported plan (issue 13).
    goals = list(
        Goal.objects.filter(plan_id__in=plan_ids)
        .select_related("plan")
        .order_by("plan_id", "order", "number")
    )
    goals_by_pk = {goal.pk: goal for goal in goals}
    sections_by_goal: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for goal_id, heading, text in (
        GoalSection.objects.filter(goal__plan_id__in=plan_ids)
        .order_by("goal_id", "order", "pk")
        .values_list("goal_id", "heading", "body")
    ):
        sections_by_goal[goal_id].append((heading, text))
    assignments = list(
        Assignment.objects.filter(goal__plan_id__in=plan_ids)
        .only(*ASSIGNMENT_FIELDS)
        .order_by("goal_id", "order", "pk")
    )
    goal_field = Assignment._meta.get_field("goal")
    for assignment in assignments:
        goal_field.set_cached_value(assignment, goals_by_pk[assignment.goal_id])

    # (period, organisation name or "" for the compiled report, assessment) per assignment
    reports_by_assignment: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    follow_ups_by_goal: dict[int, list[tuple[int, str]]] = defaultdict(list)
    if periods:
        reports = (
            public_reports()
            .filter(period_id__in=period_order, assignment__goal__plan_id__in=plan_ids)
            .exclude(assessment="")
            .values_list("assignment_id", "period_id", "organisation__name", "assessment")
        )
        for assignment_id, period_id, name, assessment in reports:
            reports_by_assignment[assignment_id].append((period_id, name or "", assessment))
        for goal_id, period_id, assessment in GoalFollowUp.objects.filter(
            period_id__in=period_order, goal__plan_id__in=plan_ids
        ).values_list("goal_id", "period_id", "assessment"):
            follow_ups_by_goal[goal_id].append((period_id, assessment))

    def report_order(report: tuple[int, str, str]) -> tuple[int, bool, str]:
        period_id, name, _assessment = report
        return (period_order[period_id], name != "", name)

    documents: list[dict[str, Any]] = []  # the fields of each document, stemmed at the end
    hidden: list[str] = []
    with translation.override("sv"):
        for goal in goals:
            if goal.plan_id not in public_plans:
                hidden.append(goal_key(goal.pk))
                continue
            follow_ups = sorted(follow_ups_by_goal[goal.pk], key=lambda f: period_order[f[0]])
            sections = sections_by_goal[goal.pk]
            assessments = [assessment for _period, assessment in follow_ups]
            body = _paragraphs([f"{heading}\n{text}" for heading, text in sections] + assessments)
            documents.append(
                {
                    "object_key": goal_key(goal.pk),
                    "kind": KIND_GOAL,
                    "url": goal.get_absolute_url(),
                    "title": f"{goal.get_kind_display()} {goal.number}. {goal.title}",
                    "body": body,
                    # The body's pieces, stemmed one by one (services.build_documents).
                    "parts": [part for section in sections for part in section] + assessments,
                    "year": goal.plan.year,
                }
            )
        urls = iter(assignment_urls(a for a in assignments if a.goal.plan_id in public_plans))
        for assignment in assignments:
            if assignment.goal.plan_id not in public_plans:
                hidden.append(assignment_key(assignment.pk))
                continue
            reports = sorted(reports_by_assignment[assignment.pk], key=report_order)
            parts = [assignment.description]
            for _p, name, assessment in reports:
                parts += [name, assessment] if name else [assessment]
            body = _paragraphs(
                [assignment.description]
                + [
                    f"{name}: {assessment}" if name else assessment
                    for _p, name, assessment in reports
                ]
            )
            documents.append(
                {
                    "object_key": assignment_key(assignment.pk),
                    "kind": KIND_ASSIGNMENT,
                    "url": next(urls),
                    "title": f"{assignment.heading}: {assignment.title}",
                    "body": body,
                    "parts": parts,
                    "year": assignment.goal.plan.year,
                }
            )
    built = services.build_documents(
        documents, two_processes=two_processes, known_stems=known_stems
    )
    return built, hidden
