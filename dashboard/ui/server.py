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

import sys
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run from a checkout: the packages live at its root
    sys.path.insert(0, str(ROOT))

from dashboard.ui.serving import SecurityHeaders, ShortLivedDownloads  # noqa: E402
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


app = st.App(
    ROOT / "dashboard" / "app.py",
    routes=session_routes(_base_url()),  # the session cookie (a reload keeps the sign-in)
    middleware=[Middleware(SecurityHeaders), Middleware(ShortLivedDownloads, base_url=_base_url())],
    on_script_error=_database_outage,
)
