"""One agency's record: its reports, findings, cells with their sources, and its peers."""

from __future__ import annotations

import polars as pl

from dashboard.metrics import BY_KEY
from dashboard.queries.registry import BASE, Scope, in_scope, query
from etl.warehouse.frames import frame


@query(examples=lambda s: [("教育局", s.country), ("教育局", s.province)])
def search_agencies(con, text: str, scope: Scope, limit: int = 50) -> pl.DataFrame:
    """Agencies in scope whose name or a known other spelling contains `text` ('' = all in scope)."""
    return frame(
        con,
        f"""SELECT agency_id, name, kind, province, city, county, match_status, count(*) OVER () AS total
            FROM agencies a
            WHERE (contains(name, $t) OR contains(coalesce(aliases, ''), $t)) AND {in_scope("a")}
            ORDER BY length(name), name LIMIT $limit""",
        {"t": text, "limit": limit, **scope.params()},
    )


@query(examples=lambda s: [(s.agency_id,)])
def agency(con, agency_id: int) -> pl.DataFrame:
    return frame(con, "SELECT * FROM agencies WHERE agency_id = $id", {"id": agency_id})


@query(examples=lambda s: [(s.agency_id,)])
def agency_reports(con, agency_id: int) -> pl.DataFrame:
    return frame(con, """SELECT * FROM reports WHERE agency_id = $id ORDER BY year, is_duplicate""", {"id": agency_id})


@query(examples=lambda s: [(s.agency_id,)])
def agency_findings(con, agency_id: int) -> pl.DataFrame:
    return frame(
        con,
        """SELECT year, rule, severity, message, cells, report_id, finding_id, origin FROM findings
                         WHERE agency_id = $id ORDER BY year DESC, severity, rule""",
        {"id": agency_id},
    )


@query(examples=lambda s: [(s.report_id,)])
def report_cells(con, report_id: str) -> pl.DataFrame:
    return frame(con, "SELECT field, value, raw, loc FROM cells WHERE report_id = $id", {"id": report_id})


@query(examples=lambda s: [(s.report_id,)])
def report_corrections(con, report_id: str) -> pl.DataFrame:
    """The report's cells a person corrected (人工更正), as applied at the last load: field, the value
    in force, the value read from the file, who, when (UTC) and why."""
    return frame(
        con,
        """SELECT field, value, original_value, account, "at", reason, version FROM corrections
           WHERE report_id = $id ORDER BY field""",
        {"id": report_id},
    )


@query(examples=lambda s: [(s.report_id,)])
def report_evidence(con, report_id: str) -> pl.DataFrame:
    """The sentences the prose counts were read from: metric, value, evidence, loc."""
    return frame(
        con,
        "SELECT metric, value, evidence, loc FROM narrative_metrics WHERE report_id = $id ORDER BY metric",
        {"id": report_id},
    )


@query(examples=lambda s: [(s.report_id,)])
def report_text(con, report_id: str) -> str:
    df = frame(con, "SELECT text FROM report_texts WHERE report_id = $id", {"id": report_id})
    return df["text"][0] if df.height else ""


@query(examples=lambda s: [(s.agency_id, s.year, "applications")])
def peers(con, agency_id: int, year: int, key: str) -> pl.DataFrame:
    """The metric for every agency of the same kind and level that year, and this agency's place."""
    return frame(
        con,
        f"""
      WITH me AS (SELECT kind, level FROM agencies WHERE agency_id = $id),
      vals AS (SELECT r.agency_id, {BY_KEY[key].sql} AS value FROM ({BASE}) r, me
               WHERE r.year = $year AND r.kind = me.kind AND r.level = me.level GROUP BY r.agency_id)
      SELECT count(*) AS peers, median(value) AS median,
             (SELECT value FROM vals WHERE agency_id = $id) AS mine,
             avg(CASE WHEN value <= (SELECT value FROM vals WHERE agency_id = $id) THEN 1.0 ELSE 0 END) AS percentile
      FROM vals WHERE value IS NOT NULL""",
        {"id": agency_id, "year": year},
    )


@query(examples=lambda s: [(s.report_id,)])
def report_pages(con, report_id: str) -> pl.DataFrame:
    """Where the report's file was found on the agency's website (collected with `python -m etl collect`):
    the page or attachment that served it and the report page of an attachment, with the page's printed
    发布时间 and the collector's first and last sighting. Empty for files not collected (or an older warehouse)."""
    has = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'page_evidence'").fetchall()[0][0]
    if not has:
        return pl.DataFrame(
            schema={
                "kind": pl.Utf8,
                "url": pl.Utf8,
                "column_url": pl.Utf8,
                "page_published": pl.Datetime,
                "page_published_text": pl.Utf8,
                "first_seen": pl.Datetime,
                "last_seen": pl.Datetime,
                "version": pl.Int32,
            }
        )
    return frame(
        con,
        """WITH mine AS (SELECT e.* FROM page_evidence e JOIN reports r ON r.sha256 = e.sha256
                         WHERE r.report_id = $id),
                pages AS (SELECT e.* FROM page_evidence e
                          WHERE e.kind = 'page' AND e.url IN (SELECT report_page_url FROM mine)
                            AND e.sha256 IS NOT NULL)
           SELECT DISTINCT kind, url, column_url, page_published, page_published_text, first_seen, last_seen, version
           FROM (SELECT * FROM mine UNION ALL SELECT * FROM pages)
           ORDER BY kind DESC, url, version""",
        {"id": report_id},
    )
