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
