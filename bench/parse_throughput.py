"""Parse throughput on one core over >= 1,000 text/HTML reports, with a profile summary.

The corpus is the project's real samples and layout fixtures, each copied under many
names (the parser keeps no per-content cache, so a copy costs what a new file costs).

    python bench/parse_throughput.py [N]"""

from __future__ import annotations

import cProfile
import io
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

from etl.extract import read_source
from etl.pipeline import parse_source

ROOT = Path(__file__).resolve().parents[1] / "tests" / "fixtures"


def corpus(n: int, out: Path) -> list[Path]:
    pool = [p for p in sorted(ROOT.rglob("*")) if p.suffix in (".txt", ".html")]
    if "--full" in sys.argv:  # complete reports only (samples and layouts), not 2,000-character excerpts
        pool = [p for p in pool if p.stat().st_size > 5000]
    files = []
    for i in range(n):
        src = pool[i % len(pool)]
        dst = out / f"{i:05d}{src.suffix}"
        shutil.copy(src, dst)
        files.append(dst)
    return files


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 1200
    tmp = Path(tempfile.mkdtemp())
    files = corpus(n, tmp)
    srcs = [read_source(f) for f in files]
    parse_source(srcs[0])  # warm: gazetteer and converter load once per process
    t = time.perf_counter()
    ok = sum(1 for s in srcs if parse_source(s).report is not None)
    dt = time.perf_counter() - t
    kb = sum(s.size for s in srcs) / 1024
    print(f"parsed {n} reports ({ok} ok, {kb / n:.1f} KiB each) in {dt:.2f} s on one core: {n / dt:.0f} reports/s")
    import os
    from concurrent.futures import ProcessPoolExecutor

    from etl.cli import _parse_one

    jobs = os.cpu_count() or 1
    names = [str(f) for f in files]
    with ProcessPoolExecutor(jobs) as pool:
        list(pool.map(_parse_one, names[: jobs * 4]))  # start the workers and load their tables
        t = time.perf_counter()
        out = list(pool.map(_parse_one, names, chunksize=16))
        dt = time.perf_counter() - t
    print(f"parsed {len(out)} reports with {jobs} processes in {dt:.2f} s: {len(out) / dt:.0f} reports/s "
          "(files read from disk, JSON out)")
    prof = cProfile.Profile()
    prof.enable()
    for s in srcs[:300]:
        parse_source(s)
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(12)
    print("\n".join(buf.getvalue().splitlines()[:30]))
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
