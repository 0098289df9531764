"""Insyn's cache backends: Django's RedisCache whose clear() stays inside its namespace, and the
database rate-limit counters of the embedded default (CounterDatabaseCache, below).

Django's RedisCache.clear() runs FLUSHDB: it empties the whole Redis database, including the
keys of any other instance (or a live site) that shares it. Insyn's keys all start with the
cache's KEY_PREFIX (settings.py derives it from the database, see CACHES), so clear() deletes
only the keys under that prefix, in batches, with SCAN (never KEYS, never FLUSHDB).
"""

from __future__ import annotations

import random
import re
import threading
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
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


class CounterDatabaseCache(BaseCache):
    """Rate-limit counters in the database, one statement per operation (the embedded default's
    RATELIMIT_USE_CACHE; with Redis the limits live there).

    django-ratelimit calls `add(key, 1, timeout)` and, when the key exists, `incr(key)`. Django's
    DatabaseCache turns those into a COUNT for culling, a write transaction with a SELECT and an
    INSERT, a SELECT, another COUNT and a second write transaction with a SELECT and an UPDATE
    (11 statements, two SQLite write transactions) on every public POST. Here `add` is one
    INSERT … ON CONFLICT that only replaces an expired row, and `incr` one UPDATE … RETURNING:
    both atomic in the database, so concurrent processes never lose a count. Values are
    integers only. A counting `add` (value > 0) of a counter that exists increments it at once
    and hands the count to the `incr` django-ratelimit sends next: one statement per counted
    request. (So `add(key, n)` of an existing key adds n: this cache holds rate-limit counters
    only, RATELIMIT_USE_CACHE.)"""

    def __init__(self, location: str, params: dict[str, Any]) -> None:
        super().__init__(params)
        self.alias = params.get("OPTIONS", {}).get("DATABASE", "default")
        # The count a counting add() found and incremented, for the incr() that follows it in
        # the same thread: (key, the add's value, the count).
        self._counted = threading.local()

    def _table(self, connection: Any) -> str:
        from insyn.core.models import RateCounter

        return connection.ops.quote_name(RateCounter._meta.db_table)

    def _run(self, sql: str, params: list[Any]) -> tuple[int, Any]:
        from django.db import connections

        connection = connections[self.alias]
        with connection.cursor() as cursor:
            cursor.execute(sql.format(table=self._table(connection)), params)
            row = cursor.fetchone() if "RETURNING" in sql or sql.startswith("SELECT") else None
            return cursor.rowcount, row

    def _expires(self, timeout: Any) -> int:
        timeout = self.get_backend_timeout(timeout)
        return 2**62 if timeout is None else int(timeout)

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        key = self.make_and_validate_key(key, version=version)
        now = int(time.time())
        # Nearly every call finds the window's counter already there. A counting call
        # (django-ratelimit's `increment=True` adds 1, then increments when the key exists)
        # increments it here at once, in one UPDATE … RETURNING, and the `incr` that follows
        # takes that count without a statement of its own (two statements → one a request).
        # A plain `add(key, 0)` (a limit only read) reads.
        if int(value) > 0:
            _changed, row = self._run(
                "UPDATE {table} SET count = count + %s WHERE cache_key = %s AND expires >= %s "
                "RETURNING count",
                [int(value), key, now],
            )
            if row is not None:
                self._counted.last = (key, int(value), int(row[0]))
                return False
        else:
            _found, row = self._run(
                "SELECT 1 FROM {table} WHERE cache_key = %s AND expires >= %s", [key, now]
            )
            if row is not None:
                return False
        changed, _row = self._run(
            "INSERT INTO {table} (cache_key, count, expires) VALUES (%s, %s, %s) "
            "ON CONFLICT (cache_key) DO UPDATE SET count = excluded.count, expires = excluded.expires "
            "WHERE {table}.expires < %s",
            [key, int(value), self._expires(timeout), now],
        )
        if changed and random.random() < 0.01:  # a new window: now and then forget old ones
            self._run("DELETE FROM {table} WHERE expires < %s", [now])
        return bool(changed)

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        key = self.make_and_validate_key(key, version=version)
        counted, self._counted.last = getattr(self._counted, "last", None), None
        if counted is not None and counted[:2] == (key, int(delta)):
            return counted[2]  # the add() just before counted this one (see add)
        _changed, row = self._run(
            "UPDATE {table} SET count = count + %s WHERE cache_key = %s AND expires >= %s "
            "RETURNING count",
            [int(delta), key, int(time.time())],
        )
        if row is None:
            raise ValueError(f"Key '{key}' not found")
        return int(row[0])

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        key = self.make_and_validate_key(key, version=version)
        _changed, row = self._run(
            "SELECT count FROM {table} WHERE cache_key = %s AND expires >= %s",
            [key, int(time.time())],
        )
        return default if row is None else int(row[0])

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        key = self.make_and_validate_key(key, version=version)
        self._run(
            "INSERT INTO {table} (cache_key, count, expires) VALUES (%s, %s, %s) "
            "ON CONFLICT (cache_key) DO UPDATE SET count = excluded.count, expires = excluded.expires",
            [key, int(value), self._expires(timeout)],
        )

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        changed, _row = self._run(
            "UPDATE {table} SET expires = %s WHERE cache_key = %s", [self._expires(timeout), key]
        )
        return bool(changed)

    def delete(self, key: Any, version: Any = None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        changed, _row = self._run("DELETE FROM {table} WHERE cache_key = %s", [key])
        return bool(changed)

    def clear(self) -> None:
        self._run("DELETE FROM {table}", [])
