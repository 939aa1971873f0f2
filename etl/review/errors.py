"""Errors of the review store, accounts and workflow: part of the one hierarchy under EtlError.
Each `reason` is written for the civil servant who reads it; the CLI edges print it on one line."""

from __future__ import annotations

from dataclasses import dataclass

from etl.errors import EtlError


class ReviewError(EtlError):
    """Base class for the review side (store, accounts, workflow, corrections, Excel import)."""


class StoreError(ReviewError):
    """The review store cannot be opened or written (bad URL, server down, disk full)."""


class StoreTooNew(StoreError):
    """The store's schema was written by a newer version of this program."""


class ScopeInvalid(ReviewError):
    """A scope text that does not name a region path of the gazetteer."""


class AccountError(ReviewError):
    """An account cannot be created or changed (exists, unknown, bad role, weak password)."""


class LoginRefused(ReviewError):
    """Wrong name or password, a locked or a disabled account."""


class SessionExpired(ReviewError):
    """The session token is unknown, timed out, or its account was disabled."""


class ImportFailed(ReviewError):
    """The workbook as a whole cannot be read (not a workbook, no 编号 column)."""


@dataclass(frozen=True)
class Refusal:
    """Why one requested change was not made."""

    finding_id: str
    reason: str


class Refused(ReviewError):
    """Requested changes that were refused; nothing of the request was applied."""

    def __init__(self, refusals: list[Refusal] | tuple[Refusal, ...]) -> None:
        self.refusals = tuple(refusals)
        head = "；".join(f"{r.finding_id}：{r.reason}" if r.finding_id else r.reason for r in self.refusals[:3])
        more = f"（另有 {len(self.refusals) - 3} 条）" if len(self.refusals) > 3 else ""
        super().__init__(f"未执行：{head}{more}")
