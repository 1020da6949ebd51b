"""``DailyReport.to_frame``: a tidy pandas frame with numbers for rates and proper dtypes."""

from __future__ import annotations

import math
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridcare.hierarchy import Hierarchy, Node, NodeKind
from gridcare.reports import METRICS, DailyReport, MetricKind, TallyBuilder, daily_report

pd = pytest.importorskip("pandas")

DAY = date(2022, 3, 27)
METRIC_NAMES = [
    "declarations_received",
    "declarations_reviewed",
    "review_rate",
    "hazards",
    "cases_open",
    "households_in_scope",
    "households_knocked",
    "knock_rate",
]


@st.composite
def hierarchies(draw: st.DrawFn) -> Hierarchy:
    """A city with one to three districts of one to three grids each."""
    nodes = [Node("C", NodeKind.CITY, "株洲市")]
    for d in range(draw(st.integers(1, 3))):
        nodes.append(Node(f"D{d}", NodeKind.DISTRICT, f"{d}区", "C"))
        for g in range(draw(st.integers(1, 3))):
            nodes.append(Node(f"D{d}G{g}", NodeKind.GRID, f"{d}区{g}网格", f"D{d}"))
    return Hierarchy(nodes)


@st.composite
def reports(draw: st.DrawFn) -> tuple[DailyReport, DailyReport]:
    """Two consecutive reports (the second with changes) over generated tallies.

    Numerators never exceed their denominators, so every rate is a share;
    some grids have no declarations at all, so some rates are undefined.
    """
    h = draw(hierarchies())
    builder = TallyBuilder()
    for node in h.nodes_of(NodeKind.GRID):
        for day in (DAY, DAY + timedelta(1)):
            received = draw(st.integers(0, 30))
            builder.add(node.id, "declarations_received", received, day=day)
            builder.add(node.id, "declarations_reviewed", draw(st.integers(0, received)), day=day)
            builder.add(node.id, "hazards", draw(st.integers(0, 5)), day=day)
            builder.add(node.id, "cases_open", draw(st.integers(0, 5)), day=day)
        in_scope = draw(st.integers(0, 40))
        builder.add(node.id, "households_in_scope", in_scope, day=DAY)
        builder.add(node.id, "households_in_scope", in_scope, day=DAY + timedelta(1))
        builder.add(node.id, "households_knocked", draw(st.integers(0, in_scope)), day=DAY)
    t = builder.build()
    suppress = draw(st.sampled_from([None, 3]))
    first = daily_report(h, t, cutoff=DAY, metrics=METRIC_NAMES, suppress_below=suppress)
    second = daily_report(
        h,
        t,
        cutoff=DAY + timedelta(1),
        metrics=METRIC_NAMES,
        previous=first,
        suppress_below=suppress,
    )
    return first, second


def expected_value(report: DailyReport, node: str, name: str) -> float:
    """What the frame should hold, read straight from the report's figures."""
    fig = report.row(node).figures[name]
    if fig.suppressed:
        return math.nan
    if METRICS[name].kind is MetricKind.RATE:
        assert fig.rate is not None
        return math.nan if fig.rate.value is None else float(fig.rate.value)
    assert fig.cumulative is not None
    return float(fig.cumulative)


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@settings(max_examples=40, deadline=None)
@given(reports())
def test_frame_has_the_promised_columns_and_dtypes(pair: tuple[DailyReport, DailyReport]) -> None:
    _, report = pair
    frame = report.to_frame()
    assert list(frame.columns) == [
        "node",
        "name",
        "node_kind",
        "depth",
        "metric",
        "day",
        "value",
        "numerator",
        "denominator",
        "change",
    ]
    assert isinstance(frame["node_kind"].dtype, pd.CategoricalDtype)
    assert isinstance(frame["metric"].dtype, pd.CategoricalDtype)
    assert list(frame["metric"].cat.categories) == METRIC_NAMES
    assert frame["depth"].dtype == "int64"
    assert frame["day"].dtype == "datetime64[ns]"
    assert frame["value"].dtype == "float64"
    assert frame["change"].dtype == "float64"
    assert frame["numerator"].dtype == "Int64"
    assert frame["denominator"].dtype == "Int64"
    assert (frame["day"] == pd.Timestamp(report.day)).all()


@settings(max_examples=40, deadline=None)
@given(reports())
def test_one_row_per_node_and_metric_with_the_report_values(
    pair: tuple[DailyReport, DailyReport],
) -> None:
    first, second = pair
    for report in (first, second):
        frame = report.to_frame()
        assert len(frame) == len(report.rows) * len(report.metrics)
        assert not frame.duplicated(["node", "metric"]).any()
        for record in frame.itertuples(index=False):
            row = report.row(record.node)
            assert (record.name, record.node_kind, record.depth) == (
                row.name,
                row.kind.value,
                row.depth,
            )
            assert same(record.value, expected_value(report, record.node, record.metric))
            change = row.figures[record.metric].change
            assert same(record.change, math.nan if change is None else float(change))
    assert frame["change"].notna().any() or all(
        fig.change is None for row in second.rows for fig in row.figures.values()
    )


@settings(max_examples=40, deadline=None)
@given(reports())
def test_rates_are_fractions_equal_to_numerator_over_denominator(
    pair: tuple[DailyReport, DailyReport],
) -> None:
    _, report = pair
    frame = report.to_frame()
    is_rate = frame["metric"].isin([m for m in METRIC_NAMES if METRICS[m].kind is MetricKind.RATE])
    counts = frame[~is_rate]
    assert counts["numerator"].isna().all()
    assert counts["denominator"].isna().all()
    rates = frame[is_rate & frame["denominator"].notna()]
    for record in rates.itertuples(index=False):
        if record.denominator == 0:
            assert math.isnan(record.value)
        else:
            assert record.value == record.numerator / record.denominator
            assert 0.0 <= record.value <= 1.0
    hidden = frame[is_rate & frame["denominator"].isna()]
    assert hidden["value"].isna().all()  # suppressed rates show nothing


@settings(max_examples=40, deadline=None)
@given(reports())
def test_wide_frame_round_trips_to_the_long_values(pair: tuple[DailyReport, DailyReport]) -> None:
    _, report = pair
    long = report.to_frame()
    wide = report.to_frame(wide=True)
    assert list(wide.index) == [row.node_id for row in report.rows]
    assert wide.index.name == "node"
    assert list(wide.columns) == ["name", "node_kind", "depth", "day", *METRIC_NAMES]
    assert all(wide[m].dtype == "float64" for m in METRIC_NAMES)
    back = wide.reset_index().melt(
        id_vars=["node"], value_vars=METRIC_NAMES, var_name="metric", value_name="value"
    )
    merged = long.assign(metric=long["metric"].astype(str)).merge(
        back, on=["node", "metric"], suffixes=("", "_wide"), validate="one_to_one"
    )
    assert len(merged) == len(long)
    assert all(same(a, b) for a, b in zip(merged["value"], merged["value_wide"], strict=True))
    for row in report.rows:
        for name in METRIC_NAMES:
            assert same(wide.loc[row.node_id, name], expected_value(report, row.node_id, name))


def test_frame_on_the_synthetic_city_matches_the_rows() -> None:
    from gridcare.testing import synthetic_city

    city = synthetic_city(scale=0.002, seed=1)
    builder = TallyBuilder()
    for i, grid in enumerate(city.hierarchy.nodes_of(NodeKind.GRID)):
        builder.add(grid.id, "declarations_received", 10 + i % 7, day=DAY)
        builder.add(grid.id, "declarations_reviewed", 10 + i % 7 - i % 3, day=DAY)
    report = daily_report(city.hierarchy, builder.build(), cutoff=DAY)
    frame = report.to_frame()
    wide = report.to_frame(wide=True)
    assert len(frame) == len(report.rows) * len(report.metrics)
    for row in report.rows:
        for name in ("review_rate", "declarations_received"):
            assert wide.loc[row.node_id, name] == expected_value(report, row.node_id, name)
    assert (frame.loc[frame["metric"] == "review_rate", "value"].between(0, 1)).all()


def test_without_pandas_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    h = Hierarchy([Node("C", NodeKind.CITY, "c")])
    report = daily_report(h, TallyBuilder().build(), cutoff=DAY, metrics=["hazards"])
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r'pip install "gridcare\[pandas\]"'):
        report.to_frame()


def test_the_flat_dataframe_is_kept() -> None:
    h = Hierarchy([Node("C", NodeKind.CITY, "c")])
    report = daily_report(h, TallyBuilder().build(), cutoff=DAY, metrics=["hazards"])
    assert report.to_dataframe().loc[0, "hazards"] == 0


def test_the_coverage_notebook_reads_its_daily_report_as_a_frame(tmp_path: Path) -> None:
    from test_examples import EXAMPLES, run_notebook

    ns = run_notebook(
        EXAMPLES / "coverage.ipynb", SCALE=0.05, RUNS=2, FIGURE_PATH=str(tmp_path / "c.png")
    )
    grids = ns["grids"]
    report = ns["report"]
    assert grids["reach_rate"].dtype == "float64"
    assert list(grids["reach_rate"]) == sorted(grids["reach_rate"])
    assert len(grids) == sum(1 for row in report.rows if row.kind is NodeKind.GRID)
    for node, value in grids["reach_rate"].items():
        assert value == expected_value(report, node, "reach_rate")
    coverage = ns["coverage"]
    assert coverage["median"].dtype == "float64"
    assert coverage["median"].between(0, 1).all()
