"""The importer's tests. The demo's two follow-up pages, which several of them import."""

from pathlib import Path

DEMO_PAGES = Path(__file__).resolve().parents[2] / "insyn" / "importers" / "demo_pages"
GOAL_4 = DEMO_PAGES / "uppsala-2023-08-fokusmal-4.txt"
GOAL_1 = DEMO_PAGES / "uppsala-2023-08-fokusmal-1.txt"
