"""Splitting work over the machine's second core (issue 13).

`map_in_two` splits pure CPU work (an import's wall time); `forked` starts pure CPU work in a
second process while this one goes on with something else (an import stems the pages' texts
while it writes them); `beside` runs one read of the database on a second connection while
this one runs another (the case statistics' two scans of a year of cases).

`map_in_two` is only for work that is a pure function of its input (text in, text out): the second half goes to
one forked process while this one does the first, and the results come back in order. Forking
is cheap on Linux and the child needs nothing but what it is given; elsewhere (no fork, one
CPU) everything runs here, one item after the other.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections


def cpus() -> int:
    """How many CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # no sched_getaffinity: not Linux
        return os.cpu_count() or 1


def two_cpus() -> bool:
    """Whether this process may run on two CPUs and can fork (Linux)."""
    try:
        return (
            len(os.sched_getaffinity(0)) >= 2 and "fork" in multiprocessing.get_all_start_methods()
        )
    except AttributeError:  # no sched_getaffinity: not Linux
        return False


def map_in_two[T, R](
    function: Callable[[list[T]], list[R]], items: Sequence[T], *, parallel_from: int
) -> list[R]:
    """`function(items)`, with a forked process doing the second half when there are at least
    `parallel_from` items and two CPUs. `function` maps a list to a list of the same length
    and must be pure (module-level, so that the child can be handed it)."""
    items = list(items)
    if len(items) < parallel_from or not two_cpus():
        return function(items)
    half = (len(items) + 1) // 2
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        second = pool.submit(function, items[half:])
        try:
            results = function(items[:half])
        except BaseException:
            second.cancel()
            raise
        results.extend(second.result())
    return results


class Forked[R]:
    """`function(argument)` computed in a forked process: `result()` waits for it (and raises
    what it raised); `close()` stops it if nobody will ask. Made by `forked`."""

    def __init__(self, function: Callable[[Any], R], argument: Any, *, fork: bool) -> None:
        self._function, self._argument = function, argument
        self._done = False
        self._value: R | None = None
        self._process: BaseProcess | None = None
        if fork:
            context = multiprocessing.get_context("fork")
            self._receive, send = context.Pipe(duplex=False)
            # Forked: the child has the argument as it is here, nothing is pickled on the way
            # in; the result comes back pickled through the pipe.
            self._process = context.Process(
                target=_send_result, args=(function, argument, send), daemon=True
            )
            self._process.start()
            send.close()

    def result(self) -> R:
        if not self._done:
            if self._process is None:
                self._value = self._function(self._argument)
            else:
                try:
                    ok, value = self._receive.recv()
                except EOFError:
                    # The process ended without a result (killed, out of memory): the work is
                    # pure, so it is done here instead.
                    ok, value = True, self._function(self._argument)
                finally:
                    self._end(terminate=False)
                if not ok:
                    raise value
                self._value = value
            self._done = True
            self._argument = None
        return self._value  # type: ignore[return-value]

    def close(self) -> None:
        """Stop the process if it still runs (its result is no longer wanted)."""
        self._end(terminate=True)

    def _end(self, *, terminate: bool) -> None:
        if self._process is not None:
            self._receive.close()
            if terminate and self._process.is_alive():
                self._process.terminate()
            self._process.join()
            self._process = None


def _send_result(function: Callable[[Any], Any], argument: Any, send: Connection) -> None:
    try:
        result = (True, function(argument))
    except BaseException as exc:
        result = (False, exc)
    send.send(result)
    send.close()


def forked[T, R](function: Callable[[T], R], argument: T, *, fork: bool = True) -> Forked[R]:
    """Start `function(argument)` in a forked process when `fork` (say, when the work is large
    enough to be worth a process) and there are two CPUs; otherwise it runs here when
    `result()` is first called. `function` must be pure (it sees the argument as it was
    when this was called, and nothing it changes comes back but its result) and must not
    use the database. Only for a command, never in a web server's process."""
    return Forked(function, argument, fork=fork and two_cpus())


_readers: ThreadPoolExecutor | None = None
_readers_lock = threading.Lock()


class Beside[R]:
    """The result of a read started by `beside`: `result()` waits for it (or, when it could
    not run beside, runs it now) and raises what it raised."""

    def __init__(self, function: Callable[[], R], future: Future[R] | None) -> None:
        self._function, self._future = function, future

    def result(self) -> R:
        if self._future is None:
            return self._function()
        return self._future.result()


def _on_own_connection[R](function: Callable[[], R]) -> R:
    try:
        return function()
    finally:
        # The thread's connection is not kept between reads: nothing else would close it.
        connections.close_all()


def beside[R](function: Callable[[], R], *, using: str = DEFAULT_DB_ALIAS) -> Beside[R]:
    """Start `function` (a read that uses the database only through Django's connections) on
    a thread with its own connection, so that PostgreSQL runs it on another core while this
    thread runs its next query; `.result()` collects it. On SQLite (one process's reads gain
    nothing from a second connection), inside a transaction (the second connection would not
    see its writes: every test's), or with one CPU it runs when `.result()` is called, here.

    The two connections read two snapshots a moment apart: for counts and medians over months,
    not for a figure that must agree to the case with another."""
    connection = connections[using]
    if connection.vendor != "postgresql" or connection.in_atomic_block or cpus() < 2:
        return Beside(function, None)
    global _readers
    with _readers_lock:
        if _readers is None:
            _readers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="insyn-beside")
    return Beside(function, _readers.submit(_on_own_connection, function))
