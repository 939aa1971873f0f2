"""Parse throughput by format on generated corpora (>= 2,000 documents each), on one core and on
all cores, with the share of table fields parsed exactly (against the generator's truth) and a
profile summary of where one core's time goes.

    python bench/parse_formats.py [text html docx pdf] [--n 2000]"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import re
import sys
import time
from array import array
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from etl.demo import recipe as recipe_mod
from etl.demo.generate import generate
from etl.pipeline import parse_for_load
from etl.warehouse.schema import WIDE

CACHE = Path(__file__).resolve().parent / ".cache"
LAYOUTS = {
    "text": {"text_tabs": 1, "text_pipe": 1},
    "html": {"html_portal": 1, "html_plain": 1, "html_trs": 1},
    "docx": {"docx": 1},
    "pdf": {"pdf": 1},
    "ocr": {},
}  # ocr: scans made from the PDF corpus


def corpus(fmt: str, n: int) -> list[tuple[Path, dict]]:
    """(file, truth) of at least n generated documents in this format (made once, then reused)."""
    out = CACHE / f"corpus-{fmt}"
    if not (out / "summary.json").exists():
        recipe = recipe_mod.load()
        recipe["layouts"] = LAYOUTS[fmt]
        seed = 11
        while True:  # the medium scale gives about 2,000 documents; add seeds until there are n
            generate(out / f"s{seed}", seed=seed, scale="medium", recipe=recipe)
            if len(list(out.rglob("truth/*.json"))) >= n:
                break
            seed += 1
        (out / "summary.json").write_text("{}")
    docs = []
    for tf in sorted(out.rglob("truth/*.json")):
        t = json.loads(tf.read_text(encoding="utf-8"))
        if "file" in t:
            docs.append((tf.parent.parent / t["file"], t))
    return docs


def fields_right(values: bytes, truth: dict) -> tuple[int, int]:
    """(fields equal to the truth, fields printed) over tables 2, 3 and 4, read from the flat
    cells the loader receives."""
    got = dict(zip(WIDE, array("d", values)))
    want = {f"t2__{k}": v for k, v in truth["t2"].items()}
    want |= {f"t3__{r}__{c}": v for r, cols in truth["t3"].items() for c, v in cols.items()}
    want |= {f"t4__{k}": v for k, v in truth["t4"].items()}
    right = sum((None if got[k] != got[k] else got[k]) == v for k, v in want.items())  # NaN is "no value"
    return right, len(want)


def scans(n: int) -> list[tuple[Path, dict]]:
    """n of the PDF corpus' reports as scans (pictures of their pages, no text layer)."""
    from etl.demo.render import scan_pdf

    out = CACHE / "corpus-ocr"
    out.mkdir(parents=True, exist_ok=True)
    docs = []
    for path, truth in corpus("pdf", 2000)[:n]:
        target = out / path.name
        if not target.exists():
            target.write_bytes(scan_pdf(path.read_bytes()))
        docs.append((target, truth))
    return docs


def _top(buf: str, k: int = 4) -> list[str]:
    """The k functions with the most own time, as 'seconds name' (paths shortened)."""
    out = []
    for line in buf.splitlines():
        m = re.match(r"\s*[\d/]+\s+([\d.]+)\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+(.+)$", line)
        if m:
            name = re.sub(r".*/(site-packages|work/main)/", "", m[2])
            out.append(f"{m[1]} s {name}")
    return out[:k]


def one_core(docs: list[tuple[Path, dict]]) -> dict:
    """Read, parse, validate and flatten each file in this process, as one load worker does."""
    paths = [str(p) for p, _ in docs]
    parse_for_load(paths[0])  # warm: gazetteer and converters load once per process
    t0 = time.perf_counter()
    outs = [parse_for_load(p) for p in paths]
    seconds = time.perf_counter() - t0
    right = total = 0
    for out, (_, truth) in zip(outs, docs):
        r, n = fields_right(out.cells.values, truth) if out.cells else (0, len(WIDE))
        right, total = right + r, total + n
    prof = cProfile.Profile()
    prof.enable()
    for p in paths[: 200 if len(paths) > 50 else 2]:
        parse_for_load(p)
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(6)
    top = _top(buf.getvalue())
    return {
        "docs": len(docs),
        "ok": sum(o.report is not None for o in outs),
        "seconds": seconds,
        "per_s": len(docs) / seconds,
        "kib": sum(p.stat().st_size for p, _ in docs) / len(docs) / 1024,
        "fields_right": right / total if total else 0,
        "profile": top,
    }


def all_cores(docs: list[tuple[Path, dict]]) -> dict:
    """Files read and parsed in worker processes, as `python -m etl load` does."""
    jobs = os.cpu_count() or 1
    paths = [str(p) for p, _ in docs]
    with ProcessPoolExecutor(jobs) as pool:
        list(pool.map(parse_for_load, paths[: jobs * 2]))  # start the workers
        t0 = time.perf_counter()
        list(pool.map(parse_for_load, paths, chunksize=8))
        seconds = time.perf_counter() - t0
    return {"jobs": jobs, "seconds": seconds, "per_s": len(paths) / seconds}


def run(formats: list[str], n: int = 2000) -> dict[str, dict]:
    out = {}
    for fmt in formats:
        docs = scans(max(4, n // 250)) if fmt == "ocr" else corpus(fmt, n)
        out[fmt] = {**one_core(docs), "all": all_cores(docs)}
        r = out[fmt]
        print(
            f"{fmt}: {r['docs']} docs, {r['per_s']:.2f}/s on one core, {r['all']['per_s']:.2f}/s on "
            f"{r['all']['jobs']} cores, fields right {r['fields_right']:.2%}",
            flush=True,
        )
    return out


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(sys.argv[sys.argv.index("--n") + 1]) if "--n" in sys.argv else 2000
    run([a for a in args if a in LAYOUTS] or list(LAYOUTS), n)
