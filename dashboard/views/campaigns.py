"""The campaigns page (攻坚): the list of campaigns, one campaign's zones as a table with their pace
and a forecast, the burn-up chart's words. No Streamlit. The pace is ``views.status.campaign_pace``,
the rule of the overview's zone cards and the big screen's slide."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from dashboard.i18n import fmt_date, fmt_int, fmt_pct, t
from dashboard.views.meetings import Table
from dashboard.views.overview import zone_pairs
from dashboard.views.status import PACE_COLOUR, PACE_MARGIN, campaign_pace, task_progress, time_progress


def campaign_label(row, loc: str) -> str:
    """"2002年百日攻坚（2002年5月8日 至 2002年8月15日）" for the picker."""
    return t("camp.label", loc, name=row["name"], start=fmt_date(row["start_on"], loc), end=fmt_date(row["end_on"], loc))


def forecast(task: float, start: dt.date, deadline: dt.date, as_of: dt.date, loc: str) -> str:
    """When the zone reaches its targets at the pace so far (task progress per day since the start):
    "预计 2002年8月20日完成（早于期限 5 天）", "按当前进度无法在期限前完成（预计 …）", "已完成", or
    "尚无进展" when nothing has been done yet."""
    if task >= 1.0:
        return t("camp.forecast.done", loc)
    if as_of > deadline:
        return t("camp.forecast.closed", loc)
    elapsed = (as_of - start).days + 1
    if task <= 0 or elapsed <= 0:
        return t("camp.forecast.none", loc)
    days = math.ceil((1.0 - task) / (task / elapsed))
    when = as_of + dt.timedelta(days=days)
    if when <= deadline:
        return t("camp.forecast.before", loc, date=fmt_date(when, loc), n=(deadline - when).days)
    return t("camp.forecast.after", loc, date=fmt_date(when, loc), n=(when - deadline).days)


def _pair(pair: tuple[int, int] | None) -> str:
    """"3 / 5", or "—" for a target not set."""
    return "—" if pair is None else f"{fmt_int(pair[0])} / {fmt_int(pair[1])}"


def zones_table(progress: pd.DataFrame, as_of: dt.date, loc: str, margin: float = PACE_MARGIN) -> Table:
    """One row per zone of ``campaign_progress``: targets and what was done, task and time progress,
    the pace as a word (coloured) and the forecast. A zone reaching beyond the scope shows its figures
    for the scope without a pace (its target is the whole zone's)."""
    rows, colours = [], []
    for z in progress.itertuples(index=False):
        whole = bool(z.whole_zone_in_scope)
        pairs = {key: (done, target) for done, target, key in zone_pairs(z)}
        task = task_progress(list(pairs.values()))
        time = time_progress(z.start_on, z.deadline, as_of)
        pace = campaign_pace(task=task, time=time, days_left=int(z.days_left), margin=margin) if whole else ""
        colours.append(PACE_COLOUR[pace] if pace else "")
        rows.append({
            t("camp.col.zone", loc): z.zone,
            t("camp.col.owner", loc): f"{z.owner_name}（{z.owner_unit}）",
            t("camp.col.deadline", loc): fmt_date(z.deadline, loc),
            t("camp.col.unions", loc): f"{fmt_int(z.new_unions)} / {fmt_int(z.target_unions)}",
            t("camp.col.members", loc): f"{fmt_int(z.new_members)} / {fmt_int(z.target_members)}",
            t("camp.col.party_orgs", loc): _pair(pairs.get("campaign.party_orgs")),
            t("camp.col.liaisons", loc): _pair(pairs.get("campaign.liaisons")),
            t("camp.col.task", loc): fmt_pct(task, loc) if whole else "—",
            t("camp.col.time", loc): fmt_pct(time, loc),
            t("camp.col.pace", loc): t(f"campaign.pace.{pace}", loc) if pace else t("camp.partial", loc),
            t("camp.col.forecast", loc): forecast(task, z.start_on, z.deadline, as_of, loc) if whole else "—",
        })
    frame = pd.DataFrame(rows, columns=[t(f"camp.col.{c}", loc) for c in
                                        ("zone", "owner", "deadline", "unions", "members", "party_orgs", "liaisons",
                                         "task", "time", "pace", "forecast")])
    return Table(frame, colours, t("camp.col.pace", loc))


def targets(progress: pd.DataFrame) -> pd.DataFrame:
    """zone, target_unions — the burn-up chart's target lines (zones wholly in scope only: a zone
    reaching beyond the scope has a target for more townships than its line shows)."""
    whole = progress[progress["whole_zone_in_scope"].astype(bool)]
    return whole[["zone", "target_unions"]].reset_index(drop=True)


#: the zones table's columns a brief and a slide show (the rest stays on the page)
BRIEF_COLUMNS = ("zone", "unions", "members", "task", "time", "pace")


def brief_zone_rows(progress: pd.DataFrame, as_of: dt.date, loc: str, margin: float = PACE_MARGIN
                    ) -> tuple[list[str], list[list[str]], list[str]]:
    """(header, rows, colours) of the zones for the meeting brief: the page's own table
    (:func:`zones_table`) cut to :data:`BRIEF_COLUMNS` — the same pace words and colours."""
    if progress.empty:
        return [t(f"camp.col.{c}", loc) for c in BRIEF_COLUMNS], [], []
    table = zones_table(progress, as_of, loc, margin)
    header = [t(f"camp.col.{c}", loc) for c in BRIEF_COLUMNS]
    return header, table.frame[header].astype(str).values.tolist(), list(table.colours)
