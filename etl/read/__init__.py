"""Stage 1, read: a file's bytes become a Document (normalised text lines and tables).

source: find files, apply the safety limits (limits), sha256; then one reader per file format,
each with the same signature

    read(source: str, data: bytes) -> Document

The parser after them (etl.extract.assemble) never knows which format a document came from."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from etl.errors import UnsupportedFormat
from etl.model import Document
from etl.read import docx, excel, html, image, office, pdf, text

Reader = Callable[[str, bytes], Document]

READERS: dict[str, Reader] = {
    ".txt": text.read,
    ".text": text.read,
    ".html": html.read,
    ".htm": html.read,
    ".shtml": html.read,
    ".xhtml": html.read,
    ".pdf": pdf.read,
    ".docx": docx.read,
    ".xlsx": excel.read,
    ".xlsm": excel.read,
    ".xls": excel.read,
    ".png": image.read,
    ".jpg": image.read,
    ".jpeg": image.read,
    ".tif": image.read,
    ".tiff": image.read,
    ".doc": office.read,
    ".wps": office.read,
}


def reader_for(path: str | Path) -> Reader:
    suffix = Path(path).suffix.lower()
    try:
        return READERS[suffix]
    except KeyError:
        known = "、".join(sorted(READERS))
        raise UnsupportedFormat(
            f"不支持的文件格式“{suffix or '无扩展名'}”（目前可读：{known}）", file=str(path)
        ) from None


def supported(path: str | Path) -> bool:
    return Path(path).suffix.lower() in READERS
