"""Cell values: numbers in every printed form; blanks and dashes are NULL, never 0."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.extract.numbers import chinese_number, parse_cell

FULLWIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


@pytest.mark.parametrize(
    "raw", ["", " ", "/", "／", "—", "——", "-", "无", "\u3000", "&nbsp;".replace("&nbsp;", "\xa0")]
)
def test_blanks_are_null(raw):
    cell = parse_cell(raw)
    assert cell.kind == "null" and cell.value is None


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("3件", 3),
        (" 0", 0),
        ("1,234", 1234),
        ("7,730.28", 7730.28),
        ("１２", 12),
        ("0.5", 0.5),
        ("251000元", 251000),
        ("减11", -11),
        ("增 5", 5),
        ("1 234", 1234),
        ("14,722.49", 14722.49),
    ],
)
def test_printed_forms(raw, value):
    got = parse_cell(raw)
    assert got.kind == "number" and got.value == value and type(got.value) is type(value)


@pytest.mark.parametrize("raw", ["1.属于国家秘密", "2.", "第二十条", "总计", "1、", "12a", "1.2.3"])
def test_labels_are_not_numbers(raw):
    assert parse_cell(raw).kind == "text"


@given(
    st.integers(min_value=0, max_value=10**12),
    st.booleans(),
    st.booleans(),
    st.sampled_from(["", "件", "条", "万元"]),
    st.booleans(),
)
def test_integers_round_trip(n, thousands, fullwidth, unit, spaces):
    s = f"{n:,}" if thousands else str(n)
    if fullwidth:
        s = s.translate(FULLWIDTH)
    s = s + unit
    if spaces:
        s = f"  {s} "
    got = parse_cell(s)
    assert got.kind == "number" and got.value == n and isinstance(got.value, int)


@given(st.decimals(min_value=0, max_value=10**8, places=2, allow_nan=False, allow_infinity=False))
def test_decimals_round_trip(d):
    s = f"{d:.2f}"
    got = parse_cell(s)
    assert got.kind == "number" and abs(got.value - float(d)) < 1e-6


@given(st.text(alphabet="政府信息公开申请予以不掌握结果（）、", min_size=1, max_size=12))
def test_chinese_text_is_never_a_number(s):
    assert parse_cell(s).value is None


def test_chinese_numerals():
    assert chinese_number("十二") == 12
    assert chinese_number("一百零五") == 105
    assert chinese_number("两千") == 2000
    assert chinese_number("七") == 7
    assert chinese_number("政府") is None
