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


# --- Viewport and clusters (the map asks for what it shows; the answer stays small) ----------


def _bulk_published(setup, n, *, box=(59.80, 59.90, 17.55, 17.75), start=0):
    """`n` published fault reports spread over `box` (bulk-inserted, as the benchmark does)."""
    import random

    from django.utils import timezone

    from insyn.feedback.models import Case, CaseStatus

    rng = random.Random(18 + start)
    now = timezone.now()
    Case.objects.bulk_create(
        Case(
            number=f"TEST-2026-{start + i}",
            kind=Kind.FAULT,
            category=setup.potholes,
            description="Genererat fel.",
            lat=rng.uniform(box[0], box[1]),
            long=rng.uniform(box[2], box[3]),
            status=CaseStatus.RECEIVED,
            public_state=PublicState.PUBLISHED,
            public_description="Genererat fel.",
            public_address="Gatan",
            created_at=now,
            updated_at=now,
            moderated_at=now,
        )
        for i in range(n)
    )


def test_map_data_keeps_to_the_viewport(setup, client):
    inside = published(setup)
    outside = published(setup, lat=GOTTSUNDA[0], long=GOTTSUNDA[1])
    lat, long = CENTRUM
    bbox = f"{long - 0.002:.5f},{lat - 0.002:.5f},{long + 0.002:.5f},{lat + 0.002:.5f}"
    data = client.get(DATA, {"bbox": bbox, "zoom": "16"}).json()
    assert [r[2] for r in data["points"]] == [inside.number]
    assert data["count"] == 1 and data["clusters"] == []
    assert outside.number not in str(data)
    # filters and viewport together
    none = client.get(DATA, {"bbox": bbox, "kategori": setup.graffiti.pk}).json()
    assert none["points"] == [] and none["count"] == 0


def test_map_data_clusters_above_the_limit_with_counts_adding_up(setup, client, monkeypatch):
    from insyn.feedback import selectors

    monkeypatch.setattr(selectors, "MAP_POINT_LIMIT", 50)
    _bulk_published(setup, 120)
    whole = "17.5,59.75,17.8,59.95"
    data = client.get(DATA, {"bbox": whole, "zoom": "11"}).json()
    assert data["points"] == [] and data["count"] == 120
    assert sum(c[2] for c in data["clusters"]) == 120
    assert len(data["clusters"]) > 1
    for lat, long, n in data["clusters"]:
        assert 59.80 <= lat <= 59.90 and 17.55 <= long <= 17.75 and n >= 1
    # without a bbox (an old client): clusters over where the reports are
    every = client.get(DATA).json()
    assert sum(c[2] for c in every["clusters"]) == 120
    # zoomed in below the limit: points again, with their numbers
    street = client.get(DATA, {"bbox": "17.6,59.8,17.62,59.82", "zoom": "17"}).json()
    assert street["clusters"] == [] and len(street["points"]) == street["count"] < 50


def test_map_data_bytes_and_queries_do_not_grow_with_the_data(
    setup, client, monkeypatch, django_assert_max_num_queries
):
    from insyn.feedback import selectors

    monkeypatch.setattr(selectors, "MAP_POINT_LIMIT", 50)
    whole = {"bbox": "17.5,59.75,17.8,59.95", "zoom": "12"}
    _bulk_published(setup, 100)
    with CaptureQueriesContext(connection) as few:
        small = len(client.get(DATA, whole).content)
    _bulk_published(setup, 900, start=100)
    with CaptureQueriesContext(connection) as many:
        response = client.get(DATA, whole)
    assert response.json()["count"] == 1000
    assert len(many) == len(few)
    # the grid is bounded by the viewport, not by the reports: 10× the data, not 10× the bytes
    assert len(response.content) < 3 * small + 2000
    cells = selectors.MAP_GRID * selectors.MAP_GRID
    assert len(response.json()["clusters"]) <= cells
    # the worst case (every cell used) stays far below the public cache's limit
    assert cells * len("[59.12345,17.12345,100000],") < 100_000


@pytest.mark.parametrize(
    "bbox",
    [
        "1,2,3",
        "a,b,c,d",
        "17.8,59.8,17.5,59.9",  # west east of east
        "17.5,59.9,17.8,59.8",  # south north of north
        "17.5,91,17.8,92",
        "1e3,1,2,3",
        "١٧,59,18,60",
        "17.5,59.8,17.8,59.9,1",
        "9" * 400,
    ],
)
def test_map_data_refuses_a_bad_bbox_in_swedish(setup, client, bbox):
    response = client.get(DATA, {"bbox": bbox})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "väst,syd,öst,nord" in response.json()["error"]


def test_map_data_ignores_a_bad_zoom(setup, client):
    published(setup)
    for zoom in ("x", "99", "-1", "²"):
        assert client.get(DATA, {"zoom": zoom}).json()["count"] == 1


def test_map_data_for_a_viewport_is_served_from_the_public_cache(setup, client, monkeypatch):
    from insyn.feedback import selectors

    monkeypatch.setattr(selectors, "MAP_POINT_LIMIT", 10)
    _bulk_published(setup, 30)
    query = {"bbox": "17.5,59.75,17.8,59.95", "zoom": "12"}
    first = client.get(DATA, query)
    assert first["X-Insyn-Cache"] == "miss"
    second = client.get(DATA, query, HTTP_ACCEPT_ENCODING="br, gzip")
    assert second["X-Insyn-Cache"] == "hit"
    assert second["Content-Encoding"] == "br"
    assert "public" in second["Cache-Control"]


def test_the_public_list_map_asks_per_viewport(setup, client):
    published(setup)
    page = client.get("/synpunkter/felanmalningar/").content.decode()
    assert f'data-points-url="{DATA}"' in page and "data-viewport" in page


def test_map_data_survives_the_fuzzers_hostile_values(setup, client):
    from tests.security.test_fuzz import HOSTILE

    published(setup)
    for value in HOSTILE:
        response = client.get(DATA, {"bbox": value, "zoom": value})
        assert response.status_code in (200, 400), value[:20]


# --- The inbox's map asks per viewport too (issue 13: no 5,000 newest cases in one answer) ---


def test_inbox_map_keeps_to_the_viewport_and_clusters_above_the_limit(setup, client, monkeypatch):
    from insyn.feedback import selectors
    from insyn.feedback.models import Case

    monkeypatch.setattr(selectors, "MAP_POINT_LIMIT", 50)
    secret = _unpublished(setup)
    _bulk_published(setup, 120)
    Case.objects.filter(number__startswith="TEST-").update(public_state=PublicState.PENDING)
    client.force_login(setup.users["cc"])
    url = "/personal/arenden/karta.json"
    lat, long = secret.lat, secret.long
    street = f"{long - 0.0005:.5f},{lat - 0.0005:.5f},{long + 0.0005:.5f},{lat + 0.0005:.5f}"
    data = client.get(url, {"bbox": street, "zoom": "17"}).json()
    assert [r[2] for r in data["points"]] == [secret.number] and data["clusters"] == []
    whole = client.get(url, {"bbox": "17.5,59.75,17.8,59.95", "zoom": "11"}).json()
    assert whole["points"] == [] and whole["count"] == 121  # unpublished cases too: staff
    assert sum(c[2] for c in whole["clusters"]) == 121
    narrowed = client.get(
        url, {"bbox": "17.5,59.75,17.8,59.95", "zoom": "11", "kategori": setup.graffiti.pk}
    ).json()
    assert narrowed["count"] == 0 and narrowed["clusters"] == []
    assert client.get(url, {"bbox": "1,2,3"}).status_code == 400
    page = client.get("/personal/arenden/").content.decode()
    assert 'data-points-url="/personal/arenden/karta.json"' in page and "data-viewport" in page


def test_inbox_counts_located_cases_up_to_a_limit(setup, client, monkeypatch):
    from insyn.feedback import selectors

    monkeypatch.setattr(selectors, "INBOX_MAP_COUNT_LIMIT", 5)
    client.force_login(setup.users["cc"])
    _bulk_published(setup, 5)
    assert (
        "Visa på karta (5 ärenden med plats)" in client.get("/personal/arenden/").content.decode()
    )
    _bulk_published(setup, 1, start=5)
    page = client.get("/personal/arenden/").content.decode()
    assert "Visa på karta (över 5 ärenden med plats)" in page


# --- Planned for each viewport, also as prepared statements (issue 13) -----------------------


def test_map_queries_are_planned_for_their_own_values_when_prepared(setup, monkeypatch):
    """PostgreSQL prepares a statement a connection has run DB_PREPARE_THRESHOLD times, and may
    then plan it once for any values: a plan that cannot use the partial index of published
    reports (its condition is a parameter there), which took the public map of a million cases
    from 60 ms to 2 s. With generic plans forced on the connection (what PostgreSQL chose by
    itself at that size), the map's prepared statements still get none: each is planned for
    its viewport."""
    from insyn.feedback import selectors

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements and their plans are PostgreSQL's")
    threshold = connection.settings_dict["OPTIONS"].get("prepare_threshold")
    if threshold is None:
        pytest.skip("statements are not prepared (DB_PREPARE_THRESHOLD=off)")
    monkeypatch.setattr(selectors, "MAP_POINT_LIMIT", 50)
    _bulk_published(setup, 60)
    whole = (17.5, 59.75, 17.8, 59.95)
    with connection.cursor() as cursor:
        cursor.execute("SET plan_cache_mode = force_generic_plan")
        try:
            for _ in range(threshold + 3):
                data = selectors.public_map_view(selectors.PublicFilters(), whole, 11)
                assert sum(n for _lat, _long, n in data["clusters"]) == 60
                inbox = selectors.inbox_map_points(selectors.InboxFilters(), bbox=whole, zoom=11)
                assert inbox["count"] == 60
                assert selectors.inbox_map_count(selectors.InboxFilters()) == 60
            cursor.execute(
                "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements"
                " WHERE statement LIKE %s",
                ["%feedback_case%"],
            )
            plans = cursor.fetchall()
        finally:
            cursor.execute("RESET plan_cache_mode")
    # (a statement without parameters has one plan for all; PostgreSQL calls it generic)
    plans = [row for row in plans if "$1" in row[0]]
    grids = [row for row in plans if "FLOOR(" in row[0]]
    stored = [row for row in plans if "feedback_casemapcell" in row[0]]
    # the public map's grid (from the cases) and the inbox's (the stored grid), both prepared
    assert len(grids) == 1 and len(stored) == 1, plans
    assert all(generic == 0 and custom > 0 for _sql, generic, custom in plans), plans


def test_map_grid_is_grouped_by_hashing_on_postgresql(setup, monkeypatch):
    """The grid's cells are grouped by hashing: PostgreSQL, unable to tell how few cells there
    are, chose to sort every open case in view (on disk, at a million cases); the map's
    transaction rules sorting out for the grid query, and its plan (taken with the settings
    the map used, as bench/bench_open311.py does) groups by hashing."""
    from insyn.feedback import selectors

    if connection.vendor != "postgresql":
        pytest.skip("the plan is PostgreSQL's")
    monkeypatch.setattr(selectors, "MAP_POINT_LIMIT", 50)
    _bulk_published(setup, 60)
    whole = (17.5, 59.75, 17.8, 59.95)
    with CaptureQueriesContext(connection) as queries:
        data = selectors.public_map_view(selectors.PublicFilters(), whole, 11)
    assert data["count"] == 60
    sqls = [q["sql"] for q in queries.captured_queries]
    grid = next(i for i, sql in enumerate(sqls) if "FLOOR(" in sql)
    settings = [sql for sql in sqls[:grid] if sql.startswith("SET LOCAL")]
    assert "SET LOCAL enable_sort = off" in settings
    from django.db import transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for setting in settings:
            cursor.execute(setting)
        cursor.execute("EXPLAIN " + sqls[grid])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "HashAggregate" in plan and "Sort" not in plan, plan


def test_every_page_with_a_map_has_the_maps_styles(setup, cc_client):
    """Leaflet draws its tiles and markers with its own stylesheet: the staff pages' layout had
    only feedback.css, so the inbox's, a case's and the routing page's maps were tiles and
    pins in a heap. Every page that loads the map's script loads its styles too."""
    from django.urls import reverse

    case = _unpublished(setup)
    public = published(setup)
    pages = [
        "/personal/arenden/",
        f"/personal/arenden/{case.number}/",
        reverse("feedback_staff:routing"),
        "/synpunkter/felanmalningar/",
        f"/synpunkter/felanmalningar/{public.number}/",
    ]
    for path in pages:
        page = cc_client.get(path).content.decode()
        assert "vendor/leaflet/leaflet" in page and ".js" in page, path  # a page with a map
        assert 'href="/static/vendor/leaflet/leaflet' in page, path
        assert "MarkerCluster.Default" in page, path
