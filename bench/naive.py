"""The naive way: load the tables into pandas, then compute the overview's figures in pandas.

This is what DESIGN.md §6 forbids ("never load a whole table into pandas to count it"); it is
here as the baseline the SQL is compared with, and as an independent check of the SQL: the
figures must be equal (``compare``), or the comparison would not be honest.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from bench.overview_sql import EXTRA, GAP_LIMIT, Dates
from dashboard.queries.coverage import COVERAGE_COLUMNS, kpis_from_counts
from dashboard.queries.followup import DUE_SOON_DAYS
from dashboard.queries.trends import SERIES_METRICS as RATE_METRICS
from models import rules
from models.db import make_engine
from models.enums import LeadStage, Pattern, UnionKind

#: Every table the overview reads, loaded whole (``SELECT *``), as a naive page would.
TABLES = ("township", "unit", "enterprise", "union_org", "union_coverage", "membership_change", "party_org",
          "party_coverage", "liaison_officer", "action_item", "founding_lead", "founding_lead_stage",
          "coordination_notice")
DATE_COLUMNS = {
    "enterprise": ("registered_on", "closed_on"),
    "union_org": ("founded_on", "dissolved_on"),
    "union_coverage": ("start_on", "end_on"),
    "membership_change": ("changed_on",),
    "party_org": ("founded_on", "dissolved_on"),
    "party_coverage": ("start_on", "end_on"),
    "liaison_officer": ("appointed_on", "ended_on"),
    "action_item": ("created_on", "due_on", "done_on"),
    "founding_lead": ("identified_on", "notice_deadline", "closed_on"),
    "founding_lead_stage": ("start_on", "end_on"),
    "coordination_notice": ("sent_on", "respond_by", "acknowledged_on", "resolved_on"),
}


def load(url: str) -> dict[str, pd.DataFrame]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            tables = {name: pd.read_sql(sa.text(f"SELECT * FROM {name}"), conn) for name in TABLES}
    finally:
        engine.dispose()
    for name, cols in DATE_COLUMNS.items():
        for c in cols:
            tables[name][c] = pd.to_datetime(tables[name][c], format="ISO8601")
    return tables


def _ts(day: dt.date) -> pd.Timestamp:
    return pd.Timestamp(day)


def _active(df: pd.DataFrame, start: str, end: str, day: pd.Timestamp) -> pd.Series:
    return (df[start] <= day) & (df[end].isna() | (df[end] > day))


def enterprise_flags(t: dict[str, pd.DataFrame], day: dt.date) -> pd.DataFrame:
    """Operating enterprises as of ``day`` with their flags, members and pattern."""
    D = _ts(day)
    e = t["enterprise"]
    e = e[_active(e, "registered_on", "closed_on", D)]
    ids = e["id"]
    out = pd.DataFrame({"enterprise_id": ids.to_numpy(), "township_id": e["township_id"].to_numpy(),
                        "employees": e["employees"].to_numpy(), "party_members": e["party_members"].to_numpy()})
    for flag, name, start, end in (("has_union", "union_coverage", "start_on", "end_on"),
                                   ("has_party", "party_coverage", "start_on", "end_on"),
                                   ("has_liaison", "liaison_officer", "appointed_on", "ended_on")):
        df = t[name]
        out[flag] = ids.isin(df.loc[_active(df, start, end, D), "enterprise_id"]).to_numpy()
    # 单独建立: an active period of its own union / its own Party organisation (not a joint branch)
    uc = t["union_coverage"].merge(t["union_org"][["id", "enterprise_id"]].rename(
        columns={"id": "union_id", "enterprise_id": "org_enterprise"}), on="union_id")
    uc = uc[_active(uc, "start_on", "end_on", D) & (uc["org_enterprise"] == uc["enterprise_id"])]
    out["own_union"] = ids.isin(uc["enterprise_id"]).to_numpy()
    pc = t["party_coverage"].merge(t["party_org"][["id", "enterprise_id", "level"]].rename(
        columns={"id": "party_org_id", "enterprise_id": "org_enterprise"}), on="party_org_id")
    pc = pc[_active(pc, "start_on", "end_on", D) & (pc["org_enterprise"] == pc["enterprise_id"])
            & (pc["level"] != "joint_branch")]
    out["own_party"] = ids.isin(pc["enterprise_id"]).to_numpy()
    mc = t["membership_change"]
    mc = mc[mc["changed_on"] <= D]
    members = (mc["joined"] - mc["left_count"]).groupby(mc["enterprise_id"]).sum()
    out["members"] = ids.map(members).fillna(0).astype("int64").to_numpy()
    qualified = out["party_members"] >= rules.PARTY_ORG_THRESHOLD
    out["qualified"] = qualified
    out["pattern"] = np.select(
        [qualified & ~out["has_party"], ~out["has_union"], out["has_party"], out["has_liaison"]],
        [Pattern.SHOULD_BUILD.value, Pattern.NO_UNION.value, Pattern.UNION_AND_BRANCH.value,
         Pattern.UNION_AND_LIAISON.value],
        default=Pattern.UNION_ONLY.value,
    )
    return out


def coverage_by_township(t: dict[str, pd.DataFrame], day: dt.date) -> pd.DataFrame:
    """Same frame as ``dashboard.queries.coverage.coverage_by_township``."""
    f = enterprise_flags(t, day)
    u = f["has_union"]
    cols = pd.DataFrame({
        "township_id": f["township_id"],
        "operating": 1,
        "unionised": u,
        "with_party_org": f["has_party"],
        "qualified": f["qualified"],
        "qualified_with_party_org": f["qualified"] & f["has_party"],
        "party_or_liaison_unionised": u & (f["has_party"] | f["has_liaison"]),
        "party_or_liaison": f["has_party"] | f["has_liaison"],
        "employees_unionised": f["employees"].where(u, 0),
        "members_unionised": f["members"].where(u, 0),
        **{f"pattern_{p.value}": f["pattern"] == p.value for p in Pattern},
        "unionised_own": f["own_union"],
        "with_party_org_own": f["own_party"],
    })
    per_township = cols.groupby("township_id").sum()
    townships = t["township"].sort_values(["sort_order", "code"])
    out = townships[["id", "code", "name"]].rename(columns={"id": "township_id"}).merge(
        per_township, left_on="township_id", right_index=True, how="left")
    out[list(COVERAGE_COLUMNS)] = out[list(COVERAGE_COLUMNS)].fillna(0).astype("int64")
    return out.reset_index(drop=True)


def action_item_counts(t: dict[str, pd.DataFrame], day: dt.date) -> dict[str, int]:
    D = _ts(day)
    ai = t["action_item"]
    ai = ai[ai["created_on"] <= D]
    done = ai["done_on"].notna() & (ai["done_on"] <= D)
    overdue = ~done & (ai["due_on"] < D)
    soon = ~done & (ai["due_on"] >= D) & (ai["due_on"] <= D + pd.Timedelta(days=DUE_SOON_DAYS))
    total = len(ai)
    return {"total": total, "done": int(done.sum()), "open": total - int(done.sum()), "overdue": int(overdue.sum()),
            "due_soon": int(soon.sum())}


def _overdue_items(t, day: dt.date) -> pd.DataFrame:
    D = _ts(day)
    ai = t["action_item"]
    done = ai["done_on"].notna() & (ai["done_on"] <= D)
    return ai[(ai["created_on"] <= D) & ~done & (ai["due_on"] < D)]


def overdue_leads(t: dict[str, pd.DataFrame], day: dt.date) -> pd.DataFrame:
    """建会通知书逾期 (docs/kpis.md): the leads in 已发建会通知书 on the day — their stage period
    (``founding_lead_stage``, 0016) holds it — whose notice's deadline is before it."""
    D = _ts(day)
    fls = t["founding_lead_stage"]
    in_notice = fls[(fls["start_on"] <= D) & (fls["end_on"].isna() | (fls["end_on"] > D))
                    & (fls["stage"] == LeadStage.NOTICE_SENT.value)]["lead_id"]
    fl = t["founding_lead"]
    return fl[fl["id"].isin(in_notice) & fl["notice_deadline"].notna() & (fl["notice_deadline"] < D)]


def alerts(t: dict[str, pd.DataFrame], day: dt.date, flags: pd.DataFrame) -> dict[str, Any]:
    D = _ts(day)
    gaps = flags[flags["pattern"] == Pattern.SHOULD_BUILD.value]
    top = gaps["party_members"].sort_values(ascending=False).head(GAP_LIMIT)
    items = _overdue_items(t, day).merge(t["unit"][["id", "name"]].rename(columns={"id": "unit_id", "name": "owner"}),
                                         left_on="owner_unit_id", right_on="unit_id")
    items = items.sort_values(["due_on", "id"]).head(50)
    leads = overdue_leads(t, day)
    cn = t["coordination_notice"]
    notices = cn[(cn["sent_on"] <= D) & (cn["respond_by"] < D)
                 & (cn["acknowledged_on"].isna() | (cn["acknowledged_on"] > D))
                 & (cn["resolved_on"].isna() | (cn["resolved_on"] > D))]
    notices = notices[notices["enterprise_id"].isin(t["enterprise"]["id"])]
    return {
        # the list is "most Party members first": ties may come in any order, so keep the set and the counts
        "should_build_ids": set(gaps["enterprise_id"].tolist()),
        "should_build_top_members": [int(x) for x in top],
        "overdue_items": items["id"].tolist(),
        "overdue_leads": leads.sort_values(["notice_deadline", "id"]).head(50)["id"].tolist(),
        "n_overdue_leads": len(leads),
        "overdue_notices": notices.sort_values(["respond_by", "id"]).head(50)["id"].tolist(),
        "n_overdue_notices": len(notices),
    }


def overdue_items_by_township(t, day: dt.date) -> dict[int, int]:
    items = _overdue_items(t, day)
    items = items[items["township_id"].notna()]
    return {int(k): int(v) for k, v in items.groupby("township_id").size().items()}


def _quarter_key(s: pd.Series) -> pd.Series:
    return s.dt.year * 10 + (s.dt.month - 1) // 3 + 1


def foundings_per_quarter(t, start: dt.date, day: dt.date) -> pd.DataFrame:
    S, D = _ts(start), _ts(day)
    uo = t["union_org"]
    uo = uo[(uo["kind"] != UnionKind.FEDERATION.value) & (uo["founded_on"] >= S) & (uo["founded_on"] <= D)]
    unions = uo.groupby(_quarter_key(uo["founded_on"])).size()
    mc = t["membership_change"]
    mc = mc[(mc["changed_on"] >= S) & (mc["changed_on"] <= D)]
    members = mc.groupby(_quarter_key(mc["changed_on"]))["joined"].sum()
    quarters = pd.period_range(pd.Period(start, "Q"), pd.Period(day, "Q"), freq="Q")
    keys = [q.year * 10 + q.quarter for q in quarters]
    return pd.DataFrame({
        "quarter": [q.start_time.date() for q in quarters],
        "label": [f"{q.year}Q{q.quarter}" for q in quarters],
        "new_unions": [int(unions.get(k, 0)) for k in keys],
        "new_members": [int(members.get(k, 0)) for k in keys],
    })


def coverage_series(t, dates) -> pd.DataFrame:
    rows = []
    for day in dates:
        k = kpis_from_counts(coverage_by_township(t, day), day)
        rows += [{"date": day, "metric": m, "value": getattr(k, m).value} for m in RATE_METRICS]
    return pd.DataFrame(rows, columns=["date", "metric", "value"])


def run_once(url: str, d: Dates, *, series_cap: int | None = None) -> tuple[dict[str, Any], dict[str, float]]:
    """The overview's figures the naive way: (results, seconds per step)."""
    sec: dict[str, float] = {}
    r: dict[str, Any] = {}
    t0 = time.perf_counter()
    t = load(url)
    sec["load tables (read_sql + dates)"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    r["coverage_by_township(as_of)"] = coverage_by_township(t, d.as_of)
    r["coverage_by_township(year_ago)"] = coverage_by_township(t, d.year_ago)
    sec["coverage per township, 2 dates"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    r["action_item_counts(as_of)"] = action_item_counts(t, d.as_of)
    r["action_item_counts(year_ago)"] = action_item_counts(t, d.year_ago)
    r["alerts"] = alerts(t, d.as_of, enterprise_flags(t, d.as_of))
    r["overdue_items_by_township"] = overdue_items_by_township(t, d.as_of)
    sec["alerts, items, overdue per township"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    r["foundings_per_quarter"] = foundings_per_quarter(t, d.foundings_start, d.as_of)
    sec["foundings per quarter"] = time.perf_counter() - t0

    dates = list(d.series) if series_cap is None else list(d.series)[-series_cap:]
    t0 = time.perf_counter()
    r["coverage_series"] = coverage_series(t, dates)
    sec[f"coverage series, {len(dates)} dates"] = time.perf_counter() - t0
    r["series_dates"] = dates
    return r, sec


# --------------------------------------------------------------------------- honesty check


def compare(sql: dict[str, Any], naive: dict[str, Any]) -> list[str]:
    """Differences between the SQL results and the naive ones (empty: equal)."""
    problems: list[str] = []
    for key in ("coverage_by_township(as_of)", "coverage_by_township(year_ago)"):
        a = sql[key].reset_index(drop=True)
        b = naive[key][a.columns].reset_index(drop=True)
        if not a.equals(b):
            diff = (a[list(COVERAGE_COLUMNS)].sum() - b[list(COVERAGE_COLUMNS)].sum())
            problems.append(f"{key}: per-township counts differ (district SQL − naive: {diff[diff != 0].to_dict()})")
    for key in ("action_item_counts(as_of)", "action_item_counts(year_ago)"):
        a = vars(sql[key])
        if a != naive[key]:
            problems.append(f"{key}: {a} != {naive[key]}")
    al = naive["alerts"]
    for key in ("enterprises_in_pattern(should_build)", EXTRA):
        gaps = sql.get(key)
        if gaps is None:
            continue
        ids = [int(x) for x in gaps["enterprise_id"]]
        if ([int(x) for x in gaps["party_members"]] != al["should_build_top_members"]
                or len(set(ids)) != len(ids) or not set(ids) <= al["should_build_ids"]):
            problems.append(f"{key}: not the {GAP_LIMIT} should-build enterprises with most Party members")
    for key, col in (("overdue_items", "id"), ("overdue_leads", "id"), ("overdue_notices", "id")):
        if sql[key][col].tolist() != al[key]:
            problems.append(f"{key} differ")
    if sql["count_overdue_leads"] != al["n_overdue_leads"]:
        problems.append(f"count_overdue_leads {sql['count_overdue_leads']} != {al['n_overdue_leads']}")
    if sql["count_overdue_notices"] != al["n_overdue_notices"]:
        problems.append(f"count_overdue_notices {sql['count_overdue_notices']} != {al['n_overdue_notices']}")
    by_township = {int(k): int(v) for k, v in zip(sql["overdue_items_by_township"]["township_id"],
                                              sql["overdue_items_by_township"]["overdue"], strict=True)}
    if by_township != naive["overdue_items_by_township"]:
        problems.append("overdue_items_by_township differ")
    fq = sql["foundings_per_quarter(10 years)"]
    nq = naive["foundings_per_quarter"]
    if not (fq["label"].tolist() == nq["label"].tolist() and fq["new_unions"].tolist() == nq["new_unions"].tolist()
            and fq["new_members"].tolist() == nq["new_members"].tolist()):
        problems.append("foundings_per_quarter differ")
    series_key = next(k for k in sql if k.startswith("coverage_series"))
    s = sql[series_key]
    s = s[s["date"].isin(naive["series_dates"])].reset_index(drop=True)
    n = naive["coverage_series"]
    same = len(s) == len(n) and all(
        (x is None or pd.isna(x)) and (y is None or pd.isna(y)) or (x is not None and y is not None and abs(x - y) < 1e-12)
        for x, y in zip(s["value"], n["value"], strict=True)
    ) and s["metric"].tolist() == n["metric"].tolist()
    if not same:
        problems.append("coverage_series differ")
    return problems


def kpi_summary(sql: dict[str, Any], as_of: dt.date) -> dict[str, Any]:
    """The headline KPIs as numerator/denominator, for the report."""
    k = kpis_from_counts(sql["coverage_by_township(as_of)"], as_of)
    out = {m: (getattr(k, m).numerator, getattr(k, m).denominator)
           for m in ("union_coverage", "membership", "party_coverage", "qualified_built", "work_coverage")}
    out["patterns"] = {p.value: n for p, n in k.patterns.items()}
    out["operating"] = k.operating
    return out
