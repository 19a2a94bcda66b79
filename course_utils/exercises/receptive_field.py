"""Exercises of lesson 10 (receptive field): the recurrence in code, one stack by hand, small kernels versus big."""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..geometry import dilated_span
from ..receptive_field import receptive_field
from .answers import Count
from .diagnosis import real_array_or_mistake
from .problems import Case, CodingProblem, ThoughtProblem, ValueProblem, lesson_exercise, visible_then_hidden

LayerTuple = Tuple[int, int, int]


# Realistic wrong versions of the recurrence; each returns the list of sizes after every layer.
def _no_stride_multiplier(layers: Sequence[LayerTuple]) -> List[int]:
    r, sizes = 1, []
    for k, s, d in layers:
        r += (k - 1) * d
        sizes.append(r)
    return sizes


def _jump_after_stride(layers: Sequence[LayerTuple]) -> List[int]:
    r, j, sizes = 1, 1, []
    for k, s, d in layers:
        j *= s
        r += (k - 1) * d * j
        sizes.append(r)
    return sizes


def _no_dilation(layers: Sequence[LayerTuple]) -> List[int]:
    r, j, sizes = 1, 1, []
    for k, s, d in layers:
        r += (k - 1) * j
        j *= s
        sizes.append(r)
    return sizes


def _kernel_size_three(layers: Sequence[LayerTuple]) -> List[int]:
    return _reference([(3, s, d) for k, s, d in layers])


def _summed_kernel_sizes(layers: Sequence[LayerTuple]) -> List[int]:
    return [int(v) for v in np.cumsum([k for k, s, d in layers])]


def _summed_effective_sizes(layers: Sequence[LayerTuple]) -> List[int]:
    return [int(v) for v in np.cumsum([dilated_span(k, d) for k, s, d in layers])]


def _started_at_zero(layers: Sequence[LayerTuple]) -> List[int]:
    return [step.size - 1 for step in receptive_field(layers)]


def _jumps(layers: Sequence[LayerTuple]) -> List[int]:
    return [step.jump for step in receptive_field(layers)]


#: (wrong version, what it means); checked in this order, the first match is reported.
RECURRENCE_MISTAKES: List[Tuple[Callable[[Sequence[LayerTuple]], List[int]], str]] = [
    (_jumps,
     "those are the jumps (products of the strides), not the receptive-field sizes. Return r after each layer."),
    (_summed_kernel_sizes,
     "you added the kernel sizes. Neighbouring windows overlap, so each layer adds only k - 1 new pixels "
     "(times the dilation and the jump): two 3x3 layers see 5x5, not 6x6."),
    (_started_at_zero,
     "every size is one too small: start from r = 1 (before any layer, a unit sees one pixel), not r = 0."),
    (_no_stride_multiplier,
     "you forgot the stride multiplier. After a stride-2 layer, neighbouring units are 2 input pixels apart, "
     "so each later tap step moves 2 pixels: multiply (k - 1) * d by the jump j, the product of the strides "
     "of the layers before this one."),
    (_jump_after_stride,
     "you multiplied by the jump after this layer's stride. A layer's own stride only spaces out its outputs; "
     "its window is laid over units of the layer below, which are j_{L-1} apart. Update r first, then j."),
    (_no_dilation,
     "you left out the dilation. A dilated layer's taps are d units apart, so it adds (k - 1) * d * j pixels."),
    (_kernel_size_three,
     "those are the sizes for kernels of size 3 (the visible cases use only 3): take each layer's own kernel "
     "size k from its tuple (k, s, d)."),
]


def _reference(layers: Sequence[LayerTuple]) -> List[int]:
    return [step.size for step in receptive_field(layers)]


@lesson_exercise("10_receptive_field", 1)
class ReceptiveFieldRecurrenceProblem(CodingProblem):
    """``receptive_field_sizes(layers)``: the size after each (k, s, d) layer, by the recurrence.

    Hidden cases: 2x2 stacks, a ResNet-like stem (7, stride 2), conv/pool alternation, a 1x1 layer
    and unusual kernel/stride/dilation numbers, and a single layer. The result is a list (or 1-D
    array) of numbers; a generator, a single number or text is named in the message.
    """

    argument_names = ("layers",)
    function_name = "receptive_field_sizes"
    title = "the receptive-field recurrence"
    hints = [
        "Keep two numbers while you walk through the layers from the input: the field size r and the "
        "jump j (how many input pixels apart two neighbouring units of the current layer are). Both "
        "start at 1.",
        "A layer with kernel k and dilation d lays its window over units of the layer below, which are "
        "j apart: it widens the field by (k - 1) * d * j. Its stride s multiplies the jump for the "
        "layers that come after it.",
        "for k, s, d in layers: r = r + (k - 1) * d * j; j = j * s; sizes.append(r). "
        "The order matters: use j before you update it.",
    ]
    solution_text = """
        def receptive_field_sizes(layers):
            r, j, sizes = 1, 1, []
            for k, s, d in layers:
                r = r + (k - 1) * d * j   # this layer widens the field
                j = j * s                 # and spaces out the units for the next layer
                sizes.append(r)
            return sizes
    """

    def cases(self) -> List[Case]:
        visible = [
            [(3, 1, 1), (3, 1, 1), (3, 1, 1)],
            [(3, 2, 1), (3, 2, 1), (3, 2, 1)],
            [(3, 1, 1), (3, 1, 2), (3, 1, 4)],
        ]
        hidden = [
            [(2, 1, 1), (2, 1, 1)],  # the 2x2 stacks of the lesson
            [(7, 2, 1), (3, 2, 1), (3, 1, 1), (3, 1, 1)],  # a ResNet-like stem
            [(3, 1, 1), (2, 2, 1), (3, 1, 1), (2, 2, 1), (3, 1, 1)],  # conv / pool / conv / pool / conv
            [(5, 3, 2), (1, 1, 1), (4, 2, 3)],  # a 1x1 layer and unusual numbers
            [(3, 1, 1)],  # one layer
        ]
        return visible_then_hidden([(layers, f"layers = {layers}") for layers in visible],
                                   [(layers, f"layers = {layers}") for layers in hidden])

    def expected(self, case: Case) -> List[int]:
        return _reference(case.args[0])

    def compare(self, result: Any, expected: List[int], case: Case) -> Optional[str]:
        if isinstance(result, (int, float, np.number)) and not isinstance(result, (bool, np.bool_)):
            if np.isclose(result, expected[-1]):
                return (f"your function returned one number, {result!r}: the size after the last layer is right, "
                        f"but return a list with the size after every layer ({len(expected)} numbers).")
            return f"your function returned one number, {result!r}; return a list with one size per layer."
        got, problem = real_array_or_mistake(result, (len(expected),), return_line="return sizes",
                                             wanted=f"a list with one size per layer ({len(expected)} numbers)")
        if problem:
            return problem
        if got.ndim != 1:
            return f"your function returned an array of shape {got.shape}; return a flat list with one size per layer."
        if len(got) != len(expected):
            if len(got) == len(expected) + 1 and np.allclose(got[1:], expected):
                return "your list starts with r = 1 before the first layer; return only the sizes after each layer."
            return f"your list has {len(got)} entries but there are {len(expected)} layers: return one size per layer."
        if np.array_equal(got, expected):
            return None
        layers = case.args[0]
        for wrong, message in RECURRENCE_MISTAKES:
            if np.array_equal(got, wrong(layers)):
                return message
        i = int(np.flatnonzero(got != np.asarray(expected))[0])
        return (f"after layer {i + 1} the size is {got[i]:g} but should be {expected[i]}. "
                f"Check r = r + (k - 1) * d * j, with j the product of the strides of the earlier layers.")


#: The stack of exercise 2, as (k, s, d): 3x3 conv, 3x3 conv with stride 2, 2x2 max pool with stride 2,
#: 3x3 conv with dilation 2.
STACK_BY_HAND: List[LayerTuple] = [(3, 1, 1), (3, 2, 1), (2, 2, 1), (3, 1, 2)]


def _without_pooling(layers: Sequence[LayerTuple]) -> List[int]:
    """The stack with its pooling layer (k = 2, s = 2, the third) left out, as if pooling did not count."""
    return _reference([layer for index, layer in enumerate(layers) if index != 2])


def _stack_mistakes() -> List[Tuple[int, str]]:
    """(wrong answer, why) for the stack of exercise 2; slips that give the same number share one message."""
    messages: Dict[Callable, str] = {
        _no_stride_multiplier: "forgets the stride multiplier: after the stride-2 layers each step of a "
                               "later window moves 2, then 4 input pixels",
        _summed_kernel_sizes: "adds the kernel sizes; each layer adds only (k - 1) * d * j pixels",
        _summed_effective_sizes: "adds the dilated kernel sizes; each layer adds only (k - 1) * d * j pixels",
        _without_pooling: "leaves out the 2x2 pooling layer; it counts like a layer with k = 2, s = 2",
        _no_dilation: "leaves out the dilation 2 of the last layer",
        _started_at_zero: "is one too small: start from r = 1, a single pixel",
        _jump_after_stride: "multiplies by the jump after each layer's own stride; use the jump of the "
                            "layers before it",
    }
    by_value: Dict[int, List[str]] = {}
    for wrong, message in messages.items():
        by_value.setdefault(wrong(STACK_BY_HAND)[-1], []).append(message)
    return [(value, f"that {causes[0]}." if len(causes) == 1 else
             f"that is what {len(causes)} slips give: it " + ", or it ".join(causes) + ".")
            for value, causes in by_value.items()]


@lesson_exercise("10_receptive_field", 2)
class StackFieldProblem(ValueProblem):
    """The receptive field of conv 3x3, conv 3x3 stride 2, max pool 2x2 stride 2, conv 3x3 dilation 2: 23."""

    expected = _reference(STACK_BY_HAND)[-1]
    answer = Count("pixels")
    known_mistakes = _stack_mistakes()
    title = "the receptive field of a mixed stack"
    hints = [
        "Write a row per layer with k, s, d, then the field r and the jump j after it. Start from r = 1, "
        "j = 1.",
        "The pool counts like a layer with k = 2, s = 2. The jumps after the four layers are 1, 2, 4, 4.",
        "r grows by (k - 1) * d * j_before: 2 * 1 * 1, then 2 * 1 * 1, then 1 * 1 * 2, then 2 * 2 * 4.",
    ]
    solution_text = """
        # layer                    r = r + (k - 1) * d * j      j = j * s
        # 3x3 conv                 1 + 2 * 1 * 1 = 3            1
        # 3x3 conv, stride 2       3 + 2 * 1 * 1 = 5            2
        # 2x2 max pool, stride 2   5 + 1 * 1 * 2 = 7            4
        # 3x3 conv, dilation 2     7 + 2 * 2 * 4 = 23           4
        answer = 23
    """


@lesson_exercise("10_receptive_field", 3)
class SmallKernelsProblem(ThoughtProblem):
    """Why stack small kernels instead of using one big kernel with the same receptive field."""

    title = "two 3x3 layers or one 5x5 layer?"
    hints = [
        "Both choices give a 5x5 receptive field. Count the weights of each (one input and one output "
        "channel, then C channels in and out).",
        "What can you put between two layers that you cannot put inside one layer? And what do the "
        "two choices give up?",
    ]
    solution_text = """
        Both see a 5x5 patch: r = 1 + 2 + 2 = 5 for two 3x3 layers, r = 5 for one 5x5 layer.
        Weights: two 3x3 kernels hold 2 * 9 = 18 weights against 25 for one 5x5 kernel; with C channels
        in and out that is 18 C^2 against 25 C^2, 28% fewer (three 3x3 layers, field 7x7: 27 C^2
        against 49 C^2 for 7x7). The multiply-adds shrink in the same ratio.
        Expressiveness: a nonlinearity (ReLU) can sit between the two 3x3 layers, so the stack computes
        functions a single linear 5x5 filter cannot. Without it, two linear 3x3 layers are just one 5x5
        layer whose kernel is constrained (the convolution of two 3x3 kernels), so only the parameter
        saving would remain.
        The price: more layers to run one after the other, intermediate activations to store, and
        depth that is harder to train (which normalisation and residual connections ease). The
        gradient figure of the lesson also shows that a stack weights the centre of its field much
        more than the border (the effective receptive field is smaller than the nominal one), while a
        single 5x5 kernel can weight all 25 pixels equally.
    """
