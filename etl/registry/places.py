"""Words about places and agencies, defined once: municipalities, agency kinds and levels, and the
words that name development zones and new areas."""

from __future__ import annotations

import re

# provincial-level cities: their districts are counties directly under the province (no city level)
MUNICIPALITY_CODES: tuple[str, ...] = ("11", "12", "31", "50")
MUNICIPALITY_NAMES: tuple[str, ...] = ("北京市", "天津市", "上海市", "重庆市")

# agency kinds: key -> (Chinese, English)
KINDS: dict[str, tuple[str, str]] = {
    "government": ("人民政府", "Governments"),
    "department": ("政府部门", "Departments"),
    "township": ("乡镇（街道）", "Townships and streets"),
    "other": ("其他（开发区、新区等）", "Other (zones, new areas)"),
}
LEVELS: dict[str, tuple[str, str]] = {
    "central": ("中央", "Central"),
    "province": ("省级", "Province"),
    "city": ("市级", "City"),
    "county": ("县级", "County"),
    "township": ("乡镇级", "Township"),
    "unknown": ("未识别", "Unknown"),
}

# development zones, new areas and their management committees: not a county of the gazetteer,
# they belong to the city they stand in
ZONE_WORDS = re.compile(r"开发区|新区|高新区|产业园|园区|管理委员会|管委会|试验区|实验区|示范区")


def kind_words(kind: str | None, lang: str = "zh") -> str:
    if kind is None:
        return "—"
    zh, en = KINDS.get(kind, (kind, kind))
    return zh if lang == "zh" else en
