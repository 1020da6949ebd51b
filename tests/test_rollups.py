"""Tallies, rollups and the daily report list: the laws of DESIGN.md, "Rates" and "Reports"."""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridcare.errors import InvalidInput, UnknownNode
from gridcare.hierarchy import Hierarchy, Node, NodeKind
from gridcare.rates import Rate
from gridcare.reportdays import DayNumbers
from gridcare.reports import (
    METRICS,
    Count,
    MetricKind,
    Tally,
    TallyBuilder,
    daily_report,
    lagging,
    rollup,
    tally,
)
from gridcare.timeutil import DEFAULT_ZONE, ReportClock, report_window, zone

CITY = Hierarchy(
    [
        Node("C", NodeKind.CITY, "株洲市"),
        Node("D1", NodeKind.DISTRICT, "天元区", "C"),
        Node("G1", NodeKind.GRID, "一网格", "D1"),
        Node("H1", NodeKind.HOUSEHOLD, "101", "G1"),
        Node("G2", NodeKind.GRID, "二网格", "D1"),
        Node("D2", NodeKind.DISTRICT, "芦淞区", "C"),
        Node("G3", NodeKind.GRID, "三网格", "D2"),
    ]
)
NODE_IDS = [n.id for n in CITY]
COUNTED = [m.name for m in METRICS.values() if m.kind is not MetricKind.RATE]
FLOWS = [m.name for m in METRICS.values() if m.kind is MetricKind.FLOW]
START = datetime(2022, 3, 20, 0, 0, tzinfo=DEFAULT_ZONE)


def counts() -> st.SearchStrategy[Count]:
    """Flow counts at instants over ten days, on any node of the test city."""
    return st.builds(
        Count,
        node=st.sampled_from(NODE_IDS),
        metric=st.sampled_from(FLOWS),
        n=st.integers(1, 50),
        at=st.integers(0, 10 * 24 * 60).map(lambda m: START + timedelta(minutes=m)),
    )


def tallies() -> st.SearchStrategy[Tally]:
    return st.lists(counts(), max_size=20).map(tally)


# --------------------------------------------------------------------------- monoid laws


@given(tallies())
def test_a_tally_s_counts_are_the_checked_ones(t: Tally) -> None:
    """``Tally.counts`` builds its counts without the checks: each is what the checking
    constructor builds from the same fields, and they tally back to the same tally."""
    made = list(t.counts())
    for count in made:
        checked = Count(count.node, count.metric, count.n, day=count.day)
        assert count == checked
        assert repr(count) == repr(checked)
        assert type(count) is Count
    assert Tally.from_counts(made) == t


def test_count_keywords_and_checks_are_as_before() -> None:
    day = date(2022, 3, 27)
    assert Count(node="G1", metric="hazards", n=2, day=day) == Count("G1", "hazards", 2, None, day)
    assert Count("G1", "hazards", day=day).n == 1
    with pytest.raises(InvalidInput) as caught:
        Count("G1", "hazards", -1, day=day)
    assert caught.value.code == "negative"


@given(tallies())
def test_empty_is_the_identity(t: Tally) -> None:
    assert Tally.merge(t, Tally.empty()) == t
    assert Tally.empty() + t == t


@given(tallies(), tallies(), tallies())
def test_merge_is_associative(a: Tally, b: Tally, c: Tally) -> None:
    assert (a + b) + c == a + (b + c)


@given(tallies(), tallies())
def test_merge_is_commutative(a: Tally, b: Tally) -> None:
    assert Tally.merge(a, b) == Tally.merge(b, a)


@given(st.lists(counts(), max_size=20), st.lists(counts(), max_size=20))
def test_tally_of_concatenation_is_sum_of_tallies(xs: list[Count], ys: list[Count]) -> None:
    assert tally(xs + ys) == tally(xs) + tally(ys)


@given(tallies())
def test_round_trips_through_dict_and_pickle(t: Tally) -> None:
    assert Tally.from_dict(t.to_dict()) == t
    assert pickle.loads(pickle.dumps(t)) == t


def test_merge_does_not_mutate_its_arguments() -> None:
    d = date(2022, 3, 27)
    a = Tally.empty().add("G1", "hazards", day=d)
    b = Tally.empty().add("G1", "hazards", day=d)
    _ = a + b
    assert a.get("G1", "hazards", d) == 1
    assert b.get("G1", "hazards", d) == 1


def test_a_zero_count_leaves_no_key() -> None:
    d = date(2022, 3, 27)
    t = Tally.empty().add("G1", "hazards", 0, day=d)
    assert t == Tally.empty()
    assert len(t) == 0


# --------------------------------------------------------------------------- the builder


@given(
    st.lists(
        st.tuples(
            st.sampled_from(NODE_IDS),
            st.sampled_from(COUNTED),
            st.integers(0, 50),
            st.integers(0, 10),
        ),
        max_size=40,
    )
)
def test_builder_equals_repeated_add(items: list[tuple[str, str, int, int]]) -> None:
    added = Tally.empty()
    builder = TallyBuilder()
    for node, name, n, d in items:
        day = date(2022, 3, 20) + timedelta(days=d)
        added = added.add(node, name, n, day=day)
        builder.add(node, name, n, day=day)
    assert builder.build() == added
    assert Tally.from_counts(added.counts()) == added
    assert tally([added]) == added  # a tally is itself Countable


@given(st.lists(counts(), max_size=20))
def test_builder_finds_report_days_as_add_does(xs: list[Count]) -> None:
    clock = ReportClock()
    added = Tally.empty()
    builder = TallyBuilder(clock)
    for c in xs:
        added = added.add(c.node, c.metric, c.n, at=c.at, clock=clock)
        builder.add(c.node, c.metric, c.n, at=c.at)
    assert builder.build() == added == tally(xs)


@settings(max_examples=40)
@given(st.lists(counts(), max_size=90), st.booleans())
def test_adding_records_reports_its_progress_and_counts_each_record_once(
    xs: list[Count], as_generator: bool
) -> None:
    """``progress(done, total)`` climbs in even steps (about twenty of them) to
    ``(total, total)``, however the records come; every record is counted once."""
    calls: list[tuple[int, int]] = []
    builder = TallyBuilder()
    records = (c for c in xs) if as_generator else xs
    builder.add_records(records, progress=lambda done, total: calls.append((done, total)))
    assert builder.build() == tally(xs)
    total = len(xs)
    step = max(1, total // 20)
    assert calls[-1] == (total, total)
    assert [done for done, _ in calls[:-1]] == list(range(step, total + 1, step))
    assert all(t == total for _, t in calls)
    one_by_one = TallyBuilder()
    for c in xs:
        one_by_one.add_count(c)
    again = TallyBuilder()
    again.add_tally(one_by_one.build())
    assert one_by_one.build() == again.build() == builder.build()


def test_a_built_tally_does_not_change_when_the_builder_goes_on() -> None:
    d = date(2022, 3, 27)
    builder = TallyBuilder()
    builder.add("G1", "hazards", day=d)
    first = builder.build()
    builder.add("G1", "hazards", day=d)
    assert first.get("G1", "hazards", d) == 1
    assert builder.build().get("G1", "hazards", d) == 2
    with pytest.raises(InvalidInput) as err:
        builder.add("G1", "review_rate", day=d)
    assert err.value.code == "rate_not_counted"


# --------------------------------------------------------------------------- consistency


@given(st.lists(counts(), max_size=30))
def test_every_node_is_its_own_counts_plus_its_children(xs: list[Count]) -> None:
    t = tally(xs)
    r = rollup(CITY, t)
    for node in CITY:
        for name in FLOWS:
            for day in t.days():
                own = t.get(node.id, name, day)
                children = sum(r.value(c.id, name, day) for c in CITY.children(node.id))
                assert r.value(node.id, name, day) == own + children


@given(st.lists(counts(), max_size=30), st.integers(0, 9), st.integers(0, 9))
@settings(max_examples=40)
def test_cumulative_plus_increments_equals_later_cumulative(
    xs: list[Count], first: int, later: int
) -> None:
    t = tally(xs)
    d0 = date(2022, 3, 21)
    a, b = sorted((first, later))
    day_a, day_b = d0 + timedelta(days=a), d0 + timedelta(days=b)
    report_a = daily_report(CITY, t, cutoff=day_a)
    report_b = daily_report(CITY, t, cutoff=day_b)
    between = [daily_report(CITY, t, cutoff=day_a + timedelta(days=k)) for k in range(1, b - a + 1)]
    for row_a, row_b in zip(report_a.rows, report_b.rows, strict=True):
        for name in FLOWS:
            increments = sum(r.row(row_a.node_id).figures[name].day or 0 for r in between)
            cumulative_a = row_a.figures[name].cumulative
            assert cumulative_a is not None
            assert cumulative_a + increments == row_b.figures[name].cumulative


@given(st.lists(counts(), max_size=30))
def test_cumulative_counts_exactly_the_records_before_the_cutoff(xs: list[Count]) -> None:
    cut_day = date(2022, 3, 25)
    cutoff = datetime.combine(cut_day, time(8), tzinfo=DEFAULT_ZONE)
    report = daily_report(CITY, tally(xs), cutoff=cut_day)
    for name in FLOWS:
        expected = sum(c.n for c in xs if c.metric == name and c.at is not None and c.at < cutoff)
        assert report.row("C").figures[name].cumulative == expected
        in_day = sum(
            c.n
            for c in xs
            if c.metric == name
            and c.at is not None
            and cutoff - timedelta(hours=24) <= c.at < cutoff
        )
        assert report.row("C").figures[name].day == in_day


@given(st.lists(counts(), max_size=30))
def test_rates_match_their_numerators_and_denominators(xs: list[Count]) -> None:
    report = daily_report(CITY, tally(xs), cutoff=date(2022, 3, 31))
    for row in report.rows:
        for name, m in METRICS.items():
            if m.kind is not MetricKind.RATE:
                continue
            assert m.numerator is not None
            assert m.denominator is not None
            rate = row.figures[name].rate
            assert rate == Rate.ratio(  # generated counts need not be consistent
                row.figures[m.numerator].cumulative or 0,
                row.figures[m.denominator].cumulative or 0,
            )


# --------------------------------------------------------------------------- the seed


def test_seed_figures_reproduce_the_review_rate() -> None:
    d = date(2022, 3, 27)
    t = (
        Tally.empty()
        .add("G1", "declarations_received", 100_000, day=d)
        .add("G1", "declarations_reviewed", 98_000, day=d)
        .add("G3", "declarations_received", 70_437, day=d)
        .add("G3", "declarations_reviewed", 70_255, day=d)
    )
    report = daily_report(CITY, t, cutoff=d)
    city = report.row("C").figures["review_rate"]
    assert city.rate == Rate(168_255, 170_437)
    assert str(city.rate) == "98.72%"
    assert report.as_dicts()[0]["review_rate"] == "98.72%"


# --------------------------------------------------------------------------- clock


def test_a_record_at_exactly_the_cutoff_counts_in_the_next_report() -> None:
    clock = ReportClock()
    at = datetime(2022, 3, 27, 8, 0, tzinfo=DEFAULT_ZONE)
    assert clock.report_day(at) == date(2022, 3, 28)
    assert clock.report_day(at - timedelta(microseconds=1)) == date(2022, 3, 27)


@given(st.lists(st.integers(0, 20 * 24 * 60), min_size=1, max_size=30))
def test_bulk_report_days_agree_with_one_at_a_time(minutes: list[int]) -> None:
    clock = ReportClock(cutoff=time(8))
    instants = [START + timedelta(minutes=m) for m in minutes]
    assert clock.report_days(instants) == [clock.report_day(t) for t in instants]


def test_report_at_an_instant_uses_the_latest_cutoff_before_it() -> None:
    t = Tally.empty()
    morning = daily_report(CITY, t, cutoff=datetime(2022, 3, 27, 7, 0, tzinfo=DEFAULT_ZONE))
    later = daily_report(CITY, t, cutoff=datetime(2022, 3, 27, 9, 0, tzinfo=DEFAULT_ZONE))
    assert morning.day == date(2022, 3, 26)
    assert later.day == date(2022, 3, 27)


@given(st.integers(-3 * 24 * 60, 3 * 24 * 60))
def test_report_at_an_instant_closes_the_window_of_that_instant(minutes: int) -> None:
    as_of = START + timedelta(minutes=minutes)
    report = daily_report(CITY, Tally.empty(), cutoff=as_of, metrics=["hazards"])
    assert report.cutoff == report_window(as_of).cutoff == ReportClock().window(as_of).cutoff
    assert report.day == ReportClock().latest_day(as_of)


# --------------------------------------------------------------------------- report


def test_change_since_previous_report() -> None:
    d = date(2022, 3, 26)
    t = Tally.empty().add("G1", "hazards", 2, day=d).add("G1", "hazards", 3, day=d + timedelta(1))
    first = daily_report(CITY, t, cutoff=d)
    second = daily_report(CITY, t, cutoff=d + timedelta(1), previous=first)
    assert second.row("G1").figures["hazards"].change == 3
    assert second.row("C").figures["hazards"].cumulative == 5


def test_stocks_are_levels_not_sums_over_days() -> None:
    d = date(2022, 3, 26)
    t = (
        Tally.empty()
        .add("G1", "cases_open", 4, day=d)
        .add("G1", "cases_open", 1, day=d + timedelta(1))
    )
    assert (
        daily_report(CITY, t, cutoff=d + timedelta(1)).row("C").figures["cases_open"].cumulative
        == 1
    )


def test_levels_and_default_rows_exclude_dwellings() -> None:
    report = daily_report(CITY, Tally.empty(), cutoff=date(2022, 3, 27))
    assert "H1" not in {r.node_id for r in report.rows}
    districts = daily_report(
        CITY, Tally.empty(), cutoff=date(2022, 3, 27), levels=[NodeKind.DISTRICT]
    )
    assert [r.node_id for r in districts.rows] == ["D1", "D2"]


def test_small_counts_are_suppressed_on_request() -> None:
    d = date(2022, 3, 27)
    t = Tally.empty().add("G1", "hazards", 2, day=d).add("G3", "hazards", 40, day=d)
    report = daily_report(CITY, t, cutoff=d, suppress_below=5, metrics=["hazards"])
    assert report.row("G1").figures["hazards"].suppressed
    assert not report.row("G3").figures["hazards"].suppressed
    assert "*" in report.to_text()


def test_lagging_by_threshold_and_bottom_k() -> None:
    d = date(2022, 3, 27)
    t = Tally.empty()
    for grid, reviewed in (("G1", 9), ("G2", 10), ("G3", 5)):
        t = t.add(grid, "declarations_received", 10, day=d)
        t = t.add(grid, "declarations_reviewed", reviewed, day=d)
    report = daily_report(CITY, t, cutoff=d)
    assert [r.node_id for r in lagging(report, "review_rate", below=95)] == ["G3", "G1"]
    assert [r.node_id for r in lagging(report, "review_rate", bottom=1)] == ["G3"]
    with pytest.raises(InvalidInput):
        lagging(report, "review_rate")


def test_renderings_have_stable_keys_and_no_unknown_metric() -> None:
    d = date(2022, 3, 27)
    t = Tally.empty().add("G1", "declarations_received", 3, day=d)
    report = daily_report(CITY, t, cutoff=d, metrics=["declarations_received", "review_rate"])
    header = report.to_csv().splitlines()[0].split(",")
    assert header[:4] == ["node_id", "name", "kind", "depth"]
    assert "declarations_received.day" in header
    text = report.to_text(lang="en")
    assert "declarations" in text
    assert "—" in text  # review rate with no reviews counted is 0/3, and G2 is undefined
    with pytest.raises(InvalidInput) as err:
        daily_report(CITY, t, cutoff=d, metrics=["no_such_metric"])
    assert err.value.code == "unknown_metric"


def test_counts_on_unknown_nodes_are_reported() -> None:
    t = Tally.empty().add("nowhere", "hazards", day=date(2022, 3, 27))
    with pytest.raises(UnknownNode):
        rollup(CITY, t)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"metric_name": "review_rate", "day": date(2022, 3, 27)}, "rate_not_counted"),
        ({"metric_name": "bogus", "day": date(2022, 3, 27)}, "unknown_metric"),
        ({"metric_name": "hazards"}, "missing"),
        ({"metric_name": "hazards", "at": datetime(2022, 3, 27)}, "naive_datetime"),
    ],
)
def test_bad_counts_are_refused_with_a_code(kwargs: dict[str, object], code: str) -> None:
    with pytest.raises(InvalidInput) as err:
        Tally.empty().add("G1", **kwargs)  # type: ignore[arg-type]
    assert err.value.code == code


@given(
    st.lists(st.integers(-400 * 24 * 60, 400 * 24 * 60), min_size=1, max_size=30),
    st.sampled_from([DEFAULT_ZONE, UTC]),
)
def test_bulk_report_days_agree_over_any_span_and_zone(minutes: list[int], zone: tzinfo) -> None:
    # Instants further than the window (64 days) from the first go over their exact span.
    clock = ReportClock()
    instants = [(START + timedelta(minutes=m)).astimezone(zone) for m in minutes]
    assert clock.report_days(instants) == [clock.report_day(t) for t in instants]


# Instants reach the clock in many tzinfo objects: the clock's own zone, an equal copy
# of it (unpickled), a fixed offset per parsed value, a zoneinfo zone, UTC. The bulk
# path picks its comparison from the first instant; every mix must read as one at a time.
BERLIN = zone("Europe/Berlin")


def _copy(tz: tzinfo) -> tzinfo:
    """An equal zone in another object (unpickling gives the cached one, so build it apart)."""
    copied = (
        ZoneInfo.no_cache(tz.key) if isinstance(tz, ZoneInfo) else pickle.loads(pickle.dumps(tz))
    )
    assert copied is not tz
    return copied  # type: ignore[no-any-return]


def _has_zoneinfo() -> bool:
    try:
        ZoneInfo("Europe/Berlin")
    except ZoneInfoNotFoundError:  # no time-zone data at all
        return False
    return True


TZINFOS = st.sampled_from(
    ["zone", "copy", "fixed", "utc"] + (["zoneinfo"] if _has_zoneinfo() else [])
)


def _in(kind: str, clock_zone: tzinfo, t: datetime) -> datetime:
    if kind == "zone":
        return t.astimezone(clock_zone)
    if kind == "copy":
        return t.astimezone(_copy(clock_zone))
    if kind == "fixed":  # a new offset object per value, as parsing text gives
        return t.astimezone(timezone(t.astimezone(clock_zone).utcoffset() or timedelta()))
    if kind == "zoneinfo":
        return t.astimezone(ZoneInfo("Europe/Berlin" if clock_zone is BERLIN else "Asia/Shanghai"))
    return t.astimezone(UTC)


@settings(max_examples=150)
@given(
    st.sampled_from([DEFAULT_ZONE, BERLIN]),
    st.sampled_from([time(8), time(2, 30), time(0), time(23, 59)]),
    st.lists(
        st.tuples(
            st.one_of(
                st.integers(-2 * 24 * 60, 2 * 24 * 60),  # near the spring change
                st.integers(217 * 24 * 60, 219 * 24 * 60),  # near the autumn change
                st.integers(-300 * 24 * 60, 300 * 24 * 60),
            ),
            TZINFOS,
        ),
        min_size=1,
        max_size=25,
    ),
)
def test_bulk_report_days_agree_whatever_the_instants_tzinfo(
    clock_zone: tzinfo, cutoff: time, drawn: list[tuple[int, str]]
) -> None:
    clock = ReportClock(cutoff=cutoff, zone=clock_zone)
    spring = datetime(2022, 3, 27, 1, tzinfo=UTC)  # Berlin moves to summer time here
    instants = [_in(kind, clock_zone, spring + timedelta(minutes=m)) for m, kind in drawn]
    assert clock.report_days(instants) == [clock.report_day(t) for t in instants]


def test_bulk_report_days_keep_wall_clock_reading_across_a_daylight_saving_change() -> None:
    # A cutoff inside the autumn fold (02:30, Berlin, 30 October 2022): an instant of
    # the zone is read on its wall clock (02:15 of the second pass is before 02:30),
    # as one at a time, even when the first instant is in UTC.
    clock = ReportClock(cutoff=time(2, 30), zone=BERLIN)
    second_pass = datetime(2022, 10, 30, 1, 15, tzinfo=UTC).astimezone(BERLIN)
    assert second_pass.fold == 1
    assert second_pass.hour == 2
    first = datetime(2022, 10, 29, 12, tzinfo=UTC)
    instants = [first, second_pass]
    assert clock.report_days(instants) == [clock.report_day(t) for t in instants]
    assert clock.report_day(second_pass) == date(2022, 10, 30)


def test_bulk_report_days_of_unpickled_and_parsed_instants_take_the_fast_comparisons() -> None:
    # Not a timing: the cutoffs the bulk path bisects are in the instants' own terms.
    clock = ReportClock()
    t = datetime(2022, 3, 26, 9, tzinfo=DEFAULT_ZONE)
    copy = t.astimezone(_copy(DEFAULT_ZONE))
    days = DayNumbers(clock)
    days.numbers([copy])
    assert days.cutoffs
    # An equal copy compares field by field (cutoffs in the copy) or as time since the epoch.
    assert all(
        (isinstance(c, datetime) and c.tzinfo is copy.tzinfo) or isinstance(c, timedelta)
        for c in days.cutoffs
    )
    parsed = datetime.fromisoformat("2022-03-26T09:00:00+08:00")
    days = DayNumbers(clock)
    days.numbers([parsed])
    assert all(isinstance(c, timedelta) for c in days.cutoffs)
    assert clock.report_days([parsed, copy, t]) == [date(2022, 3, 27)] * 3


@given(
    st.lists(st.integers(-3 * 24 * 60, 3 * 24 * 60), min_size=1, max_size=20),
    st.lists(st.integers(-80 * 24 * 60, 80 * 24 * 60), max_size=20),
    TZINFOS,
)
def test_later_columns_grow_the_window_and_earlier_numbers_stay_valid(
    first: list[int], later: list[int], kind: str
) -> None:
    # The first column opens a small window around its first instant; a later
    # column with an instant beyond it grows the window (on either side), and the
    # numbers given before still stand for the same days.
    clock = ReportClock()
    xs = [_in(kind, DEFAULT_ZONE, START + timedelta(minutes=m)) for m in first]
    ys = [_in(kind, DEFAULT_ZONE, START + timedelta(minutes=m)) for m in later]
    days = DayNumbers(clock)
    before = days.numbers(xs)
    assert [days.day(n) for n in before] == [clock.report_day(x) for x in xs]
    assert len(days.cutoffs) < 40
    assert [days.day(n) for n in days.numbers(ys)] == [clock.report_day(y) for y in ys]
    assert days.numbers(xs) == before


def test_bulk_report_days_name_a_naive_instant() -> None:
    with pytest.raises(InvalidInput, match=r"instants\.1"):
        ReportClock().report_days([START, START.replace(tzinfo=None)])
