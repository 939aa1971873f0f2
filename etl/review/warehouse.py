"""The warehouse side of the review store, read-only: each finding with the identity and place the
store keys it by, and the findings a newer file no longer has (for mark_fixed).

The warehouse's findings table has no finding id or origin column yet: the id is computed here,
in DuckDB, from agency (region_code, name_key), year, rule, cells and the report's sha256 by the
formula of etl.review.identity (tests check the SQL against the Python functions), and the origin
is taken from a findings.origin column when the loader provides one, else from
PROVISIONAL_READING_RULES. Once the loader stores the id, ID_SQL should read it instead."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from etl.review.errors import ReviewError
from etl.review.model import FileRef, FindingRef, Fix, ReportRef

# our own doubts about a reading, until the loader declares each rule's origin (issue 13)
PROVISIONAL_READING_RULES = ("table_cells_unclear", "ocr_read")

_CELLS = "array_to_string(list_sort(list_filter(string_split(coalesce(f.cells, ''), ','), lambda x: x <> '')), ',')"
_AGENCY = "coalesce(a.region_code, '') || ':' || a.name_key"

# every finding of one attached warehouse ({db}), one row per id, the kept report's row first
ID_SQL = f"""
    SELECT * EXCLUDE (rank) FROM (
      SELECT *, row_number() OVER (PARTITION BY finding_id ORDER BY is_duplicate, sha256) AS rank FROM (
        SELECT substr(CASE WHEN origin = 'reading'
                           THEN sha1(coalesce(sha256, '') || '|' || rule || '|' || cells)
                           ELSE sha1(agency_key || '|' || coalesce(year::VARCHAR, '') || '|' || rule || '|' || cells)
                      END, 1, 16) AS finding_id, *
        FROM (SELECT {{origin}} AS origin, {_AGENCY} AS agency_key, a.name AS agency_name, f.year, f.rule,
                     {_CELLS} AS cells, r.sha256, a.province, a.city, a.county, f.severity, f.message,
                     coalesce(r.is_duplicate, false) AS is_duplicate
              FROM {{db}}.findings f JOIN {{db}}.agencies a USING (agency_id)
              LEFT JOIN {{db}}.reports r USING (report_id))))
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


def _attach(con: duckdb.DuckDBPyConnection, db: str | Path, alias: str) -> str:
    """Attach a warehouse file read-only; returns its findings' origin expression."""
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
    if ("origin",) in cols:
        return "f.origin"
    listed = ", ".join(f"'{r}'" for r in PROVISIONAL_READING_RULES)  # constants of this module
    return f"CASE WHEN f.rule IN ({listed}) THEN 'reading' ELSE 'report' END"


def _ref(r: tuple) -> FindingRef:
    fid, origin, ak, name, year, rule, cells, sha, prov, city, county, sev, msg, _dup = r
    return FindingRef(fid, origin, ak, name, year, rule, cells, sha, prov, city, county, sev, msg)


def read_findings(db: str | Path, ids: Iterable[str] | None = None) -> WarehouseFindings:
    """The findings of a warehouse file (only those with the given ids, if given). Findings of one
    agency, year, rule and cells are one finding; the kept report's row wins over a duplicate's."""
    con = duckdb.connect()
    try:
        origin = _attach(con, db, "w")
        sql = ID_SQL.format(db="w", origin=origin)
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


def fixes_between(old_db: str | Path, new_db: str | Path) -> list[Fix]:
    """Report-origin findings of the old warehouse file that the new one no longer has, where the
    agency and year now have a different file (a finding gone because a rule changed, with the same
    file, is no fix). The loader calls this with the old file and the new one before swapping them,
    and passes the result to etl.review.workflow.mark_fixed."""
    con = duckdb.connect()
    try:
        old_origin, new_origin = _attach(con, old_db, "o"), _attach(con, new_db, "n")
        rows = con.execute(f"""
            WITH old AS ({ID_SQL.format(db="o", origin=old_origin)}),
                 new AS ({ID_SQL.format(db="n", origin=new_origin)}),
                 old_rep AS ({REPORTS_SQL.format(db="o")}), new_rep AS ({REPORTS_SQL.format(db="n")})
            SELECT old.*, old_rep.source_path, old_rep.sha256, new_rep.source_path, new_rep.sha256
            FROM old
            JOIN new_rep ON new_rep.agency_key = old.agency_key AND new_rep.year IS NOT DISTINCT FROM old.year
            LEFT JOIN old_rep ON old_rep.agency_key = old.agency_key AND old_rep.year IS NOT DISTINCT FROM old.year
            WHERE old.origin = 'report' AND old.finding_id NOT IN (SELECT finding_id FROM new)
              AND new_rep.sha256 IS DISTINCT FROM old_rep.sha256
            ORDER BY old.finding_id""").fetchall()
    except duckdb.Error as e:
        raise ReviewError(f"无法比较新旧数据库：{str(e).splitlines()[0]}") from None
    finally:
        con.close()
    return [Fix(_ref(r[:14]), FileRef(r[14], r[15]) if r[15] else None, FileRef(r[16], r[17])) for r in rows]
