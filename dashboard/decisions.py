"""The findings people have dismissed (已排除), for every count the dashboard shows: compliance
scores, the 督办清单, the briefing's compliance section and every "reports with errors" figure
count only report-origin findings that a person has not dismissed (doubts about our own reading
never count at all: the loader's n_errors/n_warnings leave them out).

The ids come from the review store (etl.review.queries.dismissed_ids), read at most every
TTL_SECONDS and at once after `clear()` (the review pages call it after an action). They are
registered on each read-only DuckDB connection as the relation `dismissed` (finding_id,
report_id, scope, severity, rule: the warehouse's rows of those findings), which shadows the
warehouse's own `dismissed` table — the ids recorded at the last load — so the registered queries
(dashboard.queries) read one relation whether or not a store is at hand. Without a store that can
be read, the load's record stands."""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from collections.abc import Iterable
from pathlib import Path

import duckdb
import pyarrow as pa
import streamlit as st

from etl.errors import EtlError
from etl.warehouse.load import DISMISSED_SQL

TTL_SECONDS = 5  # how stale a count may be after another process (or person) dismissed a finding


def review_url() -> str | None:
    """`--review-db URL` after `--` on the streamlit command line, else None (then the store's
    own rule: GOVREPORT_REVIEW_DB, else the SQLite file beside the warehouse)."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--review-db")
    args, _ = parser.parse_known_args(sys.argv[1:])
    return args.review_db


_STORES: dict[tuple[str, str | None], object] = {}  # open stores of this process (opening migrates: slow)


def read_ids(warehouse: str | Path, url: str | None = None) -> frozenset[str] | None:
    """The dismissed ids in the review store of this warehouse; None when no store can be read
    (nothing is created for a warehouse that does not exist)."""
    from sqlalchemy.engine import make_url

    from etl.review.queries import dismissed_ids
    from etl.review.store import locate, open_store

    loc = locate(warehouse, url)
    if loc.kind == "sqlite" and not Path(make_url(loc.url).database).exists():
        return frozenset()  # no store yet: nobody has dismissed anything (and none is made here)
    key = (str(warehouse), url or os.environ.get("GOVREPORT_REVIEW_DB"))
    try:
        store = _STORES.get(key)
        if store is None:
            store = _STORES[key] = open_store(warehouse, url)
        return dismissed_ids(store)
    except EtlError:
        return None


def relation(con: duckdb.DuckDBPyConnection, ids: Iterable[str]) -> pa.Table:
    """The warehouse's rows of these findings (report origin only), as the `dismissed` relation."""
    con.register("_dismissed_ids", pa.table({"finding_id": pa.array(sorted(set(ids)), pa.string())}))
    try:
        return con.sql(DISMISSED_SQL.format(ids="_dismissed_ids")).to_arrow_table()
    finally:
        con.unregister("_dismissed_ids")


def attach(con: duckdb.DuckDBPyConnection, ids: Iterable[str] | None) -> duckdb.DuckDBPyConnection:
    """Register the live dismissed findings on `con` (None: keep the warehouse's record)."""
    if ids is not None:
        try:
            con.register("dismissed", relation(con, ids))
        except duckdb.Error:  # a warehouse older than schema version 3 (version.compatibility says so)
            pass
    return con


def fingerprint(ids: frozenset[str] | None) -> str:
    """Changes whenever the set changes: part of every cached result's key."""
    if ids is None:
        return "warehouse"
    return hashlib.sha1("\n".join(sorted(ids)).encode()).hexdigest()[:16]


# ---- in the dashboard: cached, cleared after an action ------------------------------------------


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def _ids(warehouse: str, url: str | None) -> tuple[frozenset[str] | None, str]:
    ids = read_ids(warehouse, url)
    return ids, fingerprint(ids)


def live_ids(warehouse: Path) -> frozenset[str] | None:
    """The dismissed ids as the pages count them now (None: the warehouse's record of the last load)."""
    return _ids(str(warehouse), review_url())[0]


def live_mark(warehouse: Path) -> str:
    """The fingerprint of live_ids, without hashing them again."""
    return _ids(str(warehouse), review_url())[1]


def clear() -> None:
    """After a review action: the next query reads the store again (no TTL wait)."""
    _ids.clear()
    _relation.clear()


@st.cache_resource(max_entries=4, show_spinner=False)
def _relation(file_key: tuple, print_: str, _con: duckdb.DuckDBPyConnection, _ids: frozenset[str]) -> pa.Table:
    return relation(_con, _ids)


def register(con: duckdb.DuckDBPyConnection, file_key: tuple, warehouse: Path) -> str:
    """Register the live set on a dashboard cursor; returns its fingerprint."""
    ids, mark = _ids(str(warehouse), review_url())
    if ids is not None:
        try:
            con.register("dismissed", _relation(file_key, mark, con, ids))
        except duckdb.Error:  # a warehouse older than schema version 3: the page says so (version.compatibility)
            return "warehouse"
    return mark
