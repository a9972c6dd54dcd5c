"""Overview page server time with Streamlit's AppTest: cold and warm cache.

Cold: ``st.cache_data`` and ``st.cache_resource`` cleared (no engine, no cached query), a new
AppTest, first ``run()``. Warm: a second ``run()`` of the same AppTest (every query cached).
The process has already imported the app's modules (a discarded warm-up run), and SQLite's
file is in the OS page cache after the first pass: "cold" is the Streamlit cache, not the disk.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time
from typing import Any

from bench.datasets import ROOT

APP = ROOT / "dashboard" / "app.py"


class AppError(RuntimeError):
    pass


def _use_database(url: str) -> None:
    from models.settings import get_settings

    os.environ["DANGONG_DATABASE_URL"] = url
    get_settings.cache_clear()


def _clear_streamlit_caches() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def _check(at, as_of: dt.date) -> None:
    """The page ran without exception or error, and showed the requested as-of date."""
    if at.exception:
        raise AppError("; ".join(str(e.value if hasattr(e, "value") else e) for e in at.exception))
    if len(at.error):
        raise AppError("; ".join(str(e.value) for e in at.error))
    try:
        shown = at.date_input(key="asof").value
    except KeyError:
        shown = None
    if shown is not None and shown != as_of:
        raise AppError(f"the page ran as of {shown}, not {as_of} (asof query parameter ignored?)")


def _new_app(as_of: dt.date):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params["asof"] = as_of.isoformat()
    return at


def warm_up(url: str, as_of: dt.date) -> float:
    """One discarded run, so that imports are not counted in the first cold run."""
    _use_database(url)
    _clear_streamlit_caches()
    at = _new_app(as_of)
    t0 = time.perf_counter()
    at.run()
    _check(at, as_of)
    return time.perf_counter() - t0


def measure(url: str, as_of: dt.date, repeat: int) -> dict[str, Any]:
    """Median (and all) cold and warm server times of the overview page."""
    _use_database(url)
    cold, warm = [], []
    for _ in range(repeat):
        _clear_streamlit_caches()
        at = _new_app(as_of)
        t0 = time.perf_counter()
        at.run()
        cold.append(time.perf_counter() - t0)
        _check(at, as_of)
        t0 = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - t0)
        _check(at, as_of)
    _clear_streamlit_caches()
    return {"cold": statistics.median(cold), "warm": statistics.median(warm), "cold_all": cold, "warm_all": warm}
