"""Population figures per district and age band: what representativeness compares with."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from insyn.dialogue.models import (
    District,
    PopulationFigure,
)


@transaction.atomic
def population_import(*, table: Any) -> tuple[int, int]:
    """Write a parsed PopulationTable; districts are created as needed. Returns (districts,
    figures)."""
    figures = 0
    for order, (name, (code, bands)) in enumerate(table.districts.items(), start=1):
        district, _created = District.objects.get_or_create(
            name=name, defaults={"code": code, "order": order}
        )
        if code and district.code != code:
            district.code = code
            district.save(update_fields=["code"])
        for band, count in bands.items():
            PopulationFigure.objects.update_or_create(
                district=district, age_band=band, year=table.year, defaults={"count": count}
            )
            figures += 1
    return len(table.districts), figures
