"""口径说明: every metric, field and rule, generated from the registries that compute them. The
column and rule codes appear here only, as what to look for in exported files."""

import polars as pl
import streamlit as st

from dashboard.i18n import t, unit
from dashboard.metrics import LOW_COVERAGE, METRICS, formula, label, source_words
from dashboard.state import header, lang, tr
from dashboard.ui import table
from etl.registry.fields import FIELDS, NULL_POLICY, TABLE_NAMES
from etl.registry.rules import ORIGIN_WORDS, RULES, SCOPE_WORDS, SCORE, SEVERITY_WORDS, words

L = lang()
i = 0 if L == "zh" else 1
header(t("definitions", L))

st.subheader(tr("指标", "Metrics"))
metrics = pl.DataFrame(
    {
        "metric": [label(m, L) for m in METRICS],
        "unit": [unit(m.unit, L) for m in METRICS],
        "formula": [formula(m, L) for m in METRICS],
        "sources": [source_words(m, L) or tr("报告本身", "the report itself") for m in METRICS],
    }
)
table(
    metrics,
    {
        "metric": tr("指标", "Metric"),
        "unit": tr("单位", "Unit"),
        "formula": tr("计算方法", "Formula"),
        "sources": tr("来源（报告中的项目）", "From (items of the report)"),
    },
    key="df_metrics",
)
st.caption(
    tr(
        f"每个合计和比率只计有此项数字的报告（空白、“/”不计，也不按 0 计），并注明覆盖率＝有数字的报告 ÷ 本范围报告数；"
        f"覆盖率低于 {LOW_COVERAGE:.0%} 时图表旁会提示。同比变化按两年均有此项数字的机关计算，上年原始合计另列。",
        f"Every sum and rate counts only the reports that give the number (a blank or '/' is left out, never taken "
        f"as 0) and states its coverage = reports with the number ÷ reports in scope; below {LOW_COVERAGE:.0%} the "
        "chart says so. Year-on-year changes are computed over the agencies that give the number in both years, "
        "with last year's raw total beside.",
    )
)
with st.expander(tr("各指标的 SQL", "Each metric's SQL")):
    for m in METRICS:
        st.markdown(f"**{label(m, L)}**")
        st.code(f"{m.sql}\n-- {tr('覆盖', 'coverage')}: {m.covered_sql}", language="sql")

st.subheader(tr("合规得分", "Compliance score"))
st.write(SCORE.words(L))

st.subheader(tr("核对规则", "Checks"))
table(
    pl.DataFrame(
        {
            "words": [r.words(L) for r in RULES],
            "scope": [SCOPE_WORDS[r.scope][i] for r in RULES],
            "origin": [ORIGIN_WORDS[r.origin][i] for r in RULES],
            "severity": ["、".join(SEVERITY_WORDS[s][i] for s in r.severities) for r in RULES],
            "id": [r.id for r in RULES],
        }
    ),
    {
        "words": tr("规则", "Rule"),
        "scope": tr("范围", "Scope"),
        "origin": tr("来源", "Origin"),
        "severity": tr("严重程度", "Severity"),
        "id": tr("导出文件中的规则编号", "Rule id in exported files"),
    },
    key="df_rules",
)
st.caption(
    tr(
        "“报告本身的问题”计入合规得分和督办清单；“解读存疑”是本系统读取文件时的不确定之处，交人工核查，不计入任何机关的得分。",
        "Only the report's own problems count in scores and follow-up lists; doubts about our reading "
        "go to a person for review and count against nobody.",
    )
)

st.subheader(tr("字段", "Fields"))
table(
    pl.DataFrame(
        {
            "table": [TABLE_NAMES[f.table][i] for f in FIELDS],
            "field": [f.zh if L == "zh" else f.en for f in FIELDS],
            "unit": [unit(f.unit, L) for f in FIELDS],
            "column": [f.key for f in FIELDS],
        }
    ),
    {
        "table": tr("表", "Table"),
        "field": tr("字段", "Field"),
        "unit": tr("单位", "Unit"),
        "column": tr("导出文件中的列名", "Column in exported files"),
    },
    key="df_fields",
    height=360,
)
st.caption(
    NULL_POLICY.replace("blank_cells", f"“{words('blank_cells')}”")
    if L == "zh"
    else "A blank, '/' or '—' cell is stored as empty (NULL), never as 0."
)
