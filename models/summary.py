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

After a write that touches a few townships (an import), ``refresh_summaries`` brings the three
tables up to date for those townships only: the same sweep over their enterprises alone, their
rows replaced, the fingerprint stored again — the result is row for row what a full
``rebuild_summaries`` gives (``enterprise_state.id`` apart).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from models import bulk, rules
from models.enums import PartyOrgLevel, Pattern, UnionKind
from models.settings import get_settings
from models.tables import (
    BASE_MEASURES,
    BASE_PREFIX,
    STOCK_MEASURES,
    SUMMARY_MEASURES,
    DatasetInfo,
    Enterprise,
    HeadcountCensus,
    LiaisonOfficer,
    MembershipChange,
    PartyCoverage,
    PartyOrg,
    UnionCoverage,
    UnionOrg,
    coverage_delta,
    coverage_month,
    enterprise_state,
)

FINGERPRINT_KEY = "summary_fingerprint"
_SOURCES = (Enterprise, UnionOrg, UnionCoverage, PartyOrg, PartyCoverage, LiaisonOfficer, MembershipChange,
            HeadcountCensus)
PATTERN_CODES = list(Pattern)  # index = code used during the sweep
_EPOCH = np.datetime64("1970-01-01", "D")


#: the PostgreSQL advisory lock every writer of the summaries holds for its transaction (:func:`lock`)
LOCK_KEY = 20021231


def lock(conn: Connection) -> None:
    """Serialise the writers of the source tables that keep the summaries up to date themselves (an
    enterprise event, an import, an undo): call first in the transaction, before reading anything.
    PostgreSQL: a transaction-scoped advisory lock (two events never interleave their read of the
    summaries and their write; READ COMMITTED statements after it see every earlier commit).
    SQLite: a write statement, which takes the database's write lock now instead of at the first
    real write (a transaction that read first could not then write: SQLITE_BUSY_SNAPSHOT)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    else:
        conn.execute(sa.text("UPDATE dataset_info SET value = value WHERE key = 'data_version'"))


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
    # the 三有 base's staff threshold is part of the figures: another setting makes them stale
    return ":".join(parts) + f":v{version}:b{base_min_employees()}"


def base_min_employees() -> int:
    """The 三有 base's 有一定从业人员: the setting ``base_min_employees`` (``dashboard.queries.coverage.in_base``)."""
    return get_settings().base_min_employees


def stored_fingerprint(conn: Connection) -> str | None:
    t = DatasetInfo.__table__
    return conn.execute(sa.select(t.c.value).where(t.c.key == FINGERPRINT_KEY)).scalar_one_or_none()


def is_fresh(conn: Connection) -> bool:
    stored = stored_fingerprint(conn)
    return stored is not None and stored == fingerprint(conn)


def _day_sql(conn: Connection, column: sa.ColumnElement) -> sa.ColumnElement:
    """``column`` (a date) read as int days since 1970 (``bulk.NO_DAY`` when NULL), labelled with its name: the
    database converts millions of dates far faster than date objects made per value and parsed back
    (SQLite stores ISO text: its julianday; PostgreSQL: date minus date is an integer)."""
    name = column.key
    if conn.dialect.name == "sqlite":
        days = sa.cast(sa.func.julianday(column) - 2440587.5, sa.Integer)
    elif conn.dialect.name == "postgresql":
        days = sa.type_coerce(column - sa.literal(dt.date(1970, 1, 1), sa.Date), sa.Integer)
    else:
        return column
    return sa.func.coalesce(days, bulk.NO_DAY).label(name)


def _days(series: pd.Series) -> np.ndarray:
    """Dates (date objects or ISO strings, or int days already: :func:`_day_sql`) → int days since 1970;
    NaT → ``bulk.NO_DAY`` (a day before 1970 is negative)."""
    if pd.api.types.is_integer_dtype(series.dtype):
        return series.to_numpy("int64")
    values = pd.to_datetime(series, format="ISO8601", errors="raise").to_numpy("datetime64[D]")
    out = (values - _EPOCH).astype("int64")
    out[np.isnat(values)] = bulk.NO_DAY
    return out


def _read(conn: Connection, stmt, *, ints: bool = False) -> pd.DataFrame:
    """The rows of ``stmt`` as a frame. ``ints``: every column is an integer, never NULL (ids, counts,
    dates as :func:`_day_sql` days) — the driver's tuples go straight into one int64 array. Else the
    frame is built column by column from the driver's tuples. (A frame built from SQLAlchemy rows asks
    each row for ``_fields``: an exception per row inside SQLAlchemy, most of the rebuild's reading time
    at 1M.)"""
    result = conn.execute(stmt)
    keys = list(result.keys())
    rows = result.cursor.fetchall() if result.cursor is not None else []
    if ints:
        try:
            array = np.array(rows, dtype="int64").reshape(len(rows), len(keys))
            return pd.DataFrame(array, columns=keys)
        except TypeError:  # a NULL after all (a column the schema lets be empty): the general way
            pass
    columns = list(zip(*rows, strict=True)) or [()] * len(keys)
    return pd.DataFrame({k: list(c) for k, c in zip(keys, columns, strict=True)}, columns=keys)


def _events(conn: Connection, township_ids: list[int] | None = None,
            enterprise_ids: list[int] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Enterprises and their events: all of them, those of ``township_ids`` (where they are now), or
    the enterprises ``enterprise_ids`` (a few: an edit's)."""
    E = Enterprise.__table__
    d = lambda column: _day_sql(conn, column)  # noqa: E731 - dates read as int days, not date objects
    stmt = sa.select(E.c.id, E.c.township_id, E.c.employees, E.c.party_members, d(E.c.registered_on), d(E.c.closed_on),
                     # the 三有 flags as 0/1 (every column an integer: the fast read)
                     sa.cast(sa.and_(E.c.fixed_premises, E.c.trading), sa.Integer).label("flags"))
    ids_in_towns = None
    if township_ids is not None:
        stmt = stmt.where(E.c.township_id.in_(township_ids))
        ids_in_towns = sa.select(E.c.id).where(E.c.township_id.in_(township_ids))
    elif enterprise_ids is not None:
        stmt = stmt.where(E.c.id.in_(enterprise_ids))
        ids_in_towns = list(enterprise_ids)
    ent = _read(conn, stmt, ints=True)

    def of_towns(select, t: sa.Table):
        return select if ids_in_towns is None else select.where(t.c.enterprise_id.in_(ids_in_towns))

    frames = []

    def add(eids, days, **deltas):
        keep = days != bulk.NO_DAY
        frame = {"eid": np.asarray(eids)[keep], "day": days[keep]}
        for k, v in deltas.items():
            frame[k] = np.broadcast_to(np.asarray(v), keep.shape)[keep]
        frames.append(pd.DataFrame(frame))

    add(ent["id"].to_numpy(), _days(ent["registered_on"]), op=1)
    add(ent["id"].to_numpy(), _days(ent["closed_on"]), op=-1)
    UO, PO = UnionOrg.__table__, PartyOrg.__table__
    for model, start, end, col, own in (
        (UnionCoverage, "start_on", "end_on", "u", lambda t: (UO, UO.c.id == t.c.union_id, sa.and_(
            UO.c.enterprise_id.is_not(None), UO.c.enterprise_id == t.c.enterprise_id))),
        (PartyCoverage, "start_on", "end_on", "p", lambda t: (PO, PO.c.id == t.c.party_org_id, sa.and_(
            PO.c.enterprise_id.is_not(None), PO.c.enterprise_id == t.c.enterprise_id,
            PO.c.level != PartyOrgLevel.JOINT_BRANCH.value))),
        (LiaisonOfficer, "appointed_on", "ended_on", "l", None),
    ):
        t = model.__table__
        if own is None:
            df = _read(conn, of_towns(sa.select(t.c.enterprise_id, d(t.c[start]), d(t.c[end])), t), ints=True)
            add(df["enterprise_id"].to_numpy(), _days(df[start]), **{col: 1})
            add(df["enterprise_id"].to_numpy(), _days(df[end]), **{col: -1})
            continue
        # a period of the enterprise's own organisation (单独建立) also counts in ``uo`` / ``po``
        org, on, is_own = own(t)
        df = _read(conn, of_towns(sa.select(t.c.enterprise_id, d(t.c[start]), d(t.c[end]),
                                            sa.case((is_own, 1), else_=0).label("own"))
                                  .select_from(t.join(org, on)), t), ints=True)
        mine = df["own"].to_numpy().astype("int64")
        add(df["enterprise_id"].to_numpy(), _days(df[start]), **{col: 1, f"{col}o": mine})
        add(df["enterprise_id"].to_numpy(), _days(df[end]), **{col: -1, f"{col}o": -mine})
    MC = MembershipChange.__table__
    mc = _read(conn, of_towns(sa.select(MC.c.enterprise_id, d(MC.c.changed_on), MC.c.joined, MC.c.left_count), MC),
               ints=True)
    add(mc["enterprise_id"].to_numpy(), _days(mc["changed_on"]),
        m=(mc["joined"] - mc["left_count"]).to_numpy(), joined=mc["joined"].to_numpy())
    _censuses(conn, ent, of_towns, add)
    events = pd.concat(frames, ignore_index=True).fillna(0)
    for c in EVENT_COLUMNS:
        if c not in events:
            events[c] = 0
    events = events.astype({c: "int64" for c in EVENT_COLUMNS})
    return ent, events


#: what an event changes: operating, union, Party org, liaison, members, members joined, employees, Party members,
#: a union / Party organisation of its own (单独建立)
EVENT_COLUMNS = ("op", "u", "p", "l", "m", "joined", "emp", "pm", "uo", "po")


def _censuses(conn: Connection, ent: pd.DataFrame, of_towns, add) -> None:
    """Headcounts over time (``headcount_census``): an enterprise's figures as of a day are those
    of its latest census on or before it (its first census before that), and its own current
    ``employees`` / ``party_members`` from its latest census on — the same rule as
    ``dashboard.queries.coverage.headcount_as_of``. Sets ``ent.emp0`` / ``ent.pm0`` (the figures
    from the start) and adds the changes at each later census as ``emp`` / ``pm`` events."""
    ent["emp0"] = ent["employees"]
    ent["pm0"] = ent["party_members"]
    HC = HeadcountCensus.__table__
    hc = _read(conn, of_towns(sa.select(HC.c.enterprise_id, _day_sql(conn, HC.c.census_on), HC.c.employees,
                                        HC.c.party_members), HC), ints=True)
    if hc.empty:
        return
    hc = hc[hc["enterprise_id"].isin(ent["id"])].sort_values(["enterprise_id", "census_on"], kind="stable")
    current = ent.set_index("id")
    last = ~hc["enterprise_id"].duplicated(keep="last").to_numpy()
    eids = hc["enterprise_id"].to_numpy()
    emp = hc["employees"].to_numpy().astype("int64")
    pm = hc["party_members"].to_numpy().astype("int64")
    days = _days(hc["census_on"])
    # from the latest census on, the enterprise's own figures count (they equal that census when the
    # import wrote both; a write elsewhere may differ): a change on that day
    add(eids[last], days[last], emp=current["employees"].loc[eids[last]].to_numpy() - emp[last],
        pm=current["party_members"].loc[eids[last]].to_numpy() - pm[last])
    first = ~hc["enterprise_id"].duplicated(keep="first").to_numpy()
    base = pd.DataFrame({"emp0": emp[first], "pm0": pm[first]}, index=eids[first])
    pos = ent["id"].isin(base.index).to_numpy()
    ent.loc[pos, "emp0"] = base["emp0"].loc[ent["id"].to_numpy()[pos]].to_numpy()
    ent.loc[pos, "pm0"] = base["pm0"].loc[ent["id"].to_numpy()[pos]].to_numpy()
    later = ~first
    d_emp = emp - np.roll(emp, 1)
    d_pm = pm - np.roll(pm, 1)
    add(eids[later], days[later], emp=d_emp[later], pm=d_pm[later])


def _sweep(ent: pd.DataFrame, events: pd.DataFrame, min_employees: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per (township, day): the change of every measure; and each enterprise's pattern periods (a
    period also ends when the enterprise enters or leaves the 三有 base: ``inb``). ``min_employees``:
    the base's staff threshold (default: the setting)."""
    if min_employees is None:
        min_employees = base_min_employees()
    if events.empty:
        return (pd.DataFrame(columns=["day", "township_id", *STOCK_MEASURES, *BASE_MEASURES, "new_members"],
                             dtype="int64"),
                pd.DataFrame(columns=["eid", "town", "code", "inb", "day", "until"], dtype="int64"))
    ev = events.groupby(["eid", "day"], sort=True, as_index=False).sum()
    state = ev.groupby("eid")[["op", "u", "p", "l", "m", "emp", "pm", "uo", "po"]].cumsum()
    info = ent.set_index("id").loc[ev["eid"].to_numpy()]
    emp = info["emp0"].to_numpy() + state["emp"].to_numpy()
    pm = info["pm0"].to_numpy() + state["pm"].to_numpy()
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
        "party_or_liaison": p | lia,
        "unionised_own": u & (state["uo"].to_numpy() > 0),
        "with_party_org_own": p & (state["po"].to_numpy() > 0),
        "employees_unionised": np.where(u, emp, 0),
        "members_unionised": np.where(u, state["m"].to_numpy(), 0),
    }
    for k, pat in enumerate(PATTERN_CODES):
        level[f"pattern_{pat.value}"] = code == k
    # the same over the 三有 base (the SQL twin: dashboard.queries.coverage.in_base): fixed premises and
    # trading (as last verified), and the employees as of the day
    inb = op & (info["flags"].to_numpy() > 0) & (emp >= min_employees)
    for k in list(level):
        value = np.asarray(level[k])
        level[BASE_PREFIX + k] = np.where(inb, value, 0) if value.dtype != bool else value & inb
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
    change = first | (code != np.roll(code, 1)) | (inb != np.roll(inb, 1))
    periods = pd.DataFrame({"eid": ev["eid"].to_numpy()[change], "town": township[change], "code": code[change],
                            "inb": inb[change].astype("int64"), "day": ev["day"].to_numpy()[change]})
    nxt = periods["day"].shift(-1)
    same = periods["eid"].shift(-1) == periods["eid"]
    periods["until"] = np.where(same, nxt, bulk.NO_DAY).astype("int64")
    periods = periods[periods["code"] >= 0]
    return per_day, periods


def _new_unions(conn: Connection, township_ids: list[int] | None = None,
                union_ids: list[int] | None = None) -> pd.DataFrame:
    """Unions founded (federations apart) per (day, township): all, those of ``township_ids``, or
    the union organisations ``union_ids``."""
    UO = UnionOrg.__table__
    stmt = sa.select(UO.c.township_id, _day_sql(conn, UO.c.founded_on)).where(UO.c.kind != UnionKind.FEDERATION.value)
    if township_ids is not None:
        stmt = stmt.where(UO.c.township_id.in_(township_ids))
    elif union_ids is not None:
        stmt = stmt.where(UO.c.id.in_(union_ids))
    df = _read(conn, stmt, ints=True)
    df["day"] = _days(df["founded_on"])
    return df.groupby(["day", "township_id"], as_index=False).size().rename(columns={"size": "new_unions"})


def _to_dates(days: np.ndarray) -> list[dt.date | None]:
    base = dt.date(1970, 1, 1)
    return [None if d == bulk.NO_DAY else base + dt.timedelta(days=int(d)) for d in days]


def _month_number(days: np.ndarray) -> np.ndarray:
    """int days since 1970 → int months since 1970-01."""
    return days.astype("datetime64[D]").astype("datetime64[M]").astype("int64")


def _cumulative_months(per_day: pd.DataFrame, measures: list[str], until: dt.date) -> pd.DataFrame:
    """Every (month, township) from the first event's month to ``until``'s month (or the last
    event's, if later), with each measure accumulated through the end of that month."""
    if per_day.empty:
        return pd.DataFrame(columns=["month", "township_id", *measures])
    month_no = _month_number(per_day["day"].to_numpy())
    last = max(int(month_no.max()), _month_of(until))
    return _cumulative(per_day, measures, int(month_no.min()), last)


def _month_of(day: dt.date) -> int:
    """A date → int months since 1970-01."""
    return (day.year - 1970) * 12 + day.month - 1


def _month_date(month_no: int) -> dt.date:
    return dt.date(1970 + month_no // 12, month_no % 12 + 1, 1)


def _cumulative(per_day: pd.DataFrame, measures: list[str], first: int, last: int) -> pd.DataFrame:
    """Months ``first``…``last`` (int months since 1970-01) × the townships of ``per_day``, each measure
    accumulated through the end of the month (``per_day`` has no day before month ``first``)."""
    if per_day.empty:
        return pd.DataFrame(columns=["month", "township_id", *measures])
    month_no = _month_number(per_day["day"].to_numpy())
    sums = per_day.assign(m=month_no).groupby(["m", "township_id"])[measures].sum()
    grid = pd.MultiIndex.from_product([range(first, last + 1), sorted(per_day["township_id"].unique())],
                                      names=["m", "township_id"])
    cum = sums.reindex(grid, fill_value=0).groupby(level="township_id").cumsum().reset_index()
    first_days = (cum["m"].to_numpy().astype("datetime64[M]").astype("datetime64[D]") - _EPOCH).astype("int64")
    return cum.drop(columns="m").assign(month=first_days)[["month", "township_id", *measures]]


def _per_day(stocks: pd.DataFrame, flows: pd.DataFrame) -> pd.DataFrame:
    """Stock changes and flows per (day, township), rows where something changes, in key order."""
    per_day = stocks.merge(flows, on=["day", "township_id"], how="outer").fillna(0)
    measures = list(SUMMARY_MEASURES)
    per_day = per_day.astype({m: "int64" for m in measures} | {"day": "int64", "township_id": "int64"})
    return per_day[(per_day[measures] != 0).any(axis=1)].sort_values(["day", "township_id"])


def _states(ent: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """``enterprise_state`` rows (without ``id``; dates as int days in ``_from`` and ``_to``)."""
    members = ent.set_index("id")["party_members"]
    return pd.DataFrame({
        "enterprise_id": periods["eid"].to_numpy(), "township_id": periods["town"].to_numpy(),
        "party_members": members.loc[periods["eid"].to_numpy()].to_numpy(),
        "pattern": np.array([p.value for p in PATTERN_CODES], dtype=object)[periods["code"].to_numpy("int64")],
        "in_base": periods["inb"].to_numpy() > 0,
        "_from": periods["day"].to_numpy(), "_to": periods["until"].to_numpy(),
    })


_BATCH = 50_000


def _write(conn: Connection, table: sa.Table, frame: pd.DataFrame, date_cols: dict[str, str],
           report: Callable[[str, int, int], None]) -> None:
    """Insert ``frame`` into ``table``; ``date_cols`` maps a date column to the frame's int-days column.
    In bulk (``models.bulk``: executemany of plain tuples on SQLite, COPY on PostgreSQL), in the
    caller's transaction."""
    total = len(frame)
    columns = [c for c in frame.columns if c not in date_cols.values()] + list(date_cols)
    rows = bulk.frame_rows(frame, columns, date_cols, bulk.dates_as_text(conn))
    report(f"summary: {table.name}", 0, total)
    bulk.write_rows(conn, table, columns, rows, batch_size=_BATCH,
                    progress=lambda done: report(f"summary: {table.name}", done, total))


def _store_fingerprint(conn: Connection) -> None:
    info = DatasetInfo.__table__
    conn.execute(info.delete().where(info.c.key == FINGERPRINT_KEY))
    conn.execute(info.insert().values(key=FINGERPRINT_KEY, value=fingerprint(conn)))


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
    stocks, periods = _sweep(ent, events)
    per_day = _per_day(stocks, _new_unions(conn))
    measures = list(SUMMARY_MEASURES)
    months = _cumulative_months(per_day, measures, until=today or dt.date.today())

    # every row is replaced. On SQLite the tables' indexes are dropped and built again after the rows
    # are in (one sort per index instead of millions of inserts into it), in this transaction: its
    # readers (WAL) keep the old snapshot, indexes included. The rows are deleted first: Python's
    # sqlite3 opens its transaction at the first DELETE/INSERT only, and a DROP INDEX before it would
    # be committed at once (a failure later would leave no index). Not on PostgreSQL: DROP INDEX
    # locks the table against every reader until the commit — the pages would wait on the rebuild.
    for table in (coverage_delta, coverage_month, enterprise_state):
        conn.execute(table.delete())
    indexes = [ix for table in (coverage_delta, coverage_month, enterprise_state) for ix in table.indexes
               ] if conn.dialect.name == "sqlite" else []
    for ix in indexes:
        ix.drop(conn, checkfirst=True)
    _write(conn, coverage_delta, per_day.rename(columns={"day": "_day"}), {"day": "_day"}, report)
    _write(conn, coverage_month, months.rename(columns={"month": "_month"}), {"month": "_month"}, report)
    states = _states(ent, periods)
    states.insert(0, "id", np.arange(1, len(states) + 1))
    _write(conn, enterprise_state, states, {"valid_from": "_from", "valid_to": "_to"}, report)
    for k, ix in enumerate(indexes):
        report("summary: indexes", k, len(indexes))
        ix.create(conn)
    report("summary: indexes", len(indexes), len(indexes))
    _store_fingerprint(conn)
    return {"coverage_delta": len(per_day), "coverage_month": len(months), "enterprise_state": len(states)}


def _first_day(conn: Connection, towns: list[int], *, last: bool) -> int | None:
    """The first (or last) day of ``coverage_delta`` outside ``towns``, as int days (None: no row).
    Walks the primary key (day, township_id) from one end: a few rows read."""
    CD = coverage_delta
    order = CD.c.day.desc() if last else CD.c.day.asc()
    day = conn.execute(sa.select(CD.c.day).where(CD.c.township_id.not_in(towns)).order_by(order).limit(1)).scalar()
    return None if day is None else int(_days(pd.Series([day]))[0])


def _rewrite_months(conn: Connection, towns: list[int], per_day: pd.DataFrame, start: int | None,
                    today: dt.date) -> int:
    """``coverage_month`` for ``towns`` from ``start``'s month (int days; None: every month), given
    their whole ``per_day`` (the rows ``coverage_delta`` holds for them): the month range every
    township's rows span kept as a full rebuild would make it. Returns the rows written."""
    measures = list(SUMMARY_MEASURES)
    CM = coverage_month
    noop = lambda *_: None  # noqa: E731
    ends = [d for d in (_first_day(conn, towns, last=False), _first_day(conn, towns, last=True)) if d is not None]
    if len(per_day):
        ends += [int(per_day["day"].min()), int(per_day["day"].max())]
    month_rows = 0
    if not ends:  # no change anywhere: a full rebuild writes no month
        conn.execute(CM.delete())
    else:
        first_m = int(_month_number(np.array([min(ends)]))[0])
        last_m = max(int(_month_number(np.array([max(ends)]))[0]), _month_of(today))
        lo, hi = conn.execute(sa.select(sa.func.min(CM.c.month), sa.func.max(CM.c.month))).one()
        others = [] if lo is None else [int(t) for (t,) in conn.execute(
            sa.select(CM.c.township_id).where(CM.c.month == lo, CM.c.township_id.not_in(towns)))]
        lo_m = None if lo is None else _month_of(lo)
        hi_m = None if hi is None else _month_of(hi)
        conn.execute(CM.delete().where(sa.or_(CM.c.month < _month_date(first_m), CM.c.month > _month_date(last_m))))
        extra: list[dict] = []
        if others and first_m < lo_m:  # earlier months: nothing accumulated yet in the other townships
            extra += [{"month": _month_date(m), "township_id": t, **dict.fromkeys(measures, 0)}
                      for m in range(first_m, lo_m) for t in others]
        if others and last_m > hi_m:  # later months: the other townships' last month carried forward
            last_rows = conn.execute(sa.select(CM).where(CM.c.month == hi, CM.c.township_id.not_in(towns))).mappings()
            carried = [dict(r) for r in last_rows]
            extra += [r | {"month": _month_date(m)} for m in range(hi_m + 1, last_m + 1) for r in carried]
        for k in range(0, len(extra), _BATCH):
            conn.execute(CM.insert(), extra[k:k + _BATCH])
        month_rows += len(extra)

        months = _cumulative(per_day, measures, first_m, last_m)
        start_m = None if start is None else int(_month_number(np.array([start]))[0])
        cond = CM.c.township_id.in_(towns)
        if start_m is not None:  # earlier months are unchanged, but a township without rows now has none
            gone = sorted(set(towns) - set(months["township_id"].astype("int64")))
            cond = sa.and_(cond, sa.or_(CM.c.month >= _month_date(start_m), CM.c.township_id.in_(gone)))
        conn.execute(CM.delete().where(cond))
        kept = _read(conn, sa.select(CM.c.month, CM.c.township_id).where(CM.c.township_id.in_(towns)))
        if len(kept) and len(months):
            kept_keys = set(zip(_month_number(_days(kept["month"])).tolist(), kept["township_id"].astype("int64"),
                                strict=True))
            month_no = _month_number(months["month"].to_numpy().astype("int64"))
            new = [(int(m), int(t)) not in kept_keys
                   for m, t in zip(month_no, months["township_id"].to_numpy(), strict=True)]
            months = months[np.asarray(new, dtype=bool)]
        _write(conn, CM, months.rename(columns={"month": "_month"}), {"month": "_month"}, noop)
        month_rows += len(months)

    return month_rows


def refresh_summaries(conn: Connection, township_ids: Iterable[int], since: dt.date | None = None,
                      today: dt.date | None = None) -> dict[str, object]:
    """Bring the summary tables up to date for these townships only, after a write that changed
    the data of their enterprises (an import): in the caller's transaction, no commit.

    The result is row for row what ``rebuild_summaries(conn, today=today)`` would write
    (``enterprise_state.id`` apart), provided that the summaries were up to date for every other
    township and that the change stayed within ``township_ids``:

    * pass every township an enterprise (or a union organisation) of the change is in now **and
      was in before** — an enterprise moved from A to B needs both A and B;
    * ``since``, if given, is the earliest date any changed source row refers to, before or after
      the change (a registration, closure, coverage period, appointment, membership change or
      founding date): ``coverage_delta`` is rewritten from that day, ``coverage_month`` from its
      month. Without it, every day of these townships is rewritten. An enterprise that changed
      township, or is new to the summaries, counts from its first event whatever ``since`` says
      (detected from ``enterprise_state``). Other changes before ``since`` are not detected.

    For these townships' enterprises the whole history is swept (earlier events decide the state);
    ``enterprise_state`` rows are replaced for the enterprises now in these townships and for any row
    of these townships (new ids after the largest one). The month range of ``coverage_month`` is
    kept the full rebuild's — from the first month with a change anywhere to ``today``'s month
    (default: the real today) or the last change's — adding or trimming months of other townships
    when it moves. Then the fingerprint is stored, so the query layer uses the summaries again.

    With no summaries built yet (no fingerprint stored), this is a full rebuild.
    Returns the rows written per table, the enterprises swept and the day rewriting started from.
    """
    if stored_fingerprint(conn) is None:
        return dict(rebuild_summaries(conn, today=today)) | {"full_rebuild": True}
    today = today or dt.date.today()
    towns = sorted({int(t) for t in township_ids})
    E, CD, ES = Enterprise.__table__, coverage_delta, enterprise_state
    noop = lambda *_: None

    ent, events = _events(conn, towns)
    stocks, periods = _sweep(ent, events)
    per_day = _per_day(stocks, _new_unions(conn, towns))
    ids_in_towns = sa.select(E.c.id).where(E.c.township_id.in_(towns))

    # ``since`` does not cover an enterprise that moved here or is new: its whole history changed
    start = None if since is None else int((np.datetime64(since, "D") - _EPOCH).astype("int64"))
    if start is not None and len(events):
        before = _read(conn, sa.select(ES.c.enterprise_id, ES.c.township_id)
                       .where(ES.c.enterprise_id.in_(ids_in_towns)).distinct())
        now_in = ent.set_index("id")["township_id"]
        known = set(before["enterprise_id"].astype("int64"))
        moved = set(before.loc[before["township_id"].to_numpy() != now_in.loc[before["enterprise_id"]].to_numpy(),
                               "enterprise_id"].astype("int64"))
        swept = set(periods["eid"].astype("int64"))  # enterprises with a pattern period now
        suspects = moved | (swept - known)
        if suspects:
            first = int(events.loc[events["eid"].isin(suspects), "day"].min())
            start = min(start, first)

    # coverage_delta: these townships' days from ``start``
    cond = CD.c.township_id.in_(towns)
    if start is not None:
        cond = sa.and_(cond, CD.c.day >= _to_dates(np.array([start]))[0])
    conn.execute(CD.delete().where(cond))
    delta_rows = per_day if start is None else per_day[per_day["day"] >= start]
    _write(conn, CD, delta_rows.rename(columns={"day": "_day"}), {"day": "_day"}, noop)

    month_rows = _rewrite_months(conn, towns, per_day, start, today)

    # enterprise_state: every row of these enterprises and of these townships, replaced
    conn.execute(ES.delete().where(ES.c.enterprise_id.in_(ids_in_towns)))
    conn.execute(ES.delete().where(ES.c.township_id.in_(towns)))
    states = _states(ent, periods)
    next_id = conn.execute(sa.select(sa.func.coalesce(sa.func.max(ES.c.id), 0))).scalar_one() + 1
    states.insert(0, "id", np.arange(next_id, next_id + len(states)))
    _write(conn, ES, states, {"valid_from": "_from", "valid_to": "_to"}, noop)

    _store_fingerprint(conn)
    return {"coverage_delta": len(delta_rows), "coverage_month": month_rows, "enterprise_state": len(states),
            "enterprises": len(ent), "townships": len(towns),
            "from_day": None if start is None else _to_dates(np.array([start]))[0]}


# --------------------------------------------------------------------------- one edit's enterprises


class Before:
    """What a few enterprises (and union organisations) contributed to the summaries before an
    edit: taken by :func:`before`, used by :func:`after`. ``None`` from :func:`before` means the
    summaries were not up to date: :func:`after` then leaves them so (the query layer keeps using
    the exact SQL until a rebuild)."""

    def __init__(self, enterprise_ids: set[int], union_ids: set[int], per_day: pd.DataFrame):
        self.enterprise_ids = enterprise_ids
        self.union_ids = union_ids
        self.per_day = per_day


def _contribution(conn: Connection, enterprise_ids: set[int], union_ids: set[int]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """These enterprises' changes per (day, township) — their whole history swept — with the
    foundings of these union organisations; and their pattern periods (``ent``, ``periods``)."""
    ent, events = _events(conn, enterprise_ids=sorted(enterprise_ids))
    stocks, periods = _sweep(ent, events)
    flows = _new_unions(conn, union_ids=sorted(union_ids))
    return _per_day(stocks, flows), ent, periods


def before(conn: Connection, enterprise_ids: Iterable[int], union_ids: Iterable[int] = (), *,
           fresh: bool | None = None) -> Before | None:
    """Call in the edit's transaction before it changes these enterprises' rows (after a first write
    that locks them — the row version — so no other edit changes them in between). ``fresh``: the
    summaries' state read before that first write (the write itself moves ``data_version``); by
    default it is read now."""
    if not (is_fresh(conn) if fresh is None else fresh):
        return None
    eids, uids = {int(i) for i in enterprise_ids}, {int(i) for i in union_ids}
    per_day, _, _ = _contribution(conn, eids, uids)
    return Before(eids, uids, per_day)


def after(conn: Connection, was: Before | None, enterprise_ids: Iterable[int] = (), union_ids: Iterable[int] = (),
          today: dt.date | None = None) -> dict[str, int]:
    """Bring the summaries up to date after an edit of a few enterprises, in its transaction.

    ``enterprise_ids`` / ``union_ids``: rows created by the edit (a new enterprise, a new union),
    besides those given to :func:`before`. The difference of their contributions after and before
    is added to ``coverage_delta`` (a row whose every measure comes to 0 is removed, as a full
    rebuild writes none), ``coverage_month`` is rewritten for the townships concerned from the
    month of the first changed day, their ``enterprise_state`` rows are replaced, and the
    fingerprint is stored again — the same figures as a full :func:`rebuild_summaries` (tests check).
    Returns the rows changed per table (empty when the summaries were stale before)."""
    if was is None:
        return {}
    today = today or dt.date.today()
    eids = was.enterprise_ids | {int(i) for i in enterprise_ids}
    uids = was.union_ids | {int(i) for i in union_ids}
    now, ent, periods = _contribution(conn, eids, uids)
    measures = list(SUMMARY_MEASURES)
    key = ["day", "township_id"]
    diff = (now.set_index(key)[measures].sub(was.per_day.set_index(key)[measures], fill_value=0)
            .astype("int64"))
    diff = diff[(diff != 0).any(axis=1)].reset_index()
    CD, ES = coverage_delta, enterprise_state
    towns = sorted({int(t) for t in diff["township_id"]})
    for row in diff.itertuples(index=False):
        day = _to_dates(np.array([int(row.day)]))[0]
        where = sa.and_(CD.c.day == day, CD.c.township_id == int(row.township_id))
        changes = {m: int(getattr(row, m)) for m in measures}
        hit = conn.execute(CD.update().where(where).values({m: CD.c[m] + v for m, v in changes.items() if v}))
        if hit.rowcount == 0:
            conn.execute(CD.insert().values(day=day, township_id=int(row.township_id), **changes))
        else:
            conn.execute(CD.delete().where(where, *[CD.c[m] == 0 for m in measures]))
    month_rows = 0
    start = int(diff["day"].min()) if towns else None
    if not towns:  # no figure changed; but a full rebuild on ``today`` writes every month up to today's
        CM = coverage_month
        hi = conn.execute(sa.select(sa.func.max(CM.c.month))).scalar()
        if hi is not None and _month_of(hi) < _month_of(today):
            towns = [int(conn.execute(sa.select(CM.c.township_id).where(CM.c.month == hi).limit(1)).scalar_one())]
            start = int((np.datetime64(_month_date(_month_of(today)), "D") - _EPOCH).astype("int64"))
    if towns:
        rows = _read(conn, sa.select(CD).where(CD.c.township_id.in_(towns)))
        per_day = rows.assign(day=_days(rows["day"])).astype({m: "int64" for m in measures})
        month_rows = _rewrite_months(conn, towns, per_day, start, today)
    conn.execute(ES.delete().where(ES.c.enterprise_id.in_(sorted(eids))))
    states = _states(ent, periods)
    next_id = conn.execute(sa.select(sa.func.coalesce(sa.func.max(ES.c.id), 0))).scalar_one() + 1
    states.insert(0, "id", np.arange(next_id, next_id + len(states)))
    _write(conn, ES, states, {"valid_from": "_from", "valid_to": "_to"}, lambda *_: None)
    _store_fingerprint(conn)
    return {"coverage_delta": len(diff), "coverage_month": month_rows, "enterprise_state": len(states)}
