"""AppTest of the boundary upload section (``ui/sections/admin/boundaries.render``) on a copy of the
demo district: a real file is checked (dry run: nothing written, the table and the problems shown),
then saved by the logged-in admin (audited under their name); a boundary is removed."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from tests.models.test_boundaries_real import DONGCHENG, XICHENG, datav, split, text_of


def section_script() -> None:  # runs inside AppTest: imports of its own
    import datetime as dt

    import streamlit as st

    from dashboard.queries.scope import Scope
    from dashboard.ui.auth import CurrentUser
    from dashboard.ui.sections import Context
    from dashboard.ui.sections.admin import boundaries
    from dashboard.ui.state import Filters
    from models.enums import Role

    st.session_state["user"] = CurrentUser(1, "admin", "管理员", Role.ADMIN, Scope())
    filters = Filters(scope=Scope(), township_codes=(), as_of=dt.date(2024, 1, 1), locale="zh")
    from dashboard.ui import data

    boundaries.render(Context(filters, st.session_state["user"], data.database_url()))


@pytest.fixture
def engine(demo_template, tmp_path, monkeypatch):
    from models.db import make_engine
    from models.settings import get_settings

    url = demo_template.copy(tmp_path / "bnd.sqlite")
    monkeypatch.setenv("DANGONG_DATABASE_URL", url)
    get_settings.cache_clear()
    engine = make_engine(url)
    yield engine
    engine.dispose()


def state(engine) -> tuple[dict, list]:
    with engine.connect() as conn:
        shapes = {r.code: r.boundary_geojson for r in conn.execute(sa.text("SELECT code, boundary_geojson FROM township"))}
        events = [tuple(r) for r in conn.execute(sa.text(
            "SELECT action, username FROM audit_event WHERE action LIKE 'boundaries%' ORDER BY id"))]
    return shapes, events


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_check_shows_the_table_and_problems_then_save_stores_as_the_admin(engine):
    with engine.connect() as conn:
        (code, name), (code2, _) = conn.execute(sa.text("SELECT code, name FROM township ORDER BY sort_order LIMIT 2")).all()
    parts = split(DONGCHENG, 2)
    text = text_of(datav(name, 0, parts[0]), datav(name, 0, parts[1]), datav("不存在镇", 0, XICHENG))
    before = state(engine)
    at = ok(AppTest.from_function(section_script, default_timeout=60).run())
    at.file_uploader[0].set_value([("district.geojson", text.encode("utf-8"), "application/geo+json")])
    ok(at.run())
    ok(at.button(key="bnd_check_button").click().run())
    assert state(engine) == before  # the check writes nothing
    [table] = at.dataframe
    frame = table.value
    assert list(frame["要素"]) == [1, 2, 3] and list(frame["乡镇"])[:2] == [f"{name}（{code}）"] * 2
    warnings = [w.value for w in at.warning]
    assert any("未找到代码或名称相符的乡镇" in w for w in warnings)
    assert any("第 1、2 个要素合并为一个多面" in w for w in warnings)
    assert any("阿里云 DataV" in w for w in warnings)  # the GCJ-02 hint
    ok(at.button(key="bnd_save").click().run())
    shapes, events = state(engine)
    assert json.loads(shapes[code])["type"] == "MultiPolygon" and shapes[code2] == before[0][code2]
    assert events[-1] == ("boundaries_import", "admin")
    assert any("已保存 1 个乡镇的边界" in s.value for s in at.success), [s.value for s in at.success] + [e.value for e in at.error]


def test_remove_needs_the_confirmation_and_is_audited(engine):
    with engine.connect() as conn:
        code = conn.execute(sa.text("SELECT code FROM township WHERE boundary_geojson IS NOT NULL "
                                    "ORDER BY sort_order LIMIT 1")).scalar_one()
    at = ok(AppTest.from_function(section_script, default_timeout=60).run())
    at.selectbox(key="bnd_remove_code").set_value(code)
    ok(at.run())
    assert at.button(key="bnd_remove").disabled
    at.checkbox(key="bnd_remove_sure").check()
    ok(at.run())
    ok(at.button(key="bnd_remove").click().run())
    shapes, events = state(engine)
    assert shapes[code] is None and events[-1] == ("boundaries_remove", "admin")
