"""Login, logout, idle timeout and single sign-on — the gate in front of every page.

The account rules (hashing, lockout, the per-address limit, audit) are in ``models.accounts``;
this module only draws the forms, holds the process-wide address counter and keeps the
logged-in user in the session. The user row is re-read on every run,
so a disabled account or a changed scope takes effect at once.

A sign-in with a one-time password (``must_change_password``, set by the admin page) is not
finished until the person has set their own password: :func:`current_user` returns None, so
``app.py`` shows :func:`login_page`, which draws the new-password form instead of the sign-in
form — no page is reachable before. A session signed in normally whose account gets the flag
later (the admin reset its password), or whose account changed while the form was open, ends.
Single sign-on does not use the local password and is not affected.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from typing import Any

import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

from dashboard.edits import Actor, EditError
from dashboard.edits.accounts import set_own_password
from dashboard.i18n import t
from dashboard.queries.scope import Scope
from dashboard.ui import data
from dashboard.ui.widgets import escape_markdown
from dashboard.views.edits import refusal_text
from models import accounts, sessions
from models.audit import audit
from models.db import session_scope
from models.enums import Role
from models.settings import get_settings
from models.tables import User

USER_KEY = "_user_id"
SEEN_KEY = "_last_seen"
NOTICE_KEY = "_auth_notice"
SSO_AUDITED = "_sso_audited"
#: the account's row version when it signed in with a one-time password (its own password not set yet)
PENDING_KEY = "_must_set_password"
#: the ``web_session`` of this sign-in (``models.sessions``); its token until the browser has its cookie;
#: when its last-seen time was written; "clear the cookie" after a sign-out
SESSION_KEY = "_web_session"
TICKET_KEY = "_session_ticket"
SESSION_SEEN_KEY = "_web_session_seen"
CLEAR_COOKIE_KEY = "_clear_cookie"
#: the kiosk link's token this session was opened with (``?kiosk=``; re-checked on every run)
KIOSK_KEY = "_kiosk_token"
from seed_data.accounts import DEMO_PASSWORD, DEMO_USERS  # noqa: E402  (the accounts the demo writes)


@dataclass(frozen=True)
class CurrentUser:
    id: int
    username: str
    display_name: str
    role: Role
    scope: Scope
    must_change_password: bool = False
    version: int = 1
    kiosk: bool = False  # the meeting-room screen opened by a kiosk link: /present only, read-only


    def can(self, *roles: Role) -> bool:
        return self.role in roles


def _sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file at all
        return False


def _load(engine: Engine, user_id: int) -> CurrentUser | None:
    with Session(engine) as s:
        user = s.get(User, user_id)
        if user is None or user.disabled:
            return None
        ids = accounts.scope_ids(s, user)
        return CurrentUser(user.id, user.username, user.display_name, user.role,
                           Scope.district() if ids is None else Scope(ids),
                           bool(user.must_change_password), int(user.version or 1))


def _end(reason_key: str | None) -> None:
    """Forget everything of the session (filters, searches, selections) but the language."""
    for key in list(st.session_state.keys()):
        if key != "lang":  # the language widget is already drawn in this run: leave it alone
            del st.session_state[key]
    if reason_key:
        st.session_state[NOTICE_KEY] = reason_key


def _revoke(engine: Engine, why: str) -> None:
    """End this browser's ``web_session`` (its cookie is dead from now on, in every tab)."""
    session_id = st.session_state.get(SESSION_KEY)
    if session_id is not None:
        sessions.revoke(engine, session_id=session_id, why=why)


def _start_session(engine: Engine, user_id: int) -> None:
    """A sign-in that may go on to the pages: a ``web_session``, its token for the browser's cookie."""
    session_id, token = sessions.start(engine, user_id, get_settings().session_hours)
    st.session_state[SESSION_KEY] = session_id
    st.session_state[TICKET_KEY] = token
    st.session_state[SESSION_SEEN_KEY] = time.time()


def _cookie_script(method: str, body: str = "") -> str:
    from dashboard.ui.session_routes import path

    url = json.dumps(path(str(st.get_option("server.baseUrlPath") or "")))
    payload = f", body: {body}, headers: {{'Content-Type': 'application/json'}}" if body else ""
    return (f"<script>fetch({url}, {{method: '{method}', credentials: 'same-origin', cache: 'no-store'{payload}}})"
            ".catch(function () {{}});</script>")


def cookie_binder() -> None:
    """After a sign-in: the browser fetches its session cookie (HttpOnly: only an HTTP response can
    set it) — a zero-height component, once; after a sign-out, the browser drops it."""
    token = st.session_state.pop(TICKET_KEY, None)
    clear = st.session_state.pop(CLEAR_COOKIE_KEY, None)
    # in the sidebar, at its end: an element that comes and goes there never shifts the page's own
    # elements (a tab bar whose place changed would open on its first tab again)
    with st.sidebar:
        if token is not None:  # our own script around a token we made (never user input): same-origin iframe
            st.iframe(_cookie_script("POST", json.dumps(json.dumps({"ticket": token}))), height=1)
        if clear:
            st.iframe(_cookie_script("DELETE"), height=1)


def _resume_from_cookie(engine: Engine) -> int | None:
    """A new Streamlit session of a browser that signed in before (a reload, a new tab, a shared link):
    the user of its cookie's session, when that may go on (``models.sessions.resume``)."""
    if not get_settings().local_login:
        return None
    try:
        value = st.context.cookies.get(sessions.COOKIE)
    except Exception:  # noqa: BLE001 - no request (a bare script run, AppTest): no cookie
        return None
    if not isinstance(value, str) or not value:
        return None
    settings = get_settings()
    token = sessions.token_of(value, sessions.secret(engine, settings.secret_key), settings.session_hours * 3600)
    resumed = sessions.resume(engine, token, settings.idle_timeout_minutes) if token else None
    if resumed is None:
        st.session_state[CLEAR_COOKIE_KEY] = True  # a dead cookie: the browser drops it
        return None
    with session_scope(engine) as s:
        user = s.get(User, resumed.user_id)
        if user is None or user.must_change_password:
            return None
        audit(s, "login", username=user.username, detail="resumed (session cookie)")
    st.session_state[SESSION_KEY] = resumed.session_id
    st.session_state[SESSION_SEEN_KEY] = time.time()
    return resumed.user_id


def logout(engine: Engine, user: CurrentUser) -> None:
    with session_scope(engine) as s:
        audit(s, "logout", username=user.username)
    _revoke(engine, "logout")
    _end("auth.logged_out")
    st.session_state[CLEAR_COOKIE_KEY] = True
    if _sso_configured() and st.user.is_logged_in:
        st.logout()


def current_user(engine: Engine, locale: str) -> CurrentUser | None:
    """The logged-in user, or None (after an idle timeout, a disabled account, …)."""
    settings = get_settings()
    now = time.time()
    sso = _sso_configured() and st.user.is_logged_in
    last = st.session_state.get(SEEN_KEY, now)
    if (sso or st.session_state.get(USER_KEY) is not None) and now - last > settings.idle_timeout_minutes * 60:
        with session_scope(engine) as s:  # the idle timeout applies to local and single sign-on sessions
            audit(s, "logout", username=None, detail="idle timeout")
        _revoke(engine, "idle")
        _end("auth.timed_out")
        st.session_state[CLEAR_COOKIE_KEY] = True
        if sso:
            st.logout()
        return None
    if sso:
        return _sso_user(engine, locale)
    user_id = st.session_state.get(USER_KEY)
    if user_id is None and (st.session_state.get(KIOSK_KEY) or _kiosk_param()):
        return _kiosk_user(engine)
    if user_id is None:
        user_id = _resume_from_cookie(engine)
        if user_id is None:
            return None
        st.session_state[USER_KEY] = user_id
    user = _load(engine, user_id)
    if user is None:
        _revoke(engine, "disabled")
        _end("auth.disabled_session")
        return None
    session_id = st.session_state.get(SESSION_KEY)
    if session_id is not None and now - st.session_state.get(SESSION_SEEN_KEY, 0) > sessions.SEEN_EVERY.total_seconds():
        if not sessions.seen(engine, session_id):  # signed out in another tab, or expired: this one ends too
            _end("auth.session_ended")
            return None
        st.session_state[SESSION_SEEN_KEY] = now
    pending = st.session_state.get(PENDING_KEY)
    if user.must_change_password or pending is not None:
        if pending != user.version:  # reset by an admin during a session, or changed while the form was open
            _revoke(engine, "password reset")
            _end("acct.own.reset_session")
            return None
        if user.must_change_password:  # signed in with a one-time password: login_page asks for their own
            st.session_state[SEEN_KEY] = now
            return None
        st.session_state.pop(PENDING_KEY, None)
    st.session_state[SEEN_KEY] = now
    return user


def _kiosk_param() -> str | None:
    try:
        value = st.query_params.get("kiosk")
    except Exception:  # noqa: BLE001 - no request
        return None
    return value if isinstance(value, str) and value else None


def _kiosk_user(engine: Engine) -> CurrentUser | None:
    """The meeting-room screen opened by a kiosk link (``/present?kiosk=<token>``): read-only (a
    leader's rights), the link's townships, the big screen only, no idle timeout — and the link
    checked on every run, so a revoked or expired link closes the screen at its next run."""
    token = st.session_state.get(KIOSK_KEY) or _kiosk_param()
    grant = sessions.use_kiosk(engine, token)
    if grant is None:
        st.session_state.pop(KIOSK_KEY, None)
        st.session_state[NOTICE_KEY] = "kiosk.invalid"
        return None
    if st.session_state.get(KIOSK_KEY) != token:
        with session_scope(engine) as s:
            audit(s, "kiosk_open", username=f"kiosk-{grant.link_id}", entity="kiosk_link", entity_id=grant.link_id,
                  detail=grant.label[:80])
        st.session_state[KIOSK_KEY] = token
    scope = Scope.district() if grant.township_ids is None else Scope(grant.township_ids)
    return CurrentUser(0, f"kiosk-{grant.link_id}", grant.label, Role.LEADER, scope, kiosk=True)


def recheck(engine: Engine, locale: str) -> CurrentUser | None:
    """:func:`current_user` for a run the user did not start (the presentation's timed slide
    change): the same checks — idle timeout, disabled or deleted account, role and scope re-read —
    but the run does not count as activity, so an unattended screen still times out."""
    seen = st.session_state.get(SEEN_KEY)
    user = current_user(engine, locale)
    if user is not None and seen is not None:
        st.session_state[SEEN_KEY] = seen
    return user


def _sso_user(engine: Engine, locale: str) -> CurrentUser | None:
    email = getattr(st.user, "email", None) or ""
    verified = getattr(st.user, "email_verified", None)
    with Session(engine) as s:
        row = accounts.user_for_email(s, email) if verified is not False else None  # an unverified e-mail maps to no one
        row_id = row.id if row and not row.disabled else None
    if row_id is None:
        st.error(t("auth.sso_unknown", locale, email=escape_markdown(email, limit=80) if email else "—"))
        if st.button(t("auth.logout", locale)):
            st.logout()
        st.stop()
    if not st.session_state.get(SSO_AUDITED):
        with session_scope(engine) as s:
            audit(s, "login", username=row.username, detail=f"sso {email}")
        st.session_state[SSO_AUDITED] = True
    st.session_state[SEEN_KEY] = time.time()
    return _load(engine, row_id)


def login_page(engine: Engine, info: dict[str, str], locale: str, slot: Any = None) -> CurrentUser:
    """Draw the login page (in ``slot``, an ``st.empty()`` the app keeps at the same place in every
    run) and stop the script: nothing else is reachable before login. A sign-in that may go on to the
    pages does not stop it: the form is taken off (``slot`` emptied) and the signed-in user returned,
    so that the app draws the page in this same run — no second run after the sign-in (issue 22).
    Without ``slot`` (a caller of before): the run starts again after the sign-in."""
    settings = get_settings()
    if st.session_state.get(PENDING_KEY) is not None and st.session_state.get(USER_KEY) is not None:
        _own_password_page(engine, st.session_state[USER_KEY], locale)
        st.stop()
    notice = st.session_state.pop(NOTICE_KEY, None)
    cookie_binder()  # after a sign-out or with a dead cookie: the browser drops it
    with (slot if slot is not None else st.empty()).container():
        signed_in = _login_form(engine, info, locale, notice, settings)
    user = current_user(engine, locale) if signed_in else None  # the checks of every run, once more
    if user is None:  # not signed in (or this sign-in may not go on): the login page is all there is
        st.stop()
    if slot is None:
        st.rerun()
    slot.empty()  # the form is gone; the page follows in this run
    return user


def _login_form(engine: Engine, info: dict[str, str], locale: str, notice: str | None, settings) -> bool:
    """The login form (and the single sign-on button, the demo's accounts); a submitted form signs
    in (:func:`_try_login`) and, when that worked, draws nothing more and says so (True)."""
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        st.subheader(t("auth.title", locale))
        if notice:
            st.info(t(notice, locale))
        if settings.local_login:
            with st.form("login", clear_on_submit=False, enter_to_submit=True):
                username = st.text_input(t("auth.username", locale), key="login_username", autocomplete="username")
                password = st.text_input(t("auth.password", locale), type="password", key="login_password",
                                         autocomplete="current-password")
                submitted = st.form_submit_button(t("auth.submit", locale), type="primary", width="stretch")
            if submitted and _try_login(engine, username, password, locale):
                return True
        if _sso_configured():
            if st.button(t("auth.sso", locale), width="stretch", icon=":material/badge:"):
                st.login()
        if not settings.local_login and not _sso_configured():
            st.error(t("auth.no_method", locale))
        if info.get("dataset") == "demo" and settings.local_login:
            with st.container(border=True):
                st.caption(t("auth.demo_accounts", locale, password=DEMO_PASSWORD))
                st.table({t("auth.username", locale): [u for u, *_ in DEMO_USERS],
                          t("auth.role", locale): [t(f"role.{r.value}", locale) + (f" · {'、'.join(townships)}" if townships else "")
                                                   for _, r, _, townships in DEMO_USERS]})
    return False


#: failed sign-ins per client address, for the whole server process (``models.accounts.AddressThrottle``:
#: Streamlit runs every session in this one process, so this sees every attempt)
ADDRESS_THROTTLE = accounts.AddressThrottle()


def client_address() -> str | None:
    """The client's address as Streamlit sees it (None on localhost; behind a reverse proxy, the
    address the proxy sends in ``X-Forwarded-For`` — see the README)."""
    try:
        address = st.context.ip_address
    except Exception:  # noqa: BLE001 - no connection (a bare script run): no address
        return None
    return address if isinstance(address, str) and address else None  # (a test harness gives a mock)


def _try_login(engine: Engine, username: str, password: str, locale: str) -> bool:
    """Check the form's username and password; True when they signed in and the pages may follow
    (a one-time password: the run starts again on the form for their own password)."""
    settings = get_settings()
    result = accounts.sign_in(engine, username, password, throttle=ADDRESS_THROTTLE, address=client_address(),
                              policy=accounts.LoginPolicy.from_settings(settings))
    if result.ok:
        st.session_state[USER_KEY] = result.user_id
        st.session_state[SEEN_KEY] = time.time()
        st.session_state.pop("login_password", None)
        if result.must_change_password:  # a one-time password: their own first (login_page draws the form)
            pending = _load(engine, result.user_id)
            if pending is not None:
                st.session_state[PENDING_KEY] = pending.version
            st.rerun()
        _start_session(engine, result.user_id)  # a reload or a new tab keeps this sign-in (the session cookie)
        return True
    time.sleep(result.delay)  # grows with the failures from this address, whatever the username
    if result.answer == "throttled":
        st.error(t("auth.throttled", locale, minutes=max(1, math.ceil(result.retry_after / 60))))
    elif result.answer == "disabled":
        st.error(t("auth.disabled", locale))
    else:  # unknown user, wrong password, locked account: one answer, so none can be told apart
        st.error(t("auth.failed", locale, max_failures=accounts.MAX_FAILURES, minutes=settings.lock_minutes))
    return False


def _own_password_page(engine: Engine, user_id: int, locale: str) -> None:
    """The new-password form of a sign-in with a one-time password (typed twice; the rule of
    ``models.accounts.password_problem``); saved through ``edits.accounts.set_own_password`` (audited),
    then the session goes on to the pages."""
    user = _load(engine, user_id)
    if user is None:
        _end("auth.disabled_session")
        st.rerun()
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        st.subheader(t("acct.own.title", locale))
        st.info(t("acct.own.intro", locale, name=escape_markdown(user.display_name), min=accounts.MIN_PASSWORD))
        with st.form("own_password_form", clear_on_submit=False, enter_to_submit=True):
            password = st.text_input(t("acct.own.password", locale), type="password", key="own_password",
                                     autocomplete="new-password", max_chars=accounts.MAX_PASSWORD)
            repeat = st.text_input(t("acct.own.repeat", locale), type="password", key="own_password_repeat",
                                   autocomplete="new-password", max_chars=accounts.MAX_PASSWORD)
            submitted = st.form_submit_button(t("acct.own.submit", locale), type="primary", width="stretch")
        if submitted:
            try:
                with session_scope(engine) as s:
                    set_own_password(session=s, actor=Actor(user.username, user.role, user.scope),
                                     password=password, repeat=repeat)
            except EditError as err:
                st.error(refusal_text(err, locale, field_prefix="acct.own"))
            except Exception as exc:  # a database down or busy: one sentence, the form kept
                reason = data.outage_text(exc, locale)
                if reason is None:
                    raise
                st.error(reason, icon=":material/cloud_off:")
            else:
                for key in (PENDING_KEY, "own_password", "own_password_repeat"):
                    st.session_state.pop(key, None)
                _start_session(engine, user.id)
                st.toast(t("acct.own.saved", locale))
                st.rerun()
        if st.button(t("auth.logout", locale), key="own_password_logout", icon=":material/logout:"):
            logout(engine, user)
            st.rerun()


def user_box(engine: Engine, user: CurrentUser, locale: str) -> None:
    with st.sidebar:
        st.divider()
        if user.kiosk:  # the wall screen: no account to sign out of
            st.caption(t("kiosk.signed_in_as", locale, label=escape_markdown(user.display_name)))
            return
        st.caption(t("auth.signed_in_as", locale, name=escape_markdown(user.display_name),
                     role=t(f"role.{user.role.value}", locale)))
        if st.button(t("auth.logout", locale), icon=":material/logout:", width="stretch"):
            logout(engine, user)
            st.rerun()


def require_role(user: CurrentUser, *roles: Role, locale: str) -> None:
    """A page refuses to render for a role that may not use it (even when opened by URL)."""
    if user.role not in roles:
        st.error(t("auth.forbidden_page", locale))
        st.stop()
