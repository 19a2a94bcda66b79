"""course_utils.bench: the machinery, on a tiny case (the real benchmark is `make bench`, not a test)."""
from __future__ import annotations

import pytest

from course_utils import bench


def test_cases_cover_the_issue_grid():
    cases = bench.default_cases()
    single = {(c.size, c.kernel, c.dtype) for c in cases if c.single_channel}
    assert single == {(n, k, d) for n in (64, 512, 2048) for k in (3, 7, 31) for d in ("float32", "float64")}
    multi = [c for c in cases if not c.single_channel]
    assert {(c.batch, c.in_channels, c.out_channels, c.size, c.kernel) for c in multi} == {(8, 64, 64, 56, 3)}
    assert bench.Case(56, 3, batch=8, in_channels=64, out_channels=64).multiply_adds == 8 * 64 * 64 * 9 * 54 * 54


def test_run_and_summary_on_a_tiny_case():
    lines = []
    results = bench.run([bench.Case(16, 3)], budget_seconds=0.01, log=lines.append)
    names = {r.name for r in results}
    assert {"course_utils.corr2d", "torch.nn.functional.conv2d", "jax lax.conv (jit)", "mxnet npx.convolution",
            "scipy.signal.correlate2d", "scipy.signal.fftconvolve", "scipy.ndimage.correlate"} == names
    rows = bench.summarise(results, peak=100.0)
    ratios = [float(r["ratio_to_fastest"]) for r in rows]
    assert min(ratios) == pytest.approx(1.0) and all(r >= 1.0 for r in ratios)
    assert len(lines) == len(results)


def test_median_seconds_counts_repeats():
    calls = []
    bench.median_seconds(lambda: calls.append(1), min_repeats=3, max_repeats=5, budget_seconds=0.0)
    assert len(calls) == 1 + 3  # warm-up + min_repeats


def test_bad_threads_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        bench.main(["--threads", "0"])
    assert exit_info.value.code == 2
    assert "--threads must be >= 1; got 0" in capsys.readouterr().err
