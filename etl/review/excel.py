"""The Excel round trip, store side: apply an edited 督办清单 workbook.

Columns read: 编号 (the finding id), 状态, 说明, 期限; every other column is context and is
ignored, whatever was typed into it. Each row is validated (unknown id, unknown state, 已排除
without a reason, 已通知 without a deadline, a bad date, a step the workflow does not allow, a
finding outside the user's scope, a viewer's account). Policy: the valid rows are applied
together in one transaction and the refused rows are reported with their reasons; a row is
never applied in part (its state, 说明 and 期限 go together), and if the transaction fails
nothing is applied. Rows that change nothing are counted, not written."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.engine import Connection

from etl.review.errors import ImportFailed
from etl.review.model import Actor, Decision, FindingRef
from etl.review.store import ReviewStore
from etl.review.workflow import apply_plan, now, plan

SHEET = "督办清单"
COLUMNS = ("编号", "状态", "说明", "期限")
MAX_BYTES = 50 * 1024 * 1024
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


@dataclass(frozen=True)
class SheetRow:
    row: int  # the row number as Excel shows it
    finding_id: str
    state: str
    note: str
    deadline: str  # as typed; parsed during validation


@dataclass(frozen=True)
class RowResult:
    row: int
    finding_id: str
    what: str  # for changes: 待核实 → 已确认 …; for refusals: the reason


@dataclass(frozen=True)
class ImportReport:
    changed: tuple[RowResult, ...]
    noted: tuple[RowResult, ...]
    unchanged: int
    refused: tuple[RowResult, ...]
    applied: bool  # False for a dry run


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.date().isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def read_rows(path: str | Path) -> list[SheetRow]:
    """The rows of sheet 督办清单 (or the first sheet) under the header row that has 编号."""
    from openpyxl import load_workbook  # parses through defusedxml

    p = Path(path)
    try:
        if p.stat().st_size > MAX_BYTES:
            raise ImportFailed(f"文件过大（超过 {MAX_BYTES // 1024 // 1024} MB）", file=str(p))
        wb = load_workbook(p, read_only=True, data_only=True)
    except ImportFailed:
        raise
    except OSError as e:
        raise ImportFailed(f"无法读取 {p}：{e.strerror or e}", file=str(p)) from None
    except Exception as e:  # openpyxl raises many kinds for a file that is not a workbook
        raise ImportFailed(f"{p.name} 不是可读的 Excel 工作簿（.xlsx）：{type(e).__name__}", file=str(p)) from None
    try:
        ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        header: dict[str, int] | None = None
        out = []
        for n, values in enumerate(it, start=1):
            cells = [_text(v) for v in values]
            if header is None:
                if "编号" in cells:
                    header = {name: cells.index(name) for name in COLUMNS if name in cells}
                    if "状态" not in header:
                        raise ImportFailed(f"工作表“{ws.title}”第 {n} 行有“编号”列但没有“状态”列", file=str(p))
                elif n >= 10:
                    break
                continue
            get = {k: (cells[i] if i < len(cells) else "") for k, i in header.items()}
            if not any(get.values()):
                continue
            out.append(SheetRow(n, get.get("编号", ""), get.get("状态", ""), get.get("说明", ""), get.get("期限", "")))
    finally:
        wb.close()
    if header is None:
        raise ImportFailed(f"工作表“{ws.title}”前 10 行中没有“编号”列：请使用导出的督办清单", file=str(p))
    return out


def parse_deadline(text: str) -> date | None:
    """YYYY-MM-DD, YYYY/M/D, YYYY.M.D or YYYY年M月D日; "" -> None; anything else -> ValueError."""
    text = text.strip()
    if not text:
        return None
    m = _DATE.match(text)
    if not m:
        raise ValueError(text)
    return date(int(m[1]), int(m[2]), int(m[3]))


def import_rows(
    store: ReviewStore,
    actor: Actor,
    rows: list[SheetRow],
    findings: Mapping[str, FindingRef],
    *,
    today: date | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Validate every row and apply the valid ones in one transaction (see the module docstring)."""
    today = today or date.today()
    refused: list[RowResult] = []
    decisions: list[tuple[SheetRow, Decision]] = []
    by_id: dict[str, list[SheetRow]] = {}
    for r in rows:
        by_id.setdefault(r.finding_id, []).append(r)
    for r in rows:
        fid = r.finding_id
        why = None
        if not fid:
            why = "没有编号"
        elif fid not in findings:
            why = f"编号“{fid}”不在当前数据中（编号有误，或该问题已不存在）"
        elif len({(x.state, x.note, x.deadline) for x in by_id[fid]}) > 1:
            why = f"编号在表中出现 {len(by_id[fid])} 次且内容不同，请只保留一行"
        else:
            try:
                deadline = parse_deadline(r.deadline)
            except ValueError:
                why = f"期限“{r.deadline}”不是日期（应写作 2025-03-31）"
        if why:
            refused.append(RowResult(r.row, fid, why))
        elif r is by_id[fid][0]:  # identical repeats of a row count once
            decisions.append((r, Decision(findings[fid], r.state or None, r.note or None, deadline)))

    def run(conn: Connection) -> ImportReport:
        p = plan(conn, actor, [d for _, d in decisions], today)
        row_of = {d.finding.finding_id: r.row for r, d in decisions}
        bad = [RowResult(row_of[x.finding_id], x.finding_id, x.reason) for x in p.refusals]
        if not dry_run:
            apply_plan(conn, actor, p, via="excel", at=now())
        changed = tuple(
            RowResult(
                row_of[s.decision.finding.finding_id],
                s.decision.finding.finding_id,
                f"{s.source} → {s.decision.state}"
                + (
                    f"（期限 {s.decision.deadline.isoformat()}）"
                    if s.decision.deadline and s.decision.state == "已通知"
                    else ""
                ),
            )
            for s in p.steps
        )
        noted = tuple(RowResult(row_of[d.finding.finding_id], d.finding.finding_id, "添加说明") for d in p.notes)
        out = ImportReport(
            changed, noted, len(p.unchanged), tuple(sorted(refused + bad, key=lambda x: x.row)), not dry_run
        )
        return out

    return store.write(run)


def import_workbook(
    store: ReviewStore,
    actor: Actor,
    path: str | Path,
    findings: Mapping[str, FindingRef],
    *,
    today: date | None = None,
    dry_run: bool = False,
) -> ImportReport:
    return import_rows(store, actor, read_rows(path), findings, today=today, dry_run=dry_run)
