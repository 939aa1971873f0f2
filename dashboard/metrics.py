"""Every metric and derived rate the dashboard shows: its SQL (over the reports in scope), unit,
formula and source fields. The 口径说明 page is generated from this table, and every query
uses it, so the definition shown is the definition computed."""

from __future__ import annotations

from dataclasses import dataclass

from etl.registry.rules import SCORE


@dataclass(frozen=True)
class Metric:
    key: str
    zh: str
    en: str
    unit: str
    sql: str  # an aggregate over the reports in scope (alias r)
    formula: str
    sources: tuple[str, ...]
    higher_is_better: bool | None = None


def _s(col: str) -> str:
    return f"sum(r.{col})"


def _rate(num: str, den: str) -> str:
    return f"CASE WHEN ({den}) > 0 THEN ({num}) * 1.0 / ({den}) END"


CORRECTED = "r.t4__review_corrected + r.t4__lit_direct_corrected + r.t4__lit_after_review_corrected"
DECIDED = (
    "r.t4__review_total + r.t4__lit_direct_total + r.t4__lit_after_review_total - r.t4__review_pending"
    " - r.t4__lit_direct_pending - r.t4__lit_after_review_pending"
)

METRICS: tuple[Metric, ...] = (
    Metric(
        "reports",
        "报告数",
        "Reports",
        "份",
        "count(*)",
        "本范围、本年度入库的报告数（重复文件不计）",
        ("reports",),
    ),
    Metric(
        "on_time_rate",
        "按时发布率",
        "On-time rate",
        "%",
        _rate("count(*) FILTER (WHERE r.days_late = 0)", "count(*) FILTER (WHERE r.days_late IS NOT NULL)"),
        "按时发布的报告数 ÷ 发布日期可知的报告数；期限按条例第四十九条（部门 1 月 31 日，政府 3 月 31 日）",
        ("reports.days_late",),
        True,
    ),
    Metric(
        "error_rate",
        "表格有误报告占比",
        "Reports with errors",
        "%",
        _rate("count(*) FILTER (WHERE r.n_errors > 0)", "count(*)"),
        "有错误级发现（表格不平衡、合计不符等）的报告数 ÷ 报告数",
        ("reports.n_errors",),
        False,
    ),
    Metric(
        "normative_issued",
        "制发行政规范性文件",
        "Normative documents issued",
        "件",
        _s("t2__normative_issued"),
        "表二 行政规范性文件 本年制发件数 之和",
        ("t2__normative_issued",),
    ),
    Metric(
        "normative_repealed",
        "废止行政规范性文件",
        "Normative documents repealed",
        "件",
        _s("t2__normative_repealed"),
        "表二 行政规范性文件 本年废止件数 之和（2019 版格式无此项）",
        ("t2__normative_repealed",),
    ),
    Metric(
        "normative_valid",
        "现行有效行政规范性文件",
        "Normative documents in force",
        "件",
        _s("t2__normative_valid"),
        "表二 行政规范性文件 现行有效件数 之和",
        ("t2__normative_valid",),
    ),
    Metric(
        "licensing",
        "行政许可决定",
        "Licensing decisions",
        "件",
        _s("t2__licensing_decisions"),
        "表二 行政许可 本年处理决定数量 之和",
        ("t2__licensing_decisions",),
    ),
    Metric(
        "punishment",
        "行政处罚决定",
        "Punishment decisions",
        "件",
        _s("t2__punishment_decisions"),
        "表二 行政处罚 本年处理决定数量 之和",
        ("t2__punishment_decisions",),
    ),
    Metric(
        "policy_interpretations",
        "政策解读",
        "Policy interpretations",
        "条",
        _s("n__policy_interpretations"),
        "正文所述政策解读数量之和（只计正文明确写出的数字）",
        ("n__policy_interpretations",),
    ),
    Metric(
        "responses_to_concerns",
        "回应关切",
        "Responses to public concerns",
        "条",
        _s("n__responses_to_concerns"),
        "正文所述回应社会关切数量之和",
        ("n__responses_to_concerns",),
    ),
    Metric(
        "info_published",
        "主动公开政府信息",
        "Information published",
        "条",
        _s("n__info_published_total"),
        "正文所述全年主动公开政府信息数量之和",
        ("n__info_published_total",),
    ),
    Metric(
        "applications",
        "收到申请",
        "Applications received",
        "件",
        _s("t3__new_received__total"),
        "表三 一、本年新收政府信息公开申请数量（总计）之和",
        ("t3__new_received__total",),
    ),
    Metric(
        "processed",
        "办结申请",
        "Applications decided",
        "件",
        _s("t3__total_processed__total"),
        "表三 三、本年度办理结果（七）总计 之和",
        ("t3__total_processed__total",),
    ),
    Metric(
        "substantive_rate",
        "实质公开率",
        "Substantive disclosure rate",
        "%",
        _rate(
            "sum(r.t3__granted__total) + sum(r.t3__partially_granted__total)",
            "sum(r.t3__total_processed__total)",
        ),
        "（予以公开 ＋ 部分公开）÷ 办理结果总计",
        ("t3__granted__total", "t3__partially_granted__total", "t3__total_processed__total"),
        True,
    ),
    Metric(
        "not_held_rate",
        "信息不存在占比",
        "Share 'information not held'",
        "%",
        _rate("sum(r.t3__unable_not_held__total)", "sum(r.t3__total_processed__total)"),
        "（四）无法提供 1.本机关不掌握相关政府信息 ÷ 办理结果总计",
        ("t3__unable_not_held__total", "t3__total_processed__total"),
    ),
    Metric(
        "carried_forward",
        "结转下年度",
        "Carried forward",
        "件",
        _s("t3__carried_forward__total"),
        "表三 四、结转下年度继续办理（总计）之和",
        ("t3__carried_forward__total",),
    ),
    Metric(
        "reviews",
        "行政复议",
        "Administrative reconsiderations",
        "件",
        _s("t4__review_total"),
        "表四 行政复议 总计 之和",
        ("t4__review_total",),
    ),
    Metric(
        "lawsuits",
        "行政诉讼",
        "Lawsuits",
        "件",
        "sum(r.t4__lit_direct_total + r.t4__lit_after_review_total)",
        "表四 行政诉讼（未经复议直接起诉 ＋ 复议后起诉）总计 之和",
        ("t4__lit_direct_total", "t4__lit_after_review_total"),
    ),
    Metric(
        "correction_rate",
        "纠错率",
        "Correction rate",
        "%",
        _rate(f"sum({CORRECTED})", f"sum({DECIDED})"),
        "复议和诉讼中“结果纠正”的案件数 ÷ 已审结案件数（总计 − 尚未审结）",
        ("t4__*_corrected", "t4__*_total", "t4__*_pending"),
        False,
    ),
)
BY_KEY = {m.key: m for m in METRICS}
CARD_METRICS = (
    "reports",
    "on_time_rate",
    "error_rate",
    "normative_issued",
    "normative_repealed",
    "normative_valid",
    "policy_interpretations",
    "responses_to_concerns",
    "applications",
    "substantive_rate",
    "reviews",
    "lawsuits",
    "correction_rate",
)

COMPLIANCE_FORMULA = SCORE.words("zh")  # the formula is data in the rule registry
COMPLIANCE_SQL = SCORE.sql("r")


def label(m: Metric, lang: str) -> str:
    return m.zh if lang == "zh" else m.en


def fmt(value, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "%":
        return f"{value * 100:.1f}%"
    if isinstance(value, float) and value != int(value):
        return f"{value:,.2f}"
    return f"{int(value):,}"
