"""Typed records of the review side: who acts, on which finding, what changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from etl.review.scope import Scope


@dataclass(frozen=True)
class Actor:
    """Who acts: an account's name, role and scope (from a Session, or looked up for the CLIs)."""

    name: str
    role: str  # viewer / reviewer / admin
    scope: Scope


@dataclass(frozen=True)
class FindingRef:
    """A finding as the warehouse knows it, with the identity and place the store keys it by.
    Always built server-side from the warehouse (etl.review.warehouse), never from a URL or form."""

    finding_id: str
    origin: str  # report / reading
    agency_key: str
    agency_name: str
    year: int | None
    rule: str
    cells: str  # sorted, comma-joined
    report_sha256: str | None
    province: str | None
    city: str | None
    county: str | None
    severity: str = ""
    message: str = ""

    @property
    def place(self) -> str:
        return "/".join(p for p in (self.province, self.city, self.county) if p) or "（地区不明）"


@dataclass(frozen=True)
class ReportRef:
    """A report file, by its sha256, with its agency's place (for corrections and scope checks)."""

    sha256: str
    agency_name: str
    year: int | None
    province: str | None
    city: str | None
    county: str | None


@dataclass(frozen=True)
class Decision:
    """A person's request: move a finding to `state` (None: keep it) with a 说明 and a deadline."""

    finding: FindingRef
    state: str | None
    note: str | None = None
    deadline: date | None = None


@dataclass(frozen=True)
class FileRef:
    path: str
    sha256: str

    def __str__(self) -> str:
        return f"{self.path}（sha256 {self.sha256[:12]}）"


@dataclass(frozen=True)
class Fix:
    """A report-origin finding gone from a newer file for the same agency and year."""

    finding: FindingRef
    old_file: FileRef | None  # None: there was no report (e.g. a missing_report finding)
    new_file: FileRef


@dataclass(frozen=True)
class StateRow:
    """A finding's current state as stored (findings without a row are in their initial state)."""

    finding_id: str
    origin: str
    state: str
    deadline: date | None
    note: str | None
    agency_key: str
    agency_name: str
    year: int | None
    rule: str
    cells: str
    report_sha256: str | None
    province: str | None
    city: str | None
    county: str | None
    fixed_old_file: str | None
    fixed_new_file: str | None
    version: int
    updated_at: datetime
    updated_by: str


@dataclass(frozen=True)
class HistoryEntry:
    """One change of state: who, when, from → to, with the 说明 and deadline given."""

    finding_id: str
    at: datetime
    account: str
    via: str
    from_state: str
    to_state: str
    note: str | None
    deadline: date | None


@dataclass(frozen=True)
class NoteEntry:
    finding_id: str
    at: datetime
    account: str
    text: str
