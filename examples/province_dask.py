"""Hunan province's daily report on Dask: one task per city, and only small tallies travel.

Run from the repository root (needs the ``dask`` extra: ``pip install "gridcare[dask]"``)::

    python examples/province_dask.py                             # scale 0.01, 2 worker processes
    python examples/province_dask.py --scheduler distributed     # a LocalCluster of 2 workers
    python examples/province_dask.py --scale 0.002 --scheduler threads

Hunan's 14 cities (``gridcare.testing.province.hunan_cities``) are 14 Dask
tasks. Each task builds its city at ``--scale``, runs its report day, tallies
it and rolls the tally up to the city and its county-level units
(``city_tally``): a few hundred counts come back, never a household. The
driver merges the 14 tallies and renders the province's daily report over a
hierarchy that holds only the province, its cities and their counties. Each
city's seed derives from ``--seed`` and the city's code, so any scheduler, in
any order, gives the same report.

At a small scale (at most 0.02) the script checks itself, and exits 1 if a
check fails: the same cities built and tallied one after the other in this
process, merged the same way, give the same tally and the same report rows;
and (at most 0.01, where holding every city at once is cheap) the province's
rows equal those of one report over the whole province, every household in
one hierarchy, made from one tally of every city's records before any
roll-up. Its last line reads ``province scale S: H households, R records, T
s, check ok``: R counts the records of ``record_count`` (forms filed,
declaration events, assessments, visit attempts, whistle cases, residents due
in the testing round), T the wall seconds from submitting the tasks to the
rendered report (a cluster's start-up is printed apart).
"""

from __future__ import annotations

import argparse
import os
import pickle
import resource
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from gridcare.hierarchy import Hierarchy, NodeKind
from gridcare.reports import DailyReport, Tally, TallyBuilder, daily_report, rollup_to
from gridcare.testing.province import (
    REPORT_DAY,
    CityTally,
    ProvinceCity,
    city_day,
    city_tally,
    hunan_cities,
    hunan_hierarchy,
    merge_city_tallies,
    tally_for_province,
    whole_province,
)

#: The largest scale the script checks itself at, and the largest it builds the whole province at.
CHECK_UP_TO = 0.02
WHOLE_UP_TO = 0.01
SCHEDULERS = ("threads", "processes", "distributed")
#: The figures printed for the province and each city.
SHOWN = (
    "households_in_scope",
    "declarations_received",
    "review_rate",
    "knock_rate",
    "screening_coverage_rate",
    "cases_raised",
)


@dataclass(frozen=True)
class TaskStats:
    """What one city task measured where it ran."""

    code: str
    seconds: float
    pid: int
    peak_rss_mib: float  # the worker process's peak resident memory so far


@dataclass
class ProvinceRun:
    """One run of the 14 city tasks, merged and reported."""

    scale: float
    workers: int
    scheduler: str
    seed: int
    results: list[CityTally]
    stats: list[TaskStats]
    merged: Tally
    report: DailyReport
    wall_s: float
    startup_s: float = 0.0
    checks: list[tuple[str, bool]] = field(default_factory=list)

    @property
    def households(self) -> int:
        return sum(r.households for r in self.results)

    @property
    def residents(self) -> int:
        return sum(r.residents for r in self.results)

    @property
    def records(self) -> int:
        return sum(r.records for r in self.results)

    def peak_rss_per_worker(self) -> dict[int, float]:
        """The largest peak memory each worker process reported (MiB), by process id."""
        peaks: dict[int, float] = {}
        for s in self.stats:
            peaks[s.pid] = max(peaks.get(s.pid, 0.0), s.peak_rss_mib)
        return peaks


def run_city(city: ProvinceCity, scale: float, seed: int) -> tuple[CityTally, TaskStats]:
    """One Dask task: the city's tally at the province's nodes, and what the task cost."""
    started = time.perf_counter()
    result = city_tally(city, scale=scale, seed=seed)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return result, TaskStats(city.code, time.perf_counter() - started, os.getpid(), peak)


def province_report(merged: Tally, hierarchy: Hierarchy | None = None) -> DailyReport:
    """The province's daily report list over its top: the province, its cities, their counties."""
    return daily_report(hierarchy or hunan_hierarchy(), merged, cutoff=REPORT_DAY)


def run_province(scale: float, *, workers: int, scheduler: str, seed: int = 0) -> ProvinceRun:
    """Build the 14 city tasks, run them on the chosen scheduler, merge, render the report."""
    import dask

    cities = sorted(hunan_cities(), key=lambda c: -c.households)  # the largest city first
    tasks = [dask.delayed(run_city)(city, scale, seed) for city in cities]
    startup = 0.0
    if scheduler == "distributed":
        from dask.distributed import Client, LocalCluster

        started = time.perf_counter()
        with (
            LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            ) as cluster,
            Client(cluster) as client,
        ):
            startup = time.perf_counter() - started
            started = time.perf_counter()
            done = list(client.gather(client.compute(tasks)))
            run = _finish(done, started, scale, workers, scheduler, seed)
    else:
        started = time.perf_counter()
        done = list(dask.compute(*tasks, scheduler=scheduler, num_workers=workers))
        run = _finish(done, started, scale, workers, scheduler, seed)
    run.startup_s = startup
    return run


def _finish(
    done: list[tuple[CityTally, TaskStats]],
    started: float,
    scale: float,
    workers: int,
    scheduler: str,
    seed: int,
) -> ProvinceRun:
    results = sorted((r for r, _ in done), key=lambda r: r.code)
    merged = merge_city_tallies(results)
    report = province_report(merged)
    wall = time.perf_counter() - started
    stats = [s for _, s in done]
    return ProvinceRun(scale, workers, scheduler, seed, results, stats, merged, report, wall)


def check(run: ProvinceRun) -> list[tuple[str, bool]]:
    """The single-process checks (at most :data:`CHECK_UP_TO`); each is (what, passed)."""
    whole = run.scale <= WHOLE_UP_TO
    lifted: list[CityTally] = []
    raw = TallyBuilder()
    hierarchies: list[Hierarchy] = []
    for city in hunan_cities():
        day = city_day(city, scale=run.scale, seed=run.seed)
        lifted.append(tally_for_province(day))
        if whole:
            raw.add_tally(day.tally())
            hierarchies.append(day.city.hierarchy)
        del day
    single = merge_city_tallies(lifted)
    ours = run.report.as_dicts()
    checks = [
        ("merged tally == single-process tally", run.merged == single),
        (
            f"report rows equal the single-process report's ({len(ours)} rows)",
            ours == province_report(single).as_dicts(),
        ),
    ]
    if whole:
        h = whole_province(hierarchies)
        top = [n.id for n in hunan_hierarchy()]
        direct = daily_report(
            h,
            raw.build(),
            cutoff=REPORT_DAY,
            levels=[NodeKind.PROVINCE, NodeKind.CITY, NodeKind.DISTRICT],
        )
        checks.append(
            (
                f"report rows equal one report over the whole province "
                f"({h.count_below(h.root.id, NodeKind.HOUSEHOLD):,} households in one hierarchy)",
                ours == direct.as_dicts(),
            )
        )
        checks.append(
            (
                "the whole province's tally rolled up to its top == the merged tally",
                rollup_to(h, raw.build(), top) == run.merged,
            )
        )
    return checks


def summary(run: ProvinceRun) -> str:
    """The province's row and its 14 cities' rows of a few figures, as a text table."""
    h = hunan_hierarchy()
    shown = daily_report(
        h,
        run.merged,
        cutoff=REPORT_DAY,
        levels=[NodeKind.PROVINCE, NodeKind.CITY],
        metrics=list(SHOWN),
    )
    return shown.to_text(lang="en")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scheduler", default="processes", choices=SCHEDULERS)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if not 0 < args.scale <= 2:
        parser.error("--scale must be above 0 and at most 2")
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    try:
        import dask

        if args.scheduler == "distributed":
            import dask.distributed  # noqa: F401
    except ImportError:
        print('dask is not installed: nothing to run (pip install "gridcare[dask]")')
        return 0

    print(
        f"Hunan, scale {args.scale:g}, seed {args.seed}: 14 city tasks on "
        f"{args.workers} worker(s), scheduler {args.scheduler}"
    )
    run = run_province(args.scale, workers=args.workers, scheduler=args.scheduler, seed=args.seed)
    if run.startup_s:
        print(f"cluster started in {run.startup_s:.1f} s (not in the wall time)")
    names = {c.code: c.name for c in hunan_cities()}
    by_code = {r.code: r for r in run.results}
    print(f"{'city':<10} {'households':>10} {'records':>10} {'task s':>7} {'peak MiB':>8}  name")
    for s in sorted(run.stats, key=lambda s: -s.seconds):
        r = by_code[s.code]
        print(
            f"{s.code:<10} {r.households:>10,} {r.records:>10,} {s.seconds:>7.1f} "
            f"{s.peak_rss_mib:>8.0f}  {names[s.code]}"
        )
    peaks = run.peak_rss_per_worker()
    shipped = sum(len(pickle.dumps(r)) for r in run.results)
    print(
        f"tasks: {sum(s.seconds for s in run.stats):.1f} s in all, the longest "
        f"{max(s.seconds for s in run.stats):.1f} s; peak memory per worker process: "
        + ", ".join(f"{p:.0f} MiB" for p in sorted(peaks.values(), reverse=True))
    )
    print(
        f"sent back: 14 tallies, {len(run.merged):,} counts merged, "
        f"{shipped / 1024:.0f} KiB pickled in all"
    )
    print()
    print(summary(run))
    print()
    status = "check skipped (scale above 0.02)"
    failed = False
    if args.scale <= CHECK_UP_TO:
        started = time.perf_counter()
        run.checks = check(run)
        for what, passed in run.checks:
            print(f"check: {what}: {'True' if passed else 'MISMATCH'}")
        print(f"single-process checks took {time.perf_counter() - started:.1f} s")
        failed = not all(passed for _, passed in run.checks)
        status = "check FAILED" if failed else "check ok"
    print(
        f"province scale {args.scale:g}: {run.households} households, {run.records} records, "
        f"{run.wall_s:.1f} s, {status}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
