"""The gazetteer (insyn import-places) and the geocoder behind it."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from insyn.organisations.geometry import wgs84_to_sweref
from insyn.organisations.models import Place
from insyn.organisations.places import (
    PlaceImportError,
    exact_place,
    find_places,
    normalise,
    parse_geocoder,
    parse_places,
)
from insyn.organisations.services import load_demo_places

pytestmark = pytest.mark.django_db


def test_demo_finds_kungsgatan_12_and_gottsunda_centrum():
    load_demo_places()
    first = find_places("Kungsgatan 12").results[0]
    assert first.label == "Kungsgatan 12, Uppsala" and first.approximate
    assert 59.85 < first.lat < 59.87
    assert find_places("gottsunda  CENTRUM").results[0].label == "Gottsunda centrum, Uppsala"
    assert find_places("kungsg").results  # a prefix finds the street and its addresses
    assert find_places("Finns inte 99").results == []
    assert exact_place("Kungsgatan 12").label == "Kungsgatan 12, Uppsala"
    assert exact_place("Kungsgatan") is not None and exact_place("Kungsg") is None


def test_import_csv_sweref_and_errors_save_nothing(tmp_path, capsys):
    e, n = wgs84_to_sweref(59.8586, 17.6389)
    path = tmp_path / "platser.csv"
    path.write_text(f"namn;typ;ort;x;y\nStora torget;plats;Uppsala;{e};{n}\n", encoding="utf-8")
    call_command("import_places", str(path), "--crs", "EPSG:3006")
    place = Place.objects.get(name="Stora torget")
    assert abs(place.lat - 59.8586) < 1e-6 and abs(place.long - 17.6389) < 1e-6
    bad = tmp_path / "fel.csv"
    bad.write_text(
        "namn;typ;ort;lat;long\nTorget;plats;Uppsala;59.85;17.63\nStockholm;plats;;59.33;18.07\n"
        ";gata;;59.85;17.63\nSWEREF;plats;;6638000;647000\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="Inget sparades: 3 fel"):
        call_command("import_places", str(bad))
    err = capsys.readouterr().err
    assert "Rad 3 (Stockholm): punkten ligger utanför kommunen" in err
    assert "Rad 4: saknar namn" in err and "fel koordinatsystem" in err
    assert not Place.objects.filter(name="Torget").exists()


def test_import_geojson_points():
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "Fyrisån", "kind": "place"},
                "geometry": {"type": "Point", "coordinates": [17.635, 59.858]},
            },
            {
                "type": "Feature",
                "properties": {"name": "Linje"},
                "geometry": {"type": "LineString"},
            },
        ],
    }
    with pytest.raises(
        PlaceImportError, match="Plats 2 \\(Linje\\): geometrin måste vara en Point"
    ):
        parse_places(json.dumps(doc))
    doc["features"].pop()
    assert parse_places(json.dumps(doc))[0]["lat"] == 59.858


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_normalise_and_search_never_fail(text):
    assert normalise(text) == normalise(normalise(text))
    find_places(text)


def test_parse_nominatim_and_photon_inside_the_municipality_only():
    nominatim = [
        {"lat": "59.8577", "lon": "17.6443", "display_name": "Kungsgatan 12, Uppsala"},
        {"lat": "59.33", "lon": "18.07", "display_name": "Kungsgatan 12, Stockholm"},
        {"lat": "x"},
    ]
    assert [f.label for f in parse_geocoder(nominatim)] == ["Kungsgatan 12, Uppsala"]
    photon = {
        "features": [
            {
                "geometry": {"coordinates": [17.6443, 59.8577]},
                "properties": {"street": "Kungsgatan", "housenumber": "12", "city": "Uppsala"},
            }
        ]
    }
    assert parse_geocoder(photon)[0].label == "Kungsgatan 12, Uppsala"


class _Slow(BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(5)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_slow_geocoder_is_given_up_and_the_gazetteer_still_answers(settings):
    load_demo_places()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings.GEOCODER_URL = f"http://127.0.0.1:{server.server_port}/search"
        settings.GEOCODER_TIMEOUT = 0.5
        search = find_places("Gottsunda")
        assert search.geocoder_failed is True
        assert search.results and search.results[0].source == "gazetteer"
        settings.GEOCODER_URL = "http://127.0.0.1:9/search"  # nothing listens: refused
        assert find_places("Kungsgatan 12").geocoder_failed is True
    finally:
        server.shutdown()
