"""`make bench`: the whole benchmark suite, printed and written to BENCHMARKS.md with the machine
it ran on and the targets beside the measurements.

    python bench/run.py [--quick]     # --quick: 200 documents per format, 100,000 reports at most"""

from __future__ import annotations

import datetime as dt
import importlib.metadata as md
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import parse_formats  # noqa: E402
import queries  # noqa: E402
import warehouses  # noqa: E402

ROOT = HERE.parent
PACKAGES = (
    "duckdb",
    "polars",
    "pyarrow",
    "streamlit",
    "plotly",
    "selectolax",
    "pypdfium2",
    "python-docx",
    "numpy",
)


def machine() -> list[str]:
    mem = next((int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal")), 0)
    cpu = next(
        (line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
        "?",
    )
    versions = ", ".join(f"{p} {md.version(p)}" for p in PACKAGES)
    return [
        f"- Run: {dt.datetime.now():%Y-%m-%d %H:%M}, `python bench/run.py{' --quick' if QUICK else ''}`",
        f"- Machine: {os.cpu_count()} cores ({cpu}), {mem / 1024 / 1024:.1f} GiB memory, {platform.platform()}",
        f"- Python {platform.python_version()}; {versions}",
    ]


def pages(db: Path) -> tuple[list[tuple[str, float, float]], float]:
    """Server time per page (AppTest, cold and warm) in a child process, and its peak memory."""
    proc = subprocess.run(
        [sys.executable, str(HERE / "page_times.py"), str(db), "2024"],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = [(m[1], float(m[2]), float(m[3])) for m in re.finditer(r"^(\w+)\s+([\d.]+)\s+([\d.]+)$", proc.stdout, re.M)]
    peak = float(re.search(r"PEAK_MB (\d+)", proc.stdout)[1])
    return rows, peak


def rate(per_s: float) -> str:
    return f"{per_s:.0f}" if per_s >= 10 else f"{per_s:.2f} ({1 / per_s:.1f} s each)"


def status(ok: bool) -> str:
    return "met" if ok else "**missed**"


def main() -> None:
    started = time.perf_counter()
    sizes = (10_000, 100_000) if QUICK else (10_000, 100_000, 1_000_000)
    out = [
        "# Benchmarks",
        "",
        "Written by `make bench` (bench/run.py); do not edit by hand.",
        "",
        *machine(),
        "",
    ]

    print("== parse by format", flush=True)
    parsed = parse_formats.run(list(parse_formats.LAYOUTS), 200 if QUICK else 2000)
    jobs = os.cpu_count() or 1
    out += [
        "## Parse throughput by format",
        "",
        "Generated corpora (bench/.cache/corpus-*), each file read, parsed, validated and flattened as one "
        "load worker does; fields right = table 2/3/4 values equal to the generator's truth.",
        "",
        f"| format | documents | KiB each | one core, reports/s | {jobs} cores, reports/s | scaling | fields right |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for fmt, r in parsed.items():
        out.append(
            f"| {fmt} | {r['docs']:,} | {r['kib']:.1f} | {rate(r['per_s'])} | {rate(r['all']['per_s'])} | "
            f"{r['all']['per_s'] / r['per_s']:.2f}x | {r['fields_right']:.2%} |"
        )
    out += [
        "",
        f"ocr: scans made from the first {parsed['ocr']['docs']} PDF reports (every page a 144-dpi picture, no "
        "text layer), read by RapidOCR at 180 dpi.",
        "",
        "Where one core's time goes (cProfile, top functions by own time, first 200 documents):",
        "",
    ]
    for fmt, r in parsed.items():
        out += [f"- {fmt}: " + "; ".join(r["profile"][:4])]

    print("== load", flush=True)
    built = {}
    for n in sizes:  # each in a fresh process, so that its memory is its own
        proc = subprocess.run(
            [sys.executable, str(HERE / "warehouses.py"), str(n), "--force"],
            capture_output=True,
            text=True,
            check=True,
        )
        built[n] = (warehouses.CACHE / f"w{n}.duckdb", json.loads(proc.stdout.strip().splitlines()[-1]))
    out += [
        "",
        "## Load throughput",
        "",
        "Parsed records generated directly (etl.demo.records: the form the parse workers hand over), then "
        "loaded by etl.warehouse.load.write into a new warehouse: batches of 20,000, cross-report checks, checkpoint.",
        "",
        "| reports | load s | reports/s | database MB | findings | peak memory of the load, MB |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for n, (_, f) in built.items():
        out.append(
            f"| {n:,} | {f['load_s']} | {f['per_s']:,} | {f['db_mb']} | {f['findings']:,} | "
            f"{f['load_extra_mb']:,} (the records themselves: {f['records_rss_mb']:,}) |"
        )

    print("== queries", flush=True)
    lat = {n: queries.measure(db) for n, (db, _) in built.items()}
    out += [
        "",
        "## Query latency",
        "",
        f"Every query the pages run (dashboard/catalog.py, {len(lat[sizes[0]])} calls: whole country and the "
        f"largest province), cold = first run on a new connection ({queries.COLD_RUNS} runs), warm = same "
        f"connection ({queries.WARM_RUNS} runs). Summary:",
        "",
        "| reports | slowest cold p95 ms | slowest warm p95 ms | median warm p50 ms | calls over 100 ms p95 |",
        "|---:|---:|---:|---:|---:|",
    ]
    for n, rows in lat.items():
        worst_cold = max(rows, key=lambda r: r["cold_p95"])
        worst_warm = max(rows, key=lambda r: r["warm_p95"])
        med = sorted(r["warm_p50"] for r in rows)[len(rows) // 2]
        over = sum(r["cold_p95"] > 100 or r["warm_p95"] > 100 for r in rows)
        out.append(
            f"| {n:,} | {worst_cold['cold_p95']:.1f} ({worst_cold['call']}) | {worst_warm['warm_p95']:.1f} "
            f"({worst_warm['call']}) | {med:.1f} | {over} |"
        )
    biggest = sizes[-1]
    out += ["", f"Every call at {biggest:,} reports:", "", queries.table(lat[biggest])]

    print("== pages", flush=True)
    page_rows, dash_mb = pages(built[biggest][0])
    out += [
        "",
        f"## Page server time at {biggest:,} reports",
        "",
        "AppTest, one process; cold = query cache cleared, warm = cached. The process had rendered one page "
        "before (a running server has its modules loaded).",
        "",
        "| page | cold s | warm s |",
        "|---|---:|---:|",
    ]
    out += [f"| {p} | {c:.2f} | {w:.2f} |" for p, c, w in page_rows]

    load_1m = built[biggest][1]
    text_html = min(parsed[f]["all"]["per_s"] for f in ("text", "html"))
    worst_p95 = max(max(r["cold_p95"], r["warm_p95"]) for r in lat[biggest])
    slowest_page = max(c for _, c, _ in page_rows)
    out += [
        "",
        "## Targets (2-core machine)",
        "",
        "| target | measured | |",
        "|---|---|---|",
        f"| parse >= 500 text/HTML reports/s on all cores | text {parsed['text']['all']['per_s']:.0f}/s, "
        f"HTML {parsed['html']['all']['per_s']:.0f}/s | {status(text_html >= 500)} |",
        f"| parse >= 20 text-layer PDF reports/s | {parsed['pdf']['all']['per_s']:.0f}/s on {jobs} cores, "
        f"{parsed['pdf']['per_s']:.0f}/s on one | {status(parsed['pdf']['all']['per_s'] >= 20)} |",
        f"| load 1,000,000 reports < 60 s | {biggest:,} in {load_1m['load_s']} s | "
        f"{status(biggest == 1_000_000 and load_1m['load_s'] < 60)} |",
        f"| every dashboard query < 100 ms p95 at 1,000,000 | slowest p95 {worst_p95:.1f} ms at {biggest:,} | "
        f"{status(biggest == 1_000_000 and worst_p95 < 100)} |",
        f"| page server time < 1 s | slowest cold {slowest_page:.2f} s at {biggest:,} | {status(slowest_page < 1)} |",
        f"| memory | load of {biggest:,}: {load_1m['load_extra_mb']:,} MB over the records; dashboard process "
        f"after all pages: {dash_mb:,.0f} MB peak | |",
        "",
        f"Suite run time: {(time.perf_counter() - started) / 60:.1f} min.",
        "",
    ]
    text = "\n".join(out)
    print(text)
    if not QUICK:
        (ROOT / "BENCHMARKS.md").write_text(text, encoding="utf-8")


QUICK = "--quick" in sys.argv

if __name__ == "__main__":
    main()
