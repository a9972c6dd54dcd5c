"""Derived summary tables that make "as of any date" figures fast at a million enterprises.

For each enterprise, every date on which its situation changes (registered, closed, a union,
Party organisation or liaison officer period starts or ends, members join or leave) is an event.
A sweep over the events in date order gives the enterprise's state after each event, hence its
contribution to the additive coverage figures (``SUMMARY_MEASURES``) and its pattern
(``models.rules.classify``). Differences of consecutive contributions, summed per township and
day, are stored in ``coverage_delta``; their monthly sums in ``coverage_month``. A figure as of
D is then the sum of the months before D's month plus the days of D's month up to D — a few
thousand rows whatever the size of the district. ``enterprise_state`` keeps each enterprise's
pattern periods, for lists of gap enterprises.

The exact SQL in ``dashboard.queries.coverage`` remains the reference; tests check that both
give the same figures. The summaries carry a fingerprint of the source tables; when it does not
match (data written without a rebuild), the query layer falls back to the exact SQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from models import rules
from models.enums import Pattern, UnionKind
from models.tables import (
    SUMMARY_MEASURES,
    DatasetInfo,
    Enterprise,
    LiaisonOfficer,
    MembershipChange,
    PartyCoverage,
    UnionCoverage,
    UnionOrg,
    coverage_delta,
    coverage_month,
    enterprise_state,
)

FINGERPRINT_KEY = "summary_fingerprint"
_SOURCES = (Enterprise, UnionOrg, UnionCoverage, PartyCoverage, LiaisonOfficer, MembershipChange)
PATTERN_CODES = list(Pattern)  # index = code used during the sweep
_EPOCH = np.datetime64("1970-01-01", "D")


def fingerprint(conn: Connection) -> str:
    """Max id of each source table (an index lookup each: changes when rows are added) and the
    ``data_version`` counter that database triggers bump on every UPDATE or DELETE of them
    (migration 0006), so an edit in place by any tool also makes the summaries stale."""
    parts = []
    for model in _SOURCES:
        table = model.__table__
        parts.append(str(conn.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar_one()))
    info = DatasetInfo.__table__
    version = conn.execute(sa.select(info.c.value).where(info.c.key == "data_version")).scalar_one_or_none()
    return ":".join(parts) + f":v{version}"


def stored_fingerprint(conn: Connection) -> str | None:
    t = DatasetInfo.__table__
    return conn.execute(sa.select(t.c.value).where(t.c.key == FINGERPRINT_KEY)).scalar_one_or_none()


def is_fresh(conn: Connection) -> bool:
    stored = stored_fingerprint(conn)
    return stored is not None and stored == fingerprint(conn)


def _days(series: pd.Series) -> np.ndarray:
    """Dates (date objects or ISO strings) → int days since 1970; NaT → -1."""
    values = pd.to_datetime(series, format="ISO8601", errors="raise").to_numpy("datetime64[D]")
    out = (values - _EPOCH).astype("int64")
    out[np.isnat(values)] = -1
    return out


def _read(conn: Connection, stmt) -> pd.DataFrame:
    result = conn.execute(stmt)
    return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def _events(conn: Connection) -> tuple[pd.DataFrame, pd.DataFrame]:
    E = Enterprise.__table__
    ent = _read(conn, sa.select(E.c.id, E.c.township_id, E.c.employees, E.c.party_members,
                                E.c.registered_on, E.c.closed_on))
    frames = []

    def add(eids, days, **deltas):
        keep = days >= 0
        frame = {"eid": np.asarray(eids)[keep], "day": days[keep]}
        for k, v in deltas.items():
            frame[k] = np.broadcast_to(np.asarray(v), keep.shape)[keep]
        frames.append(pd.DataFrame(frame))

    add(ent["id"].to_numpy(), _days(ent["registered_on"]), op=1)
    add(ent["id"].to_numpy(), _days(ent["closed_on"]), op=-1)
    for model, start, end, col in ((UnionCoverage, "start_on", "end_on", "u"),
                                   (PartyCoverage, "start_on", "end_on", "p"),
                                   (LiaisonOfficer, "appointed_on", "ended_on", "l")):
        t = model.__table__
        df = _read(conn, sa.select(t.c.enterprise_id, t.c[start], t.c[end]))
        add(df["enterprise_id"].to_numpy(), _days(df[start]), **{col: 1})
        add(df["enterprise_id"].to_numpy(), _days(df[end]), **{col: -1})
    MC = MembershipChange.__table__
    mc = _read(conn, sa.select(MC.c.enterprise_id, MC.c.changed_on, MC.c.joined, MC.c.left_count))
    add(mc["enterprise_id"].to_numpy(), _days(mc["changed_on"]),
        m=(mc["joined"] - mc["left_count"]).to_numpy(), joined=mc["joined"].to_numpy())
    events = pd.concat(frames, ignore_index=True).fillna(0)
    for c in ("op", "u", "p", "l", "m", "joined"):
        if c not in events:
            events[c] = 0
    events = events.astype({c: "int64" for c in ("op", "u", "p", "l", "m", "joined")})
    return ent, events


def _sweep(ent: pd.DataFrame, events: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per (township, day): the change of every measure; and each enterprise's pattern periods."""
    ev = events.groupby(["eid", "day"], sort=True, as_index=False).sum()
    state = ev.groupby("eid")[["op", "u", "p", "l", "m"]].cumsum()
    info = ent.set_index("id").loc[ev["eid"].to_numpy()]
    emp = info["employees"].to_numpy()
    pm = info["party_members"].to_numpy()
    township = info["township_id"].to_numpy()
    op = state["op"].to_numpy() > 0
    u = op & (state["u"].to_numpy() > 0)
    p = op & (state["p"].to_numpy() > 0)
    lia = op & (state["l"].to_numpy() > 0)
    qualified = op & (pm >= rules.PARTY_ORG_THRESHOLD)
    # pattern code, same order of rules as models.rules.classify; -1 when not operating
    code = np.select(
        [~op, qualified & ~p, ~u, p, lia],
        [-1, PATTERN_CODES.index(Pattern.SHOULD_BUILD), PATTERN_CODES.index(Pattern.NO_UNION),
         PATTERN_CODES.index(Pattern.UNION_AND_BRANCH), PATTERN_CODES.index(Pattern.UNION_AND_LIAISON)],
        default=PATTERN_CODES.index(Pattern.UNION_ONLY),
    )
    level = {
        "operating": op,
        "unionised": u,
        "with_party_org": p,
        "qualified": qualified,
        "qualified_with_party_org": qualified & p,
        "party_or_liaison_unionised": u & (p | lia),
        "employees_unionised": np.where(u, emp, 0),
        "members_unionised": np.where(u, state["m"].to_numpy(), 0),
    }
    for k, pat in enumerate(PATTERN_CODES):
        level[f"pattern_{pat.value}"] = code == k
    levels = pd.DataFrame({k: np.asarray(v, dtype="int64") for k, v in level.items()})
    first = ev["eid"].ne(ev["eid"].shift()).to_numpy()
    deltas = levels.diff()
    deltas.iloc[first] = levels.iloc[first]
    deltas = deltas.astype("int64")
    deltas["township_id"] = township
    deltas["day"] = ev["day"].to_numpy()
    deltas["new_members"] = ev["joined"].to_numpy()
    stock_cols = list(level)
    per_day = deltas.groupby(["day", "township_id"], as_index=False)[stock_cols + ["new_members"]].sum()

    # pattern periods: rows where the code changes within an enterprise
    change = first | (code != np.roll(code, 1))
    periods = pd.DataFrame({"eid": ev["eid"].to_numpy()[change], "town": township[change], "code": code[change],
                            "day": ev["day"].to_numpy()[change]})
    nxt = periods["day"].shift(-1)
    same = periods["eid"].shift(-1) == periods["eid"]
    periods["until"] = np.where(same, nxt, -1).astype("int64")
    periods = periods[periods["code"] >= 0]
    return per_day, periods


def _new_unions(conn: Connection) -> pd.DataFrame:
    UO = UnionOrg.__table__
    df = _read(conn, sa.select(UO.c.township_id, UO.c.founded_on).where(UO.c.kind != UnionKind.FEDERATION.value))
    df["day"] = _days(df["founded_on"])
    return df.groupby(["day", "township_id"], as_index=False).size().rename(columns={"size": "new_unions"})


def _to_dates(days: np.ndarray) -> list[dt.date | None]:
    base = dt.date(1970, 1, 1)
    return [None if d < 0 else base + dt.timedelta(days=int(d)) for d in days]


def _month_number(days: np.ndarray) -> np.ndarray:
    """int days since 1970 → int months since 1970-01."""
    return days.astype("datetime64[D]").astype("datetime64[M]").astype("int64")


def _cumulative_months(per_day: pd.DataFrame, measures: list[str], until: dt.date) -> pd.DataFrame:
    """Every (month, township) from the first event's month to ``until``'s month (or the last
    event's, if later), with each measure accumulated through the end of that month."""
    if per_day.empty:
        return pd.DataFrame(columns=["month", "township_id", *measures])
    month_no = _month_number(per_day["day"].to_numpy())
    sums = per_day.assign(m=month_no).groupby(["m", "township_id"])[measures].sum()
    last = max(int(month_no.max()), (until.year - 1970) * 12 + until.month - 1)
    grid = pd.MultiIndex.from_product([range(int(month_no.min()), last + 1), sorted(per_day["township_id"].unique())],
                                      names=["m", "township_id"])
    cum = sums.reindex(grid, fill_value=0).groupby(level="township_id").cumsum().reset_index()
    first_days = (cum["m"].to_numpy().astype("datetime64[M]").astype("datetime64[D]") - _EPOCH).astype("int64")
    return cum.drop(columns="m").assign(month=first_days)[["month", "township_id", *measures]]


def rebuild_summaries(engine_or_conn: Engine | Connection,
                      progress: Callable[[str, int, int], None] | None = None,
                      today: dt.date | None = None) -> dict[str, int]:
    """Recompute the three summary tables from scratch, in one transaction.

    ``coverage_month`` holds, for every month up to ``today``'s (default: the real today), the
    figures accumulated through the end of that month; later dates use its last month plus
    ``coverage_delta``.
    """
    if isinstance(engine_or_conn, Engine):
        with engine_or_conn.begin() as conn:
            return rebuild_summaries(conn, progress, today)
    conn = engine_or_conn
    report = progress or (lambda *_: None)
    report("summary: read", 0, 0)
    ent, events = _events(conn)
    report("summary: sweep", len(events), len(events))
    per_day, periods = _sweep(ent, events)
    flows = _new_unions(conn)
    per_day = per_day.merge(flows, on=["day", "township_id"], how="outer").fillna(0)
    measures = list(SUMMARY_MEASURES)
    per_day = per_day.astype({m: "int64" for m in measures} | {"day": "int64", "township_id": "int64"})
    per_day = per_day[(per_day[measures] != 0).any(axis=1)].sort_values(["day", "township_id"])
    months = _cumulative_months(per_day, measures, until=today or dt.date.today())

    for table in (coverage_delta, coverage_month, enterprise_state):
        conn.execute(table.delete())
    batch = 50_000

    def write(table, frame: pd.DataFrame, date_cols: dict[str, str]) -> None:
        total = len(frame)
        cols = {out: frame[src] for out, src in date_cols.items()}
        data = frame.drop(columns=list(date_cols.values()))
        for k in range(0, total, batch):
            chunk = data.iloc[k:k + batch]
            rows = chunk.to_dict("records")
            for out, src in cols.items():
                for row, d in zip(rows, _to_dates(src.iloc[k:k + batch].to_numpy()), strict=True):
                    row[out] = d
            conn.execute(table.insert(), rows)
            report(f"summary: {table.name}", min(k + batch, total), total)

    write(coverage_delta, per_day.rename(columns={"day": "_day"}), {"day": "_day"})
    write(coverage_month, months.rename(columns={"month": "_month"}), {"month": "_month"})
    members = ent.set_index("id")["party_members"]
    states = pd.DataFrame({
        "enterprise_id": periods["eid"].to_numpy(), "township_id": periods["town"].to_numpy(),
        "party_members": members.loc[periods["eid"].to_numpy()].to_numpy(),
        "pattern": [PATTERN_CODES[c].value for c in periods["code"]],
        "_from": periods["day"].to_numpy(), "_to": periods["until"].to_numpy(),
    })
    states.insert(0, "id", np.arange(1, len(states) + 1))
    write(enterprise_state, states, {"valid_from": "_from", "valid_to": "_to"})

    info = DatasetInfo.__table__
    conn.execute(info.delete().where(info.c.key == FINGERPRINT_KEY))
    conn.execute(info.insert().values(key=FINGERPRINT_KEY, value=fingerprint(conn)))
    return {"coverage_delta": len(per_day), "coverage_month": len(months), "enterprise_state": len(states)}
