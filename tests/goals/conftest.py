"""Fixtures of the goals tests: `world` is tests.world.make_world() (the reporting workflow with
every persona)."""

from __future__ import annotations

import pytest

from insyn.accounts.testing import login_verified
from tests.world import World, make_world


@pytest.fixture
def world(db) -> World:
    return make_world()


@pytest.fixture
def as_user(client):
    """as_user(user) logs the test client in (administrators with a verified second factor)."""

    def login(user):
        client.logout()
        login_verified(client, user)
        return client

    return login


# The shared browser fixtures (Debian Chromium via Playwright), for tests/goals/test_browser_*.
from tests.browser.conftest import browser, browser_context, page  # noqa: E402, F401
