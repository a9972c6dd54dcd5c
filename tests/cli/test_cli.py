"""The ``dangong`` command: real console script in a subprocess, real SQLite files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent / "dangong"


def run(args, url, **env):
    full_env = {**os.environ, "DANGONG_DATABASE_URL": url, **env}
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, env=full_env, timeout=300)


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'cli.sqlite'}"


@pytest.fixture
def migrated_url(migrated_template, tmp_path):
    """A database at head, as after ``dangong db upgrade`` (a copy of the session's migrated file:
    ``test_upgrade_seed_demo_and_info`` runs the command itself)."""
    return migrated_template.copy(tmp_path / "cli.sqlite")


def test_upgrade_seed_demo_and_info(url):
    r = run(["db", "upgrade"], url)
    assert r.returncode == 0, r.stderr
    from models.db import head_revision

    assert f"→ {head_revision()}" in r.stdout
    r = run(["seed", "demo", "--today", "2026-11-24"], url)
    assert r.returncode == 0, r.stderr
    r = run(["info"], url)
    assert r.returncode == 0
    rows = dict(line.split()[:2] for line in r.stdout.splitlines() if line.startswith("  "))
    assert int(rows["township"].replace(",", "")) == 10
    assert 600 <= int(rows["enterprise"].replace(",", "")) <= 800
    assert "dataset=demo" in r.stdout


def test_seed_demo_if_empty_is_idempotent_and_plain_refuses(migrated_url):
    url = migrated_url
    assert run(["seed", "demo", "--if-empty"], url).returncode == 0
    again = run(["seed", "demo", "--if-empty"], url)
    assert again.returncode == 0 and "跳过" in again.stdout
    refused = run(["seed", "demo"], url)
    assert refused.returncode == 1 and "已有数据" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_unmigrated_database_refused_with_the_command_to_run(url):
    r = run(["seed", "demo"], url)
    assert r.returncode == 1
    assert "dangong db upgrade" in r.stderr and "Traceback" not in r.stderr


def test_bad_date_is_one_sentence(migrated_url):
    url = migrated_url
    r = run(["seed", "demo", "--today", "2026-02-30"], url)
    assert r.returncode == 1 and "YYYY-MM-DD" in r.stderr and "Traceback" not in r.stderr


def test_dead_database_masks_password_and_debug_shows_traceback():
    dead = "postgresql://alice:s3cret@127.0.0.1:1/nothing"
    r = run(["info"], dead)
    assert r.returncode == 1
    assert "s3cret" not in r.stderr + r.stdout and "***" in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = run(["--debug", "info"], dead)
    assert r.returncode != 0 and "Traceback" in r.stderr


def test_scale_writes_exactly_n(migrated_url):
    url = migrated_url
    r = run(["seed", "--scale", "1234"], url)
    assert r.returncode == 0, r.stderr
    assert "1,234" in r.stdout
    info = run(["info"], url)
    rows = dict(line.split()[:2] for line in info.stdout.splitlines() if line.startswith("  "))
    assert rows["enterprise"] == "1,234"
    assert int(rows["enterprise_state"].replace(",", "")) >= 1234  # summaries built after the scale run
    refused = run(["seed", "--scale", "10"], url)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
