"""Schema versions: which version a warehouse file is, whether this program understands it, and
the migrations that bring an older one up to date.

    version 0  one row per cell in a `cells` table (before cell_sources): no migration, rebuild
    version 1  cell_sources; findings without origin; no signatures, no version recorded
    version 2  warehouse_meta records the version; findings.origin and findings.related_report_id;
               prose_signatures (MinHash of each report's prose); sources.mtime_ns; n_errors and
               n_warnings count only findings of origin 'report'
    version 3  findings.finding_id (the review store's stable id, etl.warehouse.finding_ids);
               corrections (the people's corrections applied at load) and dismissed (findings a person
               dismissed, as of the load)

A column added to a table of the schema (a new field of the registry becomes a new `reports`
column) needs no new version: a warehouse of the current version that lacks a column of the
schema counts as `older`, and the next load adds the column (NULL for the reports loaded before:
the program of that time did not read it). `missing_columns` lists what is lacking.

A load migrates an older warehouse inside its copy of the file, so the migration is as atomic as
any load. The dashboard asks `compatibility(path)` and shows its message instead of failing on a
missing column."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from etl.check import copies
from etl.errors import LoadError
from etl.registry.rules import BY_ID

SCHEMA_VERSION = 3


@dataclass(frozen=True)
class Compatibility:
    status: str  # current / older / newer / empty / unreadable
    found: int | None  # the warehouse's schema version (None: no warehouse, or unreadable)
    expected: int  # this program's
    zh: str  # what to tell a person
    en: str

    @property
    def usable(self) -> bool:
        """The dashboard can show this warehouse as it is."""
        return self.status == "current"


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}


def found_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The schema version of the open warehouse; None when it holds no warehouse tables yet."""
    tables = _tables(con)
    if "warehouse_meta" in tables:
        rows = con.execute("SELECT value FROM warehouse_meta WHERE key = 'schema_version'").fetchall()
        if rows:
            return int(rows[0][0])
    if "cells" in tables:
        return 0
    if "reports" in tables:
        return 1
    return None


def missing_columns(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """(table, column, type) of the schema that the warehouse's existing tables lack."""
    from etl.warehouse.schema import TABLES

    have: dict[str, set[str]] = {}
    for table, column in con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE NOT internal AND schema_name = 'main'"
    ).fetchall():
        have.setdefault(table, set()).add(column)
    return [
        (table, c, t.split()[0])
        for table, (_, cols) in TABLES.items()
        if table in have
        for c, t, _ in cols
        if c not in have[table]
    ]


def add_missing_columns(con: duckdb.DuckDBPyConnection, notify: Callable[[str], None] | None = None) -> int:
    """Add the schema's columns the warehouse lacks (in the load's copy of the file); how many."""
    missing = missing_columns(con)
    if missing and notify:
        table, column, _ = missing[0]
        notify(f"数据库缺少本程序的 {len(missing)} 个字段（如 {table}.{column}），已补充（旧报告该字段为空）")
    for table, column, kind in missing:
        con.execute(f'ALTER TABLE "{table}" ADD COLUMN IF NOT EXISTS "{column}" {kind}')
    return len(missing)


def signature_version(con: duckdb.DuckDBPyConnection) -> int:
    """The version of copy detection's shingles the stored signatures were made with (1 before it was
    recorded); a load remakes them when it is older than copies.SIGNATURE_VERSION."""
    if "warehouse_meta" not in _tables(con):
        return 1
    rows = con.execute("SELECT value FROM warehouse_meta WHERE key = 'signature_version'").fetchall()
    return int(rows[0][0]) if rows else 1


def resign(con: duckdb.DuckDBPyConnection, notify: Callable[[str], None] | None = None) -> None:
    """Make every report's prose signature again with this program's shingles (in the load's copy)."""
    if notify:
        notify("正文签名的算法已更新，正在为已入库报告重新计算签名并重新核对雷同……")
    con.execute("DELETE FROM prose_signatures")
    _sign_all(con)


def program_version() -> str:
    try:
        return metadata.version("govreport")
    except metadata.PackageNotFoundError:
        return "unknown"


def compatibility(db: Path | str | duckdb.DuckDBPyConnection) -> Compatibility:
    """Whether this program understands the warehouse: a path (opened read-only) or an open connection."""
    if isinstance(db, duckdb.DuckDBPyConnection):
        return _judge(found_version(db), db)
    path = Path(db)
    if not path.exists():
        return Compatibility(
            "empty", None, SCHEMA_VERSION, f"数据库 {path} 不存在，请先入库", f"No warehouse at {path}: load one first"
        )
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        first = str(exc).splitlines()[0]
        return Compatibility(
            "unreadable",
            None,
            SCHEMA_VERSION,
            f"无法打开数据库 {path}：{first}",
            f"Cannot open the warehouse {path}: {first}",
        )
    try:
        return _judge(found_version(con), con)
    finally:
        con.close()


def _judge(found: int | None, con: duckdb.DuckDBPyConnection | None = None) -> Compatibility:
    if found is None:
        return Compatibility("empty", None, SCHEMA_VERSION, "数据库中还没有数据，请先入库", "The warehouse is empty")
    if found == SCHEMA_VERSION:
        lacking = missing_columns(con) if con is not None else []
        if not lacking:
            return Compatibility("current", found, SCHEMA_VERSION, "", "")
        table, column, _ = lacking[0]
        return Compatibility(
            "older",
            found,
            SCHEMA_VERSION,
            f"数据库缺少本程序的 {len(lacking)} 个字段（如 {table}.{column}）："
            "再运行一次入库（python -m etl load …）即可自动补充",
            f"The warehouse lacks {len(lacking)} column(s) of this program's schema (e.g. {table}.{column}): "
            "run a load (python -m etl load …) to add them",
        )
    if found > SCHEMA_VERSION:
        return Compatibility(
            "newer",
            found,
            SCHEMA_VERSION,
            f"数据库为第 {found} 版结构，比本程序（第 {SCHEMA_VERSION} 版）新：请升级程序后再打开",
            f"The warehouse has schema version {found}, newer than this program's ({SCHEMA_VERSION}): "
            "upgrade the program",
        )
    return Compatibility(
        "older",
        found,
        SCHEMA_VERSION,
        f"数据库为第 {found} 版结构，本程序需要第 {SCHEMA_VERSION} 版："
        "再运行一次入库（python -m etl load …）即可自动升级",
        f"The warehouse has schema version {found}; this program needs {SCHEMA_VERSION}: "
        "run a load (python -m etl load …) to upgrade it",
    )


def check_writable(found: int | None, db: Path) -> None:
    """Refuse, with a clear message, a warehouse a load cannot bring up to date."""
    if found is not None and found > SCHEMA_VERSION:
        raise LoadError(
            f"数据库 {db} 为第 {found} 版结构，比本程序（第 {SCHEMA_VERSION} 版）新：请使用新版程序入库；数据库未改动"
        )
    if found == 0:
        raise LoadError(
            "数据库是旧版格式（逐格 cells 表，第 0 版），无法升级。请换一个新文件名重新导入（源文件见其 sources 表）；"
            "原数据库未改动"
        )


def record(con: duckdb.DuckDBPyConnection, migrated_from: int | None) -> None:
    now = datetime.now().isoformat(timespec="seconds")
    rows = [
        ("schema_version", str(SCHEMA_VERSION)),
        ("program_version", program_version()),
        ("signature_version", str(copies.SIGNATURE_VERSION)),
    ]
    if migrated_from is not None:
        rows.append((f"migrated_from_{migrated_from}", now))
    for key, value in rows:
        con.execute("INSERT OR REPLACE INTO warehouse_meta VALUES (?, ?)", [key, value])
    con.execute("INSERT OR IGNORE INTO warehouse_meta VALUES ('created_at', ?)", [now])


def origin_case(column: str = "rule") -> str:
    """SQL: a finding's origin from the rule registry."""
    whens = " ".join(f"WHEN '{r.id}' THEN '{r.origin}'" for r in BY_ID.values())
    return f"CASE {column} {whens} ELSE 'report' END"


def migrate(con: duckdb.DuckDBPyConnection, found: int, notify: Callable[[str], None] | None = None) -> None:
    """Bring a warehouse of an older version up to SCHEMA_VERSION, in the open (temporary) copy."""
    if found >= SCHEMA_VERSION:
        return
    if notify:
        notify(f"数据库为第 {found} 版结构，正在升级为第 {SCHEMA_VERSION} 版（补充发现来源、问题编号、正文签名等）……")
    if found == 1:
        _v1_to_v2(con)
    if found <= 2:
        _v2_to_v3(con)


def _v2_to_v3(con: duckdb.DuckDBPyConnection) -> None:
    from etl.warehouse import finding_ids
    from etl.warehouse.schema import ddl

    con.execute("ALTER TABLE findings ADD COLUMN IF NOT EXISTS finding_id VARCHAR")
    for stmt in ddl():
        con.execute(stmt)  # corrections, dismissed
    finding_ids.fill(con)


def _v1_to_v2(con: duckdb.DuckDBPyConnection) -> None:
    from etl.warehouse.schema import ddl

    con.execute("ALTER TABLE findings ADD COLUMN IF NOT EXISTS origin VARCHAR")
    con.execute("ALTER TABLE findings ADD COLUMN IF NOT EXISTS related_report_id VARCHAR")
    con.execute("ALTER TABLE sources ADD COLUMN IF NOT EXISTS mtime_ns BIGINT")
    con.execute(f"UPDATE findings SET origin = {origin_case()}")
    con.execute("""UPDATE reports SET n_errors = coalesce(f.e, 0), n_warnings = coalesce(f.w, 0)
                   FROM (SELECT r.report_id, count(*) FILTER (f.severity = 'error') AS e,
                                count(*) FILTER (f.severity = 'warning') AS w
                         FROM reports r LEFT JOIN findings f
                           ON f.report_id = r.report_id AND f.scope = 'report' AND f.origin = 'report'
                         GROUP BY r.report_id) f
                   WHERE reports.report_id = f.report_id""")
    for stmt in ddl():
        con.execute(stmt)  # the new tables
    _sign_all(con)


def _sign_all(con: duckdb.DuckDBPyConnection) -> None:
    from etl.warehouse.schema import TABLES

    assert [c for c, _, _ in TABLES["prose_signatures"][1]] == ["report_id", "shingles", "minhash"]
    reader = con.cursor()  # reads while `con` inserts
    cur = reader.execute(
        """SELECT t.report_id, t.prose, r.agency_printed FROM report_texts t JOIN reports r USING (report_id)
           WHERE length(t.prose) >= ?""",
        [copies.MIN_PROSE],
    )
    while batch := cur.fetchmany(5000):
        ids, counts, sigs = [], [], []
        batch = [(rid, prose, name) for rid, prose, name in batch if prose]
        for (rid, _, _), sh in zip(batch, copies.shingles_many([p for _, p, _ in batch], [n for _, _, n in batch])):
            ids.append(rid)
            counts.append(len(sh))
            sigs.append(copies.minhash(sh))
        if ids:
            flat = pa.array(np.concatenate(sigs), type=pa.uint32())
            table = pa.table(
                {
                    "report_id": ids,
                    "shingles": pa.array(counts, pa.int32()),
                    "minhash": pa.FixedSizeListArray.from_arrays(flat, copies.BINS),
                }
            )
            con.register("_sigs", table)
            con.execute("INSERT INTO prose_signatures BY NAME SELECT * FROM _sigs")
            con.unregister("_sigs")
    reader.close()
