"""Pieces the review pages share (核查, 督办, 单位档案): who is signed in, refusals in words, one
finding's evidence, history, notes and corrections, and the forms that act on it (drawn only for
a reviewer or an admin; the actions are checked again in dashboard.work and etl.review)."""

from __future__ import annotations

import re

import polars as pl
import streamlit as st

from dashboard import queries as q
from dashboard import work
from dashboard.source import cells_words, locate
from dashboard.state import lang, run, tr
from dashboard.ui import table
from etl.registry.fields import BY_KEY, BY_REF, WIDE, field_label
from etl.registry.rules import words
from etl.review import corrections, queries
from etl.review.accounts import ROLE_WORDS
from etl.review.model import Actor

ROLE_EN = {"viewer": "viewer", "reviewer": "reviewer", "admin": "administrator"}
ACTION_WORDS = {"correct": ("更正", "correction"), "withdraw": ("撤回", "withdrawal")}
LINE = re.compile(r"L(\d+)")


def account_line(a: Actor | None) -> None:
    L = lang()
    if a is None:
        st.caption(tr("未登录：只读。", "Not signed in: read-only."))
        return
    role = ROLE_WORDS.get(a.role, a.role) if L == "zh" else ROLE_EN.get(a.role, a.role)
    where = a.scope.text() if L == "zh" or not a.scope.national else "whole country"
    st.caption(tr(f"账户：{a.name}（{role}），范围：{where}", f"Account: {a.name} ({role}), scope: {where}"))


def refusal_box(e: work.Refused) -> None:
    """Refused in words: every reason (they are written in Chinese by etl.review)."""
    head = tr("未执行，没有任何更改：", "Not done; nothing was changed:")
    st.error(head + "\n\n" + "\n".join(f"- {r.reason}" for r in e.refusals), icon=":material/block:")


def _when(d) -> str:
    return d.astimezone().strftime("%Y-%m-%d %H:%M") if d else "—"


def _num(v) -> str:
    if v is None:
        return tr("空白", "blank")
    return f"{int(v):,}" if float(v).is_integer() else f"{v:,}"


def history_frame(finding_id: str) -> pl.DataFrame:
    L = lang()
    h = queries.history(work.store(), finding_id)
    n = queries.notes(work.store(), finding_id)
    rows = [
        (e.at, _when(e.at), e.account, work.via_word(e.via, L),
         f"{work.state_word(e.from_state, L)} → {work.state_word(e.to_state, L)}", e.note or "",
         e.deadline.isoformat() if e.deadline else "")
        for e in h
    ] + [
        (x.at, _when(x.at), x.account, tr("说明", "note"), tr("（添加说明）", "(note added)"), x.text, "")
        for x in n
    ]  # fmt: skip
    rows.sort(key=lambda r: r[0])
    return pl.DataFrame(
        [r[1:] for r in rows],
        schema={c: pl.Utf8 for c in ("at", "account", "via", "change", "note", "deadline")},
        orient="row",
    )


def history_table(finding_id: str, key: str) -> None:
    hist = history_frame(finding_id)
    if hist.height == 0:
        st.caption(tr("还没有人处理过这一项。", "Nobody has acted on this finding yet."))
        return
    table(
        hist,
        {
            "at": tr("时间", "When"),
            "account": tr("账户", "Account"),
            "via": tr("途径", "How"),
            "change": tr("状态变化", "Change"),
            "note": tr("说明", "Comment"),
            "deadline": tr("整改期限", "Deadline"),
        },
        key=f"{key}_hist",
    )


def versions_frame(sha: str) -> pl.DataFrame:
    L = lang()
    rows = [
        (field_label(v.field, L)[0] if v.field in BY_KEY else v.field, str(v.version),
         ACTION_WORDS[v.action][0 if L == "zh" else 1], _num(v.original_value),
         f"{_num(v.value_before)} → {_num(v.value_after)}", v.reason, v.account, _when(v.at))
        for v in corrections.versions(work.store(), sha)
    ]  # fmt: skip
    names = ("field", "version", "action", "original", "change", "reason", "account", "at")
    return pl.DataFrame(rows, schema={c: pl.Utf8 for c in names}, orient="row")


def versions_table(sha: str, key: str) -> None:
    v = versions_frame(sha)
    if v.height == 0:
        st.caption(tr("本报告还没有人工更正。", "No value of this report has been corrected."))
        return
    table(
        v,
        version_heads(),
        key=f"{key}_versions",
    )


def _fields(cells: str | None) -> list[str]:
    return list(dict.fromkeys(BY_REF[c].key for c in (cells or "").split(",") if c in BY_REF))


def evidence(r: dict, show_source) -> dict | None:
    """Where the finding's numbers were printed; returns the report row (or None)."""
    L = lang()
    rep = run(q.report_by_sha, r["sha256"]) if r["sha256"] else None
    if rep is None or rep.height == 0:
        st.caption(tr("这一项没有对应的报告文件（如未发布的报告）。", "No report file goes with this finding."))
        return None
    row = rep.row(0, named=True)
    cells = run(q.report_cells, row["report_id"])
    text = run(q.report_text, row["report_id"])
    have = set(cells["field"].to_list())
    shown = 0
    for fk in _fields(r["cells"]):
        if fk in have and shown < 3:
            show_source(locate(cells, fk), text, cells, L)
            shown += 1
    lines = text.split("\n")
    for ref in (r["cells"] or "").split(","):
        if (m := LINE.fullmatch(ref)) and int(m[1]) <= len(lines) and shown < 3:
            n = int(m[1])
            lo, hi = max(1, n - 3), min(len(lines), n + 3)
            st.code("\n".join(f"{'▶' if i == n else ' '} {i:>4} | {lines[i - 1]}" for i in range(lo, hi + 1)))
            shown += 1
    if not shown:
        st.caption(tr("没有记录这一项在原文中的位置。", "Where this was printed was not recorded."))
    return row


def _few_cells(cells: str | None, lang_: str, most: int = 6) -> str:
    parts = [x for x in (cells_words(cells, lang_) or "").split("；" if lang_ == "zh" else "; ") if x]
    if not parts:
        return "—"
    more = tr(f" 等 {len(parts)} 处", f" and {len(parts) - most} more") if len(parts) > most else ""
    return ("；" if lang_ == "zh" else "; ").join(parts[:most]) + more


def finding_detail(a: Actor | None, r: dict, show_source, key: str) -> None:
    """One finding: what, where it was printed, its state and history, notes and corrections; the
    forms only for an account that may act."""
    L = lang()
    if flash := st.session_state.pop(f"_{key}_detail_flash", None):
        st.success(flash)
    place = "/".join(x for x in (r["province"], r["city"], r["county"]) if x) or tr("地区未识别", "place unknown")
    st.markdown(
        f"**{work.origin_word(r['origin'], L)}｜{words(r['rule'], L)}**　{r['agency']}　{place}　"
        + tr(f"{r['year']} 年度", f"{r['year']}")
    )
    st.text(r["message"] or "")
    deadline = f"，{tr('整改期限', 'deadline')} {r['deadline']}" if r.get("deadline") else ""
    st.caption(
        tr("当前状态：", "State: ")
        + work.state_word(r["state"], L)
        + deadline
        + tr("；涉及：", "; cells: ")
        + _few_cells(r["cells"], L)
    )
    left, right = st.columns([3, 2])
    with left:
        st.markdown("**" + tr("原文出处", "Where it was printed") + "**")
        rep = evidence(r, show_source)
    with right:
        st.markdown("**" + tr("处理记录", "History") + "**")
        history_table(r["finding_id"], key)
    if rep is not None:
        st.markdown("**" + tr("人工更正（全部版本）", "Corrections (every version)") + "**")
        versions_table(r["sha256"], key)
    if not work.can_act(a):
        return
    c1, c2 = st.columns(2)
    with c1, st.form(f"{key}_note_form"):
        text = st.text_area(tr("添加说明", "Add a note"), key=f"{key}_note")
        if st.form_submit_button(tr("保存说明", "Save the note"), icon=":material/edit_note:"):
            try:
                work.note(a, r["finding_id"], text)
            except work.Refused as e:
                refusal_box(e)
            else:
                st.session_state[f"_{key}_detail_flash"] = tr(f"已保存说明（{a.name}）。", f"Note saved ({a.name}).")
                st.rerun()
    if rep is None:
        return
    with c2, st.form(f"{key}_fix_form"):
        own = _fields(r["cells"])
        options = own + [k for k in WIDE if k not in own]
        field = st.selectbox(
            tr("更正哪个数值", "Value to correct"),
            options,
            format_func=lambda k: field_label(k, L)[0],
            key=f"{key}_fix_field",
            placeholder=tr("请选择", "Choose"),
        )
        live = corrections.overrides(work.store(), [r["sha256"]]).get((r["sha256"], field))
        said = tr("原文读数：", "Read from the file: ") + _num(rep.get(field))
        if live is not None:
            said += tr("；现值（人工更正）：", "; now (corrected): ") + _num(live.value)
        st.caption(said)
        value = st.text_input(
            tr("正确的数值（留空表示空白）", "The right value (empty: blank)"), key=f"{key}_fix_value"
        )
        reason = st.text_input(tr("理由（必填）", "Reason (required)"), key=f"{key}_fix_reason")
        if st.form_submit_button(tr("保存更正", "Save the correction"), icon=":material/save:"):
            try:
                v = float(value.replace(",", "").strip()) if value.strip() else None
            except ValueError:
                st.error(tr(f"“{value}”不是数字。", f"“{value}” is not a number."))
            else:
                try:
                    done, job = work.fix_value(a, r["finding_id"], field, v, rep.get(field), reason)
                except work.Refused as e:
                    refusal_box(e)
                else:
                    st.session_state[f"_{key}_detail_flash"] = tr(
                        f"已保存更正（第 {done.version} 版，{a.name}）："
                        f"{_num(done.value_before)} → {_num(done.value_after)}。",
                        f"Correction saved (version {done.version}, {a.name}): "
                        f"{_num(done.value_before)} → {_num(done.value_after)}.",
                    ) + (
                        tr(
                            "该报告正在后台重新核对（读入更正后的数字，重算勾稽关系），完成后各页面即显示更正后的数字。",
                            " The report is being checked again in the background with the corrected value; "
                            "every page shows it when that finishes.",
                        )
                        if job
                        else tr(
                            "该报告的源文件不在本机，更正将在下次入库时生效。",
                            " The report's file is not on this machine: the correction applies at the next load.",
                        )
                    )
                    st.rerun()


def version_heads() -> dict[str, str]:
    """The column heads of a table of correction versions (here and on the agency record)."""
    return {
        "field": tr("数值", "Value"),
        "version": tr("版本", "Version"),
        "action": tr("操作", "Action"),
        "original": tr("原文读数", "As read from the file"),
        "change": tr("更正", "Change"),
        "reason": tr("理由", "Reason"),
        "account": tr("账户", "Account"),
        "at": tr("时间", "When"),
    }
