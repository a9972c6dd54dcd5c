"""Charts as PNG images (vl-convert, no browser): for downloads, the PPTX brief and the PDF brief.

The chart's own Vega-Lite spec is rendered at ``scale`` (2× by default, crisp on slides and
paper) with the CJK font of :mod:`dashboard.exports.fonts` first in every font setting, so
Chinese labels never fall back to boxes. A downloaded image says what it shows: ``title`` and
``note`` (统计截至 <date> · 范围：<scope>) go under the chart as the spec's title and subtitle, in the
CJK font — a figure caption, where Chinese reports put it (issue 17: images carried no title,
date or scope). The briefs' images leave them out: their slide or section names the chart.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any

from dashboard.charts import FONT
from dashboard.exports.fonts import cjk_font

DEFAULT_WIDTH = 900  # px at scale 1 when the spec takes the width of its container
_registered: set[str] = set()
_lock = threading.Lock()


def _register_font() -> str:
    """Make vl-convert see the CJK font's directory (once per process); returns the font stack."""
    import vl_convert as vlc

    font = cjk_font()
    with _lock:
        directory = str(font.directory)
        if directory not in _registered:
            vlc.register_font_directory(directory)
            _registered.add(directory)
    return f"{font.family}, {FONT}"


def _with_font(node: Any, stack: str) -> Any:
    if isinstance(node, dict):
        return {k: (stack if k.endswith("ont") and v == FONT else _with_font(v, stack)) for k, v in node.items()}
    if isinstance(node, list):
        return [_with_font(v, stack) for v in node]
    return node


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if hasattr(value, "item"):  # a numpy scalar
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def caption_title(title: str | None, note: str | None, font: str) -> dict:
    """A Vega-Lite title under the chart: ``title`` in bold, ``note`` under it in grey."""
    out = {"text": title or note or "", "orient": "bottom", "anchor": "start", "offset": 16, "font": font,
           "fontSize": 15, "fontWeight": "bold", "color": "#111827", "limit": 0}
    if title and note:
        out.update(subtitle=note, subtitleFont=font, subtitleFontSize=12, subtitleColor="#4B5563",
                   subtitlePadding=5, subtitleFontWeight="normal")
    return out


def printable_spec(spec: dict, *, width: int | None = None, background: str = "white", title: str | None = None,
                   note: str | None = None) -> dict:
    """A copy of ``spec`` ready for a static image: a fixed width where the page stretched it,
    an opaque background, the CJK font first, and ``title`` and ``note`` under the chart when given.
    Values the renderer cannot read as JSON — dates and times in the inline data, which Altair
    leaves as Python objects — become ISO strings, which Vega parses as it parses the screen's
    (issue 17: the trend charts' 下载图片 failed on them)."""
    out = json.loads(json.dumps(spec, default=_json_value))
    if width is not None or out.get("width") in (None, "container"):
        if not any(k in out for k in ("hconcat", "vconcat", "concat", "facet", "repeat")):
            out["width"] = width or DEFAULT_WIDTH
    out.pop("autosize", None)
    out.setdefault("config", {})
    out["background"] = background
    stack = _register_font()
    if title or note:
        out["title"] = caption_title(title, note, stack)
        out.setdefault("padding", 12)  # the caption does not touch the image's edge
    return _with_font(out, stack)


def chart_png(spec: dict, *, scale: float = 2.0, width: int | None = None, background: str = "white",
              title: str | None = None, note: str | None = None) -> bytes:
    """PNG bytes of a Vega-Lite ``spec`` (a dict from ``chart.to_dict()``), with ``title`` and
    ``note`` (as-of date and scope) under the chart when given."""
    import vl_convert as vlc

    spec = printable_spec(spec, width=width, background=background, title=title, note=note)
    return vlc.vegalite_to_png(spec, scale=scale)


def chart_svg_size(spec: dict, *, width: int | None = None, title: str | None = None,
                   note: str | None = None) -> tuple[int, int]:
    """The chart's size in CSS pixels at scale 1, as the renderer lays it out (for tests and layout)."""
    import re

    import vl_convert as vlc

    svg = vlc.vegalite_to_svg(printable_spec(spec, width=width, title=title, note=note))
    w = re.search(r'width="([\d.]+)"', svg)
    h = re.search(r'height="([\d.]+)"', svg)
    return round(float(w.group(1))), round(float(h.group(1)))
