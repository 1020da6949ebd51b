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

The tables of the three lifecycles are drawn in the docs from
:meth:`Machine.transitions`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from datetime import datetime
from enum import StrEnum
from typing import Final, Generic, Protocol, TypeVar

import attrs

from gridcare.errors import GridcareError, IllegalTransition, InvalidInput

__all__ = [
    "NEW",
    "Event",
    "Machine",
    "Rejection",
    "Replay",
    "first_of_each_id",
    "group_by_subject",
    "replay",
    "replay_order",
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
    """

    __slots__ = ("_table", "entry_kinds", "kinds", "name", "states")

    def __init__(self, name: str, table: Mapping[tuple[S | None, V], S]) -> None:
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

    def next(self, state: S | None, kind: V, *, detail: str = "") -> S:
        """The state after an event of ``kind`` in ``state``; raises ``IllegalTransition``."""
        target = self._table.get((state, kind))
        if target is None:
            shown = NEW_NAME if state is NEW else str(state)
            raise IllegalTransition(shown, str(kind), machine=self.name, detail=detail)
        return target

    def is_legal(self, state: S | None, kind: V) -> bool:
        """Whether the table has an entry for ``(state, kind)``."""
        return (state, kind) in self._table

    def transitions(self) -> tuple[tuple[S | None, V, S], ...]:
        """Every legal transition as ``(state or NEW, kind, next state)``, in table order."""
        return tuple((s, k, t) for (s, k), t in self._table.items())

    def __repr__(self) -> str:
        return f"Machine({self.name!r}, {len(self._table)} transitions)"


@attrs.frozen
class Rejection(Generic[E]):
    """An event a replay could not apply, with the reason (a ``GridcareError``).

    >>> from gridcare.errors import IllegalTransition
    >>> Rejection("evt", IllegalTransition("done", "start")).message
    "event 'start' is not allowed in state 'done'"
    """

    event: E
    error: GridcareError

    @property
    def message(self) -> str:
        """The reason in words."""
        return str(self.error)


@attrs.frozen
class Replay(Generic[K, R, E]):
    """The outcome of replaying an event log.

    ``records`` maps each subject to its final record; ``applied``,
    ``duplicates`` and ``rejected`` partition the input events.

    >>> Replay({}, (), (), ()).total
    0
    """

    records: Mapping[K, R]
    applied: tuple[E, ...]
    duplicates: tuple[E, ...]
    rejected: tuple[Rejection[E], ...]

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
    """
    return (event.at, event.id)


def first_of_each_id(events: Iterable[E]) -> tuple[list[E], list[E]]:
    """Split a log into its first event per id and the repeats, in one pass.

    The first is the copy that comes first in :func:`replay_order` (the
    earliest ``at``), so the split does not depend on the order the log
    arrived in. The firsts keep the order they arrived in.

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
    if isinstance(events, (str, bytes)) or not isinstance(events, Iterable):
        raise InvalidInput("wrong_type", "events", "expected a collection of events")
    chosen: dict[str, E] = {}
    repeats: list[E] = []
    for i, event in enumerate(events):
        _check_event(event, i)
        earlier = chosen.get(event.id)
        if earlier is None:
            chosen[event.id] = event
        elif event.at < earlier.at:
            chosen[event.id] = event
            repeats.append(earlier)
        else:
            repeats.append(event)
    return list(chosen.values()), repeats


def _check_event(event: object, i: int) -> None:
    """Every event has a text ``id`` and an aware instant ``at`` (the replay order's keys)."""
    if not isinstance(getattr(event, "id", None), str):
        raise InvalidInput("bad_event", f"events.{i}.id", "an event needs a text id")
    at = getattr(event, "at", None)
    if not isinstance(at, datetime) or at.utcoffset() is None:
        raise InvalidInput("bad_event", f"events.{i}.at", "an event needs an aware instant")


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
    groups: dict[K, list[E]] = {}
    for i, event in enumerate(events):
        _check_event(event, i)
        key = subject(event)
        group = groups.get(key)
        if group is None:
            groups[key] = [event]
        else:
            group.append(event)
    for group in groups.values():
        if len(group) > 1:
            group.sort(key=replay_order)
    ordered = sorted(groups.items(), key=lambda item: replay_order(item[1][0]))
    return dict(ordered)


def replay(
    events: Iterable[E],
    *,
    subject: Callable[[E], K],
    apply: Callable[[R | None, E], R],
    records: Mapping[K, R] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Replay[K, R, E]:
    """Replay ``events`` in (``at``, ``id``) order onto per-subject records.

    ``subject(event)`` names the record an event belongs to; ``apply(record,
    event)`` returns the new record (``record`` is ``None`` for a subject with
    no record yet, unless ``records`` holds a starting record for it) or
    raises a ``GridcareError``, which rejects that event and leaves the
    record as it was. A repeated event id is a duplicate and changes nothing.

    Subjects do not see each other's events, so the events are grouped per
    subject (:func:`group_by_subject`) and each group is folded in replay
    order: the records are those of one pass over the whole log in order,
    and each group is sorted on its own. ``applied`` and ``rejected`` list
    the events subject by subject, each subject's in replay order.
    ``progress(done, total)`` is called about 20 times over the subjects.

    >>> from datetime import datetime, timezone
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
    """
    firsts, duplicates = first_of_each_id(events)
    groups = group_by_subject(firsts, subject)
    state: dict[K, R] = dict(records) if records is not None else {}
    applied: list[E] = []
    rejected: list[Rejection[E]] = []
    total = len(groups)
    every = max(1, total // 20)
    for done, (key, group) in enumerate(groups.items(), start=1):
        record = state.get(key)
        for event in group:
            try:
                record = apply(record, event)
            except GridcareError as exc:
                rejected.append(Rejection(event, exc))
                continue
            applied.append(event)
        if record is not None:
            state[key] = record
        if progress is not None and (done % every == 0 or done == total):
            progress(done, total)
    return Replay(state, tuple(applied), tuple(duplicates), tuple(rejected))
