"""``python -m bench.browser`` keeps working: its smallest run (the demo district on SQLite, one
repeat, nothing written) drives chromium against a ``streamlit run`` of its own, end to end.

Only with ``DANGONG_TEST_BROWSER`` set (CI sets it to ``required``): it starts two servers and
takes about 40 s (``--smoke``: no floor sign-in, no uncounted first cycle, filters on the overview
only). The database is a copy of the session's demo district (``demo_template``), the
same district ``bench.datasets.demo`` makes (``dangong seed demo`` as of the benchmarks' day)."""

from __future__ import annotations

import json
import os

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not os.environ.get("DANGONG_TEST_BROWSER"), reason="DANGONG_TEST_BROWSER not set")]


def test_browser_bench_runs_on_the_demo_size(demo_template, tmp_path, monkeypatch, capsys):
    from bench import browser, datasets

    why = browser.available()
    if why:
        if os.environ.get("DANGONG_TEST_BROWSER") == "required":
            pytest.fail(why)
        pytest.skip(why)

    def demo(workdir):
        ds = datasets.Dataset("demo", None, tmp_path / "bench-demo" / "demo.sqlite", datasets.TODAY)
        demo_template.copy(ds.path)
        return datasets._describe(ds)

    monkeypatch.setattr(datasets, "demo", demo)
    json_path = tmp_path / "browser.json"
    code = browser.main(["--sizes", "demo", "--backends", "sqlite", "--repeat", "1", "--smoke", "--no-write",
                          "--json", str(json_path)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Not measured" not in out
    assert "| sign-in → overview drawn (fresh server) | overview |" in out
    for label, _ in (*browser.PAGES, *browser.FLOOR):
        assert f"| warm page switch | {label} |" in out
    assert "| filter: as-of date | overview |" in out and "| presentation: step a slide (→) | present |" in out
    results = json.loads(json_path.read_text())["runs"]["sqlite demo"]["results"]
    # every timing is a real run: it started after the action and ended with the page drawn
    assert 0 < results["signin"][0] < 120 and all(0 < v[0] < 120 for v in results["switch"].values())
    assert all(min(n) >= 1 for n in results["runs"].values())
