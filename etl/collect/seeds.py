"""The columns to walk: registry rows with a `column_url`, or a seeds file (one column URL a
line, optionally followed by the agency's name). A bad line is reported and skipped."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from etl.errors import EtlError
from etl.warehouse.agencies import read_registry


class SeedError(EtlError):
    """The seeds file cannot be read at all."""


@dataclass(frozen=True)
class Seed:
    column_url: str  # the agency's 政府信息公开年报 column page
    agency: str | None
    agency_kind: str | None = None
    region_code: str | None = None


@dataclass(frozen=True)
class Seeds:
    seeds: tuple[Seed, ...]
    skipped: tuple[str, ...]  # why lines or rows were left out, in Chinese


def valid_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in url


def from_registry(path: str | Path) -> Seeds:
    seeds, skipped, without = [], [], 0
    for e in read_registry(path):
        if not e.column_url:
            without += 1
        elif not valid_url(e.column_url):
            skipped.append(f"{e.name}：栏目地址“{e.column_url}”不是有效的网址，已跳过")
        else:
            seeds.append(Seed(e.column_url, e.name, e.kind, e.region_code))
    if without:
        skipped.append(f"名录中 {without} 个机关没有填写 column_url（年报栏目地址），未采集")
    return Seeds(_unique(seeds), tuple(skipped))


def from_file(path: str | Path) -> Seeds:
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise SeedError(f"无法读取网址列表（{getattr(exc, 'strerror', None) or exc}）", file=str(path)) from None
    seeds, skipped = [], []
    for i, line in enumerate(lines, start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 1)
        url, agency = parts[0], (parts[1].strip() if len(parts) > 1 else None) or None
        if valid_url(url):
            seeds.append(Seed(url, agency))
        else:
            skipped.append(f"网址列表第 {i} 行“{line[:60]}”不是有效的网址，已跳过")
    return Seeds(_unique(seeds), tuple(skipped))


def _unique(seeds: list[Seed]) -> tuple[Seed, ...]:
    seen: dict[tuple[str, str | None], Seed] = {}
    for s in seeds:
        seen.setdefault((s.column_url, s.agency), s)
    return tuple(seen.values())
