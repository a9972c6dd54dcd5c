"""The pages at every screen a leader uses (issue 17): 1366×768, 1440×900, 1920×1080, 3840×2160 and a
390×844 phone, in chromium, for /, /map, /ledger, /cases, /meetings, /campaigns, /group,
/development and /awards (/present has its own test).

At each size and page, after the run has finished:

* no KPI card cuts its text: every ``stMetricValue`` / ``stMetricLabel`` / ``stMetricDelta`` and each
  element inside them is as wide as its content (``scrollWidth <= clientWidth + 1``) and no card's
  text ends in "…" (issue 17: "100.…", "+74.1 个百…", "Union cover…" at 1440 px);
* nothing in the main block sticks out of it sideways: the block does not scroll horizontally, and
  no element reaches past its left or right edge unless a box of its own clips or scrolls it;
* every table shows its first two columns (the pinned name and the key figure) — on the phone too —
  read from the data grid's accessibility table, which holds the header cells of the columns in
  view only; at desktop widths the tables named in :data:`WHOLE` show every column, and the ledger
  its essential ones.

One signed-in page per size (``signed_in``: one sign-in, then the page moves by URL); no sleeps:
each check waits for the run to finish (``IDLE``) and for the page's content.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

SIZES = [(1366, 768), (1440, 900), (1920, 1080), (3840, 2160), (390, 844)]
PAGES = ["/", "/map", "/ledger", "/cases", "/meetings", "/campaigns", "/group", "/development", "/awards"]
#: a page's own content, waited for before the checks (its sections have run)
READY = {"/": "[data-testid=stMetric]", "/map": "[data-testid=stDataFrame]", "/ledger": "[data-testid=stDataFrame]",
         "/meetings": "[data-testid=stMetric]", "/development": "[data-testid=stDataFrame]"}
DESKTOP_MIN = 1366
#: tables (page, first header) that show every column from a width on: the ranking, the map's
#: township list, the honours from 1366 px; /development's ten-column township table from 1440 px
WHOLE = {("/", "乡镇/街道"): 1366, ("/map", "乡镇/街道"): 1366, ("/cases", "荣誉名称"): 1366,
         ("/development", "乡镇/街道"): 1440}
#: the ledger's columns a reader scans first, in view at desktop widths next to the pinned name
LEDGER_FIRST = ["企业名称", "乡镇/街道", "组建模式", "职工数", "党员数"]

_MEASURE = """() => {
  const main = document.querySelector('[data-testid=stMainBlockContainer]');
  const box = main.getBoundingClientRect();
  const name = el => (el.dataset.testid || el.tagName.toLowerCase()) + ':' + (el.innerText || '').trim().slice(0, 40);
  const clips = el => {  // a box between el and the main block that clips or scrolls it
    for (let a = el.parentElement; a && a !== main; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    }
    return false;
  };
  const sticking = [];
  for (const el of main.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    if ((r.right > box.right + 1 || r.left < box.left - 1) && !clips(el)) sticking.push(name(el) + ` [${Math.round(r.left)}, ${Math.round(r.right)}] of [${Math.round(box.left)}, ${Math.round(box.right)}]`);
  }
  const cut = [];
  for (const part of ['stMetricValue', 'stMetricLabel', 'stMetricDelta']) {
    for (const el of main.querySelectorAll(`[data-testid=${part}]`)) {
      for (const inner of [el, ...el.querySelectorAll('*')]) {
        if (inner.clientWidth && inner.scrollWidth > inner.clientWidth + 1) cut.push(`${part} ${name(inner)} ${inner.scrollWidth} > ${inner.clientWidth}`);
      }
      if ((el.innerText || '').trim().endsWith('…')) cut.push(`${part} ends in …: ${name(el)}`);
    }
  }
  const tables = [];
  for (const df of main.querySelectorAll('[data-testid=stDataFrame]')) {
    // not drawn (an expander not opened) or not shown (another tab)
    if (!df.querySelector('canvas') || !df.getBoundingClientRect().width) continue;
    const heads = [...df.querySelectorAll('th')].map(th => th.textContent.trim()).filter(Boolean);
    const scroller = df.querySelector('.dvn-scroller');
    tables.push({heads, fits: scroller ? scroller.scrollWidth <= scroller.clientWidth + 1 : null,
                 widths: scroller ? [scroller.scrollWidth, scroller.clientWidth] : null});
  }
  return {scroll: [main.scrollWidth, main.clientWidth], sticking: sticking.slice(0, 8), cut: cut.slice(0, 8),
          metrics: main.querySelectorAll('[data-testid=stMetric]').length, tables};
}"""


_HEADED = """() => [...document.querySelectorAll('[data-testid=stMainBlockContainer] [data-testid=stDataFrame]')]
  .filter(df => df.querySelector('canvas') && df.getBoundingClientRect().width)
  .every(df => [...df.querySelectorAll('th')].some(th => th.textContent.trim()))"""


def _measure(page) -> dict:
    """:data:`_MEASURE`, once every shown table has drawn its header row (the grid fills its
    accessible table a moment after its canvas)."""
    page.wait_for_function(_HEADED, timeout=30_000)
    return page.evaluate(_MEASURE)


def _ready(page, path: str) -> None:
    selector = READY.get(path)
    if selector:
        page.wait_for_selector(selector, timeout=60_000)
    page.wait_for_selector("[data-testid=stMainBlockContainer] [data-testid=stVerticalBlock]", timeout=60_000)
    # a data grid writes its header cells once laid out: wait for every drawn grid's first one
    page.wait_for_function("""() => [...document.querySelectorAll('[data-testid=stMainBlockContainer] [data-testid=stDataFrame]')]
        .filter(df => df.querySelector('canvas')).every(df => df.querySelector('th'))""", timeout=30_000)


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("path", PAGES)
def test_nothing_is_cut_or_sticks_out(server, signed_in, path, size):
    page = signed_in("leader", server + path, size=size)
    _ready(page, path)
    assert page.locator("[data-testid=stException]").count() == 0
    got = _measure(page)
    where = f"{path} at {size[0]}×{size[1]}"
    assert got["scroll"][0] <= got["scroll"][1] + 1, f"{where}: the main block scrolls sideways {got['scroll']}"
    assert not got["sticking"], f"{where}: sticks out of the main block: {got['sticking']}"
    assert not got["cut"], f"{where}: KPI card text cut: {got['cut']}"
    if path in ("/", "/meetings"):
        assert got["metrics"] >= 4  # the cards were measured, not absent
    for table in got["tables"]:
        heads = table["heads"]
        assert len(heads) >= 2, f"{where}: a table shows fewer than two columns: {table}"
        if size[0] >= WHOLE.get((path, heads[0]), 10**6):
            assert table["fits"], f"{where}: table {heads[0]}… cut on the right: {table}"
        if size[0] >= DESKTOP_MIN and heads[0] == LEDGER_FIRST[0]:
            assert heads[: len(LEDGER_FIRST)] == LEDGER_FIRST, f"{where}: the ledger's first columns: {heads}"
    if path in ("/", "/map", "/ledger"):
        assert got["tables"], f"{where}: no table measured"
    if path == "/":  # the ranking: the township pinned and union coverage in view, on the phone too
        ranking = next(t for t in got["tables"] if t["heads"][0] == "乡镇/街道")
        assert ranking["heads"][:2] == ["乡镇/街道", "建会率"]


def test_english_cards_are_not_cut_either(server, context):
    """English words are longer ("Union cover…" was cut at 1440 px): the overview's and the meetings'
    cards at the narrowest desktop and, the same page resized, on the phone."""
    from tests.browser.conftest import open_page, visit

    page = open_page(context, server + "/", size=SIZES[0])
    try:
        page.locator("[data-testid=stMain]").get_by_text("English", exact=True).click()  # the header's switch
        page.wait_for_function("() => document.querySelector('[data-testid=stMain]').innerText.includes('Union coverage')",
                               timeout=60_000)
        for size, path in ((SIZES[0], "/"), (SIZES[0], "/meetings"), (SIZES[-1], "/")):
            page.set_viewport_size({"width": size[0], "height": size[1]})
            visit(page, server + path + "?lang=en")
            _ready(page, path)
            got = _measure(page)
            where = f"{path} (English) at {size[0]}×{size[1]}"
            assert "Union coverage" in page.inner_text("[data-testid=stMain]") or path != "/"
            assert got["metrics"] >= 4, where
            assert not got["cut"], f"{where}: KPI card text cut: {got['cut']}"
            assert not got["sticking"] and got["scroll"][0] <= got["scroll"][1] + 1, f"{where}: {got}"
    finally:
        page.close()


#: at 1440 px, the tables in the meetings page's tabs, the map's gap list and a case's records: the
#: ones that fit whole, and the first columns of the wider ones (page, tab, first header) → columns
TAB_TABLES = {
    ("/meetings", "事项看板", "责任单位"): "whole",  # 最长逾期（天） was cut (issue 17)
    ("/meetings", "事项看板", "状态"): ["状态", "事项", "责任单位", "会议", "期限", "逾期天数"],
    ("/meetings", "机制覆盖", "乡镇/街道"): "whole",
    ("/meetings", "协调通报", "状态"): ["状态", "企业", "乡镇/街道", "通报方向", "通报日期", "应回复日期", "逾期天数"],
    ("/map", None, "企业"): ["企业", "乡镇/街道", "党员数", "职工数", "建议下一步"],
    ("/cases", None, "荣誉名称"): "whole",
    ("/cases", None, "季节"): "whole",
}


def test_tables_in_tabs_and_a_case_at_1440(server, signed_in, demo_template, tmp_path):
    import sqlalchemy as sa

    from seed_data import facts

    engine = sa.create_engine(demo_template.copy(tmp_path / "ids.sqlite"))
    with engine.connect() as conn:
        case = conn.execute(sa.text("SELECT id FROM enterprise WHERE name = :n"), {"n": facts.DEYUN}).scalar_one()
    engine.dispose()
    size = SIZES[1]
    seen = set()
    for path, url in (("/meetings", "/meetings"), ("/map", "/map"), ("/cases", f"/cases?case={case}")):
        page = signed_in("leader", server + url, size=size)
        _ready(page, path)
        tabs = sorted({tab for p, tab, _ in TAB_TABLES if p == path}, key=str)
        for tab in tabs:
            if tab:
                page.get_by_role("tab", name=tab, exact=True).click()
                page.wait_for_function("""t => [...document.querySelectorAll('[role=tabpanel]')].some(p =>
                    p.getBoundingClientRect().width && p.querySelector('[data-testid=stDataFrame] th'))""", arg=tab,
                                       timeout=30_000)
            else:
                page.wait_for_selector("[data-testid=stDataFrame] th", timeout=30_000, state="attached")
            for table in _measure(page)["tables"]:
                want = TAB_TABLES.get((path, tab, table["heads"][0]))
                if want is None:
                    continue
                seen.add((path, tab, table["heads"][0]))
                where = f"{path} {tab or ''} {table['heads'][0]} at 1440×900"
                if want == "whole":
                    assert table["fits"], f"{where}: cut on the right: {table}"
                else:
                    assert table["heads"][: len(want)] == want, f"{where}: {table['heads']}"
    assert seen == set(TAB_TABLES), set(TAB_TABLES) - seen
