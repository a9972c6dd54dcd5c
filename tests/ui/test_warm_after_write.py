"""The server's warm-up loop after a write (issue 22): ``data.clear_caches`` wakes it
(``data.WRITTEN``), it reads the whole district's overview again once the writes pause
(``settle``) — not a cache lifetime later — so the first leader after a save finds the page warm;
a burst of writes is read once; a write that changes nothing does not wake it; the loop ends with
the server. The cache lifetime here is the default 600 s: only a wake-up explains a re-read within
seconds."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa
import streamlit as st

from dashboard.ui import data, warm
from tests.factories import app_on_own_demo


class Loop:
    """``warm.keep_warm`` in a thread, as the server runs it, counting its warm-ups (the real one inside)."""

    def __init__(self, monkeypatch, real=warm.overview, **kwargs):
        self.count = 0
        self.changed = threading.Condition()
        self.stop = threading.Event()

        self.starts: list[float] = []  # when each warm-up began (time.monotonic)

        def counted(*a, **k):
            self.starts.append(time.monotonic())
            ok = real(*a, **k)
            with self.changed:
                self.count += 1
                self.changed.notify_all()
            return ok

        monkeypatch.setattr(warm, "overview", counted)
        self.thread = threading.Thread(target=warm.keep_warm, args=(self.stop,), kwargs=kwargs, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(10)

    def wait_for(self, n: int, timeout: float) -> float:
        """Seconds until the ``n``-th warm-up has ended (fails after ``timeout``)."""
        started = time.monotonic()
        with self.changed:
            assert self.changed.wait_for(lambda: self.count >= n, timeout), f"{self.count} warm-ups, not {n}"
        return time.monotonic() - started


@pytest.fixture
def url(demo_template, tmp_path, monkeypatch):
    return app_on_own_demo(demo_template, tmp_path / "written.sqlite", monkeypatch)


def test_a_write_is_followed_by_a_warm_overview_within_seconds(url, monkeypatch):
    from tests.app.test_overview import run

    assert data.TTL >= 60  # the default lifetime: an expiry cannot explain what follows
    st.cache_data.clear()
    with Loop(monkeypatch, settle=0.5) as loop:
        loop.wait_for(1, 120)
        with sa.create_engine(url).connect() as conn:
            township = conn.execute(sa.text("SELECT min(id) FROM township")).scalar_one()
        data.clear_caches([township])  # what ui.edit.run_edit does after a township's save
        assert loop.wait_for(2, 60) < 60
        misses = []
        session = data.session
        monkeypatch.setattr(data, "session", lambda u: (misses.append(u), session(u))[1])
        at = run("leader")
        assert len(at.metric) == 6 and misses == []  # read with the keys of after the write
        data.clear_caches()  # a write that makes everything stale (an import): the same
        loop.wait_for(3, 60)
        misses.clear()
        run("leader")
        assert misses == []
        assert loop.count == 3


def test_without_the_wake_up_a_write_leaves_the_overview_cold(url, monkeypatch):
    """The control: the same write without the loop, and the page's run reads afresh."""
    from tests.app.test_overview import run

    st.cache_data.clear()
    assert warm.overview() is True
    data.clear_caches()
    misses = []
    session = data.session
    monkeypatch.setattr(data, "session", lambda u: (misses.append(u), session(u))[1])
    run("leader")
    assert len(misses) >= 10


def test_a_burst_of_writes_is_read_once_and_a_steady_stream_still_is(monkeypatch):
    with Loop(monkeypatch, real=lambda: True, settle=0.6, settle_max=2.0) as loop:
        loop.wait_for(1, 10)
        for _ in range(5):  # an import's saves, back to back
            data.clear_caches()
        last_write = time.monotonic()
        loop.wait_for(2, 10)
        # the read waited for the quiet after the last write (whatever the machine's load), not each write
        assert loop.starts[1] - last_write >= 0.6 - 0.05
        time.sleep(1.5)
        assert loop.count == 2  # one read for the five writes
        # writes every 0.2 s for 4 s: never quiet, read anyway (settle_max after the first)
        ends = time.monotonic() + 4
        while time.monotonic() < ends:
            data.clear_caches()
            time.sleep(0.2)
        assert loop.count >= 3


def test_a_write_that_changes_nothing_does_not_wake_it(monkeypatch):
    data.WRITTEN.clear()
    data.clear_caches([])  # an account's change: no figure
    assert not data.WRITTEN.is_set()
    data.clear_caches([1])
    assert data.WRITTEN.is_set()


def test_the_loop_ends_with_the_server(monkeypatch):
    with Loop(monkeypatch, real=lambda: True) as loop:
        loop.wait_for(1, 10)
        stopped = time.monotonic()
        loop.stop.set()
        data.WRITTEN.set()  # as the server's lifespan does when it ends: the wait wakes at once
        loop.thread.join(5)
        assert not loop.thread.is_alive() and time.monotonic() - stopped < warm.STOP_CHECK_SECONDS + 1
