"""单位档案: one agency — its years, its three tables for the sidebar's year with the cells that have
findings marked, where any number was printed (click a cell), its findings, its peers."""

from pathlib import Path

import polars as pl
import streamlit as st

from dashboard import queries as q
from dashboard import review_ui, work
from dashboard.i18n import col, state_words, t, unit
from dashboard.metrics import BY_KEY as METRIC
from dashboard.metrics import coverage_words, fmt, label
from dashboard.source import cells_words, field_options, locate, show_source
from dashboard.source_image import find_source
from dashboard.state import (
    agency_workbook,
    bad_param,
    db_path,
    flush_bad_params,
    header,
    lang,
    param,
    run,
    set_param,
    tr,
)
from dashboard.ui import scope_label, table
from etl.registry.fields import (
    BY_KEY,
    FIELDS,
    T3_COLUMN_LABELS,
    T3_ROW_LABELS,
    T3_ROW_ORDER,
    T4_GROUP_LABELS,
    T4_SUFFIX_LABELS,
)
from etl.registry.places import kind_words
from etl.registry.rules import SEVERITY_WORDS, words
from etl.review.identity import agency_key

L = lang()
i = 0 if L == "zh" else 1
scope, year = st.session_state["scope"], st.session_state["year"]
header(t("agency", L))

# ---- which agency ------------------------------------------------------------------------
want = param("agency")
current = None
if want is not None:
    current = run(q.agency, int(want)) if want.isdigit() else None
    if current is None or current.height == 0:
        bad_param("agency", want, tr("库中没有这个机关编号。", "there is no agency with this number."))
        current = None
typed = st.text_input(
    tr(
        f"查找机关（在{scope_label(scope)}范围内，输入名称的任意部分）",
        f"Find an agency in {scope_label(scope)} (any part of its name)",
    ),
    placeholder=tr("例如：教育局、章贡区", "e.g. 教育局, 章贡区"),
    key="ag_search",
)
flush_bad_params()
if typed.strip():
    found = run(q.search_agencies, typed.strip(), scope)
    if found.height == 0:
        st.info(
            tr(
                f"{scope_label(scope)}没有名称中含有“{typed.strip()}”的机关。可在左侧把地区改为全国再找。",
                f"No agency in {scope_label(scope)} has “{typed.strip()}” in its name; "
                "widen the region in the sidebar.",
            )
        )
        st.stop()  # a failed search never keeps showing the previous agency
    options = found
elif current is not None:
    options = current.with_columns(pl.lit(1).alias("total"))
else:
    st.info(tr("在上面的框中输入机关名称的一部分即可查找。", "Type part of a name above to search."))
    st.stop()

ids = options["agency_id"].to_list()
label_of = {
    r["agency_id"]: r["name"] + (f"（{p}）" if (p := r["county"] or r["city"] or r["province"]) else "")
    for r in options.iter_rows(named=True)
}
if want and want.isdigit() and int(want) in ids:
    st.session_state["ag_pick"] = int(want)
elif st.session_state.get("ag_pick") not in ids:
    st.session_state["ag_pick"] = ids[0]
picked = st.selectbox(
    tr("机关", "Agency"), ids, format_func=label_of.get, key="ag_pick", placeholder=tr("请选择", "Choose")
)
if options["total"][0] > len(ids):
    st.caption(
        tr(
            f"共 {options['total'][0]:,} 个匹配，只列出前 {len(ids)} 个，请输入更多字。",
            f"{options['total'][0]:,} match; the first {len(ids)} are listed: type more.",
        )
    )
set_param("agency", picked)
info = run(q.agency, picked).row(0, named=True)
st.subheader(info["name"])
MATCH = {
    "名录匹配": "matched to the registry",
    "按解析名称建立": "from the report's own name",
    "未匹配": "not in the registry",
}
place = " · ".join(x for x in (info["province"], info["city"], info["county"]) if x) or tr(
    "地区未识别", "place unknown"
)
status = info["match_status"] if L == "zh" else MATCH.get(info["match_status"], info["match_status"])
st.write(f"{place}｜{kind_words(info['kind'], L)}｜{status}")
if info["aliases"]:
    st.caption(tr("其他写法：", "Also written: ") + info["aliases"])

reps = run(q.agency_reports, picked)
if reps.height == 0:
    st.info(tr("该机关还没有入库的报告。", "No report of this agency has been loaded."))
    st.stop()


def timeliness(days):  # runs in Polars' threads, where Streamlit's context (and so tr) is not available
    if days is None:
        return state_words("日期不明", L)
    if days == 0:
        return state_words("按时", L)
    return f"逾期 {days} 天" if L == "zh" else f"{days} days late"


years_tbl = reps.select(
    "year",
    pl.col("publish_date").cast(pl.Utf8),
    pl.col("deadline").cast(pl.Utf8),
    pl.col("days_late").map_elements(timeliness, return_dtype=pl.Utf8, skip_nulls=False).alias("state"),
    "format_version",
    "n_errors",
    "n_warnings",
    pl.when(pl.col("is_duplicate"))
    .then(pl.lit(tr("重复，未计入", "duplicate, not counted")))
    .otherwise(pl.lit(""))
    .alias("dup"),
    "source_path",
)
table(
    years_tbl,
    {
        "year": col("year", L),
        "publish_date": col("publish_date", L),
        "deadline": col("deadline", L),
        "state": tr("时效", "Timeliness"),
        "format_version": tr("格式", "Format"),
        "n_errors": col("n_errors", L),
        "n_warnings": col("n_warnings", L),
        "dup": tr("重复文件", "Duplicate"),
        "source_path": tr("源文件", "Source file"),
    },
    key="ag_years",
)
st.download_button(
    tr("下载本机关各年度数据（Excel）", "Download this agency's years (Excel)"),
    agency_workbook(picked),
    f"单位档案-{info['name']}.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="dl_agency",
    icon=":material/download:",
)

# ---- the year: the sidebar's --------------------------------------------------------------
live = reps.filter(~pl.col("is_duplicate"))
have = live["year"].to_list()
shown_year = year if year in have else max(have)
if shown_year != year:
    st.warning(
        tr(
            f"本机关没有 {year} 年度的报告（有报告的年度：{'、'.join(map(str, sorted(have)))}），"
            f"下面显示 {shown_year} 年度。",
            f"This agency has no report for {year} (it has {', '.join(map(str, sorted(have)))}); showing {shown_year}.",
        )
    )
rep = live.filter(pl.col("year") == shown_year).row(0, named=True)
st.subheader(tr(f"{shown_year} 年度报告", f"The {shown_year} report"))
st.caption(
    tr("本年度报告为程序生成的演示报告，非真实报告。", "This report was generated for the demo; it is not real.")
    if rep["is_demo"]
    else tr("本年度报告为真实报告（来源文件见上表）。", "This is a real report (its file is in the table above).")
)
pages = run(q.report_pages, rep["report_id"])
if pages.height:  # collected from the agency's website: the page evidence beside the printed date
    st.markdown("**" + tr("网站证据（采集）", "Evidence from the website (collected)") + "**")
    printed = rep["publish_date"]
    st.caption(
        tr(
            f"报告中印的发布日期：{printed or '未印'}；下表为采集程序在网站上看到的发布时间和首次发现时间。",
            f"Date printed in the report: {printed or 'none'}; below, what the collector saw on the website.",
        )
    )
    kinds = {"page": tr("报告页面", "report page"), "attachment": tr("附件", "attachment")}
    table(
        pages.with_columns(
            pl.col("kind").replace_strict(kinds, default=pl.col("kind")),
            *(pl.col(c).dt.strftime("%Y-%m-%d %H:%M") for c in ("page_published", "first_seen", "last_seen")),
        ),
        {
            "kind": tr("类型", "Kind"),
            "url": tr("网址", "URL"),
            "page_published": tr("网站上的发布时间", "Published on the website"),
            "page_published_text": tr("发布时间原文", "As printed on the page"),
            "first_seen": tr("首次发现", "First seen"),
            "last_seen": tr("最后见到", "Last seen"),
            "version": tr("版本", "Version"),
            "column_url": tr("年报栏目", "Annual-report column"),
        },
        key="ag_pages",
    )
finds = run(q.agency_findings, picked).filter(pl.col("year") == shown_year)
marked = {c for cells in finds["cells"].to_list() for c in (cells or "").split(",") if c}


def show(v):
    return (
        "—"
        if v is None
        else (f"{v:,.2f}".rstrip("0").rstrip(".") if isinstance(v, float) and v != int(v) else f"{int(v):,}")
    )


def mark(ref: str, v) -> str:
    return ("⚠ " if ref in marked else "") + show(v)


T2 = [f for f in FIELDS if f.table == "t2"]
name_of = {f.key: (f.zh if L == "zh" else f.en) for f in FIELDS}
picked_field = None
st.markdown("**" + tr("二、主动公开政府信息情况", "2. Information published on the agency's initiative") + "**")
t2 = pl.DataFrame(
    {
        "item": [name_of[f.key] for f in T2],
        "value": [mark(f.ref, rep[f.key]) for f in T2],
        "unit": [unit(f.unit, L) for f in T2],
    }
)
ev = table(
    t2,
    {"item": tr("项目", "Item"), "value": tr("数值", "Value"), "unit": tr("单位", "Unit")},
    key=f"ag_t2_{rep['report_id']}",
    on_select="rerun",
    selection_mode="single-row",
)
if ev is not None and ev.selection.rows:
    picked_field = T2[ev.selection.rows[0]].key

st.markdown(
    "**"
    + tr("三、收到和处理政府信息公开申请情况", "3. Applications received and handled")
    + "**"
    + tr(
        "（⚠ 标出发现涉及的单元格；点击单元格查看原文）",
        " (⚠ marks cells with findings; click a cell to see where it was printed)",
    )
)
row_words = {lab.key: (lab.zh if L == "zh" else lab.en) for lab in T3_ROW_LABELS}
col_keys = [c.key for c in T3_COLUMN_LABELS]
t3 = pl.DataFrame(
    {
        "row": [row_words[r] for r in T3_ROW_ORDER],
        **{c: [mark(f"t3.{r}.{c}", rep[f"t3__{r}__{c}"]) for r in T3_ROW_ORDER] for c in col_keys},
    }
)
heads = {"row": tr("项目", "Item"), **{c.key: (c.zh if L == "zh" else c.en) for c in T3_COLUMN_LABELS}}
ev = table(
    t3,
    heads,
    key=f"ag_t3_{rep['report_id']}",
    height=35 * (len(T3_ROW_ORDER) + 1) + 3,
    on_select="rerun",
    selection_mode="single-cell",
    narrow=tuple(col_keys),
)
if ev is not None and ev.selection.cells:
    r, c = ev.selection.cells[0]
    if c in col_keys:
        picked_field = f"t3__{T3_ROW_ORDER[r]}__{c}"

st.markdown(
    "**" + tr("四、政府信息公开行政复议、行政诉讼情况", "4. Administrative reconsideration and litigation") + "**"
)
sfx = [s.key for s in T4_SUFFIX_LABELS]
t4 = pl.DataFrame(
    {
        "group": [g.zh if L == "zh" else g.en for g in T4_GROUP_LABELS],
        **{s: [mark(f"t4.{g.key}_{s}", rep[f"t4__{g.key}_{s}"]) for g in T4_GROUP_LABELS] for s in sfx},
    }
)
ev = table(
    t4,
    {"group": tr("项目", "Item"), **{s.key: (s.zh if L == "zh" else s.en) for s in T4_SUFFIX_LABELS}},
    key=f"ag_t4_{rep['report_id']}",
    on_select="rerun",
    selection_mode="single-cell",
)
if ev is not None and ev.selection.cells:
    r, c = ev.selection.cells[0]
    if c in sfx:
        picked_field = f"t4__{T4_GROUP_LABELS[r].key}_{c}"

# ---- where a number was printed --------------------------------------------------------------
st.markdown("**" + tr("数字出处", "Where a number was printed") + "**")
cells = run(q.report_cells, rep["report_id"])
options = field_options(cells, marked)
if picked_field is not None and picked_field in options:
    set_param("field", picked_field)
asked = param("field")
if asked is not None and asked not in options:
    st.caption(
        tr(f"链接中的字段 {asked} 在本报告中没有出处记录。", f"The link's field {asked} has no recorded source here.")
    )
    asked = None
chosen = (
    st.selectbox(
        tr("选择一个数字（有 ⚠ 的排在前面）", "Pick a number (those marked ⚠ first)"),
        list(options),
        placeholder=tr("请选择", "Choose"),
        index=list(options).index(asked) if asked in options else 0,
        format_func=lambda k: ("⚠ " if BY_KEY[k].ref in marked else "") + name_of[k] + f"（{unit(BY_KEY[k].unit, L)}）",
        key=f"ag_field_{rep['report_id']}_{asked}",
    )
    if options
    else None
)
if chosen is not None:
    set_param("field", chosen)
    original = find_source(rep.get("source_path"), db_path())
    show_source(locate(cells, chosen), run(q.report_text, rep["report_id"]), cells, L, original)
else:
    st.caption(tr("本报告没有记录数字的出处。", "No sources were recorded for this report."))
evidence = run(q.report_evidence, rep["report_id"])
if evidence.height:
    with st.expander(tr("正文中读到的数字及原句", "Counts read from the text, with their sentences")):
        for e in evidence.iter_rows(named=True):
            f = BY_KEY.get(f"n__{e['metric']}")
            st.markdown(f"**{name_of[f.key] if f else e['metric']}**：{show(e['value'])}（{e['loc'] or ''}）")
            st.text(e["evidence"] or "")

# ---- findings and peers ------------------------------------------------------------------------
st.markdown("**" + tr(f"{shown_year} 年度发现的问题", f"Findings for {shown_year}") + "**")
if finds.height:
    table(
        finds.with_columns(
            pl.col("rule").map_elements(lambda r: words(r, L), return_dtype=pl.Utf8),
            pl.col("severity").map_elements(lambda s: SEVERITY_WORDS[s][i], return_dtype=pl.Utf8),
            pl.col("cells").map_elements(lambda s: cells_words(s, L), return_dtype=pl.Utf8),
        ),
        ["severity", "rule", "message", "cells"],
        key="ag_findings",
    )
else:
    st.success(tr("本年度没有发现问题。", "No findings for this year."))

st.markdown(
    "**" + tr("同类机关比较（同一类别、同一层级，本年度）", "Among peers (same kind and level, this year)") + "**"
)
pc = st.columns(3)
for c_, key in zip(pc, ("applications", "policy_interpretations", "info_published")):
    p = run(q.peers, picked, shown_year, key)
    m = METRIC[key]
    if p.height and p["peers"][0]:
        r = p.row(0, named=True)
        c_.metric(label(m, L), fmt(r["mine"], m.unit))
        c_.caption(
            tr(
                f"同类 {r['peers']:,} 个机关有此数字，中位数 {fmt(r['median'], m.unit)}"
                + (
                    f"；本机关位于第 {r['percentile']:.0%} 百分位"
                    if r["mine"] is not None
                    else "；本机关本年没有此数字"
                ),
                f"{r['peers']:,} peers give this number, median {fmt(r['median'], m.unit)}"
                + (
                    f"; this agency is at the {r['percentile']:.0%} percentile"
                    if r["mine"] is not None
                    else "; none here"
                ),
            )
        )
    else:
        c_.metric(label(m, L), fmt(rep[m.sources[0]], m.unit))
        c_.caption(coverage_words(0, 0, L))

# ---- review: each finding's state, history and corrections (read-only here) --------------------------

st.markdown("**" + tr("复核与督办记录", "Review and follow-up record") + "**")
viewer = work.actor()
if not work.account_scope(viewer).contains(info["province"], info["city"], info["county"]):
    st.caption(tr("该机关不在您的账户范围内。", "This agency is outside your account's scope."))
    st.stop()
key_ = agency_key(info["region_code"], info["name_key"])
mine = [f for f in work.findings().findings.values() if f.agency_key == key_]
review = work.with_states(work.base_frame(mine), work.queries.states(work.store(), [f.finding_id for f in mine]))
review = review.filter(pl.col("severity").is_in(work.ACTIONABLE))
review = review.sort("year", "origin", "rule", descending=[True, False, False])
if review.height == 0:
    st.caption(tr("没有须复核或督办的问题。", "No findings to review or follow up."))
else:
    table(
        work.shown(review, L),
        {
            "year": tr("年度", "Year"),
            "kind_of": tr("类别", "Kind"),
            "state_w": tr("状态", "State"),
            "rule_w": tr("问题", "Problem"),
            "cells_w": tr("涉及的表格和单元格", "Tables and cells"),
            "deadline": tr("整改期限", "Deadline"),
        },
        key="ag_review",
        height=min(360, 35 * (review.height + 1) + 3),
    )
    hist = [
        review_ui.history_frame(fid).with_columns(pl.lit(label).alias("what"))
        for fid, label in zip(
            review["finding_id"].to_list(),
            [f"{y} · {words(r, L)}" for y, r in zip(review["year"].to_list(), review["rule"].to_list())],
        )
    ]
    hist = pl.concat([h for h in hist if h.height]) if any(h.height for h in hist) else None
    if hist is not None:
        st.caption(tr("处理记录（谁、何时、从何状态改为何状态、说明）", "History (who, when, from → to, comment)"))
        table(
            hist.sort("at", descending=True),
            {
                "at": tr("时间", "When"),
                "what": tr("问题", "Finding"),
                "account": tr("账户", "Account"),
                "via": tr("途径", "How"),
                "change": tr("状态变化", "Change"),
                "note": tr("说明", "Comment"),
            },
            key="ag_review_hist",
        )
    else:
        st.caption(tr("还没有人处理过这些问题。", "Nobody has acted on these findings yet."))
corrected = [(y, s) for y, s in zip(reps["year"].to_list(), reps["sha256"].to_list()) if s]
versions = [review_ui.versions_frame(s).with_columns(pl.lit(str(y)).alias("year")) for y, s in corrected]
versions = [v for v in versions if v.height]
if versions:
    st.caption(tr("人工更正（每一版，原文读数在旁）", "Corrections (every version, with the value read from the file)"))
    table(
        pl.concat(versions),
        {"year": tr("年度", "Year"), **review_ui.version_heads()},
        key="ag_review_versions",
    )
if work.can_act(viewer):
    st.page_link(
        str(Path(work.__file__).parent / "views" / "queue.py"),  # absolute: whatever script runs the app
        label=tr("到“核查”页处理这些问题", "Act on these on the review queue"),
        icon=":material/rule:",
    )
