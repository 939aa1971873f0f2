"""口径说明: every metric, field and rule, generated from the registries that compute them."""

import polars as pl
import streamlit as st

from dashboard.i18n import t
from dashboard.metrics import METRICS
from dashboard.state import header, lang
from etl.registry.fields import FIELDS, NULL_POLICY, TABLE_NAMES
from etl.registry.rules import ORIGIN_WORDS, RULES, SCOPE_WORDS, SCORE, SEVERITY_WORDS

L = lang()
zh = L == "zh"
i = 0 if zh else 1
header(t("definitions", L))
st.subheader("指标" if zh else "Metrics")
st.dataframe(
    pl.DataFrame(
        {
            ("指标" if zh else "Metric"): [m.zh if zh else m.en for m in METRICS],
            ("单位" if zh else "Unit"): [m.unit for m in METRICS],
            ("计算方法" if zh else "Formula"): [m.formula for m in METRICS],
            ("来源字段" if zh else "Fields"): [", ".join(m.sources) for m in METRICS],
            "SQL": [m.sql for m in METRICS],
        }
    ),
    hide_index=True,
)
st.subheader("合规得分" if zh else "Compliance score")
st.write(SCORE.words(L))
st.subheader("核对规则" if zh else "Checks")
st.dataframe(
    pl.DataFrame(
        {
            ("规则" if zh else "Rule"): [r.id for r in RULES],
            ("说明" if zh else "In words"): [r.words(L) for r in RULES],
            ("范围" if zh else "Scope"): [SCOPE_WORDS[r.scope][i] for r in RULES],
            ("来源" if zh else "Origin"): [ORIGIN_WORDS[r.origin][i] for r in RULES],
            ("严重程度" if zh else "Severity"): ["、".join(SEVERITY_WORDS[s][i] for s in r.severities) for r in RULES],
        }
    ),
    hide_index=True,
)
st.caption(
    "“报告本身的问题”计入合规得分和督办清单；“解读存疑”是本系统读取文件时的不确定之处，交人工核查，不计入任何机关的得分。"
    if zh
    else "Only the report's own problems count in scores and follow-up lists; doubts about our reading "
    "go to a person for review and count against nobody."
)
st.subheader("字段" if zh else "Fields")
st.dataframe(
    pl.DataFrame(
        {
            ("表" if zh else "Table"): [TABLE_NAMES[f.table][i] for f in FIELDS],
            ("字段" if zh else "Field"): [f.zh if zh else f.en for f in FIELDS],
            ("单位" if zh else "Unit"): [f.unit for f in FIELDS],
            ("列名" if zh else "Column"): [f.key for f in FIELDS],
        }
    ),
    hide_index=True,
    height=320,
)
st.caption(NULL_POLICY if zh else "A blank, '/' or '—' cell is stored as empty (NULL), never as 0.")
