"""总览: the briefing for a scope and year."""

import streamlit as st

from dashboard import charts
from dashboard import queries as q
from dashboard.brief_render import RenderError
from dashboard.i18n import t
from dashboard.metrics import BY_KEY, CARD_METRICS, fmt, label
from dashboard.state import briefing, empty, header, lang, run

L = lang()
scope, year = st.session_state["scope"], st.session_state["year"]
header(f"{t('overview', L)} · {scope.name()} · {year}")
df = run(q.kpis, scope, year, CARD_METRICS)
this = df.filter(df["year"] == year)
if this.height == 0:
    empty("no_scope")
    st.stop()
cur = this.row(0, named=True)
prev = df.filter(df["year"] == year - 1)
prev = prev.row(0, named=True) if prev.height else {}

expected = run(q.expected_reports, scope)
cols = st.columns(4)
received = f"{cur['reports']:,} / {expected:,}" if expected else f"{cur['reports']:,}"
cols[0].metric(t("received_expected", L), received, help="收到：本年度入库报告数；应报：名录中本范围的机关数")
for i, key in enumerate(k for k in CARD_METRICS if k != "reports"):
    m = BY_KEY[key]
    value, before = cur.get(key), prev.get(key)
    delta = None
    if value is not None and before is not None:
        delta = f"{(value - before) * 100:+.1f} 个百分点" if m.unit == "%" else f"{value - before:+,.0f}"
    cols[(i + 1) % 4].metric(
        label(m, L),
        fmt(value, m.unit),
        delta,
        help=f"{m.formula}（单位：{m.unit}）",
        delta_color="normal" if m.higher_is_better is not False else "inverse",
    )

st.subheader("近年走势" if L == "zh" else "Recent years")
spark = st.columns(4)
for col, key in zip(spark, ("applications", "on_time_rate", "normative_issued", "reviews")):
    series = run(q.metric_by_year, scope, key)
    col.caption(label(BY_KEY[key], L))
    col.plotly_chart(charts.sparkline(series), width="stretch", config={"displayModeBar": False}, key=f"spark_{key}")

st.subheader("领先与落后的下级地区" if L == "zh" else "Leading and lagging sub-regions")
key = st.selectbox(
    t("metric", L),
    ("on_time_rate", "error_rate", "substantive_rate", "correction_rate"),
    format_func=lambda k: label(BY_KEY[k], L),
    key="ov_metric",
)
subs = run(q.metric_by_subregion, scope, key, year).drop_nulls("value")
if subs.height:
    better_high = BY_KEY[key].higher_is_better is not False
    ranked = subs.sort("value", descending=better_high)
    lead, lag = st.columns(2)
    lead.markdown(f"**{t('leaders', L)}**")
    lead.dataframe(ranked.head(5).select("name", "value", "reports"), hide_index=True)
    lag.markdown(f"**{t('laggards', L)}**")
    lag.dataframe(ranked.tail(5).reverse().select("name", "value", "reports"), hide_index=True)

st.subheader("分析简报" if L == "zh" else "Briefing")
st.caption(
    "本范围、本年度的简报：总体情况、主要指标及同比、趋势图、合规情况和数据说明。"
    if L == "zh"
    else "A printable briefing for this region and year (in Chinese)."
)
b1, b2 = st.columns(2)
for col, kind, name, mime in (
    (b1, "pdf", "PDF", "application/pdf"),
    (b2, "docx", "Word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
):
    asked = f"brief_{kind}_{scope}_{year}"
    if col.button(f"生成 {name} 简报" if L == "zh" else f"Make {name} briefing", key=f"make_{kind}"):
        st.session_state[asked] = True
    if st.session_state.get(asked):
        try:
            with st.spinner("正在生成简报（绘制图表约需数秒）…" if L == "zh" else "Drawing the briefing…"):
                data = briefing(scope, year, kind)
        except RenderError as e:
            col.error(str(e))
        else:
            col.download_button(
                f"下载 {name} 简报" if L == "zh" else f"Download {name}",
                data,
                f"政务公开年报分析简报-{scope.name()}-{year}.{kind}",
                mime,
                key=f"dl_{kind}",
            )
