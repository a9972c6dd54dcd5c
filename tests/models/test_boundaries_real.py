"""The importer on real public boundaries (tests/data/boundaries/README.md): three Beijing districts
from Vonng/adcode, and DataV-style variants derived from them as an administrator brings them —
MultiPolygons, integer ``adcode``, a BOM, clockwise rings, a district split over several features,
满族镇 / 办事处 / traditional-character names, GCJ-02 coordinates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from shapely.geometry import Point, mapping, shape
from shapely.geometry import box as bbox
from sqlmodel import Session, select

from models.boundaries import (
    GCJ_HINT,
    canonical_name,
    gcj02_to_wgs84,
    import_boundaries,
    label_point,
    match_features,
    read_geojson,
    read_mapping,
    remove_boundary,
    wgs84_to_gcj02,
)
from models.enums import TownshipKind
from models.tables import AuditEvent, Township

REAL = Path(__file__).resolve().parents[1] / "data" / "boundaries" / "beijing_counties_vonng_adcode.geojson"
SOURCE = json.loads(REAL.read_text(encoding="utf-8"))
DONGCHENG, XICHENG, SHIJINGSHAN = (f["geometry"] for f in SOURCE["features"])


def datav(name: str, adcode: int, geometry: dict, **extra) -> dict:
    """A feature as Aliyun DataV publishes it: integer adcode, center/centroid, childrenNum, a MultiPolygon."""
    if geometry["type"] == "Polygon":
        geometry = {"type": "MultiPolygon", "coordinates": [geometry["coordinates"]]}
    props = {"adcode": adcode, "name": name, "center": [116.4, 39.9], "centroid": [116.4, 39.9],
             "childrenNum": 17, "level": "district", "parent": {"adcode": 110100}, "subFeatureIndex": 0,
             "acroutes": [100000, 110000, 110100], **extra}
    return {"type": "Feature", "properties": props, "geometry": geometry}


def text_of(*features, bom: bool = True) -> str:
    return ("\ufeff" if bom else "") + json.dumps({"type": "FeatureCollection", "features": list(features)},
                                                  ensure_ascii=False)


def split(geometry: dict, n: int) -> list[dict]:
    """The polygon cut into ``n`` vertical strips (each a Polygon or MultiPolygon), as a file that
    gives a district in several features does."""
    s = shape(geometry)
    minx, miny, maxx, maxy = s.bounds
    step = (maxx - minx) / n
    parts = [s.intersection(bbox(minx + k * step, miny, minx + (k + 1) * step, maxy)) for k in range(n)]
    return [json.loads(json.dumps(mapping(p))) for p in parts]  # tuples → lists, as a file has them


def clockwise(geometry: dict) -> dict:
    """Every ring reversed: the file's rings wound the other way round."""
    return {"type": "Polygon", "coordinates": [list(reversed(r)) for r in geometry["coordinates"]]}


def towns(engine, *rows: tuple[str, str]) -> None:
    with Session(engine) as s:
        for n, (code, name) in enumerate(rows):
            s.add(Township(code=code, name=name, kind=TownshipKind.SUBDISTRICT, sort_order=n))
        s.commit()


def stored(engine) -> dict[str, tuple]:
    with engine.connect() as conn:
        return {r.code: (json.loads(r.boundary_geojson) if r.boundary_geojson else None, bool(r.boundary_is_schematic))
                for r in conn.execute(sa.text("SELECT code, boundary_geojson, boundary_is_schematic FROM township"))}


def test_the_real_file_is_counter_clockwise_polygons_and_the_variants_differ():
    # the premise of the variants below: Polygons, and reversing rings changes their winding
    assert all(f["geometry"]["type"] == "Polygon" for f in SOURCE["features"])
    assert shape(clockwise(XICHENG)).exterior.is_ccw != shape(XICHENG).exterior.is_ccw
    parts = split(DONGCHENG, 3)
    assert len(parts) == 3 and shape(DONGCHENG).area == pytest.approx(sum(shape(p).area for p in parts), rel=1e-9)


def test_a_datav_style_file_with_a_district_in_three_features_is_merged(sqlite_engine):
    towns(sqlite_engine, ("110101", "东城区"), ("110102", "西城区"), ("110107", "石景山区"))
    parts = split(DONGCHENG, 3)
    text = text_of(*(datav("东城区", 110101, p) for p in parts), datav("西城区", 110102, clockwise(XICHENG)),
                   datav("石景山区", 110107, SHIJINGSHAN))
    report = import_boundaries(sqlite_engine, text, actor="t")
    assert report.status == "stored" and report.ok, report.summary_lines()
    assert [(m.index, m.code, m.how) for m in report.matched] == [
        (1, "110101", "code"), (2, "110101", "code"), (3, "110101", "code"), (4, "110102", "code"),
        (5, "110107", "code")]
    [dongcheng] = [s for s in report.shapes if s.code == "110101"]
    assert dongcheng.features == (1, 2, 3) and dongcheng.merged
    got = stored(sqlite_engine)
    assert got["110101"][0]["type"] == "MultiPolygon"
    assert shape(got["110101"][0]).area == pytest.approx(shape(DONGCHENG).area, rel=1e-9)
    assert shape(got["110101"][0]).symmetric_difference(shape(DONGCHENG)).area < shape(DONGCHENG).area * 1e-9
    # the clockwise rings are stored as the file gave them (the map rewinds them for drawing)
    assert got["110102"][0]["coordinates"][0] == clockwise(XICHENG)["coordinates"]
    # the file looks like DataV's, whose coordinates are GCJ-02: said, not guessed away
    assert GCJ_HINT in report.warnings
    assert any("合并" in line for line in report.summary_lines())
    with Session(sqlite_engine) as s:
        [event] = s.exec(select(AuditEvent).where(AuditEvent.action == "boundaries_import")).all()
    assert "merged=1" in event.detail and json.loads(event.after_json)["merged_codes"] == ["110101"]


def test_real_names_with_ethnic_qualifiers_offices_and_traditional_characters_match():
    townships = [(1, "T1", "乌拉街满族镇"), (2, "T2", "新地街道"), (3, "T3", "东城区"), (4, "T4", "石景山街道")]
    fc = read_geojson(text_of(datav("乌拉街镇", 999001, DONGCHENG), datav("新地街道办事处", 999002, XICHENG),
                              datav("東城區", 999003, clockwise(XICHENG)), datav("石景山", 999004, SHIJINGSHAN)))
    report = match_features(fc, townships)
    assert [(m.index, m.code, m.how, m.rules) for m in report.matched] == [
        (1, "T1", "name", ("ethnic",)), (2, "T2", "name", ("office",)), (3, "T3", "name", ("traditional",)),
        (4, "T4", "name", ("suffix",))]
    assert report.unmatched == []


@pytest.mark.parametrize(("name", "canonical"), [
    ("乌拉街满族镇", "乌拉街镇"), ("大河回族乡", "大河乡"), ("某某蒙古族满族乡", "某某乡"), ("某地土家族苗族乡", "某地乡"),
    ("新地街道办事处", "新地街道"), ("新地办事处", "新地街道"), ("鎮東鄉", "镇东乡"), ("越北镇", "越北镇"),
    ("满族镇", "满族镇"),  # nothing left before the qualifier: not a qualifier
])
def test_canonical_names(name, canonical):
    assert canonical_name(name)[0] == canonical


def test_an_ethnic_qualifier_that_fits_two_townships_is_ambiguous_not_a_guess():
    fc = read_geojson(text_of(datav("乌拉街镇", 1, DONGCHENG)))
    report = match_features(fc, [(1, "A", "乌拉街满族镇"), (2, "B", "乌拉街回族镇")])
    assert report.matched == [] and [u.problem for u in report.unmatched] == ["ambiguous"]


def test_a_code_that_is_one_townships_with_the_name_of_another_is_refused_or_trusted():
    townships = [(1, "110101", "东城区"), (2, "110102", "西城区")]
    fc = read_geojson(text_of(datav("西城区", 110101, DONGCHENG)))
    [u] = match_features(fc, townships).unmatched
    assert u.problem == "code_name_conflict" and "--trust-code" in u.reason and "西城区（110102）" in u.reason
    trusted = match_features(fc, townships, trust_code=True)
    [m] = trusted.matched
    assert m.code == "110101" and "--trust-code" in m.warning
    # a name that is no township's: matched by the code, with a warning (never silently)
    [m] = match_features(read_geojson(text_of(datav("朝阳区", 110101, DONGCHENG))), townships).matched
    assert m.code == "110101" and "朝阳区" in m.warning


def test_two_versions_of_one_district_overlapping_are_not_merged(sqlite_engine):
    towns(sqlite_engine, ("110101", "东城区"), ("110102", "西城区"))
    shifted = {"type": "Polygon", "coordinates": [[[x + 0.001, y] for x, y in DONGCHENG["coordinates"][0]]]}
    report = import_boundaries(sqlite_engine, text_of(datav("东城区", 110101, DONGCHENG), datav("东城区", 110101, shifted),
                                                      datav("西城区", 110102, XICHENG)), actor="t")
    assert [(u.index, u.problem) for u in report.unmatched] == [(1, "incomplete"), (2, "overlap")]
    assert [s.code for s in report.shapes] == ["110102"]
    assert stored(sqlite_engine)["110101"][0] is None


def test_gcj02_file_is_converted_to_wgs84(sqlite_engine):
    towns(sqlite_engine, ("110102", "西城区"))
    ring = XICHENG["coordinates"][0]
    gcj = {"type": "Polygon", "coordinates": [[list(wgs84_to_gcj02(x, y)) for x, y in ring]]}
    report = import_boundaries(sqlite_engine, text_of(datav("西城区", 110102, gcj)), crs="gcj02", actor="t")
    assert report.status == "stored" and GCJ_HINT not in report.warnings
    back = stored(sqlite_engine)["110102"][0]["coordinates"][0][0]
    for (x, y), (bx, by) in zip(ring, back):
        assert bx == pytest.approx(x, abs=1e-8) and by == pytest.approx(y, abs=1e-8)
    # the offset undone is a few hundred metres (about 0.006° in Beijing)
    assert 0.003 < abs(gcj["coordinates"][0][0][0] - ring[0][0]) < 0.01


def test_gcj02_known_point_pairs():
    # published pairs (googollee/eviltransform's tests; wandergis/coordtransform's README)
    assert wgs84_to_gcj02(116.404, 39.915) == pytest.approx((116.41024449916938, 39.91640428150164), abs=1e-12)
    assert wgs84_to_gcj02(121.5272106, 31.1774276) == pytest.approx((121.531541859215, 31.17530398364597), abs=1e-12)
    assert gcj02_to_wgs84(116.41024449916938, 39.91640428150164) == pytest.approx((116.404, 39.915), abs=1e-9)
    assert gcj02_to_wgs84(-0.1, 51.5) == (-0.1, 51.5)  # outside China: unchanged


def test_the_label_point_is_inside_every_real_district_and_a_u_shape():
    for geometry in (DONGCHENG, XICHENG, SHIJINGSHAN, clockwise(XICHENG)):
        assert shape(geometry).contains(Point(label_point(geometry)))
    merged = {"type": "MultiPolygon", "coordinates": [p["coordinates"] for p in split(SHIJINGSHAN, 2)
                                                      if p["type"] == "Polygon"]}
    assert shape(merged).contains(Point(label_point(merged)))
    # a U: the mean of the outer ring falls in the gap; a ring with a hole: the mean is in the hole
    u = {"type": "Polygon", "coordinates": [[[0, 0], [3, 0], [3, 3], [2, 3], [2, 1], [1, 1], [1, 3], [0, 3], [0, 0]]]}
    ring = u["coordinates"][0][:-1]
    mean = (sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring))
    assert not shape(u).contains(Point(mean)) and shape(u).contains(Point(label_point(u)))
    holed = {"type": "Polygon", "coordinates": [[[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]],
                                                [[1, 1], [3, 1], [3, 3], [1, 3], [1, 1]]]}
    assert shape(holed).contains(Point(label_point(holed)))


def test_a_features_own_schematic_flag_overrides_the_file_wide_one(sqlite_engine):
    towns(sqlite_engine, ("110101", "东城区"), ("110102", "西城区"), ("110107", "石景山区"))
    text = text_of(datav("东城区", 110101, DONGCHENG, schematic=True), datav("西城区", 110102, XICHENG, schematic=False),
                   datav("石景山区", 110107, SHIJINGSHAN))
    import_boundaries(sqlite_engine, text, actor="t")
    got = stored(sqlite_engine)
    assert (got["110101"][1], got["110102"][1], got["110107"][1]) == (True, False, False)
    import_boundaries(sqlite_engine, text, actor="t", schematic=True)
    got = stored(sqlite_engine)
    assert (got["110101"][1], got["110102"][1], got["110107"][1]) == (True, False, True)


def test_name_and_code_keys_and_a_gb18030_mapping_file(sqlite_engine):
    towns(sqlite_engine, ("220202001", "乌拉街满族镇"), ("220202002", "江北乡"))
    feature = lambda geometry, **props: {"type": "Feature", "properties": props, "geometry": geometry}  # noqa: E731
    text = text_of(feature(DONGCHENG, XZMC="乌拉街镇", name="第1块"), feature(XICHENG, XZMC="江北"),
                   feature(SHIJINGSHAN, XZMC="老江北村"))
    mapping = read_mapping("名称,代码\n老江北村,220202002\n不在文件里,220202001\n".encode("gb18030"))
    report = import_boundaries(sqlite_engine, text, name_keys=["XZMC"], mapping=mapping, actor="t")
    assert [(m.index, m.code, m.how) for m in report.matched] == [
        (1, "220202001", "name"), (2, "220202002", "name"), (3, "220202002", "mapping")]
    assert any("未在文件中出现" in w for w in report.warnings)
    assert stored(sqlite_engine)["220202002"][0]["type"] == "MultiPolygon"


@pytest.mark.parametrize(("content", "says"), [
    (b"a,b,c\n", "第 1 行"), (b"name,code\nx,\n", "第 2 行"), (b"x,1\nx,2\n", "第 1 行"), (b"", "没有任何"),
    ("名称,代码\n".encode("utf-8"), "没有任何"),
])
def test_a_bad_mapping_file_says_which_line(content, says):
    from models.boundaries import BoundaryError

    with pytest.raises(BoundaryError, match=says):
        read_mapping(content)


def test_remove_a_boundary_is_audited_and_unknown_codes_are_refused(sqlite_engine):
    from models.boundaries import BoundaryError

    towns(sqlite_engine, ("110101", "东城区"), ("110102", "西城区"))
    import_boundaries(sqlite_engine, text_of(datav("东城区", 110101, DONGCHENG)), actor="t")
    assert remove_boundary(sqlite_engine, "110101", actor="admin") == ("110101", "东城区")
    assert stored(sqlite_engine)["110101"][0] is None
    with Session(sqlite_engine) as s:
        [event] = s.exec(select(AuditEvent).where(AuditEvent.action == "boundaries_remove")).all()
    assert event.username == "admin" and event.entity == "township" and "code=110101" in event.detail
    with pytest.raises(BoundaryError, match="没有代码为 ZZ 的乡镇"):
        remove_boundary(sqlite_engine, "ZZ")
    with pytest.raises(BoundaryError, match="没有边界"):
        remove_boundary(sqlite_engine, "110102")
