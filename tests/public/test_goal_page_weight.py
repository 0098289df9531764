"""The demo's goal page /plan/2023/mal/4/ as a resident on a phone gets it (issue 13): rendered
without any cache, with every app's panels, its weight after brotli — compressed exactly as the
public response cache compresses it (insyn.core.public_cache.make_entry) — and its queries.

Bytes are deterministic for the same demo, so they can be pinned (times cannot: no timed tests).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from insyn.core import registry
from insyn.core.public_cache import make_entry

# The real panels of every app (tests/public/conftest.py swaps in a test provider).
REAL_PANELS = {kind: dict(providers) for kind, providers in registry._panels.items()}
GOAL_PAGE = "/plan/2023/mal/4/"
ASSIGNMENT_PAGE = "/plan/2023/mal/4/uppdrag/20/"

# Brotli bytes of the demo's goal page. The target of issue 13 is 15 KB; on 2026-12-04 the page
# went from 18,292 bytes to 17,066 (charts with SVG markers and whole-pixel coordinates, one
# grid path, no template indentation), then to 14,827 when the assignments' descriptions (2.3 KB
# of text behind <details>) moved to the assignments' own pages, each row linking to its
# description; the assessments stay on the goal page — see docs/benchmarks.md.
# The pin is the target itself now: the bytes differ a little between the databases (on
# 2026-12-05 PostgreSQL's run of the whole suite weighed 14,903 bytes, SQLite's under 14,900).
GOAL_PAGE_MAX_BROTLI = 15_000
# Drawn in full (the first visit after a change to what it shows): 26 before issue 13, 19 when
# it was drawn on every visit (20 here), plus one to read and one to store the renderings (and,
# inside a transaction as here, the store's savepoint and its release); every visit after that:
# one (insyn.core.stored).
GOAL_PAGE_MAX_QUERIES_DRAWN = 24
GOAL_PAGE_QUERIES_STORED = 1
ASSIGNMENT_PAGE_MAX_QUERIES = 14  # 18 before


@pytest.fixture(autouse=True)
def _real_panels(monkeypatch, settings):
    monkeypatch.setattr(registry, "_panels", {k: dict(v) for k, v in REAL_PANELS.items()})
    settings.INSYN_PUBLIC_CACHE = False  # rendered, never served from the cache


def render(client, url: str) -> tuple[bytes, int]:
    client.get(url)  # warm what every page shares (the municipality)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    assert "Content-Encoding" not in response  # Insyn compresses only what the cache stores
    return make_entry(response, "v")["br"], len(ctx)


def test_the_goal_page_is_light_on_a_phone(client, demo, db):
    compressed, _queries = render(client, GOAL_PAGE)
    html = make_entry(client.get(GOAL_PAGE), "v")
    assert len(compressed) <= GOAL_PAGE_MAX_BROTLI, len(compressed)
    assert html["length"] > 4 * len(compressed)  # it is the whole page, compressed
    # Nothing left out to get there: every section is on the page.
    text = client.get(GOAL_PAGE).content.decode()
    for section in (
        'id="status-heading"',
        'id="description-heading"',
        'id="assignments-heading"',
        'id="indikatorer-rubrik"',
        'id="dialogue-panel-heading"',
        'id="feedback-panel-heading"',
        'id="loop-heading"',
        "Beskrivning av uppdraget",
        "Visa värdena som tabell",
    ):
        assert section in text, section


def test_the_demo_pages_cost_a_bounded_number_of_queries(client, demo, db):
    from insyn.core.publication import bump_publication_version

    assert render(client, GOAL_PAGE)[1] == GOAL_PAGE_QUERIES_STORED
    bump_publication_version()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(GOAL_PAGE).status_code == 200
    assert len(ctx) <= GOAL_PAGE_MAX_QUERIES_DRAWN, len(ctx)
    assert render(client, ASSIGNMENT_PAGE)[1] <= ASSIGNMENT_PAGE_MAX_QUERIES
