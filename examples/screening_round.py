"""Run a whole-population testing round (全员核酸检测) for the synthetic Liling.

Run from the repository root::

    python examples/screening_round.py               # Liling at scale 0.05 (about 45,000 residents)
    python examples/screening_round.py --scale 1.0   # the whole city (about 904,000 residents)

On 27 March 2022 Liling ran a city-wide testing drill from 07:30 to 12:30.
This script plans a round of that shape for the synthetic Liling (stations
needed, checked by a seeded simulation), simulates its event log (pooled
10-in-1 tubes, single tubes for residents under home isolation, door sampling
for the disabled and the very old, a few positive and invalid pools with
their re-tests), replays it, and prints the coverage per street, the grids
with the most missed residents, the mop-up list of the worst grid and the
re-test list, all masked. A door-knocking census follows. It then checks
conservation (every resident due ends in exactly one outcome; the per-grid
sums equal the city's) and prints ``check ok`` as its last line, or exits 1.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from datetime import date, datetime, timedelta

from gridcare.hierarchy import NodeKind
from gridcare.risk.policy import MeasureKind
from gridcare.screening import (
    Exemption,
    ExemptionReason,
    NodeCoverage,
    ScreeningRound,
    census,
    coverage,
    due_list,
    mop_up_list,
    needs_door_sampling,
    plan_round,
    plan_stations,
    replay_round,
    retest_list,
    simulate_round,
    simulated_census,
    simulated_round_log,
)
from gridcare.testing import synthetic_city
from gridcare.timeutil import DEFAULT_ZONE

START = datetime(2022, 3, 27, 7, 30, tzinfo=DEFAULT_ZONE)
END = datetime(2022, 3, 27, 12, 30, tzinfo=DEFAULT_ZONE)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.05, help="synthetic Liling's scale")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    started = time.perf_counter()

    city = synthetic_city("liling", scale=args.scale, seed=args.seed)
    hierarchy = city.hierarchy
    residents = list(city.residents)
    day = date(2022, 3, 27)
    door = [r.id for r in residents if needs_door_sampling(r, day)]
    isolated = {r.id: {MeasureKind.HOME_ISOLATION} for r in residents[::500]}
    screening = ScreeningRound(
        id="LL-2022-03-27",
        scope=hierarchy.root.id,
        start=START,
        end=END,
        exemptions=[
            Exemption(resident_id=r.id, reason=ExemptionReason.IN_HOSPITAL)
            for r in residents[7::2000]
        ],
    )
    due = due_list(screening, hierarchy, city.households, measures=isolated, door_sampling=door)
    county = hierarchy.nodes_of(NodeKind.DISTRICT)[0].name
    print(f"{county}: {len(due):,} residents due, {screening.hours:.0f} h window (07:30-12:30)")
    print(
        f"  single tubes {len(due.single_tube):,}, door sampling {len(due.door_sampling):,}, "
        f"exempt {len(due.exempt):,}"
    )

    # ------------------------------------------------------------------ the plan
    whole = plan_stations(910_000, screening.hours)
    print(
        f"plan for 910,000 residents in 5 h (120 swabs per station-hour, 85% load): "
        f"{whole.stations:,} stations, {whole.sites:,} sites, {whole.tubes:,} tubes"
    )
    plan = plan_round(hierarchy, screening, due)
    sim = simulate_round(plan, seed=args.seed)
    print(
        f"plan for this city: {plan.stations:,} stations at {plan.sites:,} sites in "
        f"{len(plan.nodes)} communities; simulated: {sim.served_in_window} at a station by 12:30, "
        f"p95 wait {sim.p95_wait_minutes:.1f} min"
    )

    # ------------------------------------------------------------------ the round
    log = simulated_round_log(screening, due, seed=args.seed)
    replayed = replay_round(log, screening, due)
    report = coverage(hierarchy, replayed)
    total = report.total
    print(
        f"round: {len(log):,} events, {total.tubes:,} tubes, rejected {len(replayed.rejected)}; "
        f"coverage {total.coverage_rate} (sampled {total.sampled:,} of "
        f"{total.to_sample:,} = due {total.due:,} - away {total.away:,} - exempt {total.exempt:,})"
    )
    print(
        f"  missed {total.missed:,}; pooled positive tubes {total.pooled_positive_tubes}; "
        f"under re-test {total.under_retest}; positive {total.positive}"
    )
    print("coverage per street:")
    for node, c in report.nodes(NodeKind.STREET):
        rate = str(c.coverage_rate)
        print(f"  {node.name:<10} due {c.due:>7,}  coverage {rate:>7}  missed {c.missed:>5,}")
    print("grids with the most missed residents:")
    worst = report.most_missed(NodeKind.GRID, 5)
    for node, missed in worst:
        print(f"  {node.name:<16} {missed:>4} missed")

    missed_ids = [rid for rid, o in report.outcomes.items() if o.value == "missed"]
    people = {rid: city.resident(rid) for rid in missed_ids}
    mop = mop_up_list(report, people, worst[0][0].id if worst else None)
    for grid_id, rows in list(mop.by_grid.items())[:1]:
        print(f"mop-up list of {hierarchy.node(grid_id).name} ({len(rows)} residents, masked):")
        for row in rows[:5]:
            print(f"  {row.household_id}  {row.name:<6} {row.document}")
    tubes = retest_list(
        report, {rid: city.resident(rid) for t in replayed.retest_members().values() for rid in t}
    )
    print(f"re-test list: {len(tubes)} tubes")
    for tube in tubes[:2]:
        done = sum(tube.retested)
        first = tube.members[0]
        print(
            f"  {tube.tube_id}: {len(tube.members)} members, {done} re-tested; "
            f"first {first.name} {first.document}"
        )

    # ------------------------------------------------------------------ the census
    entries = simulated_census(replayed, after=END + timedelta(hours=8), seed=args.seed)
    known = {e.resident_id: city.resident(e.resident_id) for e in entries if e.vaccine_doses == 0}
    found = census(
        hierarchy, entries, scope=hierarchy.root.id, as_of=END + timedelta(days=1), residents=known
    )
    c = found.node(hierarchy.root.id)
    print(
        f"census: {c.known:,} residents with known status, {c.unvaccinated_60_plus:,} unvaccinated "
        f"aged 60+, {c.overdue:,} overdue (no sample within 7 days), "
        f"{c.door_sampling_needed:,} need door sampling"
    )

    # ------------------------------------------------------------------ conservation
    outcomes = report.outcomes
    ok = True
    if set(outcomes) != set(due.household_of) or sum(Counter(outcomes.values()).values()) != len(
        due
    ):
        print("FAILED: a resident due has no outcome, or more than one")
        ok = False
    grids = sum((cov for _, cov in report.nodes(NodeKind.GRID)), NodeCoverage.empty())
    if grids != total or total.due != total.sampled + total.away + total.exempt + total.missed:
        print("FAILED: the per-grid sums differ from the city's")
        ok = False
    if replayed.rejected:
        print("FAILED: a legal log had rejected events")
        ok = False
    print(f"({time.perf_counter() - started:.1f} s)")
    if not ok:
        return 1
    print("check ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
