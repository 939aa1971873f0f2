"""督办清单: per agency, what it must fix: the finding in words, the table and cells, the rule.
One Excel workbook for a scope and year, from the 合规监测 and 督办 pages or the command line:

    python -m dashboard.followup --db data/warehouse.duckdb --scope 江西省 --year 2024 --out 督办清单.xlsx

With the review store (`Review`), each row carries the finding's stable id (编号, a text cell) and
its current 状态, 说明 and 期限: an office edits those and `python -m etl review import` (or the
督办 page) reads them back (etl.review.excel)."""

from __future__ import annotations

import argparse
import io
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from dashboard import queries as q
from dashboard.brief_data import ScopeError, latest_year, resolve_scope
from etl.registry.fields import cell_words
from etl.registry.rules import RULE_WORDS
from etl.review.queries import export_columns
from etl.review.store import ReviewStore
from etl.review.warehouse import WarehouseFindings

SEVERITY_WORDS = {"error": "错误（须更正）", "warning": "警告（须核实）"}
MAX_ROWS = 1_000_000  # an Excel sheet holds 1,048,576 rows
REVIEW_COLUMNS = ("状态", "说明", "期限")


@dataclass(frozen=True)
class Review:
    """The review store and the warehouse's findings by id: what the 编号 and states come from."""

    store: ReviewStore
    findings: WarehouseFindings


def with_review(found: pl.DataFrame, review: Review) -> pl.DataFrame:
    """Each finding's 状态, 说明, 期限 from the review store, by its stored id (编号)."""
    ids = found["finding_id"].to_list()
    known = {i: review.findings.findings[i] for i in ids if i in review.findings.findings}
    cols = export_columns(review.store, known)
    blank = ("", "", "")
    return found.with_columns(
        *(
            pl.Series(name, [cols.get(i, blank)[k] if i else "" for i in ids], dtype=pl.Utf8)
            for k, name in enumerate(REVIEW_COLUMNS)
        ),
    )


def _cells_in_words(cells: str | None) -> str:
    refs = [c for c in (cells or "").split(",") if c]
    words = list(dict.fromkeys(cell_words(c) for c in refs))
    return "；".join(words[:8]) + (f" 等 {len(words)} 处" if len(words) > 8 else "")


def rows(con, scope: q.Scope, year: int, review: Review | None = None) -> pl.DataFrame:
    """One row per finding an agency must act on (the report's own errors and warnings nobody
    dismissed), in the order of places."""
    found = q.followup_findings(con, scope, year, MAX_ROWS)
    extra = ("编号", *REVIEW_COLUMNS) if review is not None else ()
    if found.height == 0:
        return pl.DataFrame(
            schema={
                c: pl.Utf8
                for c in (
                    *extra[:1],
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
                    *extra[1:],
                )
            }
        )
    if review is not None:
        found = with_review(found, review)
    head = [pl.col("finding_id").alias("编号")] if review is not None else []
    tail = [pl.col(c) for c in REVIEW_COLUMNS] if review is not None else []
    return found.sort("province", "city", "county", "agency", "severity", "rule", nulls_last=True).select(
        *head,
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
        *tail,
    )


def workbook(con, scope: q.Scope, year: int, review: Review | None = None) -> tuple[bytes, int]:
    """The workbook's bytes and its number of findings: sheet 督办清单 (one row per finding, with
    filters) and sheet 按机关汇总 (one row per agency with its counts)."""
    detail = rows(con, scope, year, review)
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
        text = {"编号": "@"} if review is not None else None  # an id stays text when edited in Excel
        detail.write_excel(
            wb, worksheet="督办清单", autofilter=True, autofit=True, freeze_panes=(1, 0), column_formats=text
        )
        per_agency.write_excel(wb, worksheet="按机关汇总", autofilter=True, autofit=True, freeze_panes=(1, 0))
    return buf.getvalue(), detail.height


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dashboard.followup", description="生成督办清单（Excel）")
    ap.add_argument("--db", default="data/warehouse.duckdb")
    ap.add_argument("--scope", default="全国", help="全国、省、市或县的名称，或“省/市”")
    ap.add_argument("--year", type=int, help="报告年度（默认库中最新年度）")
    ap.add_argument("--out", required=True, help="输出的 .xlsx 文件")
    ap.add_argument("--review-db", help="复核库地址（默认数据库旁的 .review.sqlite，或 GOVREPORT_REVIEW_DB）")
    args = ap.parse_args(argv)
    if not Path(args.db).is_file():
        print(f"错误：找不到数据库 {args.db}。", file=sys.stderr)
        return 2
    try:
        with duckdb.connect(args.db, read_only=True) as con:
            from dashboard import decisions

            decisions.attach(con, decisions.read_ids(args.db, args.review_db))  # dismissed findings do not count
            scope = resolve_scope(con, args.scope)
            year = args.year or latest_year(con)
            if year is None:
                print("错误：数据库中还没有报告。", file=sys.stderr)
                return 2
            from etl.review.store import open_store
            from etl.review.warehouse import read_findings

            with open_store(args.db, args.review_db) as store:
                data, n = workbook(con, scope, year, Review(store, read_findings(args.db)))
    except ScopeError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    Path(args.out).write_bytes(data)
    print(f"已生成 {args.out}：{scope.name()} {year} 年度，{n:,} 条待整改的发现")
    return 0


if __name__ == "__main__":
    sys.exit(main())
