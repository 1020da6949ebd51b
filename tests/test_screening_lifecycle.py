"""The screening round's tables, guards and replay: laws and pinned cases."""

from __future__ import annotations

import random
from datetime import timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.helpers import at, stored

from gridcare.errors import IllegalTransition, InvalidInput
from gridcare.machine import NEW
from gridcare.people import Household
from gridcare.screening import (
    RESIDENT_MACHINE,
    TUBE_MACHINE,
    AwayReason,
    DueList,
    Exemption,
    ExemptionReason,
    LabResult,
    MarkedAway,
    MarkedExempt,
    Outcome,
    PoolingRule,
    Registered,
    ResidentRecord,
    ResidentState,
    ScreeningEventKind,
    ScreeningRound,
    SwabAdded,
    TubeKind,
    TubeRecord,
    TubeResult,
    TubeSealed,
    TubeState,
    due_list,
    replay_round,
    replay_round_plain,
)
from gridcare.testing._screening_strategies import RoundCase, round_cases

T0 = at("2022-03-27 07:30")
M = timedelta(minutes=1)


def _round(pool: int = 10, **kw: object) -> ScreeningRound:
    return ScreeningRound(
        id="S1",
        scope="C",
        start=T0,
        end=T0 + timedelta(hours=5),
        pooling=PoolingRule(pool_size=pool),
        **kw,  # type: ignore[arg-type]
    )


def _due(*ids: str, single: tuple[str, ...] = ()) -> DueList:
    return DueList(
        round_id="S1",
        scope_position=0,
        household_of=dict.fromkeys(ids, "H1"),
        place_of=dict.fromkeys(ids, 0),
        single_tube=frozenset(single),
    )


def swab(eid: str, rid: str, tube: str, minutes: int = 0, **kw: object) -> SwabAdded:
    return SwabAdded(
        id=eid,
        at=T0 + minutes * M,
        round_id="S1",
        resident_id=rid,
        tube_id=tube,
        **kw,  # type: ignore[arg-type]
    )


def seal(eid: str, tube: str, minutes: int) -> TubeSealed:
    return TubeSealed(id=eid, at=T0 + minutes * M, round_id="S1", tube_id=tube)


def result(eid: str, tube: str, minutes: int, found: LabResult) -> TubeResult:
    return TubeResult(id=eid, at=T0 + minutes * M, round_id="S1", tube_id=tube, result=found)


# ----------------------------------------------------------------------------- the tables


def test_tables_are_literal_and_cover_their_states() -> None:
    assert TUBE_MACHINE.entry_kinds == {ScreeningEventKind.SWAB, ScreeningEventKind.RESWAB}
    assert TUBE_MACHINE.states == set(TubeState)
    assert RESIDENT_MACHINE.states == set(ResidentState)
    assert not RESIDENT_MACHINE.is_legal(ResidentState.SAMPLED, ScreeningEventKind.SWAB)
    assert RESIDENT_MACHINE.next(ResidentState.RETEST_DUE, ScreeningEventKind.RESWAB) is (
        ResidentState.RESAMPLED
    )
    assert RESIDENT_MACHINE.next(NEW, ScreeningEventKind.SWAB) is ResidentState.SAMPLED


def test_a_full_pool_refuses_the_next_swab() -> None:
    log = [swab(f"e{i}", f"R{i}", "T1", i) for i in range(4)]
    out = replay_round(log, _round(pool=3), _due("R0", "R1", "R2", "R3"))
    assert out.tubes.records["T1"].members == ("R0", "R1", "R2")
    codes = sorted(r.error.code for r in out.rejected if isinstance(r.error, InvalidInput))
    assert codes == ["pool_full", "swab_not_in_tube"]
    assert out.outcome_of("R3") is Outcome.MISSED


def test_no_second_tube_without_a_retest() -> None:
    log = [swab("e1", "R1", "T1"), swab("e2", "R1", "T2", 1)]
    out = replay_round(log, _round(), _due("R1"))
    assert out.residents.records["R1"].tube_id == "T1"
    assert any(isinstance(r.error, IllegalTransition) for r in out.residents.rejected)


def test_positive_pool_puts_every_member_under_retest_then_single_tubes_decide() -> None:
    log = [
        swab("e1", "R1", "T1"),
        swab("e2", "R2", "T1", 1),
        seal("e3", "T1", 2),
        result("e4", "T1", 300, LabResult.POSITIVE),
    ]
    due = _due("R1", "R2")
    out = replay_round(log, _round(), due)
    assert out.outcomes() == {"R1": Outcome.UNDER_RETEST, "R2": Outcome.UNDER_RETEST}
    assert out.retest_members() == {"T1": ("R1", "R2")}
    log += [
        swab("e5", "R1", "T8", 400, tube_kind=TubeKind.SINGLE, retest_of="T1"),
        seal("e6", "T8", 401),
        result("e7", "T8", 600, LabResult.POSITIVE),
        swab("e8", "R2", "T9", 400, tube_kind=TubeKind.SINGLE, retest_of="T1"),
        seal("e9", "T9", 401),
        result("e10", "T9", 600, LabResult.NEGATIVE),
    ]
    out = replay_round(log, _round(), due)
    assert out.outcomes() == {"R1": Outcome.POSITIVE, "R2": Outcome.SAMPLED_NEGATIVE}
    assert out.residents.records["R1"].retests == 1


def test_retest_before_or_at_the_result_is_illegal_and_after_it_legal() -> None:
    base = [swab("e1", "R1", "T1"), seal("e2", "T1", 1), result("e3", "T1", 100, LabResult.INVALID)]
    for minutes in (99, 100):
        early = swab("e4", "R1", "T2", minutes, tube_kind=TubeKind.SINGLE, retest_of="T1")
        out = replay_round([*base, early], _round(), _due("R1"))
        assert out.outcome_of("R1") is Outcome.UNDER_RETEST
        assert [type(r.error).__name__ for r in out.residents.rejected] == ["IllegalTransition"]
    after = swab("e4", "R1", "T2", 101, tube_kind=TubeKind.SINGLE, retest_of="T1")
    out = replay_round([*base, after], _round(), _due("R1"))
    assert out.residents.records["R1"].state is ResidentState.RESAMPLED
    assert out.outcome_of("R1") is Outcome.UNDER_RETEST  # the single tube has no result yet


def test_a_retest_at_the_result_s_instant_is_judged_alike_whole_and_resumed() -> None:
    """A re-test at the very instant of the result that calls for it, before it by id, sorts
    before the result: a part of the log ending between them must judge it as the whole does
    (it was accepted in the whole and refused in the part, and never tried again on resume)."""
    log = [
        swab("e1", "R1", "T1"),
        seal("e2", "T1", 1),
        swab("a-retest", "R1", "T2", 100, tube_kind=TubeKind.SINGLE, retest_of="T1"),
        result("z-result", "T1", 100, LabResult.INVALID),
        swab("b-retest", "R1", "T3", 101, tube_kind=TubeKind.SINGLE, retest_of="T1"),
    ]
    whole = replay_round(log, _round(), _due("R1"))
    for cut in range(len(log) + 1):
        first = replay_round(log[:cut], _round(), _due("R1"))
        resumed = replay_round(
            log[cut:],
            _round(),
            _due("R1"),
            tubes=first.tubes.records,
            residents=first.residents.records,
        )
        assert dict(resumed.residents.records) == dict(whole.residents.records), cut
        assert dict(resumed.tubes.records) == dict(whole.tubes.records), cut
    assert whole.residents.records["R1"].tube_id == "T3"


def test_single_tube_residents_are_never_pooled() -> None:
    out = replay_round([swab("e1", "R1", "T1")], _round(), _due("R1", single=("R1",)))
    assert [r.error.code for r in out.residents.rejected] == ["single_tube_required"]  # type: ignore[attr-defined]
    ok = replay_round(
        [
            swab("e1", "R1", "T1", tube_kind=TubeKind.SINGLE),
            seal("e2", "T1", 1),
            result("e3", "T1", 50, LabResult.POSITIVE),
        ],
        _round(),
        _due("R1", single=("R1",)),
    )
    assert ok.outcome_of("R1") is Outcome.POSITIVE


def test_window_boundaries_are_pinned() -> None:
    rnd = _round()
    inside = swab("e1", "R1", "T1", 0)
    at_end = SwabAdded(id="e2", at=rnd.end, round_id="S1", resident_id="R2", tube_id="T2")
    out = replay_round([inside, at_end], rnd, _due("R1", "R2"))
    assert out.outcome_of("R1") is Outcome.AWAITING_RESULT
    assert out.outcome_of("R2") is Outcome.MISSED
    assert {r.error.code for r in out.rejected} == {"outside_window"}  # type: ignore[attr-defined]


def test_exemptions_are_starting_records_and_away_is_accounted() -> None:
    rnd = _round(exemptions=(Exemption(resident_id="R1", reason=ExemptionReason.INFANT),))
    h = _hier()
    due = due_list(rnd, h, [Household(id="H1", members=("R1", "R2", "R3"))])
    away = MarkedAway(id="a", at=T0, round_id="S1", resident_id="R2", reason=AwayReason.OUT_OF_AREA)
    reg = Registered(id="g", at=T0, round_id="S1", resident_id="R3", site_id="P1")
    out = replay_round([away, reg, swab("s", "R1", "T1")], rnd, due)
    assert out.outcomes() == {"R1": Outcome.EXEMPT, "R2": Outcome.AWAY, "R3": Outcome.MISSED}
    assert len(out.residents.rejected) == 1  # the exempt resident's swab


def _hier():  # type: ignore[no-untyped-def]
    from gridcare.hierarchy import Hierarchy, Node, NodeKind

    return Hierarchy(
        [
            Node("C", NodeKind.CITY, "c"),
            Node("G", NodeKind.GRID, "g", "C"),
            Node("H1", NodeKind.HOUSEHOLD, "1", "G"),
        ]
    )


# ----------------------------------------------------------------------------- laws


def _snapshot(case: RoundCase, events: list) -> tuple:  # type: ignore[type-arg]
    out = replay_round(events, case.screening, case.due)
    return (
        out.outcomes(),
        dict(out.tubes.records),
        dict(out.residents.records),
        sorted(r.event.id for r in out.rejected),
    )


@given(round_cases(), st.randoms(use_true_random=False))
def test_replay_is_permutation_invariant(case: RoundCase, rnd: random.Random) -> None:
    events = list(case.events)
    shuffled = events[:]
    rnd.shuffle(shuffled)
    assert _snapshot(case, events) == _snapshot(case, shuffled)


@given(round_cases(), st.randoms(use_true_random=False))
def test_duplicates_change_nothing(case: RoundCase, rnd: random.Random) -> None:
    events = list(case.events)
    doubled = events + [rnd.choice(events) for _ in range(len(events) // 2 + 1)] if events else []
    rnd.shuffle(doubled)
    assert _snapshot(case, events) == _snapshot(case, doubled)


@given(round_cases())
def test_every_due_resident_ends_in_exactly_one_outcome(case: RoundCase) -> None:
    out = replay_round(case.events, case.screening, case.due)
    outcomes = out.outcomes()
    assert set(outcomes) == set(case.due.household_of)
    assert all(isinstance(o, Outcome) for o in outcomes.values())
    for rid in outcomes:
        assert out.outcome_of(rid) is outcomes[rid]


@given(round_cases())
def test_pool_limits_hold(case: RoundCase) -> None:
    out = replay_round(case.events, case.screening, case.due)
    rule = case.screening.pooling
    for tube in out.tubes.records.values():
        assert 1 <= tube.size <= rule.capacity(tube.kind)
        assert len(set(tube.members)) == tube.size


@given(round_cases())
def test_a_positive_pool_yields_a_retest_of_each_member(case: RoundCase) -> None:
    out = replay_round(case.events, case.screening, case.due)
    calling = out.retest_members()
    for tube_id, tube in out.tubes.records.items():
        if tube.state is TubeState.POSITIVE and tube.kind is TubeKind.POOLED:
            assert calling[tube_id] == tube.members
    for tube_id, members in calling.items():
        for rid in members:
            record = out.residents.records.get(rid)
            if record is not None and record.tube_id == tube_id:
                assert out.outcome_of(rid) is Outcome.UNDER_RETEST


@given(round_cases())
def test_nothing_is_dropped(case: RoundCase) -> None:
    out = replay_round(case.events, case.screening, case.due)
    swabs = sum(1 for e in case.events if isinstance(e, SwabAdded))
    assert out.tubes.total + out.residents.total == len(case.events) + swabs


def test_replay_refuses_garbage_in_the_log() -> None:
    with pytest.raises(InvalidInput) as err:
        replay_round([object()], _round(), _due())  # type: ignore[list-item]
    assert err.value.code == "bad_event"


def _view(out):  # type: ignore[no-untyped-def]
    def rejections(replayed):  # type: ignore[no-untyped-def]
        return sorted(
            (r.event.id, type(r.error).__name__, getattr(r.error, "code", ""))
            for r in replayed.rejected
        )

    return (
        out.outcomes(),
        dict(out.tubes.records),
        dict(out.residents.records),
        sorted(e.id for e in out.tubes.applied),
        sorted(e.id for e in out.residents.applied),
        sorted(e.id for e in out.tubes.duplicates),
        sorted(e.id for e in out.residents.duplicates),
        rejections(out.tubes),
        rejections(out.residents),
    )


@given(round_cases(), st.randoms(use_true_random=False))
def test_fast_replay_equals_the_machine_replay(case: RoundCase, rnd: random.Random) -> None:
    events = list(case.events)
    events += [rnd.choice(events) for _ in range(len(events) // 3)] if events else []
    rnd.shuffle(events)
    assert _view(replay_round(events, case.screening, case.due)) == _view(
        replay_round_plain(events, case.screening, case.due)
    )


# ----------------------------------------------------------------------------- resuming


def _resume(replayer, case: RoundCase, events: list, first: object):  # type: ignore[no-untyped-def,type-arg]
    return replayer(
        events,
        case.screening,
        case.due,
        tubes=first.tubes.records,  # type: ignore[attr-defined]
        residents=first.residents.records,  # type: ignore[attr-defined]
    )


@given(round_cases(), st.data())
def test_resuming_from_records_gives_one_replay_of_the_whole_log(
    case: RoundCase, data: st.DataObject
) -> None:
    from gridcare.machine import replay_order

    ordered = sorted({e.id: e for e in case.events}.values(), key=replay_order)
    cut = data.draw(st.integers(0, len(ordered)))
    head, tail = ordered[:cut], ordered[cut:]
    again = data.draw(st.lists(st.sampled_from(head), max_size=6)) if head else []
    later = data.draw(st.permutations(tail + again))
    whole = replay_round(ordered, case.screening, case.due)
    first = replay_round(head, case.screening, case.due)
    for replayer in (replay_round, replay_round_plain):
        resumed = _resume(replayer, case, later, first)
        assert dict(resumed.tubes.records) == dict(whole.tubes.records)
        assert dict(resumed.residents.records) == dict(whole.residents.records)
        assert resumed.outcomes() == whole.outcomes()
    fast, plain = (
        _resume(replay_round, case, later, first),
        _resume(replay_round_plain, case, later, first),
    )
    assert _view(fast) == _view(plain)
    from_store = replay_round(
        later,
        case.screening,
        case.due,
        tubes=stored(first.tubes.records),
        residents=stored(first.residents.records),
    )
    assert _view(from_store) == _view(fast)
    swabs = sum(1 for e in later if isinstance(e, SwabAdded))
    assert fast.tubes.total + fast.residents.total == len(later) + swabs


@given(round_cases(), st.data())
def test_conflicting_ids_give_the_same_outcome_in_any_order(
    case: RoundCase, data: st.DataObject
) -> None:
    events = list(case.events)
    reused = data.draw(st.lists(st.sampled_from(events), max_size=3)) if events else []
    clashing = [attrs.evolve(e, at=e.at + M) for e in reused]
    full = events + clashing + [data.draw(st.sampled_from(events))] if events else []
    shuffled = data.draw(st.permutations(full))

    def view(out):  # type: ignore[no-untyped-def]
        # replay_round lists subjects in the order they first come in the log, so the
        # lists are compared as multisets; duplicates are in replay order.
        def listed(replayed):  # type: ignore[no-untyped-def]
            return (
                dict(replayed.records),
                sorted(map(repr, replayed.applied)),
                replayed.duplicates,
                sorted((repr(r.event), getattr(r.error, "code", "")) for r in replayed.rejected),
            )

        return (out.outcomes(), listed(out.tubes), listed(out.residents))

    a = replay_round(full, case.screening, case.due)
    assert view(a) == view(replay_round(shuffled, case.screening, case.due))
    assert _view(a) == _view(replay_round_plain(shuffled, case.screening, case.due))
    ids = {e.id for e in clashing}
    for replayed in (a.tubes, a.residents):
        assert not ids & {e.id for e in (*replayed.applied, *replayed.duplicates)}


def test_resume_rules_for_tubes_and_residents() -> None:
    rnd, due = _round(), _due("R1", "R2")
    first_swab = swab("s1", "R1", "T1", 0)
    log = [first_swab, swab("s2", "R2", "T1", 1), seal("c1", "T1", 5)]
    first = replay_round(log, rnd, due)
    assert first.tubes.records["T1"].event_ids == ("s1", "s2", "c1")
    assert first.residents.records["R1"].event_ids == ("s1",)
    again = replay_round(
        log, rnd, due, tubes=first.tubes.records, residents=first.residents.records
    )
    assert len(again.tubes.duplicates) == 3
    assert len(again.residents.duplicates) == 2
    assert dict(again.tubes.records) == dict(first.tubes.records)
    # A swab after the seal, and one before it under a new id; an id the tube holds for
    # another event.
    late = swab("s3", "R3", "T1", 3)
    reused = result("s1", "T1", 60, LabResult.NEGATIVE)
    out = replay_round(
        [late, reused], rnd, due, tubes=first.tubes.records, residents=first.residents.records
    )
    codes = sorted((r.event.id, getattr(r.error, "code", "")) for r in out.rejected)
    assert ("s1", "conflicting_id") in codes
    assert ("s3", "out_of_order") in codes
    assert dict(out.tubes.records) == dict(first.tubes.records)


@pytest.mark.parametrize("replayer", [replay_round, replay_round_plain])
@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"tubes": "x"}, "wrong_type"),
        ({"residents": ["R1"]}, "wrong_type"),
        ({"tubes": {"T1": "x"}}, "wrong_type"),
        ({"residents": {"R9": None}}, "wrong_type"),
    ],
)
def test_wrong_stored_records_are_invalid_input(replayer, kwargs: dict, code: str) -> None:  # type: ignore[no-untyped-def,type-arg]
    with pytest.raises(InvalidInput) as info:
        replayer([], _round(), _due("R1"), **kwargs)
    assert info.value.code == code


def test_a_swab_the_tube_refused_never_binds_the_resident() -> None:
    """Regression: a refused swab bound its resident once a later swab put them in the tube,
    and the resumed replay disagreed with the whole one."""
    rnd, due = _round(pool=10), _due("R1", "R2")
    first_swab = swab("s1", "R1", "T1", 0)
    refused = swab("s2", "R2", "T1", 1, tube_kind=TubeKind.SINGLE)  # the tube is pooled
    taken = swab("s3", "R2", "T1", 2)
    for replayer in (replay_round, replay_round_plain):
        whole = replayer([first_swab, refused, taken], rnd, due)
        assert whole.residents.records["R2"].event_ids == ("s3",)
        codes = sorted((r.event.id, getattr(r.error, "code", "")) for r in whole.rejected)
        assert codes == [("s2", "swab_not_in_tube"), ("s2", "tube_kind_mismatch")]
        first = replayer([first_swab, refused], rnd, due)
        resumed = _resume(replayer, _Case(rnd, due), [taken], first)
        assert dict(resumed.residents.records) == dict(whole.residents.records)


@attrs.frozen
class _Case:
    screening: ScreeningRound
    due: DueList


def test_a_swabs_kind_is_set_once_and_follows_its_fields() -> None:
    import pickle

    swab = SwabAdded(id="e", at=T0, round_id="S", resident_id="R1", tube_id="T2")
    again = attrs.evolve(swab, tube_kind=TubeKind.SINGLE, retest_of="T1")
    assert (swab.kind, again.kind) == (ScreeningEventKind.SWAB, ScreeningEventKind.RESWAB)
    assert pickle.loads(pickle.dumps(again)).kind is ScreeningEventKind.RESWAB
    assert ", kind=" not in repr(swab)
    assert swab == attrs.evolve(swab)
    assert hash(swab) == hash(attrs.evolve(swab))
    assert {e.kind for e in (Registered, TubeSealed, MarkedAway, MarkedExempt)} == {
        ScreeningEventKind.REGISTER,
        ScreeningEventKind.SEAL,
        ScreeningEventKind.MARK_AWAY,
        ScreeningEventKind.MARK_EXEMPT,
    }


@given(round_cases())
def test_the_records_a_replay_builds_unchecked_pass_their_checks(case: RoundCase) -> None:
    out = replay_round(case.events, case.screening, case.due)
    for tube in out.tubes.records.values():
        assert TubeRecord(*attrs.astuple(tube, recurse=False)) == tube
    for record in out.residents.records.values():
        assert ResidentRecord(*attrs.astuple(record, recurse=False)) == record


# -------------------------------------------------------------- records name their round


def _next_round() -> ScreeningRound:
    """The same window and pooling as :func:`_round`, another round: ids come back in it."""
    return ScreeningRound(
        id="S2",
        scope="C",
        start=T0,
        end=T0 + timedelta(hours=5),
        pooling=PoolingRule(pool_size=10),
    )


def _next_due(*ids: str) -> DueList:
    return attrs.evolve(_due(*ids), round_id="S2")


@given(round_cases())
def test_every_record_a_replay_builds_names_its_round(case: RoundCase) -> None:
    for replayer in (replay_round, replay_round_plain):
        out = replayer(case.events, case.screening, case.due)
        records = [*out.tubes.records.values(), *out.residents.records.values()]
        assert {r.round_id for r in records} <= {case.screening.id}
        assert all(r.round_id == case.screening.id for r in records)


@pytest.mark.parametrize("replayer", [replay_round, replay_round_plain])
@pytest.mark.parametrize("which", ["tubes", "residents"])
def test_records_of_another_round_are_refused_on_resume(replayer, which: str) -> None:  # type: ignore[no-untyped-def]
    """Tube and resident ids come back round after round: one round's records given to the
    next round's replay would read its first swabs as duplicates or re-tests."""
    first = replay_round(
        [swab("e1", "R1", "T1"), seal("e2", "T1", 1), result("e3", "T1", 100, LabResult.NEGATIVE)],
        _round(),
        _due("R1"),
    )
    given = {"tubes": first.tubes.records, "residents": first.residents.records}[which]
    with pytest.raises(InvalidInput) as err:
        replayer([swab("e9", "R1", "T1")], _next_round(), _next_due("R1"), **{which: given})
    assert err.value.code == "wrong_round"
    key = "T1" if which == "tubes" else "R1"
    assert err.value.field == f"{which}.{key}.round_id"
    # Through storage (JSON) too, and the same round's records resume as ever.
    with pytest.raises(InvalidInput):
        replayer([swab("e9", "R1", "T1")], _next_round(), _next_due("R1"), **{which: stored(given)})
    again = replayer([swab("e1", "R1", "T1")], _round(), _due("R1"), **{which: stored(given)})
    assert again.rejected == ()


def test_one_record_of_another_round_is_refused_by_the_apply_functions() -> None:
    from gridcare.screening import apply_screening_event, apply_tube_event

    one = swab("e1", "R1", "T1")
    tube = apply_tube_event(None, one, _round())
    resident = apply_screening_event(None, one, _round(), _due("R1"), {"T1": tube})
    assert (tube.round_id, resident.round_id) == ("S1", "S1")
    later = SwabAdded(id="e2", at=T0, round_id="S2", resident_id="R2", tube_id="T1")
    with pytest.raises(InvalidInput) as err:
        apply_tube_event(tube, later, _next_round())
    assert (err.value.code, err.value.field) == ("wrong_round", "record.round_id")
    with pytest.raises(InvalidInput) as err:
        apply_screening_event(resident, later, _next_round(), _next_due("R1"), {"T1": tube})
    assert (err.value.code, err.value.field) == ("wrong_round", "record.round_id")


def test_a_record_built_by_hand_names_no_round_and_is_taken_as_the_round_s() -> None:
    record = ResidentRecord("R1", ResidentState.AWAY, away_reason=AwayReason.OUT_OF_AREA)
    assert record.round_id is None
    out = replay_round([], _round(), _due("R1"), residents={"R1": record})
    assert out.residents.records["R1"] == record
    with pytest.raises(InvalidInput) as err:
        ResidentRecord("R1", ResidentState.AWAY, round_id=7)  # type: ignore[arg-type]
    assert (err.value.code, err.value.field) == ("bad_record", "round_id")


def test_a_swab_whose_id_a_resident_s_record_holds_for_another_event_is_refused_whole() -> None:
    """The stored record of a resident holds id "x" for a registration; a swab "x" arrives in
    the next batch. The tube side, with no record, applied it while the resident side refused
    it (conflicting_id): a resident registered but sitting in a tube. One replay of the whole
    log refuses every copy and builds no tube."""
    registered = Registered(id="x", at=T0, round_id="S1", resident_id="R1", door_team_id="D1")
    same_id = swab("x", "R1", "T1", 5)
    whole = replay_round([registered, same_id], _round(), _due("R1"))
    first = replay_round([registered], _round(), _due("R1"))
    for replayer in (replay_round, replay_round_plain):
        resumed = replayer(
            [same_id],
            _round(),
            _due("R1"),
            tubes=first.tubes.records,
            residents=first.residents.records,
        )
        assert dict(resumed.tubes.records) == dict(whole.tubes.records) == {}
        assert dict(resumed.residents.records) == dict(first.residents.records)
        codes = {r.error.code for r in resumed.rejected}  # type: ignore[attr-defined]
        assert codes == {"conflicting_id"}
