"""The labels a generated report prints: usually the format's own words, sometimes one of the
variants real reports print (data/label-variants.csv, through the field registry), typos and cut
headers included, so that reading the demo corpus exercises label matching and not only layout.

A report keeps its choices (the same agency prints the same way in its tables), and the choice
comes from the report's own name and year: it takes nothing from the generator's random stream."""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable

from etl.registry.fields import variant_notes, variants

RATE = 0.3  # share of labels printed as a variant

Chooser = Callable[[str, str, str], str]


def canonical(part: str, key: str, printed: str) -> str:
    return printed


def chooser(agency: str, year: int, fmt: str, rate: float = RATE) -> Chooser:
    """lab(part, key, the format's words) -> what this report prints there."""
    rng = random.Random(zlib.crc32(f"{agency}{year}".encode()))
    notes = variant_notes()
    chosen: dict[tuple[str, str], str] = {}

    def lab(part: str, key: str, printed: str) -> str:
        if (part, key) not in chosen:
            options = [
                v
                for v in variants().get((part, key), ())
                if v != printed and (fmt == "2019" or "2019" not in notes.get((part, key, v), ""))
            ]
            chosen[(part, key)] = rng.choice(options) if options and rng.random() < rate else printed
        return chosen[(part, key)]

    return lab
