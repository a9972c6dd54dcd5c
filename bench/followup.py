"""``python -m bench.followup``: the SQL of the meetings, case-study and presentation pages and of
the meeting brief, at each size; writes its own section of docs/performance.md.

    python -m bench.followup [--sizes demo,100k,1m] [--repeat 3] [--no-write]

Every query is the function the page calls (through ``dashboard/ui/data.py``), with the whole
district as the scope and the dataset's as-of date; the median of ``--repeat`` passes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import datasets, report

DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
BEGIN, END = "<!-- bench-followup:begin -->", "<!-- bench-followup:end -->"


def queries(as_of: dt.date) -> list[tuple[str, str, Callable]]:
    """(page, query, fn(session)) — what each page asks on a cold cache."""
    from dashboard.queries import brief, cases, meetings
    from dashboard.queries.scope import Scope

    scope = Scope.district()
    three_years = as_of.replace(year=as_of.year - 3)

    def first_case(s):
        models = cases.model_enterprises(s, scope, as_of)
        return cases.case_detail(s, scope, int(models["enterprise_id"].iloc[0]), as_of) if len(models) else None

    return [
        ("meetings", "meetings(3 years)", lambda s: meetings.meetings(s, scope, as_of, start=three_years, end=as_of)),
        ("meetings", "item_board", lambda s: meetings.item_board(s, scope, as_of)),
        ("meetings", "action_items(2000)", lambda s: meetings.action_items(s, scope, as_of)),
        ("meetings", "since_last_meeting", lambda s: meetings.since_last_meeting(s, scope, as_of)),
        ("meetings", "mechanism_coverage", lambda s: meetings.mechanism_coverage(s, scope, as_of)),
        ("meetings", "notices", lambda s: meetings.notices(s, scope, as_of)),
        ("cases", "model_enterprises", lambda s: cases.model_enterprises(s, scope, as_of)),
        ("cases", "case_detail(first model)", first_case),
        ("brief", "meeting_brief(next meeting)", lambda s: brief.meeting_brief(s, scope, as_of)),
    ]


def measure(url: str, as_of: dt.date, repeat: int) -> dict[str, Any]:
    from sqlmodel import Session

    from models.db import make_engine

    engine = make_engine(url)
    todo = queries(as_of)
    passes: list[dict[str, float]] = []
    try:
        for _ in range(repeat):
            seconds = {}
            with Session(engine) as s:
                for _page, name, fn in todo:
                    t0 = time.perf_counter()
                    fn(s)
                    seconds[name] = time.perf_counter() - t0
            passes.append(seconds)
    finally:
        engine.dispose()
    per_query = {name: statistics.median(p[name] for p in passes) for _, name, _ in todo}
    per_page: dict[str, float] = {}
    for page, name, _ in todo:
        per_page[page] = per_page.get(page, 0.0) + per_query[name]
    return {"per_query": per_query, "per_page": per_page, "pages": {name: page for page, name, _ in todo}}


def render(runs: list[tuple[datasets.Dataset, dict[str, Any]]], repeat: int) -> str:
    labels = [f"{ds.label} ({ds.enterprises:,})" for ds, _ in runs]
    first = runs[0][1]
    rows = [[f"{first['pages'][n]}: {n}", *(f"{r['per_query'][n]:.4f}" for _, r in runs)] for n in first["per_query"]]
    rows += [[f"**{p} total**", *(f"**{r['per_page'][p]:.4f}**" for _, r in runs)] for p in first["per_page"]]
    head = "| query | " + " | ".join(labels) + " |\n|---|" + "---:|" * len(labels) + "\n"
    body = "".join("| " + " | ".join(r) + " |\n" for r in rows)
    return (f"Run of {report.now()}, `--repeat {repeat}`, scope: the whole district (seconds, median).\n\n"
            + head + body + "\n")


def write_doc(path: Path, body: str) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    block = f"{BEGIN}\n{body}{END}"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        path.write_text(head + block + rest.split(END, 1)[1], encoding="utf-8")
    else:
        path.write_text(text.rstrip() + "\n\n## Meetings, case studies and the meeting brief\n\n" + block + "\n",
                        encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.followup", description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="demo,100k,1m")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--no-write", action="store_true")
    args = p.parse_args(argv)
    runs = []
    for text in args.sizes.split(","):
        label, n = datasets.parse_size(text.strip())
        ds = datasets.make(label, n)
        print(f"== {label}: {ds.enterprises:,} enterprises", file=sys.stderr, flush=True)
        runs.append((ds, measure(ds.url, ds.as_of, args.repeat)))
        if n is None:
            shutil.rmtree(ds.path.parent, ignore_errors=True)
    body = render(runs, args.repeat)
    print(body)
    if not args.no_write:
        write_doc(DOC, body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
