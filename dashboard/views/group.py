"""The leading group's page as a person sees it: the members' table, the changes, the four
mechanisms' cards (their words, last activity, link), the documents. No Streamlit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from dashboard.i18n import fmt_date, fmt_int, t
from dashboard.queries.dates import year_before
from dashboard.queries.group import Mechanism
from dashboard.views.meetings import day

#: the page each mechanism's card links to (None: its page is still to come — issue 16 items 1–2)
LINKS: dict[str, str | None] = {"notices": "meetings", "meetings": "meetings", "recommendations": "development",
                                "awards": "awards"}


def members_table(rows: pd.DataFrame, loc: str) -> pd.DataFrame:
    cols = {c: t(f"group.col.{c}", loc) for c in ("role", "name", "position", "unit", "from_on")}
    frame = pd.DataFrame({
        cols["role"]: [t(f"group.role.{getattr(r, 'value', r)}", loc) for r in rows["role"]],
        cols["name"]: rows["name"], cols["position"]: rows["position"],
        cols["unit"]: [u if isinstance(u, str) else "—" for u in rows["unit"]],
        cols["from_on"]: [day(d, loc) for d in rows["from_on"]],
    })
    return frame[list(cols.values())]


def changes_table(rows: pd.DataFrame, loc: str) -> pd.DataFrame:
    return pd.DataFrame({
        t("group.col.day", loc): [day(d, loc) for d in rows["day"]],
        t("group.col.change", loc): [t(f"group.change.{c}", loc) for c in rows["change"]],
        t("group.col.name", loc): rows["name"],
        t("group.col.position", loc): rows["position"],
        t("group.col.role", loc): [t(f"group.role.{getattr(r, 'value', r)}", loc) for r in rows["role"]],
    })


def documents_table(rows: pd.DataFrame, loc: str) -> pd.DataFrame:
    return pd.DataFrame({
        t("group.col.issued_on", loc): [day(d, loc) for d in rows["issued_on"]],
        t("group.col.title", loc): rows["title"],
        t("group.col.doc_no", loc): [n if isinstance(n, str) and n else "—" for n in rows["doc_no"]],
        t("group.col.issuer", loc): rows["issuer"],
        t("group.col.summary", loc): [s if isinstance(s, str) else "" for s in rows["summary"]],
    })


@dataclass(frozen=True)
class Card:
    title: str
    text: str
    last: str
    page: str | None


def mechanism_cards(mechs: list[Mechanism], loc: str) -> list[Card]:
    """One card per mechanism: its name, its 12-month figures in a sentence, its last activity."""
    cards = []
    for m in mechs:
        figures = {k: fmt_int(v) if k != "year" else str(v) for k, v in m.figures.items()}
        if m.key == "awards" and not m.figures.get("year"):
            text = t("group.mech.awards.none", loc)
        else:
            text = t(f"group.mech.{m.key}.text", loc, **figures)
        last = (t("group.mech.last", loc, date=fmt_date(m.last, loc)) if m.last is not None
                else "" if m.key == "awards" else t("group.mech.last.none", loc))
        cards.append(Card(t(f"group.mech.{m.key}", loc), text, last, LINKS.get(m.key)))
    return cards


def window_text(as_of: dt.date, loc: str) -> str:
    start = year_before(as_of) + dt.timedelta(days=1)
    return t("group.mechanisms", loc, start=fmt_date(start, loc), end=fmt_date(as_of, loc))
