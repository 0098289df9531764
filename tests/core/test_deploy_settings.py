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
        "from django.db import connection, transaction\n"
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
        "          'vendor': connection.vendor, 'name': str(connection.settings_dict['NAME'])}\n"
    )
    assert result["vendor"] == "sqlite"
    assert Path(result["name"]) == tmp_path / "insyn.sqlite3", "defaults into the data dir"
    assert result["pragmas"] == {"journal_mode": "wal", "busy_timeout": 20000, "foreign_keys": 1}
    assert result["locked_during_atomic"], "transaction.atomic() must BEGIN IMMEDIATE"


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
