"""Side by side: one metric over the years for two or more regions, or for two or more agencies,
each value with its coverage (reports with a value / reports)."""

from __future__ import annotations

import polars as pl

from dashboard.metrics import BY_KEY
from dashboard.queries.registry import BASE, query
from etl.warehouse.frames import frame

PATH = "concat_ws('/', r.prov, r.cty, r.cnty)"


def _agg(key: str) -> str:
    """value, covered, reports, and for a rate its base: the denominator summed (cases decided,
    dated reports …), which says how much a rate of a small region rests on."""
    m = BY_KEY[key]  # fixed text from dashboard.metrics, never user input
    base = f"sum({m.den}) FILTER (WHERE {m.has})" if m.den else "NULL"
    return f"{m.sql} AS value, {m.covered_sql} AS covered, count(*) AS reports, {base} AS base"


@query(
    examples=lambda s: [
        ("on_time_rate", list(s.subregions[:3]), None),
        ("correction_rate", list(s.subregions[:2]), "department"),
    ]
)
def compare_regions(con, key: str, paths: list, kind: str | None = None) -> pl.DataFrame:
    """`paths` are places written 省, 省/市 or 省/市/县 (a region and everything under it):
    path, year, value, covered, reports."""
    return frame(
        con,
        f"""SELECT p.path, r.year, {_agg(key)}
            FROM (SELECT unnest($paths) AS path) p JOIN ({BASE}) r
              ON {PATH} = p.path OR starts_with({PATH}, p.path || '/')
            WHERE r.year IS NOT NULL AND ($kind IS NULL OR r.kind = $kind)
            GROUP BY p.path, r.year ORDER BY p.path, r.year""",
        {"paths": list(paths), "kind": kind},
    )


@query(examples=lambda s: [("applications", [s.agency_id]), ("substantive_rate", [s.agency_id])])
def compare_agencies(con, key: str, ids: list) -> pl.DataFrame:
    """agency_id, name, year, value, covered (1 when the report has a value), reports."""
    return frame(
        con,
        f"""SELECT r.agency_id, any_value(r.agency_name) AS name, r.year, {_agg(key)}
            FROM ({BASE}) r WHERE list_contains($ids, r.agency_id) AND r.year IS NOT NULL
            GROUP BY r.agency_id, r.year ORDER BY name, r.year""",
        {"ids": [int(i) for i in ids]},
    )


@query(examples=lambda s: [(s.province.province or "",), ("",)])
def region_paths(con, under: str) -> pl.DataFrame:
    """Every region that has reports, as a path (省, 省/市, 省/市/县), with its level, under a path
    ('' = the whole country): what the comparison offers to pick from."""
    return frame(
        con,
        f"""WITH places AS (SELECT DISTINCT r.prov, r.cty, r.cnty FROM ({BASE}) r WHERE r.prov IS NOT NULL)
            SELECT DISTINCT path, level FROM (
              SELECT prov AS path, 1 AS level FROM places
              UNION ALL SELECT concat_ws('/', prov, cty), 2 FROM places WHERE cty IS NOT NULL
              UNION ALL SELECT concat_ws('/', prov, cty, cnty), 3 FROM places WHERE cnty IS NOT NULL)
            WHERE $under = '' OR path = $under OR starts_with(path, $under || '/')
            ORDER BY level, path""",
        {"under": under},
    )
