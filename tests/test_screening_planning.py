"""Planning a round: stations for a window, Liling's order of magnitude, the seeded check."""

from __future__ import annotations

import hashlib
import math
from datetime import timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.helpers import at, places_hierarchy

from gridcare.errors import UnknownNode
from gridcare.hierarchy import Hierarchy, NodeKind
from gridcare.people import Household
from gridcare.screening import (
    NodePlan,
    RoundPlan,
    ScreeningEvent,
    ScreeningRound,
    ThroughputModel,
    due_list,
    plan_round,
    plan_stations,
    simulate_round,
    simulated_round_log,
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


# ----------------------------------------------------------------------------- pinned generators


def _log_digest(log: list[ScreeningEvent]) -> str:
    """Every field a replay reads, one line per event, hashed."""
    rows = []
    for e in log:
        result = getattr(e, "result", None)
        fields = [type(e).__name__, e.id, e.at.isoformat()]
        fields += [str(getattr(e, name, "")) for name in _LOGGED]
        fields.append("" if result is None else result.value)
        rows.append(",".join(fields))
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


_LOGGED = ("resident_id", "tube_id", "tube_kind", "site_id", "door_team_id", "retest_of")


def test_simulated_round_log_is_pinned_for_its_seed() -> None:
    """Same arguments, same log, across versions: the demo's figures rest on it."""
    city = synthetic_city(scale=0.001, seed=1)
    rnd = ScreeningRound(
        id="S", scope=city.hierarchy.root.id, start=T0, end=T0 + timedelta(hours=5)
    )
    door = [r.id for r in city.residents if r.id.endswith("7")]
    due = due_list(
        rnd, city.hierarchy, city.households, door_sampling=door, single_tube=["R0000003"]
    )
    log = simulated_round_log(rnd, due, seed=1)
    assert len(log) == 5712
    assert _log_digest(log) == "9891f997110c6a5242a45cadc5b0bc65dccb8d7866aa52997d7adecd2d5758c5"


# ----------------------------------------------------------------------------- places of households


def _expected_place(h: Hierarchy, house: str, scope: str) -> str | None:
    """The slow oracle: the household's grid when it lies in the scope, else the scope."""
    if not h.is_within(house, scope):
        return None
    grid = h.grid_of(house)
    return grid.id if grid is not None and h.is_within(grid.id, scope) else scope


def test_due_list_places_for_every_scope() -> None:
    h = places_hierarchy()
    houses = [n.id for n in h.nodes_of(NodeKind.HOUSEHOLD)]
    households = [Household(id=x, members=(f"R{x}a", f"R{x}b")) for x in houses]
    for scope in h:
        rnd = ScreeningRound(id="S", scope=scope.id, start=T0, end=T0 + timedelta(hours=5))
        due = due_list(rnd, h, households)
        expected = {
            f"R{x}{k}": place
            for x in houses
            if (place := _expected_place(h, x, scope.id)) is not None
            for k in "ab"
        }
        assert {r: h.at(p).id for r, p in due.place_of.items()} == expected, scope.id


def test_due_list_refuses_a_household_the_hierarchy_lacks() -> None:
    h = places_hierarchy()
    rnd = ScreeningRound(id="S", scope="M", start=T0, end=T0 + timedelta(hours=5))
    with pytest.raises(UnknownNode):
        due_list(rnd, h, [Household(id="H1", members=("R1",)), Household(id="H9", members=("R9",))])
