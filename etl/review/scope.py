"""An account's region scope: 全国, or a subtree of the gazetteer (data/regions.csv) written as a
path 省, 省/市 or 省/市/县 (a district of a municipality is 省/县, e.g. 北京市/东城区)."""

from __future__ import annotations

from dataclasses import dataclass

from etl.extract.places import gazetteer
from etl.review.errors import ScopeInvalid

NATIONAL = "全国"


@dataclass(frozen=True)
class Scope:
    """Names as the warehouse writes places (from the gazetteer), and the deepest region's code."""

    province: str | None = None
    city: str | None = None
    county: str | None = None
    code: str | None = None

    @property
    def national(self) -> bool:
        return self.province is None

    def contains(self, province: str | None, city: str | None, county: str | None) -> bool:
        """Whether a place lies inside this subtree. A place not known to the depth of the scope
        (a finding of an agency placed only in 江西省, for a scope 江西省/赣州市) lies outside."""
        if self.national:
            return True
        if province != self.province:
            return False
        if self.city is not None and city != self.city:
            return False
        return self.county is None or county == self.county

    def text(self) -> str:
        """The canonical form, as stored and as parse_scope reads it."""
        return "/".join(p for p in (self.province, self.city, self.county) if p) or NATIONAL

    def __str__(self) -> str:
        return self.text()


def parse_scope(text: str | None) -> Scope:
    """ "全国", "江西省", "江西省/赣州市", "江西省/赣州市/章贡区" (full names, each under the one before)."""
    text = (text or "").strip()
    if text in ("", NATIONAL):
        return Scope()
    parts = [p.strip() for p in text.replace("／", "/").split("/")]
    if any(not p for p in parts) or len(parts) > 3:
        raise ScopeInvalid(f"范围“{text}”格式不对：应为 全国、省、省/市 或 省/市/县，如“江西省/赣州市”")
    g = gazetteer()
    provinces = [c for c in g.full.get(parts[0], []) if g.by_code[c].level == "province"]
    if not provinces:
        raise ScopeInvalid(f"“{parts[0]}”不是省级行政区的全称（如“江西省”“广西壮族自治区”“北京市”）")
    code = provinces[0]
    for part in parts[1:]:
        children = [c for c in g.full.get(part, []) if g.by_code[c].parent_code == code]
        if not children:
            raise ScopeInvalid(f"“{g.by_code[code].name}”之下没有“{part}”（请写全称，如“赣州市”“章贡区”）")
        code = children[0]
    p = g.placement(code)
    return Scope(p.province, p.city, p.county, code)
