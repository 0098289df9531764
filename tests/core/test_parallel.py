"""map_in_two: the second half of pure work in a forked process, the results in order; what one
process alone gives."""

from __future__ import annotations

import os

import pytest

from insyn.core import parallel
from insyn.core.parallel import map_in_two


def squares_and_pids(items: list[int]) -> list[tuple[int, int]]:
    return [(item * item, os.getpid()) for item in items]


def fail_on_seven(items: list[int]) -> list[int]:
    if 7 in items:
        raise ValueError("sju")
    return items


@pytest.mark.skipif(not parallel.two_cpus(), reason="needs two CPUs and fork")
def test_the_second_half_is_done_by_another_process_in_order():
    results = map_in_two(squares_and_pids, range(9), parallel_from=4)
    assert [square for square, _pid in results] == [n * n for n in range(9)]
    pids = [pid for _square, pid in results]
    assert pids[:5] == [os.getpid()] * 5  # the first half (rounded up) here
    assert len(set(pids[5:])) == 1 and pids[5] != os.getpid()


def test_few_items_or_one_cpu_stay_in_this_process(monkeypatch):
    results = map_in_two(squares_and_pids, range(9), parallel_from=10)
    assert {pid for _square, pid in results} == {os.getpid()}
    monkeypatch.setattr(parallel, "two_cpus", lambda: False)
    results = map_in_two(squares_and_pids, range(9), parallel_from=2)
    assert [square for square, _pid in results] == [n * n for n in range(9)]
    assert {pid for _square, pid in results} == {os.getpid()}


@pytest.mark.skipif(not parallel.two_cpus(), reason="needs two CPUs and fork")
@pytest.mark.parametrize("items", [[7, 1, 2, 3], [1, 2, 3, 7]])  # in the first half, the second
def test_an_error_in_either_half_is_raised_here(items):
    with pytest.raises(ValueError, match="sju"):
        map_in_two(fail_on_seven, items, parallel_from=2)


def pid_of(argument: list[int]) -> tuple[int, int]:
    return sum(argument), os.getpid()


def sleep_long(_argument: None) -> None:
    import time

    time.sleep(60)


@pytest.mark.skipif(not parallel.two_cpus(), reason="needs two CPUs and fork")
def test_forked_work_runs_in_another_process_and_its_error_is_raised_here():
    work = parallel.forked(pid_of, [1, 2, 3])
    total, pid = work.result()
    assert total == 6 and pid != os.getpid()
    assert work.result() == (6, pid)  # asked again: the same result, no process left
    with pytest.raises(ValueError, match="sju"):
        parallel.forked(fail_on_seven, [7]).result()


def test_forked_work_stays_here_when_not_worth_a_process(monkeypatch):
    assert parallel.forked(pid_of, [1, 2], fork=False).result() == (3, os.getpid())
    monkeypatch.setattr(parallel, "two_cpus", lambda: False)
    assert parallel.forked(pid_of, [4], fork=True).result() == (4, os.getpid())


@pytest.mark.skipif(not parallel.two_cpus(), reason="needs two CPUs and fork")
def test_closing_forked_work_that_is_no_longer_wanted_stops_its_process():
    work = parallel.forked(sleep_long, None)
    process = work._process
    assert process is not None and process.is_alive()
    work.close()
    assert not process.is_alive()


PARENT = os.getpid()


def sleep_then_sum(argument: list[int]) -> int:
    """The sum, at once here; in a forked process only after a minute."""
    import time

    if os.getpid() != PARENT:
        time.sleep(60)
    return sum(argument)


@pytest.mark.skipif(not parallel.two_cpus(), reason="needs two CPUs and fork")
def test_forked_work_whose_process_died_is_done_here():
    work = parallel.forked(sleep_then_sum, [1, 2, 3])
    assert work._process is not None
    work._process.kill()  # as the kernel's out-of-memory killer would
    assert work.result() == 6
