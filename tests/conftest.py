from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clear_cache():
    """Each test starts with an empty cache (the municipality identity is cached)."""
    cache.clear()
    yield
    cache.clear()
