"""依申请公开: applications by applicant type, outcomes, carry-over and their rates."""

import polars as pl
import streamlit as st

from dashboard import charts
from dashboard import queries as q
from dashboard.i18n import t
from dashboard.metrics import BY_KEY, fmt, label
from dashboard.state import empty, header, lang, run
from etl.registry.fields import T3_COLUMN_ZH, T3_ROW_ZH

L = lang()
scope, year = st.session_state["scope"], st.session_state["year"]
header(f"{t('applications', L)} · {scope.name()} · {year}")
apps = run(q.applicants, scope, year)
if apps.height == 0 or apps.row(0)[0] is None:
    empty("no_scope")
    st.stop()
names = T3_COLUMN_ZH
row = apps.row(0, named=True)
k = run(q.kpis, scope, year, ("applications", "processed", "substantive_rate", "not_held_rate", "carried_forward"))
cur = k.filter(k["year"] == year).row(0, named=True)
cols = st.columns(5)
for col, key in zip(cols, ("applications", "processed", "substantive_rate", "not_held_rate", "carried_forward")):
    col.metric(label(BY_KEY[key], L), fmt(cur[key], BY_KEY[key].unit), help=BY_KEY[key].formula)
left, right = st.columns(2)
left.plotly_chart(charts.donut([names[c] for c in row], [row[c] or 0 for c in row], "申请人类型"), width="stretch")
out = run(q.outcomes, scope, year)
labels = T3_ROW_ZH
o = out.row(0, named=True)
odf = pl.DataFrame(
    {
        "name": [labels[r] for r in o if r != "total_processed"],
        "value": [o[r] for r in o if r != "total_processed"],
    }
)
right.plotly_chart(charts.ranking(odf, "办理结果（件）"), width="stretch", key="applications_chart1")
right.download_button(t("download_csv", L), odf.write_csv(), "outcomes.csv", "text/csv", key="dl_out")

st.subheader("历年比例" if L == "zh" else "Rates over the years")
rates = pl.concat(
    [
        run(q.metric_by_year, scope, key).with_columns(pl.lit(label(BY_KEY[key], L)).alias("part"))
        for key in ("substantive_rate", "not_held_rate")
    ]
)
st.plotly_chart(charts.lines(rates, "", "%", percent=True), width="stretch", key="applications_chart2")
st.download_button(t("download_csv", L), rates.write_csv(), "rates.csv", "text/csv", key="dl_rates")
