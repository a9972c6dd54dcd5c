"""Rough edges of the ``dangong`` command and of imports (issue #21, items 8 and 9): nothing created
by a command that only reads, a read-only database still readable, one sentence and exit 1 for
bad numbers and a newer schema, boundary files that cross themselves or are too big, echoes
capped, a NUL in the ledger search, and ``db backup`` / ``db restore``. The real console script
in a subprocess, on real files."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from models.db import head_revision

BIN = Path(sys.executable).parent / "dangong"


def run(args, url, *, input=None, prefix=(), cwd=None, **env):
    full_env = {**os.environ, "DANGONG_DATABASE_URL": url, **env}
    return subprocess.run([*prefix, str(BIN), *args], capture_output=True, text=True, env=full_env, timeout=300,
                          input=input, cwd=cwd)


def one_sentence(r) -> str:
    """The error of a run that failed properly: exit 1, one line on stderr, no traceback or usage box."""
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    err = r.stderr.strip()
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in err and "╭" not in err and "Usage:" not in err
    return err


def counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            names = sorted(sa.inspect(conn).get_table_names())
            return {n: conn.execute(sa.text(f'SELECT COUNT(*) FROM "{n}"')).scalar_one() for n in names}
    finally:
        engine.dispose()


@pytest.fixture
def demo_url(demo_template, tmp_path) -> str:
    return demo_template.copy(tmp_path / "demo" / "cli.sqlite")


# --------------------------------------------------------------------------- nothing created by reading


@pytest.mark.parametrize("args", [["info"], ["db", "current"], ["seed", "demo"], ["users", "list"],
                                  ["boundaries", "export", "-"], ["db", "backup", "{tmp}/x.bak"]])
def test_a_command_on_a_missing_database_creates_nothing(tmp_path, args):
    missing = tmp_path / "nested" / "dir" / "dangong.sqlite"
    r = run([a.replace("{tmp}", str(tmp_path)) for a in args], f"sqlite:///{missing}")
    err = one_sentence(r)
    assert "不存在" in err and "dangong db upgrade" in err and str(missing) in err
    assert not (tmp_path / "nested").exists()


def test_a_refused_users_add_creates_nothing(tmp_path):
    missing = tmp_path / "nested" / "dangong.sqlite"
    r = run(["users", "add", "wang", "--role", "leader", "--password-stdin"], f"sqlite:///{missing}",
            input="a-long-password-1\n")
    one_sentence(r)
    assert not (tmp_path / "nested").exists()


def test_db_upgrade_still_creates_a_new_database(tmp_path):
    new = tmp_path / "nested" / "dangong.sqlite"
    r = run(["db", "upgrade"], f"sqlite:///{new}")
    assert r.returncode == 0, r.stderr
    assert new.is_file()


# --------------------------------------------------------------------------- read-only databases


def _delete_journal_copy(demo_template, dest: Path) -> Path:
    """A copy of the demo in rollback-journal mode (as a copied or restored file may be)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(demo_template.path, dest)
    conn = sqlite3.connect(dest)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    return dest


def test_a_database_opened_read_only_can_be_read(demo_template, tmp_path):
    """``?mode=ro`` is what SQLite falls back to for a file it may not write: the WAL pragma must
    not stop the reading."""
    path = _delete_journal_copy(demo_template, tmp_path / "ro" / "demo.sqlite")
    url = f"sqlite:///file:{path}?mode=ro&uri=true"
    r = run(["info"], url, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "enterprise" in r.stdout and "dataset=demo" in r.stdout
    assert not (tmp_path / "file:").exists()  # the URI form is not taken for a directory name
    r = run(["users", "add", "wang", "--role", "leader", "--password-stdin"], url, input="a-long-password-1\n")
    err = one_sentence(r)
    assert "只读" in err and "read-only" in err


def test_make_engine_reads_a_file_it_may_not_write(demo_template, tmp_path, monkeypatch):
    """A file (or directory) without write permission is opened read-only: reads work, a write is
    refused by SQLite (``test_a_read_only_file_in_a_read_only_directory_can_be_read`` does it with
    real permissions)."""
    from models import db
    from models.db import current_revision, make_engine

    for journal in ("wal", "delete"):
        path = tmp_path / journal / "demo.sqlite"
        path.parent.mkdir()
        shutil.copyfile(demo_template.path, path)
        conn = sqlite3.connect(path)
        conn.execute(f"PRAGMA journal_mode={journal}")
        conn.close()
        monkeypatch.setattr(db, "_writable", lambda p: False)
        engine = make_engine(f"sqlite:///{path}", create=False)
        try:
            assert current_revision(engine) == head_revision()
            with engine.connect() as conn:
                assert conn.execute(sa.text("SELECT count(*) FROM township")).scalar_one() == 10
                with pytest.raises(sa.exc.OperationalError, match="readonly"):
                    conn.execute(sa.text("DELETE FROM township"))
        finally:
            engine.dispose()
        monkeypatch.undo()
        if journal == "delete":  # nothing written next to it
            assert sorted(p.name for p in path.parent.iterdir()) == ["demo.sqlite"]


def _as_nobody() -> tuple[str, ...] | None:
    """A command prefix running as an unprivileged user (root ignores file permissions), or None
    when this machine cannot."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if not setpriv:
        return None
    prefix = (setpriv, "--reuid=65534", "--regid=65534", "--clear-groups")
    probe = subprocess.run([*prefix, str(BIN), "--help"], capture_output=True, text=True, timeout=120)
    return prefix if probe.returncode == 0 else None


def test_a_read_only_file_in_a_read_only_directory_can_be_read(demo_template):
    prefix = _as_nobody()
    if prefix is None:
        pytest.skip("cannot run the command as an unprivileged user here")
    d = Path(tempfile.mkdtemp(prefix="dangong-ro-"))
    try:
        os.chmod(d, 0o755)
        for journal in ("wal", "delete"):
            path = d / f"{journal}.sqlite"
            shutil.copyfile(demo_template.path, path)
            conn = sqlite3.connect(path)
            conn.execute(f"PRAGMA journal_mode={journal}")
            conn.close()
            os.chmod(path, 0o444)
        os.chmod(d, 0o555)
        for journal in ("wal", "delete"):
            r = run(["info"], f"sqlite:///{d / f'{journal}.sqlite'}", prefix=prefix, cwd=d, HOME=str(d),
                    DANGONG_SECRETS_FILE=str(d / "no-secrets.toml"))
            assert r.returncode == 0, r.stderr
            assert "dataset=demo" in r.stdout
    finally:
        os.chmod(d, 0o755)
        shutil.rmtree(d)


# --------------------------------------------------------------------------- numbers and versions


@pytest.mark.parametrize("value", ["0", "-1", "abc", "1.5", ""])
def test_seed_scale_with_a_bad_number_is_one_sentence(tmp_path, migrated_template, value):
    url = migrated_template.copy(tmp_path / "scale.sqlite")
    err = one_sentence(run(["seed", "--scale", value], url))
    assert "--scale" in err and "正整数" in err


def test_seed_batch_size_and_seed_with_a_bad_number_are_one_sentence(tmp_path, migrated_template):
    url = migrated_template.copy(tmp_path / "scale.sqlite")
    assert "--batch-size" in one_sentence(run(["seed", "--scale", "10", "--batch-size", "5"], url))
    assert "--seed" in one_sentence(run(["seed", "demo", "--seed", "x"], url))


def test_db_upgrade_on_a_newer_schema_is_the_friendly_sentence(tmp_path, migrated_template):
    url = migrated_template.copy(tmp_path / "newer.sqlite")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'ffff_from_the_future'"))
    engine.dispose()
    err = one_sentence(run(["db", "upgrade"], url))
    assert "ffff_from_the_future" in err and "比本程序新" in err and "newer than this code" in err
    assert "Can't locate" not in err


def test_db_upgrade_to_an_unknown_target_is_one_sentence(tmp_path, migrated_template):
    url = migrated_template.copy(tmp_path / "t.sqlite")
    err = one_sentence(run(["db", "upgrade", "zzz9"], url))
    assert "zzz9" in err and "Can't locate" not in err


# --------------------------------------------------------------------------- boundary files

SQUARE = [[126.4, 43.7], [126.5, 43.7], [126.5, 43.8], [126.4, 43.8], [126.4, 43.7]]
BOWTIE = [[126.4, 43.7], [126.5, 43.8], [126.5, 43.7], [126.4, 43.8], [126.4, 43.7]]


def fc(*features) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}, ensure_ascii=False)


def feat(ring, **props) -> dict:
    return {"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": [ring]}}


def boundaries(url: str) -> dict:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return dict(conn.execute(sa.text("SELECT code, boundary_geojson FROM township")).all())
    finally:
        engine.dispose()


def test_strict_import_refuses_a_self_intersecting_polygon(demo_url, tmp_path):
    before = boundaries(demo_url)
    path = tmp_path / "bowtie.geojson"
    path.write_text(fc(feat(SQUARE, code="YB"), feat(BOWTIE, code="QL")), encoding="utf-8")
    r = run(["boundaries", "import", "--strict", str(path)], demo_url)
    assert r.returncode == 1 and "自相交" in r.stdout and "严格模式" in r.stdout
    assert boundaries(demo_url) == before


def test_a_boundary_file_above_the_size_limit_is_refused_in_one_sentence(demo_url, tmp_path):
    from models.boundaries import MAX_FILE_BYTES

    before = boundaries(demo_url)
    path = tmp_path / "huge.geojson"
    with path.open("w", encoding="utf-8") as fh:
        fh.write('{"type": "FeatureCollection", "features": [')
        fh.write(" " * (MAX_FILE_BYTES + 1))
        fh.write("]}")
    err = one_sentence(run(["boundaries", "import", str(path)], demo_url))
    assert "上限" in err and "MB" in err and "未写入" in err
    assert boundaries(demo_url) == before


def test_a_boundary_file_with_too_many_points_is_refused_in_one_sentence(demo_url, tmp_path):
    from models.boundaries import MAX_POSITIONS

    n = MAX_POSITIONS + 10
    ring = [[126.45 + 0.05 * math.cos(2 * math.pi * k / n), 43.75 + 0.05 * math.sin(2 * math.pi * k / n)]
            for k in range(n)]
    path = tmp_path / "dense.geojson"
    path.write_text(fc(feat(ring + [ring[0]], code="YB")), encoding="utf-8")
    before = boundaries(demo_url)
    err = one_sentence(run(["boundaries", "import", str(path)], demo_url))
    assert f"{n + 1:,}" in err and f"{MAX_POSITIONS:,}" in err and "简化" in err
    assert boundaries(demo_url) == before


def test_a_megabyte_property_is_not_echoed_whole(demo_url, tmp_path):
    path = tmp_path / "long.geojson"
    path.write_text(fc(feat(SQUARE, code="YB"), feat(SQUARE, name="长" * 1_000_000)), encoding="utf-8")
    r = run(["boundaries", "import", "--dry-run", str(path)], demo_url)
    assert r.returncode == 0, r.stderr
    assert len(r.stdout) < 5_000 and "…" in r.stdout


# --------------------------------------------------------------------------- the ledger search


@pytest.mark.parametrize("search", ["\x00", "红光\x00", "\x00%"])
def test_a_nul_in_the_ledger_search_is_refused(search):
    from dashboard.queries.ledger import LedgerQuery

    with pytest.raises(ValueError) as info:
        LedgerQuery(search=search)
    assert "控制字符" in str(info.value) and "control character" in str(info.value)


def test_a_nul_never_returns_the_whole_scope(any_demo_engine):
    """What the search box could send: refused before any SQL, on SQLite (where LIKE stops at the
    NUL and matched everything) and PostgreSQL (where the driver raised)."""
    from sqlmodel import Session

    from dashboard.queries.ledger import LedgerQuery, ledger_page
    from dashboard.queries.scope import Scope

    with Session(any_demo_engine) as s:
        everything = ledger_page(s, Scope.district(), dt.date(2026, 11, 24), LedgerQuery()).total
        assert everything > 600
        for search in ("\x00", "zzz\x00"):
            try:
                total = ledger_page(s, Scope.district(), dt.date(2026, 11, 24), LedgerQuery(search=search)).total
            except ValueError:
                continue
            assert total == 0


# --------------------------------------------------------------------------- db backup / db restore


def test_backup_and_restore_round_trip(demo_url, tmp_path):
    backup = tmp_path / "backups" / "demo.sqlite"
    backup.parent.mkdir()
    r = run(["db", "backup", str(backup)], demo_url)
    assert r.returncode == 0, r.stderr
    assert backup.is_file() and head_revision() in r.stdout and "enterprise" in r.stdout
    err = one_sentence(run(["db", "backup", str(backup)], demo_url))
    assert "--force" in err
    assert run(["db", "backup", "--force", str(backup)], demo_url).returncode == 0

    new = tmp_path / "restored" / "new.sqlite"
    r = run(["db", "restore", str(backup)], f"sqlite:///{new}")
    assert r.returncode == 0, r.stderr
    assert counts(f"sqlite:///{new}") == counts(demo_url)
    assert "行数一致" in r.stdout

    err = one_sentence(run(["db", "restore", str(backup)], demo_url))  # the demo has data
    assert "--force" in err
    r = run(["db", "restore", "--force", str(backup)], demo_url)
    assert r.returncode == 0, r.stderr
    info = run(["info"], demo_url)
    assert info.returncode == 0 and "dataset=demo" in info.stdout


def test_restore_refuses_a_newer_backup_in_one_sentence(demo_url, tmp_path):
    backup = tmp_path / "newer.sqlite"
    assert run(["db", "backup", str(backup)], demo_url).returncode == 0
    conn = sqlite3.connect(backup)
    conn.execute("UPDATE alembic_version SET version_num = 'ffff_from_the_future'")
    conn.commit()
    conn.close()
    target = tmp_path / "t.sqlite"
    err = one_sentence(run(["db", "restore", str(backup)], f"sqlite:///{target}"))
    assert "ffff_from_the_future" in err and "比本程序新" in err
    assert not target.exists() or counts(f"sqlite:///{target}") == {}


def test_restore_of_a_file_that_is_not_a_backup_is_one_sentence(demo_url, tmp_path):
    junk = tmp_path / "junk.bak"
    junk.write_text("hello\n", encoding="utf-8")
    before = counts(demo_url)
    one_sentence(run(["db", "restore", "--force", str(junk)], demo_url))
    one_sentence(run(["db", "restore", "--force", str(tmp_path / "missing.bak")], demo_url))
    assert counts(demo_url) == before


@pytest.mark.postgres
def test_backup_and_restore_on_postgresql(_postgres, _pg_demo_template, pg_url, tmp_path):
    name = _postgres.create("dangong_demo_rw", template=_pg_demo_template)
    try:
        source = _postgres.url(name)
        password = sa.engine.make_url(source).password
        backup = tmp_path / "demo.dump"
        r = run(["db", "backup", str(backup)], source)
        assert r.returncode == 0, r.stderr
        assert backup.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
        assert f":{password}@" not in r.stdout + r.stderr
        r = run(["db", "restore", str(backup)], pg_url)
        assert r.returncode == 0, r.stderr
        assert counts(pg_url) == counts(source)
        err = one_sentence(run(["db", "restore", str(backup)], pg_url))
        assert "--force" in err
    finally:
        _postgres.drop(name)
