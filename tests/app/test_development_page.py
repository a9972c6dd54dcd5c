"""AppTest of 荐优纳新推评制 (/development): a leader reads the figures with every name hidden and opens
one record (audited); a township account sees its own people's names and cannot reach another
township's record; staff record a recommendation, move a person on, record an evaluation, a
withdrawal and a year's new Party members on the page."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.app.test_overview import run
from tests.factories import DEMO_TODAY


def dev_page(user="leader", **params):
    at = run(_user=user, **params)
    at.switch_page("app_pages/development.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def own_app_env(demo_template, tmp_path, monkeypatch):
    from models.settings import get_settings

    url = demo_template.copy(tmp_path / "development.sqlite")
    monkeypatch.setenv("DANGONG_DATABASE_URL", url)
    get_settings.cache_clear()
    engine = sa.create_engine(url)
    yield engine
    engine.dispose()


def one(engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).scalar()


def people_frame(at):
    return next(d.value for d in at.dataframe if "姓名" in d.value.columns)


def test_a_leader_sees_figures_not_names_and_opens_one_record_audited(own_app_env):
    engine = own_app_env
    at = dev_page()
    labels = [m.label for m in at.metric]
    assert labels == ["近12个月工会推荐", "工会推荐发展党员占比", "发展对象评议率", "超期滞留"]
    assert f"{DEMO_TODAY.year - 1}年 " in " ".join(c.value for c in at.caption)  # the share's year
    assert all(m.help for m in at.metric)  # every KPI carries its definition
    towns = next(d.value for d in at.dataframe if "乡镇/街道" in d.value.columns and "企业" not in d.value.columns)
    assert towns["乡镇/街道"].iloc[-1] == "合计" and len(towns) == 11
    people = people_frame(at)
    assert len(people) == 200 and set(people["姓名"]) == {"（已隐藏）"}  # masked by the query, not a hidden widget
    all_names = {n for (n,) in sa.create_engine(str(engine.url)).connect().execute(
        sa.text("SELECT person_name FROM activist_recommendation"))}
    shown = " ".join(str(v) for d in at.dataframe for v in d.value.astype(str).to_numpy().ravel())
    assert not any(n in shown for n in all_names if len(n) >= 2)  # no name anywhere in the leader's tables
    assert not [e for e in at.expander if "登记与维护" in e.label]  # a leader reads only
    rid = int(people["#"].iloc[0])
    before = one(engine, "SELECT count(*) FROM audit_event WHERE action = 'development_record_opened'")
    at.selectbox(key="development_open_pick").set_value(rid).run()
    at.button(key="development_open_button").click().run()
    assert not at.exception, [e.value for e in at.exception]
    name = one(engine, "SELECT person_name FROM activist_recommendation WHERE id = :i", i=rid)
    assert any(name in m.value and f"#{rid}" in m.value for m in at.markdown)
    assert one(engine, "SELECT count(*) FROM audit_event WHERE action = 'development_record_opened' AND "
                       "username = 'leader' AND entity_id = :i", i=str(rid)) == 1
    assert one(engine, "SELECT count(*) FROM audit_event WHERE action = 'development_record_opened'") == before + 1


def test_a_township_sees_its_own_names_and_not_another_townships_record(own_app_env):
    engine = own_app_env
    at = dev_page(user="yuebei")
    people = people_frame(at)
    assert set(people["乡镇/街道"]) == {"越北镇"} and "（已隐藏）" not in set(people["姓名"])
    assert not [e for e in at.expander if "查看个人记录" in e.label]  # nothing hidden from it: nothing to open
    # its own person's enterprise is moved to another township after the form was drawn: the save is
    # checked against the row as stored, refused, nothing written
    at.segmented_control(key="development_form_mode").set_value("withdraw").run()
    rid = at.selectbox(key="development_withdraw_pick").value
    ent = one(engine, "SELECT enterprise_id FROM activist_recommendation WHERE id = :i", i=rid)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE enterprise SET township_id = (SELECT id FROM township WHERE code = 'QL') "
                             "WHERE id = :e"), {"e": ent})
    stage = one(engine, "SELECT stage FROM activist_recommendation WHERE id = :i", i=rid)
    at.text_input(key="development_withdraw_reason").input("调离企业")
    at.button(key="development_withdraw_submit").click().run()
    assert any("只能修改本人负责乡镇/街道的记录" in e.value for e in at.error), [e.value for e in at.error]
    assert one(engine, "SELECT stage FROM activist_recommendation WHERE id = :i", i=rid) == stage != "withdrawn"


def test_staff_record_and_move_a_person_on_the_page(own_app_env):
    engine = own_app_env
    ent_name = one(engine, "SELECT e.name FROM enterprise e JOIN township t ON t.id = e.township_id JOIN union_coverage c "
                           "ON c.enterprise_id = e.id WHERE t.code = 'YB' AND e.closed_on IS NULL AND c.end_on IS NULL "
                           "ORDER BY e.id LIMIT 1")
    at = dev_page(user="staff")
    at.text_input(key="development_rec_search").input(ent_name).run()
    at.text_input(key="development_rec_name").input("")
    at.button(key="development_rec_submit").click().run()
    assert any("姓名" in e.value and "必须填写" in e.value for e in at.error)  # refused, the field named
    at.text_input(key="development_rec_name").input("测试推荐人")
    at.date_input(key="development_rec_day").set_value(dt.date(2024, 1, 10))
    at.button(key="development_rec_submit").click().run()
    assert not at.exception and any("已保存" in s.value for s in at.success), [e.value for e in at.error]
    rid = one(engine, "SELECT id FROM activist_recommendation WHERE person_name = '测试推荐人'")
    assert rid and one(engine, "SELECT union_id FROM activist_recommendation WHERE id = :i", i=rid) is not None

    at.segmented_control(key="development_form_mode").set_value("advance").run()
    at.text_input(key="development_advance_search").input(ent_name).run()
    at.selectbox(key="development_advance_pick").set_value(rid).run()
    at.date_input(key="development_advance_day").set_value(dt.date(2024, 3, 1))
    at.button(key="development_advance_submit").click().run()
    assert one(engine, "SELECT stage FROM activist_recommendation WHERE id = :i", i=rid) == "activist"
    at.selectbox(key="development_advance_pick").set_value(rid).run()
    at.date_input(key="development_advance_day").set_value(dt.date(2025, 2, 1))  # less than a year of training
    at.button(key="development_advance_submit").click().run()
    assert any("一年以上培养考察" in e.value for e in at.error), [e.value for e in at.error]
    at.date_input(key="development_advance_day").set_value(dt.date(2025, 3, 5))
    at.button(key="development_advance_submit").click().run()
    assert one(engine, "SELECT stage FROM activist_recommendation WHERE id = :i", i=rid) == "candidate"

    at.segmented_control(key="development_form_mode").set_value("evaluate").run()
    at.text_input(key="development_evaluate_search").input(ent_name).run()
    at.selectbox(key="development_evaluate_pick").set_value(rid).run()
    at.date_input(key="development_evaluate_day").set_value(dt.date(2025, 4, 1))
    at.button(key="development_evaluate_submit").click().run()
    assert one(engine, "SELECT evaluation FROM activist_recommendation WHERE id = :i", i=rid) == "passed"

    at.segmented_control(key="development_form_mode").set_value("withdraw").run()
    at.text_input(key="development_withdraw_search").input(ent_name).run()
    at.selectbox(key="development_withdraw_pick").set_value(rid).run()
    at.date_input(key="development_withdraw_day").set_value(dt.date(2025, 5, 1))
    at.text_input(key="development_withdraw_reason").input("调离企业")
    at.button(key="development_withdraw_submit").click().run()
    assert one(engine, "SELECT withdrawn_reason FROM activist_recommendation WHERE id = :i", i=rid) == "调离企业"

    at.segmented_control(key="development_form_mode").set_value("admissions").run()
    at.text_input(key="development_adm_search").input(ent_name).run()
    at.number_input(key="development_adm_year").set_value(2025)
    at.number_input(key="development_adm_n").set_value(7)
    at.button(key="development_adm_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    ent = one(engine, "SELECT id FROM enterprise WHERE name = :n", n=ent_name)
    assert one(engine, "SELECT admitted FROM party_admission WHERE enterprise_id = :e AND year = 2025", e=ent) == 7
    actions = {a for (a,) in engine.connect().execute(sa.text(
        "SELECT action FROM audit_event WHERE username = 'staff' AND action LIKE 'development_%'"))}
    assert actions == {"development_recommended", "development_advanced", "development_evaluated",
                       "development_withdrawn", "development_admissions"}


def test_the_page_in_english_and_before_any_recommendation(app_env):
    at = dev_page(lang="en", asof="2001-06-30")
    assert any("No recommendations in this scope yet." in i.value for i in at.info)
    at = dev_page(lang="en", asof="2002-12-31")
    assert [m.label for m in at.metric][1] == "New members via the union"
    assert any(c.value.startswith("2002: ") for c in at.caption)
