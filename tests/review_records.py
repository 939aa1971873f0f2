"""Records and helpers for the review and account tests (the fixtures are in review_support)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import sqlalchemy as sa

from etl.review.identity import agency_key, canonical_cells, reading_finding_id, report_finding_id
from etl.review.model import Actor, FindingRef, ReportRef
from etl.review.scope import parse_scope
from etl.review.store import ReviewStore
from etl.warehouse.agencies import name_key

# ---- records for tests ------------------------------------------------------------------------


def actor(name: str = "张三", role: str = "reviewer", scope: str = "江西省/赣州市") -> Actor:
    return Actor(name, role, parse_scope(scope))


def finding(
    n: int = 1,
    *,
    origin: str = "report",
    province="江西省",
    city="赣州市",
    county="章贡区",
    agency="赣州市章贡区教育局",
    year=2023,
    rule="t3_row_sum",
    sha: str | None = None,
) -> FindingRef:
    cells = f"t3.new_received.total,t3.new_received.c{n}"
    ak = agency_key("360702", name_key(agency))
    sha = sha or ("ab" * 32)
    fid = report_finding_id(ak, year, rule, cells) if origin == "report" else reading_finding_id(sha, rule, cells)
    return FindingRef(
        fid,
        origin,
        ak,
        agency,
        year,
        rule,
        canonical_cells(cells),
        sha,
        province,
        city,
        county,
        "error",
        "表三各项之和与总计不符",
    )


def report(sha: str = "ab" * 32, province="江西省", city="赣州市", county="章贡区") -> ReportRef:
    return ReportRef(sha, "赣州市章贡区教育局", 2023, province, city, county)


def tables_text(s: ReviewStore) -> str:
    """Every value of every table of the store, as text."""
    out = []
    with s.read() as conn:
        for name in sa.inspect(conn).get_table_names():
            for row in conn.execute(sa.text(f'SELECT * FROM "{name}"')):
                out.append(" ".join(map(str, row)))
    return "\n".join(out)


# ---- a hand-built warehouse -------------------------------------------------------------------


def tiny_warehouse(path: Path, reports: list[dict], findings: list[dict]) -> Path:
    """A DuckDB file with the warehouse's own schema and only the rows given: reports as dicts
    with agency_id, name, region_code, province, city, county, year, sha256, path; findings with
    report_id (the sha's first 16), agency_id, year, rule, severity, cells."""
    from etl.warehouse import finding_ids
    from etl.warehouse.schema import columns, ddl
    from etl.warehouse.version import origin_case

    con = duckdb.connect(str(path))
    for stmt in ddl():
        con.execute(stmt)
    seen = set()
    for r in reports:
        if r["agency_id"] not in seen:
            seen.add(r["agency_id"])
            row = {c: None for c in columns("agencies")} | {
                "agency_id": r["agency_id"],
                "name": r["name"],
                "name_key": name_key(r["name"]),
                "region_code": r.get("region_code"),
                "province": r.get("province"),
                "city": r.get("city"),
                "county": r.get("county"),
            }
            con.execute(
                f"INSERT INTO agencies ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                list(row.values()),
            )
        con.execute(
            "INSERT INTO reports (report_id, agency_id, year, sha256, source_path, is_duplicate) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                r["sha256"][:16],
                r["agency_id"],
                r["year"],
                r["sha256"],
                r["path"],
                r.get("is_duplicate", False),
            ],
        )
    for f in findings:
        con.execute(
            "INSERT INTO findings (report_id, agency_id, year, rule, severity, message, cells, scope) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                f.get("report_id"),
                f["agency_id"],
                f["year"],
                f["rule"],
                f.get("severity", "error"),
                f.get("message", "问题"),
                f.get("cells", ""),
                f.get("scope", "report"),
            ],
        )
    # as the loader does: the origin from the rule registry, then the stored id
    con.execute(f"UPDATE findings SET origin = {origin_case()}")
    finding_ids.fill(con)
    con.close()
    return path


# ---- the two-process test ---------------------------------------------------------------------


def concurrent_worker(warehouse: str, url: str, who: str, n: str, start_file: str) -> None:
    """Run in its own process (python -c, see worker_command): n decisions on findings of its own,
    n on findings the other process decides too, n notes on one shared finding and n corrections of
    one shared cell. Both start when the start file appears."""
    import time

    from etl.review.corrections import correct
    from etl.review.model import Decision
    from etl.review.store import open_store
    from etl.review.workflow import add_note, decide

    s = open_store(warehouse, url or None)
    a = actor(who, "reviewer", "江西省")
    own = 1000 if who == "甲" else 2000
    deadline = time.monotonic() + 60
    while not Path(start_file).exists() and time.monotonic() < deadline:
        time.sleep(0.005)
    for i in range(int(n)):
        decide(s, a, [Decision(finding(own + i), "已确认", f"{who}确认")])
        decide(s, a, [Decision(finding(100 + i), "已确认", f"{who}确认")])
        add_note(s, a, finding(0), f"{who}第{i}条")
        correct(s, a, report(), "t3__new_received__total", float(own + i), original=5.0, reason=f"{who}核对原件")
    s.close()


def worker_command(*args: str) -> list[str]:
    """A fresh interpreter (not multiprocessing: the test session's __main__ may be a Streamlit
    script left by an AppTest) that runs concurrent_worker(*args)."""
    import sys

    here = str(Path(__file__).parent)
    code = (
        f"import sys; sys.path.insert(0, {here!r}); from review_records import concurrent_worker; "
        "concurrent_worker(*sys.argv[1:])"
    )
    return [sys.executable, "-c", code, *args]
