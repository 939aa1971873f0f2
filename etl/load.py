"""Load: parsed reports into the DuckDB warehouse, like a database and not a script.

- Files are recognised by sha256: a second load of the same files parses nothing and, when
  nothing changed, does not rewrite the database at all.
- The new database is written to a temporary file beside the old one and moved over it with
  one atomic rename: a reader holding the old file open keeps seeing the old data, a new
  reader sees the new data, and a load killed at any point leaves the old file untouched.
- Every file seen is recorded in `sources` (loaded / rejected with its reason / duplicate /
  skipped); nothing is dropped silently.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from etl import checks
from etl.agencies import Matcher, RegistryEntry, deadline
from etl.dictionary import T2_KEYS, T3_COLUMN_KEYS, T3_ROW_KEYS, T4_KEYS
from etl.gazetteer import REGIONS_CSV
from etl.model import Report
from etl.schema import NARRATIVE_COLUMNS, TABLES, WIDE, columns, ddl

DEFAULT_DB = Path(__file__).resolve().parents[1] / "data" / "warehouse.duckdb"
_ARROW = {"VARCHAR": pa.string(), "INTEGER": pa.int32(), "BIGINT": pa.int64(), "DOUBLE": pa.float64(),
          "BOOLEAN": pa.bool_(), "DATE": pa.date32(), "TIMESTAMP": pa.timestamp("us")}


@dataclass(frozen=True)
class Parsed:
    """One file after extract+parse: a report, or the reason it was rejected or skipped."""

    path: str
    sha256: str | None
    size: int
    report: Report | None
    status: str  # parsed / rejected / skipped
    reason: str | None = None
    is_demo: bool = False


@dataclass
class LoadSummary:
    run_id: int = 0
    files_seen: int = 0
    files_new: int = 0
    loaded: int = 0
    rejected: int = 0
    duplicates: int = 0
    skipped: int = 0
    unchanged: int = 0
    unmatched: int = 0
    findings_by_rule: dict[str, int] = field(default_factory=dict)
    rejected_reasons: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    written: bool = False
    db: str = ""


def _schema(table: str) -> pa.Schema:
    return pa.schema([(c, _ARROW[t.split()[0]]) for c, t, _ in TABLES[table][1]])


def insert(con: duckdb.DuckDBPyConnection, table: str, cols: dict[str, list]) -> None:
    """Insert column lists through Arrow (one round trip, no per-row SQL)."""
    n = len(next(iter(cols.values()))) if cols else 0
    if n == 0:
        return
    schema = _schema(table)
    arrays = [pa.array(cols.get(f.name, [None] * n), type=f.type) for f in schema]
    batch = pa.Table.from_arrays(arrays, schema=schema)
    con.register("_batch", batch)
    try:
        con.execute(f'INSERT INTO "{table}" SELECT * FROM _batch')
    finally:
        con.unregister("_batch")


def _num(v):
    return None if v is None or v.value is None else float(v.value)


def report_id(sha256: str) -> str:
    return sha256[:16]


def _columns_for(reports: list[tuple[Parsed, Report, int]], township_deadline, agencies: dict[int, dict]):
    """Column lists for reports, cells, narrative_metrics, findings and texts."""
    rep: dict[str, list] = {c: [] for c in columns("reports")}
    cells: dict[str, list] = {c: [] for c in columns("cells")}
    narr: dict[str, list] = {c: [] for c in columns("narrative_metrics")}
    fnd: dict[str, list] = {c: [] for c in columns("findings")}
    txt: dict[str, list] = {"report_id": [], "text": [], "prose": []}
    for p, r, aid in reports:
        rid = report_id(p.sha256)
        a = agencies[aid]
        dl = deadline(r.year, a["kind"], a["level"], township_deadline) if r.year else None
        pub = date.fromisoformat(r.publish_date) if r.publish_date else None
        late = max(0, (pub - dl).days) if (pub and dl) else None
        base = {
            "report_id": rid, "agency_id": aid, "year": r.year, "agency_printed": r.agency, "province": r.province,
            "city": r.city, "county": r.county, "region_code": r.region_code, "format_version": r.format_version,
            "publish_date": pub, "deadline": dl, "days_late": late, "sections": ",".join(map(str, r.sections)),
            "source_path": p.path, "sha256": p.sha256, "fmt": r.fmt, "parse_status": "ok", "is_duplicate": False,
            "is_demo": p.is_demo, "n_errors": sum(f.severity == "error" for f in r.findings),
            "n_warnings": sum(f.severity == "warning" for f in r.findings),
        }
        for k, v in base.items():
            rep[k].append(v)
        values: dict[str, object] = {}
        for k in T2_KEYS:
            values[f"t2__{k}"] = r.t2[k]
        for row in T3_ROW_KEYS:
            for c in T3_COLUMN_KEYS:
                values[f"t3__{row}__{c}"] = r.t3[row][c]
        for k in T4_KEYS:
            values[f"t4__{k}"] = r.t4[k]
        for col in WIDE:
            v = values[col]
            rep[col].append(_num(v))
            if v is not None:
                cells["report_id"].append(rid)
                cells["field"].append(col)
                cells["value"].append(_num(v))
                cells["raw"].append(v.raw)
                cells["loc"].append(v.loc)
        for col in NARRATIVE_COLUMNS:
            m = r.narrative.get(col[3:])
            rep[col].append(m.value if m else None)
            if m:
                for k, val in (("report_id", rid), ("metric", col[3:]), ("value", m.value), ("evidence", m.evidence),
                               ("loc", m.loc)):
                    narr[k].append(val)
        for f in r.findings:
            for k, val in (("report_id", rid), ("agency_id", aid), ("year", r.year), ("rule", f.rule),
                           ("severity", f.severity), ("message", f.message), ("cells", ",".join(f.cells)),
                           ("scope", "report")):
                fnd[k].append(val)
        txt["report_id"].append(rid)
        txt["text"].append(r.text)
        txt["prose"].append(r.prose)
    return rep, cells, narr, fnd, txt


def _existing(db: Path) -> tuple[dict[str, str], set[str], list[dict], int]:
    """(path -> sha256, loaded sha256s, agencies, last run id) of the current database."""
    if not db.exists():
        return {}, set(), [], 0
    con = duckdb.connect(str(db), read_only=True)
    try:
        paths = dict(con.execute("SELECT path, sha256 FROM sources WHERE sha256 IS NOT NULL").fetchall())
        shas = {r[0] for r in con.execute("SELECT DISTINCT sha256 FROM sources WHERE sha256 IS NOT NULL").fetchall()}
        cur = con.execute("SELECT * FROM agencies")
        names = [d[0] for d in cur.description]
        agencies = [dict(zip(names, row)) for row in cur.fetchall()]
        run = con.execute("SELECT coalesce(max(run_id), 0) FROM load_runs").fetchone()[0]
    finally:
        con.close()
    return paths, shas, agencies, run


def _registry_unchanged(registry: list[RegistryEntry] | None, agencies: list[dict]) -> bool:
    """True when the registry adds nothing: every entry is already a registered agency."""
    if not registry:
        return True
    from etl.agencies import name_key

    known = {a["name_key"] for a in agencies if a.get("in_registry")}
    return all(name_key(e.name) in known for e in registry)


def _create(con: duckdb.DuckDBPyConnection) -> None:
    for stmt in ddl():
        con.execute(stmt)
    if con.execute("SELECT count(*) FROM regions").fetchone()[0] == 0:
        con.execute(f"INSERT INTO regions SELECT * FROM read_csv('{REGIONS_CSV}', header=true, all_varchar=true)")


def write(db: Path, parsed: Iterable[Parsed], *, registry: list[RegistryEntry] | None = None,
          township_deadline: tuple[int, int] = (1, 31), files_seen: int = 0, started: float | None = None,
          unchanged: int = 0, on_stage: Callable[[str], None] | None = None) -> LoadSummary:
    """Apply parsed files to the warehouse at `db`, atomically. Returns the summary."""
    started = started or time.time()
    db = Path(db)
    db.parent.mkdir(parents=True, exist_ok=True)
    old_paths, _, old_agencies, last_run = _existing(db)
    parsed = list(parsed)
    s = LoadSummary(run_id=last_run + 1, files_seen=files_seen or len(parsed), unchanged=unchanged, db=str(db))
    s.files_new = len(parsed)
    if not parsed and db.exists() and _registry_unchanged(registry, old_agencies):
        s.seconds = time.time() - started
        return s  # nothing new: the database is not rewritten
    tmp = db.with_name(f".{db.name}.loading-{os.getpid()}")
    for stale in db.parent.glob(f".{db.name}.loading-*"):
        stale.unlink(missing_ok=True)  # left by a load that was killed (a killed process cleans nothing)
    try:
        if db.exists():
            shutil.copyfile(db, tmp)
        con = duckdb.connect(str(tmp))
        _create(con)
        matcher = Matcher(registry, old_agencies)
        src: dict[str, list] = {c: [] for c in columns("sources")}
        to_load: list[tuple[Parsed, Report, int]] = []
        replaced: list[str] = []
        seen_sha: set[str] = set(
            r[0] for r in con.execute("SELECT sha256 FROM sources WHERE sha256 IS NOT NULL").fetchall())
        for p in parsed:
            if p.path in old_paths and old_paths[p.path] != p.sha256:
                replaced.append(p.path)  # the file changed: its old report goes
            status, reason, rid, agency_printed, year = p.status, p.reason, None, None, None
            if p.sha256 in seen_sha:
                status, reason = "duplicate", "与已入库的文件内容完全相同"
            elif p.report is not None:
                aid = matcher.match(p.report.agency, p.report.region_code)
                to_load.append((p, p.report, aid))
                status, rid, agency_printed, year = "loaded", report_id(p.sha256), p.report.agency, p.report.year
            if p.sha256:
                seen_sha.add(p.sha256)
            for k, v in (("path", p.path), ("sha256", p.sha256), ("size", p.size), ("status", status),
                         ("reason", reason), ("report_id", rid), ("agency_printed", agency_printed), ("year", year),
                         ("run_id", s.run_id)):
                src[k].append(v)
            if status == "rejected":
                s.rejected += 1
                s.rejected_reasons.append((p.path, reason or ""))
            elif status == "skipped":
                s.skipped += 1
            elif status == "duplicate":
                s.duplicates += 1
        if on_stage:
            on_stage("写入数据库")
        if replaced:
            con.execute("CREATE TEMP TABLE _gone AS SELECT report_id FROM sources WHERE list_contains(?, path) "
                        "AND report_id IS NOT NULL", [replaced])
            for t in ("reports", "cells", "narrative_metrics", "report_texts", "findings"):
                con.execute(f'DELETE FROM "{t}" WHERE report_id IN (SELECT report_id FROM _gone)')
            con.execute("DELETE FROM sources WHERE list_contains(?, path)", [replaced])
        # sources of files already known under the same path are replaced by the new record
        con.execute("DELETE FROM sources WHERE list_contains(?, path)", [src["path"]])
        rep, cells, narr, fnd, txt = _columns_for(to_load, township_deadline, matcher.agencies)
        con.execute("DELETE FROM agencies")
        agency_rows = sorted(matcher.agencies.values(), key=lambda a: a["agency_id"])
        insert(con, "agencies", {c: [a.get(c) for a in agency_rows] for c in columns("agencies")})
        insert(con, "reports", rep)
        insert(con, "cells", cells)
        insert(con, "narrative_metrics", narr)
        insert(con, "findings", fnd)
        insert(con, "report_texts", txt)
        insert(con, "sources", src)
        s.loaded = len(to_load)
        if on_stage:
            on_stage("跨报告核对")
        checks.run_all(con, has_registry=bool(registry) or bool(
            con.execute("SELECT count(*) FROM agencies WHERE in_registry").fetchone()[0]))
        s.duplicates += con.execute(
            "SELECT count(*) FROM sources WHERE status = 'duplicate' AND run_id = ? AND reason LIKE '同一机关%'",
            [s.run_id]).fetchone()[0]
        s.unmatched = con.execute("SELECT count(*) FROM agencies WHERE match_status = '未匹配'").fetchone()[0]
        s.findings_by_rule = dict(con.execute(
            "SELECT rule, count(*) FROM findings GROUP BY rule ORDER BY count(*) DESC").fetchall())
        s.seconds = time.time() - started
        insert(con, "load_runs", {
            "run_id": [s.run_id], "started_at": [datetime.fromtimestamp(started)], "finished_at": [datetime.now()],
            "files_seen": [s.files_seen], "files_new": [s.files_new], "loaded": [s.loaded], "rejected": [s.rejected],
            "duplicates": [s.duplicates], "skipped": [s.skipped], "unmatched": [s.unmatched],
            "findings": [sum(s.findings_by_rule.values())], "seconds": [s.seconds]})
        con.execute("CHECKPOINT")
        con.close()
        os.replace(tmp, db)  # the one atomic step: readers see the old file or the new one
        s.written = True
    except BaseException:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)  # a failed load leaves nothing behind, the old file untouched
        raise
    return s
