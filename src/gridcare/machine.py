"""Explicit state machines and event-log replay, shared by every workflow.

Rules this module obeys (DESIGN.md, "State machines"):

* a machine is one table keyed by (state, event type); a missing key raises
  :class:`~gridcare.errors.IllegalTransition` naming the machine, state and event;
* every event has an ``id`` and an instant ``at``; a replay sorts the log by
  (``at``, ``id``), treats a repeated id as a no-op, and returns the final
  records plus the rejected events with their reasons;
* nothing is dropped silently: ``applied + duplicates + rejected == input``.

Workflows (declarations, visits, whistle cases) define their own record and
event types and an ``apply(record, event)`` function that consults their
:class:`Machine`; :func:`replay` does the rest.

>>> from enum import StrEnum
>>> class Door(StrEnum):
...     OPEN = "open"
...     SHUT = "shut"
>>> door = Machine("door", {(Door.SHUT, "open"): Door.OPEN, (Door.OPEN, "close"): Door.SHUT})
>>> door.next(Door.SHUT, "open")
<Door.OPEN: 'open'>
>>> door.next(Door.OPEN, "open")
Traceback (most recent call last):
...
gridcare.errors.IllegalTransition: door: event 'open' is not allowed in state 'open'
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from datetime import datetime
from enum import StrEnum
from typing import Generic, Protocol, TypeVar

import attrs

from gridcare.errors import GridcareError, IllegalTransition

__all__ = [
    "Event",
    "Machine",
    "Rejection",
    "Replay",
    "replay",
]

S = TypeVar("S", bound=StrEnum)
R = TypeVar("R")
E = TypeVar("E", bound="Event")
K = TypeVar("K", bound=Hashable)


class Event(Protocol):
    """What every workflow event has: a unique ``id`` and an aware instant ``at``."""

    @property
    def id(self) -> str: ...

    @property
    def at(self) -> datetime: ...


class Machine(Generic[S]):
    """One transition table: ``(state, event type) -> next state``.

    The table is data, so docs and tests can list every legal transition
    (:meth:`transitions`) and every illegal one (:meth:`is_legal`).

    >>> from enum import StrEnum
    >>> class Light(StrEnum):
    ...     OFF = "off"
    ...     ON = "on"
    >>> m = Machine("light", {(Light.OFF, "press"): Light.ON, (Light.ON, "press"): Light.OFF})
    >>> m.is_legal(Light.ON, "press"), sorted(m.events)
    (True, ['press'])
    """

    __slots__ = ("_table", "events", "name", "states")

    def __init__(self, name: str, table: Mapping[tuple[S, str], S]) -> None:
        self.name = name
        self._table: dict[tuple[S, str], S] = dict(table)
        self.events: frozenset[str] = frozenset(event for _, event in self._table)
        states: set[S] = set()
        for (source, _), target in self._table.items():
            states.add(source)
            states.add(target)
        self.states: frozenset[S] = frozenset(states)

    def next(self, state: S, event_type: str, *, detail: str = "") -> S:
        """The state after ``event_type`` in ``state``; raises ``IllegalTransition``."""
        try:
            return self._table[(state, event_type)]
        except KeyError:
            raise IllegalTransition(
                str(state), event_type, machine=self.name, detail=detail
            ) from None

    def is_legal(self, state: S, event_type: str) -> bool:
        """Whether the table has an entry for ``(state, event_type)``."""
        return (state, event_type) in self._table

    def transitions(self) -> tuple[tuple[S, str, S], ...]:
        """Every legal transition as ``(state, event type, next state)``, in table order."""
        return tuple((s, e, t) for (s, e), t in self._table.items())

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

    records: dict[K, R]
    applied: tuple[E, ...]
    duplicates: tuple[E, ...]
    rejected: tuple[Rejection[E], ...]

    @property
    def total(self) -> int:
        """How many events went in: ``applied + duplicates + rejected``."""
        return len(self.applied) + len(self.duplicates) + len(self.rejected)


def _order(event: Event) -> tuple[datetime, str]:
    return (event.at, event.id)


def replay(
    events: Iterable[E],
    *,
    subject: Callable[[E], K],
    apply: Callable[[R | None, E], R],
    records: Mapping[K, R] | None = None,
) -> Replay[K, R, E]:
    """Replay ``events`` in (``at``, ``id``) order onto per-subject records.

    ``subject(event)`` names the record an event belongs to; ``apply(record,
    event)`` returns the new record (``record`` is ``None`` for a subject seen
    for the first time, unless ``records`` gives starting records) or raises a
    ``GridcareError``, which rejects that event and leaves the record as it was.
    A repeated event id is a duplicate and changes nothing.

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
    state: dict[K, R] = dict(records) if records is not None else {}
    seen: set[str] = set()
    applied: list[E] = []
    duplicates: list[E] = []
    rejected: list[Rejection[E]] = []
    for event in sorted(events, key=_order):
        if event.id in seen:
            duplicates.append(event)
            continue
        seen.add(event.id)
        key = subject(event)
        try:
            state[key] = apply(state.get(key), event)
        except GridcareError as exc:
            rejected.append(Rejection(event, exc))
            continue
        applied.append(event)
    return Replay(state, tuple(applied), tuple(duplicates), tuple(rejected))
