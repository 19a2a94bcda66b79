"""Exercise objects in the style of Kaggle's learntools: ``check()``, ``hint(n)``, ``solution()``.

Three kinds:

- :class:`CodingProblem`: the learner writes a function; ``check(fn)`` runs it on
  visible and hidden cases and compares with the reference in ``course_utils``.
- :class:`ValueProblem`: the learner computes a value; ``check(value)`` compares it.
- :class:`ThoughtProblem`: a question to think about; ``solution()`` shows a discussion.

Whatever the learner passes, ``check`` shows feedback and returns a :class:`CheckResult`, true
when the answer is right; it never raises, so a learner's mistake never turns into a traceback
from here.

A problem class sits next to its registration: ``@lesson_exercise("03_...", 1)`` above the class
makes it exercise 1 of that lesson, so adding a problem touches one place. A problem is declared,
not constructed: its text (``title``, ``hints``, ``solution_text``) and what it checks
(``function_name`` and ``argument_names``, or ``expected``, ``answer`` and ``known_mistakes``) are
class attributes, and only the checking logic is code.
"""
from __future__ import annotations

import copy
import textwrap
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..arrays import to_numpy
from .answers import NotThatKind
from .feedback import Feedback, show
from .safe_call import CallOutcome, call_with_time_limit

_MISSING = object()

#: lesson name -> {exercise number: problem class}, filled by :func:`lesson_exercise`.
REGISTRY: Dict[str, Dict[int, type]] = {}


def lesson_exercise(lesson: str, number: int):
    """Class decorator: register the problem as exercise ``number`` (q1 is 1) of ``lesson``."""
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise ValueError(f"number must be an int >= 1; got {number!r} for lesson {lesson!r}")

    def register(problem_class: type) -> type:
        taken = REGISTRY.setdefault(lesson, {})
        if number in taken and taken[number] is not problem_class:
            raise ValueError(f"exercise {number} of {lesson!r} is already {taken[number].__name__}; "
                             f"got {problem_class.__name__} too")
        taken[number] = problem_class
        return problem_class

    return register


class CheckResult:
    """What ``check()`` returns: true when the answer is right, false otherwise.

    It displays nothing itself (the feedback box is already shown), so a notebook cell ending in
    ``q1.check(...)`` gets no ``Out[n]: True`` line under the feedback, while tests and scripts
    can still write ``assert q1.check(answer)``.
    """

    __slots__ = ("passed", "feedback")

    def __init__(self, passed: bool, feedback: Feedback):
        self.passed = bool(passed)
        self.feedback = feedback

    def __bool__(self) -> bool:
        return self.passed

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, (bool, np.bool_, CheckResult)):
            return self.passed == bool(other)
        return NotImplemented

    __hash__ = None

    def __repr__(self) -> str:
        return f"CheckResult(passed={self.passed})"

    def _ipython_display_(self) -> None:
        """IPython calls this instead of printing ``Out[n]:``; the feedback was displayed already."""


class Problem:
    """Common behaviour: numbering, tiered hints, the solution, the not-attempted message.

    A subclass declares ``title``, ``hints`` and ``solution_text`` (plus its kind's attributes in
    ``declared``) as class attributes. A value that must be computed may be passed to the
    constructor by keyword instead, under the same name.
    """

    #: The class attributes a problem of this kind must declare.
    declared: Tuple[str, ...] = ("title", "hints", "solution_text")
    #: What the learner hands in, for the message when the checker cannot read it.
    answer_hint = "your answer"

    def __init__(self, **values: Any):
        unknown = sorted(set(values) - set(self.declared))
        if unknown:
            raise TypeError(f"{type(self).__name__} got unknown keyword(s) {unknown}; a problem declares "
                            f"{list(self.declared)}")
        for name, value in values.items():
            setattr(self, name, value)
        missing = [name for name in self.declared if not hasattr(self, name)]
        if missing:
            raise TypeError(f"{type(self).__name__} does not declare {missing}")
        if not self.hints:
            raise ValueError(f"hints must hold at least one hint; got {self.hints!r} for {self.title!r}")
        self.hints = [textwrap.dedent(h).strip() for h in self.hints]
        self.solution_text = textwrap.dedent(self.solution_text).strip("\n")
        self.number = 0  # set by exercises.bind

    @property
    def name(self) -> str:
        return f"q{self.number}" if self.number else "this exercise"

    def __repr__(self) -> str:
        return f"Exercise {self.number}: {self.title} (check with {self.name}.check(...), help with {self.name}.hint())"

    # -- learner-facing API ------------------------------------------------------------
    def check(self, answer: Any = _MISSING) -> CheckResult:
        """Check ``answer``; show friendly feedback and return a result that is true when it is right."""
        if answer is _MISSING:
            feedback = Feedback("info", f"pass your answer to the check, as in "
                                        f"`{self.name}.check({self._example_argument()})`.")
        elif answer is Ellipsis:
            feedback = self._not_attempted()
        else:
            try:
                feedback = self._check(answer)
            except Exception as error:  # noqa: BLE001 - the checker must never crash on learner input
                feedback = Feedback(
                    "incorrect",
                    f"the checker could not make sense of {self.answer_hint} ({type(error).__name__}: {error}).",
                    "Check that you passed what the exercise asks for.",
                )
        show(feedback)
        return CheckResult(feedback.kind == "correct", feedback)

    def hint(self, level: int = 1) -> None:
        """Show hint number ``level`` (1 is the gentlest)."""
        count = len(self.hints)
        if isinstance(level, bool) or not isinstance(level, (int, np.integer)) or level < 1:
            show(Feedback("info", f"hints are numbered 1 to {count}: try {self.name}.hint(1)."))
            return
        if level > count:
            show(Feedback("hint", f"({count} of {count}; there are only {count})", self.hints[-1]))
            return
        more = f"Next: `{self.name}.hint({level + 1})`." if level < count else f"Still stuck? `{self.name}.solution()`."
        show(Feedback("hint", f"({level} of {count})", self.hints[level - 1] + "\n\n" + more))

    def solution(self) -> None:
        """Show the reference solution: code exactly as it runs (indentation kept), or a model answer."""
        show(self._solution_feedback())

    def _solution_feedback(self) -> Feedback:
        return Feedback("solution", self.title, code=self.solution_text)

    # -- for subclasses ------------------------------------------------------------------
    def _example_argument(self) -> str:
        return "answer"

    def _not_attempted(self) -> Feedback:
        return Feedback(
            "not_attempted",
            f"write your answer where it says `# your code here`, run that cell, then run "
            f"`{self.name}.check(...)` again.",
            f"Need a start? `{self.name}.hint()`",
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


def visible_then_hidden(visible: Sequence[tuple], hidden: Sequence[tuple],
                        label: Optional[Callable[..., str]] = None) -> List[Case]:
    """One :class:`Case` per argument tuple, the ``visible`` ones first, then the ``hidden`` ones.

    ``label(*args)`` describes a case; without it, each tuple ends with its description.
    """
    if label is None:
        return [Case(args=tuple(entry[:-1]), label=entry[-1], hidden=is_hidden)
                for group, is_hidden in ((visible, False), (hidden, True)) for entry in group]
    return [Case(args=tuple(args), label=label(*args), hidden=is_hidden)
            for group, is_hidden in ((visible, False), (hidden, True)) for args in group]


class CodingProblem(Problem):
    """The learner writes a function; it is run on every case and compared with the reference.

    Subclasses provide :meth:`cases`, :meth:`expected` and :meth:`compare`, which
    returns ``None`` when the learner's result is right and otherwise a message
    that explains the most likely cause.
    """

    time_limit_seconds = 5.0
    declared = Problem.declared + ("function_name", "argument_names")
    answer_hint = "your function"

    def _example_argument(self) -> str:
        return self.function_name

    def cases(self) -> List[Case]:
        raise NotImplementedError

    def expected(self, case: Case) -> Any:
        raise NotImplementedError

    def compare(self, result: Any, expected: Any, case: Case) -> Optional[str]:
        raise NotImplementedError

    #: After the first wrong result, run the remaining cases too and hand every result to
    #: :meth:`diagnose_all`: some mistakes only the whole set of cases can tell apart. No case is
    #: ever run twice, and a time-out or an error ends the check at once.
    diagnose_across_cases = False

    def diagnose_all(self, cases: List[Case], results: List[Any]) -> Optional[str]:
        """A message naming the mistake every result agrees with, or None (see diagnose_across_cases)."""
        return None

    def _check(self, function: Any) -> Feedback:
        if function is None:
            return self._not_attempted()
        if not callable(function):
            return Feedback(
                "incorrect",
                f"{self.name} expects your function itself, as in `{self.name}.check({self.function_name})`; "
                f"got {type(function).__name__} {_short_repr(function)}.",
            )
        cases = self.cases()
        results: List[Any] = []
        first_wrong: Optional[Feedback] = None
        for case in cases:
            args = copy.deepcopy(case.args)
            before = copy.deepcopy(args)
            outcome = call_with_time_limit(function, args, self.time_limit_seconds)
            where = f"on {'a hidden case, ' if case.hidden else ''}{case.label}"
            stop = self._stopping_feedback(outcome, before, args, where)
            if stop is not None:
                return first_wrong or stop
            message = self.compare(outcome.value, self.expected(case), case)
            results.append(outcome.value)
            if message and first_wrong is None:
                first_wrong = Feedback("incorrect", f"{where[0].upper()}{where[1:]}: {message}")
                if not self.diagnose_across_cases:
                    return first_wrong
        if first_wrong is not None:
            across = self.diagnose_all(cases, results)
            return Feedback("incorrect", across) if across else first_wrong
        hidden = sum(case.hidden for case in cases)
        return Feedback(
            "correct",
            f"`{self.function_name}` gives the right result on all {len(cases) - hidden} visible "
            f"and {hidden} hidden cases.",
        )

    def _stopping_feedback(self, outcome: CallOutcome, before: tuple, after: tuple, where: str) -> Optional[Feedback]:
        """Feedback that ends the check before any comparison: time-out, not written yet, error, changed input."""
        if outcome.timed_out:
            return Feedback(
                "incorrect",
                f"`{self.function_name}` ran for more than {self.time_limit_seconds:g} s {where}.",
                "Is there a loop that never ends (a `while` whose condition never changes)?",
            )
        if outcome.not_implemented:
            return self._not_attempted()
        if outcome.error is not None:
            located = f" at {outcome.where}" if outcome.where else ""
            return Feedback(
                "incorrect",
                f"`{self.function_name}` raised {type(outcome.error).__name__} {where}{located}.",
                f"The error says: {outcome.error}",
            )
        changed = _changed_argument(before, after)
        if changed is not None:
            return Feedback(
                "incorrect",
                f"`{self.function_name}` changed its input `{self.argument_names[changed]}` {where}.",
                "Compute the result into a new array instead of writing into the input.",
            )
        return None


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

    ``answer`` is the kind of value (:mod:`.answers`: a :class:`~.answers.Count` compared exactly,
    a :class:`~.answers.Real` with a stated tolerance, a :class:`~.answers.Shape`).
    ``known_mistakes`` pairs a likely wrong answer with the message that explains it.
    """

    declared = Problem.declared + ("expected", "answer", "known_mistakes")
    known_mistakes: Sequence[Tuple[Any, str]] = ()

    @property
    def answer_hint(self) -> str:
        return f"your answer ({self.answer.what})"

    def _check(self, value: Any) -> Feedback:
        if value is None:
            return self._not_attempted()
        try:
            parsed = self.answer.parse(value)
        except NotThatKind as refusal:
            return Feedback("incorrect", f"{refusal}.")
        shown = self.answer.show(parsed)
        if self.answer.equal(parsed, self.expected):
            return Feedback("correct", f"{shown} is right.")
        for mistake, message in self.known_mistakes:
            if self.answer.equal(parsed, mistake):
                return Feedback("incorrect", f"{shown} is not right: {message}")
        remark = self.answer.remark(parsed)
        return Feedback("incorrect", f"{shown} is not right{': ' + remark if remark else '.'}",
                        f"Try `{self.name}.hint()` for a nudge.")


class ThoughtProblem(Problem):
    """A question without an automatic check; ``solution()`` shows a model discussion."""

    def check(self, answer: Any = _MISSING) -> CheckResult:
        feedback = Feedback(
            "info",
            f"{self.name} is a thought question with no automatic check.",
            f"Write your answer down, then compare it with `{self.name}.solution()`.",
        )
        show(feedback)
        return CheckResult(False, feedback)

    def _solution_feedback(self) -> Feedback:
        return Feedback("solution", self.title, self.solution_text)
