"""Factories for indicator tests."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from insyn.indicators.models import (
    Area,
    AreaType,
    Direction,
    Indicator,
    IndicatorLink,
    IndicatorTarget,
    Kpi,
    KpiSource,
    PeerGroup,
    PeerGroupKind,
    Value,
)
from tests.factories import GoalFactory


class KoladaAreaFactory(factory.django.DjangoModelFactory):
    """One of Kolada's areas (a municipality, region or group): what indicator values are for.
    Not a district: districts are tests.factories.DistrictFactory."""

    class Meta:
        model = Area
        django_get_or_create = ("id",)

    id = factory.Sequence(lambda n: f"{9000 + n:04d}")
    title = factory.Sequence(lambda n: f"Testkommun {n}")
    type = AreaType.MUNICIPALITY


class KpiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kpi
        django_get_or_create = ("id",)

    id = factory.Sequence(lambda n: f"N{90000 + n:05d}")
    source = KpiSource.KOLADA
    title = factory.Sequence(lambda n: f"Testnyckeltal {n}, andel (%)")
    publ_period = "2024"
    publication_date = dt.date(2025, 4, 1)
    fetched_at = factory.LazyFunction(timezone.now)


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    kpi = factory.SubFactory(KpiFactory)
    title = factory.LazyAttribute(lambda o: o.kpi.title)
    unit = "%"
    direction = Direction.INCREASE
    is_published = True


class LinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorLink

    indicator = factory.SubFactory(IndicatorFactory)
    goal = factory.SubFactory(GoalFactory)


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorTarget

    indicator = factory.SubFactory(IndicatorFactory)
    year = 2026
    value = 80.0


class PeerGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PeerGroup

    kind = PeerGroupKind.CUSTOM
    title = factory.Sequence(lambda n: f"Jämförelsegrupp {n}")
    show_on_pages = True


def add_series(
    kpi: Kpi,
    area: Area | str,
    values: dict[int, float | None],
    *,
    gender: str = "T",
    count: int | None = 1,
) -> None:
    area_id = area if isinstance(area, str) else area.pk
    now = timezone.now()
    Value.objects.bulk_create(
        [
            Value(
                kpi=kpi,
                area_id=area_id,
                period=year,
                gender=gender,
                value=value,
                count=count,
                fetched_at=now,
                publ_period=kpi.publ_period,
                source_ref="test",
            )
            for year, value in values.items()
        ]
    )
