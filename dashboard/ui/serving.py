"""What the web server adds around the app (``dashboard/ui/server.py`` mounts it; #21 item 7).

(Not named ``http.py``: ``streamlit run dashboard/ui/server.py`` puts this folder on ``sys.path``,
where that name would hide the standard library's ``http``.)

Two ASGI middlewares for Streamlit's Starlette server (``st.App(middleware=…)``):

* :class:`SecurityHeaders` — every HTTP response says the app may be framed only by itself
  (``X-Frame-Options: SAMEORIGIN`` and CSP ``frame-ancestors 'self'``: no clickjacking from another
  site), and ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin`` (the URL with its
  filters never leaves for another site). A header the app already set is left alone. No full CSP:
  Streamlit's frontend needs inline styles and Vega's expressions; ``frame-ancestors`` is the part
  that matters here.
* :class:`ShortLivedDownloads` — every file a download button makes is generated when it is
  clicked (``st.download_button(data=callable)``) and Streamlit then keeps it in memory, served at
  ``/media/<id>.<ext>`` to *anyone* who has the address, until later script runs sweep it. Here a
  download (a ``Content-Disposition: attachment`` response) is forgotten
  :data:`DOWNLOAD_GRACE_SECONDS` after its first successful fetch: the browser fetches it twice at
  once (Streamlit's frontend checks the address with ``fetch()`` while the download starts), both
  within the grace; afterwards the address answers 404. A file still shown by a page (a static
  ``st.download_button(data=bytes)``, of which the app has none) is left to Streamlit. The answer
  also carries ``Cache-Control: no-store`` (no copy in a proxy or the browser's cache).

The media manager has no public way to forget one file: :func:`forget_download` uses its
attributes (Streamlit 1.67), under its own lock; ``tests/ui/test_downloads.py`` checks them against
the installed Streamlit, and a missing one is logged (the download then lives as long as
Streamlit keeps it) rather than breaking downloads.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_LOG = logging.getLogger("dangong.serving")

#: sent with every HTTP response (unless the response already has the header)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"content-security-policy", b"frame-ancestors 'self'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)

#: seconds a generated download stays fetchable after its first fetch
DOWNLOAD_GRACE_SECONDS = 5.0


def _add_headers(message: Message, extra: tuple[tuple[bytes, bytes], ...]) -> Message:
    headers = list(message.get("headers", []))
    present = {name.lower() for name, _ in headers}
    headers += [(name, value) for name, value in extra if name not in present]
    return {**message, "headers": headers}


class SecurityHeaders:
    """ASGI middleware: :data:`SECURITY_HEADERS` on every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = _add_headers(message, SECURITY_HEADERS)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _media_file_name(path: str, media_prefix: str) -> str | None:
    """``<id>.<ext>`` of a ``/media/<id>.<ext>`` path (under the base URL), else None."""
    if not path.startswith(media_prefix):
        return None
    name = path[len(media_prefix):]
    return name if name and "/" not in name else None


def media_file_manager() -> Any | None:
    """The running server's media file manager (None outside a server)."""
    from streamlit.runtime import Runtime

    return Runtime.instance().media_file_mgr if Runtime.exists() else None


def forget_download(file_id: str, manager: Any = None) -> bool:
    """Delete the generated download ``file_id`` from the media manager, unless a page still shows
    it (a static download of some session). True when it was deleted."""
    mgr = manager if manager is not None else media_file_manager()
    if mgr is None:
        return False
    try:
        with mgr._lock:
            if any(file_id in coords.values() for coords in mgr._files_by_session_and_coord.values()):
                return False  # a page shows it: Streamlit's own bookkeeping decides
            if file_id not in mgr._file_metadata:
                return False
            mgr._delete_file(file_id)
            return True
    except AttributeError:  # another Streamlit: keep downloads working, say so in the log
        _LOG.warning("cannot forget download %s: Streamlit's media file manager has changed", file_id)
        return False


class ShortLivedDownloads:
    """ASGI middleware: a download served from ``/media/`` is forgotten
    :data:`DOWNLOAD_GRACE_SECONDS` after its first successful fetch, and is never cached."""

    def __init__(self, app: ASGIApp, *, base_url: str = "", grace_seconds: float | None = None,
                 manager: Callable[[], Any] = media_file_manager) -> None:
        self.app = app
        base = base_url.strip("/")
        self.media_prefix = f"/{base}/media/" if base else "/media/"
        self.grace = DOWNLOAD_GRACE_SECONDS if grace_seconds is None else grace_seconds
        self.manager = manager
        self._pending: set[str] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        name = _media_file_name(scope.get("path", ""), self.media_prefix) if scope["type"] == "http" else None
        if name is None:
            await self.app(scope, receive, send)
            return
        seen: dict[str, Any] = {"status": 0, "attachment": False}

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
                seen["attachment"] = any(k.lower() == b"content-disposition" and v.lower().startswith(b"attachment")
                                         for k, v in message.get("headers", []))
                if seen["attachment"]:
                    message = _add_headers(message, ((b"cache-control", b"no-store"),))
            await send(message)

        await self.app(scope, receive, watch)
        if seen["attachment"] and 200 <= seen["status"] < 300 and scope.get("method") in ("GET", "HEAD"):
            file_id = os.path.splitext(name)[0]
            if file_id not in self._pending:
                self._pending.add(file_id)
                asyncio.get_running_loop().call_later(self.grace, self._forget, file_id)

    def _forget(self, file_id: str) -> None:
        self._pending.discard(file_id)
        forget_download(file_id, self.manager())


def refuse_client_cache_clears(session_class: Any = None) -> bool:
    """Make the server ignore a client's ``clear_cache`` message (issue 19's review).

    Streamlit answers that message — its developer menu's "Clear cache", but any websocket client,
    signed in or not, can send it — by emptying *every* cache of the process: every user's cached
    reads and chart specs, ``st.cache_resource`` (the database engine and its pool) and the sender's
    session state. One anonymous message would make every leader's next click a cold one at the same
    moment. The dashboard's caches are made stale by its own writes (``dashboard.ui.data.clear_caches``
    starts a new epoch) and expire with their TTL; nothing needs the client's message.

    Streamlit has no option for this: the handler is replaced on ``AppSession`` (Streamlit 1.67's
    ``_handle_clear_cache_request``, which ``handle_backmsg`` looks up on each message).
    ``tests/ui/test_client_cache_clear.py`` checks the name against the installed Streamlit; a missing one is
    logged and changes nothing. Returns whether the handler is replaced."""
    if session_class is None:
        from streamlit.runtime.app_session import AppSession as session_class
    if not hasattr(session_class, "_handle_clear_cache_request"):
        _LOG.warning("Streamlit's AppSession has no _handle_clear_cache_request: a client's clear_cache is not refused")
        return False

    handler = session_class._handle_clear_cache_request
    original = getattr(handler, "__wrapped__", handler)  # replaced twice (a second import): the same original

    def _refused(self: Any) -> None:
        _LOG.warning("a client asked to clear every cache of the server: refused")

    _refused.__wrapped__ = original  # type: ignore[attr-defined] - what Streamlit would have done
    session_class._handle_clear_cache_request = _refused
    return True
