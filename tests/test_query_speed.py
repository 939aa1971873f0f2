"""Regression guard for dashboard query speed: every query the pages run (dashboard.catalog),
timed on a 10,000-report warehouse, must stay within 10x of its recorded cost. Costs are
ratios to a simple reference query timed in the same run, so a slower machine does not fail
the guard; a query that starts scanning what it should not does. Refresh the record with
`python bench/queries.py bench/.cache/w10000.duckdb --record tests/fixtures/query_ratios.json`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import FIXTURES

from dashboard.catalog import calls
from etl.demo.records import records
from etl.warehouse.load import write

ROOT = Path(__file__).resolve().parents[1]
FACTOR = 10


@pytest.fixture(scope="module")
def ten_thousand(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("speed") / "w10000.duckdb"
    write(db, records(10_000))
    return db


def test_every_query_a_page_runs_is_registered_and_timed(ten_thousand):
    import duckdb

    from dashboard.queries import QUERIES

    used = set()
    for f in [*(ROOT / "dashboard").rglob("*.py")]:
        used |= set(re.findall(r"\brun\(q\.([a-z0-9_]+)", f.read_text(encoding="utf-8")))
    assert used and used <= set(QUERIES), used - set(QUERIES)
    with duckdb.connect(str(ten_thousand), read_only=True) as con:
        timed = {c.query.name for c in calls(con)}
    assert timed == set(QUERIES), set(QUERIES) - timed


def test_no_query_became_ten_times_slower(ten_thousand):
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    from queries import measure

    recorded = json.loads((FIXTURES / "query_ratios.json").read_text(encoding="utf-8"))
    rows = measure(ten_thousand, cold_runs=1, warm_runs=7)
    slow = []
    for r in rows:
        was = recorded.get(r["call"])
        assert was is not None, f"{r['call']} is not in the record: refresh tests/fixtures/query_ratios.json"
        if r["ratio"] > FACTOR * max(was, 1.0):
            slow.append(f"{r['call']}: {r['ratio']:.1f}x the reference query, recorded {was:.1f}x")
    assert not slow, slow
