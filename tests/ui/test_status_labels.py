"""The status column of the meetings' and awards' tables drawn as coloured labels in a plain
``st.dataframe`` (``ui.sections.meetings.tagged``), not a pandas Styler (issue 22)."""

from __future__ import annotations

import json

import pandas as pd

from dashboard.ui.sections.meetings import LABEL_PAD, tagged
from dashboard.ui.widgets import text_px
from dashboard.views import meetings as V
from dashboard.views.status import LABEL_FILL


def options(config: dict, column: str) -> dict:
    tc = config[column]["type_config"]
    assert tc["type"] == "multiselect"
    return {o["value"]: o.get("color") for o in tc["options"]}


def test_the_words_stay_in_the_cells_and_take_their_colours_from_the_column():
    frame = pd.DataFrame({"状态": ["逾期", "已回复", "正常"], "事项": ["甲", None, "丙"], "n": [1, None, 3]})
    shown, config = tagged(V.Table(frame, ["red", "", "green"], "状态"))
    assert list(shown["状态"]) == ["逾期", "已回复", "正常"]  # the words, as the tests and a copy read them
    assert options(config, "状态") == {"逾期": LABEL_FILL["red"], "已回复": None, "正常": LABEL_FILL["green"]}
    assert config["状态"]["width"] >= text_px("已回复") + LABEL_PAD  # a label is never cut
    assert list(shown["事项"]) == ["甲", "—", "丙"]  # a missing text reads "—", as the Styler showed it
    assert shown["n"].isna().sum() == 1 and frame["事项"].isna().sum() == 1  # numbers stay numbers; the view's frame untouched
    assert type(shown) is pd.DataFrame  # a frame, not a Styler


def test_a_word_with_a_comma_is_one_label():
    """The table splits a text cell at its commas: such a word is sent as a one-word JSON list."""
    frame = pd.DataFrame({"Status": ["Overdue", "Sent, awaiting reply"], "Enterprise": ["A", "B"]})
    shown, config = tagged(V.Table(frame, ["red", "amber"], "Status"))
    assert list(shown["Status"]) == ["Overdue", json.dumps(["Sent, awaiting reply"])]
    assert options(config, "Status") == {"Overdue": LABEL_FILL["red"], "Sent, awaiting reply": LABEL_FILL["amber"]}
    assert list(frame["Status"]) == ["Overdue", "Sent, awaiting reply"]


def test_a_table_without_a_status_column_is_shown_as_it_is():
    frame = pd.DataFrame({"乡镇/街道": ["越北镇"], "n": [3]})
    shown, config = tagged(V.Table(frame))
    assert shown is frame and config == {}
