"""SQLite's writers queue on `<database>-writer` (insyn.core.sqlite), not on the busy timeout.

The suite's own SQLite database is in memory (one connection, no lock file), so these tests
open a database file of their own. Each holds the lock file from the test itself (another
open file, as another process would) and shows that a write waits for it although SQLite's own
lock is free, and that reads do not; then that Django's transactions take and give it."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, transaction

ALIAS = "writers_test"


@pytest.fixture
def database(tmp_path: Path, django_db_blocker) -> Iterator[Path]:
    """A database file of the test's own under an alias of its own (not the test database,
    so outside pytest-django's transaction)."""
    path = tmp_path / "insyn.sqlite3"
    unblocked = django_db_blocker.unblock()
    unblocked.__enter__()
    connections.settings[ALIAS] = connections.configure_settings(
        {
            DEFAULT_DB_ALIAS: {
                "ENGINE": "insyn.core.sqlite",
                "NAME": str(path),
                "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
            }
        }
    )[DEFAULT_DB_ALIAS]
    with connections[ALIAS].cursor() as cursor:
        cursor.execute("CREATE TABLE t (n integer)")
    try:
        yield path
    finally:
        connections[ALIAS].close()
        del connections[ALIAS]
        connections.settings.pop(ALIAS, None)
        unblocked.__exit__(None, None, None)


def holding(path: Path) -> int:
    """The lock file, taken by the test as another process would take it."""
    fd = os.open(f"{path}-writer", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def is_free(path: Path) -> bool:
    fd = os.open(f"{path}-writer", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def in_thread(work) -> tuple[threading.Thread, threading.Event]:
    done = threading.Event()

    def run() -> None:
        try:
            work()
        finally:
            connections[ALIAS].close()
            done.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, done


def rows() -> list[int]:
    with connections[ALIAS].cursor() as cursor:
        cursor.execute("SELECT n FROM t ORDER BY rowid")
        return [n for (n,) in cursor.fetchall()]


def insert(n: int) -> None:
    with connections[ALIAS].cursor() as cursor:
        cursor.execute("INSERT INTO t (n) VALUES (%s)", [n])


@pytest.mark.parametrize("in_transaction", [True, False])
def test_a_write_waits_for_the_lock_file_and_goes_on_when_it_is_free(database, in_transaction):
    fd = holding(database)

    def write() -> None:
        if in_transaction:
            with transaction.atomic(using=ALIAS):
                insert(1)
        else:
            insert(1)  # one statement outside a transaction (a rate-limit count)

    thread, done = in_thread(write)
    try:
        # SQLite's own lock is free: without the queue the write would be done at once.
        assert not done.wait(0.5)
        assert rows() == []
        assert rows() == []  # reads do not queue
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    assert done.wait(10)
    thread.join(10)
    assert rows() == [1]
    assert is_free(database)


def test_a_transaction_holds_the_lock_file_from_begin_to_commit(database):
    with transaction.atomic(using=ALIAS):
        assert not is_free(database)
        insert(1)
        with transaction.atomic(using=ALIAS):  # a savepoint: still the one writer
            insert(2)
        assert not is_free(database)
    assert is_free(database)
    assert rows() == [1, 2]


def test_a_rolled_back_transaction_lets_the_next_writer_in(database):
    with pytest.raises(ZeroDivisionError), transaction.atomic(using=ALIAS):
        insert(1)
        1 / 0  # noqa: B018
    assert is_free(database)
    insert(2)
    assert rows() == [2]


def test_writers_of_one_process_take_turns(database):
    """Threads of one process queue for the file in the process first; each writes whole."""
    first_in = threading.Event()
    let_go = threading.Event()

    def first() -> None:
        with transaction.atomic(using=ALIAS):
            insert(1)
            first_in.set()
            let_go.wait(10)
            insert(2)

    def second() -> None:
        with transaction.atomic(using=ALIAS):
            insert(3)

    one, one_done = in_thread(first)
    assert first_in.wait(10)
    two, two_done = in_thread(second)
    assert not two_done.wait(0.3)
    let_go.set()
    assert one_done.wait(10) and two_done.wait(10)
    one.join(10)
    two.join(10)
    assert rows() == [1, 2, 3]
    assert is_free(database)


def test_closing_a_connection_in_a_transaction_lets_the_next_writer_in(database):
    connection = connections[ALIAS]
    connection.ensure_connection()
    connection._start_transaction_under_autocommit()
    insert(1)
    assert not is_free(database)
    connection.close()
    assert is_free(database)
    assert rows() == []  # never committed
