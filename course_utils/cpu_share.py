"""How many CPUs this process may really use, so that no library starts more threads than that.

``os.cpu_count()`` counts the machine's cores. A learner's kernel on a class server usually
gets a share of them, and a thread pool sized to the whole machine then fights itself: the
kernel's CPU time is throttled for every extra thread. The share is the smallest of

1. the CPUs the process may run on (its affinity: ``taskset``, a container's cpuset);
2. its CPU quota: cgroup v2 ``cpu.max`` or cgroup v1 ``cpu.cfs_quota_us / cpu.cfs_period_us``,
   rounded up (a quota of 1.5 CPUs runs 2 threads best);
3. ``CPU_LIMIT``, which JupyterHub's spawners export when an instructor sets a CPU limit.

An explicit ``OMP_NUM_THREADS`` wins over all three: whoever set it chose on purpose.
:func:`thread_environment` gives the variables a kernel should start with, because OpenMP
(used by PyTorch and MXNet) and BLAS size their pools when they are first imported.
"""
from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Dict, Mapping, Optional

#: Variables that size the thread pools of OpenMP (PyTorch, MXNet) and of the BLAS libraries.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def affinity_cpus() -> int:
    """The number of CPUs the scheduler lets this process run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def cgroup_quota_cpus(root: Path = Path("/sys/fs/cgroup"), self_cgroup: Path = Path("/proc/self/cgroup")) -> Optional[float]:
    """The CPU quota of this process's cgroup in CPUs (e.g. 1.5), or None when there is none."""
    for folder in _own_cgroup_folders(Path(root), Path(self_cgroup)):
        v2 = folder / "cpu.max"
        if v2.is_file():
            fields = v2.read_text().split()
            if len(fields) == 2 and fields[0] != "max":
                return int(fields[0]) / int(fields[1])
            return None
        quota, period = folder / "cpu.cfs_quota_us", folder / "cpu.cfs_period_us"
        if quota.is_file() and period.is_file():
            microseconds = int(quota.read_text().strip())
            return None if microseconds < 0 else microseconds / int(period.read_text().strip())
    return None


def _own_cgroup_folders(root: Path, self_cgroup: Path):
    """Where this process's CPU controller lives: its own cgroup first, then the root (as inside a container)."""
    candidates = []
    try:
        lines = self_cgroup.read_text().splitlines()
    except OSError:
        lines = []
    for line in lines:  # "0::/user.slice/x" (v2) or "4:cpu,cpuacct:/docker/abc" (v1)
        parts = line.split(":", 2)
        if len(parts) == 3 and (parts[1] == "" or "cpu" in parts[1].split(",")):
            relative = parts[2].lstrip("/")
            for base in ((root, root / "cpu", root / "cpu,cpuacct") if parts[1] else (root,)):
                candidates.append(base / relative)
    candidates += [root, root / "cpu", root / "cpu,cpuacct"]
    return [folder for folder in dict.fromkeys(candidates) if folder.is_dir()]


def _positive_number(text: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name} must be a positive number; got {text!r}") from None
    if not value > 0 or math.isinf(value):
        raise ValueError(f"{name} must be a positive number; got {text!r}")
    return value


def cpu_share(environ: Mapping[str, str] = os.environ, *, root: Path = Path("/sys/fs/cgroup"),
              self_cgroup: Path = Path("/proc/self/cgroup"), affinity: Optional[int] = None) -> int:
    """The number of threads a computation in this process should use (at least 1).

    >>> cpu_share({"OMP_NUM_THREADS": "3"})
    3
    >>> cpu_share({"CPU_LIMIT": "1.0"}, affinity=64)
    1
    """
    if environ.get("OMP_NUM_THREADS", "").strip():
        return max(1, int(_positive_number(environ["OMP_NUM_THREADS"], "OMP_NUM_THREADS")))
    limits = [affinity if affinity is not None else affinity_cpus()]
    quota = cgroup_quota_cpus(root, self_cgroup)
    if quota is not None:
        limits.append(math.ceil(quota))
    if environ.get("CPU_LIMIT", "").strip():
        limits.append(math.ceil(_positive_number(environ["CPU_LIMIT"], "CPU_LIMIT")))
    return max(1, min(limits))


def thread_environment(environ: Mapping[str, str] = os.environ, **share_options) -> Dict[str, str]:
    """``{variable: count}`` to start a kernel with, for every thread variable not already set."""
    threads = str(cpu_share(environ, **share_options))
    return {name: threads for name in THREAD_VARIABLES if not environ.get(name, "").strip()}
