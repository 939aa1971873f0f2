"""Who is looking, and what they may see and do: the login, the session, the account's role and
region scope, and the server-side refusals every page relies on.

The contract for pages:

- after a login, `st.session_state["account"]` is the `etl.review.accounts.Account` and
  `st.session_state["role"]` its role (viewer / reviewer / admin); both are set here only, from the
  review store, on every run (app.py calls `restore()` first), never from a widget or the URL;
- `current_actor()` is the acting account (an `etl.review.model.Actor`, for the workflow and the
  Excel import) or None; `require("reviewer", "admin")` returns it or refuses the page server-side;
- the account's scope bounds the sidebar (state.sidebar offers and clamps to it) and every
  registered query (`guard`, called by state.run): a region, agency or report outside it is
  refused with a message naming it, never silently replaced.

Modes: without any enabled account in the review store the dashboard is public and read-only, as
before accounts existed (`make demo` opens straight away); with accounts, anonymous visitors read
public pages and may sign in; `--auth required` (or GOVDASH_AUTH=required) shows anonymous
visitors only the login page.

The session token lives in the server-side `st.session_state`; so that a page reload keeps the
login it is also kept in a cookie of this site (SameSite=Strict, Secure under HTTPS), read when a
new browser session starts and checked against the store like any token. It is never in the URL.
The store keeps only its sha256, and the session ends after inactivity (accounts.IDLE)."""

from __future__ import annotations

import argparse
import inspect
import json
import os
import sys
import time
from pathlib import Path
from typing import NoReturn

import streamlit as st

from dashboard import queries as q
from etl.review.scope import Scope as Region

COOKIE = "govdash_session"
MODES = ("auto", "required")
NATIONAL_ONLY = frozenset({"rejected", "unmatched"})  # lists of files and agencies of every region
ROLE_WORDS = {
    "viewer": ("查看者", "viewer"),
    "reviewer": ("审核员", "reviewer"),
    "admin": ("管理员", "administrator"),
}
WORDS: dict[str, tuple[str, str]] = {
    "login": ("登录", "Sign in"),
    "logout": ("退出登录", "Sign out"),
    "name": ("用户名", "User name"),
    "password": ("密码", "Password"),
    "signed_in": ("当前账户：{name}（{role}，范围：{scope}）", "Signed in as {name} ({role}, scope: {scope})"),
    "public": (
        "公开只读模式：尚未设置账户，任何人都可浏览，不能作任何更改。",
        "Public read-only mode: no accounts are set up; anyone may read and nobody can change anything.",
    ),
    "anonymous": ("未登录：只能浏览公开数据。", "Not signed in: public data only, read only."),
    "required": ("请登录后使用本系统。", "Please sign in to use this dashboard."),
    "no_accounts": (
        "本系统要求登录，但还没有任何账户。请管理员在服务器上运行 python -m dashboard.users add 创建第一个账户。",
        "This dashboard requires a login but has no accounts yet. An administrator creates the first one on the "
        "server with python -m dashboard.users add.",
    ),
    "wrong": ("用户名或密码错误", "Wrong user name or password"),
    "locked": (
        "密码连续输错次数过多，账户已暂时锁定，请 {minutes} 分钟后再试",
        "Too many wrong passwords: the account is locked for now; try again in {minutes} minutes",
    ),
    "disabled": ("账户已停用，请联系管理员", "This account is disabled; ask an administrator"),
    "expired": ("登录已失效，请重新登录", "Your session has ended; please sign in again"),
    "idle": (
        "长时间未操作，登录已超时，请重新登录",
        "You were inactive for too long and have been signed out; please sign in again",
    ),
    "store_down": ("复核库暂时无法打开，请稍后再试：{why}", "The review store cannot be opened now: {why}"),
    "out_of_scope": (
        "“{place}”不在您的账户范围（{scope}）内，不能查看或操作。",
        "“{place}” is outside your account's scope ({scope}): it cannot be shown or changed.",
    ),
    "scope_param": (
        "不在您的账户范围（{scope}）内，已拒绝。",
        "it is outside your account's scope ({scope}); refused.",
    ),
    "needs_login": ("此操作需要登录。", "This needs a signed-in account."),
    "needs_role": (
        "您的账户（{role}）不能进行此操作，需要：{need}。",
        "Your account ({role}) cannot do this; it needs: {need}.",
    ),
    "national_only": (
        "这里列出全国所有地区的文件和机关，只对全国范围的账户显示。",
        "This lists files and agencies of every region: shown only to accounts of national scope.",
    ),
    "nation": ("全国", "whole country"),
}
MESSAGES = {  # the store's refusals (Chinese) -> word keys, for the English page
    "用户名或密码错误": "wrong",
    "账户已停用，请联系管理员": "disabled",
    "登录已失效，请重新登录": "expired",
    "长时间未操作，登录已超时，请重新登录": "idle",
}


def lang() -> str:
    return "en" if st.query_params.get("lang") == "en" else "zh"


def w(key: str, **kw) -> str:
    zh, en = WORDS[key]
    return (zh if lang() == "zh" else en).format(**kw)


def said(message: str) -> str:
    """A refusal of the store, in the language of the page."""
    if lang() == "zh":
        return message
    if message in MESSAGES:
        return w(MESSAGES[message])
    if "锁定" in message:
        digits = "".join(c for c in message if c.isdigit())
        return w("locked", minutes=digits or "1")
    return message


# ---- settings and the store --------------------------------------------------------------------


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--db")
    parser.add_argument("--auth")
    parser.add_argument("--review-db")
    args, _ = parser.parse_known_args(sys.argv[1:])
    return args


def mode() -> str:
    """`--auth auto|required` after `--` on the streamlit command line, else GOVDASH_AUTH, else auto."""
    m = (_args().auth or os.environ.get("GOVDASH_AUTH") or "auto").strip().lower()
    return m if m in MODES else "required"  # a misspelt setting fails closed


@st.cache_resource(max_entries=4, show_spinner=False)
def _store(warehouse: str, url: str | None, where: str):
    """One open store per location (`where`: the resolved URL, so a changed setting opens another)."""
    from etl.review.store import open_store

    return open_store(warehouse, url)


def accounts():
    """The accounts of this dashboard's review store (etl.review.accounts.Accounts), or None when
    there is no store yet (then there are no accounts, and nothing is created beside the warehouse
    unless --auth required)."""
    from sqlalchemy.engine import make_url

    from dashboard.state import db_path
    from etl.review.accounts import Accounts
    from etl.review.store import locate

    warehouse, url = str(db_path()), _args().review_db
    loc = locate(warehouse, url)
    if loc.kind == "sqlite" and mode() != "required" and not Path(make_url(loc.url).database).exists():
        return None
    return Accounts(_store(warehouse, url, loc.url))


def public() -> bool:
    """No enabled account exists: the dashboard runs public and read-only, as before accounts."""
    a = accounts()
    return a is None or not a.any()


# ---- the session ---------------------------------------------------------------------------------


def _forget() -> None:
    for key in ("account", "role", "_auth_token"):
        st.session_state.pop(key, None)


def restore() -> None:
    """Every run starts here (app.py): the session's token, or after a page reload the cookie's, is
    checked against the store (inactivity, maximum age, a disabled account or a changed password
    end it); `account` and `role` are set from the store, or removed."""
    from etl.review.errors import ReviewError, SessionExpired

    token = st.session_state.get("_auth_token")
    fresh = token is None
    if fresh and not st.session_state.get("_auth_out"):
        token = _cookie_token()
    if not token:
        _forget()
        return
    try:
        acc = accounts()
        if acc is None:
            raise SessionExpired("登录已失效，请重新登录")
        s = acc.touch(token)
        account = st.session_state.get("account")
        if fresh or account is None or account.name != s.account:
            account = acc.get(s.account)
    except SessionExpired as e:
        _forget()
        st.session_state["_auth_out"] = True  # the cookie, if any, is stale: not tried again
        if not fresh:
            st.session_state["_auth_note"] = str(e)
        st.session_state["_auth_cookie"] = None
        return
    except ReviewError as e:
        _forget()
        st.session_state["_auth_note"] = w("store_down", why=e.one_line())
        return
    st.session_state["account"] = account
    st.session_state["role"] = s.role
    st.session_state["_auth_token"] = token


def login_form() -> None:
    """The login page: title, the English switch, a message about a session that just ended, the
    form. A successful login reruns the script, which then opens the page the visitor asked for."""
    from dashboard.i18n import t
    from dashboard.state import _lang_changed

    left, right = st.columns([5, 1])
    st.session_state["_lang"] = lang() == "en"
    right.toggle("English", key="_lang", on_change=_lang_changed)
    left.title(w("login"))
    st.caption(t("app_title", lang()))
    if ended := note():
        st.warning(ended, icon=":material/timer_off:")
    if public():
        st.warning(w("no_accounts"), icon=":material/person_off:")
        return
    if mode() == "required":
        st.info(w("required"), icon=":material/lock:")
    _, middle, _ = st.columns([1, 2, 1])
    with middle.form("login", clear_on_submit=True, enter_to_submit=False):
        name = st.text_input(w("name"), key="login_name", autocomplete="username")
        password = st.text_input(w("password"), type="password", key="login_password", autocomplete="current-password")
        sent = st.form_submit_button(w("login"), type="primary", icon=":material/login:")
    if sent:
        refused = sign_in(name, password)
        if refused:
            middle.error(refused, icon=":material/block:")
        else:
            st.rerun()


def _cookie_token() -> str | None:
    try:
        value = st.context.cookies.get(COOKIE)
    except Exception:  # no browser behind this session (a test, a bare run)
        return None
    return value if isinstance(value, str) and 20 <= len(value) <= 200 else None


def sign_in(name: str, password: str) -> str | None:
    """Check the name and password; on success the session is this account's. Returns the refusal
    (in the page's language) or None. Wrong passwords are slowed here (a growing pause within this
    browser session) and locked out by the store (accounts.MAX_FAILURES, growing lock periods)."""
    from etl.review.errors import ReviewError

    acc = accounts()
    if acc is None:
        return w("wrong")
    try:
        s = acc.login(name, password)
    except ReviewError as e:
        fails = st.session_state.get("_auth_fails", 0) + 1
        st.session_state["_auth_fails"] = fails
        time.sleep(min(0.25 * 2 ** (fails - 1), 4.0))
        return said(e.one_line())
    st.session_state.pop("_auth_fails", None)
    st.session_state.pop("_auth_out", None)
    st.session_state["_auth_token"] = s.token
    st.session_state["account"] = acc.get(s.account)
    st.session_state["role"] = s.role
    st.session_state["_auth_cookie"] = s.token
    return None


def sign_out() -> None:
    acc = accounts()
    token = st.session_state.get("_auth_token")
    if acc is not None and token:
        acc.logout(token)
    _forget()
    st.session_state["_auth_out"] = True
    st.session_state["_auth_cookie"] = None


def cookie() -> None:
    """Write (after a login) or clear (after a logout or an expiry) the session cookie in the browser."""
    if "_auth_cookie" not in st.session_state:
        return
    token = st.session_state.pop("_auth_cookie")
    from etl.review.accounts import MAX_AGE

    age = int(MAX_AGE.total_seconds()) if token else 0
    st.html(
        "<script>(function(){const s=location.protocol==='https:'?'; Secure':'';"
        f"document.cookie='{COOKIE}='+{json.dumps(token or '')}+'; Path=/; SameSite=Strict; Max-Age={age}'+s;"
        "})();</script>",
        unsafe_allow_javascript=True,
    )


def note() -> str | None:
    """A message about the session that just ended (timed out, disabled), shown once."""
    m = st.session_state.pop("_auth_note", None)
    return said(m) if m else None


# ---- who acts ------------------------------------------------------------------------------------


def role() -> str | None:
    return st.session_state.get("role")


def current_actor():
    """The signed-in account as an etl.review.model.Actor (name, role, scope), or None."""
    from etl.review.model import Actor

    a = st.session_state.get("account")
    r = role()
    return Actor(a.name, r, a.scope) if a is not None and r else None


def refuse(message: str) -> NoReturn:
    st.error(message, icon=":material/block:")
    st.stop()
    raise AssertionError("unreachable")


def require(*roles: str):
    """The acting account when its role is one of `roles` (default: any account); otherwise the
    page stops here with a message. Call it before drawing any action and again when acting."""
    actor = current_actor()
    if actor is None:
        refuse(w("needs_login"))
    if roles and actor.role not in roles:
        need = ("、" if lang() == "zh" else ", ").join(role_words(r) for r in roles)
        refuse(w("needs_role", role=role_words(actor.role), need=need))
    return actor


def role_words(r: str | None) -> str:
    return ROLE_WORDS.get(r or "", ("", ""))[0 if lang() == "zh" else 1]


# ---- the scope -----------------------------------------------------------------------------------


def region() -> Region:
    """The region the signed-in account may see (the whole country when nobody is signed in)."""
    a = st.session_state.get("account")
    return a.scope if a is not None and role() else Region()


def region_words(r: Region | None = None) -> str:
    r = r if r is not None else region()
    return w("nation") if r.national else r.text()


class OutOfScope(Exception):
    """A region, agency or report outside the account's scope was asked for."""

    def __init__(self, place: str) -> None:
        super().__init__(place)
        self.place = place

    def message(self) -> str:
        return w("out_of_scope", place=self.place, scope=region_words())


def covers(scope: q.Scope) -> bool:
    """Whether a page's scope (a region and a kind) lies inside the account's region."""
    r = region()
    if r.national:
        return True
    return (
        scope.province == r.province
        and (r.city is None or scope.city == r.city)
        and (r.county is None or scope.county == r.county)
    )


def path_allowed(path: str) -> bool:
    """A region path 省/市/县 (as the comparison page writes them) inside the account's region."""
    r = region()
    if r.national:
        return True
    mine = r.text()
    return path == mine or path.startswith(mine + "/")


def _place(df) -> str:
    row = df.row(0, named=True)
    return "/".join(p for p in (row["province"], row["city"], row["county"]) if p) or "（地区不明）"


def guard(fn, args: tuple, kwargs: dict, fetch) -> None:
    """Refuse a registered query whose arguments reach outside the account's region: a scope, an
    agency, a report, a region path, or a list of every region's files. `fetch(query, *args)`
    runs a lookup query unguarded. Raises OutOfScope; a national account passes everything."""
    r = region()
    if r.national:
        return
    name = fn.__name__
    if name in NATIONAL_ONLY:
        raise OutOfScope(w("nation"))
    bound = inspect.signature(fn).bind(None, *args, **kwargs).arguments
    for key, value in list(bound.items())[1:]:
        if isinstance(value, q.Scope):
            if not covers(value):
                raise OutOfScope("/".join(p for p in (value.province, value.city, value.county) if p) or w("nation"))
        elif key in ("agency_id", "ids"):
            for i in value if isinstance(value, list | tuple) else [value]:
                check_place(fetch(q.agency_place, int(i)))
        elif key == "report_id":
            check_place(fetch(q.report_place, value))
        elif key == "paths":
            for p in value:
                if not path_allowed(str(p)):
                    raise OutOfScope(str(p))


def check_place(df) -> None:
    """An agency's or a report's place (a frame of province, city, county) inside the region; an
    unknown agency or report passes (the page says there is none)."""
    if df.height == 0:
        return
    row = df.row(0, named=True)
    if not region().contains(row["province"], row["city"], row["county"]):
        raise OutOfScope(_place(df))
