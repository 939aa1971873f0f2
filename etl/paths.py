"""Where the project's own files are: the data folder, the gazetteer and the default warehouse."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
REGIONS_CSV = DATA / "regions.csv"
DEFAULT_DB = DATA / "warehouse.duckdb"
