"""insyn import-areas FILE: GeoJSON districts, all or nothing, Swedish errors naming the feature."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from insyn.organisations.geometry import rectangle, wgs84_to_sweref
from insyn.organisations.models import District
from insyn.organisations.selectors import district_at
from insyn.organisations.services import load_demo_districts

pytestmark = pytest.mark.django_db


def _feature(name, geometry, **props):
    return {"type": "Feature", "properties": {"name": name, **props}, "geometry": geometry}


def _write(tmp_path, features, crs=None):
    doc = {"type": "FeatureCollection", "features": features}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    path = tmp_path / "omraden.geojson"
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def test_import_wgs84_with_hole_and_multipolygon(tmp_path, capsys):
    outer = [[17.0, 59.0], [18.0, 59.0], [18.0, 60.0], [17.0, 60.0], [17.0, 59.0]]
    hole = [[17.4, 59.4], [17.4, 59.6], [17.6, 59.6], [17.6, 59.4], [17.4, 59.4]]
    islands = {
        "type": "MultiPolygon",
        "coordinates": [rectangle(59.45, 59.55, 17.45, 17.55)["coordinates"]],
    }
    path = _write(
        tmp_path,
        [
            _feature("Ringen", {"type": "Polygon", "coordinates": [outer, hole]}, code="R1"),
            _feature("Ön", islands, kind="service_area"),
        ],
    )
    call_command("import_areas", str(path))
    assert "2 nya" in capsys.readouterr().out
    ring = District.objects.get(name="Ringen")
    assert ring.code == "R1" and ring.slug == "ringen" and ring.min_lat == 59.0
    assert district_at(59.2, 17.2) == ring
    assert district_at(59.5, 17.5).name == "Ön"  # in the hole, on the island
    assert district_at(59.42, 17.42) is None  # in the hole, off the island
    assert district_at(59.4, 17.5) == ring  # on the hole's border: the ring covers it
    # again: nothing changes
    call_command("import_areas", str(path))
    assert "0 nya, 0 ändrade" in capsys.readouterr().out


def test_import_sweref99tm_is_transformed(tmp_path):
    e, n = wgs84_to_sweref(59.858, 17.638)
    path = _write(
        tmp_path,
        [_feature("Domkyrkan", rectangle(n - 300, n + 300, e - 300, e + 300))],
        crs="urn:ogc:def:crs:EPSG::3006",
    )
    call_command("import_areas", str(path))
    district = District.objects.get(name="Domkyrkan")
    assert 59.85 < district.min_lat < 59.858 < district.max_lat < 59.87
    assert district_at(59.858, 17.638) == district


@pytest.mark.parametrize(
    ("features", "crs", "expected"),
    [
        (
            [
                _feature("Bra", rectangle(59.8, 59.9, 17.6, 17.7)),
                _feature(
                    "Rosetten",
                    {
                        "type": "Polygon",
                        "coordinates": [[[17, 59], [18, 60], [18, 59], [17, 60], [17, 59]]],
                    },
                ),
            ],
            None,
            "Område 2 (Rosetten), rad ",
        ),
        ([_feature("Meter", rectangle(6_630_000, 6_640_000, 640_000, 650_000))], None, "SWEREF"),
        ([_feature("Grader", rectangle(59.8, 59.9, 17.6, 17.7))], "EPSG:3006", "fel koordinat"),
        ([_feature("Tom", {"type": "Polygon", "coordinates": []})], None, "tom"),
        ([], None, "inga områden"),
        ([_feature("", rectangle(59.8, 59.9, 17.6, 17.7))], None, "saknar namn"),
    ],
)
def test_bad_file_saves_nothing_and_says_what_is_wrong(tmp_path, capsys, features, crs, expected):
    path = _write(tmp_path, features, crs)
    with pytest.raises(CommandError, match="Inget sparades"):
        call_command("import_areas", str(path))
    assert expected in capsys.readouterr().err
    assert not District.objects.exists()


def test_not_json_names_the_line(tmp_path):
    path = tmp_path / "trasig.geojson"
    path.write_text('{"type": "FeatureCollection",\n "features": [,]}', encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_areas", str(path))


def test_demo_districts_are_marked_approximate():
    created, _ = load_demo_districts()
    assert created >= 20
    assert not District.objects.filter(approximate=False).exists()
    assert district_at(59.806, 17.613).name == "Gottsunda"
    assert district_at(59.8586, 17.6389).name == "Centrum"
