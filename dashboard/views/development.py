"""荐优纳新推评制 as a person reads it (/development and its Excel file): the KPI cards with their
definitions, the stages on the date, the tables by township and by enterprise, the people list (a
name the query masked shows as 已隐藏), the usual periods behind 超期. No Streamlit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from dashboard.i18n import fmt_date, fmt_int, fmt_pct, t
from dashboard.queries import development as q
from dashboard.queries.dates import year_before
from dashboard.views.meetings import day

STAGES = [*q.STEPS, q.S.WITHDRAWN]


def stage_label(stage, loc: str) -> str:
    return t(f"development.stage.{getattr(stage, 'value', stage)}", loc)


def _rate(n: int, d: int) -> float | None:
    return n / d if d else None


@dataclass(frozen=True)
class Card:
    label: str
    value: str
    detail: str
    definition: str


def intro(as_of: dt.date, loc: str) -> str:
    return t("development.intro", loc, date=fmt_date(as_of, loc),
             start=fmt_date(year_before(as_of) + dt.timedelta(days=1), loc))


def _stuck_days() -> dict[str, int]:
    return {s.value: d for s, d in q.STUCK_DAYS.items()}


def kpi_cards(overall: pd.DataFrame, year: int, loc: str) -> list[Card]:
    """Four cards: recommended in 12 months, the union's share of the year's new Party members,
    candidates evaluated before admission, stuck — each with its definition."""
    o = overall.iloc[0] if len(overall) else pd.Series(0, index=q.COUNT_COLUMNS)
    n = {c: int(o[c]) for c in q.COUNT_COLUMNS}
    share = _rate(n["admitted_union_year"], n["admitted_total_year"])
    detail = t("development.kpi.share.detail", loc, year=year, union=fmt_int(n["admitted_union_year"]),
               total=fmt_int(n["admitted_total_year"]))
    if n["admitted_unrecorded_year"]:
        detail += t("development.kpi.share.unrecorded", loc, n=fmt_int(n["admitted_unrecorded_year"]))
    return [
        Card(t("development.kpi.recommended", loc), t("development.kpi.recommended.value", loc,
                                                      n=fmt_int(n["recommended_12m"])),
             t("development.kpi.recommended.detail", loc, open=fmt_int(n["open"])),
             t("development.kpi.recommended.def", loc)),
        Card(t("development.kpi.share", loc), fmt_pct(share, loc), detail,
             t("development.kpi.share.def", loc, year=year)),
        Card(t("development.kpi.evaluated", loc), fmt_pct(_rate(n["evaluated_12m"], n["admitted_12m"]), loc),
             t("development.kpi.evaluated.detail", loc, n=fmt_int(n["evaluated_12m"]), d=fmt_int(n["admitted_12m"])),
             t("development.kpi.evaluated.def", loc)),
        Card(t("development.kpi.stuck", loc), t("development.kpi.stuck.value", loc, n=fmt_int(n["stuck"])),
             t("development.kpi.stuck.detail", loc, open=fmt_int(n["open"])),
             t("development.kpi.stuck.def", loc, **_stuck_days())),
    ]


def stages_table(overall: pd.DataFrame, loc: str) -> pd.DataFrame:
    """People per stage on the date (退出: everyone who left by then)."""
    o = overall.iloc[0] if len(overall) else None
    return pd.DataFrame({
        t("development.col.stage", loc): [stage_label(s, loc) for s in STAGES],
        t("development.col.count", loc): [int(o[f"now_{s.value}"]) if o is not None else 0 for s in STAGES],
    })


def _figures(rows: pd.DataFrame, year: int, loc: str) -> dict[str, list]:
    col = lambda k, **p: t(f"development.col.{k}", loc, **p)
    return {
        col("recommended_12m"): [int(v) for v in rows["recommended_12m"]],
        col("open"): [int(v) for v in rows["open"]],
        col("now_activist"): [int(v) for v in rows["now_activist"]],
        col("now_candidate"): [int(v) for v in rows["now_candidate"]],
        col("now_probationary"): [int(v) for v in rows["now_probationary"]],
        col("stuck"): [int(v) for v in rows["stuck"]],
        col("admitted_12m"): [int(v) for v in rows["admitted_12m"]],
        col("evaluated"): [fmt_pct(_rate(int(n), int(d)), loc) for n, d in zip(rows["evaluated_12m"],
                                                                                rows["admitted_12m"], strict=True)],
        col("share", year=year): [
            f"{fmt_pct(_rate(int(u), int(d)), loc)}（{int(u)}/{int(d)}）" if d else "—"
            for u, d in zip(rows["admitted_union_year"], rows["admitted_total_year"], strict=True)],
    }


def township_table(by_township: pd.DataFrame, overall: pd.DataFrame, year: int, loc: str) -> pd.DataFrame:
    """One row per township, then the scope's total (rates recomputed from their counts)."""
    rows = pd.concat([by_township, overall.assign(township=t("development.total", loc))], ignore_index=True) \
        if len(by_township) else by_township
    return pd.DataFrame({t("development.col.township", loc): list(rows["township"]), **_figures(rows, year, loc)})


def enterprise_table(by_enterprise: pd.DataFrame, year: int, loc: str) -> pd.DataFrame:
    return pd.DataFrame({t("development.col.enterprise", loc): list(by_enterprise["enterprise"]),
                         t("development.col.township", loc): list(by_enterprise["township"]),
                         **_figures(by_enterprise, year, loc)})


def status(row, loc: str) -> str:
    """超期 / 正常 / 已转正 / 已退出 of a person on the date."""
    if row["stage"] == q.S.MEMBER.value:
        return t("development.status.done", loc)
    if row["stage"] == q.S.WITHDRAWN.value:
        return t("development.status.withdrawn", loc)
    return t("development.status.stuck" if bool(row["stuck"]) else "development.status.on_time", loc)


def name_text(name, loc: str) -> str:
    """The name, or 已隐藏 when the query masked it (not visible to this user)."""
    return name if isinstance(name, str) and name else t("development.hidden", loc)


def evaluation_text(row, loc: str) -> str:
    if not isinstance(row["evaluation"], str):
        return t("development.evaluation.none", loc) if row["stage"] in ("candidate", "probationary", "member") else "—"
    return t("development.evaluation.text", loc, date=fmt_date(row["evaluated_on"], loc),
             result=t(f"development.evaluation.{row['evaluation']}", loc))


def people_table(rows: pd.DataFrame, loc: str) -> pd.DataFrame:
    col = lambda k: t(f"development.col.{k}", loc)
    records = rows.to_dict("records")
    return pd.DataFrame({
        "#": [int(r["id"]) for r in records],
        col("name"): [name_text(r["person_name"], loc) for r in records],
        col("enterprise"): [r["enterprise"] for r in records],
        col("township"): [r["township"] for r in records],
        col("stage"): [stage_label(r["stage"], loc) for r in records],
        col("since"): [day(r["since"], loc) for r in records],
        col("days"): [int(r["days"]) for r in records],
        col("status"): [status(r, loc) for r in records],
        col("evaluation"): [evaluation_text(r, loc) for r in records],
        col("recommended_on"): [day(r["recommended_on"], loc) for r in records],
        col("union"): [r["union"] if isinstance(r["union"], str) else "—" for r in records],
    })


def rules_table(loc: str) -> pd.DataFrame:
    """The usual period of each stage and when it counts as stuck (``queries.development``)."""
    return pd.DataFrame({
        t("development.col.stage", loc): [stage_label(s, loc) for s in q.STUCK_DAYS],
        t("development.col.usual", loc): [t(f"development.rule.{s.value}.usual", loc) for s in q.STUCK_DAYS],
        t("development.col.stuck_after", loc): list(q.STUCK_DAYS.values()),
        t("development.col.why", loc): [t(f"development.rule.{s.value}", loc) for s in q.STUCK_DAYS],
    })


def definitions(year: int, loc: str) -> list[tuple[str, str]]:
    """(KPI, definition) of every card: the rules tab and the workbook's notes."""
    return [(c.label, c.definition) for c in kpi_cards(pd.DataFrame(), year, loc)]


def pick_label(row, loc: str) -> str:
    """A person in a picker: number, name (or 已隐藏), enterprise, stage — every label different."""
    return f"#{int(row['id'])} {name_text(row['person_name'], loc)} · {row['enterprise']} · {stage_label(row['stage'], loc)}"


def record_lines(record: dict, loc: str) -> list[tuple[str, str]]:
    """An opened record as (label, value) lines."""
    fields = [("enterprise", record.get("enterprise")), ("stage", stage_label(record["stage"], loc)),
              ("recommended_on", record.get("recommended_on"))]
    for stage in (q.S.ACTIVIST, q.S.CANDIDATE, q.S.PROBATIONARY, q.S.MEMBER, q.S.WITHDRAWN):
        value = record.get(q.DATE_COLUMN[stage])
        if value:
            fields.append((None, f"{stage_label(stage, loc)}：{value}"))
    if record.get("evaluation"):
        fields.append(("evaluation", f"{record['evaluated_on']} {t('development.evaluation.' + record['evaluation'], loc)}"))
    return [(t(f"development.col.{k}", loc) if k else "", str(v)) for k, v in fields]
