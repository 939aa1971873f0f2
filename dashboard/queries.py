"""Named, parameterised SQL over the warehouse. Every function takes a connection and plain
values, binds them as parameters (user input never becomes SQL text) and returns a Polars
frame. Nothing here imports Streamlit."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from dashboard.metrics import BY_KEY, COMPLIANCE_SQL
from etl.warehouse.frames import frame

# Reports that count (duplicates left out), with their agency's place and kind.
BASE = """
  SELECT r.*, a.name AS agency_name, a.kind, a.level,
         coalesce(a.province, r.province) AS prov, coalesce(a.city, r.city) AS cty,
         coalesce(a.county, r.county) AS cnty
  FROM reports r JOIN agencies a USING (agency_id)
  WHERE NOT r.is_duplicate
"""
SCOPE = """($province IS NULL OR prov = $province) AND ($city IS NULL OR cty = $city)
  AND ($county IS NULL OR cnty = $county) AND ($kind IS NULL OR kind = $kind)"""


@dataclass(frozen=True)
class Scope:
    province: str | None = None
    city: str | None = None
    county: str | None = None
    kind: str | None = None

    def params(self) -> dict:
        return {"province": self.province, "city": self.city, "county": self.county, "kind": self.kind}

    def sub_column(self) -> str:
        """The column that names the sub-regions of this scope."""
        if self.county:
            return "agency_name"
        if self.city:
            return "cnty"
        if self.province:
            return "cty" if self.province not in MUNICIPALITIES else "cnty"
        return "prov"

    def name(self) -> str:
        return self.county or self.city or self.province or "全国"


MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")


def _metric_sql(key: str) -> str:
    return BY_KEY[key].sql  # metric SQL is fixed text from dashboard.metrics, never user input


def years(con) -> pl.DataFrame:
    return frame(con, "SELECT DISTINCT year FROM reports WHERE year IS NOT NULL ORDER BY year")


def provinces(con) -> pl.DataFrame:
    return frame(con, f"SELECT DISTINCT prov AS name FROM ({BASE}) WHERE prov IS NOT NULL ORDER BY name")


def cities(con, province: str) -> pl.DataFrame:
    return frame(con, f"SELECT DISTINCT cty AS name FROM ({BASE}) WHERE prov = $p AND cty IS NOT NULL ORDER BY name",
                 {"p": province})


def counties(con, province: str, city: str | None) -> pl.DataFrame:
    return frame(con, f"""SELECT DISTINCT cnty AS name FROM ({BASE})
                          WHERE prov = $p AND ($c IS NULL OR cty = $c) AND cnty IS NOT NULL ORDER BY name""",
                 {"p": province, "c": city})


def status(con) -> pl.DataFrame:
    """Facts the notice bar needs: demo reports, real reports, last load."""
    return frame(con, """SELECT (SELECT count(*) FROM reports WHERE is_demo) AS demo,
                                (SELECT count(*) FROM reports WHERE NOT is_demo) AS real,
                                (SELECT max(finished_at) FROM load_runs) AS loaded_at""")


def kpis(con, scope: Scope, year: int, keys: tuple[str, ...]) -> pl.DataFrame:
    """One row per year (this year and the one before) with every metric in `keys`."""
    cols = ",\n".join(f"{_metric_sql(k)} AS {k}" for k in keys)
    return frame(con, f"""SELECT r.year, {cols} FROM ({BASE}) r
                          WHERE {SCOPE} AND r.year IN ($year, $year - 1) GROUP BY r.year ORDER BY r.year""",
                 {**scope.params(), "year": year})


def expected_reports(con, scope: Scope) -> int:
    """Registered agencies in scope: the reports a supervising office expects each year."""
    df = frame(con, """SELECT count(*) AS n FROM agencies a
                       WHERE a.in_registry AND ($province IS NULL OR a.province = $province)
                         AND ($city IS NULL OR a.city = $city) AND ($county IS NULL OR a.county = $county)
                         AND ($kind IS NULL OR a.kind = $kind)""", scope.params())
    return int(df["n"][0])


def metric_by_year(con, scope: Scope, key: str, split: str | None = None) -> pl.DataFrame:
    """A metric over the years, optionally split by sub-region ('region') or agency kind ('kind')."""
    by = {"region": scope.sub_column(), "kind": "kind"}.get(split or "", None)
    group = f", {by} AS part" if by else ", '全部' AS part"
    gb = ", part" if by else ", part"
    return frame(con, f"""SELECT r.year{group}, {_metric_sql(key)} AS value FROM ({BASE}) r
                          WHERE {SCOPE} AND r.year IS NOT NULL GROUP BY r.year{gb} ORDER BY r.year, part""",
                 scope.params())


def metric_by_subregion(con, scope: Scope, key: str, year: int) -> pl.DataFrame:
    sub = scope.sub_column()
    return frame(con, f"""SELECT {sub} AS name, {_metric_sql(key)} AS value, count(*) AS reports FROM ({BASE}) r
                          WHERE {SCOPE} AND r.year = $year AND {sub} IS NOT NULL
                          GROUP BY {sub} ORDER BY value DESC NULLS LAST""", {**scope.params(), "year": year})


def region_codes(con, names: list[str]) -> pl.DataFrame:
    return frame(con, "SELECT code, name, level, parent_code FROM regions WHERE list_contains($n, name)",
                 {"n": names})


def normative_pairs(con, scope: Scope) -> pl.DataFrame:
    return frame(con, f"""SELECT r.year, sum(t2__normative_issued) AS issued, sum(t2__normative_repealed) AS repealed,
                                 sum(t2__normative_valid) AS valid
                          FROM ({BASE}) r WHERE {SCOPE} AND r.year IS NOT NULL GROUP BY r.year ORDER BY r.year""",
                 scope.params())


def applicants(con, scope: Scope, year: int) -> pl.DataFrame:
    cols = ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org")
    sel = ", ".join(f"sum(t3__new_received__{c}) AS {c}" for c in cols)
    return frame(con, f"SELECT {sel} FROM ({BASE}) r WHERE {SCOPE} AND r.year = $year", {**scope.params(), "year": year})


OUTCOME_ROWS = ("granted", "partially_granted", "denied_state_secret", "denied_law_prohibited", "denied_three_safety",
                "denied_third_party", "denied_internal_affairs", "denied_process_info", "denied_enforcement_file",
                "denied_query_matter", "unable_not_held", "unable_needs_creation", "unable_unclear",
                "rejected_complaint", "rejected_duplicate", "rejected_publication", "rejected_excessive",
                "rejected_confirmation", "other_no_correction", "other_no_fee", "other_other")


def outcomes(con, scope: Scope, year: int) -> pl.DataFrame:
    sel = ", ".join(f"sum(t3__{k}__total) AS {k}" for k in OUTCOME_ROWS)
    return frame(con, f"SELECT {sel}, sum(t3__total_processed__total) AS total_processed FROM ({BASE}) r "
                      f"WHERE {SCOPE} AND r.year = $year", {**scope.params(), "year": year})


def t4_by_year(con, scope: Scope) -> pl.DataFrame:
    groups = ("review", "lit_direct", "lit_after_review")
    sel = ", ".join(f"sum(t4__{g}_{s}) AS {g}_{s}" for g in groups for s in ("upheld", "corrected", "other", "pending",
                                                                             "total"))
    return frame(con, f"SELECT r.year, {sel} FROM ({BASE}) r WHERE {SCOPE} AND r.year IS NOT NULL "
                      f"GROUP BY r.year ORDER BY r.year", scope.params())


def coverage(con, scope: Scope, limit: int = 400) -> pl.DataFrame:
    """Agency x year: 按时 / 逾期 / 有错误 / 未发布, for registered agencies and any that filed."""
    return frame(con, """
      WITH ag AS (
        SELECT a.agency_id, a.name, a.kind, coalesce(a.province, '') AS prov, a.city AS cty, a.county AS cnty
        FROM agencies a
        WHERE ($province IS NULL OR a.province = $province) AND ($city IS NULL OR a.city = $city)
          AND ($county IS NULL OR a.county = $county) AND ($kind IS NULL OR a.kind = $kind)
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
      ORDER BY ag.name, y.year""", {**scope.params(), "limit": limit})


def not_filed(con, scope: Scope, year: int) -> pl.DataFrame:
    return frame(con, """SELECT a.name, a.kind, a.province, a.city, a.county FROM agencies a
                         WHERE a.in_registry AND ($province IS NULL OR a.province = $province)
                           AND ($city IS NULL OR a.city = $city) AND ($county IS NULL OR a.county = $county)
                           AND ($kind IS NULL OR a.kind = $kind)
                           AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.agency_id = a.agency_id AND r.year = $year
                                           AND NOT r.is_duplicate)
                         ORDER BY a.province, a.city, a.county, a.name""", {**scope.params(), "year": year})


def findings(con, scope: Scope, year: int | None, rules: list[str] | None = None,
             severities: list[str] | None = None, limit: int = 2000) -> pl.DataFrame:
    return frame(con, """
      SELECT a.name AS agency, f.year, f.rule, f.severity, f.message, f.cells, f.report_id, a.kind,
             a.province, a.city, a.county
      FROM findings f JOIN agencies a USING (agency_id)
      WHERE ($year IS NULL OR f.year = $year)
        AND ($province IS NULL OR a.province = $province) AND ($city IS NULL OR a.city = $city)
        AND ($county IS NULL OR a.county = $county) AND ($kind IS NULL OR a.kind = $kind)
        AND ($rules IS NULL OR list_contains($rules, f.rule))
        AND ($sev IS NULL OR list_contains($sev, f.severity))
      ORDER BY CASE f.severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, a.name, f.rule
      LIMIT $limit""", {**scope.params(), "year": year, "rules": rules or None, "sev": severities or None,
                        "limit": limit})


def finding_counts(con, scope: Scope, year: int | None) -> pl.DataFrame:
    return frame(con, """SELECT f.rule, f.severity, count(*) AS n FROM findings f JOIN agencies a USING (agency_id)
                         WHERE ($year IS NULL OR f.year = $year)
                           AND ($province IS NULL OR a.province = $province) AND ($city IS NULL OR a.city = $city)
                           AND ($county IS NULL OR a.county = $county) AND ($kind IS NULL OR a.kind = $kind)
                         GROUP BY ALL ORDER BY n DESC""", {**scope.params(), "year": year})


def compliance_scores(con, scope: Scope, year: int, limit: int = 500) -> pl.DataFrame:
    return frame(con, f"""
      SELECT a.name AS agency, a.kind, a.province, a.city, a.county, $year AS year,
             r.days_late, r.n_errors, r.n_warnings, {COMPLIANCE_SQL} AS score
      FROM agencies a
      LEFT JOIN reports r ON r.agency_id = a.agency_id AND r.year = $year AND NOT r.is_duplicate
      WHERE (a.in_registry OR r.report_id IS NOT NULL)
        AND ($province IS NULL OR a.province = $province) AND ($city IS NULL OR a.city = $city)
        AND ($county IS NULL OR a.county = $county) AND ($kind IS NULL OR a.kind = $kind)
      ORDER BY score, a.name LIMIT $limit""", {**scope.params(), "year": year, "limit": limit})


def search_agencies(con, text: str, limit: int = 50) -> pl.DataFrame:
    return frame(con, """SELECT agency_id, name, kind, province, city, county, match_status FROM agencies
                         WHERE contains(name, $t) OR contains(coalesce(aliases, ''), $t)
                         ORDER BY length(name), name LIMIT $limit""", {"t": text, "limit": limit})


def agency(con, agency_id: int) -> pl.DataFrame:
    return frame(con, "SELECT * FROM agencies WHERE agency_id = $id", {"id": agency_id})


def agency_reports(con, agency_id: int) -> pl.DataFrame:
    return frame(con, """SELECT * FROM reports WHERE agency_id = $id ORDER BY year, is_duplicate""", {"id": agency_id})


def agency_findings(con, agency_id: int) -> pl.DataFrame:
    return frame(con, """SELECT year, rule, severity, message, cells, report_id FROM findings
                         WHERE agency_id = $id ORDER BY year DESC, severity, rule""", {"id": agency_id})


def report_cells(con, report_id: str) -> pl.DataFrame:
    return frame(con, "SELECT field, value, raw, loc FROM cells WHERE report_id = $id", {"id": report_id})


def report_text(con, report_id: str) -> str:
    df = frame(con, "SELECT text FROM report_texts WHERE report_id = $id", {"id": report_id})
    return df["text"][0] if df.height else ""


def peers(con, agency_id: int, year: int, key: str) -> pl.DataFrame:
    """The metric for every agency of the same kind and level that year, and this agency's place."""
    return frame(con, f"""
      WITH me AS (SELECT kind, level FROM agencies WHERE agency_id = $id),
      vals AS (SELECT r.agency_id, {_metric_sql(key)} AS value FROM ({BASE}) r, me
               WHERE r.year = $year AND r.kind = me.kind AND r.level = me.level GROUP BY r.agency_id)
      SELECT count(*) AS peers, median(value) AS median,
             (SELECT value FROM vals WHERE agency_id = $id) AS mine,
             avg(CASE WHEN value <= (SELECT value FROM vals WHERE agency_id = $id) THEN 1.0 ELSE 0 END) AS percentile
      FROM vals WHERE value IS NOT NULL""", {"id": agency_id, "year": year})


def load_runs(con) -> pl.DataFrame:
    return frame(con, "SELECT * FROM load_runs ORDER BY run_id DESC")


def rejected(con, limit: int = 1000) -> pl.DataFrame:
    return frame(con, """SELECT path, status, reason, size FROM sources WHERE status IN ('rejected', 'duplicate')
                         ORDER BY status, path LIMIT $limit""", {"limit": limit})


def unmatched(con) -> pl.DataFrame:
    return frame(con, """SELECT a.name, a.province, a.city, a.county, count(r.report_id) AS reports
                         FROM agencies a LEFT JOIN reports r USING (agency_id) WHERE a.match_status = '未匹配'
                         GROUP BY ALL ORDER BY a.name""")


def formats_by_year(con) -> pl.DataFrame:
    return frame(con, """SELECT year, format_version, count(*) AS reports FROM reports WHERE year IS NOT NULL
                         GROUP BY ALL ORDER BY year, format_version""")


def source_counts(con) -> pl.DataFrame:
    return frame(con, "SELECT status, count(*) AS files FROM sources GROUP BY status ORDER BY files DESC")


def agency_list(con) -> pl.DataFrame:
    return frame(con, """SELECT agency_id, name, coalesce(county, city, province, '') AS place FROM agencies
                         ORDER BY name""")


# --- for the printed briefing ------------------------------------------------------------------

def place_matches(con, name: str) -> pl.DataFrame:
    """Every (province, city, county) where `name` is the province, city or county: resolves a
    scope typed on the command line ("江西省", "赣州市", "章贡区")."""
    return frame(con, """SELECT DISTINCT province, CASE WHEN $n IN (city, county) THEN city END AS city,
                                CASE WHEN county = $n THEN county END AS county
                         FROM agencies WHERE $n IN (province, city, county)""", {"n": name})


def outcome_groups_by_year(con, scope: Scope) -> pl.DataFrame:
    """Table 3's outcomes in their seven groups, per year."""
    def group(prefix: str) -> str:
        return " + ".join(f"coalesce(r.t3__{k}__total, 0)" for k in OUTCOME_ROWS if k.startswith(prefix))
    return frame(con, f"""SELECT r.year, sum(r.t3__new_received__total) AS received,
                                 sum(r.t3__granted__total) AS granted, sum(r.t3__partially_granted__total) AS partial,
                                 sum({group('denied_')}) AS denied, sum({group('unable_')}) AS unable,
                                 sum({group('rejected_')}) AS not_processed, sum({group('other_')}) AS other
                          FROM ({BASE}) r WHERE {SCOPE} AND r.year IS NOT NULL GROUP BY r.year ORDER BY r.year""",
                 scope.params())


def late_reports(con, scope: Scope, year: int, limit: int = 10) -> pl.DataFrame:
    return frame(con, f"""SELECT agency_name AS agency, publish_date, deadline, days_late FROM ({BASE}) r
                          WHERE {SCOPE} AND r.year = $year AND r.days_late > 0
                          ORDER BY days_late DESC, agency LIMIT $limit""",
                 {**scope.params(), "year": year, "limit": limit})


def error_reports(con, scope: Scope, year: int, limit: int = 10) -> pl.DataFrame:
    """Reports whose tables do not add up, worst first, with the rules they broke."""
    return frame(con, f"""SELECT r.agency_name AS agency, r.n_errors,
                                 (SELECT string_agg(DISTINCT f.rule, '、' ORDER BY f.rule) FROM findings f
                                  WHERE f.report_id = r.report_id AND f.severity = 'error') AS rules
                          FROM ({BASE}) r WHERE {SCOPE} AND r.year = $year AND r.n_errors > 0
                          ORDER BY r.n_errors DESC, agency LIMIT $limit""",
                 {**scope.params(), "year": year, "limit": limit})


def scope_counts(con, scope: Scope, year: int) -> pl.DataFrame:
    """One row: the counts the briefing's compliance section and summary state."""
    return frame(con, f"""
      SELECT count(*) AS reports,
             count(*) FILTER (WHERE days_late > 0) AS late,
             count(*) FILTER (WHERE days_late IS NULL) AS date_unknown,
             count(*) FILTER (WHERE n_errors > 0) AS inconsistent,
             count(*) FILTER (WHERE EXISTS (SELECT 1 FROM findings f WHERE f.report_id = r.report_id
                                            AND f.rule = 'copied_report')) AS copied,
             count(*) FILTER (WHERE is_demo) AS demo
      FROM ({BASE}) r WHERE {SCOPE} AND r.year = $year""", {**scope.params(), "year": year})


def copied_reports(con, scope: Scope, year: int, limit: int = 10) -> pl.DataFrame:
    return frame(con, f"""SELECT r.agency_name AS agency, f.message FROM ({BASE}) r JOIN findings f USING (report_id)
                          WHERE {SCOPE} AND r.year = $year AND f.rule = 'copied_report'
                          ORDER BY agency LIMIT $limit""", {**scope.params(), "year": year, "limit": limit})


def format_mix(con, scope: Scope, year: int) -> pl.DataFrame:
    return frame(con, f"""SELECT format_version, fmt, count(*) AS reports FROM ({BASE}) r
                          WHERE {SCOPE} AND r.year = $year GROUP BY ALL ORDER BY reports DESC""",
                 {**scope.params(), "year": year})
