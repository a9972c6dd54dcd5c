"""Server time of the pages with Streamlit's AppTest: cold and warm cache.

Cold: ``st.cache_data`` and ``st.cache_resource`` cleared (no engine, no cached query, no chart
spec), then the first ``run()`` of the page in that state: the overview is a new AppTest on
``dashboard/app.py``; the map and the ledger are reached through the navigation
(``at.switch_page`` after a first, unmeasured run) and a search or sort through its widgets, the
caches being cleared just before the measured run. Warm: one more ``run()`` of the same AppTest.
The process has already imported the app's modules (a discarded warm-up run), and SQLite's
file is in the OS page cache after the first pass: "cold" is the Streamlit cache, not the disk.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
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


def _check_overview(at, expect: dict | None) -> None:
    if not at.get("vega_lite_chart"):
        raise AppError("the overview's charts are missing (the page stopped early?)")


def _check_map(at, expect: dict | None) -> None:
    """The map chart, a tile per township, and the three gap lists of the SQL (in order)."""
    if not at.get("vega_lite_chart"):
        raise AppError("the map's charts are missing (the page stopped early?)")
    frames = [d.value for d in at.dataframe]
    if not frames:
        raise AppError("the map page shows no table")
    if expect is None:
        return
    if len(frames[0]) != expect["townships"]:
        raise AppError(f"the map's tiles list {len(frames[0])} townships, not {expect['townships']}")
    want = [names for names in expect["gaps"].values() if names]
    got = [list(f.iloc[:, 0]) for f in frames[1:1 + len(want)]]
    if got != want:
        raise AppError("the map's gap lists differ from enterprises_in_pattern's")


def _check_ledger(key: str):
    def check(at, expect: dict | None) -> None:
        """The ledger shows the first page ``ledger_page`` returns (names, in order), or says it is empty."""
        frames = [d.value for d in at.dataframe]
        if expect is None:
            if not frames and not len(at.info):
                raise AppError("the ledger shows neither a table nor a message")
            return
        want = expect[key]
        if want["total"] == 0:
            if frames or not len(at.info):
                raise AppError("the ledger should say that nothing matches")
            return
        if not frames:
            raise AppError(f"the ledger shows no table ({want['total']:,} rows match)")
        got = list(frames[0].iloc[:, 0])
        if got != want["names"]:
            raise AppError(f"the ledger's first page differs from ledger_page's ({got[:3]}… vs {want['names'][:3]}…)")
    return check


def _set_search(text: str):
    def set_(at) -> None:
        at.text_input(key="ledger_search").input(text)
    return set_


def _set_sort(column: str, descending: bool):
    def set_(at) -> None:
        at.selectbox(key="ledger_sort").set_value(column)
        at.toggle(key="ledger_desc").set_value(descending)
    return set_


@dataclass(frozen=True)
class Scenario:
    """A page in a state: the page opened (``page``, relative to dashboard/), widgets then set (``setup``)."""

    key: str
    label: str
    page: str | None  # None: the default page (the overview)
    setup: Callable[[Any], None] | None
    check: Callable[[Any, dict | None], None]


def scenarios() -> list[Scenario]:
    from bench.pages_sql import LEDGER_VARIANTS

    out = [
        Scenario("overview", "overview (/)", None, None, _check_overview),
        Scenario("map", "coverage map (/map), default metric", "app_pages/coverage_map.py", None, _check_map),
    ]
    for key, label, kw in LEDGER_VARIANTS:
        if "search" in kw:
            setup = _set_search(kw["search"])
        elif "sort" in kw:
            setup = _set_sort(kw["sort"], kw.get("descending", False))
        else:
            setup = None
        out.append(Scenario(key, label, "app_pages/ledger.py", setup, _check_ledger(key)))
    return out


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
    """One discarded run of each page, so that imports are not counted in the first cold run."""
    _use_database(url)
    _clear_streamlit_caches()
    at = _new_app(as_of, bench_user_id(url))
    t0 = time.perf_counter()
    at.run()
    _check(at, as_of)
    for page in ("app_pages/coverage_map.py", "app_pages/ledger.py"):
        at.switch_page(page).run()
        _check(at, as_of)
    return time.perf_counter() - t0


def _run(at, as_of: dt.date, sc: Scenario, expect: dict | None) -> tuple[float, float]:
    """(wall, CPU) seconds of one run: CPU time of the whole process (the script runs in a thread)."""
    c0, t0 = time.process_time(), time.perf_counter()
    at.run()
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    _check(at, as_of)
    sc.check(at, expect)
    return seconds, cpu


def measure(url: str, as_of: dt.date, repeat: int, sc: Scenario | None = None,
            expect: dict | None = None) -> dict[str, Any]:
    """Median (and all) cold and warm server times of a page (default: the overview).

    Cold: the caches cleared, then the first run of the page in that state. Another page is
    opened through the navigation, as a user does: the overview runs first (not measured; a
    page with its own ``url_path`` can be switched to only once ``st.navigation`` has
    registered it), then ``switch_page``; a state reached through widgets (``sc.setup``) is
    opened, then the widgets set. The caches are cleared just before the measured run. Warm:
    one more run of the same AppTest.
    """
    sc = sc or scenarios()[0]
    _use_database(url)
    user_id = bench_user_id(url)
    cold, warm, cpu = [], [], []
    for _ in range(repeat):
        _clear_streamlit_caches()
        at = _new_app(as_of, user_id)
        if sc.page:
            at.run()
            _check(at, as_of)
            at.switch_page(sc.page)
            if sc.setup:
                at.run()
                _check(at, as_of)
                sc.setup(at)
            _clear_streamlit_caches()
        for times in (cold, warm):
            wall, c = _run(at, as_of, sc, expect)
            times.append(wall)
            cpu.append(c)
    _clear_streamlit_caches()
    return {"cold": statistics.median(cold), "warm": statistics.median(warm), "cold_all": cold, "warm_all": warm,
            "cpu_seconds": sum(cpu), "wall_seconds": sum(cold) + sum(warm)}
