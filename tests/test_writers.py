"""One writer at a time (a second load waits or refuses clearly; a stale lock is cleared) and schema
versions (an older warehouse is migrated; a newer one is refused; the dashboard can ask)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from conftest import FIXTURES, q

from etl.pipeline import run_load
from etl.warehouse.lock import WarehouseBusy, lock_path
from etl.warehouse.version import SCHEMA_VERSION, compatibility

SAMPLES = FIXTURES / "samples"

HOLD = """
import sys, time
from pathlib import Path
from etl.warehouse.lock import writer_lock
with writer_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""

DIE = """
import os, sys
from pathlib import Path
from etl.warehouse.lock import writer_lock
with writer_lock(Path(sys.argv[1])):
    os.kill(os.getpid(), 9)  # killed while it holds the lock
"""

LOAD = """
import sys
from pathlib import Path
from etl.pipeline import run_load
s = run_load([sys.argv[2]], Path(sys.argv[1]), jobs=1, progress=False, wait=120)
print("loaded", s.loaded, flush=True)
"""


def _two_folders(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    for i, p in enumerate(sorted(SAMPLES.glob("*.txt"))):
        shutil.copy(p, (a if i % 2 else b) / p.name)
    return a, b


def _holder(db: Path, seconds: float) -> subprocess.Popen:
    p = subprocess.Popen([sys.executable, "-c", HOLD, str(db), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "held"
    return p


def test_second_load_waits_for_the_first_and_says_so(tmp_path):
    a, _ = _two_folders(tmp_path)
    db = tmp_path / "w.duckdb"
    holder = _holder(db, 2.0)
    heard: list[str] = []
    t0 = time.monotonic()
    s = run_load([str(a)], db, progress=False, wait=60, notify=heard.append)
    holder.wait()
    assert s.written and s.loaded > 0 and time.monotonic() - t0 >= 1.5
    assert any("另一个入库进程" in m and "等待" in m for m in heard)


def test_second_load_gives_up_clearly_and_changes_nothing(tmp_path):
    a, b = _two_folders(tmp_path)
    db = tmp_path / "w.duckdb"
    run_load([str(a)], db, progress=False)
    before = db.read_bytes()
    holder = _holder(db, 5.0)
    try:
        with pytest.raises(WarehouseBusy) as err:
            run_load([str(b)], db, progress=False, wait=0.5)
        assert "另一个入库进程" in err.value.one_line() and "未做任何改动" in err.value.one_line()
        assert db.read_bytes() == before
    finally:
        holder.kill()
        holder.wait()
    # from the command line: exit code 1 and the message on one line
    holder = _holder(db, 5.0)
    try:
        cli = subprocess.run(
            [sys.executable, "-m", "etl", "load", str(b), "--db", str(db), "--wait", "0"],
            capture_output=True,
            text=True,
        )
        assert cli.returncode == 1 and "另一个入库进程" in cli.stderr and "Traceback" not in cli.stderr
    finally:
        holder.kill()
        holder.wait()


def test_two_concurrent_loads_both_complete_and_nothing_is_lost(tmp_path):
    a, b = _two_folders(tmp_path)
    db = tmp_path / "w.duckdb"
    procs = [
        subprocess.Popen([sys.executable, "-c", LOAD, str(db), str(folder)], stdout=subprocess.PIPE, text=True)
        for folder in (a, b)
    ]
    outs = [p.communicate(timeout=300)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    assert q(db, "SELECT count(*) FROM load_runs")[0][0] == 2
    files = len(list(a.iterdir())) + len(list(b.iterdir()))
    assert q(db, "SELECT count(*) FROM sources")[0][0] == files
    assert not list(tmp_path.glob(".w.duckdb.loading-*"))


def test_stale_lock_of_a_killed_load_is_recognised_and_cleared(tmp_path):
    a, _ = _two_folders(tmp_path)
    db = tmp_path / "w.duckdb"
    died = subprocess.run([sys.executable, "-c", DIE, str(db)])
    assert died.returncode == -9 and "pid=" in lock_path(db).read_text()
    heard: list[str] = []
    s = run_load([str(a)], db, progress=False, wait=5, notify=heard.append)
    assert s.written
    assert any("上次入库留下的锁" in m and "已清除" in m for m in heard)
    assert lock_path(db).read_text() == ""  # released cleanly this time


def _downgrade_to_v1(db: Path) -> None:
    """The schema of version 1 (main before schema versions): no warehouse_meta, no signatures, no
    origin or related report in findings, no mtime in sources; n_errors/n_warnings counted every
    report-scope finding."""
    con = duckdb.connect(str(db))
    con.execute("DROP TABLE warehouse_meta")
    con.execute("DROP TABLE prose_signatures")
    con.execute("ALTER TABLE findings DROP COLUMN related_report_id")
    con.execute("ALTER TABLE findings DROP COLUMN origin")
    con.execute("ALTER TABLE sources DROP COLUMN mtime_ns")
    con.execute("""UPDATE reports SET n_errors = f.e, n_warnings = f.w FROM (
                     SELECT r.report_id, count(f.rule) FILTER (f.severity = 'error') AS e,
                            count(f.rule) FILTER (f.severity = 'warning') AS w
                     FROM reports r LEFT JOIN findings f ON f.report_id = r.report_id AND f.scope = 'report'
                     GROUP BY ALL) f WHERE reports.report_id = f.report_id""")
    con.close()


def test_older_warehouse_is_migrated_by_the_next_load(tmp_path):
    a, b = _two_folders(tmp_path)
    fresh = tmp_path / "fresh.duckdb"
    run_load([str(a)], fresh, progress=False)
    old = tmp_path / "old.duckdb"
    shutil.copy(fresh, old)
    _downgrade_to_v1(old)
    assert compatibility(old).status == "older" and compatibility(old).found == 1
    assert "再运行一次入库" in compatibility(old).zh
    heard: list[str] = []
    s = run_load([str(a)], old, progress=False, notify=heard.append)  # nothing new: the migration alone
    assert s.written and s.migrated_from == 1 and any("升级" in m for m in heard)
    assert compatibility(old).status == "current"
    same = """SELECT r.report_id, r.n_errors, r.n_warnings, f.rule, f.origin, f.message
              FROM reports r LEFT JOIN findings f USING (report_id) ORDER BY ALL"""
    assert q(old, same) == q(fresh, same)
    assert q(old, "SELECT count(*) FROM prose_signatures") == q(fresh, "SELECT count(*) FROM prose_signatures")
    assert q(old, "SELECT minhash FROM prose_signatures ORDER BY report_id") == q(
        fresh, "SELECT minhash FROM prose_signatures ORDER BY report_id"
    )
    # and it takes new files as any warehouse does
    s = run_load([str(b)], old, progress=False)
    assert s.loaded > 0 and s.migrated_from is None


def test_newer_warehouse_is_refused_and_the_dashboard_is_told(tmp_path):
    a, b = _two_folders(tmp_path)
    db = tmp_path / "w.duckdb"
    run_load([str(a)], db, progress=False)
    con = duckdb.connect(str(db))
    con.execute("UPDATE warehouse_meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION + 1)])
    con.close()
    c = compatibility(db)
    assert c.status == "newer" and not c.usable and c.found == SCHEMA_VERSION + 1
    assert "比本程序" in c.zh and "newer" in c.en
    before = db.read_bytes()
    from etl.errors import LoadError

    with pytest.raises(LoadError, match="比本程序"):
        run_load([str(b)], db, progress=False)
    assert db.read_bytes() == before
    # an open read-only connection (what the dashboard holds) can be asked too
    con = duckdb.connect(str(db), read_only=True)
    assert compatibility(con).status == "newer"
    con.close()
    assert compatibility(tmp_path / "none.duckdb").status == "empty"
    (tmp_path / "junk.duckdb").write_bytes(b"not a database at all" * 100)
    assert compatibility(tmp_path / "junk.duckdb").status == "unreadable"


def test_current_warehouse_is_usable(tmp_path):
    a, _ = _two_folders(tmp_path)
    db = tmp_path / "w.duckdb"
    run_load([str(a)], db, progress=False)
    c = compatibility(db)
    assert c.usable and c.found == SCHEMA_VERSION
    assert dict(q(db, "SELECT key, value FROM warehouse_meta"))["schema_version"] == str(SCHEMA_VERSION)


def test_a_column_added_to_the_schema_is_added_by_the_next_load(tmp_path):
    """A new field of the registry is a new column: a warehouse without it is 'older' (the dashboard
    says so), and the next load adds it, NULL for the reports loaded before, instead of failing."""
    a, b = _two_folders(tmp_path)
    db = tmp_path / "w.duckdb"
    run_load([str(a)], db, progress=False)
    con = duckdb.connect(str(db))
    con.execute('ALTER TABLE reports DROP COLUMN "n__processing_fee_yuan"')
    con.close()
    c = compatibility(db)
    assert c.status == "older" and c.found == SCHEMA_VERSION and "n__processing_fee_yuan" in c.zh
    heard: list[str] = []
    s = run_load([str(b)], db, progress=False, notify=heard.append)
    assert s.written and s.loaded > 0 and any("n__processing_fee_yuan" in m for m in heard)
    assert compatibility(db).usable
    assert q(db, "SELECT count(*) FROM reports WHERE n__processing_fee_yuan IS NULL")[0][0] > 0
