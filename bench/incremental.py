"""Loads that cost what is new, and the ways to publish a load atomically.

    python bench/incremental.py intake 1000000   # 1,000 new reports into the cached 1,000,000 warehouse
    python bench/incremental.py publish 1000000  # what each way of publishing costs on that warehouse
    python bench/incremental.py demo             # 10 new files into the demo warehouse, and copy recall

Each prints one JSON line (the last line of its output)."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = HERE / ".cache"
sys.path.insert(0, str(HERE))


def intake(n: int, count: int = 1000, runs: int = 3) -> dict:
    """`count` new reports (next year's, of existing agencies) into a copy of the n-report warehouse,
    through etl.warehouse.load.write: the copy the load makes, the inserts, the checks, the publish."""
    from etl.demo.records import new_records
    from etl.warehouse.load import write

    src = CACHE / f"w{n}.duckdb"
    new = new_records(count, n)  # made first: the load is timed alone
    out = []
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        db = Path(tmp) / "w.duckdb"
        for _ in range(runs):
            shutil.copyfile(src, db)
            _drop_cache(db)
            t = time.perf_counter()
            s = write(db, new)
            total = time.perf_counter() - t
            out.append(
                {
                    "total_s": total,
                    "copy_s": s.copy_seconds,
                    "checks_s": s.checks_seconds,
                    "rest_s": total - s.copy_seconds - s.checks_seconds,
                    "publish": s.publish,
                    "full_checks": s.full_checks,
                    "copied_report": s.findings_by_rule.get("copied_report", 0),
                }
            )
    med = {k: statistics.median(r[k] for r in out) for k in ("total_s", "copy_s", "checks_s", "rest_s")}
    return {
        "reports": n,
        "new": count,
        "runs": runs,
        **{k: round(v, 2) for k, v in med.items()},
        "db_mb": round(src.stat().st_size / 1e6),
        "publish": out[0]["publish"],
        "full_checks": out[0]["full_checks"],
        "all_total_s": [round(r["total_s"], 2) for r in out],
    }


def _drop_cache(path: Path) -> None:
    """Ask the kernel to forget the file's pages, so that the copy reads the disk as after a night."""
    try:
        fd = os.open(path, os.O_RDONLY)
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.close(fd)
    except OSError:
        pass


def publish(n: int) -> dict:
    """The options for an atomic publish, measured on the n-report warehouse."""
    from etl.warehouse.publish import FICLONE, clone

    src = CACHE / f"w{n}.duckdb"
    size = src.stat().st_size
    out: dict = {"reports": n, "db_mb": round(size / 1e6)}
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        dst = Path(tmp) / "copy.duckdb"
        # 1. reflink (copy-on-write clone): what this file system says
        import fcntl

        with open(src, "rb") as fin, open(dst, "wb") as fout:
            try:
                fcntl.ioctl(fout.fileno(), FICLONE, fin.fileno())
                out["reflink"] = "supported"
            except OSError as exc:
                out["reflink"] = f"not supported here ({os.strerror(exc.errno)})"
        dst.unlink()
        # 2. the kernel's copy (copy_file_range), cold and warm page cache
        times = []
        for cold in (True, False):
            _drop_cache(src)
            if not cold:
                with open(src, "rb") as f:  # read it once: the pages are in the cache
                    while f.read(1 << 24):
                        pass
            t = time.perf_counter()
            method = clone(src, dst)
            times.append(time.perf_counter() - t)
            dst.unlink()
        out["copy"] = {"method": method, "cold_s": round(times[0], 2), "warm_s": round(times[1], 2)}
        # 3. a writer on the live file: readers and a writer exclude each other (DuckDB's file lock)
        reader = duckdb.connect(str(src), read_only=True)
        probe = subprocess.run(
            [sys.executable, "-c", f"import duckdb; duckdb.connect({str(src)!r})"], capture_output=True, text=True
        )
        reader.close()
        lines = [ln for ln in probe.stderr.splitlines() if "Error" in ln]
        out["live_writer_with_reader_open"] = (
            "opened" if probe.returncode == 0 else (lines[-1][:160] if lines else "failed")
        )
    return out


def _demo_warehouse() -> tuple[Path, Path]:
    """The demo corpus (data/demo, generated when absent, as `make demo` does) and its warehouse, loaded
    once with the samples into bench/.cache/demo.duckdb."""
    corpus = ROOT / "data" / "demo"
    if not (corpus / "registry.csv").exists():
        subprocess.run([sys.executable, "-m", "etl", "demo-corpus", str(corpus)], cwd=ROOT, check=True)
    db = CACHE / "demo.duckdb"
    meta = CACHE / "demo.json"
    if not db.exists() or not meta.exists():
        db.unlink(missing_ok=True)
        t = time.perf_counter()
        subprocess.run(_load_cmd(db, []), cwd=ROOT, check=True, capture_output=True)
        meta.write_text(json.dumps({"full_load_s": round(time.perf_counter() - t, 1)}))
    else:  # a warehouse of an earlier program: brought up to date (columns, signatures) once, untimed
        subprocess.run(_load_cmd(db, []), cwd=ROOT, check=True, capture_output=True)
    return corpus, db


def _load_cmd(db: Path, extra: list[str]) -> list[str]:
    return [
        sys.executable,
        "-m",
        "etl",
        "load",
        "data/demo",
        "tests/fixtures/samples",
        *extra,
        "--registry",
        "data/demo/registry.csv",
        "--db",
        str(db),
    ]


def demo(runs: int = 3) -> dict:
    """10 new files into the demo warehouse, as a user runs it: `python -m etl load` over all the
    sources (22,000 files seen, 10 new), wall time of the whole command; and copy detection's recall
    and precision on the demo corpus's injected cases."""
    from etl.demo.generate import generate

    corpus, base = _demo_warehouse()
    out: dict = json.loads((CACHE / "demo.json").read_text())
    out |= _recall(corpus, base)
    con = duckdb.connect(str(base), read_only=True)
    out["reports"] = con.execute("SELECT count(*) FROM reports").fetchall()[0][0]
    con.close()
    out["db_mb"] = round(base.stat().st_size / 1e6)
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        extra = Path(tmp) / "extra"
        generate(extra, seed=99, scale="small")
        picked = sorted(p for p in (extra / "docs").rglob("*") if p.suffix in (".txt", ".html", ".htm"))[:10]
        times, seconds = [], []
        for k in range(runs):
            new = Path(tmp) / f"new{k}"
            new.mkdir()
            for p in picked:
                shutil.copy(p, new / f"{k}-{p.name}")
            db = Path(tmp) / "w.duckdb"
            shutil.copyfile(base, db)
            t = time.perf_counter()
            proc = subprocess.run(_load_cmd(db, [str(new)]), cwd=ROOT, capture_output=True, text=True, check=True)
            times.append(time.perf_counter() - t)
            seconds.append(float(proc.stdout.split("批，")[1].split(" 秒")[0]))
            assert "新文件或有变化 10 个" in proc.stdout, proc.stdout
        out["new_files"] = len(picked)
        out["cli_wall_s"] = round(statistics.median(times), 2)
        out["cli_all_s"] = [round(x, 2) for x in times]
        out["load_s_reported"] = round(statistics.median(seconds), 2)
    return out


def _recall(corpus: Path, db: Path) -> dict:
    """Recall and precision of both copy rules against the demo corpus's ground truth."""
    truth: dict[str, set[str]] = {}
    for tf in (corpus / "truth").glob("*.json"):
        t = json.loads(tf.read_text(encoding="utf-8"))
        if "file" in t:
            truth[os.path.basename(t["file"])] = set(t["expected"])
    con = duckdb.connect(str(db), read_only=True)
    found: dict[str, set[str]] = {}
    for path, rule in con.execute(
        "SELECT s.path, f.rule FROM findings f JOIN sources s USING (report_id) WHERE f.rule LIKE 'copied%'"
    ).fetchall():
        found.setdefault(os.path.basename(path), set()).add(rule)
    con.close()
    out = {}
    for rule in ("copied_from_peer", "copied_report"):
        want = {f for f, rules in truth.items() if rule in rules}
        got = {f for f, rules in found.items() if rule in rules and f in truth}
        out[rule] = {
            "injected": len(want),
            "found": len(got),
            "recall": round(len(want & got) / len(want), 4) if want else None,
            "precision": round(len(want & got) / len(got), 4) if got else None,
            "missed": sorted(want - got)[:10],
            "extra": sorted(got - want)[:10],
        }
    return out


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "intake":
        print(json.dumps(intake(int(sys.argv[2]))))
    elif what == "publish":
        print(json.dumps(publish(int(sys.argv[2]))))
    else:
        print(json.dumps(demo(), ensure_ascii=False))
