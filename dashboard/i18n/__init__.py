"""Translations and locale formatting. Every UI string goes through ``t(key, locale)``.

Catalogues: ``zh_CN`` (default) and ``en``, with the same keys (a test checks parity). The shell,
overview, map, ledger and admin messages are in ``zh_CN.py`` / ``en.py``; each later page family
keeps both languages in its own module (``cases``, ``meetings``, ``present``), merged here.
"""

from __future__ import annotations

import datetime as dt

from dashboard.i18n import cases, imports, meetings, present
from dashboard.i18n.en import MESSAGES as _EN_BASE
from dashboard.i18n.zh_CN import MESSAGES as _ZH_BASE

#: feature catalogues: each module holds one page family's ``ZH`` and ``EN`` messages side by side
FEATURES = (cases, meetings, present, imports)


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


def fmt_pp(delta: float | None, locale: str = DEFAULT_LOCALE) -> str | None:
    """A change of a rate in percentage points, signed."""
    if delta is None:
        return None
    return t("unit.pp", locale, value=f"{delta * 100:+.1f}")


def fmt_date(day: dt.date, locale: str = DEFAULT_LOCALE) -> str:
    if locale == "zh_CN":
        return f"{day.year}年{day.month}月{day.day}日"
    return day.isoformat()
