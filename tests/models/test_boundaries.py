"""Township boundaries from GeoJSON: reading, geometry checks, matching, the import, the CLI."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from models.boundaries import (
    BoundaryError,
    check_geometry,
    export_boundaries,
    import_boundaries,
    match_features,
    read_geojson,
)
from models.enums import TownshipKind
from models.tables import AuditEvent, Township

OLD = {"type": "Polygon", "coordinates": [[[1.0, 1.0], [2.0, 1.0], [2.0, 2.0], [1.0, 1.0]]]}


def square(lon: float, lat: float, d: float = 0.05) -> dict:
    return {"type": "Polygon",
            "coordinates": [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]]}


def feature(geometry, **props) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def collection(*features) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}, ensure_ascii=False)


@pytest.fixture
def townships(any_engine):
    """YB and XY with an old schematic boundary, QL with a real one, DL with none."""
    with Session(any_engine) as s:
        s.add(Township(code="YB", name="越北镇", kind=TownshipKind.TOWN, sort_order=0,
                       boundary_geojson=json.dumps(OLD), boundary_is_schematic=True))
        s.add(Township(code="QL", name="青岚街道", kind=TownshipKind.SUBDISTRICT, sort_order=1,
                       boundary_geojson=json.dumps(OLD), boundary_is_schematic=False))
        s.add(Township(code="XY", name="西苑乡", kind=TownshipKind.TOWNSHIP, sort_order=2,
                       boundary_geojson=json.dumps(OLD), boundary_is_schematic=True))
        s.add(Township(code="DL", name="东岭镇", kind=TownshipKind.TOWN, sort_order=3))
        s.commit()
    return any_engine


def snapshot(engine) -> dict[str, tuple]:
    with engine.connect() as conn:
        return {r.code: (r.boundary_geojson, r.boundary_is_schematic) for r in conn.execute(
            sa.text("SELECT code, boundary_geojson, boundary_is_schematic FROM township"))}


def audit_events(engine) -> list[AuditEvent]:
    with Session(engine) as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == "boundaries_import")).all())


# --------------------------------------------------------------------------- storing


def test_valid_file_is_stored_and_reads_back_equal(townships):
    yb = square(126.40, 43.70)
    ql = {"type": "MultiPolygon", "coordinates": [square(126.5, 43.7)["coordinates"],
                                                  square(126.6, 43.7, 0.01)["coordinates"]]}
    report = import_boundaries(townships, collection(feature(yb, code="YB"), feature(ql, name="青岚街道")), actor="t")
    assert report.status == "stored" and report.ok
    assert [(m.index, m.code, m.how) for m in report.matched] == [(1, "YB", "code"), (2, "QL", "name")]
    after = snapshot(townships)
    assert json.loads(after["YB"][0]) == yb and not after["YB"][1]
    assert json.loads(after["QL"][0]) == ql and not after["QL"][1]
    # not in the file: unchanged, and the report says what each keeps
    assert after["XY"] == (json.dumps(OLD), True) and after["DL"][0] is None
    assert {(t.code, t.keeps) for t in report.missing} == {("XY", "schematic"), ("DL", "none")}


def test_stored_geometry_keeps_elevation_holes_and_chinese_text(townships):
    outer = [[126.4, 43.7, 200], [126.6, 43.7, 210], [126.6, 43.9, 220], [126.4, 43.9, 205], [126.4, 43.7, 200]]
    hole = [[126.45, 43.75], [126.5, 43.75], [126.5, 43.8], [126.45, 43.75]]
    geometry = {"type": "Polygon", "coordinates": [outer, hole]}
    import_boundaries(townships, collection(feature(geometry, 乡镇="越北镇")))
    stored = snapshot(townships)["YB"][0]
    assert json.loads(stored) == geometry


def test_schematic_option_marks_the_import_schematic(townships):
    report = import_boundaries(townships, collection(feature(square(126.4, 43.7), code="QL")), schematic=True)
    assert report.status == "stored" and snapshot(townships)["QL"][1]


def test_demo_geojson_round_trips(own_demo_engine):
    from seed_data.geo import GEOJSON_PATH

    text = GEOJSON_PATH.read_text(encoding="utf-8")
    source = json.loads(text)
    report = import_boundaries(own_demo_engine, text, actor="t")
    assert report.ok and len(report.matched) == 10 and not report.missing
    assert report.flagged_schematic == 10  # the demo file says it is schematic
    exported, without = export_boundaries(own_demo_engine)
    assert without == []
    assert [(f["properties"]["code"], f["properties"]["name"], f["geometry"]) for f in exported["features"]] == \
        [(f["properties"]["code"], f["properties"]["name"], f["geometry"]) for f in source["features"]]
    # each feature's own "schematic": true overrides the file-wide flag (issue 13): they stay schematic
    assert all(f["properties"]["schematic"] is True for f in exported["features"])
    # and the export imports again, unchanged
    before = snapshot(own_demo_engine)
    again = import_boundaries(own_demo_engine, json.dumps(exported, ensure_ascii=False), strict=True)
    assert again.status == "stored" and again.ok and snapshot(own_demo_engine) == before


def test_export_leaves_out_townships_without_boundary(townships):
    fc, without = export_boundaries(townships)
    assert [f["properties"]["code"] for f in fc["features"]] == ["YB", "QL", "XY"]
    assert [f["properties"]["schematic"] for f in fc["features"]] == [True, False, True]
    assert fc["features"][0]["geometry"] == OLD
    assert without == [("DL", "东岭镇")]


# --------------------------------------------------------------------------- the file


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{\n  "type": "FeatureCollection",\n  "features": [,]\n}', ["第 3 行第 16 列", "line 3, column 16", "JSON"]),
        ('{"type": "FeatureCollection", "features": [] ', ["第 1 行第 46 列", "line 1, column 46"]),
        ("", ["文件为空"]),
        ("[1, 2]", ["顶层是数组", "top level is an array"]),
        ('{"type": "Polygon", "coordinates": []}', ['"Polygon"', "FeatureCollection"]),
        ('{"features": []}', ["type 为 缺失"]),
        ('{"type": "FeatureCollection"}', ["features"]),
        ('{"type": "FeatureCollection", "features": {}}', ["features"]),
        ('{"type": "FeatureCollection", "features": []}', ["为空", "empty"]),
        ('{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": null}, 7]}',
         ["第 2 个要素（feature 2）是数字", "feature 2 is a number"]),
        ('{"type": "FeatureCollection", "features": [{"type": "Polygon", "coordinates": []}]}',
         ["第 1 个要素（feature 1）", '"Polygon"', "expected Feature"]),
    ],
)
def test_file_level_errors_say_where_and_write_nothing(townships, text, expected):
    before = snapshot(townships)
    with pytest.raises(BoundaryError) as info:
        import_boundaries(townships, text, actor="t")
    message = str(info.value)
    for part in expected:
        assert part in message
    assert "\n" not in message
    assert snapshot(townships) == before and audit_events(townships) == []


def test_a_single_feature_and_a_byte_order_mark_are_accepted():
    fc = read_geojson("\ufeff" + json.dumps(feature(square(126.4, 43.7), code="YB")))
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 1
    assert fc["features"][0]["properties"] == {"code": "YB"}


VALID = [[126.4, 43.7], [126.5, 43.7], [126.5, 43.8], [126.4, 43.7]]


@pytest.mark.parametrize(
    ("geometry", "expected"),
    [
        (None, ["没有几何", "no geometry"]),
        ([], ["geometry 是数组", "not an object"]),
        ({"type": "Point", "coordinates": [126.4, 43.7]}, ['"Point"', "Polygon 或 MultiPolygon"]),
        ({"type": "LineString", "coordinates": VALID}, ['"LineString"']),
        ({"type": "GeometryCollection", "geometries": []}, ['"GeometryCollection"']),
        ({"coordinates": [VALID]}, ["几何类型为 缺失"]),
        ({"type": "Polygon", "coordinates": []}, ["非空数组", "non-empty array of rings"]),
        ({"type": "Polygon", "coordinates": VALID}, ["第 1 个环第 1 个点是数字", "ring 1, position 1: a number"]),
        ({"type": "Polygon", "coordinates": [VALID[:3] + [[126.4, 43.8]]]},
         ["第 1 个环未闭合", "ring 1 is not closed"]),
        ({"type": "Polygon", "coordinates": [[[126.4, 43.7], [126.5, 43.7], [126.4, 43.7]]]},
         ["第 1 个环只有 3 个点", "ring 1 has 3 positions"]),
        ({"type": "Polygon", "coordinates": [VALID, [[126.41, 43.71], [126.42, 95], [126.42, 43.72], [126.41, 43.71]]]},
         ["第 2 个环第 2 个点的纬度 95 超出 [-90, 90]", "ring 2, position 2: latitude 95"]),
        ({"type": "Polygon", "coordinates": [[[200, 43.7]] + VALID[1:3] + [[200, 43.7]]]},
         ["第 1 个环第 1 个点的经度 200 超出 [-180, 180]", "longitude 200"]),
        ({"type": "Polygon", "coordinates": [[[43.7, 126.4], [43.7, 126.5], [43.8, 126.5], [43.7, 126.4]]]},
         ["纬度 126.4", "经纬度是否颠倒"]),
        ({"type": "Polygon", "coordinates": [[[14072000, 5420000], [14073000, 5420000], [14073000, 5421000],
                                              [14072000, 5420000]]]},
         ["经度 14072000", "投影坐标", "EPSG:4326"]),
        ({"type": "Polygon", "coordinates": [[["126.4", "43.7"]] + VALID[1:]]},
         ['第 1 个环第 1 个点的坐标 "126.4" 不是数字', 'coordinate "126.4" is not a number']),
        ({"type": "Polygon", "coordinates": [[[True, 43.7]] + VALID[1:]]}, ["坐标 true 不是数字"]),
        ({"type": "Polygon", "coordinates": [[[126.4]] + VALID[1:]]}, ["有 1 个数值"]),
        ({"type": "Polygon", "coordinates": [[[126.4, 43.7, 1, 2]] + VALID[1:]]}, ["有 4 个数值"]),
        ({"type": "MultiPolygon", "coordinates": [[VALID], [VALID[:3]]]},
         ["第 2 个多边形第 1 个环只有 3 个点", "polygon 2, ring 1 has 3 positions"]),
        ({"type": "MultiPolygon", "coordinates": []}, ["MultiPolygon", "non-empty array of polygons"]),
    ],
)
def test_check_geometry_gives_a_precise_reason(geometry, expected):
    reason = check_geometry(geometry)
    assert reason is not None
    for part in expected:
        assert part in reason
    assert "\n" not in reason


def test_nan_and_infinity_from_the_file_are_rejected():
    text = '{"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": ' \
           '[[[NaN, 43.7], [126.5, 43.7], [126.5, -Infinity], [126.4, 43.7]]]}}'
    geometry = read_geojson(text)["features"][0]["geometry"]
    assert "第 1 个环第 1 个点的坐标 NaN 不是有限数" in check_geometry(geometry)
    geometry["coordinates"][0][0] = [126.4, 43.7]
    assert "第 1 个环第 3 个点的坐标 -Infinity 不是有限数" in check_geometry(geometry)


@pytest.mark.parametrize(
    "geometry",
    [
        {"type": "Polygon", "coordinates": [VALID]},
        {"type": "Polygon", "coordinates": [[[-180, -90], [180, -90], [180, 90], [-180, -90]]]},
        {"type": "Polygon", "coordinates": [[p + [100.5] for p in VALID]]},
        {"type": "MultiPolygon", "coordinates": [[VALID], [VALID, VALID]]},
    ],
)
def test_valid_geometries_pass(geometry):
    assert check_geometry(geometry) is None


# --------------------------------------------------------------------------- matching

TOWNS = [(1, "YB", "越北镇"), (2, "QL", "青岚街道"), (3, "HX", "桦溪"), (4, "SH", "石湖镇"), (5, "SHX", "石湖乡"),
         (6, "XY", "西苑乡")]
G = square(126.4, 43.7)


def match_one(**props):
    return match_features(read_geojson(collection(feature(G, **props))), TOWNS)


@pytest.mark.parametrize(
    ("props", "code", "how"),
    [
        ({"code": "YB"}, "YB", "code"),
        ({"code": " yb "}, "YB", "code"),
        ({"township_code": "QL"}, "QL", "code"),
        ({"CODE": "XY"}, "XY", "code"),
        ({"code": "999", "adcode": "HX"}, "HX", "code"),  # the next code key is tried
        ({"code": "YB", "name": "越北镇"}, "YB", "code"),  # code and name agree
        ({"code": "nope", "name": "青岚街道"}, "QL", "name"),  # an unknown code falls back to the name
        ({"name": "越北镇"}, "YB", "name"),
        ({"NAME": " 越北\u3000镇 "}, "YB", "name"),  # whitespace, even full-width, is ignored
        ({"name": "越北"}, "YB", "name"),  # without the township's 镇
        ({"township": "青岚"}, "QL", "name"),  # without its 街道
        ({"街道": "青岚街道"}, "QL", "name"),
        ({"乡镇": "桦溪乡"}, "HX", "name"),  # the file has a suffix the township lacks
        ({"name": "西苑乡"}, "XY", "name"),
        ({"name": "石湖镇"}, "SH", "name"),  # exact beats the ambiguous base name
    ],
)
def test_features_match_by_code_then_name(props, code, how):
    report = match_one(**props)
    assert [(m.code, m.how) for m in report.matched] == [(code, how)]
    assert report.unmatched == []


def test_numeric_adcode_matches():
    report = match_features(read_geojson(collection(feature(G, adcode=220202001))),
                            [(1, "220202001", "越北镇")])
    assert [m.code for m in report.matched] == ["220202001"]


@pytest.mark.parametrize(
    ("props", "problem", "expected"),
    [
        ({"name": "石湖"}, "ambiguous", ["石湖镇（SH）", "石湖乡（SHX）"]),
        ({"name": "越北街道"}, "no_match", ["未找到"]),  # a different suffix is not the same place
        ({"name": "越"}, "no_match", ["未找到"]),
        ({"code": "ZZ"}, "no_match", ["no township"]),
        ({}, "no_properties", ["没有 code 或 name"]),
        ({"name": ""}, "no_properties", ["no code or name"]),
    ],
)
def test_unmatched_features_say_why(props, problem, expected):
    report = match_one(**props)
    assert report.matched == []
    [u] = report.unmatched
    assert u.index == 1 and u.problem == problem
    for part in expected:
        assert part in u.reason
    assert len(report.missing) == len(TOWNS)


def test_feature_without_geometry_names_the_township_it_would_have_matched():
    fc = read_geojson('{"type": "FeatureCollection", "features": ['
                      '{"type": "Feature", "properties": {"code": "YB"}}]}')
    [u] = match_features(fc, TOWNS).unmatched
    assert (u.problem, u.township_code, u.code) == ("invalid_geometry", "YB", "YB")
    assert "没有几何" in u.reason and "且未找到" not in u.reason


def test_features_of_one_township_are_merged_and_an_identical_copy_is_a_duplicate():
    # issue 13: the 2nd and 3rd parts of a township were dropped as "duplicate"; they are its parts
    second = square(127.0, 44.0)
    fc = read_geojson(collection(feature(G, code="YB"), feature(second, name="越北"), feature(G, code="YB")))
    report = match_features(fc, TOWNS)
    assert [(m.index, m.code) for m in report.matched] == [(1, "YB"), (2, "YB")]
    [shape] = report.shapes
    assert shape.features == (1, 2) and shape.geometry == {
        "type": "MultiPolygon", "coordinates": [G["coordinates"], second["coordinates"]]}
    [u] = report.unmatched  # the very same shape again is a duplicate, the first kept
    assert (u.index, u.problem, u.township_code) == (3, "duplicate", "YB")
    assert "第 1 个要素" in u.reason


def test_an_invalid_part_withholds_its_township():
    # a township whose part is invalid gets nothing: a part is never stored as the whole township
    fc = read_geojson(collection(feature({"type": "Point", "coordinates": [1, 2]}, code="YB"),
                                 feature(G, code="YB"), feature(square(127, 44), code="QL")))
    report = match_features(fc, TOWNS)
    assert [(m.index, m.code) for m in report.matched] == [(3, "QL")]
    assert [(u.index, u.problem, u.township_code) for u in report.unmatched] == [
        (1, "invalid_geometry", "YB"), (2, "incomplete", "YB")]
    assert "第 1 个要素未能导入" in report.unmatched[1].reason
    assert [s.code for s in report.shapes] == ["QL"]


# --------------------------------------------------------------------------- partial files, strict, dry run

MIXED = collection(
    feature(square(126.4, 43.7), code="YB"),                                   # 1 stored
    feature(square(126.5, 43.7), name="不存在镇"),                                # 2 no township
    feature(square(126.4, 43.7), name="越北"),                                   # 3 the very shape of 1
    feature({"type": "Polygon", "coordinates": [VALID[:3]]}, code="QL"),        # 4 invalid geometry
)


def test_partial_file_stores_the_matched_and_reports_the_rest(townships):
    before = snapshot(townships)
    report = import_boundaries(townships, MIXED, actor="t")
    assert report.status == "stored" and not report.ok
    assert [(u.index, u.problem) for u in report.unmatched] == [(2, "no_match"), (3, "duplicate"),
                                                                (4, "invalid_geometry")]
    after = snapshot(townships)
    assert json.loads(after["YB"][0]) == square(126.4, 43.7) and not after["YB"][1]
    assert {k: v for k, v in after.items() if k != "YB"} == {k: v for k, v in before.items() if k != "YB"}
    assert {t.code for t in report.missing} == {"QL", "XY", "DL"}


@pytest.mark.parametrize(("kwargs", "status"), [({"strict": True}, "refused"), ({"dry_run": True}, "dry_run"),
                                                ({"dry_run": True, "strict": True}, "dry_run")])
def test_strict_and_dry_run_write_nothing(townships, kwargs, status):
    before = snapshot(townships)
    report = import_boundaries(townships, MIXED, actor="t", **kwargs)
    assert report.status == status
    assert [m.code for m in report.matched] == ["YB"] and len(report.unmatched) == 3
    assert snapshot(townships) == before and audit_events(townships) == []


def test_strict_stores_a_clean_file(townships):
    report = import_boundaries(townships, collection(feature(square(126.4, 43.7), code="YB")), strict=True)
    assert report.status == "stored" and json.loads(snapshot(townships)["YB"][0]) == square(126.4, 43.7)


def test_no_match_at_all_writes_nothing(townships):
    before = snapshot(townships)
    report = import_boundaries(townships, collection(feature(G, code="ZZ")), actor="t")
    assert report.status == "nothing" and snapshot(townships) == before and audit_events(townships) == []


def test_a_failure_while_writing_rolls_everything_back(townships, monkeypatch):
    from models import audit as audit_log

    def broken_audit(*args, **kwargs):
        raise RuntimeError("audit table unavailable")

    monkeypatch.setattr(audit_log, "audit", broken_audit)
    before = snapshot(townships)
    with pytest.raises(RuntimeError):
        import_boundaries(townships, collection(feature(square(126.4, 43.7), code="YB"),
                                            feature(square(126.5, 43.7), code="QL")), actor="t")
    assert snapshot(townships) == before


def test_audit_event_has_counts_and_no_coordinates(townships):
    import_boundaries(townships, MIXED, actor="cli")
    [event] = audit_events(townships)
    assert (event.username, event.entity) == ("cli", "township")
    assert event.detail == "features=4 matched=1 unmatched=3 missing=3 schematic=false"
    after = json.loads(event.after_json)
    assert after["matched_codes"] == ["YB"] and after["unmatched_features"] == [2, 3, 4]
    assert sorted(after["missing_codes"]) == ["DL", "QL", "XY"]
    for text in (event.detail, event.after_json):
        assert "coordinates" not in text and "126.4" not in text and "43.7" not in text


def test_summary_lines_list_the_problems_and_the_kept_boundaries(townships):
    report = import_boundaries(townships, MIXED, dry_run=True)
    zh = "\n".join(report.summary_lines())
    assert "文件共 4 个要素：匹配 1 个，未导入 3 个" in zh and "试运行" in zh
    assert "第 2 个要素（name=不存在镇）：未找到" in zh
    assert "第 3 个要素（name=越北）：越北镇（YB）已由第 1 个要素提供边界" in zh
    assert "第 4 个要素（code=QL）：几何无效" in zh and "只有 3 个点" in zh
    assert "西苑乡（XY）：保留原有示意边界" in zh and "青岚街道（QL）：保留原有真实边界" in zh
    assert "东岭镇（DL）：无边界" in zh
    en = "\n".join(report.summary_lines("en"))
    assert "4 feature(s) in the file: 1 matched, 3 not imported." in en and "Dry run" in en
    assert "feature 2 (name=不存在镇)" in en and "东岭镇 (DL): has no boundary" in en


# --------------------------------------------------------------------------- the CLI

def run(args, url):
    """``dangong ARGS`` (the Typer app in this process: the installed script's own process is
    tested in tests/cli; an unhandled exception shows as a traceback on standard error)."""
    from tests.cli.test_cli import invoke

    return invoke(args, url)


@pytest.fixture
def cli_url(demo_template, tmp_path) -> str:
    """A copy of the demo database (``dangong seed demo --today 2026-11-24``, made once per session
    in tests/conftest.py) for this test's CLI runs."""
    return demo_template.copy(tmp_path / "cli.sqlite")


def cli_snapshot(url: str) -> dict[str, tuple]:
    engine = sa.create_engine(url)
    try:
        return snapshot(engine)
    finally:
        engine.dispose()


def test_cli_import_stores_and_reports(cli_url, tmp_path):
    before = cli_snapshot(cli_url)
    path = tmp_path / "real.geojson"
    path.write_text(collection(feature(square(126.4, 43.7), name="越北"), feature(G, code="ZZ")), encoding="utf-8")
    r = run(["boundaries", "import", str(path)], cli_url)
    assert r.returncode == 0, r.stderr
    assert "匹配 1 个，未导入 1 个" in r.stdout and "已写入 1 个乡镇的边界" in r.stdout
    assert "第 2 个要素（code=ZZ）：未找到" in r.stdout
    assert "青岚街道（QL）：保留原有示意边界" in r.stdout
    after = cli_snapshot(cli_url)
    assert json.loads(after["YB"][0]) == square(126.4, 43.7) and not after["YB"][1]
    assert {k: v for k, v in after.items() if k != "YB"} == {k: v for k, v in before.items() if k != "YB"}


def test_cli_strict_and_dry_run_leave_the_database_unchanged(cli_url, tmp_path):
    before = cli_snapshot(cli_url)
    path = tmp_path / "bad.geojson"
    path.write_text(collection(feature(square(126.4, 43.7), code="YB"),
                               feature({"type": "Point", "coordinates": [126.4, 43.7]}, code="QL")), encoding="utf-8")
    r = run(["boundaries", "import", "--strict", str(path)], cli_url)
    assert r.returncode == 1
    assert "第 2 个要素（code=QL）：几何无效" in r.stdout and "严格模式" in r.stdout
    assert r.stderr.count("\n") == 1 and "--strict" in r.stderr and "Traceback" not in r.stderr
    r = run(["boundaries", "import", "--dry-run", str(path)], cli_url)
    assert r.returncode == 0 and "试运行" in r.stdout
    assert cli_snapshot(cli_url) == before


def test_cli_file_errors_are_one_sentence(cli_url, tmp_path):
    before = cli_snapshot(cli_url)
    r = run(["boundaries", "import", str(tmp_path / "nope.geojson")], cli_url)
    assert r.returncode == 1 and "找不到文件" in r.stderr and r.stderr.count("\n") == 1
    bad = tmp_path / "bad.geojson"
    bad.write_text('{\n "type": "FeatureCollection",\n "features": [,]\n}', encoding="utf-8")
    r = run(["boundaries", "import", str(bad)], cli_url)
    assert r.returncode == 1 and "第 3 行第 15 列" in r.stderr and r.stderr.count("\n") == 1
    gbk = tmp_path / "gbk.geojson"
    gbk.write_bytes(collection(feature(G, name="越北镇")).encode("gb18030"))
    r = run(["boundaries", "import", str(gbk)], cli_url)
    assert r.returncode == 1 and "UTF-8" in r.stderr and "Traceback" not in r.stderr
    assert cli_snapshot(cli_url) == before


def test_cli_export_then_strict_import_round_trips(cli_url, tmp_path):
    out = tmp_path / "out.geojson"
    r = run(["boundaries", "export", str(out)], cli_url)
    assert r.returncode == 0 and "已导出 10 个" in r.stdout
    fc = json.loads(out.read_text(encoding="utf-8"))
    assert len(fc["features"]) == 10 and fc["features"][0]["properties"]["schematic"] is True
    r = run(["boundaries", "export", str(out)], cli_url)
    assert r.returncode == 1 and "--force" in r.stderr
    r = run(["boundaries", "import", "--strict", "--schematic", str(out)], cli_url)
    assert r.returncode == 0 and "匹配 10 个，未导入 0 个" in r.stdout
    r = run(["boundaries", "export", "-"], cli_url)
    assert r.returncode == 0 and json.loads(r.stdout) == fc


def test_cli_refuses_an_unmigrated_database(tmp_path):
    path = tmp_path / "b.geojson"
    path.write_text(collection(feature(G, code="YB")), encoding="utf-8")
    r = run(["boundaries", "import", str(path)], f"sqlite:///{tmp_path / 'empty.sqlite'}")
    assert r.returncode == 1 and "dangong db upgrade" in r.stderr
