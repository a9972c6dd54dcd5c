"""Sessions that survive a reload (#17 item 3), in the real browser against the server as ``make run``
starts it (``streamlit run dashboard/ui/server.py``): signing in gives the browser an HttpOnly,
SameSite=Strict session cookie; F5 and a new tab (a shared link) stay signed in; a cookie altered by
hand is refused; signing out in one tab drops the cookie and ends the other tab's sign-in at its
next reload. A context of its own: the shared one's pages must keep signing in through the form."""

from __future__ import annotations

import pytest

from tests.browser.conftest import IDLE, LONG, login, streamlit_server
from tests.browser.test_downloads_need_session import SCRIPT

pytestmark = pytest.mark.browser

SIGNED_IN = "[data-testid=stSidebar] [data-testid=stMultiSelect]"


@pytest.fixture(scope="module")
def served(demo_template, tmp_path_factory):
    with streamlit_server(demo_template.copy(tmp_path_factory.mktemp("session") / "demo.sqlite"), SCRIPT) as base:
        yield base


def _drawn(page) -> str:
    """"in" when the page shows the signed-in sidebar, "out" when it shows the sign-in form."""
    page.wait_for_selector(f"{SIGNED_IN}, input[type=password]", timeout=LONG, state="attached")
    page.wait_for_selector(IDLE, timeout=LONG)
    return "out" if page.locator("input[type=password]").count() else "in"


def _signed_in(page) -> None:
    """After the sign-in form was sent: wait for the signed-in page."""
    page.wait_for_selector(SIGNED_IN, timeout=LONG, state="attached")
    page.wait_for_selector(IDLE, timeout=LONG)


def _signed_out(page) -> None:
    """After 退出登录 was clicked: wait for the sign-in form."""
    page.wait_for_selector("input[type=password]", timeout=LONG)
    page.wait_for_selector(IDLE, timeout=LONG)
    assert page.locator(SIGNED_IN).count() == 0


def _session_cookie(context):
    return next((c for c in context.cookies() if c["name"] == "dangong_session"), None)


def test_a_reload_and_a_new_tab_stay_signed_in_until_sign_out(served, browser):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{served}/meetings")
        login(page, "leader")
        _signed_in(page)
        cookie = None
        for _ in range(50):
            cookie = _session_cookie(context)
            if cookie:
                break
            page.wait_for_timeout(100)
        assert cookie is not None and cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
        assert "dangong_session" not in page.evaluate("() => document.cookie")  # no script can read it
        page.reload()
        assert _drawn(page) == "in" and "/meetings" in page.url
        other = context.new_page()
        other.goto(f"{served}/map?town=YB")
        assert _drawn(other) == "in"
        # sign out in the first tab: the cookie goes, and the other tab's sign-in ends at its next load
        page.get_by_role("button", name="退出登录").click()
        _signed_out(page)
        for _ in range(50):
            if _session_cookie(context) is None:
                break
            page.wait_for_timeout(100)
        assert _session_cookie(context) is None
        other.reload()
        assert _drawn(other) == "out"
    finally:
        context.close()


def test_an_altered_or_replayed_cookie_is_refused(served, browser):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{served}/")
        login(page, "staff")
        _signed_in(page)
        for _ in range(50):
            if _session_cookie(context):
                break
            page.wait_for_timeout(100)
        good = _session_cookie(context)
        assert good is not None
        # the same cookie in a fresh browser works (it is the sign-in) …
        thief = browser.new_context()
        try:
            thief.add_cookies([{k: good[k] for k in ("name", "value", "domain", "path", "httpOnly", "sameSite")}])
            tab = thief.new_page()
            tab.goto(f"{served}/")
            assert _drawn(tab) == "in"
            # … one character changed is not
            bad = dict(good, value=good["value"][:-1] + ("A" if good["value"][-1] != "A" else "B"))
            thief.clear_cookies()
            thief.add_cookies([{k: bad[k] for k in ("name", "value", "domain", "path", "httpOnly", "sameSite")}])
            tab2 = thief.new_page()
            tab2.goto(f"{served}/")
            assert _drawn(tab2) == "out"
        finally:
            thief.close()
        # after sign-out the very same cookie value is dead everywhere
        page.get_by_role("button", name="退出登录").click()
        _signed_out(page)
        late = browser.new_context()
        try:
            late.add_cookies([{k: good[k] for k in ("name", "value", "domain", "path", "httpOnly", "sameSite")}])
            tab = late.new_page()
            tab.goto(f"{served}/")
            assert _drawn(tab) == "out"
        finally:
            late.close()
    finally:
        context.close()
