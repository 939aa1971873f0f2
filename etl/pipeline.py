"""The stages in order: extract -> parse (normalize) -> validate. Loading is in etl.load."""

from __future__ import annotations

import contextlib
import signal
import threading
from dataclasses import dataclass

from etl import limits
from etl.errors import EtlError
from etl.extract import SourceFile, read_source, to_document
from etl.model import Report
from etl.parse import ocr
from etl.report import parse_document
from etl.validate import validate


@dataclass(frozen=True)
class Outcome:
    source: SourceFile | None
    path: str
    report: Report | None
    error: str | None
    error_kind: str | None = None


class _Timeout(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: int):
    """A per-file parse time limit (SIGALRM; main thread only, elsewhere no limit is set)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def alarm(*_):
        raise _Timeout

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def parse_source(src: SourceFile, seconds: int | None = None) -> Outcome:
    seconds = limits.PARSE_SECONDS if seconds is None else seconds
    try:
        with time_limit(seconds):
            doc = to_document(src)
            report = validate(parse_document(doc))
            if doc.ocr:
                report = ocr.annotate(report, doc.ocr)
        return Outcome(src, src.path, report, None)
    except _Timeout:
        return Outcome(src, src.path, None, f"解析超过 {seconds} 秒的上限，已放弃该文件", "LimitExceeded")
    except EtlError as exc:
        return Outcome(src, src.path, None, exc.one_line(), type(exc).__name__)
    except RecursionError:
        return Outcome(src, src.path, None, "文件结构嵌套过深，无法解析", "UnreadableFile")


def parse_path(path: str) -> Outcome:
    try:
        src = read_source(path)
    except EtlError as exc:
        return Outcome(None, path, None, exc.one_line(), type(exc).__name__)
    return parse_source(src)
