from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from etl.extract.report_json import failure_json, to_json
from etl.pipeline import parse_path

FIXTURES = Path(__file__).parent / "fixtures"


def parse_json(path: str | Path) -> dict:
    out = parse_path(str(path))
    return to_json(out.report) if out.report else failure_json(str(path), out.error or "")


def num_eq(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 1e-9


def agency_matches(label: str, got: str | None) -> bool:
    """As the sample scorer judges it: equal, or one name inside the other at >= half length."""
    if not got:
        return False
    a, b = "".join(label.split()), "".join(got.split())
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return short in long_ and len(short) / len(long_) >= 0.5


def mismatches(expected: dict, got: dict) -> list[str]:
    """Every labelled field of `expected` that `got` does not match."""
    out = []
    if "agency" in expected and not agency_matches(expected["agency"], got.get("agency")):
        out.append(f"agency: {expected['agency']!r} != {got.get('agency')!r}")
    for k in ("year", "province", "city", "county", "format_version", "publish_date"):
        if expected.get(k) is not None and expected[k] != got.get(k):
            out.append(f"{k}: {expected[k]!r} != {got.get(k)!r}")
    if "sections" in expected and expected["sections"] != got.get("sections"):
        out.append(f"sections: {expected['sections']} != {got.get('sections')}")
    for table in ("t2", "t4"):
        for k, v in (expected.get(table) or {}).items():
            if not num_eq(v, (got.get(table) or {}).get(k)):
                out.append(f"{table}.{k}: {v!r} != {(got.get(table) or {}).get(k)!r}")
    for row, cols in (expected.get("t3") or {}).items():
        for c, v in cols.items():
            g = ((got.get("t3") or {}).get(row) or {}).get(c)
            if not num_eq(v, g):
                out.append(f"t3.{row}.{c}: {v!r} != {g!r}")
    for k, v in (expected.get("narrative") or {}).items():
        g = (got.get("narrative") or {}).get(k)
        g = g.get("value") if isinstance(g, dict) else g
        if not num_eq(v, g):
            out.append(f"narrative.{k}: {v!r} != {g!r}")
    return out


@pytest.fixture(scope="session")
def ganzhou() -> dict:
    return parse_json(FIXTURES / "samples" / "ganzhou-jkq-2023.txt")


def load_expected(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def q(db: Path, sql: str, params=None) -> list[tuple]:
    """Run one query on a warehouse file, read-only, and close it again."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="session")
def db(tmp_path_factory) -> Path:
    """A small generated warehouse with the real samples: the dashboard, briefing and export tests
    read it (read-only)."""
    from etl.demo.generate import generate
    from etl.pipeline import run_load

    root = tmp_path_factory.mktemp("dash")
    generate(root / "corpus", seed=5, scale="small")
    path = root / "w.duckdb"
    run_load(
        [str(root / "corpus"), str(FIXTURES / "samples")],
        path,
        str(root / "corpus" / "registry.csv"),
        jobs=1,
        progress=False,
    )
    return path
