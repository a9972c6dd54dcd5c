"""The field checks of the page forms' edits (meetings, enterprise events, campaigns): one refusal
each, ``EditError`` with a key under ``errors`` (``upkeep.err`` unless a page family has its own
words: ``meetings.err``) and the field at fault, before anything is written."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dashboard.edits import EditError

#: the largest count a form may send (employees, members, a target)
MAX_COUNT = 10_000_000


def date(value: Any, name: str, *, required: bool = True, errors: str = "upkeep.err") -> dt.date | None:
    """A date (a date, a datetime or ``YYYY-MM-DD``); None when empty and not ``required``."""
    if value is None or value == "":
        if required:
            raise EditError(f"{errors}.required", field=name)
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise EditError(f"{errors}.bad_date", field=name, value=str(value)[:40]) from None


def count(value: Any, name: str, *, required: bool = True) -> int | None:
    """A whole number from 0 to :data:`MAX_COUNT` (``3``, ``"3"``, ``3.0``; never ``True`` or ``3.5``)."""
    if value is None or value == "":
        if required:
            raise EditError("upkeep.err.required", field=name)
        return None
    if isinstance(value, bool):
        raise EditError("upkeep.err.bad_count", field=name, value=str(value))
    try:
        number = int(value) if not isinstance(value, float) or float(value).is_integer() else None
    except (TypeError, ValueError):
        number = None
    if number is None:
        raise EditError("upkeep.err.bad_count", field=name, value=str(value)[:40])
    if number < 0:
        raise EditError("upkeep.err.negative", field=name, value=number)
    if number > MAX_COUNT:
        raise EditError("upkeep.err.too_large", field=name, value=number)
    return number


def text(value: Any, name: str, max_len: int, *, required: bool = True, errors: str = "upkeep.err") -> str | None:
    """The text trimmed, at most ``max_len`` characters; None when empty and not ``required``."""
    text = str(value or "").strip()
    if not text:
        if required:
            raise EditError(f"{errors}.required", field=name)
        return None
    if len(text) > max_len:
        raise EditError(f"{errors}.too_long", field=name, max=max_len)
    return text


def ident(value: Any, name: str) -> int:
    """A row id picked in a form (a missing one: the field is required)."""
    try:
        if isinstance(value, bool):
            raise ValueError
        return int(value)
    except (TypeError, ValueError):
        raise EditError("upkeep.err.required", field=name) from None
