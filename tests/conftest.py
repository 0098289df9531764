from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clear_cache():
    """Each test starts with an empty cache (the municipality identity is cached)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def django_assert_num_queries(django_assert_num_queries, settings):
    """Query counts measure the page's own work: the public response cache is off."""
    settings.INSYN_PUBLIC_CACHE = False
    return django_assert_num_queries


@pytest.fixture
def django_assert_max_num_queries(django_assert_max_num_queries, settings):
    """Query counts measure the page's own work: the public response cache is off."""
    settings.INSYN_PUBLIC_CACHE = False
    return django_assert_max_num_queries
