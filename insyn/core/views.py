from __future__ import annotations

import logging

from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger("insyn.health")


@require_GET
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """Liveness, for load balancers: 200 when the database answers, 503 when it does not.

    The body never says why (no host, port or error text): that goes to the log."""
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("health: the database does not answer")
        return JsonResponse({"status": "error", "database": "error"}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


def _database_ok() -> bool:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() is not None


def _cache_ok() -> bool:
    from insyn.core.cache import ping

    ping()
    return True


def _migrations_ok() -> bool:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    return not executor.migration_plan(executor.loader.graph.leaf_nodes())


@require_GET
@never_cache
def ready(request: HttpRequest) -> JsonResponse:
    """Readiness: the database answers, the cache stores and returns a value, and every
    migration this code knows is applied. 503 with which check failed (ok/error, nothing more)."""
    results = {}
    for name, probe in (
        ("database", _database_ok),
        ("cache", _cache_ok),
        ("migrations", _migrations_ok),
    ):
        try:
            results[name] = "ok" if probe() else "error"
        except Exception:
            logger.exception("health/ready: the %s check failed", name)
            results[name] = "error"
    ok = all(value == "ok" for value in results.values())
    return JsonResponse({"status": "ok" if ok else "error", **results}, status=200 if ok else 503)
