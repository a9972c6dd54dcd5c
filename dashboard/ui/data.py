"""Cached access to the database and to the query layer.

Every query wrapper is made by :func:`cached` from a pure function of ``dashboard.queries``
(``fn(session, *args, **kwargs)``) and called as ``data.<name>(url, *args, **kwargs)``: keyed by the
database URL, the scope, the filters and the as-of date, so results never cross databases,
scopes or dates — and by a per-township count of writes (:func:`generation`), so
``clear_caches(township_ids)`` after a write of a few townships makes only what reads them stale
(``clear_caches()``: everything — by a new epoch in every key, never by emptying Streamlit's cache, which
would also drop the chart specs and make every other viewer's next page a cold one at the same time).

A database that cannot be used *right now* — a PostgreSQL server down, unreachable or restarting,
a SQLite file locked by another process past ``models.db.SQLITE_BUSY_TIMEOUT`` — is one sentence in
the UI's language (:func:`outage_text`: "数据库暂时不可用，请稍后重试" / "数据库繁忙，请稍后重试"), never
Streamlit's generic error: ``app.py`` runs inside :func:`database_guard`, ``ui.edit.run_edit``
shows it next to the form. Nothing is cached about the failure (the engine's pool reconnects,
``pool_pre_ping``), so the next run after the database is back works — no restart.
"""

from __future__ import annotations

import inspect
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd
import sqlalchemy as sa
import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

from dashboard.queries import (
    awards,
    campaigns,
    cases,
    checks,
    coverage,
    development,
    followup,
    group,
    leads,
    ledger,
    meetings,
    trends,
)
from models.db import DatabaseError, check_schema, make_engine, mask_url, outage_kind
from models.settings import get_settings


def _cache_ttl() -> int:
    """Seconds a cached read lives: the setting ``cache_ttl_seconds`` (``DANGONG_CACHE_TTL_SECONDS``, default
    600) — also how long another server process may show figures from before a write made through this
    one. Read when this module is imported (Streamlit fixes a cache's TTL when the function is decorated);
    settings that do not validate: the default here (the pages' own reading of the settings says what is
    wrong)."""
    from models.settings import Settings

    try:
        return int(get_settings().cache_ttl_seconds)
    except Exception:  # noqa: BLE001 - settings that do not validate, a secrets file not TOML or not readable:
        return int(Settings.model_fields["cache_ttl_seconds"].default)  # the pages' own reading says what is wrong


TTL = _cache_ttl()
_LOG = logging.getLogger("dangong.database")


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    engine = make_engine(url)
    check_schema(engine)
    return engine


def database_url() -> str:
    return get_settings().database_url


def engine() -> Engine:
    """The checked engine, or a clear message and a stopped page. A database that cannot be
    reached right now is raised on, for :func:`database_guard` or ``run_edit`` to say so."""
    from dashboard.i18n import t
    from dashboard.ui.state import current_locale

    url = database_url()
    try:
        return _engine(url)
    except (DatabaseError, sa.exc.SQLAlchemyError) as exc:
        if outage_kind(exc):
            raise
        loc = current_locale()
        st.error(f"**{t('app.db_error', loc)}** {exc}" if isinstance(exc, DatabaseError) else
                 f"**{t('app.db_error', loc)}** {mask_url(url)}：{type(exc).__name__}")
        st.info(t("app.db_check", loc))
        st.stop()
        raise  # pragma: no cover - st.stop raises


#: per township id (and ``"*"``: any township) the number of writes this process has seen — part of
#: every cached query's key (:func:`cached`), so a write makes only the results that read its
#: townships stale: a scope holding one of them, the whole district, or a query without a scope;
#: ``EPOCH``: the writes that may change anything (a boundary import, a ledger import, an account's
#: scope …) — part of every key, so they make every cached read stale
_GENERATIONS: dict[object, int] = {}
_GENERATIONS_LOCK = threading.Lock()
EPOCH = "epoch"


#: set by :func:`clear_caches` whenever it makes a cached read stale: the server's warm-up loop
#: (``ui/warm.py``) waits on it to read the whole district's overview again after a write
WRITTEN = threading.Event()


def clear_caches(township_ids: Iterable[int] | None = None) -> None:
    """After a write. ``township_ids``: the townships whose data it changed — then only cached results
    that read one of them are read afresh (every user of other townships keeps theirs; empty: none);
    ``None``: every cached read is read afresh (a new :func:`epoch`). Nothing is removed from Streamlit's
    cache: stale entries are no longer asked for and leave with their ``TTL`` (or ``max_entries``); the
    chart specs (keyed by their data) and the brief documents of unchanged data stay. Per server
    process, as Streamlit's cache is (other processes see the change when their entries expire, ``TTL``).
    Sets :data:`WRITTEN` (the whole district's reads are stale either way) unless nothing changed."""
    with _GENERATIONS_LOCK:
        if township_ids is None:
            _GENERATIONS[EPOCH] = _GENERATIONS.get(EPOCH, 0) + 1
        else:
            township_ids = {int(i) for i in township_ids}
            if not township_ids:  # a write that changes no figure (an account): nothing to read afresh
                return
            for township_id in township_ids:
                _GENERATIONS[township_id] = _GENERATIONS.get(township_id, 0) + 1
            _GENERATIONS["*"] = _GENERATIONS.get("*", 0) + 1
    WRITTEN.set()  # after the new keys: a reader woken by it reads with them


def epoch() -> int:
    """The count of :func:`clear_caches` calls that made everything stale (a key of reads without a scope)."""
    return _GENERATIONS.get(EPOCH, 0)


def generation(scope: Any) -> tuple:
    """The part of a cached query's key that changes when data it may read changes (:func:`clear_caches`)."""
    ids = getattr(scope, "township_ids", None)
    if ids is None:  # the whole district, or a query without a scope: any write
        return (epoch(), "*", _GENERATIONS.get("*", 0))
    return (epoch(), *sorted((int(i), _GENERATIONS.get(int(i), 0)) for i in ids))


def pace_margin() -> float:
    """The campaign pace rule's margin as a share (the setting ``campaign_pace_margin_pp`` ÷ 100)."""
    return get_settings().campaign_pace_margin_pp / 100


def lead_idle_days() -> int:
    """Days without a stage change after which an open founding lead is idle (``lead_idle_days``)."""
    return int(get_settings().lead_idle_days)


def outage_text(exc: BaseException, loc: str) -> str | None:
    """The sentence for an error that says the database cannot be used right now (None for any
    other error). The details go to the server's log, for the operator — not to the screen."""
    from dashboard.i18n import t

    kind = outage_kind(exc)
    if kind is None:
        return None
    _LOG.warning("database %s (%s): %s", kind, mask_url(database_url()), str(exc).splitlines()[0] if str(exc) else
                 type(exc).__name__)
    return t(f"app.db_{kind}", loc)


@contextmanager
def database_guard(slot: Any = None, *, key: str = "_db_retry") -> Iterator[None]:
    """Runs the block; a database outage inside it ends it with the one sentence and a retry button
    (in ``slot``, e.g. an ``st.empty()`` at the top of the page) instead of Streamlit's generic error.

    The run then ends normally, not with ``st.stop()``: Streamlit forgets the widgets the failed run
    did not draw, so that none comes back showing one value while the app holds another. A form
    drawn before the failure (the sign-in form) keeps what was typed.
    """
    from dashboard.i18n import t
    from dashboard.ui.state import current_locale

    try:
        yield
    except Exception as exc:  # noqa: BLE001 - anything else is raised again, untouched
        loc = current_locale()
        text = outage_text(exc, loc)
        if text is None:
            raise
        box = (slot if slot is not None else st).container()
        box.error(text, icon=":material/cloud_off:")
        box.button(t("app.db_retry", loc), key=key, icon=":material/refresh:")


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` run inside :func:`database_guard` — for a fragment (``@st.fragment`` above
    ``@guarded``): Streamlit catches what a fragment raises before ``app.py``'s guard could."""
    import functools

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        with database_guard(key=f"_db_retry_{fn.__qualname__}"):
            return fn(*args, **kwargs)
        return None  # an outage: the sentence is shown instead

    return run


def dataset_info(url: str) -> dict[str, str]:
    return _dataset_info(url, epoch())


def townships(url: str) -> pd.DataFrame:
    """Every township with its boundary (stale after any write that makes everything stale: a boundary import)."""
    return _townships(url, epoch())


@st.cache_data(ttl=TTL, show_spinner=False)
def _dataset_info(url: str, epoch_key: int) -> dict[str, str]:
    with _engine(url).connect() as conn:
        return dict(conn.execute(sa.text("SELECT key, value FROM dataset_info")).all())


@st.cache_data(ttl=TTL, show_spinner=False)
def _townships(url: str, epoch_key: int) -> pd.DataFrame:
    with _engine(url).connect() as conn:
        return pd.DataFrame(
            conn.execute(sa.text(
                "SELECT id, code, name, kind, boundary_geojson, boundary_is_schematic FROM township "
                "ORDER BY sort_order, code"
            )).mappings().all(),
            columns=["id", "code", "name", "kind", "boundary_geojson", "boundary_is_schematic"],
        )


def session(url: str) -> Session:
    """A session on the checked, cached engine of ``url`` (for exports and other non-cached reads)."""
    return Session(_engine(url))


#: queries (cache misses) one server process computes at the same time; the others wait their turn. Many
#: viewers at once (issue 19): without a bound, fifty page runs share the CPU evenly and all finish late
#: (each viewer waits for everyone's queries); with it, the queries asked first are answered first, and
#: the connections in use and the frames in memory stay bounded. Two per CPU: SQLite's queries run in this
#: process (without the GIL), PostgreSQL's in the server's. A query never asks for another through here.
QUERY_CONCURRENCY = 2 * (os.cpu_count() or 2)
QUERY_SLOTS = threading.BoundedSemaphore(QUERY_CONCURRENCY)


def cached(fn: Callable[..., Any], *, name: str | None = None, max_entries: int | None = None) -> Callable[..., Any]:
    """``fn(session, *args, **kwargs)`` as a cached ``wrapper(url, *args, **kwargs)``.

    Streamlit keys a cached function by its module, qualified name and source: every wrapper made
    here has the same source, so each gets its own ``__qualname__`` (the ``name``) — two wrappers
    must never share a cache.
    """
    label = name or fn.__name__
    module, attr = sys.modules[fn.__module__], fn.__name__
    signature = inspect.signature(fn)
    takes_scope = "scope" in signature.parameters

    def run(url: str, generation_key: tuple, *args: Any, **kwargs: Any) -> Any:
        with QUERY_SLOTS, session(url) as s:  # looked up at call time, so a test may stand in for the query
            return getattr(module, attr)(s, *args, **kwargs)

    run.__name__ = run.__qualname__ = label
    run.__module__ = __name__
    cached_run = st.cache_data(ttl=TTL, show_spinner=False, max_entries=max_entries)(run)

    def call(url: str, *args: Any, **kwargs: Any) -> Any:
        scope = signature.bind_partial(None, *args, **kwargs).arguments.get("scope") if takes_scope else None
        return cached_run(url, generation(scope), *args, **kwargs)

    call.__name__ = call.__qualname__ = label
    call.__doc__ = fn.__doc__
    call.__wrapped_query__ = fn  # type: ignore[attr-defined]  # for tests and docs
    call.clear = cached_run.clear  # type: ignore[attr-defined]
    return call


# --- overview and map
coverage_by_township = cached(coverage.coverage_by_township)
action_item_counts = cached(followup.action_item_counts)
overdue_items_by_township = cached(followup.overdue_items_by_township)
alert_lists = cached(followup.alert_lists)
action_items_by_owner = cached(followup.action_items_by_owner)
foundings_per_quarter = cached(trends.foundings_per_quarter)
coverage_series = cached(trends.coverage_series_to, name="coverage_series")
campaign_progress = cached(campaigns.campaign_progress)
campaign_totals = cached(campaigns.campaign_totals)
campaigns_list = cached(campaigns.campaigns, name="campaigns_list")
zone_burnup = cached(campaigns.zone_burnup)
campaign_zones = cached(campaigns.campaign_zones)
lead_pipeline = cached(leads.pipeline, name="lead_pipeline")
lead_list = cached(leads.lead_list, name="lead_list", max_entries=128)
count_leads = cached(leads.count_leads, name="count_leads", max_entries=128)
lead_headline = cached(leads.since_last_meeting, name="lead_headline", max_entries=64)
lead_detail = cached(leads.lead, name="lead_detail", max_entries=128)
group_members = cached(group.members, name="group_members")
group_changes = cached(group.changes, name="group_changes")
group_documents = cached(group.documents, name="group_documents")
group_mechanisms = cached(group.mechanisms, name="group_mechanisms")
development_figures = cached(development.figures, name="development_figures")
development_people = cached(development.people, name="development_people", max_entries=128)
development_count = cached(development.count_people, name="development_count", max_entries=128)
development_candidates = cached(development.recommend_candidates, name="development_candidates", max_entries=64)
development_admissions = cached(development.admissions, name="development_admissions", max_entries=64)
lead_candidates = cached(leads.lead_candidates, max_entries=64)
check_party_level = cached(checks.party_level, name="check_party_level")
check_union_committee = cached(checks.union_committee, name="check_union_committee")
check_joint_branch_size = cached(checks.joint_branch_size, name="check_joint_branch_size")
gap_enterprises = cached(coverage.gap_enterprises, max_entries=256)

# --- ledger
ledger_page = cached(ledger.ledger_page, max_entries=256)
enterprise_detail = cached(ledger.enterprise_detail, max_entries=256)

# --- meetings (two-level joint meetings, action items, mechanism coverage, coordination notices)
meetings_list = cached(meetings.meetings, name="meetings_list", max_entries=256)
meeting_counts = cached(meetings.meeting_counts, max_entries=256)
meeting_enterprises = cached(meetings.meeting_enterprises)
meeting_detail = cached(meetings.meeting_detail, max_entries=256)
action_items = cached(meetings.action_items, max_entries=256)
count_action_items = cached(meetings.count_action_items, max_entries=256)
item_board = cached(meetings.item_board)
district_meetings = cached(meetings.district_meetings)
since_last_meeting = cached(meetings.since_last_meeting, max_entries=128)
mechanism_coverage = cached(meetings.mechanism_coverage)
notices = cached(meetings.notices, max_entries=128)
notice_counts = cached(meetings.notice_counts, max_entries=128)
units = cached(meetings.units)
meeting_candidates = cached(meetings.meeting_candidates, max_entries=128)

# --- cases (典型案例): model enterprises and their case studies
model_enterprises = cached(cases.model_enterprises)
case_detail = cached(cases.case_detail, max_entries=256)
designation_history = cached(cases.designation_history, max_entries=256)
search_enterprises = cached(cases.search_enterprises, max_entries=64)

# --- 双爱双评 (/awards)
award_rounds = cached(awards.rounds, name="award_rounds")
award_round = cached(awards.round_for, name="award_round")
award_progress = cached(awards.round_progress, name="award_progress")
award_nominations = cached(awards.round_nominations, name="award_nominations", max_entries=128)
awards_by_township = cached(awards.awards_by_township)
awards_by_enterprise = cached(awards.awards_by_enterprise)
award_nominees = cached(awards.nominees, name="award_nominees", max_entries=64)
award_quotas = cached(awards.quotas, name="award_quotas")
