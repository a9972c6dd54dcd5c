"""A seeded demo database shared by the page tests of this folder (read-only use)."""

from __future__ import annotations

import datetime as dt

import pytest

from models.db import make_engine, upgrade
from seed_data.demo import write_demo

DEMO_TODAY = dt.date(2026, 11, 24)


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('app') / 'demo.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    write_demo(engine, seed=2002, today=DEMO_TODAY)
    engine.dispose()
    return url


@pytest.fixture
def app_env(demo_url, monkeypatch):
    """Point the app at the demo database (the settings cache is cleared by the root fixture)."""
    from models.settings import get_settings

    monkeypatch.setenv("DANGONG_DATABASE_URL", demo_url)
    get_settings.cache_clear()
    return demo_url
