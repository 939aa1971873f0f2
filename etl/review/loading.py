"""The review store at load time (etl.pipeline.run_load, inside the warehouse's writer lock):

1. open the store the dashboard uses (etl.review.store.locate: --review-db, GOVREPORT_REVIEW_DB,
   or the SQLite file beside the warehouse, created when missing);
2. hand the parse workers the live corrections, and name the loaded files whose corrections
   changed since the last load (added or withdrawn): they are read again;
3. just before the new warehouse replaces the old one, list the report findings the new one no
   longer has (fixes_between); after the publish, mark them 已整改 and mark overdue 已通知 items.

A store that cannot be opened never fails the load and never loses what the warehouse holds: the
load keeps the corrections the warehouse already applied and the dismissed ids it recorded, and
says so in the summary."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from etl.read.source import file_sha256
from etl.review.corrections import overrides
from etl.review.errors import ReviewError
from etl.review.model import Fix
from etl.review.queries import dismissed_ids
from etl.review.store import ReviewStore, open_store
from etl.review.warehouse import fixes_between
from etl.review.workflow import mark_fixed, mark_overdue
from etl.warehouse.load import AppliedCorrection, LoadSummary, ReviewInputs
from etl.warehouse.version import SCHEMA_VERSION, found_version


@dataclass
class LoadReview:
    """One load's dealings with the review store."""

    store: ReviewStore | None
    inputs: ReviewInputs
    force_paths: frozenset[str]  # files to read again (their corrections changed)
    by_sha: dict[str, dict[str, float | None]]  # for the parse workers
    notes: list[str] = field(default_factory=list)
    fixes: list[Fix] = field(default_factory=list)

    def finish(self, s: LoadSummary) -> None:
        """After the load (published or not): 已整改 for the fixes, 逾期未改 for passed deadlines."""
        s.review_notes.extend(self.notes)
        if self.store is None:
            return
        try:
            if s.written and self.fixes:
                s.fixed = len(mark_fixed(self.store, self.fixes))
            s.overdue = len(mark_overdue(self.store))
        except ReviewError as e:
            s.review_notes.append(f"复核库未能更新整改状态：{e.one_line()}")
        finally:
            self.store.close()


def _applied(db: Path) -> dict[tuple[str, str], AppliedCorrection]:
    """The corrections the warehouse applied at its last load (none before schema version 3)."""
    if not db.exists():
        return {}
    con = duckdb.connect(str(db), read_only=True)
    try:
        if found_version(con) != SCHEMA_VERSION:
            return {}
        rows = con.execute("""SELECT r.sha256, c.field, c.value, c.original_value, c.version, c.account, c.at,
                                     c.reason FROM corrections c JOIN reports r USING (report_id)""").fetchall()
    finally:
        con.close()
    return {(r[0], r[1]): AppliedCorrection(*r) for r in rows}


def _loaded_paths(db: Path, shas: set[str]) -> dict[str, str]:
    if not shas or not db.exists():
        return {}
    con = duckdb.connect(str(db), read_only=True)
    try:
        if found_version(con) in (None, 0):
            return {}
        rows = con.execute(
            "SELECT sha256, source_path FROM reports WHERE list_contains(?::VARCHAR[], sha256)", [sorted(shas)]
        ).fetchall()
    finally:
        con.close()
    return dict(rows)


def _same(a: AppliedCorrection | None, b: AppliedCorrection | None) -> bool:
    return a is not None and b is not None and (a.value, a.version) == (b.value, b.version)


def prepare(db: Path, url: str | None) -> LoadReview:
    """Open the store and work out what this load must apply (see the module's docstring)."""
    notes: list[str] = []
    applied = _applied(db)
    try:
        store: ReviewStore | None = open_store(db, url)
    except ReviewError as e:
        store = None
        notes.append(f"复核库无法打开（{e.one_line()}）：沿用数据库中已套用的人工更正，本次不更新整改状态")
    dismissed: tuple[str, ...] | None = None
    if store is not None:
        try:
            live = overrides(store)
            dismissed = tuple(sorted(dismissed_ids(store)))
        except ReviewError as e:
            store.close()
            store = None
            live = applied
            notes.append(f"复核库读取失败（{e.one_line()}）：沿用数据库中已套用的人工更正，本次不更新整改状态")
    else:
        live = applied
    changed = {k[0] for k in set(live) | set(applied) if not _same(live.get(k), applied.get(k))}
    force: set[str] = set()
    redo: set[str] = set()
    for sha, path in _loaded_paths(db, changed).items():
        if path and os.path.isfile(path) and file_sha256(path) == sha:
            force.add(path)
            redo.add(sha)
        else:
            notes.append(f"人工更正未能套用：源文件 {path} 已不在或已改变（sha256 {sha[:12]}）")
    by_sha: dict[str, dict[str, float | None]] = {}
    for c in live.values():
        by_sha.setdefault(c.report_sha256, {})[c.field] = c.value
    review = LoadReview(store, ReviewInputs(tuple(live.values()), frozenset(redo), dismissed), frozenset(force), by_sha)
    review.notes.extend(notes)
    if store is not None:

        def before_publish(old: Path, new: Path) -> None:
            try:
                review.fixes = fixes_between(old, new, corrected=redo)
            except ReviewError as e:
                review.notes.append(f"未能比较新旧数据库以判定整改：{e.one_line()}")

        review.inputs = ReviewInputs(review.inputs.corrections, review.inputs.redo, dismissed, before_publish)
    return review
