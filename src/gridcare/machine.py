"""Explicit state machines and event-log replay: one convention for every workflow.

The rules every lifecycle (declarations, household visits, whistle cases)
follows, and this module enforces:

* **One literal table.** A machine is a dict keyed by ``(state, event kind)``
  giving the next state. Event kinds are members of a ``StrEnum``, states of
  another. The *entry edge* is in the table too: its source state is
  :data:`NEW` (``None``), the state of a subject that has no record yet.
  A missing key raises :class:`~gridcare.errors.IllegalTransition` naming the
  machine, the state and the event kind.
* **Guards beside the table.** A transition that the table allows may still
  depend on the event's content (a transfer to the grid the declaration is
  already on, the attempt that reaches the campaign's limit). Each workflow
  declares those conditions as named functions next to its table, and its
  ``apply_<workflow>_event`` calls them before :meth:`Machine.next`.
* **Events say what they are the same way.** Every event has an ``id``, an
  aware instant ``at`` and a ``kind`` (the event-kind enum member).
* **One replay.** :func:`replay` sorts a log by (``at``, ``id``), treats a
  repeated id as a duplicate that changes nothing, folds each subject's events
  onto its record, and returns the records with the rejected events and their
  reasons. Nothing is dropped silently: ``applied + duplicates + rejected``
  equals the input.
* **An id names one event.** Copies of an id that are equal as values are
  re-deliveries: the first is replayed, the others are duplicates. Copies
  that differ are a conflict: every copy is rejected (``conflicting_id``),
  whatever order they came in (:func:`sort_out_ids`).
* **Replay resumes from records.** A record keeps the ids of the events
  applied to it, in replay order, and the instant of the last
  (:class:`Tracked`). Replaying more events onto stored records treats an id
  the record holds as a duplicate, an id another record holds as a conflict,
  and a new event before the record's last one as ``out_of_order``
  (:class:`History`, :func:`held_elsewhere`): resuming gives the records of
  one replay of the whole log.

The tables of the three lifecycles are drawn in the docs from
:meth:`Machine.transitions`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Container, Hashable, Iterable, Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from operator import attrgetter
from typing import Any, Final, Generic, Protocol, TypeVar

import attrs

from gridcare.errors import (
    GridcareError,
    IllegalTransition,
    InvalidInput,
    read_mapping,
    read_once,
    require_callable,
    require_instance,
    trusted,
    utc_offset,
)
from gridcare.masking import masked_field_reprs
from gridcare.text import check_text_of

__all__ = [
    "NEW",
    "Batch",
    "Event",
    "History",
    "Machine",
    "Rejection",
    "Replay",
    "Tracked",
    "check_records",
    "conflicting_id",
    "first_of_each_id",
    "group_by_subject",
    "held_elsewhere",
    "replay",
    "replay_order",
    "sort_out_ids",
]

S = TypeVar("S", bound=StrEnum)
V = TypeVar("V", bound=StrEnum)
R = TypeVar("R")
E = TypeVar("E", bound="Event")
K = TypeVar("K", bound=Hashable)

#: The source state of an entry edge: a subject with no record yet.
NEW: Final = None

#: How :class:`~gridcare.errors.IllegalTransition` names :data:`NEW`.
NEW_NAME: Final = "new"


class Event(Protocol):
    """What every workflow event has: a unique ``id`` and an aware instant ``at``."""

    @property
    def id(self) -> str: ...

    @property
    def at(self) -> datetime: ...


class Tracked(Protocol):
    """A record that says which events made it: what a resumed replay needs.

    ``event_ids`` are the ids of the events applied to the record, in replay
    order; ``last_event_at`` is the instant of the last of them (``None``
    while there is none). Together they place the record's last event in
    replay order: (``last_event_at``, ``event_ids[-1]``). The ids are a tuple:
    40 bytes plus 8 an id (a frozenset starts at 216), plain to store as a
    list, and a record's few ids are searched as fast as a set's
    (:class:`History` makes a set of a long one).
    """

    @property
    def event_ids(self) -> tuple[str, ...]: ...

    @property
    def last_event_at(self) -> datetime | None: ...


class Machine(Generic[S, V]):
    """One transition table: ``(state or NEW, event kind) -> next state``.

    The table is data, so docs and tests can list every legal transition
    (:meth:`transitions`) and check any pair (:meth:`is_legal`).

    >>> from enum import StrEnum
    >>> class Light(StrEnum):
    ...     OFF = "off"
    ...     ON = "on"
    >>> class Press(StrEnum):
    ...     FIT = "fit"
    ...     PRESS = "press"
    >>> m = Machine("light", {
    ...     (NEW, Press.FIT): Light.OFF,
    ...     (Light.OFF, Press.PRESS): Light.ON,
    ...     (Light.ON, Press.PRESS): Light.OFF,
    ... })
    >>> m.is_legal(Light.ON, Press.PRESS), m.next(NEW, Press.FIT)
    (True, <Light.OFF: 'off'>)
    >>> sorted(k.value for k in m.kinds), sorted(k.value for k in m.entry_kinds)
    (['fit', 'press'], ['fit'])

    The name is an id (the text rules of an id, :func:`gridcare.text.kind_problem`,
    with their codes) and the table a mapping of ``(state or NEW, kind)``
    pairs of enum members to a state (code ``bad_table`` naming the entry
    otherwise):

    >>> Machine("light", {(NEW, "fit"): Light.OFF})
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: table.0: expected (state or NEW, event kind) -> state [bad_table]
    >>> Machine("light\x1b[2J", {})
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: name: control character U+001B at position 5 [control_character]
    """

    __slots__ = ("_kind_types", "_state_types", "_table", "entry_kinds", "kinds", "name", "states")

    def __init__(self, name: str, table: Mapping[tuple[S | None, V], S]) -> None:
        check_text_of(name, "name")  # the rules of an id: errors name the machine by it
        _require_mapping(table, "table")
        table = read_mapping(table, "table")
        for i, (key, target) in enumerate(table.items()):
            _check_transition(key, target, i)
        self.name = name
        self._table: dict[tuple[S | None, V], S] = dict(table)
        #: Every event kind the table mentions.
        self.kinds: frozenset[V] = frozenset(kind for _, kind in self._table)
        #: The event kinds that create a record (their source is :data:`NEW`).
        self.entry_kinds: frozenset[V] = frozenset(
            kind for source, kind in self._table if source is NEW
        )
        states: set[S] = set(self._table.values())
        states.update(source for source, _ in self._table if source is not NEW)
        #: Every state the table mentions (not :data:`NEW`).
        self.states: frozenset[S] = frozenset(states)
        # The enumerations of the states (and NEW's type) and of the kinds, and text
        # (a member equals its text): what next() and is_legal() accept, checked by
        # type so that nothing is hashed first.
        self._state_types: frozenset[type] = frozenset(map(type, (*states, NEW, "")))
        self._kind_types: frozenset[type] = frozenset(map(type, (*self.kinds, "")))

    def _check(self, state: object, kind: object) -> None:
        """A state of the table's enumeration (or NEW) and a kind of its kinds' one (or text)."""
        if type(state) not in self._state_types:
            raise InvalidInput("bad_state", "state", f"expected a state of {self.name} or NEW")
        if type(kind) not in self._kind_types:
            raise InvalidInput("bad_enum", "kind", f"expected an event kind of {self.name}")

    def next(self, state: S | None, kind: V, *, detail: str = "") -> S:
        """The state after an event of ``kind`` in ``state``; raises ``IllegalTransition``.

        A state or kind of another type is ``InvalidInput`` (``bad_state``, ``bad_enum``).
        """
        if type(state) not in self._state_types or type(kind) not in self._kind_types:
            self._check(state, kind)
        target = self._table.get((state, kind))
        if target is None:
            shown = NEW_NAME if state is NEW else str(state)
            raise IllegalTransition(shown, str(kind), machine=self.name, detail=detail)
        return target

    def is_legal(self, state: S | None, kind: V) -> bool:
        """Whether the table has an entry for ``(state, kind)`` (of the table's types)."""
        if type(state) not in self._state_types or type(kind) not in self._kind_types:
            self._check(state, kind)
        return (state, kind) in self._table

    def transitions(self) -> tuple[tuple[S | None, V, S], ...]:
        """Every legal transition as ``(state or NEW, kind, next state)``, in table order."""
        return tuple((s, k, t) for (s, k), t in self._table.items())

    def __repr__(self) -> str:
        return f"Machine({self.name!r}, {len(self._table)} transitions)"


def _require_mapping(value: object, field: str) -> None:
    if not isinstance(value, Mapping):
        raise InvalidInput(
            "wrong_type", field, f"expected a mapping, got {type(value).__name__}", value=value
        )


def _check_transition(key: object, target: object, i: int) -> None:
    """One table entry: ``(state or NEW, kind) -> state``, all of them enum members."""
    if not (
        type(key) is tuple
        and len(key) == 2
        and (key[0] is NEW or isinstance(key[0], StrEnum))
        and isinstance(key[1], StrEnum)
        and isinstance(target, StrEnum)
    ):
        raise InvalidInput(
            "bad_table", f"table.{i}", "expected (state or NEW, event kind) -> state"
        )


@attrs.frozen(field_transformer=masked_field_reprs)
class Rejection(Generic[E]):
    """An event a replay could not apply, with the reason (a ``GridcareError``).

    The event has a text ``id`` and an aware instant ``at``; the error is a
    ``GridcareError`` (``InvalidInput`` otherwise).

    >>> from datetime import datetime, timezone
    >>> from gridcare.errors import IllegalTransition
    >>> @attrs.frozen
    ... class Tick:
    ...     id: str
    ...     at: datetime
    >>> tick = Tick("evt", datetime(2022, 3, 27, tzinfo=timezone.utc))
    >>> Rejection(tick, IllegalTransition("done", "start")).message
    "event 'start' is not allowed in state 'done'"
    """

    event: E
    error: GridcareError

    def __attrs_post_init__(self) -> None:
        _require_event(self.event, "event")
        require_instance(self.error, GridcareError, "error")

    @property
    def message(self) -> str:
        """The reason in words."""
        return str(self.error)


@attrs.frozen(field_transformer=masked_field_reprs)
class Replay(Generic[K, R, E]):
    """The outcome of replaying an event log.

    ``records`` maps each subject to its final record; ``applied``,
    ``duplicates`` and ``rejected`` partition the input events. ``applied``
    lists the events subject by subject, each subject's in replay order;
    ``duplicates`` are in replay order; ``rejected`` lists the copies of
    conflicting ids first (in replay order), then the refused events subject
    by subject. None of them depends on the order the log came in.

    ``records`` is a mapping and the three lists are tuples (``InvalidInput``
    otherwise); the replay that builds one made their items.

    >>> Replay({}, (), (), ()).total
    0
    """

    records: Mapping[K, R]
    applied: tuple[E, ...]
    duplicates: tuple[E, ...]
    rejected: tuple[Rejection[E], ...]

    def __attrs_post_init__(self) -> None:
        _require_mapping(self.records, "records")
        require_instance(self.applied, tuple, "applied")
        require_instance(self.duplicates, tuple, "duplicates")
        require_instance(self.rejected, tuple, "rejected")

    @property
    def total(self) -> int:
        """How many events went in: ``applied + duplicates + rejected``."""
        return len(self.applied) + len(self.duplicates) + len(self.rejected)


def replay_order(event: Event) -> tuple[datetime, str]:
    """The order a replay applies events in: by instant, then by id.

    >>> from datetime import datetime, timezone
    >>> @attrs.frozen
    ... class Tick:
    ...     id: str
    ...     at: datetime
    >>> t = datetime(2022, 3, 27, tzinfo=timezone.utc)
    >>> replay_order(Tick("b", t)) < replay_order(Tick("c", t))
    True
    >>> replay_order("b")
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: event.id: an event needs a text id [bad_event]
    """
    ident = getattr(event, "id", None)
    at = getattr(event, "at", None)
    if type(ident) is not str or type(at) is not datetime or utc_offset(at) is None:
        _require_event(event, "event")
    return (at, ident)  # type: ignore[return-value]


#: :func:`replay_order` for events already checked: the same key, with no check (a C-level
#: attribute getter). Public for the workflows' replays, which check their events where
#: they enter; not part of the documented interface.
trusted_replay_order = attrgetter("at", "id")
_instant = attrgetter("at")
_id = attrgetter("id")


def trusted_sort_in_replay_order(events: list[E]) -> None:
    """Sort checked events in place in :func:`replay_order`: by instant, then by id.

    Two stable sorts, by id and then by instant, give the (``at``, ``id``)
    order: events at the same instant keep the order of their ids. Their keys
    are the fields themselves, so no key tuple is built per event: sorting the
    240,000 households' groups of a city's attempts this way takes about 0.9 of
    the time, and leaves the collector fewer new objects to count. Public for
    the workflows' replays; not part of the documented interface.
    """
    events.sort(key=_id)
    events.sort(key=_instant)


def _first_event_id(group: tuple[object, list[E]]) -> str:
    return group[1][0].id


def _first_event_at(group: tuple[object, list[E]]) -> datetime:
    return group[1][0].at


def first_of_each_id(events: Iterable[E]) -> tuple[list[E], list[E]]:
    """Split a log into its first event per id and the repeats, in one pass.

    The first is the copy that comes first in :func:`replay_order` (the
    earliest ``at``), so the split does not depend on the order the log
    arrived in. The firsts keep the order they arrived in. The replays use
    :func:`sort_out_ids` instead, which rejects an id naming two different
    events rather than keep one of them.

    >>> from datetime import datetime, timedelta, timezone
    >>> @attrs.frozen
    ... class Tick:
    ...     id: str
    ...     at: datetime
    >>> t = datetime(2022, 3, 27, tzinfo=timezone.utc)
    >>> late, early = Tick("a", t + timedelta(hours=1)), Tick("a", t)
    >>> firsts, repeats = first_of_each_id([late, Tick("b", t), early])
    >>> [(e.id, e.at.hour) for e in firsts], [(e.id, e.at.hour) for e in repeats]
    ([('a', 0), ('b', 0)], [('a', 1)])
    """
    log = _checked_log(events)
    return trusted_first_of_each_id(log)


def trusted_first_of_each_id(events: Iterable[E]) -> tuple[list[E], list[E]]:
    """:func:`first_of_each_id` for a log whose events are known good: no event checked again.

    For logs whose events' types check ``id`` and ``at`` when built (the
    caller checks the types where the log enters). Public for the workflows;
    not part of the documented interface.
    """
    chosen: dict[str, E] = {}
    repeats: list[E] = []
    for event in events:
        key = event.id
        earlier = chosen.get(key)
        if earlier is None:
            chosen[key] = event
        elif event.at < earlier.at:
            chosen[key] = event
            repeats.append(earlier)
        else:
            repeats.append(event)
    return list(chosen.values()), repeats


def _check_event(event: object, i: int) -> None:
    """Every event has a text ``id`` and an aware instant ``at`` (the replay order's keys).

    The common case costs two attribute reads; the field path is built only
    for the error.
    """
    at = getattr(event, "at", None)
    if not (
        isinstance(getattr(event, "id", None), str)
        and isinstance(at, datetime)
        and utc_offset(at) is not None
    ):
        _require_event(event, f"events.{i}")


def _require_event(event: object, field: str) -> None:
    """The one check of an event's keys: a text ``id`` and an aware instant ``at``."""
    if not isinstance(getattr(event, "id", None), str):
        raise InvalidInput("bad_event", f"{field}.id", "an event needs a text id")
    at = getattr(event, "at", None)
    if not isinstance(at, datetime) or utc_offset(at) is None:
        raise InvalidInput("bad_event", f"{field}.at", "an event needs an aware instant")


def group_by_subject(events: Iterable[E], subject: Callable[[E], K]) -> dict[K, list[E]]:
    """Each subject's events in replay order; subjects ordered by their first event.

    The order is that of the events, not of the input, so a replay's lists
    come out the same for any permutation of the log.

    >>> from datetime import datetime, timedelta, timezone
    >>> @attrs.frozen
    ... class Tick:
    ...     id: str
    ...     at: datetime
    ...     counter: str
    >>> t = datetime(2022, 3, 27, tzinfo=timezone.utc)
    >>> log = [Tick("c", t, "y"), Tick("b", t + timedelta(1), "x"), Tick("a", t, "x")]
    >>> {k: [e.id for e in g] for k, g in group_by_subject(log, lambda e: e.counter).items()}
    {'x': ['a', 'b'], 'y': ['c']}
    """
    if isinstance(events, (str, bytes)) or not isinstance(events, Iterable):
        raise InvalidInput("wrong_type", "events", "expected a collection of events")
    require_callable(subject, "subject")
    log = events if isinstance(events, list) else read_once(events, "events")
    for i, event in enumerate(log):
        _check_event(event, i)
    return trusted_group_by_subject(log, _naming(subject))


def trusted_group_by_subject(events: Iterable[E], subject: Callable[[E], K]) -> dict[K, list[E]]:
    """:func:`group_by_subject` for a log whose events are known good: no event checked again.

    For logs whose events' types check ``id`` and ``at`` when built (the
    caller checks the types where the log enters, and passes a function).
    Public for the workflows' replays; not part of the documented interface.
    """
    # A defaultdict makes a subject's list on its first event in C: one lookup per event, a
    # fifth less time than asking for the list and branching on its absence.
    groups: defaultdict[K, list[E]] = defaultdict(list)
    for event in events:
        groups[subject(event)].append(event)
    for group in groups.values():
        if len(group) > 1:
            trusted_sort_in_replay_order(group)
    # The subjects in the replay order of their first events, by the same two stable sorts.
    ordered = sorted(groups.items(), key=_first_event_id)
    ordered.sort(key=_first_event_at)
    return dict(ordered)


def conflicting_id(event: Event) -> InvalidInput:
    """The error of an event whose id also names another event (code ``conflicting_id``).

    >>> from datetime import datetime, timezone
    >>> @attrs.frozen
    ... class Tick:
    ...     id: str
    ...     at: datetime
    >>> conflicting_id(Tick("a", datetime(2022, 3, 27, tzinfo=timezone.utc))).code
    'conflicting_id'
    """
    return InvalidInput(
        "conflicting_id", "id", "another event has the same id", value=getattr(event, "id", None)
    )


def _conflict_order(event: Event) -> tuple[datetime, str, str]:
    """Replay order, then ``repr``: copies of one id at one instant in a fixed order."""
    return (event.at, event.id, repr(event))


@attrs.frozen(init=False, field_transformer=masked_field_reprs)
class Batch(Generic[E]):
    """A log sorted out by event id (what :func:`sort_out_ids` returns).

    ``firsts`` holds one copy of each id that names one value, in the order
    the log came in; ``duplicates`` the other copies of those ids (each equal
    to its first), in replay order; ``conflicts`` every copy of an id that
    names two or more different values, in replay order (copies at one
    instant by their ``repr``).

    >>> Batch([], [], []).rejections()
    ()
    """

    firsts: list[E]
    duplicates: list[E]
    conflicts: list[E]

    def __init__(self, firsts: list[E], duplicates: list[E], conflicts: list[E]) -> None:
        for name, events in (
            ("firsts", firsts),
            ("duplicates", duplicates),
            ("conflicts", conflicts),
        ):
            if type(events) is not list:
                raise InvalidInput("wrong_type", name, "expected a list of events")
            for i, event in enumerate(events):
                _require_event(event, f"{name}.{i}")
        self.__attrs_init__(firsts, duplicates, conflicts)

    def set_aside(self, ids: Collection[str]) -> Batch[E]:
        """The batch with every copy of the ids in ``ids`` moved to the conflicts.

        >>> from datetime import datetime, timezone
        >>> @attrs.frozen
        ... class Tick:
        ...     id: str
        ...     at: datetime
        >>> a = Tick("a", datetime(2022, 3, 27, tzinfo=timezone.utc))
        >>> Batch([a], [a], []).set_aside({"a"}).conflicts == [a, a]
        True
        """
        if not ids:
            return self
        moved = [e for e in self.firsts if e.id in ids]
        moved += [e for e in self.duplicates if e.id in ids]
        if not moved:
            return self
        return _batch(
            [e for e in self.firsts if e.id not in ids],
            [e for e in self.duplicates if e.id not in ids],
            sorted([*self.conflicts, *moved], key=_conflict_order),
        )

    def rejections(self) -> tuple[Rejection[E], ...]:
        """Each copy of a conflicting id, rejected with :func:`conflicting_id`."""
        return tuple(Rejection(event, conflicting_id(event)) for event in self.conflicts)


def _batch(firsts: list[E], duplicates: list[E], conflicts: list[E]) -> Batch[E]:
    """A :class:`Batch` of events :func:`sort_out_ids` checked already: no check repeated."""
    return trusted(Batch, firsts, duplicates, conflicts)


def sort_out_ids(events: Iterable[E]) -> Batch[E]:
    """Sort a log out by event id in one pass: firsts, duplicates, conflicts (:class:`Batch`).

    Copies of an id that are equal as values are re-deliveries: the first is
    kept, the others are duplicates. Copies that differ are a conflict, and
    every copy of that id is set aside: which one is right cannot be told, and
    keeping one would make the outcome depend on the order of the log.
    Copies are compared only when an id comes again.

    >>> from datetime import datetime, timedelta, timezone
    >>> @attrs.frozen
    ... class Tick:
    ...     id: str
    ...     at: datetime
    >>> t = datetime(2022, 3, 27, tzinfo=timezone.utc)
    >>> log = [Tick("a", t), Tick("b", t), Tick("a", t), Tick("b", t + timedelta(hours=1))]
    >>> batch = sort_out_ids(log)
    >>> [e.id for e in batch.firsts], [e.id for e in batch.duplicates], len(batch.conflicts)
    (['a'], ['a'], 2)
    """
    log = _checked_log(events)
    return trusted_sort_out_ids(log)


def trusted_sort_out_ids(events: Sequence[E]) -> Batch[E]:
    """:func:`sort_out_ids` for a log whose events are known good: no event checked again.

    For the workflows' replays, which take only events of their own types
    (whose constructors check ``id`` and ``at``) and check the types where
    the log enters. Public for them; not part of the documented interface.
    """
    chosen: dict[str, E] = {}
    repeats: list[E] = []
    clashing: set[str] = set()
    for event in events:
        key = event.id
        earlier = chosen.get(key)
        if earlier is None:
            chosen[key] = event
            continue
        repeats.append(event)
        if earlier is not event and earlier != event:
            clashing.add(key)
    if len(repeats) > 1:
        trusted_sort_in_replay_order(repeats)
    return _batch(list(chosen.values()), repeats, []).set_aside(clashing)


def _checked_log(events: object) -> list[Any]:
    """``events`` as a list, each event checked (:func:`_check_event`): where a log enters."""
    log = _event_collection(events)
    if not isinstance(log, list):
        log = read_once(log, "events")
    for i, event in enumerate(log):
        _check_event(event, i)
    return log


def _event_collection(events: object) -> Iterable[Any]:
    """``events`` if it is a collection of events (not a text, bytes or a mapping)."""
    if isinstance(events, (str, bytes, bytearray, Mapping)) or not isinstance(events, Iterable):
        raise InvalidInput("wrong_type", "events", "expected a collection of events")
    return events


def _check_tracked(record: object, where: str) -> None:
    """A :class:`Tracked` record's ids are texts, and it knows when the last came."""
    ids = getattr(record, "event_ids", None)
    if ids is None:
        return
    if type(ids) is not tuple or not all(type(i) is str for i in ids):
        raise InvalidInput("wrong_type", f"{where}.event_ids", "expected a tuple of event ids")
    if ids:
        last = getattr(record, "last_event_at", None)
        if not isinstance(last, datetime) or utc_offset(last) is None:
            raise InvalidInput(
                "wrong_type",
                f"{where}.last_event_at",
                "a record holding events needs the aware instant of the last",
            )


class History:
    """What a stored record says about the events already applied to it.

    :meth:`of` reads a :class:`Tracked` record; :meth:`already_applied` is the
    one rule a resumed replay applies to each event for that record. An event
    older than the record's last, with an id the record does not hold, is
    ``out_of_order``: a resumed replay never rewrites what the record holds.

    >>> from datetime import datetime, timedelta, timezone
    >>> @attrs.frozen
    ... class Tick:
    ...     id: str
    ...     at: datetime
    >>> t = datetime(2022, 3, 27, tzinfo=timezone.utc)
    >>> h = History(("a", "b"), t)
    >>> h.already_applied(Tick("a", t - timedelta(hours=1)))
    True
    >>> h.already_applied(Tick("c", t + timedelta(hours=1)))
    False
    >>> h.already_applied(Tick("c", t - timedelta(hours=1)))
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: at: the record already holds a later event; ... [out_of_order]
    """

    __slots__ = ("_held", "ids", "last")

    #: A record holding more ids than this is searched through a set.
    SET_FROM: Final = 8

    def __init__(self, ids: tuple[str, ...], last_at: datetime) -> None:
        if type(ids) is not tuple or not ids or not all(type(i) is str for i in ids):
            raise InvalidInput("wrong_type", "ids", "expected a non-empty tuple of event ids")
        if not isinstance(last_at, datetime) or utc_offset(last_at) is None:
            raise InvalidInput("wrong_type", "last_at", "expected an aware instant")
        #: The ids applied to the record, in replay order (at least one).
        self.ids = ids
        self._held: Container[str] = ids if len(ids) <= self.SET_FROM else frozenset(ids)
        #: The record's last event in replay order: (instant, id).
        self.last: tuple[datetime, str] = (last_at, ids[-1])

    @classmethod
    def of(cls, record: object) -> History | None:
        """The history ``record`` keeps; ``None`` if it holds no ids or is not :class:`Tracked`.

        A malformed one (ids not a tuple of texts, no aware last instant) is
        ``InvalidInput`` (``wrong_type``).
        """
        _check_tracked(record, "records")
        ids = getattr(record, "event_ids", None)
        if not ids:
            return None
        return cls(ids, getattr(record, "last_event_at"))  # noqa: B009 - checked above

    def names_another(self, event: Event) -> bool:
        """Whether the record holds ``event``'s id for another event: it holds the id, and
        ``event`` comes after the record's last event, which the held one cannot.

        The one rule of a conflict with a stored record (:meth:`already_applied`
        raises ``conflicting_id`` for it). A workflow whose events belong to two
        records (a swab: its tube and its resident) asks both before either
        applies it.
        """
        return event.id in self._held and (event.at, event.id) > self.last

    def already_applied(self, event: Event) -> bool:
        """Whether the record holds ``event`` already (a duplicate); ``False``: apply it.

        An id the record holds is a duplicate, unless the event comes after
        the record's last event, which the held one cannot: then the id names
        two events (``conflicting_id``). A new id before the record's last
        event is ``out_of_order``. Both are ``InvalidInput``.
        """
        if event.id in self._held:
            if self.names_another(event):
                raise conflicting_id(event)
            return True
        if (event.at, event.id) < self.last:
            raise InvalidInput(
                "out_of_order",
                "at",
                "the record already holds a later event; an earlier one is not replayed onto it",
                value=event.at.isoformat(),
            )
        return False


def held_elsewhere(
    records: Mapping[K, object], events: Iterable[E], subject: Callable[[E], K | None]
) -> set[str]:
    """The ids of ``events`` that a record of another subject already holds: conflicts.

    ``subject(event)`` names the record the event is for (``None``: none of
    ``records``); whether that record holds the id is :class:`History`'s to
    judge. One pass over the records' ids.

    >>> from datetime import datetime, timezone
    >>> @attrs.frozen
    ... class Stored:
    ...     event_ids: tuple[str, ...]
    ...     last_event_at: datetime
    >>> @attrs.frozen
    ... class Tick:
    ...     id: str
    ...     at: datetime
    ...     counter: str
    >>> t = datetime(2022, 3, 27, tzinfo=timezone.utc)
    >>> stored = {"x": Stored(("a",), t), "y": Stored(("b",), t)}
    >>> held_elsewhere(stored, [Tick("a", t, "x"), Tick("b", t, "x")], lambda e: e.counter)
    {'b'}
    """
    if not isinstance(records, Mapping):
        raise InvalidInput("wrong_type", "records", "expected a mapping of id -> record")
    if not callable(subject):
        raise InvalidInput("wrong_type", "subject", "expected a function of an event")
    wanted: dict[str, K | None] = {}
    for i, event in enumerate(_event_collection(events)):
        _check_event(event, i)
        wanted[event.id] = subject(event)
    found: set[str] = set()
    if not wanted or not records:
        return found
    ids_wanted = wanted.keys()
    for key, record in records.items():
        ids = getattr(record, "event_ids", None)
        if not ids:
            continue
        _check_tracked(record, "records")
        if ids_wanted.isdisjoint(ids):
            continue
        for event_id in ids:
            if event_id in wanted and wanted[event_id] != key:
                found.add(event_id)
    return found


def check_records(
    records: object,
    record_type: type[R],
    key_of: Callable[[R], object],
    *,
    field: str = "records",
) -> dict[str, R]:
    """``records`` checked where stored records come back in, as a new dict.

    A mapping of text ids to ``record_type`` values, each filed under its own
    id (``key_of(record)``); a :class:`Tracked` record's ``event_ids`` is a
    tuple of texts, with an aware ``last_event_at`` when it holds any.
    Anything else is ``InvalidInput``: ``wrong_type``, or ``wrong_key`` for a
    record filed under another id.

    >>> check_records({"a": "a"}, str, str)
    {'a': 'a'}
    >>> check_records("x", str, str)
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: records: expected a mapping of id -> record [wrong_type]
    """
    if not isinstance(record_type, type):
        raise InvalidInput("wrong_type", "record_type", "expected a class")
    if not callable(key_of):
        raise InvalidInput("wrong_type", "key_of", "expected a function of a record")
    if not isinstance(records, Mapping):
        raise InvalidInput(
            "wrong_type", field, "expected a mapping of id -> record", value=type(records).__name__
        )
    checked: dict[str, R] = {}
    for key, record in read_mapping(records, field).items():
        if type(key) is not str:
            raise InvalidInput("wrong_type", field, "a record's id is a text", value=key)
        where = f"{field}.{key}"
        if not isinstance(record, record_type):
            raise InvalidInput(
                "wrong_type",
                where,
                f"expected a {record_type.__name__}",
                value=type(record).__name__,
            )
        if key_of(record) != key:
            raise InvalidInput("wrong_key", where, "the record is filed under another id")
        _check_tracked(record, where)
        checked[key] = record
    return checked


def replay(
    events: Iterable[E],
    *,
    subject: Callable[[E], K],
    apply: Callable[[R | None, E], R],
    records: Mapping[K, R] | None = None,
    progress: Callable[[int, int], None] | None = None,
    stamp: Callable[[R, tuple[str, ...]], R] | None = None,
) -> Replay[K, R, E]:
    """Replay ``events`` in (``at``, ``id``) order onto per-subject records.

    ``subject(event)`` names the record an event belongs to; ``apply(record,
    event)`` returns the new record (``record`` is ``None`` for a subject with
    no record yet, unless ``records`` holds a starting record for it) or
    raises a ``GridcareError``, which rejects that event and leaves the
    record as it was. A repeated id is a duplicate and changes nothing; an id
    that names different events is rejected, every copy
    (:func:`sort_out_ids`).

    ``records`` are stored records to resume from. Those that are
    :class:`Tracked` say which events they hold: an event one of them holds
    is a duplicate, an id another record holds a conflict, and a new event
    older than its record's last is ``out_of_order`` (:class:`History`,
    :func:`held_elsewhere`). Resuming from the records of a replay of a log's
    first events gives the records of one replay of the whole log. ``apply``
    either adds each event's id to the record itself, or leaves the ids as
    they are and ``stamp(record, ids)`` sets them once a subject's events are
    folded (linear in a subject's events).

    Subjects do not see each other's events, so the events are grouped per
    subject (:func:`group_by_subject`) and each group is folded in replay
    order: the records are those of one pass over the whole log in order,
    and each group is sorted on its own. ``progress(done, total)`` is called
    about 20 times over the subjects.

    >>> from datetime import datetime, timedelta, timezone
    >>> @attrs.frozen
    ... class Tick:
    ...     id: str
    ...     at: datetime
    ...     counter: str
    >>> t = datetime(2022, 3, 27, tzinfo=timezone.utc)
    >>> log = [Tick("b", t, "x"), Tick("a", t, "x"), Tick("a", t, "x")]
    >>> out = replay(log, subject=lambda e: e.counter, apply=lambda r, e: (r or 0) + 1)
    >>> out.records, len(out.applied), len(out.duplicates), out.total
    ({'x': 2}, 2, 1, 3)
    >>> clash = [Tick("c", t, "x"), Tick("c", t + timedelta(hours=1), "x")]
    >>> [r.error.code for r in replay(clash, subject=lambda e: e.counter,
    ...                              apply=lambda r, e: (r or 0) + 1).rejected]
    ['conflicting_id', 'conflicting_id']
    """
    log = _checked_log(events)
    require_callable(subject, "subject")
    require_callable(apply, "apply")
    for name, hook in (("progress", progress), ("stamp", stamp)):
        if hook is not None:
            require_callable(hook, name)
    return trusted_replay(
        log,
        subject=_naming(subject),
        apply=apply,
        records=records,
        progress=progress,
        stamp=stamp,
    )


def _hashable(value: object) -> bool:
    """Whether ``value`` can be a mapping's key: its hash is computed (a tuple holding a list
    is ``Hashable`` by its type, and still has none)."""
    try:
        hash(value)
    except Exception:  # a caller's value: refused where it enters, unchained
        return False
    return True


def _naming(subject: Callable[[E], K]) -> Callable[[E], K]:
    """``subject``, refusing a result that cannot name a record (a key of a mapping): a
    caller's function, checked where its results enter."""

    def key_of(event: E) -> K:
        key = subject(event)
        if not _hashable(key):
            raise InvalidInput(
                "bad_subject",
                "subject",
                f"subject gave a {type(key).__name__}, which cannot name a record",
            )
        return key

    return key_of


def trusted_replay(
    events: Sequence[E],
    *,
    subject: Callable[[E], K],
    apply: Callable[[R | None, E], R],
    records: Mapping[K, R] | None = None,
    progress: Callable[[int, int], None] | None = None,
    stamp: Callable[[R, tuple[str, ...]], R] | None = None,
) -> Replay[K, R, E]:
    """:func:`replay` for a log whose events are known good: no event checked again.

    For logs whose events' types check ``id`` and ``at`` when built (the
    caller checks the types where the log enters, and passes a function as
    ``subject``); ``records`` is checked as :func:`replay` checks it. Public
    for the workflows' replays; not part of the documented interface.
    """
    batch = trusted_sort_out_ids(events)
    if records is not None and not isinstance(records, Mapping):
        raise InvalidInput("wrong_type", "records", "expected a mapping of subject -> record")
    state: dict[K, R] = dict(records) if records else {}
    if state:
        batch = batch.set_aside(held_elsewhere(state, batch.firsts, subject))
    groups = trusted_group_by_subject(batch.firsts, subject)
    applied: list[E] = []
    duplicates: list[E] = list(batch.duplicates)
    rejected: list[Rejection[E]] = list(batch.rejections())
    total = len(groups)
    every = max(1, total // 20)
    for done, (key, group) in enumerate(groups.items(), start=1):
        record = state.get(key)
        history = None if record is None else History.of(record)
        fresh: list[str] = []
        for event in group:
            try:
                if history is not None and history.already_applied(event):
                    duplicates.append(event)
                    continue
                record = apply(record, event)
            except GridcareError as exc:
                rejected.append(Rejection(event, exc))
                continue
            applied.append(event)
            fresh.append(event.id)
        if record is not None:
            if stamp is not None and fresh:
                held = () if history is None else history.ids
                record = stamp(record, (*held, *fresh))
            state[key] = record
        if progress is not None and (done % every == 0 or done == total):
            progress(done, total)
    if len(duplicates) > len(batch.duplicates):
        trusted_sort_in_replay_order(duplicates)
    return Replay(state, tuple(applied), tuple(duplicates), tuple(rejected))
