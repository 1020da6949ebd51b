"""Report days of many instants at once: one bisection each over a window of cutoffs.

Shared by :meth:`gridcare.reports.rollups.ReportClock.report_days` and the bulk feeds
(:mod:`gridcare.reports.feeds`), which put the day index straight into integer keys.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from itertools import chain, repeat
from operator import add, sub
from typing import TYPE_CHECKING

from gridcare.timeutil import require_aware

if TYPE_CHECKING:  # pragma: no cover - typing only (rollups imports this module)
    from gridcare.reports.rollups import ReportClock

__all__ = ["Days", "OutOfWindow", "report_days"]


class OutOfWindow(Exception):
    """An instant fell outside the window of cutoffs: count again over the exact span."""


#: Days either side of the first instant seen that one bisection covers (129 cutoffs,
#: seven comparisons); records spanning more are counted over their exact span.
_WINDOW = 64
#: Days either side of the first column's span that later columns are bisected over.
_MARGIN = 2


class Days:
    """Report days of many instants: one bisection each over a window of cutoffs.

    Instants in the clock's own ``tzinfo`` object compare field by field (no
    UTC-offset lookups, which cost microseconds with ``dateutil`` zones), and
    the window is centred on the first instant seen, so no pass over the
    instants is needed to find their span: a bisection yields a day index,
    which goes into an integer key with the grid's position (see
    :class:`gridcare.reports.feeds._Keys`), and a city's 1.39 million attempts
    are counted at C level.
    An instant outside the window raises :class:`OutOfWindow`;
    :func:`gridcare.reports.feeds._windowed` then measures the exact span
    (``probe``) and counts again.
    """

    __slots__ = ("_clock", "_cutoffs", "_high", "_low", "_narrow", "_probe", "_since_epoch", "days")

    def __init__(
        self, clock: ReportClock, *, span: tuple[datetime, datetime] | None = None
    ) -> None:
        self._clock = clock
        self._probe = False
        self._low: datetime | None = None
        self._high: datetime | None = None
        self.days: list[date] = []
        self._cutoffs: list[datetime] | list[timedelta] | None = None
        self._since_epoch = False
        self._narrow: tuple[int, list[datetime] | list[timedelta]] | None = None
        if span is not None:
            first = clock.report_day(span[0])
            self._build(first, (clock.report_day(span[1]) - first).days, span[0].tzinfo)

    @classmethod
    def probe(cls, clock: ReportClock) -> Days:
        """A stand-in that only notes the earliest and latest instant it is given."""
        found = cls(clock)
        found._probe = True
        found.days = [date.min]
        return found

    @property
    def span(self) -> tuple[datetime, datetime] | None:
        """The earliest and latest instant a probe saw (``None`` if none)."""
        if self._low is None or self._high is None:
            return None
        return self._low, self._high

    def _build(self, first: date, span: int, like: tzinfo | None) -> None:
        # days[0] is a sentinel: bisect_right gives 0 only for instants before the window.
        self.days = [first + timedelta(days=k) for k in range(-1, span + 2)]
        self._cutoffs, self._since_epoch = _cutoffs_like(self._clock, self.days, like)

    def indices(self, instants: Iterable[datetime]) -> list[int]:
        """The index into :attr:`days` of each instant's report day.

        A ``None`` or non-datetime among ``instants`` raises ``TypeError`` (callers
        filter and check the column, then ask again).
        """
        if self._probe:
            column = list(instants)
            if column:
                low, high = min(column), max(column)
                if self._low is None or low < self._low:
                    self._low = low
                if self._high is None or high > self._high:
                    self._high = high
            return [0] * len(column)
        it = iter(instants)
        cutoffs = self._cutoffs
        if cutoffs is None:
            first = next(it, _NOTHING)
            if first is _NOTHING:
                return []
            if not isinstance(first, datetime) or first.tzinfo is None:
                raise TypeError("not an aware instant")  # the caller names the field
            middle = self._clock.report_day(first)
            self._build(middle - timedelta(days=_WINDOW), 2 * _WINDOW, first.tzinfo)
            cutoffs = self._cutoffs
            assert cutoffs is not None
            it = chain((first,), it)
        # Out-of-window indices (0, or past the last cutoff) are caught per key,
        # not per instant: see check(). A naive instant fails the comparison or
        # the subtraction (TypeError), and so does a non-instant.
        return self._bisect(cutoffs, it)

    def _bisect(
        self, cutoffs: list[datetime] | list[timedelta], instants: Iterable[datetime]
    ) -> list[int]:
        if self._since_epoch:
            return list(map(bisect_right, repeat(cutoffs), map(sub, instants, repeat(_EPOCH))))
        return list(map(bisect_right, repeat(cutoffs), instants))

    def column(self, read: Callable[[], Iterable[datetime]]) -> list[int]:
        """Like :meth:`indices`, for a column that ``read()`` can give again.

        The first column goes over the whole window and leaves a narrow one:
        the days it spans, and :data:`_MARGIN` days either side. Later columns
        (a city's records span a week or so) go over that, in half the
        comparisons; a column with an instant outside it (a bisection that
        gives either end) goes over the whole window again.
        """
        narrow = self._narrow
        if narrow is None:
            found = self.indices(read())
            cutoffs = self._cutoffs
            if found and not self._probe and cutoffs is not None:
                low, high = min(found), max(found)
                if low > 0 and high < len(cutoffs):
                    start = max(low - 1 - _MARGIN, 0)
                    stop = min(high + 2 + _MARGIN, len(cutoffs))
                    self._narrow = (start, cutoffs[start:stop])
            return found
        start, part = narrow
        found = self._bisect(part, read())
        if found and (min(found) == 0 or max(found) == len(part)):
            return self.indices(read())
        # bisect_right over part gives the index over the window less ``start``.
        return list(map(add, found, repeat(start))) if start else found

    def check(self, counted: Mapping[str, Mapping[int, int]], width: int) -> None:
        """Raise ``OutOfWindow`` if a key ``day * width + slot`` has a day outside the window."""
        if self._probe or self._cutoffs is None:
            return
        stop = len(self._cutoffs)
        for per_key in counted.values():
            if per_key and (min(per_key) // width == 0 or max(per_key) // width >= stop):
                raise OutOfWindow


_NOTHING = object()


#: Instants in another ``tzinfo`` than the clock's are bisected as time since this.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _cutoffs_like(
    clock: ReportClock, days: Sequence[date], like: tzinfo | None
) -> tuple[list[datetime] | list[timedelta], bool]:
    """The cutoffs of ``days`` as the instants will be compared with them.

    Returns the cutoffs and whether they are times since :data:`_EPOCH`.

    Python compares two instants of one ``tzinfo`` object field by field, and
    otherwise through both UTC offsets, which a ``dateutil`` zone computes in
    Python: bisecting instants of another ``tzinfo`` object (an equal copy of
    the zone after a process boundary, a fixed offset parsed from text, a
    ``zoneinfo`` zone) against the cutoffs costs some fourteen offset lookups
    per instant, 55 to 90 times slower. ``like`` is the first instant's
    ``tzinfo``.

    - Instants in the clock's zone object: the cutoffs as they are.
    - Where the zone keeps one UTC offset over the window (sampled every 8
      hours: no zone changes and changes back within that), wall-clock order
      is UTC order, so no reading changes: an equal copy of the zone gets the
      cutoffs in the copy (field by field again), and any other ``tzinfo`` is
      bisected as time since the epoch (one offset lookup per instant).
    - Otherwise (a daylight-saving change in the window) the cutoffs stay in
      the zone and other ``tzinfo`` compare through UTC: exact, only slower.
    """
    cutoffs = [clock.cutoff_of(d) for d in days]
    zone = clock.zone
    if like is None or like is zone or not cutoffs:
        return cutoffs, False
    step = timedelta(hours=8)
    points = [cutoffs[0] - step, *(c + k * step for c in cutoffs for k in range(3))]
    if len({p.utcoffset() for p in points}) != 1:
        return cutoffs, False
    if like == zone:
        return [c.replace(tzinfo=like) for c in cutoffs], False
    return [c - _EPOCH for c in cutoffs], True


def report_days(clock: ReportClock, instants: Sequence[datetime]) -> list[date]:
    """The report day of each instant: over the window, or over their exact span.

    A naive instant raises ``InvalidInput`` naming it (``instants.<i>``).
    """
    if not instants:
        return []
    try:
        days = Days(clock)
        found = days.indices(instants)
        if min(found) == 0 or max(found) >= len(days.days):
            days = Days(clock, span=(min(instants), max(instants)))
            found = days.indices(instants)
    except TypeError:
        for i, t in enumerate(instants):
            require_aware(t, f"instants.{i}")
        raise
    return list(map(days.days.__getitem__, found))
