"""Bad input: each file gets a clear outcome and never stops the others."""

from __future__ import annotations

import os

import pytest
from conftest import FIXTURES, load_expected, mismatches, parse_json

GANZHOU = FIXTURES / "samples" / "ganzhou-jkq-2023.txt"


@pytest.fixture()
def report_text() -> str:
    return GANZHOU.read_text(encoding="utf-8")


def test_empty_file(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    got = parse_json(p)
    assert got["ok"] is False and "空" in got["error"]


def test_binary_file(tmp_path):
    p = tmp_path / "report.txt"
    p.write_bytes(os.urandom(4096) + b"\x00" * 100)
    got = parse_json(p)
    assert got["ok"] is False and "\n" not in got["error"]


def test_news_article_is_not_a_report(tmp_path):
    p = tmp_path / "news.html"
    p.write_text(
        "<html><body><h1>我市召开政务公开工作推进会</h1><p>11月20日，市政府召开政务公开工作推进会，"
        "会议强调要做好主动公开和依申请公开工作，提升政府信息公开质量。</p><p>各区县负责同志参加会议。</p>"
        "</body></html>",
        encoding="utf-8",
    )
    got = parse_json(p)
    assert got["ok"] is False and "不是政府信息公开工作年度报告" in got["error"]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-16", "utf-8-sig", "utf-16-le"])
def test_encodings(tmp_path, report_text, encoding):
    p = tmp_path / f"ganzhou-{encoding}.txt"
    p.write_bytes(report_text.replace("\xa0", " ").encode(encoding, errors="strict"))
    got = parse_json(p)
    exp = load_expected(FIXTURES / "samples" / "ganzhou-jkq-2023.expected.json")
    assert mismatches(exp, got) == []


def test_big5_traditional(tmp_path, report_text):
    from opencc_purepy import OpenCC

    trad = OpenCC("s2t").convert(report_text)
    p = tmp_path / "big5.txt"
    p.write_bytes(trad.encode("big5", errors="replace"))
    got = parse_json(p)
    assert got["ok"], got["error"]
    assert got["t2"]["normative_repealed"] == 56 and got["year"] == 2023


def test_truncated_report(tmp_path, report_text):
    """What is there is returned; the rest is NULL with a finding."""
    cut = report_text[: report_text.index("三、本年度办理结果")]
    p = tmp_path / "truncated.txt"
    p.write_text(cut, encoding="utf-8")
    got = parse_json(p)
    assert got["ok"]
    assert got["t2"]["normative_issued"] == 13
    assert got["t3"]["new_received"]["total"] == 0
    assert got["t3"]["granted"]["total"] is None and got["t4"]["review_total"] is None
    rules = {(f["rule"], tuple(f["cells"])) for f in got["findings"]}
    assert ("missing_table", ("t4",)) in rules
    assert any(r == "missing_section" for r, _ in rules)


def test_file_cut_mid_character(tmp_path, report_text):
    data = report_text.encode("utf-8")
    p = tmp_path / "cut.txt"
    p.write_bytes(data[: len(data) // 2 + 1])
    assert parse_json(p)["ok"]


def test_every_cell_slash(tmp_path, report_text):
    lines = [("\t/" if ln.strip().isdigit() else ln) for ln in report_text.split("\n")]
    p = tmp_path / "slashes.txt"
    p.write_text("\n".join(lines), encoding="utf-8")
    got = parse_json(p)
    assert got["ok"]
    assert all(v is None for v in got["t2"].values())
    assert all(v is None for cols in got["t3"].values() for v in cols.values())
    blank = [f for f in got["findings"] if f["rule"] == "blank_cells"]
    assert blank and len(blank[0]["cells"]) == 10 + 25 * 7 + 15


def test_unsupported_format_and_missing_file(tmp_path):
    p = tmp_path / "report.xyz"
    p.write_text("x")
    assert "不支持" in parse_json(p)["error"]
    assert parse_json(tmp_path / "nope.txt")["ok"] is False


def test_hostile_html_is_text(tmp_path):
    p = tmp_path / "x.html"
    p.write_text(
        '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        "<html><body><p>某某县教育局2023年政府信息公开工作年度报告</p><p>一、总体情况</p>"
        "<script>alert(1)</script><p>&b;</p><table><tr><td colspan='99999' rowspan='99999'>x</td></tr></table>"
        "</body></html>",
        encoding="utf-8",
    )
    got = parse_json(p)
    assert got["ok"] and got["agency"] == "某某县教育局"
