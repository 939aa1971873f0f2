"""Accounts in the dashboard (Streamlit's AppTest against the small fixture warehouse): the login
page, the session and its expiry, the growing delay and lockout, logout; roles bound pages and
actions; the account's region bounds every query, link, widget, export and Excel import
server-side; without accounts the dashboard is public and read-only; `--auth required` shows
anonymous visitors the login page and nothing else."""

from __future__ import annotations

import re
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from etl.review import tables
from etl.review.accounts import MAX_FAILURES, Accounts
from etl.review.errors import LoginRefused, Refused
from etl.review.model import Decision, FindingRef
from etl.review.store import open_store

pytest_plugins = ["review_support"]

APP = str(Path(__file__).parents[1] / "dashboard" / "app.py")
PASSWORD = "Gz-章贡-2025-口令"
ZJ = re.compile("浙江|嘉兴|温州|绍兴")


@pytest.fixture
def site(db, tmp_path, monkeypatch):
    """The fixture warehouse with a review store of its own (an SQLite file in tmp_path) holding a
    reviewer of 江西省/赣州市, a viewer of 江西省 and an administrator."""
    url = f"sqlite:///{tmp_path / 'review.sqlite'}"
    monkeypatch.setenv("GOVDASH_DB", str(db))
    monkeypatch.setenv("GOVREPORT_REVIEW_DB", url)
    monkeypatch.delenv("GOVDASH_AUTH", raising=False)
    store = open_store(db, url)
    accounts = Accounts(store)
    accounts.add("张三", PASSWORD, "reviewer", "江西省/赣州市")
    accounts.add("李四", PASSWORD, "viewer", "江西省")
    accounts.add("王五", PASSWORD, "admin", "全国")
    yield accounts
    store.close()


def run(page: str = "overview", at: AppTest | None = None, **params) -> AppTest:
    at = at or AppTest.from_file(APP, default_timeout=90)
    for k, v in params.items():
        at.query_params[k] = str(v)
    at.run()
    if page != "overview":
        at.switch_page(f"views/{page}.py")
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def sign_in(name: str, password: str = PASSWORD, page: str = "login", **params) -> AppTest:
    at = run(page, **params)
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(password)
    next(b for b in at.button if b.label in ("登录", "Sign in")).click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def words(at: AppTest) -> str:
    out = [e.value for kind in ("title", "caption", "info", "warning", "error", "success") for e in at.get(kind)]
    out += [m.value for m in at.markdown] + [m.label for m in at.metric]
    for kind in ("selectbox", "multiselect", "radio"):
        for w in at.get(kind):
            out += [w.label, *map(str, w.options)]
    for df in at.dataframe:
        out += [str(v) for c in df.value.columns for v in df.value[c].astype(str).unique()[:500]]
    return "\n".join(out)


def finding(n: int, province: str, city: str, county: str, agency: str) -> FindingRef:
    return FindingRef(
        f"{n:016x}", "report", f"k{n}", agency, 2023, "t3_row_sum", "t3.x.total", "ab" * 32, province, city, county
    )


GZ_FINDING = finding(1, "江西省", "赣州市", "章贡区", "赣州市章贡区教育局")
ZJ_FINDING = finding(2, "浙江省", "杭州市", "西湖区", "杭州市西湖区教育局")


# ---- modes ---------------------------------------------------------------------------------------


def test_without_accounts_the_dashboard_is_public_and_read_only(db, monkeypatch, tmp_path):
    monkeypatch.setenv("GOVDASH_DB", str(db))
    monkeypatch.setenv("GOVREPORT_REVIEW_DB", f"sqlite:///{tmp_path / 'none.sqlite'}")
    at = run()
    side = [c.value for c in at.sidebar.caption]
    assert any("公开只读模式" in c for c in side), side
    assert not at.sidebar.button and at.title and "总览" in at.title[0].value
    assert not (tmp_path / "none.sqlite").exists()  # a public dashboard creates no store
    at = run(at=AppTest.from_file(APP), lang="en")
    assert any("Public read-only mode" in c.value for c in at.sidebar.caption)


def test_anonymous_visitors_read_only_and_may_sign_in(site):
    at = run()
    assert any("未登录" in c.value for c in at.sidebar.caption)
    assert "总览" in at.title[0].value and not any(b.label == "退出登录" for b in at.sidebar.button)
    at = run("login", at=at)
    assert at.title[0].value == "登录" and at.text_input(key="login_password").proto.type == 1  # a password box


def test_auth_required_shows_anonymous_visitors_only_the_login_page(site, monkeypatch, db):
    monkeypatch.setattr(sys, "argv", ["app.py", "--db", str(db), "--auth", "required"])
    for lang in ("zh", "en"):
        at = AppTest.from_file(APP, default_timeout=90)
        at.query_params.update({"province": "江西省", **({"lang": "en"} if lang == "en" else {})})
        at.run()
        assert not at.exception
        assert [t.value for t in at.title] == ["登录" if lang == "zh" else "Sign in"]
        assert not at.metric and not at.dataframe and not at.sidebar.selectbox  # no data, no filters, no links
        for page in ("compliance", "agency", "data"):
            try:
                at.switch_page(f"views/{page}.py")  # not a page of this session
            except Exception:  # noqa: S110 (Streamlit may refuse the switch outright)
                continue
            at.run()
            assert [t.value for t in at.title] == ["登录" if lang == "zh" else "Sign in"], page
            assert not at.metric and not at.dataframe
        if lang == "en":
            shown = "\n".join([*(t.value for t in at.title), *(i.value for i in at.info), at.button[0].label])
            assert not re.search(r"[\u4e00-\u9fff]", shown.replace("政府信息公开工作年度报告分析", "")), shown
    at = sign_in("张三", page="overview")  # the login form stands in for the page asked for
    assert "总览" in at.title[0].value and at.metric


def test_required_mode_without_accounts_says_how_to_make_one(db, tmp_path, monkeypatch):
    monkeypatch.setenv("GOVDASH_DB", str(db))
    monkeypatch.setenv("GOVREPORT_REVIEW_DB", f"sqlite:///{tmp_path / 'empty.sqlite'}")
    monkeypatch.setenv("GOVDASH_AUTH", "required")
    at = run()
    assert [t.value for t in at.title] == ["登录"] and "python -m dashboard.users add" in at.warning[0].value
    assert not at.text_input  # nobody can sign in, and nothing else is shown


# ---- the login, the session ----------------------------------------------------------------------


def test_sign_in_sets_the_contract_and_sign_out_ends_it(site):
    at = sign_in("张三")
    account = at.session_state["account"]
    assert (account.name, account.scope.text(), at.session_state["role"]) == ("张三", "江西省/赣州市", "reviewer")
    assert "总览" in at.title[0].value
    assert any("张三" in c.value and "审核员" in c.value and "江西省/赣州市" in c.value for c in at.sidebar.caption)
    token = at.session_state["_auth_token"]
    assert token not in str(dict(at.query_params)) and PASSWORD not in str(dict(at.query_params))
    next(b for b in at.sidebar.button if b.label == "退出登录").click()
    at.run()
    assert "role" not in at.session_state and any("未登录" in c.value for c in at.sidebar.caption)
    with site.store.read() as conn:  # the server-side session is gone: the token is worth nothing now
        assert conn.execute(sa.select(sa.func.count()).select_from(tables.sessions)).scalar_one() == 0


def test_the_password_is_nowhere_in_the_store(db, store_url, monkeypatch, request):
    """Signed in through the page, on SQLite (every byte of the file, its WAL and shared memory)
    and on PostgreSQL (a dump of the database)."""
    _, url, backend = store_url
    url = url or f"sqlite:///{store_url[0].parent / 'r.sqlite'}"
    monkeypatch.setenv("GOVDASH_DB", str(db))
    monkeypatch.setenv("GOVREPORT_REVIEW_DB", url)
    with open_store(db, url) as store:
        Accounts(store).add("张三", PASSWORD, "reviewer", "江西省/赣州市")
        at = sign_in("张三")
        token = at.session_state["_auth_token"]
        assert at.session_state["role"] == "reviewer"
        if backend == "sqlite":
            raw = b"".join(p.read_bytes() for p in store_url[0].parent.glob("r.sqlite*"))
        else:
            raw = request.getfixturevalue("pg_server").dump(url.rsplit("/", 1)[1]).encode()
    assert b"$argon2id$" in raw and "张三".encode() in raw
    for secret in (PASSWORD, token):
        assert secret.encode() not in raw


def test_wrong_passwords_are_slowed_then_locked(site):
    at = run("login")
    pauses, said = [], []
    for _ in range(MAX_FAILURES):
        at.text_input(key="login_name").input("张三")
        at.text_input(key="login_password").input("wrong-password")
        next(b for b in at.button if b.label == "登录").click()
        start = time.monotonic()
        at.run()
        pauses.append(time.monotonic() - start)
        said.append(at.error[0].value)
    assert said == ["用户名或密码错误"] * MAX_FAILURES  # one answer for a wrong name or password
    assert pauses[-1] > pauses[0] + 1.5 and pauses[2] >= 1.0, pauses  # a growing pause
    at.text_input(key="login_name").input("张三")
    at.text_input(key="login_password").input(PASSWORD)
    next(b for b in at.button if b.label == "登录").click()
    at.run()
    assert "锁定" in at.error[0].value and "role" not in at.session_state  # even the right password waits
    assert site.get("张三").locked_until is not None


def test_a_locked_account_is_told_in_english_too(site):
    for _ in range(MAX_FAILURES):
        with pytest.raises(LoginRefused):
            site.login("张三", "wrong-password")
    at = sign_in("张三", lang="en")
    assert "locked" in at.error[0].value and not re.search(r"[\u4e00-\u9fff]", at.error[0].value)


def test_sessions_expire_after_inactivity(site):
    at = sign_in("张三")
    assert at.session_state["role"] == "reviewer"
    old = datetime.now(UTC) - timedelta(minutes=31)
    site.store.write(lambda conn: conn.execute(sa.update(tables.sessions).values(last_seen_at=old)))
    at.run()
    assert "role" not in at.session_state and "account" not in at.session_state
    assert any("超时" in w.value for w in at.sidebar.warning)  # said once, then anonymous
    at.run()
    assert not any("超时" in w.value for w in at.sidebar.warning)


def test_a_disabled_account_is_signed_out_at_once(site):
    at = sign_in("张三")
    site.set_disabled("张三", True)
    at.run()
    assert "role" not in at.session_state and any("登录已失效" in w.value for w in at.sidebar.warning)


# ---- roles and actions ---------------------------------------------------------------------------


def _action_page():
    import streamlit as st

    from dashboard import auth

    auth.restore()
    actor = auth.require("reviewer", "admin")
    st.button("确认", key="act")
    st.session_state["acted_as"] = actor.name


def test_a_viewer_has_no_action_controls_and_a_forged_action_is_refused(site, tmp_path):
    viewer = site.login("李四", PASSWORD)
    at = AppTest.from_function(_action_page, default_timeout=60)
    at.session_state["_auth_token"] = viewer.token
    at.run()
    assert not at.button and "acted_as" not in at.session_state
    assert "查看者" in at.error[0].value and "审核员" in at.error[0].value
    # the same page, forged: a viewer's account sent straight to the workflow is refused there too
    from etl.review.workflow import decide

    with pytest.raises(Refused, match="只读"):
        decide(site.store, viewer.actor, [Decision(GZ_FINDING, "已确认", "伪造", None)], today=date(2025, 3, 1))
    anonymous = AppTest.from_function(_action_page, default_timeout=60)
    anonymous.run()
    assert not anonymous.button and "需要登录" in anonymous.error[0].value
    reviewer = site.login("张三", PASSWORD)
    at = AppTest.from_function(_action_page, default_timeout=60)
    at.session_state["_auth_token"] = reviewer.token
    at.run()
    assert at.button and at.session_state["acted_as"] == "张三"


def test_a_forged_token_is_no_account(site):
    at = AppTest.from_function(_action_page, default_timeout=60)
    at.session_state["_auth_token"] = "forged-" + "x" * 40
    at.session_state["role"] = "admin"  # whatever a client could put there is replaced from the store
    at.run()
    assert not at.button and "role" not in at.session_state


# ---- the region scope ----------------------------------------------------------------------------


def test_a_ganzhou_reviewer_cannot_see_zhejiang_by_url(site, db):
    at = sign_in("张三")
    for params in (
        {"province": "浙江省"},
        {"province": "江西省", "city": "南昌市"},
        {"province": "浙江省", "city": "嘉兴市"},
    ):
        at.query_params.clear()
        at.query_params.update(params)
        at.run()
        assert not at.exception
        scope = at.session_state["scope"]
        assert (scope.province, scope.city) == ("江西省", "赣州市"), params
        refused = [w.value for w in at.warning if "不在您的账户范围" in w.value]
        assert refused and any(f"={v}" in r for r in refused for v in params.values() if v not in ("江西省",)), refused
        seen = words(at)
        for r in refused:
            seen = seen.replace(r, "")
        assert not ZJ.search(seen), params
    with duckdb.connect(str(db), read_only=True) as con:
        want = con.execute(
            "SELECT count(*) FROM reports r JOIN agencies a USING (agency_id) WHERE NOT r.is_duplicate"
            " AND a.province='江西省' AND a.city='赣州市' AND r.year=?",
            [at.session_state["year"]],
        ).fetchone()[0]
    shown = next(m for m in at.metric if m.label.startswith("收到报告"))
    assert int(str(shown.value).split("/")[0].replace(",", "").strip()) == want
    assert [s.options for s in at.sidebar.selectbox if s.label.startswith("省")] == [["江西省"]]


def test_pages_and_widgets_refuse_zhejiang(site, db):
    with duckdb.connect(str(db), read_only=True) as con:
        zj, zj_name = con.execute("SELECT agency_id, name FROM agencies WHERE province='浙江省' LIMIT 1").fetchone()
        gz = con.execute("SELECT agency_id FROM agencies WHERE city='赣州市' LIMIT 1").fetchone()[0]
    at = sign_in("张三")
    for page in ("compliance", "trends", "regions", "compare", "applications", "review", "data", "agency"):
        at = run(page, at=at)
        assert not ZJ.search(words(at)), page
        assert not at.error, (page, [e.value for e in at.error])  # every page works inside the scope
    at = run("agency", at=at, agency=zj)  # an agency record by its number
    assert any("不在您的账户范围" in e.value and "浙江省" in e.value for e in at.error)
    assert not at.metric and not at.dataframe
    at.query_params.clear()
    at = run("agency", at=at, agency=gz)
    assert not at.error and at.subheader
    at.query_params.clear()
    at.run()
    at.text_input(key="ag_search").input(zj_name[-6:]).run()  # a search typed into the box
    assert not ZJ.search(words(at)) and any("没有名称中含有" in i.value for i in at.info)
    at.query_params.clear()
    at = run("compare", at=at, by="agency")
    at.query_params["agency"] = [str(gz), str(zj)]  # forged: two agencies, one of them in 浙江省
    at.run()
    assert any("不在您的账户范围" in e.value for e in at.error) and not at.get("plotly_chart")
    at.query_params.clear()
    at.query_params.update({"by": "region", "place": ["江西省/赣州市", "浙江省/嘉兴市"]})
    at.run()
    assert any("place=浙江省/嘉兴市" in w.value and "不在您的账户范围" in w.value for w in at.warning)
    assert all(p.startswith("江西省/赣州市") for m in at.multiselect for p in m.options)


def _guarded_page():
    import streamlit as st

    from dashboard import auth, state
    from dashboard import queries as q

    auth.restore()
    asked = st.session_state["asked"]
    try:
        st.session_state["got"] = state.run(q.kpis, q.Scope(*asked), 2021, ("reports",)).height
    except auth.OutOfScope as e:
        st.session_state["refused"] = e.message()
    try:
        st.session_state["export"] = state.followup_workbook(q.Scope(*asked), 2021)
    except auth.OutOfScope as e:
        st.session_state["export_refused"] = e.message()


@pytest.mark.parametrize(
    "asked, ok",
    [
        (("浙江省", None, None), False),
        ((None, None, None), False),  # the whole country is wider than the account
        (("江西省", None, None), False),
        (("江西省", "赣州市", None), True),
        (("江西省", "赣州市", "章贡区"), True),
    ],
)
def test_every_query_and_export_is_bound_server_side(site, asked, ok):
    """Whatever scope a page or a forged widget state hands to state.run or an export, the account's
    region decides, not the page."""
    reviewer = site.login("张三", PASSWORD)
    at = AppTest.from_function(_guarded_page, default_timeout=60)
    at.session_state["_auth_token"] = reviewer.token
    at.session_state["asked"] = asked
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert ("got" in at.session_state) == ok and ("export" in at.session_state) == ok
    if not ok:
        assert "不在您的账户范围（江西省/赣州市）内" in at.session_state["refused"]
        assert "不在您的账户范围" in at.session_state["export_refused"]


def test_the_followup_export_holds_only_the_scope(site, db):
    import io

    from openpyxl import load_workbook

    reviewer = site.login("张三", PASSWORD)
    at = AppTest.from_function(_guarded_page, default_timeout=60)
    at.session_state["_auth_token"] = reviewer.token
    at.session_state["asked"] = ("江西省", "赣州市", None)
    at.run()
    wb = load_workbook(io.BytesIO(at.session_state["export"]), read_only=True)
    rows = list(wb["督办清单"].iter_rows(values_only=True))
    at_ = rows[0].index("省")
    assert rows[0][at_ : at_ + 2] == ("省", "市") and len(rows) > 1
    assert {(r[at_], r[at_ + 1]) for r in rows[1:]} == {("江西省", "赣州市")}


def test_excel_import_refuses_rows_outside_the_scope(site, tmp_path):
    """The 督办清单 import acts as the signed-in account: a row of 浙江省 is refused, by row, and
    the row in scope is applied in the account's name."""
    from openpyxl import Workbook

    from etl.review.excel import import_workbook
    from etl.review.queries import history, states

    wb = Workbook()
    ws = wb.active
    ws.title = "督办清单"
    ws.append(["省", "编号", "状态", "说明", "期限"])
    ws.append(["江西省", GZ_FINDING.finding_id, "已确认", "核实属实", None])
    ws.append(["江西省", ZJ_FINDING.finding_id, "已确认", "越权（省份列被改写）", None])
    wb.save(tmp_path / "x.xlsx")
    found = {f.finding_id: f for f in (GZ_FINDING, ZJ_FINDING)}
    actor = site.login("张三", PASSWORD).actor
    report = import_workbook(site.store, actor, tmp_path / "x.xlsx", found, today=date(2025, 3, 1))
    assert [x.finding_id for x in report.changed] == [GZ_FINDING.finding_id]
    assert [(x.row, "不在您的范围" in x.what) for x in report.refused] == [(3, True)]
    assert set(states(site.store)) == {GZ_FINDING.finding_id}
    assert history(site.store, GZ_FINDING.finding_id)[0].account == "张三"


def test_a_national_admin_sees_everything(site):
    at = sign_in("王五", province="浙江省")
    assert at.session_state["scope"].province == "浙江省" and not any("账户范围" in w.value for w in at.warning)
    at = run("data", at=at)
    assert not any("只对全国范围的账户显示" in i.value for i in at.info)
