"""Untrusted text never becomes Markdown (issue #21, item 3).

Values from the URL, the database or an import reach Streamlit's Markdown (``st.markdown``,
captions, alerts, labels, help): a link in ``?town=`` would show as a working link in the app's
own banner, an image in ``?asof=`` would make the browser fetch it, and a bare URL in saved text
(a meeting title, a decision, a reason) would become a link for every other user — Streamlit's
Markdown turns ``http://…``, ``www.…`` and ``name@host`` into links *even when the characters are
backslash-escaped* (checked in a real browser: tests/browser/test_untrusted_in_chromium.py).

``hazards(body)`` reads a Markdown source as the renderer would: unescaped link, image or HTML
syntax, and, after the escapes are resolved, anything the autolinker or Streamlit's icon syntax
would pick up. Every Markdown-bearing element of the pages (body, label, help) is checked.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from dashboard.ui.widgets import escape_markdown
from tests.app.test_overview import run as run_app
from tests.factories import app_on_own_demo

#: what CommonMark lets a backslash escape (ASCII punctuation)
_ESCAPED = r"\\[!-/:-@\[-`{-~]"
EVIL = "evil.example"
#: a saved text as a hostile (or careless) user would type it: a bare URL, www., an e-mail, a link,
#: an image, HTML, an entity that decodes to ":", a Streamlit icon and colour directive
HOSTILE = ("见 http://evil.example/x 或 www.evil.example，a@evil.example [点此](http://evil.example/l) "
           "![i](http://evil.example/i.png) <b>粗</b> https&#58;//evil.example/e :material/home: :red[红]")
#: the same within a meeting title's 120 characters
TITLE = "会 http://evil.example/x www.evil.example [点](http://evil.example/l) ![i](http://evil.example/i.png) <b>粗</b>"


def rendered(body: str) -> str:
    """The text the Markdown parser leaves after resolving backslash escapes (invisible joiners kept)."""
    return re.sub(_ESCAPED, lambda m: m.group(0)[1], body)


def hazards(body: str) -> list[str]:
    """What in ``body`` a Markdown renderer would turn into a link, an image, HTML or an icon."""
    found = []
    bare = re.sub(_ESCAPED, "", body)  # the syntax characters left unescaped
    if re.search(r"\]\s*[(\[]", bare):
        found.append("link or image syntax")
    if "![" in bare:
        found.append("image syntax")
    if re.search(r"<[A-Za-z/!?]", bare):
        found.append("HTML or <autolink>")
    if re.search(r"&#?\w+;", bare):
        found.append("character reference")
    text = rendered(body)
    if re.search(r"(?i)\b(https?|ftp)://|\bwww\.|[\w.+-]@[\w-]+\.\w", text):
        found.append("autolink")
    if re.search(r"\\:material/|:material/home", body):  # an escaped icon still shows; the hostile one
        found.append("icon")
    return found


#: elements whose body is not Markdown: plain text, code, HTML (checked on its own), data
_NOT_MARKDOWN = {"text", "code", "html", "arrow_data_frame", "dataframe", "table", "json", "exception", "vega_lite_chart",
                 "arrow_vega_lite_chart", "plotly_chart", "image", "imgs"}


def markdown_texts(at) -> list[str]:
    """Every string of the page that Streamlit renders as Markdown: bodies (markdown, captions,
    alerts, toasts), labels (widgets, metrics, expanders, tabs, popovers) and help tooltips."""
    out = []
    for node in at._tree:
        proto = getattr(node, "proto", None)
        if proto is None or getattr(node, "type", None) in _NOT_MARKDOWN:
            continue
        fields = getattr(getattr(proto, "DESCRIPTOR", None), "fields_by_name", {})
        for name in ("body", "label", "help"):
            if name in fields:
                value = getattr(proto, name)
                if isinstance(value, str) and value:
                    out.append(value)
    return out


def html_bodies(at) -> list[str]:
    return [h.proto.body for h in at.get("html")]


def assert_safe(at, *, must_show: str | None = EVIL) -> list[str]:
    texts = markdown_texts(at)
    bad = [(text, hazards(text)) for text in texts if hazards(text)]
    assert not bad, bad
    if must_show is not None:  # the hostile text did reach the page (else the check above proves nothing)
        assert any(must_show in rendered(x).replace("\u2060", "") for x in texts), texts
    return texts


# --------------------------------------------------------------------------- the escape itself


@pytest.mark.parametrize("text", [
    HOSTILE,
    "[点此重新登录](http://evil.example/login)",
    "![x](http://127.0.0.1:9/a.png)",
    "HTTP://EVIL.EXAMPLE WWW.EVIL.EXAMPLE mailto:someone@evil.example",
    "<http://evil.example> <img src=x onerror=alert(1)>",
    "# 标题\n\n- 列表\n1. 编号\n---\n===\n> 引用\n    代码",
    "`code` **粗** _斜_ ~~删~~ $x^2$ | a | b |",
    "\\[already\\](escaped) \\\\ trailing \\",
])
def test_escaped_text_shows_as_itself_and_never_as_markdown(text):
    out = escape_markdown(text)
    assert hazards(out) == [], (out, hazards(out))
    assert rendered(out).replace("\u2060", "") == text  # nothing lost: the reader sees what was typed


def test_the_escape_check_is_not_blind():
    """The checker flags what the browser showed as a link or an image (backslashes alone do not help)."""
    for raw in ("[a](http://x.example)", "![a](http://x.example/a.png)", "see http\\://x\\.example",
                "www\\.x\\.example", "a\\@x\\.example", "\\:material/home\\:", "<b>x</b>", "http&#58;//x.example"):
        assert hazards(raw), raw


def test_a_url_value_is_capped_on_one_line():
    from dashboard.ui.widgets import URL_VALUE_MAX, untrusted

    shown = rendered(untrusted("A" * 500 + "[x](http://evil.example)")).replace("\u2060", "")
    assert shown == "A" * URL_VALUE_MAX + "…"
    assert rendered(untrusted("two\n\n# lines\tand\rmore")).replace("\u2060", "") == "two # lines and more"
    assert hazards(untrusted(HOSTILE)) == []


# --------------------------------------------------------------------------- the app, from the URL


@pytest.fixture
def app_db(demo_template, tmp_path, monkeypatch):
    """A copy of the demo district of this test's own, the app pointed at it."""
    return app_on_own_demo(demo_template, tmp_path / "demo.sqlite", monkeypatch)


def test_url_values_in_the_notices_are_text_and_capped(app_db):
    """``?town=[点此重新登录](http://…)`` and ``?asof=![x](http://…/a.png)``: the notices name the
    values as text (no link, no image)."""
    at = run_app(town=["[点此重新登录](http://evil.example/login)"], asof="![x](http://evil.example/a.png)",
                 lang="[en](http://evil.example/lang)")
    notices = [w.value for w in at.warning]
    assert len(notices) == 3, notices  # township, date, language
    for notice in notices:
        assert hazards(notice) == [], (notice, hazards(notice))
    shown = " ".join(rendered(n).replace("\u2060", "") for n in notices)
    for value in ("[点此重新登录](http://evil.example/login)", "![x](http://evil.example/a.png)", "[en](http://evil.example/lang)"):
        assert value in shown  # said as it was typed, so the reader sees the trick
    assert_safe(at)


def test_a_long_url_value_is_cut_to_40_characters(app_db):
    at = run_app(town=["x" * 300], asof="9" * 300)
    shown = [rendered(w.value) for w in at.warning]
    assert len(shown) == 2 and all("x" * 40 + "…" in n or "9" * 40 + "…" in n for n in shown), shown
    assert not any("x" * 41 in n or "9" * 41 in n for n in shown), shown


def test_a_forbidden_township_in_the_url_is_named_as_text(app_db):
    """A township account sent a link to another township whose code is crafted: named, not linked."""
    engine = sa.create_engine(app_db)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE township SET code = :c WHERE code = 'QL'"), {"c": "[QL](http://evil.example/q)"})
    engine.dispose()
    at = run_app(_user="yuebei", town=["[QL](http://evil.example/q)"])
    assert any("无权查看" in w.value for w in at.warning)
    assert_safe(at)


# --------------------------------------------------------------------------- the app, from the database


def _save_hostile_texts(url: str) -> dict[str, int]:
    """Save ``HOSTILE`` the way users do (the edit functions, one transaction each) — a district
    meeting with a decision and an overdue action item, a model designation in 越北镇 — and put it
    where imports and the CLI write: a township's name, the district name, a user's display name."""
    from dashboard.edits import Actor
    from dashboard.edits.cases import set_designation
    from dashboard.edits.meetings import add_action_item, record_meeting
    from dashboard.queries.dates import district_today
    from models.db import make_engine, session_scope
    from models.enums import Role

    today = district_today()
    engine = make_engine(url)
    staff = Actor("staff", Role.STAFF)
    with engine.connect() as conn:
        unit = conn.execute(sa.text("SELECT id FROM unit WHERE township_id IS NULL ORDER BY id LIMIT 1")).scalar_one()
        yb = conn.execute(sa.text("SELECT id FROM township WHERE code = 'YB'")).scalar_one()
        plain = conn.execute(sa.text(
            "SELECT e.id FROM enterprise e WHERE e.township_id = :t AND e.closed_on IS NULL "
            "AND NOT EXISTS (SELECT 1 FROM honor h WHERE h.enterprise_id = e.id) "
            "AND NOT EXISTS (SELECT 1 FROM model_designation m WHERE m.enterprise_id = e.id) ORDER BY e.id LIMIT 1"),
            {"t": yb}).scalar_one()
    with session_scope(engine) as s:
        meeting = record_meeting(session=s, actor=staff, level="district", held_on=today - dt.timedelta(days=3),
                                 title=TITLE, agenda=HOSTILE, minutes=HOSTILE, attendee_unit_ids=[unit],
                                 attendee_names=["[张三](http://evil.example/p)"], decisions=[HOSTILE], today=today)
    with session_scope(engine) as s:
        add_action_item(session=s, actor=staff, meeting_id=meeting, description=HOSTILE, owner_unit_id=unit,
                        due_on=today - dt.timedelta(days=1), decision_text=HOSTILE, today=today)
    with session_scope(engine) as s:  # an old one: its item is the most overdue of all (first on the big screen)
        old = record_meeting(session=s, actor=staff, level="district", held_on=dt.date(2003, 1, 6), title="旧会",
                             attendee_unit_ids=[unit], decisions=["旧决定"], today=today)
    with session_scope(engine) as s:
        add_action_item(session=s, actor=staff, meeting_id=old, description=HOSTILE, owner_unit_id=unit,
                        due_on=dt.date(2003, 1, 7), decision_text=HOSTILE, today=today)
    with session_scope(engine) as s:
        set_designation(session=s, actor=staff, enterprise_id=plain, designated=True, reason=HOSTILE)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE township SET name = :n WHERE code = 'YB'"), {"n": "越北镇 [图](http://evil.example/t)"})
        conn.execute(sa.text("UPDATE dataset_info SET value = :v WHERE key = 'district_name'"),
                     {"v": "##区 www.evil.example"})
        conn.execute(sa.text("UPDATE app_user SET display_name = :v WHERE username IN ('leader', 'staff')"),
                     {"v": "[区领导](http://evil.example/u)"})
    engine.dispose()
    return {"meeting": meeting, "model": plain}


@pytest.fixture
def hostile_db(app_db):
    return app_db, _save_hostile_texts(app_db)


def test_saved_text_on_the_overview_is_never_a_link(hostile_db):
    assert_safe(run_app(_user="leader"))  # header (district name), user box (display name), alerts


def test_saved_meeting_texts_are_never_links(hostile_db):
    """The meeting card (title, attendees, decisions), the since-the-last-meeting summary (the
    overdue item) on the meetings page, for a leader reading what staff saved."""
    at = run_app(_user="leader")
    at.switch_page("app_pages/meetings.py").run()
    assert not at.exception, [e.value for e in at.exception]
    texts = assert_safe(at)
    flat = [rendered(x).replace("\u2060", "") for x in texts]
    assert any(TITLE in x and x.startswith("####") for x in flat), "the meeting card shows the saved title"
    assert any(HOSTILE in x and "逾期" in x for x in flat), "the summary names the overdue item"
    assert any(t.value == HOSTILE for t in at.get("text")), "agenda and minutes as plain text, as typed"


def test_a_saved_reason_on_the_case_pages_is_never_a_link(hostile_db):
    _url, ids = hostile_db
    at = run_app(_user="leader")
    at.switch_page("app_pages/cases.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert_safe(at)  # the gallery card's "why" line
    at.query_params["case"] = str(ids["model"])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert_safe(at)  # the case header's "why" line


def test_an_imported_township_name_on_the_map_page_is_never_a_link(hostile_db):
    at = run_app(_user="leader", town=["YB"])
    at.switch_page("app_pages/coverage_map.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert_safe(at)  # the drill-down title names the township


@pytest.mark.parametrize("slide, shown", [
    ("actions", "&lt;b&gt;粗&lt;/b&gt;"),  # the most overdue item, escaped
    ("map", "越北镇 [图](http://evil.example/t)"),  # the township in the ranking, as text
])
def test_the_big_screen_shows_saved_text_as_text(hostile_db, slide, shown):
    """The presentation draws HTML: saved text is escaped there (no tag, no link survives)."""
    at = run_app(_user="leader", slide=slide)
    at.switch_page("app_pages/present.py").run()
    assert not at.exception, [e.value for e in at.exception]
    bodies = "\n".join(html_bodies(at))
    assert shown in bodies
    assert "<b>粗</b>" not in bodies and not re.search(r"<a\b|<img\b", bodies)
    assert_safe(at, must_show=None)
