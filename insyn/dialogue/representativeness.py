"""Who took part, compared with who lives there (pure functions, no database).

For each group (a district or an age band) the participant share is the group's part of the
participants who stated that variable (those who did not are reported, not guessed), and the
population share is its part of the population in scope. A group is under-represented when its
participant share is below THRESHOLD (50 %) of its population share — so a district with 10 % of
the population and fewer than 5 % of the participants is flagged, including when nobody from it
took part. With no participant stating the variable nothing can be compared, and nothing is
flagged; the page says so instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from insyn.core.templatetags.insyn_format import format_percent

THRESHOLD = Fraction(1, 2)


@dataclass(frozen=True)
class GroupRow:
    key: str
    label: str
    participants: int
    participant_share: float  # 0..1
    population: int
    population_share: float  # 0..1
    under_represented: bool

    @property
    def participant_percent(self) -> str:
        return _percent(self.participant_share)

    @property
    def population_percent(self) -> str:
        return _percent(self.population_share)


@dataclass(frozen=True)
class Comparison:
    rows: list[GroupRow]
    stated: int  # participants who stated the variable
    not_stated: int

    @property
    def comparable(self) -> bool:
        return self.stated > 0 and any(row.population for row in self.rows)

    @property
    def flagged(self) -> list[GroupRow]:
        return [row for row in self.rows if row.under_represented]


def _percent(share: float) -> str:
    return format_percent(share, 1)


def compare(
    groups: Sequence[tuple[str, str]],
    participants: Mapping[str, int],
    population: Mapping[str, int],
    *,
    not_stated: int = 0,
    threshold: Fraction = THRESHOLD,
) -> Comparison:
    """Compare participant counts with population counts for the groups (key, label) given."""
    keys = [key for key, _label in groups]
    stated = sum(participants.get(key, 0) for key in keys)
    population_total = sum(population.get(key, 0) for key in keys)
    rows = []
    for key, label in groups:
        count = participants.get(key, 0)
        people = population.get(key, 0)
        p_share = Fraction(count, stated) if stated else Fraction(0)
        pop_share = Fraction(people, population_total) if population_total else Fraction(0)
        under = bool(stated) and pop_share > 0 and p_share < threshold * pop_share
        rows.append(
            GroupRow(
                key=key,
                label=label,
                participants=count,
                participant_share=float(p_share),
                population=people,
                population_share=float(pop_share),
                under_represented=under,
            )
        )
    return Comparison(rows=rows, stated=stated, not_stated=not_stated)
