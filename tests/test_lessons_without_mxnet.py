"""Every lesson runs top to bottom where MXNet has no build, printing one skip note per MXNet cell."""
from __future__ import annotations

import pytest

from without_mxnet import ROOT, assert_runs_without_mxnet

LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lesson_runs_without_mxnet(path):
    assert_runs_without_mxnet(path)
