"""Every finding rule: a case that triggers it and one that does not."""

from __future__ import annotations

from dataclasses import replace

import pytest
from conftest import FIXTURES
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.check.report_rules import validate
from etl.extract.assemble import parse_document
from etl.model import ProseCount, Value
from etl.read.source import read_source, to_document
from etl.registry.fields import APPLICANT_COLUMNS, T3_COLUMN_KEYS, T3_OUTCOME_ROWS

BASE = parse_document(to_document(read_source(FIXTURES / "layouts" / "pipe-markdown.txt")))


def rules(report) -> set[str]:
    return {f.rule for f in validate(report).findings}


def v(x):
    return Value(x, "" if x is None else str(x), "test")


def with_t3(report, row, col, value):
    t3 = {r: dict(c) for r, c in report.t3.items()}
    t3[row][col] = v(value)
    return replace(report, t3=t3)


def test_base_report_is_clean():
    # the fixture prints 规章 as "/": only the blank-cell note is expected
    assert rules(BASE) == {"blank_cells"}


def test_t3_balance():
    bad = with_t3(BASE, "carried_forward", "natural_person", 5)
    assert "t3_balance" in rules(bad)


def test_t3_row_sum():
    bad = with_t3(BASE, "carried_over", "total", 2)
    assert "t3_row_sum" in rules(bad)


def test_t3_outcome_sum():
    bad = with_t3(BASE, "granted", "commercial", 3)
    assert "t3_outcome_sum" in rules(bad)


def test_t3_blank_total_is_reported_not_zeroed():
    rep = with_t3(BASE, "granted", "total", None)
    found = validate(rep).findings
    assert any(f.rule == "t3_row_sum" and f.severity == "warning" for f in found)
    assert any(f.rule == "blank_cells" and "t3.granted.total" in f.cells for f in found)


def test_t4_group_sum():
    t4 = dict(BASE.t4)
    t4["review_total"] = v(5)
    assert "t4_group_sum" in rules(replace(BASE, t4=t4))


def test_t2_negative_and_fraction():
    t2 = dict(BASE.t2)
    t2["licensing_decisions"] = v(-1)
    assert "t2_invalid_number" in rules(replace(BASE, t2=t2))
    t2["licensing_decisions"] = v(2.5)
    assert "t2_invalid_number" in rules(replace(BASE, t2=t2))
    t2 = dict(BASE.t2)
    t2["fees_wan"] = v(2.5)  # fees in 万元 may be decimals
    assert "t2_invalid_number" not in rules(replace(BASE, t2=t2))


def test_t2_repealed_exceeds():
    t2 = dict(BASE.t2)
    t2["normative_repealed"] = v(40)
    assert "t2_repealed_exceeds" in rules(replace(BASE, t2=t2))


def test_negative_t3_value():
    assert "negative_value" in rules(with_t3(BASE, "denied_query_matter", "research", -1))


def test_narrative_vs_table():
    narrative = dict(BASE.narrative)
    narrative["applications_received_text"] = ProseCount(17, "受理政府信息公开申请17件", "L1")
    assert "narrative_vs_table" in rules(replace(BASE, narrative=narrative))


def test_narrative_cases_vs_t4():
    assert "narrative_cases_vs_t4" not in rules(BASE)  # prose says 2 and 1, table agrees
    assert "narrative_cases_vs_t4" in rules(replace(BASE, narrative_counts={"review": 3}))
    assert "narrative_cases_vs_t4" in rules(replace(BASE, narrative_counts={"litigation": 0}))


def test_missing_sections_and_tables():
    assert "missing_section" in rules(replace(BASE, sections=(1, 2, 3, 4)))
    text = (FIXTURES / "layouts" / "pipe-markdown.txt").read_text(encoding="utf-8")
    cut = text[: text.index("四、政府信息公开行政复议")]
    from etl.read import text as text_reader

    rep = parse_document(text_reader.read("cut.txt", cut.encode()))
    found = validate(rep).findings
    assert any(f.rule == "missing_table" and "t4" in f.cells for f in found)
    assert all(x.value is None for x in [rep.t4[k] for k in rep.t4] if x is not None) or all(
        rep.t4[k] is None for k in rep.t4
    )
    assert rep.t3["granted"]["total"].value == 5  # what is there is returned


def test_format_2019_after_2021():
    assert "format_2019_after_2021" in rules(replace(BASE, format_version="2019", year=2022))
    assert "format_2019_after_2021" not in rules(replace(BASE, format_version="2019", year=2020))


def test_title_year_mismatch():
    assert "title_year_mismatch" in rules(replace(BASE, title_year=2022, period_year=2023))
    assert "title_year_mismatch" not in rules(replace(BASE, title_year=2023, period_year=2023))


def test_blank_cells_info():
    assert "blank_cells" not in rules(
        replace(
            BASE,
            t2={
                **BASE.t2,
                "regulations_issued": v(0),
                "regulations_repealed": v(0),
                "regulations_valid": v(0),
            },
        )
    )
    found = [f for f in validate(BASE).findings if f.rule == "blank_cells"]
    assert found[0].severity == "info" and set(found[0].cells) == {
        "t2.regulations_issued",
        "t2.regulations_repealed",
        "t2.regulations_valid",
    }


# ---- property tests of the arithmetic rules ----------------------------------------------


@st.composite
def balanced_t3(draw):
    """A T3 that obeys the format's arithmetic: applicant columns drawn, totals derived."""
    t3 = {}
    outcome = {r: {c: draw(st.integers(0, 30)) for c in APPLICANT_COLUMNS} for r in T3_OUTCOME_ROWS}
    processed = {c: sum(outcome[r][c] for r in T3_OUTCOME_ROWS) for c in APPLICANT_COLUMNS}
    carried_over = {c: draw(st.integers(0, min(5, processed[c]))) for c in APPLICANT_COLUMNS}
    forward = {c: draw(st.integers(0, 10)) for c in APPLICANT_COLUMNS}
    new = {c: processed[c] + forward[c] - carried_over[c] for c in APPLICANT_COLUMNS}
    rows = {
        **outcome,
        "total_processed": processed,
        "carried_over": carried_over,
        "carried_forward": forward,
        "new_received": new,
    }
    for r, cols in rows.items():
        t3[r] = {c: v(cols[c]) for c in APPLICANT_COLUMNS}
        t3[r]["total"] = v(sum(cols.values()))
    return t3


T3_RULES = {"t3_balance", "t3_row_sum", "t3_outcome_sum"}


@settings(max_examples=60, deadline=None)
@given(balanced_t3())
def test_balanced_tables_raise_nothing(t3):
    assert not (rules(replace(BASE, t3=t3)) & T3_RULES)


@settings(max_examples=60, deadline=None)
@given(
    balanced_t3(),
    st.sampled_from(list(T3_OUTCOME_ROWS) + ["new_received", "carried_over", "carried_forward"]),
    st.sampled_from(T3_COLUMN_KEYS),
    st.integers(1, 9),
)
def test_any_changed_cell_is_caught(t3, row, col, delta):
    t3 = {r: dict(c) for r, c in t3.items()}
    t3[row][col] = v(t3[row][col].value + delta)
    assert rules(replace(BASE, t3=t3)) & T3_RULES


@pytest.mark.parametrize("group", ["review", "lit_direct", "lit_after_review"])
def test_t4_each_group(group):
    t4 = dict(BASE.t4)
    t4[f"{group}_pending"] = v((t4[f"{group}_pending"].value or 0) + 1)
    assert "t4_group_sum" in rules(replace(BASE, t4=t4))


def test_table_cells_unclear_and_repeated_row():
    from etl.read import text as text_reader

    src = (FIXTURES / "layouts" / "pipe-markdown.txt").read_text(encoding="utf-8")
    assert not {"table_cells_unclear", "t3_row_repeated"} & rules(BASE)
    # a T3 row that lost cells, and a row printed twice (a header repeated on a new page)
    bad = src.replace(
        "| 二、上年结转政府信息公开申请数量 | 1 | 0 | 0 | 0 | 0 | 0 | 1 | |",
        "| 二、上年结转政府信息公开申请数量 | 1 | 0 | 1 |",
    )
    bad = bad.replace(
        "| 四、结转下年度继续办理 |",
        "| （一）予以公开 | 4 | 1 | 0 | 0 | 0 | 0 | 5 |\n| 四、结转下年度继续办理 |",
    )
    assert bad != src
    rep = parse_document(text_reader.read("bad.txt", bad.encode()))
    got = rules(rep)
    assert {"table_cells_unclear", "t3_row_repeated"} <= got
    assert rep.t3["carried_over"]["natural_person"] is None  # not guessed from 3 numbers
