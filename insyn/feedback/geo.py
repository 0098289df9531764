"""The municipality's bounds (WGS 84). Polygons, distances and point lookups live in
insyn.organisations.geometry."""

from __future__ import annotations

import math
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


@dataclass(frozen=True)
class Projection:
    """Maps WGS84 inside the bounds to SVG user units (equirectangular, scaled by cos(lat))."""

    bounds: Bounds
    width: float = 600.0

    @property
    def _aspect(self) -> float:
        mid = math.radians((self.bounds.min_lat + self.bounds.max_lat) / 2)
        dx = (self.bounds.max_long - self.bounds.min_long) * math.cos(mid)
        dy = self.bounds.max_lat - self.bounds.min_lat
        return dy / dx if dx else 1.0

    @property
    def height(self) -> float:
        return round(self.width * self._aspect, 1)

    def xy(self, lat: float, long: float) -> tuple[float, float]:
        b = self.bounds
        x = (long - b.min_long) / (b.max_long - b.min_long) * self.width
        y = (b.max_lat - lat) / (b.max_lat - b.min_lat) * self.height
        return round(x, 1), round(y, 1)
