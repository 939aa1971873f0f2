"""Table rows of a PDF text layer placed by the x positions of their numbers.

A PDF's text carries no cell boundaries: an empty cell leaves nothing, and "行政许可 3 5" cannot
say which columns the two numbers stand in. The characters' boxes can: the rows of one table put
their numbers at the same x positions, so a row with fewer numbers than its neighbours is matched
to their columns, and an empty column is an empty cell. Such rows are written with explicit cell
boundaries ("label | 3 |  | 5 |"), which the text layouts read as delimited cells; a row that does
not fit its neighbours' columns is left as printed (and read as before, without a guess)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class _Row:
    index: int  # line index within the page
    label: str  # the text before the first number
    cells: list[tuple[str, float]]  # (number as printed, x centre)


def _rows(text: str, boxes: list[tuple[float, float, float, float]]) -> tuple[list[str], list[_Row]]:
    """The page's lines, and those that end in numbers with each number's x centre."""
    from etl.extract.numbers import parse_cell  # etl.extract imports the readers: imported here

    lines: list[str] = []
    rows: list[_Row] = []
    for m in re.finditer(r"[^\r\n]*(?:\r\n|\n|\r|$)", text):
        if not m.group(0) and m.start() == len(text):
            break
        raw = m.group(0).rstrip("\r\n")
        n = len(lines)
        lines.append(raw)
        cells: list[tuple[str, float]] = []
        first = None
        for w in _WORD.finditer(raw):
            a, b = m.start() + w.start(), m.start() + w.end() - 1
            if parse_cell(w.group(0)).kind == "text":
                if cells:  # words after the numbers: not a row of a table
                    cells = []
                    break
                continue
            if b >= len(boxes):
                cells = []
                break
            first = w.start() if first is None else first
            cells.append((w.group(0), (boxes[a][0] + boxes[b][2]) / 2))
        if cells:
            rows.append(_Row(n, raw[:first].rstrip(), cells))
    return lines, rows


def _match(xs: list[float], anchors: list[float], tol: float) -> list[int] | None:
    """Each x to a distinct anchor in order, within tol; None when the row does not fit."""
    out: list[int] = []
    j = 0
    for x in xs:
        while j < len(anchors) and anchors[j] < x - tol:
            j += 1
        if j == len(anchors) or abs(anchors[j] - x) > tol:
            return None
        out.append(j)
        j += 1
    return out


def place_cells(text: str, boxes: list[tuple[float, float, float, float]]) -> list[str]:
    """The page's lines, rows with missing cells rewritten with explicit cell boundaries."""
    lines, rows = _rows(text, boxes)
    anchors: list[float] | None = None
    for row in rows:
        xs = [x for _, x in row.cells]
        if len(xs) < 2 and (anchors is None or len(anchors) < 2):
            continue
        gaps = [b - a for a, b in zip(anchors, anchors[1:])] if anchors else []
        tol = max(4.0, 0.35 * min(gaps)) if gaps else 4.0
        if anchors is not None and len(xs) == len(anchors) and _match(xs, anchors, tol):
            anchors = [(a + x) / 2 for a, x in zip(anchors, xs)]
            continue
        if anchors is not None and len(xs) < len(anchors):
            at = _match(xs, anchors, tol)
            if at is not None and len(xs) >= 1:
                cells = [""] * len(anchors)
                for (w, _), k in zip(row.cells, at):
                    cells[k] = w
                lines[row.index] = f"{row.label} | " + " | ".join(cells) + " |"
                continue
        if len(xs) >= 2:
            anchors = xs  # a new table, or a row that sets its columns
    return lines
