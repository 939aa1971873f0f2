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


# Reports that count (duplicates left out), with their agency's name, kind and place.
BASE = """
  SELECT r.*, a.name AS agency_name, a.kind, a.level,
         a.province AS prov, a.city AS cty, a.county AS cnty
  FROM reports r JOIN agencies a USING (agency_id)
  WHERE NOT r.is_duplicate
"""
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
