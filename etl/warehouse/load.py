"""Load: parsed reports into the DuckDB warehouse, like a database and not a script.

- Files are recognised by sha256: a second load of the same files parses nothing and, when
  nothing changed, does not rewrite the database at all.
- One writer at a time (etl.warehouse.lock); a warehouse of an older schema version is migrated
  in the same load (etl.warehouse.version).
- The new database is written to a copy of the old one (a reflink where the file system allows,
  etl.warehouse.publish) and moved over it with one atomic rename: a reader holding the old file
  open keeps seeing the old data, a new reader sees the new data, and a load killed at any point
  leaves the old file untouched.
- A load costs what is new: what it looks up in the warehouse it looks up for its own files, and
  the checks across reports rerun only for the agency-years and regions its reports can change.
- Every file seen is recorded in `sources` (loaded / rejected with its reason / duplicate /
  skipped); nothing is dropped silently.
"""

from __future__ import annotations

import dataclasses
import gc
import itertools
import os
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from etl.check import copies
from etl.check import cross_report as checks
from etl.model import CellCorrection, Report
from etl.paths import REGIONS_CSV
from etl.warehouse import finding_ids, version
from etl.warehouse.agencies import Matcher, RegistryEntry, deadline
from etl.warehouse.flatten import FlatCells, flatten, slim
from etl.warehouse.lock import writer_lock
from etl.warehouse.publish import clone, leftovers, temp_path
from etl.warehouse.schema import NARRATIVE_COLUMNS, TABLES, WIDE, columns, ddl, views

_ARROW = {
    "VARCHAR": pa.string(),
    "INTEGER": pa.int32(),
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "BOOLEAN": pa.bool_(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("us"),
    "UINTEGER[64]": pa.list_(pa.uint32(), copies.BINS),
}
CHECKPOINT = os.environ.get("GOVREPORT_CHECKPOINT", "1GB")  # DuckDB writes the log into the file this often
BATCH = 20_000  # reports per insert: bounds memory on a national load (about 1 GB per batch at most)


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
    cells: FlatCells | None = None  # made by the parse worker; made here when absent
    signature: copies.Signature | None = None  # of the prose, made by the parse worker (None: too short)
    mtime_ns: int | None = None  # the file's modification time when it was read


AppliedCorrection = CellCorrection  # a person's correction of one cell, as the loader applied it


@dataclass(frozen=True)
class ReviewInputs:
    """What the review store gives a load: the live corrections (applied by the parse workers to
    the files they read; recorded here in `corrections`), the files to read again because their
    corrections changed, the dismissed finding ids (None: keep the table as it is), and a hook run
    with the old and the new file just before the new one replaces the old."""

    corrections: tuple[AppliedCorrection, ...] = ()
    redo: frozenset[str] = frozenset()  # sha256s of loaded files whose corrections changed
    dismissed: tuple[str, ...] | None = None
    before_publish: Callable[[Path, Path], None] | None = None


def prepared(p: Parsed) -> Parsed:
    """The form a worker hands to the loader: cells flattened, the prose's signature made, the report
    without cell objects."""
    if p.report is None or p.cells is not None:
        return p
    return dataclasses.replace(
        p, report=slim(p.report), cells=flatten(p.report), signature=copies.signature(p.report.prose, p.report.agency)
    )


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
    publish: str = ""  # how the copy was made: reflink / copy / new (no earlier warehouse)
    copy_seconds: float = 0.0
    checks_seconds: float = 0.0
    full_checks: bool = False  # the checks across reports ran over everything (new, migrated, registry changed)
    migrated_from: int | None = None
    corrected: int = 0  # reports loaded with people's corrections applied
    fixed: int = 0  # findings the review store now records as 已整改
    overdue: int = 0  # findings the review store now records as 逾期未改
    review_notes: list[str] = field(default_factory=list)  # what the review store could not do, in words


def _schema(table: str) -> pa.Schema:
    return pa.schema([(c, _ARROW[t.split()[0]]) for c, t, _ in TABLES[table][1]])


def insert(
    con: duckdb.DuckDBPyConnection, table: str, cols: dict[str, list | np.ndarray | pa.Array] | pa.Table
) -> None:
    """Insert columns through Arrow (one round trip, no per-row SQL). A column may be a list,
    a NumPy array (NaN becomes NULL) or an Arrow array."""
    batch = cols if isinstance(cols, pa.Table) else to_arrow(table, cols)
    if batch is None or batch.num_rows == 0:
        return
    con.register("_batch", batch)
    try:
        con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM _batch')
    finally:
        con.unregister("_batch")


def to_arrow(table: str, cols: dict[str, list | np.ndarray | pa.Array]) -> pa.Table | None:
    n = len(next(iter(cols.values()))) if cols else 0
    if n == 0:
        return None
    schema = _schema(table)

    def arrow(f: pa.Field) -> pa.Array:
        col = cols.get(f.name)
        if col is None:
            return pa.nulls(n, f.type)
        if isinstance(col, pa.Array):
            return col
        if pa.types.is_fixed_size_list(f.type):
            flat = pa.array(np.concatenate(col) if len(col) else [], type=f.type.value_type)
            return pa.FixedSizeListArray.from_arrays(flat, f.type.list_size)
        return pa.array(col, type=f.type, from_pandas=isinstance(col, np.ndarray))

    return pa.Table.from_arrays([arrow(f) for f in schema], schema=schema)


def report_id(sha256: str) -> str:
    return sha256[:16]


BASE_COLUMNS = (
    "report_id",
    "agency_id",
    "year",
    "agency_printed",
    "province",
    "city",
    "county",
    "region_code",
    "format_version",
    "publish_date",
    "deadline",
    "days_late",
    "sections",
    "source_path",
    "sha256",
    "fmt",
    "parse_status",
    "is_duplicate",
    "is_demo",
    "n_errors",
    "n_warnings",
    *NARRATIVE_COLUMNS,
)
NARRATIVE_KEYS = tuple(c[3:] for c in NARRATIVE_COLUMNS)


def _columns_for(reports: list[tuple[Parsed, Report, int]], township_deadline, agencies: dict[int, dict]):
    """Columns for reports, cell_sources, narrative_metrics, findings and texts of one batch.
    Rows are built as tuples and turned into columns once (this loop runs a million times)."""
    rows, narr_rows, fnd_rows, values, raws, locs, texts, proses = [], [], [], [], [], [], [], []
    sig_ids, sig_counts, sig_hashes = [], [], []
    for p, r, aid in reports:
        rid = report_id(p.sha256)
        a = agencies[aid]
        dl = deadline(r.year, a["kind"], a["level"], township_deadline) if r.year else None
        pub = date.fromisoformat(r.publish_date) if r.publish_date else None
        late = max(0, (pub - dl).days) if (pub and dl) else None
        n_err = n_warn = 0
        for f in r.findings:
            origin = f.origin
            if origin == "report":  # our doubts in reading a file never count against its agency
                n_err += f.severity == "error"
                n_warn += f.severity == "warning"
            cells = ",".join(f.cells)
            fnd_rows.append((rid, aid, r.year, f.rule, f.severity, f.message, cells, "report", origin, None))
        if p.signature is not None:
            sig_ids.append(rid)
            sig_counts.append(p.signature.shingles)
            sig_hashes.append(p.signature.array())
        narrative = r.narrative
        nvals = []
        for key in NARRATIVE_KEYS:
            m = narrative.get(key)
            nvals.append(m.value if m else None)
            if m:
                narr_rows.append((rid, key, m.value, m.evidence, m.loc))
        rows.append(
            (
                rid,
                aid,
                r.year,
                r.agency,
                r.province,
                r.city,
                r.county,
                r.region_code,
                r.format_version,
                pub,
                dl,
                late,
                ",".join(map(str, r.sections)),
                p.path,
                p.sha256,
                r.fmt,
                "ok",
                False,
                p.is_demo,
                n_err,
                n_warn,
                *nvals,
            )
        )
        flat = p.cells or flatten(r)
        values.append(flat.values)
        raws.append(flat.raws)
        locs.append(flat.locs)
        texts.append(r.text)
        proses.append(r.prose)
    rep: dict = dict(zip(BASE_COLUMNS, map(list, zip(*rows))))
    grid = np.frombuffer(b"".join(values), dtype=np.float64).reshape(len(values), len(WIDE))
    for j, col in enumerate(WIDE):
        rep[col] = np.ascontiguousarray(grid[:, j])
    ids = rep["report_id"]
    narr = dict(zip(columns("narrative_metrics"), map(list, zip(*narr_rows))))
    fnd = dict(zip(columns("findings"), map(list, zip(*fnd_rows))))
    return (
        rep,
        {"report_id": ids, "raws": raws, "locs": locs},
        narr,
        fnd,
        {"report_id": ids, "text": texts, "prose": proses},
        {"report_id": sig_ids, "shingles": sig_counts, "minhash": sig_hashes},
    )


@dataclass(frozen=True)
class State:
    """What a load needs to know of the current warehouse before it starts (not its files: those are
    looked up for the files at hand, so that a load does not read the whole `sources` table)."""

    found: int | None  # schema version; None when there is no warehouse yet
    agencies: list[dict]
    last_run: int
    lacking: int = 0  # columns of the schema the warehouse lacks (added by the load)
    signatures: int = copies.SIGNATURE_VERSION  # the version of the stored prose signatures


def existing_state(db: Path) -> State:
    if not db.exists():
        return State(None, [], 0)
    con = duckdb.connect(str(db), read_only=True)
    try:
        found = version.found_version(con)
        if found is None or found == 0:
            return State(found, [], 0)
        cur = con.execute("SELECT * FROM agencies")
        names = [d[0] for d in cur.description]
        agencies = [dict(zip(names, row)) for row in cur.fetchall()]
        run = con.execute("SELECT coalesce(max(run_id), 0) FROM load_runs").fetchone()[0]
        lacking = len(version.missing_columns(con))
        signatures = version.signature_version(con)
    finally:
        con.close()
    return State(found, agencies, run, lacking, signatures)


def known_files(con: duckdb.DuckDBPyConnection, paths: list[str]) -> dict[str, tuple]:
    """path -> (sha256, size, mtime_ns) recorded in `sources` for these paths."""
    if not paths:
        return {}
    has_mtime = "mtime_ns" in {r[0] for r in con.execute("DESCRIBE sources").fetchall()}
    con.register("_paths", pa.table({"path": sorted(set(paths))}))
    try:
        mtime = "s.mtime_ns" if has_mtime else "NULL"
        rows = con.execute(f"SELECT path, s.sha256, s.size, {mtime} FROM sources s JOIN _paths USING (path)").fetchall()
    finally:
        con.unregister("_paths")
    return {path: (sha, size, mt) for path, sha, size, mt in rows}


def known_shas(con: duckdb.DuckDBPyConnection, shas: list[str]) -> set[str]:
    """Which of these sha256s the warehouse has seen."""
    if not shas:
        return set()
    con.register("_shas", pa.table({"sha256": sorted(set(shas))}))
    try:
        return {r[0] for r in con.execute("SELECT DISTINCT sha256 FROM sources JOIN _shas USING (sha256)").fetchall()}
    finally:
        con.unregister("_shas")


def _registry_unchanged(registry: list[RegistryEntry] | None, agencies: list[dict]) -> bool:
    """True when the registry adds nothing: every entry is already a registered agency."""
    if not registry:
        return True
    from etl.warehouse.agencies import name_key

    known = {a["name_key"] for a in agencies if a.get("in_registry")}
    return all(name_key(e.name) in known for e in registry)


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    for stmt in ddl() + views():
        con.execute(stmt)
    if con.execute("SELECT count(*) FROM regions").fetchone()[0] == 0:
        con.execute(f"INSERT INTO regions SELECT * FROM read_csv('{REGIONS_CSV}', header=true, all_varchar=true)")


def _batches(items: Iterable[Parsed], size: int):
    it = iter(items)
    while batch := list(itertools.islice(it, size)):
        yield batch


class _Writer:
    """One load's state across batches: the connection, agency matcher and what was seen."""

    def __init__(self, con, s: LoadSummary, matcher: Matcher, township_deadline, redo=frozenset()) -> None:
        self.con, self.s, self.matcher = con, s, matcher
        self.redo = redo  # loaded files read again (their corrections changed): they replace their own rows
        self.loaded_shas: set[str] = set()
        self.township_deadline = township_deadline
        # DuckDB inserts (and compresses) one batch on this thread while Python prepares the next
        self.inserter = ThreadPoolExecutor(1, thread_name_prefix="insert")
        self.insert_con = con.cursor()
        self.pending: Future | None = None
        self.run_shas: set[str] = set()  # sha256s of this load's files
        self.changed: set[tuple[int, int]] = set()  # agency-years this load added or removed reports for

    def batch(self, parsed: list[Parsed]) -> None:
        s, con = self.s, self.con
        # earlier loads' records of these files (this load's earlier batches hold other paths; their
        # sha256s are in run_shas), looked up while the previous batch is still being inserted
        old = known_files(con, [p.path for p in parsed])
        seen = known_shas(con, [p.sha256 for p in parsed if p.sha256]) | self.run_shas
        again = {p.sha256 for p in parsed if p.sha256 in self.redo and p.report and p.sha256 not in self.run_shas}
        seen -= again
        src: dict[str, list] = {c: [] for c in columns("sources")}
        to_load: list[tuple[Parsed, Report, int]] = []
        replaced: list[str] = []
        for p in parsed:
            if p.path in old and old[p.path][0] != p.sha256:
                replaced.append(p.path)  # the file changed: its old report goes
            status, reason, rid, agency_printed, year = p.status, p.reason, None, None, None
            if p.sha256 in seen:
                status, reason = "duplicate", "与已入库的文件内容完全相同"
            elif p.report is not None:
                aid = self.matcher.match(p.report.agency, p.report.region_code)
                to_load.append((p, p.report, aid))
                self.loaded_shas.add(p.sha256)
                self.changed.add((aid, p.report.year))
                status, rid, agency_printed, year = (
                    "loaded",
                    report_id(p.sha256),
                    p.report.agency,
                    p.report.year,
                )
            if p.sha256:
                seen.add(p.sha256)
                self.run_shas.add(p.sha256)
            for k, v in (
                ("path", p.path),
                ("sha256", p.sha256),
                ("size", p.size),
                ("status", status),
                ("reason", reason),
                ("report_id", rid),
                ("agency_printed", agency_printed),
                ("year", year),
                ("run_id", s.run_id),
                ("mtime_ns", p.mtime_ns),
            ):
                src[k].append(v)
            if status == "rejected":
                s.rejected += 1
                s.rejected_reasons.append((p.path, reason or ""))
            elif status == "skipped":
                s.skipped += 1
            elif status == "duplicate":
                s.duplicates += 1
        self.wait()
        if replaced or again:
            con.execute(
                "CREATE OR REPLACE TEMP TABLE _gone AS SELECT report_id FROM sources "
                "WHERE list_contains(?, path) AND report_id IS NOT NULL UNION SELECT unnest(?::VARCHAR[])",
                [replaced, sorted(report_id(x) for x in again)],
            )
            self.changed |= set(
                con.execute(
                    "SELECT agency_id, year FROM reports WHERE report_id IN (SELECT report_id FROM _gone)"
                ).fetchall()
            )
            for t in ("reports", "cell_sources", "narrative_metrics", "report_texts", "prose_signatures", "findings"):
                con.execute(f'DELETE FROM "{t}" WHERE report_id IN (SELECT report_id FROM _gone)')
        # a file already known under its path is replaced by its new record
        if old:
            con.execute("DELETE FROM sources WHERE list_contains(?, path)", [sorted(old)])
        tables = {"sources": src}
        if to_load:
            rep, cell_src, narr, fnd, txt, sig = _columns_for(to_load, self.township_deadline, self.matcher.agencies)
            tables |= {
                "reports": rep,
                "cell_sources": cell_src,
                "narrative_metrics": narr,
                "findings": fnd,
                "report_texts": txt,
                "prose_signatures": sig,
            }
        # Arrow conversion holds the GIL, so it happens here; the insert thread then runs DuckDB alone
        arrow_tables = {name: to_arrow(name, cols) for name, cols in tables.items()}
        self.pending = self.inserter.submit(self._insert_all, arrow_tables)
        s.loaded += len(to_load)
        s.files_new += len(parsed)

    def _insert_all(self, tables: dict[str, pa.Table | None]) -> None:
        for name, batch in tables.items():
            if batch is not None:
                insert(self.insert_con, name, batch)

    def wait(self) -> None:
        """Until the batch being inserted is in (re-raising its error, if any)."""
        if self.pending is not None:
            self.pending.result()
            self.pending = None

    def close(self) -> None:
        self.wait()
        self.inserter.shutdown()
        self.insert_con.close()


def write(
    db: Path,
    parsed: Iterable[Parsed],
    *,
    registry: list[RegistryEntry] | None = None,
    township_deadline: tuple[int, int] = (1, 31),
    files_seen: int = 0,
    started: float | None = None,
    unchanged: int = 0,
    on_stage: Callable[[str], None] | None = None,
    batch_size: int = BATCH,
    notify: Callable[[str], None] | None = None,
    wait: float | None = None,
    review: ReviewInputs | None = None,
    collected=None,
) -> LoadSummary:
    """Apply parsed files to the warehouse at `db`, atomically, holding its writer lock (waiting up to
    `wait` seconds for another load; `notify` hears why). `parsed` may be a generator: it is consumed
    in batches, so a national load never holds all its reports in memory. `collected`
    (etl.warehouse.collected.Collected): the page evidence of collect folders, stored with its checks."""
    db = Path(db)
    with writer_lock(db, wait, notify):
        return _write(
            db,
            parsed,
            registry,
            township_deadline,
            files_seen,
            started,
            unchanged,
            on_stage,
            batch_size,
            notify,
            review or ReviewInputs(),
            collected,
        )


def _write(
    db: Path,
    parsed,
    registry,
    township_deadline,
    files_seen,
    started,
    unchanged,
    on_stage,
    batch_size,
    notify,
    review,
    collected=None,
) -> LoadSummary:
    started = started or time.time()
    db.parent.mkdir(parents=True, exist_ok=True)
    state = existing_state(db)
    version.check_writable(state.found, db)
    old_agencies = state.agencies
    items = iter(parsed)
    first = next(items, None)
    s = LoadSummary(run_id=state.last_run + 1, unchanged=unchanged, db=str(db))
    stale_version = state.found is not None and state.found < version.SCHEMA_VERSION
    registry_same = _registry_unchanged(registry, old_agencies)
    stale_signatures = state.found is not None and state.signatures < copies.SIGNATURE_VERSION
    pages_same = not collected or _pages_unchanged(db, collected)
    stale = stale_version or state.lacking or stale_signatures or not pages_same
    if first is None and db.exists() and registry_same and not stale:
        s.files_seen = files_seen
        s.seconds = time.time() - started
        return s  # nothing new: the database is not rewritten
    tmp = temp_path(db)
    for stale in leftovers(db):
        stale.unlink(missing_ok=True)  # left by a load that was killed (the lock says no other load is running)
    try:
        t0 = time.perf_counter()
        s.publish = clone(db, tmp) if db.exists() else "new"
        s.copy_seconds = time.perf_counter() - t0
        # a checkpoint per GB of log rather than per 16 MB (measured at 1,000,000 reports: 16 MB and 256 MB
        # were slower, 64 GB slower still and twice the memory)
        con = duckdb.connect(
            str(tmp),
            config={
                "preserve_insertion_order": False,
                "checkpoint_threshold": CHECKPOINT,
                "threads": 1,
            },
        )  # the other core prepares the next batch
        con.execute("SET enable_progress_bar = false")
        if stale_version:
            version.migrate(con, state.found, notify)
            s.migrated_from = state.found
        version.add_missing_columns(con, notify)
        create_schema(con)
        if stale_signatures and not stale_version:  # a migration signs with this program's shingles
            version.resign(con, notify)
        s.full_checks = state.found is None or stale_version or stale_signatures or not registry_same
        matcher = Matcher(registry, old_agencies)
        writer = _Writer(con, s, matcher, township_deadline, review.redo)
        if on_stage:
            on_stage("写入数据库")
        rest = itertools.chain([first], items) if first is not None else iter(())
        switch, collecting = sys.getswitchinterval(), gc.isenabled()
        sys.setswitchinterval(0.0005)  # the insert thread needs the GIL briefly and often: hand it over quickly
        gc.disable()  # batches make millions of short-lived acyclic objects; the cycle collector only rescans
        try:
            for batch in _batches(rest, batch_size):
                writer.batch(batch)
        finally:
            writer.close()
            sys.setswitchinterval(switch)
            if collecting:
                gc.enable()
        s.files_seen = files_seen or s.files_new
        if collected:
            if on_stage:
                on_stage("网站证据核对")
            from etl.warehouse.collected import store

            store(con, collected, matcher, township_deadline)
        con.execute("DELETE FROM agencies")
        agency_rows = sorted(matcher.agencies.values(), key=lambda a: a["agency_id"])
        insert(con, "agencies", {c: [a.get(c) for a in agency_rows] for c in columns("agencies")})
        if on_stage:
            on_stage("跨报告核对")
        con.execute(f"SET threads = {os.cpu_count() or 1}")
        changed = sorted(writer.changed, key=lambda k: (k[0], k[1] or 0))
        con.execute("CREATE OR REPLACE TEMP TABLE _changed (agency_id INTEGER, year INTEGER)")
        insert_rows(con, "_changed", {"agency_id": [a for a, _ in changed], "year": [y for _, y in changed]})
        t0 = time.perf_counter()
        checks.run_all(
            con,
            has_registry=bool(registry)
            or bool(con.execute("SELECT count(*) FROM agencies WHERE in_registry").fetchone()[0]),
            full=s.full_checks,
        )
        s.checks_seconds = time.perf_counter() - t0
        finding_ids.fill(con, finding_ids.changed_agencies(old_agencies, agency_rows))
        s.corrected = _record_review(con, review, writer.loaded_shas)
        s.duplicates += con.execute(
            "SELECT count(*) FROM sources WHERE status = 'duplicate' AND run_id = ? AND reason LIKE '同一机关%'",
            [s.run_id],
        ).fetchone()[0]
        s.unmatched = con.execute("SELECT count(*) FROM agencies WHERE match_status = '未匹配'").fetchone()[0]
        s.findings_by_rule = dict(
            con.execute("SELECT rule, count(*) FROM findings GROUP BY rule ORDER BY count(*) DESC").fetchall()
        )
        version.record(con, s.migrated_from)
        s.seconds = time.time() - started
        insert(
            con,
            "load_runs",
            {
                "run_id": [s.run_id],
                "started_at": [datetime.fromtimestamp(started)],
                "finished_at": [datetime.now()],
                "files_seen": [s.files_seen],
                "files_new": [s.files_new],
                "loaded": [s.loaded],
                "rejected": [s.rejected],
                "duplicates": [s.duplicates],
                "skipped": [s.skipped],
                "unmatched": [s.unmatched],
                "findings": [sum(s.findings_by_rule.values())],
                "seconds": [s.seconds],
            },
        )
        con.execute("CHECKPOINT")
        con.close()
        if review.before_publish is not None and state.found == version.SCHEMA_VERSION:
            review.before_publish(db, tmp)  # the old file and the new one, both complete
        os.replace(tmp, db)  # the one atomic step: readers see the old file or the new one
        s.written = True
    except BaseException:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)  # a failed load leaves nothing behind, the old file untouched
        raise
    return s


# the findings' rows of the dismissed ids (report origin only: doubts about our reading never count)
# ({ids}: a relation with a finding_id column; the dashboard builds the same from the live store)
DISMISSED_SQL = """SELECT finding_id, report_id, scope, severity, rule FROM findings
                   WHERE origin = 'report' AND finding_id IN (SELECT finding_id FROM {ids})"""


def _record_review(con: duckdb.DuckDBPyConnection, review: ReviewInputs, loaded: set[str]) -> int:
    """The corrections applied to this load's reports, and the dismissed ids; returns how many of
    this load's reports carry a correction."""
    ids = sorted(report_id(x) for x in loaded)
    con.execute(
        "DELETE FROM corrections WHERE list_contains(?, report_id) OR report_id NOT IN (SELECT report_id FROM reports)",
        [ids],
    )
    rows = [c for c in review.corrections if c.report_sha256 in loaded]
    insert(
        con,
        "corrections",
        {
            "report_id": [report_id(c.report_sha256) for c in rows],
            "field": [c.field for c in rows],
            "value": [c.value for c in rows],
            "original_value": [c.original_value for c in rows],
            "version": [c.version for c in rows],
            "account": [c.account for c in rows],
            "at": [c.at.replace(tzinfo=None) for c in rows],
            "reason": [c.reason for c in rows],
        },
    )
    if review.dismissed is not None:
        con.execute("DELETE FROM dismissed")
        con.register("_dismissed_ids", pa.table({"finding_id": pa.array(sorted(set(review.dismissed)), pa.string())}))
        try:
            con.execute(f"INSERT INTO dismissed {DISMISSED_SQL.format(ids='_dismissed_ids')}")
        finally:
            con.unregister("_dismissed_ids")
    return len({c.report_sha256 for c in rows})


def _pages_unchanged(db: Path, collected) -> bool:
    from etl.warehouse.collected import unchanged

    return unchanged(db, collected)


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, cols: dict[str, list]) -> None:
    """Rows into a table outside the schema (a temporary one), through Arrow."""
    if cols and len(next(iter(cols.values()))):
        con.register("_rows", pa.table(cols))
        try:
            con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM _rows')
        finally:
            con.unregister("_rows")
