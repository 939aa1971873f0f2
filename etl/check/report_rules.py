"""Validate one report: the arithmetic the format prescribes, and consistency between the
prose and the tables. Each finding names its rule, its severity and the cells involved.

A NULL cell is never taken as 0: a check that needs it is not made, and the blank is
reported on its own (rule blank_cells)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from etl.model import Finding, Report, Value
from etl.registry.fields import (
    APPLICANT_COLUMNS,
    SECTION_TITLES,
    T2_KEYS,
    T3_COLUMN_KEYS,
    T3_COLUMN_ZH,
    T3_OUTCOME_ROWS,
    T3_ROW_KEYS,
    T3_ROW_ZH,
    T4_GROUP_ZH,
    T4_GROUPS,
    t2_label,
    t4_label,
)
from etl.registry.rules import RULES

COL_CN, ROW_CN, GROUP_CN = T3_COLUMN_ZH, T3_ROW_ZH, T4_GROUP_ZH


def _v(x: Value | None) -> int | float | None:
    return None if x is None else x.value


def _fmt(n: int | float) -> str:
    return f"{n:g}" if isinstance(n, float) else str(n)


def uncertain_cells(r: Report) -> set[str]:
    """Cells our reading placed without the labels saying where (by position): a sum that
    breaks over them is first a doubt about the reading, not the agency's error."""
    return {c for f in r.findings if f.rule == "cells_by_position" for c in f.cells}


def _rule_for(rule: str, cells: tuple[str, ...], doubt: str | None, uncertain: set[str]) -> tuple[str, str]:
    """(rule, severity) of a broken identity: the reading's doubt when it involves a cell
    placed by position."""
    if doubt and uncertain & set(cells):
        return doubt, "warning"
    return rule, "error"


def _sum_check(
    total: Value | None,
    parts: list[tuple[str, Value | None]],
    total_key: str,
    rule: str,
    what: str,
    out: list[Finding],
    doubt: str | None = None,
    uncertain: set[str] = frozenset(),
) -> None:
    """total = sum(parts). NULL parts: only a sum that already exceeds the total is an error."""
    t = _v(total)
    vals = [(k, _v(p)) for k, p in parts]
    known = [v for _, v in vals if v is not None]
    if t is None:
        if known and any(v for v in known):
            out.append(Finding(rule, "warning", f"{what}：总计栏空白，无法核对", (total_key,)))
        return
    s = sum(known)
    cells = (total_key, *[k for k, _ in vals])
    if not known:
        out.append(Finding(rule, "warning", f"{what}：总计为 {_fmt(t)}，但各分项均空白，无法核对", cells))
        return
    rid, sev = _rule_for(rule, cells, doubt, uncertain)
    why = "（其中有按位置读取的单元格，可能是读取有误，请核对原文）" if rid != rule else ""
    if len(known) == len(vals):
        if abs(s - t) > 1e-6:
            out.append(Finding(rid, sev, f"{what}：各项之和为 {_fmt(s)}，但总计印为 {_fmt(t)}{why}", cells))
    elif s > t + 1e-6:
        out.append(Finding(rid, sev, f"{what}：已填各项之和 {_fmt(s)} 已超过总计 {_fmt(t)}{why}", cells))


def check_t3(r: Report, out: list[Finding]) -> None:
    t3 = r.t3
    doubt, uncertain = "reading_sums_break", uncertain_cells(r)
    for col in T3_COLUMN_KEYS:
        a, b, c, d = (_v(t3[k][col]) for k in ("new_received", "carried_over", "total_processed", "carried_forward"))
        if None not in (a, b, c, d) and abs((a + b) - (c + d)) > 1e-6:
            keys = ("new_received", "carried_over", "total_processed", "carried_forward")
            cells = tuple(f"t3.{k}.{col}" for k in keys)
            rid, sev = _rule_for("t3_balance", cells, doubt, uncertain)
            out.append(
                Finding(
                    rid,
                    sev,
                    f"表三“{COL_CN[col]}”列不平衡：本年新收 {a} ＋ 上年结转 {b} ＝ {a + b}，"
                    f"而办理结果总计 {c} ＋ 结转下年度 {d} ＝ {c + d}",
                    cells,
                )
            )
    for row in T3_ROW_KEYS:
        cells = t3[row]
        if all(cells[c] is None for c in T3_COLUMN_KEYS):
            continue
        _sum_check(
            cells["total"],
            [(f"t3.{row}.{c}", cells[c]) for c in APPLICANT_COLUMNS],
            f"t3.{row}.total",
            "t3_row_sum",
            f"表三“{ROW_CN[row]}”行",
            out,
            doubt,
            uncertain,
        )
    for col in T3_COLUMN_KEYS:
        if t3["total_processed"][col] is None and all(t3[k][col] is None for k in T3_OUTCOME_ROWS):
            continue
        _sum_check(
            t3["total_processed"][col],
            [(f"t3.{k}.{col}", t3[k][col]) for k in T3_OUTCOME_ROWS],
            f"t3.total_processed.{col}",
            "t3_outcome_sum",
            f"表三“{COL_CN[col]}”列办理结果",
            out,
            doubt,
            uncertain,
        )
    for row in T3_ROW_KEYS:
        for col in T3_COLUMN_KEYS:
            v = _v(t3[row][col])
            if v is not None and (v < 0 or v != int(v)):
                out.append(
                    Finding(
                        "negative_value",
                        "error",
                        f"表三“{ROW_CN[row]}”/“{COL_CN[col]}”印为 {_fmt(v)}，申请数量应为非负整数",
                        (f"t3.{row}.{col}",),
                    )
                )


def check_t4(r: Report, out: list[Finding]) -> None:
    doubt, uncertain = "reading_sums_break", uncertain_cells(r)
    for g in T4_GROUPS:
        parts = [(f"t4.{g}_{s}", r.t4[f"{g}_{s}"]) for s in ("upheld", "corrected", "other", "pending")]
        if r.t4[f"{g}_total"] is None and all(p is None for _, p in parts):
            continue
        _sum_check(
            r.t4[f"{g}_total"], parts, f"t4.{g}_total", "t4_group_sum", f"表四“{GROUP_CN[g]}”", out, doubt, uncertain
        )
    for k, x in r.t4.items():
        v = _v(x)
        if v is not None and (v < 0 or v != int(v)):
            out.append(
                Finding(
                    "negative_value",
                    "error",
                    f"表四“{t4_label(k)}”印为 {_fmt(v)}，案件数应为非负整数",
                    (f"t4.{k}",),
                )
            )


def check_t2(r: Report, out: list[Finding]) -> None:
    for k in T2_KEYS:
        v = _v(r.t2[k])
        if v is None:
            continue
        if v < 0 or (k != "fees_wan" and v != int(v)):
            out.append(
                Finding(
                    "t2_invalid_number",
                    "error",
                    f"表二“{t2_label(k)}”印为 {_fmt(v)}，件数应为非负整数",
                    (f"t2.{k}",),
                )
            )
    for kind, cn in (("regulations", "规章"), ("normative", "行政规范性文件")):
        issued, repealed, valid = (_v(r.t2[f"{kind}_{s}"]) for s in ("issued", "repealed", "valid"))
        if None not in (issued, repealed, valid) and repealed > valid + issued:
            out.append(
                Finding(
                    "t2_repealed_exceeds",
                    "warning",
                    f"表二{cn}：本年废止 {repealed} 件，多于现行有效 {valid} 件与本年制发 {issued} 件之和",
                    (f"t2.{kind}_repealed", f"t2.{kind}_valid", f"t2.{kind}_issued"),
                )
            )


def check_narrative(r: Report, out: list[Finding]) -> None:
    m = r.narrative.get("applications_received_text")
    table = _v(r.t3["new_received"]["total"])
    if m is not None and table is not None and m.value != table:
        out.append(
            Finding(
                "narrative_vs_table",
                "warning",
                f"正文称收到政府信息公开申请 {m.value} 件，表三本年新收总计为 {_fmt(table)} 件（“{m.evidence[:60]}”）",
                ("narrative.applications_received_text", "t3.new_received.total"),
            )
        )
    review = r.narrative_counts.get("review")
    if review is not None and _v(r.t4["review_total"]) is not None and review != _v(r.t4["review_total"]):
        out.append(
            Finding(
                "narrative_cases_vs_t4",
                "warning",
                f"正文所述行政复议 {review} 件，表四行政复议总计为 {_fmt(_v(r.t4['review_total']))} 件",
                ("t4.review_total",),
            )
        )
    lit = r.narrative_counts.get("litigation")
    a, b = _v(r.t4["lit_direct_total"]), _v(r.t4["lit_after_review_total"])
    if lit is not None and a is not None and b is not None and lit != a + b:
        out.append(
            Finding(
                "narrative_cases_vs_t4",
                "warning",
                f"正文所述行政诉讼 {lit} 件，表四行政诉讼总计为 {_fmt(a + b)} 件",
                ("t4.lit_direct_total", "t4.lit_after_review_total"),
            )
        )


def check_structure(r: Report, out: list[Finding], today: date) -> None:
    missing = [n for n in range(1, 7) if n not in r.sections]
    if missing:
        names = "、".join(SECTION_TITLES[n] for n in missing)
        out.append(
            Finding(
                "missing_section",
                "warning",
                f"报告缺少以下部分：{names}",
                tuple(f"section.{n}" for n in missing),
            )
        )
    if r.format_version == "2019" and r.year is not None and r.year >= 2021:
        out.append(
            Finding(
                "format_2019_after_2021",
                "warning",
                f"{r.year} 年度报告仍使用 2019 版格式（应使用国办公开办函〔2021〕30号规定的格式），"
                "部分数字不可与新格式直接比较",
                ("format_version",),
            )
        )
    if r.year is not None and r.year >= today.year:  # a year's report appears after the year ends
        out.append(Finding("future_year", "error", f"报告年度为 {r.year} 年，该年度尚未结束，请核对", ("year",)))
    if r.title_year and r.period_year and r.title_year != r.period_year:
        out.append(
            Finding(
                "title_year_mismatch",
                "warning",
                f"标题写的是 {r.title_year} 年，统计期限却是 {r.period_year} 年",
                ("year",),
            )
        )


def blank_cells(r: Report, present: set[str]) -> list[str]:
    """Cells printed blank or "/" in tables that were found (not cells of missing tables)."""
    out = []
    if "t2" in present:
        out += [f"t2.{k}" for k, v in r.t2.items() if v is not None and v.value is None]
    if "t3" in present:
        out += [
            f"t3.{row}.{c}" for row, cols in r.t3.items() for c, v in cols.items() if v is not None and v.value is None
        ]
    if "t4" in present:
        out += [f"t4.{k}" for k, v in r.t4.items() if v is not None and v.value is None]
    return out


def check_blank_cells(r: Report, out: list[Finding]) -> None:
    present = {t for t in ("t2", "t3", "t4") if not any(f.rule == "missing_table" and t in f.cells for f in r.findings)}
    blanks = blank_cells(r, present)
    if blanks:
        out.append(
            Finding(
                "blank_cells",
                "info",
                f"统计表中有 {len(blanks)} 个单元格为空白或“/”，记为空（不按 0 计）",
                tuple(blanks),
            )
        )


def checks() -> list:
    """This module's checks, in the order of the rule registry (each run once)."""
    out: list = []
    for rule in RULES:
        if rule.scope == "report" and rule.impl.startswith(__name__ + ":"):
            fn = rule.implementation()
            if fn not in out:
                out.append(fn)
    return out


def validate(r: Report, today: date | None = None) -> Report:
    """Return the report with its findings: what the parser noted plus every report-scope rule of
    the registry. `today` decides which years are still running (the date of the check)."""
    today = today or date.today()
    out: list[Finding] = list(r.findings)
    for check in checks():
        if check is check_structure:
            check(r, out, today)
        else:
            check(r, out)
    return replace(r, findings=tuple(out))
