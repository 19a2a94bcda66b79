"""The short Markdown of the exercises' texts (hints, feedback, model answers), read in one place.

The texts use three things only: paragraphs separated by blank lines, ``*`` or ``-`` bullet lists
(a line that starts with neither continues the item above it), and `backticks` around code. The
notebook's feedback boxes render them as HTML and the site (tools/build_site.py) as MyST; both take
the structure from :func:`text_blocks`, so a text reads the same in the lesson and on the site.
"""
from __future__ import annotations

import re
from typing import List, Union

__all__ = ["INLINE_CODE", "text_blocks"]

#: `code` inside a line; group 1 is the code without its backticks.
INLINE_CODE = re.compile(r"`([^`\n]+)`")
_BULLET = re.compile(r"^\s*[*-]\s+")


def text_blocks(text: str) -> List[Union[str, List[str]]]:
    """The blocks of ``text`` in order: a paragraph as one string, a bullet list as the list of its items.

    The lines of a paragraph, and of an item, are joined by single spaces, as Markdown flows them.

    >>> text_blocks("First line\\n  and its second.\\n\\n* one\\n  more of one\\n- two")
    ['First line and its second.', ['one more of one', 'two']]
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str; got {type(text).__name__} {text!r}")
    blocks: List[Union[str, List[str]]] = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in paragraph.splitlines()]
        if not lines or not any(lines):
            continue
        if not _BULLET.match(lines[0]):
            blocks.append(" ".join(lines))
            continue
        items: List[str] = []
        for line in lines:
            if _BULLET.match(line):
                items.append(_BULLET.sub("", line))
            else:
                items[-1] += " " + line
        blocks.append(items)
    return blocks
