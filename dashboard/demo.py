"""`make demo`: the demo corpus, the warehouse and the dashboard, serving as soon as possible.

On a first start the dashboard serves after a quick first part: the real sample reports and every
8th agency's text and web-page reports (`python -m etl demo-corpus --first 8`, about a tenth of
the corpus). The whole corpus is then generated (the same first-part files again, byte for byte,
and the rest) and loaded afresh into a new file in the background while the pages say so (a note
written beside the database, dashboard.state.loading_note); the new file replaces the database in
one step and the dashboard opens it on its next run. A later start finds the corpus
complete and only starts the dashboard.

    python -m dashboard.demo [--db data/warehouse.duckdb] [--corpus data/demo] [--port 8501]
    python -m dashboard.demo --no-serve      # everything in the foreground, then stop (make demo-data)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "tests" / "fixtures" / "samples"
FIRST = 8  # every 8th agency first
DONE = ".complete"  # in the corpus folder: the whole corpus is generated and loaded


def _etl(*args: str, log=None) -> None:
    subprocess.run([sys.executable, "-m", "etl", *args], check=True, cwd=ROOT, stdout=log, stderr=log)


def _load(db: Path, corpus: Path, log=None) -> None:
    _etl("load", str(corpus), str(SAMPLES), "--registry", str(corpus / "registry.csv"), "--db", str(db), log=log)


def note_path(db: Path) -> Path:
    return Path(str(db) + ".loading.json")


def _note(db: Path, zh: str, en: str) -> None:
    note_path(db).write_text(
        json.dumps({"pid": os.getpid(), "stage_zh": zh, "stage_en": en}, ensure_ascii=False), encoding="utf-8"
    )


def first_part(db: Path, corpus: Path) -> None:
    """The quick first part: generated and loaded in the foreground."""
    started = time.perf_counter()
    print(f"首次启动：生成第一部分演示报告（每 {FIRST} 个机关取一个，仅文本和网页格式）…", flush=True)
    _etl("demo-corpus", str(corpus), "--first", str(FIRST))
    print("入库（含真实样本报告）…", flush=True)
    _load(db, corpus)
    print(f"第一部分就绪，用时 {time.perf_counter() - started:.0f} 秒。", flush=True)


def rest(db: Path, corpus: Path) -> None:
    """The whole corpus, generated and loaded into a new file that then replaces the first part's
    in one step (a fresh load: every report is matched against the whole registry, exactly as a
    one-pass load does); the note beside the database says how far it is."""
    full = db.with_name(db.name + ".full")
    try:
        _note(db, "第 1 步，共 2 步：生成其余演示报告", "step 1 of 2: generating the rest of the demo reports")
        _etl("demo-corpus", str(corpus))
        _note(db, "第 2 步，共 2 步：入库", "step 2 of 2: loading them")
        full.unlink(missing_ok=True)
        _load(full, corpus)
        os.replace(full, db)  # readers see the first part or the whole, never half of it
        (corpus / DONE).write_text("the whole demo corpus is generated and loaded\n", encoding="utf-8")
    finally:
        note_path(db).unlink(missing_ok=True)


def in_background(db: Path, corpus: Path) -> int:
    """Start `rest` in its own session (a Ctrl-C on make demo does not cut a load in half); its
    output goes to a log beside the database."""
    log = Path(str(db) + ".loading.log")
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "dashboard.demo", "--db", str(db), "--corpus", str(corpus), "--rest-only"],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    print(f"其余演示报告在后台生成和入库（进程 {proc.pid}，日志 {log}），完成后刷新页面即可看到全部数据。", flush=True)
    return proc.pid


def serve(db: Path, port: int) -> None:
    print(f"仪表板地址 / dashboard: http://localhost:{port}", flush=True)
    os.execv(
        sys.executable,
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "dashboard" / "app.py"),
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--browser.gatherUsageStats",
            "false",
            "--client.toolbarMode",
            "viewer",
            "--client.showErrorDetails",
            "none",
            "--server.fileWatcherType",
            "none",
            "--",
            "--db",
            str(db),
            "--allow-upload",  # the demo has no accounts: its upload page is open (README, SECURITY.md)
        ],
    )


def _running(db: Path) -> bool:
    try:
        os.kill(int(json.loads(note_path(db).read_text(encoding="utf-8"))["pid"]), 0)
        return True
    except (OSError, ValueError, KeyError, TypeError):
        return False


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dashboard.demo", description="演示数据和仪表板（make demo）")
    ap.add_argument("--db", default=str(ROOT / "data" / "warehouse.duckdb"))
    ap.add_argument("--corpus", default=str(ROOT / "data" / "demo"))
    ap.add_argument("--port", type=int, default=8501)
    ap.add_argument("--no-serve", action="store_true", help="generate and load everything, then stop")
    ap.add_argument("--rest-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    db, corpus = Path(args.db).resolve(), Path(args.corpus).resolve()
    db.parent.mkdir(parents=True, exist_ok=True)
    if args.rest_only:
        rest(db, corpus)
        return 0
    complete = (corpus / DONE).exists() and db.exists()
    if args.no_serve:
        if not complete:
            rest(db, corpus)
        return 0
    if not db.exists():
        shutil.rmtree(corpus, ignore_errors=True)  # generated, git-ignored: a first start begins afresh
        first_part(db, corpus)
    if not complete and not _running(db):
        in_background(db, corpus)
    serve(db, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
