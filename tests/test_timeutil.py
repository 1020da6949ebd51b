"""Aware instants, local dates, day counting and report windows (DESIGN.md, "Time")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridcare.errors import InvalidInput
from gridcare.testing.strategies import aware_datetimes
from gridcare.timeutil import (
    DEFAULT_ZONE,
    MAX_YEAR,
    MIN_YEAR,
    Midnights,
    ReportClock,
    ReportWindow,
    add_days,
    day_index,
    is_aware,
    local_date,
    localize,
    midnight_after,
    report_window,
    require_aware,
    require_day,
    start_of_day,
    zone,
    zone_names,
)
from helpers import at

PLUS8 = timezone(timedelta(hours=8))
MODERN = aware_datetimes(
    min_value=datetime(1995, 1, 1, tzinfo=UTC), max_value=datetime(2040, 1, 1, tzinfo=UTC)
)


def test_naive_instants_are_refused_with_naive_datetime() -> None:
    with pytest.raises(InvalidInput) as info:
        require_aware(datetime(2022, 3, 27, 8), "received_at")
    assert (info.value.code, info.value.field) == ("naive_datetime", "received_at")
    with pytest.raises(InvalidInput) as info:
        local_date(datetime(2022, 3, 27, 8))
    assert info.value.code == "naive_datetime"


def test_non_datetimes_are_refused() -> None:
    with pytest.raises(InvalidInput) as info:
        require_aware(date(2022, 3, 27))
    assert info.value.code == "not_datetime"


def test_unknown_zone_is_refused() -> None:
    with pytest.raises(InvalidInput) as info:
        zone("Mars/Olympus_Mons")
    assert info.value.code == "unknown_zone"


def test_localize_attaches_the_zone_to_naive_times_only() -> None:
    naive = datetime(2022, 3, 27, 8)
    assert localize(naive).utcoffset() == timedelta(hours=8)
    aware = datetime(2022, 3, 27, 8, tzinfo=UTC)
    assert localize(aware) is aware
    assert is_aware(localize(naive))
    assert not is_aware(naive)


@pytest.mark.parametrize(
    ("instant", "utc_date", "local"),
    [
        (datetime(2022, 6, 30, 15, 59, tzinfo=UTC), date(2022, 6, 30), date(2022, 6, 30)),
        (datetime(2022, 6, 30, 16, 0, tzinfo=UTC), date(2022, 6, 30), date(2022, 7, 1)),
        (datetime(2022, 6, 30, 23, 59, tzinfo=UTC), date(2022, 6, 30), date(2022, 7, 1)),
        (datetime(2022, 7, 1, 0, 0, tzinfo=PLUS8), date(2022, 6, 30), date(2022, 7, 1)),
        (datetime(2022, 6, 30, 23, 59, tzinfo=PLUS8), date(2022, 6, 30), date(2022, 6, 30)),
    ],
)
def test_local_dates_across_midnight(instant: datetime, utc_date: date, local: date) -> None:
    assert local_date(instant, UTC) == utc_date
    assert local_date(instant) == local
    assert local_date(instant, PLUS8) == local


@given(MODERN)
def test_local_date_is_the_date_of_the_instant_shown_in_the_zone(instant: datetime) -> None:
    # Asia/Shanghai has been UTC+08:00 without daylight saving since 1992.
    assert local_date(instant) == (instant.astimezone(UTC) + timedelta(hours=8)).date()


def test_midnight_after_worked_example() -> None:
    # DESIGN.md: left 2022-07-01 15:00, 7 days -> in force until 2022-07-09 00:00 +08:00.
    end = midnight_after(at("2022-07-01 15:00"), 7)
    assert end == datetime(2022, 7, 9, tzinfo=PLUS8)
    assert end.isoformat() == "2022-07-09T00:00:00+08:00"


@pytest.mark.parametrize(
    ("anchor", "end"),
    [
        ("2022-07-01 00:00", "2022-07-09 00:00"),
        ("2022-07-01 23:59", "2022-07-09 00:00"),
        ("2022-06-30 23:59", "2022-07-08 00:00"),
    ],
)
def test_midnight_after_pins_the_day_boundary(anchor: str, end: str) -> None:
    assert midnight_after(at(anchor), 7) == at(end)


def test_midnight_after_counts_local_days_from_a_utc_anchor() -> None:
    # 2022-06-30 16:30 UTC is already 07-01 00:30 in Zhuzhou: day 0 is 07-01.
    anchor = datetime(2022, 6, 30, 16, 30, tzinfo=UTC)
    assert midnight_after(anchor, 7) == datetime(2022, 7, 9, tzinfo=PLUS8)
    assert midnight_after(anchor, 7, UTC) == datetime(2022, 7, 8, tzinfo=UTC)


@given(MODERN, st.integers(0, 30))
def test_midnight_after_is_local_midnight_days_plus_one_after(anchor: datetime, days: int) -> None:
    end = midnight_after(anchor, days)
    assert end > anchor
    assert end.astimezone(DEFAULT_ZONE).time() == time(0)
    assert local_date(end) == local_date(anchor) + timedelta(days=days + 1)
    assert day_index(anchor, end) == days + 1
    assert day_index(anchor, end - timedelta(microseconds=1)) == days


def test_day_index_and_add_days() -> None:
    anchor = at("2022-07-01 15:00")
    assert day_index(anchor, anchor) == 0
    assert day_index(anchor, at("2022-07-02 00:00")) == 1
    assert day_index(anchor, at("2022-07-01 23:59")) == 0
    assert add_days(date(2022, 2, 28), 1) == date(2022, 3, 1)
    assert add_days(date(2024, 2, 28), 1) == date(2024, 2, 29)
    assert start_of_day(date(2022, 7, 9)) == datetime(2022, 7, 9, tzinfo=PLUS8)


# --------------------------------------------------------------------------- report windows


def test_report_window_of_a_date() -> None:
    w = report_window(date(2022, 3, 27))
    assert w.cutoff == at("2022-03-27 08:00")
    assert w.start == at("2022-03-26 08:00")
    assert w.cutoff - w.start == timedelta(hours=24)


def test_cumulative_counts_strictly_before_the_cutoff() -> None:
    w = report_window(date(2022, 3, 27))
    assert w.cumulative(at("2022-03-27 07:59"))
    assert w.cumulative(at("2022-03-01 00:00"))
    assert not w.cumulative(at("2022-03-27 08:00"))


def test_daily_is_the_24_hours_before_the_cutoff() -> None:
    w = report_window(date(2022, 3, 27))
    assert w.in_day(at("2022-03-26 08:00"))
    assert w.in_day(at("2022-03-27 07:59"))
    assert not w.in_day(at("2022-03-26 07:59"))
    assert not w.in_day(at("2022-03-27 08:00"))


def test_a_record_at_exactly_eight_belongs_to_the_next_report() -> None:
    record = at("2022-03-27 08:00")
    today, tomorrow = report_window(date(2022, 3, 27)), report_window(date(2022, 3, 28))
    assert not today.cumulative(record)
    assert not today.in_day(record)
    assert tomorrow.cumulative(record)
    assert tomorrow.in_day(record)


def test_a_utc_record_is_placed_by_its_instant() -> None:
    w = report_window(date(2022, 3, 27))
    assert w.in_day(datetime(2022, 3, 26, 23, 59, tzinfo=UTC))  # 07:59 in Zhuzhou
    assert not w.in_day(datetime(2022, 3, 27, 0, 0, tzinfo=UTC))  # 08:00 in Zhuzhou


@pytest.mark.parametrize(
    ("as_of", "cutoff"),
    [
        ("2022-03-27 07:59", "2022-03-26 08:00"),
        ("2022-03-27 08:00", "2022-03-27 08:00"),
        ("2022-03-27 23:00", "2022-03-27 08:00"),
    ],
)
def test_report_window_of_an_instant_is_the_latest_cutoff(as_of: str, cutoff: str) -> None:
    assert report_window(at(as_of)).cutoff == at(cutoff)


def test_report_window_refuses_a_naive_as_of() -> None:
    with pytest.raises(InvalidInput) as info:
        report_window(datetime(2022, 3, 27, 9))
    assert (info.value.code, info.value.field) == ("naive_datetime", "as_of")


def test_custom_cutoff_and_zone() -> None:
    w = report_window(date(2022, 3, 27), cutoff=time(20, 0), tzone=UTC)
    assert w.cutoff == datetime(2022, 3, 27, 20, tzinfo=UTC)
    assert w.start == datetime(2022, 3, 26, 20, tzinfo=UTC)


@given(MODERN)
def test_every_instant_is_in_exactly_one_daily_window(instant: datetime) -> None:
    local = instant.astimezone(DEFAULT_ZONE)
    report_day = local.date() + timedelta(days=1 if local.time() >= time(8) else 0)
    assert report_window(report_day).in_day(instant)
    assert not report_window(report_day - timedelta(days=1)).in_day(instant)
    assert not report_window(report_day + timedelta(days=1)).in_day(instant)
    assert report_window(instant).cutoff == report_window(report_day).start
    assert report_window(report_day).previous() == report_window(report_day - timedelta(days=1))


@given(MODERN)
def test_cumulative_is_daily_plus_previous_cumulative(instant: datetime) -> None:
    w = report_window(date(2022, 3, 27))
    assert w.cumulative(instant) == (w.in_day(instant) or w.previous().cumulative(instant))


# --------------------------------------------------------------------------- the report clock
# One rule: report_window is the clock's window, and every instant lies in the window
# of its report day, whatever the zone (Berlin has daylight saving) and the cutoff.

CLOCKS = st.builds(
    ReportClock,
    cutoff=st.sampled_from([time(8), time(0), time(2, 30), time(23, 59)]),
    zone=st.sampled_from([DEFAULT_ZONE, zone("Europe/Berlin"), UTC]),
)


@given(CLOCKS, MODERN)
def test_every_instant_is_in_the_window_of_its_report_day(clock: ReportClock, t: datetime) -> None:
    # In a daylight-saving fold an instant of the zone reads on its wall clock, so
    # the report day is asked of each form of the instant.
    for seen in (t, t.astimezone(clock.zone)):
        day = clock.report_day(seen)
        assert clock.window(day).in_day(seen)
        assert not clock.window(day - timedelta(days=1)).in_day(seen)
        assert clock.cutoff_of(day - timedelta(days=1)) <= seen < clock.cutoff_of(day)
    assert clock.window(day).cutoff == clock.cutoff_of(day)
    assert clock.window(day).start == clock.cutoff_of(day - timedelta(days=1))


@given(CLOCKS, MODERN)
def test_the_latest_cutoff_at_or_before_an_instant(clock: ReportClock, as_of: datetime) -> None:
    day = clock.latest_day(as_of)
    assert clock.cutoff_of(day) <= as_of < clock.cutoff_of(day + timedelta(days=1))
    assert clock.window(as_of) == clock.window(day)
    assert day == clock.report_day(as_of) - timedelta(days=1)


@given(CLOCKS, st.dates(min_value=date(1995, 1, 1), max_value=date(2039, 12, 31)))
def test_report_window_is_the_clocks_window(clock: ReportClock, day: date) -> None:
    assert report_window(day, cutoff=clock.cutoff, tzone=clock.zone) == clock.window(day)


#: Seconds either side of a base instant: a bit over two years, daylight-saving changes included.
NEAR = st.integers(-400 * 86400, 400 * 86400)


@given(CLOCKS, MODERN, st.lists(st.tuples(NEAR, MODERN), max_size=20))
def test_report_days_of_many_equal_report_day_of_each(
    clock: ReportClock, base: datetime, spread: list[tuple[int, datetime]]
) -> None:
    # Instants within two years of each other, each read in a tzinfo of its own: the
    # window of cutoffs spans the days between them (decades apart: the test below).
    instants = [(base + timedelta(seconds=s)).astimezone(other.tzinfo) for s, other in spread]
    assert clock.report_days(instants) == [clock.report_day(t) for t in instants]


@pytest.mark.parametrize("clock", [ReportClock(), ReportClock(time(2, 30), zone("Europe/Berlin"))])
def test_report_days_of_instants_decades_apart(clock: ReportClock) -> None:
    instants = [at("2039-12-01 09:00"), at("1995-01-01 07:59"), at("2022-03-27 08:00")]
    assert clock.report_days(instants) == [clock.report_day(t) for t in instants]


def test_a_cutoff_that_does_not_exist_moves_forward() -> None:
    berlin = ReportClock(cutoff=time(2, 30), zone=zone("Europe/Berlin"))
    spring = berlin.cutoff_of(date(2022, 3, 27))  # 02:30 does not exist that night
    assert spring.astimezone(UTC) == datetime(2022, 3, 27, 1, 30, tzinfo=UTC)
    assert berlin.window(date(2022, 3, 27)).cutoff == spring


# ----------------------------------------------------------------------------- zones by name only


@pytest.mark.parametrize(
    "name", ["/etc/passwd", "/etc/localtime", "../x", "x" * 300, "", "Asia/../etc/passwd", "\ud800"]
)
def test_a_zone_is_an_iana_name_never_a_path(name: str) -> None:
    with pytest.raises(InvalidInput) as err:
        zone(name)
    assert err.value.code == "unknown_zone"
    assert err.value.field == "zone"


@pytest.mark.parametrize("name", [None, 8, ["Asia/Shanghai"], b"UTC"])
def test_a_zone_name_must_be_text(name: object) -> None:
    with pytest.raises(InvalidInput) as err:
        zone(name)  # type: ignore[arg-type]
    assert err.value.code == "not_string"


@given(st.sampled_from(sorted(zone_names())))
def test_every_listed_name_gives_the_zone_callers_expect(name: str) -> None:
    found = zone(name)
    assert isinstance(found, tzinfo)
    assert found is zone(name)  # built once per name
    assert found.utcoffset(datetime(2022, 3, 27)) is not None


# ----------------------------------------------------------------------------- supported range


@pytest.mark.parametrize("year", [1, 1899, 2101, 9999])
def test_instants_outside_the_supported_years_are_refused(year: int) -> None:
    with pytest.raises(InvalidInput) as err:
        require_aware(datetime(year, 6, 1, tzinfo=UTC), "at")
    assert (err.value.code, err.value.field) == ("out_of_range", "at")
    with pytest.raises(InvalidInput) as err:
        require_day(date(year, 6, 1), "day")
    assert err.value.code == "out_of_range"


def test_the_edges_of_the_supported_years_are_accepted() -> None:
    for year in (MIN_YEAR, MAX_YEAR):
        require_aware(datetime(year, 6, 1, tzinfo=UTC))
        require_day(date(year, 6, 1))


def test_far_instants_from_the_report_reproducers_are_invalid_input() -> None:
    with pytest.raises(InvalidInput) as err:
        ReportClock().report_day(datetime(9999, 12, 31, 23, tzinfo=PLUS8))
    assert err.value.code == "out_of_range"
    with pytest.raises(InvalidInput) as err:
        report_window(date(1, 1, 1))
    assert err.value.code == "out_of_range"


FAR_DAYS = st.one_of(st.integers(), st.just(2**63), st.just(-(2**63)), st.integers(-(10**9), 10**9))
ANY_DAY = st.dates()
ANY_INSTANT = st.datetimes(timezones=st.just(UTC)) | st.datetimes(timezones=st.just(PLUS8))


@given(ANY_DAY, FAR_DAYS)
def test_add_days_never_overflows(day: date, days: int) -> None:
    target = day.toordinal() + days
    supported = range(date(MIN_YEAR, 1, 1).toordinal(), date(MAX_YEAR, 12, 31).toordinal() + 1)
    if day.toordinal() in supported and target in supported:
        assert add_days(day, days) == date.fromordinal(target)
    else:
        with pytest.raises(InvalidInput, match="out_of_range"):
            add_days(day, days)


def _code_of(call: Callable[[], object]) -> str | None:
    """The code of the ``InvalidInput`` a call raises, ``None`` if it returns."""
    try:
        call()
    except InvalidInput as err:
        return err.code
    return None


@given(ANY_INSTANT, ANY_INSTANT, ANY_DAY)
def test_date_helpers_never_overflow(a: datetime, b: datetime, day: date) -> None:
    clock = ReportClock()
    calls: list[Callable[[], object]] = [
        lambda: start_of_day(day),
        lambda: local_date(a),
        lambda: day_index(a, b),
        lambda: report_window(day),
        lambda: report_window(a),
        lambda: clock.report_day(a),
        lambda: clock.window(day),
        lambda: clock.cutoff_of(day),
        lambda: clock.latest_day(a),
        lambda: midnight_after(day, 7),
    ]
    for call in calls:
        assert _code_of(call) in {None, "out_of_range"}


def test_clock_and_window_fields_are_checked() -> None:
    with pytest.raises(InvalidInput) as err:
        ReportClock(cutoff="08:00")  # type: ignore[arg-type]
    assert (err.value.code, err.value.field) == ("not_time", "cutoff")
    with pytest.raises(InvalidInput) as err:
        ReportClock(zone="Asia/Shanghai")  # type: ignore[arg-type]
    assert err.value.code == "not_zone"
    with pytest.raises(InvalidInput) as err:
        ReportWindow(start=datetime(2022, 3, 26, 8), cutoff=at("2022-03-27 08:00"))
    assert (err.value.code, err.value.field) == ("naive_datetime", "start")
    assert is_aware("2022-03-27T08:00+08:00") is False  # type: ignore[arg-type]


# ------------------------------------------------------------------ edges a mutation run found


def test_add_days_reaches_the_first_and_last_supported_days() -> None:
    first, last = date(MIN_YEAR, 1, 1), date(MAX_YEAR, 12, 31)
    assert add_days(first + timedelta(days=1), -1) == first
    assert add_days(last - timedelta(days=1), 1) == last
    assert add_days(first, (last - first).days) == last
    for day, step in ((first, -1), (last, 1), (first, 10**9), (last, -(10**9))):
        with pytest.raises(InvalidInput) as err:
            add_days(day, step)
        assert (err.value.code, err.value.field, err.value.value) == ("out_of_range", "days", step)


@pytest.mark.parametrize("days", [1.5, 1.0, True, "1", None])
def test_day_steps_are_whole_numbers(days: object) -> None:
    for call in (
        lambda: add_days(date(2022, 3, 1), days),  # type: ignore[arg-type]
        lambda: midnight_after(date(2022, 3, 1), days),  # type: ignore[arg-type]
    ):
        with pytest.raises(InvalidInput) as err:
            call()
        assert (err.value.code, err.value.field) == ("not_integer", "days")


def test_a_datetime_is_not_a_day() -> None:
    with pytest.raises(InvalidInput) as err:
        require_day(datetime(2022, 3, 1, tzinfo=UTC), "report_day")
    assert (err.value.code, err.value.field) == ("not_date", "report_day")
    with pytest.raises(InvalidInput) as err:
        ReportClock().window("2022-03-01")  # type: ignore[arg-type]
    assert err.value.field == "report_day"


def test_day_index_counts_both_dates_in_the_zone_given() -> None:
    berlin = zone("Europe/Berlin")
    anchor = datetime(2022, 7, 1, 15, 30, tzinfo=UTC)  # 23:30 on 1 July in Shanghai, 17:30 Berlin
    later = datetime(2022, 7, 1, 16, 30, tzinfo=UTC)  # 00:30 on 2 July in Shanghai, 18:30 Berlin
    assert day_index(anchor, later, DEFAULT_ZONE) == 1
    assert day_index(anchor, later, berlin) == 0
    anchor = datetime(2022, 7, 1, 17, 30, tzinfo=UTC)  # 2 July in Shanghai, 1 July in Berlin
    later = datetime(2022, 7, 1, 21, 30, tzinfo=UTC)  # 2 July in Shanghai, 1 July in Berlin
    assert day_index(anchor, later, DEFAULT_ZONE) == day_index(anchor, later, berlin) == 0


@given(
    st.dates(date(2020, 1, 1), date(2023, 12, 31)),
    st.lists(st.tuples(st.integers(0, 10), st.integers(-10, 10)), min_size=1, max_size=40),
    st.sampled_from([DEFAULT_ZONE, zone("Europe/Berlin"), UTC]),
)
def test_a_midnights_memo_answers_as_midnight_after(
    base: date, asked: list[tuple[int, int]], tzone: tzinfo
) -> None:
    # Anchors a few days apart, so that many questions share an answer and many do not.
    memo = Midnights(tzone)
    for shift, days in asked + asked[::-1]:  # each asked before and after the others
        day0 = base + timedelta(days=shift)
        assert memo.after(day0, days) == midnight_after(day0, days, tzone)


def test_report_days_names_a_naive_instant_by_its_place() -> None:
    naive = datetime(2022, 3, 27, 9)
    with pytest.raises(InvalidInput) as err:
        ReportClock().report_days([at("2022-03-27 09:00"), naive])  # type: ignore[list-item]
    assert (err.value.code, err.value.field) == ("naive_datetime", "instants.1")


def test_refusals_name_their_default_fields() -> None:
    with pytest.raises(InvalidInput) as err:
        localize("2022-03-27T08:00")  # type: ignore[arg-type]
    assert (err.value.code, err.value.field) == ("not_datetime", "instant")
    with pytest.raises(InvalidInput) as err:
        require_day("2022-03-27")
    assert (err.value.code, err.value.field) == ("not_date", "day")


class _RaisingZone(tzinfo):
    def utcoffset(self, dt: datetime | None) -> timedelta:
        raise RuntimeError("a zone of the caller's that fails")

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str:
        return "R"


class _DayLongZone(tzinfo):
    def utcoffset(self, dt: datetime | None) -> timedelta:
        return timedelta(hours=30)  # Python refuses it when asked through the datetime

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None


@pytest.mark.parametrize("bad", [_RaisingZone(), _DayLongZone()])
def test_a_zone_that_gives_no_offset_is_refused_where_the_instant_enters(bad: tzinfo) -> None:
    """A tzinfo that raises, or gives a day or more, let a RuntimeError or a ValueError out
    of the check, or was taken and failed later in the middle of a replay."""
    import attrs as _attrs

    from gridcare.declarations import Submitted
    from gridcare.machine import replay_order

    instant = datetime(2022, 3, 27, 8, tzinfo=bad)
    for build in (
        lambda: require_aware(instant, "at"),
        lambda: Submitted(id="e1", at=instant, declaration_id="D1"),
        lambda: ReportClock(zone=bad),
    ):
        with pytest.raises(InvalidInput) as err:
            build()
        assert err.value.code == "bad_zone"

    @_attrs.frozen
    class Tick:
        id: str
        at: datetime

    with pytest.raises(InvalidInput) as err:
        replay_order(Tick("a", instant))
    assert err.value.code == "bad_event"


def test_a_zone_that_cannot_convert_from_utc_is_refused_by_a_clock() -> None:
    """A minimal tzinfo (an offset and nothing else) was taken by ReportClock and raised
    NotImplementedError at its first cutoff."""

    class OffsetOnly(tzinfo):
        def utcoffset(self, dt: datetime | None) -> timedelta:
            return timedelta(hours=8)

    with pytest.raises(InvalidInput) as err:
        ReportClock(zone=OffsetOnly())
    assert err.value.code == "bad_zone"
    assert ReportClock(zone=timezone(timedelta(hours=8))).cutoff_of(date(2022, 3, 27))


def test_a_subclass_of_a_standard_zone_is_still_asked_for_its_offsets() -> None:
    """The standard library's zones are taken by their exact type, without the probes; a
    subclass may override what they answer, so it is asked like any other tzinfo."""
    from zoneinfo import ZoneInfo

    class Broken(ZoneInfo):
        def utcoffset(self, dt: datetime | None) -> timedelta:
            raise RuntimeError("no offset")

    for good in (ZoneInfo("Asia/Shanghai"), timezone(timedelta(hours=-3, minutes=-30)), UTC):
        assert ReportClock(zone=good).zone is good
        assert localize(datetime(2022, 3, 27, 8), good).tzinfo is good
    with pytest.raises(InvalidInput) as err:
        ReportClock(zone=Broken("Asia/Shanghai"))
    assert err.value.code == "bad_zone"
    with pytest.raises(InvalidInput) as err:
        localize(datetime(2022, 3, 27, 8), Broken("Asia/Shanghai"))
    assert err.value.code == "bad_zone"


# --- mutation-test gaps (mutmut 3.8.1 survivors) ------------------------------------------


def test_an_instant_exactly_at_a_cutoff_moved_past_midnight_counts_in_the_next_day() -> None:
    # Nuuk springs forward at 23:00 on 2024-03-30 (straight to 00:00 on the 31st): a 23:30
    # cutoff that day falls in the gap and moves to 00:30 on 2024-03-31. An instant exactly
    # at that cutoff is not strictly before it, so it counts in 2024-03-31 (the first
    # cutoff strictly after it).
    nuuk = ReportClock(cutoff=time(23, 30), zone=zone("America/Nuuk"))
    moved = nuuk.cutoff_of(date(2024, 3, 30))
    assert moved.date() == date(2024, 3, 31)  # the cutoff lies on the next local date
    assert nuuk.report_day(moved - timedelta(microseconds=1)) == date(2024, 3, 30)
    assert nuuk.report_day(moved) == date(2024, 3, 31)
    assert nuuk.report_days([moved]) == [date(2024, 3, 31)]


class _NoDst(tzinfo):
    """A tzinfo that gives an offset but no dst(): ``fromutc`` (UTC to local) fails."""

    def utcoffset(self, dt: datetime | None) -> timedelta:
        return timedelta(hours=1)

    def dst(self, dt: datetime | None) -> None:
        return None

    def tzname(self, dt: datetime | None) -> str:
        return "NODST"


def test_a_zone_that_cannot_convert_from_utc_is_refused() -> None:
    with pytest.raises(ValueError, match="fromutc"):
        datetime(2022, 3, 27, tzinfo=UTC).astimezone(_NoDst())  # what the probe must catch
    with pytest.raises(InvalidInput) as err:
        localize(datetime(2022, 3, 27, 8), _NoDst())
    assert (err.value.code, err.value.field) == ("bad_zone", "zone")
    with pytest.raises(InvalidInput) as err:
        ReportClock(zone=_NoDst())
    assert err.value.code == "bad_zone"


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda: zone(123), ("not_string", "zone", 123)),  # type: ignore[arg-type]
        (lambda: zone("Nowhere/Atlantis"), ("unknown_zone", "zone", "Nowhere/Atlantis")),
        (lambda: require_aware(3), ("not_datetime", "instant", 3)),
        (
            lambda: require_aware(datetime(2022, 1, 1)),
            ("naive_datetime", "instant", "2022-01-01T00:00:00"),
        ),
        (lambda: require_day("x"), ("not_date", "day", "x")),
        (
            lambda: require_day(date(1800, 1, 1), "report_day"),
            ("out_of_range", "report_day", date(1800, 1, 1)),
        ),
        (lambda: add_days(date(2022, 1, 1), 1.5), ("not_integer", "days", "1.5")),  # type: ignore[arg-type]
        (lambda: localize("x"), ("not_datetime", "instant", "x")),  # type: ignore[arg-type]
        (lambda: localize(datetime(2022, 1, 1), "x"), ("not_zone", "zone", "x")),  # type: ignore[arg-type]
        (lambda: ReportClock(cutoff="8"), ("not_time", "cutoff", "8")),  # type: ignore[arg-type]
    ],
)
def test_each_refusal_names_its_code_field_and_value(
    call: Callable[[], object], expected: tuple[str, str, object]
) -> None:
    with pytest.raises(InvalidInput) as err:
        call()
    assert (err.value.code, err.value.field, err.value.value) == expected


def test_a_zone_giving_no_offset_for_an_instant_is_named_with_the_wall_time() -> None:
    class _Silent(tzinfo):
        def utcoffset(self, dt: datetime | None) -> None:
            return None

    with pytest.raises(InvalidInput) as err:
        require_aware(datetime(2022, 3, 27, 8, tzinfo=_Silent()), "at")  # type: ignore[abstract]
    assert (err.value.code, err.value.field, err.value.value) == (
        "bad_zone",
        "at",
        "2022-03-27T08:00:00",
    )
