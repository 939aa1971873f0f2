"""The data dictionary of the annual report format (shared/reference/annual-report-format.md).

Every other module takes field keys from here: the parser's output, the DuckDB columns
(`t2__*`, `t3__row__col`, `t4__*`) and the dashboard's labels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    key: str
    label: str  # Chinese label as printed
    unit: str
    description: str


T2_FIELDS: tuple[Field, ...] = (
    Field("regulations_issued", "规章 本年制发件数", "件", "第二十条第（一）项 规章，本年制发"),
    Field("regulations_repealed", "规章 本年废止件数", "件", "第二十条第（一）项 规章，本年废止"),
    Field("regulations_valid", "规章 现行有效件数", "件", "第二十条第（一）项 规章，现行有效"),
    Field("normative_issued", "行政规范性文件 本年制发件数", "件", "第二十条第（一）项 行政规范性文件，本年制发"),
    Field("normative_repealed", "行政规范性文件 本年废止件数", "件", "第二十条第（一）项 行政规范性文件，本年废止"),
    Field("normative_valid", "行政规范性文件 现行有效件数", "件", "第二十条第（一）项 行政规范性文件，现行有效"),
    Field("licensing_decisions", "行政许可 本年处理决定数量", "件", "第二十条第（五）项"),
    Field("punishment_decisions", "行政处罚 本年处理决定数量", "件", "第二十条第（六）项"),
    Field("coercion_decisions", "行政强制 本年处理决定数量", "件", "第二十条第（六）项"),
    Field("fees_wan", "行政事业性收费 本年收费金额", "万元", "第二十条第（八）项，可含小数"),
)
T2_KEYS: tuple[str, ...] = tuple(f.key for f in T2_FIELDS)

T3_COLUMNS: tuple[tuple[str, str], ...] = (
    ("natural_person", "自然人"),
    ("commercial", "商业企业"),
    ("research", "科研机构"),
    ("social_welfare", "社会公益组织"),
    ("legal_service", "法律服务机构"),
    ("other_org", "其他"),
    ("total", "总计"),
)
T3_COLUMN_KEYS: tuple[str, ...] = tuple(k for k, _ in T3_COLUMNS)
APPLICANT_COLUMNS: tuple[str, ...] = T3_COLUMN_KEYS[:6]

T3_ROWS: tuple[tuple[str, str], ...] = (
    ("new_received", "一、本年新收政府信息公开申请数量"),
    ("carried_over", "二、上年结转政府信息公开申请数量"),
    ("granted", "（一）予以公开"),
    ("partially_granted", "（二）部分公开"),
    ("denied_state_secret", "（三）不予公开 1.属于国家秘密"),
    ("denied_law_prohibited", "（三）不予公开 2.其他法律行政法规禁止公开"),
    ("denied_three_safety", "（三）不予公开 3.危及“三安全一稳定”"),
    ("denied_third_party", "（三）不予公开 4.保护第三方合法权益"),
    ("denied_internal_affairs", "（三）不予公开 5.属于三类内部事务信息"),
    ("denied_process_info", "（三）不予公开 6.属于四类过程性信息"),
    ("denied_enforcement_file", "（三）不予公开 7.属于行政执法案卷"),
    ("denied_query_matter", "（三）不予公开 8.属于行政查询事项"),
    ("unable_not_held", "（四）无法提供 1.本机关不掌握相关政府信息"),
    ("unable_needs_creation", "（四）无法提供 2.没有现成信息需要另行制作"),
    ("unable_unclear", "（四）无法提供 3.补正后申请内容仍不明确"),
    ("rejected_complaint", "（五）不予处理 1.信访举报投诉类申请"),
    ("rejected_duplicate", "（五）不予处理 2.重复申请"),
    ("rejected_publication", "（五）不予处理 3.要求提供公开出版物"),
    ("rejected_excessive", "（五）不予处理 4.无正当理由大量反复申请"),
    ("rejected_confirmation", "（五）不予处理 5.要求行政机关确认或重新出具已获取信息"),
    ("other_no_correction", "（六）其他处理 1.申请人无正当理由逾期不补正"),
    ("other_no_fee", "（六）其他处理 2.申请人逾期未按收费通知要求缴纳费用"),
    ("other_other", "（六）其他处理 3.其他"),
    ("total_processed", "（七）总计"),
    ("carried_forward", "四、结转下年度继续办理"),
)
T3_ROW_KEYS: tuple[str, ...] = tuple(k for k, _ in T3_ROWS)
# The 21 outcome rows whose sum is total_processed (granted through other_other).
T3_OUTCOME_ROWS: tuple[str, ...] = T3_ROW_KEYS[2:23]

T4_GROUPS: tuple[tuple[str, str], ...] = (
    ("review", "行政复议"),
    ("lit_direct", "行政诉讼 未经复议直接起诉"),
    ("lit_after_review", "行政诉讼 复议后起诉"),
)
T4_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
    ("total", "总计"),
)
T4_KEYS: tuple[str, ...] = tuple(f"{g}_{s}" for g, _ in T4_GROUPS for s, _ in T4_SUFFIXES)

NARRATIVE_METRICS: tuple[Field, ...] = (
    Field("info_published_total", "主动公开政府信息", "条", "正文所述全年主动公开政府信息总数"),
    Field("policy_interpretations", "政策解读", "条", "正文所述政策解读数量"),
    Field("responses_to_concerns", "回应关切", "条", "正文所述回应社会关切数量"),
    Field("applications_received_text", "收到申请（正文）", "件", "正文所述收到政府信息公开申请数量，未收到记 0"),
)
NARRATIVE_KEYS: tuple[str, ...] = tuple(f.key for f in NARRATIVE_METRICS)

SECTION_TITLES: dict[int, str] = {
    1: "一、总体情况",
    2: "二、主动公开政府信息情况",
    3: "三、收到和处理政府信息公开申请情况",
    4: "四、政府信息公开行政复议、行政诉讼情况",
    5: "五、存在的主要问题及改进情况",
    6: "六、其他需要报告的事项",
}


def t3_label(row: str, col: str) -> str:
    rows = dict(T3_ROWS)
    cols = dict(T3_COLUMNS)
    return f"{rows[row]} / {cols[col]}"


def t4_label(key: str) -> str:
    for g, gl in T4_GROUPS:
        for s, sl in T4_SUFFIXES:
            if key == f"{g}_{s}":
                return f"{gl} {sl}"
    raise KeyError(key)


def flat_columns() -> list[str]:
    """Wide column names as the warehouse uses them."""
    cols = [f"t2__{k}" for k in T2_KEYS]
    cols += [f"t3__{r}__{c}" for r in T3_ROW_KEYS for c in T3_COLUMN_KEYS]
    cols += [f"t4__{k}" for k in T4_KEYS]
    return cols


def field_label(flat: str) -> tuple[str, str]:
    """(Chinese label, unit) of a flat column name such as ``t3__granted__total``."""
    parts = flat.split("__")
    if parts[0] == "t2":
        f = next(f for f in T2_FIELDS if f.key == parts[1])
        return f"表二 {f.label}", f.unit
    if parts[0] == "t3":
        return f"表三 {t3_label(parts[1], parts[2])}", "件"
    if parts[0] == "t4":
        return f"表四 {t4_label(parts[1])}", "件"
    raise KeyError(flat)


def cell_words(ref: str) -> str:
    """A finding's cell reference (``t3.granted.total``, ``t4.review_total``, ``narrative.x``,
    ``L12``, ``T2R24C5``) in the words of the printed report, for people who fix it."""
    if m := re.fullmatch(r"L(\d+)", ref):
        return f"原文第 {m[1]} 行"
    if m := re.fullmatch(r"T(\d+)R(\d+)C(\d+)", ref):
        return f"网页第 {m[1]} 个表格第 {m[2]} 行第 {m[3]} 列"
    parts = ref.split(".")
    if len(parts) == 1 and ref in ("t2", "t3", "t4"):
        return f"{TABLE_NAMES[ref]}（整表）"
    if parts[0] in ("t2", "t3", "t4"):
        try:
            return field_label("__".join(parts))[0]
        except (KeyError, IndexError, StopIteration):
            return ref
    if parts[0] == "narrative":
        names = {f.key: f.label for f in NARRATIVE_METRICS}
        return f"正文所述 {names.get(parts[-1], '数字')}"
    return {"format_version": "报告格式（表格版本）", "publish_date": "发布日期"}.get(ref, ref)


TABLE_NAMES = {"t2": "表二", "t3": "表三", "t4": "表四"}
