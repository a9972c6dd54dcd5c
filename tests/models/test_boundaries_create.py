"""``import_boundaries(create_townships=True)`` / ``dangong boundaries import --create-townships``:
townships created from a boundary file, so that an empty database is set up from the district's
own files (issue 12 item 5). Both backends (``any_engine``); the CLI in this process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from models.boundaries import import_boundaries, kind_from_name, plan_townships, read_geojson
from models.enums import TownshipKind
from models.tables import AuditEvent, Township

REAL_FILE = Path(__file__).resolve().parents[1] / "data" / "boundaries" / "beijing_counties_vonng_adcode.geojson"
UNKNOWN_KIND = "无法从名称判断是镇、乡还是街道"


def square(lon: float, lat: float, d: float = 0.05) -> dict:
    return {"type": "Polygon",
            "coordinates": [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]]}


def feature(geometry, **props) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def collection(*features) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}, ensure_ascii=False)


#: a district's file: a subdistrict (9-digit code), a town (12-digit 统计用区划代码, as a number), a
#: township ("adcode" key), and a feature whose name says nothing of its kind
DISTRICT = collection(
    feature(square(120.10, 30.20), code="330102001", name="清波街道"),
    feature(square(120.20, 30.20), code=330102101000, name="上城镇"),
    feature(square(120.30, 30.20), adcode="330102201", NAME="西岭乡"),
    feature(square(120.40, 30.20), code="330102301", name="湖滨"),
)
CREATED = [(1, "330102001", "清波街道", "subdistrict"), (2, "330102101000", "上城镇", "town"),
           (3, "330102201", "西岭乡", "township")]


def townships(engine) -> dict[str, tuple]:
    """code → (name, kind, sort_order, boundary or None, schematic)."""
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT code, name, kind, sort_order, boundary_geojson, boundary_is_schematic FROM township")).all()
    return {r.code: (r.name, r.kind, r.sort_order, json.loads(r.boundary_geojson) if r.boundary_geojson else None,
                     bool(r.boundary_is_schematic)) for r in rows}


def audit_events(engine) -> list[AuditEvent]:
    with Session(engine) as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == "boundaries_import")).all())


def created(report) -> list[tuple]:
    return [(c.index, c.code, c.name, c.kind) for c in report.created]


# --------------------------------------------------------------------------- an empty database


def test_an_empty_database_gets_its_townships_with_kinds_and_boundaries(any_engine):
    assert townships(any_engine) == {}
    report = import_boundaries(any_engine, DISTRICT, create_townships=True, actor="t")
    assert report.status == "stored"
    assert created(report) == CREATED
    assert [(m.index, m.code, m.how) for m in report.matched] == [
        (1, "330102001", "code"), (2, "330102101000", "code"), (3, "330102201", "code")]
    assert townships(any_engine) == {
        "330102001": ("清波街道", "subdistrict", 0, square(120.10, 30.20), False),
        "330102101000": ("上城镇", "town", 1, square(120.20, 30.20), False),
        "330102201": ("西岭乡", "township", 2, square(120.30, 30.20), False),
    }
    # the name without an ending: not created, and the report says why
    [u] = report.unmatched
    assert (u.index, u.code, u.name, u.problem) == (4, "330102301", "湖滨", "not_created")
    assert UNKNOWN_KIND in u.reason
    assert report.missing == []
    # one audit event, with the codes created
    [event] = audit_events(any_engine)
    assert event.detail == "features=4 matched=3 unmatched=1 missing=0 schematic=false created=3"
    after = json.loads(event.after_json)
    assert after["created_codes"] == ["330102001", "330102101000", "330102201"]
    assert after["unmatched_features"] == [4]


def test_a_12_digit_statistical_code_is_accepted(any_engine):
    text = collection(feature(square(120.1, 30.2), code="330102001001", name="清波街道"))
    report = import_boundaries(any_engine, text, create_townships=True)
    assert created(report) == [(1, "330102001001", "清波街道", "subdistrict")]
    assert list(townships(any_engine)) == ["330102001001"]
    with Session(any_engine) as s:
        [t] = s.exec(select(Township)).all()
        assert t.kind == TownshipKind.SUBDISTRICT and len(t.code) == 12


def test_schematic_marks_the_created_townships_boundaries_schematic(any_engine):
    report = import_boundaries(any_engine, DISTRICT, create_townships=True, schematic=True)
    assert report.status == "stored"
    assert {code: t[4] for code, t in townships(any_engine).items()} == {c[1]: True for c in CREATED}


def test_a_dry_run_creates_nothing_but_reports_what_it_would_create(any_engine):
    report = import_boundaries(any_engine, DISTRICT, dry_run=True, create_townships=True)
    assert report.status == "dry_run"
    assert created(report) == CREATED
    assert len(report.matched) == 3 and [u.problem for u in report.unmatched] == ["not_created"]
    assert townships(any_engine) == {} and audit_events(any_engine) == []
    zh, en = "\n".join(report.summary_lines("zh")), "\n".join(report.summary_lines("en"))
    assert "试运行：未写入任何数据。" in zh and "将根据文件新建 3 个乡镇街道：" in zh
    assert "  + 清波街道（330102001，街道）← 第 1 个要素" in zh and "上城镇（330102101000，镇）" in zh
    assert "西岭乡（330102201，乡）" in zh and UNKNOWN_KIND in zh
    assert "Would create 3 township(s) from the file:" in en
    assert "  + 西岭乡 (330102201, township) ← feature 3" in en
    # and then for real: the same townships
    assert created(import_boundaries(any_engine, DISTRICT, create_townships=True)) == CREATED
    assert len(townships(any_engine)) == 3


def test_the_stored_report_says_created_in_both_languages(any_engine):
    report = import_boundaries(any_engine, DISTRICT, create_townships=True)
    zh, en = "\n".join(report.summary_lines("zh")), "\n".join(report.summary_lines("en"))
    assert "根据文件新建了 3 个乡镇街道：" in zh and "已写入 3 个乡镇的边界" in zh
    assert "Created 3 township(s) from the file:" in en and "  + 上城镇 (330102101000, town) ← feature 2" in en
    assert "feature 4 (code=330102301, name=湖滨)" in en


def test_strict_refuses_the_whole_file_and_creates_nothing(any_engine):
    report = import_boundaries(any_engine, DISTRICT, strict=True, create_townships=True)
    assert report.status == "refused" and created(report) == CREATED
    assert townships(any_engine) == {} and audit_events(any_engine) == []
    # a file without problems goes through under --strict
    text = collection(*json.loads(DISTRICT)["features"][:3])
    assert import_boundaries(any_engine, text, strict=True, create_townships=True).status == "stored"
    assert len(townships(any_engine)) == 3


def test_without_the_flag_nothing_is_created(any_engine):
    report = import_boundaries(any_engine, DISTRICT)
    assert report.status == "nothing" and report.created == []
    assert {u.problem for u in report.unmatched} == {"no_match"}
    assert townships(any_engine) == {} and audit_events(any_engine) == []
    assert not any("新建" in line for line in report.summary_lines())


# --------------------------------------------------------------------------- existing townships


def test_existing_townships_are_matched_not_duplicated(any_engine):
    with Session(any_engine) as s:
        s.add(Township(code="330102001", name="清波街道", kind=TownshipKind.SUBDISTRICT, sort_order=0))
        s.add(Township(code="YB", name="越北镇", kind=TownshipKind.TOWN, sort_order=7))
        s.commit()
    text = collection(
        feature(square(120.1, 30.2), code="330102001", name="清波"),  # by code
        feature(square(120.2, 30.2), code="330102999", name="越北镇"),  # by name: not a second 越北镇
        feature(square(120.3, 30.2), code="330102102", name="新塘镇"),  # new
        feature(square(120.4, 30.2), code="330102103", name="东坞乡"),  # new
    )
    report = import_boundaries(any_engine, text, create_townships=True)
    assert report.status == "stored" and report.ok
    assert created(report) == [(3, "330102102", "新塘镇", "town"), (4, "330102103", "东坞乡", "township")]
    assert [(m.index, m.code, m.how) for m in report.matched] == [
        (1, "330102001", "code"), (2, "YB", "name"), (3, "330102102", "code"), (4, "330102103", "code")]
    after = townships(any_engine)
    assert sorted(after) == ["330102001", "330102102", "330102103", "YB"]
    # after the existing ones, in file order
    assert after["330102102"][2] == 8 and after["330102103"][2] == 9
    assert after["YB"][3] == square(120.2, 30.2)


def test_an_ambiguous_name_creates_nothing(any_engine):
    with Session(any_engine) as s:
        s.add(Township(code="A", name="青岚镇", kind=TownshipKind.TOWN))
        s.add(Township(code="B", name="青岚乡", kind=TownshipKind.TOWNSHIP))
        s.commit()
    report = import_boundaries(any_engine, collection(feature(square(1, 1), code="C", name="青岚")),
                               create_townships=True)
    assert report.created == [] and [u.problem for u in report.unmatched] == ["ambiguous"]
    assert sorted(townships(any_engine)) == ["A", "B"]


# --------------------------------------------------------------------------- what is not created


def test_repeated_codes_and_names_in_the_file_are_parts_of_the_first(any_engine):
    text = collection(
        feature(square(120.1, 30.2), code="330102001", name="清波街道"),
        feature(square(120.2, 30.2), code="330102001", name="别的镇"),  # same code
        feature(square(120.3, 30.2), code="330102002", name="清波街道"),  # same name
        feature(square(120.4, 30.2), code="330102003", name="清波"),  # the name without its ending
    )
    report = import_boundaries(any_engine, text, create_townships=True)
    assert created(report) == [(1, "330102001", "清波街道", "subdistrict")]
    # issue 13: features of one township are its parts, merged (they were dropped as duplicates)
    assert [(m.index, m.code) for m in report.matched] == [(i, "330102001") for i in (1, 2, 3, 4)]
    assert report.unmatched == []
    assert "别的镇" in report.matched[1].warning  # the name is not the code's township's: said, not silent
    merged = {"type": "MultiPolygon", "coordinates": [square(x, 30.2)["coordinates"] for x in (120.1, 120.2, 120.3, 120.4)]}
    assert townships(any_engine) == {"330102001": ("清波街道", "subdistrict", 0, merged, False)}


def test_the_feature_that_created_a_township_gives_it_its_boundary(any_engine):
    # feature 1 cannot create one (no ending) but its name fits the township feature 2 creates
    text = collection(feature(square(120.1, 30.2), code="A1", name="甲"),
                      feature(square(120.2, 30.2), code="B2", name="甲镇"))
    report = import_boundaries(any_engine, text, create_townships=True)
    assert created(report) == [(2, "B2", "甲镇", "town")]
    # issue 13: feature 1 is a part of it, merged (it was dropped as a duplicate)
    assert [(m.index, m.code) for m in report.matched] == [(1, "B2"), (2, "B2")]
    assert report.unmatched == []
    assert townships(any_engine)["B2"][3] == {
        "type": "MultiPolygon", "coordinates": [square(120.1, 30.2)["coordinates"], square(120.2, 30.2)["coordinates"]]}


def test_invalid_geometry_creates_nothing(any_engine):
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    text = collection(feature(bowtie, code="330102001", name="清波街道"),
                      feature(None, code="330102002", name="上城镇"))
    report = import_boundaries(any_engine, text, create_townships=True)
    assert report.status == "nothing" and report.created == []
    assert [u.problem for u in report.unmatched] == ["invalid_geometry", "invalid_geometry"]
    assert townships(any_engine) == {}


@pytest.mark.parametrize("props, says", [
    ({"name": "清波街道"}, "没有代码"),
    ({"code": "33-0102", "name": "清波街道"}, "不是 1–12 位字母或数字"),
    ({"code": "3301020010011", "name": "清波街道"}, "不是 1–12 位字母或数字"),  # 13 digits
    ({"code": "三三零", "name": "清波街道"}, "不是 1–12 位字母或数字"),
    ({"code": "330102001"}, "没有名称"),
    ({"code": "330102001", "name": "长" * 40 + "镇"}, "超过 40 个字"),
    ({"code": "330102001", "name": "湖滨区"}, UNKNOWN_KIND),
    ({"code": "330102001", "name": "镇"}, UNKNOWN_KIND),
    ({"code": "330102001", "name": "街道办事处"}, UNKNOWN_KIND),
])
def test_a_feature_that_cannot_create_a_township_is_reported_with_the_reason(props, says):
    fc = read_geojson(collection(feature(square(1, 1), **props)))
    planned, refused = plan_townships(fc, [])
    assert planned == [] and says in refused[1]


def test_kind_from_the_name_ending():
    assert kind_from_name("清波街道") == "subdistrict" and kind_from_name("上城镇") == "town"
    assert kind_from_name("西岭乡") == "township"
    assert kind_from_name("湖滨区") is None and kind_from_name("乡") is None and kind_from_name("乡村") is None


# --------------------------------------------------------------------------- a real file


def test_the_real_county_file_matches_by_its_12_digit_code_or_its_name(any_engine):
    """Three Beijing districts from Vonng/adcode (tests/data/boundaries/README.md): ``code`` is the
    12-digit 统计用区划代码, ``adcode`` the 6-digit one."""
    text = REAL_FILE.read_text(encoding="utf-8")
    fc = json.loads(text)
    with Session(any_engine) as s:
        s.add(Township(code="110101000000", name="东城", kind=TownshipKind.SUBDISTRICT, sort_order=0))
        s.add(Township(code="XC", name="西城区", kind=TownshipKind.SUBDISTRICT, sort_order=1))
        s.commit()
    report = import_boundaries(any_engine, text, create_townships=True)
    assert [(m.index, m.code, m.how) for m in report.matched] == [(1, "110101000000", "code"), (2, "XC", "name")]
    [u] = report.unmatched  # 石景山区: no township, and its name says nothing of the kind
    assert (u.index, u.code, u.name, u.problem) == (3, "110107000000", "石景山区", "not_created")
    after = townships(any_engine)
    assert sorted(after) == ["110101000000", "XC"]
    assert after["110101000000"][3] == fc["features"][0]["geometry"]
    assert after["XC"][3] == fc["features"][1]["geometry"]


def test_the_real_county_file_creates_nothing_in_an_empty_database(any_engine, tmp_path):
    """The CLI with ``--create-townships`` on an empty database: names ending in 区 give no kind, so
    nothing is created, each feature says why, and the command fails."""
    r = cli(["boundaries", "import", "--create-townships", str(REAL_FILE)], any_engine)
    assert r.returncode == 1
    assert r.stdout.count(UNKNOWN_KIND) == 3
    assert "第 1 个要素（code=110101000000, name=东城区）" in r.stdout
    assert "没有任何要素与乡镇匹配" in r.stderr
    assert townships(any_engine) == {}


# --------------------------------------------------------------------------- the CLI


def engine_url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def cli(args, engine):
    """``dangong ARGS`` in this process, on ``engine``'s database (tests/cli/test_cli.py)."""
    from tests.cli.test_cli import invoke

    return invoke(args, engine_url(engine))


def test_cli_create_townships_sets_up_an_empty_database(any_engine, tmp_path):
    path = tmp_path / "district.geojson"
    path.write_text(DISTRICT, encoding="utf-8")
    r = cli(["boundaries", "import", "--create-townships", "--dry-run", str(path)], any_engine)
    assert r.returncode == 0, r.stderr
    assert "将根据文件新建 3 个乡镇街道" in r.stdout and "试运行" in r.stdout
    assert townships(any_engine) == {}
    r = cli(["boundaries", "import", "--create-townships", str(path)], any_engine)
    assert r.returncode == 0, r.stderr
    assert "根据文件新建了 3 个乡镇街道" in r.stdout and "  + 清波街道（330102001，街道）← 第 1 个要素" in r.stdout
    assert "第 4 个要素（code=330102301, name=湖滨）：" in r.stdout and UNKNOWN_KIND in r.stdout
    assert {code: t[:3] for code, t in townships(any_engine).items()} == {
        "330102001": ("清波街道", "subdistrict", 0), "330102101000": ("上城镇", "town", 1),
        "330102201": ("西岭乡", "township", 2)}
    # run again: everything matches, nothing new
    r = cli(["boundaries", "import", "--create-townships", str(path)], any_engine)
    assert r.returncode == 0, r.stderr
    assert "根据文件新建" not in r.stdout and len(townships(any_engine)) == 3


def test_cli_without_the_option_creates_nothing(any_engine, tmp_path):
    path = tmp_path / "district.geojson"
    path.write_text(DISTRICT, encoding="utf-8")
    r = cli(["boundaries", "import", str(path)], any_engine)
    assert r.returncode == 1 and townships(any_engine) == {}


def test_cli_help_lists_the_option(any_engine):
    """At 80 columns the whole help shows (wrapped, not cut off with "…")."""
    from tests.cli.test_cli import invoke

    r = invoke(["boundaries", "import", "--help"], engine_url(any_engine), COLUMNS="80")
    assert r.returncode == 0
    flat = "".join(r.stdout.split()).replace("│", "")
    assert "--create-townships" in flat and "…" not in r.stdout
    assert "为文件中没有对应乡镇的要素新建乡镇街道（按名称结尾判断镇/乡/街道）/createatownshipforeachfeature" in flat
