"""Published follow-up changes (corrections, imports) make the cached public pages stale at once.

Dialogue and fault-report changes: tests/dialogue and tests/feedback test_cache_invalidation.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from insyn.core.publication import publication_version
from insyn.goals.models import Status
from insyn.goals.services import compiled_save
from tests.world import build_world

pytestmark = pytest.mark.django_db

INDICATOR_FIXTURES = Path(__file__).resolve().parents[1] / "indicators" / "fixtures"
PAGES = Path(__file__).resolve().parents[2] / "insyn" / "importers" / "demo_pages"


def test_a_correction_shows_on_the_cached_goal_assignment_and_period_pages(client):
    world = build_world(goals=1, assignments=2)
    a = world.assignments[0]
    urls = [a.get_absolute_url(), world.goals[0].get_absolute_url()]
    urls.append(world.august.get_absolute_url())
    for url in urls:
        client.get(url)
        assert client.get(url)["X-Insyn-Cache"] == "hit", url
    compiled_save(
        period=world.august,
        assignment=a,
        status=Status.DELAYED,
        assessment="Det gick långsammare än vi skrev.",
        by=None,
        note="Fel status publicerades.",
    )
    for url in urls:
        response = client.get(url)
        assert response["X-Insyn-Cache"] == "miss", url
    assert "Det gick långsammare än vi skrev." in client.get(urls[0]).content.decode()


def test_an_import_shows_on_the_cached_start_page(client):
    from insyn.importers.services import import_followup_files
    from insyn.organisations.services import DATA_DIR, load_registry_file

    load_registry_file(DATA_DIR / "uppsala.json")
    client.get("/")
    assert client.get("/")["X-Insyn-Cache"] == "hit"
    import_followup_files([PAGES / "uppsala-2023-08-fokusmal-4.txt"])
    html = client.get("/").content.decode()
    assert "Uppsala ska bli tryggare med jämlika livsvillkor" in html


def test_an_indicator_import_shows_on_the_cached_indicator_pages(client):
    from insyn.indicators.services import import_kolada
    from insyn.indicators.sources import FileSource

    client.get("/indikatorer/")
    assert client.get("/indikatorer/")["X-Insyn-Cache"] == "hit"
    before = publication_version()
    import_kolada(source=FileSource([INDICATOR_FIXTURES / "v3"]))
    assert publication_version() != before
    assert client.get("/indikatorer/")["X-Insyn-Cache"] == "miss"
