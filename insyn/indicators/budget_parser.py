"""Pure reader for the budget file staff upload: net cost by board (and activity), CSV or XLSX.

The file has a header row and one row per board, or per activity of a board:

    Nämnd;Verksamhet;Nettokostnad (mnkr)
    Utbildningsnämnden;Förskola;1 512,4
    Utbildningsnämnden;Grundskola;2 790,0
    Kommunstyrelsen;;512,3

* ``Nämnd`` (also ``Organisation``, ``Nämnd/bolag``): the board's name, abbreviation or alias.
* ``Verksamhet`` (optional column): blank means the row is the board's total.
* ``Nettokostnad (mnkr)`` (also ``Nettokostnad``): millions of kronor; Swedish number style
  (space or no-break space between thousands, decimal comma) or plain numbers; a leading minus.

Every problem is reported per row, in Swedish; the caller saves nothing when there is any error.
Organisation names are resolved by the service (it needs the registry).
"""

from __future__ import annotations

import csv
import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000

ORGANISATION_HEADERS = {"nämnd", "nämnd bolag", "organisation", "nämnd styrelse", "styrelse"}
ACTIVITY_HEADERS = {"verksamhet", "verksamhetsområde"}
NET_COST_HEADERS = {"nettokostnad", "nettokostnad mnkr", "nettokostnader mnkr"}
EXPECTED = "Nämnd, Verksamhet (valfri), Nettokostnad (mnkr)"


@dataclass(frozen=True)
class BudgetRow:
    row: int
    organisation: str
    activity: str
    net_cost: Decimal


@dataclass
class BudgetParse:
    rows: list[BudgetRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def normalise_header(value: Any) -> str:
    text = "" if value is None else str(value)
    return " ".join(re.sub(r"[^\wåäöÅÄÖéÉ]+", " ", text.lower()).split())


def parse_number(value: Any) -> Decimal | None:
    """A number from a cell: int/float from Excel, or Swedish-formatted text. None if it is not."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if value == value and abs(value) != float("inf") else None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if not isinstance(value, str):
        return None
    text = value.strip().replace("\u2212", "-").replace("–", "-")
    text = re.sub(r"[\s\u00a0\u202f\u2009]", "", text)
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern already guarantees a number
        return None


def _is_xlsx(content: bytes, file_name: str) -> bool:
    return file_name.lower().endswith((".xlsx", ".xlsm")) or content[:4] == b"PK\x03\x04"


def _xlsx_rows(content: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        rows: list[list[Any]] = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        workbook.close()


def _csv_rows(content: bytes) -> list[list[Any]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((";", "\t", ","), key=first_line.count)
    return [
        row
        for _position, row in zip(
            range(MAX_ROWS + 2),
            csv.reader(io.StringIO(text, newline=""), delimiter=delimiter),
            strict=False,
        )
    ]


def parse_budget(content: bytes, *, file_name: str) -> BudgetParse:
    result = BudgetParse()
    if not content:
        result.errors.append(_("Filen är tom."))
        return result
    if len(content) > MAX_BYTES:
        result.errors.append(_("Filen är större än 5 MB."))
        return result
    try:
        raw_rows = _xlsx_rows(content) if _is_xlsx(content, file_name) else _csv_rows(content)
    except (
        zipfile.BadZipFile,
        KeyError,
        OSError,
        ValueError,
        TypeError,
        csv.Error,
        SyntaxError,
        EOFError,
        IndexError,
        AttributeError,
        LookupError,
        RuntimeError,
        zlib.error,
        struct.error,
    ):
        # A damaged .xlsx fails inside zipfile, zlib and openpyxl in many ways (SyntaxError is
        # xml.etree's ParseError); each of them means the file cannot be read.
        result.errors.append(
            _(
                "Filen kunde inte läsas. Ladda upp en Excel-fil (.xlsx) eller en "
                "CSV-fil med semikolon eller komma mellan kolumnerna."
            )
        )
        return result

    numbered = [
        (number, row)
        for number, row in enumerate(raw_rows, start=1)
        if any(cell is not None and str(cell).strip() for cell in row)
    ]
    if not numbered:
        result.errors.append(_("Filen innehåller inga rader."))
        return result
    header_number, header = numbered[0]
    columns: dict[str, int] = {}
    for position, cell in enumerate(header):
        name = normalise_header(cell)
        if not name:
            continue
        if name in ORGANISATION_HEADERS:
            key = "organisation"
        elif name in ACTIVITY_HEADERS:
            key = "activity"
        elif name in NET_COST_HEADERS:
            key = "net_cost"
        else:
            result.errors.append(
                _("Rad %(row)s: okänd kolumn ”%(name)s”. Filen ska ha kolumnerna %(expected)s.")
                % {"row": header_number, "name": str(cell).strip(), "expected": EXPECTED}
            )
            continue
        if key in columns:
            result.errors.append(
                _("Rad %(row)s: kolumnen ”%(name)s” finns två gånger.")
                % {"row": header_number, "name": str(cell).strip()}
            )
        columns[key] = position
    for key, label in (("organisation", "Nämnd"), ("net_cost", "Nettokostnad (mnkr)")):
        if key not in columns:
            result.errors.append(
                _("Rad %(row)s: kolumnen ”%(name)s” saknas. Filen ska ha kolumnerna %(expected)s.")
                % {"row": header_number, "name": label, "expected": EXPECTED}
            )
    if result.errors:
        return result
    if len(numbered) - 1 > MAX_ROWS:
        result.errors.append(_("Filen har fler än %(n)s rader.") % {"n": MAX_ROWS})
        return result

    def cell(row: list[Any], key: str) -> Any:
        position = columns.get(key)
        if position is None or position >= len(row):
            return None
        return row[position]

    seen: dict[tuple[str, str], int] = {}
    for number, row in numbered[1:]:
        organisation = str(cell(row, "organisation") or "").strip()
        activity = str(cell(row, "activity") or "").strip()
        raw_cost = cell(row, "net_cost")
        if not organisation:
            result.errors.append(_("Rad %(row)s: nämnd saknas.") % {"row": number})
            continue
        if len(activity) > 200:
            result.errors.append(
                _("Rad %(row)s: verksamhetens namn är längre än 200 tecken.") % {"row": number}
            )
            continue
        if raw_cost is None or (isinstance(raw_cost, str) and not raw_cost.strip()):
            result.errors.append(
                _("Rad %(row)s: nettokostnad saknas för ”%(name)s”.")
                % {"row": number, "name": organisation}
            )
            continue
        net_cost = parse_number(raw_cost)
        if net_cost is None:
            result.errors.append(
                _("Rad %(row)s: ”%(value)s” i kolumnen Nettokostnad är inte ett tal.")
                % {"row": number, "value": str(raw_cost).strip()}
            )
            continue
        if abs(net_cost) >= Decimal("100000000000"):
            result.errors.append(
                _("Rad %(row)s: nettokostnaden %(value)s mnkr är orimligt stor.")
                % {"row": number, "value": net_cost}
            )
            continue
        key = (organisation.casefold(), activity.casefold())
        if key in seen:
            what = f"{organisation} – {activity}" if activity else organisation
            result.errors.append(
                _("Rad %(row)s: ”%(name)s” finns redan på rad %(first)s.")
                % {"row": number, "name": what, "first": seen[key]}
            )
            continue
        seen[key] = number
        result.rows.append(
            BudgetRow(
                row=number,
                organisation=organisation,
                activity=activity,
                net_cost=net_cost.quantize(Decimal("0.001")),
            )
        )
    if not result.rows and not result.errors:
        result.errors.append(_("Filen innehåller inga budgetrader."))
    return result
