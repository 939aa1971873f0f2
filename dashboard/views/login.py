"""登录: a name and a password against the review store's accounts (dashboard.auth). Wrong
passwords are slowed and, after several, the account is locked for a while; the English switch is
here too, since an anonymous visitor in `--auth required` mode sees no sidebar."""

import streamlit as st

from dashboard import auth
from dashboard.i18n import t
from dashboard.state import _lang_changed, lang

L = lang()
left, right = st.columns([5, 1])
st.session_state["_lang"] = L == "en"
right.toggle("English", key="_lang", on_change=_lang_changed)
left.title(auth.w("login"))
st.caption(t("app_title", L))
if note := auth.note():
    st.warning(note, icon=":material/timer_off:")
if auth.public():
    st.warning(auth.w("no_accounts"), icon=":material/person_off:")
    st.stop()
if auth.mode() == "required":
    st.info(auth.w("required"), icon=":material/lock:")
_, middle, _ = st.columns([1, 2, 1])
with middle.form("login", clear_on_submit=True, enter_to_submit=False):
    name = st.text_input(auth.w("name"), key="login_name", autocomplete="username")
    password = st.text_input(auth.w("password"), type="password", key="login_password", autocomplete="current-password")
    sent = st.form_submit_button(auth.w("login"), type="primary", icon=":material/login:")
if sent:
    refused = auth.sign_in(name, password)
    if refused:
        middle.error(refused, icon=":material/block:")
    else:
        st.rerun()
