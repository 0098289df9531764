"""The command side of issue 14: 2017 pages written to the database, --strict, the line
accounting in --dry-run --json and the --report review page."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from insyn.goals.models import Assignment, Goal, GoalFollowUp, Report
from insyn.importers.services import FollowupStrictError, import_followup_files
from tests.importers import GOAL_4

PAGE_2017 = Path(__file__).resolve().parent / "pages" / "uppsala-2017-08-inriktningsmal-2.txt"

pytestmark = pytest.mark.django_db


@pytest.fixture
def stray_page(tmp_path: Path) -> Path:
    """The 2017 page with a line nothing can place (after the list of assignments)."""
    page = tmp_path / "med-lös-rad.txt"
    page.write_text(
        PAGE_2017.read_text(encoding="utf-8") + "\nLäs mer om hur kommunen styrs\n",
        encoding="utf-8",
    )
    return page


def test_a_2017_page_is_written_with_not_affected_and_validity(registry):
    import_followup_files([PAGE_2017])
    goal = Goal.objects.get(plan__year=2017, number="2")
    follow_up = GoalFollowUp.objects.get(goal=goal)
    assert follow_up.status == "green"
    assert follow_up.period.label == "Uppföljning maj–augusti"
    assert follow_up.period.month == 8
    assert follow_up.published_summary.startswith("Alla nämnder och 11 av 13 bolagsstyrelser")
    assert sorted(o.name for o in follow_up.not_affected_organisations.all()) == [
        "Aktiebolaget Uppsala Kommuns Industrihus",
        "Uppsala kommun Förvaltningsfastigheter AB",
    ]
    assert goal.assignments.count() == 7
    youth = goal.assignments.get(title="Skapa fler vägar till arbete för unga")
    assert youth.valid_until == 2017
    assert youth.reports.get().status == "delayed"
    unassessed = goal.assignments.get(title="Minska energianvändningen i kommunens lokaler")
    assert [g.name for g in unassessed.responsible_groups.all()] == ["Alla nämnder och bolag"]
    assert unassessed.reports.get().assessment == ""


def test_json_accounts_for_every_line_and_keeps_the_contract(registry, stray_page):
    out = io.StringIO()
    call_command(
        "import_followup", str(GOAL_4), str(stray_page), dry_run=True, json=True, stdout=out
    )
    data = json.loads(out.getvalue())
    assert set(data) >= {"goals", "warnings", "files"}  # the existing contract
    assert [g["number"] for g in data["goals"]] == ["4", "2"]
    seed, stray = data["pages"]
    assert seed["unplaced_lines"] == []
    assert sum(seed["line_roles"].values()) == seed["line_count"] == 112
    last = stray["line_count"] - 1  # the file ends with a newline
    assert stray["unplaced_lines"] == [{"line": last, "text": "Läs mer om hur kommunen styrs"}]
    assert any(w.startswith(f"rad {last}: raden kunde inte placeras") for w in data["warnings"])
    assert Goal.objects.count() == 0


def test_the_summary_names_unplaced_lines(registry, stray_page):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_followup", str(stray_page), dry_run=True, stdout=out, stderr=err)
    assert "1 rad(er) kunde inte placeras" in out.getvalue()
    assert re.search(r"Ej placerad: .*med-lös-rad\.txt, rad \d+: \"Läs mer", err.getvalue())


def test_strict_stops_before_writing_anything(registry, stray_page, tmp_path):
    report = tmp_path / "granskning.html"
    with pytest.raises(CommandError, match=r"--strict: .* ingenting har sparats"):
        call_command(
            "import_followup",
            str(GOAL_4),
            str(stray_page),
            strict=True,
            report=str(report),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert Goal.objects.count() == Assignment.objects.count() == Report.objects.count() == 0
    assert "Läs mer om hur kommunen styrs" in report.read_text(encoding="utf-8")
    with pytest.raises(FollowupStrictError):
        import_followup_files([stray_page], strict=True)
    # A page without warnings goes in with --strict too.
    import_followup_files([GOAL_4], strict=True)
    assert Goal.objects.count() == 1


def test_the_review_page_shows_each_line_and_what_it_became(registry, stray_page, tmp_path):
    report = tmp_path / "granskning.html"
    call_command(
        "import_followup",
        str(GOAL_4),
        str(stray_page),
        dry_run=True,
        report=str(report),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    html = report.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="sv">' in html
    # Self-contained: no scripts, no external or linked assets.
    assert "<script" not in html
    assert not re.search(r"<link\b|\bsrc=|url\(|@import|https?://", html)
    # The unplaced line is listed first and its row says so in words, not only in colour.
    assert "Rader som inte kunde placeras" in html
    assert re.search(
        r'<tr id="s2-rad\d+" class="r-unplaced">\s*<td class="no">\d+</td>\s*'
        r'<td class="role">Kunde inte placeras',
        html,
    )
    # The 2017 assignment line is split into its parts, each named.
    assert (
        '<span class="part p-title"><span class="tag">Titel</span>Skapa fler vägar till arbete '
        "för unga.</span>"
    ) in html
    assert '<span class="tag">Ansvariga</span>Ansvariga: arbetsmarknadsnämnden' in html
    assert "Gäller till och med 2017" in html
    # What was read, beside it, linked from the line.
    assert 'href="#s2-m0-u1"' in html and 'id="s2-m0-u1"' in html
    assert "Arbetsmarknadsnämnden, Utbildningsnämnden" in html
    # Every non-blank line of both pages has a row.
    assert html.count('<td class="no">') == sum(
        1 for page in (GOAL_4, stray_page) for line in page.read_text().split("\n") if line.strip()
    )
