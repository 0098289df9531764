"""The review page of an import: each page's original text beside what was read from it.

`insyn import-followup --report FILE.html` writes it. The person importing an archive of many
pages checks it quickly: every line of the original shows, in words and in colour, what it
became (goal heading, period, status, summary, an assignment's title, responsible bodies,
assessment …, or "ignored page text"); lines the parser could not place are listed first. The
file is self-contained (styles inside, no scripts, no external assets) so it can be opened from
disk or attached to a case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from insyn.importers.followup_parser import LINE_ROLES, FollowupParse, PageLine

# Names of the finer parts of a line (see PageLine.parts).
PART_LABELS: dict[str, str] = {
    "title": "Titel",
    "validity": "Giltighet",
    "affected": "Berörda",
    "description": "Beskrivning",
    "responsible": "Ansvariga",
    "assessment": "Bedömning",
    "status": "Status",
    "summary": "Sammanfattning",
}
STATUS_LABELS = {
    "completed": "Slutfört",
    "on_track": "Enligt plan",
    "delayed": "Försenat/inte påbörjat",
    "not_done": "Genomförs inte",
    None: "Ingen status",
}
GOAL_STATUS_LABELS = {"green": "Grön", "yellow": "Gul", "red": "Röd", None: "Ingen status"}


@dataclass
class _Row:
    number: int
    role: str
    role_label: str
    anchor: str
    assignment_anchor: str | None
    assignment_label: str | None
    parts: list[dict[str, str]] = field(default_factory=list)
    text: str = ""


def _rows(page_index: int, parse: FollowupParse) -> list[_Row]:
    rows = []
    for line in parse.lines:
        if line.role == "blank":
            continue
        rows.append(_row(page_index, parse, line))
    return rows


def _row(page_index: int, parse: FollowupParse, line: PageLine) -> _Row:
    anchor = f"s{page_index}-rad{line.number}"
    assignment_anchor = assignment_label = None
    if line.assignment is not None and line.goal is not None:
        goal = parse.goals[line.goal]
        if line.assignment < len(goal.assignments):
            assignment_anchor = f"s{page_index}-m{line.goal}-u{line.assignment}"
            assignment_label = f"Uppdrag {line.assignment + 1} i {goal.reference}"
    text = line.text.strip()
    parts: list[dict[str, str]] = []
    if line.parts:
        # The parts keep the line's own indentation; drop it only from the first.
        first = True
        for role, piece in line.parts:
            shown = piece.lstrip() if first else piece
            first = False
            if shown:
                parts.append({"role": role, "label": PART_LABELS.get(role, role), "text": shown})
    return _Row(
        number=line.number,
        role=line.role,
        role_label=LINE_ROLES.get(line.role, line.role),
        anchor=anchor,
        assignment_anchor=assignment_anchor,
        assignment_label=assignment_label,
        parts=parts,
        text=text,
    )


def _goal_view(page_index: int, goal_index: int, goal: Any) -> dict[str, Any]:
    return {
        "goal": goal,
        "anchor": f"s{page_index}-m{goal_index}",
        "status_label": GOAL_STATUS_LABELS.get(goal.status, goal.status),
        "assignments": [
            {
                "item": item,
                "anchor": f"s{page_index}-m{goal_index}-u{index}",
                "position": index + 1,
                "status_label": STATUS_LABELS.get(item.status, item.status),
            }
            for index, item in enumerate(goal.assignments)
        ],
    }


def render_report(parses: Sequence[FollowupParse], *, dry_run: bool = True) -> str:
    """The review page (HTML) for the parsed pages."""
    pages = []
    for index, parse in enumerate(parses, start=1):
        rows = _rows(index, parse)
        unplaced = [row for row in rows if row.role == "unplaced"]
        pages.append(
            {
                "index": index,
                "anchor": f"s{index}",
                "parse": parse,
                "rows": rows,
                "unplaced": unplaced,
                "goals": [_goal_view(index, i, goal) for i, goal in enumerate(parse.goals)],
                "assignment_count": sum(len(goal.assignments) for goal in parse.goals),
                "line_count": len(parse.lines),
            }
        )
    used_roles = {row.role for page in pages for row in page["rows"]}
    used_parts = {part["role"] for page in pages for row in page["rows"] for part in row.parts}
    return render_to_string(
        "importers/review_report.html",
        {
            "pages": pages,
            "dry_run": dry_run,
            "generated_at": timezone.localtime(),
            "roles": [(key, label) for key, label in LINE_ROLES.items() if key in used_roles],
            "part_labels": [(k, v) for k, v in PART_LABELS.items() if k in used_parts],
            "warning_count": sum(len(p.warnings) for p in parses),
            "unplaced_count": sum(len(page["unplaced"]) for page in pages),
        },
    )
