from __future__ import annotations

import pytest

from insyn.core import registry
from tests.public import panel_provider


@pytest.fixture(autouse=True)
def _own_panels(monkeypatch, settings):
    """The public pages' tests measure the public site alone: panels come from a test provider
    (one query each), not from the feature apps, which test their own panels."""
    monkeypatch.setattr(
        registry,
        "_panels",
        {
            "goal": {"test": panel_provider.goal_panel},
            "assignment": {"test": panel_provider.assignment_panel},
            "organisation": {"test": panel_provider.organisation_panel},
        },
    )
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "DIRS": [*settings.TEMPLATES[0]["DIRS"], "tests/public/templates"],
        }
    ]


@pytest.fixture
def assert_bounded(client, django_assert_max_num_queries):
    """check(world, url_of, max_queries, grow=None): the page costs the same number of queries
    (at most max_queries) with the small world and with ten times the data (ten_times, then
    grow(world) if given). url_of(world) -> URL."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.world import ten_times

    def measure(url: str) -> int:
        client.get(url)  # warm the caches every page shares (the municipality)
        with (
            django_assert_max_num_queries(max_queries_holder[0]),
            CaptureQueriesContext(connection) as ctx,
        ):
            response = client.get(url)
        assert response.status_code == 200, url
        return len(ctx)

    max_queries_holder = [0]

    def check(world, url_of, max_queries: int, grow=None) -> tuple[int, int]:
        max_queries_holder[0] = max_queries
        small = measure(url_of(world))
        ten_times(world)
        if grow is not None:
            grow(world)  # ten times of what this particular page is about
        large = measure(url_of(world))
        assert small == large, f"{small} queries with the small world, {large} with 10× the data"
        return small, large

    return check
