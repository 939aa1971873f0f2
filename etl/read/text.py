"""Plain-text reports (text dumps of web pages, PDF text layers)."""

from __future__ import annotations

from etl.model import Document
from etl.read.textnorm import decode, looks_traditional, normalise_line, to_simplified


def lines_of(text: str) -> tuple[tuple[str, ...], bool]:  # (normalised lines, traditional?)
    """Normalised lines: full-width to half-width; traditional characters to simplified for
    matching. The line structure is kept so that line numbers point into the original."""
    raw = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    trad = looks_traditional(text)
    lines = tuple(to_simplified(normalise_line(ln)) if trad else normalise_line(ln) for ln in raw)
    return lines, trad


def read(source: str, data: bytes) -> Document:
    text, encoding = decode(data)
    lines, trad = lines_of(text)
    original = tuple(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return Document(source=source, fmt="text", encoding=encoding, lines=lines, traditional=trad, original=original)
