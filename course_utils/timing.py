"""One way to time a call, used by the lessons, the benchmark and the crossover measurement.

A lesson that prints "X is 3.2 times faster" prints a ratio of two :func:`median_seconds`
values from the same run, never a number typed into the prose.
"""
from __future__ import annotations

import math
import statistics
import time
from typing import Callable, List, Sequence

__all__ = ["MIN_SAMPLE_SECONDS", "median_seconds", "relative_spread", "sample_seconds"]

#: Calls faster than this are timed in loops that last about this long (see median_seconds).
MIN_SAMPLE_SECONDS = 2e-3


def sample_seconds(function: Callable[[], object], *, min_repeats: int = 3, max_repeats: int = 25,
                   budget_seconds: float = 1.0, min_sample_seconds: float = 0.0) -> List[float]:
    """Wall times of one ``function()`` call after one warm-up call; repeats until the budget or ``max_repeats``.

    With ``min_sample_seconds``, a call faster than that is timed in loops of as many calls as
    fill it, and each sample is the loop's time per call (as ``timeit`` does): a single call of
    a few tens of microseconds is otherwise at the mercy of the clock's overhead and of whatever
    the machine did in that instant.
    """
    begin = time.perf_counter()
    function()  # warm-up: JIT compilation, first-touch allocation, caches
    warm_up = time.perf_counter() - begin
    loops = 1
    if 0.0 < warm_up < min_sample_seconds:
        loops = min(10_000, math.ceil(min_sample_seconds / warm_up))
    times: List[float] = []
    started = time.perf_counter()
    while len(times) < max_repeats and (len(times) < min_repeats or time.perf_counter() - started < budget_seconds):
        begin = time.perf_counter()
        for _ in range(loops):
            function()
        times.append((time.perf_counter() - begin) / loops)
    return times


def median_seconds(function: Callable[[], object], **options) -> float:
    """The median of :func:`sample_seconds` (same options): one call's typical time."""
    return statistics.median(sample_seconds(function, **options))


def relative_spread(samples: Sequence[float]) -> float:
    """``(slowest - fastest) / median`` of timing samples: 0.1 means the samples spread over 10 % of the median.

    >>> relative_spread([1.0, 1.1, 1.0])
    0.1
    """
    middle = statistics.median(samples)
    return round((max(samples) - min(samples)) / middle, 12)
