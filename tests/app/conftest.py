"""The demo database of the page tests of this folder: a copy of the session's demo district
(tests/conftest.py), shared by the tests here. Logging in writes audit rows, so it is not the
read-only shared database; a test that edits data works on a copy of its own (``demo_url``)."""

from __future__ import annotations

import pytest

from tests.factories import DEMO_TODAY  # noqa: F401  (the demo's "today", imported by the page tests)


@pytest.fixture(scope="session")
def demo_url(demo_template, tmp_path_factory) -> str:
    return demo_template.copy(tmp_path_factory.mktemp("app") / "demo.sqlite")


@pytest.fixture
def app_env(demo_url, monkeypatch):
    """Point the app at the demo database (the settings cache is cleared by the root fixture)."""
    from models.settings import get_settings

    monkeypatch.setenv("DANGONG_DATABASE_URL", demo_url)
    get_settings.cache_clear()
    return demo_url


@pytest.fixture(autouse=True)
def _fresh_address_throttle():
    """AppTest sessions have no client address, so they all count as one: every test starts with
    the per-address sign-in allowance untouched (the throttle itself is tested in test_lockout.py)."""
    from dashboard.ui import auth

    auth.ADDRESS_THROTTLE.clear()
    yield
    auth.ADDRESS_THROTTLE.clear()
