"""What the benchmark ran on."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
import sys
from importlib import metadata
from pathlib import Path


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory() -> str:
    try:
        out = subprocess.run(["free", "-h"], capture_output=True, text=True, check=True).stdout.splitlines()
        cols = out[1].split()
        return f"{cols[1]} total, {cols[6]} available" if len(cols) > 6 else cols[1]
    except (OSError, subprocess.CalledProcessError, IndexError):
        return "unknown"


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "—"


def describe() -> dict[str, str]:
    return {
        "CPU": _cpu_model(),
        "CPUs (nproc)": str(os.cpu_count() if not hasattr(os, "sched_getaffinity") else len(os.sched_getaffinity(0))),
        "memory (free -h)": _memory(),
        "OS": f"{platform.system()} {platform.release()}",
        "load average at start (1/5/15 min)": " / ".join(f"{x:.2f}" for x in os.getloadavg()),
        "Python": sys.version.split()[0],
        "SQLite": sqlite3.sqlite_version,
        "Streamlit": _version("streamlit"),
        "pandas": _version("pandas"),
        "SQLAlchemy": _version("sqlalchemy"),
    }
