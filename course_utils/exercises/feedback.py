"""How checker messages look: coloured boxes in Jupyter, plain text elsewhere."""
from __future__ import annotations

import html
from dataclasses import dataclass

# kind: (plain-text prefix, accent colour). Colours are paired with a word so the
# meaning never rests on colour alone.
_STYLES = {
    "correct": ("Correct", "#1a7f37"),
    "incorrect": ("Not yet", "#b35900"),
    "not_attempted": ("Not attempted yet", "#57606a"),
    "hint": ("Hint", "#0969da"),
    "solution": ("Solution", "#6f42c1"),
    "info": ("Note", "#57606a"),
}


@dataclass(frozen=True)
class Feedback:
    """One message to the learner: a kind, a title line and an optional body.

    Lines of the body that start with four spaces are shown as code.
    """

    kind: str
    title: str
    body: str = ""

    def __post_init__(self):
        if self.kind not in _STYLES:
            raise ValueError(f"kind must be one of {sorted(_STYLES)}; got {self.kind!r}")

    def __repr__(self) -> str:
        label = _STYLES[self.kind][0]
        text = f"{label}: {self.title}"
        return f"{text}\n{self.body.rstrip()}" if self.body.strip() else text

    __str__ = __repr__

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(repr(self))

    def _repr_html_(self) -> str:
        label, colour = _STYLES[self.kind]
        parts, code = [], []

        def flush_code():
            if code:
                parts.append("<pre style='margin:0.3em 0;'>" + html.escape("\n".join(code)) + "</pre>")
                code.clear()

        for line in self.body.rstrip().splitlines():
            if line.startswith("    "):
                code.append(line[4:])
            else:
                flush_code()
                if line.strip():
                    parts.append(f"<div>{html.escape(line)}</div>")
        flush_code()
        return (
            f"<div style='border-left:4px solid {colour};padding:0.2em 0.8em;margin:0.3em 0;'>"
            f"<b style='color:{colour};'>{label}:</b> {html.escape(self.title)}{''.join(parts)}</div>"
        )


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
