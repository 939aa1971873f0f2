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
MAX_OCR_PAGES = _int("GOVREPORT_MAX_OCR_PAGES", 30)  # scanned pages read by OCR per file [30]
OCR_SECONDS = _int("GOVREPORT_OCR_SECONDS", 600)  # a scan's parse time (OCR takes seconds a page) [600]
MAX_IMAGE_PIXELS = _int("GOVREPORT_MAX_IMAGE_PIXELS", 60_000_000)  # larger images are not decoded [60 MP]


def extend_deadline(seconds: int) -> None:
    """A reader that finds a scan gives itself OCR time: the running per-file alarm (set by
    etl.pipeline.time_limit in the main thread) is pushed out to `seconds` from now."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread() and signal.getitimer(signal.ITIMER_REAL)[0] > 0:
        signal.setitimer(signal.ITIMER_REAL, seconds)
