"""Stored renderings: a page's costly, rarely changing part drawn once and kept in the database.

The goal page (insyn.public.views.goal) shows the published follow-up, which changes only when
something is published, corrected, imported or edited in the follow-up's apps. Drawing it takes
some twenty queries and most of the page's template work; `fragments()` keeps the result in a
row (`core.StoredFragment`) tagged with a *stamp*:

* the version of what it shows (insyn.core.publication's area versions, which every change in
  the area bumps after commit — the same mechanism and the same tests as the public response
  cache's publication version; a part that depends on the date has the date in it too), and
* the code that drew it (`code_stamp()`: the package's version and the size and time of every
  template, translation and Python file of the package), so that a deploy never shows the
  previous release's rendering.

A row whose stamp is not the current one is drawn again and replaced; so is a missing one. The
stamp is read before the data (a change committed in between leaves the row with the old stamp:
drawn again on the next request, never stale). Rows are transient (not backed up, see the backup
command) and writing them bumps no version (publication.PRIVATE_MODELS).

This is not the public response cache (insyn.core.public_cache): it stores parts of a page that
any visitor may see, never a whole response, each with the versions of only what it shows (a
fault report filed redraws a goal page's feedback panels, not its follow-up), and it is used
whether the response cache is on or off; the rest of the page is drawn on every request.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from insyn.core.models import StoredFragment

logger = logging.getLogger(__name__)

_code_stamp: str | None = None
# Files whose change can change a rendering: templates, translations, the code.
_CODE_SUFFIXES = (".html", ".txt", ".mo", ".py", ".svg")


def code_stamp() -> str:
    """What identifies the code that draws a rendering, computed once per process."""
    global _code_stamp
    if _code_stamp is None:
        root = Path(__file__).resolve().parent.parent  # the insyn package
        digest = hashlib.sha256()
        with contextlib.suppress(metadata.PackageNotFoundError):
            digest.update(metadata.version("insyn").encode())
        for path in sorted(root.rglob("*")):
            if path.suffix in _CODE_SUFFIXES and "__pycache__" not in path.parts:
                stat = path.stat()
                digest.update(
                    f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns};".encode()
                )
        _code_stamp = digest.hexdigest()[:16]
    return _code_stamp


@dataclass(frozen=True)
class Part:
    """One stored rendering: its `key`, the `version` of what it shows (read before anything
    `build()` reads) and `build()`, which draws it as a JSON-able value."""

    key: str
    version: str
    build: Callable[[], Any]


def fragments(parts: list[Part]) -> list[Any]:
    """Each part's stored rendering if it was drawn for its version by this code, else its
    `build()`'s, stored for the next request: one query for all, one more to store what was
    drawn. Builds run in the order given. An exception from a build (a 404, say) stores
    nothing. With DEBUG on, always drawn (a developer's edited template shows at once)."""
    if settings.DEBUG:
        return [part.build() for part in parts]
    code = code_stamp()
    stamps = {part.key: f"{part.version}|{code}" for part in parts}
    found = {
        key: data
        for key, stamp, data in StoredFragment.objects.filter(key__in=stamps).values_list(
            "key", "stamp", "data"
        )
        if stamp == stamps[key]
    }
    results = []
    drawn = []
    for part in parts:
        if part.key in found:
            results.append(json.loads(found[part.key]))
        else:
            value = part.build()
            drawn.append((part.key, stamps[part.key], json.dumps(value, separators=(",", ":"))))
            results.append(value)
    if drawn:
        _store(drawn)
    return results


def _store(rows: list[tuple[str, str, str]]) -> None:
    """Replace the rows in one statement; a write that fails (a busy SQLite database, a
    read-only replica) only means drawing them again next time."""
    now = timezone.now()
    try:
        with transaction.atomic():
            StoredFragment.objects.bulk_create(
                [StoredFragment(key=k, stamp=s, data=d, stored_at=now) for k, s, d in rows],
                update_conflicts=True,
                unique_fields=["key"],
                update_fields=["stamp", "data", "stored_at"],
            )
    except DatabaseError:
        logger.warning(
            "could not store the renderings %s", [k for k, _s, _d in rows], exc_info=True
        )
