"""The push tests' hand-made district (tests/exports/test_brief.build) has its figures written out over
every operating enterprise, several with fewer than 10 employees: its district counts over
全部在营企业 (``DANGONG_DEFAULT_BASE=all``). ``test_the_default_base_is_named_and_counted`` keeps the
official default, 三有企业."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _base_of_the_hand_made_district(request, monkeypatch):
    from models.settings import get_settings

    if "official_base" not in request.keywords:
        monkeypatch.setenv("DANGONG_DEFAULT_BASE", "all")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
