"""Charts of the model-enterprise case studies (典型案例). Pure: DataFrame in, ``alt.Chart`` out."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd

from dashboard.charts import GREY, PARTY_RED, UNION_BLUE, _configure
from dashboard.i18n import fmt_date, t

HONOUR_GOLD = "#B45309"
ORGAN_COLOURS = {"party": PARTY_RED, "union": UNION_BLUE, "enterprise": GREY}
#: the shape of a point says what happened (founding, honour, activity, designation), for the kinds
#: of a case study's timeline (``queries.timeline.MILESTONE_KINDS``)
KIND_GROUP = {
    "registered": "founding", "restructured": "founding", "union_founded": "founding",
    "union_coverage_start": "founding", "party_org_founded": "founding", "party_coverage_start": "founding",
    "honour": "honour", "activity": "activity", "designated": "designated",
}
GROUP_SHAPES = {"founding": "circle", "honour": "diamond", "activity": "square", "designated": "triangle-up"}
ROW_HEIGHT = 26
#: the x axis and the legend under the plot
CHROME_HEIGHT = 96


def _when(day: dt.date, year_only: bool, locale: str) -> str:
    if year_only:
        return f"{day.year}年" if locale == "zh_CN" else str(day.year)
    return fmt_date(day, locale)


def _note(row, locale: str) -> str:
    """The short text next to a point: what the event was about."""
    kind = row["kind"]
    if kind == "honour":
        level = t(f"cases.level.{row['level']}", locale) if isinstance(row["level"], str) else ""
        return f"{level} {row['title']}".strip()
    if kind == "activity":
        return t("cases.timeline.first", locale, title=row["title"])
    if kind in ("party_org_founded", "party_coverage_start") and isinstance(row["level"], str):
        return t(f"cases.party_level.{row['level']}", locale)
    if kind == "designated":
        return t("cases.timeline.by_staff", locale)
    return ""


def timeline_frame(events: pd.DataFrame, locale: str) -> pd.DataFrame:
    """The rows the timeline draws: one per event, labelled, in date order (``order``)."""
    rows = []
    for i, row in enumerate(events.to_dict("records")):
        day = row["date"]
        year_only = bool(row["year_only"])
        point = dt.date(day.year, 7, 1) if year_only else day  # a year-only event sits mid-year
        when, event = _when(day, year_only, locale), t(f"hist.{row['kind']}", locale)
        rows.append({
            "order": i,
            "date": pd.Timestamp(point),
            "when": when,
            "event": event,
            "label": f"{when}  {event}",
            "note": _note(row, locale),
            "title": row["title"] if isinstance(row["title"], str) else "",
            "organ": t(f"cases.organ.{row['organ']}", locale),
            "organ_key": row["organ"],
            "group": t(f"cases.group.{KIND_GROUP[row['kind']]}", locale),
            "group_key": KIND_GROUP[row["kind"]],
        })
    seen: dict[str, int] = {}
    for r in rows:  # two events of the same day and kind keep their own rows (invisible suffix)
        n = seen.get(r["label"], 0)
        seen[r["label"]] = n + 1
        r["label"] += "\u200b" * n
    return pd.DataFrame(rows, columns=["order", "date", "when", "event", "label", "note", "title", "organ",
                                       "organ_key", "group", "group_key"])


def timeline(events: pd.DataFrame, locale: str, *, as_of: dt.date | None = None) -> alt.Chart:
    """Events of one enterprise (``queries.timeline.COLUMNS``) on a time axis: one row per event,
    labelled with its date and what happened; colour = the organ (Party red, union blue, enterprise
    grey), shape = founding / honour / activity / designation; the note beside the point names it."""
    df = timeline_frame(events, locale)
    order = list(df["label"])
    organs = [k for k in ("party", "union", "enterprise") if k in set(df["organ_key"])]
    groups = [g for g in GROUP_SHAPES if g in set(df["group_key"])]
    start = (df["date"].min() if len(df) else pd.Timestamp(as_of or dt.date.today())) - pd.Timedelta(days=200)
    end = pd.Timestamp(as_of or (df["date"].max().date() if len(df) else dt.date.today())) + pd.Timedelta(days=200)
    middle = start + (end - start) / 2
    df["late"] = df["date"] > middle  # notes of late events go left of the point, so they stay inside
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=260, labelFontSize=12, ticks=False,
                                                                domain=False))
    x = alt.X("date:T", title=None, scale=alt.Scale(domain=[start.isoformat(), end.isoformat()]),
              axis=alt.Axis(format="%Y", tickCount="year", labelOverlap=True, grid=True))
    tip = [alt.Tooltip("when:N", title=t("cases.chart.date", locale)),
           alt.Tooltip("event:N", title=t("cases.chart.event", locale)),
           alt.Tooltip("title:N", title=t("cases.chart.title", locale)),
           alt.Tooltip("organ:N", title=t("cases.chart.organ", locale))]
    base = alt.Chart(df).encode(y=y, x=x)
    points = base.mark_point(size=140, filled=True, opacity=1).encode(
        color=alt.Color("organ:N", title=t("cases.chart.organ", locale),
                        scale=alt.Scale(domain=[t(f"cases.organ.{k}", locale) for k in organs],
                                        range=[ORGAN_COLOURS[k] for k in organs])),
        shape=alt.Shape("group:N", title=t("cases.chart.kind", locale),
                        scale=alt.Scale(domain=[t(f"cases.group.{g}", locale) for g in groups],
                                        range=[GROUP_SHAPES[g] for g in groups])),
        tooltip=tip,
    )
    early = base.transform_filter("!datum.late").mark_text(align="left", dx=10, fontSize=12, color="#111827").encode(
        text="note:N", tooltip=tip)
    late = base.transform_filter("datum.late").mark_text(align="right", dx=-10, fontSize=12, color="#111827").encode(
        text="note:N", tooltip=tip)
    # Streamlit fits the whole chart (axis and legend included) into the height: room for both
    return _configure(alt.layer(points, early, late).properties(height=ROW_HEIGHT * max(len(df), 1) + CHROME_HEIGHT))
