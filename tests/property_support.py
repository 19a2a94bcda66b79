"""What the Hypothesis property tests share (test_ops_properties.py, test_backward.py).

Hypothesis draws shapes and options; the data comes from a NumPy Generator seeded by a drawn
integer (much faster than drawing arrays element by element), and every test is derandomized,
so a run always checks the same examples.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Tuple, Union

import numpy as np
from hypothesis import settings

IntOrPair = Union[int, Tuple[int, int]]

# float64 against float64: only the order of the sums differs.
RTOL64, ATOL64 = 1e-10, 1e-12


def derandomized(max_examples: int) -> settings:
    # database=None: derandomized runs have nothing to replay, and nothing is written to .hypothesis/.
    return settings(max_examples=max_examples, deadline=None, derandomize=True, database=None)


def pair(value: IntOrPair) -> Tuple[int, int]:
    return (value, value) if isinstance(value, int) else tuple(value)


def rng_array(seed: int, shape, dtype=np.float64) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype, copy=False)


@dataclass(frozen=True)
class OptionsCase:
    """The geometry every drawn case has: input and kernel (h, w), padding, stride, dilation, a data seed.
    Subclasses add their channels, groups or batch (keyword construction, so field order is free)."""

    hw: Tuple[int, int]
    khw: Tuple[int, int]
    padding: IntOrPair
    stride: IntOrPair
    dilation: IntOrPair
    seed: int

    @property
    def options(self) -> Dict[str, IntOrPair]:
        return {"padding": self.padding, "stride": self.stride, "dilation": self.dilation}
