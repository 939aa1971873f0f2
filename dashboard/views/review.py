"""复议诉讼: reconsideration and litigation cases, outcomes and correction rates."""

import polars as pl
import streamlit as st

from dashboard import charts
from dashboard import queries as q
from dashboard.i18n import t
from dashboard.metrics import BY_KEY, label
from dashboard.state import empty, header, lang, run

L = lang()
scope, year = st.session_state["scope"], st.session_state["year"]
header(f"{t('review', L)} · {scope.name()}")
df = run(q.t4_by_year, scope)
if df.height == 0:
    empty("no_scope")
    st.stop()
this = df.filter(pl.col("year") == year)
if this.height:
    r = this.row(0, named=True)
    c = st.columns(3)
    c[0].metric("行政复议（件）", f"{int(r['review_total'] or 0):,}")
    c[1].metric("行政诉讼（件）", f"{int((r['lit_direct_total'] or 0) + (r['lit_after_review_total'] or 0)):,}")
    k = run(q.kpis, scope, year, ("correction_rate",))
    cr = k.filter(k["year"] == year)["correction_rate"][0] if k.height else None
    c[2].metric(
        label(BY_KEY["correction_rate"], L),
        "—" if cr is None else f"{cr:.1%}",
        help=BY_KEY["correction_rate"].formula,
    )
series = [
    (f"review_{s}", n)
    for s, n in (
        ("upheld", "复议维持"),
        ("corrected", "复议纠正"),
        ("other", "复议其他"),
        ("pending", "复议未审结"),
    )
]
st.plotly_chart(charts.stacked(df, "year", series, "行政复议结果（件）"), width="stretch", key="review_chart1")
lit = df.with_columns(
    [
        (pl.col(f"lit_direct_{s}") + pl.col(f"lit_after_review_{s}")).alias(f"lit_{s}")
        for s in ("upheld", "corrected", "other", "pending")
    ]
)
st.plotly_chart(
    charts.stacked(
        lit,
        "year",
        [
            (f"lit_{s}", n)
            for s, n in (
                ("upheld", "诉讼维持"),
                ("corrected", "诉讼纠正"),
                ("other", "诉讼其他"),
                ("pending", "诉讼未审结"),
            )
        ],
        "行政诉讼结果（件）",
    ),
    width="stretch",
)
st.download_button(t("download_csv", L), df.write_csv(), "t4.csv", "text/csv", key="dl_t4")
st.subheader("纠错率：地区 × 年度" if L == "zh" else "Correction rate by region and year")
heat = run(q.metric_by_year, scope, "correction_rate", "region")
st.plotly_chart(charts.heatmap(heat, "", percent=True), width="stretch", key="review_chart2")
