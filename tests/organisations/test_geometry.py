"""Point-in-polygon and coordinate transformation (insyn.organisations.geometry)."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from insyn.organisations.geometry import (
    SWEREF99TM,
    WGS84,
    DistrictIndex,
    GeometryError,
    box_around,
    covering,
    covers,
    crs_from_name,
    distance_m,
    parse_geometry,
    rectangle,
    sweref_to_wgs84,
    wgs84_to_sweref,
)

# Sweden, roughly, where SWEREF 99 TM is defined
lats = st.floats(55.5, 68.5, allow_nan=False)
longs = st.floats(11.5, 23.5, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(lats, longs)
def test_wgs84_to_sweref_and_back_is_the_same_point(lat, long):
    easting, northing = wgs84_to_sweref(lat, long)
    assert 150_000 < easting < 1_100_000 and 6_100_000 < northing < 7_700_000
    back_lat, back_long = sweref_to_wgs84(easting, northing)
    assert distance_m(lat, long, back_lat, back_long) < 0.001  # under a millimetre


def test_known_point_uppsala_cathedral():
    # Uppsala domkyrka, Lantmäteriet's SWEREF 99 TM ≈ (647 600, 6 638 550)
    lat, long = sweref_to_wgs84(647_600, 6_638_550)
    assert abs(lat - 59.858) < 0.003 and abs(long - 17.633) < 0.005


@settings(max_examples=200, deadline=None)
@given(
    st.floats(59.0, 60.5),
    st.floats(17.0, 18.5),
    st.floats(0.001, 0.2),
    st.floats(0.001, 0.2),
    st.floats(0, 1),
    st.floats(0, 1),
)
def test_point_in_rectangle_matches_the_comparison(lat0, long0, h, w, fy, fx):
    geometry = rectangle(lat0, lat0 + h, long0, long0 + w)
    lat, long = lat0 + fy * h * 1.5 - 0.25 * h, long0 + fx * w * 1.5 - 0.25 * w
    inside = lat0 <= lat <= lat0 + h and long0 <= long <= long0 + w
    near_edge = min(abs(lat - lat0), abs(lat - lat0 - h), abs(long - long0), abs(long - long0 - w))
    assume(near_edge > 1e-9)
    assert covers(geometry, lat, long) is inside


@settings(max_examples=150, deadline=None)
@given(st.floats(0.05, 0.95), st.floats(0.05, 0.95))
def test_a_hole_is_outside_and_the_ring_around_it_inside(fy, fx):
    outer = [[17.0, 59.0], [18.0, 59.0], [18.0, 60.0], [17.0, 60.0], [17.0, 59.0]]
    hole = [[17.4, 59.4], [17.4, 59.6], [17.6, 59.6], [17.6, 59.4], [17.4, 59.4]]
    geometry = {"type": "Polygon", "coordinates": [outer, hole]}
    lat, long = 59 + fy, 17 + fx
    in_hole = 59.4 < lat < 59.6 and 17.4 < long < 17.6
    assume(min(abs(lat - 59.4), abs(lat - 59.6), abs(long - 17.4), abs(long - 17.6)) > 1e-9)
    assert covers(geometry, lat, long) is not in_hole


@settings(max_examples=100, deadline=None)
@given(st.floats(59.5, 60.0), st.floats(17.3, 17.9), st.floats(1, 20_000), st.floats(0, 360))
def test_box_around_always_contains_the_circle(lat, long, radius, bearing):
    # a point exactly `radius` away in any direction lies inside the box
    d = radius / 6_371_000
    b = math.radians(bearing)
    p1, l1 = math.radians(lat), math.radians(long)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(
        math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
    )
    lat2, long2 = math.degrees(p2), math.degrees(l2)
    min_lat, max_lat, min_long, max_long = box_around(lat, long, radius)
    assert min_lat <= lat2 <= max_lat and min_long <= long2 <= max_long
    assert abs(distance_m(lat, long, lat2, long2) - radius) < 0.01


def _d(name, geometry, order=0):
    return SimpleNamespace(name=name, geometry=geometry, order=order)


def test_index_multipolygon_border_and_smallest_first():
    west = _d("Väst", rectangle(59.0, 60.0, 17.0, 17.5))
    east = _d("Öst", rectangle(59.0, 60.0, 17.5, 18.0), order=1)
    islands = _d(
        "Öarna",
        {
            "type": "MultiPolygon",
            "coordinates": [
                [[[18.1, 59.1], [18.2, 59.1], [18.2, 59.2], [18.1, 59.2], [18.1, 59.1]]],
                [[[18.3, 59.3], [18.4, 59.3], [18.4, 59.4], [18.3, 59.4], [18.3, 59.3]]],
            ],
        },
    )
    index = DistrictIndex([west, east, islands, _d("Utan form", None)])
    assert index.find(59.5, 17.2) is west
    assert index.find(59.5, 17.8) is east
    assert index.find(59.15, 18.15) is islands and index.find(59.35, 18.35) is islands
    assert index.find(59.25, 18.25) is None  # between the islands
    # on the shared border: both cover it; equal size, so the lower order wins, every time
    assert index.candidates(59.5, 17.5) == [west, east]
    assert index.find(59.5, 17.5) is west
    assert index.find(61, 17.2) is None


def test_covering_one_point_answers_like_the_index():
    """Routing a single report (geometry.covering, cached prepared shapes) and the index built
    for many points agree: border, nesting, a hole in a multipolygon, no shape, a bad shape."""
    west = _d("Väst", rectangle(59.0, 60.0, 17.0, 17.5))
    east = _d("Öst", rectangle(59.0, 60.0, 17.5, 18.0), order=1)
    inner = _d("Servicområde", rectangle(59.4, 59.6, 17.1, 17.3), order=5)
    islands = _d(
        "Öarna",
        {
            "type": "MultiPolygon",
            "coordinates": [
                [[[18.1, 59.1], [18.2, 59.1], [18.2, 59.2], [18.1, 59.2], [18.1, 59.1]]],
                [[[18.3, 59.3], [18.4, 59.3], [18.4, 59.4], [18.3, 59.4], [18.3, 59.3]]],
            ],
        },
    )
    broken = _d("Trasig", {"type": "Polygon", "coordinates": "inte koordinater"})
    districts = [west, east, inner, islands, _d("Utan form", None), broken]
    index = DistrictIndex(districts)
    points = [(59.5, 17.2), (59.5, 17.5), (59.5, 17.8), (59.15, 18.15), (59.25, 18.25), (61, 17)]
    for lat, long in points:
        assert covering(districts, lat, long) == index.candidates(lat, long)
    assert covering(districts, 59.5, 17.2) == [inner, west]  # the smaller one first
    assert covering(districts, 59.5, 17.5) == [west, east]


@pytest.mark.parametrize(
    ("geometry", "crs", "message"),
    [
        (None, WGS84, "Polygon eller MultiPolygon"),
        ({"type": "Point", "coordinates": [17.6, 59.8]}, WGS84, "fick Point"),
        ({"type": "Polygon", "coordinates": []}, WGS84, "tom"),
        (
            {
                "type": "Polygon",
                "coordinates": [[[17, 59], [18, 60], [18, 59], [17, 60], [17, 59]]],
            },
            WGS84,
            "korsar sig själv",
        ),
        (rectangle(6_630_000, 6_640_000, 640_000, 650_000), WGS84, "fel koordinatsystem"),
        (rectangle(59.8, 59.9, 17.6, 17.7), SWEREF99TM, "fel koordinatsystem"),
        ({"type": "Polygon", "coordinates": [[[17, 59], [18, 60]]]}, WGS84, "Område 3"),
    ],
)
def test_bad_geometry_is_refused_in_swedish_naming_the_feature(geometry, crs, message):
    with pytest.raises(GeometryError) as err:
        parse_geometry(geometry, crs=crs, label="Område 3")
    assert message in str(err.value)
    assert str(err.value).startswith("Område 3")


def test_sweref_polygon_is_stored_in_wgs84_longitude_first():
    e, n = wgs84_to_sweref(59.85, 17.63)
    stored = parse_geometry(rectangle(n - 500, n + 500, e - 500, e + 500), crs=SWEREF99TM)
    assert covers(stored, 59.85, 17.63)
    first = stored["coordinates"][0][0]
    assert 17 < first[0] < 18.5 and 59 < first[1] < 60.5


def test_crs_names():
    assert crs_from_name("urn:ogc:def:crs:EPSG::3006") == SWEREF99TM
    assert crs_from_name("EPSG:4326") == WGS84
    assert crs_from_name("urn:ogc:def:crs:OGC:1.3:CRS84") == WGS84
    with pytest.raises(GeometryError, match="stöds inte"):
        crs_from_name("EPSG:3021")
