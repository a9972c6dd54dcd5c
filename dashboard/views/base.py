"""The 党建基数 in words (issue 14 item 2, docs/kpis.md): its name, the note next to a denominator,
the definition with the threshold in force, the header of an "enterprises in the base" column."""

from __future__ import annotations

from dashboard.i18n import fmt_int, t
from dashboard.queries.coverage import Rate
from models import summary
from models.enums import Base


def name(base: Base | str, loc: str) -> str:
    """三有企业 / 全部在营企业."""
    return t(f"base.{Base(base).value}", loc)


def fraction(rate: Rate, unit: str, base: Base | str, loc: str) -> str:
    """A card's fraction with the base its denominator counts: "585 / 702 家 · 三有"."""
    text = t("kpi.fraction", loc, num=fmt_int(rate.numerator), den=fmt_int(rate.denominator), unit=t(unit, loc))
    return f"{text} · {t(f'base.short.{Base(base).value}', loc)}"


def definition(base: Base | str, loc: str) -> str:
    """What the base is, with the staff threshold in force (the setting ``base_min_employees``)."""
    return t(f"base.definition.{Base(base).value}", loc, min=summary.base_min_employees())


def operating_column(base: Base | str, loc: str) -> str:
    """The header of a table's count of the enterprises in the base: 在营企业 / 三有企业."""
    return t("col.operating", loc) if Base(base) == Base.ALL else t("col.operating_sanyou", loc)
