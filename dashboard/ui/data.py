"""Cached access to the database and to the query layer.

Every query wrapper is made by :func:`cached` from a pure function of ``dashboard.queries``
(``fn(session, *args, **kwargs)``) and called as ``data.<name>(url, *args, **kwargs)``: keyed by the
database URL, the scope, the filters and the as-of date, so results never cross databases,
scopes or dates. ``clear_caches()`` after any write.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import pandas as pd
import sqlalchemy as sa
import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

from dashboard.queries import campaigns, cases, coverage, followup, ledger, meetings, trends
from models.db import DatabaseError, check_schema, make_engine, mask_url
from models.settings import get_settings

TTL = 600


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    engine = make_engine(url)
    check_schema(engine)
    return engine


def database_url() -> str:
    return get_settings().database_url


def engine() -> Engine:
    """The checked engine, or a clear message and a stopped page."""
    from dashboard.i18n import t
    from dashboard.ui.state import current_locale

    url = database_url()
    try:
        return _engine(url)
    except (DatabaseError, sa.exc.SQLAlchemyError) as exc:
        loc = current_locale()
        st.error(f"**{t('app.db_error', loc)}** {exc}" if isinstance(exc, DatabaseError) else
                 f"**{t('app.db_error', loc)}** {mask_url(url)}：{type(exc).__name__}")
        st.info(t("app.db_check", loc))
        st.stop()
        raise  # pragma: no cover - st.stop raises


def clear_caches() -> None:
    st.cache_data.clear()


@st.cache_data(ttl=TTL, show_spinner=False)
def dataset_info(url: str) -> dict[str, str]:
    with _engine(url).connect() as conn:
        return dict(conn.execute(sa.text("SELECT key, value FROM dataset_info")).all())


@st.cache_data(ttl=TTL, show_spinner=False)
def townships(url: str) -> pd.DataFrame:
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


def cached(fn: Callable[..., Any], *, name: str | None = None, max_entries: int | None = None) -> Callable[..., Any]:
    """``fn(session, *args, **kwargs)`` as a cached ``wrapper(url, *args, **kwargs)``.

    Streamlit keys a cached function by its module, qualified name and source: every wrapper made
    here has the same source, so each gets its own ``__qualname__`` (the ``name``) — two wrappers
    must never share a cache.
    """
    label = name or fn.__name__
    module, attr = sys.modules[fn.__module__], fn.__name__

    def run(url: str, *args: Any, **kwargs: Any) -> Any:
        with session(url) as s:  # looked up at call time, so a test may stand in for the query
            return getattr(module, attr)(s, *args, **kwargs)

    run.__name__ = run.__qualname__ = label
    run.__module__ = __name__
    run.__doc__ = fn.__doc__
    run.__wrapped_query__ = fn  # type: ignore[attr-defined]  # for tests and docs
    return st.cache_data(ttl=TTL, show_spinner=False, max_entries=max_entries)(run)


# --- overview and map
coverage_by_township = cached(coverage.coverage_by_township)
action_item_counts = cached(followup.action_item_counts)
overdue_items_by_township = cached(followup.overdue_items_by_township)
alert_lists = cached(followup.alert_lists)
action_items_by_owner = cached(followup.action_items_by_owner)
foundings_per_quarter = cached(trends.foundings_per_quarter)
coverage_series = cached(trends.coverage_series_to, name="coverage_series")
campaign_progress = cached(campaigns.campaign_progress)
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
