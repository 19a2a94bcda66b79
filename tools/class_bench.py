"""N learners run one lesson at the same time through a real JupyterHub on this machine (make bench-class).

    python tools/class_bench.py                              # 4 learners, lesson 03's student copy
    python tools/class_bench.py --learners 8 --lesson 00_getting_started --markdown benchmarks/class-DATE.md

The hub is tools/class_hub.py's (the shipped configuration, one CPU per learner). Every learner
signs up, is approved, gets a server, pulls the course with nbgitpuller from a local clone of
this repository, and runs their own copy of the lesson through the Jupyter API, all at once.
Per learner it reports the seconds until the hub called the server ready, the lesson's wall
time, the kernel's peak resident memory and the server's, the kernel's CPU time over its wall
time, and the threads: what PyTorch and course_utils report, OMP_NUM_THREADS, and the kernel's
OS thread count (its peak, sampled every 0.2 s). It exits with 1 when a library in a learner's
kernel runs more threads than the learner's CPU share.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent))
from class_hub import COURSE_FOLDER, Hub, Learner  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CPU_SHARE = 1  # Spawner.cpu_limit of the bench's hub: every learner's share
#: Run last in each learner's kernel: what its libraries say, and the peaks the kernel itself saw.
PROBE = """
import json, os, resource
import torch
import course_utils.thread_pool as thread_pool
status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
server = dict(line.split(":", 1) for line in open(f"/proc/{os.getppid()}/status") if ":" in line)
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"pid": os.getpid(), "torch": torch.get_num_threads(), "course_utils": thread_pool.get_num_threads(),
                  "omp": os.environ.get("OMP_NUM_THREADS"), "cpu_limit": os.environ.get("CPU_LIMIT"),
                  "kernel_peak_mb": int(status["VmHWM"].split()[0]) / 1024,
                  "server_peak_mb": int(server["VmHWM"].split()[0]) / 1024,
                  "threads_now": int(status["Threads"]), "cpu_seconds": usage.ru_utime + usage.ru_stime}))
"""


class ThreadSampler:
    """The peak OS thread count of every kernel process of the hub, sampled from /proc."""

    def __init__(self, hub: Hub, every: float = 0.2):
        self.hub, self.every = hub, every
        self.peaks: Dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for pid in self.hub.process_ids():
                try:
                    command = Path(f"/proc/{pid}/cmdline").read_bytes()
                    if b"ipykernel_launcher" not in command:
                        continue
                    threads = int(next(line.split()[1] for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                                       if line.startswith("Threads:")))
                except (OSError, StopIteration, ValueError):
                    continue
                self.peaks[pid] = max(self.peaks.get(pid, 0), threads)
            self._stop.wait(self.every)

    def __enter__(self) -> "ThreadSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor() or "unknown CPU")
    memory = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))) / 1024 ** 2
    return f"{model}, {len(os.sched_getaffinity(0))} CPUs available, {memory:.0f} GB memory, {platform.platform()}"


def run(learners: int, lesson: str) -> List[dict]:
    with tempfile.TemporaryDirectory(prefix="course-bench-class-") as scratch:
        origin = Path(scratch) / "course"
        subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(origin)], check=True)
        branch = subprocess.run(["git", "-C", str(origin), "rev-parse", "--abbrev-ref", "HEAD"], check=True,
                                capture_output=True, text=True).stdout.strip()
        with Hub(cpu_limit=CPU_SHARE) as hub:
            class_members = [Learner(f"learner{number}", f"learner-{number}-long-secret") for number in range(learners)]
            for learner in class_members:
                hub.enrol(learner)

            async def everyone():
                loop = asyncio.get_running_loop()
                # Servers start together, as when a class opens the link at the start of a session.
                await asyncio.gather(*(loop.run_in_executor(None, hub.spawn, learner) for learner in class_members))
                for learner in class_members:
                    hub.pull(learner, str(origin), branch)
                    hub.server(learner, f"course/open?course={COURSE_FOLDER}&lesson={lesson}")
                return await asyncio.gather(*(hub.run_notebook(learner, f"{COURSE_FOLDER}/my-work/{lesson}.ipynb",
                                                               probe=PROBE) for learner in class_members))

            with ThreadSampler(hub) as sampler:
                results = asyncio.run(everyone())
            rows = []
            for learner, result in zip(class_members, results):
                probe = result["probe"] if isinstance(result["probe"], dict) else {}
                rows.append({"learner": learner.name, "ready_s": learner.ready_seconds, "wall_s": result["wall_seconds"],
                             "error": result["error"], **probe,
                             "os_threads_peak": sampler.peaks.get(probe.get("pid"), probe.get("threads_now"))})
            return rows


def over_share(row: dict, share: int = CPU_SHARE) -> List[str]:
    """The libraries of one learner's kernel that run more threads than ``share`` (empty when none)."""
    counts = {"PyTorch": row.get("torch"), "course_utils": row.get("course_utils"),
              "OMP_NUM_THREADS": int(row["omp"]) if row.get("omp") else None}
    return [f"{name} {count}" for name, count in counts.items() if count is None or count > share]


def markdown(rows: List[dict], lesson: str, elapsed: float) -> str:
    lines = [f"# `make bench-class`: {len(rows)} learners run `{lesson}` at once through JupyterHub",
             "",
             f"{datetime.date.today().isoformat()}; {machine()}. Each learner's CPU share: {CPU_SHARE} "
             f"(Spawner.cpu_limit, exported as CPU_LIMIT; this hub's spawner does not enforce it, so the "
             f"learners also compete for the machine's CPUs). Whole run, sign-ups to last kernel: {elapsed:.0f} s.",
             "",
             "| learner | server ready (s) | lesson wall (s) | kernel peak (MB) | server peak (MB) | kernel CPU (s) | CPU s / wall s "
             "| PyTorch threads | course_utils threads | OMP_NUM_THREADS | OS threads (peak) | error |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for row in rows:
        cpu = row.get("cpu_seconds")
        lines.append(
            f"| {row['learner']} | {row['ready_s']:.1f} | {row['wall_s']:.1f} | {row.get('kernel_peak_mb', 0):.0f} | "
            f"{row.get('server_peak_mb', 0):.0f} | {cpu or float('nan'):.1f} | "
            f"{cpu / row['wall_s'] if cpu else float('nan'):.2f} | "
            f"{row.get('torch')} | {row.get('course_utils')} | {row.get('omp')} | {row.get('os_threads_peak')} | "
            f"{row['error'] or ''} |")
    peak = max(row.get("kernel_peak_mb", 0) + row.get("server_peak_mb", 0) for row in rows)
    lines += ["", f"Largest learner (kernel + server peaks): {peak:.0f} MB. The OS thread count includes the "
                  "kernel's own (ZeroMQ, heartbeat, history) and the libraries' idle pools; the check is on the "
                  "compute threads each library reports. A CPU-seconds-to-wall ratio well below 1 means the kernels "
                  "waited for a CPU: more learners than cores, or other work on the machine "
                  f"(load average at the end: {os.getloadavg()[0]:.1f})."]
    return "\n".join(lines) + "\n"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=4, help="learners at once (default 4)")
    parser.add_argument("--lesson", default="03_cross_correlation_and_conv_layers", help="the lesson each runs")
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    parser.add_argument("--json", type=Path, help="also write the raw rows to this file")
    args = parser.parse_args(argv)
    if args.learners < 1:
        parser.error(f"--learners must be at least 1; got {args.learners}")
    began = time.monotonic()
    rows = run(args.learners, args.lesson)
    report = markdown(rows, args.lesson, time.monotonic() - began)
    print(report)
    if args.markdown:
        args.markdown.write_text(report)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    failed = [f"{row['learner']}: {', '.join(over_share(row))}" for row in rows if over_share(row)]
    errors = [f"{row['learner']}: {row['error']}" for row in rows if row["error"]]
    for line in failed:
        print(f"FAIL more threads than the CPU share ({CPU_SHARE}): {line}", file=sys.stderr)
    for line in errors:
        print(f"FAIL the lesson stopped with an error: {line}", file=sys.stderr)
    return 1 if failed or errors else 0


if __name__ == "__main__":
    sys.exit(main())
