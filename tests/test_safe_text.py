"""Text made safe for a cell: forbidden XML characters removed, formula-like text recognised."""

from __future__ import annotations

import pytest

from pmo_xl.safe_text import MAX_CELL_CHARS, clean_text, is_formula_like, truncate_text


def test_plain_text_is_unchanged() -> None:
    assert clean_text("Lot 1 – Recette « été »") == ("Lot 1 – Recette « été »", False)


def test_tab_and_line_breaks_are_allowed() -> None:
    assert clean_text("a\tb\r\nc") == ("a\tb\r\nc", False)


def test_control_characters_are_removed() -> None:
    assert clean_text("\x00Lot\x0b 1\x1f") == ("Lot 1", True)


def test_non_characters_fffe_and_ffff_are_removed() -> None:
    assert clean_text("a\ufffeb\uffff") == ("ab", True)


def test_lone_surrogate_is_removed() -> None:
    assert clean_text("a\ud800b") == ("ab", True)


def test_surrogate_pair_becomes_the_character_it_encodes() -> None:
    # U+1F600 is the UTF-16 pair D83D DE00.
    assert clean_text("a\ud83d\ude00b") == ("a\U0001f600b", True)


def test_text_is_cut_to_excel_cell_limit() -> None:
    text, cut = truncate_text("x" * (MAX_CELL_CHARS + 5))
    assert (len(text), cut) == (32_767, True)


def test_text_at_the_limit_is_not_cut() -> None:
    assert truncate_text("x" * 32_767) == ("x" * 32_767, False)


@pytest.mark.parametrize(
    "text", ["=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1", "\n=1", "#REF!", " #n/a ", "#DIV/0!"]
)
def test_formula_or_error_like_text_is_recognised(text: str) -> None:
    assert is_formula_like(text)


@pytest.mark.parametrize("text", ["Lot 1", 'DDE("cmd")', "a=b", "#1 priorité", "", "'=1"])
def test_ordinary_text_is_not_formula_like(text: str) -> None:
    assert not is_formula_like(text)
