"""The admin page's 推送 tab: the channels and the schedule of the push set-up (DANGONG_PUSH_CONFIG),
the send log with the messages that failed every attempt, and a "send a test message" button per
channel (recorded in the log like any sending)."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from dashboard.queries.dates import district_today
from dashboard.ui import data
from dashboard.ui.sections import Context
from dashboard.views import push as V
from models.settings import get_settings


def render(ctx: Context) -> None:
    from dashboard.push.config import ConfigError, load
    from dashboard.push.run import recent, send_now

    loc = ctx.loc
    path = get_settings().push_config
    if path is None:
        st.info(t("push.admin.none", loc))
        return
    try:
        cfg = load(path)
    except ConfigError as exc:
        st.error(t("push.admin.bad", loc, error=str(exc)))
        return
    engine = data.engine()
    st.markdown(f"**{t('push.admin.channels', loc)}**")
    towns = data.townships(data.database_url())
    st.dataframe(V.channels_frame(cfg, loc, dict(zip(towns["code"], towns["name"]))), hide_index=True, width="stretch")
    st.markdown(f"**{t('push.admin.schedule', loc)}**")
    st.caption(V.schedule_text(cfg, loc))

    if cfg.channel:
        with st.form("push_test"):
            left, right = st.columns([3, 1], vertical_alignment="bottom")
            name = left.selectbox(t("push.admin.test_channel", loc), [c.name for c in cfg.channel], key="push_test_channel")
            if right.form_submit_button(t("push.admin.test", loc), icon=":material/send:", width="stretch"):
                with st.spinner(t("push.admin.test", loc)):
                    report = send_now(engine, cfg, "test", name, district_today(), params={"by": ctx.user.username})
                if report.sent:
                    st.success(t("push.admin.test_sent", loc, channel=name, receipt=report.receipts[report.sent[0]]))
                else:
                    why = (report.retrying or report.failed or [("", "")])[0][1]
                    st.error(t("push.admin.test_failed", loc, channel=name, error=why))

    st.markdown(f"**{t('push.admin.log', loc)}**")
    rows = recent(engine)
    if not rows:
        st.caption(t("push.admin.log_empty", loc))
        return
    if (n := V.failed_count(rows)):
        st.warning(t("push.admin.failed", loc, n=n))
    # the error wide enough to read, the key and the subject narrower (whole on hover)
    widths = {t(f"push.col.{k}", loc): st.column_config.TextColumn(width=w)
              for k, w in (("key", "small"), ("subject", "medium"), ("error", "large"))}
    st.dataframe(V.log_table(rows, loc).styled(), hide_index=True, width="stretch", column_config=widths)
