"""course_utils.frameworks: availability, the %%needs guard, agreement checks, built-in convolutions."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import course_utils as cu
from course_utils import frameworks

BLOCKED_MXNET = Path(__file__).resolve().parent / "blocked_mxnet"


def test_libraries_on_this_machine():
    assert frameworks.available("NumPy") and frameworks.available("torch") and frameworks.available("JAX")
    assert frameworks.present()[0] == "NumPy"


@pytest.mark.parametrize("bad, error, message", [
    ("Keras", ValueError, "library must be one of NumPy, MXNet, PyTorch, JAX; got 'Keras'"),
    (3, TypeError, "library must be a str such as 'MXNet'; got int 3"),
])
def test_unknown_library_is_named(bad, error, message):
    with pytest.raises(error, match=message):
        frameworks.available(bad)


def test_compare_prints_each_difference_and_names_what_it_compared(capsys):
    ref = np.array([[1.0, 2.0]])
    cu.compare(ref, {"PyTorch": torch.tensor([[1.0, 2.0]]), "JAX": lambda: np.array([[1.0, 2.5]])},
               tolerance=1.0, reference_name="NumPy")
    assert capsys.readouterr().out == ("PyTorch  max |diff| = 0.0e+00\nJAX      max |diff| = 5.0e-01\n"
                                       "compared with NumPy: PyTorch, JAX\n")


def test_compare_fails_beyond_the_tolerance_and_on_shape():
    with pytest.raises(AssertionError, match=r"JAX differs from NumPy by 0.5 > 0.1"):
        cu.compare(np.zeros(2), {"JAX": np.array([0.0, 0.5])}, tolerance=0.1, reference_name="NumPy")
    with pytest.raises(AssertionError, match=r"PyTorch: result has shape \(3,\), the reference \(2,\)"):
        cu.compare(np.zeros(2), {"PyTorch": np.zeros(3)})
    with pytest.raises(ValueError, match="tolerance must be a number >= 0; got -1"):
        cu.compare(np.zeros(2), {"JAX": np.zeros(2)}, tolerance=-1)
    with pytest.raises(TypeError, match="results must be a non-empty mapping"):
        cu.compare(np.zeros(2), {})


def test_compare_skips_an_absent_library_without_calling_it(monkeypatch, capsys):
    monkeypatch.setitem(frameworks._available, "MXNet", False)

    def never_called():
        raise AssertionError("the result of an absent library must not be computed")

    cu.compare(np.ones(1), {"MXNet Gluon": never_called, "PyTorch": np.ones(1)}, reference_name="NumPy")
    out = capsys.readouterr().out
    assert out.endswith("compared with NumPy: PyTorch (MXNet Gluon: not installed here)\n")
    assert "MXNet is not available here" in frameworks.missing_note("mxnet")


def test_available_results_computes_only_the_libraries_present(monkeypatch):
    monkeypatch.setitem(frameworks._available, "MXNet", False)

    def never_called():
        raise AssertionError("the result of an absent library must not be computed")

    results = frameworks.available_results({"MXNet Gluon": never_called, "PyTorch": lambda: (2, 2),
                                            "JAX (NHWC)": np.zeros(1), "formula": lambda: 3})
    assert list(results) == ["PyTorch", "JAX (NHWC)", "formula"]
    assert results["PyTorch"] == (2, 2) and results["formula"] == 3
    monkeypatch.setitem(frameworks._available, "MXNet", True)
    assert list(frameworks.available_results({"MXNet": lambda: 1, "JAX": 2})) == ["MXNet", "JAX"]
    with pytest.raises(TypeError, match=r"results must be a non-empty mapping of name -> result; got \[1\]"):
        frameworks.available_results([1])


@pytest.mark.parametrize("options", [{}, {"padding": 1}, {"stride": 2}, {"padding": (2, 1), "stride": (1, 2)},
                                     {"dilation": 2, "padding": 1}])
@pytest.mark.parametrize("library", frameworks.FRAMEWORKS)
def test_builtin_convolutions_agree_with_corr2d(library, options):
    rng = np.random.default_rng(0)
    X, K = rng.standard_normal((7, 8)), rng.standard_normal((3, 2))
    expected = cu.corr2d(X, K, **options)
    got = frameworks.corr2d_builtin(library, X, K, **options)
    assert got.shape == expected.shape and np.allclose(got, expected, atol=1e-5)


def test_builtin_refuses_bad_input():
    with pytest.raises(ValueError, match=r"X and K must be 2-D; got X of shape \(2, 3, 3\) and K of shape \(2, 2\)"):
        frameworks.corr2d_builtin("PyTorch", np.zeros((2, 3, 3)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="library must be one of MXNet, PyTorch, JAX"):
        frameworks.corr2d_builtin("NumPy", np.zeros((3, 3)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="stride"):
        frameworks.corr2d_builtin("JAX", np.zeros((3, 3)), np.zeros((2, 2)), stride=0)


NEEDS_CELLS = [
    "import numpy as np\nimport course_utils as cu",
    "%%needs mxnet\nfrom mxnet import np as mnp\nY_mxnet = mnp.array([1.0, 2.0]) * 2\nY_mxnet.asnumpy()",
    "%%needs mxnet\nvalue = 3\nvalue;",
    "cu.compare(np.array([2.0, 4.0]), {'MXNet': lambda: Y_mxnet, 'NumPy': np.array([2.0, 4.0])}, reference_name='x')",
]


def run_in_kernel(cells, *, blocked: bool):
    """Outputs of ``cells`` run in a fresh kernel, optionally on a 'machine' without MXNet."""
    script = (
        "import json, sys, nbformat, nbclient\n"
        "nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in json.loads(sys.argv[1])])\n"
        "nbclient.NotebookClient(nb, timeout=120, kernel_name='python3').execute()\n"
        "print(json.dumps([[dict(o) for o in c.outputs] for c in nb.cells]))\n"
    )
    env = dict(os.environ)
    if blocked:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(BLOCKED_MXNET), env.get("PYTHONPATH", "")]))
    import json

    done = subprocess.run([sys.executable, "-c", script, json.dumps(cells)], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


def test_needs_runs_the_cell_where_mxnet_is_installed():
    outputs = run_in_kernel(NEEDS_CELLS, blocked=False)
    assert outputs[1][0]["output_type"] == "execute_result"
    assert outputs[1][0]["data"]["text/plain"] == "array([2., 4.], dtype=float32)"
    assert outputs[2] == []  # a trailing ; hides the value, as in any cell
    assert outputs[3][0]["text"].endswith("compared with x: MXNet, NumPy\n")


def test_needs_skips_the_cell_with_one_line_where_mxnet_is_missing():
    outputs = run_in_kernel(NEEDS_CELLS, blocked=True)
    for skipped in (outputs[1], outputs[2]):
        assert len(skipped) == 1 and skipped[0]["output_type"] == "stream"
        assert skipped[0]["text"].startswith("MXNet is not available here")
        assert skipped[0]["text"].count("\n") == 1
    assert outputs[3][0]["text"].endswith("compared with x: NumPy (MXNet: not installed here)\n")
