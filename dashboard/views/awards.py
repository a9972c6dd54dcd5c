"""双爱双评 as a person reads it (/awards, the case study's list): a round's stages with their status,
its headline figures with their definitions, the places of each township and category with a status
word and colour (``views.status.award_places``), the nominations, the awards per township and per
enterprise, the Excel sheets. No Streamlit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from dashboard.i18n import fmt_date, fmt_int, fmt_pct, t
from dashboard.views.meetings import Table, day
from dashboard.views.status import (
    AWARD_COLOUR,
    DUE_SOON_DAYS,
    award_places,
    award_stage,
)

STAGE_OF_STATUS = {"nominating": 0, "evaluating": 1, "awarded": 2}


def _by(day, as_of: dt.date) -> bool:
    return isinstance(day, dt.date) and day <= as_of


def round_stage(rnd: dict, as_of: dt.date) -> int:
    """The round's stage on ``as_of`` (0 推荐, 1 评审, 2 表彰) from the days its stages began:
    published by then → 2, closed by then → 1, else 0 — a round closed or published after the date
    shows as it was on it (``queries.awards.round_status_as_of`` is the same rule in SQL)."""
    if _by(rnd.get("awarded_on"), as_of):
        return 2
    if _by(rnd.get("closed_on"), as_of):
        return 1
    return 0


def status_word(key: str, loc: str) -> str:
    return t(f"awards.status.{key}", loc)


def round_label(rnd, loc: str) -> str:
    """"2026年度“双爱双评”（评审中）" for the picker (the stage now)."""
    return t("awards.round.label", loc, title=rnd["title"], status=t(f"awards.round.{rnd['status']}", loc))


def stages_table(rnd: dict, as_of: dt.date, loc: str, due_soon_days: int = DUE_SOON_DAYS) -> Table:
    """The three stages of the round (推荐 / 评审 / 表彰): their dates and status on ``as_of``."""
    current = round_stage(rnd, as_of)
    awarded_on = rnd.get("awarded_on") if current >= 2 else None
    spans = (
        (t("awards.stage.nominate", loc), t("awards.stage.span", loc, start=fmt_date(rnd["opened_on"], loc),
                                            end=fmt_date(rnd["nominate_by"], loc)), rnd["nominate_by"]),
        (t("awards.stage.evaluate", loc),
         t("awards.stage.closed_until", loc, start=fmt_date(rnd["closed_on"], loc),
           end=fmt_date(rnd["evaluate_by"], loc)) if current >= 1
         else t("awards.stage.until", loc, end=fmt_date(rnd["evaluate_by"], loc)), rnd["evaluate_by"]),
        (t("awards.stage.publish", loc), fmt_date(awarded_on, loc) if awarded_on else t("awards.stage.after_eval", loc),
         None),
    )
    rows, colours = [], []
    for k, (name, when, deadline) in enumerate(spans):
        key = "done" if current >= 2 else award_stage(k, current, deadline, as_of, due_soon_days)
        rows.append({t("awards.col.stage", loc): name, t("awards.col.when", loc): when,
                     t("awards.col.status", loc): status_word(key, loc)})
        colours.append(AWARD_COLOUR[key])
    frame = pd.DataFrame(rows, columns=[t(f"awards.col.{c}", loc) for c in ("stage", "when", "status")])
    return Table(frame, colours, t("awards.col.status", loc))


@dataclass(frozen=True)
class Card:
    label: str
    value: str
    detail: str
    help: str


def headline(progress: pd.DataFrame, rnd: dict, as_of: dt.date, loc: str) -> list[Card]:
    """Four cards of the round in scope: places, nominations (÷ places), evaluated (÷ nominations),
    awards — each with its definition (additive counts summed over the townships)."""
    s = {k: int(progress[k].sum()) if not progress.empty else 0 for k in
         ("quota", "nominated", "pending", "passed", "rejected", "awarded")}
    by_cat = {c: int(progress.loc[progress["category"] == c, "quota"].sum()) if not progress.empty else 0
              for c in ("worker", "manager")}
    evaluated = s["passed"] + s["rejected"] + s["awarded"]
    published = round_stage(rnd, as_of) >= 2
    share = lambda n, d: fmt_pct(n / d, loc) if d else "—"  # noqa: E731
    return [
        Card(t("awards.kpi.quota", loc), t("awards.people", loc, n=fmt_int(s["quota"])),
             t("awards.kpi.quota.detail", loc, worker=fmt_int(by_cat["worker"]), manager=fmt_int(by_cat["manager"])),
             t("awards.kpi.quota.help", loc)),
        Card(t("awards.kpi.nominated", loc), f"{fmt_int(s['nominated'])} / {fmt_int(s['quota'])}",
             t("awards.kpi.share", loc, share=share(s["nominated"], s["quota"])), t("awards.kpi.nominated.help", loc)),
        Card(t("awards.kpi.evaluated", loc), f"{fmt_int(evaluated)} / {fmt_int(s['nominated'])}",
             t("awards.kpi.evaluated.detail", loc, passed=fmt_int(s["passed"] + s["awarded"]),
               rejected=fmt_int(s["rejected"]), pending=fmt_int(s["pending"])), t("awards.kpi.evaluated.help", loc)),
        Card(t("awards.kpi.awarded", loc), t("awards.people", loc, n=fmt_int(s["awarded"])),
             t("awards.kpi.awarded.on", loc, date=fmt_date(rnd["awarded_on"], loc)) if published
             else t("awards.kpi.awarded.not_yet", loc), t("awards.kpi.awarded.help", loc)),
    ]


def category_word(category: str, loc: str) -> str:
    return t(f"awards.category.{category}", loc)


def progress_table(progress: pd.DataFrame, rnd: dict, as_of: dt.date, loc: str,
                   due_soon_days: int = DUE_SOON_DAYS) -> Table:
    """One row per township and category: places, nominations, awaiting evaluation, passed, not
    passed, awarded, and the status of its places (word and colour)."""
    stage = round_stage(rnd, as_of)
    rows, colours = [], []
    for r in progress.itertuples(index=False):
        key = award_places(stage, int(r.quota), int(r.nominated), int(r.pending), rnd["nominate_by"],
                           rnd["evaluate_by"], as_of, due_soon_days)
        colours.append(AWARD_COLOUR[key])
        rows.append({
            t("awards.col.township", loc): r.township, t("awards.col.category", loc): category_word(r.category, loc),
            t("awards.col.quota", loc): int(r.quota), t("awards.col.nominated", loc): int(r.nominated),
            t("awards.col.pending", loc): int(r.pending), t("awards.col.passed", loc): int(r.passed),
            t("awards.col.rejected", loc): int(r.rejected), t("awards.col.awarded", loc): int(r.awarded),
            t("awards.col.status", loc): status_word(key, loc),
        })
    cols = [t(f"awards.col.{c}", loc) for c in ("township", "category", "quota", "nominated", "pending", "passed",
                                                "rejected", "awarded", "status")]
    return Table(pd.DataFrame(rows, columns=cols), colours, t("awards.col.status", loc))


def stage_word(stage: str, loc: str) -> str:
    return t(f"awards.nomination.{stage}", loc)


NOMINATION_TABLE = ("township", "enterprise", "category", "person", "result", "nominated_on", "evaluated_on", "note",
                    "remark")


def nominations_table(rows: pd.DataFrame, loc: str) -> pd.DataFrame:
    """The round's nominations as a person reads them (the screen and the Excel sheet): the
    nomination's 主要事迹 and the evaluation's remark in columns of their own."""
    text = lambda values: [v if isinstance(v, str) else "" for v in values]  # noqa: E731
    return pd.DataFrame({
        t("awards.col.township", loc): rows["township"],
        t("awards.col.enterprise", loc): rows["enterprise"],
        t("awards.col.category", loc): [category_word(c, loc) for c in rows["category"]],
        t("awards.col.person", loc): rows["person_name"],
        t("awards.col.result", loc): [stage_word(s, loc) for s in rows["stage"]],
        t("awards.col.nominated_on", loc): [day(d, loc) for d in rows["nominated_on"]],
        t("awards.col.evaluated_on", loc): [day(d, loc) for d in rows["evaluated_on"]],
        t("awards.col.note", loc): text(rows["note"]),
        t("awards.col.remark", loc): text(rows["remark"]),
    }, columns=[t(f"awards.col.{c}", loc) for c in NOMINATION_TABLE])


def list_caption(counts: dict[str, int], shown: int, as_of: dt.date, loc: str) -> str:
    """What the list holds: every nomination, or the first ``shown`` of the total (never a silent
    cap), and how many that did not pass are counted but not named for this user."""
    listed = int(counts["listed"])
    text = (t("awards.list.count", loc, n=fmt_int(listed), date=fmt_date(as_of, loc)) if shown >= listed
            else t("awards.list.first", loc, shown=fmt_int(shown), n=fmt_int(listed), date=fmt_date(as_of, loc)))
    if counts.get("hidden"):
        text += t("awards.list.hidden", loc, n=fmt_int(counts["hidden"]))
    return text


def township_table(rows: pd.DataFrame, loc: str) -> pd.DataFrame:
    """Awards of every published round per township."""
    return pd.DataFrame({
        t("awards.col.township", loc): rows["township"],
        t("awards.category.worker", loc): rows["worker"].astype(int),
        t("awards.category.manager", loc): rows["manager"].astype(int),
        t("awards.col.total", loc): rows["total"].astype(int),
        t("awards.col.enterprises", loc): rows["enterprises"].astype(int),
        t("awards.col.rounds", loc): rows["rounds"].astype(int),
        t("awards.col.last_year", loc): [str(int(y)) for y in rows["last_year"]],
    })


def enterprise_table(rows: pd.DataFrame, loc: str) -> pd.DataFrame:
    """The enterprises with the most awards."""
    return pd.DataFrame({
        t("awards.col.enterprise", loc): rows["enterprise"],
        t("awards.col.township", loc): rows["township"],
        t("awards.category.worker", loc): rows["worker"].astype(int),
        t("awards.category.manager", loc): rows["manager"].astype(int),
        t("awards.col.total", loc): rows["total"].astype(int),
        t("awards.col.years", loc): [f"{int(a)}–{int(b)}" if a != b else str(int(a))
                                     for a, b in zip(rows["first_year"], rows["last_year"], strict=True)],
    })


def case_awards_table(rows: pd.DataFrame, loc: str) -> pd.DataFrame:
    """An enterprise's awards on its case study: year, category, person (the narrow column of the
    case page: the remark stays on /awards)."""
    return pd.DataFrame({
        t("awards.col.year", loc): [str(int(y)) for y in rows["year"]],
        t("awards.col.category", loc): [category_word(c, loc) for c in rows["category"]],
        t("awards.col.person", loc): rows["person_name"],
    }, columns=[t(f"awards.col.{c}", loc) for c in ("year", "category", "person")])


def export_sheets(rnd: dict, progress: pd.DataFrame, nominations: pd.DataFrame, as_of: dt.date, loc: str
                  ) -> list[tuple[str, pd.DataFrame]]:
    """The round's results workbook: the awarded (名单), the places per township (with their status
    words), every nomination — the page's own rows and words."""
    awarded = nominations[nominations["stage"] == "awarded"] if not nominations.empty else nominations
    return [(t("awards.xl.awarded", loc), nominations_table(awarded, loc)),
            (t("awards.xl.progress", loc), progress_table(progress, rnd, as_of, loc).frame),
            (t("awards.xl.nominations", loc), nominations_table(nominations, loc))]


def nomination_label(row, loc: str) -> str:
    """"越北镇 · 王强（吉林市…有限公司，热爱企业的优秀职工，已推荐）" for the forms' pickers."""
    return t("awards.pick.label", loc, township=row["township"], person=row["person_name"],
             enterprise=row["enterprise"], category=category_word(row["category"], loc),
             stage=stage_word(row["stage"], loc))
