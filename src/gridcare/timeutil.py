"""Time without a clock: aware instants, local days and report windows.

Rules (docs/design.md, "Time"):

* every instant handed to the domain is timezone-aware; a naive one is refused
  with :class:`~gridcare.errors.InvalidInput` code ``naive_datetime``;
* calendar days are local days in the policy's zone (default ``Asia/Shanghai``);
* nothing here reads the clock: callers pass ``as_of``;
* a record belongs to the daily report whose cutoff (08:00 local time by
  default) is the first strictly after it: :class:`ReportClock` holds that
  rule, for one instant, for many at once and for the window a report covers.

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
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, tzinfo

import attrs
from dateutil import tz

from gridcare.errors import InvalidInput
from gridcare.reportdays import DayNumbers

__all__ = [
    "DEFAULT_CUTOFF",
    "DEFAULT_ZONE",
    "DEFAULT_ZONE_NAME",
    "ReportClock",
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


#: The midnights :func:`midnight_after` has computed, by (day 0, days, id of the zone), with
#: the zone kept beside to check the id: dateutil's zones are not hashable, and converting a
#: wall time with a zone's rules costs microseconds while plans ask for the same few dates.
_MIDNIGHTS: dict[tuple[date, int, int], tuple[tzinfo, datetime]] = {}
_MIDNIGHTS_LIMIT = 4096


def midnight_after(anchor: datetime | date, days: int, tzone: tzinfo = DEFAULT_ZONE) -> datetime:
    """Local midnight at the end of day ``days`` counted from ``anchor`` (day 0).

    ``anchor`` is an aware instant, whose local date in ``tzone`` is day 0, or
    that local date itself. A step of N days anchored at A is in force until
    ``midnight_after(A, N)`` (exclusive): docs/design.md, "Day counting for
    measures". Each (date, zone) is converted once, then remembered.

    >>> midnight_after(datetime(2022, 7, 1, 0, 0, tzinfo=DEFAULT_ZONE), 7).isoformat()
    '2022-07-09T00:00:00+08:00'
    >>> midnight_after(date(2022, 7, 1), 7).isoformat()
    '2022-07-09T00:00:00+08:00'
    """
    if isinstance(anchor, date) and not isinstance(anchor, datetime):
        day0 = anchor
    else:
        day0 = local_date(anchor, tzone)
    key = (day0, days, id(tzone))
    found = _MIDNIGHTS.get(key)
    if found is not None and found[0] is tzone:
        return found[1]
    midnight = start_of_day(add_days(day0, days + 1), tzone)
    if len(_MIDNIGHTS) >= _MIDNIGHTS_LIMIT:
        _MIDNIGHTS.clear()
    _MIDNIGHTS[key] = (tzone, midnight)
    return midnight


@attrs.frozen
class ReportWindow:
    """The period a daily report covers: cumulative before ``cutoff``, daily in ``[start, cutoff)``.

    Made by :meth:`ReportClock.window` (or :func:`report_window`): ``start`` is
    the previous report day's cutoff.

    >>> w = report_window(date(2022, 3, 27))
    >>> w.cutoff.isoformat(), w.start.isoformat()
    ('2022-03-27T08:00:00+08:00', '2022-03-26T08:00:00+08:00')
    >>> w.in_day(datetime(2022, 3, 27, 7, 59, tzinfo=DEFAULT_ZONE))
    True
    """

    start: datetime
    cutoff: datetime

    def cumulative(self, instant: datetime) -> bool:
        """Whether a record at ``instant`` counts in the cumulative figures (strictly before).

        >>> w = report_window(date(2022, 3, 27))
        >>> w.cumulative(datetime(2022, 3, 27, 8, tzinfo=DEFAULT_ZONE))
        False
        """
        return instant < self.cutoff

    def in_day(self, instant: datetime) -> bool:
        """Whether a record at ``instant`` counts in the day's increments.

        >>> report_window(date(2022, 3, 27)).in_day(datetime(2022, 3, 26, 8, tzinfo=DEFAULT_ZONE))
        True
        """
        return self.start <= instant < self.cutoff

    def previous(self) -> ReportWindow:
        """The window of the report before this one (24 hours earlier on the wall clock).

        >>> report_window(date(2022, 3, 27)).previous().cutoff.isoformat()
        '2022-03-26T08:00:00+08:00'
        """
        return ReportWindow(start=self.start - timedelta(hours=24), cutoff=self.start)


@attrs.frozen
class ReportClock:
    """The report-day rule: a record counts in the report of the first cutoff strictly after it.

    A report day's cutoff is that local date at ``cutoff`` (08:00 by default) in
    ``zone`` (Asia/Shanghai by default). Every path that needs a report day or a
    cutoff asks this class: one instant (:meth:`report_day`), many at once
    (:meth:`report_days`, which bisects the same :meth:`cutoff_of` values), the
    window a report covers (:meth:`window`) and the report an ``as_of`` closes
    (:meth:`latest_day`).

    >>> clock = ReportClock()
    >>> clock.report_day(datetime(2022, 3, 27, 7, 59, tzinfo=DEFAULT_ZONE)).isoformat()
    '2022-03-27'
    >>> clock.report_day(datetime(2022, 3, 27, 8, 0, tzinfo=DEFAULT_ZONE)).isoformat()
    '2022-03-28'
    """

    cutoff: time = DEFAULT_CUTOFF
    zone: tzinfo = DEFAULT_ZONE

    def cutoff_of(self, day: date) -> datetime:
        """The cutoff instant of a report day (a wall time that does not exist moves forward).

        >>> ReportClock().cutoff_of(date(2022, 3, 27)).isoformat()
        '2022-03-27T08:00:00+08:00'
        """
        return tz.resolve_imaginary(datetime.combine(day, self.cutoff, tzinfo=self.zone))

    def report_day(self, instant: datetime) -> date:
        """The report day an aware instant counts in: the first cutoff strictly after it.

        >>> ReportClock().report_day(datetime(2022, 3, 26, 23, 0, tzinfo=DEFAULT_ZONE))
        datetime.date(2022, 3, 27)
        """
        day = local_date(instant, self.zone)
        return day if instant < self.cutoff_of(day) else add_days(day, 1)

    def latest_day(self, as_of: datetime) -> date:
        """The report day whose cutoff is the latest at or before ``as_of`` (the last one closed).

        >>> ReportClock().latest_day(datetime(2022, 3, 27, 8, 0, tzinfo=DEFAULT_ZONE))
        datetime.date(2022, 3, 27)
        >>> ReportClock().latest_day(datetime(2022, 3, 27, 7, 59, tzinfo=DEFAULT_ZONE))
        datetime.date(2022, 3, 26)
        """
        return add_days(self.report_day(require_aware(as_of, "as_of")), -1)

    def window(self, day: date | datetime) -> ReportWindow:
        """The window of a report day, or of the latest cutoff at or before an aware instant.

        >>> w = ReportClock().window(date(2022, 3, 27))
        >>> w.start.isoformat(), w.cutoff.isoformat()
        ('2022-03-26T08:00:00+08:00', '2022-03-27T08:00:00+08:00')
        """
        if isinstance(day, datetime):
            day = self.latest_day(day)
        return ReportWindow(start=self.cutoff_of(add_days(day, -1)), cutoff=self.cutoff_of(day))

    def report_days(self, instants: Sequence[datetime]) -> list[date]:
        """The report day of each instant, as :meth:`report_day` gives it, for many at once.

        One bisection each over the cutoffs of a window of days
        (:class:`gridcare.reportdays.DayNumbers`); a naive instant raises
        ``InvalidInput`` naming its place (``instants.<i>``).

        >>> ts = [datetime(2022, 3, 26, 9, tzinfo=DEFAULT_ZONE),
        ...       datetime(2022, 3, 27, 9, tzinfo=DEFAULT_ZONE)]
        >>> [d.isoformat() for d in ReportClock().report_days(ts)]
        ['2022-03-27', '2022-03-28']
        """
        days = DayNumbers(self)
        try:
            numbers = days.numbers(instants)
        except TypeError:  # a naive instant or a non-instant: name it
            for i, instant in enumerate(instants):
                require_aware(instant, f"instants.{i}")
            raise
        found = {number: days.day(number) for number in set(numbers)}
        return [found[number] for number in numbers]


def report_window(
    report_day: date | datetime,
    cutoff: time = DEFAULT_CUTOFF,
    tzone: tzinfo = DEFAULT_ZONE,
) -> ReportWindow:
    """The report window of a local report date (or of the latest cutoff at or before an instant).

    The same as ``ReportClock(cutoff, tzone).window(report_day)``: given a
    ``date``, the cutoff is that date at ``cutoff`` local time; given an aware
    instant (an ``as_of``), it is the most recent cutoff at or before it. The
    day's figures cover the time since the previous cutoff (24 hours).

    >>> report_window(datetime(2022, 3, 27, 7, 0, tzinfo=DEFAULT_ZONE)).cutoff.isoformat()
    '2022-03-26T08:00:00+08:00'
    """
    return ReportClock(cutoff, tzone).window(report_day)
