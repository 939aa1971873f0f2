"""Where a number was printed: the line of the text (with the lines around it), or the row of a
web page's or a Word file's table rebuilt from the cells read from it, or the OCR line with its
page and confidence — in words, never as a location code alone. Report content is shown as
text, never rendered as HTML or Markdown."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import streamlit as st

from dashboard.source_image import crop, page_of_line, page_picture, region_of
from etl.registry.fields import (
    BY_KEY,
    BY_REF,
    PAGE_REFS,
    SECTIONS,
    TABLE_NAMES,
    TABLE_TITLES,
    WIDE,
    cell_words,
    field_label,
)

LINE = re.compile(r"L(\d+)")
CELL = re.compile(r"T(\d+)R(\d+)C(\d+)")
OCR = re.compile(r"OCR第(\d+)页\s*置信度([\d.]+)")


REPORT_PARTS = {
    "format_version": "the format of the tables",
    "publish_date": "the publication date",
    "year": "the report year",
    **{k: v[1] for k, v in PAGE_REFS.items()},
}


def ref_words(ref: str, lang: str) -> str:
    """A finding's cell reference (t3.granted.total, t4.review_total, narrative.x, L12, T2R24C5) in
    the words of the printed report, in the page's language."""
    if lang == "zh":
        return cell_words(ref)
    if m := re.fullmatch(r"L(\d+)", ref):
        return f"line {m[1]} of the text"
    if m := CELL.fullmatch(ref):
        return f"table {m[1]} of the page, row {m[2]}, column {m[3]}"
    if ref in TABLE_TITLES:
        return f"{TABLE_NAMES[ref][1]} (whole table)"
    if ref.startswith("section.") and ref[8:].isdigit() and int(ref[8:]) in SECTIONS:
        return f"section {SECTIONS[int(ref[8:])][1]}"
    f = BY_REF.get(ref)
    if f is not None:
        return f"text: {f.en}" if f.table == "prose" else field_label(f.key, "en")[0]
    if ref.startswith("narrative."):
        return "a number in the text"
    return REPORT_PARTS.get(ref, ref)


def cells_words(cells: str | None, lang: str) -> str:
    """A finding's comma-separated cells in words, each once."""
    words = dict.fromkeys(ref_words(x, lang) for x in (cells or "").split(",") if x)
    return ("；" if lang == "zh" else "; ").join(words)


def field_options(cells: pl.DataFrame, marked: set[str]) -> list[str]:
    """The fields with a recorded source, those with a finding first, then in table order."""
    have = set(cells["field"].to_list())
    ordered = [k for k in WIDE if k in have]
    return sorted(ordered, key=lambda k: BY_KEY[k].ref not in marked)


def locate(cells: pl.DataFrame, field: str) -> dict:
    return cells.filter(pl.col("field") == field).row(0, named=True)


def where_words(loc: str | None, lang: str) -> str:
    """A location in words: 原文第 12 行 / 网页第 2 个表格第 6 行第 3 列 / OCR 第 3 页，置信度 0.84."""
    if not loc:
        return "位置未记录" if lang == "zh" else "location not recorded"
    out = []
    if m := LINE.match(loc):
        out.append(f"原文第 {m[1]} 行" if lang == "zh" else f"line {m[1]} of the text")
    if m := CELL.match(loc):
        out.append(
            f"第 {m[1]} 个表格第 {m[2]} 行第 {m[3]} 列" if lang == "zh" else f"table {m[1]}, row {m[2]}, column {m[3]}"
        )
    if m := OCR.search(loc):
        out.append(
            f"扫描件第 {m[1]} 页（文字识别，置信度 {float(m[2]):.2f}）"
            if lang == "zh"
            else f"scanned page {m[1]} (read by OCR, confidence {float(m[2]):.2f})"
        )
    return "，".join(out) if out else loc


def _excerpt(lines: list[str], n: int, around: int = 5) -> str:
    lo, hi = max(1, n - around), min(len(lines), n + around)
    return "\n".join(f"{'▶' if i == n else ' '} {i:>4} | {lines[i - 1]}" for i in range(lo, hi + 1))


def show_scan(loc: str, source: Path | None, lang: str) -> None:
    """The cut of the scanned page the number was read from, when the original is on this machine."""
    zh = lang == "zh"
    where = region_of(loc)
    if where is None:
        return
    picture = crop(source, *where) if source is not None else None
    if picture is None:
        st.caption("原件不在本机，无法显示扫描件截图。" if zh else "The original is not on this machine: no picture.")
        return
    st.image(
        picture,
        caption=f"扫描件第 {where[0]} 页，红框为读出该数字的一行"
        if zh
        else f"Scanned page {where[0]}, the line read in red",
    )


@st.cache_data(max_entries=64, show_spinner=False)
def _page_of_line(path: str, mtime: float, line: int) -> int | None:
    return page_of_line(Path(path), line)


def show_pdf_page(source: Path, line: int, lang: str) -> None:
    """Which page of the original PDF the line is on, and that page drawn on request."""
    zh = lang == "zh"
    page = _page_of_line(str(source), source.stat().st_mtime, line)
    if page is None:
        return
    with st.expander(f"原件第 {page} 页" if zh else f"Page {page} of the original"):
        picture = page_picture(source, page)
        if picture is None:
            st.caption("原件无法显示。" if zh else "The original cannot be drawn.")
        else:
            st.image(picture)


def show_source(cell: dict, text: str, cells: pl.DataFrame, lang: str, source: Path | None = None) -> None:
    zh = lang == "zh"
    f = BY_KEY[cell["field"]]
    st.write(
        (f"“{f.zh}”印作“{cell['raw']}”，位于{where_words(cell['loc'], lang)}。")
        if zh
        else f"“{f.en}” was printed as “{cell['raw']}”, at {where_words(cell['loc'], lang)}."
    )
    lines = text.split("\n")
    loc = cell["loc"] or ""
    if (m := LINE.match(loc)) and int(m[1]) <= len(lines):
        show_scan(loc, source, lang)
        st.code(_excerpt(lines, int(m[1])), language=None)
        if source is not None and source.suffix.lower() == ".pdf" and region_of(loc) is None:
            show_pdf_page(source, int(m[1]), lang)
        return
    if m := CELL.match(loc):
        table_no, row_no = m[1], m[2]
        same_row = cells.filter(pl.col("loc").str.starts_with(f"T{table_no}R{row_no}C")).with_columns(
            pl.col("loc").str.extract(r"C(\d+)", 1).cast(pl.Int64).alias("c")
        )
        same_row = same_row.unique("c").sort("c")
        label = f.zh.split(" / ")[0] if zh else f.en.split(" / ")[0]
        printed = " | ".join(f"{'▶' if r['loc'] == loc else ''}{r['raw']}" for r in same_row.iter_rows(named=True))
        st.code(
            (
                "该行读到的各格（行名为本系统识别的项目）：\n"
                if zh
                else "The cells read from that row (row name as we read it):\n"
            )
            + f"{label} | {printed}",
            language=None,
        )
        marker = f"〔表格{table_no}〕"
        at = next((i + 1 for i, line in enumerate(lines) if marker in line), None)
        if at:
            st.caption("表格在原文中的位置：" if zh else "Where the table stands in the text:")
            st.code(_excerpt(lines, at, 3), language=None)
        return
    st.caption("原文中没有找到这一行。" if zh else "The line was not found in the text.")
