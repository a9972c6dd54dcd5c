"""The load benchmark (bench/load.py) drives a real server the way a browser does: a small run on the demo
district signs two viewers in, opens every page of the scenario and finds each page complete; a run
that lacks a page's content is an error, not a time."""

from __future__ import annotations

import pytest

from bench import load

pytestmark = pytest.mark.browser  # a real `streamlit run` (no chromium)


def test_two_viewers_go_through_every_step_on_a_real_server(demo_template, tmp_path):
    url = demo_template.copy(tmp_path / "demo.sqlite")
    users = load.ensure_accounts(url, 3)
    level = load.run_level(url, 2, users, rounds=1, think=0, step_timeout=90, bound=240, seed=1)
    assert level["errors"] == {}, level["error_examples"]
    assert level["steps_ok"] == level["steps"] == 12
    assert set(level["by_step"]) == {"open", "sign_in", "township", "date", "map", "meetings"}
    assert {s["session"] for s in level["samples"]} == {0, 1}
    assert all(0 < s["seconds"] < 90 for s in level["samples"])
    assert level["vm_hwm_mb"] > 100 and level["server_cpu"] > 0


def test_a_page_without_its_content_is_an_error():
    run = load.Run(elements={"metric": 6, "vega_lite_chart": 2}, widgets={"town": object(), "asof": object()})
    load._check(run, "township")  # a complete overview
    with pytest.raises(load.StepError) as err:
        load._check(load.Run(elements={"metric": 6}, widgets=run.widgets), "map")
    assert err.value.kind == "missing content"
    with pytest.raises(load.StepError) as err:
        load._check(load.Run(elements=run.elements, widgets={}), "sign_in")
    assert err.value.kind == "sign-in failed"
    with pytest.raises(load.StepError) as err:
        load._check(load.Run(elements=run.elements, widgets=run.widgets,
                             errors=[("outage", "数据库繁忙，请稍后重试")]), "date")
    assert err.value.kind == "outage"
