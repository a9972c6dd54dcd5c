"""What a person reads when an edit is refused (no Streamlit)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping

from dashboard.edits import EditError
from dashboard.i18n import fmt_date, t
from models.enums import PartyOrgLevel


#: an enum value in a refusal's parameters is named by the catalogue's ``<prefix>.<value>``
ENUM_LABELS = {PartyOrgLevel: "check.level"}


def refusal_text(err: EditError, loc: str, *, field_prefix: str | None = None) -> str:
    """``edit.failed`` with the reason; dates in the reason in the locale's format; the field named
    (``{field_prefix}.{err.field}``) when the edit says which field is at fault."""
    params = {k: fmt_date(v, loc) if isinstance(v, dt.date) else
              t(f"{ENUM_LABELS[type(v)]}.{v.value}", loc) if type(v) in ENUM_LABELS else v
              for k, v in err.params.items()}
    reason = t(err.key, loc, **params)
    if err.field and field_prefix:
        reason = t("edit.field", loc, field=t(f"{field_prefix}.{err.field}", loc), reason=reason)
    return t("edit.failed", loc, reason=reason)


def unique_labels(options: Mapping[int, str]) -> dict[int, str]:
    """Row id → the label a picker shows, every label different.

    Streamlit sends a picked option back as its label and maps it to the *last* option with that
    label, so two rows that read the same (same status, owner, text and date) would let a save
    change the other one. A label shared by several rows gets the row's id (`` · #716``); the
    others stay as they are (every label gets its id in the odd case where that is not enough)."""
    counts = Counter(options.values())
    labels = {i: f"{text} · #{i}" if counts[text] > 1 else text for i, text in options.items()}
    if len(set(labels.values())) < len(labels):  # a text that already reads like another row's "… · #id"
        labels = {i: f"{text} · #{i}" for i, text in options.items()}  # unique: the text after the last # is the id
    return labels
