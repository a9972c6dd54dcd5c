"""What a person reads when an edit is refused (no Streamlit)."""

from __future__ import annotations

import datetime as dt

from dashboard.edits import EditError
from dashboard.i18n import fmt_date, t


def refusal_text(err: EditError, loc: str, *, field_prefix: str | None = None) -> str:
    """``edit.failed`` with the reason; dates in the reason in the locale's format; the field named
    (``{field_prefix}.{err.field}``) when the edit says which field is at fault."""
    params = {k: fmt_date(v, loc) if isinstance(v, dt.date) else v for k, v in err.params.items()}
    reason = t(err.key, loc, **params)
    if err.field and field_prefix:
        reason = t("edit.field", loc, field=t(f"{field_prefix}.{err.field}", loc), reason=reason)
    return t("edit.failed", loc, reason=reason)
