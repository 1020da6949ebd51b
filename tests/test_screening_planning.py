"""Planning a round: stations for a window, Liling's order of magnitude, the seeded check."""

from __future__ import annotations

import math
from datetime import timedelta

import attrs
from hypothesis import given
from hypothesis import strategies as st
from tests.helpers import at

from gridcare.hierarchy import NodeKind
from gridcare.screening import (
    NodePlan,
    RoundPlan,
    ScreeningRound,
    ThroughputModel,
    due_list,
    plan_round,
    plan_stations,
    simulate_round,
)
from gridcare.testing import synthetic_city

T0 = at("2022-03-27 07:30")


def test_liling_drill_order_of_magnitude() -> None:
    """910,000 residents, 07:30-12:30: 120 swabs per station-hour at 85% load."""
    rnd = ScreeningRound(id="LL", scope="C", start=T0, end=at("2022-03-27 12:30"))
    plan = plan_stations(910_000, rnd.hours)
    assert rnd.hours == 5.0
    assert plan.stations == math.ceil(910_000 / (5 * 120 * 0.85)) == 1785
    assert (
        1_000 <= plan.stations <= 3_000
    )  # thousands of stations, not hundreds or tens of thousands
    assert plan.sites == 298
    assert plan.tubes == 91_000  # 10-in-1
    # what the stations can do in the window covers everyone due, with the margin kept
    assert plan.stations * 120 * 5 >= 910_000
    assert plan.load.value is not None
    assert plan.load.value <= 0.85


@given(
    st.integers(0, 2_000_000),
    st.integers(1, 12),
    st.integers(30, 300),
    st.sampled_from((0.5, 0.7, 0.85, 1.0)),
)
def test_stations_are_the_fewest_that_keep_the_load(
    due: int, hours: int, rate: int, load: float
) -> None:
    model = ThroughputModel(swabs_per_station_hour=rate, utilisation=load)
    plan = plan_stations(due, hours, model)
    assert plan.stations * hours * rate * load >= due - 1e-6
    if plan.stations:
        assert (plan.stations - 1) * hours * rate * load < due


def test_simulation_confirms_a_liling_sized_plan_scaled_down() -> None:
    city = synthetic_city("liling", scale=0.02, seed=1)
    rnd = ScreeningRound(
        id="LL", scope=city.hierarchy.root.id, start=T0, end=T0 + timedelta(hours=5)
    )
    due = due_list(rnd, city.hierarchy, city.households)
    plan = plan_round(city.hierarchy, rnd, due)
    assert plan.due == len(due)
    assert all(n.node_id and n.plan.stations >= 1 for n in plan.nodes if n.plan.due)
    sim = simulate_round(plan, seed=7)
    assert sim == simulate_round(plan, seed=7)
    assert sim.residents == len(due)
    assert sim.plan_holds
    assert sim.p95_wait_minutes < 60
    exact = RoundPlan(
        "LL",
        tuple(
            NodePlan(n.node_id, plan_stations(n.plan.due, 5.0, ThroughputModel(utilisation=1.0)))
            for n in plan.nodes
        ),
    )
    assert exact.stations <= plan.stations
    assert simulate_round(exact, seed=7).residents == len(due)


def test_too_few_stations_fail_the_check() -> None:
    few = plan_stations(3_000, 1.0)
    halved = attrs.evolve(few, stations=max(1, few.stations // 2))
    assert simulate_round(RoundPlan("S", (NodePlan("M", few),)), seed=1).plan_holds
    assert not simulate_round(RoundPlan("S", (NodePlan("M", halved),)), seed=1).plan_holds


def test_plan_per_community_sums_to_the_scope() -> None:
    city = synthetic_city("liling", scale=0.005, seed=2)
    rnd = ScreeningRound(
        id="LL", scope=city.hierarchy.root.id, start=T0, end=T0 + timedelta(hours=5)
    )
    due = due_list(rnd, city.hierarchy, city.households, single_tube=["R0000001"])
    plan = plan_round(city.hierarchy, rnd, due)
    by_street = plan_round(city.hierarchy, rnd, due, kind=NodeKind.STREET)
    assert plan.due == by_street.due == len(due)
    assert sum(n.plan.tubes for n in plan.nodes) >= math.ceil((len(due) - 1) / 10) + 1
