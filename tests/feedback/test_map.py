"""The street map: its data endpoints show published reports only, the CSP allows exactly the
configured tile host, and every page that draws a map works without it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from insyn.feedback import services
from insyn.feedback.models import Kind, PublicState
from tests.feedback.conftest import CENTRUM, GOTTSUNDA
from tests.feedback.test_public_views import published

pytestmark = pytest.mark.django_db

DATA = "/synpunkter/felanmalningar/karta.json"


def _unpublished(setup, state=PublicState.PENDING):
    case = services.create_case(
        kind=Kind.FAULT,
        category=setup.potholes,
        description="Hemligt: Anna Andersson, 070-1234567",
        lat=CENTRUM[0] + 0.001,
        long=CENTRUM[1],
    ).case
    if state != PublicState.PENDING:
        services.moderate(
            case=case, public_description="x", public_address="", state=state, by=setup.users["cc"]
        )
    return case


def test_map_data_has_published_reports_only(setup, client):
    shown = published(setup)
    other = published(setup, lat=GOTTSUNDA[0], long=GOTTSUNDA[1], category=setup.graffiti)
    secret = _unpublished(setup)
    hidden = _unpublished(setup, PublicState.HIDDEN)
    response = client.get(DATA)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = response.json()
    numbers = {row[2] for row in data["points"]}
    assert numbers == {shown.number, other.number}
    assert secret.number not in response.content.decode()
    assert hidden.number not in response.content.decode()
    assert "Anna" not in response.content.decode()
    row = next(r for r in data["points"] if r[2] == shown.number)
    assert row[:2] == [round(CENTRUM[0], 5), round(CENTRUM[1], 5)]
    assert data["categories"][row[3]] == "Hål i vägen"
    assert data["statuses"][row[4]]
    # the list's filters apply
    only = client.get(DATA, {"kategori": setup.graffiti.pk}).json()
    assert [r[2] for r in only["points"]] == [other.number]


def test_map_data_costs_the_same_queries_for_more_reports(setup, client):
    for _ in range(2):
        published(setup)
    with CaptureQueriesContext(connection) as few:
        client.get(DATA)
    for i in range(20):
        published(setup, category=setup.graffiti if i % 2 else setup.potholes)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(DATA).json()["points"]) == 22
    assert len(many) == len(few)


def test_areas_geojson_and_approximate_note(setup, client):
    setup.gottsunda.approximate = True
    setup.gottsunda.save()
    data = client.get("/synpunkter/omraden.geojson").json()
    assert data["type"] == "FeatureCollection"
    feature = data["features"][0]
    assert feature["properties"] == {
        "name": "Gottsunda",
        "approximate": True,
        "kind": "district",
    }
    assert feature["geometry"]["type"] == "Polygon"
    page = client.get("/synpunkter/felanmalan/").content.decode()
    assert "Områdesgränserna är ungefärliga" in page


def test_csp_allows_exactly_the_configured_tile_host(setup, client, settings):
    csp = client.get("/synpunkter/felanmalan/")["Content-Security-Policy"]
    img = next(p for p in csp.split(";") if p.strip().startswith("img-src"))
    assert img.split()[1:] == ["'self'", "data:", "https://tile.openstreetmap.org"]
    assert "script-src 'self'" in csp and "unpkg" not in csp and "cdn" not in csp


def test_tile_settings_reach_the_map(setup, client, settings):
    settings.MAP_TILE_URL = "https://kartor.example.se/wmts/{z}/{y}/{x}.png"
    settings.MAP_TILE_ATTRIBUTION = "© Lantmäteriet"
    settings.MAP_MAX_ZOOM = 15
    text = client.get("/synpunkter/felanmalan/").content.decode()
    assert 'data-tiles="https://kartor.example.se/wmts/{z}/{y}/{x}.png"' in text
    assert 'data-attribution="© Lantmäteriet"' in text and 'data-max-zoom="15"' in text


def test_pages_with_maps_render_and_hide_the_map_without_script(setup, client):
    case = published(setup)
    for url in (
        "/synpunkter/felanmalningar/",
        f"/synpunkter/felanmalningar/{case.number}/",
        "/synpunkter/felanmalan/",
    ):
        text = client.get(url).content.decode()
        assert "data-streetmap=" in text and " hidden>" in text, url
        assert "vendor/leaflet/leaflet.js" in text and "//unpkg" not in text
        # the marker images by their static URLs (Leaflet's own guess from leaflet.css fails
        # once collectstatic hashes the names: markers were broken images under insyn serve)
        assert 'data-icon="/static/vendor/leaflet/images/marker-icon' in text, url
        assert 'data-shadow="/static/vendor/leaflet/images/marker-shadow' in text, url
    client.force_login(setup.users["cc"])
    for url in (
        "/personal/arenden/",
        f"/personal/arenden/{case.number}/",
        "/personal/arenden/fordelning/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "data-streetmap=" in response.content.decode(), url


def test_place_search_without_javascript_fills_the_point(setup, client):
    from insyn.organisations.services import load_demo_places

    load_demo_places()
    page = client.get(
        "/synpunkter/felanmalan/",
        {"category": setup.potholes.pk, "address_text": "Kungsgatan 12", "sok": "1"},
    )
    text = page.content.decode()
    assert page.status_code == 200 and "Kungsgatan 12, Uppsala" in text
    assert "lat=59.857700" in text and "andra=1" in text
    # typing an exact gazetteer name is enough: the case gets the point and is routed by it
    step2 = client.get(
        "/synpunkter/felanmalan/",
        {"category": setup.playground.pk, "address_text": "Gottsunda centrum"},
    )
    assert step2.status_code == 200 and 'name="lat" value="59.8066"' in step2.content.decode()
    data = client.get("/synpunkter/platser.json", {"q": "gottsunda centrum"}).json()
    assert data["results"][0]["label"] == "Gottsunda centrum, Uppsala"
    assert data["geocoder_failed"] is False


def test_inbox_map_data_is_for_the_contact_centre_with_the_inbox_filters(setup, client):
    secret = _unpublished(setup)
    shown = published(setup, category=setup.graffiti)
    url = "/personal/arenden/karta.json"
    assert client.get(url).status_code in (302, 403)  # not signed in: no data
    client.force_login(setup.users["reporter"])
    assert client.get(url).status_code in (302, 403)
    client.force_login(setup.users["cc"])
    numbers = {r[2] for r in client.get(url).json()["points"]}
    assert numbers == {secret.number, shown.number}  # staff see unpublished cases too
    filtered = client.get(url, {"kategori": setup.graffiti.pk}).json()["points"]
    assert [r[2] for r in filtered] == [shown.number]
    page = client.get("/personal/arenden/", {"kategori": setup.graffiti.pk}).content.decode()
    assert f'data-points-url="/personal/arenden/karta.json?kategori={setup.graffiti.pk}' in page
