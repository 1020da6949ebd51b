"""The table-driven state machine and event-log replay (docs/design.md, "State machines")."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridcare.errors import IllegalTransition, InvalidInput
from gridcare.machine import NEW, Machine, replay, replay_order
from helpers import at


class Door(StrEnum):
    SHUT = "shut"
    OPEN = "open"
    LOCKED = "locked"


class Push(StrEnum):
    INSTALL = "install"
    OPEN = "open"
    CLOSE = "close"
    LOCK = "lock"
    UNLOCK = "unlock"
    KICK = "kick"


DOOR = Machine(
    "door",
    {
        (NEW, Push.INSTALL): Door.SHUT,
        (Door.SHUT, Push.OPEN): Door.OPEN,
        (Door.OPEN, Push.CLOSE): Door.SHUT,
        (Door.SHUT, Push.LOCK): Door.LOCKED,
        (Door.LOCKED, Push.UNLOCK): Door.SHUT,
    },
)
EVENT_TYPES = tuple(Push)


@attrs.frozen
class DoorEvent:
    id: str
    at: datetime
    door: str
    kind: Push


def apply(record: Door | None, event: DoorEvent) -> Door:
    return DOOR.next(Door.SHUT if record is None else record, event.kind)


def test_next_follows_the_table() -> None:
    assert DOOR.next(Door.SHUT, Push.OPEN) is Door.OPEN
    assert DOOR.next(Door.LOCKED, Push.UNLOCK) is Door.SHUT


def test_the_entry_edge_is_in_the_table() -> None:
    assert DOOR.next(NEW, Push.INSTALL) is Door.SHUT
    assert DOOR.entry_kinds == {Push.INSTALL}
    with pytest.raises(IllegalTransition) as info:
        DOOR.next(NEW, Push.OPEN)
    assert (info.value.state, info.value.event) == ("new", "open")


@pytest.mark.parametrize(
    ("state", "event"), [(Door.OPEN, Push.OPEN), (Door.LOCKED, Push.OPEN), (Door.SHUT, Push.KICK)]
)
def test_illegal_transitions_name_state_and_event(state: Door, event: Push) -> None:
    with pytest.raises(IllegalTransition) as info:
        DOOR.next(state, event, detail="test")
    err = info.value
    assert (err.state, err.event, err.machine, err.detail) == (str(state), event, "door", "test")
    assert repr(str(state)) in str(err)
    assert repr(str(event)) in str(err)


def test_the_table_is_data() -> None:
    assert DOOR.kinds == {Push.INSTALL, Push.OPEN, Push.CLOSE, Push.LOCK, Push.UNLOCK}
    assert DOOR.states == set(Door)
    for state, event, target in DOOR.transitions():
        assert DOOR.is_legal(state, event)
        assert DOOR.next(state, event) is target
    legal = {(s, e) for s, e, _ in DOOR.transitions()}
    for state in (NEW, *Door):
        for event in EVENT_TYPES:
            assert DOOR.is_legal(state, event) == ((state, event) in legal)


T0 = at("2022-03-27 08:00")

events = st.builds(
    DoorEvent,
    id=st.sampled_from([f"e{i}" for i in range(12)]),
    at=st.integers(0, 6).map(lambda m: T0 + timedelta(minutes=m)),
    door=st.sampled_from(["front", "back"]),
    kind=st.sampled_from(EVENT_TYPES),
)
# A log as a workflow would see it: each id names one event, which may be delivered twice.
logs = st.lists(events, max_size=25, unique_by=lambda e: e.id).flatmap(
    lambda unique: (
        st.lists(st.sampled_from(unique), max_size=10).map(lambda again: unique + again)
        if unique
        else st.just(unique)
    )
)


def run(log: list[DoorEvent]):  # type: ignore[no-untyped-def]
    return replay(log, subject=lambda e: e.door, apply=apply)


@given(logs, st.randoms(use_true_random=False))
def test_any_permutation_gives_the_same_outcome(log: list[DoorEvent], rnd: object) -> None:
    shuffled = list(log)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    a, b = run(log), run(shuffled)
    assert a.records == b.records
    assert a.applied == b.applied
    assert [r.event for r in a.rejected] == [r.event for r in b.rejected]


@given(logs)
def test_duplicates_change_nothing(log: list[DoorEvent]) -> None:
    once = run(list({e.id: e for e in log}.values()))
    twice = run(log + log)
    assert twice.records == once.records
    assert twice.applied == once.applied
    assert len(twice.duplicates) == len(log) + len(log) - len(once.applied) - len(once.rejected)


@given(logs)
def test_nothing_is_dropped_silently(log: list[DoorEvent]) -> None:
    out = run(log)
    assert out.total == len(log)
    assert len(out.applied) + len(out.duplicates) + len(out.rejected) == len(log)
    assert sorted(map(id, [*out.applied, *out.duplicates, *(r.event for r in out.rejected)])) == (
        sorted(map(id, log))
    )
    assert len({e.id for e in out.applied} | {r.event.id for r in out.rejected}) == len(
        {e.id for e in log}
    )


@given(logs)
def test_replay_matches_a_plain_fold(log: list[DoorEvent]) -> None:
    """The oracle: sort by (at, id), skip seen ids, apply what is legal."""
    expected: dict[str, Door] = {}
    seen: set[str] = set()
    rejected = []
    for event in sorted(log, key=lambda e: (e.at, e.id)):
        if event.id in seen:
            continue
        seen.add(event.id)
        state = expected.get(event.door, Door.SHUT)
        if DOOR.is_legal(state, event.kind):
            expected[event.door] = DOOR.next(state, event.kind)
        else:
            rejected.append(event)
    out = run(log)
    assert dict(out.records.items()) == expected
    # Rejections are listed door by door, each door's in replay order.
    assert sorted((r.event for r in out.rejected), key=replay_order) == rejected
    for r in out.rejected:
        assert isinstance(r.error, IllegalTransition)
        assert r.error.event == r.event.kind
        assert r.message == str(r.error)


def test_rejected_events_leave_the_record_alone() -> None:
    log = [
        DoorEvent("a", T0, "front", Push.OPEN),
        DoorEvent("b", T0 + timedelta(minutes=1), "front", Push.LOCK),  # illegal when open
        DoorEvent("c", T0 + timedelta(minutes=2), "front", Push.CLOSE),
    ]
    out = run(log)
    assert out.records == {"front": Door.SHUT}
    assert [e.id for e in out.applied] == ["a", "c"]
    (rejection,) = out.rejected
    assert rejection.event.id == "b"
    assert (rejection.error.state, rejection.error.event) == ("open", "lock")  # type: ignore[attr-defined]


def test_ties_are_broken_by_id() -> None:
    log = [DoorEvent("b", T0, "front", Push.CLOSE), DoorEvent("a", T0, "front", "open")]
    out = run(log)
    assert [e.id for e in out.applied] == ["a", "b"]
    assert out.records == {"front": Door.SHUT}


def test_starting_records_and_other_errors() -> None:
    def strict(record: Door | None, event: DoorEvent) -> Door:
        if event.kind is Push.KICK:
            raise InvalidInput("bad_event", "type", "no kicking", value=event.kind)
        return apply(record, event)

    log = [DoorEvent("a", T0, "front", Push.UNLOCK), DoorEvent("b", T0, "back", Push.KICK)]
    out = replay(log, subject=lambda e: e.door, apply=strict, records={"front": Door.LOCKED})
    assert out.records == {"front": Door.SHUT}
    assert [type(r.error) for r in out.rejected] == [InvalidInput]
