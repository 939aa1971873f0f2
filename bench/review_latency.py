"""How long one review action takes, and how long until the pages count it.

    python bench/review_latency.py --db data/warehouse.duckdb [--findings 5000] [--postgresql]

Fills a fresh review store with `--findings` findings in their states (batches of 500 decisions),
then times, one at a time (median and p95 of `--repeat`): `decide` of one finding (待核实 → 已确认,
then 已确认 → 已排除 with a reason), and what a page does after the action to show it: read the
dismissed ids from the store, register them on the warehouse connection and run the compliance
scores query. SQLite (a file beside a temporary warehouse) and, with --postgresql, a throw-away
PostgreSQL server started as the tests start it (tests/review_support.py)."""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from review_records import actor, finding  # noqa: E402

from dashboard import decisions  # noqa: E402
from dashboard import queries as dq  # noqa: E402
from etl.review.model import Decision  # noqa: E402
from etl.review.store import open_store  # noqa: E402
from etl.review.workflow import decide  # noqa: E402

ADMIN = actor("管理员", "admin", "全国")


def _ms(samples: list[float]) -> str:
    s = sorted(samples)
    p95 = s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]
    return f"median {statistics.median(s) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms (n={len(s)})"


def run(warehouse: Path, demo: Path, url: str | None, n: int, repeat: int) -> dict[str, str]:
    out: dict[str, str] = {}
    with open_store(warehouse, url) as store:
        t0 = time.perf_counter()
        for start in range(0, n, 500):
            batch = [Decision(finding(i), "已确认", "批量确认") for i in range(start, min(n, start + 500))]
            decide(store, ADMIN, batch)
        out["fill"] = f"{n} findings in {time.perf_counter() - t0:.1f} s"
        decisions.read_ids(warehouse, url)  # opens (and keeps) the store, as the dashboard's first page does
        confirm, dismiss, show, read, reg, page = [], [], [], [], [], []
        con = duckdb.connect(str(demo), read_only=True)
        year = con.execute("SELECT max(year) FROM reports").fetchone()[0]
        for k in range(repeat):
            f = finding(n + 10 + k)
            t0 = time.perf_counter()
            decide(store, ADMIN, [Decision(f, "已确认", "确有问题")])
            confirm.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            decide(store, ADMIN, [Decision(f, "已排除", "核对原件无误")])
            dismiss.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            cur = con.cursor()  # as a page after decisions.clear(): the store is open, the ids are read again
            ids = decisions.read_ids(warehouse, url)
            t1 = time.perf_counter()
            decisions.attach(cur, ids)
            t2 = time.perf_counter()
            dq.compliance_scores(cur, dq.Scope(), year)
            t3 = time.perf_counter()
            cur.close()
            show.append(t3 - t0)
            read.append(t1 - t0)
            reg.append(t2 - t1)
            page.append(t3 - t2)
        con.close()
    out["decide 待核实→已确认"] = _ms(confirm)
    out["decide 已确认→已排除"] = _ms(dismiss)
    out["read dismissed + register + compliance_scores"] = _ms(show)
    out["  of which: read the dismissed ids"] = _ms(read)
    out["  of which: register them"] = _ms(reg)
    out["  of which: compliance_scores"] = _ms(page)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True, help="a loaded warehouse (the pages' query runs on it)")
    ap.add_argument("--findings", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=40)
    ap.add_argument("--postgresql", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="review-latency-"))
    results = {"sqlite": run(tmp / "w.duckdb", Path(args.db), None, args.findings, args.repeat)}
    if args.postgresql:
        from review_support import PgServer

        server = PgServer()
        try:
            name, url = server.new_database()
            results["postgresql"] = run(tmp / "w.duckdb", Path(args.db), url, args.findings, args.repeat)
        finally:
            server.stop()
    for backend, lines in results.items():
        for k, v in lines.items():
            print(f"{backend:10s} {k}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
