"""Benchmark 2-D cross-correlation: course_utils against PyTorch, SciPy, MXNet and JAX, in one process.

    python tools/benchmark.py                  # the full table (several minutes)
    python tools/benchmark.py --quick          # small sizes only, for a smoke test
    python tools/benchmark.py --csv out.csv --markdown out.md
    python tools/benchmark.py --crossover      # re-measure corr2d's direct/FFT crossover
    python tools/benchmark.py --baseline REV   # also time course_utils as it was at git revision REV

Every number printed is measured in this run: the median time of each
implementation, its ratio to the fastest one for the same case, and its
throughput in GFLOP/s (2 flops per multiply-add) next to the machine's practical
peak, measured by a large float32 matrix multiply at the start. The run ends
with the course's performance targets, each marked met or missed.

Thread counts are set explicitly *after* every library is imported, because
importing MXNet sets PyTorch to one thread; NumPy's BLAS, PyTorch, MXNet and
course_utils all get ``--threads`` threads (default: all cores). The OPENBLAS_*
variables are left alone. JAX runs with 64-bit floats enabled, so its float64
cases really are float64.

With ``--baseline REV`` the run also times ``corr2d`` and ``corr2d_batch`` of the course_utils
of git revision ``REV`` (extracted into a temporary folder and imported next to this one, rows named
``... @REV``) and checks the targets for both, so a change's effect on speed is measured in the
same run, on the same machine, with the same load, instead of against numbers from another day.
The two versions are timed in turn, sample by sample (this, REV, this, REV, ...), in one process:
on a shared virtual machine a call of tens of microseconds can take twice as long for a minute,
and alternating makes such a spell slow both alike instead of whichever ran during it.

Cases that cannot run are skipped with a note instead of stopping the run: a
call whose im2col buffer would not fit in the available memory (PyTorch and
MXNet convolve float64 through im2col: 2048x2048 with a 31x31 kernel needs
31 GB), an implementation whose time, extrapolated from smaller cases, would
exceed the limit, and any call that raises.
"""
from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from course_utils import fast_correlation
from course_utils.fast_correlation import CROSSOVER_MARGIN
from course_utils.timing import MIN_SAMPLE_SECONDS, median_seconds, relative_spread, sample_seconds

__all__ = ["Case", "Result", "check_targets", "default_cases", "measure_crossover", "run", "main"]


@dataclass(frozen=True)
class Case:
    """One benchmark problem: ``batch`` x ``in_channels`` x size x size input, square kernel."""

    size: int
    kernel: int
    dtype: str = "float32"
    batch: int = 1
    in_channels: int = 1
    out_channels: int = 1

    @property
    def single_channel(self) -> bool:
        return self.batch == self.in_channels == self.out_channels == 1

    @property
    def output_size(self) -> int:
        return self.size - self.kernel + 1

    @property
    def multiply_adds(self) -> int:
        return (self.batch * self.out_channels * self.in_channels * self.kernel ** 2 * self.output_size ** 2)

    @property
    def im2col_bytes(self) -> int:
        """Size of the im2col matrix of the whole batch (what a GEMM-based convolution allocates)."""
        return (self.batch * self.in_channels * self.kernel ** 2 * self.output_size ** 2
                * np.dtype(self.dtype).itemsize)

    @property
    def label(self) -> str:
        if self.single_channel:
            return f"{self.size}x{self.size} k{self.kernel} {self.dtype}"
        return (f"b{self.batch} {self.in_channels}->{self.out_channels} {self.size}x{self.size} "
                f"k{self.kernel} {self.dtype}")


@dataclass
class Result:
    case: Case
    name: str
    seconds: Optional[float]  # None: skipped
    note: str = ""
    spread: Optional[float] = None  # (slowest - fastest) / median of the timed samples

    @property
    def gflops(self) -> Optional[float]:
        return None if self.seconds is None else 2 * self.case.multiply_adds / self.seconds / 1e9


#: The small-input case of the issue's "64x64 and below" target, besides the 64x64 of the grid.
SMALL_SIZE = 8


def default_cases(quick: bool = False) -> List[Case]:
    sizes = [64, 512] if quick else [64, 512, 2048]
    kernels = [3, 7] if quick else [3, 7, 31]
    cases = [Case(n, k, dtype) for dtype in ("float32", "float64") for n in sizes for k in kernels]
    small = [Case(SMALL_SIZE, 3, dtype) for dtype in ("float32", "float64")]
    channels = (Case(14, 3, dtype, batch=2, in_channels=16, out_channels=16) if quick else
                Case(56, 3, dtype, batch=8, in_channels=64, out_channels=64) for dtype in ("float32", "float64"))
    return small + cases + list(channels)


def matmul_peak_gflops(n: int = 2048) -> float:
    """Practical float32 peak: a large matrix multiply (BLAS), in GFLOP/s."""
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((n, n), dtype=np.float32), rng.standard_normal((n, n), dtype=np.float32)
    return 2 * n ** 3 / median_seconds(lambda: a @ b, budget_seconds=1.0) / 1e9


#: Implementations that convolve float64 by building the whole im2col matrix (no float64 oneDNN path).
IM2COL_FLOAT64 = ("torch.nn.functional.conv2d", "mxnet npx.convolution")
#: The time of the other (direct) methods grows with the multiply-adds, so their time on a larger
#: case is extrapolated from the smaller ones to skip calls that would take minutes; not so the FFT's.
FFT_BASED = ("scipy.signal.fftconvolve",)


def cpu_name() -> str:
    """The processor's model name and widest vector unit (Linux), else what ``platform`` knows.

    The vector unit matters as much as the name: NumPy, OpenBLAS and oneDNN pick their
    kernels by it, and a cloud "AMD EPYC" may or may not have AVX-512.
    """
    name, flags = "", set()
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name") and not name:
                    name = line.split(":", 1)[1].strip()
                elif line.startswith("flags") and not flags:
                    flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    if not name:
        return platform.processor() or platform.machine()
    vector = next((unit for unit, flag in (("AVX-512", "avx512f"), ("AVX2", "avx2"), ("SSE4.2", "sse4_2"))
                   if flag in flags), None)
    return f"{name} ({vector})" if vector else name


def cpu_ticks() -> Optional[Tuple[int, int]]:
    """(stolen, total) CPU time ticks since boot from /proc/stat (Linux), or None.

    On a virtual machine, *steal* is time the hypervisor gave this machine's virtual
    CPUs to someone else: every timing taken meanwhile is slower than the code is.
    """
    try:
        with open("/proc/stat") as handle:
            fields = handle.readline().split()
    except OSError:
        return None
    if len(fields) < 9 or fields[0] != "cpu":
        return None
    values = [int(v) for v in fields[1:]]
    # user nice system idle iowait irq softirq steal [guest guest_nice]: guest time is already in user.
    return values[7], sum(values[:8])


def steal_percent(before: Optional[Tuple[int, int]], after: Optional[Tuple[int, int]]) -> Optional[float]:
    """Percentage of all CPU time between two :func:`cpu_ticks` readings that the hypervisor stole.

    >>> steal_percent((10, 1000), (60, 1200))
    25.0
    >>> steal_percent(None, (0, 1)) is None
    True
    """
    if before is None or after is None or after[1] <= before[1]:
        return None
    return 100.0 * (after[0] - before[0]) / (after[1] - before[1])


def available_memory_bytes() -> Optional[int]:
    """MemAvailable from /proc/meminfo (Linux), or None."""
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _course_utils(case: Case, X: np.ndarray, K: np.ndarray) -> Dict[str, Callable[[], object]]:
    from course_utils import ops

    if not case.single_channel:
        return {"course_utils.corr2d_batch": lambda: ops.corr2d_batch(X, K)}
    x2, k2 = X[0, 0], K[0, 0]
    implementations = {"course_utils.corr2d": lambda: ops.corr2d(x2, k2)}
    if case.size <= 64:
        implementations["course_utils.corr2d_naive"] = lambda: ops.corr2d_naive(x2, k2)
    return implementations


#: The package name under which a baseline revision's course_utils is imported (next to this one).
BASELINE_PACKAGE = "course_utils_baseline"


def baseline_name(name: str, revision: str) -> str:
    return f"{name} @{revision}"


def extract_baseline(revision: str, into: str) -> str:
    """Write ``revision``'s course_utils into ``into``/course_utils_baseline (git archive); return that folder."""
    archive = subprocess.run(["git", "-C", os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "archive",
                              "--format=tar", revision, "course_utils"], capture_output=True)
    if archive.returncode != 0:
        raise SystemExit(f"--baseline {revision}: git archive failed: {archive.stderr.decode().strip()}")
    with tempfile.TemporaryFile() as buffer:
        buffer.write(archive.stdout)
        buffer.seek(0)
        with tarfile.open(fileobj=buffer) as tar:
            tar.extractall(into)
    target = os.path.join(into, BASELINE_PACKAGE)
    os.rename(os.path.join(into, "course_utils"), target)
    return target


def import_baseline(folder: str, threads: int):
    """The baseline package in ``folder``, imported under :data:`BASELINE_PACKAGE` (its imports are relative)."""
    spec = importlib.util.spec_from_file_location(BASELINE_PACKAGE, os.path.join(folder, "__init__.py"),
                                                  submodule_search_locations=[folder])
    package = importlib.util.module_from_spec(spec)
    sys.modules[BASELINE_PACKAGE] = package
    spec.loader.exec_module(package)
    from importlib import import_module

    # Where the thread count lived then: fast_correlation (before issue 18) or thread_pool (after).
    for module in ("thread_pool", "fast_correlation"):
        try:
            import_module(f"{BASELINE_PACKAGE}.{module}").set_num_threads(threads)
            break
        except (ImportError, AttributeError):
            continue
    return package


def baseline_implementations(package, revision: str, case: Case, X: np.ndarray,
                             K: np.ndarray) -> Dict[str, Callable[[], object]]:
    """The baseline's corr2d (one channel) or corr2d_batch, named ``... @revision``."""
    ops = package.ops
    if not case.single_channel:
        return {baseline_name("course_utils.corr2d_batch", revision): lambda: ops.corr2d_batch(X, K)}
    x2, k2 = X[0, 0], K[0, 0]
    return {baseline_name("course_utils.corr2d", revision): lambda: ops.corr2d(x2, k2)}


def _scipy(case: Case, X: np.ndarray, K: np.ndarray) -> Dict[str, Callable[[], object]]:
    if not case.single_channel:
        return {}
    from scipy import ndimage, signal

    x2, k2 = X[0, 0], K[0, 0]
    half = case.kernel // 2
    return {
        "scipy.signal.correlate2d": lambda: signal.correlate2d(x2, k2, mode="valid"),
        "scipy.signal.fftconvolve": lambda: signal.fftconvolve(x2, k2[::-1, ::-1], mode="valid"),
        "scipy.ndimage.correlate": lambda: ndimage.correlate(x2, k2, mode="constant")[
            half:half + case.output_size, half:half + case.output_size],
    }


def _torch(case: Case, X: np.ndarray, K: np.ndarray) -> Dict[str, Callable[[], object]]:
    import torch
    import torch.nn.functional as F

    xt, kt = torch.from_numpy(X), torch.from_numpy(K)

    def torch_conv():
        with torch.no_grad():
            return F.conv2d(xt, kt)

    return {"torch.nn.functional.conv2d": torch_conv}


def _mxnet(case: Case, X: np.ndarray, K: np.ndarray) -> Dict[str, Callable[[], object]]:
    from mxnet import np as mnp
    from mxnet import npx

    xm, km = mnp.array(X, dtype=X.dtype), mnp.array(K, dtype=K.dtype)
    return {"mxnet npx.convolution": lambda: npx.convolution(
        data=xm, weight=km, kernel=(case.kernel, case.kernel), num_filter=case.out_channels,
        no_bias=True).wait_to_read()}


def _jax(case: Case, X: np.ndarray, K: np.ndarray) -> Dict[str, Callable[[], object]]:
    import jax
    import jax.numpy as jnp

    xj, kj = jnp.asarray(X), jnp.asarray(K)
    conv = jax.jit(lambda x, k: jax.lax.conv_general_dilated(x, k, window_strides=(1, 1), padding="VALID"))
    return {"jax lax.conv (jit)": lambda: conv(xj, kj).block_until_ready()}


#: Each library's implementations; in the default (isolated) run each library gets a fresh process.
LIBRARIES: Dict[str, Callable[[Case, np.ndarray, np.ndarray], Dict[str, Callable[[], object]]]] = {
    "course_utils": _course_utils, "scipy": _scipy, "torch": _torch, "mxnet": _mxnet, "jax": _jax,
}


def available_libraries() -> List[str]:
    from course_utils import frameworks

    # MXNet 1.9.1 has wheels only for Linux: its rows are left out elsewhere.
    return [name for name in LIBRARIES if name != "mxnet" or frameworks.available("mxnet")]


def _implementations(case: Case, X: np.ndarray, K: np.ndarray,
                     libraries: Optional[Sequence[str]] = None) -> Dict[str, Callable[[], object]]:
    """Callables computing the valid cross-correlation of ``case``; inputs are converted beforehand."""
    implementations: Dict[str, Callable[[], object]] = {}
    for library in available_libraries() if libraries is None else libraries:
        implementations.update(LIBRARIES[library](case, X, K))
    return implementations


#: A single call longer than this is not repeated; an extrapolated call longer than 4x this is not tried.
SLOW_LIMIT_SECONDS = 20.0


def _skip_reason(case: Case, name: str, seconds_per_madd: Dict[Tuple[str, str], float]) -> Optional[str]:
    """Why ``name`` should not even be tried on ``case`` (memory or extrapolated time), or None."""
    if case.dtype == "float64" and name in IM2COL_FLOAT64:
        available = available_memory_bytes()
        if available is not None and case.im2col_bytes > available / 2:
            return (f"skipped: its float64 im2col buffer would need {case.im2col_bytes / 1e9:.1f} GB "
                    f"({available / 1e9:.1f} GB available)")
    rate = seconds_per_madd.get((name, case.dtype))
    if rate is not None and name not in FFT_BASED and not name.startswith("course_utils"):
        estimate = rate * case.multiply_adds
        if estimate > SLOW_LIMIT_SECONDS:
            return f"skipped: about {estimate:.0f} s per call, extrapolated from the smaller cases"
    return None


def run(cases: Sequence[Case], *, budget_seconds: float = 1.0, log=print,
        libraries: Optional[Sequence[str]] = None, implementations=None, interleave: bool = False) -> List[Result]:
    """Measure every case with every implementation of ``libraries`` (default: all), in this process.

    ``implementations(case, X, K)``, when given, replaces the libraries' (the baseline worker's use).
    With ``interleave``, a case's implementations are timed in turn, sample by sample
    (:func:`_measure_interleaved`), except the naive loop, which is timed on its own.
    """
    results: List[Result] = []
    rng = np.random.default_rng(0)
    seconds_per_madd: Dict[Tuple[str, str], float] = {}  # fastest seen, per implementation and dtype
    for case in cases:
        dtype = np.dtype(case.dtype)
        X = rng.standard_normal((case.batch, case.in_channels, case.size, case.size)).astype(dtype)
        K = rng.standard_normal((case.out_channels, case.in_channels, case.kernel, case.kernel)).astype(dtype)
        chosen = implementations(case, X, K) if implementations else _implementations(case, X, K, libraries)
        paired = {name: function for name, function in chosen.items()
                  if interleave and not name.endswith("_naive") and _skip_reason(case, name, seconds_per_madd) is None}
        measured = _measure_interleaved(case, paired, budget_seconds) if paired else {}
        for name, function in chosen.items():
            reason = _skip_reason(case, name, seconds_per_madd)
            if name in measured:
                results.append(measured[name])
            elif reason is not None:
                results.append(Result(case, name, None, reason))
            else:
                results.append(_measure(case, name, function, budget_seconds))
            seconds = results[-1].seconds
            if seconds is not None:
                key = (name, case.dtype)
                seconds_per_madd[key] = min(seconds_per_madd.get(key, math.inf), seconds / case.multiply_adds)
            log(_format_row(results[-1], None), flush=True) if log is print else log(_format_row(results[-1], None))
    return results


#: Marks a worker's result lines among whatever its libraries print.
RESULT_PREFIX = "BENCHMARK-RESULT "


def run_isolated(cases: Sequence[Case], *, threads: int, budget_seconds: float = 1.0, log=print,
                 baseline: Optional[Tuple[str, str]] = None) -> List[Result]:
    """:func:`run`, each library in a fresh Python process, so nothing that ran before can distort its times.

    Inside one process PyTorch's time for the 8x64x56x56 layer was measured anywhere from 5 to
    34 ms depending on what had run before it (thread pools, allocator state, MXNet's import
    changing PyTorch's thread count); a fresh process gave 5.2-6.4 ms.
    """
    results: List[Result] = []
    payload = json.dumps([vars(case) for case in cases])
    # With a baseline (revision, folder), the course_utils worker times this tree and the baseline in turn.
    workers = [(library, ["--baseline-worker", *baseline] if baseline and library == "course_utils" else [])
               for library in available_libraries()]
    for library, extra in workers:
        command = [sys.executable, os.path.abspath(__file__), "--worker", library, "--threads", str(threads),
                   "--budget", str(budget_seconds), *extra]
        worker = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        worker.stdin.write(payload)
        worker.stdin.close()
        for line in worker.stdout:
            if line.startswith(RESULT_PREFIX):
                fields = json.loads(line[len(RESULT_PREFIX):])
                result = Result(Case(**fields.pop("case")), **fields)
                results.append(result)
                log(_format_row(result, None))
        if worker.wait() != 0:
            raise RuntimeError(f"the {library} worker failed (exit status {worker.returncode}): {' '.join(command)}")
    order = {case: index for index, case in enumerate(cases)}
    return sorted(results, key=lambda result: order[result.case])  # stable: each case's rows stay in library order


def _worker(library: str, threads: int, budget_seconds: float, baseline: Optional[Sequence[str]] = None) -> int:
    """The child of :func:`run_isolated`: read the cases as JSON on stdin, print one result line each."""
    cases = [Case(**fields) for fields in json.loads(sys.stdin.read())]
    prepare_libraries(threads, [library])
    implementations = None
    if baseline:
        revision, folder = baseline
        package = import_baseline(folder, threads)

        def implementations(case, X, K):
            return {**LIBRARIES[library](case, X, K), **baseline_implementations(package, revision, case, X, K)}

    def emit(_row: str) -> None:
        pass  # the parent prints the rows; here only the machine-readable lines below go out

    for result in run(cases, budget_seconds=budget_seconds, log=emit, libraries=[library],
                      implementations=implementations, interleave=bool(baseline)):
        fields = {"case": vars(result.case), "name": result.name, "seconds": result.seconds, "note": result.note,
                  "spread": result.spread}
        print(RESULT_PREFIX + json.dumps(fields), flush=True)
    return 0


def _measure(case: Case, name: str, function: Callable[[], object], budget_seconds: float) -> Result:
    begin = time.perf_counter()
    try:
        function()  # one trial call, to skip what would take too long to repeat
    except Exception as error:  # noqa: BLE001 - e.g. a framework that cannot allocate its buffers
        first_line = (str(error).strip().splitlines() or [""])[-1][:120]
        return Result(case, name, None, f"skipped: {type(error).__name__}: {first_line}")
    trial = time.perf_counter() - begin
    if trial > SLOW_LIMIT_SECONDS / 4:
        return Result(case, name, None, f"skipped: one call took {trial:.1f} s")
    samples = sample_seconds(function, budget_seconds=budget_seconds, min_sample_seconds=MIN_SAMPLE_SECONDS)
    return Result(case, name, statistics.median(samples), spread=relative_spread(samples))


def _measure_interleaved(case: Case, functions: Dict[str, Callable[[], object]],
                         budget_seconds: float) -> Dict[str, Result]:
    """One :class:`Result` per function, their samples taken in turn: a, b, a, b, ... (see the module notes)."""
    samples: Dict[str, List[float]] = {name: [] for name in functions}
    failed: Dict[str, Result] = {}
    started = time.perf_counter()
    for round_number in range(1, MAX_INTERLEAVED_ROUNDS + 1):
        for name, function in functions.items():
            if name in failed:
                continue
            try:
                samples[name] += sample_seconds(function, min_repeats=1, max_repeats=1,
                                                min_sample_seconds=MIN_SAMPLE_SECONDS)
            except Exception as error:  # noqa: BLE001 - as in _measure: one implementation's failure is a note
                first_line = (str(error).strip().splitlines() or [""])[-1][:120]
                failed[name] = Result(case, name, None, f"skipped: {type(error).__name__}: {first_line}")
        if round_number >= 3 and time.perf_counter() - started > budget_seconds * len(functions):
            break
    return {name: failed.get(name) or Result(case, name, statistics.median(times), spread=relative_spread(times))
            for name, times in samples.items()}


#: Rounds of :func:`_measure_interleaved` at most (each takes one sample of every implementation).
MAX_INTERLEAVED_ROUNDS = 25


def _format_seconds(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:8.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:8.2f} ms"
    return f"{seconds:8.2f} s "


def _format_row(result: Result, ratio: Optional[float]) -> str:
    if result.seconds is None:
        return f"  {result.case.label:32s} {result.name:36s} {result.note}"
    ratio_text = "" if ratio is None else f"  x{ratio:7.2f}"
    spread_text = "" if result.spread is None else f"  spread {100 * result.spread:4.0f}%"
    return (f"  {result.case.label:32s} {result.name:36s} {_format_seconds(result.seconds)}{ratio_text}"
            f"  {result.gflops:8.2f} GFLOP/s{spread_text}")


def summarise(results: Sequence[Result], peak: float) -> List[dict]:
    rows = []
    for case in dict.fromkeys(r.case for r in results):
        group = [r for r in results if r.case == case]
        fastest = min(r.seconds for r in group if r.seconds is not None)
        for r in group:
            rows.append({
                "case": case.label, "implementation": r.name,
                "median_s": "" if r.seconds is None else f"{r.seconds:.6g}",
                "spread_percent": "" if r.spread is None else f"{100 * r.spread:.0f}",
                "ratio_to_fastest": "" if r.seconds is None else f"{r.seconds / fastest:.3f}",
                "gflops": "" if r.seconds is None else f"{r.gflops:.3f}",
                "percent_of_matmul_peak": "" if r.seconds is None else f"{100 * r.gflops / peak:.1f}",
                "note": r.note,
            })
    return rows


# ---------------------------------------------------------------------------------------------
# The course's targets (issue "fast convolution")
# ---------------------------------------------------------------------------------------------

#: course_utils.corr2d at 512x512 (3x3, 7x7, 31x31): at most this many times the fastest.
TARGET_512_RATIO = 1.5
#: Small inputs (64x64 and below, 3x3): at most this long per call, validation included.
TARGET_SMALL_SECONDS = 50e-6
#: Multi-channel (batch 8, 64 -> 64, 56x56, 3x3) against PyTorch: at most these ratios.
TARGET_MULTI_RATIO = {"float32": 2.5, "float64": 1.0}


@dataclass
class TargetCheck:
    target: str
    measured: str
    met: Optional[bool]  # None: not measured in this run

    @property
    def verdict(self) -> str:
        return "not measured" if self.met is None else ("met" if self.met else "MISSED")


def _seconds(results: Sequence[Result], case: Case, name: str) -> Optional[float]:
    for r in results:
        if r.case == case and r.name == name:
            return r.seconds
    return None


def _fastest_other(results: Sequence[Result], case: Case, name: str) -> Tuple[Optional[float], str]:
    others = [(r.seconds, r.name) for r in results if r.case == case and r.name != name and r.seconds is not None
              and not r.name.startswith("course_utils")]
    return min(others) if others else (None, "")


def check_targets(results: Sequence[Result], revision: Optional[str] = None) -> List[TargetCheck]:
    """Compare the measured results with the issue's targets (only cases present in ``results``).

    With ``revision``, the targets of that baseline's rows (``... @revision``) instead of this tree's.
    """
    checks: List[TargetCheck] = []
    cases = list(dict.fromkeys(r.case for r in results))
    name = (lambda plain: baseline_name(plain, revision)) if revision else (lambda plain: plain)
    corr = name("course_utils.corr2d")
    for case in cases:
        ours = _seconds(results, case, corr)
        if case.single_channel and ours is not None:
            best, best_name = _fastest_other(results, case, corr)
            if case.size == 512 and best is not None:
                ratio = ours / min(best, ours)
                checks.append(TargetCheck(
                    f"{case.label}: corr2d within {TARGET_512_RATIO}x of the fastest",
                    f"x{ratio:.2f} of the fastest ({_format_seconds(ours).strip()}; best library {best_name} "
                    f"{_format_seconds(best).strip()})", ratio <= TARGET_512_RATIO))
            if case.size == 2048 and case.kernel == 3 and best is not None:
                checks.append(TargetCheck(
                    f"{case.label}: corr2d faster than every library",
                    f"{best / ours:.2f}x faster than the best library, {best_name} "
                    f"({_format_seconds(ours).strip()} vs {_format_seconds(best).strip()})", ours < best))
            if case.size <= 64 and case.kernel == 3:
                checks.append(TargetCheck(
                    f"{case.label}: corr2d at most {TARGET_SMALL_SECONDS * 1e6:.0f} µs per call",
                    _format_seconds(ours).strip(), ours <= TARGET_SMALL_SECONDS))
        batch = _seconds(results, case, name("course_utils.corr2d_batch"))
        if not case.single_channel and batch is not None:
            torch_seconds = _seconds(results, case, "torch.nn.functional.conv2d")
            limit = TARGET_MULTI_RATIO.get(case.dtype)
            if torch_seconds is not None and limit is not None:
                ratio = batch / torch_seconds
                checks.append(TargetCheck(
                    f"{case.label}: corr2d_batch within {limit}x of PyTorch",
                    f"x{ratio:.2f} of PyTorch ({_format_seconds(batch).strip()} vs "
                    f"{_format_seconds(torch_seconds).strip()})", ratio <= limit))
    return checks


def regressions(before: Sequence[TargetCheck], after: Sequence[TargetCheck]) -> List[str]:
    """The targets ``before`` met that ``after`` misses (matched by their text)."""
    now = {check.target: check.met for check in after}
    return [check.target for check in before if check.met and now.get(check.target) is not True]


def _write_markdown(rows: Sequence[dict], path: str, peak: float, header: Sequence[str] = (),
                    checks: Sequence[TargetCheck] = ()) -> None:
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    with open(path, "w") as handle:
        for line in header:
            handle.write(f"{line}\n\n")
        handle.write(f"Measured float32 matmul peak: {peak:.1f} GFLOP/s\n\n")
        if checks:
            handle.write("| target | measured | verdict |\n|---|---|---|\n")
            for check in checks:
                handle.write(f"| {check.target} | {check.measured} | {check.verdict} |\n")
            handle.write("\n")
        handle.write("| case | implementation | median (s) | spread (%) | ratio to fastest | GFLOP/s | % of peak | note |\n")
        handle.write("|---|---|---|---|---|---|---|---|\n")
        for row in rows:
            handle.write("| " + " | ".join(str(row[k]) for k in row) + " |\n")


def prepare_libraries(threads: int, libraries: Sequence[str]) -> None:
    """Import ``libraries`` and give each ``threads`` threads, NumPy's BLAS and course_utils included.

    The counts are set after every import, because importing MXNet drops PyTorch to one thread.
    """
    from threadpoolctl import threadpool_limits

    os.environ["MXNET_CPU_WORKER_NTHREADS"] = str(threads)  # read when MXNet's engine starts work
    if "jax" in libraries:
        import jax

        jax.config.update("jax_enable_x64", True)  # otherwise JAX silently computes the float64 cases in float32
        try:
            jax.config.update("jax_platforms", "cpu")
        except RuntimeError:  # backend already initialised
            pass
    if "mxnet" in libraries:
        import mxnet  # noqa: F401
    if "torch" in libraries:
        import torch

        torch.set_num_threads(threads)
    threadpool_limits(threads)
    fast_correlation.set_num_threads(threads)


def blas_description() -> str:
    """Every BLAS loaded, with its version, the processor kernels it chose and whose copy it is (threadpoolctl).

    NumPy and SciPy wheels each bring their own OpenBLAS, which may pick different kernels.
    """
    from threadpoolctl import threadpool_info

    found = []
    for info in threadpool_info():
        if info.get("user_api") != "blas":
            continue
        owner = os.path.basename(os.path.dirname(info.get("filepath", ""))).replace(".libs", "")
        found.append(f"{info.get('internal_api', '?')} {info.get('version') or '?'} "
                     f"({info.get('architecture') or 'kernels unknown'} kernels, from {owner or '?'})")
    return "; ".join(found) or "none found by threadpoolctl"


# -- the direct/FFT crossover of corr2d (--crossover) ---------------------------------------------


def repeated_median(function: Callable[[], object], repeats: int) -> float:
    """Median of exactly ``repeats`` timed calls after a warm-up (the crossover compares like with like)."""
    return median_seconds(function, min_repeats=repeats, max_repeats=repeats, budget_seconds=0.0)


def measure_crossover(sides: Sequence[int] = (16, 32, 64, 128, 256, 512, 1024, 2048),
                      dtype: Any = np.float32, *, kernels: Sequence[int] = tuple(range(3, 40, 2)),
                      margin: float = CROSSOVER_MARGIN, repeats: int = 5,
                      seed: int = 0) -> List[Tuple[int, float]]:
    """Time direct vs FFT on square inputs: ``(side, work)`` pairs in the units of :data:`FFT_CROSSOVER`.

    For each side the odd kernel size grows through ``kernels`` until the FFT
    has been ``margin`` times faster twice in a row. The crossover is
    interpolated linearly (in the ratio of the two times) between the last
    kernel below the margin and the first above it, and converted to direct
    multiply-adds per input pixel (``fast_correlation.direct_work_per_pixel``); ``inf`` if the
    FFT never got there. Timings only, with course_utils' current thread count.
    """
    rng = np.random.default_rng(seed)
    results: List[Tuple[int, float]] = []
    for side in sides:
        X = rng.standard_normal((side, side)).astype(dtype)
        previous: Optional[Tuple[float, float]] = None  # (work, direct/fft) where direct last won
        crossover, wins = math.inf, 0
        for k in kernels:
            if k > side:
                break
            K = rng.standard_normal((k, k)).astype(dtype)
            ratio = (repeated_median(lambda: fast_correlation.corr2d_direct(X, K), repeats)
                     / repeated_median(lambda: fast_correlation.corr2d_fft(X, K), repeats))
            work = fast_correlation.direct_work_per_pixel(side, k)
            if ratio < margin:
                previous, crossover, wins = (work, ratio), math.inf, 0
                continue
            wins += 1
            if wins == 1:
                if previous is None:
                    crossover = work
                else:
                    w0, r0 = previous
                    crossover = w0 + (margin - r0) / (ratio - r0) * (work - w0)
            if wins == 2:
                break
        results.append((side, crossover))
    return results


def print_crossover() -> None:
    """Measure corr2d's direct/FFT crossover and print it next to the table corr2d uses."""

    for dtype in ("float32", "float64"):
        measured = measure_crossover(dtype=np.dtype(dtype))
        stored = dict(fast_correlation.FFT_CROSSOVER[dtype])
        print(f"\n{dtype}: direct multiply-adds per input pixel at which the FFT becomes "
              f"{fast_correlation.CROSSOVER_MARGIN}x faster")
        print(f"  {'side':>6s} {'measured':>10s} {'in FFT_CROSSOVER':>18s}")
        for side, work in measured:
            print(f"  {side:6d} {work:10.1f} {stored.get(side, float('nan')):18.1f}")


def _version(distribution: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark 2-D cross-correlation: course_utils against the libraries.")
    parser.add_argument("--quick", action="store_true", help="small sizes only (a smoke test)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="threads for every library")
    parser.add_argument("--budget", type=float, default=1.0, help="seconds of repeats per measurement")
    parser.add_argument("--csv", help="also write the table to this CSV file")
    parser.add_argument("--markdown", help="also write the table to this Markdown file")
    parser.add_argument("--crossover", action="store_true",
                        help="only measure corr2d's direct/FFT crossover and compare it with the stored table")
    parser.add_argument("--in-process", action="store_true",
                        help="time every library in this one process (faster to start, but what ran before can "
                             "distort later times)")
    parser.add_argument("--baseline", metavar="REV",
                        help="also time corr2d and corr2d_batch of git revision REV's course_utils, in this run, "
                             "and check the targets for both")
    parser.add_argument("--worker", choices=sorted(LIBRARIES), help=argparse.SUPPRESS)  # run_isolated's children
    parser.add_argument("--baseline-worker", nargs=2, metavar=("REV", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.threads < 1:
        parser.error(f"--threads must be >= 1; got {args.threads}")

    if args.worker:
        return _worker(args.worker, args.threads, args.budget, args.baseline_worker)
    if args.baseline and args.in_process:
        parser.error("--baseline needs the isolated run (each implementation in its own process); drop --in-process")
    if args.crossover:
        prepare_libraries(args.threads, ["course_utils"])
        print(f"threads: {args.threads}")
        print_crossover()
        return 0
    from threadpoolctl import threadpool_limits

    threadpool_limits(args.threads)  # for the matmul peak, measured here
    ticks_before = cpu_ticks()
    peak = matmul_peak_gflops()
    versions = ", ".join(f"{name} {_version(name)}" for name in ("numpy", "scipy", "torch", "mxnet", "jax"))
    how = ("each library in a fresh process (what ran before cannot change its times)" if not args.in_process
           else "all libraries in this one process (--in-process)")
    header = [
        f"Run: {time.strftime('%Y-%m-%d %H:%M')}, {cpu_name()}, "
        f"{os.cpu_count()} logical CPUs, threads: {args.threads}",
        f"BLAS: {blas_description()}",
        f"Versions: {versions}",
        f"Timing: {how}; median of repeated calls, spread = (slowest - fastest) / median of those calls",
    ]
    header.append("GFLOP/s = 2 x the direct multiply-adds (batch x C_out x C_in x k^2 x outputs) / time, for every "
                  "implementation: FFT-based ones do far less arithmetic, so their equivalent rate can exceed the "
                  "matmul peak.")
    print("\n".join(header))
    print(f"float32 matmul peak: {peak:.1f} GFLOP/s")
    if args.in_process:
        prepare_libraries(args.threads, available_libraries())
        results = run(default_cases(args.quick), budget_seconds=args.budget)
    elif args.baseline:
        with tempfile.TemporaryDirectory(prefix="bench-baseline-") as folder:
            package = extract_baseline(args.baseline, folder)
            header.append(f"Baseline: course_utils at {args.baseline} (rows '@{args.baseline}'), timed in this run")
            print(header[-1])
            results = run_isolated(default_cases(args.quick), threads=args.threads, budget_seconds=args.budget,
                                   baseline=(args.baseline, package))
    else:
        results = run_isolated(default_cases(args.quick), threads=args.threads, budget_seconds=args.budget)
    rows = summarise(results, peak)
    print("\nSummary (ratio = time / fastest time for the same case):")
    current = None
    for row in rows:
        if row["case"] != current:
            current = row["case"]
            print(f"\n{current}")
        if row["median_s"]:
            print(f"  {row['implementation']:36s} {_format_seconds(float(row['median_s']))}  x{float(row['ratio_to_fastest']):7.2f}"
                  f"  {float(row['gflops']):8.2f} GFLOP/s ({row['percent_of_matmul_peak']}% of peak)"
                  f"  spread {row['spread_percent']}%")
        else:
            print(f"  {row['implementation']:36s} {row['note']}")
    checks = check_targets(results)
    stolen = steal_percent(ticks_before, cpu_ticks())
    if stolen is not None:
        line = (f"CPU steal during the run: {stolen:.1f}% of all CPU time went to other virtual machines"
                + (" -- the timings are slower than the code is; re-run on a quieter machine" if stolen > 5 else ""))
        print(f"\n{line}")
        header.append(line)
    print("\nTargets:")
    for check in checks:
        print(f"  [{check.verdict}] {check.target}: {check.measured}")
    if args.baseline:
        before = check_targets(results, args.baseline)
        print(f"\nTargets of the baseline {args.baseline}, same run:")
        for check in before:
            print(f"  [{check.verdict}] {check.target}: {check.measured}")
        lost = regressions(before, checks)
        print(f"\nTargets met at {args.baseline} and missed now: "
              + (", ".join(lost) if lost else f"none (of {sum(bool(c.met) for c in before)} met at the baseline)"))
        header.append(f"Targets met at {args.baseline} and missed now: {', '.join(lost) if lost else 'none'}")
    if args.csv:
        with open(args.csv, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    if args.markdown:
        _write_markdown(rows, args.markdown, peak, header, checks)
    return 0


if __name__ == "__main__":
    sys.exit(main())
