"""A Brief laid out once as blocks (headings, paragraphs, tables, figures) and written from those
blocks as PDF (HTML printed by Chromium) or Word (python-docx). Charts are the dashboard's own
Plotly figures, rendered to PNG by kaleido driving the same Chromium."""

from __future__ import annotations

import asyncio
import base64
import html
import io
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import plotly.graph_objects as go
import polars as pl

from dashboard import charts
from dashboard.brief_data import Brief, summary
from dashboard.metrics import fmt
from etl.registry.rules import RULE_WORDS

NUMERIC = re.compile(r"^[—+\-]?[\d,.]*%?( 个百分点)?$|^\d{4}-\d\d-\d\d$|^[份件条%]$")
CHART_SIZE = (900, 400)  # px; printed about 17 cm wide
OUTCOME_SERIES = [
    ("granted", "予以公开"),
    ("partial", "部分公开"),
    ("denied", "不予公开"),
    ("unable", "无法提供"),
    ("not_processed", "不予处理"),
    ("other", "其他处理"),
]
T4_SERIES = [
    ("review_total", "行政复议"),
    ("lit_direct_total", "行政诉讼（未经复议直接起诉）"),
    ("lit_after_review_total", "行政诉讼（复议后起诉）"),
]


class RenderError(RuntimeError):
    """The briefing could not be drawn (no Chromium, Chromium failed): said in words."""


@dataclass(frozen=True)
class Block:
    kind: str  # title | meta | h | p | table | figure | note
    text: str = ""
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    figure: int = -1  # index into the rendered chart images


MIN_REPORTS = 5  # a sub-region ranked in the briefing rests on at least this many dated reports


def figures(b: Brief) -> list[go.Figure]:
    """3–5 charts, only those with data to show, each title saying how many reports it covers."""
    out = []
    if b.empty:
        return out
    n = b.normative.filter(pl.col("year") == b.year)
    if b.normative["issued"].drop_nulls().len() or b.normative["repealed"].drop_nulls().len():
        cov = f"（{b.year}年度 {n['issued_n'][0]:,}/{n['reports'][0]:,} 份报告有数）" if n.height else ""
        out.append(
            charts.paired_bars(b.normative, f"行政规范性文件：本年制发与本年废止（件）{cov}", ("本年制发", "本年废止"))
        )
    if b.outcomes["received"].drop_nulls().len():
        o = b.outcomes.filter(pl.col("year") == b.year)
        cov = f"（{b.year}年度 {o['covered'][0]:,}/{o['reports'][0]:,} 份报告有完整数字）" if o.height else ""
        out.append(charts.stacked(b.outcomes, "year", OUTCOME_SERIES, f"政府信息公开申请办理结果（件）{cov}"))
    long = pl.concat(
        [b.t4.select("year", pl.lit(name).alias("part"), pl.col(col).alias("value")) for col, name in T4_SERIES]
    )
    if long["value"].drop_nulls().len():
        t = b.t4.filter(pl.col("year") == b.year)
        cov = f"（{b.year}年度 {t['covered'][0]:,}/{t['reports'][0]:,} 份报告有完整表四）" if t.height else ""
        out.append(charts.lines(long, f"政府信息公开行政复议、行政诉讼（件）{cov}", ""))  # the unit is in the title
    subs = b.subregions.drop_nulls(["value", "name"]).filter(pl.col("covered") >= MIN_REPORTS)
    if subs.height > 1:
        out.append(
            charts.ranking(
                subs,
                f"下级地区按时发布率（{b.year}年度，发布日期可知的报告不少于 {MIN_REPORTS} 份的地区）",
                percent=True,
                count_label="{name}（{n:,} 份）",
                max_rows=16,
                gap_label="……",
            )
        )
    c = b.counts
    on_time = c["reports"] - c["late"] - c["date_unknown"]
    out.append(
        charts.bars(
            ["按时发布", "逾期发布", "发布日期不明", "名录中未发布"],
            [on_time, c["late"], c["date_unknown"], b.missing.height],
            f"{b.year}年度报告发布情况（份）",
        )
    )
    for fig in out:
        fig.update_layout(width=CHART_SIZE[0], height=max(CHART_SIZE[1], fig.layout.height))
    return out


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        if path := shutil.which(name):
            return path
    raise RenderError("生成简报需要 Chromium（用于绘制图表和打印 PDF）：apt-get install chromium fonts-noto-cjk")


def chart_images(figs: list[go.Figure], fmt: str = "png") -> list[bytes]:
    """PNG (or, for checking what was drawn, SVG) of every figure through one Chromium session
    (one start-up, not one per chart)."""
    if not figs:
        return []
    import kaleido  # the dashboard extra; imported here so that reading a briefing needs no browser

    os.environ.setdefault("BROWSER_PATH", chromium())

    async def draw() -> list[bytes]:
        async with kaleido.Kaleido(n=1) as k:
            return [
                await k.calc_fig(
                    f, opts=dict(format=fmt, width=CHART_SIZE[0], height=f.layout.height or CHART_SIZE[1], scale=2)
                )
                for f in figs
            ]

    try:
        return asyncio.run(draw())
    except Exception as e:  # kaleido surfaces browser failures under many types
        raise RenderError(f"图表绘制失败（Chromium）：{type(e).__name__}: {e}") from e


def _table(df: pl.DataFrame, cols: list[tuple[str, str]]) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    def show(v) -> str:
        return "—" if v is None else (f"{v:,}" if isinstance(v, int) else str(v))

    return tuple(h for _, h in cols), tuple(tuple(show(r[c]) for c, _ in cols) for r in df.iter_rows(named=True))


def blocks(b: Brief, n_figures: int) -> list[Block]:
    c = b.counts
    out = [
        Block("title", b.title),
        Block(
            "meta",
            f"范围：{b.scope.name()}｜年度：{b.year}｜生成日期：{b.generated:%Y-%m-%d}｜数据截至：{b.data_as_of}",
        ),
        Block("h", "一、总体情况"),
        Block("p", summary(b)),
    ]
    if c.get("demo"):
        out.append(Block("note", f"注：本范围本年度的 {c['demo']:,} 份报告为程序生成的演示数据，非真实报告。"))
    if not b.empty:
        rows = tuple(
            (
                h.label,
                fmt(h.value, h.unit),
                h.coverage(),
                fmt(h.previous, h.unit),
                f"{h.prev_covered:,}/{h.prev_reports:,}" if h.prev_reports else "—",
                h.change(),
                "—" if h.key == "reports" else f"{h.panel_agencies:,}",
                h.unit,
            )
            for h in b.headlines
        )
        out += [
            Block("h", "二、主要指标"),
            Block(
                "table",
                header=(
                    "指标",
                    f"{b.year}年",
                    "有数报告/报告",
                    f"{b.year - 1}年",
                    "有数报告/报告",
                    "同比变化",
                    "同比所据机关",
                    "单位",
                ),
                rows=rows,
            ),
            Block(
                "note",
                "说明：合计和比率只计写明该项数字的报告（空白不按 0 计），“有数报告/报告”为其覆盖；"
                "同比变化只比较两年都写明该项数字的机关（“同比所据机关”），两年的原始合计并列于左。",
            ),
            Block("h", "三、趋势与比较"),
        ]
        out += [Block("figure", figure=i) for i in range(n_figures)]
        out.append(Block("h", "四、合规情况"))
        out.append(
            Block(
                "p",
                f"逾期发布 {c['late']:,} 份；名录中未发布 {b.missing.height:,} 个机关；表格数字不平衡"
                f"或合计不符 {c['inconsistent']:,} 份；正文与上一年度高度雷同 {c['copied']:,} 份。"
                "以下各列最多 10 个，按严重程度排列。",
            )
        )
        if b.late.height:
            out.append(Block("p", "逾期发布最久的机关："))
            h, r = _table(
                b.late.with_columns(pl.col("publish_date").cast(pl.Utf8), pl.col("deadline").cast(pl.Utf8)),
                [
                    ("agency", "机关"),
                    ("publish_date", "发布日期"),
                    ("deadline", "法定期限"),
                    ("days_late", "逾期天数"),
                ],
            )
            out.append(Block("table", header=h, rows=r))
        if b.missing.height:
            out.append(
                Block(
                    "p",
                    "未发布本年度报告的机关："
                    + "、".join(b.missing["name"].head(10).to_list())
                    + ("等" if b.missing.height > 10 else "")
                    + "。",
                )
            )
        if b.errors.height:
            out.append(Block("p", "表格问题最多的报告："))
            errs = b.errors.with_columns(
                pl.col("rules").map_elements(
                    lambda s: "；".join(RULE_WORDS.get(x, x) for x in (s or "").split("、") if x),
                    return_dtype=pl.Utf8,
                )
            )
            h, r = _table(errs, [("agency", "机关"), ("n_errors", "错误数"), ("rules", "不符合的规则")])
            out.append(Block("table", header=h, rows=r))
        if b.copied.height:
            out.append(Block("p", "正文与上一年度高度雷同的机关：" + "、".join(b.copied["agency"].to_list()) + "。"))
    out.append(Block("h", "五、数据说明" if not b.empty else "二、数据说明"))
    files = {r["status"]: r["files"] for r in b.files.iter_rows(named=True)}
    versions = b.formats.group_by("format_version").agg(pl.col("reports").sum()).sort("reports", descending=True)
    kinds = b.formats.group_by("fmt").agg(pl.col("reports").sum()).sort("reports", descending=True)
    out.append(
        Block(
            "p",
            "全库共处理文件 {:,} 个：入库 {:,}、拒收 {:,}、重复 {:,}、跳过（非报告文件）{:,}。".format(
                sum(files.values()),
                files.get("loaded", 0),
                files.get("rejected", 0),
                files.get("duplicate", 0),
                files.get("skipped", 0),
            )
            + (
                "本范围本年度报告的格式版本："
                + "、".join(f"{v['format_version']} 版 {v['reports']:,} 份" for v in versions.iter_rows(named=True))
                + "；文件类型："
                + "、".join(f"{v['fmt']} {v['reports']:,} 份" for v in kinds.iter_rows(named=True))
                + "。"
                if b.formats.height
                else ""
            )
            + "全部数字由程序从报告原文逐项解析，按国家规定的表格口径核对，未经人工改动；"
            "每个数字在“单位档案”页可追溯到源文件的行或单元格。",
        )
    )
    return out


CSS = """
@page { size: A4; margin: 18mm 18mm 20mm 18mm;
        @bottom-center { content: counter(page) " / " counter(pages); font-size: 9pt; color: #666; } }
body { font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", serif; font-size: 11pt; line-height: 1.7; color: #111; }
h1 { font-family: "Noto Sans CJK SC", sans-serif; font-size: 19pt; text-align: center; margin: 0 0 4mm; }
h2 { font-family: "Noto Sans CJK SC", sans-serif; font-size: 13.5pt; margin: 6mm 0 2mm; }
.meta { text-align: center; color: #444; font-size: 10pt; border-bottom: 2px solid #b03a48; padding-bottom: 3mm; }
p { text-indent: 2em; margin: 1.5mm 0; text-align: justify; }
.note { color: #8a4b00; font-size: 9.5pt; text-indent: 0; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; margin: 2mm 0 3mm; page-break-inside: auto; }
th, td { border: 1px solid #999; padding: 1mm 2mm; } th { background: #eef1f5; }
td.n { text-align: right; white-space: nowrap; } tr { page-break-inside: avoid; }
img { width: 100%; page-break-inside: avoid; margin: 2mm 0; }
"""


def _num_class(text: str) -> str:
    return " class='n'" if NUMERIC.match(text) else ""


def to_html(bl: list[Block], images: list[bytes]) -> str:
    e = html.escape
    title = next((k.text for k in bl if k.kind == "title"), "政务公开年报分析简报")
    body = []
    for k in bl:
        if k.kind == "title":
            body.append(f"<h1>{e(k.text)}</h1>")
        elif k.kind == "meta":
            body.append(f"<div class='meta'>{e(k.text)}</div>")
        elif k.kind == "h":
            body.append(f"<h2>{e(k.text)}</h2>")
        elif k.kind in ("p", "note"):
            body.append(f"<p class='{k.kind}'>{e(k.text)}</p>")
        elif k.kind == "table":
            head = "".join(f"<th>{e(h)}</th>" for h in k.header)
            rows = "".join("<tr>" + "".join(f"<td{_num_class(c)}>{e(c)}</td>" for c in r) + "</tr>" for r in k.rows)
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        elif k.kind == "figure":
            data = base64.b64encode(images[k.figure]).decode()
            body.append(f"<img alt='图 {k.figure + 1}' src='data:image/png;base64,{data}'>")
    return (
        f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>{e(title)}</title>"
        f"<style>{CSS}</style></head>"
        f"<body>{''.join(body)}</body></html>"
    )


def to_pdf(page: str, timeout: int = 120) -> bytes:
    """Print the HTML with headless Chromium (the fonts are the system's Noto CJK)."""
    with tempfile.TemporaryDirectory(prefix="brief-") as tmp:
        src, out = Path(tmp) / "brief.html", Path(tmp) / "brief.pdf"
        src.write_text(page, encoding="utf-8")
        cmd = [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--user-data-dir={tmp}/profile",
            f"--print-to-pdf={out}",
            src.as_uri(),
        ]
        try:
            run = subprocess.run(cmd, capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired as e:
            raise RenderError(f"Chromium 打印 PDF 超过 {timeout} 秒未完成") from e
        if not out.exists() or out.stat().st_size == 0:
            raise RenderError(f"Chromium 未能打印 PDF：{run.stderr.decode(errors='replace')[-300:]}")
        return out.read_bytes()


def to_docx(bl: list[Block], images: list[bytes]) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    for section in doc.sections:
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.left_margin = section.right_margin = Cm(2)
    for name, east, size in (("Normal", "宋体", 11), ("Heading 1", "黑体", 14), ("Title", "黑体", 20)):
        style = doc.styles[name]
        style.font.size = Pt(size)
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east)
    doc.core_properties.title = next((k.text for k in bl if k.kind == "title"), "政务公开年报分析简报")
    doc.core_properties.author = "政府信息公开工作年度报告分析平台"
    for k in bl:
        if k.kind == "title":
            doc.add_paragraph(k.text, style="Title").alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif k.kind == "meta":
            doc.add_paragraph(k.text).alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif k.kind == "h":
            doc.add_heading(k.text, level=1)
        elif k.kind in ("p", "note"):
            para = doc.add_paragraph(k.text)
            para.paragraph_format.first_line_indent = Pt(22) if k.kind == "p" else None
        elif k.kind == "table":
            table = doc.add_table(rows=1, cols=len(k.header), style="Table Grid")
            for cell, text in zip(table.rows[0].cells, k.header):
                cell.text = text
            for row in k.rows:
                for cell, text in zip(table.add_row().cells, row):
                    cell.text = text
        elif k.kind == "figure":
            doc.add_picture(io.BytesIO(images[k.figure]), width=Cm(17))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
