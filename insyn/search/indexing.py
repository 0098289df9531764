"""A full rebuild of the search index from every app's published material.

Each app that puts documents in the index writes them itself with `insyn.search.services` (the
search index is part of the kernel: apps import it, it imports no app) and registers a
`reindex() -> int` in its `AppConfig.ready()` (`insyn.core.registry.register_search_contributor`)
that replaces its whole share, e.g. with `services.replace_documents(prefix, documents)`.
"""

from __future__ import annotations

from django.db import transaction

from insyn.core import registry


def reindex_all() -> int:
    """Rebuild the whole index, one registered app after the other; returns how many documents."""
    with transaction.atomic():
        return sum(reindex() for reindex in registry.search_contributors().values())
