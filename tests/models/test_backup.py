"""Backups (issue #21, item 9): ``models.backup`` on SQLite (the online backup API) and PostgreSQL
(``pg_dump``/``pg_restore``, custom format) — a backup taken while edits run holds every row
committed before it started, a restore refuses a newer schema, verifies the row counts and is all
or nothing."""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from models.backup import BackupError, backup_database, read_backup, restore_database
from models.db import check_schema, current_revision, head_revision, make_engine
from models.tables import AuditEvent
from tests.factories import table_counts

AE = AuditEvent.__table__
WRITERS = 3


def target_engine(request, engine: Engine, tmp_path: Path) -> Engine:
    """An empty place to restore into, on the backend of ``engine``: a new SQLite file (not yet
    created), or a brand-new PostgreSQL database."""
    if engine.dialect.name == "sqlite":
        return make_engine(f"sqlite:///{tmp_path / 'restored' / 'restored.sqlite'}")
    return make_engine(request.getfixturevalue("pg_url"))


def backup_file(engine: Engine, tmp_path: Path, name: str = "backup") -> Path:
    return tmp_path / (f"{name}.sqlite" if engine.dialect.name == "sqlite" else f"{name}.dump")


class Writers:
    """Threads that keep editing: each commit inserts an audit event and bumps the writer's own
    counter (an UPDATE) in one transaction; what each has committed is recorded after the commit."""

    def __init__(self, engine: Engine, n: int = WRITERS):
        self.engine = engine
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.ids: list[int] = []  # audit event ids, appended after their commit
        self.counters = {f"bk_w{i}": 0 for i in range(n)}
        self.errors: list[BaseException] = []
        with engine.begin() as conn:
            for key in self.counters:
                conn.execute(sa.text("INSERT INTO dataset_info (key, value) VALUES (:k, '0')"), {"k": key})
        self.threads = [threading.Thread(target=self._run, args=(key,), daemon=True) for key in self.counters]

    def _run(self, key: str) -> None:
        n = 0
        try:
            while not self.stop.is_set():
                n += 1
                with self.engine.begin() as conn:
                    new_id = conn.execute(AE.insert().values(
                        at=dt.datetime.now(dt.UTC), username=key, action="backup_test",
                        detail=f"{key} #{n}").returning(AE.c.id)).scalar_one()
                    conn.execute(sa.text("UPDATE dataset_info SET value = :v WHERE key = :k"), {"v": str(n), "k": key})
                with self.lock:
                    self.ids.append(new_id)
                    self.counters[key] = n
                time.sleep(0.002)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.errors.append(exc)

    def snapshot(self) -> tuple[set[int], dict[str, int]]:
        with self.lock:
            return set(self.ids), dict(self.counters)

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=30)


def restored_state(engine: Engine) -> tuple[set[int], dict[str, int]]:
    with engine.connect() as conn:
        ids = {i for (i,) in conn.execute(sa.select(AE.c.id).where(AE.c.action == "backup_test"))}
        counters = {k: int(v) for k, v in conn.execute(
            sa.text("SELECT key, value FROM dataset_info WHERE key LIKE 'bk_w%'"))}
    return ids, counters


# --------------------------------------------------------------------------- the round trip


def test_backup_while_edits_run_then_restore_loses_nothing(request, any_own_demo_engine, tmp_path):
    source = any_own_demo_engine
    path = backup_file(source, tmp_path)
    with Writers(source) as writers:
        deadline = time.monotonic() + 10
        while len(writers.snapshot()[0]) < 20 and time.monotonic() < deadline:
            time.sleep(0.01)
        before_ids, before_counters = writers.snapshot()  # committed before the backup started
        report = backup_database(source, path)
        during_ids, _ = writers.snapshot()
        time.sleep(0.05)
    assert not writers.errors, writers.errors
    all_ids, final_counters = writers.snapshot()
    assert len(before_ids) >= 20 and len(all_ids) > len(during_ids) > len(before_ids), \
        "the writers must have been committing before, during and after the backup"
    assert report.revision == head_revision() and report.path == path and path.is_file()
    assert report.counts["enterprise"] > 600

    target = target_engine(request, source, tmp_path)
    try:
        restored = restore_database(target, path)
        check_schema(target)  # the restored database is at the code's head: the app would open it
        ids, counters = restored_state(target)
        assert before_ids <= ids, f"{len(before_ids - ids)} committed row(s) missing from the restore"
        assert ids <= all_ids  # nothing invented
        for key, n in before_counters.items():
            assert n <= counters[key] <= final_counters[key]
        counts = table_counts(target)
        assert restored.counts == report.counts
        assert {t: counts[t] for t in report.counts} == report.counts
        assert counts["audit_event"] == report.counts["audit_event"]
    finally:
        target.dispose()


def test_a_restored_copy_equals_the_source(request, any_own_demo_engine, tmp_path):
    source = any_own_demo_engine
    path = backup_file(source, tmp_path)
    backup_database(source, path)
    target = target_engine(request, source, tmp_path)
    try:
        restore_database(target, path)
        assert table_counts(target) == table_counts(source)
        with source.connect() as a, target.connect() as b:
            q = sa.text("SELECT id, name, uscc, township_id, employees FROM enterprise ORDER BY id")
            assert a.execute(q).all() == b.execute(q).all()
        # the data-version triggers came along: an UPDATE in the restored copy bumps the counter
        with target.begin() as conn:
            v0 = conn.execute(sa.text("SELECT value FROM dataset_info WHERE key = 'data_version'")).scalar_one()
            conn.execute(sa.text("UPDATE enterprise SET employees = employees + 1 WHERE id = "
                                 "(SELECT min(id) FROM enterprise)"))
        with target.connect() as conn:
            assert conn.execute(sa.text("SELECT value FROM dataset_info WHERE key = 'data_version'")).scalar_one() != v0
    finally:
        target.dispose()


def test_read_backup_tells_the_revision_and_counts_without_restoring(any_engine, tmp_path):
    path = backup_file(any_engine, tmp_path)
    made = backup_database(any_engine, path)
    info = read_backup(path)
    assert info.revision == head_revision() and info.counts == made.counts
    assert info.backend == any_engine.dialect.name


# --------------------------------------------------------------------------- refusals


def _make_newer(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'ffff_from_the_future'"))


def test_restore_refuses_a_backup_from_a_newer_schema_and_writes_nothing(request, any_engine, tmp_path):
    _make_newer(any_engine)
    path = backup_file(any_engine, tmp_path)
    backup_database(any_engine, path)
    target = target_engine(request, any_engine, tmp_path)
    try:
        with pytest.raises(BackupError) as info:
            restore_database(target, path)
        message = str(info.value)
        assert "ffff_from_the_future" in message and head_revision() in message
        assert "比本程序新" in message and "newer" in message
        assert current_revision(target) is None  # untouched
    finally:
        target.dispose()


def test_restore_into_a_database_with_data_needs_force(any_own_demo_engine, tmp_path):
    engine = any_own_demo_engine
    path = backup_file(engine, tmp_path)
    backup_database(engine, path)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit_event"))
        conn.execute(AE.insert().values(at=dt.datetime.now(dt.UTC), username="late", action="after_backup"))
    with pytest.raises(BackupError) as info:
        restore_database(engine, path)
    assert "--force" in str(info.value)
    with engine.connect() as conn:  # untouched
        assert conn.execute(sa.text("SELECT count(*) FROM audit_event")).scalar_one() == 1
    restore_database(engine, path, force=True)
    check_schema(engine)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM audit_event WHERE action = 'after_backup'")).scalar_one() == 0


def test_a_row_count_mismatch_is_refused(request, any_engine, tmp_path, monkeypatch):
    """The restore compares every table's rows with the backup's; on PostgreSQL inside the restore's
    transaction, so that a mismatch leaves the target as it was."""
    from models import backup

    with any_engine.begin() as conn:
        conn.execute(AE.insert().values(at=dt.datetime.now(dt.UTC), username="x", action="one"))
    path = backup_file(any_engine, tmp_path)
    backup_database(any_engine, path)
    target = target_engine(request, any_engine, tmp_path)
    real = backup._expected_counts

    def off_by_one(*args, **kwargs):
        counts = dict(real(*args, **kwargs))
        counts["audit_event"] += 1
        return counts

    monkeypatch.setattr(backup, "_expected_counts", off_by_one)
    try:
        with pytest.raises(BackupError) as info:
            restore_database(target, path)
        assert "audit_event" in str(info.value) and "行数" in str(info.value)
        if any_engine.dialect.name == "postgresql":
            assert current_revision(target) is None  # the whole restore was rolled back
    finally:
        target.dispose()


@pytest.mark.parametrize("content", [b"", b"not a backup at all\n" * 10, b"SQLite format 3\x00" + b"\x00" * 200])
def test_a_file_that_is_not_a_backup_is_one_sentence(any_engine, tmp_path, content):
    path = tmp_path / "junk.bak"
    path.write_bytes(content)
    with pytest.raises(BackupError) as info:
        read_backup(path)
    assert "\n" not in str(info.value) and str(path) in str(info.value)
    with pytest.raises(BackupError):
        restore_database(any_engine, path, force=True)
    check_schema(any_engine)  # untouched


def test_a_missing_file_is_one_sentence(any_engine, tmp_path):
    with pytest.raises(BackupError) as info:
        restore_database(any_engine, tmp_path / "nope.bak")
    assert "找不到" in str(info.value)


def test_backup_refuses_to_overwrite_unless_forced(any_engine, tmp_path):
    path = backup_file(any_engine, tmp_path)
    path.write_bytes(b"precious")
    with pytest.raises(BackupError) as info:
        backup_database(any_engine, path)
    assert "--force" in str(info.value) and path.read_bytes() == b"precious"
    backup_database(any_engine, path, force=True)
    assert read_backup(path).revision == head_revision()


def test_a_backup_of_one_backend_is_refused_by_the_other(any_engine, tmp_path, request):
    if any_engine.dialect.name == "sqlite":
        other = request.getfixturevalue("pg_engine") if _pg_configured() else None
    else:
        other = request.getfixturevalue("sqlite_engine")
    if other is None:
        pytest.skip("needs PostgreSQL")
    path = backup_file(any_engine, tmp_path)
    backup_database(any_engine, path)
    with pytest.raises(BackupError) as info:
        restore_database(other, path, force=True)
    assert "SQLite" in str(info.value) and "PostgreSQL" in str(info.value)


def _pg_configured() -> bool:
    import os

    return bool(os.environ.get("DANGONG_TEST_POSTGRES_URL"))


def test_a_failed_backup_leaves_no_partial_file(any_engine, tmp_path, monkeypatch):
    from models import backup

    path = backup_file(any_engine, tmp_path)

    def boom(*args, **kwargs):
        raise BackupError("simulated failure")

    monkeypatch.setattr(backup, "_verify_backup", boom)
    with pytest.raises(BackupError):
        backup_database(any_engine, path)
    assert not path.exists()
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("test.sqlite")] == []  # no temp file left
