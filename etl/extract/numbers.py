"""Reading one printed cell: integers, decimals, full-width digits, thousands separators,
units after the number, stray spaces; "/", "—", "-", "无" and blanks are NULL, never 0."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from etl.read.textnorm import to_halfwidth

NULL_MARKERS = frozenset(
    {"", "/", "\\", "-", "--", "—", "——", "–", "─", "无", "空", "null", "NULL", "N/A", "n/a", "×", "x", "X"}
)
_UNITS = "件|条|个|项|篇|次|宗|人次|万元|元|家|份|期"
_NUMBER = re.compile(
    rf"^(?P<sign>[增减+\-−]?)(?P<num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)(?P<unit>{_UNITS})?$"
)


@dataclass(frozen=True)
class CellValue:
    kind: str  # "number", "null" or "text"
    value: int | float | None


def _squeeze(raw: str) -> str:
    s = to_halfwidth(raw)
    s = s.replace("，", ",")
    return "".join(s.split())


@functools.lru_cache(maxsize=8192)  # tables repeat the same few cells ("0", "/") thousands of times
def parse_cell(raw: str) -> CellValue:
    """Classify a cell's text. A number keeps its type: int unless a decimal part is printed."""
    s = _squeeze(raw)
    if s in NULL_MARKERS:
        return CellValue("null", None)
    m = _NUMBER.match(s)
    if not m:
        return CellValue("text", None)
    num = m.group("num").replace(",", "")
    value: int | float = float(num) if "." in num else int(num)
    if m.group("sign") in ("减", "-", "−"):
        value = -value
    return CellValue("number", value)


def is_value_text(raw: str) -> bool:
    return parse_cell(raw).kind != "text"


_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def chinese_number(s: str) -> int | None:
    """Small Chinese numerals as written in prose (十二, 一百零五); None when not one."""
    if not s:
        return None
    if s.isdigit():
        return int(s)
    total, section, digit = 0, 0, 0
    units = {"十": 10, "百": 100, "千": 1000}
    for ch in s:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in units:
            section += (digit or 1) * units[ch]
            digit = 0
        elif ch == "万":
            total += (section + digit) * 10000
            section, digit = 0, 0
        else:
            return None
    return total + section + digit
