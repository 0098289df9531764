"""The dialogue panels other apps' pages show (registered in apps.py): a goal's, an
assignment's and an organisation's public dialogues, and the participatory budgets' winning
projects that belong to it (through an assignment, or as the responsible organisation) with how
far their delivery has come."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from insyn.core import registry
from insyn.core.registry import LoopItem, Panel
from insyn.dialogue.models import (
    BudgetPhase,
    DeliveryUpdate,
    Dialogue,
    DialogueQuerySet,
    Proposal,
)
from insyn.dialogue.selectors.register import public_dialogues
from insyn.goals.models import Assignment, Goal

PANEL_LIMIT = 20


def _public(owner: Any, dialogues: DialogueQuerySet) -> list[Dialogue]:
    """The public dialogues of a goal or assignment, newest first: one query that the panel and
    the loop of one page share (registry.shared)."""
    return registry.shared(
        owner,
        "dialogue:public",
        lambda: list(dialogues.public().order_by("-starts_on", "-pk")),
    )


def _panel(dialogues: list[Dialogue], title: str, projects: Q | None = None) -> Panel | None:
    # By state as the database sorted them before ("closed", then "published"), newest first.
    items = sorted(dialogues, key=lambda d: d.state)[:PANEL_LIMIT]
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
        Proposal.objects.public()
        .filter(
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
        _public(goal, Dialogue.objects.filter(goals=goal)),
        _("Dialoger med invånare"),
        Q(assignments__goal=goal),
    )


def assignment_panel(assignment: Assignment) -> Panel | None:
    return _panel(
        _public(assignment, _of_assignment(assignment)),
        _("Dialoger med invånare"),
        Q(assignments=assignment),
    )


def organisation_panel(organisation: Any) -> Panel | None:
    return _panel(
        _public(
            organisation,
            Dialogue.objects.filter(
                Q(responsible_board=organisation) | Q(affected_organisations=organisation)
            ).distinct(),
        ),
        _("Dialoger med invånare"),
        Q(responsible_organisation=organisation),
    )


# --- "Ni sa — vi gjorde" on goal and assignment pages -------------------------------------------


def _loop(dialogues: list[Dialogue]) -> list[LoopItem]:
    """Each public dialogue's result (what residents said) and its feedback (what
    the municipality decided with it), or the date feedback is promised for."""
    items: list[LoopItem] = []
    today = timezone.localdate()
    for dialogue in dialogues[:PANEL_LIMIT]:
        url = dialogue.get_absolute_url()
        if dialogue.feedback_published:
            items.append(
                LoopItem(
                    stage="said",
                    title=dialogue.title,
                    text=dialogue.feedback_summary,
                    url=url,
                    note=_("Resultatet av dialogen"),
                )
            )
            decided = "\n\n".join(
                part for part in (dialogue.feedback_usage, dialogue.feedback_decision) if part
            )
            items.append(
                LoopItem(
                    stage="decided",
                    title=dialogue.title,
                    text=decided,
                    url=url,
                    date=dialogue.feedback_published_at,
                    note=_("Återkoppling publicerad"),
                )
            )
            continue
        items.append(
            LoopItem(
                stage="said",
                title=dialogue.title,
                text=dialogue.question,
                url=url,
                note=_("Dialogen pågår") if dialogue.is_open else _("Dialogen är avslutad"),
            )
        )
        if dialogue.feedback_on:
            late = dialogue.feedback_on < today
            items.append(
                LoopItem(
                    stage="decided",
                    title=dialogue.title,
                    text=(
                        _("Återkopplingen skulle ha publicerats senast %(date)s och är försenad.")
                        if late
                        else _("Återkopplingen ska publiceras senast %(date)s.")
                    )
                    % {"date": date_format(dialogue.feedback_on, "j F Y")},
                    url=url,
                    date=dialogue.feedback_on,
                    note=_("Försenad") if late else _("Inte klar ännu"),
                )
            )
    return items


def goal_loop(goal: Goal) -> list[LoopItem]:
    return _loop(_public(goal, Dialogue.objects.filter(goals=goal)))


def assignment_loop(assignment: Assignment) -> list[LoopItem]:
    return _loop(_public(assignment, _of_assignment(assignment)))


def _of_assignment(assignment: Assignment) -> DialogueQuerySet:
    return Dialogue.objects.filter(
        Q(assignments=assignment) | Q(budgets__proposals__assignments=assignment)
    ).distinct()
