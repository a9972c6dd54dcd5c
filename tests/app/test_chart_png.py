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


def test_cases_meetings_and_present_charts_have_png_buttons(app_env):
    import sqlalchemy as sa

    from seed_data import facts

    engine = sa.create_engine(app_env)
    with engine.connect() as conn:
        deyun = conn.execute(sa.text("SELECT id FROM enterprise WHERE name = :n"), {"n": facts.DEYUN}).scalar_one()
    engine.dispose()
    for at in (_page("app_pages/cases.py", case=str(deyun)), _page("app_pages/meetings.py"),
               _page("app_pages/present.py", slide="map")):
        charts = _charts(at)
        assert len(charts) >= 1
        assert len(_png_buttons(at)) == len(charts)
