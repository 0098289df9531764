"""Parse population per district and age from a CSV in SCB's table layout (no Django here).

SCB's Statistikdatabasen exports a table as: optional title lines, then a header row whose first
columns name the variables ("region", "ålder") and whose remaining columns are years ("2023"),
then one row per region and age. We accept:

- separators comma, semicolon or tab; UTF-8 (with or without BOM) or Windows-1252 text;
- regions written "0380R012 Gottsunda", "Gottsunda" or "0380 Uppsala";
- ages written as one year ("17 år"), a range ("18-29 år", "18–29"), an open end ("80+ år",
  "100+ år", "80 år eller äldre", "80 och äldre"), or a total ("totalt", which is skipped); single
  years and ranges are summed into Insyn's age bands, and a range that spans two bands is an error;
- counts with spaces as thousands separators ("12 345"); ".." (SCB's missing value) counts as 0;
- lines starting with "#" are comments (our demo file uses them for its notice).

`parse_population(text)` returns PopulationTable or raises PopulationParseError with the line.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

MAX_AGE = 130
# Insyn's age bands (the codes of insyn.dialogue.models.AgeBand): inclusive bounds.
AGE_BAND_BOUNDS: list[tuple[int, int | None, str]] = [
    (0, 17, "0-17"),
    (18, 29, "18-29"),
    (30, 44, "30-44"),
    (45, 64, "45-64"),
    (65, 79, "65-79"),
    (80, None, "80+"),
]
_YEAR_RE = re.compile(r"^\s*(\d{4})\s*$")
_REGION_RE = re.compile(r"^\s*([0-9]{4}[A-Za-z0-9]*)\s+(.+?)\s*$")
_RANGE_RE = re.compile(r"^(\d{1,3})\s*[-–—]\s*(\d{1,3})(?:\s*år)?$")
_SINGLE_RE = re.compile(r"^(\d{1,3})(?:\s*år)?$")
_OPEN_RE = re.compile(
    r"^(\d{1,3})\s*(?:\+|år\s*\+|\+\s*år|år\s+(?:eller|och)\s+äldre|"
    r"(?:eller|och)\s+äldre|år\s+och\s+över)$"
)


class PopulationParseError(ValueError):
    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"Rad {line}: {message}" if line else message)


@dataclass
class PopulationTable:
    year: int
    # district name -> (code, {age band -> count}), in file order
    districts: dict[str, tuple[str, dict[str, int]]] = field(default_factory=dict)

    def total(self) -> int:
        return sum(sum(bands.values()) for _code, bands in self.districts.values())


def band_for(low: int, high: int | None) -> str:
    """The age band that holds ages low..high (None = open end); ValueError if none does."""
    for band_low, band_high, band in AGE_BAND_BOUNDS:
        if band_low <= low and (band_high is None or low <= band_high):
            if band_high is None or (high is not None and high <= band_high):
                return band
            break
    raise ValueError(f"åldern {low}–{'' if high is None else high} ryms inte i en åldersgrupp")


def parse_age(raw: str) -> str | None:
    """The band for an SCB age label, None for a total; ValueError when unreadable."""
    text = raw.strip().lower().replace("\u00a0", " ")
    text = re.sub(r"\s+", " ", text)
    if text in {"totalt", "total", "samtliga", "alla åldrar", "totalt ålder"}:
        return None
    if match := _RANGE_RE.match(text):
        low, high = int(match[1]), int(match[2])
        if low > high or high > MAX_AGE:
            raise ValueError(f"orimligt åldersintervall {raw!r}")
        return band_for(low, high)
    if match := _OPEN_RE.match(text):
        return band_for(int(match[1]), None)
    if match := _SINGLE_RE.match(text):
        age = int(match[1])
        if age > MAX_AGE:
            raise ValueError(f"orimlig ålder {raw!r}")
        return band_for(age, age)
    raise ValueError(f"okänd ålder {raw!r}")


def parse_count(raw: str) -> int:
    text = raw.strip().replace("\u00a0", "").replace(" ", "")
    if text in {"..", "-", ""}:
        return 0
    if not text.isdigit() or len(text) > 9:
        raise ValueError(f"antalet {raw!r} är inte ett heltal")
    return int(text)


def parse_region(raw: str) -> tuple[str, str]:
    """(code, name) from "0380R012 Gottsunda" or "Gottsunda"."""
    text = re.sub(r"\s+", " ", raw.replace("\u00a0", " ")).strip()
    if not text:
        raise ValueError("området saknar namn")
    if match := _REGION_RE.match(text):
        return match[1], match[2][:100]
    return "", text[:100]


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _sniff_delimiter(line: str) -> str:
    counts = {sep: line.count(sep) for sep in (";", "\t", ",")}
    return max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ","


def _is_header(line: str) -> bool:
    """A header row names region and age in cells of their own and has a year column."""
    try:
        cells = next(csv.reader([line], delimiter=_sniff_delimiter(line)), [])
    except csv.Error:
        return False
    cells = [cell.strip().lower() for cell in cells]
    return (
        any(c.startswith("region") for c in cells)
        and any(c.startswith(("ålder", "alder")) for c in cells)
        and any(_YEAR_RE.match(c) for c in cells)
    )


def parse_population(text: str, *, year: int | None = None) -> PopulationTable:
    """Parse the CSV; `year` picks a year column (default: the latest)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    header_index = None
    for index, line in enumerate(lines):
        if line.lstrip().startswith("#"):
            continue
        if _is_header(line):
            header_index = index
            break
    if header_index is None:
        raise PopulationParseError("hittar ingen rubrikrad med kolumnerna region och ålder")
    delimiter = _sniff_delimiter(lines[header_index])
    body = "\n".join(lines[header_index:])
    try:
        rows = list(csv.reader(io.StringIO(body), delimiter=delimiter))
    except csv.Error as exc:
        raise PopulationParseError(f"filen går inte att läsa som CSV ({exc})") from exc
    header = [cell.strip().lower() for cell in rows[0]]
    try:
        region_col = next(i for i, c in enumerate(header) if c.startswith("region"))
        age_col = next(i for i, c in enumerate(header) if c.startswith(("ålder", "alder")))
    except StopIteration as exc:
        raise PopulationParseError(
            "rubrikraden saknar region eller ålder", header_index + 1
        ) from exc
    year_cols = {int(m[1]): i for i, c in enumerate(header) if (m := _YEAR_RE.match(c))}
    if not year_cols:
        raise PopulationParseError("rubrikraden saknar en kolumn med ett årtal", header_index + 1)
    if year is None:
        year = max(year_cols)
    elif year not in year_cols:
        raise PopulationParseError(f"filen har ingen kolumn för {year}", header_index + 1)
    col = year_cols[year]
    table = PopulationTable(year=year)
    for offset, row in enumerate(rows[1:], start=1):
        line_no = header_index + offset + 1
        if not row or all(not cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
            continue
        if len(row) <= max(region_col, age_col, col):
            raise PopulationParseError("raden har för få kolumner", line_no)
        try:
            band = parse_age(row[age_col])
            if band is None:
                continue
            code, name = parse_region(row[region_col])
            count = parse_count(row[col])
        except ValueError as exc:
            raise PopulationParseError(str(exc), line_no) from exc
        existing_code, bands = table.districts.setdefault(name, (code, {}))
        if code and not existing_code:
            table.districts[name] = (code, bands)
        bands[band] = bands.get(band, 0) + count
    if not table.districts:
        raise PopulationParseError("filen innehåller inga befolkningsrader")
    return table
