"""The presentation mode in a real browser at 1920×1080: every slide fits the screen (no scrollbar),
the arrow keys move between slides, the dark theme is dark, and the brief downloads. One signed-in
page at 1920×1080 for the module (``signed_in``), moved from slide to slide by URL."""

from __future__ import annotations

import io

import pytest

from dashboard.i18n import t
from dashboard.ui.present import SLIDES

pytestmark = pytest.mark.browser
SCREEN = {"width": 1920, "height": 1080}


#: resolves once every chart of the slide has been drawn (charts lay out after the script has
#: finished) and the page's size has then stayed the same for five animation frames
_LAID_OUT = """() => new Promise(resolve => {
    let last = null, same = 0;
    const tick = () => {
        const charts = [...document.querySelectorAll('.st-key-slide [data-testid=stVegaLiteChart]')];
        const drawn = charts.every(c => [...c.querySelectorAll('canvas, svg.marks')].some(
            e => e.getBoundingClientRect().height > 0));
        const main = document.querySelector('[data-testid=stMain]');
        const size = [document.documentElement.scrollHeight, document.documentElement.scrollWidth,
                      main.scrollHeight, charts.length].join();
        same = drawn && size === last ? same + 1 : 0;
        last = size;
        if (same >= 5) resolve(true); else requestAnimationFrame(tick);
    };
    tick();
})"""


def _present(signed_in, url):
    page = signed_in("leader", url, size=(SCREEN["width"], SCREEN["height"]), ready=".st-key-slide .dg-title")
    page.wait_for_selector(".st-key-slide .dg-title", timeout=90_000)
    page.evaluate(_LAID_OUT)
    return page


def _scroll(page) -> dict:
    return page.evaluate("""() => {
        const main = document.querySelector('[data-testid=stMain]');
        return {doc: document.documentElement.scrollHeight, view: window.innerHeight,
                main: main.scrollHeight, mainView: main.clientHeight,
                width: document.documentElement.scrollWidth, viewWidth: window.innerWidth};
    }""")


@pytest.mark.parametrize("slide", SLIDES)
def test_every_slide_fits_a_1920x1080_screen(server, signed_in, slide, tmp_path):
    page = _present(signed_in, f"{server}/present?slide={slide}")
    assert page.locator("[data-testid=stException]").count() == 0
    assert t(f"present.slide.{slide}", "zh_CN") in page.locator(".st-key-slide .dg-title").inner_text()
    dims = _scroll(page)
    assert dims["doc"] <= dims["view"] + 1 and dims["main"] <= dims["mainView"] + 1, dims
    assert dims["width"] <= dims["viewWidth"], dims
    assert not page.locator("[data-testid=stSidebar]").is_visible()  # no chrome
    png = page.screenshot(path=str(tmp_path / f"{slide}.png"))
    from PIL import Image

    assert Image.open(io.BytesIO(png)).size == (1920, 1080)


def test_arrow_keys_move_between_slides_and_the_url_follows(server, signed_in):
    page = _present(signed_in, f"{server}/present?slide=kpis")
    page.mouse.click(1200, 60)  # focus the page (an empty spot in the heading row), not a widget of the bar at the foot
    page.keyboard.press("ArrowRight")
    page.wait_for_url("**slide=map**", timeout=30_000)
    page.wait_for_function("() => document.querySelector('.st-key-slide .dg-title')?.innerText.includes('"
                           + t("present.slide.map", "zh_CN") + "')", timeout=30_000)
    page.keyboard.press("ArrowLeft")
    page.wait_for_url("**slide=kpis**", timeout=30_000)


def test_dark_theme_paints_the_screen_navy(server, signed_in):
    from PIL import Image

    page = _present(signed_in, f"{server}/present?slide=kpis&theme=dark")
    # the title can be drawn before the theme's style block is applied (seen once on a loaded machine)
    page.wait_for_function("() => getComputedStyle(document.querySelector('[data-testid=stMain]')).backgroundColor"
                           " === 'rgb(11, 26, 51)'", timeout=30_000)
    img = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    r, g, b = img.getpixel((1900, 1060))
    assert (r, g, b) == (0x0B, 0x1A, 0x33)


def test_the_meeting_brief_downloads_as_pdf_from_the_presentation(server, signed_in):
    page = _present(signed_in, f"{server}/present?slide=kpis")
    page.get_by_role("button", name=t("brief.download", "zh_CN")).click()
    button = page.get_by_role("button", name=t("brief.pdf", "zh_CN"))
    button.wait_for(timeout=30_000)
    with page.expect_download(timeout=60_000) as info:
        button.click()
    path = info.value.path()
    with open(path, "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    assert info.value.suggested_filename.startswith("brief_") and info.value.suggested_filename.endswith(".pdf")
    # the Word brief from the same popover: a .docx whose first lines are the 公文 head
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=t("brief.docx", "zh_CN")).click()
    assert info.value.suggested_filename.endswith(".docx")
    from docx import Document

    head = [p.text for p in Document(info.value.path()).paragraphs if p.text][:2]
    assert head[0].startswith("内部资料") and head[1].endswith("党工共建工作领导小组办公室")
    page.keyboard.press("Escape")  # close the popover: the page stays signed in for the next test
