"""Coverage planning: the analytic plan, the seeded simulation, and their agreement."""

from __future__ import annotations

import itertools
import random
from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridcare.errors import InvalidInput
from gridcare.hierarchy import Hierarchy, Node, NodeKind
from gridcare.visits import VisitOutcome, replay_visits
from gridcare.visits.planning import (
    CampaignModel,
    allocate_teams,
    households_by_grid,
    plan_campaign,
    simulate_campaign,
    simulated_campaign_day,
)
from gridcare.visits.progress import progress

START = date(2022, 3, 20)


def grids(sizes: list[int]) -> dict[str, list[str]]:
    return {f"G{i:03d}": [f"G{i:03d}H{j:04d}" for j in range(n)] for i, n in enumerate(sizes)}


def test_plan_formula() -> None:
    m = CampaignModel(teams=1, visits_per_team_hour=10, nobody_home=0.5, target_coverage="0.75")
    plan = plan_campaign({"G": 150}, m)
    # 150 * 0.75 / 0.5 = 225 attempts at 150 a day.
    assert plan.expected_days == pytest.approx(1.5)
    assert [g.grid for g in plan.bottlenecks] == ["G"]


def test_vacancy_costs_one_attempt_and_leaves_the_denominator() -> None:
    m = CampaignModel(
        teams=1, visits_per_team_hour=10, nobody_home=0.0, vacant_share=0.2, target_coverage=1
    )
    assert m.expected_attempts(100) == pytest.approx(100)


def test_interval_bound() -> None:
    m = CampaignModel(
        teams=50, visits_per_team_hour=10, nobody_home=0.5, target_coverage="0.875",
        revisit_interval=timedelta(days=1), attempt_limit=5,
    )  # fmt: skip
    assert m.passes_needed == 3
    assert plan_campaign({"G": 10}, m).expected_days == pytest.approx(2.0)


def test_infeasible_target() -> None:
    m = CampaignModel(teams=1, visits_per_team_hour=10, nobody_home=0.5, attempt_limit=2,
                      target_coverage="0.9")  # fmt: skip
    assert not m.feasible
    plan = plan_campaign({"G": 10}, m, finish_within_days=3)
    assert plan.expected_days is None
    assert plan.teams_needed is None


def test_allocation() -> None:
    crews = allocate_teams({"A": 300, "B": 100, "C": 50}, 5)
    assert {c.grids[0]: c.teams for c in crews} == {"A": 3, "B": 1, "C": 1}
    packed = allocate_teams({"A": 300, "B": 100, "C": 250, "D": 60}, 2)
    assert sorted(c.households for c in packed) == [350, 360]
    assert sum(c.teams for c in packed) == 2
    with pytest.raises(InvalidInput):
        allocate_teams({}, 2)
    with pytest.raises(InvalidInput):
        allocate_teams({"A": -1}, 2)
    with pytest.raises(InvalidInput):
        allocate_teams({"A": 1}, 0)


@settings(max_examples=30)
@given(
    st.lists(st.integers(0, 2000), min_size=1, max_size=30),
    st.integers(1, 60),
)
def test_allocation_conserves(sizes: list[int], teams: int) -> None:
    counts = {f"G{i}": n for i, n in enumerate(sizes)}
    crews = allocate_teams(counts, teams)
    assert sorted(g for c in crews for g in c.grids) == sorted(counts)
    if teams >= len(sizes):
        assert sum(c.teams for c in crews) == teams
    else:
        assert all(c.teams == 1 for c in crews)
        assert len(crews) <= teams
    assert sum(c.households for c in crews) == sum(sizes)


def test_teams_needed_is_minimal() -> None:
    counts = {f"G{i}": 400 + 37 * i for i in range(12)}
    m = CampaignModel(teams=5, visits_per_team_hour=8, nobody_home=0.3)
    plan = plan_campaign(counts, m, finish_within_days=4)
    need = plan.teams_needed
    assert need is not None
    within = plan_campaign(
        counts, CampaignModel(teams=need, visits_per_team_hour=8, nobody_home=0.3)
    )
    assert within.expected_days is not None
    assert within.expected_days <= 4
    short = plan_campaign(
        counts, CampaignModel(teams=need - 1, visits_per_team_hour=8, nobody_home=0.3)
    )
    assert short.expected_days is not None
    assert short.expected_days > 4


@settings(max_examples=5)
@given(st.integers(0, 10**6))
def test_simulation_is_deterministic_for_a_seed(seed: int) -> None:
    hh = grids([40, 25, 60])
    m = CampaignModel(teams=2, visits_per_team_hour=6, nobody_home=0.3, vacant_share=0.05)
    a = simulate_campaign(hh, m, scope="D", start=START, runs=3, seed=seed)
    b = simulate_campaign(hh, m, scope="D", start=START, runs=3, seed=seed)
    assert a.runs == b.runs
    assert a.attempts == b.attempts


def test_simulated_log_replays_cleanly_and_matches_its_run() -> None:
    hh = grids([80, 50])
    m = CampaignModel(teams=2, visits_per_team_hour=6, nobody_home=0.3, vacant_share=0.05,
                      attempt_limit=3)  # fmt: skip
    sim = simulate_campaign(hh, m, scope="D", start=START, runs=2, seed=4)
    out = replay_visits(sim.attempts, sim.campaign)
    assert not out.rejected
    assert not out.duplicates
    run = sim.runs[0]
    states = [out.state_of(h) for ids in hh.values() for h in ids]
    assert sum(s.reached for s in states) == run.reached
    assert sum(s.value == "vacant" for s in states) == run.vacant
    assert sum(s.value == "escalated" for s in states) == run.escalated
    assert len(sim.attempts) == run.attempts
    assert all(a.outcome in VisitOutcome for a in sim.attempts)
    # Working hours: every attempt between 07:00 and 22:00 local time.
    assert all(7 <= a.at.hour < 22 for a in sim.attempts)


def test_plan_agrees_with_simulation_median_reduced_liling() -> None:
    """Liling at one tenth: 24,000 households, 30 teams, 48 uneven grids."""
    rng = random.Random(11)
    sizes = [rng.randint(300, 700) for _ in range(48)]
    scale = 24_000 / sum(sizes)
    hh = grids([max(1, int(n * scale)) for n in sizes])
    m = CampaignModel(
        teams=30, visits_per_team_hour=9, nobody_home=0.3, vacant_share=0.03,
        target_coverage=Fraction(9, 10),
    )  # fmt: skip
    plan = plan_campaign({g: len(v) for g, v in hh.items()}, m, finish_within_days=8)
    sim = simulate_campaign(hh, m, scope="L", start=START, runs=7, seed=2, keep_log=False)
    assert plan.expected_days is not None
    assert sim.median_days is not None
    assert abs(sim.median_days - plan.expected_days) <= 0.10 * plan.expected_days
    assert sim.p10_days is not None
    assert sim.p90_days is not None
    assert sim.p10_days <= sim.median_days <= sim.p90_days
    coverage = sim.coverage_by_day()
    assert [d for d, *_ in coverage] == list(range(1, len(coverage) + 1))
    medians = [c[2].value for c in coverage]
    assert all(a is not None and b is not None and a <= b for a, b in itertools.pairwise(medians))
    # Each figure is a run's own rate: of 7 runs sorted, indices 0, 3 and 5.
    for d, p10, median, p90 in coverage:
        own = [r.coverage_by_day[min(d, len(r.coverage_by_day)) - 1] for r in sim.runs]
        ranked = sorted(own, key=lambda rate: rate.value or 0)
        assert all(any(x is rate for rate in own) for x in (p10, median, p90))
        assert [p10.value, median.value, p90.value] == [ranked[i].value for i in (0, 3, 5)]


def test_simulation_progress_callback_and_bad_arguments() -> None:
    calls: list[tuple[int, int]] = []
    m = CampaignModel(teams=1, visits_per_team_hour=5)
    simulate_campaign(grids([10]), m, scope="D", start=START, runs=4,
                      progress=lambda d, t: calls.append((d, t)))  # fmt: skip
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]
    with pytest.raises(InvalidInput):
        simulate_campaign(grids([10]), m, scope="D", start=START, runs=0)
    with pytest.raises(InvalidInput):
        simulate_campaign({"G": ["H1", "H1"]}, m, scope="D", start=START)
    with pytest.raises(InvalidInput):
        simulate_campaign(grids([10]), m, scope="D", start="2022-03-20")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"teams": 0}, "bad_teams"),
        ({"visits_per_team_hour": 0}, "bad_rate"),
        ({"nobody_home": 1.0}, "bad_probability"),
        ({"vacant_share": -0.1}, "bad_probability"),
        ({"attempt_limit": 0}, "bad_attempt_limit"),
        ({"target_coverage": "0"}, "bad_target"),
        ({"revisit_interval": timedelta(hours=-1)}, "bad_interval"),
    ],
)
def test_bad_models(changes: dict[str, object], code: str) -> None:
    base: dict[str, object] = {"teams": 3, "visits_per_team_hour": 8}
    base.update(changes)
    with pytest.raises(InvalidInput) as info:
        CampaignModel(**base)  # type: ignore[arg-type]
    assert info.value.code == code


def _city() -> Hierarchy:
    nodes = [Node("C", NodeKind.CITY, "c")]
    for d in range(2):
        nodes.append(Node(f"D{d}", NodeKind.DISTRICT, f"d{d}", "C"))
        for g in range(6):
            gid = f"D{d}G{g}"
            nodes.append(Node(gid, NodeKind.GRID, gid, f"D{d}"))
            nodes.extend(
                Node(f"{gid}H{h}", NodeKind.HOUSEHOLD, str(h), gid) for h in range(30 + 10 * g)
            )
    return Hierarchy(nodes)


def test_simulated_campaign_day_rows() -> None:
    city = _city()
    assert sum(len(v) for v in households_by_grid(city, "C").values()) == 2 * (6 * 30 + 150)
    day = simulated_campaign_day(city, teams=3, seed=1)
    assert [r["id"] for r in day.districts] == ["D0", "D1"]
    assert len(day.behind) == 10
    assert day.total["households"] == 660
    assert sum(int(r["reached"]) for r in day.districts) == day.total["reached"]  # type: ignore[call-overload]
    rates = [r["occupied_reach_rate"] for r in day.behind]
    assert all(isinstance(r, str) for r in rates)
    again = simulated_campaign_day(city, teams=3, seed=1)
    assert again == day
    report_day2 = simulated_campaign_day(city, teams=3, seed=1, day=2)
    assert int(report_day2.total["reached"]) >= int(day.total["reached"])  # type: ignore[call-overload]
    assert progress  # the rows come from gridcare.visits.progress.progress
