"""AppTest of the founding-lead pipeline (攻坚 → 建会线索): its figures are the queries', a leader
reads without forms, a township account sees its own townships only, staff record a lead and walk it
to 已建会 on the page (the union is founded and the lead leaves the open list)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Session

from dashboard.queries import leads
from dashboard.queries.scope import Scope
from tests.app.test_overview import run

AS_OF = "2026-11-30"


def leads_page(user="leader", **params):
    at = run(_user=user, asof=AS_OF, view="leads", **params)
    at.switch_page("app_pages/campaigns.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def frame_with(at, column: str):
    found = [d.value for d in at.dataframe if column in getattr(d.value, "columns", [])]
    assert found, f"no table with a column {column!r}"
    return found[0]


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_a_leader_reads_the_pipeline_and_its_figures_are_the_queries(app_env):
    import os

    at = leads_page()
    engine = sa.create_engine(os.environ["DANGONG_DATABASE_URL"])
    with Session(engine) as s:
        day = dt.date.fromisoformat(AS_OF)
        funnel = leads.funnel(s, Scope.district(), day).set_index("stage")["now"]
        overdue = leads.count_leads(s, Scope.district(), day, leads.LeadFilter(only="overdue"))
        total = leads.count_leads(s, Scope.district(), day)
    engine.dispose()
    open_ = int(funnel[["identified", "contacted", "notice_sent", "preparing"]].sum())
    assert metric(at, "跟踪中的线索") == str(open_)
    assert metric(at, "建会通知书逾期") == str(overdue)
    by_source = frame_with(at, "措施（来源）")
    assert set(by_source["措施（来源）"]) == {"把握契机", "预建通报", "盯住源头", "登门留帖", "调度招商", "拓宽领域", "合计"}
    assert by_source["线索数"].iloc[-1] == total  # the totals row: every lead identified by the date
    listed = frame_with(at, "本阶段起始")
    assert len(listed) == min(total, 200)
    assert not [e for e in at.expander if "登记与推进线索" in e.label]  # a leader reads only
    charts = list(at.get("vega_lite_chart")) or list(at.get("arrow_vega_lite_chart"))
    assert any('"reached"' in c.proto.spec for c in charts)


def test_the_view_control_and_the_url_choose_the_pipeline_and_a_bad_value_is_ignored(app_env):
    zones = run(asof=AS_OF)
    zones.switch_page("app_pages/campaigns.py").run()
    assert not [m for m in zones.metric if m.label == "跟踪中的线索"]  # the zones by default
    zones.segmented_control(key="camp_view").set_value("leads").run()
    assert [m for m in zones.metric if m.label == "跟踪中的线索"]
    assert zones.query_params["view"] == ["leads"] or zones.query_params["view"] == "leads"
    odd = run(asof=AS_OF, view="<script>")
    odd.switch_page("app_pages/campaigns.py").run()
    assert not odd.exception and any("view=<script>" in c.value for c in odd.caption)


def test_a_township_account_sees_its_own_leads(app_env):
    at = leads_page(user="yuebei")
    towns = frame_with(at, "乡镇街道")
    assert set(towns["乡镇街道"]) == {"越北镇"}
    listed = frame_with(at, "本阶段起始")
    assert set(listed["乡镇街道"]) == {"越北镇"}
    assert [e for e in at.expander if "登记与推进线索" in e.label]  # township accounts record leads


def test_staff_record_a_project_lead_link_it_and_walk_an_enterprise_lead_to_a_union(demo_template, tmp_path,
                                                                                      monkeypatch):
    from models.settings import get_settings

    url = demo_template.copy(tmp_path / "leads.sqlite")
    monkeypatch.setenv("DANGONG_DATABASE_URL", url)
    get_settings.cache_clear()
    at = leads_page(user="staff")
    at.radio(key="lead_new_kind").set_value("project").run()
    at.text_input(key="lead_new_name").input("（拟设）新能源电池项目")
    at.selectbox(key="lead_new_source").set_value("investment")
    at.button(key="lead_new_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("线索已保存" in s.value for s in at.success), [e.value for e in at.error]
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        lead = conn.execute(sa.text("SELECT * FROM founding_lead WHERE enterprise_name = '（拟设）新能源电池项目'")).mappings().one()
        assert (lead["source"], lead["stage"], lead["enterprise_id"]) == ("investment", "identified", None)
        # an open lead of a registered enterprise, to walk to a union
        target = conn.execute(sa.text(
            "SELECT l.id, l.enterprise_id, l.stage FROM founding_lead l WHERE l.enterprise_id IS NOT NULL "
            "AND l.stage IN ('contacted', 'preparing') ORDER BY l.id LIMIT 1")).mappings().one()
        unions = conn.execute(sa.text("SELECT count(*) FROM union_org")).scalar_one()
    at.segmented_control(key="lead_form_mode").set_value("advance").run()
    at.selectbox(key="lead_adv_pick").set_value(int(target["id"])).run()
    at.selectbox(key=f"lead_adv_stage_{target['id']}").set_value("founded").run()
    at.number_input(key=f"lead_adv_members_{target['id']}").set_value(9)
    at.button(key=f"lead_adv_submit_{target['id']}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("线索已保存" in s.value for s in at.success), [e.value for e in at.error]
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT stage, union_id FROM founding_lead WHERE id = :i"),
                           {"i": target["id"]}).mappings().one()
        assert row["stage"] == "founded" and row["union_id"] is not None
        assert conn.execute(sa.text("SELECT count(*) FROM union_org")).scalar_one() == unions + 1
        assert conn.execute(sa.text("SELECT enterprise_id FROM union_org WHERE id = :u"),
                            {"u": row["union_id"]}).scalar_one() == target["enterprise_id"]
    engine.dispose()
