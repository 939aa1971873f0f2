"""What the warehouse holds: load runs, files and what became of them, unmatched agencies."""

from __future__ import annotations

import polars as pl

from dashboard.queries.registry import query
from etl.warehouse.frames import frame


@query(examples=lambda s: [()])
def load_runs(con) -> pl.DataFrame:
    return frame(con, "SELECT * FROM load_runs ORDER BY run_id DESC")


@query(examples=lambda s: [()])
def rejected(con, limit: int = 1000) -> pl.DataFrame:
    return frame(
        con,
        """SELECT path, status, reason, size FROM sources WHERE status IN ('rejected', 'duplicate')
                         ORDER BY status, path LIMIT $limit""",
        {"limit": limit},
    )


@query(examples=lambda s: [()])
def unmatched(con) -> pl.DataFrame:
    return frame(
        con,
        """SELECT a.name, a.province, a.city, a.county, count(r.report_id) AS reports
                         FROM agencies a LEFT JOIN reports r USING (agency_id) WHERE a.match_status = '未匹配'
                         GROUP BY ALL ORDER BY a.name""",
    )


@query(examples=lambda s: [()])
def formats_by_year(con) -> pl.DataFrame:
    return frame(
        con,
        """SELECT year, format_version, count(*) AS reports FROM reports WHERE year IS NOT NULL
                         GROUP BY ALL ORDER BY year, format_version""",
    )


@query(examples=lambda s: [()])
def source_counts(con) -> pl.DataFrame:
    return frame(con, "SELECT status, count(*) AS files FROM sources GROUP BY status ORDER BY files DESC")


@query(examples=lambda s: [((s.report_id,),)])
def known_contents(con, shas: tuple) -> pl.DataFrame:
    """Which of these file contents (sha256) the warehouse already holds, and what became of them."""
    return frame(
        con,
        """SELECT sha256, any_value(status) AS status, any_value(agency_printed) AS agency, any_value(year) AS year
           FROM sources WHERE sha256 IN (SELECT unnest($shas::VARCHAR[])) GROUP BY sha256""",
        {"shas": list(shas)},
    )
