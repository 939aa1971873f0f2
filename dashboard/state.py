"""The Streamlit side: the cached read-only connection, cached query results, the filters
that live in the URL, and the language switch."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import duckdb
import streamlit as st

from dashboard import queries as q
from dashboard.i18n import t
from etl.paths import DEFAULT_DB
from etl.registry.places import KINDS


def db_path() -> Path:
    """`--db PATH` after `--` on the streamlit command line, else GOVDASH_DB, else the default."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--db")
    args, _ = parser.parse_known_args(sys.argv[1:])
    return Path(args.db or os.environ.get("GOVDASH_DB") or DEFAULT_DB)


def _file_key(path: Path) -> tuple:
    """Changes when a load replaces the file, so a new connection is opened on the new file."""
    try:
        st_ = path.stat()
        return (str(path), st_.st_ino, st_.st_mtime_ns)
    except OSError:
        return (str(path), None, None)


@st.cache_resource(max_entries=2)
def _connect(key: tuple) -> duckdb.DuckDBPyConnection | None:
    path = Path(key[0])
    if key[1] is None:
        return None
    return duckdb.connect(str(path), read_only=True)


def connection() -> duckdb.DuckDBPyConnection | None:
    con = _connect(_file_key(db_path()))
    return con.cursor() if con is not None else None


def run(fn, *args, **kwargs):
    """A registered query (a function of dashboard.queries), its arguments checked against its
    typed parameters, the result cached per database file and arguments."""
    entry = q.registered(fn)
    entry.check(args, kwargs)
    return _cached(entry.name, _file_key(db_path()), args, tuple(sorted(kwargs.items())))


@st.cache_data(max_entries=512, show_spinner=False)
def _cached(name: str, key: tuple, args: tuple, kwargs: tuple):
    return q.QUERIES[name](connection(), *args, **dict(kwargs))


@st.cache_data(max_entries=8, show_spinner=False)
def _briefing(key: tuple, scope: q.Scope, year: int, fmt: str) -> bytes:
    from dashboard.briefing import build  # draws charts with Chromium: only when asked

    return build(connection(), scope, year, fmt)


def briefing(scope: q.Scope, year: int, fmt: str) -> bytes:
    """The printed briefing for this scope and year, cached per database file."""
    return _briefing(_file_key(db_path()), scope, year, fmt)


@st.cache_data(max_entries=32, show_spinner=False)
def _exported(key: tuple, kind: str, args: tuple) -> bytes:
    from dashboard import agency_export, followup

    if kind == "agency":
        return agency_export.workbook(connection(), *args)
    return followup.workbook(connection(), *args)[0]


def agency_workbook(agency_id: int) -> bytes:
    return _exported(_file_key(db_path()), "agency", (agency_id,))


def followup_workbook(scope: q.Scope, year: int) -> bytes:
    return _exported(_file_key(db_path()), "followup", (scope, year))


# ---- filters in the URL -------------------------------------------------------------------


def param(name: str) -> str | None:
    v = st.query_params.get(name)
    return v if v not in (None, "", "全部", "全国") else None


def set_param(name: str, value) -> None:
    if value in (None, "", "全部", "全国"):
        if name in st.query_params:
            del st.query_params[name]
    else:
        st.query_params[name] = str(value)


def lang() -> str:
    return "en" if st.query_params.get("lang") == "en" else "zh"


def sidebar() -> tuple[q.Scope, int | None]:
    """Year, region cascade and agency kind; every choice is written to the URL."""
    L = lang()
    years = run(q.years)["year"].to_list()
    with st.sidebar:
        st.toggle(
            "English",
            value=L == "en",
            key="_lang",
            on_change=lambda: set_param("lang", "en" if st.session_state["_lang"] else None),
        )
        year = None
        if years:
            want = param("year")
            default = int(want) if want and want.isdigit() and int(want) in years else years[-1]
            if want and want.isdigit() and int(want) not in years:
                st.info(t("no_year", L).format(asked=want, shown=default))
            year = st.selectbox(t("year", L), years, index=years.index(default), key="year_box")
            set_param("year", year)
        provs = ["全国"] + run(q.provinces)["name"].to_list()
        prov = _choice(t("province", L), provs, "province")
        city = county = None
        if prov:
            cities = ["全部"] + run(q.cities, prov)["name"].to_list()
            city = _choice(t("city", L), cities, "city") if len(cities) > 1 else None
            counties = ["全部"] + run(q.counties, prov, city)["name"].to_list()
            county = _choice(t("county", L), counties, "county") if len(counties) > 1 else None
        else:
            set_param("city", None)
            set_param("county", None)
        kinds = ["全部"] + list(KINDS)
        kind = _choice(t("kind", L), kinds, "kind", fmt=lambda k: k if k == "全部" else KINDS[k][0 if L == "zh" else 1])
        status = run(q.status)
        if status.height:
            loaded = status["loaded_at"][0]
            st.caption(f"{t('last_loaded', L)}：{loaded:%Y-%m-%d %H:%M}" if loaded else "")
    return q.Scope(prov, city, county, kind), year


def _choice(label: str, options: list[str], name: str, fmt=None):
    want = st.query_params.get(name)
    index = options.index(want) if want in options else 0
    value = st.selectbox(label, options, index=index, key=f"{name}_box", format_func=fmt or str)
    set_param(name, value)
    return None if value in ("全国", "全部") else value


def notice() -> None:
    """The synthetic-data notice, on every page, whenever the database holds generated reports."""
    status = run(q.status)
    if status.height and status["demo"][0]:
        L = lang()
        st.warning(
            t("demo_notice", L).format(demo=status["demo"][0], real=status["real"][0]),
            icon=":material/warning:",
        )


def header(title: str) -> None:
    """Every page starts here: its title, then the synthetic-data notice when it applies."""
    st.title(title)
    notice()


def empty(message_key: str) -> None:
    st.info(t(message_key, lang()))
