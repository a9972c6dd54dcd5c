"""The whole district's overview read into the caches at server start (issue 22): ``data.warm_overview``
outside any script run, then the overview's run as a leader reads nothing and builds no chart — every
figure and spec is a cache hit; a database that cannot be read is logged, never raised; the server's
loop follows the setting ``warm_caches`` (off in this test suite, tests/conftest.py)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import streamlit as st

from dashboard.ui import chart, data
from models.settings import get_settings


@pytest.fixture
def url(demo_template, tmp_path, monkeypatch):
    url = demo_template.copy(tmp_path / "warm.sqlite")
    monkeypatch.setenv("DANGONG_DATABASE_URL", url)
    get_settings.cache_clear()
    return url


@pytest.fixture
def spies(monkeypatch):
    """Every cache miss of a query (``data.cached`` opens a session for it) and every chart built."""
    misses, builds = [], []
    session, builder = data.session, chart._builder
    monkeypatch.setattr(data, "session", lambda u: (misses.append(u), session(u))[1])
    monkeypatch.setattr(chart, "_builder", lambda name: (builds.append(name), builder(name))[1])
    return misses, builds


def in_a_thread(fn, *args, **kwargs):
    """``fn`` in a plain thread, as the server's warm-up runs it: no ScriptRunContext."""
    out = []
    worker = threading.Thread(target=lambda: out.append(fn(*args, **kwargs)))
    worker.start()
    worker.join(120)
    return out[0]


def test_after_the_warm_up_the_overview_is_all_cache_hits(url, spies):
    from tests.app.test_overview import run

    st.cache_data.clear()
    misses, builds = spies
    assert in_a_thread(data.warm_overview) is True
    assert len(misses) >= 10 and len(builds) == 4  # it read and built (an empty cache to start with)
    misses.clear(), builds.clear()
    at = run("leader")
    assert len(at.metric) == 6 and len(at.get("vega_lite_chart")) >= 3  # the page drawn (a chart in a closed tab too)
    assert misses == [] and builds == []  # every query and chart spec was ready
    # the spies see a run that is not warmed: another as-of date reads and builds
    run("leader", asof="2025-06-30")
    assert misses and set(builds) >= {"pattern_bar", "township_map", "foundings_chart", "rates_chart"}


def test_a_district_leader_of_a_township_filter_is_not_warmed_but_still_right(url, spies):
    """The warm-up is the whole district only: a township filter reads its own figures (not a stale one)."""
    from tests.app.test_overview import run

    st.cache_data.clear()
    misses, _ = spies
    assert in_a_thread(data.warm_overview) is True
    misses.clear()
    at = run("leader", town="YB")
    assert not at.exception and misses


def test_a_database_that_cannot_be_read_is_logged_not_raised(tmp_path, migrated_template, caplog):
    empty = f"sqlite:///{tmp_path / 'never-upgraded.sqlite'}"
    assert in_a_thread(data.warm_overview, empty) is False
    assert "warm-up of the overview" in caplog.text
    down = "postgresql+psycopg://nobody:nothing@127.0.0.1:9/nowhere?connect_timeout=2"
    assert in_a_thread(data.warm_overview, down) is False
    # a database with the schema and no enterprise: nothing to warm, nothing wrong
    assert in_a_thread(data.warm_overview, migrated_template.copy(tmp_path / "empty.sqlite"),
                       as_of=dt.date(2026, 1, 1)) is True


def test_the_servers_loop_follows_the_setting(monkeypatch):
    from dashboard.ui import server

    calls = []
    stop = threading.Event()

    def fake_warm():
        calls.append(1)
        stop.set()  # one turn, then the server stops
        return True

    monkeypatch.setattr(data, "warm_overview", fake_warm)
    monkeypatch.setenv("DANGONG_WARM_CACHES", "false")
    get_settings.cache_clear()
    server._warm_caches(stop)
    assert calls == []
    monkeypatch.setenv("DANGONG_WARM_CACHES", "true")
    get_settings.cache_clear()
    server._warm_caches(stop)
    assert calls == [1]
