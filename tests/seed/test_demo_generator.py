"""The demo generator is deterministic, consistent and writes atomically."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from seed_data.demo import DemoError, build_demo, write_demo
from seed_data.geo import GEOJSON_PATH, schematic_boundaries, load_demo_geojson
from seed_data.demo import TOWNSHIPS

TODAY = dt.date(2026, 11, 24)


def test_same_seed_same_rows_other_seed_other_rows():
    a = build_demo(2002, TODAY).rows
    b = build_demo(2002, TODAY).rows
    c = build_demo(7, TODAY).rows
    assert a == b
    assert a["enterprise"] != c["enterprise"]


def test_about_700_enterprises_8_to_12_townships_history_from_1998():
    rows = build_demo(2002, TODAY).rows
    assert 600 <= len(rows["enterprise"]) <= 800
    assert 8 <= len(rows["township"]) <= 12
    unions = rows["union_org"]
    assert min(u["founded_on"] for u in unions).year == 1998
    assert max(u["founded_on"] for u in unions) > TODAY - dt.timedelta(365)
    assert {u["kind"] for u in unions} == {"enterprise", "joint", "federation", "other"}


def test_written_rows_equal_built_rows(any_demo_engine):
    """The shared demo database (tests/conftest.py) is ``write_demo(seed=2002, today=TODAY)``."""
    built = build_demo(2002, TODAY).rows
    with any_demo_engine.connect() as conn:
        got = [tuple(r) for r in conn.execute(sa.text("SELECT id, uscc, name, registered_on FROM enterprise ORDER BY id"))]
    want = [(r["id"], r["uscc"], r["name"], r["registered_on"]) for r in built["enterprise"]]
    norm = lambda rows: [(i, u, n, d if isinstance(d, dt.date) else dt.date.fromisoformat(d)) for i, u, n, d in rows]  # noqa: E731
    assert norm(got) == norm(want)


def test_refuses_non_empty_database_and_writes_nothing(own_demo_engine):
    with own_demo_engine.connect() as conn:
        before = conn.execute(sa.text("SELECT COUNT(*) FROM enterprise")).scalar_one()
    with pytest.raises(DemoError):
        write_demo(own_demo_engine, seed=3, today=TODAY)
    with own_demo_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM enterprise")).scalar_one() == before


def test_a_failure_midway_leaves_no_half_written_data(sqlite_engine, monkeypatch):
    import seed_data.demo as demo

    real = demo.build_demo

    def broken(seed, today):
        data = real(seed, today)
        data.rows["action_item"][-1].update(status="done", done_on=None)  # violates a CHECK constraint, late in the run
        return data

    monkeypatch.setattr(demo, "build_demo", broken)
    with pytest.raises(sa.exc.IntegrityError):
        demo.write_demo(sqlite_engine, seed=2002, today=TODAY)
    with sqlite_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM township")).scalar_one() == 0


def test_schematic_geojson_one_polygon_per_township_non_overlapping():
    fc = load_demo_geojson()
    assert fc == json.loads(GEOJSON_PATH.read_text(encoding="utf-8"))
    assert fc == schematic_boundaries([(c, n) for c, n, _ in TOWNSHIPS])  # the file is what the code makes
    codes = [f["properties"]["code"] for f in fc["features"]]
    assert sorted(codes) == sorted(c for c, _, _ in TOWNSHIPS)
    assert all(f["geometry"]["type"] == "Polygon" and f["properties"]["schematic"] for f in fc["features"])
    rings = [f["geometry"]["coordinates"][0] for f in fc["features"]]

    def inside(pt, ring):
        x, y = pt
        hit = False
        for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
            if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
                hit = not hit
        return hit

    xs = [p[0] for r in rings for p in r]
    ys = [p[1] for r in rings for p in r]
    covered = 0
    for i in range(1, 60):
        for j in range(1, 60):
            pt = (min(xs) + (max(xs) - min(xs)) * (i + 0.37) / 60, min(ys) + (max(ys) - min(ys)) * (j + 0.61) / 60)
            n = sum(inside(pt, r) for r in rings)
            assert n <= 1, f"{pt} lies in {n} polygons"
            covered += n
    assert covered > 59 * 59 * 0.9  # the polygons tile the frame


def test_founded_leads_keep_their_days_to_the_union():
    """founding_lead.days_to_union (0018): the days from discovery to the union on each 已建会 lead,
    None on every other — what the pipeline's medians read."""
    leads = build_demo(2002, TODAY).rows["founding_lead"]
    founded = [r for r in leads if r["stage"] == "founded"]
    assert founded and len(founded) < len(leads)
    for r in leads:
        expected = (r["stage_on"] - r["identified_on"]).days if r["stage"] == "founded" else None
        assert r["days_to_union"] == expected, r["id"]
