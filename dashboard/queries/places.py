"""The sidebar's choices and the warehouse's status: years, regions, the last load."""

from __future__ import annotations

import polars as pl

from dashboard.queries.registry import BASE, query
from etl.warehouse.frames import frame

COLLECTED_SHARE = 0.5  # a year is "collected" when it holds at least half as many reports as the fullest year


@query(examples=lambda s: [()])
def years(con) -> pl.DataFrame:
    """Every year with reports: year, reports, and `collected` — whether the warehouse holds a
    real share of that year's reports (at least half as many as its fullest year). A year with a
    handful of stray files is not a year in which every registered agency failed to publish."""
    return frame(
        con,
        f"""SELECT year, count(*) AS reports,
                   count(*) >= {COLLECTED_SHARE} * max(count(*)) OVER () AS collected
            FROM reports WHERE year IS NOT NULL AND NOT is_duplicate GROUP BY year ORDER BY year""",
    )


@query(examples=lambda s: [()])
def provinces(con) -> pl.DataFrame:
    return frame(con, f"SELECT DISTINCT prov AS name FROM ({BASE}) WHERE prov IS NOT NULL ORDER BY name")


@query(examples=lambda s: [(s.province.province,)])
def cities(con, province: str) -> pl.DataFrame:
    return frame(
        con,
        f"SELECT DISTINCT cty AS name FROM ({BASE}) WHERE prov = $p AND cty IS NOT NULL ORDER BY name",
        {"p": province},
    )


@query(examples=lambda s: [(s.province.province, None)])
def counties(con, province: str, city: str | None) -> pl.DataFrame:
    return frame(
        con,
        f"""SELECT DISTINCT cnty AS name FROM ({BASE})
                          WHERE prov = $p AND ($c IS NULL OR cty = $c) AND cnty IS NOT NULL ORDER BY name""",
        {"p": province, "c": city},
    )


@query(examples=lambda s: [()])
def status(con) -> pl.DataFrame:
    """Facts the notice bar needs: demo reports, real reports, last load."""
    return frame(
        con,
        """SELECT (SELECT count(*) FROM reports WHERE is_demo) AS demo,
                                (SELECT count(*) FROM reports WHERE NOT is_demo) AS real,
                                (SELECT max(finished_at) FROM load_runs) AS loaded_at""",
    )


@query(examples=lambda s: [(list(s.subregions),)])
def region_codes(con, names: list) -> pl.DataFrame:
    return frame(con, "SELECT code, name, level, parent_code FROM regions WHERE list_contains($n, name)", {"n": names})


@query(examples=lambda s: [(s.province.province,)])
def place_matches(con, name: str) -> pl.DataFrame:
    """Every (province, city, county) where `name` is the province, city or county: resolves a
    scope typed on the command line ("江西省", "赣州市", "章贡区")."""
    return frame(
        con,
        """SELECT DISTINCT province, CASE WHEN $n IN (city, county) THEN city END AS city,
                                CASE WHEN county = $n THEN county END AS county
                         FROM agencies WHERE $n IN (province, city, county)""",
        {"n": name},
    )
