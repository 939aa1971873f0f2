"""A report's 230 table cells flattened for loading, in the parse worker.

The per-cell work (value, raw text, location of every cell) happens where parsing happens, in
parallel processes; the loader then only stacks these arrays. The warehouse keeps them as one
`cell_sources` row per report, and the `cells` view unfolds them again into one row per number."""

from __future__ import annotations

import dataclasses
from array import array
from dataclasses import dataclass

from etl.model import Report, Value
from etl.registry.fields import T2_KEYS, T3_COLUMN_KEYS, T3_ROW_KEYS, T4_KEYS

NAN = float("nan")
SEP = "\t"


@dataclass(frozen=True)
class FlatCells:
    values: bytes  # float64 per warehouse column (etl.warehouse.schema.WIDE order); NaN = blank, "/" or absent
    raws: str  # the printed text of each cell, SEP-joined ("" where the table has no such cell)
    locs: str  # where each cell was read (L12, T2R5C3), SEP-joined ("" where absent)


def _cells(r: Report) -> list[Value | None]:
    out: list[Value | None] = [r.t2.get(k) for k in T2_KEYS]
    for row in T3_ROW_KEYS:
        cols = r.t3.get(row) or {}
        out += [cols.get(c) for c in T3_COLUMN_KEYS]
    out += [r.t4.get(k) for k in T4_KEYS]
    return out


def flatten(r: Report) -> FlatCells:
    cells = _cells(r)
    values = array("d", [NAN if v is None or v.value is None else v.value for v in cells]).tobytes()
    raws = SEP.join("" if v is None else v.raw.replace(SEP, " ") for v in cells)
    locs = SEP.join("" if v is None else (v.loc or "?").replace(SEP, " ") for v in cells)
    return FlatCells(values, raws, locs)


def slim(r: Report) -> Report:
    """The report without its cell objects (they live on in FlatCells): what crosses from the
    parse worker to the loader, and what the loader holds in memory per batch."""
    return dataclasses.replace(r, t2={}, t3={}, t4={})
