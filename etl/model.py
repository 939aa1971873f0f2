"""Typed records passed between the stages: extract -> parse -> validate -> load."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Cell:
    """One printed cell: its text as printed and where it was (``L12`` or ``T2R5C3``)."""

    text: str
    loc: str


@dataclass(frozen=True)
class Table:
    """A table read with its structure (HTML, DOCX, Excel): rows of cells, spans expanded.

    Each grid cell keeps the identity of the source cell it came from, so a cell that spans
    columns is counted once and a label that spans rows can be seen by the rows below it."""

    index: int
    grid: tuple[tuple[tuple[Cell, int], ...], ...]  # (cell, source-cell id) per column
    anchor_line: int  # line of the document text where the table stands


@dataclass(frozen=True)
class CellCorrection:
    """A person's correction of one cell (人工更正): the live value, the value read from the file
    beside it, its version, who, when and why (kept in the review store, applied at load)."""

    report_sha256: str
    field: str
    value: float | None
    original_value: float | None
    version: int
    account: str
    at: datetime
    reason: str


@dataclass(frozen=True)
class OcrLine:
    """A line read by OCR: its page, where it stands on the page (fractions of the page's width and
    height: left, top, right, bottom, so the region does not depend on the resolution it is drawn
    at) and the lowest confidence of the numbers on it (1.0 if none)."""

    page: int
    confidence: float
    region: tuple[float, float, float, float]

    def where(self) -> str:
        x0, y0, x1, y1 = self.region
        return f"OCR第{self.page}页 置信度{self.confidence:.2f} 区域{x0:.4f},{y0:.4f},{x1:.4f},{y1:.4f}"


@dataclass(frozen=True)
class Document:
    """What a reader gives the parser: normalised text lines and structured tables."""

    source: str
    fmt: str
    encoding: str
    lines: tuple[str, ...]  # normalised text, one entry per line; line n is lines[n-1]
    tables: tuple[Table, ...] = ()
    page_meta: tuple[tuple[str, str], ...] = ()  # e.g. (("发布时间", "2020-01-31"),)
    traditional: bool = False
    original: tuple[str, ...] = ()  # the decoded lines before normalisation (provenance)
    ocr: tuple[OcrLine, ...] = ()  # read by OCR: per line, its page, region and lowest number confidence


@dataclass(frozen=True)
class Value:
    """A number (or NULL) that the report printed, with where it came from."""

    value: int | float | None
    raw: str
    loc: str


@dataclass(frozen=True)
class ProseCount:
    """A count the report states in its prose (政策解读 12 篇), with its sentence and line."""

    value: int
    evidence: str
    loc: str


@dataclass(frozen=True)
class Finding:
    """A problem found, by a rule of the rule registry (etl.registry.rules), with its cells."""

    rule: str
    severity: str  # error / warning / info, one the rule may raise
    message: str
    cells: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        from etl.registry.rules import BY_ID  # the registry is data only: no import cycle at run time

        r = BY_ID.get(self.rule)
        if r is None or self.severity not in r.severities:
            raise ValueError(f"finding of an unregistered rule or severity: {self.rule} {self.severity}")

    @property
    def origin(self) -> str:
        """report (the report's own problem) or reading (our uncertainty in reading it)."""
        from etl.registry.rules import BY_ID

        return BY_ID[self.rule].origin


@dataclass(frozen=True)
class Report:
    """The canonical record of one annual report."""

    source: str
    fmt: str
    agency: str | None
    year: int | None
    publish_date: str | None
    province: str | None
    city: str | None
    county: str | None
    region_code: str | None
    format_version: str
    sections: tuple[int, ...]
    t2: dict[str, Value | None]
    t3: dict[str, dict[str, Value | None]]
    t4: dict[str, Value | None]
    narrative: dict[str, ProseCount]
    findings: tuple[Finding, ...] = ()
    title_year: int | None = None
    period_year: int | None = None
    narrative_counts: dict[str, int] = field(default_factory=dict)  # prose counts of 复议/诉讼
    text: str = ""  # the normalised text, for provenance
    prose: str = ""  # the text outside the tables, for copy detection
    encoding: str = ""
