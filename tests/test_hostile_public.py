"""Garbage into every public name of gridcare: nothing but a ``GridcareError`` comes out.

The machinery is in ``hostile.py``: every public function, class and sampled
method is called once per argument with each fixed hostile value (the other
arguments valid), and then again with values hypothesis generates. A call may
return or raise a ``GridcareError``; any other exception, or a call running
past its deadline, is a finding, and each area's test lists its findings.
"""

from __future__ import annotations

import collections
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hostile
from gridcare.errors import GridcareError
from gridcare.timeutil import DEFAULT_ZONE

AREAS = sorted({".".join(name.split(".")[:2]) for name in hostile.public_names()})


@pytest.fixture(scope="module")
def samples() -> hostile.Samples:
    return hostile.build_samples()


@pytest.fixture(scope="module")
def entries(samples: hostile.Samples) -> list[hostile.Entry]:
    return hostile.entries(samples)


@pytest.fixture(scope="module")
def any_entry(entries: list[hostile.Entry]) -> st.SearchStrategy[hostile.Entry]:
    """One entry of the list, as a strategy built once: a ``sampled_from`` over the hundreds of
    entries built anew at every example spends more time on its label than on the call."""
    return st.sampled_from(entries)


@pytest.fixture(scope="module")
def figures(entries: list[hostile.Entry]) -> hostile.Figures:
    figures = hostile.Figures()
    for entry in entries:
        hostile.call_hostile(entry, figures)
    return figures


def test_every_public_name_is_enumerated(entries: list[hostile.Entry]) -> None:
    names = hostile.public_names()
    callables = {name for name, obj in names.items() if callable(obj)}
    entered = {entry.name for entry in entries}
    assert len(names) >= 400
    assert len(entries) >= 450
    # Each callable is an entry, unless it takes no argument at all.
    missed = sorted(
        name
        for name in callables - entered
        if hostile.entry_for(name, names[name], hostile.Samples()) is not None
        and hostile.entry_for(name, names[name], hostile.Samples()).parameters  # type: ignore[union-attr]
    )
    assert missed == []
    # Methods of the classes sampled are entries too.
    assert any(name.endswith("DailyReport.to_text") for name in entered)
    assert any(name.endswith("Tally.add") for name in entered)


@pytest.mark.parametrize("area", AREAS)
def test_only_gridcare_errors_come_out(area: str, figures: hostile.Figures) -> None:
    found = [str(f) for f in figures.findings if f.entry.startswith(area + ".")]
    assert found == [], f"{len(found)} findings, first: {found[:20]}"


def test_the_calls_are_many_and_mostly_refused(figures: hostile.Figures) -> None:
    assert figures.calls >= 30_000
    refused = sum(n for kind, n in figures.outcomes.items() if kind != "returned")
    assert refused > figures.calls / 2
    assert figures.outcomes["deadline"] == 0


GENERATED = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.decimals(),
    st.text(max_size=30),
    st.binary(max_size=8),
    st.lists(st.integers() | st.text(max_size=3), max_size=4),
    st.dictionaries(st.text(max_size=4), st.integers() | st.none(), max_size=3),
    st.dates(),
    st.datetimes(),
    st.datetimes(timezones=st.just(UTC)),
    st.timedeltas(),
    st.builds(object),
)


@settings(
    max_examples=1_500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_generated_garbage_only_raises_gridcare_errors(
    data: st.DataObject, any_entry: st.SearchStrategy[hostile.Entry]
) -> None:
    entry = data.draw(any_entry, label="entry")
    parameter = data.draw(st.sampled_from(entry.parameters), label="argument")
    value = data.draw(GENERATED, label="value")
    figures = hostile.Figures()
    hostile.call_one(entry, parameter, "generated", value, figures)
    assert figures.findings == [], str(figures.findings[0])


def test_the_figures_are_counted_by_kind(figures: hostile.Figures) -> None:
    """The figures docs/reliability.md quotes: every call is counted once."""
    assert sum(figures.outcomes.values()) == figures.calls
    kinds = collections.Counter(figures.outcomes)
    assert kinds["InvalidInput"] > kinds["returned"] / 4


def _code(call: Callable[[], object]) -> str:
    with pytest.raises(GridcareError) as err:
        call()
    return str(getattr(err.value, "code", type(err.value).__name__))


def test_far_instants_are_refused_where_they_enter(samples: hostile.Samples) -> None:
    """Each once raised OverflowError somewhere inside; now each is a coded refusal."""
    from gridcare import ReportClock, daily_report, report_window
    from gridcare.declarations import example_form, parse_form
    from gridcare.people import Resident
    from gridcare.risk import RiskDesignation, RiskLevel, Stay
    from gridcare.visits import CampaignModel, simulate_campaign

    zone = DEFAULT_ZONE
    far = datetime(9999, 12, 30, tzinfo=zone)
    now = datetime(2022, 3, 20, 10, tzinfo=zone)
    city = next(v for k, v in samples.by_type.items() if k.__name__ == "City")
    resident = next(iter(city.residents))  # type: ignore[attr-defined]
    assert isinstance(resident, Resident)
    designation = RiskDesignation("440304", RiskLevel.HIGH, now)
    assert _code(lambda: Stay("440304", now, far)) == "out_of_range"
    assert _code(lambda: ReportClock().report_day(far)) == "out_of_range"
    assert _code(lambda: report_window(date(1, 1, 1))) == "out_of_range"
    hierarchy = next(v for k, v in samples.by_type.items() if k.__name__ == "Hierarchy")
    assert _code(lambda: daily_report(hierarchy, [], cutoff=far)) == "out_of_range"
    assert _code(lambda: resident.age_on(date(9999, 12, 31))) == "out_of_range"  # type: ignore[attr-defined]
    assert _code(lambda: designation.window(trace_back_days=2**63)) == "bad_days"
    assert (
        _code(
            lambda: parse_form(
                example_form(), declaration_id="D1", received_at=now, max_advance_days=10**9
            )
        )
        == "out_of_range"
    )
    assert (
        _code(
            lambda: simulate_campaign(
                {"H1": ["R1"]},
                CampaignModel(teams=1, visits_per_team_hour=9),
                scope="G",
                start=date(1, 1, 1),
            )
        )
        == "out_of_range"
    )
