"""Latency of every dashboard query (dashboard.catalog) on a warehouse: cold (first run on a
new connection) and warm (repeated on one connection), p50 and p95.

    python bench/queries.py bench/.cache/w1000000.duckdb [--record FILE]"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import duckdb

from dashboard.catalog import REFERENCE_SQL, calls

COLD_RUNS, WARM_RUNS = 5, 20


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p * (len(xs) - 1)))]


def _time(fn) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def measure(db: Path, cold_runs: int = COLD_RUNS, warm_runs: int = WARM_RUNS) -> list[dict]:
    """One row per call: cold/warm p50 and p95 in milliseconds, and warm p50 as a ratio to the
    reference query's (the regression guard compares ratios, not times, across machines)."""
    with duckdb.connect(str(db), read_only=True) as con:
        catalog = calls(con)
        ref = [_time(lambda: con.sql(REFERENCE_SQL).fetchall()) for _ in range(warm_runs)]
    cold: list[list[float]] = [[] for _ in catalog]
    for _ in range(cold_runs):
        for i, c in enumerate(catalog):  # a new connection per call: nothing of it is in DuckDB's buffers yet
            with duckdb.connect(str(db), read_only=True) as con:
                cold[i].append(_time(lambda c=c, con=con: c.run(con)))
    rows = []
    ref_p50 = statistics.median(ref)
    with duckdb.connect(str(db), read_only=True) as con:
        for c, cold_ms in zip(catalog, cold):
            c.run(con)
            warm = [_time(lambda c=c: c.run(con)) for _ in range(warm_runs)]
            rows.append(
                {
                    "call": c.label,
                    "cold_p50": pct(cold_ms, 0.5),
                    "cold_p95": pct(cold_ms, 0.95),
                    "warm_p50": pct(warm, 0.5),
                    "warm_p95": pct(warm, 0.95),
                    "ratio": statistics.median(warm) / ref_p50,
                }
            )
    return rows


def table(rows: list[dict]) -> str:
    out = [
        "| query (name#example/scope) | cold p50 ms | cold p95 ms | warm p50 ms | warm p95 ms |",
        "|---|---:|---:|---:|---:|",
    ]
    out += [
        f"| {r['call']} | {r['cold_p50']:.1f} | {r['cold_p95']:.1f} | {r['warm_p50']:.1f} | {r['warm_p95']:.1f} |"
        for r in rows
    ]
    return "\n".join(out)


if __name__ == "__main__":
    rows = measure(Path(sys.argv[1]))
    print(table(rows))
    if "--record" in sys.argv:
        out = Path(sys.argv[sys.argv.index("--record") + 1])
        out.write_text(json.dumps({r["call"]: round(r["ratio"], 3) for r in rows}, ensure_ascii=False, indent=1))
