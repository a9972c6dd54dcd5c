"""``bench.run`` on PostgreSQL (issue 19 item 1): the demo district on the test server, a PostgreSQL
column beside SQLite's, EXPLAIN of the pages; a server that does not answer is skipped with a line,
never a failure; a run of some pages merges into the saved results instead of replacing them."""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa

from tests.test_bench_smoke import bench_process_state  # noqa: F401  (the fixture)


@pytest.mark.postgres
def test_bench_runs_the_demo_on_postgresql(bench_process_state, capsys, monkeypatch, _postgres):  # noqa: F811
    from bench import datasets, run

    server = os.environ["DANGONG_TEST_POSTGRES_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    monkeypatch.setattr(datasets, "PG_SERVER_URL", server)
    name = f"dangong_bench_t{uuid.uuid4().hex[:10]}"
    monkeypatch.setattr(datasets, "pg_database_name", lambda label: name)
    try:
        assert run.main(["--sizes", "demo", "--backend", "postgresql", "--repeat", "1", "--no-write", "--no-app",
                         "--pages", "overview,ledger,meetings,refresh"]) == 0
    finally:
        engine = sa.create_engine(server, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()
    out = capsys.readouterr().out
    assert "into PostgreSQL 15" in out
    assert "| demo PG | 741 |" in out  # the databases table: the demo district, on PostgreSQL
    assert "| query | demo PG |" in out  # the overview's SQL by query has the PostgreSQL column
    assert "Joint meetings" in out and "| demo PG | " in out.split("Joint meetings")[1]
    plans = out.split("EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL")[1]
    for page in ("overview", "ledger_search_digits", "meetings"):
        assert f"<b>{page}</b>" in plans
    assert "Execution Time" in plans and "failed" not in plans
    assert "Summaries after an import" not in out  # refresh works on a copy of a SQLite file: not on PostgreSQL


def test_an_unreachable_postgresql_is_skipped_with_a_message(bench_process_state, capsys, monkeypatch):  # noqa: F811
    from bench import datasets, run

    monkeypatch.setattr(datasets, "PG_SERVER_URL", "postgresql+psycopg://nobody:secretpw@127.0.0.1:1/postgres")
    monkeypatch.setattr(datasets, "_start_local_cluster", lambda: "not started (test)")
    assert run.main(["--sizes", "demo", "--backend", "postgresql", "--repeat", "1", "--no-write", "--no-app",
                     "--pages", "leads"]) == 0
    out = capsys.readouterr().out
    assert "**PostgreSQL skipped:** PostgreSQL at postgresql+psycopg://nobody:***@127.0.0.1:1/postgres" in out
    assert "secretpw" not in out


def _size(key: str, n: int | None, backend: str = "sqlite", **pages) -> dict:
    label = key.split()[0]
    return {"dataset": {"label": label, "key": key, "n": n, "backend": backend}, **pages}


def test_a_run_of_some_pages_replaces_only_their_figures():
    """The defect of ``--pages X`` replacing the whole block: the saved results are merged instead."""
    from bench.run import merge

    old = {"started": "2026-12-01 04:00", "commit": "aaa", "elapsed": 10.0, "repeat": 3, "pages": ["overview", "leads"],
           "machine": {}, "sizes": [
               _size("demo", None, sql={"total": 1.0}, leads={"cold": 0.1}, apps={"overview": {"cold": 0.2}}),
               _size("1m", 1_000_000, sql={"total": 2.0}, leads={"cold": 0.5},
                     apps={"overview": {"cold": 0.6}, "map": {"cold": 0.7}})]}
    new = {"started": "2026-12-01 05:00", "commit": "bbb", "elapsed": 5.0, "repeat": 3, "pages": ["leads"],
           "machine": {}, "sizes": [_size("1m", 1_000_000, leads={"cold": 0.4}, runs={"leads": 0}),
                                    _size("1m PG", 1_000_000, "postgresql", leads={"cold": 0.3}, runs={"leads": 0})]}
    merged = merge(old, new)
    by = {s["dataset"]["key"]: s for s in merged["sizes"]}
    assert list(by) == ["demo", "1m", "1m PG"]  # sizes in order, PostgreSQL beside SQLite
    assert by["demo"]["sql"] == {"total": 1.0} and by["demo"]["leads"] == {"cold": 0.1}  # not measured: kept
    assert by["1m"]["leads"] == {"cold": 0.4}  # measured again: replaced
    assert by["1m"]["sql"] == {"total": 2.0} and by["1m"]["apps"]["map"] == {"cold": 0.7}  # other pages kept
    assert by["1m PG"]["leads"] == {"cold": 0.3}
    assert [r["started"] for r in merged["runs"]] == ["2026-12-01 04:00", "2026-12-01 05:00"]
    assert by["1m"]["runs"] == {"overview": 0, "leads": 1} and by["1m PG"]["runs"] == {"leads": 1}
    # merging again what was merged keeps the provenance
    again = merge(merged, {**new, "started": "2026-12-01 06:00"})
    assert [r["started"] for r in again["runs"]] == ["2026-12-01 04:00", "2026-12-01 06:00"]
    assert {s["dataset"]["key"]: s["runs"] for s in again["sizes"]}["1m"] == {"overview": 0, "leads": 1}
