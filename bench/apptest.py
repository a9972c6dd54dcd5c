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
from pathlib import Path
from typing import Any

from bench.datasets import ROOT

APP = ROOT / "dashboard" / "app.py"


class AppError(RuntimeError):
    pass


def _use_database(url: str) -> None:
    from models.settings import get_settings

    os.environ["DANGONG_DATABASE_URL"] = url
    get_settings.cache_clear()


def quiet_streamlit() -> None:
    """No "No runtime found" / "missing ScriptRunContext" warnings outside `streamlit run`."""
    import streamlit.logger
    from streamlit import config

    config.set_option("client.showErrorDetails", "full")  # the real message of a failed run, not "redacted"
    config.set_option("logger.enableRich", False)  # a failed run's traceback goes to the log (stderr), not stdout
    config.set_option("logger.level", "error")
    streamlit.logger.set_log_level("error")


def _clear_streamlit_caches() -> None:
    import streamlit as st

    quiet_streamlit()

    st.cache_data.clear()
    st.cache_resource.clear()


def _one_line(exc) -> str:
    """``KeyError: 'x' at dashboard/app_pages/overview.py:114 → …`` from an AppTest exception element."""
    frames: list[str] = []
    for line in exc.stack_trace:
        if 'File "' in line and str(ROOT) in line and "/.venv/" not in line:
            path, _, rest = line.split('File "', 1)[1].partition('", line ')
            frame = f"{Path(path).relative_to(ROOT)}:{rest.split(',')[0]}"
            if frame not in frames:
                frames.append(frame)
    where = " at " + " → ".join(frames[-2:]) if frames else ""
    return f"{exc.message}{where}".replace("\n", " ")


def _check(at, as_of: dt.date) -> None:
    """The page ran without exception or error, and showed the requested as-of date."""
    if at.exception:
        raise AppError("; ".join(_one_line(e) for e in at.exception))
    if len(at.error):
        raise AppError("; ".join(str(e.value) for e in at.error))
    try:
        shown = at.date_input(key="asof").value
    except KeyError:
        raise AppError("no as-of filter on the page (login page shown?)") from None
    if shown != as_of:
        raise AppError(f"the page ran as of {shown}, not {as_of} (asof query parameter ignored?)")
    if not at.get("vega_lite_chart"):
        raise AppError("the overview's charts are missing (the page stopped early?)")


BENCH_USER = "bench"


def bench_user_id(url: str) -> int | None:
    """A district-scope account for the benchmark (created once per database); None without accounts.

    The page sits behind a login; the benchmark signs in the way a logged-in session looks
    (the user id in ``st.session_state``), so the measured run is the overview, not the form.
    """
    try:
        from models import accounts
        from models.enums import Role
    except ImportError:  # no access control in this version of the app
        return None
    from sqlmodel import Session

    from models.db import make_engine

    engine = make_engine(url)
    try:
        with Session(engine) as s:
            user = accounts.get_user(s, BENCH_USER)
            if user is None:
                user = accounts.create_user(s, username=BENCH_USER, password=None, role=Role.LEADER,
                                            display_name="benchmark", email="bench@bench.invalid", actor="bench")
                s.commit()
            return int(user.id)
    finally:
        engine.dispose()


def _new_app(as_of: dt.date, user_id: int | None = None):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params["asof"] = as_of.isoformat()
    if user_id is not None:
        from dashboard.ui import auth

        at.session_state[auth.USER_KEY] = user_id
        if hasattr(auth, "SEEN_KEY"):
            at.session_state[auth.SEEN_KEY] = time.time()
    return at


def warm_up(url: str, as_of: dt.date) -> float:
    """One discarded run, so that imports are not counted in the first cold run."""
    _use_database(url)
    _clear_streamlit_caches()
    at = _new_app(as_of, bench_user_id(url))
    t0 = time.perf_counter()
    at.run()
    _check(at, as_of)
    return time.perf_counter() - t0


def measure(url: str, as_of: dt.date, repeat: int) -> dict[str, Any]:
    """Median (and all) cold and warm server times of the overview page."""
    _use_database(url)
    user_id = bench_user_id(url)
    cold, warm = [], []
    for _ in range(repeat):
        _clear_streamlit_caches()
        at = _new_app(as_of, user_id)
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
