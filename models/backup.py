"""Backups of the database and their restore (``dangong db backup`` / ``dangong db restore``).

No Streamlit. Errors are ``BackupError`` (a ``DatabaseError``): one sentence, Chinese first.

**SQLite** — ``sqlite3.Connection.backup`` (SQLite's online backup API) copies the database in one
step, inside one read transaction: the copy is the database as of the moment the backup started,
while the app keeps reading and writing (WAL). The copy is a single self-contained file
(rollback-journal mode), checked (``PRAGMA quick_check``, schema revision, row counts) before it
is moved into place. A restore copies it back with the same API, which replaces the target's
pages in one transaction, then compares every table's rows with the backup's.

**PostgreSQL** — ``pg_dump --format=custom`` inside a snapshot that this module exports from a
``REPEATABLE READ`` transaction, so the rows it counts are exactly the rows dumped; every row
committed before the backup started is in it. A restore pipes ``pg_restore``'s script into one
``psql --single-transaction`` run that first empties the ``public`` schema, then loads the backup,
then checks every table's row count against the backup's: any error or mismatch rolls the whole
restore back. ``pg_dump``, ``pg_restore`` and ``psql`` come from the PostgreSQL client package
(its major version at least the server's); the password goes through the environment, never the
command line.

Both refuse a backup from a newer schema (an Alembic revision this code does not know), a file
that is not a backup, a backup of the other backend, and — without ``force`` — a target that
already holds data.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from models.db import (
    DatabaseError,
    current_revision,
    head_revision,
    known_revisions,
    mask_url,
    sqlite_file,
)

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
#: tables a freshly migrated database already fills (they do not make it "hold data")
_BASELINE_TABLES = {"alembic_version", "dataset_info"}
_BACKEND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}

Backend = Literal["sqlite", "postgresql"]


class BackupError(DatabaseError):
    """A backup or restore problem in one sentence (Chinese, then English)."""


@dataclass(frozen=True)
class BackupInfo:
    """What a backup file holds (``read_backup``), or what a backup or restore wrote."""

    path: Path
    backend: Backend
    revision: str | None
    counts: dict[str, int]  # rows per table
    size: int  # bytes of the backup file
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    @property
    def at_head(self) -> bool:
        return self.revision == head_revision()


# --------------------------------------------------------------------------- reading a backup


def _kind_of_file(path: Path) -> Backend:
    try:
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        raise BackupError(f"找不到备份文件 {path} / backup file not found") from None
    except IsADirectoryError:
        raise BackupError(f"{path} 是目录，不是备份文件 / is a directory, not a backup file") from None
    except PermissionError:
        raise BackupError(f"没有权限读取备份文件 {path} / permission denied") from None
    except OSError as exc:
        raise BackupError(f"无法读取备份文件 {path}（{exc.strerror}）/ cannot read the backup file") from None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} 不是 dangong 的备份文件（既非 SQLite 数据库，也非 pg_dump 自定义格式）"
                      f" / {path} is not a dangong backup (neither a SQLite database nor a pg_dump custom archive)")


def _sqlite_ro(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [n for (n,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {n: conn.execute(f"SELECT count(*) FROM {_quote_ident(n)}").fetchone()[0] for n in names}


def _sqlite_revision(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:  # no such table: not a migrated database
        return None
    return row[0] if row else None


_COPY = re.compile(r'^COPY (?:(?:"[^"]*"|[^ ."]+)\.)?("(?:[^"]|"")*"|[^ ("]+) ')


def _pg_data(path: Path, *, table: str | None = None) -> tuple[dict[str, int], str | None]:
    """Rows per table and the Alembic revision, read from the archive's data (one pass over
    ``pg_restore --data-only``: every COPY row is one line); only ``table`` when given."""
    only = [f"--table={table}"] if table else []
    counts: dict[str, int] = {}
    revision = None
    current = None
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([_tool("pg_restore"), "--data-only", *only, "--file=-", str(path)],
                                stdout=subprocess.PIPE, stderr=err)
        assert proc.stdout is not None
        with proc.stdout:
            for raw in proc.stdout:
                if current is None:
                    m = _COPY.match(raw.decode("utf-8", "replace")) if raw.startswith(b"COPY ") else None
                    if m:
                        name = m.group(1)
                        current = name[1:-1].replace('""', '"') if name.startswith('"') else name
                        counts[current] = 0
                    continue
                if raw.rstrip(b"\r\n") == b"\\.":
                    current = None
                    continue
                counts[current] += 1
                if current == "alembic_version" and revision is None:
                    revision = raw.decode("utf-8").rstrip("\r\n")
        if proc.wait() != 0:
            err.seek(0)
            message = err.read().decode("utf-8", "replace")
            raise BackupError(f"{path} 无法读取（pg_restore：{_first_line(message)}）/ the archive cannot be read")
    return counts, revision


def _pg_revision(path: Path) -> str | None:
    return _pg_data(path, table="alembic_version")[1]


def _expected_counts(path: Path, backend: Backend) -> dict[str, int]:
    """Rows per table that the backup at ``path`` holds."""
    if backend == "sqlite":
        conn = _sqlite_ro(path)
        try:
            return _sqlite_counts(conn)
        finally:
            conn.close()
    return _pg_data(path)[0]


def read_backup(path: Path | str) -> BackupInfo:
    """The backend, schema revision and rows per table of the backup at ``path``, without
    restoring it; ``BackupError`` for a file that is not a readable, intact backup."""
    path = Path(path)
    backend = _kind_of_file(path)
    size = path.stat().st_size
    if backend == "sqlite":
        try:
            conn = _sqlite_ro(path)
            try:
                check = conn.execute("PRAGMA quick_check").fetchone()[0]
                if check != "ok":
                    raise BackupError(f"备份文件 {path} 已损坏（{_first_line(check)}）/ the backup file is damaged")
                revision = _sqlite_revision(conn)
            finally:
                conn.close()
            counts = _expected_counts(path, backend)
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"备份文件 {path} 无法读取或已损坏（{_first_line(str(exc))}）"
                              f" / the backup file cannot be read or is damaged") from None
    else:
        revision = _pg_revision(path)
        counts = _expected_counts(path, backend) if revision is not None else {}
    if revision is None:
        raise BackupError(f"{path} 中没有数据库版本信息（alembic_version），不是 dangong 的备份"
                          f" / {path} has no schema revision: not a dangong backup")
    return BackupInfo(path=path, backend=backend, revision=revision, counts=counts, size=size)


# --------------------------------------------------------------------------- backup


def _backend(engine: Engine) -> Backend:
    name = engine.dialect.name
    if name not in _BACKEND_NAMES:  # pragma: no cover - make_engine accepts only these two
        raise BackupError(f"不支持备份 {name} 数据库 / unsupported database")
    return name  # type: ignore[return-value]


def _first_line(text: str) -> str:
    lines = [line.strip() for line in str(text).strip().splitlines() if line.strip()]
    line = lines[0] if lines else "?"
    return line if len(line) <= 300 else line[:300] + "…"


def _verify_backup(tmp: Path, revision: str, counts: dict[str, int] | None) -> BackupInfo:
    """Read the freshly written backup back: intact, at ``revision``, with ``counts`` rows (when
    known: the PostgreSQL snapshot's counts)."""
    info = read_backup(tmp)
    if info.revision != revision:
        raise BackupError(f"备份校验失败：版本 {info.revision} 与数据库的 {revision} 不同 / backup check failed")
    if counts is not None and info.counts != counts:
        diff = sorted(t for t in set(counts) | set(info.counts) if counts.get(t) != info.counts.get(t))
        raise BackupError(f"备份校验失败：{', '.join(diff[:5])} 的行数与数据库快照不同 / backup check failed: row counts differ")
    return info


def backup_database(engine: Engine, dest: Path | str, *, force: bool = False) -> BackupInfo:
    """Write a consistent backup of ``engine``'s database to ``dest`` (SQLite: a SQLite file;
    PostgreSQL: a ``pg_dump`` custom-format archive) while the app keeps running.

    The backup is written to a temporary file next to ``dest``, checked, then renamed: ``dest``
    is never half-written. An existing ``dest`` is refused unless ``force``.
    """
    t0 = time.monotonic()
    dest = Path(dest)
    backend = _backend(engine)
    if dest.is_dir():
        raise BackupError(f"{dest} 是目录；请给出备份文件名 / is a directory: give a file name")
    if dest.exists() and not force:
        raise BackupError(f"备份文件 {dest} 已存在；加 --force 覆盖 / the file exists; add --force to overwrite it")
    revision = current_revision(engine)
    if revision is None:
        raise BackupError(f"数据库 {mask_url(engine.url)} 尚未初始化（未迁移），没有可备份的数据"
                          " / the database is not migrated: nothing to back up")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    except OSError as exc:
        raise BackupError(f"无法写入 {dest.parent}（{exc.strerror}）/ cannot write there") from None
    os.close(fd)
    tmp = Path(name)
    try:
        if backend == "sqlite":
            tmp.unlink()  # the backup API writes a new database file
            _sqlite_backup(engine, tmp)
            info = _verify_backup(tmp, revision, None)
        else:
            counts, revision = _pg_backup(engine, tmp)
            info = _verify_backup(tmp, revision, counts)
        os.replace(tmp, dest)
    except BaseException:
        for leftover in (tmp, Path(f"{tmp}-journal")):
            leftover.unlink(missing_ok=True)
        raise
    return BackupInfo(path=dest, backend=backend, revision=info.revision, counts=info.counts,
                      size=dest.stat().st_size, seconds=time.monotonic() - t0)


def _sqlite_backup(engine: Engine, tmp: Path) -> None:
    if sqlite_file(engine.url) is None:
        raise BackupError("内存数据库无法备份 / an in-memory database cannot be backed up")
    raw = engine.raw_connection()
    try:
        source = raw.driver_connection
        target = sqlite3.connect(tmp)
        try:
            # one step (pages=-1): one read transaction, so a consistent copy as of its start
            source.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            target.close()
    except sqlite3.Error as exc:
        raise BackupError(f"备份失败（{_first_line(str(exc))}）/ the backup failed") from None
    finally:
        raw.close()


# --------------------------------------------------------------------------- PostgreSQL tools


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"找不到 {name}：请安装 PostgreSQL 客户端工具（Debian：apt-get install postgresql-client），"
                          f"其主版本不低于服务器的 / {name} not found: install the PostgreSQL client tools")
    return path


def _libpq(engine: Engine) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and the environment carrying it."""
    url = engine.url
    conninfo = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    env = {**os.environ, "PGAPPNAME": "dangong-backup"}
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    return conninfo, env


def _pg_tables(conn: sa.Connection) -> list[str]:
    return [t for (t,) in conn.execute(sa.text(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"))]


def _pg_backup(engine: Engine, tmp: Path) -> tuple[dict[str, int], str]:
    """``pg_dump`` in a snapshot exported by our own transaction; the rows of each table and the
    revision as of that snapshot."""
    pg_dump = _tool("pg_dump")
    _tool("pg_restore")
    conninfo, env = _libpq(engine)
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            conn.execute(sa.text("SET TRANSACTION READ ONLY"))
            snapshot = conn.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
            counts = {t: conn.execute(sa.text(f"SELECT count(*) FROM public.{_quote_ident(t)}")).scalar_one()
                      for t in _pg_tables(conn)}
            revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
            proc = subprocess.run([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={tmp}",
                                   f"--dbname={conninfo}"], env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise BackupError(f"pg_dump 失败（{_first_line(proc.stderr)}）/ pg_dump failed")
    return counts, revision


# --------------------------------------------------------------------------- restore


def has_data(engine: Engine) -> bool:
    """Whether the database holds any row beyond what a migration writes (or is not empty at all)."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            tables = [n for (n,) in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        else:
            tables = _pg_tables(conn)
        return any(conn.execute(sa.text(f"SELECT 1 FROM {_quote_ident(t)} LIMIT 1")).first() is not None
                   for t in tables if t not in _BASELINE_TABLES)


def restore_database(engine: Engine, source: Path | str, *, force: bool = False) -> BackupInfo:
    """Replace the database of ``engine`` by the backup at ``source`` and verify its rows.

    Refused (nothing written): a file that is not an intact backup, a backup of the other backend,
    a backup from a schema newer than this code, and — unless ``force`` — a target holding data.
    The returned info's ``at_head`` is False when the backup is older than the code: run
    ``dangong db upgrade`` then.
    """
    t0 = time.monotonic()
    source = Path(source)
    backend = _backend(engine)
    info = read_backup(source)
    if info.backend != backend:
        raise BackupError(f"{source} 是 {_BACKEND_NAMES[info.backend]} 的备份，不能恢复到 {_BACKEND_NAMES[backend]} 数据库"
                          f" / a {_BACKEND_NAMES[info.backend]} backup cannot be restored into {_BACKEND_NAMES[backend]}")
    if info.revision not in known_revisions():
        raise BackupError(f"备份 {source} 的数据库版本 {info.revision} 比本程序新（本程序最高为 {head_revision()}），"
                          f"未恢复任何数据；请先升级程序代码 / the backup is newer than this code (revision"
                          f" {info.revision}, the code knows up to {head_revision()}): update the code first")
    target_file = sqlite_file(engine.url) if backend == "sqlite" else None
    if backend == "sqlite" and target_file is None:
        raise BackupError("不能恢复到内存数据库 / cannot restore into an in-memory database")
    exists = target_file is None or target_file.exists()
    if exists and not force and has_data(engine):
        raise BackupError(f"数据库 {mask_url(engine.url)} 中已有数据；恢复会以备份替换全部数据，确认请加 --force"
                          " / the database holds data; a restore replaces all of it: add --force to confirm")
    engine.dispose()  # no pooled connection keeps the old schema or a lock
    if backend == "sqlite":
        _sqlite_restore(source, target_file)  # type: ignore[arg-type]
    else:
        _pg_restore(engine, source, info.counts)
    engine.dispose()
    with engine.connect() as conn:
        if backend == "sqlite":
            got = _sqlite_counts(conn.connection.driver_connection)  # type: ignore[arg-type]
        else:
            got = {t: conn.execute(sa.text(f"SELECT count(*) FROM public.{_quote_ident(t)}")).scalar_one()
                   for t in _pg_tables(conn)}
    if got != info.counts:
        diff = sorted(t for t in set(got) | set(info.counts) if got.get(t) != info.counts.get(t))
        raise BackupError("恢复后行数与备份不一致：" + "，".join(
            f"{t} {got.get(t, '—')} ≠ {info.counts.get(t, '—')}" for t in diff[:5])
            + " / row counts after the restore differ from the backup")
    return BackupInfo(path=source, backend=backend, revision=current_revision(engine), counts=got, size=info.size,
                      seconds=time.monotonic() - t0)


def _sqlite_restore(source: Path, target: Path) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        src = _sqlite_ro(source)
        try:
            dst = sqlite3.connect(target, timeout=30)
            try:
                # the target's pages are replaced in one transaction: all of the backup or nothing
                src.backup(dst)
                dst.execute("PRAGMA journal_mode=WAL")
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        raise BackupError(f"恢复失败，数据库未改变（{_first_line(str(exc))}）/ the restore failed") from None
    except OSError as exc:
        raise BackupError(f"无法写入 {target}（{exc.strerror}）/ cannot write the database") from None


def _pg_restore(engine: Engine, source: Path, counts: dict[str, int]) -> None:
    """One ``psql --single-transaction``: empty ``public``, load the backup, check the counts."""
    pg_restore, psql = _tool("pg_restore"), _tool("psql")
    conninfo, env = _libpq(engine)
    checks = "\n".join(
        f"  SELECT count(*) INTO n FROM public.{_quote_ident(t)}; IF n <> {int(c)} THEN RAISE EXCEPTION "
        f"'dangong: 行数不一致 / row count differs: {t} % <> {int(c)}', n; END IF;"
        for t, c in sorted(counts.items()) if re.fullmatch(r"[A-Za-z0-9_]+", t))
    prefix = (b"SET client_min_messages = warning;\n"
              b"DROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\nGRANT USAGE ON SCHEMA public TO PUBLIC;\n")
    suffix = f"\nDO $dangong$\nDECLARE n bigint;\nBEGIN\n{checks}\nEND\n$dangong$;\n".encode()
    with tempfile.TemporaryFile() as restore_err, tempfile.TemporaryFile() as psql_err:
        producer = subprocess.Popen([pg_restore, "--no-owner", "--no-privileges", "--file=-", str(source)],
                                    stdout=subprocess.PIPE, stderr=restore_err)
        consumer = subprocess.Popen([psql, "--no-psqlrc", "--quiet", "--single-transaction", "-v", "ON_ERROR_STOP=1",
                                     "--file=-", f"--dbname={conninfo}"],
                                    stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=psql_err, env=env)
        assert producer.stdout is not None and consumer.stdin is not None
        try:
            consumer.stdin.write(prefix)
            shutil.copyfileobj(producer.stdout, consumer.stdin, 1 << 20)
            if producer.wait() != 0:
                # psql must not commit a partial load: end its input with an error
                consumer.stdin.write(b"\nDO $$ BEGIN RAISE EXCEPTION 'dangong: pg_restore failed'; END $$;\n")
            else:
                consumer.stdin.write(suffix)
            consumer.stdin.close()
        except BrokenPipeError:  # psql stopped early (an error): its message says why
            pass
        finally:
            producer.stdout.close()
        producer.wait()
        code = consumer.wait()
        restore_err.seek(0)
        psql_err.seek(0)
        restore_msg = restore_err.read().decode("utf-8", "replace")
        psql_msg = psql_err.read().decode("utf-8", "replace")
    if producer.returncode != 0:
        raise BackupError(f"恢复失败，数据库未改变（pg_restore：{_first_line(restore_msg)}）/ the restore failed;"
                          " nothing was changed")
    if code != 0:
        lines = [line for line in psql_msg.splitlines() if "ERROR" in line or "错误" in line] or [psql_msg]
        raise BackupError(f"恢复失败，数据库未改变（psql：{_first_line(lines[0])}）/ the restore failed;"
                          " nothing was changed")
