"""Demo indicators, peer groups and budget for Uppsala (idempotent; called by insyn load-demo).

Loads the bundled Kolada-format demo files (invented figures, see data/README.md) through the
same import as real data, links the indicators to goals 1 and 4 of the 2023 plan, adds a custom
peer group, an own indicator with values, targets, and a published budget for 2023 and 2024.
"""

from __future__ import annotations

from django.db import transaction

from insyn.goals.models import Goal
from insyn.indicators import services
from insyn.indicators.demo_data import CUSTOM_GROUP, DATA_DIR, KOLADA_GROUP
from insyn.indicators.models import (
    Area,
    BudgetState,
    BudgetUpload,
    Direction,
    ImportRun,
    Indicator,
    IndicatorLink,
    Kpi,
    KpiSource,
    PeerGroup,
    PeerGroupKind,
)
from insyn.indicators.sources import FileSource

# (KPI id, title shown to residents, unit, direction, goal number, {year: target})
INDICATORS = [
    ("N00097", "Nettokostnadsavvikelse", "%", Direction.DECREASE, "1", {2024: 0.0}),
    (
        "N00090",
        "Sjukfrånvaro bland kommunens medarbetare",
        "%",
        Direction.DECREASE,
        "1",
        {2024: 7.0, 2026: 6.5},
    ),
    ("N11805", "Barn 1–5 år i förskola", "%", Direction.INCREASE, "1", {2026: 90.0}),
    (
        "U07414",
        "Invånare som känner sig trygga utomhus när det är mörkt",
        "%",
        Direction.INCREASE,
        "4",
        {2026: 75.0},
    ),
    ("N31807", "Invånare med ekonomiskt bistånd", "%", Direction.DECREASE, "4", {}),
]
OWN_TITLE = "Genomförda trygghetsvandringar"
OWN_VALUES = {2019: 14, 2020: 6, 2021: 11, 2022: 18, 2023: 23, 2024: 27}
PLAN_YEAR = 2023


def _import_kolada_files() -> None:
    run = services.import_kolada(source=FileSource([DATA_DIR]))
    nothing_new = not (run.created or run.changed or run.deleted)
    metadata_unchanged = not Kpi.history.filter(history_date__gte=run.started_at).exists()
    if nothing_new and metadata_unchanged:
        ImportRun.objects.filter(pk=run.pk).delete()  # a no-op re-run leaves no trace


def _goals() -> dict[str, Goal]:
    return {
        goal.number: goal
        for goal in Goal.objects.filter(plan__year=PLAN_YEAR, number__in=["1", "4"])
    }


def _link(indicator: Indicator, goal: Goal | None) -> None:
    if (
        goal is not None
        and not IndicatorLink.objects.filter(
            indicator=indicator, goal=goal, assignment__isnull=True
        ).exists()
    ):
        services.indicator_link(indicator=indicator, goal=goal)


def _indicators(goals: dict[str, Goal]) -> None:
    for order, (kpi_id, title, unit, direction, goal_number, targets) in enumerate(INDICATORS):
        indicator = Indicator.objects.filter(kpi_id=kpi_id).first()
        if indicator is None:
            indicator = services.indicator_create(
                kpi=Kpi.objects.get(pk=kpi_id),
                title=title,
                unit=unit,
                direction=direction,
                is_published=True,
            )
            indicator.order = order
            indicator.save()
        for year, value in targets.items():
            services.target_set(indicator=indicator, year=year, value=value)
        _link(indicator, goals.get(goal_number))
    own = Indicator.objects.filter(kpi__source=KpiSource.OWN, title=OWN_TITLE).first()
    if own is None:
        own = services.indicator_create(
            kpi=None,
            title=OWN_TITLE,
            unit="antal",
            direction=Direction.INCREASE,
            is_published=True,
            description="Trygghetsvandringar som kommunen genomfört tillsammans med boende, "
            "polis och fastighetsägare under året (demovärden).",
        )
        own.order = len(INDICATORS)
        own.save()
    for year, value in OWN_VALUES.items():
        services.own_value_set(indicator=own, period=year, value=float(value))
    services.target_set(indicator=own, year=2025, value=30.0)
    _link(own, goals.get("4"))


def _peer_groups() -> None:
    title, description, members = CUSTOM_GROUP
    group = PeerGroup.objects.filter(kind=PeerGroupKind.CUSTOM, title=title).first()
    services.peer_group_save(
        group=group,
        title=title,
        description=description,
        members=list(Area.objects.filter(pk__in=members)),
        show_on_pages=True,
        order=1,
    )
    kolada = PeerGroup.objects.get(kolada_id=KOLADA_GROUP[0])
    services.peer_group_save(
        group=kolada,
        title=kolada.title,
        description=kolada.description,
        show_on_pages=True,
        order=2,
    )


def _budgets() -> None:
    for year in (2023, 2024):
        name = f"budget-{year}.csv"
        if BudgetUpload.objects.filter(
            year=year, file_name=name, state=BudgetState.PUBLISHED
        ).exists():
            continue
        upload = services.budget_upload(
            year=year,
            file_name=name,
            content=(DATA_DIR / name).read_bytes(),
            note="Demodata, inte verkliga siffror",
        )
        services.budget_publish(upload=upload)


@transaction.atomic
def load_demo() -> str:
    _import_kolada_files()
    _peer_groups()
    _indicators(_goals())
    _budgets()
    return load_signals_demo()


# Resident signals on goal 4 (safety): computed from the demo's own cases and dialogues, which is
# why the indicators demo runs after the feedback and dialogue demos (order 80).
DEMO_SIGNALS = [("FELANMALAN-PER-1000", "4"), ("ATGARDSTID-MEDIAN", "4")]


def load_signals_demo() -> str:
    from django.utils import timezone

    year = timezone.localdate().year
    for computed in (year - 1, year):
        services.signals_compute(year=computed)
    goals = _goals()
    for order, (key, goal_number) in enumerate(DEMO_SIGNALS, start=100):
        kpi_id = services.signal_kpi_id(key)
        indicator = Indicator.objects.filter(kpi_id=kpi_id).first()
        if indicator is None:
            indicator = services.indicator_create(
                kpi=None, title="", signal_key=key, is_published=True
            )
            indicator.order = order
            indicator.save()
        _link(indicator, goals.get(goal_number))
    return f"invånarnas signaler beräknade för {year - 1}–{year}"
