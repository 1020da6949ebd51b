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
from gridcare.codes import AreaCode, CitizenId, normalise_area_code, normalise_citizen_id
from gridcare.declarations import AddressIndex
from gridcare.errors import FieldError, GridcareError, InvalidInput
from gridcare.reports import Count
from gridcare.risk import PRESETS
from gridcare.screening import PoolingRule
from gridcare.serial import from_dict
from gridcare.timeutil import DEFAULT_ZONE, Midnights, localize
from gridcare.visits import (
    Dispute,
    DisputeResolution,
    Hazard,
    HazardKind,
    PremisesInspection,
    Severity,
    VisitAttempt,
    VisitChannel,
    VisitOutcome,
)

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


# The arguments that may take any value at all, and why. Every other argument of every public
# entry point refuses a bare object() with a GridcareError where it enters.
_NEVER_RAISES = "a predicate or normaliser documented never to raise: a wrong value is its answer"
_ERROR_PART = "an error carries what it is given and shows it masked"
_MASKER = "masks whatever it is given, by content"
_CONTEXT = "a serialisation context: anything but a mapping asking to reveal means masked"
TAKE_ANYTHING = {
    "gridcare.codes.AreaCode.is_valid(text)": _NEVER_RAISES,
    "gridcare.codes.AreaCode.is_valid(strict)": _NEVER_RAISES,
    "gridcare.codes.CitizenId.is_canonical(text)": _NEVER_RAISES,
    "gridcare.codes.CitizenId.is_valid(text)": _NEVER_RAISES,
    "gridcare.codes.CitizenId.is_valid(strict)": _NEVER_RAISES,
    "gridcare.codes.PhoneNumber.is_valid(text)": _NEVER_RAISES,
    "gridcare.codes.normalise_area_code(text)": _NEVER_RAISES,
    "gridcare.codes.normalise_area_code(strict)": _NEVER_RAISES,
    "gridcare.codes.normalise_citizen_id(text)": _NEVER_RAISES,
    "gridcare.codes.normalise_citizen_id(strict)": _NEVER_RAISES,
    "gridcare.codes.normalise_phone_number(text)": _NEVER_RAISES,
    "gridcare.text.text_problem(value)": _NEVER_RAISES,
    "gridcare.text.text_problem(field)": _NEVER_RAISES,
    "gridcare.text.text_problem(allow_empty)": _NEVER_RAISES,
    "gridcare.text.text_problem(multiline)": _NEVER_RAISES,
    "gridcare.text.text_problem(printable)": _NEVER_RAISES,
    "gridcare.text.kind_problem(value)": _NEVER_RAISES,
    "gridcare.text.kind_problem(field)": _NEVER_RAISES,
    "gridcare.text.kind_problem(allow_empty)": _NEVER_RAISES,
    "gridcare.text.is_plain(value)": _NEVER_RAISES,
    "gridcare.text.is_plain(max_length)": _NEVER_RAISES,
    "gridcare.text.plain_texts(texts)": _NEVER_RAISES,
    "gridcare.text.plain_texts(max_length)": _NEVER_RAISES,
    "gridcare.timeutil.is_aware(value)": _NEVER_RAISES,
    "gridcare.errors.safe_value(value)": "renders any value as an error may show it",
    "gridcare.errors.FieldError(code)": _ERROR_PART,
    "gridcare.errors.FieldError(field)": _ERROR_PART,
    "gridcare.errors.FieldError(message)": _ERROR_PART,
    "gridcare.errors.FieldError(value)": _ERROR_PART,
    "gridcare.errors.IllegalTransition(state)": _ERROR_PART,
    "gridcare.errors.IllegalTransition(event)": _ERROR_PART,
    "gridcare.errors.IllegalTransition(machine)": _ERROR_PART,
    "gridcare.errors.IllegalTransition(detail)": _ERROR_PART,
    "gridcare.errors.InvalidInput(code)": _ERROR_PART,
    "gridcare.errors.InvalidInput(field)": _ERROR_PART,
    "gridcare.errors.InvalidInput(message)": _ERROR_PART,
    "gridcare.errors.InvalidInput(value)": _ERROR_PART,
    "gridcare.errors.OutOfScope(principal)": _ERROR_PART,
    "gridcare.errors.OutOfScope(node_id)": _ERROR_PART,
    "gridcare.errors.PolicyError(where)": _ERROR_PART,
    "gridcare.errors.PolicyError(problem)": _ERROR_PART,
    "gridcare.errors.UnknownNode(node_id)": _ERROR_PART,
    "gridcare.machine.conflicting_id(event)": "builds the rejection's error, naming the event",
    "gridcare.masking.id_repr(value)": _MASKER,
    "gridcare.masking.ids_repr(values)": _MASKER,
    "gridcare.masking.mask_address(parts)": _MASKER,
    "gridcare.masking.mask_address(keep)": _MASKER,
    "gridcare.masking.mask_id_number(number)": _MASKER,
    "gridcare.masking.mask_name(name)": _MASKER,
    "gridcare.masking.mask_numbers(text)": _MASKER,
    "gridcare.masking.mask_numbers_in_each(texts)": _MASKER,
    "gridcare.masking.mask_phone(number)": _MASKER,
    "gridcare.masking.mask_text(text)": _MASKER,
    "gridcare.masking.mask_whole(text)": _MASKER,
    "gridcare.masking.masked_repr(value)": _MASKER,
    "gridcare.masking.reveal_requested(context)": _CONTEXT,
    "gridcare.serial.JsonMixin.to_dict(context)": _CONTEXT,
    "gridcare.reports.tallies.Tally.to_dict(context)": _CONTEXT,
    "gridcare.risk.policy.Policy.model_post_init(context)": "pydantic's hook; it reads nothing",
    "gridcare.scope.redact(record)": "gives back a record without personal data as it is",
    "gridcare.codes.PhoneNumber.trusted(number)": "the unchecked path for numbers checked before",
    "gridcare.codes.CitizenId.trusted(number)": "the unchecked path for numbers checked before",
    "gridcare.codes.CitizenId.trusted(upgraded)": "the unchecked path for numbers checked before",
}


def test_only_the_listed_arguments_take_anything(figures: hostile.Figures) -> None:
    took = sorted(set(figures.took_anything))
    assert [name for name in took if name not in TAKE_ANYTHING] == []
    # and the list holds nothing that refuses now: it says what is true
    assert [name for name in TAKE_ANYTHING if name not in took] == []


def _attempt(**changed: object) -> VisitAttempt:
    return VisitAttempt(
        **{
            "id": "a1",
            "campaign_id": "K1",
            "household": "H1",
            "at": datetime(2022, 3, 27, 9, tzinfo=UTC),
            "outcome": VisitOutcome.NOBODY_HOME,
            "channel": VisitChannel.DOOR,
            "worker": "W1",
            **changed,
        }
    )


ONCE_TAKEN = [
    # (call, expected code, expected field): arguments that once took anything
    (lambda: Hazard(HazardKind.FIRE, Severity.LOW, object()), "not_string", "note"),
    (lambda: Hazard(HazardKind.FIRE, Severity.LOW, "x" * 1001), "too_long", "note"),
    (lambda: Dispute(DisputeResolution.ESCALATED, "a\x1b[31m"), "control_character", "note"),
    (lambda: PremisesInspection(object()), "not_string", "premises"),
    (lambda: PremisesInspection(""), "missing", "premises"),
    (lambda: PRESETS["hunan-2022-03"].plan_for("close_contact"), "bad_enum", "category"),
    (lambda: PoolingRule().capacity("pooled"), "bad_enum", "kind"),
    (lambda: Midnights(object()), "not_zone", "zone"),  # type: ignore[arg-type]
    (lambda: localize(datetime(2022, 3, 27, tzinfo=UTC), "UTC"), "not_zone", "zone"),
    (lambda: CitizenId.parse("11010519491231002X", strict=0), "bad_flag", "strict"),
    (lambda: AreaCode.parse("430202", strict="yes"), "bad_flag", "strict"),
    (lambda: AddressIndex(object(), {}, {}, {}, {}), "not_hierarchy", "hierarchy"),
    (lambda: from_dict(None, object()), "wrong_type", "cls"),
    (lambda: _attempt(reason=object()), "not_string", "reason"),
    (lambda: _attempt(reason="a\x1b[31m"), "control_character", "reason"),
    (lambda: Count("G1", "hazards", at=[[]], day=date(2022, 3, 27)), "not_datetime", "at"),
]


@pytest.mark.parametrize(("call", "code", "field"), ONCE_TAKEN)
def test_arguments_that_once_took_anything_are_refused_where_they_enter(
    call: Callable[[], object], code: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        call()
    assert (err.value.code, err.value.field) == (code, field)


def test_a_normaliser_names_a_bad_flag_as_its_problem() -> None:
    for normalise in (normalise_citizen_id, normalise_area_code):
        problem = normalise("430202193903070024", strict=1)  # type: ignore[operator]
        assert isinstance(problem, FieldError)
        assert (problem.code, problem.field) == ("bad_flag", "strict")


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
