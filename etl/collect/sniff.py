"""What a response really is: the file type by its first bytes (a site's Content-Type and link
text are often wrong), the extension it is stored under, and why it is not a usable report file."""

from __future__ import annotations

import io
import re
import zipfile
from urllib.parse import unquote, urlsplit

ATTACHMENT_EXT = ("pdf", "doc", "docx", "wps", "xls", "xlsx", "jpg", "jpeg", "png", "tif", "tiff")
_EXT_IN_URL = re.compile(r"\.(" + "|".join(ATTACHMENT_EXT) + r")(?=$|[?&#/=])", re.I)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc, .xls and .wps are OLE compound files
_MAGIC = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG", "png"),
    (b"\xff\xd8\xff", "jpg"),
    (b"II*\x00", "tif"),
    (b"MM\x00*", "tif"),
    (b"GIF8", "gif"),
)
_NAMES = {
    "pdf": "PDF",
    "doc": "Word",
    "docx": "Word",
    "wps": "WPS",
    "xls": "Excel",
    "xlsx": "Excel",
    "jpg": "图片",
    "jpeg": "图片",
    "png": "图片",
    "tif": "图片",
    "tiff": "图片",
}


def url_ext(url: str) -> str | None:
    """The attachment extension a link names in its path or query (download.jsp?file=a.pdf), lower case."""
    parts = urlsplit(url)
    m = _EXT_IN_URL.search(unquote(parts.path)) or _EXT_IN_URL.search(unquote(parts.query))
    return m.group(1).lower() if m else None


def is_html(data: bytes) -> bool:
    head = data[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in head or b"<body" in head


def detect(data: bytes, url: str, content_type: str | None) -> str:
    """The extension the bytes are stored under: by their magic number first, then the link, then
    the declared type; "bin" when nothing says."""
    for magic, ext in _MAGIC:
        if data.startswith(magic):
            return ext
    named = url_ext(url)
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data) or (named if named in ("docx", "xlsx") else "zip")
    if data.startswith(_OLE):
        return named if named in ("doc", "xls", "wps") else "doc"
    ctype = (content_type or "").split(";")[0].strip().lower()
    if is_html(data) or ctype in ("text/html", "application/xhtml+xml"):
        return "html"
    if ctype.startswith("text/"):
        return "txt"
    return "bin"


def _zip_kind(data: bytes) -> str | None:
    """docx or xlsx by the names inside the zip (only the central directory is read)."""
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if any(n.startswith("word/") for n in names):
        return "docx"
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    return None


def problem(kind: str, data: bytes, url: str, stored_ext: str) -> str | None:
    """Why a kept file cannot serve as the report (in words for the people who read the findings),
    or None. `kind` is page or attachment."""
    if not data:
        return "文件为空（0 字节）"
    if kind == "page":
        return None if stored_ext == "html" else f"报告页面返回的不是网页（实为 {stored_ext} 文件）"
    named = url_ext(url)
    if stored_ext == "html":
        return "附件链接返回的是网页而不是文件（常见于“文件不存在”等错误页）"
    if stored_ext in ("bin", "txt", "zip", "gif"):
        what = _NAMES.get(named or "", "附件")
        return f"附件内容无法识别为 {what} 文件，可能已损坏"
    if named and _NAMES.get(named) != _NAMES.get(stored_ext):
        return f"附件链接标明为 {_NAMES.get(named)} 文件，实际内容为 {_NAMES.get(stored_ext, stored_ext)} 文件"
    if stored_ext in ("docx", "xlsx") and _zip_kind(data) is None:
        return "附件是损坏的 Office 文件，无法打开"
    return None
