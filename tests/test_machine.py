"""The table-driven state machine and event-log replay (DESIGN.md, "State machines")."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridcare.errors import IllegalTransition, InvalidInput
from gridcare.machine import Machine, replay
from helpers import at


class Door(StrEnum):
    SHUT = "shut"
    OPEN = "open"
    LOCKED = "locked"


DOOR = Machine(
    "door",
    {
        (Door.SHUT, "open"): Door.OPEN,
        (Door.OPEN, "close"): Door.SHUT,
        (Door.SHUT, "lock"): Door.LOCKED,
        (Door.LOCKED, "unlock"): Door.SHUT,
    },
)
EVENT_TYPES = ("open", "close", "lock", "unlock", "kick")


@attrs.frozen
class DoorEvent:
    id: str
    at: datetime
    door: str
    type: str


def apply(record: Door | None, event: DoorEvent) -> Door:
    return DOOR.next(Door.SHUT if record is None else record, event.type)


def test_next_follows_the_table() -> None:
    assert DOOR.next(Door.SHUT, "open") is Door.OPEN
    assert DOOR.next(Door.LOCKED, "unlock") is Door.SHUT


@pytest.mark.parametrize(
    ("state", "event"), [(Door.OPEN, "open"), (Door.LOCKED, "open"), (Door.SHUT, "kick")]
)
def test_illegal_transitions_name_state_and_event(state: Door, event: str) -> None:
    with pytest.raises(IllegalTransition) as info:
        DOOR.next(state, event, detail="test")
    err = info.value
    assert (err.state, err.event, err.machine, err.detail) == (str(state), event, "door", "test")
    assert repr(str(state)) in str(err)
    assert repr(event) in str(err)


def test_the_table_is_data() -> None:
    assert DOOR.events == {"open", "close", "lock", "unlock"}
    assert DOOR.states == set(Door)
    for state, event, target in DOOR.transitions():
        assert DOOR.is_legal(state, event)
        assert DOOR.next(state, event) is target
    legal = {(s, e) for s, e, _ in DOOR.transitions()}
    for state in Door:
        for event in EVENT_TYPES:
            assert DOOR.is_legal(state, event) == ((state, event) in legal)


T0 = at("2022-03-27 08:00")

events = st.builds(
    DoorEvent,
    id=st.sampled_from([f"e{i}" for i in range(12)]),
    at=st.integers(0, 6).map(lambda m: T0 + timedelta(minutes=m)),
    door=st.sampled_from(["front", "back"]),
    type=st.sampled_from(EVENT_TYPES),
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
        if DOOR.is_legal(state, event.type):
            expected[event.door] = DOOR.next(state, event.type)
        else:
            rejected.append(event)
    out = run(log)
    assert dict(out.records.items()) == expected
    assert [r.event for r in out.rejected] == rejected
    for r in out.rejected:
        assert isinstance(r.error, IllegalTransition)
        assert r.error.event == r.event.type
        assert r.message == str(r.error)


def test_rejected_events_leave_the_record_alone() -> None:
    log = [
        DoorEvent("a", T0, "front", "open"),
        DoorEvent("b", T0 + timedelta(minutes=1), "front", "lock"),  # illegal when open
        DoorEvent("c", T0 + timedelta(minutes=2), "front", "close"),
    ]
    out = run(log)
    assert out.records == {"front": Door.SHUT}
    assert [e.id for e in out.applied] == ["a", "c"]
    (rejection,) = out.rejected
    assert rejection.event.id == "b"
    assert (rejection.error.state, rejection.error.event) == ("open", "lock")  # type: ignore[attr-defined]


def test_ties_are_broken_by_id() -> None:
    log = [DoorEvent("b", T0, "front", "close"), DoorEvent("a", T0, "front", "open")]
    out = run(log)
    assert [e.id for e in out.applied] == ["a", "b"]
    assert out.records == {"front": Door.SHUT}


def test_starting_records_and_other_errors() -> None:
    def strict(record: Door | None, event: DoorEvent) -> Door:
        if event.type == "kick":
            raise InvalidInput("bad_event", "type", "no kicking", value=event.type)
        return apply(record, event)

    log = [DoorEvent("a", T0, "front", "unlock"), DoorEvent("b", T0, "back", "kick")]
    out = replay(log, subject=lambda e: e.door, apply=strict, records={"front": Door.LOCKED})
    assert out.records == {"front": Door.SHUT}
    assert [type(r.error) for r in out.rejected] == [InvalidInput]
