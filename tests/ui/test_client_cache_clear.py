"""A client's ``clear_cache`` message empties no cache (``dashboard.ui.serving.refuse_client_cache_clears``).

Against the installed Streamlit: its ``AppSession`` routes the message to the handler replaced, and
after the replacement a message routed there leaves a cached read and a cached resource in place."""

from __future__ import annotations

import inspect
import logging

import pytest
import streamlit as st
from streamlit.runtime.app_session import AppSession

from dashboard.ui import serving


@pytest.fixture
def restored(monkeypatch):
    """Whatever a test replaces on AppSession is put back afterwards."""
    monkeypatch.setattr(AppSession, "_handle_clear_cache_request", AppSession._handle_clear_cache_request)


def test_streamlit_routes_the_message_to_the_handler_that_is_replaced():
    source = inspect.getsource(AppSession.handle_backmsg)
    assert '"clear_cache"' in source and "self._handle_clear_cache_request()" in source


def _streamlits_handler():
    """Streamlit's own handler, whether or not this worker already imported ``ui/server.py`` (which replaces it)."""
    handler = AppSession._handle_clear_cache_request
    return getattr(handler, "__wrapped__", handler)


def test_the_original_handler_would_empty_every_cache(restored):
    calls = []

    @st.cache_data
    def _read(x: int) -> int:
        calls.append(x)
        return x

    _read(1)
    with pytest.raises(AttributeError):  # it clears the caches, then the (missing) session state
        _streamlits_handler()(object())
    _read(1)
    assert calls == [1, 1]


def test_after_the_replacement_a_client_message_clears_nothing(restored, caplog):
    data_calls, resource_calls = [], []

    @st.cache_data
    def _read(x: int) -> int:
        data_calls.append(x)
        return x

    @st.cache_resource
    def _engine() -> object:
        resource_calls.append(1)
        return object()

    _read(2)
    first = _engine()
    assert serving.refuse_client_cache_clears() is True
    with caplog.at_level(logging.WARNING, logger="dangong.serving"):
        AppSession._handle_clear_cache_request(object())
    _read(2)
    assert _engine() is first
    assert data_calls == [2] and resource_calls == [1]
    assert "refused" in caplog.text


def test_a_streamlit_without_the_handler_is_logged_and_left_alone(caplog):
    class _Other:
        pass

    with caplog.at_level(logging.WARNING, logger="dangong.serving"):
        assert serving.refuse_client_cache_clears(_Other) is False
    assert not hasattr(_Other, "_handle_clear_cache_request")
    assert "not refused" in caplog.text


def test_replacing_twice_keeps_streamlits_handler_underneath(restored):
    serving.refuse_client_cache_clears()
    serving.refuse_client_cache_clears()
    original = AppSession._handle_clear_cache_request.__wrapped__
    assert original.__qualname__ == "AppSession._handle_clear_cache_request"


def test_the_served_app_refuses_them_from_its_start():
    """``streamlit run dashboard/ui/server.py`` (what ``make run`` starts) replaces the handler when it loads."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    code = ("import runpy; runpy.run_path('dashboard/ui/server.py'); "
            "from streamlit.runtime.app_session import AppSession; "
            "print(AppSession._handle_clear_cache_request.__qualname__)")
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("refuse_client_cache_clears.<locals>._refused")
