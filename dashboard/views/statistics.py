"""The official coverage statistics table as people read it: labelled columns, the district total
(the sum of the township rows) and the definitions printed under it. No Streamlit; the Excel and
PDF files (``exports/statistics.py``) and the page take the same frame and notes."""

from __future__ import annotations

import pandas as pd

from dashboard.i18n import t
from dashboard.queries.statistics import COLUMNS
from dashboard.views import base as base_words
from models.enums import Base

__all__ = ["statistics_frame", "statistics_notes", "statistics_title"]


def statistics_frame(table: pd.DataFrame, locale: str, base: Base = Base.ALL) -> pd.DataFrame:
    """Township, then every column of :data:`COLUMNS` with its label (the base column named after
    ``base``, the 党建基数), and a last row 合计 that is the sum of the townships' rows."""
    body = table[["name", *COLUMNS]].copy()
    total = {"name": t("stat.total", locale), **{c: int(table[c].sum()) for c in COLUMNS}}
    body = pd.concat([body, pd.DataFrame([total])], ignore_index=True)
    labels = {c: t(f"stat.col.{c}", locale) for c in COLUMNS}
    if Base(base) == Base.SANYOU:
        labels["operating"] = t("stat.col.operating_sanyou", locale)
    return body.rename(columns={"name": t("col.township", locale), **labels})


def statistics_title(scope_label: str, locale: str) -> str:
    return t("stat.title", locale, scope=scope_label)


def statistics_notes(locale: str, base: Base = Base.ALL) -> list[str]:
    """The definitions under the table: the base (三有企业 with the threshold in force, or every
    operating enterprise), each block, the sources."""
    first = (t("stat.note.base_sanyou", locale, definition=base_words.definition(base, locale))
             if Base(base) == Base.SANYOU else t("stat.note.base", locale))
    return [first, *(t(f"stat.note.{k}", locale) for k in ("union", "party", "sum", "source"))]
