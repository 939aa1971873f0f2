"""Who filed late, with errors or not at all: the compliance queries and the briefing's lists."""

from __future__ import annotations

import polars as pl

from dashboard.metrics import COMPLIANCE_SQL
from dashboard.queries.registry import BASE, SCOPE, Scope, in_scope, query
from etl.warehouse.frames import frame


@query(examples=lambda s: [(s.country,), (s.province,)])
def coverage(con, scope: Scope, limit: int = 400) -> pl.DataFrame:
    """Agency x year: 按时 / 逾期 / 有错误 / 未发布, for registered agencies and any that filed."""
    return frame(
        con,
        f"""
      WITH ag AS (
        SELECT a.agency_id, a.name, a.kind, coalesce(a.province, '') AS prov, a.city AS cty, a.county AS cnty
        FROM agencies a WHERE {in_scope("a")}
        ORDER BY a.name LIMIT $limit),
      yrs AS (SELECT DISTINCT year FROM reports WHERE year IS NOT NULL)
      SELECT ag.agency_id, ag.name, y.year,
             CASE WHEN r.report_id IS NULL THEN '未发布'
                  WHEN r.n_errors > 0 THEN '有错误'
                  WHEN r.days_late > 0 THEN '逾期'
                  WHEN r.days_late IS NULL THEN '日期不明'
                  ELSE '按时' END AS state,
             r.days_late, r.n_errors
      FROM ag CROSS JOIN yrs y
      LEFT JOIN reports r ON r.agency_id = ag.agency_id AND r.year = y.year AND NOT r.is_duplicate
      ORDER BY ag.name, y.year""",
        {**scope.params(), "limit": limit},
    )


@query(examples=lambda s: [(s.country, s.year), (s.province, s.year)])
def not_filed(con, scope: Scope, year: int) -> pl.DataFrame:
    return frame(
        con,
        f"""SELECT a.name, a.kind, a.province, a.city, a.county FROM agencies a
                         WHERE a.in_registry AND {in_scope("a")}
                           AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.agency_id = a.agency_id AND r.year = $year
                                           AND NOT r.is_duplicate)
                         ORDER BY a.province, a.city, a.county, a.name""",
        {**scope.params(), "year": year},
    )


@query(examples=lambda s: [(sc, s.year, None, ["error", "warning"]) for sc in (s.country, s.province)])
def findings(
    con,
    scope: Scope,
    year: int | None,
    rules: list | None = None,
    severities: list | None = None,
    limit: int = 2000,
) -> pl.DataFrame:
    return frame(
        con,
        f"""
      SELECT a.name AS agency, f.year, f.rule, f.severity, f.message, f.cells, f.report_id, a.kind,
             a.province, a.city, a.county
      FROM findings f JOIN agencies a USING (agency_id)
      WHERE ($year IS NULL OR f.year = $year) AND {in_scope("a")}
        AND ($rules IS NULL OR list_contains($rules, f.rule))
        AND ($sev IS NULL OR list_contains($sev, f.severity))
      ORDER BY CASE f.severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, a.name, f.rule
      LIMIT $limit""",
        {**scope.params(), "year": year, "rules": rules or None, "sev": severities or None, "limit": limit},
    )


@query(examples=lambda s: [(s.country, s.year), (s.province, s.year)])
def finding_counts(con, scope: Scope, year: int | None) -> pl.DataFrame:
    return frame(
        con,
        f"""SELECT f.rule, f.severity, count(*) AS n FROM findings f JOIN agencies a USING (agency_id)
                         WHERE ($year IS NULL OR f.year = $year) AND {in_scope("a")}
                         GROUP BY ALL ORDER BY n DESC""",
        {**scope.params(), "year": year},
    )


@query(examples=lambda s: [(s.country, s.year), (s.province, s.year)])
def compliance_scores(con, scope: Scope, year: int, limit: int = 500) -> pl.DataFrame:
    return frame(
        con,
        f"""
      SELECT a.name AS agency, a.kind, a.province, a.city, a.county, $year AS year,
             r.days_late, r.n_errors, r.n_warnings, {COMPLIANCE_SQL} AS score
      FROM agencies a
      LEFT JOIN reports r ON r.agency_id = a.agency_id AND r.year = $year AND NOT r.is_duplicate
      WHERE (a.in_registry OR r.report_id IS NOT NULL) AND {in_scope("a")}
      ORDER BY score, a.name LIMIT $limit""",
        {**scope.params(), "year": year, "limit": limit},
    )


@query(examples=lambda s: [(s.country, s.year)])
def late_reports(con, scope: Scope, year: int, limit: int = 10) -> pl.DataFrame:
    return frame(
        con,
        f"""SELECT agency_name AS agency, publish_date, deadline, days_late FROM ({BASE}) r
                          WHERE {SCOPE} AND r.year = $year AND r.days_late > 0
                          ORDER BY days_late DESC, agency LIMIT $limit""",
        {**scope.params(), "year": year, "limit": limit},
    )


@query(examples=lambda s: [(s.country, s.year)])
def error_reports(con, scope: Scope, year: int, limit: int = 10) -> pl.DataFrame:
    """Reports whose tables do not add up, worst first, with the rules they broke."""
    return frame(
        con,
        f"""SELECT r.agency_name AS agency, r.n_errors,
                                 (SELECT string_agg(DISTINCT f.rule, '、' ORDER BY f.rule) FROM findings f
                                  WHERE f.report_id = r.report_id AND f.severity = 'error') AS rules
                          FROM ({BASE}) r WHERE {SCOPE} AND r.year = $year AND r.n_errors > 0
                          ORDER BY r.n_errors DESC, agency LIMIT $limit""",
        {**scope.params(), "year": year, "limit": limit},
    )


@query(examples=lambda s: [(s.country, s.year)])
def scope_counts(con, scope: Scope, year: int) -> pl.DataFrame:
    """One row: the counts the briefing's compliance section and summary state."""
    return frame(
        con,
        f"""
      SELECT count(*) AS reports,
             count(*) FILTER (WHERE days_late > 0) AS late,
             count(*) FILTER (WHERE days_late IS NULL) AS date_unknown,
             count(*) FILTER (WHERE n_errors > 0) AS inconsistent,
             count(*) FILTER (WHERE EXISTS (SELECT 1 FROM findings f WHERE f.report_id = r.report_id
                                            AND f.rule = 'copied_report')) AS copied,
             count(*) FILTER (WHERE is_demo) AS demo
      FROM ({BASE}) r WHERE {SCOPE} AND r.year = $year""",
        {**scope.params(), "year": year},
    )


@query(examples=lambda s: [(s.country, s.year)])
def copied_reports(con, scope: Scope, year: int, limit: int = 10) -> pl.DataFrame:
    return frame(
        con,
        f"""SELECT r.agency_name AS agency, f.message FROM ({BASE}) r JOIN findings f USING (report_id)
                          WHERE {SCOPE} AND r.year = $year AND f.rule = 'copied_report'
                          ORDER BY agency LIMIT $limit""",
        {**scope.params(), "year": year, "limit": limit},
    )
