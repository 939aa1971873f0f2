"""Every page with Streamlit's AppTest against a small fixture database: no exception, the numbers
shown equal the database's (with their coverage), filters change them, a link restores the view and
names a parameter it cannot honour, English mode is English, no internal code reaches a reader, and
empty databases, scopes and years show a message instead of an error."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import FIXTURES, q
from streamlit.testing.v1 import AppTest

from dashboard.metrics import METRICS
from etl.pipeline import run_load
from etl.registry.fields import FIELDS
from etl.registry.rules import RULES

APP = str(Path(__file__).parents[1] / "dashboard" / "app.py")
PAGES = [
    "overview",
    "compliance",
    "trends",
    "regions",
    "compare",
    "applications",
    "review",
    "agency",
    "data",
    "definitions",
]
LIVE = "FROM reports r JOIN agencies a USING (agency_id) WHERE NOT r.is_duplicate"
CJK = re.compile(r"[\u4e00-\u9fff]")
CODES = {f.key for f in FIELDS} | {r.id for r in RULES if "_" in r.id} | {m.key for m in METRICS if "_" in m.key}
FREE_TEXT = {
    "message",
    "reason",
    "source_path",
}  # the checks' own wording (Chinese) and file paths: data, shown as such
CODE_WORDS = {"department", "government", "township", "error", "warning", "info", "None", "nan", "NaN"}


def app(db: Path, monkeypatch, page: str = "overview", **params) -> AppTest:
    monkeypatch.setenv("GOVDASH_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=90)
    for k, v in params.items():
        at.query_params[k] = v if isinstance(v, list) else str(v)
    at.run()
    if page != "overview":
        at.switch_page(f"views/{page}.py")
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label_start: str):
    return next(m for m in at.metric if m.label.startswith(label_start))


def num(s: str) -> float:
    return float(s.split("/")[0].replace(",", "").replace("%", "").strip())


def texts(at: AppTest) -> list[str]:
    """Every piece of interface text a reader sees, except report content shown as text or code."""
    out = [
        e.value
        for kind in ("title", "header", "subheader", "caption", "info", "warning", "success")
        for e in at.get(kind)
    ]
    out += [m.value for m in at.markdown]
    for m in at.metric:
        out += [m.label, str(m.value), str(m.proto.delta or "")]
    for kind in ("selectbox", "multiselect", "radio", "text_input", "toggle", "button", "download_button", "tabs"):
        for w in at.get(kind):
            out.append(getattr(w, "label", "") or "")
            if hasattr(w, "options"):
                out += [str(o) for o in w.options]
            if kind == "multiselect":
                out.append(w.proto.placeholder)
    for df in at.dataframe:
        config = json.loads(df.proto.columns or "{}")
        out += [c.get("label", "") for c in config.values()]
        shown = df.value
        for col in shown.columns:
            if col in FREE_TEXT:
                continue
            if shown[col].dtype == object or pd.api.types.is_string_dtype(shown[col]):
                out += [str(v) for v in shown[col].dropna().unique()[:200]]
    return [x for x in out if x]


def leaks(at: AppTest) -> list[str]:
    """Internal codes, Python reprs and None/nan shown as values."""
    bad = []
    for text in texts(at):
        for word in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text):
            if word in CODES or word in CODE_WORDS or word in ("DeltaGenerator", "Traceback"):
                bad.append(f"{word!r} in {text[:80]!r}")
    return bad


# ---- every page ------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_leaks(db, monkeypatch, page):
    at = app(db, monkeypatch, page, year=2023, agency=1)
    assert at.title and not at.error
    assert any("演示数据" in w.value for w in at.warning)  # the synthetic-data notice, on every page
    if page != "definitions":  # the definitions page names the export columns on purpose
        assert not leaks(at), leaks(at)[:10]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_in_english(db, monkeypatch, page):
    names = {n for (n,) in q(db, "SELECT name FROM agencies UNION SELECT province FROM agencies")} | {
        n
        for (n,) in q(
            db, "SELECT city FROM agencies UNION SELECT county FROM agencies UNION SELECT aliases FROM agencies"
        )
    }
    names = sorted((n for n in names if n), key=len, reverse=True)
    at = app(db, monkeypatch, page, year=2023, agency=1, lang="en")
    chinese = []
    for text in texts(at):
        rest = text
        for n in names:
            rest = rest.replace(n, "")
        for part in re.split(r"[,;:()（）、\s]+", rest):
            if CJK.search(part) and not part.startswith(("agency?", "政务公开年报分析简报")):
                chinese.append(f"{part!r} in {text[:80]!r}")
    assert not chinese, chinese[:10]
    if page != "definitions":
        assert not leaks(at), leaks(at)[:10]


def test_page_links_keep_language_year_and_region(db, monkeypatch):
    prov = q(db, "SELECT province FROM agencies WHERE province IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")[
        0
    ][0]
    at = app(db, monkeypatch, "trends", year=2023, lang="en", province=prov, metric="reviews")
    links = at.get("page_link")
    assert len(links) == len(PAGES)
    for link in links:
        qs = link.proto.query_string
        assert "lang=en" in qs and "year=2023" in qs and "province=" in qs, qs
        assert "metric=" not in qs  # a page's own choice stays with the page


# ---- numbers equal the database, with their coverage ----------------------------------------------


def test_overview_numbers_coverage_and_filters(db, monkeypatch):
    at = app(db, monkeypatch, year=2023)
    n = q(db, f"SELECT count(*) {LIVE} AND r.year = 2023")[0][0]
    expected = q(db, "SELECT count(*) FROM agencies WHERE in_registry")[0][0]
    assert metric(at, "收到报告").value == f"{n:,} / {expected:,}"
    apps, covered = q(
        db, f"SELECT sum(t3__new_received__total), count(t3__new_received__total) {LIVE} AND r.year = 2023"
    )[0]
    assert num(metric(at, "收到申请").value) == apps
    assert any(f"覆盖 {covered:,} / {n:,} 份报告" in c.value for c in at.caption)
    prov = q(
        db,
        f"SELECT a.province p, count(*) {LIVE} AND r.year = 2023 AND a.province IS NOT NULL "
        "GROUP BY p ORDER BY 2 LIMIT 1",
    )[0]
    at2 = app(db, monkeypatch, year=2023, province=prov[0])
    assert num(metric(at2, "收到报告").value) == prov[1] != n  # the filter changes the number


def test_year_on_year_change_is_over_the_panel(db, monkeypatch):
    """The change compares only agencies with the value in both years; the raw totals stand beside."""
    from dashboard import queries as dq

    with duckdb.connect(str(db), read_only=True) as con:
        row = dq.kpis(con, dq.Scope(), 2023, ("applications", "substantive_rate")).row(0, named=True)
    col = "t3__new_received__total"
    panel = q(
        db,
        f"""WITH v AS (SELECT r.agency_id, r.year, r.{col} x {LIVE} AND r.year IN (2022, 2023) AND r.{col} IS NOT NULL)
            SELECT sum(x) FILTER (WHERE year = 2023), sum(x) FILTER (WHERE year = 2022), count(DISTINCT agency_id)
            FROM v WHERE agency_id IN (SELECT agency_id FROM v GROUP BY 1 HAVING count(DISTINCT year) = 2)""",
    )[0]
    assert (row["panel_value"], row["panel_previous"], row["panel_agencies"]) == panel
    raw = q(db, f"SELECT sum({col}) {LIVE} AND r.year = 2022")[0][0]
    assert row["previous"] == raw
    at = app(db, monkeypatch, year=2023)
    card = metric(at, "收到申请")
    assert card.proto.delta == f"{(panel[0] - panel[1]) / panel[1] * 100:+.1f}%"
    assert any(f"同比按两年均有数的 {panel[2]:,} 个机关计" in c.value for c in at.caption)


def test_a_null_is_left_out_never_counted_as_zero(db, monkeypatch, tmp_path):
    """Blank some cells: sums and rates use only the reports that give every number they need,
    and the coverage says how many that is."""
    path = tmp_path / "blanks.duckdb"
    shutil.copyfile(db, path)
    with duckdb.connect(str(path)) as con:
        ids = [
            r
            for (r,) in con.execute(
                f"""SELECT r.report_id {LIVE} AND r.year = 2023 AND r.t3__total_processed__total > 0
                    ORDER BY r.t3__total_processed__total DESC LIMIT 3"""
            ).fetchall()
        ]
        con.execute("UPDATE reports SET t3__granted__total = NULL WHERE list_contains(?, report_id)", [ids])
    full = " AND ".join(
        f"{c} IS NOT NULL" for c in ("t3__granted__total", "t3__partially_granted__total", "t3__total_processed__total")
    )
    honest, covered, n = q(
        path,
        f"""SELECT sum(t3__granted__total + t3__partially_granted__total) FILTER (WHERE {full}) * 1.0
                      / sum(t3__total_processed__total) FILTER (WHERE {full}),
                   count(*) FILTER (WHERE {full}), count(*) {LIVE} AND r.year = 2023""",
    )[0]
    as_zero = q(
        path,
        f"""SELECT sum(coalesce(t3__granted__total, 0) + t3__partially_granted__total) * 1.0
                      / sum(t3__total_processed__total) {LIVE} AND r.year = 2023""",
    )[0][0]
    assert abs(honest - as_zero) > 0.001  # the fixture makes the difference visible
    at = app(path, monkeypatch, "applications", year=2023)
    card = metric(at, "实质公开率")
    assert card.value == f"{honest * 100:.1f}%"
    assert any(f"覆盖 {covered:,} / {n:,} 份报告" in c.value for c in at.caption)


def test_no_null_becomes_zero_in_the_dashboards_code():
    """`coalesce(x, 0)` on a report's value or `or 0` in Python turns a blank into a zero."""
    root = Path(__file__).parents[1] / "dashboard"
    found = []
    for f in root.rglob("*.py"):
        text = f.read_text(encoding="utf-8")
        for m in re.finditer(r"coalesce\(([^()]*(?:\([^()]*\))?[^()]*),\s*0\)", text):
            if re.search(r"\b(t[234]__|n__)|days_late|n_errors|value", m[1]):
                found.append(f"{f.name}: {m[0]}")
        found += [f"{f.name}: {line.strip()}" for line in text.splitlines() if re.search(r"\bor 0\b", line)]
    assert not found, found


def test_low_coverage_is_said(db, monkeypatch):
    """Responses to concerns are stated in few reports' text: the card says the coverage is low."""
    n, covered = q(db, f"SELECT count(*), count(n__responses_to_concerns) {LIVE} AND r.year = 2023")[0]
    assert covered < 0.8 * n
    at = app(db, monkeypatch, year=2023)
    assert any(f"覆盖 {covered:,} / {n:,} 份报告" in c.value and "orange" in c.value for c in at.caption)


def test_trends_table_equals_database(db, monkeypatch):
    at = app(db, monkeypatch, "trends", year=2023, metric="applications")
    table = at.dataframe[0].value
    got = {int(y): (v, c, n) for y, v, c, n in zip(table["year"], table["value"], table["covered"], table["reports"])}
    want = {
        y: (v, c, n)
        for y, v, c, n in q(
            db,
            f"SELECT r.year, sum(t3__new_received__total), count(t3__new_received__total), count(*) {LIVE} GROUP BY 1",
        )
        if y is not None
    }
    assert got.keys() == want.keys()
    for y in want:
        v, c, n = want[y]
        assert (None if got[y][0] != got[y][0] else got[y][0]) == v and got[y][1:] == (c, n)


def test_regions_ranking_equals_database(db, monkeypatch):
    at = app(db, monkeypatch, "regions", year=2023)
    table = at.dataframe[0].value
    want = dict(
        q(
            db,
            f"""SELECT coalesce(a.province, '地区未识别'), count(*) FILTER (WHERE r.days_late = 0) * 1.0
                              / count(*) FILTER (WHERE r.days_late IS NOT NULL)
                          {LIVE} AND r.year = 2023 GROUP BY 1""",
        )
    )
    want = {k: None if v is None or v != v else v for k, v in want.items()}  # 0 / 0: no dated report
    assert len(table) == len(want)
    for name, value in zip(table["name"], table["value"]):  # shown as a percentage
        assert (None if value != value else value) == (None if want[name] is None else pytest.approx(want[name] * 100))


def test_compliance_lists_are_complete(db, monkeypatch):
    at = app(db, monkeypatch, "compliance", year=2023)
    missing = q(
        db,
        """SELECT count(*) FROM agencies a WHERE in_registry AND NOT EXISTS (SELECT 1 FROM reports r
           WHERE r.agency_id = a.agency_id AND r.year = 2023 AND NOT r.is_duplicate)""",
    )[0][0]
    late, errors = q(
        db,
        f"SELECT count(*) FILTER (WHERE days_late > 0), count(*) FILTER (WHERE n_errors > 0) {LIVE} AND r.year = 2023",
    )[0]
    assert num(metric(at, "未发布").value) == missing
    assert num(metric(at, "逾期发布").value) == late
    assert num(metric(at, "表格有错误").value) == errors
    tabs = [t.label for t in at.tabs]
    assert tabs[:4] == [f"未发布（{missing:,}）", f"逾期（{late:,}）", f"有错误（{errors:,}）", tabs[3]]
    for name, count in (("late", late), ("errors", errors), ("not_filed", missing)):
        at = app(db, monkeypatch, "compliance", year=2023, list=name)
        lists = [d for d in at.dataframe if "agency_link" in d.value.columns]
        assert len(lists[0].value) == count, name  # every row, no cut


def test_compliance_grid_shows_only_agencies_with_a_problem(db, monkeypatch):
    from dashboard import queries as dq

    years = [
        y
        for (y,) in q(
            db,
            "SELECT year FROM reports WHERE NOT is_duplicate GROUP BY 1 HAVING count(*) >= 0.5 * "
            "(SELECT max(c) FROM (SELECT count(*) c FROM reports WHERE NOT is_duplicate GROUP BY year))",
        )
    ]
    with duckdb.connect(str(db), read_only=True) as con:
        grid = dq.problem_grid(con, dq.Scope(), years, 1000, 0)
    assert set(grid["year"].to_list()) == set(years)
    for agency, states in grid.group_by("agency_id"):
        assert set(states["state"].to_list()) & {"未发布", "逾期", "有错误", "逾期且有错误"}, agency
    both = q(
        db, f"SELECT count(*) {LIVE} AND r.days_late > 0 AND r.n_errors > 0 AND list_contains(?, r.year)", [years]
    )[0][0]
    assert grid.filter(grid["state"] == "逾期且有错误").height == both  # late and wrong shows as both


def test_compliance_filters_live_in_the_link(db, monkeypatch):
    rule = q(
        db,
        "SELECT rule FROM findings WHERE year = 2023 AND severity = 'error' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
    )[0][0]
    at = app(db, monkeypatch, "compliance", year=2023, rule=rule, severity=["error"])
    assert at.multiselect(key="_p_rule").value == [rule]
    assert at.multiselect(key="_p_severity").value == ["error"]
    n = q(
        db,
        "SELECT count(*) FROM findings f JOIN agencies a USING (agency_id) "
        "WHERE f.year = 2023 AND rule = ? AND severity = 'error'",
        [rule],
    )[0][0]
    shown = next(d for d in at.dataframe if "rule" in d.value.columns).value
    assert len(shown) == n and set(shown["rule"]) == {next(r.zh for r in RULES if r.id == rule)}


def test_applications_and_review_numbers(db, monkeypatch):
    at = app(db, monkeypatch, "applications", year=2024)
    assert (
        num(metric(at, "收到申请").value)
        == q(db, f"SELECT sum(t3__new_received__total) {LIVE} AND r.year = 2024")[0][0]
    )
    at = app(db, monkeypatch, "review", year=2024)
    assert num(metric(at, "行政复议").value) == q(db, f"SELECT sum(t4__review_total) {LIVE} AND r.year = 2024")[0][0]
    rate = q(
        db,
        f"""SELECT sum(t4__review_corrected) * 1.0 / sum(t4__review_total - t4__review_pending) {LIVE} AND r.year = 2024
            AND t4__review_corrected IS NOT NULL AND t4__review_total IS NOT NULL AND t4__review_pending IS NOT NULL""",
    )[0][0]
    assert metric(at, "复议纠错率").value == f"{rate * 100:.1f}%"


def test_compare_two_regions(db, monkeypatch):
    provs = [
        p
        for (p,) in q(
            db, f"SELECT a.province {LIVE} AND a.province IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 2"
        )
    ]
    at = app(db, monkeypatch, "compare", metric="applications", place=provs)
    table = at.dataframe[0].value
    for prov in provs:
        want = dict(q(db, f"SELECT r.year, sum(t3__new_received__total) {LIVE} AND a.province = ? GROUP BY 1", [prov]))
        got = {int(y): v for y, v in zip(table["year"], table[prov]) if v == v}
        assert got == {y: v for y, v in want.items() if v is not None}


# ---- agency record -------------------------------------------------------------------------------


def test_agency_record_follows_the_sidebar_year(db, monkeypatch):
    aid, name, year = q(
        db,
        f"""SELECT r.agency_id, a.name, min(r.year) {LIVE} GROUP BY 1, 2 HAVING count(*) >= 2 ORDER BY 1 LIMIT 1""",
    )[0]
    at = app(db, monkeypatch, "agency", agency=aid, year=year)
    assert at.subheader[0].value == name
    assert at.subheader[1].value == f"{year} 年度报告"
    want = q(
        db, "SELECT t2__normative_valid FROM reports WHERE agency_id = ? AND year = ? AND NOT is_duplicate", [aid, year]
    )[0][0]
    t2 = at.dataframe[1].value
    shown = t2[t2["item"] == "行政规范性文件 现行有效件数"]["value"].iloc[0]
    assert shown.lstrip("⚠ ") == ("—" if want is None else f"{int(want):,}")


def test_agency_search_is_scoped_and_a_miss_shows_no_agency(db, monkeypatch):
    prov = q(db, "SELECT province FROM agencies WHERE province IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")[
        0
    ][0]
    at = app(db, monkeypatch, "agency", agency=1, province=prov)
    at.text_input(key="ag_search").input("不存在的机关名称").run()
    assert any("没有名称中含有" in i.value for i in at.info)
    assert not at.subheader  # the previous agency is not shown
    other = q(db, "SELECT name FROM agencies WHERE province <> ? ORDER BY length(name) LIMIT 1", [prov])[0][0]
    at.text_input(key="ag_search").input(other).run()
    assert any("没有名称中含有" in i.value for i in at.info)


def test_agency_source_of_a_web_table_cell_shows_its_row(db, monkeypatch):
    rid, aid, year, field, raw = q(
        db,
        """SELECT c.report_id, r.agency_id, r.year, c.field, c.raw FROM cells c JOIN reports r USING (report_id)
            WHERE regexp_matches(c.loc, '^T\\d+R\\d+C\\d+$') AND c.field LIKE 't3__granted%' AND NOT r.is_duplicate
            ORDER BY 1 LIMIT 1""",
    )[0]
    at = app(db, monkeypatch, "agency", agency=aid, year=year, field=field)
    said = " ".join(m.value for m in at.markdown)
    assert f"印作“{raw}”" in said and "个表格第" in said
    assert any("该行读到的各格" in c.value for c in at.code)
    assert field not in said  # the field in words, never its code


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
    assert all("<script>" not in m.value for m in at.markdown if m.allow_html)


# ---- links, parameters, empty states ----------------------------------------------------------------


def test_deep_link_restores_view(db, monkeypatch):
    prov = q(
        db,
        "SELECT province FROM agencies WHERE kind = 'department' AND in_registry "
        "GROUP BY province ORDER BY count(*) DESC LIMIT 1",
    )[0][0]
    at = app(db, monkeypatch, year=2022, province=prov, kind="department")
    assert at.selectbox(key="_p_year").value == 2022
    assert at.selectbox(key="_p_province").value == prov
    assert at.selectbox(key="_p_kind").value == "department"
    at = app(db, monkeypatch, "trends", year=2022, province=prov, kind="department", metric="reviews", split="kind")
    assert at.selectbox(key="_p_metric").value == "reviews"
    assert at.radio(key="_p_split").value == "kind"


def test_invalid_parameters_are_named(db, monkeypatch):
    at = app(db, monkeypatch, province="火星省", year=1999)
    said = " ".join(w.value for w in at.warning)
    assert "province=火星省" in said and "year=1999" in said
    at = app(db, monkeypatch, "agency", agency="abc")
    assert any("agency=abc" in w.value for w in at.warning)
    at = app(db, monkeypatch, "trends", metric="bogus")
    assert any("metric=bogus" in w.value for w in at.warning)


def test_data_page_has_no_help_text_leak(db, monkeypatch):
    at = app(db, monkeypatch, "data")
    assert not any("DeltaGenerator" in m.value or "Streamlit" in m.value for m in at.markdown)
    runs = next(d for d in at.dataframe if "run_id" in d.value.columns)
    assert len(runs.value) == q(db, "SELECT count(*) FROM load_runs")[0][0]


def test_definitions_list_every_metric(db, monkeypatch):
    at = app(db, monkeypatch, "definitions")
    assert list(at.dataframe[0].value["metric"]) == [m.zh for m in METRICS]
    assert not any(re.search(r"\bt[234]__", s) for s in at.dataframe[0].value["sources"])


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
        f"""SELECT p, y FROM (SELECT DISTINCT a.province p {LIVE}) ps,
                    (SELECT DISTINCT year y FROM reports WHERE year IS NOT NULL) ys
                    WHERE p IS NOT NULL AND NOT EXISTS (SELECT 1 FROM reports r2 JOIN agencies a2 USING (agency_id)
                      WHERE a2.province = p AND r2.year = y AND NOT r2.is_duplicate)
                    LIMIT 1""",
    )
    assert row, "the fixture should have a province without reports in some year"
    prov, year = row[0]
    for page in ("overview", "applications", "regions", "review"):
        at = app(db, monkeypatch, page, year=year, province=prov)
        assert any("没有报告" in i.value for i in at.info), page


def test_overview_makes_the_briefing_and_pages_offer_their_exports(db, monkeypatch):
    prov = q(db, "SELECT province FROM agencies WHERE province IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
    at = app(db, monkeypatch, year=2023, province=prov[0][0])
    assert not at.get("download_button")
    at.button(key="make_docx").click().run()
    assert not at.exception and not at.error
    assert len(at.get("download_button")) == 1  # the Word briefing, ready to download
    at = app(db, monkeypatch, "compliance", year=2023)
    before = len(at.get("download_button"))
    at.button(key="make_todo").click().run()
    assert len(at.get("download_button")) == before + 1  # 督办清单
    agency = q(db, "SELECT agency_id FROM reports GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")[0][0]
    at = app(db, monkeypatch, "agency", agency=agency)
    assert any(b.label.startswith("下载本机关") for b in at.get("download_button"))
