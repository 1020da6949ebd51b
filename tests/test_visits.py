"""Door-knocking campaigns: the household visit machine, replay, progress, mop-up, workload."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.helpers import stored

from gridcare.errors import IllegalTransition, InvalidInput, UnknownNode
from gridcare.hierarchy import Hierarchy, Node, NodeKind
from gridcare.machine import NEW, Replay, replay
from gridcare.testing._visit_strategies import attempt_logs, campaigns, visit_attempts
from gridcare.timeutil import DEFAULT_ZONE
from gridcare.visits import (
    HOUSEHOLD_VISIT_MACHINE,
    Campaign,
    HouseholdVisit,
    HouseholdVisitState,
    VisitAttempt,
    VisitChannel,
    VisitEventKind,
    VisitOutcome,
    VisitReplay,
    apply_visit_event,
    attempt_kind,
    reaches_attempt_limit,
    replay_household,
    replay_visits,
    revisit_due,
    visit_event_kind,
)
from gridcare.visits.campaign import target_coverage_fraction
from gridcare.visits.progress import ActorKind, NodeProgress, mop_up, progress, workload

S = HouseholdVisitState
T0 = datetime(2022, 3, 20, 7, 0, tzinfo=DEFAULT_ZONE)
HOUSES = ("H1", "H2", "H3", "H4", "H5", "H6")


def small_city() -> Hierarchy:
    """D > (S1 > M1 > G1 [B1 > H1 H2, H3], G2 [H4]), (M2 > G3 [H5 H6]); E empty grid."""
    return Hierarchy(
        [
            Node("D", NodeKind.DISTRICT, "天元区"),
            Node("S1", NodeKind.STREET, "嵩山街道", "D"),
            Node("M1", NodeKind.COMMUNITY, "大塘社区", "S1"),
            Node("G1", NodeKind.GRID, "第1网格", "M1"),
            Node("B1", NodeKind.BUILDING, "3栋", "G1"),
            Node("H1", NodeKind.HOUSEHOLD, "301", "B1"),
            Node("H2", NodeKind.HOUSEHOLD, "302", "B1"),
            Node("H3", NodeKind.HOUSEHOLD, "平房1号", "G1"),
            Node("G2", NodeKind.GRID, "第2网格", "M1"),
            Node("H4", NodeKind.HOUSEHOLD, "101", "G2"),
            Node("M2", NodeKind.COMMUNITY, "栗雨社区", "D"),
            Node("G3", NodeKind.GRID, "第3网格", "M2"),
            Node("H5", NodeKind.HOUSEHOLD, "1号", "G3"),
            Node("H6", NodeKind.HOUSEHOLD, "2号", "G3"),
            Node("E", NodeKind.GRID, "空网格", "M2"),
        ]
    )


CITY = small_city()


def campaign(**changes: object) -> Campaign:
    base: dict[str, object] = {
        "id": "K1",
        "scope": "D",
        "round": 1,
        "start": T0,
        "end": T0 + timedelta(days=8),
        "target_coverage": Fraction(9, 10),
        "revisit_interval": timedelta(hours=4),
        "attempt_limit": 3,
    }
    base.update(changes)
    return Campaign(**base)  # type: ignore[arg-type]


def attempt(
    aid: str,
    household: str,
    minutes: int,
    outcome: VisitOutcome,
    channel: VisitChannel = VisitChannel.DOOR,
    **extra: object,
) -> VisitAttempt:
    if outcome is VisitOutcome.REFUSED:
        extra.setdefault("reason", "拒绝开门")
    if outcome is VisitOutcome.APPOINTMENT:
        extra.setdefault("appointment_for", T0 + timedelta(minutes=minutes + 600))
    return VisitAttempt(
        id=aid,
        campaign_id="K1",
        household=household,
        at=T0 + timedelta(minutes=minutes),
        outcome=outcome,
        channel=channel,
        team="T1",
        **extra,  # type: ignore[arg-type]
    )


R, N, F, V, A = (
    VisitOutcome.REACHED,
    VisitOutcome.NOBODY_HOME,
    VisitOutcome.REFUSED,
    VisitOutcome.VACANT,
    VisitOutcome.APPOINTMENT,
)


# --------------------------------------------------------------------------- the table


def test_scan_after_nobody_home_reaches_remotely() -> None:
    log = [attempt("a1", "H1", 0, N), attempt("a2", "H1", 30, R, VisitChannel.DOOR_CODE_SCAN)]
    out = replay_visits(log, campaign())
    assert out.records["H1"].state is S.REACHED_REMOTELY
    assert out.records["H1"].reached_at == T0 + timedelta(minutes=30)


def test_scan_without_a_sticker_is_illegal() -> None:
    with pytest.raises(IllegalTransition) as info:
        apply_visit_event(None, attempt("a1", "H1", 0, R, VisitChannel.DOOR_CODE_SCAN), campaign())
    assert info.value.state == "new"  # the table's NEW: a household with no record
    assert info.value.event == "scan_door_code"


def test_attempt_limit_escalates_without_contact() -> None:
    log = [attempt(f"a{i}", "H1", i * 300, N) for i in range(3)]
    out = replay_visits(log, campaign(attempt_limit=3))
    assert out.records["H1"].state is S.ESCALATED
    assert out.records["H1"].attempts == 3
    # A later door-code scan still reaches the household.
    more = [*log, attempt("a9", "H1", 2000, R, VisitChannel.DOOR_CODE_SCAN)]
    assert replay_visits(more, campaign()).records["H1"].state is S.REACHED_REMOTELY


def test_revisit_due_is_derived_at_the_interval_boundary() -> None:
    c = campaign(revisit_interval=timedelta(hours=4))
    rec = apply_visit_event(None, attempt("a1", "H1", 0, N), c)
    assert rec.state is S.NOBODY_HOME
    just_before = T0 + timedelta(hours=4) - timedelta(microseconds=1)
    assert rec.state_as_of(c, just_before) is S.NOBODY_HOME
    assert rec.state_as_of(c, T0 + timedelta(hours=4)) is S.REVISIT_DUE


def test_appointment_becomes_due_at_its_time() -> None:
    c = campaign()
    rec = apply_visit_event(
        None, attempt("a1", "H1", 0, A, appointment_for=T0 + timedelta(hours=2)), c
    )
    assert rec.state_as_of(c, T0 + timedelta(hours=1)) is S.APPOINTMENT
    assert rec.state_as_of(c, T0 + timedelta(hours=2)) is S.REVISIT_DUE


def test_vacant_is_not_not_visited() -> None:
    out = replay_visits([attempt("a1", "H1", 0, V)], campaign())
    report = progress(CITY, campaign(), out, T0 + timedelta(days=1))
    b1 = report.node("B1")
    assert (b1.households, b1.knocked, b1.vacant, b1.not_started) == (2, 1, 1, 1)
    assert str(b1.occupied_reach_rate) == "0.00%"  # 0 of 1 occupied, the vacant one is not counted
    assert report.node("H1").vacant == 1
    assert report.node("H2").not_started == 1


def test_reached_is_final_for_absence() -> None:
    rec = apply_visit_event(None, attempt("a1", "H1", 0, R), campaign())
    with pytest.raises(IllegalTransition):
        apply_visit_event(rec, attempt("a2", "H1", 10, N), campaign())


def _record_in(state: HouseholdVisitState, c: Campaign, attempts: int) -> HouseholdVisit | None:
    if state is S.NOT_STARTED:
        return None
    stored = S.NOBODY_HOME if state is S.REVISIT_DUE else state
    last = c.start if state is S.REVISIT_DUE else c.start + timedelta(hours=23)
    appointment = c.start + timedelta(days=5) if state is S.APPOINTMENT else None
    return HouseholdVisit(
        "H1",
        c.id,
        stored,
        attempts,
        c.start,
        last,
        appointment_for=appointment,
    )


def _attempt_for(event: VisitEventKind, at: datetime) -> VisitAttempt:
    outcome, channel = {
        VisitEventKind.REACH: (R, VisitChannel.DOOR),
        VisitEventKind.REACH_REMOTELY: (R, VisitChannel.PHONE),
        VisitEventKind.SCAN_DOOR_CODE: (R, VisitChannel.DOOR_CODE_SCAN),
        VisitEventKind.NOBODY_HOME: (N, VisitChannel.DOOR),
        VisitEventKind.NOBODY_HOME_AT_LIMIT: (N, VisitChannel.DOOR),
        VisitEventKind.REFUSE: (F, VisitChannel.DOOR),
        VisitEventKind.FIND_VACANT: (V, VisitChannel.DOOR),
        VisitEventKind.MAKE_APPOINTMENT: (A, VisitChannel.DOOR),
    }[event]
    minutes = int((at - T0).total_seconds() // 60)
    return attempt("x", "H1", minutes, outcome, channel)


@pytest.mark.parametrize("state", list(HouseholdVisitState))
@pytest.mark.parametrize("event", list(VisitEventKind))
def test_every_pair_follows_the_table(state: HouseholdVisitState, event: VisitEventKind) -> None:
    at_limit = event is VisitEventKind.NOBODY_HOME_AT_LIMIT
    c = campaign(attempt_limit=1 if at_limit and state is S.NOT_STARTED else 5)
    before = 0 if state is S.NOT_STARTED else (4 if at_limit else 1)
    record = _record_in(state, c, before)
    a = _attempt_for(event, c.start + timedelta(days=1))
    assert visit_event_kind(a, before, c) is event
    if record is not None:
        assert record.state_as_of(c, a.at) is state
    # A household with no record is NOT_STARTED to the reader, NEW to the table.
    source = NEW if state is S.NOT_STARTED else state
    shown = "new" if state is S.NOT_STARTED else state.value
    if HOUSEHOLD_VISIT_MACHINE.is_legal(source, event):
        after = apply_visit_event(record, a, c)
        assert after.state is HOUSEHOLD_VISIT_MACHINE.next(source, event)
    else:
        with pytest.raises(IllegalTransition) as info:
            apply_visit_event(record, a, c)
        assert (info.value.state, info.value.event) == (shown, event.value)


def test_machine_states_cover_the_enum() -> None:
    # Every state but NOT_STARTED (the record-less state, NEW in the table) is in the table.
    assert HOUSEHOLD_VISIT_MACHINE.states == frozenset(HouseholdVisitState) - {S.NOT_STARTED}
    assert HOUSEHOLD_VISIT_MACHINE.kinds == frozenset(VisitEventKind)


def test_the_first_attempt_is_the_entry_edge() -> None:
    # Any first attempt but a door-code scan: the code is only left by a "nobody home" visit.
    assert HOUSEHOLD_VISIT_MACHINE.entry_kinds == frozenset(VisitEventKind) - {
        VisitEventKind.SCAN_DOOR_CODE
    }
    first = apply_visit_event(None, attempt("a1", "H1", 0, N), campaign())
    assert first.state is HOUSEHOLD_VISIT_MACHINE.next(NEW, VisitEventKind.NOBODY_HOME)
    assert (first.attempts, first.first_attempt_at, first.last_attempt_id) == (1, T0, "a1")


def test_the_attempt_limit_guard() -> None:
    c = campaign(attempt_limit=3)
    assert [reaches_attempt_limit(n, c) for n in range(4)] == [False, False, True, True]
    a = attempt("a1", "H1", 0, N)
    assert a.kind is VisitEventKind.NOBODY_HOME  # the attempt's own kind, before the guard
    assert visit_event_kind(a, 2, c) is VisitEventKind.NOBODY_HOME_AT_LIMIT
    assert visit_event_kind(attempt("a2", "H1", 0, R), 2, c) is VisitEventKind.REACH


@pytest.mark.parametrize("outcome", list(VisitOutcome))
@pytest.mark.parametrize("channel", list(VisitChannel))
def test_every_attempt_has_its_kind(outcome: VisitOutcome, channel: VisitChannel) -> None:
    kind = attempt_kind(outcome, channel)
    assert kind in HOUSEHOLD_VISIT_MACHINE.kinds
    assert kind is not VisitEventKind.NOBODY_HOME_AT_LIMIT  # only the guard gives it
    if outcome is R:
        assert kind.value == (
            "scan_door_code"
            if channel is VisitChannel.DOOR_CODE_SCAN
            else "reach_remotely"
            if channel.remote
            else "reach"
        )


# --------------------------------------------------------------------------- replay rules


def test_outside_window_wrong_campaign_and_scope_are_rejected_not_dropped() -> None:
    c = campaign()
    late = attempt("late", "H1", 8 * 24 * 60, R)  # exactly at the end: outside
    other = VisitAttempt(
        id="o", campaign_id="K2", household="H2", at=T0, outcome=R, team="T1", persons_seen=1
    )
    stranger = attempt("s", "X9", 5, R)
    ok = attempt("ok", "H3", 5, R)
    out = replay_visits([late, other, stranger, ok], c, households=HOUSES)
    codes = sorted(r.error.code for r in out.rejected)  # type: ignore[attr-defined]
    assert codes == ["household_outside_scope", "outside_campaign", "wrong_campaign"]
    assert out.total == 4
    assert len(out.applied) == 1


def test_an_id_naming_two_attempts_is_a_conflict_in_any_order() -> None:
    first = attempt("a1", "H1", 50, R, persons_seen=2)
    other = attempt("a1", "H1", 10, N)
    ok = attempt("a2", "H2", 5, V)
    for log in ([first, other, ok, first], [first, ok, other, first], [other, first, first, ok]):
        out = replay_visits(log, campaign())
        assert list(out.records) == ["H2"]
        assert out.duplicates == ()
        assert [(r.event, r.error.code) for r in out.rejected] == [  # type: ignore[attr-defined]
            (other, "conflicting_id"),
            (first, "conflicting_id"),
            (first, "conflicting_id"),
        ]


@settings(max_examples=20)
@given(campaigns(scope="D"), st.data())
def test_fast_fold_equals_machine_replay(c: Campaign, data: st.DataObject) -> None:
    log = data.draw(attempt_logs(c, HOUSES, max_size=15))
    log = log + data.draw(st.lists(st.sampled_from(log), max_size=5)) if log else log
    fast = replay_visits(log, c)
    slow = replay(log, subject=lambda a: a.household, apply=lambda r, a: apply_visit_event(r, a, c))
    assert dict(fast.records.items()) == slow.records
    assert sorted(a.id for a in fast.applied) == sorted(a.id for a in slow.applied)
    assert len(fast.duplicates) == len(slow.duplicates)
    assert len(fast.rejected) == len(slow.rejected)
    assert fast.total == len(log)


@settings(max_examples=20)
@given(campaigns(scope="D"), st.data())
def test_records_the_replay_builds_unchecked_pass_the_constructor(
    c: Campaign, data: st.DataObject
) -> None:
    # The replay builds its records without the constructor's checks (from checked
    # attempts): each must be one the constructor accepts, and equal to it.
    log = data.draw(attempt_logs(c, HOUSES, max_size=15))
    for record in replay_visits(log, c).records.values():
        fields = {f.name: getattr(record, f.name) for f in attrs.fields(HouseholdVisit)}
        assert HouseholdVisit(**fields) == record


@settings(max_examples=30)
@given(campaigns(scope="D"), st.data())
def test_replay_household_equals_folding_apply_visit_event(
    c: Campaign, data: st.DataObject
) -> None:
    # The fast path builds the record once from the applied attempts; the plain
    # path builds one record per attempt. Same record, same split.
    log = data.draw(attempt_logs(c, ("H1",), max_size=12))
    ordered = sorted({a.id: a for a in log}.values(), key=lambda a: (a.at, a.id))
    fast = replay_household("H1", ordered, c)
    record: HouseholdVisit | None = None
    applied, rejected = [], []
    for a in ordered:
        try:
            record = apply_visit_event(record, a, c)
        except (IllegalTransition, InvalidInput) as exc:
            rejected.append((a.id, str(exc)))
            continue
        applied.append(a.id)
    assert fast.record == record
    assert [a.id for a in fast.applied] == applied
    assert [(r.event.id, r.message) for r in fast.rejected] == rejected


@settings(max_examples=30)
@given(campaigns(scope="D"), st.data())
def test_progress_counts_each_household_in_its_state_as_of(
    c: Campaign, data: st.DataObject
) -> None:
    # The per-grid pass of progress against a plain count, household by household,
    # of the one revisit-due rule.
    log = data.draw(attempt_logs(c, HOUSES, max_size=20))
    as_of = c.start + timedelta(hours=data.draw(st.integers(0, 24 * 11)))
    report = progress(CITY, c, log, as_of)
    folded = replay_visits([a for a in log if a.at < as_of], c, households=HOUSES)
    plain = []
    for house in HOUSES:
        record = folded.records.get(house)
        if record is None:
            plain.append(S.NOT_STARTED)
            continue
        due = revisit_due(record.state, record.last_attempt_at, record.appointment_for, c, as_of)
        assert record.state_as_of(c, as_of) is (S.REVISIT_DUE if due else record.state)
        plain.append(S.REVISIT_DUE if due else record.state)
    assert [report.state_of(h) for h in HOUSES] == plain
    total = report.total
    assert total.revisits_due == plain.count(S.REVISIT_DUE)
    assert total.nobody_home == plain.count(S.NOBODY_HOME)
    assert total.appointments == plain.count(S.APPOINTMENT)
    assert total.not_started == plain.count(S.NOT_STARTED)
    assert total.attempts == sum(r.attempts for r in folded.records.values())
    assert total.person_visits == sum(r.person_visits for r in folded.records.values())


@settings(max_examples=20)
@given(campaigns(scope="D"), st.data())
def test_any_permutation_gives_the_same_states(c: Campaign, data: st.DataObject) -> None:
    log = data.draw(attempt_logs(c, HOUSES, max_size=15))
    shuffled = data.draw(st.permutations(log))
    assert replay_visits(log, c).records == replay_visits(shuffled, c).records


@settings(max_examples=20)
@given(campaigns(scope="D"), st.data())
def test_duplicates_change_nothing(c: Campaign, data: st.DataObject) -> None:
    log = data.draw(attempt_logs(c, HOUSES, max_size=20))
    extra = data.draw(st.lists(st.sampled_from(log), max_size=10)) if log else []
    once = replay_visits(log, c)
    twice = replay_visits(log + extra, c)
    assert once.records == twice.records
    assert len(twice.duplicates) == len(extra)
    assert twice.total == len(log) + len(extra)


def _check_report(c: Campaign, log: list[VisitAttempt], as_of: datetime) -> None:
    report = progress(CITY, c, log, as_of)
    total = report.total
    assert total.households == 6
    for node in CITY:
        if not CITY.is_within(node.id, c.scope):
            continue
        p = report.node(node.id)
        assert p.knocked >= p.reached + p.vacant + p.refused
        assert p.knocked <= p.households
        assert p.reached_remotely <= p.reached
        kids = report.children(node.id)
        if kids:
            assert sum((k for _, k in kids), NodeProgress.empty()) == p
    per_grid = sum((p for _, p in report.nodes(NodeKind.GRID)), NodeProgress.empty())
    assert per_grid == total  # each household counted in exactly one grid
    states = [total.not_started, total.reached - total.reached_remotely, total.reached_remotely,
              total.vacant, total.refused, total.nobody_home, total.revisits_due,
              total.appointments, total.escalated]  # fmt: skip
    assert sum(states) == total.households  # and in exactly one state


@settings(max_examples=20)
@given(campaigns(scope="D"), st.data())
def test_progress_laws(c: Campaign, data: st.DataObject) -> None:
    log = data.draw(attempt_logs(c, HOUSES, max_size=20))
    as_of = c.start + timedelta(hours=data.draw(st.integers(0, 24 * 11)))
    _check_report(c, log, as_of)


@given(
    st.lists(st.integers(0, 10_000), min_size=16, max_size=16),
    st.lists(st.integers(0, 10_000), min_size=16, max_size=16),
)
def test_node_progress_adds_every_count(a: list[int], b: list[int]) -> None:
    total = NodeProgress(*a) + NodeProgress(*b)
    assert total.as_tuple() == tuple(x + y for x, y in zip(a, b, strict=True))
    assert NodeProgress(*a) + NodeProgress.empty() == NodeProgress(*a)


def test_progress_counts_only_before_as_of_and_sums() -> None:
    c = campaign()
    log = [
        attempt("a1", "H1", 0, R, persons_seen=3),
        attempt("a2", "H2", 10, N),
        attempt("a3", "H3", 20, F, persons_seen=1),
        attempt("a4", "H4", 30, V),
        attempt("a5", "H5", 40, R, VisitChannel.WECHAT_GROUP, persons_seen=2),
        attempt("a6", "H6", 24 * 60, R, persons_seen=4),  # the next day
    ]
    report = progress(CITY, c, log, T0 + timedelta(hours=5))
    t = report.total
    assert (t.households, t.knocked, t.reached, t.reached_remotely) == (6, 5, 2, 1)
    assert (t.vacant, t.refused, t.revisits_due, t.person_visits) == (1, 1, 1, 6)
    assert str(t.knock_rate) == "83.33%"
    assert str(t.occupied_reach_rate) == "40.00%"
    assert report.node("E") == NodeProgress.empty()
    assert report.node("G1") + report.node("G2") == report.node("M1")
    rows = report.rows(NodeKind.GRID)
    assert [r["id"] for r in rows] == ["G1", "G2", "G3", "E"]
    assert rows[-1]["occupied_reach_rate"] == "—"
    behind = report.behind(NodeKind.GRID, 2)
    assert [r["id"] for r in behind] == ["G1", "G3"]  # G2 has no occupied household


def test_progress_outside_scope_and_unknown_nodes() -> None:
    c = campaign(scope="M2")
    report = progress(CITY, c, [], T0)
    with pytest.raises(InvalidInput) as info:
        report.node("G1")
    assert info.value.code == "outside_campaign_scope"
    with pytest.raises(UnknownNode):
        report.node("nope")
    assert report.total.households == 2


def test_progress_accepts_states_and_records() -> None:
    c = campaign()
    log = [attempt("a1", "H1", 0, R, persons_seen=1), attempt("a2", "H5", 0, N)]
    folded = replay_visits(log, c)
    as_of = T0 + timedelta(days=1)
    by_log = progress(CITY, c, log, as_of).total
    assert progress(CITY, c, folded, as_of).total == by_log
    assert progress(CITY, c, folded.records, as_of).total == by_log
    records = {k: folded.records[k] for k in folded.records}
    assert progress(CITY, c, records, as_of).total == by_log


def test_progress_callback_is_bounded() -> None:
    calls: list[tuple[int, int]] = []
    log = [attempt(f"a{i}", HOUSES[i % 6], i, R, persons_seen=1) for i in range(60)]
    progress(
        CITY, campaign(), log, T0 + timedelta(days=2), progress=lambda d, t: calls.append((d, t))
    )
    assert 0 < len(calls) <= 50
    assert calls[-1][0] == calls[-1][1]


def test_mop_up_lists_what_is_missing_most_urgent_first() -> None:
    c = campaign(target_coverage=1)
    log = [
        attempt("a1", "H1", 0, R, persons_seen=1),
        attempt("a2", "H2", 0, N),
        attempt("a3", "H3", 0, V),
        attempt("a4", "H5", 0, F),
    ]
    report = progress(CITY, c, log, T0 + timedelta(hours=5))
    m = mop_up(report)
    assert m.needed == 4  # occupied 5, reached 1
    assert [(i.household, i.state) for i in m.households] == [
        ("H4", S.NOT_STARTED),
        ("H6", S.NOT_STARTED),
        ("H2", S.REVISIT_DUE),
        ("H5", S.REFUSED),
    ]
    assert m.households[0].grid == "G2"
    assert mop_up(report, "B1").needed == 1
    done = progress(CITY, c, [attempt("z", "H4", 0, R, persons_seen=1)], T0 + timedelta(hours=1))
    assert mop_up(done, "G2").done


def test_mop_up_is_empty_when_target_met() -> None:
    c = campaign(target_coverage=Fraction(1, 2))
    log = [attempt(f"a{i}", h, 0, R, persons_seen=1) for i, h in enumerate(("H1", "H2", "H3"))]
    m = mop_up(progress(CITY, c, log, T0 + timedelta(hours=1)), "G1")
    assert m.done
    assert m.households == ()


def test_findings_are_counted() -> None:
    from gridcare.visits.findings import (
        Findings,
        Hazard,
        HazardKind,
        Service,
        ServiceKind,
        Severity,
    )

    f = Findings(
        hazards=(Hazard(HazardKind.GAS, Severity.HIGH),),
        services=(Service(ServiceKind.SUPPLIES_DELIVERED, 2),),
    )
    log = [attempt("a1", "H1", 0, R, persons_seen=1, findings=f)]
    t = progress(CITY, campaign(), log, T0 + timedelta(hours=1)).total
    assert (t.hazards, t.services, t.arrivals_found, t.disputes) == (1, 2, 0, 0)


# --------------------------------------------------------------------------- workload


def test_workload_uses_local_days() -> None:
    late = datetime(2022, 3, 20, 23, 59, tzinfo=DEFAULT_ZONE)
    log = [
        VisitAttempt(id="a", campaign_id="K1", household="H1", at=late, outcome=R,
                     worker="W1", team="T1", persons_seen=2),
        VisitAttempt(id="b", campaign_id="K1", household="H2", at=late + timedelta(minutes=1),
                     outcome=N, worker="W1", team="T1"),
        VisitAttempt(id="c", campaign_id="K1", household="H3", at=late, outcome=N, team="T2"),
    ]  # fmt: skip
    rows = workload(log)
    assert [(r.actor, r.day, r.attempts, r.reached, r.person_visits) for r in rows] == [
        ("W1", date(2022, 3, 20), 1, 1, 2),
        ("W1", date(2022, 3, 21), 1, 0, 0),
    ]
    teams = workload(log, by=ActorKind.TEAM)
    assert [(r.actor, r.attempts) for r in teams] == [("T1", 1), ("T1", 1), ("T2", 1)]
    utc = workload(log, by=ActorKind.TEAM, zone_name="UTC")
    assert {r.day for r in utc} == {date(2022, 3, 20)}


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"at": datetime(2022, 3, 20, 9)}, "naive_datetime"),
        ({"worker": None, "team": None}, "missing"),
        ({"outcome": N, "persons_seen": 2}, "persons_when_absent"),
        ({"outcome": F, "reason": ""}, "missing"),
        ({"outcome": A}, "missing"),
        ({"outcome": A, "appointment_for": T0}, "appointment_in_past"),
        ({"appointment_for": T0 + timedelta(hours=1)}, "unexpected_appointment"),
        ({"resident_ids": ("R1", "R2"), "persons_seen": 1}, "bad_persons_seen"),
        ({"outcome": "reached"}, "bad_enum"),
        ({"id": ""}, "missing"),
    ],
)
def test_bad_attempts_raise_invalid_input(changes: dict[str, object], code: str) -> None:
    base: dict[str, object] = {
        "id": "a", "campaign_id": "K1", "household": "H1", "at": T0, "outcome": R, "team": "T1",
    }  # fmt: skip
    base.update(changes)
    with pytest.raises(InvalidInput) as info:
        VisitAttempt(**base)  # type: ignore[arg-type]
    assert info.value.code == code


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"end": T0}, "empty_window"),
        ({"target_coverage": 0}, "bad_target"),
        ({"target_coverage": "1.5"}, "bad_target"),
        ({"target_coverage": "abc"}, "bad_target"),
        ({"attempt_limit": 0}, "bad_attempt_limit"),
        ({"revisit_interval": timedelta(hours=-1)}, "bad_interval"),
        ({"round": 0}, "bad_round"),
        ({"start": datetime(2022, 3, 20)}, "naive_datetime"),
        ({"zone": "Mars/Base"}, "unknown_zone"),
    ],
)
def test_bad_campaigns_raise_invalid_input(changes: dict[str, object], code: str) -> None:
    with pytest.raises(InvalidInput) as info:
        campaign(**changes)
    assert info.value.code == code


@pytest.mark.parametrize(
    "target",
    [
        Decimal("Infinity"),
        Decimal("-Infinity"),
        Decimal("NaN"),
        Decimal("sNaN"),
        Decimal("1e-99999999"),
        Decimal("0." + "0" * 70 + "1"),
        "1e-99999999",  # its exact fraction would take minutes
        "0." + "0" * 70 + "1",
        "1" * 70 + "/2",
        "inf",
        float("inf"),
        float("nan"),
    ],
)
def test_a_target_that_is_no_small_number_is_refused(target: object) -> None:
    with pytest.raises(InvalidInput) as info:
        target_coverage_fraction(target)
    assert (info.value.code, info.value.field) == ("bad_target", "target_coverage")
    assert info.value.__cause__ is None
    assert info.value.__context__ is None


@pytest.mark.parametrize(
    ("target", "exact"),
    [
        ("9.5e-1", Fraction(19, 20)),
        (" 0.95 ", Fraction(19, 20)),
        ("9/10", Fraction(9, 10)),
        (Decimal("0.95"), Fraction(19, 20)),
        ("0." + "0" * 60 + "1", Fraction(1, 10**61)),  # the longest power of ten it takes
        (0.95, Fraction(19, 20)),
        (Fraction(3, 4), Fraction(3, 4)),
        (1, Fraction(1)),
    ],
)
def test_a_target_is_read_exactly(target: object, exact: Fraction) -> None:
    assert target_coverage_fraction(target) == exact


def test_reason_is_masked_in_repr() -> None:
    a = attempt("a", "H1", 0, F, reason="刘晓娟说家里有病人")
    assert "刘晓娟" not in repr(a)


def test_float_target_is_exact() -> None:
    assert campaign(target_coverage=0.95).target_coverage == Fraction(19, 20)


def test_replay_is_a_machine_replay_with_its_campaign() -> None:
    c = campaign()
    out = replay_visits([attempt("a1", "H1", 0, R, persons_seen=1)], c)
    assert isinstance(out, VisitReplay)
    assert isinstance(out, Replay)
    assert out.campaign == c
    states = out.records
    assert list(states) == ["H1"]
    assert "H1" in states
    assert len(states) == 1
    assert out.state_of("H9") is S.NOT_STARTED
    assert out.state_of("H1") is S.REACHED
    assert "H1" in repr(states["H1"])
    assert "households=1" in repr(out)


def test_replay_progress_callback_and_bad_input() -> None:
    calls: list[int] = []
    log = [attempt(f"a{i}", f"H{i}", i, R, persons_seen=1) for i in range(100)]
    replay_visits(log, campaign(), progress=lambda d, t: calls.append(d))
    assert 0 < len(calls) <= 25
    with pytest.raises(InvalidInput):
        replay_visits([object()], campaign())  # type: ignore[list-item]
    with pytest.raises(InvalidInput):
        replay_visits([], "K1")  # type: ignore[arg-type]


@settings(max_examples=20)
@given(campaigns(), st.data())
def test_strategies_are_sound(c: Campaign, data: st.DataObject) -> None:
    a = data.draw(visit_attempts(c))
    assert c.start <= a.at < c.end
    assert a.campaign_id == c.id


def test_random_large_log_is_consistent() -> None:
    rng = random.Random(3)
    c = campaign(end=T0 + timedelta(days=3))
    log = []
    for i in range(3000):
        outcome = rng.choice([R, R, N, N, V, F])
        log.append(
            attempt(
                f"a{i}",
                rng.choice(HOUSES),
                rng.randrange(0, 3 * 24 * 60),
                outcome,
                persons_seen=1 if outcome in (R, F) else 0,
            )
        )
    _check_report(c, log, T0 + timedelta(days=2))
    fast = replay_visits(log, c)
    slow = replay(log, subject=lambda a: a.household, apply=lambda r, a: apply_visit_event(r, a, c))
    assert dict(fast.records.items()) == slow.records


def _markdown_table(rows: list[HouseholdVisitState | None], events: list[VisitEventKind]) -> str:
    head = "| state \\ event | " + " | ".join(f"`{e.value}`" for e in events) + " |"
    lines = [head, "|---|" + "---|" * len(events)]
    for s in rows:
        cells = [
            HOUSEHOLD_VISIT_MACHINE.next(s, e).value
            if HOUSEHOLD_VISIT_MACHINE.is_legal(s, e)
            else "·"
            for e in events
        ]
        name = "new" if s is NEW else s.value
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def test_docs_draw_the_table_from_the_machine() -> None:
    from pathlib import Path

    doc = Path(__file__).resolve().parent.parent / "docs" / "visits.md"
    if not doc.exists():  # pragma: no cover - an installed package without the docs
        pytest.skip("docs/visits.md not present")
    text = doc.read_text(encoding="utf-8")
    rows: list[HouseholdVisitState | None] = [NEW]
    rows += [s for s in HouseholdVisitState if s is not S.NOT_STARTED]
    assert _markdown_table(rows, list(VisitEventKind)) in text


# --------------------------------------------------------------------------- resuming from records


def _view(out: VisitReplay) -> tuple[object, ...]:
    return (
        dict(out.records),
        out.applied,
        out.duplicates,
        [(r.event, getattr(r.error, "code", type(r.error).__name__)) for r in out.rejected],
    )


@settings(max_examples=40)
@given(campaigns(scope="D"), st.data())
def test_resuming_from_records_gives_one_replay_of_the_whole_log(
    c: Campaign, data: st.DataObject
) -> None:
    log = data.draw(attempt_logs(c, HOUSES, max_size=20))
    ordered = sorted(log, key=lambda a: (a.at, a.id))
    cut = data.draw(st.integers(0, len(ordered)))
    head, tail = ordered[:cut], ordered[cut:]
    again = data.draw(st.lists(st.sampled_from(head), max_size=6)) if head else []
    later = data.draw(st.permutations(tail + again))
    whole = replay_visits(log, c)
    first = replay_visits(head, c)
    resumed = replay_visits(later, c, records=first.records)
    assert resumed.records == whole.records
    assert replay_visits(later, c, records=stored(first.records)).records == whole.records
    assert resumed.total == len(later)
    applied_again = {a.id for a in first.applied} & {a.id for a in again}
    assert {a.id for a in resumed.duplicates} >= applied_again
    # The record holds the ids of its applied attempts, in replay order.
    for house, record in whole.records.items():
        assert record.event_ids == tuple(a.id for a in whole.applied if a.household == house)
    # Re-delivered attempts change nothing on a clean replay either.
    assert replay_visits(log + again, c).records == whole.records


@settings(max_examples=30)
@given(campaigns(scope="D"), st.data())
def test_conflicting_ids_give_the_same_outcome_in_any_order(
    c: Campaign, data: st.DataObject
) -> None:
    log = data.draw(attempt_logs(c, HOUSES, max_size=15))
    # Other attempts under ids already used (their own instant, household, outcome).
    clashing = [
        data.draw(visit_attempts(c, HOUSES, attempt_id=a.id))
        for a in data.draw(st.lists(st.sampled_from(log), max_size=3) if log else st.just([]))
    ]
    full = log + clashing + (data.draw(st.lists(st.sampled_from(log), max_size=3)) if log else [])
    shuffled = data.draw(st.permutations(full))
    a, b = replay_visits(full, c), replay_visits(shuffled, c)
    assert _view(a) == _view(b)
    different = {x.id for x in clashing if x not in log}
    assert not different & {x.id for x in (*a.applied, *a.duplicates)}
    assert a.total == len(full)


def test_resume_rules_for_attempts() -> None:
    c = campaign()
    away = attempt("a1", "H1", 0, N)
    met = attempt("a2", "H1", 600, R, persons_seen=2)
    stored = replay_visits([away, met], c).records
    assert stored["H1"].event_ids == ("a1", "a2")
    out = replay_visits([away, met], c, records=stored)
    assert out.duplicates == (away, met)
    assert out.records == stored
    early = attempt("a3", "H1", 300, N)
    reused = attempt("a1", "H1", 900, R, persons_seen=1)
    elsewhere = attempt("a2", "H2", 900, V)
    fresh = attempt("a4", "H2", 1000, V)
    out = replay_visits([early, reused, elsewhere, fresh], c, records=stored)
    assert sorted((r.event.id, r.error.code) for r in out.rejected) == [  # type: ignore[attr-defined]
        ("a1", "conflicting_id"),
        ("a2", "conflicting_id"),
        ("a3", "out_of_order"),
    ]
    assert out.records["H1"] == stored["H1"]
    assert out.records["H2"].event_ids == ("a4",)


@pytest.mark.parametrize(
    ("records", "code"),
    [
        ("x", "wrong_type"),
        ({"H1": "x"}, "wrong_type"),
        ({"H1": HouseholdVisit("H2", "K1")}, "wrong_key"),
        ({"H1": HouseholdVisit("H1", "K2")}, "wrong_campaign"),
        ({"H1": HouseholdVisit("H1", "K1", event_ids=("a",))}, "wrong_type"),  # no last instant
    ],
)
def test_wrong_records_are_invalid_input(records: object, code: str) -> None:
    with pytest.raises(InvalidInput) as info:
        replay_visits([], campaign(), records=records)  # type: ignore[arg-type]
    assert info.value.code == code
    with pytest.raises(InvalidInput):
        replay_visits(None, campaign())  # type: ignore[arg-type]


def test_re_sent_attempts_stay_linear(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each re-sent copy costs one comparison with the first (was a list.remove each)."""
    from gridcare.visits import lifecycle

    c = campaign()
    one = attempt("a1", "H1", 0, R, persons_seen=1)
    compared = 0
    original = VisitAttempt.__eq__

    def counted(self: VisitAttempt, other: object) -> bool:
        nonlocal compared
        compared += 1
        return original(self, other)  # type: ignore[no-any-return]

    monkeypatch.setattr(VisitAttempt, "__eq__", counted)
    for n in (1_000, 8_000):
        compared = 0
        copies = [attrs.evolve(one) for _ in range(n)]
        out = lifecycle.replay_visits(copies, c)
        assert len(out.duplicates) == n - 1
        assert compared <= 2 * n


@attrs.frozen
class _LaxAttempt(VisitAttempt):
    """A subclass whose constructor skips the checks of :class:`VisitAttempt` (not its kind)."""

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "kind", attempt_kind(self.outcome, self.channel))


def test_attempts_of_a_subclass_are_checked_where_the_log_enters() -> None:
    # Attempts of VisitAttempt itself checked their id and instant when built, and the
    # replay takes them on trust; a subclass's constructor might not, so its attempts are
    # checked as any event is.
    good = attempt("a1", "H1", 5, N)
    lax = _LaxAttempt(
        id="a2", campaign_id="K1", household="H2", at=datetime(2022, 3, 20, 9), outcome=N
    )
    with pytest.raises(InvalidInput) as err:
        replay_visits([good, lax], campaign())
    assert (err.value.code, err.value.field) == ("bad_event", "events.1.at")


@settings(max_examples=20)
@given(campaigns(scope="D"), st.data())
def test_a_log_of_a_subclass_replays_as_the_same_attempts(c: Campaign, data: st.DataObject) -> None:
    log = data.draw(attempt_logs(c, HOUSES, max_size=12))
    log = log + data.draw(st.lists(st.sampled_from(log), max_size=4)) if log else log
    as_lax = {a.id: _LaxAttempt(**attrs.asdict(a, recurse=False, filter=_init_field)) for a in log}
    checked = replay_visits([as_lax[a.id] for a in log], c)
    trusted = replay_visits(log, c)
    assert dict(checked.records) == dict(trusted.records)
    assert [a.id for a in checked.applied] == [a.id for a in trusted.applied]
    assert [a.id for a in checked.duplicates] == [a.id for a in trusted.duplicates]
    assert [(r.event.id, r.message) for r in checked.rejected] == [
        (r.event.id, r.message) for r in trusted.rejected
    ]


def _init_field(field: attrs.Attribute[object], _: object) -> bool:
    return field.init
