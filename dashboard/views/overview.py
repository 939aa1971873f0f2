"""总览: the scope and year at a glance, cards by topic with coverage and panel changes, recent
years, leading and lagging sub-regions, and the printed briefing."""

import polars as pl
import streamlit as st

from dashboard import charts
from dashboard import queries as q
from dashboard.brief_render import RenderError
from dashboard.i18n import t
from dashboard.metrics import BY_KEY, CARD_GROUPS, CARD_METRICS, label
from dashboard.state import bound_int, bound_select, briefing, empty, header, lang, run, tr
from dashboard.ui import card, coverage_note, page_title, table

L = lang()
scope, year = st.session_state["scope"], st.session_state["year"]
header(page_title("overview", scope, year))
k = run(q.kpis, scope, year, CARD_METRICS)
rows = {r["key"]: r for r in k.iter_rows(named=True)}
if not rows["reports"]["reports"]:
    empty("no_scope")
    st.stop()

expected = run(q.expected_reports, scope)
for section, keys in CARD_GROUPS:
    st.subheader(t(section, L))
    cols = st.columns(4)
    for col, key in zip(cols, keys):
        row = rows[key]
        if key == "reports":
            got, before = row["reports"], row["prev_reports"]  # counts of rows: never NULL
            col.metric(
                t("received_expected", L),
                f"{got:,} / {expected:,}" if expected else f"{got:,}",
                f"{got - before:+,}" if before and got != before else None,
                help=tr(
                    "收到：本年度入库报告数；应报：名录中本范围的机关数",
                    "Received: reports loaded for the year; expected: agencies in the registry for this region",
                ),
            )
            col.caption(tr(f"上年收到 {before:,} 份", f"last year {before:,} received"))
        else:
            card(col, key, row)

st.subheader(tr("近年走势", "Recent years"))
spark = st.columns(4)
for col, key in zip(spark, ("applications", "on_time_rate", "normative_issued", "reviews")):
    series = run(q.metric_by_year, scope, key)
    col.markdown(f"**{label(BY_KEY[key], L)}**")
    col.plotly_chart(charts.sparkline(series), width="stretch", config={"displayModeBar": False}, key=f"spark_{key}")
    last = series.filter(pl.col("year") == year)
    if last.height:
        coverage_note(last["covered"][0], last["reports"][0], where=col, compact=True)

st.subheader(tr("领先与落后的下级地区", "Leading and lagging sub-regions"))
if scope.sub_column() == "agency_name":
    st.info(
        tr(
            "县（区）以下没有下级地区：本县各机关的情况见“合规监测”页的清单和“单位档案”。",
            "A county has no sub-regions: its agencies are listed on the Compliance page and in their records.",
        )
    )
else:
    c1, c2 = st.columns([2, 1])
    key = bound_select(
        t("metric", L),
        ["on_time_rate", "error_rate", "substantive_rate", "correction_rate"],
        "rank",
        fmt=lambda k: label(BY_KEY[k], L),
        where=c1,
    )
    least = bound_int("min", 10, 1, 10_000)
    c2.caption(
        tr(
            f"只比较有此项数字的报告不少于 {least} 份的地区（链接参数 min 可改）",
            f"Only regions with at least {least} reports giving this number (link parameter min)",
        )
    )
    subs = run(q.metric_by_subregion, scope, key, year).drop_nulls(["value", "name"])  # own level: not a region
    enough = subs.filter(pl.col("covered") >= least)
    if enough.height < 2:
        st.info(
            tr(
                f"有足够报告（不少于 {least} 份）可比的下级地区不足两个。",
                f"Fewer than two sub-regions have enough reports (at least {least}) to compare.",
            )
        )
    else:
        better_high = BY_KEY[key].higher_is_better is not False
        ranked = enough.sort("value", descending=better_high)
        n = min(5, enough.height // 2)
        lead, lag = st.columns(2)
        pct = ("value",)
        cols = {"name": tr("地区", "Region"), "value": label(BY_KEY[key], L), "covered": tr("报告数", "Reports")}
        with lead:
            st.markdown(f"**{t('leaders', L)}**")
            table(ranked.head(n), cols, percent=pct, key="ov_lead")
        with lag:
            st.markdown(f"**{t('laggards', L)}**")
            table(ranked.tail(n).reverse(), cols, percent=pct, key="ov_lag")
        left_out = subs.height - enough.height
        if left_out:
            st.caption(
                tr(f"另有 {left_out} 个地区报告太少，未参加比较。", f"{left_out} more regions have too few reports.")
            )

st.subheader(tr("分析简报", "Briefing"))
st.caption(
    tr(
        "本范围、本年度的简报：总体情况、主要指标及同比、趋势图、合规情况和数据说明。",
        "A printable briefing for this region and year (written in Chinese, for the leadership).",
    )
)
b1, b2 = st.columns(2)
for col, kind, name, mime in (
    (b1, "pdf", "PDF", "application/pdf"),
    (b2, "docx", "Word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
):
    asked = f"brief_{kind}_{scope}_{year}"
    if col.button(tr(f"生成 {name} 简报", f"Make the {name} briefing"), key=f"make_{kind}"):
        st.session_state[asked] = True
    if st.session_state.get(asked):
        try:
            with st.spinner(tr("正在生成简报（绘制图表约需数秒）…", "Drawing the briefing…")):
                data = briefing(scope, year, kind)
        except RenderError as e:
            col.error(str(e))
        else:
            col.download_button(
                tr(f"下载 {name} 简报", f"Download the {name} briefing"),
                data,
                f"政务公开年报分析简报-{scope.name()}-{year}.{kind}",
                mime,
                key=f"dl_{kind}",
            )
