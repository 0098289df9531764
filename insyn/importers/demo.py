"""Demo data of the importers app: the two seed follow-up pages (insyn/importers/demo_pages)."""

from __future__ import annotations

from pathlib import Path

from insyn.importers.services import import_followup_files

DEMO_PAGES = Path(__file__).resolve().parent / "demo_pages"


def load_demo() -> str:
    result = import_followup_files(sorted(DEMO_PAGES.glob("*.txt")))
    return f"Uppföljning: {result.goals} mål, {result.assignments} uppdrag."
