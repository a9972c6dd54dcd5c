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
import queue
import re
import threading
import time
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
#: the tables a rebuild writes
SUMMARY_TABLES = (coverage_delta, coverage_month, enterprise_state)


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
    dates as :func:`_day_sql` days) — on PostgreSQL (psycopg) read with a binary ``COPY … TO STDOUT``
    straight into numpy (:func:`_copy_ints`); elsewhere the driver's tuples go into one int64 array. Else the
    frame is built column by column from the driver's tuples. (A frame built from SQLAlchemy rows asks
    each row for ``_fields``: an exception per row inside SQLAlchemy, most of the rebuild's reading time
    at 1M.)"""
    if ints and conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        frame = _copy_ints(conn, stmt)
        if frame is not None:
            return frame
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


def _copy_ints(conn: Connection, stmt) -> pd.DataFrame | None:
    """PostgreSQL: the rows of ``stmt`` (integer columns) as one ``bytea`` made by the server —
    ``string_agg`` of each row's values as big-endian int8 (``int8send``) — read by numpy in place: no
    Python object per value (psycopg makes a tuple per row; its COPY TO, a message per row). None when a
    value is NULL after all (``string_agg`` would skip that row: the counts differ) or the bytes do not
    fit in one value (1 GB): the caller then reads the general way. In a savepoint, so that failure
    leaves the transaction usable."""
    import psycopg

    raw = conn.connection.driver_connection
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    keys = list(stmt.selected_columns.keys())
    quote = conn.dialect.identifier_preparer.quote
    with psycopg.ClientCursor(raw) as cur:  # the values written in the statement: one round trip, no prepare
        inner = cur.mogrify(str(compiled), compiled.params)
    values = " || ".join(f"int8send(CAST(q.{quote(k)} AS bigint))" for k in keys)
    sql = f"SELECT count(*), string_agg({values}, ''::bytea) FROM ({inner}) AS q"
    try:
        with conn.begin_nested(), raw.cursor() as cur:  # no parameters: a % in the values stays as it is
            count, data = cur.execute(sql).fetchone()
    except psycopg.Error:  # e.g. more than 1 GB of values
        return None
    data = data or b""
    if len(data) != 8 * len(keys) * count:
        return None
    rows = np.frombuffer(data, dtype=">i8").reshape(count, len(keys))
    return pd.DataFrame({key: rows[:, k].astype("int64") for k, key in enumerate(keys)}, columns=keys)


def _events(conn: Connection, township_ids: list[int] | None = None,
            enterprise_ids: list[int] | None = None,
            id_range: tuple[int, int] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Enterprises and their events: all of them, those of ``township_ids`` (where they are now), the
    enterprises ``enterprise_ids`` (a few: an edit's), or those whose id is in ``id_range`` (lo, hi
    inclusive: a full rebuild's part)."""
    E = Enterprise.__table__
    d = lambda column: _day_sql(conn, column)  # noqa: E731 - dates read as int days, not date objects
    stmt = sa.select(E.c.id, E.c.township_id, E.c.employees, E.c.party_members, d(E.c.registered_on), d(E.c.closed_on),
                     # the 三有 flags as 0/1 (every column an integer: the fast read)
                     sa.cast(sa.and_(E.c.fixed_premises, E.c.trading), sa.Integer).label("flags"))
    mine = None  # (enterprise_id column) → the condition choosing this part's rows
    if township_ids is not None:
        stmt = stmt.where(E.c.township_id.in_(township_ids))
        ids_in_towns = sa.select(E.c.id).where(E.c.township_id.in_(township_ids))
        mine = lambda c: c.in_(ids_in_towns)  # noqa: E731
    elif enterprise_ids is not None:
        stmt = stmt.where(E.c.id.in_(enterprise_ids))
        mine = lambda c: c.in_(list(enterprise_ids))  # noqa: E731
    elif id_range is not None:
        stmt = stmt.where(E.c.id.between(*id_range))
        mine = lambda c: c.between(*id_range)  # noqa: E731
    ent = _read(conn, stmt, ints=True)

    def of_towns(select, t: sa.Table):
        return select if mine is None else select.where(mine(t.c.enterprise_id))

    parts: list[tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]] = []

    def add(eids, days, **deltas):
        keep = days != bulk.NO_DAY
        parts.append((np.asarray(eids, dtype="int64")[keep], np.asarray(days, dtype="int64")[keep],
                      {k: np.broadcast_to(np.asarray(v, dtype="int64"), keep.shape)[keep] for k, v in deltas.items()}))

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
        own_ = df["own"].to_numpy().astype("int64")
        add(df["enterprise_id"].to_numpy(), _days(df[start]), **{col: 1, f"{col}o": own_})
        add(df["enterprise_id"].to_numpy(), _days(df[end]), **{col: -1, f"{col}o": -own_})
    MC = MembershipChange.__table__
    mc = _read(conn, of_towns(sa.select(MC.c.enterprise_id, d(MC.c.changed_on), MC.c.joined, MC.c.left_count), MC),
               ints=True)
    add(mc["enterprise_id"].to_numpy(), _days(mc["changed_on"]),
        m=(mc["joined"] - mc["left_count"]).to_numpy(), joined=mc["joined"].to_numpy())
    _censuses(conn, ent, of_towns, add)
    # one array per column (zeros where a part does not change it): no frame per part, no NaN filling
    events = {"eid": np.concatenate([e for e, _, _ in parts]), "day": np.concatenate([dd for _, dd, _ in parts])}
    for c in EVENT_COLUMNS:
        events[c] = np.concatenate([v[c] if c in v else np.zeros(len(e), dtype="int64") for e, _, v in parts])
    return ent, pd.DataFrame(events, copy=False)


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


def _rows_of(ids: np.ndarray, by_id: np.ndarray, eid: np.ndarray) -> np.ndarray:
    """The position in ``ids`` (``by_id``: its argsort) of each of ``eid``; KeyError for one not there.
    Ids of a few ranges (the usual 1…n): a lookup table; else a binary search."""
    if not len(eid):
        return np.zeros(0, dtype="int64")
    if not len(ids):
        raise KeyError("an event of an enterprise that is not among those read")
    lo, hi = int(ids.min()), int(ids.max())
    if hi - lo < 4 * len(ids) + 1024:
        table = np.full(hi - lo + 1, -1, dtype="int64")
        table[ids - lo] = np.arange(len(ids))
        inside = (eid >= lo) & (eid <= hi)
        row = np.where(inside, table[np.clip(eid - lo, 0, hi - lo)], -1)
        if (row < 0).any():
            raise KeyError("an event of an enterprise that is not among those read")
        return row
    at = np.searchsorted(ids, eid, sorter=by_id)
    if (at >= len(ids)).any() or (ids[by_id[np.minimum(at, len(ids) - 1)]] != eid).any():
        raise KeyError("an event of an enterprise that is not among those read")
    return by_id[at]


def _slots(key: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(key, return_inverse=True)`` for keys in 0…size-1: by marking them in a table when it is
    not much larger than the keys (no sort), else by sorting."""
    if size > 4 * len(key) + 1024:
        return np.unique(key, return_inverse=True)
    seen = np.zeros(size, dtype=bool)
    seen[key] = True
    number = np.cumsum(seen, dtype="int64") - 1
    return np.flatnonzero(seen), number[key]


def _sweep(ent: pd.DataFrame, events: pd.DataFrame, min_employees: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per (township, day): the change of every measure; and each enterprise's pattern periods (a
    period also ends when the enterprise enters or leaves the 三有 base: ``inb``). ``min_employees``:
    the base's staff threshold (default: the setting).

    In numpy, one measure at a time: the events summed per (enterprise, day) by one sort, the running
    state per enterprise by a cumulative sum less the sum before its first day, and each measure's
    change summed per (day, township) by ``bincount`` — no frame of every measure for every event."""
    if min_employees is None:
        min_employees = base_min_employees()
    stock_cols = [*STOCK_MEASURES, *BASE_MEASURES]
    if events.empty:
        return (pd.DataFrame(columns=["day", "township_id", *stock_cols, "new_members"], dtype="int64"),
                pd.DataFrame(columns=["eid", "town", "code", "inb", "day", "until"], dtype="int64"))
    ids = ent["id"].to_numpy("int64")
    by_id = np.argsort(ids, kind="stable")
    eid = events["eid"].to_numpy("int64")
    row = _rows_of(ids, by_id, eid)  # the enterprise's row in ``ent``
    day = events["day"].to_numpy("int64")
    first_day = int(day.min())
    span = int(day.max()) - first_day + 1
    # every (enterprise, day) once, in (enterprise id, day) order: ``by_id`` ranks enterprises by id
    rank = np.empty(len(ids), dtype="int64")
    rank[by_id] = np.arange(len(ids))
    key = rank[row] * span + (day - first_day)
    order = np.argsort(key, kind="stable")
    key = key[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    g_ent = by_id[key[starts] // span]  # each group's enterprise row
    g_day = key[starts] % span + first_day
    del key
    n = len(starts)
    first = np.r_[True, g_ent[1:] != g_ent[:-1]]  # an enterprise's first day
    seg = np.maximum.accumulate(np.where(first, np.arange(n), 0))  # the group of each enterprise's first day

    def summed(column: str) -> np.ndarray:
        return np.add.reduceat(events[column].to_numpy("int64")[order], starts)

    def running(column: str) -> np.ndarray:  # the state after each day: changes so far, per enterprise
        v = summed(column)
        total = np.cumsum(v)
        return total - (total[seg] - v[seg])

    township = ent["township_id"].to_numpy("int64")[g_ent]
    emp = ent["emp0"].to_numpy("int64")[g_ent] + running("emp")
    pm = ent["pm0"].to_numpy("int64")[g_ent] + running("pm")
    op = running("op") > 0
    u = op & (running("u") > 0)
    p = op & (running("p") > 0)
    lia = op & (running("l") > 0)
    qualified = op & (pm >= rules.PARTY_ORG_THRESHOLD)
    # pattern code, same order of rules as models.rules.classify; -1 when not operating
    code = np.select(
        [~op, qualified & ~p, ~u, p, lia],
        [-1, PATTERN_CODES.index(Pattern.SHOULD_BUILD), PATTERN_CODES.index(Pattern.NO_UNION),
         PATTERN_CODES.index(Pattern.UNION_AND_BRANCH), PATTERN_CODES.index(Pattern.UNION_AND_LIAISON)],
        default=PATTERN_CODES.index(Pattern.UNION_ONLY),
    ).astype("int8")
    # the same over the 三有 base (the SQL twin: dashboard.queries.coverage.in_base): fixed premises and
    # trading (as last verified), and the employees as of the day
    inb = op & (ent["flags"].to_numpy("int64")[g_ent] > 0) & (emp >= min_employees)

    # per (day, township): one slot each, in (day, township) order
    town_ids, town = np.unique(township, return_inverse=True)
    cell, slot = _slots((g_day - first_day) * len(town_ids) + town, span * len(town_ids))
    per_day = {"day": cell // len(town_ids) + first_day, "township_id": town_ids[cell % len(town_ids)]}

    first_at = np.flatnonzero(first)

    def add_level(name: str, level: np.ndarray) -> None:
        """The level after each day → its changes (the level itself on an enterprise's first day) summed per
        slot; a level changes on few days: only those are added (a 0/1 level's changes as int8)."""
        level = level.view(np.int8) if level.dtype == bool else level.astype("int64")
        change = np.empty_like(level)
        change[0] = level[0]
        np.subtract(level[1:], level[:-1], out=change[1:])
        change[first_at] = level[first_at]
        nz = np.flatnonzero(change)
        per_day[name] = np.rint(np.bincount(slot[nz], weights=change[nz], minlength=len(cell))).astype("int64")

    members = running("m")
    levels = {
        "operating": lambda: op,
        "unionised": lambda: u,
        "with_party_org": lambda: p,
        "qualified": lambda: qualified,
        "qualified_with_party_org": lambda: qualified & p,
        "party_or_liaison_unionised": lambda: u & (p | lia),
        "party_or_liaison": lambda: p | lia,
        "unionised_own": lambda: u & (running("uo") > 0),
        "with_party_org_own": lambda: p & (running("po") > 0),
        "employees_unionised": lambda: np.where(u, emp, 0),
        "members_unionised": lambda: np.where(u, members, 0),
        **{f"pattern_{pat.value}": (lambda k=k: code == k) for k, pat in enumerate(PATTERN_CODES)},
    }
    for name in STOCK_MEASURES:
        value = levels[name]()
        add_level(name, value)
        add_level(BASE_PREFIX + name, value & inb if value.dtype == bool else np.where(inb, value, 0))
    per_day["new_members"] = np.rint(np.bincount(slot, weights=summed("joined"), minlength=len(cell))).astype("int64")
    per_day = pd.DataFrame(per_day, columns=["day", "township_id", *stock_cols, "new_members"], copy=False)

    # pattern periods: rows where the code or the base changes within an enterprise
    change = first.copy()
    change[1:] |= (code[1:] != code[:-1]) | (inb[1:] != inb[:-1])
    at = np.flatnonzero(change)
    p_ent = g_ent[at]
    until = np.full(len(at), bulk.NO_DAY, dtype="int64")
    same = p_ent[1:] == p_ent[:-1]
    until[:-1][same] = g_day[at[1:]][same]
    keep = code[at] >= 0
    periods = pd.DataFrame({"eid": ids[p_ent][keep], "town": township[at][keep], "code": code[at][keep].astype("int64"),
                            "inb": inb[at][keep].astype("int64"), "day": g_day[at][keep], "until": until[keep]})
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
    return _cumulative_of_sums(_month_sums(per_day, measures), sorted(per_day["township_id"].unique()), measures,
                               first, last)


def _month_sums(per_day: pd.DataFrame, measures: list[str]) -> pd.DataFrame:
    """``per_day`` summed per (month number, township): the index (m, township_id)."""
    month_no = _month_number(per_day["day"].to_numpy())
    return per_day.assign(m=month_no).groupby(["m", "township_id"])[measures].sum()


def _cumulative_of_sums(sums: pd.DataFrame, townships: list[int], measures: list[str], first: int,
                        last: int) -> pd.DataFrame:
    """:func:`_cumulative` from the month sums (:func:`_month_sums`) of ``townships``."""
    grid = pd.MultiIndex.from_product([range(first, last + 1), townships], names=["m", "township_id"])
    cum = sums.reindex(grid, fill_value=0).groupby(level="township_id").cumsum().reset_index()
    first_days = (cum["m"].to_numpy().astype("datetime64[M]").astype("datetime64[D]") - _EPOCH).astype("int64")
    return cum.drop(columns="m").assign(month=first_days)[["month", "township_id", *measures]]


def _per_day(stocks: pd.DataFrame, flows: pd.DataFrame) -> pd.DataFrame:
    """Stock changes and flows per (day, township), rows where something changes, in key order."""
    per_day = stocks.merge(flows, on=["day", "township_id"], how="outer").fillna(0)
    measures = list(SUMMARY_MEASURES)
    per_day = per_day.astype({m: "int64" for m in measures} | {"day": "int64", "township_id": "int64"})
    return per_day[(per_day[measures] != 0).any(axis=1)].sort_values(["day", "township_id"])


def _states(ent: pd.DataFrame, periods: pd.DataFrame, *, codes: bool = False) -> pd.DataFrame:
    """``enterprise_state`` rows (without ``id``; dates as int days in ``_from`` and ``_to``); ``codes``: the
    pattern as its sweep code (an index into :data:`PATTERN_CODES`), not its value."""
    ids = ent["id"].to_numpy("int64")
    by_id = np.argsort(ids, kind="stable")
    eids = periods["eid"].to_numpy("int64")
    code = periods["code"].to_numpy("int64")
    return pd.DataFrame({
        "enterprise_id": eids, "township_id": periods["town"].to_numpy(),
        "party_members": ent["party_members"].to_numpy("int64")[by_id[np.searchsorted(ids, eids, sorter=by_id)]],
        "pattern": code if codes else np.array([p.value for p in PATTERN_CODES], dtype=object)[code],
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


#: enterprises swept at a time by a full rebuild (whole townships, by township id): what bounds its memory
#: (about 2 GB per million enterprises at the peak, the scale data's 4 events each); 10M enterprises are
#: swept in ten parts, each reading its townships' events only
PART_ENTERPRISES = 1_000_000


def _parts(conn: Connection, size: int) -> list[list[int] | None]:
    """The townships of each part of a full rebuild: ``[None]`` (everything at once) when the enterprises
    fit in one part; else consecutive townships (by id) of at most ``size`` enterprises together (a
    township larger than that is a part of its own)."""
    E = Enterprise.__table__
    counts = conn.execute(sa.select(E.c.township_id, sa.func.count()).group_by(E.c.township_id)
                          .order_by(E.c.township_id)).all()
    if sum(n for _, n in counts) <= size:
        return [None]
    parts: list[list[int] | None] = []
    current: list[int] = []
    total = 0
    for township, n in counts:
        if current and total + n > size:
            parts.append(current)
            current, total = [], 0
        current.append(int(township))
        total += n
    if current:
        parts.append(current)
    # unions of townships without enterprises still count as founded there
    UO = UnionOrg.__table__
    have = {int(t) for t, _ in counts}
    others = sorted({int(t) for (t,) in conn.execute(sa.select(UO.c.township_id).distinct())} - have)
    if others:
        parts.append(others)
    return parts


class _InPlace:
    """The rebuilt rows written into the live tables, in the rebuild's transaction (SQLite; PostgreSQL
    when the tables cannot be swapped: :class:`_Swap`). Every row is deleted first; on SQLite the tables'
    indexes are dropped and built again after the rows are in (one sort per index instead of millions of
    inserts into it), in this transaction: its readers (WAL) keep the old snapshot, indexes included. The
    rows are deleted first: Python's sqlite3 opens its transaction at the first DELETE/INSERT only, and a
    DROP INDEX before it would be committed at once (a failure later would leave no index). Not on
    PostgreSQL: DROP INDEX locks the table against every reader until the commit."""

    def __init__(self, conn: Connection, report):
        self.conn, self.report = conn, report
        for table in SUMMARY_TABLES:
            conn.execute(table.delete())
        self.indexes = [ix for table in SUMMARY_TABLES for ix in table.indexes] if conn.dialect.name == "sqlite" else []
        for ix in self.indexes:
            ix.drop(conn, checkfirst=True)

    def write(self, table: sa.Table, frame: pd.DataFrame, date_cols: dict[str, str]) -> None:
        if table is enterprise_state:  # the pattern's code → its value
            frame = frame.assign(pattern=np.array([p.value for p in PATTERN_CODES], dtype=object)[frame["pattern"]])
        _write(self.conn, table, frame, date_cols, self.report)

    def done(self, table: sa.Table) -> None:
        pass

    def finish(self) -> None:
        for k, ix in enumerate(self.indexes):
            self.report("summary: indexes", k, len(self.indexes))
            ix.create(self.conn)
        self.report("summary: indexes", len(self.indexes), len(self.indexes))


#: the PostgreSQL type OIDs :class:`_Swap` writes with ``bulk.copy_arrays``
_KINDS = {20: "int8", 21: "int2", 23: "int4", 16: "bool", 1082: "date", 25: "text", 1043: "text"}


class _Swap:
    """PostgreSQL, a rebuild given an engine: the summary tables rebuilt beside the live ones, then
    swapped in — readers are not blocked by the rebuild, only by the swap itself (a few catalog updates).

    Each table ``T`` gets a new table ``T__new`` (``CREATE TABLE … (LIKE T INCLUDING …)``: columns,
    defaults, NOT NULL and CHECK constraints, storage, column comments; the table's comment, storage
    parameters, owner, grants and column statistics targets copied from the catalog), filled by a binary
    ``COPY … FREEZE`` without any index (its rows visible to every snapshot once committed, the visibility
    map set: index-only scans work at once); then every index and constraint ``T`` has is made again
    from the catalog's own definitions (``pg_get_indexdef``, ``pg_get_constraintdef``) — indexes and
    primary/unique keys under temporary names, foreign keys under their own — and the new table ANALYZEd.
    This is done by two threads, each with a connection and a transaction of its own (``coverage_delta``
    and ``coverage_month``; ``enterprise_state``), committed before the swap: the server works on both,
    and the rebuild goes on reading and sweeping, at the same time.

    The swap, in the rebuild's transaction (:meth:`_swap`), waiting at most
    :data:`SWAP_LOCK_TIMEOUT_MS` for its locks and else letting the readers go on and trying again:
    ``LOCK`` the live tables, rename them (and their indexes and keys) ``T__old``, move each owned
    sequence to the new column, give the new tables, indexes and keys the live names. After the commit
    the old tables are dropped (:func:`_drop_leftovers`). A failure leaves the live tables as they were
    (new tables already committed are dropped after the rebuild's transaction ended; one left by a crash,
    by the next rebuild).

    :func:`swappable` says why not when a table has something this does not copy (a trigger, a rule, a
    row-security policy, a view or a foreign key that depends on it, …): the rebuild then writes in place."""

    SUFFIX = "__new"
    #: the tables each thread makes
    GROUPS = (("coverage_delta", "coverage_month"), ("enterprise_state",))

    def __init__(self, conn: Connection, report):
        self.conn, self.report = conn, report
        self.quote = conn.dialect.identifier_preparer.quote
        self.catalog = {t.name: _catalog(conn, t.name) for t in SUMMARY_TABLES}
        self.builders: dict[str, _Builder] = {}
        for group in self.GROUPS:
            builder = _Builder(self, conn.engine, group)
            self.builders |= dict.fromkeys(group, builder)

    def new(self, name: str) -> str:
        return _new_name(name, self.SUFFIX)

    def create(self, conn: Connection, name: str) -> None:
        """The new table of ``name``, empty, without indexes or keys."""
        q, new, cat = self.quote, self.quote(self.new(name)), self.catalog[name]
        run = lambda sql: _ddl(conn, sql)  # noqa: E731
        run(f"DROP TABLE IF EXISTS {new}")
        run(f"CREATE TABLE {new} (LIKE {q(name)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE "
            "INCLUDING COMMENTS INCLUDING COMPRESSION)")
        if cat["comment"] is not None:
            run(f"COMMENT ON TABLE {new} IS {_literal(conn, cat['comment'])}")
        if cat["reloptions"]:
            run(f"ALTER TABLE {new} SET ({', '.join(cat['reloptions'])})")
        for column, target in cat["stat_targets"]:
            run(f"ALTER TABLE {new} ALTER COLUMN {q(column)} SET STATISTICS {int(target)}")
        if cat["owner"] != cat["me"]:
            run(f"ALTER TABLE {new} OWNER TO {q(cat['owner'])}")
        for grant in cat["grants"]:
            run(grant.replace("{table}", new))

    def write(self, table: sa.Table, frame: pd.DataFrame, date_cols: dict[str, str]) -> None:
        name = self.new(table.name)
        columns = [c for c in frame.columns if c not in date_cols.values()] + list(date_cols)
        types = self.catalog[table.name]["types"]
        arrays = []
        for col in columns:
            kind = _KINDS.get(types.get(col))
            if kind is None:  # a programming error: a column of a type this does not write
                raise TypeError(f"{table.name}.{col}: type {types.get(col)} not written by bulk.copy_arrays")
            source = frame[date_cols.get(col, col)]
            if kind == "text":  # the only text column: enterprise_state.pattern, as sweep codes
                if (table is not enterprise_state) or col != "pattern":
                    raise TypeError(f"{table.name}.{col}: a text column not written by bulk.copy_arrays")
                arrays.append(bulk.Column(col, kind, source.to_numpy(), labels=[p.value for p in PATTERN_CODES]))
            else:
                arrays.append(bulk.Column(col, kind, source.to_numpy()))
        rows = len(frame)

        def copy(conn: Connection, freeze: bool) -> None:
            self.report(f"summary: {table.name}", 0, rows)
            bulk.copy_arrays(conn, name, arrays, freeze=freeze)
            self.report(f"summary: {table.name}", rows, rows)

        self.builders[table.name].put(copy)

    def build(self, conn: Connection, names: Iterable[str]) -> None:
        """Every index and key of the new tables of ``names``, then their statistics."""
        q = self.quote
        # each index sorted in memory, the foreign keys checked by in-memory hash joins (this transaction's
        # settings only: a parallel index build shares maintenance_work_mem among its processes)
        conn.execute(sa.text("SET LOCAL maintenance_work_mem = '512MB'"))
        conn.execute(sa.text("SET LOCAL work_mem = '256MB'"))
        steps = [sql for name in names for sql in self._build(name, self.catalog[name])]
        for k, sql in enumerate(steps):
            self.report(f"summary: indexes of {', '.join(names)}", k, len(steps))
            _ddl(conn, sql)
        self.report(f"summary: indexes of {', '.join(names)}", len(steps), len(steps))
        for name in names:
            _ddl(conn, f"ANALYZE {q(self.new(name))}")

    def abort(self) -> None:
        """After a failure: the threads stop, their transactions rolled back (new tables they had already
        committed are dropped once the rebuild's transaction has ended: :func:`_drop_leftovers`)."""
        for builder in {id(b): b for b in self.builders.values()}.values():
            builder.stop()

    def done(self, table: sa.Table) -> None:
        """No more rows for ``table``: its thread builds the indexes once its other tables are done too."""
        builder = self.builders[table.name]
        builder.open.discard(table.name)
        if not builder.open:
            builder.put(None)

    def finish(self) -> None:
        for t in SUMMARY_TABLES:
            if t.name in self.builders[t.name].open:
                self.done(t)
        for builder in {id(b): b for b in self.builders.values()}.values():
            builder.join()
        self.report("summary: swap", 0, 1)
        previous = self.conn.execute(sa.text("SHOW lock_timeout")).scalar()
        for attempt in range(SWAP_ATTEMPTS):
            try:
                with self.conn.begin_nested():
                    # never wait long behind a reader (nor make readers wait long behind this): else again
                    _ddl(self.conn, f"SET LOCAL lock_timeout = '{SWAP_LOCK_TIMEOUT_MS}ms'")
                    self._swap()
                break
            except sa.exc.OperationalError as exc:
                if type(exc.orig).__name__ not in ("LockNotAvailable", "DeadlockDetected") or attempt == SWAP_ATTEMPTS - 1:
                    raise
                time.sleep(0.1 * (attempt + 1))
        _ddl(self.conn, f"SET LOCAL lock_timeout = {_literal(self.conn, previous)}")
        self.report("summary: swap", 1, 1)

    def _swap(self) -> None:
        """The live tables renamed ``T__old`` (their indexes and keys too), the new ones given their names. The
        old tables are dropped after the commit (:func:`_drop_leftovers`): dropping a table with foreign keys
        locks the tables they point to (``enterprise``, ``township``) against every reader."""
        q = self.quote
        _ddl(self.conn, "LOCK TABLE " + ", ".join(q(t.name) for t in SUMMARY_TABLES) + " IN ACCESS EXCLUSIVE MODE")
        for t in SUMMARY_TABLES:
            cat, new, old = self.catalog[t.name], self.new(t.name), _new_name(t.name, OLD_SUFFIX)
            for name in cat["index_names"]:
                _ddl(self.conn, f"ALTER INDEX {q(name)} RENAME TO {q(_new_name(name, OLD_SUFFIX))}")
            _ddl(self.conn, f"ALTER TABLE {q(t.name)} RENAME TO {q(old)}")
            for sequence, column in cat["sequences"]:
                _ddl(self.conn, f"ALTER SEQUENCE {q(sequence)} OWNED BY {q(new)}.{q(column)}")
            _ddl(self.conn, f"ALTER TABLE {q(new)} RENAME TO {q(t.name)}")
            for name in cat["index_names"]:
                _ddl(self.conn, f"ALTER INDEX {q(self.new(name))} RENAME TO {q(name)}")
            for sequence, column in cat["sequences"]:
                self.conn.execute(sa.text(f"SELECT setval(CAST(:s AS regclass), coalesce(max({q(column)}), 1), "
                                          f"max({q(column)}) IS NOT NULL) FROM {q(t.name)}"), {"s": q(sequence)})

    def _build(self, name: str, cat: dict) -> list[str]:
        """The statements making ``name``'s indexes and constraints on its new table."""
        q, new = self.quote, self.quote(self.new(name))
        out = []
        for index, definition in cat["indexes"]:
            m = re.fullmatch(r"CREATE (UNIQUE )?INDEX \S+ ON (ONLY )?\S+ (USING .*)", definition)
            if m is None:
                raise RuntimeError(f"unexpected index definition: {definition}")
            out.append(f"CREATE {m.group(1) or ''}INDEX {q(self.new(index))} ON {new} {m.group(3)}")
        for constraint, kind, definition in cat["constraints"]:
            # a key's name is its index's (unique in the schema): a temporary one until the swap
            own = q(self.new(constraint)) if kind in "pux" else q(constraint)
            out.append(f"ALTER TABLE {new} ADD CONSTRAINT {own} {definition}")
        return out


def _ddl(conn: Connection, sql: str) -> None:
    """A statement as it is (no bound parameters: a ``:`` or ``%`` in a definition or a comment stays)."""
    conn.exec_driver_sql(sql.replace("%", "%%") if conn.dialect.name == "postgresql" else sql)


def _can_freeze(conn: Connection) -> bool:
    """COPY FREEZE needs no snapshot held by the transaction (READ COMMITTED between statements)."""
    return conn.execute(sa.text("SHOW transaction_isolation")).scalar() == "read committed"


class _Stop(Exception):
    """Tells a :class:`_Builder`'s thread to roll back."""


class _Builder:
    """A thread making some of :class:`_Swap`'s new tables on a connection and in a transaction of its own:
    it creates them, runs the copies it is handed (a bounded queue: the rebuild waits rather than holding
    more parts in memory), builds their indexes and keys, and commits."""

    def __init__(self, swap: _Swap, engine: Engine, names: tuple[str, ...]):
        self.swap, self.engine, self.names = swap, engine, names
        self.jobs: queue.Queue = queue.Queue(maxsize=1)
        self.error: BaseException | None = None
        self.committed = False
        self.open = set(names)  # the tables still written to
        self.thread = threading.Thread(target=self._run, name=f"summary-{names[0]}", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            with self.engine.connect() as conn:
                with conn.begin():
                    for name in self.names:
                        self.swap.create(conn, name)
                    freeze = _can_freeze(conn)
                    while (job := self.jobs.get()) is not None:
                        if job is _Stop:
                            raise _Stop
                        job(conn, freeze)
                    self.swap.build(conn, self.names)
                self.committed = True
        except BaseException as exc:  # noqa: BLE001 - handed to the rebuild's thread
            self.error = exc
            while True:  # nobody waits on a full queue
                try:
                    self.jobs.get_nowait()
                except queue.Empty:
                    break

    def put(self, job) -> None:
        while True:
            self._check()
            try:
                self.jobs.put(job, timeout=0.5)
                return
            except queue.Full:
                continue

    def _check(self) -> None:
        if self.error is not None and not isinstance(self.error, _Stop):
            raise self.error
        if not self.thread.is_alive() and not self.committed:
            raise RuntimeError(f"the thread making {', '.join(self.names)} stopped")

    def join(self) -> None:
        self.thread.join()
        self._check()

    def stop(self) -> None:
        if self.thread.is_alive():
            try:
                self.jobs.put(_Stop, timeout=1)
            except queue.Full:
                pass
            self.thread.join()


#: the swap: how long it waits for a lock before it lets the readers go on and tries again, and how often
SWAP_LOCK_TIMEOUT_MS, SWAP_ATTEMPTS = 500, 60
OLD_SUFFIX = "__old"


def _drop_leftovers(engine: Engine) -> None:
    """Drop what a swap leaves: the old tables after its commit, new tables of a rebuild that failed (or
    crashed). In transactions of their own, each waiting at most :data:`SWAP_LOCK_TIMEOUT_MS` for its
    locks (dropping a table with foreign keys locks ``enterprise`` and ``township``) and trying again."""
    names = [_new_name(t.name, suffix) for t in SUMMARY_TABLES for suffix in (_Swap.SUFFIX, OLD_SUFFIX)]
    with engine.connect() as conn:
        there = conn.execute(sa.text("SELECT relname FROM pg_class WHERE relname = ANY(:n) AND relkind = 'r' "
                                     "AND relnamespace = CAST(current_schema() AS regnamespace)"), {"n": names}).scalars().all()
        conn.rollback()
        for name in there:
            for attempt in range(SWAP_ATTEMPTS):
                try:
                    with conn.begin():
                        _ddl(conn, f"SET LOCAL lock_timeout = '{SWAP_LOCK_TIMEOUT_MS}ms'")
                        _ddl(conn, f"DROP TABLE IF EXISTS {conn.dialect.identifier_preparer.quote(name)}")
                    break
                except sa.exc.OperationalError as exc:
                    if type(exc.orig).__name__ not in ("LockNotAvailable", "DeadlockDetected") or attempt == SWAP_ATTEMPTS - 1:
                        raise
                    time.sleep(0.1 * (attempt + 1))


def _new_name(name: str, suffix: str) -> str:
    return name[:63 - len(suffix)] + suffix


def _literal(conn: Connection, value: str) -> str:
    return sa.String().literal_processor(conn.dialect)(value)


def _catalog(conn: Connection, name: str) -> dict:
    """What :class:`_Swap` copies of table ``name`` from PostgreSQL's catalog."""
    q = conn.dialect.identifier_preparer.quote
    oid = conn.execute(sa.text("SELECT CAST(:t AS regclass)::oid"), {"t": q(name)}).scalar_one()
    one = lambda sql: conn.execute(sa.text(sql), {"oid": oid})  # noqa: E731
    rel = one("SELECT obj_description(c.oid, 'pg_class') AS comment, c.reloptions, pg_get_userbyid(c.relowner) AS owner, "
              "current_user AS me FROM pg_class c WHERE c.oid = :oid").mappings().one()
    keys = one("SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = :oid "
               "AND contype IN ('p', 'u', 'x', 'f') ORDER BY contype = 'f', conname").all()
    indexes = one("SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                  "WHERE i.indrelid = :oid AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid "
                  "AND k.conrelid = :oid) ORDER BY c.relname").all()
    sequences = one("SELECT s.relname, a.attname FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' "
                    "JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid "
                    "WHERE d.refobjid = :oid AND d.classid = 'pg_class'::regclass AND d.deptype = 'a'").all()
    targets = one("SELECT attname, attstattarget FROM pg_attribute WHERE attrelid = :oid AND attnum > 0 "
                  "AND NOT attisdropped AND attstattarget >= 0").all()
    grants = []
    for grantee, privilege, grantable in one(
            "SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END, "
            "a.privilege_type, a.is_grantable FROM pg_class c, aclexplode(c.relacl) a "
            "WHERE c.oid = :oid AND a.grantee <> c.relowner"):
        grants.append(f"GRANT {privilege} ON {{table}} TO {grantee}" + (" WITH GRANT OPTION" if grantable else ""))
    types = dict(one("SELECT attname, atttypid::int FROM pg_attribute WHERE attrelid = :oid AND attnum > 0 "
                     "AND NOT attisdropped").all())
    return {"types": types, "comment": rel["comment"], "reloptions": list(rel["reloptions"] or []), "owner": rel["owner"],
            "me": rel["me"], "grants": grants, "constraints": [tuple(k) for k in keys],
            "indexes": [tuple(i) for i in indexes], "sequences": [tuple(s) for s in sequences],
            "stat_targets": [tuple(t) for t in targets],
            "index_names": [i[0] for i in indexes] + [k[0] for k in keys if k[1] in "pux"]}


def swappable(conn: Connection) -> str | None:
    """None when :class:`_Swap` can rebuild the summary tables on this connection; else why not (one line)."""
    if conn.dialect.name != "postgresql" or conn.dialect.driver != "psycopg":
        return f"{conn.dialect.name}+{conn.dialect.driver}: rebuilt in place"
    oids = [conn.execute(sa.text("SELECT CAST(:t AS regclass)::oid"), {"t": t.name}).scalar_one() for t in SUMMARY_TABLES]
    checks = {
        "a trigger": "SELECT tgrelid FROM pg_trigger WHERE NOT tgisinternal",
        "a rule": "SELECT ev_class FROM pg_rewrite WHERE rulename <> '_RETURN'",
        "row-level security": "SELECT oid FROM pg_class WHERE relrowsecurity OR relforcerowsecurity",
        "a policy": "SELECT polrelid FROM pg_policy",
        "a view or materialised view": "SELECT d.refobjid FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid "
                                       "WHERE d.classid = 'pg_rewrite'::regclass AND r.ev_class <> d.refobjid",
        "a foreign key of another table": "SELECT confrelid FROM pg_constraint WHERE contype = 'f' "
                                          "AND confrelid <> conrelid",
        "a publication": "SELECT prrelid FROM pg_publication_rel",
        "extended statistics": "SELECT stxrelid FROM pg_statistic_ext",
        "an identity or generated column": "SELECT attrelid FROM pg_attribute WHERE attidentity <> '' OR attgenerated <> ''",
        "column privileges": "SELECT attrelid FROM pg_attribute WHERE attacl IS NOT NULL",
        "inheritance or partitions": "SELECT inhrelid FROM pg_inherits UNION ALL SELECT inhparent FROM pg_inherits",
        "a tablespace of its own, or not a plain logged table": "SELECT oid FROM pg_class WHERE reltablespace <> 0 "
                                                               "OR relpersistence <> 'p' OR relkind <> 'r'",
        "a security label": "SELECT objoid FROM pg_seclabel WHERE classoid = 'pg_class'::regclass",
        # made again it would be deparsed anew: equal, not always the same text
        "an index with a predicate or an expression": "SELECT indrelid FROM pg_index WHERE indpred IS NOT NULL "
                                                       "OR indexprs IS NOT NULL",
    }
    for what, sql in checks.items():
        hit = conn.execute(sa.text(f"SELECT CAST(x AS regclass)::text FROM ({sql}) AS s(x) "
                                   "WHERE x = ANY(CAST(:oids AS oid[])) LIMIT 1"), {"oids": oids}).scalar()
        if hit is not None:
            return f"{hit} has {what}: rebuilt in place"
    return None


def _pattern_rank(conn: Connection) -> np.ndarray:
    """Each pattern's place (by its sweep code) in the database's order of ``enterprise_state.pattern``."""
    labels = [p.value for p in PATTERN_CODES]
    if conn.dialect.name == "postgresql":  # the column's collation: the database's
        order = list(conn.execute(sa.text("SELECT x FROM unnest(CAST(:labels AS varchar[])) AS x ORDER BY x"),
                                  {"labels": labels}).scalars())
    else:  # SQLite's BINARY: the bytes' order
        order = sorted(labels, key=lambda label: label.encode())
    return np.array([order.index(label) for label in labels], dtype="int64")


def _index_order(rank: np.ndarray, township: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """The order of rows by (pattern's rank, township, from, to; no end last): one sort of an int64 key when
    the values fit in its bits (townships < 2^16, days within ±2^19 of 1970), else a lexsort."""
    end = np.where(end == bulk.NO_DAY, 1 << 19, end)  # after any day
    half = 1 << 19
    if len(rank) and (township.min() >= 0 and township.max() < 1 << 16 and start.min() >= -half
                      and start.max() < half and end.min() >= -half and end.max() <= half):
        key = (((rank.astype("int64") << 16 | township) << 20 | (start + half)) << 21) | (end + half)
        return np.argsort(key, kind="stable")
    return np.lexsort((end, start, township, rank))


def rebuild_summaries(engine_or_conn: Engine | Connection,
                      progress: Callable[[str, int, int], None] | None = None,
                      today: dt.date | None = None, *, part_enterprises: int | None = None) -> dict[str, int]:
    """Recompute the three summary tables from scratch, in one transaction.

    ``coverage_month`` holds, for every month up to ``today``'s (default: the real today), the
    figures accumulated through the end of that month; later dates use its last month plus
    ``coverage_delta``.

    The enterprises are swept in parts of whole townships (:data:`PART_ENTERPRISES`, or
    ``part_enterprises``): memory stays bounded at any size. Given an engine on PostgreSQL, the new rows
    go into new tables swapped in at the end (:class:`_Swap`: readers are not blocked but for the swap);
    given a connection (the caller's transaction, which may have written already, may roll back), or on
    SQLite, into the live tables (:class:`_InPlace`). The writers of the summaries wait (:func:`lock`).
    """
    if isinstance(engine_or_conn, Engine):
        engine = engine_or_conn
        swap = engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg"
        if swap:
            _drop_leftovers(engine)
        try:
            with engine.begin() as conn:
                return _rebuild(conn, progress, today, part_enterprises, swap=swap)
        finally:
            if swap:
                _drop_leftovers(engine)  # the old tables; or the new ones of a failed rebuild
    return _rebuild(engine_or_conn, progress, today, part_enterprises, swap=False)


def _rebuild(conn: Connection, progress, today: dt.date | None, part_enterprises: int | None, *,
             swap: bool) -> dict[str, int]:
    """:func:`rebuild_summaries` in ``conn``'s transaction; ``swap``: new tables swapped in if
    :func:`swappable` (the rebuild owns the transaction), else the live tables written in place."""
    report = progress or (lambda *_: None)
    lock(conn)
    measures = list(SUMMARY_MEASURES)
    report("summary: read", 0, 0)
    parts = _parts(conn, part_enterprises or PART_ENTERPRISES)
    why_not = swappable(conn) if swap else "in the caller's transaction: rebuilt in place"
    sink = _InPlace(conn, report) if why_not is not None else _Swap(conn, report)
    try:
        counts = {"coverage_delta": 0, "coverage_month": 0, "enterprise_state": 0}
        rank = _pattern_rank(conn)
        sums, townships, first_m, last_m = [], set(), None, _month_of(today or dt.date.today())
        for k, towns in enumerate(parts):
            if len(parts) > 1:
                report("summary: part", k, len(parts))
            ent, events = _events(conn, towns)
            report("summary: sweep", len(events), len(events))
            stocks, periods = _sweep(ent, events)
            del events
            per_day = _per_day(stocks, _new_unions(conn, towns))
            del stocks
            sink.write(coverage_delta, per_day.rename(columns={"day": "_day"}), {"day": "_day"})
            counts["coverage_delta"] += len(per_day)
            if len(per_day):
                month_no = _month_number(per_day["day"].to_numpy())
                first_m = int(month_no.min()) if first_m is None else min(first_m, int(month_no.min()))
                last_m = max(last_m, int(month_no.max()))
                sums.append(_month_sums(per_day, measures))
                townships |= {int(t) for t in per_day["township_id"].unique()}
            del per_day
            states = _states(ent, periods, codes=True)
            # in the order of ix_enterprise_state_pattern (and of the ids): that index is built from sorted rows
            states = states.iloc[_index_order(rank[periods["code"].to_numpy("int64")], states["township_id"].to_numpy(),
                                              states["_from"].to_numpy(), states["_to"].to_numpy())]
            states.insert(0, "id", np.arange(counts["enterprise_state"] + 1, counts["enterprise_state"] + len(states) + 1))
            sink.write(enterprise_state, states, {"valid_from": "_from", "valid_to": "_to"})
            counts["enterprise_state"] += len(states)
            del ent, periods, states
        sink.done(enterprise_state)  # its indexes are built while the months are computed and written
        if first_m is None:
            months = pd.DataFrame(columns=["month", "township_id", *measures])
        else:
            months = _cumulative_of_sums(pd.concat(sums), sorted(townships), measures, first_m, last_m)
        sink.write(coverage_month, months.rename(columns={"month": "_month"}), {"month": "_month"})
        counts["coverage_month"] = len(months)
        sink.finish()
    except BaseException:
        if isinstance(sink, _Swap):
            sink.abort()
        raise
    _store_fingerprint(conn)
    return counts


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
