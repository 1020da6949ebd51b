"""gridcare.testing checks its builders' arguments when they are called: coded errors only.

Each bad argument is refused at the call with ``InvalidInput`` (a code and the
argument's name as field), never left to fail at the first draw or when the
strategy is shown; the strategies' errors are hypothesis's ``InvalidArgument``
too. Each class of bug has a valid call beside it that still draws.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import time
from array import array
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from gridcare.codes import AreaCode, AreaLevel
from gridcare.errors import GridcareError, InvalidInput
from gridcare.hierarchy import Hierarchy, NodeKind
from gridcare.rates import Rate
from gridcare.risk import RiskLevel
from gridcare.screening import ScreeningRound
from gridcare.testing import (
    RoundCase,
    area_codes,
    attempt_logs,
    aware_datetimes,
    campaigns,
    citizen_ids,
    contacts,
    declaration_forms,
    declarations,
    hierarchies,
    hierarchy_rows,
    histories,
    node_kinds,
    payloads,
    phone_number_strings,
    phone_numbers,
    rates,
    risk_designations,
    risk_instants,
    risk_registers,
    round_cases,
    screening_events,
    screening_rounds,
    stays,
    stays_or_contacts,
    synthetic_city,
    tube_logs,
    visit_attempts,
    whistle_case_events,
)
from gridcare.testing.scenario import CityDay, synthetic_day, synthetic_register
from gridcare.testing.strategies import InvalidStrategyArgument
from gridcare.testing.synthetic import City
from gridcare.visits.campaign import Campaign
from helpers import at

FEW = settings(max_examples=5, database=None)
#: For ``find``: any example will do, so no shrinking.
ANY = settings(max_examples=5, database=None, phases=[Phase.generate])
DEEP: list[object] = []
for _ in range(50_000):
    DEEP = [DEEP]
T0 = at("2022-03-20 00:00")
T1 = at("2022-03-27 08:00")
CAMPAIGN = Campaign(id="K", scope="D", round=1, start=T0, end=T0 + timedelta(days=1))
ROUND = ScreeningRound(id="S1", scope="C", start=T0, end=T0 + timedelta(hours=4))


def refused(call: Callable[[], object], code: str, field: str) -> InvalidInput:
    """``call()`` raises ``InvalidInput`` with ``code`` at ``field`` (and shows nothing lazily)."""
    with pytest.raises(InvalidInput) as info:
        repr(call())
    assert (info.value.code, info.value.field) == (code, field), str(info.value)
    return info.value


# ----------------------------------------------------------------------------- strategies

# (builder call, code, field): one line per bug class the scanner found.
STRATEGY_CASES: list[tuple[str, Callable[[], object], str, str]] = [
    # Sizes and counts: type, bounds (no huge list left to the first draw).
    ("rates huge", lambda: rates(max_count=2**63), "out_of_range", "max_count"),
    ("rates flag", lambda: rates(proper=None), "bad_flag", "proper"),  # type: ignore[arg-type]
    ("rows huge", lambda: hierarchy_rows(max_nodes=10**100), "out_of_range", "max_nodes"),
    ("rows order", lambda: hierarchy_rows(min_nodes=5, max_nodes=3), "bad_range", "min_nodes"),
    ("rows type", lambda: hierarchies(max_nodes=2.5), "not_integer", "max_nodes"),  # type: ignore[arg-type]
    ("stays hours", lambda: stays(max_hours=2**63), "out_of_range", "max_hours"),
    ("histories", lambda: histories(max_stays=-1), "negative", "max_stays"),
    ("registers", lambda: risk_registers(max_size=DEEP), "not_integer", "max_size"),  # type: ignore[arg-type]
    ("cases", lambda: round_cases(max_households=0), "out_of_range", "max_households"),
    ("logs", lambda: attempt_logs(CAMPAIGN, max_size=10**6), "out_of_range", "max_size"),
    ("events", lambda: whistle_case_events(max_events=None), "not_integer", "max_events"),  # type: ignore[arg-type]
    # Instants: aware, in 1900-2100, in order.
    (
        "year 9999",
        lambda: aware_datetimes(datetime(9999, 1, 1, tzinfo=UTC)),
        "out_of_range",
        "min_value",
    ),
    (
        "naive",
        lambda: aware_datetimes(max_value=datetime(2022, 1, 1)),
        "naive_datetime",
        "max_value",
    ),
    ("reversed", lambda: aware_datetimes(T1, T0), "bad_range", "min_value"),
    ("risk empty", lambda: risk_instants(T0, T0), "bad_range", "min_value"),
    ("contacts", lambda: contacts(min_value="2022-01-01"), "not_datetime", "min_value"),  # type: ignore[arg-type]
    ("either", lambda: stays_or_contacts(max_value=date(1, 1, 1)), "not_datetime", "max_value"),  # type: ignore[arg-type]
    # Lists and their items.
    ("zones text", lambda: aware_datetimes(zones="Asia/Shanghai"), "not_list", "zones"),
    ("zones item", lambda: aware_datetimes(zones=[object()]), "wrong_type", "zones.0"),  # type: ignore[list-item]
    ("zones name", lambda: aware_datetimes(zones=["UTC", "Mars/Base"]), "unknown_zone", "zones.1"),
    ("levels", lambda: area_codes(levels=5), "not_list", "levels"),  # type: ignore[arg-type]
    ("levels item", lambda: area_codes(levels=[None]), "wrong_type", "levels.0"),  # type: ignore[list-item]
    ("levels none", lambda: area_codes(levels=[AreaLevel.PLACE]), "bad_range", "levels"),
    ("places", lambda: stays(places=None), "not_list", "places"),  # type: ignore[arg-type]
    ("places empty", lambda: histories(places=[]), "missing", "places"),
    (
        "risk levels",
        lambda: risk_designations(levels=[RiskLevel.HIGH, "low"]),
        "wrong_type",
        "levels.1",
    ),  # type: ignore[list-item]
    ("houses", lambda: visit_attempts(CAMPAIGN, households=[None]), "wrong_type", "households.0"),  # type: ignore[list-item]
    (
        "houses empty",
        lambda: visit_attempts(CAMPAIGN, households=["H1", ""]),
        "missing",
        "households.1",
    ),
    ("case ids", lambda: whistle_case_events(case_ids="C1"), "not_list", "case_ids"),
    ("residents", lambda: screening_events(ROUND, ()), "missing", "residents"),
    ("resident id", lambda: tube_logs(ROUND, ("R1", "\x00")), "control_character", "residents.1"),
    ("addresses", lambda: declaration_forms(addresses=[None]), "wrong_type", "addresses.0"),  # type: ignore[list-item]
    # Types, choices and texts.
    ("within", lambda: area_codes(within=[1]), "wrong_type", "within"),  # type: ignore[arg-type]
    ("within text", lambda: area_codes(within="nonsense"), "bad_characters", "within"),
    ("invalid kind", lambda: citizen_ids(False, invalid=[1]), "unknown_choice", "invalid"),  # type: ignore[call-overload]
    ("valid invalid", lambda: citizen_ids(True, "checksum"), "bad_arguments", "invalid"),  # type: ignore[call-overload]
    ("allocated", lambda: phone_numbers(allocated="yes"), "bad_flag", "allocated"),  # type: ignore[arg-type]
    ("lenient", lambda: phone_number_strings(allocated=1), "bad_flag", "allocated"),  # type: ignore[arg-type]
    ("kind", lambda: node_kinds(min_kind=None), "bad_enum", "min_kind"),  # type: ignore[arg-type]
    (
        "kinds order",
        lambda: node_kinds(min_kind=NodeKind.GRID, max_kind=NodeKind.CITY),
        "bad_range",
        "min_kind",
    ),
    ("designations", lambda: risk_registers(designations=5), "wrong_type", "designations"),  # type: ignore[arg-type]
    ("scope", lambda: screening_rounds(scope=DEEP), "not_string", "scope"),  # type: ignore[arg-type]
    ("round", lambda: tube_logs(None, ("R1",)), "wrong_type", "screening"),  # type: ignore[arg-type]
    ("campaign scope", lambda: campaigns(scope=""), "missing", "scope"),
    ("campaign", lambda: attempt_logs(DEEP), "wrong_type", "campaign"),  # type: ignore[arg-type]
    ("attempt id", lambda: visit_attempts(CAMPAIGN, attempt_id=7), "not_string", "attempt_id"),  # type: ignore[arg-type]
    ("corrupt", lambda: declaration_forms(corrupt={"a": 1}), "wrong_type", "corrupt"),  # type: ignore[arg-type]
    ("prefix", lambda: declarations(id_prefix=5), "not_string", "id_prefix"),  # type: ignore[arg-type]
    ("prefix long", lambda: declarations(id_prefix="D" * 60), "too_long", "id_prefix"),
]


@pytest.mark.parametrize(
    ("call", "code", "field"),
    [case[1:] for case in STRATEGY_CASES],
    ids=[case[0] for case in STRATEGY_CASES],
)
def test_a_strategy_refuses_a_bad_argument_when_called(
    call: Callable[[], object], code: str, field: str
) -> None:
    err = refused(call, code, field)
    # Still hypothesis's own error for a bad argument: callers catching it keep working.
    assert isinstance(err, InvalidArgument)
    assert isinstance(err, InvalidStrategyArgument)


def test_the_strategy_error_pickles_as_itself() -> None:
    err = refused(lambda: rates(max_count=0), "out_of_range", "max_count")
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is InvalidStrategyArgument
    assert (back.code, back.field) == ("out_of_range", "max_count")


# Valid calls beside the refused ones still draw.


@FEW
@given(rates(max_count=5), hierarchy_rows(min_nodes=2, max_nodes=4))
def test_valid_sizes_draw(rate: Rate, rows: list[dict[str, Any]]) -> None:
    assert rate.denominator <= 5
    assert len(Hierarchy.from_rows(rows)) == len(rows) <= 4


@FEW
@given(
    aware_datetimes(at("1900-06-01 00:00"), at("2100-06-01 00:00"), zones=["UTC", UTC]),
    stays(max_hours=366 * 24),
    histories(places=[AreaCode.parse("430211")], max_stays=1000, max_contacts=0),
)
def test_valid_bounds_draw(t: datetime, stay: Any, history: Any) -> None:
    assert t.utcoffset() == timedelta(0)
    assert stay.end > stay.start
    assert not history.contacts


@FEW
@given(
    area_codes(levels=(AreaLevel.COUNTY,), within="430200"),
    risk_designations(levels=[RiskLevel.HIGH]),
    node_kinds(min_kind=NodeKind.GRID, max_kind=NodeKind.GRID),
    citizen_ids(False, "checksum"),
    phone_number_strings(allocated=None, lenient=False),
)
def test_valid_items_draw(code: AreaCode, d: Any, kind: NodeKind, text: str, phone: str) -> None:
    assert code.level is AreaLevel.COUNTY
    assert d.level is RiskLevel.HIGH
    assert kind is NodeKind.GRID
    assert len(text) == 18
    assert phone.isdigit()


@FEW
@given(
    screening_rounds(scope="C-1", round_id="S2").flatmap(
        lambda r: st.tuples(st.just(r), tube_logs(r, ()), screening_events(r, ("R1",)))
    ),
    attempt_logs(CAMPAIGN, ["H9"], max_size=3),
    whistle_case_events(case_ids=["W1"], max_events=3),
    round_cases(max_households=1),
)
def test_valid_builders_of_logs_draw(
    rounds: Any, log: list[Any], events: list[Any], case: RoundCase
) -> None:
    screening, tubes, event = rounds
    assert screening.id == event.round_id == "S2"
    assert tubes == []
    assert len(log) <= 3
    assert all(a.household == "H9" for a in log)
    assert {e.case_id for e in events} <= {"W1"}
    assert len(case.households) == 1


def test_valid_forms_and_declarations_draw() -> None:
    address = {"household_id": "H42"}
    form = find(declaration_forms(addresses=(address,)), lambda f: True, settings=ANY)
    assert form["address"] == address
    found = find(declarations(id_prefix="X-"), lambda d: True, settings=ANY)
    assert found.id.startswith("X-")


def test_a_round_case_checks_its_fields() -> None:
    case = find(round_cases(max_households=2), lambda c: True, settings=ANY)
    for name in ("hierarchy", "screening", "due"):
        refused(lambda name=name: attrs.evolve(case, **{name: DEEP}), "wrong_type", name)
    refused(lambda: attrs.evolve(case, households=DEEP), "not_mapping", "households")
    refused(lambda: attrs.evolve(case, events=(None,)), "wrong_type", "events.0")
    assert attrs.evolve(case) == case


# ----------------------------------------------------------------------------- seeded generators


def test_form_payloads_check_their_arguments() -> None:
    refused(lambda: payloads.form_payloads(2, seed="\ud800"), "bad_seed", "seed")  # type: ignore[arg-type]
    refused(
        lambda: payloads.form_payloads(2, max_advance_days=2**63),
        "out_of_range",
        "max_advance_days",
    )
    refused(lambda: payloads.form_payloads(2, addresses=5), "not_list", "addresses")  # type: ignore[arg-type]
    refused(lambda: payloads.form_payloads(2, addresses=[{}, 3]), "wrong_type", "addresses.1")  # type: ignore[list-item]
    refused(lambda: payloads.check_form_arguments(T0, 3, [None]), "wrong_type", "corrupt")  # type: ignore[arg-type]
    rows = payloads.form_payloads(
        3, seed=2**63 - 1, max_advance_days=366, addresses=[{"household_id": "H7"}]
    )
    assert [row["address"] for row in rows] == [{"household_id": "H7"}] * 3


class Zeros:
    def integer(self, lo: int, hi: int) -> int:
        return lo


def test_build_form_checks_its_arguments_on_each_call() -> None:
    refused(lambda: payloads.build_form(None, T0, 3, None, None), "wrong_type", "pick")  # type: ignore[arg-type]
    refused(
        lambda: payloads.build_form(Zeros(), T0, 3.0, None, None), "not_integer", "max_advance_days"
    )  # type: ignore[arg-type]
    refused(
        lambda: payloads.build_form(Zeros(), T0, 3, "nope", None), "unknown_corruption", "corrupt"
    )
    refused(lambda: payloads.build_form(Zeros(), T0, 3, None, "H1"), "not_list", "addresses")  # type: ignore[arg-type]
    # Of the addresses, the one used is checked (no walk of the whole list per form).
    refused(
        lambda: payloads.build_form(Zeros(), T0, 3, None, [None, {}]), "wrong_type", "addresses.0"
    )  # type: ignore[list-item]
    form = payloads.build_form(Zeros(), T0, 3, None, [{"door_code": "QR1"}, None])  # type: ignore[list-item]
    assert form["address"] == {"door_code": "QR1"}


@pytest.fixture(scope="module")
def day() -> CityDay:
    return synthetic_day(synthetic_city(scale=0.001, seed=2), seed=2, declarations=40)


def test_synthetic_day_checks_its_arguments_before_any_work(day: CityDay) -> None:
    city = day.city
    refused(lambda: synthetic_day(None), "wrong_type", "city")  # type: ignore[arg-type]
    refused(lambda: synthetic_day(city, report_day=date(1, 1, 1)), "out_of_range", "report_day")
    refused(lambda: synthetic_day(city, report_day=date(1900, 1, 28)), "out_of_range", "report_day")
    refused(lambda: synthetic_day(city, report_day=date(2100, 12, 9)), "out_of_range", "report_day")
    refused(lambda: synthetic_day(city, report_day=T1), "not_date", "report_day")  # type: ignore[arg-type]
    refused(lambda: synthetic_day(city, seed="x"), "bad_seed", "seed")  # type: ignore[arg-type]
    refused(lambda: synthetic_day(city, progress=3), "bad_progress", "progress")  # type: ignore[arg-type]
    refused(lambda: synthetic_day(city, policy=5), "wrong_type", "policy")  # type: ignore[arg-type]
    started = time.perf_counter()
    refused(lambda: synthetic_day(city, declarations=2**63), "out_of_range", "declarations")
    assert time.perf_counter() - started < 1.0
    with pytest.raises(GridcareError):
        synthetic_day(city, policy="tenth-edition")
    refused(lambda: synthetic_register(datetime(2022, 3, 27)), "naive_datetime", "cutoff")
    refused(lambda: synthetic_register(at("1900-01-28 23:59")), "out_of_range", "cutoff")
    assert len(synthetic_register(at("1900-01-29 00:00"))) == 4
    # A valid call: the day its fixture built.
    assert day.submitted == 40
    assert day.accepted + len(day.rejected) == 40


@pytest.mark.parametrize("report_day", [date(1900, 1, 29), date(2100, 12, 8)])
def test_the_first_and_last_report_days_make_a_day(day: CityDay, report_day: date) -> None:
    edge = synthetic_day(day.city, report_day=report_day, declarations=5)
    assert edge.cutoff.date() == report_day
    assert edge.tally() is not None


def test_a_city_day_checks_its_fields(day: CityDay) -> None:
    refused(lambda: attrs.evolve(day, city=DEEP), "wrong_type", "city")
    refused(lambda: attrs.evolve(day, cutoff=datetime(2022, 3, 27)), "naive_datetime", "cutoff")
    refused(lambda: attrs.evolve(day, submitted=True), "not_integer", "submitted")
    refused(lambda: attrs.evolve(day, rejected=DEEP), "wrong_type", "rejected")
    refused(lambda: attrs.evolve(day, attempts=(None,)), "wrong_type", "attempts.0")
    refused(lambda: attrs.evolve(day, assessments={1: None}), "wrong_type", "assessments.0")
    assert attrs.evolve(day) == day


def test_city_lookups_check_their_arguments(day: CityDay) -> None:
    city = day.city
    refused(lambda: city.resident(DEEP), "not_string", "resident_id")  # type: ignore[arg-type]
    started = time.perf_counter()
    refused(lambda: city.resident("R" + "9" * 100_000), "unknown_resident", "resident_id")
    assert time.perf_counter() - started < 0.5
    refused(lambda: city.help_counts(date(1, 1, 1)), "out_of_range", "as_of")
    refused(lambda: city.help_counts("2022-03-27"), "not_date", "as_of")  # type: ignore[arg-type]
    refused(lambda: city.help_counts(T1, elderly_age=2**63), "out_of_range", "elderly_age")
    refused(lambda: synthetic_city(DEEP), "unknown_profile", "profile")  # type: ignore[arg-type]
    first = city.residents[0]
    assert city.resident(first.id) == first
    assert city.help_counts(T1, elderly_age=150)["elderly"] == 0


def test_the_plain_modules_import_without_hypothesis() -> None:
    code = (
        "import sys; sys.modules['hypothesis'] = None\n"
        "import gridcare.testing, gridcare.testing.scenario\n"
        "from gridcare.testing import form_payloads, synthetic_city\n"
        "from gridcare.errors import InvalidInput\n"
        "try:\n"
        "    form_payloads(1, seed=-1)\n"
        "except InvalidInput as err:\n"
        "    assert err.code == 'bad_seed'\n"
        "assert len(form_payloads(2)) == 2\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ----------------------------------------------------------------- a city built by hand


def _city_arguments() -> dict[str, Any]:
    city = synthetic_city(scale=0.001, seed=2)
    columns = {
        "hpos": city._hpos,
        "first": city._first,
        "vacant": city._vacant,
        "birth": city._birth,
        "seq": city._seq,
        "area": city._area,
        "flags": city._flags,
        "codes": city._codes,
        "key": city._key,
    }
    return {
        "profile": city.profile,
        "seed": city.seed,
        "scale": city.scale,
        "hierarchy": city.hierarchy,
        "workers": city.workers,
        "assignments": city.assignments,
        "columns": columns,
    }


def test_a_city_built_again_from_its_own_columns_is_the_same_city() -> None:
    arguments = _city_arguments()
    again = City(**arguments)
    first = synthetic_city(scale=0.001, seed=2)
    assert again.fingerprint() == first.fingerprint()


def _columns_with(**changed: object) -> dict[str, Any]:
    arguments = _city_arguments()
    arguments["columns"] = {**arguments["columns"], **changed}
    return arguments


def test_a_city_refuses_columns_that_do_not_agree() -> None:
    arguments = _city_arguments()
    columns = arguments["columns"]
    first = columns["first"]
    shuffled = array("I", [first[0], first[2], first[1], *first[3:]])
    cases = [
        (_columns_with(hpos=list(columns["hpos"])), "columns.hpos"),
        (_columns_with(birth=array("I", columns["birth"])), "columns.birth"),
        (_columns_with(flags=bytes(columns["flags"])), "columns.flags"),
        (_columns_with(vacant=columns["vacant"][:-1]), "columns.vacant"),
        (_columns_with(seq=columns["seq"][:-1]), "columns.seq"),
        (_columns_with(first=shuffled), "columns.first"),
        (_columns_with(hpos=array("i", [-1] * len(columns["hpos"]))), "columns.hpos"),
        (_columns_with(area=bytearray([255]) * len(columns["area"])), "columns.area"),
        (_columns_with(codes=[*columns["codes"]]), "columns.codes"),
        (_columns_with(key=-1), "columns.key"),
        ({**arguments, "columns": [columns]}, "columns"),
        ({**arguments, "scale": 0}, "scale"),
        ({**arguments, "hierarchy": None}, "hierarchy"),
    ]
    for bad, field in cases:
        with pytest.raises(InvalidInput) as err:
            City(**bad)
        assert err.value.field == field
