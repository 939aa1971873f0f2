"""地区: the chosen metric over the sub-regions — a map (click to drill in), a ranking that shows
the best and the worst with the count of reports beside each value, and a sub-region × year
heatmap."""

import polars as pl
import streamlit as st

from dashboard import charts
from dashboard import queries as q
from dashboard.i18n import t
from dashboard.metrics import BY_KEY, METRICS, formula, label
from dashboard.state import bound_int, bound_select, empty, header, lang, run, set_param, tr
from dashboard.ui import download, low_years_note, page_title, place_names, table, thin_years_note
from etl.registry.places import MUNICIPALITY_NAMES

L = lang()
scope, year = st.session_state["scope"], st.session_state["year"]
header(page_title("regions", scope, year))
c1, c2 = st.columns([2, 1])
key = bound_select(
    t("metric", L),
    [m.key for m in METRICS],
    "metric",
    default="on_time_rate",
    fmt=lambda k: label(BY_KEY[k], L),
    where=c1,
)
m = BY_KEY[key]
pct = m.is_rate
by_agency = scope.sub_column() == "agency_name"  # a county's parts are its agencies, one report a year each
unit_zh, unit_en = ("机关", "agencies") if by_agency else ("地区", "regions")
least = bound_int("min", 5 if pct and not by_agency else 1, 1, 100_000)
c2.caption(
    tr(
        f"排名只列有此项数字的报告不少于 {least} 份的{unit_zh}（链接参数 min 可改）；每个名称旁是它所依据的报告数。",
        f"The ranking lists {unit_en} with at least {least} reports giving this number (link parameter min); "
        "each value shows how many reports it rests on.",
    )
)
df = run(q.metric_by_subregion, scope, key, year)
if df.height == 0:
    empty("no_scope")
    st.stop()
named = place_names(df, "name", scope)
st.caption(tr("口径：", "Definition: ") + formula(m, L))

sub = scope.sub_column()
level = {"prov": "provinces", "cty": "cities", "cnty": "counties"}.get(sub)
if level and df["name"].drop_nulls().len():
    codes = run(q.region_codes, df["name"].drop_nulls().to_list())
    want = {"provinces": "province", "cities": "city", "counties": "county"}[level]
    codes = codes.filter(pl.col("level") == want).unique("name", keep="first", maintain_order=True)
    # the same figure on every run (sorted): a figure that changes loses the click that was made on it
    mapped = df.drop_nulls("name").join(codes.select("name", "code"), on="name", how="inner").sort("name")
    if mapped.height:
        event = st.plotly_chart(
            charts.choropleth(
                mapped, level, f"{label(m, L)} · " + tr("点击地区进入", "click a region to open it"), pct
            ),
            width="stretch",
            on_select="rerun",
            selection_mode="points",
            key=f"map_{scope}_{key}_{year}",
            config={"displayModeBar": False},
        )
        points = [p for p in (event or {}).get("selection", {}).get("points", []) if p.get("customdata")]
        if points:  # clicking a region drills into it
            name = points[0]["customdata"]
            target = {"provinces": "province", "cities": "city", "counties": "county"}[level]
            if target == "province" and name in MUNICIPALITY_NAMES:
                set_param("city", None)
            set_param(target, name)
            st.rerun()
    else:
        st.caption(
            tr(
                "这一层级暂无行政区划轮廓（已随项目提供省级、地市级轮廓及江西省县级轮廓）。",
                "No outlines for this level (the project ships provinces, cities and Jiangxi's counties).",
            )
        )
elif df["name"].drop_nulls().len() == 0:
    st.info(
        tr(
            f"{scope.name()}的报告都来自本级机关，没有下级地区可比；下表列出本级的数字。",
            f"All reports of {scope.name()} come from agencies of its own level: there are no sub-regions to compare.",
        )
    )

ranked = named.filter(pl.col("covered") >= least)
left, right = st.columns(2)
with left:
    if ranked.drop_nulls("value").height:
        st.plotly_chart(
            charts.ranking(
                ranked,
                f"{label(m, L)} " + tr("排名", "ranking") + f" · {year}",
                pct,
                count_label=tr("{name}（{n:,} 份）", "{name} ({n:,})"),
                gap_label=tr("……（中间省略，见数据表）", "… (middle left out; see the table)"),
            ),
            width="stretch",
            key="regions_rank",
        )
    few = named.height - ranked.height
    if few:
        st.caption(
            tr(
                f"{few} 个{unit_zh}报告太少，未列入排名（见数据表）。",
                f"{few} {unit_en} have too few reports (see the table).",
            )
        )
    with st.expander(tr(f"排名数据（全部{unit_zh}）", f"Ranking data (every one of the {unit_en})")):
        table(
            named.with_columns((pl.col("covered") / pl.col("reports")).alias("coverage")),
            {
                "name": tr(unit_zh, unit_en.capitalize()),
                "value": label(m, L),
                "covered": tr("有数字的报告", "Reports with a value"),
                "reports": tr("报告数", "Reports"),
                "coverage": tr("覆盖率", "Coverage"),
            },
            percent=("value", "coverage") if pct else ("coverage",),
            key="rg_table",
        )
    download(named, f"ranking-{key}-{year}.csv", key="dl_rank", chart=True)
with right:
    heat = run(q.metric_by_year, scope, key, "region")
    heat = place_names(heat, "part", scope)
    st.plotly_chart(
        charts.heatmap(
            heat, f"{label(m, L)}：" + tr(f"{unit_zh} × 年度", f"{unit_en} × year"), pct, tr("有数字的报告", "reports")
        ),
        width="stretch",
        key="regions_heat",
    )
    low_years_note(heat)
    thin_years_note(heat)
    download(heat, f"heatmap-{key}.csv", key="dl_heat", chart=True)
