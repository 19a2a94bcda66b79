"""A class on a real JupyterHub: sign-up and approval, nbgitpuller hand-out, lesson 00 in three servers at once.

The hub is the shipped ``classroom/jupyterhub_config.py`` (NativeAuthenticator with approval,
idle culler, the course's start-up in tools/class_server.py) with configurable-http-proxy from
package.json, on free local ports; tools/class_hub.py lists what the test hub changes (ports, a
temporary state folder, the simple local spawner). Learners pull a local clone of this repository
(its committed state) with nbgitpuller and run their own copy of lesson 00 through the Jupyter
REST and WebSocket APIs. About a minute on two cores; skipped only where Node.js is missing.
"""
from __future__ import annotations

import asyncio
import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
from class_hub import COURSE_FOLDER, Hub, Learner, leftover_processes, missing_node_reason, output_text  # noqa: E402
from class_link import class_link  # noqa: E402
from class_server import OPEN_PATH  # noqa: E402

pytestmark = pytest.mark.skipif(missing_node_reason() is not None, reason=str(missing_node_reason()))

LESSON = "00_getting_started"
LEARNERS = [Learner(name, f"{name}-long-secret-{index}") for index, name in enumerate(["ada", "grace", "alan"])]
# What each learner's kernel reports about its threads: the hub gives every learner one CPU.
PROBE = ("import json, os, torch, course_utils.thread_pool as pool; "
         "print(json.dumps({'omp': os.environ.get('OMP_NUM_THREADS'), 'torch': torch.get_num_threads(), "
         "'course_utils': pool.get_num_threads(), 'cpu_limit': os.environ.get('CPU_LIMIT')}))")


@pytest.fixture(scope="module")
def origin(tmp_path_factory) -> tuple:
    """A local clone of this repository's committed state: what nbgitpuller pulls (a path URL)."""
    clone = tmp_path_factory.mktemp("origin") / "course"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)], check=True)
    branch = subprocess.run(["git", "-C", str(clone), "rev-parse", "--abbrev-ref", "HEAD"], check=True,
                            capture_output=True, text=True).stdout.strip()
    return str(clone), branch


@pytest.fixture(scope="module")
def hub():
    running = Hub(cpu_limit=1).start()
    home = running.home
    yield running
    running.stop()
    # Nothing outlives the hub: no proxy, server, kernel or culler still refers to its folder.
    left = leftover_processes(home)
    assert not left, f"processes left behind by the hub: {left}"


def test_shipped_authenticator_lets_in_approved_learners_only(hub):
    stranger = Learner("mallory", "mallory-long-secret")
    hub.sign_up(stranger.name, stranger.password)
    assert hub.log_in(stranger.name, stranger.password) is None, "a sign-up got in without an admin's approval"
    for learner in LEARNERS:
        hub.enrol(learner)  # sign-up, the admin's approval, log-in, a token of the learner's own
    assert hub.log_in(LEARNERS[0].name, "not-" + LEARNERS[0].password) is None, "a wrong password was accepted"
    assert hub.log_in(LEARNERS[0].name, LEARNERS[0].password) is not None


def test_learners_pull_the_course_and_run_lesson_00_concurrently(hub, origin):
    repository, branch = origin
    for learner in LEARNERS:
        hub.spawn(learner)
    ada, grace = LEARNERS[0], LEARNERS[1]
    # A learner's token opens their own server and nobody else's.
    assert hub.server(ada, "api/status").status == 200
    assert hub.server(grace, "api/status", token=ada.token).status == 403

    # The hand-out link leads to nbgitpuller's page, which pulls, then opens /course/open.
    link = urllib.parse.urlparse(class_link(hub.url, repository, branch, LESSON))
    page = hub.server(ada, f"git-pull?{link.query}")
    assert page.status == 200 and OPEN_PATH in page.body.decode()
    for learner in LEARNERS:
        events = hub.pull(learner, repository, branch)
        assert events[-1]["phase"] == "finished"
        opened = hub.server(learner, f"{OPEN_PATH}?course={COURSE_FOLDER}&lesson={LESSON}")
        assert opened.status == 302
        assert opened.headers["Location"] == f"/user/{learner.name}/lab/tree/{COURSE_FOLDER}/my-work/{LESSON}.ipynb"
        work = hub.home_of(learner) / COURSE_FOLDER / "my-work"
        student = sorted(path.name for path in (hub.home_of(learner) / COURSE_FOLDER / "notebooks" / "student")
                         .glob("[0-9][0-9]_*.ipynb"))
        assert sorted(path.name for path in work.glob("*.ipynb")) == student

    # An update never touches an answer: a learner's saved copy survives a second pull and open.
    answer = hub.home_of(ada) / COURSE_FOLDER / "my-work" / f"{LESSON}.ipynb"
    answer.write_text(answer.read_text().replace("# your code here", "# ada's own answer"))
    before = answer.read_text()
    hub.pull(ada, repository, branch)
    hub.server(ada, f"{OPEN_PATH}?course={COURSE_FOLDER}&lesson={LESSON}")
    assert answer.read_text() == before
    answer.write_text(answer.read_text().replace("# ada's own answer", "# your code here"))

    async def everyone():
        return await asyncio.gather(*(hub.run_notebook(learner, f"{COURSE_FOLDER}/my-work/{LESSON}.ipynb",
                                                       probe=PROBE) for learner in LEARNERS))

    began = time.monotonic()
    results = asyncio.run(everyone())
    print(f"lesson 00 in {len(LEARNERS)} servers at once: {time.monotonic() - began:.1f} s")
    for learner, result in zip(LEARNERS, results):
        assert result["error"] is None, f"{learner.name}: {result['error']}"
        checks = [output_text(run) for run in result["cells"] if run.source.startswith("q1.check(")]
        assert len(checks) == 1 and "Not attempted yet" in checks[0], f"{learner.name}: {checks}"
        # Every learner's kernel started within its share: one CPU (Spawner.cpu_limit = 1).
        assert result["probe"] == {"omp": "1", "torch": 1, "course_utils": 1, "cpu_limit": "1.0"}, result["probe"]
