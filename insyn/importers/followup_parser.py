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

* 2017 pages: "Resultat: maj–augusti 2017" before the list is the goal's period (month: the
  range's last month); status words on a line of their own are the goal's or an assignment's
  status ("Enligt plan", "Inte helt enligt plan", "Inte alls enligt plan", "Uppnått"); three or
  more such lines in a row after the summary are the legend. A line holding "Ansvariga:" is a
  paragraph of its own, and a second one starts the next assignment, so unassessed assignments
  listed one per line each come back. "Gäller till och med 2017." leaves the title for
  `validity_note`/`valid_until`. Summary sentences counting boards and companies are kept in
  `published_summary`; organisations said not to be affected go to `Goal.not_affected`.
* Every line gets a role (`FollowupParse.lines`, see LINE_ROLES). A line nothing claims is
  "unplaced" and a warning "rad N: …": text before the goal heading that is not known page
  furniture, and paragraphs in the list that carry nothing of an assignment (no number, prefix,
  label, status or assessment). Known page furniture (cookie banner, "Senast uppdaterad …") is
  "boilerplate".
* Cross-checks (warnings): assignments carrying "Ansvariga:" on the page against those read;
  published counts against statuses read; 2017 company counts against those not affected and
  the registry.

`parse_followup` raises `FollowupParseError` (with `.source` and `.line`) only when no goal
heading is found; anything else yields a result, with warnings for what looked wrong.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any

from insyn.organisations.registry import GroupEntry, OrgEntry, Registry, clean_name, guess_kind

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
GOAL_STATUS_WORDS = {
    "green": '"enligt plan"',
    "yellow": '"inte helt enligt plan"',
    "red": '"inte alls enligt plan"',
}
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
# Status words on a line of their own (2017 pages: the goal's status after "Resultat: …", an
# assignment's status, and the four-line legend that uses the same words).
_PLAIN_STATUS_RE = re.compile(
    r"^(?:Inte\s+alls\s+enligt\s+plan|Inte\s+helt\s+enligt\s+plan|Inte\s+enligt\s+plan"
    r"|Delvis\s+enligt\s+plan|Enligt\s+plan"
    r"|(?:(?:Målet|Uppdraget)\s+är\s+)?(?:uppnått|uppfyllt|genomfört|slutfört))\.?$",
    re.IGNORECASE,
)
_RESULT_ONLY_RE = re.compile(
    rf"^Resultat\s*:?\s*(?:(?:{_MONTH_ALT})\s*[\u2013\u2014-]\s*)?(?:{_MONTH_ALT})\s+(?:19|20)\d{{2}}"
    r"\s*[:.]?$",
    re.IGNORECASE,
)
# "Gäller till och med 2017." in an assignment's title.
_VALIDITY_RE = re.compile(
    r"\s*\(?\s*(?P<note>Gäller\s+(?:till\s+och\s+med|t\.\s?o\.\s?m\.?|tom|under|för|till)\s+"
    r"(?:år\s+|och\s+med\s+)?(?P<year>(?:19|20)\d{2}))\s*\)?\s*[.,]?",
    re.IGNORECASE,
)
# 2017 summary sentences count boards and companies, and name the ones not affected.
_ORG_COUNT_RE = re.compile(
    rf"^(?:(?P<all_boards>alla|samtliga)\s+nämnder(?:na)?|(?P<boards>{_NUMBER_ALT})\s+av\s+"
    rf"(?P<boards_total>{_NUMBER_ALT})\s+nämnder)"
    rf"(?:\s+och\s+(?:(?P<all_companies>alla|samtliga)\s+bolag\w*|(?P<companies>{_NUMBER_ALT})"
    rf"\s+av\s+(?P<companies_total>{_NUMBER_ALT})\s+bolag\w*))?\s+"
    r"(?:rapporterar|redovisar|uppger|bedömer|anger|meddelar)\b",
    re.IGNORECASE,
)
_NOT_AFFECTED_RE = re.compile(
    r"^(?P<names>.{2,300}?)\s+(?:meddelar|uppger|rapporterar|anger|redovisar)\s+att\s+"
    r"(?:deras|dess|bolagets|bolagens|nämndens|nämndernas)\s+verksamhet(?:er)?\s+"
    r"(?:inte\s+berörs|berörs\s+inte)",
    re.IGNORECASE,
)
# Page furniture that is not part of the follow-up (cookie banner, sharing, page dates).
_BOILERPLATE_RE = re.compile(
    r"^(?:Kakor\b.{0,40}|Vi\s+(?:använder|skulle\s+vilja|vill\s+också)\s+.*kakor.*"
    r"|Du\s+kan\s+när\s+du\s+vill\s+ändra\s+dina\s+inställningar\.?"
    r"|(?:Acceptera|Godkänn|Neka|Spara)\b.{0,40}|Inställningar\s+för\s+kakor"
    r"|Dela(?:\s+sidan)?|Skriv\s+ut(?:\s+sidan)?|Till\s+toppen|Hoppa\s+till\s+innehållet"
    r"|(?:Sidan\s+)?(?:senast\s+)?(?:uppdaterad|publicerad)\s*:?\s+[\d\s\-–a-zåäö]{4,40}"
    r"|Lyssna|Kontakta\s+oss)$",
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
# The page's own publication line, as municipal sites print it under the text.
_PUBLISHED_RE = re.compile(
    r"^\s*(?:sidan\s+)?(?:publicerad|publicerades|publicerat|senast\s+(?:uppdaterad|ändrad))"
    r"\s*:?\s*(?:den\s+)?(?P<date>.{6,40})$",
    re.IGNORECASE | re.MULTILINE,
)


def page_publication_date(text: str) -> str | None:
    """The date of the page's publication line (ISO 8601), or None when it has none. When the
    page says both when it was published and when it was last updated, the first one wins."""
    for match in _PUBLISHED_RE.finditer(text):
        value = match.group("date")
        iso = _ISO_DATE_RE.search(value)
        if iso:
            date = _parse_iso_date(*iso.groups())
        else:
            swedish = _SWEDISH_DATE_RE.search(value)
            date = (
                _parse_iso_date(
                    swedish.group(3), str(MONTHS[swedish.group(2).casefold()]), swedish.group(1)
                )
                if swedish
                else None
            )
        if date:
            return date
    return None


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


class _PickledAsValues:
    """A result type pickled as the tuple of its fields' values, rebuilt by calling the class.

    An import of many pages parses half of them in a second process and gets its results back
    pickled (insyn.importers.services.parse_files). A dataclass pickled the default way is a
    dict per object, rebuilt through copyreg; as values, the unpickling that the import waits
    for once that process is done takes about a quarter less for 500 pages (65,000 page lines,
    8,000 assignments; issue 13), and the same objects come back.
    """

    __slots__ = ()
    _values: Any = None  # attrgetter of the class's fields, in order; set on first use

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        cls = type(self)
        values = cls.__dict__.get("_values")
        if values is None:
            values = attrgetter(*(f.name for f in fields(cls)))  # type: ignore[arg-type]
            cls._values = values
        return (cls, values(self))


@dataclass
class Period(_PickledAsValues):
    label: str | None = None
    year: int | None = None
    month: int | None = None  # None for full-year follow-up (see module docstring)
    # When the municipality published the page ("Publicerad 12 oktober 2023", "Senast
    # uppdaterad: 2023-10-12"), ISO 8601; None when the page does not say.
    published: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"label": self.label, "year": self.year, "month": self.month}
        if self.published:  # only pages that print a publication line have one
            data["published"] = self.published
        return data


@dataclass
class Section(_PickledAsValues):
    heading: str | None
    body: str

    def to_json(self) -> dict[str, Any]:
        return {"heading": self.heading, "body": self.body}


@dataclass
class Summary(_PickledAsValues):
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
class Decision(_PickledAsValues):
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
class Assignment(_PickledAsValues):
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
    # "Gäller till och med 2017." taken out of the title.
    validity_note: str | None = None
    valid_until: int | None = None
    # How many "Ansvariga:" labels the assignment's text held (cross-check against the page).
    ansvariga_labels: int = 0

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
            "validity_note": self.validity_note,
            "valid_until": self.valid_until,
        }


@dataclass
class Goal(_PickledAsValues):
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
    # Organisations the published summary names as not affected ("Industrihus och
    # Förvaltningsfastigheter meddelar att deras verksamhet inte berörs"), as registry names.
    not_affected: list[str] = field(default_factory=list)

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
            "not_affected": list(self.not_affected),
        }


# What each line of a page became. Every line of a page has exactly one role: nothing is lost
# silently. A line with the role "unplaced" is also a warning naming its line number.
LINE_ROLES: dict[str, str] = {
    "blank": "Tom rad",
    "boilerplate": "Ignorerad sidtext",
    "published": "Publiceringsdatum",
    "goal_heading": "Målrubrik",
    "short_title": "Kort rubrik",
    "section_heading": "Avsnittsrubrik",
    "description": "Målbeskrivning",
    "period": "Period",
    "goal_status": "Målets status",
    "goal_assessment": "Målets bedömning",
    "summary": "Publicerad sammanfattning",
    "legend": "Teckenförklaring",
    "list_marker": "Listnummer",
    "list_heading": "Rubrik i uppdragslistan",
    "assignment": "Uppdrag",
    "assignment_status": "Uppdragets status",
    "assessment": "Uppdragets bedömning",
    "unplaced": "Kunde inte placeras",
}


@dataclass
class PageLine(_PickledAsValues):
    """One line of the page and what it became (`goal`/`assignment` index the result lists)."""

    number: int
    text: str
    role: str
    goal: int | None = None
    assignment: int | None = None
    # The parts the parser itself split the line into (see `parts`).
    given_parts: list[tuple[str, str]] = field(default_factory=list)
    # An assignment's line the parser did not split: `parts` splits it where its labels start.
    split_at_labels: bool = False

    @property
    def parts(self) -> list[tuple[str, str]]:
        """Finer parts of the line, in order, when it holds several (role, text as written):
        title/affected/description/responsible/assessment/status/validity, or
        summary/assessment. Only the review page asks, so an assignment's line is split when
        asked, not for every line of every page imported (issue 13: a fifth of parsing's CPU,
        and about a third of what the second parsing process sends back)."""
        if self.split_at_labels:
            return _label_parts(
                self.text, "status" if self.role == "assignment_status" else "title"
            )
        return self.given_parts

    def to_json(self) -> dict[str, Any]:
        return {
            "line": self.number,
            "role": self.role,
            "goal": self.goal,
            "assignment": self.assignment,
        }


@dataclass
class FollowupParse(_PickledAsValues):
    source: str
    goals: list[Goal] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # New organisations to create, over all goals: {"name", "kind": "board" | "company"}.
    unknown_organisations: list[dict[str, str]] = field(default_factory=list)
    unrecognised_names: list[str] = field(default_factory=list)
    lines: list[PageLine] = field(default_factory=list)

    @property
    def unplaced_lines(self) -> list[PageLine]:
        return [line for line in self.lines if line.role == "unplaced"]

    def line_roles(self) -> dict[str, int]:
        return dict(Counter(line.role for line in self.lines))

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "goals": [g.to_json() for g in self.goals],
            "warnings": list(self.warnings),
            "unknown_organisations": [dict(u) for u in self.unknown_organisations],
            "unrecognised_names": list(self.unrecognised_names),
            "line_count": len(self.lines),
            "line_roles": self.line_roles(),
            "unplaced_lines": [
                {"line": line.number, "text": line.text.strip()} for line in self.unplaced_lines
            ],
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
    lines: list[int] = field(default_factory=list)  # every page line the block was read from


@functools.lru_cache(maxsize=8192)
def _clean_line(line: str) -> str:
    # Remembered: every pass over a page's lines (headings, blocks, roles, counts) cleans them.
    return unicodedata.normalize("NFC", line).replace("\u00a0", " ").replace("\u200b", "").strip()


def _standalone(line: str) -> bool:
    """A line that is a paragraph of its own even without blank lines around it.

    The 2017 pages list unassessed assignments one per line ("Title. Ansvariga: A B") and put
    "Resultat: maj–augusti 2017", the status words and the legend on lines of their own.
    """
    if _RESULT_ONLY_RE.match(line) or _PLAIN_STATUS_RE.match(line):
        return True
    if _ITEM_STATUS_RE.match(line) or _GOAL_STATUS_RE.match(line):
        return True
    return any(key == "ansvariga" for key, *_ in _find_labels(line))


def _blocks(lines: list[tuple[int, str]]) -> list[_Block]:
    blocks: list[_Block] = []
    current: list[str] = []
    numbers: list[int] = []
    start = 0

    def flush() -> None:
        if current:
            blocks.append(_Block("para", " ".join(current), start, lines=list(numbers)))
            current.clear()
            numbers.clear()

    for number, raw in lines:
        line = _clean_line(raw)
        if not line:
            flush()
            continue
        if _LEGEND_RE.match(line):
            flush()
            blocks.append(_Block("legend", line, number, lines=[number]))
            continue
        marker = _MARKER_RE.match(line)
        if marker:
            flush()
            rest = (marker.group("rest") or "").strip()
            value = int(marker.group("number"))
            blocks.append(
                _Block("marker", f"{value}.", number, value, has_text=bool(rest), lines=[number])
            )
            if rest:
                current.append(rest)
                numbers.append(number)
                start = number
                if _standalone(rest):
                    flush()
            continue
        standalone = _standalone(line)
        if standalone:
            flush()
        if not current:
            start = number
        current.append(line)
        numbers.append(number)
        if standalone:
            flush()
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


# The first words of the labels _LABEL_RE reads, lower-cased; and the letters re.IGNORECASE
# also takes for their "i" and "s", which str.lower() does not give.
_LABEL_WORDS = ("berörda", "beskrivning", "ansvariga", "bedömning")
_ODD_CASES = ("\u0131", "\u017f")


def _label_matches(text: str) -> Iterator[re.Match[str]]:
    """`_LABEL_RE.finditer(text)`, trying the pattern only where a label word starts.

    A label can only begin where one of the words does: finding those with str.find and
    matching there (the look-behind sees the text before) gives the same matches as scanning
    every position with the pattern, at a fraction of the cost (that scan was the largest part
    of parsing a page, issue 13). Text where lower-casing is not letter for letter what the
    pattern's case-insensitivity does falls back to the scan.
    """
    lowered = text.lower()
    if len(lowered) != len(text) or any(odd in text for odd in _ODD_CASES):
        yield from _LABEL_RE.finditer(text)
        return
    starts: list[int] = []
    for word in _LABEL_WORDS:
        at = lowered.find(word)
        while at != -1:
            starts.append(at)
            at = lowered.find(word, at + 1)
    end = 0
    for at in sorted(starts):
        if at < end:
            continue
        match = _LABEL_RE.match(text, at)
        if match:
            yield match
            end = match.end()


@functools.lru_cache(maxsize=2048)
def _labels_of(text: str) -> tuple[tuple[str, int, int, str | None], ...]:
    # Remembered: the parser asks about the same paragraph from several places (a dozen times
    # a paragraph; the label search was the largest part of parsing a page).
    labels: list[tuple[str, int, int, str | None]] = []
    for match in _label_matches(text):
        raw = match.group("label").casefold()
        key = raw.split()[0]
        note = match.group("note")
        labels.append((key, match.start(), match.end(), note[1:-1].strip() if note else None))
        if key == "bedömning":
            break
    return tuple(labels)


# (label key, start, end, parenthesised note) for each label; stops at "Bedömning". The parser
# asks this a quarter of a million times for 1,000 pages: the remembered function itself.
_find_labels = _labels_of


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
        # line number -> (role, goal index, assignment index)
        self.roles: dict[int, tuple[str, int | None, int | None]] = {}
        self.parts: dict[int, list[tuple[str, str]]] = {}
        self.goal_index = 0

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def mark(self, block: _Block | None, role: str, item: int | None = None) -> None:
        if block is None:
            return
        for number in block.lines or [block.line]:
            self.roles[number] = (role, self.goal_index, item)

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
        for index in range(headings[0][0]):
            line = _clean_line(self.lines[index])
            if line and _is_publication_line(line):
                self.roles[index + 1] = ("published", None, None)
            elif line and _BOILERPLATE_RE.match(line):
                self.roles[index + 1] = ("boilerplate", None, None)
        for index, (line_index, match) in enumerate(headings):
            self.goal_index = index
            self.roles[line_index + 1] = ("goal_heading", index, None)
            end = headings[index + 1][0] if index + 1 < len(headings) else len(self.lines)
            body = [(i + 1, self.lines[i]) for i in range(line_index + 1, end)]
            goal = self._parse_goal(match, line_index + 1, body)
            result.goals.append(goal)
        published = page_publication_date("\n".join(self.lines))
        for goal in result.goals:
            goal.period.published = published
        result.lines = self._account_for_lines()
        result.warnings = self.warnings
        result.unknown_organisations = self.unknown
        result.unrecognised_names = self.unrecognised
        return result

    def _account_for_lines(self) -> list[PageLine]:
        """Every line with its role; a line nothing claimed is "unplaced" and a warning."""
        page: list[PageLine] = []
        for index, raw in enumerate(self.lines):
            number = index + 1
            if not _clean_line(raw):
                page.append(PageLine(number, raw, "blank"))
                continue
            role, goal, item = self.roles.get(number, ("unplaced", None, None))
            parts = self.parts.get(number) or []
            split = not parts and role in ("assignment", "assignment_status")
            page.append(PageLine(number, raw, role, goal, item, parts, split))
            if role == "unplaced":
                excerpt = _clean_line(raw)
                if len(excerpt) > 80:
                    excerpt = excerpt[:77] + "…"
                self.warn(
                    f'rad {number}: raden kunde inte placeras och har inte lästs in: "{excerpt}"'
                )
        return page

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
        self.org_counts: list[dict[str, str | None]] = []
        self.goal_body = body
        blocks = _blocks(body)
        for block in blocks:
            if block.kind == "para" and _is_publication_line(block.text):
                block.kind = "boilerplate"
                self.mark(block, "published")
            elif block.kind == "para" and _BOILERPLATE_RE.match(block.text):
                block.kind = "boilerplate"
                self.mark(block, "boilerplate")
        blocks = [b for b in blocks if b.kind != "boilerplate"]
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
            # 2017: "Title. Ansvariga: a b" opens the list of assignments.
            or (
                not _GOAL_STATUS_RE.match(text)
                and any(key == "ansvariga" for key, *_ in _find_labels(text))
            )
        )

    def _legend_run(self, blocks: list[_Block], index: int) -> int:
        """How many status-word lines start at `index` (a 2017 legend has four)."""
        count = 0
        while (
            index + count < len(blocks)
            and blocks[index + count].kind == "para"
            and _PLAIN_STATUS_RE.match(blocks[index + count].text)
        ):
            count += 1
        return count

    def _split_goal_blocks(self, goal: Goal, blocks: list[_Block]) -> int:
        """Read the description, status, period and assessment; return where items start."""
        description: list[_Block] = []
        assessment: list[_Block] = []
        seen_meta = False
        list_prefix = ""
        marker: _Block | None = None
        index = 0
        while index < len(blocks):
            block = blocks[index]
            if self._is_item_region_start(block, seen_meta):
                break
            if block.kind == "marker":
                list_prefix = f"{block.text} "  # keep "1." on the list item that follows
                marker = block
                index += 1
                continue
            text = list_prefix + block.text
            list_prefix = ""
            if marker is not None:
                block = _Block(block.kind, text, block.line, lines=[*marker.lines, *block.lines])
                marker = None
            goal_status = _GOAL_STATUS_RE.match(text)
            period = _PERIOD_RE.match(text)
            run = self._legend_run(blocks, index) if _PLAIN_STATUS_RE.match(text) else 0
            if goal_status:
                seen_meta = True
                colour = goal_status.group("colour")
                rest = goal_status.group("rest").strip()
                goal.status = GOAL_STATUSES.get((colour or "").casefold())
                if goal.status is None:
                    goal.status = _plain_goal_status(rest)
                goal.stated_trend = _trend(rest)
                self.mark(block, "goal_status")
            elif period and len(text) <= 80:
                seen_meta = True
                goal.period = _parse_period(text)
                self.mark(block, "period")
            elif _RESULT_ONLY_RE.match(text) and goal.period.label is None:
                # 2017: "Resultat: maj–augusti 2017" is the goal's follow-up period, labelled
                # like the other periods ("Uppföljning maj–augusti"; the year is kept apart).
                seen_meta = True
                goal.period = _parse_period(text)
                months = re.sub(r"^Resultat\s*:?\s*", "", clean_name(text), flags=re.IGNORECASE)
                months = _YEAR_RE.sub("", months).strip(" :.")
                goal.period.label = f"Uppföljning {months}"
                self.mark(block, "period")
            elif run >= 3 and (seen_meta or description):
                # 2017: the status words listed as a legend after the summary.
                for legend in blocks[index : index + run]:
                    legend.kind = "legend"
                    self.mark(legend, "legend")
                index += run
                break
            elif _PLAIN_STATUS_RE.match(text) and (seen_meta or description):
                seen_meta = True
                if goal.status is None:
                    goal.status = _plain_goal_status(text)
                    self.mark(block, "goal_status")
                else:
                    self.mark(block, "legend")
            elif seen_meta:
                assessment.append(block)
            else:
                description.append(_Block(block.kind, text, block.line, lines=block.lines))
            index += 1
        self._read_description(goal, description)
        self._read_goal_assessment(goal, assessment)
        return index

    def _read_description(self, goal: Goal, blocks: list[_Block]) -> None:
        if len(blocks) >= 2 and _is_heading(blocks[0].text) and _is_heading(blocks[1].text):
            goal.short_title = blocks[0].text
            self.mark(blocks[0], "short_title")
            blocks = blocks[1:]
        elif len(blocks) == 1 and _is_heading(blocks[0].text):
            goal.short_title = blocks[0].text
            self.mark(blocks[0], "short_title")
            blocks = []
        sections: list[Section] = []
        for block in blocks:
            text = block.text
            if _is_heading(text):
                sections.append(Section(text, ""))
                self.mark(block, "section_heading")
                continue
            self.mark(block, "description")
            if sections:
                current = sections[-1]
                current.body = f"{current.body}\n\n{text}" if current.body else text
            else:
                sections.append(Section(None, text))
        goal.sections = sections

    def _read_goal_assessment(self, goal: Goal, blocks: list[_Block]) -> None:
        summary_sentences: list[str] = []
        kept: list[str] = []
        published = Summary()
        for block in blocks:
            remaining: list[str] = []
            for sentence in _sentences(block.text):
                if _read_summary_sentence(sentence, published) or self._read_org_sentence(
                    sentence, goal
                ):
                    summary_sentences.append(sentence)
                else:
                    remaining.append(sentence)
            if remaining:
                kept.append(" ".join(remaining))
            self.mark(block, "goal_assessment" if remaining else "summary")
            if remaining and len(remaining) < len(_sentences(block.text)) and len(block.lines) == 1:
                self.parts[block.lines[0]] = [
                    ("assessment" if sentence in remaining else "summary", sentence)
                    for sentence in _sentences(block.text)
                ]
        goal.assessment = "\n\n".join(kept) or None
        if summary_sentences:
            goal.published_summary = " ".join(summary_sentences)
            if any(getattr(published, key) is not None for key in published.to_json()):
                goal.published_counts = published

    def _read_org_sentence(self, sentence: str, goal: Goal) -> bool:
        """2017 summaries: "Alla nämnder och 11 av 13 bolagsstyrelser rapporterar …" and
        "Industrihus och Förvaltningsfastigheter meddelar att deras verksamhet inte berörs"."""
        text = sentence.strip()
        counted = _ORG_COUNT_RE.match(text)
        if counted:
            self.org_counts.append({**counted.groupdict(), "sentence": text})
            return True
        not_affected = _NOT_AFFECTED_RE.match(text)
        if not_affected:
            for piece in self.registry.resolve_pieces(not_affected.group("names")):
                if piece.entry is None or isinstance(piece.entry, GroupEntry):
                    self.warn(
                        f'{goal.reference}: "{piece.text}" anges inte beröras men känns inte igen '
                        "som organisation"
                    )
                elif piece.entry.name not in goal.not_affected:
                    goal.not_affected.append(piece.entry.name)
            return True
        return False

    # -- items ----------------------------------------------------------------------------------

    def _parse_items(self, goal: Goal, blocks: list[_Block]) -> None:
        groups: list[tuple[list[_Block], int | None, str | None, _Block | None]] = []
        current: list[_Block] | None = None
        position: int | None = None
        section_kind: str | None = None
        after_marker = False
        marker: _Block | None = None
        for block in blocks:
            if block.kind == "legend":
                self.mark(block, "legend")
                continue
            if block.kind == "marker":
                position = block.number
                after_marker = True
                marker = block
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
                self.mark(block, "list_heading")
                current = None
                continue
            is_status = bool(_ITEM_STATUS_RE.match(text))
            has_ansvariga = not is_status and _has_ansvariga(text)
            starts_item = after_marker or (
                not is_status
                and (
                    _item_prefix(text) is not None
                    or (
                        current is not None
                        and _has_status_or_assessment(current)
                        and (
                            _looks_like_one_paragraph_item(text)
                            or has_ansvariga
                            # Under a "TILLKOMMANDE UPPDRAG" heading each decision starts "att".
                            or (section_kind == "additional" and text.startswith("att "))
                        )
                    )
                    # 2017: unassessed assignments one per line, "Title. Ansvariga: a b".
                    or (
                        current is not None
                        and has_ansvariga
                        and any(
                            not _ITEM_STATUS_RE.match(b.text) and _has_ansvariga(b.text)
                            for b in current
                        )
                    )
                    # Text after a blank line below an unassessed "Title. Ansvariga: a b" line
                    # is not that assignment's; unless it is an item it stays unplaced.
                    or (
                        current is not None
                        and block.line > current[-1].lines[-1] + 1
                        and _is_unassessed_line(current)
                        and not _find_labels(text)
                        and not _starts_assessment(text)
                        and not _PLAIN_STATUS_RE.match(text)
                    )
                )
            )
            if starts_item or current is None:
                current = []
                groups.append(
                    (
                        current,
                        position if after_marker else None,
                        section_kind,
                        marker if after_marker else None,
                    )
                )
            current.append(block)
            after_marker = False
            marker = None
        for group_blocks, list_position, kind, group_marker in groups:
            if not self._is_placeable(group_blocks, list_position, kind):
                continue  # left unplaced: reported line by line
            index = len(goal.assignments)
            assignment = self._parse_item(group_blocks, list_position, kind, goal, index)
            if assignment is not None:
                self.mark(group_marker, "list_marker", index)
                goal.assignments.append(assignment)

    def _is_placeable(self, blocks: list[_Block], position: int | None, kind: str | None) -> bool:
        """Whether a group of paragraphs in the list of assignments is an assignment at all.

        A paragraph with no list number, no item prefix, no status, no labels and no section
        heading above it is stray text (e.g. a note at the end of the page) and is not turned
        into an assignment without anything saying so.
        """
        if position is not None or kind is not None:
            return True
        for block in blocks:
            text = block.text
            if (
                _ITEM_STATUS_RE.match(text)
                or _item_prefix(text) is not None
                or _find_labels(text)
                or _starts_assessment(text)
                or _PLAIN_STATUS_RE.match(text)
            ):
                return True
        return False

    def _parse_item(
        self,
        blocks: list[_Block],
        list_position: int | None,
        section_kind: str | None,
        goal: Goal,
        index: int = 0,
    ) -> Assignment | None:
        head_blocks: list[_Block] = []
        status_block: _Block | None = None
        plain_status: _Block | None = None
        after_status: list[_Block] = []
        for block in blocks:
            if status_block is None and not after_status and _ITEM_STATUS_RE.match(block.text):
                status_block = block
            elif (
                status_block is None
                and plain_status is None
                and head_blocks
                and _PLAIN_STATUS_RE.match(block.text)
            ):
                plain_status = block  # 2017: the status as words on a line of its own
            elif (
                status_block is None
                and not after_status
                and plain_status is None
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
        assignment.ansvariga_labels = sum(
            1 for b in blocks for key, *_ in _find_labels(b.text) if key == "ansvariga"
        )
        for block in head_blocks:
            self.mark(block, "assignment", index)
        self.mark(status_block, "assignment_status", index)
        self.mark(plain_status, "assignment_status", index)
        for block in after_status:
            self.mark(block, "assessment", index)
        head = self._read_prefix(assignment, head, list_position, section_kind)
        fields = self._read_fields(head)
        assignment.title = fields["title"]
        assignment.description = fields.get("description") or None
        if fields.get("validity_note"):
            assignment.validity_note = fields["validity_note"]
            assignment.valid_until = int(fields["valid_until"] or 0) or None
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
                if assessment_text:
                    # Both paragraphs carry an assessment: keep both rather than lose one.
                    assessment_text = f"{status['bedömning']}\n\n{assessment_text}".strip()
                else:
                    assessment_text = status["bedömning"]
                assessment_note = status["bedömning_note"]
        if plain_status is not None:
            assignment.status = _plain_item_status(plain_status.text)
            assignment.status_text = clean_name(plain_status.text)

        extra = [_strip_assessment_label(b.text) for b in after_status]
        extra = [text for text in extra if text]
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
            # 2017: the status words may follow the "Resultat: …" label on their own line.
            if assignment.status is None and paragraphs:
                first_sentence, *rest = _sentences(paragraphs[0]) or [""]
                if _PLAIN_STATUS_RE.match(first_sentence):
                    assignment.status = _plain_item_status(first_sentence)
                    assignment.status_text = clean_name(first_sentence)
                    paragraphs[0] = " ".join(rest)
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
        labels = list(_find_labels(head))
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
        validity = _VALIDITY_RE.search(title)
        if validity:
            fields["validity_note"] = clean_name(validity.group("note"))
            fields["valid_until"] = validity.group("year")
            title = title[: validity.start()] + " " + title[validity.end() :]
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
        self._check_responsible_count(goal)
        self._check_org_counts(goal)
        computed = goal.summary()
        published = goal.published_counts
        if published is None:
            if goal.assignments and not goal.published_summary:
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

    def _check_responsible_count(self, goal: Goal) -> None:
        """Each assignment names its responsible bodies once ("Ansvariga:"), or twice when the
        status paragraph repeats the label: the page's count must match the assignments read."""
        units = 0
        previous_had_label = False
        for _number, raw in self.goal_body:
            line = _clean_line(raw)
            if not line:
                continue
            count = sum(1 for key, *_ in _find_labels(line) if key == "ansvariga")
            is_status = bool(_ITEM_STATUS_RE.match(line))
            if count and is_status and previous_had_label:
                count -= 1  # the status paragraph repeats the description's label
            units += count
            previous_had_label = bool(count) and not is_status
            if is_status:
                previous_had_label = False
        read = sum(1 for a in goal.assignments if a.ansvariga_labels)
        if units != read:
            self.warn(
                f'{goal.reference}: sidan har {units} uppdrag med "Ansvariga:" men {read} '
                "uppdrag lästes"
            )
        for assignment in goal.assignments:
            if assignment.ansvariga_labels > 2:
                self.warn(
                    f"{goal.reference}, {assignment.reference}: {assignment.ansvariga_labels} "
                    '"Ansvariga:" i samma uppdrag; kontrollera att inga uppdrag slagits ihop'
                )

    def _check_org_counts(self, goal: Goal) -> None:
        """2017 summaries: "Alla nämnder och 11 av 13 bolagsstyrelser rapporterar …" against the
        companies named as not affected and the registry."""
        year = goal.period.year
        for counts in self.org_counts:
            stated = _plain_goal_status(counts.get("sentence") or "")
            if stated is not None and goal.status is not None and stated != goal.status:
                self.warn(
                    f"{goal.reference}: sammanfattningen säger "
                    f"{GOAL_STATUS_WORDS[stated]} men målets status är "
                    f"{GOAL_STATUS_WORDS[goal.status]}"
                )
            some = _number(counts.get("companies"))
            total = _number(counts.get("companies_total"))
            if some is None or total is None:
                continue
            not_affected = [
                name
                for name in goal.not_affected
                if (org := self.registry.organisation(name)) is not None and org.kind == "company"
            ]
            if some + len(not_affected) != total:
                self.warn(
                    f"{goal.reference}: sammanfattningen anger {some} av {total} bolag men "
                    f"{len(not_affected)} bolag anges inte beröras ({some} + "
                    f"{len(not_affected)} ≠ {total})"
                )
            if year is not None:
                companies = [
                    org
                    for org in self.registry.active(year, ["company"])
                    if not _is_parent_company(org, self.registry)
                ]
                if len(companies) != total:
                    self.warn(
                        f"{goal.reference}: sammanfattningen anger {total} bolag men registret "
                        f"har {len(companies)} bolag {year}"
                    )

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


_PART_BY_LABEL = {
    "berörda": "affected",
    "beskrivning": "description",
    "ansvariga": "responsible",
    "bedömning": "assessment",
}


def _label_parts(raw: str, first: str) -> list[tuple[str, str]]:
    """A line split where its labels start ("Ansvariga:", "Bedömning:" …), for the review page.

    The pieces joined give the line back exactly (leading indentation included).
    """
    labels = _find_labels(raw)
    if not labels:
        validity = _VALIDITY_RE.search(raw) if first == "title" else None
        if validity is None:
            return []
        labels = []
    parts: list[tuple[str, str]] = []
    starts = [(start, _PART_BY_LABEL[key]) for key, start, _end, _note in labels]
    head_end = starts[0][0] if starts else len(raw)
    head = raw[:head_end]
    validity = _VALIDITY_RE.search(head) if first == "title" else None
    if validity:
        parts += [(first, head[: validity.start()]), ("validity", head[validity.start() :])]
    else:
        parts.append((first, head))
    for position, (start, role) in enumerate(starts):
        end = starts[position + 1][0] if position + 1 < len(starts) else len(raw)
        parts.append((role, raw[start:end]))
    return [(role, text) for role, text in parts if text]


def _is_unassessed_line(blocks: list[_Block]) -> bool:
    """A group that is one "Title. Ansvariga: a b" paragraph with nothing after the names."""
    if len(blocks) != 1 or blocks[0].kind != "para":
        return False
    labels = _find_labels(blocks[0].text)
    return (
        bool(labels) and labels[-1][0] == "ansvariga" and not _ITEM_STATUS_RE.match(blocks[0].text)
    )


def _is_publication_line(text: str) -> bool:
    """ "Publicerad 12 oktober 2023" / "Senast uppdaterad: 2023-10-12" (see Period.published)."""
    return len(text) <= 80 and page_publication_date(text) is not None


def _has_ansvariga(text: str) -> bool:
    return any(key == "ansvariga" for key, *_ in _find_labels(text))


def _strip_assessment_label(text: str) -> str:
    """A paragraph after an assignment without its leading "Bedömning:" label."""
    return re.sub(r"^Bedömning\s*:\s*", "", text.strip(), flags=re.IGNORECASE).strip()


def _plain_item_status(text: str) -> str | None:
    """An assignment's status from status words on a line of their own (2017 pages)."""
    phrase = text.casefold()
    if re.search(r"inte\s+(?:alls\s+)?enligt\s+plan", phrase) and "helt" not in phrase:
        return "not_done"
    if re.search(r"inte\s+helt\s+enligt\s+plan|delvis\s+enligt\s+plan", phrase):
        return "delayed"
    if re.search(r"uppnått|uppfyllt|genomfört|slutfört", phrase):
        return "completed"
    if re.search(r"enligt\s+plan", phrase):
        return "on_track"
    return None


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
    if re.search(r"inte\s+alls\s+enligt\s+plan|^inte\s+enligt\s+plan", phrase):
        return "red"
    if re.search(r"inte\s+helt\s+enligt\s+plan|delvis\s+enligt\s+plan", phrase):
        return "yellow"
    if re.search(r"enligt\s+plan|uppnått|uppfyllt|genomfört|slutfört", phrase):
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
        # A month range ("Resultat: maj–augusti 2017") is a follow-up as of its last month.
        named = re.findall(rf"\b({_MONTH_ALT})\b", folded)
        if named:
            month = MONTHS[named[-1]]
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
