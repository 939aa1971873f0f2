"""Digit runs: a row's cells printed without separators are split only where the table's own
identities leave exactly one reading; otherwise NULL with the candidates, never a guess."""

from __future__ import annotations

from conftest import FIXTURES, parse_json

from etl.extract import digitruns
from etl.extract.rows import Row
from etl.extract.tables import map_rows
from etl.model import Cell


def test_a_t3_row_split_by_its_row_sum():
    assert digitruns.t3_row(["801000081"]) == [(80, 1, 0, 0, 0, 0, 81)]
    assert digitruns.t3_row(["230", "000023"]) == [(23, 0, 0, 0, 0, 0, 23)]  # printed spaces are boundaries


def test_a_run_no_reading_fits_is_refused():
    assert digitruns.t3_row(["191000019"]) == []  # its total is not the sum of any six cells


def test_several_readings_are_settled_by_the_columns_of_the_whole_table():
    cands = digitruns.t3_row(["220000022"])
    assert len(cands) == 2  # 2|20|…|22 and 22|0|…|22 both add up
    rows = {
        "new_received": (22, 0, 0, 0, 0, 0, 22),
        "carried_over": (0,) * 7,
        "total_processed": (22, 0, 0, 0, 0, 0, 22),
        "carried_forward": (0,) * 7,
    }
    got = digitruns.resolve_t3(rows, {"granted": cands}, ["granted"])
    assert got["granted"] == (22, 0, 0, 0, 0, 0, 22)


def test_t4_split_by_its_group_sums():
    assert digitruns.t4_row(["110024001510102"]) == [(1, 1, 0, 0, 2, 4, 0, 0, 1, 5, 1, 0, 1, 0, 2)]
    assert digitruns.t4_row(["4001051055200461262219"]) == []


def test_t2_has_no_sum_so_only_a_run_with_one_reading_splits():
    assert digitruns.plain(["000"], 3) == [(0, 0, 0)]
    assert len(digitruns.plain(["2135"], 3)) == 3


def _rows(*rows: tuple[str, str]) -> list[Row]:
    return [Row((label,), (Cell(run, f"L{i}"),), False, i, True) for i, (label, run) in enumerate(rows, start=1)]


def test_the_mapper_takes_the_one_reading_and_refuses_the_ambiguous():
    res = map_rows(
        _rows(
            ("第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数规章", "000"),
            ("行政规范性文件", "2135"),
            ("一、本年新收政府信息公开申请数量", "801000081"),
        )
    )
    assert [res.t2[f"regulations_{c}"].value for c in ("issued", "repealed", "valid")] == [0, 0, 0]
    assert res.t2["normative_issued"] is None and res.t2["normative_valid"] is None
    assert res.t3["new_received"]["natural_person"].value == 80 and res.t3["new_received"]["total"].value == 81
    amb = [f for f in res.findings if f.rule == "digit_run_ambiguous"]
    assert len(amb) == 1 and "2|1|35" in amb[0].message and amb[0].cells == ("L2",)


def test_one_digit_a_cell_whose_sum_breaks_is_a_reading_doubt_not_the_agencys_error(tmp_path):
    """Seven digits for seven cells can only be read one way; if that row then does not add up,
    a cell may have been lost in the printing: a doubt about the reading, not an error."""
    text = (FIXTURES / "cuts" / "digit-runs.txt").read_text(encoding="utf-8")
    text = text.replace("申请数量801000081", "申请数量3000000")
    p = tmp_path / "r.txt"
    p.write_text(text, encoding="utf-8")
    got = parse_json(p)
    assert got["t3"]["new_received"]["natural_person"] == 3 and got["t3"]["new_received"]["total"] == 0
    rules = {f["rule"]: f for f in got["findings"]}
    assert "reading_sums_break" in rules and "t3_row_sum" not in rules
    assert "t3.new_received.total" in rules["cells_by_position"]["cells"]
