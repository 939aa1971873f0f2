"""Benchmark warehouses of 10,000 / 100,000 / 1,000,000 reports, made from generated records
(etl.demo.records: realistic prose, 1,000–8,000 characters, with its signature) and kept in
bench/.cache so that the query, page and incremental benchmarks reuse them.

The records are made by two worker processes while the loader writes, as parse workers hand
reports to a real load: the load time includes waiting for them (it cannot be shorter than making
the records). Peak memory is the loader's own (VmHWM) and, apart, the largest worker's.

    python bench/warehouses.py 1000000     # build (or reuse) one and print the load figures"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

import duckdb

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
    before = rss_mb()
    t = time.perf_counter()
    s = write(db, records(n, jobs=2))
    seconds = time.perf_counter() - t
    peak = hwm_mb()
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    con = duckdb.connect(str(db), read_only=True)
    prose = con.execute("SELECT avg(length(prose)), median(length(prose)) FROM report_texts").fetchall()[0]
    con.close()
    figures = {
        "reports": n,
        "load_s": round(seconds, 1),
        "checks_s": round(s.checks_seconds, 1),
        "per_s": round(n / seconds),
        "db_mb": round(db.stat().st_size / 1e6),
        "findings": sum(s.findings_by_rule.values()),
        "copied_report": s.findings_by_rule.get("copied_report", 0),
        "copied_from_peer": s.findings_by_rule.get("copied_from_peer", 0),
        "prose_mean": round(prose[0]),
        "prose_median": round(prose[1]),
        "start_rss_mb": round(before),
        "peak_rss_mb": round(peak),
        "worker_peak_mb": round(workers),
    }
    meta.write_text(json.dumps(figures))
    return db, figures


if __name__ == "__main__":
    print(json.dumps(build(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000, force="--force" in sys.argv)[1]))
