"""Benchmark: the inputs that once cost quadratic time (or never returned), at three sizes.

Each case runs at sizes n, 2n and 4n in the same run and prints the seconds
and the growth from one size to the next: about 2 for linear work, about 4
for quadratic. The cases:

* ``replay_visits`` of one household with n re-sent copies of an attempt,
  stamped at earlier and earlier instants;
* ``diff`` of two registers of n designations each, all of one area and
  level, none of the new overlapping an old one;
* ``Tally.add`` in a loop of n adds over 1,000 nodes;
* a form whose phone is n spaces then ``x``, through ``parse_forms``;
* ``AreaCode.parse`` of a code with n local segments.

Usage::

    python benchmarks/bench_boundary.py           # n = 5,000
    python benchmarks/bench_boundary.py --smoke   # n = 500 (CI)
"""

from __future__ import annotations

import argparse
import itertools
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from fractions import Fraction

from gridcare.codes import AreaCode
from gridcare.declarations import example_form, parse_forms
from gridcare.errors import GridcareError
from gridcare.reports import Tally
from gridcare.risk import RiskDesignation, RiskLevel, RiskRegister
from gridcare.risk.register import diff
from gridcare.timeutil import DEFAULT_ZONE
from gridcare.visits import Campaign, VisitAttempt, VisitChannel, VisitOutcome, replay_visits

T0 = datetime(2022, 3, 20, 9, tzinfo=DEFAULT_ZONE)
DAY = date(2022, 3, 27)


def resent_attempts(n: int) -> Callable[[], object]:
    campaign = Campaign(
        id="K1",
        scope="D",
        round=1,
        start=T0 - timedelta(days=8),
        end=T0 + timedelta(days=8),
        target_coverage=Fraction(9, 10),
        revisit_interval=timedelta(hours=4),
        attempt_limit=3,
    )
    log = [
        VisitAttempt(
            id="a1",
            campaign_id="K1",
            household="H1",
            at=T0 - timedelta(seconds=i),
            outcome=VisitOutcome.NOBODY_HOME,
            channel=VisitChannel.DOOR,
            team="T1",
        )
        for i in range(n)
    ]
    return lambda: replay_visits(log, campaign)


def register_diff(n: int) -> Callable[[], object]:
    hour = timedelta(hours=1)
    start = datetime(2022, 1, 1, tzinfo=DEFAULT_ZONE)

    def designation(i: int) -> RiskDesignation:
        raised = start + 2 * i * hour
        return RiskDesignation("440304", RiskLevel.HIGH, raised, raised + hour)

    old = RiskRegister([designation(i) for i in range(n)])
    new = RiskRegister([designation(n + i) for i in range(n)])
    return lambda: diff(old, new)


def tally_adds(n: int) -> Callable[[], object]:
    def run() -> Tally:
        tally = Tally.empty()
        for i in range(n):
            tally = tally.add(f"G{i % 1000}", "hazards", 1, day=DAY)
        return tally

    return run


def long_phone(n: int) -> Callable[[], object]:
    form = example_form()
    form["phone"] = " " * n + "x"
    return lambda: parse_forms([form], received_at=T0)


def many_segments(n: int) -> Callable[[], object]:
    text = "430211" + "-a" * n

    def run() -> object:
        try:
            return AreaCode.parse(text).prefixes()
        except GridcareError as refused:
            return refused

    return run


CASES: dict[str, Callable[[int], Callable[[], object]]] = {
    "replay_visits, re-sent attempts": resent_attempts,
    "register diff, one area and level": register_diff,
    "Tally.add in a loop": tally_adds,
    "phone of n spaces, parse_forms": long_phone,
    "area code of n local segments": many_segments,
}


def best_of(run: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5_000, help="the smallest size")
    parser.add_argument("--smoke", action="store_true", help="n = 500, to check it runs")
    args = parser.parse_args()
    n = 500 if args.smoke else args.n
    sizes = (n, 2 * n, 4 * n)
    print(f"{'case':36} " + " ".join(f"{s:>9,}" for s in sizes) + "   growth per doubling")
    for name, case in CASES.items():
        seconds = [best_of(case(size), repeat=3) for size in sizes]
        growth = [later / earlier for earlier, later in itertools.pairwise(seconds)]
        print(
            f"{name:36} "
            + " ".join(f"{s:8.4f}s" for s in seconds)
            + "   "
            + ", ".join(f"{g:.1f}x" for g in growth)
        )


if __name__ == "__main__":
    main()
