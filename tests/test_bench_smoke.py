"""`make bench` keeps working: its smallest run (the demo district, one pass, nothing written).

Both benchmarks run in this process (``main(argv)``, what ``python -m bench.run`` calls: no
interpreter start and imports of their own); the databases are still made by the real
``dangong`` commands, in subprocesses, as ``make bench`` does."""

from __future__ import annotations

import pytest


@pytest.fixture
def bench_process_state():
    """Put back what a benchmark changes in the process it runs in: Streamlit's error details and
    log options (``bench.apptest.quiet_streamlit``); the database URL in the environment is put
    back by the root fixture's ``monkeypatch``."""
    import streamlit.logger
    from streamlit import config

    names = ("client.showErrorDetails", "logger.enableRich", "logger.level")
    before = {name: config.get_option(name) for name in names}
    yield
    for name, value in before.items():
        config.set_option(name, value)
    streamlit.logger.set_log_level(before["logger.level"])
    assert {name: config.get_option(name) for name in names} == before


def test_bench_runs_on_the_demo_size(bench_process_state, capsys):
    from bench import run

    assert run.main(["--sizes", "demo", "--repeat", "1", "--no-write"]) == 0
    out = capsys.readouterr().out
    assert "overview" in out and "ledger" in out and "The ledger import" in out
    assert "Enterprise events from the ledger" in out and "| demo |" in out.split("Enterprise events")[1]


def test_followup_bench_runs_on_the_demo_size(bench_process_state, capsys, demo_template, tmp_path, monkeypatch):
    """On a copy of the session's demo district: the same database ``bench.datasets.demo`` makes
    (``dangong seed demo`` as of the benchmarks' day), whose own path the test above runs."""
    from bench import datasets, followup
    from models.settings import get_settings
    from tests.factories import DEMO_SEED, DEMO_TODAY

    assert (get_settings().demo_seed, datasets.TODAY) == (DEMO_SEED, DEMO_TODAY)  # the same district

    def demo(workdir):
        ds = datasets.Dataset("demo", None, tmp_path / "bench-demo" / "demo.sqlite", datasets.TODAY)
        demo_template.copy(ds.path)
        return datasets._describe(ds)

    monkeypatch.setattr(datasets, "demo", demo)
    assert followup.main(["--sizes", "demo", "--repeat", "1", "--no-write"]) == 0
    out = capsys.readouterr().out
    for name in ("item_board", "since_last_meeting", "mechanism_coverage", "model_enterprises", "meeting_brief"):
        assert name in out
