"""Every page with Streamlit's AppTest against a small fixture database: no exception, the
numbers shown equal the database's, filters change them, a deep link restores the view,
and empty databases, scopes and years show a message instead of an error."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from conftest import FIXTURES, q
from streamlit.testing.v1 import AppTest

from etl.pipeline import run_load

APP = str(Path(__file__).parents[1] / "dashboard" / "app.py")
PAGES = [
    "overview",
    "trends",
    "regions",
    "compliance",
    "applications",
    "review",
    "agency",
    "data",
    "definitions",
]


def app(db: Path, monkeypatch, page: str = "overview", **params) -> AppTest:
    monkeypatch.setenv("GOVDASH_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = str(v)
    at.run()
    if page != "overview":
        at.switch_page(f"views/{page}.py")
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label_start: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label_start))


def clean(v):
    """A NULL shows as NaN in the table Streamlit hands back."""
    return None if v is None or v != v else v


def num(s: str) -> float:
    return float(s.split("/")[0].replace(",", "").replace("%", "").strip())


LIVE = "FROM reports r JOIN agencies a USING (agency_id) WHERE NOT r.is_duplicate"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders(db, monkeypatch, page):
    at = app(db, monkeypatch, page, year=2023)
    assert at.title and not at.error
    assert any("演示数据" in w.value for w in at.warning)  # the synthetic-data notice, on every page


def test_overview_numbers_and_filters(db, monkeypatch):
    at = app(db, monkeypatch, year=2023)
    n = q(db, f"SELECT count(*) {LIVE} AND r.year = 2023")[0][0]
    expected = q(db, "SELECT count(*) FROM agencies WHERE in_registry")[0][0]
    assert metric(at, "收到报告") == f"{n:,} / {expected:,}"
    apps = q(db, f"SELECT sum(t3__new_received__total) {LIVE} AND r.year = 2023")[0][0]
    assert num(metric(at, "收到申请")) == apps
    prov = q(
        db,
        f"SELECT coalesce(a.province, r.province) p, count(*) {LIVE} AND r.year = 2023 "
        "GROUP BY p ORDER BY count(*) LIMIT 1",
    )[0]
    at2 = app(db, monkeypatch, year=2023, province=prov[0])
    assert num(metric(at2, "收到报告")) == prov[1] != n  # the filter changes the number


def test_deep_link_restores_view(db, monkeypatch):
    prov = q(
        db,
        "SELECT province FROM agencies WHERE kind = 'department' AND in_registry GROUP BY province "
        "ORDER BY count(*) DESC LIMIT 1",
    )[0][0]
    at = app(db, monkeypatch, year=2022, province=prov, kind="department")
    assert at.selectbox(key="year_box").value == 2022
    assert at.selectbox(key="province_box").value == prov
    assert at.selectbox(key="kind_box").value == "department"
    # a page's own choice lives in the link too, and the sidebar's filters apply to it
    at = app(db, monkeypatch, "trends", year=2022, province=prov, kind="department", metric="reviews")
    assert at.selectbox(key="tr_metric").value == "reviews"
    table = at.dataframe[0].value
    want = dict(
        q(
            db,
            f"""SELECT r.year, sum(t4__review_total) {LIVE} AND coalesce(a.province, r.province) = ?
                          AND a.kind = 'department' GROUP BY r.year""",
            [prov],
        )
    )
    assert {int(y): clean(v) for y, v in zip(table["year"], table["value"])} == want


def test_trends_table_equals_database(db, monkeypatch):
    at = app(db, monkeypatch, "trends", year=2023, metric="applications")
    table = at.dataframe[0].value
    got = {int(y): clean(v) for y, v in zip(table["year"], table["value"])}
    want = dict(q(db, f"SELECT r.year, sum(t3__new_received__total) {LIVE} GROUP BY r.year"))
    assert got == {k: v for k, v in want.items() if k is not None}


def test_regions_ranking_equals_database(db, monkeypatch):
    at = app(db, monkeypatch, "regions", year=2023)
    table = at.dataframe[0].value
    want = dict(
        q(
            db,
            f"""SELECT coalesce(a.province, r.province) p,
                            count(*) FILTER (WHERE r.days_late = 0) * 1.0
                              / count(*) FILTER (WHERE r.days_late IS NOT NULL)
                          {LIVE} AND r.year = 2023 GROUP BY p""",
        )
    )
    want = {k: clean(v) for k, v in want.items() if k is not None}
    assert len(table) == len(want)
    for name, value in zip(table["name"], table["value"]):
        assert clean(value) == (None if want[name] is None else pytest.approx(want[name]))


def test_compliance_not_filed(db, monkeypatch):
    at = app(db, monkeypatch, "compliance", year=2023)
    missing = q(
        db,
        """SELECT count(*) FROM agencies a WHERE in_registry AND NOT EXISTS (
                       SELECT 1 FROM reports r
                       WHERE r.agency_id = a.agency_id AND r.year = 2023 AND NOT r.is_duplicate)""",
    )
    assert num(metric(at, "名录中未发布")) == missing[0][0]
    assert at.dataframe  # findings and scores are listed


def test_applications_and_review_numbers(db, monkeypatch):
    at = app(db, monkeypatch, "applications", year=2024)
    assert num(metric(at, "收到申请")) == q(db, f"SELECT sum(t3__new_received__total) {LIVE} AND r.year = 2024")[0][0]
    at = app(db, monkeypatch, "review", year=2024)
    assert num(metric(at, "行政复议")) == q(db, f"SELECT sum(t4__review_total) {LIVE} AND r.year = 2024")[0][0]


def test_agency_record(db, monkeypatch):
    aid, name = q(
        db,
        "SELECT agency_id, name FROM agencies a WHERE EXISTS (SELECT 1 FROM reports r WHERE "
        "r.agency_id = a.agency_id AND NOT r.is_duplicate) ORDER BY agency_id LIMIT 1",
    )[0]
    at = app(db, monkeypatch, "agency", agency=aid)
    assert at.subheader[0].value == name
    year = at.selectbox(key="ag_year").value
    t2 = at.dataframe[1].value
    want = q(
        db,
        "SELECT t2__normative_valid FROM reports WHERE agency_id = ? AND year = ? AND NOT is_duplicate",
        [aid, year],
    )[0][0]
    shown = t2[t2["项目"] == "行政规范性文件 现行有效件数"]["数值"].iloc[0]
    assert str(shown) in (str(want), f"{want:g}", "（空）" if want is None else "")


def test_agency_text_is_never_html(db, monkeypatch, tmp_path):
    """A report containing <script> shows as text."""
    src = tmp_path / "in"
    src.mkdir()
    text = (FIXTURES / "samples" / "ganzhou-jkq-2023.txt").read_text(encoding="utf-8")
    (src / "x.txt").write_text(
        text.replace("（二）依申请公开", "（二）依申请公开<script>alert('x')</script>"), encoding="utf-8"
    )
    path = tmp_path / "x.duckdb"
    run_load([str(src)], path, progress=False)
    at = app(path, monkeypatch, "agency", agency=1)
    assert not at.markdown or all("<script>" not in m.value for m in at.markdown if m.allow_html)
    assert any("<script>" in t.value for t in at.text)  # shown literally in the full text


def test_data_page(db, monkeypatch):
    at = app(db, monkeypatch, "data")
    assert len(at.dataframe[0].value) == q(db, "SELECT count(*) FROM load_runs")[0][0]


def test_definitions_list_every_metric(db, monkeypatch):
    from dashboard.metrics import METRICS

    at = app(db, monkeypatch, "definitions")
    assert list(at.dataframe[0].value["指标"]) == [m.zh for m in METRICS]


def test_no_database(monkeypatch, tmp_path):
    at = app(tmp_path / "none.duckdb", monkeypatch)
    assert any("还没有数据库" in i.value for i in at.info)


def test_empty_database(monkeypatch, tmp_path):
    from etl.warehouse.load import create_schema

    path = tmp_path / "empty.duckdb"
    con = duckdb.connect(str(path))
    create_schema(con)
    con.close()
    at = app(path, monkeypatch)
    assert any("还没有报告" in i.value for i in at.info)


def test_scope_and_year_without_reports(db, monkeypatch):
    row = q(
        db,
        f"""SELECT p, y FROM (SELECT DISTINCT coalesce(a.province, r.province) p {LIVE}) ps,
                    (SELECT DISTINCT year y FROM reports WHERE year IS NOT NULL) ys
                    WHERE p IS NOT NULL AND NOT EXISTS (SELECT 1 FROM reports r2 JOIN agencies a2 USING (agency_id)
                      WHERE coalesce(a2.province, r2.province) = p AND r2.year = y AND NOT r2.is_duplicate)
                    LIMIT 1""",
    )
    assert row, "the fixture should have a province without reports in some year"
    prov, year = row[0]
    for page in ("overview", "applications", "regions"):
        at = app(db, monkeypatch, page, year=year, province=prov)
        assert any("没有报告" in i.value for i in at.info), page
    at = app(db, monkeypatch, year=1999)  # a link to a year the database does not hold
    assert any("没有 1999 年度的报告" in i.value for i in at.sidebar.info)


def test_overview_makes_the_briefing_and_pages_offer_their_exports(db, monkeypatch):
    prov = q(
        db,
        "SELECT province FROM agencies WHERE province IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
    )
    at = app(db, monkeypatch, year=2023, province=prov[0][0])
    assert not at.get("download_button")
    at.button(key="make_docx").click().run()
    assert not at.exception and not at.error
    assert len(at.get("download_button")) == 1  # the Word briefing, ready to download
    at = app(db, monkeypatch, "compliance", year=2023)
    assert not at.get("download_button")
    at.button(key="make_todo").click().run()
    assert len(at.get("download_button")) == 1  # 督办清单
    agency = q(db, "SELECT agency_id FROM reports GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")[0][0]
    at = app(db, monkeypatch, "agency", agency=agency)
    assert len(at.get("download_button")) == 1  # the agency's years as Excel
