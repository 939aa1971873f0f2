"""口径说明: every metric and rule, generated from the code that computes them."""

import polars as pl
import streamlit as st

from dashboard.i18n import t
from dashboard.metrics import COMPLIANCE_FORMULA, METRICS
from dashboard.state import header, lang
from etl.check.cross_report import ALL_RULES
from etl.check.report_rules import RULES

L = lang()
header(t("definitions", L))
st.subheader("指标" if L == "zh" else "Metrics")
st.dataframe(pl.DataFrame({"指标": [m.zh for m in METRICS], "Metric": [m.en for m in METRICS],
                           "单位": [m.unit for m in METRICS], "计算方法": [m.formula for m in METRICS],
                           "来源字段": [", ".join(m.sources) for m in METRICS], "SQL": [m.sql for m in METRICS]}),
             hide_index=True)
st.subheader("合规得分")
st.write(COMPLIANCE_FORMULA)
st.subheader("核对规则" if L == "zh" else "Checks")
rules = ALL_RULES
st.dataframe(pl.DataFrame({"规则": list(rules), "说明": list(rules.values()),
                           "范围": ["单份报告" if r in RULES else "跨报告、跨年度" for r in rules]}), hide_index=True)
st.caption("空白或“/”的单元格记为空，不按 0 计；需要它的核对不做，另以 blank_cells 提示。")
