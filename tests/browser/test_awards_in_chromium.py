"""/awards (双爱双评) in the real browser: a leader reads the round without forms; the district staff
account records the evaluation of a pending nomination through the form and the round's 已评审 card
counts one more (it writes to the session's server database: the figure is read before and after)."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import IDLE, open_page, wait_until_still

pytestmark = pytest.mark.browser


def _evaluated(page) -> int:
    card = page.locator("[data-testid=stMetric]", has_text="已评审").first
    return int(re.match(r"\s*([\d,]+)", card.locator("[data-testid=stMetricValue]").inner_text()).group(1)
               .replace(",", ""))


def _main_has(page, text: str) -> None:
    page.wait_for_function("t => document.querySelector('[data-testid=stMain]').innerText.includes(t)", arg=text,
                           timeout=60_000)


def test_leader_reads_the_round_without_forms(server, signed_in):
    page = signed_in("leader", server + "/awards")
    _main_has(page, "已评审 / 已推荐")
    page.wait_for_selector(IDLE, timeout=30_000)
    text = page.inner_text("[data-testid=stMain]")
    assert "“双爱双评”评选" in text and "区级表彰" in text
    assert page.locator("[data-testid=stSelectbox] input").first.input_value() == "2026年度“双爱双评”（评审中）"
    assert page.locator("[data-testid=stException]").count() == 0
    assert page.locator("[data-testid=stExpander]", has_text="组织评选").count() == 0
    assert page.locator("[data-testid=stExpander]", has_text="推荐人选").count() == 0
    page.get_by_role("tab", name="历年统计").click()
    _main_has(page, "获奖最多的企业")


def test_staff_evaluate_a_pending_nomination(server, context):
    page = open_page(context, server + "/awards", user="staff")
    _main_has(page, "已评审 / 已推荐")
    page.wait_for_selector(IDLE, timeout=30_000)
    before = _evaluated(page)
    form = page.locator("[data-testid=stExpander]", has_text="组织评选")
    form.locator("summary").first.click()
    form.get_by_role("button", name="保存").wait_for(state="visible", timeout=30_000)
    wait_until_still(form)
    form.locator("[data-testid=stSelectbox]").first.click()
    page.get_by_role("option").filter(has_text="待评审").first.click()
    page.wait_for_selector(IDLE, timeout=30_000)
    assert "待评审" in form.locator("[data-testid=stSelectbox] input").first.input_value()
    form.get_by_role("button", name="保存").click()
    saved = page.get_by_text("已保存")
    refused = page.locator("[data-testid=stAlertContentError], [data-testid=stException]")
    saved.or_(refused).first.wait_for(timeout=30_000)
    assert saved.count() > 0, page.locator("[data-testid=stAlert], [data-testid=stException]").all_inner_texts()
    page.wait_for_selector(IDLE, timeout=30_000)
    assert _evaluated(page) == before + 1
    page.close()


def test_the_round_of_an_earlier_date(server, signed_in):
    """Review item 1 in the browser: at 2010-12-31 the picker holds the rounds that existed then (2003–
    2010), the 2010 round picked as it stood; no later round is offered — also when the same session
    had the 2026 round picked at today's date (the picker on screen follows, not only the server)."""
    page = signed_in("leader", server + "/awards")
    page.wait_for_function("v => [...document.querySelectorAll('[data-testid=stMain] [data-testid=stSelectbox] input')]"
                           ".some(i => i.value.startsWith(v))", arg="2026年度", timeout=60_000)
    page = signed_in("leader", server + "/awards?asof=2010-12-31")
    _main_has(page, "评选轮次")  # outside the tabs (the reused page may show another tab)
    page.wait_for_function("v => [...document.querySelectorAll('[data-testid=stMain] [data-testid=stSelectbox] input')]"
                           ".some(i => i.value === v)", arg="2010年度“双爱双评”（已表彰）", timeout=60_000)
    page.wait_for_selector(IDLE, timeout=30_000)
    picker = page.locator("[data-testid=stSelectbox]", has_text="评选轮次").first
    assert picker.locator("input").input_value() == "2010年度“双爱双评”（已表彰）"
    picker.click()
    options = page.get_by_role("option").all_inner_texts()
    assert len(options) == 8 and options[0].startswith("2010") and not [o for o in options if o.startswith("2026")]
    page.keyboard.press("Escape")
    assert page.locator("[data-testid=stException]").count() == 0
