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
* ``to_wgs84(fc, crs)`` — ``--crs gcj02``: GCJ-02 coordinates (AMap/DataV) converted to WGS 84.
* ``match_features(fc, townships)`` — which feature belongs to which township (by code, a mapping
  file, else by name read with the rules of ``canonical_name``: 繁体, 办事处, 满族/回族… qualifiers),
  the parts of one township merged into one MultiPolygon, a code/name disagreement refused (or
  trusted by flag), which features are left over and why, which townships got nothing: a
  ``BoundaryReport``.
* ``plan_townships(fc, townships)`` — with ``create_townships``: which features that match no
  township would create one (code, name, kind from the name's ending …街道/…镇/…乡), and why the
  others would not, so that an empty database can be set up from the district's own file.
* ``import_boundaries(engine, text, …)`` — all of the above, then the matched geometries are
  stored in one transaction with one audit event (counts only, never coordinates).
* ``remove_boundary(engine, code)`` — one township's boundary removed, audited.
* ``label_point(geometry)`` — where to write a township's name: a point inside it (shapely).

Feature numbers in messages are 1-based, in file order. Townships that the file does not cover
keep whatever boundary they had. Coverage summaries do not depend on boundaries, so nothing is
rebuilt.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable, Literal, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Engine

#: Property keys holding a township code, tried in this order (``--code-key`` replaces them):
#: ours, DataV/AMap's ``adcode``, 第三次国土调查/乡镇界 layers' ``XZDM`` (乡镇代码).
CODE_KEYS = ("code", "township_code", "CODE", "adcode", "XZDM", "乡镇代码")
#: Property keys holding a township name, tried in this order (``--name-key`` replaces them):
#: ours, 国土调查 layers' ``XZMC`` (乡镇名称), OpenStreetMap's ``name:zh``, geoBoundaries'
#: ``shapeName``, and the ``乡镇名称`` / ``TOWN`` columns of many shapefiles.
NAME_KEYS = ("name", "NAME", "township", "乡镇", "街道", "XZMC", "name:zh", "shapeName", "乡镇名称", "TOWN")
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


# --------------------------------------------------------------------------- names

#: Traditional forms common in place names → their simplified form, one pair per item (a small
#: explicit table: enough for 鎮/鄉/區/縣/辦事處/街道 and the characters of many place names; a
#: character not in it is compared as it is).
_TRADITIONAL_PAIRS = (
    "鎮镇 鄉乡 區区 縣县 辦办 處处 東东 嶺岭 蘭兰 華华 園园 陽阳 廣广 灣湾 興兴 龍龙 鳳凤 雲云 門门 關关 "
    "莊庄 橋桥 溝沟 灘滩 嶼屿 島岛 寧宁 豐丰 長长 樂乐 張张 劉刘 陳陈 楊杨 黃黄 趙赵 馬马 萬万 臺台 鐵铁 "
    "塢坞 圍围 壩坝 濱滨 澤泽 漢汉 齊齐 蘇苏 遼辽 寶宝 貴贵 韓韩 義义 會会 來来 倉仓 僑侨 傑杰 龜龟 魚鱼 "
    "鳥鸟 鶴鹤 鹽盐 麥麦 黨党 團团 圖图 場场 壇坛 壽寿 夾夹 學学 實实 將将 嶽岳 峽峡 崗岗 廟庙 廠厂 彎弯 "
    "後后 從从 徑径 總总 戰战 撫抚 數数 書书 條条 楓枫 樓楼 標标 橫横 權权 歸归 溫温 滿满 漁渔 潛潜 澗涧 "
    "濟济 濤涛 營营 爐炉 牆墙 獅狮 環环 瑤瑶 畢毕 盤盘 碼码 礦矿 磚砖 祿禄 禮礼 窯窑 範范 築筑 紅红 綠绿 "
    "羅罗 聖圣 聯联 臨临 舊旧 葉叶 蓋盖 藍蓝 蘆芦 號号 衛卫 裏里 裡里 觀观 謝谢 貝贝 賢贤 賓宾 車车 軍军 "
    "輪轮 農农 過过 達达 遠远 遷迁 邊边 鄭郑 鄧邓 醫医 鋼钢 錦锦 鐘钟 閘闸 開开 閩闽 閣阁 陝陕 陸陆 陰阴 "
    "隴陇 雙双 雞鸡 電电 靈灵 順顺 頭头 額额 風风 飛飞 館馆 駐驻 騰腾 驛驿 魯鲁 鳴鸣 麗丽 齋斋 廈厦 滬沪 "
    "蕪芜 銀银 錫锡 灃沣 涇泾 澠渑 沖冲 灤滦 瀏浏 瀘泸 瀾澜 爾尔 碭砀 磯矶 穀谷 粵粤 紹绍 縉缙 蒼苍 薩萨 "
    "蠶蚕 貢贡 賀贺 贛赣 躍跃 運运 酈郦 錢钱 鍾钟 閬阆 隨随 險险 霧雾 靜静 頂顶 顏颜 饒饶 驊骅 鵝鹅 鵬鹏 "
    "鷹鹰 齡龄 衆众 眾众 鉛铅 銅铜 濰潍 瀋沈 蘄蕲 蓮莲 蔣蒋 荊荆 萊莱 譚谭 豬猪 輝辉 鄲郸 鏡镜 隊队 階阶 "
    "際际 鸞鸾 點点 灣湾 壺壶 渾浑 湯汤 漲涨 濕湿 滄沧 潯浔 潁颍 瀨濑 懷怀 擺摆 檯台 歷历 沒没 淺浅 "
    "縣县 紀纪 網网 嘉嘉"
)
TRADITIONAL: dict[str, str] = {p[0]: p[1] for p in _TRADITIONAL_PAIRS.split() if p[0] != p[1]}

#: China's ethnic groups other than 汉 (as written before 族), for names such as 乌拉街满族镇 or
#: 长阳土家族自治县's townships: a township's official name may carry them, a file may not (or the
#: other way round).
ETHNIC_GROUPS = (
    "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白", "土家", "哈尼",
    "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土",
    "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克",
    "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
)
_ETHNIC_NAME = re.compile(
    r"^(?P<base>.+?)(?:(?:" + "|".join(sorted(ETHNIC_GROUPS, key=len, reverse=True)) + r")族|民族)+(?:自治)?"
    r"(?P<suffix>镇|乡|街道|苏木)$"
)
#: ``…街道办事处`` / ``…办事处`` / ``…街道办``: the office of a 街道, named as the 街道 itself.
OFFICE_SUFFIXES = ("街道办事处", "街道办", "办事处")
#: How a name was read to match (the match table shows them): (zh, en).
RULE_LABELS = {
    "suffix": ("有无“镇/乡/街道”", "with or without 镇/乡/街道"),
    "traditional": ("繁体字", "traditional characters"),
    "office": ("“办事处”即街道", "办事处 read as 街道"),
    "ethnic": ("民族名称（如“满族”）", "ethnic qualifier (e.g. 满族)"),
    "mapping": ("映射文件", "mapping file"),
}


def name_key(value: str) -> str:
    """A name as compared exactly: NFKC (full-width letters and digits as ASCII), no whitespace."""
    return "".join(unicodedata.normalize("NFKC", value).split())


def canonical_name(value: str) -> tuple[str, tuple[str, ...]]:
    """``value`` read for matching, and which rules changed it (``RULE_LABELS`` keys, in order):
    traditional characters as simplified (``TRADITIONAL``), ``…街道办事处``/``…办事处`` as ``…街道``,
    an ethnic qualifier before 镇/乡/街道/苏木 dropped (乌拉街满族镇 → 乌拉街镇, 某某回族乡 → 某某乡)."""
    rules: list[str] = []
    text = name_key(value)
    simplified = "".join(TRADITIONAL.get(ch, ch) for ch in text)
    if simplified != text:
        rules.append("traditional")
    text = simplified
    for office in OFFICE_SUFFIXES:
        if text.endswith(office) and len(text) > len(office):
            text = text[: -len(office)] + "街道"
            rules.append("office")
            break
    ethnic = _ETHNIC_NAME.match(text)
    if ethnic:
        text = ethnic["base"] + ethnic["suffix"]
        rules.append("ethnic")
    return text, tuple(rules)


def rules_text(rules: Sequence[str], locale: str = "zh") -> str:
    """The rules that matched a name, in words."""
    en = locale.lower().startswith("en")
    return ("; " if en else "、").join(RULE_LABELS[r][1 if en else 0] for r in rules)


# --------------------------------------------------------------------------- coordinates (GCJ-02)

#: The coordinate systems a file may be in: WGS 84, or GCJ-02 (国测局坐标, "Mars coordinates": what
#: AMap/高德, Tencent and Aliyun DataV publish), converted to WGS 84 on import.
CRS_CHOICES = ("wgs84", "gcj02")
_GCJ_A = 6378245.0
_GCJ_EE = 0.00669342162296594323


def _out_of_china(lon: float, lat: float) -> bool:
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _gcj_dlat(x: float, y: float) -> float:
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    r += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return r


def _gcj_dlon(x: float, y: float) -> float:
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    r += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return r


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """The published WGS 84 → GCJ-02 transform (the identity outside China)."""
    if _out_of_china(lon, lat):
        return lon, lat
    dlat, dlon = _gcj_dlat(lon - 105.0, lat - 35.0), _gcj_dlon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _GCJ_EE * math.sin(radlat) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_GCJ_A * (1 - _GCJ_EE)) / (magic * sqrt_magic) * math.pi)
    dlon = (dlon * 180.0) / (_GCJ_A / sqrt_magic * math.cos(radlat) * math.pi)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """GCJ-02 → WGS 84: the forward transform inverted by fixed-point iteration (to 1e-9°, about
    0.1 mm; the transform has no closed-form inverse)."""
    if _out_of_china(lon, lat):
        return lon, lat
    x, y = lon, lat
    for _ in range(30):
        gx, gy = wgs84_to_gcj02(x, y)
        dx, dy = gx - lon, gy - lat
        x, y = x - dx, y - dy
        if abs(dx) < 1e-10 and abs(dy) < 1e-10:
            break
    return x, y


def _is_position(value: Any) -> bool:
    return (isinstance(value, list) and len(value) in (2, 3)
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in value))


def _convert(coords: Any, fn) -> Any:
    if _is_position(coords):
        return [*fn(coords[0], coords[1]), *coords[2:]]
    if isinstance(coords, list):
        return [_convert(c, fn) for c in coords]
    return coords  # not a position: left for check_geometry to name


def to_wgs84(fc: dict, crs: str) -> dict:
    """``fc`` with its coordinates in WGS 84 (``crs`` one of ``CRS_CHOICES``; ``wgs84``: unchanged).
    Malformed coordinates are left as they are, for ``check_geometry`` to report."""
    crs = crs.lower().replace("-", "").replace("_", "")
    if crs not in CRS_CHOICES:
        raise BoundaryError(f"不支持的坐标系 {clip(crs)}，可选 wgs84 或 gcj02 / unknown CRS, use wgs84 or gcj02")
    if crs == "wgs84":
        return fc
    features = []
    for feature in fc["features"]:
        geometry = feature.get("geometry")
        if isinstance(geometry, dict) and "coordinates" in geometry:
            geometry = {**geometry, "coordinates": _convert(geometry["coordinates"], gcj02_to_wgs84)}
        features.append({**feature, "geometry": geometry})
    return {**fc, "features": features}


#: Property keys by which a file shows it comes from Aliyun DataV / AMap (高德), whose coordinates
#: are GCJ-02. The coordinates themselves cannot tell (the offset is a few hundred metres).
GCJ_HINT_KEYS = ("childrenNum", "acroutes", "subFeatureIndex")


def gcj02_hint(fc: dict) -> bool:
    """Whether a feature carries ``adcode`` with a DataV/AMap property (``GCJ_HINT_KEYS``)."""
    for feature in fc["features"]:
        props = feature.get("properties")
        if isinstance(props, dict) and "adcode" in props and any(k in props for k in GCJ_HINT_KEYS):
            return True
    return False


GCJ_HINT = ("文件似为阿里云 DataV / 高德地图的行政区边界（有 adcode、childrenNum 等属性），其坐标通常为 GCJ-02，"
            "与 WGS 84 相差数百米；若是，请加 --crs gcj02 重新导入 / the file looks like an Aliyun DataV / AMap"
            " boundary file (adcode, childrenNum …), whose coordinates are usually GCJ-02, a few hundred metres off"
            " WGS 84: if so, import it again with --crs gcj02")


# --------------------------------------------------------------------------- label points


def label_point(geometry: dict) -> tuple[float, float]:
    """A point inside ``geometry`` (Polygon or MultiPolygon) to put its name on: the pole of
    inaccessibility (shapely's ``polylabel``, to 1/1000 of the polygon's size) of its largest
    polygon by area — inside the shape, off its holes and away from its edges, where the mean of
    the outer ring may fall into a hole or a neighbour. A shape shapely cannot use (crossing
    rings) gets ``representative_point`` of its repair, which is inside as well."""
    import shapely
    from shapely.geometry import shape
    from shapely.ops import polylabel

    shp = shape(geometry)
    polygons = list(shp.geoms) if shp.geom_type == "MultiPolygon" else [shp]
    largest = max(polygons, key=lambda p: p.area)
    if largest.is_valid and largest.area > 0:
        minx, miny, maxx, maxy = largest.bounds
        point = polylabel(largest, tolerance=max(maxx - minx, maxy - miny) / 1000 or 1e-9)
        if largest.contains(point):
            return (point.x, point.y)
    repaired = shapely.make_valid(largest)
    point = repaired.representative_point() if not repaired.is_empty else largest.representative_point()
    return (point.x, point.y)


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class MatchedFeature:
    index: int  # 1-based position in the file
    township_id: int
    code: str
    name: str
    how: Literal["code", "name", "mapping"]
    geometry: dict = field(repr=False, compare=False)
    #: how the name was read (``RULE_LABELS`` keys), when it matched by name not as written
    rules: tuple[str, ...] = ()
    #: a sentence the import says about it (a name that disagrees with the code, …)
    warning: str | None = None
    #: stored as schematic: the feature's own ``schematic`` property, else the file-wide flag
    schematic: bool = False
    feature_code: str | None = None  # the feature's own code / name properties, as found
    feature_name: str | None = None


@dataclass(frozen=True)
class UnmatchedFeature:
    index: int  # 1-based position in the file
    code: str | None  # the feature's own code / name properties, as found
    name: str | None
    reason: str  # one sentence, Chinese with an English gloss
    problem: Literal["no_properties", "no_match", "ambiguous", "invalid_geometry", "duplicate", "not_created",
                     "code_name_conflict", "overlap", "incomplete"]
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


@dataclass(frozen=True)
class TownshipShape:
    """What a township gets: the geometry of its one feature, or the MultiPolygon of its several
    features' polygons in file order (coordinates as the file gave them)."""

    township_id: int
    code: str
    name: str
    features: tuple[int, ...]  # the 1-based feature numbers it was made of
    geometry: dict = field(repr=False, compare=False)
    schematic: bool = False

    @property
    def merged(self) -> bool:
        return len(self.features) > 1


PROBLEM_LABELS = {
    "no_properties": ("无代码或名称", "no code or name"),
    "no_match": ("未找到乡镇", "no matching township"),
    "ambiguous": ("名称对应多个乡镇", "ambiguous name"),
    "invalid_geometry": ("几何无效", "invalid geometry"),
    "duplicate": ("重复", "duplicate"),
    "not_created": ("未能新建乡镇", "township not created"),
    "code_name_conflict": ("代码与名称不符", "code and name disagree"),
    "overlap": ("与同乡镇其他部分重叠", "overlaps another part"),
    "incomplete": ("同乡镇另一部分有问题", "another part of the township failed"),
}


@dataclass
class BoundaryReport:
    """What a file would do (``match_features``) or did (``import_boundaries``)."""

    total_features: int
    matched: list[MatchedFeature]
    unmatched: list[UnmatchedFeature]
    missing: list[MissingTownship]
    #: features whose properties say ``"schematic": true`` (stored as schematic whatever the
    #: file-wide flag; ``"schematic": false`` stores a feature as real)
    flagged_schematic: int = 0
    #: "matched" (nothing attempted yet), "stored", "dry_run", "refused" (strict), "nothing"
    status: Literal["matched", "stored", "dry_run", "refused", "nothing"] = "matched"
    stored_as_schematic: bool = False
    #: townships created from features that matched none (``create_townships``; on a dry run or a
    #: refusal: those that would have been created), in file order
    created: list[CreatedTownship] = field(default_factory=list)
    #: one boundary per township: its matched features merged (file order of the first feature)
    shapes: list[TownshipShape] = field(default_factory=list)
    #: sentences about the file as a whole (a GCJ-02 look, mapping lines never used, …)
    warnings: list[str] = field(default_factory=list)
    #: the property keys the features have (for the message when none is a code or name key)
    property_keys: list[str] = field(default_factory=list)
    code_keys: tuple[str, ...] = ()
    name_keys: tuple[str, ...] = ()
    crs: str = "wgs84"
    #: feature number → its geometry in WGS 84, for the features whose geometry is valid (the preview)
    geometries: dict[int, dict] = field(default_factory=dict, repr=False)

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
        n = len(self.shapes)
        n_schematic = sum(s.schematic for s in self.shapes)
        if n_schematic in (0, n):
            schematic = bool(n and n_schematic == n) if n else self.stored_as_schematic
            kind_en, kind_zh = ("schematic", "示意边界") if schematic else ("real", "真实边界")
            stored_en = f"Stored the boundaries of {n} township(s), marked as {kind_en}."
            stored_zh = f"已写入 {n} 个乡镇的边界（标记为{kind_zh}）。"
        else:
            stored_en = (f"Stored the boundaries of {n} township(s): {n - n_schematic} real, {n_schematic} schematic"
                         " (each feature's \"schematic\" property).")
            stored_zh = f"已写入 {n} 个乡镇的边界：真实边界 {n - n_schematic} 个，示意边界 {n_schematic} 个（按各要素的 schematic 属性）。"
        lines.append({
            "stored": stored_en if en else stored_zh,
            "dry_run": ("Dry run: nothing was written." if en else "试运行：未写入任何数据。"),
            "refused": ("Strict mode: nothing was written because some features were not imported." if en
                        else "严格模式：存在未导入的要素，未写入任何数据。"),
            "nothing": ("No feature matched a township: nothing was written." if en
                        else "没有要素匹配到乡镇：未写入任何数据。"),
            "matched": ("Not written yet." if en else "尚未写入。"),
        }[self.status])
        if self.crs != "wgs84":
            lines.append("Coordinates converted from GCJ-02 to WGS 84." if en else "坐标已由 GCJ-02 转换为 WGS 84。")
        own = [m for m in self.matched if m.schematic != self.stored_as_schematic]
        if own:
            done = self.status == "stored"
            kind_en, kind_zh = ("schematic", "示意") if not self.stored_as_schematic else ("real", "真实")
            lines.append(
                f"Note: {len(own)} feature(s) {'were' if done else 'would be'} stored as {kind_en} by their own"
                " \"schematic\" property." if en else
                f"注意：{len(own)} 个要素按其自身的 schematic 属性{'已' if done else '将'}标记为{kind_zh}边界。")
        for w in self.warnings:
            lines.append(f"⚠ {w}")
        if self.created:
            done = self.status == "stored"
            k = len(self.created)
            lines.append((f"Created {k} township(s) from the file:" if done else
                          f"Would create {k} township(s) from the file:") if en else
                         (f"根据文件新建了 {k} 个乡镇街道：" if done else f"将根据文件新建 {k} 个乡镇街道："))
            for t in self.created:
                lines.append(f"  + {t.name} ({t.code}, {t.kind}) ← feature {t.index}" if en
                             else f"  + {t.name}（{t.code}，{KIND_LABELS_ZH[t.kind]}）← 第 {t.index} 个要素")
        for m in self.matched:
            how = {"code": ("by code", "按代码"), "name": ("by name", "按名称"),
                   "mapping": ("by the mapping file", "按映射文件")}[m.how][0 if en else 1]
            if m.rules:
                how += f" ({rules_text(m.rules, 'en')})" if en else f"（{rules_text(m.rules)}）"
            lines.append(f"  ✓ {m.name} ({m.code}) ← feature {m.index}, {how}" if en
                         else f"  ✓ {m.name}（{m.code}）← 第 {m.index} 个要素，{how}")
            if m.warning:
                lines.append(f"    ⚠ {m.warning}")
        for s in self.shapes:
            if s.merged:
                parts = ", ".join(str(i) for i in s.features) if en else "、".join(str(i) for i in s.features)
                lines.append(f"  ⧉ {s.name} ({s.code}): features {parts} merged into one MultiPolygon" if en
                             else f"  ⧉ {s.name}（{s.code}）：第 {parts} 个要素合并为一个多面（MultiPolygon）")
        if self.unmatched:
            lines.append("Features not imported:" if en else "未导入的要素：")
            for u in self.unmatched:
                props = ", ".join(f"{k}={v}" for k, v in (("code", u.code), ("name", u.name)) if v is not None)
                label = f"feature {u.index}" + (f" ({props})" if props else "") if en \
                    else f"第 {u.index} 个要素" + (f"（{props}）" if props else "")
                lines.append(f"  ✗ {label}: {u.reason}" if en else f"  ✗ {label}：{u.reason}")
            if any(u.problem == "no_properties" for u in self.unmatched):
                lines.append(self.keys_sentence(locale))
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

    def keys_sentence(self, locale: str = "zh") -> str:
        """Which property keys were read for codes and names, and which the file has."""
        codes = "、".join(self.code_keys or CODE_KEYS)
        names = "、".join(self.name_keys or NAME_KEYS)
        seen = "、".join(clip(k, 20) for k in self.property_keys[:30]) or "—"
        if locale.lower().startswith("en"):
            return (f"Codes are read from the properties {codes}, names from {names}; the file's features have"
                    f" {seen}. Name other keys with --code-key / --name-key.")
        return (f"代码从属性 {codes} 读取，名称从 {names} 读取；文件中的要素有属性：{seen}。"
                "其他属性名可用 --code-key / --name-key 指定。")


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


def _suffix_candidates(value: str, names: Iterable[tuple[str, Any]]) -> list:
    """Townships whose name is ``value`` plus or minus a final 街道/镇/乡."""
    base = _strip_suffix(value)
    found = []
    for norm, t in names:
        if (_strip_suffix(norm) == value or (base is not None and base == norm)) and t not in found:
            found.append(t)
    return found


class _Index:
    def __init__(self, townships: Iterable[tuple[int, str, str]]):
        self.townships: list[tuple[int, str, str]] = []
        self.by_code: dict[str, tuple] = {}
        self.by_code_folded: dict[str, list] = {}
        self.by_name: dict[str, tuple] = {}
        self.by_canon: dict[str, list] = {}
        for t in townships:
            self.add(t)

    def add(self, township: tuple[int, str, str]) -> None:
        """Index one more township (also one planned by ``plan_townships``)."""
        t = (int(township[0]), str(township[1]), str(township[2]))
        self.townships.append(t)
        code = "".join(t[1].split())
        self.by_code[code] = t
        self.by_code_folded.setdefault(code.casefold(), []).append(t)
        self.by_name["".join(t[2].split())] = t
        self.by_canon.setdefault(canonical_name(t[2])[0], []).append(t)

    def code(self, value: str):
        if value in self.by_code:
            return self.by_code[value]
        folded = self.by_code_folded.get(value.casefold(), [])
        return folded[0] if len(folded) == 1 else None

    def name(self, value: str) -> tuple[Any, list, tuple[str, ...]]:
        """(township, [], rules) for a match, (None, candidates, ()) when ambiguous, (None, [], ())
        for none. Tried in order: the name as written; with or without a final 街道/镇/乡; then
        both names read by ``canonical_name`` (traditional characters, 办事处, ethnic qualifiers),
        as they are and with or without the suffix. A step that fits several townships stops."""
        if value in self.by_name:
            return self.by_name[value], [], ()
        candidates = _suffix_candidates(value, self.by_name.items())
        if len(candidates) == 1:
            return candidates[0], [], ("suffix",)
        if candidates:
            return None, candidates, ()
        canon, rules = canonical_name(value)
        hits = list(self.by_canon.get(canon, []))
        extra: tuple[str, ...] = ()
        if not hits:
            hits = _suffix_candidates(canon, ((k, t) for k, ts in self.by_canon.items() for t in ts))
            extra = ("suffix",)
        if len(hits) == 1:
            own = canonical_name(hits[0][2])[1]
            return hits[0], [], tuple(dict.fromkeys(rules + own + extra))
        return None, hits, ()


def read_mapping(data: bytes) -> dict[str, str]:
    """A mapping file: CSV (UTF-8, with or without BOM, or GB18030) of feature name → township
    code, one pair a line, an optional header line (``name,code`` / ``名称,代码`` …). Names are
    compared as ``name_key`` (whitespace and full-width forms ignored). Raises ``BoundaryError``
    saying which line is wrong: not two values, an empty name or code, a name given two codes."""
    import csv
    import io

    if len(data) > MAPPING_MAX_BYTES:
        raise BoundaryError(f"映射文件超过 {MAPPING_MAX_BYTES // 1000} KB / the mapping file is larger than"
                            f" {MAPPING_MAX_BYTES // 1000} KB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise BoundaryError(f"映射文件既不是 UTF-8 也不是 GB18030 编码（第 {exc.start + 1} 个字节起无法解码）"
                                " / the mapping file is neither UTF-8 nor GB18030") from None
    mapping: dict[str, str] = {}
    lines: dict[str, int] = {}
    for n, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [c.strip() for c in row]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        if not mapping and not lines and n == 1 and cells[0].lower() in MAPPING_HEADERS:
            lines["\0header"] = n
            continue
        if len(cells) != 2 or not cells[0] or not cells[1]:
            raise BoundaryError(
                f"映射文件第 {n} 行应为“要素名称,乡镇代码”两个非空值，实为 {clip(','.join(cells))}"
                f" / mapping file line {n}: expected two non-empty values, feature name and township code")
        key, code = name_key(cells[0]), "".join(cells[1].split())
        if key in mapping and mapping[key] != code:
            raise BoundaryError(
                f"映射文件第 {n} 行：名称 {clip(cells[0])} 已在第 {lines[key]} 行对应到 {clip(mapping[key])}，"
                f"不能再对应到 {clip(code)} / mapping file line {n}: the name was mapped to another code on line"
                f" {lines[key]}")
        mapping[key] = code
        lines.setdefault(key, n)
    if not mapping:
        raise BoundaryError("映射文件中没有任何“名称,代码”行 / the mapping file has no name,code line")
    return mapping


MAPPING_MAX_BYTES = 1_000_000
MAPPING_HEADERS = ("name", "feature_name", "名称", "要素名称", "乡镇名称", "feature")

#: ``schematic`` property values read as true / false (anything else: the file-wide flag, with a warning)
_TRUE = (True, 1, "true", "True", "TRUE", "yes", "1", "是")
_FALSE = (False, 0, "false", "False", "FALSE", "no", "0", "否")


def _schematic_flag(props: dict) -> tuple[bool | None, bool]:
    """(the feature's own schematic flag or None, whether a value was there but not understood)."""
    if "schematic" not in props or props["schematic"] is None:
        return None, False
    value = props["schematic"]
    if isinstance(value, bool):
        return value, False
    if isinstance(value, (int, str)) and value in _TRUE:
        return True, False
    if isinstance(value, (int, str)) and value in _FALSE:
        return False, False
    return None, True


#: Parts of one township overlapping by more than this share of the smaller part's area are not
#: merged (two versions of one boundary, not two pieces of it).
OVERLAP_SHARE = 0.01


def _overlap(geometry: dict, others: Sequence[dict]) -> float:
    """The largest share of the smaller shape's area ``geometry`` has in common with one of ``others``."""
    import shapely
    from shapely.geometry import shape

    def fixed(g: dict):
        s = shape(g)
        return s if s.is_valid else shapely.make_valid(s)

    try:
        mine = fixed(geometry)
        worst = 0.0
        for other in others:
            theirs = fixed(other)
            smaller = min(mine.area, theirs.area)
            if smaller > 0:
                worst = max(worst, mine.intersection(theirs).area / smaller)
        return worst
    except Exception:  # noqa: BLE001 - a GEOS failure on a strange shape: not an overlap we can tell
        return 0.0


def _merge(geometries: Sequence[dict]) -> dict:
    if len(geometries) == 1:
        return geometries[0]
    polygons: list = []
    for g in geometries:
        polygons.extend([g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"])
    return {"type": "MultiPolygon", "coordinates": polygons}


def _who(t: tuple) -> str:
    return f"{t[2]}（{t[1]}）"


def match_features(fc: dict, townships: Iterable[tuple[int, str, str]], *,
                   claims: dict[int, int] | None = None, code_keys: Sequence[str] | None = None,
                   name_keys: Sequence[str] | None = None, mapping: dict[str, str] | None = None,
                   trust_code: bool = False, schematic: bool = False) -> BoundaryReport:
    """Match the features of ``fc`` (from ``read_geojson``) to ``townships`` (id, code, name).

    A feature matches by code (``code_keys``, default ``CODE_KEYS``: the first value that is a
    township code), else by the ``mapping`` file (feature name → township code), else by name
    (``name_keys``, default ``NAME_KEYS``; ``_Index.name``: as written, with or without 街道/镇/乡,
    then traditional characters, 办事处 and ethnic qualifiers read by ``canonical_name``).

    * Several features of one township are its parts: they are merged into one MultiPolygon
      (``report.shapes``) — unless a part has exactly the geometry of an earlier one (``duplicate``,
      the first kept) or overlaps one by more than ``OVERLAP_SHARE`` (``overlap``).
    * A feature whose code is township X's but whose name is township Y's is refused
      (``code_name_conflict``), or with ``trust_code`` matched to X with a warning; a name that is
      no township's gets a warning.
    * A township one of whose parts is refused for its geometry or an overlap gets nothing from
      the file (its other parts are ``incomplete``): never a part of a township stored as all of it.
    * Each shape is schematic when one of its features says ``"schematic": true``, or when
      ``schematic`` and none says ``false``.

    ``claims`` (feature index → township id): features that give that township its boundary
    whatever their properties — those that created it (``plan_townships``).
    """
    code_keys = tuple(code_keys or CODE_KEYS)
    name_keys = tuple(name_keys or NAME_KEYS)
    mapping = mapping or {}
    index = _Index(townships)
    matched: list[MatchedFeature] = []
    unmatched: list[UnmatchedFeature] = []
    claims = claims or {}
    by_id = {t[0]: t for t in index.townships}
    parts: dict[int, list[MatchedFeature]] = {}  # township id -> its parts so far
    withheld: dict[int, int] = {}  # township id -> the feature whose refusal withholds it
    flagged = 0
    warnings: list[str] = []
    geometries: dict[int, dict] = {}
    used_mapping: set[str] = set()
    keys_seen: dict[str, None] = {}
    features = fc["features"]

    def resolve(value: str):
        """The township a name points to (mapping, then the name rules), or None."""
        key = name_key(value)
        if key in mapping:
            return index.code(mapping[key])
        return index.name(value)[0]

    for i, feature in enumerate(features, start=1):
        props = feature.get("properties")
        props = props if isinstance(props, dict) else {}
        for k in props:
            keys_seen.setdefault(str(k), None)
        own_flag, unreadable = _schematic_flag(props)
        if own_flag is True:
            flagged += 1
        if unreadable:
            warnings.append(f"第 {i} 个要素的 schematic 属性值 {_shown(props['schematic'])} 无法识别，按文件设置处理"
                            f" / feature {i}: the schematic value is not understood; the file-wide setting applies")
        codes, names = _first(props, code_keys), _first(props, name_keys)
        shown_code, shown_name = (clip(codes[0]) if codes else None), (clip(names[0]) if names else None)

        township, how, ambiguous, rules = None, None, [], ()
        mapped_unknown: tuple[str, str] | None = None
        conflict, warning = None, None
        if i in claims:
            township, how = by_id[claims[i]], "code"
        for value in codes if township is None else ():
            township = index.code(value)
            if township:
                how = "code"
                break
        if township is None:
            for value in names:
                key = name_key(value)
                if key in mapping:
                    used_mapping.add(key)
                    township = index.code(mapping[key])
                    if township:
                        how, rules = "mapping", ("mapping",)
                        break
                    mapped_unknown = mapped_unknown or (value, mapping[key])
        if township is None and mapped_unknown is None:
            for value in names:
                township, candidates, rules = index.name(value)
                if township:
                    how = "name"
                    break
                ambiguous = ambiguous or candidates
        elif how == "code" and names and i not in claims:
            for value in names:
                if name_key(value) in mapping:
                    used_mapping.add(name_key(value))
            pointed = [resolve(v) for v in names]
            if township not in pointed:
                others = [t for t in pointed if t is not None]
                if others:
                    conflict = others[0]
                else:
                    warning = (f"名称 {shown_name} 与代码 {shown_code} 所属乡镇 {_who(township)} 的名称不一致，按代码匹配"
                               f" / the name is not {township[2]}'s, the township of code {shown_code}: matched by code")

        geometry = feature.get("geometry")
        bad_geometry = check_geometry(geometry)
        if not bad_geometry:
            geometries[i] = geometry

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
            if township is not None and conflict is None:
                withheld.setdefault(township[0], i)
            continue
        if not (codes or names):
            miss("没有 code 或 name 等属性，无法匹配乡镇（可用 --code-key / --name-key 指定属性名）"
                 " / no code or name property to match a township on (name one with --code-key / --name-key)",
                 "no_properties")
            continue
        if mapped_unknown is not None:
            miss(f"映射文件把名称 {clip(mapped_unknown[0])} 对应到代码 {clip(mapped_unknown[1])}，但没有此代码的乡镇"
                 " / the mapping file maps this name to a code no township has", "no_match")
            continue
        if township is None and ambiguous:
            which = "、".join(_who(t) for t in ambiguous)
            miss(f"名称可对应多个乡镇：{which}，请改用代码或全称 / the name fits several townships; use the code or full name",
                 "ambiguous")
            continue
        if township is None:
            miss("未找到代码或名称相符的乡镇 / no township with this code or name", "no_match")
            continue
        if conflict is not None:
            sentence_zh = (f"代码 {shown_code} 是 {_who(township)} 的代码，但名称 {shown_name} 是 {_who(conflict)} 的名称")
            sentence_en = (f"code {shown_code} is {township[1]}'s but the name is {conflict[1]}'s")
            if not trust_code:
                miss(f"{sentence_zh}，未导入；若代码无误请加 --trust-code（以代码为准），否则请改正文件中的代码"
                     f" / {sentence_en}: not imported; add --trust-code if the code is right, else correct the code",
                     "code_name_conflict")
                continue
            warning = f"{sentence_zh}；按 --trust-code 以代码为准 / {sentence_en}: --trust-code, matched by code"
        earlier = parts.get(township[0], [])
        same = next((m for m in earlier if m.geometry == geometry), None)
        if same is not None:
            miss(f"{_who(township)}已由第 {same.index} 个要素提供边界，此要素与之完全相同（重复），未导入"
                 f" / duplicate: feature {same.index} already gave {township[1]} this very boundary", "duplicate")
            continue
        share = _overlap(geometry, [m.geometry for m in earlier]) if earlier else 0.0
        if share > OVERLAP_SHARE:
            miss(f"与{_who(township)}的第 {'、'.join(str(m.index) for m in earlier)} 个要素重叠（约 {share:.0%}），"
                 f"不能合并为一个乡镇的边界 / overlaps feature(s) {', '.join(str(m.index) for m in earlier)} of"
                 f" {township[1]} (about {share:.0%}): two versions of a boundary cannot be merged", "overlap")
            withheld.setdefault(township[0], i)
            continue
        m = MatchedFeature(i, township[0], township[1], township[2], how, geometry, rules=tuple(rules),  # type: ignore[arg-type]
                           warning=warning, schematic=schematic if own_flag is None else own_flag,
                           feature_code=shown_code, feature_name=shown_name)
        matched.append(m)
        parts.setdefault(township[0], []).append(m)

    if withheld:
        kept = []
        for m in matched:
            if m.township_id in withheld:
                j = withheld[m.township_id]
                unmatched.append(UnmatchedFeature(
                    m.index, m.feature_code, m.feature_name,
                    f"{_who(by_id[m.township_id])}的第 {j} 个要素未能导入，为免只存一部分边界，此部分也未导入"
                    f" / feature {j} of {m.code} was not importable: its other parts are not stored either,"
                    " so that part of a township is never stored as all of it", "incomplete", m.code))
            else:
                kept.append(m)
        matched = kept
        unmatched.sort(key=lambda u: u.index)
    shapes = []
    for tid, ms in parts.items():
        if tid in withheld:
            continue
        t = by_id[tid]
        shapes.append(TownshipShape(tid, t[1], t[2], tuple(m.index for m in ms), _merge([m.geometry for m in ms]),
                                    any(m.schematic for m in ms)))
        if len({m.schematic for m in ms}) > 1:
            warnings.append(f"{_who(t)}的各部分 schematic 属性不一致，整体标记为示意边界"
                            f" / the parts of {t[1]} disagree on \"schematic\": stored as schematic")
    unused = [k for k in mapping if k not in used_mapping]
    if unused:
        warnings.append(f"映射文件中 {len(unused)} 个名称未在文件中出现：{'、'.join(clip(k, 20) for k in unused[:10])}"
                        f"{'…' if len(unused) > 10 else ''} / {len(unused)} mapping-file name(s) not in the file")
    taken = {s.township_id for s in shapes}
    missing = [MissingTownship(t[0], t[1], t[2]) for t in index.townships if t[0] not in taken]
    return BoundaryReport(total_features=len(features), matched=matched, unmatched=unmatched, missing=missing,
                          flagged_schematic=flagged, shapes=shapes, warnings=warnings,
                          property_keys=list(keys_seen), code_keys=code_keys, name_keys=name_keys,
                          stored_as_schematic=schematic, geometries=geometries)


def check_keys(fc: dict, code_keys: Sequence[str] | None, name_keys: Sequence[str] | None) -> None:
    """A ``--code-key`` / ``--name-key`` that no feature has is a mistake: ``BoundaryError``
    naming the keys the features do have."""
    seen: dict[str, None] = {}
    for feature in fc["features"]:
        props = feature.get("properties")
        if isinstance(props, dict):
            for k in props:
                seen.setdefault(str(k), None)
    for option, keys in (("--code-key", code_keys), ("--name-key", name_keys)):
        absent = [k for k in keys or () if k not in seen]
        if keys and len(absent) == len(keys):
            have = "、".join(clip(k, 20) for k in list(seen)[:30]) or "—"
            raise BoundaryError(f"没有任何要素有属性 {'、'.join(clip(k) for k in absent)}（{option}）；文件中的属性有：{have}"
                                f" / no feature has the property given with {option}; the features have: {have}")


def kind_from_name(name: str) -> Literal["town", "township", "subdistrict"] | None:
    """A township's kind from how ``name`` ends (…街道, …镇, …乡), or None when it says nothing."""
    for suffix, kind in KIND_BY_SUFFIX:
        if name.endswith(suffix) and len(name) > len(suffix):
            return kind  # type: ignore[return-value]
    return None


def plan_townships(fc: dict, townships: Iterable[tuple[int, str, str]], *, code_keys: Sequence[str] | None = None,
                   name_keys: Sequence[str] | None = None, mapping: dict[str, str] | None = None
                   ) -> tuple[list[CreatedTownship], dict[int, str]]:
    """The townships the features of ``fc`` would create (``create_townships``), and why the
    other features that match none would not (feature index → one sentence).

    In file order, a feature whose valid geometry matches no township of ``townships`` nor one
    planned before it (by code, mapping or name, as ``match_features``; an ambiguous name is no
    creation) creates one from its first code (``code_keys``) that is 1–12 letters or digits and
    its first name (``name_keys``), the kind from the name's ending. A later feature with the same
    code or name matches the earlier one (and ``match_features`` merges it as a part). Features
    with an invalid geometry or without code and name properties are left to ``match_features``.
    """
    code_keys = tuple(code_keys or CODE_KEYS)
    name_keys = tuple(name_keys or NAME_KEYS)
    mapping = mapping or {}
    index = _Index(townships)
    created: list[CreatedTownship] = []
    refused: dict[int, str] = {}
    for i, feature in enumerate(fc["features"], start=1):
        props = feature.get("properties")
        props = props if isinstance(props, dict) else {}
        codes, names = _first(props, code_keys), _first(props, name_keys)
        if not (codes or names) or check_geometry(feature.get("geometry")):
            continue
        if any(name_key(n) in mapping for n in names):
            continue  # the mapping file says which township: match_features uses it
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
                      create_townships: bool = False, crs: str = "wgs84", code_keys: Sequence[str] | None = None,
                      name_keys: Sequence[str] | None = None, mapping: dict[str, str] | None = None,
                      trust_code: bool = False) -> BoundaryReport:
    """Read, validate and match ``text``; store the matched boundaries unless told not to.

    * ``crs``: ``wgs84`` (default) or ``gcj02`` (converted to WGS 84 before anything is checked).
    * ``code_keys`` / ``name_keys``: the property keys read instead of ``CODE_KEYS`` / ``NAME_KEYS``
      (a key no feature has is a ``BoundaryError``); ``mapping``: feature name → township code
      (``read_mapping``); ``trust_code``: a code/name disagreement is matched by the code, with a
      warning, instead of refused (``match_features``).
    * ``create_townships``: first, in the same transaction, each feature that matches no township
      creates one (``plan_townships``: code, name, the kind from the name's ending, ``sort_order``
      after the existing ones in file order); it then gets its boundary like a matched feature.
      ``report.created`` lists them; a feature that could not create one is unmatched with
      problem ``not_created`` and the reason.
    * ``dry_run``: validate and report, write nothing (status ``dry_run``; townships that would be
      created are created and rolled back).
    * ``strict``: write nothing when any feature is unmatched or invalid (status ``refused``).
    * otherwise each township's shape (``report.shapes``: its features merged) is stored, schematic
      as ``match_features`` says, in one transaction with one ``boundaries_import`` audit event
      (counts and codes, no coordinates); status ``stored``, or ``nothing`` when no feature matched.

    A file-level problem raises ``BoundaryError`` before anything is written. Townships the file
    does not cover keep their boundary (``report.missing[*].keeps`` says which).
    """
    from sqlalchemy.orm import Session

    from models.audit import audit
    from models.enums import TownshipKind

    fc = read_geojson(text)
    check_keys(fc, code_keys, name_keys)
    crs = crs.lower().replace("-", "").replace("_", "")
    hint = crs == "wgs84" and gcj02_hint(fc)
    fc = to_wgs84(fc, crs)
    table = _township_table()
    keys = dict(code_keys=code_keys, name_keys=name_keys)

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
                created, refused = plan_townships(fc, [(r.id, r.code, r.name) for r in rows], mapping=mapping, **keys)
                after = max((r.sort_order for r in rows), default=-1) + 1
                for n, c in enumerate(created):
                    session.execute(table.insert().values(
                        code=c.code, name=c.name, kind=TownshipKind(c.kind), sort_order=after + n,
                        boundary_geojson=None, boundary_is_schematic=schematic))
                if created:
                    rows = current_rows(session)
            ids = {r.code: r.id for r in rows}
            report = match_features(fc, [(r.id, r.code, r.name) for r in rows],
                                    claims={c.index: ids[c.code] for c in created}, mapping=mapping,
                                    trust_code=trust_code, schematic=schematic, **keys)
            report.crs = crs
            if hint:
                report.warnings.insert(0, GCJ_HINT)
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
            if dry_run:
                report.status = "dry_run"
                raise _RollBack(report)
            if strict and not report.ok:
                report.status = "refused"
                raise _RollBack(report)
            if not report.shapes:
                report.status = "nothing"
                raise _RollBack(report)
            for s in report.shapes:
                session.execute(
                    table.update().where(table.c.id == s.township_id).values(
                        boundary_geojson=json.dumps(s.geometry, ensure_ascii=False),
                        boundary_is_schematic=s.schematic,
                    )
                )
            counts = report.counts()
            detail = " ".join(f"{k}={v}" for k, v in counts.items()) + f" schematic={str(schematic).lower()}"
            extra: dict[str, Any] = {}
            merged = [s.code for s in report.shapes if s.merged]
            if merged:
                detail += f" merged={len(merged)}"
                extra["merged_codes"] = merged
            trusted = [m.index for m in report.matched if m.warning and trust_code]
            if trusted:
                extra["trusted_code_features"] = trusted
            if crs != "wgs84":
                detail += f" crs={crs}"
            if mapping:
                extra["mapped_features"] = [m.index for m in report.matched if m.how == "mapping"]
            if create_townships:
                detail += f" created={len(created)}"
                extra["created_codes"] = [c.code for c in created]
            audit(session, AUDIT_ACTION, username=actor, entity="township", detail=detail,
                  after={**counts, "matched_codes": [s.code for s in report.shapes],
                         "schematic_codes": [s.code for s in report.shapes if s.schematic],
                         "missing_codes": [t.code for t in report.missing],
                         "unmatched_features": [u.index for u in report.unmatched], **extra})
            report.status = "stored"
    except _RollBack as stop:
        return stop.report
    return report


def remove_boundary(engine: Engine, code: str, *, actor: str | None = None) -> tuple[str, str]:
    """Remove the boundary of the township with ``code`` (one transaction, one ``boundaries_remove``
    audit event); returns its (code, name). ``BoundaryError`` when no township has the code or it
    has no boundary: nothing written."""
    from sqlalchemy.orm import Session

    from models.audit import audit

    table = _township_table()
    wanted = "".join(str(code).split())
    with Session(engine) as session, session.begin():
        row = session.execute(sa.select(table.c.id, table.c.code, table.c.name, table.c.boundary_geojson,
                                        table.c.boundary_is_schematic).where(table.c.code == wanted)).first()
        if row is None:
            raise BoundaryError(f"没有代码为 {clip(wanted) or '（空）'} 的乡镇 / no township has the code {clip(wanted)}")
        if not row.boundary_geojson:
            raise BoundaryError(f"{row.name}（{row.code}）没有边界，无需删除 / {row.code} has no boundary to remove")
        session.execute(table.update().where(table.c.id == row.id).values(boundary_geojson=None,
                                                                         boundary_is_schematic=False))
        audit(session, REMOVE_ACTION, username=actor, entity="township", entity_id=row.id,
              detail=f"code={row.code} schematic={str(bool(row.boundary_is_schematic)).lower()}",
              before={"code": row.code, "had_boundary": True, "schematic": bool(row.boundary_is_schematic)})
    return row.code, row.name


REMOVE_ACTION = "boundaries_remove"


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
