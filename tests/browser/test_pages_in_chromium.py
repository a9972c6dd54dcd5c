"""A real ``streamlit run`` on a free port with a seeded database, driven in Debian's chromium.

Skipped when chromium is missing, unless ``DANGONG_TEST_BROWSER=required`` (CI), where it fails.
The fixtures are in ``conftest.py``: ``signed_in`` for a page that only reads (one sign-in per user
for the session, then the page is moved by URL), ``open_page`` where the sign-in itself, the deep
link through it or a change of the session's filters is under test.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import IDLE, login, new_page, open_page

PAGES = ["/", "/map", "/ledger", "/campaigns", "/campaigns?view=leads", "/group", "/development", "/awards", "/cases", "/meetings", "/admin"]  # every page of the app (/admin as the admin user)

pytestmark = pytest.mark.browser


def _map_fill(png: bytes) -> tuple[float, int]:
    """Share of the image in the choropleth's blues, and how many distinct shades it has
    (one per township value; a single flat colour means the shapes were not drawn)."""
    from collections import Counter
    from io import BytesIO

    from PIL import Image

    img = Image.open(BytesIO(png)).convert("RGB")
    pixels = [img.getpixel((x, y)) for x in range(0, img.width, 2) for y in range(0, img.height, 2)]
    blues = [p for p in pixels if p[2] > 150 and p[2] - p[0] > 40]
    shades = Counter((r // 8, g // 8, b // 8) for r, g, b in blues)
    return len(blues) / len(pixels), sum(1 for n in shades.values() if n > len(pixels) * 0.005)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_without_an_exception(server, signed_in, path):
    page = signed_in("admin" if path == "/admin" else "leader", server + path)
    assert page.locator("[data-testid=stException]").count() == 0
    if path == "/":
        page.wait_for_selector("[data-testid=stMetric]", timeout=30_000)
        assert page.locator("[data-testid=stMetric]").count() >= 6
    drawn = {"/group": "四项机制", "/development": "超期滞留", "/campaigns?view=leads": "线索漏斗", "/awards": "已评审 / 已推荐"}.get(path)
    if drawn:  # the page's own content, not only no exception
        page.wait_for_function("t => document.querySelector('[data-testid=stMain]').innerText.includes(t)", arg=drawn,
                               timeout=60_000)
        assert page.locator("[data-testid=stException]").count() == 0


def test_seed_snapshot_in_the_browser_with_filled_map(server, signed_in):
    page = signed_in("leader", server + "/?asof=2002-12-31&base=all")  # the seed facts' base
    page.wait_for_selector("[data-testid=stMetric]", timeout=30_000)
    # a page kept signed in from an earlier test keeps its session's base: choose it (a no-op when set)
    page.locator("[data-testid=stSidebar] button", has_text="全部在营企业").click()
    page.wait_for_function("() => document.querySelector('[data-testid=stMain]').innerText.includes('585 / ')",
                           timeout=60_000)
    page.wait_for_selector(IDLE, timeout=60_000)
    text = page.inner_text("[data-testid=stMain]")
    assert "585 / " in text and "52 / " in text
    # the mini map (second chart) is filled with township shapes: a blank map fails here
    page.wait_for_function("document.querySelectorAll('[data-testid=stVegaLiteChart]').length >= 3", timeout=30_000)
    charts = page.locator("[data-testid=stVegaLiteChart]")
    filled, shades = 0.0, 0
    for _ in range(20):  # the chart may still be drawing: look again for up to ~10 s
        filled, shades = _map_fill(charts.nth(1).screenshot())
        if filled > 0.15 and shades >= 4:
            break
        page.wait_for_timeout(500)
    assert filled > 0.15, f"only {filled:.1%} of the map is filled"
    assert shades >= 4, f"{shades} township shades: the shapes were not drawn one by one"


def test_map_page_draws_every_township_and_a_click_filters(server, context):
    page = open_page(context, server + "/map?asof=2002-12-31")  # its own session: the click sets the filter
    page.wait_for_function("document.querySelectorAll('[data-testid=stVegaLiteChart]').length >= 1", timeout=30_000)
    chart = page.locator("[data-testid=stVegaLiteChart]").first
    filled, shades = 0.0, 0
    for _ in range(20):
        filled, shades = _map_fill(chart.screenshot())
        if filled > 0.3 and shades >= 6:
            break
        page.wait_for_timeout(500)
    assert filled > 0.3 and shades >= 6, (filled, shades)
    # click the middle of the lower row's third cell (云岗镇 in the schematic grid)
    box = chart.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.72)
    page.wait_for_function("location.search.includes('town=')", timeout=30_000)
    page.wait_for_selector(IDLE, timeout=30_000)
    assert "乡镇下钻" in page.inner_text("[data-testid=stMain]")
    assert page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect] span[title], "
                        "[data-testid=stSidebar] [data-baseweb=tag]").count() >= 1
    page.close()


def test_filters_survive_in_the_url_and_reproduce_the_view(server, context):
    page = new_page(context)
    page.goto(server + "/?asof=2002-12-31&town=YB&lang=en&base=all")
    page.wait_for_selector("input[type=password]", timeout=90_000)
    page.get_by_label("Username", exact=True).fill("leader")
    page.get_by_label("Password", exact=True).fill("demo2002")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("[data-testid=stMetric]", timeout=90_000)
    page.wait_for_selector(IDLE, timeout=90_000)
    text = page.inner_text("[data-testid=stMain]")
    assert "37 / " in text and "Union coverage" in text
    assert "town=YB" in page.url and "lang=en" in page.url and "asof=2002-12-31" in page.url and "base=all" in page.url
    page.close()


def test_the_base_selector_switches_every_figure_and_the_url(server, signed_in):
    """党建基数 (issue 14 item 2): the page opens on the official 三有 base; a click on 全部在营企业
    shows the seed facts (585 unionised at 2002-12-31) and writes base=all into the URL."""
    page = signed_in("leader", server + "/?asof=2002-12-31")
    page.wait_for_selector("[data-testid=stMetric]", timeout=30_000)
    main = "[data-testid=stMain]"
    # a page kept signed in from an earlier test keeps its session's base: back to the default first
    page.locator("[data-testid=stSidebar] button", has_text="三有企业").click()
    page.wait_for_function("() => document.querySelector('[data-testid=stMain]').innerText.includes(' · 三有')",
                           timeout=60_000)
    page.wait_for_selector(IDLE, timeout=60_000)
    assert "三有企业" in page.inner_text("body") and " · 三有" in page.inner_text(main)
    assert "585 / " not in page.inner_text(main) and "base=" not in page.url
    page.locator("[data-testid=stSidebar] button", has_text="全部在营企业").click()
    page.wait_for_function("() => document.querySelector('[data-testid=stMain]').innerText.includes('585 / ')",
                           timeout=60_000)
    page.wait_for_selector(IDLE, timeout=60_000)
    assert " · 全部在营" in page.inner_text(main) and "base=all" in page.url
    page.close()


def test_phone_width_has_no_horizontal_page_scroll(server, context):
    page = open_page(context, server + "/?asof=2002-12-31", size=(390, 844))  # loaded on the phone
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390 + 1
    page.close()


def test_login_form_wrong_password_then_township_user_and_logout(server, context):
    page = new_page(context)
    page.goto(server + "/?asof=2002-12-31&town=QL&base=all")
    login(page, "yuebei", "wrong-password")
    page.wait_for_selector("text=用户名或密码错误", timeout=30_000)
    assert page.locator("[data-testid=stMetric]").count() == 0
    login(page, "yuebei")
    page.wait_for_selector("[data-testid=stMetric]", timeout=90_000)
    page.wait_for_selector(IDLE, timeout=90_000)
    text = page.inner_text("[data-testid=stMain]")
    assert "37 / " in text and "无权查看" in text and "青岚街道" not in text
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_selector("input[type=password]", timeout=30_000)
    # the figures of the signed-in run disappear once the logout run has finished
    page.wait_for_function("document.querySelectorAll('[data-testid=stMetric]').length === 0", timeout=30_000)
    page.wait_for_selector(IDLE, timeout=30_000)
    assert page.locator("[data-testid=stMetric]").count() == 0 and "退出登录" in page.inner_text("body")
    page.close()


def test_admin_url_does_not_open_for_a_leader(server, context):
    """The deep link /admin through the sign-in: not for a leader, for an admin."""
    page = open_page(context, server + "/admin", user="leader")
    text = page.inner_text("[data-testid=stMain]")
    assert "用户与审计日志" not in text and "审计日志" not in text
    page.close()
    page = new_page(context)
    page.goto(server + "/admin")
    login(page, "admin")
    page.wait_for_selector("text=用户与审计日志", timeout=90_000)
    assert page.locator("[data-testid=stException]").count() == 0
    page.close()


def test_case_page_shows_the_story_and_downloads_its_pdf(server, signed_in):
    """/cases?case=1 is 吉林德运公司 (the demo's first enterprise): its case, timeline and one-page PDF."""
    page = signed_in("leader", server + "/cases?case=1&asof=2002-12-31")
    page.wait_for_selector("text=先建党总支（1998年），后建工会（1999年）", timeout=30_000)
    page.wait_for_function("document.querySelectorAll('[data-testid=stVegaLiteChart]').length >= 1", timeout=30_000)
    assert "吉林德运公司" in page.inner_text("[data-testid=stMain]")
    assert page.locator("[data-testid=stException]").count() == 0
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="打印一页纸案例（PDF）").click()
    data = open(download.value.path(), "rb").read()
    assert data.startswith(b"%PDF") and b"/FontFile" in data
