"""Reports, labels, report days, plots and rates: bad arguments are coded errors where they enter.

The reproducers found by ``tests/hostile.py`` (and by hand) each have a test
asserting the code and the field; a sweep throws the scanner's hostile values
at the arguments the scanner's own valid values cannot reach; and
``Tally.add`` is shown linear in a loop (structurally, not by the clock) and
persistent under any interleaving of adds and reads, threads included.
"""

from __future__ import annotations

import contextlib
import pickle
import threading
import tracemalloc
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridcare.errors import GridcareError, InvalidInput, UnknownNode
from gridcare.hierarchy import Hierarchy, Node, NodeKind
from gridcare.labels import display_width, label, labels_of, require_lang
from gridcare.rates import Rate
from gridcare.reportdays import DayNumbers, cutoffs_as_compared
from gridcare.reports import (
    Count,
    DailyReport,
    Figure,
    Metric,
    MetricKind,
    ReportRow,
    Rollup,
    Tally,
    TallyBuilder,
    daily_report,
    lagging,
    tally,
)
from gridcare.reports.feeds import (
    assessment_counts,
    case_counts,
    declaration_counts,
    stock_counts,
    visit_counts,
)
from gridcare.timeutil import DEFAULT_ZONE, ReportClock
from hostile import HOSTILE

D = date(2022, 3, 27)
CUTOFF = datetime(2022, 3, 27, 8, tzinfo=DEFAULT_ZONE)
CITY = Hierarchy(
    [
        Node("C", NodeKind.CITY, "c"),
        Node("G1", NodeKind.GRID, "g1", "C"),
        Node("G2", NodeKind.GRID, "g2", "C"),
    ]
)


def _report() -> DailyReport:
    t = (
        Tally.empty()
        .add("G1", "hazards", 2, day=D)
        .add("G1", "declarations_received", 10, day=D)
        .add("G1", "declarations_reviewed", 9, day=D)
    )
    return daily_report(CITY, t, cutoff=D)


REPORT = _report()


def _code_and_field(call: Callable[[], object]) -> tuple[str, str]:
    with pytest.raises(InvalidInput) as err:
        call()
    str(err.value).encode("utf-8")
    return err.value.code, err.value.field


# --------------------------------------------------------------------------- the reproducers


@pytest.mark.parametrize(
    ("call", "code", "field"),
    [
        (lambda: Tally.empty().add("G", ["x"], day=D), "unknown_metric", "metric"),  # type: ignore[arg-type]
        (lambda: Tally.from_dict({"G": None}), "not_mapping", "G"),  # type: ignore[dict-item]
        (lambda: REPORT.to_text(metrics=["nope"]), "unknown_metric", "metrics.0"),
        (lambda: daily_report(CITY, Tally.empty(), cutoff="2022-03-27"), "not_date", "cutoff"),  # type: ignore[arg-type]
        (lambda: lagging(REPORT, "hazards", below="95"), "bad_threshold", "below"),  # type: ignore[arg-type]
        (
            lambda: daily_report(CITY, Tally.empty(), cutoff=D, suppress_below=Decimal("NaN")),  # type: ignore[arg-type]
            "bad_threshold",
            "suppress_below",
        ),
        (
            lambda: daily_report(CITY, Tally.empty(), cutoff=D, suppress_below=2.5),  # type: ignore[arg-type]
            "bad_threshold",
            "suppress_below",
        ),
        (lambda: lagging(REPORT, "hazards", bottom=Decimal("NaN")), "bad_threshold", "bottom"),  # type: ignore[arg-type]
        (lambda: lagging(REPORT, "hazards", bottom=2.5), "bad_threshold", "bottom"),  # type: ignore[arg-type]
        (lambda: lagging(REPORT, "hazards", below=float("nan")), "bad_threshold", "below"),
    ],
    ids=[
        "Tally.add metric list",
        "Tally.from_dict None",
        "to_text unknown metric",
        "daily_report text cutoff",
        "lagging text below",
        "suppress_below Decimal NaN",
        "suppress_below 2.5",
        "bottom Decimal NaN",
        "bottom 2.5",
        "below NaN",
    ],
)
def test_the_reproducers_are_coded_errors(
    call: Callable[[], object], code: str, field: str
) -> None:
    assert _code_and_field(call) == (code, field)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: Tally.empty().add("G1", "hazards", -1, day=D), "n"),
        (lambda: TallyBuilder().add("G1", "hazards", -1, day=D), "n"),
        (lambda: Count("G1", "hazards", -1, day=D), "n"),
        (lambda: Tally({("G1", "hazards", D): -1}), "counts.0.n"),
        (
            lambda: Tally.from_dict({"G1": {"hazards": {"2022-03-27": -1}}}),
            "G1.hazards.2022-03-27.n",
        ),
        (lambda: stock_counts({"G1": -1}, "cases_open", CUTOFF), "levels.G1.n"),
    ],
    ids=["Tally.add", "TallyBuilder.add", "Count", "Tally", "Tally.from_dict", "stock_counts"],
)
def test_a_negative_count_is_refused_where_it_enters(
    call: Callable[[], object], field: str
) -> None:
    assert _code_and_field(call) == ("negative", field)


@given(st.integers(0, 50), st.integers(0, 50))
def test_every_report_of_counts_that_entered_is_made(received: int, reviewed: int) -> None:
    """Counts from 0 up are all a tally holds, so a report never meets a negative one."""
    t = Tally.empty().add("G1", "declarations_received", received, day=D)
    t = t.add("G1", "declarations_reviewed", reviewed, day=D)
    report = daily_report(CITY, t, cutoff=D, metrics=["review_rate"])
    rate = report.row("C").figures["review_rate"].rate
    assert rate is not None
    assert (rate.numerator, rate.denominator) == (reviewed, received)


def test_a_metric_named_twice_or_outside_the_report_is_refused() -> None:
    assert _code_and_field(
        lambda: daily_report(CITY, Tally.empty(), cutoff=D, metrics=["hazards", "hazards"])
    ) == ("duplicate_metric", "metrics")
    small = daily_report(CITY, Tally.empty(), cutoff=D, metrics=["hazards"])
    assert _code_and_field(lambda: small.to_text(metrics=["disputes"])) == (
        "unknown_metric",
        "metrics.0",
    )
    assert _code_and_field(lambda: lagging(small, "disputes", bottom=1)) == (
        "unknown_metric",
        "metric",
    )


# --------------------------------------------------------------------------- each kind of bug


@pytest.mark.parametrize(
    ("call", "code", "field"),
    [
        # values: the fields of frozen values are checked when they are made
        (lambda: Count("", "hazards", day=D), "missing", "node"),  # the text rules of an id
        (lambda: Count(None, "hazards", day=D), "missing", "node"),  # type: ignore[arg-type]
        (lambda: Count(7, "hazards", day=D), "not_string", "node"),  # type: ignore[arg-type]
        (lambda: Count("G1", "review_rate", day=D), "rate_not_counted", "metric"),
        (lambda: Count("G1", "hazards"), "missing", "day"),
        (lambda: Count("G1", "hazards", at=datetime(2022, 3, 27)), "naive_datetime", "at"),
        (lambda: Count("G1", "hazards", day=date(1, 1, 1)), "out_of_range", "day"),
        (lambda: Figure(cumulative="5", day=None), "not_integer", "cumulative"),  # type: ignore[arg-type]
        (lambda: Figure(cumulative=-1, day=None), "negative", "cumulative"),
        (lambda: Figure(None, None, rate=0.5), "wrong_type", "rate"),  # type: ignore[arg-type]
        (lambda: Figure(None, None, suppressed=1), "bad_flag", "suppressed"),  # type: ignore[arg-type]
        (lambda: ReportRow("G1", "g", "grid", 1, {}), "bad_enum", "kind"),  # type: ignore[arg-type]
        (
            lambda: ReportRow("G1", "g", NodeKind.GRID, 1, {"nope": Figure(1, 1)}),
            "unknown_metric",
            "metric",
        ),
        (
            lambda: ReportRow("G1", "g", NodeKind.GRID, 1, {"hazards": 1}),
            "wrong_type",
            "figures.hazards",
        ),  # type: ignore[dict-item]
        (lambda: ReportRow("G1", "x" * 201, NodeKind.GRID, 1, {}), "too_long", "name"),
        (lambda: DailyReport(CUTOFF, D, ("hazards",), ([1],)), "wrong_type", "rows.0"),  # type: ignore[arg-type]
        (
            lambda: DailyReport(
                CUTOFF, D, ("hazards",), (ReportRow("G", "g", NodeKind.GRID, 1, {}),)
            ),
            "unknown_metric",
            "rows.0.figures",
        ),
        (lambda: DailyReport(datetime(2022, 3, 27), D, (), ()), "naive_datetime", "cutoff"),
        (lambda: Metric("m", "m", "m", "x", MetricKind.RATE), "missing", "numerator"),
        (lambda: Metric("m", "m", "m", "x", "flow"), "bad_enum", "kind"),  # type: ignore[arg-type]
        # tallies: keys, containers and callbacks
        (lambda: Tally({"G1": 1}), "bad_key", "counts.0"),  # type: ignore[dict-item]
        (lambda: Tally([("G1", "hazards", D)]), "not_mapping", "counts"),  # type: ignore[arg-type]
        (lambda: Tally.empty().get("G1", "hazards", "2022-03-27"), "not_date", "day"),  # type: ignore[arg-type]
        (lambda: Tally.empty().get(["G1"], "hazards", D), "not_string", "node"),  # type: ignore[arg-type]
        (lambda: Tally.empty().get("G1", "review_rate", D), "rate_not_counted", "metric"),
        (
            lambda: Tally.from_dict({"G1": {"hazards": {20220327: 1}}}),  # type: ignore[dict-item]
            "bad_date",
            "G1.hazards.<int>",
        ),
        (
            lambda: Tally.from_dict({"G1": {"hazards": {"27/03": 1}}}),
            "bad_date",
            "G1.hazards.27/03",
        ),
        (lambda: Tally.from_dict([1]), "not_mapping", "data"),  # type: ignore[arg-type]
        (lambda: Tally.merge(Tally.empty(), {}), "wrong_type", "b"),  # type: ignore[arg-type]
        (lambda: TallyBuilder(clock="08:00"), "wrong_type", "clock"),  # type: ignore[arg-type]
        (lambda: TallyBuilder(start={}), "wrong_type", "start"),  # type: ignore[arg-type]
        (lambda: TallyBuilder().add_count(("G1", "hazards")), "wrong_type", "count"),  # type: ignore[arg-type]
        (
            lambda: TallyBuilder().add_counts([Count("G1", "hazards", day=D), None]),
            "wrong_type",
            "counts.1",
        ),  # type: ignore[list-item]
        (lambda: TallyBuilder().add_tally({}), "wrong_type", "other"),  # type: ignore[arg-type]
        (lambda: tally([Count("G1", "hazards", day=D)], progress=1), "not_callable", "progress"),  # type: ignore[arg-type]
        (lambda: tally(5), "not_list", "records"),  # type: ignore[arg-type]
        (lambda: tally([None]), "wrong_type", "records.0"),  # type: ignore[list-item]
        # roll-ups and reports
        (lambda: Rollup("C", Tally.empty()), "not_hierarchy", "hierarchy"),  # type: ignore[arg-type]
        (lambda: Rollup(CITY, {}), "wrong_type", "source"),  # type: ignore[arg-type]
        (lambda: Rollup(CITY, Tally.empty()).value({}, "hazards", D), "not_string", "node"),  # type: ignore[arg-type]
        (
            lambda: Rollup(CITY, Tally.empty()).cumulative("C", "hazards", None),
            "not_date",
            "through",
        ),  # type: ignore[arg-type]
        (lambda: daily_report(CITY, [None], cutoff=D), "wrong_type", "source.0"),  # type: ignore[list-item]
        (
            lambda: daily_report(CITY, Tally.empty(), cutoff=D, levels=["grid"]),
            "bad_enum",
            "levels.0",
        ),  # type: ignore[list-item]
        (lambda: daily_report(CITY, Tally.empty(), cutoff=D, previous=1), "wrong_type", "previous"),  # type: ignore[arg-type]
        (lambda: daily_report(CITY, Tally.empty(), cutoff=D, clock=1), "wrong_type", "clock"),  # type: ignore[arg-type]
        (lambda: REPORT.row(["G1"]), "not_string", "node_id"),  # type: ignore[arg-type]
        (lambda: REPORT.to_text(lang="fr"), "unknown_choice", "lang"),  # type: ignore[arg-type]
        (lambda: REPORT.to_frame(wide="yes"), "bad_flag", "wide"),  # type: ignore[arg-type]
        (lambda: lagging("report", "hazards", bottom=1), "bad_report", "report"),  # type: ignore[arg-type]
        (lambda: lagging(REPORT, "hazards", bottom=1, kind="grid"), "bad_enum", "kind"),  # type: ignore[arg-type]
        # feeds
        (lambda: stock_counts([("G1", 1)], "cases_open", CUTOFF), "not_mapping", "levels"),  # type: ignore[arg-type]
        (lambda: stock_counts({"G1": 1}, "cases_open", "08:00"), "not_datetime", "cutoff"),  # type: ignore[arg-type]
        (lambda: declaration_counts([], hierarchy=None), "not_hierarchy", "hierarchy"),  # type: ignore[arg-type]
        (lambda: declaration_counts([1], hierarchy=CITY), "wrong_type", "records.0"),  # type: ignore[list-item]
        (
            lambda: declaration_counts([], hierarchy=CITY, review_hours=float("nan")),
            "bad_hours",
            "review_hours",
        ),
        (
            lambda: declaration_counts([], hierarchy=CITY, unrouted_node=1),
            "not_string",
            "unrouted_node",
        ),  # type: ignore[arg-type]
        (lambda: visit_counts("states", hierarchy=CITY), "not_list", "states"),  # type: ignore[arg-type]
        (lambda: visit_counts([], hierarchy=CITY, attempts=[None]), "wrong_type", "attempts.0"),  # type: ignore[list-item]
        (
            lambda: assessment_counts([("G1", None)], hierarchy=CITY, cutoff=CUTOFF),
            "wrong_type",
            "assessed.0",
        ),  # type: ignore[list-item]
        (lambda: case_counts([None], cutoff=CUTOFF), "wrong_type", "cases.0"),  # type: ignore[list-item]
        (lambda: case_counts([], cutoff=CUTOFF, deadlines={}), "wrong_type", "deadlines"),  # type: ignore[arg-type]
        # labels, report days, rates
        (lambda: labels_of("NodeKind"), "wrong_type", "enum_cls"),  # type: ignore[arg-type]
        (lambda: label("grid"), "wrong_type", "member"),  # type: ignore[arg-type]
        (lambda: label(NodeKind.GRID, "fr"), "unknown_choice", "lang"),  # type: ignore[arg-type]
        (lambda: display_width(b"x"), "not_string", "text"),  # type: ignore[arg-type]
        (lambda: DayNumbers("clock"), "wrong_type", "clock"),  # type: ignore[arg-type]
        (lambda: DayNumbers(ReportClock()).day(3), "no_origin", "number"),
        (lambda: DayNumbers(ReportClock()).day(2**63), "out_of_range", "number"),
        (lambda: DayNumbers(ReportClock()).numbers(None), "not_list", "instants"),  # type: ignore[arg-type]
        (
            lambda: DayNumbers(ReportClock()).numbers([CUTOFF, datetime(2022, 3, 27)]),
            "naive_datetime",
            "instants.1",
        ),
        (
            lambda: DayNumbers(ReportClock()).numbers([CUTOFF, "2022-03-27"]),
            "not_datetime",
            "instants.1",
        ),  # type: ignore[list-item]
        (
            lambda: DayNumbers(ReportClock()).numbers([CUTOFF, datetime(9999, 1, 1, tzinfo=UTC)]),
            "out_of_range",
            "instants.1",
        ),
        (lambda: cutoffs_as_compared(ReportClock(), [D], "UTC"), "wrong_type", "like"),  # type: ignore[arg-type]
        (lambda: cutoffs_as_compared(ReportClock(), [None], None), "wrong_type", "days.0"),  # type: ignore[list-item]
        (lambda: Rate(1.5, 2), "not_integer", "numerator"),  # type: ignore[arg-type]
    ],
)
def test_each_kind_of_bad_argument_has_its_code_and_field(
    call: Callable[[], object], code: str, field: str
) -> None:
    assert _code_and_field(call) == (code, field)


def test_the_plots_check_their_arguments_before_drawing() -> None:
    pytest.importorskip("matplotlib")
    from gridcare import plot

    assert _code_and_field(lambda: plot.daily_report_bars(REPORT, "hazards", ax=object())) == (
        "wrong_type",
        "ax",
    )
    assert _code_and_field(lambda: plot.daily_report_bars(REPORT, "hazards", level="grid")) == (  # type: ignore[arg-type]
        "bad_enum",
        "level",
    )
    assert _code_and_field(lambda: plot.lagging_grids(REPORT, "hazards", lang="de")) == (  # type: ignore[arg-type]
        "unknown_choice",
        "lang",
    )
    assert _code_and_field(lambda: plot.lagging_grids(REPORT, "hazards", bottom=-1)) == (
        "bad_threshold",
        "bottom",
    )


def test_an_unknown_scope_or_fallback_node_is_unknown_whatever_else_is_given() -> None:
    with pytest.raises(UnknownNode):
        visit_counts([], hierarchy=CITY, scope="")
    with pytest.raises(UnknownNode):
        declaration_counts([], hierarchy=CITY, unrouted_node="nowhere")


# --------------------------------------------------------------------------- a sweep


_HOSTILE = list(HOSTILE.items())


class _Pairs(Mapping[Any, Any]):
    """A mapping whose keys need not be hashable (a hostile key among them)."""

    def __init__(self, pairs: list[tuple[Any, Any]]) -> None:
        self._pairs = pairs

    def __getitem__(self, key: Any) -> Any:
        raise KeyError(key)

    def __iter__(self) -> Iterator[Any]:
        return iter([key for key, _ in self._pairs])

    def __len__(self) -> int:
        return len(self._pairs)

    def items(self) -> Any:
        return list(self._pairs)


#: Entry points with every other argument valid, so each hostile value meets its own check.
SWEEP: dict[str, Callable[[Any], object]] = {
    "Count.node": lambda v: Count(v, "hazards", day=D),
    "Count.n": lambda v: Count("G1", "hazards", v, day=D),
    "Count.at": lambda v: Count("G1", "hazards", at=v),
    "Count.day": lambda v: Count("G1", "hazards", day=v),
    "Tally.add.node": lambda v: Tally.empty().add(v, "hazards", day=D),
    "Tally.add.n": lambda v: Tally.empty().add("G1", "hazards", v, day=D),
    "Tally.add.day": lambda v: Tally.empty().add("G1", "hazards", day=v),
    "Tally.add.at": lambda v: Tally.empty().add("G1", "hazards", at=v),
    "Tally.add.clock": lambda v: Tally.empty().add("G1", "hazards", at=CUTOFF, clock=v),
    "Tally.counts": lambda v: Tally(_Pairs([(v, 1)])),
    "Tally.counts.node": lambda v: Tally(_Pairs([((v, "hazards", D), 1)])),
    "Tally.counts.n": lambda v: Tally({("G1", "hazards", D): v}),
    "Tally.get.node": lambda v: Tally.empty().get(v, "hazards", D),
    "Tally.get.day": lambda v: Tally.empty().get("G1", "hazards", v),
    "Tally.from_dict.day": lambda v: Tally.from_dict({"G1": {"hazards": v}}),
    "Tally.from_dict.n": lambda v: Tally.from_dict({"G1": {"hazards": {"2022-03-27": v}}}),
    "TallyBuilder.add_records.field": lambda v: TallyBuilder().add_records([None], field=v),
    "Rollup.value.day": lambda v: Rollup(CITY, Tally.empty()).value("C", "hazards", v),
    "Rollup.cumulative.node": lambda v: Rollup(CITY, Tally.empty()).cumulative(v, "hazards", D),
    "DailyReport.row": lambda v: REPORT.row(v),
    "DailyReport.to_text.metrics": lambda v: REPORT.to_text(metrics=v),
    "DailyReport.metrics": lambda v: DailyReport(CUTOFF, D, v, ()),
    "DailyReport.rows": lambda v: DailyReport(CUTOFF, D, (), v),
    "daily_report.levels": lambda v: daily_report(CITY, Tally.empty(), cutoff=D, levels=v),
    "lagging.below": lambda v: lagging(REPORT, "review_rate", below=v),
    "lagging.bottom": lambda v: lagging(REPORT, "review_rate", bottom=v),
    "Metric.numerator": lambda v: Metric("m", "m", "m", "%", MetricKind.RATE, v, "hazards"),
    "stock_counts.levels": lambda v: stock_counts({"G1": v}, "cases_open", CUTOFF),
    "declaration_counts.review_hours": lambda v: declaration_counts(
        [], hierarchy=CITY, cutoff=CUTOFF, review_hours=v
    ),
    "DayNumbers.numbers": lambda v: DayNumbers(ReportClock()).numbers([CUTOFF, v]),
    "DayNumbers.day": lambda v: DayNumbers(ReportClock()).day(v),
    "cutoffs_as_compared.days": lambda v: cutoffs_as_compared(ReportClock(), [v], None),
    "require_lang": require_lang,
}


@pytest.mark.parametrize("name", sorted(SWEEP))
@pytest.mark.parametrize(("label", "value"), _HOSTILE, ids=[label for label, _ in _HOSTILE])
def test_only_gridcare_errors_come_out(name: str, label: str, value: Any) -> None:
    with contextlib.suppress(GridcareError):
        result = SWEEP[name](value)
        repr(result)


# --------------------------------------------------------------------------- Tally.add is linear


def _allocated_by_adds(size: int, adds: int) -> int:
    """The peak memory ``adds`` calls of ``Tally.add`` allocate on a tally of ``size`` keys.

    The adds go to keys already held, so the shared table never grows: what
    is allocated is what each add costs, and copying the table would cost
    ``size`` entries each time.
    """
    builder = TallyBuilder()
    for i in range(size):
        builder.add(f"G{i}", "hazards", day=D)
    t = builder.build()
    t = t.add("G0", "hazards", day=D)  # the first add of a built tally, untimed
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        for i in range(adds):
            t = t.add(f"G{i % size}", "hazards", day=D)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert t.get("G0", "hazards", D) >= 2
    return peak - before


def test_a_loop_of_adds_costs_the_same_whatever_the_tally_size() -> None:
    small = _allocated_by_adds(1_000, 500)
    large = _allocated_by_adds(100_000, 500)
    # A copy of a 100,000-key table is megabytes; an add here is a few small objects.
    assert large < 200_000
    assert large < 3 * small + 20_000


def test_adds_share_one_table_and_a_version_left_behind_keeps_its_counts() -> None:
    first = Tally.empty().add("G1", "hazards", day=D)
    t = first
    for _ in range(1_000):
        t = t.add("G1", "hazards", day=D)
    assert t.get("G1", "hazards", D) == 1_001
    assert first.get("G1", "hazards", D) == 1  # walks the 1,000 differences back
    assert t.get("G1", "hazards", D) == 1_001  # and forward again
    assert pickle.loads(pickle.dumps(first)) == first


_OPS = st.lists(
    st.tuples(
        st.integers(0, 1_000),  # which version to add to (modulo the versions made)
        st.sampled_from([("G1", "hazards"), ("G2", "hazards"), ("G1", "services")]),
        st.integers(0, 4),  # n
        st.integers(0, 2),  # day offset
        st.integers(0, 1_000),  # which version to read after the add
    ),
    max_size=40,
)


@settings(max_examples=150)
@given(_OPS)
def test_every_version_keeps_its_counts_whatever_is_added_and_read(
    ops: list[tuple[int, tuple[str, str], int, int, int]],
) -> None:
    """A model of plain copies agrees with the shared table after any adds and reads."""
    versions = [Tally.empty()]
    models: list[dict[tuple[str, str, date], int]] = [{}]
    for source, (node, name), n, offset, read in ops:
        i = source % len(versions)
        day = D + timedelta(days=offset)
        versions.append(versions[i].add(node, name, n, day=day))
        model = dict(models[i])
        if n:
            model[(node, name, day)] = model.get((node, name, day), 0) + n
        models.append(model)
        j = read % len(versions)
        assert versions[j].to_table() == models[j]
        assert len(versions[j]) == len(models[j])
    for version, model in zip(reversed(versions), reversed(models), strict=True):
        assert dict(version) == model
        assert version == Tally(model)


def test_threads_adding_to_and_reading_one_family_each_see_their_own_counts() -> None:
    base = Tally.empty().add("G1", "hazards", day=D)
    errors: list[str] = []

    def work(k: int) -> None:
        mine = base
        for step in range(1, 301):
            mine = mine.add(f"G{k}", "services", day=D)
            if base.get("G1", "hazards", D) != 1 or mine.get(f"G{k}", "services", D) != step:
                errors.append(f"thread {k} step {step}")
                return

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert base.to_table() == {("G1", "hazards", D): 1}


def test_report_days_in_another_zone_still_name_a_naive_instant() -> None:
    east = datetime(2022, 3, 27, 1, tzinfo=timezone(timedelta(hours=8)))
    assert _code_and_field(
        lambda: DayNumbers(ReportClock()).numbers([east, east.replace(tzinfo=None)])
    ) == ("naive_datetime", "instants.1")


def test_a_feed_names_the_record_and_field_of_an_instant_the_clock_refuses() -> None:
    """Records check their instants; one that got past (a replaced field) is named by the feed."""
    from gridcare.visits.lifecycle import HouseholdVisit, HouseholdVisitState

    households = Hierarchy([*CITY, Node("H1", NodeKind.HOUSEHOLD, "h", "G1")])
    state = HouseholdVisit(
        household="H1",
        campaign_id="K",
        state=HouseholdVisitState.REACHED,
        first_attempt_at=CUTOFF,
        reached_at=CUTOFF,
    )
    object.__setattr__(state, "reached_at", CUTOFF.replace(tzinfo=None))
    assert _code_and_field(lambda: visit_counts([state, state], hierarchy=households)) == (
        "naive_datetime",
        "states.0.reached_at",
    )
    object.__setattr__(state, "reached_at", CUTOFF.replace(year=2200))
    assert _code_and_field(lambda: visit_counts([state], hierarchy=households)) == (
        "out_of_range",
        "states.0.reached_at",
    )


def test_a_day_key_too_deep_to_render_is_refused_without_rendering_it() -> None:
    deep: tuple[object, ...] = ()
    for _ in range(50_000):
        deep = (deep,)
    assert _code_and_field(lambda: Tally.from_dict({"G1": {"hazards": {deep: 1}}})) == (  # type: ignore[dict-item]
        "bad_date",
        "G1.hazards.<tuple>",
    )


def test_a_counts_instant_is_checked_also_beside_its_day() -> None:
    day = date(2022, 3, 27)
    for bad, code in (([[]], "not_datetime"), (datetime(2022, 3, 27, 8), "naive_datetime")):
        with pytest.raises(InvalidInput) as err:
            Count("G1", "hazards", at=bad, day=day)  # type: ignore[arg-type]
        assert (err.value.code, err.value.field) == (code, "at")
    both = Count("G1", "hazards", at=datetime(2022, 3, 28, 9, tzinfo=UTC), day=day)
    assert both.day == day
