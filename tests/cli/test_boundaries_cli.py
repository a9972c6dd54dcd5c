"""``dangong boundaries import`` options (issue 13) and ``dangong boundaries remove``, in this process
(``invoke``), on real boundaries (tests/data/boundaries/) in a fresh migrated database."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from models.boundaries import wgs84_to_gcj02
from tests.cli.test_cli import invoke
from tests.models.test_boundaries_real import DONGCHENG, SHIJINGSHAN, XICHENG, datav, split, text_of


@pytest.fixture
def db(migrated_template, tmp_path) -> str:
    """A migrated database with three townships and no boundary."""
    url = migrated_template.copy(tmp_path / "cli.sqlite")
    from sqlmodel import Session

    from models.enums import TownshipKind
    from models.tables import Township

    engine = sa.create_engine(url)
    with Session(engine) as s:
        for n, (code, name) in enumerate([("110101", "东城区"), ("110102", "西城区"), ("220202001", "乌拉街满族镇")]):
            s.add(Township(code=code, name=name, kind=TownshipKind.SUBDISTRICT, sort_order=n))
        s.commit()
    engine.dispose()
    return url


def boundaries(url: str) -> dict:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        got = {r.code: json.loads(r.boundary_geojson) if r.boundary_geojson else None
               for r in conn.execute(sa.text("SELECT code, boundary_geojson FROM township"))}
        events = [tuple(r) for r in conn.execute(sa.text("SELECT action, username, detail FROM audit_event "
                                                         "WHERE action LIKE 'boundaries%' ORDER BY id"))]
    engine.dispose()
    return {"shapes": got, "events": events}


def write(tmp_path, text: str, name: str = "b.geojson"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_district_in_three_features_is_merged_and_the_command_says_so(db, tmp_path):
    path = write(tmp_path, text_of(*(datav("东城区", 110101, p) for p in split(DONGCHENG, 3))))
    r = invoke(["boundaries", "import", str(path)], db)
    assert r.returncode == 0, r.stderr
    assert "第 1、2、3 个要素合并为一个多面" in r.stdout and "未导入 0 个" in r.stdout
    assert "GCJ-02" in r.stdout  # a DataV-looking file: the hint to use --crs gcj02
    assert boundaries(db)["shapes"]["110101"]["type"] == "MultiPolygon"


def test_a_code_name_conflict_is_refused_unless_the_code_is_trusted(db, tmp_path):
    path = write(tmp_path, text_of(datav("西城区", 110101, DONGCHENG)))
    r = invoke(["boundaries", "import", str(path)], db)
    assert r.returncode == 1 and "没有任何要素与乡镇匹配" in r.stderr  # nothing matched: exit 1, the reason on stdout
    assert "是 西城区（110102） 的名称".replace(" ", "") in r.stdout.replace(" ", "") and "--trust-code" in r.stdout
    assert boundaries(db)["shapes"]["110101"] is None
    r = invoke(["boundaries", "import", "--trust-code", str(path)], db)
    assert r.returncode == 0 and "⚠" in r.stdout
    assert boundaries(db)["shapes"]["110101"] == {"type": "MultiPolygon", "coordinates": [DONGCHENG["coordinates"]]}


def test_name_key_and_a_gb18030_mapping_file(db, tmp_path):
    feature = lambda g, **p: {"type": "Feature", "properties": p, "geometry": g}  # noqa: E731
    path = write(tmp_path, text_of(feature(DONGCHENG, XZMC="乌拉街镇", NAME="x"), feature(XICHENG, XZMC="西城老城区"),
                                   bom=False))
    csv = tmp_path / "map.csv"
    csv.write_bytes("要素名称,乡镇代码\n西城老城区,110102\n".encode("gb18030"))
    r = invoke(["boundaries", "import", "--name-key", "XZMC", "--mapping", str(csv), str(path)], db)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "按名称（民族名称" in r.stdout and "按映射文件" in r.stdout
    shapes = boundaries(db)["shapes"]
    assert shapes["220202001"] == DONGCHENG and shapes["110102"] == XICHENG


def test_a_name_key_no_feature_has_lists_the_keys_it_has_and_writes_nothing(db, tmp_path):
    path = write(tmp_path, text_of(datav("东城区", 110101, DONGCHENG)))
    r = invoke(["boundaries", "import", "--name-key", "XZMC", str(path)], db)
    assert r.returncode == 1 and "没有任何要素有属性 XZMC" in r.stderr and "adcode" in r.stderr
    assert boundaries(db) == {"shapes": {"110101": None, "110102": None, "220202001": None}, "events": []}


def test_a_feature_without_known_keys_is_told_which_keys_are_read(db, tmp_path):
    feature = {"type": "Feature", "properties": {"名字": "东城区"}, "geometry": DONGCHENG}
    r = invoke(["boundaries", "import", str(write(tmp_path, text_of(feature)))], db)
    assert r.returncode == 1
    assert "代码从属性 code、township_code、CODE、adcode、XZDM、乡镇代码 读取" in r.stdout
    assert "XZMC、name:zh、shapeName、乡镇名称、TOWN" in r.stdout and "名字" in r.stdout


def test_help_names_the_default_keys_and_the_new_options():
    r = invoke(["boundaries", "import", "--help"], "sqlite://")
    for word in ("--name-key", "--code-key", "--mapping", "--crs", "--trust-code", "XZMC", "shapeName"):
        assert word in r.stdout


def test_crs_gcj02_converts_and_a_bad_crs_is_refused(db, tmp_path):
    ring = XICHENG["coordinates"][0]
    gcj = {"type": "Polygon", "coordinates": [[list(wgs84_to_gcj02(x, y)) for x, y in ring]]}
    path = write(tmp_path, text_of(datav("西城区", 110102, gcj)))
    r = invoke(["boundaries", "import", "--crs", "bd09", str(path)], db)
    assert r.returncode == 1 and "--crs 只能是 wgs84 或 gcj02" in r.stderr and boundaries(db)["events"] == []
    r = invoke(["boundaries", "import", "--crs", "gcj02", str(path)], db)
    assert r.returncode == 0 and "GCJ-02 转换为 WGS 84" in r.stdout
    stored = boundaries(db)["shapes"]["110102"]["coordinates"][0][0]
    assert max(abs(a - b) for p, q in zip(ring, stored) for a, b in zip(p, q)) < 1e-8
    assert "crs=gcj02" in boundaries(db)["events"][-1][2]


def test_remove_a_boundary_and_unknown_codes(db, tmp_path):
    invoke(["boundaries", "import", str(write(tmp_path, text_of(datav("石景山", 110102, SHIJINGSHAN),
                                                                datav("东城区", 110101, DONGCHENG))))], db)
    r = invoke(["boundaries", "remove", "110101"], db)
    assert r.returncode == 0 and "已删除 东城区（110101）的边界" in r.stdout
    got = boundaries(db)
    assert got["shapes"]["110101"] is None and got["shapes"]["110102"] is not None
    assert got["events"][-1][:2] == ("boundaries_remove", "cli")
    for code, says in (("NOPE", "没有代码为 NOPE 的乡镇"), ("110101", "没有边界")):
        r = invoke(["boundaries", "remove", code], db)
        assert r.returncode == 1 and says in r.stderr
    assert len(boundaries(db)["events"]) == len(got["events"])
