"""Give the learner their own notebooks, start JupyterLab on them (localhost, random token) and print its URL.

Called by `make lab`. First the lessons the learner does not have yet are copied
into my-work/ (tools/learner_copy.py; nothing there is ever replaced), then
JupyterLab starts in this process with the repository as its root (so notebooks
can show figures from images/) and opens the learner's copy of the first lesson.

Saving a notebook through this server stores the course's fixed language_info
(tools/nbclean.py) when the kernel is another Python 3.11 patch release, so an
opened lesson that was not edited stays byte for byte as committed.
"""
from __future__ import annotations

import argparse
import copy
import os
import secrets
import socket
import sys
from pathlib import Path
from typing import Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))
from learner_copy import WORK_DIR, copy_new_lessons, report  # noqa: E402
from nbclean import LANGUAGE_INFO  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FIRST_LESSON = "00_getting_started.ipynb"


def _minor_version(version: object) -> Optional[str]:
    return ".".join(version.split(".")[:2]) if isinstance(version, str) else None


def keep_stored_language_info(model: dict, **_: object) -> None:
    """Jupyter pre-save hook: save the course's language_info over one that differs only in the patch version.

    JupyterLab puts the running kernel's language_info into every notebook it
    opens; on a machine with, say, Python 3.11.4 that would turn each opened
    lesson into a one-line diff (and a `git pull` conflict). Other languages and
    other minor versions are saved as they are.
    """
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    metadata = model["content"].get("metadata")
    info = metadata.get("language_info") if isinstance(metadata, dict) else None
    if not isinstance(info, dict):
        return
    without_version = {key: value for key, value in info.items() if key != "version"}
    course_without_version = {key: value for key, value in LANGUAGE_INFO.items() if key != "version"}
    if without_version == course_without_version and \
            _minor_version(info.get("version")) == _minor_version(LANGUAGE_INFO["version"]):
        metadata["language_info"] = copy.deepcopy(LANGUAGE_INFO)


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8888)
    parser.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    args = parser.parse_args(argv)

    if not port_is_free(args.host, args.port):
        print(f"Port {args.port} on {args.host} is already in use (another Jupyter?). "
              f"Choose another one: make lab PORT={args.port + 1}", file=sys.stderr)
        return 1
    try:
        added = copy_new_lessons()
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    first = WORK_DIR.relative_to(ROOT).as_posix() + "/" + FIRST_LESSON
    token = os.environ.get("COURSE_LAB_TOKEN") or secrets.token_hex(24)
    url = f"http://{args.host}:{args.port}/lab/tree/{first}?token={token}"
    no_browser = args.no_browser or os.environ.get("NO_BROWSER") or (
        sys.platform.startswith("linux") and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")
    )
    lab_arguments = [
        f"--ServerApp.ip={args.host}",
        f"--ServerApp.port={args.port}",
        "--ServerApp.port_retries=0",  # the printed URL must be the real one
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={ROOT}",
        f"--LabApp.default_url=/lab/tree/{first}",
        # Imported by name from this folder, which is on the server's sys.path (not on the kernels').
        f"--ContentsManager.pre_save_hook={Path(__file__).stem}.keep_stored_language_info",
    ]
    if no_browser:
        lab_arguments.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        lab_arguments.append("--allow-root")  # containers and CI machines run as root
    print(report(added, WORK_DIR))
    print("=" * 72)
    print("The Convolutions workbook is starting. Open this URL in your browser:")
    print(f"    {url}")
    print(f"Your notebooks are in {WORK_DIR.name}/: yours to edit; git pull and make student never change them.")
    print("Stop the server with Ctrl+C.")
    print("=" * 72, flush=True)
    from jupyterlab.labapp import LabApp

    LabApp.launch_instance(argv=lab_arguments)
    return 0


if __name__ == "__main__":
    sys.exit(main())
