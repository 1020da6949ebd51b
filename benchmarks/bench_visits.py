"""Fold 1,389,962 visit attempts into household states and node progress; ratio to pandas.

Run from the repository root::

    python benchmarks/bench_visits.py              # 1,389,962 attempts, 240,000 households
    python benchmarks/bench_visits.py --n 200000   # another size
    python benchmarks/bench_visits.py --smoke      # a quick run (CI)

Both sides get the same list of ``VisitAttempt`` records in the same run:

* gridcare: ``replay_visits`` (dedupe by id, order by (instant, id), the full
  household visit machine) and ``progress`` (counts per node at every level);
* pandas: frame construction from the records, sort by (instant, id), drop
  repeated ids, last outcome per household, counts per grid and outcome.

pandas is imported here only (``pip install pandas``); without it the script
prints our timing and says the ratio was skipped.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import datetime, timedelta

from gridcare.hierarchy import Hierarchy, Node, NodeKind
from gridcare.timeutil import DEFAULT_ZONE
from gridcare.visits import Campaign, VisitAttempt, VisitChannel, VisitOutcome, replay_visits
from gridcare.visits.progress import progress

FULL_N = 1_389_962
START = datetime(2022, 3, 20, 7, tzinfo=DEFAULT_ZONE)


def build_hierarchy(households: int, grids: int) -> Hierarchy:
    """City > 10 districts > streets > communities > grids > households, in preorder."""
    nodes = [Node("C", NodeKind.CITY, "株洲市")]
    per_grid, extra = divmod(households, grids)
    g = 0
    for d in range(10):
        nodes.append(Node(f"D{d}", NodeKind.DISTRICT, f"区{d}", "C"))
        for s in range(3):
            sid = f"D{d}S{s}"
            nodes.append(Node(sid, NodeKind.STREET, f"街道{s}", f"D{d}"))
            for m in range(3):
                mid = f"{sid}M{m}"
                nodes.append(Node(mid, NodeKind.COMMUNITY, f"社区{m}", sid))
                share = grids // 90 + (1 if (d * 9 + s * 3 + m) < grids % 90 else 0)
                for _ in range(share):
                    gid = f"G{g:04d}"
                    nodes.append(Node(gid, NodeKind.GRID, f"网格{g}", mid))
                    for h in range(per_grid + (1 if g < extra else 0)):
                        nodes.append(Node(f"{gid}H{h:04d}", NodeKind.HOUSEHOLD, "户", gid))
                    g += 1
    return Hierarchy(nodes)


def build_attempts(household_ids: list[str], n: int, seed: int) -> list[VisitAttempt]:
    """``n`` attempts, legal for the machine, shuffled, with 0.1% re-sent duplicates."""
    rng = random.Random(seed)
    duplicates = n // 1000
    fresh = n - duplicates
    base, extra = divmod(fresh, len(household_ids))
    out: list[VisitAttempt] = []
    k = 0
    hour = timedelta(hours=1)
    for i, hid in enumerate(household_ids):
        count = base + (1 if i < extra else 0)
        offsets = sorted(rng.randrange(0, 8 * 15 * 60) for _ in range(count))
        r = rng.random()
        kind = "vacant" if r < 0.03 else "refused" if r < 0.04 else "absent" if r < 0.09 else "ok"
        misses = min(count - 1, int(rng.random() * 3)) if kind == "ok" else 0
        for j, minute in enumerate(offsets):
            day, rest = divmod(minute, 15 * 60)
            at = START + timedelta(days=day) + rest * hour / 60
            channel = VisitChannel.DOOR
            persons = 0
            reason = ""
            if kind == "vacant":
                outcome = VisitOutcome.VACANT
            elif kind == "refused":
                outcome = VisitOutcome.REFUSED
                reason = "不配合"
            elif kind == "absent" or j < misses:
                outcome = VisitOutcome.NOBODY_HOME
            else:
                outcome = VisitOutcome.REACHED
                persons = 1 + (k % 5)
                if j == misses and misses and k % 2:
                    channel = VisitChannel.DOOR_CODE_SCAN
            out.append(
                VisitAttempt(
                    id=f"A{k:08d}",
                    campaign_id="K1",
                    household=hid,
                    at=at,
                    outcome=outcome,
                    channel=channel,
                    team=f"T{i % 300:03d}",
                    persons_seen=persons,
                    reason=reason,
                )
            )
            k += 1
    originals = len(out)
    out.extend(out[rng.randrange(originals)] for _ in range(duplicates))
    rng.shuffle(out)
    return out


def run_gridcare(
    hierarchy: Hierarchy, campaign: Campaign, attempts: list[VisitAttempt], scope: set[str]
) -> tuple[float, dict[str, tuple[int, int, int]]]:
    as_of = campaign.end
    started = time.perf_counter()
    folded = replay_visits(attempts, campaign, households=scope)
    report = progress(hierarchy, campaign, folded, as_of)
    elapsed = time.perf_counter() - started
    per_grid = {
        node.id: (p.reached, p.vacant, p.refused) for node, p in report.nodes(NodeKind.GRID)
    }
    assert folded.total == len(attempts)
    return elapsed, per_grid


def run_pandas(
    attempts: list[VisitAttempt], grid_of: dict[str, str]
) -> tuple[float, dict[str, tuple[int, int, int]]]:
    import pandas as pd

    started = time.perf_counter()
    frame = pd.DataFrame(
        {
            "id": [a.id for a in attempts],
            "household": [a.household for a in attempts],
            "at": pd.to_datetime([a.at.timestamp() for a in attempts], unit="s", utc=True),
            "outcome": [a.outcome.value for a in attempts],
        }
    )
    frame = frame.sort_values(["at", "id"], kind="stable")
    frame = frame.drop_duplicates("id", keep="first")
    last = frame.drop_duplicates("household", keep="last")
    grid = last["household"].map(grid_of)
    counts = last.groupby([grid, last["outcome"]]).size()
    elapsed = time.perf_counter() - started
    table = counts.unstack(fill_value=0)
    per_grid = {
        str(g): (
            int(row.get("reached", 0)),
            int(row.get("vacant", 0)),
            int(row.get("refused", 0)),
        )
        for g, row in table.iterrows()
    }
    return elapsed, per_grid


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=FULL_N, help="number of attempts")
    parser.add_argument("--households", type=int, default=240_000)
    parser.add_argument("--grids", type=int, default=2_694)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per side (best kept)")
    parser.add_argument("--smoke", action="store_true", help="20,000 attempts, one run")
    args = parser.parse_args(argv)
    if args.smoke:
        args.n, args.households, args.grids, args.repeat = 20_000, 4_000, 90, 1
    t0 = time.perf_counter()
    hierarchy = build_hierarchy(args.households, args.grids)
    houses = [n.id for n in hierarchy.nodes_of(NodeKind.HOUSEHOLD)]
    attempts = build_attempts(houses, args.n, seed=7)
    campaign = Campaign(
        id="K1",
        scope="C",
        round=1,
        start=START - timedelta(hours=7),
        end=START + timedelta(days=8),
        target_coverage="0.95",
    )
    scope = set(houses)
    grid_pos = hierarchy.ancestor_positions(NodeKind.GRID)
    grid_of = {h: hierarchy.at(grid_pos[hierarchy.position(h)]).id for h in houses}
    print(
        f"setup {time.perf_counter() - t0:.1f} s: {len(attempts):,} attempts, "
        f"{len(houses):,} households, {args.grids:,} grids"
    )
    ours = min(run_gridcare(hierarchy, campaign, attempts, scope)[0] for _ in range(args.repeat))
    _, our_counts = run_gridcare(hierarchy, campaign, attempts, scope)
    print(
        f"gridcare replay_visits + progress: {ours:.2f} s "
        f"({ours / len(attempts) * 1e6:.2f} µs per attempt)"
    )
    try:
        import pandas  # noqa: F401
    except ImportError:
        print("pandas is not installed: ratio skipped (pip install pandas)")
        return 0
    theirs = min(run_pandas(attempts, grid_of)[0] for _ in range(args.repeat))
    _, their_counts = run_pandas(attempts, grid_of)
    print(f"pandas frame + sort + last outcome + counts per grid: {theirs:.2f} s")
    print(f"ratio gridcare / pandas: {ours / theirs:.2f} (below 1: faster than pandas)")
    same = all(
        our_counts.get(g, (0, 0, 0)) == their_counts.get(g, (0, 0, 0))
        for g in set(our_counts) | set(their_counts)
    )
    print(f"same reached / vacant / refused per grid: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
