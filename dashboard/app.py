"""Entry point: page config, database check, header, global filters, navigation.

Run with ``streamlit run dashboard/app.py`` (``make run`` does it).
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run dashboard/app.py` from a checkout
    sys.path.insert(0, str(ROOT))

from dashboard.i18n import t  # noqa: E402
from dashboard.ui import auth, data, state  # noqa: E402
from dashboard.ui.layout import header, show_asof  # noqa: E402
from models.enums import Role  # noqa: E402

def pages_for(user: auth.CurrentUser | None, locale: str) -> dict:
    """The navigation a role may use: a page absent here cannot be opened, and each page checks
    the role again (``auth.require_role``). ``user=None`` (the login page) registers every page,
    hidden and never run, only so that a deep link survives the login."""
    pages = {
        t("nav.section.leaders", locale): [
            st.Page(ROOT / "dashboard/app_pages/overview.py", title=t("nav.overview", locale), icon=":material/dashboard:",
                    url_path="", default=True),
            st.Page(ROOT / "dashboard/app_pages/coverage_map.py", title=t("nav.map", locale), icon=":material/map:",
                    url_path="map"),
            st.Page(ROOT / "dashboard/app_pages/ledger.py", title=t("nav.ledger", locale), icon=":material/table_view:",
                    url_path="ledger"),
            st.Page(ROOT / "dashboard/app_pages/cases.py", title=t("nav.cases", locale), icon=":material/workspace_premium:",
                    url_path="cases"),
            st.Page(ROOT / "dashboard/app_pages/meetings.py", title=t("nav.meetings", locale), icon=":material/groups:",
                    url_path="meetings"),
            st.Page(ROOT / "dashboard/app_pages/present.py", title=t("nav.present", locale), icon=":material/slideshow:",
                    url_path="present"),
        ],
    }
    if user is None or user.can(Role.ADMIN):
        pages[t("nav.section.admin", locale)] = [
            st.Page(ROOT / "dashboard/app_pages/admin.py", title=t("nav.admin", locale), icon=":material/admin_panel_settings:", url_path="admin"),
        ]
    return pages


st.set_page_config(page_title="党工共建驾驶舱", page_icon=":material/account_balance:", layout="wide", initial_sidebar_state="auto")

engine = data.engine()  # stops the page with a clear message when the database is unusable
url = data.database_url()
info = data.dataset_info(url)
townships = data.townships(url)

state.init_lang()
locale, asof_slot = header(info)
user = auth.current_user(engine, locale)
if user is None:
    st.navigation(pages_for(None, locale), position="hidden")  # keeps the requested page; not run
    auth.login_page(engine, info, locale)  # stops: no page and no number before login

state.init_from_url(townships, user.scope)
filters = state.sidebar_filters(townships, user.scope)
show_asof(asof_slot, filters)
auth.user_box(engine, user, locale)
st.session_state["filters"] = filters
st.session_state["user"] = user
state.show_url_notices()

st.navigation(pages_for(user, locale), position="sidebar", expanded=True).run()
