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
import zoneinfo
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

import attrs

from gridcare.errors import InvalidInput, utc_offset
from gridcare.masking import masked_field_reprs
from gridcare.reportdays import DayNumbers

__all__ = [
    "DEFAULT_CUTOFF",
    "DEFAULT_ZONE",
    "DEFAULT_ZONE_NAME",
    "MAX_YEAR",
    "MIN_YEAR",
    "Midnights",
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
    "require_day",
    "start_of_day",
    "zone",
    "zone_names",
]

DEFAULT_ZONE_NAME = "Asia/Shanghai"
DEFAULT_CUTOFF = time(8, 0)

#: The supported instants and days: years ``MIN_YEAR`` to ``MAX_YEAR`` inclusive.
#: Anything outside is refused with code ``out_of_range``, so day arithmetic
#: never overflows the ``datetime`` range.
MIN_YEAR = 1900
MAX_YEAR = 2100

#: No IANA zone name is longer than this.
_MAX_ZONE_NAME = 64
#: More days than this between two supported dates cannot be.
_MAX_DAYS = (MAX_YEAR - MIN_YEAR + 1) * 366


@functools.cache
def zone_names() -> frozenset[str]:
    """The IANA zone names :func:`zone` accepts: ``zoneinfo.available_timezones()``.

    Read once from the time-zone database the first time it is asked for,
    then kept (an immutable set; nothing else is remembered).

    >>> "Asia/Shanghai" in zone_names(), "/etc/localtime" in zone_names()
    (True, False)
    """
    return frozenset(zoneinfo.available_timezones())


def zone(name: str = DEFAULT_ZONE_NAME) -> tzinfo:
    """The ``tzinfo`` for an IANA zone name, refusing anything else.

    Only names in :func:`zone_names` are accepted: never a file path, so
    ``"/etc/localtime"`` or ``"../x"`` is ``InvalidInput`` code ``unknown_zone``.

    >>> zone("Asia/Shanghai").utcoffset(datetime(2022, 3, 27))
    datetime.timedelta(seconds=28800)
    >>> zone("/etc/passwd")
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: zone: unknown time zone '/etc/passwd' [unknown_zone]
    """
    if not isinstance(name, str):
        raise InvalidInput(
            "not_string", "zone", f"expected a zone name, got {type(name).__name__}", value=name
        )
    if len(name) > _MAX_ZONE_NAME or name not in zone_names():
        raise InvalidInput("unknown_zone", "zone", f"unknown time zone {name!r}", value=name)
    return _zone_by_name(name)


def _zone_by_name(name: str) -> tzinfo:
    # ZoneInfo keeps one object per name itself, so equal names give the same object.
    return zoneinfo.ZoneInfo(name)


_ONE_DAY = timedelta(days=1)


def _resolve_gap(local: datetime) -> datetime:
    """A wall time moved forward across a gap if it does not exist (a spring-forward hour).

    An instant that exists comes back as it was. In a gap, the standard
    library reads a wall time (``fold=0``) with the offset before the
    transition; through UTC and back it lands on the wall time after the gap,
    moved forward by the gap's length.
    """
    return local.astimezone(UTC).astimezone(local.tzinfo)


#: The zone of local days and cutoffs unless a policy or a clock names another: the
#: ``zoneinfo`` zone of :data:`DEFAULT_ZONE_NAME` (Asia/Shanghai).
DEFAULT_ZONE: tzinfo = zone(DEFAULT_ZONE_NAME)


def is_aware(value: datetime) -> bool:
    """Whether ``value`` carries a UTC offset.

    >>> is_aware(datetime(2022, 3, 27, 8)), is_aware("2022-03-27")
    (False, False)
    """
    if not isinstance(value, datetime) or value.tzinfo is None:
        return False
    return utc_offset(value) is not None


def require_aware(value: object, field: str = "instant") -> datetime:
    """Return ``value`` if it is an aware ``datetime`` in the supported range, else raise.

    Codes: ``not_datetime``, ``naive_datetime``, ``bad_zone`` for a
    ``tzinfo`` that gives no offset (one that fails, or a day or more), and
    ``out_of_range`` for a year outside :data:`MIN_YEAR`-:data:`MAX_YEAR`
    (local year of the value).

    >>> require_aware(datetime(9999, 12, 31, tzinfo=DEFAULT_ZONE), "at").code
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: at: year 9999 is outside 1900-2100 [out_of_range]
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
        if value.tzinfo is not None:  # a zone that gives no offset, or fails
            raise InvalidInput(
                "bad_zone",
                field,
                "its tzinfo gives no UTC offset (less than a day either way) for it",
                value=value.replace(tzinfo=None).isoformat(),
            )
        raise InvalidInput(
            "naive_datetime",
            field,
            "naive datetime: a UTC offset or zone is required",
            value=value.isoformat(),
        )
    _check_year(value.year, field, value)
    return value


def _check_year(year: int, field: str, value: object) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInput(
            "out_of_range",
            field,
            f"year {year} is outside {MIN_YEAR}-{MAX_YEAR}",
            value=value,
        )


def require_day(value: object, field: str = "day") -> date:
    """Return ``value`` if it is a ``date`` (not a ``datetime``) in the supported range.

    Codes: ``not_date``, ``out_of_range``.

    >>> require_day(date(2022, 3, 27)).isoformat()
    '2022-03-27'
    >>> require_day(date(1, 1, 1), "report_day")
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: report_day: year 1 is outside 1900-2100 [out_of_range]
    """
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidInput(
            "not_date", field, f"expected a date, got {type(value).__name__}", value=value
        )
    _check_year(value.year, field, value)
    return value


#: Where a zone given as a ``tzinfo`` is asked for its offset before it is taken: the
#: supported years' ends and a day between.
_ZONE_PROBES = (datetime(1900, 1, 2), datetime(2000, 1, 1), datetime(2100, 12, 30))


#: The standard library's own zones, by exact type (a subclass may override what they
#: answer): each gives an offset under a day and converts from UTC for every instant of
#: the supported years, so they are taken without the probes.
_STANDARD_ZONES = (timezone, zoneinfo.ZoneInfo)


def _require_zone(value: object, field: str = "zone") -> tzinfo:
    if isinstance(value, tzinfo) and type(value) in _STANDARD_ZONES:
        return value
    if not isinstance(value, tzinfo):
        raise InvalidInput(
            "not_zone", field, f"expected a tzinfo, got {type(value).__name__}", value=value
        )
    if not all(_answers(value, probe) for probe in _ZONE_PROBES):
        raise InvalidInput(
            "bad_zone",
            field,
            "the tzinfo gives no UTC offset (less than a day either way) or cannot convert",
        )
    return value


def _answers(tzone: tzinfo, probe: datetime) -> bool:
    """Whether ``tzone`` gives an offset for the wall time ``probe`` and converts the same
    instant from UTC (what a clock asks of its zone: ``utcoffset``, ``dst``, ``fromutc``)."""
    local = probe.replace(tzinfo=tzone)
    if utc_offset(local) is None:
        return False
    try:
        probe.replace(tzinfo=UTC).astimezone(tzone)
        local.dst()
    except Exception:  # a caller's tzinfo that is incomplete or fails: refused where given
        return False
    return True


def localize(value: datetime, tzone: tzinfo = DEFAULT_ZONE) -> datetime:
    """Attach ``tzone`` to a naive local time; an aware value is returned unchanged.

    This is for form parsers only: domain constructors refuse naive values. It
    checks types only (``not_datetime``, ``not_zone``); the supported range is
    checked where the instant enters the domain (:func:`require_aware`).

    >>> localize(datetime(2022, 3, 27, 8)).isoformat()
    '2022-03-27T08:00:00+08:00'
    """
    if not isinstance(value, datetime):
        raise InvalidInput(
            "not_datetime",
            "instant",
            f"expected a datetime, got {type(value).__name__}",
            value=value,
        )
    zone = _require_zone(tzone)
    if is_aware(value):
        return value
    return value.replace(tzinfo=zone)


def local_date(instant: datetime, tzone: tzinfo = DEFAULT_ZONE) -> date:
    """The local calendar date of an aware instant in ``tzone``.

    >>> from datetime import timezone
    >>> local_date(datetime(2022, 6, 30, 17, 0, tzinfo=timezone.utc)).isoformat()
    '2022-07-01'
    """
    return require_aware(instant).astimezone(_require_zone(tzone)).date()


def start_of_day(day: date, tzone: tzinfo = DEFAULT_ZONE) -> datetime:
    """Local midnight at the start of ``day``, as an aware instant.

    >>> start_of_day(date(2022, 7, 9)).isoformat()
    '2022-07-09T00:00:00+08:00'
    """
    day = require_day(day)
    return _resolve_gap(datetime.combine(day, time(0), tzinfo=_require_zone(tzone)))


def add_days(day: date, days: int) -> date:
    """``day`` plus a whole number of calendar days.

    Both ``day`` and the result must be supported dates (:func:`require_day`);
    ``days`` must be a whole number.

    >>> add_days(date(2022, 2, 27), 2).isoformat()
    '2022-03-01'
    >>> add_days(date(2022, 2, 27), 10**9)
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: days: the result would be outside 1900-2100 [out_of_range]
    """
    require_day(day)
    if isinstance(days, bool) or not isinstance(days, int):
        raise InvalidInput(
            "not_integer", "days", f"expected a whole number, got {type(days).__name__}", value=days
        )
    if abs(days) > _MAX_DAYS:
        raise InvalidInput(
            "out_of_range",
            "days",
            f"the result would be outside {MIN_YEAR}-{MAX_YEAR}",
            value=days,
        )
    result = day + timedelta(days=days)
    if not MIN_YEAR <= result.year <= MAX_YEAR:
        raise InvalidInput(
            "out_of_range",
            "days",
            f"the result would be outside {MIN_YEAR}-{MAX_YEAR}",
            value=days,
        )
    return result


def day_index(anchor: datetime, instant: datetime, tzone: tzinfo = DEFAULT_ZONE) -> int:
    """Which day of a measure ``instant`` falls on, counting the anchor's local date as day 0.

    >>> a = datetime(2022, 7, 1, 23, 30, tzinfo=DEFAULT_ZONE)
    >>> day_index(a, datetime(2022, 7, 2, 0, 10, tzinfo=DEFAULT_ZONE))
    1
    """
    return (local_date(instant, tzone) - local_date(anchor, tzone)).days


def midnight_after(anchor: datetime | date, days: int, tzone: tzinfo = DEFAULT_ZONE) -> datetime:
    """Local midnight at the end of day ``days`` counted from ``anchor`` (day 0).

    ``anchor`` is an aware instant, whose local date in ``tzone`` is day 0, or
    that local date itself. A step of N days anchored at A is in force until
    ``midnight_after(A, N)`` (exclusive): docs/design.md, "Day counting". A
    caller asking for the same dates many times keeps a :class:`Midnights` of
    its own. ``days`` that is not a whole number is ``InvalidInput``.

    >>> midnight_after(datetime(2022, 7, 1, 0, 0, tzinfo=DEFAULT_ZONE), 7).isoformat()
    '2022-07-09T00:00:00+08:00'
    >>> midnight_after(date(2022, 7, 1), 7).isoformat()
    '2022-07-09T00:00:00+08:00'
    """
    if isinstance(days, bool) or not isinstance(days, int):
        raise InvalidInput("not_integer", "days", "expected a whole number of days")
    if isinstance(anchor, date) and not isinstance(anchor, datetime):
        day0 = anchor
    else:
        day0 = local_date(anchor, tzone)
    return start_of_day(add_days(day0, days + 1), tzone)


class Midnights:
    """:func:`midnight_after` for one zone, remembering each midnight it has computed.

    Converting a wall time with a zone's rules costs microseconds, while a
    batch of plans asks for the same few dates again and again. The memo
    belongs to whoever creates it (one call of the risk engine, say) and goes
    away with it: nothing is remembered between calls.

    >>> m = Midnights(DEFAULT_ZONE)
    >>> m.after(date(2022, 7, 1), 7).isoformat()
    '2022-07-09T00:00:00+08:00'
    >>> m.after(date(2022, 7, 1), 7) is m.after(date(2022, 7, 1), 7)
    True
    """

    __slots__ = ("_found", "zone")

    def __init__(self, tzone: tzinfo = DEFAULT_ZONE) -> None:
        self.zone = _require_zone(tzone)
        self._found: dict[int, datetime] = {}

    def after(self, day0: date, days: int) -> datetime:
        """``midnight_after(day0, days, zone)``, computed once per date.

        >>> Midnights().after(date(2022, 7, 8), 0).isoformat()
        '2022-07-09T00:00:00+08:00'
        """
        key = day0.toordinal() + days
        found = self._found.get(key)
        if found is None:
            found = midnight_after(day0, days, self.zone)
            self._found[key] = found
        return found


def _require_time(value: object) -> time:
    if not isinstance(value, time):
        raise InvalidInput(
            "not_time", "cutoff", f"expected a time, got {type(value).__name__}", value=value
        )
    return value


@attrs.frozen(field_transformer=masked_field_reprs)
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

    start: datetime = attrs.field(validator=lambda _, a, v: require_aware(v, a.name))
    cutoff: datetime = attrs.field(validator=lambda _, a, v: require_aware(v, a.name))

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


@attrs.frozen(field_transformer=masked_field_reprs)
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

    cutoff: time = attrs.field(default=DEFAULT_CUTOFF, validator=lambda _, a, v: _require_time(v))
    zone: tzinfo = attrs.field(default=DEFAULT_ZONE, validator=lambda _, a, v: _require_zone(v))

    def cutoff_of(self, day: date) -> datetime:
        """The cutoff instant of a report day (a wall time that does not exist moves forward).

        >>> ReportClock().cutoff_of(date(2022, 3, 27)).isoformat()
        '2022-03-27T08:00:00+08:00'
        """
        return self._cutoff_of(require_day(day))

    def _cutoff_of(self, day: date) -> datetime:
        """:meth:`cutoff_of` for a day already checked (or the day before one)."""
        return _resolve_gap(datetime.combine(day, self.cutoff, tzinfo=self.zone))

    def report_day(self, instant: datetime) -> date:
        """The report day an aware instant counts in: the first cutoff strictly after it.

        A gap can move a cutoff past midnight (a 23:30 cutoff on a day that
        springs forward at 23:00 falls at 00:30 the next day), so an instant
        early on a date can still count in the day before. No gap is longer
        than a day, so no earlier cutoff can reach it.

        >>> ReportClock().report_day(datetime(2022, 3, 26, 23, 0, tzinfo=DEFAULT_ZONE))
        datetime.date(2022, 3, 27)
        >>> nuuk = ReportClock(cutoff=time(23, 30), zone=zone("America/Nuuk"))
        >>> nuuk.report_day(datetime(2024, 3, 31, 0, 10, tzinfo=nuuk.zone))
        datetime.date(2024, 3, 30)
        """
        day = local_date(instant, self.zone)
        if instant >= self._cutoff_of(day):
            return add_days(day, 1)
        before = day - _ONE_DAY
        return before if instant < self._cutoff_of(before) else day

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
        day = require_day(day, "report_day")
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
