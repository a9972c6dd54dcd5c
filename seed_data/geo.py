"""Schematic township boundaries for the demo district (clearly schematic: a jittered grid).

One polygon per township, non-overlapping: the cells of a grid share their corner points, and
inner corners are moved by less than a third of a cell, so neighbouring cells stay edge-to-edge.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

GEOJSON_PATH = Path(__file__).resolve().parent / "demo_townships.geojson"

# A made-up frame near 吉林市 (not real boundaries).
_WEST, _SOUTH, _CELL_W, _CELL_H = 126.40, 43.70, 0.09, 0.07


def schematic_boundaries(townships: list[tuple[str, str]], *, columns: int = 5, seed: int = 2002) -> dict:
    """A FeatureCollection with one Polygon per (code, name), laid out on a jittered grid."""
    rng = random.Random(seed)
    rows = -(-len(townships) // columns)
    corners: dict[tuple[int, int], tuple[float, float]] = {}
    for i in range(columns + 1):
        for j in range(rows + 1):
            inner = 0 < i < columns and 0 < j < rows
            dx = rng.uniform(-0.3, 0.3) * _CELL_W if inner else 0.0
            dy = rng.uniform(-0.3, 0.3) * _CELL_H if inner else 0.0
            corners[(i, j)] = (round(_WEST + i * _CELL_W + dx, 5), round(_SOUTH + j * _CELL_H + dy, 5))
    features = []
    for k, (code, name) in enumerate(townships):
        i, j = k % columns, rows - 1 - k // columns
        ring = [corners[(i, j)], corners[(i + 1, j)], corners[(i + 1, j + 1)], corners[(i, j + 1)], corners[(i, j)]]
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code, "name": name, "schematic": True},
                "geometry": {"type": "Polygon", "coordinates": [[list(p) for p in ring]]},
            }
        )
    return {
        "type": "FeatureCollection",
        "name": "demo_townships_schematic",
        "description": "示意边界，非真实行政区划 / schematic boundaries, not real administrative borders",
        "features": features,
    }


def load_demo_geojson() -> dict:
    return json.loads(GEOJSON_PATH.read_text(encoding="utf-8"))
