"""System checks (`insyn check`, and before `migrate`, `serve`...) for the deployment."""

from __future__ import annotations

from django.core.checks import Error, Tags, register


@register(Tags.caches)
def redis_cache_reachable(app_configs=None, **kwargs):
    """A configured Redis that does not answer stops `insyn check` (and `serve`) with an error.

    The message names no host: the URL may carry a password."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    errors = []
    for alias in caches:
        cache = caches[alias]
        if not isinstance(cache, RedisCache):
            continue
        try:
            cache._cache.get_client(write=True).ping()
        except Exception as exc:
            errors.append(
                Error(
                    f"Cachen {alias!r} (Redis, REDIS_URL) svarar inte: {type(exc).__name__}.",
                    hint="Starta Redis eller rätta REDIS_URL; ta bort REDIS_URL för att "
                    "använda databasen som cache.",
                    id="insyn.E101",
                )
            )
    return errors
