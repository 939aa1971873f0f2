"""The crawl's state in OUT/collect.sqlite and its files in a content-addressed store.

Every fetch is recorded in one SQLite transaction after its bytes are safely on disk (written
to a temporary file and renamed), so a crawl killed at any point restarts where it stopped:
the URLs the unfinished run has recorded are not asked for again. The manifests beside the
files are written from this state afterwards (etl.collect.manifest); a blob whose manifest is
not yet written stays marked `dirty` and is written on the next start.

Layout of OUT:
  collect.sqlite                      the state (this module)
  files/ab/<sha256>.<ext>             report pages and attachments, once per distinct content
  files/ab/<sha256>.<ext>.manifest.json
  lists/ab/<sha256>.html              the column's list pages (evidence that a report was listed)
  unavailable/<url hash>.manifest.json   URLs whose latest fetch failed (no file to sit beside)"""

from __future__ import annotations

import fcntl
import hashlib
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from etl.errors import EtlError

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
  run_id INTEGER PRIMARY KEY, started TEXT NOT NULL, finished TEXT, options TEXT);
-- per URL, its latest fetch
CREATE TABLE IF NOT EXISTS fetches (
  url TEXT PRIMARY KEY, kind TEXT NOT NULL, run_id INTEGER NOT NULL, fetched_at TEXT NOT NULL,
  status INTEGER, error TEXT, blocked INTEGER NOT NULL DEFAULT 0, content_type TEXT, sha256 TEXT,
  etag TEXT, last_modified TEXT, moved_to TEXT, final_url TEXT, body TEXT);
-- every distinct content a URL has served (pages: distinct article text), oldest first
CREATE TABLE IF NOT EXISTS versions (
  url TEXT NOT NULL, sha256 TEXT NOT NULL, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,
  page_published TEXT, page_published_text TEXT, PRIMARY KEY (url, sha256));
CREATE TABLE IF NOT EXISTS blobs (
  sha256 TEXT PRIMARY KEY, path TEXT NOT NULL, size INTEGER NOT NULL, content_type TEXT, kind TEXT NOT NULL,
  problem TEXT, text_sha256 TEXT, dirty INTEGER NOT NULL DEFAULT 1);
-- where a URL was found: in which column, for which agency, under which title
CREATE TABLE IF NOT EXISTS found (
  url TEXT NOT NULL, column_url TEXT NOT NULL, kind TEXT NOT NULL, agency TEXT, agency_kind TEXT, region_code TEXT,
  title TEXT, year INTEGER, list_date TEXT, report_page_url TEXT, first_found TEXT NOT NULL, last_found TEXT NOT NULL,
  PRIMARY KEY (url, column_url));
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""
SCHEMA_VERSION = "1"


class StateError(EtlError):
    """The state file cannot be opened or is from another version."""


@dataclass(frozen=True)
class Fetched:
    """A URL's latest recorded fetch."""

    url: str
    kind: str  # robots, list, page or attachment
    run_id: int
    fetched_at: str
    status: int | None = None
    error: str | None = None
    blocked: bool = False  # not fetched by choice: robots.txt, another site
    content_type: str | None = None
    sha256: str | None = None  # the content it served last (kept through later failures)
    etag: str | None = None
    last_modified: str | None = None
    moved_to: str | None = None  # a remembered permanent redirect
    final_url: str | None = None
    body: str | None = None  # robots.txt text (robots.txt is kept here, not as a file)


@dataclass(frozen=True)
class Found:
    url: str
    column_url: str
    kind: str  # list, page or attachment
    agency: str | None
    agency_kind: str | None
    region_code: str | None
    title: str | None
    year: int | None
    list_date: str | None
    report_page_url: str | None


class State:
    """The SQLite state, shared by the crawl's threads (one connection behind a lock)."""

    def __init__(self, out: Path) -> None:
        self.out = out
        try:
            out.mkdir(parents=True, exist_ok=True)
            self._lockfile = open(out / "collect.lock", "w")  # noqa: SIM115 -- held for the crawl's life
            try:
                fcntl.flock(self._lockfile, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released by the OS if killed
            except BlockingIOError:
                self._lockfile.close()
                raise StateError(
                    "另一个采集进程正在使用这个输出文件夹，请等它结束或换一个文件夹", file=str(out)
                ) from None
            for sub in ("files", "lists", "unavailable", "tmp"):
                (out / sub).mkdir(exist_ok=True)
            self.con = sqlite3.connect(out / "collect.sqlite", check_same_thread=False, isolation_level=None)
            self.con.execute("PRAGMA journal_mode=WAL")
            self.con.execute("PRAGMA synchronous=NORMAL")  # WAL: a killed process loses nothing committed
            self.con.executescript(SCHEMA)
            version = self.con.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        except (OSError, sqlite3.Error) as exc:
            raise StateError(f"无法打开采集状态文件（{exc}）", file=str(out / "collect.sqlite")) from None
        if version is None:
            self.con.execute("INSERT INTO meta VALUES ('schema', ?)", [SCHEMA_VERSION])
        elif version[0] != SCHEMA_VERSION:
            raise StateError(
                f"采集状态文件的版本（{version[0]}）与本程序（{SCHEMA_VERSION}）不符，请换一个输出文件夹",
                file=str(out / "collect.sqlite"),
            )
        self.lock = threading.RLock()
        for tmp in (out / "tmp").iterdir():  # left by a killed crawl: never referenced by the state
            tmp.unlink(missing_ok=True)

    def close(self) -> None:
        self.con.close()
        self._lockfile.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self.lock:
            self.con.execute("BEGIN IMMEDIATE")
            try:
                yield self.con
            except BaseException:
                self.con.execute("ROLLBACK")
                raise
            self.con.execute("COMMIT")

    def query(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        with self.lock:
            return self.con.execute(sql, params).fetchall()

    # runs

    def begin_run(self, started: str, options: str) -> tuple[int, bool]:
        """(run id, resumed): an unfinished run is resumed, else a new one begins."""
        with self.transaction() as con:
            row = con.execute("SELECT run_id FROM runs WHERE finished IS NULL ORDER BY run_id DESC LIMIT 1").fetchone()
            if row:
                return row[0], True
            cur = con.execute("INSERT INTO runs (started, options) VALUES (?, ?)", [started, options])
            return cur.lastrowid, False

    def finish_run(self, run_id: int, finished: str) -> None:
        with self.transaction() as con:
            con.execute("UPDATE runs SET finished = ? WHERE run_id = ?", [finished, run_id])

    def run_number(self, run_id: int) -> int:
        return self.query("SELECT count(*) FROM runs WHERE run_id <= ?", [run_id])[0][0]

    # fetches

    def fetched(self, url: str) -> Fetched | None:
        rows = self.query(
            "SELECT url, kind, run_id, fetched_at, status, error, blocked, content_type, sha256, etag, "
            "last_modified, moved_to, final_url, body FROM fetches WHERE url = ?",
            [url],
        )
        if not rows:
            return None
        r = rows[0]
        return Fetched(*r[:6], bool(r[6]), *r[7:])

    def record_fetch(self, con: sqlite3.Connection, f: Fetched) -> None:
        con.execute(
            "INSERT OR REPLACE INTO fetches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                f.url,
                f.kind,
                f.run_id,
                f.fetched_at,
                f.status,
                f.error,
                int(f.blocked),
                f.content_type,
                f.sha256,
                f.etag,
                f.last_modified,
                f.moved_to,
                f.final_url,
                f.body,
            ],
        )

    def latest_version(self, url: str) -> tuple[str, str | None] | None:
        """(sha256, text sha256) of the content the URL served last."""
        rows = self.query(
            "SELECT v.sha256, b.text_sha256 FROM versions v JOIN blobs b USING (sha256) "
            "WHERE v.url = ? ORDER BY v.first_seen DESC, v.rowid DESC LIMIT 1",
            [url],
        )
        return (rows[0][0], rows[0][1]) if rows else None

    def see_version(
        self,
        con: sqlite3.Connection,
        url: str,
        sha: str,
        when: str,
        published: str | None,
        published_text: str | None,
    ) -> bool:
        """Record that `url` served `sha` at `when`; True when this content is new for the URL."""
        cur = con.execute(
            "UPDATE versions SET last_seen = ?, page_published = coalesce(?, page_published), "
            "page_published_text = coalesce(?, page_published_text) WHERE url = ? AND sha256 = ?",
            [when, published, published_text, url, sha],
        )
        if cur.rowcount:
            return False
        con.execute(
            "INSERT INTO versions VALUES (?, ?, ?, ?, ?, ?)",
            [url, sha, when, when, published, published_text],
        )
        return True

    def mark_dirty_for_url(self, con: sqlite3.Connection, url: str) -> None:
        con.execute("UPDATE blobs SET dirty = 1 WHERE sha256 IN (SELECT sha256 FROM versions WHERE url = ?)", [url])

    def add_found(self, con: sqlite3.Connection, f: Found, when: str) -> None:
        con.execute(
            """INSERT INTO found VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                       ON CONFLICT (url, column_url) DO UPDATE SET last_found = excluded.last_found,
                         title = coalesce(excluded.title, title), year = coalesce(excluded.year, year),
                         list_date = coalesce(excluded.list_date, list_date), agency = excluded.agency,
                         agency_kind = excluded.agency_kind, region_code = excluded.region_code,
                         report_page_url = coalesce(excluded.report_page_url, report_page_url)""",
            [
                f.url,
                f.column_url,
                f.kind,
                f.agency,
                f.agency_kind,
                f.region_code,
                f.title,
                f.year,
                f.list_date,
                f.report_page_url,
                when,
                when,
            ],
        )

    # files

    def blob_path(self, sha: str) -> Path | None:
        rows = self.query("SELECT path FROM blobs WHERE sha256 = ?", [sha])
        return self.out / rows[0][0] if rows else None

    def store_blob(self, data: bytes, ext: str, kind: str) -> tuple[str, str]:
        """Write the bytes once under their sha256 (atomically); (sha256, path relative to OUT).
        The caller records the blob in its transaction; until then the file is an orphan, harmless."""
        sha = hashlib.sha256(data).hexdigest()
        rel = f"{'lists' if kind == 'list' else 'files'}/{sha[:2]}/{sha}.{ext}"
        path = self.out / rel
        if not path.exists():
            path.parent.mkdir(exist_ok=True)
            tmp = self.out / "tmp" / f"{sha}.{os.getpid()}.{threading.get_ident()}"
            with open(tmp, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        return sha, rel

    def record_blob(
        self,
        con: sqlite3.Connection,
        sha: str,
        rel: str,
        size: int,
        content_type: str | None,
        kind: str,
        problem: str | None,
        text_sha: str | None,
    ) -> None:
        con.execute(
            """INSERT INTO blobs VALUES (?, ?, ?, ?, ?, ?, ?, 1)
                       ON CONFLICT (sha256) DO UPDATE SET dirty = 1""",
            [sha, rel, size, content_type, kind, problem, text_sha],
        )

    def dirty_blobs(self) -> list[str]:
        return [r[0] for r in self.query("SELECT sha256 FROM blobs WHERE dirty = 1 ORDER BY sha256")]

    def clean(self, sha: str) -> None:
        with self.transaction() as con:
            con.execute("UPDATE blobs SET dirty = 0 WHERE sha256 = ?", [sha])
