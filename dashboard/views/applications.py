"""依申请公开: applications by applicant type, outcomes, carry-over and their rates, with coverage."""

import polars as pl
import streamlit as st

from dashboard import charts
from dashboard import queries as q
from dashboard.metrics import BY_KEY as METRIC
from dashboard.metrics import LOW_COVERAGE, label
from dashboard.state import empty, header, lang, run, tr
from dashboard.ui import card, coverage_note, download, low_years_note, page_title, scope_label, thin_years_note
from etl.registry.fields import T3_COLUMN_LABELS, T3_ROW_LABELS

L = lang()
scope, year = st.session_state["scope"], st.session_state["year"]
header(page_title("applications", scope, year))
k = run(q.kpis, scope, year, q.APPLICATION_KPIS)
rows = {r["key"]: r for r in k.iter_rows(named=True)}
if not rows["applications"]["reports"]:
    empty("no_scope")
    st.stop()
cols = st.columns(len(q.APPLICATION_KPIS))
for col, key in zip(cols, q.APPLICATION_KPIS):
    card(col, key, rows[key])

words = {lab.key: (lab.zh if L == "zh" else lab.en) for lab in (*T3_COLUMN_LABELS, *T3_ROW_LABELS)}
left, right = st.columns(2)
apps = run(q.applicants, scope, year)
with left:
    st.plotly_chart(
        charts.bars(
            [words[c] for c in apps["col"]],
            apps["value"].to_list(),
            tr(f"新收申请：按申请人类型（件）· {year}", f"New applications by applicant (cases) · {year}"),
        ),
        width="stretch",
        key="applications_who",
    )
    coverage_note(apps["covered"].min(), apps["reports"][0])
    download(apps, f"applicants-{year}.csv", key="dl_apps", chart=True)
rates = pl.concat(
    [
        run(q.metric_by_year, scope, key).with_columns(pl.lit(label(METRIC[key], L)).alias("part"))
        for key in ("substantive_rate", "not_held_rate")
    ]
)
with right:
    st.plotly_chart(
        charts.lines(
            rates,
            tr("历年比例", "Rates over the years") + f" · {scope_label(scope)}",
            "%",
            True,
            LOW_COVERAGE,
            tr("有数字的报告", "reports with a value"),
        ),
        width="stretch",
        key="applications_rates",
    )
    low_years_note(rates)
    thin_years_note(rates)
    download(rates, "rates.csv", key="dl_rates", chart=True)

out = run(q.outcomes, scope, year)
st.plotly_chart(
    charts.bars(
        [words[r] for r in out["row"]],
        out["value"].to_list(),
        tr(f"办理结果（件）· {year}", f"Decisions (cases) · {year}"),
    ),
    width="stretch",
    key="applications_outcomes",
)
coverage_note(out["covered"].min(), out["reports"][0])
download(out, f"outcomes-{year}.csv", key="dl_out", chart=True)
