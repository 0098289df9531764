"""What every dialogue service module shares: the text limit and the history helpers."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.utils import timezone

MAX_TEXT = 5000


def _as_history_user(obj: Any, by: Any) -> Any:
    if by is not None and getattr(by, "is_authenticated", False):
        obj._history_user = by
    return obj


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def record_moderation(obj: Any, *, by: Any, hidden_reason: str = "") -> Any:
    """A moderator's decision on a post or a proposal: who and when, saved with history, and
    every open abuse report of it handled. The caller sets the visible/hidden state."""
    obj.hidden_reason = hidden_reason
    obj.moderated_by = by
    obj.moderated_at = timezone.now()
    _as_history_user(obj, by).save()
    obj.reports.filter(handled_at__isnull=True).update(handled_at=obj.moderated_at)
    return obj
