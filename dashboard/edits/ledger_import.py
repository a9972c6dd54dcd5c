"""Import a ledger file: every row checked, all or nothing, history kept, each import undoable.

``import_ledger`` reads the file (``ledgerfile.reader``), checks every cell (``ledgerfile.validate``),
checks references and the person's scope against the database, then — in **one transaction** —
turns the differences between the file and the database into dated changes: new townships and
enterprises, an enterprise closed, a union or Party organisation founded or dissolved, a liaison
officer appointed or ended, a new headcount census (the earlier one kept in ``headcount_census``),
members joining or leaving. It computes the KPI cards before and after as of the file's date, and
then either rolls back (a dry run, a file with problems, a file that changes nothing) or records an
``ImportBatch`` with one audit event and commits. Rows absent from the file are left alone.

Every write is journaled (rows inserted, rows updated or deleted with their values before), so the
newest batch can be undone (:func:`undo_batch`) as long as nothing in the ledger tables changed
after it (the batch's ``data_mark``: each table's largest id and the ``data_version`` counter).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlmodel import Session

from dashboard.edits import Actor, EditError
from dashboard.edits.leads import FL, FLS, follow_move, founded_by_union, leads_for_registrations
from dashboard.ledgerfile import spec
from dashboard.ledgerfile.problems import LedgerFileError, Problem, shown
from dashboard.ledgerfile.validate import (
    Known,
    Parsed,
    Record,
    check_references,
    committee_of,
    parse,
    party_key,
    township_code,
    union_key,
)
from dashboard.queries import coverage
from models.audit import audit, utcnow
from models.db import in_chunks
from models.enums import (
    LiaisonKind,
    PartyOrgLevel,
    Role,
    TownshipKind,
    UnionKind,
    UnitKind,
)
from models.tables import (
    DatasetInfo,
    Enterprise,
    HeadcountCensus,
    ImportBatch,
    LiaisonOfficer,
    MembershipChange,
    PartyCoverage,
    PartyOrg,
    Township,
    UnionCoverage,
    UnionOrg,
    Unit,
    coverage_delta,
    coverage_month,
    enterprise_state,
)

T = Township.__table__
U = Unit.__table__
E = Enterprise.__table__
HC = HeadcountCensus.__table__
UO = UnionOrg.__table__
UC = UnionCoverage.__table__
PO = PartyOrg.__table__
PC = PartyCoverage.__table__
LO = LiaisonOfficer.__table__
MC = MembershipChange.__table__
IB = ImportBatch.__table__

#: the tables an import writes, in the order rows are inserted (undo deletes in reverse)
LEDGER_TABLES = (T, U, E, HC, UO, UC, PO, PC, LO, MC)
IMPORTERS = (Role.ADMIN, Role.STAFF, Role.TOWNSHIP)

#: the per-township counts of a diff, in the order they are shown
DIFF_KEYS = ("enterprises_new", "enterprises_changed", "enterprises_closed", "censuses", "unions_founded",
             "unions_dissolved", "unions_changed", "party_founded", "party_dissolved", "party_changed",
             "liaisons_appointed", "liaisons_ended", "liaisons_changed", "membership_changes", "leads_created")
KPI_KEYS = ("operating", "union_coverage", "membership", "party_coverage", "qualified_built", "work_coverage")

Progress = Callable[[str, int, int], None]


# --------------------------------------------------------------------------- outcome


@dataclass
class Outcome:
    """What an import found and did (or, in a dry run or on problems, would do)."""

    filename: str
    sha256: str
    dry_run: bool
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    file_date: dt.date | None = None
    townships_created: list[str] = field(default_factory=list)
    townships_changed: list[str] = field(default_factory=list)
    units_created: list[str] = field(default_factory=list)
    per_township: dict[str, dict[str, int]] = field(default_factory=dict)  # township name -> DIFF_KEYS counts
    kpis_before: dict[str, Any] = field(default_factory=dict)
    kpis_after: dict[str, Any] = field(default_factory=dict)
    batch_id: int | None = None
    same_file_batch: int | None = None  # an earlier batch of the very same file
    encodings: dict[str, str] = field(default_factory=dict)
    writes: int = 0  # rows inserted, updated or deleted (also those no count of the diff shows)
    mark: str = ""  # ``data_mark`` of the ledger before this run wrote anything
    #: the commit found other changes than the check showed (the database changed in between):
    #: nothing was written, this outcome is the new check
    stale: bool = False

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    @property
    def changed(self) -> bool:
        return self.writes > 0

    @property
    def written(self) -> bool:
        return self.batch_id is not None

    def totals(self) -> dict[str, int]:
        out = dict.fromkeys(DIFF_KEYS, 0)
        for counts in self.per_township.values():
            for k, v in counts.items():
                out[k] += v
        return out

    def changes(self) -> dict[str, Any]:
        """What the import changes, comparable between a check and its commit."""
        return {"per_township": self.per_township, "townships_created": self.townships_created,
                "townships_changed": self.townships_changed, "units_created": self.units_created,
                "writes": self.writes, "mark": self.mark}

    def summary(self) -> dict[str, Any]:
        """What the batch keeps (JSON): the diff and the KPIs before and after."""
        return {"file_date": self.file_date.isoformat() if self.file_date else None, "rows": self.rows,
                "townships_created": self.townships_created, "townships_changed": self.townships_changed,
                "units_created": self.units_created,
                "per_township": self.per_township, "totals": self.totals(),
                "kpis_before": self.kpis_before, "kpis_after": self.kpis_after}


class _Refused(Exception):
    """Problems found while writing (a reference only the written rows can settle): roll back."""


# --------------------------------------------------------------------------- journal (undo)


class Journal:
    """Rows inserted and rows changed by one import, so the import can be undone."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.inserted: dict[str, list[int]] = defaultdict(list)
        self.updated: list[tuple[str, int, dict]] = []  # (table, id, values before)
        self.deleted: list[tuple[str, dict]] = []  # (table, the whole row)

    def insert(self, table: sa.Table, rows: list[dict]) -> list[int]:
        if not rows:
            return []
        ids: list[int] = []
        for chunk in in_chunks(rows, 5000):
            result = self.conn.execute(table.insert().returning(table.c.id, sort_by_parameter_order=True), chunk)
            ids += [r[0] for r in result]
        self.inserted[table.name] += ids
        return ids

    def update(self, table: sa.Table, row_id: int, before: dict, values: dict) -> bool:
        """Write the values that differ from ``before``; whether any did."""
        changed = {k: v for k, v in values.items() if before.get(k) != v}
        if not changed:
            return False
        self.updated.append((table.name, row_id, {k: _jsonable(before.get(k)) for k in changed}))
        self.conn.execute(table.update().where(table.c.id == row_id).values(**changed))
        return True

    @property
    def writes(self) -> int:
        return sum(len(v) for v in self.inserted.values()) + len(self.updated) + len(self.deleted)

    def delete(self, table: sa.Table, row: dict) -> None:
        self.deleted.append((table.name, {k: _jsonable(v) for k, v in row.items()}))
        self.conn.execute(table.delete().where(table.c.id == row["id"]))

    def as_json(self) -> str:
        return json.dumps({"inserted": {k: _ranges(v) for k, v in self.inserted.items()},
                           "updated": self.updated, "deleted": self.deleted}, ensure_ascii=False)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if hasattr(value, "value") and not isinstance(value, int | str):
        return value.value
    return value


def _from_json(value: Any) -> Any:
    if isinstance(value, dict) and "date" in value:
        return dt.date.fromisoformat(value["date"])
    return value


def _ranges(ids: list[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for i in sorted(ids):
        if out and out[-1][1] == i - 1:
            out[-1][1] = i
        else:
            out.append([i, i])
    return out


def data_mark(conn: Connection) -> str:
    """The ledger tables' state: each one's largest id and the update/delete counters (``data_version``
    of 0006 for the tables the summaries derive from, ``ledger_version`` of 0009 for townships,
    units and Party organisations)."""
    parts = [str(conn.execute(sa.select(sa.func.coalesce(sa.func.max(t.c.id), 0))).scalar_one()) for t in LEDGER_TABLES]
    info = DatasetInfo.__table__
    versions = dict(conn.execute(sa.select(info.c.key, info.c.value).where(
        info.c.key.in_(("data_version", "ledger_version")))).all())
    return ":".join(parts) + f":v{versions.get('data_version')}:l{versions.get('ledger_version')}"


# --------------------------------------------------------------------------- reading what is known


def _rows(conn: Connection, stmt) -> list[dict]:
    return [dict(r._mapping) for r in conn.execute(stmt)]


def _known(conn: Connection, parsed: Parsed) -> Known:
    known = Known()
    for row in conn.execute(sa.select(T.c.id, T.c.code, T.c.name)):
        known.townships[row.code] = (row.id, row.code)
        known.townships[row.name] = (row.id, row.code)
    wanted = parsed.referenced_usccs() | {r["uscc"] for r in parsed.records("enterprises") if r["uscc"]}
    for chunk in in_chunks(wanted):
        for row in conn.execute(sa.select(E.c.uscc, E.c.id, E.c.registered_on, E.c.township_id).where(E.c.uscc.in_(chunk))):
            known.enterprises[row.uscc] = (row.id, row.registered_on, row.township_id)
    for row in conn.execute(sa.select(UO.c.id, UO.c.name).where(UO.c.kind == UnionKind.FEDERATION.value)):
        known.federations.setdefault(row.name, []).append(row.id)
    for row in conn.execute(sa.select(U.c.id, U.c.name, U.c.township_id)):
        known.units[row.name] = row.id
        known.unit_townships[row.id] = row.township_id
    return known


def _check_scope(parsed: Parsed, known: Known, actor: Actor) -> None:
    """A township account imports only rows of its own townships (the database's and the file's)."""
    if actor.is_district:
        return
    mine = actor.scope.township_ids or frozenset()
    by_id = {tid: code for code, (tid, c) in known.townships.items() if code == c}
    own_codes = {by_id[i] for i in mine if i in by_id}
    db_town = {u: by_id.get(v[2]) for u, v in known.enterprises.items()}
    file_town = {r["uscc"]: township_code(r["township"], parsed, known) for r in parsed.records("enterprises")}

    def refuse(key: str, rec: Record, column: str, value: object) -> None:
        parsed.add(Problem(parsed.titles[key], rec.row, column, shown(value),
                           "不在您负责的乡镇街道范围内（只能导入本乡镇街道的数据）",
                           "outside your townships (a township account imports its own townships only)"))

    for rec in parsed.records("townships"):
        tid = known.townships.get(rec["code"] or "")
        if tid is None or tid[0] not in mine:
            refuse("townships", rec, "区划代码", rec["code"])
    for rec in parsed.records("enterprises"):
        if file_town.get(rec["uscc"]) not in own_codes or (rec["uscc"] in db_town and db_town[rec["uscc"]] not in own_codes):
            refuse("enterprises", rec, "乡镇街道", rec["township"])
    for key in ("unions", "party_orgs"):
        for rec in parsed.records(key):
            codes = {file_town.get(u) or db_town.get(u) for u, _s, _e in rec["enterprises"] or ()}
            if township_code(rec["township"], parsed, known) not in own_codes or not codes <= own_codes:
                refuse(key, rec, "乡镇街道", rec["township"])
    for key in ("liaisons", "membership"):
        for rec in parsed.records(key):
            if (file_town.get(rec["uscc"]) or db_town.get(rec["uscc"])) not in own_codes:
                refuse(key, rec, "统一社会信用代码", rec["uscc"])


# --------------------------------------------------------------------------- KPIs


def _kpis(session: Session, actor: Actor, day: dt.date) -> dict[str, Any]:
    k = coverage.coverage_kpis(session, actor.scope, day)
    out: dict[str, Any] = {"as_of": day.isoformat(), "operating": k.operating}
    for key in KPI_KEYS[1:]:
        rate = getattr(k, key)
        out[key] = [rate.numerator, rate.denominator]
    return out


# --------------------------------------------------------------------------- the import


def _outcome_of_problems(out: Outcome, parsed: Parsed) -> Outcome:
    out.problems = list(parsed.problems)
    out.problem_count = parsed.problem_count
    return out


def read_files(files: Sequence[tuple[str, bytes]]) -> Iterator[Any]:
    """The sheets of one or more files (a workbook, or one CSV per sheet), lazily."""
    from dashboard.ledgerfile.reader import read_ledger

    for name, data in files:
        yield from read_ledger(data, name, known_headers=spec.known_headers())


def files_digest(files: Sequence[tuple[str, bytes]]) -> str:
    """The SHA-256 an import keeps for its files: of their contents, whatever their names and order."""
    digest = hashlib.sha256()
    for content in sorted(hashlib.sha256(data).digest() for _name, data in files):
        digest.update(content)
    return digest.hexdigest()


def import_ledger(engine: sa.Engine, data: bytes, filename: str, **kwargs: Any) -> Outcome:
    """:func:`import_files` of one file."""
    return import_files(engine, [(filename, data)], **kwargs)


def import_files(engine: sa.Engine, files: Sequence[tuple[str, bytes]], *, actor: Actor, dry_run: bool = False,
                 today: dt.date | None = None, progress: Progress | None = None,
                 expected: dict[str, Any] | None = None) -> Outcome:
    """Check the files (a .xlsx ledger, or CSVs of its sheets, imported together) and, unless
    ``dry_run`` or anything is wrong, write them.

    Never raises for a bad file: the problems are in the outcome (``ok`` false) and nothing is
    written. Raises :class:`EditError` for a role that may not import. ``expected``: the
    :meth:`Outcome.changes` a check showed the person — when this run would write other changes
    (the database changed since), nothing is written and the outcome says ``stale``."""
    actor.require(*IMPORTERS)
    today = today or dt.date.today()
    report = progress or (lambda *_: None)
    filename = "、".join(name for name, _ in files)
    out = Outcome(filename=filename, sha256=files_digest(files), dry_run=dry_run)
    report("read", 0, 0)
    try:
        parsed = parse(read_files(files), today=today, progress=progress)
    except LedgerFileError as exc:
        out.problems = [Problem(filename, None, None, "", exc.zh, exc.en)]
        out.problem_count = 1
        return out
    out.rows = parsed.row_count
    out.encodings = parsed.encodings
    out.file_date = parsed.file_date(today)
    with Session(engine) as session:
        conn = session.connection()
        _lock(conn)  # one writer of the summaries at a time (events, imports, undos)
        try:
            known = _known(conn, parsed)
            check_references(parsed, known)
            _check_scope(parsed, known, actor)
            if not parsed.ok:
                return _outcome_of_problems(out, parsed)
            same = conn.execute(sa.select(IB.c.id).where(IB.c.sha256 == out.sha256, IB.c.undone_at.is_(None))
                                .order_by(IB.c.id.desc()).limit(1)).scalar_one_or_none()
            out.same_file_batch = same
            report("kpi", 0, 0)
            out.kpis_before = _kpis(session, actor, out.file_date)
            fresh = _summaries_fresh(conn)
            out.mark = data_mark(conn)  # the ledger as this run found it (a commit compares it with its check's)
            # the batch row first: the censuses written name it (rolled back with the rest unless kept)
            batch_id = conn.execute(IB.insert().returning(IB.c.id).values(
                at=utcnow(), username=actor.username, filename=filename[:200], sha256=out.sha256,
                file_date=out.file_date, rows=out.rows, summary_json="{}", undo_json="{}", data_mark="")).scalar_one()
            journal = Journal(conn)
            writer = _Writer(conn, journal, parsed, known, out, today, report, batch_id, actor)
            writer.run()
            out.writes = journal.writes
            if out.changed:
                report("summary", 0, 0)
                _refresh(conn, writer.touched_townships, partial=fresh)
                out.kpis_after = _kpis(session, actor, out.file_date)
            out.stale = not dry_run and expected is not None and expected != out.changes()
            if dry_run or out.stale or not out.changed:
                session.rollback()
                return out
            conn.execute(IB.update().where(IB.c.id == batch_id).values(
                at=utcnow(), summary_json=json.dumps(out.summary(), ensure_ascii=False),
                undo_json=journal.as_json(), data_mark=data_mark(conn)))
            audit(session, "ledger.import", username=actor.username, entity="import_batch", entity_id=batch_id,
                  after={"file": filename, "sha256": out.sha256, "rows": out.rows, **out.totals(),
                         "townships_created": len(out.townships_created)},
                  detail=f"{filename} ({out.rows} rows)")
            session.commit()
            out.batch_id = batch_id
            return out
        except _Refused:
            session.rollback()
            return _outcome_of_problems(out, parsed)
        except BaseException:
            session.rollback()
            raise


def _lock(conn: Connection) -> None:
    from models import summary

    summary.lock(conn)


def _summaries_fresh(conn: Connection) -> bool:
    from models import summary

    return summary.is_fresh(conn)


def _refresh(conn: Connection, township_ids: set[int], *, partial: bool) -> None:
    """Bring the summary tables up to date: for the townships the write touched when they were
    up to date before it (``partial``), else rebuilt whole."""
    from models import summary

    refresh = getattr(summary, "refresh_summaries", None)
    if partial and refresh is not None:
        if township_ids:
            refresh(conn, sorted(township_ids))
    else:
        summary.rebuild_summaries(conn)


#: an organisation's stored field -> the file column it comes from (the rest: the same name)
UNION_COLUMNS = {"township_id": "township", "enterprise_id": "enterprises", "federation_id": "federation"}
PARTY_COLUMNS = {"township_id": "township", "enterprise_id": "enterprises"}
#: (the unit follows the kind: without a 派出单位 column the writer keeps the stored one)
LIAISON_COLUMNS = {"enterprise_id": "uscc", "dispatched_by_unit_id": "kind"}


class _Writer:
    """Turns the checked file into rows, in dependency order, counting the diff per township."""

    def __init__(self, conn: Connection, journal: Journal, parsed: Parsed, known: Known, out: Outcome,
                 today: dt.date, report: Progress, batch_id: int, actor: Actor):
        self.conn, self.journal, self.parsed, self.known, self.out = conn, journal, parsed, known, out
        self.today, self.report, self.batch_id, self.actor = today, report, batch_id, actor
        self.town_id: dict[str, int] = {}  # code -> id
        self.town_name: dict[int, str] = {}
        self.ent_id: dict[str, int] = {u: v[0] for u, v in known.enterprises.items()}
        self.ent_town: dict[int, int] = {v[0]: v[2] for v in known.enterprises.values()}
        self.touched_townships: set[int] = set()

    def count(self, township_id: int, key: str, n: int = 1) -> None:
        self.touched_townships.add(township_id)
        counts = self.out.per_township.setdefault(self.town_name[township_id], dict.fromkeys(DIFF_KEYS, 0))
        counts[key] += n

    def problem(self, key: str, rec: Record, column: str | None, value: object, zh: str, en: str) -> None:
        self.parsed.add(Problem(self.parsed.titles[key], rec.row, column, shown(value), zh, en))

    def in_scope(self, township_id: int | None) -> bool:
        return self.actor.is_district or (township_id is not None and township_id in self.actor.scope.township_ids)

    def out_of_scope(self, key: str, rec: Record, column: str, value: object) -> None:
        self.problem(key, rec, column, value, "涉及不在您负责范围内的乡镇街道的记录（只能修改本乡镇街道的数据）",
                     "touches a record of a township outside yours")

    def only_present(self, key: str, values: dict, columns: dict[str, str]) -> dict:
        """For an update: the values whose column the sheet has (``columns``: field -> the column key
        it comes from; fields not listed always count) — a column left out of a file changes nothing."""
        present = self.parsed.present.get(key, set())
        return {k: v for k, v in values.items() if columns.get(k, k) in present}

    def town_of(self, eid: int) -> int | None:
        if eid not in self.ent_town:
            self.ent_town[eid] = self.conn.execute(sa.select(E.c.township_id).where(E.c.id == eid)).scalar_one_or_none()
        return self.ent_town[eid]

    def run(self) -> None:
        self.townships()
        self.enterprises()
        self.unions()
        self.party_orgs()
        self.liaisons()
        self.membership()
        self.union_members()
        if not self.parsed.ok:
            raise _Refused
        self.registration_leads()
        self.leads_follow_the_ledger()

    def registration_leads(self) -> None:
        """盯住源头: each new enterprise without a union gets a founding lead (``edits.leads``), journaled
        so an undo removes it while nobody has worked on it."""
        new = self.journal.inserted.get(E.name, [])
        if not new:
            return
        made = leads_for_registrations(self.conn, new, self.actor.username)
        if not made:
            return
        self.journal.inserted[FL.name] += made
        for (town,) in self.conn.execute(sa.select(FL.c.township_id).where(FL.c.id.in_(made))):
            self.count(int(town), "leads_created")

    def leads_follow_the_ledger(self) -> None:
        """Founding leads follow what the file changed, as they follow the ledger's own events
        (``edits.leads.follow_move`` / ``founded_by_union``), written through the journal so an undo
        restores them: the leads of an enterprise that moved go to its new township, and an
        enterprise's open lead is 已建会 with the union the file gives it."""
        moved = {row_id for name, row_id, before in self.journal.updated if name == E.name and "township_id" in before}
        for eid in sorted(moved):
            town = int(self.conn.execute(sa.select(E.c.township_id).where(E.c.id == eid)).scalar_one())
            follow_move(self.conn, eid, town, update=self.journal.update)
        for chunk in in_chunks(self.journal.inserted.get(UC.name, [])):
            for cov in _rows(self.conn, sa.select(UC.c.enterprise_id, UC.c.union_id, UC.c.start_on)
                             .where(UC.c.id.in_(chunk), sa.or_(UC.c.end_on.is_(None), UC.c.end_on > UC.c.start_on))):
                founded_by_union(self.conn, cov["enterprise_id"], cov["union_id"], cov["start_on"], self.actor.username,
                                 update=self.journal.update, insert=self.journal.insert)

    # ------------------------------------------------------------------ townships

    def townships(self) -> None:
        existing = {r["code"]: r for r in _rows(self.conn, sa.select(T))}
        order = max((r["sort_order"] for r in existing.values()), default=0)
        new = []
        for rec in self.parsed.records("townships"):
            v = {"code": rec["code"], "name": rec["name"], "kind": rec["kind"].value}
            if rec["sort_order"] is not None:
                v["sort_order"] = rec["sort_order"]
            row = existing.get(rec["code"])
            if row is None:
                order += 1
                new.append({"sort_order": order, "boundary_geojson": None, "boundary_is_schematic": True, **v})
            else:
                wanted = self.only_present("townships", v, {})
                if not self.actor.is_district and any(row.get(k) != val for k, val in wanted.items()):
                    self.problem("townships", rec, "名称", rec["name"], "乡镇街道的名称、类型和排序只能由区里修改",
                                 "only district staff change a township's name, kind or order")
                elif self.journal.update(T, row["id"], row, wanted):
                    self.out.townships_changed.append(rec["name"])
                    self.touched_townships.add(row["id"])
        if new:
            self.journal.insert(T, new)
            self.out.townships_created = [r["name"] for r in new]
        for row in self.conn.execute(sa.select(T.c.id, T.c.code, T.c.name)):
            self.town_id[row.code] = row.id
            self.town_name[row.id] = row.name
        for r in new:
            self.touched_townships.add(self.town_id[r["code"]])

    def township_of(self, value: str) -> int:
        return self.town_id[township_code(value, self.parsed, self.known)]

    # ------------------------------------------------------------------ enterprises

    def enterprises(self) -> None:
        records = self.parsed.records("enterprises")
        existing: dict[str, dict] = {}
        latest: dict[int, dict] = {}
        for chunk in in_chunks([r["uscc"] for r in records]):
            for row in _rows(self.conn, sa.select(E).where(E.c.uscc.in_(chunk))):
                existing[row["uscc"]] = row
        for chunk in in_chunks([r["id"] for r in existing.values()]):
            newest = (sa.select(HC.c.enterprise_id, sa.func.max(HC.c.census_on).label("d"))
                      .where(HC.c.enterprise_id.in_(chunk)).group_by(HC.c.enterprise_id).subquery())
            for row in _rows(self.conn, sa.select(HC).join(newest, sa.and_(
                    HC.c.enterprise_id == newest.c.enterprise_id, HC.c.census_on == newest.c.d))):
                latest[row["enterprise_id"]] = row
        new_rows, new_census = [], []
        for n, rec in enumerate(records, 1):
            if n % 5000 == 0:
                self.report("write: enterprises", n, len(records))
            tid = self.township_of(rec["township"])
            values = {
                "uscc": rec["uscc"], "name": rec["name"], "township_id": tid, "is_village": bool(rec["is_village"]),
                "ownership": rec["ownership"].value, "industry": rec["industry"] or "",
                "registered_on": rec["registered_on"], "closed_on": rec["closed_on"],
                "barrier": rec["barrier"].value if rec["barrier"] else None, "legal_rep": rec["legal_rep"],
                "owner_is_party_member": bool(rec["owner_is_party_member"]),
                "fixed_premises": bool(rec["fixed_premises"]), "trading": bool(rec["trading"]),
            }
            counts = {"employees": rec["employees"], "party_members": rec["party_members"]}
            census = {"census_on": rec["census_on"], **counts, "union_members": rec["union_members"]}
            row = existing.get(rec["uscc"])
            if row is None:
                new_rows.append({**values, **counts})
                new_census.append((rec["uscc"], census))
                self.count(tid, "enterprises_new")
                if rec["closed_on"]:
                    self.count(tid, "enterprises_closed")
                continue
            eid = row["id"]
            last = latest.get(eid)
            current = {"employees": row["employees"], "party_members": row["party_members"]}
            if last is None or census["census_on"] > last["census_on"]:
                if counts != current:  # a new census with other figures: the old ones become history
                    if last is None and census["census_on"] > row["registered_on"]:
                        # keep the figures the database had, from registration, as the first census
                        self.journal.insert(HC, [{"enterprise_id": eid, "census_on": row["registered_on"],
                                                  **current, "union_members": None, "batch_id": self.batch_id}])
                    self.journal.insert(HC, [{"enterprise_id": eid, **census, "batch_id": self.batch_id}])
                    self.count(tid, "censuses")
                    values |= counts
            elif census["census_on"] == last["census_on"]:
                if counts != {k: last[k] for k in counts}:  # the same census corrected
                    self.journal.update(HC, last["id"], last, {**counts, "union_members": census["union_members"]})
                    self.count(tid, "censuses")
                    values |= counts
            else:  # an earlier census than the newest known: history only
                have = _rows(self.conn, sa.select(HC).where(HC.c.enterprise_id == eid,
                                                            HC.c.census_on == census["census_on"]))
                if not have:
                    self.journal.insert(HC, [{"enterprise_id": eid, **census, "batch_id": self.batch_id}])
                    self.count(tid, "censuses")
                elif self.journal.update(HC, have[0]["id"], have[0], {**counts, "union_members": census["union_members"]}):
                    self.count(tid, "censuses")  # that census corrected
            values = self.only_present("enterprises", values, {"township_id": "township"} | dict.fromkeys(counts, "census_on"))
            changed = {k: v for k, v in values.items() if row.get(k) != v}
            if changed:
                self.journal.update(E, eid, row, values)
                if "closed_on" in changed and values["closed_on"] is not None:
                    self.count(tid, "enterprises_closed")
                if set(changed) - {"closed_on", "employees", "party_members"}:
                    self.count(tid, "enterprises_changed")
                if row["township_id"] != tid:
                    self.touched_townships.add(row["township_id"])
                    self.town_name.setdefault(row["township_id"], str(row["township_id"]))
            self.ent_town[eid] = tid
        ids = self.journal.insert(E, new_rows)
        for eid, row in zip(ids, new_rows, strict=True):
            self.ent_id[row["uscc"]] = eid
            self.ent_town[eid] = row["township_id"]
        self.journal.insert(HC, [{"enterprise_id": self.ent_id[u], **c, "batch_id": self.batch_id}
                                 for u, c in new_census])

    # ------------------------------------------------------------------ unions and Party organisations

    def _coverage_of(self, cov: sa.Table, org_col: str, eids: list[int]) -> dict[int, list[dict]]:
        """Every coverage row of the organisations that cover any of ``eids``."""
        org_ids: set[int] = set()
        for chunk in in_chunks(eids):
            org_ids |= {r[0] for r in self.conn.execute(sa.select(cov.c[org_col]).where(cov.c.enterprise_id.in_(chunk)))}
        out: dict[int, list[dict]] = defaultdict(list)
        for chunk in in_chunks(org_ids):
            for row in _rows(self.conn, sa.select(cov, E.c.township_id.label("enterprise_township"))
                             .join(E, E.c.id == cov.c.enterprise_id).where(cov.c[org_col].in_(chunk))):
                self.ent_town.setdefault(row["enterprise_id"], row["enterprise_township"])
                out[row[org_col]].append(row)
        return out

    def _uscc_of(self, eids: Iterable[int]) -> dict[int, str]:
        back = {v: k for k, v in self.ent_id.items()}
        missing = [e for e in eids if e not in back]
        for chunk in in_chunks(missing):
            for row in self.conn.execute(sa.select(E.c.id, E.c.uscc).where(E.c.id.in_(chunk))):
                back[row.id] = row.uscc
        return back

    def _sync_coverage(self, cov: sa.Table, org_col: str, org_id: int, rows: list[dict], entries,
                       founded: dt.date, dissolved: dt.date | None) -> list[dict]:
        """Update the organisation's coverage rows to the file's; returns the rows to insert."""
        have = {r["enterprise_id"]: r for r in rows}
        add = []
        # the figures of every enterprise covered, before and after, change: their townships' too
        self.touched_townships.update(t for t in (self.town_of(e) for e in have) if t is not None)
        for code, start, end in entries:
            eid = self.ent_id[code]
            if (town := self.town_of(eid)) is not None:
                self.touched_townships.add(town)
            want = {"start_on": start or founded, "end_on": end if (start or end) else dissolved}
            if start and not end:
                want["end_on"] = dissolved
            row = have.get(eid)
            if row is None:
                add.append({org_col: org_id, "enterprise_id": eid, **want})
            else:
                self.journal.update(cov, row["id"], row, want)
        return add

    def unions(self) -> None:
        records = self.parsed.records("unions")
        if not records:
            return
        eids = [self.ent_id[u] for r in records for u, _s, _e in r["enterprises"] or ()]
        coverage_rows = self._coverage_of(UC, "union_id", eids)
        uscc_of = self._uscc_of({r["enterprise_id"] for rows in coverage_rows.values() for r in rows})
        towns = {self.township_of(r["township"]) for r in records}
        orgs = {r["id"]: r for r in _rows(self.conn, sa.select(UO).where(sa.or_(
            UO.c.id.in_(sorted(coverage_rows)) if coverage_rows else sa.false(),
            sa.and_(UO.c.township_id.in_(sorted(towns)), UO.c.kind.in_([UnionKind.OTHER.value, UnionKind.FEDERATION.value])))))}
        by_key: dict[tuple, dict] = {}
        by_name: dict[tuple, dict] = {}  # a joint union that an enterprise joined since: same name and day
        for org in orgs.values():
            entries = [(uscc_of[c["enterprise_id"]], None, None) for c in coverage_rows.get(org["id"], [])]
            town_code = next((c for c, i in self.town_id.items() if i == org["township_id"]), None)
            key = union_key({"kind": UnionKind(org["kind"]), "enterprises": entries, "founded_on": org["founded_on"],
                             "township": town_code, "name": org["name"]})
            by_key[key] = org
            by_name[(org["kind"], org["township_id"], org["name"], org["founded_on"])] = org
        federation_ids = {n: ids[0] for n, ids in self.known.federations.items() if len(ids) == 1}
        federation_town = dict(self.conn.execute(sa.select(UO.c.id, UO.c.township_id).where(
            UO.c.kind == UnionKind.FEDERATION.value)).all())
        coverage_new: list[dict] = []
        # federations first (other rows may name them), each group inserted in one statement
        for federations in (True, False):
            new: list[tuple[Record, dict]] = []
            for rec in records:
                if (rec["kind"] == UnionKind.FEDERATION) != federations:
                    continue
                tid = self.township_of(rec["township"])
                code = township_code(rec["township"], self.parsed, self.known)
                entries = rec["enterprises"] or []
                values = {
                    "name": rec["name"], "kind": rec["kind"].value, "township_id": tid,
                    "enterprise_id": self.ent_id[entries[0][0]] if rec["kind"] == UnionKind.ENTERPRISE else None,
                    "federation_id": federation_ids.get(rec["federation"]) if rec["federation"] else None,
                    "founded_on": rec["founded_on"], "dissolved_on": rec["dissolved_on"], "chair_name": rec["chair_name"],
                    "has_workers_congress": bool(rec["has_workers_congress"]),
                    "chair_is_party_secretary": bool(rec["chair_is_party_secretary"]),
                }
                if rec["federation"] and not self.in_scope(federation_town.get(values["federation_id"])):
                    self.out_of_scope("unions", rec, "所属工会联合会", rec["federation"])
                    continue
                org = (by_key.get(union_key({**rec.values, "township": code}))
                       or by_name.get((values["kind"], tid, values["name"], values["founded_on"])))
                if org is None:
                    new.append((rec, values))
                    self.count(tid, "unions_founded")
                    if rec["dissolved_on"]:
                        self.count(tid, "unions_dissolved")
                    continue
                covered = coverage_rows.get(org["id"], [])
                if not (self.in_scope(org["township_id"]) and all(self.in_scope(c["enterprise_township"]) for c in covered)):
                    self.out_of_scope("unions", rec, "工会名称", rec["name"])
                    continue
                dissolved = values["dissolved_on"] and not org["dissolved_on"]
                if self.journal.update(UO, org["id"], org, self.only_present("unions", values, UNION_COLUMNS)):
                    self.count(tid, "unions_dissolved" if dissolved else "unions_changed")
                coverage_new += self._sync_coverage(UC, "union_id", org["id"], covered,
                                                    entries, rec["founded_on"], rec["dissolved_on"])
                self.touched_townships.update((tid, org["township_id"]))
            ids = self.journal.insert(UO, [values for _rec, values in new])
            for org_id, (rec, values) in zip(ids, new, strict=True):
                if federations:
                    federation_ids[rec["name"]] = org_id
                    federation_town[org_id] = values["township_id"]
                coverage_new += self._sync_coverage(UC, "union_id", org_id, [], rec["enterprises"] or [],
                                                    rec["founded_on"], rec["dissolved_on"])
        self.journal.insert(UC, coverage_new)

    def party_orgs(self) -> None:
        records = self.parsed.records("party_orgs")
        if not records:
            return
        eids = [self.ent_id[u] for r in records for u, _s, _e in r["enterprises"] or ()]
        coverage_rows = self._coverage_of(PC, "party_org_id", eids)
        uscc_of = self._uscc_of({r["enterprise_id"] for rows in coverage_rows.values() for r in rows})
        orgs = _rows(self.conn, sa.select(PO).where(PO.c.id.in_(sorted(coverage_rows)))) if coverage_rows else []
        by_key, by_name = {}, {}
        for org in orgs:
            entries = [(uscc_of[c["enterprise_id"]], None, None) for c in coverage_rows.get(org["id"], [])]
            by_key[party_key({"level": PartyOrgLevel(org["level"]), "enterprises": entries,
                              "founded_on": org["founded_on"]})] = org
            by_name[(org["level"], org["township_id"], org["name"], org["founded_on"])] = org
        coverage_new: list[dict] = []
        new: list[tuple[Record, dict]] = []
        for rec in records:
            tid = self.township_of(rec["township"])
            entries = rec["enterprises"] or []
            values = {
                "name": rec["name"], "level": rec["level"].value, "township_id": tid,
                "enterprise_id": None if rec["level"] == PartyOrgLevel.JOINT_BRANCH else self.ent_id[entries[0][0]],
                "founded_on": rec["founded_on"], "dissolved_on": rec["dissolved_on"],
                "secretary_name": rec["secretary_name"],
            }
            org = by_key.get(party_key(rec.values)) or by_name.get((values["level"], tid, values["name"],
                                                                   values["founded_on"]))
            if org is None:
                new.append((rec, values))
                self.count(tid, "party_founded")
                if rec["dissolved_on"]:
                    self.count(tid, "party_dissolved")
                continue
            covered = coverage_rows.get(org["id"], [])
            if not (self.in_scope(org["township_id"]) and all(self.in_scope(c["enterprise_township"]) for c in covered)):
                self.out_of_scope("party_orgs", rec, "党组织名称", rec["name"])
                continue
            dissolved = values["dissolved_on"] and not org["dissolved_on"]
            if self.journal.update(PO, org["id"], org, self.only_present("party_orgs", values, PARTY_COLUMNS)):
                self.count(tid, "party_dissolved" if dissolved else "party_changed")
            coverage_new += self._sync_coverage(PC, "party_org_id", org["id"], covered,
                                                entries, rec["founded_on"], rec["dissolved_on"])
            self.touched_townships.update((tid, org["township_id"]))
        ids = self.journal.insert(PO, [values for _rec, values in new])
        for org_id, (rec, _values) in zip(ids, new, strict=True):
            coverage_new += self._sync_coverage(PC, "party_org_id", org_id, [], rec["enterprises"] or [],
                                                rec["founded_on"], rec["dissolved_on"])
        self.journal.insert(PC, coverage_new)

    # ------------------------------------------------------------------ liaison officers

    def _committee(self, tid: int) -> int:
        """The township's Party (working) committee, created when the database has none."""
        found = self.conn.execute(sa.select(U.c.id).where(U.c.township_id == tid, U.c.kind == UnitKind.TOWNSHIP_PARTY.value)
                                  .order_by(U.c.id).limit(1)).scalar_one_or_none()
        if found is not None:
            return found
        town = self.conn.execute(sa.select(T.c.code, T.c.name, T.c.kind).where(T.c.id == tid)).one()
        name = town.name + ("党工委" if town.kind == TownshipKind.SUBDISTRICT.value else "党委")
        code = f"{town.code}_DW"
        (uid,) = self.journal.insert(U, [{"code": code, "name": name, "kind": UnitKind.TOWNSHIP_PARTY.value,
                                          "township_id": tid}])
        self.out.units_created.append(name)
        return uid

    def liaisons(self) -> None:
        records = self.parsed.records("liaisons")
        if not records:
            return
        eids = {self.ent_id[r["uscc"]] for r in records}
        existing = {}
        for chunk in in_chunks(eids):
            for row in _rows(self.conn, sa.select(LO).where(LO.c.enterprise_id.in_(chunk))):
                existing[(row["enterprise_id"], row["name"], row["appointed_on"])] = row
        committees: dict[int, int] = {}
        has_unit_column = "unit" in self.parsed.present.get("liaisons", set())
        new = []
        for rec in records:
            eid = self.ent_id[rec["uscc"]]
            tid = self.ent_town[eid]
            unit = None
            row = existing.get((eid, rec["name"], rec["appointed_on"]))
            if rec["kind"] == LiaisonKind.DISPATCHED and not has_unit_column and row and row["dispatched_by_unit_id"]:
                unit = row["dispatched_by_unit_id"]  # no 派出单位 column: the unit stays as it is
            elif rec["kind"] == LiaisonKind.DISPATCHED:
                if rec["unit"] and rec["unit"] in self.known.units:
                    unit = self.known.units[rec["unit"]]
                    if not self.in_scope(self.known.unit_townships.get(unit)):
                        self.out_of_scope("liaisons", rec, "派出单位", rec["unit"])
                        continue
                else:  # blank, or "<township>党委" not yet in the database: that township's committee
                    town = self.town_id[committee_of(rec["unit"], self.parsed, self.known)] if rec["unit"] else tid
                    if not self.in_scope(town):
                        self.out_of_scope("liaisons", rec, "派出单位", rec["unit"])
                        continue
                    if town not in committees:
                        committees[town] = self._committee(town)
                    unit = committees[town]
            values = {"enterprise_id": eid, "name": rec["name"], "kind": rec["kind"].value,
                      "dispatched_by_unit_id": unit, "appointed_on": rec["appointed_on"], "ended_on": rec["ended_on"]}
            if row is None:
                new.append(values)
                self.count(tid, "liaisons_appointed")
                if rec["ended_on"]:
                    self.count(tid, "liaisons_ended")
                continue
            ended = values["ended_on"] and not row["ended_on"]
            if self.journal.update(LO, row["id"], row, self.only_present("liaisons", values, LIAISON_COLUMNS)):
                self.count(tid, "liaisons_ended" if ended else "liaisons_changed")
        self.journal.insert(LO, new)

    # ------------------------------------------------------------------ union members

    def _union_at(self, eids: Iterable[int]) -> Callable[[int, dt.date], int | None]:
        """The union a membership change at an enterprise belongs to: the one covering it that day,
        else the nearest coverage before it, else the first after it."""
        periods: dict[int, list[tuple]] = defaultdict(list)
        for chunk in in_chunks(set(eids)):
            for row in self.conn.execute(sa.select(UC.c.enterprise_id, UC.c.union_id, UC.c.start_on, UC.c.end_on)
                                         .where(UC.c.enterprise_id.in_(chunk)).order_by(UC.c.start_on, UC.c.id)):
                periods[row.enterprise_id].append((row.start_on, row.end_on, row.union_id))

        def find(eid: int, day: dt.date) -> int | None:
            spans = periods.get(eid)
            if not spans:
                return None
            for start, end, uid in spans:
                if start <= day and (end is None or day < end):
                    return uid
            before = [s for s in spans if s[0] <= day]
            return (before[-1] if before else spans[0])[2]

        return find

    def membership(self) -> None:
        records = self.parsed.records("membership")
        if not records:
            return
        eids = {self.ent_id[r["uscc"]] for r in records}
        existing: dict[tuple, list[dict]] = defaultdict(list)
        for chunk in in_chunks(eids):
            for row in _rows(self.conn, sa.select(MC).where(MC.c.enterprise_id.in_(chunk))):
                existing[(row["enterprise_id"], row["changed_on"])].append(row)
        union_at = self._union_at(eids)
        present = self.parsed.present.get("membership", set())
        new = []
        for n, rec in enumerate(records, 1):
            if n % 20000 == 0:
                self.report("write: membership", n, len(records))
            eid = self.ent_id[rec["uscc"]]
            rows = existing.get((eid, rec["changed_on"]), [])
            # a column the sheet leaves out keeps what is stored for that day
            joined = (rec["joined"] or 0) if "joined" in present else sum(r["joined"] for r in rows)
            left = (rec["left"] or 0) if "left" in present else sum(r["left_count"] for r in rows)
            if rows and sum(r["joined"] for r in rows) == joined and sum(r["left_count"] for r in rows) == left:
                continue
            uid = union_at(eid, rec["changed_on"])
            if uid is None:
                self.problem("membership", rec, "统一社会信用代码", rec["uscc"], "该企业没有工会，不能记录会员变动",
                             "the enterprise has no union: no membership changes")
                continue
            for row in rows:
                self.journal.delete(MC, row)
            new.append({"union_id": uid, "enterprise_id": eid, "changed_on": rec["changed_on"], "joined": joined,
                        "left_count": left})
            self.count(self.ent_town[eid], "membership_changes")
        self.journal.insert(MC, new)

    def union_members(self) -> None:
        """The enterprise sheet's 工会会员数 on the census date: a difference from what the history
        says that day becomes members joining or leaving on that day."""
        records = [r for r in self.parsed.records("enterprises") if r["union_members"] is not None]
        if not records:
            return
        eids = [self.ent_id[r["uscc"]] for r in records]
        have: dict[tuple, int] = {}
        for chunk in in_chunks(eids):
            for row in self.conn.execute(sa.select(MC.c.enterprise_id, MC.c.changed_on, MC.c.joined - MC.c.left_count)
                                         .where(MC.c.enterprise_id.in_(chunk))):
                have[(row[0], row[1])] = have.get((row[0], row[1]), 0) + row[2]
        by_eid: dict[int, list[tuple]] = defaultdict(list)
        for (eid, day), delta in have.items():
            by_eid[eid].append((day, delta))
        union_at = self._union_at(eids)
        same_day = {(r["uscc"], r["changed_on"]) for r in self.parsed.records("membership")}
        new = []
        for rec in records:
            eid = self.ent_id[rec["uscc"]]
            members = sum(d for day, d in by_eid.get(eid, []) if day <= rec["census_on"])
            diff = rec["union_members"] - members
            if diff == 0:
                continue
            if (rec["uscc"], rec["census_on"]) in same_day:
                self.problem("enterprises", rec, "工会会员数", rec["union_members"],
                             f"与“会员变动”表不符：按其记录，{rec['census_on']} 的会员为 {members} 人",
                             f"does not match the membership changes: {members} members on {rec['census_on']}")
                continue
            uid = union_at(eid, rec["census_on"])
            if uid is None:
                self.problem("enterprises", rec, "工会会员数", rec["union_members"],
                             "该企业没有工会（“工会”表和数据库中都没有），工会会员数应为空",
                             "the enterprise has no union: leave union members empty")
                continue
            new.append({"union_id": uid, "enterprise_id": eid, "changed_on": rec["census_on"],
                        "joined": max(diff, 0), "left_count": max(-diff, 0)})
            self.count(self.ent_town[eid], "membership_changes")
        self.journal.insert(MC, new)


# --------------------------------------------------------------------------- batches and undo


@dataclass(frozen=True)
class BatchInfo:
    id: int
    at: dt.datetime
    username: str
    filename: str
    sha256: str
    file_date: dt.date
    rows: int
    summary: dict
    undone_at: dt.datetime | None
    undone_by: str | None


def list_batches(session: Session, limit: int = 50, *, username: str | None = None) -> list[BatchInfo]:
    """The newest batches (only ``username``'s when given: a township account sees its own)."""
    stmt = sa.select(IB.c.id, IB.c.at, IB.c.username, IB.c.filename, IB.c.sha256, IB.c.file_date,
                     IB.c.rows, IB.c.summary_json, IB.c.undone_at, IB.c.undone_by)
    if username is not None:
        stmt = stmt.where(IB.c.username == username)
    rows = session.execute(stmt.order_by(IB.c.id.desc()).limit(limit))
    return [BatchInfo(r.id, r.at, r.username, r.filename, r.sha256, r.file_date, r.rows, json.loads(r.summary_json),
                      r.undone_at, r.undone_by) for r in rows]


def undo_problem(session: Session, batch_id: int) -> str | None:
    """Why the batch cannot be undone (an i18n key), or None when it can."""
    conn = session.connection()
    row = conn.execute(sa.select(IB.c.id, IB.c.undone_at, IB.c.data_mark).where(IB.c.id == batch_id)).first()
    if row is None:
        return "import.undo.missing"
    if row.undone_at is not None:
        return "import.undo.already"
    newest = conn.execute(sa.select(sa.func.max(IB.c.id)).where(IB.c.undone_at.is_(None))).scalar_one()
    if newest != batch_id:
        return "import.undo.not_newest"
    if data_mark(conn) != row.data_mark:
        return "import.undo.edited_after"
    return None


def undo_batch(session: Session, batch_id: int, *, actor: Actor) -> dict[str, int]:
    """Undo the newest import: delete the rows it inserted, restore the rows it changed or deleted,
    bring the summaries up to date, mark the batch undone, one audit event. Refused (EditError)
    for another batch, or when anything in the ledger tables changed after it."""
    actor.require(Role.ADMIN, Role.STAFF)
    _lock(session.connection())  # before the check: nothing changes between it and the undo
    problem = undo_problem(session, batch_id)
    if problem:
        raise EditError(problem)
    conn = session.connection()
    undo = json.loads(conn.execute(sa.select(IB.c.undo_json).where(IB.c.id == batch_id)).scalar_one())
    fresh = _summaries_fresh(conn)
    tables = {t.name: t for t in (*LEDGER_TABLES, FL, FLS)}  # the leads the import moved or closed too
    touched: set[int] = set()

    def note_townships(table: sa.Table, ids: list[int]) -> None:
        for chunk in in_chunks(ids):
            if table is E or table is T:
                col = E.c.township_id if table is E else T.c.id
                touched.update(r[0] for r in conn.execute(sa.select(col).where((E.c.id if table is E else T.c.id).in_(chunk))))
            else:
                if "enterprise_id" in table.c:
                    touched.update(r[0] for r in conn.execute(
                        sa.select(E.c.township_id).join(table, table.c.enterprise_id == E.c.id)
                        .where(table.c.id.in_(chunk))))
                if "township_id" in table.c:
                    touched.update(r[0] for r in conn.execute(
                        sa.select(table.c.township_id).where(table.c.id.in_(chunk))) if r[0] is not None)

    counts: dict[str, int] = {}
    # a lead the import moved or closed and someone has worked on since is not the import's to undo
    for name, row_id, before in undo["updated"]:
        if name == FL.name and "version" in before:
            now_version = conn.execute(sa.select(FL.c.version).where(FL.c.id == row_id)).scalar()
            if now_version != before["version"] + 1:
                raise EditError("import.undo.leads_worked")
    # the stage periods it added (leads it closed as 已建会) go; the leads' rows are restored below
    for chunk in in_chunks([i for lo, hi in undo["inserted"].get(FLS.name, []) for i in range(lo, hi + 1)]):
        conn.execute(FLS.delete().where(FLS.c.id.in_(chunk)))
    # the 盯住源头 leads it made go first — unless someone has worked on one since (a later stage,
    # another owner): that work is not the import's to undo
    leads = [i for lo, hi in undo["inserted"].get(FL.name, []) for i in range(lo, hi + 1)]
    for chunk in in_chunks(leads):
        worked = conn.execute(sa.select(sa.func.count()).select_from(FL)
                              .where(FL.c.id.in_(chunk), FL.c.version > 1)).scalar_one()
        if worked:
            raise EditError("import.undo.leads_worked")
        conn.execute(FLS.delete().where(FLS.c.lead_id.in_(chunk)))
        conn.execute(FL.delete().where(FL.c.id.in_(chunk)))
    if leads:
        counts[f"{FL.name}.deleted"] = len(leads)
    for name, row_id, before in reversed(undo["updated"]):
        table = tables[name]
        note_townships(table, [row_id])
        conn.execute(table.update().where(table.c.id == row_id).values({k: _from_json(v) for k, v in before.items()}))
        note_townships(table, [row_id])
        counts[f"{name}.restored"] = counts.get(f"{name}.restored", 0) + 1
    for table in reversed(LEDGER_TABLES):
        ids = [i for lo, hi in undo["inserted"].get(table.name, []) for i in range(lo, hi + 1)]
        if not ids:
            continue
        note_townships(table, ids)
        if table is T:
            touched.difference_update(ids)
        for chunk in in_chunks(ids):
            if table is E:  # the summary rows of these enterprises go too (refreshed below)
                conn.execute(enterprise_state.delete().where(enterprise_state.c.enterprise_id.in_(chunk)))
            if table is T:
                for derived in (coverage_delta, coverage_month, enterprise_state):
                    conn.execute(derived.delete().where(derived.c.township_id.in_(chunk)))
            try:
                with conn.begin_nested():
                    conn.execute(table.delete().where(table.c.id.in_(chunk)))
            except sa.exc.IntegrityError:  # a meeting, notice, honour … written since refers to them
                raise EditError("import.undo.referenced") from None
        counts[f"{table.name}.deleted"] = len(ids)
    for name, row in undo["deleted"]:
        table = tables[name]
        conn.execute(table.insert().values({k: _from_json(v) for k, v in row.items()}))
        note_townships(table, [row["id"]])
    _refresh(conn, touched, partial=fresh)
    conn.execute(IB.update().where(IB.c.id == batch_id).values(undone_at=utcnow(), undone_by=actor.username))
    audit(session, "ledger.undo", username=actor.username, entity="import_batch", entity_id=batch_id, after=counts)
    return counts
