"""Reference data kept in each server process while it is unchanged: the reference version.

Some rows are read by nearly every request of a hot path and change a few times a year: the
categories of cases and their questions, the routing rules, the districts' shapes, the Open311
API keys. Reading them from the database on every request (issue 13: four of an Open311 POST's
sixteen queries) costs more than everything else the request does in Python. `Memo` keeps what
one function built from them in this process's memory, tagged with the *reference version*, and
builds it again when the version has changed.

The reference version works like the publication version (insyn.core.publication, which says
where it lives and why every process sees a bump at once: a small file in the data directory,
or the shared cache when there is Redis), under a name of its own: the publication version
changes with every case filed, which would make such a memo useless exactly when it matters.

Who bumps: every `save()` and `delete()` of a model an app registered with `track()` (from its
`AppConfig.ready`), after the transaction commits (never for a rolled-back one; at once inside a
test's transaction), and a restore. A service that changes such a model with `QuerySet.update()`,
`bulk_create()` or raw SQL must call `bump_reference_version()` itself.

Inside an open transaction a memo is neither used nor kept: the transaction's own changes are
bumped only when it commits, and what it reads may roll back. The version is read before the
rows, so a change that commits meanwhile leaves the memo tagged with the old version: it is
built again on the next call. `migrate` and `flush` (which write without save signals) bump too.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Model

from insyn.core.publication import SharedVersion

VERSION_KEY = "insyn:reference-version"
FILE_NAME = "reference-version"


def _version_file() -> Path | None:
    publication_file = getattr(settings, "INSYN_PUBLICATION_VERSION_FILE", None)
    return _beside(str(publication_file)) if publication_file else None


@functools.lru_cache(maxsize=8)
def _beside(publication_file: str) -> Path:
    return Path(publication_file).with_name(FILE_NAME)  # asked several times a request


REFERENCE = SharedVersion(VERSION_KEY, _version_file)


def reference_version() -> str:
    return REFERENCE.current()


def new_version_now() -> None:
    """A new version at once, outside any transaction (a restore replaced everything)."""
    REFERENCE.set_new()


def bump_reference_version(using: str | None = None) -> None:
    """Make every process's memos stale once the current transaction commits."""
    REFERENCE.bump(using)


def _changed(sender: type, using: str | None = None, **_: Any) -> None:
    bump_reference_version(using)


def _migrated(**_: Any) -> None:
    REFERENCE.set_new()


def track(*models: type[Model]) -> None:
    """Bump the reference version whenever a row of one of these models is saved or deleted."""
    from django.db.models.signals import post_delete, post_migrate, post_save

    post_migrate.connect(_migrated, dispatch_uid="insyn-reference-migrate")
    for model in models:
        uid = f"insyn-reference-{model._meta.label_lower}"
        post_save.connect(_changed, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=uid + "-delete")


class Memo[T]:
    """`build()`'s answer, kept in this process while the reference version stays the same.

    What it returns is shared by every request (and thread) of the process: callers must not
    change it."""

    def __init__(self, build: Callable[[], T]) -> None:
        self.build = build
        self._kept: tuple[str, T] | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        if connection.in_atomic_block:
            # Its own uncommitted changes are not bumped yet, and what it reads may roll back.
            return self.build()
        version = reference_version()
        kept = self._kept
        if kept is not None and kept[0] == version:
            return kept[1]
        with self._lock:  # one thread builds; the others wait for it
            kept = self._kept
            if kept is not None and kept[0] == version:
                return kept[1]
            value = self.build()
            self._kept = (version, value)
            return value

    def clear(self) -> None:
        self._kept = None
