"""Benchmark: assess_many over a city's declarations against a 500-designation register.

Builds ``--n`` synthetic histories (one to three stays each, seeded
``random.Random``) over a code tree of seven provinces (Hunan first), and a
register of 500 designations at county, town and community level. Then, in
the same run:

* ``assess_many`` over every history (each person's category and whether the
  declaration needs verifying; the plan, reasons and code colour are built
  when first read), timed per person;
* a naive loop that, for each stay of a sample of people, scans all 500
  designations (area containment, county and province checks against
  precomputed keys, the time window and the policy's rules), timed per person.

Usage::

    python benchmarks/bench_risk.py            # 170,437 histories
    python benchmarks/bench_risk.py --n 2000   # smaller
    python benchmarks/bench_risk.py --smoke    # 2,000 histories (CI)
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import datetime, timedelta

from gridcare.codes import AreaCode
from gridcare.risk import (
    PRESETS,
    Category,
    RiskDesignation,
    RiskHistory,
    RiskLevel,
    RiskRegister,
    Stay,
    assess_many,
)
from gridcare.risk.register import MatchKind
from gridcare.timeutil import DEFAULT_ZONE

PROVINCES = ("43", "44", "42", "31", "11", "51", "33")
AS_OF = datetime(2022, 3, 27, 8, tzinfo=DEFAULT_ZONE)


def code_tree(rng: random.Random) -> tuple[list[str], list[str], list[str]]:
    """County, town and community codes (6, 9 and 12 digits)."""
    counties: list[str] = []
    towns: list[str] = []
    communities: list[str] = []
    for prov in PROVINCES:
        for pref in range(1, 6):
            for county in rng.sample(range(2, 30), 6):
                c = f"{prov}{pref:02d}{county:02d}"
                counties.append(c)
                for town in range(1, 9):
                    t = f"{c}{town:03d}"
                    towns.append(t)
                    communities.extend(f"{t}{v:03d}" for v in range(1, 9))
    return counties, towns, communities


def build_register(rng: random.Random, counties, towns, communities) -> RiskRegister:
    designations = []
    for i in range(500):
        pool = counties if i % 10 == 0 else towns if i % 10 < 4 else communities
        area = AreaCode.parse(rng.choice(pool))
        level = rng.choice((RiskLevel.HIGH, RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.MEDIUM))
        raised = AS_OF - timedelta(days=rng.uniform(0, 30))
        lifted = raised + timedelta(days=rng.uniform(3, 20)) if rng.random() < 0.5 else None
        designations.append(RiskDesignation(area, level, raised, lifted))
    return RiskRegister(designations)


def build_histories(
    rng: random.Random, n: int, counties, towns, communities
) -> dict[int, RiskHistory]:
    places = (
        [AreaCode.parse(c) for c in rng.sample(communities, 6000)]
        + [AreaCode.parse(t) for t in rng.sample(towns, 600)]
        + [AreaCode.parse(c) for c in counties]
    )
    out: dict[int, RiskHistory] = {}
    for i in range(n):
        stays = []
        end = AS_OF - timedelta(hours=rng.uniform(1, 24 * 20))
        for _ in range(rng.randint(1, 3)):
            start = end - timedelta(hours=rng.uniform(2, 96))
            stays.append(Stay(rng.choice(places), start, end))
            end = start - timedelta(hours=rng.uniform(0, 48))
        arrived = AS_OF - timedelta(hours=rng.uniform(0, 48)) if rng.random() < 0.7 else None
        out[i] = RiskHistory(tuple(stays), arrived)
    return out


def naive(histories: dict[int, RiskHistory], register: RiskRegister, policy) -> int:
    """Scan every designation for every stay; count qualifying (stay, designation) pairs."""
    compiled = policy.compiled
    rules = compiled.rules
    trace = timedelta(days=compiled.trace_back_days)
    look_back = compiled.look_back
    keys = [(d, d.area, d.area.county, d.area.key[:2]) for d in register]
    hits = 0
    for h in histories.values():
        ref = h.arrived_at or AS_OF
        for stay in h.stays:
            place = stay.place
            county = place.county
            prov = place.key[:2]
            for d, area, d_county, d_prov in keys:
                if area.contains(place):
                    kind = MatchKind.DIRECT
                elif place.contains(area):
                    kind = MatchKind.POSSIBLE
                elif county is not None and county == d_county:
                    kind = MatchKind.COUNTY
                elif prov == d_prov:
                    kind = MatchKind.PROVINCE_OR_CITY
                else:
                    continue
                if (kind, d.level) not in rules or d.raised_at > AS_OF:
                    continue
                if stay.end <= d.raised_at - trace:
                    continue
                if d.lifted_at is not None and stay.start >= d.lifted_at:
                    continue
                end = stay.end if d.lifted_at is None or stay.end < d.lifted_at else d.lifted_at
                if ref - end <= look_back:
                    hits += 1
    return hits


def run_policy(name: str, histories, register, sample) -> list[tuple[str, str]]:
    policy = PRESETS[name]
    calls = 0

    def progress(done: int, total: int) -> None:
        nonlocal calls
        calls += 1

    # CPU time of this process: other work on the machine does not count.
    t0 = time.process_time()
    results = assess_many(
        histories, register=register, policy=policy, as_of=AS_OF, progress=progress
    )
    fast = time.process_time() - t0
    t0 = time.process_time()
    naive(sample, register, policy)
    slow = time.process_time() - t0

    n_stays = sum(len(h.stays) for h in histories.values())
    per_fast = fast / len(histories) * 1e6
    per_slow = slow / len(sample) * 1e6
    counts: dict[Category, int] = {}
    for a in results.values():
        counts[a.category] = counts.get(a.category, 0) + 1
    shown = ", ".join(f"{c.value} {n:,}" for c, n in sorted(counts.items()))
    return [
        ("policy", name),
        ("assess_many total (CPU)", f"{fast:.2f} s, {calls} progress calls"),
        ("assess_many per person", f"{per_fast:.2f} µs ({fast / n_stays * 1e6:.2f} µs per stay)"),
        ("naive per person", f"{per_slow:.2f} µs (sample of {len(sample):,})"),
        ("ratio naive / assess_many", f"{per_slow / per_fast:.1f}x"),
        ("categories", shown),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=170_437, help="number of histories")
    parser.add_argument("--naive-sample", type=int, default=3000, help="people in the naive loop")
    parser.add_argument(
        "--policy",
        action="append",
        choices=sorted(PRESETS),
        help="preset to assess under (repeatable; default: every preset)",
    )
    parser.add_argument("--seed", type=int, default=20220327)
    parser.add_argument("--smoke", action="store_true", help="2,000 histories, to check it runs")
    args = parser.parse_args(argv)
    if args.smoke:
        args.n = min(args.n, 2000)
        args.naive_sample = min(args.naive_sample, 200)

    rng = random.Random(args.seed)
    counties, towns, communities = code_tree(rng)
    register = build_register(rng, counties, towns, communities)
    histories = build_histories(rng, args.n, counties, towns, communities)
    n_stays = sum(len(h.stays) for h in histories.values())
    sample_keys = list(histories)[: min(args.naive_sample, len(histories))]
    sample = {k: histories[k] for k in sample_keys}

    rows = [
        ("histories / stays", f"{len(histories):,} / {n_stays:,}"),
        ("designations", f"{len(register)} (county, town and community level)"),
    ]
    for name in args.policy or list(PRESETS):
        # A fresh register per policy: its per-place index cache starts cold each time.
        fresh = RiskRegister(register.designations)
        rows += [("", ""), *run_policy(name, histories, fresh, sample)]
    width = max(len(r[0]) for r in rows)
    for name, value in rows:
        sys.stdout.write(f"{name:<{width}}  {value}\n".rstrip() + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
