"""Translations and locale formatting. Every UI string goes through ``t(key, locale)``.

Catalogues: ``zh_CN`` (default) and ``en``, with the same keys (a test checks parity). The shell,
overview, map, ledger and admin messages are in ``zh_CN.py`` / ``en.py``; each later page family
keeps both languages in its own module (``cases``, ``meetings``, ``present``), merged here.
"""

from __future__ import annotations

import datetime as dt

from dashboard.i18n import (
    accounts,
    awards,
    boundaries,
    campaigns,
    cases,
    development,
    group,
    imports,
    kiosk,
    leads,
    mechanisms,
    meetings,
    present,
    push,
    upkeep,
)
from dashboard.i18n.en import MESSAGES as _EN_BASE
from dashboard.i18n.zh_CN import MESSAGES as _ZH_BASE

#: feature catalogues: each module holds one page family's ``ZH`` and ``EN`` messages side by side
FEATURES = (cases, meetings, present, imports, accounts, boundaries, upkeep, campaigns, leads, group, awards, development, push, kiosk, mechanisms)


def _merge(base: dict[str, str], part: str) -> dict[str, str]:
    merged = dict(base)
    for module in FEATURES:
        extra = getattr(module, part)
        clash = merged.keys() & extra.keys()
        if clash:  # a key defined twice would silently win or lose: refuse at import
            raise RuntimeError(f"i18n keys defined twice ({module.__name__}): {sorted(clash)}")
        merged.update(extra)
    return merged


ZH = _merge(_ZH_BASE, "ZH")
EN = _merge(_EN_BASE, "EN")

DEFAULT_LOCALE = "zh_CN"
CATALOGUES: dict[str, dict[str, str]] = {"zh_CN": ZH, "en": EN}
#: URL value → locale
LANGS = {"zh": "zh_CN", "en": "en"}


def locale_of(lang: str | None) -> str:
    return LANGS.get(lang or "", DEFAULT_LOCALE)


def t(key: str, locale: str = DEFAULT_LOCALE, /, **params) -> str:
    """The message for ``key`` in ``locale``, formatted with ``params``.

    A missing key raises ``KeyError`` (tests catch it; the catalogues have key parity).
    """
    text = CATALOGUES.get(locale, ZH)[key]
    return text.format(**params) if params else text


def fmt_int(n: int | float, locale: str = DEFAULT_LOCALE) -> str:
    return f"{int(round(n)):,}"


def fmt_pct(value: float | None, locale: str = DEFAULT_LOCALE, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.{digits}f}%"


def pp_shown(before: float | None, after: float | None) -> float | None:
    """``after − before`` in percentage points as a reader computes it from the two rates shown
    (``fmt_pct``: one decimal): 95.0% → 94.7% is −0.3, never −0.4 from the unrounded values."""
    if before is None or after is None:
        return None
    return round(float(f"{after * 100:.1f}") - float(f"{before * 100:.1f}"), 1)


def fmt_pp_change(before: float | None, after: float | None, locale: str = DEFAULT_LOCALE) -> str | None:
    """The change between two rates as shown: "+1.2 个百分点", or "持平" when they show the same."""
    shown = pp_shown(before, after)
    if shown is None:
        return None
    if shown == 0:
        return t("unit.pp_flat", locale)
    return t("unit.pp", locale, value=f"{shown:+.1f}")


def fmt_date(day: dt.date, locale: str = DEFAULT_LOCALE) -> str:
    if locale == "zh_CN":
        return f"{day.year}年{day.month}月{day.day}日"
    return day.isoformat()
