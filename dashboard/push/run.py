"""What is due now, and sending it exactly once.

``run(engine, cfg, now)`` (``dangong push run``, from cron or a systemd timer):

1. **plan** — the messages the schedule calls for on ``now``'s date, each with an idempotency key
   (kind, channel, period): the brief for a planned district meeting within ``brief_days_before``
   days (key per meeting date), the summary of the week or month (key per ISO week / month, sent
   on or after its day — a run missed on Monday still sends it on Tuesday, once), the 督办
   reminders of the day and the escalation of the day (keys per date, only when there is
   something to say). Each is a ``push_message`` row inserted unless its key exists — so a
   second run, or two runs at once, never plan it twice;
2. **deliver** — every pending message whose next attempt is due: claimed (``pending`` →
   ``sending`` in one UPDATE, so two runs never send one message), built from the data (as of its
   date) and sent; then ``sent``, or back to ``pending`` with ``next_attempt_at`` after the
   back-off (``schedule.retry_minutes``), or ``failed`` after ``schedule.max_attempts``. A message
   left ``sending`` by a run that died is taken again after :data:`STALE_SENDING` (at least once).

Every outcome is a row the admin page and ``dangong push log`` show, and an audit event.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from dashboard.push import messages as M
from dashboard.push.config import Channel, ConfigError, PushConfig
from dashboard.push.transport import SendError, partial, send
from dashboard.queries.dates import district_time
from models.audit import audit, utcnow
from models.enums import PushKind, PushStatus
from models.tables import PushMessage

PM = PushMessage.__table__
#: a message claimed longer ago than this by a run that never finished is taken again
STALE_SENDING = dt.timedelta(minutes=15)


@dataclass
class Report:
    planned: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    retrying: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # nothing to say (no item due for a reminder)
    receipts: dict[str, str] = field(default_factory=dict)  # key → what the channel said ("2 recipients", "HTTP 200")

    @property
    def ok(self) -> bool:
        return not self.failed and not self.retrying


def _iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def plan(cfg: PushConfig, today: dt.date) -> list[tuple[str, Channel, str, dt.date, dict]]:
    """(key, channel, kind, as_of, params) of every message the schedule calls for on ``today``."""
    s = cfg.schedule
    out = []
    for ch in cfg.channel:
        if "brief" in ch.sends:
            for meeting in s.meetings:
                if today <= meeting and (meeting - today).days <= s.brief_days_before:
                    out.append((f"brief:{ch.name}:{meeting.isoformat()}", ch, PushKind.BRIEF.value, today,
                                {"meeting_on": meeting.isoformat()}))
        if "summary" in ch.sends and s.summary != "off":
            if s.summary == "weekly" and today.isoweekday() >= s.summary_weekday:
                out.append((f"summary:{ch.name}:{_iso_week(today)}", ch, PushKind.SUMMARY.value, today,
                            {"period": "weekly"}))
            elif s.summary == "monthly":
                out.append((f"summary:{ch.name}:{today:%Y-%m}", ch, PushKind.SUMMARY.value, today,
                            {"period": "monthly"}))
        if "reminders" in ch.sends and s.reminders == "daily":
            out.append((f"reminder:{ch.name}:{today.isoformat()}", ch, PushKind.REMINDER.value, today, {}))
        if "escalation" in ch.sends:
            out.append((f"escalation:{ch.name}:{today.isoformat()}", ch, PushKind.ESCALATION.value, today,
                        {"days": s.escalate_after_days}))
    return out


def build(session: Session, cfg: PushConfig, channel: Channel, kind: str, key: str, as_of: dt.date,
          params: dict, *, attach: bool = True) -> M.Message | None:
    """The message of a row (None: nothing to say)."""
    if kind == PushKind.BRIEF.value:
        on = params.get("meeting_on")
        return M.brief(session, cfg, channel, key, as_of, meeting_on=dt.date.fromisoformat(on) if on else None,
                       meeting_id=params.get("meeting_id"), attach=attach)
    if kind == PushKind.SUMMARY.value:
        return M.summary(session, cfg, channel, key, as_of, period=params.get("period", "weekly"))
    if kind == PushKind.REMINDER.value:
        return M.reminder(session, cfg, channel, key, as_of)
    if kind == PushKind.ESCALATION.value:
        return M.escalation(session, cfg, channel, key, as_of, days=int(params.get("days", cfg.schedule.escalate_after_days)))
    return M.test_message(session, cfg, channel, key, as_of, by=params.get("by", "dangong"))


def enqueue(engine: Engine, key: str, channel: str, kind: str, as_of: dt.date, params: dict, now: dt.datetime) -> bool:
    """Insert the message unless its key exists; True when this call inserted it."""
    with engine.begin() as conn:
        if conn.execute(sa.select(PM.c.id).where(PM.c.key == key)).first() is not None:
            return False
        try:
            with conn.begin_nested():
                conn.execute(PM.insert().values(key=key, channel=channel, kind=kind, as_of=as_of,
                                                params=json.dumps(params, ensure_ascii=False), status=PushStatus.PENDING.value,
                                                attempts=0, created_at=now, next_attempt_at=now))
        except sa.exc.IntegrityError:  # another run inserted it between the SELECT and the INSERT
            return False
    return True


def _claim(engine: Engine, row_id: int, now: dt.datetime) -> bool:
    with engine.begin() as conn:
        stale = now - STALE_SENDING
        done = conn.execute(PM.update().where(
            PM.c.id == row_id,
            sa.or_(PM.c.status == PushStatus.PENDING.value,
                   sa.and_(PM.c.status == PushStatus.SENDING.value, PM.c.next_attempt_at <= stale)))
            .values(status=PushStatus.SENDING.value, next_attempt_at=now))
        return done.rowcount == 1


def _finish(engine: Engine, row, cfg: PushConfig, now: dt.datetime, *, subject: str | None, error: str | None,
            nothing: bool = False, receipt: str = "", final: bool = False) -> str:
    """Record the outcome (``final``: a failure no retry can mend); returns the new status. A message
    some recipients refused is sent (the others have it: sending again would send it twice to them)
    and keeps the receipt naming the refused ones where the log shows errors."""
    attempts = int(row.attempts) + 1
    values: dict = {"attempts": attempts}
    if subject:
        values["subject"] = subject[:200]
    if error is None:
        values.update(status=(PushStatus.SKIPPED if nothing else PushStatus.SENT).value, sent_at=None if nothing else now,
                      next_attempt_at=None, last_error=receipt if partial(receipt) else None)
    elif final or attempts >= cfg.schedule.max_attempts:
        values.update(status=PushStatus.FAILED.value, next_attempt_at=None, last_error=error)
    else:
        waits = cfg.schedule.retry_minutes or (5,)
        wait = waits[min(attempts - 1, len(waits) - 1)]
        values.update(status=PushStatus.PENDING.value, next_attempt_at=now + dt.timedelta(minutes=wait), last_error=error)
    with Session(engine) as session:
        session.execute(PM.update().where(PM.c.id == row.id).values(**values))
        audit(session, "push", username="push", entity="push_message", entity_id=row.id,
              after={"key": row.key, "status": values["status"], "attempts": attempts,
                     "error": error, "receipt": receipt or None})
        session.commit()
    return values["status"]


def deliver(engine: Engine, cfg: PushConfig, now: dt.datetime, report: Report, *, only: set[str] | None = None) -> None:
    """Send every pending message whose attempt is due (``only``: these keys)."""
    with engine.connect() as conn:
        stmt = sa.select(PM).where(sa.or_(
            sa.and_(PM.c.status == PushStatus.PENDING.value, PM.c.next_attempt_at <= now),
            sa.and_(PM.c.status == PushStatus.SENDING.value, PM.c.next_attempt_at <= now - STALE_SENDING)))
        if only is not None:
            stmt = stmt.where(PM.c.key.in_(sorted(only)))
        rows = conn.execute(stmt.order_by(PM.c.id)).all()
    for row in rows:
        if not _claim(engine, row.id, now):
            continue
        try:
            channel = cfg.get(row.channel)
        except ConfigError as exc:  # the channel left the set-up
            _finish(engine, row, cfg, now, subject=None, error=str(exc), final=True)
            report.failed.append((row.key, str(exc)))
            continue
        message = None
        try:
            with Session(engine) as session:
                message = build(session, cfg, channel, row.kind, row.key, row.as_of, json.loads(row.params or "{}"))
            if message is not None:
                receipt = send(channel, cfg.smtp, message)
        except ConfigError as exc:  # a township or unit that does not exist: no retry helps
            _finish(engine, row, cfg, now, subject=None, error=str(exc), final=True)
            report.failed.append((row.key, str(exc)))
            continue
        except Exception as exc:  # noqa: BLE001 - refused, timed out, or anything unforeseen in building it:
            # recorded and retried after the back-off; the run goes on with the other messages
            why = str(exc) if isinstance(exc, SendError) else f"{type(exc).__name__}: {exc}"
            # a test message is not retried: whoever pressed the button has the answer (and the log keeps it)
            status = _finish(engine, row, cfg, now, subject=message.subject if message else None, error=why[:2000],
                             final=row.kind == PushKind.TEST.value)
            (report.failed if status == PushStatus.FAILED.value else report.retrying).append((row.key, why))
            continue
        if message is None:  # nothing to say today: recorded as such, never retried
            _finish(engine, row, cfg, now, subject=None, error=None, nothing=True)
            report.skipped.append(row.key)
            continue
        _finish(engine, row, cfg, now, subject=message.subject, error=None, receipt=receipt)
        report.sent.append(row.key)
        report.receipts[row.key] = receipt


def run(engine: Engine, cfg: PushConfig, now: dt.datetime | None = None, *, today: dt.date | None = None) -> Report:
    """Plan what the schedule calls for today, then deliver everything due (new and retried)."""
    now = now or utcnow()
    today = today or district_time(now).date()  # the district's date, whatever the server's time zone
    report = Report()
    for key, channel, kind, as_of, params in plan(cfg, today):
        if enqueue(engine, key, channel.name, kind, as_of, params, now):
            report.planned.append(key)
    deliver(engine, cfg, now, report)
    return report


def next_meeting(cfg: PushConfig, today: dt.date) -> dt.date | None:
    """The first planned district meeting on or after ``today`` (``schedule.meetings``)."""
    return min((d for d in cfg.schedule.meetings if d >= today), default=None)


def on_demand(cfg: PushConfig, kind: str, today: dt.date, *, meeting: str = "next", by: str = "dangong") -> dict:
    """The params of a message sent or previewed on demand (``dangong push send|preview``): the brief
    for ``meeting`` — ``next`` (the next planned meeting's date in its subject, the figures as of
    today) or the id of a district meeting held (its figures as of its date) —, the summary of the
    schedule's period, the escalation after the schedule's days. A bad ``meeting`` is a ConfigError."""
    params: dict = {"by": by}
    if kind == PushKind.BRIEF.value:
        if meeting == "next":
            if (on := next_meeting(cfg, today)) is not None:
                params["meeting_on"] = on.isoformat()
        elif meeting.isdigit():
            params["meeting_id"] = int(meeting)
        else:
            raise ConfigError(f"--meeting {meeting!r}: next or the number of a district meeting held")
    elif kind == PushKind.SUMMARY.value:
        params["period"] = cfg.schedule.summary if cfg.schedule.summary != "off" else "weekly"
    elif kind == PushKind.ESCALATION.value:
        params["days"] = cfg.schedule.escalate_after_days
    return params


def send_now(engine: Engine, cfg: PushConfig, kind: str, channel_name: str, as_of: dt.date, *,
             now: dt.datetime | None = None, params: dict | None = None) -> Report:
    """On demand (``dangong push send``, the admin page's test button): one message now, recorded
    like the scheduled ones under a key of its own (kind, channel, moment)."""
    now = now or utcnow()
    cfg.get(channel_name)  # an unknown channel: ConfigError before anything is written
    key = f"{kind}:{channel_name}:now:{now.strftime('%Y%m%dT%H%M%S.%f')}"
    enqueue(engine, key, channel_name, kind, as_of, params or {}, now)
    report = Report(planned=[key])
    deliver(engine, cfg, now, report, only={key})
    return report


def preview(engine: Engine, cfg: PushConfig, today: dt.date, out: Path, *, kind: str | None = None,
            channel_name: str | None = None, params: dict | None = None) -> list[Path]:
    """Write what would be sent (each message's text, markdown, webhook JSON and attachments) into
    ``out`` without sending or recording anything: the schedule's messages for ``today``, or one
    ``kind`` for ``channel_name``."""
    from dashboard.push.transport import webhook_body

    out.mkdir(parents=True, exist_ok=True)
    if kind is not None:
        todo = [(f"{kind}:{channel_name}:preview", cfg.get(channel_name or ""), kind, today, params or {})]
    else:
        todo = plan(cfg, today)
    written: list[Path] = []
    with Session(engine) as session:
        for key, channel, k, as_of, prm in todo:
            message = build(session, cfg, channel, k, key, as_of, prm)
            stem = key.replace(":", "_")
            if message is None:
                (out / f"{stem}.none.txt").write_text("（无需发送 / nothing to send）\n", encoding="utf-8")
                written.append(out / f"{stem}.none.txt")
                continue
            files = {f"{stem}.txt": message.text, f"{stem}.md": message.markdown,
                     f"{stem}.json": json.dumps(webhook_body(channel, message), ensure_ascii=False, indent=2)}
            for name, text in files.items():
                (out / name).write_text(text, encoding="utf-8")
                written.append(out / name)
            for name, _mime, data in message.attachments:
                (out / f"{stem}_{name}").write_bytes(data)
                written.append(out / f"{stem}_{name}")
    return written


def recent(engine: Engine, limit: int = 200) -> list[dict]:
    """The send log, newest first (the admin page, ``dangong push log``)."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(PM.c.id, PM.c.key, PM.c.channel, PM.c.kind, PM.c.as_of, PM.c.subject, PM.c.status,
                                      PM.c.attempts, PM.c.created_at, PM.c.sent_at, PM.c.next_attempt_at, PM.c.last_error)
                            .order_by(PM.c.created_at.desc(), PM.c.id.desc()).limit(limit)).mappings().all()
    return [dict(r) for r in rows]
