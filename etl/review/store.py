"""The review store: people's decisions, kept apart from the warehouse, which is rebuilt from
files and swapped. One function, `locate`, decides which store a process uses; the dashboard,
`python -m etl review …` and `python -m dashboard.users …` all call it (through `open_store`):

    1. a URL given on the command line (--review-db), else
    2. the environment variable GOVREPORT_REVIEW_DB, else
    3. an SQLite file beside the warehouse: data/warehouse.duckdb -> data/warehouse.review.sqlite

SQLite runs in WAL mode with a busy timeout, and write transactions take the write lock at
BEGIN (BEGIN IMMEDIATE) so two processes never deadlock on a lock upgrade. PostgreSQL is used
through psycopg 3. Opening migrates the schema to the newest revision; a store written by a newer
program is refused."""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, exc
from sqlalchemy.engine import URL, Connection, Engine, make_url

from etl.review.errors import StoreError, StoreTooNew

ENV_VAR = "GOVREPORT_REVIEW_DB"
MIGRATIONS = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_MS = 15_000
WRITE_ATTEMPTS = 8

T = TypeVar("T")


class Conflict(Exception):
    """Another process changed a row between our read and our write: the transaction is re-run."""


@dataclass(frozen=True)
class StoreLocation:
    url: str  # with the password, for the engine only
    kind: str  # sqlite / postgresql
    shown: str  # for messages: the file, or the URL without its password

    def __str__(self) -> str:
        return self.shown


def default_path(warehouse: str | Path) -> Path:
    """data/warehouse.duckdb -> data/warehouse.review.sqlite"""
    return Path(warehouse).with_suffix(".review.sqlite")


def locate(warehouse: str | Path, url: str | None = None) -> StoreLocation:
    """Which review store belongs to this warehouse (see the module's docstring)."""
    url = (url or os.environ.get(ENV_VAR) or "").strip() or None
    if url is None:
        path = default_path(warehouse).resolve()
        return StoreLocation(str(URL.create("sqlite", database=str(path))), "sqlite", str(path))
    try:
        u = make_url(url)
    except exc.ArgumentError:
        raise StoreError(
            f"复核库地址无法识别：应为 postgresql://用户@主机/库名 或 sqlite:///文件路径（{ENV_VAR}）"
        ) from None
    backend = u.get_backend_name()
    if backend == "postgresql":
        u = u.set(drivername="postgresql+psycopg")  # the driver this project installs
    elif backend != "sqlite" or not u.database or u.database == ":memory:":
        raise StoreError(f"复核库只支持 PostgreSQL 或 SQLite 文件，不支持“{u.drivername}”")
    return StoreLocation(u.render_as_string(hide_password=False), backend, u.render_as_string(hide_password=True))


def open_store(warehouse: str | Path, url: str | None = None) -> ReviewStore:
    """The review store of this warehouse, migrated to the newest schema."""
    return ReviewStore(locate(warehouse, url))


class ReviewStore:
    def __init__(self, location: StoreLocation) -> None:
        self.location = location
        self.engine = _engine(location)
        try:
            migrate(self.engine)
        except exc.DBAPIError as e:
            self.engine.dispose()
            raise StoreError(f"无法打开复核库 {location}：{_first_line(e)}") from None
        except BaseException:
            self.engine.dispose()
            raise

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read transaction (SQLite: readers never wait for the writer in WAL mode)."""
        try:
            with self.engine.connect() as conn, conn.begin():
                yield conn
        except exc.DBAPIError as e:
            raise StoreError(f"读取复核库失败（{self.location}）：{_first_line(e)}") from None

    def write(self, fn: Callable[[Connection], T]) -> T:
        """Run fn in one write transaction: all of it is committed or none. A conflict with another
        process (a lock, a concurrent insert of the same key, a changed version) re-runs fn from the
        start on fresh data, so fn must read what it decides on inside the transaction."""
        for attempt in range(WRITE_ATTEMPTS):
            try:
                with self.engine.connect() as conn:
                    conn.execution_options(review_write=True)
                    with conn.begin():
                        return fn(conn)
            except (Conflict, exc.IntegrityError, exc.OperationalError) as e:
                if attempt == WRITE_ATTEMPTS - 1:
                    raise StoreError(f"写入复核库失败（{self.location}），请稍后重试：{_first_line(e)}") from None
                time.sleep(random.uniform(0, 0.02 * 2**attempt))  # jitter: two writers do not retry in step
            except exc.DBAPIError as e:
                raise StoreError(f"写入复核库失败（{self.location}）：{_first_line(e)}") from None
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> ReviewStore:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _first_line(e: BaseException) -> str:
    inner = getattr(e, "orig", None) or e
    return (str(inner).strip().splitlines() or [type(inner).__name__])[0]


def _engine(loc: StoreLocation) -> Engine:
    if loc.kind == "postgresql":
        return sa.create_engine(loc.url, pool_pre_ping=True)
    path = Path(make_url(loc.url).database)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():  # it holds password hashes: owner only (SQLite gives -wal and -shm the same mode)
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    engine = sa.create_engine(loc.url, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_con, _record) -> None:
        dbapi_con.isolation_level = None  # the driver's own BEGIN is replaced by the one below
        cur = dbapi_con.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # a writer takes the lock at BEGIN and so waits (busy timeout) instead of failing on upgrade
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("review_write") else "BEGIN")

    return engine


def _script() -> ScriptDirectory:
    return ScriptDirectory(str(MIGRATIONS))


def head_revision() -> str:
    return _script().get_current_head()


def migrate(engine: Engine) -> None:
    """Upgrade to the newest revision in one transaction; refuse a store of a newer schema."""
    script = _script()
    known = {r.revision for r in script.walk_revisions()}
    for attempt in range(3):
        try:
            with engine.connect() as conn:
                conn.execution_options(review_write=True)
                with conn.begin():
                    current = set(MigrationContext.configure(conn).get_current_heads())
                    newer = current - known
                    if newer:
                        raise StoreTooNew(
                            f"复核库的结构版本（{'、'.join(sorted(newer))}）比本程序新，"
                            "请升级本程序后再打开；复核库未作改动"
                        )
                    if current == set(script.get_heads()):
                        return
                    cfg = Config()
                    cfg.set_main_option("script_location", str(MIGRATIONS))
                    cfg.attributes["connection"] = conn
                    command.upgrade(cfg, "head")
                    return
        except (exc.IntegrityError, exc.ProgrammingError, exc.OperationalError):
            # another process created the schema at the same moment: look again
            if attempt == 2:
                raise
            time.sleep(0.2)
