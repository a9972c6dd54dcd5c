"""`make bench` keeps working: its smallest run (the demo district, one pass, nothing written)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_runs_on_the_demo_size(tmp_path):
    r = subprocess.run([sys.executable, "-m", "bench.run", "--sizes", "demo", "--repeat", "1", "--no-write"],
                       cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "overview" in r.stdout and "ledger" in r.stdout


def test_followup_bench_runs_on_the_demo_size():
    r = subprocess.run([sys.executable, "-m", "bench.followup", "--sizes", "demo", "--repeat", "1", "--no-write"],
                       cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    for name in ("item_board", "since_last_meeting", "mechanism_coverage", "model_enterprises", "meeting_brief"):
        assert name in r.stdout
