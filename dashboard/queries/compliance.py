"""Who filed late, with errors, copied, or not at all: the lists of the 合规监测 page, the counts
per sub-region, the agency × year grid of the agencies with a problem, and the briefing's lists.
Lists are complete unless a caller asks for a limit (`limit` None = every row)."""

from __future__ import annotations

import polars as pl

from dashboard.metrics import COMPLIANCE_SQL
from dashboard.queries.registry import BASE, LIVE, SCOPE, Scope, in_scope, query
from etl.warehouse.frames import frame

PLACE = "r.prov AS province, r.cty AS city, r.cnty AS county"
COPIED = f"EXISTS (SELECT 1 FROM findings f WHERE f.report_id = r.report_id AND f.rule = 'copied_report' AND {LIVE})"


@query(examples=lambda s: [(s.country, s.year), (s.province, s.year)])
def problem_counts(con, scope: Scope, year: int) -> pl.DataFrame:
    """One row: registered agencies, reports, and the four lists' lengths (未发布, 逾期, 有错误, 疑似照抄)."""
    return frame(
        con,
        f"""
      SELECT (SELECT count(*) FROM agencies a WHERE a.in_registry AND {in_scope("a")}) AS expected,
             (SELECT count(*) FROM agencies a WHERE a.in_registry AND {in_scope("a")}
                AND NOT EXISTS (SELECT 1 FROM reports x WHERE x.agency_id = a.agency_id AND x.year = $year
                                AND NOT x.is_duplicate)) AS not_filed,
             count(*) AS reports,
             count(*) FILTER (WHERE r.days_late > 0) AS late,
             count(*) FILTER (WHERE r.days_late IS NULL) AS date_unknown,
             count(*) FILTER (WHERE r.n_errors > 0) AS errors,
             count(*) FILTER (WHERE {COPIED}) AS copied
      FROM ({BASE}) r WHERE {SCOPE} AND r.year = $year""",
        {**scope.params(), "year": year},
    )


@query(examples=lambda s: [(s.country, s.year), (s.province, s.year)])
def subregion_problems(con, scope: Scope, year: int) -> pl.DataFrame:
    """Per sub-region of the scope (NULL name: agencies of the scope's own level, or unplaced):
    registered agencies, reports, not filed, late, with errors, copied. (The coalesce below
    counts rows that do not exist — a sub-region without reports has 0 late reports — it never
    stands in for a report's NULL value.)"""
    sub = scope.sub_column()
    asub = {"prov": "a.province", "cty": "a.city", "cnty": "a.county", "agency_name": "a.name"}[sub]
    return frame(
        con,
        f"""
      WITH filed AS (
        SELECT {sub} AS name, count(*) AS reports, count(*) FILTER (WHERE r.days_late > 0) AS late,
               count(*) FILTER (WHERE r.n_errors > 0) AS errors, count(*) FILTER (WHERE {COPIED}) AS copied
        FROM ({BASE}) r WHERE {SCOPE} AND r.year = $year GROUP BY ALL),
      registry AS (
        SELECT {asub} AS name, count(*) AS expected,
               count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM reports x WHERE x.agency_id = a.agency_id
                                 AND x.year = $year AND NOT x.is_duplicate)) AS not_filed
        FROM agencies a WHERE a.in_registry AND {in_scope("a")} GROUP BY ALL)
      SELECT name, coalesce(g.expected, 0) AS expected, coalesce(f.reports, 0) AS reports,
             coalesce(g.not_filed, 0) AS not_filed, coalesce(f.late, 0) AS late,
             coalesce(f.errors, 0) AS errors, coalesce(f.copied, 0) AS copied
      FROM filed f FULL JOIN registry g USING (name)
      ORDER BY (coalesce(g.not_filed, 0) + coalesce(f.late, 0) + coalesce(f.errors, 0) + coalesce(f.copied, 0)) DESC,
               name NULLS LAST""",
        {**scope.params(), "year": year},
    )


@query(examples=lambda s: [(s.country, list(s.years), 40, 0), (s.province, list(s.years), 40, 0)])
def problem_grid(con, scope: Scope, years: list, limit: int = 40, offset: int = 0) -> pl.DataFrame:
    """Agency × year over `years` for the agencies with a problem in any of them (not filed while
    registered, late, errors), most problem-years first, one page of `limit` agencies from
    `offset`. States: 按时, 逾期, 有错误, 逾期且有错误, 未发布, 日期不明 (NULL: no report from an
    agency not in the registry). `agencies` is the number of agencies with a problem in all."""
    return frame(
        con,
        f"""
      WITH yrs AS (SELECT unnest($years) AS year),
      cells AS (
        SELECT a.agency_id, a.name, a.in_registry, y.year, r.days_late, r.n_errors, r.report_id,
               CASE WHEN r.report_id IS NULL THEN CASE WHEN a.in_registry THEN '未发布' END
                    WHEN r.n_errors > 0 AND r.days_late > 0 THEN '逾期且有错误'
                    WHEN r.n_errors > 0 THEN '有错误'
                    WHEN r.days_late > 0 THEN '逾期'
                    WHEN r.days_late IS NULL THEN '日期不明'
                    ELSE '按时' END AS state
        FROM agencies a CROSS JOIN yrs y
        LEFT JOIN (SELECT * FROM ({BASE}) WHERE list_contains($years, year)) r
          ON r.agency_id = a.agency_id AND r.year = y.year
        WHERE {in_scope("a")}),
      bad AS (
        SELECT agency_id, count(*) FILTER (WHERE state IN ('未发布', '逾期', '有错误', '逾期且有错误')) AS n
        FROM cells GROUP BY agency_id HAVING n > 0),
      page AS (
        SELECT b.agency_id, b.n, count(*) OVER () AS agencies FROM bad b JOIN agencies a USING (agency_id)
        ORDER BY b.n DESC, a.name LIMIT $limit OFFSET $offset)
      SELECT c.agency_id, c.name, c.year, c.state, c.days_late, c.n_errors, p.n AS problems, p.agencies
      FROM cells c JOIN page p USING (agency_id)
      ORDER BY p.n DESC, c.name, c.year""",
        {**scope.params(), "years": [int(y) for y in years], "limit": limit, "offset": offset},
    )


@query(examples=lambda s: [(s.country, s.year), (s.province, s.year)])
def not_filed(con, scope: Scope, year: int) -> pl.DataFrame:
    return frame(
        con,
        f"""SELECT a.agency_id, a.name, a.kind, a.province, a.city, a.county FROM agencies a
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
    limit: int | None = 2000,
) -> pl.DataFrame:
    return frame(
        con,
        f"""
      SELECT a.agency_id, a.name AS agency, f.year, f.rule, f.severity, f.message, f.cells, f.report_id, a.kind,
             a.province, a.city, a.county, count(*) OVER () AS total, f.finding_id, f.origin
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
                         GROUP BY ALL ORDER BY n DESC, f.rule""",
        {**scope.params(), "year": year},
    )


@query(examples=lambda s: [(s.country, s.year), (s.province, s.year)])
def compliance_scores(con, scope: Scope, year: int, limit: int | None = None) -> pl.DataFrame:
    """Every registered agency (and any that filed) with its score, worst first; `total` is the
    number of agencies however many rows are returned."""
    return frame(
        con,
        f"""
      SELECT a.agency_id, a.name AS agency, a.kind, a.province, a.city, a.county, $year AS year,
             r.report_id IS NOT NULL AS filed, r.days_late, r.n_errors, r.n_warnings, {COMPLIANCE_SQL} AS score,
             count(*) OVER () AS total
      FROM agencies a
      LEFT JOIN (SELECT * FROM ({BASE}) WHERE year = $year) r ON r.agency_id = a.agency_id
      WHERE (a.in_registry OR r.report_id IS NOT NULL) AND {in_scope("a")}
      ORDER BY score, a.name LIMIT $limit""",
        {**scope.params(), "year": year, "limit": limit},
    )


@query(examples=lambda s: [(s.country, s.year, 10), (s.province, s.year, None)])
def late_reports(con, scope: Scope, year: int, limit: int | None = None) -> pl.DataFrame:
    return frame(
        con,
        f"""SELECT r.agency_id, agency_name AS agency, {PLACE}, publish_date, deadline, days_late FROM ({BASE}) r
                          WHERE {SCOPE} AND r.year = $year AND r.days_late > 0
                          ORDER BY days_late DESC, agency LIMIT $limit""",
        {**scope.params(), "year": year, "limit": limit},
    )


@query(examples=lambda s: [(s.country, s.year, 10), (s.province, s.year, None)])
def error_reports(con, scope: Scope, year: int, limit: int | None = None) -> pl.DataFrame:
    """Reports whose tables do not add up, worst first, with the rules they broke."""
    return frame(
        con,
        f"""SELECT r.agency_id, r.agency_name AS agency, {PLACE}, r.n_errors,
                                 (SELECT string_agg(DISTINCT f.rule, '、' ORDER BY f.rule) FROM findings f
                                  WHERE f.report_id = r.report_id AND f.severity = 'error'
                                    AND f.origin = 'report' AND {LIVE}) AS rules
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
             count(*) FILTER (WHERE {COPIED}) AS copied,
             count(*) FILTER (WHERE is_demo) AS demo
      FROM ({BASE}) r WHERE {SCOPE} AND r.year = $year""",
        {**scope.params(), "year": year},
    )


@query(examples=lambda s: [(s.country, s.year, 10), (s.province, s.year, None)])
def copied_reports(con, scope: Scope, year: int, limit: int | None = None) -> pl.DataFrame:
    return frame(
        con,
        f"""SELECT r.agency_id, r.agency_name AS agency, {PLACE}, f.message FROM ({BASE}) r
                          JOIN findings f USING (report_id)
                          WHERE {SCOPE} AND r.year = $year AND f.rule = 'copied_report' AND {LIVE}
                          ORDER BY agency LIMIT $limit""",
        {**scope.params(), "year": year, "limit": limit},
    )


@query(examples=lambda s: [(s.country, s.year, None), (s.province, s.year, 100)])
def followup_findings(con, scope: Scope, year: int, limit: int | None = None) -> pl.DataFrame:
    """The 督办清单's selection: one row per finding an agency must act on — the report's own errors
    and warnings (never a doubt about our reading), not dismissed by a person, of the reports that
    count (a duplicate file's rows left out) or of no report (a missing report) — in the order of
    places, with its stable id (编号)."""
    return frame(
        con,
        f"""
      SELECT f.finding_id, a.agency_id, a.name AS agency, f.year, f.rule, f.severity, f.message, f.cells,
             f.report_id, a.kind, a.province, a.city, a.county, count(*) OVER () AS total
      FROM (SELECT f.*, coalesce(r.is_duplicate, false) AS dup FROM findings f LEFT JOIN reports r USING (report_id)
            WHERE f.origin = 'report' AND f.severity IN ('error', 'warning') AND f.year = $year
            QUALIFY row_number() OVER (PARTITION BY f.finding_id ORDER BY dup, f.report_id) = 1) f
      JOIN agencies a USING (agency_id)
      WHERE {in_scope("a")} AND {LIVE} AND NOT f.dup
      ORDER BY a.province, a.city, a.county, a.name, f.severity, f.rule, f.finding_id LIMIT $limit""",
        {**scope.params(), "year": year, "limit": limit},
    )
