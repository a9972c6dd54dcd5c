"""What is pushed: each message built from the queries of the channel's scope (its townships; the
whole district when it names none) — the same queries, rows and words as the pages and the brief.
No Streamlit, no sending (``dashboard.push.transport``), no schedule (``dashboard.push.run``).

* **brief** — the meeting brief (the attachments the channel asks for: PDF, PPTX, Word) and a short
  text with its headline figures;
* **summary** — the KPIs of the scope and their change over the period (a week or a month), the
  items overdue and due soon, the longest overdue ones;
* **reminder** (督办) — for each of the channel's owner units, its open items due within the 临期
  window or overdue, with a link into the dashboard;
* **escalation** — the items overdue more than the escalation days, by owner unit;
* **test** — a line proving the channel works.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session

from dashboard.i18n import fmt_date, fmt_int, fmt_pct, t
from dashboard.push.config import Channel, ConfigError, PushConfig
from dashboard.queries import coverage, followup
from dashboard.queries import meetings as MQ
from dashboard.queries.scope import Scope
from dashboard.views import meetings as V
from models.enums import Base, Pattern
from models.settings import get_settings
from models.tables import DatasetInfo, Township, Unit

#: the longest lists a chat message carries (the rest is counted: "另有 N 项")
LIST_ROWS = 10
MIME = {"pdf": "application/pdf",
        "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


@dataclass(frozen=True)
class Message:
    key: str
    kind: str
    channel: str
    as_of: dt.date
    subject: str
    text: str  # plain text (the e-mail body, a generic webhook's ``text``)
    markdown: str  # the chat robots' markdown
    scope_label: str
    links: tuple[str, ...] = ()
    attachments: tuple[tuple[str, str, bytes], ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class Target:
    """A channel resolved against the database: its scope, the label of the scope, its owner units."""

    scope: Scope
    label: str
    town_codes: tuple[str, ...]
    units: tuple[tuple[int, str, str], ...]  # (id, code, name)
    base_name: str = ""  # the 党建基数 of its coverage figures (三有企业)

    @property
    def figures_label(self) -> str:
        """The scope and the base: what a brief's or a summary's coverage figures count ("全区 · 三有企业")."""
        return f"{self.label} · {self.base_name}" if self.base_name else self.label


def resolve(session: Session, channel: Channel) -> Target:
    """The channel's townships and units by code; an unknown code is a :class:`ConfigError` (a
    misspelt township must not widen or empty a recipient's scope silently)."""
    T, U = Township.__table__, Unit.__table__
    loc = channel.locale
    if channel.townships:
        rows = session.execute(sa.select(T.c.id, T.c.code, T.c.name).where(T.c.code.in_(channel.townships))
                               .order_by(T.c.sort_order, T.c.code)).all()
        unknown = sorted(set(channel.townships) - {r.code for r in rows})
        if unknown:
            raise ConfigError(f"channel {channel.name}: unknown township code(s) {', '.join(unknown)}")
        scope, label = Scope.townships([r.id for r in rows]), "、".join(r.name for r in rows)
    else:
        scope, label = Scope.district(), t("present.whole_district", loc)
    # the figures count over the 党建基数 the pages open on (the setting ``default_base``), named with the scope
    base = Base(get_settings().default_base)
    scope = scope.with_base(base)
    units: list[tuple[int, str, str]] = []
    if channel.units:
        rows = session.execute(sa.select(U.c.id, U.c.code, U.c.name).where(U.c.code.in_(channel.units))
                               .order_by(U.c.code)).all()
        unknown = sorted(set(channel.units) - {r.code for r in rows})
        if unknown:
            raise ConfigError(f"channel {channel.name}: unknown unit code(s) {', '.join(unknown)}")
        units = [(int(r.id), r.code, r.name) for r in rows]
    return Target(scope, label, tuple(channel.townships), tuple(units), t(f"base.{base.value}", loc))


def _info(session: Session) -> dict[str, str]:
    D = DatasetInfo.__table__
    return {k: v for k, v in session.execute(sa.select(D.c.key, D.c.value)).all()}


def _link(cfg: PushConfig, path: str, target: Target, **params: str) -> str:
    """The dashboard's page ``path`` filtered to the channel's townships (``town=`` is checked against
    the reader's own scope when the page opens: a link never widens what anyone sees)."""
    query = [f"town={c}" for c in target.town_codes] + [f"{k}={v}" for k, v in params.items()]
    return f"{cfg.base}/{path}" + ("?" + "&".join(query) if query else "")


def _page(path: str) -> str:
    """The name of the page a link opens: 总览 for the overview, else the page's own."""
    return "nav.overview" if path == "" else f"nav.{path}"


def _kpi_lines(now: coverage.CoverageKpis, then: coverage.CoverageKpis | None, basis: str, loc: str) -> list[str]:
    """"建会率 50.0%（2 / 4），较上周 +1.2 个百分点" per rate of the brief, then 应建未建."""
    lines = []
    for key in V.BRIEF_RATES:
        rate = getattr(now, key)
        value = f"{fmt_pct(rate.value, loc)}（{fmt_int(rate.numerator)} / {fmt_int(rate.denominator)}）"
        change = "" if then is None else t("push.change", loc, basis=basis,
                                            delta=V.pp_change(getattr(then, key).value, rate.value, loc))
        lines.append(f"{t(f'kpi.{key}', loc)} {value}{change}")
    sb = now.patterns.get(Pattern.SHOULD_BUILD, 0)
    diff = 0 if then is None else sb - then.patterns.get(Pattern.SHOULD_BUILD, 0)
    change = "" if then is None else t("push.change", loc, basis=basis,
                                        delta=f"{diff:+,}" if diff else t("unit.pp_flat", loc))
    lines.append(f"{t('pattern.should_build', loc)} {fmt_int(sb)} {t('unit.enterprises', loc)}{change}")
    return lines


def _item_lines(items: pd.DataFrame, loc: str, *, with_owner: bool) -> list[str]:
    out = []
    for k, r in enumerate(items.head(LIST_ROWS).itertuples(index=False), start=1):
        state = (t("push.item.overdue", loc, days=fmt_int(r.days_overdue)) if r.label == "overdue"
                 else V.item_status_text(r.label, loc))
        owner = f"{r.owner}，" if with_owner else ""
        out.append(t("push.item.line", loc, k=k, state=state, text=r.description, owner=owner,
                     due=fmt_date(r.due_on, loc)))
    return out


def _compose(cfg: PushConfig, channel: Channel, kind: str, key: str, as_of: dt.date, subject: str,
             lines: list[str], target: Target, links: list[str], attachments=()) -> Message:
    loc = channel.locale
    body = "\n".join(lines)
    named = [(t(_page(urlsplit(u).path.strip("/")), loc), u) for u in links]
    text = "\n".join([subject, "", body, "", *[t("push.open", loc, page=p, url=u) for p, u in named]])
    markdown = "\n".join([f"**{subject}**", "", *[f"> {x}" if x else "" for x in lines], "",
                          *[f"[{t('push.open_short', loc, page=p)}]({u})" for p, u in named]])
    return Message(key, kind, channel.name, as_of, subject, text, markdown, target.label, tuple(links),
                   tuple(attachments))


# --------------------------------------------------------------------------- the kinds


def brief(session: Session, cfg: PushConfig, channel: Channel, key: str, as_of: dt.date, *,
          meeting_on: dt.date | None = None, meeting_id: int | None = None, attach: bool = True) -> Message:
    """The brief for the next district meeting as of ``as_of`` (``meeting_on``: its planned date, in the
    subject) or for meeting ``meeting_id``; by e-mail with the channel's attachments."""
    from dashboard.exports import brief as export
    from dashboard.queries.brief import meeting_brief
    from models.settings import get_settings

    loc, target = channel.locale, resolve(session, channel)
    b = meeting_brief(session, target.scope, as_of, meeting_id=meeting_id)
    if b is None:
        raise ConfigError(f"no district meeting with id {meeting_id} held by {as_of}")
    info = _info(session)
    district = info.get("district_name", "")
    settings = get_settings()
    ctx = export.BriefContext(loc, district, target.figures_label, info.get("dataset") in ("demo", "scale"),
                              settings.campaign_pace_margin_pp / 100)
    title = export.title(b, ctx)
    when = t("push.brief.when", loc, date=fmt_date(meeting_on, loc)) if meeting_on else ""
    subject = t("push.brief.subject", loc, district=district, title=title, when=when, scope=target.label,
                date=fmt_date(b.date, loc))
    lines = [export.subtitle(b, ctx), "", *[f"{r[0]} {r[1]}（{t('brief.col.then', loc)} {r[2]}，{r[3]}）"
                                            if loc == "zh_CN" else f"{r[0]} {r[1]} (then {r[2]}, {r[3]})"
                                            for r in export.kpi_rows(b, loc)],
             "", export.summaries(b, loc)["due"]]
    files = []
    if attach and channel.kind == "email" and channel.formats:
        images = export.chart_images(b, loc, None)
        stem = f"brief_{b.date.isoformat()}"
        for fmt in channel.formats:
            if fmt == "pdf":
                data = export.brief_pdf(b, ctx, images)
            elif fmt == "pptx":
                data = export.brief_pptx(b, ctx, images)
            else:
                from dashboard.exports.brief_docx import brief_docx

                data = brief_docx(b, ctx, images, doc_no=settings.brief_doc_no, issuer=settings.brief_issuer)
            files.append((f"{stem}.{fmt}", MIME[fmt], data))
        lines += ["", t("push.brief.attached", loc, files="、".join(f[0] for f in files))]
    return _compose(cfg, channel, "brief", key, as_of, subject, lines, target,
                    [_link(cfg, "meetings", target, asof=b.date.isoformat())], files)


def summary(session: Session, cfg: PushConfig, channel: Channel, key: str, as_of: dt.date, *, period: str) -> Message:
    """The scope's KPIs on ``as_of`` against a week (``period="weekly"``) or a month earlier, the items
    overdue and due soon, the longest overdue ones."""
    loc, target = channel.locale, resolve(session, channel)
    earlier = as_of - dt.timedelta(days=7 if period == "weekly" else 30)
    now = coverage.coverage_kpis(session, target.scope, as_of)
    then = coverage.coverage_kpis(session, target.scope, earlier)
    basis = t(f"push.basis.{period}", loc)
    on_table = {"only_open": True, "due_by": as_of + dt.timedelta(followup.DUE_SOON_DAYS)}
    counts = MQ.count_item_labels(session, target.scope, as_of, **on_table)
    overdue = MQ.action_items(session, target.scope, as_of, limit=3, **on_table)
    overdue = overdue[overdue["label"] == "overdue"]
    district = _info(session).get("district_name", "")
    subject = t(f"push.summary.subject.{period}", loc, district=district, scope=target.figures_label,
                date=fmt_date(as_of, loc))
    lines = [*_kpi_lines(now, then, basis, loc), "",
             t("push.summary.items", loc, overdue=fmt_int(counts.overdue), soon=fmt_int(counts.due_soon),
               days=followup.DUE_SOON_DAYS)]
    if len(overdue):
        lines += [t("push.summary.longest", loc), *_item_lines(overdue, loc, with_owner=True)]
    return _compose(cfg, channel, "summary", key, as_of, subject, lines, target,
                    [_link(cfg, "", target), _link(cfg, "meetings", target)])


def reminder(session: Session, cfg: PushConfig, channel: Channel, key: str, as_of: dt.date) -> Message | None:
    """督办: each of the channel's owner units' open items overdue or due within the 临期 window, in
    the channel's scope; None when none of its units has one (nothing to remind)."""
    loc, target = channel.locale, resolve(session, channel)
    due_by = as_of + dt.timedelta(followup.DUE_SOON_DAYS)
    lines, total = [], 0
    for unit_id, _code, name in target.units:
        counts = MQ.count_item_labels(session, target.scope, as_of, owner_unit_id=unit_id, only_open=True, due_by=due_by)
        n = counts.overdue + counts.due_soon
        if not n:
            continue
        total += n
        items = MQ.action_items(session, target.scope, as_of, owner_unit_id=unit_id, only_open=True, due_by=due_by,
                                limit=LIST_ROWS)
        lines += [t("push.reminder.unit", loc, unit=name, overdue=fmt_int(counts.overdue), soon=fmt_int(counts.due_soon),
                    days=followup.DUE_SOON_DAYS), *_item_lines(items, loc, with_owner=False)]
        if n > len(items):
            lines.append(V.more_text(n, len(items), loc) or "")
        lines.append("")
    if not total:
        return None
    subject = t("push.reminder.subject", loc, units="、".join(u[2] for u in target.units), n=fmt_int(total),
                date=fmt_date(as_of, loc))
    lines.append(t("push.reminder.ask", loc))
    return _compose(cfg, channel, "reminder", key, as_of, subject, lines, target, [_link(cfg, "meetings", target)])


def escalation(session: Session, cfg: PushConfig, channel: Channel, key: str, as_of: dt.date, *,
               days: int) -> Message | None:
    """The items in the channel's scope overdue by more than ``days`` days (the longest first, by
    owner), for the staff; None when there is none."""
    loc, target = channel.locale, resolve(session, channel)
    items = MQ.action_items(session, target.scope, as_of, only_open=True, due_by=as_of - dt.timedelta(days=days + 1),
                            limit=None)
    items = items[(items["label"] == "overdue") & (items["days_overdue"] > days)]
    if items.empty:
        return None
    subject = t("push.escalation.subject", loc, n=fmt_int(len(items)), days=days, scope=target.label,
                date=fmt_date(as_of, loc))
    lines = [t("push.escalation.lead", loc, days=days), *_item_lines(items, loc, with_owner=True)]
    if len(items) > LIST_ROWS:
        lines.append(V.more_text(len(items), LIST_ROWS, loc) or "")
    return _compose(cfg, channel, "escalation", key, as_of, subject, lines, target, [_link(cfg, "meetings", target)])


def test_message(session: Session, cfg: PushConfig, channel: Channel, key: str, as_of: dt.date, *,
                 by: str) -> Message:
    loc, target = channel.locale, resolve(session, channel)
    subject = t("push.test.subject", loc, channel=channel.name)
    lines = [t("push.test.body", loc, by=by, scope=target.label, date=fmt_date(as_of, loc))]
    return _compose(cfg, channel, "test", key, as_of, subject, lines, target, [_link(cfg, "", target)])
