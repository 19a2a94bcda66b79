"""How checker messages look: boxes in Jupyter (light and dark themes), plain text elsewhere.

A message has a kind (correct, incorrect, ...), a one-line title, an optional body and optional
code. Title and body are short Markdown: `backticks` mark inline code, a blank line starts a new
paragraph. Code is shown exactly as it runs, indentation kept, in a highlighted block.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Optional

from ..problem_text import INLINE_CODE, text_blocks

# kind: (label, accent colour). The label always says in words what the colour says, and the
# accents are mid-tones that keep their contrast on JupyterLab's light and dark backgrounds.
_STYLES = {
    "correct": ("Correct", "#2da44e"),
    "incorrect": ("Not yet", "#d4761c"),
    "not_attempted": ("Not attempted yet", "#8c959f"),
    "hint": ("Hint", "#3c8ce7"),
    "solution": ("Solution", "#9a6ee6"),
    "info": ("Note", "#8c959f"),
}

# Inline code and code blocks carry their own background, so they read the same in either theme.
_INLINE_CODE = "background:rgba(127,127,127,0.18);padding:0 0.25em;border-radius:3px;font-size:0.95em;"
_CODE_BLOCK = ("background:#f6f8fa;color:#1f2328;padding:0.5em 0.8em;margin:0.4em 0;border-radius:4px;"
               "overflow-x:auto;line-height:1.35;font-size:0.95em;")



@dataclass(frozen=True)
class Feedback:
    """One message to the learner: a kind, a title line, an optional body and optional code."""

    kind: str
    title: str
    body: str = ""
    code: Optional[str] = None

    def __post_init__(self):
        if self.kind not in _STYLES:
            raise ValueError(f"kind must be one of {sorted(_STYLES)}; got {self.kind!r}")
        if self.code is not None and not isinstance(self.code, str):
            raise TypeError(f"code must be a str or None; got {type(self.code).__name__}")

    def __repr__(self) -> str:
        # plain text drops the backticks: they mark code for the HTML view, not for a terminal
        parts = [f"{_STYLES[self.kind][0]}: {plain_text(self.title)}"]
        if self.body.strip():
            parts.append(plain_text(self.body.strip()))
        if self.code is not None:
            parts.append(self.code.strip("\n"))
        return "\n".join(parts)

    __str__ = __repr__

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(repr(self))

    def _repr_html_(self) -> str:
        label, colour = _STYLES[self.kind]
        body = markdown_blocks(self.body)
        code = code_block_html(self.code) if self.code is not None else ""
        return (
            f"<div class='course-feedback course-feedback-{self.kind}' "
            f"style='border-left:4px solid {colour};padding:0.2em 0.8em;margin:0.3em 0;'>"
            f"<b style='color:{colour};'>{label}:</b> {markdown_inline(self.title)}{body}{code}</div>"
        )


def plain_text(text: str) -> str:
    """``text`` without the backticks that mark inline code."""
    return INLINE_CODE.sub(r"\1", text)


def markdown_inline(text: str) -> str:
    """Escape ``text`` for HTML and render `backticks` as code; line breaks flow, as in Markdown."""
    escaped = html.escape(" ".join(line.strip() for line in text.strip().splitlines()))
    return INLINE_CODE.sub(lambda m: f"<code style='{_INLINE_CODE}'>{m.group(1)}</code>", escaped)


def markdown_blocks(text: str) -> str:
    """Paragraphs (split at blank lines) and ``*``/``-`` bullet lists as HTML (structure: problem_text)."""
    parts = []
    for block in text_blocks(text):
        if isinstance(block, list):
            inner = "".join(f"<li>{markdown_inline(item)}</li>" for item in block)
            parts.append(f"<ul style='margin:0.3em 0;padding-left:1.4em;'>{inner}</ul>")
        else:
            parts.append(f"<div style='margin-top:0.3em;'>{markdown_inline(block)}</div>")
    return "".join(parts)


def code_block_html(code: str) -> str:
    """Python ``code`` as a highlighted block that keeps every space (copy it and it runs)."""
    source = code.strip("\n")
    try:
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import PythonLexer
    except ImportError:  # IPython brings Pygments, but plain-Python use must not depend on it
        inner = html.escape(source)
    else:
        # nowrap: only the highlighted spans, placed in our own <pre> with its own background
        inner = highlight(source, PythonLexer(), HtmlFormatter(nowrap=True, noclasses=True, style="default"))
    return f"<pre class='course-feedback-code' style='{_CODE_BLOCK}'><code>{inner.rstrip()}</code></pre>"


def show(feedback: Feedback) -> None:
    """Display in a notebook (rich output), print elsewhere."""
    try:
        from IPython import get_ipython
        from IPython.display import display

        if get_ipython() is not None:
            display(feedback)
            return
    except ImportError:
        pass
    print(repr(feedback))
