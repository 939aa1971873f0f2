"""合规监测: who filed on time, late, with errors or not at all; findings; scores; follow-up list."""

import polars as pl
import streamlit as st

from dashboard import charts
from dashboard import queries as q
from dashboard.i18n import t
from dashboard.metrics import COMPLIANCE_FORMULA
from dashboard.state import empty, followup_workbook, header, lang, run
from etl.registry.rules import RULE_WORDS

L = lang()
scope, year = st.session_state["scope"], st.session_state["year"]
header(f"{t('compliance', L)} · {scope.name()} · {year}")

missing = run(q.not_filed, scope, year)
st.metric(
    "名录中未发布本年度报告的机关" if L == "zh" else "Registered agencies without a report",
    f"{missing.height:,}",
)
if missing.height:
    with st.expander(f"未发布 {year} 年度报告的机关（{missing.height}）"):
        st.dataframe(missing, hide_index=True)

grid = run(q.coverage, scope)
if grid.height:
    n_ag = grid["name"].n_unique()
    st.plotly_chart(
        charts.coverage_grid(grid, f"报告提交情况：机关 × 年度（{n_ag} 个机关）"),
        width="stretch",
        key="compliance_chart1",
    )
    st.caption(
        "绿色按时；橙色逾期；红色表格有错误；深灰未发布；浅灰发布日期不明。最多显示 400 个机关，请用左侧筛选缩小范围。"
    )

st.subheader("发现的问题" if L == "zh" else "Findings")
counts = run(q.finding_counts, scope, year)
if counts.height == 0:
    empty("no_scope")
else:
    c1, c2 = st.columns(2)
    rules = c1.multiselect(
        "规则",
        counts["rule"].unique().sort().to_list(),
        format_func=lambda r: f"{r}：{RULE_WORDS.get(r, '')}",
        key="cm_rules",
    )
    sev = c2.multiselect("严重程度", ["error", "warning", "info"], default=["error", "warning"], key="cm_sev")
    found = run(q.findings, scope, year, rules or None, sev or None)
    st.dataframe(
        found.select("agency", "year", "rule", "severity", "message", "cells"),
        hide_index=True,
        column_config={"cells": st.column_config.TextColumn("涉及单元格")},
    )
    st.caption(f"显示 {found.height:,} 条（最多 2,000 条）。每条写明规则、表格和单元格。")

st.subheader("合规得分" if L == "zh" else "Compliance score")
st.caption(COMPLIANCE_FORMULA)
scores = run(q.compliance_scores, scope, year)
st.dataframe(scores, hide_index=True)

st.subheader("督办清单" if L == "zh" else "Follow-up list")
st.caption(
    "每个机关须整改的问题：问题说明、涉及的表格和单元格、所依据的规则。一个工作表逐条列出（可筛选），另一个按机关汇总。"
)
n_todo = counts.filter(pl.col("severity").is_in(["error", "warning"]))["n"].sum() if counts.height else 0
if not n_todo:
    st.info("本范围本年度没有须整改的问题。")
elif st.button(f"生成督办清单（Excel，{n_todo:,} 条）", key="make_todo") or st.session_state.get(
    f"todo_{scope}_{year}"
):
    st.session_state[f"todo_{scope}_{year}"] = True  # made on request: a national list takes seconds to write
    with st.spinner("正在生成督办清单…"):
        data = followup_workbook(scope, year)
    st.download_button(
        "下载督办清单",
        data,
        f"督办清单-{scope.name()}-{year}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="dl_todo",
    )
