"""The dashboard as a signed-in account, for the real-browser test of the review pages: makes the
account (GOVDASH_TEST_ACCOUNT, GOVDASH_TEST_ROLE, GOVDASH_TEST_SCOPE) in the review store and signs
it in as the login page does (a session token checked by dashboard.auth), then runs dashboard/app.py.
Test use only: it is not part of the dashboard and `streamlit run dashboard/app.py` never reads these variables."""

import os
import runpy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard.state import db_path  # noqa: E402
from etl.review.accounts import Accounts  # noqa: E402
from etl.review.errors import AccountError  # noqa: E402
from etl.review.store import open_store  # noqa: E402

PASSWORD = "Signed-in-测试-口令-2025"

if "_auth_token" not in st.session_state:
    # signed in as the login page signs in: an account in the review store, a session token for it
    name = os.environ.get("GOVDASH_TEST_ACCOUNT", "测试审核员")
    with open_store(db_path(), None) as store:
        site = Accounts(store)
        try:
            site.add(
                name,
                PASSWORD,
                os.environ.get("GOVDASH_TEST_ROLE", "reviewer"),
                os.environ.get("GOVDASH_TEST_SCOPE", "全国"),
            )
        except AccountError:
            pass  # made by an earlier session of this test server
        st.session_state["_auth_token"] = site.login(name, PASSWORD).token
runpy.run_path(str(ROOT / "dashboard" / "app.py"), run_name="__main__")
