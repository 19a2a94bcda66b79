"""The worker threads of course_utils' own convolutions: how many, the pool that runs them, and BLAS.

The algorithms in :mod:`course_utils.fast_correlation` split large problems into pieces and run
them here. Three rules, each learnt from a measurement or a hang:

- the count starts at the CPUs this process may use (:func:`course_utils.cpu_share.cpu_share`:
  affinity, cgroup quota, ``CPU_LIMIT``), not the machine's cores, so a learner with one CPU on a
  64-core hub node gets one thread;
- a forked child (multiprocessing on Linux) inherits the pool object but none of its threads, so
  the pool and its locks are forgotten after a fork; where ``os`` has no fork (Windows) there is
  nothing to forget;
- while our threads each run a matrix multiply, BLAS is held to one thread
  (:func:`single_threaded_blas`): alternating one-thread copies with two-thread multiplies was
  sometimes twice as slow on the course machine, because BLAS's idle threads wake up slowly.
"""
from __future__ import annotations

import contextlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence

import numpy as np

from .cpu_share import cpu_share

__all__ = ["get_num_threads", "set_num_threads"]

_num_threads = cpu_share()
_pool: Optional[ThreadPoolExecutor] = None
_pool_size = 0
_pool_lock = threading.Lock()
#: One caller at a time may hold BLAS to one thread: the limit is process-wide.
_blas_limit_lock = threading.Lock()
_controller: Any = False  # threadpoolctl's controller once made; None where it cannot be


def set_num_threads(threads: int) -> None:
    """Set how many threads the direct method, the FFT and ``corr2d_batch`` may use (default: the CPU share).

    >>> set_num_threads(1); get_num_threads()
    1
    >>> set_num_threads(cpu_share())
    """
    if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or threads < 1:
        raise ValueError(f"threads must be an int >= 1; got {threads!r}")
    global _num_threads
    _num_threads = int(threads)


def get_num_threads() -> int:
    """The number of threads the direct method, the FFT and ``corr2d_batch`` may use."""
    return _num_threads


def _forget_threads_after_fork() -> None:
    global _pool, _pool_size, _pool_lock, _blas_limit_lock
    _pool, _pool_size = None, 0
    _pool_lock = threading.Lock()
    _blas_limit_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_threads_after_fork)


def _executor(threads: int) -> ThreadPoolExecutor:
    global _pool, _pool_size
    with _pool_lock:
        if _pool is None or _pool_size < threads:
            if _pool is not None:
                _pool.shutdown(wait=False)
            _pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="course_utils-corr2d")
            _pool_size = threads
        return _pool


def run_in_threads(function: Callable[..., None], argument_tuples: Sequence[Iterable[Any]]) -> None:
    """Call ``function(*arguments)`` for each tuple, one pool thread each, and wait; a worker's error is re-raised."""
    pool = _executor(len(argument_tuples))
    futures = [pool.submit(function, *arguments) for arguments in argument_tuples]
    for future in futures:
        future.result()


def _blas_controller() -> Any:
    """threadpoolctl's controller of the loaded BLAS libraries, made once; None where there is none."""
    global _controller
    with _pool_lock:
        if _controller is False:
            try:
                from threadpoolctl import ThreadpoolController

                _controller = ThreadpoolController()
            except Exception:  # noqa: BLE001 - not installed, or no BLAS found: callers stay sequential
                _controller = None
        return _controller


def blas_can_be_limited() -> bool:
    """Whether :func:`single_threaded_blas` can hold BLAS to one thread here."""
    return _blas_controller() is not None


@contextlib.contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Hold every loaded BLAS to one thread inside the ``with`` block (check :func:`blas_can_be_limited` first)."""
    controller = _blas_controller()
    if controller is None:
        raise RuntimeError("no BLAS thread control here (threadpoolctl missing or no BLAS found)")
    with _blas_limit_lock, controller.limit(limits=1, user_api="blas"):
        yield
