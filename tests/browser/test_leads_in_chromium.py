"""建会线索 in the real browser: the district staff account records a lead for an enterprise without a
union (and without an open lead), walks it 线索 → 已走访 → 已建会 on the campaigns page's pipeline tab, and the
overview's 建会率 counts one more enterprise. Writes, so this module runs its own server on its own
copy of the demo district."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.browser.conftest import IDLE, LONG, open_page, streamlit_server, visit, wait_until_still
from tests.browser.test_import_in_chromium import _coverage, _main_has

pytestmark = pytest.mark.browser


def _candidate(url: str) -> tuple[str, str]:
    """(name, township) of an operating enterprise with no union and no open lead (a candidate)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(
                "SELECT e.name, t.name FROM enterprise e JOIN township t ON t.id = e.township_id "
                "WHERE e.closed_on IS NULL AND NOT EXISTS (SELECT 1 FROM union_coverage uc "
                "WHERE uc.enterprise_id = e.id AND uc.end_on IS NULL) AND NOT EXISTS (SELECT 1 FROM founding_lead l "
                "WHERE l.enterprise_id = e.id AND l.stage NOT IN ('founded', 'dropped')) ORDER BY e.id LIMIT 1")).one()
    finally:
        engine.dispose()


def _stage(url: str, name: str) -> str | None:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT stage FROM founding_lead WHERE enterprise_name = :n "
                                        "ORDER BY id DESC LIMIT 1"), {"n": name}).scalar()
    finally:
        engine.dispose()


_WATCH = """() => {
    window.__dgRan = false;
    const seen = new MutationObserver(() => { window.__dgRan = true; seen.disconnect(); });
    seen.observe(document.body, {attributes: true, subtree: true, attributeFilter: ['data-test-script-state']});
}"""


def _and_its_run(page, action) -> None:
    """Do ``action`` (a click that makes Streamlit run the page) and return once that run has ended."""
    from tests.browser.conftest import _RAN

    page.evaluate(_WATCH)
    action()
    page.wait_for_function(_RAN, timeout=LONG)


def _advance(page, manage) -> None:
    """The 推进线索 form (chosen already when the session chose it before: a click would run nothing)."""
    mode = manage.get_by_role("radio", name="推进线索")
    if mode.get_attribute("aria-checked") != "true":
        _and_its_run(page, mode.click)
    manage.get_by_role("combobox", name="新阶段", exact=True).wait_for(timeout=LONG)


def _choose(page, scope, label: str, text: str, option: str, then: tuple[str, str] | None = None) -> None:
    """Pick ``option`` in the select box ``label``; ``then``: (a select box, its value) that shows once
    the run the pick caused has drawn the form for it."""
    from playwright.sync_api import expect

    box = scope.get_by_role("combobox", name=label, exact=True)
    if box.input_value() == option:  # chosen already: picking it again runs nothing
        return
    box.click()
    box.fill(text)  # typing filters the options
    page.get_by_role("option", name=option).first.wait_for(timeout=LONG)
    _and_its_run(page, page.get_by_role("option", name=option).first.click)
    expect(box).to_have_value(option, timeout=LONG)
    if then is not None:
        expect(scope.get_by_role("combobox", name=then[0], exact=True)).to_have_value(then[1], timeout=LONG)
    page.wait_for_selector(IDLE, timeout=LONG)


def _pipeline(page, base: str):
    """The pipeline's page drawn afresh, its forms opened."""
    visit(page, base + "/campaigns?view=leads")
    manage = page.locator("[data-testid=stExpander]").filter(has_text="登记与推进线索")
    manage.wait_for(state="visible", timeout=LONG)
    page.wait_for_selector(IDLE, timeout=LONG)
    if not manage.locator("details").first.evaluate("d => d.open"):  # it may stay open from the last visit
        manage.locator("summary").first.click()
    manage.get_by_role("radio", name="推进线索").wait_for(timeout=LONG)
    wait_until_still(manage)
    return manage


def test_staff_walk_a_lead_to_a_union_and_the_overview_counts_it(demo_template, tmp_path, context):
    url = demo_template.copy(tmp_path / "leads.sqlite")
    name, township = _candidate(url)
    with streamlit_server(url) as base:
        page = open_page(context, base + "/", user="staff")
        unionised, operating = _coverage(page)

        manage = _pipeline(page, base)
        search = manage.get_by_label("查找企业（名称或统一社会信用代码）")
        search.fill(name)
        search.press("Enter")
        page.wait_for_selector(IDLE, timeout=LONG)
        manage.get_by_label("企业", exact=True).wait_for(timeout=LONG)
        manage.get_by_role("button", name="保存").first.click()
        _main_has(page, "线索已保存")
        page.wait_for_selector(IDLE, timeout=LONG)
        assert _stage(url, name) == "identified"

        manage = _pipeline(page, base)
        _advance(page, manage)
        _choose(page, manage, "线索", name[-6:], f"{name}（{township} · 线索）", then=("新阶段", "已走访"))
        _choose(page, manage, "新阶段", "已走访", "已走访")
        manage.get_by_role("button", name="保存").last.click()
        _main_has(page, "线索已保存")
        page.wait_for_selector(IDLE, timeout=LONG)
        assert _stage(url, name) == "contacted"

        manage = _pipeline(page, base)
        _advance(page, manage)
        _choose(page, manage, "线索", name[-6:], f"{name}（{township} · 已走访）",
                then=("新阶段", "已发建会通知书"))
        _choose(page, manage, "新阶段", "已建会", "已建会")
        manage.get_by_label("首批会员数").wait_for(timeout=LONG)
        manage.get_by_label("首批会员数").fill("6")
        manage.get_by_role("button", name="保存").last.click()
        _main_has(page, "线索已保存")
        page.wait_for_selector(IDLE, timeout=LONG)
        assert _stage(url, name) == "founded"

        visit(page, base + "/")
        assert _coverage(page) == (unionised + 1, operating)
