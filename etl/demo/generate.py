"""`python -m etl demo-corpus OUT`: report documents, a registry of the agencies and a ground
truth per document (every value printed, every defect injected and the rules that must find
it). Deterministic for a seed."""

from __future__ import annotations

import copy
import csv
import json
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from etl.demo import prose
from etl.demo import recipe as recipe_mod
from etl.demo.agencies import DemoAgency, address, build
from etl.demo.figures import AgencyState, YearFigures, start, year_figures
from etl.demo.render import LAYOUTS, PdfPrinter, Printed, scan_pdf
from etl.extract.places import gazetteer
from etl.registry.fields import T3_COLUMN_KEYS, T3_ROW_KEYS
from etl.warehouse.agencies import deadline, level_of

MARKER = ".demo-corpus"
CROSS_SCOPE = ("late_publication", "continuity", "carry_over", "copied_report", "copied_from_peer", "sudden_change")


@dataclass
class Doc:
    agency: DemoAgency
    year: int
    printed_name: str
    fmt: str
    layout: str
    t2: dict
    t3: dict
    t4: dict
    narrative: dict
    review_prose: int
    litigation_prose: int
    publish_date: str
    picks: dict
    defects: list[dict] = field(default_factory=list)
    expected: dict[str, str] = field(default_factory=dict)  # rule -> why it must fire
    path: str = ""


@dataclass
class CorpusSummary:
    out: str
    agencies: int
    documents: int
    years: list[int]
    by_format: dict[str, int]
    by_layout: dict[str, int]
    defects: dict[str, int]


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _deadline(ag: DemoAgency, year: int) -> date:
    """The deadline the warehouse will apply: kind from the registry, level from the region."""
    p = gazetteer().placement(ag.region_code)
    return deadline(year, ag.kind, level_of(p.province, p.city, p.county, ag.kind, ag.name))


def _publish(rng: random.Random, ag: DemoAgency, year: int, pub: dict, late: bool) -> str:
    dl = _deadline(ag, year)
    if late:
        days = rng.choices(pub["late_days"], weights=pub["late_weights"])[0]
        return (dl + timedelta(days=days)).isoformat()
    days = rng.choices(pub["on_time_days_before"], weights=pub["on_time_weights"])[0]
    return max(date(year + 1, 1, 2), dl - timedelta(days=days)).isoformat()


def _as_printed(f: YearFigures, fmt: str) -> tuple[dict, dict]:
    """What each format prints of the true figures (the 2019 format has no repeal count, no
    fee amount, and one merged 其他处理 row)."""
    t2 = dict(f.t2)
    t3 = copy.deepcopy(f.t3)
    if fmt == "2019":
        t2["regulations_repealed"] = t2["normative_repealed"] = t2["fees_wan"] = None
        for col in T3_COLUMN_KEYS:
            t3["other_other"][col] = sum(t3[r][col] for r in ("other_no_correction", "other_no_fee", "other_other"))
            t3["other_no_correction"][col] = t3["other_no_fee"][col] = None
    return t2, t3


def _inject(rng: random.Random, d: Doc, rates: dict, prev: Doc | None) -> None:
    """Defects of one document, each recorded with the rules that must find it."""

    def hit(name: str) -> bool:
        return rng.random() < rates[name]

    if hit("broken_t3_balance") and d.t3["carried_forward"]["natural_person"] is not None:
        k = rng.randint(1, 4)
        d.t3["carried_forward"]["natural_person"] += k
        d.t3["carried_forward"]["total"] += k
        d.defects.append(
            {
                "kind": "broken_t3_balance",
                "cells": ["t3.carried_forward.natural_person", "t3.carried_forward.total"],
                "delta": k,
            }
        )
        d.expected["t3_balance"] = "broken_t3_balance"
    if hit("wrong_row_total"):
        k = rng.randint(1, 3)
        d.t3["granted"]["total"] += k
        d.defects.append({"kind": "wrong_row_total", "cells": ["t3.granted.total"], "delta": k})
        d.expected["t3_row_sum"] = d.expected["t3_outcome_sum"] = "wrong_row_total"
    if hit("wrong_t4_total"):
        k = rng.randint(1, 2)
        d.t4["review_total"] += k
        d.defects.append({"kind": "wrong_t4_total", "cells": ["t4.review_total"], "delta": k})
        d.expected["t4_group_sum"] = "wrong_t4_total"
        d.expected["narrative_cases_vs_t4"] = "wrong_t4_total (the prose states the true count)"
    peer_copy = any(x["kind"] == "copied_from_peer" for x in d.defects)
    if hit("narrative_mismatch") and not peer_copy:  # would change a sentence of the copied text
        k = rng.randint(1, 5)
        d.narrative["applications_received_text"] += k
        d.defects.append({"kind": "narrative_mismatch", "field": "narrative.applications_received_text", "delta": k})
        d.expected["narrative_vs_table"] = "narrative_mismatch"
    prev_break = prev is not None and any(x["kind"] == "continuity_break" for x in prev.defects)
    if hit("continuity_break") and d.fmt == "2021" and not prev_break:  # two breaks in a row could cancel
        k = rng.randint(1, 6)
        d.t2["normative_valid"] += k
        d.defects.append({"kind": "continuity_break", "cells": ["t2.normative_valid"], "delta": k})
        if prev is not None and prev.fmt == "2021":
            d.expected["continuity"] = "continuity_break"
    if hit("blank_cells"):
        # blanks never touch a row or column another defect changed (a blank would hide it)
        touched = {c for x in d.defects for c in x.get("cells", []) if c.startswith("t3.")}
        rows_hit = {c.split(".")[1] for c in touched}
        cols_hit = {c.split(".")[2] for c in touched}
        zeros = [
            (r, col)
            for r in T3_ROW_KEYS
            for col in T3_COLUMN_KEYS
            if d.t3[r][col] == 0
            and col != "total"
            and col not in cols_hit
            and r not in rows_hit
            and r not in ("total_processed", "new_received", "carried_over", "carried_forward")
        ]
        chosen = rng.sample(zeros, min(len(zeros), rng.randint(2, 6)))
        for r, col in chosen:
            d.t3[r][col] = None
        if chosen:
            d.defects.append({"kind": "blank_cells", "cells": [f"t3.{r}.{col}" for r, col in chosen]})
            d.expected["blank_cells"] = "blank_cells"
    if hit("copied_text") and prev is not None and not peer_copy:
        d.picks = prev.picks
        d.defects.append({"kind": "copied_text", "from_year": prev.year})
        d.expected["copied_report"] = "copied_text"


SLOW_LAYOUTS = ("docx", "pdf")  # python-docx and Chromium: most of the corpus's writing time


def generate(
    out: Path, seed: int = 7, scale: str = "default", recipe: dict | None = None, first: int = 0
) -> CorpusSummary:
    """The corpus. `first` = N > 0 writes only a quick first part of it: every N-th agency (and
    only those in the registry), only its text and web-page documents — exactly the files the whole
    corpus has there, so a later run without `first` writes the same bytes again and the rest."""
    recipe = recipe or recipe_mod.load()
    rng = random.Random(seed)
    agencies = build(recipe, scale, rng)
    years = recipe["scale"][scale]["years"]
    rates = recipe["defects"]
    layouts = recipe["layouts"]
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("generated by python -m etl demo-corpus; not real reports\n", encoding="utf-8")
    docs_dir, truth_dir = out / "docs", out / "truth"
    docs_dir.mkdir(exist_ok=True)
    truth_dir.mkdir(exist_ok=True)
    by_format: dict[str, int] = {}
    by_layout: dict[str, int] = {}
    defects: dict[str, int] = {}
    registry = []
    printer = PdfPrinter().__enter__() if layouts.get("pdf") and not first else PdfPrinter()
    try:
        _agencies(
            agencies,
            recipe,
            seed,
            years,
            rates,
            layouts,
            truth_dir,
            docs_dir,
            printer,
            registry,
            by_format,
            by_layout,
            defects,
            counter := [0],
            peers := {},
            first,
        )
    finally:
        printer.close()
    _peer_truth(peers, truth_dir, defects)
    if not first:
        _scans(out, recipe["scale"][scale].get("scans", 0), random.Random(seed + 1), by_layout)
    n_docs = counter[0]
    with (out / "registry.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["name", "region_code", "kind", "aliases"])
        w.writeheader()
        w.writerows(registry)
    summary = CorpusSummary(str(out), len(registry), n_docs, years, by_format, by_layout, defects)
    (out / "summary.json").write_text(json.dumps(summary.__dict__, ensure_ascii=False, indent=1), encoding="utf-8")
    return summary


def _agencies(
    agencies,
    recipe,
    seed,
    years,
    rates,
    layouts,
    truth_dir,
    docs_dir,
    printer,
    registry,
    by_format,
    by_layout,
    defects,
    counter,
    peers,
    first=0,
) -> None:
    for i, ag in enumerate(agencies):
        if first and i % first:
            continue  # each agency draws from its own generator: leaving one out changes no other
        arng = random.Random(f"{seed}:{i}")
        level = recipe["levels"][ag.level_key]
        big = ag.level_key in ("province_government", "city_government")
        st: AgencyState = start(arng, level, recipe["dynamics"], big)
        has_fees = ag.kind == "government" and level["fees_wan"][2] > 0
        responds = arng.random() < 0.5
        registry.append({"name": ag.name, "region_code": ag.region_code, "kind": ag.kind, "aliases": ag.variant or ""})
        prev: Doc | None = None
        for t, year in enumerate(years):
            fig = year_figures(arng, st, t, year, recipe["dynamics"], recipe["outcomes"], big, has_fees, responds)
            if arng.random() < rates["missing_report"]:
                defects["missing_report"] = defects.get("missing_report", 0) + 1
                (truth_dir / f"{i:05d}-{year}.missing.json").write_text(
                    json.dumps(
                        {
                            "agency": ag.name,
                            "year": year,
                            "defects": [{"kind": "missing_report"}],
                            "expected": {"missing_report": "missing_report"},
                        },
                        ensure_ascii=False,
                    ),
                    encoding="utf-8",
                )
                prev = None
                continue
            fmt = "2021" if year >= recipe["format_2021_from"] else "2019"
            late_adopter = fmt == "2021" and arng.random() < rates["format_2019_after_2021"]
            if late_adopter:
                fmt = "2019"
            t2, t3 = _as_printed(fig, fmt)
            late = arng.random() < rates["late_publication"]
            name = ag.variant if ag.variant and arng.random() < 0.3 else ag.name
            d = Doc(
                ag,
                year,
                name,
                fmt,
                _pick(arng, layouts),
                t2,
                t3,
                dict(fig.t4),
                dict(fig.narrative),
                fig.review_prose,
                fig.litigation_prose,
                _publish(arng, ag, year, recipe["publication"], late),
                prose.picks(arng),
            )
            group = peers.setdefault((ag.region_code, year), [])
            # 雷同: the report of another agency of the same region and year with the name changed (and
            # this agency's own numbers: only a report whose sentences the numbers do not change is taken)
            others = [x for x in group if x[0] != i and x[3] == _shape(d)]
            if arng.random() < rates["copied_from_peer"] and others:
                d.picks = arng.choice(others)[2]
                d.defects.append({"kind": "copied_from_peer"})
            if fmt == "2019":
                d.expected["t3_other_merged"] = "the 2019 format prints 其他处理 as one row (info)"
            if late_adopter:
                d.defects.append({"kind": "format_2019_after_2021"})
                d.expected["format_2019_after_2021"] = "format_2019_after_2021"
            if late:
                d.defects.append({"kind": "late_publication", "publish_date": d.publish_date})
                d.expected["late_publication"] = "late_publication"
            _inject(arng, d, rates, prev)
            if prev is not None and any(x["kind"] == "broken_t3_balance" for x in prev.defects):
                d.expected["carry_over"] = "broken_t3_balance in the year before"
            if prev is not None and any(x["kind"] == "continuity_break" for x in prev.defects) and d.fmt == "2021":
                d.expected["continuity"] = "continuity_break in the year before"
            docs = [d]
            if arng.random() < rates["duplicate_file"]:
                dup = copy.copy(d)
                dup.layout = "text_pipe" if d.layout != "text_pipe" else "html_plain"
                dup.publish_date = (date.fromisoformat(d.publish_date) - timedelta(days=arng.randint(1, 5))).isoformat()
                # checks across reports leave out the file that is not kept
                dup.expected = {k: v for k, v in d.expected.items() if k not in CROSS_SCOPE}
                dup.expected["duplicate_report"] = "duplicate_file (the earlier of two files)"
                dup.defects = d.defects + [{"kind": "duplicate_file"}]
                docs.append(dup)
            group.append((i, f"{i:05d}-{year}", d.picks, _shape(d)))  # the kept document (not a duplicate file)
            for k, doc in enumerate(docs):
                stem = f"{i:05d}-{year}" + (f"-{k}" if k else "")
                if not _write(doc, docs_dir, truth_dir, stem, arng, printer, skip_slow=bool(first)):
                    continue
                counter[0] += 1
                by_format[doc.fmt] = by_format.get(doc.fmt, 0) + 1
                by_layout[doc.layout] = by_layout.get(doc.layout, 0) + 1
                for x in doc.defects:
                    defects[x["kind"]] = defects.get(x["kind"], 0) + 1
            prev = d


def _shape(d: Doc) -> tuple[bool, bool, bool]:
    """Which of the sentences that depend on the numbers a report prints (prose.sections): with or
    without applications, cases, responses to concerns."""
    n = d.narrative
    return (
        bool(n["applications_received_text"]),
        bool(d.review_prose or d.litigation_prose),
        "responses_to_concerns" in n,
    )


def _peer_truth(peers: dict, truth_dir: Path, defects: dict[str, int]) -> None:
    """The ground truth of copying between agencies, from how the documents were made: two kept
    documents of one region and year written from the same sentences (a copy injected, or a copy of
    last year's text that another agency had copied) must both be found, each naming the other."""
    for group in peers.values():
        by_text: dict[str, list[tuple[int, str]]] = {}
        for i, stem, picks, shape in group:
            if not (truth_dir / f"{stem}.json").exists():
                continue  # left out of a first part (`first`): its pair is not a pair in this corpus
            key = json.dumps([picks, shape], ensure_ascii=False, sort_keys=True)
            by_text.setdefault(key, []).append((i, stem))
        for same in by_text.values():
            if len({i for i, _ in same}) < 2:
                continue
            for i, stem in same:
                path = truth_dir / f"{stem}.json"
                t = json.loads(path.read_text(encoding="utf-8"))
                t["expected"]["copied_from_peer"] = "same sentences as " + ", ".join(s for j, s in same if j != i)
                path.write_text(json.dumps(t, ensure_ascii=False), encoding="utf-8")
                defects["copied_from_peer_pair_member"] = defects.get("copied_from_peer_pair_member", 0) + 1


def _scans(out: Path, n: int, rng: random.Random, by_layout: dict[str, int]) -> None:
    """A handful of the printed PDFs turned into scans (pictures of their pages, no text layer),
    so that the pipeline and the dashboard see reports read by OCR."""
    truths = []
    for tf in sorted((out / "truth").glob("*.json")):
        t = json.loads(tf.read_text(encoding="utf-8"))
        if t.get("layout") == "pdf":
            truths.append((tf, t))
    for tf, t in rng.sample(truths, min(n, len(truths))):
        path = out / t["file"]
        path.write_bytes(scan_pdf(path.read_bytes()))
        t["layout"] = "scan"
        tf.write_text(json.dumps(t, ensure_ascii=False), encoding="utf-8")
        by_layout["pdf"] -= 1
        by_layout["scan"] = by_layout.get("scan", 0) + 1


PDF_FIRST_LINE = "当前位置"  # html_plain's breadcrumb opens every printed report


def _write(
    d: Doc,
    docs_dir: Path,
    truth_dir: Path,
    stem: str,
    rng: random.Random,
    printer: PdfPrinter,
    skip_slow: bool = False,
) -> bool:
    """Write the document and its truth; False when skipped (`skip_slow` and a DOCX or PDF), having
    drawn from `rng` exactly what writing it would have (the DOCX and PDF renderers draw nothing)."""
    if skip_slow and d.layout in SLOW_LAYOUTS:
        if d.layout != "pdf":
            rng.random()  # the blank-cell draw below
        return False
    if d.layout == "pdf" and not printer.available:
        d.layout = "html_plain"  # no browser to print with: the report stays a web page
    render, ext = LAYOUTS[d.layout]
    sections = prose.sections(d.printed_name, d.year, d.picks, d.narrative, d.review_prose, d.litigation_prose)
    # an empty cell leaves no trace in a PDF's text: printed PDFs mark blanks with "/"
    blank = "/" if d.layout == "pdf" or rng.random() < 0.5 else ""
    printed = Printed(
        d.printed_name, d.year, d.fmt, d.t2, d.t3, d.t4, sections, d.publish_date, address(d.agency), blank
    )
    sub = docs_dir / d.agency.region_code[:2]
    sub.mkdir(exist_ok=True)
    path = sub / f"{stem}{ext}"
    body = render(printed, rng)
    if d.layout == "pdf":
        printer.queue(path, body, PDF_FIRST_LINE)
    elif isinstance(body, bytes):
        path.write_bytes(body)
    else:
        path.write_text(body, encoding="utf-8")
    p = gazetteer().placement(d.agency.region_code)
    truth = {
        "file": str(path.relative_to(docs_dir.parent)),
        "agency": d.agency.name,
        "printed_name": d.printed_name,
        "year": d.year,
        "format_version": d.fmt,
        "layout": d.layout,
        "publish_date": d.publish_date,
        "province": p.province,
        "city": p.city,
        "county": p.county,
        "t2": d.t2,
        "t3": d.t3,
        "t4": d.t4,
        "narrative": d.narrative,
        "defects": d.defects,
        "expected": d.expected,
    }
    (truth_dir / f"{stem}.json").write_text(json.dumps(truth, ensure_ascii=False), encoding="utf-8")
    return True
