"""Print the nbgitpuller link that hands the course to every learner of a hub and opens their copy of lesson 00.

    python tools/class_link.py --hub https://hub.example.org                  # make class-link HUB=...
    python tools/class_link.py --hub URL --repo https://github.com/o/r --branch main --lesson 03_...

A click on the link logs the learner in, starts their server, clones the repository into
``~/convolutions`` (or pulls what changed since), then opens ``/course/open`` on their server
(tools/class_server.py), which copies new student notebooks into ``~/convolutions/my-work/`` and
opens the learner's own copy of the lesson. The same link works again for every update.

``--repo`` defaults to this checkout's ``origin``. For a graded class, point it at the learner-only
repository that ``make class-release`` builds.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import urllib.parse
from pathlib import Path
from typing import Optional, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent))
from class_hub import COURSE_FOLDER  # noqa: E402
from class_server import OPEN_PATH  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_LESSON = "00_getting_started"


def class_link(hub: str, repo: str, branch: str, lesson: str = DEFAULT_LESSON) -> str:
    """The hand-out link (``hub`` is the hub's public address, https in a real class).

    >>> class_link("https://hub.example.org/", "https://github.com/o/r", "main")  # doctest: +NORMALIZE_WHITESPACE
    'https://hub.example.org/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2Fo%2Fr&branch=main&targetpath=convolutions&urlpath=course%2Fopen%3Fcourse%3Dconvolutions%26lesson%3D00_getting_started'
    """
    for name, value in (("hub", hub), ("repo", repo), ("branch", branch), ("lesson", lesson)):
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{name} must be a non-empty string; got {value!r}")
    parsed = urllib.parse.urlparse(hub)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError(f"hub must be the hub's address, such as https://hub.example.org; got {hub!r}")
    opened = OPEN_PATH + "?" + urllib.parse.urlencode({"course": COURSE_FOLDER, "lesson": lesson})
    query = urllib.parse.urlencode({"repo": repo, "branch": branch, "targetpath": COURSE_FOLDER, "urlpath": opened})
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def _git(*args: str) -> Optional[str]:
    result = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)
    return result.stdout.strip() if result.returncode == 0 and result.stdout.strip() else None


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hub", help="the hub's public address, e.g. https://hub.example.org")
    parser.add_argument("--repo", help="the repository learners pull (default: this checkout's origin)")
    parser.add_argument("--branch", help="its branch (default: this checkout's current branch)")
    parser.add_argument("--lesson", default=DEFAULT_LESSON, help=f"the lesson to open (default {DEFAULT_LESSON})")
    args = parser.parse_args(argv)
    if not args.hub:
        print("error: name the hub: make class-link HUB=https://hub.example.org (course.py class-link --hub URL)",
              file=sys.stderr)
        return 2
    repo = args.repo or _git("remote", "get-url", "origin")
    branch = args.branch or _git("rev-parse", "--abbrev-ref", "HEAD")
    if not repo or not branch:
        print("error: no git remote 'origin' (or no branch) here; pass --repo URL and --branch NAME "
              "(make class-link HUB=... REPO=... BRANCH=...)", file=sys.stderr)
        return 2
    try:
        print(class_link(args.hub, repo, branch, args.lesson))
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
