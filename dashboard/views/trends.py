"""趋势: any metric or rate over the years, split by sub-region or agency kind."""

import streamlit as st

from dashboard import charts
from dashboard import queries as q
from dashboard.i18n import t
from dashboard.metrics import METRICS, label
from dashboard.state import empty, header, lang, param, run, set_param

L = lang()
scope = st.session_state["scope"]
header(t("trends", L))
keys = [m.key for m in METRICS]
want = param("metric")
key = st.selectbox(
    t("metric", L),
    keys,
    index=keys.index(want) if want in keys else keys.index("applications"),
    format_func=lambda k: label(next(m for m in METRICS if m.key == k), L),
    key="tr_metric",
)
set_param("metric", key)
splits = {"none": "不分组", "region": "按下级地区", "kind": "按机关类别"}
split = st.radio(t("split", L), list(splits), format_func=splits.get, horizontal=True, key="tr_split")
m = next(x for x in METRICS if x.key == key)
df = run(q.metric_by_year, scope, key, None if split == "none" else split)
if df.height == 0:
    empty("no_scope")
    st.stop()
st.plotly_chart(charts.lines(df, label(m, L), m.unit, percent=m.unit == "%"), width="stretch", key="trends_chart1")
st.caption(f"口径：{m.formula}")
with st.expander("图表数据" if L == "zh" else "Data behind the chart"):
    st.dataframe(df, hide_index=True)
st.download_button(t("download_csv", L), df.write_csv(), f"trend-{key}.csv", "text/csv", key="dl_trend")

st.subheader("行政规范性文件：制发与废止" if L == "zh" else "Normative documents: issued and repealed")
pairs = run(q.normative_pairs, scope)
st.plotly_chart(charts.paired_bars(pairs, ""), width="stretch", key="trends_chart2")
st.caption("2019、2020 年为 2019 版格式，无“本年废止件数”，该两年废止数为空，不可与 2021 年以后直接比较。")
st.download_button(t("download_csv", L), pairs.write_csv(), "normative.csv", "text/csv", key="dl_norm")
