"""Every student copy runs top to bottom where MXNet has no build (checks say "not attempted")."""
from __future__ import annotations

import pytest

from without_mxnet import ROOT, assert_runs_without_mxnet

STUDENT_COPIES = sorted((ROOT / "notebooks" / "student").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("path", STUDENT_COPIES, ids=lambda p: p.stem)
def test_student_copy_runs_without_mxnet(path):
    assert_runs_without_mxnet(path)
