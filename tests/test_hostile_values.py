"""Hostile values at the public entry points of the value and model layers.

Each entry point of errors, timeutil, rates, masking, hierarchy, people and
scope gets generated garbage in each of its arguments (the others valid):
``None``, booleans, huge and negative integers, NaN and infinities, deep
lists, lone surrogates, control characters, naive and year-9999 instants,
bytes, mappings. Whatever happens, the only exception that may escape is a
:class:`~gridcare.errors.GridcareError`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridcare import errors, masking, timeutil
from gridcare.codes import CitizenId, PhoneNumber, Sex
from gridcare.errors import FieldError, GridcareError, InvalidInput
from gridcare.hierarchy import Hierarchy, Node, NodeKind
from gridcare.people import (
    Assignment,
    ChainLink,
    Household,
    IdDocument,
    IdKind,
    Resident,
    ResponsibilityChain,
    Roster,
    Worker,
    WorkerRole,
    age_on,
    help_reasons,
    needs_help,
)
from gridcare.rates import Rate
from gridcare.scope import Access, Listing, Principal, View, redact


def _deep(depth: int) -> list[object]:
    value: list[object] = []
    for _ in range(depth):
        value = [value]
    return value


DEEP = _deep(50_000)

#: Hostile values every argument gets, each of them, every run.
FIXED: list[object] = [
    None,
    True,
    0,
    -1,
    2**63,
    -(2**63),
    10**100,
    math.nan,
    math.inf,
    -math.inf,
    Decimal("NaN"),
    Decimal("1e999999"),
    "",
    "\ud800",
    "\x00\x1b[31m\u200b",
    "x" * 100_000,
    b"\xff\x00",
    DEEP,
    {"a": DEEP},
    [None],
    (),
    datetime(2022, 3, 27, 8),  # naive
    datetime(9999, 12, 31, 23, tzinfo=UTC),
    datetime(1, 1, 1, tzinfo=UTC),
    date(1, 1, 1),
    date(9999, 12, 31),
    time(1),
    timedelta.max,
    object(),
]

#: Generated garbage on top (the deep values stay in FIXED: a failure report prints its input).
GARBAGE: st.SearchStrategy[object] = st.one_of(
    st.integers(),
    st.floats(),
    st.text(max_size=20),
    st.lists(st.text(max_size=5), max_size=3),
    st.datetimes(timezones=st.none() | st.just(UTC)),
    st.dates(),
    st.binary(max_size=5),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)

# ----------------------------------------------------------------------------- valid arguments

H = Hierarchy(
    [
        Node("C", NodeKind.CITY, "株洲市"),
        Node("M", NodeKind.COMMUNITY, "大塘社区", "C"),
        Node("G", NodeKind.GRID, "一网格", "M"),
        Node("HH", NodeKind.HOUSEHOLD, "101", "G"),
    ]
)
T = datetime(2022, 3, 27, 10, tzinfo=timeutil.DEFAULT_ZONE)
DAY = date(2022, 3, 27)
CID = CitizenId.parse("11010519491231002X")
PHONE = PhoneNumber.parse("13812345678")
R = Resident(
    id="R1",
    household_id="HH",
    name="刘晓娟",
    document=CID,
    birth_date=date(1949, 12, 31),
    sex=Sex.FEMALE,
    phone=PHONE,
)
W = Worker(id="W1", name="周建国", role=WorkerRole.VOLUNTEER, phone=PHONE)
ROSTER = Roster(H, [W], [Assignment("W1", "HH")])
CLOCK = timeutil.ReportClock()
WINDOW = timeutil.report_window(DAY)
VIEW = View(H, Principal("P", "C"))
RESIDENT_FIELDS: dict[str, Any] = {
    "id": "R1",
    "household_id": "HH",
    "name": "刘晓娟",
    "document": CID,
    "birth_date": date(1949, 12, 31),
    "sex": Sex.FEMALE,
    "phone": PHONE,
    "care_needs": frozenset(),
}


def _node_of(record: object) -> object:
    return record


def _each_argument(
    call: Callable[..., object], args: Iterable[object], kwargs: dict[str, object] | None = None
) -> list[tuple[str, Callable[[object], object]]]:
    """One entry per argument of ``call``: the call with garbage in that argument."""
    positional = list(args)
    named = dict(kwargs or {})
    name = getattr(call, "__qualname__", repr(call))
    found: list[tuple[str, Callable[[object], object]]] = []
    for i in range(len(positional)):

        def with_garbage(x: object, i: int = i) -> object:
            given_args = [*positional[:i], x, *positional[i + 1 :]]
            return call(*given_args, **named)

        found.append((f"{name}[{i}]", with_garbage))
    for key in named:

        def with_garbage_kw(x: object, key: str = key) -> object:
            return call(*positional, **{**named, key: x})

        found.append((f"{name}[{key}]", with_garbage_kw))
    return found


def _consume(value: object) -> object:
    """Force lazy results (iterators) and every rendering of the result."""
    if isinstance(value, Iterable) and not isinstance(value, (str, bytes, tuple, frozenset)):
        value = list(value)
    repr(value)
    str(value)
    return value


ENTRY_POINTS: list[tuple[str, Callable[[object], object]]] = [
    # errors
    *_each_argument(FieldError, ["code", "field", "message", "v"]),
    *_each_argument(InvalidInput, ["code", "field", "message"], {"value": 1}),
    ("InvalidInput.collect", lambda x: InvalidInput.collect([FieldError("c", "f", "m", x)])),
    ("InvalidInput.within", lambda x: InvalidInput("c", "f", "m", value=x).within("rows.1")),
    *_each_argument(errors.IllegalTransition, ["state", "event"], {"machine": "m", "detail": ""}),
    *_each_argument(errors.OutOfScope, ["principal", "node"]),
    *_each_argument(errors.UnknownNode, ["node"]),
    *_each_argument(errors.PolicyError, ["where", "problem"]),
    *_each_argument(errors.safe_value, [1]),
    # timeutil
    *_each_argument(timeutil.zone, ["Asia/Shanghai"]),
    *_each_argument(timeutil.is_aware, [T]),
    *_each_argument(timeutil.require_aware, [T, "at"]),
    *_each_argument(timeutil.require_day, [DAY, "day"]),
    *_each_argument(timeutil.localize, [T, timeutil.DEFAULT_ZONE]),
    *_each_argument(timeutil.local_date, [T, timeutil.DEFAULT_ZONE]),
    *_each_argument(timeutil.start_of_day, [DAY, timeutil.DEFAULT_ZONE]),
    *_each_argument(timeutil.add_days, [DAY, 3]),
    *_each_argument(timeutil.day_index, [T, T, timeutil.DEFAULT_ZONE]),
    *_each_argument(timeutil.midnight_after, [T, 7, timeutil.DEFAULT_ZONE]),
    *_each_argument(timeutil.report_window, [DAY, time(8), timeutil.DEFAULT_ZONE]),
    *_each_argument(timeutil.ReportClock, [time(8), timeutil.DEFAULT_ZONE]),
    *_each_argument(timeutil.ReportWindow, [WINDOW.start, WINDOW.cutoff]),
    *_each_argument(CLOCK.cutoff_of, [DAY]),
    *_each_argument(CLOCK.report_day, [T]),
    *_each_argument(CLOCK.latest_day, [T]),
    *_each_argument(CLOCK.window, [DAY]),
    # rates
    *_each_argument(Rate, [1, 3]),
    *_each_argument(Rate.ratio, [5, 3]),
    *_each_argument(Rate(1, 3).percent, [2]),
    # masking
    *_each_argument(masking.mask_name, ["刘晓娟"]),
    *_each_argument(masking.mask_id_number, ["11010519491231002X"]),
    *_each_argument(masking.mask_phone, ["13812345678"]),
    *_each_argument(masking.mask_numbers, ["x 13812345678"]),
    *_each_argument(masking.mask_text, ["芦淞区建设南路12号"]),
    *_each_argument(masking.mask_address, [["天元区", "3栋"], 1]),
    *_each_argument(masking.reveal_requested, [masking.REVEAL]),
    # hierarchy
    *_each_argument(Node, ["G2", NodeKind.GRID, "二网格", "M", None]),
    *_each_argument(Hierarchy, [list(H)]),
    *_each_argument(Hierarchy.from_rows, [H.to_rows()]),
    ("Hierarchy.from_rows(row)", lambda x: Hierarchy.from_rows([x])),
    *(
        entry
        for method in (
            H.node,
            H.get,
            H.position,
            H.parent,
            H.ancestors,
            H.grid_of,
            H.children,
            H.descendants,
            H.depth,
            H.path,
            H.path_names,
            H.at,
            H.parent_position,
            H.nodes_of,
            H.ancestor_positions,
            H.ancestor_index,
            H.positions,
        )
        for entry in _each_argument(method, ["G"])
    ),
    *_each_argument(H.ancestor_of_kind, ["G", NodeKind.CITY]),
    *_each_argument(H.count_below, ["C", NodeKind.GRID]),
    *_each_argument(H.is_within, ["G", "C"]),
    *_each_argument(H.descendants, ["C", NodeKind.GRID]),
    ("Hierarchy.__contains__", lambda x: x in H),
    # people
    *_each_argument(lambda **kw: Resident(**kw), [], RESIDENT_FIELDS),
    *_each_argument(IdDocument, [IdKind.PASSPORT, "E12345678"]),
    *_each_argument(lambda **kw: Household(**kw), [], {"id": "HH", "members": ["R1"]}),
    *_each_argument(
        lambda **kw: Worker(**kw), [], {"id": "W1", "name": "周建国", "role": WorkerRole.VOLUNTEER}
    ),
    *_each_argument(Assignment, ["W1", "HH"]),
    *_each_argument(ChainLink, [WorkerRole.VOLUNTEER, "HH", ("W1",)]),
    *_each_argument(ResponsibilityChain, ["HH", ()]),
    *_each_argument(Roster, [H, [W], [Assignment("W1", "HH")]]),
    *_each_argument(ROSTER.worker, ["W1"]),
    *_each_argument(ROSTER.nodes_of, ["W1"]),
    *_each_argument(ROSTER.workers_at, ["HH"]),
    *_each_argument(ROSTER.chain, ["HH"]),
    *_each_argument(age_on, [date(1949, 12, 31), DAY]),
    *_each_argument(R.age_on, [DAY]),
    *_each_argument(help_reasons, [R, DAY], {"elderly_age": 80}),
    *_each_argument(needs_help, [R, DAY], {"elderly_age": 80}),
    # scope
    *_each_argument(Principal, ["P", "G", Access.FULL]),
    *_each_argument(Principal.assigned, ["P", "G", H]),
    *_each_argument(Principal("P", "G").can_read, ["G", H]),
    *_each_argument(Principal("P", "G").check, ["G", H]),
    *_each_argument(View, [H, Principal("P", "C")]),
    *_each_argument(VIEW.read, ["G"], {"node_of": _node_of}),
    *_each_argument(VIEW.visible, [["G", "X"]], {"node_of": _node_of}),
    *_each_argument(VIEW.listing, [["G", "X"]], {"node_of": _node_of}),
    ("View.visible(record)", lambda x: VIEW.visible([x], node_of=_node_of)),
    ("View.listing(record)", lambda x: VIEW.listing([x], node_of=_node_of)),
    *_each_argument(redact, [R]),
    *_each_argument(Listing, [(), ()]),
]


def test_the_entry_points_are_enumerated() -> None:
    names = {name.split("[")[0] for name, _ in ENTRY_POINTS}
    assert len(names) >= 80
    assert len(ENTRY_POINTS) >= 140


@pytest.mark.parametrize(("name", "call"), ENTRY_POINTS, ids=[n for n, _ in ENTRY_POINTS])
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(garbage=GARBAGE)
def test_only_gridcare_errors_escape(
    name: str, call: Callable[[object], object], garbage: object
) -> None:
    refused = _refusal(call, garbage)  # anything but a GridcareError fails the test here
    if refused is not None:
        str(refused).encode("utf-8")  # always renderable, even from a lone surrogate
        repr(refused).encode("utf-8")
        assert len(str(refused)) < 20_000


@pytest.mark.parametrize(("name", "call"), ENTRY_POINTS, ids=[n for n, _ in ENTRY_POINTS])
def test_fixed_hostile_values_only_raise_gridcare_errors(
    name: str, call: Callable[[object], object]
) -> None:
    for value in FIXED:
        refused = _refusal(call, value)
        if refused is not None:
            str(refused).encode("utf-8")
            repr(refused).encode("utf-8")
            assert len(str(refused)) < 20_000


def _refusal(call: Callable[[object], object], garbage: object) -> GridcareError | None:
    """The ``GridcareError`` a call raises on ``garbage`` (``None`` if it accepts it)."""
    try:
        result = call(garbage)
        if result is not garbage:  # a value handed back as it came (redact) is not rendered
            _consume(result)
    except GridcareError as err:
        return err
    return None


@pytest.mark.parametrize(
    "call",
    [
        lambda: Household(members=None, id="H1"),  # type: ignore[arg-type]
        lambda: Resident(**{**RESIDENT_FIELDS, "care_needs": [["x"]]}),
        lambda: Node("G", NodeKind.GRID, 123),  # type: ignore[arg-type]
        lambda: H.nodes_of("town"),  # type: ignore[arg-type]
        lambda: H.node(DEEP),  # type: ignore[arg-type]
        lambda: Rate(DEEP, 1),  # type: ignore[arg-type]
        lambda: Rate(5, 3),
        lambda: Rate(1, 3).percent(2**63),
        lambda: timeutil.zone("/etc/passwd"),
        lambda: timeutil.zone("/etc/localtime"),
        lambda: timeutil.zone("x" * 300),
        lambda: CLOCK.report_day(datetime(9999, 12, 31, 23, tzinfo=timeutil.DEFAULT_ZONE)),
        lambda: timeutil.report_window(date(1, 1, 1)),
    ],
)
def test_the_reproducers_are_invalid_input_with_a_code_and_a_field(
    call: Callable[[], object],
) -> None:
    with pytest.raises(InvalidInput) as err:
        call()
    assert err.value.code
    assert err.value.field
