"""Small reusable Streamlit components."""

from __future__ import annotations

import re

import numpy as np
import streamlit as st

from dashboard.i18n import t
from dashboard.views.status import COLOUR

#: Streamlit's name of each traffic-light colour (a status key's colour is ``views.status.COLOUR``)
BADGE_COLOURS = {"red": "red", "amber": "orange", "green": "green"}


#: KPI cards that never cut their text (issue 17: "100.…", "+74.1 个百…", "Union cover…" at 1440 px):
#: the label and the delta wrap, the value keeps one line in a size that fits the card (container
#: query units: 22 % of the card's width, between 1.1 and 2.25 rem). A row of cards drawn by
#: :func:`kpi_row` puts fewer cards a line as its width shrinks (6 → 3 → 2 → 1).
METRIC_CSS = """<style>
[data-testid="stMetric"] { container-type: inline-size; }
[data-testid="stMetricValue"] { font-size: clamp(1.1rem, 22cqi, 2.25rem) !important; }
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * {
  overflow: visible !important; text-overflow: clip !important; white-space: nowrap !important; }
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] *,
[data-testid="stMetricDelta"], [data-testid="stMetricDelta"] * {
  overflow: visible !important; text-overflow: clip !important; white-space: normal !important;
  overflow-wrap: break-word !important; height: auto !important; }
[data-testid="stMetricDelta"] { align-items: flex-start; }
[data-testid="stMetricDelta"] * { word-break: keep-all !important; }  /* "较 2025年12月1日" breaks at its spaces, not inside the date */
[data-testid="stMetricDelta"] svg { flex: none; }
</style>"""


def metric_style() -> None:
    """The stylesheet of :data:`METRIC_CSS` (a style-only ``st.html`` takes no space)."""
    st.html(METRIC_CSS)


def kpi_card(label: str, value: str, detail: str, *, delta: str | None, help: str, delta_color: str = "normal") -> None:
    """One KPI card: ``st.metric`` in a bordered box with ``detail`` under it; nothing is cut
    (:data:`METRIC_CSS`)."""
    metric_style()
    with st.container(border=True):
        st.metric(label, value, delta=delta, delta_color=delta_color, help=help)
        st.caption(detail)


#: the narrowest a KPI card gets before its row puts fewer cards a line (px); two a line on a phone
#: may be narrower (their delta wraps)
CARD_MIN, CARD_MIN_PAIR = 180, 150


def per_line(n: int) -> list[int]:
    """How many of ``n`` cards a line a row may put, widest first: the even splits (6 → 6, 3, 2, 1;
    4 → 4, 2, 1; 3 → 3, 1), and for an odd count above 3 also 3 and 2 (5 → 5, 3, 2, 1)."""
    extra = {2, 3} if n > 3 and n % 2 else set()
    return sorted({k for k in range(1, n + 1) if n % k == 0} | extra, reverse=True)


def row_css(key: str, n: int) -> str:
    """The stylesheet of one row of ``n`` cards (container ``kpi_row_<key>``): ``k`` a line while the
    row is at least ``k`` × :data:`CARD_MIN` wide (two: × :data:`CARD_MIN_PAIR`)."""
    row = f'.st-key-kpi_row_{key}'
    col = f'{row} [data-testid="stHorizontalBlock"] > [data-testid="stColumn"]'
    rules = [f"{row} {{ container-type: inline-size; }}",
             f'{row} [data-testid="stHorizontalBlock"] {{ flex-wrap: wrap !important; row-gap: 1rem; }}']
    options = per_line(n)
    for i, k in enumerate(options):
        width = f"calc({100 / k:.4f}% - 1rem)" if k > 1 else "100%"
        rule = f"{col} {{ flex: 1 1 {width} !important; min-width: {width} !important; max-width: {width} !important; }}"
        if i == 0:
            rules.append(rule)
        else:  # fewer a line below the width the previous option needs
            wider = options[i - 1]
            rules.append(f"@container (max-width: {wider * (CARD_MIN_PAIR if wider == 2 else CARD_MIN) - 1}px) {{ {rule} }}")
    return "<style>" + "\n".join(rules) + "</style>"


def kpi_row(key: str, n: int) -> list:
    """``n`` columns for KPI cards in a row that puts fewer cards a line when narrow (:func:`row_css`;
    ``key`` names it: ``kpi_row_<key>``), with the cards' stylesheet."""
    metric_style()
    st.html(row_css(key, n))
    return st.container(key=f"kpi_row_{key}").columns(n)


#: a table's column widths (issue 17: tables cut off on the right at 1440 px): each column as wide
#: as its header and its usual (90th percentile) cell at the grid's 14 px type — a CJK character
#: about 14 px, a Latin one 8 — plus the cell's padding, between FLOOR and a cap (TEXT_CAP for
#: text, the longer part then shown on hover); a header longer than HEADER_CAP is cut and said in
#: full in the column's help.
PAD, FLOOR, TEXT_CAP, HEADER_CAP = 20, 52, 220, 118


def text_px(text: str) -> int:
    """About how wide ``text`` is in the table's 14 px type."""
    return sum(14 if ord(ch) >= 0x2E80 else 8 for ch in text)


def cells_px(values) -> np.ndarray:
    """:func:`text_px` of every value (``None`` an empty cell, anything else its ``str``), at once: the
    texts joined and read as UTF-32 code points, the wide ones counted per text from a running sum
    (a table's run measured every cell in Python: 20-30 % of a warm page run at 1M)."""
    texts = ["" if v is None else str(v) for v in values]
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    codes = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    wide = np.concatenate(([0], np.cumsum(codes >= 0x2E80, dtype=np.int64)))
    ends = np.cumsum(lengths)
    return 8 * lengths + 6 * (wide[ends] - wide[ends - lengths])


def column_widths(frame, *, cap: int = TEXT_CAP, caps: dict | None = None,
                  header_cap: int = HEADER_CAP) -> dict[str, tuple[int, bool]]:
    """Each column's width in px and whether its header is cut (then its help says it in full)."""
    out = {}
    head = frame.head(300)
    for k, col in enumerate(frame.columns):
        cells = cells_px(head.iloc[:, k].tolist())
        cell = int(np.quantile(cells, 0.9)) if len(cells) else 0
        header = text_px(str(col)) + PAD + 8
        width = max(FLOOR, cell + PAD, min(header, header_cap))
        width = min(width, (caps or {}).get(col, cap))
        out[col] = (int(width), header > width)
    return out


def table(data, *, pinned: bool = True, column_config: dict | None = None, caps: dict | None = None,
          cap: int = TEXT_CAP, header_cap: int = HEADER_CAP, **kwargs):
    """``st.dataframe`` whose columns fit (:func:`column_widths`): the first column pinned (it stays
    while the others scroll, on a phone too), long texts capped, long headers cut with their full
    words as help. ``data``: a DataFrame or its Styler; ``column_config`` is kept and given widths."""
    frame = getattr(data, "data", data)  # a Styler's frame
    config = dict(column_config or {})
    for i, (col, (width, cut)) in enumerate(column_widths(frame, cap=cap, caps=caps, header_cap=header_cap).items()):
        given = config.get(col)
        if given is None:
            given = st.column_config.Column()
        elif isinstance(given, str):
            given = st.column_config.Column(label=given)
        given = dict(given)
        if given.get("width") is None:
            given["width"] = width
        if cut and not given.get("help"):
            given["help"] = str(col)
        if pinned and i == 0 and given.get("pinned") is None:
            given["pinned"] = True
        config[col] = given
    kwargs.setdefault("hide_index", True)
    kwargs.setdefault("width", "stretch")
    return st.dataframe(data, column_config=config, **kwargs)


def status_badge(status: str, locale: str) -> None:
    """Red/amber/green always with its text label (逾期 / 临期 / 正常)."""
    st.badge(t(f"alerts.status.{status}", locale), color=BADGE_COLOURS[COLOUR[status]], icon=None)


def status_badge_markdown(status: str, locale: str) -> str:
    """The same badge inline in a Markdown line: ``:red-badge[逾期]``."""
    return word_badge_markdown(t(f"alerts.status.{status}", locale), status)


def word_badge_markdown(word: str, status: str) -> str:
    """A badge of ``status``'s colour with its own word (a campaign zone's pace: ``:red-badge[落后]``)."""
    return f":{BADGE_COLOURS[COLOUR[status]]}-badge[{escape_markdown(word)}]"


#: what a backslash escapes in Markdown (CommonMark escapes any ASCII punctuation; these are the
#: ones that mean something: emphasis, links and images, HTML, headings, lists, tables, code,
#: Streamlit's ``:colour[…]`` and ``:material/…:``, KaTeX ``$``, setext ``=``, entities ``&``)
_MD_SPECIAL = "\\`*_{}[]()#+-.!|<>~$:=&"
#: U+2060 WORD JOINER: invisible and unbreakable. Streamlit's Markdown turns ``http://…``,
#: ``www.…`` and ``name@host`` into links *after* resolving backslash escapes, and shows
#: ``\:material/…:`` as an icon: a joiner after a colon followed by a letter or ``/`` (``http:``,
#: ``:material``), after ``www`` and before ``@`` breaks those patterns while the reader sees the
#: text unchanged.
JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?<=:)(?=[/a-z])|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)
#: the longest value from the URL repeated in a notice
URL_VALUE_MAX = 40


def escape_markdown(text, *, limit: int | None = None) -> str:
    """Data (from the database, an import or the URL) shown inside Markdown, never interpreted:
    every Markdown character escaped and every autolink pattern broken (see :data:`JOINER`), so
    a saved ``[点此](http://…)``, a bare URL or an e-mail address shows as the text it is, never
    as a link, an image, HTML or an icon. ``limit``: at most that many characters, then "…"."""
    text = str(text)
    if limit is not None and len(text) > limit:
        text = text[:limit] + "…"
    text = _AUTOLINK.sub(JOINER, text)
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in text)


def untrusted(value, limit: int = URL_VALUE_MAX) -> str:
    """A value from the URL (anyone can craft a link) named in a message: on one line, at most
    ``limit`` characters (then "…"), escaped like :func:`escape_markdown`."""
    return escape_markdown(" ".join(str(value).split()), limit=limit)
