"""趋势: any metric over the years, split by sub-region or agency kind, with its coverage; normative
documents issued and repealed."""

import polars as pl
import streamlit as st

from dashboard import charts
from dashboard import queries as q
from dashboard.i18n import t, unit
from dashboard.metrics import BY_KEY, LOW_COVERAGE, METRICS, formula, label
from dashboard.state import bound_multiselect, bound_radio, bound_select, empty, flush_bad_params, header, lang, run, tr
from dashboard.ui import download, low_years_note, page_title, place_names, scope_label, table, thin_years_note
from etl.registry.places import KINDS

L = lang()
scope = st.session_state["scope"]
header(page_title("trends", scope))
c1, c2 = st.columns([1, 2])
key = bound_select(
    t("metric", L),
    [m.key for m in METRICS],
    "metric",
    default="applications",
    fmt=lambda k: label(BY_KEY[k], L),
    where=c1,
)
splits = {
    "none": tr("不分组", "No split"),
    "region": tr("按下级地区", "By sub-region"),
    "kind": tr("按机关类别", "By kind"),
}
split = bound_radio(t("split", L), list(splits), "split", fmt=splits.get, where=c2)
m = BY_KEY[key]
pct = m.is_rate
df = run(q.metric_by_year, scope, key, None if split == "none" else split)
if df.height == 0:
    empty("no_scope")
    st.stop()
if split == "kind":
    df = df.with_columns(pl.col("part").map_elements(lambda k: KINDS[k][0 if L == "zh" else 1], return_dtype=pl.Utf8))
elif split == "region":
    df = place_names(df, "part", scope)
else:
    df = df.with_columns(pl.lit(scope_label(scope)).alias("part"))

parts = df["part"].unique(maintain_order=True).to_list()
drawn = df
if len(parts) > charts.MAX_LINES:
    year = st.session_state["year"]
    last = df.filter(pl.col("year") == year).drop_nulls("value").sort("value", descending=True)
    names = last["part"].to_list()
    default = names[:4] + names[-4:] if pct else names[: charts.MAX_LINES]
    chosen = bound_multiselect(
        tr("图中显示的分组", "Groups drawn"),
        sorted(parts),
        "show",
        default=list(dict.fromkeys(default)),
        max_selections=charts.MAX_LINES,
    )
    drawn = df.filter(pl.col("part").is_in(chosen))
    st.caption(
        tr(
            f"共 {len(parts)} 个分组，线条太多无法分辨，图中只画所选的（最多 {charts.MAX_LINES} 个；默认为 {year} 年度"
            + ("最高和最低的各 4 个" if pct else "最大的几个")
            + "）。全部分组见下方热力图和数据表。",
            f"{len(parts)} groups are too many lines to tell apart: the chart draws the ones chosen (at most "
            f"{charts.MAX_LINES}; by default the "
            + ("4 highest and 4 lowest" if pct else "largest")
            + f" in {year}). Every group is in the heatmap and the table below.",
        )
    )
flush_bad_params()
if drawn.height == 0:
    st.info(tr("请在上面选择要画的分组。", "Choose the groups to draw above."))
title = f"{label(m, L)} · {scope_label(scope)} · " + tr("历年", "by year")
st.plotly_chart(
    charts.lines(drawn, title, unit(m.unit, L), pct, LOW_COVERAGE, tr("有数字的报告", "reports with a value")),
    width="stretch",
    key="trends_chart1",
)
st.caption(tr("口径：", "Definition: ") + formula(m, L))
low_years_note(df)
thin_years_note(df)
if split == "region" and len(parts) > 1:
    st.plotly_chart(
        charts.heatmap(df, f"{label(m, L)}：" + tr("地区 × 年度", "region × year"), pct, tr("有数字的报告", "reports")),
        width="stretch",
        key="trends_heat",
    )
with st.expander(tr("图表数据（含覆盖）", "The data behind the chart, with coverage")):
    table(
        df.with_columns((pl.col("covered") / pl.col("reports")).alias("coverage")),
        ["year", "part", "value", "covered", "reports", "coverage"],
        percent=("value", "coverage") if pct else ("coverage",),
        key="tr_data",
    )
download(df, f"trend-{key}.csv", key="dl_trend", chart=True)

st.subheader(tr("行政规范性文件：制发与废止", "Normative documents: issued and repealed") + f" · {scope_label(scope)}")
pairs = run(q.normative_pairs, scope)
st.plotly_chart(
    charts.paired_bars(pairs, "", (tr("本年制发", "Issued"), tr("本年废止", "Repealed"))),
    width="stretch",
    key="trends_chart2",
)
cov = pairs.select(
    "year",
    pl.format("{}/{}", pl.col("issued_n"), pl.col("reports")).alias("i"),
    pl.format("{}/{}", pl.col("repealed_n"), pl.col("reports")).alias("r"),
)
st.caption(
    tr(
        "有数字的报告（制发 / 废止）：",
        "Reports with a value (issued / repealed): ",
    )
    + "；".join(f"{r['year']}：{r['i']}，{r['r']}" for r in cov.iter_rows(named=True))
    + tr(
        "。2019 版格式没有“本年废止件数”，这些报告不计入废止数，不可与 2021 版直接比较。",
        ". The 2019 format has no 'repealed this year': those reports are left out of the repealed count.",
    )
)
download(pairs, "normative.csv", key="dl_norm", chart=True)
