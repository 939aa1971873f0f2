"""The loop between the warehouse and the review store, through real loads: finding ids and origins
stored at load, people's corrections applied before the checks, 已整改 set by the data (a newer
file, or a correction), 逾期未改 at load, and counts that leave out reading doubts and dismissed
findings. On SQLite and on a real PostgreSQL server (review_support)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
from conftest import FIXTURES, q
from review_records import actor

from dashboard import decisions
from dashboard import queries as dq
from etl.pipeline import run_load
from etl.review.corrections import correct, withdraw
from etl.review.model import Decision
from etl.review.queries import history, state_of
from etl.review.store import default_path, open_store
from etl.review.warehouse import read_findings
from etl.review.workflow import decide
from etl.warehouse.version import SCHEMA_VERSION, compatibility

pytest_plugins = ["review_support"]

SAMPLE = (FIXTURES / "samples" / "ganzhou-jkq-2023.txt").read_text(encoding="utf-8")
NAME = "赣州经济技术开发区党政办公室"
CELL = "t3__new_received__natural_person"
ADMIN = actor("管理员", "admin", "全国")


def clean(agency: str) -> str:
    """The real sample under another agency's name: on time, no finding at all. (Each test agency
    lies in another city: the same prose in one region would be 雷同, the agencies' own problem.)"""
    return SAMPLE.replace(NAME, agency)


def broken(agency: str) -> str:
    """本年新收 of natural persons printed 5 where the total says 0: two arithmetic errors."""
    lines = SAMPLE.split("\n")
    assert lines[90] == "\t0"
    lines[90] = "\t5"
    return "\n".join(lines).replace(NAME, agency)


def doubtful(agency: str) -> str:
    """Two channels' counts where one total stood: a doubt about our reading (prose_count_ambiguous)."""
    return clean(agency).replace(
        "我办2023年度公开政府信息4494条", "我办通过政府网站公开政府信息754条，通过政务新媒体公开政府信息2808条"
    )


def folder(tmp_path: Path, **files: str) -> Path:
    d = tmp_path / "reports"
    d.mkdir(exist_ok=True)
    for name, text in files.items():
        (d / f"{name}.txt").write_text(text, encoding="utf-8")
    return d


def load(src: Path, db: Path, url: str | None):
    return run_load([str(src)], db, progress=False, jobs=1, review_db=url)


def of(db: Path, agency: str, origin: str | None = None) -> dict:
    """The findings of one agency in the warehouse, by rule (FindingRefs, as the review pages get them)."""
    return {
        f.rule: f
        for f in read_findings(db).findings.values()
        if f.agency_name == agency and (origin is None or f.origin == origin)
    }


def counts(db: Path, ids) -> dict:
    """Scores and counts as the dashboard computes them, with `ids` dismissed."""
    with duckdb.connect(str(db), read_only=True) as con:
        decisions.attach(con, ids)
        scores = {r["agency"]: r for r in dq.compliance_scores(con, dq.Scope(), 2023).iter_rows(named=True)}
        follow = set(dq.followup_findings(con, dq.Scope(), 2023)["finding_id"])
        sc = dq.scope_counts(con, dq.Scope(), 2023).row(0, named=True)
        pc = dq.problem_counts(con, dq.Scope(), 2023).row(0, named=True)
        errs = dq.error_reports(con, dq.Scope(), 2023).height
    return {
        "scores": scores,
        "followup": follow,
        "inconsistent": sc["inconsistent"],
        "errors": pc["errors"],
        "listed": errs,
    }


def test_a_reading_doubt_costs_nothing_and_a_dismissed_finding_leaves_every_count(tmp_path, store_url):
    db, url, _ = store_url
    src = folder(tmp_path, a=doubtful("南昌市财政局"), b=broken("九江市统计局"), c=clean("上饶市商务局"))
    load(src, db, url)
    doubt = of(db, "南昌市财政局")
    assert {f.origin for f in doubt.values()} == {"reading"} and "prose_count_ambiguous" in doubt
    errors = of(db, "九江市统计局")
    assert set(errors) == {"t3_balance", "t3_row_sum"} and {f.origin for f in errors.values()} == {"report"}

    before = counts(db, frozenset())
    s = before["scores"]
    assert s["南昌市财政局"]["score"] == s["上饶市商务局"]["score"] == 100  # the doubt costs nothing
    assert s["南昌市财政局"]["n_warnings"] == 0
    assert s["九江市统计局"]["score"] == 80 and s["九江市统计局"]["n_errors"] == 2
    assert before["followup"] == {f.finding_id for f in errors.values()}  # the doubt goes to 核查, not 督办
    assert (before["inconsistent"], before["errors"], before["listed"]) == (1, 1, 1)

    with open_store(db, url) as store:
        decide(store, ADMIN, [Decision(f, "已排除", "原件核对无误，系表格排版所致") for f in errors.values()])
        ids = decisions.read_ids(db, url)
    assert ids == {f.finding_id for f in errors.values()}
    after = counts(db, ids)
    assert after["scores"]["九江市统计局"]["score"] == 100 and after["scores"]["九江市统计局"]["n_errors"] == 0
    assert after["followup"] == set()
    assert (after["inconsistent"], after["errors"], after["listed"]) == (0, 0, 0)
    # without the live set, the warehouse's record of the last load stands; the next load records the dismissal
    assert counts(db, None)["scores"]["九江市统计局"]["score"] == 80
    load(src, db, url)  # nothing new: the record is not rewritten
    (src / "d.txt").write_text(clean("景德镇市教育局"), encoding="utf-8")
    load(src, db, url)
    assert counts(db, None)["scores"]["九江市统计局"]["score"] == 100
    assert set(r[0] for r in q(db, "SELECT finding_id FROM dismissed")) == ids


def test_a_correction_changes_the_value_clears_its_finding_marks_it_fixed_and_is_reversible(tmp_path, store_url):
    db, url, _ = store_url
    src = folder(tmp_path, b=broken("九江市统计局"))
    load(src, db, url)
    row_sum = of(db, "九江市统计局")["t3_row_sum"]
    report = read_findings(db).by_sha[row_sum.report_sha256]
    with open_store(db, url) as store:
        decide(store, ADMIN, [Decision(row_sum, "已确认", "表格确有不符")])
        correct(store, ADMIN, report, CELL, 0.0, original=5.0, reason="核对 PDF 原件，此格为 0")

    s = load(src, db, url)  # the file is unchanged: it is read again because its correction is new
    assert s.written and s.corrected == 1 and s.fixed == 2
    rid = row_sum.report_sha256[:16]
    assert q(db, f"SELECT {CELL}, n_errors FROM reports") == [(0.0, 0)]
    assert q(db, "SELECT raw FROM cells WHERE field = ?", [CELL]) == [("5",)]  # what the file printed
    assert q(db, "SELECT report_id, field, value, original_value, account, reason FROM corrections") == [
        (rid, CELL, 0.0, 5.0, "管理员", "核对 PDF 原件，此格为 0")
    ]
    assert of(db, "九江市统计局") == {}
    with open_store(db, url) as store:
        assert state_of(store, row_sum) == "已整改"
        last = history(store, row_sum.finding_id)[-1]
        assert (last.from_state, last.to_state, last.account) == ("已确认", "已整改", "系统")
        withdraw(store, ADMIN, report, CELL, reason="更正有误，撤回")

    s = load(src, db, url)  # the withdrawal: the value read from the file comes back, and its findings
    assert s.written and s.corrected == 0
    assert q(db, f"SELECT {CELL}, n_errors FROM reports") == [(5.0, 2)]
    assert q(db, "SELECT count(*) FROM corrections") == [(0,)]
    assert set(of(db, "九江市统计局")) == {"t3_balance", "t3_row_sum"}


def test_a_newer_file_that_fixes_the_arithmetic_marks_the_finding_fixed(tmp_path, store_url):
    db, url, _ = store_url
    src = folder(tmp_path, b=broken("九江市统计局"))
    load(src, db, url)
    found = of(db, "九江市统计局")
    with open_store(db, url) as store:
        decide(store, ADMIN, [Decision(f, "已确认", "确有不符") for f in found.values()])
        decide(store, ADMIN, [Decision(f, "已通知", None, date(2999, 1, 1)) for f in found.values()])
        untouched = of(db, "九江市统计局")["t3_balance"]
    (src / "b.txt").write_text(clean("九江市统计局"), encoding="utf-8")  # the agency's corrected file
    s = load(src, db, url)
    assert s.fixed == 2 and of(db, "九江市统计局") == {}
    with open_store(db, url) as store:
        for f in found.values():
            assert state_of(store, f) == "已整改"
            last = history(store, f.finding_id)[-1]
            assert last.from_state == "已通知" and "复核通过" in last.note and "b.txt" in last.note
        assert untouched.finding_id in {f.finding_id for f in found.values()}


def test_overdue_items_are_marked_at_load(tmp_path, store_url):
    db, url, _ = store_url
    src = folder(tmp_path, b=broken("九江市统计局"))
    load(src, db, url)
    f = of(db, "九江市统计局")["t3_row_sum"]
    with open_store(db, url) as store:
        decide(store, ADMIN, [Decision(f, "已确认", "确有不符")])
        decide(store, ADMIN, [Decision(f, "已通知", None, date(2020, 2, 1))], today=date(2020, 1, 1))
    s = load(src, db, url)  # nothing new in the files: the deadline alone
    assert not s.written and s.overdue == 1
    with open_store(db, url) as store:
        assert state_of(store, f) == "逾期未改"


def test_a_missing_store_is_created_and_an_unreachable_one_never_fails_the_load(tmp_path):
    db = tmp_path / "w.duckdb"
    src = folder(tmp_path, b=broken("九江市统计局"))
    assert not default_path(db).exists()
    load(src, db, None)
    assert default_path(db).exists()  # created beside the warehouse, as the dashboard finds it
    f = of(db, "九江市统计局")["t3_row_sum"]
    with open_store(db) as store:
        correct(store, ADMIN, read_findings(db).by_sha[f.report_sha256], CELL, 0.0, original=5.0, reason="原件为 0")
    load(src, db, None)
    assert q(db, f"SELECT {CELL} FROM reports") == [(0.0,)]
    (src / "c.txt").write_text(clean("上饶市商务局"), encoding="utf-8")
    s = load(src, db, "postgresql://nobody:pw@127.0.0.1:1/none?connect_timeout=2")
    assert s.written and s.loaded == 1 and any("复核库无法打开" in n for n in s.review_notes)
    assert q(db, f"SELECT {CELL} FROM reports WHERE agency_printed = '九江市统计局'") == [(0.0,)]  # kept
    assert q(db, "SELECT count(*) FROM corrections") == [(1,)]


def test_a_warehouse_of_version_2_gets_its_finding_ids_at_the_next_load(tmp_path):
    db = tmp_path / "w.duckdb"
    src = folder(tmp_path, a=doubtful("南昌市财政局"), b=broken("九江市统计局"))
    load(src, db, None)
    ids = q(db, "SELECT finding_id, origin, rule FROM findings ORDER BY ALL")
    assert len(ids) == 3 and all(r[0] and len(r[0]) == 16 for r in ids)
    con = duckdb.connect(str(db))
    con.execute("ALTER TABLE findings DROP COLUMN finding_id")
    con.execute("DROP TABLE corrections")
    con.execute("DROP TABLE dismissed")
    con.execute("UPDATE warehouse_meta SET value = '2' WHERE key = 'schema_version'")
    con.close()
    assert compatibility(db).status == "older"
    s = load(src, db, None)
    assert s.written and s.migrated_from == 2 and compatibility(db).found == SCHEMA_VERSION
    assert q(db, "SELECT finding_id, origin, rule FROM findings ORDER BY ALL") == ids


def test_a_corrected_file_under_another_name_fixes_the_findings_of_the_one_it_supersedes(tmp_path):
    db = tmp_path / "w.duckdb"
    src = folder(tmp_path, b=broken("九江市统计局"))
    load(src, db, None)
    found = of(db, "九江市统计局")
    later = clean("九江市统计局").replace("2024年1月30日", "2024年3月30日")  # published again, later
    (src / "b-更正版.txt").write_text(later, encoding="utf-8")
    s = load(src, db, None)
    assert s.fixed == 2 and q(db, "SELECT count(*) FILTER (WHERE is_duplicate), count(*) FROM reports") == [(1, 2)]
    with open_store(db) as store:
        for f in found.values():
            assert state_of(store, f) == "已整改"
            assert "b-更正版.txt" in history(store, f.finding_id)[-1].note


def test_the_dashboard_counts_a_dismissal_at_once_after_clear_and_else_within_the_ttl(tmp_path):
    from review_records import finding

    db = tmp_path / "w.duckdb"
    open_store(db).close()
    decisions.clear()
    assert decisions.live_ids(db) == frozenset()
    with open_store(db) as store:
        decide(store, ADMIN, [Decision(finding(1), "已确认", "确有问题")])
        decide(store, ADMIN, [Decision(finding(1), "已排除", "原件无误")])
    assert decisions.live_ids(db) == frozenset()  # still the cached set (TTL_SECONDS)
    decisions.clear()  # what a review page calls after an action
    assert decisions.live_ids(db) == {finding(1).finding_id}
    assert decisions.live_mark(db) == decisions.fingerprint(frozenset({finding(1).finding_id}))


def test_a_corrected_cell_is_no_longer_a_doubt_a_sum_that_still_breaks_is_the_reports_own_error(tmp_path):
    import dataclasses

    from etl.check.report_rules import validate
    from etl.model import Finding
    from etl.pipeline import parse_path
    from etl.review.apply import apply_corrections

    path = tmp_path / "b.txt"
    path.write_text(broken("九江市统计局"), encoding="utf-8")
    r = parse_path(str(path)).report
    placed = ("t3.new_received.natural_person", "t3.new_received.commercial")
    unchecked = dataclasses.replace(
        r, findings=(Finding("cells_by_position", "info", "按位置读取", placed),)
    )  # as if the row's labels were lost and its numbers placed by position
    before = [f.rule for f in validate(unchecked).findings]
    assert before.count("reading_sums_break") == 2 and "t3_row_sum" not in before and "t3_balance" not in before
    # a person confirms the printed 5 (a correction to the same value): the column's balance now breaks
    # over certain cells only, the agency's error; the row still has a cell placed by position: a doubt
    after = validate(apply_corrections(unchecked, {CELL: 5.0}))
    rules = [(f.rule, f.origin, f.severity) for f in after.findings]
    assert ("t3_balance", "report", "error") in rules and ("reading_sums_break", "reading", "warning") in rules
    assert [f.cells for f in after.findings if f.rule == "cells_by_position"] == [("t3.new_received.commercial",)]
    # and a correction that makes the row add up clears both
    cleared = {f.rule for f in validate(apply_corrections(unchecked, {CELL: 0.0})).findings}
    assert not cleared & {"t3_row_sum", "reading_sums_break", "t3_balance"}


def test_a_correction_saved_on_the_page_is_loaded_in_the_background(tmp_path):
    """What the 核查 page starts after a correction (etl.upload.start_reload): the report's file loaded
    again in a child process under the writer lock, the correction applied and its checks rerun."""
    import time

    from etl import upload

    db = tmp_path / "w.duckdb"
    url = f"sqlite:///{tmp_path / 'review.sqlite'}"
    src = folder(tmp_path, b=broken("九江市统计局"))
    load(src, db, url)
    row_sum = of(db, "九江市统计局")["t3_row_sum"]
    with open_store(db, url) as store:
        correct(store, ADMIN, read_findings(db).by_sha[row_sum.report_sha256], CELL, 0.0, original=5.0, reason="核对")
    job_id = upload.start_reload([str(src / "b.txt"), str(tmp_path / "gone.txt")], db, url)
    for _ in range(240):
        job = upload.read_job(db, job_id)
        if job is not None and job.state in ("done", "failed"):
            break
        time.sleep(0.5)
    assert job.state == "done", job
    assert q(db, f"SELECT {CELL}, n_errors FROM reports") == [(0.0, 0)]
    assert of(db, "九江市统计局") == {}
    try:
        upload.start_reload([str(tmp_path / "gone.txt")], db, url)
    except upload.UploadRefused as e:
        assert "下次入库" in str(e)
    else:
        raise AssertionError("a file that is not on this machine cannot be loaded again")


def test_decisions_survive_a_full_rebuild_of_the_warehouse_from_the_same_files(tmp_path, store_url):
    """The warehouse is rebuilt from files and swapped; the decisions people made stay with their
    findings (keyed by agency, year, rule and cells, or the file's sha256, never by row ids)."""
    db, url, _ = store_url
    src = folder(tmp_path, a=doubtful("南昌市财政局"), b=broken("九江市统计局"))
    load(src, db, url)
    errors, doubt = of(db, "九江市统计局"), of(db, "南昌市财政局")["prose_count_ambiguous"]
    with open_store(db, url) as store:
        decide(store, ADMIN, [Decision(errors["t3_balance"], "已排除", "原件无误")])
        decide(store, ADMIN, [Decision(errors["t3_row_sum"], "已确认", "确有不符")])
        decide(store, ADMIN, [Decision(doubt, "已确认读数", "读数无误")])
    before = {f.finding_id for f in read_findings(db).findings.values()}

    db.unlink()  # rebuilt from the same files into a new warehouse
    load(src, db, url)
    assert {f.finding_id for f in read_findings(db).findings.values()} == before
    with open_store(db, url) as store:
        assert state_of(store, of(db, "九江市统计局")["t3_balance"]) == "已排除"
        assert state_of(store, of(db, "九江市统计局")["t3_row_sum"]) == "已确认"
        assert state_of(store, of(db, "南昌市财政局")["prose_count_ambiguous"]) == "已确认读数"
        ids = decisions.read_ids(db, url)
    assert counts(db, ids)["scores"]["九江市统计局"]["n_errors"] == 1  # the dismissed one still does not count
