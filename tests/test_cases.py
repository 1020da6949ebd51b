"""Whistle cases (网格吹哨、部门报到): lifecycle table, replay, deadlines."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.helpers import stored

from gridcare.cases import (
    DEFAULT_CASE_DEADLINES,
    WHISTLE_CASE_MACHINE,
    CaseDeadlines,
    CaseEvent,
    CaseEventKind,
    CaseState,
    CaseTopic,
    CaseUrgency,
    UrgencyDeadlines,
    WhistleCase,
    apply_case_event,
    case_event_kind,
    overdue_cases,
    overdue_check_ins,
    replay_cases,
)
from gridcare.errors import GridcareError, IllegalTransition, InvalidInput
from gridcare.machine import NEW, group_by_subject, replay_order
from gridcare.reports import case_counts, tally
from gridcare.testing import whistle_case_events
from gridcare.timeutil import ReportClock

T = datetime(2022, 3, 25, 9, tzinfo=timezone(timedelta(hours=8)))
E = CaseEventKind
#: The kinds an event carries (CHECK_IN_LAST is the table's own).
SENT = [k for k in CaseEventKind if k is not E.CHECK_IN_LAST]


def ev(n: int, minutes: int, kind: CaseEventKind, case: str = "C1", **kw: object) -> CaseEvent:
    if kind is E.RAISE:
        kw.setdefault("grid", "G1")
        kw.setdefault("topic", CaseTopic.HAZARD)
        kw.setdefault("urgency", CaseUrgency.DAILY)
    if kind in (E.REJECT, E.REOPEN):
        kw.setdefault("note", "reason")
    return CaseEvent(
        id=f"e{n}",
        at=T + timedelta(minutes=minutes),
        case_id=case,
        kind=kind,
        **kw,  # type: ignore[arg-type]
    )


def full_life() -> list[CaseEvent]:
    return [
        ev(1, 0, E.RAISE, urgency=CaseUrgency.TOUGH_PROBLEM),
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
    assert case.urgency is CaseUrgency.TOUGH_PROBLEM
    assert case.pending_departments == ()
    minutes = [0, 30, 60, 90, 120, 600, 700]
    at = [T + timedelta(minutes=m) for m in minutes]
    assert (case.raised_at, case.accepted_at, case.handled_at, case.closed_at) == (
        at[0],
        at[1],
        at[5],
        at[6],
    )
    assert case.dispatched == (("fire", at[2]), ("housing", at[2]))
    assert case.checked_in == (("fire", at[4]), ("housing", at[3]))
    assert (case.reopened_at, case.reopen_count) == (None, 0)
    assert case.event_ids == tuple(f"e{n}" for n in range(1, 8))
    assert case.last_event_at == at[6]
    assert out.total == 7
    assert not out.rejected


def test_an_event_for_another_case_is_refused_by_its_code() -> None:
    case = replay_cases([ev(1, 0, E.RAISE)]).records["C1"]
    with pytest.raises(InvalidInput) as info:
        apply_case_event(case, ev(2, 10, E.ACCEPT, case="C2"))
    assert (info.value.code, info.value.field, info.value.value) == ("wrong_case", "case_id", "C2")


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


def _case_in(state: CaseState | None) -> WhistleCase | None:
    if state is NEW:
        return None
    dispatched = (("fire", T),) if state is CaseState.DISPATCHED else ()
    return WhistleCase(
        "C1", "G1", CaseTopic.HAZARD, CaseUrgency.DAILY, T, state, dispatched=dispatched
    )


def _event_for(kind: CaseEventKind) -> CaseEvent:
    extra: dict[str, object] = {}
    if kind is E.DISPATCH:
        extra["departments"] = ("police",)
    if kind is E.CHECK_IN:
        extra["department"] = "fire"
    return ev(99, 60, kind, **extra)


@pytest.mark.parametrize("state", [NEW, *CaseState])
@pytest.mark.parametrize("kind", SENT)
def test_every_pair_follows_the_table(state: CaseState | None, kind: CaseEventKind) -> None:
    case = _case_in(state)
    event = _event_for(kind)
    key = E.CHECK_IN_LAST if kind is E.CHECK_IN and state is CaseState.DISPATCHED else kind
    assert case_event_kind(case, event) is key
    if WHISTLE_CASE_MACHINE.is_legal(state, key):
        assert apply_case_event(case, event).state is WHISTLE_CASE_MACHINE.next(state, key)
    else:
        with pytest.raises(IllegalTransition) as info:
            apply_case_event(case, event)
        assert info.value.state == ("new" if state is NEW else state.value)


def test_the_table_has_the_entry_edge_and_every_kind() -> None:
    assert WHISTLE_CASE_MACHINE.entry_kinds == {E.RAISE}
    assert WHISTLE_CASE_MACHINE.next(NEW, E.RAISE) is CaseState.RAISED
    assert WHISTLE_CASE_MACHINE.kinds == set(CaseEventKind)
    assert WHISTLE_CASE_MACHINE.states == set(CaseState)


def test_the_docs_draw_the_table_from_the_machine() -> None:
    from pathlib import Path

    kinds = list(CaseEventKind)
    lines = ["| state \\ kind | " + " | ".join(f"`{k.value}`" for k in kinds) + " |"]
    lines.append("|---|" + "---|" * len(kinds))
    rows: list[tuple[CaseState | None, str]] = [(NEW, "*new*")]
    rows += [(state, f"`{state.value}`") for state in CaseState]
    for state, name in rows:
        cells = [
            WHISTLE_CASE_MACHINE.next(state, k).value
            if WHISTLE_CASE_MACHINE.is_legal(state, k)
            else "·"
            for k in kinds
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    docs = Path(__file__).resolve().parent.parent / "docs" / "visits.md"
    text = docs.read_text(encoding="utf-8")
    drawn = text.split("<!-- whistle-case-table -->\n")[1].split("<!-- /whistle-case-table -->")[0]
    assert drawn.strip() == "\n".join(lines)


def test_check_in_last_is_the_tables_kind_not_an_events() -> None:
    with pytest.raises(InvalidInput) as info:
        CaseEvent(id="e", at=T, case_id="C", kind=E.CHECK_IN_LAST, department="fire")
    assert (info.value.code, info.value.field) == ("table_only_kind", "kind")


def test_overdue_check_ins_and_cases() -> None:
    d = CaseDeadlines(
        daily=UrgencyDeadlines(timedelta(hours=1), timedelta(hours=2), timedelta(hours=10)),
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


def test_default_deadlines_by_urgency() -> None:
    assert DEFAULT_CASE_DEADLINES.for_urgency(CaseUrgency.DAILY).close == timedelta(days=7)
    assert DEFAULT_CASE_DEADLINES.for_urgency(CaseUrgency.TOUGH_PROBLEM).close == timedelta(days=15)
    with pytest.raises(InvalidInput) as info:
        DEFAULT_CASE_DEADLINES.for_urgency("daily")  # type: ignore[arg-type]
    assert (info.value.code, info.value.field, info.value.value) == ("bad_enum", "urgency", "daily")
    with pytest.raises(InvalidInput):
        UrgencyDeadlines(timedelta(0), timedelta(hours=1), timedelta(hours=1))


@pytest.mark.parametrize(
    ("kind", "extra", "field", "code"),
    [
        (E.RAISE, {"topic": CaseTopic.HAZARD, "urgency": CaseUrgency.DAILY}, "grid", "missing"),
        (E.RAISE, {"grid": "G", "urgency": CaseUrgency.DAILY}, "topic", "missing"),
        (E.RAISE, {"grid": "G", "topic": CaseTopic.HAZARD}, "urgency", "missing"),
        (E.DISPATCH, {}, "departments", "bad_departments"),
        (E.DISPATCH, {"departments": ("a", "a")}, "departments", "bad_departments"),
        (E.CHECK_IN, {}, "department", "missing"),
        (E.REJECT, {}, "note", "missing"),
    ],
)
def test_bad_events(kind: CaseEventKind, extra: dict[str, object], field: str, code: str) -> None:
    with pytest.raises(InvalidInput) as info:
        CaseEvent(id="e", at=T, case_id="C", kind=kind, **extra)  # type: ignore[arg-type]
    assert (info.value.field, info.value.code) == (field, code)


def test_note_is_masked() -> None:
    assert "刘晓娟" not in repr(ev(1, 0, E.RAISE, note="刘晓娟反映楼道堆物"))


@settings(max_examples=30)
@given(whistle_case_events(), st.randoms(use_true_random=False))
def test_replay_is_one_fold_of_the_whole_log_in_order(
    events: list[CaseEvent], rnd: st.SearchStrategy[object]
) -> None:
    """The grouped replay (per case) agrees with the plain fold of the sorted log."""
    shuffled = list(events)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    out = replay_cases(shuffled)
    cases: dict[str, WhistleCase] = {}
    applied: list[CaseEvent] = []
    rejected: list[CaseEvent] = []
    for event in sorted(events, key=replay_order):
        try:
            cases[event.case_id] = apply_case_event(cases.get(event.case_id), event)
        except GridcareError:
            rejected.append(event)
        else:
            applied.append(event)
    assert out.records == cases
    assert sorted(out.applied, key=replay_order) == applied
    assert sorted((r.event for r in out.rejected), key=replay_order) == rejected
    per_case = group_by_subject(applied, lambda e: e.case_id)
    first = group_by_subject(events, lambda e: e.case_id)
    order = [case for case in first if case in per_case]
    assert list(out.applied) == [e for case in order for e in per_case[case]]


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
        assert isinstance(case.state, CaseState)
        assert case.state is not NEW


# --------------------------------------------------------------------------- resuming from records


@settings(max_examples=40)
@given(whistle_case_events(), st.data())
def test_resuming_from_records_gives_one_replay_of_the_whole_log(
    events: list[CaseEvent], data: st.DataObject
) -> None:
    ordered = sorted(events, key=replay_order)
    cut = data.draw(st.integers(0, len(ordered)))
    head, tail = ordered[:cut], ordered[cut:]
    again = data.draw(st.lists(st.sampled_from(head), max_size=6)) if head else []
    later = data.draw(st.permutations(tail + again))
    whole = replay_cases(events)
    first = replay_cases(head)
    resumed = replay_cases(later, records=first.records)
    assert resumed.records == whole.records
    assert replay_cases(later, records=stored(first.records)).records == whole.records
    assert resumed.total == len(later)
    applied_again = {e.id for e in first.applied} & {e.id for e in again}
    assert {e.id for e in resumed.duplicates} >= applied_again
    for case_id, case in whole.records.items():
        mine = [e for e in whole.applied if e.case_id == case_id]
        assert case.event_ids == tuple(e.id for e in mine)
        assert case.last_event_at == mine[-1].at
    assert replay_cases(events + again).records == whole.records


@settings(max_examples=30)
@given(whistle_case_events(), st.data())
def test_conflicting_ids_give_the_same_outcome_in_any_order(
    events: list[CaseEvent], data: st.DataObject
) -> None:
    reused = data.draw(st.lists(st.sampled_from(events), max_size=3)) if events else []
    clashing = [attrs.evolve(e, at=e.at + timedelta(minutes=1)) for e in reused]
    full = events + clashing
    shuffled = data.draw(st.permutations(full))

    def view(out: Any) -> tuple[Any, ...]:
        return (
            out.records,
            out.applied,
            out.duplicates,
            [(r.event, getattr(r.error, "code", type(r.error).__name__)) for r in out.rejected],
        )

    a = replay_cases(full)
    assert view(a) == view(replay_cases(shuffled))
    assert not {e.id for e in clashing} & {e.id for e in (*a.applied, *a.duplicates)}
    codes = [getattr(r.error, "code", "") for r in a.rejected]
    assert codes.count("conflicting_id") == 2 * len({e.id for e in clashing}) + (
        len(reused) - len({e.id for e in reused})
    )


def test_resume_rules_for_cases() -> None:
    log = full_life()
    stored = replay_cases(log[:4]).records
    assert stored["C1"].event_ids == ("e1", "e2", "e3", "e4")
    assert stored["C1"].last_event_at == log[3].at
    out = replay_cases(log, records=stored)
    assert [e.id for e in out.duplicates] == ["e1", "e2", "e3", "e4"]
    assert out.records == replay_cases(log).records
    early = ev(9, 70, E.CHECK_IN, department="fire")  # before e4 (90 minutes)
    out = replay_cases([early], records=stored)
    assert [r.error.code for r in out.rejected] == ["out_of_order"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("records", "code"),
    [
        ("C1", "wrong_type"),
        ({"C1": "x"}, "wrong_type"),
        ({"C2": WhistleCase("C1", "G1", CaseTopic.HAZARD, CaseUrgency.DAILY, T)}, "wrong_key"),
    ],
)
def test_wrong_records_are_invalid_input(records: object, code: str) -> None:
    with pytest.raises(InvalidInput) as info:
        replay_cases([], records=records)  # type: ignore[arg-type]
    assert info.value.code == code
    with pytest.raises(InvalidInput):
        replay_cases(None)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- the overdue lists


def _deadlines(hours: list[int]) -> CaseDeadlines:
    """Deadlines of a few hours, so that a drawn log of a few days misses some."""
    h = [timedelta(hours=n) for n in hours]
    return CaseDeadlines(
        daily=UrgencyDeadlines(h[0], h[1], h[0] + h[2]),
        tough_problem=UrgencyDeadlines(h[3], h[4], h[3] + h[5]),
        emergency=UrgencyDeadlines(h[6], h[7], h[6] + h[8]),
    )


@settings(max_examples=60)
@given(
    whistle_case_events(case_ids=("C1", "C2", "C3", "C4")),
    st.lists(st.integers(1, 72), min_size=9, max_size=9),
    st.integers(0, 20 * 24 * 60),
    st.randoms(use_true_random=False),
)
def test_the_overdue_lists_name_every_missed_deadline_once_in_order(
    events: list[CaseEvent], hours: list[int], minutes: int, rnd: Any
) -> None:
    """Each list holds exactly the deadlines passed by ``as_of`` of the open cases, sorted by
    deadline then id, whatever the order of the cases; a later ``as_of`` only adds to it."""
    deadlines = _deadlines(hours)
    cases = list(replay_cases(events).records.values())
    rnd.shuffle(cases)
    as_of = datetime(2022, 3, 1, tzinfo=timezone(timedelta(hours=8))) + timedelta(minutes=minutes)
    check_ins = overdue_check_ins(cases, as_of, deadlines)
    late = overdue_cases(cases, as_of, deadlines)

    expected_check_ins = set()
    expected_cases = set()
    for case in cases:
        if not case.state.open:
            continue
        limits = deadlines.for_urgency(case.urgency)
        sent = dict(case.dispatched)
        for department in case.pending_departments:
            if sent[department] + limits.check_in <= as_of:
                expected_check_ins.add((case.id, department, sent[department] + limits.check_in))
        accept_by = case.raised_at + limits.accept
        close_by = (case.reopened_at or case.raised_at) + limits.close
        if case.state is CaseState.RAISED and accept_by <= as_of:
            expected_cases.add((case.id, "accept", accept_by))
        elif close_by <= as_of:
            expected_cases.add((case.id, "close", close_by))
    assert [(o.case_id, o.department, o.due) for o in check_ins] == sorted(
        expected_check_ins, key=lambda t: (t[2], t[0], t[1])
    )
    assert [(o.case_id, o.stage, o.due) for o in late] == sorted(
        expected_cases, key=lambda t: (t[2], t[0])
    )
    later = as_of + timedelta(hours=rnd.randint(0, 72))
    assert set(check_ins) <= set(overdue_check_ins(cases, later, deadlines))
    assert {o.case_id for o in late} <= {o.case_id for o in overdue_cases(cases, later, deadlines)}


def test_a_deadline_is_missed_at_its_instant_not_before() -> None:
    d = _deadlines([1, 2, 3, 1, 2, 3, 1, 2, 3])
    cases = list(replay_cases([ev(1, 0, E.RAISE)]).records.values())
    accept_by = T + timedelta(hours=1)
    assert overdue_cases(cases, accept_by - timedelta(microseconds=1), d) == []
    assert [o.due for o in overdue_cases(cases, accept_by, d)] == [accept_by]


def test_a_case_may_close_when_it_is_accepted_but_not_before() -> None:
    hour = timedelta(hours=1)
    assert UrgencyDeadlines(hour, hour, hour).close == hour
    with pytest.raises(InvalidInput) as info:
        UrgencyDeadlines(2 * hour, hour, hour)
    assert (info.value.code, info.value.field) == ("close_before_accept", "close")


def test_deadlines_at_one_instant_are_listed_by_case_then_department() -> None:
    log = []
    for n, case in enumerate(("C3", "C1", "C2")):
        log += [
            ev(10 * n + 1, 0, E.RAISE, case=case),
            ev(10 * n + 2, 10, E.ACCEPT, case=case),
            ev(10 * n + 3, 20, E.DISPATCH, case=case, departments=("water", "fire")),
        ]
    log.append(ev(99, 0, E.RAISE, case="C0"))
    cases = list(replay_cases(log).records.values())
    as_of = T + timedelta(days=30)
    for order in (cases, cases[::-1]):
        check_ins = overdue_check_ins(order, as_of)
        assert [(o.case_id, o.department) for o in check_ins] == [
            (c, d) for c in ("C1", "C2", "C3") for d in ("fire", "water")
        ]
        late = overdue_cases(order, as_of)
        assert [(o.case_id, o.stage) for o in late] == [
            ("C0", "accept"),
            ("C1", "close"),
            ("C2", "close"),
            ("C3", "close"),
        ]


# --------------------------------------------------------------------------- the report's counts


@settings(max_examples=60, deadline=None)
@given(
    whistle_case_events(case_ids=("C1", "C2", "C3", "C4", "C5")),
    st.data(),
    st.sampled_from([timedelta(0), timedelta(microseconds=-1), timedelta(microseconds=1)]),
)
def test_case_counts_count_each_case_raised_open_and_overdue_once(
    events: list[CaseEvent], data: st.DataObject, edge: timedelta
) -> None:
    """Raised on the report day of its raising, open and overdue as levels on the cutoff's
    report day, each case once at its grid, whatever the clock."""
    cases = list(replay_cases(events).records.values())
    instants = [e.at for e in events] or [T]
    cutoff = data.draw(st.sampled_from(instants)) + edge
    clock = data.draw(st.sampled_from([ReportClock(), ReportClock(cutoff=time(20, 0))]))
    deadlines = _deadlines(data.draw(st.lists(st.integers(1, 72), min_size=9, max_size=9)))
    got = Counter(dict(tally(case_counts(cases, cutoff=cutoff, deadlines=deadlines, clock=clock))))
    level_day = clock.report_day(cutoff - timedelta(microseconds=1))
    raised = [case for case in cases if case.raised_at < cutoff]
    want: Counter[tuple[str, str, date]] = Counter()
    for case in raised:
        want[(case.grid, "cases_raised", clock.report_day(case.raised_at))] += 1
        if case.open_at(cutoff):
            want[(case.grid, "cases_open", level_day)] += 1
    for late in overdue_cases(raised, cutoff, deadlines):
        grid = next(case.grid for case in raised if case.id == late.case_id)
        want[(grid, "cases_overdue", level_day)] += 1
    assert got == want
    open_ids = {case.id for case in raised if case.open_at(cutoff)}
    assert {late.case_id for late in overdue_cases(raised, cutoff, deadlines)} <= open_ids


def test_a_case_is_open_until_it_is_closed_or_rejected() -> None:
    closed = replay_cases(full_life()).records["C1"]
    assert closed.closed_at is not None
    assert closed.open_at(closed.closed_at)  # closed at the cutoff: the next report's
    assert not closed.open_at(closed.closed_at + timedelta(microseconds=1))
    assert not closed.open_at(closed.raised_at)  # not raised yet before its instant
    assert closed.open_at(closed.raised_at + timedelta(microseconds=1))
    rejected = replay_cases([ev(1, 0, E.RAISE), ev(2, 30, E.REJECT)]).records["C1"]
    assert rejected.state is CaseState.REJECTED
    assert not rejected.state.open
    assert rejected.open_at(T + timedelta(minutes=30))
    assert not rejected.open_at(T + timedelta(minutes=31))
    cutoff = T + timedelta(days=1)
    counts = {(c.metric, c.n) for c in case_counts([rejected, closed], cutoff=cutoff)}
    assert ("cases_open", 1) not in counts  # a rejected case is not open
    assert ("cases_raised", 2) in counts
    with pytest.raises(InvalidInput):
        closed.open_at(datetime(2022, 3, 25))  # naive
