"""Accounts of the dashboard, in the review store found as the dashboard finds it:

    python -m dashboard.users add NAME --role viewer|reviewer|admin --scope 全国|省|省/市|省/市/县 \\
        --password-stdin --db WAREHOUSE [--review-db URL]
    python -m dashboard.users list | disable NAME | enable NAME | reset-password NAME [--password-stdin]

There is no default account and no default password. A password is read from standard input
(--password-stdin, first line) or typed twice at a prompt; it is never echoed or logged."""

from __future__ import annotations

import argparse
import getpass
import sys

from etl.paths import DEFAULT_DB
from etl.review.errors import ReviewError


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise ReviewError("没有终端可输入密码：请用 --password-stdin 从标准输入读取")
    first = getpass.getpass("密码：")
    if getpass.getpass("再输入一次：") != first:
        raise ReviewError("两次输入的密码不一致")
    return first


def _when(d) -> str:
    return d.astimezone().strftime("%Y-%m-%d %H:%M") if d else "—"


def run(args: argparse.Namespace) -> int:
    from etl.review.accounts import ROLE_WORDS, Accounts
    from etl.review.store import open_store

    with open_store(args.db, args.review_db) as store:
        accounts = Accounts(store)
        if args.cmd == "add":
            a = accounts.add(args.name, _password(args), args.role, args.scope)
            print(f"已添加账户“{a.name}”：{ROLE_WORDS[a.role]}，范围 {a.scope}（复核库 {store.location}）")
        elif args.cmd == "list":
            rows = accounts.list()
            if not rows:
                print(f"还没有账户（复核库 {store.location}）：仪表板以只读公开模式运行")
            for a in rows:
                state = "已停用" if a.disabled else ("已锁定" if a.locked_until else "正常")
                print(
                    f"{a.name}\t{a.role}（{ROLE_WORDS[a.role]}）\t{a.scope}\t{state}\t最近登录 {_when(a.last_login_at)}"
                )
        elif args.cmd in ("disable", "enable"):
            a = accounts.set_disabled(args.name, args.cmd == "disable")
            print(f"账户“{a.name}”已{'停用（其登录已全部失效）' if a.disabled else '启用'}")
        elif args.cmd == "reset-password":
            a = accounts.reset_password(args.name, _password(args))
            print(f"账户“{a.name}”的密码已重设，锁定已解除，原有登录已失效")
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m dashboard.users", description="管理仪表板账户（角色与地区范围）")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=str(DEFAULT_DB), help="warehouse file; its review store holds the accounts")
    common.add_argument(
        "--review-db",
        metavar="URL",
        help="review store URL (default: GOVREPORT_REVIEW_DB, else an SQLite file beside the warehouse)",
    )
    sub = ap.add_subparsers(dest="cmd", required=True)
    add = sub.add_parser("add", parents=[common], help="add an account")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", required=True, choices=("viewer", "reviewer", "admin"))
    add.add_argument("--scope", required=True, help="全国、省、省/市 或 省/市/县（全称），如 江西省/赣州市")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    sub.add_parser("list", parents=[common], help="list the accounts")
    for cmd, words in (("disable", "disable an account and end its sessions"), ("enable", "enable it again")):
        sub.add_parser(cmd, parents=[common], help=words).add_argument("name", metavar="NAME")
    rp = sub.add_parser("reset-password", parents=[common], help="set a new password, clear the lockout")
    rp.add_argument("name", metavar="NAME")
    rp.add_argument("--password-stdin", action="store_true")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except ReviewError as e:
        print(f"错误：{e.one_line()}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
