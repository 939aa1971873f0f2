"""Map labelled rows to the dictionary keys of tables T2, T3 and T4 by their printed labels.

Labels are matched by what they say (本年新收, 不掌握, 行政处罚 ...), tolerant of typos,
merged rows and labels broken over lines; column positions only decide which column of a
matched row a number belongs to."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from etl.extract import digitruns
from etl.extract.numbers import parse_cell
from etl.extract.rows import Row
from etl.extract.t4 import T4Reader
from etl.extract.tablefill import Repairs, cell_value, trim_cells
from etl.model import Cell, Finding, Value
from etl.registry.fields import (
    T2_HEADER_2019,
    T2_HEADER_2021,
    T2_KEYS,
    T2_ROWS,
    T3_COLUMN_KEYS,
    T3_OUTCOME_ROWS,
    T3_ROW_KEYS,
    T3_ROW_LABELS,
    T4_KEYS,
)

_PUNCT = str.maketrans({"（": "(", "）": ")", "，": ",", "、": "、", "“": "", "”": "", '"': "", " ": ""})


@functools.lru_cache(maxsize=16384)
def norm_label(s: str) -> str:
    return "".join(s.translate(_PUNCT).split())


# label patterns, in matching order, from the field registry
T3_PATTERNS: tuple[tuple[str, re.Pattern], ...] = tuple((lab.key, lab.regex) for lab in T3_ROW_LABELS)
T2_PATTERNS: tuple[tuple[str, re.Pattern], ...] = tuple((lab.key, lab.regex) for lab in T2_ROWS)
_T3_CUE = re.compile(r"收到和处理政府信息公开申请|申请人情况|[勾钩]稽关系|本年新收|自然人")
_T4_CUE = re.compile(r"行政复议|行政诉讼|尚未审结|复议后起诉|未经复议")
_T2_CUE = re.compile(r"主动公开政府信息情况|第二十条|信息内容")


@dataclass
class TableResult:
    t2: dict[str, Value | None] = field(default_factory=lambda: dict.fromkeys(T2_KEYS))
    t3: dict[str, dict[str, Value | None]] = field(
        default_factory=lambda: {r: dict.fromkeys(T3_COLUMN_KEYS) for r in T3_ROW_KEYS}
    )
    t4: dict[str, Value | None] = field(default_factory=lambda: dict.fromkeys(T4_KEYS))
    t2_style: str | None = None
    t2_rows: set[str] = field(default_factory=set)
    t3_rows: set[str] = field(default_factory=set)
    t4_found: bool = False
    findings: list[Finding] = field(default_factory=list)
    t2_lines: list[int] = field(default_factory=list)
    t3_lines: list[int] = field(default_factory=list)
    t4_lines: list[int] = field(default_factory=list)


def match_label(table: str, labels: tuple[str, ...]) -> str | None:
    """The registry key of a printed row label of table `table` (\"t2\" or \"t3\"), or None."""
    return _match_cached(table, labels)


@functools.lru_cache(maxsize=16384)  # reports print the same labels: match each wording once
def _match_cached(kind: str, labels: tuple[str, ...]) -> str | None:
    """Match the label nearest the numbers first, then widen to the labels before it: the
    nearest label is the most specific one (1.属于国家秘密 under （三）不予公开)."""
    patterns = T3_PATTERNS if kind == "t3" else T2_PATTERNS
    normed = [norm_label(x) for x in labels if norm_label(x)]
    for k in range(1, len(normed) + 1):
        text = "".join(normed[-k:])
        for key, pat in patterns:
            if pat.search(text):
                return key
    return None


class TableMapper(Repairs):
    """Feeds labelled rows one by one and places their numbers in T2, T3 and T4."""

    def __init__(self) -> None:
        self.res = TableResult()
        self.region: str | None = None
        self.header_style: str | None = None
        self.t4 = T4Reader()
        self.glued_doc = False  # a row of this document printed its numbers as digit runs
        self.t3_runs: dict[str, tuple[list[tuple[int, ...]], list[Cell], str]] = {}
        self.run_splits: list[tuple[str, str, tuple[str, ...]]] = []  # (row, printed run, locations)
        self.t3_seq: list[tuple[str | None, Row]] = []  # every row of numbers in T3, in printed order
        self.unchecked: list[str] = []  # cells read one digit each from a run whose sum then breaks

    def note(self, rule: str, severity: str, message: str, cells: tuple[str, ...] = ()) -> None:
        self.res.findings.append(Finding(rule, severity, message, cells))

    def note_unclear(self, message: str, cells: list[Cell]) -> None:
        """A row whose numbers could not be placed with certainty: our reading's doubt."""
        self.note("table_cells_unclear", "warning", message, tuple(c.loc for c in cells))

    def feed(self, row: Row) -> None:
        text = norm_label("".join(row.labels))
        if T2_HEADER_2019.search(text):
            self.header_style = "2019"
        elif T2_HEADER_2021.search(text):
            self.header_style = "2021"
        t3_key = match_label("t3", row.labels) if row.labels else None
        t2_key = match_label("t2", row.labels) if row.labels else None
        # "总计"/"其他" alone are also T4 header words: in T4 they do not name a T3 row
        t4_header_word = t3_key in ("total_processed", "other_other", "other_merged") and t2_key is None
        if t2_key is None and (t3_key is None or t4_header_word) and _T4_CUE.search(text):
            self.region = "T4"
        elif t3_key is None and t2_key is None:
            if _T3_CUE.search(text):
                self.region = "T3"
            elif _T2_CUE.search(text):
                self.region = "T2"
        if not any(c.text.strip() for c in row.values) and self.region == "T4" and not self.t4.done:
            self.t4.labels(row.labels)  # a header row (blank cells under a spanning head are padding)
            return
        if not row.values:
            return
        if all(not c.text.strip() for c in row.values):
            # blank spacer cells after a header (e.g. under "其他" in T3's header) are not a row
            if t3_key and len(row.values) < 7:
                return
            if t2_key and not t3_key and len(row.values) < (3 if t2_key in ("regulations", "normative") else 1):
                return
        if self.region == "T4" and ((t3_key is None or t4_header_word) and t2_key is None or not row.labels):
            self.t4_values(row)
        elif t3_key is not None and (self.region != "T2" or t2_key is None):
            self.region = "T3"
            bare_other = t3_key == "other_other" and norm_label(row.labels[-1]) == "其他"
            if bare_other and not self.res.t3_rows & set(T3_OUTCOME_ROWS):
                return  # "其他" before any outcome row is the applicant column's head, not row （六）3.其他
            self.t3_row(t3_key, row)
        elif t2_key is not None:
            self.region = "T2"
            self.t2_row(t2_key, row)
        elif not row.labels and self.region == "T4":
            self.t4_values(row)
        elif self.region == "T3" and t3_key is None and t2_key is None and any(c.text.strip() for c in row.values):
            self.t3_seq.append((None, row))  # a row whose label the conversion lost or shredded

    # ---- T2 ----
    def t2_row(self, key: str, row: Row) -> None:
        if key == "ignored":
            return
        style = self.header_style
        if self.res.t2_style is None and style:
            self.res.t2_style = style
        if style == "2019" and self.res.t2_style == "2021":
            self.res.t2_style = "2019"
        self.res.t2_lines.append(row.line)
        want = 3 if key in ("regulations", "normative") or (style == "2019" and key != "fees") else 1
        if key != "fees" and self.runs_possible(row, trim_cells(row.values, want), want):
            read = self.t2_run(key, row, want)
            self.res.t2_rows.add(key)
            if want == 3 and key in ("regulations", "normative"):
                names = ("issued", None, "valid") if style == "2019" else ("issued", "repealed", "valid")
            else:
                names = (None, None, "decisions") if want == 3 else ("decisions",)
            for name, cell in zip(names, read):
                if name and cell is not None:
                    self._set_t2(f"{key}_{name}", cell, key)
            return
        if key in ("regulations", "normative"):
            vals = trim_cells(row.values, 3)
            names = (
                (f"{key}_issued", None, f"{key}_valid")
                if style == "2019"
                else (f"{key}_issued", f"{key}_repealed", f"{key}_valid")
            )
            self._put_t2(key, names, vals, row)
        elif key in ("licensing", "punishment", "coercion"):
            vals = trim_cells(row.values, 1 if style != "2019" else 3)
            target = f"{key}_decisions"
            if len(vals) == 1 and style != "2019":
                self._set_t2(target, vals[0], key)
            elif len(vals) == 3:
                self._set_t2(target, vals[2], key)  # 2019: 上一年项目数量 / 本年增减 / 处理决定数量
            elif vals:
                self.note_unclear(
                    f"表二“{row.labels[-1]}”一行印有 {len(vals)} 个数，无法确定哪一个是处理决定数量，该项记为空",
                    list(vals),
                )
            else:
                self.res.t2_rows.add(key)
        elif key == "fees":
            vals = trim_cells(row.values, 1 if style != "2019" else 2)
            if style == "2019":
                self.res.t2_rows.add(key)  # the 2019 table prints no amount, only item counts
            elif len(vals) == 1:
                self._set_t2("fees_wan", vals[0], key)
            elif vals:
                self.note_unclear(
                    f"表二“行政事业性收费”一行印有 {len(vals)} 个数，无法确定收费金额，该项记为空", list(vals)
                )

    def _put_t2(self, key: str, names, vals: list[Cell], row: Row) -> None:
        self.res.t2_rows.add(key)
        if len(vals) == 3:
            for name, cell in zip(names, vals):
                if name:
                    self._set_t2(name, cell, key)
        elif vals and any(c.text.strip() for c in vals):
            self.note_unclear(
                f"表二“{row.labels[-1]}”一行应有 3 个数，实际印有 {len(vals)} 个，无法对应到列，记为空",
                list(vals),
            )

    def _set_t2(self, name: str, cell: Cell, key: str) -> None:
        self.res.t2_rows.add(key)
        if self.res.t2[name] is None:
            self.res.t2[name] = cell_value(cell)

    # ---- T3 ----
    def t3_row(self, key: str, row: Row) -> None:
        merged = key == "other_merged"
        if merged:
            key = "other_other"
        self.res.t3_lines.append(row.line)
        self.t3_seq.append((key, row))
        if key in self.res.t3_rows:
            if key != "total_processed":
                self.note(
                    "t3_row_repeated",
                    "warning",
                    f"表三“{row.labels[-1]}”一行出现了两次，采用第一次的数字",
                    tuple(c.loc for c in row.values),
                )
            return
        vals = trim_cells(row.values, 7)
        texts = [c.text for c in vals]
        cols: dict[str, Cell] = {}
        if self.runs_possible(row, vals, 7):
            self.t3_runs[key] = (digitruns.t3_row(texts), list(vals), row.labels[-1])
        else:
            cols = self.t3_cells(vals, row)
        self.res.t3_rows.add(key)
        for col, cell in cols.items():
            self.res.t3[key][col] = cell_value(cell)
        if merged:
            self.res.t3_rows.add("other_merged")
            self.note(
                "t3_other_merged",
                "info",
                "表三“（六）其他处理”印为一行，未分 1.逾期不补正、2.逾期未缴费、3.其他 三项："
                "其数字计入“3.其他”，前两项记为空",
                tuple(c.loc for c in vals),
            )

    def t3_cells(self, vals: list[Cell], row: Row) -> dict[str, Cell]:
        """The columns of a T3 row's printed cells; fewer or more than seven are placed only
        where that is certain."""
        core = list(vals)
        while core and not core[-1].text.strip():
            core.pop()
        if len(row.values) > 7 and 2 <= len(core) < 7:
            vals = core  # padding after a row whose blank cells were dropped by a converter
        if len(vals) == 7:
            return dict(zip(T3_COLUMN_KEYS, vals))
        if len(vals) > 7:
            self.note_unclear(f"表三“{row.labels[-1]}”一行印有 {len(vals)} 个数（应为 7 个），只取前 7 个", list(vals))
            return dict(zip(T3_COLUMN_KEYS, vals[:7]))
        nums = [parse_cell(c.text).value for c in vals]
        known = [v for v in nums if v is not None]
        if len(known) >= 2 and known[-1] == sum(known[:-1]) and nums[-1] is not None:
            self.note_unclear(
                f"表三“{row.labels[-1]}”一行只印有 {len(vals)} 个数，空白单元格在转载时丢失，"
                f"仅取最后一个数（等于其余各数之和）作为总计，其余列记为空",
                list(vals),
            )
            return {"total": vals[-1]}
        if vals and any(c.text.strip() for c in vals):
            self.note_unclear(
                f"表三“{row.labels[-1]}”一行只印有 {len(vals)} 个数（应为 7 个），无法对应到列，记为空",
                list(vals),
            )
        return {}

    # ---- T4 ----
    def t4_values(self, row: Row) -> None:
        if self.t4.done:
            return
        self.res.t4_lines.append(row.line)
        cells = list(row.values)
        # blank padding at the ends of a delimited row (T4's groups are five cells each)
        while cells and len(cells) % 5 and not (cells[0].text.strip() and cells[-1].text.strip()):
            cells.pop(0 if not cells[0].text.strip() else -1)
        if not any(c.text.strip() for c in cells):
            return
        own = self.t4.row_words(row.labels, len(cells))
        if not own and self.runs_possible(row, self.t4.pending + cells, 15):
            cells = self.t4.pending + cells
            self.t4.pending = []
            cands = self.t4.run_candidates([c.text for c in cells])
            read = self.take_run("表四", cands, cells, 15)
            if len(cands) == 1 and not all(digitruns.row_sum(cands[0][i : i + 5]) for i in (0, 5, 10)):
                self.t4.unchecked = True
            if not any(read):
                self.res.t4_found = True
                return
            cells = read  # an unread cell (None) keeps its place and stays NULL
        self.t4.row(own, cells, row.line)

    def t4_finish(self) -> None:
        self.t4.finish()
        for rule, message, locs in self.t4.notes:
            self.note(rule, "warning", message, locs)
        if not self.t4.placed:
            return
        self.res.t4_found = True
        for key, cell in self.t4.placed.items():
            if cell is not None:
                self.res.t4[key] = cell_value(cell)
                if self.t4.unchecked:
                    self.unchecked.append(f"t4.{key}")
        if self.t4.by_position:
            self.note(
                "cells_by_position",
                "info",
                f"表四的表头没有印出足以确定各列的文字，{len(self.t4.by_position)} 个数按标准格式的列序读取"
                "（行政复议、未经复议直接起诉、复议后起诉，各为维持、纠正、其他结果、尚未审结、总计）",
                tuple(f"t4.{k}" for k in self.t4.by_position),
            )

    def finish(self) -> TableResult:
        self.align_t3()
        self.resolve_runs()
        self.t4_finish()
        self.note_runs()
        return self.res


def map_rows(rows: list[Row]) -> TableResult:
    m = TableMapper()
    for row in rows:
        m.feed(row)
    return m.finish()
