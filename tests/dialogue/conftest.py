from __future__ import annotations

import os

import pytest

from insyn.accounts.models import Role
from insyn.dialogue.identity import SESSION_KEY
from tests.browser.conftest import browser, browser_context, page  # noqa: F401 - shared fixtures
from tests.factories import MembershipFactory, UserFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def officer(db):
    user = UserFactory(username="dialogansvarig")
    MembershipFactory(user=user, role=Role.DIALOGUE_OFFICER, organisation=None)
    return user


@pytest.fixture
def staff_client(client, officer):
    client.force_login(officer)
    return client


def sign_in_participant(client, participant) -> None:
    """Put a participant in the client's session the way the one-time link does."""
    session = client.session
    session[SESSION_KEY] = participant.pk
    session.save()


def _in_memory_sqlite() -> bool:
    from django.db import connection

    return connection.vendor == "sqlite"


# SQLite's in-memory test database shares one cache between threads, where a competing writer
# fails at once with "database table is locked" instead of waiting; thread tests therefore run
# on PostgreSQL (CI runs the suite there too). SQLite's real behaviour, a file in WAL mode with
# IMMEDIATE transactions, is exercised through `insyn serve` by bench/bench_ballots.py.
needs_concurrent_db = pytest.mark.skipif(
    _in_memory_sqlite(), reason="trådtester kräver PostgreSQL (SQLite i minnet låser tabeller)"
)
