"""Garbage into every public entry point of gridcare.screening: only GridcareError comes out,
and no error quotes personal data."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridcare.codes import CitizenId, Sex
from gridcare.errors import GridcareError, InvalidInput
from gridcare.hierarchy import Hierarchy, Node, NodeKind
from gridcare.people import Household, Resident
from gridcare.screening import (
    AwayReason,
    CensusEntry,
    CensusReport,
    CoverageReport,
    DoorTeam,
    DueList,
    Exemption,
    ExemptionReason,
    LabResult,
    MarkedAway,
    MarkedExempt,
    MaskedResident,
    NodeCensus,
    NodeCoverage,
    NodePlan,
    OverdueRule,
    PoolingRule,
    Registered,
    ResidentRecord,
    ResidentState,
    RoundPlan,
    RoundReplay,
    SamplingSite,
    ScreeningRound,
    Station,
    SwabAdded,
    ThroughputModel,
    TubeKind,
    TubeRecord,
    TubeResult,
    TubeSealed,
    TubeState,
    apply_screening_event,
    apply_tube_event,
    census,
    coverage,
    due_list,
    mop_up_list,
    needs_door_sampling,
    plan_round,
    plan_stations,
    replay_round,
    replay_round_plain,
    retest_list,
    screening_counts,
    simulate_round,
    simulated_round_log,
)

ID_NUMBER = "430202193903070024"
NAME = "刘晓娟"
PHONE = "13812345678"
T0 = datetime(2022, 3, 27, 7, 30, tzinfo=timezone(timedelta(hours=8)))


class Exploding:
    """An object whose every dunder we might call fails with a non-gridcare error."""

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("boom")

    def __hash__(self) -> int:
        raise RuntimeError("boom")


def _deep(n: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(n):
        value = [value]
    return value


GARBAGE: list[object] = [
    None,
    0,
    -1,
    True,
    10**100,
    math.nan,
    math.inf,
    -0.0,
    "",
    " ",
    "x" * 100_000,
    "\x00",
    "\ud800",
    "a\nb",
    ID_NUMBER,
    NAME,
    PHONE,
    b"bytes",
    [],
    [[]],
    {},
    {"R1": [[]]},
    set(),
    (1, 2),
    object(),
    Exploding(),
    _deep(500),
    datetime(2022, 3, 27, 8),  # naive
    date(2022, 3, 27),
    timedelta(hours=1),
    TubeKind.POOLED,
    LabResult.POSITIVE,
    ResidentState.SAMPLED,
]

H = Hierarchy(
    [
        Node("C", NodeKind.CITY, "c"),
        Node("M", NodeKind.COMMUNITY, "m", "C"),
        Node("G", NodeKind.GRID, "g", "M"),
        Node("H1", NodeKind.HOUSEHOLD, "1", "G"),
    ]
)
RND = ScreeningRound(id="S", scope="C", start=T0, end=T0 + timedelta(hours=5))
DUE = due_list(RND, H, [Household(id="H1", members=("R1", "R2"))])
SWAB = SwabAdded(id="e1", at=T0, round_id="S", resident_id="R1", tube_id="T1")
RESIDENT = Resident(
    id="R1",
    household_id="H1",
    name=NAME,
    sex=Sex.FEMALE,
    document=CitizenId.parse(ID_NUMBER),
    birth_date=date(1939, 3, 7),
)
REPORT = coverage(H, replay_round([SWAB], RND, DUE))
PLAN = plan_round(H, RND, DUE)

# Each entry point with valid keyword arguments; each argument in turn gets garbage.
ENTRIES: dict[str, tuple[Callable[..., object], dict[str, object]]] = {
    "ScreeningRound": (
        ScreeningRound,
        {
            "id": "S",
            "scope": "C",
            "start": T0,
            "end": T0 + timedelta(hours=5),
            "pooling": PoolingRule(),
            "exemptions": (),
        },
    ),
    "PoolingRule": (PoolingRule, {"pool_size": 10, "single_tube_measures": frozenset()}),
    "Exemption": (
        Exemption,
        {"resident_id": "R1", "reason": ExemptionReason.INFANT, "note": ""},
    ),
    "DueList": (
        DueList,
        {
            "round_id": "S",
            "scope_position": 0,
            "household_of": {"R1": "H1"},
            "place_of": {"R1": 0},
            "single_tube": frozenset(),
            "door_sampling": frozenset(),
            "exempt": {},
        },
    ),
    "due_list": (
        due_list,
        {
            "screening": RND,
            "hierarchy": H,
            "households": [Household(id="H1", members=("R1",))],
            "measures": {},
            "single_tube": (),
            "door_sampling": (),
        },
    ),
    "needs_door_sampling": (
        needs_door_sampling,
        {"resident": RESIDENT, "as_of": date(2022, 3, 27), "elderly_age": 80},
    ),
    "Station": (Station, {"id": "P1", "swabs_per_hour": 120}),
    "SamplingSite": (
        SamplingSite,
        {"id": "P1", "node_id": "M", "stations": (Station(id="P1-1"),), "name": "x"},
    ),
    "DoorTeam": (DoorTeam, {"id": "D1", "node_id": "G", "members": 2, "visits_per_hour": 6}),
    "Registered": (
        Registered,
        {
            "id": "e",
            "at": T0,
            "round_id": "S",
            "resident_id": "R1",
            "site_id": "P1",
            "door_team_id": None,
        },
    ),
    "SwabAdded": (
        SwabAdded,
        {
            "id": "e",
            "at": T0,
            "round_id": "S",
            "resident_id": "R1",
            "tube_id": "T1",
            "tube_kind": TubeKind.POOLED,
            "retest_of": None,
            "site_id": None,
            "door_team_id": None,
        },
    ),
    "TubeSealed": (TubeSealed, {"id": "e", "at": T0, "round_id": "S", "tube_id": "T1"}),
    "TubeResult": (
        TubeResult,
        {"id": "e", "at": T0, "round_id": "S", "tube_id": "T1", "result": LabResult.NEGATIVE},
    ),
    "MarkedAway": (
        MarkedAway,
        {
            "id": "e",
            "at": T0,
            "round_id": "S",
            "resident_id": "R1",
            "reason": AwayReason.OUT_OF_AREA,
            "note": "",
        },
    ),
    "MarkedExempt": (
        MarkedExempt,
        {
            "id": "e",
            "at": T0,
            "round_id": "S",
            "resident_id": "R1",
            "reason": ExemptionReason.INFANT,
            "note": "",
        },
    ),
    "TubeRecord": (
        TubeRecord,
        {
            "tube_id": "T1",
            "kind": TubeKind.POOLED,
            "state": TubeState.OPEN,
            "members": ("R1",),
            "sealed_at": None,
            "result_at": None,
            "retest_of": None,
        },
    ),
    "ResidentRecord": (
        ResidentRecord,
        {
            "resident_id": "R1",
            "state": ResidentState.SAMPLED,
            "tube_id": "T1",
            "registered_at": None,
            "retests": 0,
        },
    ),
    "apply_tube_event": (apply_tube_event, {"record": None, "event": SWAB, "screening": RND}),
    "apply_screening_event": (
        apply_screening_event,
        {
            "record": None,
            "event": SWAB,
            "screening": RND,
            "due": DUE,
            "tubes": {"T1": TubeRecord("T1", TubeKind.POOLED, TubeState.OPEN, ("R1",))},
        },
    ),
    "replay_round": (
        replay_round,
        {"events": [SWAB], "screening": RND, "due": DUE, "progress": None},
    ),
    "replay_round_plain": (
        replay_round_plain,
        {"events": [SWAB], "screening": RND, "due": DUE, "progress": None},
    ),
    "coverage": (coverage, {"hierarchy": H, "replay": replay_round([SWAB], RND, DUE)}),
    "mop_up_list": (mop_up_list, {"report": REPORT, "residents": {}, "node_id": None}),
    "retest_list": (retest_list, {"report": REPORT, "residents": {"R1": RESIDENT}}),
    "screening_counts": (screening_counts, {"report": REPORT, "kind": None}),
    "NodeCoverage": (NodeCoverage, {"due": 1, "missed": 1}),
    "MaskedResident": (
        MaskedResident,
        {"resident_id": "R1", "household_id": "H1", "grid_id": "G"},
    ),
    "ThroughputModel": (
        ThroughputModel,
        {
            "swabs_per_station_hour": 120,
            "pool_size": 10,
            "utilisation": 0.85,
            "peak_factor": 1.0,
            "stations_per_site": 6,
        },
    ),
    "plan_stations": (plan_stations, {"due": 100, "hours": 5.0, "model": None, "single_tube": 0}),
    "plan_round": (
        plan_round,
        {"hierarchy": H, "screening": RND, "due": DUE, "model": None, "kind": NodeKind.COMMUNITY},
    ),
    "NodePlan": (NodePlan, {"node_id": "M", "plan": plan_stations(10, 1.0)}),
    "RoundPlan": (RoundPlan, {"round_id": "S", "nodes": ()}),
    "simulate_round": (simulate_round, {"plan": PLAN, "seed": 0}),
    "simulated_round_log": (
        simulated_round_log,
        {
            "screening": RND,
            "due": DUE,
            "seed": 0,
            "away_share": 0.1,
            "missed_share": 0.1,
            "positive_tubes": 1,
            "invalid_tubes": 0,
        },
    ),
    "CensusEntry": (
        CensusEntry,
        {
            "id": "c",
            "at": T0,
            "resident_id": "R1",
            "household_id": "H1",
            "vaccine_doses": 2,
            "last_sample_at": None,
            "door_sampling_needed": False,
            "visit_id": None,
        },
    ),
    "OverdueRule": (OverdueRule, {"days": 7}),
    "NodeCensus": (NodeCensus, {"known": 1}),
    "census": (
        census,
        {
            "hierarchy": H,
            "entries": [CensusEntry(id="c", at=T0, resident_id="R1", household_id="H1")],
            "scope": "C",
            "as_of": T0,
            "residents": {"R1": RESIDENT},
            "rule": None,
        },
    ),
}

CENSUS = census(H, [], scope="C", as_of=T0, residents={})
REPLAY = replay_round([SWAB], RND, DUE)
ENTRIES.update(
    {
        "RoundReplay.outcome_of": (REPLAY.outcome_of, {"resident_id": "R1"}),
        "CoverageReport.node": (REPORT.node, {"node_id": "G"}),
        "CoverageReport.nodes": (REPORT.nodes, {"kind": NodeKind.GRID}),
        "CoverageReport.children": (REPORT.children, {"node_id": "C"}),
        "CoverageReport.most_missed": (REPORT.most_missed, {"kind": NodeKind.GRID, "n": 3}),
        "CensusReport.node": (CENSUS.node, {"node_id": "G"}),
        "CensusReport.nodes": (CENSUS.nodes, {"kind": NodeKind.GRID}),
        "SamplingSite.capacity": (
            SamplingSite(id="P", node_id="M", stations=(Station(id="S"),)).capacity,
            {"hours": 5.0},
        ),
        "PoolingRule.single_tube": (PoolingRule().single_tube, {"measures": ()}),
        "PoolingRule.capacity": (PoolingRule().capacity, {"kind": TubeKind.POOLED}),
        "OverdueRule.overdue": (OverdueRule().overdue, {"last_sample_at": None, "as_of": T0}),
        "MaskedResident.of": (
            MaskedResident.of,
            {"resident_id": "R1", "household_id": "H1", "grid_id": "G", "resident": RESIDENT},
        ),
    }
)

ENTRIES.update(
    {
        "RoundReplay": (
            RoundReplay,
            {
                "screening": RND,
                "due": DUE,
                "tubes": REPLAY.tubes,
                "residents": REPLAY.residents,
                "outcome_by_resident": REPLAY.outcome_by_resident,
            },
        ),
        "CoverageReport": (
            CoverageReport,
            {"hierarchy": H, "replay": REPLAY, "outcomes": REPLAY.outcomes(), "totals": {}},
        ),
        "CensusReport": (
            CensusReport,
            {
                "hierarchy": H,
                "scope": H.root,
                "as_of": T0,
                "latest": {},
                "totals": {},
                "lists": ({}, {}),
                "outside_scope": 0,
            },
        ),
    }
)

CASES = [(name, arg) for name, (_, kwargs) in ENTRIES.items() for arg in kwargs]
SECRETS = (ID_NUMBER, NAME, PHONE)


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_valid_arguments_work(name: str) -> None:
    func, kwargs = ENTRIES[name]
    func(**kwargs)


def _call_with(name: str, arg: str, garbage: object) -> None:
    func, kwargs = ENTRIES[name]
    bad = dict(kwargs)
    bad[arg] = garbage
    try:
        func(**bad)
    except GridcareError as exc:
        text = f"{exc}|{getattr(exc, 'value', '')!r}|{exc.args!r}"
        for secret in SECRETS:
            assert secret not in text, f"{name}({arg}=...) quoted personal data"
    except RecursionError:  # pragma: no cover - the deep value must never reach recursion
        pytest.fail(f"{name}({arg}=deep) recursed")


@pytest.mark.parametrize(("name", "arg"), CASES, ids=[f"{n}.{a}" for n, a in CASES])
def test_garbage_in_each_argument_raises_only_gridcare_errors(name: str, arg: str) -> None:
    for garbage in GARBAGE:
        _call_with(name, arg, garbage)


# Where the garbage makes two arguments clash, the clash is named where it is reported.
NAMED_ELSEWHERE = {("Registered", "door_team_id"): "site_id"}


@pytest.mark.parametrize(("name", "arg"), CASES, ids=[f"{n}.{a}" for n, a in CASES])
def test_a_refusal_names_the_argument_it_refuses(name: str, arg: str) -> None:
    func, kwargs = ENTRIES[name]
    with pytest.raises(InvalidInput) as err:
        func(**{**kwargs, arg: object()})
    field = err.value.field
    expected = NAMED_ELSEWHERE.get((name, arg), arg)
    assert field == expected or field.startswith((expected + ".", expected + "[")), field


def test_a_record_names_the_field_that_breaks_its_rule() -> None:
    tube = ENTRIES["TubeRecord"][1]
    resident = ENTRIES["ResidentRecord"][1]
    for field, bad in (("members", ("R1", 2)), ("retest_of", 5), ("event_ids", "e1")):
        with pytest.raises(InvalidInput) as err:
            TubeRecord(**{**tube, field: bad})
        assert (err.value.code, err.value.field) == ("bad_record", field)
    for field, bad in (("at_home", 1), ("retests", True), ("away_reason", "other")):
        with pytest.raises(InvalidInput) as err:
            ResidentRecord(**{**resident, field: bad})
        assert (err.value.code, err.value.field) == ("bad_record", field)
    with pytest.raises(InvalidInput) as err:
        ResidentRecord(**{**resident, "event_ids": ("e1",), "last_event_at": None})
    assert (err.value.code, err.value.field) == ("bad_record", "last_event_at")


@given(
    st.sampled_from(CASES),
    st.one_of(
        st.none(),
        st.integers(),
        st.floats(),
        st.text(max_size=80),
        st.binary(max_size=8),
        st.datetimes(),
        st.lists(st.text(max_size=5), max_size=3),
        st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    ),
)
def test_random_garbage_raises_only_gridcare_errors(case: tuple[str, str], garbage: object) -> None:
    _call_with(case[0], case[1], garbage)


def test_events_masks_notes_and_names_in_repr() -> None:
    away = MarkedAway(
        id="e",
        at=T0,
        round_id="S",
        resident_id="R1",
        reason=AwayReason.OTHER,
        note=NAME + ID_NUMBER,
    )
    assert NAME not in repr(away)
    assert ID_NUMBER not in repr(away)
    masked = MaskedResident.of("R1", "H1", "G", RESIDENT)
    assert NAME not in repr(masked)
    assert ID_NUMBER not in repr(masked)
