"""One `streamlit run` the benchmarks start themselves: wait until it answers (bench/browser.py,
bench/load.py)."""

from __future__ import annotations

import subprocess
import time
import urllib.request


def wait_until_healthy(base: str, proc: subprocess.Popen, *, timeout: float = 90, every: float = 0.05) -> bool:
    """Poll ``base``/_stcore/health until it answers 200 (True), the process ends or ``timeout``
    seconds pass (False). The wait is not part of any timing."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return True
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(every)
