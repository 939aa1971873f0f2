"""Every format behind the one reader signature: PDF (text layer; scans read by OCR), DOCX with
merged and nested tables, Excel workbooks, legacy .doc/.wps, images. Binary fixtures are made
here from the layout fixture's figures, except the real PDF sample."""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import FIXTURES, load_expected, mismatches, parse_json

from etl.demo.render import Printed, docx_bytes, html_plain, positions, t2_rows, t3_rows, t4_rows
from etl.read import ocr
from etl.registry.fields import BY_REF, T3_ROW_ZH

EXP = load_expected(FIXTURES / "layouts" / "pipe-markdown.expected.json")
EXP_HONGZE = load_expected(FIXTURES / "samples" / "hongze-2024.expected.json")


def printed(fmt: str = "2021") -> Printed:
    sections = {
        "1": "（一）主动公开\n全年主动公开政府信息356条，发布政策解读信息12条，回应社会关切8条。\n"
        "（二）依申请公开\n全年共收到政府信息公开申请13件。全年发生政府信息公开行政复议2件、行政诉讼1件。",
        "5": "政策解读形式仍较单一。",
        "6": "本年度未收取信息处理费。",
    }
    return Printed(
        EXP["agency"],
        EXP["year"],
        fmt,
        EXP["t2"],
        EXP["t3"],
        EXP["t4"],
        sections,
        EXP["publish_date"],
        "江西省九江市德安县",
        "/",
    )


def expect(exp: dict = EXP) -> dict:
    e = {k: v for k, v in exp.items() if k != "narrative"}
    e["narrative"] = {
        "info_published_total": 356,
        "policy_interpretations": 12,
        "responses_to_concerns": 8,
        "applications_received_text": 13,
    }
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


def test_pdf_blank_cell_is_null_and_the_row_survives(tmp_path):
    """An empty cell leaves no text in a PDF: the row's numbers are placed by their x positions
    (the columns the other rows print their numbers in), so the blank cell is NULL and every
    other cell of the row keeps its value, none shifted into the wrong column."""
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
    assert got["t3"]["granted"]["research"] is None
    for col, want in EXP["t3"]["granted"].items():
        if col != "research":
            assert got["t3"]["granted"][col] == want, col
    assert got["t3"]["partially_granted"] == EXP["t3"]["partially_granted"]
    assert any(f["rule"] == "blank_cells" and "t3.granted.research" in f["cells"] for f in got["findings"])


def _scan(tmp_path: Path, pages: list[int] | None = None, suffix: str = ".pdf") -> Path:
    """A scan of the real sample: its pages as pictures (144 dpi) in an image-only PDF or a PNG."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(FIXTURES / "samples" / "hongze-2024.pdf"))
    images = [doc[i].render(scale=2).to_pil().convert("RGB") for i in (pages or range(len(doc)))]
    path = tmp_path / f"scan{suffix}"
    images[0].save(path, save_all=True, append_images=images[1:], resolution=144)
    return path


def flagged(got: dict, miss: str) -> bool:
    """A misread value is acceptable only where a finding points at it: its cell named in an
    error or warning, or (a row whose numbers could not be placed) its row named in words."""
    ref = miss.split(":")[0]
    words = [BY_REF[ref].zh.split()[0]] if ref.startswith("t2.") and ref in BY_REF else []
    words += [lab for k, lab in T3_ROW_ZH.items() if ref.startswith(f"t3.{k}.")]
    return any(
        f["severity"] in ("error", "warning") and (ref in f["cells"] or any(w in f["message"] for w in words))
        for f in got["findings"]
    )


@pytest.mark.skipif(not ocr.available(), reason="the OCR engine (extra: ocr) is not installed")
def test_scanned_pdf_is_read_by_ocr(tmp_path):
    from etl.extract.report_json import to_json
    from etl.pipeline import parse_path

    out = parse_path(str(_scan(tmp_path)))
    assert out.report is not None, out.error
    got = to_json(out.report)
    misses = mismatches(EXP_HONGZE, got)
    assert all(flagged(got, m) for m in misses), [m for m in misses if not flagged(got, m)]
    values = len(EXP_HONGZE["t2"]) + sum(len(c) for c in EXP_HONGZE["t3"].values()) + len(EXP_HONGZE["t4"])
    assert len(misses) <= 0.05 * values  # the reading is good, not merely flagged
    ocr_note = next(f for f in got["findings"] if f["rule"] == "ocr_read")
    assert "扫描件" in ocr_note["message"] and ("可信" in ocr_note["message"] or "核对" in ocr_note["message"])
    assert out.report.fmt == "ocr"  # provenance: read by OCR, page and confidence on every value
    loc = out.report.t3["granted"]["total"].loc
    assert re.fullmatch(r"L\d+ OCR第3页 置信度[01]\.\d\d 区域[\d.]+,[\d.]+,[\d.]+,[\d.]+", loc)
    _region_shows_the_number(tmp_path / "scan.pdf", loc, out.report.t3["granted"]["total"].raw)


def _region_shows_the_number(scan: Path, loc: str, raw: str) -> None:
    """The region a location names is where the number is printed: the picture the agency page
    shows (the page drawn again, cut around the line) is read again and has the number on it."""
    import numpy as np

    from dashboard.source_image import crop, region_of

    page, region = region_of(loc)
    picture = crop(scan, page, region)
    assert picture is not None and picture.height < picture.width  # a band of the page, not the whole page
    assert raw in " ".join(b.text for b in ocr._ocr(np.asarray(picture)))
    assert crop(scan, 99, region) is None  # no such page: no picture, no error


@pytest.mark.skipif(not ocr.available(), reason="the OCR engine (extra: ocr) is not installed")
def test_image_of_a_table_page_is_read_by_ocr(tmp_path):
    got = parse_json(_scan(tmp_path, [2], ".png"))  # the page with table 3
    assert got["ok"], got.get("error")
    misses = mismatches({"t3": EXP_HONGZE["t3"]}, got)
    absent = {row for row, cols in got["t3"].items() if all(v is None for v in cols.values())}
    misread = [m for m in misses if m.split(".")[1] not in absent]  # rows past the page end are not on it
    assert all(flagged(got, m) for m in misread), misread
    assert len(absent) <= 12 and len(misread) <= 3


def test_scans_without_the_ocr_engine_are_rejected_with_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(ocr, "available", lambda: False)
    for path in (_scan(tmp_path, [0]), _scan(tmp_path, [0], ".png")):
        got = parse_json(path)
        assert got["ok"] is False and "OCR" in got["error"] and "rapidocr" in got["error"]


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
    tables = [
        ("二、主动公开政府信息情况", t2_rows(p)),
        ("三、收到和处理政府信息公开申请情况", t3_rows(p)),
        ("四、政府信息公开行政复议、行政诉讼情况", t4_rows(p)),
    ]
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
            value = (
                int(text)
                if text.isdigit()
                else (float(text.replace(",", "")) if text.replace(",", "").replace(".", "", 1).isdigit() else text)
            )
            ws.cell(offset + r + 1, c + 1, value)
            if cs > 1 or rs > 1:
                ws.merge_cells(start_row=offset + r + 1, start_column=c + 1, end_row=offset + r + rs, end_column=c + cs)
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
        exp = {
            k: t[k]
            for k in (
                "year",
                "province",
                "city",
                "county",
                "format_version",
                "publish_date",
                "t2",
                "t3",
                "t4",
                "narrative",
            )
        }
        exp["agency"] = t["printed_name"]
        assert mismatches(exp, got) == [], t["file"]
    assert {"docx", "pdf"} <= seen  # (the second file of a duplicate pair is printed as pipe text)


@pytest.mark.skipif(not ocr.available(), reason="the OCR engine (extra: ocr) is not installed")
def test_demo_corpus_scans_are_read_by_ocr(tmp_path):
    """The generator turns some printed PDFs into scans; the OCR reading matches the truth or
    the checks flag what it misread."""
    from etl.demo.generate import generate
    from etl.read.pdf import page_texts

    recipe = __import__("etl.demo.recipe", fromlist=["load"]).load()
    recipe["layouts"] = {"pdf": 1}
    recipe["scale"]["small"] = {**recipe["scale"]["small"], "years": [2023], "scans": 1}
    generate(tmp_path, seed=4, scale="small", recipe=recipe)
    truths = [json.loads(p.read_text(encoding="utf-8")) for p in (tmp_path / "truth").glob("*.json")]
    scan = next(t for t in truths if t.get("layout") == "scan")
    path = tmp_path / scan["file"]
    assert sum(len(t.strip()) for t in page_texts(path.read_bytes())) == 0  # no text layer left
    got = parse_json(path)
    exp = {k: scan[k] for k in ("year", "t2", "t3", "t4")}
    misses = mismatches(exp, got)
    assert all(flagged(got, m) for m in misses), misses
    assert any(f["rule"] == "ocr_read" for f in got["findings"])


def test_a_pdf_number_is_shown_on_its_page_of_the_original():
    """Source tracing of a text-layer PDF: each line of the text knows its page, and the page the
    agency page names for a number is the page that prints it."""
    from dashboard.source_image import page_of_line, page_picture
    from etl.pipeline import parse_path
    from etl.read.pdf import line_pages, page_texts, read

    path = FIXTURES / "samples" / "hongze-2024.pdf"
    assert len(line_pages(path.read_bytes())) == len(read(str(path), path.read_bytes()).lines)
    out = parse_path(str(path))
    assert out.report is not None, out.error
    v = out.report.t3["granted"]["total"]
    line = int(re.match(r"L(\d+)", v.loc)[1])
    page = page_of_line(path, line)
    texts = page_texts(path.read_bytes())
    assert page is not None and v.raw in texts[page - 1]
    assert page_picture(path, page) is not None and page_picture(path, len(texts) + 1) is None
