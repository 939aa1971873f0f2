"""单位档案: everything about one agency, with the source line of every number."""

import re

import polars as pl
import streamlit as st

from dashboard import queries as q
from dashboard.i18n import t
from dashboard.metrics import BY_KEY, fmt, label
from dashboard.state import agency_workbook, header, lang, param, run, set_param
from etl.registry.fields import (
    FIELDS,
    T3_COLUMN_LABELS,
    T3_ROW_ORDER,
    T3_ROW_ZH,
    T4_GROUP_LABELS,
    T4_SUFFIX_LABELS,
)
from etl.registry.places import kind_words

T2_FIELDS = [f for f in FIELDS if f.table == "t2"]

L = lang()
header(t("agency", L))
# a national warehouse holds 100,000+ agencies: search by name rather than list them all
want = param("agency")
current = run(q.agency, int(want)) if want and want.isdigit() else None
typed = st.text_input(
    "输入机关名称的任意部分查找" if L == "zh" else "Type part of an agency's name",
    placeholder="例如：教育局、章贡区",
    key="ag_search",
)
found = run(q.search_agencies, typed.strip()) if typed.strip() else None
options = found if found is not None and found.height else None
if options is None and current is not None and current.height:
    options = current
if options is None:
    if typed.strip():
        st.info("没有找到名称中含有这些字的机关。" if L == "zh" else "No agency's name contains these characters.")
    else:
        st.info("在上面的框中输入机关名称的一部分即可查找。" if L == "zh" else "Type part of a name to search.")
    st.stop()
ids = options["agency_id"].to_list()
label_of = {
    r["agency_id"]: "".join([r["name"], f"（{place}）" if (place := r["county"] or r["city"] or r["province"]) else ""])
    for r in options.iter_rows(named=True)
}
index = ids.index(int(want)) if want and want.isdigit() and int(want) in ids else 0
picked = st.selectbox("机关" if L == "zh" else "Agency", ids, index=index, format_func=label_of.get, key="ag_pick")
if len(ids) == 50:
    st.caption("只显示前 50 个匹配的机关，请输入更多字缩小范围。")
set_param("agency", picked)
info = run(q.agency, picked).row(0, named=True)
st.subheader(info["name"])
st.write(
    " · ".join(x for x in (info["province"], info["city"], info["county"]) if x) or "地区未识别",
    "｜",
    kind_words(info["kind"], L),
    "｜",
    info["match_status"],
)
if info["aliases"]:
    st.caption(f"其他写法：{info['aliases']}")

reps = run(q.agency_reports, picked)
if reps.height == 0:
    st.info("该机关还没有入库的报告。")
    st.stop()
years = reps.select(
    "year",
    "publish_date",
    "deadline",
    "days_late",
    "format_version",
    "n_errors",
    "n_warnings",
    "is_duplicate",
    "source_path",
)
st.dataframe(
    years.select(
        pl.col("year").alias("年度"),
        pl.col("publish_date").cast(pl.Utf8).alias("发布日期"),
        pl.col("deadline").cast(pl.Utf8).alias("法定期限"),
        pl.when(pl.col("days_late") > 0)
        .then(pl.format("逾期 {} 天", pl.col("days_late")))
        .when(pl.col("days_late") == 0)
        .then(pl.lit("按时"))
        .otherwise(pl.lit("日期不明"))
        .alias("时效"),
        pl.col("format_version").alias("格式"),
        pl.col("n_errors").alias("错误"),
        pl.col("n_warnings").alias("警告"),
        pl.col("is_duplicate").alias("重复文件"),
        pl.col("source_path").alias("源文件"),
    ),
    hide_index=True,
)

st.download_button(
    "下载本机关各年度数据（Excel）" if L == "zh" else "Download this agency's years (Excel)",
    agency_workbook(picked),
    f"单位档案-{info['name']}.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="dl_agency",
)

live = reps.filter(~pl.col("is_duplicate"))
year = st.selectbox("查看年度", live["year"].to_list()[::-1], key="ag_year")
rep = live.filter(pl.col("year") == year).row(0, named=True)
st.caption(
    "本年度报告为程序生成的演示报告，非真实报告。" if rep["is_demo"] else "本年度报告为真实报告（来源文件见上表）。"
)
finds = run(q.agency_findings, picked).filter(pl.col("year") == year)
marked = {c for cells in finds["cells"].to_list() for c in (cells or "").split(",") if c}


def show(v):
    return "（空）" if v is None else (f"{v:g}" if isinstance(v, float) else v)


st.markdown("**二、主动公开政府信息情况**")
t2 = pl.DataFrame(
    {
        "项目": [f.zh for f in T2_FIELDS],
        "数值": [show(rep[f.key]) for f in T2_FIELDS],
        "单位": [f.unit for f in T2_FIELDS],
        "问题": ["⚠" if f.ref in marked else "" for f in T2_FIELDS],
    }
)
st.dataframe(t2, hide_index=True)
st.markdown("**三、收到和处理政府信息公开申请情况**（⚠ 标出发现涉及的单元格）")
t3 = pl.DataFrame(
    {
        "": [T3_ROW_ZH[r] for r in T3_ROW_ORDER],
        **{
            name: [("⚠ " if f"t3.{r}.{c}" in marked else "") + str(show(rep[f"t3__{r}__{c}"])) for r in T3_ROW_ORDER]
            for c, name in ((x.key, x.zh) for x in T3_COLUMN_LABELS)
        },
    }
)
st.dataframe(t3, hide_index=True, height=36 * 26)
st.markdown("**四、政府信息公开行政复议、行政诉讼情况**")
t4 = pl.DataFrame(
    {
        "": [g.zh for g in T4_GROUP_LABELS],
        **{
            s: [
                ("⚠ " if f"t4.{k}_{sk}" in marked else "") + str(show(rep[f"t4__{k}_{sk}"]))
                for k in (g.key for g in T4_GROUP_LABELS)
            ]
            for sk, s in ((x.key, x.zh) for x in T4_SUFFIX_LABELS)
        },
    }
)
st.dataframe(t4, hide_index=True)

st.markdown("**发现的问题**")
st.dataframe(finds.select("rule", "severity", "message", "cells"), hide_index=True)

st.markdown("**数字出处**：选择一个数字，查看它在原文中的位置")
cells = run(q.report_cells, rep["report_id"])
if cells.height:
    field = st.selectbox("字段", cells["field"].to_list(), key="ag_field")
    c = cells.filter(pl.col("field") == field).row(0, named=True)
    st.write(f"原文“{c['raw']}”，位置 {c['loc']}（L 为行号，T/R/C 为网页表格的表、行、列）")
    text = run(q.report_text, rep["report_id"])
    lines = text.split("\n")
    if m := re.match(r"L(\d+)", c["loc"] or ""):  # "L12", or "L12 OCR第3页 置信度0.98" for scans
        n = int(m[1])
        lo, hi = max(1, n - 6), min(len(lines), n + 6)
        excerpt = "\n".join(f"{'▶' if i == n else ' '} {i:>4} | {lines[i - 1]}" for i in range(lo, hi + 1))
        st.code(excerpt, language=None)  # shown as text: report content is never rendered as HTML
    with st.expander("报告全文（规范化后的文字）"):
        st.text(text[:20000])

st.markdown("**同类机关比较**（同一类别、同一层级，本年度）")
pc = st.columns(3)
for col, key in zip(pc, ("applications", "policy_interpretations", "info_published")):
    p = run(q.peers, picked, year, key)
    if p.height and p["peers"][0]:
        r = p.row(0, named=True)
        col.metric(
            label(BY_KEY[key], L),
            fmt(r["mine"], BY_KEY[key].unit),
            help=f"同类 {r['peers']} 个机关，中位数 {fmt(r['median'], '')}",
        )
        if r["percentile"] is not None and r["mine"] is not None:
            col.caption(f"百分位 {r['percentile']:.0%}，中位数 {fmt(r['median'], '')}")
