"""The field registry: every field of the data dictionary (shared/reference/annual-report-format.md)
defined once — key, Chinese and English labels, printed-label patterns and known variants,
position in its table, unit and NULL policy.

Everything else reads it: the parser's label matching (etl.extract.tables), the validator, the
warehouse schema (`t2__*`, `t3__row__col`, `t4__*`, `n__*` columns), the queries, the demo
renderer (which prints the variants), the dashboard's names and the 口径说明 page.

A table is described by its printed rows and columns (`Label`s); a field is one cell of it
(`Field`). Label patterns are matched against a normalised label (no spaces, ASCII brackets) in
the order given: the first key whose pattern matches wins, so a more specific label comes before
a more general one (结转下年 before 上年结转, 部分公开 before 予以公开). Known printed variants,
typos included, are kept in data/label-variants.csv; a test proves each one is matched to its key.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass

from etl.paths import DATA

NULL_POLICY = "空白、“/”“—”“-”“无”记为空（NULL），不按 0 计；需要它的核对不做，另以 blank_cells 提示"
PROSE_NULL_POLICY = "正文未写明、只写约数（余、多、近）或有两个互相矛盾的数时记为空，并说明原因"


@dataclass(frozen=True)
class Label:
    """A printed row or column of a table: its key, its words as the 2021 format prints them,
    English, and the pattern that recognises it (and its variants) in a normalised label."""

    key: str
    zh: str
    en: str
    pattern: str = ""  # regex over the normalised label; "" = never matched by its own words

    @functools.cached_property
    def regex(self) -> re.Pattern:
        return re.compile(self.pattern)


@dataclass(frozen=True)
class Field:
    """One number of the report: a table cell or a count stated in the prose."""

    key: str  # warehouse column: t2__normative_issued, t3__granted__total, t4__review_total, n__…
    table: str  # t2 / t3 / t4 / prose
    row: str  # row key (T2, T3), group (T4) or the prose metric's key
    column: str  # column key (T2, T3), suffix (T4); "" for prose
    zh: str
    en: str
    unit: str
    position: tuple[int, int]  # (data row, value column) of the 2021-format table, 1-based; (0, 0) for prose
    null_policy: str = NULL_POLICY
    description: str = ""

    @property
    def ref(self) -> str:
        """The cell reference findings use: t2.normative_issued, t3.granted.total, t4.review_total."""
        if self.table == "t3":
            return f"t3.{self.row}.{self.column}"
        if self.table == "prose":
            return f"narrative.{self.row}"
        return f"{self.table}.{self.key.split('__', 1)[1]}"

    @property
    def sub_key(self) -> str:
        """The key inside its table's dict in a Report: normative_issued, review_total, …"""
        return self.key.split("__", 1)[1] if self.table != "t3" else self.row


TABLE_NAMES = {
    "t2": ("表二", "Table 2"),
    "t3": ("表三", "Table 3"),
    "t4": ("表四", "Table 4"),
    "prose": ("正文", "Text"),
}
TABLE_TITLES = {
    "t2": "表二（主动公开政府信息情况）",
    "t3": "表三（收到和处理政府信息公开申请情况）",
    "t4": "表四（行政复议、行政诉讼情况）",
}

# ---- sections ------------------------------------------------------------------------------

SECTIONS: dict[int, tuple[str, str]] = {
    1: ("一、总体情况", "1. Overview"),
    2: ("二、主动公开政府信息情况", "2. Information published on the agency's initiative"),
    3: ("三、收到和处理政府信息公开申请情况", "3. Applications received and handled"),
    4: ("四、政府信息公开行政复议、行政诉讼情况", "4. Administrative reconsideration and litigation"),
    5: ("五、存在的主要问题及改进情况", "5. Main problems and improvements"),
    6: ("六、其他需要报告的事项", "6. Other matters"),
}
SECTION_TITLES = {n: zh for n, (zh, _) in SECTIONS.items()}

# ---- table 2 -------------------------------------------------------------------------------

T2_ROWS: tuple[Label, ...] = (
    Label("normative", "行政规范性文件", "Normative documents", r"规范性文件"),
    Label("regulations", "规章", "Regulations", r"^规章$|规章$|^规章"),
    Label("licensing", "行政许可", "Administrative licensing", r"行政许可"),
    Label("punishment", "行政处罚", "Administrative punishment", r"行政处罚"),
    Label("coercion", "行政强制", "Administrative coercion", r"行政强制"),
    Label("fees", "行政事业性收费", "Administrative fees", r"事业性收费"),
    # rows of the 2019 format with no field of their own: recognised so that their numbers are not misread
    Label(
        "ignored",
        "其他对外管理服务事项 / 政府集中采购",
        "(2019 rows without a field)",
        r"其他对外管理服务事项|政府集中采购",
    ),
)
T2_COLUMNS: tuple[Label, ...] = (
    Label("issued", "本年制发件数", "Issued this year", r"本年制发|本年新制作"),
    Label("repealed", "本年废止件数", "Repealed this year", r"本年废止"),
    Label("valid", "现行有效件数", "In force", r"[现先]行有效|对外公开总数量"),
    Label("decisions", "本年处理决定数量", "Decisions this year", r"处理决定"),
    Label("amount", "本年收费金额（单位：万元）", "Fees collected (10,000 yuan)", r"收费金额"),
)
# header words that tell the two formats of table 2 apart
T2_HEADER_2019 = re.compile(r"新制作|新公开|对外公开总数量|上一年项目数量|本年增|采购项目数量")
T2_HEADER_2021 = re.compile(r"本年制发|本年废止|[现先]行有效|本年处理决定|本年收费金额")

_T2_SPEC: tuple[tuple[str, str, str, str, tuple[int, int], str], ...] = (
    # key, row, column, unit, position (data row, value column) in the printed table, basis
    ("regulations_issued", "regulations", "issued", "件", (1, 1), "第二十条第（一）项"),
    ("regulations_repealed", "regulations", "repealed", "件", (1, 2), "第二十条第（一）项"),
    ("regulations_valid", "regulations", "valid", "件", (1, 3), "第二十条第（一）项"),
    ("normative_issued", "normative", "issued", "件", (2, 1), "第二十条第（一）项"),
    ("normative_repealed", "normative", "repealed", "件", (2, 2), "第二十条第（一）项"),
    ("normative_valid", "normative", "valid", "件", (2, 3), "第二十条第（一）项"),
    ("licensing_decisions", "licensing", "decisions", "件", (3, 1), "第二十条第（五）项"),
    ("punishment_decisions", "punishment", "decisions", "件", (4, 1), "第二十条第（六）项"),
    ("coercion_decisions", "coercion", "decisions", "件", (5, 1), "第二十条第（六）项"),
    ("fees_wan", "fees", "amount", "万元", (6, 1), "第二十条第（八）项，可含小数"),
)

# ---- table 3 -------------------------------------------------------------------------------

T3_COLUMN_LABELS: tuple[Label, ...] = (
    Label("natural_person", "自然人", "Natural persons", r"自然人"),
    Label("commercial", "商业企业", "Businesses", r"商业企业"),
    Label("research", "科研机构", "Research institutions", r"科研机构"),
    Label("social_welfare", "社会公益组织", "Public-interest organisations", r"社会公益"),
    Label("legal_service", "法律服务机构", "Legal service providers", r"法律服务机构"),
    Label("other_org", "其他", "Other organisations", r"^其他$"),
    Label("total", "总计", "Total", r"^总计$|^合计$"),
)
T3_ROW_LABELS: tuple[Label, ...] = (  # in matching order (see the module's docstring)
    Label(
        "carried_forward",
        "四、结转下年度继续办理",
        "Carried forward to next year",
        r"结转下年|下年度继续办理|结转下一年",
    ),
    Label(
        "new_received",
        "一、本年新收政府信息公开申请数量",
        "New applications received",
        r"本年新收|新收政府信息公开申请|本年度新收",
    ),
    Label(
        "carried_over",
        "二、上年结转政府信息公开申请数量",
        "Carried over from last year",
        r"上年结转|上年度结转",
    ),
    Label("partially_granted", "（二）部分公开", "Partially granted", r"部分公开"),
    Label("granted", "（一）予以公开", "Granted", r"予以公开"),
    Label("denied_state_secret", "（三）不予公开 1.属于国家秘密", "Denied: state secret", r"国家秘密"),
    Label(
        "denied_law_prohibited",
        "（三）不予公开 2.其他法律行政法规禁止公开",
        "Denied: prohibited by other laws",
        r"法律行政法规禁止|其他法律|行政止公开|法规禁止公开",
    ),
    Label(
        "denied_three_safety",
        "（三）不予公开 3.危及“三安全一稳定”",
        "Denied: endangers security or stability",
        r"三安全|一稳定",
    ),
    Label("denied_third_party", "（三）不予公开 4.保护第三方合法权益", "Denied: third-party rights", r"第三方"),
    Label(
        "denied_internal_affairs",
        "（三）不予公开 5.属于三类内部事务信息",
        "Denied: internal affairs",
        r"内部事务",
    ),
    Label("denied_process_info", "（三）不予公开 6.属于四类过程性信息", "Denied: process information", r"过程性"),
    Label(
        "denied_enforcement_file",
        "（三）不予公开 7.属于行政执法案卷",
        "Denied: enforcement files",
        r"执法案卷",
    ),
    Label(
        "denied_query_matter",
        "（三）不予公开 8.属于行政查询事项",
        "Denied: administrative query matters",
        r"查询事项",
    ),
    Label(
        "unable_not_held",
        "（四）无法提供 1.本机关不掌握相关政府信息",
        "Unable: information not held",
        r"不掌握",
    ),
    Label(
        "unable_needs_creation",
        "（四）无法提供 2.没有现成信息需要另行制作",
        "Unable: would need to be created",
        r"另行制作|没有现成",
    ),
    Label(
        "unable_unclear",
        "（四）无法提供 3.补正后申请内容仍不明确",
        "Unable: still unclear after correction",
        r"仍不明确|补正后",
    ),
    Label(
        "rejected_complaint",
        "（五）不予处理 1.信访举报投诉类申请",
        "Not handled: petitions and complaints",
        r"信访|举报投诉",
    ),
    Label("rejected_duplicate", "（五）不予处理 2.重复申请", "Not handled: repeated application", r"重复申请"),
    Label(
        "rejected_publication",
        "（五）不予处理 3.要求提供公开出版物",
        "Not handled: published material",
        r"出版物",
    ),
    Label(
        "rejected_excessive",
        "（五）不予处理 4.无正当理由大量反复申请",
        "Not handled: excessive applications",
        r"大量反复",
    ),
    Label(
        "rejected_confirmation",
        "（五）不予处理 5.要求行政机关确认或重新出具已获取信息",
        "Not handled: confirmation of information held",
        r"重新出具|确认或",
    ),
    Label(
        "other_no_correction",
        "（六）其他处理 1.申请人无正当理由逾期不补正",
        "Other: not corrected in time",
        r"不补正",
    ),
    Label(
        "other_no_fee",
        "（六）其他处理 2.申请人逾期未按收费通知要求缴纳费用",
        "Other: fee not paid",
        r"缴纳费用|收费通知",
    ),
    Label("other_other", "（六）其他处理 3.其他", "Other: other", r"^\(?[3三]\)?[.、．]?其他$|^其他$"),
    # the 2019 format prints （六）其他处理 as one row: its number goes to other_other
    Label(
        "other_merged",
        "（六）其他处理（2019 版格式，一行）",
        "Other handling (2019 format, one row)",
        r"其他处理$",
    ),
    Label("total_processed", "（七）总计", "Total decided", r"\(七\)总计|^总计$|^合计$"),
)
T3_ROW_ORDER: tuple[str, ...] = (  # as printed, and as the warehouse stores them
    "new_received",
    "carried_over",
    "granted",
    "partially_granted",
    "denied_state_secret",
    "denied_law_prohibited",
    "denied_three_safety",
    "denied_third_party",
    "denied_internal_affairs",
    "denied_process_info",
    "denied_enforcement_file",
    "denied_query_matter",
    "unable_not_held",
    "unable_needs_creation",
    "unable_unclear",
    "rejected_complaint",
    "rejected_duplicate",
    "rejected_publication",
    "rejected_excessive",
    "rejected_confirmation",
    "other_no_correction",
    "other_no_fee",
    "other_other",
    "total_processed",
    "carried_forward",
)

# ---- table 4 -------------------------------------------------------------------------------

# T4's words are found inside a header however it was printed (one cell each, or run together):
# the patterns are not anchored, and a more specific word comes first (未经复议 before 行政复议)
T4_GROUP_LABELS: tuple[Label, ...] = (
    Label("review", "行政复议", "Administrative reconsideration", r"行政复议"),
    Label("lit_direct", "行政诉讼 未经复议直接起诉", "Lawsuits filed directly", r"未经复议直接起诉|未经复议|直接起诉"),
    Label("lit_after_review", "行政诉讼 复议后起诉", "Lawsuits after reconsideration", r"复议后起诉|复议后"),
)
T4_SUFFIX_LABELS: tuple[Label, ...] = (
    Label("upheld", "结果维持", "Upheld", r"维持"),
    Label("corrected", "结果纠正", "Corrected", r"纠正"),
    Label("other", "其他结果", "Other outcome", r"其他结果|其[他它]"),
    Label("pending", "尚未审结", "Pending", r"尚未审结|未审结|审结"),
    Label("total", "总计", "Total", r"总计|合计|小计"),
)

# ---- prose -----------------------------------------------------------------------------------

PROSE_METRICS: tuple[tuple[str, str, str, str, str], ...] = (
    # key, zh, en, unit, description
    (
        "info_published_total",
        "主动公开政府信息",
        "Information published",
        "条",
        "正文所述全年主动公开政府信息总数",
    ),
    ("policy_interpretations", "政策解读", "Policy interpretations", "条", "正文所述政策解读数量"),
    ("responses_to_concerns", "回应关切", "Responses to public concerns", "条", "正文所述回应社会关切数量"),
    (
        "applications_received_text",
        "收到申请（正文）",
        "Applications received (text)",
        "件",
        "正文所述收到政府信息公开申请数量（本年新收，不含上年结转），未收到记 0",
    ),
    (
        "processing_fee_yuan",
        "信息处理费",
        "Information processing fees",
        "元",
        "正文（多在第六部分）所述全年收取的信息处理费，未收取记 0",
    ),
)


def _build_fields() -> tuple[Field, ...]:
    rows_t2 = {lab.key: lab for lab in T2_ROWS}
    cols_t2 = {lab.key: lab for lab in T2_COLUMNS}
    out: list[Field] = []
    for key, row, col, unit, pos, basis in _T2_SPEC:
        r, c = rows_t2[row], cols_t2[col]
        out.append(
            Field(
                f"t2__{key}",
                "t2",
                row,
                col,
                f"{r.zh} {c.zh.split('（')[0]}",
                f"{r.en}: {c.en}",
                unit,
                pos,
                description=f"{basis} {r.zh}，{c.zh}",
            )
        )
    rows_t3 = {lab.key: lab for lab in T3_ROW_LABELS}
    for i, row in enumerate(T3_ROW_ORDER):
        r = rows_t3[row]
        for j, c in enumerate(T3_COLUMN_LABELS):
            out.append(
                Field(
                    f"t3__{row}__{c.key}",
                    "t3",
                    row,
                    c.key,
                    f"{r.zh} / {c.zh}",
                    f"{r.en} / {c.en}",
                    "件",
                    (i + 1, j + 1),
                    description=f"表三 {r.zh}，{c.zh}",
                )
            )
    for i, g in enumerate(T4_GROUP_LABELS):
        for j, s in enumerate(T4_SUFFIX_LABELS):
            out.append(
                Field(
                    f"t4__{g.key}_{s.key}",
                    "t4",
                    g.key,
                    s.key,
                    f"{g.zh} {s.zh}",
                    f"{g.en}: {s.en}",
                    "件",
                    (1, i * 5 + j + 1),
                    description=f"表四 {g.zh}，{s.zh}",
                )
            )
    for key, zh, en, unit, desc in PROSE_METRICS:
        out.append(Field(f"n__{key}", "prose", key, "", zh, en, unit, (0, 0), PROSE_NULL_POLICY, desc))
    return tuple(out)


FIELDS: tuple[Field, ...] = _build_fields()
BY_KEY: dict[str, Field] = {f.key: f for f in FIELDS}
BY_REF: dict[str, Field] = {f.ref: f for f in FIELDS}

# the shapes other modules iterate over, all derived from the entries above
T2_KEYS: tuple[str, ...] = tuple(f.sub_key for f in FIELDS if f.table == "t2")
T3_ROW_KEYS: tuple[str, ...] = T3_ROW_ORDER
T3_COLUMN_KEYS: tuple[str, ...] = tuple(c.key for c in T3_COLUMN_LABELS)
APPLICANT_COLUMNS: tuple[str, ...] = T3_COLUMN_KEYS[:6]
T3_OUTCOME_ROWS: tuple[str, ...] = T3_ROW_ORDER[2:23]  # granted … other_other: their sum is total_processed
T4_GROUPS: tuple[str, ...] = tuple(g.key for g in T4_GROUP_LABELS)
T4_SUFFIXES: tuple[str, ...] = tuple(s.key for s in T4_SUFFIX_LABELS)
T4_KEYS: tuple[str, ...] = tuple(f.sub_key for f in FIELDS if f.table == "t4")
NARRATIVE_KEYS: tuple[str, ...] = tuple(f.row for f in FIELDS if f.table == "prose")
WIDE: tuple[str, ...] = tuple(f.key for f in FIELDS if f.table in ("t2", "t3", "t4"))  # table cells, in order
PROSE_COLUMNS: tuple[str, ...] = tuple(f.key for f in FIELDS if f.table == "prose")

T3_ROW_ZH = {lab.key: lab.zh for lab in T3_ROW_LABELS}
T3_COLUMN_ZH = {lab.key: lab.zh for lab in T3_COLUMN_LABELS}
T4_GROUP_ZH = {lab.key: lab.zh for lab in T4_GROUP_LABELS}


def t3_label(row: str, col: str) -> str:
    return BY_KEY[f"t3__{row}__{col}"].zh


def t4_label(key: str) -> str:
    return BY_KEY[f"t4__{key}"].zh


def t2_label(key: str) -> str:
    return BY_KEY[f"t2__{key}"].zh


def field_label(flat: str, lang: str = "zh") -> tuple[str, str]:
    """(label with its table, unit) of a warehouse column such as ``t3__granted__total``."""
    f = BY_KEY[flat]
    name = TABLE_NAMES[f.table][0 if lang == "zh" else 1]
    return f"{name} {f.zh if lang == 'zh' else f.en}", f.unit


def cell_words(ref: str) -> str:
    """A finding's cell reference (``t3.granted.total``, ``t4.review_total``, ``narrative.x``,
    ``L12``, ``T2R24C5``) in the words of the printed report, for people who fix it."""
    if m := re.fullmatch(r"L(\d+)", ref):
        return f"原文第 {m[1]} 行"
    if m := re.fullmatch(r"T(\d+)R(\d+)C(\d+)", ref):
        return f"网页第 {m[1]} 个表格第 {m[2]} 行第 {m[3]} 列"
    if ref in TABLE_TITLES:
        return f"{TABLE_NAMES[ref][0]}（整表）"
    if ref.startswith("section.") and ref[8:].isdigit() and int(ref[8:]) in SECTIONS:
        return f"第{SECTIONS[int(ref[8:])][0][:2].rstrip('、')}部分"
    f = BY_REF.get(ref)
    if f is not None:
        return f"正文所述 {f.zh}" if f.table == "prose" else field_label(f.key)[0]
    if ref.startswith("narrative."):
        return "正文所述 数字"
    return {"format_version": "报告格式（表格版本）", "publish_date": "发布日期", "year": "报告年度", **PAGE_WORDS}.get(
        ref, ref
    )


# the page evidence a page rule rests on (etl/check/page_rules.py): (Chinese, English)
PAGE_REFS: dict[str, tuple[str, str]] = {
    "page.page_published": ("网站上的发布时间", "the publication time on the website"),
    "page.first_seen": ("首次发现时间", "when the report was first seen"),
    "page.http_status": ("网站应答（HTTP 状态）", "the website's answer (HTTP status)"),
    "page.error": ("采集失败的原因", "why the fetch failed"),
    "page.problem": ("文件的问题", "what is wrong with the file"),
    "page.size": ("文件大小", "the file's size"),
    "page.sha256": ("网页或附件的内容", "the content of the page or attachment"),
    "page.column_url": ("年报栏目", "the annual-report column"),
}
PAGE_WORDS = {k: v[0] for k, v in PAGE_REFS.items()}


# ---- printed variants ------------------------------------------------------------------------

VARIANTS_CSV = DATA / "label-variants.csv"


@functools.lru_cache(maxsize=1)
def variants() -> dict[tuple[str, str], tuple[str, ...]]:
    """(table part, key) -> printed variants seen in real reports (typos included), from
    data/label-variants.csv. Parts: t2_row, t2_column, t3_row, t3_column, t4_group, t4_suffix."""
    out: dict[tuple[str, str], list[str]] = {}
    with VARIANTS_CSV.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            out.setdefault((row["part"], row["key"]), []).append(row["printed"])
    return {k: tuple(v) for k, v in out.items()}


@functools.lru_cache(maxsize=1)
def variant_notes() -> dict[tuple[str, str, str], str]:
    """(table part, key, printed) -> the note of data/label-variants.csv ("the 2019 format", …)."""
    with VARIANTS_CSV.open(encoding="utf-8") as f:
        return {(r["part"], r["key"], r["printed"]): r["note"] or "" for r in csv.DictReader(f)}


LABEL_PARTS: dict[str, tuple[Label, ...]] = {
    "t2_row": T2_ROWS,
    "t2_column": T2_COLUMNS,
    "t3_row": T3_ROW_LABELS,
    "t3_column": T3_COLUMN_LABELS,
    "t4_group": T4_GROUP_LABELS,
    "t4_suffix": T4_SUFFIX_LABELS,
}
