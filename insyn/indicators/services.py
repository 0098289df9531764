"""Every change to indicators, Kolada data, peer groups and the budget.

Checklist — adding another indicator source (besides Kolada and staff-entered own values):
1. Write a pure parser that yields ``kolada.Page`` objects (or reuse ``kolada.DataValue``) and
   raises a subclass of ``KoladaImportError`` naming the file and item on bad input.
2. Give it a ``PageSource`` (``metadata_pages()``, ``data_pages()``, ``description``) in
   ``sources.py`` and feed it to :func:`import_kolada`, which writes in one transaction, keeps
   provenance on each value and a ``ValueRevision`` for every value it changes or deletes.
3. Register its Kpi rows with their own ``KpiSource`` so pages label the numbers correctly:
   only ``KpiSource.KOLADA`` values are shown with "Källa: Kolada".

Resident signals (``KpiSource.INSYN``) are not imported but computed: a feature app registers
an ``insyn.core.registry.Signal`` and :func:`signals_compute` (``insyn compute-signals``) stores
each year's municipality value as a ``Value`` of the home area and the breakdown as
``SignalValue`` rows, so pages never compute them live.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from insyn.core import registry
from insyn.core.errors import ServiceError, StaleEdit
from insyn.core.publication import bump_publication_version
from insyn.goals.models import Assignment, Goal, Plan
from insyn.indicators.budget_parser import parse_budget
from insyn.indicators.kolada import (
    AreaMeta,
    DataValue,
    GroupMeta,
    KoladaFormatError,
    KpiMeta,
    Page,
    default_unit,
    infer_area_type,
)
from insyn.indicators.models import (
    Area,
    AreaType,
    BudgetLine,
    BudgetState,
    BudgetUpload,
    Direction,
    Gender,
    ImportRun,
    Indicator,
    IndicatorLink,
    IndicatorTarget,
    Kpi,
    KpiSource,
    PeerGroup,
    PeerGroupKind,
    SignalValue,
    Value,
    ValueRevision,
)
from insyn.indicators.sources import PageSource
from insyn.organisations.models import Organisation, OrganisationAlias, OrganisationKind
from insyn.organisations.selectors import current_municipality

BATCH = 1000


def home_area_id() -> str:
    municipality = current_municipality()
    return municipality.code if municipality else settings.INSYN_MUNICIPALITY_CODE


def ensure_home_area() -> Area:
    code = home_area_id()
    municipality = current_municipality()
    area = Area.objects.filter(pk=code).first()
    if area is None:
        title = municipality.short_name if municipality else code
        area = Area.objects.create(id=code, title=title, type=AreaType.MUNICIPALITY)
    return area


# --- Kolada import --------------------------------------------------------------------------------


class _Writer:
    """Writes one import run's pages; the caller holds the transaction."""

    def __init__(self, run: ImportRun, fetched_at: dt.datetime | None) -> None:
        self.run = run
        self.fetched_at = fetched_at
        self.known_kpis: dict[str, str] = {}  # id -> source
        self.publication: dict[str, tuple[str, dt.date | None]] = {}
        self.known_areas: set[str] = set(Area.objects.values_list("pk", flat=True))
        self.created_areas: list[str] = []
        self.warnings: list[str] = []
        self.kpi_ids: set[str] = set()
        self.area_ids: set[str] = set()
        self.group_ids: set[str] = set()
        self._publication_db: dict[str, tuple[str, Any]] = {}

    def when(self, page: Page) -> dt.datetime:
        return page.fetched_at or self.fetched_at or self.run.started_at

    # metadata

    def metadata(self, page: Page) -> None:
        self.warnings.extend(page.warnings)
        if page.entity == "kpi":
            self._kpis(page, [item for item in page.items if isinstance(item, KpiMeta)])
        elif page.entity in {"municipality", "ou"}:
            self._areas([item for item in page.items if isinstance(item, AreaMeta)])
        elif page.entity == "municipality_groups":
            self._groups([item for item in page.items if isinstance(item, GroupMeta)])

    def _kpis(self, page: Page, items: list[KpiMeta]) -> None:
        existing = Kpi.objects.in_bulk([item.id for item in items])
        for index, meta in enumerate(items):
            values = {
                "title": meta.title,
                "description": meta.description,
                "is_divided_by_gender": meta.is_divided_by_gender,
                "municipality_type": meta.municipality_type,
                "operating_area": meta.operating_area,
                "perspective": meta.perspective,
                "auspice": meta.auspice,
                "publication_date": meta.publication_date,
                "prel_publication_date": meta.prel_publication_date,
                "publ_period": meta.publ_period,
                "has_ou_data": meta.has_ou_data,
                "unit": meta.unit,
            }
            kpi = existing.get(meta.id)
            if kpi is None:
                kpi = Kpi(
                    id=meta.id,
                    source=KpiSource.KOLADA,
                    fetched_at=self.when(page),
                    source_ref=page.source[:500],
                    **values,
                )
                kpi.save()
                existing[meta.id] = kpi
            elif kpi.source != KpiSource.KOLADA:
                raise KoladaFormatError(
                    f"id {meta.id} används redan av en egen serie, inte av Kolada",
                    source=page.source,
                    item=f"post {index} (kpi {meta.id})",
                )
            else:
                changed = [name for name, value in values.items() if getattr(kpi, name) != value]
                if changed:
                    for name in changed:
                        setattr(kpi, name, values[name])
                    kpi.fetched_at = self.when(page)
                    kpi.source_ref = page.source[:500]
                    kpi.save()
            self.known_kpis[meta.id] = KpiSource.KOLADA
            self.publication[meta.id] = (meta.publ_period, meta.publication_date)
            self.kpi_ids.add(meta.id)

    def _areas(self, items: list[AreaMeta]) -> None:
        existing = Area.objects.in_bulk([item.id for item in items])
        new, changed = [], []
        for meta in items:
            area = existing.get(meta.id)
            if area is None:
                area = Area(
                    id=meta.id, title=meta.title, type=meta.type, municipality=meta.municipality
                )
                new.append(area)
                existing[meta.id] = area
            elif (area.title, area.type, area.municipality) != (
                meta.title,
                meta.type,
                meta.municipality,
            ):
                area.title, area.type, area.municipality = meta.title, meta.type, meta.municipality
                changed.append(area)
            self.area_ids.add(meta.id)
        Area.objects.bulk_create(new, batch_size=BATCH)
        Area.objects.bulk_update(changed, ["title", "type", "municipality"], batch_size=BATCH)
        self.known_areas.update(area.id for area in new)

    def _ensure_areas(self, titles: dict[str, str]) -> None:
        missing = [area_id for area_id in titles if area_id not in self.known_areas]
        if missing:
            Area.objects.bulk_create(
                [
                    Area(
                        id=area_id, title=titles[area_id] or area_id, type=infer_area_type(area_id)
                    )
                    for area_id in missing
                ],
                batch_size=BATCH,
            )
            self.known_areas.update(missing)
            self.created_areas.extend(missing)

    def _groups(self, items: list[GroupMeta]) -> None:
        for meta in items:
            self._ensure_areas({member_id: title for member_id, title in meta.members})
            group_area = Area.objects.filter(pk=meta.id).first()
            if group_area is None:
                Area.objects.create(id=meta.id, title=meta.title, type=AreaType.GROUP)
                self.known_areas.add(meta.id)
            elif (group_area.title, group_area.type) != (meta.title, AreaType.GROUP):
                group_area.title, group_area.type = meta.title, AreaType.GROUP
                group_area.save()
            group = PeerGroup.objects.filter(kolada_id=meta.id).first()
            if group is None:
                group = PeerGroup.objects.create(
                    kind=PeerGroupKind.KOLADA, kolada_id=meta.id, title=meta.title
                )
            elif group.title != meta.title or group.kind != PeerGroupKind.KOLADA:
                group.title, group.kind = meta.title, PeerGroupKind.KOLADA
                group.save()
            wanted = {member_id for member_id, _ in meta.members}
            if set(group.members.values_list("pk", flat=True)) != wanted:
                group.members.set(list(wanted))  # type: ignore[arg-type]
            self.group_ids.add(meta.id)

    # data

    def _check_kpis(self, page: Page, values: list[DataValue]) -> None:
        unknown = {value.kpi for value in values} - set(self.known_kpis)
        if unknown:
            for kpi_id, source, publ_period, publication_date in Kpi.objects.filter(
                pk__in=unknown
            ).values_list("pk", "source", "publ_period", "publication_date"):
                self.known_kpis[kpi_id] = source
                self.publication[kpi_id] = (publ_period, publication_date)
        for value in values:
            kpi_source = self.known_kpis.get(value.kpi)
            if kpi_source == KpiSource.KOLADA:
                continue
            item = (
                f"post {value.index} (kpi {value.kpi}, kommun {value.area}, period {value.period})"
            )
            if kpi_source is None:
                raise KoladaFormatError(
                    f"okänd KPI {value.kpi}: den finns varken i importens KPI-metadata eller i "
                    "databasen",
                    source=page.source,
                    item=item,
                )
            raise KoladaFormatError(
                f"{value.kpi} är en egen serie och tar inte emot Kolada-data",
                source=page.source,
                item=item,
            )

    def data(self, page: Page) -> None:
        self.warnings.extend(page.warnings)
        values = [item for item in page.items if isinstance(item, DataValue)]
        if not values:
            return
        self._check_kpis(page, values)
        self._ensure_areas({value.area: "" for value in values})
        incoming: dict[tuple[str, str, int, str], DataValue] = {}
        for value in values:
            key = (value.kpi, value.area, value.period, value.gender)
            if key in incoming:
                raise KoladaFormatError(
                    f"samma värde förekommer två gånger på sidan (även post {incoming[key].index})",
                    source=page.source,
                    item=f"post {value.index} (kpi {value.kpi}, kommun {value.area}, "
                    f"period {value.period}, kön {value.gender})",
                )
            incoming[key] = value
        existing: dict[tuple[str, str, int, str], tuple[int, Any, Any, str]] = {}
        for pk, kpi_id, area_id, period, gender, amount, count, status in Value.objects.filter(
            kpi_id__in={v.kpi for v in values},
            area_id__in={v.area for v in values},
            period__in={v.period for v in values},
        ).values_list("pk", "kpi_id", "area_id", "period", "gender", "value", "count", "status"):
            existing[(kpi_id, area_id, period, gender)] = (pk, amount, count, status)
        fetched_at = self._db_datetime(self.when(page))
        source_ref = page.source[:500]
        run_id = self.run.pk
        new: list[tuple[Any, ...]] = []
        updates: list[tuple[Any, ...]] = []
        revised: dict[int, str] = {}
        deleted: list[int] = []
        for key, item in incoming.items():
            row = existing.get(key)
            if item.deleted:
                if row is not None:
                    revised[row[0]] = ValueRevision.Change.DELETED
                    deleted.append(row[0])
                    self.run.deleted += 1
                continue
            publ_period, publication_date = self._publication(item.kpi)
            if item.value is None:
                self.run.missing += 1
            if row is None:
                new.append(
                    (
                        item.kpi,
                        item.area,
                        item.period,
                        item.gender,
                        item.value,
                        item.count,
                        item.status,
                        fetched_at,
                        publ_period,
                        publication_date,
                        source_ref,
                        run_id,
                    )
                )
                self.run.created += 1
            elif (row[1], row[2], row[3]) != (item.value, item.count, item.status):
                revised[row[0]] = ValueRevision.Change.CHANGED
                updates.append(
                    (
                        item.value,
                        item.count,
                        item.status,
                        fetched_at,
                        publ_period,
                        publication_date,
                        source_ref,
                        run_id,
                        row[0],
                    )
                )
                self.run.changed += 1
            else:
                self.run.unchanged += 1
        self._keep_revisions(revised)
        for start in range(0, len(deleted), BATCH):
            Value.objects.filter(pk__in=deleted[start : start + BATCH]).delete()
        _insert_values(new)
        _execute_many(_update_sql(), updates)

    def _db_datetime(self, value: dt.datetime) -> Any:
        return Value._meta.get_field("fetched_at").get_db_prep_save(value, connection)

    def _publication(self, kpi_id: str) -> tuple[str, Any]:
        cached = self._publication_db.get(kpi_id)
        if cached is None:
            publ_period, publication_date = self.publication.get(kpi_id, ("", None))
            cached = (
                publ_period,
                Value._meta.get_field("publication_date").get_db_prep_save(
                    publication_date, connection
                ),
            )
            self._publication_db[kpi_id] = cached
        return cached

    def _keep_revisions(self, revised: dict[int, str]) -> None:
        """Copy the rows about to change or go into ValueRevision (one query per 500)."""
        ids = list(revised)
        for start in range(0, len(ids), 500):
            rows = Value.objects.filter(pk__in=ids[start : start + 500]).values_list(
                "pk",
                "kpi_id",
                "area_id",
                "period",
                "gender",
                "value",
                "count",
                "status",
                "fetched_at",
                "publ_period",
                "publication_date",
                "source_ref",
            )
            ValueRevision.objects.bulk_create(
                [
                    ValueRevision(
                        kpi_id=kpi_id,
                        area_id=area_id,
                        period=period,
                        gender=gender,
                        value=value,
                        count=count,
                        status=status,
                        fetched_at=fetched_at,
                        publ_period=publ_period,
                        publication_date=publication_date,
                        source_ref=source_ref,
                        change=revised[pk],
                        replaced_at=self.run.started_at,
                        replaced_by=self.run,
                    )
                    for (
                        pk,
                        kpi_id,
                        area_id,
                        period,
                        gender,
                        value,
                        count,
                        status,
                        fetched_at,
                        publ_period,
                        publication_date,
                        source_ref,
                    ) in rows
                ],
                batch_size=BATCH,
            )


_INSERT_FIELDS = (
    "kpi",
    "area",
    "period",
    "gender",
    "value",
    "count",
    "status",
    "fetched_at",
    "publ_period",
    "publication_date",
    "source_ref",
    "run",
)
_UPDATE_FIELDS = (
    "value",
    "count",
    "status",
    "fetched_at",
    "publ_period",
    "publication_date",
    "source_ref",
    "run",
)


def _column(name: str) -> str:
    field = Value._meta.get_field(name)
    if not isinstance(field, models.Field) or field.column is None:
        raise ValueError(f"{name} is not a column of Value")
    return connection.ops.quote_name(field.column)


def _insert_sql() -> str:
    table = connection.ops.quote_name(Value._meta.db_table)
    columns = ", ".join(_column(name) for name in _INSERT_FIELDS)
    return f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(_INSERT_FIELDS))})"


def _update_sql() -> str:
    table = connection.ops.quote_name(Value._meta.db_table)
    assignments = ", ".join(f"{_column(name)} = %s" for name in _UPDATE_FIELDS)
    return f"UPDATE {table} SET {assignments} WHERE {_column('id')} = %s"


def _insert_values(rows: list[tuple[Any, ...]]) -> None:
    """New values: COPY on PostgreSQL (one stream instead of a statement per row), else
    executemany (SQLite runs in this process, where that is already fast)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        _execute_many(_insert_sql(), rows)
        return
    table = connection.ops.quote_name(Value._meta.db_table)
    columns = ", ".join(_column(name) for name in _INSERT_FIELDS)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _execute_many(sql: str, rows: list[tuple[Any, ...]]) -> None:
    """Plain executemany: the ORM's bulk_create costs ten times as much for a million rows."""
    if not rows:
        return
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])


@transaction.atomic
def import_kolada(
    *, source: PageSource, by: Any = None, fetched_at: dt.datetime | None = None
) -> ImportRun:
    """Import KPI metadata, areas, groups and data from a page source, all or nothing.

    Idempotent: a value that is already stored unchanged is not written again (it keeps its
    provenance); a changed or deleted value leaves its former self in ValueRevision.
    Raises KoladaImportError (and writes nothing) on any bad page.
    """
    run = ImportRun.objects.create(
        started_at=timezone.now(),
        description=source.description[:2000],
        by=by if getattr(by, "pk", None) else None,
    )
    writer = _Writer(run, fetched_at)
    for page in source.metadata_pages():
        writer.metadata(page)
    for page in source.data_pages():
        writer.data(page)
    run.kpis = len(writer.kpi_ids)
    run.areas = len(writer.area_ids)
    run.groups = len(writer.group_ids)
    notes = list(writer.warnings)
    if writer.created_areas:
        shown = ", ".join(sorted(writer.created_areas)[:20])
        notes.append(
            f"{len(writer.created_areas)} områden fanns inte i metadata och skapades "
            f"med id som namn: {shown}"
        )
    run.message = "\n".join(notes)[:20_000]
    run.finished_at = timezone.now()
    run.succeeded = True
    run.save()
    return run


def record_failed_import(*, description: str, message: str, by: Any = None) -> ImportRun:
    """Keep a note of a failed run (its writes were rolled back) for the staff overview."""
    now = timezone.now()
    return ImportRun.objects.create(
        started_at=now,
        finished_at=now,
        succeeded=False,
        description=description[:2000],
        message=message[:20_000],
        by=by if getattr(by, "pk", None) else None,
    )


# --- Indicators -----------------------------------------------------------------------------------


def _own_kpi_id() -> str:
    number = Kpi.objects.filter(source=KpiSource.OWN).count() + 1
    while Kpi.objects.filter(pk=f"EGEN-{number}").exists():
        number += 1
    return f"EGEN-{number}"


@transaction.atomic
def indicator_create(
    *,
    kpi: Kpi | None,
    title: str,
    description: str = "",
    unit: str = "",
    direction: str = Direction.NONE,
    is_published: bool = False,
    is_divided_by_gender: bool = False,
    signal_key: str = "",
    by: Any = None,
) -> Indicator:
    """A Kolada indicator (kpi given), a resident signal (signal_key given) or, with neither,
    the municipality's own series."""
    if signal_key:
        signal = signal_by_key(signal_key)
        if signal is None:
            raise ServiceError({"signal": _("Signalen finns inte.")})
        kpi = signal_kpi(signal)
        if not unit.strip():
            unit = str(signal.unit)
        if direction == Direction.NONE:
            direction = signal.direction
    elif kpi is None:
        if not title.strip():
            raise ServiceError({"title": _("Ange en rubrik för den egna indikatorn.")})
        kpi = Kpi.objects.create(
            id=_own_kpi_id(),
            source=KpiSource.OWN,
            title=title.strip(),
            description=description,
            is_divided_by_gender=is_divided_by_gender,
        )
    indicator = Indicator.objects.create(
        kpi=kpi,
        title=(title.strip() or kpi.title)[:300],
        description=description,
        unit=unit.strip() or kpi.unit or default_unit(kpi.title),
        direction=direction,
        is_published=is_published,
    )
    return indicator


class IndicatorChanged(StaleEdit):
    """Someone else saved the indicator after the page was loaded; nothing was written.
    `current` is their version."""

    current: Indicator
    sentence = gettext_lazy(
        "Någon annan har sparat indikatorn sedan du öppnade sidan. Dina ändringar är "
        "inte sparade. Jämför med den sparade versionen och spara igen."
    )


@transaction.atomic
def indicator_update(
    *,
    indicator: Indicator,
    title: str,
    description: str,
    unit: str,
    direction: str,
    is_published: bool,
    by: Any = None,
    seen: dt.datetime | None = None,
) -> Indicator:
    """The indicator's own texts and publication. `seen`: its updated_at when the page was
    loaded; IndicatorChanged if someone else has saved it since."""
    current = Indicator.objects.select_for_update().get(pk=indicator.pk)
    if seen is not None and current.updated_at != seen:
        raise IndicatorChanged(current)
    indicator.title = (title.strip() or indicator.kpi.title)[:300]
    indicator.description = description
    indicator.unit = unit.strip()
    indicator.direction = direction
    indicator.is_published = is_published
    indicator.save()
    if indicator.kpi.source == KpiSource.OWN and indicator.kpi.title != indicator.title:
        indicator.kpi.title = indicator.title
        indicator.kpi.save()
    return indicator


@transaction.atomic
def indicator_link(
    *, indicator: Indicator, goal: Goal, assignment: Assignment | None = None, by: Any = None
) -> IndicatorLink:
    if assignment is not None and assignment.goal_id != goal.pk:
        raise ServiceError({"assignment": _("Uppdraget hör inte till det valda målet.")})
    exists = IndicatorLink.objects.filter(
        indicator=indicator, goal=goal, assignment=assignment
    ).exists()
    if exists:
        raise ServiceError(_("Indikatorn är redan kopplad dit."))
    order = IndicatorLink.objects.filter(goal=goal).count()
    return IndicatorLink.objects.create(
        indicator=indicator, goal=goal, assignment=assignment, order=order
    )


@transaction.atomic
def indicator_unlink(*, link: IndicatorLink, by: Any = None) -> None:
    link.delete()


@transaction.atomic
def target_set(
    *, indicator: Indicator, year: int, value: float, note: str = "", by: Any = None
) -> IndicatorTarget:
    target = IndicatorTarget.objects.filter(indicator=indicator, year=year).first()
    if target is None:
        return IndicatorTarget.objects.create(
            indicator=indicator, year=year, value=value, note=note
        )
    if (target.value, target.note) != (value, note):
        target.value, target.note = value, note
        target.save()
    return target


@transaction.atomic
def target_delete(*, target: IndicatorTarget, by: Any = None) -> None:
    target.delete()


def _own_run(by: Any, text: str) -> ImportRun:
    now = timezone.now()
    return ImportRun.objects.create(
        started_at=now,
        finished_at=now,
        succeeded=True,
        description=text[:2000],
        by=by if getattr(by, "pk", None) else None,
    )


@transaction.atomic
def own_value_set(
    *,
    indicator: Indicator,
    period: int,
    value: float | None,
    gender: str = Gender.TOTAL,
    by: Any = None,
) -> Value:
    """Enter (or correct) a value of an own indicator; a correction keeps the old one."""
    if indicator.kpi.source != KpiSource.OWN:
        raise ServiceError(
            _(
                "Bara kommunens egna indikatorer får värden inmatade här; "
                "Kolada-värden kommer från importen."
            )
        )
    area = ensure_home_area()
    now = timezone.now()
    who = getattr(by, "get_username", lambda: "")() if by is not None else ""
    source_ref = f"Inmatat av {who}".strip() if who else "Inmatat av personal"
    row = Value.objects.filter(kpi=indicator.kpi, area=area, period=period, gender=gender).first()
    if row is None:
        run = _own_run(by, f"Eget värde: {indicator.kpi_id} {period}")
        run.created = 1
        run.save()
        return Value.objects.create(
            kpi=indicator.kpi,
            area=area,
            period=period,
            gender=gender,
            value=value,
            count=1,
            fetched_at=now,
            source_ref=source_ref,
            run=run,
        )
    if row.value == value:
        return row
    run = _own_run(by, f"Eget värde ändrat: {indicator.kpi_id} {period}")
    run.changed = 1
    run.save()
    ValueRevision.objects.create(
        kpi_id=row.kpi_id,
        area_id=row.area_id,
        period=row.period,
        gender=row.gender,
        value=row.value,
        count=row.count,
        status=row.status,
        fetched_at=row.fetched_at,
        publ_period=row.publ_period,
        publication_date=row.publication_date,
        source_ref=row.source_ref,
        change=ValueRevision.Change.CHANGED,
        replaced_at=now,
        replaced_by=run,
    )
    row.value, row.fetched_at, row.source_ref, row.run = value, now, source_ref, run
    row.save()
    return row


@transaction.atomic
def own_value_delete(
    *, indicator: Indicator, period: int, gender: str = Gender.TOTAL, by: Any = None
) -> None:
    if indicator.kpi.source != KpiSource.OWN:
        raise ServiceError(_("Kolada-värden kan bara tas bort av importen."))
    row = Value.objects.filter(
        kpi=indicator.kpi, area_id=home_area_id(), period=period, gender=gender
    ).first()
    if row is None:
        return
    now = timezone.now()
    run = _own_run(by, f"Eget värde borttaget: {indicator.kpi_id} {period}")
    run.deleted = 1
    run.save()
    ValueRevision.objects.create(
        kpi_id=row.kpi_id,
        area_id=row.area_id,
        period=row.period,
        gender=row.gender,
        value=row.value,
        count=row.count,
        status=row.status,
        fetched_at=row.fetched_at,
        publ_period=row.publ_period,
        publication_date=row.publication_date,
        source_ref=row.source_ref,
        change=ValueRevision.Change.DELETED,
        replaced_at=now,
        replaced_by=run,
    )
    row.delete()


# --- Peer groups ----------------------------------------------------------------------------------


@transaction.atomic
def peer_group_save(
    *,
    group: PeerGroup | None,
    title: str,
    description: str = "",
    members: list[Area] | None = None,
    show_on_pages: bool = False,
    order: int = 0,
    by: Any = None,
) -> PeerGroup:
    """Create or edit a custom group; for a Kolada group only display settings change."""
    if group is not None and group.kind == PeerGroupKind.KOLADA:
        if (group.show_on_pages, group.order, group.description) != (
            show_on_pages,
            order,
            description,
        ):
            group.show_on_pages, group.order, group.description = (
                show_on_pages,
                order,
                description,
            )
            group.save()
        return group
    if not title.strip():
        raise ServiceError({"title": _("Ange ett namn på jämförelsegruppen.")})
    member_list = list(members or [])
    if any(area.type not in (AreaType.MUNICIPALITY, AreaType.REGION) for area in member_list):
        raise ServiceError({"members": _("En jämförelsegrupp består av kommuner eller regioner.")})
    if group is None:
        group = PeerGroup.objects.create(
            kind=PeerGroupKind.CUSTOM,
            title=title.strip(),
            description=description,
            show_on_pages=show_on_pages,
            order=order,
        )
    elif (group.title, group.description, group.show_on_pages, group.order) != (
        title.strip(),
        description,
        show_on_pages,
        order,
    ):
        group.title, group.description = title.strip(), description
        group.show_on_pages, group.order = show_on_pages, order
        group.save()
    if set(group.members.values_list("pk", flat=True)) != {area.pk for area in member_list}:
        group.members.set(member_list)
    return group


@transaction.atomic
def peer_group_delete(*, group: PeerGroup, by: Any = None) -> None:
    if group.kind == PeerGroupKind.KOLADA:
        raise ServiceError(_("Kolada-grupper tas inte bort här; dölj dem i jämförelserna."))
    group.delete()


# --- Budget ---------------------------------------------------------------------------------------


@dataclass
class BudgetUploadError(Exception):
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(self.errors)


def _organisation_lookup() -> dict[str, Organisation]:
    lookup: dict[str, Organisation] = {}
    organisations = list(Organisation.objects.all())
    for org in organisations:
        lookup.setdefault(org.name.casefold(), org)
    for org in organisations:
        if org.short_name:
            lookup.setdefault(org.short_name.casefold(), org)
    for alias in OrganisationAlias.objects.select_related("organisation"):
        lookup.setdefault(alias.alias.casefold(), alias.organisation)
    return lookup


@transaction.atomic
def budget_upload(
    *, year: int, file_name: str, content: bytes, by: Any = None, note: str = ""
) -> BudgetUpload:
    """Validate and save an uploaded budget as a draft; on any error raise and save nothing."""
    parsed = parse_budget(content, file_name=file_name)
    errors = list(parsed.errors)
    lookup = _organisation_lookup()
    resolved: list[tuple[Any, Organisation]] = []
    totals: dict[int, int] = {}
    activities: dict[int, int] = {}
    for row in parsed.rows:
        org = lookup.get(row.organisation.casefold())
        if org is None:
            errors.append(
                _("Rad %(row)s: nämnden ”%(name)s” finns inte i organisationsregistret.")
                % {"row": row.row, "name": row.organisation}
            )
            continue
        if org.kind == OrganisationKind.EXTERNAL:
            errors.append(
                _("Rad %(row)s: ”%(name)s” är ingen nämnd eller bolag i kommunen.")
                % {"row": row.row, "name": org.name}
            )
            continue
        if not org.is_active_in(year):
            errors.append(
                _("Rad %(row)s: ”%(name)s” fanns inte år %(year)s.")
                % {"row": row.row, "name": org.name, "year": year}
            )
            continue
        (activities if row.activity else totals).setdefault(org.pk, row.row)
        if org.pk in totals and org.pk in activities:
            errors.append(
                _(
                    "Rad %(row)s: ”%(name)s” har både en totalrad (utan verksamhet) "
                    "och rader per verksamhet; använd det ena eller det andra."
                )
                % {"row": row.row, "name": org.name}
            )
            continue
        resolved.append((row, org))
    duplicates: dict[tuple[int, str], int] = {}
    for row, org in resolved:
        key = (org.pk, row.activity.casefold())
        if key in duplicates:
            errors.append(
                _(
                    "Rad %(row)s: ”%(name)s” %(activity)s finns redan på rad %(first)s "
                    "(under ett annat namn)."
                )
                % {
                    "row": row.row,
                    "name": org.name,
                    "activity": row.activity,
                    "first": duplicates[key],
                }
            )
        duplicates.setdefault(key, row.row)
    if errors:
        raise BudgetUploadError(errors)
    upload = BudgetUpload.objects.create(
        year=year,
        plan=Plan.objects.filter(year=year).first(),
        file_name=file_name[:255],
        note=note[:300],
        uploaded_by=by if getattr(by, "pk", None) else None,
        uploaded_at=timezone.now(),
    )
    BudgetLine.objects.bulk_create(
        [
            BudgetLine(
                upload=upload,
                organisation=org,
                activity=row.activity,
                net_cost=row.net_cost,
                row=row.row,
            )
            for row, org in resolved
        ]
    )
    return upload


@transaction.atomic
def budget_publish(*, upload: BudgetUpload, by: Any = None) -> BudgetUpload:
    if upload.state != BudgetState.PUBLISHED:
        upload.state = BudgetState.PUBLISHED
        upload.published_at = timezone.now()
        upload.save()
    return upload


@transaction.atomic
def budget_delete_draft(*, upload: BudgetUpload, by: Any = None) -> None:
    if upload.state != BudgetState.DRAFT:
        raise ServiceError(_("En publicerad budget tas inte bort; ladda upp en ny version."))
    upload.delete()


# --- Resident signals ---------------------------------------------------------------------------

SIGNAL_PREFIX = "INSYN-"


def signal_kpi_id(key: str) -> str:
    return f"{SIGNAL_PREFIX}{key}"


def signal_by_key(key: str) -> registry.Signal | None:
    return next((s for s in registry.signals() if s.key == key), None)


def signal_kpi(signal: registry.Signal) -> Kpi:
    """The Kpi row of a registered signal, created or brought up to date with its method."""
    kpi, _created = Kpi.objects.update_or_create(
        pk=signal_kpi_id(signal.key),
        defaults={
            "source": KpiSource.INSYN,
            "title": str(signal.title),
            "description": str(signal.method),
            "unit": str(signal.unit),
            "source_ref": "insyn compute-signals",
        },
    )
    return kpi


@transaction.atomic
def signals_compute(*, year: int, now: dt.datetime | None = None) -> int:
    """Compute every registered resident signal for the calendar year and store it, replacing
    what an earlier run stored for that year. Returns the number of values written."""
    now = now or timezone.now()
    home = ensure_home_area()
    written = 0
    for signal in registry.signals():
        kpi = signal_kpi(signal)
        rows = signal.compute(year)
        total = next((row for row in rows if row.group == "total"), None)
        Value.objects.update_or_create(
            kpi=kpi,
            area=home,
            period=year,
            gender=Gender.TOTAL,
            defaults={
                "value": total.value if total else None,
                "count": int(total.denominator) if total and total.denominator else None,
                "fetched_at": now,
                "publ_period": str(year),
                "source_ref": "insyn compute-signals",
            },
        )
        SignalValue.objects.filter(kpi=kpi, period=year).delete()
        breakdown = [
            SignalValue(
                kpi=kpi,
                period=year,
                group=row.group,
                key=row.key[:40],
                label=row.label[:300],
                value=row.value,
                numerator=row.numerator,
                denominator=row.denominator,
                order=order,
                computed_at=now,
            )
            for order, row in enumerate(rows)
            if row.group != "total"
        ]
        SignalValue.objects.bulk_create(breakdown)
        written += 1 + len(breakdown)
    bump_publication_version()
    return written
