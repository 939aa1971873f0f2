"""The dashboard as a signed-in account, for the real-browser test of the review pages: sets
st.session_state["account"] and ["role"] the way the login page does (from GOVDASH_TEST_ACCOUNT,
GOVDASH_TEST_ROLE and GOVDASH_TEST_SCOPE), then runs dashboard/app.py. Test use only: it is not
part of the dashboard and `streamlit run dashboard/app.py` never reads these variables."""

import os
import runpy
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from etl.review.accounts import Account  # noqa: E402
from etl.review.scope import parse_scope  # noqa: E402

if "account" not in st.session_state:
    role = os.environ.get("GOVDASH_TEST_ROLE", "reviewer")
    st.session_state["account"] = Account(
        os.environ.get("GOVDASH_TEST_ACCOUNT", "测试审核员"),
        role,
        parse_scope(os.environ.get("GOVDASH_TEST_SCOPE", "全国")),
        False,
        0,
        None,
        datetime.now(UTC),
        None,
    )
    st.session_state["role"] = role
runpy.run_path(str(ROOT / "dashboard" / "app.py"), run_name="__main__")
