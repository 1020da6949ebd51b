"""Report days of many instants at once: one bisection each over the cutoffs of a window of days.

The rule is :meth:`gridcare.timeutil.ReportClock.report_day`: an instant counts
in the report day whose cutoff (:meth:`~gridcare.timeutil.ReportClock.cutoff_of`)
is the first strictly after it. :class:`DayNumbers` applies that rule to columns
of instants. It asks the clock for the cutoffs of a window of days; then
``bisect_right`` over them gives, for each instant, how many cutoffs are at or
before it, which is the index of the first cutoff after it: its report day.

The window starts around the first instant seen and grows when a column holds
an instant outside it, so no pass is spent finding the instants' span first.
Day numbers count from the window's first day as it was first built, so they
stay valid when the window grows on either side (they may become negative).
:meth:`gridcare.timeutil.ReportClock.report_days` and the feeds of
:mod:`gridcare.reports.feeds` use it; a property test shows it agrees with
``report_day`` one instant at a time.

>>> from datetime import datetime
>>> from gridcare.timeutil import DEFAULT_ZONE, ReportClock
>>> days = DayNumbers(ReportClock())
>>> numbers = days.numbers([datetime(2022, 3, 26, 9, tzinfo=DEFAULT_ZONE),
...                         datetime(2022, 3, 27, 7, tzinfo=DEFAULT_ZONE)])
>>> [days.day(n).isoformat() for n in numbers]
['2022-03-27', '2022-03-27']
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Protocol

from gridcare.errors import InvalidInput, require_int, require_items, utc_offset

__all__ = ["EPOCH", "FIRST_REACH", "MARGIN", "CutoffRule", "DayNumbers", "cutoffs_as_compared"]

#: Days either side of the first instant's report day that the first window covers.
FIRST_REACH = 10
#: Days added either side of a column's span when the window grows to cover it.
MARGIN = 2
#: Instants in another ``tzinfo`` than the clock's are bisected as time since this.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: No two supported days (years 1900 to 2100) are more days apart than this.
_MAX_DAY_NUMBER = 201 * 366


class CutoffRule(Protocol):
    """What :class:`DayNumbers` needs of a clock: :class:`gridcare.timeutil.ReportClock`.

    >>> from gridcare.timeutil import ReportClock
    >>> clock: CutoffRule = ReportClock()
    >>> clock.cutoff_of(date(2022, 3, 27)).isoformat()
    '2022-03-27T08:00:00+08:00'
    """

    @property
    def zone(self) -> tzinfo:
        """The zone the cutoffs are local times of."""
        ...

    def cutoff_of(self, day: date) -> datetime:
        """The cutoff instant of a report day."""
        ...

    def report_day(self, instant: datetime) -> date:
        """The report day of one instant (the first cutoff strictly after it)."""
        ...


def _require_rule(clock: object) -> CutoffRule:
    """``clock`` if it has what a :class:`CutoffRule` has; ``InvalidInput`` otherwise."""
    if not (
        callable(getattr(clock, "cutoff_of", None))
        and callable(getattr(clock, "report_day", None))
        and isinstance(getattr(clock, "zone", None), tzinfo)
    ):
        raise InvalidInput(
            "wrong_type",
            "clock",
            f"expected a report clock (cutoff_of, report_day, zone), got {type(clock).__name__}",
        )
    return clock  # type: ignore[return-value]


class DayNumbers:
    """The report days of columns of instants, as whole numbers of days from :attr:`origin`.

    ``numbers(instants)`` gives one number per instant; ``day(number)`` is the
    report day it stands for. Numbers from different columns of one
    ``DayNumbers`` share the origin, so they can go into the same integer keys
    (``number * width + position``). A naive instant, anything that is not
    an aware ``datetime`` or an instant outside the years 1900 to 2100 raises
    ``InvalidInput`` naming its place (``instants.<i>``), as the clock's
    :meth:`~CutoffRule.report_day` refuses it.

    >>> from datetime import datetime
    >>> from gridcare.timeutil import DEFAULT_ZONE, ReportClock
    >>> days = DayNumbers(ReportClock())
    >>> first = days.numbers([datetime(2022, 3, 26, 9, tzinfo=DEFAULT_ZONE)])
    >>> later = days.numbers([datetime(2021, 3, 26, 9, tzinfo=DEFAULT_ZONE)])  # the window grows
    >>> days.day(first[0]).isoformat(), days.day(later[0]).isoformat()
    ('2022-03-27', '2021-03-27')
    """

    __slots__ = ("_clock", "_cutoffs", "_first", "_last", "_like", "_since_epoch", "origin")

    def __init__(self, clock: CutoffRule) -> None:
        self._clock = _require_rule(clock)
        #: The report day of number 0 (``None`` until the first instant is seen).
        self.origin: date | None = None
        self._first = date.min  # the day of the first cutoff in the window
        self._last = date.min  # the day of the last cutoff in the window
        self._like: tzinfo | None = None  # the first instant's tzinfo
        self._cutoffs: list[datetime] | list[timedelta] = []
        self._since_epoch = False

    @property
    def cutoffs(self) -> Sequence[datetime] | Sequence[timedelta]:
        """The window's cutoffs as the instants are compared with them.

        Datetimes in the first instant's ``tzinfo`` where that is the clock's
        zone or an equal copy of it, or where a daylight-saving change lies in
        the window; otherwise times since :data:`EPOCH` (see
        :func:`cutoffs_as_compared`).
        """
        return self._cutoffs

    def day(self, number: int) -> date:
        """The report day a number stands for.

        >>> from gridcare.timeutil import ReportClock
        >>> DayNumbers(ReportClock()).day(3)
        Traceback (most recent call last):
        ...
        gridcare.errors.InvalidInput: number: no instant seen yet: day numbers have ... [no_origin]
        """
        require_int(number, "number", low=-_MAX_DAY_NUMBER, high=_MAX_DAY_NUMBER)
        if self.origin is None:
            raise InvalidInput(
                "no_origin", "number", "no instant seen yet: day numbers have no origin"
            )
        return self.origin + timedelta(days=number)

    def numbers(self, instants: Sequence[datetime]) -> list[int]:
        """Each instant's report day, as a number of days after :attr:`origin`.

        The window grows first if an instant falls outside it; numbers given
        before stay valid. ``instants`` is a list or tuple; an instant the
        clock refuses raises ``InvalidInput`` naming it (``instants.<i>``).
        """
        if isinstance(instants, (str, bytes)) or not isinstance(instants, Sequence):
            raise InvalidInput(
                "not_list", "instants", f"expected a list, got {type(instants).__name__}"
            )
        if not instants:
            return []
        try:
            return self._numbers(instants)
        except (TypeError, InvalidInput):
            # A naive instant or a non-instant fails the comparisons, one outside the
            # supported years the clock: find it, one at a time, and name it.
            self._name_refused(instants)
            raise

    def _numbers(self, instants: Sequence[datetime]) -> list[int]:
        if self.origin is None:
            self._open(instants[0])
        found = self._bisect(instants)
        while not self._inside(found):
            self._grow(min(instants), max(instants))
            found = self._bisect(instants)
        assert self.origin is not None
        shift = (self._first - self.origin).days
        if shift:
            return [index + shift for index in found]
        return found

    def _name_refused(self, instants: Sequence[object]) -> None:
        """Raise the clock's ``InvalidInput`` for an instant it refuses, naming it ``instants.<i>``.

        A naive instant or a non-instant is found in one pass; when every
        instant is aware, one the clock refuses (outside the supported years)
        is the earliest or the latest.
        """
        for i, instant in enumerate(instants):
            if not isinstance(instant, datetime) or utc_offset(instant) is None:
                self._refuse(i, instant)
        aware: Sequence[datetime] = instants  # type: ignore[assignment]
        for instant in (min(aware), max(aware)):
            self._refuse(aware.index(instant), instant)

    def _refuse(self, i: int, instant: object) -> None:
        try:
            self._clock.report_day(instant)  # type: ignore[arg-type]
        except InvalidInput as err:
            raise InvalidInput(err.code, f"instants.{i}", err.message, value=err.value) from None

    def _open(self, first: datetime) -> None:
        """The first window: the first instant's report day and FIRST_REACH days either side."""
        middle = self._clock.report_day(first)
        self._like = first.tzinfo
        self.origin = middle - timedelta(days=FIRST_REACH + 1)
        self._set_window(self.origin, middle + timedelta(days=FIRST_REACH))

    def _grow(self, earliest: datetime, latest: datetime) -> None:
        """Widen the window to hold the report days of ``earliest`` to ``latest``, and MARGIN more.

        An instant whose report day is ``d`` is bisected inside the window when
        the cutoffs of ``d - 1`` and ``d`` are both in it.
        """
        margin = timedelta(days=MARGIN)
        first = min(self._first, self._clock.report_day(earliest) - timedelta(days=1) - margin)
        last = max(self._last, self._clock.report_day(latest) + margin)
        if (first, last) == (self._first, self._last):  # cannot happen: grow by a week anyway
            first, last = first - timedelta(days=7), last + timedelta(days=7)
        self._set_window(first, last)

    def _set_window(self, first: date, last: date) -> None:
        self._first, self._last = first, last
        days = [first + timedelta(days=k) for k in range((last - first).days + 1)]
        self._cutoffs, self._since_epoch = cutoffs_as_compared(self._clock, days, self._like)

    def _inside(self, found: list[int]) -> bool:
        """Whether every bisection fell between two cutoffs of the window.

        ``0`` means before the first cutoff (an earlier one may be the first after
        the instant too); ``len(cutoffs)`` means after the last one.
        """
        return min(found) > 0 and max(found) < len(self._cutoffs)

    def _bisect(self, instants: Sequence[datetime]) -> list[int]:
        cutoffs = self._cutoffs
        if self._since_epoch:
            return [bisect_right(cutoffs, instant - EPOCH) for instant in instants]
        return [bisect_right(cutoffs, instant) for instant in instants]


def cutoffs_as_compared(
    clock: CutoffRule, days: Sequence[date], like: tzinfo | None
) -> tuple[list[datetime] | list[timedelta], bool]:
    """The cutoffs of ``days`` as instants in ``like`` will be compared with them.

    Returns the cutoffs and whether they are times since :data:`EPOCH`.

    Python compares two instants of one ``tzinfo`` object field by field, and
    otherwise through both UTC offsets, one lookup each: bisecting instants of
    another ``tzinfo`` object (an equal copy of the zone after a process
    boundary, a fixed offset parsed from text, another ``zoneinfo`` zone)
    against the cutoffs costs some fourteen offset lookups
    per instant, 55 to 90 times slower.

    - Instants in the clock's zone object: the cutoffs as they are.
    - Where the zone keeps one UTC offset over the window (sampled every 8
      hours: no zone changes and changes back within that), wall-clock order
      is UTC order, so no reading changes: an equal copy of the zone gets the
      cutoffs in the copy (field by field again), and any other ``tzinfo`` is
      bisected as time since the epoch (one offset lookup per instant).
    - Otherwise (a daylight-saving change in the window) the cutoffs stay in
      the zone and other ``tzinfo`` compare through UTC: exact, only slower.

    >>> from datetime import date, timezone
    >>> from gridcare.timeutil import ReportClock
    >>> cutoffs, since_epoch = cutoffs_as_compared(
    ...     ReportClock(), [date(2022, 3, 27)], timezone(timedelta(hours=8)))
    >>> since_epoch, cutoffs[0] == datetime(2022, 3, 27, tzinfo=UTC) - EPOCH
    (True, True)
    """
    rule = _require_rule(clock)
    if like is not None and not isinstance(like, tzinfo):
        raise InvalidInput("wrong_type", "like", f"expected tzinfo, got {type(like).__name__}")
    cutoffs = [rule.cutoff_of(day) for day in require_items(days, date, "days")]
    zone = rule.zone
    if like is None or like is zone or not cutoffs:
        return cutoffs, False
    step = timedelta(hours=8)
    points = [cutoffs[0] - step, *(c + k * step for c in cutoffs for k in range(3))]
    if len({point.utcoffset() for point in points}) != 1:
        return cutoffs, False
    if like == zone:
        return [cutoff.replace(tzinfo=like) for cutoff in cutoffs], False
    return [cutoff - EPOCH for cutoff in cutoffs], True
