"""Student copies (`make student`): how they are made, that they are current, and that they run.

The unit tests build small notebooks in memory and are fast; only
``test_student_notebooks_execute`` starts a kernel per student copy.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
STUDENT = NOTEBOOKS / "student"
import make_student  # noqa: E402
from make_student import (  # noqa: E402
    STUB_RAISE,
    check_student_copies,
    student_notebook,
    write_student_copies,
)

STUDENT_COPIES = sorted(STUDENT.glob("[0-9][0-9]_*.ipynb"))
CHECK_CALL = re.compile(r"\bq\d+\s*\.\s*check\s*\(")
CELL_TIMEOUT_SECONDS = 600


def notebook(*cells) -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.cells = list(cells)
    return nb


def code(source: str, text: str | None = None, count: int | None = None) -> nbformat.NotebookNode:
    cell = new_code_cell(source, execution_count=count)
    if text is not None:
        cell.outputs = [new_output("stream", name="stdout", text=text)]
    return cell


def transformed_sources(*sources: str) -> list[str]:
    """Sources of the student copy's cells (after the note) for a notebook of code cells."""
    student = student_notebook(notebook(*(code(s) for s in sources)))
    return [cell.source for cell in student.cells[1:]]


# --------------------------------------------------------------------------- #
# Solution blocks
# --------------------------------------------------------------------------- #


def test_indented_block_becomes_comment_and_raise():
    source = (
        "def conv2d(image, kernel):\n"
        '    """Cross-correlate."""\n'
        "    # BEGIN SOLUTION\n"
        "    H, W = image.shape\n"
        "    return image\n"
        "    # END SOLUTION\n"
        "\n"
        "\n"
        "print('defined')"
    )
    assert transformed_sources(source) == [
        "def conv2d(image, kernel):\n"
        '    """Cross-correlate."""\n'
        "    # your code here\n"
        f"    {STUB_RAISE}\n"
        "\n"
        "\n"
        "print('defined')"
    ]


def test_indented_stub_raises_not_implemented():
    (source,) = transformed_sources("def f(x):\n    # BEGIN SOLUTION\n    return x\n    # END SOLUTION\n")
    namespace: dict = {}
    exec(source, namespace)
    with pytest.raises(NotImplementedError):
        namespace["f"](1)


def test_top_level_assignment_with_tuple_value():
    assert transformed_sources("# BEGIN SOLUTION\nanswer = (7, 7)\n# END SOLUTION\nprint(answer)") == [
        "answer = ...  # your code here\nprint(answer)"
    ]


def test_top_level_two_names_in_order_without_duplicates():
    source = (
        "# BEGIN SOLUTION\n"
        "height = 3\n"
        "width: int = 4\n"
        "height = height + 1\n"
        "for i in range(2):\n"
        "    inner = i\n"  # not a top-level assignment
        "# END SOLUTION\n"
    )
    assert transformed_sources(source) == ["height = ...  # your code here\nwidth = ...  # your code here\n"]


def test_top_level_tuple_target_gives_each_name():
    assert transformed_sources("# BEGIN SOLUTION\nh, w = 3, 4\nx = y = 0\n# END SOLUTION") == [
        "h = ...  # your code here\nw = ...  # your code here\nx = ...  # your code here\ny = ...  # your code here"
    ]


def test_top_level_block_without_assignment():
    assert transformed_sources("x = 1\n# BEGIN SOLUTION\nprint(x * 2)\n# END SOLUTION\n") == [
        "x = 1\n# your code here\n"
    ]


def test_several_blocks_in_one_cell_and_code_outside_kept_byte_for_byte():
    outside_1 = "import numpy as np  # keep   me\r\n\tweird = 'spacing'   \n"
    outside_2 = "\n\n# a comment mentioning BEGIN SOLUTION in passing\nmiddle = [1,\n          2]\n"
    outside_3 = "def g():\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION\n    # trailing comment\ntail = 'no newline'"
    source = outside_1 + "# BEGIN SOLUTION\na = 1\n# END SOLUTION\n" + outside_2 + \
        "  # BEGIN SOLUTION  \n  b = 2\n  # END SOLUTION\n" + outside_3
    (result,) = transformed_sources(source)
    expected = outside_1 + "a = ...  # your code here\n" + outside_2 + \
        f"  # your code here\n  {STUB_RAISE}\n" + \
        outside_3.replace("    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION\n",
                          f"    # your code here\n    {STUB_RAISE}\n")
    assert result == expected


def test_markers_are_matched_exactly():
    source = "#BEGIN SOLUTION\nx = 1\n# BEGIN SOLUTIONS\n# END SOLUTION here\n"
    assert transformed_sources(source) == [source]


@pytest.mark.parametrize(
    "source, problem",
    [
        ("x = 1\n# BEGIN SOLUTION\nx = 2\n", "unbalanced"),
        ("# END SOLUTION\n", "unbalanced"),
        ("# BEGIN SOLUTION\nx = 1\n# END SOLUTION\n# END SOLUTION\n", "unbalanced"),
        ("def f():\n    # BEGIN SOLUTION\n    # BEGIN SOLUTION\n    x = 1\n    # END SOLUTION\n    # END SOLUTION\n",
         "nested"),
        ("# BEGIN SOLUTION\n# END SOLUTION\n", "empty"),
        ("def f():\n    # BEGIN SOLUTION\n   \n    # END SOLUTION\n", "empty"),
    ],
    ids=["begin-unclosed", "end-alone", "end-twice", "nested", "empty", "blank-only"],
)
def test_bad_markers_raise_value_error_naming_the_cell(source, problem):
    nb = notebook(new_markdown_cell("# title"), code("x = 0"), code(source))
    with pytest.raises(ValueError, match=rf"cell 2\b.*{problem}"):
        student_notebook(nb)


def test_invalid_python_in_top_level_block_is_a_value_error():
    with pytest.raises(ValueError, match=r"cell 0\b.*not valid Python"):
        student_notebook(notebook(code("# BEGIN SOLUTION\nx = (\n# END SOLUTION\n")))


def test_markers_in_markdown_cells_are_left_alone():
    text = "Write your answer between\n# BEGIN SOLUTION\nand\n# BEGIN SOLUTION\n"
    student = student_notebook(notebook(new_markdown_cell(text)))
    assert student.cells[1].source == text


# --------------------------------------------------------------------------- #
# Outputs, note, links
# --------------------------------------------------------------------------- #


def test_exercise_and_check_cells_lose_outputs_others_keep_them():
    nb = notebook(
        code("print('setup')", text="setup\n", count=1),
        code("def f():\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION", text="", count=2),
        code("q1.check(f)", text="Correct!\n", count=3),
        code("q12 .hint(2)", text="a hint\n", count=4),
        code("q2.solution()", text="the solution\n", count=5),
        code("example.check(f)", text="feedback\n", count=6),
        code("print(f())", text="1\n", count=7),
    )
    student = student_notebook(nb)
    kept = [(c.execution_count, [o.text for o in c.outputs]) for c in student.cells[1:]]
    assert kept == [
        (1, ["setup\n"]), (None, []), (None, []), (None, []), (None, []), (6, ["feedback\n"]), (7, ["1\n"])
    ]
    # The instructor notebook itself is not modified.
    assert nb.cells[2].outputs[0].text == "Correct!\n" and nb.cells[2].execution_count == 3


def test_note_comes_first_and_names_the_lesson():
    student = student_notebook(notebook(new_markdown_cell("# 03 · Title")), lesson="03_conv_layers")
    note = student.cells[0]
    assert note.cell_type == "markdown"
    assert "notebooks/03_conv_layers.ipynb" in note.source and "make student" in note.source
    assert "# your code here" in note.source and ".hint()" in note.source and ".solution()" in note.source
    assert student.cells[1].source == "# 03 · Title"


def test_output_is_clean_and_deterministic():
    nb = notebook(new_markdown_cell("# t"), code("x = 1", text="", count=1))
    nb.cells[1].metadata["execution"] = {"iopub.execute_input": "2026-01-01"}
    student = student_notebook(nb)
    assert [c.id for c in student.cells] == ["cell-000", "cell-001", "cell-002"]
    assert "execution" not in student.cells[2].metadata
    assert nbformat.writes(student) == nbformat.writes(student_notebook(nb))
    nbformat.validate(student)


def test_links_leaving_notebooks_are_made_one_level_deeper():
    text = (
        "See [the README](../README.md), ![figure](../images/edges.png) and\n"
        '<img src="../images/kernel.png" width="200">, <a href=\'../LICENSE\'>licence</a>.\n'
        "Next: [lesson 01](01_convolution_maths.ipynb); [web](https://example.org/../x).\n"
        "\n"
        "[req]: ../requirements.txt\n"
    )
    student = student_notebook(notebook(new_markdown_cell(text)))
    assert student.cells[1].source == (
        "See [the README](../../README.md), ![figure](../../images/edges.png) and\n"
        '<img src="../../images/kernel.png" width="200">, <a href=\'../../LICENSE\'>licence</a>.\n'
        "Next: [lesson 01](01_convolution_maths.ipynb); [web](https://example.org/../x).\n"
        "\n"
        "[req]: ../../requirements.txt\n"
    )


def test_code_paths_leaving_notebooks_are_made_one_level_deeper():
    source = (
        "%matplotlib inline\n"
        'rows = version_rows("../requirements.txt")\n'
        "image = load(f'../images/{name}.png')  # from ../images\n"
        "other = 'data/../x', \"./local\"\n"
    )
    assert transformed_sources(source) == [
        "%matplotlib inline\n"
        'rows = version_rows("../../requirements.txt")\n'
        "image = load(f'../../images/{name}.png')  # from ../images\n"
        "other = 'data/../x', \"./local\"\n"
    ]


@pytest.mark.parametrize(
    "up, from_dir, to_dir, expected",
    [
        ("../", "notebooks", "notebooks/student", "../../"),
        ("../../", "notebooks/student", "my-work", "../"),
        ("../../", "notebooks/student", "class/alice", "../../"),
        ("../", "notebooks/student", "notebooks", ""),
        ("../", "notebooks/student", ".", "notebooks/"),
        ("../../", "notebooks", "notebooks/student", "../../../"),
    ],
)
def test_up_prefix_is_moved_to_reach_the_same_folder(tmp_path, up, from_dir, to_dir, expected):
    assert make_student.moved_up_prefix(up, tmp_path / from_dir, tmp_path / to_dir) == expected


def test_relocate_links_to_a_shallower_folder(tmp_path):
    nb = notebook(
        new_markdown_cell('![f](../../images/a.png) <img src="../../images/b.gif"> [next](01_b.ipynb)\n'
                          "[r]: ../../README.md"),
        code("%ls ../../images\npath = f'../../images/{name}.png'  # ../../images\nkeep = 'a/../b'"),
    )
    make_student.relocate_links(nb, tmp_path / "notebooks" / "student", tmp_path / "my-work")
    assert [cell.source for cell in nb.cells] == [
        '![f](../images/a.png) <img src="../images/b.gif"> [next](01_b.ipynb)\n[r]: ../README.md',
        "%ls ../../images\npath = f'../images/{name}.png'  # ../../images\nkeep = 'a/../b'",
    ]


def test_idempotent_on_its_own_output():
    nb = notebook(
        new_markdown_cell("# t\n\n[readme](../README.md)"),
        code('rows = version_rows("../requirements.txt")', text="table\n", count=1),
        code("def f():\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION", count=2),
        code("# BEGIN SOLUTION\nanswer = (7, 7)\n# END SOLUTION", count=3),
        code("q1.check(f)", text="ok\n", count=4),
    )
    once = student_notebook(nb, lesson="05_learning_a_kernel")
    assert student_notebook(once, lesson="05_learning_a_kernel") == once
    assert student_notebook(once) == once


# --------------------------------------------------------------------------- #
# The files in notebooks/student/
# --------------------------------------------------------------------------- #


def test_check_reports_missing_stale_and_orphaned(tmp_path):
    for name in ("00_a", "01_b", "02_c"):
        nbformat.write(notebook(new_markdown_cell(f"# {name}"), code("x = 1", text="", count=1)), tmp_path / f"{name}.ipynb")
    assert sorted(line.split()[0] for line in check_student_copies(notebooks=tmp_path)) == ["missing:"] * 3

    assert [line.split()[0] for line in write_student_copies(notebooks=tmp_path)] == ["wrote"] * 3
    assert check_student_copies(notebooks=tmp_path) == []
    assert make_student.main(["--check"], notebooks=tmp_path) == 0

    (tmp_path / "student" / "00_a.ipynb").unlink()
    nbformat.write(notebook(new_markdown_cell("# changed")), tmp_path / "01_b.ipynb")
    (tmp_path / "02_c.ipynb").rename(tmp_path / "03_d.ipynb")
    problems = check_student_copies(notebooks=tmp_path)
    assert [line.split()[:2] for line in problems] == [
        ["missing:", str(tmp_path / "student" / "00_a.ipynb")],
        ["stale:", str(tmp_path / "student" / "01_b.ipynb")],
        ["missing:", str(tmp_path / "student" / "03_d.ipynb")],
        ["orphaned:", str(tmp_path / "student" / "02_c.ipynb")],
    ]
    assert make_student.main(["--check"], notebooks=tmp_path) == 1
    assert make_student.main(["--check", "00_a"], notebooks=tmp_path) == 1
    assert len(check_student_copies(["03_d"], notebooks=tmp_path)) == 1

    assert make_student.main([], notebooks=tmp_path) == 0  # writes, and removes the orphan
    assert check_student_copies(notebooks=tmp_path) == []
    assert sorted(p.name for p in (tmp_path / "student").iterdir()) == ["00_a.ipynb", "01_b.ipynb", "03_d.ipynb"]


def test_student_copies_are_current():
    problems = check_student_copies()
    assert not problems, "student copies are out of date; run `make student`:\n" + "\n".join(problems)


def _output_text(cell: nbformat.NotebookNode) -> str:
    parts = []
    for output in cell.outputs:
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type in ("display_data", "execute_result"):
            for mime in ("text/plain", "text/markdown", "text/html"):
                value = output.get("data", {}).get(mime, "")
                parts.append(value if isinstance(value, str) else "".join(value))
    return "\n".join(parts)


# Defined only when there are student copies, so that without any there is no
# skipped placeholder test (test_student_copies_are_current still runs).
if STUDENT_COPIES:

    @pytest.mark.parametrize("path", STUDENT_COPIES, ids=lambda path: path.stem)
    def test_student_notebooks_execute(path):
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(
            nb,
            timeout=CELL_TIMEOUT_SECONDS,
            kernel_name="python3",
            resources={"metadata": {"path": str(STUDENT)}},
        )
        try:
            client.execute()
        except CellExecutionError as error:
            pytest.fail(f"{path.relative_to(ROOT)} fails to run as a learner would open it:\n{error}")
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and CHECK_CALL.search(cell.source):
                text = _output_text(cell)
                assert "not attempted" in text.lower(), (
                    f"{path.name} cell {index}: checking an untouched exercise should say it is not attempted; "
                    f"got {text!r}"
                )
