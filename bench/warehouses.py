"""Benchmark warehouses of 10,000 / 100,000 / 1,000,000 reports, made from generated records
(etl.demo.records) and kept in bench/.cache so that the query and page benchmarks reuse them.

    python bench/warehouses.py 1000000     # build (or reuse) one and print the load figures"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from etl.demo.records import records
from etl.warehouse.load import write

CACHE = Path(__file__).resolve().parent / ".cache"


def rss_mb() -> float:
    """Current resident memory of this process (Linux /proc)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 1e6


def hwm_mb() -> float:
    """This process's peak resident memory (VmHWM; ru_maxrss would carry a parent's across exec)."""
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM")) / 1024


def build(n: int, force: bool = False) -> tuple[Path, dict]:
    """The warehouse of n reports and its load figures (measured when it was built)."""
    CACHE.mkdir(exist_ok=True)
    db, meta = CACHE / f"w{n}.duckdb", CACHE / f"w{n}.json"
    if db.exists() and meta.exists() and not force:
        return db, json.loads(meta.read_text())
    db.unlink(missing_ok=True)
    t = time.perf_counter()
    recs = list(records(n))  # made first: the load is timed alone
    made = time.perf_counter() - t
    before = rss_mb()
    t = time.perf_counter()
    s = write(db, recs)
    seconds = time.perf_counter() - t
    peak = hwm_mb()
    figures = {
        "reports": n,
        "made_s": round(made, 1),
        "load_s": round(seconds, 1),
        "per_s": round(n / seconds),
        "db_mb": round(db.stat().st_size / 1e6),
        "findings": sum(s.findings_by_rule.values()),
        "records_rss_mb": round(before),
        "peak_rss_mb": round(peak),
        "load_extra_mb": round(peak - before),
    }
    meta.write_text(json.dumps(figures))
    return db, figures


if __name__ == "__main__":
    print(json.dumps(build(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000, force="--force" in sys.argv)[1]))
