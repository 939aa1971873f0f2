"""Parsed records made directly (no documents), for load and query benchmarks at national scale.

They take the form the parse workers hand to the loader (etl.warehouse.load.prepared): a report without
cell objects plus its flattened cells. Figures come from the demo corpus' generator, from a
pool of distinct agency histories reused under different agencies, so that a million records
are made in seconds rather than minutes."""

from __future__ import annotations

import hashlib
import random
from array import array
from collections.abc import Iterator

from etl.demo import recipe as recipe_mod
from etl.demo.figures import start, year_figures
from etl.extract.places import gazetteer
from etl.model import Finding, ProseCount, Report
from etl.registry.fields import T2_KEYS, T3_COLUMN_KEYS, T3_ROW_KEYS, T4_KEYS
from etl.warehouse.flatten import SEP, FlatCells
from etl.warehouse.load import Parsed

YEARS = tuple(range(2019, 2026))
DEPARTMENTS = (
    "教育局",
    "公安局",
    "民政局",
    "财政局",
    "人力资源和社会保障局",
    "自然资源局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "农业农村局",
    "卫生健康委员会",
    "市场监督管理局",
    "应急管理局",
    "审计局",
    "统计局",
    "医疗保障局",
    "退役军人事务局",
    "文化广电旅游局",
    "水利局",
    "商务局",
)
LOCS = SEP.join(
    [f"L{40 + i}" for i in range(len(T2_KEYS))]
    + [f"L{100 + i * 8 + j}" for i in range(len(T3_ROW_KEYS)) for j in range(len(T3_COLUMN_KEYS))]
    + [f"L{400 + i}" for i in range(len(T4_KEYS))]
)


def _history(rng: random.Random, rec: dict) -> list[tuple[FlatCells, int, int]]:
    """One agency's seven years: (cells, information published, applications) per year."""
    level = rec["levels"]["county_department"]
    st = start(rng, level, rec["dynamics"], False)
    out = []
    for t, year in enumerate(YEARS):
        f = year_figures(rng, st, t, year, rec["dynamics"], rec["outcomes"], False, False, False)
        vals = (
            [f.t2[k] for k in T2_KEYS]
            + [f.t3[r][c] for r in T3_ROW_KEYS for c in T3_COLUMN_KEYS]
            + [f.t4[k] for k in T4_KEYS]
        )
        cells = FlatCells(array("d", vals).tobytes(), SEP.join(str(v) for v in vals), LOCS)
        out.append((cells, f.narrative["info_published_total"], f.t3["new_received"]["total"]))
    return out


def records(n: int, seed: int = 1, pool: int = 2000) -> Iterator[Parsed]:
    """n records: n / 7 agencies in every county of the gazetteer, seven years each."""
    rec = recipe_mod.load()
    rng = random.Random(seed)
    histories = [_history(rng, rec) for _ in range(min(pool, n // len(YEARS) + 1))]
    g = gazetteer()
    counties = [r for r in g.by_code.values() if r.level == "county"]
    full = {r.code: (g.placement(r.code).city or "") + r.name for r in counties}  # namesake counties differ
    for i in range(n):
        a, t = divmod(i, len(YEARS))
        place = counties[a % len(counties)]
        name = f"{full[place.code]}{DEPARTMENTS[a // len(counties) % len(DEPARTMENTS)]}"
        if a >= len(counties) * len(DEPARTMENTS):
            name += f"第{a // (len(counties) * len(DEPARTMENTS))}分局"
        year = YEARS[t]
        cells, published, applications = histories[a % len(histories)][t]
        prose = f"{name}{year}年主动公开政府信息{published}条，收到政府信息公开申请{applications}件。"
        late = rng.random() < 0.1
        findings = (
            (Finding("t3_row_sum", "error", "表三“（一）予以公开”行：各项之和与总计不符", ("t3.granted.total",)),)
            if rng.random() < 0.04
            else ()
        )
        report = Report(
            source=f"gen/{i}.txt",
            fmt="text",
            agency=name,
            year=year,
            publish_date=f"{year + 1}-{'03' if late else '01'}-{rng.randint(10, 28):02d}",
            province=None,
            city=None,
            county=place.name,
            region_code=place.code,
            format_version="2021",
            sections=(1, 2, 3, 4, 5, 6),
            t2={},
            t3={},
            t4={},
            narrative={"info_published_total": ProseCount(published, prose, "L5")},
            findings=findings,
            text=prose,
            prose=prose,
        )
        sha = hashlib.sha256(f"{seed}:{i}".encode()).hexdigest()
        yield Parsed(report.source, sha, 12_000, report, "parsed", cells=cells)
