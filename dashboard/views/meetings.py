"""What the joint-meetings page and the meeting brief show (no Streamlit).

``(query result, locale) -> labelled tables, statuses, texts`` for ``/meetings`` (its sections in
``dashboard.ui.sections.meetings``) and for the brief's PDF and PPTX (``dashboard.exports.brief``):
the action-item tables, the board per owner unit, the since-the-last-meeting lists, mechanism
coverage, coordination notices, the figures at a glance, and the brief's rows and summaries. A
screen and a document take their rows from the same function here, so they cannot disagree.

Status words and colours come from :mod:`dashboard.views.status` (one rule each): an item's status
key (``label`` of ``queries.meetings.action_items``, counted in SQL) reads ``meetings.rag.<key>``
and is coloured ``COLOUR[key]``; a notice is ``notice_label`` / ``notice_colour``; a set of items
is ``items_status``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from dashboard.i18n import fmt_date, fmt_int, fmt_pct, fmt_pp_change, t
from dashboard.queries.coverage import CoverageKpis
from dashboard.queries.meetings import OUT_OF_BASE
from dashboard.views.status import (
    COLOUR, DUE_SOON_DAYS, LABEL_FILL, LABEL_STYLE, count_status, items_status, notice_colour, notice_label,
)
from models.enums import Pattern

if TYPE_CHECKING:
    from dashboard.queries.brief import Brief
    from dashboard.queries.meetings import MeetingCounts

__all__ = [
    "BRIEF_RATES", "SINCE_RATES", "Glance", "Table", "board_items_table", "board_table", "brief_gap_rows",
    "brief_kpi_rows", "brief_summaries", "day", "decided_table", "detail_items_table", "glance", "item_header",
    "item_option", "item_rows", "item_status_text", "items_caption", "late_items_text", "mechanism_table",
    "mechanism_totals", "meeting_option", "meetings_caption", "more_text", "new_gaps_table", "notice_option",
    "notices_caption", "notices_table", "owner_label", "pp_change", "since_coverage_text", "workbook_meta",
]


# --------------------------------------------------------------------------- building blocks


@dataclass(frozen=True)
class Table:
    """A labelled table: ``frame`` has translated headers and display values; when ``status`` names
    one of its columns, ``colours`` holds each row's traffic-light colour of that column (``""``:
    none). The colour never stands alone: the column carries the status words."""

    frame: pd.DataFrame
    colours: list[str] = field(default_factory=list)
    status: str | None = None

    def fills(self) -> dict[str, str | None]:
        """Each status word of the table, in the order of its first row, with its fill (``LABEL_FILL``;
        None: a word without colour): what a page needs to draw the status column's words as coloured
        labels in a plain ``st.dataframe`` — no Styler, which renders every cell in Python on every run.
        Empty without a status column. A word is one status: two colours for one word is an error."""
        if self.status is None:
            return {}
        if len(self.colours) != len(self.frame):
            raise ValueError(f"{len(self.colours)} colours for {len(self.frame)} rows")
        out: dict[str, str | None] = {}
        for word, colour in zip(self.frame[self.status], self.colours, strict=True):
            fill = LABEL_FILL.get(colour)
            if out.setdefault(word, fill) != fill:
                raise ValueError(f"the status {word!r} has two colours")
        return out

    def styled(self):
        """The frame with its status column coloured (``LABEL_STYLE``) and missing values as "—";
        the plain frame when it has no status column. (The pages draw :meth:`fills` instead.)"""
        if self.status is None:
            return self.frame
        colour_of = dict(zip(self.frame.index, self.colours, strict=True))
        return (self.frame.style
                .apply(lambda col: [LABEL_STYLE.get(colour_of[i], "") for i in col.index], subset=[self.status])
                .format(na_rep="—"))

    def __len__(self) -> int:
        return len(self.frame)


def day(value, loc: str) -> str:
    """A date in the locale's format; "—" when there is none."""
    return fmt_date(value, loc) if isinstance(value, dt.date) else "—"


def item_status_text(label: str, loc: str) -> str:
    """The words of an item status key: 逾期 / 临期 / 正常 / 已完成."""
    return t(f"meetings.rag.{label}", loc)


def owner_label(overdue: int, due_soon: int, done: int, total: int) -> str:
    """An owner unit's status key on the board: its worst item — ``overdue``, else ``due_soon``,
    else ``done`` when every item is done, else ``on_track``. Its colour is
    ``items_status(overdue, due_soon)`` (``COLOUR[key]``)."""
    if overdue:
        return "overdue"
    if due_soon:
        return "due_soon"
    return "done" if done == total else "on_track"


def _status_column(labels, loc: str) -> tuple[list[str], list[str]]:
    labels = list(labels)
    return [item_status_text(x, loc) for x in labels], [COLOUR[x] for x in labels]


# --------------------------------------------------------------------------- action items


def detail_items_table(items: pd.DataFrame, loc: str) -> Table:
    """A meeting's action items (of one decision) in the meeting's card: status, item, owner, due,
    days overdue, done on."""
    status, colours = _status_column(items["label"], loc)
    frame = pd.DataFrame({
        t("meetings.col.status", loc): status,
        t("col.item", loc): items["description"].values,
        t("col.owner", loc): items["owner"].values,
        t("col.due", loc): [day(x, loc) for x in items["due_on"]],
        t("col.days_overdue", loc): items["days_overdue"].values,
        t("meetings.col.done_on", loc): [day(x, loc) for x in items["done_on"]],
    })
    return Table(frame, colours, t("meetings.col.status", loc))


def board_items_table(items: pd.DataFrame, loc: str) -> Table:
    """The board's list of items (and its CSV / Excel sheet): status, item, owner, meeting, due,
    days overdue, progress (the stored status as of the date), done on."""
    status, colours = _status_column(items["label"], loc)
    frame = pd.DataFrame({
        t("meetings.col.status", loc): status,
        t("col.item", loc): items["description"].values,
        t("col.owner", loc): items["owner"].values,
        t("meetings.col.meeting", loc): [f"{day(h, loc)} {m}" for h, m in zip(items["held_on"], items["meeting"], strict=True)],
        t("col.due", loc): [day(x, loc) for x in items["due_on"]],
        t("col.days_overdue", loc): items["days_overdue"].values,
        t("meetings.col.progress", loc): [t(f"meetings.status.{s}", loc) for s in items["status"]],
        t("meetings.col.done_on", loc): [day(x, loc) for x in items["done_on"]],
    })
    return Table(frame, colours, t("meetings.col.status", loc))


def board_items_export(items: pd.DataFrame, loc: str) -> pd.DataFrame:
    """The board's list as the Excel sheet holds it: :func:`board_items_table`'s columns, with the
    meeting's date, the due date and the done date as dates (sortable and filterable in Excel;
    empty, not "—", when there is none)."""
    frame = board_items_table(items, loc).frame.copy()
    as_date = lambda values: [v if isinstance(v, dt.date) else None for v in values]  # noqa: E731
    frame.insert(3, t("meetings.col.held_on", loc), as_date(items["held_on"]))
    frame[t("meetings.col.meeting", loc)] = items["meeting"].values
    frame[t("col.due", loc)] = as_date(items["due_on"])
    frame[t("meetings.col.done_on", loc)] = as_date(items["done_on"])
    return frame


def with_total_row(frame: pd.DataFrame, loc: str, *, maximum: tuple[str, ...] = ()) -> pd.DataFrame:
    """``frame`` with a 合计 row: its first column says so, whole-number columns are summed (those
    named in ``maximum`` take their largest value), text columns stay empty. For the Excel sheets."""
    total: dict = {}
    for k, col in enumerate(frame.columns):
        values = frame[col]
        if k == 0:
            total[col] = t("stat.total", loc)
        elif pd.api.types.is_integer_dtype(values) or pd.api.types.is_float_dtype(values):
            total[col] = (values.max() if col in maximum else values.sum()) if len(values) else 0
        else:
            total[col] = None
    return pd.concat([frame, pd.DataFrame([total], columns=frame.columns)], ignore_index=True)


def board_table(board: pd.DataFrame, loc: str) -> Table:
    """The board per owner unit: owner, status (the unit's worst item), the four buckets, total,
    most days overdue."""
    labels = [owner_label(o, s, d, n) for o, s, d, n in
              zip(board["overdue"], board["due_soon"], board["done"], board["total"], strict=True)]
    status, colours = _status_column(labels, loc)
    frame = pd.DataFrame({
        t("col.owner", loc): board["owner"].values,
        t("meetings.col.status", loc): status,
        t("meetings.board.overdue", loc): board["overdue"].values,
        t("meetings.board.in_progress", loc): board["in_progress"].values,
        t("meetings.board.not_started", loc): board["not_started"].values,
        t("meetings.board.done", loc): board["done"].values,
        t("meetings.board.total", loc): board["total"].values,
        t("meetings.board.max_days", loc): board["max_days_overdue"].values,
    })
    return Table(frame, colours, t("meetings.col.status", loc))


def item_header(loc: str) -> list[str]:
    """The columns of a short item list (since the last meeting, the brief): status, item, owner,
    due, days overdue."""
    return [t("meetings.col.status", loc), t("col.item", loc), t("col.owner", loc), t("col.due", loc),
            t("col.days_overdue", loc)]


def item_rows(items: pd.DataFrame, loc: str, limit: int | None = None) -> list[list[str]]:
    """The rows of a short item list (:func:`item_header`), as text: the status words, the item,
    its owner, its due date and, for an overdue item, how many days ("45 天"). The page's
    since-the-last-meeting list and the brief's PDF and PPTX tables are these rows."""
    rows = items if limit is None else items.head(limit)
    return [[item_status_text(r.label, loc), r.description, r.owner, day(r.due_on, loc),
             t("present.days", loc, n=fmt_int(r.days_overdue)) if r.label == "overdue" else ""]
            for r in rows.itertuples(index=False)]


def decided_table(items: pd.DataFrame, loc: str) -> Table:
    """A district meeting's action items as of the date (the since-the-last-meeting list): the
    rows of :func:`item_rows`, coloured by status."""
    frame = pd.DataFrame(item_rows(items, loc), columns=item_header(loc))
    return Table(frame, [COLOUR[x] for x in items["label"]], t("meetings.col.status", loc))


def late_items_text(decided: pd.DataFrame, loc: str, *, escape: Callable[[str], str] = str) -> str | None:
    """"逾期：owner：item（逾期 N 天）；…" for the overdue items of a meeting, or None when none is.
    ``escape`` protects the names where the text is Markdown."""
    late = [r for r in decided.itertuples(index=False) if r.label == "overdue"]
    if not late:
        return None
    return t("meetings.since.late_list", loc) + " " + "；".join(
        t("meetings.since.late_item", loc, owner=escape(r.owner), item=escape(r.description), days=fmt_int(r.days_overdue))
        for r in late)


def item_option(row, loc: str) -> str:
    """An item in the status form's picker: "逾期 · owner · item (40 characters) · due"."""
    return f"{item_status_text(row.label, loc)} · {row.owner} · {row.description[:40]} · {day(row.due_on, loc)}"


def items_caption(n: int, shown: int, as_of: dt.date, loc: str) -> str:
    """Under the board's item list: how many there are, and that the list is cut when it is."""
    text = t("meetings.board.items_caption", loc, n=fmt_int(n), date=day(as_of, loc))
    if shown < n:
        text += " " + t("meetings.board.items_capped", loc, shown=fmt_int(shown))
    return text


def workbook_meta(*, as_of: dt.date, township_codes, username: str, exported: dt.datetime, loc: str,
                  capped_note: str | None = None, demo: bool = False) -> list[tuple[str, str]]:
    """The 说明 sheet of the board's Excel file."""
    meta = [(t("ledger.xl.asof", loc), day(as_of, loc)),
            (t("ledger.xl.townships", loc), "、".join(township_codes) or t("filter.township_placeholder", loc)),
            (t("ledger.xl.user", loc), username),
            (t("ledger.xl.exported", loc), exported.strftime("%Y-%m-%d %H:%M"))]
    if capped_note:
        meta.append(("", capped_note))
    if demo:
        meta.append(("demo", t("app.demo_help", loc)))
    return meta


# --------------------------------------------------------------------------- at a glance


@dataclass(frozen=True)
class Glance:
    """The four cards above the tabs: items overdue, due soon, done; notices overdue."""

    overdue: int
    due_soon: int
    in_progress: int
    not_started: int
    done: int
    total: int
    notices_overdue: int

    @property
    def open(self) -> int:
        """Not done and not overdue."""
        return self.in_progress + self.not_started

    @property
    def done_share(self) -> float | None:
        return self.done / self.total if self.total else None

    @property
    def items_status(self) -> str:
        return items_status(self.overdue, self.due_soon)

    @property
    def notices_status(self) -> str:
        return count_status(self.notices_overdue)


def glance(board: pd.DataFrame, notices_overdue: int) -> Glance:
    """The district's (scope's) figures from the board per owner unit (aggregated in SQL: the
    buckets add up to the totals) and the overdue-notice count."""
    sums = {k: int(board[k].sum()) for k in ("overdue", "due_soon", "in_progress", "not_started", "done", "total")}
    return Glance(**sums, notices_overdue=int(notices_overdue))


# --------------------------------------------------------------------------- meetings


def meeting_option(held_on: dt.date, title: str, loc: str) -> str:
    """A meeting in a picker: "2026年11月2日 · title"."""
    return f"{day(held_on, loc)} · {title}"


def meetings_caption(counts: MeetingCounts, shown: int, start: dt.date, end: dt.date, loc: str) -> str:
    """Under the timeline: how many meetings per level in the date range (``MeetingCounts``), and
    that the timeline is cut when it is."""
    text = t("meetings.count", loc, n=fmt_int(counts.total), district=fmt_int(counts.district),
             enterprise=fmt_int(counts.enterprise), start=day(start, loc), end=day(end, loc))
    if shown < counts.total:
        text += " " + t("meetings.count_capped", loc, shown=fmt_int(shown))
    return text


# --------------------------------------------------------------------------- since the last district meeting

#: the coverage figures the since-the-last-meeting box compares
SINCE_RATES = ("union_coverage", "party_coverage", "qualified_built", "work_coverage")


def pp_change(then: float | None, now: float | None, loc: str) -> str:
    """The change of a rate in percentage points, "—" when either value is missing."""
    return fmt_pp_change(then, now, loc) or "—"


def since_coverage_text(then: CoverageKpis, now: CoverageKpis, held_on: dt.date, loc: str) -> str:
    """"覆盖率变化（meeting date → 统计日期）： 建会率 a → b（±x 个百分点） · …"."""
    changes = []
    for key in SINCE_RATES:
        a, b = getattr(then, key), getattr(now, key)
        changes.append(t("meetings.since.change", loc, kpi=t(f"kpi.{key}", loc), then=fmt_pct(a.value, loc),
                         now=fmt_pct(b.value, loc), delta=pp_change(a.value, b.value, loc)))
    return t("meetings.since.coverage", loc, date=day(held_on, loc)) + " " + " · ".join(changes)


def new_gaps_table(gaps: pd.DataFrame, loc: str) -> Table:
    """The new 应建未建 enterprises since a meeting: name, township, Party members, and what they
    were on the meeting date (a pattern, or not operating then)."""
    return Table(pd.DataFrame({
        t("col.enterprise", loc): gaps["name"].values,
        t("col.township", loc): gaps["township"].values,
        t("col.party_members", loc): gaps["party_members"].values,
        t("meetings.col.pattern_then", loc): [t("meetings.out_of_base", loc) if p == OUT_OF_BASE
                                               else t(f"pattern.{p}", loc) if isinstance(p, str)
                                               else t("meetings.not_operating", loc) for p in gaps["pattern_then"]],
    }))


# --------------------------------------------------------------------------- mechanism coverage


def mechanism_totals(mech: pd.DataFrame) -> tuple[int, int, float | None]:
    """The district's (scope's) mechanism coverage from the rows per township: Σ numerators,
    Σ denominators and their ratio (never an average of the rates)."""
    num, den = int(mech["with_meeting"].sum()), int(mech["eligible"].sum())
    return num, den, (num / den if den else None)


def mechanism_table(mech: pd.DataFrame, loc: str) -> Table:
    """Per township: name, numerator, denominator, rate in percent (0–100, None without a
    denominator) — the column ``t("meetings.mech.rate")`` is drawn as a progress bar."""
    return Table(pd.DataFrame({
        t("col.township", loc): mech["name"].values,
        t("meetings.mech.num", loc): mech["with_meeting"].values,
        t("meetings.mech.den", loc): mech["eligible"].values,
        t("meetings.mech.rate", loc): [None if r is None or pd.isna(r) else 100 * r for r in mech["rate"]],
    }))


# --------------------------------------------------------------------------- coordination notices


def notices_table(notices: pd.DataFrame, loc: str) -> Table:
    """协调通报: status (逾期 wins over the stored status), enterprise, township, direction, sent,
    reply by, acknowledged, resolved, days to respond, days overdue."""
    pairs = list(zip(notices["status"], notices["overdue"], strict=True))
    frame = pd.DataFrame({
        t("meetings.col.status", loc): [t(f"meetings.notice.{notice_label(s, bool(o))}", loc) for s, o in pairs],
        t("col.enterprise", loc): notices["enterprise"].values,
        t("col.township", loc): notices["township"].values,
        t("col.direction", loc): [t(f"direction.{x}", loc) for x in notices["direction"]],
        t("col.sent", loc): [day(x, loc) for x in notices["sent_on"]],
        t("col.respond_by", loc): [day(x, loc) for x in notices["respond_by"]],
        t("meetings.notice.acknowledged_on", loc): [day(x, loc) for x in notices["acknowledged_on"]],
        t("meetings.notice.resolved_on", loc): [day(x, loc) for x in notices["resolved_on"]],
        t("meetings.notice.days_to_respond", loc): [fmt_int(x) if pd.notna(x) else "—" for x in notices["days_to_respond"]],
        t("col.days_overdue", loc): notices["days_overdue"].values,
    })
    return Table(frame, [notice_colour(s, bool(o)) for s, o in pairs], t("meetings.col.status", loc))


def notices_caption(total: int, shown: int, loc: str) -> str:
    """Under the notices table: the order, and that the table is cut when it is."""
    text = t("meetings.notice.caption", loc)
    if shown < total:
        text += " " + t("meetings.notice.capped", loc, n=fmt_int(total), shown=fmt_int(shown))
    return text


def notice_option(row, loc: str) -> str:
    """A notice in the response form's picker: "enterprise · direction · sent on"."""
    return f"{row.enterprise} · {t(f'direction.{row.direction}', loc)} · {day(row.sent_on, loc)}"


# --------------------------------------------------------------------------- the meeting brief (PDF, PPTX)

#: the coverage figures of the brief's KPI table
BRIEF_RATES = ("union_coverage", "membership", "party_coverage", "qualified_built", "work_coverage")


def brief_kpi_rows(brief: Brief, loc: str) -> list[list[str]]:
    """KPI | value (numerator / denominator) | at the previous meeting | change; then 应建未建."""
    rows = []
    before: CoverageKpis | None = brief.kpis_before
    for key in BRIEF_RATES:
        now = getattr(brief.kpis, key)
        then = getattr(before, key) if before else None
        fraction = f"{fmt_int(now.numerator)} / {fmt_int(now.denominator)}"
        rows.append([t(f"kpi.{key}", loc),
                     f"{fmt_pct(now.value, loc)}（{fraction}）" if loc == "zh_CN" else f"{fmt_pct(now.value, loc)} ({fraction})",
                     fmt_pct(then.value, loc) if then is not None else "—",
                     pp_change(then.value, now.value, loc) if then is not None else "—"])
    sb_now = brief.kpis.patterns.get(Pattern.SHOULD_BUILD, 0)
    sb_then = before.patterns.get(Pattern.SHOULD_BUILD, 0) if before else None
    rows.append([t("pattern.should_build", loc), f"{fmt_int(sb_now)} {t('unit.enterprises', loc)}",
                 "—" if sb_then is None else f"{fmt_int(sb_then)} {t('unit.enterprises', loc)}",
                 "—" if sb_then is None else f"{sb_now - sb_then:+,}"])
    return rows


def brief_summaries(brief: Brief, loc: str) -> dict[str, str]:
    """The one-sentence summary of each list of the brief (decided, due, gaps), for the PDF and the PPTX."""
    s = brief.since
    return {
        "decided": t("brief.decided_summary", loc, n=fmt_int(len(s.decided)), done=fmt_int(s.done),
                     late=fmt_int(s.late), open=fmt_int(s.open)) if s else t("brief.no_previous", loc),
        "due": t("brief.due_summary", loc, overdue=fmt_int(brief.n_overdue), soon=fmt_int(brief.n_due_soon),
                 days=DUE_SOON_DAYS),
        "gaps": t("brief.gaps_summary", loc, new=fmt_int(s.n_new_should_build), closed=fmt_int(s.closed_should_build))
        if s else t("brief.no_previous", loc),
    }


def brief_gap_rows(gaps: pd.DataFrame, loc: str, limit: int | None = None) -> list[list[str]]:
    """The new gaps as text rows: enterprise, township, Party members."""
    rows = gaps if limit is None else gaps.head(limit)
    return [[r.name, r.township, fmt_int(r.party_members)] for r in rows.itertuples(index=False)]


def more_text(n_total: int, n_shown: int, loc: str) -> str | None:
    """"另有 N 项未列出" under a cut list, None when everything is listed."""
    return t("brief.more", loc, n=fmt_int(n_total - n_shown)) if n_total > n_shown else None
