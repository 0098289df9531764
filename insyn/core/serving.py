"""`insyn serve`'s worker class: gunicorn's gthread, with the processes taking turns at new
connections.

gunicorn's processes all wait on the one listening socket and race to accept. A client that
opens several keep-alive connections at once (a browser, a load test, a proxy keeping
connections) wakes them all, and the first to run takes every connection while the others are
still being scheduled: on two cores one process then served all eight of a benchmark's
connections for the whole run (about 2,000 requests/s at ~4 ms each, whatever was asked) while
the other idled. Here each process publishes how many connections it holds in a small table
shared by the processes of one `insyn serve` (made before they are forked), and a process that
holds more than another live, accepting process leaves the new connection to it for a moment
(at most `FAIR_WAIT` seconds, so a process that is busy or stuck never holds connections back).

Each process also loads the application and its URLconf (every view module and what it imports)
before its first request and then moves everything it holds out of the garbage collector's
reach (`gc.freeze()`): those objects live as long as the process, yet every full collection
walked all of them again (a few hundred thousand), which was about a tenth of a ballot POST's
CPU (issue 13). Objects made later are collected as before.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import time
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

SLOTS = 64
# How long a process leaves a new connection to one holding fewer (seconds); then takes it.
FAIR_WAIT = float(os.environ.get("INSYN_SERVE_FAIR_WAIT", "0.01"))
# A process whose entry is older than this (seconds) is not waited for (stopped, hung).
STALE = 2.0
NOT_ACCEPTING = 1 << 30


class Share:
    """The table: a slot per process (its pid, how many connections it holds, when it last
    said so), in memory the forked processes share."""

    def __init__(self, slots: int = SLOTS) -> None:
        self.pids = multiprocessing.RawArray("q", slots)
        self.held = multiprocessing.RawArray("q", slots)
        self.seen = multiprocessing.RawArray("d", slots)
        self.lock = multiprocessing.Lock()

    def claim(self, pid: int) -> int | None:
        """A free slot for this process (or one of a process that is gone); None if all are
        taken (the process then accepts as plain gthread does)."""
        with self.lock:
            for slot, owner in enumerate(self.pids):
                if owner == 0 or owner == pid or not _alive(owner):
                    self.pids[slot] = pid
                    self.held[slot] = 0
                    self.seen[slot] = time.monotonic()
                    return slot
        return None

    def release(self, slot: int | None) -> None:
        if slot is not None:
            self.pids[slot] = 0

    def publish(self, slot: int | None, held: int) -> None:
        if slot is not None:
            self.held[slot] = held
            self.seen[slot] = time.monotonic()

    def someone_holds_fewer(self, slot: int | None, held: int) -> bool:
        """Whether another live process that accepts holds fewer connections than `held`."""
        if slot is None:
            return False
        now = time.monotonic()
        for other, pid in enumerate(self.pids):
            if (
                other != slot
                and pid != 0
                and now - self.seen[other] < STALE
                and self.held[other] < held
            ):
                return True
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


SHARE: Share | None = None


def prepare() -> None:
    """Make the table; call in the arbiter's process, before it forks the workers."""
    global SHARE
    SHARE = Share()


def freeze_loaded() -> None:
    """Load the URLconf (and so every view module), then keep everything loaded so far out of
    the garbage collector's full collections (see the module's docstring)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the views
    gc.collect()
    gc.freeze()


class FairThreadWorker(ThreadWorker):
    """gthread, except that it leaves a new connection for a moment to a process holding
    fewer (see the module's docstring)."""

    _slot: int | None = None
    _waiting_since: float | None = None

    def init_process(self) -> None:
        if SHARE is not None:
            self._slot = SHARE.claim(os.getpid())
        super().init_process()

    def load_wsgi(self) -> None:
        super().load_wsgi()
        freeze_loaded()

    def _publish(self) -> None:
        if SHARE is not None:
            accepting = self.alive and getattr(self, "_accepting", True)
            SHARE.publish(self._slot, self.nr_conns if accepting else NOT_ACCEPTING)

    def accept(self, listener: Any) -> None:
        if SHARE is not None and SHARE.someone_holds_fewer(self._slot, self.nr_conns):
            now = time.monotonic()
            if self._waiting_since is None:
                self._waiting_since = now
            if now - self._waiting_since < FAIR_WAIT:
                time.sleep(FAIR_WAIT / 20)  # the listener stays readable: look again soon
                return
        self._waiting_since = None
        super().accept(listener)
        self._publish()

    def wait_for_and_dispatch_events(self, timeout: float) -> None:
        super().wait_for_and_dispatch_events(timeout)
        self._publish()  # connections closed, or still here: the entry stays fresh

    def handle_exit(self, sig: int, frame: Any) -> None:
        if SHARE is not None:
            SHARE.release(self._slot)
        super().handle_exit(sig, frame)
