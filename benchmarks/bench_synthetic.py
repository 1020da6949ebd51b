"""Measure building the synthetic city: wall time and peak resident memory.

Run from the repository root::

    python benchmarks/bench_synthetic.py                          # zhuzhou, scale 1.0, seed 0
    python benchmarks/bench_synthetic.py --profile liling --scale 1.0 --seed 0
    python benchmarks/bench_synthetic.py --smoke                  # scale 0.01, for CI

Prints one line per figure; the numbers go into ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from datetime import date

from gridcare.testing.synthetic import synthetic_city


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="zhuzhou", choices=["zhuzhou", "liling"])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--smoke", action="store_true", help="scale 0.01, to check it runs")
    args = parser.parse_args(argv)
    profile, seed = args.profile, args.seed
    scale = 0.01 if args.smoke else args.scale
    calls = 0

    def progress(done: int, total: int) -> None:
        nonlocal calls
        calls += 1

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    cpu = time.process_time()
    city = synthetic_city(profile, scale, seed, progress=progress)
    built = time.perf_counter() - start
    cpu = time.process_time() - cpu
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    counts = city.help_counts(date(2022, 3, 27))
    counted = time.perf_counter() - start
    start = time.perf_counter()
    fingerprint = city.fingerprint()
    hashed = time.perf_counter() - start
    print(f"profile {profile}, scale {scale}, seed {seed}")
    print(f"nodes {len(city.hierarchy):,}")
    print(f"households {len(city.households):,}")
    print(f"residents {len(city.residents):,}")
    print(f"workers {len(city.workers):,}, assignments {len(city.assignments):,}")
    print(f"build time {built:.1f} s wall, {cpu:.1f} s CPU (progress called {calls} times)")
    print(f"peak RSS {rss_after / 1024:.0f} MiB (before build {rss_before / 1024:.0f} MiB)")
    print(f"help_counts {counted:.2f} s: {counts}")
    print(f"fingerprint {hashed:.1f} s: {fingerprint[:16]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
