"""The embedded default's rate-limit counters (insyn.core.cache.CounterDatabaseCache): the same
answers as any Django cache for what django-ratelimit asks, atomic, one statement each."""

from __future__ import annotations

import time

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django_ratelimit.core import is_ratelimited

from insyn.core.models import RateCounter

pytestmark = pytest.mark.django_db

COUNTER = {"BACKEND": "insyn.core.cache.CounterDatabaseCache"}


@pytest.fixture
def counters(settings):
    settings.CACHES = {**settings.CACHES, "ratelimit": COUNTER}
    settings.RATELIMIT_USE_CACHE = "ratelimit"
    return caches["ratelimit"]


def test_add_incr_get_like_a_cache(counters):
    assert counters.get("a") is None
    assert counters.get("a", 0) == 0
    assert counters.add("a", 1, 60) is True
    # Present: not replaced. A counting add (what django-ratelimit sends before its incr)
    # counts at once, and the incr right after it is that same count: counted once.
    assert counters.add("a", 1, 60) is False
    assert counters.incr("a") == 2
    assert counters.get("a") == 2
    assert counters.incr("a", 5) == 7  # no add before it: counted by itself
    assert counters.add("a", 0, 60) is False  # an add that does not count only looks
    assert counters.get("a") == 7
    with pytest.raises(ValueError):
        counters.incr("missing")
    counters.set("b", 3, 60)
    assert counters.get("b") == 3
    assert counters.delete("b") is True
    assert counters.get("b") is None
    counters.clear()
    assert not RateCounter.objects.exists()


def test_an_expired_counter_counts_as_absent(counters):
    counters.add("w", 1, 60)
    counters.incr("w")
    RateCounter.objects.update(expires=int(time.time()) - 1)
    assert counters.get("w") is None
    with pytest.raises(ValueError):
        counters.incr("w")
    assert counters.add("w", 1, 60) is True  # the new window starts again at 1
    assert counters.get("w") == 1


def test_a_limit_counts_with_one_statement_per_step(counters):
    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.7")
    with CaptureQueriesContext(connection) as first:
        assert not is_ratelimited(request, group="g", key="ip", rate="3/m", increment=True)
    with CaptureQueriesContext(connection) as later:
        assert not is_ratelimited(request, group="g", key="ip", rate="3/m", increment=True)
    assert not is_ratelimited(request, group="g", key="ip", rate="3/m", increment=True)
    assert is_ratelimited(request, group="g", key="ip", rate="3/m", increment=True)
    other = RequestFactory().post("/", REMOTE_ADDR="192.0.2.8")
    assert not is_ratelimited(other, group="g", key="ip", rate="3/m", increment=True)
    # Inside the test's transaction Django adds no BEGIN/COMMIT: these are the statements.
    # A new window: the UPDATE … RETURNING finds nothing, INSERT … ON CONFLICT. Later: the
    # UPDATE counts, and django-ratelimit's incr takes its count — one statement, one write
    # per counted request (one SQLite write lock).
    assert [q["sql"].split()[0] for q in first.captured_queries] == ["UPDATE", "INSERT"]
    assert [q["sql"].split()[0] for q in later.captured_queries] == ["UPDATE"]
    # Each request counted once: 3 allowed and 1 over from the first address, 1 from the other.
    assert sorted(RateCounter.objects.values_list("count", flat=True)) == [1, 4]
    # Looking without counting (the sign-in throttle) reads the same number.
    assert not is_ratelimited(other, group="g", key="ip", rate="3/m", increment=False)
