"""Start a learner's single-user server on a hub: threads sized to the learner's CPU share, own notebooks in place.

    python tools/class_server.py [jupyterhub-singleuser options]

JupyterHub runs this as ``Spawner.cmd`` (classroom/jupyterhub_config.py; Zero to JupyterHub's
``singleuser.cmd`` in classroom/z2jh-values.yaml). Before it hands over to ``jupyterhub-singleuser``:

1. **Threads.** OpenMP (PyTorch, MXNet) and the BLAS libraries size their thread pools once, when
   a kernel imports them, so the count must already be in the environment every kernel inherits.
   The server's own environment gets ``OMP_NUM_THREADS``, ``MKL_NUM_THREADS`` and
   ``OPENBLAS_NUM_THREADS`` = :func:`course_utils.cpu_share.cpu_share` (the smallest of the
   process's CPU affinity, its cgroup CPU quota and the ``CPU_LIMIT`` the spawner exports), unless
   one of them is set already: an explicit value wins. With a share of one CPU, ``XLA_FLAGS``
   turns off the Eigen thread pool of JAX's CPU backend (XLA has no thread-count flag).
   ``setup_lesson()`` then sets PyTorch's and ``course_utils``' own counts from the same rule.
2. **The learner's own copies.** nbgitpuller cannot run ``make lab``, so the server does its
   part: it loads this module as a Jupyter server extension, which

   * at start-up copies new student notebooks into ``<course>/my-work/`` for every course clone
     in the learner's home (``tools/learner_copy.py``: new lessons added, none replaced), and
   * serves ``/course/open?course=<folder>&lesson=<NN_topic>``, the page an nbgitpuller link
     (``make class-link``) opens after its pull: it creates or extends ``my-work/`` from the
     freshly pulled student copies and redirects to the learner's copy of the lesson.

   ``my-work/`` is git-ignored, so nbgitpuller's later pulls change tracked files only and never
   touch an answer.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence

TOOLS = Path(__file__).resolve().parent
COURSE_ROOT = TOOLS.parent
sys.path.insert(0, str(TOOLS))
sys.path.insert(0, str(COURSE_ROOT))
from learner_copy import WORK_DIR_NAME, copy_new_lessons  # noqa: E402
from make_student import LESSON_GLOB, STUDENT_DIR_NAME  # noqa: E402

from course_utils.cpu_share import cpu_share, thread_environment  # noqa: E402

EXTENSION = Path(__file__).stem
#: The path, under the server's base URL, that an nbgitpuller link opens once the pull is done.
OPEN_PATH = "course/open"


# -- 1. threads ------------------------------------------------------------------------------------
def kernel_environment(environ: Mapping[str, str] = os.environ, **share_options) -> Dict[str, str]:
    """The variables to add to the server's environment so that every kernel starts within its CPU share.

    >>> kernel_environment({"CPU_LIMIT": "1"}, affinity=8)["OMP_NUM_THREADS"]
    '1'
    >>> kernel_environment({"CPU_LIMIT": "2"}, affinity=8)
    {'OMP_NUM_THREADS': '2', 'MKL_NUM_THREADS': '2', 'OPENBLAS_NUM_THREADS': '2'}
    >>> kernel_environment({"OMP_NUM_THREADS": "3", "CPU_LIMIT": "1"}, affinity=8)
    {'MKL_NUM_THREADS': '3', 'OPENBLAS_NUM_THREADS': '3'}
    """
    added = thread_environment(environ, **share_options)
    # XLA has no thread-count flag; with a share of one CPU its Eigen pool is turned off instead
    # (an XLA_FLAGS the instructor set is left alone).
    if not environ.get("XLA_FLAGS", "").strip() and cpu_share(environ, **share_options) == 1:
        added["XLA_FLAGS"] = "--xla_cpu_multi_thread_eigen=false"
    return added


# -- 2. the learner's folder -----------------------------------------------------------------------
def course_clones(home: Path) -> List[Path]:
    """Folders directly in ``home`` that hold a copy of this course (its student notebooks)."""
    if not home.is_dir():
        return []
    return sorted(folder for folder in home.iterdir()
                  if (folder / "notebooks" / STUDENT_DIR_NAME).is_dir() and (folder / "course_utils").is_dir())


def extend_learner_folder(clone: Path) -> List[Path]:
    """Copy the clone's new student notebooks into ``clone/my-work/``; the copies written (none replaced)."""
    student_dir = clone / "notebooks" / STUDENT_DIR_NAME
    if not any(student_dir.glob(LESSON_GLOB)):
        return []
    return copy_new_lessons(clone / WORK_DIR_NAME, student_dir)


def _jupyter_server_extension_points():
    return [{"module": EXTENSION}]


def _load_jupyter_server_extension(serverapp) -> None:
    from jupyter_server.base.handlers import JupyterHandler
    from jupyter_server.utils import url_path_join
    from tornado import web

    home = Path(serverapp.root_dir)
    for clone in course_clones(home):
        added = extend_learner_folder(clone)
        serverapp.log.info("course: %d new lesson(s) in %s", len(added), clone / WORK_DIR_NAME)

    class OpenLessonHandler(JupyterHandler):
        """After an nbgitpuller pull: make sure ``my-work/`` has every lesson, then open the learner's copy."""

        @web.authenticated
        def get(self):
            course = self.get_argument("course")
            lesson = self.get_argument("lesson", "00_getting_started")
            clone = (home / course).resolve()
            if clone.parent != home.resolve() or clone not in [c.resolve() for c in course_clones(home)]:
                raise web.HTTPError(404, f"no course folder {course!r} in the home folder")
            if not (clone / "notebooks" / STUDENT_DIR_NAME / f"{lesson}.ipynb").is_file():
                raise web.HTTPError(404, f"no lesson {lesson!r} in {course}")
            extend_learner_folder(clone)
            self.redirect(url_path_join(self.base_url, "lab", "tree", course, WORK_DIR_NAME, f"{lesson}.ipynb"))

    pattern = url_path_join(serverapp.web_app.settings["base_url"], OPEN_PATH)
    serverapp.web_app.add_handlers(".*$", [(pattern, OpenLessonHandler)])


# -- start -----------------------------------------------------------------------------------------
def server_arguments(arguments: Sequence[str]) -> List[str]:
    """``jupyterhub-singleuser``'s arguments: this module loaded as a server extension, then ``arguments``."""
    return [f"--ServerApp.jpserver_extensions={EXTENSION}=True", *arguments]


def main(argv: Optional[Sequence[str]] = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    # Kernels inherit the server's environment; this folder only goes on the server's own sys.path
    # (above), so the lessons' kernels see no tools module.
    os.environ.update(kernel_environment(os.environ))
    from jupyterhub.singleuser import main as singleuser_main

    sys.argv = ["jupyterhub-singleuser", *server_arguments(arguments)]
    return singleuser_main()


if __name__ == "__main__":
    sys.exit(main())
