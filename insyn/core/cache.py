"""Insyn's Redis cache backend: Django's RedisCache whose clear() stays inside its namespace.

Django's RedisCache.clear() runs FLUSHDB: it empties the whole Redis database, including the
keys of any other instance (or a live site) that shares it. Insyn's keys all start with the
cache's KEY_PREFIX (settings.py derives it from the database, see CACHES), so clear() deletes
only the keys under that prefix, in batches, with SCAN (never KEYS, never FLUSHDB).
"""

from __future__ import annotations

import re

from django.core.cache.backends.redis import RedisCache


def _glob_escape(text: str) -> str:
    return re.sub(r"([\\*?\[\]])", r"\\\1", text)


class NamespacedRedisCache(RedisCache):
    def namespace_pattern(self) -> str:
        return _glob_escape(self.key_prefix) + ":*"

    def clear(self) -> bool:
        client = self._cache.get_client(write=True)
        batch: list[bytes] = []
        for key in client.scan_iter(match=self.namespace_pattern(), count=500):
            batch.append(key)
            if len(batch) >= 500:
                client.delete(*batch)
                batch.clear()
        if batch:
            client.delete(*batch)
        return True


def ping(alias: str = "default") -> None:
    """Raise when the cache cannot store and read back a value (any backend)."""
    from django.core.cache import caches

    cache = caches[alias]
    key = "insyn-health-probe"
    cache.set(key, "ok", 30)
    if cache.get(key) != "ok":
        raise RuntimeError("the cache did not return what was stored")
