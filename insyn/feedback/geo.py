"""The municipality's bounds (WGS 84). Polygons, distances and point lookups live in
insyn.organisations.geometry."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

# Uppsala kommun, generously: override with settings.FEEDBACK_BOUNDS = (min_lat, max_lat,
# min_long, max_long) for another municipality.
DEFAULT_BOUNDS = (59.6, 60.3, 17.1, 18.2)


@dataclass(frozen=True)
class Bounds:
    min_lat: float
    max_lat: float
    min_long: float
    max_long: float

    def contains(self, lat: float, long: float) -> bool:
        return self.min_lat <= lat <= self.max_lat and self.min_long <= long <= self.max_long


def municipality_bounds() -> Bounds:
    return Bounds(*getattr(settings, "FEEDBACK_BOUNDS", DEFAULT_BOUNDS))
