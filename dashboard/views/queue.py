"""核查: the review queue. Findings in the account's scope, our own reading doubts first, then the
reports' problems nobody has confirmed yet; filters in the link; batch confirm / dismiss with a
required 说明; one finding's evidence (where it was printed), its history and notes, and the
correction of a value with every version."""

import polars as pl
import streamlit as st

from dashboard import queries as q
from dashboard import work
from dashboard.i18n import t
from dashboard.review_ui import account_line, finding_detail, refusal_box
from dashboard.source import show_source
from dashboard.state import ALL, bound_multiselect, bound_select, header, lang, param, run, set_param, tr
from dashboard.ui import page_title, table
from etl.registry.rules import words
from etl.review.workflow import READING_STATES, REPORT_STATES

L = lang()
scope, year = st.session_state["scope"], st.session_state["year"]
header(page_title("queue", scope, year))
a = work.actor()
account_line(a)

keys = set(run(q.agency_keys, scope)["agency_key"].to_list()) if scope.kind else None
df = work.worklist(scope, year, a, keys)

# ---- filters (in the link) ---------------------------------------------------------------------
left, mid, right = st.columns([1, 1, 2])
with left:
    state = bound_select(
        tr("状态", "State"),
        ["open", ALL, *READING_STATES, *REPORT_STATES],
        "state",
        fmt=lambda s: {"open": tr("待处理（未经人工判断）", "Open (nobody decided yet)"), ALL: t("all", L)}.get(
            s, work.state_word(s, L)
        ),
    )
with mid:
    origin = bound_select(
        tr("类别", "Kind"),
        [ALL, "reading", "report"],
        "origin",
        fmt=lambda o: t("all", L) if o == ALL else work.origin_word(o, L),
    )
rules = sorted(set(df["rule"].to_list()), key=lambda r: words(r, L))
with right:
    picked_rules = bound_multiselect(tr("规则", "Rule"), rules, "rule", fmt=lambda r: words(r, L))

view = df
if state == "open":
    view = view.filter(pl.col("state").is_in(work.OPEN))
elif state != ALL:
    view = view.filter(pl.col("state") == state)
if origin != ALL:
    view = view.filter(pl.col("origin") == origin)
if picked_rules:
    view = view.filter(pl.col("rule").is_in(picked_rules))

n_doubts = view.filter(pl.col("origin") == "reading").height
n_reports = view.height - n_doubts
c1, c2, c3 = st.columns(3)
c1.metric(tr("读数存疑（本系统读取时没有把握）", "Reading doubts (our uncertainty)"), f"{n_doubts:,}")
c2.metric(tr("报告问题（报告本身的错误）", "Report problems (the report's own)"), f"{n_reports:,}")
c3.metric(tr("范围内全部问题", "All findings in scope"), f"{df.height:,}")

if flash := st.session_state.pop("_queue_flash", None):  # the last action's result, even if the list is now empty
    st.success(flash)
gone = view.height == 0 or param("finding") not in df["finding_id"]  # no detail drawn below
if gone and (flash := st.session_state.pop("_queue_detail_flash", None)):
    st.success(flash)  # the last item settled (or its report loaded again without it): its result shown here
if view.height == 0:
    st.success(tr("没有符合条件的问题。", "Nothing matches these filters."))
    st.stop()

LIMIT = 500
rows = view.head(LIMIT)
if view.height > LIMIT:
    st.caption(
        tr(
            f"共 {view.height:,} 项，列出前 {LIMIT} 项（读数存疑在前）；可用上面的条件缩小范围。",
            f"{view.height:,} findings; the first {LIMIT} are listed (reading doubts first): narrow the filters.",
        )
    )
can = work.can_act(a)
gen = st.session_state.setdefault("_queue_gen", 0)  # a new table after an action: no stale selection
ev = table(
    work.shown(rows, L),
    {
        "kind_of": tr("类别", "Kind"),
        "state_w": tr("状态", "State"),
        "agency": tr("机关", "Agency"),
        "place": tr("地区", "Region"),
        "year": tr("年度", "Year"),
        "sev": tr("严重程度", "Severity"),
        "rule_w": tr("问题", "Problem"),
        "message": tr("说明（检查原文）", "Details (as the checks word them, in Chinese)"),
        "cells_w": tr("涉及的表格和单元格", "Tables and cells"),
    },
    key=f"queue_table_{gen}",
    height=420,
    on_select="rerun",
    selection_mode="multi-row",
)
picked = [rows["finding_id"][i] for i in (ev.selection.rows if ev is not None else [])]

# ---- batch actions ---------------------------------------------------------------------------------
if can:
    with st.form("queue_batch", border=True):
        st.markdown(
            "**"
            + tr(f"对选中的 {len(picked)} 项批量操作", f"Act on the {len(picked)} selected findings")
            + "**"
            + tr("（在上表左侧勾选；操作记入历史，署您的账户名）", " (tick rows on the left; recorded in your name)")
        )
        comment = st.text_area(
            tr("说明（必填）", "Comment (required)"),
            placeholder=tr("例如：已与原文核对，确属报告错误", "e.g. checked against the file: the report is wrong"),
            key="queue_comment",
        )
        every = st.checkbox(
            tr(f"对列出的全部 {rows.height:,} 项（按上面的条件筛选）", f"All {rows.height:,} listed (as filtered)"),
            key="queue_all",
        )
        b1, b2, b3, _ = st.columns([1, 1, 1, 2])
        action = None
        if b1.form_submit_button(tr("确认", "Confirm"), icon=":material/check:", type="primary"):
            action = "confirm"
        if b2.form_submit_button(tr("排除（不是问题）", "Dismiss (not a problem)"), icon=":material/block:"):
            action = "dismiss"
        if b3.form_submit_button(tr("标为无法辨认", "Mark unreadable"), icon=":material/visibility_off:"):
            action = "unreadable"
    if action:
        if every:
            picked = rows["finding_id"].to_list()
        if not picked:
            st.warning(tr("请先在表中勾选要处理的项。", "Tick the findings to act on first."))
        else:
            try:
                done = work.decide_many(a, picked, action, comment)
            except work.Refused as e:
                refusal_box(e)
            else:
                st.session_state["_queue_gen"] = gen + 1
                st.session_state["_queue_flash"] = tr(
                    f"已处理 {len(done)} 项（操作人：{a.name}）。",
                    f"{len(done)} findings changed (by {a.name}).",
                )
                st.rerun()
else:
    st.info(tr("只读：您的账户不能更改状态。", "Read-only: your account cannot change states."))

# ---- one finding ------------------------------------------------------------------------------------
st.subheader(tr("逐项核查", "One finding"))
want = picked[0] if picked else param("finding")
if want is not None and want not in rows["finding_id"] and want in df["finding_id"]:
    rows = pl.concat([df.filter(pl.col("finding_id") == want), rows])  # just acted on: it stays in view
ids = rows["finding_id"].to_list()
if want is not None and want not in ids:
    want = None
label_of = {  # each label differs (the browser sends the label back): the 编号 ends it
    r["finding_id"]: f"{work.origin_word(r['origin'], L)}｜{r['agency']}｜{words(r['rule'], L)}"
    + f"（{work.state_word(r['state'], L)}）"
    + tr(f"｜编号 {r['finding_id']}", f" | id {r['finding_id']}")
    for r in rows.iter_rows(named=True)
}
chosen = st.selectbox(
    tr("选择一项（或在上表中勾选）", "Pick a finding (or tick one in the table)"),
    ids,
    index=ids.index(want) if want else 0,
    format_func=label_of.get,
    key=f"queue_pick_{want}",
    placeholder=t("choose", L),
)
set_param("finding", chosen)
finding_detail(a, rows.filter(pl.col("finding_id") == chosen).row(0, named=True), show_source, key="queue")
