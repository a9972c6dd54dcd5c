"""荐优纳新推评制 in the real browser: a leader opens /development signed in on the deep link, reads the
KPI cards (no name anywhere on the page), opens one personal record explicitly — its name shows and the
audit log holds the view. Writes (the audit event), so this module runs its own server on its own copy
of the demo district."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.browser.conftest import IDLE, LONG, open_page, wait_until_still
from tests.browser.test_import_in_chromium import _main_has

pytestmark = pytest.mark.browser


def _rows(url: str, sql: str) -> list:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.text(sql)).all())
    finally:
        engine.dispose()


def test_a_leader_reads_aggregates_and_opens_one_record_audited(demo_template, tmp_path, context):
    from tests.browser.conftest import streamlit_server

    url = demo_template.copy(tmp_path / "development.sqlite")
    names = {n for (n,) in _rows(url, "SELECT person_name FROM activist_recommendation") if len(n) >= 2}
    with streamlit_server(url) as base:
        page = open_page(context, base + "/development", user="leader")
        _main_has(page, "超期滞留")
        _main_has(page, "工会推荐发展党员占比")
        text = page.locator("[data-testid=stMain]").inner_text()
        assert not any(n in text for n in names)  # no name in what the leader's page drew
        opener = page.locator("[data-testid=stExpander]").filter(has_text="查看个人记录")
        opener.locator("summary").first.click()
        wait_until_still(opener)
        pick = opener.get_by_role("combobox").first.input_value()  # "#12 （已隐藏） · 企业 · 阶段"
        assert "（已隐藏）" in pick
        rid = int(pick.split()[0].lstrip("#"))
        opener.get_by_role("button", name="打开记录（将记入审计日志）").click()
        _main_has(page, f"个人记录 #{rid}")
        page.wait_for_selector(IDLE, timeout=LONG)
        (name,), = _rows(url, f"SELECT person_name FROM activist_recommendation WHERE id = {rid}")
        _main_has(page, name)
        assert _rows(url, "SELECT username, entity_id FROM audit_event WHERE action = 'development_record_opened'") \
            == [("leader", str(rid))]
