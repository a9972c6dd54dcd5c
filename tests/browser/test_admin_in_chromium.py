"""Accounts from the browser (issue 13, item 3), in Chromium against the real ``streamlit run``: an
admin creates a township account for 越北镇, reads its one-time password from the page and signs
out; the new account signs in with it, must set its own password first, then sees only 越北镇."""

from __future__ import annotations

import os
import uuid

from seed_data import facts
from tests.browser.conftest import IDLE, LONG, login, new_page, open_page


def test_an_admin_creates_a_township_account_that_signs_in_scoped_to_its_township(server, context, tmp_path):
    username = f"yb_{uuid.uuid4().hex[:6]}"
    page = open_page(context, server + "/admin", user="admin")
    page.get_by_text("新建账号").first.wait_for(timeout=LONG)
    page.wait_for_selector(IDLE, timeout=LONG)  # the page's run finished: its form no longer redraws
    assert "请使用命令行" not in page.inner_text("[data-testid=stMain]")
    form = page.locator("[data-testid=stForm]").filter(has=page.get_by_role("button", name="新建账号"))
    form.get_by_label("用户名", exact=True).fill(username)
    form.get_by_label("显示名称", exact=True).fill("越北镇新联络员")
    role = form.get_by_label("角色", exact=True)
    role.wait_for(timeout=LONG)
    role.click()
    role.fill("乡镇")  # typing filters the options (a click alone may only focus it)
    page.get_by_role("option", name="乡镇", exact=True).click()
    towns = form.get_by_label("乡镇", exact=True)
    towns.click()
    page.keyboard.type("越北")
    page.get_by_role("option", name=f"越北镇（{facts.YUEBEI_CODE}）").click()
    page.keyboard.press("Escape")
    form.get_by_role("button", name="新建账号").click()

    code = page.locator("[data-testid=stCode] code")
    code.wait_for(timeout=LONG)
    one_time = code.inner_text().strip()
    assert len(one_time) == 14 and one_time.count("-") == 2, one_time
    main = page.inner_text("[data-testid=stMain]")
    assert "只显示这一次" in main and f"已新建账号 {username}" in main
    page.wait_for_selector(IDLE, timeout=LONG)
    if os.environ.get("DANGONG_TEST_SCREENSHOTS"):  # for a person to look at the page
        page.screenshot(path=os.path.join(os.environ["DANGONG_TEST_SCREENSHOTS"], "admin_page.png"), full_page=True)

    page.locator("[data-testid=stSidebar]").get_by_role("button", name="退出登录").click()
    # the sign-in form only: the admin page's own 用户名 field gone (a loaded machine may still show it)
    page.locator("[data-testid=stTabs]").wait_for(state="detached", timeout=LONG)
    page.wait_for_selector(IDLE, timeout=LONG)
    login(page, username, one_time)
    page.get_by_text("请设置您自己的密码").wait_for(timeout=LONG)
    assert page.locator("[data-testid=stMetric]").count() == 0  # no page before its own password
    page.get_by_label("新密码", exact=True).fill("yuebei-own-9")
    page.get_by_label("再次输入新密码", exact=True).fill("yuebei-own-9")
    page.get_by_role("button", name="保存密码并进入").click()

    sidebar_filter = page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]")
    sidebar_filter.wait_for(timeout=LONG)
    page.wait_for_selector("[data-testid=stMetric]", timeout=LONG)
    page.wait_for_selector(IDLE, timeout=LONG)
    sidebar_filter.locator("input").click()
    options = page.get_by_role("option")
    options.first.wait_for(timeout=LONG)
    assert options.all_inner_texts() == ["越北镇"]  # its township, and no other
    page.keyboard.press("Escape")
    assert page.locator("[data-testid=stException]").count() == 0
    page.close()

    again = new_page(context)  # its own password works in a new session; the one-time one no longer
    again.goto(server + "/")
    login(again, username, one_time)
    again.get_by_text("用户名或密码错误").wait_for(timeout=LONG)
    login(again, username, "yuebei-own-9")
    again.wait_for_selector("[data-testid=stMetric]", timeout=LONG)
    assert again.get_by_text("请设置您自己的密码").count() == 0
    again.close()
