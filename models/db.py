"""Engine, sessions, migrations and the schema-version guard. Nothing is created at import time."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class DatabaseError(RuntimeError):
    """A database problem explained in one sentence for the user (no traceback needed)."""


def mask_url(url: str | sa.URL) -> str:
    return make_url(str(url)).render_as_string(hide_password=True)


def make_engine(url: str | None = None, **kwargs) -> Engine:
    """An engine for ``url`` (default: the configured one). SQLite gets WAL and foreign keys."""
    if url is None:
        from models.settings import get_settings

        url = get_settings().database_url
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        db = parsed.database
        if db and db != ":memory:":
            Path(db).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, **kwargs)

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return sa.create_engine(url, pool_pre_ping=True, **kwargs)


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


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


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
        raise DatabaseError(
            f"数据库版本 {current} 比本程序新（本程序最高为 {head}）。请升级程序代码后再运行。"
            " / The database is newer than this code: update the code."
        )
    raise DatabaseError(
        f"数据库版本 {current} 落后于程序（{head}）。请运行：dangong db upgrade"
        " / The database is behind the code: run `dangong db upgrade`."
    )
