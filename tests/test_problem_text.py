"""course_utils.problem_text: the exercises' short Markdown split into paragraphs and bullet lists."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from course_utils.problem_text import INLINE_CODE, text_blocks


def test_paragraphs_flow_and_bullets_collect_their_continuation_lines():
    text = "  Compare `corr2d(X, K)`\nwith the loop.\n\n* first item\n  goes on\n- second\n\n\nLast words."
    assert text_blocks(text) == ["Compare `corr2d(X, K)` with the loop.", ["first item goes on", "second"],
                                 "Last words."]


def test_what_is_not_a_bullet_stays_text():
    # "*args" has no space after the star, and "0*3 + 1*2" is arithmetic: neither starts a list
    assert text_blocks("*args is a tuple") == ["*args is a tuple"]
    assert text_blocks("0*3 + 1*2 = 2") == ["0*3 + 1*2 = 2"]


@pytest.mark.parametrize("text", ["", "   ", "\n\n \n"])
def test_blank_text_has_no_blocks(text):
    assert text_blocks(text) == []


def test_inline_code_finds_the_code_between_backticks():
    assert INLINE_CODE.findall("use `np.pad` or `pad_spatial`, not ``") == ["np.pad", "pad_spatial"]


@pytest.mark.parametrize("value", [None, b"bytes", ["a list"]])
def test_text_that_is_no_str_is_refused_by_name(value):
    with pytest.raises(TypeError, match=rf"text must be a str; got {type(value).__name__}"):
        text_blocks(value)


WORD = st.text(alphabet="abcxyz0123`()=+", min_size=1, max_size=6)
LINE = st.lists(WORD, min_size=1, max_size=4).map(" ".join)
PARAGRAPH = st.lists(LINE, min_size=1, max_size=3)
BULLETS = st.lists(st.tuples(st.sampled_from("*-"), PARAGRAPH), min_size=1, max_size=3)


@given(st.lists(st.one_of(PARAGRAPH, BULLETS), min_size=1, max_size=4))
def test_the_blocks_written_are_the_blocks_read(blocks):
    written, expected = [], []
    for block in blocks:
        if isinstance(block[0], str):  # a paragraph: its lines
            written.append("\n".join(block))
            expected.append(" ".join(block))
        else:  # a list: (marker, lines of the item) per item, continuation lines indented
            written.append("\n".join(f"{marker} " + "\n  ".join(lines) for marker, lines in block))
            expected.append([" ".join(lines) for _, lines in block])
    assert text_blocks("\n\n".join(written)) == expected
