"""Reading the review store: states by id or scope, counts by place and state, a finding's history
and notes, and the 督办清单's columns. The dashboard's pages read through these; every function
that takes a Scope returns only what lies inside it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from etl.review import tables as t
from etl.review.model import FindingRef, HistoryEntry, NoteEntry, StateRow
from etl.review.scope import Scope
from etl.review.store import ReviewStore

INITIAL = {"report": "待核实", "reading": "待核查"}


def state_row(r) -> StateRow:
    return StateRow(**{k: r._mapping[k] for k in StateRow.__dataclass_fields__})


def stored_ref(r: StateRow) -> FindingRef:
    """A stored finding as a FindingRef (for the data's own steps, which need no warehouse)."""
    return FindingRef(r.finding_id, r.origin, r.agency_key, r.agency_name, r.year, r.rule, r.cells,
                      r.report_sha256, r.province, r.city, r.county)  # fmt: skip


def scope_clause(scope: Scope, table: sa.Table = t.finding_states):
    """The SQL form of Scope.contains for a table with province/city/county columns."""
    conds = [
        table.c[k] == v
        for k, v in (("province", scope.province), ("city", scope.city), ("county", scope.county))
        if v is not None
    ]
    return sa.and_(sa.true(), *conds)


def load_states(conn: Connection, ids: Iterable[str]) -> dict[str, StateRow]:
    ids = list(dict.fromkeys(ids))
    out: dict[str, StateRow] = {}
    for i in range(0, len(ids), 500):  # bound the IN list
        q = sa.select(t.finding_states).where(t.finding_states.c.finding_id.in_(ids[i : i + 500]))
        out.update((r.finding_id, state_row(r)) for r in conn.execute(q))
    return out


def states(store: ReviewStore, ids: Iterable[str] | None = None, scope: Scope | None = None) -> dict[str, StateRow]:
    """Stored states by finding id (a finding absent here is in INITIAL[origin])."""
    with store.read() as conn:
        if ids is not None:
            found = load_states(conn, ids)
            return {k: v for k, v in found.items() if scope is None or scope.contains(v.province, v.city, v.county)}
        q = sa.select(t.finding_states)
        if scope is not None:
            q = q.where(scope_clause(scope))
        return {r.finding_id: state_row(r) for r in conn.execute(q)}


def state_of(store: ReviewStore, finding: FindingRef) -> str:
    row = states(store, [finding.finding_id]).get(finding.finding_id)
    return row.state if row else INITIAL[finding.origin]


def state_counts(store: ReviewStore, scope: Scope) -> dict[tuple[str | None, str | None, str | None, str], int]:
    """(province, city, county, state) -> number of stored states, within the scope."""
    fs = t.finding_states
    q = (
        sa.select(fs.c.province, fs.c.city, fs.c.county, fs.c.state, sa.func.count())
        .where(scope_clause(scope))
        .group_by(fs.c.province, fs.c.city, fs.c.county, fs.c.state)
    )
    with store.read() as conn:
        return {(p, c, k, s): n for p, c, k, s, n in conn.execute(q)}


def history(store: ReviewStore, finding_id: str) -> list[HistoryEntry]:
    h = t.finding_history
    q = sa.select(h).where(h.c.finding_id == finding_id).order_by(h.c.id)
    with store.read() as conn:
        return [HistoryEntry(**{k: r._mapping[k] for k in HistoryEntry.__dataclass_fields__}) for r in conn.execute(q)]


def notes(store: ReviewStore, finding_id: str) -> list[NoteEntry]:
    n = t.notes
    with store.read() as conn:
        rows = conn.execute(sa.select(n).where(n.c.finding_id == finding_id).order_by(n.c.id))
        return [NoteEntry(r.finding_id, r.at, r.account, r.text) for r in rows]


def latest_said(conn: Connection, rows: Mapping[str, StateRow]) -> dict[str, str | None]:
    """The current 说明 of each finding: the later of the note given with its state and its latest
    note. The 督办清单 exports it, and an imported 说明 equal to it adds nothing."""
    out = {fid: r.note for fid, r in rows.items()}
    stamp = {fid: r.updated_at for fid, r in rows.items()}
    ids = list(rows)
    for i in range(0, len(ids), 500):
        q = sa.select(t.notes.c.finding_id, t.notes.c.at, t.notes.c.text).where(
            t.notes.c.finding_id.in_(ids[i : i + 500])
        )
        for fid, at, text in conn.execute(q.order_by(t.notes.c.id)):
            if at >= stamp[fid]:
                out[fid], stamp[fid] = text, at
    return out


def export_columns(store: ReviewStore, findings: Mapping[str, FindingRef]) -> dict[str, tuple[str, str, str]]:
    """The 督办清单's 状态, 说明, 期限 for each finding id (期限 as YYYY-MM-DD or "")."""
    with store.read() as conn:
        found = load_states(conn, findings)
        said = latest_said(conn, found)
    out = {}
    for fid, f in findings.items():
        r = found.get(fid)
        out[fid] = (
            (r.state, said.get(fid) or "", r.deadline.isoformat() if r.deadline else "")
            if r
            else (INITIAL[f.origin], "", "")
        )
    return out


def dismissed_ids(store: ReviewStore) -> frozenset[str]:
    """Every finding a person dismissed (已排除): what the scores, the 督办清单 and the counts leave out."""
    fs = t.finding_states
    with store.read() as conn:
        return frozenset(r[0] for r in conn.execute(sa.select(fs.c.finding_id).where(fs.c.state == "已排除")))
