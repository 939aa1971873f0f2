"""The warehouse side of the review store, read-only: each finding with the identity and place the
store keys it by, the report file behind each agency and year, and the findings a newer file no
longer has (for mark_fixed).

The warehouse's findings table has no finding id or origin column yet: the id is computed here
from agency (region_code, name_key), year, rule, cells and the report's sha256 with
etl.review.identity, and the origin is taken from a findings.origin column when the loader
provides one, else from PROVISIONAL_READING_RULES. Once the loader stores the id, this module
should read it instead (and a test should check the two agree)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from etl.review.errors import ReviewError
from etl.review.identity import agency_key, canonical_cells, finding_id
from etl.review.model import FileRef, FindingRef, Fix, ReportRef

# our own doubts about a reading, until the loader declares each rule's origin (issue 13)
PROVISIONAL_READING_RULES = frozenset({"table_cells_unclear", "ocr_read"})


@dataclass(frozen=True)
class WarehouseFindings:
    """A snapshot of one warehouse file: findings by id; the kept report of each (agency_key,
    year) and every report by sha256."""

    findings: dict[str, FindingRef]
    reports: dict[tuple[str, int | None], FileRef]
    by_sha: dict[str, ReportRef]


def _connect(db: str | Path) -> duckdb.DuckDBPyConnection:
    if not Path(db).is_file():
        raise ReviewError(f"找不到数据库 {db}")
    try:
        return duckdb.connect(str(db), read_only=True)
    except duckdb.Error as e:
        raise ReviewError(f"无法打开数据库 {db}：{str(e).splitlines()[0]}") from None


def read_findings(db: str | Path, ids: Iterable[str] | None = None) -> WarehouseFindings:
    """Every finding of the warehouse file (or only those with the given ids). Findings of one
    agency, year, rule and cells are one finding; the kept report's row wins over a duplicate's."""
    wanted = None if ids is None else set(ids)
    con = _connect(db)
    try:
        cols = {
            r[0]
            for r in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = 'findings'"
            ).fetchall()
        }
        rules = sorted(PROVISIONAL_READING_RULES)
        origin = (
            "f.origin"
            if "origin" in cols
            else "CASE WHEN list_contains($rules, f.rule) THEN 'reading' ELSE 'report' END"
        )
        rows = con.execute(
            f"""
            SELECT {origin}, a.region_code, a.name_key, a.name, f.year, f.rule, f.cells, r.sha256,
                   a.province, a.city, a.county, f.severity, f.message
            FROM findings f JOIN agencies a USING (agency_id) LEFT JOIN reports r USING (report_id)
            ORDER BY coalesce(r.is_duplicate, false)""",
            {"rules": rules} if "origin" not in cols else {},
        ).fetchall()
        reps = con.execute("""
            SELECT a.region_code, a.name_key, a.name, r.year, r.sha256, r.source_path, r.is_duplicate,
                   a.province, a.city, a.county
            FROM reports r JOIN agencies a USING (agency_id)""").fetchall()
    except duckdb.Error as e:
        raise ReviewError(f"数据库 {db} 中没有可读的发现表：{str(e).splitlines()[0]}") from None
    finally:
        con.close()
    findings: dict[str, FindingRef] = {}
    for org, code, key, name, year, rule, cells, sha, prov, city, county, sev, msg in rows:
        ak = agency_key(code, key)
        cells = canonical_cells(cells)
        fid = finding_id(org, agency=ak, year=year, rule=rule, cells=cells, report_sha256=sha)
        if fid in findings or (wanted is not None and fid not in wanted):
            continue
        findings[fid] = FindingRef(fid, org, ak, name, year, rule, cells, sha, prov, city, county, sev, msg)
    reports: dict[tuple[str, int | None], FileRef] = {}
    by_sha: dict[str, ReportRef] = {}
    for code, key, name, year, sha, path, dup, prov, city, county in reps:
        by_sha[sha] = ReportRef(sha, name, year, prov, city, county)
        if not dup:
            reports[(agency_key(code, key), year)] = FileRef(path, sha)
    return WarehouseFindings(findings, reports, by_sha)


def fixes_between(old: WarehouseFindings, new: WarehouseFindings) -> list[Fix]:
    """Report-origin findings of the old warehouse that the new one no longer has, where the agency
    and year now have a different file (a finding gone because a rule changed, with the same file,
    is not a fix). The loader reads both snapshots around a load and passes these to mark_fixed."""
    out = []
    for fid, f in old.findings.items():
        if f.origin != "report" or fid in new.findings:
            continue
        now_file = new.reports.get((f.agency_key, f.year))
        before = old.reports.get((f.agency_key, f.year))
        if now_file is not None and (before is None or before.sha256 != now_file.sha256):
            out.append(Fix(f, before, now_file))
    return out
