"""Django's SQLite backend, with its writers queued on a lock file instead of SQLite's busy
timeout (issue 13).

SQLite has one write lock per database. A writer that finds it taken is put to sleep by the
busy handler for 1, 2, 5, 10, 15, 20, 25, … ms between tries, however soon the lock is free
again, and a ballot holds it for about half a millisecond. With two server processes casting
ballots, a quarter of the machine's CPU sat idle in those sleeps: much of it in the rate
limit's one-statement count, which took the lock outside a transaction while the casts queued.

Here a writer first takes this process's lock for the database file (so one thread per process
waits at the file, and the threads of a process hand over without the kernel) and then an
exclusive `flock` on `<database>-writer`: at BEGIN (Django's atomic blocks BEGIN IMMEDIATE,
which takes SQLite's write lock there) until COMMIT or ROLLBACK, and around a statement outside
a transaction that is not a SELECT. The kernel wakes the next process the moment the file is
unlocked, and unlocks it when a process dies. Readers do not queue: WAL lets them read beside
the writer. SQLite's own lock and busy timeout stay underneath, for other programs (`sqlite3`,
a backup) that write without the lock file.

A writer waits as long as the one before it holds the lock: behind a transaction of 30 s (a
large import) the next write waits 30 s, where the busy timeout gave up at 20 s with "database
is locked". A thread must not write to the same database through a second connection while its
first one holds the lock (it would wait for itself); Insyn has one connection per thread. An
in-memory database (one connection) has no lock file.
"""

from __future__ import annotations

import fcntl
import os
import threading
from typing import Any

from django.db.backends.sqlite3 import base

_process_locks: dict[str, threading.Lock] = {}
_process_locks_guard = threading.Lock()


def _process_lock(path: str) -> threading.Lock:
    with _process_locks_guard:
        return _process_locks.setdefault(path, threading.Lock())


def _forget_process_locks() -> None:
    # A forked child starts with no writer of its own: a lock a parent's thread held at the
    # fork would never be released in the child.
    global _process_locks_guard
    _process_locks.clear()
    _process_locks_guard = threading.Lock()


os.register_at_fork(after_in_child=_forget_process_locks)


class WriterQueue:
    """One connection's place in the queue of writers to a database file: `take()` blocks until
    this connection is the one writer, `give()` lets the next one in; each does nothing when
    there is nothing to do."""

    def __init__(self, database: str) -> None:
        self.path = f"{database}-writer"
        self.fd: int | None = None
        self.held = False
        self.pid = os.getpid()
        self.in_process = _process_lock(self.path)

    def take(self) -> None:
        if self.pid != os.getpid():
            # A forked child shares the parent's open file, and so its flock: its own file.
            self.fd, self.held, self.pid = None, False, os.getpid()
            self.in_process = _process_lock(self.path)
        if self.held:
            return
        self.in_process.acquire()
        try:
            if self.fd is None:
                self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except BaseException:
            self.in_process.release()
            raise
        self.held = True

    def give(self) -> None:
        if self.held and self.pid == os.getpid():
            self.held = False
            try:
                fcntl.flock(self.fd, fcntl.LOCK_UN)  # type: ignore[arg-type]
            finally:
                self.in_process.release()

    def close(self) -> None:
        self.give()
        if self.fd is not None and self.pid == os.getpid():
            os.close(self.fd)
        self.fd = None


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    """Django's cursor; a write outside a transaction queues for its one statement."""

    writers: WriterQueue | None = None

    def _queued(self, run: Any, query: str, params: Any) -> Any:
        writers = self.writers
        if (
            writers is None
            or writers.held
            or query.startswith("SELECT")
            or self.connection.in_transaction  # a BEGIN of its own, outside Django's atomic
        ):
            return run(query, params)
        writers.take()
        try:
            return run(query, params)
        finally:
            if not self.connection.in_transaction:
                writers.give()

    def execute(self, query: str, params: Any = None) -> Any:
        return self._queued(super().execute, query, params)

    def executemany(self, query: str, param_list: Any) -> Any:
        return self._queued(super().executemany, query, param_list)


class DatabaseWrapper(base.DatabaseWrapper):
    writers: WriterQueue | None = None

    def get_new_connection(self, conn_params: dict) -> Any:
        connection = super().get_new_connection(conn_params)
        if self.writers is None and not self.is_in_memory_db():
            self.writers = WriterQueue(str(self.settings_dict["NAME"]))
        return connection

    def create_cursor(self, name: str | None = None) -> Any:
        cursor = self.connection.cursor(factory=SQLiteCursorWrapper)
        cursor.writers = self.writers
        return cursor

    def _start_transaction_under_autocommit(self) -> None:
        if self.writers is not None:
            self.writers.take()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._let_next_writer_in()
            raise

    def _let_next_writer_in(self) -> None:
        if self.writers is not None and not (
            self.connection is not None and self.connection.in_transaction
        ):
            self.writers.give()

    def _commit(self) -> None:
        try:
            super()._commit()
        finally:
            self._let_next_writer_in()

    def _rollback(self) -> None:
        try:
            super()._rollback()
        finally:
            self._let_next_writer_in()

    def _close(self) -> None:
        try:
            super()._close()
        finally:
            if self.writers is not None:
                self.writers.close()
                self.writers = None
