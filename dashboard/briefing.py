"""政务公开年报分析简报 for a region and a year, as PDF or Word.

    python -m dashboard.briefing --db data/warehouse.duckdb --scope 江西省 --year 2024 --out brief.pdf

The format follows the suffix of --out (.pdf or .docx). The 总览 page offers the same file."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import duckdb

from dashboard import brief_data, brief_render, decisions
from dashboard.queries import Scope

FORMATS = (".pdf", ".docx")


def build(con, scope: Scope, year: int, fmt: str, today: dt.date | None = None) -> bytes:
    """The briefing's bytes; fmt is "pdf" or "docx"."""
    brief = brief_data.gather(con, scope, year, today)
    images = brief_render.chart_images(brief_render.figures(brief))
    blocks = brief_render.blocks(brief, len(images))
    if fmt == "docx":
        return brief_render.to_docx(blocks, images)
    return brief_render.to_pdf(brief_render.to_html(blocks, images))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m dashboard.briefing", description="生成政务公开年报分析简报（PDF 或 Word）"
    )
    ap.add_argument("--db", default="data/warehouse.duckdb", help="DuckDB 数据库文件")
    ap.add_argument("--scope", default="全国", help="地区：全国、省、市或县的名称，或“省/市”（默认全国）")
    ap.add_argument("--year", type=int, help="报告年度（默认库中最新年度）")
    ap.add_argument("--out", required=True, help="输出文件，.pdf 或 .docx")
    ap.add_argument("--review-db", metavar="URL", help="复核库（默认：GOVREPORT_REVIEW_DB，或数据库旁的 SQLite 文件）")
    args = ap.parse_args(argv)
    out = Path(args.out)
    if out.suffix.lower() not in FORMATS:
        print(f"错误：--out 须以 .pdf 或 .docx 结尾（收到“{out.name}”）", file=sys.stderr)
        return 2
    if not Path(args.db).is_file():
        print(f"错误：找不到数据库 {args.db}。请先运行 make demo 或 python -m etl load。", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        with duckdb.connect(args.db, read_only=True) as con:
            decisions.attach(con, decisions.read_ids(args.db, args.review_db))  # dismissed findings do not count
            scope = brief_data.resolve_scope(con, args.scope)
            year = args.year or brief_data.latest_year(con)
            if year is None:
                print("错误：数据库中还没有报告。", file=sys.stderr)
                return 2
            data = build(con, scope, year, out.suffix.lower().lstrip("."))
    except (brief_data.ScopeError, brief_render.RenderError) as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(
        f"已生成 {out}（{scope.name()}，{year} 年度，{len(data) / 1024:,.0f} KB，"
        f"{time.perf_counter() - started:.1f} 秒）"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
