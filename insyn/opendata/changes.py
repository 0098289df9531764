"""The public change log: every published change, newest first, as a page (/andringar/) and an
Atom feed (/andringar/atom.xml) so journalists and residents can follow what the municipality
publishes.

A change is read from where the record already keeps it — a period's `published_at`, a
correction's `created_at`, a dialogue's `published_at` and `feedback_published_at`, a survey
summary's and a participatory budget's publication, a budget upload's `published_at` — so the
log cannot disagree with the pages and needs no table of its own. Only what is public appears.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from insyn.dialogue.models import PUBLIC_DIALOGUE_STATES, Budget, Dialogue, Survey
from insyn.goals.models import Correction, FollowUpPeriod
from insyn.indicators.models import BudgetState, BudgetUpload


@dataclass(frozen=True)
class Change:
    at: dt.datetime
    kind: str  # period | correction | dialogue | feedback | survey | participatory_budget | budget
    title: str
    summary: str
    url: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.url}:{self.at.isoformat()}"


def recent_changes(*, limit: int = 50) -> list[Change]:
    """The newest public changes, newest first: a bounded number of queries (one per kind)."""
    changes: list[Change] = []
    for period in (
        FollowUpPeriod.objects.published()
        .filter(published_at__isnull=False)
        .select_related("plan")
        .order_by("-published_at")[:limit]
    ):
        changes.append(
            Change(
                period.published_at,
                "period",
                _("Uppföljningen %(label)s %(year)s publicerades")
                % {"label": period.label, "year": period.year},
                _(
                    "Mål och budget %(year)s: nämndernas och bolagens rapporter och den "
                    "sammanställda uppföljningen."
                )
                % {"year": period.plan.year},
                period.get_absolute_url(),
            )
        )
    for correction in (
        Correction.objects.public().select_related("period").order_by("-created_at")[:limit]
    ):
        changes.append(
            Change(
                correction.created_at,
                "correction",
                _("Rättelse i %(label)s %(year)s (version %(version)s)")
                % {
                    "label": correction.period.label,
                    "year": correction.period.year,
                    "version": correction.version,
                },
                correction.note,
                correction.period.get_absolute_url(),
            )
        )
    dialogues = Dialogue.objects.public()
    for dialogue in dialogues.filter(published_at__isnull=False).order_by("-published_at")[:limit]:
        changes.append(
            Change(
                dialogue.published_at,
                "dialogue",
                _("Ny dialog: %(title)s") % {"title": dialogue.title},
                dialogue.purpose,
                dialogue.get_absolute_url(),
            )
        )
    for dialogue in dialogues.filter(feedback_published_at__isnull=False).order_by(
        "-feedback_published_at"
    )[:limit]:
        changes.append(
            Change(
                dialogue.feedback_published_at,
                "feedback",
                _("Återkoppling: %(title)s") % {"title": dialogue.title},
                dialogue.feedback_summary,
                dialogue.get_absolute_url(),
            )
        )
    for survey in (
        Survey.objects.filter(
            dialogue__state__in=PUBLIC_DIALOGUE_STATES, summary_published_at__isnull=False
        )
        .select_related("dialogue")
        .order_by("-summary_published_at")[:limit]
    ):
        changes.append(
            Change(
                survey.summary_published_at,
                "survey",
                _("Resultat av enkäten %(title)s") % {"title": survey.title},
                survey.summary,
                survey.dialogue.get_absolute_url(),
            )
        )
    for budget in (
        Budget.objects.filter(
            dialogue__state__in=PUBLIC_DIALOGUE_STATES, results_published_at__isnull=False
        )
        .select_related("dialogue")
        .order_by("-results_published_at")[:limit]
    ):
        changes.append(
            Change(
                budget.results_published_at,
                "participatory_budget",
                _("Resultatet av medborgarbudgeten %(title)s") % {"title": budget.title},
                budget.dialogue.title,
                reverse("dialogue:budget", args=[budget.dialogue_id, budget.pk]),
            )
        )
    for upload in BudgetUpload.objects.filter(
        state=BudgetState.PUBLISHED, published_at__isnull=False
    ).order_by("-published_at")[:limit]:
        changes.append(
            Change(
                upload.published_at,
                "budget",
                _("Budgeten för %(year)s publicerades") % {"year": upload.year},
                upload.note,
                reverse("indicators:budget") + f"?year={upload.year}",
            )
        )
    changes.sort(key=lambda c: c.at, reverse=True)
    return changes[:limit]
