"""Load throughput: parsed records straight into a new DuckDB warehouse (no documents).

Records are made from the demo generator's figures, so every table cell is filled as in a
real report; the text of each record is its own short prose.

    python bench/load_throughput.py 100000"""

from __future__ import annotations

import hashlib
import random
import sys
import tempfile
import time
from pathlib import Path

from etl.demo import recipe as recipe_mod
from etl.demo.figures import start, year_figures
from etl.dictionary import T2_KEYS, T3_COLUMN_KEYS, T3_ROW_KEYS, T4_KEYS
from etl.load import Parsed, write
from etl.model import Metric, Report, Value
from etl.regions import gazetteer


def records(n: int, seed: int = 1):
    rec = recipe_mod.load()
    rng = random.Random(seed)
    counties = [r for r in gazetteer().by_code.values() if r.level == "county"]
    level = rec["levels"]["county_department"]
    per_agency = 7
    for a in range(0, n, per_agency):
        place = counties[a // per_agency % len(counties)]
        st = start(rng, level, rec["dynamics"], False)
        name = f"{place.name}第{a // per_agency}局"
        for t in range(min(per_agency, n - a)):
            year = 2019 + t
            f = year_figures(rng, st, t, year, rec["dynamics"], rec["outcomes"], False, False, False)
            def v(x, loc):
                return Value(x, str(x), loc)
            t2 = {k: v(f.t2[k], f"L{i + 40}") for i, k in enumerate(T2_KEYS)}
            t3 = {r: {c: v(f.t3[r][c], f"L{100 + i * 8 + j}") for j, c in enumerate(T3_COLUMN_KEYS)}
                  for i, r in enumerate(T3_ROW_KEYS)}
            t4 = {k: v(f.t4[k], f"L{400 + i}") for i, k in enumerate(T4_KEYS)}
            prose = f"{name}{year}年主动公开政府信息{f.narrative['info_published_total']}条。"
            r = Report(source=f"gen/{a + t}.txt", fmt="text", agency=name, year=year,
                       publish_date=f"{year + 1}-01-{rng.randint(10, 31):02d}", province=None, city=None,
                       county=place.name, region_code=place.code, format_version="2021", sections=(1, 2, 3, 4, 5, 6),
                       t2=t2, t3=t3, t4=t4, narrative={"info_published_total": Metric(
                           f.narrative["info_published_total"], prose, "L5")}, text=prose, prose=prose)
            sha = hashlib.sha256(f"{a + t}".encode()).hexdigest()
            yield Parsed(r.source, sha, 10_000, r, "parsed")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    t = time.perf_counter()
    recs = list(records(n))
    made = time.perf_counter() - t
    db = Path(tempfile.mkdtemp()) / "bench.duckdb"
    t = time.perf_counter()
    s = write(db, recs)
    dt = time.perf_counter() - t
    size = db.stat().st_size
    print(f"{n:,} records made in {made:.1f} s; loaded in {dt:.1f} s = {n / dt:,.0f} reports/s; "
          f"{size / 1e6:.0f} MB ({size / n * 1000 / 1e6:.2f} MB per 1,000 reports); "
          f"findings {sum(s.findings_by_rule.values()):,}")


if __name__ == "__main__":
    main()
