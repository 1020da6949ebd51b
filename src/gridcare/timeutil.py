"""Time without a clock: aware instants, local days and report windows.

Rules (DESIGN.md, "Time"):

* every instant handed to the domain is timezone-aware; a naive one is refused
  with :class:`~gridcare.errors.InvalidInput` code ``naive_datetime``;
* calendar days are local days in the policy's zone (default ``Asia/Shanghai``);
* nothing here reads the clock: callers pass ``as_of``.

Day arithmetic is on local calendar dates, then converted back to instants at
local midnight, so a measure ending "at the end of day 7" ends at 00:00 local
time of day 8 whatever the UTC offset.

>>> from datetime import datetime
>>> t = datetime(2022, 7, 1, 15, 0, tzinfo=DEFAULT_ZONE)
>>> local_date(t).isoformat()
'2022-07-01'
>>> midnight_after(t, days=7).isoformat()  # 7 days from 07-01 15:00 (9th edition example)
'2022-07-09T00:00:00+08:00'
"""

from __future__ import annotations

import functools
from datetime import date, datetime, time, timedelta, tzinfo

import attrs
from dateutil import tz

from gridcare.errors import InvalidInput

__all__ = [
    "DEFAULT_CUTOFF",
    "DEFAULT_ZONE",
    "DEFAULT_ZONE_NAME",
    "ReportWindow",
    "add_days",
    "day_index",
    "is_aware",
    "local_date",
    "localize",
    "midnight_after",
    "report_window",
    "require_aware",
    "start_of_day",
    "zone",
]

DEFAULT_ZONE_NAME = "Asia/Shanghai"
DEFAULT_CUTOFF = time(8, 0)


@functools.lru_cache(maxsize=64)
def zone(name: str = DEFAULT_ZONE_NAME) -> tzinfo:
    """The ``tzinfo`` for an IANA zone name, refusing unknown names.

    >>> zone("Asia/Shanghai").utcoffset(datetime(2022, 3, 27))
    datetime.timedelta(seconds=28800)
    """
    found = tz.gettz(name)
    if found is None or not name:
        raise InvalidInput("unknown_zone", "zone", f"unknown time zone {name!r}", value=name)
    return found


DEFAULT_ZONE: tzinfo = zone(DEFAULT_ZONE_NAME)


def is_aware(value: datetime) -> bool:
    """Whether ``value`` carries a UTC offset.

    >>> is_aware(datetime(2022, 3, 27, 8))
    False
    """
    return value.tzinfo is not None and value.tzinfo.utcoffset(value) is not None


def require_aware(value: object, field: str = "instant") -> datetime:
    """Return ``value`` if it is an aware ``datetime``; otherwise raise ``InvalidInput``.

    >>> require_aware(datetime(2022, 3, 27, 8), "received_at")
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: received_at: naive datetime: a UTC offset or zone ...
    """
    if not isinstance(value, datetime):
        raise InvalidInput(
            "not_datetime", field, f"expected a datetime, got {type(value).__name__}", value=value
        )
    if not is_aware(value):
        raise InvalidInput(
            "naive_datetime",
            field,
            "naive datetime: a UTC offset or zone is required",
            value=value.isoformat(),
        )
    return value


def localize(value: datetime, tzone: tzinfo = DEFAULT_ZONE) -> datetime:
    """Attach ``tzone`` to a naive local time; an aware value is returned unchanged.

    This is for form parsers only: domain constructors refuse naive values.

    >>> localize(datetime(2022, 3, 27, 8)).isoformat()
    '2022-03-27T08:00:00+08:00'
    """
    if is_aware(value):
        return value
    return value.replace(tzinfo=tzone)


def local_date(instant: datetime, tzone: tzinfo = DEFAULT_ZONE) -> date:
    """The local calendar date of an aware instant in ``tzone``.

    >>> from datetime import timezone
    >>> local_date(datetime(2022, 6, 30, 17, 0, tzinfo=timezone.utc)).isoformat()
    '2022-07-01'
    """
    return require_aware(instant).astimezone(tzone).date()


def start_of_day(day: date, tzone: tzinfo = DEFAULT_ZONE) -> datetime:
    """Local midnight at the start of ``day``, as an aware instant.

    >>> start_of_day(date(2022, 7, 9)).isoformat()
    '2022-07-09T00:00:00+08:00'
    """
    return tz.resolve_imaginary(datetime.combine(day, time(0), tzinfo=tzone))


def add_days(day: date, days: int) -> date:
    """``day`` plus a whole number of calendar days.

    >>> add_days(date(2022, 2, 27), 2).isoformat()
    '2022-03-01'
    """
    return day + timedelta(days=days)


def day_index(anchor: datetime, instant: datetime, tzone: tzinfo = DEFAULT_ZONE) -> int:
    """Which day of a measure ``instant`` falls on, counting the anchor's local date as day 0.

    >>> a = datetime(2022, 7, 1, 23, 30, tzinfo=DEFAULT_ZONE)
    >>> day_index(a, datetime(2022, 7, 2, 0, 10, tzinfo=DEFAULT_ZONE))
    1
    """
    return (local_date(instant, tzone) - local_date(anchor, tzone)).days


def midnight_after(anchor: datetime, days: int, tzone: tzinfo = DEFAULT_ZONE) -> datetime:
    """Local midnight at the end of day ``days`` counted from ``anchor`` (day 0).

    A step of N days anchored at A is in force until ``midnight_after(A, N)``
    (exclusive): DESIGN.md, "Day counting for measures".

    >>> midnight_after(datetime(2022, 7, 1, 0, 0, tzinfo=DEFAULT_ZONE), 7).isoformat()
    '2022-07-09T00:00:00+08:00'
    """
    return start_of_day(add_days(local_date(anchor, tzone), days + 1), tzone)


@attrs.frozen
class ReportWindow:
    """The period a daily report covers: cumulative before ``cutoff``, daily in ``[start, cutoff)``.

    >>> w = report_window(date(2022, 3, 27))
    >>> w.cutoff.isoformat(), w.start.isoformat()
    ('2022-03-27T08:00:00+08:00', '2022-03-26T08:00:00+08:00')
    >>> w.in_day(datetime(2022, 3, 27, 7, 59, tzinfo=DEFAULT_ZONE))
    True
    """

    start: datetime
    cutoff: datetime

    def cumulative(self, instant: datetime) -> bool:
        """Whether a record at ``instant`` counts in the cumulative figures (strictly before)."""
        return instant < self.cutoff

    def in_day(self, instant: datetime) -> bool:
        """Whether a record at ``instant`` counts in the day's increments."""
        return self.start <= instant < self.cutoff

    def previous(self) -> ReportWindow:
        """The window of the report before this one.

        >>> report_window(date(2022, 3, 27)).previous().cutoff.isoformat()
        '2022-03-26T08:00:00+08:00'
        """
        return ReportWindow(start=self.start - timedelta(hours=24), cutoff=self.start)


def report_window(
    report_day: date | datetime,
    cutoff: time = DEFAULT_CUTOFF,
    tzone: tzinfo = DEFAULT_ZONE,
) -> ReportWindow:
    """The report window of a local report date (or of the latest cutoff at or before an instant).

    Given a ``date``, the cutoff is that date at ``cutoff`` local time. Given an
    aware instant (an ``as_of``), it is the most recent cutoff at or before it.
    The day's figures cover the 24 hours before the cutoff (DESIGN.md, "Reports").

    >>> report_window(datetime(2022, 3, 27, 7, 0, tzinfo=DEFAULT_ZONE)).cutoff.isoformat()
    '2022-03-26T08:00:00+08:00'
    """
    if isinstance(report_day, datetime):
        as_of = require_aware(report_day, "as_of").astimezone(tzone)
        day = as_of.date()
        if as_of.time().replace(tzinfo=None) < cutoff:
            day = add_days(day, -1)
    else:
        day = report_day
    end = tz.resolve_imaginary(datetime.combine(day, cutoff, tzinfo=tzone))
    return ReportWindow(start=end - timedelta(hours=24), cutoff=end)
