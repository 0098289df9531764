"""The search page: results grouped by kind with snippets; clear empty and no-result states."""

from __future__ import annotations

import pytest

from insyn.goals.indexing import index_period
from insyn.search import services
from tests.world import SECRET, build_world

pytestmark = pytest.mark.django_db


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_it_explains_itself_before_a_search(client):
    html = get(client, "/sok/")
    assert '<label for="search-q">Sök bland mål, uppdrag och bedömningar</label>' in html
    assert 'role="search"' in html and 'type="search"' in html
    assert "träff" not in html


def test_it_finds_published_assignments_and_goals_grouped_by_kind(client):
    world = build_world(goals=2, assignments=3)
    index_period(world.august)
    html = get(client, "/sok/?q=genomföras")
    assert "träffar för ”genomföras”" in html
    assert '<h2 id="hits-assignment">Uppdrag' in html
    assert world.assignments[0].get_absolute_url() in html
    assert 'class="search-hit-snippet"' in html
    # Swedish stemming: the plural finds the singular.
    html = get(client, "/sok/?q=bedömningar")
    assert "Inga träffar" not in html


def test_it_groups_hits_of_other_apps_by_their_kind(client):
    services.index_document(
        object_key="dialogue.dialogue:1",
        kind="dialogue",
        url="/dialog/1/",
        title="Medborgardialog om parker",
        body="Tyck till om parkerna i Gottsunda.",
        year=2023,
    )
    services.index_document(
        object_key="goals.goal:77",
        kind="goal",
        url="/plan/2023/mal/1/",
        title="Parker för alla",
        body="Fler parker.",
        year=2023,
    )
    html = get(client, "/sok/?q=parker")
    assert '<h2 id="hits-dialogue">Dialoger' in html and '<h2 id="hits-goal">Mål' in html
    assert "Medborgardialog om parker" in html and "/dialog/1/" in html
    assert "2 träffar" in html


def test_it_says_clearly_when_nothing_matched(client):
    build_world()
    html = get(client, "/sok/?q=xyzzyplugh")
    assert "Inga träffar för ”xyzzyplugh”" in html
    assert "Försök med ett annat eller kortare ord" in html


def test_it_never_finds_unpublished_text(client):
    world = build_world(goals=1, assignments=3)
    index_period(world.august)
    html = get(client, f"/sok/?q={SECRET}")
    assert "Inga träffar" in html and 'class="search-hits"' not in html


def test_it_escapes_the_query_and_survives_odd_input(client):
    html = get(client, '/sok/?q=<script>alert(1)</script>"')
    assert "<script>alert(1)" not in html
    assert get(client, "/sok/?q=" + "a" * 5000)
    assert get(client, '/sok/?q=AND OR NEAR * ( "')
