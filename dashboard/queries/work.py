"""What the review pages need from the warehouse besides the findings themselves (those come from
etl.review.warehouse.read_findings, which gives each its stable id): the agencies in a page's
scope by their stable key, and a report by its file's sha256."""

from __future__ import annotations

import polars as pl

from dashboard.queries.registry import Scope, in_scope, query
from etl.warehouse.frames import frame


@query(examples=lambda s: [(s.country,), (s.province,)])
def agency_keys(con, scope: Scope) -> pl.DataFrame:
    """agency_id and agency_key (region_code:name_key, as etl.review.identity writes it) in scope."""
    return frame(
        con,
        f"""SELECT agency_id, coalesce(region_code, '') || ':' || name_key AS agency_key
            FROM agencies a WHERE {in_scope("a")}""",
        scope.params(),
    )


@query(examples=lambda s: [("0" * 64,)])
def report_by_sha(con, sha256: str) -> pl.DataFrame:
    """The report row of one file (every field's value as read), by the file's sha256."""
    return frame(con, "SELECT * FROM reports WHERE sha256 = $sha ORDER BY is_duplicate LIMIT 1", {"sha": sha256})
