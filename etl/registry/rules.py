"""The rule registry: every check once — id, scope, origin, severity, words for people (Chinese
and English), and where it is implemented — and the compliance score's formula as data.

Validation (etl.check.report_rules), the parser's own findings (etl.extract, etl.read.ocr), the
cross-report pass (etl.check.cross_report), the 督办清单, the score and the 口径说明 page all
read this table; a test proves every rule has words, an origin and an implementation that
raises it, and that nothing raises a rule that is not here.

- scope: `report` (one report, checked when it is parsed), `cross` (across reports and years,
  in the warehouse after a load), `page` (from the website the report was collected from).
- origin: `report` — the report's own problem (arithmetic, format, timeliness, missing,
  copied …), which counts against the agency; `reading` — our uncertainty in reading the file
  (cells we could not place, OCR, duplicate files), which goes to a person and never counts
  against anyone.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

SCOPES = ("report", "cross", "page")
ORIGINS = ("report", "reading")
SEVERITIES = ("error", "warning", "info")
SEVERITY_WORDS = {"error": ("错误", "Error"), "warning": ("警告", "Warning"), "info": ("提示", "Note")}
ORIGIN_WORDS = {
    "report": ("报告本身的问题", "The report's own problem"),
    "reading": ("解读存疑（需人工核查）", "Our reading is uncertain (for review)"),
}
SCOPE_WORDS = {
    "report": ("单份报告", "One report"),
    "cross": ("跨报告、跨年度", "Across reports and years"),
    "page": ("网站页面", "The website"),
}


@dataclass(frozen=True)
class Rule:
    id: str
    scope: str
    origin: str
    severities: tuple[str, ...]  # what it may raise, most severe first
    zh: str  # the rule in plain words
    en: str
    impl: str  # module:function that raises it

    @property
    def severity(self) -> str:
        return self.severities[0]

    def words(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en

    def implementation(self):
        module, _, path = self.impl.partition(":")
        obj = importlib.import_module(module)
        for name in path.split("."):  # module:function or module:Class.method
            obj = getattr(obj, name)
        return obj


_R = "etl.check.report_rules:"
_X = "etl.check.cross_report:"
_P = "etl.check.page_rules:"
RULES: tuple[Rule, ...] = (
    # ---- one report: the format's own arithmetic ----
    Rule(
        "t2_invalid_number",
        "report",
        "report",
        ("error",),
        "表二：数量不能为负数或小数",
        "Table 2: counts are whole and not negative",
        _R + "check_t2",
    ),
    Rule(
        "t2_repealed_exceeds",
        "report",
        "report",
        ("warning",),
        "表二：本年废止件数不应大于现行有效＋本年制发",
        "Table 2: repealed cannot exceed in force + issued",
        _R + "check_t2",
    ),
    Rule(
        "t3_balance",
        "report",
        "report",
        ("error",),
        "表三每列：本年新收＋上年结转＝办理结果总计＋结转下年度",
        "Table 3, every column: new + carried over = decided + carried forward",
        _R + "check_t3",
    ),
    Rule(
        "t3_row_sum",
        "report",
        "report",
        ("error", "warning"),
        "表三每行：总计＝六类申请人之和",
        "Table 3, every row: total = the six applicant columns",
        _R + "check_t3",
    ),
    Rule(
        "t3_outcome_sum",
        "report",
        "report",
        ("error", "warning"),
        "表三每列：办理结果总计＝（一）至（六）3 共 21 项之和",
        "Table 3, every column: total decided = the 21 outcome rows",
        _R + "check_t3",
    ),
    Rule(
        "t4_group_sum",
        "report",
        "report",
        ("error", "warning"),
        "表四每组：总计＝维持＋纠正＋其他结果＋尚未审结",
        "Table 4, every group: total = upheld + corrected + other + pending",
        _R + "check_t4",
    ),
    Rule(
        "negative_value",
        "report",
        "report",
        ("error",),
        "表三、表四：数量不能为负数",
        "Tables 3 and 4: counts are whole and not negative",
        _R + "check_t3",
    ),
    Rule(
        "narrative_vs_table",
        "report",
        "report",
        ("warning",),
        "正文所述收到申请数＝表三本年新收总计",
        "Applications stated in the text = table 3's new applications",
        _R + "check_narrative",
    ),
    Rule(
        "narrative_cases_vs_t4",
        "report",
        "report",
        ("warning",),
        "正文所述复议、诉讼案件数＝表四总计",
        "Cases stated in the text = table 4's totals",
        _R + "check_narrative",
    ),
    # ---- one report: structure and dates ----
    Rule(
        "missing_section",
        "report",
        "report",
        ("warning",),
        "六个部分齐全",
        "All six sections are present",
        _R + "check_structure",
    ),
    Rule(
        "missing_table",
        "report",
        "report",
        ("error",),
        "表二、表三、表四齐全",
        "Tables 2, 3 and 4 are present",
        "etl.extract.assemble:table_presence",
    ),
    Rule(
        "format_2019_after_2021",
        "report",
        "report",
        ("warning",),
        "2021 年及以后的报告应使用 2021 版格式",
        "Reports for 2021 and later use the 2021 format",
        _R + "check_structure",
    ),
    Rule(
        "title_year_mismatch",
        "report",
        "report",
        ("warning",),
        "标题年份＝统计期限年份",
        "The title's year = the statistics period's year",
        _R + "check_structure",
    ),
    Rule(
        "future_year",
        "report",
        "report",
        ("error",),
        "报告年度不能晚于当前年度",
        "The report's year is not in the future",
        _R + "check_structure",
    ),
    Rule(
        "blank_cells",
        "report",
        "report",
        ("info",),
        "统计表中的空白或“/”单元格（记为空，不按 0 计）",
        "Blank or '/' cells in the tables (stored as empty, never as 0)",
        _R + "check_blank_cells",
    ),
    Rule(
        "t3_other_merged",
        "report",
        "report",
        ("info",),
        "表三（六）其他处理印为一行",
        "Table 3's 'other handling' printed as one row (2019 format)",
        "etl.extract.tables:TableMapper.t3_row",
    ),
    # ---- one report: our reading of it ----
    Rule(
        "table_cells_unclear",
        "report",
        "reading",
        ("warning",),
        "表格行的数字个数与格式不符",
        "A table row's numbers do not fit its columns",
        "etl.extract.tables:TableMapper.note_unclear",
    ),
    Rule(
        "t3_row_repeated",
        "report",
        "reading",
        ("warning",),
        "表三同一行出现两次",
        "A row of table 3 appears twice",
        "etl.extract.tables:TableMapper.t3_row",
    ),
    Rule(
        "digit_run_split",
        "report",
        "reading",
        ("info",),
        "表格行的数字连写（单元格之间没有分隔），按表格勾稽关系只有一种拆法，已拆开",
        "A row's numbers were printed without separators; the tables' arithmetic allows one split, which was taken",
        "etl.extract.tables:TableMapper.note_runs",
    ),
    Rule(
        "digit_run_ambiguous",
        "report",
        "reading",
        ("warning",),
        "表格行的数字连写，勾稽关系不能唯一确定拆法，各单元格记为空（附可能的拆法）",
        "A row's numbers were printed without separators and the arithmetic allows no single split: NULL, "
        "with the candidates",
        "etl.extract.tables:TableMapper.take_run",
    ),
    Rule(
        "cells_by_position",
        "report",
        "reading",
        ("info",),
        "表头文字不足以确定各列，数字按标准格式的列序读取（其勾稽关系若不成立，视为解读存疑）",
        "The header did not say enough to place the numbers; they were placed in the standard order "
        "(sums that then break are a doubt about the reading)",
        "etl.extract.tables:TableMapper.t4_finish",
    ),
    Rule(
        "reading_sums_break",
        "report",
        "reading",
        ("warning",),
        "按位置读取的单元格勾稽关系不成立：先视为读取存疑，经人工或再次读取确认后才算报告本身的错误",
        "A sum breaks over cells that were placed by position: a doubt about the reading until a person "
        "confirms the printed cells",
        _R + "check_t4",
    ),
    Rule(
        "prose_count_ambiguous",
        "report",
        "reading",
        ("warning",),
        "正文中同一指标有几个互相矛盾的数（或只有各渠道、各部分的数而没有总数），记为空（附各候选数及其语句）",
        "The text states competing counts for one figure (or only per-channel or partial counts): NULL, with the "
        "candidates and their clauses",
        "etl.extract.prose:_Reader.doubt",
    ),
    Rule(
        "place_uncertain",
        "report",
        "reading",
        ("warning",),
        "机关名称、标题与页面信息不能确定其所在地区（同名地方，或指向不同省份），所在地区记为空",
        "The agency's name, title and page leave its place undecided (namesakes, or sources naming different "
        "provinces): the place is NULL",
        "etl.extract.assemble:_parse",
    ),
    Rule(
        "ocr_read",
        "report",
        "reading",
        ("warning", "info"),
        "扫描件由文字识别（OCR）读出：数字的置信度，及表格勾稽关系是否证实识别结果",
        "A scan read by OCR: the numbers' confidence, and whether the tables' arithmetic confirms them",
        "etl.read.ocr:annotate",
    ),
    # ---- across reports and years ----
    Rule(
        "duplicate_report",
        "cross",
        "reading",
        ("warning",),
        "同一机关同一年度只应有一份报告",
        "One report per agency and year",
        _X + "duplicates",
    ),
    Rule(
        "late_publication",
        "cross",
        "report",
        ("warning",),
        "按条例第四十九条的期限公布",
        "Published by the deadline of article 49 of the regulations",
        _X + "timeliness",
    ),
    Rule(
        "continuity",
        "cross",
        "report",
        ("warning",),
        "现行有效(y) = 现行有效(y-1) + 本年制发(y) - 本年废止(y)",
        "In force (y) = in force (y-1) + issued (y) - repealed (y)",
        _X + "continuity",
    ),
    Rule(
        "carry_over",
        "cross",
        "report",
        ("warning",),
        "上年结转(y) = 结转下年度(y-1)",
        "Carried over (y) = carried forward (y-1)",
        _X + "carry_over",
    ),
    Rule(
        "missing_report",
        "cross",
        "report",
        ("error",),
        "名录中的机关每年都应有报告",
        "Every registered agency publishes a report every year",
        _X + "missing",
    ),
    Rule(
        "sudden_change",
        "cross",
        "report",
        ("info",),
        "主要指标同比变化不超过五倍（基数不少于 10）",
        "Main figures change less than fivefold from last year (from at least 10)",
        _X + "sudden_changes",
    ),
    Rule(
        "copied_report",
        "cross",
        "report",
        ("warning",),
        "正文与上一年度相同不超过 90%",
        "The text repeats no more than 90% of last year's",
        "etl.check.copy_rules:copied",
    ),
    Rule(
        "copied_from_peer",
        "cross",
        "report",
        ("warning",),
        "正文与同地区同年度其他单位的报告相同不超过 90%（不雷同）",
        "The text repeats no more than 90% of another agency's report of the same region and year",
        "etl.check.copy_rules:copied_from_peer",
    ),
    # ---- the website the report was collected from (python -m etl collect; supervision rows 1, 3, 4, 5) ----
    Rule(
        "page_late",
        "page",
        "report",
        ("warning",),
        "网站上的发布时间（或首次发现时间）不晚于条例第四十九条的期限",
        "The time the website shows (or first sighting) is within the deadline of article 49",
        _P + "late",
    ),
    Rule(
        "page_unavailable",
        "page",
        "report",
        ("error",),
        "报告页面和附件能够打开，且是可读的报告文件",
        "The report page and its attachments open and are readable report files",
        _P + "unavailable",
    ),
    Rule(
        "page_changed",
        "page",
        "report",
        ("warning",),
        "报告发布后内容和发布时间不再改动",
        "The report and its publication time do not change after publication",
        _P + "changed",
    ),
    Rule(
        "page_not_in_column",
        "page",
        "report",
        ("error",),
        "每年的报告都能在本机关的政府信息公开年报栏目中找到",
        "Each year's report can be found in the agency's annual-report column",
        _P + "not_in_column",
    ),
)
BY_ID: dict[str, Rule] = {r.id: r for r in RULES}
RULE_WORDS: dict[str, str] = {r.id: r.zh for r in RULES}  # id -> the rule in Chinese words


def rule(rule_id: str) -> Rule:
    return BY_ID[rule_id]


def words(rule_id: str, lang: str = "zh") -> str:
    r = BY_ID.get(rule_id)
    return r.words(lang) if r else rule_id


# ---- the compliance score, as data ---------------------------------------------------------


@dataclass(frozen=True)
class Deduction:
    zh: str
    en: str
    column: str  # a reports column counted per unit
    points: float  # per unit
    cap: float


@dataclass(frozen=True)
class Score:
    full: float
    not_filed: float
    deductions: tuple[Deduction, ...]

    def sql(self, alias: str = "r") -> str:
        """The score of one agency-year: `alias` is the report row (NULL when none was filed)."""
        parts = " ".join(f"- least({d.cap:g}, {d.points:g} * coalesce({alias}.{d.column}, 0))" for d in self.deductions)
        return (
            f"CASE WHEN {alias}.report_id IS NULL THEN {self.not_filed:g} ELSE greatest(0, {self.full:g} {parts}) END"
        )

    def words(self, lang: str = "zh") -> str:
        if lang == "zh":
            parts = "".join(
                f" − {d.zh}（每{'天' if d.column == 'days_late' else '条'} {d.points:g} 分，最多 {d.cap:g} 分）"
                for d in self.deductions
            )
            return (
                f"合规得分 = {self.full:g}{parts}；未发布报告记 {self.not_filed:g} 分。"
                "错误和警告只计报告本身的问题，不计解读存疑（交人工核查），也不计经人工核实已排除的问题"
            )
        parts = "".join(f" − {d.en} ({d.points:g} each, at most {d.cap:g})" for d in self.deductions)
        return (
            f"Compliance score = {self.full:g}{parts}; no report: {self.not_filed:g}. Errors and warnings count "
            "only the report's own problems: never doubts about our reading (they go to review), nor problems "
            "a reviewer dismissed"
        )


SCORE = Score(
    full=100,
    not_filed=0,
    deductions=(
        Deduction("逾期扣分", "days late", "days_late", 1, 40),
        Deduction("错误扣分", "errors", "n_errors", 10, 40),
        Deduction("警告扣分", "warnings", "n_warnings", 2, 20),
    ),
)
