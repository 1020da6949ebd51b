"""Planning a round: stations for a window, Liling's order of magnitude, the seeded check."""

from __future__ import annotations

import hashlib
import math
from datetime import timedelta
from fractions import Fraction

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.helpers import at, places_hierarchy

from gridcare.errors import InvalidInput, UnknownNode
from gridcare.hierarchy import Hierarchy, NodeKind
from gridcare.people import Household
from gridcare.screening import (
    DueList,
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
    # Exactly, with the load as written (0.7 is seven tenths): a load that fills its stations
    # to the last resident needs no extra station.
    capacity = hours * rate * Fraction(str(load))
    assert plan.stations * capacity >= due
    if plan.stations:
        assert (plan.stations - 1) * capacity < due


def test_a_load_that_fills_its_stations_exactly_needs_no_more() -> None:
    # 3 h x 30 an hour x 0.7 = 63 residents a station; 81 stations take 5,103 exactly. In
    # floats, 3 x 30 x 0.7 is 62.99999999999999 and asked for 82.
    model = ThroughputModel(swabs_per_station_hour=30, utilisation=0.7)
    assert plan_stations(5103, 3, model).stations == 81
    assert plan_stations(5104, 3, model).stations == 82


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


# ----------------------------------------------------------------------------- unchecked events


@given(
    seed=st.integers(0, 2**63 - 1),
    away=st.sampled_from((0.0, 0.05, 0.3)),
    missed=st.sampled_from((0.0, 0.05, 0.3)),
    positive=st.integers(0, 3),
    invalid=st.integers(0, 3),
    door_every=st.integers(1, 9),
)
def test_the_events_a_log_builds_unchecked_pass_their_checks(
    seed: int, away: float, missed: float, positive: int, invalid: int, door_every: int
) -> None:
    """Each event rebuilt through its checking constructor is accepted and equal."""
    h = places_hierarchy()
    houses = [n.id for n in h.nodes_of(NodeKind.HOUSEHOLD)]
    households = [Household(id=x, members=tuple(f"R{x}{k}" for k in range(7))) for x in houses]
    rnd = ScreeningRound(id="S", scope="M", start=T0, end=T0 + timedelta(hours=5))
    members = [m for house in households for m in house.members]
    due = due_list(
        rnd,
        h,
        households,
        door_sampling=members[::door_every],
        single_tube=members[1::11],
    )
    log = simulated_round_log(
        rnd,
        due,
        seed=seed,
        away_share=away,
        missed_share=missed,
        positive_tubes=positive,
        invalid_tubes=invalid,
    )
    assert log
    for event in log:
        again = attrs.evolve(event)  # through the class's checking constructor
        assert again == event
        assert again.kind is event.kind


def test_a_round_id_leaves_room_for_the_logs_event_ids() -> None:
    h = places_hierarchy()
    houses = [Household(id=n.id, members=(f"R{n.id}",)) for n in h.nodes_of(NodeKind.HOUSEHOLD)]
    for length, fits in ((54, True), (55, False)):
        rnd = ScreeningRound(id="S" * length, scope="M", start=T0, end=T0 + timedelta(hours=5))
        due = due_list(rnd, h, houses)
        if fits:
            log = simulated_round_log(rnd, due, seed=3)
            assert max(len(e.id) for e in log) == 64
        else:
            with pytest.raises(InvalidInput) as caught:
                simulated_round_log(rnd, due, seed=3)
            assert (caught.value.code, caught.value.field) == ("too_long", "screening")


@pytest.mark.parametrize(
    ("resident_id", "accepted"),
    [("R" * 64, True), ("R" * 65, False), ("", False), ("R\x00", False), ("R\ud800", False)],
)
def test_a_due_list_holds_ids_only(resident_id: str, accepted: bool) -> None:
    for household_of in ({resident_id: "H1"}, {"R1": resident_id}):
        place_of = dict.fromkeys(household_of, 0)
        if accepted:
            DueList(round_id="S", scope_position=0, household_of=household_of, place_of=place_of)
        else:
            with pytest.raises(InvalidInput) as caught:
                DueList(
                    round_id="S", scope_position=0, household_of=household_of, place_of=place_of
                )
            assert (caught.value.code, caught.value.field) == ("bad_due", "household_of")
