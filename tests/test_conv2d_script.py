"""python -m course_utils.conv2d: shapes printed, figure written, one-line errors with exit status 2."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from course_utils.conv2d_command import main, parse_kernel, read_image


def test_runs_as_a_module_and_writes_the_figure(tmp_path):
    out = tmp_path / "out.png"
    result = subprocess.run([sys.executable, "-m", "course_utils.conv2d", "--image", "cat", "--kernel", "sobel-x",
                             "--stride", "2", "--padding", "1", "--dilation", "1", "-o", str(out)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "input  300x451" in result.stdout and "output 150x226" in result.stdout
    with Image.open(out) as image:
        assert image.size[0] > 800


def test_numbers_kernel_dilation_and_an_image_file(tmp_path, capsys):
    photo = tmp_path / "photo.png"
    Image.fromarray((np.arange(20 * 30) % 256).reshape(20, 30).astype(np.uint8)).save(photo)
    assert main(["--image", str(photo), "--kernel", "1 0 -1; 2 0 -2", "--dilation", "2", "-o",
                 str(tmp_path / "f.png")]) == 0
    printed = capsys.readouterr().out
    assert "input  20x30" in printed and "kernel 2x3" in printed and "output 18x26" in printed


@pytest.mark.parametrize("arguments, message", [
    (["--stride", "0"], "--stride must be >= 1; got 0"),
    (["--padding", "-1"], "--padding must be >= 0; got -1"),
    (["--dilation", "0"], "--dilation must be >= 1; got 0"),
    (["--stride", "two"], "argument --stride: invalid int value: 'two'"),
    (["--kernel", "blurry"], "--kernel must be a preset (identity, box-blur"),
    (["--kernel", "1 2; 3"], "--kernel rows must all have the same number of entries"),
    (["--kernel", "1 nan"], "--kernel entries must be finite numbers"),
    (["--image", "no-such-file.png"], "--image must be one of astronaut, camera, cat, coins or an image file"),
    (["--kernel", "1", "--image", "coins", "--padding", "0", "--dilation", "1", "--stride", "1", "--bogus"],
     "unrecognized arguments: --bogus"),
    (["--image", "coins", "--kernel", ";".join([",".join(["1"] * 400)] * 2)], "is larger than the input"),
])
def test_bad_arguments_give_one_line_and_status_2(arguments, message, capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        main(arguments + ["-o", str(tmp_path / "x.png")])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and message in error, error


def test_not_an_image_file(tmp_path, capsys):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(SystemExit):
        main(["--image", str(text), "-o", str(tmp_path / "x.png")])
    assert "could not be read as an image" in capsys.readouterr().err


def test_unwritable_output(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--image", "coins", "-o", str(tmp_path / "missing" / "dir" / "x.png")])
    assert exit_info.value.code == 2 and "cannot write -o" in capsys.readouterr().err


def test_help_lists_every_option(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for option in ("--image", "--kernel", "--stride", "--padding", "--dilation", "--output"):
        assert option in text


def test_parse_kernel_and_read_image_helpers():
    assert parse_kernel("Sobel_Y").shape == (3, 3)
    assert read_image("camera").shape == (512, 512)
