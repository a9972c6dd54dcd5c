"""Boundary files an attacker or an unlucky operator might bring (issue #21, item 8): polygons that
cross themselves, files too big to draw, and property values too long to echo."""

from __future__ import annotations

import json
import math

import pytest
from sqlmodel import Session

from models.boundaries import (
    ECHO_MAX_CHARS,
    MAX_FILE_BYTES,
    MAX_POSITIONS,
    BoundaryError,
    check_geometry,
    import_boundaries,
    match_features,
    read_geojson,
)
from models.enums import TownshipKind
from models.tables import Township

SQUARE = [[126.4, 43.7], [126.5, 43.7], [126.5, 43.8], [126.4, 43.8], [126.4, 43.7]]
#: the corners of the square visited in the wrong order: the two long edges cross in the middle
BOWTIE = [[126.4, 43.7], [126.5, 43.8], [126.5, 43.7], [126.4, 43.8], [126.4, 43.7]]


def polygon(*rings) -> dict:
    return {"type": "Polygon", "coordinates": [list(r) for r in rings]}


def feature(geometry, **props) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def collection(*features) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}, ensure_ascii=False)


def circle(n: int, lon: float = 126.45, lat: float = 43.75, r: float = 0.05) -> list[list[float]]:
    """A closed ring of ``n`` distinct points on a circle (a valid, simple ring)."""
    ring = [[lon + r * math.cos(2 * math.pi * k / n), lat + r * math.sin(2 * math.pi * k / n)] for k in range(n)]
    return ring + [ring[0]]


@pytest.fixture
def towns(sqlite_engine):
    with Session(sqlite_engine) as s:
        s.add(Township(code="YB", name="越北镇", kind=TownshipKind.TOWN, sort_order=0))
        s.add(Township(code="QL", name="青岚街道", kind=TownshipKind.SUBDISTRICT, sort_order=1))
        s.commit()
    return sqlite_engine


def stored(engine) -> dict[str, str | None]:
    with engine.connect() as conn:
        return dict(conn.exec_driver_sql("SELECT code, boundary_geojson FROM township").all())


# --------------------------------------------------------------------------- self-intersection


@pytest.mark.parametrize(
    ("geometry", "expected"),
    [
        (polygon(BOWTIE), ["第 1 个环自相交", "ring 1 crosses itself"]),
        # a figure eight that pinches at one vertex (touching itself is not a simple ring either)
        (polygon([[0, 0], [2, 0], [1, 1], [2, 2], [0, 2], [1, 1], [0, 0]]), ["第 1 个环自相交"]),
        # a spike: the boundary runs out along a line and back on itself
        (polygon([[0, 0], [2, 0], [2, 2], [2, 3], [2, 2], [0, 2], [0, 0]]), ["第 1 个环自相交"]),
        # the hole of the second polygon crosses itself
        ({"type": "MultiPolygon", "coordinates": [[SQUARE], [SQUARE, BOWTIE]]},
         ["第 2 个多边形第 2 个环自相交", "polygon 2, ring 2 crosses itself"]),
        # all points on one line: no area
        (polygon([[0, 0], [1, 0], [2, 0], [0, 0]]), ["第 1 个环"]),
    ],
)
def test_a_ring_that_crosses_itself_is_invalid(geometry, expected):
    reason = check_geometry(geometry)
    assert reason is not None
    for part in expected:
        assert part in reason
    assert "\n" not in reason


def test_the_reason_names_the_crossing_edges():
    reason = check_geometry(polygon(BOWTIE))
    # edge 1 (point 1 → 2) crosses edge 3 (point 3 → 4)
    assert "第 1–2 个点" in reason and "第 3–4 个点" in reason


@pytest.mark.parametrize(
    "ring",
    [
        SQUARE,
        [[0, 0], [1, 0], [1, 0], [1, 1], [0, 0]],  # a repeated point is not a crossing
        [[0, 0], [1, 0], [2, 0], [2, 1], [0, 0]],  # nor a point in the middle of a straight edge
        [[0, 0], [4, 0], [4, 4], [3, 4], [3, 1], [1, 1], [1, 4], [0, 4], [0, 0]],  # concave (a U)
        circle(2_000),
    ],
)
def test_simple_rings_pass(ring):
    assert check_geometry(polygon(ring)) is None


def test_a_large_crossing_ring_is_found_quickly():
    """A ring of 50,000 points whose last edges cut back across the first ones."""
    import time

    ring = circle(50_000)[:-1]
    ring += [[126.45, 43.60], ring[0]]  # from the last point down past the circle's bottom and back
    t0 = time.perf_counter()
    reason = check_geometry(polygon(ring))
    assert reason is not None and "自相交" in reason
    assert check_geometry(polygon(circle(50_000))) is None
    assert time.perf_counter() - t0 < 20


def test_strict_import_refuses_a_self_intersecting_polygon(towns):
    text = collection(feature(polygon(SQUARE), code="YB"), feature(polygon(BOWTIE), code="QL"))
    report = import_boundaries(towns, text, strict=True)
    assert report.status == "refused" and stored(towns) == {"YB": None, "QL": None}
    assert [(u.index, u.problem, u.township_code) for u in report.unmatched] == [(2, "invalid_geometry", "QL")]
    assert "自相交" in report.unmatched[0].reason
    report = import_boundaries(towns, text)  # without --strict the valid one is stored, the bowtie is not
    assert report.status == "stored"
    after = stored(towns)
    assert after["YB"] is not None and after["QL"] is None


# --------------------------------------------------------------------------- size limits


def test_the_limits_are_sensible():
    assert 10_000 <= MAX_POSITIONS <= 200_000
    assert 1_000_000 <= MAX_FILE_BYTES <= 20_000_000


def test_a_file_with_too_many_positions_is_refused_and_says_the_limit(towns):
    n = MAX_POSITIONS + 1
    text = collection(feature(polygon(circle(n - 1)), code="YB"))  # n positions with the closing one
    with pytest.raises(BoundaryError) as info:
        import_boundaries(towns, text)
    message = str(info.value)
    assert f"{n:,}" in message and f"{MAX_POSITIONS:,}" in message
    assert "简化" in message and "simplify" in message and "未写入" in message
    assert stored(towns) == {"YB": None, "QL": None}


def test_positions_are_counted_over_the_whole_file(towns):
    per = MAX_POSITIONS // 2 + 1
    text = collection(feature(polygon(circle(per - 1)), code="YB"), feature(polygon(circle(per - 1)), code="QL"))
    with pytest.raises(BoundaryError):
        read_geojson(text)
    assert stored(towns) == {"YB": None, "QL": None}


def test_a_file_at_the_position_limit_is_accepted(towns):
    text = collection(feature(polygon(circle(MAX_POSITIONS - 1)), code="YB"))
    assert import_boundaries(towns, text).status == "stored"


def test_a_file_above_the_byte_limit_is_refused_before_it_is_parsed():
    text = '{"type": "FeatureCollection", "features": []' + " " * MAX_FILE_BYTES + "}"
    with pytest.raises(BoundaryError) as info:
        read_geojson(text)
    message = str(info.value)
    assert "MB" in message and "上限" in message and "limit" in message
    assert "features" not in message  # refused on its size, not on its content


# --------------------------------------------------------------------------- echoes


def test_a_megabyte_property_is_not_echoed_whole():
    huge = "镇" * 1_000_000
    report = match_features(read_geojson(collection(feature(polygon(SQUARE), name=huge, code="X" * 1_000_000))),
                            [(1, "YB", "越北镇")])
    assert report.unmatched and report.unmatched[0].problem == "no_match"
    assert len(report.unmatched[0].name) <= ECHO_MAX_CHARS + 1 and report.unmatched[0].name.endswith("…")
    lines = report.summary_lines() + report.summary_lines("en")
    assert max(len(line) for line in lines) < 400


@pytest.mark.parametrize(
    "geometry",
    [
        {"type": "x" * 1_000_000, "coordinates": []},
        polygon([["x" * 1_000_000, 43.7]] + SQUARE[1:]),
    ],
)
def test_a_megabyte_value_in_a_geometry_is_not_echoed_whole(geometry):
    reason = check_geometry(geometry)
    assert reason is not None and len(reason) < 400 and "…" in reason


def test_a_megabyte_type_at_the_top_level_is_not_echoed_whole():
    with pytest.raises(BoundaryError) as info:
        read_geojson(json.dumps({"type": "y" * 1_000_000}))
    assert len(str(info.value)) < 400
    with pytest.raises(BoundaryError) as info:
        read_geojson(json.dumps({"type": "FeatureCollection", "features": [{"type": "z" * 1_000_000}]}))
    assert len(str(info.value)) < 400
