"""Parse Uppsala's published follow-up pages ("uppföljning av mål och uppdrag") saved as text.

The parser is pure: text in, a `FollowupParse` out; no Django, no database. Names of
organisations are resolved through a `Registry` (see `registry.py`).

A page holds one goal (occasionally several): a heading ("Fokusmål 4. Uppsala ska ..."), an
optional short title, a description in titled sections, the goal's status and follow-up period,
the goal's assessment with a summary sentence ("Ett av kommunfullmäktiges tolv uppdrag ..."),
a colour legend and a numbered list of assignments. Each assignment is a description paragraph
("Uppdrag 20. Title. Berörda: KS, AMN. Beskrivning: ... Ansvariga: Alla nämnder och bolag.")
followed by a status paragraph ("Status för uppdraget är Grön. Enligt plan. Ansvariga: <names>
Bedömning: Rapportering augusti 2023: text").

Decisions documented here because callers depend on them:

* Period month: "per <month>" gives that month; full-year follow-up ("Årsbokslut", "Uppföljning
  helår", "Årsredovisning") gives month None rather than 12, so a full-year report can never be
  mistaken for a December interim report.
* Affected organisations: when an assignment has no "Berörda", `affected` is empty; the page
  does not say, and the caller can fall back to `responsible`.
* Responsible organisations: the status paragraph's "Ansvariga:" when non-empty, else the
  description's trailing "Ansvariga: X.", else the affected organisations (recorded in
  `responsible_source`).
* Remaining assignments ("Kvarvarande från 2022 uppdrag 19") get number None: their number
  belongs to the earlier plan (`origin_number`) and would collide with this year's numbers.
* Items numbered only by the list take the list number as their assignment number.
* Titles lose their trailing full stop (and oddities such as ". .").
* The period's year is the year in the period line if any, else the most common year of the
  assessment labels ("Rapportering augusti 2023", "(per augusti 2022)", "Resultat: maj–augusti
  2017"), else the first "<month> <year>" in the goal's own text, else None.
* A description paragraph before the first section heading becomes a section with heading None.
* Unknown names in an organisation list that end like a board or company ("-nämnden",
  "-styrelsen", "AB") become new organisations (`unknown_organisations`, with a warning); other
  unknown text is left out of the list and reported in `unrecognised_names` (with a warning).
* Decisions: `body` is "KF"/"KS" only when the page says so; a bare "§379" leaves it None.

`parse_followup` raises `FollowupParseError` (with `.source` and `.line`) only when no goal
heading is found; anything else yields a result, with warnings for what looked wrong.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from insyn.importers.registry import GroupEntry, OrgEntry, Registry, clean_name, guess_kind

__all__ = [
    "Assignment",
    "Decision",
    "FollowupParse",
    "FollowupParseError",
    "Goal",
    "Period",
    "Section",
    "Summary",
    "parse_followup",
]

GOAL_STATUSES = {"grön": "green", "gul": "yellow", "röd": "red"}
ASSIGNMENT_STATUSES = ("completed", "on_track", "delayed", "not_done")

MONTHS: dict[str, int] = {
    "januari": 1,
    "februari": 2,
    "mars": 3,
    "april": 4,
    "maj": 5,
    "juni": 6,
    "juli": 7,
    "augusti": 8,
    "september": 9,
    "oktober": 10,
    "november": 11,
    "december": 12,
}
NUMBER_WORDS: dict[str, int] = {
    "noll": 0,
    "inget": 0,
    "inga": 0,
    "ingen": 0,
    "ett": 1,
    "en": 1,
    "två": 2,
    "tre": 3,
    "fyra": 4,
    "fem": 5,
    "sex": 6,
    "sju": 7,
    "åtta": 8,
    "nio": 9,
    "tio": 10,
    "elva": 11,
    "tolv": 12,
}
_MONTH_ALT = "|".join(MONTHS)
_NUMBER_ALT = r"\d{1,3}|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))

# -- line-level patterns ------------------------------------------------------------------------

_GOAL_HEADING_RE = re.compile(
    r"^(?P<kind>Fokusmål|Inriktningsmål|Fokusområde|Mål)\s+(?P<number>\d{1,2})\s*[.:\u2013-]\s*"
    r"(?P<title>\S.{0,300})$",
    re.IGNORECASE,
)
_BARE_GOAL_HEADING_RE = re.compile(r"^(?P<number>\d{1,2})\.\s+(?P<title>[A-ZÅÄÖ]\S*(?:\s+\S+)+)$")
_MARKER_RE = re.compile(r"^(?P<number>\d{1,3})[.)](?:\s+(?P<rest>.*))?$")
_LEGEND_RE = re.compile(
    r"^(?:\d{1,2}[.)]\s*)?(?:Grön|Gul|Röd)\b(?:\s+slutfört)?\s+"
    r"(?:Uppdraget|Målet)\s+(?:är|pågår|genomförs|har)\b.{0,80}$",
    re.IGNORECASE,
)

# -- paragraph-level patterns -------------------------------------------------------------------

_GOAL_STATUS_RE = re.compile(
    r"^Status\s+för\s+(?:inriktningsmålet|fokusmålet|målet)\s+är\s*:?\s*"
    r"(?P<colour>Grön|Gul|Röd)?\s*[.,:]?\s*(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_ITEM_STATUS_RE = re.compile(
    r"^Status\s+för\s+(?:uppdraget|nämndmålet|bolagsmålet)\s+är\b\s*:?\s*(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_PERIOD_RE = re.compile(
    r"^(?:(?:Delårsuppföljning|Delårsrapport|Delårsbokslut|Tertialrapport|Tertialuppföljning|"
    r"Årsbokslut|Årsredovisning|Helårsuppföljning|Verksamhetsberättelse)\b[^.]{0,60}"
    r"|Bokslut\s+(?:19|20)\d{2}"
    rf"|Uppföljning\s+(?:per\s+(?:{_MONTH_ALT})|helår|av\s+helåret|(?:19|20)\d{{2}}|tertial)"
    r"[^.]{0,40})\.?$",
    re.IGNORECASE,
)
_PLAIN_STATUS_RE = re.compile(
    r"^(?:Inte\s+alls\s+enligt\s+plan|Inte\s+helt\s+enligt\s+plan|Enligt\s+plan)\.?$",
    re.IGNORECASE,
)
_SECTION_KIND_RE = re.compile(
    r"^(?P<kind>Tillkommande|Kvarvarande)\s+uppdrag\s*:?$|^(?P<council>Uppdrag)\s*:?$",
    re.IGNORECASE,
)

_COUNCIL_PREFIX_RE = re.compile(r"^Uppdrag\s*(?:nr\.?\s*)?(?P<number>\d{1,3}[a-z]?)\s*[.:]\s*")
_COUNCIL_PLAIN_PREFIX_RE = re.compile(r"^Uppdrag\s*:\s*")
_REMAINING_PREFIX_RE = re.compile(
    r"^Kvarvarande(?:\s+uppdrag)?"
    r"(?:\s+\(?\s*från\s+(?P<year>(?:19|20)\d{2})(?:\s*\))?)?"
    r"(?:\s+uppdrag)?"
    r"(?:\s+(?:nr\.?\s*)?(?P<number>\d{1,3}[a-z]?)(?!\d))?"
    r"(?:\s+från\s+(?P<year2>(?:19|20)\d{2}))?"
    r"\s*[.:]?\s*",
    re.IGNORECASE,
)
_ADDITIONAL_PREFIX_RE = re.compile(r"^Tillkommande\s+uppdrag\b\s*[.:]?\s*", re.IGNORECASE)
_BOARD_GOAL_PREFIX_RE = re.compile(
    r"^Gemensamt\s+[^.:]{0,60}?mål\s+(?P<code>[A-ZÅÄÖ]{1,3}\s?\d{1,2}(?:\.\d{1,2})*)\s*[.:]?\s*"
)

# Labels inside an assignment's paragraphs.
_LABEL_RE = re.compile(
    r"(?<![\w-])(?P<label>Berörda|Beskrivning\s+av\s+uppdraget|Beskrivning|Ansvariga|Bedömning)"
    r"\s*(?P<note>\([^()]{0,60}\))?\s*:",
    re.IGNORECASE,
)
_ASSESSMENT_LABEL_RES = (
    re.compile(
        rf"^(?P<label>Rapportering\s+(?:(?:{_MONTH_ALT})\s*[\u2013-]\s*)?(?:{_MONTH_ALT}|helår)"
        r"\s+(?:19|20)\d{2})\s*:*\s*",
        re.IGNORECASE,
    ),
    re.compile(
        rf"^\(\s*(?P<label>per\s+(?:{_MONTH_ALT})\s+(?:19|20)\d{{2}})\s*\)\s*:*\s*",
        re.IGNORECASE,
    ),
    re.compile(
        rf"^(?P<label>Resultat\s*:?\s*(?:(?:{_MONTH_ALT})\s*[\u2013-]\s*)?(?:{_MONTH_ALT})"
        r"\s+(?:19|20)\d{2})\s*:*\s*",
        re.IGNORECASE,
    ),
)
_RESULT_LINE_RE = re.compile(r"^Resultat\s*:", re.IGNORECASE)
_DATED_RE = re.compile(rf"\b(?P<month>{_MONTH_ALT})\s+(?P<year>(?:19|20)\d{{2}})\b", re.IGNORECASE)
_YEAR_RE = re.compile(r"\b((?:19|20)\d{2})\b")

_CASE_NUMBER_RE = re.compile(r"\b(?P<case>[A-ZÅÄÖ]{2,5}-(?:19|20)\d{2}-\d{1,6})")
_ISO_DATE_RE = re.compile(r"\b((?:19|20)\d{2})-(\d{2})-(\d{2})\b")
_SWEDISH_DATE_RE = re.compile(
    rf"\b(\d{{1,2}})\s+({_MONTH_ALT})\s+((?:19|20)\d{{2}})\b", re.IGNORECASE
)
_PARAGRAPH_RE = re.compile(r"§\s*(\d{1,4})")
_BODY_RE = re.compile(r"\b(KF|KS|KSAU|kommunfullmäktige|kommunstyrelsen)\b", re.IGNORECASE)
_PARTIAL_GROUP_RE = re.compile(
    rf"^(?:alla|samtliga)\s+nämnder\s+och\s+(?P<n>{_NUMBER_ALT})\s+av\s+(?P<m>{_NUMBER_ALT})\s+"
    r"bolag\w*\.?$",
    re.IGNORECASE,
)
_TRAILING_PARENS_RE = re.compile(r"\s*\((?P<inner>[^()]{1,300})\)\s*[.:]?\s*$")

_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9])")
_CLAUSE_SPLIT_RE = re.compile(r"\s*[,;]\s*|\s+(?:och|samt|medan)\s+", re.IGNORECASE)
_SUMMARY_CLAUSE_RE = re.compile(
    rf"^(?:(?P<all>samtliga|alla|övriga|resterande)\s+)?(?P<n>{_NUMBER_ALT})\s+"
    rf"(?:av\s+(?:kommunfullmäktiges\s+|de\s+|totalt\s+)?(?P<total>{_NUMBER_ALT})\s+)?"
    r"(?:av\s+)?(?:kommunfullmäktiges\s+)?uppdrag(?:en)?\b(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_NOT_DONE_RE = re.compile(
    r"genomförs\s+inte|inte\s+genomförs|utgått|avstannat|inte\s+alls\s+enligt\s+plan|\bröd",
    re.IGNORECASE,
)
_DELAYED_RE = re.compile(
    r"försen|inte\s+påbörja|inte\s+helt\s+enligt\s+plan|\bgul\b", re.IGNORECASE
)
_COMPLETED_RE = re.compile(r"\bklar|färdig|slutför|avslutad|genomförd|genomfört", re.IGNORECASE)
_ON_TRACK_RE = re.compile(r"pågår|enligt\s+plan|väntar|\bgrön", re.IGNORECASE)

_TREND_RES = (
    (re.compile(r"oförändrad|samma\s+som", re.IGNORECASE), "unchanged"),
    (re.compile(r"förbättrad|förbättrats|bättre", re.IGNORECASE), "improved"),
    (re.compile(r"försämrad|försämrats|sämre", re.IGNORECASE), "worsened"),
)

_COMPLETED_PHRASE_RE = re.compile(
    r"\b(?:uppdraget|målet)\s+är\s+(?:slutfört|färdigt|klart|genomfört|avslutat)|\bslutfört\b",
    re.IGNORECASE,
)


class FollowupParseError(ValueError):
    """The text cannot be read as a follow-up page."""

    def __init__(self, message: str, line: int, source: str = "<text>") -> None:
        self.message = message
        self.line = line
        self.source = source
        super().__init__(f"{source}, rad {line}: {message}")


# -- result types -------------------------------------------------------------------------------


@dataclass
class Period:
    label: str | None = None
    year: int | None = None
    month: int | None = None  # None for full-year follow-up (see module docstring)

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "year": self.year, "month": self.month}


@dataclass
class Section:
    heading: str | None
    body: str

    def to_json(self) -> dict[str, Any]:
        return {"heading": self.heading, "body": self.body}


@dataclass
class Summary:
    assignments: int | None = None
    completed: int | None = None
    on_track: int | None = None
    delayed: int | None = None
    not_done: int | None = None
    unknown: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "assignments": self.assignments,
            "completed": self.completed,
            "on_track": self.on_track,
            "delayed": self.delayed,
            "not_done": self.not_done,
            "unknown": self.unknown,
        }


@dataclass
class Decision:
    case_number: str | None = None
    paragraph: str | None = None
    body: str | None = None
    date: str | None = None  # ISO 8601

    def to_json(self) -> dict[str, Any]:
        return {
            "case_number": self.case_number,
            "paragraph": self.paragraph,
            "body": self.body,
            "date": self.date,
        }


@dataclass
class Assignment:
    kind: str  # "council" | "remaining" | "additional" | "board_goal"
    title: str
    line: int
    number: str | None = None
    status: str | None = None
    status_text: str | None = None
    responsible: list[str] = field(default_factory=list)
    responsible_source: str | None = None  # "status" | "description" | "affected"
    affected: list[str] = field(default_factory=list)
    description: str | None = None
    assessment: str | None = None
    assessment_label: str | None = None
    origin_year: int | None = None
    origin_number: str | None = None
    decision: Decision | None = None
    board_goal_code: str | None = None
    list_position: int | None = None
    # New organisations created from unknown names: {"name", "kind": "board" | "company"}.
    unknown_organisations: list[dict[str, str]] = field(default_factory=list)
    # Unknown text in an organisation list that does not look like a board or company.
    unrecognised_names: list[str] = field(default_factory=list)

    @property
    def reference(self) -> str:
        """How warnings name this item, in Swedish."""
        if self.kind == "council" and self.number:
            return f"Uppdrag {self.number}"
        if self.kind == "remaining":
            origin = f" från {self.origin_year}" if self.origin_year else ""
            number = f" ({self.origin_number})" if self.origin_number else ""
            return f"Kvarvarande uppdrag{origin}{number} (rad {self.line})"
        if self.kind == "board_goal":
            return f"Nämnd-/bolagsmål {self.board_goal_code or ''} (rad {self.line})".replace(
                "  ", " "
            )
        if self.kind == "additional":
            return f"Tillkommande uppdrag (rad {self.line})"
        return f"Uppdrag (rad {self.line})"

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "kind": self.kind,
            "title": self.title,
            "status": self.status,
            "responsible": list(self.responsible),
            "affected": list(self.affected),
            "assessment": self.assessment,
            "assessment_label": self.assessment_label,
            "status_text": self.status_text,
            "responsible_source": self.responsible_source,
            "description": self.description,
            "origin_year": self.origin_year,
            "origin_number": self.origin_number,
            "decision": self.decision.to_json() if self.decision else None,
            "board_goal_code": self.board_goal_code,
            "list_position": self.list_position,
            "line": self.line,
            "unknown_organisations": [dict(u) for u in self.unknown_organisations],
            "unrecognised_names": list(self.unrecognised_names),
        }


@dataclass
class Goal:
    number: str
    title: str
    line: int
    kind_label: str | None = None
    short_title: str | None = None
    status: str | None = None
    stated_trend: str | None = None
    period: Period = field(default_factory=Period)
    sections: list[Section] = field(default_factory=list)
    assessment: str | None = None
    published_summary: str | None = None
    published_counts: Summary | None = None
    assignments: list[Assignment] = field(default_factory=list)

    @property
    def reference(self) -> str:
        return f"{self.kind_label or 'Mål'} {self.number}"

    def summary(self) -> Summary:
        counted = [a for a in self.assignments if a.kind != "board_goal"]
        counts = {status: 0 for status in ASSIGNMENT_STATUSES}
        unknown = 0
        for assignment in counted:
            if assignment.status in counts:
                counts[assignment.status] += 1
            else:
                unknown += 1
        return Summary(assignments=len(counted), unknown=unknown, **counts)

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "title": self.title,
            "status": self.status,
            "period": self.period.to_json(),
            "summary": self.summary().to_json(),
            "assignments": [a.to_json() for a in self.assignments],
            "kind_label": self.kind_label,
            "short_title": self.short_title,
            "sections": [s.to_json() for s in self.sections],
            "assessment": self.assessment,
            "published_summary": self.published_summary,
            "published_counts": self.published_counts.to_json() if self.published_counts else None,
            "stated_trend": self.stated_trend,
            "line": self.line,
        }


@dataclass
class FollowupParse:
    source: str
    goals: list[Goal] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # New organisations to create, over all goals: {"name", "kind": "board" | "company"}.
    unknown_organisations: list[dict[str, str]] = field(default_factory=list)
    unrecognised_names: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "goals": [g.to_json() for g in self.goals],
            "warnings": list(self.warnings),
            "unknown_organisations": [dict(u) for u in self.unknown_organisations],
            "unrecognised_names": list(self.unrecognised_names),
        }


# -- tokenising ---------------------------------------------------------------------------------


@dataclass
class _Block:
    """A paragraph (lines joined by spaces), a list marker ("1.") or a legend line.

    A marker followed by text on the same line ("1. Title") becomes a marker block with
    `has_text` set, followed by a paragraph block holding the text.
    """

    kind: str  # "para" | "marker" | "legend"
    text: str
    line: int
    number: int | None = None
    has_text: bool = False


def _clean_line(line: str) -> str:
    return unicodedata.normalize("NFC", line).replace("\u00a0", " ").replace("\u200b", "").strip()


def _blocks(lines: list[tuple[int, str]]) -> list[_Block]:
    blocks: list[_Block] = []
    current: list[str] = []
    start = 0

    def flush() -> None:
        if current:
            blocks.append(_Block("para", " ".join(current), start))
            current.clear()

    for number, raw in lines:
        line = _clean_line(raw)
        if not line:
            flush()
            continue
        if _LEGEND_RE.match(line):
            flush()
            blocks.append(_Block("legend", line, number))
            continue
        marker = _MARKER_RE.match(line)
        if marker:
            flush()
            rest = (marker.group("rest") or "").strip()
            value = int(marker.group("number"))
            blocks.append(_Block("marker", f"{value}.", number, value, has_text=bool(rest)))
            if rest:
                current.append(rest)
                start = number
            continue
        if not current:
            start = number
        current.append(line)
    flush()
    return blocks


# -- small helpers ------------------------------------------------------------------------------


def _number(word: str | None) -> int | None:
    if word is None:
        return None
    word = word.casefold()
    if word.isdigit():
        return int(word)
    return NUMBER_WORDS.get(word)


def _strip_title(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    # Remove trailing full stops, including oddities such as "kommunkoncernen. ." and "X,".
    return text.rstrip(" .,;:")


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_SPLIT_RE.split(text.strip()) if s]


def _is_heading(text: str) -> bool:
    """A section heading: one short line without final punctuation, starting with a capital."""
    if len(text) > 80 or not text[:1].isupper():
        return False
    if text.endswith((".", "!", "?", ":", ",", ";")):
        return False
    return len(text.split()) <= 10


def _find_labels(text: str) -> list[tuple[str, int, int, str | None]]:
    """(label key, start, end, parenthesised note) for each label; stops at "Bedömning"."""
    labels: list[tuple[str, int, int, str | None]] = []
    for match in _LABEL_RE.finditer(text):
        raw = match.group("label").casefold()
        key = raw.split()[0]
        note = match.group("note")
        labels.append((key, match.start(), match.end(), note[1:-1].strip() if note else None))
        if key == "bedömning":
            break
    return labels


def _parse_iso_date(year: str, month: str, day: str) -> str | None:
    try:
        return datetime.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _parse_decision(text: str) -> Decision | None:
    case = _CASE_NUMBER_RE.search(text)
    after = text[case.end() : case.end() + 80] if case else text
    paragraph = _PARAGRAPH_RE.search(after)
    body = _BODY_RE.search(after)
    date: str | None = None
    iso = _ISO_DATE_RE.search(after) or _ISO_DATE_RE.search(text)
    if iso:
        date = _parse_iso_date(*iso.groups())
    if date is None:
        swedish = _SWEDISH_DATE_RE.search(text)
        if swedish:
            day, month, year = swedish.groups()
            date = _parse_iso_date(year, str(MONTHS[month.casefold()]), day)
    if case is None and paragraph is None and date is None:
        return None
    body_text = None
    if body:
        value = body.group(1).casefold()
        body_text = {"kommunfullmäktige": "KF", "kommunstyrelsen": "KS"}.get(value, value.upper())
    return Decision(
        case_number=case.group("case") if case else None,
        paragraph=f"§{paragraph.group(1)}" if paragraph else None,
        body=body_text,
        date=date,
    )


def _split_assessment(text: str) -> tuple[str | None, str]:
    """(label, text) for an assessment such as "Rapportering augusti 2023: text"."""
    text = text.strip()
    for pattern in _ASSESSMENT_LABEL_RES:
        match = pattern.match(text)
        if match:
            label = clean_name(match.group("label"))
            return label, text[match.end() :].strip()
    return None, text


def _status_from_text(colour: str | None, text: str) -> str | None:
    """Map a status phrase ("Grön. Enligt plan.", "Gul", "Uppdraget är slutfört") to a code."""
    phrase = text.casefold()
    if _COMPLETED_PHRASE_RE.search(phrase):
        return "completed"
    if re.search(r"inte\s+alls\s+enligt\s+plan|genomförs\s+inte|utgått|avstannat", phrase):
        return "not_done"
    if re.search(r"inte\s+helt\s+enligt\s+plan|försenat|inte\s+påbörjat", phrase):
        return "delayed"
    colour_key = (colour or "").casefold()
    if colour_key == "röd":
        return "not_done"
    if colour_key == "gul":
        return "delayed"
    if colour_key == "grön" or re.search(r"enligt\s+plan|pågår|väntar", phrase):
        return "on_track"
    return None


# -- the parser ---------------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str, registry: Registry, source: str) -> None:
        self.registry = registry
        self.source = source
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.lines = text.split("\n")
        self.warnings: list[str] = []
        self.unknown: list[dict[str, str]] = []
        self.unrecognised: list[str] = []

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    # -- structure ------------------------------------------------------------------------------

    def parse(self) -> FollowupParse:
        headings = self._goal_headings()
        if not headings:
            raise FollowupParseError(
                'ingen målrubrik hittades (väntade t.ex. "Fokusmål 1. …" eller '
                '"Inriktningsmål 3. …"); texten kan inte läsas som en uppföljningssida',
                1,
                self.source,
            )
        result = FollowupParse(source=self.source)
        for index, (line_index, match) in enumerate(headings):
            end = headings[index + 1][0] if index + 1 < len(headings) else len(self.lines)
            body = [(i + 1, self.lines[i]) for i in range(line_index + 1, end)]
            goal = self._parse_goal(match, line_index + 1, body)
            result.goals.append(goal)
        result.warnings = self.warnings
        result.unknown_organisations = self.unknown
        result.unrecognised_names = self.unrecognised
        return result

    def _goal_headings(self) -> list[tuple[int, re.Match[str]]]:
        labelled: list[tuple[int, re.Match[str]]] = []
        for index, raw in enumerate(self.lines):
            line = _clean_line(raw)
            match = _GOAL_HEADING_RE.match(line)
            if match and not match.group("title").casefold().startswith("uppdrag"):
                labelled.append((index, match))
        if labelled:
            return labelled
        for index, raw in enumerate(self.lines):
            if raw[:1].isspace():
                continue  # bare numbers in indented lists are list items, not goals
            line = _clean_line(raw)
            match = _BARE_GOAL_HEADING_RE.match(line)
            if match and len(line) <= 200 and not _LEGEND_RE.match(line):
                return [(index, match)]
        return []

    def _parse_goal(self, heading: re.Match[str], line: int, body: list[tuple[int, str]]) -> Goal:
        groups = heading.groupdict()
        kind_label = groups.get("kind")
        goal = Goal(
            number=heading.group("number"),
            title=_strip_title(heading.group("title")),
            line=line,
            kind_label=kind_label.capitalize() if kind_label else None,
        )
        blocks = _blocks(body)
        item_start = self._split_goal_blocks(goal, blocks)
        self._parse_items(goal, blocks[item_start:])
        self._finish_goal(goal)
        return goal

    def _is_item_region_start(self, block: _Block, seen_meta: bool) -> bool:
        if block.kind == "legend":
            return True
        if block.kind == "marker":
            # A numbered line with text inside the description is a list in the description.
            return seen_meta or not block.has_text
        text = block.text
        return bool(
            _ITEM_STATUS_RE.match(text)
            or _item_prefix(text) is not None
            or _SECTION_KIND_RE.match(text)
            or _looks_like_one_paragraph_item(text)
        )

    def _split_goal_blocks(self, goal: Goal, blocks: list[_Block]) -> int:
        """Read the description, status, period and assessment; return where items start."""
        description: list[_Block] = []
        assessment: list[str] = []
        seen_meta = False
        list_prefix = ""
        index = 0
        while index < len(blocks):
            block = blocks[index]
            if self._is_item_region_start(block, seen_meta):
                break
            if block.kind == "marker":
                list_prefix = f"{block.text} "  # keep "1." on the list item that follows
                index += 1
                continue
            text = list_prefix + block.text
            list_prefix = ""
            goal_status = _GOAL_STATUS_RE.match(text)
            period = _PERIOD_RE.match(text)
            if goal_status:
                seen_meta = True
                colour = goal_status.group("colour")
                rest = goal_status.group("rest").strip()
                goal.status = GOAL_STATUSES.get((colour or "").casefold())
                if goal.status is None:
                    goal.status = _plain_goal_status(rest)
                goal.stated_trend = _trend(rest)
            elif period and len(text) <= 80:
                seen_meta = True
                goal.period = _parse_period(text)
            elif _PLAIN_STATUS_RE.match(text) and (seen_meta or description):
                seen_meta = True
                if goal.status is None:
                    goal.status = _plain_goal_status(text)
            elif seen_meta:
                assessment.append(text)
            else:
                description.append(_Block(block.kind, text, block.line))
            index += 1
        self._read_description(goal, description)
        self._read_goal_assessment(goal, assessment)
        return index

    def _read_description(self, goal: Goal, blocks: list[_Block]) -> None:
        texts = [b.text for b in blocks]
        if len(texts) >= 2 and _is_heading(texts[0]) and _is_heading(texts[1]):
            goal.short_title = texts[0]
            texts = texts[1:]
        elif len(texts) == 1 and _is_heading(texts[0]):
            goal.short_title = texts[0]
            texts = []
        sections: list[Section] = []
        for text in texts:
            if _is_heading(text):
                sections.append(Section(text, ""))
            elif sections:
                current = sections[-1]
                current.body = f"{current.body}\n\n{text}" if current.body else text
            else:
                sections.append(Section(None, text))
        goal.sections = sections

    def _read_goal_assessment(self, goal: Goal, paragraphs: list[str]) -> None:
        summary_sentences: list[str] = []
        kept: list[str] = []
        published = Summary()
        for paragraph in paragraphs:
            remaining: list[str] = []
            for sentence in _sentences(paragraph):
                if _read_summary_sentence(sentence, published):
                    summary_sentences.append(sentence)
                else:
                    remaining.append(sentence)
            if remaining:
                kept.append(" ".join(remaining))
        goal.assessment = "\n\n".join(kept) or None
        if summary_sentences:
            goal.published_summary = " ".join(summary_sentences)
            goal.published_counts = published

    # -- items ----------------------------------------------------------------------------------

    def _parse_items(self, goal: Goal, blocks: list[_Block]) -> None:
        groups: list[tuple[list[_Block], int | None, str | None]] = []
        current: list[_Block] | None = None
        position: int | None = None
        section_kind: str | None = None
        after_marker = False
        for block in blocks:
            if block.kind == "legend":
                continue
            if block.kind == "marker":
                position = block.number
                after_marker = True
                current = None
                continue
            text = block.text
            section = _SECTION_KIND_RE.match(text)
            if section:
                kind = section.group("kind")
                section_kind = (
                    "council"
                    if section.group("council")
                    else ("additional" if kind.casefold() == "tillkommande" else "remaining")
                )
                current = None
                continue
            is_status = bool(_ITEM_STATUS_RE.match(text))
            starts_item = after_marker or (
                not is_status
                and (
                    _item_prefix(text) is not None
                    or (
                        current is not None
                        and _has_status_or_assessment(current)
                        and (
                            _looks_like_one_paragraph_item(text)
                            # Under a "TILLKOMMANDE UPPDRAG" heading each decision starts "att".
                            or (section_kind == "additional" and text.startswith("att "))
                        )
                    )
                )
            )
            if starts_item or current is None:
                current = []
                groups.append((current, position if after_marker else None, section_kind))
            current.append(block)
            after_marker = False
        for group_blocks, list_position, kind in groups:
            assignment = self._parse_item(group_blocks, list_position, kind, goal)
            if assignment is not None:
                goal.assignments.append(assignment)

    def _parse_item(
        self,
        blocks: list[_Block],
        list_position: int | None,
        section_kind: str | None,
        goal: Goal,
    ) -> Assignment | None:
        head_blocks: list[_Block] = []
        status_block: _Block | None = None
        after_status: list[_Block] = []
        for block in blocks:
            if status_block is None and not after_status and _ITEM_STATUS_RE.match(block.text):
                status_block = block
            elif (
                status_block is None
                and not after_status
                and (not head_blocks or not _starts_assessment(block.text))
            ):
                head_blocks.append(block)
            else:
                # After the status paragraph, or from a "Resultat: maj–augusti 2017" line on.
                after_status.append(block)
        if not head_blocks and status_block is None:
            return None
        line = (head_blocks[0] if head_blocks else blocks[0]).line
        head = " ".join(b.text for b in head_blocks)
        assignment = Assignment(kind=section_kind or "council", title="", line=line)
        assignment.list_position = list_position
        head = self._read_prefix(assignment, head, list_position, section_kind)
        fields = self._read_fields(head)
        assignment.title = fields["title"]
        assignment.description = fields.get("description") or None
        description_responsible = fields.get("ansvariga") or ""
        affected_text = fields.get("berörda")
        assessment_text = fields.get("bedömning")
        assessment_note = fields.get("bedömning_note")

        status_responsible = ""
        if status_block is not None:
            status = self._read_status(status_block.text)
            assignment.status = status["status"]
            assignment.status_text = status["status_text"] or None
            status_responsible = status["ansvariga"]
            if status["bedömning"] is not None:
                assessment_text = status["bedömning"]
                assessment_note = status["bedömning_note"]

        extra = [b.text for b in after_status]
        if assessment_text is None and extra:
            assessment_text = extra.pop(0)
        if assessment_text is not None or extra:
            label, text = _split_assessment(assessment_text or "")
            if label is None and assessment_note:
                label = assessment_note
            paragraphs = [text, *extra] if text else list(extra)
            if label is None and paragraphs:
                label, first = _split_assessment(paragraphs[0])
                paragraphs[0] = first
            assignment.assessment_label = label
            assignment.assessment = "\n\n".join(p for p in paragraphs if p) or None

        if assignment.kind == "additional":
            assignment.decision = _parse_decision(assignment.description or head)

        # Organisations.
        if affected_text is None and assignment.title:
            affected_text = self._affected_from_title(assignment)
        if affected_text:
            assignment.affected = self._resolve(affected_text, assignment, goal)
        status_names = self._resolve(status_responsible, assignment, goal)
        if status_names:
            assignment.responsible = status_names
            assignment.responsible_source = "status"
        else:
            names = self._resolve(description_responsible, assignment, goal)
            if names:
                assignment.responsible = names
                assignment.responsible_source = "description"
            elif assignment.affected:
                assignment.responsible = list(assignment.affected)
                assignment.responsible_source = "affected"
        if not assignment.title:
            assignment.title = _strip_title(assignment.description or "")[:200]
        return assignment

    def _read_prefix(
        self,
        assignment: Assignment,
        head: str,
        list_position: int | None,
        section_kind: str | None,
    ) -> str:
        match = _COUNCIL_PREFIX_RE.match(head)
        if match:
            assignment.kind = "council"
            assignment.number = match.group("number")
            return head[match.end() :]
        match = _REMAINING_PREFIX_RE.match(head)
        if match:
            assignment.kind = "remaining"
            year = match.group("year") or match.group("year2")
            assignment.origin_year = int(year) if year else None
            assignment.origin_number = match.group("number")
            return head[match.end() :]
        match = _ADDITIONAL_PREFIX_RE.match(head)
        if match:
            assignment.kind = "additional"
            return head[match.end() :]
        match = _BOARD_GOAL_PREFIX_RE.match(head)
        if match:
            assignment.kind = "board_goal"
            assignment.board_goal_code = re.sub(r"\s+", " ", match.group("code"))
            return head[match.end() :]
        match = _COUNCIL_PLAIN_PREFIX_RE.match(head)
        if match:
            assignment.kind = "council"
            return head[match.end() :]
        assignment.kind = section_kind or "council"
        if assignment.kind == "council" and list_position is not None:
            assignment.number = str(list_position)
        return head

    def _read_fields(self, head: str) -> dict[str, str | None]:
        """Split a description paragraph into title, Berörda, Beskrivning, Ansvariga, Bedömning."""
        labels = _find_labels(head)
        if not any(key == "bedömning" for key, *_ in labels):
            found = _find_assessment_start(head)
            if found is not None:
                labels = [label for label in labels if label[1] < found]
                labels.append(("bedömning", found, found, None))
        fields: dict[str, str | None] = {}
        title_end = labels[0][1] if labels else len(head)
        title = head[:title_end]
        for position, (key, _start, end, note) in enumerate(labels):
            if key == "bedömning":
                fields["bedömning"] = head[end:].strip()
                fields["bedömning_note"] = note
                break
            stop = labels[position + 1][1] if position + 1 < len(labels) else len(head)
            value = head[end:stop].strip()
            if fields.get(key):
                fields[key] = f"{fields[key]} {value}"
            else:
                fields[key] = value
        if not labels and len(title) > 300:
            sentences = _sentences(title)
            if len(sentences) > 1:
                title = sentences[0]
                fields["description"] = " ".join(sentences[1:])
        fields["title"] = _strip_title(title)
        if "beskrivning" in fields:
            fields["description"] = (fields.pop("beskrivning") or "").strip() or None
        return fields

    def _read_status(self, text: str) -> dict[str, Any]:
        match = _ITEM_STATUS_RE.match(text)
        rest = match.group("rest") if match else text
        labels = _find_labels(rest)
        status_end = labels[0][1] if labels else len(rest)
        phrase = rest[:status_end]
        ansvariga = ""
        bedomning: str | None = None
        note: str | None = None
        for position, (key, _start, end, label_note) in enumerate(labels):
            if key == "bedömning":
                bedomning = rest[end:].strip()
                note = label_note
                break
            stop = labels[position + 1][1] if position + 1 < len(labels) else len(rest)
            if key == "ansvariga":
                ansvariga = rest[end:stop]
        if bedomning is None:
            # No "Bedömning:" label: a dated report label may start the assessment directly.
            for source_name in ("phrase", "ansvariga"):
                value = phrase if source_name == "phrase" else ansvariga
                found = _find_assessment_start(value)
                if found is not None:
                    bedomning = value[found:].strip()
                    if source_name == "phrase":
                        phrase = phrase[:found]
                    else:
                        ansvariga = ansvariga[:found]
                    break
        colour_match = re.match(r"^\s*(Grön|Gul|Röd)\b", phrase, re.IGNORECASE)
        colour = colour_match.group(1) if colour_match else None
        return {
            "status": _status_from_text(colour, phrase),
            "status_text": clean_name(phrase),
            "ansvariga": ansvariga.strip(),
            "bedömning": bedomning,
            "bedömning_note": note,
        }

    def _affected_from_title(self, assignment: Assignment) -> str | None:
        """Berörda written as abbreviations in parentheses at the end of the title."""
        match = _TRAILING_PARENS_RE.search(assignment.title)
        if not match:
            return None
        inner = match.group("inner")
        pieces = self.registry.resolve_pieces(inner)
        if not pieces or any(p.entry is None for p in pieces):
            return None
        assignment.title = _strip_title(assignment.title[: match.start()])
        return inner

    def _resolve(self, text: str, assignment: Assignment, goal: Goal) -> list[str]:
        """Registry names (or group names) for a list or run of names.

        Unknown names that look like a board or company ("...nämnden", "... AB") are kept as new
        organisations; other unknown text is left out of the list but reported.
        """
        text = clean_name(text)
        if not text:
            return []
        partial = _PARTIAL_GROUP_RE.match(text)
        if partial:
            return self._resolve_partial_group(partial, text, assignment, goal)
        names: list[str] = []
        for piece in self.registry.resolve_pieces(text):
            if piece.entry is None:
                name = piece.text
                kind = guess_kind(name)
                self._note_unknown(name, kind, assignment, goal)
                if kind is None:
                    continue
            else:
                name = piece.entry.name
            if name not in names:
                names.append(name)
        return names

    def _resolve_partial_group(
        self, match: re.Match[str], text: str, assignment: Assignment, goal: Goal
    ) -> list[str]:
        """ "Alla nämnder och 11 av 13 bolagsstyrelser": every board, but only some companies."""
        boards = self.registry.lookup("Alla nämnder")
        names = [boards.name] if isinstance(boards, GroupEntry) else []
        some, total = _number(match.group("n")), _number(match.group("m"))
        message = (
            f'{goal.reference}, {assignment.reference}: "{text}" anger inte vilka bolag som '
            "avses; endast nämnderna har registrerats som ansvariga"
        )
        year = goal.period.year
        if year is not None and total is not None:
            companies = [
                org
                for org in self.registry.active(year, ["company"])
                if not _is_parent_company(org, self.registry)
            ]
            if len(companies) != total:
                message += f" (registret har {len(companies)} bolag {year}, sidan anger {total})"
        if some is not None and total is not None and some > total:
            message += " (orimligt antal)"
        self.warn(message)
        return names

    def _note_unknown(
        self, name: str, kind: str | None, assignment: Assignment, goal: Goal
    ) -> None:
        if kind is None:
            if name not in assignment.unrecognised_names:
                assignment.unrecognised_names.append(name)
            if name not in self.unrecognised:
                self.unrecognised.append(name)
        else:
            entry: dict[str, str] = {"name": name, "kind": kind}
            if entry not in assignment.unknown_organisations:
                assignment.unknown_organisations.append(entry)
            if entry not in self.unknown:
                self.unknown.append(entry)
        if kind is not None:
            kind_sv = "nämnd" if kind == "board" else "bolag"
            self.warn(
                f'{goal.reference}, {assignment.reference}: okänd organisation "{name}" '
                f"finns inte i registret och skapas som ny ({kind_sv})"
            )
        else:
            self.warn(
                f'{goal.reference}, {assignment.reference}: "{name}" känns inte igen som '
                "organisation och har hoppats över"
            )

    # -- goal-level checks ----------------------------------------------------------------------

    def _finish_goal(self, goal: Goal) -> None:
        if goal.period.year is None:
            goal.period.year = self._guess_year(goal)
        computed = goal.summary()
        published = goal.published_counts
        if published is None:
            if goal.assignments:
                self.warn(f"{goal.reference}: ingen publicerad sammanfattning hittades")
            return
        labels = {
            "assignments": "uppdrag totalt",
            "completed": "slutförda",
            "on_track": "enligt plan",
            "delayed": "försenade",
            "not_done": "genomförs inte",
        }
        stated_counts = {key: getattr(published, key) for key in labels}
        categories = [key for key in labels if key != "assignments"]
        mentioned = sum(stated_counts[key] or 0 for key in categories)
        if published.assignments is not None and mentioned == published.assignments:
            # "Två av tre uppdrag är klara. Ett är försenat." implies none on track.
            for key in categories:
                if stated_counts[key] is None:
                    stated_counts[key] = 0
        for key, label in labels.items():
            stated = stated_counts[key]
            found = getattr(computed, key)
            if stated is not None and stated != found:
                self.warn(
                    f"{goal.reference}: den publicerade sammanfattningen anger {stated} {label} "
                    f"men sidan innehåller {found}"
                )
        if computed.unknown:
            self.warn(f"{goal.reference}: {computed.unknown} uppdrag saknar status")

    def _guess_year(self, goal: Goal) -> int | None:
        """The follow-up year: the most common year in the assessment labels, else dated text."""
        years = Counter(
            int(found.group(1))
            for assignment in goal.assignments
            if (found := _YEAR_RE.search(assignment.assessment_label or ""))
        )
        if years:
            return years.most_common(1)[0][0]
        for text in (goal.period.label or "", goal.assessment or "", goal.published_summary or ""):
            dated = _DATED_RE.search(text)
            if dated:
                return int(dated.group("year"))
        return None


# -- module-level helpers that need no parser state ---------------------------------------------


def _item_prefix(text: str) -> str | None:
    if _COUNCIL_PREFIX_RE.match(text):
        return "council"
    if _REMAINING_PREFIX_RE.match(text) and text[:11].casefold() == "kvarvarande":
        return "remaining"
    if _ADDITIONAL_PREFIX_RE.match(text):
        return "additional"
    if _BOARD_GOAL_PREFIX_RE.match(text):
        return "board_goal"
    return None


def _find_assessment_start(text: str) -> int | None:
    for match in re.finditer(r"Rapportering\s|\(\s*per\s|Resultat\s*:", text, re.IGNORECASE):
        label, _rest = _split_assessment(text[match.start() :])
        if label is not None:
            return match.start()
    return None


def _starts_assessment(text: str) -> bool:
    """Whether a paragraph opens an assessment ("Bedömning: ...", "Resultat: maj 2017 ...")."""
    if _RESULT_LINE_RE.match(text) or re.match(r"^Bedömning\b", text, re.IGNORECASE):
        return True
    return _split_assessment(text)[0] is not None


def _has_status_or_assessment(blocks: Iterable[_Block]) -> bool:
    return any(
        _ITEM_STATUS_RE.match(b.text) or any(k == "bedömning" for k, *_ in _find_labels(b.text))
        for b in blocks
    )


def _looks_like_one_paragraph_item(text: str) -> bool:
    """ "Title. Ansvariga: X Y Bedömning: text" — a whole item in one paragraph."""
    keys = [key for key, *_ in _find_labels(text)]
    return "ansvariga" in keys and "bedömning" in keys and not _RESULT_LINE_RE.match(text)


def _is_parent_company(org: OrgEntry, registry: Registry) -> bool:
    """The group's parent company (Uppsala Stadshus AB) is not counted among "the companies"."""
    parent = registry.municipality.get("parent_company")
    return parent is not None and org.name.casefold() == parent.casefold()


def _plain_goal_status(text: str) -> str | None:
    phrase = text.casefold()
    if re.search(r"inte\s+alls\s+enligt\s+plan", phrase):
        return "red"
    if re.search(r"inte\s+helt\s+enligt\s+plan", phrase):
        return "yellow"
    if re.search(r"enligt\s+plan", phrase):
        return "green"
    return None


def _trend(text: str) -> str | None:
    for pattern, trend in _TREND_RES:
        if pattern.search(text):
            return trend
    return None


def _parse_period(text: str) -> Period:
    label = clean_name(text)
    folded = label.casefold()
    month: int | None = None
    per = re.search(rf"\b(?:per|till\s+och\s+med|t\.o\.m\.?)\s+({_MONTH_ALT})\b", folded)
    if per:
        month = MONTHS[per.group(1)]
    elif re.search(r"helår|årsbokslut|bokslut|årsredovisning|verksamhetsberättelse", folded):
        month = None
    else:
        named = re.search(rf"\b({_MONTH_ALT})\b", folded)
        if named:
            month = MONTHS[named.group(1)]
    year_match = _YEAR_RE.search(label)
    return Period(label=label, year=int(year_match.group(1)) if year_match else None, month=month)


def _read_summary_sentence(sentence: str, published: Summary) -> bool:
    """Read counts from a summary sentence into `published`; False if it is not one."""
    found = False
    for clause in _CLAUSE_SPLIT_RE.split(sentence.strip().rstrip(".")):
        match = _SUMMARY_CLAUSE_RE.match(clause.strip())
        if not match:
            continue
        count = _number(match.group("n"))
        total = _number(match.group("total"))
        rest = match.group("rest")
        if count is None:
            continue
        if total is not None:
            published.assignments = total
        if match.group("all") and match.group("all").casefold() in ("samtliga", "alla"):
            published.assignments = published.assignments or count
        category = _summary_category(rest)
        if category is None:
            if total is None:
                continue
        else:
            previous = getattr(published, category) or 0
            setattr(published, category, previous + count)
        found = True
    return found


def _summary_category(text: str) -> str | None:
    if _NOT_DONE_RE.search(text):
        return "not_done"
    if _DELAYED_RE.search(text):
        return "delayed"
    if _COMPLETED_RE.search(text):
        return "completed"
    if _ON_TRACK_RE.search(text):
        return "on_track"
    return None


def parse_followup(text: str, registry: Registry, *, source: str = "<text>") -> FollowupParse:
    """Parse one saved follow-up page. Raises FollowupParseError if it is not one."""
    return _Parser(text, registry, source).parse()
