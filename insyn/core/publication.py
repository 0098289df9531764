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

The version is a fresh unique value on every bump (the time in nanoseconds and random bits), not
a counter: two processes bumping at once cannot lose a change, and a version that vanished from
the cache (eviction, `cache.clear()`) comes back as a new value that matches no stored page.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "insyn:publication-version"

# Models (app_label.modelname, lower case) whose rows are never shown publicly: saving them does
# not change any public page. Everything else in an Insyn app bumps the version.
PRIVATE_MODELS: set[str] = {
    "core.outgoingemail",
    "accounts.membership",
    "dialogue.participant",
    "dialogue.logintoken",
    "dialogue.subscription",
    "dialogue.ballot",
    "dialogue.ballotchoice",
    "dialogue.postreport",
    "feedback.casefollower",
    "feedback.casenumbercounter",
    "feedback.open311apikey",
    "feedback.answertemplate",
}


def _new_version() -> str:
    return f"{time.time_ns():x}-{secrets.token_hex(4)}"


def version_time(version: str) -> float:
    """When `version` was made (seconds since the epoch): the public pages' Last-Modified."""
    try:
        return int(version.split("-", 1)[0], 16) / 1e9
    except (ValueError, AttributeError):
        return time.time()


def publication_version() -> str:
    """The current version; a missing one (first start, evicted, cleared) is created."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _new_version(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def _set_new_version() -> None:
    cache.set(VERSION_KEY, _new_version(), timeout=None)


def bump_publication_version(using: str | None = None) -> None:
    """Mark every cached public page stale once the current transaction commits."""
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block or any(
        getattr(block, "_from_testcase", False) for block in connection.atomic_blocks
    ):
        _set_new_version()
        return
    if any(func is _set_new_version for _sids, func, _robust in connection.run_on_commit):
        return  # already bumping when this transaction commits
    transaction.on_commit(_set_new_version, using=using)


def _model_label(model: type) -> str:
    base = getattr(model, "instance_type", None)  # a simple-history model: its tracked model
    meta = (base or model)._meta
    return f"{meta.app_label}.{meta.model_name}"


def _changed(sender: type, using: str | None = None, **_: Any) -> None:
    bump_publication_version(using)


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
