"""Entry point: page config, database check, header, global filters, navigation.

Run with ``streamlit run dashboard/ui/server.py`` (``make run`` does it): this script behind the
security headers and short-lived downloads of ``dashboard/ui/serving.py``. ``streamlit run
dashboard/app.py`` works too, without them (development only).

Everything after the page config runs inside ``data.database_guard``: a database that is down or
busy is one sentence at the top of the page (with a retry button), never Streamlit's generic error.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run dashboard/app.py` from a checkout
    sys.path.insert(0, str(ROOT))

from dashboard.i18n import t  # noqa: E402
from dashboard.ui import auth, data, state  # noqa: E402
from dashboard.ui.layout import header, show_asof  # noqa: E402
from models.enums import Role  # noqa: E402
from models.settings import get_settings  # noqa: E402


def pages_for(user: auth.CurrentUser | None, locale: str) -> dict:
    """The navigation a role may use: a page absent here cannot be opened, and each page checks
    the role again (``auth.require_role``). ``user=None`` (the login page) registers every page,
    hidden and never run, only so that a deep link survives the login. A kiosk link's screen gets
    the big screen alone."""
    if user is not None and user.kiosk:
        return {t("nav.section.leaders", locale): [
            st.Page(ROOT / "dashboard/app_pages/present.py", title=t("nav.present", locale), icon=":material/slideshow:",
                    url_path="present", default=True)]}
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
            st.Page(ROOT / "dashboard/app_pages/campaigns.py", title=t("nav.campaigns", locale), icon=":material/flag:",
                    url_path="campaigns"),
            st.Page(ROOT / "dashboard/app_pages/group.py", title=t("nav.group", locale), icon=":material/diversity_3:",
                    url_path="group"),
            st.Page(ROOT / "dashboard/app_pages/development.py", title=t("nav.development", locale),
                    icon=":material/how_to_reg:", url_path="development"),
            st.Page(ROOT / "dashboard/app_pages/awards.py", title=t("nav.awards", locale), icon=":material/military_tech:",
                    url_path="awards"),
            st.Page(ROOT / "dashboard/app_pages/meetings.py", title=t("nav.meetings", locale), icon=":material/groups:",
                    url_path="meetings"),
            st.Page(ROOT / "dashboard/app_pages/present.py", title=t("nav.present", locale), icon=":material/slideshow:",
                    url_path="present"),
        ],
    }
    if user is None or user.can(Role.ADMIN, Role.STAFF, Role.TOWNSHIP):
        pages[t("nav.section.data", locale)] = [
            st.Page(ROOT / "dashboard/app_pages/imports.py", title=t("nav.import", locale), icon=":material/upload_file:",
                    url_path="import"),
        ]
    if user is None or user.can(Role.ADMIN):
        pages[t("nav.section.admin", locale)] = [
            st.Page(ROOT / "dashboard/app_pages/admin.py", title=t("nav.admin", locale), icon=":material/admin_panel_settings:", url_path="admin"),
        ]
    if os.environ.get("DANGONG_BENCH_FLOOR") == "1":  # python -m bench.browser's server only: two hidden pages
        from dashboard.app_pages.bench_floor import pages as floor_pages

        pages[t("nav.section.leaders", locale)] += floor_pages()
    return pages


def signed_in_user(engine, locale: str, outage_slot) -> auth.CurrentUser | None:
    """``auth.current_user``; while the database cannot be reached, the user this session verified
    last (within the idle timeout), so that the page — from what is cached — and a form being filled
    in stay on screen and a save says "not saved" next to the form, keeping its input. Nothing can
    be read afresh or written meanwhile; the user row is checked again on the first run after."""
    try:
        return auth.current_user(engine, locale)
    except Exception as exc:  # noqa: BLE001 - anything but an outage is raised again
        text = data.outage_text(exc, locale)
        verified, seen = st.session_state.get("user"), st.session_state.get(auth.SEEN_KEY)
        if (text is None or verified is None or seen is None
                or time.time() - seen > get_settings().idle_timeout_minutes * 60):
            raise
        outage_slot.error(text, icon=":material/cloud_off:")
        return verified


# the tab's icon from this machine (a :material/…: icon is fetched from fonts.gstatic.com: not in a closed network)
st.set_page_config(page_title="党工共建驾驶舱", page_icon=str(ROOT / "dashboard/ui/assets/favicon.png"), layout="wide",
                   initial_sidebar_state="auto")
state.init_lang()
outage = st.empty()  # "数据库暂时不可用/繁忙，请稍后重试" when the database cannot be used right now

with data.database_guard(outage):  # a database outage anywhere below: that sentence, not a generic error
    engine = data.engine()  # stops the page with a clear message when the database is unusable
    url = data.database_url()
    info = data.dataset_info(url)
    townships = data.townships(url)

    locale, asof_slot = header(info)
    login_slot = st.empty()  # the login form; empty once signed in (one place in every run: nothing below moves)
    user = signed_in_user(engine, locale, outage)
    if user is None:
        st.navigation(pages_for(None, locale), position="hidden")  # keeps the requested page; not run
        # stops: no page and no number before login; a sign-in goes on to the page in this run
        user = auth.login_page(engine, info, locale, login_slot)

    state.init_from_url(townships, user.scope)
    filters = state.sidebar_filters(townships, user.scope)
    show_asof(asof_slot, filters)
    auth.user_box(engine, user, locale)
    auth.cookie_binder()  # after a sign-in: the browser gets its session cookie (a reload stays signed in)
    st.session_state["filters"] = filters
    st.session_state["user"] = user
    state.show_url_notices()

    st.navigation(pages_for(user, locale), position="sidebar", expanded=True).run()
