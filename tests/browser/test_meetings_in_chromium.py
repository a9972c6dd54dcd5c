"""/meetings in the real browser: staff mark an overdue action item done through the form and the
board changes (it writes to the session's server database: the figures it checks are read before
and after, in its own signed-in page)."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import IDLE, open_page, wait_until_still

pytestmark = pytest.mark.browser


def _number(text: str) -> int:
    return int(re.sub(r"[^\d]", "", text))


def _metric(page, label: str) -> int:
    card = page.locator("[data-testid=stMetric]", has_text=label).first
    return _number(card.locator("[data-testid=stMetricValue]").inner_text())


def test_staff_marks_an_overdue_item_done_and_the_board_changes(server, context):
    page = open_page(context, server + "/meetings", user="staff")
    page.wait_for_selector("[data-testid=stMetric]", timeout=30_000)
    overdue, done = _metric(page, "逾期事项"), _metric(page, "已完成事项")
    assert overdue > 0
    page.get_by_role("tab", name="事项看板").click()
    form = page.locator("[data-testid=stExpander]", has_text="更新事项状态")
    form.wait_for(timeout=30_000)
    form.get_by_text("更新事项状态").click()
    form.get_by_role("button", name="保存").wait_for(state="visible", timeout=30_000)
    wait_until_still(form)  # the expander's opening animation
    picked = form.locator("[data-testid=stSelectbox] input").first.input_value()
    assert "逾期" in picked  # the most overdue open item is offered first
    status = form.locator("[data-testid=stSelectbox] input").nth(1).input_value()
    assert "已完成" in status
    form.get_by_role("button", name="保存").click()
    saved = page.get_by_text("已保存")
    refused = page.locator("[data-testid=stAlertContentError], [data-testid=stException]")
    saved.or_(refused).first.wait_for(timeout=30_000)
    assert saved.count() > 0, page.locator("[data-testid=stAlert], [data-testid=stException]").all_inner_texts()
    page.wait_for_selector(IDLE, timeout=30_000)
    assert page.locator("[data-testid=stException]").count() == 0
    assert _metric(page, "逾期事项") == overdue - 1
    assert _metric(page, "已完成事项") == done + 1
    page.close()


def test_leader_reads_the_meetings_page_without_forms(server, signed_in):
    page = signed_in("leader", server + "/meetings")
    page.wait_for_selector("[data-testid=stMetric]", timeout=30_000)
    # the page may still be drawing (a rerun replaces elements): wait for the cards' text itself
    page.wait_for_function("() => document.querySelector('[data-testid=stMain]').innerText.includes('逾期事项')",
                           timeout=30_000)
    page.wait_for_selector(IDLE, timeout=30_000)
    text = page.inner_text("[data-testid=stMain]")
    assert "逾期事项" in text and "只读" in text
    assert page.locator("[data-testid=stExpander]", has_text="更新事项状态").count() == 0
    page.wait_for_function("document.querySelectorAll('[data-testid=stVegaLiteChart]').length >= 1",
                           timeout=30_000)  # the timeline
