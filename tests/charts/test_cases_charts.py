"""The case-study timeline builder, tested on the Vega-Lite spec it produces."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.charts import PARTY_RED, UNION_BLUE
from dashboard.charts.cases import CHROME_HEIGHT, ROW_HEIGHT, timeline, timeline_frame
from dashboard.queries.cases import TIMELINE_COLUMNS

_FIELDS = ["date", "year_only", "kind", "organ", "title", "level", "detail"]
EVENTS = pd.DataFrame([dict(zip(_FIELDS, row, strict=True)) for row in (
    (dt.date(1998, 3, 16), False, "restructured", "enterprise", "吉林德运公司", None, None),
    (dt.date(1998, 6, 18), False, "party_org_founded", "party", "吉林德运公司党总支", "general_branch", "朱亮"),
    (dt.date(1999, 3, 5), False, "union_founded", "union", "吉林德运公司工会", None, "黄英超"),
    (dt.date(2002, 1, 1), True, "honour", "enterprise", "先进企业", "municipal", "吉林市人民政府"),
    (dt.date(2002, 1, 1), True, "honour", "union", "模范职工之家", "provincial", "吉林省总工会"),
)], columns=TIMELINE_COLUMNS)


def _data(spec: dict) -> list[dict]:
    return next(iter(spec["datasets"].values()))


def test_one_row_per_event_with_dates_and_chinese_labels():
    spec = timeline(EVENTS, "zh_CN", as_of=dt.date(2002, 12, 31)).to_dict()
    rows = _data(spec)
    assert len(rows) == 5 and len({r["label"] for r in rows}) == 5  # two honours of 2002 keep two rows
    assert [r["label"].rstrip("\u200b") for r in rows] == [
        "1998年3月16日  改制", "1998年6月18日  党组织成立", "1999年3月5日  工会成立", "2002年  荣誉", "2002年  荣誉"]
    assert [r["note"] for r in rows][1:] == ["党总支", "", "市级 先进企业", "省级 模范职工之家"]
    assert spec["height"] == ROW_HEIGHT * 5 + CHROME_HEIGHT
    assert "Noto Sans SC" in spec["config"]["font"]
    points = spec["layer"][0]["encoding"]
    assert points["y"]["sort"] == [r["label"] for r in rows]  # in date order, not alphabetical
    colour = points["color"]["scale"]
    assert dict(zip(colour["domain"], colour["range"]))["党组织"] == PARTY_RED
    assert dict(zip(colour["domain"], colour["range"]))["工会"] == UNION_BLUE


def test_english_and_year_only_events_sit_mid_year():
    frame = timeline_frame(EVENTS, "en")
    assert list(frame["event"]) == ["Restructured", "Party organisation founded", "Union founded", "Honour", "Honour"]
    assert frame["when"].iloc[0] == "1998-03-16" and frame["when"].iloc[3] == "2002"
    assert frame["date"].iloc[3] == pd.Timestamp("2002-07-01")


def test_late_events_are_labelled_on_the_left():
    spec = timeline(EVENTS, "zh_CN", as_of=dt.date(2026, 11, 24)).to_dict()
    late = {r["label"] for r in _data(spec) if r["late"]}
    assert late == set()  # everything happened before the middle of 1998–2026
    spec = timeline(EVENTS, "zh_CN", as_of=dt.date(2002, 12, 31)).to_dict()
    assert {r["when"] for r in _data(spec) if r["late"]} == {"2002年"}


def test_every_label_family_of_the_cases_pages_is_complete():
    """Labels built from stored values (t(f"cases.level.{level}") …) exist for every value, in both languages."""
    from dashboard.charts.cases import KIND_GROUP
    from dashboard.i18n import CATALOGUES, t
    from dashboard.queries.cases import NO_HONOUR, TIMELINE_KINDS
    from models.enums import ActivityKind, HonourLevel, Organ, Ownership, PartyOrgLevel, Season

    families = {"cases.level": [*HonourLevel, NO_HONOUR], "cases.organ": list(Organ), "cases.ownership": list(Ownership),
                "cases.party_level": list(PartyOrgLevel), "cases.activity": list(ActivityKind),
                "cases.season": [*Season, "none"], "hist": list(TIMELINE_KINDS),
                "cases.group": sorted(set(KIND_GROUP.values())), "cases.fact.first": ["party", "union", "same"],
                "cases.saved": ["designate", "remove"]}
    assert set(KIND_GROUP) == set(TIMELINE_KINDS)
    for prefix, values in families.items():
        for value in values:
            for loc in CATALOGUES:
                assert t(f"{prefix}.{getattr(value, 'value', value)}", loc, org="", party="", union="")
