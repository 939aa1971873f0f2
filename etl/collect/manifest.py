"""The manifest beside every kept file (FILE.manifest.json), and its typed reader.

A manifest says where the file's bytes were found and when: for each URL that served them,
the column and agency it was found under, the report page (for attachments), the page's printed
发布时间, when these bytes were first and last seen there, the URL's latest fetch (HTTP status,
error) and the URL's whole version history (which content came when). A URL whose latest fetch
failed, or that was not fetched by choice (robots.txt, another site: "blocked"), has a
manifest without a file in OUT/unavailable/. Manifests are written from the crawl
state (etl.collect.state), atomically; the state stays the one source of truth.

    {"manifest": 1, "kind": "attachment", "file": "files/3f/3f…e1.pdf", "sha256": "3f…e1", "size": 240143,
     "content_type": "application/pdf", "problem": null, "text_sha256": null,
     "sources": [{"url": …, "column_url": …, "agency": …, "agency_kind": …, "region_code": …, "title": …,
                  "year": 2024, "report_page_url": …, "list_date": "2025-01-20",
                  "first_found": …, "last_found": …, "fetched_at": …, "http_status": 200, "error": null,
                  "blocked": false,
                  "first_seen": …, "last_seen": …,
                  "page_published": "2025-01-20T10:00:00", "page_published_text": "发布时间：2025-01-20 10:00",
                  "versions": [{"sha256": …, "file": …, "first_seen": …, "last_seen": …,
                                "page_published": …}]}]}

Times with a zone are fetch times (China time); page_published is the page's local time as printed."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from etl.collect.state import State
from etl.errors import EtlError

MANIFEST_VERSION = 1
SUFFIX = ".manifest.json"
CHINA = timezone(timedelta(hours=8))  # fetch times are written in China time (no daylight saving)


class ManifestError(EtlError):
    """A manifest that cannot be read (broken JSON, missing fields, another version)."""


@dataclass(frozen=True)
class Version:
    """One content a URL served: the first and last time it was seen there."""

    sha256: str
    file: str | None  # relative to the collect folder
    first_seen: datetime
    last_seen: datetime
    page_published: datetime | None


@dataclass(frozen=True)
class Source:
    """One URL (in one column) where the file was found: the page evidence."""

    url: str
    column_url: str
    agency: str | None
    agency_kind: str | None
    region_code: str | None
    title: str | None
    year: int | None
    report_page_url: str | None  # for attachments: the report page that links it
    list_date: str | None  # the date printed beside the link in the column's list
    fetched_at: datetime | None  # the URL's latest fetch
    http_status: int | None
    error: str | None
    blocked: bool  # not fetched by choice: robots.txt forbids it, or it lies on (or leads to) another site
    first_seen: datetime | None  # these bytes at this URL (None in a manifest without a file)
    last_seen: datetime | None
    page_published: datetime | None  # the page's printed 发布时间 (the report page's, for attachments)
    page_published_text: str | None
    versions: tuple[Version, ...]  # everything this URL has served, oldest first
    first_found: datetime | None = None  # the first and last time the link was seen in the column
    last_found: datetime | None = None


@dataclass(frozen=True)
class Manifest:
    path: Path  # the manifest file
    file: Path | None  # the kept file; None for a URL whose latest fetch failed
    kind: str  # page, attachment or list
    sha256: str | None
    size: int | None
    content_type: str | None
    problem: str | None  # why the file is not a usable report file, in Chinese
    text_sha256: str | None  # pages: sha256 of the article text (what "changed" means for a page)
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class ManifestSet:
    manifests: tuple[Manifest, ...]
    rejected: tuple[tuple[str, str], ...]  # (manifest path, reason) for those that cannot be read


# writing (from the state)


def _atomic_write(path: Path, obj: dict, tmp_dir: Path) -> None:
    tmp = tmp_dir / (path.name + f".{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(json.dumps(obj, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def _sources(state: State, urls: list[str], sha: str | None) -> list[dict]:
    out = []
    for url in urls:
        f = state.fetched(url)
        history = state.query(
            """SELECT v.sha256, b.path, v.first_seen, v.last_seen, v.page_published,
                                        v.page_published_text
                                 FROM versions v LEFT JOIN blobs b USING (sha256) WHERE v.url = ?
                                 ORDER BY v.first_seen, v.rowid""",
            [url],
        )
        mine = next((h for h in history if h[0] == sha), None)
        latest = history[-1] if history else None
        pub = mine or latest
        found = state.query(
            """SELECT column_url, agency, agency_kind, region_code, title, year, report_page_url,
                                      list_date, first_found, last_found
                               FROM found WHERE url = ? ORDER BY column_url""",
            [url],
        )
        for col, agency, akind, code, title, year, page_url, list_date, first_found, last_found in found:
            out.append(
                {
                    "url": url,
                    "column_url": col,
                    "agency": agency,
                    "agency_kind": akind,
                    "region_code": code,
                    "title": title,
                    "year": year,
                    "report_page_url": page_url,
                    "list_date": list_date,
                    "first_found": first_found,
                    "last_found": last_found,
                    "fetched_at": f.fetched_at if f else None,
                    "http_status": f.status if f else None,
                    "error": f.error if f else None,
                    "blocked": f.blocked if f else False,
                    "first_seen": mine[2] if mine else None,
                    "last_seen": mine[3] if mine else None,
                    "page_published": pub[4] if pub else None,
                    "page_published_text": pub[5] if pub else None,
                    "versions": [
                        {
                            "sha256": h[0],
                            "file": h[1],
                            "first_seen": h[2],
                            "last_seen": h[3],
                            "page_published": h[4],
                        }
                        for h in history
                    ],
                }
            )
    return out


def write_blob_manifest(state: State, sha: str) -> Path | None:
    rows = state.query("SELECT path, size, content_type, kind, problem, text_sha256 FROM blobs WHERE sha256 = ?", [sha])
    if not rows:
        return None
    rel, size, ctype, kind, problem, text_sha = rows[0]
    urls = [r[0] for r in state.query("SELECT url FROM versions WHERE sha256 = ? ORDER BY first_seen, url", [sha])]
    path = state.out / (rel + SUFFIX)
    _atomic_write(
        path,
        {
            "manifest": MANIFEST_VERSION,
            "kind": kind,
            "file": rel,
            "sha256": sha,
            "size": size,
            "content_type": ctype,
            "problem": problem,
            "text_sha256": text_sha,
            "sources": _sources(state, urls, sha),
        },
        state.out / "tmp",
    )
    return path


def unavailable_path(out: Path, url: str) -> Path:
    return out / "unavailable" / (hashlib.sha256(url.encode()).hexdigest()[:24] + SUFFIX)


def write_failure_manifest(state: State, url: str, kind: str) -> Path:
    path = unavailable_path(state.out, url)
    with state.lock:
        return _write_failure(state, url, kind, path)


def _write_failure(state: State, url: str, kind: str, path: Path) -> Path:
    _atomic_write(
        path,
        {
            "manifest": MANIFEST_VERSION,
            "kind": kind,
            "file": None,
            "sha256": None,
            "size": None,
            "content_type": None,
            "problem": None,
            "text_sha256": None,
            "sources": _sources(state, [url], None),
        },
        state.out / "tmp",
    )
    return path


def flush(state: State) -> int:
    """Write the manifests of every blob whose history changed; the number written. One thread
    at a time (the state's lock), so two columns sharing a file do not write it at once."""
    n = 0
    with state.lock:
        for sha in state.dirty_blobs():
            if write_blob_manifest(state, sha):
                n += 1
            state.clean(sha)
    return n


# reading


def _time(value: object, field: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        raise ManifestError(f"清单中的时间“{value}”无法识别（{field}）") from None


def _need(obj: dict, key: str):
    if key not in obj:
        raise ManifestError(f"清单缺少字段 {key}")
    return obj[key]


def _source(s: dict) -> Source:
    versions = tuple(
        Version(
            _need(v, "sha256"),
            v.get("file"),
            _time(_need(v, "first_seen"), "first_seen"),
            _time(_need(v, "last_seen"), "last_seen"),
            _time(v.get("page_published"), "page_published"),
        )
        for v in s.get("versions") or []
    )
    year = s.get("year")
    return Source(
        url=_need(s, "url"),
        column_url=_need(s, "column_url"),
        agency=s.get("agency"),
        agency_kind=s.get("agency_kind"),
        region_code=s.get("region_code"),
        title=s.get("title"),
        year=int(year) if year is not None else None,
        report_page_url=s.get("report_page_url"),
        list_date=s.get("list_date"),
        fetched_at=_time(s.get("fetched_at"), "fetched_at"),
        http_status=s.get("http_status"),
        error=s.get("error"),
        blocked=bool(s.get("blocked", False)),
        first_seen=_time(s.get("first_seen"), "first_seen"),
        last_seen=_time(s.get("last_seen"), "last_seen"),
        page_published=_time(s.get("page_published"), "page_published"),
        page_published_text=s.get("page_published_text"),
        versions=versions,
        first_found=_time(s.get("first_found"), "first_found"),
        last_found=_time(s.get("last_found"), "last_found"),
    )


def read_manifest(path: str | Path) -> Manifest:
    """One manifest; raises ManifestError with the reason in Chinese."""
    p = Path(path)
    try:
        obj = json.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ManifestError(f"无法读取清单文件（{exc.strerror or exc}）", file=str(p)) from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ManifestError("清单文件不是有效的 JSON", file=str(p)) from None
    try:
        if not isinstance(obj, dict) or obj.get("manifest") != MANIFEST_VERSION:
            raise ManifestError(f"不是第 {MANIFEST_VERSION} 版的采集清单")
        beside = p.with_name(p.name[: -len(SUFFIX)]) if obj.get("file") else None  # the file sits beside it
        return Manifest(
            path=p,
            file=beside,
            kind=_need(obj, "kind"),
            sha256=obj.get("sha256"),
            size=obj.get("size"),
            content_type=obj.get("content_type"),
            problem=obj.get("problem"),
            text_sha256=obj.get("text_sha256"),
            sources=tuple(_source(s) for s in _need(obj, "sources")),
        )
    except ManifestError as exc:
        exc.file = str(p)
        raise
    except (TypeError, ValueError, AttributeError):
        raise ManifestError("清单内容的格式不对", file=str(p)) from None


def manifest_for(file: str | Path) -> Manifest | None:
    """The manifest beside a kept file, if it has one (for the loader meeting a collected file)."""
    p = Path(str(file) + SUFFIX)
    return read_manifest(p) if p.exists() else None


def read_manifests(folder: str | Path) -> ManifestSet:
    """Every manifest under the folder (a collect OUT folder or part of it), in a stable order.
    A manifest that cannot be read is listed with its reason; the others are still read."""
    good, bad = [], []
    for p in sorted(Path(folder).rglob("*" + SUFFIX)):
        try:
            good.append(read_manifest(p))
        except ManifestError as exc:
            bad.append((str(p), exc.one_line()))
    return ManifestSet(tuple(good), tuple(bad))
