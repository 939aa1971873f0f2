"""Table 2 written as sentences: some reports give section 二 as prose instead of a table
("行政规范性文件：制发件数N件，废止件数N件，现行有效件数N件。行政许可…处理决定数量N项").
Each figure is read by its row word (规章, 行政规范性文件, 行政许可 …) and its column word
(制发, 废止, 现行有效, 处理决定, 收费金额) in the same sentence; nothing else is taken."""

from __future__ import annotations

import re

from etl.model import Value

_N = r"[:：]?\s*(\d[\d,]*(?:\.\d+)?)\s*"
_DOCS = re.compile(
    r"(?P<row>规章|行政规范性文件|规范性文件)[^。；;]{0,16}?"
    r"(?:本年)?制发(?:件数)?" + _N + r"件[，,、；;\s]*"
    r"(?:本年)?废止(?:件数)?" + _N + r"件[，,、；;\s]*"
    r"现行有效(?:件数)?" + _N + r"件"
)
_DECISIONS = re.compile(
    r"(?P<row>行政许可|行政处罚|行政强制)[^。；;\d]{0,20}?处理决定(?:数量|数)?" + _N + r"(?:项|件|个)?"
)
_FEES = re.compile(r"行政事业性收费[^。；;\d]{0,20}?收费金额[^。；;\d]{0,12}?" + _N + r"万元")
_KEY = {"规章": "regulations", "行政规范性文件": "normative", "规范性文件": "normative"}
_DEC = {"行政许可": "licensing", "行政处罚": "punishment", "行政强制": "coercion"}


def _num(s: str) -> int | float:
    s = s.replace(",", "")
    return float(s) if "." in s else int(s)


def t2_from_prose(lines: tuple[str, ...], start: int, end: int) -> dict[str, Value]:
    """T2 keys -> values read from the sentences of lines[start-1 : end-1] (1-based lines)."""
    out: dict[str, Value] = {}
    for n in range(start, min(end, len(lines) + 1)):
        line = lines[n - 1]
        loc = f"L{n}"
        for m in _DOCS.finditer(line):
            key = _KEY[m.group("row")]
            for col, g in (("issued", 2), ("repealed", 3), ("valid", 4)):
                out.setdefault(f"{key}_{col}", Value(_num(m.group(g)), m.group(g), loc))
        for m in _DECISIONS.finditer(line):
            out.setdefault(f"{_DEC[m.group('row')]}_decisions", Value(_num(m.group(2)), m.group(2), loc))
        for m in _FEES.finditer(line):
            out.setdefault("fees_wan", Value(_num(m.group(1)), m.group(1), loc))
    return out
