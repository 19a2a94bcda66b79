"""The slide decks, built once for every test that needs them (tests/test_publish.py, tests/test_slides_fit.py).

``built_decks()`` builds the decks of whatever lessons exist into a folder named after a digest of
everything the build reads (the lesson notebooks, images/, tools/slides.py and tools/build_site.py,
the template, package-lock.json). A second caller, in this process or in another pytest-xdist worker,
waits on a file lock and reuses the finished build instead of building again; a changed input makes
a new digest, hence a new build (folders of other digests are removed once they are a day old: another
test session may still be reading a recent one).
"""
from __future__ import annotations

import fcntl
import hashlib
import shutil
import tempfile
import time
from pathlib import Path
from typing import Iterable

ROOT = Path(__file__).resolve().parents[1]
import build_site  # noqa: E402
import slides  # noqa: E402

#: Written last into a finished build: a folder without it is a build that was interrupted.
DONE_MARKER = ".built"
STALE_SECONDS = 24 * 3600


def _inputs() -> Iterable[Path]:
    yield from build_site.find_lessons()
    for folder in (build_site.IMAGES, slides.TEMPLATES):
        if folder.is_dir():
            yield from sorted(path for path in folder.rglob("*") if path.is_file())
    yield from (ROOT / "tools" / "slides.py", ROOT / "tools" / "build_site.py", ROOT / "package-lock.json")


def inputs_digest() -> str:
    digest = hashlib.sha256()
    for path in _inputs():
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def built_decks() -> Path:
    """The folder of the decks for the current lessons (built now, or by an earlier caller)."""
    home = Path(tempfile.gettempdir()) / f"course-test-slides-{hashlib.sha1(str(ROOT).encode()).hexdigest()[:10]}"
    home.mkdir(exist_ok=True)
    target = home / inputs_digest()
    with open(home / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / DONE_MARKER).is_file():
            for old in home.iterdir():
                if old.is_dir() and old != target and time.time() - old.stat().st_mtime > STALE_SECONDS:
                    shutil.rmtree(old, ignore_errors=True)
            shutil.rmtree(target, ignore_errors=True)  # an interrupted build
            slides.build_slides(target, quiet=True)
            (target / DONE_MARKER).touch()
    return target
