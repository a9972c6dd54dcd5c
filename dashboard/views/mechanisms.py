"""荐优纳新 and 双爱双评 since the last district meeting, as a leader reads them: the brief's section
(sentences, the townships' rows under the one list rule, the definitions for the speaker notes) and
the big screen's tiles and status words. From ``queries.mechanisms.Mechanisms``; counts only, no
names. The PDF, the PPTX, the Word brief and the slide all call these functions, so they cannot
disagree."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.i18n import fmt_date, fmt_int, fmt_pct, t
from dashboard.queries import development as D
from dashboard.queries.mechanisms import Mechanisms
from dashboard.views.meetings import more_text
from dashboard.views.present import Status, Tile

#: the colour of the round's state on the date (always shown with its word)
ROUND_COLOUR = {"nominating": "amber", "evaluating": "amber", "evaluation_overdue": "red", "awarded": "green"}
#: how many townships the slide lists
SLIDE_TOWNSHIPS = 3


@dataclass(frozen=True)
class Section:
    """The brief's section: the ``period`` line, the 荐优纳新 sentences (``development``), the 双爱双评
    sentences (``awards``) ending with the ``result`` line that introduces the townships' table
    (``header``, ``rows`` — at most the brief's list limit — and ``more``, "另有 N 项" when some are
    left out); ``empty``: nothing happened in the period (``development`` is then the empty sentence
    and the stuck line); the figures' ``definitions`` (the speaker notes, the docs)."""

    period: str
    development: list[str]
    awards: list[str]
    result: str
    header: list[str]
    rows: list[list[str]]
    more: str | None
    empty: bool
    definitions: list[str]

    @property
    def lines(self) -> list[str]:
        """Every sentence in order (the PDF's and the Word brief's paragraphs)."""
        return [self.period, *self.development, *self.awards, *([self.result] if self.result else [])]


def people(n: int, loc: str) -> str:
    return t("mech.unit.people", loc, n=fmt_int(n))


def period_text(m: Mechanisms, loc: str) -> str:
    """"统计期间：上次区级联席会议（2026年9月14日）以来，至 2026年11月24日。" — or every record up to
    the date without an earlier meeting."""
    if m.since is None:
        return t("mech.period.first", loc, until=fmt_date(m.until, loc))
    return t("mech.period", loc, date=fmt_date(m.since, loc), until=fmt_date(m.until, loc))


def _years(years: tuple[int, ...], loc: str) -> str:
    return ("、" if loc == "zh_CN" else ", ").join(str(y) for y in years)


def round_status(m: Mechanisms, loc: str) -> Status | None:
    """The latest round's state on the date as a status word with its colour (None: no round yet)."""
    if m.round_state is None:
        return None
    word = (t("awards.status.evaluation_overdue", loc) if m.round_state == "evaluation_overdue"
            else t(f"awards.round.{m.round_state}", loc))
    return Status(f"{m.round_year} · {word}" if m.round_year else word, ROUND_COLOUR[m.round_state])


def stuck_status(m: Mechanisms, loc: str) -> Status:
    return (Status(t("mech.status.stuck", loc), "red") if m.stuck
            else Status(t("mech.status.no_stuck", loc), "green"))


def share_line(m: Mechanisms, loc: str) -> str:
    if m.admitted_total_year:
        line = t("mech.dev.share", loc, year=m.share_year, total=fmt_int(m.admitted_total_year),
                 union=fmt_int(m.admitted_union_year), share=fmt_pct(m.share, loc))
    else:
        line = t("mech.dev.share.none", loc, year=m.share_year, union=fmt_int(m.admitted_unrecorded_year))
        return line
    if m.admitted_unrecorded_year:
        line += ("" if loc == "zh_CN" else " ") + t("mech.dev.share.unrecorded", loc, n=fmt_int(m.admitted_unrecorded_year))
    return line


def stuck_line(m: Mechanisms, loc: str) -> str:
    return t("mech.dev.stuck", loc, open=fmt_int(m.open), stuck=fmt_int(m.stuck))


def definitions(m: Mechanisms, loc: str) -> list[str]:
    """What each figure counts (the PPTX notes; docs/kpis.md says the same)."""
    stuck_days = {s.value: d for s, d in D.STUCK_DAYS.items()}
    return [t("mech.def.period", loc), t("mech.def.steps", loc), t("mech.def.evaluated", loc),
            t("development.kpi.share.def", loc, year=m.share_year), t("development.kpi.stuck.def", loc, **stuck_days),
            t("mech.def.awards", loc), t("mech.def.names", loc)]


def township_header(loc: str) -> list[str]:
    return [t("col.township", loc), t("mech.col.worker", loc), t("mech.col.manager", loc), t("mech.col.total", loc)]


def township_rows(m: Mechanisms, loc: str, limit: int) -> list[list[str]]:
    return [[r.township, fmt_int(r.worker), fmt_int(r.manager), fmt_int(r.total)]
            for r in m.townships.head(limit).itertuples(index=False)]


def brief_section(m: Mechanisms, loc: str, *, limit: int) -> Section:
    """The section's sentences and table; the empty state ("本期无新的推荐和表彰") when nothing happened
    in the period (the stuck line still follows: it is a state on the date, not an event)."""
    defs = definitions(m, loc)
    period = period_text(m, loc)
    if m.empty:
        return Section(period, [t("mech.empty", loc), stuck_line(m, loc)], [], "", township_header(loc), [], None,
                       True, defs)
    development = [
        t("mech.dev.line", loc, recommended=fmt_int(m.recommended), activist=fmt_int(m.to_activist),
          candidate=fmt_int(m.to_candidate), probationary=fmt_int(m.to_probationary), member=fmt_int(m.to_member),
          withdrawn=fmt_int(m.withdrawn)),
        t("mech.dev.evaluated", loc, evaluated=fmt_int(m.evaluated), passed=fmt_int(m.evaluated_passed)),
        share_line(m, loc),
        stuck_line(m, loc),
    ]
    awards = [t("mech.awards.line", loc, nominations=fmt_int(m.nominations))]
    what = []
    if m.rounds_opened:
        what.append(t("mech.awards.opened", loc, years=_years(m.rounds_opened, loc)))
    if m.rounds_published:
        what.append(t("mech.awards.published", loc, years=_years(m.rounds_published, loc)))
    if what:
        awards.append(t("mech.awards.rounds", loc, what=("，" if loc == "zh_CN" else "; ").join(what)))
    if (status := round_status(m, loc)) is not None:
        awards.append(t("mech.awards.round_now", loc, year=m.round_year, state=status.text.split(" · ")[-1]))
    rows = township_rows(m, loc, limit)
    result = (t("mech.awards.result", loc, worker=fmt_int(m.awards_worker), manager=fmt_int(m.awards_manager),
                enterprises=fmt_int(m.awarded_enterprises)) if m.awards else t("mech.awards.no_result", loc))
    return Section(period, development, awards, result, township_header(loc), rows,
                   more_text(m.n_townships, len(rows), loc), False, defs)


def figure_notes(m: Mechanisms, loc: str) -> list[str]:
    """The slide's numbers, one per line, for the PPTX speaker notes."""
    section = brief_section(m, loc, limit=len(m.townships))
    return [*section.lines, *(" | ".join(r) for r in section.rows)]


# --------------------------------------------------------------------------- the big screen


def development_tiles(m: Mechanisms, loc: str) -> list[Tile]:
    """荐优纳新 in the period: recommended, new development candidates (and their evaluation), new
    probationary members (and new full members), the union's share of the year, stuck now."""
    share = fmt_pct(m.share, loc) if m.share is not None else "—"
    return [
        Tile(t("mech.tile.recommended", loc), people(m.recommended, loc),
             t("mech.tile.recommended.detail", loc, activist=fmt_int(m.to_activist)), kind="union"),
        Tile(t("mech.tile.candidate", loc), people(m.to_candidate, loc),
             t("mech.tile.candidate.detail", loc, evaluated=fmt_int(m.evaluated), passed=fmt_int(m.evaluated_passed)),
             kind="party"),
        Tile(t("mech.tile.probationary", loc), people(m.to_probationary, loc),
             t("mech.tile.probationary.detail", loc, member=fmt_int(m.to_member)), kind="party"),
        Tile(t("mech.tile.share", loc), share,
             t("mech.tile.share.detail", loc, year=m.share_year, union=fmt_int(m.admitted_union_year),
               total=fmt_int(m.admitted_total_year)), kind="party"),
        Tile(t("mech.tile.stuck", loc), people(m.stuck, loc), t("mech.tile.stuck.detail", loc, open=fmt_int(m.open)),
             kind="red" if m.stuck else "green"),
    ]


def award_tiles(m: Mechanisms, loc: str) -> list[Tile]:
    """双爱双评 in the period: new nominations, awards per category."""
    return [
        Tile(t("mech.tile.nominations", loc), people(m.nominations, loc), t("mech.tile.nominations.detail", loc),
             kind="union"),
        Tile(t("mech.tile.worker", loc), people(m.awards_worker, loc), t("mech.tile.awarded.detail", loc), kind="union"),
        Tile(t("mech.tile.manager", loc), people(m.awards_manager, loc), t("mech.tile.awarded.detail", loc),
             kind="union"),
    ]


def top_townships(m: Mechanisms, loc: str, limit: int = SLIDE_TOWNSHIPS) -> tuple[list[str], list[list[str]]]:
    """The slide's table: the townships with most awards published in the period."""
    return township_header(loc), township_rows(m, loc, limit)
