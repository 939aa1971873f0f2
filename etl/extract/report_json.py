"""The JSON shape of a parsed report (the `parse` command's output, one object per line)."""

from __future__ import annotations

from typing import Any

from etl.model import Report, Value
from etl.registry.fields import NARRATIVE_KEYS


def _num(v: Value | None) -> int | float | None:
    return None if v is None else v.value


def to_json(r: Report) -> dict[str, Any]:
    return {
        "source": r.source,
        "ok": True,
        "error": None,
        "agency": r.agency,
        "year": r.year,
        "publish_date": r.publish_date,
        "province": r.province,
        "city": r.city,
        "county": r.county,
        "format_version": r.format_version,
        "sections": list(r.sections),
        "t2": {k: _num(v) for k, v in r.t2.items()},
        "t3": {row: {c: _num(v) for c, v in cols.items()} for row, cols in r.t3.items()},
        "t4": {k: _num(v) for k, v in r.t4.items()},
        "narrative": {
            k: {"value": m.value, "evidence": m.evidence} for k, m in r.narrative.items() if k in NARRATIVE_KEYS
        },
        "findings": [
            {"rule": f.rule, "severity": f.severity, "message": f.message, "cells": list(f.cells)} for f in r.findings
        ],
    }


def failure_json(source: str, error: str) -> dict[str, Any]:
    return {
        "source": source,
        "ok": False,
        "error": error,
        "agency": None,
        "year": None,
        "publish_date": None,
        "province": None,
        "city": None,
        "county": None,
        "format_version": "unknown",
        "sections": [],
        "t2": {},
        "t3": {},
        "t4": {},
        "narrative": {},
        "findings": [],
    }
