"""From a document's tables or table-like text to labelled rows.

Every layout ends up as a sequence of `Row`s: the label texts printed to the left of the
numbers (outermost first) and the value cells that follow. The mapper in `etl.extract.tables`
matches the labels against the dictionary; it never looks at layout.

Layouts (shared/reference/annual-report-format.md, "Text layouts seen"):
- grid: HTML/DOCX/Excel tables, rowspan/colspan already expanded;
- tab cells: one cell per line, tab-indented, blank lines between rows (the sample report);
- pipe: cells separated by "|", rows sometimes broken over many lines;
- stream: anything else (cells on their own lines, or a row's numbers after its label on one
  line as in PDF text layers); labels accumulate until numbers arrive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from etl.extract.digitruns import leading_zero
from etl.extract.numbers import parse_cell
from etl.model import Cell, Table
from etl.read.textnorm import PAGE_NUMBER


@dataclass(frozen=True)
class Row:
    labels: tuple[str, ...]
    values: tuple[Cell, ...]
    delimited: bool  # cell positions are reliable: blank cells were kept as cells
    line: int  # where the row starts in the document text (for section context)
    glued: bool = False  # numbers printed without separators ("规章000", "0 00 0"): maybe digit runs


_BREAK = None  # token that ends a row in layouts that mark row ends


class _Tok(NamedTuple):  # a tuple: made once per table cell, so cheap to make
    text: str
    loc: str
    kind: str  # "number", "null" or "text"
    empty: bool  # an empty cell (not a printed "/" or "—")
    glued: bool = False  # a number printed against its label, without a space


def _tok(text: str, loc: str) -> _Tok:
    t = text.strip()
    return _Tok(t, loc, parse_cell(t).kind, t == "")


def _assemble(tokens, delimited: bool, line_of) -> list[Row]:
    """The one state machine behind every layout: labels, then values, then a new row."""
    rows: list[Row] = []
    labels: list[_Tok] = []
    values: list[_Tok] = []
    leading: list[_Tok] = []  # value cells seen before any label of the row

    def emit(labs: list[_Tok], vals: list[_Tok]) -> None:
        first = (labs or vals)[0].loc
        glued = any(t.glued for t in vals) or leading_zero([t.text for t in vals])
        rows.append(
            Row(
                tuple(t.text for t in labs),
                tuple(Cell(t.text, t.loc) for t in vals),
                delimited,
                line_of(first),
                glued,
            )
        )

    def flush() -> None:
        nonlocal labels, values, leading
        if labels or values:
            emit(labels, values)
        elif any(not t.empty for t in leading):
            emit([], leading)  # a row of numbers only (T4's data row)
        labels, values, leading = [], [], []

    for tok in tokens:
        if tok is _BREAK:
            flush()
            continue
        if tok.kind == "text":
            if values:
                flush()
            elif any(not t.empty for t in leading):
                emit([], leading)
            leading = []  # blank cells before a row's label are spacers, not values
            labels.append(tok)
        elif labels:
            values.append(tok)
        else:
            leading.append(tok)
    flush()
    return rows


def grid_rows(table: Table) -> list[Row]:
    """Rows of an expanded grid. A cell spanning columns counts once; a label spanning rows
    is repeated for the rows below it (it is their parent heading)."""
    first_row: dict[int, int] = {}
    for r, grow in enumerate(table.grid):
        for _, cid in grow:
            first_row.setdefault(cid, r)
    tokens: list = []
    for r, grow in enumerate(table.grid):
        seen: set[int] = set()
        for cell, cid in grow:
            if cid in seen:
                continue
            seen.add(cid)
            tok = _tok(cell.text, cell.loc)
            if first_row[cid] != r and tok.kind != "text":
                continue  # a number spanning rows belongs to its first row only
            if first_row[cid] != r and not tok.text:
                continue
            tokens.append(tok)
        tokens.append(_BREAK)
    return _assemble(tokens, True, lambda loc: table.anchor_line)


# ---- text layouts -----------------------------------------------------------------------

_PROSE_END = re.compile(r"[。；;]\s*$|[。；]")


def is_prose(line: str) -> bool:
    s = line.strip()
    if "勾稽关系" in s or "钩稽关系" in s:
        return False
    return bool(_PROSE_END.search(s)) or (len(s) > 45 and "，" in s)


def detect_layout(lines: list[str]) -> str:
    body = [ln for ln in lines if ln.strip()]
    if not body:
        return "stream"
    pipes = sum(1 for ln in body if "|" in ln)
    tabs = sum(1 for ln in body if ln.startswith("\t"))
    if pipes >= max(3, len(body) * 0.25):
        return "pipe"
    if tabs >= max(3, len(body) * 0.3):
        return "tab"
    return "stream"


def _loc(n: int) -> str:
    return f"L{n}"


def _line_of(loc: str) -> int:
    return int(loc[1:].split("-")[0]) if loc.startswith("L") else 0


def text_rows(lines: list[str], first_line: int) -> list[Row]:
    """Rows from a text region; `first_line` is the 1-based number of lines[0]."""
    layout = detect_layout(lines)
    if layout == "tab":
        return _assemble(_tab_tokens(lines, first_line), True, _line_of)
    if layout == "pipe":
        return _assemble(_pipe_tokens(lines, first_line), True, _line_of)
    return _assemble(_stream_tokens(lines, first_line), False, _line_of)


def _tab_tokens(lines: list[str], first: int):
    """One cell per tab-indented line; a line without the tab continues the cell above
    ("商业\\n企业"); a blank line ends the row."""
    cell: list[str] | None = None
    cell_line = 0
    for i, raw in enumerate(lines):
        n = first + i
        if PAGE_NUMBER.match(raw):
            continue
        if raw.startswith("\t"):
            if cell is not None:
                yield _tok("".join(cell), _loc(cell_line))
            cell, cell_line = [raw.strip()], n
        elif not raw.strip():
            if cell is not None:
                yield _tok("".join(cell), _loc(cell_line))
                cell = None
            yield _BREAK
        elif cell is not None and not is_prose(raw) and len(raw.strip()) <= 12:
            cell.append(raw.strip())
        else:
            if cell is not None:
                yield _tok("".join(cell), _loc(cell_line))
                cell = None
            if not is_prose(raw):
                yield from _line_tokens(raw, n)
            yield _BREAK
    if cell is not None:
        yield _tok("".join(cell), _loc(cell_line))


_STREAM_ROW = re.compile(r"^[^\d\s|]{2,}(?:\s+(?:\d[\d,.]*|/|—|-))+$")
_MD_ROW = re.compile(r"^\s*\|(?:[^|]*\|){3,}\s*$")


def _pipe_tokens(lines: list[str], first: int):
    """Cells separated by '|'; line ends are not cell ends (cells run over lines, and some
    converters end every cell with '|' on its own line). Blank cells between rows and the
    padding at the ends of rows come out as blank values; the mapper trims them."""
    buf: list[str] = []
    buf_line = first
    for i, raw in enumerate(lines):
        n = first + i
        if PAGE_NUMBER.match(raw) or re.fullmatch(r"[\s:|-]*-{3,}[\s:|-]*", raw):
            continue  # page numbers and markdown separator rows
        if "|" not in raw and is_prose(raw):
            continue
        if "|" not in raw and _STREAM_ROW.match(raw.strip()):
            if buf:  # a row printed outside the pipes ("行政许可 97" above a converted table)
                yield _tok("".join(buf), _loc(buf_line))
                buf = []
            yield _BREAK
            yield from _line_tokens(raw, n)
            yield _BREAK
            continue
        for j, part in enumerate(raw.split("|")):
            if j > 0:
                yield _tok("".join(buf), _loc(buf_line))
                buf = []
            if part.strip():
                if not buf:
                    buf_line = n
                buf.append(part.strip())
        if _MD_ROW.match(raw):
            yield _BREAK  # a whole markdown row on its line: the next line is the next row
    if buf:
        yield _tok("".join(buf), _loc(buf_line))


_WS = re.compile(r"\s+")
_NUM_IN_WORD = re.compile(r"\d+(?:\.\d+)?(?:件|条|个|项|篇|次|宗|家|份|期|万元|元)?")
_NOT_A_CELL_AFTER = re.compile(r"^[年月日号〕\]）)%％]")  # a date, a document number, a percentage


def _pieces(word: str) -> list[tuple[str, bool]]:
    """A word as (text, is_number) pieces: a label printed against its numbers
    ("行政规范性文件77132470第二十条…") comes apart at the digits. A digit before "." and a
    character is a row's numbering ("00000002.其他法律…": the run, then "2.其他法律…")."""
    out: list[tuple[str, bool]] = []
    label = ""
    at = 0
    for m in _NUM_IN_WORD.finditer(word):
        label += word[at : m.start()]
        at = m.end()
        num, after = m.group(0), word[m.end() :]
        if _NOT_A_CELL_AFTER.match(after) or label.endswith(("第", "〔", "[")):
            label += num
            continue
        if num.isdigit() and re.match(r"^[.．、]\D", after):
            if len(num) == 1:
                label += num
                continue
            num, label_start = num[:-1], num[-1]
        else:
            label_start = ""
        if label:
            out.append((label, False))
        out.append((num, True))
        label = label_start
    label += word[at:]
    if label:
        out.append((label, False))
    return out


def _line_tokens(raw: str, n: int):
    """Split a line into label and number tokens; consecutive words of a label stay one
    label ("结果 维持" is one label, "95 0 0" are three numbers)."""
    words = _WS.split(raw.strip())
    label: list[str] = []
    for w in words:
        if not w:
            continue
        kind = parse_cell(w).kind
        if kind == "text":
            pieces = _pieces(w) if any(ch.isdigit() for ch in w) else [(w, False)]
            for text, is_num in pieces:
                if not is_num:
                    label.append(text)
                    continue
                if label:
                    yield _tok("".join(label), _loc(n))
                    label = []
                yield _Tok(text, _loc(n), parse_cell(text).kind, False, True)
            continue
        if label:
            yield _tok("".join(label), _loc(n))
            label = []
        yield _Tok(w, _loc(n), kind, False)
    if label:
        yield _tok("".join(label), _loc(n))


def _stream_tokens(lines: list[str], first: int):
    for i, raw in enumerate(lines):
        if not raw.strip() or PAGE_NUMBER.match(raw) or is_prose(raw):
            continue
        if " | " in raw and raw.rstrip().endswith("|"):
            # a row whose cells were placed by their positions (PDF): blank cells are cells
            label, *cells = raw.rstrip().rstrip("|").split("|")
            yield from _line_tokens(label, first + i)
            for c in cells:
                yield _tok(c, _loc(first + i))
            continue
        yield from _line_tokens(raw, first + i)
