"""What the mapper does when a table's text does not give each number its cell: digit runs
(cells printed without separators) split by the table's own identities, and T3 rows whose labels
a conversion lost, placed by the format's row order when every labelled row stands in its place.
Both are reported as readings (digit_run_split, digit_run_ambiguous, cells_by_position)."""

from __future__ import annotations

from etl.extract import digitruns
from etl.extract.numbers import parse_cell
from etl.extract.rows import Row
from etl.model import Cell, Value
from etl.registry.fields import T3_COLUMN_KEYS, T3_OUTCOME_ROWS, T3_ROW_ORDER

T3_ROW_ORDER_2019 = tuple(k for k in T3_ROW_ORDER if k not in ("other_no_correction", "other_no_fee"))


def cell_value(cell: Cell) -> Value:
    return Value(parse_cell(cell.text).value, cell.text, cell.loc)


def trim_cells(values: tuple[Cell, ...], want: int) -> list[Cell]:
    """Drop blank padding cells at the ends when a row carries more cells than it should."""
    vals = list(values)
    while len(vals) > want and vals and not vals[-1].text.strip():
        vals.pop()
    while len(vals) > want and vals and not vals[0].text.strip():
        vals.pop(0)
    return vals


class Repairs:
    """Mixed into TableMapper: it reads and writes the mapper's result (res) and state, and
    reports through its note()."""

    def runs_possible(self, row: Row, vals: list[Cell], want: int) -> bool:
        """Fewer cells than the row has columns, and digit runs are what this document prints
        (a number against its label, a "00" that is no number), or a run no count could be."""
        texts = [c.text for c in vals]
        if len(vals) >= want or not digitruns.is_run(texts):
            return False
        self.glued_doc = self.glued_doc or row.glued
        return self.glued_doc or (want >= 7 and max(map(len, texts)) >= 7 and sum(map(len, texts)) >= want)

    def t2_run(self, key: str, row: Row, want: int) -> list[Cell | None]:
        """A T2 row printed as one digit run: T2 has no identity between its cells, so only a
        run with one way to read it (one digit a cell, or printed spaces) is split."""
        vals = trim_cells(row.values, want)
        cands = digitruns.plain([c.text for c in vals], want)
        read = self.take_run(f"表二“{row.labels[-1][-12:]}”一行", cands, vals, want)
        # with no sum to check them, cells that several readings happen to share are not taken
        return read if len(cands) == 1 else [None] * want

    def take_run(self, what: str, cands: list[tuple[int, ...]], cells: list[Cell], n: int) -> list[Cell | None]:
        """A digit run as n cells, each keeping the run's location: a cell is read where every
        candidate reading agrees on it (all of them when the reading is unique); the rest are
        NULL with a finding that names the candidates."""
        printed = " ".join(c.text for c in cells)
        locs = tuple(dict.fromkeys(c.loc for c in cells))
        values = digitruns.agreed(cands, n)
        if len(cands) == 1:
            self.run_splits.append((what, printed, locs))
        else:
            why = (
                f"有 {len(cands)} 种拆法（{digitruns.describe(cands)}）"
                if cands
                else "没有一种拆法符合表格的勾稽关系或单元格个数"
            )
            sure = sum(v is not None for v in values)
            kept = f"（其中 {sure} 个单元格在各种拆法中相同）" if sure else ""
            self.note(
                "digit_run_ambiguous",
                "warning",
                f"{what}的数字连写为“{printed}”，{why}，其余单元格无法确定，记为空{kept}",
                locs,
            )
        return [None if v is None else Cell(str(v), locs[0]) for v in values]

    def note_runs(self) -> None:
        if self.unchecked:
            self.note(
                "cells_by_position",
                "info",
                "数字连写的行，数字个数与单元格个数相同，只能逐位读作各单元格，但该行合计不符："
                "可能是报告本身的错误，也可能是转载时丢了单元格，请核对原文",
                tuple(self.unchecked),
            )
        if self.run_splits:
            self.note(
                "digit_run_split",
                "info",
                f"{len(self.run_splits)} 行数字连写（单元格之间没有分隔），按表格勾稽关系各只有一种拆法，已拆开："
                + "；".join(f"{w}“{p}”" for w, p, _ in self.run_splits[:3])
                + ("等" if len(self.run_splits) > 3 else ""),
                tuple(dict.fromkeys(loc for _, _, locs in self.run_splits for loc in locs)),
            )

    def resolve_runs(self) -> None:
        """T3 rows printed as digit runs: each row's sum, then the table's column identities."""
        if not self.t3_runs:
            return
        known: dict[str, digitruns.Row7] = {}
        for key in self.res.t3_rows:
            if key in self.t3_runs or key not in self.res.t3:
                continue
            known[key] = tuple(None if v is None else v.value for v in self.res.t3[key].values())
        outcome = [k for k in T3_OUTCOME_ROWS if k in self.res.t3_rows or k in self.t3_runs]
        readings = digitruns.resolve_t3(known, {k: v[0] for k, v in self.t3_runs.items()}, outcome)
        for key, (cands, cells, label) in self.t3_runs.items():
            got = readings.get(key)
            one = [got] if isinstance(got, tuple) else (got if got is not None else cands)
            split = self.take_run(f"表三“{label[-16:]}”一行", one, cells, 7)
            for col, cell in zip(T3_COLUMN_KEYS, split):
                if cell is not None:
                    self.res.t3[key][col] = cell_value(cell)
            if len(one) == 1 and not digitruns.row_sum(one[0]):
                self.unchecked += [f"t3.{key}.{col}" for col in T3_COLUMN_KEYS]

    def align_t3(self) -> None:
        """Rows of numbers whose labels a conversion lost: when T3 printed exactly as many rows
        as the format has, and every row that kept its label stands in its place, a row
        without a label is the row of the format at its place (cells_by_position)."""
        if self.glued_doc or not any(k is None for k, _ in self.t3_seq):
            return
        for canon in (T3_ROW_ORDER, T3_ROW_ORDER_2019):
            if len(self.t3_seq) == len(canon):
                break
        else:
            return
        agree = 0
        for (key, _), want in zip(self.t3_seq, canon):
            if key is None:
                continue
            if key.replace("other_merged", "other_other") != want:
                return
            agree += 1
        if agree < len(canon) // 2:
            return
        placed: list[str] = []
        for (key, row), want in zip(self.t3_seq, canon):
            if key is not None or want in self.res.t3_rows:
                continue
            vals = trim_cells(row.values, 7)
            if len(vals) != 7:
                continue
            self.res.t3_rows.add(want)
            for col, cell in zip(T3_COLUMN_KEYS, vals):
                self.res.t3[want][col] = cell_value(cell)
                placed.append(f"t3.{want}.{col}")
        if placed:
            self.note(
                "cells_by_position",
                "info",
                f"表三有 {len(placed) // 7} 行数字的行名在转换中丢失；全表行数与格式相同、其余各行都在其位，"
                "这些行按格式的行序读取",
                tuple(placed),
            )
