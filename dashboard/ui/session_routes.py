"""The session cookie's HTTP endpoint (``dashboard/ui/server.py`` serves it; ``models.sessions``).

A Streamlit script talks to the browser over a websocket and cannot set an HttpOnly cookie. After a
sign-in the page gives the browser its session's token once (a zero-height component that POSTs it
here, same origin); this endpoint binds it — once, within ``BIND_SECONDS`` of the sign-in — and
answers with ``Set-Cookie: dangong_session=<the token, signed>; HttpOnly; SameSite=Strict; Path``
(Secure over https). A later Streamlit session of the browser (a reload, a new tab, a shared link)
finds the cookie in its websocket's request (``st.context.cookies``). ``DELETE`` (sign-out) clears
the cookie and revokes the session it names; the page has revoked it already.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from models import sessions
from models.settings import get_settings

PATH = "api/dangong/session"
_ENGINES: dict[str, object] = {}


def _engine():
    from models.db import make_engine

    url = get_settings().database_url
    if url not in _ENGINES:
        _ENGINES[url] = make_engine(url)
    return _ENGINES[url]


def path(base_url: str = "") -> str:
    """The endpoint's path under Streamlit's ``server.baseUrlPath``."""
    return "/" + "/".join(p for p in (base_url.strip("/"), PATH) if p)


def cookie_path(base_url: str = "") -> str:
    return "/" + base_url.strip("/") if base_url.strip("/") else "/"


def _same_origin(request: Request) -> bool:
    """A browser's POST says where it comes from: it must be this host (no other site binds a ticket)."""
    origin = request.headers.get("origin")
    if origin is None:
        return True  # not a browser's cross-site request (those always carry Origin on POST)
    return urlsplit(origin).netloc == request.headers.get("host", "")


def _secure(request: Request) -> bool:
    mode = get_settings().cookie_secure
    return request.url.scheme == "https" if mode == "auto" else mode == "true"


def make_endpoint(base_url: str = ""):
    async def endpoint(request: Request) -> Response:
        settings = get_settings()
        engine = await run_in_threadpool(_engine)
        key = await run_in_threadpool(sessions.secret, engine, settings.secret_key)
        headers = {"Cache-Control": "no-store"}
        if request.method == "DELETE":
            response = Response(status_code=204, headers=headers)
            token = sessions.token_of(request.cookies.get(sessions.COOKIE), key, settings.session_hours * 3600)
            if token is not None:
                await run_in_threadpool(lambda: sessions.revoke(engine, token=token, why="logout"))
            response.delete_cookie(sessions.COOKIE, path=cookie_path(base_url), httponly=True, samesite="strict",
                                   secure=_secure(request))
            return response
        if not _same_origin(request):
            return Response(status_code=403, headers=headers)
        body = await request.body()
        if len(body) > 1024:
            return Response(status_code=413, headers=headers)
        try:
            ticket = json.loads(body.decode("utf-8")).get("ticket")
        except (ValueError, UnicodeDecodeError, AttributeError):
            ticket = None
        if not isinstance(ticket, str) or not 20 <= len(ticket) <= 100:
            return Response(status_code=400, headers=headers)
        if not await run_in_threadpool(sessions.bind, engine, ticket):
            return Response(status_code=403, headers=headers)
        response = Response(status_code=204, headers=headers)
        response.set_cookie(sessions.COOKIE, sessions.cookie_value(ticket, key), max_age=settings.session_hours * 3600,
                            path=cookie_path(base_url), httponly=True, samesite="strict", secure=_secure(request))
        return response

    return endpoint


def routes(base_url: str = "") -> list[Route]:
    return [Route(path(base_url), make_endpoint(base_url), methods=["POST", "DELETE"])]
