"""The import review page (insyn import-followup --report) meets WCAG 2.1 AA, opened from disk,
on a desktop and a phone, with a 2017 page that has an unplaced line."""

from __future__ import annotations

from pathlib import Path

import pytest

from insyn.importers.followup_parser import parse_followup
from insyn.importers.report import render_report
from insyn.organisations.registry import Registry
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, assert_no_page_errors

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = Registry.from_file(ROOT / "insyn" / "organisations" / "data" / "uppsala.json")
PAGES = [
    ROOT / "insyn" / "importers" / "demo_pages" / "uppsala-2023-08-fokusmal-4.txt",
    ROOT / "tests" / "importers" / "pages" / "uppsala-2017-08-inriktningsmal-2.txt",
]


@pytest.fixture
def report(tmp_path: Path) -> Path:
    parses = []
    for path in PAGES:
        text = path.read_text(encoding="utf-8")
        if "2017" in path.name:
            text += "\nLäs mer om hur kommunen styrs\n"
        parses.append(parse_followup(text, REGISTRY, source=path.name))
    target = tmp_path / "granskning.html"
    target.write_text(render_report(parses), encoding="utf-8")
    return target


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_review_page_is_accessible(page, report: Path, viewport: dict[str, int]) -> None:
    page.set_viewport_size(viewport)
    page.goto(report.as_uri())
    assert page.locator("h1").inner_text() == "Granskning av inläsning"
    unplaced = page.locator("tr.r-unplaced")
    assert unplaced.count() == 1
    assert "Kunde inte placeras" in unplaced.inner_text()
    assert_accessible(page)
    assert_no_page_errors(page)
