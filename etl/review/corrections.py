"""Corrections of cell values, by people: the override layer over what we read from a file.

Keyed by the report file's sha256 and the warehouse column (t2__*, t3__row__col, t4__*, n__*),
never by a row id. Versions are kept (append-only): a correction pushes a value, a withdrawal
pops the latest live one and the value before it comes back; with none live, the value read from
the file stands. A correction that answers a reading doubt sets the doubt to 已更正 in the same
transaction; withdrawing the last live correction returns it to 待核查."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from etl.model import CellCorrection
from etl.review import tables as t
from etl.review.errors import Refusal, Refused
from etl.review.model import Actor, FindingRef, ReportRef
from etl.review.store import ReviewStore
from etl.review.workflow import INITIAL, Write, allowed, load_states, now, permission, write_state
from etl.warehouse.schema import NARRATIVE_COLUMNS, WIDE

FIELDS = frozenset(WIDE) | frozenset(NARRATIVE_COLUMNS)


@dataclass(frozen=True)
class CorrectionEntry:
    report_sha256: str
    field: str
    version: int
    action: str  # correct / withdraw
    original_value: float | None
    value_before: float | None
    value_after: float | None
    withdraws_version: int | None
    reason: str
    account: str
    at: datetime
    finding_id: str | None


Override = CellCorrection  # the live value of a corrected cell, the value read from the file beside it


def _entry(r) -> CorrectionEntry:
    return CorrectionEntry(**{k: r._mapping[k] for k in CorrectionEntry.__dataclass_fields__})


def _versions(conn: Connection, sha: str, field: str | None = None) -> list[CorrectionEntry]:
    c = t.corrections
    q = sa.select(c).where(c.c.report_sha256 == sha)
    if field is not None:
        q = q.where(c.c.field == field)
    return [_entry(r) for r in conn.execute(q.order_by(c.c.field, c.c.version))]


def _live(entries: list[CorrectionEntry]) -> list[CorrectionEntry]:
    """The corrections still in force for one cell, oldest first (replaying pushes and pops)."""
    stack: list[CorrectionEntry] = []
    for e in entries:
        if e.action == "correct":
            stack.append(e)
        elif stack:
            stack.pop()
    return stack


def _check(actor: Actor, report: ReportRef, field: str, reason: str, doubt: FindingRef | None) -> None:
    why = permission(actor, report)
    if why is None and field not in FIELDS:
        why = f"未知字段“{field}”（应为数据字典中的字段，如 t3__new_received__total）"
    if why is None and not reason.strip():
        why = "更正或撤回更正须写明理由"
    if why is None and doubt is not None and (doubt.origin != "reading" or doubt.report_sha256 != report.sha256):
        why = "所附问题不是这份报告的读数存疑"
    if why:
        raise Refused([Refusal(doubt.finding_id if doubt else report.sha256[:16], why)])


def _doubt_to(conn: Connection, doubt: FindingRef, target: str, actor: Actor, at: datetime, note: str) -> None:
    cur = load_states(conn, [doubt.finding_id]).get(doubt.finding_id)
    source = cur.state if cur else INITIAL["reading"]
    if target in allowed("reading", source, "correction") and not (source == target == "待核查"):
        write_state(conn, Write(doubt, source, target, note, None), account=actor.name, via="dashboard", at=at)


def correct(
    store: ReviewStore,
    actor: Actor,
    report: ReportRef,
    field: str,
    value: float | None,
    *,
    original: float | None,
    reason: str,
    doubt: FindingRef | None = None,
    at: datetime | None = None,
) -> CorrectionEntry:
    """Set a cell of one report file to `value` (None: blank). `original` is the value read from
    the file, as the warehouse holds it; it is kept with every version."""
    _check(actor, report, field, reason, doubt)
    if value is not None and not math.isfinite(value):
        raise Refused([Refusal(report.sha256[:16], "更正值须为数字或空白")])

    def run(conn: Connection) -> CorrectionEntry:
        when = at or now()
        old = _versions(conn, report.sha256, field)
        live = _live(old)
        before = live[-1].value_after if live else (old[0].original_value if old else original)
        e = CorrectionEntry(
            report.sha256,
            field,
            len(old) + 1,
            "correct",
            old[0].original_value if old else original,
            before,
            value,
            None,
            reason.strip(),
            actor.name,
            when,
            doubt.finding_id if doubt else None,
        )
        # a concurrent correction of the same cell takes the same version: the unique key refuses one
        # and the store re-runs it on fresh data
        conn.execute(
            sa.insert(t.corrections).values(
                **e.__dict__, province=report.province, city=report.city, county=report.county
            )
        )
        if doubt is not None:
            _doubt_to(conn, doubt, "已更正", actor, when, f"{field}：{_num(before)} → {_num(value)}；{e.reason}")
        return e

    return store.write(run)


def withdraw(
    store: ReviewStore,
    actor: Actor,
    report: ReportRef,
    field: str,
    *,
    reason: str,
    doubt: FindingRef | None = None,
    at: datetime | None = None,
) -> CorrectionEntry:
    """Withdraw the latest live correction of a cell: the value before it comes back."""
    _check(actor, report, field, reason, doubt)

    def run(conn: Connection) -> CorrectionEntry:
        when = at or now()
        old = _versions(conn, report.sha256, field)
        live = _live(old)
        if not live:
            raise Refused([Refusal(report.sha256[:16], f"{field} 没有可撤回的更正")])
        top = live[-1]
        e = CorrectionEntry(
            report.sha256,
            field,
            len(old) + 1,
            "withdraw",
            top.original_value,
            top.value_after,
            top.value_before,
            top.version,
            reason.strip(),
            actor.name,
            when,
            top.finding_id,
        )
        conn.execute(
            sa.insert(t.corrections).values(
                **e.__dict__, province=report.province, city=report.city, county=report.county
            )
        )
        if doubt is not None and len(live) == 1:
            _doubt_to(conn, doubt, "待核查", actor, when, f"撤回更正（第 {top.version} 版）：{e.reason}")
        return e

    return store.write(run)


def versions(store: ReviewStore, report_sha256: str, field: str | None = None) -> list[CorrectionEntry]:
    """Every version of the corrections of one report (one field), oldest first."""
    with store.read() as conn:
        return _versions(conn, report_sha256, field)


def overrides(store: ReviewStore, shas: Iterable[str] | None = None) -> dict[tuple[str, str], Override]:
    """The live corrections, by (report sha256, field): what the loader applies over the values it
    read and what the dashboard shows as 人工更正 beside the original."""
    c = t.corrections
    wanted = None if shas is None else set(shas)
    q = sa.select(c).order_by(c.c.report_sha256, c.c.field, c.c.version)
    by_cell: dict[tuple[str, str], list[CorrectionEntry]] = {}
    with store.read() as conn:  # corrections are made by hand, so there are few: read them all
        for r in conn.execute(q):
            if wanted is None or r.report_sha256 in wanted:
                by_cell.setdefault((r.report_sha256, r.field), []).append(_entry(r))
    out = {}
    for key, entries in by_cell.items():
        live = _live(entries)
        if live:
            last = entries[-1]
            out[key] = Override(
                key[0],
                key[1],
                last.value_after,
                last.original_value,
                live[-1].version,
                live[-1].account,
                live[-1].at,
                live[-1].reason,
            )
    return out


def _num(v: float | None) -> str:
    if v is None:
        return "空白"
    return str(int(v)) if float(v).is_integer() else str(v)
