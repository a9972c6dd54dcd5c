"""The way to serve the dashboard: ``streamlit run dashboard/ui/server.py`` (``make run`` does it).

``dashboard/app.py`` served by Streamlit's own Starlette server (``st.App``) with the middlewares
of ``dashboard/ui/serving.py`` — headers that forbid framing by other sites, downloads that die
seconds after they are fetched — the session cookie's endpoint (``dashboard/ui/session_routes.py``:
a reload or a new tab stays signed in) and, for a database outage that escapes the pages' own guard
(a widget callback), the one sentence instead of Streamlit's generic error.
``streamlit run dashboard/app.py`` still works, without any of this (development only).

Streamlit runs this file by importing it (``server:app``); it must define ``app`` and nothing that
runs per session. The server options (``--server.port`` …, ``.streamlit/config.toml``) apply as
with ``streamlit run dashboard/app.py``.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run from a checkout: the packages live at its root
    sys.path.insert(0, str(ROOT))

from dashboard.ui.serving import SecurityHeaders, ShortLivedDownloads, refuse_client_cache_clears  # noqa: E402
from dashboard.ui.session_routes import routes as session_routes  # noqa: E402


def _database_outage(exc: Exception) -> bool | None:
    """``on_script_error``: an outage is the sentence in the UI's language (and handled); any other
    error is left to Streamlit (its generic message; ``showErrorDetails = "none"``)."""
    from dashboard.ui import data
    from dashboard.ui.state import current_locale

    text = data.outage_text(exc, current_locale())
    if text is None:
        return None
    st.error(text, icon=":material/cloud_off:")
    return True


def _base_url() -> str:
    return str(st.get_option("server.baseUrlPath") or "")


#: what the login page and the first page after a sign-in (the overview) import: the app's frame,
#: then Altair, the chart builders and the overview's sections and views — about 0.2–0.6 s on a
#: 2-core machine that a leader's first sign-in would otherwise wait for. Imported once the server
#: is up, in a thread (``python -m bench.browser`` measures the sign-in).
WARM_IMPORTS = ("dashboard.ui.auth", "dashboard.ui.data", "dashboard.ui.layout", "dashboard.ui.chart",
                "dashboard.ui.sections.overview.alerts", "dashboard.ui.sections.overview.campaign",
                "dashboard.ui.sections.overview.kpis", "dashboard.ui.sections.overview.mini_map",
                "dashboard.ui.sections.overview.patterns", "dashboard.ui.sections.overview.ranking",
                "dashboard.ui.sections.overview.trends")


def _warm_imports() -> None:
    import importlib
    import logging

    for name in WARM_IMPORTS:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the page's own run imports it again and shows its error
            logging.getLogger(__name__).exception("warm-up import of %s failed", name)


def _warm_caches(stop: threading.Event) -> None:
    """The whole district's overview for today kept in the caches (``ui.warm.keep_warm``: at start, when
    they expire, soon after a write), so a leader signing in finds it ready — unless the setting
    ``warm_caches`` is off. A database that cannot be read is logged and tried again later."""
    from dashboard.ui import warm
    from models.settings import get_settings

    try:
        if not get_settings().warm_caches:
            return
    except Exception:  # noqa: BLE001 - invalid settings: the pages say so
        return
    warm.keep_warm(stop)


def _warm(stop: threading.Event) -> None:
    _warm_imports()
    _warm_caches(stop)


@contextlib.asynccontextmanager
async def _lifespan(_app):
    """At server start (Streamlit's runtime is up): :data:`WARM_IMPORTS`, then the whole district's
    overview read into the caches (:func:`_warm_caches`), in a daemon thread — the server answers at
    once, and a sign-in meanwhile waits only for what is left of them."""
    stop = threading.Event()  # its own per start: a loop of an earlier start still waiting ends with its own
    threading.Thread(target=_warm, args=(stop,), name="dangong-warm", daemon=True).start()
    try:
        yield None
    finally:
        stop.set()
        from dashboard.ui import data

        data.WRITTEN.set()  # wakes the loop's wait at once (it then sees the stop)


refuse_client_cache_clears()  # a browser's clear_cache message would empty every leader's caches (docs/security.md)

app = st.App(
    ROOT / "dashboard" / "app.py",
    routes=session_routes(_base_url()),  # the session cookie (a reload keeps the sign-in)
    middleware=[Middleware(SecurityHeaders), Middleware(ShortLivedDownloads, base_url=_base_url())],
    on_script_error=_database_outage,
    lifespan=_lifespan,
)
