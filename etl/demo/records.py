"""Parsed records made directly (no documents), for load and query benchmarks at national scale.

They take the form the parse workers hand to the loader (etl.warehouse.load.prepared): a report without
cell objects plus its flattened cells and its prose's signature. Figures come from the demo corpus'
generator, from a pool of distinct agency histories reused under different agencies; the prose has
realistic length and repetition (etl.demo.record_prose): 1,000–8,000 characters, part of last
year's text kept, whole copies of last year's text and of another agency's at the recipe's rates.
`jobs` > 1 makes them in that many processes, as parse workers would, while the loader writes."""

from __future__ import annotations

import hashlib
import multiprocessing
import random
from array import array
from collections.abc import Iterator

import numpy as np

from etl.demo import recipe as recipe_mod
from etl.demo import record_prose
from etl.demo.figures import start, year_figures
from etl.extract.places import gazetteer
from etl.model import Finding, ProseCount, Report
from etl.registry.fields import T2_KEYS, T3_COLUMN_KEYS, T3_ROW_KEYS, T4_KEYS
from etl.warehouse.flatten import SEP, FlatCells
from etl.warehouse.load import Parsed

YEARS = tuple(range(2019, 2026))
NEXT_YEAR = 2026  # the year of `new_records`: a day's intake after the warehouse's seven years
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
    for t, year in enumerate((*YEARS, NEXT_YEAR)):
        f = year_figures(rng, st, t, year, rec["dynamics"], rec["outcomes"], False, False, False)
        vals = (
            [f.t2[k] for k in T2_KEYS]
            + [f.t3[r][c] for r in T3_ROW_KEYS for c in T3_COLUMN_KEYS]
            + [f.t4[k] for k in T4_KEYS]
        )
        cells = FlatCells(array("d", vals).tobytes(), SEP.join(str(v) for v in vals), LOCS)
        out.append((cells, f.narrative["info_published_total"], f.t3["new_received"]["total"]))
    return out


class _Maker:
    """Everything a record needs that is shared: the recipe, the histories, the places."""

    def __init__(self, seed: int, pool: int, n: int) -> None:
        self.rec = recipe_mod.load()
        rng = random.Random(seed)
        self.seed = seed
        self.histories = [_history(rng, self.rec) for _ in range(min(pool, n // len(YEARS) + 1))]
        g = gazetteer()
        self.counties = [r for r in g.by_code.values() if r.level == "county"]
        self.full = {r.code: (g.placement(r.code).city or "") + r.name for r in self.counties}
        self.cache: dict[int, list[record_prose.Body]] = {}
        self.with_text = True  # False: the records leave the full text out (see full_text)
        self.copy_rate = self.rec["defects"]["copied_text"]
        self.peer_rate = self.rec["defects"]["copied_from_peer"]

    def name(self, a: int) -> tuple[str, object]:
        place = self.counties[a % len(self.counties)]
        name = f"{self.full[place.code]}{DEPARTMENTS[a // len(self.counties) % len(DEPARTMENTS)]}"
        if a >= len(self.counties) * len(DEPARTMENTS):
            name += f"第{a // (len(self.counties) * len(DEPARTMENTS))}分局"
        return name, place

    def bodies(self, h: int) -> list[record_prose.Body]:
        """The prose of history h, year by year (its own text: copies of another agency come later)."""
        if h not in self.cache:
            rng = np.random.default_rng((self.seed, h))
            length, keep = record_prose.target_length(rng), rng.uniform(0.3, 0.8)
            out, last = [], None
            for _ in range(len(YEARS) + 1):
                if last is not None and rng.random() < self.copy_rate:
                    ids = last  # last year's text again
                else:
                    ids = record_prose.sentence_ids(rng, length, last, keep)
                out.append(ids)
                last = ids
            self.cache[h] = [record_prose.body(ids) for ids in out]
        return self.cache[h]

    def record(self, a: int, t: int, i: int) -> Parsed:
        name, place = self.name(a)
        year = (*YEARS, NEXT_YEAR)[t]
        rng = random.Random(f"{self.seed}:{a}:{t}")
        cells, published, applications = self.histories[a % len(self.histories)][t]
        text_of = a
        if rng.random() < self.peer_rate and a >= len(self.counties):
            text_of = a - len(self.counties)  # 雷同: another department's text of the same county and year
        b = self.bodies(text_of % PROSE_POOL)[t]
        prose, sig = record_prose.compose(name, year, b, published, applications)
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
            narrative={"info_published_total": ProseCount(published, prose.split("\n")[1][:80], "L5")},
            findings=findings,
            text=full_text(prose, cells) if self.with_text else "",
            prose=prose,
        )
        sha = hashlib.sha256(f"{self.seed}:{i}".encode()).hexdigest()
        return Parsed(report.source, sha, 12_000, report, "parsed", cells=cells, signature=sig)

    def agencies(self, first: int, last: int, n: int) -> list[Parsed]:
        """The records of agencies first..last-1 (seven years each, fewer where n ends)."""
        out = []
        for a in range(first, last):
            for t in range(len(YEARS)):
                i = a * len(YEARS) + t
                if i >= n:
                    return out
                out.append(self.record(a, t, i))
        return out


# Texts (bodies of sentences) are made for this many histories and reused under other agencies: a
# prime, so that two departments of one county (agencies a and a + k * counties, k < 60) never share one
PROSE_POOL = 2003
TABLE_HEAD = "二、主动公开政府信息情况 三、收到和处理政府信息公开申请情况 四、政府信息公开行政复议、行政诉讼情况 "
_MAKER: _Maker | None = None


def full_text(prose: str, cells: FlatCells) -> str:
    """A record's normalised text: its prose, then its tables' headings and printed cells."""
    return prose + "\n" + TABLE_HEAD + cells.raws.replace(SEP, " ")


def _init(seed: int, pool: int, n: int, with_text: bool = True) -> None:
    global _MAKER
    _MAKER = _Maker(seed, pool, n)
    _MAKER.with_text = with_text


def _chunk(args: tuple[int, int, int]) -> list[Parsed]:
    assert _MAKER is not None
    return _MAKER.agencies(*args)


def records(
    n: int, seed: int = 1, pool: int = 2000, jobs: int = 1, chunk: int = 300, with_text: bool = True
) -> Iterator[Parsed]:
    """n records: n / 7 agencies in every county of the gazetteer, seven years each, in order
    (with_text=False: without the full text, which full_text() puts back)."""
    n_agencies = -(-n // len(YEARS))
    chunks = [(a, min(a + chunk, n_agencies), n) for a in range(0, n_agencies, chunk)]
    if jobs <= 1:
        _init(seed, pool, n, with_text)
        for c in chunks:
            yield from _chunk(c)
        return
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(jobs, initializer=_init, initargs=(seed, pool, n, with_text)) as workers:
        for batch in workers.imap(_chunk, chunks):
            yield from batch


def new_records(count: int, n: int, seed: int = 1, pool: int = 2000) -> list[Parsed]:
    """A day's intake for the warehouse of `records(n)`: the next year's report of its first `count`
    agencies (new files, each compared with its agency's year before and its county's peers)."""
    maker = _Maker(seed, pool, n)
    return [maker.record(a, len(YEARS), n + a) for a in range(count)]
