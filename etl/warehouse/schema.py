"""The warehouse schema (DuckDB). Column names follow the data dictionary: `t2__*`,
`t3__row__col`, `t4__*`. `python -m etl schema` writes data/schema.md from this module."""

from __future__ import annotations

from etl.registry import fields
from etl.registry.fields import BY_KEY, PROSE_COLUMNS, field_label
from etl.warehouse.flatten import SEP

WIDE = list(fields.WIDE)
NARRATIVE_COLUMNS = list(PROSE_COLUMNS)

TABLES: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "regions": (
        "行政区划（省、市、县），来自 data/regions.csv",
        [
            ("code", "VARCHAR PRIMARY KEY", "六位行政区划代码"),
            ("name", "VARCHAR", "名称"),
            ("level", "VARCHAR", "province / city / county / township"),
            ("parent_code", "VARCHAR", "上级代码（省为空）"),
        ],
    ),
    "agencies": (
        "机关：每个报告归属一个机关",
        [
            ("agency_id", "INTEGER PRIMARY KEY", "机关编号"),
            ("name", "VARCHAR", "机关名称（名录中的名称，或首次解析到的名称）"),
            ("name_key", "VARCHAR", "用于匹配的规范化名称（去空格、中共/党政前缀，办公厅→办公室）"),
            ("aliases", "VARCHAR", "各年报告中出现过的其他写法，以“；”分隔"),
            ("region_code", "VARCHAR", "所在行政区划代码"),
            ("province", "VARCHAR", "省"),
            ("city", "VARCHAR", "市"),
            ("county", "VARCHAR", "县（区）"),
            ("level", "VARCHAR", "central / province / city / county / township"),
            ("kind", "VARCHAR", "government / department / township / other"),
            ("is_government_own", "BOOLEAN", "是否为本级人民政府自身的年度报告"),
            ("in_registry", "BOOLEAN", "是否在机关名录中"),
            ("match_status", "VARCHAR", "名录匹配 / 按解析名称建立 / 未匹配"),
        ],
    ),
    "reports": (
        "年度报告：每个机关每年一行（重复文件只保留发布较晚的一份）",
        [
            ("report_id", "VARCHAR", "报告编号（源文件 sha256 前 16 位，唯一）"),
            ("agency_id", "INTEGER", "机关编号"),
            ("year", "INTEGER", "统计年度"),
            ("agency_printed", "VARCHAR", "报告中印的机关名称"),
            ("province", "VARCHAR", "省"),
            ("city", "VARCHAR", "市"),
            ("county", "VARCHAR", "县（区）"),
            ("region_code", "VARCHAR", "行政区划代码"),
            ("format_version", "VARCHAR", "2021 / 2019 / unknown"),
            ("publish_date", "DATE", "发布日期"),
            ("deadline", "DATE", "法定公布期限（条例第四十九条）"),
            ("days_late", "INTEGER", "逾期天数（按时为 0，日期不明为空）"),
            ("sections", "VARCHAR", "找到的部分，如 1,2,3,4,5,6"),
            ("source_path", "VARCHAR", "源文件路径"),
            ("sha256", "VARCHAR", "源文件 sha256"),
            ("fmt", "VARCHAR", "文件格式"),
            ("parse_status", "VARCHAR", "ok"),
            ("is_duplicate", "BOOLEAN", "是否为同一机关同一年度的重复文件（未计入统计）"),
            ("is_demo", "BOOLEAN", "是否为程序生成的演示报告"),
            (
                "n_errors",
                "INTEGER",
                "错误级发现数：只计单份报告核对中来源为 report（报告本身的问题）的发现，"
                "不计 reading（解读存疑）和跨报告发现；合规得分读取此列",
            ),
            ("n_warnings", "INTEGER", "警告级发现数：计法同 n_errors"),
            *[(c, "DOUBLE", "{}（{}）".format(*field_label(c))) for c in WIDE],
            *[(c, "BIGINT", f"正文：{BY_KEY[c].zh}（{BY_KEY[c].unit}）") for c in NARRATIVE_COLUMNS],
        ],
    ),
    "cell_sources": (
        "每份报告表格数字的来源，一行一份报告（按 reports 的 t2/t3/t4 列顺序）；视图 cells 逐格展开",
        [
            ("report_id", "VARCHAR", "报告编号"),
            ("raws", "VARCHAR", "各单元格原文，以制表符分隔"),
            ("locs", "VARCHAR", "各单元格位置（L行号，或 T表R行C列），以制表符分隔；表格中没有的单元格为空"),
        ],
    ),
    "narrative_metrics": (
        "正文中的数字及其所在句子",
        [
            ("report_id", "VARCHAR", "报告编号"),
            ("metric", "VARCHAR", "指标"),
            ("value", "BIGINT", "数值"),
            ("evidence", "VARCHAR", "原句"),
            ("loc", "VARCHAR", "行号"),
        ],
    ),
    "findings": (
        "发现的问题：单份报告的核对和跨报告、跨年度核对",
        [
            ("report_id", "VARCHAR", "报告编号（缺报等无报告的发现为空）"),
            ("agency_id", "INTEGER", "机关编号"),
            ("year", "INTEGER", "年度"),
            ("rule", "VARCHAR", "规则编号"),
            ("severity", "VARCHAR", "error / warning / info"),
            ("message", "VARCHAR", "说明"),
            ("cells", "VARCHAR", "涉及的单元格，以“,”分隔"),
            ("scope", "VARCHAR", "report（单份报告）/ cross（跨报告）"),
            (
                "origin",
                "VARCHAR",
                "report（报告本身的问题；单份报告核对的计入 n_errors/n_warnings 和合规得分）"
                "/ reading（解读存疑，交人工核查，不计分），取自规则注册表",
            ),
            ("related_report_id", "VARCHAR", "相关的另一份报告（如雷同的同地区报告、照抄的上年报告），无则为空"),
            (
                "finding_id",
                "VARCHAR",
                "问题编号（16 位）：report 类按机关、年度、规则、单元格，reading 类按文件 sha256、规则、单元格计算"
                "（etl/review/identity.py），重建数据库后不变；复核库中的处理状态按此编号记录",
            ),
        ],
    ),
    "corrections": (
        "入库时已套用的人工更正（复核库中仍有效的更正），每个被更正的单元格一行；原值为从文件读出的值",
        [
            ("report_id", "VARCHAR", "报告编号"),
            ("field", "VARCHAR", "字段，如 t3__new_received__total"),
            ("value", "DOUBLE", "更正后的值（空为更正为空白）"),
            ("original_value", "DOUBLE", "从文件读出的值（空为空白）"),
            ("version", "INTEGER", "复核库中该单元格更正的版本"),
            ("account", "VARCHAR", "更正人"),
            ("at", "TIMESTAMP", "更正时间（UTC）"),
            ("reason", "VARCHAR", "更正理由"),
        ],
    ),
    "dismissed": (
        "入库时复核库中已排除（不是问题）的报告本身问题，每个发现一行；合规得分、督办清单和各项问题计数不计这些问题。"
        "看板以复核库的最新记录为准（同名关系覆盖此表）",
        [
            ("finding_id", "VARCHAR", "问题编号"),
            ("report_id", "VARCHAR", "报告编号（无报告的发现为空）"),
            ("scope", "VARCHAR", "report / cross"),
            ("severity", "VARCHAR", "error / warning / info"),
            ("rule", "VARCHAR", "规则编号"),
        ],
    ),
    "report_texts": (
        "报告正文（规范化后），用于查看数字出处和比对抄袭",
        [
            ("report_id", "VARCHAR", "报告编号"),
            ("text", "VARCHAR", "规范化后的全文，行号与 cells.loc 一致"),
            ("prose", "VARCHAR", "表格以外的文字（用于比对抄袭）"),
        ],
    ),
    "prose_signatures": (
        "每份报告正文的 MinHash 签名（在解析进程中计算），用于查找疑似照抄、雷同的报告",
        [
            ("report_id", "VARCHAR", "报告编号"),
            ("shingles", "INTEGER", "去掉数字、标点和格式套话后的不同 6 字片段数"),
            ("minhash", "UINTEGER[64]", "单置换 MinHash：64 个桶中各片段散列值的最小值（空桶为 4294967295）"),
        ],
    ),
    "sources": (
        "见过的每一个文件及其处理结果",
        [
            ("path", "VARCHAR", "路径"),
            ("sha256", "VARCHAR", "sha256"),
            ("size", "BIGINT", "字节数"),
            ("status", "VARCHAR", "loaded / rejected / duplicate / skipped"),
            ("reason", "VARCHAR", "拒收或跳过的原因"),
            ("report_id", "VARCHAR", "对应报告"),
            ("agency_printed", "VARCHAR", "报告中的机关名称"),
            ("year", "INTEGER", "年度"),
            ("run_id", "INTEGER", "首次处理该文件的入库批次"),
            ("mtime_ns", "BIGINT", "入库时文件的修改时间（纳秒）：路径、大小和修改时间都未变的文件不再计算 sha256"),
        ],
    ),
    "load_runs": (
        "每次入库",
        [
            ("run_id", "INTEGER", "批次"),
            ("started_at", "TIMESTAMP", "开始"),
            ("finished_at", "TIMESTAMP", "结束"),
            ("files_seen", "INTEGER", "文件数"),
            ("files_new", "INTEGER", "新文件或已变化的文件"),
            ("loaded", "INTEGER", "入库报告"),
            ("rejected", "INTEGER", "拒收"),
            ("duplicates", "INTEGER", "重复"),
            ("skipped", "INTEGER", "跳过（非报告格式）"),
            ("unmatched", "INTEGER", "未匹配机关"),
            ("findings", "INTEGER", "发现总数"),
            ("seconds", "DOUBLE", "耗时（秒）"),
        ],
    ),
    "warehouse_meta": (
        "数据库自身的信息：结构版本（schema_version）、写入它的程序版本、升级记录",
        [
            ("key", "VARCHAR PRIMARY KEY", "名称"),
            ("value", "VARCHAR", "值"),
        ],
    ),
    "page_evidence": (
        "网站证据：采集程序（python -m etl collect）的清单，每个网址每个版本（或每次失败的采集）在每个栏目中一行；"
        "列与 etl/check/page_rules.py 的 PAGE_EVIDENCE_COLUMNS 一致",
        [
            ("agency", "VARCHAR", "名录或种子文件中的机关名称（未给出为空）"),
            ("agency_kind", "VARCHAR", "government / department / township / other（空：按名称判断）"),
            ("agency_level", "VARCHAR", "central / province / city / county / township / unknown（按区划代码）"),
            ("year", "INTEGER", "报告年度（取自链接或页面标题，无则为空）"),
            ("kind", "VARCHAR", "list（年报栏目的列表页）/ page（报告页面）/ attachment（附件）"),
            ("url", "VARCHAR", "网址"),
            ("column_url", "VARCHAR", "所在的年报栏目"),
            ("report_page_url", "VARCHAR", "附件所在的报告页面"),
            ("title", "VARCHAR", "栏目中链接的标题（或页面标题）"),
            ("http_status", "INTEGER", "取得内容为 200；采集失败时为其状态码，无应答为空"),
            ("error", "VARCHAR", "采集失败的原因；取得内容时为空"),
            ("blocked", "BOOLEAN", "列出但按规则未采集（robots.txt 禁止，或在其他网站）"),
            ("content_type", "VARCHAR", "网站声明的 Content-Type"),
            ("size", "BIGINT", "字节数"),
            ("sha256", "VARCHAR", "内容的 sha256（采集失败为空），与 sources.sha256 对应"),
            ("text_sha256", "VARCHAR", "页面正文的 sha256（页面改动指正文改动）"),
            ("problem", "VARCHAR", "内容不是可用报告文件的原因（空文件、错误页、损坏）"),
            ("version", "INTEGER", "该网址先后提供的第几个版本（采集失败为空）"),
            ("page_published", "TIMESTAMP", "页面上印的发布时间（附件取其报告页面的）"),
            ("page_published_text", "VARCHAR", "发布时间的原文及来源"),
            ("first_seen", "TIMESTAMP", "首次在该网址见到此内容的时间（采集失败为采集时间）"),
            ("last_seen", "TIMESTAMP", "最后一次在该网址见到此内容的时间"),
        ],
    ),
}


def ddl() -> list[str]:
    out = []
    for name, (_, cols) in TABLES.items():
        body = ",\n  ".join(f'"{c}" {t}' for c, t, _ in cols)
        out.append(f'CREATE TABLE IF NOT EXISTS "{name}" (\n  {body}\n)')
    return out


# one row per number, unfolded from cell_sources: what the dashboard and exports read
VIEWS: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "cells": (
        "视图：每个数字的来源：报告、字段、值、原文、位置（行号或表/行/列）",
        [
            ("report_id", "VARCHAR", "报告编号"),
            ("field", "VARCHAR", "字段，如 t3__granted__total"),
            ("value", "DOUBLE", "数值（空白或“/”为空）"),
            ("raw", "VARCHAR", "原文"),
            ("loc", "VARCHAR", "位置：L行号，或 T表R行C列"),
        ],
    ),
}


def views() -> list[str]:
    """The values come from the report's own columns, so each number is stored once."""
    fields = ", ".join(f"'{c}'" for c in WIDE)
    values = ", ".join(f'r."{c}"' for c in WIDE)
    return [
        f"""CREATE OR REPLACE VIEW cells AS
  SELECT report_id, field, value, raw, loc FROM (
    SELECT c.report_id, unnest([{fields}]) AS field, unnest([{values}]) AS value,
           unnest(string_split(c.raws, chr({ord(SEP)}))) AS raw, unnest(string_split(c.locs, chr({ord(SEP)}))) AS loc
    FROM cell_sources c JOIN reports r USING (report_id)) WHERE loc <> ''"""
    ]


def columns(table: str) -> list[str]:
    return [c for c, _, _ in TABLES[table][1]]


def render_markdown() -> str:
    lines = [
        "# Warehouse schema",
        "",
        "Generated by `python -m etl schema` from `etl/schema.py`; do not edit.",
        "",
    ]
    for name, (desc, cols) in {**TABLES, **VIEWS}.items():
        lines += [f"## {name}", "", desc, "", "| column | type | meaning |", "|---|---|---|"]
        shown = [c for c in cols if not c[0].startswith(("t3__",))]
        for c, t, d in shown:
            lines.append(f"| {c} | {t.split()[0]} | {d} |")
        if len(shown) != len(cols):
            lines.append("| t3__{row}__{col} | DOUBLE | 表三每个单元格：25 行 × 7 列，行、列名见数据字典 |")
        lines.append("")
    return "\n".join(lines)
