"""The goal summary sentence, written the way the municipality writes it.

"Ett av kommunfullmäktiges tolv uppdrag inom fokusmålet är klart. Nio uppdrag pågår enligt plan
och två uppdrag är försenade." Rules: numbers up to twelve in words (neuter, as "uppdrag" is
neuter), larger in digits; a capital letter first in each sentence; singular or plural verb
forms; categories with zero assignments are left out; board goals are not counted (the caller
passes counts of council assignments only).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

NUMBER_WORDS = [
    "noll",
    "ett",
    "två",
    "tre",
    "fyra",
    "fem",
    "sex",
    "sju",
    "åtta",
    "nio",
    "tio",
    "elva",
    "tolv",
]

# (status code, predicate for one, predicate for several)
PREDICATES = [
    ("completed", "är klart", "är klara"),
    ("on_track", "pågår enligt plan", "pågår enligt plan"),
    ("delayed", "är försenat", "är försenade"),
    ("not_done", "genomförs inte", "genomförs inte"),
    ("unknown", "saknar rapporterad status", "saknar rapporterad status"),
]


@dataclass(frozen=True)
class StatusCounts:
    completed: int = 0
    on_track: int = 0
    delayed: int = 0
    not_done: int = 0
    unknown: int = 0

    @property
    def total(self) -> int:
        return self.completed + self.on_track + self.delayed + self.not_done + self.unknown

    def as_dict(self) -> dict[str, int]:
        return {
            "assignments": self.total,
            "completed": self.completed,
            "on_track": self.on_track,
            "delayed": self.delayed,
            "not_done": self.not_done,
            "unknown": self.unknown,
        }

    @classmethod
    def from_statuses(cls, statuses: Iterable[str | None]) -> StatusCounts:
        counts = dict.fromkeys(("completed", "on_track", "delayed", "not_done", "unknown"), 0)
        for status in statuses:
            counts[status if status in counts else "unknown"] += 1
        return cls(**counts)


def number_text(n: int) -> str:
    """0–12 in words, larger numbers in digits."""
    return NUMBER_WORDS[n] if 0 <= n <= 12 else str(n)


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _join(parts: list[str]) -> str:
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " och " + parts[-1]


ENGLISH_NUMBERS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
]
ENGLISH_PREDICATES = {
    "completed": ("is completed", "are completed"),
    "on_track": ("is on track", "are on track"),
    "delayed": ("is delayed", "are delayed"),
    "not_done": ("will not be carried out", "will not be carried out"),
    "unknown": ("has no reported status", "have no reported status"),
}


def _english_sentence(counts: StatusCounts) -> str:
    """The same summary in English, for a visitor who chose English."""

    def num(n: int) -> str:
        return ENGLISH_NUMBERS[n] if 0 <= n <= 12 else str(n)

    total = counts.total
    if total == 0:
        return "The city council has given no assignments within the goal."
    present = [
        (n, *ENGLISH_PREDICATES[code])
        for code, _one, _many in PREDICATES
        if (n := getattr(counts, code)) > 0
    ]
    if total == 1:
        return f"The city council's only assignment within the goal {present[0][1]}."
    if len(present) == 1:
        return (
            f"All {num(total)} of the city council's assignments within the goal {present[0][2]}."
        )
    n, one, many = present[0]
    first = (
        f"{_capitalise(num(n))} of the city council's {num(total)} assignments within the goal "
        f"{one if n == 1 else many}."
    )
    rest = [
        f"{num(k)} {'assignment' if k == 1 else 'assignments'} {o if k == 1 else m}"
        for k, o, m in present[1:]
    ]
    joined = rest[0] if len(rest) == 1 else ", ".join(rest[:-1]) + " and " + rest[-1]
    return f"{first} {_capitalise(joined)}."


def summary_sentence(counts: StatusCounts, goal_kind_definite: str = "fokusmålet") -> str:
    """The summary of a goal's council assignments in plain Swedish (English when chosen)."""
    from django.utils.translation import get_language

    if (get_language() or "sv").startswith("en"):
        return _english_sentence(counts)
    total = counts.total
    scope = f"inom {goal_kind_definite}"
    if total == 0:
        return f"Kommunfullmäktige har inte gett några uppdrag {scope}."
    present = [(n, one, many) for code, one, many in PREDICATES if (n := getattr(counts, code)) > 0]
    if total == 1:
        _n, one, _many = present[0]
        return f"Kommunfullmäktiges enda uppdrag {scope} {one}."
    if len(present) == 1:
        _n, _one, many = present[0]
        return f"Alla kommunfullmäktiges {number_text(total)} uppdrag {scope} {many}."
    first_n, first_one, first_many = present[0]
    first = (
        f"{_capitalise(number_text(first_n))} av kommunfullmäktiges {number_text(total)} "
        f"uppdrag {scope} {first_one if first_n == 1 else first_many}."
    )
    rest = [f"{number_text(n)} uppdrag {one if n == 1 else many}" for n, one, many in present[1:]]
    return f"{first} {_capitalise(_join(rest))}."
