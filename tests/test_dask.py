"""Scaling out on Dask (the ``dask`` extra): partitioned tallies merge to the single-process one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import TypeVar

import pytest

from gridcare.hierarchy import Hierarchy
from gridcare.reports import Count, Tally, daily_report
from gridcare.reports.feeds import (
    assessment_counts,
    case_counts,
    declaration_counts,
    screening_round_counts,
    visit_counts,
)
from gridcare.testing import synthetic_city
from gridcare.testing.scenario import CityDay, synthetic_day

db = pytest.importorskip("dask.bag")
dask = pytest.importorskip("dask")

T = TypeVar("T")
CHUNKS = 4


@cache
def small_day() -> CityDay:
    return synthetic_day(synthetic_city(scale=0.005, seed=5), seed=5)


def chunk(items: Sequence[T], i: int) -> list[T]:
    return list(items[i::CHUNKS])


def tally_chunk(day: CityDay, i: int) -> list[Tally]:
    """One bag partition: the tally of every CHUNKS-th record of each kind, from the i-th."""
    h: Hierarchy = day.city.hierarchy
    cutoff: datetime = day.cutoff
    grid_of = {r.declaration_id: r.grid_id for r in day.declaration_records}
    assessed = [(grid_of.get(k) or h.root.id, a) for k, a in sorted(day.assessments.items())]
    counts: list[Count] = declaration_counts(
        chunk(day.declaration_records, i), hierarchy=h, cutoff=cutoff
    )
    counts += assessment_counts(chunk(assessed, i), hierarchy=h, cutoff=cutoff)
    counts += visit_counts(chunk(day.visit_states, i), hierarchy=h, attempts=chunk(day.attempts, i))
    counts += case_counts(chunk(day.cases, i), cutoff=cutoff)
    levels = screening_round_counts(day.screening, hierarchy=h, cutoff=cutoff, census=day.census)
    counts += chunk(levels, i)
    return [Tally.from_counts(counts)]


def in_scope(day: CityDay) -> list[Tally]:
    """A stock over the whole scope is counted once, in a partition of its own."""
    h = day.city.hierarchy
    return [Tally.from_counts(visit_counts([], hierarchy=h, cutoff=day.cutoff))]


@pytest.mark.parametrize("scheduler", ["sync", "threads"])
def test_partitioned_tally_equals_the_single_process_tally(scheduler: str) -> None:
    day = small_day()
    parts = [dask.delayed(tally_chunk)(day, i) for i in range(CHUNKS)]
    parts.append(dask.delayed(in_scope)(day))
    bag = db.from_delayed(parts)
    assert bag.npartitions == CHUNKS + 1
    merged = bag.fold(Tally.merge, Tally.merge, initial=Tally.empty()).compute(scheduler=scheduler)
    single = day.tally()
    assert merged == single
    h = day.city.hierarchy
    ours = daily_report(h, merged, cutoff=day.cutoff).as_dicts()
    theirs = daily_report(h, single, cutoff=day.cutoff).as_dicts()
    assert ours == theirs
    assert ours[0]["declarations_received"] == len(day.declaration_records)


def test_the_example_checks_itself() -> None:
    import runpy
    from pathlib import Path

    example = Path(__file__).resolve().parents[1] / "examples" / "dask_rollup.py"
    main = runpy.run_path(str(example))["main"]
    assert main(["--scale", "0.005", "--scheduler", "sync"]) == 0
