"""督办: the reports' problems a person confirmed, sent to the agency with a deadline, and where they
stand by region; the overdue list; the 督办清单 workbook with each finding's 编号, 状态, 说明 and
期限, and its import back with the result of every row."""

from datetime import date, timedelta

import polars as pl
import streamlit as st

from dashboard import charts, followup, work
from dashboard import queries as q
from dashboard.review_ui import account_line, refusal_box
from dashboard.state import connection, header, lang, run, tr
from dashboard.ui import page_title, place_names, scope_label, table
from etl.review.workflow import REPORT_STATES

L = lang()
scope, year = st.session_state["scope"], st.session_state["year"]
header(page_title("supervise", scope, year))
a = work.actor()
account_line(a)
can = work.can_act(a)

keys = set(run(q.agency_keys, scope)["agency_key"].to_list()) if scope.kind else None
df = work.worklist(scope, year, a, keys).filter(pl.col("origin") == "report")
if df.height == 0:
    st.info(tr("本范围本年度没有须督办的问题。", "No report problems to follow up in this region and year."))
    st.stop()

# ---- where the work stands, by region -------------------------------------------------------------
counts = {s: df.filter(pl.col("state") == s).height for s in REPORT_STATES}
cols = st.columns(len(REPORT_STATES))
for c, s in zip(cols, REPORT_STATES):
    c.metric(work.state_word(s, L), f"{counts[s]:,}")

sub = "agency" if scope.county else ("county" if scope.city else ("city" if scope.province else "province"))
by_region = place_names(
    df.group_by(sub, "state").agg(pl.len().alias("n")).rename({sub: "region"}), "region", scope
).sort("region")
top = (
    by_region.group_by("region").agg(pl.col("n").sum()).sort("n", descending=True).head(40)["region"].to_list()
)  # the 40 regions with the most findings: a bar each
st.plotly_chart(
    charts.state_bars(
        by_region.filter(pl.col("region").is_in(top)),
        tr(f"各地区问题的督办状态 · {scope_label(scope)}", f"Follow-up state by region · {scope_label(scope)}"),
        {s: work.state_word(s, L) for s in REPORT_STATES},
        tr("问题数（项）", "Findings"),
    ),
    width="stretch",
    key="supervise_states",
)
if by_region["region"].n_unique() > len(top):
    st.caption(
        tr(
            f"只画出问题最多的 {len(top)} 个地区（共 {by_region['region'].n_unique()} 个）。",
            f"The {len(top)} regions with the most findings are drawn ({by_region['region'].n_unique()} in all).",
        )
    )

HEADS = {
    "state_w": tr("状态", "State"),
    "agency": tr("机关", "Agency"),
    "place": tr("地区", "Region"),
    "rule_w": tr("问题", "Problem"),
    "message": tr("说明（检查原文）", "Details (as the checks word them, in Chinese)"),
    "deadline": tr("整改期限", "Deadline"),
}

# ---- confirmed: send to the agency with a deadline -------------------------------------------------
st.subheader(tr("已确认的问题：通知整改", "Confirmed problems: notify the agency"))
ready = df.filter(pl.col("state").is_in(["已确认", "逾期未改"]))
if flash := st.session_state.pop("_sup_flash", None):
    st.success(flash)
if ready.height == 0:
    st.caption(
        tr(
            "还没有已确认的问题：先在“核查”页确认。",
            "No confirmed problems yet: confirm them on the review queue first.",
        )
    )
else:
    gen = st.session_state.setdefault("_sup_gen", 0)
    ev = table(
        work.shown(ready.head(500), L),
        HEADS,
        key=f"sup_ready_{gen}",
        height=min(400, 35 * (min(ready.height, 500) + 1) + 3),
        on_select="rerun" if can else None,
        selection_mode="multi-row",
    )
    picked = [ready["finding_id"][i] for i in (ev.selection.rows if ev is not None and can else [])]
    if can:
        with st.form("sup_notify"):
            c1, c2 = st.columns([1, 3])
            deadline = c1.date_input(
                tr("整改期限", "Deadline"), value=date.today() + timedelta(days=30), min_value=date.today(),
                format="YYYY-MM-DD",
            )  # fmt: skip
            comment = c2.text_input(tr("说明（必填）", "Comment (required)"), key="sup_comment")
            go_ = st.form_submit_button(
                tr(f"通知整改（选中 {len(picked)} 项）", f"Notify ({len(picked)} selected)"),
                icon=":material/send:",
                type="primary",
            )
        if go_:
            if not picked:
                st.warning(tr("请先在表中勾选要通知的项。", "Tick the findings to notify first."))
            else:
                try:
                    done = work.act(a, picked, "已通知", comment, deadline)
                except work.Refused as e:
                    refusal_box(e)
                else:
                    st.session_state["_sup_gen"] = gen + 1
                    st.session_state["_sup_flash"] = tr(
                        f"已通知 {len(done)} 项，期限 {deadline.isoformat()}（操作人：{a.name}）。",
                        f"{len(done)} notified, deadline {deadline.isoformat()} (by {a.name}).",
                    )
                    st.rerun()

# ---- overdue ------------------------------------------------------------------------------------------
st.subheader(tr("逾期未改", "Overdue"))
late = df.filter(
    (pl.col("state") == "逾期未改") | ((pl.col("state") == "已通知") & (pl.col("deadline") < date.today()))
)
if late.height == 0:
    st.caption(tr("没有逾期未改的问题。", "Nothing is overdue."))
else:
    table(work.shown(late.head(500), L), HEADS, key="sup_late", height=min(400, 35 * (min(late.height, 500) + 1) + 3))

# ---- the workbook, out and back in ---------------------------------------------------------------------
st.subheader(tr("督办清单（Excel）", "The follow-up list (Excel)"))
st.caption(
    tr(
        "清单逐条列出须整改的问题，含编号、状态、说明和期限。在 Excel 中修改状态、说明、期限后上传，"
        "系统逐行核对：有效的行一并生效，无效的行列出原因，不会只改一半。",
        "One row per problem to fix, with its id, state, comment and deadline. Edit the state, comment and "
        "deadline in Excel and upload it: every row is checked, the valid rows are applied together and each "
        "refused row is listed with its reason. The workbook is in Chinese.",
    )
)
c1, c2 = st.columns(2)
with c1:
    if year is not None and st.button(tr("生成督办清单", "Make the follow-up list"), key="sup_make"):
        data, n = followup.workbook(connection(), scope, year, followup.Review(work.store(), work.findings()))
        st.download_button(
            tr(f"下载督办清单（{n:,} 条）", f"Download the follow-up list ({n:,} rows)"),
            data,
            f"督办清单-{scope.name()}-{year}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key="sup_download",
            icon=":material/download:",
        )
with c2:
    if can:
        if L == "zh":  # Streamlit writes the drop zone's words in English only: say them in Chinese
            st.html(
                "<style>.st-key-sup_upload [data-testid=stFileUploaderDropzoneInstructions],"
                ".st-key-sup_upload [data-testid=stFileUploaderDropzone] button{display:none}"
                ".st-key-sup_upload [data-testid=stFileUploaderDropzone]{cursor:pointer}"
                ".st-key-sup_upload [data-testid=stFileUploaderDropzone]::before"
                "{content:'把 .xlsx 文件拖到这里，或点击此处选择文件';color:#555;font-size:14px}</style>"
            )
        up = st.file_uploader(
            tr("上传修改后的督办清单", "Upload an edited follow-up list"), type=["xlsx"], key="sup_upload"
        )
        if up is not None and st.button(tr("导入", "Import"), key="sup_import", type="primary"):
            try:
                rep = work.import_excel(a, up.getvalue())
            except work.ReviewError as e:
                st.error(str(e), icon=":material/block:")
            else:
                st.session_state["_sup_import"] = rep
if rep := st.session_state.get("_sup_import"):
    st.markdown(
        "**"
        + tr(
            f"导入结果：改变状态 {len(rep.changed)} 行，添加说明 {len(rep.noted)} 行，无变化 {rep.unchanged} 行，"
            f"未采用 {len(rep.refused)} 行",
            f"Import: {len(rep.changed)} rows changed state, {len(rep.noted)} added a note, {rep.unchanged} "
            f"changed nothing, {len(rep.refused)} refused",
        )
        + "**"
    )
    res = pl.DataFrame(
        [(r.row, r.finding_id, tr("已采用", "applied"), r.what) for r in (*rep.changed, *rep.noted)]
        + [(r.row, r.finding_id, tr("未采用", "refused"), r.what) for r in rep.refused],
        schema={"row": pl.Int64, "id": pl.Utf8, "result": pl.Utf8, "what": pl.Utf8},
        orient="row",
    ).sort("row")
    if res.height:
        table(
            res,
            {
                "row": tr("行号", "Row"),
                "id": tr("编号", "Id"),
                "result": tr("结果", "Result"),
                "what": tr("内容或原因", "What, or why not"),
            },
            key="sup_import_rows",
        )
