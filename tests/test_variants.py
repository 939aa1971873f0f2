"""Variants the parser was not written against: whitespace reordered, CRLF, chrome."""

from __future__ import annotations

import re

from conftest import FIXTURES, load_expected, mismatches, parse_json

GANZHOU = FIXTURES / "samples" / "ganzhou-jkq-2023.txt"
EXP = load_expected(FIXTURES / "samples" / "ganzhou-jkq-2023.expected.json")


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8", newline="")
    return p


def test_crlf_and_trailing_spaces(tmp_path):
    text = GANZHOU.read_text(encoding="utf-8").replace("\n", "  \r\n")
    assert mismatches(EXP, parse_json(_write(tmp_path, "crlf.txt", text))) == []


def test_cells_without_tabs_and_blank_lines(tmp_path):
    """The same report as a plain dump: one cell per line, no tabs, blank lines between cells."""
    text = GANZHOU.read_text(encoding="utf-8")
    text = "\n\n".join(ln.strip() for ln in text.split("\n") if ln.strip())
    assert mismatches(EXP, parse_json(_write(tmp_path, "plain.txt", text))) == []


def test_spaces_instead_of_tabs(tmp_path):
    text = re.sub(r"^\t", "    ", GANZHOU.read_text(encoding="utf-8"), flags=re.M)
    assert mismatches(EXP, parse_json(_write(tmp_path, "spaces.txt", text))) == []


def test_report_inside_a_page_of_chrome(tmp_path):
    body = GANZHOU.read_text(encoding="utf-8")
    page = (
        "首页 > 政务公开 > 政府信息公开年报\n访问量：1024\n字号：大 中 小\n\n"
        + body
        + "\n\n主办：赣州市人民政府办公室 版权所有 电话 0797-8888888\n上一篇：2022年报告\n"
    )
    assert mismatches(EXP, parse_json(_write(tmp_path, "chrome.txt", page))) == []


def test_regions_csv_matches_package():
    from etl.paths import REGIONS_CSV
    from etl.reference.regions_csv import build_rows, render

    assert REGIONS_CSV.read_text(encoding="utf-8") == render(build_rows())
