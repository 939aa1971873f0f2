"""The page-data checks (etl/check/page_rules.py) on a small page_evidence table built here:
each rule fires where it should and stays quiet where it should not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest

from etl.check import page_rules
from etl.check.page_rules import PAGE_EVIDENCE_COLUMNS, PAGE_RULES, TABLE, create_page_evidence, evidence_rows
from etl.collect.manifest import Manifest, Source, Version

COL = "http://www.a.gov.cn/xxgk/ndbg/"
NAMES = [c[0] for c in PAGE_EVIDENCE_COLUMNS]


def t(s: str) -> datetime:
    return datetime.fromisoformat(s)


@pytest.fixture
def con():
    c = duckdb.connect()
    create_page_evidence(c)
    yield c
    c.close()


def add(con, **kw) -> None:
    """One evidence row: a report page of 甲局 (a department) in its column, served fine, unless told."""
    row = {
        "agency": "甲局",
        "agency_kind": "department",
        "agency_level": "province",
        "year": 2023,
        "kind": "page",
        "url": "http://www.a.gov.cn/xxgk/ndbg/t1.html",
        "column_url": COL,
        "http_status": 200,
        "blocked": False,
        "content_type": "text/html",
        "size": 1000,
        "sha256": "s1",
        "text_sha256": "x1",
        "version": 1,
        "first_seen": t("2024-01-10 09:00"),
        "last_seen": t("2024-01-10 09:00"),
    }
    row.update(kw)
    unknown = set(row) - set(NAMES)
    assert not unknown, unknown
    con.execute(f"INSERT INTO {TABLE} VALUES ({', '.join('?' for _ in NAMES)})", [row.get(n) for n in NAMES])


def column(con, first: str = "2024-01-10 09:00", last: str = "2024-06-01 09:00", **kw) -> None:
    for when in (first, last):
        add(
            con,
            kind="list",
            url=COL,
            year=None,
            sha256="l" + when,
            text_sha256=None,
            page_published=None,
            first_seen=t(when),
            last_seen=t(when),
            **kw,
        )


def rules(findings) -> list[tuple[str, str | None, int | None]]:
    return sorted((f.rule, f.agency, f.year) for f in findings)


def test_table_is_documented_once():
    assert len(NAMES) == len(set(NAMES)) and all(doc for _, _, doc in PAGE_EVIDENCE_COLUMNS)
    assert set(PAGE_RULES) == {"page_late", "page_unavailable", "page_changed", "page_not_in_column"}


def test_late_by_the_page_time(con):
    add(con, page_published=t("2024-02-05 10:00"), page_published_text="发布时间：2024-02-05 10:00")
    add(
        con,
        agency="乙县人民政府",
        agency_kind="government",
        agency_level="county",
        page_published=t("2024-03-20 10:00"),
    )  # a government: 31 March
    add(con, agency="丙局", page_published=t("2024-01-31 18:00"))  # on the last day
    found = page_rules.late(con)
    assert rules(found) == [("page_late", "甲局", 2023)]
    f = found[0]
    assert f.severity == "warning" and "2024-02-05" in f.message and "5 天" in f.message and "2024-01-31" in f.message
    assert f.cells == "page.page_published" and f.url.endswith("t1.html")


def test_late_by_the_first_sighting_only_when_the_column_was_watched(con):
    column(con, first="2024-01-20 09:00", agency="甲局")
    add(con, first_seen=t("2024-02-10 09:00"), last_seen=t("2024-02-10 09:00"))  # no printed time
    add(con, agency="乙局", first_seen=t("2024-02-10 09:00"))  # its column was never watched before
    found = page_rules.late(con)
    assert rules(found) == [("page_late", "甲局", 2023)]
    assert "未标明发布时间" in found[0].message and "至少 10 天" in found[0].message
    assert found[0].cells == "page.first_seen"


def test_unavailable_takes_the_latest_word(con):
    a = "http://www.a.gov.cn/u/a.pdf"
    add(
        con,
        kind="attachment",
        url=a,
        sha256=None,
        version=None,
        http_status=404,
        error="页面或文件不存在（HTTP 404）",
        first_seen=t("2024-02-01 09:00"),
        last_seen=t("2024-02-01 09:00"),
    )
    b = "http://www.a.gov.cn/u/b.pdf"  # broken once, fine since
    add(
        con,
        kind="attachment",
        url=b,
        sha256=None,
        version=None,
        http_status=503,
        error="服务器错误（HTTP 503）",
        first_seen=t("2024-02-01 09:00"),
        last_seen=t("2024-02-01 09:00"),
    )
    add(
        con,
        kind="attachment",
        url=b,
        sha256="b1",
        first_seen=t("2024-01-20 09:00"),
        last_seen=t("2024-03-01 09:00"),
    )
    add(
        con,
        kind="attachment",
        url="http://www.a.gov.cn/u/c.pdf",
        sha256="c",
        size=0,
        problem="文件为空（0 字节）",
    )
    add(
        con,
        kind="attachment",
        url="http://www.a.gov.cn/u/d.pdf",
        sha256="d",
        problem="附件链接返回的是网页而不是文件",
    )
    add(
        con,
        kind="page",
        url="http://www.a.gov.cn/private/t.html",
        sha256=None,
        version=None,
        http_status=None,
        error="robots.txt 不允许采集该地址",
        blocked=True,
    )  # our choice, not the agency's failure
    found = page_rules.unavailable(con)
    assert sorted(f.url.rsplit("/", 1)[1] for f in found) == ["a.pdf", "c.pdf", "d.pdf"]
    by = {f.url.rsplit("/", 1)[1]: f for f in found}
    assert "HTTP 404" in by["a.pdf"].message and by["a.pdf"].cells == "page.http_status,page.error"
    assert "0 字节" in by["c.pdf"].message and by["c.pdf"].cells == "page.problem,page.size"
    assert all(f.severity == "error" and "附件" in f.message for f in found)


def test_changed_after_publication(con):
    u = "http://www.a.gov.cn/xxgk/ndbg/t1.html"
    add(
        con,
        url=u,
        sha256="s1",
        text_sha256="x1",
        version=1,
        page_published=t("2024-01-20 10:00"),
        first_seen=t("2024-01-21 09:00"),
        last_seen=t("2024-02-01 09:00"),
    )
    add(
        con,
        url=u,
        sha256="s2",
        text_sha256="x2",
        version=2,
        page_published=t("2024-01-25 10:00"),
        first_seen=t("2024-02-02 09:00"),
        last_seen=t("2024-03-01 09:00"),
    )
    v = "http://www.a.gov.cn/xxgk/ndbg/t2.html"  # new bytes, same article: not a change
    add(con, url=v, sha256="s3", text_sha256="x3", version=1)
    add(con, url=v, sha256="s4", text_sha256="x3", version=2, first_seen=t("2024-02-02 09:00"))
    w = "http://www.a.gov.cn/u/w.pdf"  # an attachment: its bytes
    add(con, kind="attachment", url=w, sha256="w1", text_sha256=None, version=1)
    add(
        con,
        kind="attachment",
        url=w,
        sha256="w2",
        text_sha256=None,
        version=2,
        first_seen=t("2024-05-01 09:00"),
    )
    add(con, kind="list", url=COL, sha256="l1", version=1)  # lists change all the time
    add(con, kind="list", url=COL, sha256="l2", version=2)
    found = page_rules.changed(con)
    assert sorted(f.url for f in found) == [w, u]
    page = next(f for f in found if f.url == u)
    assert "2024-01-21 09:00" in page.message and "2024-02-02 09:00" in page.message
    assert "由 2024-01-20 10:00 改为 2024-01-25 10:00" in page.message and page.severity == "warning"


def test_not_in_column(con):
    column(con, agency="甲局")  # last crawled 2024-06-01
    add(con, year=2023)
    add(con, agency="乙局", year=2022, column_url="http://b.gov.cn/ndbg/")  # another column shows 2022
    add(
        con,
        year=2021,
        url="http://other.gov.cn/2021.html",
        sha256=None,
        version=None,
        http_status=None,
        error="链接指向其他网站",
        blocked=True,
    )  # listed, though on another site: it is in the column
    found = page_rules.not_in_column(con)
    assert rules(found) == [("page_not_in_column", "甲局", 2022)]
    assert "没有 2022 年度报告" in found[0].message and found[0].cells == "page.column_url"
    # 2024's reports are not due before 31 January 2025: the column crawled in June 2024 owes none
    assert page_rules.not_in_column(con, years=[2024]) == []
    assert rules(page_rules.not_in_column(con, years=[2020])) == [("page_not_in_column", "甲局", 2020)]


def test_not_in_column_when_the_column_cannot_be_opened(con):
    add(
        con,
        kind="list",
        url=COL,
        year=None,
        sha256=None,
        version=None,
        http_status=None,
        error="网站在 20 秒内没有响应（超时）",
        first_seen=t("2024-06-01 09:00"),
        last_seen=t("2024-06-01 09:00"),
    )
    found = page_rules.not_in_column(con, years=[2023])
    assert len(found) == 1 and "无法打开" in found[0].message and "超时" in found[0].message


def test_run_all_and_quiet_on_a_clean_column(con):
    column(con, agency="甲局")
    add(con, page_published=t("2024-01-20 10:00"))
    assert page_rules.run_all(con) == []


def test_evidence_rows_from_manifests():
    china = timezone(timedelta(hours=8))
    v1 = Version(
        "s1",
        "files/s1.html",
        datetime(2024, 1, 21, 9, tzinfo=china),
        datetime(2024, 2, 1, 9, tzinfo=china),
        datetime(2024, 1, 20, 10),
    )
    v2 = Version(
        "s2",
        "files/s2.html",
        datetime(2024, 2, 2, 1, tzinfo=UTC),
        datetime(2024, 3, 1, 9, tzinfo=china),
        datetime(2024, 1, 25, 10),
    )
    src = Source(
        "http://a/t1.html",
        COL,
        "甲局",
        None,
        "360000",
        "甲局2023年政府信息公开工作年度报告",
        2023,
        None,
        None,
        datetime(2024, 3, 1, 9, tzinfo=china),
        200,
        None,
        False,
        v2.first_seen,
        v2.last_seen,
        v2.page_published,
        "发布时间：2024-01-25 10:00",
        (v1, v2),
    )
    m = Manifest(Path("x.manifest.json"), Path("files/s2.html"), "page", "s2", 10, "text/html", None, "x2", (src,))
    fail = Manifest(
        Path("y.manifest.json"),
        None,
        "attachment",
        None,
        None,
        None,
        None,
        None,
        (
            Source(
                "http://a/u.pdf",
                COL,
                "甲局",
                None,
                None,
                None,
                2023,
                "http://a/t1.html",
                None,
                datetime(2024, 3, 1, 9, tzinfo=china),
                404,
                "页面或文件不存在（HTTP 404）",
                False,
                None,
                None,
                None,
                None,
                (),
            ),
        ),
    )
    rows = [dict(zip(NAMES, r)) for r in evidence_rows([m, fail])]
    page, att = rows
    assert page["version"] == 2 and page["first_seen"] == datetime(2024, 2, 2, 9)  # UTC 01:00 is 09:00 in China
    assert page["agency_kind"] == "department" and page["agency_level"] == "province"  # judged from name and code
    assert page["page_published"] == datetime(2024, 1, 25, 10) and page["http_status"] == 200
    assert att["sha256"] is None and att["http_status"] == 404 and att["last_seen"] == datetime(2024, 3, 1, 9)
    con = duckdb.connect()
    assert page_rules.load_page_evidence(con, [m, fail]) == 2
    assert con.execute(f"SELECT count(*) FROM {TABLE} WHERE error IS NOT NULL").fetchone()[0] == 1


def test_page_findings_are_registered_rules():
    from etl.registry.rules import BY_ID

    assert all(BY_ID[r].scope == "page" for r in PAGE_RULES)
    with pytest.raises(ValueError):
        page_rules.PageFinding("no_such_rule", "error", None, None, None, "x", "")
    with pytest.raises(ValueError):
        page_rules.PageFinding("page_changed", "error", None, None, None, "x", "")  # it only warns
