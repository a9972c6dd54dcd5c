"""``dangong …`` with the scale generator's ``today`` pinned, so cached benchmark data is reproducible.

``dangong seed --scale N`` uses the current date as the story's end; the benchmark wants the
same data whatever day it runs, so this runs the real ``dangong`` command (same code path,
same progress output) with ``seed_data.scale.generate_scale`` given a fixed ``today``::

    python -m bench.dangong_pinned 2026-11-24 seed --scale 100000 --seed 7
"""

from __future__ import annotations

import datetime as dt
import functools
import sys


def main(argv: list[str]) -> None:
    today = dt.date.fromisoformat(argv[0])
    import seed_data.scale as scale

    scale.generate_scale = functools.partial(scale.generate_scale, today=today)  # the CLI imports it at call time
    from dashboard.cli import app

    app(argv[1:], prog_name="dangong")


if __name__ == "__main__":
    main(sys.argv[1:])
