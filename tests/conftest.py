from __future__ import annotations

import io
import time

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.utils import translation
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# Property tests give the same examples on every run and never fail for being slow: `make test`
# must be green every time, also on a busy machine (a random example or a timing health check
# made a full run fail where the test alone passed). A test's own @settings still adds to this.
hypothesis_settings.register_profile(
    "insyn",
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
hypothesis_settings.load_profile("insyn")


@pytest.fixture(autouse=True)
def _clear_cache():
    """Each test starts with an empty cache (the municipality identity is cached)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _rate_limit_windows_start_with_the_test(monkeypatch):
    """django-ratelimit counts in fixed windows, aligned to the epoch (and offset per key). A
    test that makes N requests and expects the next one refused failed now and then on a busy
    machine, when a window happened to end between its requests (seen in a fresh clone's
    PostgreSQL run: 30 failed logins from one address, then the right password got a 302, not
    the 429). Here every window begins when the test does, so a test shorter than the shortest
    period (a minute) counts in one window; a test that moves `time.time` a period on (to show
    that the window ends) still sees the next one."""
    from django_ratelimit import core

    start = int(time.time())

    def window(value, period: int) -> int:
        now = int(time.time())
        if period == 1:
            return now
        return start + ((now - start) // period + 1) * period  # the end of the current one

    monkeypatch.setattr(core, "_get_window", window)


@pytest.fixture(autouse=True)
def _swedish():
    """Each test starts in Swedish, the site's language: a test (or a request it made) that
    activated English must not make a later test's generated sentences English."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


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


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The Uppsala demo, loaded once for the module that asks for it and rolled back afterwards
    (tests/test_i18n_english.py, tests/public/test_goal_page_weight.py)."""
    media_root = settings.MEDIA_ROOT
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)
    settings.MEDIA_ROOT = media_root
