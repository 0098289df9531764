"""The one writer for every CSV and XLSX file Insyn produces (issue 12 finding 5).

Residents and staff type free text that ends up in exports, open data and statistics. A
spreadsheet program runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some
programs, tab or carriage return) as a formula — "CSV injection" (OWASP). Every producer goes
through this module so that the rule lives in one place:

* CSV: a text cell whose first character, or first character after leading whitespace, is a
  formula trigger gets a leading apostrophe (OWASP's recommendation). Numbers (``int``,
  ``float``, ``Decimal``) and text that is only a number (``-12``, ``3,5``) are left alone:
  they cannot be formulas, and open data should stay machine-readable.
* XLSX: the text is kept exactly as typed (so an uploaded template reads back unchanged), but
  the cell is forced to be a text cell with Excel's own "quote prefix" flag — openpyxl would
  otherwise store a string that starts with ``=`` as a formula.

Use :func:`csv_bytes` / :func:`csv_response` for CSV and :func:`append_row` (or
:func:`xlsx_bytes`) for XLSX. ``tests/core/test_spreadsheets.py`` checks every producer.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# ASCII digits only: a cell that is just a (signed, decimal) number is data, not a formula.
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?\Z", re.ASCII)
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def plain(value: Any) -> Any:
    """A cell value: numbers, dates and None as they are, anything else (lazy translations,
    model instances, enum labels) as its text — so that the formula check sees every text."""
    if value is None or isinstance(value, (bool, int, float, Decimal, dt.date, dt.time)):
        return value
    if isinstance(value, dt.timedelta):
        return value
    return str(value)


def is_dangerous(value: Any) -> bool:
    """True for text a spreadsheet could run as a formula."""
    if not isinstance(value, str) or not value:
        return False
    if _PLAIN_NUMBER.match(value):
        return False
    if value.startswith(FORMULA_TRIGGERS):
        return True
    # Blanks before a trigger do not disarm it; tab, CR and LF are triggers themselves.
    stripped = value.lstrip(" \u00a0")
    return stripped != value and stripped.startswith(FORMULA_TRIGGERS)


def neutralise(value: Any) -> Any:
    """The CSV form of a cell: dangerous text gets a leading apostrophe, the rest unchanged."""
    value = plain(value)
    return f"'{value}" if is_dangerous(value) else value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [neutralise(cell) for cell in row]


def csv_text(
    header: Sequence[Any] | None,
    rows: Iterable[Iterable[Any]],
    *,
    delimiter: str = ",",
    bom: bool = True,
    lineterminator: str = "\r\n",
) -> str:
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")  # so that Excel reads the file as UTF-8 (å, ä, ö)
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=lineterminator)
    if header is not None:
        writer.writerow(safe_row(header))
    for row in rows:
        writer.writerow(safe_row(row))
    return buffer.getvalue()


def csv_bytes(
    header: Sequence[Any] | None,
    rows: Iterable[Iterable[Any]],
    *,
    delimiter: str = ",",
    bom: bool = True,
    lineterminator: str = "\r\n",
) -> bytes:
    return csv_text(
        header, rows, delimiter=delimiter, bom=bom, lineterminator=lineterminator
    ).encode("utf-8")


def attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(
    header: Sequence[Any] | None,
    rows: Iterable[Iterable[Any]],
    filename: str,
    *,
    delimiter: str = ",",
) -> HttpResponse:
    response = HttpResponse(
        csv_bytes(header, rows, delimiter=delimiter), content_type=CSV_CONTENT_TYPE
    )
    return attachment(response, filename)


# --- XLSX ----------------------------------------------------------------------------------------


def protect_cell(cell: Any) -> Any:
    """Force a cell holding dangerous text to be a text cell (with Excel's quote prefix)."""
    if is_dangerous(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def append_row(sheet: Any, row: Iterable[Any]) -> None:
    """``sheet.append(row)`` that never stores text as a formula (normal or write-only sheets)."""
    values = [plain(value) for value in row]
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    if isinstance(sheet, WriteOnlyWorksheet):
        # a write-only sheet writes cells as they come: protect each one before

        cells = []
        for value in values:
            if is_dangerous(value):
                cells.append(protect_cell(WriteOnlyCell(sheet, value=value)))
            else:
                cells.append(value)
        sheet.append(cells)
        return
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        protect_cell(cell)


def protect_sheet(sheet: Any) -> None:
    """Protect every cell of a normal worksheet (for cells written by assignment)."""
    for row in sheet.iter_rows():
        for cell in row:
            protect_cell(cell)


def xlsx_bytes(
    sheets: Sequence[tuple[str, Sequence[Any] | None, Iterable[Iterable[Any]]]],
) -> bytes:
    """A workbook of (title, header, rows) sheets, every text cell protected."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title)
        if header is not None:
            append_row(sheet, header)
        for row in rows:
            append_row(sheet, row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def save_workbook(workbook: Any) -> bytes:
    """Bytes of a workbook built by hand, with every cell of every normal sheet protected."""
    for sheet in workbook.worksheets:
        if hasattr(sheet, "iter_rows"):
            protect_sheet(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    return attachment(HttpResponse(data, content_type=XLSX_CONTENT_TYPE), filename)
