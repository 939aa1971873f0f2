"""People's corrections applied to a parsed report before the checks run (in the parse worker).

A correction is keyed by the file's sha256 and a warehouse column (t2__*, t3__row__col, t4__*,
n__*); the value a person gave replaces the value read, the printed text and its place stay as
they were (the warehouse keeps the value read beside the correction, in its `corrections` table),
and the report's own checks then run on the corrected values, so an arithmetic finding a misread
cell caused disappears and one it hid appears. Nothing here touches the review store: the loader
reads the live corrections once (etl.review.corrections.overrides) and hands each worker a plain
mapping."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from etl.model import ProseCount, Report, Value

CORRECTED_LOC = "人工更正"  # the place of a cell the file did not print but a person filled in


def _number(v: float | None) -> int | float | None:
    if v is None:
        return None
    return int(v) if float(v).is_integer() else float(v)


def _cell(old: Value | None, value: float | None) -> Value:
    if old is None:
        return Value(_number(value), "", CORRECTED_LOC)
    return dataclasses.replace(old, value=_number(value))


def apply_corrections(r: Report, fields: Mapping[str, float | None]) -> Report:
    """The report with the corrected values of `fields` (warehouse column -> value, None: blank).
    Unknown columns are ignored (the store refuses them when the correction is made)."""
    if not fields:
        return r
    t2, t4 = dict(r.t2), dict(r.t4)
    t3 = {row: dict(cols) for row, cols in r.t3.items()}
    narrative = dict(r.narrative)
    for field, value in fields.items():
        parts = field.split("__")
        if parts[0] == "t2" and len(parts) == 2 and parts[1] in t2:
            t2[parts[1]] = _cell(t2[parts[1]], value)
        elif parts[0] == "t4" and len(parts) == 2 and parts[1] in t4:
            t4[parts[1]] = _cell(t4[parts[1]], value)
        elif parts[0] == "t3" and len(parts) == 3 and parts[2] in t3.get(parts[1], {}):
            t3[parts[1]][parts[2]] = _cell(t3[parts[1]][parts[2]], value)
        elif parts[0] == "n" and len(parts) == 2:
            old = narrative.get(parts[1])
            if value is None:
                narrative.pop(parts[1], None)
            else:
                narrative[parts[1]] = ProseCount(
                    int(value), old.evidence if old else "", old.loc if old else CORRECTED_LOC
                )
    # a cell a person set is no longer one we placed by position: a sum that still breaks over it is
    # then the report's own error (t3_row_sum …), no longer a doubt about our reading
    fixed = {_ref(f) for f in fields}
    findings = []
    for f in r.findings:
        if f.rule == "cells_by_position" and fixed & set(f.cells):
            rest = tuple(c for c in f.cells if c not in fixed)
            if not rest:
                continue
            f = dataclasses.replace(f, cells=rest)
        findings.append(f)
    return dataclasses.replace(r, t2=t2, t3=t3, t4=t4, narrative=narrative, findings=tuple(findings))


def _ref(field: str) -> str:
    """t3__new_received__total -> t3.new_received.total (a finding's cell reference); n__x -> narrative.x"""
    parts = field.split("__")
    return ".".join(["narrative", *parts[1:]] if parts[0] == "n" else parts)
