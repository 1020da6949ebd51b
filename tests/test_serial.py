"""Results as JSON: every result type round-trips, validates against its schema, masks by
default and refuses hostile input with ``InvalidInput`` only (docs/json.md)."""

from __future__ import annotations

import ast
import functools
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridcare import serial
from gridcare.cases import WhistleCase, replay_cases
from gridcare.codes import AreaCode, CitizenId, PhoneNumber
from gridcare.declarations import (
    DECLARATION_EVENT_CLASSES,
    Declaration,
    DeclarationEventKind,
    DeclarationRecord,
    UnroutedReason,
    replay_declarations,
)
from gridcare.declarations._enums import VerificationMethod
from gridcare.errors import InvalidInput
from gridcare.masking import REVEAL, mask_numbers
from gridcare.people import IdDocument, IdKind
from gridcare.rates import Rate
from gridcare.reports.daily import DailyReport, Figure, ReportRow, daily_report
from gridcare.reports.tallies import Tally
from gridcare.risk import (
    Assessment,
    MissedTest,
    NatResult,
    RiskPlan,
    RiskReason,
    RiskStep,
    TestKind,
    TestWindow,
    assess,
    missed_tests,
)
from gridcare.screening.coverage import NodeCoverage, coverage
from gridcare.screening.lifecycle import ResidentRecord, TubeRecord, replay_round
from gridcare.testing import (
    attempt_logs,
    aware_datetimes,
    campaigns,
    citizen_ids,
    declarations,
    histories,
    phone_numbers,
    rates,
    risk_designations,
    risk_instants,
    risk_policies,
    risk_registers,
    round_cases,
    synthetic_city,
    whistle_case_events,
)
from gridcare.testing.scenario import CityDay, synthetic_day
from gridcare.timeutil import DEFAULT_ZONE
from gridcare.visits.lifecycle import HouseholdVisit, replay_visits

ROOT = Path(__file__).resolve().parents[1]

#: Every result type with ``to_dict``, ``from_dict`` and ``json_schema`` of its own.
RESULT_TYPES: tuple[type, ...] = (
    Assessment,
    RiskPlan,
    RiskStep,
    RiskReason,
    TestWindow,
    MissedTest,
    Declaration,
    DeclarationRecord,
    HouseholdVisit,
    WhistleCase,
    Figure,
    ReportRow,
    DailyReport,
    Tally,
    ResidentRecord,
    TubeRecord,
    NodeCoverage,
)

# The window the risk strategies are drawn in (as in tests/test_risk_engine.py).
T0 = datetime(2022, 6, 1, tzinfo=DEFAULT_ZONE)
WINDOW = {"min_value": T0, "max_value": T0 + timedelta(days=40)}


@pytest.fixture(scope="session")
def day() -> CityDay:
    """One small synthetic report day: declarations, records, assessments, visits, cases."""
    return synthetic_day(synthetic_city(scale=0.001, seed=5), seed=5)


@pytest.fixture(scope="session")
def report(day: CityDay) -> DailyReport:
    return daily_report(day.city.hierarchy, day.tally(), cutoff=day.cutoff.date())


def _results(day: CityDay, report: DailyReport) -> Iterator[Any]:
    """A few values of every result type, from the synthetic day."""
    assessments = list(day.assessments.values())
    yield from assessments[:40]
    for a in assessments:
        if a.plan is not None:
            yield a.plan
            yield from a.plan.steps
            yield from a.reasons
            yield from missed_tests(a, [], a.as_of + timedelta(days=30))
            break
    yield from next((a.plan.windows for a in assessments if a.plan and a.plan.windows), ())
    yield from day.declarations[:40]
    yield from day.declaration_records[:40]
    yield from day.visit_states[:40]
    yield from day.cases
    yield report
    yield from report.rows[:5]
    yield from list(report.rows[0].figures.values())[:5]
    yield day.tally()


def _json_round(data: object) -> Any:
    return json.loads(json.dumps(data, ensure_ascii=False))


def _round_trips(value: Any) -> None:
    """``T.from_dict(x.to_dict(REVEAL)) == x`` through JSON text; both dumps fit the schema."""
    cls = type(value)
    revealed = _json_round(value.to_dict(REVEAL))
    assert cls.from_dict(revealed) == value
    masked = _json_round(value.to_dict())
    check = _validator(cls)
    check.validate(revealed)
    check.validate(masked)


@functools.cache
def _validator(cls: Any) -> jsonschema.Draft202012Validator:
    schema = cls.json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


# --------------------------------------------------------------------------- round trips


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    histories(**WINDOW),
    risk_registers(risk_designations(**WINDOW), max_size=4),
    risk_policies(),
    risk_instants(**WINDOW),
)
def test_assessments_round_trip(history, register, policy, as_of) -> None:
    a = assess(
        history.stays,
        register=register,
        policy=policy,
        as_of=as_of,
        arrived_at=history.arrived_at,
        contacts=history.contacts,
    )
    _round_trips(a)
    if a.plan is not None:
        _round_trips(a.plan)
        for step in a.plan.steps:
            _round_trips(step)
    for reason in a.reasons:
        _round_trips(reason)
    late = as_of + timedelta(days=20)
    for missed in missed_tests(a, [NatResult(as_of + timedelta(days=1))], late):
        _round_trips(missed)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(declarations())
def test_declarations_round_trip(declaration: Declaration) -> None:
    _round_trips(declaration)


_PLAUSIBLE: dict[DeclarationEventKind, dict[str, Any]] = {
    DeclarationEventKind.ASSIGN: {"grid_id": "G1"},
    DeclarationEventKind.MARK_UNROUTED: {"reason": UnroutedReason.UNKNOWN_BUILDING},
    DeclarationEventKind.START_REVIEW: {"worker_id": "W1"},
    DeclarationEventKind.VERIFY: {"method": VerificationMethod.DOOR_VISIT},
    DeclarationEventKind.REQUEST_CORRECTION: {"fields": ["phone"]},
    DeclarationEventKind.REJECT: {"reason": "虚假申报"},
    DeclarationEventKind.MARK_DUPLICATE: {"of": "D-original"},
    DeclarationEventKind.TRANSFER: {"to_grid": "G9"},
}


@st.composite
def declaration_records(draw: st.DrawFn) -> list[DeclarationRecord]:
    """Records replayed from random event logs (legal or not) of a few declarations."""
    events = []
    for n in range(draw(st.integers(1, 3))):
        at = T0 + timedelta(minutes=draw(st.integers(0, 600)))
        kinds = [DeclarationEventKind.SUBMIT]
        kinds += draw(st.lists(st.sampled_from(sorted(DeclarationEventKind)), max_size=8))
        for i, kind in enumerate(kinds):
            at += timedelta(minutes=draw(st.integers(1, 600)))
            extra = dict(_PLAUSIBLE.get(kind, {}))
            if kind is DeclarationEventKind.RELEASE:
                extra["measures_ended_at"] = at
            events.append(
                DECLARATION_EVENT_CLASSES[kind](
                    id=f"D{n}-e{i}", at=at, declaration_id=f"D{n}", **extra
                )
            )
    return list(replay_declarations(events).records.values())


@settings(max_examples=40, deadline=None)
@given(declaration_records())
def test_declaration_records_round_trip(records: list[DeclarationRecord]) -> None:
    for record in records:
        _round_trips(record)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_household_visits_round_trip(data: st.DataObject) -> None:
    campaign = data.draw(campaigns())
    log = data.draw(attempt_logs(campaign, max_size=12))
    for record in replay_visits(log, campaign).records.values():
        _round_trips(record)


@settings(max_examples=40, deadline=None)
@given(whistle_case_events())
def test_whistle_cases_round_trip(events) -> None:
    for case in replay_cases(events).records.values():
        _round_trips(case)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(round_cases())
def test_screening_outcomes_round_trip(case) -> None:
    out = replay_round(case.events, case.screening, case.due)
    for tube in out.tubes.records.values():
        _round_trips(tube)
    for resident in out.residents.records.values():
        _round_trips(resident)
    report = coverage(case.hierarchy, out)
    _round_trips(report.node(case.hierarchy.root.id))


@given(rates(), rates(proper=False))
def test_rates_round_trip_with_their_kind(share: Rate, ratio: Rate) -> None:
    for rate in (share, ratio):
        back = serial.from_dict(Rate, _json_round(serial.to_dict(rate)))
        assert back == rate
        assert back.share is rate.share


def test_the_synthetic_day_round_trips(day: CityDay, report: DailyReport) -> None:
    for value in _results(day, report):
        _round_trips(value)
    assert DailyReport.from_dict(report.to_dict()).row(report.rows[-1].node_id)


def test_a_report_round_trips_through_its_json_text(report: DailyReport) -> None:
    text = json.dumps(report.to_dict(), ensure_ascii=False)
    back = DailyReport.from_dict(json.loads(text))
    assert back == report
    assert back.as_dicts() == report.as_dicts()


# --------------------------------------------------------------------------- the rules


def test_a_test_window_keeps_its_gap_as_a_duration() -> None:
    start = datetime(2022, 7, 1, tzinfo=DEFAULT_ZONE)
    window = TestWindow(
        TestKind.WITHIN_WINDOW, start, start + timedelta(days=3), 2, timedelta(hours=24)
    )
    assert window.to_dict()["min_gap"] == "P1D"
    _round_trips(window)


def test_instants_keep_their_offset_and_dates_are_iso() -> None:
    cst = datetime(2022, 7, 1, 15, tzinfo=DEFAULT_ZONE)
    missed = MissedTest(TestKind.SCHEDULED, cst, date(2022, 7, 2))
    assert missed.to_dict() == {
        "kind": "scheduled",
        "deadline": "2022-07-01T15:00:00+08:00",
        "day": "2022-07-02",
        "needed": 1,
        "taken": 0,
    }


@given(aware_datetimes(min_value=datetime(1900, 1, 2, tzinfo=UTC)))
def test_an_instant_comes_back_at_the_same_instant_and_offset(t: datetime) -> None:
    back = serial.from_dict(datetime, serial.to_dict(t))
    assert back.isoformat() == t.isoformat()
    assert back.astimezone(UTC) == t.astimezone(UTC)
    assert back.utcoffset() == t.utcoffset()


def test_the_zone_name_is_not_kept_and_a_repeated_hour_is_never_equal_across_zones() -> None:
    """PEP 495: an instant in the repeated hour of its zone equals nothing in another tzinfo.

    The round trip keeps the instant and the offset (docs/json.md says so); Python's
    equality of such an instant across zones is False even for itself.
    """
    berlin = ZoneInfo("Europe/Berlin")
    repeated = datetime(2022, 10, 30, 2, 30, tzinfo=berlin)
    back = serial.from_dict(datetime, serial.to_dict(repeated))
    assert back.tzinfo == timezone(timedelta(hours=2))
    assert back.astimezone(UTC) == repeated.astimezone(UTC)
    assert back != repeated  # the documented exception
    ordinary = datetime(2022, 7, 1, 2, 30, tzinfo=berlin)
    assert serial.from_dict(datetime, serial.to_dict(ordinary)) == ordinary


@given(st.timedeltas(min_value=timedelta(days=-(10**6)), max_value=timedelta(days=10**6)))
def test_durations_round_trip_as_iso_8601(delta: timedelta) -> None:
    text = serial.to_dict(delta)
    assert text.lstrip("-").startswith("P")
    assert serial.from_dict(timedelta, text) == delta


@given(st.decimals(allow_nan=False, allow_infinity=False, places=4))
def test_decimals_round_trip_as_exact_text(value: Decimal) -> None:
    text = serial.to_dict(value)
    assert isinstance(text, str)
    back = serial.from_dict(Decimal, text)
    assert back == value
    assert str(back) == str(value)


def test_sets_are_sorted_lists_and_tuples_lists() -> None:
    value = {"b": frozenset({"z", "a"}), "a": (3, 1)}
    assert serial.to_dict(value) == {"b": ["a", "z"], "a": [3, 1]}


@given(citizen_ids(), phone_numbers())
def test_id_and_phone_numbers_are_masked_unless_revealed(cid: CitizenId, phone: PhoneNumber):
    assert serial.to_dict(cid) == cid.masked()
    assert serial.to_dict(phone) == phone.masked()
    assert serial.from_dict(CitizenId, serial.to_dict(cid, REVEAL)).number == cid.number
    assert serial.from_dict(PhoneNumber, serial.to_dict(phone, REVEAL)) == phone
    for masked, cls in ((cid.masked(), CitizenId), (phone.masked(), PhoneNumber)):
        with pytest.raises(InvalidInput) as err:
            serial.from_dict(cls, masked)
        assert err.value.code == "masked"


def test_an_identity_document_number_is_masked() -> None:
    doc = IdDocument(IdKind.PASSPORT, "E12345678")
    assert serial.to_dict(doc) == {"kind": "passport", "number": "E1*****78", "masked": True}
    assert serial.from_dict(IdDocument, serial.to_dict(doc, REVEAL)) == doc


def test_area_codes_are_their_text() -> None:
    code = AreaCode.parse("430271")
    assert serial.to_dict(code) == "430200-YL"
    assert serial.from_dict(AreaCode, "430200-YL") == code


@pytest.mark.parametrize(
    ("cls", "text", "code"),
    [
        (datetime, "20220701T150000+0800", "bad_instant"),  # the basic format: not in the schema
        (datetime, "2022-07-01T15:00:00+08:00\n", "bad_instant"),
        (datetime, "2022-07-01", "naive_datetime"),
        (datetime, "2100-12-31T23:59:59-12:00", None),
        (datetime, "2101-01-01T00:00:00+00:00", "out_of_range"),
        (date, "2022-W13-1", "bad_date"),
        (date, "20220327", "bad_date"),
        (date, "1899-12-31", "out_of_range"),
        (timedelta, "P1Y", "bad_duration"),
        (timedelta, "PT", "bad_duration"),
        (timedelta, "P999999999DT99H", "out_of_range"),
        (Decimal, "NaN", "bad_decimal"),
        (Decimal, "1e5", "bad_decimal"),
        (float, float("nan"), "not_number"),
        (float, float("inf"), "not_number"),
        (float, 10**400, "not_number"),
        (int, 2**63, "out_of_range"),
        (int, 2.0, "not_integer"),
        (bool, 0, "not_bool"),
        (str, 5, "not_string"),
        (TestKind, "Scheduled", "unknown_choice"),
        (tuple[int, str], [1], "bad_length"),
        (frozenset[int], {"a": 1}, "not_list"),
    ],
)
def test_each_rule_reads_strictly(cls: Any, text: object, code: str | None) -> None:
    if code is None:
        assert serial.to_dict(serial.from_dict(cls, text)) == text
        return
    with pytest.raises(InvalidInput) as err:
        serial.from_dict(cls, text)
    assert err.value.code == code


def test_a_value_without_a_json_form_is_refused() -> None:
    for value in (object(), 3 + 4j, b"bytes", {"a": object()}):
        with pytest.raises(InvalidInput) as err:
            serial.to_dict(value)
        assert err.value.code == "not_serializable"
    with pytest.raises(InvalidInput) as err:
        serial.from_dict(complex, "1+2j")
    assert err.value.code == "not_serializable"


# --------------------------------------------------------------------------- masking


def _secrets(day: CityDay) -> set[str]:
    found: set[str] = set()
    for d in day.declarations:
        found |= {d.document_number, d.phone.number}
        if len(d.name) >= 2:
            found.add(d.name)
    return found


def test_masked_results_hold_no_id_phone_or_name(day: CityDay, report: DailyReport) -> None:
    secrets = _secrets(day)
    assert len(secrets) > 100
    values = list(_results(day, report))
    masked = json.dumps([v.to_dict() for v in values], ensure_ascii=False)
    revealed = json.dumps([v.to_dict(REVEAL) for v in values], ensure_ascii=False)
    assert sorted(s for s in secrets if s in masked) == []
    # The search can find them: they are in the revealed export.
    assert sum(s in revealed for s in secrets) > 50


def test_masked_address_parts_and_free_text(day: CityDay) -> None:
    hidden = list(serial.personal_fields(type(day.declarations[0].address)))
    assert "room" in hidden
    # The community is shown, with any phone or ID number in it masked; the parts below it
    # are starred whole.
    hidden.remove("community")
    shown = 0
    for d in day.declarations:
        address = d.to_dict()["address"]
        community = d.address.community
        assert address["community"] == (None if community is None else mask_numbers(community))
        for part in hidden:
            value = getattr(d.address, part)
            assert address[part] == (None if value is None else "***")
            shown += value is not None
        assert d.to_dict(REVEAL)["address"] == attrs.asdict(d.address)
    assert shown > 0


def test_a_masked_result_says_so_and_cannot_be_read_back(day: CityDay) -> None:
    d = day.declarations[0]
    masked = d.to_dict()
    assert masked["masked"] is True
    assert "masked" not in d.to_dict(REVEAL)
    with pytest.raises(InvalidInput) as err:
        Declaration.from_dict(masked)
    assert (err.value.code, err.value.field) == ("masked", "masked")
    # Without the mark, a masked phone number is still refused.
    unmarked = {k: v for k, v in masked.items() if k != "masked"}
    with pytest.raises(InvalidInput) as err:
        Declaration.from_dict(unmarked)
    assert "masked" in {e.code for e in err.value.errors}


def test_results_without_personal_data_are_the_same_masked(day: CityDay) -> None:
    a = next(iter(day.assessments.values()))
    assert a.to_dict() == a.to_dict(REVEAL)
    assert Assessment.from_dict(a.to_dict()) == a
    assert not serial.holds_personal_data(Assessment)
    assert serial.holds_personal_data(Declaration)
    assert serial.holds_personal_data(WhistleCase)


# --------------------------------------------------------------------------- schemas


@pytest.mark.parametrize("cls", RESULT_TYPES, ids=lambda c: c.__name__)
def test_every_result_type_has_the_three_methods(cls: type) -> None:
    assert callable(cls.to_dict)
    assert callable(cls.from_dict)
    _validator(cls)


def test_every_output_validates_against_its_schema(day: CityDay, report: DailyReport) -> None:
    for value in _results(day, report):
        check = _validator(type(value))
        check.validate(value.to_dict())
        check.validate(_json_round(value.to_dict(REVEAL)))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(declarations())
def test_drawn_declarations_validate(declaration: Declaration) -> None:
    check = _validator(Declaration)
    check.validate(declaration.to_dict())
    check.validate(declaration.to_dict(REVEAL))


@pytest.mark.parametrize("cls", [c for c in RESULT_TYPES if attrs.has(c)], ids=lambda c: c.__name__)
def test_the_schema_is_read_off_the_fields(cls: type) -> None:
    schema = cls.json_schema()
    own = schema["$defs"][schema["$ref"].rsplit("/", 1)[1]]
    fields = [f.name for f in attrs.fields(cls) if f.init]
    assert [k for k in own["properties"] if k != "masked"] == fields
    assert own["additionalProperties"] is False
    required = [f.name for f in attrs.fields(cls) if f.init and f.default is attrs.NOTHING]
    assert own["required"] == required


def test_a_schema_refuses_what_from_dict_refuses(day: CityDay) -> None:
    data = day.declarations[0].to_dict(REVEAL)
    check = _validator(Declaration)
    for bad in (
        {**data, "extra": 1},
        {k: v for k, v in data.items() if k != "id"},
        {**data, "received_at": "2022-03-19T09:00:00"},
        {**data, "health_code": "purple"},
    ):
        assert not check.is_valid(bad)
        with pytest.raises(InvalidInput):
            Declaration.from_dict(bad)


def test_json_schema_of_any_type() -> None:
    schema = serial.json_schema(dict[str, tuple[date, ...]])
    assert schema["additionalProperties"] == {
        "type": "array",
        "items": {"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
    }
    with pytest.raises(InvalidInput) as err:
        serial.json_schema(complex)
    assert err.value.code == "not_serializable"


# --------------------------------------------------------------------------- hostile input


def _deep(n: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(n):
        value = [value]
    return value


def _deep_mapping(n: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(n):
        value = {"as_of": value}
    return value


HOSTILE: list[object] = [
    None,
    [],
    "x",
    3,
    1.5,
    True,
    b"bytes",
    {},
    _deep(50_000),
    _deep_mapping(50_000),
    "2022-07-01T15:00:00",
    "9999-12-31T23:59:59+08:00",
    "0001-01-01T00:00:00+00:00",
    "9999-12-31",
    10**400,
    -(2**64),
    float("nan"),
    "13812345678",
    {"masked": True},
    {1: 2, None: 3, (4, 5): 6, "x": 7},
    "\ud800",
    "x" * 100_000,
]


@pytest.mark.parametrize("cls", RESULT_TYPES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("data", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_top_level_input_raises_invalid_input(cls: Any, data: object) -> None:
    """Only an object can be a result (``{}`` is one for types with every field defaulted)."""
    try:
        found = cls.from_dict(data)
    except InvalidInput as err:
        _well_formed(err)
    else:
        assert data == {}
        assert isinstance(found, cls)


def _well_formed(err: InvalidInput) -> None:
    for e in err.errors:
        assert e.code
        assert isinstance(e.code, str)
        assert e.field
        assert isinstance(e.field, str)
    text = str(err) + repr(err.errors)
    assert "13812345678" not in text
    assert "12345678" not in text  # nor the end of one behind a star
    assert len(text) < 50_000
    for e in err.errors:  # an error built from another's masked text shows it unchanged
        assert InvalidInput(e.code, e.field, e.message, value=e.value).errors == (e,)


def _paths(value: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _paths(item, (*prefix, i))
    return found


def _replaced(data: Any, path: tuple[object, ...], value: object, how: str) -> Any:
    copy = _json_round(data)
    target = copy
    for key in path[:-1]:
        target = target[key]
    last = path[-1]
    if how == "drop" and isinstance(target, dict):
        del target[last]
    elif how == "extra" and isinstance(target, dict):
        target[f"{last}_extra"] = value
    else:
        target[last] = value
    return copy


# Besides the hostile values, a phone number in the shapes that once showed through an
# error: beside a digit of another script, before a date, split by a star.
_PHONE_SHAPES = ["13812345678\u0dee", "13812345678.2022-03-20", "138*12345678"]
_HOSTILE_VALUES = st.sampled_from(
    [*HOSTILE[:-1], {"x": 1}, [1, 2], "", "-1", -1, *_PHONE_SHAPES, {_PHONE_SHAPES[0]: 1}]
)


@pytest.fixture(scope="session")
def dumps(day: CityDay, report: DailyReport) -> list[tuple[Any, Any, list[tuple[object, ...]]]]:
    """(type, revealed dump, every path in it) of one value of each result type (a report row
    standing for the report)."""
    found: dict[type, Any] = {}
    for value in [report.rows[0], *_results(day, report)]:
        if not isinstance(value, DailyReport):
            found.setdefault(type(value), value)
    out = []
    for cls, value in found.items():
        dumped = value.to_dict(REVEAL)
        out.append((cls, dumped, _paths(dumped)))
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_corrupt_field_anywhere_raises_invalid_input_only(
    dumps: list[tuple[Any, Any, list[tuple[object, ...]]]], data: st.DataObject
) -> None:
    """Any field of any result, replaced, dropped or doubled: a value or ``InvalidInput``."""
    cls, dumped, paths = data.draw(st.sampled_from(dumps))
    path = data.draw(st.sampled_from(paths))
    how = data.draw(st.sampled_from(["replace", "drop", "extra"]))
    corrupt = _replaced(dumped, path, data.draw(_HOSTILE_VALUES), how)
    try:
        cls.from_dict(corrupt)
    except InvalidInput as err:
        _well_formed(err)


def test_every_problem_is_reported_at_its_path(day: CityDay) -> None:
    a = next(a for a in day.assessments.values() if a.plan is not None)
    data = a.to_dict()
    data["plan"]["steps"][0]["start"] = "2022-07-01T15:00:00"
    data["plan"]["test_dates"] = ["9999-01-01"]
    data["reasons"][0]["category"] = "nope"
    data["as_of"] = 1_656_658_800
    data["surplus"] = 1
    del data["policy"]
    with pytest.raises(InvalidInput) as err:
        Assessment.from_dict(data)
    found = {(e.field, e.code) for e in err.value.errors}
    assert found == {
        ("plan.steps.0.start", "naive_datetime"),
        ("plan.test_dates.0", "out_of_range"),
        ("reasons.0.category", "unknown_choice"),
        ("as_of", "bad_instant"),
        ("surplus", "unknown_field"),
        ("policy", "missing"),
    }


def test_a_constructor_rule_is_reported_at_the_value_that_breaks_it(day: CityDay) -> None:
    d = day.declarations[0].to_dict(REVEAL)
    d["legs"] = []
    with pytest.raises(InvalidInput) as err:
        Declaration.from_dict(d)
    assert (err.value.code, err.value.field) == ("missing", "legs")
    d = day.declarations[0].to_dict(REVEAL)
    d["stays"] = [{"place": "420106", "start": "2022-03-10T00:00:00+08:00", "end": "2022-03-09"}]
    with pytest.raises(InvalidInput) as err:
        Declaration.from_dict(d)
    assert err.value.field == "stays.0.end"


def test_an_id_number_typed_into_a_field_is_masked_in_the_error() -> None:
    data = MissedTest(TestKind.SCHEDULED, datetime(2022, 7, 1, tzinfo=DEFAULT_ZONE)).to_dict()
    data["kind"] = "11010519491231002X"
    data["11010519491231002X"] = 1
    with pytest.raises(InvalidInput) as err:
        MissedTest.from_dict(data)
    text = str(err.value) + repr(err.value.errors)
    assert "11010519491231002X" not in text
    assert "110105********002X" in text


def test_tally_from_dict_refuses_hostile_input() -> None:
    for data in (None, [], {"G1": None}, {"G1": {"hazards": {"2022-03-27": "1"}}}):
        with pytest.raises(InvalidInput) as err:
            Tally.from_dict(data)
        _well_formed(err.value)
    with pytest.raises(InvalidInput) as err:
        Tally.from_dict({"G1": {"nope": {"2022-03-27": 1}}})
    assert err.value.code == "unknown_metric"


# --------------------------------------------------------------------------- the layer


def test_serial_imports_no_workflow_rule_or_report() -> None:
    """The converter sits under the modules that use it: it imports none of them."""
    tree = ast.parse((ROOT / "src" / "gridcare" / "serial.py").read_text(encoding="utf-8"))
    imported = {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("gridcare")
    }
    assert imported <= {
        "gridcare.codes",
        "gridcare.errors",
        "gridcare.masking",
        "gridcare.timeutil",
    }


@attrs.frozen
class _Moves:
    moves: dict[tuple[str, int | None], int]


def test_a_mapping_with_tuple_keys_writes_json_and_reads_back() -> None:
    """A policy comparison's moves are keyed by pairs: writing one raised a TypeError
    (a list is no key); a tuple key is written as the JSON text of its list."""
    value = _Moves({("low", 1): 3, ("high", None): 1})
    data = serial.to_dict(value)
    assert data == {"moves": {'["low",1]': 3, '["high",null]': 1}}
    assert serial.from_dict(_Moves, json.loads(json.dumps(data))) == value
    with pytest.raises(InvalidInput) as err:
        serial.from_dict(_Moves, {"moves": {"low,1": 3}})
    assert err.value.errors[0].code == "bad_key"  # type: ignore[attr-defined]
    assert serial.to_dict({(1, 2): "x"}) == {"[1,2]": "x"}


def test_a_policy_comparison_exports_as_json() -> None:
    from gridcare.risk import RiskDesignation, RiskRegister, Stay, compare_policies
    from gridcare.risk.presets import PRESETS
    from gridcare.timeutil import DEFAULT_ZONE

    t = datetime(2022, 11, 12, 15, tzinfo=DEFAULT_ZONE)
    register = RiskRegister([RiskDesignation("440304", "medium", t - timedelta(days=3))])
    compared = compare_policies(
        {"A": [Stay("440304", t - timedelta(hours=5), t)]},
        PRESETS["ninth-edition"],
        PRESETS["twenty-measures"],
        t,
        register=register,
    )
    for context in (None, REVEAL):
        data = serial.to_dict(compared, context)
        assert json.loads(json.dumps(data)) == data
        assert data["category_moves"] == {'["medium_risk_area","none"]': 1}


def test_residents_read_back_whatever_their_document() -> None:
    """A resident's document is a citizen ID (written as text) or another document (an
    object): reading the text back was refused, so no resident with a citizen ID read back."""
    from gridcare.people import Resident
    from gridcare.testing import synthetic_city

    city = synthetic_city(scale=0.001, seed=3)
    residents = [city.residents[i] for i in range(0, len(city.residents), 7)]
    kinds = {type(r.document).__name__ for r in residents}
    assert "CitizenId" in kinds
    for resident in residents:
        text = json.dumps(serial.to_dict(resident, REVEAL), ensure_ascii=False)
        assert serial.from_dict(Resident, json.loads(text)) == resident
    data = serial.to_dict(residents[0], REVEAL)
    with pytest.raises(InvalidInput) as err:
        serial.from_dict(Resident, {**data, "document": 430202193903070024})
    assert err.value.errors[0].field == "document"  # type: ignore[attr-defined]
