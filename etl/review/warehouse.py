"""The warehouse side of the review store, read-only: each finding with the identity and place the
store keys it by, and the findings a newer file no longer has (for mark_fixed).

The loader stores each finding's id (etl.warehouse.finding_ids, by the formulas of
etl.review.identity) and its origin (from the rule registry, the one source of origins) in the
findings table (schema version 3); this module reads them. An older warehouse is refused with
the words to upgrade it (one load migrates it)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from etl.review.errors import ReviewError
from etl.review.model import FileRef, FindingRef, Fix, ReportRef

_AGENCY = "coalesce(a.region_code, '') || ':' || a.name_key"
_CELLS = "array_to_string(list_sort(list_filter(string_split(coalesce(f.cells, ''), ','), lambda x: x <> '')), ',')"

# every finding of one attached warehouse ({db}), one row per id, the kept report's row first
ID_SQL = f"""
    SELECT * EXCLUDE (rank) FROM (
      SELECT *, row_number() OVER (PARTITION BY finding_id ORDER BY is_duplicate, sha256) AS rank FROM (
        SELECT f.finding_id, f.origin, {_AGENCY} AS agency_key, a.name AS agency_name, f.year, f.rule,
               {_CELLS} AS cells, r.sha256, a.province, a.city, a.county, f.severity, f.message,
               coalesce(r.is_duplicate, false) AS is_duplicate
        FROM {{db}}.findings f JOIN {{db}}.agencies a USING (agency_id)
        LEFT JOIN {{db}}.reports r USING (report_id)
        WHERE f.finding_id IS NOT NULL))
    WHERE rank = 1"""

# the kept report of each agency and year
REPORTS_SQL = f"""
    SELECT {_AGENCY} AS agency_key, r.year, r.sha256, r.source_path
    FROM {{db}}.reports r JOIN {{db}}.agencies a USING (agency_id) WHERE NOT r.is_duplicate"""


@dataclass(frozen=True)
class WarehouseFindings:
    """Findings of one warehouse file by id, and every report by sha256 (for corrections)."""

    findings: dict[str, FindingRef]
    by_sha: dict[str, ReportRef]


def _attach(con: duckdb.DuckDBPyConnection, db: str | Path, alias: str) -> None:
    """Attach a warehouse file read-only; refuse one without stored finding ids (older than version 3)."""
    if not Path(db).is_file():
        raise ReviewError(f"找不到数据库 {db}")
    try:
        quoted = str(db).replace("'", "''")
        con.execute(f"ATTACH '{quoted}' AS {alias} (READ_ONLY)")
        cols = con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = ? AND table_name = 'findings'",
            [alias],
        ).fetchall()
    except duckdb.Error as e:
        raise ReviewError(f"无法打开数据库 {db}：{str(e).splitlines()[0]}") from None
    if cols and ("finding_id",) not in cols:
        raise ReviewError(f"数据库 {db} 为旧版结构（没有问题编号）：再运行一次入库（python -m etl load …）即可自动升级")


def _ref(r: tuple) -> FindingRef:
    fid, origin, ak, name, year, rule, cells, sha, prov, city, county, sev, msg, _dup = r
    return FindingRef(fid, origin, ak, name, year, rule, cells, sha, prov, city, county, sev, msg)


def read_findings(db: str | Path, ids: Iterable[str] | None = None) -> WarehouseFindings:
    """The findings of a warehouse file (only those with the given ids, if given). Findings of one
    agency, year, rule and cells are one finding; the kept report's row wins over a duplicate's."""
    con = duckdb.connect()
    try:
        _attach(con, db, "w")
        sql = ID_SQL.format(db="w")
        params: list = []
        if ids is not None:
            sql = f"SELECT * FROM ({sql}) WHERE finding_id IN (SELECT unnest(?::VARCHAR[]))"
            params = [list(set(ids))]
        rows = con.execute(sql, params).fetchall()
        reps = con.execute("""SELECT r.sha256, a.name, r.year, a.province, a.city, a.county
                              FROM w.reports r JOIN w.agencies a USING (agency_id)""").fetchall()
    except duckdb.Error as e:
        raise ReviewError(f"数据库 {db} 中没有可读的发现表：{str(e).splitlines()[0]}") from None
    finally:
        con.close()
    return WarehouseFindings({r[0]: _ref(r) for r in rows}, {r[0]: ReportRef(*r) for r in reps})


def fixes_between(old_db: str | Path, new_db: str | Path, corrected: Iterable[str] = ()) -> list[Fix]:
    """Report-origin findings of the old warehouse file that the new one no longer has, where the
    agency and year now have a different file, or the same file read again with people's corrections
    (`corrected`: those files' sha256s) — a finding gone because a rule changed, with the same file,
    is no fix. Only the reports that count are compared: a finding left on a superseded duplicate
    file is gone from the agency's record. The loader calls this with the old file and the new one
    before swapping them, and passes the result to etl.review.workflow.mark_fixed."""
    con = duckdb.connect()
    try:
        _attach(con, old_db, "o")
        _attach(con, new_db, "n")
        rows = con.execute(
            f"""
            WITH old AS (SELECT * FROM ({ID_SQL.format(db="o")}) WHERE NOT is_duplicate),
                 new AS (SELECT * FROM ({ID_SQL.format(db="n")}) WHERE NOT is_duplicate),
                 old_rep AS ({REPORTS_SQL.format(db="o")}), new_rep AS ({REPORTS_SQL.format(db="n")})
            SELECT old.*, old_rep.source_path, old_rep.sha256, new_rep.source_path, new_rep.sha256
            FROM old
            JOIN new_rep ON new_rep.agency_key = old.agency_key AND new_rep.year IS NOT DISTINCT FROM old.year
            LEFT JOIN old_rep ON old_rep.agency_key = old.agency_key AND old_rep.year IS NOT DISTINCT FROM old.year
            WHERE old.origin = 'report' AND old.finding_id NOT IN (SELECT finding_id FROM new)
              AND (new_rep.sha256 IS DISTINCT FROM old_rep.sha256 OR list_contains(?::VARCHAR[], new_rep.sha256))
            ORDER BY old.finding_id""",
            [sorted(set(corrected))],
        ).fetchall()
    except duckdb.Error as e:
        raise ReviewError(f"无法比较新旧数据库：{str(e).splitlines()[0]}") from None
    finally:
        con.close()
    return [Fix(_ref(r[:14]), FileRef(r[14], r[15]) if r[15] else None, FileRef(r[16], r[17])) for r in rows]
