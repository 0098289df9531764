"""Reads for the indicator pages, the goal/assignment/organisation panels and the budget view.

Every function here costs a fixed number of queries whatever the amount of data: the values of
all indicators on a page come in one query, the peers' values in one more.
Labels follow Kolada's terms of use: numbers as Kolada published them say "Källa: Kolada"; a
mean Insyn computes itself (a custom peer group, or a Kolada group Kolada gave no value for) says
"Beräknat av Insyn från Kolada-data" and never "Källa: Kolada".
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import F, Prefetch, Q, prefetch_related_objects
from django.urls import NoReverseMatch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from insyn.core.registry import Panel
from insyn.goals.models import Assignment, Goal, Plan
from insyn.indicators.charts import (
    STYLES,
    TARGET_STYLE,
    BarChart,
    LineChart,
    Series,
    bar_chart,
    format_change_percent,
    format_number,
    line_chart,
    with_unit,
)
from insyn.indicators.models import (
    Area,
    BudgetLine,
    BudgetState,
    BudgetUpload,
    Direction,
    Gender,
    ImportRun,
    Indicator,
    IndicatorLink,
    IndicatorTarget,
    KpiSource,
    PeerGroup,
    SignalValue,
    Value,
)
from insyn.organisations.models import Organisation
from insyn.organisations.selectors import current_municipality

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


# Kolada's terms ask for the source to be named; in English it is named in English.
KOLADA_LABEL = gettext_lazy("Källa: Kolada")
INSYN_LABEL = gettext_lazy("Beräknat av Insyn från Kolada-data")
COUNTRY_ID = "0000"
MAX_CHART_COMPARISONS = 3


def home_area() -> tuple[str, str]:
    """(Kolada id, short name) of the municipality this instance serves."""
    from django.conf import settings

    municipality = current_municipality()
    if municipality is None:
        return settings.INSYN_MUNICIPALITY_CODE, settings.INSYN_MUNICIPALITY_CODE
    return municipality.code, municipality.short_name or municipality.name


def safe_url(obj: Any) -> str:
    """obj.get_absolute_url(), or "" while the page it points to does not exist yet."""
    try:
        return obj.get_absolute_url()
    except (NoReverseMatch, AttributeError):
        return ""


# --- sentences -----------------------------------------------------------------------------------

Formatter = Callable[[Any], str]


def formatter(unit: str, decimals: int | None = None) -> Formatter:
    """Numbers of one indicator, all with the same number of decimals and the unit."""
    return lambda value: with_unit(value, unit, decimals)


def _as_formatter(fmt: str | Formatter) -> Formatter:
    return formatter(fmt) if isinstance(fmt, str) else fmt


def decimals_of(values: Iterable[float | None]) -> int:
    """The most decimals (0–2) among the values: the precision the source publishes."""
    most = 0
    for value in values:
        if value is None or value == round(value):
            continue
        most = max(most, 1 if round(value, 1) == round(value, 2) else 2)
        if most == 2:
            break
    return most


def known_points(series: dict[int, float | None]) -> list[tuple[int, float]]:
    return [(year, value) for year, value in sorted(series.items()) if value is not None]


def judgement(change: float, direction: str) -> str:
    """ "bättre"/"sämre" for a change, given which direction is better; "" when neither."""
    if change == 0 or direction == Direction.NONE:
        return ""
    better = change > 0 if direction == Direction.INCREASE else change < 0
    return "better" if better else "worse"


def trend_sentence(series: dict[int, float | None], fmt: str | Formatter, direction: str) -> str:
    fmt = _as_formatter(fmt)
    known = known_points(series)
    if not known:
        return _("Det finns inga värden ännu.")
    if len(known) == 1:
        year, value = known[0]
        return _("Det finns ett värde: %(value)s år %(year)s.") % {
            "value": fmt(value),
            "year": year,
        }
    (first_year, first), (last_year, last) = known[0], known[-1]
    words = {
        "first": fmt(first),
        "first_year": first_year,
        "last": fmt(last),
        "last_year": last_year,
    }
    if last > first:
        text = (
            _("Värdet har ökat från %(first)s år %(first_year)s till %(last)s år %(last_year)s.")
            % words
        )
    elif last < first:
        text = (
            _("Värdet har minskat från %(first)s år %(first_year)s till %(last)s år %(last_year)s.")
            % words
        )
    else:
        return _("Värdet är detsamma år %(last_year)s som år %(first_year)s: %(last)s.") % words
    verdict = judgement(last - first, direction)
    if verdict == "better":
        text += " " + (
            _("Det är en förbättring, eftersom högre värden är bättre.")
            if direction == Direction.INCREASE
            else _("Det är en förbättring, eftersom lägre värden är bättre.")
        )
    elif verdict == "worse":
        text += " " + (
            _("Det är en försämring, eftersom högre värden är bättre.")
            if direction == Direction.INCREASE
            else _("Det är en försämring, eftersom lägre värden är bättre.")
        )
    return text


@dataclass
class Trend:
    word: str  # Ökar / Minskar / Oförändrad / Ingen trend
    symbol: str  # ▲ ▼ ▶ –
    verdict: str  # better / worse / ""
    verdict_text: str


def trend_of(series: dict[int, float | None], direction: str) -> Trend:
    known = known_points(series)
    if len(known) < 2:
        return Trend(_("Ingen trend än"), "–", "", "")
    change = known[-1][1] - known[0][1]
    verdict = judgement(change, direction)
    verdict_text = {"better": _("bättre"), "worse": _("sämre")}.get(verdict, "")
    if change > 0:
        return Trend(_("Ökar"), "▲", verdict, verdict_text)
    if change < 0:
        return Trend(_("Minskar"), "▼", verdict, verdict_text)
    return Trend(_("Oförändrad"), "▶", "", "")


# --- indicator summaries -------------------------------------------------------------------------


@dataclass
class Comparison:
    """A comparison line: a peer group's mean or Riket."""

    title: str
    short_title: str
    source_label: StrOrPromise
    is_kolada: bool
    series: dict[int, float | None]
    counts: dict[int, tuple[int, int]]  # year -> (members with values, members)
    members: list[Area] = field(default_factory=list)
    description: str = ""
    is_country: bool = False

    def count_text(self, year: int) -> str:
        if year not in self.counts:
            return ""
        have, total = self.counts[year]
        if total:
            return _("%(have)s av %(total)s kommuner har värden") % {"have": have, "total": total}
        return _("medelvärde av %(have)s kommuner") % {"have": have} if have > 1 else ""


@dataclass
class TableRow:
    year: int
    home: str
    women: str
    men: str
    comparisons: list[str]
    target: str


@dataclass
class SignalGroup:
    """A resident signal's breakdown for one year: one table (per district, category …)."""

    group: str
    heading: str
    rows: list[tuple[str, str, str]]  # label, value, "numerator av denominator"


@dataclass
class IndicatorSummary:
    indicator: Indicator
    unit: str
    home_name: str
    series: dict[int, float | None]
    gender: dict[str, dict[int, float | None]]
    latest_year: int | None
    latest: str
    latest_women: str
    latest_men: str
    trend: Trend
    trend_sentence: str
    targets: list[tuple[int, str]]
    target_sentence: str
    comparisons: list[Comparison]
    comparison_sentences: list[str]
    chart: LineChart | None
    gender_chart: LineChart | None
    legend: list[tuple[str, Any]]
    rows: list[TableRow]
    source_label: StrOrPromise
    is_kolada: bool
    fetched_at: dt.datetime | None
    publ_period: str
    publication_date: dt.date | None
    peer_table: list[tuple[str, str, bool]] = field(default_factory=list)
    peer_table_year: int | None = None
    gender_legend: list[tuple[str, Any]] = field(default_factory=list)
    is_signal: bool = False
    method: str = ""
    signal_groups: list[SignalGroup] = field(default_factory=list)

    @property
    def has_gender(self) -> bool:
        return bool(self.gender)


def _kolada_kpis(indicators: list[Indicator]) -> set[str]:
    return {ind.kpi_id for ind in indicators if ind.kpi.source == KpiSource.KOLADA}


def _peer_groups() -> tuple[list[tuple[PeerGroup, list[Area]]], set[str]]:
    """The peer groups shown on pages, each with its members by name (one query: the members
    joined in), and the areas whose values the comparisons need (the groups' own, their
    members', the country's)."""
    groups: dict[int, tuple[PeerGroup, list[Area]]] = {}
    for row in (
        PeerGroup.objects.filter(show_on_pages=True)
        .annotate(
            member_id=F("members__id"),
            member_title=F("members__title"),
            member_type=F("members__type"),
            member_municipality=F("members__municipality"),
        )
        .order_by("order", "title", "pk", "members__title", "members__id")
    ):
        _group, members = groups.setdefault(row.pk, (row, []))
        if row.member_id is not None:
            members.append(
                Area(
                    id=row.member_id,
                    title=row.member_title,
                    type=row.member_type,
                    municipality=row.member_municipality,
                )
            )
    area_ids = {COUNTRY_ID} | {group.kolada_id for group, _m in groups.values() if group.kolada_id}
    for _group, members in groups.values():
        area_ids.update(member.pk for member in members)
    return list(groups.values()), area_ids


def _comparisons(
    kolada_kpis: set[str],
    groups: list[tuple[PeerGroup, list[Area]]],
    raw: dict[tuple[str, str], dict[int, tuple[float | None, int | None]]],
    home_id: str,
) -> tuple[dict[str, list[Comparison]], dict[tuple[str, str], dict[int, float]]]:
    """Per KPI id, its comparisons; plus each (kpi, area) series for the peers table. `raw`:
    the total values of the peers' areas, (kpi, area) -> year -> (value, count)."""
    if not kolada_kpis:
        return {}, {}
    result: dict[str, list[Comparison]] = {}
    for kpi_id in kolada_kpis:
        comparisons: list[Comparison] = []
        for group, all_members in groups:
            members = [m for m in all_members if m.pk != home_id]
            own = raw.get((kpi_id, group.kolada_id or ""), {})
            if group.kolada_id and any(v is not None for v, _ in own.values()):
                series = {year: value for year, (value, _c) in own.items()}
                counts = {
                    year: (count or 0, 0)
                    for year, (value, count) in own.items()
                    if value is not None
                }
                comparisons.append(
                    Comparison(
                        title=_("Medelvärde för %(group)s") % {"group": group.title},
                        short_title=group.title,
                        source_label=KOLADA_LABEL,
                        is_kolada=True,
                        series=series,
                        counts=counts,
                        members=members,
                        description=group.description,
                    )
                )
                continue
            by_year: dict[int, list[float]] = defaultdict(list)
            for member in members:
                for year, (value, _c) in raw.get((kpi_id, member.pk), {}).items():
                    if value is not None:
                        by_year[year].append(value)
            if not by_year:
                continue
            comparisons.append(
                Comparison(
                    title=_("Medelvärde för %(group)s") % {"group": group.title},
                    short_title=group.title,
                    source_label=INSYN_LABEL,
                    is_kolada=False,
                    series={year: sum(vs) / len(vs) for year, vs in by_year.items()},
                    counts={year: (len(vs), len(members)) for year, vs in by_year.items()},
                    members=members,
                    description=group.description,
                )
            )
        country = raw.get((kpi_id, COUNTRY_ID), {})
        if any(v is not None for v, _ in country.values()):
            comparisons.append(
                Comparison(
                    title=_("Riket"),
                    short_title=_("Riket"),
                    source_label=KOLADA_LABEL,
                    is_kolada=True,
                    series={year: v for year, (v, _c) in country.items()},
                    counts={},
                    is_country=True,
                )
            )
        result[kpi_id] = comparisons
    plain = {
        key: {year: v for year, (v, _c) in series.items() if v is not None}
        for key, series in raw.items()
    }
    return result, plain


def _comparison_sentence(
    summary_home: str,
    year: int,
    home_value: float | None,
    comparison: Comparison,
    fmt: Formatter,
    mean_fmt: Formatter,
    direction: str,
) -> str:
    mean = comparison.series.get(year)
    if mean is None or home_value is None:
        return ""
    words = {
        "year": year,
        "home": summary_home,
        "value": fmt(home_value),
        "group": comparison.short_title,
        "mean": mean_fmt(mean),
    }
    if comparison.is_country:
        text = _("År %(year)s var värdet för %(home)s %(value)s och för riket %(mean)s.") % words
    else:
        text = (
            _(
                "År %(year)s var värdet för %(home)s %(value)s och medelvärdet för "
                "%(group)s %(mean)s."
            )
            % words
        )
    count = comparison.count_text(year)
    if count:
        text = text[:-1] + f" ({count})."
    difference = round(home_value - mean, 6)
    if difference == 0:
        text += " " + _("%(home)s ligger på samma nivå.") % words
    else:
        verdict = judgement(difference, direction)
        position = _("över") if difference > 0 else _("under")
        text += " " + _("%(home)s ligger %(position)s") % {**words, "position": position}
        if verdict:
            text += " – " + (_("bättre") if verdict == "better" else _("sämre"))
        text += "."
    return text


def _target_sentence(
    series: dict[int, float | None], targets: dict[int, float], fmt: Formatter, direction: str
) -> str:
    if not targets:
        return ""
    known = dict(known_points(series))
    past = [year for year in sorted(targets) if year in known]
    future = [year for year in sorted(targets) if not known or year > max(known)]
    parts = []
    if past:
        year = past[-1]
        target, outcome = targets[year], known[year]
        words = {"year": year, "target": fmt(target), "outcome": fmt(outcome)}
        text = _("Målvärdet för %(year)s var %(target)s och utfallet %(outcome)s") % words
        if direction == Direction.INCREASE:
            text += " – " + (_("målet nåddes") if outcome >= target else _("målet nåddes inte"))
        elif direction == Direction.DECREASE:
            text += " – " + (_("målet nåddes") if outcome <= target else _("målet nåddes inte"))
        parts.append(text + ".")
    if future:
        year = future[0]
        parts.append(
            _("Målvärde %(year)s: %(target)s.") % {"year": year, "target": fmt(targets[year])}
        )
    return " ".join(parts)


def summarise(
    indicators: list[Indicator],
    *,
    with_peers: bool = True,
    with_charts: bool = True,
    detail: bool = False,
    chart_prefix: str = "indikator",
) -> list[IndicatorSummary]:
    """Everything a page shows about the given indicators (kpi and targets already loaded)."""
    if not indicators:
        return []
    home_id, home_name = home_area()
    home_values: dict[str, dict[str, dict[int, float | None]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    provenance: dict[str, tuple[Any, str, Any]] = {}
    kolada_kpis = _kolada_kpis(indicators) if with_peers else set()
    groups, area_ids = _peer_groups() if kolada_kpis else ([], set())
    # One query for the municipality's own values and the peers' (totals only).
    wanted = Q(kpi_id__in={ind.kpi_id for ind in indicators}, area_id=home_id)
    if kolada_kpis:
        wanted |= Q(kpi_id__in=kolada_kpis, area_id__in=area_ids, gender=Gender.TOTAL)
    raw: dict[tuple[str, str], dict[int, tuple[float | None, int | None]]] = defaultdict(dict)
    for (
        kpi_id,
        area_id,
        period,
        gender,
        value,
        count,
        fetched_at,
        publ_period,
        publication_date,
    ) in Value.objects.filter(wanted).values_list(
        "kpi_id",
        "area_id",
        "period",
        "gender",
        "value",
        "count",
        "fetched_at",
        "publ_period",
        "publication_date",
    ):
        if area_id in area_ids and gender == Gender.TOTAL and kpi_id in kolada_kpis:
            raw[(kpi_id, area_id)][period] = (value, count)
        if area_id != home_id:
            continue
        home_values[kpi_id][gender][period] = value
        current = provenance.get(kpi_id)
        if current is None or fetched_at > current[0]:
            provenance[kpi_id] = (fetched_at, publ_period, publication_date)
    comparisons, peer_series = _comparisons(kolada_kpis, groups, raw, home_id)
    breakdowns = _signal_breakdowns(indicators)
    summaries = []
    for ind in indicators:
        kpi = ind.kpi
        unit = ind.unit
        series = dict(home_values[kpi.id].get(Gender.TOTAL, {}))
        by_gender: dict[str, dict[int, float | None]] = {
            g: dict(home_values[kpi.id][g])
            for g in (Gender.WOMEN, Gender.MEN)
            if kpi.is_divided_by_gender and home_values[kpi.id].get(g)
        }
        known = known_points(series)
        latest_year = known[-1][0] if known else None
        targets = {t.year: t.value for t in ind.targets.all()}
        decimals = decimals_of([v for g in home_values[kpi.id].values() for v in g.values()])
        fmt = formatter(unit, decimals)
        mean_fmt = formatter(unit, max(decimals, 1))
        kpi_comparisons = comparisons.get(kpi.id, [])
        sentences = []
        if latest_year is not None:
            for comparison in kpi_comparisons:
                sentence = _comparison_sentence(
                    home_name,
                    latest_year,
                    series.get(latest_year),
                    comparison,
                    fmt,
                    mean_fmt,
                    ind.direction,
                )
                if sentence:
                    sentences.append(sentence)
        chart = gender_chart = None
        legend: list[tuple[str, Any]] = []
        if with_charts:
            chart_series = [Series(home_name, series, STYLES[0], home_name)]
            for index, comparison in enumerate(kpi_comparisons[:MAX_CHART_COMPARISONS], 1):
                chart_series.append(
                    Series(
                        comparison.title, comparison.series, STYLES[index], comparison.short_title
                    )
                )
            legend = [(s.label, s.style) for s in chart_series]
            if targets:
                legend.append((_("Målvärde"), TARGET_STYLE))
            chart = line_chart(
                chart_id=f"{chart_prefix}-{ind.pk}",
                title=ind.title,
                description=trend_sentence(series, fmt, ind.direction),
                series=chart_series,
                unit=unit,
                targets=targets,
            )
            if detail and by_gender:
                gender_chart = line_chart(
                    chart_id=f"{chart_prefix}-{ind.pk}-kon",
                    title=_("%(title)s, kvinnor och män") % {"title": ind.title},
                    description=_gender_description(by_gender, fmt),
                    series=[
                        Series(
                            _("Kvinnor"), by_gender.get(Gender.WOMEN, {}), STYLES[3], _("Kvinnor")
                        ),
                        Series(_("Män"), by_gender.get(Gender.MEN, {}), STYLES[2], _("Män")),
                    ],
                    unit=unit,
                )
        years = sorted(set(series) | set(targets) | {y for g in by_gender.values() for y in g})
        rows = [
            TableRow(
                year=year,
                home=fmt(series.get(year)),
                women=fmt(by_gender.get(Gender.WOMEN, {}).get(year)),
                men=fmt(by_gender.get(Gender.MEN, {}).get(year)),
                comparisons=[mean_fmt(c.series.get(year)) for c in kpi_comparisons],
                target=fmt(targets.get(year)) if year in targets else "",
            )
            for year in reversed(years)
        ]
        fetched_at, publ_period, publication_date = provenance.get(kpi.id, (None, "", None))
        summary = IndicatorSummary(
            indicator=ind,
            unit=unit,
            home_name=home_name,
            series=series,
            gender=by_gender,
            latest_year=latest_year,
            latest=fmt(known[-1][1]) if known else "–",
            latest_women=fmt(_in_year(by_gender.get(Gender.WOMEN, {}), latest_year)),
            latest_men=fmt(_in_year(by_gender.get(Gender.MEN, {}), latest_year)),
            trend=trend_of(series, ind.direction),
            trend_sentence=trend_sentence(series, fmt, ind.direction),
            targets=[(year, fmt(value)) for year, value in sorted(targets.items())],
            target_sentence=_target_sentence(series, targets, fmt, ind.direction),
            comparisons=kpi_comparisons,
            comparison_sentences=sentences,
            chart=chart,
            gender_chart=gender_chart,
            legend=legend,
            rows=rows,
            source_label=_source_label(kpi.source, home_name),
            is_kolada=kpi.source == KpiSource.KOLADA,
            fetched_at=fetched_at,
            publ_period=publ_period,
            publication_date=publication_date,
        )
        if kpi.source == KpiSource.INSYN:
            summary.is_signal = True
            summary.method = kpi.description
            summary.signal_groups = _signal_groups(breakdowns.get(kpi.id, []), latest_year, fmt)
        if gender_chart is not None:
            summary.gender_legend = [(_("Kvinnor"), STYLES[3]), (_("Män"), STYLES[2])]
        if detail and latest_year is not None:
            summary.peer_table_year = latest_year
            summary.peer_table = _peer_table(
                kpi.id,
                latest_year,
                home_id,
                home_name,
                series.get(latest_year),
                kpi_comparisons,
                peer_series,
                fmt,
            )
        summaries.append(summary)
    return summaries


def _in_year(values: dict[int, float | None], year: int | None) -> float | None:
    return values.get(year) if year is not None else None


def _source_label(source: str, home_name: str) -> StrOrPromise:
    if source == KpiSource.KOLADA:
        return KOLADA_LABEL
    if source == KpiSource.INSYN:
        return _("Källa: Insyn, beräknat ur kommunens egna uppgifter (inga personuppgifter)")
    return _("Källa: %(home)s (egen uppgift)") % {"home": home_name}


def _signal_breakdowns(indicators: list[Indicator]) -> dict[str, list[SignalValue]]:
    """Every stored breakdown row of the resident signals among the indicators (one query)."""
    kpi_ids = {ind.kpi_id for ind in indicators if ind.kpi.source == KpiSource.INSYN}
    result: dict[str, list[SignalValue]] = defaultdict(list)
    if kpi_ids:
        for row in SignalValue.objects.filter(kpi_id__in=kpi_ids).order_by("period", "order", "pk"):
            result[row.kpi_id].append(row)
    return result


def _signal_groups(rows: list[SignalValue], year: int | None, fmt: Formatter) -> list[SignalGroup]:
    """The latest year's breakdown tables; a group without data says "–" and why in its count."""
    if year is None:
        return []
    labels = dict(SignalValue.Group.choices)
    groups: dict[str, SignalGroup] = {}
    for row in rows:
        if row.period != year:
            continue
        group = groups.get(row.group)
        if group is None:
            group = groups[row.group] = SignalGroup(
                group=row.group,
                heading=_("%(group)s, %(year)s")
                % {"group": labels.get(row.group, row.group), "year": year},
                rows=[],
            )
        basis = ""
        if row.denominator:
            basis = (
                _("%(part)s av %(whole)s")
                % {"part": format_number(row.numerator), "whole": format_number(row.denominator)}
                if row.numerator is not None
                else _("%(whole)s ärenden") % {"whole": format_number(row.denominator)}
            )
        elif row.numerator is not None:
            basis = _("%(part)s, befolkningssiffra saknas") % {"part": format_number(row.numerator)}
        groups[row.group].rows.append((row.label, fmt(row.value), basis))
    return list(groups.values())


def _gender_description(gender: dict[str, dict[int, float | None]], fmt: Formatter) -> str:
    parts = []
    for code, label in ((Gender.WOMEN, _("Kvinnor")), (Gender.MEN, _("Män"))):
        known = known_points(gender.get(code, {}))
        if known:
            parts.append(
                _("%(label)s: %(value)s år %(year)s.")
                % {"label": label, "value": fmt(known[-1][1]), "year": known[-1][0]}
            )
    return " ".join(parts)


def _peer_table(
    kpi_id: str,
    year: int,
    home_id: str,
    home_name: str,
    home_value: float | None,
    comparisons: list[Comparison],
    peer_series: dict[tuple[str, str], dict[int, float]],
    fmt: Formatter,
) -> list[tuple[str, str, bool]]:
    """(name, value, is_home) for the municipality and every peer, largest value first."""
    rows: dict[str, tuple[str, float | None, bool]] = {home_id: (home_name, home_value, True)}
    for comparison in comparisons:
        for member in comparison.members:
            rows.setdefault(
                member.pk, (member.title, peer_series.get((kpi_id, member.pk), {}).get(year), False)
            )
    ordered = sorted(rows.values(), key=lambda r: (r[1] is None, -(r[1] or 0), r[0]))
    return [(name, fmt(value), is_home) for name, value, is_home in ordered]


def _indicator_queryset():
    return (
        Indicator.objects.filter(is_published=True)
        .select_related("kpi")
        .prefetch_related(Prefetch("targets", queryset=IndicatorTarget.objects.order_by("year")))
    )


# --- panels --------------------------------------------------------------------------------------


def _panel(indicators: list[Indicator], *, prefix: str, heading: str) -> Panel | None:
    if not indicators:
        return None
    summaries = summarise(indicators, chart_prefix=prefix)
    return Panel(
        template="indicators/panels/indicators.html",
        context={"indicator_panel": {"summaries": summaries, "heading": heading}},
        title=heading,
    )


def goal_panel(goal: Goal) -> Panel | None:
    """The indicators that measure a goal (directly or through one of its assignments)."""
    seen: dict[int, Indicator] = {}
    for link in (
        IndicatorLink.objects.filter(goal=goal, indicator__is_published=True)
        .select_related("indicator__kpi")
        .order_by("order", "pk")
    ):
        seen.setdefault(link.indicator_id, link.indicator)
    indicators = list(seen.values())
    prefetch_related_objects(
        indicators, Prefetch("targets", queryset=IndicatorTarget.objects.order_by("year"))
    )
    return _panel(indicators, prefix=f"mal-{goal.pk}", heading=_("Indikatorer för målet"))


def assignment_panel(assignment: Assignment) -> Panel | None:
    indicators = list(
        _indicator_queryset()
        .filter(links__assignment=assignment)
        .distinct()
        .order_by("order", "title")
    )
    return _panel(
        indicators, prefix=f"uppdrag-{assignment.pk}", heading=_("Indikatorer för uppdraget")
    )


# --- public pages --------------------------------------------------------------------------------


@dataclass
class IndicatorGroup:
    heading: str
    goal: Goal | None
    goal_url: str
    summaries: list[IndicatorSummary]


def indicator_index() -> list[IndicatorGroup]:
    """Every published indicator, grouped by the goals it measures (newest plan first)."""
    indicators = list(
        _indicator_queryset().prefetch_related(
            Prefetch(
                "links",
                queryset=IndicatorLink.objects.select_related("goal__plan").order_by(
                    "goal__plan__year", "goal__order", "goal__number"
                ),
            )
        )
    )
    summaries = {
        s.indicator.pk: s for s in summarise(indicators, with_peers=False, with_charts=False)
    }
    groups: dict[Any, IndicatorGroup] = {}
    for ind in indicators:
        goals = {link.goal_id: link.goal for link in ind.links.all()}
        for goal in goals.values() or [None]:
            key = goal.pk if goal else None
            if key not in groups:
                heading = (
                    f"{goal.plan.year} · {goal.get_kind_display()} {goal.number}. {goal.title}"
                    if goal
                    else _("Indikatorer som inte hör till ett mål")
                )
                groups[key] = IndicatorGroup(heading, goal, safe_url(goal) if goal else "", [])
            groups[key].summaries.append(summaries[ind.pk])

    def order(group: IndicatorGroup) -> tuple:
        if group.goal is None:
            return (1, 0, 0, "")
        return (0, -group.goal.plan.year, group.goal.order, group.goal.number)

    return sorted(groups.values(), key=order)


@dataclass
class IndicatorDetail:
    summary: IndicatorSummary
    links: list[tuple[str, str]]  # (text, url)
    revisions: int


def indicator_detail(pk: int) -> IndicatorDetail | None:
    indicator = _indicator_queryset().filter(pk=pk).first()
    if indicator is None:
        return None
    summary = summarise([indicator], detail=True, chart_prefix="indikator")[0]
    links = []
    for link in (
        IndicatorLink.objects.filter(indicator=indicator)
        .select_related("goal__plan", "assignment")
        .order_by("-goal__plan__year", "goal__order")
    ):
        goal = link.goal
        text = f"{goal.plan.year} · {goal.get_kind_display()} {goal.number}. {goal.title}"
        if link.assignment is not None:
            links.append((f"{text} – {link.assignment.heading}", safe_url(link.assignment)))
        else:
            links.append((text, safe_url(goal)))
    from insyn.indicators.models import ValueRevision

    revisions = ValueRevision.objects.filter(
        kpi_id=indicator.kpi_id, area_id=home_area()[0]
    ).count()
    return IndicatorDetail(summary=summary, links=links, revisions=revisions)


# --- budget --------------------------------------------------------------------------------------


def current_uploads() -> dict[int, BudgetUpload]:
    """The newest published upload of each year."""
    current: dict[int, BudgetUpload] = {}
    for upload in BudgetUpload.objects.filter(state=BudgetState.PUBLISHED).order_by(
        "year", "uploaded_at", "pk"
    ):
        current[upload.year] = upload
    return current


@dataclass
class BudgetRowView:
    organisation: Organisation
    url: str
    total: Decimal
    total_text: str
    previous_text: str
    change_text: str
    change_percent: str
    change_word: str
    activities: list[tuple[str, str, str]]  # (activity, amount, previous amount)
    assignments: list[tuple[str, str]]


@dataclass
class BudgetView:
    year: int
    years: list[int]
    upload: BudgetUpload | None
    plan: Plan | None
    rows: list[BudgetRowView]
    total_text: str
    previous_total_text: str
    total_change: str
    chart: BarChart | None
    has_previous: bool


def _plan_for(year: int) -> Plan | None:
    plan = Plan.objects.filter(year__lte=year).order_by("-year").first()
    if plan is not None and plan.year != year and plan.last_year and plan.last_year < year:
        return None
    return plan


def budget_view(year: int | None) -> BudgetView | None:
    """The published budget of a year (default: the latest), or None if there is none."""
    uploads = current_uploads()
    years = sorted(uploads, reverse=True)
    if year is None:
        if not years:
            return BudgetView(0, [], None, None, [], "", "", "", None, False)
        year = years[0]
    upload = uploads.get(year)
    if upload is None:
        return BudgetView(year, years, None, None, [], "", "", "", None, False)
    previous = uploads.get(year - 1)
    lines = list(
        BudgetLine.objects.filter(upload__in=[u for u in (upload, previous) if u is not None])
        .select_related("organisation")
        .order_by("row")
    )
    plan = _plan_for(year)
    assignments: dict[int, list[tuple[str, str]]] = defaultdict(list)
    if plan is not None:
        for assignment in (
            Assignment.objects.filter(goal__plan=plan)
            .select_related("goal__plan")  # get_absolute_url: the citable address
            .prefetch_related("responsible_organisations", "responsible_groups")
            .order_by("goal__order", "order", "pk")
        ):
            kinds = {kind for group in assignment.responsible_groups.all() for kind in group.kinds}
            orgs = {org.pk for org in assignment.responsible_organisations.all()}
            text = (
                f"{assignment.goal.get_kind_display()} {assignment.goal.number}, "
                f"{assignment.heading}: {assignment.title[:120]}"
            )
            for line in lines:
                if line.upload_id == upload.pk and (
                    line.organisation_id in orgs
                    or (
                        line.organisation.kind in kinds
                        and line.organisation.is_active_in(plan.year)
                    )
                ):
                    entry = (text, safe_url(assignment))
                    if entry not in assignments[line.organisation_id]:
                        assignments[line.organisation_id].append(entry)
    current: dict[int, dict[str, Decimal]] = defaultdict(dict)
    before: dict[int, dict[str, Decimal]] = defaultdict(dict)
    organisations: dict[int, Organisation] = {}
    for line in lines:
        target = current if line.upload_id == upload.pk else before
        target[line.organisation_id][line.activity] = line.net_cost
        if line.upload_id == upload.pk:
            organisations[line.organisation_id] = line.organisation
    rows = []
    for org_id, org in organisations.items():
        total = sum(current[org_id].values(), Decimal(0))
        previous_total = sum(before[org_id].values(), Decimal(0)) if org_id in before else None
        change_text = change_percent = change_word = ""
        if previous_total is not None:
            difference = total - previous_total
            change_text = ("+" if difference > 0 else "") + with_unit(difference, "mnkr", 1)
            change_percent = format_change_percent(total, previous_total) or ""
            change_word = (
                _("ökning")
                if difference > 0
                else _("minskning")
                if difference < 0
                else _("oförändrat")
            )
        activities = [
            (
                activity or _("Hela nämnden"),
                with_unit(amount, "mnkr", 1),
                with_unit(before[org_id].get(activity), "mnkr", 1)
                if activity in before[org_id]
                else "",
            )
            for activity, amount in current[org_id].items()
            if activity
        ]
        rows.append(
            BudgetRowView(
                organisation=org,
                url=safe_url(org),
                total=total,
                total_text=with_unit(total, "mnkr", 1),
                previous_text=with_unit(previous_total, "mnkr", 1)
                if previous_total is not None
                else "",
                change_text=change_text,
                change_percent=change_percent,
                change_word=change_word,
                activities=activities,
                assignments=assignments.get(org_id, []),
            )
        )
    rows.sort(key=lambda r: -r.total)
    grand = sum((r.total for r in rows), Decimal(0))
    previous_grand = (
        sum((v for org in before.values() for v in org.values()), Decimal(0)) if previous else None
    )
    chart = (
        bar_chart(
            chart_id=f"budget-{year}",
            title=_("Nettokostnad per nämnd %(year)s") % {"year": year},
            description=_(
                "Liggande staplar, en per nämnd, störst först. Störst är %(first)s med "
                "%(amount)s av totalt %(total)s."
            )
            % {
                "first": rows[0].organisation.name if rows else "",
                "amount": rows[0].total_text if rows else "",
                "total": with_unit(grand, "mnkr", 1),
            },
            rows=[(r.organisation.name, float(r.total)) for r in rows],
            unit="mnkr",
        )
        if rows
        else None
    )
    return BudgetView(
        year=year,
        years=years,
        upload=upload,
        plan=plan,
        rows=rows,
        total_text=with_unit(grand, "mnkr", 1),
        previous_total_text=with_unit(previous_grand, "mnkr", 1)
        if previous_grand is not None
        else "",
        total_change=(format_change_percent(grand, previous_grand) or "")
        if previous_grand is not None
        else "",
        chart=chart,
        has_previous=previous is not None,
    )


def organisation_panel(organisation: Organisation) -> Panel | None:
    """The organisation's net cost in the published budgets (the last three years)."""
    uploads = current_uploads()
    if not uploads:
        return None
    year_of = {upload.pk: year for year, upload in uploads.items()}
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for upload_id, net_cost in BudgetLine.objects.filter(
        organisation=organisation, upload_id__in=list(year_of)
    ).values_list("upload_id", "net_cost"):
        totals[year_of[upload_id]] += net_cost
    if not totals:
        return None
    rows = []
    for year in sorted(totals, reverse=True)[:3]:
        change = (
            format_change_percent(totals[year], totals[year - 1]) if year - 1 in totals else None
        )
        rows.append(
            {"year": year, "amount": with_unit(totals[year], "mnkr", 1), "change": change or ""}
        )
    return Panel(
        template="indicators/panels/budget.html",
        context={"budget_panel": {"rows": rows, "organisation": organisation}},
        title=_("Budget"),
    )


# --- staff ---------------------------------------------------------------------------------------


def staff_indicators() -> list[Indicator]:
    return list(
        Indicator.objects.select_related("kpi")
        .prefetch_related(
            Prefetch(
                "links", queryset=IndicatorLink.objects.select_related("goal__plan", "assignment")
            )
        )
        .order_by("order", "title")
    )


def last_import_at() -> dt.datetime | None:
    run = ImportRun.objects.filter(succeeded=True).order_by("-finished_at").first()
    return run.finished_at if run else None


def recent_import_runs(limit: int = 20) -> list[ImportRun]:
    return list(ImportRun.objects.select_related("by").order_by("-started_at", "-pk")[:limit])


def own_values(indicator: Indicator) -> list[Value]:
    return list(
        Value.objects.filter(kpi=indicator.kpi, area_id=home_area()[0]).order_by(
            "-period", "gender"
        )
    )
