"""What every dialogue service module shares: the text limit and the history helpers."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings

MAX_TEXT = 5000


def _as_history_user(obj: Any, by: Any) -> Any:
    if by is not None and getattr(by, "is_authenticated", False):
        obj._history_user = by
    return obj


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
