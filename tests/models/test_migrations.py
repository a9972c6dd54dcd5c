"""``models/db.py``: migrations, the schema-version guard, engines, URL masking, no import-time work."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

# ``models.tables``, not ``import models``: under ``.venv/bin/pytest`` (no project root on sys.path,
# tests/ prepended for the rootdir conftest) the name ``models`` resolves to the namespace package
# tests/models, so ``models/__init__.py`` never runs; its submodules still import fine.
import models.tables  # noqa: F401  (registers every table on SQLModel.metadata)
from models.db import (
    DatabaseError,
    alembic_config,
    check_schema,
    current_revision,
    head_revision,
    known_revisions,
    make_engine,
    mask_url,
    upgrade,
)
from models.pg_indexes import POSTGRES_ONLY_INDEXES, include_object

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_engine(request, tmp_path) -> Iterator[Engine]:
    """An engine on a brand-new, unmigrated database (SQLite file, then PostgreSQL)."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    else:
        engine = make_engine(request.getfixturevalue("pg_url"))
    yield engine
    engine.dispose()


def table_names(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(sa.inspect(conn).get_table_names())


def schema_diff(engine: Engine) -> list:
    """What differs between the database and the models' metadata, the PostgreSQL-only indexes
    (``models.pg_indexes``, 0024) left out as alembic's autogenerate leaves them out."""
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include_object})
        return compare_metadata(ctx, SQLModel.metadata)


def set_version(engine: Engine, revision: str) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = :v"), {"v": revision})


# --------------------------------------------------------------------------- upgrade / downgrade


def test_head_is_a_known_revision():
    head = head_revision()
    assert head in known_revisions()


def test_upgrade_brings_an_empty_database_to_head(empty_engine):
    assert current_revision(empty_engine) is None
    assert not (table_names(empty_engine) & set(SQLModel.metadata.tables))
    upgrade(empty_engine)
    assert current_revision(empty_engine) == head_revision()
    assert set(SQLModel.metadata.tables) <= table_names(empty_engine)
    check_schema(empty_engine)  # does not raise at head


# ``any_engine`` (tests/conftest.py) is an empty database brought to head by ``upgrade`` — the
# migrations run once per session (SQLite: a copy of the migrated file; PostgreSQL: one migrated
# database per worker, emptied between tests, rebuilt after a test that changed its schema). The
# tests below that start from head use it and leave its schema as they found it.


def test_migrated_schema_matches_the_models(any_engine):
    assert current_revision(any_engine) == head_revision()  # migrated by ``upgrade``, not created from the models
    assert schema_diff(any_engine) == []


def test_schema_diff_would_notice_a_difference(any_engine):
    """The comparison itself is able to fail: drop an index and it is reported (in a transaction
    rolled back afterwards: PostgreSQL's DDL is transactional, the SQLite file is this test's copy)."""
    with any_engine.connect() as conn:
        trans = conn.begin()
        try:
            conn.execute(sa.text("DROP INDEX ix_enterprise_township_dates"))
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
        finally:
            trans.rollback()
    assert any(d[0] == "add_index" and d[1].name == "ix_enterprise_township_dates" for d in diff), diff


def index_names(engine: Engine, table: str) -> set[str]:
    with engine.connect() as conn:
        return {i["name"] for i in sa.inspect(conn).get_indexes(table)}


def test_postgres_only_indexes_exist_on_postgres_only_and_nothing_else_is_hidden(any_engine):
    """0024's indexes are on PostgreSQL (with their access method and operator class) and not on
    SQLite; the hook hides exactly them: another index the models lack is still reported."""
    names = index_names(any_engine, "enterprise")
    if any_engine.dialect.name == "postgresql":
        assert set(POSTGRES_ONLY_INDEXES) <= names
        with any_engine.connect() as conn:
            defs = dict(conn.execute(sa.text(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'enterprise'")).all())
        assert "USING gin (name gin_trgm_ops)" in defs["ix_enterprise_name_trgm"]
        assert "(uscc text_pattern_ops)" in defs["ix_enterprise_uscc_pattern"]
        with any_engine.connect() as conn:
            assert conn.execute(sa.text(
                "SELECT count(*) FROM pg_statistic_ext WHERE stxname = 'st_enterprise_name_plain'")).scalar_one() == 1
    else:
        assert not set(POSTGRES_ONLY_INDEXES) & names
    with any_engine.connect() as conn:
        trans = conn.begin()
        try:
            conn.execute(sa.text("CREATE INDEX ix_enterprise_not_in_the_models ON enterprise (legal_rep)"))
            ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include_object})
            diff = compare_metadata(ctx, SQLModel.metadata)
        finally:
            trans.rollback()
    assert [d[1].name for d in diff if d[0] == "remove_index"] == ["ix_enterprise_not_in_the_models"], diff


def test_0024_goes_down_and_up(any_engine):
    """Downgrading 0024 drops its indexes (PostgreSQL; nothing to do on SQLite), upgrading makes them again."""
    command.downgrade(alembic_config(any_engine), "0023")
    try:
        assert not set(POSTGRES_ONLY_INDEXES) & index_names(any_engine, "enterprise")
    finally:
        upgrade(any_engine)
    assert (set(POSTGRES_ONLY_INDEXES) <= index_names(any_engine, "enterprise")) == (any_engine.dialect.name == "postgresql")
    assert schema_diff(any_engine) == []


def test_upgrade_is_idempotent(any_engine):
    assert current_revision(any_engine) == head_revision()  # one ``upgrade`` done (the fixture's)
    upgrade(any_engine)
    upgrade(any_engine)
    assert current_revision(any_engine) == head_revision()
    assert schema_diff(any_engine) == []


def test_downgrade_to_base_and_upgrade_again(any_engine):
    assert current_revision(any_engine) == head_revision()
    command.downgrade(alembic_config(any_engine), "base")
    assert current_revision(any_engine) is None
    assert not (table_names(any_engine) & set(SQLModel.metadata.tables))
    with pytest.raises(DatabaseError):
        check_schema(any_engine)
    upgrade(any_engine)
    assert current_revision(any_engine) == head_revision()
    assert schema_diff(any_engine) == []


def test_upgrade_accepts_a_url_configuration(tmp_path):
    """``alembic_config`` with a URL (the CLI path) migrates the database at that URL."""
    url = f"sqlite:///{tmp_path / 'by_url.sqlite'}"
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- check_schema


def test_check_schema_on_unmigrated_database_says_run_upgrade(empty_engine):
    with pytest.raises(DatabaseError) as info:
        check_schema(empty_engine)
    assert "dangong db upgrade" in str(info.value)
    assert "not migrated" in str(info.value)


def test_check_schema_on_a_newer_database_says_update_the_code(any_engine):
    unknown = "ffff_from_the_future"
    assert unknown not in known_revisions()
    set_version(any_engine, unknown)
    try:
        assert current_revision(any_engine) == unknown
        with pytest.raises(DatabaseError) as info:
            check_schema(any_engine)
    finally:
        set_version(any_engine, head_revision())  # as found (the reused PostgreSQL database)
    message = str(info.value)
    assert "newer than this code" in message
    assert unknown in message
    assert head_revision() in message
    assert "dangong db upgrade" not in message  # upgrading would not help


@pytest.mark.postgres
def test_check_schema_messages_hide_the_password(pg_url):
    engine = make_engine(pg_url)
    try:
        password = engine.url.password
        assert password, "the test database URL is expected to carry a password"
        with pytest.raises(DatabaseError) as info:
            check_schema(engine)
        message = str(info.value)
        assert f":{password}@" not in message
        assert f"{engine.url.username}:***@" in message
    finally:
        engine.dispose()


def test_unreachable_database_is_a_database_error_without_the_password():
    engine = make_engine("postgresql+psycopg://someone:s3cretpw@127.0.0.1:1/nothing?connect_timeout=3")
    try:
        with pytest.raises(DatabaseError) as info:
            current_revision(engine)
        assert "s3cretpw" not in str(info.value)
        assert "127.0.0.1" in str(info.value)
        with pytest.raises(DatabaseError):
            check_schema(engine)
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- engines and URLs


def test_make_engine_creates_the_directory_of_a_sqlite_file(tmp_path):
    db_file = tmp_path / "nested" / "data" / "dangong.sqlite"
    assert not db_file.parent.exists()
    engine = make_engine(f"sqlite:///{db_file}")
    try:
        assert db_file.parent.is_dir()
        with engine.connect() as conn:
            assert conn.execute(sa.text("PRAGMA foreign_keys")).scalar_one() == 1
            assert conn.execute(sa.text("PRAGMA journal_mode")).scalar_one().lower() == "wal"
        assert db_file.is_file()
    finally:
        engine.dispose()


def test_make_engine_in_memory_sqlite_creates_no_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    engine = make_engine("sqlite:///:memory:")
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT 1")).scalar_one() == 1
    finally:
        engine.dispose()
    assert list(tmp_path.iterdir()) == []


def test_make_engine_without_url_uses_the_settings(tmp_path, monkeypatch):
    from models.settings import get_settings

    target = tmp_path / "from_settings" / "x.sqlite"
    monkeypatch.setenv("DANGONG_DATABASE_URL", f"sqlite:///{target}")
    get_settings.cache_clear()
    engine = make_engine()
    try:
        assert engine.url.database == str(target)
        assert target.parent.is_dir()
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("url", "password"),
    [
        ("postgresql+psycopg://dangong:topsecret@db.example:5432/dangong", "topsecret"),
        ("postgresql+psycopg://dangong:p%40ss%3Aw0rd@db.example/dangong", "p@ss:w0rd"),
        ("mysql+pymysql://root:hunter22@localhost/x", "hunter22"),
    ],
)
def test_mask_url_hides_passwords(url, password):
    masked = mask_url(url)
    assert password not in masked
    assert sa.engine.make_url(url).password == password  # the test's URL does carry it
    for encoded in ("topsecret", "p%40ss", "hunter22"):
        assert encoded not in masked
    assert "***" in masked
    parsed = sa.engine.make_url(masked)
    assert (parsed.username, parsed.host, parsed.database) == (
        sa.engine.make_url(url).username,
        sa.engine.make_url(url).host,
        sa.engine.make_url(url).database,
    )
    assert password not in mask_url(sa.engine.make_url(url))  # a URL object too


def test_mask_url_leaves_urls_without_password_alone(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    assert mask_url(url) == url
    assert mask_url("postgresql+psycopg://user@host/db") == "postgresql+psycopg://user@host/db"


# --------------------------------------------------------------------------- nothing at import time

_IMPORT_PROBE = textwrap.dedent(
    """
    import importlib, pkgutil, sys

    created = []

    import sqlalchemy
    import sqlalchemy.engine
    import sqlalchemy.engine.base

    _orig_init = sqlalchemy.engine.base.Engine.__init__

    def _record_engine(self, *a, **k):
        created.append("Engine")
        return _orig_init(self, *a, **k)

    sqlalchemy.engine.base.Engine.__init__ = _record_engine

    def _refuse(*a, **k):
        created.append("create_engine")
        raise RuntimeError("create_engine called at import time")

    sqlalchemy.create_engine = _refuse
    sqlalchemy.engine.create_engine = _refuse

    import pydantic_settings
    _orig_settings_init = pydantic_settings.BaseSettings.__init__

    def _record_settings(self, *a, **k):
        created.append(type(self).__name__)
        return _orig_settings_init(self, *a, **k)

    pydantic_settings.BaseSettings.__init__ = _record_settings

    import models, models.db, models.settings, seed_data, dashboard.queries

    imported = []
    for pkg in (models, seed_data, dashboard.queries):
        for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
            if info.name.startswith("models.migrations"):
                continue  # alembic's env.py runs migrations by design when alembic loads it
            importlib.import_module(info.name)
            imported.append(info.name)

    assert models.settings.get_settings.cache_info().currsize == 0, "settings were built"
    assert models.__file__ and models.__file__.endswith("__init__.py"), models  # the real package ran
    print("IMPORTED", " ".join(sorted(imported)))
    print("CREATED", repr(created))
    """
)


def test_importing_the_packages_creates_no_engine_and_no_settings(tmp_path):
    env = dict(os.environ)
    # Invalid on purpose: building the settings (or an engine from them) at import would fail.
    env["DANGONG_DATABASE_URL"] = "   "
    env["DANGONG_SECRETS_FILE"] = str(tmp_path / "absent.toml")
    env.pop("PYTHONSTARTUP", None)
    proc = subprocess.run(
        [sys.executable, "-c", _IMPORT_PROBE],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    lines = dict(line.split(" ", 1) for line in proc.stdout.splitlines() if " " in line)
    assert lines["CREATED"] == "[]"
    imported = lines["IMPORTED"].split()
    assert "models.tables" in imported and "models.rules" in imported
    assert "dashboard.queries.coverage" in imported
    assert "seed_data.facts" in imported


def test_the_import_probe_detects_an_import_time_engine(tmp_path):
    """The probe above is able to fail: a module that builds an engine at import is caught."""
    pkg = tmp_path / "badpkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("from models.db import make_engine\nENGINE = make_engine('sqlite://')\n")
    probe = _IMPORT_PROBE.replace("import models, models.db", "import badpkg, models, models.db")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), str(PROJECT_ROOT)]))
    proc = subprocess.run([sys.executable, "-c", probe], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode != 0
    assert "create_engine called at import time" in proc.stderr


def test_every_table_is_registered_on_the_metadata():
    """The schema comparisons above are only meaningful if the metadata holds the whole model."""
    expected = {"township", "unit", "enterprise", "union_org", "union_coverage", "party_org", "party_coverage",
                "liaison_officer", "action_item"}
    assert expected <= set(SQLModel.metadata.tables)
    assert len(SQLModel.metadata.tables) >= 25


def test_check_schema_on_an_older_database_says_run_upgrade(empty_engine):
    upgrade(empty_engine, "0001")
    assert current_revision(empty_engine) == "0001" != head_revision()
    with pytest.raises(DatabaseError) as info:
        check_schema(empty_engine)
    assert "dangong db upgrade" in str(info.value) and "behind" in str(info.value)
    upgrade(empty_engine)
    check_schema(empty_engine)


def test_malformed_secrets_file_is_one_clear_error(tmp_path, monkeypatch):
    from models.settings import get_settings

    bad = tmp_path / "secrets.toml"
    bad.write_text("DANGONG_DATABASE_URL = 'unterminated\n", encoding="utf-8")
    monkeypatch.delenv("DANGONG_DATABASE_URL", raising=False)
    monkeypatch.setenv("DANGONG_SECRETS_FILE", str(bad))
    get_settings.cache_clear()
    with pytest.raises(ValueError, match="secrets.toml"):
        get_settings()


# --------------------------------------------------------------------------- 0007: the demo's designations


def designations(engine: Engine) -> set[tuple]:
    with engine.connect() as conn:
        return set(conn.execute(sa.text(
            "SELECT e.name, m.designated, m.reason, m.by_username, m.at FROM model_designation m "
            "JOIN enterprise e ON e.id = m.enterprise_id")).all())


def test_upgrading_a_demo_database_to_0007_adds_the_three_source_designations(any_own_demo_engine):
    """A demo written before 0007 has no designation: the upgrade writes those of a fresh demo (恒通,
    方田, 红光), read back exactly as the generator writes them; a second pass adds nothing."""
    import datetime as dt

    from seed_data import facts
    from seed_data.demo import MODEL_DESIGNATION_AT, MODEL_DESIGNATION_REASONS

    engine = any_own_demo_engine  # the demo at head (write_demo, seed 2002), a copy of its own
    fresh = designations(engine)
    assert {row[0] for row in fresh} == {facts.HENGTONG, facts.FANGTIAN, facts.HONGGUANG}
    # the demo as a database at 0006 holds it: no designation table
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM model_designation"))
        # 0020 refuses to go down over nominations 0019 cannot hold (tests/models/test_award_migration.py)
        conn.execute(sa.text("DELETE FROM double_love_award WHERE stage <> 'awarded'"))
    command.downgrade(alembic_config(engine), "0006")
    assert current_revision(engine) == "0006" and "model_designation" not in table_names(engine)

    upgrade(engine, "0007")
    upgraded = designations(engine)
    assert len(upgraded) == 3
    assert {(name, bool(d), reason, by) for name, d, reason, by, _ in upgraded} == \
        {(name, True, reason, "seed") for name, reason in MODEL_DESIGNATION_REASONS.items()}
    # the same instant, whatever the dialect returns (SQLite: naive UTC text; PostgreSQL: aware)
    stamps = {at if isinstance(at, dt.datetime) else dt.datetime.fromisoformat(at) for *_, at in upgraded}
    assert {s.replace(tzinfo=s.tzinfo or dt.UTC) for s in stamps} == {MODEL_DESIGNATION_AT}
    # read through the model, as the app does: identical to what a fresh demo wrote
    from sqlmodel import Session, select

    from models.tables import ModelDesignation

    with Session(engine) as s:
        assert {r.at for r in s.exec(select(ModelDesignation))} == {MODEL_DESIGNATION_AT}
    assert {row[:4] for row in upgraded} == {row[:4] for row in fresh}
    upgrade(engine)  # and on to head (the revisions after 0007)
    assert schema_diff(engine) == []


def test_0007_skips_missing_enterprises_and_existing_designations(empty_engine):
    """Only a demo database gets the rows; a missing enterprise is skipped, one with a designation
    keeps its own."""
    import datetime as dt

    from models import rules
    from seed_data import facts
    from seed_data.demo import MODEL_DESIGNATION_REASONS

    upgrade(empty_engine, "0006")
    with empty_engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO township (id, code, name, kind, sort_order, boundary_is_schematic) "
                             "VALUES (1, 'T1', '一号镇', 'town', 1, :yes)"), {"yes": True})
        for k, name in enumerate((facts.HENGTONG, facts.FANGTIAN), start=1):  # 红光 is missing
            conn.execute(sa.text(
                "INSERT INTO enterprise (id, uscc, name, township_id, is_village, ownership, industry, employees, "
                "party_members, registered_on, owner_is_party_member) VALUES (:id, :uscc, :name, 1, :no, 'private', "
                "'机械制造', 10, 0, :day, :no)"),
                {"id": k, "uscc": rules.make_uscc(division="220299", serial=k), "name": name, "no": False,
                 "day": dt.date(2000, 1, 1)})
    # not a demo (no dataset_info): nothing written
    upgrade(empty_engine, "0007")
    assert designations(empty_engine) == set()
    command.downgrade(alembic_config(empty_engine), "0006")
    with empty_engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO dataset_info (key, value) VALUES ('dataset', 'demo')"))
    upgrade(empty_engine, "0007")
    assert {row[0] for row in designations(empty_engine)} == {facts.HENGTONG, facts.FANGTIAN}
    # the step again: an enterprise that already has a designation keeps its own, one without gets it
    from alembic.operations import Operations

    from models.db import _script_directory

    step = _script_directory().get_revision("0007").module._demo_designations
    with empty_engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM model_designation WHERE enterprise_id = 2"))
        conn.execute(sa.text("UPDATE model_designation SET reason = 'own' WHERE enterprise_id = 1"))
        with Operations.context(MigrationContext.configure(conn)):
            step()
    rows = {row[0]: row for row in designations(empty_engine)}
    assert len(designations(empty_engine)) == 2 and rows[facts.HENGTONG][2] == "own"
    assert rows[facts.FANGTIAN][2] == MODEL_DESIGNATION_REASONS[facts.FANGTIAN]
