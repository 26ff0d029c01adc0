"""Checking that work grows linearly with its input, without absolute time limits.

A test times the same work on a small input and on one ``scale`` times larger, in
the same process, and asserts the large run took less than ``scale * MARGIN`` times
as long: linear work stays near ``scale``, quadratic work near ``scale ** 2``. The
margin absorbs a loaded machine (and Pyodide), so pick ``scale`` at least
``4 * MARGIN`` for quadratic work to fail clearly. Standard library only: the
runtime tests that use it also run under Pyodide.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

Input = TypeVar("Input")

#: How many times worse than linear the large input may do before the test fails.
MARGIN = 12
# Seconds a timed sample lasts at least (several ticks of the coarsest process clock).
_MIN_SAMPLE = 0.005


def best_time(work: Callable[[], object], *, runs: int) -> float:
    """The CPU time of one call of ``work``: the best of ``runs`` samples (the least disturbed).

    A sample repeats short work until it spans ``_MIN_SAMPLE`` seconds, so a coarse
    clock still measures it.
    """
    calls = 1
    while True:
        elapsed = _sample(work, calls)
        if elapsed >= _MIN_SAMPLE:
            break
        calls *= 2
    best = elapsed / calls
    for _ in range(runs - 1):
        best = min(best, _sample(work, calls) / calls)
    return best


def _sample(work: Callable[[], object], calls: int) -> float:
    start = time.process_time()
    for _ in range(calls):
        work()
    return time.process_time() - start


def assert_linear_growth(
    work: Callable[[Input], object], *, small: Input, large: Input, scale: float
) -> None:
    """Fail if ``work(large)`` takes more than ``scale * MARGIN`` times as long as ``work(small)``.

    ``scale`` is how many times larger ``large`` is than ``small`` in the measure
    that matters (characters, lines, cells).
    """
    small_time, large_time = _times(work, small, large)
    ratio = large_time / small_time
    assert ratio < scale * MARGIN, (
        f"an input {scale:g} times larger took {ratio:.0f} times as long "
        f"({small_time * 1000:.2f} ms, then {large_time * 1000:.0f} ms): the work grows faster "
        f"than the input (linear work stays below {scale * MARGIN:g} times)"
    )


def assert_bounded_work(work: Callable[[Input], object], *, small: Input, large: Input) -> None:
    """Fail if ``work(large)`` takes more than ``MARGIN`` times as long as ``work(small)``:
    for work that only looks at a bounded part of its input, however large."""
    small_time, large_time = _times(work, small, large)
    ratio = large_time / small_time
    assert ratio < MARGIN, (
        f"a larger input took {ratio:.0f} times as long ({small_time * 1000:.2f} ms, then "
        f"{large_time * 1000:.0f} ms): the work is not bounded (it stays below {MARGIN} times)"
    )


def _times(work: Callable[[Input], object], small: Input, large: Input) -> tuple[float, float]:
    # The small input is timed more often: its runs are short, so one interruption
    # would distort its time the most.
    return best_time(lambda: work(small), runs=15), best_time(lambda: work(large), runs=3)
