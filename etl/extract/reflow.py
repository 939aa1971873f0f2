"""Pages whose whole body came out as one line (a crawler's text dump, a flattened page): the
line is cut again where a reader sees breaks — after a sentence, before a section heading and
after its title, before a sub-head or a table row's numbering — so that sections, tables and
prose are found as in any other text. Each new line keeps the number of the line it came from."""

from __future__ import annotations

import re

LONG_LINE = 300  # a printed paragraph is rarely longer; a page body on one line always is

_SECTION = re.compile(
    r"([一二三四五六])\s*[、.．]\s*(总体情况|主动公开政府信息(?:的)?情况|收到和处理政府信息公开申请(?:的)?情况"
    r"|(?:政府信息公开)?行政复议[、和及与或]?行政诉讼(?:的)?情况"
    r"|(?:政府信息公开)?(?:工作)?存在的?主要问题及改进(?:情况|措施)"
    r"|其[他它]需要报告的事项|需要说明的其[他它]事项)"
)
# where a new line starts inside a long line: sub-heads, the numbered rows of T3, T2's items
_BREAK_BEFORE = re.compile(
    r"(?=（[一二三四五六七八九十]）|\([一二三四五六七八九十]\)"
    r"|[一二三四]、(?:本年新收|本年度新收|上年结转|上年度结转|本年度办理结果|结转下)"
    r"|第二十条第|（本列数据|\(本列数据)"
)
_SENTENCE_END = re.compile(r"(?<=[。！？])")


def _cut(line: str) -> list[str]:
    line = _SECTION.sub(lambda m: f"\n{m.group(1)}、{m.group(2)}\n", line)
    out: list[str] = []
    for part in line.split("\n"):
        for piece in _SENTENCE_END.split(part):
            out.extend(x for x in _BREAK_BEFORE.split(piece))
    return [x.strip() for x in out if x.strip()]


def reflow(lines: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[int, ...]] | None:
    """(new lines, the 1-based source line of each), or None when no line needs cutting."""
    if not any(len(ln) > LONG_LINE and (_SECTION.search(ln) or _BREAK_BEFORE.search(ln)) for ln in lines):
        return None
    new: list[str] = []
    where: list[int] = []
    for n, ln in enumerate(lines, start=1):
        pieces = _cut(ln) if len(ln) > LONG_LINE else [ln]
        for p in pieces or [""]:
            new.append(p)
            where.append(n)
    return tuple(new), tuple(where)


_LOC = re.compile(r"L(\d+)")


def remap(loc: str, where: tuple[int, ...]) -> str:
    """A location on the cut lines ("L12", "L12-14") as one on the source's own lines."""

    def sub(m: re.Match) -> str:
        i = int(m.group(1))
        return f"L{where[i - 1]}" if 0 < i <= len(where) else m.group(0)

    return _LOC.sub(sub, loc)
