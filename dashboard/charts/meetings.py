"""Charts of the joint-meetings page (pure Altair builders; ``chart.show("meetings.<name>", …)``)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.charts import FONT, GREY, PARTY_RED, UNION_BLUE, _configure
from dashboard.i18n import t

GREEN = "#15803D"
#: board buckets in display order with their colours (the legend carries the text label)
BOARD_BUCKETS = (("overdue", PARTY_RED), ("in_progress", UNION_BLUE), ("not_started", GREY), ("done", GREEN))


def timeline(df: pd.DataFrame, locale: str, *, height: int = 200) -> alt.Chart:
    """Meetings over time: one row per level (区级 / 企业级), one dot per meeting; red dots are
    meetings with overdue action items (the legend says so in words)."""
    view = pd.DataFrame({
        "id": df["id"].astype(int),
        "level_key": df["level"],
        "held_on": pd.to_datetime(df["held_on"]),
        "date": [str(d) for d in df["held_on"]],
        "level": [t(f"meetings.level.{v}", locale) for v in df["level"]],
        "title": df["title"],
        "where": [e if isinstance(e, str) else t("meetings.district_wide", locale) for e in df["enterprise"]],
        "decisions": df["decisions"], "items": df["items"], "overdue": df["overdue"],
        "state": [t("meetings.chart.has_overdue" if o else "meetings.chart.no_overdue", locale) for o in df["overdue"]],
    })
    states = [t("meetings.chart.has_overdue", locale), t("meetings.chart.no_overdue", locale)]
    levels = [t("meetings.level.district", locale), t("meetings.level.enterprise", locale)]
    chart = alt.Chart(view).mark_circle(opacity=0.8, stroke="white", strokeWidth=0.5).encode(
        x=alt.X("held_on:T", title=None, axis=alt.Axis(format="%Y-%m", labelFont=FONT, tickCount=10, grid=True)),
        y=alt.Y("level:N", sort=levels, title=None, axis=alt.Axis(labelLimit=160),
                scale=alt.Scale(domain=levels, paddingInner=0.25)),
        yOffset=alt.YOffset("jitter:Q", scale=alt.Scale(domain=[-1, 1])),
        size=alt.Size("items:Q", title=t("meetings.col.items", locale), scale=alt.Scale(range=[40, 260]), legend=None),
        color=alt.Color("state:N", scale=alt.Scale(domain=states, range=[PARTY_RED, UNION_BLUE]),
                        title=None),
        tooltip=[alt.Tooltip("date:N", title=t("meetings.col.date", locale)),
                 alt.Tooltip("title:N", title=t("meetings.col.title", locale)),
                 alt.Tooltip("where:N", title=t("col.enterprise", locale)),
                 alt.Tooltip("decisions:Q", title=t("meetings.col.decisions", locale)),
                 alt.Tooltip("items:Q", title=t("meetings.col.items", locale)),
                 alt.Tooltip("overdue:Q", title=t("meetings.board.overdue", locale))],
    ).transform_calculate(jitter="datum.level_key == 'district' ? 0 : sin(datum.id * 12.9898) * 0.8")
    return _configure(chart.properties(height=height))


def board_bar(df: pd.DataFrame, locale: str, *, limit: int = 15) -> alt.Chart:
    """Open items per owner unit — stacked 逾期 / 进行中 / 未开始 (done items are in the table, not
    here: the chart shows who still owes what), the units with most overdue first."""
    open_buckets = BOARD_BUCKETS[:3]
    top = df[(df["overdue"] + df["in_progress"] + df["not_started"]) > 0].head(limit)
    order = list(top["owner"])
    labels = [t(f"meetings.board.{b}", locale) for b, _ in open_buckets]
    long = pd.DataFrame([
        {"owner": row["owner"], "bucket": t(f"meetings.board.{b}", locale), "n": int(row[b]), "order": i}
        for _, row in top.iterrows() for i, (b, _) in enumerate(open_buckets)
    ], columns=["owner", "bucket", "n", "order"])
    base = alt.Chart(long).encode(y=alt.Y("owner:N", sort=order, title=None, axis=alt.Axis(labelLimit=180)))
    bars = base.mark_bar().encode(
        x=alt.X("n:Q", title=t("meetings.chart.open_items", locale), stack="zero",
                axis=alt.Axis(format="d", tickMinStep=1)),
        color=alt.Color("bucket:N", scale=alt.Scale(domain=labels, range=[c for _, c in open_buckets]), title=None),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("owner:N", title=t("col.owner", locale)),
                 alt.Tooltip("bucket:N", title=t("meetings.col.status", locale)),
                 alt.Tooltip("n:Q", title=t("meetings.chart.items", locale))],
    )
    return _configure(bars.properties(height=alt.Step(24)))


def mechanism_bar(df: pd.DataFrame, locale: str) -> alt.Chart:
    """Mechanism coverage per township: rate bars labelled with "numerator / denominator"."""
    view = df.assign(
        pct=[0.0 if pd.isna(r) else r for r in df["rate"]],  # no eligible enterprise: an empty bar
        text=[f"{n} / {d}" for n, d in zip(df["with_meeting"], df["eligible"], strict=True)],
    )[["name", "pct", "text", "with_meeting", "eligible"]]
    base = alt.Chart(view).encode(
        y=alt.Y("name:N", sort="-x", title=None, axis=alt.Axis(labelLimit=160)),
        x=alt.X("pct:Q", title=t("meetings.mech.rate", locale), axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        tooltip=[alt.Tooltip("name:N", title=t("chart.township", locale)),
                 alt.Tooltip("pct:Q", title=t("meetings.mech.rate", locale), format=".1%"),
                 alt.Tooltip("with_meeting:Q", title=t("chart.numerator", locale)),
                 alt.Tooltip("eligible:Q", title=t("chart.denominator", locale))],
    )
    bars = base.mark_bar(color=PARTY_RED, opacity=0.85)
    text = base.mark_text(align="left", dx=4, fontSize=12, color="#111827").encode(text="text:N")
    return _configure((bars + text).properties(height=alt.Step(26)))


__all__ = ["timeline", "board_bar", "mechanism_bar", "BOARD_BUCKETS"]
