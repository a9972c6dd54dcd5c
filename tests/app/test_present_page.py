"""AppTest of the presentation mode: every slide renders, the URL picks the slide, scope applies."""

from __future__ import annotations

import pytest

from dashboard.ui.present import SLIDES
from tests.app.test_overview import run as run_app


def run(_user="leader", **params):
    at = run_app(_user=_user, **params)
    at.switch_page("app_pages/present.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def html_text(at) -> str:
    return "\n".join(h.proto.body for h in at.get("html"))


@pytest.mark.parametrize("slide", SLIDES)
def test_every_slide_renders_with_its_title(app_env, slide):
    at = run(slide=slide, asof="2002-12-31", base="all")
    text = html_text(at)
    from dashboard.i18n import t

    assert t(f"present.slide.{slide}", "zh_CN") in text
    assert f"{SLIDES.index(slide) + 1} / {len(SLIDES)}" in text
    assert at.query_params["slide"] == slide


def test_kpi_slide_shows_the_seed_snapshot_for_the_district(app_env):
    text = html_text(run(slide="kpis", asof="2002-12-31", base="all"))
    assert "585 / " in text and "52 / " in text  # union coverage, Party organisations where qualified


def test_township_user_sees_only_yuebei_even_with_another_township_in_the_url(app_env):
    at = run(_user="yuebei", slide="kpis", asof="2002-12-31", base="all", town=["SH"])
    text = html_text(at)
    assert "37 / 43 家" in text  # 越北镇: 37 unionised of 43 operating
    assert "585 / " not in text


def test_a_township_filter_applies_to_the_slides(app_env):
    text = html_text(run(slide="kpis", asof="2002-12-31", base="all", town=["YB"]))
    assert "37 / 43 家" in text and "越北镇" in text


@pytest.mark.parametrize("raw", ["99", "0", "<script>", "map;drop", ""])
def test_a_bad_slide_in_the_url_opens_the_first_slide(app_env, raw):
    at = run(slide=raw)
    assert at.query_params["slide"] == "kpis"


def test_slide_by_number_and_next_button(app_env):
    at = run(slide="2", asof="2002-12-31", base="all")
    assert at.query_params["slide"] == "map"
    at.button(key="deck_next").click().run()
    assert at.query_params["slide"] == "campaign"
    at.button(key="deck_prev").click().run()
    at.button(key="deck_prev").click().run()
    assert at.query_params["slide"] == "kpis"
    at.button(key="deck_prev").click().run()  # wraps around
    assert at.query_params["slide"] == SLIDES[-1]


def test_dark_theme_and_auto_from_the_url(app_env):
    at = run(slide="kpis", theme="dark", auto="20")
    assert at.toggle(key="deck_dark").value is True
    assert at.selectbox(key="deck_auto").value == 20
    assert "#0B1A33" in html_text(at)
    at = run(slide="kpis", auto="7")  # not an offered interval: manual
    assert at.selectbox(key="deck_auto").value == 0


def test_actions_slide_lists_overdue_items_with_a_text_label(app_env):
    text = html_text(run(slide="actions"))
    assert "逾期" in text and "dg-status" in text


def test_a_township_user_is_labelled_with_their_township_not_the_district(app_env):
    text = html_text(run(_user="yuebei", slide="kpis", asof="2002-12-31", base="all"))
    assert "越北镇" in text and "· 全区 ·" not in text


def test_the_map_slide_ranks_only_the_filtered_townships(app_env):
    import re

    text = html_text(run(slide="map", asof="2002-12-31", base="all", town=["YB"]))
    table = text[text.index('<table class="dg-table'):]
    names = re.findall(r"<tr><td[^>]*>([^<]+)</td>", table)
    assert names == ["越北镇"]
    whole = html_text(run(slide="map", asof="2002-12-31", base="all"))
    assert len(re.findall(r"<tr><td[^>]*>([^<]+)</td>", whole[whole.index('<table class="dg-table'):])) == 10




def test_closed_campaign_zones_are_green_when_their_targets_were_met_and_red_otherwise(app_env):
    """On 2002-12-31 every zone's deadline has passed: green when it met both targets, else red."""
    import datetime as dt
    import re

    from sqlmodel import Session

    from dashboard.queries.campaigns import campaign_progress
    from dashboard.queries.scope import Scope
    from models.db import make_engine

    engine = make_engine(app_env)
    with Session(engine) as s:
        zones = campaign_progress(s, Scope.district(), dt.date(2002, 12, 31))
    engine.dispose()
    expected = {z.zone: "green" if z.new_unions >= z.target_unions and z.new_members >= z.target_members else "red"
                for z in zones.itertuples(index=False)}
    assert (zones["days_left"] < 0).all() and set(expected.values()) == {"green", "red"}  # both cases occur
    text = html_text(run(slide="campaign", asof="2002-12-31", base="all"))
    kinds = {zone: kind for kind, zone in re.findall(r'<div class="dg-tile (\w+)"><div class="dg-label">([^<]+)<', text)}
    assert kinds == expected


def test_actions_slide_lists_overdue_then_due_soon_items_like_the_board(app_env):
    """The slide's rows are the open items overdue or due within the 临期 window, overdue first,
    the same selection and labels as the meetings page (queries.meetings.action_items)."""
    import datetime as dt
    import re

    from sqlmodel import Session, select

    from dashboard.queries import meetings
    from dashboard.queries.followup import DUE_SOON_DAYS
    from dashboard.queries.scope import Scope
    from models.db import make_engine
    from models.tables import Township
    from tests.app.conftest import DEMO_TODAY

    # the first township whose slide lists a 临期 row, not only overdue ones (the whole district's
    # staff account narrowed to it by the township filter: the slide reads the same scope)
    engine = make_engine(app_env)
    with Session(engine) as s:
        towns = s.exec(select(Township.id, Township.code).order_by(Township.sort_order)).all()
        for tid, code in towns:
            expected = meetings.action_items(s, Scope.townships([tid]), DEMO_TODAY, only_open=True, limit=7,
                                             due_by=DEMO_TODAY + dt.timedelta(days=DUE_SOON_DAYS))
            if "due_soon" in set(expected["label"]) and "overdue" in set(expected["label"]):
                break
    engine.dispose()
    assert "due_soon" in set(expected["label"]), "the demo has a township with an item due soon"
    text = html_text(run(_user="staff", slide="actions", asof=DEMO_TODAY.isoformat(), town=code))
    table = text[text.index('<table class="dg-table'):]
    labels = re.findall(r'<span class="dg-status"[^>]*>([^<]+)</span>', table)
    assert labels == ["逾期" if lab == "overdue" else "临期" for lab in expected["label"]]


def test_campaign_zone_tiles_say_their_status_in_words(app_env):
    """Colour never alone: each zone tile carries the word of its pace (已完成 / 超前 / 按期 green,
    落后 / 逾期未完成 red)."""
    import re

    text = html_text(run(slide="campaign", asof="2002-12-31", base="all"))
    tiles = re.findall(r'<div class="dg-tile (\w+)"><div class="dg-label">[^<]+</div><div class="dg-detail">'
                       r'<span class="dg-status"[^>]*>([^<]+)</span>', text)
    words = {"green": {"已完成", "超前", "按期"}, "red": {"落后", "逾期未完成"}}
    assert len(tiles) == 4 and all(word in words[kind] for kind, word in tiles)


# --- the stage (#17): ?wall=, the clock and countdown, no tooltips -------------------------------


@pytest.mark.parametrize(("raw", "cols"), [("2x2", 2), ("3x3", 3), ("3X3", 3)])
def test_a_wall_in_the_url_sets_the_stage_for_the_wall(app_env, raw, cols):
    from dashboard.ui.sections.present import WALL_KEY

    at = run(slide="kpis", asof="2002-12-31", base="all", wall=raw)
    setting = at.session_state[WALL_KEY]
    assert setting.wall is not None and setting.wall.cols == cols and setting.rejected is None
    text = html_text(at)
    assert 'class="dg-note"' not in text
    assert f"--dg-cols:{2 * cols if cols == 2 else cols};" in text  # six KPI tiles: 4 columns on 2×2, 3 on 3×3
    assert at.query_params["wall"] == raw  # kept in the URL as given


@pytest.mark.parametrize("raw", ["5x7", "2x3", "<b>2x2</b>", "1e9", "２x２"])
def test_an_unknown_wall_is_ignored_with_a_visible_note(app_env, raw):
    import html

    from dashboard.ui.sections.present import WALL_KEY

    at = run(slide="kpis", asof="2002-12-31", base="all", wall=raw)
    assert at.session_state[WALL_KEY].wall is None
    text = html_text(at)
    assert 'class="dg-note"' in text and "未识别的拼接屏设置" in text and html.escape(raw) in text
    assert "<b>2x2</b>" not in text  # escaped, never markup
    assert "--dg-cols:3;" in text  # a single screen's grid


def test_no_wall_no_note(app_env):
    text = html_text(run(slide="kpis", asof="2002-12-31", base="all"))
    assert 'class="dg-note"' not in text and "--dg-cols:3;" in text


def test_the_stage_has_a_clock_and_with_auto_advance_a_countdown(app_env):
    import re

    text = html_text(run(slide="kpis", asof="2002-12-31", base="all", auto="30"))
    assert re.search(r'class="dg-clock">\d\d:\d\d:\d\d<', text)
    m = re.search(r'class="dg-countdown" data-left="(\d+)" data-template="\{n\} 秒后翻页">(\d+) 秒后翻页<', text)
    assert m and 25 <= int(m.group(1)) <= 30 and m.group(1) == m.group(2)
    assert 'class="dg-countdown"' not in html_text(run(slide="kpis", asof="2002-12-31", base="all"))  # by hand: none


def test_the_deck_controls_carry_no_tooltips_and_the_keys_hint_is_a_caption(app_env):
    from dashboard.i18n import t

    at = run(slide="kpis", asof="2002-12-31", base="all")
    for key in ("deck_prev", "deck_next"):
        assert not at.button(key=key).help
    assert any(t("present.keys", "zh_CN") in c.value for c in at.caption)
    assert "title=" not in html_text(at)


def test_the_model_picker_sits_in_the_bar_that_hides(app_env):
    at = run(slide="model", asof="2002-12-31", base="all")
    assert at.selectbox(key="deck_model").value is not None
    assert at.selectbox(key="deck_pick").value == 4  # the slide picker follows the slide
