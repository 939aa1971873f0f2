"""Query results as Polars frames, straight from DuckDB's Arrow output."""

from __future__ import annotations

import duckdb
import polars as pl


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: list | dict | None = None) -> pl.DataFrame:
    """Run a parameterised query and return its result as a Polars frame (values are bound,
    never pasted into the SQL text)."""
    rel = con.sql(sql, params=params or None)
    if rel is None:
        return pl.DataFrame()
    return pl.from_arrow(rel.to_arrow_table())
