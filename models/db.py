"""Engine, sessions, migrations and the schema-version guard. Nothing is created at import time."""

from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

T = TypeVar("T")

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

#: seconds a SQLite write waits for another process's lock before giving up (Python's default: 5)
SQLITE_BUSY_TIMEOUT = 10.0
#: seconds to wait for a PostgreSQL server to answer a new connection (psycopg waits forever)
PG_CONNECT_TIMEOUT = 10
#: seconds a PostgreSQL statement waits for a lock another transaction holds (default: forever)
PG_LOCK_TIMEOUT = 10.0
#: memory one sort or hash of a PostgreSQL statement may use before it spills to disk (server default 4 MB).
#: At 10M enterprises a hash aggregate of the rule checks spilled in 21 batches and, about every second
#: run with parallel workers, went on re-reading its temporary files for many minutes instead of 8 s
#: (docs/performance.md, "10M on PostgreSQL"); with 64 MB it stays in memory (6-7 s, no stall in any run).
#: At most ``POOL_SIZE + POOL_MAX_OVERFLOW`` statements per server process, each with a few such nodes.
PG_WORK_MEM = "64MB"
#: PostgreSQL's JIT compiler, off in the app's sessions: the pages' statements are short, and its compiling
#: (inlining, optimisation) cost more than it saved — at 10M, meetings SQL 4.25 -> 3.31-3.39 s and the
#: overview's 2.14 -> 1.97 s with it off; 1.1 s of the 2.4 s mechanism-coverage statement was compiling.
PG_JIT = "off"
#: connections one server process keeps open, and may open beyond them under load, and seconds a page run
#: waits for one before "busy" (SQLAlchemy's defaults, written down: the dashboard's cached queries hold
#: at most ``dashboard.ui.data.QUERY_CONCURRENCY`` at once, sign-ins and edits a few more — issue 19's load
#: benchmark never waited for one with fifty viewers). Two servers on one PostgreSQL: 2 × (5 + 10) = 30 of
#: its 100 connections.
POOL_SIZE = 5
POOL_MAX_OVERFLOW = 10
POOL_TIMEOUT = 30.0


class DatabaseError(RuntimeError):
    """A database problem explained in one sentence for the user (no traceback needed)."""


def mask_url(url: str | sa.URL) -> str:
    return make_url(str(url)).render_as_string(hide_password=True)


# --------------------------------------------------------------------------- outages

#: SQLite primary result codes: another connection holds the lock (SQLITE_BUSY, SQLITE_LOCKED) …
_SQLITE_BUSY = {5, 6}
#: … the file cannot be read or written right now (SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_PROTOCOL)
_SQLITE_UNAVAILABLE = {10, 13, 14, 15}
#: PostgreSQL SQLSTATEs of a busy server: lock_not_available, query_canceled (a timeout),
#: serialization_failure, deadlock_detected, too_many_connections
_PG_BUSY = {"55P03", "57014", "40001", "40P01", "53300"}
#: … and of a server that cannot be used: connection exceptions, insufficient resources, shutting
#: down or starting up (57P01–57P03), system errors; a failed connection has no SQLSTATE at all
_PG_UNAVAILABLE = ("08", "53", "57P", "58")


def outage_kind(exc: BaseException | None) -> str | None:
    """``"busy"`` or ``"unavailable"`` when ``exc`` (or what caused it) says the database cannot be
    used *right now* — locked by another writer, or down, unreachable, restarting — so that the
    person is told to try again later; None for every other error (a bug stays a bug)."""
    for _ in range(5):  # the error, what it was raised from, …
        if exc is None:
            return None
        kind = _outage_kind_of(exc)
        if kind:
            return kind
        exc = exc.__cause__ or exc.__context__
    return None


def _outage_kind_of(exc: BaseException) -> str | None:
    if isinstance(exc, sa.exc.TimeoutError):  # every pooled connection in use for the pool's timeout
        return "busy"
    if isinstance(exc, sa.exc.DisconnectionError):
        return "unavailable"
    if isinstance(exc, sa.exc.DBAPIError):
        return _driver_outage(exc.orig) or ("unavailable" if exc.connection_invalidated else None)
    return _driver_outage(exc)


def _driver_outage(err: BaseException | None) -> str | None:
    if isinstance(err, sqlite3.Error):
        code = getattr(err, "sqlite_errorcode", None)
        if code is None:
            return "busy" if "locked" in str(err).lower() else None
        return "busy" if code & 0xFF in _SQLITE_BUSY else "unavailable" if code & 0xFF in _SQLITE_UNAVAILABLE else None
    if err is not None and type(err).__module__.split(".")[0] == "psycopg":
        import psycopg

        if not isinstance(err, (psycopg.OperationalError, psycopg.InterfaceError)):
            return None
        state = getattr(err, "sqlstate", None)
        if state in _PG_BUSY:
            return "busy"
        return "unavailable" if state is None or state.startswith(_PG_UNAVAILABLE) else None
    return None


def sqlite_file(url: str | sa.URL) -> Path | None:
    """The file of a SQLite URL (also of the ``file:…?uri=true`` form); None for memory or another backend."""
    parsed = make_url(url)
    db = parsed.database
    if parsed.get_backend_name() != "sqlite" or not db or db == ":memory:":
        return None
    if str(parsed.query.get("uri", "")).lower() in ("true", "1"):
        if not db.startswith("file:"):
            return None
        from urllib.parse import unquote, urlsplit

        path = unquote(urlsplit(db).path)
        return Path(path) if path and path != ":memory:" and "memory" not in str(parsed.query.get("mode", "")) else None
    return Path(db)


def _writable(path: Path) -> bool:
    """Whether this process may write ``path`` and create files next to it (the journal, the WAL)."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def _read_only_uri(path: Path) -> str:
    """``file:`` URI opening ``path`` read-only; immutable when its directory cannot hold the
    shared-memory file a WAL database needs and no write-ahead log is left to read."""
    from urllib.parse import quote

    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    if not os.access(path.parent, os.W_OK) and not shm.exists() and (not wal.exists() or wal.stat().st_size == 0):
        uri += "&immutable=1"
    return uri


def make_engine(url: str | None = None, *, create: bool = True, **kwargs) -> Engine:
    """An engine for ``url`` (default: the configured one). SQLite gets WAL and foreign keys.

    SQLite: ``create=True`` makes the file's directory (the file appears on first connection);
    ``create=False`` refuses a file that does not exist (``DatabaseError``) and creates nothing.
    A file this process may not write is opened read-only (reads work, a write fails).
    """
    if url is None:
        from models.settings import get_settings

        url = get_settings().database_url
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_file(parsed)
        uri_form = str(parsed.query.get("uri", "")).lower() in ("true", "1")
        if path is not None and not create and not path.exists():
            raise DatabaseError(
                f"数据库文件 {path} 不存在（未创建任何文件）；新建数据库请运行：dangong db upgrade"
                f" / the database file does not exist: run `dangong db upgrade` to create it"
            )
        if path is not None and create and not uri_form:
            path.parent.mkdir(parents=True, exist_ok=True)
        # a writer waits this long for another process's lock (sqlite3's timeout is SQLite's busy_timeout)
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT, **kwargs.get("connect_args", {})}
        if path is not None:  # a file: a queue pool (a memory database keeps SQLAlchemy's single connection)
            kwargs = {"pool_size": POOL_SIZE, "max_overflow": POOL_MAX_OVERFLOW, "pool_timeout": POOL_TIMEOUT, **kwargs}
        engine = sa.create_engine(url, **kwargs)

        if path is not None and not uri_form:

            @sa.event.listens_for(engine, "do_connect")
            def _read_only_when_not_writable(_dialect, _record, cargs, cparams):
                if path.exists() and not _writable(path):
                    cargs[:] = [_read_only_uri(path)]
                    cparams["uri"] = True

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            try:
                cur.execute("PRAGMA journal_mode=WAL")
            except sqlite3.OperationalError:  # a read-only file: read it in the mode it has
                pass
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() == "psycopg":
        # a server that does not answer (not only one that refuses) gives up in seconds, not minutes;
        # a write waits for another transaction's lock as long as SQLite does (then: busy)
        defaults: dict = {"connect_timeout": PG_CONNECT_TIMEOUT}
        if "options" not in parsed.query:
            defaults["options"] = (f"-c lock_timeout={int(PG_LOCK_TIMEOUT * 1000)} -c work_mem={PG_WORK_MEM}"
                                  f" -c jit={PG_JIT}")
        kwargs["connect_args"] = {**defaults, **kwargs.get("connect_args", {})}
    pool = {"pool_size": POOL_SIZE, "max_overflow": POOL_MAX_OVERFLOW, "pool_timeout": POOL_TIMEOUT}
    return sa.create_engine(url, pool_pre_ping=True, **{**pool, **kwargs})


#: values in one ``IN (…)`` list (SQLite allows 32,766 parameters; PostgreSQL plans short lists better)
IN_CHUNK = 500


def in_chunks(values: Iterable[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    """``values`` in lists of at most ``size``, one ``IN (…)`` query each."""
    values = list(values)
    for k in range(0, len(values), size):
        yield values[k:k + size]


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error (one transaction)."""
    with Session(engine) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


# --------------------------------------------------------------------------- migrations


def alembic_config(engine_or_url: Engine | str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else make_url(engine_or_url)
    cfg.set_main_option("sqlalchemy.url", url.render_as_string(hide_password=False).replace("%", "%%"))
    if isinstance(engine_or_url, Engine):
        cfg.attributes["engine"] = engine_or_url
    return cfg


def _script_directory():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(cfg)


def head_revision() -> str:
    head = _script_directory().get_current_head()
    if head is None:  # pragma: no cover - the package always ships migrations
        raise DatabaseError("no migration scripts found")
    return head


def known_revisions() -> set[str]:
    return {s.revision for s in _script_directory().walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except sa.exc.OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else type(exc.orig).__name__
        raise DatabaseError(f"无法连接数据库 {mask_url(engine.url)}：{reason}；请检查 DANGONG_DATABASE_URL 与数据库服务") from exc


def newer_schema_message(url: str | sa.URL, current: str) -> str:
    """The sentence for a database (or backup) whose revision this code does not know."""
    return (f"数据库 {mask_url(url)} 的版本 {current} 比本程序新（本程序最高为 {head_revision()}）。请升级程序代码后再运行。"
            f" / The database is newer than this code (revision {current}, the code knows up to"
            f" {head_revision()}): update the code.")


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate to ``revision``; a database newer than the code, or an unknown target, is a
    ``DatabaseError`` in one sentence (not Alembic's "Can't locate revision")."""
    from alembic import command
    from alembic.util import CommandError

    current = current_revision(engine)
    if current is not None and current not in known_revisions():
        raise DatabaseError(newer_schema_message(engine.url, current))
    try:
        command.upgrade(alembic_config(engine), revision)
    except CommandError as exc:
        if "locate revision" not in str(exc) and "No such revision" not in str(exc):
            raise
        raise DatabaseError(
            f"未知的目标版本 {revision[:40]}；可用版本：{', '.join(sorted(known_revisions()))} 或 head"
            f" / unknown target revision {revision[:40]!r}"
        ) from None


def check_schema(engine: Engine) -> None:
    """Raise ``DatabaseError`` unless the database is exactly at the code's migration head."""
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return
    if current is None:
        raise DatabaseError(
            f"数据库 {mask_url(engine.url)} 尚未初始化（未迁移）。请先运行：dangong db upgrade "
            "/ The database is not migrated: run `dangong db upgrade`."
        )
    if current not in known_revisions():
        raise DatabaseError(newer_schema_message(engine.url, current))
    raise DatabaseError(
        f"数据库版本 {current} 落后于程序（{head}）。请运行：dangong db upgrade"
        " / The database is behind the code: run `dangong db upgrade`."
    )
