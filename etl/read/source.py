"""Extract: find report files under the given paths and read each into a Document.

Safety limits are applied here, before any parser sees the bytes."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from etl.errors import EtlError, LimitExceeded, UnreadableFile
from etl.model import Document
from etl.read import limits, reader_for, supported

MAX_FILE_BYTES = limits.MAX_FILE_MB * 1024 * 1024


@dataclass(frozen=True)
class SourceFile:
    path: str
    size: int
    sha256: str
    data: bytes


def file_sha256(path: str, max_bytes: int | None = None) -> str | None:
    """The sha256 of a file, read in chunks; None when it cannot be read or is over `max_bytes`."""
    h = hashlib.sha256()
    try:
        if max_bytes is not None and os.stat(path).st_size > max_bytes:
            return None
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return None
    return h.hexdigest()


def read_source(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> SourceFile:
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > max_bytes:
            raise LimitExceeded(f"文件过大（{size / 1048576:.0f} MB，上限 {max_bytes / 1048576:.0f} MB）", file=str(p))
        data = p.read_bytes()
    except PermissionError:
        raise UnreadableFile("没有读取该文件的权限", file=str(p)) from None
    except FileNotFoundError:
        raise UnreadableFile("文件不存在", file=str(p)) from None
    except IsADirectoryError:
        raise UnreadableFile("这是一个文件夹，不是文件", file=str(p)) from None
    except OSError as exc:
        raise UnreadableFile(f"无法读取文件（{exc.strerror or exc}）", file=str(p)) from None
    return SourceFile(str(p), len(data), hashlib.sha256(data).hexdigest(), data)


def to_document(src: SourceFile) -> Document:
    reader = reader_for(src.path)
    try:
        return reader(src.path, src.data)
    except EtlError as exc:
        exc.file = exc.file or src.path
        raise


def discover(paths: list[str]) -> Iterator[tuple[str, str | None]]:
    """Yield (path, problem) for every file under the given files and folders, recursively,
    in a stable order. Folders that cannot be read and symlink loops are reported, not fatal."""
    seen_dirs: set[tuple[int, int]] = set()
    for top in paths:
        p = Path(top)
        if p.is_file():
            yield str(p), None
            continue
        if not p.exists():
            yield str(p), "路径不存在"
            continue
        stack = [p]
        while stack:
            d = stack.pop()
            try:
                st = d.stat()
            except OSError:
                yield str(d), "无法访问该文件夹"
                continue
            if (st.st_dev, st.st_ino) in seen_dirs:
                continue  # a symlink loop or the same folder twice
            seen_dirs.add((st.st_dev, st.st_ino))
            try:
                entries = sorted(os.scandir(d), key=lambda e: e.name)
            except OSError:
                yield str(d), "没有读取该文件夹的权限"
                continue
            subdirs = []
            for e in entries:
                try:
                    if e.is_dir():
                        subdirs.append(Path(e.path))
                    elif e.is_file():
                        yield e.path, None
                except OSError:
                    yield e.path, "无法访问"
            stack.extend(reversed(subdirs))


def is_candidate(path: str) -> bool:
    return supported(path)
