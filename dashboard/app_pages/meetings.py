"""联席会议 / two-level joint meetings: timeline and minutes, the action-item board with the
since-the-last-district-meeting summary, mechanism coverage, coordination notices; editing for
staff and township users (forms in expanders). Reads: ``dashboard.queries.meetings`` through
``ui.data``; writes: ``dashboard.edits.meetings`` in one transaction each."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard.edits import EDITORS, Actor, EditError
from dashboard.edits import meetings as edits
from dashboard.i18n import fmt_date, fmt_int, fmt_pct, fmt_pp, t
from dashboard.queries.followup import DUE_SOON_DAYS
from dashboard.queries.meetings import RAG
from dashboard.queries.dates import district_today
from dashboard.ui import brief, chart, data
from dashboard.ui.widgets import escape_markdown, status_badge
from models.db import session_scope
from models.enums import ActionStatus, MeetingLevel, NoticeDirection

filters = st.session_state["filters"]
user = st.session_state["user"]
loc, scope, as_of = filters.locale, filters.scope, filters.as_of
url = data.database_url()
can_edit = user.can(*EDITORS)
actor = Actor(user.username, user.role, user.scope)  # the user's own scope, not the sidebar filter
today = district_today()  # "not in the future" is judged on the district's date
#: the status-edit picker lists at most this many open items (most overdue first), with a search box beyond
STATUS_PICKER_LIMIT = 500
LABEL_STYLE = {"red": "background-color:#FDE2E1;color:#991B1B;font-weight:600",
               "amber": "background-color:#FEF3C7;color:#92400E;font-weight:600",
               "green": "background-color:#DCFCE7;color:#166534"}


def label(key: str) -> str:
    return t(f"meetings.rag.{key}", loc)


def styled(df: pd.DataFrame, colours: list[str], column: str):
    """A table whose status column is coloured — and always carries its text label."""
    colour_of = dict(zip(df.index, colours, strict=True))
    return (df.style.apply(lambda col: [LABEL_STYLE.get(colour_of[i], "") for i in col.index], subset=[column])
            .format(na_rep="—"))


def d(day) -> str:
    return fmt_date(day, loc) if isinstance(day, dt.date) else "—"


def save(fn, **fields) -> None:
    """Run one edit in one transaction; on success clear the caches and rerun with a message."""
    try:
        with session_scope(data.engine()) as s:
            fn(session=s, actor=actor, today=today, **fields)
    except EditError as err:
        params = {k: fmt_date(v, loc) if isinstance(v, dt.date) else v for k, v in err.params.items()}
        reason = t(err.key, loc, **params)
        if err.field:
            reason = t("meetings.err.field", loc, field=t(f"meetings.field.{err.field}", loc), reason=reason)
        st.error(t("edit.failed", loc, reason=reason))
        return
    data.clear_caches()
    st.session_state["mt_flash"] = t("edit.saved", loc)
    st.rerun()


title_col, brief_col = st.columns([5, 1], vertical_alignment="bottom")
with title_col:
    st.subheader(t("meetings.title", loc))
    st.caption(t("meetings.subtitle", loc))
with brief_col:
    brief.popover(filters, key="mt_brief")
if flash := st.session_state.pop("mt_flash", None):
    st.success(flash, icon=":material/check_circle:")
    st.toast(flash)

board = data.item_board(url, scope, as_of)
counts = {k: int(board[k].sum()) for k in ("overdue", "due_soon", "in_progress", "not_started", "done", "total")}
n_notice_overdue = data.notice_counts(url, scope, as_of).overdue  # counted in SQL, never from a capped list

# ------------------------------------------------------------------ at a glance
glance = st.columns(4)
with glance[0], st.container(border=True):
    st.metric(t("meetings.kpi.overdue", loc), t("meetings.unit.items", loc, n=fmt_int(counts["overdue"])),
              help=t("meetings.kpi.overdue.def", loc))
    status_badge("red" if counts["overdue"] else ("amber" if counts["due_soon"] else "green"), loc)
with glance[1], st.container(border=True):
    st.metric(t("meetings.kpi.due_soon", loc), t("meetings.unit.items", loc, n=fmt_int(counts["due_soon"])),
              help=t("meetings.kpi.due_soon.def", loc, days=DUE_SOON_DAYS))
    st.caption(t("meetings.kpi.open_detail", loc, open=fmt_int(counts["in_progress"] + counts["not_started"]),
                 total=fmt_int(counts["total"])))
with glance[2], st.container(border=True):
    st.metric(t("meetings.kpi.done", loc), t("meetings.unit.items", loc, n=fmt_int(counts["done"])),
              help=t("meetings.kpi.done.def", loc))
    st.caption(t("meetings.kpi.done_detail", loc, pct=fmt_pct(counts["done"] / counts["total"] if counts["total"] else None, loc)))
with glance[3], st.container(border=True):
    st.metric(t("meetings.kpi.notices_overdue", loc), t("meetings.unit.items", loc, n=fmt_int(n_notice_overdue)),
              help=t("meetings.kpi.notices_overdue.def", loc))
    status_badge("red" if n_notice_overdue else "green", loc)

tab_meet, tab_board, tab_mech, tab_notice = st.tabs(
    [t("meetings.tab.meetings", loc), t("meetings.tab.board", loc), t("meetings.tab.mechanism", loc),
     t("meetings.tab.notices", loc)])

# ================================================================== tab 1: meetings
with tab_meet:
    c1, c2, c3 = st.columns([2, 3, 3])
    level = c1.selectbox(t("meetings.filter.level", loc), [None, MeetingLevel.DISTRICT.value, MeetingLevel.ENTERPRISE.value],
                         key="mt_level", format_func=lambda v: t("meetings.filter.all_levels", loc) if v is None
                         else t(f"meetings.level.{v}", loc))
    ents = data.meeting_enterprises(url, scope, as_of)
    ent_names = dict(zip(ents["enterprise_id"], ents["name"], strict=True))
    enterprise_id = c2.selectbox(t("meetings.filter.enterprise", loc), [None, *ent_names], key="mt_enterprise",
                                 format_func=lambda v: t("meetings.filter.all_enterprises", loc) if v is None else ent_names[v],
                                 disabled=level == MeetingLevel.DISTRICT.value)
    default_start = as_of - dt.timedelta(days=3 * 365)
    span = c3.date_input(t("meetings.filter.dates", loc), value=(default_start, as_of), key="mt_range",
                         min_value=dt.date(1990, 1, 1), max_value=as_of, format="YYYY-MM-DD")
    start, end = (span if isinstance(span, tuple) and len(span) == 2 else (default_start, as_of))
    if level == MeetingLevel.DISTRICT.value:
        enterprise_id = None
    listed = data.meetings_list(url, scope, as_of, level=level, enterprise_id=enterprise_id, start=start, end=end)
    n_meetings = data.meeting_counts(url, scope, as_of, level=level, enterprise_id=enterprise_id, start=start, end=end)
    if listed.empty:
        st.info(t("meetings.empty", loc))
    else:
        st.markdown(f"**{t('meetings.timeline', loc)}**", help=t("meetings.timeline.help", loc))
        chart.show("meetings.timeline", listed, loc)
        caption = t("meetings.count", loc, n=fmt_int(n_meetings.total), district=fmt_int(n_meetings.district),
                    enterprise=fmt_int(n_meetings.enterprise), start=d(start), end=d(end))
        if len(listed) < n_meetings.total:
            caption += " " + t("meetings.count_capped", loc, shown=fmt_int(len(listed)))
        st.caption(caption)
        titles = {int(r.id): f"{d(r.held_on)} · {r.title}" for r in listed.itertuples()}
        picked = st.selectbox(t("meetings.pick", loc), list(titles), key="mt_pick", format_func=titles.get)
        detail = data.meeting_detail(url, scope, picked, as_of) if picked is not None else None
        if detail is None:
            st.warning(t("meetings.not_found", loc))
        else:
            with st.container(border=True):
                st.markdown(f"#### {escape_markdown(detail.title)}")
                where = (escape_markdown(detail.enterprise) + f"（{escape_markdown(detail.township)}）"
                         if detail.enterprise else t("meetings.district_wide", loc))
                st.markdown(f"{t(f'meetings.level.{detail.level}', loc)} · {d(detail.held_on)} · {where}")
                st.markdown(f"**{t('meetings.attendees', loc)}**：" + (
                    "、".join(escape_markdown(n) for n in detail.attendees["name"]) or "—"))
                a, m = st.columns(2)
                a.markdown(f"**{t('meetings.agenda', loc)}**")
                a.text(detail.agenda or "—")
                m.markdown(f"**{t('meetings.minutes', loc)}**")
                m.text(detail.minutes or "—")
                st.markdown(f"**{t('meetings.decisions', loc)}**")
                items = detail.items
                for i, dec in enumerate(detail.decisions.itertuples(), start=1):
                    mine = items[items["decision_id"] == dec.id]
                    st.markdown(f"{i}. {escape_markdown(dec.text)}")
                    if len(mine):
                        view = pd.DataFrame({
                            t("meetings.col.status", loc): [label(x) for x in mine["label"]],
                            t("col.item", loc): mine["description"].values,
                            t("col.owner", loc): mine["owner"].values,
                            t("col.due", loc): [d(x) for x in mine["due_on"]],
                            t("col.days_overdue", loc): mine["days_overdue"].values,
                            t("meetings.col.done_on", loc): [d(x) for x in mine["done_on"]],
                        })
                        st.dataframe(styled(view, list(mine["rag"]), t("meetings.col.status", loc)),
                                     hide_index=True, width="stretch")
                if detail.decisions.empty:
                    st.caption(t("meetings.no_decisions", loc))
                elif items.empty and scope.township_ids is not None:
                    st.caption(t("meetings.items_scoped", loc))

            # ---------------------------------------------------- add an action item to this meeting
            may_add = can_edit and (actor.is_district or (detail.township_id is not None
                                                           and detail.township_id in actor.scope.township_ids))
            if may_add:
                with st.expander(t("meetings.form.add_item", loc), icon=":material/add_task:"):
                    units = data.units(url, owners_for=actor.scope)  # a township account: district units and its own
                    unit_names = dict(zip(units["id"], units["name"], strict=True))
                    decisions = dict(zip(detail.decisions["id"], detail.decisions["text"], strict=True))
                    with st.form("mt_item_form", clear_on_submit=False):
                        dec = st.selectbox(t("meetings.field.decision", loc), [None, *decisions], key="mt_item_decision",
                                           index=1 if decisions else 0,
                                           format_func=lambda v: t("meetings.form.new_decision", loc) if v is None
                                           else decisions[v][:80])
                        dec_text = st.text_input(t("meetings.form.new_decision_text", loc), key="mt_item_decision_text",
                                                 max_chars=edits.MAX_DECISION)
                        desc = st.text_area(t("meetings.field.description", loc), key="mt_item_desc",
                                            max_chars=edits.MAX_DESCRIPTION, height=80)
                        owner = st.selectbox(t("meetings.field.owner", loc), list(unit_names), key="mt_item_owner",
                                             format_func=unit_names.get, index=None,
                                             placeholder=t("meetings.form.choose", loc))
                        due = st.date_input(t("meetings.field.due_on", loc), key="mt_item_due",
                                            value=detail.held_on + dt.timedelta(days=30), min_value=dt.date(1990, 1, 1),
                                            max_value=dt.date(2100, 1, 1), format="YYYY-MM-DD")
                        st.caption(t("meetings.form.add_item_help", loc, date=d(detail.held_on)))
                        if detail.level == MeetingLevel.DISTRICT.value:
                            st.caption(t("meetings.form.district_visible", loc))
                        if st.form_submit_button(t("meetings.form.save", loc), type="primary", key="mt_item_submit"):
                            save(edits.add_action_item, meeting_id=detail.id, decision_id=dec, decision_text=dec_text,
                                 description=desc, owner_unit_id=owner, due_on=due)

    # ------------------------------------------------------------ record a meeting
    if can_edit:
        with st.expander(t("meetings.form.record", loc), icon=":material/edit_calendar:"):
            levels = [MeetingLevel.ENTERPRISE.value] if not actor.is_district else \
                [MeetingLevel.DISTRICT.value, MeetingLevel.ENTERPRISE.value]
            new_level = st.radio(t("meetings.field.level", loc), levels, key="mt_new_level", horizontal=True,
                                 format_func=lambda v: t(f"meetings.level.{v}", loc))
            new_ent = None
            if new_level == MeetingLevel.ENTERPRISE.value:
                search = st.text_input(t("meetings.form.search_enterprise", loc), key="mt_new_search", max_chars=60)
                cands = data.meeting_candidates(url, actor.scope, as_of, search=search)
                cand_names = {int(r.enterprise_id): f"{r.name}（{r.township}）" for r in cands.itertuples()}
                new_ent = st.selectbox(t("meetings.field.enterprise", loc), list(cand_names), key="mt_new_ent",
                                       format_func=cand_names.get, index=None, placeholder=t("meetings.form.choose", loc))
                st.caption(t("meetings.form.enterprise_help", loc))
            units = data.units(url)
            unit_names = dict(zip(units["id"], units["name"], strict=True))
            with st.form("mt_new_form"):
                held = st.date_input(t("meetings.field.held_on", loc), key="mt_new_date", value=min(today, as_of),
                                     min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 1, 1), format="YYYY-MM-DD")
                title = st.text_input(t("meetings.field.title", loc), key="mt_new_title", max_chars=edits.MAX_TITLE)
                att_units = st.multiselect(t("meetings.field.attendees", loc), list(unit_names), key="mt_new_units",
                                           format_func=unit_names.get, placeholder=t("meetings.form.choose", loc))
                att_names = st.text_area(t("meetings.form.attendee_names", loc), key="mt_new_names", height=68)
                agenda = st.text_area(t("meetings.field.agenda", loc), key="mt_new_agenda", max_chars=edits.MAX_TEXT,
                                      height=80)
                minutes = st.text_area(t("meetings.field.minutes", loc), key="mt_new_minutes", max_chars=edits.MAX_TEXT,
                                       height=80)
                decisions_text = st.text_area(t("meetings.form.decisions", loc), key="mt_new_decisions", height=80)
                if new_level == MeetingLevel.DISTRICT.value:
                    st.caption(t("meetings.form.district_visible", loc))
                if st.form_submit_button(t("meetings.form.save", loc), type="primary", key="mt_new_submit"):
                    save(edits.record_meeting, level=new_level, held_on=held, title=title,
                         enterprise_id=new_ent if new_level == MeetingLevel.ENTERPRISE.value else None,
                         agenda=agenda, minutes=minutes, attendee_unit_ids=att_units,
                         attendee_names=att_names.splitlines(), decisions=decisions_text.splitlines())

# ================================================================== tab 2: action-item board
with tab_board:
    # ------------------------------------------------------------ since the last district meeting
    refs = data.district_meetings(url, scope, until=as_of)
    if refs.empty:
        st.info(t("meetings.since.none", loc))
    else:
        ref_titles = {int(r.id): f"{d(r.held_on)} · {r.title}" for r in refs.itertuples()}
        ref = st.selectbox(t("meetings.since.pick", loc), list(ref_titles), key="mt_ref", format_func=ref_titles.get)
        sl = data.since_last_meeting(url, scope, as_of, meeting_id=ref)
        if sl is not None:
            with st.container(border=True):
                st.markdown(f"**{t('meetings.since.title', loc, title=escape_markdown(sl.meeting.title), date=d(sl.meeting.held_on))}**",
                            help=t("meetings.since.help", loc))
                st.caption(t("meetings.since.caption", loc, days=fmt_int(sl.days_since), date=d(as_of),
                             prev=d(sl.previous.held_on) if sl.previous else "—"))
                m = st.columns(5)
                m[0].metric(t("meetings.since.decided", loc), t("meetings.unit.items", loc, n=fmt_int(len(sl.decided))))
                m[1].metric(t("meetings.rag.done", loc), t("meetings.unit.items", loc, n=fmt_int(sl.done)))
                m[2].metric(t("meetings.rag.overdue", loc), t("meetings.unit.items", loc, n=fmt_int(sl.late)))
                m[3].metric(t("meetings.since.open", loc), t("meetings.unit.items", loc, n=fmt_int(sl.open)),
                            help=t("meetings.since.open.def", loc, n=fmt_int(sl.due_soon), days=DUE_SOON_DAYS))
                m[4].metric(t("meetings.since.new_gaps", loc), t("meetings.unit.enterprises", loc, n=fmt_int(sl.n_new_should_build)),
                            help=t("meetings.since.new_gaps.def", loc, closed=fmt_int(sl.closed_should_build)))
                then, now = sl.coverage_then, sl.coverage_now
                changes = []
                for key in ("union_coverage", "party_coverage", "qualified_built", "work_coverage"):
                    a, b = getattr(then, key), getattr(now, key)
                    delta = fmt_pp(b.value - a.value, loc) if a.value is not None and b.value is not None else "—"
                    changes.append(t("meetings.since.change", loc, kpi=t(f"kpi.{key}", loc), then=fmt_pct(a.value, loc),
                                     now=fmt_pct(b.value, loc), delta=delta))
                st.markdown(t("meetings.since.coverage", loc, date=d(sl.meeting.held_on)) + " " + " · ".join(changes))
                if sl.late:
                    late = sl.decided[sl.decided["label"] == "overdue"]
                    st.markdown(t("meetings.since.late_list", loc) + " " + "；".join(
                        t("meetings.since.late_item", loc, owner=escape_markdown(o), item=escape_markdown(x), days=fmt_int(n))
                        for o, x, n in zip(late["owner"], late["description"], late["days_overdue"], strict=True)))
                with st.expander(t("meetings.since.details", loc)):
                    dec = sl.decided
                    if dec.empty:
                        st.caption(t("meetings.items_scoped", loc))
                    else:
                        view = pd.DataFrame({
                            t("meetings.col.status", loc): [label(x) for x in dec["label"]],
                            t("col.item", loc): dec["description"].values, t("col.owner", loc): dec["owner"].values,
                            t("col.due", loc): [d(x) for x in dec["due_on"]],
                            t("col.days_overdue", loc): dec["days_overdue"].values,
                        })
                        st.dataframe(styled(view, list(dec["rag"]), t("meetings.col.status", loc)), hide_index=True,
                                     width="stretch")
                    if sl.n_new_should_build:
                        st.markdown(f"**{t('meetings.since.new_gaps', loc)}**")
                        st.dataframe(pd.DataFrame({
                            t("col.enterprise", loc): sl.new_should_build["name"].values,
                            t("col.township", loc): sl.new_should_build["township"].values,
                            t("col.party_members", loc): sl.new_should_build["party_members"].values,
                            t("meetings.col.pattern_then", loc): [t(f"pattern.{p}", loc) if isinstance(p, str)
                                                                   else t("meetings.not_operating", loc)
                                                                   for p in sl.new_should_build["pattern_then"]],
                        }), hide_index=True, width="stretch")

    # ------------------------------------------------------------ per owner unit
    st.markdown(f"**{t('meetings.board.title', loc)}**", help=t("meetings.board.help", loc, days=DUE_SOON_DAYS))
    if board.empty:
        st.info(t("meetings.board.empty", loc))
    else:
        left, right = st.columns([3, 2])
        with left:
            board_view = pd.DataFrame({
                t("col.owner", loc): board["owner"].values,
                t("meetings.col.status", loc): [label(x) for x in board["label"]],
                t("meetings.board.overdue", loc): board["overdue"].values,
                t("meetings.board.in_progress", loc): board["in_progress"].values,
                t("meetings.board.not_started", loc): board["not_started"].values,
                t("meetings.board.done", loc): board["done"].values,
                t("meetings.board.total", loc): board["total"].values,
                t("meetings.board.max_days", loc): board["max_days_overdue"].values,
            })
            st.dataframe(styled(board_view, [RAG[x] for x in board["label"]], t("meetings.col.status", loc)),
                         hide_index=True, width="stretch", key="mt_board_table")
        with right:
            chart.show("meetings.board_bar", board, loc)

        # -------------------------------------------------------- the items themselves
        f1, f2 = st.columns([3, 2], vertical_alignment="bottom")
        owner_names = dict(zip(board["owner_unit_id"], board["owner"], strict=True))
        owner_pick = f1.selectbox(t("meetings.board.owner_filter", loc), [None, *owner_names], key="mt_owner",
                                  format_func=lambda v: t("meetings.board.all_owners", loc) if v is None else owner_names[v])
        only_open = f2.toggle(t("meetings.board.only_open", loc), value=True, key="mt_only_open")
        items = data.action_items(url, scope, as_of, owner_unit_id=owner_pick, only_open=only_open)
        n_items = data.count_action_items(url, scope, as_of, owner_unit_id=owner_pick, only_open=only_open)
        items_view = pd.DataFrame({
            t("meetings.col.status", loc): [label(x) for x in items["label"]],
            t("col.item", loc): items["description"].values,
            t("col.owner", loc): items["owner"].values,
            t("meetings.col.meeting", loc): [f"{d(h)} {m}" for h, m in zip(items["held_on"], items["meeting"], strict=True)],
            t("col.due", loc): [d(x) for x in items["due_on"]],
            t("col.days_overdue", loc): items["days_overdue"].values,
            t("meetings.col.progress", loc): [t(f"meetings.status.{s}", loc) for s in items["status"]],
            t("meetings.col.done_on", loc): [d(x) for x in items["done_on"]],
        })
        st.dataframe(styled(items_view, list(items["rag"]), t("meetings.col.status", loc)), hide_index=True,
                     width="stretch", height=min(420, 38 + 35 * max(len(items_view), 1)))
        items_note = t("meetings.board.items_caption", loc, n=fmt_int(n_items), date=d(as_of))
        if len(items_view) < n_items:
            items_note += " " + t("meetings.board.items_capped", loc, shown=fmt_int(len(items_view)))
        st.caption(items_note)

        def board_workbook() -> bytes:
            from dashboard.exports.excel import workbook_bytes

            meta = [(t("ledger.xl.asof", loc), d(as_of)),
                    (t("ledger.xl.townships", loc), "、".join(filters.township_codes) or t("filter.township_placeholder", loc)),
                    (t("ledger.xl.user", loc), user.username),
                    (t("ledger.xl.exported", loc), dt.datetime.now().strftime("%Y-%m-%d %H:%M"))]
            if len(items_view) < n_items:
                meta.append(("", items_note))
            if data.dataset_info(url).get("dataset") in ("demo", "scale"):
                meta.append(("demo", t("app.demo_help", loc)))
            return workbook_bytes([(t("meetings.board.title", loc), board_view), (t("meetings.xl.items", loc), items_view)],
                                  meta=meta, title=t("meetings.xl.title", loc))

        x1, x2, _ = st.columns([2, 2, 4])
        x1.download_button(t("meetings.export.excel", loc), data=board_workbook,
                           file_name=f"action_items_{as_of.isoformat()}.xlsx", icon=":material/download:",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="mt_xlsx")
        x2.download_button(t("meetings.export.csv", loc), data=lambda: items_view.to_csv(index=False).encode("utf-8-sig"),
                           file_name=f"action_items_{as_of.isoformat()}.csv", mime="text/csv", icon=":material/download:",
                           key="mt_csv")

    # ------------------------------------------------------------ change an item's status
    if can_edit:
        with st.expander(t("meetings.form.status", loc), icon=":material/task_alt:"):
            # items that can still change: open or in progress today, in the user's own scope, most
            # overdue first; past STATUS_PICKER_LIMIT a search box narrows them (never silently cut off)
            n_open = data.count_action_items(url, actor.scope, today, only_open=True)
            search = ""
            if n_open > STATUS_PICKER_LIMIT:
                search = st.text_input(t("meetings.form.status_search", loc), key="mt_status_search", max_chars=60)
            editable = data.action_items(url, actor.scope, today, only_open=True, search=search, limit=STATUS_PICKER_LIMIT)
            n_match = data.count_action_items(url, actor.scope, today, only_open=True, search=search) if search.strip() else n_open
            if len(editable) < n_match:
                st.caption(t("meetings.form.status_capped", loc, n=fmt_int(n_match), shown=fmt_int(len(editable))))
            if editable.empty:
                st.caption(t("meetings.form.no_matching_items" if n_open else "meetings.form.no_open_items", loc))
            else:
                choices = {int(r.id): f"{label(r.label)} · {r.owner} · {r.description[:40]} · {d(r.due_on)}"
                           for r in editable.itertuples()}
                with st.form("mt_status_form"):
                    item_id = st.selectbox(t("meetings.field.item", loc), list(choices), key="mt_status_item",
                                           format_func=choices.get)
                    new_status = st.selectbox(t("meetings.field.status", loc), [s.value for s in ActionStatus],
                                              index=2, key="mt_status_value",
                                              format_func=lambda v: t(f"meetings.status.{v}", loc))
                    done_on = st.date_input(t("meetings.field.done_on", loc), value=today, key="mt_status_done",
                                            min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 1, 1),
                                            format="YYYY-MM-DD")
                    st.caption(t("meetings.form.status_help", loc))
                    if st.form_submit_button(t("meetings.form.save", loc), type="primary", key="mt_status_submit"):
                        save(edits.set_action_status, item_id=item_id, status=new_status,
                             done_on=done_on if new_status == ActionStatus.DONE.value else None)

# ================================================================== tab 3: mechanism coverage
with tab_mech:
    mech = data.mechanism_coverage(url, scope, as_of)
    num, den = int(mech["with_meeting"].sum()), int(mech["eligible"].sum())
    st.markdown(f"**{t('meetings.mech.title', loc)}**", help=t("meetings.mech.def", loc))
    c1, c2 = st.columns([1, 3])
    with c1, st.container(border=True):
        st.metric(t("meetings.mech.rate", loc), fmt_pct(num / den if den else None, loc), help=t("meetings.mech.def", loc))
        st.caption(t("kpi.fraction", loc, num=fmt_int(num), den=fmt_int(den), unit=t("unit.enterprises", loc)))
    c2.caption(t("meetings.mech.def", loc))
    if den == 0:
        st.info(t("meetings.mech.empty", loc))
    else:
        left, right = st.columns([1, 1])
        with left:
            chart.show("meetings.mechanism_bar", mech, loc)
        with right:
            st.dataframe(pd.DataFrame({
                t("col.township", loc): mech["name"].values,
                t("meetings.mech.num", loc): mech["with_meeting"].values,
                t("meetings.mech.den", loc): mech["eligible"].values,
                t("meetings.mech.rate", loc): [None if r is None else 100 * r for r in mech["rate"]],
            }), hide_index=True, width="stretch", column_config={
                t("meetings.mech.rate", loc): st.column_config.ProgressColumn(format="%.1f%%", min_value=0, max_value=100),
            })

# ================================================================== tab 4: coordination notices
with tab_notice:
    st.markdown(f"**{t('meetings.notice.title', loc)}**", help=t("meetings.notice.help", loc))
    direction = st.segmented_control(
        t("col.direction", loc), [d_.value for d_ in NoticeDirection], key="mt_direction", selection_mode="single",
        format_func=lambda v: t(f"direction.{v}", loc))
    shown = data.notices(url, scope, as_of, direction=direction or None)  # filtered in SQL, capped
    nc = data.notice_counts(url, scope, as_of, direction=direction or None)  # the figures: counted in SQL
    n = st.columns(4)
    n[0].metric(t("meetings.notice.overdue", loc), t("meetings.unit.items", loc, n=fmt_int(nc.overdue)))
    n[1].metric(t("meetings.notice.status.sent", loc), t("meetings.unit.items", loc, n=fmt_int(nc.sent)))
    n[2].metric(t("meetings.notice.status.acknowledged", loc), t("meetings.unit.items", loc, n=fmt_int(nc.acknowledged)))
    n[3].metric(t("meetings.notice.status.resolved", loc), t("meetings.unit.items", loc, n=fmt_int(nc.resolved)))
    if shown.empty:
        st.info(t("meetings.notice.empty", loc))
    else:
        status_text = [t("meetings.notice.overdue_label", loc) if o else t(f"meetings.notice.status.{s}", loc)
                       for o, s in zip(shown["overdue"], shown["status"], strict=True)]
        colours = ["red" if o else ("green" if s == "resolved" else ("amber" if s == "sent" else "")) for o, s in
                   zip(shown["overdue"], shown["status"], strict=True)]
        view = pd.DataFrame({
            t("meetings.col.status", loc): status_text,
            t("col.enterprise", loc): shown["enterprise"].values,
            t("col.township", loc): shown["township"].values,
            t("col.direction", loc): [t(f"direction.{x}", loc) for x in shown["direction"]],
            t("col.sent", loc): [d(x) for x in shown["sent_on"]],
            t("col.respond_by", loc): [d(x) for x in shown["respond_by"]],
            t("meetings.notice.acknowledged_on", loc): [d(x) for x in shown["acknowledged_on"]],
            t("meetings.notice.resolved_on", loc): [d(x) for x in shown["resolved_on"]],
            t("meetings.notice.days_to_respond", loc): [fmt_int(x) if pd.notna(x) else "—" for x in shown["days_to_respond"]],
            t("col.days_overdue", loc): shown["days_overdue"].values,
        })
        st.dataframe(styled(view, colours, t("meetings.col.status", loc)), hide_index=True, width="stretch",
                     height=min(460, 38 + 35 * len(view)))
        st.caption(t("meetings.notice.caption", loc) + (
            " " + t("meetings.notice.capped", loc, n=fmt_int(nc.total), shown=fmt_int(len(shown)))
            if len(shown) < nc.total else ""))
    if can_edit:
        with st.expander(t("meetings.form.notice", loc), icon=":material/mark_email_read:"):
            pending = data.notices(url, actor.scope, today, unresolved=True)  # not resolved today, in SQL
            pending_counts = data.notice_counts(url, actor.scope, today)
            n_pending = pending_counts.sent + pending_counts.acknowledged
            if len(pending) < n_pending:
                st.caption(t("meetings.form.notice_capped", loc, n=fmt_int(n_pending), shown=fmt_int(len(pending))))
            if pending.empty:
                st.caption(t("meetings.form.no_pending_notices", loc))
            else:
                choices = {int(r.id): f"{r.enterprise} · {t(f'direction.{r.direction}', loc)} · {d(r.sent_on)}"
                           for r in pending.itertuples()}
                with st.form("mt_notice_form"):
                    notice_id = st.selectbox(t("meetings.field.notice", loc), list(choices), key="mt_notice_pick",
                                             format_func=choices.get)
                    ack = st.date_input(t("meetings.field.acknowledged_on", loc), value=None, key="mt_notice_ack",
                                        min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 1, 1), format="YYYY-MM-DD")
                    res = st.date_input(t("meetings.field.resolved_on", loc), value=None, key="mt_notice_res",
                                        min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 1, 1), format="YYYY-MM-DD")
                    note = st.text_area(t("meetings.field.note", loc), key="mt_notice_note", max_chars=edits.MAX_NOTE,
                                        height=68)
                    if st.form_submit_button(t("meetings.form.save", loc), type="primary", key="mt_notice_submit"):
                        save(edits.record_notice_response, notice_id=notice_id, acknowledged_on=ack, resolved_on=res,
                             note=note)

if not can_edit:
    st.caption(t("meetings.read_only", loc))
