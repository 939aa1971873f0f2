"""Agencies: which agency a report belongs to, its kind and its reporting deadline.

Name variants of one agency across years (whitespace, 中共/党政 prefixes, 办公厅 vs 办公室,
政府 vs 人民政府) share a normalised key. A registry (CSV) names the agencies a supervising
office expects reports from; a report whose agency is not in it is loaded and marked 未匹配."""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from etl.errors import EtlError
from etl.extract.places import gazetteer
from etl.registry.places import ZONE_WORDS

_GOV_OWN = re.compile(r"(人民政府|政府)(办公室|办公厅)?$|^.{2,12}(省|市|县|区|旗|州)$")
_TOWNSHIP = re.compile(r"(镇|乡|街道|街道办事处|办事处|苏木)(人民政府)?(党政办公室|办公室)?$")


@functools.lru_cache(maxsize=1 << 18)
def name_key(name: str) -> str:
    """The key under which variants of one agency's name meet (cached: an agency files every year)."""
    s = "".join((name or "").split())
    s = re.sub(r"^中共", "", s)
    s = s.replace("党政办公室", "办公室").replace("党政办", "办公室").replace("办公厅", "办公室")
    s = s.replace("人民政府", "政府")
    s = re.sub(r"[（）()“”\"'《》]", "", s)
    return s


def kind_of(name: str) -> str:
    n = "".join((name or "").split())
    if _TOWNSHIP.search(n):
        return "township"
    if ZONE_WORDS.search(n):
        return "other"
    if _GOV_OWN.search(n):
        return "government"
    return "department"


def level_of(province: str | None, city: str | None, county: str | None, kind: str, name: str) -> str:
    if kind == "township":
        return "township"
    if county:
        return "county"
    if city:
        return "city"
    if province:
        return "province"
    if re.match(r"^(国家|国务院|中华人民共和国)", name or ""):
        return "central"
    return "unknown"


def deadline(year: int, kind: str, level: str, township_deadline: tuple[int, int] = (1, 31)) -> date:
    """条例第四十九条: departments of governments at county level and above by 31 January; the
    government's own report by 31 March; townships by 31 January unless configured."""
    if kind == "government" and level in ("county", "city", "province", "central", "unknown"):
        return date(year + 1, 3, 31)
    if kind == "township":
        return date(year + 1, *township_deadline)
    return date(year + 1, 1, 31)


@dataclass(frozen=True)
class RegistryEntry:
    name: str
    aliases: tuple[str, ...]
    region_code: str | None
    kind: str
    column_url: str | None = None  # the agency's 政府信息公开年报 column page (python -m etl collect)


class RegistryError(EtlError):
    pass


def read_registry(path: str | Path) -> list[RegistryEntry]:
    """CSV with a header: name (or 机关名称), region_code or province/city/county, kind (optional),
    aliases (optional, separated by ; or |), column_url (optional: the 年报 column page to collect from)."""
    g = gazetteer()
    out = []
    try:
        rows = list(csv.DictReader(Path(path).open(encoding="utf-8-sig")))
    except OSError as exc:
        raise RegistryError(f"无法读取机关名录：{exc}", file=str(path)) from None
    for i, row in enumerate(rows, start=2):
        name = (row.get("name") or row.get("机关名称") or "").strip()
        if not name:
            raise RegistryError(f"机关名录第 {i} 行没有机关名称", file=str(path), location=f"第{i}行")
        code = (row.get("region_code") or row.get("行政区划代码") or "").strip() or None
        if code is None:
            names = [row.get(k, "").strip() for k in ("province", "city", "county") if row.get(k, "").strip()]
            if names:
                p = g.resolve([m for n in names for m in g.scan(n)])
                code = p.code
        aliases = tuple(
            a.strip() for a in re.split(r"[;；|]", row.get("aliases") or row.get("别名") or "") if a.strip()
        )
        kind = (row.get("kind") or row.get("类别") or "").strip() or kind_of(name)
        column_url = (row.get("column_url") or row.get("年报栏目") or "").strip() or None
        out.append(RegistryEntry(name, aliases, code, kind, column_url))
    return out


class Matcher:
    """Assigns agency ids: registry entries first, then agencies created from parsed names."""

    def __init__(self, registry: list[RegistryEntry] | None, existing: list[dict] | None = None) -> None:
        self.by_key: dict[str, int] = {}
        self.agencies: dict[int, dict] = {}
        self.by_region: dict[str, list[int]] = {}  # region code -> agency ids (for names printed without place)
        self.next_id = 1
        for a in existing or []:
            self.agencies[a["agency_id"]] = dict(a)
            self.next_id = max(self.next_id, a["agency_id"] + 1)
            if a.get("region_code"):
                self.by_region.setdefault(a["region_code"], []).append(a["agency_id"])
            self.by_key.setdefault(a["name_key"], a["agency_id"])
            for alias in (a.get("aliases") or "").split("；"):
                if alias:
                    self.by_key.setdefault(name_key(alias), a["agency_id"])
        for e in registry or []:
            key = name_key(e.name)
            if key in self.by_key:
                aid = self.by_key[key]
                self.agencies[aid].update(in_registry=True, match_status="名录匹配")
            else:
                aid = self._new(e.name, e.region_code, e.kind, in_registry=True, status="名录匹配")
            for alias in e.aliases:
                self.by_key.setdefault(name_key(alias), aid)
        self.has_registry = bool(registry)

    def _new(self, name: str, code: str | None, kind: str, in_registry: bool, status: str) -> int:
        aid = self.next_id
        self.next_id += 1
        if code:
            self.by_region.setdefault(code, []).append(aid)
        g = gazetteer()
        place = g.placement(code) if code and code in g.by_code else None
        prov, city, county = (place.province, place.city, place.county) if place else (None, None, None)
        self.agencies[aid] = {
            "agency_id": aid,
            "name": name,
            "name_key": name_key(name),
            "aliases": "",
            "region_code": code,
            "province": prov,
            "city": city,
            "county": county,
            "level": level_of(prov, city, county, kind, name),
            "kind": kind,
            "is_government_own": kind == "government",
            "in_registry": in_registry,
            "match_status": status,
        }
        self.by_key[name_key(name)] = aid
        return aid

    def match(self, printed: str | None, region_code: str | None) -> int:
        name = printed or "（未识别机关）"
        key = name_key(name)
        aid = self.by_key.get(key)
        if aid is None and region_code:
            # a name printed without its place ("县教育局") meets the registered agency of that place
            cands = [
                a
                for a in map(self.agencies.get, self.by_region.get(region_code, ()))
                if a["region_code"] == region_code and a["name_key"].endswith(key) and len(key) >= 3
            ]
            if len(cands) == 1:
                aid = cands[0]["agency_id"]
        if aid is None:
            status = "未匹配" if self.has_registry else "按解析名称建立"
            aid = self._new(name, region_code, kind_of(name), in_registry=False, status=status)
        a = self.agencies[aid]
        if printed and printed != a["name"] and printed not in a["aliases"].split("；"):
            a["aliases"] = "；".join(x for x in (a["aliases"], printed) if x)
        if a["region_code"] is None and region_code:
            fresh = self._placed(a, region_code)
            self.agencies[aid] = fresh
            if fresh["region_code"]:
                self.by_region.setdefault(fresh["region_code"], []).append(aid)
        return aid

    def _placed(self, a: dict, code: str) -> dict:
        g = gazetteer()
        if code not in g.by_code:
            return a
        p = g.placement(code)
        out = dict(a, region_code=code, province=p.province, city=p.city, county=p.county)
        out["level"] = level_of(p.province, p.city, p.county, a["kind"], a["name"])
        return out
