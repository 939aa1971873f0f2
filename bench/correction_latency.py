"""From a correction saved on 核查 to the pages showing it: the background load of the corrected
report (etl.upload.start_reload), timed to the end of its job, for a few reports of a warehouse.
Run from the folder the warehouse's source paths are relative to (the project's, for the demo).

    python bench/correction_latency.py data/warehouse.duckdb [N]"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import duckdb

from etl import upload
from etl.review.corrections import correct, withdraw
from etl.review.model import Actor
from etl.review.scope import Scope
from etl.review.store import open_store
from etl.review.warehouse import read_findings

FIELD = "t3__new_received__natural_person"


def wait(db: Path, job_id: str) -> upload.Job:
    while True:
        job = upload.read_job(db, job_id)
        if job is not None and job.state in ("done", "failed"):
            return job
        time.sleep(0.1)


def main() -> None:
    db, n = Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            f"SELECT sha256, source_path, {FIELD} FROM reports WHERE NOT is_duplicate AND {FIELD} IS NOT NULL "
            "ORDER BY sha256 LIMIT ?",
            [n],
        ).fetchall()
    by_sha = read_findings(db).by_sha
    who = Actor("测量", "admin", Scope())
    seconds = []
    for sha, path, value in rows:
        with open_store(db) as store:
            correct(store, who, by_sha[sha], FIELD, value + 1, original=value, reason="测量")
        t = time.perf_counter()
        job = wait(db, upload.start_reload([path], db))
        seconds.append(time.perf_counter() - t)
        with duckdb.connect(str(db), read_only=True) as con:
            now = con.execute(f"SELECT {FIELD} FROM reports WHERE sha256 = ? AND NOT is_duplicate", [sha]).fetchall()
        print(f"{job.state} {seconds[-1]:.1f} s: {value} -> {now[0][0]} (load average {os.getloadavg()[0]:.1f})")
        with open_store(db) as store:  # the warehouse keeps the correction until the next load reads the file
            withdraw(store, who, by_sha[sha], FIELD, reason="测量结束")
    print(f"median {statistics.median(seconds):.1f} s over {len(seconds)}")


if __name__ == "__main__":
    main()
