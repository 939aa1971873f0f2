"""The 督办 workflow for report findings and the review of reading doubts.

States and the allowed steps are data (TRANSITIONS), checked here for every request with a
reason in Chinese. A person's steps go through `decide` (a batch: all or nothing) or `plan` +
`apply_plan` (the Excel import applies the valid rows); the data's own steps go through
`mark_fixed` and `mark_overdue`, called by the loader. Every change bumps the state row's
version and appends one row to finding_history naming the account; nothing is ever deleted."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from etl.review import tables as t
from etl.review.errors import Refusal, Refused
from etl.review.model import Actor, Decision, FindingRef, Fix, HistoryEntry, NoteEntry, ReportRef, StateRow
from etl.review.queries import INITIAL, latest_said, load_states, state_row, stored_ref
from etl.review.store import Conflict, ReviewStore

REPORT_STATES = ("待核实", "已确认", "已排除", "已通知", "已整改", "逾期未改")
READING_STATES = ("待核查", "已确认读数", "已更正", "无法辨认")
STATES = {"report": REPORT_STATES, "reading": READING_STATES}
SYSTEM = "系统"  # the account named in history for changes made by the data


@dataclass(frozen=True)
class Transition:
    origin: str
    source: str
    target: str
    by: str  # person / data / correction


def _steps(origin: str, by: str, pairs: str) -> list[Transition]:
    out = []
    for pair in pairs.split():
        a, b = pair.split("→")
        out += [Transition(origin, a, x, by) for x in b.split("|")]
    return out


TRANSITIONS: tuple[Transition, ...] = tuple(
    _steps(
        "report",
        "person",
        "待核实→已确认|已排除 已确认→已通知|已排除|待核实 已排除→待核实 已通知→已通知|已确认 逾期未改→已通知",
    )  # 已通知→已通知: a new deadline
    + _steps("report", "data", "待核实→已整改 已确认→已整改 已通知→已整改|逾期未改 逾期未改→已整改")
    + _steps("reading", "person", "待核查→已确认读数|无法辨认 已确认读数→待核查 无法辨认→待核查")
    + _steps("reading", "correction", "待核查→已更正 已确认读数→已更正 无法辨认→已更正 已更正→已更正|待核查")
)
NEEDS_REASON = frozenset({"已排除"})
NEEDS_DEADLINE = frozenset({"已通知"})
KEEPS_DEADLINE = frozenset({"已通知", "逾期未改"})


def allowed(origin: str, source: str, by: str = "person") -> tuple[str, ...]:
    return tuple(x.target for x in TRANSITIONS if x.origin == origin and x.source == source and x.by == by)


def now() -> datetime:
    return datetime.now(UTC)


# ---- checking a person's requests --------------------------------------------------------------


def permission(actor: Actor, f: FindingRef | ReportRef) -> str | None:
    """Why this actor may not act on this finding or report, or None."""
    if actor.role not in ("reviewer", "admin"):
        return f"账户“{actor.name}”为只读（查看者），不能更改状态、添加说明或更正数值"
    if not actor.scope.contains(f.province, f.city, f.county):
        place = "/".join(p for p in (f.province, f.city, f.county) if p) or "（地区不明）"
        return f"该项属于 {place}，不在您的范围（{actor.scope}）内"
    return None


@dataclass(frozen=True)
class Step:
    decision: Decision
    source: str


@dataclass
class Plan:
    """What a batch of decisions would do: state changes, notes to add, rows that change nothing,
    and the refused ones with their reasons."""

    steps: list[Step] = field(default_factory=list)
    notes: list[Decision] = field(default_factory=list)
    unchanged: list[Decision] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)


def _check(
    actor: Actor, d: Decision, cur: StateRow | None, said: str | None, today: date
) -> Step | Decision | str | None:
    """A Step (a change of state), a Decision (a note only), None (nothing to do) or a reason.
    `said` is the finding's current 说明 (see latest_said)."""
    f = d.finding
    if f.origin not in STATES:
        return f"未知的问题类别“{f.origin}”"
    if (why := permission(actor, f)) is not None:
        return why
    source = cur.state if cur else INITIAL[f.origin]
    note = (d.note or "").strip() or None
    target = (d.state or "").strip() or source
    if target not in STATES[f.origin]:
        choices = "、".join(s for s in STATES[f.origin] if any(x.target == s and x.by == "person" for x in TRANSITIONS))
        return f"未知状态“{target}”；可填：{choices}"
    same_deadline = d.deadline is None or (cur is not None and d.deadline == cur.deadline)
    if target == source and (target not in NEEDS_DEADLINE or same_deadline):
        return d if note and note != said else None
    if target not in allowed(f.origin, source):
        if target in ("已整改", "逾期未改"):
            return f"“{target}”由数据自动判定（新文件中问题消失，或期限已过），不能手工设置"
        if target == "已更正":
            return "“已更正”须通过更正数值完成"
        return f"不能从“{source}”改为“{target}”"
    if target in NEEDS_REASON and not note:
        return f"改为“{target}”须写明理由（说明）"
    if target in NEEDS_DEADLINE:
        if d.deadline is None:
            return f"改为“{target}”须填写整改期限"
        if d.deadline < today:
            return f"整改期限 {d.deadline.isoformat()} 早于今天"
    return Step(replace(d, state=target, note=note), source)


def plan(conn: Connection, actor: Actor, decisions: Sequence[Decision], today: date) -> Plan:
    out = Plan()
    current = load_states(conn, (d.finding.finding_id for d in decisions))
    said = latest_said(conn, current)
    seen: set[str] = set()
    for d in decisions:
        fid = d.finding.finding_id
        if fid in seen:
            out.refusals.append(Refusal(fid, "同一批中重复出现"))
            continue
        seen.add(fid)
        r = _check(actor, d, current.get(fid), said.get(fid), today)
        if isinstance(r, str):
            out.refusals.append(Refusal(fid, r))
        elif isinstance(r, Step):
            out.steps.append(r)
        elif isinstance(r, Decision):
            out.notes.append(r)
        else:
            out.unchanged.append(d)
    return out


# ---- writing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Write:
    """One change of state to write (checked already)."""

    finding: FindingRef
    source: str
    target: str
    note: str | None
    deadline: date | None
    fixed: Fix | None = None


def write_states(
    conn: Connection,
    writes: Sequence[Write],
    current: Mapping[str, StateRow],
    *,
    account: str,
    via: str,
    at: datetime,
) -> list[HistoryEntry]:
    """Write changes: the state rows (new ones in one statement, existing ones each with an
    optimistic version check) and their history rows. `current` was read in this transaction; a
    row another process changed or inserted meanwhile raises Conflict or IntegrityError, and the
    store re-runs the whole transaction."""
    fs = t.finding_states
    inserts, entries = [], []
    for w in writes:
        f, cur = w.finding, current.get(w.finding.finding_id)
        if (cur.state if cur else INITIAL[f.origin]) != w.source:
            raise Conflict(f.finding_id)
        values = dict(
            origin=f.origin, state=w.target, deadline=w.deadline if w.target in KEEPS_DEADLINE else None,
            note=w.note, agency_key=f.agency_key, agency_name=f.agency_name, year=f.year, rule=f.rule,
            cells=f.cells, report_sha256=f.report_sha256, province=f.province, city=f.city, county=f.county,
            updated_at=at, updated_by=account,
            fixed_old_file=str(w.fixed.old_file) if w.fixed and w.fixed.old_file else None,
            fixed_new_file=str(w.fixed.new_file) if w.fixed else None,
        )  # fmt: skip
        if cur is None:
            inserts.append(dict(finding_id=f.finding_id, version=1, **values))
        else:
            done = conn.execute(
                sa.update(fs)
                .where(fs.c.finding_id == f.finding_id, fs.c.version == cur.version)
                .values(version=cur.version + 1, **values)
            )
            if done.rowcount != 1:
                raise Conflict(f.finding_id)
        entries.append(HistoryEntry(f.finding_id, at, account, via, w.source, w.target, w.note, w.deadline))
    if inserts:
        conn.execute(sa.insert(fs), inserts)
    if entries:
        conn.execute(sa.insert(t.finding_history), [e.__dict__ for e in entries])
    return entries


def write_state(conn: Connection, w: Write, *, account: str, via: str, at: datetime) -> HistoryEntry:
    """One change, reading the current state in this transaction."""
    current = load_states(conn, [w.finding.finding_id])
    return write_states(conn, [w], current, account=account, via=via, at=at)[0]


def _ensure_row(conn: Connection, f: FindingRef, account: str, at: datetime) -> None:
    """A note needs a state row to hang on: the implicit initial state is written out (no history:
    the state did not change)."""
    fs = t.finding_states
    if conn.execute(sa.select(fs.c.finding_id).where(fs.c.finding_id == f.finding_id)).first() is None:
        conn.execute(
            sa.insert(fs).values(
                finding_id=f.finding_id,
                origin=f.origin,
                state=INITIAL[f.origin],
                agency_key=f.agency_key,
                agency_name=f.agency_name,
                year=f.year,
                rule=f.rule,
                cells=f.cells,
                report_sha256=f.report_sha256,
                province=f.province,
                city=f.city,
                county=f.county,
                version=1,
                updated_at=at,
                updated_by=account,
            )
        )


def _add_note(conn: Connection, f: FindingRef, account: str, at: datetime, text: str) -> NoteEntry:
    _ensure_row(conn, f, account, at)
    entry = NoteEntry(f.finding_id, at, account, text)
    conn.execute(sa.insert(t.notes).values(**entry.__dict__))
    return entry


def apply_plan(conn: Connection, actor: Actor, p: Plan, *, via: str, at: datetime) -> list[HistoryEntry]:
    current = load_states(conn, (x.decision.finding.finding_id for x in p.steps))
    writes = [Write(x.decision.finding, x.source, x.decision.state, x.decision.note, x.decision.deadline)
              for x in p.steps]  # fmt: skip
    out = write_states(conn, writes, current, account=actor.name, via=via, at=at)
    for d in p.notes:
        _add_note(conn, d.finding, actor.name, at, d.note or "")
    return out


def decide(
    store: ReviewStore,
    actor: Actor,
    decisions: Sequence[Decision],
    *,
    today: date | None = None,
    via: str = "dashboard",
    at: datetime | None = None,
) -> list[HistoryEntry]:
    """Apply a batch of decisions, all or nothing: if any is refused, Refused lists every refusal
    and nothing is written. Decisions that change nothing are skipped."""
    today = today or date.today()

    def run(conn: Connection) -> list[HistoryEntry]:
        p = plan(conn, actor, decisions, today)
        if p.refusals:
            raise Refused(p.refusals)
        return apply_plan(conn, actor, p, via=via, at=at or now())

    return store.write(run)


def add_note(
    store: ReviewStore, actor: Actor, finding: FindingRef, text: str, *, at: datetime | None = None
) -> NoteEntry:
    """A note on any finding, in any state, by a reviewer or admin in scope."""
    text = (text or "").strip()
    why = permission(actor, finding) or (None if text else "说明不能为空")
    if why:
        raise Refused([Refusal(finding.finding_id, why)])
    return store.write(lambda conn: _add_note(conn, finding, actor.name, at or now(), text))


def mark_fixed(store: ReviewStore, fixes: Iterable[Fix], *, at: datetime | None = None) -> list[HistoryEntry]:
    """已整改 (复核通过) for report-origin findings gone from a newer file of the same agency and year,
    with both files named. Findings already 已整改 or 已排除 keep their state. One transaction."""
    fixes = [x for x in fixes if x.finding.origin == "report"]

    def run(conn: Connection) -> list[HistoryEntry]:
        when = at or now()
        current = load_states(conn, (x.finding.finding_id for x in fixes))
        writes = []
        for x in fixes:
            cur = current.get(x.finding.finding_id)
            source = cur.state if cur else INITIAL["report"]
            if "已整改" in allowed("report", source, "data"):
                old = f"（原文件 {x.old_file}）" if x.old_file else ""
                note = f"复核通过：新文件 {x.new_file} 中已无此问题{old}"
                if x.old_file == x.new_file:  # the same file, read again with a person's correction
                    note = f"复核通过：按人工更正重新核对，文件 {x.new_file} 中已无此问题"
                writes.append(Write(x.finding, source, "已整改", note, None, x))
        return write_states(conn, writes, current, account=SYSTEM, via="data", at=when)

    return store.write(run)


def mark_overdue(store: ReviewStore, today: date | None = None, *, at: datetime | None = None) -> list[HistoryEntry]:
    """逾期未改 for every 已通知 finding whose deadline has passed (call after mark_fixed on a load,
    and daily). The deadline day itself still counts as in time."""
    today = today or date.today()
    fs = t.finding_states

    def run(conn: Connection) -> list[HistoryEntry]:
        when = at or now()
        rows = [state_row(r) for r in conn.execute(sa.select(fs).where(fs.c.state == "已通知", fs.c.deadline < today))]
        writes = [
            Write(
                stored_ref(r),
                "已通知",
                "逾期未改",
                f"整改期限 {r.deadline.isoformat()} 已过，问题仍在",
                r.deadline,
            )
            for r in rows
        ]
        return write_states(conn, writes, {r.finding_id: r for r in rows}, account=SYSTEM, via="data", at=when)

    return store.write(run)
