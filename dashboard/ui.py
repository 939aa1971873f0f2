"""What the pages draw with Streamlit beyond a chart: tables with headers in words, metric cards
with their coverage and their year-on-year change over a panel, coverage notes, downloads and
links to an agency's record."""

from __future__ import annotations

from urllib.parse import quote

import polars as pl
import streamlit as st

from dashboard.i18n import col, t
from dashboard.metrics import BY_KEY, LOW_COVERAGE, coverage_words, fmt, formula, label, low
from dashboard.state import global_params, lang, tr

NULL_SHOWN = "—"


def agency_links(df: pl.DataFrame, id_col: str = "agency_id", name_col: str = "agency") -> pl.DataFrame:
    """Adds `agency_link`: a link to the agency's record that keeps the language and the year.
    Shown as the agency's name (LinkColumn's display_text takes it from the link's #fragment)."""
    keep = "".join(f"&{k}={quote(v)}" for k, v in global_params().items() if k in ("lang", "year"))
    return df.with_columns(
        pl.format("agency?agency={}{}#{}", pl.col(id_col), pl.lit(keep), pl.col(name_col)).alias("agency_link")
    )


def table(
    df: pl.DataFrame,
    columns: list[str] | dict[str, str],
    *,
    key: str | None = None,
    height: int | str = "auto",
    percent: tuple[str, ...] = (),
    on_select=None,
    selection_mode=None,
    narrow: tuple[str, ...] = (),
):
    """A table with headers in words: `columns` lists column names known to dashboard.i18n, or maps
    a column to its header. NULL shows as "—", never as None; rates as percentages (the column
    holds the rate times 100); dates as dates."""
    L = lang()
    names = columns if isinstance(columns, dict) else {c: col(c, L) for c in columns}
    config = {}
    shown = df.select(list(names))
    for c, header in names.items():
        dtype = shown.schema[c]
        if c == "agency_link":
            config[c] = st.column_config.LinkColumn(header, display_text=r"#(.*)$")
        elif c in percent:  # shown as 12.3%: the rate times 100 with one decimal
            shown = shown.with_columns(pl.col(c) * 100)
            config[c] = st.column_config.NumberColumn(header, format="%.1f%%")
        elif dtype in (pl.Date, pl.Datetime) or isinstance(dtype, pl.Datetime):
            config[c] = st.column_config.DateColumn(header, format="YYYY-MM-DD")
        elif dtype.is_numeric() and c != "year":
            config[c] = st.column_config.NumberColumn(header, format="localized")
        else:
            config[c] = st.column_config.Column(header, width="small" if c in narrow else None)
    kwargs = {}
    if on_select is not None:
        kwargs = dict(on_select=on_select, selection_mode=selection_mode or "single-row")
    return st.dataframe(
        shown,
        hide_index=True,
        column_config=config,
        column_order=list(names),
        placeholder=NULL_SHOWN,
        height=height,
        key=key,
        **kwargs,
    )


def download(df: pl.DataFrame, filename: str, key: str, chart: bool = False, where=None) -> None:
    where = where or st
    where.download_button(
        t("download_chart" if chart else "download_csv", lang()),
        df.write_csv(),
        filename,
        "text/csv",
        key=key,
        icon=":material/download:",
    )


def coverage_note(covered: int | None, reports: int | None, where=None, compact: bool = False) -> None:
    """One line under an aggregate: how many reports it covers; a warning when too few do
    (`compact`: an orange line instead of a box, for narrow columns)."""
    where = where or st
    L = lang()
    words = coverage_words(covered, reports, L)
    if not low(covered, reports):
        where.caption(words)
    elif compact:
        where.caption(f":orange[{words}{tr('：覆盖不足，仅供参考', ': too few to rely on')}]")
    else:
        where.warning(t("low_coverage", L).format(share=covered / reports, limit=LOW_COVERAGE) + " " + words)


def low_years_note(df: pl.DataFrame, where=None) -> None:
    """Under a chart over the years: the years (and parts) whose coverage is below the threshold;
    when there are many, how many and where to see them."""
    if "covered" not in df.columns or df.height == 0:
        return
    where = where or st
    L = lang()
    bad = df.filter((pl.col("reports") > 0) & (pl.col("covered") / pl.col("reports") < LOW_COVERAGE))
    if bad.height == 0:
        return
    if bad.height > 8:
        where.warning(
            tr(
                f"有 {bad.height} 个数据点的覆盖率低于 {LOW_COVERAGE:.0%}（有此项数字的报告太少），"
                "图中以空心点或提示标出，明细见数据表。",
                f"{bad.height} points rest on fewer than {LOW_COVERAGE:.0%} of their reports (hollow points or "
                "hover); the table has them.",
            )
        )
        return
    items = [
        f"{r['year']}{'' if r.get('part') in (None, '全部') else ' ' + str(r['part'])}"
        f"（{r['covered'] / r['reports']:.0%}）"
        for r in bad.iter_rows(named=True)
    ]
    where.warning(t("low_years", L).format(limit=LOW_COVERAGE, years="、".join(items)))


def change_words(key: str, row: dict) -> tuple[str | None, str]:
    """The year-on-year change over the panel (agencies with a value in both years) and the words
    that say what it is computed from, with the raw totals of both years beside it."""
    m = BY_KEY[key]
    L = lang()
    now, before = row.get("panel_value"), row.get("panel_previous")
    n = row["panel_agencies"]
    raw = tr(
        f"上年 {fmt(row.get('previous'), m.unit)}（{row['prev_covered']:,} 份报告有数）",
        f"last year {fmt(row.get('previous'), m.unit)} ({row['prev_covered']:,} reports with a value)",
    )
    if key == "reports":
        prev = row.get("previous")
        if row.get("value") is None or prev is None:
            return None, raw
        return f"{row['value'] - prev:+,.0f}", raw
    if now is None or before is None or n == 0:
        return None, raw + tr("；两年均有数的机关不足，不作同比", "; too few agencies with both years to compare")
    if m.is_rate:
        delta = f"{(now - before) * 100:+.1f} " + tr("个百分点", "pt")
    elif before == 0:
        delta = None if now == 0 else tr("上年为 0", "was 0")
    else:
        delta = f"{(now - before) / before * 100:+.1f}%"
    basis = tr(f"同比按两年均有数的 {n:,} 个机关计", f"change over the {n:,} agencies with both years")
    return delta, f"{basis}；{raw}" if L == "zh" else f"{basis}; {raw}"


def card(where, key: str, row: dict, value_text: str | None = None) -> None:
    """A metric card: the value, its change over the panel, and below it the coverage."""
    m = BY_KEY[key]
    L = lang()
    delta, basis = change_words(key, row)
    flat = delta is not None and delta.lstrip("+-").startswith(("0.0 ", "0.0%"))  # no change: no arrow, no colour
    where.metric(
        label(m, L),
        value_text or fmt(row.get("value"), m.unit),
        delta.lstrip("+-") if flat else delta,
        help=f"{formula(m, L)}\n\n{basis}",
        delta_color="off" if flat or m.higher_is_better is None else ("normal" if m.higher_is_better else "inverse"),
        delta_arrow="off" if flat else "auto",
    )
    cov = coverage_words(row.get("covered"), row.get("reports"), L)
    if low(row.get("covered"), row.get("reports")):
        where.caption(f":orange[{cov}]")
    else:
        where.caption(cov)
    where.caption(basis)


def thin_years_note(df: pl.DataFrame, where=None) -> None:
    """Under a chart over the years: the years the warehouse holds only a few reports of (see
    queries.years), whose numbers cannot be set beside the others'."""
    from dashboard import queries as q
    from dashboard.state import run

    held = run(q.years)
    thin = held.filter(~pl.col("collected") & pl.col("year").is_in(df["year"].unique().to_list()))
    if thin.height:
        (where or st).caption(
            tr(
                "库中报告很少的年度（不到报告最多年度的一半，不可与其他年度直接比较）："
                + "、".join(f"{r['year']}（{r['reports']:,} 份）" for r in thin.iter_rows(named=True)),
                "Years with few reports in the database (under half of the fullest year; not comparable): "
                + ", ".join(f"{r['year']} ({r['reports']:,})" for r in thin.iter_rows(named=True)),
            )
        )


def place_names(df: pl.DataFrame, column: str, scope, alias: str | None = None) -> pl.DataFrame:
    """Sub-region names in words: the NULL name is the scope's own level (a province's own
    departments) or, nationally, agencies whose place was not recognised."""
    label = t("unplaced" if scope.province is None else "own_level", lang())
    return df.with_columns(pl.col(column).fill_null(label).alias(alias or column))


def scope_label(scope) -> str:
    """The scope's name in the page's language (a place keeps its Chinese name)."""
    name = scope.name()
    kind = ""
    if scope.kind:
        from etl.registry.places import kind_words

        kind = f"（{kind_words(scope.kind, lang())}）" if lang() == "zh" else f" ({kind_words(scope.kind, lang())})"
    return (t("nation", lang()) if name == "全国" else name) + kind


def page_title(page_key: str, scope=None, year: int | None = None) -> str:
    """'总览 · 江西省 · 2024 年度': the page, the region and the year it shows."""
    parts = [t(page_key, lang())]
    if scope is not None:
        parts.append(scope_label(scope))
    if year is not None:
        parts.append(tr(f"{year} 年度", f"{year}"))
    return " · ".join(parts)
