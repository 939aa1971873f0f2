"""Checks across reports, run in the warehouse after every load (rules with scope 'cross'):
duplicates, timeliness, continuity of normative documents, carry-over of applications,
missing reports, sudden changes, and the copy checks of etl.check.copy_rules.

A load reruns them only where its reports can change the result. The loader fills the temporary
table `_changed (agency_id, year)` with the agency-years it added or removed reports for; from it
`scope()` makes `_touched` (those agency-years and the year after each, since a report is compared
with its agency's year before) and `_touched_regions` (their region and year, for the comparison
with other agencies). Each rule's findings inside that scope are deleted and made again; the rest
stay as they were. A full run is the same with every agency-year changed. Missing reports are
recomputed whole (agencies x years: a fraction of a second at a million reports)."""

from __future__ import annotations

import duckdb

from etl.registry.rules import RULES
from etl.warehouse.version import origin_case

SUDDEN_FACTOR = 5
SUDDEN_BASE = 10
SUDDEN_METRICS = {
    "t3__new_received__total": "收到政府信息公开申请",
    "t2__normative_issued": "制发行政规范性文件",
    "t2__licensing_decisions": "行政许可决定",
    "t2__punishment_decisions": "行政处罚决定",
    "t4__review_total": "行政复议案件",
    "n__info_published_total": "主动公开政府信息",
    "n__policy_interpretations": "政策解读",
}

_LIVE = "NOT is_duplicate"


FINDING_COLUMNS = "report_id, agency_id, year, rule, severity, message, cells, scope"
PEER_RULES = ("copied_from_peer",)  # compared within a region and year, not along an agency's years


def scope(con: duckdb.DuckDBPyConnection, full: bool) -> None:
    """_touched and _touched_regions from _changed (or from every report when `full`)."""
    if full:
        con.execute("CREATE OR REPLACE TEMP TABLE _changed AS SELECT DISTINCT agency_id, year FROM reports")
    con.execute("""CREATE OR REPLACE TEMP TABLE _touched AS
                   SELECT DISTINCT agency_id, year FROM (
                     SELECT agency_id, year FROM _changed UNION ALL SELECT agency_id, year + 1 FROM _changed)
                   WHERE year IS NOT NULL""")
    con.execute("""CREATE OR REPLACE TEMP TABLE _touched_regions AS
                   SELECT DISTINCT a.region_code, c.year FROM _changed c JOIN agencies a USING (agency_id)
                   WHERE a.region_code IS NOT NULL AND c.year IS NOT NULL""")


def touched(alias: str) -> str:
    """SQL: the report `alias` lies in the touched agency-years."""
    return f"EXISTS (SELECT 1 FROM _touched t WHERE t.agency_id = {alias}.agency_id AND t.year = {alias}.year)"


def run_all(con: duckdb.DuckDBPyConnection, has_registry: bool, full: bool = True) -> None:
    """Every cross-report rule of the registry, in its order (missing reports need a registry),
    over the touched scope (everything when `full`)."""
    scope(con, full)
    peer = ", ".join(f"'{r}'" for r in PEER_RULES)
    con.execute(f"""DELETE FROM findings f WHERE scope = 'cross' AND rule NOT IN ('missing_report', {peer})
                    AND {touched("f")}""")
    con.execute(f"""DELETE FROM findings WHERE rule IN ({peer}) AND report_id IN (
                      SELECT r.report_id FROM reports r JOIN agencies a USING (agency_id)
                      JOIN _touched_regions t ON t.region_code = a.region_code AND t.year = r.year)""")
    con.execute("DELETE FROM findings WHERE rule = 'missing_report'")
    for rule in RULES:
        if rule.scope != "cross" or (rule.id == "missing_report" and not has_registry):
            continue
        rule.implementation()(con)
    con.execute(f"UPDATE findings SET origin = {origin_case()} WHERE origin IS NULL")


def _add(con: duckdb.DuckDBPyConnection, select_sql: str, params: list | None = None) -> None:
    con.execute(f"INSERT INTO findings ({FINDING_COLUMNS}) {select_sql}", params or [])


def duplicates(con: duckdb.DuckDBPyConnection) -> None:
    """Two files for one agency and year: keep the later publication, record both."""
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _in_scope AS
                    SELECT report_id FROM reports r WHERE year IS NOT NULL AND {touched("r")}""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _dup AS
        SELECT report_id, agency_id, year, n, keep_id, keep_date FROM (
          SELECT report_id, agency_id, year,
                 count(*) OVER w AS n,
                 first_value(report_id) OVER w AS keep_id,
                 first_value(publish_date) OVER w AS keep_date,
                 row_number() OVER w AS rn
          FROM reports WHERE report_id IN (SELECT report_id FROM _in_scope)
          WINDOW w AS (PARTITION BY agency_id, year ORDER BY publish_date DESC NULLS LAST, source_path DESC
                       ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
        ) WHERE n > 1 AND rn > 1""")
    # only rows whose flag changes are written (an update rewrites the row groups it touches)
    con.execute("""UPDATE reports SET is_duplicate = false WHERE is_duplicate
                   AND report_id IN (SELECT report_id FROM _in_scope)
                   AND report_id NOT IN (SELECT report_id FROM _dup)""")
    con.execute("""UPDATE sources SET status = 'loaded', reason = NULL
                   WHERE status = 'duplicate' AND reason LIKE '同一机关%'
                   AND report_id IN (SELECT report_id FROM _in_scope)
                   AND report_id NOT IN (SELECT report_id FROM _dup)""")
    con.execute("""UPDATE reports SET is_duplicate = true WHERE NOT is_duplicate
                   AND report_id IN (SELECT report_id FROM _dup)""")
    con.execute("""UPDATE sources SET status = 'duplicate',
                   reason = '同一机关同一年度已有发布较晚的报告（'
                            || (SELECT keep_id FROM _dup d WHERE d.report_id = sources.report_id)
                            || '），本文件不计入统计'
                   WHERE report_id IN (SELECT report_id FROM _dup)""")
    _add(
        con,
        """SELECT d.report_id, d.agency_id, d.year, 'duplicate_report', 'warning',
                 format('同一机关 {} 年度共有 {} 份报告文件：保留发布较晚的一份（{}），本文件不计入统计',
                        d.year, d.n, d.keep_id),
                 '', 'cross' FROM _dup d""",
    )


def timeliness(con: duckdb.DuckDBPyConnection) -> None:
    _add(
        con,
        f"""SELECT report_id, agency_id, year, 'late_publication', 'warning',
                 format('{{}} 年度报告于 {{}} 发布，晚于法定期限 {{}}（条例第四十九条）{{}} 天',
                        year, strftime(publish_date, '%Y-%m-%d'), strftime(deadline, '%Y-%m-%d'), days_late),
                 'publish_date', 'cross'
                 FROM reports r WHERE days_late > 0 AND {_LIVE} AND {touched("r")}""",
    )


def continuity(con: duckdb.DuckDBPyConnection) -> None:
    for kind, cn in (("normative", "行政规范性文件"), ("regulations", "规章")):
        v, i, r = f"t2__{kind}_valid", f"t2__{kind}_issued", f"t2__{kind}_repealed"
        _add(
            con,
            f"""SELECT c.report_id, c.agency_id, c.year, 'continuity', 'warning',
                     format('{cn}：上年现行有效 {{}} 件 + 本年制发 {{}} 件 - 本年废止 {{}} 件 = {{}} 件，'
                            || '但本年现行有效印为 {{}} 件',
                            p.{v}::BIGINT, c.{i}::BIGINT, c.{r}::BIGINT, (p.{v} + c.{i} - c.{r})::BIGINT,
                            c.{v}::BIGINT),
                     't2.{kind}_valid,t2.{kind}_issued,t2.{kind}_repealed', 'cross'
                     FROM reports c JOIN reports p
                       ON p.agency_id = c.agency_id AND p.year = c.year - 1 AND NOT p.is_duplicate
                     WHERE NOT c.is_duplicate AND c.format_version = '2021' AND p.format_version = '2021'
                       AND p.{v} IS NOT NULL AND c.{i} IS NOT NULL AND c.{r} IS NOT NULL AND c.{v} IS NOT NULL
                       AND p.{v} + c.{i} - c.{r} <> c.{v} AND {touched("c")}""",
        )


def carry_over(con: duckdb.DuckDBPyConnection) -> None:
    _add(
        con,
        f"""SELECT c.report_id, c.agency_id, c.year, 'carry_over', 'warning',
                 format('表三：上年结转 {{}} 件，但上一年度报告的结转下年度为 {{}} 件',
                        c.t3__carried_over__total::BIGINT, p.t3__carried_forward__total::BIGINT),
                 't3.carried_over.total', 'cross'
                 FROM reports c JOIN reports p
                       ON p.agency_id = c.agency_id AND p.year = c.year - 1 AND NOT p.is_duplicate
                 WHERE NOT c.is_duplicate AND c.t3__carried_over__total IS NOT NULL
                   AND p.t3__carried_forward__total IS NOT NULL
                   AND c.t3__carried_over__total <> p.t3__carried_forward__total AND {touched("c")}""",
    )


def missing(con: duckdb.DuckDBPyConnection) -> None:
    """Registered agencies without a report for a year that has reports from others."""
    _add(
        con,
        f"""SELECT NULL, a.agency_id, y.year, 'missing_report', 'error',
                 format('{{}} 未发布（或未收集到）{{}} 年度报告', a.name, y.year), '', 'cross'
                 FROM agencies a CROSS JOIN (SELECT DISTINCT year FROM reports WHERE year IS NOT NULL) y
                 WHERE a.in_registry AND NOT EXISTS (
                   SELECT 1 FROM reports r WHERE r.agency_id = a.agency_id AND r.year = y.year AND {_LIVE})""",
    )


def sudden_changes(con: duckdb.DuckDBPyConnection) -> None:
    for col, cn in SUDDEN_METRICS.items():
        _add(
            con,
            f"""SELECT c.report_id, c.agency_id, c.year, 'sudden_change', 'info',
                     format('{cn}从上一年度的 {{}} 变为 {{}}（变化超过 {SUDDEN_FACTOR} 倍），请核实',
                            p.{col}::BIGINT, c.{col}::BIGINT),
                     '{col.replace("__", ".", 2)}', 'cross'
                     FROM reports c JOIN reports p
                       ON p.agency_id = c.agency_id AND p.year = c.year - 1 AND NOT p.is_duplicate
                     WHERE NOT c.is_duplicate AND p.{col} >= {SUDDEN_BASE} AND c.{col} IS NOT NULL
                       AND (c.{col} > {SUDDEN_FACTOR} * p.{col} OR c.{col} * {SUDDEN_FACTOR} < p.{col})
                       AND {touched("c")}""",
        )
