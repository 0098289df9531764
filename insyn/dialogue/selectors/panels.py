"""The dialogue panels other apps' pages show (registered in apps.py): a goal's, an
assignment's and an organisation's public dialogues."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from insyn.core.registry import Panel
from insyn.dialogue.models import (
    Dialogue,
    DialogueState,
)
from insyn.goals.models import Assignment, Goal

PANEL_LIMIT = 20


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
