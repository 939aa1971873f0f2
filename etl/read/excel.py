"""Excel workbooks in the layout of the three tables (one sheet per table or all on one
sheet), as supervising offices collect them: .xlsx (openpyxl) and .xls (xlrd). Merged
cells keep the identity of their first cell; every sheet becomes a table."""

from __future__ import annotations

import io

from etl.errors import UnreadableFile
from etl.model import Cell, Document, Table
from etl.read.docx import check_zip
from etl.read.text import lines_of

MAX_ROWS = 2000


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _sheets_xlsx(data: bytes):
    check_zip(data, "Excel")
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception:
        raise UnreadableFile("Excel 文件已损坏或不完整，无法打开") from None
    for ws in wb.worksheets:
        owner: dict[tuple[int, int], tuple[int, int]] = {}
        for rng in ws.merged_cells.ranges:
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    owner[(r, c)] = (rng.min_row, rng.min_col)
        rows = []
        for r, row in enumerate(ws.iter_rows(max_row=min(ws.max_row, MAX_ROWS)), start=1):
            cells = []
            for c, cell in enumerate(row, start=1):
                orow, ocol = owner.get((r, c), (r, c))
                value = ws.cell(orow, ocol).value if (orow, ocol) != (r, c) else cell.value
                cells.append((_text(value), orow * 10_000 + ocol))
            rows.append(cells)
        yield ws.title, rows


def _sheets_xls(data: bytes):
    import xlrd

    try:
        wb = xlrd.open_workbook(file_contents=data, formatting_info=False)
    except Exception:
        raise UnreadableFile("XLS 文件已损坏或不完整，无法打开") from None
    for ws in wb.sheets():
        owner = {}
        for rlo, rhi, clo, chi in ws.merged_cells:
            for r in range(rlo, rhi):
                for c in range(clo, chi):
                    owner[(r, c)] = (rlo, clo)
        rows = []
        for r in range(min(ws.nrows, MAX_ROWS)):
            cells = []
            for c in range(ws.ncols):
                orow, ocol = owner.get((r, c), (r, c))
                cells.append((_text(ws.cell_value(orow, ocol)), orow * 10_000 + ocol))
            rows.append(cells)
        yield ws.name, rows


def read(source: str, data: bytes) -> Document:
    sheets = list(_sheets_xls(data) if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" else _sheets_xlsx(data))
    out: list[str] = []
    tables = []
    for i, (name, rows) in enumerate(sheets, start=1):
        out.append(name)
        out.append(f"〔表格{i}〕")
        grid = tuple(
            tuple((Cell(text, f"{name}!R{r + 1}C{c + 1}"), cid) for c, (text, cid) in enumerate(row))
            for r, row in enumerate(rows)
        )
        tables.append(Table(i, grid, len(out)))
        # a title row inside the sheet ("XX局2023年政府信息公开工作年度报告") is kept as text too
        for row in rows[:3]:
            for text, _ in row:
                if "年度报告" in text or "年报" in text:
                    out.insert(0, text)
    lines, trad = lines_of("\n".join(out))
    return Document(
        source=source,
        fmt="excel",
        encoding="excel",
        lines=lines,
        tables=tuple(tables),
        traditional=trad,
        original=tuple(out),
    )
