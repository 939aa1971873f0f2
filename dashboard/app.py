"""Entry point: `streamlit run dashboard/app.py [-- --db PATH]`.

Pages are listed once in PAGES. A page is a file in dashboard/views/; `roles` (None = everyone)
says who may see it, so a page that needs an account (a review queue, an upload page) is one
more row with its roles, and `role()` is where a login page plugs in the current user's role.
The sidebar draws the page links itself (st.page_link), so each link carries the language, the
year and the region: moving between pages never drops them."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `streamlit run` puts dashboard/ first

import streamlit as st  # noqa: E402

from dashboard import auth  # noqa: E402
from dashboard import queries as q  # noqa: E402
from dashboard.i18n import t  # noqa: E402
from dashboard.state import allow_upload, connection, db_path, global_params, lang, run, sidebar  # noqa: E402


@dataclass(frozen=True)
class PageSpec:
    key: str  # url path and the i18n key of its title
    file: str  # in dashboard/views/
    icon: str
    roles: tuple[str, ...] | None = None  # None: every visitor; else only these roles
    needs_data: bool = True  # False: shown even when the database is missing or empty


PAGES: tuple[PageSpec, ...] = (
    PageSpec("overview", "overview.py", ":material/dashboard:"),
    PageSpec("compliance", "compliance.py", ":material/fact_check:"),
    PageSpec("trends", "trends.py", ":material/trending_up:"),
    PageSpec("regions", "regions.py", ":material/map:"),
    PageSpec("compare", "compare.py", ":material/compare_arrows:"),
    PageSpec("applications", "applications.py", ":material/mail:"),
    PageSpec("review", "review.py", ":material/gavel:"),
    PageSpec("agency", "agency.py", ":material/account_balance:"),
    PageSpec("data", "data.py", ":material/database:"),
    PageSpec("definitions", "definitions.py", ":material/menu_book:"),
    # the review pages (issue 13): an account that may act
    PageSpec("queue", "queue.py", ":material/rule:", roles=("reviewer", "admin")),
    PageSpec("supervise", "supervise.py", ":material/assignment_late:", roles=("reviewer", "admin")),
    PageSpec("upload", "upload.py", ":material/upload_file:", roles=("reviewer", "admin"), needs_data=False),
)
OPEN_WITH_SETTING = {"upload": allow_upload}  # pages anonymous visitors see only when a setting turns them on
HERE = Path(__file__).resolve().parent / "views"  # not "pages/": that name turns on Streamlit's older page discovery


LOGIN = PageSpec("login", "login.py", ":material/login:", needs_data=False)  # for anonymous visitors only


def role() -> str | None:
    """The signed-in account's role (dashboard.auth sets st.session_state["role"]); None when anonymous."""
    return auth.role()


def allowed(spec: PageSpec) -> bool:
    if spec.roles is None or role() in spec.roles:
        return True
    setting = OPEN_WITH_SETTING.get(spec.key)
    return role() is None and setting is not None and setting()


L = lang()
st.set_page_config(page_title=t("app_title", L), page_icon=":material/analytics:", layout="wide")
auth.restore()  # the session's account and role, checked against the review store on every run
if role() is None and auth.mode() == "required":  # anonymous visitors see the login form and nothing else
    # every page is known (a link to one is no "page not found") but none runs; after the login the
    # page the link asked for opens
    st.navigation(
        [st.Page(str(HERE / s.file), title=t(s.key, L), url_path=s.key, default=(s.key == "overview")) for s in PAGES],
        position="hidden",
    )
    auth.login_form()
    auth.cookie()
    st.stop()
specs = [s for s in PAGES if allowed(s)] + ([LOGIN] if role() is None and not auth.public() else [])
pages = {
    s.key: st.Page(
        str(HERE / s.file),
        title=auth.w("login") if s is LOGIN else t(s.key, L),
        icon=s.icon,
        url_path=s.key,
        default=(s.key == "overview"),
    )
    for s in specs
}
nav = st.navigation(list(pages.values()), position="hidden")

links = st.sidebar.container()  # filled last: the links carry the filters as the sidebar left them


def draw_links() -> None:
    with links:
        keep = global_params()
        for s in specs:
            if s is not LOGIN:
                st.page_link(pages[s.key], query_params=keep)
        st.divider()
        who()


def who() -> None:
    """Who is signed in (and the way out), or how the dashboard is open to anonymous visitors."""
    if ended := auth.note():  # the session just timed out or the account was disabled
        st.warning(ended, icon=":material/timer_off:")
    account = st.session_state.get("account")
    if account is not None and role():
        st.caption(
            auth.w("signed_in", name=account.name, role=auth.role_words(role()), scope=auth.region_words(account.scope))
        )
        if st.button(auth.w("logout"), key="auth_logout", icon=":material/logout:"):
            auth.sign_out()
            st.rerun()
    elif auth.public():
        st.caption(auth.w("public"))
    else:
        st.caption(auth.w("anonymous"))
        st.page_link(pages[LOGIN.key], query_params={k: v for k, v in global_params().items() if k == "lang"})
    auth.cookie()


spec = next((s for s in specs if s.key == nav.url_path), specs[0])
if spec.needs_data:
    problem = "no_db" if connection() is None else ("no_reports" if run(q.years).height == 0 else None)
    if problem:
        draw_links()
        st.title(t("app_title", L))
        st.info(t(problem, L) + (f"（{db_path()}）" if problem == "no_db" else ""))
        st.stop()
    scope, year = sidebar()
    st.session_state["scope"], st.session_state["year"] = scope, year
draw_links()
try:
    nav.run()
except auth.OutOfScope as e:  # a region, agency or report outside the account's scope: refused, by name
    st.error(e.message(), icon=":material/block:")
