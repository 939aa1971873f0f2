"""The warehouse side of the review store (finding ids computed from a warehouse file, fixes
between two loads) and the Excel round trip, store side: every row validated, valid rows applied
in one transaction, refused rows reported, never half a row. On SQLite and a real PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from openpyxl import Workbook
from review_records import actor, tiny_warehouse

from etl.cli import main as etl_main
from etl.registry.rules import BY_ID
from etl.review.accounts import Accounts
from etl.review.errors import ImportFailed, ReviewError
from etl.review.excel import import_workbook, parse_deadline, read_rows
from etl.review.identity import agency_key, finding_id, reading_finding_id, report_finding_id
from etl.review.queries import export_columns, history, notes, state_of, states
from etl.review.warehouse import fixes_between, read_findings
from etl.warehouse import finding_ids
from etl.warehouse.agencies import name_key

pytest_plugins = ["review_support"]

TODAY = date(2025, 3, 1)
SHA_A, SHA_B, SHA_Z = "a1" * 32, "b2" * 32, "c3" * 32
GZ = dict(
    agency_id=1,
    name="赣州市章贡区教育局",
    region_code="360702",
    province="江西省",
    city="赣州市",
    county="章贡区",
)
ZJ = dict(
    agency_id=2,
    name="杭州市西湖区教育局",
    region_code="330106",
    province="浙江省",
    city="杭州市",
    county="西湖区",
)
AK = agency_key("360702", name_key(GZ["name"]))


def warehouse(path: Path, gz_sha: str = SHA_A, gz_rules=("t3_row_sum", "t4_group_sum"), extra=()) -> Path:
    reports = [
        dict(GZ, year=2023, sha256=gz_sha, path=f"2023/章贡区教育局-{gz_sha[:2]}.pdf"),
        dict(ZJ, year=2023, sha256=SHA_Z, path="2023/西湖区教育局.html"),
    ]
    found = [
        dict(report_id=gz_sha[:16], agency_id=1, year=2023, rule=r, cells="t3.x.total,t3.a.total") for r in gz_rules
    ]
    found += [
        dict(
            report_id=gz_sha[:16],
            agency_id=1,
            year=2023,
            rule="ocr_read",
            cells="t2.b,t2.a",
            severity="warning",
        ),
        dict(report_id=SHA_Z[:16], agency_id=2, year=2023, rule="t3_row_sum", cells="t3.y.total"),
    ]
    return tiny_warehouse(path, reports, [*found, *extra])


def gz_id(rule: str = "t3_row_sum") -> str:
    return report_finding_id(AK, 2023, rule, "t3.x.total,t3.a.total")  # as stored: unsorted


ZJ_ID = report_finding_id(agency_key("330106", name_key(ZJ["name"])), 2023, "t3_row_sum", "t3.y.total")


def test_finding_ids_are_computed_from_the_warehouse(tmp_path):
    w = read_findings(warehouse(tmp_path / "w.duckdb"))
    assert set(w.findings) == {
        gz_id(),
        gz_id("t4_group_sum"),
        reading_finding_id(SHA_A, "ocr_read", "t2.a,t2.b"),
        ZJ_ID,
    }
    f = w.findings[gz_id()]
    assert (f.origin, f.agency_key, f.year, f.cells, f.report_sha256) == (
        "report",
        AK,
        2023,
        "t3.a.total,t3.x.total",
        SHA_A,
    )
    assert (f.province, f.city, f.county, f.agency_name) == (
        "江西省",
        "赣州市",
        "章贡区",
        "赣州市章贡区教育局",
    )
    assert w.findings[reading_finding_id(SHA_A, "ocr_read", "t2.a,t2.b")].origin == "reading"
    assert w.by_sha[SHA_A].agency_name == "赣州市章贡区教育局" and w.by_sha[SHA_Z].province == "浙江省"
    assert set(read_findings(tmp_path / "w.duckdb", [ZJ_ID]).findings) == {ZJ_ID}


def test_the_stored_id_and_origin_are_read_and_an_older_warehouse_is_refused(tmp_path):
    path = warehouse(tmp_path / "w.duckdb")
    con = duckdb.connect(str(path))
    con.execute("UPDATE findings SET finding_id = 'feedfacefeedface', origin = 'reading' WHERE rule = 't4_group_sum'")
    con.close()
    ids = read_findings(path).findings
    assert ids["feedfacefeedface"].origin == "reading" and gz_id("t4_group_sum") not in ids
    con = duckdb.connect(str(path))
    con.execute("ALTER TABLE findings DROP COLUMN finding_id")  # a warehouse of schema version 2
    con.close()
    with pytest.raises(ReviewError, match="旧版结构"):
        read_findings(path)


def test_ids_stored_by_the_loader_agree_with_the_python_functions_on_the_real_warehouse(db):
    w = read_findings(db)
    con = duckdb.connect(str(db), read_only=True)
    raw = con.execute("""SELECT a.region_code, a.name_key, f.year, f.rule, f.cells, r.sha256, f.origin, f.finding_id
                         FROM findings f JOIN agencies a USING (agency_id)
                         LEFT JOIN reports r USING (report_id)""").fetchall()
    con.close()
    for code, key, year, rule, cells, sha, origin, fid in raw:
        assert origin == BY_ID[rule].origin  # the registry is the one source of origins
        want = finding_id(origin, agency=agency_key(code, key), year=year, rule=rule, cells=cells, report_sha256=sha)
        assert fid == want
    assert len(raw) > 10 and set(w.findings) == {r[-1] for r in raw}
    assert {f.origin for f in w.findings.values()} == {"report", "reading"}


def test_fixes_between_two_loads_name_both_files(tmp_path):
    missing = dict(report_id=None, agency_id=3, year=2023, rule="missing_report", cells="", scope="cross")
    other = dict(GZ, agency_id=3, name="赣州市章贡区财政局")
    old = warehouse(tmp_path / "old.duckdb", extra=[missing])
    con = duckdb.connect(str(old))  # the agency that had not filed
    con.execute(
        "INSERT INTO agencies (agency_id, name, name_key, region_code, province, city, county) "
        "VALUES (3, ?, ?, '360702', '江西省', '赣州市', '章贡区')",
        [other["name"], name_key(other["name"])],
    )
    finding_ids.fill(con)  # its missing_report finding gets its id once the agency is there, as at load
    con.close()
    new = tiny_warehouse(
        tmp_path / "new.duckdb",
        [
            dict(GZ, year=2023, sha256=SHA_B, path="2023/章贡区教育局-b2.pdf"),
            dict(other, year=2023, sha256="d4" * 32, path="2023/章贡区财政局.html"),
        ],
        [
            dict(
                report_id=SHA_B[:16],
                agency_id=1,
                year=2023,
                rule="t4_group_sum",
                cells="t3.x.total,t3.a.total",
            )
        ],
    )
    fixes = {x.finding.rule: x for x in fixes_between(old, new)}
    assert set(fixes) == {"t3_row_sum", "missing_report"}  # ocr_read is our doubt, not the agency's to fix
    fixed = fixes["t3_row_sum"]
    assert fixed.finding.finding_id == gz_id() and fixed.finding.province == "江西省"
    assert (fixed.old_file.path, fixed.old_file.sha256) == ("2023/章贡区教育局-a1.pdf", SHA_A)
    assert (fixed.new_file.path, fixed.new_file.sha256) == ("2023/章贡区教育局-b2.pdf", SHA_B)
    assert fixes["missing_report"].old_file is None and fixes["missing_report"].new_file.sha256 == "d4" * 32
    # the same file with a finding gone (a rule changed) is no fix
    same = warehouse(tmp_path / "same.duckdb", gz_rules=("t4_group_sum",))
    assert fixes_between(old, same) == []
    with pytest.raises(ReviewError, match="找不到数据库"):
        fixes_between(old, tmp_path / "none.duckdb")


def workbook(path: Path, rows: list[tuple]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "督办清单"
    ws.append(["省", "机关", "问题", "编号", "状态", "说明", "期限"])
    for r in rows:
        ws.append(list(r))
    ws2 = wb.create_sheet("按机关汇总")
    ws2.append(["编号"])
    wb.save(path)
    return path


@pytest.fixture
def wh(tmp_path):
    path = warehouse(tmp_path / "w.duckdb")
    return path, read_findings(path).findings


def test_an_edited_workbook_applies_valid_rows_and_reports_the_rest(store, wh, tmp_path):
    path, found = wh
    reviewer = actor()
    confirm, dismiss, doubt = (
        gz_id(),
        gz_id("t4_group_sum"),
        reading_finding_id(SHA_A, "ocr_read", "t2.a,t2.b"),
    )
    rows = [
        ("江西省", "改过的机关名（只读列，忽略）", "", confirm, "已确认", "核实属实", None),
        ("江西省", "", "", dismiss, "已排除", "", None),  # no reason
        ("江西省", "", "", "0123456789abcdef", "已确认", "", None),  # unknown id
        ("浙江省", "", "", ZJ_ID, "已确认", "", None),  # outside the scope
        ("江西省", "", "", doubt, "已确认读数", "与原件一致", "下周"),  # bad date
        (None, None, None, None, None, None, None),  # blank row
    ]
    report = import_workbook(store, reviewer, workbook(tmp_path / "x.xlsx", rows), found, today=TODAY)
    assert [(x.row, x.finding_id, x.what) for x in report.changed] == [(2, confirm, "待核实 → 已确认")]
    assert [(x.row, x.finding_id) for x in report.refused] == [
        (3, dismiss),
        (4, "0123456789abcdef"),
        (5, ZJ_ID),
        (6, doubt),
    ]
    reasons = [x.what for x in report.refused]
    assert "须写明理由" in reasons[0] and "不在当前数据中" in reasons[1] and "不在您的范围" in reasons[2]
    assert "不是日期" in reasons[3]
    assert state_of(store, found[confirm]) == "已确认" and history(store, confirm)[0].via == "excel"
    assert states(store).keys() == {confirm}  # nothing of a refused row was applied
    assert history(store, confirm)[0].account == "张三"


def test_notice_dates_unknown_states_notes_and_unchanged_rows(store, wh, tmp_path):
    path, found = wh
    reviewer = actor()
    a, b, doubt = gz_id(), gz_id("t4_group_sum"), reading_finding_id(SHA_A, "ocr_read", "t2.a,t2.b")
    import_workbook(
        store,
        reviewer,
        workbook(tmp_path / "1.xlsx", [("", "", "", a, "已确认", "", None), ("", "", "", b, "已确认", "", None)]),
        found,
        today=TODAY,
    )
    rows = [
        ("", "", "", a, "已通知", "已发函", datetime(2025, 3, 31)),  # a date cell
        ("", "", "", b, "已确认", "经办人已知悉", ""),  # same state, new 说明: a note
        ("", "", "", doubt, "待核查", "", ""),  # nothing changes
        ("", "", "", doubt, "待核查", "", ""),
    ]  # an identical repeat counts once
    r = import_workbook(store, reviewer, workbook(tmp_path / "2.xlsx", rows), found, today=TODAY)
    assert [x.what for x in r.changed] == ["已确认 → 已通知（期限 2025-03-31）"]
    assert [x.finding_id for x in r.noted] == [b] and r.unchanged == 1 and r.refused == ()
    assert states(store, [a])[a].deadline == date(2025, 3, 31)
    assert [n.text for n in notes(store, b)] == ["经办人已知悉"]
    # the export shows the latest 说明, and the same workbook imported again adds nothing
    assert export_columns(store, {k: found[k] for k in (a, b)}) == {
        a: ("已通知", "已发函", "2025-03-31"),
        b: ("已确认", "经办人已知悉", ""),
    }
    again = import_workbook(store, reviewer, tmp_path / "2.xlsx", found, today=TODAY)
    assert (again.changed, again.noted, again.unchanged) == ((), (), 3)
    rows = [
        ("", "", "", a, "已整改", "", ""),
        ("", "", "", b, "办结", "", ""),
        ("", "", "", a, "已确认", "", ""),
    ]  # a repeated id with different content: both refused
    r = import_workbook(store, reviewer, workbook(tmp_path / "3.xlsx", rows), found, today=TODAY)
    assert r.changed == () and [x.row for x in r.refused] == [2, 3, 4]
    assert "出现 2 次" in r.refused[0].what and "未知状态“办结”" in r.refused[1].what
    assert state_of(store, found[a]) == "已通知"


def test_dry_run_and_viewer_write_nothing(store, wh, tmp_path):
    path, found = wh
    book = workbook(tmp_path / "x.xlsx", [("", "", "", gz_id(), "已确认", "", None)])
    r = import_workbook(store, actor(), book, found, today=TODAY, dry_run=True)
    assert len(r.changed) == 1 and not r.applied and states(store) == {}
    r = import_workbook(store, actor("赵六", "viewer", "全国"), book, found, today=TODAY)
    assert r.changed == () and "只读" in r.refused[0].what and states(store) == {}


def test_unreadable_workbooks_are_refused_whole(tmp_path):
    (tmp_path / "x.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(ImportFailed, match="不是可读的 Excel"):
        read_rows(tmp_path / "x.xlsx")
    wb = Workbook()
    wb.active.append(["机关", "状态"])
    wb.save(tmp_path / "y.xlsx")
    with pytest.raises(ImportFailed, match="没有“编号”列"):
        read_rows(tmp_path / "y.xlsx")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2025-03-31", date(2025, 3, 31)),
        ("2025/3/1", date(2025, 3, 1)),
        ("2025年3月31日", date(2025, 3, 31)),
        ("", None),
    ],
)
def test_deadline_formats(text, expected):
    assert parse_deadline(text) == expected
    with pytest.raises(ValueError):
        parse_deadline("2025-02-30")


def test_review_import_command_line(store_url, tmp_path, capsys):
    warehouse_path, url, _ = store_url
    warehouse(warehouse_path)
    where = ["--db", str(warehouse_path)] + (["--review-db", url] if url else [])
    from etl.review.store import open_store

    with open_store(warehouse_path, url) as s:
        Accounts(s).add("张三", "password-123", "reviewer", "江西省/赣州市")
    book = workbook(
        tmp_path / "x.xlsx",
        [("", "", "", gz_id(), "已确认", "", None), ("", "", "", ZJ_ID, "已确认", "", None)],
    )
    assert etl_main(["review", "import", str(book), "--user", "张三", *where]) == 1
    out = capsys.readouterr().out
    assert "已应用 1 条状态变更" in out and "拒绝 1 行" in out and "第 3 行" in out and "不在您的范围" in out
    assert etl_main(["review", "import", str(book), "--user", "无此人", *where]) == 2
    assert "导入失败，未作任何改动：没有账户“无此人”" in capsys.readouterr().err
    assert etl_main(["review", "overdue", *where]) == 0
    assert "0 条" in capsys.readouterr().out


def test_cli_refuses_a_missing_warehouse(tmp_path, capsys):
    book = workbook(tmp_path / "x.xlsx", [])
    assert etl_main(["review", "import", str(book), "--db", str(tmp_path / "none.duckdb"), "--user", "x"]) == 2
    assert "找不到数据库" in capsys.readouterr().err
