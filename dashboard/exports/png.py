"""Charts as PNG images (vl-convert, no browser): for downloads, the PPTX brief and the PDF brief.

The chart's own Vega-Lite spec is rendered at ``scale`` (2× by default, crisp on slides and
paper) with the CJK font of :mod:`dashboard.exports.fonts` first in every font setting, so
Chinese labels never fall back to boxes.
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


def printable_spec(spec: dict, *, width: int | None = None, background: str = "white") -> dict:
    """A copy of ``spec`` ready for a static image: a fixed width where the page stretched it,
    an opaque background, and the CJK font first. Values the renderer cannot read as JSON — dates
    and times in the inline data, which Altair leaves as Python objects — become ISO strings, which
    Vega parses as it parses the screen's (issue 17: the trend charts' 下载图片 failed on them)."""
    out = json.loads(json.dumps(spec, default=_json_value))
    if width is not None or out.get("width") in (None, "container"):
        if not any(k in out for k in ("hconcat", "vconcat", "concat", "facet", "repeat")):
            out["width"] = width or DEFAULT_WIDTH
    out.pop("autosize", None)
    out.setdefault("config", {})
    out["background"] = background
    return _with_font(out, _register_font())


def chart_png(spec: dict, *, scale: float = 2.0, width: int | None = None, background: str = "white") -> bytes:
    """PNG bytes of a Vega-Lite ``spec`` (a dict from ``chart.to_dict()``)."""
    import vl_convert as vlc

    return vlc.vegalite_to_png(printable_spec(spec, width=width, background=background), scale=scale)


def chart_svg_size(spec: dict, *, width: int | None = None) -> tuple[int, int]:
    """The chart's size in CSS pixels at scale 1, as the renderer lays it out (for tests and layout)."""
    import re

    import vl_convert as vlc

    svg = vlc.vegalite_to_svg(printable_spec(spec, width=width))
    w = re.search(r'width="([\d.]+)"', svg)
    h = re.search(r'height="([\d.]+)"', svg)
    return round(float(w.group(1))), round(float(h.group(1)))
