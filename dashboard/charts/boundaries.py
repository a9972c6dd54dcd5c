"""The preview map of a boundary upload (pure Altair, no Streamlit): each feature's shape, blue
when it would be imported, orange when not, its label at a point inside it."""

from __future__ import annotations

import altair as alt

from dashboard.charts import AMBER, UNION_BLUE, _configure, for_vega
from dashboard.i18n import t
from models.boundaries import label_point


def preview_map(features: list[dict], loc: str, *, height: int = 360) -> alt.Chart:
    """``features``: dicts with index, geometry (WGS 84 Polygon/MultiPolygon), label, matched
    (bool) and status (its words) — ``views.boundaries.preview_features``."""
    matched_word, refused_word = t("bnd.status.matched", loc), t("bnd.status.refused", loc)
    values = []
    for f in features:
        lon, lat = label_point(f["geometry"])
        values.append({"type": "Feature", "geometry": for_vega(f["geometry"]),
                       "properties": {"index": f["index"], "label": f["label"], "status": f["status"],
                                      "lon": lon, "lat": lat}})
    data = alt.Data(values=values)
    shapes = alt.Chart(data).mark_geoshape(stroke="white", strokeWidth=1, opacity=0.8).encode(
        color=alt.Color("properties.status:N", title=t("bnd.chart.status", loc),
                        scale=alt.Scale(domain=[matched_word, refused_word], range=[UNION_BLUE, AMBER])),
        tooltip=[alt.Tooltip("properties.index:Q", title=t("bnd.chart.feature", loc)),
                 alt.Tooltip("properties.label:N", title=t("bnd.col.township", loc)),
                 alt.Tooltip("properties.status:N", title=t("bnd.chart.status", loc))],
    )
    labels = alt.Chart(data).mark_text(fontSize=11, fontWeight="bold", color="#111827").encode(
        longitude="properties.lon:Q", latitude="properties.lat:Q", text="properties.label:N")
    return _configure(alt.layer(shapes, labels).project("mercator").properties(height=height))
