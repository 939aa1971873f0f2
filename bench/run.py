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
        f"- Run: {dt.datetime.now():%Y-%m-%d %H:%M}, `python {' '.join(['bench/run.py', *sys.argv[1:]])}`; "
        f"1-minute load average at the start {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (above "
        f"{os.cpu_count()}: the machine was shared with other work, and every time below is longer for it)",
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


def _json(args: list[str]) -> dict:
    """One of bench/incremental.py's measurements, in its own process."""
    proc = subprocess.run(
        [sys.executable, str(HERE / "incremental.py"), *args], capture_output=True, text=True, check=True
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def rate(per_s: float) -> str:
    return f"{per_s:.0f}" if per_s >= 10 else f"{per_s:.2f} ({1 / per_s:.1f} s each)"


def status(ok: bool) -> str:
    return "met" if ok else "**missed**"


def main() -> None:
    started = time.perf_counter()
    sizes = (10_000, 100_000) if QUICK else tuple(x for x in (10_000, 100_000, 1_000_000) if x <= MAX_SIZE)
    out = [
        "# Benchmarks",
        "",
        "Written by `make bench` (bench/run.py); do not edit by hand.",
        "",
        *machine(),
        "",
    ]

    jobs = os.cpu_count() or 1
    parsed: dict = {}
    if WAREHOUSE_ONLY:
        out += [
            "Parse throughput and page server times were not re-measured in this run (`--warehouse`: the load, "
            "query, incremental and copy-detection benchmarks only); their last full measurement is in this "
            "file's history.",
            "",
        ]
    else:
        print("== parse by format", flush=True)
        parsed = parse_formats.run(list(parse_formats.LAYOUTS), 200 if QUICK else PARSE_DOCS)
        jobs = os.cpu_count() or 1
        out += [
            "## Parse throughput by format",
            "",
            "Generated corpora (bench/.cache/corpus-*), each file read, parsed, validated and flattened as one "
            "load worker does; fields right = table 2/3/4 values equal to the generator's truth.",
            "",
            f"| format | documents | KiB each | one core, reports/s | {jobs} cores, reports/s | scaling | "
            "fields right |",
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
        la = os.getloadavg()[0]
        proc = subprocess.run(
            [sys.executable, str(HERE / "warehouses.py"), str(n), *([] if REUSE else ["--force"])],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(proc.stdout.strip().splitlines()[-1])
        built[n] = (warehouses.CACHE / f"w{n}.duckdb", {"la": la} | figures)
    out += [
        "",
        "## Load throughput",
        "",
        "Parsed records generated directly (etl.demo.records: the form the parse workers hand over, with prose of "
        "realistic length and repetition — 1,000–8,000 characters, median about 2,300; part of last year's text kept; "
        "3 % whole copies of last year's, 1 % of another agency's of the same county — and its MinHash signature), "
        "made once by two processes and cached (bench/.cache/records-N), then read back batch by batch and loaded "
        "by etl.warehouse.load.write into a new warehouse: batches of 20,000, every cross-report check including "
        "both copy checks, checkpoint. Reading the cached batches back is inside the time. Load average = the "
        "machine's 1-minute load when the build started (2 cores: above 2 means other work was running).",
        "",
        "| reports | load s | of which checks s | reports/s | database MB | findings | copied (year / peer) | "
        "prose chars (mean / median) | peak memory of the load, MB | load average |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, (_, f) in built.items():
        out.append(
            f"| {n:,} | {f['load_s']} | {f['checks_s']} | {f['per_s']:,} | {f['db_mb']:,} | {f['findings']:,} | "
            f"{f['copied_report']:,} / {f['copied_from_peer']:,} | {f['prose_mean']:,} / {f['prose_median']:,} | "
            f"{f['peak_rss_mb']:,} | {f['la']:.1f} |"
        )

    print("== incremental loads and publish", flush=True)
    inc = {}
    for n in [x for x in sizes if x >= 100_000]:
        la = os.getloadavg()[0]
        inc[n] = _json(["intake", str(n)]) | {"la": la}
    pub = _json(["publish", str(sizes[-1])])
    la = os.getloadavg()[0]
    demo = _json(["demo"]) | {"la": la}
    out += [
        "",
        "## Incremental loads: a day's intake",
        "",
        "1,000 new reports (next year's reports of 1,000 agencies already in the warehouse, so every check "
        "compares them with the year before and with their county's peers) loaded by etl.warehouse.load.write "
        "into a copy of the warehouse above; median of "
        f"{next(iter(inc.values()))['runs'] if inc else 0} runs, the page cache dropped for the file before each. "
        "copy = the load's copy of the warehouse for the atomic publish; checks = the cross-report checks "
        "over the touched agency-years and regions; rest = lookups, inserts, checkpoint, rename.",
        "",
        "| warehouse reports | database MB | total s | copy s | checks s | rest s | runs (s) | load average |",
        "|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for n, r in inc.items():
        out.append(
            f"| {n:,} | {r['db_mb']:,} | {r['total_s']} | {r['copy_s']} | {r['checks_s']} | {r['rest_s']} | "
            f"{', '.join(map(str, r['all_total_s']))} | {r['la']:.1f} |"
        )
    out += [
        "",
        f"Ten new files into the demo warehouse ({demo['reports']:,} reports, {demo['db_mb']} MB; its first load "
        f"took {demo['full_load_s']} s): `python -m etl load data/demo tests/fixtures/samples NEW --registry "
        "data/demo/registry.csv --db COPY` as a user runs it, over all 22,000 files (unchanged ones recognised by "
        f"path, size and modification time): wall time of the whole command {demo['cli_wall_s']} s (median of "
        f"{', '.join(map(str, demo['cli_all_s']))}), of which the load itself reports {demo['load_s_reported']} s; "
        f"load average {demo['la']:.1f}.",
        "",
        "## Publishing a load atomically: the options",
        "",
        f"Measured on the {pub['reports']:,}-report warehouse ({pub['db_mb']:,} MB) on this machine's file system:",
        "",
        f"- Reflink (copy-on-write clone, FICLONE): {pub['reflink']}. Where it is supported (btrfs, XFS with "
        "reflink, bcachefs) the copy costs milliseconds whatever the size; the loader tries it first.",
        f"- The kernel's copy (copy_file_range), the fallback used here: {pub['copy']['cold_s']} s with a cold "
        f"page cache, {pub['copy']['warm_s']} s warm.",
        "- One writer transaction on the live file (no copy): DuckDB locks a file for one writing process or "
        "several reading ones. With a reader open (the dashboard holds one) a writer cannot open the file: "
        f"`{pub['live_writer_with_reader_open']}`. A load would have to wait for every dashboard to close its "
        "connection, and dashboards could not open the file during a load; a killed load would leave a WAL "
        "beside the file rather than the old bytes. Its cost would be the load without the copy (the table "
        "above: total − copy).",
        "- Partitioned files attached per year: a load would copy only the years it touches, but every reader "
        "would have to attach all the files and could see them from different loads (no single atomic step) "
        "unless a manifest were swapped and every file kept per generation; the dashboard opens one file.",
        "",
        "Chosen: a copy of the file beside it, a reflink where the file system allows, the kernel's copy "
        "elsewhere, renamed over the old file in one step. It keeps every guarantee (readers see the old file or "
        "the new one, a killed load leaves the old file byte for byte) and the dashboard's open connections; the "
        "rest of a load costs what is new. On ext4 the copy is the one part that grows with the warehouse.",
        "",
        "## Copy detection on the demo corpus",
        "",
        "Injected by the generator with ground truth (data/demo-recipe.toml: copied_text 3 %, copied_from_peer "
        "1 %); found = the rule's findings on the demo warehouse above.",
        "",
        "| rule | injected | found | recall | precision |",
        "|---|---:|---:|---:|---:|",
    ]
    for rule in ("copied_from_peer", "copied_report"):
        r = demo[rule]
        out.append(
            f"| {rule} | {r['injected']:,} | {r['found']:,} | {r['recall']:.2%} | {r['precision']:.2%} |"
            + (f" missed {', '.join(r['missed'])}" if r["missed"] else "")
            + (f" extra {', '.join(r['extra'])}" if r["extra"] else "")
        )

    print("== queries", flush=True)
    lat = {n: queries.measure(db) for n, (db, _) in built.items() if not WAREHOUSE_ONLY or n == sizes[-1]}
    out += [
        "",
        "## Query latency",
        "",
        f"Every query the pages run (dashboard/catalog.py, {len(lat[sizes[-1]])} calls: whole country and the "
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

    page_rows, dash_mb = [], 0.0
    if not WAREHOUSE_ONLY:
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
    worst_p95 = max(max(r["cold_p95"], r["warm_p95"]) for r in lat[biggest])
    inc_big = inc.get(biggest, {"total_s": float("nan")})
    peer = demo["copied_from_peer"]
    out += [
        "",
        "## Targets (2-core machine)",
        "",
        "| target | measured | |",
        "|---|---|---|",
        f"| load 1,000,000 reports with realistic prose, every check, < 5 min | {biggest:,} in {load_1m['load_s']} s | "
        f"{status(biggest == 1_000_000 and load_1m['load_s'] < 300)} |",
        f"| peak memory of that load < 6 GB | {load_1m['peak_rss_mb']:,} MB | "
        f"{status(load_1m['peak_rss_mb'] < 6000)} |",
        f"| 1,000 new reports into 1,000,000 < 30 s | {inc_big['total_s']} s into {biggest:,} | "
        f"{status(biggest == 1_000_000 and inc_big['total_s'] < 30)} |",
        f"| 10 new files into the demo warehouse < 3 s | {demo['cli_wall_s']} s (whole command) | "
        f"{status(demo['cli_wall_s'] < 3)} |",
        f"| cross-agency copies: recall 100 %, precision >= 99 % | recall {peer['recall']:.2%}, precision "
        f"{peer['precision']:.2%} ({peer['injected']} cases) | "
        f"{status(peer['recall'] == 1 and peer['precision'] >= 0.99)} |",
        f"| every dashboard query < 100 ms p95 at 1,000,000 | slowest p95 {worst_p95:.1f} ms at {biggest:,} | "
        f"{status(biggest == 1_000_000 and worst_p95 < 100)} |",
    ]
    if parsed:
        text_html = min(parsed[f]["all"]["per_s"] for f in ("text", "html"))
        out += [
            f"| parse >= 500 text/HTML reports/s on all cores | text {parsed['text']['all']['per_s']:.0f}/s, "
            f"HTML {parsed['html']['all']['per_s']:.0f}/s | {status(text_html >= 500)} |",
            f"| parse >= 20 text-layer PDF reports/s | {parsed['pdf']['all']['per_s']:.0f}/s on {jobs} cores, "
            f"{parsed['pdf']['per_s']:.0f}/s on one | {status(parsed['pdf']['all']['per_s'] >= 20)} |",
        ]
    if page_rows:
        slowest_page = max(c for _, c, _ in page_rows)
        out += [
            f"| page server time < 1 s | slowest cold {slowest_page:.2f} s at {biggest:,} | "
            f"{status(slowest_page < 1)} |",
            f"| memory | dashboard process after all pages: {dash_mb:,.0f} MB peak | |",
        ]
    out += [
        "",
        f"Suite run time: {(time.perf_counter() - started) / 60:.1f} min.",
        "",
    ]
    text = "\n".join(out)
    print(text)
    if not QUICK:
        (ROOT / "BENCHMARKS.md").write_text(text, encoding="utf-8")


QUICK = "--quick" in sys.argv
REUSE = "--reuse" in sys.argv  # warehouses already built (bench/.cache/wN.json) keep their load figures
MAX_SIZE = int(sys.argv[sys.argv.index("--max") + 1]) if "--max" in sys.argv else 1_000_000
WAREHOUSE_ONLY = "--warehouse" in sys.argv  # loads, queries at the largest size, incremental, copies
# documents per format for the parse benchmark (2,000 by default; fewer when the machine is shared)
PARSE_DOCS = int(sys.argv[sys.argv.index("--parse-docs") + 1]) if "--parse-docs" in sys.argv else 2000

if __name__ == "__main__":
    main()
