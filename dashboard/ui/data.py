"""Cached access to the database and to the query layer.

Every cached function is keyed by the database URL, the scope, the filters and the as-of date,
so results never cross databases, scopes or dates. ``clear_caches()`` after any write.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa
import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

from dashboard.queries import campaigns, coverage, followup, trends
from dashboard.queries.scope import Scope
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



@st.cache_data(ttl=TTL, show_spinner=False)
def coverage_by_township(url: str, scope: Scope, as_of: dt.date) -> pd.DataFrame:
    with session(url) as s:
        return coverage.coverage_by_township(s, scope, as_of)


@st.cache_data(ttl=TTL, show_spinner=False)
def action_item_counts(url: str, scope: Scope, as_of: dt.date) -> followup.ItemCounts:
    with session(url) as s:
        return followup.action_item_counts(s, scope, as_of)


@st.cache_data(ttl=TTL, show_spinner=False)
def overdue_items_by_township(url: str, scope: Scope, as_of: dt.date) -> pd.DataFrame:
    with session(url) as s:
        return followup.overdue_items_by_township(s, scope, as_of)


@st.cache_data(ttl=TTL, show_spinner=False)
def alert_lists(url: str, scope: Scope, as_of: dt.date) -> dict[str, pd.DataFrame | int]:
    with session(url) as s:
        gaps = coverage.enterprises_in_pattern(s, scope, as_of, "should_build", limit=50)
        return {
            "should_build": gaps,
            "overdue_items": followup.overdue_items(s, scope, as_of),
            "overdue_leads": followup.overdue_leads(s, scope, as_of),
            "n_overdue_leads": followup.count_overdue_leads(s, scope, as_of),
            "overdue_notices": followup.overdue_notices(s, scope, as_of),
            "n_overdue_notices": followup.count_overdue_notices(s, scope, as_of),
        }


@st.cache_data(ttl=TTL, show_spinner=False)
def foundings_per_quarter(url: str, scope: Scope, start: dt.date, as_of: dt.date) -> pd.DataFrame:
    with session(url) as s:
        return trends.foundings_per_quarter(s, scope, start, as_of)


@st.cache_data(ttl=TTL, show_spinner=False)
def coverage_series(url: str, scope: Scope, as_of: dt.date) -> pd.DataFrame:
    with session(url) as s:
        return trends.coverage_series(s, scope, trends.series_dates(as_of))


@st.cache_data(ttl=TTL, show_spinner=False)
def campaign_progress(url: str, scope: Scope, as_of: dt.date) -> pd.DataFrame:
    with session(url) as s:
        return campaigns.campaign_progress(s, scope, as_of)


@st.cache_data(ttl=TTL, show_spinner=False)
def action_items_by_owner(url: str, scope: Scope, as_of: dt.date) -> pd.DataFrame:
    with session(url) as s:
        return followup.action_items_by_owner(s, scope, as_of)


GAP_LIST_LIMIT = 200


@st.cache_data(ttl=TTL, show_spinner=False)
def gap_enterprises(url: str, scope: Scope, as_of: dt.date, pattern: str) -> pd.DataFrame:
    """The gap list of one pattern, with ``has_union`` (an 应建未建 enterprise may have none)."""
    with session(url) as s:
        df = coverage.enterprises_in_pattern(s, scope, as_of, pattern, limit=GAP_LIST_LIMIT)
        with_union = coverage.unionised_among(s, df["enterprise_id"].tolist(), as_of)
    df["has_union"] = df["enterprise_id"].isin(with_union)
    return df


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=256)
def ledger_page(url: str, scope: Scope, as_of: dt.date, query):
    from dashboard.queries import ledger

    with session(url) as s:
        return ledger.ledger_page(s, scope, as_of, query)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=256)
def enterprise_detail(url: str, scope: Scope, enterprise_id: int, as_of: dt.date):
    from dashboard.queries import ledger

    with session(url) as s:
        return ledger.enterprise_detail(s, scope, enterprise_id, as_of)


# --- meetings (two-level joint meetings, action items, mechanism coverage, coordination notices)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=256)
def meetings_list(url: str, scope: Scope, as_of: dt.date, level: str | None, enterprise_id: int | None,
                  start: dt.date | None, end: dt.date | None) -> pd.DataFrame:
    from dashboard.queries import meetings

    with session(url) as s:
        return meetings.meetings(s, scope, as_of, level=level, enterprise_id=enterprise_id, start=start, end=end)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=256)
def meeting_counts(url: str, scope: Scope, as_of: dt.date, level: str | None, enterprise_id: int | None,
                   start: dt.date | None, end: dt.date | None):
    from dashboard.queries import meetings

    with session(url) as s:
        return meetings.meeting_counts(s, scope, as_of, level=level, enterprise_id=enterprise_id, start=start, end=end)


@st.cache_data(ttl=TTL, show_spinner=False)
def meeting_enterprises(url: str, scope: Scope, as_of: dt.date) -> pd.DataFrame:
    from dashboard.queries import meetings

    with session(url) as s:
        return meetings.meeting_enterprises(s, scope, as_of)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=256)
def meeting_detail(url: str, scope: Scope, meeting_id: int, as_of: dt.date):
    from dashboard.queries import meetings

    with session(url) as s:
        return meetings.meeting_detail(s, scope, meeting_id, as_of)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=256)
def action_items(url: str, scope: Scope, as_of: dt.date, owner_unit_id: int | None = None,
                 only_open: bool = False, search: str = "", limit: int | None = None,
                 due_by: dt.date | None = None) -> pd.DataFrame:
    """``limit=None``: the query's default cap (count with ``count_action_items``)."""
    from dashboard.queries import meetings

    with session(url) as s:
        return meetings.action_items(s, scope, as_of, owner_unit_id=owner_unit_id, only_open=only_open,
                                     search=search, limit=limit or meetings.ITEMS_LIMIT, due_by=due_by)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=256)
def count_action_items(url: str, scope: Scope, as_of: dt.date, owner_unit_id: int | None = None,
                       only_open: bool = False, search: str = "") -> int:
    from dashboard.queries import meetings

    with session(url) as s:
        return meetings.count_action_items(s, scope, as_of, owner_unit_id=owner_unit_id, only_open=only_open,
                                           search=search)


@st.cache_data(ttl=TTL, show_spinner=False)
def item_board(url: str, scope: Scope, as_of: dt.date) -> pd.DataFrame:
    from dashboard.queries import meetings

    with session(url) as s:
        return meetings.item_board(s, scope, as_of)


@st.cache_data(ttl=TTL, show_spinner=False)
def district_meetings(url: str, scope: Scope, until: dt.date | None = None) -> pd.DataFrame:
    from dashboard.queries import meetings

    with session(url) as s:
        return meetings.district_meetings(s, scope, until=until)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=128)
def since_last_meeting(url: str, scope: Scope, as_of: dt.date, meeting_id: int | None = None):
    from dashboard.queries import meetings

    with session(url) as s:
        return meetings.since_last_meeting(s, scope, as_of, meeting_id=meeting_id)


@st.cache_data(ttl=TTL, show_spinner=False)
def mechanism_coverage(url: str, scope: Scope, as_of: dt.date) -> pd.DataFrame:
    from dashboard.queries import meetings

    with session(url) as s:
        return meetings.mechanism_coverage(s, scope, as_of)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=128)
def notices(url: str, scope: Scope, as_of: dt.date, direction: str | None = None,
            unresolved: bool = False) -> pd.DataFrame:
    from dashboard.queries import meetings

    with session(url) as s:
        return meetings.notices(s, scope, as_of, direction=direction, unresolved=unresolved)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=128)
def notice_counts(url: str, scope: Scope, as_of: dt.date, direction: str | None = None):
    from dashboard.queries import meetings

    with session(url) as s:
        return meetings.notice_counts(s, scope, as_of, direction=direction)


@st.cache_data(ttl=TTL, show_spinner=False)
def units(url: str, owners_for: Scope | None = None) -> pd.DataFrame:
    """Units (id, code, name, township_id): the choices of the attendee fields; ``owners_for`` the
    owner units an actor of that scope may choose (``queries.meetings.units``)."""
    from dashboard.queries import meetings

    with session(url) as s:
        return meetings.units(s, owners_for=owners_for)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=128)
def meeting_candidates(url: str, scope: Scope, as_of: dt.date, search: str = "") -> pd.DataFrame:
    from dashboard.queries import meetings

    with session(url) as s:
        return meetings.meeting_candidates(s, scope, as_of, search=search)


# --- cases (典型案例): model enterprises and their case studies


@st.cache_data(ttl=TTL, show_spinner=False)
def model_enterprises(url: str, scope: Scope, as_of: dt.date, levels: tuple[str, ...] = ()) -> pd.DataFrame:
    from dashboard.queries import cases

    with session(url) as s:
        return cases.model_enterprises(s, scope, as_of, levels=levels)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=256)
def case_detail(url: str, scope: Scope, enterprise_id: int, as_of: dt.date):
    """The case of a model enterprise in ``scope`` (averages over ``scope`` too); None when not shown."""
    from dashboard.queries import cases

    with session(url) as s:
        return cases.case_detail(s, scope, enterprise_id, as_of)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=256)
def designation_history(url: str, scope: Scope, enterprise_id: int) -> pd.DataFrame:
    from dashboard.queries import cases

    with session(url) as s:
        return cases.designation_history(s, scope, enterprise_id)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def search_enterprises(url: str, scope: Scope, as_of: dt.date, text: str) -> pd.DataFrame:
    from dashboard.queries import cases

    with session(url) as s:
        return cases.search_enterprises(s, scope, as_of, text)
