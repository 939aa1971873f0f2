"""复议诉讼: reconsideration and litigation cases, their outcomes, and correction rates — overall,
reconsideration only and litigation only — by year and region, with coverage."""

import polars as pl
import streamlit as st

from dashboard import charts
from dashboard import queries as q
from dashboard.metrics import BY_KEY, LOW_COVERAGE, label
from dashboard.state import bound_select, empty, header, lang, run, tr
from dashboard.ui import card, download, low_years_note, page_title, place_names, scope_label, thin_years_note
from etl.registry.fields import T4_GROUP_LABELS, T4_SUFFIX_LABELS

L = lang()
scope, year = st.session_state["scope"], st.session_state["year"]
header(page_title("review", scope, year))
k = run(q.kpis, scope, year, q.REVIEW_KPIS)
rows = {r["key"]: r for r in k.iter_rows(named=True)}
if not rows["reviews"]["reports"]:
    empty("no_scope")
    st.stop()
cols = st.columns(len(q.REVIEW_KPIS))
for col, key in zip(cols, q.REVIEW_KPIS):
    card(col, key, rows[key])

df = run(q.t4_by_year, scope)
group = {g.key: (g.zh if L == "zh" else g.en) for g in T4_GROUP_LABELS}
suffix = {s.key: (s.zh if L == "zh" else s.en) for s in T4_SUFFIX_LABELS}
outcomes = ("upheld", "corrected", "other", "pending")
lit = df.with_columns(
    [(pl.col(f"lit_direct_{s}") + pl.col(f"lit_after_review_{s}")).alias(f"lit_{s}") for s in outcomes]
)
where = scope_label(scope)
left, right = st.columns(2)
left.plotly_chart(
    charts.stacked(
        df,
        "year",
        [(f"review_{s}", suffix[s]) for s in outcomes],
        f"{group['review']}" + tr("结果（件）", " outcomes (cases)") + f" · {where}",
    ),
    width="stretch",
    key="review_outcomes",
)
right.plotly_chart(
    charts.stacked(
        lit,
        "year",
        [(f"lit_{s}", suffix[s]) for s in outcomes],
        tr("行政诉讼结果（件）", "Lawsuit outcomes (cases)") + f" · {where}",
    ),
    width="stretch",
    key="review_lit",
)
st.caption(
    tr(
        "只计表四每一格都有数字的报告：",
        "Only reports that give every cell of table 4: ",
    )
    + "；".join(f"{r['year']}：{r['covered']:,}/{r['reports']:,}" for r in df.iter_rows(named=True))
)
low_years_note(df.with_columns(pl.lit("全部").alias("part")))
download(df, "t4.csv", key="dl_t4", chart=True)

st.subheader(tr("纠错率", "Correction rates") + f" · {where}")
RATES = ("correction_rate", "review_correction_rate", "litigation_correction_rate")
rates = pl.concat(
    [run(q.metric_by_year, scope, r).with_columns(pl.lit(label(BY_KEY[r], L)).alias("part")) for r in RATES]
)
st.plotly_chart(
    charts.lines(rates, "", "%", True, LOW_COVERAGE, tr("有数字的报告", "reports with a value")),
    width="stretch",
    key="review_rates",
)
low_years_note(rates)
thin_years_note(rates)

rate = bound_select(
    tr("按地区查看的纠错率", "Correction rate by region"), list(RATES), "rate", fmt=lambda r: label(BY_KEY[r], L)
)
heat = run(q.metric_by_year, scope, rate, "region")
heat = place_names(heat, "part", scope)
st.plotly_chart(
    charts.heatmap(
        heat, f"{label(BY_KEY[rate], L)}：" + tr("地区 × 年度", "region × year"), True, tr("有数字的报告", "reports")
    ),
    width="stretch",
    key="review_heat",
)
download(heat, f"heatmap-{rate}.csv", key="dl_heat", chart=True)
