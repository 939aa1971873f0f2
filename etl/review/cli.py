"""`python -m etl review …`: the review store from the command line (the edge: errors become
one-line messages and exit codes here).

    python -m etl review import FILE.xlsx --db WAREHOUSE [--review-db URL] --user NAME [--dry-run]
    python -m etl review overdue --db WAREHOUSE [--review-db URL]

Exit codes: 0 every row applied (or nothing to do); 1 some rows refused (the valid ones were
applied); 2 nothing applied (bad arguments, unknown user, unreadable workbook or store)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from etl.paths import DEFAULT_DB
from etl.review.errors import ReviewError

if TYPE_CHECKING:  # the store's libraries load only when a review command runs
    from etl.review.excel import ImportReport


def print_report(r: ImportReport, out=None) -> None:
    w = (out or sys.stdout).write
    verb = "已应用" if r.applied else "试运行（未写入）：将应用"
    w(f"{verb} {len(r.changed)} 条状态变更，{len(r.noted)} 条说明；{r.unchanged} 行未变；拒绝 {len(r.refused)} 行\n")
    for x in r.changed:
        w(f"  第 {x.row} 行 {x.finding_id}：{x.what}\n")
    for x in r.noted:
        w(f"  第 {x.row} 行 {x.finding_id}：{x.what}\n")
    for x in r.refused:
        w(f"  拒绝 第 {x.row} 行 {x.finding_id or '（无编号）'}：{x.what}\n")


def cmd_import(args: argparse.Namespace) -> int:
    from etl.review.accounts import Accounts
    from etl.review.excel import import_rows, read_rows
    from etl.review.store import open_store
    from etl.review.warehouse import read_findings

    try:
        rows = read_rows(args.file)
        found = read_findings(args.db, {r.finding_id for r in rows})
        with open_store(args.db, args.review_db) as store:
            actor = Accounts(store).actor(args.user)
            report = import_rows(store, actor, rows, found.findings, dry_run=args.dry_run)
    except ReviewError as e:
        print(f"导入失败，未作任何改动：{e.one_line()}", file=sys.stderr)
        return 2
    print_report(report)
    return 1 if report.refused else 0


def cmd_overdue(args: argparse.Namespace) -> int:
    from etl.review.store import open_store
    from etl.review.workflow import mark_overdue

    try:
        with open_store(args.db, args.review_db) as store:
            changes = mark_overdue(store)
    except ReviewError as e:
        print(f"失败：{e.one_line()}", file=sys.stderr)
        return 2
    print(f"{len(changes)} 条已通知的问题超过整改期限，已标为逾期未改")
    return 0


def register(sub) -> None:
    sr = sub.add_parser("review", help="the review store: apply an edited 督办清单, mark overdue findings")
    rs = sr.add_subparsers(dest="review_command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=str(DEFAULT_DB), help="warehouse file (default data/warehouse.duckdb)")
    common.add_argument(
        "--review-db",
        metavar="URL",
        help="review store: postgresql://… (default: GOVREPORT_REVIEW_DB, else an SQLite file beside the warehouse)",
    )
    si = rs.add_parser(
        "import",
        parents=[common],
        help="apply an edited 督办清单 workbook (编号, 状态, 说明, 期限)",
        description="Validate every row; apply the valid rows in one transaction and list the "
        "refused rows with their reasons. Exit 1 when some rows were refused.",
    )
    si.add_argument("file", metavar="FILE.xlsx")
    si.add_argument("--user", required=True, metavar="NAME", help="the account the changes are made as")
    si.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")
    si.set_defaults(func=cmd_import)
    so = rs.add_parser("overdue", parents=[common], help="mark 已通知 findings past their deadline as 逾期未改")
    so.set_defaults(func=cmd_overdue)
