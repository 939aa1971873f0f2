"""单位档案 as Excel: one agency's years side by side, every field in the words of the printed
tables, with each report's source file and the findings against it."""

from __future__ import annotations

import io

import polars as pl
import xlsxwriter

from dashboard import queries as q
from etl.registry.fields import BY_KEY, PROSE_COLUMNS, WIDE, field_label

NARRATIVE = {c: (f"正文 {BY_KEY[c].zh}", BY_KEY[c].unit) for c in PROSE_COLUMNS}


def workbook(con, agency_id: int) -> bytes:
    """Sheets: 报告 (one row per year's file), 各年度数字 (field × year), 发现的问题."""
    reps = q.agency_reports(con, agency_id).filter(~pl.col("is_duplicate"))
    reports = reps.select(
        pl.col("year").alias("年度"),
        pl.col("agency_printed").alias("报告中的机关名称"),
        pl.col("publish_date").cast(pl.Utf8).alias("发布日期"),
        pl.col("deadline").cast(pl.Utf8).alias("法定期限"),
        pl.col("days_late").alias("逾期天数"),
        pl.col("format_version").alias("格式版本"),
        pl.col("n_errors").alias("错误"),
        pl.col("n_warnings").alias("警告"),
        pl.col("source_path").alias("源文件"),
        pl.col("report_id").alias("报告编号"),
    )
    fields = [c for c in WIDE if c in reps.columns] + [c for c in NARRATIVE if c in reps.columns]
    named = [NARRATIVE.get(c) or field_label(c) for c in fields]
    wide = pl.DataFrame({"项目": [n for n, _ in named], "单位": [u for _, u in named]})
    for rep in reps.sort("year").iter_rows(named=True):
        wide = wide.with_columns(pl.Series(str(rep["year"]), [rep[c] for c in fields], dtype=pl.Float64))
    finds = q.agency_findings(con, agency_id).select(
        pl.col("year").alias("年度"),
        pl.col("severity").alias("严重程度"),
        pl.col("rule").alias("规则"),
        pl.col("message").alias("问题"),
        pl.col("cells").alias("涉及单元格"),
    )
    buf = io.BytesIO()
    with xlsxwriter.Workbook(buf) as wb:
        reports.write_excel(wb, worksheet="报告", autofit=True)
        wide.write_excel(wb, worksheet="各年度数字", autofit=True, freeze_panes=(1, 2))
        finds.write_excel(wb, worksheet="发现的问题", autofit=True)
    return buf.getvalue()
