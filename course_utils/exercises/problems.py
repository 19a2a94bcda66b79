"""Exercise objects in the style of Kaggle's learntools: ``check()``, ``hint(n)``, ``solution()``.

Three kinds:

- :class:`CodingProblem`: the learner writes a function; ``check(fn)`` runs it on
  visible and hidden cases and compares with the reference in ``course_utils``.
- :class:`ValueProblem`: the learner computes a value; ``check(value)`` compares it.
- :class:`ThoughtProblem`: a question to think about; ``solution()`` shows a discussion.

Whatever the learner passes, ``check`` prints feedback and returns True or False;
it never raises, so a learner's mistake never turns into a traceback from here.
"""
from __future__ import annotations

import copy
import textwrap
from dataclasses import dataclass, field
from typing import Any, Callable, List, Optional, Sequence, Tuple

import numpy as np

from ..arrays import to_numpy
from .feedback import Feedback, show
from .safe_call import call_with_time_limit

_MISSING = object()


class Problem:
    """Common behaviour: numbering, tiered hints, the solution, the not-attempted message."""

    def __init__(self, title: str, hints: Sequence[str], solution: str, answer_hint: str):
        if not hints:
            raise ValueError(f"hints must hold at least one hint; got {hints!r} for {title!r}")
        self.title = title
        self.hints = [textwrap.dedent(h).strip() for h in hints]
        self.solution_text = textwrap.dedent(solution).strip("\n")
        self.answer_hint = answer_hint  # e.g. "your function" / "your value"
        self.number = 0  # set by exercises.bind

    @property
    def name(self) -> str:
        return f"q{self.number}" if self.number else "this exercise"

    def __repr__(self) -> str:
        return f"Exercise {self.number}: {self.title} (check with {self.name}.check(...), help with {self.name}.hint())"

    # -- learner-facing API ------------------------------------------------------------
    def check(self, answer: Any = _MISSING) -> bool:
        """Check ``answer``; print friendly feedback and return whether it is right."""
        if answer is _MISSING:
            show(Feedback("info", f"pass your answer to the check, as in {self.name}.check({self._example_argument()})."))
            return False
        if answer is Ellipsis:
            show(self._not_attempted())
            return False
        try:
            feedback = self._check(answer)
        except Exception as error:  # noqa: BLE001 - the checker must never crash on learner input
            feedback = Feedback(
                "incorrect",
                f"the checker could not make sense of {self.answer_hint} ({type(error).__name__}: {error}).",
                "Check that you passed what the exercise asks for.",
            )
        show(feedback)
        return feedback.kind == "correct"

    def hint(self, level: int = 1) -> None:
        """Show hint number ``level`` (1 is the gentlest)."""
        count = len(self.hints)
        if isinstance(level, bool) or not isinstance(level, (int, np.integer)) or level < 1:
            show(Feedback("info", f"hints are numbered 1 to {count}: try {self.name}.hint(1)."))
            return
        if level > count:
            show(Feedback("hint", f"({count} of {count}; there are only {count})", self.hints[-1]))
            return
        more = f" Next: {self.name}.hint({level + 1})." if level < count else f" Still stuck? {self.name}.solution()."
        show(Feedback("hint", f"({level} of {count})", self.hints[level - 1] + "\n" + more.strip()))

    def solution(self) -> None:
        """Show the reference solution."""
        show(Feedback("solution", self.title, self.solution_text))

    # -- for subclasses ------------------------------------------------------------------
    def _example_argument(self) -> str:
        return "answer"

    def _not_attempted(self) -> Feedback:
        return Feedback(
            "not_attempted",
            f"{self.name} is not attempted yet.",
            f"Write your answer where it says `# your code here`, run that cell, then run {self.name}.check(...) "
            f"again. Need a start? {self.name}.hint()",
        )

    def _check(self, answer: Any) -> Feedback:
        raise NotImplementedError


@dataclass
class Case:
    """One input for a coding problem. ``args`` are deep-copied for every call."""

    args: Tuple[Any, ...]
    label: str
    hidden: bool = False
    extra: dict = field(default_factory=dict)


class CodingProblem(Problem):
    """The learner writes a function; it is run on every case and compared with the reference.

    Subclasses provide :meth:`cases`, :meth:`expected` and :meth:`compare`, which
    returns ``None`` when the learner's result is right and otherwise a message
    that explains the most likely cause.
    """

    time_limit_seconds = 5.0

    def __init__(self, function_name: str, argument_names: Sequence[str], **kwargs):
        super().__init__(answer_hint="your function", **kwargs)
        self.function_name = function_name
        self.argument_names = tuple(argument_names)

    def _example_argument(self) -> str:
        return self.function_name

    def cases(self) -> List[Case]:
        raise NotImplementedError

    def expected(self, case: Case) -> Any:
        raise NotImplementedError

    def compare(self, result: Any, expected: Any, case: Case) -> Optional[str]:
        raise NotImplementedError

    def _check(self, function: Any) -> Feedback:
        if function is None:
            return self._not_attempted()
        if not callable(function):
            return Feedback(
                "incorrect",
                f"{self.name} expects your function itself, as in {self.name}.check({self.function_name}); "
                f"got {type(function).__name__} {_short_repr(function)}.",
            )
        cases = self.cases()
        for case in cases:
            args = copy.deepcopy(case.args)
            before = copy.deepcopy(args)
            outcome = call_with_time_limit(function, args, self.time_limit_seconds)
            where = f"on {'a hidden case, ' if case.hidden else ''}{case.label}"
            if outcome.timed_out:
                return Feedback(
                    "incorrect",
                    f"{self.function_name} ran for more than {self.time_limit_seconds:g} s {where}.",
                    "Is there a loop that never ends (a `while` whose condition never changes)?",
                )
            if outcome.not_implemented:
                return self._not_attempted()
            if outcome.error is not None:
                located = f" at {outcome.where}" if outcome.where else ""
                return Feedback(
                    "incorrect",
                    f"{self.function_name} raised {type(outcome.error).__name__} {where}{located}.",
                    f"The error says: {outcome.error}",
                )
            changed = _changed_argument(before, args)
            if changed is not None:
                return Feedback(
                    "incorrect",
                    f"{self.function_name} changed its input `{self.argument_names[changed]}` {where}.",
                    "Compute the result into a new array instead of writing into the input.",
                )
            message = self.compare(outcome.value, self.expected(case), case)
            if message:
                return Feedback("incorrect", f"{where[0].upper()}{where[1:]}: {message}")
        hidden = sum(case.hidden for case in cases)
        return Feedback(
            "correct",
            f"{self.function_name} gives the right result on all {len(cases) - hidden} visible "
            f"and {hidden} hidden cases.",
        )


def _short_repr(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _changed_argument(before: tuple, after: tuple) -> Optional[int]:
    """Index of the first argument the learner's function modified, if any."""
    for index, (old, new) in enumerate(zip(before, after)):
        try:
            old_array, new_array = to_numpy(old), to_numpy(new)
        except TypeError:
            continue
        if old_array.shape != new_array.shape or not np.array_equal(old_array, new_array, equal_nan=True):
            return index
    return None


class ValueProblem(Problem):
    """The learner computes a value; it is compared with the expected one.

    ``known_mistakes`` maps a likely wrong answer (after ``normalise``) to the
    message that explains it.
    """

    def __init__(
        self,
        expected: Any,
        *,
        normalise: Callable[[Any], Any] = lambda value: value,
        known_mistakes: Sequence[Tuple[Any, str]] = (),
        what: str = "value",
        **kwargs,
    ):
        super().__init__(answer_hint=f"your {what}", **kwargs)
        self.expected = expected
        self.normalise = normalise
        self.known_mistakes = list(known_mistakes)
        self.what = what

    def _check(self, answer: Any) -> Feedback:
        if answer is None:
            return self._not_attempted()
        try:
            value = self.normalise(answer)
        except (TypeError, ValueError) as error:
            return Feedback("incorrect", f"{self.name} expects a {self.what}: {error}.")
        if _values_equal(value, self.expected):
            return Feedback("correct", f"{value!r} is right.")
        for mistake, message in self.known_mistakes:
            if _values_equal(value, mistake):
                return Feedback("incorrect", f"{value!r} is not right: {message}")
        return Feedback("incorrect", f"{value!r} is not right.", f"Try {self.name}.hint() for a nudge.")


def _values_equal(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float, np.number)) and isinstance(b, (int, float, np.number)):
        return bool(np.isclose(a, b))
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_values_equal(x, y) for x, y in zip(a, b))
    return a == b


class ThoughtProblem(Problem):
    """A question without an automatic check; ``solution()`` shows a model discussion."""

    def __init__(self, **kwargs):
        super().__init__(answer_hint="your answer", **kwargs)

    def check(self, answer: Any = _MISSING) -> bool:
        show(
            Feedback(
                "info",
                f"{self.name} is a thought question with no automatic check.",
                f"Write your answer down, then compare it with {self.name}.solution().",
            )
        )
        return False
