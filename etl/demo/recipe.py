"""Reading data/demo-recipe.toml, the one place that says what the demo corpus looks like."""

from __future__ import annotations

import tomllib
from pathlib import Path

RECIPE = Path(__file__).resolve().parents[2] / "data" / "demo-recipe.toml"


def load(path: Path = RECIPE) -> dict:
    with path.open("rb") as f:
        return tomllib.load(f)
