"""数据: load runs, rejected files with reasons, unmatched agencies, format versions by year."""

import streamlit as st

from dashboard import charts
from dashboard import queries as q
from dashboard.i18n import t
from dashboard.state import header, lang, run

L = lang()
header(t("data", L))
st.subheader("入库记录")
st.dataframe(run(q.load_runs), hide_index=True)
st.subheader("文件处理结果")
st.dataframe(run(q.source_counts), hide_index=True)
st.subheader("拒收和重复的文件（及原因）")
rej = run(q.rejected)
if rej.height:
    st.dataframe(rej, hide_index=True)
else:
    st.write("没有拒收或重复的文件。")
st.subheader("未匹配名录的机关（待核对）")
un = run(q.unmatched)
st.dataframe(un, hide_index=True) if un.height else st.write("没有未匹配的机关。")
st.subheader("各年度报告的格式版本")
fv = run(q.formats_by_year)
st.plotly_chart(
    charts.stacked(
        fv.pivot(on="format_version", index="year", values="reports").fill_null(0),
        "year",
        [(c, f"{c} 版") for c in fv["format_version"].unique().sort().to_list()],
        "",
    ),
    width="stretch",
)
st.caption("2019 版格式的报告没有“本年废止件数”“本年收费金额”，且“其他处理”只有一行：这些数字与 2021 版不可直接比较。")
