"""What a write makes stale in the UI's caches (``dashboard.ui.data``, issue 19 item 2).

A write of a few townships makes only the cached reads of those townships (and of the whole district)
stale; a write that may change anything (``clear_caches()``: a boundary or ledger import, an edit that
names no townships) makes every cached read stale by a new epoch in every key — Streamlit's cache is
no longer emptied, so the chart specs and every other cache stay, and the viewers of other pages do not
all recompute at the same moment. Against the demo district in a real SQLite file.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
import streamlit as st

from dashboard.queries.scope import Scope
from dashboard.ui import data

CALLS: list[tuple] = []
OTHER: list[int] = []


def counted(session, scope, as_of):
    """A stand-in query: counts its runs (``data.cached`` looks it up here at call time)."""
    CALLS.append((scope.township_ids, as_of))
    return len(CALLS)


@st.cache_data(show_spinner=False)
def other_cache(x: int) -> int:
    """Any other cached function (a chart spec, a brief): a write must not empty it."""
    OTHER.append(x)
    return x


@pytest.fixture
def url(demo_template, tmp_path):
    st.cache_data.clear()
    st.cache_resource.clear()
    CALLS.clear()
    OTHER.clear()
    yield demo_template.copy(tmp_path / "demo.sqlite")
    st.cache_resource.clear()


def _ids(url: str) -> list[int]:
    return [int(i) for i in data.townships(url)["id"]]


def test_a_write_of_some_townships_makes_only_their_reads_stale(url):
    read = data.cached(counted, name="test_counted_townships")
    a, b, *_ = _ids(url)
    day = dt.date(2002, 12, 31)
    first = {"a": read(url, Scope(frozenset({a})), day), "b": read(url, Scope(frozenset({b})), day),
             "all": read(url, Scope.district(), day)}
    assert len(CALLS) == 3
    assert {k: read(url, s, day) for k, s in (("a", Scope(frozenset({a}))), ("b", Scope(frozenset({b}))),
                                              ("all", Scope.district()))} == first
    assert len(CALLS) == 3  # all three cached

    data.clear_caches([a])
    again = {"a": read(url, Scope(frozenset({a})), day), "b": read(url, Scope(frozenset({b})), day),
             "all": read(url, Scope.district(), day)}
    assert again["b"] == first["b"]  # township b's viewers keep their cached figures
    assert again["a"] != first["a"] and again["all"] != first["all"]  # read afresh
    assert len(CALLS) == 5

    data.clear_caches([])  # a write that changes no figure
    assert read(url, Scope(frozenset({a})), day) == again["a"] and len(CALLS) == 5


def test_a_write_of_anything_makes_every_read_stale_without_emptying_streamlits_cache(url):
    read = data.cached(counted, name="test_counted_everything")
    a, *_ = _ids(url)
    day = dt.date(2002, 12, 31)
    before = (read(url, Scope(frozenset({a})), day), read(url, Scope.district(), day))
    other_cache(7)
    epoch = data.epoch()

    data.clear_caches()

    assert data.epoch() == epoch + 1
    after = (read(url, Scope(frozenset({a})), day), read(url, Scope.district(), day))
    assert after[0] != before[0] and after[1] != before[1] and len(CALLS) == 4  # both read afresh
    other_cache(7)
    assert OTHER == [7]  # the other cache was not emptied (st.cache_data.clear() would have)


def test_the_township_list_and_dataset_info_are_read_afresh_after_a_write_of_anything(url):
    first = data.townships(url)
    info = data.dataset_info(url)
    code = str(first["code"].iloc[0])
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:  # a boundary import or a rename, made behind the cache's back
            conn.execute(sa.text("UPDATE township SET name = name || '（改）' WHERE code = :c"), {"c": code})
            conn.execute(sa.text("UPDATE dataset_info SET value = 'changed' WHERE key = 'district_name'"))
    finally:
        engine.dispose()
    assert data.townships(url)["name"].iloc[0] == first["name"].iloc[0]  # cached
    assert data.dataset_info(url) == info

    data.clear_caches([int(first["id"].iloc[0])])  # a township's events: the list itself is unchanged
    assert data.townships(url)["name"].iloc[0] == first["name"].iloc[0]

    data.clear_caches()
    assert data.townships(url)["name"].iloc[0] == first["name"].iloc[0] + "（改）"
    assert data.dataset_info(url)["district_name"] == "changed" != info.get("district_name")
