"""The admin page's 推送 tab as frames and words (no Streamlit): the channels of the push set-up,
its schedule in one sentence, the send log with its statuses."""

from __future__ import annotations

import pandas as pd

from dashboard.i18n import fmt_date, t
from dashboard.push.config import PushConfig
from dashboard.queries.dates import district_time
from dashboard.views.meetings import Table

#: the log's status → the colour of its word (views.status's palette; nothing to send: none)
STATUS_COLOUR = {"sent": "green", "skipped": "", "pending": "amber", "sending": "amber", "failed": "red"}


def channels_frame(cfg: PushConfig, loc: str, townships: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per channel: name, kind, recipients (addresses, or the webhook's host — never a robot
    key), scope (the townships' names from ``townships``, code → name; a code not there is shown as
    unknown: the channel's messages will fail until it is corrected), what it receives."""
    from urllib.parse import urlsplit

    names = townships or {}
    rows = []
    for c in cfg.channel:
        target = "、".join(c.to) if c.kind == "email" else urlsplit(c.url or "").netloc
        scope = ("、".join(names.get(code) or t("push.admin.unknown_code", loc, code=code) for code in c.townships)
                 if c.townships else t("present.whole_district", loc))
        sends = "、".join(t(f"push.sends.{s}", loc) for s in c.sends)
        if c.units:
            sends += f"（{'、'.join(c.units)}）"
        rows.append({t("push.col.name", loc): c.name, t("push.col.kind", loc): t(f"push.kind.{c.kind}", loc),
                     t("push.col.target", loc): target, t("push.col.scope", loc): scope,
                     t("push.col.sends", loc): sends})
    return pd.DataFrame(rows, columns=[t(f"push.col.{k}", loc) for k in ("name", "kind", "target", "scope", "sends")])


def schedule_text(cfg: PushConfig, loc: str) -> str:
    s = cfg.schedule
    meetings = "、".join(fmt_date(d, loc) for d in s.meetings) or t("push.admin.no_meetings", loc)
    summary = t(f"push.summary.{s.summary}", loc, day=s.summary_weekday)
    return t("push.admin.schedule_text", loc, days=s.brief_days_before, meetings=meetings, summary=summary,
             reminders=t(f"push.reminders.{s.reminders}", loc), escalate=s.escalate_after_days,
             attempts=s.max_attempts, waits="/".join(str(m) for m in s.retry_minutes))


def log_table(rows: list[dict], loc: str) -> Table:
    """The send log (``dashboard.push.run.recent``), newest first, times in the district's zone, the
    status in words and coloured (a failure red, a retry amber)."""
    cols = ["created", "status", "attempts", "key", "subject", "error", "sent"]  # what went wrong before the rest
    when = lambda at: district_time(at).strftime("%Y-%m-%d %H:%M") if at is not None else ""  # noqa: E731
    out = [{t("push.col.created", loc): when(r["created_at"]), t("push.col.key", loc): r["key"],
            t("push.col.subject", loc): r["subject"] or "", t("push.col.status", loc): t(f"push.status.{r['status']}", loc),
            t("push.col.attempts", loc): int(r["attempts"]), t("push.col.sent", loc): when(r["sent_at"]),
            t("push.col.error", loc): r["last_error"] or ""} for r in rows]
    frame = pd.DataFrame(out, columns=[t(f"push.col.{k}", loc) for k in cols])
    return Table(frame, [STATUS_COLOUR.get(r["status"], "") for r in rows], t("push.col.status", loc))


def failed_count(rows: list[dict]) -> int:
    return sum(1 for r in rows if r["status"] == "failed")
