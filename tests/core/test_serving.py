"""insyn.core.serving: the server processes take turns at new connections (issue 13: one process
took all eight of a benchmark's keep-alive connections and served them alone)."""

from __future__ import annotations

import os
import time

from insyn.core import serving


def test_a_process_holding_more_leaves_the_connection_to_one_holding_fewer():
    share = serving.Share(slots=4)
    mine = share.claim(os.getpid())
    other = share.claim(os.getppid())
    assert mine is not None and other is not None and mine != other
    share.publish(mine, 1)
    share.publish(other, 0)
    assert share.someone_holds_fewer(mine, 1)
    assert not share.someone_holds_fewer(other, 0)
    share.publish(other, 1)
    assert not share.someone_holds_fewer(mine, 1)  # even: either may take it


def test_a_stopping_stale_or_released_process_is_not_waited_for(monkeypatch):
    share = serving.Share(slots=4)
    mine = share.claim(os.getpid())
    other = share.claim(os.getppid())
    share.publish(mine, 3)
    share.publish(other, serving.NOT_ACCEPTING)  # stopping, or at its connection limit
    assert not share.someone_holds_fewer(mine, 3)
    share.publish(other, 0)
    assert share.someone_holds_fewer(mine, 3)
    later = time.monotonic() + serving.STALE + 1
    monkeypatch.setattr(serving.time, "monotonic", lambda: later)  # it said nothing since
    assert not share.someone_holds_fewer(mine, 3)
    monkeypatch.undo()
    share.release(other)
    assert not share.someone_holds_fewer(mine, 3)


def test_the_slot_of_a_process_that_is_gone_is_taken_again():
    share = serving.Share(slots=2)
    assert share.claim(os.getppid()) == 0
    assert share.claim(_a_pid_that_is_gone()) == 1
    assert share.claim(os.getpid()) == 1  # the gone process's slot
    assert serving.Share(slots=1).claim(os.getpid()) == 0
    full = serving.Share(slots=1)
    full.claim(os.getppid())
    assert full.claim(os.getpid()) is None  # no slot: accepts as plain gthread does
    assert not full.someone_holds_fewer(None, 10)


def _a_pid_that_is_gone() -> int:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def test_a_server_process_keeps_what_it_loaded_out_of_full_collections():
    """Issue 13: each worker loads the URLconf (every view module) and freezes what it holds, so
    the garbage collector's full collections no longer walk the whole loaded application."""
    import gc

    from django.urls import get_resolver

    try:
        serving.freeze_loaded()
        assert gc.get_freeze_count() > 10_000
        assert get_resolver().url_patterns  # loaded: the views' modules were imported
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0
