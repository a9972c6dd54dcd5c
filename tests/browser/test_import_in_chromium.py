"""/import in the real browser: an administrator uploads a small workbook through the page's file
input, checks it, sees the diff, imports it, finds the overview's figure changed, comes back and
undoes the batch. An import changes figures other browser tests read, so this module runs a
server of its own on its own copy of the demo district (``streamlit_server``)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from tests.browser.conftest import (
    DESKTOP,
    IDLE,
    LONG,
    open_page,
    streamlit_server,
    visit,
)

pytestmark = pytest.mark.browser

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SCREENSHOT = "/tmp/import_page.png"


def _workbook() -> tuple[bytes, str]:
    """One new enterprise in 越北镇 (code YB) with a new union of its own; (file, USCC)."""
    from dashboard.ledgerfile.workbook import ledger_workbook
    from models.rules import make_uscc

    uscc = make_uscc(division="220299", serial=990002)
    rows = {
        "enterprises": [{"uscc": uscc, "name": "吉林市浏览器导入测试有限公司", "township": "YB", "ownership": "私营",
                         "registered_on": dt.date(2020, 3, 1), "employees": 40, "party_members": 1,
                         "union_members": 30, "census_on": dt.date(2025, 6, 30)}],
        "unions": [{"name": "吉林市浏览器导入测试有限公司工会委员会", "kind": "企业工会", "township": "YB",
                    "enterprises": [(uscc, None, None)], "founded_on": dt.date(2021, 5, 1)}],
    }
    return ledger_workbook(rows), uscc


def _coverage(page) -> tuple[int, int]:
    """The overview's 建会率 card: (enterprises with a union, operating enterprises)."""
    card = page.locator("[data-testid=stVerticalBlock]", has=page.locator("[data-testid=stMetricLabel]",
                                                                          has_text="建会率")).last
    card.locator("[data-testid=stCaptionContainer]").first.wait_for(timeout=LONG)
    found = re.search(r"([\d,]+)\s*/\s*([\d,]+)", card.locator("[data-testid=stCaptionContainer]").first.inner_text())
    assert found, card.inner_text()
    return int(found[1].replace(",", "")), int(found[2].replace(",", ""))


def _main_has(page, text: str) -> None:
    page.wait_for_function("t => document.querySelector('[data-testid=stMain]').innerText.includes(t)", arg=text,
                           timeout=LONG)


def test_admin_imports_a_workbook_sees_the_overview_change_and_undoes_it(demo_template, tmp_path, context):
    url = demo_template.copy(tmp_path / "import.sqlite")
    content, uscc = _workbook()
    with streamlit_server(url) as base:
        page = open_page(context, base + "/", user="admin")
        before = _coverage(page)

        visit(page, base + "/import")
        _main_has(page, "上传并检查")
        page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(
            [{"name": "越北镇新企业.xlsx", "mimeType": XLSX, "buffer": content}])
        check = page.get_by_role("button", name="检查文件")
        check.wait_for(timeout=LONG)
        page.wait_for_selector(IDLE, timeout=LONG)
        check.click()
        _main_has(page, "以上为检查结果，尚未写入。")  # the check's last words (the intro names the diff too)
        page.wait_for_selector(IDLE, timeout=LONG)
        main = page.inner_text("[data-testid=stMain]")
        assert "3. 将要发生的变化" in main and "在营企业数" in main
        diff = page.locator("[data-testid=stDataFrame]").first
        diff.wait_for(timeout=LONG)
        page.set_viewport_size({"width": DESKTOP[0], "height": 1500})  # the main block scrolls: show it whole
        page.screenshot(path=SCREENSHOT)
        page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})

        page.get_by_role("button", name="确认导入").click()
        _main_has(page, "已导入，批次 1")
        page.wait_for_selector(IDLE, timeout=LONG)
        assert page.locator("[data-testid=stException]").count() == 0

        visit(page, base + "/")
        after = _coverage(page)
        assert after == (before[0] + 1, before[1] + 1)  # one more operating enterprise, and it has a union

        visit(page, base + "/import")
        undo = page.get_by_role("button", name="撤销第 1 批")
        undo.wait_for(timeout=LONG)
        page.wait_for_selector(IDLE, timeout=LONG)
        undo.click()
        _main_has(page, "已撤销第 1 批。")
        page.wait_for_selector(IDLE, timeout=LONG)
        assert page.get_by_role("button", name="撤销第 1 批").count() == 0
        # the batches table is drawn on a canvas (no text to read): its state is the database's

        engine = sa.create_engine(url)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT undone_by FROM import_batch WHERE id = 1")).scalar_one() == "admin"
            assert conn.execute(sa.text("SELECT COUNT(*) FROM enterprise WHERE uscc = :u"), {"u": uscc}).scalar_one() == 0
        engine.dispose()

        visit(page, base + "/")
        assert _coverage(page) == before
        page.close()
