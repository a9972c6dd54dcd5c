"""The founding-lead pipeline (建会线索) as a person sees it: the headline figures, the funnel's
words, the breakdowns by source and township, the list with a status per lead (通知书逾期 red,
长期未推进 amber, 正常 green — always words with the colour), the export's frame and the brief's
and slide's sentence. No Streamlit; the figures are ``queries.leads``'s."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from dashboard.i18n import fmt_date, fmt_int, fmt_pct, t
from dashboard.queries.leads import CLOSED, STEPS, Headline
from dashboard.views.meetings import Table, day
from models.enums import LeadSource, LeadStage


def stage_text(stage, loc: str) -> str:
    return t(f"leads.stage.{getattr(stage, 'value', stage)}", loc)


def source_text(source, loc: str) -> str:
    return t(f"lead.{getattr(source, 'value', source)}", loc)


def stage_options(loc: str) -> dict[str, str]:
    """Stage value → words, in pipeline order (放弃 last): the filter's and the form's choices."""
    return {s.value: stage_text(s, loc) for s in (*STEPS, LeadStage.DROPPED)}


def source_options(loc: str) -> dict[str, str]:
    return {s.value: source_text(s, loc) for s in LeadSource}


def next_stages(current: str) -> list[str]:
    """The stages a lead in ``current`` may move to: any later step, or 放弃; none once closed."""
    stage = LeadStage(current)
    if stage in CLOSED:
        return []
    later = [s.value for s in STEPS[STEPS.index(stage) + 1:]]
    return [*later, LeadStage.DROPPED.value]


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    help: str


def headline_figures(funnel: pd.DataFrame, overall: pd.DataFrame, overdue: int, idle: int, idle_days: int,
                     loc: str) -> list[Figure]:
    """The five figures over the funnel, each with its definition: open leads, conversion, median
    days to a union (``overall``: ``breakdown(by="all")``), overdue notices, idle leads."""
    now = dict(zip(funnel["stage"], funnel["now"], strict=True))
    open_ = sum(int(now.get(s.value, 0)) for s in STEPS if s not in CLOSED)
    row = overall.iloc[0] if not overall.empty else None
    conversion = fmt_pct(row["conversion"], loc) if row is not None and row["leads"] else "—"
    median = ("—" if row is None or pd.isna(row["median_days"]) else
              t("leads.days", loc, n=fmt_int(round(row["median_days"]))))
    return [
        Figure(t("leads.kpi.open", loc), fmt_int(open_), t("leads.kpi.open.help", loc)),
        Figure(t("leads.kpi.conversion", loc), conversion, t("leads.kpi.conversion.help", loc)),
        Figure(t("leads.kpi.median", loc), median, t("leads.kpi.median.help", loc)),
        Figure(t("leads.kpi.overdue", loc), fmt_int(overdue), t("leads.kpi.overdue.help", loc)),
        Figure(t("leads.kpi.idle", loc, days=idle_days), fmt_int(idle), t("leads.kpi.idle.help", loc, days=idle_days)),
    ]


def funnel_frame(funnel: pd.DataFrame, loc: str) -> pd.DataFrame:
    """stage (words), order, reached, now — the funnel chart's data."""
    return pd.DataFrame({"stage": [stage_text(s, loc) for s in funnel["stage"]], "order": range(len(funnel)),
                         "reached": funnel["reached"].astype(int), "now": funnel["now"].astype(int),
                         "dropped": [s == LeadStage.DROPPED.value for s in funnel["stage"]]})


def breakdown_table(frame: pd.DataFrame, by: str, loc: str, overall: pd.DataFrame | None = None) -> pd.DataFrame:
    """The breakdown by source (or township) with translated headers; a totals row at the bottom
    (its conversion over the summed counts; its median the whole scope's, ``overall`` =
    ``breakdown(by="all")`` — a median of medians is not one, so without it "—")."""
    label = t("leads.col.source", loc) if by == "source" else t("leads.col.township", loc)
    keys = ([source_text(k, loc) for k in frame["key"]] if by == "source" else list(frame["township"]))
    rows = []
    for k, r in zip(keys, frame.itertuples(index=False), strict=True):
        rows.append({label: k, t("leads.col.leads", loc): int(r.leads), t("leads.col.founded", loc): int(r.founded),
                     t("leads.col.dropped", loc): int(r.dropped), t("leads.col.open", loc): int(r.open),
                     t("leads.col.conversion", loc): fmt_pct(r.conversion, loc) if r.conversion is not None else "—",
                     t("leads.col.median", loc): "—" if pd.isna(r.median_days) else fmt_int(round(r.median_days))})
    if len(frame) > 1:
        leads, founded = int(frame["leads"].sum()), int(frame["founded"].sum())
        rows.append({label: t("stat.total", loc), t("leads.col.leads", loc): leads,
                     t("leads.col.founded", loc): founded, t("leads.col.dropped", loc): int(frame["dropped"].sum()),
                     t("leads.col.open", loc): int(frame["open"].sum()),
                     t("leads.col.conversion", loc): fmt_pct(founded / leads, loc) if leads else "—",
                     t("leads.col.median", loc): _median(overall)})
    cols = [label] + [t(f"leads.col.{c}", loc) for c in ("leads", "founded", "dropped", "open", "conversion", "median")]
    return pd.DataFrame(rows, columns=cols)


def _median(overall: pd.DataFrame | None) -> str:
    if overall is None or overall.empty or pd.isna(overall["median_days"].iloc[0]):
        return "—"
    return fmt_int(round(overall["median_days"].iloc[0]))


def lead_status(row, as_of: dt.date, idle_days: int) -> tuple[str, str, int]:
    """(key, colour, days) of one listed lead on ``as_of``: ``closed`` (no colour); ``overdue`` (red) —
    in 已发建会通知书 past the notice's deadline, by that many days; ``idle`` (amber) — open and its
    stage unchanged for more than ``idle_days``; else ``ok`` (green). The SQL twin of the first two
    is ``queries.leads._overdue`` / ``_idle``."""
    if row["stage"] in [s.value for s in CLOSED]:
        return "closed", "", 0
    deadline = row["notice_deadline"]
    if row["stage"] == LeadStage.NOTICE_SENT.value and isinstance(deadline, dt.date) and deadline < as_of:
        return "overdue", "red", (as_of - deadline).days
    in_stage = (as_of - row["stage_on"]).days
    if in_stage > idle_days:
        return "idle", "amber", in_stage
    return "ok", "green", in_stage


def _owner(row, loc: str) -> str:
    unit = row["owner_unit"] if isinstance(row["owner_unit"], str) and row["owner_unit"] else t("leads.owner.none", loc)
    person = row["owner_name"] if isinstance(row["owner_name"], str) and row["owner_name"] else None
    return f"{unit}（{person}）" if person else unit


def _outcome(row, loc: str) -> str:
    if row["stage"] == LeadStage.FOUNDED.value:
        return t("leads.outcome.founded", loc, union=row["union_name"] if isinstance(row["union_name"], str) else "—")
    if row["stage"] == LeadStage.DROPPED.value:
        return t("leads.outcome.dropped", loc, reason=row["drop_reason"] if isinstance(row["drop_reason"], str) else "—")
    return ""


def list_table(rows: pd.DataFrame, as_of: dt.date, idle_days: int, loc: str) -> Table:
    """The lead list: enterprise (project), township, source, stage, since, days in stage, notice
    deadline, status (words, coloured), owner, outcome."""
    out, colours = [], []
    for _, r in rows.iterrows():
        key, colour, n = lead_status(r, as_of, idle_days)
        status = (t("leads.status.overdue", loc, n=fmt_int(n)) if key == "overdue" else
                  t("leads.status.idle", loc, n=fmt_int(n)) if key == "idle" else t(f"leads.status.{key}", loc))
        name = r["enterprise_name"] + ("" if pd.notna(r["enterprise_id"]) else t("leads.not_registered", loc))
        colours.append(colour)
        out.append({
            t("leads.col.enterprise", loc): name,
            t("leads.col.township", loc): r["township"],
            t("leads.col.source", loc): source_text(r["source"], loc),
            t("leads.col.stage", loc): stage_text(r["stage"], loc),
            t("leads.col.stage_on", loc): day(r["stage_on"], loc),
            t("leads.col.deadline", loc): day(r["notice_deadline"], loc),
            t("leads.col.status", loc): status,
            t("leads.col.owner", loc): _owner(r, loc),
            t("leads.col.identified_on", loc): day(r["identified_on"], loc),
            t("leads.col.outcome", loc): _outcome(r, loc),
        })
    cols = [t(f"leads.col.{c}", loc) for c in ("enterprise", "township", "source", "stage", "stage_on", "deadline",
                                               "status", "owner", "identified_on", "outcome")]
    return Table(pd.DataFrame(out, columns=cols), colours, t("leads.col.status", loc))


def export_frame(rows: pd.DataFrame, as_of: dt.date, idle_days: int, loc: str) -> pd.DataFrame:
    """The list as the Excel export holds it: the screen's columns, dates as dates (sortable), the
    days in stage as a number."""
    table = list_table(rows, as_of, idle_days, loc).frame
    for col, src in (("stage_on", "stage_on"), ("deadline", "notice_deadline"), ("identified_on", "identified_on")):
        table[t(f"leads.col.{col}", loc)] = [v if isinstance(v, dt.date) else None for v in rows[src]]
    table.insert(5, t("leads.col.days_in_stage", loc), [(as_of - d).days for d in rows["stage_on"]])
    return table


def filter_text(flt, loc: str) -> str:
    """The list's filter in words ("登门留帖 · 已发建会通知书 · 通知书逾期"; "全部")."""
    parts = [source_text(flt.source, loc) if flt.source else None, stage_text(flt.stage, loc) if flt.stage else None,
             t(f"leads.filter.only.{flt.only}", loc) if flt.only else None, f"“{flt.search}”" if flt.search else None]
    return " · ".join(p for p in parts if p) or t("leads.filter.all", loc)


def headline_text(h: Headline, loc: str) -> str:
    """The brief's sentence: since the last meeting, new leads and unions founded; open leads and
    overdue notices now."""
    key = "brief.leads" if h.since is not None else "brief.leads.first"
    return t(key, loc, new=fmt_int(h.new), founded=fmt_int(h.founded), open=fmt_int(h.open),
             overdue=fmt_int(h.overdue))


def slide_text(h: Headline, loc: str) -> str:
    return t("present.leads", loc, new=fmt_int(h.new), founded=fmt_int(h.founded), open=fmt_int(h.open),
             overdue=fmt_int(h.overdue))


def since_text(since: dt.date | None, loc: str) -> str:
    return fmt_date(since, loc) if since is not None else "—"
