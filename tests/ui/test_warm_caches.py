"""The whole district's overview read into the caches at server start (issue 22): ``ui.warm.overview``
(the overview sections' ``prefetch``) outside any script run, then the overview's run as a leader reads
nothing and builds no chart — every figure and spec is a cache hit; a database that cannot be read is
logged, never raised; the server's loop follows the setting ``warm_caches`` (off in this test suite,
tests/conftest.py). The loop after a write: tests/ui/test_warm_after_write.py."""

from __future__ import annotations

import ast
import datetime as dt
import threading
from pathlib import Path

import pytest
import streamlit as st
from pydantic import ValidationError

from dashboard.ui import chart, data, warm
from models.settings import Settings, get_settings
from tests.factories import app_on_own_demo

ROOT = Path(__file__).resolve().parents[2]
OVERVIEW = ROOT / "dashboard" / "ui" / "sections" / "overview"


@pytest.fixture
def url(demo_template, tmp_path, monkeypatch):
    return app_on_own_demo(demo_template, tmp_path / "warm.sqlite", monkeypatch)


@pytest.fixture
def spies(monkeypatch):
    """Every cache miss of a query (``data.cached`` opens a session for it) and every chart built."""
    misses, builds = [], []
    session, builder = data.session, chart._builder
    monkeypatch.setattr(data, "session", lambda u: (misses.append(u), session(u))[1])
    monkeypatch.setattr(chart, "_builder", lambda name: (builds.append(name), builder(name))[1])
    return misses, builds


def in_a_thread(fn, *args, **kwargs):
    """``fn`` in a plain thread, as the server's warm-up runs it: no ScriptRunContext."""
    out = []
    worker = threading.Thread(target=lambda: out.append(fn(*args, **kwargs)))
    worker.start()
    worker.join(120)
    return out[0]


def test_after_the_warm_up_the_overview_is_all_cache_hits(url, spies):
    from tests.app.test_overview import run

    st.cache_data.clear()
    misses, builds = spies
    assert in_a_thread(warm.overview) is True
    assert len(misses) >= 10 and len(builds) == 4  # it read and built (an empty cache to start with)
    misses.clear(), builds.clear()
    at = run("leader")
    assert len(at.metric) == 6 and len(at.get("vega_lite_chart")) >= 3  # the page drawn (a chart in a closed tab too)
    assert misses == [] and builds == []  # every query and chart spec was ready
    # the spies see a run that is not warmed: another as-of date reads and builds
    run("leader", asof="2025-06-30")
    assert misses and set(builds) >= {"pattern_bar", "township_map", "foundings_chart", "rates_chart"}


def test_a_district_leader_of_a_township_filter_is_not_warmed_but_still_right(url, spies):
    """The warm-up is the whole district only: a township filter reads its own figures (not a stale one)."""
    from tests.app.test_overview import run

    st.cache_data.clear()
    misses, _ = spies
    assert in_a_thread(warm.overview) is True
    misses.clear()
    at = run("leader", town="YB")
    assert not at.exception and misses


def test_a_database_that_cannot_be_read_is_logged_not_raised(tmp_path, migrated_template, caplog):
    empty = f"sqlite:///{tmp_path / 'never-upgraded.sqlite'}"
    assert in_a_thread(warm.overview, empty) is False
    assert "warm-up of the overview" in caplog.text
    down = "postgresql+psycopg://nobody:nothing@127.0.0.1:9/nowhere?connect_timeout=2"
    assert in_a_thread(warm.overview, down) is False
    # a database with the schema and no enterprise: nothing to warm, nothing wrong
    assert in_a_thread(warm.overview, migrated_template.copy(tmp_path / "empty.sqlite"),
                       as_of=dt.date(2026, 1, 1)) is True


def test_the_servers_loop_follows_the_setting(monkeypatch):
    from dashboard.ui import server

    calls = []
    stop = threading.Event()

    def fake_warm():
        calls.append(1)
        stop.set()  # one turn, then the server stops
        return True

    monkeypatch.setattr(warm, "overview", fake_warm)
    monkeypatch.setenv("DANGONG_WARM_CACHES", "false")
    get_settings.cache_clear()
    server._warm_caches(stop)
    assert calls == []
    monkeypatch.setenv("DANGONG_WARM_CACHES", "true")
    get_settings.cache_clear()
    server._warm_caches(stop)
    assert calls == [1]


# --------------------------------------------------------------------------- the structure (review of issue 22)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
    return out


def test_the_cache_layer_does_not_import_the_sections_above_it():
    assert not [m for m in _imports(ROOT / "dashboard" / "ui" / "data.py") if m.startswith("dashboard.ui.sections")]


def test_every_section_the_overview_draws_is_prefetched(monkeypatch):
    """The page's sections (app_pages/overview.py) are those :func:`overview.prefetch` runs, each with a
    ``prefetch`` beside its ``render`` — a section added to the page and not to the warm-up fails here."""
    import importlib

    from dashboard.ui.sections import overview

    page = _imports(ROOT / "dashboard" / "app_pages" / "overview.py")
    drawn = {m.rsplit(".", 1)[1] for m in page if m.startswith("dashboard.ui.sections.overview.")}
    assert drawn == {p.stem for p in OVERVIEW.glob("*.py") if p.stem != "__init__"}
    ran = []
    for name in drawn:
        module = importlib.import_module(f"dashboard.ui.sections.overview.{name}")
        assert callable(module.render), name
        monkeypatch.setattr(module, "prefetch", lambda ctx, name=name: ran.append(name) or True)
    assert overview.prefetch(object()) is True
    assert sorted(ran) == sorted(drawn) and ran[0] == "kpis"  # the cards first: an empty scope stops there


def test_the_cache_lifetime_is_a_validated_setting(monkeypatch, tmp_path):
    assert Settings().cache_ttl_seconds == 600
    monkeypatch.setenv("DANGONG_CACHE_TTL_SECONDS", "45")
    assert Settings().cache_ttl_seconds == 45
    for wrong in ("0", "-5", "ten", "1.5"):
        monkeypatch.setenv("DANGONG_CACHE_TTL_SECONDS", wrong)
        with pytest.raises(ValidationError):
            Settings()
        get_settings.cache_clear()
        assert data._cache_ttl() == 600  # the caches keep a lifetime; the pages say the setting is wrong
    monkeypatch.setenv("DANGONG_CACHE_TTL_SECONDS", "45")
    get_settings.cache_clear()
    assert data._cache_ttl() == 45
    secrets = tmp_path / "secrets.toml"
    secrets.write_text("DANGONG_CACHE_TTL_SECONDS = [", encoding="utf-8")  # not TOML: not an import error
    monkeypatch.setenv("DANGONG_SECRETS_FILE", str(secrets))
    get_settings.cache_clear()
    assert data._cache_ttl() == 600
