"""The report figures in a scope: metrics by year and sub-region, tables 2, 3 and 4 summed."""

from __future__ import annotations

import polars as pl

from dashboard.metrics import BY_KEY, CARD_METRICS
from dashboard.queries.registry import BASE, SCOPE, Scope, in_scope, query
from etl.registry.fields import APPLICANT_COLUMNS, T3_OUTCOME_ROWS, T4_GROUPS, T4_SUFFIXES
from etl.warehouse.frames import frame

OUTCOME_ROWS = T3_OUTCOME_ROWS


def _metric_sql(key: str) -> str:
    return BY_KEY[key].sql  # metric SQL is fixed text from dashboard.metrics, never user input


APPLICATION_KPIS = ("applications", "processed", "substantive_rate", "not_held_rate", "carried_forward")


@query(
    examples=lambda s: [
        (sc, s.year, keys)
        for sc in (s.country, s.province)
        for keys in (CARD_METRICS, APPLICATION_KPIS, ("correction_rate",))
    ]
)
def kpis(con, scope: Scope, year: int, keys: tuple) -> pl.DataFrame:
    """One row per year (this year and the one before) with every metric in `keys`."""
    cols = ",\n".join(f"{_metric_sql(k)} AS {k}" for k in keys)
    return frame(
        con,
        f"""SELECT r.year, {cols} FROM ({BASE}) r
                          WHERE {SCOPE} AND r.year IN ($year, $year - 1) GROUP BY r.year ORDER BY r.year""",
        {**scope.params(), "year": year},
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
        )
    ]
)
def metric_by_year(con, scope: Scope, key: str, split: str | None = None) -> pl.DataFrame:
    """A metric over the years, optionally split by sub-region ('region') or agency kind ('kind')."""
    by = {"region": scope.sub_column(), "kind": "kind"}.get(split or "", None)
    group = f", {by} AS part" if by else ", '全部' AS part"
    return frame(
        con,
        f"""SELECT r.year{group}, {_metric_sql(key)} AS value FROM ({BASE}) r
                          WHERE {SCOPE} AND r.year IS NOT NULL GROUP BY r.year, part ORDER BY r.year, part""",
        scope.params(),
    )


@query(
    examples=lambda s: [(sc, key, s.year) for sc in (s.country, s.province) for key in ("on_time_rate", "applications")]
)
def metric_by_subregion(con, scope: Scope, key: str, year: int) -> pl.DataFrame:
    sub = scope.sub_column()
    return frame(
        con,
        f"""SELECT {sub} AS name, {_metric_sql(key)} AS value, count(*) AS reports FROM ({BASE}) r
                          WHERE {SCOPE} AND r.year = $year AND {sub} IS NOT NULL
                          GROUP BY {sub} ORDER BY value DESC NULLS LAST""",
        {**scope.params(), "year": year},
    )


@query(examples=lambda s: [(s.country,), (s.province,)])
def normative_pairs(con, scope: Scope) -> pl.DataFrame:
    return frame(
        con,
        f"""SELECT r.year, sum(t2__normative_issued) AS issued, sum(t2__normative_repealed) AS repealed,
                                 sum(t2__normative_valid) AS valid
                          FROM ({BASE}) r WHERE {SCOPE} AND r.year IS NOT NULL GROUP BY r.year ORDER BY r.year""",
        scope.params(),
    )


@query(examples=lambda s: [(s.country, s.year), (s.province, s.year)])
def applicants(con, scope: Scope, year: int) -> pl.DataFrame:
    sel = ", ".join(f"sum(t3__new_received__{c}) AS {c}" for c in APPLICANT_COLUMNS)
    return frame(
        con,
        f"SELECT {sel} FROM ({BASE}) r WHERE {SCOPE} AND r.year = $year",
        {**scope.params(), "year": year},
    )


@query(examples=lambda s: [(s.country, s.year), (s.province, s.year)])
def outcomes(con, scope: Scope, year: int) -> pl.DataFrame:
    sel = ", ".join(f"sum(t3__{k}__total) AS {k}" for k in OUTCOME_ROWS)
    return frame(
        con,
        f"SELECT {sel}, sum(t3__total_processed__total) AS total_processed FROM ({BASE}) r "
        f"WHERE {SCOPE} AND r.year = $year",
        {**scope.params(), "year": year},
    )


@query(examples=lambda s: [(s.country,), (s.province,)])
def t4_by_year(con, scope: Scope) -> pl.DataFrame:
    sel = ", ".join(f"sum(t4__{g}_{s}) AS {g}_{s}" for g in T4_GROUPS for s in T4_SUFFIXES)
    return frame(
        con,
        f"SELECT r.year, {sel} FROM ({BASE}) r WHERE {SCOPE} AND r.year IS NOT NULL GROUP BY r.year ORDER BY r.year",
        scope.params(),
    )


@query(examples=lambda s: [(s.country,), (s.province,)])
def outcome_groups_by_year(con, scope: Scope) -> pl.DataFrame:
    """Table 3's outcomes in their seven groups, per year."""

    def group(prefix: str) -> str:
        return " + ".join(f"coalesce(r.t3__{k}__total, 0)" for k in OUTCOME_ROWS if k.startswith(prefix))

    return frame(
        con,
        f"""SELECT r.year, sum(r.t3__new_received__total) AS received,
                                 sum(r.t3__granted__total) AS granted, sum(r.t3__partially_granted__total) AS partial,
                                 sum({group("denied_")}) AS denied, sum({group("unable_")}) AS unable,
                                 sum({group("rejected_")}) AS not_processed, sum({group("other_")}) AS other
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
