"""The enterprise ledger (企业台账): a searchable, sortable, paged list of the operating enterprises
in scope as of a date, and one enterprise's detail with its dated history.

Everything is filtered, sorted and paged in SQL (``LIMIT``/``OFFSET``); the caller's ``Scope``
is a ``WHERE`` condition on its townships. Its 党建基数 is set to ``Base.ALL`` here, whatever the
caller passes: the ledger is a register of every operating enterprise. The pattern column agrees
with ``coverage.enterprise_flags`` (the reference): when the summaries are fresh it is read from
``enterprise_state`` (each enterprise's pattern periods), else computed exactly from the source
tables. The names of the covering union, Party organisation and liaison officer are looked up
afterwards for the rows of the page only (``enterprise_id IN (…)``), never for the whole table.

Sort order: the chosen column, then ``enterprise_id`` in the same direction (stable paging);
``township`` sorts by the townships' display order (``sort_order``, ``code``), ``pattern`` by
the order of ``models.enums.Pattern``; text sorts by the database collation.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import unicodedata
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session

from dashboard.queries.coverage import active, enterprise_flags, headcount_as_of, summaries_fresh, summary_rows
from dashboard.queries.plan import unindexed
from dashboard.queries.scope import Scope
from dashboard.queries.timeline import COLUMNS as TIMELINE_COLUMNS
from dashboard.queries.timeline import KINDS, enterprise_timeline
from models import rules
from models.db import in_chunks
from models.enums import Base, PartyOrgLevel, Pattern
from models.tables import (
    Enterprise,
    LiaisonOfficer,
    PartyCoverage,
    PartyOrg,
    Township,
    UnionCoverage,
    UnionOrg,
)
from models.tables import enterprise_state as ES

E = Enterprise.__table__
T = Township.__table__
UC = UnionCoverage.__table__
UO = UnionOrg.__table__
PC = PartyCoverage.__table__
PO = PartyOrg.__table__
LO = LiaisonOfficer.__table__

SORT_COLUMNS = ("name", "uscc", "township", "employees", "party_members", "pattern", "registered_on")
PAGE_SIZE_MIN, PAGE_SIZE_MAX = 10, 500
SEARCH_MAX_LENGTH = 100
#: PostgreSQL: searches this long or longer may use the name's trigram index (migration 0024)
TRIGRAM_MIN = 3
#: Ids per ``IN (…)`` list when names are looked up for many rows (the export).
_ID_CHUNK = 500
#: Without a cheap count of the operating enterprises (stale summaries), matches up to this many
#: are collected and sorted rather than found by walking an index in order.
_SET_DRIVEN_MAX = 20_000

LEDGER_COLUMNS = [
    "enterprise_id", "name", "uscc", "township_id", "township", "employees", "party_members",
    "union", "party_org", "liaison", "liaison_kind", "pattern", "registered_on", "closed_on",
    "union_how", "party_how",  # "own" (单独建立) / "joint" (联合建立) / None
]


class LedgerTooLarge(Exception):
    """More rows match than the caller's limit (e.g. an export): narrow the filters."""

    def __init__(self, count: int, limit: int):
        self.count, self.limit = count, limit
        super().__init__(f"符合条件的企业有 {count:,} 家，超过导出上限 {limit:,} 家，请缩小筛选范围"
                         f" / {count:,} enterprises match, more than the limit of {limit:,}: narrow the filters")


@dataclass(frozen=True)
class LedgerQuery:
    """What the user asked for. Hashable (a cache key); validated and normalised on creation."""

    search: str = ""  # substring of the name, or a USCC prefix; case-insensitive
    patterns: tuple[str, ...] = ()  # Pattern values to keep; () = all
    sort: str = "name"  # one of SORT_COLUMNS
    descending: bool = False
    page: int = 1  # 1-based
    page_size: int = 50  # PAGE_SIZE_MIN..PAGE_SIZE_MAX

    def __post_init__(self) -> None:
        if not isinstance(self.search, str):
            raise ValueError(f"search must be text, not {type(self.search).__name__}")
        search = self.search.strip()
        if any(c < " " or c == "\x7f" for c in search):  # a NUL made SQLite's LIKE match everything
            raise ValueError("搜索内容含有控制字符（如 NUL），请删除后重试 / the search contains a control character")
        if len(search) > SEARCH_MAX_LENGTH:
            raise ValueError(f"search is longer than {SEARCH_MAX_LENGTH} characters")
        if isinstance(self.patterns, str) or not hasattr(self.patterns, "__iter__"):
            raise ValueError(f"patterns must be a sequence of Pattern values, not {self.patterns!r}")
        known = {p.value for p in Pattern}
        unknown = [p for p in self.patterns if str(p) not in known]
        if unknown:
            raise ValueError(f"unknown pattern(s) {unknown!r}; expected some of {sorted(known)}")
        wanted = {str(p) for p in self.patterns}
        patterns = tuple(p.value for p in Pattern if p.value in wanted)  # one order: equal filters, equal keys
        if self.sort not in SORT_COLUMNS:
            raise ValueError(f"unknown sort column {self.sort!r}; expected one of {', '.join(SORT_COLUMNS)}")
        for name in ("page", "page_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{name} must be an integer, not {value!r}")
        if self.page < 1:
            raise ValueError(f"page must be 1 or more, not {self.page}")
        if not PAGE_SIZE_MIN <= self.page_size <= PAGE_SIZE_MAX:
            raise ValueError(f"page_size must be between {PAGE_SIZE_MIN} and {PAGE_SIZE_MAX}, not {self.page_size}")
        object.__setattr__(self, "search", search)
        object.__setattr__(self, "patterns", patterns)
        object.__setattr__(self, "descending", bool(self.descending))


@dataclass(frozen=True, eq=False)
class LedgerPage:
    rows: pd.DataFrame  # LEDGER_COLUMNS
    total: int  # rows matching the query (all pages)
    page: int  # the page served (the last one when the asked page was past the end)
    pages: int  # at least 1
    query: LedgerQuery


# --------------------------------------------------------------------------- the ledger
#
# How a page is found fast at a million enterprises (SQLite has no statistics to plan with):
# * The operating condition is written so that SQLite does not drive the query from the
#   ``registered_on`` index (true for ~all rows: a million random lookups); ``plan.unindexed``.
# * The matching rows are counted first (from the summary when fresh and there is no search:
#   a few hundred rows; else one ``COUNT``, a scan of the table). Knowing how many rows match
#   and how many operate, the page query is then either *index-driven* (walk the sort column's
#   index, test each row, stop after the page: good when matches are dense) or *set-driven*
#   (collect the matching ids, sort them: good when they are few).
# * ``township`` and ``pattern`` have few distinct values: the page is cut out of per-value
#   segments (counted first) ordered by ``enterprise_id`` inside each, so no sort of the whole
#   district is ever needed.


def _plain(column: sa.ColumnElement) -> sa.ColumnElement:
    return unindexed(column)


def _operating(as_of: dt.date) -> sa.ColumnElement[bool]:
    """``coverage.operating`` with index use left to the other conditions."""
    return active(_plain(E.c.registered_on), _plain(E.c.closed_on), as_of)


def _caseless(text: str) -> bool:
    """No character of ``text`` has a case (Chinese characters, digits, punctuation): a name contains
    it in any case exactly when it contains it as it is. (A letter without case — ``Lo``, a Chinese
    character — is never what lower() makes of another character; ``Ll``/``Lu``/``Lt`` letters are.)"""
    return all(c.lower() == c == c.upper() and (not c.isalpha() or unicodedata.category(c) == "Lo") for c in text)


def _search_condition(search: str, dialect: str) -> sa.ColumnElement[bool]:
    """Name contains ``search`` or the USCC starts with it, case-insensitive; bound parameters,
    ``%`` and ``_`` escaped (``autoescape``) so that they match literally."""
    # SQLite's LIKE ignores ASCII case already (as its lower() does); PostgreSQL: ILIKE, or LIKE for a
    # search without case (a Chinese name: ILIKE lower-cases every name first, 3-4 times the scan)
    if dialect == "sqlite":
        name = E.c.name.contains(search, autoescape=True)
    else:
        contains = "contains" if _caseless(search) else "icontains"
        if len(search) < TRIGRAM_MIN:
            # a trigram index cannot narrow a search of one or two characters: it would hand every row
            # to the recheck (1.4 s at 1M against 0.35 s for a parallel scan), and PostgreSQL's estimate
            # does not see it. ``name || ''`` is the same text in an expression no index covers.
            plain_name = sa.type_coerce(E.c.name.op("||")(sa.literal_column("''")), E.c.name.type)
            name = getattr(plain_name, contains)(search, autoescape=True)
        else:  # the trigram index serves LIKE and ILIKE alike
            name = getattr(E.c.name, contains)(search, autoescape=True)
    prefix = search.upper()
    if len(prefix) > 18 or any(c not in rules.USCC_CHARSET for c in prefix):
        return name  # cannot be the start of a USCC
    if dialect == "postgresql":
        # a plain OR: the name's trigram index and the USCC's text_pattern_ops index (migration 0024)
        # combine in a bitmap OR. The USCC as an ``IN`` subquery (SQLite's form, below) cannot: and
        # for a prefix most USCCs share ("9122") its million ids are too many to hash in work_mem,
        # so PostgreSQL re-read the subquery for every enterprise (minutes at 1M).
        return sa.or_(name, E.c.uscc.startswith(prefix, autoescape=True))
    uscc = sa.select(E.c.id).where(E.c.uscc.startswith(prefix, autoescape=True))
    if dialect == "sqlite":  # a range on the unique index (its LIKE cannot): USCC characters are < "\x7f"
        uscc = uscc.where(E.c.uscc >= prefix, E.c.uscc < prefix + "\x7f")
    return sa.or_(name, E.c.id.in_(uscc.correlate(None).scalar_subquery()))


@dataclass(frozen=True)
class _Ctx:
    scope: Scope
    as_of: dt.date
    q: LedgerQuery
    fresh: bool
    dialect: str


def _conditions(ctx: _Ctx, patterns: tuple[str, ...], *, set_driven: bool,
                unmatched: bool = False) -> list[sa.ColumnElement[bool]]:
    """Conditions on ``enterprise`` for the operating enterprises in scope matching the search (not
    matching it: ``unmatched``) and having one of ``patterns`` (() = any)."""
    conds = [_operating(ctx.as_of), ctx.scope.where(E.c.township_id)]
    if ctx.q.search:
        search = _search_condition(ctx.q.search, ctx.dialect)  # never NULL: name and uscc are NOT NULL
        conds.append(sa.not_(search) if unmatched else search)
    if patterns:
        if ctx.fresh and not set_driven:  # probe each candidate's pattern period
            # by its enterprise_id (the pattern unindexed: SQLite took the covering pattern index and
            # read every period of the pattern for each candidate — 9 s for page 2 at 1M)
            conds.append(sa.select(sa.literal(1)).where(
                ES.c.enterprise_id == E.c.id, active(ES.c.valid_from, ES.c.valid_to, ctx.as_of),
                _plain(ES.c.pattern).in_(patterns)).exists())
        elif ctx.fresh:
            conds.append(E.c.id.in_(sa.select(ES.c.enterprise_id).where(
                ES.c.pattern.in_(patterns), active(ES.c.valid_from, ES.c.valid_to, ctx.as_of),
                ctx.scope.where(ES.c.township_id))))
        else:  # the reference: exact flags from the source tables
            flags = enterprise_flags(ctx.scope, ctx.as_of)
            conds.append(E.c.id.in_(sa.select(flags.c.enterprise_id).where(flags.c.pattern.in_(patterns))))
    return conds


def _set_driven(matching: int, population: int | None, end: int) -> bool:
    """Collect-and-sort the matching rows rather than walk an index in order?"""
    if population is None:  # exact path: no cheap population count
        return matching <= _SET_DRIVEN_MAX
    walked = end * population / max(matching, 1)  # rows an index walk tests before the page is full
    return matching < walked


@dataclass
class _Counts:
    total: int
    population: int | None  # operating enterprises in scope (None when not known cheaply)
    # (value, matching or None when counted lazily, population) in page order; None: one sorted query
    segments: list[tuple[object, int | None, int | None]] | None
    # lazily counted pattern segments: each pattern's operating enterprises in scope (the summary's)
    summary: dict[str, int] | None = None
    # sort by pattern from the summary's periods (_pick_from_state): per pattern, the ids of the operating
    # enterprises in scope the search leaves out, ascending ({} without a search); None: not that way
    left_out: dict[str, list[int]] | None = None


def _summary_counts(session: Session, ctx: _Ctx) -> pd.DataFrame:
    cols = ["operating", *(f"pattern_{p.value}" for p in Pattern)]
    rows = summary_rows(session, ctx.scope, ctx.as_of, cols).subquery("rows")
    stmt = sa.select(rows.c.township_id, *(sa.func.sum(rows.c[c]).label(c) for c in cols)).group_by(rows.c.township_id)
    df = pd.DataFrame(session.execute(stmt).all(), columns=["township_id", *cols]).set_index("township_id")
    return df.fillna(0).astype("int64")


def _townships(session: Session, ctx: _Ctx) -> list[int]:
    order = [T.c.sort_order, T.c.code]
    stmt = sa.select(T.c.id).where(ctx.scope.where(T.c.id)).order_by(
        *([c.desc() for c in order] if ctx.q.descending else order))
    return [int(i) for i in session.execute(stmt).scalars()]


def _counts(session: Session, ctx: _Ctx) -> _Counts:
    q = ctx.q
    patterns = q.patterns or tuple(p.value for p in Pattern)
    seg_values = None
    if q.sort == "township":
        seg_values = _townships(session, ctx)
    elif q.sort == "pattern":
        seg_values = list(reversed(patterns) if q.descending else patterns)
    by_township = _summary_counts(session, ctx) if ctx.fresh else None
    population = int(by_township["operating"].sum()) if by_township is not None else None
    if ctx.fresh and not q.search:
        measure = by_township[[f"pattern_{p}" for p in q.patterns]].sum(axis=1) if q.patterns else by_township["operating"]
        segments = None
        if q.sort == "township":
            segments = [(t, int(measure.get(t, 0)), int(by_township["operating"].get(t, 0))) for t in seg_values]
        elif q.sort == "pattern":
            segments = [(p, int(by_township[f"pattern_{p}"].sum()), population) for p in seg_values]
        return _Counts(int(measure.sum()), population, segments, left_out={} if _by_state(ctx) else None)

    if q.sort == "pattern" and _by_state(ctx):
        left_out = _left_out(session, ctx, patterns)
        if left_out is not None:  # a search that leaves out few: the summary's counts less those
            segments = [(p, int(by_township[f"pattern_{p}"].sum()) - len(left_out.get(p, [])), population)
                        for p in seg_values]
            return _Counts(sum(n for _, n, _ in segments), population, segments, left_out=left_out)
    conds = _conditions(ctx, q.patterns, set_driven=True)
    if q.sort == "township":
        # grouped on +township_id: SQLite then scans a covering index instead of walking the
        # township index with a table lookup per row
        key = _plain(E.c.township_id)
        found = {int(k): int(n) for k, n in session.execute(
            sa.select(key, sa.func.count()).where(*conds).group_by(key)).all()}
        segments = [(t, found.get(t, 0), None) for t in seg_values]
        return _Counts(sum(found.values()), population, segments)
    total = int(session.execute(sa.select(sa.func.count()).select_from(E).where(*conds)).scalar_one())
    if q.sort != "pattern":
        return _Counts(total, population, None)
    if total > _SET_DRIVEN_MAX:
        # counting per pattern means a pattern lookup per matching row: segments are counted
        # only when a page has to skip them (page 1 needs none) — then all at once (_segment_counts)
        summary = None if by_township is None else {p: int(by_township[f"pattern_{p}"].sum()) for p in patterns}
        return _Counts(total, population, [(p, None, population) for p in seg_values], summary)
    found = _pattern_counts(session, ctx, patterns)
    return _Counts(total, population, [(p, found.get(p, 0), population) for p in seg_values])


def _by_state(ctx: _Ctx) -> bool:
    """Sorted by pattern, are the pages read from the summary's pattern periods (``enterprise_state``)?
    When they are fresh (the ledger's scope counts every operating enterprise: :func:`_register`): its
    periods in force on the date are then exactly the operating enterprises in scope, each with its
    pattern and township (the same the counts of a ledger without a search come from)."""
    return ctx.fresh and ctx.q.sort == "pattern"


def _left_out(session: Session, ctx: _Ctx, patterns) -> dict[str, list[int]] | None:
    """Per pattern (of ``patterns``), the ascending ids of the operating enterprises in scope that the
    search does not match — or ``None`` when there are more than ``_SET_DRIVEN_MAX`` of them (a
    narrow search: found as they come, so it stops early; a broad one reads every name once, as a
    count would)."""
    ids = session.execute(sa.select(E.c.id).where(*_conditions(ctx, (), set_driven=True, unmatched=True))
                          .limit(_SET_DRIVEN_MAX + 1)).scalars().all()
    if len(ids) > _SET_DRIVEN_MAX:
        return None
    wanted, out = set(patterns), {}
    for chunk in in_chunks(sorted(int(i) for i in ids), _ID_CHUNK):
        for eid, pattern in session.execute(sa.select(ES.c.enterprise_id, ES.c.pattern).where(
                ES.c.enterprise_id.in_(chunk), active(ES.c.valid_from, ES.c.valid_to, ctx.as_of))).all():
            if pattern in wanted:
                out.setdefault(str(pattern), []).append(int(eid))
    return {p: sorted(v) for p, v in out.items()}


def _pick_from_state(session: Session, ctx: _Ctx, pattern: str, left_out: list[int], start: int,
                     take: int) -> list[int]:
    """The ids of rows ``start`` .. ``start + take`` of a pattern's segment (ordered by id), read from
    the pattern's periods in force on the date (:func:`_by_state`), less ``left_out`` (ascending ids
    the search does not match): the periods from offset ``start`` on, ``take`` + ``len(left_out)`` of
    them, hold every wanted row (each left-out id before a row moves it one place down); a row's
    place is its offset less the left-out ids before it."""
    desc = ctx.q.descending
    key = ES.c.enterprise_id.desc() if desc else ES.c.enterprise_id.asc()
    ids = session.execute(
        sa.select(ES.c.enterprise_id).where(ES.c.pattern == pattern, active(ES.c.valid_from, ES.c.valid_to, ctx.as_of),
                                            ctx.scope.where(ES.c.township_id))
        .order_by(key).offset(start).limit(take + len(left_out))).scalars().all()
    skip, out = set(left_out), []
    for k, eid in enumerate(int(i) for i in ids):
        if eid in skip:
            continue
        before = len(left_out) - bisect.bisect_right(left_out, eid) if desc else bisect.bisect_left(left_out, eid)
        if start <= start + k - before < start + take:
            out.append(eid)
    return out


def _segment_counts(session: Session, ctx: _Ctx, counts: _Counts) -> dict[str, int]:
    """The matching rows of each pattern segment, in one grouped query. A search that matches most
    of the operating enterprises (a common word of names) is counted by what it does *not* match:
    the summary's count of the pattern less the enterprises of that pattern the search leaves out —
    one scan of the names with a pattern lookup for those few only, instead of for every match."""
    patterns = [p for p, _, _ in counts.segments]
    if counts.summary is not None:
        pool = sum(counts.summary.values())  # operating enterprises in scope with one of the patterns
        if counts.total > pool - counts.total:
            left_out = _pattern_counts(session, ctx, patterns, unmatched=True)
            return {p: counts.summary[p] - left_out.get(p, 0) for p in patterns}
    return _pattern_counts(session, ctx, patterns)


def _pattern_counts(session: Session, ctx: _Ctx, patterns, *, unmatched: bool = False) -> dict[str, int]:
    """The matching rows (not matching the search: ``unmatched``) of each of ``patterns``, in one
    grouped query."""
    if ctx.fresh:
        src = E.join(ES, sa.and_(ES.c.enterprise_id == E.c.id, active(ES.c.valid_from, ES.c.valid_to, ctx.as_of)))
        key = ES.c.pattern
    else:
        flags = enterprise_flags(ctx.scope, ctx.as_of)
        src, key = E.join(flags, flags.c.enterprise_id == E.c.id), flags.c.pattern
    stmt = (sa.select(key, sa.func.count()).select_from(src)
            .where(*_conditions(ctx, (), set_driven=True, unmatched=unmatched), key.in_(list(patterns)))
            .group_by(key))
    return {str(k): int(n) for k, n in session.execute(stmt).all()}


def _columns() -> list[sa.ColumnElement]:
    return [E.c.id.label("enterprise_id"), E.c.name, E.c.uscc, E.c.township_id, T.c.name.label("township"),
            E.c.employees, E.c.party_members, E.c.registered_on, E.c.closed_on]


def _select(ctx: _Ctx, extra: list, patterns: tuple[str, ...], keys: list, *, set_driven: bool,
            offset: int, limit: int) -> sa.Select:
    conds = _conditions(ctx, patterns, set_driven=set_driven) + extra
    keys = [*keys, E.c.id]
    order = [k.desc() for k in keys] if ctx.q.descending else [k.asc() for k in keys]
    if not set_driven:
        return (sa.select(*_columns()).select_from(E.join(T, T.c.id == E.c.township_id))
                .where(*conds).order_by(*order).offset(offset).limit(limit))
    # the page's ids picked from the sorted (key, id) pairs alone, then its rows read: a deep page
    # sorts narrow pairs, not every matching row with all its columns (PostgreSQL spilled those to disk)
    picked = (sa.select(*(k.label(f"k{i}") for i, k in enumerate(keys)))
              .where(E.c.id.in_(sa.select(E.c.id).where(*conds).correlate(None).scalar_subquery()))
              .order_by(*order).offset(offset).limit(limit).subquery("picked"))
    pid = picked.c[f"k{len(keys) - 1}"]
    return (sa.select(*_columns()).select_from(picked.join(E, E.c.id == pid).join(T, T.c.id == E.c.township_id))
            .order_by(*(c.desc() if ctx.q.descending else c.asc() for c in picked.c)))


def _fetch(session: Session, ctx: _Ctx, counts: _Counts, offset: int, limit: int) -> pd.DataFrame:
    """Rows ``offset`` .. ``offset + limit`` of the ordered result (SQL does the paging)."""
    q = ctx.q
    frames = []
    if counts.segments is None:
        if limit > 0 and offset < counts.total:
            set_driven = _set_driven(counts.total, counts.population, offset + limit)
            result = session.execute(_select(ctx, [], q.patterns, [E.c[q.sort]], set_driven=set_driven,
                                             offset=offset, limit=limit))
            frames.append(pd.DataFrame(result.fetchall(), columns=list(result.keys())))
    else:
        start, need = offset, limit
        lazy: dict[str, int] | None = None
        for value, n, population in counts.segments:
            if need <= 0:
                break
            if n is None and start > 0:  # a lazily counted segment that this page may skip
                lazy = _segment_counts(session, ctx, counts) if lazy is None else lazy
                n = lazy.get(value, 0)
            if n is not None and start >= n:
                start -= n
                continue
            take = need if n is None else min(need, n - start)
            if counts.left_out is not None:  # from the pattern's periods (_by_state), then these rows
                ids = _pick_from_state(session, ctx, value, counts.left_out.get(value, []), start, take)
                key = E.c.id.desc() if q.descending else E.c.id.asc()
                stmt = (sa.select(*_columns()).select_from(E.join(T, T.c.id == E.c.township_id))
                        .where(E.c.id.in_(ids)).order_by(key))
            elif q.sort == "township":
                set_driven = n is not None and _set_driven(n, population, start + take)
                stmt = _select(ctx, [E.c.township_id == value], q.patterns, [], set_driven=set_driven, offset=start,
                               limit=take)
            else:
                set_driven = n is not None and _set_driven(n, population, start + take)
                stmt = _select(ctx, [], (value,), [], set_driven=set_driven, offset=start, limit=take)
            result = session.execute(stmt)
            frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
            frames.append(frame)
            need -= len(frame)
            start = 0
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=[c.key for c in _columns()])
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def _register(scope: Scope) -> Scope:
    """The ledger is a register: it lists and counts every operating enterprise in the scope's
    townships whatever the scope's 党建基数 (the 三有 base narrows coverage figures, not the register)."""
    if not isinstance(scope, Scope):
        raise ValueError(f"expected a Scope, not {type(scope).__name__}")
    return scope.with_base(Base.ALL)


def _context(session: Session, scope: Scope, as_of: dt.date, q: LedgerQuery) -> _Ctx:
    if not isinstance(q, LedgerQuery):
        raise ValueError(f"expected a LedgerQuery, not {type(q).__name__}")
    return _Ctx(_register(scope), as_of, q, summaries_fresh(session), session.get_bind().dialect.name)


def _decorate(session: Session, ctx: _Ctx, df: pd.DataFrame) -> pd.DataFrame:
    """Add pattern and the union / Party organisation / liaison names for these rows only."""
    ids = [int(i) for i in df["enterprise_id"]]
    names = _names_for(session, ids, ctx.as_of)
    patterns = _patterns_for(session, ctx.scope, ids, ctx.as_of, ctx.fresh)
    out = df.copy()
    for col in ("union", "party_org", "liaison", "liaison_kind", "union_how", "party_how"):  # None where missing
        out[col] = pd.Series([names[col].get(i) for i in ids], index=out.index, dtype=object)
    out["pattern"] = pd.Series([patterns.get(i) for i in ids], index=out.index, dtype=object)
    out = out.reindex(columns=LEDGER_COLUMNS)
    for col in ("enterprise_id", "township_id", "employees", "party_members"):
        out[col] = out[col].astype("int64")
    return out.reset_index(drop=True)


def ledger_page(session: Session, scope: Scope, as_of: dt.date, q: LedgerQuery) -> LedgerPage:
    """One page of the ledger: operating enterprises in scope as of ``as_of`` matching ``q``."""
    ctx = _context(session, scope, as_of, q)
    counts = _counts(session, ctx)
    pages = max(1, math.ceil(counts.total / q.page_size))
    page = min(q.page, pages)
    rows = _fetch(session, ctx, counts, (page - 1) * q.page_size, q.page_size)
    return LedgerPage(rows=_decorate(session, ctx, rows), total=counts.total, page=page, pages=pages, query=q)


def ledger_rows(session: Session, scope: Scope, as_of: dt.date, q: LedgerQuery, *, limit: int) -> pd.DataFrame:
    """Every row matching ``q`` in its order (its page and page size are ignored), for an export.

    Raises ``LedgerTooLarge`` (with the count) when more than ``limit`` rows match.
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"limit must be a positive integer, not {limit!r}")
    ctx = _context(session, scope, as_of, q)
    counts = _counts(session, ctx)
    if counts.total > limit:
        raise LedgerTooLarge(counts.total, limit)
    return _decorate(session, ctx, _fetch(session, ctx, counts, 0, counts.total))


# --------------------------------------------------------------------------- names for a few rows


def _patterns_for(session: Session, scope: Scope, ids: list[int], as_of: dt.date, fresh: bool) -> dict[int, str]:
    out: dict[int, str] = {}
    for chunk in in_chunks(ids, _ID_CHUNK):
        if fresh:
            stmt = sa.select(ES.c.enterprise_id, ES.c.pattern).where(
                ES.c.enterprise_id.in_(chunk), active(ES.c.valid_from, ES.c.valid_to, as_of))
        else:
            flags = enterprise_flags(scope, as_of)
            stmt = sa.select(flags.c.enterprise_id, flags.c.pattern).where(flags.c.enterprise_id.in_(chunk))
        out.update({int(i): p for i, p in session.execute(stmt).all()})
    return out


def _covering_names(session: Session, coverage: sa.Table, orgs: sa.Table, org_fk: str, chunk: list[int],
                    as_of: dt.date) -> dict[int, tuple[str, str]]:
    """(name, "own" | "joint") of the organisation covering each enterprise (its own first, then the
    latest start): "own" — 单独建立 — when it is the enterprise's own (a joint Party branch never is),
    the same rule as ``coverage.own_union`` / ``own_party``."""
    own = sa.and_(orgs.c.enterprise_id.is_not(None), orgs.c.enterprise_id == coverage.c.enterprise_id)
    if "level" in orgs.c:
        own = sa.and_(own, orgs.c.level != PartyOrgLevel.JOINT_BRANCH.value)
    rows = session.execute(
        sa.select(coverage.c.enterprise_id, orgs.c.name, sa.case((own, 1), else_=0).label("own"))
        .join(orgs, orgs.c.id == coverage.c[org_fk])
        .where(coverage.c.enterprise_id.in_(chunk), active(coverage.c.start_on, coverage.c.end_on, as_of))
        .order_by(coverage.c.enterprise_id, sa.case((own, 0), else_=1), coverage.c.start_on.desc(), coverage.c.id.desc())
    ).all()
    names: dict[int, tuple[str, str]] = {}
    for eid, name, is_own in rows:
        names.setdefault(int(eid), (name, "own" if is_own else "joint"))
    return names


def _names_for(session: Session, ids: list[int], as_of: dt.date) -> dict[str, dict[int, str]]:
    """Names of the union, Party organisation and liaison officer covering each enterprise as of
    ``as_of``. Where several are active: its own organisation first, then the latest start."""
    union: dict[int, str] = {}
    party: dict[int, str] = {}
    liaison: dict[int, str] = {}
    kind: dict[int, str] = {}
    union_how: dict[int, str] = {}
    party_how: dict[int, str] = {}
    for chunk in in_chunks(ids, _ID_CHUNK):
        for target, how, found in ((union, union_how, _covering_names(session, UC, UO, "union_id", chunk, as_of)),
                                   (party, party_how, _covering_names(session, PC, PO, "party_org_id", chunk, as_of))):
            for eid, (name, kind_of) in found.items():
                target[eid], how[eid] = name, kind_of
        rows = session.execute(
            sa.select(LO.c.enterprise_id, LO.c.name, LO.c.kind)
            .where(LO.c.enterprise_id.in_(chunk), active(LO.c.appointed_on, LO.c.ended_on, as_of))
            .order_by(LO.c.enterprise_id, LO.c.appointed_on.desc(), LO.c.id.desc())
        ).all()
        for eid, name, k in rows:
            if int(eid) not in liaison:
                liaison[int(eid)], kind[int(eid)] = name, str(k.value if hasattr(k, "value") else k)
    return {"union": union, "party_org": party, "liaison": liaison, "liaison_kind": kind, "union_how": union_how,
            "party_how": party_how}


# --------------------------------------------------------------------------- one enterprise

#: the fields and the event kinds of an enterprise's history: the one timeline (``queries.timeline``)
HISTORY_COLUMNS = TIMELINE_COLUMNS
HISTORY_KINDS = KINDS


@dataclass(frozen=True, eq=False)
class EnterpriseDetail:
    enterprise_id: int
    uscc: str
    name: str
    township_id: int
    township: str
    is_village: bool
    ownership: str
    industry: str
    employees: int
    party_members: int
    registered_on: dt.date
    closed_on: dt.date | None
    barrier: str | None
    legal_rep: str | None
    owner_is_party_member: bool
    as_of: dt.date
    pattern: Pattern | None  # None when not operating on ``as_of``
    union: str | None  # covering it as of the date (own or joint)
    party_org: str | None
    liaison: str | None
    liaison_kind: str | None  # LiaisonKind value
    history: pd.DataFrame  # HISTORY_COLUMNS, events up to ``as_of``, sorted by date
    version: int = 1  # the row's version, for the event forms of the detail (0011)


def _value(v):
    return v.value if hasattr(v, "value") else v


def enterprise_detail(session: Session, scope: Scope, enterprise_id: int, as_of: dt.date) -> EnterpriseDetail | None:
    """One enterprise with its pattern as of ``as_of`` and its history up to that date; None when
    it does not exist or is outside the scope's townships (the scope check is in SQL; its 党建基数 does
    not matter: the register holds every enterprise)."""
    scope = _register(scope)
    row = session.execute(
        sa.select(E, T.c.name.label("township_name"),
                  headcount_as_of("employees", as_of).label("employees_then"),
                  headcount_as_of("party_members", as_of).label("party_members_then"))
        .join(T, T.c.id == E.c.township_id)
        .where(E.c.id == int(enterprise_id), scope.where(E.c.township_id))
    ).mappings().one_or_none()
    if row is None:
        return None
    eid = int(row["id"])
    flags = enterprise_flags(Scope.district(), as_of)
    pattern = session.execute(sa.select(flags.c.pattern).where(flags.c.enterprise_id == eid)).scalar_one_or_none()
    names = _names_for(session, [eid], as_of)
    return EnterpriseDetail(
        enterprise_id=eid, uscc=row["uscc"], name=row["name"], township_id=int(row["township_id"]),
        township=row["township_name"], is_village=bool(row["is_village"]), ownership=_value(row["ownership"]),
        industry=row["industry"], employees=int(row["employees_then"]),
        party_members=int(row["party_members_then"]),
        registered_on=row["registered_on"], closed_on=row["closed_on"], barrier=_value(row["barrier"]),
        legal_rep=row["legal_rep"], owner_is_party_member=bool(row["owner_is_party_member"]), as_of=as_of,
        pattern=None if pattern is None else Pattern(pattern),
        union=names["union"].get(eid), party_org=names["party_org"].get(eid),
        liaison=names["liaison"].get(eid), liaison_kind=names["liaison_kind"].get(eid),
        history=enterprise_timeline(session, scope, eid, as_of), version=int(row["version"]),
    )
