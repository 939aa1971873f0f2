"""Score the parser on the labelled real reports in tests/fixtures/real/: dev and hold-out side by side.

    python bench/score_real.py [--show dev] [--json OUT] [--batch PREFIX]

Each report NAME.txt/.html has NAME.expected.json (tests/fixtures/real/LABELLING.md). Every labelled
value is counted as right, missed (we gave NULL where the report states a value: allowed, if a
finding says so) or WRONG (we gave a different number, or a number where the report states none).
Places: a wrong province or city is worse than none. `--show dev` lists the dev set's misses and
wrong values; the hold-out set's are never printed (it is measured, not read)."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from etl.extract.report_json import to_json  # noqa: E402
from etl.pipeline import parse_path  # noqa: E402

REAL = ROOT / "tests" / "fixtures" / "real"
SPLITS = ("dev", "holdout")
PROSE_KEYS = (
    "info_published_total",
    "policy_interpretations",
    "responses_to_concerns",
    "applications_received_text",
    "processing_fee_yuan",
)


@dataclass
class Tally:
    right: int = 0
    missed: int = 0
    wrong: int = 0
    notes: list[str] = field(default_factory=list)

    def add(self, name: str, what: str, want, got) -> None:
        if _eq(want, got):
            self.right += 1
        elif got is None:
            self.missed += 1
            self.notes.append(f"{name} {what}: NULL, labelled {want!r}")
        else:
            self.wrong += 1
            self.notes.append(f"{name} {what}: WRONG {got!r}, labelled {want!r}")

    @property
    def total(self) -> int:
        return self.right + self.missed + self.wrong

    def pct(self) -> str:
        return f"{100 * self.right / self.total:.1f}%" if self.total else "—"


def _eq(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, str) or isinstance(b, str):
        return "".join(str(a).split()) == "".join(str(b).split())
    return abs(float(a) - float(b)) < 1e-6


def _agency_ok(want: str, got: str | None) -> bool:
    want, got = "".join(want.split()), "".join((got or "").split())
    if not got:
        return False
    short, long_ = sorted((want, got), key=len)
    return want == got or (short in long_ and len(short) / len(long_) >= 0.5)


def cases(split: str) -> list[tuple[Path, Path]]:
    out = []
    for exp in sorted((REAL / split).glob("*.expected.json")):
        stem = exp.name[: -len(".expected.json")]
        src = [p for p in exp.parent.glob(stem + ".*") if not p.name.endswith(".json")]
        if src:
            out.append((src[0], exp))
    return out


def score(split: str, batch: str | None = None) -> dict[str, Tally | Counter]:
    """batch: only the reports whose name starts with it (e.g. "xc-"): aggregates of a batch."""
    t = {k: Tally() for k in ("prose", "cells", "places", "agency", "year")}
    t.update({f"prose.{k}": Tally() for k in PROSE_KEYS})
    kinds: Counter = Counter()
    for src, exp in cases(split):
        if batch and not src.name.startswith(batch):
            continue
        lab = json.loads(exp.read_text(encoding="utf-8"))
        outcome = parse_path(str(src))
        got = to_json(outcome.report) if outcome.report else {}
        name = src.name
        complete = "t4" in lab and len(lab.get("t3") or {}) >= 20
        kinds["complete" if complete else "excerpt"] += 1
        for k in PROSE_KEYS:
            if k in (lab.get("narrative") or {}):
                g = (got.get("narrative") or {}).get(k)
                t["prose"].add(name, f"narrative.{k}", lab["narrative"][k], g["value"] if g else None)
                t[f"prose.{k}"].add(name, f"narrative.{k}", lab["narrative"][k], g["value"] if g else None)
        if complete:
            for k, v in lab["t2"].items():
                t["cells"].add(name, f"t2.{k}", v, (got.get("t2") or {}).get(k))
            for row, cols in lab["t3"].items():
                for col, v in cols.items():
                    t["cells"].add(name, f"t3.{row}.{col}", v, ((got.get("t3") or {}).get(row) or {}).get(col))
            for k, v in lab["t4"].items():
                t["cells"].add(name, f"t4.{k}", v, (got.get("t4") or {}).get(k))
        for k in ("province", "city", "county"):
            if k in lab:
                want, have = lab[k], got.get(k)
                if want is None and have is not None and k == "county":
                    continue  # a county for an agency labelled without one is checked by its city
                t["places"].add(name, k, want, have)
        if lab.get("agency"):
            ok = _agency_ok(lab["agency"], got.get("agency"))
            t["agency"].add(name, "agency", True, True if ok else (None if not got.get("agency") else got["agency"]))
        if lab.get("year") is not None:
            t["year"].add(name, "year", lab["year"], got.get("year"))
    return {**t, "kinds": kinds}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--show", choices=("dev",), help="list the dev set's misses and wrong values")
    ap.add_argument("--json", help="write the numbers to this file")
    ap.add_argument("--batch", help="only reports whose name starts with this (aggregates of one batch)")
    args = ap.parse_args()
    results = {s: score(s, args.batch) for s in SPLITS}
    print("| what | dev right | dev NULL | dev WRONG | hold-out right | hold-out NULL | hold-out WRONG |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for k in ("prose", *(f"prose.{k}" for k in PROSE_KEYS), "cells", "places", "agency", "year"):
        d, h = results["dev"][k], results["holdout"][k]
        print(
            f"| {k} | {d.pct()} ({d.right}/{d.total}) | {d.missed} | {d.wrong} | "
            f"{h.pct()} ({h.right}/{h.total}) | {h.missed} | {h.wrong} |"
        )
    for s in SPLITS:
        kinds = results[s]["kinds"]
        print(f"{s}: {sum(kinds.values())} reports ({kinds['excerpt']} excerpts, {kinds['complete']} complete)")
    if args.show == "dev":
        for k in ("prose", "cells", "places", "agency", "year"):
            for note in results["dev"][k].notes:
                print(note)
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    s: {
                        k: {"right": v.right, "null": v.missed, "wrong": v.wrong}
                        for k, v in r.items()
                        if isinstance(v, Tally)
                    }
                    for s, r in results.items()
                },
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
