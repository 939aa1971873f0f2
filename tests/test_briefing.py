"""The printed briefing (PDF and Word), the follow-up list and the agency export: the files are
opened and their numbers compared with the warehouse's."""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata

import duckdb
import openpyxl
import polars as pl
import pytest
from conftest import q
from docx import Document
from pypdf import PdfReader

from dashboard import agency_export, brief_data, briefing, followup
from dashboard.queries import Scope

LIVE = "FROM reports r JOIN agencies a USING (agency_id) WHERE NOT r.is_duplicate"
PROVINCE, YEAR = "江西省", 2024


@pytest.fixture(scope="module")
def con(db):
    with duckdb.connect(str(db), read_only=True) as c:
        yield c


@pytest.fixture(scope="module")
def pdf(con) -> PdfReader:
    data = briefing.build(con, Scope(province=PROVINCE), YEAR, "pdf", today=dt.date(2026, 11, 26))
    assert data.startswith(b"%PDF")
    return PdfReader(io.BytesIO(data))


def truth(db, where: str = "") -> dict:
    """The headline numbers straight from the warehouse, not through the dashboard's queries."""
    row = q(
        db,
        f"""SELECT count(*), sum(t3__new_received__total), sum(t2__normative_issued), sum(t4__review_total),
                           count(*) FILTER (WHERE days_late > 0), count(*) FILTER (WHERE n_errors > 0)
                    {LIVE} AND a.province = ? AND r.year = ? {where}""",
        [PROVINCE, YEAR],
    )[0]
    return dict(zip(("reports", "applications", "normative_issued", "reviews", "late", "inconsistent"), row))


def text_of(reader: PdfReader) -> str:
    """The PDF's text; NFKC because the font maps some characters to Kangxi radicals (⼯ for 工)."""
    text = unicodedata.normalize("NFKC", "\n".join(p.extract_text() for p in reader.pages))
    return re.sub(r"[ \t]+", " ", text)


def flat(text: str) -> str:
    """Sentences wrapped over lines joined again."""
    return text.replace("\n", "")


def test_pdf_states_scope_year_and_the_warehouse_numbers(db, pdf):
    text = text_of(pdf)
    t = truth(db)
    assert f"{PROVINCE}{YEAR}年度政府信息公开工作年度报告分析简报" in flat(text)
    assert "生成日期:2026-11-26" in flat(text)
    assert f"共收到政府信息公开工作年度报告 {t['reports']:,} 份" in flat(text)
    assert re.search(rf"收到申请 {t['applications']:,.0f} ", text), "headline row for applications"
    assert re.search(rf"制发行政规范性文件 {t['normative_issued']:,.0f} ", text)
    assert re.search(rf"行政复议 {t['reviews']:,.0f} ", text)
    assert f"逾期发布 {t['late']:,} 份" in flat(text)
    assert f"{t['inconsistent']:,} 份报告的表格数字不平衡或合计不符" in flat(text)
    assert 2 <= len(pdf.pages) <= 8


def test_pdf_has_its_charts(pdf):
    images = sum(len(p.images) for p in pdf.pages)
    assert 3 <= images <= 5


def test_docx_has_the_same_numbers_and_charts(db, con):
    data = briefing.build(con, Scope(province=PROVINCE), YEAR, "docx")
    doc = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in doc.paragraphs)
    t = truth(db)
    assert f"{PROVINCE}{YEAR}年度" in text and f"共收到政府信息公开工作年度报告 {t['reports']:,} 份" in text
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in doc.tables[0].rows}
    assert rows["收到申请"][1] == f"{t['applications']:,.0f}"
    assert rows["行政复议"][1] == f"{t['reviews']:,.0f}"
    assert rows["报告数"][1] == f"{t['reports']:,}"
    assert 3 <= len(doc.inline_shapes) <= 5


def test_year_over_year_change_is_over_the_panel_with_raw_totals_beside(db, con):
    """The change compares the agencies that have the value in both years; the table shows both
    years' raw totals and how many reports each covers."""
    b = brief_data.gather(con, Scope(province=PROVINCE), YEAR)
    col = "t3__new_received__total"
    now = truth(db)["applications"]
    before = q(db, f"SELECT sum({col}) {LIVE} AND a.province = ? AND r.year = ?", [PROVINCE, YEAR - 1])[0][0]
    p_now, p_before, agencies = q(
        db,
        f"""WITH v AS (SELECT r.agency_id, r.year, r.{col} x {LIVE} AND a.province = ? AND r.year IN (?, ?)
                       AND r.{col} IS NOT NULL)
            SELECT sum(x) FILTER (WHERE year = ?), sum(x) FILTER (WHERE year = ?), count(DISTINCT agency_id)
            FROM v WHERE agency_id IN (SELECT agency_id FROM v GROUP BY 1 HAVING count(DISTINCT year) = 2)""",
        [PROVINCE, YEAR, YEAR - 1, YEAR, YEAR - 1],
    )[0]
    h = b.headline("applications")
    assert (h.value, h.previous) == (now, before)
    assert (h.panel_value, h.panel_previous, h.panel_agencies) == (p_now, p_before, agencies)
    assert h.change() == f"{(p_now - p_before) / p_before * 100:+.1f}%"
    n, covered = q(db, f"SELECT count(*), count({col}) {LIVE} AND a.province = ? AND r.year = ?", [PROVINCE, YEAR])[0]
    assert h.coverage() == f"{covered:,}/{n:,}"
    assert f"按两年均有数的 {agencies:,} 个机关计" in brief_data.summary(b)


def test_the_briefing_says_what_its_numbers_cover(pdf, db):
    text = flat(text_of(pdf))
    n, covered = q(
        db,
        f"SELECT count(*), count(n__responses_to_concerns) {LIVE} AND a.province = ? AND r.year = ?",
        [PROVINCE, YEAR],
    )[0]
    assert covered < 0.8 * n  # the fixture: responses to concerns are stated in few reports' text
    assert unicodedata.normalize("NFKC", f"回应关切（{covered:,}/{n:,} 份）") in text  # named as partial
    assert "有数报告/报告" in text and "同比所据机关" in text


def test_pdf_title_is_the_briefings(pdf):
    assert pdf.metadata.title == f"{PROVINCE}{YEAR}年度政府信息公开工作年度报告分析简报"


def test_no_chart_text_is_cut_off(con):
    """The briefing's charts as kaleido draws them (SVG from the same drawing as the PNG), measured in
    Chromium: every text inside the picture, and the ranking's names in full, with their counts."""
    import shutil

    from playwright.sync_api import sync_playwright

    from dashboard import brief_render

    b = brief_data.gather(con, Scope(), YEAR)
    figs = brief_render.figures(b)
    assert len(figs) >= 4
    svgs = brief_render.chart_images(figs, "svg")
    ranked = b.subregions.drop_nulls(["value", "name"]).filter(pl.col("covered") >= brief_render.MIN_REPORTS)
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    cut, labels = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1000, "height": 1000})
        for i, (fig, svg) in enumerate(zip(figs, svgs)):
            page.set_content(f"<html><body style='margin:0'>{svg.decode()}</body></html>")
            result = page.evaluate(
                """() => {
                  const svg = document.querySelector('svg').getBoundingClientRect();
                  const out = {cut: [], ticks: []};
                  for (const t of document.querySelectorAll('svg text')) {
                    const s = t.textContent.trim();
                    if (!s) continue;
                    const r = t.getBoundingClientRect();
                    const out_x = r.left < svg.left - 1 || r.right > svg.right + 1;
                    if (out_x || r.top < svg.top - 1 || r.bottom > svg.bottom + 1) out.cut.push(s);
                  }
                  out.ticks = Array.from(document.querySelectorAll('.ytick text')).map(t => t.textContent);
                  return out;
                }"""
            )
            cut += [f"chart {i + 1}: {s}" for s in result["cut"]]
            if "按时发布率" in (fig.layout.title.text or ""):
                labels = result["ticks"]
        browser.close()
    assert not cut, cut
    assert labels, "the briefing ranks the sub-regions"
    names = [lab for lab in labels if lab != "……"]
    want = {f"{r['name']}（{r['covered']:,} 份）" for r in ranked.iter_rows(named=True)}
    assert names and set(names) <= want, names


def test_empty_scope_gives_a_short_honest_briefing(con):
    data = briefing.build(con, Scope(province=PROVINCE), 1999, "pdf")
    reader = PdfReader(io.BytesIO(data))
    text = text_of(reader)
    assert len(reader.pages) == 1
    assert "在库中没有政府信息公开工作年度报告" in flat(text) and "不含统计和图表" in flat(text)
    assert sum(len(p.images) for p in reader.pages) == 0
    doc = Document(io.BytesIO(briefing.build(con, Scope(province=PROVINCE), 1999, "docx")))
    assert len(doc.inline_shapes) == 0


def test_cli_writes_the_file_and_refuses_bad_input(db, tmp_path, capsys):
    out = tmp_path / "brief.docx"
    assert briefing.main(["--db", str(db), "--scope", PROVINCE, "--year", str(YEAR), "--out", str(out)]) == 0
    assert out.stat().st_size > 10_000 and "已生成" in capsys.readouterr().out
    assert briefing.main(["--db", str(db), "--scope", "火星省", "--out", str(tmp_path / "x.pdf")]) == 2
    assert "库中没有“火星省”" in capsys.readouterr().err
    assert briefing.main(["--db", str(db), "--out", str(tmp_path / "x.txt")]) == 2
    assert ".pdf 或 .docx" in capsys.readouterr().err
    assert briefing.main(["--db", str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "x.pdf")]) == 2


def test_scope_names_resolve(db, con):
    city = q(db, "SELECT city FROM agencies WHERE province = ? AND city IS NOT NULL LIMIT 1", [PROVINCE])[0][0]
    assert brief_data.resolve_scope(con, "全国") == Scope()
    assert brief_data.resolve_scope(con, PROVINCE) == Scope(province=PROVINCE)
    assert brief_data.resolve_scope(con, city) == Scope(province=PROVINCE, city=city)
    assert brief_data.resolve_scope(con, f"{PROVINCE}/{city}") == Scope(province=PROVINCE, city=city)
    with pytest.raises(brief_data.ScopeError):
        brief_data.resolve_scope(con, "不存在市")


def test_followup_workbook_lists_every_finding_to_fix(db, con, tmp_path):
    out = tmp_path / "todo.xlsx"
    assert followup.main(["--db", str(db), "--scope", PROVINCE, "--year", str(YEAR), "--out", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    detail = list(wb["督办清单"].iter_rows(values_only=True))
    header, rows = detail[0], detail[1:]
    n = q(
        db,
        """SELECT count(*) FROM findings f JOIN agencies a USING (agency_id)
                 WHERE a.province = ? AND f.year = ? AND f.severity IN ('error', 'warning')""",
        [PROVINCE, YEAR],
    )[0][0]
    assert len(rows) == n > 0
    assert set(header) >= {"机关", "问题", "涉及表格和单元格", "规则", "规则说明"}
    col = dict(zip(header, range(len(header))))
    t3 = [r for r in rows if r[col["规则"]] == "t3_row_sum"]
    assert all("表三" in r[col["涉及表格和单元格"]] and "t3." not in r[col["涉及表格和单元格"]] for r in t3)
    assert all(r[col["规则说明"]] for r in rows)  # every rule in words
    per_agency = list(wb["按机关汇总"].iter_rows(values_only=True))[1:]
    assert sum(r[-1] + r[-2] for r in per_agency) == n


def test_agency_export_has_every_year_and_value(db, con):
    agency_id, years = q(db, f"SELECT r.agency_id, count(*) {LIVE} GROUP BY 1 ORDER BY 2 DESC LIMIT 1")[0]
    wb = openpyxl.load_workbook(io.BytesIO(agency_export.workbook(con, agency_id)))
    assert wb.sheetnames == ["报告", "各年度数字", "发现的问题"]
    grid = list(wb["各年度数字"].iter_rows(values_only=True))
    assert len(grid[0]) == 2 + years
    row = next(r for r in grid if r[0] == "表三 一、本年新收政府信息公开申请数量 / 总计")
    want = [
        v
        for (v,) in q(
            db,
            "SELECT t3__new_received__total FROM reports WHERE agency_id = ? AND NOT is_duplicate ORDER BY year",
            [agency_id],
        )
    ]
    assert list(row[2:]) == want
