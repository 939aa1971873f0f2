"""Every format behind the one reader signature: PDF (text layer; scans rejected), DOCX with
merged and nested tables, Excel workbooks, legacy .doc/.wps, images. Binary fixtures are made
here from the layout fixture's figures, except the real PDF sample."""

from __future__ import annotations

import io
import json
import shutil
import zipfile

import pytest
from conftest import FIXTURES, load_expected, mismatches, parse_json

from etl.demo.render import Printed, docx_bytes, html_plain, positions, t2_rows, t3_rows, t4_rows

EXP = load_expected(FIXTURES / "layouts" / "pipe-markdown.expected.json")


def printed(fmt: str = "2021") -> Printed:
    sections = {"1": "（一）主动公开\n全年主动公开政府信息356条，发布政策解读信息12条，回应社会关切8条。\n"
                     "（二）依申请公开\n全年共收到政府信息公开申请13件。全年发生政府信息公开行政复议2件、行政诉讼1件。",
                "5": "政策解读形式仍较单一。", "6": "本年度未收取信息处理费。"}
    return Printed(EXP["agency"], EXP["year"], fmt, EXP["t2"], EXP["t3"], EXP["t4"], sections, EXP["publish_date"],
                   "江西省九江市德安县", "/")


def expect(exp: dict = EXP) -> dict:
    e = {k: v for k, v in exp.items() if k != "narrative"}
    e["narrative"] = {"info_published_total": 356, "policy_interpretations": 12, "responses_to_concerns": 8,
                      "applications_received_text": 13}
    return e


def test_real_pdf_sample():
    got = parse_json(FIXTURES / "samples" / "hongze-2024.pdf")
    assert got["ok"], got["error"]
    assert mismatches(load_expected(FIXTURES / "samples" / "hongze-2024.expected.json"), got) == []


def test_pdf_printed_by_chromium_table_across_pages(tmp_path):
    """A PDF with a text layer as a browser exports it; T3 runs over a page break."""
    from etl.demo.render import PdfPrinter

    with PdfPrinter() as printer:
        assert printer.available, "Chromium is missing: make system-deps"
        data = printer.pdf(html_plain(printed(), __import__("random").Random(1)))
    import pypdfium2 as pdfium

    assert len(pdfium.PdfDocument(data)) >= 2
    p = tmp_path / "report.pdf"
    p.write_bytes(data)
    assert mismatches(expect(), parse_json(p)) == []


def test_pdf_blank_cell_is_null_not_guessed(tmp_path):
    """An empty cell leaves no text in a PDF: the row's numbers cannot be placed by text
    alone, so they are NULL with a finding, never shifted into the wrong columns."""
    from dataclasses import replace

    from etl.demo.render import PdfPrinter

    p = printed()
    t3 = {r: dict(c) for r, c in p.t3.items()}
    t3["granted"]["research"] = None
    with PdfPrinter() as printer:
        data = printer.pdf(html_plain(replace(p, t3=t3, blank=""), __import__("random").Random(1)))
    path = tmp_path / "blank.pdf"
    path.write_bytes(data)
    got = parse_json(path)
    assert got["t3"]["granted"]["natural_person"] is None and got["t3"]["granted"]["research"] is None
    assert any(f["rule"] == "table_cells_unclear" for f in got["findings"])
    assert got["t3"]["partially_granted"]["total"] == EXP["t3"]["partially_granted"]["total"]


def test_scanned_pdf_and_images_are_rejected_with_what_to_install(tmp_path):
    import pypdfium2 as pdfium

    page = pdfium.PdfDocument(str(FIXTURES / "samples" / "hongze-2024.pdf"))[0]
    image = page.render(scale=1).to_pil()
    scan = tmp_path / "scan.pdf"
    image.save(scan, "PDF")
    png = tmp_path / "scan.png"
    image.save(png)
    for path in (scan, png):
        got = parse_json(path)
        assert got["ok"] is False and "OCR" in got["error"] and "tesseract" in got["error"]


def test_docx_with_merged_cells(tmp_path):
    p = tmp_path / "report.docx"
    p.write_bytes(docx_bytes(printed(), __import__("random").Random(1)))
    got = parse_json(p)
    assert mismatches(expect(), got) == []
    assert not [f for f in got["findings"] if f["severity"] == "error"]


def test_docx_2019_format_and_nested_table(tmp_path):
    import docx

    data = docx_bytes(printed("2019"), __import__("random").Random(1))
    d = docx.Document(io.BytesIO(data))
    outer = d.add_table(rows=1, cols=1)
    outer.cell(0, 0).add_table(rows=1, cols=2).cell(0, 0).text = "附表"  # a table nested in a cell
    buf = io.BytesIO()
    d.save(buf)
    p = tmp_path / "r2019.docx"
    p.write_bytes(buf.getvalue())
    got = parse_json(p)
    assert got["format_version"] == "2019"
    assert got["t2"]["normative_valid"] == EXP["t2"]["normative_valid"] and got["t2"]["fees_wan"] is None
    assert got["t3"]["granted"]["total"] == EXP["t3"]["granted"]["total"]


def _workbook(path, one_sheet: bool) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    p = printed()
    tables = [("二、主动公开政府信息情况", t2_rows(p)), ("三、收到和处理政府信息公开申请情况", t3_rows(p)),
              ("四、政府信息公开行政复议、行政诉讼情况", t4_rows(p))]
    ws = None
    offset = 0
    for title, rows in tables:
        if ws is None or not one_sheet:
            ws = wb.create_sheet(title[:10] if not one_sheet else "年报")
            offset = 0
            if not ws.max_row or ws.cell(1, 1).value is None:
                ws.cell(1, 1, f"{EXP['agency']}{EXP['year']}年政府信息公开工作年度报告")
                offset = 1
        ws.cell(offset + 1, 1, title)
        offset += 1
        placed, _ = positions(rows)
        for (text, cs, rs), (r, c) in placed:
            value = int(text) if text.isdigit() else (float(text.replace(",", "")) if text.replace(",", "").replace(
                ".", "", 1).isdigit() else text)
            ws.cell(offset + r + 1, c + 1, value)
            if cs > 1 or rs > 1:
                ws.merge_cells(start_row=offset + r + 1, start_column=c + 1, end_row=offset + r + rs,
                               end_column=c + cs)
        offset += len(rows) + 1
    wb.save(path)


@pytest.mark.parametrize("one_sheet", [True, False], ids=["one-sheet", "sheet-per-table"])
def test_excel_workbook(tmp_path, one_sheet):
    p = tmp_path / "tables.xlsx"
    _workbook(p, one_sheet)
    got = parse_json(p)
    assert got["ok"], got["error"]
    e = {k: v for k, v in expect().items() if k in ("agency", "year", "t2", "t3", "t4")}
    assert mismatches(e, got) == []


def test_legacy_doc_without_libreoffice(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    p = tmp_path / "old.doc"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    got = parse_json(p)
    assert got["ok"] is False and "LibreOffice" in got["error"]
    p2 = tmp_path / "old.wps"
    p2.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    assert "LibreOffice" in parse_json(p2)["error"]


@pytest.mark.parametrize("suffix", [".pdf", ".docx", ".xlsx"])
def test_truncated_binary_formats(tmp_path, suffix):
    if suffix == ".pdf":
        data = (FIXTURES / "samples" / "hongze-2024.pdf").read_bytes()
    elif suffix == ".docx":
        data = docx_bytes(printed(), __import__("random").Random(1))
    else:
        _workbook(tmp_path / "x.xlsx", True)
        data = (tmp_path / "x.xlsx").read_bytes()
    p = tmp_path / f"cut{suffix}"
    p.write_bytes(data[: len(data) // 3])
    got = parse_json(p)
    assert got["ok"] is False and ("损坏" in got["error"] or "不完整" in got["error"]), got["error"]


def test_docx_zip_bomb_is_rejected(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document>" + "a" * (300 * 1024 * 1024) + "</w:document>")
    p = tmp_path / "bomb.docx"
    p.write_bytes(buf.getvalue())
    assert p.stat().st_size < 2 * 1024 * 1024
    got = parse_json(p)
    assert got["ok"] is False and "压缩炸弹" in got["error"]


def test_formats_in_the_demo_corpus(tmp_path):
    """The generator renders some reports as DOCX and PDF; their values are the truth's."""
    from etl.demo.generate import generate

    recipe = __import__("etl.demo.recipe", fromlist=["load"]).load()
    recipe["layouts"] = {"docx": 1, "pdf": 1}
    recipe["scale"]["small"] = {**recipe["scale"]["small"], "years": [2023]}  # one year covers both formats
    generate(tmp_path, seed=4, scale="small", recipe=recipe)
    seen = set()
    for tf in sorted((tmp_path / "truth").glob("*.json")):
        t = json.loads(tf.read_text(encoding="utf-8"))
        if "file" not in t:
            continue
        seen.add(t["layout"])
        got = parse_json(tmp_path / t["file"])
        exp = {k: t[k] for k in ("year", "province", "city", "county", "format_version", "publish_date", "t2", "t3",
                                 "t4", "narrative")}
        exp["agency"] = t["printed_name"]
        assert mismatches(exp, got) == [], t["file"]
    assert {"docx", "pdf"} <= seen  # (the second file of a duplicate pair is printed as pipe text)
