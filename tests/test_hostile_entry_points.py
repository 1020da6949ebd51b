"""Garbage into the entry points this session added: only a GridcareError comes out."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from gridcare import machine
from gridcare.errors import GridcareError
from gridcare.reports import TallyBuilder, screening_round_counts
from gridcare.risk import PRESETS
from gridcare.testing import payloads

GARBAGE: list[Any] = [
    None,
    0,
    -1,
    2**63,
    math.nan,
    "",
    "\ud800",
    "\x00\x1b[31m",
    [],
    {},
    [object()],
    object(),
    datetime(2022, 1, 1),
    b"x",
]

CALLS: dict[str, Callable[[Any], object]] = {
    "machine.replay": lambda g: machine.replay(g, subject=lambda e: e, apply=lambda r, e: r),
    "machine.first_of_each_id": machine.first_of_each_id,
    "machine.group_by_subject": lambda g: machine.group_by_subject(g, lambda e: e),
    "TallyBuilder.add node": lambda g: TallyBuilder().add(g, "hazards", 1, day=g),
    "TallyBuilder.add metric": lambda g: TallyBuilder().add("G", g, g),
    "screening_round_counts": lambda g: screening_round_counts(g, hierarchy=g, cutoff=g),
    "payloads.form_payloads": lambda g: payloads.form_payloads(g),
    "payloads.check_form_arguments": lambda g: payloads.check_form_arguments(g, g, g),
    "PRESETS[]": lambda g: PRESETS[g],
}


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("garbage", GARBAGE, ids=lambda g: type(g).__name__)
def test_only_gridcare_errors_come_out(name: str, garbage: Any) -> None:
    with contextlib.suppress(GridcareError):
        CALLS[name](garbage)


@pytest.mark.parametrize("garbage", GARBAGE, ids=lambda g: type(g).__name__)
def test_the_plots_refuse_what_is_not_a_report(garbage: Any) -> None:
    pytest.importorskip("matplotlib")
    from gridcare import plot

    for call in (
        lambda: plot.daily_report_bars(garbage, "hazards"),
        lambda: plot.lagging_grids(garbage, "hazards"),
        lambda: plot.coverage_over_days(garbage),
    ):
        with pytest.raises(GridcareError):
            call()


def test_a_huge_batch_of_payloads_is_refused_at_once() -> None:
    with pytest.raises(GridcareError) as info:
        payloads.form_payloads(2**63)
    assert info.value.code == "bad_count"  # type: ignore[attr-defined]
