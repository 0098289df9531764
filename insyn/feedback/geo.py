"""Small, dependency-free geometry for WGS84 points: municipality bounds, areas, distances."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings

# Uppsala kommun, generously: override with settings.FEEDBACK_BOUNDS = (min_lat, max_lat,
# min_long, max_long) for another municipality.
DEFAULT_BOUNDS = (59.6, 60.3, 17.1, 18.2)
EARTH_RADIUS_M = 6_371_000


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


def point_in_polygon(lat: float, long: float, polygon: Sequence[Sequence[float]]) -> bool:
    """Ray casting; polygon is a list of [lat, long] corners (closed or not)."""
    inside = False
    points = [(float(p[0]), float(p[1])) for p in polygon if len(p) >= 2]
    if len(points) < 3:
        return False
    j = len(points) - 1
    for i in range(len(points)):
        yi, xi = points[i]
        yj, xj = points[j]
        if (yi > lat) != (yj > lat):
            cross_x = (xj - xi) * (lat - yi) / (yj - yi) + xi
            if long < cross_x:
                inside = not inside
        j = i
    return inside


def distance_m(lat1: float, long1: float, lat2: float, long2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(long2 - long1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def box_around(lat: float, long: float, metres: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_long, max_long) of a square that contains the circle."""
    dlat = metres / 111_320
    dlong = metres / (111_320 * max(0.01, math.cos(math.radians(lat))))
    return lat - dlat, lat + dlat, long - dlong, long + dlong


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
