"""What "a day" means, in one place: a calendar date turned into a time range.

The zone is always an explicit argument, and every caller names the one it
means: the API's date filters count UTC days, the admin's list filters the
clerk's (their office's zone, offices.middleware), a cost report its office's zone.
"""

from datetime import date, datetime, time, timedelta, tzinfo

# The days the back-office counts in. Dates far outside hold no parcels, and
# near the ends of the calendar they cannot be turned into times (year 1 east
# of UTC, the day after 9999-12-31): every date filter and report refuses them.
EARLIEST_DAY, LATEST_DAY = date(2000, 1, 1), date(2999, 12, 31)


def day_out_of_range(day: date) -> str | None:
    """What is wrong with ``day`` as a filter or report date, or None."""
    if EARLIEST_DAY <= day <= LATEST_DAY:
        return None
    return f"Pick a day between {EARLIEST_DAY} and {LATEST_DAY}."


def day_start(day: date, zone: tzinfo) -> datetime:
    """Midnight at the start of ``day`` in ``zone``."""
    return datetime.combine(day, time.min, tzinfo=zone)


def day_bounds(first: date | None, last: date | None, zone: tzinfo) -> tuple[datetime | None, datetime | None]:
    """``[start, end)`` covering the days ``first`` to ``last``, both included, in ``zone``.

    Either side may be None (open). The last representable day has no day
    after it, so it leaves the end open. Filter with ``>= start`` and
    ``< end``, so an index on the column applies.
    """
    start = day_start(first, zone) if first is not None else None
    end = day_start(last + timedelta(days=1), zone) if last is not None and last < date.max else None
    return start, end
