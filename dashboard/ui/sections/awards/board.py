"""双爱双评: the round picker, the round's stages, headline and places per township, its
nominations and awards with the Excel export, and the awards of every published round per township
and per enterprise."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard.i18n import fmt_date, t
from dashboard.queries import awards as awards_queries
from dashboard.queries.awards import names_visible
from dashboard.ui import data
from dashboard.ui.brief import scope_label
from dashboard.ui.exports import XLSX_MIME
from dashboard.ui.sections import Context
from dashboard.ui.sections.meetings import tagged
from dashboard.ui.widgets import kpi_card, kpi_row
from dashboard.views import awards as V

#: the enterprises the per-enterprise table shows
TOP_ENTERPRISES = 50
#: the nominations the page lists (a round of the 1M district has thousands: every run sent them all
#: to the browser, 1.5 s a page switch); the caption says so with the total, the Excel file has them all,
#: and the forms pick from up to ``queries.awards.NOMINATION_LIMIT``
LIST_LIMIT = 500
#: the list's total and the nominees counted but not named (cached like the reads of ``ui.data``)
nomination_counts = data.cached(awards_queries.nomination_counts, name="award_nomination_counts")
#: the rounds made but not open yet (the organisers' forms reach them)
rounds_ahead = data.cached(awards_queries.rounds_ahead, name="award_rounds_ahead")


def pick(ctx: Context) -> dict | None:
    """The round picked among those that existed on the as-of date (default: the newest of them by
    its dates), as it stood on that date; None when there is none."""
    loc = ctx.loc
    listed = data.award_rounds(ctx.url, ctx.as_of)
    if listed.empty:
        st.session_state.pop("awards_round", None)
        return None
    labels = {int(r["id"]): V.round_label(r, loc) for _, r in listed.iterrows()}
    ids = list(labels)
    if st.session_state.get("awards_round") not in labels:
        # a pick made at another date (or none yet): the newest round of this date, set so that the
        # browser's picker shows it too (a removed value would leave the old label on screen)
        st.session_state["awards_round"] = ids[0]
    chosen = st.selectbox(t("awards.pick", loc), ids, format_func=labels.get, key="awards_round")
    return data.award_round(ctx.url, ctx.as_of, int(chosen))


def names(ctx: Context):
    """Whose names of nominees that did not pass this user may see: by their role and their own scope
    (never the sidebar filter); applied in SQL (``queries.awards.names_visible``)."""
    return names_visible(ctx.user.role, ctx.user.scope)


def round_view(ctx: Context, rnd: dict) -> None:
    """The round's stages, its four figures and the places of each township and category."""
    loc = ctx.loc
    progress = data.award_progress(ctx.url, ctx.scope, int(rnd["id"]), ctx.as_of)
    for col, card in zip(kpi_row("awards", 4), V.headline(progress, rnd, ctx.as_of, loc), strict=True):
        with col:
            kpi_card(card.label, card.value, card.detail, delta=None, help=card.help)
    st.markdown(f"**{t('awards.stages', loc, date=fmt_date(ctx.as_of, loc))}**")
    frame, config = tagged(V.stages_table(rnd, ctx.as_of, loc))
    st.dataframe(frame, column_config=config, hide_index=True, width="content")
    st.markdown(f"**{t('awards.progress', loc)}**", help=t("awards.progress.help", loc))
    if progress.empty:
        st.info(t("awards.progress.none", loc))
        return
    table = V.progress_table(progress, rnd, ctx.as_of, loc)
    frame, config = tagged(table)
    st.dataframe(frame, column_config=config, hide_index=True, width="stretch", height=35 * (len(table) + 1) + 3)


def nominations(ctx: Context, rnd: dict) -> None:
    """The round's nominations and awards in scope, and the round's results as an Excel file."""
    loc = ctx.loc
    who = names(ctx)
    rows = data.award_nominations(ctx.url, ctx.scope, int(rnd["id"]), ctx.as_of, names=who, limit=LIST_LIMIT)
    counts = nomination_counts(ctx.url, ctx.scope, int(rnd["id"]), ctx.as_of, names=who)
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    c1.caption(V.list_caption(counts, len(rows), ctx.as_of, loc))
    with c2:
        st.download_button(t("awards.export", loc), icon=":material/download:", mime=XLSX_MIME,
                           data=_workbook_callable(ctx, rnd, who),
                           file_name=f"awards_{rnd['year']}_{ctx.as_of.isoformat()}.xlsx",
                           disabled=rows.empty, key="awards_export", on_click="ignore")
    if rows.empty:
        st.info(t("awards.list.none", loc))
        return
    st.dataframe(V.nominations_table(rows, loc), hide_index=True, width="stretch")


def history(ctx: Context) -> None:
    """Awards of every round published by the as-of date, per township and per enterprise."""
    loc = ctx.loc
    towns = data.awards_by_township(ctx.url, ctx.scope, ctx.as_of)
    st.markdown(f"**{t('awards.by_township', loc, date=fmt_date(ctx.as_of, loc))}**", help=t("awards.by_township.help", loc))
    if towns.empty:
        st.info(t("awards.history.none", loc))
        return
    st.dataframe(V.township_table(towns, loc), hide_index=True, width="stretch")
    top, holders = data.awards_by_enterprise(ctx.url, ctx.scope, ctx.as_of, limit=TOP_ENTERPRISES)
    st.markdown(f"**{t('awards.by_enterprise', loc, limit=TOP_ENTERPRISES, n=holders)}**",
                help=t("awards.by_enterprise.help", loc))
    st.dataframe(V.enterprise_table(top, loc), hide_index=True, width="stretch")


def _workbook_callable(ctx: Context, rnd: dict, who):
    """Deferred: the workbook is built only when the download button is clicked."""
    url, scope, as_of, loc, label = ctx.url, ctx.scope, ctx.as_of, ctx.loc, scope_label(ctx.filters, ctx.loc)
    return lambda: workbook(url, scope, as_of, rnd, loc, label, who)


def workbook(url: str, scope, as_of: dt.date, rnd: dict, loc: str, label: str, names) -> bytes:
    """The round's results (the awarded, the places per township, every nomination the user may see
    — all of them, no screen limit) as an .xlsx file: the rows and words of the page
    (``views.awards.export_sheets``)."""
    from dashboard.exports.excel import DEMO_META_KEY, workbook_bytes
    from dashboard.queries import awards as Q

    with data.session(url) as s:
        progress = Q.round_progress(s, scope, int(rnd["id"]), as_of)
        rows = Q.round_nominations(s, scope, int(rnd["id"]), as_of, names=names, limit=None)
    demo = data.dataset_info(url).get("dataset") in ("demo", "scale")
    meta = [(t("awards.xl.round", loc), V.round_label(rnd, loc)), (t("ledger.xl.asof", loc), fmt_date(as_of, loc)),
            (t("ledger.xl.townships", loc), label), (t("ledger.xl.rows", loc), str(len(rows))),
            (t("ledger.xl.exported", loc), dt.datetime.now().strftime("%Y-%m-%d %H:%M"))]
    if demo:
        meta.append((DEMO_META_KEY, "1"))
    return workbook_bytes(V.export_sheets(rnd, progress, rows, as_of, loc), meta=meta, title=t("awards.title", loc))
