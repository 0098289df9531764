"""`insyn rebuild-search-index`: rebuild the full-text index from published material only."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from insyn.search.indexing import reindex_all


class Command(BaseCommand):
    help = "Bygger om sökindexet från allt publicerat material (mål, uppdrag och andra appars)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = reindex_all()
        self.stdout.write(f"Sökindexet innehåller nu {count} dokument.")
