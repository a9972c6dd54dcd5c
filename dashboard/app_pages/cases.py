"""典型案例 / model enterprises: the gallery, one case study (``?case=<enterprise id>``), its PDF,
and for staff the designation of models (with a reason, audited)."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from dashboard.edits import Actor, EditError
from dashboard.edits.cases import DESIGNATORS, REASON_MAX, set_designation
from dashboard.exports.case_pdf import bench_name, comparison_rows, key_facts, why_text
from dashboard.i18n import fmt_date, fmt_int, fmt_pct, t
from dashboard.queries.cases import LEVELS, NO_HONOUR
from dashboard.queries.dates import district_today
from dashboard.ui import chart, data
from dashboard.ui.widgets import escape_markdown, kpi_card
from models.db import session_scope

filters = st.session_state["filters"]
user = st.session_state["user"]
loc, scope, as_of = filters.locale, filters.scope, filters.as_of
url = data.database_url()
is_demo = data.dataset_info(url).get("dataset") in ("demo", "scale")
can_edit = user.can(*DESIGNATORS)
SAVED_KEY = "_cases_saved"
COLUMNS = 3
MAX_CARDS = 60  # a gallery, not a ledger: the rest are reached with the filters


def open_case(enterprise_id: int) -> None:
    st.query_params["case"] = str(enterprise_id)


def close_case() -> None:
    st.query_params.pop("case", None)


def apply(enterprise_id: int, designated: bool, reason: str) -> None:
    """Run the edit in one transaction; a refusal is shown, a success clears the caches and reruns."""
    actor = Actor(user.username, user.role, user.scope)
    try:
        with session_scope(data.engine()) as s:
            set_designation(session=s, actor=actor, enterprise_id=enterprise_id, designated=designated, reason=reason)
    except EditError as err:
        st.error(t(err.key, loc, **err.params))
        return
    data.clear_caches()
    st.session_state[SAVED_KEY] = "designate" if designated else "remove"
    if not designated:
        close_case()  # it is no longer a model: back to the gallery
    st.rerun()


def show_saved() -> None:
    saved = st.session_state.pop(SAVED_KEY, None)
    if saved:
        st.success(t(f"cases.saved.{saved}", loc))
        if as_of < district_today():  # a designation counts from the district's date it was made on
            st.caption(t("cases.future_note", loc))


def card_why(row) -> str:
    if row["basis"] == "designated":
        return t("cases.why.designated", loc, reason=row["reason"] or "")
    return t("cases.why.honour", loc, level=t(f"cases.level.{row['best_level']}", loc), title=row["best_title"],
             year=int(row["best_year"]))


def card_headline(row) -> str:
    headline = row["headline_zh"] if loc == "zh_CN" else row["headline_en"]
    if isinstance(headline, str) and headline:
        return headline
    if row["basis"] == "honour":
        return t("cases.headline.honour", loc, level=t(f"cases.level.{row['best_level']}", loc), title=row["best_title"])
    return t("cases.headline.designated", loc)


def honour_line(h: dict) -> str:
    level = t("cases.level." + str(h["level"]), loc)
    return f"{level} · {h['title']} · {h['year']}"


# ------------------------------------------------------------------ gallery


def gallery() -> None:
    st.subheader(t("cases.title", loc))
    st.caption(t("cases.intro", loc), help=t("cases.rule_help", loc))
    show_saved()
    levels = st.pills(t("cases.filter.level", loc), [*reversed(LEVELS), NO_HONOUR], selection_mode="multi",
                      format_func=lambda v: t(f"cases.level.{v}", loc), key="cases_levels",
                      help=t("cases.filter.level_help", loc))
    models = data.model_enterprises(url, scope, as_of, levels=tuple(sorted(levels or ())))
    if models.empty:
        st.info(t("cases.empty_level" if levels else "cases.empty", loc))
    else:
        st.caption(t("cases.count", loc, n=fmt_int(len(models)), date=fmt_date(as_of, loc)))
        rows = models.head(MAX_CARDS).to_dict("records")
        for start in range(0, len(rows), COLUMNS):
            cols = st.columns(COLUMNS)
            for col, row in zip(cols, rows[start:start + COLUMNS]):
                with col, st.container(border=True):
                    card(row)
        if len(models) > MAX_CARDS:
            st.caption(t("cases.more_cards", loc, shown=fmt_int(MAX_CARDS), n=fmt_int(len(models))))
    if can_edit:
        designate_other()


def card(row: dict) -> None:
    eid = int(row["enterprise_id"])
    st.markdown(f"**{escape_markdown(row['name'])}**")
    tags = [escape_markdown(row["township"])]
    if isinstance(row["pattern"], str):
        tags.append(t(f"pattern.{row['pattern']}", loc))
    st.caption(" · ".join(tags))
    if row["from_source"]:
        st.badge(t("cases.source_badge", loc), color="red", icon=":material/menu_book:",
                 help=t("cases.source_help", loc))
    st.markdown(f":material/workspace_premium: {escape_markdown(card_why(row))}")
    honours = row["top_honours"] or []
    if honours:
        extra = int(row["honours"]) - len(honours)
        lines = [escape_markdown(honour_line(h)) for h in honours]
        if extra > 0:
            lines.append(t("cases.honours_more", loc, n=fmt_int(extra)))
        st.caption("  \n".join(lines), help=t("cases.honours_help", loc))
    st.markdown(f"*{escape_markdown(card_headline(row))}*")
    st.button(t("cases.open", loc), key=f"cases_open_{eid}", on_click=open_case, args=(eid,),
              icon=":material/arrow_forward:")


def designate_other() -> None:
    with st.expander(t("cases.manage", loc), icon=":material/edit_note:"):
        st.caption(t("cases.manage_help", loc))
        st.markdown(f"**{t('cases.designate_title', loc)}**")
        text = st.text_input(t("cases.search", loc), key="cases_search", placeholder=t("cases.search_hint", loc),
                             max_chars=40)
        if not text.strip():
            return
        found = data.search_enterprises(url, user.scope, as_of, text.strip())
        if found.empty:
            st.info(t("cases.no_match", loc))
            return
        names = dict(zip(found["enterprise_id"].astype(int), found["name"] + "（" + found["township"] + "）",
                         strict=True))
        with st.form("cases_designate_form", clear_on_submit=False):
            picked = st.selectbox(t("cases.pick", loc), list(names), format_func=names.get, key="cases_pick")
            reason = st.text_area(t("cases.reason", loc), key="cases_designate_reason", max_chars=REASON_MAX,
                                  placeholder=t("cases.reason_hint", loc))
            if st.form_submit_button(t("cases.designate", loc), type="primary"):
                apply(int(picked), True, reason)


# ------------------------------------------------------------------ one case


def case_page(detail) -> None:
    st.button(t("cases.back", loc), on_click=close_case, icon=":material/arrow_back:", key="cases_back")
    st.subheader(detail.name)
    show_saved()
    tags = [detail.township, t(f"cases.ownership.{detail.ownership}", loc)]
    if detail.pattern:
        tags.append(t(f"pattern.{detail.pattern}", loc))
    st.caption(" · ".join(escape_markdown(x) for x in tags))
    if detail.from_source:
        st.badge(t("cases.source_badge", loc), color="red", icon=":material/menu_book:", help=t("cases.source_help", loc))
    st.info(f"**{t('cases.why_label', loc)}**：{escape_markdown(why_text(detail, loc))}" if loc == "zh_CN" else
            f"**{t('cases.why_label', loc)}**: {escape_markdown(why_text(detail, loc))}", icon=":material/workspace_premium:")

    left, right = st.columns([3, 2], gap="large")
    with left:
        st.markdown(f"#### {t('cases.story', loc)}")
        headline = detail.headline(loc)
        if headline:
            st.markdown(f"**{escape_markdown(headline)}**")
        story = detail.story(loc)
        if story:
            for part in story.split("\n\n"):
                st.markdown(escape_markdown(part))
            if detail.from_source:
                st.caption(t("cases.story_source", loc))
        else:
            st.caption(t("cases.story_missing", loc))
    with right:
        st.markdown(f"#### {t('cases.facts', loc)}")
        sep = "：" if loc == "zh_CN" else ": "
        st.markdown("\n".join(f"- **{escape_markdown(label)}**{sep}{escape_markdown(value)}"
                              for label, value in key_facts(detail, loc)))
        pdf_button(detail)

    st.markdown(f"#### {t('cases.timeline', loc)}", help=t("cases.timeline_help", loc))
    if detail.timeline.empty:
        st.caption("—")
    else:
        chart.show("cases.timeline", detail.timeline, loc, as_of=as_of)

    a, b = st.columns([2, 3], gap="large")
    with a:
        st.markdown(f"#### {t('cases.honours', loc)}", help=t("cases.honours_help", loc))
        honours = detail.honours
        if honours.empty:
            st.caption(t("cases.no_honours", loc))
        else:
            st.dataframe(pd.DataFrame({
                t("cases.col.title", loc): honours["title"],
                t("cases.col.level", loc): [t(f"cases.level.{v}", loc) for v in honours["level"]],
                t("cases.col.body", loc): honours["awarding_body"],
                t("cases.col.year", loc): honours["year"].astype(str),
                t("cases.col.organ", loc): [t(f"cases.organ.{v}", loc) for v in honours["organ"]],
            }), hide_index=True, width="stretch")
    with b:
        st.markdown(f"#### {t('cases.activities', loc)}", help=t("cases.activities_help", loc))
        acts = detail.activities
        if acts.empty:
            st.caption(t("cases.no_activities", loc))
        else:
            sep = "、" if loc == "zh_CN" else ", "
            st.dataframe(pd.DataFrame({
                t("cases.col.season", loc): [t(f"cases.season.{s if isinstance(s, str) and s else 'none'}", loc)
                                             for s in acts["season"]],
                t("cases.col.kind", loc): [t(f"cases.activity.{k}", loc) for k in acts["kind"]],
                t("cases.col.titles", loc): [sep.join(x) for x in acts["titles"]],
                t("cases.col.count", loc): acts["count"],
                t("cases.col.recent", loc): acts["last_12_months"],
            }), hide_index=True, width="stretch")

    comparison(detail)
    if can_edit:
        manage(detail)


def comparison(detail) -> None:
    c = detail.comparison
    bench = bench_name(detail, loc)
    st.markdown(f"#### {t('cases.compare', loc, bench=bench)}")
    start = fmt_date(c.window_start, loc)
    n = fmt_int(c.unionised)
    rows = comparison_rows(detail, loc)
    m = c.membership
    cols = st.columns(3)
    with cols[0]:
        kpi_card(t("cases.cmp.membership", loc), fmt_pct(m.value, loc) if m.value is not None else "—",
                 t("cases.cmp.avg", loc, bench=bench, value=rows[0][2])
                 + (f" · {fmt_int(m.numerator)} / {fmt_int(m.denominator)} {t('unit.people', loc)}" if m.value is not None
                    else f" · {t('cases.cmp.not_unionised', loc)}"),
                 delta=None, help=t("cases.cmp.membership.def", loc, bench=bench))
    with cols[1]:
        kpi_card(t("cases.cmp.activities", loc), rows[1][1], t("cases.cmp.avg", loc, bench=bench, value=rows[1][2]),
                 delta=None, help=t("cases.cmp.activities.def", loc, bench=bench, start=start, n=n))
    with cols[2]:
        kpi_card(t("cases.cmp.activists", loc), rows[2][1], t("cases.cmp.avg", loc, bench=bench, value=rows[2][2]),
                 delta=None, help=t("cases.cmp.activists.def", loc, bench=bench, n=n))


def pdf_button(detail) -> None:
    from dashboard.exports.fonts import FontMissing, cjk_font

    try:
        cjk_font()
    except FontMissing as exc:
        st.warning(t("cases.pdf.missing", loc, reason=str(exc)))
        return

    def build() -> bytes:
        from dashboard.exports.case_pdf import case_pdf

        return case_pdf(detail, loc, demo=is_demo)

    st.download_button(t("cases.pdf.button", loc), data=build, file_name=f"case_{detail.enterprise_id}_{as_of}.pdf",
                       mime="application/pdf", icon=":material/print:", help=t("cases.pdf.help", loc),
                       key="cases_pdf", type="primary")


def manage(detail) -> None:
    with st.expander(t("cases.manage", loc), icon=":material/edit_note:"):
        st.caption(t("cases.manage_help", loc))
        with st.form("cases_remove_form"):
            st.markdown(f"**{t('cases.remove_title', loc)}**")
            reason = st.text_area(t("cases.reason", loc), key="cases_remove_reason", max_chars=REASON_MAX,
                                  placeholder=t("cases.reason_hint", loc))
            if st.form_submit_button(t("cases.remove", loc)):
                apply(detail.enterprise_id, False, reason)
        history = data.designation_history(url, user.scope, detail.enterprise_id)
        if not history.empty:
            st.markdown(f"**{t('cases.history', loc)}**")
            st.dataframe(pd.DataFrame({
                t("cases.history.col.at", loc): [a.strftime("%Y-%m-%d %H:%M") for a in history["at"]],
                t("cases.history.col.action", loc): [t("cases.history.designated" if d else "cases.history.removed", loc)
                                                     for d in history["designated"]],
                t("cases.reason", loc): history["reason"],
                t("cases.history.col.by", loc): history["by_username"],
            }), hide_index=True, width="stretch")


# ------------------------------------------------------------------ which view

raw = st.query_params.get("case")
if raw is not None:
    # untrusted: 1–9 ASCII digits (str.isdigit() also accepts "²" and "٣", which int() refuses or reads) naming
    # an enterprise the user may see that is a model as of the date, else the gallery
    detail = data.case_detail(url, user.scope, int(raw), as_of) if re.fullmatch(r"[0-9]{1,9}", raw) else None
    if detail is not None:
        case_page(detail)
        st.stop()
    st.warning(t("cases.bad_case", loc, value=escape_markdown(raw[:40])))
    close_case()  # the notice is shown once; the URL no longer points at it
gallery()
