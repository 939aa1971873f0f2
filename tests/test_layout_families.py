"""Table layouts real reports come in, each from a real report cut to what the test needs
(tests/fixtures/cuts/, from the labelled dev set): crawler dumps with glued digit runs, markdown
conversions with table 4 as three small tables, PDF conversions whose labels came off their rows,
and table 2 written as sentences."""

from __future__ import annotations

from conftest import FIXTURES, parse_json

CUTS = FIXTURES / "cuts"


def rules(got: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for f in got["findings"]:
        out.setdefault(f["rule"], []).append(f)
    return out


def test_crawler_dump_with_digit_runs():
    """The page body on one line, every row's cells glued into one run of digits: rows split
    where the row sums (T3), group sums (T4) or the cell count leave one reading."""
    got = parse_json(CUTS / "digit-runs.txt")
    assert got["ok"], got["error"]
    assert got["sections"] == [1, 2, 3, 4, 5, 6]
    assert got["t3"]["new_received"] == {
        "natural_person": 80,
        "commercial": 1,
        "research": 0,
        "social_welfare": 0,
        "legal_service": 0,
        "other_org": 0,
        "total": 81,
    }
    assert got["t3"]["unable_not_held"]["total"] == 31 and got["t3"]["total_processed"]["total"] == 81
    assert [got["t4"][f"review_{s}"] for s in ("upheld", "corrected", "other", "pending", "total")] == [1, 1, 0, 0, 2]
    assert got["t4"]["lit_direct_total"] == 5 and got["t4"]["lit_after_review_other"] == 1
    # single cells need no split; three glued cells of 规章 are one digit each
    assert (got["t2"]["licensing_decisions"], got["t2"]["fees_wan"]) == (2629, 5949.088667)
    assert (got["t2"]["regulations_issued"], got["t2"]["regulations_valid"]) == (0, 0)
    # T2 has no sum to check: "77132470" in three cells has many readings, none is taken
    assert got["t2"]["normative_issued"] is None and got["t2"]["normative_valid"] is None
    found = rules(got)
    ambiguous = found["digit_run_ambiguous"]
    assert len(ambiguous) == 1 and "77132470" in ambiguous[0]["message"] and "7|7|132470" in ambiguous[0]["message"]
    assert "digit_run_split" in found
    assert not [f for f in got["findings"] if f["severity"] == "error"]
    # every number keeps the line it was printed in: the body is line 6 of the file
    assert all(loc == "L6" for f in found["digit_run_split"] for loc in f["cells"])


def test_markdown_conversion_with_three_small_t4_tables():
    """Table 4 printed as three tables, one per group, each with its own header row: read by
    the group and outcome words, not by position; a header row a converter put in the middle of
    table 3 does not shift the rows after it."""
    got = parse_json(CUTS / "markdown-t4-three-tables.txt")
    t4 = got["t4"]
    assert [t4[f"review_{s}"] for s in ("upheld", "corrected", "other", "pending", "total")] == [27, 10, 9, 15, 61]
    assert [t4[f"lit_direct_{s}"] for s in ("upheld", "corrected", "other", "pending", "total")] == [3, 0, 0, 0, 3]
    assert [t4[f"lit_after_review_{s}"] for s in ("upheld", "corrected", "other", "pending", "total")] == [
        8,
        0,
        1,
        1,
        10,
    ]
    found = rules(got)
    assert "cells_by_position" not in found and "t4_group_sum" not in found
    assert got["t3"]["other_other"]["natural_person"] == 142 and got["t3"]["other_other"]["total"] == 143
    assert got["t3"]["total_processed"]["total"] == 718


def test_conversion_whose_labels_came_off_their_rows():
    """A PDF-to-markdown conversion left some T3 rows without their labels. T3 printed exactly
    as many rows as the format has and every labelled row stands in its place, so the rows
    without a label are the format's rows at their places, reported as placed by position."""
    got = parse_json(CUTS / "shredded-conversion.txt")
    t3 = got["t3"]
    assert t3["partially_granted"]["total"] == 0 and t3["denied_law_prohibited"]["total"] == 0
    assert t3["unable_not_held"]["natural_person"] == 4 and t3["unable_not_held"]["total"] == 4
    assert t3["other_no_correction"]["commercial"] == 2 and t3["other_no_correction"]["total"] == 10
    assert t3["denied_internal_affairs"]["total"] == 1  # its label, run together with the next row's, still placed it
    placed = [c for f in rules(got)["cells_by_position"] for c in f["cells"]]
    assert "t3.unable_not_held.total" in placed and "t3.granted.total" not in placed
    assert got["t4"]["review_upheld"] == 1 and got["t4"]["review_total"] == 1


def test_table_2_written_as_sentences(tmp_path):
    text = (
        "某县自然资源局2023年政府信息公开工作年度报告\n一、总体情况\n全年主动公开政府信息120条。\n"
        "二、主动公开政府信息情况\n"
        "本年出台行政规范性文件：制发件数2件，废止件数1件，现行有效件数22件。行政许可：本年处理决定数量450项；"
        "行政处罚：本年处理决定数量37项；行政强制：本年处理决定数量0项。行政事业性收费：本年收费金额12.5万元。\n"
        "三、收到和处理政府信息公开申请情况\n"
    )
    p = tmp_path / "t2-prose.txt"
    p.write_text(text, encoding="utf-8")
    got = parse_json(p)
    t2 = got["t2"]
    assert (t2["normative_issued"], t2["normative_repealed"], t2["normative_valid"]) == (2, 1, 22)
    assert (t2["licensing_decisions"], t2["punishment_decisions"], t2["coercion_decisions"]) == (450, 37, 0)
    assert t2["fees_wan"] == 12.5
    assert t2["regulations_issued"] is None  # not stated: NULL, never 0
