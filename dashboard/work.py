"""The review pages' side of the review store (核查, 督办, the agency record's history): who is
acting, the store, every finding of the warehouse with its stable id, and the actions.

Identity contract with the login page: the signed-in account is st.session_state["account"] (an
etl.review.accounts.Account) and st.session_state["role"]. Every action goes through `act`,
`note`, `fix_value` or `import_excel` here, which refuse anyone who is not a reviewer or an admin
before etl.review checks the role and the account's scope again, server-side; a finding is always
looked up by its id in the warehouse, never rebuilt from what a form sent."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import polars as pl
import streamlit as st

from dashboard import decisions as dismissed_ids
from dashboard.state import db_path, file_key
from etl.registry.rules import SEVERITY_WORDS, words
from etl.review import corrections, excel, queries, workflow
from etl.review.errors import Refusal, Refused
from etl.review.model import Actor, Decision, FindingRef
from etl.review.scope import Scope
from etl.review.store import ReviewStore, open_store
from etl.review.warehouse import WarehouseFindings, read_findings
from etl.review.workflow import REPORT_STATES

ACTING_ROLES = ("reviewer", "admin")
STATE_WORDS: dict[str, str] = {  # the workflow's states (etl.review.workflow.STATES) in English
    "待核实": "To verify",
    "已确认": "Confirmed",
    "已排除": "Dismissed",
    "已通知": "Notified",
    "已整改": "Fixed",
    "逾期未改": "Overdue",
    "待核查": "To check",
    "已确认读数": "Reading confirmed",
    "已更正": "Corrected",
    "无法辨认": "Unreadable",
}
ORIGIN_WORDS = {"reading": ("读数存疑", "Reading doubt"), "report": ("报告问题", "Report problem")}
VIA_WORDS = {
    "dashboard": ("页面操作", "on the page"),
    "excel": ("Excel 导入", "Excel import"),
    "data": ("数据复核", "by the data"),
}
OPEN = ("待核查", "待核实")  # what the queue shows by default: nobody has decided yet
ACTIONABLE = ("error", "warning")  # the severities a person acts on (as the 督办清单)


def state_word(state: str | None, lang: str) -> str:
    if state is None:
        return "—"
    return state if lang == "zh" else STATE_WORDS.get(state, state)


def origin_word(origin: str, lang: str) -> str:
    zh, en = ORIGIN_WORDS.get(origin, (origin, origin))
    return zh if lang == "zh" else en


def via_word(via: str, lang: str) -> str:
    zh, en = VIA_WORDS.get(via, (via, via))
    return zh if lang == "zh" else en


# ---- who acts ------------------------------------------------------------------------------


def actor() -> Actor | None:
    """The signed-in account as an Actor, or None (anonymous). The role is the account's own: a
    session role that does not match it gives no more than viewing."""
    acc = st.session_state.get("account")
    role = st.session_state.get("role")
    if acc is None or role is None:
        return None
    return Actor(acc.name, role if role == acc.role else "viewer", acc.scope)


def can_act(a: Actor | None) -> bool:
    return a is not None and a.role in ACTING_ROLES


def _allowed(a: Actor | None, finding_id: str = "") -> Actor:
    """The server-side gate every action passes first (etl.review checks role and scope again)."""
    if not can_act(a):
        raise Refused([Refusal(finding_id, "须以审核员或管理员账户登录才能操作（当前为只读）")])
    return a


def account_scope(a: Actor | None) -> Scope:
    """What the account may see: its scope (全国 for anonymous public mode, which is read-only)."""
    return a.scope if a is not None else Scope()


# ---- the store and the warehouse's findings --------------------------------------------------


def review_url() -> str | None:
    """`--review-db URL` after `--` on the streamlit command line, else GOVREPORT_REVIEW_DB."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--review-db")
    args, _ = parser.parse_known_args(sys.argv[1:])
    return args.review_db or os.environ.get("GOVREPORT_REVIEW_DB") or None


@st.cache_resource(max_entries=4)
def _store(warehouse: str, url: str | None) -> ReviewStore:
    return open_store(warehouse, url)


def store() -> ReviewStore:
    return _store(str(db_path()), review_url())


@st.cache_resource(max_entries=2, show_spinner=False)
def _findings(key: tuple) -> WarehouseFindings:
    return read_findings(key[0])


def findings() -> WarehouseFindings:
    """Every finding of the warehouse by id (read once per warehouse file)."""
    return _findings(file_key(db_path()))


@st.cache_data(max_entries=2, show_spinner=False)
def _base(key: tuple) -> pl.DataFrame:
    return base_frame(_findings(key).findings.values())


def base_frame(refs) -> pl.DataFrame:
    rows = [
        (f.finding_id, f.origin, f.severity, f.rule, f.message, f.cells, f.agency_key, f.agency_name, f.year,
         f.province, f.city, f.county, f.report_sha256)
        for f in refs
    ]  # fmt: skip
    names = ["finding_id", "origin", "severity", "rule", "message", "cells", "agency_key", "agency", "year",
             "province", "city", "county", "sha256"]  # fmt: skip
    schema = {n: pl.Utf8 for n in names} | {"year": pl.Int64}
    return pl.DataFrame(rows, schema=schema, orient="row")


def in_scope(df: pl.DataFrame, scope: Scope) -> pl.DataFrame:
    """Scope.contains as a filter (a place not known to the scope's depth lies outside)."""
    for col, v in (("province", scope.province), ("city", scope.city), ("county", scope.county)):
        if v is not None:
            df = df.filter(pl.col(col) == v)
    return df


def with_states(df: pl.DataFrame, rows: dict) -> pl.DataFrame:
    """Adds state, deadline, updated_by (a finding without a stored row is in its initial state)."""
    got = [rows.get(i) for i in df["finding_id"].to_list()]
    initial = [queries.INITIAL[o] for o in df["origin"].to_list()]
    return df.with_columns(
        pl.Series("state", [r.state if r else s for r, s in zip(got, initial)], dtype=pl.Utf8),
        pl.Series("deadline", [r.deadline if r else None for r in got], dtype=pl.Date),
        pl.Series("updated_by", [r.updated_by if r else None for r in got], dtype=pl.Utf8),
    )


def worklist(page_scope, year: int | None, a: Actor | None, agency_keys: set[str] | None) -> pl.DataFrame:
    """The actionable findings (errors and warnings) inside both the account's scope and the page's
    region (and kind, through `agency_keys`), with their states; reading doubts first."""
    df = _base(file_key(db_path())).filter(pl.col("severity").is_in(ACTIONABLE))
    df = in_scope(df, account_scope(a))
    df = in_scope(df, Scope(page_scope.province, page_scope.city, page_scope.county))
    if agency_keys is not None:
        df = df.filter(pl.col("agency_key").is_in(list(agency_keys)))
    if year is not None:
        df = df.filter(pl.col("year") == year)
    df = with_states(df, queries.states(store(), df["finding_id"].to_list()))
    order = {"reading": 0, "report": 1}
    return df.sort(
        pl.col("origin").replace_strict(order, default=2),
        pl.col("severity").replace_strict({"error": 0, "warning": 1}, default=2),
        "province",
        "city",
        "county",
        "agency",
        "rule",
        "year",
        "finding_id",  # a total order: a ticked row or a picked index means the same finding on every run
        nulls_last=True,
    )


def has_store() -> bool:
    """Whether a review store exists (a public dashboard never makes one just by being read)."""
    from sqlalchemy.engine import make_url

    from etl.review.store import locate

    loc = locate(str(db_path()), review_url())
    return loc.kind != "sqlite" or Path(make_url(loc.url).database).exists()


def state_counts(page_scope, year: int | None, agency_keys: pl.DataFrame | None) -> dict[str, int]:
    """How many of the reports' own problems (errors and warnings) stand in each state, in the page's
    region and year (the account's scope applied): what 合规监测 shows beside its lists."""
    keys = set(agency_keys["agency_key"].to_list()) if agency_keys is not None else None
    df = worklist(page_scope, year, actor(), keys).filter(pl.col("origin") == "report")
    return {s: df.filter(pl.col("state") == s).height for s in REPORT_STATES}


def shown(df: pl.DataFrame, lang: str) -> pl.DataFrame:
    """The columns a person reads, in words."""
    from dashboard.source import cells_words

    i = 0 if lang == "zh" else 1
    return df.select(
        "finding_id",
        pl.col("origin").map_elements(lambda o: origin_word(o, lang), return_dtype=pl.Utf8).alias("kind_of"),
        pl.col("state").map_elements(lambda s: state_word(s, lang), return_dtype=pl.Utf8).alias("state_w"),
        "agency",
        pl.concat_str([pl.col("province"), pl.col("city"), pl.col("county")], separator="/", ignore_nulls=True)
        .replace("", None)
        .alias("place"),
        "year",
        pl.col("severity").map_elements(lambda s: SEVERITY_WORDS[s][i], return_dtype=pl.Utf8).alias("sev"),
        pl.col("rule").map_elements(lambda r: words(r, lang), return_dtype=pl.Utf8).alias("rule_w"),
        "message",
        pl.col("cells").map_elements(lambda c: cells_words(c, lang), return_dtype=pl.Utf8).alias("cells_w"),
        pl.col("deadline").cast(pl.Utf8),
    )


# ---- actions: each names the account; each is checked here and again in etl.review -------------


def refs(ids: Sequence[str]) -> list[FindingRef]:
    """Findings by id, from the warehouse (an id it does not hold is refused)."""
    known = findings().findings
    missing = [i for i in ids if i not in known]
    if missing:
        raise Refused([Refusal(i, "数据中没有这一项（编号有误，或该问题已不存在）") for i in missing])
    return [known[i] for i in ids]


def act(a: Actor | None, ids: Sequence[str], target: str, note: str, deadline: date | None = None):
    """Move the findings to `target` with the 说明 (required for every batch action on these pages)."""
    who = _allowed(a, ids[0] if ids else "")
    if not (note or "").strip():
        raise Refused([Refusal("", "请写明说明（批量操作须写说明）")])
    decisions = [Decision(f, target, note.strip(), deadline) for f in refs(ids)]
    return _counted(workflow.decide(store(), who, decisions))


def _counted(result):
    """A decision counts at once: the dismissed ids every query subtracts are read again."""
    dismissed_ids.clear()
    return result


def confirm_target(origin: str) -> str:
    return "已确认读数" if origin == "reading" else "已确认"


def decide_many(a: Actor | None, ids: Sequence[str], action: str, note: str):
    """confirm / dismiss / unreadable over a selection that may mix both kinds: each finding gets the
    state of its kind (a reading doubt cannot be dismissed: it is confirmed, corrected or unreadable)."""
    who = _allowed(a, ids[0] if ids else "")
    if not (note or "").strip():
        raise Refused([Refusal("", "请写明说明（批量操作须写说明）")])
    decisions = []
    refused = []
    for f in refs(ids):
        if action == "confirm":
            target = confirm_target(f.origin)
        elif action == "dismiss":
            target = "已排除" if f.origin == "report" else None
        else:
            target = "无法辨认" if f.origin == "reading" else None
        if target is None:
            refused.append(Refusal(f.finding_id, "读数存疑不能排除：请确认读数、更正数值或标为无法辨认"
                                   if action == "dismiss" else "只有读数存疑可标为无法辨认"))  # fmt: skip
        decisions.append(Decision(f, target, note.strip()))
    if refused:
        raise Refused(refused)
    return _counted(workflow.decide(store(), who, decisions))


def note(a: Actor | None, finding_id: str, text: str):
    who = _allowed(a, finding_id)
    return workflow.add_note(store(), who, refs([finding_id])[0], text)


def fix_value(a: Actor | None, finding_id: str, field: str, value: float | None, original, reason: str):
    """Correct one cell of the finding's report; a reading doubt it answers becomes 已更正."""
    who = _allowed(a, finding_id)
    f = refs([finding_id])[0]
    report = findings().by_sha.get(f.report_sha256 or "")
    if report is None:
        raise Refused([Refusal(finding_id, "这一项没有对应的报告文件，无法更正数值")])
    done = corrections.correct(
        store(),
        who,
        report,
        field,
        value,
        original=original,
        reason=reason,
        doubt=f if f.origin == "reading" else None,
    )
    return done, recheck(report.sha256)


def recheck(sha256: str) -> str | None:
    """Load the corrected report again in the background (etl.upload's job: the writer lock, the
    review store's corrections applied, its checks rerun), so every page shows the corrected value
    within seconds; the job id, or None when the source file is not on this machine."""
    from dashboard import queries as q
    from dashboard.source_image import find_source
    from dashboard.state import run
    from etl import upload
    from etl.errors import EtlError

    rep = run(q.report_by_sha, sha256)
    source = find_source(rep["source_path"][0], db_path()) if rep.height else None
    if source is None:
        return None
    try:
        return upload.start_reload([str(source)], db_path(), review_url())
    except EtlError:
        return None


def import_excel(a: Actor | None, data: bytes, *, dry_run: bool = False) -> excel.ImportReport:
    who = _allowed(a)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "督办清单.xlsx"
        path.write_bytes(data)
        return _counted(excel.import_workbook(store(), who, path, findings().findings, dry_run=dry_run))


def stamp() -> tuple:
    """Changes whenever a state or a note is stored: what a cached export of the states is keyed by."""
    rows = queries.states(store())
    return (len(rows), max((r.updated_at for r in rows.values()), default=None), sum(r.version for r in rows.values()))
