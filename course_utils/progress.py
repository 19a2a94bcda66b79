"""A text progress bar that updates in place in a notebook and leaves one short, deterministic line.

In Jupyter the bar is one display that is updated (not appended to), so a long
loop does not flood the notebook; when the loop ends the display is replaced by
a summary that holds no timings, so stored outputs stay the same from run to run.
Outside IPython nothing is shown.
"""
from __future__ import annotations

from typing import Iterable, Iterator, Optional, TypeVar

__all__ = ["progress", "format_bar"]

T = TypeVar("T")
BAR_WIDTH = 30


def format_bar(done: int, total: int, description: str = "", width: int = BAR_WIDTH) -> str:
    """One line such as ``'training |##########----------| 10/20'``.

    >>> format_bar(5, 20, "epochs", width=8)
    'epochs |##------| 5/20'
    """
    for name, value in (("done", done), ("total", total), ("width", width)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int; got {type(value).__name__} {value!r}")
    if total < 1 or not 0 <= done <= total or width < 1:
        raise ValueError(f"need 0 <= done <= total, total >= 1 and width >= 1; got done={done}, total={total}, "
                         f"width={width}")
    filled = (done * width) // total
    prefix = f"{description} " if description else ""
    return f"{prefix}|{'#' * filled}{'-' * (width - filled)}| {done}/{total}"


def progress(items: Iterable[T], total: Optional[int] = None, description: str = "") -> Iterator[T]:
    """Yield ``items`` while showing a bar; ``total`` defaults to ``len(items)``."""
    if total is None:
        if not hasattr(items, "__len__"):
            raise TypeError("total must be given when items has no len(); got total=None")
        total = len(items)  # type: ignore[arg-type]
    handle = _display_handle(format_bar(0, total, description))
    done = 0
    for item in items:
        yield item
        done += 1
        if handle is not None:
            handle.update({"text/plain": format_bar(min(done, total), total, description)}, raw=True)
    if handle is not None:
        handle.update({"text/plain": f"{description + ': ' if description else ''}{done} of {total} done"}, raw=True)


def _display_handle(text: str):
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return None
    if get_ipython() is None:
        return None
    return display({"text/plain": text}, raw=True, display_id=True)
