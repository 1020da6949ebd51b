"""A report for publication (``suppress_below``) and counts at their bound: what an outside
probe found. A hidden count showed in every export but the text and the frame's values, and
in the frame's change; a count past any float was taken and broke the exports later."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridcare.errors import InvalidInput
from gridcare.hierarchy import Hierarchy, Node, NodeKind
from gridcare.reports import MAX_COUNT, Count, Figure, Tally, TallyBuilder, daily_report, lagging

DAY = date(2022, 3, 27)
H = Hierarchy(
    [
        Node("C", NodeKind.CITY, "c"),
        Node("G1", NodeKind.GRID, "g1", "C"),
        Node("G2", NodeKind.GRID, "g2", "C"),
    ]
)


def _exports(report: object) -> str:
    """Every export of a report as one text (the frames' values and changes included)."""
    from gridcare.reports import DailyReport

    assert isinstance(report, DailyReport)
    frame = report.to_frame()
    parts = [
        report.to_text(),
        report.to_csv(),
        json.dumps(report.to_dict(), default=str),
        repr(report.as_dicts()),
        repr(report),
        frame.to_csv(),
        report.to_frame(wide=True).to_csv(),
    ]
    return "\n".join(parts)


@given(hidden=st.integers(1, 4), shown=st.integers(5, 40), before=st.integers(0, 4))
def test_a_hidden_count_shows_in_no_export(hidden: int, shown: int, before: int) -> None:
    tally = Tally.empty().add("G1", "hazards", hidden, day=DAY).add("G2", "hazards", shown, day=DAY)
    prev = daily_report(
        H, Tally.empty().add("G1", "hazards", before, day=DAY), cutoff=date(2022, 3, 26)
    )
    r = daily_report(H, tally, cutoff=DAY, suppress_below=5, previous=prev, metrics=["hazards"])
    g1 = r.row("G1").figures["hazards"]
    assert g1.suppressed
    assert (g1.cumulative, g1.day, g1.change, g1.rate) == (None, None, None, None)
    row = next(x for x in r.as_dicts() if x["node_id"] == "G1")
    assert (row["hazards"], row["hazards.day"], row["hazards.change"]) == (None, None, None)
    frame = r.to_frame()
    cell = frame[(frame["node"] == "G1") & (frame["metric"] == "hazards")]
    assert cell["value"].isna().all()
    assert cell["change"].isna().all()
    # The visible grid and the city keep their figures (the city's total is not hidden).
    assert r.row("G2").figures["hazards"].cumulative == shown
    assert r.row("C").figures["hazards"].cumulative == hidden + shown
    # A hidden figure is not ranked: "below 5" would say what it is.
    assert [x.node_id for x in lagging(r, "hazards", below=5)] == []
    assert "G1" not in [x.node_id for x in lagging(r, "hazards", bottom=2)]


def test_a_hidden_rate_keeps_neither_part_and_the_next_report_no_change_from_it() -> None:
    received = Tally.empty().add("G1", "declarations_received", 3, day=DAY)
    tally = received.add("G1", "declarations_reviewed", 2, day=DAY)
    r = daily_report(H, tally, cutoff=DAY, suppress_below=5, metrics=["review_rate"])
    fig = r.row("G1").figures["review_rate"]
    assert (fig.suppressed, fig.rate, fig.day_rate) == (True, None, None)
    shown_anywhere = _exports(r)
    assert "2/3" not in shown_anywhere
    assert "66.67" not in shown_anywhere
    # A later report shown in full gets no change from a hidden one (it would give the old count).
    hidden = daily_report(
        H, received, cutoff=DAY, suppress_below=5, metrics=["declarations_received"]
    )
    later = Tally.empty().add("G1", "declarations_received", 9, day=date(2022, 3, 28))
    shown = daily_report(
        H, later, cutoff=date(2022, 3, 28), previous=hidden, metrics=["declarations_received"]
    )
    assert shown.row("G1").figures["declarations_received"].change is None


@pytest.mark.parametrize(
    "build",
    [
        lambda n: Tally.empty().add("G1", "hazards", n, day=DAY),
        lambda n: TallyBuilder().add("G1", "hazards", n, day=DAY),
        lambda n: Count("G1", "hazards", n, day=DAY),
        lambda n: Tally({("G1", "hazards", DAY): n}),
        lambda n: Tally.from_dict({"G1": {"hazards": {DAY.isoformat(): n}}}),
    ],
    ids=["Tally.add", "TallyBuilder.add", "Count", "Tally", "Tally.from_dict"],
)
def test_a_count_past_the_bound_is_refused_where_it_enters(build: object) -> None:
    assert callable(build)
    build(MAX_COUNT)  # the bound itself is a count
    for n in (MAX_COUNT + 1, 10**400, 10**5000):
        with pytest.raises(InvalidInput) as err:
            build(n)
        assert err.value.code == "out_of_range"


@pytest.mark.parametrize(
    "build",
    [
        lambda n: Figure(cumulative=n, day=None),
        lambda n: Figure(cumulative=None, day=n),
        lambda n: Figure(cumulative=1, day=None, change=-n),
    ],
    ids=["cumulative", "day", "change"],
)
def test_a_figure_no_float_or_short_text_can_hold_is_refused(build: object) -> None:
    assert callable(build)
    build(2**127 - 1)  # far past any sum of counts a machine can hold
    for n in (2**127, 10**400, 10**5000):
        with pytest.raises(InvalidInput) as err:
            build(n)
        assert err.value.code == "out_of_range"


def test_counts_at_the_bound_export_and_rank() -> None:
    tally = Tally.empty().add("G1", "hazards", MAX_COUNT, day=DAY).add("G2", "hazards", 1, day=DAY)
    r = daily_report(H, tally, cutoff=DAY, metrics=["hazards"])
    assert r.row("C").figures["hazards"].cumulative == MAX_COUNT + 1  # a sum may pass it
    assert [x.node_id for x in lagging(r, "hazards", bottom=1)] == ["G2"]
    assert str(MAX_COUNT) in r.to_csv()
    _exports(r)  # every export renders
