"""tools/benchmark.py and course_utils.timing: the machinery, on tiny cases (the real benchmark is `make bench`, not a test)."""
from __future__ import annotations

import io
import tempfile
import json

import pytest

import benchmark
from course_utils import fast_correlation, timing


def test_cases_cover_the_issue_grid():
    cases = benchmark.default_cases()
    single = {(c.size, c.kernel, c.dtype) for c in cases if c.single_channel}
    grid = {(n, k, d) for n in (64, 512, 2048) for k in (3, 7, 31) for d in ("float32", "float64")}
    small = {(benchmark.SMALL_SIZE, 3, d) for d in ("float32", "float64")}  # "64x64 and below"
    assert single == grid | small
    multi = [c for c in cases if not c.single_channel]
    assert {(c.batch, c.in_channels, c.out_channels, c.size, c.kernel) for c in multi} == {(8, 64, 64, 56, 3)}
    assert benchmark.Case(56, 3, batch=8, in_channels=64, out_channels=64).multiply_adds == 8 * 64 * 64 * 9 * 54 * 54


def test_run_and_summary_on_a_tiny_case():
    lines = []
    results = benchmark.run([benchmark.Case(16, 3)], budget_seconds=0.01, log=lines.append)
    names = {r.name for r in results}
    assert {"course_utils.corr2d", "course_utils.corr2d_naive", "torch.nn.functional.conv2d", "jax lax.conv (jit)",
            "mxnet npx.convolution", "scipy.signal.correlate2d", "scipy.signal.fftconvolve",
            "scipy.ndimage.correlate"} == names
    rows = benchmark.summarise(results, peak=100.0)
    ratios = [float(r["ratio_to_fastest"]) for r in rows]
    assert min(ratios) == pytest.approx(1.0) and all(r >= 1.0 for r in ratios)
    assert len(lines) == len(results)


def test_median_seconds_counts_repeats():
    calls = []
    timing.median_seconds(lambda: calls.append(1), min_repeats=3, max_repeats=5, budget_seconds=0.0)
    assert len(calls) == 1 + 3  # warm-up + min_repeats


class FakeClock:
    """A perf_counter that only moves when a timed call advances it: the timing logic is then
    tested exactly, whatever else the machine is doing (a real 1 ms sleep measured 6.1 ms on a
    busy machine and failed `make test`)."""

    def __init__(self):
        self.now = 100.0

    def perf_counter(self):
        return self.now

    def call_taking(self, seconds, calls):
        def timed_call():
            calls.append(1)
            self.now += seconds
        return timed_call


def test_fast_calls_are_timed_in_loops_and_reported_per_call(monkeypatch):
    clock, calls = FakeClock(), []
    monkeypatch.setattr(timing.time, "perf_counter", clock.perf_counter)
    seconds = timing.median_seconds(clock.call_taking(1e-3, calls), min_repeats=3, max_repeats=3,
                                   budget_seconds=0.0, min_sample_seconds=0.05)
    # the 1 ms warm-up sets loops of ceil(50 ms / 1 ms) = 50 calls; three samples follow it
    assert len(calls) == 1 + 3 * 50
    assert seconds == pytest.approx(1e-3)  # per call, not per 50-call loop


def test_slow_calls_are_timed_one_by_one(monkeypatch):
    clock, calls = FakeClock(), []
    monkeypatch.setattr(timing.time, "perf_counter", clock.perf_counter)
    seconds = timing.median_seconds(clock.call_taking(2e-3, calls), min_repeats=3, max_repeats=3,
                                   budget_seconds=0.0, min_sample_seconds=1e-3)
    assert len(calls) == 1 + 3
    assert seconds == pytest.approx(2e-3)


def test_repeats_stop_at_the_budget(monkeypatch):
    clock, calls = FakeClock(), []
    monkeypatch.setattr(timing.time, "perf_counter", clock.perf_counter)
    timing.median_seconds(clock.call_taking(0.1, calls), min_repeats=3, max_repeats=25, budget_seconds=0.45)
    # samples start at 0, 0.1, ..., 0.4 s into the budget: five of them, then 0.5 s > 0.45 s stops it
    assert len(calls) == 1 + 5


def test_bad_threads_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        benchmark.main(["--threads", "0"])
    assert exit_info.value.code == 2
    assert "--threads must be >= 1; got 0" in capsys.readouterr().err


def test_multichannel_case_uses_the_batched_function():
    results = benchmark.run([benchmark.Case(6, 3, batch=2, in_channels=3, out_channels=4)], budget_seconds=0.01,
                        log=lambda line: None)
    names = [r.name for r in results]
    assert names[0] == "course_utils.corr2d_batch" and "torch.nn.functional.conv2d" in names
    assert all(r.seconds is not None for r in results)


def test_a_call_that_raises_is_skipped_with_a_note():
    def fails():
        raise RuntimeError("DefaultCPUAllocator: can't allocate memory: you tried to allocate 31308026912 bytes")

    result = benchmark._measure(benchmark.Case(16, 3), "broken", fails, budget_seconds=0.01)
    assert result.seconds is None
    assert result.note.startswith("skipped: RuntimeError: DefaultCPUAllocator: can't allocate memory")


def test_float64_im2col_that_does_not_fit_in_memory_is_skipped(monkeypatch):
    monkeypatch.setattr(benchmark, "available_memory_bytes", lambda: 20 * 10**9)
    big = benchmark.Case(2048, 31, "float64")
    assert big.im2col_bytes == 961 * 2018**2 * 8
    reason = benchmark._skip_reason(big, "torch.nn.functional.conv2d", {})
    assert reason is not None and "31.3 GB" in reason and "20.0 GB available" in reason
    assert benchmark._skip_reason(big, "scipy.signal.fftconvolve", {}) is None
    assert benchmark._skip_reason(benchmark.Case(2048, 31, "float32"), "torch.nn.functional.conv2d", {}) is None


def test_slow_direct_methods_are_extrapolated_and_skipped():
    big = benchmark.Case(2048, 31)
    rates = {("scipy.signal.correlate2d", "float32"): 1e-8, ("scipy.signal.fftconvolve", "float32"): 1e-8}
    assert "extrapolated" in benchmark._skip_reason(big, "scipy.signal.correlate2d", rates)
    assert benchmark._skip_reason(big, "scipy.signal.fftconvolve", rates) is None  # FFT cost does not grow with k


def _result(case, name, seconds):
    return benchmark.Result(case, name, seconds)


def test_targets_are_checked_from_the_results():
    c512, c2048, c64 = benchmark.Case(512, 7), benchmark.Case(2048, 3), benchmark.Case(64, 3)
    multi32 = benchmark.Case(56, 3, "float32", batch=8, in_channels=64, out_channels=64)
    multi64 = benchmark.Case(56, 3, "float64", batch=8, in_channels=64, out_channels=64)
    results = [
        _result(c512, "course_utils.corr2d", 3.0), _result(c512, "scipy.signal.fftconvolve", 2.5),
        _result(c2048, "course_utils.corr2d", 0.010), _result(c2048, "scipy.ndimage.correlate", 0.020),
        _result(c64, "course_utils.corr2d", 60e-6), _result(c64, "torch.nn.functional.conv2d", 20e-6),
        _result(multi32, "course_utils.corr2d_batch", 0.030), _result(multi32, "torch.nn.functional.conv2d", 0.010),
        _result(multi64, "course_utils.corr2d_batch", 0.030), _result(multi64, "torch.nn.functional.conv2d", 0.060),
    ]
    checks = {c.target: c for c in benchmark.check_targets(results)}
    assert checks["512x512 k7 float32: corr2d within 1.5x of the fastest"].met is True
    assert checks["2048x2048 k3 float32: corr2d faster than every library"].met is True
    small = checks["64x64 k3 float32: corr2d at most 50 µs per call"]
    assert small.met is False and small.verdict == "MISSED" and "60.0 µs" in small.measured
    assert checks["b8 64->64 56x56 k3 float32: corr2d_batch within 2.5x of PyTorch"].met is False
    assert checks["b8 64->64 56x56 k3 float64: corr2d_batch within 1.0x of PyTorch"].met is True


def test_markdown_has_the_targets_and_the_table(tmp_path):
    case = benchmark.Case(16, 3)
    results = [_result(case, "course_utils.corr2d", 1e-5), _result(case, "torch.nn.functional.conv2d", 2e-5)]
    path = tmp_path / "results.md"
    benchmark._write_markdown(benchmark.summarise(results, peak=100.0), str(path), 100.0, ["Run: test"],
                          benchmark.check_targets(results))
    text = path.read_text()
    assert text.startswith("Run: test")
    assert "| 16x16 k3 float32 | course_utils.corr2d | 1e-05 |  | 1.000 |" in text  # no samples: no spread
    assert "| median (s) | spread (%) | ratio to fastest |" in text
    assert "| target | measured | verdict |" in text


def test_crossover_report_lists_measured_and_stored_values(monkeypatch, capsys):
    monkeypatch.setattr(benchmark, "measure_crossover", lambda dtype: [(64, 30.0), (512, float("inf"))])
    benchmark.print_crossover()
    text = capsys.readouterr().out
    assert "float32: direct multiply-adds per input pixel at which the FFT becomes 1.25x faster" in text
    assert "float64:" in text
    stored = dict(fast_correlation.FFT_CROSSOVER["float32"])[64]
    assert f"    64       30.0 {stored:18.1f}" in text
    assert "inf" in text


def test_the_benchmark_runs_without_mxnet(monkeypatch):
    """MXNet has wheels only for Linux: elsewhere its row is left out and the rest is timed."""
    from course_utils import frameworks

    monkeypatch.setitem(frameworks._available, "MXNet", False)
    results = benchmark.run([benchmark.Case(16, 3)], budget_seconds=0.01, log=lambda line: None)
    names = {r.name for r in results}
    assert "mxnet npx.convolution" not in names and "torch.nn.functional.conv2d" in names


def test_measure_crossover_returns_sides_and_finite_or_inf_work():
    result = benchmark.measure_crossover(sides=(8, 24), kernels=(3, 5, 7), repeats=1)
    assert [side for side, _ in result] == [8, 24]
    assert all(work > 0 for _, work in result)


def test_isolated_run_gives_each_library_a_fresh_process_and_the_same_rows():
    case = benchmark.Case(16, 3)
    lines = []
    isolated = benchmark.run_isolated([case], threads=1, budget_seconds=0.01, log=lines.append)
    in_process = benchmark.run([case], budget_seconds=0.01, log=lambda line: None)
    assert [r.name for r in isolated] == [r.name for r in in_process]
    assert all(r.seconds > 0 and r.spread >= 0 for r in isolated)
    assert len(lines) == len(isolated)
    assert {r.name.split(".")[0].split(" ")[0] for r in isolated} == set(benchmark.available_libraries())


def test_a_failing_worker_stops_the_run_with_its_command(monkeypatch):
    monkeypatch.setattr(benchmark, "available_libraries", lambda: ["scipy"])
    monkeypatch.setattr(benchmark.sys, "executable", benchmark.sys.executable + "-missing")
    with pytest.raises((RuntimeError, OSError)):
        benchmark.run_isolated([benchmark.Case(16, 3)], threads=1, budget_seconds=0.01, log=lambda line: None)


def test_worker_prints_one_machine_readable_line_per_result(monkeypatch, capsys):
    monkeypatch.setattr(benchmark.sys, "stdin", io.StringIO(json.dumps([vars(benchmark.Case(8, 3))])))
    assert benchmark.main(["--worker", "scipy", "--threads", "1", "--budget", "0.01"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith(benchmark.RESULT_PREFIX)]
    fields = [json.loads(line[len(benchmark.RESULT_PREFIX):]) for line in lines]
    assert [f["name"] for f in fields] == ["scipy.signal.correlate2d", "scipy.signal.fftconvolve",
                                           "scipy.ndimage.correlate"]
    assert all(f["case"] == vars(benchmark.Case(8, 3)) and f["seconds"] > 0 for f in fields)


def test_the_header_names_the_blas_and_its_kernels():
    description = benchmark.blas_description()
    assert "openblas" in description.lower() and "kernels, from numpy" in description


def test_relative_spread():
    assert timing.relative_spread([2.0, 2.0, 2.0]) == 0.0
    assert timing.relative_spread([1.0, 3.0, 2.0]) == 1.0


def test_baseline_rows_get_their_own_targets_and_lost_targets_are_named():
    c64, c512 = benchmark.Case(64, 3), benchmark.Case(512, 3)
    old = lambda name: benchmark.baseline_name(name, "abc123")  # noqa: E731
    results = [
        _result(c64, "course_utils.corr2d", 60e-6), _result(c64, old("course_utils.corr2d"), 40e-6),
        _result(c512, "course_utils.corr2d", 1e-3), _result(c512, old("course_utils.corr2d"), 9e-3),
        _result(c512, "torch.nn.functional.conv2d", 2e-3),
    ]
    now, before = benchmark.check_targets(results), benchmark.check_targets(results, "abc123")
    assert [c.met for c in now] == [False, True] and [c.met for c in before] == [True, False]
    # The baseline is never "the fastest library" this tree is compared with.
    assert "best library torch.nn.functional.conv2d" in now[1].measured
    assert benchmark.regressions(before, now) == ["64x64 k3 float32: corr2d at most 50 µs per call"]
    assert benchmark.regressions(now, before) == ["512x512 k3 float32: corr2d within 1.5x of the fastest"]


def test_a_baseline_revision_is_timed_in_its_own_worker(capsys):
    """HEAD's course_utils, extracted and imported under another name, gives rows '@HEAD' with real times."""
    case = benchmark.Case(16, 3)
    with tempfile.TemporaryDirectory() as folder:
        package = benchmark.extract_baseline("HEAD", folder)
        rows = benchmark.run_isolated([case], threads=1, budget_seconds=0.01, log=lambda line: None,
                                      baseline=("HEAD", package))
    names = [row.name for row in rows]
    assert names.index("course_utils.corr2d @HEAD") == names.index("course_utils.corr2d_naive") + 1
    assert all(row.seconds > 0 for row in rows if row.name.endswith("@HEAD"))


def test_an_unknown_baseline_revision_stops_with_git_s_reason(tmp_path):
    with pytest.raises(SystemExit, match="--baseline no-such-revision: git archive failed"):
        benchmark.extract_baseline("no-such-revision", str(tmp_path))


def test_interleaved_samples_alternate_between_the_versions():
    calls = []
    functions = {"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}
    results = benchmark._measure_interleaved(benchmark.Case(8, 3), functions, budget_seconds=0.0)
    assert set(results) == {"a", "b"} and all(r.seconds > 0 for r in results.values())
    # Three rounds at least; in each, a's sample (warm-up call and loop) comes before b's.
    changes = [later for earlier, later in zip(calls, calls[1:]) if later != earlier]
    assert changes[:5] == ["b", "a", "b", "a", "b"]


def test_an_interleaved_version_that_raises_is_a_note_and_the_other_is_still_timed():
    def broken():
        raise RuntimeError("no such function at this revision")

    results = benchmark._measure_interleaved(benchmark.Case(8, 3), {"ok": lambda: None, "old": broken}, 0.0)
    assert results["ok"].seconds > 0
    assert results["old"].seconds is None and "RuntimeError: no such function" in results["old"].note
