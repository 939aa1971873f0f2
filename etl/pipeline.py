"""The stages in order: extract -> parse (normalize) -> validate. Loading is in etl.load."""

from __future__ import annotations

from dataclasses import dataclass

from etl.errors import EtlError
from etl.extract import SourceFile, read_source, to_document
from etl.model import Report
from etl.report import parse_document
from etl.validate import validate


@dataclass(frozen=True)
class Outcome:
    source: SourceFile | None
    path: str
    report: Report | None
    error: str | None
    error_kind: str | None = None


def parse_source(src: SourceFile) -> Outcome:
    try:
        doc = to_document(src)
        report = validate(parse_document(doc))
        return Outcome(src, src.path, report, None)
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
