"""Server time to render each dashboard page (AppTest), cold cache and warm, on a database.

python bench/page_times.py data/warehouse.duckdb [year]"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
PAGES = [
    "overview",
    "trends",
    "regions",
    "compare",
    "compliance",
    "applications",
    "review",
    "agency",
    "data",
    "definitions",
]


def render(page: str, year: str, at: AppTest | None = None) -> tuple[float, AppTest]:
    at = at or AppTest.from_file(APP, default_timeout=120)
    at.query_params["year"] = year
    if page == "agency":
        at.query_params["agency"] = "1"
    t = time.perf_counter()
    at.run()
    if page != "overview":
        at.switch_page(f"views/{page}.py")
        at.run()
    dt = time.perf_counter() - t
    assert not at.exception, (page, [e.value for e in at.exception])
    return dt, at


def main() -> None:
    os.environ["GOVDASH_DB"] = sys.argv[1]
    year = sys.argv[2] if len(sys.argv) > 2 else "2024"
    render("definitions", year)  # a running server has its modules imported and its connection open
    print(f"{'page':<14}{'cold (s)':>10}{'warm (s)':>10}")
    for page in PAGES:
        st.cache_data.clear()  # cold: no cached query results
        cold, at = render(page, year)
        warm, _ = render(page, year)
        print(f"{page:<14}{cold:>10.2f}{warm:>10.2f}", file=sys.stdout)
    # VmHWM: this process's own high-water mark (ru_maxrss would carry a parent's across exec)
    hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
    print(f"PEAK_MB {hwm / 1024:.0f}")


if __name__ == "__main__":
    main()
