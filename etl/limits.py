"""Safety limits, each configurable by an environment variable (defaults in brackets)."""

from __future__ import annotations

import os


def _int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


MAX_FILE_MB = _int("GOVREPORT_MAX_FILE_MB", 50)  # larger files are rejected unread [50]
MAX_UNZIPPED_MB = _int("GOVREPORT_MAX_UNZIPPED_MB", 200)  # DOCX/XLSX that expand beyond this are bombs [200]
PARSE_SECONDS = _int("GOVREPORT_PARSE_SECONDS", 60)  # one file's parse time; then it is rejected [60]
MAX_PDF_PAGES = _int("GOVREPORT_MAX_PDF_PAGES", 200)  # [200]
