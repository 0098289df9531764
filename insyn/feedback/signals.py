"""The fault-report register's resident signals (registered in insyn.core.registry).

Computed per calendar year from cases, never from anything personal: counts, dates and the
resident's yes/no answer to "Är det åtgärdat?". Cases merged into another case are left out
(they are the same matter reported twice). The population per district comes from the dialogue
app through the registry (`registry.population`).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.utils.translation import gettext_lazy as _

from insyn.core.registry import Signal, SignalRow, population
from insyn.feedback.models import Case, Category, Kind
from insyn.organisations.models import District, Organisation

__all__ = ["SIGNALS", "fault_reports_per_1000", "reopen_rate", "resolution_days", "within_target"]


def _per_1000(count: int, residents: int) -> float | None:
    return round(count * 1000 / residents, 2) if residents else None


def _share(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def _categories() -> list[tuple[int, str]]:
    return list(Category.objects.order_by("order", "name").values_list("pk", "name"))


def _organisations(ids: Iterable[int]) -> list[tuple[int, str]]:
    return list(
        Organisation.objects.filter(pk__in=set(ids)).order_by("name").values_list("pk", "name")
    )


def _cases():
    return Case.objects.filter(merged_into__isnull=True)


def fault_reports_per_1000(year: int) -> list[SignalRow]:
    """Fault reports received in the year per 1,000 residents: the municipality, each district
    (its own population; none when the district has no figures) and each category (of all
    residents)."""
    pop = population(year)
    by_district: dict[int | None, int] = defaultdict(int)
    by_category: dict[int, int] = defaultdict(int)
    for area_id, category_id in (
        _cases()
        .filter(kind=Kind.FAULT, created_at__year=year)
        .values_list("area_id", "category_id")
    ):
        by_district[area_id] += 1
        by_category[category_id] += 1
    total = sum(by_district.values())
    rows = [SignalRow("total", "", "", _per_1000(total, pop.total), total, pop.total or None)]
    for district_id, name in District.objects.order_by("order", "name").values_list("pk", "name"):
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
    for category_id, name in _categories():
        count = by_category.get(category_id, 0)
        rows.append(
            SignalRow(
                "category",
                str(category_id),
                name,
                _per_1000(count, pop.total),
                count,
                pop.total or None,
            )
        )
    return rows


Resolved = tuple[int, int | None, float, bool]


def _resolved(year: int) -> list[Resolved]:
    """(category, organisation, days to resolution, within target) per case resolved in year."""
    result = []
    for category_id, organisation_id, created, resolved, due, target_days in (
        _cases()
        .filter(resolved_at__year=year)
        .values_list(
            "category_id",
            "organisation_id",
            "created_at",
            "resolved_at",
            "due_at",
            "category__target_days",
        )
    ):
        deadline = due or created + dt.timedelta(days=target_days)
        days = (resolved - created).total_seconds() / 86400
        result.append((category_id, organisation_id, days, resolved <= deadline))
    return result


def _grouped(
    items: list[Resolved], measure: Callable[[list[Resolved]], tuple[float | None, int | None]]
) -> list[SignalRow]:
    """The measure for all items, per category and per responsible organisation."""
    by_category: dict[int, list[Resolved]] = defaultdict(list)
    by_organisation: dict[int, list[Resolved]] = defaultdict(list)
    for item in items:
        by_category[item[0]].append(item)
        if item[1] is not None:
            by_organisation[item[1]].append(item)

    def row(group: str, key: str, label: str, members: list[Resolved]) -> SignalRow:
        value, numerator = measure(members)
        return SignalRow(group, key, label, value, numerator, len(members))

    rows = [row("total", "", "", items)]
    for category_id, name in _categories():
        rows.append(row("category", str(category_id), name, by_category.get(category_id, [])))
    for organisation_id, name in _organisations(by_organisation):
        rows.append(
            row("organisation", str(organisation_id), name, by_organisation[organisation_id])
        )
    return rows


def _median_days(items: list[Resolved]) -> tuple[float | None, int | None]:
    return (round(statistics.median(i[2] for i in items), 1) if items else None), None


def _within_share(items: list[Resolved]) -> tuple[float | None, int | None]:
    within = sum(1 for i in items if i[3])
    return _share(within, len(items)), within


def resolution_days(year: int) -> list[SignalRow]:
    """Median days from received to resolved, of the cases resolved in the year."""
    return _grouped(_resolved(year), _median_days)


def within_target(year: int) -> list[SignalRow]:
    """Share of the cases resolved in the year that were resolved by their due date."""
    return _grouped(_resolved(year), _within_share)


def reopen_rate(year: int) -> list[SignalRow]:
    """Of the residents who answered "Är det åtgärdat?" in the year, the share who said no."""
    answers = list(
        _cases()
        .filter(resident_says_fixed__isnull=False, resident_answered_at__year=year)
        .values_list("category_id", "organisation_id", "resident_says_fixed")
    )

    def row(group: str, key: str, label: str, items: list) -> SignalRow:
        no = sum(1 for item in items if item[2] is False)
        return SignalRow(group, key, label, _share(no, len(items)), no, len(items))

    rows = [row("total", "", "", answers)]
    by_category: dict[int, list] = defaultdict(list)
    by_organisation: dict[int, list] = defaultdict(list)
    for item in answers:
        by_category[item[0]].append(item)
        if item[1] is not None:
            by_organisation[item[1]].append(item)
    for category_id, name in _categories():
        rows.append(row("category", str(category_id), name, by_category.get(category_id, [])))
    for organisation_id, name in _organisations(by_organisation):
        rows.append(
            row("organisation", str(organisation_id), name, by_organisation[organisation_id])
        )
    return rows


SIGNALS = [
    Signal(
        key="FELANMALAN-PER-1000",
        app="feedback",
        title=_("Felanmälningar per 1 000 invånare"),
        method=_(
            "Antal felanmälningar som kom in under året (sammanslagna dubbletter räknas en gång) "
            "per 1 000 invånare, för hela kommunen, per område (områdets egen befolkning) och "
            "per kategori."
        ),
        unit=_("per 1 000 inv."),
        direction="none",
        compute=fault_reports_per_1000,
    ),
    Signal(
        key="ATGARDSTID-MEDIAN",
        app="feedback",
        title=_("Mediantid till åtgärd (dagar)"),
        method=_(
            "Medianen av antal dagar från att ett ärende kom in till att det åtgärdades, för "
            "ärenden som åtgärdades under året, per kategori och ansvarig organisation."
        ),
        unit=_("dagar"),
        direction="decrease",
        compute=resolution_days,
    ),
    Signal(
        key="ATGARDAT-INOM-MALTID",
        app="feedback",
        title=_("Andel ärenden åtgärdade inom måltiden"),
        method=_(
            "Andelen av ärendena som åtgärdades under året som åtgärdades senast den dag de "
            "skulle vara klara (annars inom kategorins måltid), per kategori och ansvarig "
            "organisation."
        ),
        unit="%",
        direction="increase",
        compute=within_target,
    ),
    Signal(
        key="ATEROPPNADE",
        app="feedback",
        title=_("Andel som svarat att felet inte är åtgärdat"),
        method=_(
            "Av invånarna som under året svarade på frågan ”Är det åtgärdat?” efter ett "
            "åtgärdat ärende: andelen som svarade nej (ärendet öppnas då igen), per kategori "
            "och ansvarig organisation."
        ),
        unit="%",
        direction="decrease",
        compute=reopen_rate,
    ),
]
