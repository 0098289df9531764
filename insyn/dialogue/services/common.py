"""What every dialogue service module shares: the text limit and the history helpers."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from insyn.core.errors import ServiceError, StaleEdit
from insyn.core.forms import UNMODERATED
from insyn.dialogue.models import Dialogue

MAX_TEXT = 5000


def _as_history_user(obj: Any, by: Any) -> Any:
    if by is not None and getattr(by, "is_authenticated", False):
        obj._history_user = by
    return obj


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ModeratedMeanwhile(ServiceError):
    """Someone else moderated the contribution after the page was loaded; nothing was written.
    The message says what they decided, who and when, next to what this person asked for."""

    def __init__(self, current: Any, mine: str) -> None:
        who = current.moderated_by
        # A proposal's moderation is its own field; a post's is its state.
        decided = getattr(current, "get_moderation_display", current.get_state_display)
        super().__init__(
            _(
                "Någon annan har redan granskat det här sedan du öppnade sidan: %(theirs)s "
                "(%(who)s, %(when)s). Ditt beslut (%(mine)s) är inte sparat. Ladda om sidan om "
                "du vill ändra beslutet."
            )
            % {
                "theirs": str(decided()).lower(),
                "who": (who.get_full_name() or who.username) if who else "–",
                "when": formats.date_format(
                    timezone.localtime(current.moderated_at), "SHORT_DATETIME_FORMAT"
                )
                if current.moderated_at
                else "–",
                "mine": mine,
            },
            code="stale",
        )
        self.current = current


def lock_for_moderation(obj: Any, *, seen: dt.datetime | str | None, mine: str) -> None:
    """Lock the post's or proposal's row for this transaction (the caller goes on with `obj`).
    `seen`: its moderated_at when the page was loaded (UNMODERATED: not moderated then; None:
    not checked). ModeratedMeanwhile if someone else has moderated it since."""
    current = type(obj).objects.select_for_update().get(pk=obj.pk)
    if seen is not None:
        expected = None if seen == UNMODERATED else seen
        if current.moderated_at != expected:
            raise ModeratedMeanwhile(current, mine)


def record_moderation(obj: Any, *, by: Any, hidden_reason: str = "") -> Any:
    """A moderator's decision on a post or a proposal: who and when, saved with history, and
    every open abuse report of it handled. The caller sets the visible/hidden state."""
    obj.hidden_reason = hidden_reason
    obj.moderated_by = by
    obj.moderated_at = timezone.now()
    _as_history_user(obj, by).save()
    obj.reports.filter(handled_at__isnull=True).update(handled_at=obj.moderated_at)
    return obj


class DialogueChanged(StaleEdit):
    """Someone else saved the dialogue after the form was loaded; `current` is their version."""

    current: Dialogue
    sentence = gettext_lazy(
        "Någon annan har ändrat dialogen sedan du öppnade sidan. Dina ändringar är "
        "inte sparade. Jämför med den sparade versionen och spara igen."
    )


def unchanged_since(dialogue: Dialogue, seen: dt.datetime | None) -> None:
    """Lock the dialogue's row for this transaction; DialogueChanged if it was saved after
    `seen` (its updated_at when the page was loaded; None: not checked)."""
    current = Dialogue.objects.select_for_update().get(pk=dialogue.pk)
    if seen is not None and current.updated_at != seen:
        raise DialogueChanged(current)
