"""Every metric and derived rate the dashboard shows: what a report contributes to it (row-level
SQL over the reports in scope, alias r), when a report has a value for it, unit, formula and
source fields. The 口径说明 page is generated from this table and every query uses it, so the
definition shown is the definition computed.

Honest aggregates: a report whose value is NULL (a blank cell, a prose count not stated) is left
out of the sum or the rate, never counted as 0, and every aggregate comes with its coverage:
reports with a value / reports in scope (`covered_sql`). A rate sums its numerator and its
denominator over the same reports: those that printed every number it needs."""

from __future__ import annotations

from dataclasses import dataclass

from etl.registry.fields import BY_KEY as FIELD_BY_KEY
from etl.registry.fields import field_label
from etl.registry.rules import SCORE

LOW_COVERAGE = 0.8  # below this share of reports with a value, a chart or card says so


@dataclass(frozen=True)
class Metric:
    key: str
    zh: str
    en: str
    unit: str
    num: str  # what one report contributes (row-level SQL over alias r)
    has: str  # the report has a value: every number the metric needs is printed (not NULL)
    formula: str
    formula_en: str
    sources: tuple[str, ...]  # warehouse columns
    den: str | None = None  # a rate: the row-level denominator, summed over the same reports
    higher_is_better: bool | None = None

    @property
    def sql(self) -> str:
        """The aggregate over the reports in scope that have a value (NULL when none has)."""
        num = f"sum({self.num}) FILTER (WHERE {self.has})"
        if self.den is None:
            return num
        den = f"sum({self.den}) FILTER (WHERE {self.has})"
        return f"CASE WHEN {den} > 0 THEN {num} * 1.0 / {den} END"

    @property
    def covered_sql(self) -> str:
        """How many reports in scope have a value for this metric."""
        return f"count(*) FILTER (WHERE {self.has})"

    @property
    def is_rate(self) -> bool:
        return self.unit == "%"


def _present(*cols: str) -> str:
    return " AND ".join(f"r.{c} IS NOT NULL" for c in cols)


def _sum(key, zh, en, unit, col, formula, formula_en) -> Metric:
    return Metric(key, zh, en, unit, f"r.{col}", _present(col), formula, formula_en, (col,))


def _correction(groups: tuple[str, ...]) -> tuple[str, str, tuple[str, ...]]:
    cols = tuple(f"t4__{g}_{s}" for g in groups for s in ("corrected", "total", "pending"))
    num = " + ".join(f"r.t4__{g}_corrected" for g in groups)
    den = " + ".join(f"r.t4__{g}_total - r.t4__{g}_pending" for g in groups)
    return num, den, cols


_CR_ALL = _correction(("review", "lit_direct", "lit_after_review"))
_CR_REVIEW = _correction(("review",))
_CR_LIT = _correction(("lit_direct", "lit_after_review"))
_SUBST = ("t3__granted__total", "t3__partially_granted__total", "t3__total_processed__total")

METRICS: tuple[Metric, ...] = (
    Metric(
        "reports",
        "报告数",
        "Reports",
        "份",
        "1",
        "TRUE",
        "本范围、本年度入库的报告数（重复文件不计）",
        "Reports loaded for this region and year (duplicate files not counted)",
        (),
    ),
    Metric(
        "on_time_rate",
        "按时发布率",
        "On-time rate",
        "%",
        "CASE WHEN r.days_late = 0 THEN 1 ELSE 0 END",
        "r.days_late IS NOT NULL",
        "按时发布的报告数 ÷ 发布日期可知的报告数；期限按条例第四十九条（部门 1 月 31 日，政府 3 月 31 日）",
        "Reports published on time ÷ reports whose publication date is known; deadlines by Article 49 "
        "(departments 31 January, governments 31 March)",
        ("days_late",),
        den="1",
        higher_is_better=True,
    ),
    Metric(
        "error_rate",
        "表格有误报告占比",
        "Reports with errors",
        "%",
        "CASE WHEN r.n_errors > 0 THEN 1 ELSE 0 END",
        "r.n_errors IS NOT NULL",
        "有错误级发现（表格不平衡、合计不符等）的报告数 ÷ 报告数",
        "Reports with an error-level finding (tables that do not add up, wrong totals) ÷ reports",
        ("n_errors",),
        den="1",
        higher_is_better=False,
    ),
    _sum(
        "normative_issued",
        "制发行政规范性文件",
        "Normative documents issued",
        "件",
        "t2__normative_issued",
        "表二 行政规范性文件 本年制发件数 之和",
        "Table 2, normative documents issued this year, summed",
    ),
    _sum(
        "normative_repealed",
        "废止行政规范性文件",
        "Normative documents repealed",
        "件",
        "t2__normative_repealed",
        "表二 行政规范性文件 本年废止件数 之和（2019 版格式无此项）",
        "Table 2, normative documents repealed this year, summed (not in the 2019 format)",
    ),
    _sum(
        "normative_valid",
        "现行有效行政规范性文件",
        "Normative documents in force",
        "件",
        "t2__normative_valid",
        "表二 行政规范性文件 现行有效件数 之和",
        "Table 2, normative documents in force, summed",
    ),
    _sum(
        "licensing",
        "行政许可决定",
        "Licensing decisions",
        "件",
        "t2__licensing_decisions",
        "表二 行政许可 本年处理决定数量 之和",
        "Table 2, licensing decisions this year, summed",
    ),
    _sum(
        "punishment",
        "行政处罚决定",
        "Punishment decisions",
        "件",
        "t2__punishment_decisions",
        "表二 行政处罚 本年处理决定数量 之和",
        "Table 2, punishment decisions this year, summed",
    ),
    _sum(
        "policy_interpretations",
        "政策解读",
        "Policy interpretations",
        "条",
        "n__policy_interpretations",
        "正文所述政策解读数量之和（只计正文明确写出的数字）",
        "Policy interpretations stated in the text, summed (only numbers the text states)",
    ),
    _sum(
        "responses_to_concerns",
        "回应关切",
        "Responses to public concerns",
        "条",
        "n__responses_to_concerns",
        "正文所述回应社会关切数量之和",
        "Responses to public concerns stated in the text, summed",
    ),
    _sum(
        "info_published",
        "主动公开政府信息",
        "Information published",
        "条",
        "n__info_published_total",
        "正文所述全年主动公开政府信息数量之和",
        "Items of information published on the agency's initiative, as stated in the text, summed",
    ),
    _sum(
        "applications",
        "收到申请",
        "Applications received",
        "件",
        "t3__new_received__total",
        "表三 一、本年新收政府信息公开申请数量（总计）之和",
        "Table 3, new applications received (total), summed",
    ),
    _sum(
        "processed",
        "办结申请",
        "Applications decided",
        "件",
        "t3__total_processed__total",
        "表三 三、本年度办理结果（七）总计 之和",
        "Table 3, decisions made this year (total), summed",
    ),
    Metric(
        "substantive_rate",
        "实质公开率",
        "Substantive disclosure rate",
        "%",
        "r.t3__granted__total + r.t3__partially_granted__total",
        _present(*_SUBST),
        "（予以公开 ＋ 部分公开）÷ 办理结果总计",
        "(granted + partially granted) ÷ all decisions",
        _SUBST,
        den="r.t3__total_processed__total",
        higher_is_better=True,
    ),
    Metric(
        "not_held_rate",
        "信息不存在占比",
        "Share 'information not held'",
        "%",
        "r.t3__unable_not_held__total",
        _present("t3__unable_not_held__total", "t3__total_processed__total"),
        "（四）无法提供 1.本机关不掌握相关政府信息 ÷ 办理结果总计",
        "Unable: information not held ÷ all decisions",
        ("t3__unable_not_held__total", "t3__total_processed__total"),
        den="r.t3__total_processed__total",
    ),
    _sum(
        "carried_forward",
        "结转下年度",
        "Carried forward",
        "件",
        "t3__carried_forward__total",
        "表三 四、结转下年度继续办理（总计）之和",
        "Table 3, carried forward to next year (total), summed",
    ),
    _sum(
        "reviews",
        "行政复议",
        "Administrative reconsiderations",
        "件",
        "t4__review_total",
        "表四 行政复议 总计 之和",
        "Table 4, administrative reconsiderations (total), summed",
    ),
    Metric(
        "lawsuits",
        "行政诉讼",
        "Lawsuits",
        "件",
        "r.t4__lit_direct_total + r.t4__lit_after_review_total",
        _present("t4__lit_direct_total", "t4__lit_after_review_total"),
        "表四 行政诉讼（未经复议直接起诉 ＋ 复议后起诉）总计 之和",
        "Table 4, lawsuits (filed directly + after reconsideration), totals summed",
        ("t4__lit_direct_total", "t4__lit_after_review_total"),
    ),
    Metric(
        "correction_rate",
        "纠错率（复议和诉讼）",
        "Correction rate (reconsideration and lawsuits)",
        "%",
        _CR_ALL[0],
        _present(*_CR_ALL[2]),
        "复议和诉讼中“结果纠正”的案件数 ÷ 已审结案件数（总计 − 尚未审结）",
        "Cases corrected in reconsideration and lawsuits ÷ cases decided (total − pending)",
        _CR_ALL[2],
        den=_CR_ALL[1],
        higher_is_better=False,
    ),
    Metric(
        "review_correction_rate",
        "复议纠错率",
        "Reconsideration correction rate",
        "%",
        _CR_REVIEW[0],
        _present(*_CR_REVIEW[2]),
        "行政复议“结果纠正”的案件数 ÷ 已审结的复议案件数（总计 − 尚未审结）",
        "Reconsiderations corrected ÷ reconsiderations decided (total − pending)",
        _CR_REVIEW[2],
        den=_CR_REVIEW[1],
        higher_is_better=False,
    ),
    Metric(
        "litigation_correction_rate",
        "诉讼纠错率",
        "Lawsuit correction rate",
        "%",
        _CR_LIT[0],
        _present(*_CR_LIT[2]),
        "行政诉讼（直接起诉 ＋ 复议后起诉）“结果纠正”的案件数 ÷ 已审结的诉讼案件数（总计 − 尚未审结）",
        "Lawsuits (direct + after reconsideration) corrected ÷ lawsuits decided (total − pending)",
        _CR_LIT[2],
        den=_CR_LIT[1],
        higher_is_better=False,
    ),
)
BY_KEY = {m.key: m for m in METRICS}
RATE_KEYS = tuple(m.key for m in METRICS if m.is_rate)

# the 总览 cards, by topic: (section key in dashboard.i18n, metrics)
CARD_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("sec_filing", ("reports", "on_time_rate", "error_rate")),
    ("sec_published", ("normative_issued", "normative_repealed", "policy_interpretations", "responses_to_concerns")),
    ("sec_applications", ("applications", "processed", "substantive_rate", "not_held_rate")),
    ("sec_review", ("reviews", "lawsuits", "review_correction_rate", "litigation_correction_rate")),
)
CARD_METRICS = tuple(k for _, keys in CARD_GROUPS for k in keys)

COMPLIANCE_FORMULA = SCORE.words("zh")  # the formula is data in the rule registry
COMPLIANCE_SQL = SCORE.sql("r")

REPORT_COLUMNS = {  # report columns that are not fields of the printed tables
    "days_late": ("发布日期与法定期限（逾期天数）", "Publication date against the deadline (days late)"),
    "n_errors": ("错误级发现的条数", "Number of error-level findings"),
}


def label(m: Metric, lang: str) -> str:
    return m.zh if lang == "zh" else m.en


def formula(m: Metric, lang: str) -> str:
    return m.formula if lang == "zh" else m.formula_en


def source_words(m: Metric, lang: str) -> str:
    """The metric's source fields in the words of the printed tables (never a column code)."""
    out = []
    for c in m.sources:
        if c in FIELD_BY_KEY:
            out.append(field_label(c, lang)[0])
        else:
            out.append(REPORT_COLUMNS[c][0 if lang == "zh" else 1])
    return "；".join(out) if lang == "zh" else "; ".join(out)


def fmt(value, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "%":
        return f"{value * 100:.1f}%"
    if isinstance(value, float) and value != int(value):
        return f"{value:,.2f}"
    return f"{int(value):,}"


def coverage_words(covered: int, reports: int | None, lang: str) -> str:
    """'覆盖 1,234 / 2,000 份报告（61.7%）': how many reports the aggregate is computed from."""
    if not reports:
        return "无报告" if lang == "zh" else "no reports"
    c = covered
    share = c / reports
    if lang == "zh":
        return f"覆盖 {c:,} / {reports:,} 份报告（{share:.0%}）"
    return f"covers {c:,} of {reports:,} reports ({share:.0%})"


def low(covered: int, reports: int | None) -> bool:
    return bool(reports) and covered / reports < LOW_COVERAGE
