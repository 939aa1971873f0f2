"""The review pages (核查, 督办) and the agency record's review section with Streamlit's AppTest,
signed in the way the login page signs in (st.session_state["account"] and ["role"]): they render
in Chinese and English without codes or leaks; batch actions, notes and corrections change the
review store and name the account; viewers and anonymous visitors get no action controls and a
forged action is refused server-side, as is an action outside the account's scope; the 督办清单
goes out to Excel and comes back in."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest
from conftest import q
from streamlit.testing.v1 import AppTest
from test_dashboard import CJK, leaks, texts

from dashboard import followup, work
from dashboard.queries import Scope as PageScope
from etl.review import corrections, excel, queries
from etl.review.accounts import Account
from etl.review.errors import Refused
from etl.review.model import Actor
from etl.review.scope import Scope, parse_scope
from etl.review.store import open_store
from etl.review.warehouse import read_findings

APP = str(Path(__file__).parents[1] / "dashboard" / "app.py")
PAGES = ("queue", "supervise")


@pytest.fixture
def review_db(tmp_path, monkeypatch, db):
    """A fresh review store for each test (the warehouse is the shared read-only fixture)."""
    url = f"sqlite:///{tmp_path / 'review.sqlite'}"
    monkeypatch.setenv("GOVDASH_DB", str(db))
    monkeypatch.setenv("GOVREPORT_REVIEW_DB", url)
    return url


@pytest.fixture
def store(review_db, db):
    with open_store(db, review_db) as s:
        yield s


def account(name: str = "张三", role: str = "reviewer", scope: str = "全国") -> Account:
    return Account(name, role, parse_scope(scope), False, 0, None, datetime.now(UTC), None)


def app(page: str, who: Account | None = None, role: str | None = None, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if who is not None:
        at.session_state["_auth_token"] = _signed_in(who)
        at.session_state["role"] = role or who.role  # a forged role: dashboard.auth sets it from the store
    for k, v in params.items():
        at.query_params[k] = v if isinstance(v, list) else str(v)
    at.run()
    if page != "overview":
        at.switch_page(f"views/{page}.py")
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


PASSWORD = "Review-测试-口令-2025"


def _signed_in(who: Account) -> str:
    """A session token of this account, made in the review store as the login page makes one."""
    import os

    from etl.review.accounts import Accounts
    from etl.review.errors import AccountError

    with open_store(os.environ["GOVDASH_DB"], os.environ["GOVREPORT_REVIEW_DB"]) as s:
        site = Accounts(s)
        try:
            site.add(who.name, PASSWORD, who.role, who.scope.text())
        except AccountError:
            pass
        return site.login(who.name, PASSWORD).token


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label.startswith(label))


def _a_province(db: Path) -> tuple[str, int]:
    """The province with the most actionable report findings, and the year."""
    wf = read_findings(db)
    df = work.base_frame(wf.findings.values()).filter(pl.col("severity").is_in(work.ACTIONABLE))
    top = df.filter(pl.col("province").is_not_null()).group_by("province", "year").len().sort("len").row(-1)
    return top[0], top[1]


# ---- every page, both languages ---------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES + ("agency",))
def test_review_pages_render_in_chinese_without_codes(review_db, db, page):
    at = app(page, account(), year=2023, agency=1)
    assert at.title and not at.error
    assert not leaks(at), leaks(at)[:10]
    shown = "\n".join(texts(at))
    assert not re.search(r"Choose|Select|No results|Press Enter", shown)  # Streamlit's own English
    assert "账户：张三（审核员）" in shown or page == "agency"
    for w in at.multiselect:  # the placeholder is Chinese
        assert CJK.search(w.proto.placeholder), w.proto.placeholder


@pytest.mark.parametrize("page", PAGES + ("agency",))
def test_review_pages_in_english(review_db, db, page):
    names = (
        {n for (n,) in q(db, "SELECT name FROM agencies UNION SELECT province FROM agencies")}
        | {
            n
            for (n,) in q(
                db, "SELECT city FROM agencies UNION SELECT county FROM agencies UNION SELECT aliases FROM agencies"
            )
        }
        | {"张三"}
    )
    names = sorted((n for n in names if n), key=len, reverse=True)
    at = app(page, account(), year=2023, agency=1, lang="en")
    chinese = []
    for text in texts(at):
        rest = text
        for n in names:
            rest = rest.replace(n, "")
        for part in re.split(r"[,;:()（）、/·\s]+", rest):
            if CJK.search(part) and not part.startswith("agency?"):
                chinese.append(f"{part!r} in {text[:80]!r}")
    assert not chinese, chinese[:10]
    assert not leaks(at), leaks(at)[:10]


def test_queue_lists_reading_doubts_first_within_the_account_scope(review_db, db):
    prov, year = _a_province(db)
    at = app("queue", account(scope=prov), year=year, state="__all__")
    df = at.dataframe[0].value
    assert len(df) > 0
    assert all(p.startswith(prov) for p in df["place"]), set(df["place"])
    kinds = list(df["kind_of"])
    if "读数存疑" in kinds and "报告问题" in kinds:
        assert kinds.index("报告问题") > max(i for i, k in enumerate(kinds) if k == "读数存疑")
    # a page region outside the account's scope shows nothing of it
    other = next(p for (p,) in q(db, "SELECT DISTINCT province FROM agencies WHERE province IS NOT NULL") if p != prov)
    at = app("queue", account(scope=prov), year=year, province=other, state="__all__")
    assert not at.dataframe or all(p.startswith(prov) for p in at.dataframe[0].value["place"])


# ---- actions -----------------------------------------------------------------------------------------


def test_batch_confirm_then_dismiss_changes_states_and_names_the_account(review_db, db, store):
    prov, year = _a_province(db)
    wf = read_findings(db)
    rule = (
        work.base_frame(wf.findings.values())
        .filter(
            (pl.col("province") == prov)
            & (pl.col("year") == year)
            & (pl.col("origin") == "report")
            & pl.col("severity").is_in(work.ACTIONABLE)
        )  # fmt: skip
        .group_by("rule")
        .len()
        .sort("len")["rule"][0]
    )  # the rarest rule: a small batch
    at = app("queue", account(scope=prov), year=year, province=prov, rule=rule, origin="report")
    listed = at.dataframe[0].value
    assert set(listed["state_w"]) == {"待核实"}
    n = len(listed)
    at.checkbox(key="queue_all").check()
    button(at, "确认").click()
    at.run()  # no comment: refused, nothing changed
    assert any("说明" in e.value for e in at.error)
    assert not queries.states(store)
    at.checkbox(key="queue_all").check()
    at.text_area(key="queue_comment").input("已与原文核对，确属报告错误")
    button(at, "确认").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    rows = queries.states(store)
    assert len(rows) == n and {r.state for r in rows.values()} == {"已确认"}
    assert {r.updated_by for r in rows.values()} == {"张三"}
    one = next(iter(rows))
    assert [(h.account, h.from_state, h.to_state) for h in queries.history(store, one)] == [
        ("张三", "待核实", "已确认")
    ]
    # the same list, now dismissed with a reason: 已确认 -> 已排除
    at = app("queue", account(scope=prov), year=year, province=prov, rule=rule, origin="report", state="已确认")
    assert len(at.dataframe[0].value) == n
    at.checkbox(key="queue_all").check()
    at.text_area(key="queue_comment").input("口径不同，不属于错误")
    button(at, "排除").click()
    at.run()
    assert {r.state for r in queries.states(store).values()} == {"已排除"}
    assert queries.history(store, one)[-1].note == "口径不同，不属于错误"


def test_a_correction_creates_a_version_and_settles_the_doubt(review_db, db, store, monkeypatch):
    asked = []  # the background load of the corrected report (tested on its own in test_review_loop)
    monkeypatch.setattr(work, "recheck", lambda sha: asked.append(sha) or "0" * 32)
    wf = read_findings(db)
    doubt = next(
        f for f in wf.findings.values()
        if f.origin == "reading" and f.severity in work.ACTIONABLE and f.report_sha256 and "t" in f.cells
        and f.province
    )  # fmt: skip
    at = app("queue", account(), year=doubt.year, finding=doubt.finding_id, origin="reading")
    assert doubt.agency_name in "\n".join(m.value for m in at.markdown)
    at.text_input(key="queue_fix_value").input("12")
    at.text_input(key="queue_fix_reason").input("与原件核对，应为 12")
    button(at, "保存更正").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    v = corrections.versions(store, doubt.report_sha256)
    assert len(v) == 1 and v[0].value_after == 12 and v[0].account == "张三" and v[0].finding_id == doubt.finding_id
    assert queries.state_of(store, doubt) == "已更正"
    assert asked == [doubt.report_sha256]
    assert any("后台重新核对" in m.value for m in at.success), [m.value for m in at.success]
    at = app("queue", account(), year=doubt.year, finding=doubt.finding_id, state="__all__")
    assert any("与原件核对，应为 12" in d.value.to_string() for d in at.dataframe)


def test_notify_with_a_deadline_on_the_followup_page(review_db, db, store):
    prov, year = _a_province(db)
    wf = read_findings(db)
    f = next(
        x for x in wf.findings.values()
        if x.origin == "report" and x.province == prov and x.year == year and x.severity in work.ACTIONABLE
    )  # fmt: skip
    who = Actor("张三", "reviewer", Scope())
    work.act(who, [f.finding_id], "已确认", "核实属实")
    at = app("supervise", account(), year=year, province=prov)
    assert at.metric and any(m.label == "已确认" and m.value == "1" for m in at.metric)
    assert len(at.dataframe[0].value) == 1
    work.act(who, [f.finding_id], "已通知", "请于期限内整改", date.today() + timedelta(days=10))
    assert queries.state_of(store, f) == "已通知"
    at = app("supervise", account(), year=year, province=prov)
    assert any(m.label == "已通知" and m.value == "1" for m in at.metric)
    assert at.get("plotly_chart")


# ---- who may act -------------------------------------------------------------------------------------


def test_viewer_and_anonymous_have_no_action_controls(review_db, db):
    for who in (account("李四", "viewer"), None):
        at = app("overview", who)
        labels = [p.proto.label for p in at.get("page_link")]
        assert "核查" not in labels and "督办" not in labels
        at = app("agency", who, year=2023, agency=1)
        assert not [b.label for b in at.button if b.label != "退出登录"], [b.label for b in at.button]
        assert not at.text_area and not at.get("file_uploader")
    # a forged session role above the account's own gives no more than viewing
    at = app("agency", account("李四", "viewer"), role="admin", year=2023, agency=1)
    assert not [b.label for b in at.button if b.label != "退出登录"]


def test_a_forged_action_is_refused_server_side(review_db, db, store):
    f = next(x for x in read_findings(db).findings.values() if x.origin == "report" and x.province)
    for who in (None, Actor("李四", "viewer", Scope())):
        with pytest.raises(Refused, match="只读"):
            work.decide_many(who, [f.finding_id], "confirm", "伪造的请求")
        with pytest.raises(Refused):
            work.note(who, f.finding_id, "伪造的说明")
        with pytest.raises(Refused):
            work.fix_value(who, f.finding_id, "t3__new_received__total", 1, None, "伪造")
        with pytest.raises(Refused):
            work.import_excel(who, b"")
    assert not queries.states(store) and not corrections.versions(store, f.report_sha256 or "")


def test_an_action_outside_the_account_scope_is_refused(review_db, db, store):
    wf = read_findings(db)
    f = next(x for x in wf.findings.values() if x.origin == "report" and x.province)
    other = next(
        p for (p,) in q(db, "SELECT DISTINCT province FROM agencies WHERE province IS NOT NULL") if p != f.province
    )
    who = Actor("王五", "reviewer", parse_scope(other))
    with pytest.raises(Refused, match="不在您的范围"):
        work.decide_many(who, [f.finding_id], "confirm", "越权")
    with pytest.raises(Refused, match="不在您的范围"):
        work.note(who, f.finding_id, "越权")
    with pytest.raises(Refused, match="数据中没有"):
        work.decide_many(who, ["0123456789abcdef"], "confirm", "不存在")
    assert not queries.states(store)


# ---- the 督办清单 out to Excel and back ----------------------------------------------------------------


def test_followup_excel_round_trip(review_db, db, store):
    prov, year = _a_province(db)
    wf = read_findings(db)
    with duckdb.connect(str(db), read_only=True) as con:
        data, n = followup.workbook(con, PageScope(province=prov), year, followup.Review(store, wf))
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["督办清单"]
    header = [c.value for c in ws[1]]
    assert header[0] == "编号" and header[-3:] == ["状态", "说明", "期限"]
    body = list(ws.iter_rows(min_row=2))
    assert len(body) == n > 2
    ids = [r[0].value for r in body]
    assert all(r[0].data_type == "s" and r[0].number_format == "@" for r in body)  # the id is a text cell
    assert all(i in wf.findings for i in ids)  # every row names a finding of the warehouse
    reports = [r for r in body if wf.findings[r[0].value].origin == "report"]
    assert {r[-3].value for r in reports} == {"待核实"}
    a, b = reports[0], next(r for r in reports[1:] if r[0].value != reports[0][0].value)
    a[-3].value, a[-2].value = "已确认", "已核实"
    b[-3].value = "已排除"  # no reason: refused
    ws.append(["ffffffffffffffff"] + [None] * (len(header) - 4) + ["已确认", "", ""])  # unknown id
    out = io.BytesIO()
    wb.save(out)
    rep = work.import_excel(Actor("张三", "reviewer", Scope()), out.getvalue())
    assert [r.finding_id for r in rep.changed] == [a[0].value]
    assert {r.finding_id for r in rep.refused} == {b[0].value, "ffffffffffffffff"}
    assert any("理由" in r.what for r in rep.refused)
    assert queries.states(store)[a[0].value].state == "已确认"
    assert queries.history(store, a[0].value)[-1].via == "excel"
    # exported again, the row carries its new state and note
    with duckdb.connect(str(db), read_only=True) as con:
        again = openpyxl.load_workbook(
            io.BytesIO(followup.workbook(con, PageScope(province=prov), year, followup.Review(store, wf))[0])
        )["督办清单"]
    row = next(r for r in again.iter_rows(min_row=2, values_only=True) if r[0] == a[0].value)
    assert row[-3:-1] == ("已确认", "已核实")
    # and an import by an account of another province refuses the rows of this one
    other = next(p for (p,) in q(db, "SELECT DISTINCT province FROM agencies WHERE province IS NOT NULL") if p != prov)
    rep = excel.import_workbook(
        store, Actor("王五", "reviewer", parse_scope(other)), _saved(again.parent), wf.findings, dry_run=True
    )
    assert rep.refused and all("不在您的范围" in r.what for r in rep.refused if r.finding_id in wf.findings)


def _saved(wb) -> Path:
    import tempfile

    path = Path(tempfile.mkdtemp()) / "督办清单.xlsx"
    wb.save(path)
    return path


def test_the_compliance_page_shows_where_the_decisions_stand(review_db, db, store):
    prov, year = _a_province(db)
    f = next(
        x for x in read_findings(db).findings.values()
        if x.origin == "report" and x.province == prov and x.year == year and x.severity in work.ACTIONABLE
    )  # fmt: skip
    work.act(Actor("张三", "reviewer", Scope()), [f.finding_id], "已确认", "核实属实")
    at = app("compliance", None, year=year, province=prov)  # read-only visitors see the states too
    shown = {m.label: m.value for m in at.metric}
    assert shown.get("已确认") == "1", shown
    assert int(shown["待核实"].replace(",", "")) >= 0 and "督办进展" in [h.value for h in at.subheader]
