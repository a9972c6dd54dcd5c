"""AppTest of 台账维护 on the ledger's detail: a leader sees no form (reads only); the 越北镇
township account records a union founding (a refusal first, named by its field, writing nothing),
a Party organisation whose level needs confirming, and sees the history and the overview change.
Each test writes, so each runs on a copy of the demo district of its own."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from dashboard.queries.dates import district_today
from tests.app.test_overview import run
from tests.factories import app_on_own_demo


@pytest.fixture
def own_app_env(demo_template, tmp_path, monkeypatch):
    return app_on_own_demo(demo_template, tmp_path / "upkeep.sqlite", monkeypatch)


def _one(url: str, sql: str):
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(sql)).one()
    finally:
        engine.dispose()


BARE = ("SELECT e.id, e.name, e.employees, e.party_members FROM enterprise e JOIN township t ON t.id = e.township_id "
        "WHERE t.code = 'YB' AND e.closed_on IS NULL AND e.employees > 0 AND e.party_members BETWEEN 3 AND 49 AND "
        "NOT EXISTS (SELECT 1 FROM union_coverage uc WHERE uc.enterprise_id = e.id AND uc.end_on IS NULL) AND "
        "NOT EXISTS (SELECT 1 FROM party_coverage pc WHERE pc.enterprise_id = e.id AND pc.end_on IS NULL) "
        "ORDER BY e.id LIMIT 1")


def _detail(user: str, name: str):
    """The ledger page with ``name``'s row picked (as of the district's today)."""
    at = run(_user=user)
    at.switch_page("app_pages/ledger.py").run()
    at.text_input(key="ledger_search").input(name).run()
    at.session_state[at.dataframe[0].key] = {"selection": {"rows": [0], "columns": []}}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _counts(at) -> str:
    return " ".join(c.value for c in at.caption)


def test_a_leader_reads_the_detail_but_gets_no_form(own_app_env):
    eid, name, *_ = _one(own_app_env, BARE)
    at = _detail("leader", name)
    assert at.metric  # the detail is shown
    assert "领导账号只读" in _counts(at)
    assert not [e for e in at.expander if "台账维护" in e.label or "登记新企业" in e.label]
    assert f"upkeep_kind_{eid}" not in [s.key for s in at.selectbox]


def test_the_township_account_records_a_union_founding_and_a_party_branch(own_app_env):
    eid, name, employees, party = _one(own_app_env, BARE)
    unions_before = _one(own_app_env, "SELECT count(*) FROM union_org")[0]
    at = _detail("yuebei", name)
    assert [e for e in at.expander if "台账维护" in e.label]
    at.selectbox(key=f"upkeep_kind_{eid}").set_value("union_found").run()
    key = f"upkeep_union_found_{eid}"
    at.text_input(key=f"{key}_name").input(f"{name}工会委员会")
    at.number_input(key=f"{key}_members").set_value(employees + 1)
    at.button(key=f"{key}_submit").click().run()
    errors = [e.value for e in at.error]
    assert any("“首批会员人数”" in e and "多于从业人员" in e for e in errors), errors
    assert _one(own_app_env, "SELECT count(*) FROM union_org")[0] == unions_before  # nothing written

    at.number_input(key=f"{key}_members").set_value(employees)
    at.button(key=f"{key}_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("已记录：成立工会" in s.value for s in at.success)
    assert _one(own_app_env, "SELECT count(*) FROM union_org")[0] == unions_before + 1
    at.session_state[at.dataframe[0].key] = {"selection": {"rows": [0], "columns": []}}
    at.run()
    history = at.dataframe[-1].value
    assert {"工会成立", "会员变动（入会 / 退会）"} <= set(history["事项"])
    today = district_today()
    assert history.loc[history["事项"] == "工会成立", "日期"].iloc[0] == f"{today.year}年{today.month}月{today.day}日"

    # a Party organisation of the wrong level: a warning to confirm, then saved with the confirmation
    at.selectbox(key=f"upkeep_kind_{eid}").set_value("party_found").run()
    key = f"upkeep_party_found_{eid}"
    wrong = "committee"  # 3–49 members call for a branch or a general branch, never a committee
    at.text_input(key=f"{key}_name").input(f"{name}党委")
    at.selectbox(key=f"{key}_level").set_value(wrong)
    at.button(key=f"{key}_submit").click().run()
    assert any("请勾选下方确认" in e.value for e in at.error), [e.value for e in at.error]
    assert _one(own_app_env, f"SELECT count(*) FROM party_org WHERE enterprise_id = {eid}")[0] == 0
    at.checkbox(key=f"{key}_confirm").check()
    at.button(key=f"{key}_submit").click().run()
    assert any("已记录：成立党组织" in s.value for s in at.success), [e.value for e in at.error]
    level, = _one(own_app_env, f"SELECT level FROM party_org WHERE enterprise_id = {eid}")
    assert level == wrong


def _unionised(at) -> str:
    """The 建会率 card's caption: "48 / 49 家 · …"."""
    labels = [m.label for m in at.metric]
    return at.caption[labels.index("建会率")].value


def test_the_overview_counts_the_new_union_at_once(own_app_env):
    eid, name, employees, _ = _one(own_app_env, BARE)
    before = _unionised(run(_user="yuebei"))
    at = _detail("yuebei", name)
    at.selectbox(key=f"upkeep_kind_{eid}").set_value("union_found").run()
    key = f"upkeep_union_found_{eid}"
    at.text_input(key=f"{key}_name").input(f"{name}工会")
    at.number_input(key=f"{key}_members").set_value(min(employees, 10))
    at.button(key=f"{key}_submit").click().run()
    assert any("已记录" in s.value for s in at.success)
    at.switch_page("app_pages/overview.py").run()
    after = _unionised(at)
    n, d = (int(x) for x in before.split(" 家")[0].split(" / "))
    assert after.startswith(f"{n + 1} / {d} 家"), (before, after)


def test_staff_verify_the_three_you_flags_and_the_sanyou_figures_follow(own_app_env):
    """三有核实 (issue 14 item 2): the form shows the flags as recorded; unticking 有固定经营场所 takes
    the enterprise out of the 三有 base on every date — the overview's default figures drop by one,
    the 全部在营企业 ones stay."""
    eid, name = _one(own_app_env, "SELECT e.id, e.name FROM enterprise e JOIN township t ON t.id = e.township_id "
                                  "WHERE t.code = 'YB' AND e.closed_on IS NULL AND e.employees >= 10 "
                                  "AND e.fixed_premises AND e.trading ORDER BY e.id LIMIT 1")

    def operating(**params) -> int:
        caption = run(_user="staff", **params).caption[0].value  # 建会率's fraction: "526 / 582 家 · 三有"
        return int(caption.split(" / ")[1].split()[0].replace(",", ""))

    sanyou, every = operating(), operating(base="all")
    at = _detail("staff", name)
    at.selectbox(key=f"upkeep_kind_{eid}").set_value("base_flags").run()
    key = f"upkeep_base_flags_{eid}"
    assert at.checkbox(key=f"{key}_premises").value is True and at.checkbox(key=f"{key}_trading").value is True
    at.checkbox(key=f"{key}_premises").uncheck()
    at.button(key=f"{key}_submit").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert _one(own_app_env, f"SELECT fixed_premises, trading FROM enterprise WHERE id = {eid}") == (False, True)
    assert operating() == sanyou - 1 and operating(base="all") == every
