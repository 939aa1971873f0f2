"""Benchmark warehouses of 10,000 / 100,000 / 1,000,000 reports, made from generated records
(etl.demo.records: realistic prose, 1,000–8,000 characters, with its signature) and kept in
bench/.cache so that the query, page and incremental benchmarks reuse them.

The records are made once by two worker processes and kept in bench/.cache/records-N (pickled
batches of 20,000, without the full text, which is the prose plus the tables' text and is put back
as each batch is read): making a million takes several minutes, longer than loading them. The
timed load reads them back batch by batch (unpickling and rebuilding the text are inside the
time) and writes them, so its memory is one batch at a time. Peak memory is the loading process's
(VmHWM).

    python bench/warehouses.py 1000000     # build (or reuse) one and print the load figures"""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import pickle
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from etl.check.copies import SIGNATURE_VERSION as SIGNATURES
from etl.demo.records import full_text, records
from etl.warehouse.load import Parsed, write

BATCH = 20_000

CACHE = Path(__file__).resolve().parent / ".cache"


def rss_mb() -> float:
    """Current resident memory of this process (Linux /proc)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 1e6


def hwm_mb() -> float:
    """This process's peak resident memory (VmHWM; ru_maxrss would carry a parent's across exec)."""
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM")) / 1024


def cached_records(n: int) -> Path:
    """bench/.cache/records-N: the n records in pickled batches, made once (two processes)."""
    folder = CACHE / f"records-{n}-v2-s{SIGNATURES}"  # the records' signatures follow copies' shingles
    making = folder / "making"
    while making.exists() and not (folder / "done").exists() and _alive(int(making.read_text() or 0)):
        time.sleep(5)  # another process is making them
    if (folder / "done").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    making.write_text(str(os.getpid()))
    it = records(n, jobs=2, with_text=False)
    for k in itertools.count():
        batch = list(itertools.islice(it, BATCH))
        if not batch:
            break
        with open(folder / f"{k:04d}.pkl", "wb") as f:
            pickle.dump(batch, f, protocol=pickle.HIGHEST_PROTOCOL)
    (folder / "done").write_text(str(n))
    return folder


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return pid > 0
    except OSError:
        return False


def read_records(folder: Path) -> Iterator[Parsed]:
    """The cached records, one batch in memory at a time, each with its full text put back."""
    for path in sorted(folder.glob("*.pkl")):
        with open(path, "rb") as f:
            batch = pickle.load(f)
        for p in batch:
            yield dataclasses.replace(p, report=dataclasses.replace(p.report, text=full_text(p.report.prose, p.cells)))


def build(n: int, force: bool = False) -> tuple[Path, dict]:
    """The warehouse of n reports and its load figures (measured when it was built)."""
    CACHE.mkdir(exist_ok=True)
    db, meta = CACHE / f"w{n}.duckdb", CACHE / f"w{n}.json"
    if db.exists() and meta.exists() and not force and json.loads(meta.read_text()).get("signatures") == SIGNATURES:
        return db, json.loads(meta.read_text())
    db.unlink(missing_ok=True)
    t = time.perf_counter()
    folder = cached_records(n)
    made = time.perf_counter() - t
    before = rss_mb()
    t = time.perf_counter()
    s = write(db, read_records(folder))
    seconds = time.perf_counter() - t
    peak = hwm_mb()
    con = duckdb.connect(str(db), read_only=True)
    prose = con.execute("SELECT avg(length(prose)), median(length(prose)) FROM report_texts").fetchall()[0]
    con.close()
    figures = {
        "reports": n,
        "signatures": SIGNATURES,
        "la": round(os.getloadavg()[0], 1),
        "made_s": round(made, 1),
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
    }
    meta.write_text(json.dumps(figures))
    return db, figures


if __name__ == "__main__":
    print(json.dumps(build(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000, force="--force" in sys.argv)[1]))
