"""What the boundary upload shows (no Streamlit): the match table, every problem, the preview's
features — from a ``models.boundaries.BoundaryReport`` (a dry run or a real import)."""

from __future__ import annotations

import pandas as pd

from dashboard.i18n import t
from models.boundaries import CODE_KEYS, NAME_KEYS, PROBLEM_LABELS, BoundaryReport, rules_text


def _en(loc: str) -> bool:
    return loc.lower().startswith("en")


def keys_help(loc: str) -> str:
    """Which property keys are read by default."""
    return t("bnd.keys_help", loc, codes=", ".join(CODE_KEYS), names=", ".join(NAME_KEYS))


def match_frame(report: BoundaryReport, loc: str) -> pd.DataFrame:
    """One row per feature, in file order: its code and name, the township it goes to, how it
    matched (with the name rules), schematic, and its problem or warning."""
    en = _en(loc)
    rows = []
    for m in report.matched:
        how = t(f"bnd.how.{m.how}", loc)
        if m.rules and m.how == "name":
            how += f" ({rules_text(m.rules, loc)})" if en else f"（{rules_text(m.rules, loc)}）"
        rows.append((m.index, m.feature_code, m.feature_name, f"{m.name} ({m.code})" if en else f"{m.name}（{m.code}）",
                     how, t("bnd.yes" if m.schematic else "bnd.no", loc), m.warning or ""))
    for u in report.unmatched:
        label = PROBLEM_LABELS[u.problem][1 if en else 0]
        rows.append((u.index, u.code, u.name, "—", t("bnd.status.refused", loc), "", f"{label}: {u.reason}" if en
                     else f"{label}：{u.reason}"))
    rows.sort(key=lambda r: r[0])
    columns = [t(f"bnd.col.{c}", loc) for c in ("feature", "code", "name", "township", "how", "schematic", "problem")]
    return pd.DataFrame(rows, columns=columns)


def problem_lines(report: BoundaryReport, loc: str) -> list[str]:
    """Every problem and warning, one sentence each: the file's warnings, each refused feature,
    each matched feature's warning, the merges, and which keys were read when a feature had none."""
    en = _en(loc)
    lines = list(report.warnings)
    for u in report.unmatched:
        lines.append((f"Feature {u.index}: " if en else f"第 {u.index} 个要素：") + u.reason)
    for m in report.matched:
        if m.warning:
            lines.append((f"Feature {m.index}: " if en else f"第 {m.index} 个要素：") + m.warning)
    for s in report.shapes:
        if s.merged:
            township = f"{s.name} ({s.code})" if en else f"{s.name}（{s.code}）"
            lines.append(t("bnd.merged", loc, township=township,
                           features=(", " if en else "、").join(str(i) for i in s.features)))
    if any(u.problem == "no_properties" for u in report.unmatched):
        lines.append(report.keys_sentence(loc))
    return lines


def outcome_lines(report: BoundaryReport, loc: str) -> list[str]:
    """The counts and the outcome (the first lines of the CLI's report)."""
    return report.summary_lines(loc)[:2]


def preview_features(report: BoundaryReport, loc: str) -> list[dict]:
    """The features with a valid geometry, for ``charts.boundaries.preview_map``: number, geometry,
    label (the township, else the feature's own name) and outcome (matched / refused)."""
    matched = {m.index: m for m in report.matched}
    unmatched = {u.index: u for u in report.unmatched}
    out = []
    for i, geometry in sorted(report.geometries.items()):
        m, u = matched.get(i), unmatched.get(i)
        label = m.name if m else (u.name or u.code or str(i)) if u else str(i)
        out.append({"index": i, "geometry": geometry, "label": label, "matched": m is not None,
                    "status": t("bnd.status.matched" if m else "bnd.status.refused", loc)})
    return out
