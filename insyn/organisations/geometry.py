"""Geometry of districts and points, in one place: parsing GeoJSON, coordinate systems,
point-in-polygon. Everything that asks "which district is this point in?" or "is this point
within r metres?" comes here — feedback routing, statistics per district, the public map's
filters and Open311's lat/long/radius.

Stored geometry is GeoJSON in WGS 84 (EPSG:4326) with GeoJSON's axis order (longitude,
latitude). Files in SWEREF 99 TM (EPSG:3006, the Swedish national grid that municipalities'
GIS systems export) are transformed with pyproj; polygons are checked and tested with shapely
(GEOS). A point on a border is *covered* by both districts: ties go to the smaller district,
then to the lower `order`, so the answer never depends on query order.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import shapely
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Point, Polygon, mapping, shape
from shapely.strtree import STRtree
from shapely.validation import explain_validity

WGS84 = 4326
SWEREF99TM = 3006
SUPPORTED_CRS = {WGS84: "WGS 84", SWEREF99TM: "SWEREF 99 TM"}
EARTH_RADIUS_M = 6_371_000
DECIMALS = 7  # ~1 cm in WGS 84


class GeometryError(ValueError):
    """Input geometry that cannot be used; the message is Swedish and says what is wrong."""


# --- Coordinate systems -----------------------------------------------------------------------


def crs_from_name(name: str) -> int:
    """EPSG code of a GeoJSON `crs` name: 'EPSG:3006', 'urn:ogc:def:crs:EPSG::3006', CRS84."""
    text = (name or "").strip().upper()
    if text.endswith("CRS84") or text.endswith("CRS:84"):
        return WGS84
    digits = text.rsplit(":", 1)[-1]
    if digits.isdigit() and int(digits) in SUPPORTED_CRS:
        return int(digits)
    raise GeometryError(
        f"Koordinatsystemet {name!r} stöds inte. Använd WGS 84 (EPSG:4326) eller "
        "SWEREF 99 TM (EPSG:3006)."
    )


@lru_cache(maxsize=8)
def _transformer(source: int, target: int) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def transform_point(x: float, y: float, source: int, target: int) -> tuple[float, float]:
    """(x, y) in `source` → (x, y) in `target`; x is easting/longitude, y northing/latitude."""
    if source == target:
        return x, y
    return _transformer(source, target).transform(x, y)


def sweref_to_wgs84(easting: float, northing: float) -> tuple[float, float]:
    """SWEREF 99 TM → (lat, long)."""
    long, lat = transform_point(easting, northing, SWEREF99TM, WGS84)
    return lat, long


def wgs84_to_sweref(lat: float, long: float) -> tuple[float, float]:
    """(lat, long) → SWEREF 99 TM (easting, northing)."""
    return transform_point(long, lat, WGS84, SWEREF99TM)


# --- Parsing and checking polygons -------------------------------------------------------------


def _looks_projected(geom: Any) -> bool:
    minx, miny, maxx, maxy = geom.bounds
    return max(abs(minx), abs(maxx)) > 180 or max(abs(miny), abs(maxy)) > 90


def parse_geometry(data: Any, *, crs: int = WGS84, label: str = "") -> dict:
    """A checked GeoJSON Polygon/MultiPolygon in WGS 84 from GeoJSON geometry in `crs`.

    Raises GeometryError with a Swedish message naming `label` (the feature) on: a missing or
    other geometry type, bad coordinates, an empty shape, a self-intersecting ring, and
    coordinates that do not fit the coordinate system (SWEREF numbers declared as WGS 84 or the
    other way round)."""
    where = f"{label}: " if label else ""
    if not isinstance(data, dict) or data.get("type") not in ("Polygon", "MultiPolygon"):
        found = data.get("type") if isinstance(data, dict) else type(data).__name__
        raise GeometryError(
            f"{where}geometrin måste vara Polygon eller MultiPolygon (fick {found or 'ingen'})."
        )
    try:
        geom = shape(data)
    except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.GEOSException):
        raise GeometryError(f"{where}koordinaterna går inte att läsa som en polygon.") from None
    if geom.is_empty:
        raise GeometryError(f"{where}polygonen är tom (inga koordinater).")
    coords = shapely.get_coordinates(geom)
    if not all(math.isfinite(v) for v in coords.flat):
        raise GeometryError(f"{where}koordinaterna innehåller ogiltiga tal.")
    if crs == WGS84 and _looks_projected(geom):
        raise GeometryError(
            f"{where}koordinaterna ser ut att vara i SWEREF 99 TM (meter), inte WGS 84 "
            "(grader): fel koordinatsystem. Ange crs EPSG:3006 i filen."
        )
    if crs == SWEREF99TM and not _looks_projected(geom):
        raise GeometryError(
            f"{where}koordinaterna ser ut att vara grader (WGS 84), men filen anger "
            "SWEREF 99 TM: fel koordinatsystem."
        )
    if not geom.is_valid:
        reason = explain_validity(geom)
        if "Self-intersection" in reason or "Ring Self-intersection" in reason:
            why = "polygonen korsar sig själv"
        elif "Too few points" in reason:
            why = "en ring har för få hörn"
        elif "Hole lies outside shell" in reason:
            why = "ett hål ligger utanför polygonen"
        else:
            why = "polygonen är ogiltig"
        at = reason.split("[", 1)[-1].rstrip("]") if "[" in reason else ""
        raise GeometryError(f"{where}{why}" + (f" (vid {at})." if at else "."))
    if geom.area == 0:
        raise GeometryError(f"{where}polygonen har ingen yta.")
    if crs != WGS84:
        geom = shapely.transform(geom, lambda xy: _transform_array(xy, crs, WGS84), include_z=False)
    geom = shapely.set_precision(geom, 10**-DECIMALS)
    if geom.is_empty or not geom.is_valid:
        raise GeometryError(f"{where}polygonen är för liten eller ogiltig efter omräkning.")
    return _rounded(mapping(geom))


def _transform_array(xy: Any, source: int, target: int) -> Any:
    import numpy as np

    x, y = _transformer(source, target).transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def _rounded(geo: Any) -> Any:
    if isinstance(geo, dict):
        return {k: _rounded(v) for k, v in geo.items()}
    if isinstance(geo, list | tuple):
        return [_rounded(v) for v in geo]
    if isinstance(geo, float):
        return round(geo, DECIMALS)
    return geo


def rectangle(min_lat: float, max_lat: float, min_long: float, max_long: float) -> dict:
    """A GeoJSON Polygon for a bounding box (used to migrate the old rectangle areas)."""
    ring = [
        [min_long, min_lat],
        [max_long, min_lat],
        [max_long, max_lat],
        [min_long, max_lat],
        [min_long, min_lat],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def from_lat_long_ring(corners: Sequence[Sequence[float]]) -> dict:
    """A GeoJSON Polygon from a list of [lat, long] corners (the old feedback.Area.polygon)."""
    ring = [[float(p[1]), float(p[0])] for p in corners if len(p) >= 2]
    if ring and ring[0] != ring[-1]:
        ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


# --- Using stored geometry -----------------------------------------------------------------


def _shape(geometry: dict) -> Any:
    return _cached_shape(json.dumps(geometry, sort_keys=True))


@lru_cache(maxsize=512)
def _cached_shape(text: str) -> Any:
    geom = shape(json.loads(text))
    shapely.prepare(geom)
    return geom


def bbox_of(geometry: dict) -> tuple[float, float, float, float] | None:
    """(min_lat, max_lat, min_long, max_long) of stored geometry, or None if unreadable."""
    try:
        minx, miny, maxx, maxy = _shape(geometry).bounds
    except (ValueError, TypeError, AttributeError, KeyError, shapely.errors.GEOSException):
        return None
    if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)):
        return None
    return miny, maxy, minx, maxx


def covers(geometry: dict, lat: float, long: float) -> bool:
    """Point inside or on the border of stored WGS 84 geometry."""
    try:
        return bool(_shape(geometry).covers(Point(long, lat)))
    except (ValueError, TypeError, AttributeError, KeyError, shapely.errors.GEOSException):
        return False


def area_m2(geometry: dict) -> float:
    """Approximate area in m² (equal-area enough for ranking districts by size)."""
    return _area_m2(_shape(geometry))


def _area_m2(geom: Any) -> float:
    lat = (geom.bounds[1] + geom.bounds[3]) / 2
    scale = (math.pi / 180 * EARTH_RADIUS_M) ** 2 * math.cos(math.radians(lat))
    return geom.area * scale


def centroid(geometry: dict) -> tuple[float, float]:
    """(lat, long) of a point guaranteed inside the shape (for labels and markers)."""
    p = _shape(geometry).representative_point()
    return p.y, p.x


def covering(items: Iterable[Any], lat: float, long: float) -> list[Any]:
    """Those of `items` (with `geometry`, `order` and `name`) whose shape covers one point,
    smallest first, then by `order` and name — DistrictIndex's answer for a single point, from
    the prepared shapes kept between calls instead of shapes and a tree built afresh (every
    fault report is routed this way)."""
    point = Point(long, lat)
    found = []
    for item in items:
        if not getattr(item, "geometry", None):
            continue
        try:
            geom = _shape(item.geometry)
            if geom.covers(point):
                found.append(((_area_m2(geom), item.order, item.name), item))
        except (ValueError, TypeError, AttributeError, KeyError, shapely.errors.GEOSException):
            continue
    found.sort(key=lambda entry: entry[0])
    return [item for _key, item in found]


@dataclass
class _Entry:
    key: Any
    geom: Any
    size: float
    order: int
    name: str


class DistrictIndex:
    """Point → district for many points: an R-tree over prepared polygons.

    Build once (`DistrictIndex(districts)`), then `find(lat, long)` per point. Districts without
    geometry are left out. Ties (a point on a shared border, overlapping service areas) go to
    the smallest district, then the lower `order`, then the name."""

    def __init__(self, districts: Iterable[Any]):
        self.entries: list[_Entry] = []
        for d in districts:
            if not getattr(d, "geometry", None):
                continue
            try:
                geom = shape(d.geometry)
            except (ValueError, TypeError, AttributeError, KeyError):
                continue
            shapely.prepare(geom)
            self.entries.append(_Entry(d, geom, area_m2(d.geometry), d.order, d.name))
        self.tree = STRtree([e.geom for e in self.entries]) if self.entries else None

    def candidates(self, lat: float, long: float) -> list[Any]:
        if self.tree is None:
            return []
        point = Point(long, lat)
        hits = self.tree.query(point, predicate="covered_by")
        found = [self.entries[i] for i in hits]
        found.sort(key=lambda e: (e.size, e.order, e.name))
        return [e.key for e in found]

    def find(self, lat: float, long: float) -> Any | None:
        found = self.candidates(lat, long)
        return found[0] if found else None


def shape_is_polygonal(geom: Any) -> bool:
    return isinstance(geom, Polygon | MultiPolygon)


# --- Distances -----------------------------------------------------------------------------


def distance_m(lat1: float, long1: float, lat2: float, long2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(long2 - long1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def box_around(lat: float, long: float, metres: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_long, max_long) of a box that contains the circle.

    A little generous (111 km per degree is below the haversine's 111.19 km), so a point exactly
    `metres` away is never cut by the box before distance_m decides."""
    dlat = metres / 111_000
    dlong = metres / (111_000 * max(0.01, math.cos(math.radians(min(89.0, abs(lat) + dlat)))))
    return lat - dlat, lat + dlat, long - dlong, long + dlong
