"""Entry point: `streamlit run dashboard/app.py [-- --db PATH]`. Routes with st.navigation."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `streamlit run` puts dashboard/ first

import streamlit as st  # noqa: E402

from dashboard import queries as q  # noqa: E402
from dashboard.i18n import t  # noqa: E402
from dashboard.state import connection, db_path, lang, run, sidebar  # noqa: E402

st.set_page_config(page_title="政府信息公开年报分析", page_icon=":material/analytics:", layout="wide")
L = lang()
HERE = Path(__file__).parent / "views"  # not "pages/": that name turns on Streamlit's older page discovery
PAGES = [
    ("overview", "overview.py", ":material/dashboard:"),
    ("trends", "trends.py", ":material/trending_up:"),
    ("regions", "regions.py", ":material/map:"),
    ("compliance", "compliance.py", ":material/fact_check:"),
    ("applications", "applications.py", ":material/mail:"),
    ("review", "review.py", ":material/gavel:"),
    ("agency", "agency.py", ":material/account_balance:"),
    ("data", "data.py", ":material/database:"),
    ("definitions", "definitions.py", ":material/menu_book:"),
]
pages = [st.Page(str(HERE / f), title=t(k, L), icon=i, url_path=k, default=(k == "overview")) for k, f, i in PAGES]
nav = st.navigation(pages)

if connection() is None:
    st.title(t("app_title", L))
    st.info(t("no_db", L) + f"（{db_path()}）")
    st.stop()
if run(q.years).height == 0:
    st.title(t("app_title", L))
    st.info(t("no_reports", L))
    st.stop()
scope, year = sidebar()
st.session_state["scope"], st.session_state["year"] = scope, year
nav.run()
