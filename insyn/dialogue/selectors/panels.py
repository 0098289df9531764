"""The dialogue panels other apps' pages show (registered in apps.py): a goal's, an
assignment's and an organisation's public dialogues, and the participatory budgets' winning
projects that belong to it (through an assignment, or as the responsible organisation) with how
far their delivery has come."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from insyn.core.registry import Panel
from insyn.dialogue.models import (
    BudgetPhase,
    DeliveryUpdate,
    Dialogue,
    DialogueState,
    Proposal,
)
from insyn.dialogue.selectors.register import public_dialogues
from insyn.goals.models import Assignment, Goal

PANEL_LIMIT = 20


def _panel(dialogues: QuerySet[Dialogue], title: str, projects: Q | None = None) -> Panel | None:
    items = list(
        dialogues.filter(state__in=[DialogueState.PUBLISHED, DialogueState.CLOSED]).order_by(
            "state", "-starts_on", "-pk"
        )[:PANEL_LIMIT]
    )
    winners = winning_projects(projects) if projects is not None else []
    if not items and not winners:
        return None
    return Panel(
        template="dialogue/panel.html",
        context={"dialogues": items, "projects": winners},
        title=title,
    )


def winning_projects(where: Q) -> list[Proposal]:
    """Winning projects of budgets whose results are public, with their delivery: two queries
    for any number."""
    return list(
        Proposal.objects.filter(
            where,
            is_winner=True,
            budget__phase=BudgetPhase.RESULTS,
            budget__dialogue__in=public_dialogues(),
        )
        .select_related("budget", "responsible_organisation")
        .prefetch_related(Prefetch("deliveries", DeliveryUpdate.objects.order_by("-on", "-pk")))
        .distinct()
        .order_by("-budget__results_published_at", "title", "pk")[:PANEL_LIMIT]
    )


def goal_panel(goal: Goal) -> Panel | None:
    return _panel(
        Dialogue.objects.filter(goals=goal),
        _("Dialoger med invånare"),
        Q(assignments__goal=goal),
    )


def assignment_panel(assignment: Assignment) -> Panel | None:
    return _panel(
        Dialogue.objects.filter(
            Q(assignments=assignment) | Q(budgets__proposals__assignments=assignment)
        ).distinct(),
        _("Dialoger med invånare"),
        Q(assignments=assignment),
    )


def organisation_panel(organisation: Any) -> Panel | None:
    return _panel(
        Dialogue.objects.filter(
            Q(responsible_board=organisation) | Q(affected_organisations=organisation)
        ).distinct(),
        _("Dialoger med invånare"),
        Q(responsible_organisation=organisation),
    )
