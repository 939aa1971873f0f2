"""One error hierarchy for the ETL. Each error carries the file, the agency when known and a
location; only the CLI edge turns it into a one-line message for a civil servant."""

from __future__ import annotations


class EtlError(Exception):
    """Base class. `reason` is written for the people who read the rejection list."""

    def __init__(
        self, reason: str, *, file: str | None = None, agency: str | None = None, location: str | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.file = file
        self.agency = agency
        self.location = location

    def one_line(self) -> str:
        where = f"（{self.location}）" if self.location else ""
        return f"{self.reason}{where}".replace("\n", " ")


class UnreadableFile(EtlError):
    """The bytes could not be turned into text (binary, empty, unknown encoding, truncated)."""


class UnsupportedFormat(EtlError):
    """No reader handles this kind of file."""


class NotAReport(EtlError):
    """Readable, but not a 政府信息公开工作年度报告."""


class LimitExceeded(EtlError):
    """The file breaks a configured safety limit (size, time, decompressed size)."""


class LoadError(EtlError):
    """The warehouse itself cannot take the load (an old format, a broken file)."""
