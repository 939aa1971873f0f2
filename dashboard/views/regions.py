"""地区: a choropleth of the chosen metric over the sub-regions, a ranking and a heatmap."""

import polars as pl
import streamlit as st

from dashboard import charts
from dashboard import queries as q
from dashboard.i18n import t
from dashboard.metrics import METRICS, label
from dashboard.state import empty, header, lang, run, set_param

L = lang()
scope, year = st.session_state["scope"], st.session_state["year"]
header(f"{t('regions', L)} · {scope.name()}")
keys = [m.key for m in METRICS]
key = st.selectbox(
    t("metric", L),
    keys,
    index=keys.index("on_time_rate"),
    format_func=lambda k: label(next(m for m in METRICS if m.key == k), L),
    key="rg_metric",
)
m = next(x for x in METRICS if x.key == key)
pct = m.unit == "%"
df = run(q.metric_by_subregion, scope, key, year)
if df.height == 0:
    empty("no_scope")
    st.stop()
with st.expander("排名数据" if L == "zh" else "Ranking data"):
    st.dataframe(df, hide_index=True)
level = {"prov": "provinces", "cty": "cities", "cnty": "counties"}.get(scope.sub_column())
if level:
    codes = run(q.region_codes, df["name"].to_list())
    want = {"provinces": "province", "cities": "city", "counties": "county"}[level]
    codes = codes.filter(pl.col("level") == want).unique("name", keep="first")
    mapped = df.join(codes.select("name", "code"), on="name", how="inner")
    if mapped.height:
        event = st.plotly_chart(
            charts.choropleth(mapped, level, label(m, L), pct),
            width="stretch",
            on_select="rerun",
            selection_mode="points",
            key="map",
        )
        points = [p for p in (event or {}).get("selection", {}).get("points", []) if p.get("customdata")]
        if points:  # clicking a region drills into it
            name = points[0]["customdata"]
            target = {"provinces": "province", "cities": "city", "counties": "county"}[level]
            set_param(target, name)
            st.rerun()
    else:
        st.caption("这一层级暂无行政区划轮廓（已随项目提供省级、地市级轮廓及江西省县级轮廓）。")
st.caption("点击地图上的地区可下钻到该地区。" if L == "zh" else "Click a region to drill into it.")
left, right = st.columns(2)
left.plotly_chart(
    charts.ranking(df.select("name", "value"), f"{label(m, L)} 排名", pct),
    width="stretch",
    key="regions_chart1",
)
left.download_button(t("download_csv", L), df.write_csv(), f"ranking-{key}.csv", "text/csv", key="dl_rank")
heat = run(q.metric_by_year, scope, key, "region")
right.plotly_chart(charts.heatmap(heat, f"{label(m, L)}：地区 × 年度", pct), width="stretch", key="regions_chart2")
right.download_button(t("download_csv", L), heat.write_csv(), f"heatmap-{key}.csv", "text/csv", key="dl_heat")
