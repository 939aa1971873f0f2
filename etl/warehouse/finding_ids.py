"""Each finding's stable id, stored in findings.finding_id by the loader (and by the migration to
schema version 3), by the formulas of etl.review.identity:

    report origin   sha1(agency_key | year | rule | cells)[:16]     agency_key = region_code:name_key
    reading origin  sha1(report sha256 | rule | cells)[:16]

cells sorted by code point and comma-joined, empty parts dropped; a missing year, region code or
sha256 is the empty string. tests/test_review_loop.py checks the SQL against the Python functions.
The origin itself comes from the rule registry (etl.warehouse.version.origin_case)."""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

CELLS_SQL = "array_to_string(list_sort(list_filter(string_split(coalesce({c}, ''), ','), lambda x: x <> '')), ',')"


def id_sql(f: str = "f", a: str = "a", r: str = "r") -> str:
    """SQL of the id of finding `f`, with its agency `a` and its report `r` (NULL when none)."""
    cells = CELLS_SQL.format(c=f"{f}.cells")
    return f"""substr(CASE WHEN {f}.origin = 'reading'
                      THEN sha1(coalesce({r}.sha256, '') || '|' || {f}.rule || '|' || {cells})
                      ELSE sha1(coalesce({a}.region_code, '') || ':' || {a}.name_key || '|'
                                || coalesce({f}.year::VARCHAR, '') || '|' || {f}.rule || '|' || {cells})
                 END, 1, 16)"""


def fill(con: duckdb.DuckDBPyConnection, agencies: Iterable[int] = ()) -> None:
    """Compute the ids of findings that have none, and again those of the given agencies (whose
    region code or name key changed in this load: their report findings' ids change with them)."""
    again = sorted(set(agencies))
    if again:
        con.execute("UPDATE findings SET finding_id = NULL WHERE list_contains(?, agency_id)", [again])
    con.execute(f"""UPDATE findings SET finding_id = x.fid
                    FROM (SELECT f.rowid AS row_id, {id_sql()} AS fid
                          FROM findings f JOIN agencies a USING (agency_id)
                          LEFT JOIN reports r USING (report_id)
                          WHERE f.finding_id IS NULL) x
                    WHERE findings.rowid = x.row_id""")


def changed_agencies(old: list[dict], new: Iterable[dict]) -> list[int]:
    """Agencies whose region code or name key differ from the previous load's record."""
    before = {a["agency_id"]: (a.get("region_code"), a.get("name_key")) for a in old}
    return [
        a["agency_id"]
        for a in new
        if a["agency_id"] in before and before[a["agency_id"]] != (a.get("region_code"), a.get("name_key"))
    ]
