"""Benchmark 2-D cross-correlation: course_utils against PyTorch, SciPy, MXNet and JAX, in one process.

    python -m course_utils.bench                  # the full table (a few minutes)
    python -m course_utils.bench --quick          # small sizes only, for a smoke test
    python -m course_utils.bench --csv out.csv --markdown out.md

Every number printed is measured in this run: the median time of each
implementation, its ratio to the fastest one for the same case, and its
throughput in GFLOP/s (2 flops per multiply-add) next to the machine's practical
peak, measured by a large float32 matrix multiply at the start.

Thread counts are set explicitly *after* every library is imported, because
importing MXNet sets PyTorch to one thread; NumPy's BLAS, PyTorch and MXNet all
get ``--threads`` threads (default: all cores). The OPENBLAS_* variables are
left alone.
"""
from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import time
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np

__all__ = ["Case", "Result", "default_cases", "median_seconds", "run", "main"]


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

    @property
    def gflops(self) -> Optional[float]:
        return None if self.seconds is None else 2 * self.case.multiply_adds / self.seconds / 1e9


def default_cases(quick: bool = False) -> List[Case]:
    sizes = [64, 512] if quick else [64, 512, 2048]
    kernels = [3, 7] if quick else [3, 7, 31]
    cases = [Case(n, k, dtype) for dtype in ("float32", "float64") for n in sizes for k in kernels]
    channels = (Case(14, 3, dtype, batch=2, in_channels=16, out_channels=16) if quick else
                Case(56, 3, dtype, batch=8, in_channels=64, out_channels=64) for dtype in ("float32", "float64"))
    return cases + list(channels)


def median_seconds(function: Callable[[], object], *, min_repeats: int = 3, max_repeats: int = 25,
                   budget_seconds: float = 1.0) -> float:
    """Median wall time of ``function()`` after one warm-up call; repeats until the budget or ``max_repeats``."""
    function()  # warm-up: JIT compilation, first-touch allocation, caches
    times: List[float] = []
    started = time.perf_counter()
    while len(times) < max_repeats and (len(times) < min_repeats or time.perf_counter() - started < budget_seconds):
        begin = time.perf_counter()
        function()
        times.append(time.perf_counter() - begin)
    return statistics.median(times)


def matmul_peak_gflops(n: int = 2048) -> float:
    """Practical float32 peak: a large matrix multiply (BLAS), in GFLOP/s."""
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((n, n), dtype=np.float32), rng.standard_normal((n, n), dtype=np.float32)
    return 2 * n ** 3 / median_seconds(lambda: a @ b, budget_seconds=1.0) / 1e9


def _implementations(case: Case, X: np.ndarray, K: np.ndarray) -> Dict[str, Callable[[], object]]:
    """Callables computing the valid cross-correlation of ``case``; inputs are converted beforehand."""
    import jax
    import jax.numpy as jnp
    import torch
    import torch.nn.functional as F
    from mxnet import np as mnp
    from mxnet import npx

    from . import ops

    implementations: Dict[str, Callable[[], object]] = {}
    if case.single_channel:
        x2, k2 = X[0, 0], K[0, 0]
        implementations["course_utils.corr2d"] = lambda: ops.corr2d(x2, k2)
        from scipy import ndimage, signal

        implementations["scipy.signal.correlate2d"] = lambda: signal.correlate2d(x2, k2, mode="valid")
        implementations["scipy.signal.fftconvolve"] = lambda: signal.fftconvolve(x2, k2[::-1, ::-1], mode="valid")
        half = case.kernel // 2
        implementations["scipy.ndimage.correlate"] = (
            lambda: ndimage.correlate(x2, k2, mode="constant")[half:half + case.output_size, half:half + case.output_size])
    else:
        implementations["course_utils.corr2d_multi_in_out"] = lambda: [ops.corr2d_multi_in_out(x, K) for x in X]

    xt, kt = torch.from_numpy(X), torch.from_numpy(K)

    def torch_conv():
        with torch.no_grad():
            return F.conv2d(xt, kt)

    implementations["torch.nn.functional.conv2d"] = torch_conv
    xm, km = mnp.array(X, dtype=X.dtype), mnp.array(K, dtype=K.dtype)
    implementations["mxnet npx.convolution"] = lambda: npx.convolution(
        data=xm, weight=km, kernel=(case.kernel, case.kernel), num_filter=case.out_channels, no_bias=True).wait_to_read()
    xj, kj = jnp.asarray(X), jnp.asarray(K)
    conv = jax.jit(lambda x, k: jax.lax.conv_general_dilated(x, k, window_strides=(1, 1), padding="VALID"))
    implementations["jax lax.conv (jit)"] = lambda: conv(xj, kj).block_until_ready()
    return implementations


#: Methods whose cost grows with k^2 at full direct cost in SciPy; skipped when a run would take too long.
SLOW_LIMIT_SECONDS = 20.0


def run(cases: Sequence[Case], *, budget_seconds: float = 1.0, log=print) -> List[Result]:
    results: List[Result] = []
    rng = np.random.default_rng(0)
    for case in cases:
        dtype = np.dtype(case.dtype)
        X = rng.standard_normal((case.batch, case.in_channels, case.size, case.size)).astype(dtype)
        K = rng.standard_normal((case.out_channels, case.in_channels, case.kernel, case.kernel)).astype(dtype)
        for name, function in _implementations(case, X, K).items():
            begin = time.perf_counter()
            function()  # one trial call, to skip what would take too long to repeat
            trial = time.perf_counter() - begin
            if trial > SLOW_LIMIT_SECONDS / 4:
                results.append(Result(case, name, None, f"skipped: one call took {trial:.1f} s"))
            else:
                results.append(Result(case, name, median_seconds(function, budget_seconds=budget_seconds)))
            log(_format_row(results[-1], None), flush=True) if log is print else log(_format_row(results[-1], None))
    return results


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
    return (f"  {result.case.label:32s} {result.name:36s} {_format_seconds(result.seconds)}{ratio_text}"
            f"  {result.gflops:8.2f} GFLOP/s")


def summarise(results: Sequence[Result], peak: float) -> List[dict]:
    rows = []
    for case in dict.fromkeys(r.case for r in results):
        group = [r for r in results if r.case == case]
        fastest = min(r.seconds for r in group if r.seconds is not None)
        for r in group:
            rows.append({
                "case": case.label, "implementation": r.name,
                "median_s": "" if r.seconds is None else f"{r.seconds:.6g}",
                "ratio_to_fastest": "" if r.seconds is None else f"{r.seconds / fastest:.3f}",
                "gflops": "" if r.seconds is None else f"{r.gflops:.3f}",
                "percent_of_matmul_peak": "" if r.seconds is None else f"{100 * r.gflops / peak:.1f}",
                "note": r.note,
            })
    return rows


def _write_markdown(rows: Sequence[dict], path: str, peak: float) -> None:
    with open(path, "w") as handle:
        handle.write(f"Measured float32 matmul peak: {peak:.1f} GFLOP/s\n\n")
        handle.write("| case | implementation | median (s) | ratio to fastest | GFLOP/s | % of peak | note |\n")
        handle.write("|---|---|---|---|---|---|---|\n")
        for row in rows:
            handle.write("| " + " | ".join(str(row[k]) for k in row) + " |\n")


def set_threads(threads: int) -> None:
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(threads)
    threadpool_limits(threads)
    os.environ["MXNET_CPU_WORKER_NTHREADS"] = str(threads)  # read when MXNet's engine starts work


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark 2-D cross-correlation implementations in one process.")
    parser.add_argument("--quick", action="store_true", help="small sizes only (a smoke test)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="threads for every library")
    parser.add_argument("--budget", type=float, default=1.0, help="seconds of repeats per measurement")
    parser.add_argument("--csv", help="also write the table to this CSV file")
    parser.add_argument("--markdown", help="also write the table to this Markdown file")
    args = parser.parse_args(argv)
    if args.threads < 1:
        parser.error(f"--threads must be >= 1; got {args.threads}")

    import jax  # noqa: F401  (import everything first: MXNet's import changes PyTorch's thread count)
    import mxnet  # noqa: F401
    import torch  # noqa: F401

    set_threads(args.threads)
    peak = matmul_peak_gflops()
    print(f"threads: {args.threads}; float32 matmul peak: {peak:.1f} GFLOP/s")
    results = run(default_cases(args.quick), budget_seconds=args.budget)
    rows = summarise(results, peak)
    print("\nSummary (ratio = time / fastest time for the same case):")
    current = None
    for row in rows:
        if row["case"] != current:
            current = row["case"]
            print(f"\n{current}")
        if row["median_s"]:
            print(f"  {row['implementation']:36s} {_format_seconds(float(row['median_s']))}  x{float(row['ratio_to_fastest']):7.2f}"
                  f"  {float(row['gflops']):8.2f} GFLOP/s ({row['percent_of_matmul_peak']}% of peak)")
        else:
            print(f"  {row['implementation']:36s} {row['note']}")
    if args.csv:
        with open(args.csv, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    if args.markdown:
        _write_markdown(rows, args.markdown, peak)
    return 0


if __name__ == "__main__":
    sys.exit(main())
