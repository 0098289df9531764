"""Splitting pure CPU work over the machine's second core (issue 13: an import's wall time).

Only for work that is a pure function of its input (text in, text out): the second half goes to
one forked process while this one does the first, and the results come back in order. Forking
is cheap on Linux and the child needs nothing but what it is given; elsewhere (no fork, one
CPU) everything runs here, one item after the other.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor


def two_cpus() -> bool:
    """Whether this process may run on two CPUs and can fork."""
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
