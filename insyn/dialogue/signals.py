"""The dialogue app's resident signals and the population it owns (insyn.core.registry).

Participation per 1,000 residents: every contribution made in the year (survey answers, posts,
proposals, meeting registrations, ballots, and the people behind offline input) counts once per
dialogue and signed-in participant — the same units as a dialogue's representativeness view —
divided by the population of the district or age band. A district without population figures
gets no value (it says so); a contribution without a stated district or age band counts in the
total only. No personal data: only counts leave this module.
"""

from __future__ import annotations

from collections import Counter

from django.utils.translation import gettext_lazy as _

from insyn.core.registry import Population, Signal, SignalRow
from insyn.dialogue.models import (
    AgeBand,
    Ballot,
    OfflineInput,
    PopulationFigure,
    Post,
    Proposal,
    Registration,
    SurveyResponse,
)
from insyn.organisations.models import District

__all__ = ["PARTICIPATION", "participation", "participation_units_in", "population"]


def population(year: int) -> Population:
    """The population figures of the newest year at or before `year` (else the oldest year)."""
    years = PopulationFigure.objects.values_list("year", flat=True).distinct()
    earlier = [y for y in years if y <= year]
    chosen = max(earlier) if earlier else min(years, default=None)
    by_district: Counter[int] = Counter()
    by_age: Counter[str] = Counter()
    names: dict[int, str] = {}
    if chosen is not None:
        for district_id, name, band, count in PopulationFigure.objects.filter(
            year=chosen
        ).values_list("district_id", "district__name", "age_band", "count"):
            by_district[district_id] += count
            by_age[band] += count
            names[district_id] = name
    return Population(
        year=chosen, by_district=dict(by_district), by_age_band=dict(by_age), district_names=names
    )


def participation_units_in(year: int) -> list[tuple[int | None, str, int]]:
    """(district id, age band, weight) per participation in the year: a signed-in participant
    once per dialogue (their latest stated district and age band), anonymous ones each."""
    sources = [
        (SurveyResponse.objects, "survey__dialogue_id"),
        (Post.objects, "discussion__dialogue_id"),
        (Proposal.objects, "budget__dialogue_id"),
        (Registration.objects, "meeting__dialogue_id"),
        (Ballot.objects, "budget__dialogue_id"),
    ]
    people: dict[tuple[int, int], tuple[int | None, str]] = {}
    anonymous: list[tuple[int | None, str, int]] = []
    for manager, dialogue_field in sources:
        rows = (
            manager.filter(created_at__year=year)
            .order_by("created_at", "pk")
            .values_list(dialogue_field, "participant_id", "district_id", "age_band")
        )
        for dialogue_id, participant_id, district_id, band in rows:
            if participant_id is None:
                anonymous.append((district_id, band, 1))
                continue
            old_district, old_band = people.get((dialogue_id, participant_id), (None, ""))
            people[(dialogue_id, participant_id)] = (
                district_id or old_district,
                band or old_band,
            )
    anonymous += list(
        OfflineInput.objects.filter(created_at__year=year).values_list(
            "district_id", "age_band", "people"
        )
    )
    return [(d, a, 1) for d, a in people.values()] + anonymous


def _per_1000(count: float, residents: int) -> float | None:
    return round(count * 1000 / residents, 2) if residents else None


def participation(year: int) -> list[SignalRow]:
    pop = population(year)
    units = participation_units_in(year)
    by_district: Counter[int] = Counter()
    by_age: Counter[str] = Counter()
    for district_id, band, weight in units:
        if district_id:
            by_district[district_id] += weight
        if band:
            by_age[band] += weight
    total = sum(weight for _d, _a, weight in units)
    rows = [SignalRow("total", "", "", _per_1000(total, pop.total), total, pop.total or None)]
    for district in District.objects.order_by("order", "name").values_list("pk", "name"):
        district_id, name = district
        residents = pop.by_district.get(district_id, 0)
        count = by_district.get(district_id, 0)
        rows.append(
            SignalRow(
                "district",
                str(district_id),
                name,
                _per_1000(count, residents),
                count,
                residents or None,
            )
        )
    for band, label in AgeBand.choices:
        residents = pop.by_age_band.get(band, 0)
        count = by_age.get(band, 0)
        rows.append(
            SignalRow("age_band", band, str(label), _per_1000(count, residents), count, residents)
        )
    return rows


PARTICIPATION = Signal(
    key="DIALOG-DELTAGANDE",
    app="dialogue",
    title=_("Deltagande i dialoger per 1 000 invånare"),
    method=_(
        "Antal deltaganden i kommunens dialoger under året (enkätsvar, inlägg, förslag, "
        "anmälningar, röster och personer bakom inlämnade synpunkter; en inloggad deltagare "
        "räknas en gång per dialog) per 1 000 invånare, per område och åldersgrupp enligt "
        "befolkningsstatistiken."
    ),
    unit=_("per 1 000 inv."),
    direction="increase",
    compute=participation,
)
