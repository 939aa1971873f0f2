"""`python -m etl load OUT/` on what the collector wrote (tests/mocksite): only reports are loaded,
the pages' 发布时间 and first sightings go into the warehouse as page evidence, and the page rules
of the rule registry run there (page_late when the page's date is past the deadline)."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from mocksite.sites import A_NAME, B_NAME, start_sites

from dashboard import queries as q
from etl.collect.crawl import CollectOptions
from etl.collect.fetch import Options
from etl.collect.run import collect
from etl.collect.seeds import from_registry
from etl.pipeline import run_load
from etl.warehouse.collected import LIST_PAGE, WRAPPER_PAGE

FAST = Options(rate=0, timeout=0.5, retries=1, backoff=0.05, trust_env=False)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    root = tmp_path_factory.mktemp("collect-load")
    sites = start_sites()
    try:
        seeds = from_registry(sites.registry_csv(root / "registry.csv"))
        out = root / "out"
        collect(seeds.seeds, out, CollectOptions(FAST, progress=False), seeds.skipped)
    finally:
        sites.stop()
    db = root / "w.duckdb"
    summary = run_load([str(out)], db, progress=False, jobs=1)
    return out, db, summary


def test_only_reports_are_loaded(loaded):
    out, db, summary = loaded
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT path, status, reason, agency_printed, year FROM sources").fetchall()
    paths = [r[0] for r in rows]
    assert not [p for p in paths if p.endswith(".json") or "collect." in Path(p).name or "/tmp/" in p[len(str(out)) :]]
    lists = [r for r in rows if "/lists/" in r[0]]
    assert lists and all(r[1] == "skipped" and r[2] == LIST_PAGE for r in lists)
    wrappers = [r for r in rows if r[2] == WRAPPER_PAGE]
    assert len(wrappers) == 2  # 2023 of site B (a DOCX) and 2024 of site C (a PDF): the attachment is the report
    loaded_ = {(r[3], r[4]) for r in rows if r[1] == "loaded"}
    assert (B_NAME, 2023) in loaded_ and (A_NAME, 2024) in loaded_
    per_year = con.execute("SELECT agency_id, year, count(*) FROM reports GROUP BY ALL HAVING count(*) > 1").fetchall()
    assert per_year == []  # no page is a second report beside its attachment
    assert summary.written


def test_page_time_in_the_warehouse_and_page_late(loaded):
    _, db, _ = loaded
    con = duckdb.connect(str(db), read_only=True)
    rid, printed = con.execute(
        "SELECT report_id, publish_date FROM reports r JOIN agencies a USING (agency_id) "
        "WHERE a.name = ? AND year = 2024",
        [A_NAME],
    ).fetchone()
    pages = q.report_pages(con, rid)
    assert pages.height == 1
    row = pages.row(0, named=True)
    assert row["page_published"] == datetime(2025, 3, 2) and "2025-03-02" in row["page_published_text"]
    assert row["first_seen"] is not None and row["url"].endswith("/xxgk/ndbg/202503/t20250302_3.html")
    late = con.execute(
        "SELECT report_id, severity, message, scope, origin FROM findings WHERE rule = 'page_late'"
    ).fetchall()
    assert [(r[0], r[3]) for r in late] == [(rid, "page")]
    assert "2025-03-02" in late[0][2] and "晚于法定期限 2025-01-31" in late[0][2]
    rules = {r[0] for r in con.execute("SELECT DISTINCT rule FROM findings WHERE scope = 'page'").fetchall()}
    assert rules == {"page_late", "page_unavailable", "page_not_in_column"}
    # an attachment's evidence carries its report page's 发布时间
    docx = con.execute(
        "SELECT page_published FROM page_evidence WHERE kind = 'attachment' AND url LIKE '%2023ndbg.docx'"
    ).fetchone()
    assert docx == (datetime(2024, 1, 28),)


def test_reload_of_an_unchanged_collection_writes_nothing(loaded, tmp_path):
    out, db, _ = loaded
    copy = tmp_path / "w.duckdb"
    shutil.copy(db, copy)
    before = copy.stat().st_mtime_ns
    again = run_load([str(out)], copy, progress=False, jobs=1)
    assert not again.written and copy.stat().st_mtime_ns == before


def test_one_collected_file_alone_finds_its_collection(loaded, tmp_path):
    out, db, _ = loaded
    con = duckdb.connect(str(db), read_only=True)
    path = con.execute(
        "SELECT source_path FROM reports r JOIN agencies a USING (agency_id) WHERE a.name = ? AND year = 2024", [A_NAME]
    ).fetchone()[0]
    fresh = tmp_path / "one.duckdb"
    run_load([path], fresh, progress=False, jobs=1)
    con2 = duckdb.connect(str(fresh), read_only=True)
    assert con2.execute("SELECT count(*) FROM reports").fetchone()[0] == 1
    assert con2.execute("SELECT count(*) FROM findings WHERE rule = 'page_late'").fetchone()[0] == 1


def _agency_page(db: Path, monkeypatch, lang: str = "zh"):
    import json

    from streamlit.testing.v1 import AppTest

    con = duckdb.connect(str(db), read_only=True)
    aid = con.execute("SELECT agency_id FROM agencies WHERE name = ?", [A_NAME]).fetchone()[0]
    con.close()
    monkeypatch.setenv("GOVDASH_DB", str(db))
    at = AppTest.from_file(str(Path(__file__).parents[1] / "dashboard" / "app.py"), default_timeout=90)
    at.query_params.update({"agency": str(aid), "year": "2024", **({"lang": "en"} if lang == "en" else {})})
    at.run()
    at.switch_page("views/agency.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    for el in at.dataframe:
        config = json.loads(el.proto.columns or "{}")
        labels = {k.removeprefix("col:"): v.get("label", k) for k, v in config.items()}
        if "url" in el.value.columns and "page_published" in el.value.columns:
            return at, el.value.rename(columns=labels)
    raise AssertionError("no page evidence on the agency record")


def test_agency_record_shows_the_page_evidence(loaded, monkeypatch):
    _, db, _ = loaded
    at, pages = _agency_page(db, monkeypatch)
    assert {"网址", "网站上的发布时间", "发布时间原文", "首次发现"} <= set(pages.columns)
    row = pages.iloc[0]
    assert row["类型"] == "报告页面" and row["网站上的发布时间"] == "2025-03-02 00:00"
    assert row["网址"].endswith("/xxgk/ndbg/202503/t20250302_3.html") and row["首次发现"]
    assert any("网站证据" in m.value for m in at.markdown)
    rule = "网站上的发布时间（或首次发现时间）不晚于"  # page_late among the findings, in words
    assert any(rule in str(v) for d in at.dataframe for v in d.value.values.ravel())
    _, en = _agency_page(db, monkeypatch, "en")
    assert {"URL", "Published on the website", "First seen"} <= set(en.columns) and en.iloc[0]["Kind"] == "report page"
