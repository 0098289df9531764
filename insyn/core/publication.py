"""The publication version: one value that changes whenever anything a resident can see changes.

The public response cache (`insyn.core.public_cache`) stores whole pages tagged with the version
that was current when their rendering started, and serves an entry only while the version is
still the same. So a page can never be served stale once the change that made it stale has been
committed and the version bumped.

Who bumps:
* Every `save()` and `delete()` of a model in an Insyn app (and its simple-history rows), through
  the signal handlers connected in `connect_signals()` (called from `CoreConfig.ready`), except
  the models listed in `PRIVATE_MODELS`, whose rows never show on a public page.
* Services that write with `QuerySet.update()`, `bulk_create()` or raw SQL (no signals) call
  `bump_publication_version()` themselves. Call it from any new service that changes what the
  public site, the API or search shows without going through `save()`/`delete()`.

The bump runs after the transaction commits (never for a rolled-back one), once per transaction
however many rows it wrote. Inside a test's transaction (which never commits) it bumps at once.

Beside it, one *area version* per part of what the public sees (`AREAS`): the follow-up (apps
goals, organisations, indicators), the dialogues (app dialogue) and the residents' feedback (app
feedback). A save or delete bumps the publication version and its app's area version
(`APP_AREAS`; a model of any other app bumps every area, except the search index's, which shows
on the search page only); a bump naming no area bumps them all. The stored renderings of parts of
pages (insyn.core.stored) are tagged with the versions of the areas they show, so that a fault
report filed redraws a goal page's feedback panels and nothing else of it.

The version is a fresh unique value on every bump (the time in nanoseconds and random bits), not
a counter: two processes bumping at once cannot lose a change, and a version that vanished from
the cache (eviction, `cache.clear()`) comes back as a new value that matches no stored page.

Where the version lives: in the shared cache (Redis) when there is one; in the embedded default
(no REDIS_URL) in a small file in the data directory, `INSYN_PUBLICATION_VERSION_FILE`. Every
process of the site on this machine (`insyn serve --workers N`, management commands, cron jobs)
reads the same file, so a bump made by any of them is seen by the next request of every other:
a bump writes the new value over the old in place (versions all have one length) and it is read
on every request (one open and a read of a few bytes: no database query, no cache round trip). Several machines
without Redis would each have their own file: such a deployment needs REDIS_URL
(docs/deployment.md).
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "insyn:publication-version"

# Models (app_label.modelname, lower case) whose rows are never shown publicly: saving them does
# not change any public page. Everything else in an Insyn app bumps the version.
PRIVATE_MODELS: set[str] = {
    "core.outgoingemail",
    "core.noticepreference",
    "core.pendingnotice",
    "core.ratecounter",
    "core.storedfragment",
    "accounts.membership",
    "dialogue.participant",
    "dialogue.logintoken",
    "dialogue.subscription",
    "dialogue.ballot",
    "dialogue.ballotchoice",
    "dialogue.postreport",
    "dialogue.proposalreport",
    "feedback.casefollower",
    "goals.goalfollower",
    "feedback.casenumbercounter",
    "feedback.open311apikey",
    "feedback.answertemplate",
}


# Which area version a save or delete in an app bumps (besides the publication version); None:
# none (the search index); an app not listed bumps every area.
APP_AREAS: dict[str, str | None] = {
    "goals": "follow_up",
    "organisations": "follow_up",
    "indicators": "follow_up",
    "dialogue": "dialogue",
    "feedback": "feedback",
    "search": None,
}


def _new_version() -> str:
    return f"{time.time_ns():x}-{secrets.token_hex(4)}"


def version_time(version: str) -> float:
    """When `version` was made (seconds since the epoch): the public pages' Last-Modified."""
    try:
        return int(version.split("-", 1)[0], 16) / 1e9
    except (ValueError, AttributeError):
        return time.time()


def _version_file() -> Path | None:
    return getattr(settings, "INSYN_PUBLICATION_VERSION_FILE", None)


def read_version_file(path: str | os.PathLike) -> str | None:
    try:
        fd = os.open(path, os.O_RDONLY)  # no Python file object: this runs on every page hit
    except FileNotFoundError:
        return None
    try:
        data = os.read(fd, 64)
    finally:
        os.close(fd)
    try:
        return data.decode("ascii").strip() or None
    except UnicodeDecodeError:
        return None


def write_version_file(path: str | os.PathLike) -> str:
    """Give the file a new version. Every version has the same length, so the new one is written
    over the old in place, one pwrite(): a new file renamed over the old made ext4 write it to
    disk first (about 1.5 ms of waiting and 0.2 ms of CPU a bump; an Open311 POST bumps two).
    A reader that catches the write half done reads a value that is neither version, so its page
    only misses the cache. A missing file, or one of another length, is replaced atomically."""
    path = Path(path)
    version = _new_version()
    data = version.encode("ascii")
    try:
        fd = os.open(path, os.O_WRONLY)
    except FileNotFoundError:
        pass
    else:
        try:
            if os.fstat(fd).st_size == len(data):
                os.pwrite(fd, data, 0)
                return version
        finally:
            os.close(fd)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        temporary.write_text(version, encoding="ascii")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return version


class SharedVersion:
    """A value every process of the site reads, replaced by a fresh one on a bump: in the shared
    cache when there is Redis, else in a small file (`file()`) in the data directory. The
    publication version is one; insyn.core.reference's is another, under a name of its own."""

    def __init__(self, cache_key: str, file: Callable[[], Path | None]) -> None:
        self.cache_key = cache_key
        self.file = file
        # One object, so that a transaction's on-commit list can be asked whether it holds it.
        self.set_new: Callable[[], None] = self._set_new

    def current(self) -> str:
        """The current version; a missing one (first start, evicted, cleared) is created."""
        if path := self.file():
            version = read_version_file(path)
            if version is None:
                write_version_file(path)
                version = read_version_file(path)
            return version or ""
        version = cache.get(self.cache_key)
        if version is None:
            cache.add(self.cache_key, _new_version(), timeout=None)
            version = cache.get(self.cache_key)
        return str(version)

    def _set_new(self) -> None:
        if path := self.file():
            write_version_file(path)
        else:
            cache.set(self.cache_key, _new_version(), timeout=None)

    def bump(self, using: str | None = None) -> None:
        """A new version once the current transaction commits (at once outside one, and inside
        a test's transaction, which never commits); once per transaction."""
        connection = transaction.get_connection(using)
        if not connection.in_atomic_block or any(
            getattr(block, "_from_testcase", False) for block in connection.atomic_blocks
        ):
            self.set_new()
            return
        if any(func is self.set_new for _sids, func, _robust in connection.run_on_commit):
            return  # already bumping when this transaction commits
        transaction.on_commit(self.set_new, using=using)


def _area_file(area: str) -> Callable[[], Path | None]:
    def file() -> Path | None:
        path = _version_file()
        return Path(path).with_name(f"{area.replace('_', '-')}-version") if path else None

    return file


PUBLICATION = SharedVersion(VERSION_KEY, _version_file)
AREA_NAMES = ("follow_up", "dialogue", "feedback")
AREAS: dict[str, SharedVersion] = {
    area: SharedVersion(f"insyn:{area}-version", _area_file(area)) for area in AREA_NAMES
}


def publication_version() -> str:
    return PUBLICATION.current()


def area_versions(areas: tuple[str, ...]) -> str:
    """The current versions of these areas, as one string."""
    return "|".join(AREAS[area].current() for area in areas)


def new_version_now() -> None:
    """New versions at once, outside any transaction (a restore replaced everything)."""
    PUBLICATION.set_new()
    for version in AREAS.values():
        version.set_new()


def bump_publication_version(using: str | None = None, *, area: str | None = None) -> None:
    """Mark every cached public page stale once the current transaction commits, and the stored
    renderings of `area` (one of AREAS: what changed is only a dialogue's, say), or of every
    area when none is named."""
    if area is not None and area not in AREAS:
        raise ValueError(f"unknown area {area!r} (known: {sorted(AREAS)})")
    PUBLICATION.bump(using)
    for name, version in AREAS.items():
        if area is None or name == area:
            version.bump(using)


def _model_label(model: type) -> str:
    base = getattr(model, "instance_type", None)  # a simple-history model: its tracked model
    meta = (base or model)._meta
    return f"{meta.app_label}.{meta.model_name}"


def _changed(sender: type, using: str | None = None, **_: Any) -> None:
    app = sender._meta.app_label
    if app not in APP_AREAS:
        bump_publication_version(using)
    elif area := APP_AREAS[app]:
        bump_publication_version(using, area=area)
    else:
        PUBLICATION.bump(using)


def connect_signals() -> None:
    from django.apps import apps
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for model in apps.get_models(include_auto_created=True):
        config = apps.get_app_config(model._meta.app_label)
        if not config.name.startswith("insyn.") or _model_label(model) in PRIVATE_MODELS:
            continue
        uid = f"insyn-publication-{model._meta.label_lower}"
        post_save.connect(_changed, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=uid + "-delete")
        if model._meta.auto_created:  # many-to-many through tables
            m2m_changed.connect(_changed, sender=model, dispatch_uid=uid + "-m2m")
