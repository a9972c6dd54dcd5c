"""The presentation mode does not outlive the session (issue #21, item 5).

The slides advance in an ``st.fragment(run_every=…)``: a timed run of the fragment alone, which
never passes through ``app.py`` and its login gate. Before the fix, after ``dangong users disable
leader`` and past the idle timeout the deck kept advancing. Now every timed run re-checks the
user (``ui.auth.recheck``: disabled account, idle timeout, changed role or scope) and, when the
session has ended, reruns the whole app, which shows the login page with the reason.

AppTest has no public way to run one fragment, so :func:`tick` asks the script runner for the
fragment-only run the browser's timer asks for (``fragment_id_queue``, ``is_auto_rerun``); a
control test checks that such a tick does advance the slide. The real-browser version of the
disabled-account case is in tests/browser/test_untrusted_in_chromium.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest
import sqlalchemy as sa
import streamlit.testing.v1.local_script_runner as local_runner

from dashboard.i18n import t
from dashboard.ui.auth import SEEN_KEY, USER_KEY
from tests.app.test_present_page import html_text, run
from tests.factories import app_on_own_demo

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def deck_db(demo_template, tmp_path, monkeypatch):
    """A demo district of this test's own (the tests disable accounts), the app pointed at it."""
    return app_on_own_demo(demo_template, tmp_path / "demo.sqlite", monkeypatch)


def tick(at):
    """One timed run of the deck's fragment, as the browser's ``run_every`` timer asks for it:
    the fragment alone, not the page. The slide is due (its interval has passed)."""
    fragments = list(at._fragment_storage._fragments)
    assert len(fragments) == 1, fragments  # the deck is the page's one fragment
    at.session_state["_deck_changed"] = time.monotonic() - 3600
    real = local_runner.RerunData

    def fragment_rerun(**kwargs):
        return real(**kwargs, fragment_id_queue=list(fragments), is_auto_rerun=True)

    with mock.patch.object(local_runner, "RerunData", fragment_rerun):
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def on_login_page(at, reason_key: str) -> bool:
    return (any(w.key == "login_username" for w in at.text_input)
            and any(i.value == t(reason_key, "zh_CN") for i in at.info)
            and "dg-title" not in html_text(at))


def test_a_timed_run_advances_the_slide(deck_db):
    """The control: a tick runs the fragment and moves to the next slide, while the user may."""
    at = run(slide="kpis", auto="10")
    assert at.query_params["slide"] == "kpis"
    tick(at)
    assert at.query_params["slide"] == "map"
    assert "各乡镇建会率" in html_text(at)
    tick(at)
    assert at.query_params["slide"] == "campaign"


def test_the_deck_stops_when_the_account_is_disabled(deck_db):
    at = run(slide="kpis", auto="10")
    done = subprocess.run([sys.executable, "-m", "dashboard.cli", "users", "disable", "leader"], check=False, cwd=ROOT,  # = dangong
                          capture_output=True, text=True, timeout=120, env={**os.environ, "DANGONG_DATABASE_URL": deck_db})
    assert done.returncode == 0, done.stderr
    tick(at)
    assert at.query_params.get("slide") != "map", "the deck advanced for a disabled account"
    assert on_login_page(at, "auth.disabled_session")
    assert USER_KEY not in at.session_state


def test_the_deck_stops_after_the_idle_timeout(deck_db):
    from models.settings import get_settings

    at = run(slide="kpis", auto="10")
    at.session_state[SEEN_KEY] = time.time() - get_settings().idle_timeout_minutes * 60 - 5
    tick(at)
    assert at.query_params.get("slide") != "map", "the deck advanced past the idle timeout"
    assert on_login_page(at, "auth.timed_out")
    engine = sa.create_engine(deck_db)
    with engine.connect() as conn:
        detail = conn.execute(sa.text("SELECT detail FROM audit_event WHERE action = 'logout' ORDER BY id DESC LIMIT 1")
                              ).scalar_one_or_none()
    engine.dispose()
    assert detail == "idle timeout"


def test_a_running_deck_does_not_keep_the_session_alive(deck_db):
    """The slides changing by themselves are not the user's activity: a tick leaves the idle clock
    alone, so an unattended deck ends at the timeout like any other page."""
    at = run(slide="kpis", auto="10")
    seen = at.session_state[SEEN_KEY] - 60  # the user's last click, a minute ago
    at.session_state[SEEN_KEY] = seen
    tick(at)
    assert at.query_params["slide"] == "map"
    assert at.session_state[SEEN_KEY] == seen


def test_a_narrowed_account_sees_its_new_scope_at_the_next_slide(deck_db):
    """An administrator moves a township account to another township while its deck runs: the
    next slide is drawn for the new scope (the whole app reruns), never the old one."""
    at = run(_user="yuebei", slide="kpis", auto="10", asof="2002-12-31")
    assert "越北镇" in html_text(at)
    engine = sa.create_engine(deck_db)
    with engine.begin() as conn:
        uid = conn.execute(sa.text("SELECT id FROM app_user WHERE username = 'yuebei'")).scalar_one()
        other = conn.execute(sa.text("SELECT id, name FROM township WHERE code <> 'YB' ORDER BY id LIMIT 1")).one()
        conn.execute(sa.text("UPDATE user_township SET township_id = :t WHERE user_id = :u"), {"t": other.id, "u": uid})
    engine.dispose()
    tick(at)
    text = html_text(at)
    assert other.name in text and "越北镇" not in text
