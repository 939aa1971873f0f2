"""合规监测, built around lists: who has not filed, filed late, filed with errors or copied last
year's text — each list complete with a download; sub-regions first at national and provincial
scope; the agency × year grid only for agencies with a problem, paged; findings, scores and the
督办清单. Every choice is in the URL."""

import polars as pl
import streamlit as st

from dashboard import charts, work
from dashboard import queries as q
from dashboard.i18n import STATES, state_words, t
from dashboard.source import cells_words
from dashboard.state import (
    bound_int,
    bound_multiselect,
    collected_years,
    flush_bad_params,
    followup_workbook,
    global_params,
    header,
    lang,
    param,
    run,
    set_param,
    tr,
)
from dashboard.ui import agency_links, download, page_title, place_names, table
from etl.registry.places import MUNICIPALITY_NAMES, kind_words
from etl.registry.rules import BY_ID, SCORE, SEVERITY_WORDS, words

L = lang()
i = 0 if L == "zh" else 1
scope, year = st.session_state["scope"], st.session_state["year"]
header(page_title("compliance", scope, year))
counts = run(q.problem_counts, scope, year).row(0, named=True)

c = st.columns(6)
c[0].metric(tr("名录应报机关", "Registered agencies"), f"{counts['expected']:,}")
c[1].metric(tr("收到报告", "Reports received"), f"{counts['reports']:,}")
c[2].metric(tr("未发布", "Not filed"), f"{counts['not_filed']:,}")
c[3].metric(tr("逾期发布", "Filed late"), f"{counts['late']:,}")
c[4].metric(tr("表格有错误", "With errors"), f"{counts['errors']:,}")
c[5].metric(tr("疑似照抄上年", "Copied last year"), f"{counts['copied']:,}")
if counts["date_unknown"]:
    st.caption(
        tr(
            f"另有 {counts['date_unknown']:,} 份报告发布日期不明，无法判断是否逾期。",
            f"{counts['date_unknown']:,} more reports have no known publication date: lateness unknown.",
        )
    )

# ---- sub-regions first ---------------------------------------------------------------------
sub_col = scope.sub_column()
if sub_col != "agency_name":
    subs = run(q.subregion_problems, scope, year)
    if subs.height:
        st.subheader(tr("各下级地区", "Sub-regions"))
        shown = place_names(subs, "name", scope, "region")
        event = table(
            shown,
            ["region", "expected", "reports", "not_filed", "late", "errors", "copied"],
            key=f"cm_subs_{scope}",
            on_select="rerun",
            selection_mode="single-row",
        )
        st.caption(tr("点击一行可进入该地区。", "Click a row to open that region."))
        picked = event.selection.rows if event is not None else []
        if picked:
            name = subs["name"][picked[0]]
            if name is not None:
                target = {"prov": "province", "cty": "city", "cnty": "county"}[sub_col]
                if target == "province" and name in MUNICIPALITY_NAMES:
                    set_param("city", None)
                set_param(target, name)
                st.rerun()

# ---- the four lists ------------------------------------------------------------------------
st.subheader(tr("问题清单", "Lists"))
lists = {
    "not_filed": (tr("未发布", "Not filed"), counts["not_filed"]),
    "late": (tr("逾期", "Late"), counts["late"]),
    "errors": (tr("有错误", "Errors"), counts["errors"]),
    "copied": (tr("疑似照抄", "Copied"), counts["copied"]),
}
labels = {k: f"{name}（{n:,}）" if L == "zh" else f"{name} ({n:,})" for k, (name, n) in lists.items()}
want = param("list")
if want is not None and want not in lists:
    st.warning(t("bad_param", L).format(name="list", value=want, why=t("not_an_option", L)))
    want = None
current = want or next((k for k, (_, n) in lists.items() if n), "not_filed")


def _tab_changed() -> None:
    chosen = st.session_state["cm_tab"]
    set_param("list", next(k for k, v in labels.items() if v == chosen))


tabs = st.tabs(list(labels.values()), default=labels[current], key="cm_tab", on_change=_tab_changed)
PLACE = ["province", "city", "county"]
for tab, key in zip(tabs, lists):
    if not tab.open:
        continue
    with tab:
        if key == "not_filed":
            df = run(q.not_filed, scope, year).rename({"name": "agency"})
            df = df.with_columns(pl.col("kind").map_elements(lambda k: kind_words(k, L), return_dtype=pl.Utf8))
            cols = ["agency_link", "kind", *PLACE]
        elif key == "late":
            df = run(q.late_reports, scope, year, None)
            cols = ["agency_link", *PLACE, "publish_date", "deadline", "days_late"]
        elif key == "errors":
            df = run(q.error_reports, scope, year, None).with_columns(
                pl.col("rules").map_elements(
                    lambda s: "；".join(words(x, L) for x in (s or "").split("、") if x), return_dtype=pl.Utf8
                )
            )
            cols = ["agency_link", *PLACE, "n_errors", "rules"]
        else:
            df = run(q.copied_reports, scope, year, None)
            cols = ["agency_link", *PLACE, "message"]
        if df.height == 0:
            st.success(tr("本范围本年度没有这类问题。", "No such problem in this region and year."))
            continue
        table(agency_links(df), cols, key=f"cm_list_{key}")
        download(df.drop("agency_id"), f"{key}-{scope.name()}-{year}.csv", key=f"dl_{key}")

# ---- the grid: only agencies with a problem, paged ------------------------------------------
st.subheader(tr("有问题的机关：各年度情况", "Agencies with a problem, year by year"))
PER_PAGE = 40
page_no = bound_int("grid_page", 1, 1, 100_000)
grid = run(q.problem_grid, scope, collected_years(), PER_PAGE, (page_no - 1) * PER_PAGE)
if grid.height == 0:
    st.success(tr("本范围没有任何年度有问题的机关。", "No agency in this region has a problem in any year."))
else:
    total = grid["agencies"][0]
    pages = -(-total // PER_PAGE)
    state_labels = {s: state_words(s, L) for s in STATES}
    event = st.plotly_chart(
        charts.coverage_grid(grid, "", state_labels),
        width="stretch",
        key=f"compliance_grid_{scope}_{page_no}",
        config={"displayModeBar": False},
        on_select="rerun",
        selection_mode="points",
    )
    clicked = [p for p in (event or {}).get("selection", {}).get("points", []) if p.get("customdata")]
    if clicked:  # a click on a cell offers that agency's record for that year (a link: the URL stays the state)
        agency_id, cell_year = clicked[0]["customdata"][:2]
        name = grid.filter(pl.col("agency_id") == agency_id)["name"][0]
        st.page_link(
            "views/agency.py",
            label=tr(f"打开“{name}”{cell_year} 年度的单位档案", f"Open the record of {name} for {cell_year}"),
            icon=":material/arrow_forward:",
            query_params={**global_params(), "agency": str(agency_id), "year": str(cell_year)},
        )
    st.caption(
        tr("点击一格，可打开该机关该年度的单位档案。", "Click a cell for a link to that agency's record for that year.")
    )
    p1, p2, p3 = st.columns([1, 1, 4])
    if p1.button(tr("上一页", "Previous"), disabled=page_no <= 1, key="grid_prev"):
        set_param("grid_page", page_no - 1)
        st.rerun()
    if p2.button(tr("下一页", "Next"), disabled=page_no >= pages, key="grid_next"):
        set_param("grid_page", page_no + 1)
        st.rerun()
    first = (page_no - 1) * PER_PAGE + 1
    p3.caption(
        tr(
            f"共 {total:,} 个机关至少有一个年度未发布、逾期或有错误；按问题年度数排列，"
            f"本页第 {first:,}–{first + grid['agency_id'].n_unique() - 1:,} 个（第 {page_no} / {pages} 页）。",
            f"{total:,} agencies have at least one year not filed, late or with errors, most problem-years "
            f"first; this page shows {first:,}–{first + grid['agency_id'].n_unique() - 1:,} (page {page_no} of "
            f"{pages}).",
        )
    )

# ---- findings ------------------------------------------------------------------------------
st.subheader(tr("发现的问题", "Findings"))
fc = run(q.finding_counts, scope, year)
if fc.height == 0:
    st.success(tr("本范围本年度没有发现问题。", "No findings in this region and year."))
else:
    f1, f2 = st.columns(2)
    rule_ids = sorted(fc["rule"].unique().to_list(), key=lambda r: words(r, L))
    rules = bound_multiselect(tr("规则", "Rule"), rule_ids, "rule", fmt=lambda r: words(r, L), where=f1)
    sev = bound_multiselect(
        tr("严重程度", "Severity"),
        ["error", "warning", "info"],
        "severity",
        default=["error", "warning"],
        fmt=lambda s: SEVERITY_WORDS[s][i],
        where=f2,
    )
    flush_bad_params()
    found = run(q.findings, scope, year, rules or None, sev or None)
    total = found["total"][0] if found.height else 0
    shown = found.with_columns(
        pl.col("rule").map_elements(lambda r: words(r, L), return_dtype=pl.Utf8),
        pl.col("severity").map_elements(lambda s: SEVERITY_WORDS[s][i], return_dtype=pl.Utf8),
        pl.col("cells").map_elements(lambda s: cells_words(s, L), return_dtype=pl.Utf8),
    )
    table(
        agency_links(shown),
        ["agency_link", "year", "severity", "rule", "message", "cells"],
        key="cm_findings",
    )
    st.caption(
        tr(
            f"共 {total:,} 条"
            + ("" if total <= found.height else f"，显示前 {found.height:,} 条（下载督办清单可得全部）"),
            f"{total:,} findings"
            + (
                ""
                if total <= found.height
                else f"; the first {found.height:,} are shown (the follow-up list has them all)"
            ),
        )
    )
    origin_reading = [r for r in rule_ids if BY_ID.get(r) and BY_ID[r].origin == "reading"]
    if origin_reading:
        st.caption(
            tr(
                "“解读存疑”类规则（" + "、".join(words(r, L) for r in origin_reading) + "）是本系统读取文件时的不确定，"
                "交人工核查，不计入机关的得分。",
                "Rules about our reading (" + "; ".join(words(r, L) for r in origin_reading) + ") are for a person "
                "to check and count against nobody.",
            )
        )

# ---- scores --------------------------------------------------------------------------------
st.subheader(tr("合规得分", "Compliance score"))
st.caption(SCORE.words(L))
scores = run(q.compliance_scores, scope, year, None)
if scores.height:
    shown = scores.with_columns(
        pl.col("kind").map_elements(lambda k: kind_words(k, L), return_dtype=pl.Utf8),
        pl.when(pl.col("filed")).then(pl.lit(tr("是", "yes"))).otherwise(pl.lit(tr("否", "no"))).alias("filed"),
    )
    table(
        agency_links(shown),
        ["agency_link", "kind", *PLACE, "filed", "days_late", "n_errors", "n_warnings", "score"],
        key="cm_scores",
    )
    st.caption(
        tr(
            f"全部 {scores.height:,} 个机关，得分由低到高；逾期天数为空表示发布日期不明（不扣分，见上方说明）。",
            f"All {scores.height:,} agencies, lowest score first; an empty 'days late' means the date is unknown.",
        )
    )
    download(scores.drop("agency_id", "total"), f"scores-{scope.name()}-{year}.csv", key="dl_scores")

# ---- 督办进展: where people's decisions stand -------------------------------------------------
if work.has_store():
    st.subheader(tr("督办进展", "Follow-up progress"))
    states = work.state_counts(scope, year, run(q.agency_keys, scope) if scope.kind else None)
    for c, (state, n) in zip(st.columns(len(states)), states.items()):
        c.metric(work.state_word(state, L), f"{n:,}")
    st.caption(
        tr(
            "本范围本年度各报告自身问题（错误、警告）的处理状态；按地区的分布和通知整改见“督办”页。",
            "Where the reports' own problems (errors, warnings) stand; by region and notices on the Follow-up page.",
        )
    )

# ---- 督办清单 -------------------------------------------------------------------------------
st.subheader(tr("督办清单", "Follow-up list"))
st.caption(
    tr(
        "每个机关须整改的问题：问题说明、涉及的表格和单元格、所依据的规则。一个工作表逐条列出（可筛选），另一个按机关汇总。",
        "What each agency must fix: the problem, the tables and cells, the rule. One sheet lists them "
        "(filterable), another sums them up per agency. The workbook is in Chinese.",
    )
)
todo = run(q.followup_findings, scope, year, 1)  # the report's own problems nobody dismissed
n_todo = todo["total"][0] if todo.height else 0
if not n_todo:
    st.info(tr("本范围本年度没有须整改的问题。", "Nothing to fix in this region and year."))
elif st.button(
    tr(f"生成督办清单（Excel，{n_todo:,} 条）", f"Make the follow-up list (Excel, {n_todo:,} rows)"), key="make_todo"
) or st.session_state.get(f"todo_{scope}_{year}"):
    st.session_state[f"todo_{scope}_{year}"] = True  # made on request: a national list takes seconds to write
    with st.spinner(tr("正在生成督办清单…", "Writing the follow-up list…")):
        data = followup_workbook(scope, year)
    st.download_button(
        tr("下载督办清单", "Download the follow-up list"),
        data,
        f"督办清单-{scope.name()}-{year}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="dl_todo",
    )
