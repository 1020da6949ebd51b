"""Replay a whole-population testing round and compute coverage at every node; ratio to pandas.

Run from the repository root::

    python benchmarks/bench_screening.py               # zhuzhou, scale 1.0: ~4.09 M residents
    python benchmarks/bench_screening.py --scale 0.1   # another size
    python benchmarks/bench_screening.py --smoke       # a quick run (CI)

Built untimed: ``synthetic_city("zhuzhou", scale)``, the round's due list over
every household, and ``simulated_round_log`` (pooled 10-in-1 tubes per grid,
single tubes for a key group, door sampling, 2% away, 1% missed, positive and
invalid pools with their single-tube re-tests), shuffled, with 0.1% of the
events sent twice.

Both sides start from the same list of event records and the same due list:

* gridcare: ``replay_round`` (dedupe by id, order by (instant, id), both
  transition tables and their guards) and ``coverage`` (counts per grid,
  summed to every node above);
* pandas: frames from the records and the due list, sort by (instant, id),
  drop repeated ids, each tube's result, each resident's first tube, re-test
  tube and away mark, the outcome per resident, counts per (grid, outcome),
  then one ``groupby`` per ancestor level. It applies no guard (the log is
  legal, so the guards reject nothing).

Each side first runs once untimed (the first run pays for fresh memory
pages); then the sides run in interleaved rounds, each round starting with
the other side, and each side keeps its best time. Both sides run with the
cyclic collector paused
(:func:`gridcare.bulk.collector_paused`), as a caller that owns the process may
choose; the records built untimed are frozen out of its way (``gc.freeze``).

The script checks that both give the same counts at every node of grid level
and above, and exits 1 if they differ. pandas is imported here only.
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
from datetime import datetime, timedelta

from gridcare.bulk import collector_paused
from gridcare.hierarchy import Hierarchy, NodeKind
from gridcare.screening import (
    DueList,
    ScreeningEvent,
    ScreeningRound,
    coverage,
    due_list,
    replay_round,
    simulated_round_log,
)
from gridcare.testing import synthetic_city
from gridcare.timeutil import DEFAULT_ZONE

START = datetime(2022, 3, 27, 7, 30, tzinfo=DEFAULT_ZONE)
OUTCOMES = (
    "sampled_negative",
    "under_retest",
    "positive",
    "awaiting_result",
    "away",
    "exempt",
    "missed",
)


def build(
    scale: float, seed: int
) -> tuple[Hierarchy, ScreeningRound, DueList, list[ScreeningEvent]]:
    city = synthetic_city("zhuzhou", scale=scale, seed=seed)
    hierarchy = city.hierarchy
    screening = ScreeningRound(
        id="ZZ-0327", scope=hierarchy.root.id, start=START, end=START + timedelta(hours=5)
    )
    n = len(city.residents)
    ids = [f"R{i:0{max(7, len(str(n)))}d}" for i in range(n)]
    rng = random.Random(seed)
    singles = rng.sample(ids, n // 500)  # under a measure, or a key group: single tubes
    door = rng.sample(ids, n // 100)  # bedridden, disabled, very old: door sampling
    due = due_list(screening, hierarchy, city.households, single_tube=singles, door_sampling=door)
    events = simulated_round_log(
        screening, due, seed=seed, positive_tubes=max(3, n // 400_000), invalid_tubes=5
    )
    events.extend(rng.sample(events, len(events) // 1000))
    rng.shuffle(events)
    return hierarchy, screening, due, events


def run_gridcare(
    hierarchy: Hierarchy, screening: ScreeningRound, due: DueList, events: list[ScreeningEvent]
) -> tuple[float, dict[str, tuple[int, ...]], int]:
    started = time.perf_counter()
    replayed = replay_round(events, screening, due)
    report = coverage(hierarchy, replayed)
    totals = {}
    for kind in (NodeKind.CITY, NodeKind.DISTRICT, NodeKind.STREET, NodeKind.COMMUNITY):
        for node, c in report.nodes(kind):
            totals[node.id] = c
    for node, c in report.nodes(NodeKind.GRID):
        totals[node.id] = c
    elapsed = time.perf_counter() - started
    counts = {
        node_id: (
            c.sampled_negative,
            c.under_retest,
            c.positive,
            c.awaiting_result,
            c.away,
            c.exempt,
            c.missed,
        )
        for node_id, c in totals.items()
    }
    return elapsed, counts, len(replayed.rejected)


def ancestor_table(hierarchy: Hierarchy, due: DueList) -> dict[str, dict[int, str]]:
    """For each level above the grid, place position -> ancestor id (built untimed, as the
    hierarchy's index is for gridcare)."""
    table: dict[str, dict[int, str]] = {}
    places = set(due.place_of.values())
    for kind in (
        NodeKind.CITY,
        NodeKind.DISTRICT,
        NodeKind.STREET,
        NodeKind.COMMUNITY,
        NodeKind.GRID,
    ):
        column = hierarchy.ancestor_positions(kind)
        table[kind.value] = {p: hierarchy.at(column[p]).id for p in places if column[p] >= 0}
    return table


def run_pandas(
    due: DueList, events: list[ScreeningEvent], table: dict[str, dict[int, str]], pool: int
) -> tuple[float, dict[str, tuple[int, ...]]]:
    import pandas as pd

    started = time.perf_counter()
    frame = pd.DataFrame(
        {
            "id": [e.id for e in events],
            "at": [e.at.timestamp() for e in events],
            "kind": [e.kind.value for e in events],
            "resident": [getattr(e, "resident_id", None) for e in events],
            "tube": [getattr(e, "tube_id", None) for e in events],
            "tube_kind": [getattr(e, "tube_kind", None) for e in events],
            "result": [getattr(e, "result", None) for e in events],
        }
    )
    frame = frame.sort_values(["at", "id"], kind="stable").drop_duplicates("id", keep="first")
    kind = frame["kind"]
    swabs = frame[kind == "swab"]
    swabs = swabs[swabs.groupby("tube").cumcount() < pool]  # the pool limit, in replay order
    first = swabs.drop_duplicates("resident", keep="first").set_index("resident")
    retests = frame[kind == "reswab"].drop_duplicates("resident", keep="last")
    retests = retests.set_index("resident")
    results = frame[kind.str.startswith("report_")].drop_duplicates("tube", keep="first")
    result_of = results.set_index("tube")["kind"].str.slice(7)
    away = frame[kind == "mark_away"].drop_duplicates("resident").set_index("resident")
    people = pd.DataFrame({"place": pd.Series(due.place_of, dtype="int64")})
    people["first_result"] = first["tube"].map(result_of).reindex(people.index)
    people["first_pooled"] = (first["tube_kind"] == "pooled").reindex(people.index)
    people["sampled"] = people.index.isin(first.index)
    people["retest_result"] = retests["tube"].map(result_of).reindex(people.index)
    people["retested"] = people.index.isin(retests.index)
    people["away"] = people.index.isin(away.index)
    people["exempt"] = people.index.isin(list(due.exempt))
    outcome = pd.Series("missed", index=people.index)
    outcome[people["exempt"]] = "exempt"
    outcome[people["away"]] = "away"
    sampled = people["sampled"]
    res = people["first_result"]
    outcome[sampled & res.isna()] = "awaiting_result"
    outcome[sampled & (res == "negative")] = "sampled_negative"
    outcome[sampled & (res == "invalid")] = "under_retest"
    outcome[sampled & (res == "positive") & people["first_pooled"].astype(bool)] = "under_retest"
    outcome[sampled & (res == "positive") & ~people["first_pooled"].astype(bool)] = "positive"
    again = people["retested"]
    rres = people["retest_result"]
    outcome[again] = "under_retest"
    outcome[again & (rres == "negative")] = "sampled_negative"
    outcome[again & (rres == "positive")] = "positive"
    per_place = people.groupby(["place", outcome]).size().unstack(fill_value=0)
    per_place = per_place.reindex(columns=list(OUTCOMES), fill_value=0)
    totals = {}
    for level, mapping in table.items():
        keys = per_place.index.map(mapping)
        summed = per_place.groupby(keys).sum()
        totals[level] = summed
    elapsed = time.perf_counter() - started
    counts: dict[str, tuple[int, ...]] = {}
    for summed in totals.values():
        for node_id, row in summed.iterrows():
            counts[str(node_id)] = tuple(int(row[o]) for o in OUTCOMES)
    return elapsed, counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="synthetic city scale")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--repeat", type=int, default=3, help="interleaved timed rounds (best kept)"
    )
    parser.add_argument("--smoke", action="store_true", help="scale 0.01, one run")
    args = parser.parse_args(argv)
    if args.smoke:
        args.scale, args.repeat = 0.01, 1
    t0 = time.perf_counter()
    hierarchy, screening, due, events = build(args.scale, args.seed)
    table = ancestor_table(hierarchy, due)
    gc.collect()
    gc.freeze()
    tubes = sum(1 for e in events if e.kind.value == "seal")
    print(
        f"setup {time.perf_counter() - t0:.1f} s: {len(due):,} residents due, "
        f"{len(events):,} events, about {tubes:,} tubes"
    )
    try:
        import pandas  # noqa: F401
    except ImportError:
        pandas_here = False
    else:
        pandas_here = True
    # One untimed run each (fresh memory pages), then interleaved rounds, each side's best kept.
    with collector_paused():
        _, our_counts, rejected = run_gridcare(hierarchy, screening, due, events)
        if pandas_here:
            _, their_counts = run_pandas(due, events, table, screening.pooling.pool_size)
    ours: list[float] = []
    theirs: list[float] = []
    for round_no in range(args.repeat):
        sides = ["gridcare", "pandas"] if round_no % 2 == 0 else ["pandas", "gridcare"]
        for side in sides:
            if side == "pandas" and not pandas_here:
                continue
            with collector_paused():
                if side == "gridcare":
                    ours.append(run_gridcare(hierarchy, screening, due, events)[0])
                else:
                    theirs.append(run_pandas(due, events, table, screening.pooling.pool_size)[0])
    best = min(ours)
    print(
        f"gridcare replay_round + coverage: {best:.2f} s "
        f"({best / len(events) * 1e6:.2f} µs per event), rejected {rejected}; "
        f"rounds {', '.join(f'{t:.2f}' for t in ours)}"
    )
    if not pandas_here:
        print("pandas is not installed: ratio skipped (pip install pandas)")
        return 0
    other = min(theirs)
    print(
        f"pandas frames + sort + outcomes + counts per level: {other:.2f} s; "
        f"rounds {', '.join(f'{t:.2f}' for t in theirs)}"
    )
    print(f"ratio gridcare / pandas: {best / other:.2f} (below 1: faster than pandas)")
    same = all(
        our_counts.get(node_id, (0,) * 7) == their_counts.get(node_id, (0,) * 7)
        for node_id in set(our_counts) | set(their_counts)
    )
    print(f"same outcome counts at every node: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
