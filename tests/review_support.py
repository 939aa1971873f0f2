"""Fixtures of the review and account tests (loaded with pytest_plugins = ["review_support"]): a
real PostgreSQL server started and stopped by the test session itself, and a `store` fixture
parametrised over SQLite and that server.

PostgreSQL refuses to run as root (CI runs as root): initdb and pg_ctl then run as the
`postgres` system user (runuser), in a temporary folder it owns. Without the server programs
(Debian's postgresql package, installed by `make system-deps`) the PostgreSQL cases FAIL."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from etl.review.store import open_store


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    """One throw-away cluster on 127.0.0.1 for the whole test session; a database per test."""

    def __init__(self) -> None:
        bindir = _bin_dir()
        if bindir is None:
            raise RuntimeError(
                "找不到 PostgreSQL 服务器程序（/usr/lib/postgresql/*/bin/pg_ctl）："
                "请运行 make system-deps（安装 Debian 的 postgresql 包）"
            )
        self.bin = bindir
        self.as_user: list[str] = []
        root = os.geteuid() == 0
        # as root, in /tmp: the postgres user must be able to reach the folder (TMPDIR may not be)
        self.base = Path(tempfile.mkdtemp(prefix="govreport-pg-", dir="/tmp" if root else None))
        if root:  # PostgreSQL will not run as root
            shutil.chown(self.base, "postgres", "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.data = self.base / "data"
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )
        for attempt in range(3):
            self.port = _free_port()
            opts = (
                f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50"
            )
            try:
                self._run(
                    "pg_ctl",
                    "-D",
                    str(self.data),
                    "-l",
                    str(self.base / "log"),
                    "-w",
                    "-t",
                    "60",
                    "-o",
                    opts,
                    "start",
                )
                break
            except RuntimeError:
                if attempt == 2:
                    raise
        self.admin = sa.create_engine(
            f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres",
            isolation_level="AUTOCOMMIT",
            poolclass=sa.pool.NullPool,
        )

    def _run(self, prog: str, *args: str) -> str:
        p = subprocess.run(
            [*self.as_user, str(self.bin / prog), *args],
            capture_output=True,
            text=True,
            cwd=self.base,
            timeout=120,
        )
        if p.returncode != 0:
            log = (self.base / "log").read_text(errors="replace")[-2000:] if (self.base / "log").exists() else ""
            raise RuntimeError(f"{prog} failed: {p.stderr.strip()} {log}")
        return p.stdout

    def new_database(self) -> tuple[str, str]:
        name = "t_" + uuid.uuid4().hex[:12]
        with self.admin.connect() as c:
            c.exec_driver_sql(f"CREATE DATABASE {name}")
        return name, f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def drop_database(self, name: str) -> None:
        with self.admin.connect() as c:
            c.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def dump(self, name: str) -> str:
        """pg_dump of one database as SQL text (every row of every table)."""
        return self._run("pg_dump", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)

    def stop(self) -> None:
        self.admin.dispose()
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server():
    """One server for the whole session (this module is loaded once, as a plugin)."""
    try:
        server, error = PgServer(), None
    except RuntimeError as e:
        server, error = None, str(e)
    if server is None:  # a failure, never a skip: CI installs the server programs
        pytest.fail(error, pytrace=False)
    yield server
    server.stop()


BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def store_url(request, tmp_path):
    """(warehouse path, review URL or None, backend): a fresh empty store location per test."""
    if request.param == "sqlite":
        yield tmp_path / "w.duckdb", None, "sqlite"
        return
    server = request.getfixturevalue("pg_server")
    name, url = server.new_database()
    yield tmp_path / "w.duckdb", url, "postgresql"
    server.drop_database(name)


@pytest.fixture
def store(store_url):
    warehouse, url, _ = store_url
    s = open_store(warehouse, url)
    yield s
    s.close()
