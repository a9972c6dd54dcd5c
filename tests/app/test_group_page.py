"""AppTest of 领导小组 (/group): the group as of the date, the four mechanisms, the documents; staff
maintain it on the page, a leader only reads."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from tests.app.test_overview import run


def group_page(user="leader", **params):
    at = run(_user=user, **params)
    at.switch_page("app_pages/group.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_leader_reads_the_group_its_mechanisms_and_documents(app_env):
    at = group_page(asof="2002-12-31")
    members = at.dataframe[0].value
    assert members["职务"].iloc[0] == "组长" and members["岗位"].iloc[0] == "区委主管书记"
    text = " ".join(m.value for m in at.markdown)
    for name in ("协调通报制", "两级联席会议制", "荐优纳新推评制", "双爱双评"):
        assert name in text
    docs = [d.value for d in at.dataframe if "文件名称" in d.value.columns][0]
    assert "##区非公有制企业工会组建百日攻坚实施方案" in set(docs["文件名称"])
    assert not [e for e in at.expander if "维护领导小组" in e.label]


def test_staff_record_a_document_on_the_page(demo_template, tmp_path, monkeypatch):
    from models.settings import get_settings

    url = demo_template.copy(tmp_path / "group.sqlite")
    monkeypatch.setenv("DANGONG_DATABASE_URL", url)
    get_settings.cache_clear()
    at = group_page(user="staff")
    at.segmented_control(key="group_form_mode").set_value("document").run()
    at.text_input(key="group_doc_title").input("关于深化党工共建的通知")
    at.button(key="group_doc_submit").click().run()
    assert any("发文单位" in e.value for e in at.error)  # the issuer is required: refused, named
    at.text_input(key="group_doc_issuer").input("中共##区委")
    at.date_input(key="group_doc_day").set_value(dt.date(2026, 3, 1))
    at.button(key="group_doc_submit").click().run()
    assert not at.exception and any("已保存" in s.value for s in at.success), [e.value for e in at.error]
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT issuer FROM group_document WHERE title = '关于深化党工共建的通知'")).scalar() \
            == "中共##区委"
    engine.dispose()
