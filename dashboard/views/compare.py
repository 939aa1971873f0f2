"""对比: two or more regions, or two or more agencies, side by side over the years on one metric,
every value with the number of reports it rests on."""

import polars as pl
import streamlit as st

from dashboard import auth, charts
from dashboard import queries as q
from dashboard.i18n import t, unit
from dashboard.metrics import BY_KEY, LOW_COVERAGE, METRICS, formula, label
from dashboard.state import (
    bound_multiselect,
    bound_radio,
    bound_select,
    flush_bad_params,
    header,
    lang,
    params,
    run,
    set_param,
    tr,
)
from dashboard.ui import download, low_years_note, page_title, table

L = lang()
scope = st.session_state["scope"]
header(page_title("compare"))
c1, c2 = st.columns([1, 2])
modes = {"region": tr("地区", "Regions"), "agency": tr("机关", "Agencies")}
by = bound_radio(tr("比较", "Compare"), list(modes), "by", fmt=modes.get, where=c1)
key = bound_select(
    t("metric", L),
    [m.key for m in METRICS],
    "metric",
    default="on_time_rate",
    fmt=lambda k: label(BY_KEY[k], L),
    where=c2,
)
m = BY_KEY[key]
pct = m.is_rate

if by == "region":
    paths = [p for p in run(q.region_paths, "")["path"].to_list() if auth.path_allowed(p)]  # the account's region
    under = "/".join(x for x in (scope.province, scope.city, scope.county) if x)
    default = (
        [p for p in paths if p.startswith(under + "/") and p.count("/") == under.count("/") + 1][:2] if under else []
    )
    if not default and not auth.region().national:
        default = paths[:2]
    if not default:
        default = run(q.metric_by_subregion, q.Scope(), "reports", st.session_state["year"]).drop_nulls("name")
        default = default.sort("value", descending=True)["name"].head(2).to_list()
    outside = [p for p in params("place") if not auth.path_allowed(p)]
    for p in outside:  # refused by name, then dropped from the link
        st.session_state.setdefault("_bad_params", []).append(
            ("place", p, auth.w("scope_param", scope=auth.region_words()))
        )
    if outside:
        set_param("place", [p for p in params("place") if p not in outside])
    chosen = bound_multiselect(
        tr("选择两个或更多地区（可输入名称查找）", "Pick two or more regions (type to search)"),
        paths,
        "place",
        default=default,
    )
    flush_bad_params()
    if scope.kind:
        st.caption(tr("只计左侧所选类别的机关。", "Only agencies of the kind chosen in the sidebar."))
    if len(chosen) < 2:
        st.info(tr("请至少选择两个地区。", "Pick at least two regions."))
        st.stop()
    df = run(q.compare_regions, key, chosen, scope.kind).rename({"path": "part"})
else:
    ids = [int(v) for v in params("agency") if v.isdigit()]
    found = run(q.search_agencies, st.text_input(tr("查找机关", "Find an agency"), key="cmp_find").strip(), scope)
    if found.height:
        add = st.selectbox(
            tr("查找结果", "Results"),
            found["agency_id"].to_list(),
            placeholder=tr("请选择", "Choose"),
            format_func=dict(zip(found["agency_id"], found["name"])).get,
            key="cmp_pick",
        )
        if st.button(tr("加入比较", "Add to the comparison"), key="cmp_add") and add not in ids:
            set_param("agency", [*ids, add])
            st.rerun()
    names = {}
    for i in ids:
        a = run(q.agency, i)
        if a.height:
            names[i] = a["name"][0]
    keep = bound_multiselect(
        tr("比较的机关", "Agencies compared"), list(names), "agency", default=list(names), fmt=names.get
    )
    flush_bad_params()
    if len(keep) < 2:
        st.info(tr("请查找并加入至少两个机关。", "Find and add at least two agencies."))
        st.stop()
    df = run(q.compare_agencies, key, keep).rename({"name": "part"})

title = f"{label(m, L)} · " + tr("对比", "compared")
st.plotly_chart(
    charts.lines(df, title, unit(m.unit, L), pct, LOW_COVERAGE, tr("有数字的报告", "reports with a value")),
    width="stretch",
    key="compare_chart",
)
st.caption(
    tr("口径：", "Definition: ")
    + formula(m, L)
    + (
        tr(
            "。“基数”为比率的分母（如已审结案件数）：基数小的比率波动大。",
            ". The base is the rate's denominator (cases decided, dated reports …): a rate on a small base swings.",
        )
        if pct
        else ""
    )
)
low_years_note(df)

# side by side: one row per year, for each compared: the value and the reports it covers
wide = None
for part in df["part"].unique(maintain_order=True).to_list():
    cov = pl.format("{}/{}", pl.col("covered"), pl.col("reports"))
    if pct:  # a rate's base: the cases (or reports) it is a share of
        cov = pl.format(
            "{}/{} · " + tr("基数 {}", "base {}"), pl.col("covered"), pl.col("reports"), pl.col("base").cast(pl.Int64)
        )
    one = df.filter(pl.col("part") == part).select(
        "year",
        pl.col("value").alias(part),
        cov.alias(f"{part} · " + tr("有数字/报告", "with value/reports")),
    )
    wide = one if wide is None else wide.join(one, on="year", how="full", coalesce=True)
wide = wide.sort("year")
cols = {c: (tr("年度", "Year") if c == "year" else c) for c in wide.columns}
table(wide, cols, percent=tuple(c for c in wide.columns if pct and c in df["part"].unique().to_list()), key="cmp_table")
download(df, f"compare-{key}.csv", key="dl_compare", chart=True)
