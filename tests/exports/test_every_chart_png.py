"""Every chart the pages draw, rendered to PNG as its 下载图片 button renders it (issue 17: both trend
charts' downloads failed with "unsupported type date", and nothing tested the others).

The pages run in AppTest on the demo district at its own date (the figures a leader sees, not a
hand-made frame); every ``chart.show`` call is recorded with the spec, width and caption its
button got, and each is rendered through the button's own callable (``ui.chart._png_callable``:
vl-convert with the CJK font). The set of charts covered is read from the source — every
``chart.show("<builder>")`` in dashboard/ui — so a chart added later cannot go untested.
The boundary upload's preview (``charts.boundaries.preview_map``, drawn without a download) is
rendered from the demo's shapes.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image

from tests.fonts import needs_font

pytestmark = needs_font

ROOT = Path(__file__).resolve().parents[2]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def _demo_url(demo_template, tmp_path_factory) -> str:
    return demo_template.copy(tmp_path_factory.mktemp("chart_png") / "demo.sqlite")


@pytest.fixture
def app_env(_demo_url, monkeypatch):
    """The app on a copy of the demo district (signing in writes audit rows)."""
    from dashboard.ui import auth
    from models.settings import get_settings

    monkeypatch.setenv("DANGONG_DATABASE_URL", _demo_url)
    get_settings.cache_clear()
    auth.ADDRESS_THROTTLE.clear()
    yield _demo_url
    auth.ADDRESS_THROTTLE.clear()


def builders_in_source() -> set[str]:
    """Every builder a page draws through ``chart.show``."""
    found = set()
    for path in (ROOT / "dashboard" / "ui").rglob("*.py"):
        found |= set(re.findall(r'chart\.show\(\s*"([\w.]+)"', path.read_text(encoding="utf-8")))
    return found


def _record(monkeypatch) -> list[dict]:
    """Each ``chart.show`` of a run: its builder and what its PNG button would render."""
    from dashboard.ui import chart

    seen: list[dict] = []
    real_show, real_png = chart.show, chart._png_callable

    def show(builder, *args, **kwargs):
        seen.append({"builder": builder, "png": None})
        return real_show(builder, *args, **kwargs)

    def png_callable(built, width, caption=(None, None)):
        render = real_png(built, width, caption)
        seen[-1]["png"] = (built, width, caption, render)
        return render

    monkeypatch.setattr(chart, "show", show)
    monkeypatch.setattr(chart, "_png_callable", png_callable)
    return seen


def _case_id(url: str) -> int:
    import sqlalchemy as sa

    from seed_data import facts

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT id FROM enterprise WHERE name = :n"), {"n": facts.DEYUN}).scalar_one()
    finally:
        engine.dispose()


def test_every_chart_of_every_page_renders_to_a_captioned_png(app_env, monkeypatch):
    from dashboard.exports.png import chart_svg_size
    from tests.app.test_overview import run

    seen = _record(monkeypatch)
    at = run()  # the overview at the demo's date
    for path, params in (("app_pages/coverage_map.py", {}), ("app_pages/cases.py", {"case": str(_case_id(app_env))}),
                         ("app_pages/meetings.py", {}), ("app_pages/campaigns.py", {}),
                         ("app_pages/campaigns.py", {"view": "leads"})):
        for key in list(at.query_params):
            if key not in ("asof", "town", "lang"):
                del at.query_params[key]
        for key, value in params.items():
            at.query_params[key] = value
        at.switch_page(path).run()
        assert not at.exception, (path, [e.value for e in at.exception])

    drawn = {s["builder"] for s in seen}
    assert builders_in_source() <= drawn, f"charts never drawn here: {builders_in_source() - drawn}"
    assert all(s["png"] for s in seen), [s["builder"] for s in seen if not s["png"]]  # each has its button
    assert len(seen) >= 12  # overview 4, map 2, case 1, meetings 3, campaign 1, leads 1

    from dashboard.ui.chart import COVERAGE_BUILDERS

    as_of = at.session_state["filters"].as_of
    date = f"{as_of.year}年{as_of.month}月{as_of.day}日"
    for s in seen:
        built, width, (title, note), render = s["png"]
        name = s["builder"]
        png = render()  # what the button downloads
        assert png[:8] == PNG_MAGIC, name
        image = Image.open(io.BytesIO(png))
        image.verify()  # a corrupt file raises
        image = Image.open(io.BytesIO(png))
        # a sensible size at 2×: at least a small chart's, at most a poster's
        assert 2 * 300 <= image.size[0] <= 2 * 2400 and 2 * 120 <= image.size[1] <= 2 * 2400, (name, image.size)
        # drawn, not an empty frame: many colours (shapes, bars, anti-aliased type)
        assert len(image.convert("RGB").getcolors(maxcolors=1 << 20)) > 16, name
        # the caption says what, when and where, and takes its room under the chart
        assert title, name
        base = " · 三有企业" if name in COVERAGE_BUILDERS else ""  # coverage figures name their 党建基数
        assert note == f"统计截至 {date} · 范围：全区{base}", (name, note)
        plain_height = chart_svg_size(built, width=width)[1]
        assert image.size[1] >= 2 * (plain_height + 27), (name, image.size, plain_height)


def test_the_boundary_preview_renders_too():
    import json

    from dashboard.charts.boundaries import preview_map
    from dashboard.exports.png import chart_png
    from seed_data.geo import load_demo_geojson

    features = [{"index": i + 1, "geometry": f["geometry"], "label": f["properties"]["name"], "matched": i % 2 == 0,
                 "status": "将导入" if i % 2 == 0 else "不导入"}
                for i, f in enumerate(load_demo_geojson()["features"])]
    spec = json.loads(json.dumps(preview_map(features, "zh_CN").to_dict(), default=str))
    png = chart_png(spec, width=600, title="边界预览", note="统计截至 2026年11月24日 · 范围：全区")
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size[0] >= 1200
    assert len(image.convert("RGB").getcolors(maxcolors=1 << 20)) > 16


@pytest.mark.parametrize("locale", ["en"])
def test_english_chart_images_have_english_captions(app_env, monkeypatch, locale):
    """The caption follows the page's language (the overview's charts in English)."""
    from tests.app.test_overview import run

    seen = _record(monkeypatch)
    run(lang=locale)
    assert seen
    for s in seen:
        built, width, (title, note), render = s["png"]
        assert title and note and "统计" not in note and "范围" not in note, (s["builder"], title, note)
        assert render()[:8] == PNG_MAGIC
