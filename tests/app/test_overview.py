"""AppTest of the shell and the overview page on the demo database."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


def user_id(url: str, username: str) -> int:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        uid = conn.execute(sa.text("SELECT id FROM app_user WHERE username = :u"), {"u": username}).scalar_one()
    engine.dispose()
    return uid


def run(_user: str | None = "leader", **params) -> AppTest:
    """Run the app as a logged-in user (session state set as the login form would)."""
    import os

    from dashboard.ui.auth import USER_KEY

    at = AppTest.from_file(APP, default_timeout=90)
    if _user:
        at.session_state[USER_KEY] = user_id(os.environ["DANGONG_DATABASE_URL"], _user)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def badges(at: AppTest) -> list[str]:
    """st.badge renders as Markdown ``:colour-badge[…]``."""
    return [m.value for m in at.markdown if "-badge[" in m.value]


def test_district_at_the_seed_snapshot_shows_585_and_52(app_env):
    at = run(asof="2002-12-31", base="all")
    caps = captions(at)
    metrics = {m.label: m.value for m in at.metric}
    assert caps[0].startswith("585 / ") and metrics["建会率"] == f"{585 / int(caps[0].split('/')[1].split()[0]):.1%}"
    assert "52 / " in caps[3]  # 应建已建率: 52 of the qualified enterprises
    assert any("统计截至 2002年12月31日" in b for b in badges(at))
    assert any("演示数据" in b for b in badges(at))
    # the source's campaign totals, federations apart (issue #14, item 5)
    assert any("新建基层工会 916 个" in m.value and "私营企业工会联合会 3 个" in m.value and "24,516" in m.value
               for m in at.markdown)


def test_yuebei_filter_shows_37_7_30(app_env):
    at = run(asof="2002-12-31", base="all", town=["YB"])
    assert at.sidebar.multiselect[0].value == ["YB"]
    caps = captions(at)
    assert caps[0].startswith("37 / ")
    patterns = next(c for c in caps if c.startswith("一会一支"))
    assert "一会一支 7 家" in patterns and "一会一员 30 家" in patterns
    # the ranking table lists 越北镇 only
    table = at.dataframe[-1].value
    assert list(table.iloc[:, 0]) == ["越北镇"]


def test_english_labels_and_numbers(app_env):
    at = run(asof="2002-12-31", base="all", lang="en")
    labels = [m.label for m in at.metric]
    assert labels[:2] == ["Union coverage", "Membership rate"]
    assert captions(at)[0].startswith("585 / ") and "enterprises" in captions(at)[0]
    assert any("As of 2002-12-31" in b for b in badges(at))
    assert any("演示数据 / demo data" in b for b in badges(at))


@pytest.mark.parametrize(
    "params, fragments",
    [
        ({"asof": "2002-13-45"}, ["2002-13-45"]),
        ({"asof": "yesterday"}, ["yesterday"]),
        ({"asof": "1900-01-01"}, ["1900-01-01"]),
        ({"town": ["XX", "YB"]}, ["XX"]),
        ({"lang": "fr"}, ["fr"]),
        ({"asof": "2002-12-31'; DROP TABLE enterprise;--", "town": ["<script>"]}, ["DROP TABLE", "<script>"]),
    ],
)
def test_malformed_url_values_are_ignored_with_a_notice(app_env, params, fragments):
    at = run(**params)
    notices = " ".join(w.value for w in at.warning).replace("\\", "")  # as shown: the values are escaped Markdown
    for fragment in fragments:
        assert fragment in notices
    assert at.metric  # the page still renders its figures


def test_valid_township_kept_when_another_is_unknown(app_env):
    at = run(town=["XX", "YB"], asof="2002-12-31", base="all")
    assert at.sidebar.multiselect[0].value == ["YB"]
    assert captions(at)[0].startswith("37 / ")


def test_changing_a_filter_updates_the_url(app_env):
    at = run(asof="2002-12-31", base="all")
    at.sidebar.multiselect[0].set_value(["YB", "QL"]).run()
    assert at.query_params["town"] == ["YB", "QL"]
    at.sidebar.multiselect[0].set_value([]).run()
    assert "town" not in at.query_params
    at.segmented_control[0].set_value("en").run()
    assert at.query_params["lang"] in ("en", ["en"])
    assert at.metric[0].label == "Union coverage"


def test_a_date_changes_every_figure(app_env):
    then = run(asof="2002-12-31", base="all")
    later = run(asof="2015-06-30")
    assert captions(then)[0] != captions(later)[0]


def test_dead_database_shows_what_to_check_not_a_traceback(monkeypatch, tmp_path):
    from models.settings import get_settings

    monkeypatch.setenv("DANGONG_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.sqlite'}")
    get_settings.cache_clear()
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    text = " ".join(e.value for e in at.error)
    assert "dangong db upgrade" in text
    assert any("DANGONG_DATABASE_URL" in i.value for i in at.info)


def test_campaign_zones_show_the_same_status_word_and_colour_as_the_slide(app_env):
    """On 2002-12-31 every zone's deadline has passed: 已完成 (green) when it met both targets, else 逾期未完成
    (red) — the pace words of ``views.status.campaign_pace``, as on slide 3."""
    import datetime as dt

    from sqlmodel import Session

    from dashboard.queries.campaigns import campaign_progress
    from dashboard.queries.scope import Scope
    from models.db import make_engine

    engine = make_engine(app_env)
    with Session(engine) as s:
        zones = campaign_progress(s, Scope.district(), dt.date(2002, 12, 31))
    engine.dispose()
    expected = {z.zone: ":green-badge[已完成]" if z.new_unions >= z.target_unions and z.new_members >= z.target_members
                else ":red-badge[逾期未完成]" for z in zones.itertuples(index=False)}
    assert set(expected.values()) == {":green-badge[已完成]", ":red-badge[逾期未完成]"}
    lines = [m.value for m in run(asof="2002-12-31", base="all").markdown]
    for zone, badge in expected.items():
        assert any(line.startswith(f"**{zone}**") and line.endswith(badge) for line in lines), (zone, badge, lines)


def _mini_map(at) -> tuple[list[str], dict]:
    """The overview's map (the chart whose data are township shapes): the codes drawn, the shapes' encoding."""
    import json

    for chart in at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        if spec.get("projection"):
            values = next(iter(spec["datasets"].values())) if spec.get("datasets") else spec["data"]["values"]
            return [f["properties"]["code"] for f in values], spec["layer"][0]["encoding"]
    raise AssertionError("no map on the overview")


def test_the_mini_map_shows_the_district_with_the_filtered_township_outlined(app_env):
    """Issue 17: with a township filter the overview's map was a lone blob. Now it draws every
    township the user may see, the filtered one outlined and the others dimmed; the figures above
    it stay the township's."""
    codes, enc = _mini_map(run(asof="2002-12-31", base="all", town=["YB"]))
    assert len(codes) == 10 and "YB" in codes
    assert enc["stroke"]["condition"]["test"] == {"field": "code", "oneOf": ["YB"]}
    assert enc["opacity"]["condition"]["value"] == 1 and enc["opacity"]["value"] < 1
    codes, enc = _mini_map(run(asof="2002-12-31", base="all"))
    assert len(codes) == 10 and enc["opacity"] == {"value": 1}  # no filter: none dimmed


def test_a_township_account_sees_only_its_own_township_on_the_mini_map(app_env):
    """The map reads the account's scope in SQL: a township account draws its own townships only,
    never its neighbours' shapes or figures."""
    codes, _ = _mini_map(run(_user="yuebei", asof="2002-12-31", base="all"))
    assert codes == ["YB"]
