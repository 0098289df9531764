"""The inbox map's stored grid (CaseMapCell, insyn.feedback.map_cells; issue 13): the database
triggers keep it right through every kind of change to a case, and the inbox map's clusters
read from it are the ones counted from the cases."""

from __future__ import annotations

import math
import random
from collections import defaultdict

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from insyn.feedback import map_cells, selectors, services
from insyn.feedback.models import (
    LOCATED,
    MAP_CELL_LAT,
    MAP_CELL_LONG,
    MAP_SUM_UNIT,
    Case,
    CaseMapCell,
    CaseStatus,
    Kind,
)

WHOLE = (17.5, 59.75, 17.8, 59.95)


def _grid_of_the_cases() -> dict[tuple, tuple[int, float, float]]:
    """What the grid must hold, computed here from the cases."""
    cells: dict[tuple, list] = defaultdict(lambda: [0, 0, 0])
    for case in Case.objects.filter(LOCATED):
        key = (
            math.floor(case.lat / MAP_CELL_LAT),
            math.floor(case.long / MAP_CELL_LONG),
            case.status,
            case.category_id,
            case.organisation_id or 0,
            case.kind,
        )
        cells[key][0] += 1
        cells[key][1] += math.floor(case.lat / MAP_SUM_UNIT + 0.5)  # round half away from 0
        cells[key][2] += math.floor(case.long / MAP_SUM_UNIT + 0.5)
    return {key: tuple(values) for key, values in cells.items()}


def _stored_grid() -> dict[tuple, tuple[int, float, float]]:
    return {
        (r.cell_lat, r.cell_long, r.status, r.category_id, r.organisation_id, r.kind): (
            r.n,
            r.lat_sum,
            r.long_sum,
        )
        for r in CaseMapCell.objects.filter(n__gt=0)
    }


def assert_grid_is_right() -> None:
    assert _stored_grid() == _grid_of_the_cases()  # exactly: the sums are whole units
    assert not CaseMapCell.objects.filter(n__lt=0).exists()


def _cases(setup, n: int, *, seed: int = 13, start: int = 0) -> None:
    rng = random.Random(seed)
    now = timezone.now()
    categories = [setup.potholes, setup.graffiti, setup.lights]
    organisations = [setup.streets, setup.uppsalahem, None]
    Case.objects.bulk_create(
        Case(
            number=f"GRID-2026-{start + i}",
            kind=rng.choice([Kind.FAULT, Kind.FEEDBACK]),
            category=rng.choice(categories),
            organisation=rng.choice(organisations),
            description="Genererat.",
            lat=None if i % 7 == 0 else rng.uniform(59.76, 59.94),
            long=None if i % 7 == 0 else rng.uniform(17.51, 17.79),
            status=rng.choice(list(CaseStatus.values)),
            created_at=now,
            updated_at=now,
        )
        for i in range(n)
    )


def test_every_kind_of_change_keeps_the_grid(setup):
    cc = setup.users["cc"]
    _cases(setup, 40)  # bulk_create
    assert_grid_is_right()
    made = services.create_case(
        kind=Kind.FAULT, category=setup.potholes, description="Hål.", lat=59.86, long=17.64
    ).case
    assert_grid_is_right()
    services.change_status(case=made, status=CaseStatus.IN_PROGRESS, by=cc)
    assert_grid_is_right()
    made.refresh_from_db()
    services.reassign(case=made, organisation=setup.uppsalahem, by=cc)
    assert_grid_is_right()
    made.refresh_from_db()
    services.triage(case=made, kind=Kind.FEEDBACK, category=setup.graffiti, by=cc, reroute=False)
    assert_grid_is_right()
    made.refresh_from_db()
    made.lat, made.long = 59.80, 17.70  # moved to another cell
    made.save()
    assert_grid_is_right()
    made.lat = made.long = None  # no longer on the map
    made.save()
    assert_grid_is_right()
    made.save()  # a save that changes nothing the grid keeps
    assert_grid_is_right()
    other = Case.objects.filter(number__startswith="GRID-", lat__isnull=False).first()
    into = Case.objects.filter(number__startswith="GRID-", lat__isnull=False).last()
    services.merge(duplicate=other, into=into, by=cc)
    assert_grid_is_right()
    Case.objects.filter(status=CaseStatus.RECEIVED).update(status=CaseStatus.CLOSED)
    Case.objects.filter(organisation=None).update(organisation=setup.streets)
    assert_grid_is_right()
    Case.objects.filter(pk__in=list(Case.objects.values_list("pk", flat=True)[:10])).delete()
    assert_grid_is_right()
    Case.objects.all().delete()
    assert _stored_grid() == {}


def test_the_rebuild_gives_the_grid_the_triggers_keep(setup):
    _cases(setup, 60)
    Case.objects.filter(status=CaseStatus.RECEIVED).update(lat=59.9, status=CaseStatus.CLOSED)
    kept = _stored_grid()
    map_cells.rebuild(connection)
    assert _stored_grid() == kept == _grid_of_the_cases()


@pytest.mark.parametrize(
    ("bbox", "zoom"),
    [
        (WHOLE, 11),  # the stored grid's own cells
        (WHOLE, 10),  # cells of 2 x 2 stored cells
        ((17.0, 59.5, 18.3, 60.2), 9),  # 4 x 4, the viewport wider than the cases
        ((17.55, 59.8, 17.75, 59.9), None),  # no zoom: 1/40 of the viewport
        ((17.6, 59.84, 17.68, 59.88), 13),  # cells smaller than the grid's: counted from cases
    ],
)
def test_clusters_from_the_grid_are_the_clusters_counted_from_the_cases(
    setup, monkeypatch, bbox, zoom
):
    monkeypatch.setattr(selectors, "MAP_POINT_LIMIT", 5)
    _cases(setup, 300)
    for filters in [
        selectors.InboxFilters(),
        selectors.InboxFilters(status="open"),
        selectors.InboxFilters(status=CaseStatus.RECEIVED, category=setup.potholes.pk),
        selectors.InboxFilters(organisation=0),
        selectors.InboxFilters(organisation=setup.streets.pk, kind=Kind.FAULT),
    ]:
        for scope in (None, {setup.streets.pk}):
            qs = selectors._inbox_filtered(filters, timezone.now(), scope).filter(LOCATED)
            stored = selectors._stored_cells(filters, scope)
            counted = selectors.map_view(qs, bbox=bbox, zoom=zoom)
            read = selectors.map_view(qs, bbox=bbox, zoom=zoom, stored=stored)
            assert counted["count"] == read["count"], filters
            assert [c[2] for c in counted["clusters"]] == [c[2] for c in read["clusters"]]
            for (lat, long, _n), (lat2, long2, _n2) in zip(
                counted["clusters"], read["clusters"], strict=True
            ):
                assert lat == pytest.approx(lat2, abs=2e-5)
                assert long == pytest.approx(long2, abs=2e-5)
            assert (
                selectors.inbox_map_points(filters, bbox=bbox, zoom=zoom, organisation_ids=scope)
                == read
                or zoom == 13
            )


def test_a_cluster_counts_its_whole_cell_and_stays_put_as_the_map_pans(setup, monkeypatch):
    monkeypatch.setattr(selectors, "MAP_POINT_LIMIT", 5)
    _cases(setup, 200)
    first = selectors.inbox_map_points(selectors.InboxFilters(), bbox=WHOLE, zoom=11)
    nudged = (WHOLE[0] + 0.001, WHOLE[1] + 0.001, WHOLE[2] + 0.001, WHOLE[3] + 0.001)
    second = selectors.inbox_map_points(selectors.InboxFilters(), bbox=nudged, zoom=11)
    assert first["clusters"] == second["clusters"]
    assert first["count"] == Case.objects.filter(LOCATED).count()


def test_the_whole_municipality_is_read_from_the_grid_not_the_cases(
    setup, client, monkeypatch, django_assert_max_num_queries
):
    """The inbox map over the whole municipality groups the stored grid; only the overdue
    filter (which depends on the time) is counted from the cases. Same queries at 10x."""
    monkeypatch.setattr(selectors, "MAP_POINT_LIMIT", 5)
    client.force_login(setup.users["cc"])
    url = "/personal/arenden/karta.json"
    whole = {"bbox": ",".join(map(str, WHOLE)), "zoom": "11"}
    _cases(setup, 30)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, whole).json()["clusters"]
    _cases(setup, 300, seed=14, start=30)
    with CaptureQueriesContext(connection) as many:
        data = client.get(url, whole).json()
    assert len(many) == len(few)
    assert data["count"] == Case.objects.filter(LOCATED).count()
    grid = [q["sql"] for q in many.captured_queries if "GROUP BY" in q["sql"]]
    assert len(grid) == 1 and "feedback_casemapcell" in grid[0]
    with CaptureQueriesContext(connection) as overdue:
        client.get(url, {**whole, "forsenade": "1"})
    grid = [q["sql"] for q in overdue.captured_queries if "GROUP BY" in q["sql"]]
    assert not any("feedback_casemapcell" in sql for sql in grid)


@pytest.mark.django_db(transaction=True)
def test_the_benchmarks_bulk_load_leaves_the_grid_of_its_cases(setup):
    """bench/bench_open311.py loads its million cases with the grid's triggers off (COPY on
    PostgreSQL) and rebuilds the grid once: it must end up as the triggers would have kept it,
    with the triggers on again."""
    from bench.bench_open311 import generate_cases

    generate_cases(300, batch=100)
    assert Case.objects.filter(LOCATED).exists()
    assert_grid_is_right()
    case = Case.objects.filter(LOCATED).first()
    case.status = CaseStatus.CLOSED if case.status != CaseStatus.CLOSED else CaseStatus.RECEIVED
    case.save()
    assert_grid_is_right()  # the triggers work again
