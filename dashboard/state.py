"""The Streamlit side: the cached read-only connection, cached query results, the language, and
the filters that live in the URL.

The URL is the state. Every choice on a page is a query parameter; a widget is set from the URL
before it is drawn and writes its new value back to the URL when it changes, so a link
reproduces the view and a change made elsewhere (a click on the map, a drill-in from a table)
is never overwritten by a widget's stale value. A parameter the page cannot honour (a province
that is not in the database, an agency id that does not exist) is named in a message on the
page, never silently replaced. The sidebar's page links carry the global parameters (language,
year, region, kind), so moving between pages keeps them."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import duckdb
import streamlit as st

from dashboard import auth, decisions
from dashboard import queries as q
from dashboard.i18n import t
from etl.paths import DEFAULT_DB
from etl.registry.places import KINDS

GLOBAL_PARAMS = ("lang", "year", "province", "city", "county", "kind")
ALL = "__all__"  # the "every option" choice of a filter: not written to the URL


def db_path() -> Path:
    """`--db PATH` after `--` on the streamlit command line, else GOVDASH_DB, else the default."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--db")
    args, _ = parser.parse_known_args(sys.argv[1:])
    return Path(args.db or os.environ.get("GOVDASH_DB") or DEFAULT_DB)


def file_key(path: Path) -> tuple:
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
    """A cursor on the cached connection, with the live dismissed findings registered on it
    (dashboard.decisions: the relation `dismissed` every count leaves out)."""
    key = file_key(db_path())
    con = _connect(key)
    if con is None:
        return None
    cur = con.cursor()
    decisions.register(cur, key, db_path())
    return cur


def _data_key() -> tuple:
    """The database file and the dismissed findings: a cached result is kept while both are the same."""
    return (*file_key(db_path()), decisions.live_mark(db_path()))


def run(fn, *args, **kwargs):
    """A registered query (a function of dashboard.queries), its arguments checked against its
    typed parameters, the result cached per database file and arguments."""
    entry = q.registered(fn)
    entry.check(args, kwargs)
    auth.guard(fn, args, kwargs, _lookup)  # the account's scope, server-side: OutOfScope when outside
    return _cached(entry.name, _data_key(), args, tuple(sorted(kwargs.items())))


def _lookup(fn, *args):
    """A registered query run for the scope check itself (unguarded, cached like any other)."""
    return _cached(q.registered(fn).name, file_key(db_path()), args, ())


@st.cache_data(max_entries=512, show_spinner=False)
def _cached(name: str, key: tuple, args: tuple, kwargs: tuple):
    return q.QUERIES[name](connection(), *args, **dict(kwargs))


@st.cache_data(max_entries=8, show_spinner=False)
def _briefing(key: tuple, scope: q.Scope, year: int, fmt: str) -> bytes:
    from dashboard.briefing import build  # draws charts with Chromium: only when asked

    return build(connection(), scope, year, fmt)


def briefing(scope: q.Scope, year: int, fmt: str) -> bytes:
    """The printed briefing for this scope and year, cached per database file."""
    auth.guard(briefing_scope, (scope,), {}, _lookup)
    return _briefing(_data_key(), scope, year, fmt)


@st.cache_data(max_entries=32, show_spinner=False)
def _exported(key: tuple, kind: str, args: tuple) -> bytes:
    from dashboard import agency_export, followup

    if kind == "agency":
        return agency_export.workbook(connection(), *args)
    from dashboard import work

    return followup.workbook(connection(), *args[:2], followup.Review(work.store(), work.findings()))[0]


def briefing_scope(con, scope: q.Scope) -> None:
    """The signature the scope check of an export reads (exports bound like queries)."""


def agency_workbook(agency_id: int) -> bytes:
    auth.guard(agency_export_of, (agency_id,), {}, _lookup)
    return _exported(_data_key(), "agency", (agency_id,))


def agency_export_of(con, agency_id: int) -> None:
    """The signature the scope check of an agency's workbook reads."""


def followup_workbook(scope: q.Scope, year: int) -> bytes:
    """With each finding's current 状态, 说明, 期限: made again whenever a decision was stored."""
    from dashboard import work

    auth.guard(briefing_scope, (scope,), {}, _lookup)

    return _exported(_data_key(), "followup", (scope, year, work.stamp()))


# ---- the URL ------------------------------------------------------------------------------


def param(name: str) -> str | None:
    v = st.query_params.get(name)
    return v if v not in (None, "") else None


def params(name: str) -> list[str]:
    return [v for v in st.query_params.get_all(name) if v]


def set_param(name: str, value) -> None:
    """Write one parameter (None, '' or ALL removes it; a list writes it repeated)."""
    if value in (None, "", ALL) or (isinstance(value, list | tuple) and not value):
        if name in st.query_params:
            del st.query_params[name]
    elif isinstance(value, list | tuple):
        st.query_params[name] = [str(v) for v in value]
    else:
        st.query_params[name] = str(value)


def global_params() -> dict[str, str]:
    """The parameters every page shares: carried by the sidebar's page links."""
    return {k: st.query_params[k] for k in GLOBAL_PARAMS if k in st.query_params}


def bad_param(name: str, value: str, why: str) -> None:
    """Remember a parameter the page could not honour; header() shows it (named) on the page."""
    st.session_state.setdefault("_bad_params", []).append((name, value, why))
    if name in st.query_params and st.query_params.get(name) == value:
        del st.query_params[name]


def lang() -> str:
    return "en" if st.query_params.get("lang") == "en" else "zh"


def tr(zh: str, en: str) -> str:
    """The words in the language of the page."""
    return zh if lang() == "zh" else en


def _changed(name: str, key: str, clears: tuple[str, ...] = ()) -> None:
    set_param(name, st.session_state[key])
    for other in clears:
        set_param(other, None)


def bound_select(
    label: str, options: list, name: str, *, default=None, fmt=None, where=None, clears=(), help=None, why=None
):
    """A selectbox whose value is the URL parameter `name`. A value in the URL that is not an
    option is reported by bad_param (with `why`) and the default is shown instead."""
    where = where or st
    key = f"_p_{name}"
    want = param(name)
    by_text = {str(o): o for o in options}
    if want is not None and want not in by_text:
        bad_param(name, want, why or t("not_an_option", lang()))
        want = None
    st.session_state[key] = by_text[want] if want is not None else (default if default in options else options[0])
    return where.selectbox(
        label,
        options,
        key=key,
        placeholder=t("choose", lang()),
        format_func=fmt or str,
        on_change=_changed,
        args=(name, key, tuple(clears)),
        help=help,
    )


def bound_multiselect(label: str, options: list, name: str, *, default=(), fmt=None, where=None, max_selections=None):
    where = where or st
    key = f"_p_{name}"
    by_text = {str(o): o for o in options}
    asked = params(name) if name in st.query_params else None
    if asked is None:
        chosen = [o for o in default if o in options]
    else:
        chosen = [by_text[v] for v in asked if v in by_text]
        for v in asked:
            if v not in by_text:
                bad_param(name, v, t("not_an_option", lang()))
    st.session_state[key] = chosen
    return where.multiselect(
        label,
        options,
        key=key,
        format_func=fmt or str,
        on_change=_changed,
        args=(name, key),
        placeholder=t("choose", lang()),
        max_selections=max_selections,
    )


def bound_radio(label: str, options: list, name: str, *, default=None, fmt=None, where=None):
    where = where or st
    key = f"_p_{name}"
    want = param(name)
    by_text = {str(o): o for o in options}
    if want is not None and want not in by_text:
        bad_param(name, want, t("not_an_option", lang()))
        want = None
    st.session_state[key] = by_text[want] if want is not None else (default if default in options else options[0])
    return where.radio(
        label, options, key=key, format_func=fmt or str, horizontal=True, on_change=_changed, args=(name, key)
    )


def bound_int(name: str, default: int, lo: int, hi: int) -> int:
    """An integer parameter (a page number, a minimum count), clamped; a non-number is reported."""
    want = param(name)
    if want is None:
        return default
    if not want.isdigit():
        bad_param(name, want, t("not_a_number", lang()))
        return default
    return max(lo, min(hi, int(want)))


# ---- the sidebar ----------------------------------------------------------------------------


def _lang_changed() -> None:
    set_param("lang", "en" if st.session_state["_lang"] else None)


def sidebar() -> tuple[q.Scope, int | None]:
    """Language, year, region cascade and agency kind; every choice is in the URL."""
    L = lang()
    held = run(q.years)
    years = held["year"].to_list()
    collected = held.filter(held["collected"])["year"].to_list() or years
    with st.sidebar:
        st.session_state["_lang"] = L == "en"
        st.toggle("English", key="_lang", on_change=_lang_changed)
        year = None
        if years:
            want = param("year")
            if want is not None and (not want.isdigit() or int(want) not in years):
                st.session_state.setdefault("_bad_params", []).append(
                    ("year", want, t("no_year", L).format(asked=want, shown=collected[-1]))
                )
                del st.query_params["year"]
            year = bound_select(t("year", L), years, "year", default=collected[-1], help=t("year_help", L))
            if year not in collected:
                n = held.filter(held["year"] == year)["reports"][0]
                st.session_state["_year_note"] = t("thin_year", L).format(year=year, n=n, most=held["reports"].max())
        # the account's region bounds the cascade: a level it fixes offers only that region, and a
        # region of the link outside it is refused by name (auth.region: the whole country if public)
        mine = auth.region()
        outside = auth.w("scope_param", scope=auth.region_words(mine))
        provs = [mine.province] if mine.province else [ALL] + run(q.provinces)["name"].to_list()
        every = t("all_regions", L)
        prov = bound_select(
            t("province", L),
            provs,
            "province",
            fmt=lambda v: every if v == ALL else v,
            clears=("city", "county"),
            why=outside if mine.province else t("no_region", L),
        )
        city = county = None
        if prov != ALL:
            cities = [mine.city] if mine.city else [ALL] + run(q.cities, prov)["name"].to_list()
            if len(cities) > 1 or mine.city:
                city = bound_select(
                    t("city", L),
                    cities,
                    "city",
                    fmt=lambda v: t("all", L) if v == ALL else v,
                    clears=("county",),
                    why=outside if mine.city else t("no_region", L),
                )
            elif param("city"):
                bad_param("city", param("city"), outside if mine.province else t("no_region", L))
            if mine.county:
                counties = [mine.county]
            else:
                counties = [ALL] + run(q.counties, prov, None if city in (None, ALL) else city)["name"].to_list()
            if len(counties) > 1 or mine.county:
                county = bound_select(
                    t("county", L),
                    counties,
                    "county",
                    fmt=lambda v: t("all", L) if v == ALL else v,
                    why=outside if mine.county else None,
                )
            elif param("county"):
                bad_param("county", param("county"), t("no_region", L))
        else:
            for name in ("city", "county"):
                if param(name):
                    bad_param(name, param(name), t("needs_province", L))
        kinds = [ALL, *KINDS]
        kind = bound_select(
            t("kind", L), kinds, "kind", fmt=lambda k: t("all", L) if k == ALL else KINDS[k][0 if L == "zh" else 1]
        )
        status = run(q.status)
        if status.height and status["loaded_at"][0]:
            st.caption(f"{t('last_loaded', L)}：{status['loaded_at'][0]:%Y-%m-%d %H:%M}")

    def real(v):
        return None if v in (None, ALL) else v

    return q.Scope(real(prov), real(city), real(county), real(kind)), year


# ---- what every page shows first ----------------------------------------------------------


def notice() -> None:
    """The synthetic-data notice, on every page, whenever the database holds generated reports."""
    status = run(q.status)
    if status.height and status["demo"][0]:
        L = lang()
        st.warning(
            t("demo_notice", L).format(demo=status["demo"][0], real=status["real"][0]),
            icon=":material/warning:",
        )


def loading_note() -> None:
    """While `make demo` loads the rest of the demo corpus in the background, say so."""
    note = Path(str(db_path()) + ".loading.json")
    try:
        info = json.loads(note.read_text(encoding="utf-8"))
        os.kill(int(info["pid"]), 0)  # a note left by a background load that is no longer running is stale
    except (OSError, ValueError, KeyError, TypeError):
        return
    L = lang()
    st.info(t("loading_note", L).format(stage=info.get(f"stage_{L}", info.get("stage_zh", ""))), icon=":material/sync:")


def header(title: str) -> None:
    """Every page starts here: its title, any URL parameter it could not honour, the note of a
    load still running, then the synthetic-data notice when it applies."""
    st.title(title)
    L = lang()
    for name, value, why in st.session_state.pop("_bad_params", []):
        st.warning(t("bad_param", L).format(name=name, value=value, why=why), icon=":material/link_off:")
    if note := st.session_state.pop("_year_note", None):
        st.warning(note, icon=":material/event_busy:")
    loading_note()
    notice()


def collected_years() -> list[int]:
    """The years the warehouse really holds (see queries.years)."""
    held = run(q.years)
    return held.filter(held["collected"])["year"].to_list() or held["year"].to_list()


def flush_bad_params() -> None:
    """Messages about parameters found after the header was drawn."""
    L = lang()
    for name, value, why in st.session_state.pop("_bad_params", []):
        st.warning(t("bad_param", L).format(name=name, value=value, why=why), icon=":material/link_off:")


def empty(message_key: str) -> None:
    st.info(t(message_key, lang()))


# ---- the upload page ----------------------------------------------------------------------------


def allow_upload() -> bool:
    """The upload page for visitors without an account: `-- --allow-upload` or GOVREPORT_ALLOW_UPLOAD=1."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--allow-upload", action="store_true")
    args, _ = parser.parse_known_args(sys.argv[1:])
    return args.allow_upload or os.environ.get("GOVREPORT_ALLOW_UPLOAD", "") in ("1", "true", "yes")


def language_toggle() -> None:
    """The sidebar's English switch, for a page drawn without the sidebar's filters."""
    with st.sidebar:
        st.session_state["_lang"] = lang() == "en"
        st.toggle("English", key="_lang", on_change=_lang_changed)
