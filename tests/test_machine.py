"""The table-driven state machine and event-log replay (docs/design.md, "State machines")."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from enum import StrEnum

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridcare.errors import IllegalTransition, InvalidInput
from gridcare.machine import (
    NEW,
    History,
    Machine,
    check_records,
    first_of_each_id,
    group_by_subject,
    replay,
    replay_order,
    sort_out_ids,
    trusted_first_of_each_id,
    trusted_group_by_subject,
    trusted_replay,
    trusted_sort_in_replay_order,
    trusted_sort_out_ids,
)
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


# --------------------------------------------------------------------------- resuming from records


@attrs.frozen
class DoorRecord:
    """A door that keeps the ids of its events (gridcare.machine.Tracked)."""

    state: Door
    event_ids: tuple[str, ...] = ()
    last_event_at: datetime | None = None


def step(record: DoorRecord | None, event: DoorEvent) -> DoorRecord:
    """The rules only: the ids stay as they were (the replay stamps them)."""
    state = DOOR.next(Door.SHUT if record is None else record.state, event.kind)
    return DoorRecord(state, () if record is None else record.event_ids, event.at)


def apply_tracked(record: DoorRecord | None, event: DoorEvent) -> DoorRecord:
    """The rules and the id: what an ``apply_<workflow>_event`` does."""
    after = step(record, event)
    return attrs.evolve(after, event_ids=(*after.event_ids, event.id))


def stamp(record: DoorRecord, ids: tuple[str, ...]) -> DoorRecord:
    return attrs.evolve(record, event_ids=ids)


def run_tracked(
    log: list[DoorEvent], records: dict[str, DoorRecord] | None = None, *, stamped: bool = False
):  # type: ignore[no-untyped-def]
    if stamped:
        return replay(log, subject=lambda e: e.door, apply=step, records=records, stamp=stamp)
    return replay(log, subject=lambda e: e.door, apply=apply_tracked, records=records)


def outcome(out) -> tuple:  # type: ignore[no-untyped-def,type-arg]
    """Everything a replay says, comparable as values."""
    return (
        dict(out.records),
        out.applied,
        out.duplicates,
        tuple((r.event, getattr(r.error, "code", type(r.error).__name__)) for r in out.rejected),
    )


@given(logs, st.booleans())
def test_records_hold_the_ids_applied_in_replay_order(log: list[DoorEvent], stamped: bool) -> None:
    out = run_tracked(log, stamped=stamped)
    for door, record in out.records.items():
        mine = [e for e in out.applied if e.door == door]
        assert record.event_ids == tuple(e.id for e in mine)
        assert record.last_event_at == mine[-1].at


@given(logs, st.data())
def test_resuming_from_records_gives_one_replay_of_the_whole_log(
    log: list[DoorEvent], data: st.DataObject
) -> None:
    """Split the log anywhere in replay order; replay the rest, with any re-delivery of the
    first part, onto the first part's records: the records of one replay of the whole log."""
    ordered = sorted({e.id: e for e in log}.values(), key=replay_order)
    cut = data.draw(st.integers(0, len(ordered)))
    head, tail = ordered[:cut], ordered[cut:]
    again = data.draw(st.lists(st.sampled_from(head), max_size=8)) if head else []
    later = data.draw(st.permutations(tail + again))
    stamped = data.draw(st.booleans())
    whole = run_tracked(ordered, stamped=stamped)
    first = run_tracked(head, stamped=stamped)
    resumed = run_tracked(later, dict(first.records), stamped=stamped)
    assert resumed.records == whole.records
    applied_again = {e.id for e in first.applied} & {e.id for e in again}
    assert {e.id for e in resumed.duplicates} >= applied_again
    assert resumed.total == len(later)
    # A second resume with the same events changes nothing more.
    assert run_tracked(later, dict(resumed.records), stamped=stamped).records == resumed.records


# Logs where an id may name two different events: the same ids, other contents.
clashing_logs = st.lists(events, max_size=25).flatmap(
    lambda drawn: (
        st.lists(st.sampled_from(drawn), max_size=10).map(lambda again: drawn + again)
        if drawn
        else st.just(drawn)
    )
)


@given(clashing_logs, st.randoms(use_true_random=False), st.booleans())
def test_conflicting_ids_are_rejected_whatever_the_order(
    log: list[DoorEvent], rnd: object, stamped: bool
) -> None:
    shuffled = list(log)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    a, b = run_tracked(log, stamped=stamped), run_tracked(shuffled, stamped=stamped)
    assert outcome(a) == outcome(b)
    values: dict[str, set[DoorEvent]] = {}
    for e in log:
        values.setdefault(e.id, set()).add(e)
    clashing = {i for i, seen in values.items() if len(seen) > 1}
    conflicts = [r.event for r in a.rejected if getattr(r.error, "code", "") == "conflicting_id"]
    assert sorted(e.id for e in conflicts) == sorted(e.id for e in log if e.id in clashing)
    assert not clashing & {e.id for e in (*a.applied, *a.duplicates)}
    assert a.total == len(log)


def test_a_conflict_is_rejected_in_either_order() -> None:
    opened = DoorEvent("a", T0, "front", Push.OPEN)
    locked = DoorEvent("a", T0, "front", Push.LOCK)
    for log in ([opened, locked, opened], [locked, opened, opened], [opened, opened, locked]):
        out = run_tracked(log)
        assert out.records == {}
        assert out.duplicates == ()
        assert [r.error.code for r in out.rejected] == ["conflicting_id"] * 3  # type: ignore[attr-defined]
        assert sorted(map(repr, (r.event for r in out.rejected))) == sorted(map(repr, log))


def test_resume_rules_duplicate_conflict_and_out_of_order() -> None:
    m = timedelta(minutes=1)
    opened = DoorEvent("a", T0, "front", Push.OPEN)
    closed = DoorEvent("b", T0 + 2 * m, "front", Push.CLOSE)
    stored = dict(run_tracked([opened, closed]).records)
    assert stored["front"] == DoorRecord(Door.SHUT, ("a", "b"), T0 + 2 * m)
    # Already applied: a duplicate; the record stays.
    out = run_tracked([opened, closed], stored)
    assert out.duplicates == (opened, closed)
    assert out.records == stored
    # A new event before the record's last one: out of order, not replayed into history.
    late = DoorEvent("c", T0 + m, "front", Push.CLOSE)
    out = run_tracked([late], stored)
    assert [r.error.code for r in out.rejected] == ["out_of_order"]  # type: ignore[attr-defined]
    assert out.records == stored
    # An id the record holds, on an event after the record's last: not the held one.
    reused = DoorEvent("a", T0 + 3 * m, "front", Push.OPEN)
    # An id another record holds: a conflict, whatever comes with it.
    elsewhere = DoorEvent("b", T0 + 3 * m, "back", Push.INSTALL)
    fresh = DoorEvent("d", T0 + 4 * m, "front", Push.OPEN)
    for log in ([reused, elsewhere, fresh], [fresh, elsewhere, reused]):
        out = run_tracked(log, stored)
        # Ids held elsewhere are set aside before the fold, so they come first.
        assert [(r.event.id, r.error.code) for r in out.rejected] == [  # type: ignore[attr-defined]
            ("b", "conflicting_id"),
            ("a", "conflicting_id"),
        ]
        assert out.records["front"] == DoorRecord(Door.OPEN, ("a", "b", "d"), T0 + 4 * m)
        assert "back" not in out.records


def test_untracked_records_are_folded_as_before() -> None:
    log = [DoorEvent("a", T0, "front", Push.OPEN)]
    out = replay(log, subject=lambda e: e.door, apply=apply, records={"front": Door.SHUT})
    assert out.records == {"front": Door.OPEN}


@pytest.mark.parametrize(
    "records",
    [
        "front",
        [("front", Door.SHUT)],
        {"front": DoorRecord(Door.SHUT, "ab", T0)},  # type: ignore[arg-type]
        {"front": DoorRecord(Door.SHUT, ("a",), None)},
        {"front": DoorRecord(Door.SHUT, (1,), T0)},  # type: ignore[arg-type]
    ],
)
def test_malformed_records_are_invalid_input(records: object) -> None:
    log = [DoorEvent("x", T0, "front", Push.OPEN), DoorEvent("y", T0, "back", Push.INSTALL)]
    with pytest.raises(InvalidInput) as info:
        run_tracked(log, records)  # type: ignore[arg-type]
    assert info.value.code == "wrong_type"


@pytest.mark.parametrize(
    ("records", "code", "field"),
    [
        ("x", "wrong_type", "records"),
        ({1: DoorRecord(Door.SHUT)}, "wrong_type", "records"),
        ({"front": Door.SHUT}, "wrong_type", "records.front"),
        ({"front": DoorRecord(Door.SHUT, (), None)}, None, None),
        (
            {"front": DoorRecord(Door.SHUT, ("a",), None)},
            "wrong_type",
            "records.front.last_event_at",
        ),
        ({"front": DoorRecord(Door.SHUT, ["a"], T0)}, "wrong_type", "records.front.event_ids"),  # type: ignore[arg-type]
    ],
)
def test_check_records_at_the_boundary(
    records: object, code: str | None, field: str | None
) -> None:
    if code is None:
        assert check_records(records, DoorRecord, lambda r: "front") == records
        return
    with pytest.raises(InvalidInput) as info:
        check_records(records, DoorRecord, lambda r: "front")
    assert (info.value.code, info.value.field) == (code, field)
    with pytest.raises(InvalidInput) as info:
        check_records({"back": DoorRecord(Door.SHUT)}, DoorRecord, lambda r: "front")
    assert info.value.code == "wrong_key"


def test_stamp_is_called_once_per_subject() -> None:
    calls: list[tuple[str, ...]] = []

    def counting(record: DoorRecord, ids: tuple[str, ...]) -> DoorRecord:
        calls.append(ids)
        return stamp(record, ids)

    m = timedelta(minutes=1)
    log = [DoorEvent("i", T0, "front", Push.INSTALL)]
    log += [DoorEvent(f"o{i}", T0 + (2 * i + 1) * m, "front", Push.OPEN) for i in range(50)]
    log += [DoorEvent(f"c{i}", T0 + (2 * i + 2) * m, "front", Push.CLOSE) for i in range(50)]
    out = replay(log, subject=lambda e: e.door, apply=step, stamp=counting)
    assert len(calls) == 1
    assert out.records["front"].event_ids == calls[0] == tuple(e.id for e in out.applied)


class CountedEvent(DoorEvent):
    compared = 0

    def __eq__(self, other: object) -> bool:
        CountedEvent.compared += 1
        return super().__eq__(other)

    __hash__ = DoorEvent.__hash__


def test_re_sent_events_cost_one_comparison_each() -> None:
    n = 5000
    one = CountedEvent("a", T0, "front", Push.INSTALL)
    copies = [CountedEvent("a", T0, "front", Push.INSTALL) for _ in range(n)]
    CountedEvent.compared = 0
    out = run_tracked([one, *copies])
    assert CountedEvent.compared == n
    assert len(out.duplicates) == n


def test_a_long_history_is_searched_as_a_set() -> None:
    # 20,000 ids held, 20,000 more events resumed: linear, not 4 * 10**8 comparisons.
    import time

    n = 20_000
    s = timedelta(seconds=1)
    log = [
        DoorEvent(f"e{i:05d}", T0 + i * s, "front", Push.OPEN if i % 2 == 0 else Push.CLOSE)
        for i in range(2 * n)
    ]
    first = run_tracked(log[:n], stamped=True)
    assert len(first.records["front"].event_ids) == n
    started = time.perf_counter()
    resumed = run_tracked(log, dict(first.records), stamped=True)
    assert time.perf_counter() - started < 5.0
    assert (len(resumed.duplicates), len(resumed.applied), resumed.rejected) == (n, n, ())
    assert resumed.records == run_tracked(log, stamped=True).records


def test_history_and_sort_out_ids() -> None:
    h = History(("a",), T0)
    assert h.last == (T0, "a")
    batch = sort_out_ids([DoorEvent("a", T0, "x", Push.OPEN)] * 2)
    assert (len(batch.firsts), len(batch.duplicates), batch.conflicts) == (1, 1, [])
    with pytest.raises(InvalidInput):
        sort_out_ids("ab")  # type: ignore[arg-type]
    assert History.of(Door.SHUT) is None
    assert History.of(DoorRecord(Door.SHUT)) is None


@given(st.lists(st.tuples(st.sampled_from("abcd"), st.integers(0, 3), st.sampled_from(list(Push)))))
def test_trusted_sort_out_ids_agrees_with_sort_out_ids(rows: list[tuple[str, int, Push]]) -> None:
    log = [DoorEvent(i, T0 + timedelta(minutes=m), "front", k) for i, m, k in rows]
    assert trusted_sort_out_ids(log) == sort_out_ids(log)
    assert sort_out_ids(iter(log)) == sort_out_ids(log)  # any iterable, checked first


# The trusted twins: what the workflows' replays call for logs of their own event types, which
# check id and at when built. Each must agree with its checked function on every log.
twin_rows = st.lists(
    st.tuples(
        st.sampled_from("abcd"),
        st.integers(0, 3),
        st.sampled_from(["front", "back"]),
        st.sampled_from(list(Push)),
    )
)


def door_log(rows: list[tuple[str, int, str, Push]]) -> list[DoorEvent]:
    return [DoorEvent(i, T0 + timedelta(minutes=m), door, k) for i, m, door, k in rows]


@given(twin_rows)
def test_trusted_group_by_subject_agrees_with_group_by_subject(
    rows: list[tuple[str, int, str, Push]],
) -> None:
    log = door_log(rows)
    grouped = group_by_subject(log, lambda e: e.door)
    assert trusted_group_by_subject(log, lambda e: e.door) == grouped
    assert list(trusted_group_by_subject(log, lambda e: e.door)) == list(grouped)  # same order
    assert group_by_subject(iter(log), lambda e: e.door) == grouped  # any iterable, checked first


# Instants given in two offsets: the same instant may come in either, and still ties.
EIGHT_HOURS_EAST = timezone(timedelta(hours=8))
spread_rows = st.lists(
    st.tuples(
        st.text("abcdef", min_size=1, max_size=3),
        st.integers(0, 3),
        st.booleans(),
        st.sampled_from(["front", "back", "side"]),
    ),
    unique_by=lambda row: row[0],
)


def spread_log(rows: list[tuple[str, int, bool, str]]) -> list[DoorEvent]:
    out = []
    for ident, minutes, east, door in rows:
        when = T0 + timedelta(minutes=minutes)
        out.append(
            DoorEvent(ident, when.astimezone(EIGHT_HOURS_EAST) if east else when, door, Push.OPEN)
        )
    return out


@given(spread_rows)
def test_sorting_in_replay_order_is_sorting_by_instant_then_id(
    rows: list[tuple[str, int, bool, str]],
) -> None:
    log = spread_log(rows)
    expected = sorted(log, key=replay_order)
    sorted_in_place = list(reversed(log))
    trusted_sort_in_replay_order(sorted_in_place)
    assert [e.id for e in sorted_in_place] == [e.id for e in expected]


@given(spread_rows)
def test_groups_are_in_replay_order_and_ordered_by_their_first_event(
    rows: list[tuple[str, int, bool, str]],
) -> None:
    log = spread_log(rows)
    plain: dict[str, list[DoorEvent]] = {}
    for event in sorted(log, key=replay_order):  # one pass over the log in replay order
        plain.setdefault(event.door, []).append(event)
    grouped = trusted_group_by_subject(log, lambda e: e.door)
    assert [(k, [e.id for e in g]) for k, g in grouped.items()] == [
        (k, [e.id for e in g]) for k, g in plain.items()
    ]


@given(twin_rows)
def test_trusted_first_of_each_id_agrees_with_first_of_each_id(
    rows: list[tuple[str, int, str, Push]],
) -> None:
    log = door_log(rows)
    assert trusted_first_of_each_id(log) == first_of_each_id(log)
    assert first_of_each_id(iter(log)) == first_of_each_id(log)


@given(twin_rows, st.booleans())
def test_trusted_replay_agrees_with_replay(
    rows: list[tuple[str, int, str, Push]], stamped: bool
) -> None:
    log = door_log(rows)
    if stamped:
        checked = replay(log, subject=lambda e: e.door, apply=step, stamp=stamp)
        fast = trusted_replay(log, subject=lambda e: e.door, apply=step, stamp=stamp)
    else:
        checked = replay(log, subject=lambda e: e.door, apply=apply_tracked)
        fast = trusted_replay(log, subject=lambda e: e.door, apply=apply_tracked)
    assert outcome(fast) == outcome(checked)


def test_the_checked_forms_still_check_what_the_twins_take_on_trust() -> None:
    naive = DoorEvent("a", datetime(2022, 3, 27, 8), "front", Push.OPEN)
    for call in (
        lambda: group_by_subject([naive], lambda e: e.door),
        lambda: first_of_each_id([naive]),
        lambda: replay([naive], subject=lambda e: e.door, apply=apply),
    ):
        with pytest.raises(InvalidInput) as err:
            call()
        assert (err.value.code, err.value.field) == ("bad_event", "events.0.at")
    with pytest.raises(InvalidInput) as err:
        replay([], subject="door", apply=apply)  # type: ignore[arg-type]
    assert err.value.code == "not_callable"


# --------------------------------------------------------------------------- the caller's functions


def _one_event() -> list[DoorEvent]:
    return [DoorEvent("e1", T0, "D1", Push.OPEN)]


@pytest.mark.parametrize(
    ("changed", "code", "field"),
    [
        ({"apply": None}, "not_callable", "apply"),
        ({"apply": "apply"}, "not_callable", "apply"),
        ({"stamp": 5}, "not_callable", "stamp"),
        ({"progress": 5}, "not_callable", "progress"),
        ({"subject": lambda e: [e.door]}, "bad_subject", "subject"),
        ({"subject": lambda e: {}}, "bad_subject", "subject"),
    ],
)
def test_replay_checks_the_functions_it_is_given_where_they_enter(
    changed: dict[str, object], code: str, field: str
) -> None:
    """A function that is none, or a subject naming a record by a list, is InvalidInput: a
    TypeError escaped from deep inside the replay before."""
    arguments: dict[str, object] = {"subject": lambda e: e.door, "apply": apply, **changed}
    with pytest.raises(InvalidInput) as caught:
        replay(_one_event(), **arguments)  # type: ignore[arg-type]
    assert (caught.value.code, caught.value.field) == (code, field)


def test_group_by_subject_refuses_a_subject_that_cannot_name_a_group() -> None:
    with pytest.raises(InvalidInput) as caught:
        group_by_subject(_one_event(), lambda e: [e.door])
    assert (caught.value.code, caught.value.field) == ("bad_subject", "subject")
