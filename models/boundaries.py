"""Import (and export) of township boundaries from GeoJSON (no Streamlit).

A district replaces the demo's schematic boundaries with real ones by importing a GeoJSON
``FeatureCollection`` (``dangong boundaries import FILE``). The steps are pure and separately
testable:

* ``read_geojson(text)`` — the file: at most ``MAX_FILE_BYTES``, valid JSON, a FeatureCollection
  (a single Feature is wrapped), every feature an object of type ``Feature``, at most
  ``MAX_POSITIONS`` points in all (more would take the map minutes to draw: such a file is
  refused, to be simplified first); otherwise ``BoundaryError`` saying where.
* ``check_geometry(geometry)`` — one feature's geometry: a valid Polygon or MultiPolygon in
  WGS 84 longitude/latitude whose rings do not cross themselves, or a one-sentence reason.

Values from the file that a message repeats (properties, types, coordinates) are cut to
``ECHO_MAX_CHARS`` characters.
* ``match_features(fc, townships)`` — which feature belongs to which township (by code, else by
  name), which features are left over and why, which townships got nothing: a ``BoundaryReport``.
* ``plan_townships(fc, townships)`` — with ``create_townships``: which features that match no
  township would create one (code, name, kind from the name's ending …街道/…镇/…乡), and why the
  others would not, so that an empty database can be set up from the district's own file.
* ``import_boundaries(engine, text, …)`` — all of the above, then the matched geometries are
  stored in one transaction with one audit event (counts only, never coordinates).

Feature numbers in messages are 1-based, in file order. Townships that the file does not cover
keep whatever boundary they had. Coverage summaries do not depend on boundaries, so nothing is
rebuilt.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Literal, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Engine

#: Property keys holding a township code, tried in this order.
CODE_KEYS = ("code", "township_code", "CODE", "adcode")
#: Property keys holding a township name, tried in this order.
NAME_KEYS = ("name", "NAME", "township", "乡镇", "街道")
#: Suffixes a name may carry or lack (longest first, so 街道 is not read as …道).
NAME_SUFFIXES = ("街道", "镇", "乡")
#: ``--create-townships``: a new township's kind from how its name ends (longest first).
KIND_BY_SUFFIX = (("街道", "subdistrict"), ("镇", "town"), ("乡", "township"))
#: A township code a feature may create: 1–12 letters or digits (a 9-digit 乡镇 code, a 12-digit
#: 统计用区划代码, or a district's own short code); the length and name limits are the table's.
CREATE_CODE_PATTERN = re.compile(r"[A-Za-z0-9]{1,12}")
CREATE_NAME_MAX_CHARS = 40
KIND_LABELS_ZH = {"town": "镇", "township": "乡", "subdistrict": "街道"}

AUDIT_ACTION = "boundaries_import"

#: The largest file read (bytes): a district's township boundaries fit in a few MB; a bigger file
#: is refused before it is parsed.
MAX_FILE_BYTES = 10_000_000
#: The most positions (points) a file may hold over all its features. The map draws every point in
#: the browser: 100,000 draw in a second or two, 1.65 million took about 3 minutes. Above the limit
#: the file is refused (not simplified behind the user's back): simplify it first.
MAX_POSITIONS = 100_000
#: A value from the file (a property, a type, a coordinate) is echoed in a message up to this many
#: characters, then "…".
ECHO_MAX_CHARS = 40

SIMPLIFY_HINT = ("请先简化边界（例如 mapshaper 的 -simplify 10% 或 QGIS 的“简化”工具）并去掉无关属性后再导入",
                 "simplify the boundaries first (e.g. mapshaper -simplify 10% or QGIS Simplify) and drop unneeded properties")


class BoundaryError(ValueError):
    """A problem with the file as a whole, in one sentence (Chinese, with an English gloss)."""


# --------------------------------------------------------------------------- reading


def clip(text: str, limit: int = ECHO_MAX_CHARS) -> str:
    """``text`` cut to ``limit`` characters, with "…" when it was longer."""
    return text if len(text) <= limit else text[:limit] + "…"


def _shown(value: Any) -> str:
    """A value from the file as JSON, cut to ``ECHO_MAX_CHARS`` (a 1 MB string is not echoed)."""
    if isinstance(value, str) and len(value) > ECHO_MAX_CHARS * 4:
        value = value[: ECHO_MAX_CHARS * 4]
    return clip(json.dumps(value, ensure_ascii=False))


def too_big_message(size_bytes: int) -> str:
    """The sentence refusing a file of ``size_bytes`` (above ``MAX_FILE_BYTES``)."""
    zh, en = SIMPLIFY_HINT
    return (f"文件大小 {size_bytes / 1e6:.1f} MB，超过上限 {MAX_FILE_BYTES / 1e6:.0f} MB，未写入任何数据；{zh}"
            f" / the file is {size_bytes / 1e6:.1f} MB, above the {MAX_FILE_BYTES / 1e6:.0f} MB limit; nothing was"
            f" written: {en}")


def count_positions(geometry: Any) -> int:
    """How many positions (innermost arrays of numbers) ``geometry``'s coordinates hold."""
    if not isinstance(geometry, dict):
        return 0
    n, stack = 0, [geometry.get("coordinates")]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            if value and not isinstance(value[0], list):
                n += 1
            else:
                stack.extend(value)
    return n


def read_geojson(text: str) -> dict:
    """The FeatureCollection in ``text`` (a single Feature is wrapped into one).

    Raises ``BoundaryError`` for a text above ``MAX_FILE_BYTES`` (before parsing it), invalid JSON
    (with line and column), another top-level type, a missing or empty ``features`` list, an
    element of it that is not a Feature object, or more than ``MAX_POSITIONS`` positions in all.
    """
    if len(text) > MAX_FILE_BYTES or (len(text) * 4 > MAX_FILE_BYTES and len(text.encode("utf-8")) > MAX_FILE_BYTES):
        raise BoundaryError(too_big_message(len(text.encode("utf-8"))))
    if text.startswith("\ufeff"):  # a byte-order mark left by some editors
        text = text[1:]
    if not text.strip():
        raise BoundaryError("文件为空 / the file is empty")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BoundaryError(
            f"第 {exc.lineno} 行第 {exc.colno} 列：JSON 语法错误（{exc.msg}）"
            f" / line {exc.lineno}, column {exc.colno}: invalid JSON ({exc.msg})"
        ) from None
    except RecursionError:
        raise BoundaryError("JSON 嵌套过深，无法读取 / the JSON is nested too deeply to read") from None
    if not isinstance(data, dict):
        raise BoundaryError(
            f"文件顶层是{_json_kind(data)[0]}，应为 GeoJSON 对象（FeatureCollection）"
            f" / the top level is {_json_kind(data)[1]}, not a GeoJSON FeatureCollection object"
        )
    kind = data.get("type")
    if kind == "Feature":
        data = {"type": "FeatureCollection", "features": [data]}
    elif kind != "FeatureCollection":
        shown = "缺失 / missing" if kind is None else _shown(kind)
        raise BoundaryError(
            f"顶层 type 为 {shown}，应为 FeatureCollection 或 Feature"
            f" / the top-level type is {shown}, expected FeatureCollection or Feature"
        )
    features = data.get("features")
    if not isinstance(features, list):
        raise BoundaryError(
            "FeatureCollection 缺少 features 列表 / the FeatureCollection has no \"features\" list"
        )
    if not features:
        raise BoundaryError("features 列表为空，文件中没有任何边界 / the \"features\" list is empty")
    for i, feature in enumerate(features, start=1):
        if not isinstance(feature, dict):
            raise BoundaryError(
                f"第 {i} 个要素（feature {i}）是{_json_kind(feature)[0]}，应为 Feature 对象"
                f" / feature {i} is {_json_kind(feature)[1]}, not a Feature object"
            )
        if feature.get("type") != "Feature":
            shown = "缺失" if "type" not in feature else _shown(feature.get("type"))
            raise BoundaryError(
                f"第 {i} 个要素（feature {i}）的 type 为 {shown}，应为 Feature"
                f" / feature {i} has type {shown}, expected Feature"
            )
    positions = sum(count_positions(f.get("geometry")) for f in features)
    if positions > MAX_POSITIONS:
        zh, en = SIMPLIFY_HINT
        raise BoundaryError(
            f"文件共有 {positions:,} 个坐标点，超过上限 {MAX_POSITIONS:,} 个（点数过多时地图要数分钟才能显示），"
            f"未写入任何数据；{zh} / the file has {positions:,} positions, above the limit of {MAX_POSITIONS:,}"
            f" (the map would take minutes to draw); nothing was written: {en}"
        )
    return data


def _json_kind(value: Any) -> tuple[str, str]:
    """What a JSON value is, (zh, en)."""
    if value is None:
        return "null", "null"
    if isinstance(value, bool):
        return "布尔值", "a boolean"
    if isinstance(value, (int, float)):
        return "数字", "a number"
    if isinstance(value, str):
        return "字符串", "a string"
    if isinstance(value, list):
        return "数组", "an array"
    return "对象", "an object"


# --------------------------------------------------------------------------- geometry


def check_geometry(geometry: Any) -> str | None:
    """None when ``geometry`` is a valid Polygon or MultiPolygon, else a one-sentence reason.

    Valid: coordinates nested as GeoJSON requires; every position two or three finite numbers,
    longitude in [-180, 180] and latitude in [-90, 90] (WGS 84); every ring closed (first
    position equals the last) with at least 4 positions; every ring simple — it has an area and
    does not cross, touch or run back over itself (``ring_crossing``). Ring orientation is not
    checked (the map rewinds rings for drawing), nor how the rings of a polygon lie to each other.
    """
    if geometry is None:
        return "没有几何（geometry 为 null 或缺失）/ the feature has no geometry"
    if not isinstance(geometry, dict):
        return f"geometry 是{_json_kind(geometry)[0]}，应为对象 / the geometry is {_json_kind(geometry)[1]}, not an object"
    kind = geometry.get("type")
    coords = geometry.get("coordinates")
    if kind == "Polygon":
        return _check_polygon(coords, where_zh="", where_en="")
    if kind == "MultiPolygon":
        if not isinstance(coords, list) or not coords:
            return ("MultiPolygon 的 coordinates 应为非空数组（多边形列表）"
                    " / MultiPolygon coordinates must be a non-empty array of polygons")
        for p, polygon in enumerate(coords, start=1):
            reason = _check_polygon(polygon, where_zh=f"第 {p} 个多边形", where_en=f"polygon {p}")
            if reason:
                return reason
        return None
    shown = "缺失" if kind is None else _shown(kind)
    return (f"几何类型为 {shown}，只接受 Polygon 或 MultiPolygon"
            f" / geometry type {shown} is not accepted, only Polygon or MultiPolygon")


def _check_polygon(rings: Any, *, where_zh: str, where_en: str) -> str | None:
    if not isinstance(rings, list) or not rings:
        what_zh = f"{where_zh}的坐标" if where_zh else "Polygon 的 coordinates"
        what_en = f"{where_en} coordinates" if where_en else "Polygon coordinates"
        return f"{what_zh}应为非空数组（环的列表）/ {what_en} must be a non-empty array of rings"
    for r, ring in enumerate(rings, start=1):
        here_zh = f"{where_zh}第 {r} 个环"
        here_en = f"{where_en + ', ' if where_en else ''}ring {r}"
        if not isinstance(ring, list):
            return f"{here_zh}不是数组 / {here_en} is not an array of positions"
        for k, position in enumerate(ring, start=1):
            reason = _check_position(position)
            if reason:
                zh, en = reason
                return f"{here_zh}第 {k} 个点{zh} / {here_en}, position {k}: {en}"
        if len(ring) < 4:
            return (f"{here_zh}只有 {len(ring)} 个点，闭合环至少需要 4 个"
                    f" / {here_en} has {len(ring)} positions, a closed ring needs at least 4")
        if list(ring[0]) != list(ring[-1]):
            return (f"{here_zh}未闭合（首点 {_pos(ring[0])} 与末点 {_pos(ring[-1])} 不同）"
                    f" / {here_en} is not closed (first position differs from last)")
    for r, ring in enumerate(rings, start=1):  # the costlier check once every ring is well formed
        here_zh = f"{where_zh}第 {r} 个环"
        here_en = f"{where_en + ', ' if where_en else ''}ring {r}"
        crossing = ring_crossing(ring)
        if crossing == "complex":
            zh, en = SIMPLIFY_HINT
            return (f"{here_zh}过于复杂（大量长边交错），无法在合理时间内确认是否自相交；{zh}"
                    f" / {here_en} is too complex to check for self-intersection in reasonable time: {en}")
        if crossing == "degenerate":
            return (f"{here_zh}的不同点少于 3 个或全在一条直线上，没有面积"
                    f" / {here_en} has fewer than 3 distinct positions or all on one line: it has no area")
        if crossing:
            (a1, a2), (b1, b2) = crossing
            return (f"{here_zh}自相交：第 {a1}–{a2} 个点之间的边与第 {b1}–{b2} 个点之间的边相交或重叠，"
                    f"边界须为不自交的闭合线 / {here_en} crosses itself: the edge between positions {a1} and {a2}"
                    f" meets the edge between positions {b1} and {b2}")
    return None


def _pos(position: list) -> str:
    return "[" + ", ".join(repr(v) for v in position) + "]"


def _check_position(position: Any) -> tuple[str, str] | None:
    """(zh, en) reason fragments for a bad position, else None."""
    if not isinstance(position, list):
        return (f"是{_json_kind(position)[0]}，应为 [经度, 纬度] 数组",
                f"{_json_kind(position)[1]}, not a [longitude, latitude] array")
    if len(position) not in (2, 3):
        return (f"有 {len(position)} 个数值，应为 2 个（经度、纬度）或 3 个（含高程）",
                f"has {len(position)} values, expected 2 (longitude, latitude) or 3 (with elevation)")
    for value in position:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            shown = _shown(value)
            return (f"的坐标 {shown} 不是数字", f"coordinate {shown} is not a number")
        if not math.isfinite(value):
            shown = json.dumps(value)  # NaN, Infinity, -Infinity
            return (f"的坐标 {shown} 不是有限数", f"coordinate {shown} is not a finite number")
    lon, lat = position[0], position[1]
    if not -180 <= lon <= 180 or not -90 <= lat <= 90:
        if abs(lon) > 180 or abs(lat) > 180:
            hint_zh, hint_en = "，似为投影坐标，请转换为 WGS 84 经纬度（EPSG:4326）", "; projected coordinates? convert to WGS 84 (EPSG:4326)"
        elif abs(lat) > 90 and abs(lon) <= 90:
            hint_zh, hint_en = "，经纬度是否颠倒（应为 [经度, 纬度]）", "; are longitude and latitude swapped? GeoJSON is [longitude, latitude]"
        else:
            hint_zh = hint_en = ""
        if not -180 <= lon <= 180:
            return (f"的经度 {lon} 超出 [-180, 180]{hint_zh}", f"longitude {lon} is outside [-180, 180]{hint_en}")
        return (f"的纬度 {lat} 超出 [-90, 90]{hint_zh}", f"latitude {lat} is outside [-90, 90]{hint_en}")
    return None


# --------------------------------------------------------------------------- self-intersection


def _orient(ax: float, ay: float, bx: float, by: float, cx: float, cy: float) -> int:
    """The side of a→b that c is on: 1 left, -1 right, 0 on the line."""
    v = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)
    return (v > 0) - (v < 0)


def _within(ax: float, ay: float, bx: float, by: float, cx: float, cy: float) -> bool:
    """c (known to be on the line a–b) lies on the segment a–b."""
    return min(ax, bx) <= cx <= max(ax, bx) and min(ay, by) <= cy <= max(ay, by)


def _segments_meet(p: tuple, q: tuple) -> bool:
    """Whether the closed segments p = (ax, ay, bx, by) and q meet (cross, touch or overlap)."""
    ax, ay, bx, by = p
    cx, cy, dx, dy = q
    d1, d2 = _orient(cx, cy, dx, dy, ax, ay), _orient(cx, cy, dx, dy, bx, by)
    d3, d4 = _orient(ax, ay, bx, by, cx, cy), _orient(ax, ay, bx, by, dx, dy)
    if d1 * d2 < 0 and d3 * d4 < 0:
        return True
    return ((d1 == 0 and _within(cx, cy, dx, dy, ax, ay)) or (d2 == 0 and _within(cx, cy, dx, dy, bx, by))
            or (d3 == 0 and _within(ax, ay, bx, by, cx, cy)) or (d4 == 0 and _within(ax, ay, bx, by, dx, dy)))


#: How many pairs of edges the check of a ring of n edges may compare before it gives up:
#: ``EDGE_COMPARISONS_BASE + EDGE_COMPARISONS_PER_EDGE * n``. A real boundary needs a few per edge;
#: a ring built to defeat the grid (a star of long spikes) would need n²/2.
EDGE_COMPARISONS_BASE = 200_000
EDGE_COMPARISONS_PER_EDGE = 50


def ring_crossing(ring: list) -> tuple[tuple[int, int], tuple[int, int]] | Literal["degenerate", "complex"] | None:
    """None for a simple closed ring; else the first two edges found that meet (as pairs of 1-based
    position numbers in the file), ``"degenerate"`` for a ring without area, or ``"complex"`` when
    the check would compare more pairs of edges than its budget (``EDGE_COMPARISONS_*``).

    Edges that follow each other may share their common point only (a spike that runs back along
    the previous edge is a crossing); other edges may not meet at all (a ring that touches itself
    at a point is not simple either). Repeated consecutive positions are ignored. Edges are put in
    a sparse grid whose cells are about twice the mean edge long, each edge in the cells it passes
    through, and compared only with the earlier edges of its cells: a ring of 100,000 points takes
    about a second.
    """
    pts: list[tuple[float, float]] = []
    numbers: list[int] = []  # 1-based position number in the file of each kept point
    for k, position in enumerate(ring[:-1], start=1):
        point = (float(position[0]), float(position[1]))
        if not pts or point != pts[-1]:
            pts.append(point)
            numbers.append(k)
    while len(pts) > 1 and pts[-1] == pts[0]:
        pts.pop()
        numbers.pop()
    n = len(pts)
    if n < 3 or all(_orient(*pts[0], *pts[1], *pt) == 0 for pt in pts[2:]):
        return "degenerate"
    closing = len(ring)  # the number of the closing position (equal to the first)

    def label(i: int) -> tuple[int, int]:
        return (numbers[i], numbers[i + 1] if i + 1 < n else closing)

    edges = [(*pts[i], *pts[(i + 1) % n]) for i in range(n)]
    # neighbours: only their shared point may be common, i.e. no turn back onto the previous edge
    for i in range(n):
        ax, ay, bx, by = edges[i]
        cx, cy = edges[(i + 1) % n][2:]
        if _orient(ax, ay, bx, by, cx, cy) == 0 and (bx - ax) * (cx - bx) + (by - ay) * (cy - by) < 0:
            return label(i), label((i + 1) % n)
    x0, y0 = min(p[0] for p in pts), min(p[1] for p in pts)
    extent = max(max(p[0] for p in pts) - x0, max(p[1] for p in pts) - y0)
    mean = sum(math.hypot(e[2] - e[0], e[3] - e[1]) for e in edges) / n
    cell = max(2 * mean, extent / 4096) or 1.0

    def cells(ax: float, ay: float, bx: float, by: float):
        i0, i1 = int((min(ax, bx) - x0) / cell), int((max(ax, bx) - x0) / cell)
        j0, j1 = int((min(ay, by) - y0) / cell), int((max(ay, by) - y0) / cell)
        for gi in range(i0, i1 + 1):
            if i0 == i1 or j0 == j1:
                ja, jb = j0, j1
            else:  # only the cells of this column the edge passes through (one more each side)
                xa, xb = max(min(ax, bx), x0 + gi * cell), min(max(ax, bx), x0 + (gi + 1) * cell)
                ya, yb = ay + (by - ay) * (xa - ax) / (bx - ax), ay + (by - ay) * (xb - ax) / (bx - ax)
                ja = max(j0, int((min(ya, yb) - y0) / cell) - 1)
                jb = min(j1, int((max(ya, yb) - y0) / cell) + 1)
            for gj in range(ja, jb + 1):
                yield gi, gj

    grid: dict[tuple[int, int], list[int]] = {}
    compared, budget = 0, EDGE_COMPARISONS_BASE + EDGE_COMPARISONS_PER_EDGE * n
    for i, edge in enumerate(edges):
        done: set[int] = set()
        for key in cells(*edge):
            bucket = grid.setdefault(key, [])
            for j in bucket:
                if j in done or j == i - 1 or (j == 0 and i == n - 1):
                    continue  # compared already, or a neighbour (checked above)
                done.add(j)
                if _segments_meet(edges[j], edge):
                    return label(j), label(i)
            compared += len(bucket)
            bucket.append(i)
        if compared > budget:
            return "complex"
    return None


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class MatchedFeature:
    index: int  # 1-based position in the file
    township_id: int
    code: str
    name: str
    how: Literal["code", "name"]
    geometry: dict = field(repr=False, compare=False)


@dataclass(frozen=True)
class UnmatchedFeature:
    index: int  # 1-based position in the file
    code: str | None  # the feature's own code / name properties, as found
    name: str | None
    reason: str  # one sentence, Chinese with an English gloss
    problem: Literal["no_properties", "no_match", "ambiguous", "invalid_geometry", "duplicate", "not_created"]
    township_code: str | None = None  # the township it would have matched, when known


@dataclass(frozen=True)
class MissingTownship:
    township_id: int
    code: str
    name: str
    #: what it keeps: "real" / "schematic" boundary or "none"; None when not known (pure matching)
    keeps: Literal["real", "schematic", "none"] | None = None


@dataclass(frozen=True)
class CreatedTownship:
    """A township a feature created (``create_townships``), or would create on a dry run."""

    index: int  # 1-based position of the feature in the file
    code: str
    name: str
    kind: Literal["town", "township", "subdistrict"]


@dataclass
class BoundaryReport:
    """What a file would do (``match_features``) or did (``import_boundaries``)."""

    total_features: int
    matched: list[MatchedFeature]
    unmatched: list[UnmatchedFeature]
    missing: list[MissingTownship]
    #: features whose properties say ``"schematic": true`` (the import still stores them as
    #: real unless asked for ``schematic=True``)
    flagged_schematic: int = 0
    #: "matched" (nothing attempted yet), "stored", "dry_run", "refused" (strict), "nothing"
    status: Literal["matched", "stored", "dry_run", "refused", "nothing"] = "matched"
    stored_as_schematic: bool = False
    #: townships created from features that matched none (``create_townships``; on a dry run or a
    #: refusal: those that would have been created), in file order
    created: list[CreatedTownship] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every feature was matched to a township with a valid geometry."""
        return not self.unmatched

    def counts(self) -> dict[str, int]:
        return {"features": self.total_features, "matched": len(self.matched),
                "unmatched": len(self.unmatched), "missing": len(self.missing)}

    def summary_lines(self, locale: str = "zh") -> list[str]:
        """Human-readable lines: counts, the outcome, each unmatched feature, missing townships."""
        en = locale.lower().startswith("en")
        c = self.counts()
        lines = [
            (f"{c['features']} feature(s) in the file: {c['matched']} matched, {c['unmatched']} not imported."
             if en else
             f"文件共 {c['features']} 个要素：匹配 {c['matched']} 个，未导入 {c['unmatched']} 个。")
        ]
        kind_en = "schematic" if self.stored_as_schematic else "real"
        kind_zh = "示意边界" if self.stored_as_schematic else "真实边界"
        lines.append({
            "stored": (f"Stored the boundaries of {c['matched']} township(s), marked as {kind_en}." if en
                       else f"已写入 {c['matched']} 个乡镇的边界（标记为{kind_zh}）。"),
            "dry_run": ("Dry run: nothing was written." if en else "试运行：未写入任何数据。"),
            "refused": ("Strict mode: nothing was written because some features were not imported." if en
                        else "严格模式：存在未导入的要素，未写入任何数据。"),
            "nothing": ("No feature matched a township: nothing was written." if en
                        else "没有要素匹配到乡镇：未写入任何数据。"),
            "matched": ("Not written yet." if en else "尚未写入。"),
        }[self.status])
        if self.flagged_schematic and not self.stored_as_schematic and self.status in ("stored", "dry_run"):
            done = self.status == "stored"
            lines.append(
                f"Note: {self.flagged_schematic} feature(s) say \"schematic\": true but "
                f"{'were' if done else 'would be'} stored as real boundaries (--schematic keeps them schematic)."
                if en else
                f"注意：{self.flagged_schematic} 个要素标注 \"schematic\": true，但{'已' if done else '将'}按真实边界写入"
                "（加 --schematic 可保留示意标记）。"
            )
        if self.created:
            done = self.status == "stored"
            n = len(self.created)
            lines.append((f"Created {n} township(s) from the file:" if done else
                          f"Would create {n} township(s) from the file:") if en else
                         (f"根据文件新建了 {n} 个乡镇街道：" if done else f"将根据文件新建 {n} 个乡镇街道："))
            for c in self.created:
                lines.append(f"  + {c.name} ({c.code}, {c.kind}) ← feature {c.index}" if en
                             else f"  + {c.name}（{c.code}，{KIND_LABELS_ZH[c.kind]}）← 第 {c.index} 个要素")
        for m in self.matched:
            how = ("by code" if m.how == "code" else "by name") if en else ("按代码" if m.how == "code" else "按名称")
            lines.append(f"  ✓ {m.name} ({m.code}) ← feature {m.index}, {how}" if en
                         else f"  ✓ {m.name}（{m.code}）← 第 {m.index} 个要素，{how}")
        if self.unmatched:
            lines.append("Features not imported:" if en else "未导入的要素：")
            for u in self.unmatched:
                props = ", ".join(f"{k}={v}" for k, v in (("code", u.code), ("name", u.name)) if v is not None)
                label = f"feature {u.index}" + (f" ({props})" if props else "") if en \
                    else f"第 {u.index} 个要素" + (f"（{props}）" if props else "")
                lines.append(f"  ✗ {label}: {u.reason}" if en else f"  ✗ {label}：{u.reason}")
        if self.missing:
            lines.append("Townships without a boundary from this file (they keep their current one):" if en
                         else "本文件未提供边界的乡镇（保留原有边界）：")
            keeps_en = {"real": "keeps its real boundary", "schematic": "keeps its schematic boundary",
                        "none": "has no boundary", None: ""}
            keeps_zh = {"real": "保留原有真实边界", "schematic": "保留原有示意边界", "none": "无边界", None: ""}
            for t in self.missing:
                if en:
                    lines.append(f"  · {t.name} ({t.code})" + (f": {keeps_en[t.keeps]}" if t.keeps else ""))
                else:
                    lines.append(f"  · {t.name}（{t.code}）" + (f"：{keeps_zh[t.keeps]}" if t.keeps else ""))
        return lines


def _normalise(value: Any) -> str | None:
    """A property value as a comparable string (whitespace removed), or None when empty."""
    if value is None or isinstance(value, (bool, dict, list)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # adcode 220202001.0 → "220202001"
    text = "".join(str(value).split())
    return text or None


def _first(props: dict, keys: Sequence[str]) -> list[str]:
    """The non-empty values of ``keys`` in ``props``, in key order (duplicates dropped)."""
    found: list[str] = []
    for key in keys:
        value = _normalise(props.get(key))
        if value is not None and value not in found:
            found.append(value)
    return found


def _strip_suffix(name: str) -> str | None:
    for suffix in NAME_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return None


class _Index:
    def __init__(self, townships: Iterable[tuple[int, str, str]]):
        self.townships = [(int(i), str(c), str(n)) for i, c, n in townships]
        self.by_code = {"".join(t[1].split()): t for t in self.townships}
        self.by_code_folded: dict[str, list] = {}
        for t in self.townships:
            self.by_code_folded.setdefault("".join(t[1].split()).casefold(), []).append(t)
        self.by_name = {"".join(t[2].split()): t for t in self.townships}

    def add(self, township: tuple[int, str, str]) -> None:
        """Index one more township (one planned by ``plan_townships``)."""
        t = (int(township[0]), str(township[1]), str(township[2]))
        self.townships.append(t)
        self.by_code["".join(t[1].split())] = t
        self.by_code_folded.setdefault("".join(t[1].split()).casefold(), []).append(t)
        self.by_name["".join(t[2].split())] = t

    def code(self, value: str):
        if value in self.by_code:
            return self.by_code[value]
        folded = self.by_code_folded.get(value.casefold(), [])
        return folded[0] if len(folded) == 1 else None

    def name(self, value: str) -> tuple[Any, list]:
        """(township, []) for a match, (None, candidates) when ambiguous, (None, []) for none."""
        if value in self.by_name:
            return self.by_name[value], []
        base = _strip_suffix(value)
        candidates = []
        for norm, t in self.by_name.items():
            # the file lacks the suffix the township has, or has one the township lacks
            if _strip_suffix(norm) == value or (base is not None and base == norm):
                candidates.append(t)
        if len(candidates) == 1:
            return candidates[0], []
        return None, candidates


def match_features(fc: dict, townships: Iterable[tuple[int, str, str]], *,
                   claims: dict[int, int] | None = None) -> BoundaryReport:
    """Match the features of ``fc`` (from ``read_geojson``) to ``townships`` (id, code, name).

    A feature matches by code (``CODE_KEYS``, first key whose value is a township code), else by
    name (``NAME_KEYS``; whitespace ignored; a name equal to the township's name without its
    final 街道/镇/乡, or the township's name plus one, matches when only one township fits).
    A feature is left unmatched, with the reason, when it matches no township, when its geometry
    is invalid, or when an earlier feature already gave that township a boundary (duplicate).

    ``claims`` (feature index → township id): features that give that township its boundary
    whatever their properties and whichever feature comes first — those that created it
    (``plan_townships``); any other feature matching it is a duplicate.
    """
    index = _Index(townships)
    matched: list[MatchedFeature] = []
    unmatched: list[UnmatchedFeature] = []
    claims = claims or {}
    by_id = {t[0]: t for t in index.townships}
    taken: dict[int, int] = {tid: i for i, tid in claims.items()}  # township id -> feature index
    flagged = 0
    features = fc["features"]
    for i, feature in enumerate(features, start=1):
        props = feature.get("properties")
        props = props if isinstance(props, dict) else {}
        if props.get("schematic") is True:
            flagged += 1
        codes, names = _first(props, CODE_KEYS), _first(props, NAME_KEYS)
        shown_code, shown_name = (clip(codes[0]) if codes else None), (clip(names[0]) if names else None)

        township, how, ambiguous = None, None, []
        if i in claims:
            township, how = by_id[claims[i]], "code"
        for value in codes if township is None else ():
            township = index.code(value)
            if township:
                how = "code"
                break
        if township is None:
            for value in names:
                township, candidates = index.name(value)
                if township:
                    how = "name"
                    break
                ambiguous = ambiguous or candidates

        geometry = feature.get("geometry")
        bad_geometry = check_geometry(geometry)

        def miss(reason: str, problem: str) -> None:
            unmatched.append(UnmatchedFeature(i, shown_code, shown_name, reason, problem,  # type: ignore[arg-type]
                                              township[1] if township else None))

        if bad_geometry:
            reason = f"几何无效（invalid geometry）：{bad_geometry}"
            if township is None and not (codes or names):
                reason += "；且没有 code 或 name 属性（no code or name property either）"
            elif township is None:
                reason += "；且未找到对应乡镇（no matching township either）"
            miss(reason, "invalid_geometry")
        elif not (codes or names):
            miss("没有 code 或 name 等属性，无法匹配乡镇 / no code or name property to match a township on",
                 "no_properties")
        elif township is None and ambiguous:
            which = "、".join(f"{t[2]}（{t[1]}）" for t in ambiguous)
            miss(f"名称可对应多个乡镇：{which}，请改用代码或全称 / the name fits several townships; use the code or full name",
                 "ambiguous")
        elif township is None:
            miss("未找到代码或名称相符的乡镇 / no township with this code or name", "no_match")
        elif township[0] in taken and taken[township[0]] != i:
            miss(f"{township[2]}（{township[1]}）已由第 {taken[township[0]]} 个要素提供边界，此要素重复"
                 f" / duplicate: feature {taken[township[0]]} already gave {township[1]} its boundary", "duplicate")
        else:
            taken[township[0]] = i
            matched.append(MatchedFeature(i, township[0], township[1], township[2], how, geometry))  # type: ignore[arg-type]
    missing = [MissingTownship(t[0], t[1], t[2]) for t in index.townships if t[0] not in taken]
    return BoundaryReport(total_features=len(features), matched=matched, unmatched=unmatched, missing=missing,
                          flagged_schematic=flagged)


def kind_from_name(name: str) -> Literal["town", "township", "subdistrict"] | None:
    """A township's kind from how ``name`` ends (…街道, …镇, …乡), or None when it says nothing."""
    for suffix, kind in KIND_BY_SUFFIX:
        if name.endswith(suffix) and len(name) > len(suffix):
            return kind  # type: ignore[return-value]
    return None


def plan_townships(fc: dict, townships: Iterable[tuple[int, str, str]]
                   ) -> tuple[list[CreatedTownship], dict[int, str]]:
    """The townships the features of ``fc`` would create (``create_townships``), and why the
    other features that match none would not (feature index → one sentence).

    In file order, a feature whose valid geometry matches no township of ``townships`` nor one
    planned before it (by code or name, as ``match_features``; an ambiguous name is no creation)
    creates one from its first code (``CODE_KEYS``) that is 1–12 letters or digits and its first
    name (``NAME_KEYS``), the kind from the name's ending. A later feature with the same code or
    name matches the earlier one (and is reported by ``match_features`` as its duplicate). Features
    with an invalid geometry or without code and name properties are left to ``match_features``.
    """
    index = _Index(townships)
    created: list[CreatedTownship] = []
    refused: dict[int, str] = {}
    for i, feature in enumerate(fc["features"], start=1):
        props = feature.get("properties")
        props = props if isinstance(props, dict) else {}
        codes, names = _first(props, CODE_KEYS), _first(props, NAME_KEYS)
        if not (codes or names) or check_geometry(feature.get("geometry")):
            continue
        if any(index.code(c) for c in codes) or any(index.name(n)[0] or index.name(n)[1] for n in names):
            continue  # matches a township (or several): match_features says which
        valid_codes = [c for c in codes if CREATE_CODE_PATTERN.fullmatch(c)]
        name = names[0] if names else None
        kind = kind_from_name(name) if name else None
        if not codes:
            refused[i] = ("没有代码（code 等属性），无法新建乡镇 / no code property: a township cannot be created"
                          " without one")
        elif not valid_codes:
            refused[i] = (f"代码 {clip(codes[0])} 不是 1–12 位字母或数字，无法新建乡镇"
                          f" / the code is not 1–12 letters or digits: no township created")
        elif name is None:
            refused[i] = ("没有名称（name 等属性），无法新建乡镇 / no name property: a township cannot be created"
                          " without one")
        elif len(name) > CREATE_NAME_MAX_CHARS:
            refused[i] = (f"名称超过 {CREATE_NAME_MAX_CHARS} 个字，无法新建乡镇"
                          f" / the name is longer than {CREATE_NAME_MAX_CHARS} characters: no township created")
        elif kind is None:
            refused[i] = ("无法从名称判断是镇、乡还是街道（名称应以“镇”“乡”或“街道”结尾），未新建乡镇"
                          " / the name does not end in 镇, 乡 or 街道, so its kind is unknown: no township created")
        else:
            code = valid_codes[0]
            created.append(CreatedTownship(i, code, name, kind))
            index.add((-i, code, name))  # a stand-in id: later features match it, not create it again
    return created, refused


class _RollBack(Exception):
    """Leaves ``import_boundaries``'s transaction without writing, carrying the report."""

    def __init__(self, report: BoundaryReport):
        super().__init__(report.status)
        self.report = report


# --------------------------------------------------------------------------- database


def _township_table() -> sa.Table:
    from models.tables import Township

    return Township.__table__  # type: ignore[attr-defined]


def import_boundaries(engine: Engine, text: str, *, dry_run: bool = False, strict: bool = False,
                      schematic: bool = False, actor: str | None = None,
                      create_townships: bool = False) -> BoundaryReport:
    """Read, validate and match ``text``; store the matched boundaries unless told not to.

    * ``create_townships``: first, in the same transaction, each feature that matches no township
      creates one (``plan_townships``: code, name, the kind from the name's ending, ``sort_order``
      after the existing ones in file order); it then gets its boundary like a matched feature.
      ``report.created`` lists them; a feature that could not create one is unmatched with
      problem ``not_created`` and the reason.
    * ``dry_run``: validate and report, write nothing (status ``dry_run``; townships that would be
      created are created and rolled back).
    * ``strict``: write nothing when any feature is unmatched or invalid (status ``refused``).
    * otherwise the matched geometries are stored (``boundary_is_schematic = schematic``) in one
      transaction with one ``boundaries_import`` audit event (counts and codes, no coordinates);
      status ``stored``, or ``nothing`` when no feature matched.

    A file-level problem raises ``BoundaryError`` before anything is written. Townships the file
    does not cover keep their boundary (``report.missing[*].keeps`` says which).
    """
    from sqlalchemy.orm import Session

    from models.audit import audit
    from models.enums import TownshipKind

    fc = read_geojson(text)
    table = _township_table()

    def current_rows(session: Session) -> list:
        return session.execute(
            sa.select(table.c.id, table.c.code, table.c.name, table.c.boundary_geojson,
                      table.c.boundary_is_schematic, table.c.sort_order).order_by(table.c.sort_order, table.c.code)
        ).all()

    try:
        with Session(engine) as session, session.begin():
            rows = current_rows(session)
            created: list[CreatedTownship] = []
            refused: dict[int, str] = {}
            if create_townships:
                created, refused = plan_townships(fc, [(r.id, r.code, r.name) for r in rows])
                after = max((r.sort_order for r in rows), default=-1) + 1
                for n, c in enumerate(created):
                    session.execute(table.insert().values(
                        code=c.code, name=c.name, kind=TownshipKind(c.kind), sort_order=after + n,
                        boundary_geojson=None, boundary_is_schematic=schematic))
                if created:
                    rows = current_rows(session)
            ids = {r.code: r.id for r in rows}
            report = match_features(fc, [(r.id, r.code, r.name) for r in rows],
                                    claims={c.index: ids[c.code] for c in created})
            report.created = created
            report.unmatched = [
                UnmatchedFeature(u.index, u.code, u.name, refused[u.index], "not_created")
                if u.index in refused and u.problem == "no_match" else u
                for u in report.unmatched
            ]
            current = {r.id: r for r in rows}
            report.missing = [
                MissingTownship(t.township_id, t.code, t.name,
                                "none" if not current[t.township_id].boundary_geojson
                                else "schematic" if current[t.township_id].boundary_is_schematic else "real")
                for t in report.missing
            ]
            report.stored_as_schematic = schematic
            if dry_run:
                report.status = "dry_run"
                raise _RollBack(report)
            if strict and not report.ok:
                report.status = "refused"
                raise _RollBack(report)
            if not report.matched:
                report.status = "nothing"
                raise _RollBack(report)
            for m in report.matched:
                session.execute(
                    table.update().where(table.c.id == m.township_id).values(
                        boundary_geojson=json.dumps(m.geometry, ensure_ascii=False),
                        boundary_is_schematic=schematic,
                    )
                )
            counts = report.counts()
            detail = " ".join(f"{k}={v}" for k, v in counts.items()) + f" schematic={str(schematic).lower()}"
            extra: dict[str, Any] = {}
            if create_townships:
                detail += f" created={len(created)}"
                extra["created_codes"] = [c.code for c in created]
            audit(session, AUDIT_ACTION, username=actor, entity="township", detail=detail,
                  after={**counts, "matched_codes": [m.code for m in report.matched],
                         "missing_codes": [t.code for t in report.missing],
                         "unmatched_features": [u.index for u in report.unmatched], **extra})
            report.status = "stored"
    except _RollBack as stop:
        return stop.report
    return report


def export_boundaries(engine: Engine) -> tuple[dict, list[tuple[str, str]]]:
    """The current boundaries as a FeatureCollection (properties code, name, schematic), and the
    (code, name) of townships that have no boundary (not in the collection)."""
    table = _township_table()
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(table.c.code, table.c.name, table.c.boundary_geojson, table.c.boundary_is_schematic)
            .order_by(table.c.sort_order, table.c.code)
        ).all()
    features, without = [], []
    for r in rows:
        if not r.boundary_geojson:
            without.append((r.code, r.name))
            continue
        features.append({"type": "Feature",
                         "properties": {"code": r.code, "name": r.name, "schematic": bool(r.boundary_is_schematic)},
                         "geometry": json.loads(r.boundary_geojson)})
    return {"type": "FeatureCollection", "name": "dangong_township_boundaries", "features": features}, without
