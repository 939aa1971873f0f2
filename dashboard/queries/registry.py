"""The query registry: every named query registers itself where it is defined (`@query`), with
typed parameters and the example arguments the benchmark and the speed guard run it with.
One scope helper (`in_scope`) says what "in scope" means for every query.

Queries are plain functions `(con, *typed params) -> polars.DataFrame`; values are bound as
parameters, never pasted into SQL. Nothing here imports Streamlit."""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from etl.registry.places import MUNICIPALITY_NAMES


@dataclass(frozen=True)
class Scope:
    """A region subtree and an agency kind: what a page or a briefing is about."""

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
            return "cty" if self.province not in MUNICIPALITY_NAMES else "cnty"
        return "prov"

    def name(self) -> str:
        return self.county or self.city or self.province or "全国"


def in_scope(alias: str = "a") -> str:
    """The one definition of "in scope": the agency's own place and kind (`alias` = agencies)."""
    return (
        f"($province IS NULL OR {alias}.province = $province) AND ($city IS NULL OR {alias}.city = $city)"
        f" AND ($county IS NULL OR {alias}.county = $county) AND ($kind IS NULL OR {alias}.kind = $kind)"
    )


# What people dismissed (the relation `dismissed`, dashboard.decisions), per report: the report's own
# errors and warnings a person found not to be problems, and whether its lateness was dismissed.
DISMISSED_BY_REPORT = """
  SELECT report_id, count(*) FILTER (WHERE scope = 'report' AND severity = 'error') AS errors,
         count(*) FILTER (WHERE scope = 'report' AND severity = 'warning') AS warnings,
         bool_or(rule = 'late_publication') AS late
  FROM dismissed WHERE report_id IS NOT NULL GROUP BY report_id
"""

# Reports that count (duplicates left out), with their agency's name, kind and place. n_errors and
# n_warnings count the report's own findings (never doubts about our reading) that a person has not
# dismissed; a report whose lateness a person dismissed counts as on time (days_late 0).
BASE = f"""
  SELECT r.* REPLACE (r.n_errors - coalesce(d.errors, 0) AS n_errors,
                      r.n_warnings - coalesce(d.warnings, 0) AS n_warnings,
                      CASE WHEN d.late THEN 0 ELSE r.days_late END AS days_late),
         a.name AS agency_name, a.kind, a.level,
         a.province AS prov, a.city AS cty, a.county AS cnty
  FROM reports r JOIN agencies a USING (agency_id)
  LEFT JOIN ({DISMISSED_BY_REPORT}) d USING (report_id)
  WHERE NOT r.is_duplicate
"""
LIVE = "f.finding_id NOT IN (SELECT finding_id FROM dismissed)"  # a finding (alias f) nobody dismissed
SCOPE = in_scope("r")  # over BASE, whose rows carry the agency's place as province/city/county and kind


@dataclass(frozen=True)
class Sample:
    """Arguments taken from the warehouse at hand, for running every query as a page would."""

    year: int
    country: Scope
    province: Scope
    agency_id: int
    report_id: str
    subregions: tuple[str, ...]
    years: tuple[int, ...] = ()


@dataclass(frozen=True)
class Query:
    name: str
    fn: Callable[..., pl.DataFrame]
    params: dict[str, object]  # parameter name -> type (after the connection)
    examples: Callable[[Sample], list[tuple]]

    def __call__(self, con, *args, **kwargs):
        return self.fn(con, *args, **kwargs)

    def check(self, args: tuple, kwargs: dict) -> None:
        """Refuse arguments of the wrong type before they reach SQL (a forged widget value)."""
        bound = inspect.signature(self.fn).bind(None, *args, **kwargs)
        for name, value in list(bound.arguments.items())[1:]:
            want = self.params.get(name)
            if want is None or value is None:
                continue
            origin = typing.get_origin(want) or want
            if origin in (typing.Union, types.UnionType):
                options = tuple(typing.get_origin(t) or t for t in typing.get_args(want) if t is not type(None))
            else:
                options = (origin,)
            if not isinstance(value, options):
                raise TypeError(f"{self.name}: {name} = {value!r} is not {want}")


QUERIES: dict[str, Query] = {}


def query(examples: Callable[[Sample], list[tuple]]):
    """Register a query function under its own name, with its typed parameters."""

    def register(fn: Callable[..., pl.DataFrame]) -> Callable[..., pl.DataFrame]:
        hints = typing.get_type_hints(fn, globalns={**fn.__globals__, "Scope": Scope})
        params = {n: hints.get(n) for n in list(inspect.signature(fn).parameters)[1:]}
        if fn.__name__ in QUERIES:
            raise ValueError(f"query {fn.__name__} registered twice")
        QUERIES[fn.__name__] = Query(fn.__name__, fn, params, examples)
        return fn

    return register


def registered(fn: Callable) -> Query:
    """The registry entry of a query function (refuses a function that is not a registered query)."""
    q = QUERIES.get(getattr(fn, "__name__", ""))
    if q is None or q.fn is not fn:
        raise KeyError(f"not a registered query: {fn!r}")
    return q
