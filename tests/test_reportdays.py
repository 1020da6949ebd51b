"""Report days of columns of instants (``gridcare.reportdays``): the window, its growth, the errors.

``DayNumbers`` bisects each instant over the cutoffs of a window of days. The
rule it applies is the clock's: a record counts in the report day whose cutoff
is the first strictly after it, so a record exactly at a cutoff belongs to the
next report day. These tests pin the window the numbers are counted from
(``FIRST_REACH`` days either side of the first instant's report day, ``MARGIN``
more on growth), the comparisons ``cutoffs_as_compared`` picks for each
``tzinfo``, and the errors naming what was refused.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridcare.errors import InvalidInput
from gridcare.reportdays import EPOCH, FIRST_REACH, MARGIN, DayNumbers, cutoffs_as_compared
from gridcare.timeutil import DEFAULT_ZONE, ReportClock, zone

BERLIN = zone("Europe/Berlin")
EAST_8 = timezone(timedelta(hours=8))
START = datetime(2022, 3, 20, tzinfo=DEFAULT_ZONE)
CUTOFFS = st.sampled_from([time(8), time(0), time(2, 30), time(23, 59)])
# Minutes around START: both sides of Berlin's spring and autumn changes of 2022.
MINUTES = st.integers(-300 * 24 * 60, 300 * 24 * 60)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


def _as_compared(clock: ReportClock, first: date, last: date, like: tzinfo | None) -> list[object]:
    return list(cutoffs_as_compared(clock, _days(first, last), like)[0])


# --- the rule, through the bulk path -------------------------------------------------


@settings(max_examples=60)
@given(
    st.dates(date(1990, 1, 1), date(2060, 12, 31)),
    CUTOFFS,
    st.sampled_from([DEFAULT_ZONE, BERLIN, EAST_8]),
    st.sampled_from(["zone", "utc"]),
)
def test_a_record_at_the_cutoff_counts_in_the_next_report_day(
    day: date, cutoff: time, clock_zone: tzinfo, kind: str
) -> None:
    clock = ReportClock(cutoff=cutoff, zone=clock_zone)
    at = clock.cutoff_of(day)
    tick = timedelta(microseconds=1)
    instants = [at - tick, at, at + tick]
    if kind == "utc":
        instants = [t.astimezone(UTC) for t in instants]
    days = DayNumbers(clock)
    assert [days.day(n) for n in days.numbers(instants)] == [
        day,
        day + timedelta(days=1),
        day + timedelta(days=1),
    ]


# --- the first window ----------------------------------------------------------------


def test_no_window_before_the_first_instant() -> None:
    days = DayNumbers(ReportClock())
    assert days.origin is None
    assert list(days.cutoffs) == []


@settings(max_examples=40)
@given(MINUTES, CUTOFFS, st.sampled_from([DEFAULT_ZONE, BERLIN]), st.sampled_from(["zone", "utc"]))
def test_the_first_window_reaches_first_reach_report_days_either_side(
    minute: int, cutoff: time, clock_zone: tzinfo, kind: str
) -> None:
    # Numbers count from the window's first day: the cutoff before the earliest report
    # day it holds, FIRST_REACH days before the first instant's.
    clock = ReportClock(cutoff=cutoff, zone=clock_zone)
    t = (START + timedelta(minutes=minute)).astimezone(clock_zone if kind == "zone" else UTC)
    middle = clock.report_day(t)
    days = DayNumbers(clock)
    assert days.numbers([t]) == [FIRST_REACH + 1]
    assert days.origin == middle - timedelta(days=FIRST_REACH + 1)
    reach = timedelta(days=FIRST_REACH)
    assert list(days.cutoffs) == _as_compared(clock, days.origin, middle + reach, t.tzinfo)


def test_instants_within_first_reach_keep_the_window_and_one_day_more_grows_it() -> None:
    clock = ReportClock()
    first = datetime(2022, 3, 26, 9, tzinfo=DEFAULT_ZONE)  # report day 27 March
    reach = timedelta(days=FIRST_REACH)
    one = timedelta(days=1)
    days = DayNumbers(clock)
    days.numbers([first])
    window = list(days.cutoffs)
    # The earliest and the latest report days the first window holds: no growth.
    inside = [first - reach, first + reach]
    numbers = days.numbers(inside)
    assert numbers == [1, 2 * FIRST_REACH + 1]
    assert [days.day(n) for n in numbers] == [clock.report_day(t) for t in inside]
    assert list(days.cutoffs) == window
    # A report day one beyond, on either side: the window grows.
    for beyond in (first - reach - one, first + reach + one):
        days = DayNumbers(clock)
        days.numbers([first])
        assert days.day(days.numbers([beyond])[0]) == clock.report_day(beyond)
        assert len(days.cutoffs) > len(window)


# --- growth ----------------------------------------------------------------------------


@settings(max_examples=40)
@given(
    st.integers(FIRST_REACH + 1, 400),
    st.integers(FIRST_REACH + 1, 400),
    st.sampled_from(["both", "earlier", "later"]),
    CUTOFFS,
)
def test_growth_covers_the_column_and_margin_days_more(
    before: int, after: int, side: str, cutoff: time
) -> None:
    clock = ReportClock(cutoff=cutoff)
    first = datetime(2022, 3, 26, 12, tzinfo=DEFAULT_ZONE)
    middle = clock.report_day(first)
    days = DayNumbers(clock)
    days.numbers([first])
    origin = days.origin
    assert origin is not None
    early = first - timedelta(days=before)
    late = first + timedelta(days=after)
    column = {"both": [late, first, early], "earlier": [early], "later": [late]}[side]
    numbers = days.numbers(column)
    assert [days.day(n) for n in numbers] == [clock.report_day(t) for t in column]
    margin = timedelta(days=MARGIN)
    low, high = origin, middle + timedelta(days=FIRST_REACH)  # the first window
    if side != "later":
        low = clock.report_day(early) - timedelta(days=1) - margin
    if side != "earlier":
        high = clock.report_day(late) + margin
    assert list(days.cutoffs) == _as_compared(clock, low, high, DEFAULT_ZONE)
    # Numbers keep the first window's origin, so the first instant keeps its number.
    assert days.origin == origin
    assert days.numbers([first]) == [FIRST_REACH + 1]


class _WrongReportDay:
    """A clock whose ``report_day`` disagrees with its cutoffs (always one fixed day)."""

    def __init__(self, day: date) -> None:
        self._clock = ReportClock()
        self._day = day

    @property
    def zone(self) -> tzinfo:
        return self._clock.zone

    def cutoff_of(self, day: date) -> datetime:
        return self._clock.cutoff_of(day)

    def report_day(self, instant: datetime) -> date:
        return self._day


def test_a_window_that_cannot_grow_by_the_report_days_still_grows() -> None:
    # Growth aims at the clock's report days; when those do not move the window it
    # grows anyway, on both sides, and the numbers still follow the cutoffs.
    clock = ReportClock()
    wrong = _WrongReportDay(date(2022, 3, 27))
    instants = [START - timedelta(days=40), START, START + timedelta(days=40)]
    days = DayNumbers(wrong)
    assert [days.day(n) for n in days.numbers(instants)] == [clock.report_day(t) for t in instants]
    first, last = days.cutoffs[0], days.cutoffs[-1]
    assert isinstance(first, datetime)
    assert isinstance(last, datetime)
    assert first <= instants[0]
    assert last > instants[-1]


# --- errors ----------------------------------------------------------------------------


def _cutoff_of(day: date) -> datetime:
    return ReportClock().cutoff_of(day)


def _report_day(instant: datetime) -> date:
    return ReportClock().report_day(instant)


NOT_CLOCKS = [
    SimpleNamespace(report_day=_report_day, zone=UTC),  # no cutoff_of
    SimpleNamespace(cutoff_of=_cutoff_of, zone=UTC),  # no report_day
    SimpleNamespace(cutoff_of=_cutoff_of, report_day=_report_day),  # no zone
    SimpleNamespace(cutoff_of=_cutoff_of, report_day=_report_day, zone="UTC"),
    SimpleNamespace(cutoff_of="08:00", report_day=_report_day, zone=UTC),
]


@pytest.mark.parametrize("clock", NOT_CLOCKS)
@pytest.mark.parametrize(
    "use",
    [DayNumbers, lambda c: cutoffs_as_compared(c, [date(2022, 3, 27)], None)],
    ids=["DayNumbers", "cutoffs_as_compared"],
)
def test_a_clock_needs_cutoff_of_report_day_and_a_zone(clock: object, use: object) -> None:
    with pytest.raises(InvalidInput) as err:
        use(clock)  # type: ignore[operator]
    assert (err.value.code, err.value.field) == ("wrong_type", "clock")
    assert "got SimpleNamespace" in err.value.message


def test_wrong_types_are_named_in_the_messages() -> None:
    with pytest.raises(InvalidInput) as err:
        DayNumbers(ReportClock()).numbers(3)  # type: ignore[arg-type]
    assert (err.value.code, err.value.field) == ("not_list", "instants")
    assert err.value.message == "expected a list, got int"
    with pytest.raises(InvalidInput) as err:
        cutoffs_as_compared(ReportClock(), [date(2022, 3, 27)], 3)  # type: ignore[arg-type]
    assert (err.value.code, err.value.field) == ("wrong_type", "like")
    assert err.value.message == "expected tzinfo, got int"


@pytest.mark.parametrize("number", [-(2**63), 2**63, -(10**6), 10**6])
def test_day_numbers_far_beyond_any_supported_day_are_out_of_range(number: int) -> None:
    days = DayNumbers(ReportClock())
    with pytest.raises(InvalidInput) as err:
        days.day(number)
    assert (err.value.code, err.value.field) == ("out_of_range", "number")
    days.numbers([START])
    with pytest.raises(InvalidInput) as err:
        days.day(number)
    assert (err.value.code, err.value.field) == ("out_of_range", "number")


def test_a_number_before_any_instant_has_no_day() -> None:
    with pytest.raises(InvalidInput) as err:
        DayNumbers(ReportClock()).day(-3)
    assert (err.value.code, err.value.field) == ("no_origin", "number")
    assert err.value.message.startswith("no instant seen yet")


@pytest.mark.parametrize(
    "bad",
    [datetime(9999, 1, 1, tzinfo=UTC), datetime(1800, 1, 1, tzinfo=UTC), datetime(2022, 3, 27)],
)
def test_a_refused_instant_keeps_the_clocks_error_under_its_place(bad: datetime) -> None:
    clock = ReportClock()
    with pytest.raises(InvalidInput) as alone:
        clock.report_day(bad)
    with pytest.raises(InvalidInput) as err:
        DayNumbers(clock).numbers([START, bad])
    assert err.value.field == "instants.1"
    assert (err.value.code, err.value.message) == (alone.value.code, alone.value.message)
    assert err.value.value is not None
    assert err.value.value == alone.value.value


# --- cutoffs as the instants are compared with them -----------------------------------


def test_cutoffs_for_the_clocks_zone_or_no_tzinfo_stay_as_the_clock_gives_them() -> None:
    clock = ReportClock()
    days = _days(date(2022, 3, 20), date(2022, 3, 30))
    own = [clock.cutoff_of(d) for d in days]
    for like in (clock.zone, None):
        cutoffs, since_epoch = cutoffs_as_compared(clock, days, like)
        assert since_epoch is False
        assert cutoffs == own
        assert all(c.tzinfo is clock.zone for c in cutoffs)  # type: ignore[union-attr]


def test_cutoffs_of_one_day_for_another_tzinfo_are_times_since_the_epoch() -> None:
    clock = ReportClock()
    cutoffs, since_epoch = cutoffs_as_compared(clock, [date(2022, 3, 27)], UTC)
    assert since_epoch is True
    assert cutoffs == [clock.cutoff_of(date(2022, 3, 27)) - EPOCH]


def test_cutoffs_for_an_equal_copy_of_the_zone_are_in_the_copy() -> None:
    # A fixed offset equal to the clock's zone but another object (as parsing gives):
    # the cutoffs move into the copy, so the instants compare field by field.
    clock = ReportClock(zone=EAST_8)
    copy = timezone(timedelta(hours=8))
    assert copy == EAST_8
    assert copy is not EAST_8
    days = _days(date(2022, 3, 20), date(2022, 3, 30))
    cutoffs, since_epoch = cutoffs_as_compared(clock, days, copy)
    assert since_epoch is False
    assert cutoffs == [clock.cutoff_of(d) for d in days]
    assert all(c.tzinfo is copy for c in cutoffs)  # type: ignore[union-attr]
    instants = [datetime(2022, 3, 26, h, tzinfo=copy) for h in (0, 7, 8, 9, 23)]
    reader = DayNumbers(clock)
    assert [reader.day(n) for n in reader.numbers(instants)] == [
        clock.report_day(t) for t in instants
    ]


class _Zone(tzinfo):
    """A zone by name that equals any other ``_Zone`` of that name (as after unpickling)."""

    def __init__(self, name: str) -> None:
        self._zone = zone(name)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Zone) and other._zone is self._zone

    def __hash__(self) -> int:
        return hash(self._zone)

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return self._zone.utcoffset(None if dt is None else dt.replace(tzinfo=self._zone))

    def dst(self, dt: datetime | None) -> timedelta | None:
        return self._zone.dst(None if dt is None else dt.replace(tzinfo=self._zone))

    def tzname(self, dt: datetime | None) -> str | None:
        return self._zone.tzname(None if dt is None else dt.replace(tzinfo=self._zone))

    def fromutc(self, dt: datetime) -> datetime:
        local = dt.replace(tzinfo=UTC).astimezone(self._zone)
        return local.replace(tzinfo=self)


def test_an_equal_copy_is_read_through_utc_when_the_clock_falls_back_after_the_window() -> None:
    # New York falls back at 02:00 EDT on 6 November 2022, half an hour after a 01:30
    # cutoff. The first instant's window ends at that cutoff; 01:15 EST, after it, is
    # before it on the wall clock, so the offsets are sampled past the window's last
    # cutoff and an instant of an equal copy is compared through UTC.
    new_york = _Zone("America/New_York")
    copy = _Zone("America/New_York")
    assert copy == new_york
    assert copy is not new_york
    clock = ReportClock(cutoff=time(1, 30), zone=new_york)
    first = datetime(2022, 10, 26, 12, tzinfo=copy)  # report day 27 October
    assert clock.report_day(first) == date(2022, 11, 6) - timedelta(days=FIRST_REACH)
    after = datetime(2022, 11, 6, 6, 15, tzinfo=UTC).astimezone(copy)
    assert (after.hour, after.minute, after.fold) == (1, 15, 1)
    assert clock.report_day(after) == date(2022, 11, 7)
    days = DayNumbers(clock)
    numbers = days.numbers([first, after])
    assert [days.day(n) for n in numbers] == [date(2022, 10, 27), date(2022, 11, 7)]


# --- a cutoff moved past midnight by a gap ---------------------------------------------


@pytest.mark.parametrize(
    ("name", "cutoff", "instant"),
    [
        # Nuuk springs forward at 23:00 (from 2024): 23:30 on 30 March is 00:30 on the 31st.
        ("America/Nuuk", time(23, 30), datetime(2024, 3, 31, 0, 10)),
        # Samoa skipped 30 December 2011: its 08:00 cutoff is 08:00 on the 31st.
        ("Pacific/Apia", time(8), datetime(2011, 12, 31, 3, 0)),
    ],
)
def test_report_day_agrees_with_the_bulk_path_and_the_window_when_a_gap_moves_a_cutoff(
    name: str, cutoff: time, instant: datetime
) -> None:
    clock = ReportClock(cutoff=cutoff, zone=zone(name))
    t = instant.replace(tzinfo=clock.zone)
    bulk = clock.report_days([t])[0]
    assert clock.window(bulk).in_day(t)
    assert clock.report_day(t) == bulk


#: Days a zone skipped or sprang forward late in the evening: (zone, the local day).
_GAPS = (
    ("America/Nuuk", date(2024, 3, 30)),
    ("Pacific/Apia", date(2011, 12, 30)),
    ("Pacific/Kiritimati", date(1994, 12, 31)),
    ("Europe/Madrid", date(1974, 4, 13)),
    ("Asia/Dhaka", date(2009, 6, 19)),
    ("Asia/Shanghai", date(1986, 5, 4)),
)


@settings(max_examples=200)
@given(
    st.sampled_from(_GAPS),
    st.sampled_from([time(0), time(8), time(22, 45), time(23), time(23, 30), time(23, 59)]),
    st.integers(min_value=-36 * 60, max_value=60 * 60),
)
def test_report_day_is_the_first_day_whose_cutoff_is_after_the_instant(
    gap: tuple[str, date], cutoff: time, minutes: int
) -> None:
    # The rule stated plainly: the earliest day whose cutoff is strictly after the
    # instant, looked for over the days around it, near a gap that moves cutoffs.
    name, day = gap
    clock = ReportClock(cutoff=cutoff, zone=zone(name))
    t = datetime.combine(day, time(12), tzinfo=UTC) + timedelta(minutes=minutes)
    near = [day + timedelta(days=k) for k in range(-3, 5)]
    expected = min(d for d in near if clock.cutoff_of(d) > t)
    assert clock.report_day(t) == expected
    assert clock.report_days([t]) == [expected]
    assert clock.window(expected).in_day(t)


# --- mutation-test gaps (mutmut 3.8.1 survivors) ------------------------------------------


def test_a_naive_instant_is_named_before_an_aware_one_out_of_range() -> None:
    # The first pass names a naive instant or a non-instant; only when every instant is
    # aware is one the clock refuses (outside the supported years) looked for.
    far = datetime(2150, 1, 1, tzinfo=UTC)
    with pytest.raises(InvalidInput) as err:
        DayNumbers(ReportClock()).numbers([far, datetime(2022, 3, 27)])
    assert (err.value.code, err.value.field) == ("naive_datetime", "instants.1")


def test_no_days_give_no_cutoffs_whatever_the_tzinfo() -> None:
    for like in (None, DEFAULT_ZONE, UTC, timezone(timedelta(hours=8))):
        assert cutoffs_as_compared(ReportClock(), [], like) == ([], False)


def test_days_that_are_not_dates_are_named_under_days() -> None:
    days = [date(2022, 3, 27), "2022-03-28"]
    with pytest.raises(InvalidInput) as err:
        cutoffs_as_compared(ReportClock(), days, None)  # type: ignore[arg-type]
    assert (err.value.code, err.value.field) == ("wrong_type", "days.1")
