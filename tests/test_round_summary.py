"""The testing round apart from its day: ``round_summary``, ``RoundSummary``, ``testing_round``.

The demo runs a day without its round (``synthetic_day(..., testing_round=False)``)
in one process and the round (``round_summary``) in another, then adds the two.
That is right only if the round alone is the day's own round, and the day
without it is the day with it less the round: both are checked here, on a
tiny city, with the summary's fields, its checks and its arguments' checks.
"""

from __future__ import annotations

import multiprocessing
import pickle
import threading
import warnings
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

import attrs
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from gridcare.errors import GridcareError, InvalidInput
from gridcare.hierarchy import NodeKind
from gridcare.reports import Count, Tally
from gridcare.screening import Exemption, ExemptionReason
from gridcare.testing import synthetic_city
from gridcare.testing.province import record_count
from gridcare.testing.scenario import CityDay, RoundSummary, round_summary, synthetic_day
from gridcare.testing.synthetic import City

#: A few examples each: every one builds a day (a fraction of a second on the tiny city).
FEW = settings(max_examples=3, database=None, deadline=None)
#: The first and last report days synthetic_day takes.
FIRST_DAY, LAST_DAY = date(1900, 1, 29), date(2100, 12, 8)
SEED = 3


def refused(call: Callable[[], object], code: str, field: str) -> InvalidInput:
    """``call()`` raises ``InvalidInput`` with ``code`` at ``field`` (and shows nothing lazily)."""
    with pytest.raises(InvalidInput) as info:
        repr(call())
    assert (info.value.code, info.value.field) == (code, field), str(info.value)
    return info.value


@cache
def city() -> City:
    return synthetic_city(scale=0.001, seed=SEED)


@cache
def whole_day() -> CityDay:
    return synthetic_day(city(), seed=SEED)


@cache
def bare_day() -> CityDay:
    return synthetic_day(city(), seed=SEED, testing_round=False)


@cache
def summary() -> RoundSummary:
    return whole_day().round_summary()


# ----------------------------------------------------------------------------- the round alone


@FEW
@given(st.dates(FIRST_DAY, LAST_DAY), st.integers(0, 2**63 - 1))
@example(date(2022, 3, 27), 0)
def test_the_round_alone_is_the_days_own_round(report_day: date, seed: int) -> None:
    alone = round_summary(city(), report_day=report_day, seed=seed)
    assert alone == synthetic_day(city(), report_day=report_day, seed=seed).round_summary()
    # The round ran the day before the report day, over the whole city.
    assert alone.screening.start.date() == report_day - timedelta(days=1)
    assert alone.screening.scope == city().hierarchy.root.id
    assert alone.counts
    assert {count.day for count in alone.counts} == {report_day}


def test_the_round_depends_on_its_seed_and_day() -> None:
    """Summaries compare by their contents: another seed or day is another round."""
    base = round_summary(city(), seed=SEED)
    assert base == summary()
    assert round_summary(city(), seed=SEED + 1) != base
    assert round_summary(city(), seed=SEED, report_day=date(2022, 4, 1)) != base


def test_the_demos_second_process_sends_the_round_summary() -> None:
    """What ``gridcare demo --jobs 2`` runs in its second process, run here."""
    from gridcare._demo_round import round_elsewhere

    day = date(2022, 4, 1)
    got, (screening, counted) = round_elsewhere("zhuzhou", 0.001, SEED, day)
    assert got == round_summary(city(), report_day=day, seed=SEED)
    # The records it was summed from come back with it, so the process can end holding them.
    assert got.total == screening.total
    assert got.due == len(screening.outcomes) > 0
    assert counted.scope == city().hierarchy.root


def test_a_summary_crosses_processes_as_itself() -> None:
    back = pickle.loads(pickle.dumps(summary()))
    assert type(back) is RoundSummary
    assert back == summary()


# ----------------------------------------------------------------------------- the day without it


def test_the_day_without_its_round_and_the_round_add_up_to_the_day() -> None:
    whole, bare, rnd = whole_day(), bare_day(), summary()
    assert rnd.counts
    assert bare.tally() != whole.tally()
    assert Tally.from_counts([*bare.counts(), *rnd.counts]) == whole.tally()
    assert Counter([*bare.counts(), *rnd.counts]) == Counter(whole.counts())


def test_leaving_the_round_out_changes_nothing_else() -> None:
    """The rest of the day draws nothing from the round: every other field is the same."""
    whole, bare = whole_day(), bare_day()
    assert bare != whole
    assert attrs.evolve(bare, screening=whole.screening, census=whole.census) == whole


def test_a_day_without_its_round_has_none() -> None:
    bare = bare_day()
    assert bare.screening is None
    assert bare.census is None
    refused(bare.round_summary, "no_round", "screening")
    # A day holds its round and its census, or neither.
    refused(lambda: attrs.evolve(whole_day(), census=None), "half_round", "census")
    refused(lambda: attrs.evolve(whole_day(), screening=None), "half_round", "census")
    assert attrs.evolve(whole_day(), screening=None, census=None).screening is None


def test_the_record_count_leaves_out_the_residents_due() -> None:
    whole, bare = whole_day(), bare_day()
    assert whole.screening is not None
    due = len(whole.screening.outcomes)
    assert due > 0
    assert record_count(whole) - record_count(bare) == due == summary().due


@pytest.mark.parametrize(("testing_round", "steps"), [(True, 6), (False, 5)])
def test_progress_counts_the_steps_run(testing_round: bool, steps: int) -> None:
    calls: list[tuple[int, int]] = []
    synthetic_day(
        city(),
        declarations=5,
        seed=SEED,
        testing_round=testing_round,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(done, steps) for done in range(1, steps + 1)]


def test_a_city_day_checks_its_round_fields() -> None:
    whole = whole_day()
    refused(lambda: attrs.evolve(whole, screening="round"), "wrong_type", "screening")
    refused(lambda: attrs.evolve(whole, census=whole.screening), "wrong_type", "census")
    assert attrs.evolve(bare_day()) == bare_day()


# ----------------------------------------------------------------------------- the summary's fields


def test_the_summary_is_the_days_round() -> None:
    whole, rnd = whole_day(), summary()
    assert whole.screening is not None
    assert rnd.screening == whole.screening.replay.screening
    assert rnd.total == whole.screening.total
    assert rnd.total.due == rnd.due == len(whole.screening.outcomes)
    metrics = {count.metric for count in rnd.counts}
    assert any(m.startswith("screening_") for m in metrics)
    assert any(m.startswith("census_") for m in metrics)
    assert all(m.startswith(("screening_", "census_")) for m in metrics)
    assert {count.day for count in rnd.counts} == {whole.cutoff.date()}


def test_missed_lists_every_grid_with_residents_missed_most_first() -> None:
    whole, rnd = whole_day(), summary()
    assert whole.screening is not None
    grids = city().hierarchy.nodes_of(NodeKind.GRID)  # in preorder
    per_grid = [(g.id, whole.screening.node(g.id).missed) for g in grids]
    # Most first, and in preorder among equals (a stable sort of the preorder).
    expected = sorted([(g, n) for g, n in per_grid if n > 0], key=lambda pair: -pair[1])
    assert rnd.missed == tuple(expected)
    figures = [n for _, n in rnd.missed]
    assert figures == sorted(figures, reverse=True)
    assert all(n > 0 for n in figures)
    ids = [g for g, _ in rnd.missed]
    assert len(set(ids)) == len(ids)
    assert set(ids) <= {g.id for g in grids}
    assert sum(figures) == rnd.total.missed > 0


@settings(max_examples=10, database=None, deadline=None)
@given(st.integers(0, 40))
def test_most_missed_is_a_prefix(n: int) -> None:
    rnd = summary()
    assert len(rnd.missed) > 10  # so that the default (10) cuts the list
    assert rnd.most_missed(n) == rnd.missed[:n]
    assert len(rnd.most_missed(n)) == min(n, len(rnd.missed))
    assert rnd.most_missed() == rnd.missed[:10]


@pytest.mark.parametrize(
    ("n", "code"),
    [(-1, "negative"), (True, "not_integer"), (2.5, "not_integer"), ("3", "not_integer")],
)
def test_most_missed_refuses_a_bad_count(n: Any, code: str) -> None:
    refused(lambda: summary().most_missed(n), code, "n")


def test_the_repr_shows_no_resident() -> None:
    """The repr names the round and its sizes: no resident, even one the round exempts."""
    resident = city().residents[5]
    exempt = Exemption(
        resident_id=resident.id, reason=ExemptionReason.IN_HOSPITAL, note=resident.name
    )
    screening = attrs.evolve(summary().screening, exemptions=(exempt,))
    shown = attrs.evolve(summary(), screening=screening)
    assert resident.id in repr(screening)  # the round itself names whom it exempts
    for text in (repr(shown), str(shown)):
        assert resident.id not in text
        assert resident.name not in text
        assert screening.id in text
        assert f"due={shown.due}" in text
        assert len(text) < 200


# ----------------------------------------------------------------------------- the summary's checks

DEEP: list[object] = []
for _ in range(10_000):
    DEEP = [DEEP]

BAD_FIELDS: list[tuple[str, str, Any, str, str]] = [
    ("screening none", "screening", None, "wrong_type", "screening"),
    ("screening id", "screening", "round-2022-03-26", "wrong_type", "screening"),
    ("screening deep", "screening", DEEP, "wrong_type", "screening"),
    ("total none", "total", None, "wrong_type", "total"),
    ("total mapping", "total", {"due": 1}, "wrong_type", "total"),
    ("counts list", "counts", [], "wrong_type", "counts"),
    ("counts text", "counts", "counts", "wrong_type", "counts"),
    ("counts item", "counts", (None,), "wrong_type", "counts.0"),
    ("counts tuple", "counts", (("G", "screening_due", 1),), "wrong_type", "counts.0"),
    ("missed list", "missed", [], "wrong_type", "missed"),
    ("missed none", "missed", None, "wrong_type", "missed"),
    ("missed mapping", "missed", {"G": 1}, "wrong_type", "missed"),
    ("missed flat", "missed", ("G", 1), "wrong_type", "missed.0"),
    ("missed list pair", "missed", (["G", 1],), "wrong_type", "missed.0"),
    ("missed single", "missed", (("G",),), "wrong_type", "missed.0"),
    ("missed triple", "missed", (("G", 1, 2),), "wrong_type", "missed.0"),
    ("missed empty pair", "missed", ((),), "wrong_type", "missed.0"),
    ("missed deep", "missed", (DEEP,), "wrong_type", "missed.0"),
    ("missed id int", "missed", ((7, 1),), "wrong_type", "missed.0"),
    ("missed id none", "missed", ((None, 1),), "wrong_type", "missed.0"),
    ("missed id bytes", "missed", ((b"G", 1),), "wrong_type", "missed.0"),
    ("missed negative", "missed", (("G", -1),), "negative", "missed.0"),
    ("missed flag", "missed", (("G", True),), "not_integer", "missed.0"),
    ("missed float", "missed", (("G", 1.0),), "not_integer", "missed.0"),
    ("missed text", "missed", (("G", "1"),), "not_integer", "missed.0"),
    ("missed second", "missed", (("G", 2), ("H", -2)), "negative", "missed.1"),
    ("due negative", "due", -1, "negative", "due"),
    ("due flag", "due", True, "not_integer", "due"),
    ("due float", "due", 4.0, "not_integer", "due"),
    ("due text", "due", "4", "not_integer", "due"),
    ("due none", "due", None, "not_integer", "due"),
]


@pytest.mark.parametrize(
    ("name", "value", "code", "where"),
    [case[1:] for case in BAD_FIELDS],
    ids=[case[0] for case in BAD_FIELDS],
)
def test_a_summary_refuses_a_bad_field(name: str, value: Any, code: str, where: str) -> None:
    refused(lambda: attrs.evolve(summary(), **{name: value}), code, where)


def test_a_summary_takes_its_valid_fields() -> None:
    rnd = summary()
    assert attrs.evolve(rnd) == rnd
    # Empty lists are valid: a round with no grid missed.
    empty = attrs.evolve(rnd, counts=(), missed=())
    assert empty.most_missed() == ()
    assert rnd.total.missed > 0
    assert attrs.evolve(rnd, missed=(("G", rnd.total.missed),)).most_missed(1) == (
        ("G", rnd.total.missed),
    )


def test_a_summary_refuses_fields_of_different_rounds() -> None:
    rnd = summary()
    top = rnd.total.missed
    refused(lambda: attrs.evolve(rnd, due=rnd.due + 1), "inconsistent", "due")
    refused(lambda: attrs.evolve(rnd, missed=(("G", 0),)), "inconsistent", "missed.0")
    refused(lambda: attrs.evolve(rnd, missed=(("G", top + 1),)), "inconsistent", "missed.0")
    refused(lambda: attrs.evolve(rnd, missed=(("G", 1), ("H", 2))), "inconsistent", "missed.1")
    refused(lambda: attrs.evolve(rnd, missed=(("G", 1), ("G", 1))), "inconsistent", "missed.1")
    refused(lambda: attrs.evolve(rnd, missed=(("G", top), ("H", 1))), "inconsistent", "missed")
    assert attrs.evolve(rnd, missed=(("G", top - 1), ("H", 1))).missed[1] == ("H", 1)
    counts = (Count("G", "screening_due", 1, day=date(2022, 3, 27)),)
    assert attrs.evolve(rnd, counts=counts).counts == counts


_GARBAGE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=5),
    st.binary(max_size=5),
    st.lists(st.integers(), max_size=3),
    st.tuples(st.text(max_size=3), st.integers()),
    st.lists(
        st.tuples(st.one_of(st.text(max_size=3), st.integers()), st.integers()), max_size=3
    ).map(tuple),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.just(datetime(2022, 3, 27)),
    st.just(DEEP),
)


@settings(max_examples=30, database=None, deadline=None)
@given(st.sampled_from([a.name for a in attrs.fields(RoundSummary)]), _GARBAGE)
def test_a_summary_raises_only_coded_errors(name: str, value: object) -> None:
    failed: GridcareError | None = None
    try:
        made = attrs.evolve(summary(), **{name: value})
    except GridcareError as err:  # any other exception fails the test
        failed = err
    if failed is not None:
        assert isinstance(failed, InvalidInput)
        assert failed.field == name or failed.field.startswith(f"{name}.")
    else:
        # Accepted: only a value of the right shape (an empty tuple, a whole number from 0).
        assert getattr(made, name) == value
        assert name in ("counts", "missed", "due")
        repr(made)


# ----------------------------------------------------------------------------- arguments

T1 = datetime(2022, 3, 27, 8)

#: (case, arguments, code, field): round_summary refuses each as synthetic_day does.
BAD_ARGUMENTS: list[tuple[str, dict[str, Any], str, str]] = [
    ("no city", {"city": None}, "wrong_type", "city"),
    ("city by name", {"city": "zhuzhou"}, "wrong_type", "city"),
    ("a day for a city", {"city": None, "report_day": date(1, 1, 1)}, "wrong_type", "city"),
    ("year 1", {"report_day": date(1, 1, 1)}, "out_of_range", "report_day"),
    ("before the first", {"report_day": date(1900, 1, 28)}, "out_of_range", "report_day"),
    ("after the last", {"report_day": date(2100, 12, 9)}, "out_of_range", "report_day"),
    ("an instant", {"report_day": T1}, "not_date", "report_day"),
    ("text day", {"report_day": "2022-03-27"}, "not_date", "report_day"),
    ("no day", {"report_day": None}, "not_date", "report_day"),
    ("day before seed", {"report_day": date(1, 1, 1), "seed": -1}, "out_of_range", "report_day"),
    ("text seed", {"seed": "x"}, "bad_seed", "seed"),
    ("negative seed", {"seed": -1}, "bad_seed", "seed"),
    ("huge seed", {"seed": 2**63}, "bad_seed", "seed"),
    ("flag seed", {"seed": True}, "bad_seed", "seed"),
    ("float seed", {"seed": 1.0}, "bad_seed", "seed"),
    ("no seed", {"seed": None}, "bad_seed", "seed"),
]


@pytest.mark.parametrize(
    ("arguments", "code", "field"),
    [case[1:] for case in BAD_ARGUMENTS],
    ids=[case[0] for case in BAD_ARGUMENTS],
)
def test_round_summary_refuses_what_synthetic_day_refuses(
    arguments: dict[str, Any], code: str, field: str
) -> None:
    call = {"city": city(), **arguments}
    refused(lambda: round_summary(**call), code, field)
    refused(lambda: synthetic_day(**call), code, field)


@pytest.mark.parametrize("report_day", [FIRST_DAY, LAST_DAY])
def test_round_summary_takes_the_first_and_last_report_days(report_day: date) -> None:
    rnd = round_summary(city(), report_day=report_day, seed=2**63 - 1)
    assert rnd.screening.start.date() == report_day - timedelta(days=1)
    assert 0 < rnd.due <= len(city().residents)


@pytest.mark.parametrize("flag", ["yes", 1, 0, None, "False"])
def test_synthetic_day_refuses_a_testing_round_that_is_no_flag(flag: object) -> None:
    refused(lambda: synthetic_day(city(), testing_round=flag), "wrong_type", "testing_round")  # type: ignore[arg-type]


def test_the_round_process_sends_its_summary_or_raises_its_coded_error() -> None:
    from gridcare._demo_round import RoundProcess

    good = RoundProcess.spawned("zhuzhou", 0.001, SEED, date(2022, 3, 27))
    try:
        assert good.result() == round_summary(city(), report_day=date(2022, 3, 27), seed=SEED)
    finally:
        good.stop()
    bad = RoundProcess.spawned("zhuzhou", 0.001, SEED, date(1900, 1, 1))
    try:
        refused(bad.result, "out_of_range", "report_day")
    finally:
        bad.stop()


@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="the platform does not fork"
)
def test_a_forked_round_process_sends_the_summary_of_the_city_it_was_given() -> None:
    """The forked process takes this process's city: the round of that city, not a rebuilt one.

    A test process may run other threads (the demo forks only when it runs one); the
    child here touches nothing they hold, so the warning newer Pythons give is silenced.
    """
    from gridcare._demo_round import RoundProcess

    other = synthetic_city(scale=0.001, seed=SEED + 7)  # no profile/scale/seed rebuilds this one
    day = date(2022, 3, 29)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        job = RoundProcess.forked(other, SEED, day)
    try:
        got = job.result()
    finally:
        job.stop()
    assert got == round_summary(other, report_day=day, seed=SEED)
    assert got != round_summary(city(), report_day=day, seed=SEED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        bad = RoundProcess.forked(other, SEED, date(1900, 1, 1))
    try:
        refused(bad.result, "out_of_range", "report_day")
    finally:
        bad.stop()


def test_a_fork_is_safe_only_where_the_platform_forks_and_one_thread_runs() -> None:
    from gridcare._demo_round import fork_is_safe

    forks = "fork" in multiprocessing.get_all_start_methods()
    assert fork_is_safe() == (forks and threading.active_count() == 1)
    stop = threading.Event()
    helper = threading.Thread(target=stop.wait, daemon=True)
    helper.start()
    try:
        assert not fork_is_safe()  # a second thread is running
    finally:
        stop.set()
        helper.join()
