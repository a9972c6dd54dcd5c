"""Date arithmetic shared by the pages and queries (one rule each, so figures agree)."""

from __future__ import annotations

import datetime as dt


def year_before(day: dt.date) -> dt.date:
    """The same date one year earlier; 29 February → 28 February. The comparison date of the KPI
    deltas ("较上年同期") and the start of 12-month windows (which begin the day after it)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


#: The district's time zone (Asia/Shanghai: UTC+8 all year, no daylight saving time). Designations are
#: stored in UTC; an as-of date is a date in the district, so a designation counts from the district's
#: date on which it was made (2026-05-01 20:00 UTC is 2026-05-02 04:00 there: it counts from 2026-05-02),
#: and the designation record shows its times in this zone, labelled.
DISTRICT_TZ = dt.timezone(dt.timedelta(hours=8), "UTC+8")


def district_time(at: dt.datetime) -> dt.datetime:
    """``at`` (aware; a naive value is taken as UTC, as stored) in the district's time zone."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(DISTRICT_TZ)


def district_today() -> dt.date:
    """Today's date in the district, whatever the server's time zone."""
    return dt.datetime.now(DISTRICT_TZ).date()
