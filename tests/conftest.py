"""Shared fixtures: databases for the tests, fastest first.

Empty, migrated databases (one per test, written freely):

* ``sqlite_engine`` — a copy of a SQLite file migrated once per session (a file copy, not a run
  of the migrations);
* ``pg_engine`` — one migrated PostgreSQL database per session (per xdist worker), emptied
  between tests: rows deleted, sequences restarted, the rows the migrations write put back; a test
  that changed the schema gets the database rebuilt;
* ``any_engine`` — the test runs on both;
* ``pg_url`` — a brand-new, *unmigrated* PostgreSQL database (the migration tests).

The demo district (``write_demo(seed=2002, today=2026-11-24)``), built once per session and
backend:

* ``demo_engine`` (SQLite) and ``any_demo_engine`` (SQLite and PostgreSQL) — **read-only**,
  shared by every test that only reads it. The database refuses writes (SQLite
  ``PRAGMA query_only``; PostgreSQL ``default_transaction_read_only``), and at the end of the
  session its row counts are checked against those it was built with;
* ``own_demo_engine`` / ``any_own_demo_engine`` — a private copy a test may write to (a file
  copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL);
* ``demo_template`` — the SQLite demo file, for fixtures that need a URL of their own copy
  (``demo_template.copy(path)``: the page tests, the CLI tests).

PostgreSQL: set ``DANGONG_TEST_POSTGRES_URL`` (``.ci/run`` does). When it is set and the server
is unreachable the tests fail — they never silently skip in CI.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from models.db import make_engine, upgrade
from tests.factories import DEMO_SEED, DEMO_TODAY, table_counts

PG_ENV = "DANGONG_TEST_POSTGRES_URL"
# the app servers the tests start do not warm their caches in the background (a test that wants it says so)
os.environ.setdefault("DANGONG_WARM_CACHES", "false")


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch, tmp_path):
    """No test reads the developer's data/ database or secrets by accident."""
    from models.settings import get_settings

    monkeypatch.setenv("DANGONG_DATABASE_URL", f"sqlite:///{tmp_path / 'default.sqlite'}")
    monkeypatch.setenv("DANGONG_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def sqlite_url(tmp_path, name: str = "test.sqlite") -> str:
    return f"sqlite:///{tmp_path / name}"


# --------------------------------------------------------------------------- SQLite


@dataclass(frozen=True)
class SqliteTemplate:
    """A SQLite file built once; tests get copies of it (a copy of a few MB takes milliseconds)."""

    path: Path

    def copy(self, dest: Path) -> str:
        """Copy the file to ``dest`` (a file path) and return its URL."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.path, dest)
        return f"sqlite:///{dest}"


def _finish_sqlite(url: str) -> None:
    """Fold the write-ahead log into the file, so that copying the file alone copies everything."""
    engine = make_engine(url)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> SqliteTemplate:
    """An empty SQLite database at the head revision, migrated once per session."""
    path = tmp_path_factory.mktemp("templates") / "migrated.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    _finish_sqlite(f"sqlite:///{path}")
    return SqliteTemplate(path)


@pytest.fixture
def sqlite_engine(migrated_template, tmp_path) -> Iterator[Engine]:
    """A fresh, migrated, empty SQLite database of this test's own."""
    engine = make_engine(migrated_template.copy(tmp_path / "test.sqlite"))
    yield engine
    engine.dispose()


_READ_ONLY_FILES: set[str] = set()


def _query_only_on_shared_files(dbapi_conn, _record) -> None:
    """Every new connection to a shared read-only SQLite file is made query-only (writes fail)."""
    if not _READ_ONLY_FILES or not isinstance(dbapi_conn, sqlite3.Connection):
        return
    cur = dbapi_conn.cursor()
    try:
        path = cur.execute("PRAGMA database_list").fetchone()[2]
        if path and os.path.realpath(path) in _READ_ONLY_FILES:
            cur.execute("PRAGMA query_only = ON")
    finally:
        cur.close()


def _register_read_only(path: Path) -> None:
    if not sa.event.contains(sa.pool.Pool, "connect", _query_only_on_shared_files):
        sa.event.listen(sa.pool.Pool, "connect", _query_only_on_shared_files)
    _READ_ONLY_FILES.add(os.path.realpath(path))


@pytest.fixture(scope="session")
def demo_template(migrated_template, tmp_path_factory) -> SqliteTemplate:
    """The demo district in a SQLite file, written once per session (never opened again: copy it)."""
    from seed_data.demo import write_demo

    path = tmp_path_factory.mktemp("templates") / "demo.sqlite"
    url = migrated_template.copy(path)
    engine = make_engine(url)
    write_demo(engine, seed=DEMO_SEED, today=DEMO_TODAY)
    engine.dispose()
    _finish_sqlite(url)
    return SqliteTemplate(path)


@pytest.fixture(scope="session")
def _shared_demo_sqlite(demo_template, tmp_path_factory) -> Iterator[Engine]:
    path = tmp_path_factory.mktemp("shared") / "demo-read-only.sqlite"
    _register_read_only(path)
    engine = make_engine(demo_template.copy(path))
    before = table_counts(engine)
    yield engine
    after = table_counts(engine)
    engine.dispose()
    assert after == before, "a test changed the shared read-only demo database (use own_demo_engine)"


@pytest.fixture
def demo_engine(_shared_demo_sqlite) -> Engine:
    """The demo district on SQLite, shared and read-only: a write raises."""
    return _shared_demo_sqlite


@pytest.fixture
def own_demo_engine(demo_template, tmp_path) -> Iterator[Engine]:
    """A copy of the SQLite demo this test may write to."""
    engine = make_engine(demo_template.copy(tmp_path / "demo.sqlite"))
    yield engine
    engine.dispose()


# --------------------------------------------------------------------------- PostgreSQL


def _pg_admin_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if not url:
        return None
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


#: the database's schema (tables, columns, constraints, triggers, functions, revision) as one hash
_SCHEMA_HASH = """
SELECT md5(string_agg(x, ',' ORDER BY x)) FROM (
  SELECT 'c:' || c.relname || ':' || c.relkind::text || ':' || coalesce(string_agg(
           a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || a.attnotnull::text, ';' ORDER BY a.attnum), '') AS x
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  WHERE n.nspname = 'public' GROUP BY c.relname, c.relkind
  UNION ALL SELECT 'k:' || conname || pg_get_constraintdef(oid) FROM pg_constraint
            WHERE connamespace = 'public'::regnamespace
  UNION ALL SELECT 't:' || tgname || tgenabled::text FROM pg_trigger WHERE NOT tgisinternal
  UNION ALL SELECT 'f:' || proname || md5(prosrc) FROM pg_proc WHERE pronamespace = 'public'::regnamespace
  UNION ALL SELECT 'v:' || version_num FROM alembic_version
) s
"""


@dataclass
class Postgres:
    """This session's PostgreSQL server: creates and drops the test databases (names are unique
    per worker, all dropped at the end of the session)."""

    admin_url: str
    admin: Engine = field(init=False)
    created: list[str] = field(default_factory=list)
    _dropper: ThreadPoolExecutor | None = field(default=None, init=False)
    _dropping: list[Future] = field(default_factory=list, init=False)

    def __post_init__(self):
        self.admin = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")

    def url(self, name: str) -> str:
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def create(self, prefix: str = "dangong_t", template: str | None = None) -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        sql = f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
        try:
            with self.admin.connect() as conn:
                conn.execute(sa.text(sql))
        except sa.exc.OperationalError as exc:  # set but unreachable: fail loudly
            pytest.fail(f"{PG_ENV} is set but PostgreSQL is unreachable: {exc.orig}")
        self.created.append(name)
        return name

    def disconnect(self, name: str) -> None:
        """End every other session on ``name`` (what a test left open would block the reset)."""
        with self.admin.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE datname = :n AND pid <> pg_backend_pid()"), {"n": name})

    def drop(self, name: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if name in self.created:
            self.created.remove(name)

    def drop_later(self, name: str) -> None:
        """Drop ``name`` in a thread of its own while the next tests run: PostgreSQL's ``DROP
        DATABASE`` waits for a checkpoint (0.2–2 s on a loaded machine) that needs no CPU of this
        process. ``close`` waits for every such drop (and raises what one raised)."""
        if self._dropper is None:
            self._dropper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pg-drop")
        self._dropping.append(self._dropper.submit(self.drop, name))

    def close(self) -> None:
        if self._dropper is not None:
            self._dropper.shutdown(wait=True)
            for done in self._dropping:
                done.result()
        for name in list(self.created):
            self.drop(name)
        self.admin.dispose()


@pytest.fixture(scope="session")
def _postgres() -> Iterator[Postgres]:
    admin_url = _pg_admin_url()
    if admin_url is None:
        pytest.skip(f"{PG_ENV} is not set (CI sets it)")
    server = Postgres(admin_url)
    yield server
    server.close()


@pytest.fixture
def pg_url(_postgres) -> Iterator[str]:
    """A URL of a brand-new, empty (unmigrated) PostgreSQL database (dropped afterwards)."""
    name = _postgres.create()
    try:
        yield _postgres.url(name)
    finally:
        _postgres.drop(name)


@dataclass
class ReusedPostgres:
    """One migrated database handed to one test after another, emptied in between."""

    server: Postgres
    name: str = ""
    used: bool = False
    schema: str = ""
    baseline: dict[str, list[dict]] = field(default_factory=dict)  # rows the migrations wrote
    sequences: dict[str, int | None] = field(default_factory=dict)
    superuser: bool = True

    @property
    def url(self) -> str:
        return self.server.url(self.name)

    def build(self) -> None:
        self.name = self.server.create()
        engine = make_engine(self.url)
        upgrade(engine)
        with engine.connect() as conn:
            self.schema = conn.execute(sa.text(_SCHEMA_HASH)).scalar_one()
            tables = [t for (t,) in conn.execute(sa.text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"))]
            self.baseline = {t: [dict(r) for r in conn.execute(sa.text(f'SELECT * FROM "{t}"')).mappings()]
                             for t in tables}
            self.sequences = dict(conn.execute(sa.text(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")).all())
            self.superuser = conn.execute(sa.text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar()
        engine.dispose()
        self.used = False

    def fresh(self) -> str:
        """The URL of the database, empty and at head (rebuilt when the last test changed its schema)."""
        if not self.name:
            self.build()
        elif self.used:
            self.server.disconnect(self.name)
            engine = make_engine(self.url)
            try:
                with engine.connect() as conn:
                    same_schema = conn.execute(sa.text(_SCHEMA_HASH)).scalar_one() == self.schema
                if same_schema:
                    self._empty(engine)
            finally:
                engine.dispose()
            if not same_schema:
                self.server.drop(self.name)
                self.build()
        self.used = True
        return self.url

    def _empty(self, engine: Engine) -> None:
        """Delete every row, restart the sequences, put back the migrations' rows, then VACUUM what
        was written: a table left full of dead rows (and with the statistics of a large one) would
        make the next test's queries slow."""
        with engine.connect() as conn:
            written = [f'"{t}"' for (t,) in conn.execute(sa.text(
                "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' "
                "AND relname <> 'alembic_version' AND pg_relation_size(oid) > 0"))]
        with engine.begin() as conn:
            if self.superuser:  # no triggers, no foreign-key checks: DELETE in any order, fast
                conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
                for table in written:
                    conn.execute(sa.text(f"DELETE FROM {table}"))
            elif written:
                conn.execute(sa.text(f"TRUNCATE {', '.join(written)} CASCADE"))
            for seq, last in self.sequences.items():
                if last is None:
                    conn.execute(sa.text(f'ALTER SEQUENCE "{seq}" RESTART'))
                else:
                    conn.execute(sa.text("SELECT setval(CAST(:s AS regclass), :v, true)"), {"s": f'"{seq}"', "v": last})
            for table, rows in self.baseline.items():
                if rows:
                    conn.execute(sa.text(f'DELETE FROM "{table}"'))
                    names = ", ".join(f'"{c}"' for c in rows[0])
                    values = ", ".join(f":{c}" for c in rows[0])
                    conn.execute(sa.text(f'INSERT INTO "{table}" ({names}) VALUES ({values})'), rows)
        if self.superuser and written:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text(f"VACUUM {', '.join(written)}"))


@pytest.fixture(scope="session")
def _reused_pg(_postgres) -> ReusedPostgres:
    return ReusedPostgres(_postgres)


@pytest.fixture
def pg_engine(_reused_pg) -> Iterator[Engine]:
    """A migrated, empty PostgreSQL database for this test alone (the same database as the last
    test's, emptied: as good as new, without a CREATE DATABASE and a migration run each time)."""
    engine = make_engine(_reused_pg.fresh())
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def _pg_demo_template(_postgres) -> str:
    """The demo district in a PostgreSQL database used only as a template (never connected to
    after it is written, as ``CREATE DATABASE … TEMPLATE`` requires)."""
    from seed_data.demo import write_demo

    name = _postgres.create("dangong_demo")
    engine = make_engine(_postgres.url(name))
    upgrade(engine)
    write_demo(engine, seed=DEMO_SEED, today=DEMO_TODAY)
    engine.dispose()
    return name


@pytest.fixture(scope="session")
def _shared_demo_pg(_postgres, _pg_demo_template) -> Iterator[Engine]:
    name = _postgres.create("dangong_demo_ro", template=_pg_demo_template)
    with _postgres.admin.connect() as conn:
        conn.execute(sa.text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
    engine = make_engine(_postgres.url(name))
    before = table_counts(engine)
    yield engine
    after = table_counts(engine)
    engine.dispose()
    assert after == before, "a test changed the shared read-only demo database (use any_own_demo_engine)"


# --------------------------------------------------------------------------- both backends

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def any_engine(request) -> Iterator[Engine]:
    """Runs the test on SQLite and on PostgreSQL (a fresh, migrated, empty database)."""
    yield request.getfixturevalue("sqlite_engine" if request.param == "sqlite" else "pg_engine")


@pytest.fixture(params=BACKENDS)
def any_demo_engine(request) -> Engine:
    """The shared, read-only demo district on SQLite and on PostgreSQL."""
    return request.getfixturevalue("_shared_demo_sqlite" if request.param == "sqlite" else "_shared_demo_pg")


@pytest.fixture(params=BACKENDS)
def any_own_demo_engine(request) -> Iterator[Engine]:
    """A private, writable copy of the demo district on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield request.getfixturevalue("own_demo_engine")
        return
    server: Postgres = request.getfixturevalue("_postgres")
    name = server.create("dangong_demo_rw", template=request.getfixturevalue("_pg_demo_template"))
    engine = make_engine(server.url(name))
    try:
        yield engine
    finally:
        engine.dispose()
        server.drop_later(name)


# --------------------------------------------------------------------------- scheduling (pytest-xdist)

#: Files that take long for the number of tests they hold, longest first (worker seconds measured
#: on 2 cores, see docs/testing.md). xdist's ``--dist loadfile`` hands out files by number of tests,
#: most first, so these few-test files came last, and one of them running alone left the other core
#: idle for up to a minute. Started first, they run while the many short files fill the other core.
#: A stale entry only changes the order; a missing one is scheduled as before.
HEAVY_FILES_FIRST = (
    "tests/models/test_summary_incremental.py",
    "tests/browser/test_untrusted_in_chromium.py",
    "tests/browser/test_pages_in_chromium.py",
    "tests/browser/test_downloads_need_session.py",
    "tests/test_bench_smoke.py",
    "tests/browser/test_admin_in_chromium.py",
    "tests/ledgerfile/test_workbook.py",
    "tests/browser/",  # the other browser files (20 s each, one to eight tests)
    "tests/app/test_login_timing.py",
)


def _heavy_rank(scope: str) -> int:
    for rank, prefix in enumerate(HEAVY_FILES_FIRST):
        if scope == prefix or (prefix.endswith("/") and scope.startswith(prefix)):
            return rank
    return len(HEAVY_FILES_FIRST)


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook: no error when xdist is not loaded
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadfile`` with the files of :data:`HEAVY_FILES_FIRST` handed out first, then the
    others as xdist orders them (most tests first)."""
    if config.getoption("dist", None) != "loadfile":
        return None
    from collections import OrderedDict

    from xdist.scheduler import LoadFileScheduling

    class HeavyFirst(LoadFileScheduling):
        _ordered = False

        def _assign_work_unit(self, node):
            if not self._ordered:  # the queue is complete when the first unit is handed out
                self.workqueue = OrderedDict(sorted(self.workqueue.items(), key=lambda kv: _heavy_rank(kv[0])))
                self._ordered = True
            super()._assign_work_unit(node)

    return HeavyFirst(config, log)
