"""Reading data/demo-recipe.toml, the one place that says what the demo corpus looks like."""

from __future__ import annotations

import tomllib
from pathlib import Path

from etl.paths import DATA

RECIPE = DATA / "demo-recipe.toml"


def load(path: Path = RECIPE) -> dict:
    with path.open("rb") as f:
        return tomllib.load(f)
