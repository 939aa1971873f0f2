"""The report figures in a scope: metrics by year and sub-region, tables 2, 3 and 4 summed.

Every aggregate comes with its coverage: `covered` (reports with a value) and `reports` (reports
in scope). A NULL is left out of a sum, never counted as 0 (dashboard.metrics)."""

from __future__ import annotations

import polars as pl

from dashboard.metrics import BY_KEY, CARD_METRICS
from dashboard.queries.registry import BASE, SCOPE, Scope, in_scope, query
from etl.registry.fields import APPLICANT_COLUMNS, T3_OUTCOME_ROWS, T4_GROUPS, T4_SUFFIXES
from etl.warehouse.frames import frame

OUTCOME_ROWS = T3_OUTCOME_ROWS
APPLICATION_KPIS = ("applications", "processed", "substantive_rate", "not_held_rate", "carried_forward")
REVIEW_KPIS = ("reviews", "lawsuits", "correction_rate", "review_correction_rate", "litigation_correction_rate")


def _m(key: str):
    return BY_KEY[key]  # metric SQL is fixed text from dashboard.metrics, never user input


def _agg(key: str) -> str:
    m = _m(key)
    return f"{m.sql} AS value, {m.covered_sql} AS covered, count(*) AS reports"


@query(
    examples=lambda s: [
        (sc, s.year, keys) for sc in (s.country, s.province) for keys in (CARD_METRICS, APPLICATION_KPIS, REVIEW_KPIS)
    ]
)
def kpis(con, scope: Scope, year: int, keys: tuple) -> pl.DataFrame:
    """One row per metric: this year's value with its coverage, last year's, and the change over
    a panel — the agencies that have a value in both years — with the panel's two values.

    Columns: key, value, covered, reports, previous, prev_covered, prev_reports, panel_value,
    panel_previous, panel_agencies."""
    per_row = ", ".join(f"({_m(k).has}) AS h_{k}, ({_m(k).num}) AS n_{k}, ({_m(k).den or '1'}) AS d_{k}" for k in keys)

    def agg(k: str, side: str = "", also: str = "") -> str:
        num = f"sum({side}n_{k}) FILTER (WHERE {side}h_{k}{also})"
        if _m(k).den is None:
            return num
        den = f"sum({side}d_{k}) FILTER (WHERE {side}h_{k}{also})"
        return f"CASE WHEN {den} > 0 THEN {num} * 1.0 / {den} END"

    by_year = ", ".join(f"{agg(k)} AS {k}__value, count(*) FILTER (WHERE h_{k}) AS {k}__covered" for k in keys)
    pairs = ", ".join(  # an agency's report of this year (a) beside its report of last year (b)
        f"{agg(k, 'a.', f' AND b.h_{k}')} AS {k}__panel_value, {agg(k, 'b.', f' AND a.h_{k}')} AS {k}__panel_previous, "
        f"count(*) FILTER (WHERE a.h_{k} AND b.h_{k}) AS {k}__panel_agencies"
        for k in keys
    )
    params = {**scope.params(), "year": year}
    rows = f"""WITH rows AS MATERIALIZED (SELECT r.agency_id, r.year, {per_row} FROM ({BASE}) r
                                         WHERE {SCOPE} AND r.year IN ($year, $year - 1))"""
    years = {
        r["year"]: r
        for r in frame(
            con, f"{rows} SELECT year, count(*) AS reports, {by_year} FROM rows GROUP BY year", params
        ).iter_rows(named=True)
    }
    panel = frame(
        con,
        f"{rows} SELECT {pairs} FROM rows a JOIN rows b ON a.agency_id = b.agency_id AND a.year = $year "
        "AND b.year = $year - 1",
        params,
    ).row(0, named=True)
    now, before = years.get(year, {}), years.get(year - 1, {})
    return pl.DataFrame(
        [
            {
                "key": k,
                "value": now.get(f"{k}__value"),
                "covered": now.get(f"{k}__covered", 0),  # no report that year: 0 reports have the value
                "reports": now.get("reports", 0),
                "previous": before.get(f"{k}__value"),
                "prev_covered": before.get(f"{k}__covered", 0),
                "prev_reports": before.get("reports", 0),
                "panel_value": panel[f"{k}__panel_value"],
                "panel_previous": panel[f"{k}__panel_previous"],
                "panel_agencies": panel[f"{k}__panel_agencies"],
            }
            for k in keys
        ],
        schema={
            "key": pl.Utf8,
            "value": pl.Float64,
            "covered": pl.Int64,
            "reports": pl.Int64,
            "previous": pl.Float64,
            "prev_covered": pl.Int64,
            "prev_reports": pl.Int64,
            "panel_value": pl.Float64,
            "panel_previous": pl.Float64,
            "panel_agencies": pl.Int64,
        },
    )


@query(examples=lambda s: [(s.country,), (s.province,)])
def expected_reports(con, scope: Scope) -> int:
    """Registered agencies in scope: the reports a supervising office expects each year."""
    df = frame(con, f"SELECT count(*) AS n FROM agencies a WHERE a.in_registry AND {in_scope('a')}", scope.params())
    return int(df["n"][0])


@query(
    examples=lambda s: [
        (sc, key, split)
        for sc in (s.country, s.province)
        for key, split in (
            ("applications", None),
            ("applications", "region"),
            ("on_time_rate", "region"),
            ("correction_rate", "region"),
            ("policy_interpretations", "kind"),
        )
    ]
)
def metric_by_year(con, scope: Scope, key: str, split: str | None = None) -> pl.DataFrame:
    """A metric over the years, optionally split by sub-region ('region') or agency kind ('kind'):
    year, part, value, covered, reports."""
    by = {"region": scope.sub_column(), "kind": "kind"}.get(split or "", None)
    group = f", {by} AS part" if by else ", '全部' AS part"
    return frame(
        con,
        f"""SELECT r.year{group}, {_agg(key)} FROM ({BASE}) r
                          WHERE {SCOPE} AND r.year IS NOT NULL GROUP BY r.year, part ORDER BY r.year, part""",
        scope.params(),
    )


@query(
    examples=lambda s: [(sc, key, s.year) for sc in (s.country, s.province) for key in ("on_time_rate", "applications")]
)
def metric_by_subregion(con, scope: Scope, key: str, year: int) -> pl.DataFrame:
    """name, value, covered, reports for each sub-region of the scope. The row whose name is NULL
    holds the agencies of the scope's own level (a province's own departments) or, nationally,
    agencies whose place was not recognised."""
    sub = scope.sub_column()
    return frame(
        con,
        f"""SELECT {sub} AS name, {_agg(key)} FROM ({BASE}) r
                          WHERE {SCOPE} AND r.year = $year
                          GROUP BY {sub} ORDER BY value DESC NULLS LAST, name NULLS LAST""",
        {**scope.params(), "year": year},
    )


@query(examples=lambda s: [(s.country,), (s.province,)])
def normative_pairs(con, scope: Scope) -> pl.DataFrame:
    """Per year: issued, repealed, valid, each summed over the reports that printed it, with
    how many did (issued_n, repealed_n, valid_n) and the reports in scope."""
    cols = ("issued", "repealed", "valid")
    sel = ", ".join(f"sum(t2__normative_{c}) AS {c}, count(t2__normative_{c}) AS {c}_n" for c in cols)
    return frame(
        con,
        f"""SELECT r.year, {sel}, count(*) AS reports
                          FROM ({BASE}) r WHERE {SCOPE} AND r.year IS NOT NULL GROUP BY r.year ORDER BY r.year""",
        scope.params(),
    )


def _long(con, scope: Scope, year: int, cols: dict[str, str], key: str) -> pl.DataFrame:
    """One scan: each column summed over the reports that print it, then one row per column:
    `key`, value, covered, reports."""
    sel = ", ".join(f"sum({c}) AS v{i}, count({c}) AS c{i}" for i, c in enumerate(cols.values()))
    row = frame(
        con,
        f"SELECT {sel}, count(*) AS n FROM ({BASE}) r WHERE {SCOPE} AND r.year = $year",
        {**scope.params(), "year": year},
    ).row(0, named=True)
    return pl.DataFrame(
        {
            key: list(cols),
            "value": [row[f"v{i}"] for i in range(len(cols))],
            "covered": [row[f"c{i}"] for i in range(len(cols))],
            "reports": [row["n"]] * len(cols),
        },
        schema={key: pl.Utf8, "value": pl.Float64, "covered": pl.Int64, "reports": pl.Int64},
    )


@query(examples=lambda s: [(s.country, s.year), (s.province, s.year)])
def applicants(con, scope: Scope, year: int) -> pl.DataFrame:
    """One row per applicant type: applications summed over the reports that printed the cell."""
    return _long(con, scope, year, {c: f"t3__new_received__{c}" for c in APPLICANT_COLUMNS}, "col")


@query(examples=lambda s: [(s.country, s.year), (s.province, s.year)])
def outcomes(con, scope: Scope, year: int) -> pl.DataFrame:
    """One row per outcome row of table 3 (its total column), with coverage."""
    return _long(con, scope, year, {k: f"t3__{k}__total" for k in OUTCOME_ROWS}, "row")


@query(examples=lambda s: [(s.country,), (s.province,)])
def t4_by_year(con, scope: Scope) -> pl.DataFrame:
    """Per year, every cell of table 4 summed over the reports that printed the whole table,
    with `covered` (those reports) and `reports` in scope."""
    cols = [f"t4__{g}_{s}" for g in T4_GROUPS for s in T4_SUFFIXES]
    full = " AND ".join(f"r.{c} IS NOT NULL" for c in cols)
    sel = ", ".join(f"sum(r.{c}) FILTER (WHERE {full}) AS {c[4:]}" for c in cols)
    return frame(
        con,
        f"""SELECT r.year, {sel}, count(*) FILTER (WHERE {full}) AS covered, count(*) AS reports
            FROM ({BASE}) r WHERE {SCOPE} AND r.year IS NOT NULL GROUP BY r.year ORDER BY r.year""",
        scope.params(),
    )


def _group(prefix: str) -> str:
    """One report's outcomes of a group (denied_, unable_, …) added up; NULL when one is blank.
    The 2019 format prints （六）其他处理 as one row, stored in other_other."""
    rows = [k for k in OUTCOME_ROWS if k.startswith(prefix)]
    total = " + ".join(f"r.t3__{k}__total" for k in rows)
    if prefix == "other_":
        return f"CASE WHEN r.format_version = '2019' THEN r.t3__other_other__total ELSE {total} END"
    return total


GROUPS = ("granted", "partial", "denied", "unable", "not_processed", "other")


@query(examples=lambda s: [(s.country,), (s.province,)])
def outcome_groups_by_year(con, scope: Scope) -> pl.DataFrame:
    """Table 3's outcomes in their groups, per year, over the reports that printed every group
    (`covered`), with the applications those reports received and the reports in scope."""
    exprs = {
        "received": "r.t3__new_received__total",
        "granted": "r.t3__granted__total",
        "partial": "r.t3__partially_granted__total",
        "denied": _group("denied_"),
        "unable": _group("unable_"),
        "not_processed": _group("rejected_"),
        "other": _group("other_"),
    }
    full = " AND ".join(f"({e}) IS NOT NULL" for e in exprs.values())
    sel = ", ".join(f"sum({e}) FILTER (WHERE {full}) AS {k}" for k, e in exprs.items())
    return frame(
        con,
        f"""SELECT r.year, {sel}, count(*) FILTER (WHERE {full}) AS covered, count(*) AS reports
            FROM ({BASE}) r WHERE {SCOPE} AND r.year IS NOT NULL GROUP BY r.year ORDER BY r.year""",
        scope.params(),
    )


@query(examples=lambda s: [(s.country, s.year), (s.province, s.year)])
def format_mix(con, scope: Scope, year: int) -> pl.DataFrame:
    return frame(
        con,
        f"""SELECT format_version, fmt, count(*) AS reports FROM ({BASE}) r
                          WHERE {SCOPE} AND r.year = $year GROUP BY ALL ORDER BY reports DESC""",
        {**scope.params(), "year": year},
    )
