"""Checks across reports, run in the warehouse after every load (rules with scope 'cross'):
duplicates, timeliness, continuity of normative documents, carry-over of applications,
missing reports, copied reports and sudden changes."""

from __future__ import annotations

import re

import duckdb

from etl.registry.rules import RULES

COPY_THRESHOLD = 0.9  # evaluators have found reports copied up to 90% from the year before
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


def run_all(con: duckdb.DuckDBPyConnection, has_registry: bool) -> None:
    """Every cross-report rule of the registry, in its order (missing reports need a registry)."""
    con.execute("DELETE FROM findings WHERE scope = 'cross'")
    for rule in RULES:
        if rule.scope != "cross" or (rule.id == "missing_report" and not has_registry):
            continue
        rule.implementation()(con)


def _add(con: duckdb.DuckDBPyConnection, select_sql: str, params: list | None = None) -> None:
    con.execute(f"INSERT INTO findings {select_sql}", params or [])


def duplicates(con: duckdb.DuckDBPyConnection) -> None:
    """Two files for one agency and year: keep the later publication, record both."""
    con.execute("UPDATE reports SET is_duplicate = false")
    con.execute(
        "UPDATE sources SET status = 'loaded', reason = NULL WHERE status = 'duplicate' AND reason LIKE '同一机关%'"
    )
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _dup AS
        SELECT report_id, agency_id, year, n, keep_id, keep_date FROM (
          SELECT report_id, agency_id, year,
                 count(*) OVER w AS n,
                 first_value(report_id) OVER w AS keep_id,
                 first_value(publish_date) OVER w AS keep_date,
                 row_number() OVER w AS rn
          FROM reports WHERE year IS NOT NULL
          WINDOW w AS (PARTITION BY agency_id, year ORDER BY publish_date DESC NULLS LAST, source_path DESC
                       ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
        ) WHERE n > 1 AND rn > 1""")
    con.execute("UPDATE reports SET is_duplicate = true WHERE report_id IN (SELECT report_id FROM _dup)")
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
                 FROM reports WHERE days_late > 0 AND {_LIVE}""",
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
                       AND p.{v} + c.{i} - c.{r} <> c.{v}""",
        )


def carry_over(con: duckdb.DuckDBPyConnection) -> None:
    _add(
        con,
        """SELECT c.report_id, c.agency_id, c.year, 'carry_over', 'warning',
                 format('表三：上年结转 {} 件，但上一年度报告的结转下年度为 {} 件',
                        c.t3__carried_over__total::BIGINT, p.t3__carried_forward__total::BIGINT),
                 't3.carried_over.total', 'cross'
                 FROM reports c JOIN reports p
                       ON p.agency_id = c.agency_id AND p.year = c.year - 1 AND NOT p.is_duplicate
                 WHERE NOT c.is_duplicate AND c.t3__carried_over__total IS NOT NULL
                   AND p.t3__carried_forward__total IS NOT NULL
                   AND c.t3__carried_over__total <> p.t3__carried_forward__total""",
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
                       AND (c.{col} > {SUDDEN_FACTOR} * p.{col} OR c.{col} * {SUDDEN_FACTOR} < p.{col})""",
        )


_NOISE = re.compile(r"[\d\s，。、；：:,.;()（）“”《》\-—/|]+")


def shingles(text: str, k: int = 6) -> set[int]:
    s = _NOISE.sub("", text)
    return {hash(s[i : i + k]) for i in range(max(0, len(s) - k + 1))}


def similarity(this_year: str, last_year: str) -> float:
    """Share of this year's prose (6-character pieces, digits ignored) found in last year's."""
    a, b = shingles(this_year), shingles(last_year)
    return len(a & b) / len(a) if a else 0.0


def copied(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute("""SELECT c.report_id, c.agency_id, c.year, tc.prose, tp.prose
                          FROM reports c JOIN reports p ON p.agency_id = c.agency_id AND p.year = c.year - 1
                            AND NOT p.is_duplicate
                          JOIN report_texts tc ON tc.report_id = c.report_id
                          JOIN report_texts tp ON tp.report_id = p.report_id
                          WHERE NOT c.is_duplicate AND length(tc.prose) >= 300""").fetchall()
    hits = []
    for rid, aid, year, this, last in rows:
        sim = similarity(this, last)
        if sim >= COPY_THRESHOLD:
            hits.append(
                (
                    rid,
                    aid,
                    year,
                    "copied_report",
                    "warning",
                    f"正文与上一年度报告 {sim:.0%} 相同（超过 {COPY_THRESHOLD:.0%}），疑似照抄上年报告",
                    "",
                    "cross",
                )
            )
    if hits:
        con.executemany("INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, ?)", hits)
