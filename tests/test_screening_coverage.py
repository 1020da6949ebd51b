"""Coverage per node, the mop-up and re-test lists, report counts: conservation and masking."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from hypothesis import given
from tests.helpers import at

from gridcare.errors import InvalidInput
from gridcare.hierarchy import Hierarchy, Node, NodeKind
from gridcare.people import Household
from gridcare.rates import Rate
from gridcare.screening import (
    SCREENING_METRICS,
    NodeCoverage,
    Outcome,
    ScreeningRound,
    TubeKind,
    TubeState,
    coverage,
    due_list,
    mop_up_list,
    replay_round,
    retest_list,
    screening_counts,
    simulated_round_log,
)
from gridcare.testing import synthetic_city
from gridcare.testing._screening_strategies import RoundCase, round_cases

T0 = at("2022-03-27 07:30")


@given(round_cases())
def test_per_grid_sums_equal_the_city(case: RoundCase) -> None:
    out = replay_round(case.events, case.screening, case.due)
    report = coverage(case.hierarchy, out)
    grids = [c for _, c in report.nodes(NodeKind.GRID)]
    total = report.total
    # households straight under the city count at the city itself: its own share
    own = [c for node, c in report.children("C") if node.kind is NodeKind.HOUSEHOLD]
    assert sum(grids + own, NodeCoverage.empty()) == total
    assert sum((c for _, c in report.children("C")), NodeCoverage.empty()) == total
    if not any(h.startswith("C-") for h in case.households):
        assert sum(grids, NodeCoverage.empty()) == total
    assert total.due == len(case.due)
    assert total.due == (total.sampled + total.away + total.exempt + total.missed)
    assert total.sampled == (
        total.sampled_negative + total.under_retest + total.positive + total.awaiting_result
    )
    assert total.coverage_rate == Rate(total.sampled, total.due - total.away - total.exempt)


@given(round_cases())
def test_fast_counts_equal_a_plain_count_per_node(case: RoundCase) -> None:
    out = replay_round(case.events, case.screening, case.due)
    report = coverage(case.hierarchy, out)
    outcomes = out.outcomes()
    h = case.hierarchy
    for node in h:
        plain = Counter(
            o for rid, o in outcomes.items() if h.is_within(case.due.household_of[rid], node.id)
        )
        got = report.node(node.id)
        assert got.due == sum(plain.values())
        assert got.missed == plain[Outcome.MISSED]
        assert got.sampled == sum(n for o, n in plain.items() if o.sampled)
        assert got.under_retest == plain[Outcome.UNDER_RETEST]
        tubes = [
            t
            for t in out.tubes.records.values()
            if t.members[0] in case.due
            and h.is_within(case.due.household_of[t.members[0]], node.id)
        ]
        assert got.tubes == len(tubes)
        assert got.pooled_positive_tubes == sum(
            1 for t in tubes if t.kind is TubeKind.POOLED and t.state is TubeState.POSITIVE
        )


@given(round_cases())
def test_counts_cover_every_metric(case: RoundCase) -> None:
    report = coverage(case.hierarchy, replay_round(case.events, case.screening, case.due))
    counts = screening_counts(report)
    assert {m for _, m in counts} == set(SCREENING_METRICS)
    assert counts[("C", "screening_due")] == len(case.due)
    above = report.node("C").missed - sum(
        c.missed for node, c in report.children("C") if node.kind is NodeKind.HOUSEHOLD
    )
    assert above == counts[("G1", "screening_missed")] + counts[("G2", "screening_missed")]


def test_rate_is_undefined_when_everyone_is_away_or_exempt() -> None:
    assert str(NodeCoverage(due=2, away=1, exempt=1).coverage_rate) == "—"


@pytest.fixture(scope="module")
def liling():  # type: ignore[no-untyped-def]
    city = synthetic_city("liling", scale=0.01, seed=3)
    rnd = ScreeningRound(
        id="LL", scope=city.hierarchy.root.id, start=T0, end=T0 + timedelta(hours=5)
    )
    due = due_list(rnd, city.hierarchy, city.households, door_sampling=["R0000003"])
    out = replay_round(simulated_round_log(rnd, due, seed=3), rnd, due)
    return city, coverage(city.hierarchy, out)


def test_mop_up_and_retest_lists_are_masked(liling) -> None:  # type: ignore[no-untyped-def]
    city, report = liling
    missed = [rid for rid, o in report.outcomes.items() if o is Outcome.MISSED]
    people = {rid: city.resident(rid) for rid in missed}
    mop = mop_up_list(report, people)
    assert mop.total == len(missed) == report.total.missed
    text = repr(mop)
    for rid in missed:
        person = people[rid]
        assert person.name not in text
        assert person.document.number not in text
    for grid_id, rows in mop.by_grid.items():
        assert all(r.grid_id == grid_id for r in rows)
        assert report.node(grid_id).missed == len(rows)
    tubes = retest_list(report, {rid: city.resident(rid) for rid in report.outcomes})
    assert tubes
    assert all(len(t.members) == len(t.retested) for t in tubes)
    for t in tubes:
        for m in t.members:
            assert city.resident(m.resident_id).name not in repr(t)


def test_nodes_below_grids_are_counted_on_demand(liling) -> None:  # type: ignore[no-untyped-def]
    city, report = liling
    grid = city.hierarchy.nodes_of(NodeKind.GRID)[0]
    children = report.children(grid.id)
    assert sum((c for _, c in children), NodeCoverage.empty()).due == report.node(grid.id).due
    house = city.hierarchy.descendants(grid.id, NodeKind.HOUSEHOLD)[0]
    assert report.node(house.id).due == len(city.residents_of(house.id))


def test_scope_is_enforced(liling) -> None:  # type: ignore[no-untyped-def]
    city, _ = liling
    rnd = ScreeningRound(
        id="L2",
        scope=city.hierarchy.nodes_of(NodeKind.GRID)[0].id,
        start=T0,
        end=T0 + timedelta(hours=5),
    )
    due = due_list(rnd, city.hierarchy, city.households)
    small = coverage(city.hierarchy, replay_round([], rnd, due))
    other = city.hierarchy.nodes_of(NodeKind.GRID)[1].id
    with pytest.raises(InvalidInput) as err:
        small.node(other)
    assert err.value.code == "outside_round_scope"
    assert small.total.due == len(due)
    assert small.total.missed == len(due)


def test_households_above_grid_level_count_at_the_scope() -> None:
    h = Hierarchy(
        [
            Node("C", NodeKind.CITY, "c"),
            Node("HC", NodeKind.HOUSEHOLD, "c1", "C"),
            Node("G", NodeKind.GRID, "g", "C"),
            Node("B", NodeKind.BUILDING, "b", "G"),
            Node("H1", NodeKind.HOUSEHOLD, "1", "B"),
        ]
    )
    rnd = ScreeningRound(id="S", scope="C", start=T0, end=T0 + timedelta(hours=5))
    households = [Household(id="HC", members=("R1", "R2")), Household(id="H1", members=("R3",))]
    report = coverage(h, replay_round([], rnd, due_list(rnd, h, households)))
    assert report.node("C").due == 3
    assert report.node("G").due == 1
    assert report.node("HC").due == 2
    assert report.node("B").due == report.node("H1").due == 1
    assert screening_counts(report)[("C", "screening_missed")] == 3
