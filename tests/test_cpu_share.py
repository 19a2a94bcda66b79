"""course_utils.cpu_share: thread counts follow the CPUs a process may use, not the machine's cores."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from course_utils.cpu_share import cgroup_quota_cpus, cpu_share, thread_environment


def fake_cgroup(tmp_path, files, own="0::/user.slice/learner-1"):
    """A cgroup tree under tmp_path with ``files`` (relative path -> text) and a /proc/self/cgroup saying ``own``."""
    root = tmp_path / "cgroup"
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    root.mkdir(exist_ok=True)
    self_cgroup = tmp_path / "self_cgroup"
    self_cgroup.write_text(own + "\n")
    return {"root": root, "self_cgroup": self_cgroup}


def test_cgroup_v2_quota_of_the_own_cgroup(tmp_path):
    paths = fake_cgroup(tmp_path, {"user.slice/learner-1/cpu.max": "150000 100000\n", "cpu.max": "max 100000\n"})
    assert cgroup_quota_cpus(**paths) == 1.5
    assert cpu_share({}, affinity=64, **paths) == 2  # 1.5 CPUs: two threads, rounded up


def test_cgroup_v2_without_a_quota(tmp_path):
    paths = fake_cgroup(tmp_path, {"user.slice/learner-1/cpu.max": "max 100000\n"})
    assert cgroup_quota_cpus(**paths) is None
    assert cpu_share({}, affinity=4, **paths) == 4


def test_cgroup_v1_quota_inside_a_container(tmp_path):
    # inside a container the own path (/docker/abc) is not mounted: the controller's root holds the quota
    paths = fake_cgroup(tmp_path, {"cpu,cpuacct/cpu.cfs_quota_us": "100000\n", "cpu,cpuacct/cpu.cfs_period_us": "100000\n"},
                        own="4:cpu,cpuacct:/docker/abc")
    assert cgroup_quota_cpus(**paths) == 1.0
    assert cpu_share({}, affinity=64, **paths) == 1


def test_cgroup_v1_unlimited(tmp_path):
    paths = fake_cgroup(tmp_path, {"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"},
                        own="4:cpu,cpuacct:/")
    assert cgroup_quota_cpus(**paths) is None


def test_cpu_limit_and_affinity(tmp_path):
    paths = fake_cgroup(tmp_path, {})
    assert cpu_share({"CPU_LIMIT": "1.0"}, affinity=64, **paths) == 1
    assert cpu_share({"CPU_LIMIT": "0.5"}, affinity=64, **paths) == 1  # never below one thread
    assert cpu_share({"CPU_LIMIT": "8"}, affinity=2, **paths) == 2  # the smallest limit wins
    assert cpu_share({}, affinity=3, **paths) == 3


def test_explicit_omp_num_threads_wins(tmp_path):
    paths = fake_cgroup(tmp_path, {"cpu.max": "100000 100000\n"})
    assert cpu_share({"OMP_NUM_THREADS": "4", "CPU_LIMIT": "1"}, affinity=1, **paths) == 4
    assert thread_environment({"OMP_NUM_THREADS": "4", "CPU_LIMIT": "1"}, affinity=8, **paths) == {
        "MKL_NUM_THREADS": "4", "OPENBLAS_NUM_THREADS": "4"}
    assert thread_environment({"CPU_LIMIT": "2"}, affinity=8, **paths) == {
        "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


@pytest.mark.parametrize("name, value", [("CPU_LIMIT", "a lot"), ("CPU_LIMIT", "-1"), ("OMP_NUM_THREADS", "0")])
def test_bad_variables_are_named(tmp_path, name, value):
    with pytest.raises(ValueError, match=f"{name} must be a positive number; got '{value}'"):
        cpu_share({name: value}, **fake_cgroup(tmp_path, {}))


SETUP_THREADS = ("import torch, course_utils as cu\n"
                 "cu.setup_lesson(seed=0)\n"
                 "from course_utils import fast_correlation\n"
                 "print(torch.get_num_threads(), fast_correlation.get_num_threads())\n")


def threads_after_setup(prefix=(), **env):
    environment = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "CPU_LIMIT")}
    environment.update(env)
    done = subprocess.run([*prefix, sys.executable, "-c", SETUP_THREADS], env=environment, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.split()[-2:]


@pytest.mark.skipif(shutil.which("taskset") is None or (os.cpu_count() or 1) < 2, reason="needs taskset and 2 CPUs")
def test_setup_lesson_under_taskset_uses_one_thread():
    assert threads_after_setup(("taskset", "-c", "0")) == ["1", "1"]


def test_setup_lesson_with_cpu_limit_uses_one_thread():
    assert threads_after_setup(CPU_LIMIT="1") == ["1", "1"]
