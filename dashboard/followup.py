"""督办清单: per agency, what it must fix: the finding in words, the table and cells, the rule.
One Excel workbook for a scope and year, from the 合规监测 page or the command line:

    python -m dashboard.followup --db data/warehouse.duckdb --scope 江西省 --year 2024 --out 督办清单.xlsx
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import duckdb
import polars as pl

from dashboard import queries as q
from dashboard.brief_data import ScopeError, latest_year, resolve_scope
from etl.registry.fields import cell_words
from etl.registry.rules import RULE_WORDS

SEVERITY_WORDS = {"error": "错误（须更正）", "warning": "警告（须核实）"}
MAX_ROWS = 1_000_000  # an Excel sheet holds 1,048,576 rows


def _cells_in_words(cells: str | None) -> str:
    refs = [c for c in (cells or "").split(",") if c]
    words = list(dict.fromkeys(cell_words(c) for c in refs))
    return "；".join(words[:8]) + (f" 等 {len(words)} 处" if len(words) > 8 else "")


def rows(con, scope: q.Scope, year: int) -> pl.DataFrame:
    """One row per finding an agency must act on (errors and warnings), in the order of places."""
    found = q.findings(con, scope, year, None, ["error", "warning"], MAX_ROWS)
    if found.height == 0:
        return pl.DataFrame(
            schema={
                c: pl.Utf8
                for c in (
                    "省",
                    "市",
                    "县",
                    "机关",
                    "年度",
                    "严重程度",
                    "问题",
                    "涉及表格和单元格",
                    "规则",
                    "规则说明",
                )
            }
        )
    return found.sort("province", "city", "county", "agency", "severity", "rule", nulls_last=True).select(
        pl.col("province").alias("省"),
        pl.col("city").alias("市"),
        pl.col("county").alias("县"),
        pl.col("agency").alias("机关"),
        pl.col("year").alias("年度"),
        pl.col("severity").replace_strict(SEVERITY_WORDS, default=pl.col("severity")).alias("严重程度"),
        pl.col("message").alias("问题"),
        pl.col("cells").map_elements(_cells_in_words, return_dtype=pl.Utf8).alias("涉及表格和单元格"),
        pl.col("rule").alias("规则"),
        pl.col("rule").replace_strict(RULE_WORDS, default="").alias("规则说明"),
    )


def workbook(con, scope: q.Scope, year: int) -> tuple[bytes, int]:
    """The workbook's bytes and its number of findings: sheet 督办清单 (one row per finding, with
    filters) and sheet 按机关汇总 (one row per agency with its counts)."""
    detail = rows(con, scope, year)
    per_agency = (
        detail.group_by("省", "市", "县", "机关")
        .agg(
            pl.col("严重程度").str.starts_with("错误").sum().alias("错误"),
            pl.col("严重程度").str.starts_with("警告").sum().alias("警告"),
        )
        .sort("错误", "警告", descending=True)
    )
    buf = io.BytesIO()
    import xlsxwriter

    with xlsxwriter.Workbook(buf) as wb:
        detail.write_excel(wb, worksheet="督办清单", autofilter=True, autofit=True, freeze_panes=(1, 0))
        per_agency.write_excel(wb, worksheet="按机关汇总", autofilter=True, autofit=True, freeze_panes=(1, 0))
    return buf.getvalue(), detail.height


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dashboard.followup", description="生成督办清单（Excel）")
    ap.add_argument("--db", default="data/warehouse.duckdb")
    ap.add_argument("--scope", default="全国", help="全国、省、市或县的名称，或“省/市”")
    ap.add_argument("--year", type=int, help="报告年度（默认库中最新年度）")
    ap.add_argument("--out", required=True, help="输出的 .xlsx 文件")
    args = ap.parse_args(argv)
    if not Path(args.db).is_file():
        print(f"错误：找不到数据库 {args.db}。", file=sys.stderr)
        return 2
    try:
        with duckdb.connect(args.db, read_only=True) as con:
            scope = resolve_scope(con, args.scope)
            year = args.year or latest_year(con)
            if year is None:
                print("错误：数据库中还没有报告。", file=sys.stderr)
                return 2
            data, n = workbook(con, scope, year)
    except ScopeError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    Path(args.out).write_bytes(data)
    print(f"已生成 {args.out}：{scope.name()} {year} 年度，{n:,} 条待整改的发现")
    return 0


if __name__ == "__main__":
    sys.exit(main())
