"""台账维护 in the real browser: the 越北镇 township account picks one of its enterprises without a
union in the ledger, records the founding of its union through the detail's form (a first try with
more members than employees is refused, next to the form, and writes nothing), and the overview's
建会率 counts one more enterprise at once. Writes, so this module runs its own server on its own
copy of the demo district."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.browser.conftest import IDLE, LONG, open_page, streamlit_server, visit, wait_until_still
from tests.browser.test_import_in_chromium import _coverage, _main_has

pytestmark = pytest.mark.browser


def _enterprise_without_union(url: str) -> tuple[str, int, int]:
    """The largest operating enterprise of 越北镇 with no union today: (name, employees), and the unions."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            row = conn.execute(sa.text(
                "SELECT e.name, e.employees FROM enterprise e JOIN township t ON t.id = e.township_id "
                "WHERE t.code = 'YB' AND e.closed_on IS NULL AND e.employees > 0 AND NOT EXISTS (SELECT 1 FROM "
                "union_coverage uc WHERE uc.enterprise_id = e.id AND uc.end_on IS NULL) "
                "ORDER BY e.employees DESC, e.id LIMIT 1")).one()
            unions = conn.execute(sa.text("SELECT count(*) FROM union_org")).scalar_one()
    finally:
        engine.dispose()
    return row[0], row[1], unions


def _union_count(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT count(*) FROM union_org")).scalar_one()
    finally:
        engine.dispose()


def test_a_township_account_records_a_union_founding_and_the_overview_counts_it(demo_template, tmp_path, context):
    url = demo_template.copy(tmp_path / "upkeep.sqlite")
    name, employees, unions = _enterprise_without_union(url)
    with streamlit_server(url) as base:
        page = open_page(context, base + "/", user="yuebei")
        unionised, operating = _coverage(page)
        assert unionised < operating  # 越北镇 has an enterprise without a union to found one in

        visit(page, base + "/ledger")
        search = page.get_by_label("搜索")
        search.fill(name[-8:])
        search.press("Enter")
        _main_has(page, "共 1 家")
        page.wait_for_selector(IDLE, timeout=LONG)
        grid = page.locator("[data-testid=stDataFrame]").first
        grid.wait_for(timeout=LONG)
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # the row's selection box
        upkeep = page.locator("[data-testid=stExpander]").filter(has_text="台账维护")
        upkeep.wait_for(timeout=LONG)
        page.wait_for_selector(IDLE, timeout=LONG)
        upkeep.get_by_text("台账维护：记录事项").click()
        wait_until_still(upkeep)
        picker = upkeep.get_by_label("要记录的事项")
        picker.click()
        picker.fill("成立工会")  # typing filters the options (a click alone may only focus it)
        page.get_by_role("option", name="成立工会（单独建会）").click()
        page.wait_for_selector(IDLE, timeout=LONG)
        upkeep.get_by_label("名称").wait_for(timeout=LONG)
        upkeep.get_by_label("名称").fill(f"{name}工会委员会")
        members = upkeep.locator("input[type=number]").first
        members.fill(str(employees + 1))
        upkeep.get_by_role("button", name="保存").click()
        refusal = upkeep.get_by_text("多于从业人员")
        refusal.wait_for(timeout=LONG)
        assert "首批会员人数" in refusal.inner_text()  # the field is named
        assert _union_count(url) == unions  # refused: nothing written

        members.fill(str(employees // 2))
        upkeep.get_by_role("button", name="保存").click()
        _main_has(page, "已记录：成立工会（单独建会）")
        page.wait_for_selector(IDLE, timeout=LONG)
        assert _union_count(url) == unions + 1

        visit(page, base + "/")
        assert _coverage(page) == (unionised + 1, operating)
