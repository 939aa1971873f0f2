"""DOCX (python-docx): paragraphs and tables in document order. Merged cells (gridSpan,
vMerge) keep the identity of the cell they come from, like HTML's colspan/rowspan; a table
nested in a cell is read as a table of its own."""

from __future__ import annotations

import io
import zipfile

from etl.errors import LimitExceeded, UnreadableFile
from etl.model import Cell, Document, Table
from etl.read import limits
from etl.read.text import lines_of
from etl.read.textnorm import normalise_line, to_simplified

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MAX_UNZIPPED = limits.MAX_UNZIPPED_MB * 1024 * 1024  # a zip bomb expands far beyond any real report


def check_zip(data: bytes, what: str) -> None:
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UnreadableFile(f"{what} 文件已损坏或不完整（不是有效的压缩包）") from None
    total = sum(i.file_size for i in z.infolist())
    for info in z.infolist():
        if info.filename.endswith((".xml", ".rels")) and info.file_size < 50 * 1024 * 1024:
            head = z.read(info)[:4096]
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:  # Office XML never declares entities
                raise LimitExceeded(f"{what} 文件中含有 XML 实体声明（可能是“十亿笑声”攻击），已拒收")
    if total > MAX_UNZIPPED:
        raise LimitExceeded(
            f"{what} 解压后有 {total / 1048576:.0f} MB，超过 {MAX_UNZIPPED // 1048576} MB 的上限（疑似压缩炸弹）"
        )


def _iter_blocks(parent):
    """Paragraphs and tables of a document body or a cell, in order."""
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph

    body = parent.element.body if hasattr(parent, "element") else parent._element
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            yield Paragraph(child, parent)
        elif tag == "tbl":
            yield DocxTable(child, parent)


def read(source: str, data: bytes) -> Document:
    check_zip(data, "DOCX")
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table as DocxTable

    try:
        d = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile):
        raise UnreadableFile("DOCX 文件已损坏或不完整，无法打开") from None
    except Exception as exc:  # lxml raises on hostile or broken XML
        raise UnreadableFile(f"DOCX 文件内容无法解析（{type(exc).__name__}）") from None
    out: list[str] = []
    grids: list[list[list[tuple[str, int]]]] = []
    ids: dict = {}  # element -> number; holding the element keeps its identity (id() of a proxy is reused)

    def table(tbl) -> None:
        """The grid straight from the XML (python-docx's row.cells rescans the table for every
        row): gridSpan repeats a cell across columns, vMerge continues the cell above."""
        grids.append([])
        index = len(grids)
        out.append(f"〔表格{index}〕")
        rows = grids[index - 1]
        above: dict[int, tuple[str, int]] = {}  # grid column -> the cell there in the row above
        for tr in tbl._tbl.iterchildren(W + "tr"):
            cells: list[tuple[str, int]] = []
            for tc in tr.iterchildren(W + "tc"):
                span, merge = 1, None
                pr = tc.find(W + "tcPr")
                if pr is not None:
                    if (g := pr.find(W + "gridSpan")) is not None:
                        span = max(1, min(50, int(g.get(W + "val") or 1)))
                    if (v := pr.find(W + "vMerge")) is not None:
                        merge = v.get(W + "val") or "continue"
                col = len(cells)
                if merge == "continue" and col in above:
                    cell = above[col]
                else:
                    text = "".join(t.text or "" for p in tc.iterchildren(W + "p") for t in p.iter(W + "t")).strip()
                    cell = (text, ids.setdefault(tc, len(ids)))
                cells += [cell] * span
                for inner in tc.iterchildren(W + "tbl"):
                    table(DocxTable(inner, None))
            above = dict(enumerate(cells))
            rows.append(cells)

    for block in _iter_blocks(d):
        if block.__class__.__name__ == "Paragraph":
            out.append(block.text)
        else:
            table(block)
    lines, trad = lines_of("\n".join(out))
    tables = []
    for i, rows in enumerate(grids, start=1):
        anchor = next((n + 1 for n, ln in enumerate(lines) if ln == f"〔表格{i}〕"), 0)
        norm = (lambda s: to_simplified(normalise_line(s))) if trad else normalise_line
        grid = tuple(
            tuple((Cell(norm(text), f"T{i}R{r + 1}C{c + 1}"), cid) for c, (text, cid) in enumerate(row))
            for r, row in enumerate(rows)
        )
        tables.append(Table(i, grid, anchor))
    return Document(
        source=source,
        fmt="docx",
        encoding="docx",
        lines=lines,
        tables=tuple(tables),
        traditional=trad,
        original=tuple(out),
    )
