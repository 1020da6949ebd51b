"""Whistle cases (网格吹哨、部门报到): lifecycle table, replay, deadlines."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridcare.cases import (
    DEFAULT_CASE_DEADLINES,
    WHISTLE_CASE_MACHINE,
    CaseDeadlines,
    CaseEvent,
    CaseEventType,
    CaseKind,
    CaseState,
    CaseTopic,
    KindDeadlines,
    WhistleCase,
    apply_case_event,
    overdue_cases,
    overdue_check_ins,
    replay_cases,
)
from gridcare.errors import IllegalTransition, InvalidInput
from gridcare.testing._visit_strategies import whistle_case_events

T = datetime(2022, 3, 25, 9, tzinfo=timezone(timedelta(hours=8)))
E = CaseEventType


def ev(n: int, minutes: int, type_: CaseEventType, case: str = "C1", **kw: object) -> CaseEvent:
    if type_ is E.RAISE:
        kw.setdefault("grid", "G1")
        kw.setdefault("topic", CaseTopic.HAZARD)
        kw.setdefault("kind", CaseKind.DAILY)
    if type_ in (E.REJECT, E.REOPEN):
        kw.setdefault("note", "reason")
    return CaseEvent(
        id=f"e{n}",
        at=T + timedelta(minutes=minutes),
        case_id=case,
        type=type_,
        **kw,  # type: ignore[arg-type]
    )


def full_life() -> list[CaseEvent]:
    return [
        ev(1, 0, E.RAISE, kind=CaseKind.TOUGH_PROBLEM),
        ev(2, 30, E.ACCEPT),
        ev(3, 60, E.DISPATCH, departments=("fire", "housing")),
        ev(4, 90, E.CHECK_IN, department="housing"),
        ev(5, 120, E.CHECK_IN, department="fire"),
        ev(6, 600, E.HANDLE),
        ev(7, 700, E.VERIFY),
    ]


def test_full_life_closes() -> None:
    out = replay_cases(full_life())
    case = out.records["C1"]
    assert case.state is CaseState.CLOSED
    assert case.kind is CaseKind.TOUGH_PROBLEM
    assert case.pending_departments == ()
    assert case.closed_at == T + timedelta(minutes=700)
    assert out.total == 7
    assert not out.rejected


def test_partial_check_in_keeps_dispatched() -> None:
    case = replay_cases(full_life()[:4]).records["C1"]
    assert case.state is CaseState.DISPATCHED
    assert case.pending_departments == ("fire",)


def test_handle_before_every_department_checked_in_is_illegal() -> None:
    out = replay_cases([*full_life()[:4], ev(9, 200, E.HANDLE)])
    assert len(out.rejected) == 1
    assert isinstance(out.rejected[0].error, IllegalTransition)


def test_unexpected_department_is_rejected() -> None:
    out = replay_cases([*full_life()[:3], ev(9, 100, E.CHECK_IN, department="police")])
    assert out.rejected[0].error.detail == "department 'police' is not awaited"  # type: ignore[attr-defined]


def test_reopen_and_redispatch() -> None:
    log = [
        *full_life(),
        ev(8, 800, E.REOPEN),
        ev(9, 810, E.DISPATCH, departments=("fire",)),
        ev(10, 820, E.CHECK_IN, department="fire"),
        ev(11, 830, E.HANDLE),
    ]
    case = replay_cases(log).records["C1"]
    assert case.state is CaseState.HANDLED
    assert case.reopen_count == 1
    assert case.closed_at is None
    assert case.reopened_at == T + timedelta(minutes=800)


def test_reject_is_final() -> None:
    out = replay_cases([ev(1, 0, E.RAISE), ev(2, 5, E.REJECT), ev(3, 10, E.ACCEPT)])
    assert out.records["C1"].state is CaseState.REJECTED
    assert len(out.rejected) == 1


def _case_in(state: CaseState) -> WhistleCase | None:
    if state is CaseState.NOT_RAISED:
        return None
    dispatched = (("fire", T),) if state is CaseState.DISPATCHED else ()
    return WhistleCase(
        "C1", "G1", CaseTopic.HAZARD, CaseKind.DAILY, T, state, dispatched=dispatched
    )


def _event_for(kind: CaseEventType) -> CaseEvent:
    extra: dict[str, object] = {}
    if kind is E.DISPATCH:
        extra["departments"] = ("police",)
    if kind is E.CHECK_IN:
        extra["department"] = "fire"
    return ev(99, 60, kind, **extra)


@pytest.mark.parametrize("state", list(CaseState))
@pytest.mark.parametrize("kind", list(CaseEventType))
def test_every_pair_follows_the_table(state: CaseState, kind: CaseEventType) -> None:
    case = _case_in(state)
    event = _event_for(kind)
    key = "check_in_last" if kind is E.CHECK_IN and state is CaseState.DISPATCHED else kind.value
    if WHISTLE_CASE_MACHINE.is_legal(state, key):
        assert apply_case_event(case, event).state is WHISTLE_CASE_MACHINE.next(state, key)
    else:
        with pytest.raises(IllegalTransition) as info:
            apply_case_event(case, event)
        assert info.value.state == state.value


def test_overdue_check_ins_and_cases() -> None:
    d = CaseDeadlines(
        daily=KindDeadlines(timedelta(hours=1), timedelta(hours=2), timedelta(hours=10)),
    )
    log = [ev(1, 0, E.RAISE), ev(2, 10, E.ACCEPT), ev(3, 20, E.DISPATCH, departments=("a", "b"))]
    log.append(ev(4, 30, E.CHECK_IN, department="a"))
    raised_only = [ev(11, 0, E.RAISE, case="C2")]
    cases = list(replay_cases(log + raised_only).records.values())
    due = T + timedelta(minutes=20) + timedelta(hours=2)
    assert overdue_check_ins(cases, due - timedelta(seconds=1), d) == []
    late = overdue_check_ins(cases, due, d)
    assert [(o.case_id, o.department, o.due) for o in late] == [("C1", "b", due)]
    found = overdue_cases(cases, T + timedelta(hours=1), d)
    assert [(o.case_id, o.stage) for o in found] == [("C2", "accept")]
    found = overdue_cases(cases, T + timedelta(hours=10), d)
    assert [(o.case_id, o.stage) for o in found] == [("C2", "accept"), ("C1", "close")]
    closed = list(replay_cases(full_life()).records.values())
    assert overdue_cases(closed, T + timedelta(days=60)) == []


def test_default_deadlines_by_kind() -> None:
    assert DEFAULT_CASE_DEADLINES.for_kind(CaseKind.DAILY).close == timedelta(days=7)
    assert DEFAULT_CASE_DEADLINES.for_kind(CaseKind.TOUGH_PROBLEM).close == timedelta(days=15)
    with pytest.raises(InvalidInput):
        DEFAULT_CASE_DEADLINES.for_kind("daily")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        KindDeadlines(timedelta(0), timedelta(hours=1), timedelta(hours=1))


@pytest.mark.parametrize(
    ("kind", "extra", "field"),
    [
        (E.RAISE, {"topic": CaseTopic.HAZARD, "kind": CaseKind.DAILY}, "grid"),
        (E.RAISE, {"grid": "G", "kind": CaseKind.DAILY}, "topic"),
        (E.DISPATCH, {}, "departments"),
        (E.DISPATCH, {"departments": ("a", "a")}, "departments"),
        (E.CHECK_IN, {}, "department"),
        (E.REJECT, {}, "note"),
    ],
)
def test_bad_events(kind: CaseEventType, extra: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as info:
        CaseEvent(id="e", at=T, case_id="C", type=kind, **extra)  # type: ignore[arg-type]
    assert info.value.field == field


def test_note_is_masked() -> None:
    assert "刘晓娟" not in repr(ev(1, 0, E.RAISE, note="刘晓娟反映楼道堆物"))


@settings(max_examples=30)
@given(whistle_case_events(), st.randoms(use_true_random=False))
def test_replay_is_order_independent_and_drops_nothing(
    events: list[CaseEvent], rnd: st.SearchStrategy[object]
) -> None:
    shuffled = list(events)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    a = replay_cases(events)
    b = replay_cases(shuffled + events[:3])
    assert a.records == b.records
    assert a.total == len(events)
    assert b.total == len(events) + min(3, len(events))
    assert len(b.duplicates) == min(3, len(events))
    for case in a.records.values():
        assert case.state is not CaseState.NOT_RAISED
