"""Agencies of the demo corpus, named as agencies really write their names, placed on real
administrative divisions from the gazetteer (data/regions.csv)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from etl.extract.places import gazetteer

MUNICIPALITIES = ("11", "12", "31", "50")


@dataclass(frozen=True)
class DemoAgency:
    name: str
    kind: str  # government / department / township
    level_key: str  # key of [levels.*] in the recipe
    region_code: str
    enforcing: bool
    variant: str | None = None  # another way the agency prints its name in some years


def _province_dept(prov_name: str, dept: str, code: str) -> str:
    if code[:2] in MUNICIPALITIES:
        dept = {"教育厅": "教育委员会"}.get(dept, dept.replace("厅", "局"))
    return prov_name + dept


def build(recipe: dict, scale: str, rng: random.Random) -> list[DemoAgency]:
    cfg = recipe["scale"][scale]
    g = gazetteer()
    regions = list(g.by_code.values())
    provinces = [r for r in regions if r.level == "province" and r.code[:2] not in ("71", "81", "82")]
    if cfg["provinces"] < len(provinces):
        # keep 江西 (the province in full depth) and a sample of the others
        others = [p for p in provinces if p.code != "360000"]
        provinces = [g.by_code["360000"]] + rng.sample(others, cfg["provinces"] - 1)
    enforcing = tuple(recipe["enforcing"])
    out: list[DemoAgency] = []
    for prov in sorted(provinces, key=lambda r: r.code):
        out.append(
            DemoAgency(
                prov.name + "人民政府",
                "government",
                "province_government",
                prov.code,
                False,
                prov.name + "人民政府办公厅",
            )
        )
        for dept in recipe["province_departments"][: cfg["province_departments"]]:
            out.append(
                DemoAgency(
                    _province_dept(prov.name, dept, prov.code),
                    "department",
                    "province_department",
                    prov.code,
                    any(e in dept for e in enforcing),
                )
            )
        if prov.code[:2] in MUNICIPALITIES:
            continue
        cities = sorted((r for r in regions if r.level == "city" and r.parent_code == prov.code), key=lambda r: r.code)
        for city in cities[: cfg["cities_per_province"]]:
            out.append(
                DemoAgency(
                    city.name + "人民政府",
                    "government",
                    "city_government",
                    city.code,
                    False,
                    city.name + "人民政府办公室",
                )
            )
    # 江西省 in full depth: every city's and county's departments, and some townships
    jx_cities = sorted((r for r in regions if r.level == "city" and r.parent_code == "360000"), key=lambda r: r.code)
    depts = recipe["county_departments"][: cfg["county_departments"]]
    n_counties = 0
    for city in jx_cities:
        for dept in depts:
            out.append(
                DemoAgency(
                    city.name + dept,
                    "department",
                    "city_department",
                    city.code,
                    any(e in dept for e in enforcing),
                )
            )
        counties = sorted(
            (r for r in regions if r.level == "county" and r.parent_code == city.code), key=lambda r: r.code
        )
        for county in counties:
            if n_counties >= cfg["jiangxi_counties"]:
                break
            n_counties += 1
            prefix = city.name + county.name
            out.append(
                DemoAgency(
                    county.name + "人民政府",
                    "government",
                    "county_government",
                    county.code,
                    False,
                    county.name + "人民政府办公室",
                )
            )
            for dept in depts:
                out.append(
                    DemoAgency(
                        prefix + dept,
                        "department",
                        "county_department",
                        county.code,
                        any(e in dept for e in enforcing),
                    )
                )
            towns = rng.sample(
                recipe["township_names"], min(cfg["townships_per_county"], len(recipe["township_names"]))
            )
            for t in towns:
                suffix = "镇人民政府" if rng.random() < 0.7 else "乡人民政府"
                out.append(DemoAgency(f"{county.name}{t}{suffix}", "township", "township", county.code, False))
    return out


def address(agency: DemoAgency) -> str:
    p = gazetteer().placement(agency.region_code)
    return "".join(x for x in (p.province, p.city, p.county) if x)
