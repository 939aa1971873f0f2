"""Identities of findings that survive a warehouse rebuild (never warehouse row ids).

The warehouse loader computes the same ids; both sides must agree exactly:

    agency_key         = f"{region_code or ''}:{name_key}"       name_key: etl.warehouse.agencies.name_key
    report finding id  = sha1(f"{agency_key}|{year}|{rule}|{cells}").hexdigest()[:16]
    reading finding id = sha1(f"{report_sha256}|{rule}|{cells}").hexdigest()[:16]

where `cells` is the finding's cell references, sorted by code point and joined by "," (empty
parts dropped, nothing trimmed); a missing year, region code or sha256 is the empty string.
A report-origin finding (the agency's own problem) keeps its id when the agency files a new
version of the same report; a reading-origin finding (our doubt about how we read a file)
belongs to that one file."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from etl.warehouse.agencies import name_key

ORIGINS = ("report", "reading")


def agency_key(region_code: str | None, key: str) -> str:
    """`key` is the agency's name_key as stored in agencies.name_key."""
    return f"{region_code or ''}:{key}"


def agency_key_for_name(region_code: str | None, name: str) -> str:
    return agency_key(region_code, name_key(name))


def canonical_cells(cells: str | Iterable[str] | None) -> str:
    """Cell references sorted (by code point) and comma-joined, empty parts dropped: the warehouse
    stores them in the order found. etl.review.warehouse computes the same in SQL."""
    parts = cells.split(",") if isinstance(cells, str) else list(cells or ())
    return ",".join(sorted(p for p in parts if p))


def _h(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def report_finding_id(agency: str, year: int | None, rule: str, cells: str | Iterable[str] | None) -> str:
    """`agency` is an agency_key."""
    return _h(f"{agency}|{'' if year is None else year}|{rule}|{canonical_cells(cells)}")


def reading_finding_id(report_sha256: str | None, rule: str, cells: str | Iterable[str] | None) -> str:
    return _h(f"{report_sha256 or ''}|{rule}|{canonical_cells(cells)}")


def finding_id(
    origin: str,
    *,
    agency: str,
    year: int | None,
    rule: str,
    cells: str | Iterable[str] | None,
    report_sha256: str | None,
) -> str:
    if origin == "reading":
        return reading_finding_id(report_sha256, rule, cells)
    if origin == "report":
        return report_finding_id(agency, year, rule, cells)
    raise ValueError(f"unknown origin {origin!r}")
