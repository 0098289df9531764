"""The Redis cache against a real Redis (REDIS_URL; .ci/run sets it for the PostgreSQL run).

Insyn's cache clears only its own namespace: a restore, or the test suite, must never empty a
Redis database that a live site (or anything else) also uses."""

from __future__ import annotations

import os
import uuid

import pytest

from insyn.core.cache import NamespacedRedisCache

REDIS_URL = os.environ.get("REDIS_URL", "")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set (no Redis to test)")


def _cache(prefix: str) -> NamespacedRedisCache:
    return NamespacedRedisCache(REDIS_URL, {"KEY_PREFIX": prefix})


def test_clear_deletes_only_its_own_namespace():
    run = uuid.uuid4().hex[:8]
    restored = _cache(f"insyn-restored-{run}")
    live = _cache(f"insyn-live-{run}")
    lookalike = _cache(f"insyn-restored-{run}x")  # a prefix that merely starts the same
    client = restored._cache.get_client(write=True)
    foreign_key = f"someone-else:{run}"
    try:
        for i in range(1200):  # more than one SCAN/DELETE batch
            restored.set(f"k{i}", i)
        live.set("session", "live")
        lookalike.set("session", "lookalike")
        client.set(foreign_key, "theirs")

        restored.clear()

        assert restored.get("k0") is None and restored.get("k1199") is None
        assert live.get("session") == "live"
        assert lookalike.get("session") == "lookalike"
        assert client.get(foreign_key) == b"theirs"
    finally:
        live.clear()
        lookalike.clear()
        client.delete(foreign_key)


def test_settings_namespace_the_cache_by_database():
    from django.conf import settings

    cache = settings.CACHES["default"]
    assert cache["BACKEND"] == "insyn.core.cache.NamespacedRedisCache"
    assert cache["KEY_PREFIX"].startswith("insyn-")
