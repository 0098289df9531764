"""Settings by environment: `check --deploy` is clean in production, and the embedded SQLite
database really runs in WAL mode with a busy timeout and IMMEDIATE transactions."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ops.instance import Instance

PRODUCTION = {
    "DEBUG": "false",
    "HTTPS": "true",
    "SECRET_KEY": "p7Vq-production-like-secret-key-that-is-long-and-random-3kS9xLmQ2wZr8TbN",
    "ALLOWED_HOSTS": "insyn.uppsala.se",
    "CSRF_TRUSTED_ORIGINS": "https://insyn.uppsala.se",
    "SITE_URL": "https://insyn.uppsala.se",
}


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path):
    site = Instance(tmp_path, extra_env=PRODUCTION)
    result = site.insyn("check", "--deploy", "--fail-level", "WARNING", check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_does_complain_when_debug_is_on(tmp_path: Path):
    """The check above would catch a regression: DEBUG on is reported."""
    site = Instance(tmp_path, extra_env={**PRODUCTION, "DEBUG": "true"})
    result = site.insyn("check", "--deploy", "--fail-level", "WARNING", check=False)
    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr


def test_embedded_sqlite_is_wal_with_busy_timeout_and_immediate_transactions(tmp_path: Path):
    site = Instance(tmp_path)
    result = site.python(
        "import sqlite3\n"
        "from django.db import connection, connections, transaction\n"
        "with connection.cursor() as c:\n"
        "    pragmas = {p: c.execute(f'PRAGMA {p}').fetchone()[0]\n"
        "               for p in ('journal_mode', 'busy_timeout', 'foreign_keys')}\n"
        "other = sqlite3.connect(connection.settings_dict['NAME'], timeout=0,\n"
        "                        isolation_level=None)\n"
        "with transaction.atomic():\n"
        "    connection.cursor().execute('SELECT 1')  # a read only, yet the write lock is ours\n"
        "    try:\n"
        "        other.execute('BEGIN IMMEDIATE')\n"
        "        locked = False\n"
        "        other.execute('ROLLBACK')\n"
        "    except sqlite3.OperationalError as exc:\n"
        "        locked = 'locked' in str(exc)\n"
        "other.execute('BEGIN IMMEDIATE'); other.execute('ROLLBACK')  # free again afterwards\n"
        "RESULT = {'pragmas': pragmas, 'locked_during_atomic': locked,\n"
        "          'vendor': connection.vendor, 'name': str(connection.settings_dict['NAME']),\n"
        "          'backend': type(connections['default']).__module__}\n"
    )
    assert result["vendor"] == "sqlite"
    assert Path(result["name"]) == tmp_path / "insyn.sqlite3", "defaults into the data dir"
    assert result["pragmas"] == {"journal_mode": "wal", "busy_timeout": 20000, "foreign_keys": 1}
    assert result["locked_during_atomic"], "transaction.atomic() must BEGIN IMMEDIATE"
    # Writers queue on a lock file (tests/core/test_sqlite_writers.py).
    assert result["backend"] == "insyn.core.sqlite.base"


PG_OPTIONS = "from django.db import connection\nRESULT = connection.settings_dict['OPTIONS']\n"


def test_postgresql_binds_parameters_on_the_server_and_prepares_repeated_statements(
    tmp_path: Path,
):
    """A ballot costs PostgreSQL about half the CPU when the statements a process repeats are
    prepared (docs/benchmarks.md): on by default, off for a pooler that cannot keep them."""
    url = {"DATABASE_URL": "postgres://insyn@127.0.0.1:5432/insyn"}  # settings only: no connection
    default = Instance(tmp_path, extra_env=url).python(PG_OPTIONS)
    assert default == {"server_side_binding": True, "prepare_threshold": 5}
    tuned = Instance(tmp_path, extra_env={**url, "DB_PREPARE_THRESHOLD": "2"}).python(PG_OPTIONS)
    assert tuned == {"server_side_binding": True, "prepare_threshold": 2}
    off = Instance(tmp_path, extra_env={**url, "DB_PREPARE_THRESHOLD": "off"}).python(PG_OPTIONS)
    assert off == {}
    sqlite = Instance(tmp_path).python(PG_OPTIONS)
    assert "server_side_binding" not in sqlite and "prepare_threshold" not in sqlite


@pytest.mark.django_db
def test_postgresql_connection_prepares_a_statement_it_repeats():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (DATABASE_URL)")
    with connection.cursor() as cursor:
        for n in range(6):
            cursor.execute("SELECT %s + 1 AS insyn_prepare_probe", [n])
            assert cursor.fetchone() == (n + 1,)
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("insyn_prepare_probe" in s and "$1" in s for s in prepared), prepared


def _terminate_and_wait(connection) -> int:
    """Terminate the connection's backend from another connection (what a restart of
    PostgreSQL does to every connection) and wait until the kept connection has heard of it."""
    import select
    import time

    import psycopg

    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 30
    while not select.select([connection.connection.fileno()], [], [], 0.1)[0]:
        assert time.monotonic() < deadline, "the server did not close the connection"
    return pid


@pytest.mark.django_db(transaction=True)
def test_a_postgresql_connection_the_server_closed_is_replaced_before_a_request_uses_it(settings):
    """A kept connection is checked without a round trip (insyn.core.postgresql): a sound one
    is not asked anything, and one the server closed (restart, terminated backend) is replaced
    before the request's first query, so the visitor gets the page, not a 500."""
    from unittest import mock

    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.db.backends.postgresql.base import DatabaseWrapper
    from django.test import RequestFactory

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (DATABASE_URL)")
    settings.INSYN_PUBLIC_CACHE = False
    handler = WSGIHandler()

    def status(path: str) -> int:
        answer: list[str] = []
        b"".join(handler(RequestFactory().get(path).environ, lambda s, h, e=None: answer.append(s)))
        return int(answer[0].split()[0])

    assert status("/dialog/") == 200
    kept = connection.connection
    with mock.patch.object(DatabaseWrapper, "is_usable", side_effect=AssertionError) as asked:
        assert connection.is_usable()  # sound: answered without asking the server
        assert not asked.called
    pid = _terminate_and_wait(connection)
    assert status("/dialog/") == 200
    assert connection.connection is not kept
    assert connection.connection.info.backend_pid != pid
