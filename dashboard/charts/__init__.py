"""Pure Altair chart builders: DataFrame in, ``alt.Chart`` out (the map: a :class:`MapChart`). No Streamlit, no
database."""

from __future__ import annotations

import copy
import functools
import json
import math

import altair as alt
import pandas as pd

from dashboard.i18n import t
from models.boundaries import label_point
from models.enums import Pattern

FONT = "Noto Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
PARTY_RED = "#B71C1C"
UNION_BLUE = "#1F4E9A"
GREY = "#6B7280"
AMBER = "#B45309"
PATTERN_COLOURS = {
    Pattern.UNION_AND_BRANCH: PARTY_RED,
    Pattern.UNION_AND_LIAISON: "#E57373",
    Pattern.UNION_ONLY: UNION_BLUE,
    Pattern.NO_UNION: "#9CA3AF",
    Pattern.SHOULD_BUILD: AMBER,
}
METRIC_COLOURS = {
    "union_coverage": UNION_BLUE,
    "party_coverage": PARTY_RED,
    "work_coverage": "#7C3AED",
    "qualified_built": AMBER,
}


def _configure(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    return (
        chart.configure(font=FONT)
        .configure_axis(labelFont=FONT, titleFont=FONT, labelFontSize=12, titleFontSize=12, gridColor="#E5E7EB")
        .configure_legend(labelFont=FONT, titleFont=FONT, labelFontSize=12, orient="bottom")
        .configure_view(strokeWidth=0)
    )


def pattern_bar(counts: dict[Pattern, int], locale: str) -> alt.Chart:
    """Horizontal bars, one per pattern, in the fixed order of DESIGN.md §2."""
    df = pd.DataFrame(
        [{"key": p.value, "pattern": t(f"pattern.{p.value}", locale), "count": int(counts.get(p, 0)), "order": i}
         for i, p in enumerate(Pattern)]
    )
    total = max(int(df["count"].sum()), 1)
    df["share"] = df["count"] / total
    order = list(df["pattern"])
    base = alt.Chart(df).encode(
        y=alt.Y("pattern:N", sort=order, title=None, axis=alt.Axis(labelLimit=200)),
        x=alt.X("count:Q", title=t("chart.count", locale)),
        tooltip=[alt.Tooltip("pattern:N", title=t("chart.pattern", locale)),
                 alt.Tooltip("count:Q", title=t("chart.count", locale), format=","),
                 alt.Tooltip("share:Q", title="%", format=".1%")],
    )
    bars = base.mark_bar().encode(
        color=alt.Color("pattern:N", scale=alt.Scale(domain=order, range=[PATTERN_COLOURS[p] for p in Pattern]),
                        legend=None)
    )
    labels = base.mark_text(align="left", dx=4, fontSize=13, fontWeight="bold").encode(text=alt.Text("count:Q", format=","))
    return _configure((bars + labels).properties(height=200))


def foundings_chart(df: pd.DataFrame, locale: str) -> alt.Chart:
    """New unions (bars, left axis) and new members (line, right axis) per quarter."""
    unions_t, members_t = t("chart.new_unions", locale), t("chart.new_members", locale)
    base = alt.Chart(df).encode(x=alt.X("quarter:T", title=t("chart.quarter", locale),
                                        axis=alt.Axis(format="%Y", tickCount="year")))
    tip = [alt.Tooltip("label:N", title=t("chart.quarter", locale)),
           alt.Tooltip("new_unions:Q", title=unions_t, format=","),
           alt.Tooltip("new_members:Q", title=members_t, format=",")]
    bars = base.mark_bar(color=UNION_BLUE, opacity=0.75).encode(
        y=alt.Y("new_unions:Q", title=unions_t, axis=alt.Axis(titleColor=UNION_BLUE, format="d", tickMinStep=1)),
        tooltip=tip)
    line = base.mark_line(color=PARTY_RED, strokeWidth=2).encode(
        y=alt.Y("new_members:Q", title=members_t, axis=alt.Axis(titleColor=PARTY_RED)), tooltip=tip)
    return _configure(alt.layer(bars, line).resolve_scale(y="independent").properties(height=240))


def rates_chart(df: pd.DataFrame, locale: str) -> alt.Chart:
    """Coverage rates over time, one line per KPI."""
    df = df.copy()
    df["label"] = [t(f"kpi.{m}", locale) for m in df["metric"]]
    keys = [m for m in METRIC_COLOURS if m in set(df["metric"])]
    labels = [t(f"kpi.{m}", locale) for m in keys]
    return _configure(
        alt.Chart(df).mark_line(point=True).encode(
            x=alt.X("date:T", title=t("chart.date", locale), axis=alt.Axis(format="%Y", tickCount="year")),
            y=alt.Y("value:Q", title=t("chart.rate", locale), axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("label:N", title=t("chart.metric", locale),
                            scale=alt.Scale(domain=labels, range=[METRIC_COLOURS[k] for k in keys])),
            tooltip=[alt.Tooltip("date:T", title=t("chart.date", locale), format="%Y-%m-%d"),
                     alt.Tooltip("label:N", title=t("chart.metric", locale)),
                     alt.Tooltip("value:Q", title=t("chart.rate", locale), format=".1%")],
        ).properties(height=240)
    )


def _label_point(geometry: dict) -> tuple[float, float]:
    """A point to put the township's name on, inside its largest part, off its holes
    (``models.boundaries.label_point``: the pole of inaccessibility)."""
    return label_point(geometry)


def _clockwise(ring: list) -> list:
    """d3-geo (Vega) wants exterior rings clockwise; RFC 7946 GeoJSON has them counter-clockwise.
    A ring with the wrong winding is drawn as the whole globe minus the township."""
    area = sum(x1 * y2 - x2 * y1 for (x1, y1, *_), (x2, y2, *_) in zip(ring, ring[1:]))
    return list(reversed(ring)) if area > 0 else ring


def for_vega(geometry: dict) -> dict:
    """The geometry with rings wound the way Vega's geoshape expects (exteriors clockwise)."""
    def poly(rings):
        return [_clockwise(rings[0])] + [list(reversed(_clockwise(r))) for r in rings[1:]]

    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": poly(geometry["coordinates"])}
    if geometry["type"] == "MultiPolygon":
        return {"type": "MultiPolygon", "coordinates": [poly(p) for p in geometry["coordinates"]]}
    raise ValueError(f"unsupported geometry type {geometry['type']}")


MAP_SELECTION = "pick"
#: how a township's name is shortened when the full name does not fit its shape (越北镇 → 越北)
SUFFIXES = ("街道", "镇", "乡")
#: the opacity of the townships outside the township filter (the selected ones stay full)
DIMMED = 0.35


def _mercator_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(max(-85.0, min(85.0, lat))) / 2))


def short_name(name: str) -> str:
    """The name without its 街道/镇/乡 ending, for a small shape (a name of that ending alone stays)."""
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _em(text: str) -> float:
    """How wide ``text`` is in ems (a CJK character 1, a digit or Latin letter about 0.6)."""
    return sum(1.0 if ord(ch) >= 0x2E80 else 0.6 for ch in text)


def _room(geometry: dict, lon: float, lat: float) -> tuple[float, float]:
    """The room for a label centred on (lon, lat): twice the nearer edge left/right (in degrees of
    longitude) and above/below (in Mercator y), inside the part of the shape the point is in."""
    from shapely.geometry import LineString, Point, shape

    shp = shape(geometry)
    if not shp.is_valid:
        shp = shp.buffer(0)
    minx, miny, maxx, maxy = shp.bounds
    point = Point(lon, lat)

    def around(line, axis: int) -> float:
        cut = shp.intersection(line)
        parts = list(getattr(cut, "geoms", [cut]))
        for part in parts:
            if part.is_empty or part.distance(point) > 1e-9:
                continue
            ends = [c[axis] for c in part.coords]
            lo, hi = min(ends), max(ends)
            here = point.x if axis == 0 else point.y
            if axis == 1:
                return 2 * min(_mercator_y(here) - _mercator_y(lo), _mercator_y(hi) - _mercator_y(here))
            return 2 * min(here - lo, hi - here)
        return 0.0

    return (around(LineString([(minx - 1, lat), (maxx + 1, lat)]), 0),
            around(LineString([(lon, miny - 1), (lon, maxy + 1)]), 1))


def township_map(townships: pd.DataFrame, locale: str, *, value_col: str, value_title: str,
                 fmt: str = ".1%", height: int = 260, selected: tuple[str, ...] = (), selectable: bool = False,
                 scheme: str = "blues", label_size: int = 12) -> MapChart:
    """Choropleth of the townships with a boundary; ``towns`` has code, name, boundary_geojson,
    ``value_col``, numerator and denominator. ``selected`` codes are outlined and the others dimmed;
    with ``selectable`` a click selects a township (selection parameter ``pick``, field ``code``).

    Each shape carries its name and value when they fit it at the width the chart is drawn (issue
    17: labels overlapped at narrower widths and on a phone): the type is ``label_size`` at most and
    smaller on a narrow chart (parameter ``lfs``: a fortieth of the map's width, at least 9 px); a
    name that does not fit is shortened (越北镇 → 越北) or left out (the tooltip has it), and the
    value goes under it only when the shape has room for two lines.

    The townships are the named dataset ``MAP_DATA`` of a chart built without them (:class:`MapChart`):
    altair copies and walks a layer's inline values at every step of building and serialising it —
    0.9–1.6 s for 400 boundaries on the benchmark's machine, on every township or date a viewer picks
    (issue 19); the chart without them is the same for every value and date, and is built once."""
    features = []
    for row in townships.itertuples(index=False):
        geom = getattr(row, "boundary_geojson")
        if not isinstance(geom, str) or not geom:
            continue
        vega_geometry, lon, lat, room, bounds = _shape_facts(geom)
        value = getattr(row, value_col)
        props = {"code": getattr(row, "code", ""), "name": row.name, "value": None if pd.isna(value) else float(value),
                 "lon": lon, "lat": lat,
                 "num": int(getattr(row, "numerator", 0)), "den": int(getattr(row, "denominator", 0))}
        features.append({"type": "Feature", "geometry": vega_geometry, "properties": props, "_room": room,
                         "_bounds": bounds})
    # the map's extent: its width in longitude and height in Mercator y, and their ratio
    if features:
        minx = min(f["_bounds"][0] for f in features)
        maxx = max(f["_bounds"][2] for f in features)
        miny = min(_mercator_y(f["_bounds"][1]) for f in features)
        maxy = max(_mercator_y(f["_bounds"][3]) for f in features)
        span_x, span_y = max(math.radians(maxx - minx), 1e-9), max(maxy - miny, 1e-9)
    else:
        span_x = span_y = 1.0
    aspect = span_x / span_y
    # (the aspect is written into the chart's expressions: rounded as they write it, part of the chart's key)
    aspect = float(f"{aspect:.6f}")
    for f in features:
        room_x, room_y = f.pop("_room")
        f.pop("_bounds")
        p = f["properties"]
        # the room as a share of the map's width and height; the words' widths in ems
        p.update(rw=round(math.radians(room_x) / span_x, 4), rh=round(room_y / span_y, 4),
                 short=short_name(p["name"]), nem=_em(p["name"]), sem=_em(short_name(p["name"])),
                 vem=_em("100.0%" if fmt.endswith("%") else f"{int(p['value'] or 0):,}"))
    chart, spec = _map_template(locale, value_title, fmt, height, tuple(selected), selectable, scheme, label_size,
                                aspect)
    return MapChart(chart, spec, features)


#: the name of the map's dataset: every layer reads it; :class:`MapChart` gives its rows
MAP_DATA = "townships"


class MapChart:
    """The townships' map: a layered chart reading the dataset ``MAP_DATA`` (``chart``; ``spec`` its
    Vega-Lite spec, kept), and that dataset's rows; :meth:`to_dict` is the spec of both, the rows under
    ``datasets``. The rows share each boundary's geometry with the cache of :func:`_shape_facts`:
    read them, do not change them."""

    def __init__(self, chart: alt.TopLevelMixin, spec: dict, rows: list[dict]):
        self.chart, self._spec, self.rows = chart, spec, rows

    def to_dict(self, validate: bool = True, **kwargs) -> dict:
        """The spec (``validate``: the chart checked against the Vega-Lite schema, as altair does)."""
        spec = self.chart.to_dict(validate=True, **kwargs) if validate or kwargs else copy.deepcopy(self._spec)
        spec["datasets"] = {MAP_DATA: self.rows}
        return spec


@functools.lru_cache(maxsize=64)
def _map_template(locale: str, value_title: str, fmt: str, height: int, selected: tuple[str, ...],
                  selectable: bool, scheme: str, label_size: int, aspect: float) -> tuple[alt.TopLevelMixin, dict]:
    """The map's layered chart for these arguments, reading the dataset ``MAP_DATA`` (no rows), and its
    spec. Everything in it is the same for every value and date: it is built once per look."""
    chart = _map_chart(locale, value_title, fmt, height, selected, selectable, scheme, label_size, aspect)
    return chart, chart.to_dict(validate=False)


def _map_chart(locale: str, value_title: str, fmt: str, height: int, selected: tuple[str, ...],
               selectable: bool, scheme: str, label_size: int, aspect: float) -> alt.TopLevelMixin:
    data = alt.Data(name=MAP_DATA)
    chosen = alt.FieldOneOfPredicate(field="code", oneOf=list(selected)) if selected else None
    # the layers take the data from the top (given once there): altair copies a layer's data with every
    # layer it is combined into — five copies of 400 boundaries, half the time of a map (issue 19)
    shapes = alt.Chart().transform_calculate(code="datum.properties.code").mark_geoshape().encode(
        # the lowest value is a light tint, not white (87.8 % must not read as "nothing"): the scheme's
        # colours from a quarter of its range on (docs/kpis.md, the map's colours)
        color=alt.Color("properties.value:Q", title=value_title,
                        scale=alt.Scale(scheme={"name": scheme, "extent": [0.25, 1]}),
                        legend=alt.Legend(format=fmt, orient="right")),
        stroke=alt.condition(chosen, alt.value("#111827"), alt.value("white")) if chosen else alt.value("white"),
        strokeWidth=alt.condition(chosen, alt.value(4), alt.value(1.5)) if chosen else alt.value(1.5),
        opacity=alt.condition(chosen, alt.value(1), alt.value(DIMMED)) if chosen else alt.value(1),
        tooltip=[alt.Tooltip("properties.name:N", title=t("chart.township", locale)),
                 alt.Tooltip("properties.value:Q", title=value_title, format=fmt),
                 alt.Tooltip("properties.num:Q", title=t("chart.numerator", locale), format=","),
                 alt.Tooltip("properties.den:Q", title=t("chart.denominator", locale), format=",")],
    )
    if selectable:
        shapes = shapes.add_params(alt.selection_point(fields=["code"], name=MAP_SELECTION, on="click"))
    # the label's type size and the map's drawn width and height (the projection fits the shapes
    # into the chart: the narrower side decides)
    mapw = f"min(width, height * {aspect:.6f})"
    size = alt.param(name="lfs", expr=f"max(9, min({label_size}, {mapw} / 40))")
    room_w, room_h = f"datum.properties.rw * {mapw}", f"datum.properties.rh * {mapw} / {aspect:.6f}"
    two_lines = f"({room_h} >= 2.6 * lfs && datum.properties.vem * lfs * 0.9 + 4 <= {room_w})"
    one_line = f"{room_h} >= 1.3 * lfs"
    name_expr = (f"!({one_line}) ? '' : datum.properties.nem * lfs + 4 <= {room_w} ? datum.properties.name : "
                 f"datum.properties.sem * lfs + 4 <= {room_w} ? datum.properties.short : ''")
    # each township's name and, under it, its value (a white halo under dark text, legible on any tint)
    at = dict(longitude="properties.lon:Q", latitude="properties.lat:Q")
    faded = dict(opacity=alt.condition(chosen, alt.value(1), alt.value(0.55))) if chosen else {}
    name_dy = alt.ExprRef(f"{two_lines} ? -0.6 * lfs : 0")
    texts = ((dict(text="label:N"), dict(fontSize=alt.ExprRef("lfs"), fontWeight="bold", dy=name_dy)),
             (dict(text="value_label:N"), dict(fontSize=alt.ExprRef("round(lfs * 0.9)"), dy=alt.ExprRef("0.7 * lfs"))))
    value_text = f"format(datum.properties.value, '{fmt}')"
    labels = alt.layer(*(
        alt.Chart().transform_calculate(
            code="datum.properties.code", label=name_expr,
            value_label=f"{two_lines} && isValid(datum.properties.value) ? {value_text} : ''",
        ).mark_text(**style, **extra).encode(**at, **text, **faded)
        for text, style in texts
        for extra in (dict(stroke="white", strokeWidth=3, strokeJoin="round"), dict(color="#111827"))
    ))
    return _configure(alt.layer(shapes, labels, data=data).add_params(size).project("mercator").properties(height=height))


@functools.lru_cache(maxsize=4096)
def _shape_facts(geojson: str) -> tuple[dict, float, float, tuple[float, float], tuple[float, float, float, float]]:
    """What the map needs of one boundary — its Vega geometry, label point, room and bounds — computed once
    per boundary text, not on every new value or selection (a quarter of a second for 400 townships, on
    every township or date a viewer picks: issue 19). Read-only: the geometry dict is shared."""
    geometry = json.loads(geojson)
    lon, lat = _label_point(geometry)
    return for_vega(geometry), lon, lat, _room(geometry, lon, lat), _bounds(geometry)


def _bounds(geometry: dict) -> tuple[float, float, float, float]:
    from shapely.geometry import shape

    return shape(geometry).bounds


#: the big-screen palette (DESIGN.md §9: dark navy, bright figures)
DARK_BG = "#0B1A33"
DARK_TEXT = "#E6EDF7"
DARK_MUTED = "#9FB3CF"


def for_screen(spec: dict, *, dark: bool = False, font_scale: float = 1.0) -> dict:
    """A copy of a Vega-Lite ``spec`` for the big screen: ``font_scale`` enlarges the axis and legend
    type for a room; ``dark`` sets the dark theme (transparent background, light text)."""
    out = dict(spec)
    config = {k: (dict(v) if isinstance(v, dict) else v) for k, v in spec.get("config", {}).items()}
    size = round(12 * font_scale)
    config["axis"] = {**config.get("axis", {}), "labelFontSize": size, "titleFontSize": size}
    config["legend"] = {**config.get("legend", {}), "labelFontSize": size, "titleFontSize": size,
                        "gradientLength": round(200 * font_scale), "gradientThickness": round(16 * font_scale)}
    if dark:
        config["background"] = "transparent"
        config["axis"].update(labelColor=DARK_TEXT, titleColor=DARK_MUTED, gridColor="#1F3358",
                              domainColor=DARK_MUTED, tickColor=DARK_MUTED)
        config["legend"].update(labelColor=DARK_TEXT, titleColor=DARK_MUTED)
        config["title"] = {**config.get("title", {}), "color": DARK_TEXT}
        config["text"] = {**config.get("text", {}), "color": DARK_TEXT}
    out["config"] = config
    return out
