"""Every chart on a page comes with its PNG download (rendered only when clicked)."""

from __future__ import annotations

from tests.app.test_overview import run


def _png_buttons(at):
    return [b for b in at.get("download_button") if b.proto.label == "下载图片"]


def _charts(at):
    return list(at.get("vega_lite_chart")) or list(at.get("arrow_vega_lite_chart"))


def test_overview_has_one_png_button_per_chart(app_env):
    at = run(asof="2002-12-31")
    charts = _charts(at)
    assert len(charts) >= 4  # patterns, mini map, foundings, rates
    assert len(_png_buttons(at)) == len(charts)


def test_map_page_charts_have_png_buttons(app_env):
    at = run(asof="2002-12-31")
    at.switch_page("app_pages/coverage_map.py").run()
    assert not at.exception
    assert len(_png_buttons(at)) == len(_charts(at)) >= 2


def test_png_callable_renders_the_chart(app_env):
    """The deferred data of a button is the chart rendered by vl-convert (a valid PNG)."""
    import io

    from PIL import Image

    from dashboard import charts
    from dashboard.ui.chart import _png_callable
    from models.enums import Pattern

    spec = charts.pattern_bar({p: 5 for p in Pattern}, "zh_CN").to_dict()
    png = _png_callable(spec, 600)()
    assert Image.open(io.BytesIO(png)).format == "PNG"


def _page(path: str, **params):
    at = run(**params)
    at.switch_page(path).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_cases_and_meetings_charts_have_png_buttons_and_the_big_screen_none(app_env):
    """Every chart of the pages has its 下载图片; the big screen's map has none (no control, no
    tooltip over a slide: the map page has the same map with its button)."""
    import sqlalchemy as sa

    from seed_data import facts

    engine = sa.create_engine(app_env)
    with engine.connect() as conn:
        deyun = conn.execute(sa.text("SELECT id FROM enterprise WHERE name = :n"), {"n": facts.DEYUN}).scalar_one()
    engine.dispose()
    for at in (_page("app_pages/cases.py", case=str(deyun)), _page("app_pages/meetings.py")):
        charts = _charts(at)
        assert len(charts) >= 1
        assert len(_png_buttons(at)) == len(charts)
    deck = _page("app_pages/present.py", slide="map")
    assert len(_charts(deck)) == 1 and _png_buttons(deck) == []


def _recording(monkeypatch) -> list:
    """Record what every PNG button of a run would render: (spec, width, (title, note))."""
    from dashboard.ui import chart

    seen, real = [], chart._png_callable

    def record(built, width, caption=(None, None)):
        seen.append((built, width, caption))
        return real(built, width, caption)

    monkeypatch.setattr(chart, "_png_callable", record)
    return seen


def test_every_chart_image_says_what_when_and_where(app_env, monkeypatch):
    """Each 下载图片 renders its chart with a title, the as-of date and the scope under it (issue 17:
    chart images carried none of them); with a township filter the scope is the township's name."""
    import io

    import sqlalchemy as sa
    from PIL import Image

    from dashboard.exports.png import chart_png

    engine = sa.create_engine(app_env)
    with engine.connect() as conn:
        code, name = conn.execute(sa.text("SELECT code, name FROM township ORDER BY sort_order, code")).first()
    engine.dispose()

    seen = _recording(monkeypatch)
    overview = run(asof="2002-12-31")
    assert len(seen) == len(_charts(overview)) >= 4
    for path in ("app_pages/coverage_map.py", "app_pages/meetings.py", "app_pages/campaigns.py"):
        overview.switch_page(path).run()
        assert not overview.exception, [e.value for e in overview.exception]
    assert len(seen) >= 9  # overview 4, map 2, meetings 3, campaigns 1 on the demo at 2002-12-31
    # a chart of coverage figures also names the 党建基数 they count over (issue 14 item 2)
    where = "统计截至 2002年12月31日 · 范围：全区"
    for built, width, (title, note) in seen:
        assert title and note in (where, where + " · 三有企业"), (title, note)
    assert sum(note.endswith(" · 三有企业") for _, _, (_, note) in seen) >= 3  # the pattern bar, two maps
    for built, width, (title, note) in seen:  # every one rendered, with and without its caption
        plain = Image.open(io.BytesIO(chart_png(built, width=width)))
        captioned = Image.open(io.BytesIO(chart_png(built, width=width, title=title, note=note)))
        assert captioned.size[1] >= plain.size[1] + 2 * 30, title  # two lines of caption at 2×

    seen.clear()
    filtered = run(asof="2002-12-31", town=code)
    where = f"统计截至 2002年12月31日 · 范围：{name}"
    assert seen and all(note in (where, where + " · 三有企业") for _, _, (_, note) in seen)
    titles = [title for _, _, (title, _) in seen]
    assert "组建模式分布" in titles and not filtered.exception
