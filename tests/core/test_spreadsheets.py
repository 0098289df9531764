"""The one spreadsheet writer (insyn.core.spreadsheets): no text ever reaches a spreadsheet as a
formula, and every CSV/XLSX producer in insyn/ goes through it (issue 12 finding 5)."""

from __future__ import annotations

import csv
import io
import pathlib
import re

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from insyn.core import spreadsheets

TRIGGERS = ["=", "+", "-", "@", "\t", "\r"]


@given(st.sampled_from(TRIGGERS), st.text(max_size=20), st.sampled_from(["", " ", "  \t", "\n"]))
def test_any_text_that_starts_a_formula_is_neutralised_in_csv(trigger, rest, blank):
    value = blank + trigger + rest
    if re.fullmatch(r"[+-]?[0-9]+(?:[.,][0-9]+)?", value, re.ASCII):
        return  # a plain number is data
    text = spreadsheets.csv_text(None, [[value]], bom=False)
    (cell,) = next(csv.reader(io.StringIO(text, newline="")))
    assert cell == "'" + value


@given(st.text(max_size=30))
def test_csv_cells_never_start_a_formula_after_blanks(value):
    text = spreadsheets.csv_text(None, [[value]], bom=False)
    (cell,) = next(csv.reader(io.StringIO(text, newline="")))
    if re.fullmatch(r"[+-]?[0-9]+(?:[.,][0-9]+)?", value, re.ASCII):
        assert cell == value
    else:
        assert not cell.lstrip(" \t\r\n\u00a0").startswith(tuple(TRIGGERS))
        assert cell in (value, "'" + value)


def test_numbers_and_plain_text_are_left_alone():
    row = spreadsheets.safe_row([-12, 3.5, "-12", "3,5", "Park", "", None])
    assert row == [-12, 3.5, "-12", "3,5", "Park", "", None]


def test_lazy_translations_are_checked_too():
    from django.utils.functional import lazy

    assert spreadsheets.neutralise(lazy(lambda: "=1+1", str)()) == "'=1+1"


def test_xlsx_keeps_the_text_but_never_as_a_formula():
    data = spreadsheets.xlsx_bytes([("Blad", ["Rubrik"], [["=1+1"], ["-A1"], ["vanlig"]])])
    sheet = load_workbook(io.BytesIO(data)).active
    values = [(c.value, c.data_type, bool(c.quotePrefix)) for (c,) in sheet.iter_rows(min_row=2)]
    assert values == [("=1+1", "s", True), ("-A1", "s", True), ("vanlig", "s", False)]


def test_hand_built_workbooks_are_protected_on_save():
    workbook = Workbook()
    spreadsheets.append_row(workbook.active, ["=cmd"])
    workbook.active["B1"] = "@SUM(A1)"
    sheet = load_workbook(io.BytesIO(spreadsheets.save_workbook(workbook))).active
    assert sheet["A1"].data_type == "s" and sheet["A1"].value == "=cmd"
    assert sheet["B1"].data_type == "s" and sheet["B1"].quotePrefix


def test_every_producer_uses_the_one_writer():
    """A new csv.writer or openpyxl Workbook outside insyn/core/spreadsheets.py must go through
    it: the file must call spreadsheets.save_workbook / the CSV helpers instead."""
    root = pathlib.Path(spreadsheets.__file__).resolve().parents[1]
    not_spreadsheets = {
        # Pabulib (.pb) is a research data format read by programs, not a spreadsheet: its
        # values must stay exactly as they are (a project name may begin with "-").
        pathlib.Path("dialogue/pabulib.py"),
    }
    offenders = []
    for path in root.rglob("*.py"):
        if path.name == "spreadsheets.py" or "migrations" in path.parts:
            continue
        if path.relative_to(root) in not_spreadsheets:
            continue
        source = path.read_text(encoding="utf-8")
        if re.search(r"csv\.(writer|DictWriter)\(", source):
            offenders.append(f"{path.relative_to(root)}: csv.writer")
        if "Workbook(" in source and "spreadsheets.save_workbook" not in source:
            offenders.append(f"{path.relative_to(root)}: openpyxl Workbook")
    assert offenders == []
