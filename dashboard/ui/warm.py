"""The whole district's overview kept in the caches by the app server (issue 22), so that a leader's
sign-in — which lands on it — finds its figures and chart specs ready.

:func:`overview` runs the overview sections' ``prefetch`` (``ui.sections.overview.prefetch``: the
reads and specs of their ``render``) for a district leader's context on today's date, outside any
page run; :func:`keep_warm` is the loop of ``ui/server.py``'s background thread: again when the
entries expire (``data.TTL``), and soon after a write made them stale (``data.clear_caches`` sets
``data.WRITTEN``; a burst of writes — an import, several saves — is waited out and read once).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from types import SimpleNamespace

from dashboard.ui import data

_LOG = logging.getLogger("dangong.warm")

#: after a write, the quiet the loop waits for before reading again (each new write restarts it) …
SETTLE_SECONDS = 1.5
#: … but not longer than this after the first one: a steady stream of writes does not keep it cold
SETTLE_MAX_SECONDS = 10.0
#: after a warm-up the database refused (down, not upgraded yet): the next try
RETRY_SECONDS = 60
#: how often a wait looks at the server's stop
STOP_CHECK_SECONDS = 1.0


def district_context(url: str, as_of: dt.date, loc: str = "zh_CN"):
    """The ``Context`` of a district account's overview without a township filter over the default
    党建基数: the run whose reads the warm-up makes (a page run's own context has the same keys)."""
    from dashboard.queries.scope import Scope
    from dashboard.ui.sections import Context
    from dashboard.ui.state import Filters, default_base

    scope = Scope.district().with_base(default_base())
    return Context(Filters(scope=scope, township_codes=(), as_of=as_of, locale=loc),
                   SimpleNamespace(scope=Scope.district()), url)


def overview(url: str | None = None, *, as_of: dt.date | None = None, loc: str = "zh_CN") -> bool:
    """The whole district's overview for ``as_of`` (default: today in the district) read into the caches,
    with what ``app.py`` reads on every run (``tests/ui/test_warm_caches.py`` checks that the page's run
    misses nothing after it). No ``ScriptRunContext`` needed: Streamlit's caches are the server's. A
    database that is not upgraded or cannot be reached is logged, not raised: False. Nothing is drawn."""
    from dashboard.queries.dates import district_today
    from dashboard.ui.sections import overview as sections
    from models.db import mask_url

    url = url or data.database_url()
    try:
        as_of = as_of or district_today()
        data.dataset_info(url)  # app.py, every run
        data.townships(url)
        if not sections.prefetch(district_context(url, as_of, loc)):
            _LOG.info("warm-up: no operating enterprise on %s", as_of)
    except Exception as exc:  # noqa: BLE001 - the pages' own runs read it again and say what is wrong
        _LOG.warning("warm-up of the overview on %s skipped: %s: %s", mask_url(url), type(exc).__name__,
                     str(exc).splitlines()[0] if str(exc) else "")
        return False
    return True


def _written_within(stop: threading.Event, seconds: float) -> bool:
    """Waits at most ``seconds`` for a write (``data.WRITTEN``); True: one came. Ends early when ``stop`` is set."""
    deadline = time.monotonic() + seconds
    while not stop.is_set():
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        if data.WRITTEN.wait(min(left, STOP_CHECK_SECONDS)):
            return True
    return False


def keep_warm(stop: threading.Event, *, settle: float = SETTLE_SECONDS, settle_max: float = SETTLE_MAX_SECONDS,
              retry: float = RETRY_SECONDS) -> None:
    """Until ``stop`` is set: :func:`overview`, then again after ``data.TTL`` (the entries it made expire;
    a new day has a new date), or ``settle`` seconds after the last of a burst of writes (at most
    ``settle_max`` after the first), or ``retry`` seconds after a failure."""
    while not stop.is_set():
        data.WRITTEN.clear()  # before reading: a write from now on wakes the loop again (the read has older ones)
        started = time.perf_counter()
        ok = overview()
        if ok:
            _LOG.info("warm-up: the district's overview read in %.2f s", time.perf_counter() - started)
        if not _written_within(stop, data.TTL + 1 if ok else retry):
            continue  # expired (or stopped)
        first = time.monotonic()
        while not stop.is_set():  # a write: let a burst of them pass
            data.WRITTEN.clear()
            left = settle_max - (time.monotonic() - first)
            if left <= 0 or not _written_within(stop, min(settle, left)):
                break
