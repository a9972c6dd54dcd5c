"""The ``dangong`` command on real SQLite files.

The installed console script runs in a subprocess where the process itself is under test (one
line on standard error, a traceback only with ``--debug``: ``test_dead_database_…``); the other
tests call the same Typer app in this process (``invoke``: no interpreter start and imports per
command), where an exception the command did not handle is written to standard error as a
traceback, as the interpreter would print it — so "no traceback" still means "handled"."""

from __future__ import annotations

import os
import subprocess
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from typer.testing import CliRunner

BIN = Path(sys.executable).parent / "dangong"


def run(args, url, **env):
    """The installed ``dangong`` script in a subprocess."""
    full_env = {**os.environ, "DANGONG_DATABASE_URL": url, **env}
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, env=full_env, timeout=300)


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def invoke(args, url, **env) -> Result:
    """``dangong ARGS`` in this process, with ``DANGONG_DATABASE_URL=url`` (settings re-read)."""
    from dashboard import cli
    from models.settings import get_settings

    get_settings.cache_clear()
    try:
        r = CliRunner().invoke(cli.app, list(args), env={"DANGONG_DATABASE_URL": url, **env})
    finally:
        get_settings.cache_clear()
        cli._state["debug"] = False  # the process-wide flag ``--debug`` sets
    stderr = r.stderr
    if r.exception is not None and not isinstance(r.exception, SystemExit):  # unhandled: the interpreter's traceback
        stderr += "".join(traceback.format_exception(*r.exc_info))
    return Result(r.exit_code, r.stdout, stderr)


@pytest.fixture(autouse=True)
def _cheap_hasher(monkeypatch):
    """``seed demo`` creates the demo accounts: a cheap argon2id in this process (hashing is
    tested in tests/models/test_accounts.py)."""
    from models import accounts

    monkeypatch.setattr(accounts, "hasher", lambda: PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'cli.sqlite'}"


@pytest.fixture
def migrated_url(migrated_template, tmp_path):
    """A database at head, as after ``dangong db upgrade`` (a copy of the session's migrated file:
    ``test_upgrade_seed_demo_and_info`` runs the command itself)."""
    return migrated_template.copy(tmp_path / "cli.sqlite")


def test_upgrade_seed_demo_and_info(url):
    r = invoke(["db", "upgrade"], url)
    assert r.returncode == 0, r.stderr
    from models.db import head_revision

    assert f"→ {head_revision()}" in r.stdout
    r = invoke(["seed", "demo", "--today", "2026-11-24"], url)
    assert r.returncode == 0, r.stderr
    r = invoke(["info"], url)
    assert r.returncode == 0
    rows = dict(line.split()[:2] for line in r.stdout.splitlines() if line.startswith("  "))
    assert int(rows["township"].replace(",", "")) == 10
    assert 600 <= int(rows["enterprise"].replace(",", "")) <= 800
    assert "dataset=demo" in r.stdout


def test_seed_demo_if_empty_is_idempotent_and_plain_refuses(migrated_url):
    url = migrated_url
    assert invoke(["seed", "demo", "--if-empty"], url).returncode == 0
    again = invoke(["seed", "demo", "--if-empty"], url)
    assert again.returncode == 0 and "跳过" in again.stdout
    refused = invoke(["seed", "demo"], url)
    assert refused.returncode == 1 and "已有数据" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_unmigrated_database_refused_with_the_command_to_run(url):
    r = invoke(["seed", "demo"], url)
    assert r.returncode == 1
    assert "dangong db upgrade" in r.stderr and "Traceback" not in r.stderr


def test_bad_date_is_one_sentence(migrated_url):
    url = migrated_url
    r = invoke(["seed", "demo", "--today", "2026-02-30"], url)
    assert r.returncode == 1 and "YYYY-MM-DD" in r.stderr and "Traceback" not in r.stderr


def test_dead_database_masks_password_and_debug_shows_traceback():
    """The installed script, in a process of its own: what the process prints is under test."""
    dead = "postgresql://alice:s3cret@127.0.0.1:1/nothing"
    r = run(["info"], dead)
    assert r.returncode == 1
    assert "s3cret" not in r.stderr + r.stdout and "***" in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = run(["--debug", "info"], dead)
    assert r.returncode != 0 and "Traceback" in r.stderr


def test_unhandled_errors_show_as_a_traceback_in_process(monkeypatch):
    """``invoke`` hides nothing: an exception the command lets through (``--debug``) shows as a
    traceback on standard error, as in the process above."""
    r = invoke(["--debug", "info"], "postgresql://alice:s3cret@127.0.0.1:1/nothing")
    assert r.returncode != 0 and "Traceback" in r.stderr
    r = invoke(["info"], "postgresql://alice:s3cret@127.0.0.1:1/nothing")
    assert r.returncode == 1 and "Traceback" not in r.stderr and "***" in r.stderr


def test_scale_writes_exactly_n(migrated_url):
    url = migrated_url
    r = invoke(["seed", "--scale", "1234"], url)
    assert r.returncode == 0, r.stderr
    assert "1,234" in r.stdout
    info = invoke(["info"], url)
    rows = dict(line.split()[:2] for line in info.stdout.splitlines() if line.startswith("  "))
    assert rows["enterprise"] == "1,234"
    assert int(rows["enterprise_state"].replace(",", "")) >= 1234  # summaries built after the scale run
    refused = invoke(["seed", "--scale", "10"], url)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
