"""The column widths of ``widgets.table`` and the card rows of ``widgets.kpi_row`` (issue 17): pure
parts, without a browser (tests/browser/test_widths_in_chromium.py checks the drawn pages)."""

from __future__ import annotations

import pandas as pd

from dashboard.ui import widgets as W


def test_columns_are_as_wide_as_their_usual_cell_and_long_texts_capped():
    frame = pd.DataFrame({"乡镇/街道": ["越北镇", "青岚街道"], "建会率": ["98.0%", "94.2%"],
                          "事项": ["一项很长很长的督办事项说明" * 4] * 2, "近12个月推荐工会会员": [3, 12]})
    widths = W.column_widths(frame)
    assert widths["乡镇/街道"] == (max(W.text_px("乡镇/街道") + W.PAD + 8, W.text_px("青岚街道") + W.PAD), False)
    assert widths["事项"] == (W.TEXT_CAP, False)  # a long text: capped, the rest on hover
    width, cut = widths["近12个月推荐工会会员"]
    assert width == W.HEADER_CAP and cut  # a long header over small numbers: cut, said in full in its help
    assert W.column_widths(frame, header_cap=72)["近12个月推荐工会会员"] == (72, True)
    assert W.column_widths(frame, caps={"乡镇/街道": 60})["乡镇/街道"][0] == 60
    assert W.text_px("ab12") == 32 and W.text_px("建会") == 28


def test_a_row_of_cards_puts_fewer_a_line_as_it_narrows():
    assert W.per_line(6) == [6, 3, 2, 1] and W.per_line(4) == [4, 2, 1] and W.per_line(3) == [3, 1]
    assert W.per_line(5) == [5, 3, 2, 1]
    css = W.row_css("overview", 6)
    assert ".st-key-kpi_row_overview" in css and "container-type: inline-size" in css
    # six a line while the row is 6 × CARD_MIN wide, then three, two, one
    assert f"@container (max-width: {6 * W.CARD_MIN - 1}px)" in css and "calc(33.3333% - 1rem)" in css
    assert f"@container (max-width: {2 * W.CARD_MIN_PAIR - 1}px)" in css and "min-width: 100%" in css
    assert "text-overflow: clip" in W.METRIC_CSS and "white-space: normal" in W.METRIC_CSS


def test_cell_widths_at_once_equal_text_px_of_each_cell():
    """``cells_px`` (vectorised) gives ``text_px(str(v))`` of every messy value: CJK, full-width and
    supplementary-plane characters, the edge 0x2E80, empty texts, None, numbers, NaN, dates, a lone surrogate."""
    import datetime as dt

    values = ["越北镇", "", None, "ab12", "\u2e7f\u2e80", "𠀀x", "ＡＢ", "一项很长很长的督办事项说明" * 9, 3, 12.5,
              float("nan"), dt.date(2002, 12, 31), pd.Timestamp("2026-11-30"), pd.NA, "—·“”", "  ", "a\ud800b"]
    want = [W.text_px("" if v is None else str(v)) for v in values]
    assert W.cells_px(values).tolist() == want
    assert W.cells_px([]).tolist() == []
    frame = pd.DataFrame({"名称": ["越北镇", None, "青岚街道东区"], "数": [1, 22, 333]})
    # the 90th percentile of each column's cells, as pandas' linear quantile gives it
    for col in frame.columns:
        px = pd.Series([W.text_px("" if v is None else str(v)) for v in frame[col].tolist()])
        width = max(W.FLOOR, int(px.quantile(0.9)) + W.PAD, min(W.text_px(col) + W.PAD + 8, W.HEADER_CAP))
        assert W.column_widths(frame)[col][0] == min(width, W.TEXT_CAP)
