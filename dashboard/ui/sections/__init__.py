"""Page sections: ``ui/sections/<page>/<section>.py``, each with ``render(ctx)``.

A page script (``app_pages/<page>.py``, ≤ 150 lines) builds one :class:`Context` and composes its
sections; a section reads through ``ui.data``, turns results into what a person sees with
``dashboard.views`` and draws them with Streamlit. Sections hold no display rules of their own
(statuses, colours, labelled frames live in ``dashboard.views``) and no SQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import streamlit as st

from dashboard.queries.scope import Scope
from models.enums import Base
from dashboard.ui import data
from dashboard.ui.state import default_base


@dataclass(frozen=True)
class Context:
    """What every section of a page run needs: the filters, the user and the database URL."""

    filters: Any  # ui.state.Filters
    user: Any  # ui.auth.CurrentUser
    url: str

    @property
    def loc(self) -> str:
        return self.filters.locale

    @property
    def scope(self) -> Scope:
        """The user's scope narrowed by the township filter: what the page reads."""
        return self.filters.scope

    @property
    def whole(self) -> Scope:
        """Everything the user may see (no township filter), over the chosen 党建基数: a map's context."""
        return self.user.scope.with_base(self.scope.base)

    @property
    def register(self) -> Scope:
        """The page's townships over every operating enterprise whatever the 党建基数: the ledger is a
        register, it lists and counts them all."""
        return self.scope.with_base(Base.ALL)

    @property
    def as_of(self) -> dt.date:
        return self.filters.as_of

    @property
    def township_codes(self) -> tuple[str, ...]:
        return self.filters.township_codes

    def links(self) -> dict[str, Any]:
        """The URL filters to carry into a link to another page."""
        return {"asof": self.as_of.isoformat(),
                **({"town": list(self.township_codes)} if self.township_codes else {}),
                **({"base": self.scope.base.value} if self.scope.base.value != default_base() else {}),
                **({"lang": "en"} if self.loc == "en" else {})}


def context() -> Context:
    """The context of this run (after ``app.py`` stored the filters and the user)."""
    return Context(st.session_state["filters"], st.session_state["user"], data.database_url())
