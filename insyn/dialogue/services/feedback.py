"""The feedback duty: the result, how it was used and which decision it informed, published
to the dialogue's page and sent to confirmed subscribers and signed-in participants."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from insyn.core.errors import ServiceError
from insyn.core.notices import notify
from insyn.dialogue.addresses import normalised_email
from insyn.dialogue.indexing import index_dialogue
from insyn.dialogue.models import (
    Ballot,
    Dialogue,
    Participant,
    Post,
    Proposal,
    Registration,
    SurveyResponse,
)
from insyn.dialogue.services.common import _absolute, _as_history_user, unchanged_since
from insyn.dialogue.services.subscriptions import UNSUBSCRIBE_SALT
from insyn.goals import following


@transaction.atomic
@transaction.atomic
def feedback_save(
    *,
    dialogue: Dialogue,
    summary: str,
    usage: str,
    decision: str,
    by: Any,
    seen: dt.datetime | None = None,
) -> Dialogue:
    """Save the feedback texts (a draft until `feedback_publish`; later edits are kept).
    `seen`: the dialogue's updated_at when the page was loaded (DialogueChanged if saved since)."""
    unchanged_since(dialogue, seen)
    dialogue.feedback_summary = summary.strip()
    dialogue.feedback_usage = usage.strip()
    dialogue.feedback_decision = decision.strip()
    if dialogue.feedback_published and not (
        dialogue.feedback_summary and dialogue.feedback_usage and dialogue.feedback_decision
    ):
        raise ServiceError(_("Publicerad återkoppling kan inte tömmas."))
    _as_history_user(dialogue, by).save()
    if dialogue.feedback_published:
        index_dialogue(dialogue)
    return dialogue


def _feedback_missing(dialogue: Dialogue) -> dict[str, str]:
    """What the feedback still lacks, by the feedback form's field."""
    missing = {}
    if not dialogue.feedback_summary.strip():
        missing["summary"] = _("Resultatet i sammanfattning saknas.")
    if not dialogue.feedback_usage.strip():
        missing["usage"] = _("Beskriv hur resultatet har använts.")
    if not dialogue.feedback_decision.strip():
        missing["decision"] = _("Ange vilket beslut resultatet har varit underlag för.")
    return missing


def feedback_blockers(dialogue: Dialogue) -> list[str]:
    return list(_feedback_missing(dialogue).values())


@transaction.atomic
def feedback_publish(*, dialogue: Dialogue, by: Any) -> int:
    """Publish the feedback and notify subscribers and signed-in participants; returns count."""
    caller, dialogue = dialogue, Dialogue.objects.select_for_update().get(pk=dialogue.pk)
    if not dialogue.is_public:
        raise ServiceError(_("Dialogen måste vara publicerad innan återkopplingen publiceras."))
    problems = _feedback_missing(dialogue)
    if problems:
        raise ServiceError(_("Återkopplingen kan inte publiceras ännu."), problems)
    if dialogue.feedback_published_at is None:
        dialogue.feedback_published_at = timezone.now()
        _as_history_user(dialogue, by).save()
    index_dialogue(dialogue)
    caller.refresh_from_db()
    return _notify_feedback(dialogue)


def _feedback_body(dialogue: Dialogue) -> str:
    return _(
        'Återkoppling från dialogen "%(title)s"\n\n'
        "Resultatet:\n%(summary)s\n\nSå har resultatet använts:\n%(usage)s\n\n"
        "Beslut som resultatet har varit underlag för:\n%(decision)s\n\n"
        "Läs mer: %(url)s\n"
    ) % {
        "title": dialogue.title,
        "summary": dialogue.feedback_summary,
        "usage": dialogue.feedback_usage,
        "decision": dialogue.feedback_decision,
        "url": _absolute(dialogue.get_absolute_url()),
    }


def _notify_feedback(dialogue: Dialogue) -> int:
    subject = _("Återkoppling: %(title)s") % {"title": dialogue.title}
    body = _feedback_body(dialogue)
    key = f"dialogue:{dialogue.pk}:feedback"
    queued = 0
    notified: set[str] = set()
    told: list[str] = []
    for sub in dialogue.subscriptions.filter(confirmed_at__isnull=False):
        token = signing.dumps(sub.pk, salt=UNSUBSCRIBE_SALT)
        link = _absolute(reverse("dialogue:unsubscribe", args=[token]))
        text = body + "\n" + _("Avsluta prenumerationen: %(link)s\n") % {"link": link}
        notified.add(normalised_email(sub.email))
        told.append(sub.email)
        queued += notify(sub.email, subject, text, dedupe_key=key)
    for email in participant_emails(dialogue):
        if normalised_email(email) in notified:
            continue
        notified.add(normalised_email(email))
        told.append(email)
        queued += notify(email, subject, body, dedupe_key=key)
    return queued + _notify_goal_followers(dialogue, told={e.strip().lower() for e in told})


def _notify_goal_followers(dialogue: Dialogue, *, told: set[str]) -> int:
    """Those who follow a goal the dialogue is linked to (directly or through one of the
    goal's assignments), unless already told as subscribers or participants."""
    goal_ids = set(dialogue.goals.values_list("pk", flat=True))
    goal_ids |= set(dialogue.assignments.values_list("goal_id", flat=True))
    if not goal_ids:
        return 0

    def compose(goal: Any) -> tuple[str, str]:
        intro = _("Dialogen är kopplad till %(goal)s, som du följer.") % {"goal": goal}
        return (
            _("Återkoppling: %(title)s") % {"title": dialogue.title},
            intro + "\n\n" + _feedback_body(dialogue),
        )

    return following.notify_followers(
        goal_ids,
        compose,
        key=f"dialogue:{dialogue.pk}:feedback",
        url=_absolute(dialogue.get_absolute_url()),
        skip=told,
    )


def participant_emails(dialogue: Dialogue) -> list[str]:
    """Email addresses of signed-in participants and meeting registrants of the dialogue."""
    ids: set[int] = set()
    ids.update(
        SurveyResponse.objects.filter(
            survey__dialogue=dialogue, participant__isnull=False
        ).values_list("participant_id", flat=True)
    )
    ids.update(
        Post.objects.filter(discussion__dialogue=dialogue, participant__isnull=False).values_list(
            "participant_id", flat=True
        )
    )
    ids.update(
        Proposal.objects.filter(budget__dialogue=dialogue, participant__isnull=False).values_list(
            "participant_id", flat=True
        )
    )
    ids.update(
        Ballot.objects.filter(budget__dialogue=dialogue, participant__isnull=False).values_list(
            "participant_id", flat=True
        )
    )
    emails = list(
        Participant.objects.filter(pk__in=ids).exclude(email="").values_list("email", flat=True)
    )
    emails += list(
        Registration.objects.filter(meeting__dialogue=dialogue)
        .exclude(email__endswith=".invalid")
        .values_list("email", flat=True)
    )
    return sorted(set(emails), key=str.lower)
