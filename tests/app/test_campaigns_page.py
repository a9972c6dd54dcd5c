"""AppTest of 攻坚 (/campaigns): the 2002 campaign's totals (the source's 916 / 3 / 24,516), its four
zones with their pace and forecast, the burn-up chart; a township account sees its zones only."""

from __future__ import annotations

from tests.app.test_overview import run


def campaigns_page(user="leader", **params):
    at = run(_user=user, **params)
    at.switch_page("app_pages/campaigns.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_2002_campaign_shows_the_source_totals_and_four_zones_by_pace(app_env):
    at = campaigns_page(asof="2002-12-31")
    box = at.selectbox(key="camp_pick")
    assert box.options[0].startswith("2026年百日攻坚")  # newest first
    box.set_value(1).run()  # the picker's values are campaign ids (the labels only show them)
    assert not at.exception, [e.value for e in at.exception]
    text = " ".join(m.value for m in at.markdown)
    assert "新建基层工会 916 个" in text and "私营企业工会联合会 3 个" in text and "发展会员 24,516 人" in text
    zones = at.dataframe[0].value
    assert list(zones["战区"]) == ["第一战区", "第二战区", "第三战区", "第四战区"]
    # on 2002-12-31 every deadline has passed: done or overdue, never a pace word of a running campaign
    assert set(zones["状态"]) <= {"已完成", "逾期未完成"} and "已完成" in set(zones["状态"])
    done = zones[zones["状态"] == "已完成"]
    assert (done["预计完成"] == "已完成").all() and (zones["时间进度"] == "100.0%").all()
    charts = list(at.get("vega_lite_chart")) or list(at.get("arrow_vega_lite_chart"))
    burnup = [c for c in charts if '"new_unions"' in c.proto.spec]  # the other tab holds the leads' funnel
    assert len(burnup) == 1 and '"strokeDash"' in burnup[0].proto.spec


def test_a_running_campaign_forecasts_and_a_township_sees_only_its_zones(app_env):
    at = campaigns_page(user="yuebei", asof="2026-11-30")
    zones = at.dataframe[0].value
    assert len(zones) >= 1 and set(zones["战区"]) <= {"城区片", "乡镇片"}
    assert all(s in {"按期", "超前", "落后", "已完成", "逾期未完成", "战区含其他乡镇"} for s in zones["状态"])
    leader = campaigns_page(asof="2026-11-30")
    assert len(leader.dataframe[0].value) >= len(zones)


def test_staff_create_a_campaign_and_a_zone_on_the_page_and_a_leader_cannot(demo_template, tmp_path, monkeypatch):
    import datetime as dt

    import sqlalchemy as sa

    from models.settings import get_settings

    url = demo_template.copy(tmp_path / "campaigns.sqlite")
    monkeypatch.setenv("DANGONG_DATABASE_URL", url)
    get_settings.cache_clear()
    leader = campaigns_page(asof="2026-11-30")
    assert not [e for e in leader.expander if "管理攻坚活动" in e.label]

    at = campaigns_page(user="staff", asof="2026-11-30")
    assert [e for e in at.expander if "管理攻坚活动" in e.label]
    at.text_input(key="camp_form_new_name").input("2027年春季攻坚")
    at.date_input(key="camp_form_new_start").set_value(dt.date(2027, 1, 1))
    at.date_input(key="camp_form_new_end").set_value(dt.date(2026, 12, 1))  # before the start: refused
    at.button(key="camp_form_new_submit").click().run()
    assert any("“结束日期”不能早于开始日期" in e.value for e in at.error), [e.value for e in at.error]
    at.date_input(key="camp_form_new_end").set_value(dt.date(2027, 4, 10))
    at.button(key="camp_form_new_submit").click().run()
    assert not at.exception and any("已保存" in s.value for s in at.success)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        cid = conn.execute(sa.text("SELECT id FROM campaign WHERE name = '2027年春季攻坚'")).scalar_one()
        yb = conn.execute(sa.text("SELECT id FROM township WHERE code = 'YB'")).scalar_one()
    at.selectbox(key="camp_pick").set_value(cid).run()
    key = f"zone_form_{cid}_new"
    at.text_input(key=f"{key}_name").input("越北片")
    at.text_input(key=f"{key}_owner").input("王强")
    at.number_input(key=f"{key}_tu").set_value(10)
    at.number_input(key=f"{key}_tm").set_value(200)
    at.date_input(key=f"{key}_dl").set_value(dt.date(2027, 3, 31))
    at.multiselect(key=f"{key}_towns").set_value([yb])
    at.button(key=f"{key}_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("已保存" in s.value for s in at.success), [e.value for e in at.error]
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM campaign_zone WHERE campaign_id = :c"), {"c": cid}).scalar() == 1
    engine.dispose()
    assert list(at.dataframe[0].value["战区"]) == ["越北片"]
