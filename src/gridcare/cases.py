"""Whistle cases: "the grid blows the whistle, departments report in" (网格吹哨、部门报到).

Rules this module obeys (the state-machine convention of :mod:`gridcare.machine`):

* a case's lifecycle is ONE literal transition table,
  :data:`WHISTLE_CASE_MACHINE`, keyed by (:class:`CaseState` or
  :data:`~gridcare.machine.NEW`, :class:`CaseEventKind`); the entry edge
  ``(NEW, RAISE) -> RAISED`` raises a case;
* every :class:`CaseEvent` has an ``id``, an instant ``at`` and a ``kind``;
  how urgent a case is is its ``urgency`` (:class:`CaseUrgency`);
* dispatching names departments; each department checks in once; the check-in
  of the last department still awaited is the table's
  ``CaseEventKind.CHECK_IN_LAST`` (it moves the case to ``CHECKED_IN``),
  earlier ones are ``CHECK_IN`` and keep it ``DISPATCHED``. Events carry
  ``CHECK_IN``; :func:`case_event_kind` picks the table's kind, and the guards
  beside the table (:func:`same_case`, :func:`department_awaited`) are named
  predicates checked first;
* deadlines are a value (:class:`CaseDeadlines`), per urgency, measured from
  when the case was raised (acceptance, closing) or a department was
  dispatched (its check-in); a reopened case's closing deadline runs again
  from the reopening. Overdue = the deadline is at or before ``as_of``;
* a case keeps the ids of the events applied to it and the instant of the
  last, so :func:`replay_cases` resumed from stored cases skips what they
  hold (the rules of :func:`gridcare.machine.replay`).

>>> from datetime import datetime, timedelta, timezone
>>> t = datetime(2022, 3, 25, 9, tzinfo=timezone.utc)
>>> log = [
...     CaseEvent(id="e1", at=t, case_id="C1", kind=CaseEventKind.RAISE, grid="G1",
...               topic=CaseTopic.HAZARD, urgency=CaseUrgency.EMERGENCY),
...     CaseEvent(id="e2", at=t + timedelta(minutes=10), case_id="C1",
...               kind=CaseEventKind.ACCEPT),
...     CaseEvent(id="e3", at=t + timedelta(minutes=20), case_id="C1",
...               kind=CaseEventKind.DISPATCH, departments=("fire", "gas")),
... ]
>>> case = replay_cases(log).records["C1"]
>>> case.state.value, case.pending_departments
('dispatched', ('fire', 'gas'))
>>> [o.department for o in overdue_check_ins([case], t + timedelta(hours=3))]
['fire', 'gas']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import attrs

from gridcare.errors import (
    Choice,
    IllegalTransition,
    InvalidInput,
    read_once,
    require_instance,
    require_int,
    require_items,
)
from gridcare.machine import NEW, Machine, Replay, check_records, replay
from gridcare.masking import mask_numbers, mask_numbers_in_each, mask_text, masked_field_reprs
from gridcare.serial import JsonMixin, personal
from gridcare.text import TEXT_LIMITS, check_text_of, is_plain
from gridcare.timeutil import require_aware

__all__ = [
    "DEFAULT_CASE_DEADLINES",
    "WHISTLE_CASE_MACHINE",
    "CaseDeadlines",
    "CaseEvent",
    "CaseEventKind",
    "CaseState",
    "CaseTopic",
    "CaseUrgency",
    "OverdueCase",
    "OverdueCheckIn",
    "UrgencyDeadlines",
    "WhistleCase",
    "apply_case_event",
    "case_event_kind",
    "department_awaited",
    "overdue_cases",
    "overdue_check_ins",
    "replay_cases",
    "same_case",
]


class CaseTopic(Choice):
    """What a grid blows the whistle about.

    >>> CaseTopic.EPIDEMIC_CLUE.value
    'epidemic_clue'
    """

    HAZARD = "hazard"
    DISPUTE = "dispute"
    EPIDEMIC_CLUE = "epidemic_clue"
    RESIDENT_NEED = "resident_need"


class CaseUrgency(Choice):
    """How urgent a case is; each urgency has its own deadlines.

    >>> [u.value for u in CaseUrgency]
    ['daily', 'tough_problem', 'emergency']
    """

    DAILY = "daily"
    TOUGH_PROBLEM = "tough_problem"
    EMERGENCY = "emergency"


class CaseState(Choice):
    """States of a whistle case (a case not raised yet has no record: its state is ``NEW``).

    >>> CaseState.CLOSED.open, CaseState.DISPATCHED.open
    (False, True)
    """

    RAISED = "raised"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    DISPATCHED = "dispatched"
    CHECKED_IN = "checked_in"
    HANDLED = "handled"
    CLOSED = "closed"
    REOPENED = "reopened"

    @property
    def open(self) -> bool:
        """Whether the case still runs (neither closed nor rejected)."""
        return self not in (CaseState.CLOSED, CaseState.REJECTED)


class CaseEventKind(Choice):
    """What happens to a case: the event kinds of :data:`WHISTLE_CASE_MACHINE`.

    ``CHECK_IN_LAST`` is the table's name for the check-in of the last
    department still awaited; events carry ``CHECK_IN`` and
    :func:`case_event_kind` tells the two apart.

    >>> CaseEventKind.VERIFY.value, CaseEventKind.CHECK_IN_LAST.value
    ('verify', 'check_in_last')
    """

    RAISE = "raise"
    ACCEPT = "accept"
    REJECT = "reject"
    DISPATCH = "dispatch"
    CHECK_IN = "check_in"
    CHECK_IN_LAST = "check_in_last"
    HANDLE = "handle"
    VERIFY = "verify"
    REOPEN = "reopen"


S = CaseState
K = CaseEventKind

#: The whistle-case transition table: (state or NEW, event kind) -> next state.
WHISTLE_CASE_MACHINE: Machine[CaseState, CaseEventKind] = Machine(
    "whistle_case",
    {
        (NEW, K.RAISE): S.RAISED,
        (S.RAISED, K.ACCEPT): S.ACCEPTED,
        (S.RAISED, K.REJECT): S.REJECTED,
        (S.ACCEPTED, K.DISPATCH): S.DISPATCHED,
        (S.DISPATCHED, K.DISPATCH): S.DISPATCHED,
        (S.DISPATCHED, K.CHECK_IN): S.DISPATCHED,
        (S.DISPATCHED, K.CHECK_IN_LAST): S.CHECKED_IN,
        (S.CHECKED_IN, K.DISPATCH): S.DISPATCHED,
        (S.CHECKED_IN, K.HANDLE): S.HANDLED,
        (S.HANDLED, K.VERIFY): S.CLOSED,
        (S.HANDLED, K.REOPEN): S.REOPENED,
        (S.CLOSED, K.REOPEN): S.REOPENED,
        (S.REOPENED, K.DISPATCH): S.DISPATCHED,
        (S.REOPENED, K.HANDLE): S.HANDLED,
    },
)


#: The longest deadline a case may have (so a deadline added to an instant stays a date).
_MAX_DEADLINE = timedelta(days=366)

#: The most characters of an id (a case, event or grid id)
#: and a note: the limits of their kinds in :mod:`gridcare.text`.
_ID = TEXT_LIMITS["id"]
_NOTE = TEXT_LIMITS["note"]


def _positive(field: str) -> Callable[[Any, Any, Any], None]:
    def check(instance: Any, attribute: Any, value: Any) -> None:
        if not isinstance(value, timedelta) or not timedelta(0) < value <= _MAX_DEADLINE:
            raise InvalidInput(
                "bad_deadline",
                field,
                "a deadline is a positive timedelta of at most 366 days",
                value=value,
            )

    return check


def _mask_named(pairs: tuple[tuple[str, datetime], ...]) -> tuple[tuple[str, datetime], ...]:
    """(department, instant) pairs with the phone and ID numbers in each name masked (a
    worker may type a contact person's number into one); the names stay readable."""
    return tuple((mask_numbers(name), at) for name, at in pairs)


@attrs.frozen(field_transformer=masked_field_reprs)
class UrgencyDeadlines:
    """Deadlines of one urgency: accept, each department's check-in, close.

    Each is a positive ``timedelta`` of at most 366 days (code ``bad_deadline``).

    >>> UrgencyDeadlines(timedelta(hours=2), timedelta(hours=2), timedelta(hours=1))
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: close: a case closes no sooner than it is accepted [...]
    """

    accept: timedelta = attrs.field(validator=_positive("accept"))
    check_in: timedelta = attrs.field(validator=_positive("check_in"))
    close: timedelta = attrs.field(validator=_positive("close"))

    def __attrs_post_init__(self) -> None:
        if self.close < self.accept:
            raise InvalidInput(
                "close_before_accept",
                "close",
                "a case closes no sooner than it is accepted",
                value=str(self.close),
            )


@attrs.frozen(field_transformer=masked_field_reprs)
class CaseDeadlines:
    """Deadlines per urgency. The defaults are illustrative local practice, not a rule.

    >>> DEFAULT_CASE_DEADLINES.for_urgency(CaseUrgency.EMERGENCY).check_in
    datetime.timedelta(seconds=7200)
    >>> CaseDeadlines(daily=timedelta(days=1))
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: daily: expected UrgencyDeadlines, got timedelta [bad_deadline]
    """

    daily: UrgencyDeadlines = UrgencyDeadlines(
        timedelta(days=1), timedelta(days=2), timedelta(days=7)
    )
    tough_problem: UrgencyDeadlines = UrgencyDeadlines(
        timedelta(days=1), timedelta(days=3), timedelta(days=15)
    )
    emergency: UrgencyDeadlines = UrgencyDeadlines(
        timedelta(minutes=30), timedelta(hours=2), timedelta(hours=24)
    )

    def __attrs_post_init__(self) -> None:
        for field in ("daily", "tough_problem", "emergency"):
            require_instance(getattr(self, field), UrgencyDeadlines, field, code="bad_deadline")

    def for_urgency(self, urgency: CaseUrgency) -> UrgencyDeadlines:
        """The deadlines of one urgency."""
        if urgency is CaseUrgency.DAILY:
            return self.daily
        if urgency is CaseUrgency.TOUGH_PROBLEM:
            return self.tough_problem
        if urgency is CaseUrgency.EMERGENCY:
            return self.emergency
        raise InvalidInput("bad_enum", "urgency", "expected a CaseUrgency", value=urgency)


#: The default deadlines (illustrative; set your own ``CaseDeadlines``).
DEFAULT_CASE_DEADLINES = CaseDeadlines()


def _mask(value: str) -> str:
    return repr(mask_text(value)) if value else "''"


def _check_departments(departments: tuple[object, ...], field: str) -> None:
    """Each of ``departments`` a department's name: the text rules of a place (``<field>.<i>``)."""
    for i, department in enumerate(departments):
        check_text_of(department, f"{field}.{i}", "place")


@attrs.frozen(field_transformer=masked_field_reprs)
class CaseEvent:
    """One event in a whistle case's life: its ``kind`` says what happened.

    Fields beyond ``id``, ``at``, ``case_id`` and ``kind`` depend on the kind:
    ``RAISE`` needs ``grid``, ``topic`` and ``urgency``; ``DISPATCH`` one or
    more ``departments``; ``CHECK_IN`` one ``department``; ``REJECT`` and
    ``REOPEN`` a ``note`` (the reason; masked in ``repr``). ``CHECK_IN_LAST``
    is the table's own kind, never an event's.

    The text rules of :func:`gridcare.text.kind_problem` hold whatever the
    kind: ``id``, ``case_id`` and ``grid`` are ids, a department's name
    (``department``, each of ``departments`` named ``departments.<i>``) a
    place's, the ``note`` a note's (empty unless the event needs a reason).
    A text that breaks them is ``InvalidInput`` with the rule's code.

    >>> from datetime import datetime, timezone
    >>> CaseEvent(id="e", at=datetime(2022, 3, 25, tzinfo=timezone.utc), case_id="C",
    ...           kind=CaseEventKind.CHECK_IN)
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: department: a check-in names its department [missing]
    >>> CaseEvent(id="e", at=datetime(2022, 3, 25, tzinfo=timezone.utc), case_id="C\\x1b[2J",
    ...           kind=CaseEventKind.ACCEPT)
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: case_id: control character U+001B at ... [control_character]
    """

    id: str
    at: datetime
    case_id: str
    kind: CaseEventKind
    grid: str | None = None
    topic: CaseTopic | None = None
    urgency: CaseUrgency | None = None
    departments: tuple[str, ...] = attrs.field(default=(), metadata=personal(mask_numbers_in_each))
    department: str | None = attrs.field(default=None, metadata=personal(mask_numbers))
    note: str = attrs.field(default="", repr=_mask, metadata=personal(mask_text))

    def __attrs_post_init__(self) -> None:
        # The texts pass the quick test of the text rules (gridcare.text.is_plain) or the full
        # rules decide.
        if not (is_plain(self.id, _ID) and is_plain(self.case_id, _ID)):
            check_text_of(self.id, "id")
            check_text_of(self.case_id, "case_id")
        require_aware(self.at, "at")
        kind = self.kind
        if not isinstance(kind, CaseEventKind):
            raise InvalidInput("bad_enum", "kind", "expected a CaseEventKind", value=kind)
        if kind is CaseEventKind.CHECK_IN_LAST:
            raise InvalidInput(
                "table_only_kind",
                "kind",
                "check_in_last is the table's name for the last awaited check-in: send check_in",
            )
        grid = self.grid
        if grid is not None:
            check_text_of(grid, "grid")
        elif kind is CaseEventKind.RAISE:
            raise InvalidInput("missing", "grid", "a case is raised by a grid")
        if kind is CaseEventKind.RAISE:
            if not isinstance(self.topic, CaseTopic):
                raise InvalidInput("missing", "topic", "a case has a topic", value=self.topic)
            if not isinstance(self.urgency, CaseUrgency):
                raise InvalidInput(
                    "missing", "urgency", "a case has an urgency", value=self.urgency
                )
        deps = self.departments
        if type(deps) is not tuple:
            raise InvalidInput(
                "bad_departments", "departments", "expected a tuple of departments", value=deps
            )
        _check_departments(deps, "departments")
        if kind is CaseEventKind.DISPATCH and (not deps or len(set(deps)) != len(deps)):
            raise InvalidInput(
                "bad_departments",
                "departments",
                "dispatch names one or more distinct departments",
                value=deps,
            )
        department = self.department
        if department is not None:
            check_text_of(department, "department", "place")
        elif kind is CaseEventKind.CHECK_IN:
            raise InvalidInput("missing", "department", "a check-in names its department")
        note = self.note
        if not ((type(note) is str and not note) or is_plain(note, _NOTE)):
            check_text_of(note, "note", "note", allow_empty=True)
        if kind in (CaseEventKind.REJECT, CaseEventKind.REOPEN) and not note.strip():
            raise InvalidInput("missing", "note", f"{kind.value} needs a reason")


@attrs.frozen(field_transformer=masked_field_reprs)
class WhistleCase(JsonMixin):
    """A whistle case as its events left it.

    ``dispatched`` maps each department to when it was (last) dispatched,
    ``checked_in`` to when it checked in, both as sorted tuples of pairs.
    ``event_ids`` are the ids of the events applied, in replay order, and
    ``last_event_at`` the instant of the last: what a replay resumed from
    stored cases needs (:class:`gridcare.machine.Tracked`). ``id``, ``grid``
    and each of ``event_ids`` (``event_ids.<i>``) keep the text rules of an
    id, the departments' names (``dispatched.<i>``, ``checked_in.<i>``) those
    of a place, the ``note`` those of a note (:func:`gridcare.text.kind_problem`).

    >>> from datetime import datetime, timezone
    >>> e = CaseEvent(id="e", at=datetime(2022, 3, 25, tzinfo=timezone.utc), case_id="C",
    ...     kind=CaseEventKind.RAISE, grid="G", topic=CaseTopic.DISPUTE,
    ...     urgency=CaseUrgency.DAILY)
    >>> apply_case_event(None, e).state
    <CaseState.RAISED: 'raised'>
    """

    id: str
    grid: str
    topic: CaseTopic
    urgency: CaseUrgency
    raised_at: datetime
    state: CaseState = CaseState.RAISED
    accepted_at: datetime | None = None
    dispatched: tuple[tuple[str, datetime], ...] = attrs.field(
        default=(), metadata=personal(_mask_named)
    )
    checked_in: tuple[tuple[str, datetime], ...] = attrs.field(
        default=(), metadata=personal(_mask_named)
    )
    handled_at: datetime | None = None
    closed_at: datetime | None = None
    reopened_at: datetime | None = None
    reopen_count: int = 0
    note: str = attrs.field(default="", repr=_mask, metadata=personal(mask_text))
    event_ids: tuple[str, ...] = ()
    last_event_at: datetime | None = None

    def __attrs_post_init__(self) -> None:
        # Built again at every event a replay applies: the quick test of the text rules first.
        if not (is_plain(self.id, _ID) and is_plain(self.grid, _ID)):
            check_text_of(self.id, "id")
            check_text_of(self.grid, "grid")
        require_instance(self.topic, CaseTopic, "topic", code="bad_enum")
        require_instance(self.urgency, CaseUrgency, "urgency", code="bad_enum")
        require_instance(self.state, CaseState, "state", code="bad_enum")
        require_aware(self.raised_at, "raised_at")
        for field in ("accepted_at", "handled_at", "closed_at", "reopened_at", "last_event_at"):
            value = getattr(self, field)
            if value is not None:
                require_aware(value, field)
        _check_sent(self.dispatched, "dispatched")
        _check_sent(self.checked_in, "checked_in")
        require_int(self.reopen_count, "reopen_count", low=0)
        note = self.note
        if not ((type(note) is str and not note) or is_plain(note, _NOTE)):
            check_text_of(note, "note", "note", allow_empty=True)
        ids = self.event_ids
        if type(ids) is not tuple:
            raise InvalidInput("bad_record", "event_ids", "expected a tuple of event ids")
        for i, event_id in enumerate(ids):
            check_text_of(event_id, f"event_ids.{i}")

    @property
    def pending_departments(self) -> tuple[str, ...]:
        """Departments dispatched that have not checked in since."""
        done = dict(self.checked_in)
        return tuple(d for d, at in self.dispatched if d not in done or done[d] < at)

    def open_at(self, at: datetime) -> bool:
        """Whether the case was open at ``at``, as far as its record tells.

        Open means raised before ``at`` and neither closed nor rejected before
        it: a case closed (``closed_at``) or rejected (its last event: a
        rejection is final) at ``at`` or later was still open then, as the
        daily report counts what happened before its cutoff. A record holds
        its latest state only, so a case closed before ``at`` and reopened
        since shows as open; replay the events before ``at`` for the exact
        state then.

        >>> from datetime import datetime, timedelta, timezone
        >>> t = datetime(2022, 3, 25, tzinfo=timezone.utc)
        >>> case = WhistleCase("C", "G", CaseTopic.DISPUTE, CaseUrgency.DAILY, t,
        ...                    CaseState.REJECTED, last_event_at=t + timedelta(hours=1))
        >>> case.open_at(t), case.open_at(t + timedelta(hours=1)), case.state.open
        (False, True, False)
        """
        return _open_at(self, require_aware(at, "at"))


def _open_at(case: WhistleCase, at: datetime) -> bool:
    """:meth:`WhistleCase.open_at` once ``at`` is known to be an aware instant."""
    if case.raised_at >= at:
        return False
    if case.state is CaseState.CLOSED:
        ended = case.closed_at
    elif case.state is CaseState.REJECTED:
        ended = case.last_event_at
    else:
        return True
    return ended is not None and ended >= at


def _check_sent(value: object, field: str) -> None:
    """``dispatched`` or ``checked_in``: a tuple of (department, aware instant) pairs, each
    department's name keeping the text rules of a place (named ``<field>.<i>``)."""
    if type(value) is not tuple or not all(
        type(pair) is tuple
        and len(pair) == 2
        and isinstance(pair[1], datetime)
        and pair[1].utcoffset() is not None
        for pair in value
    ):
        raise InvalidInput("bad_departments", field, "expected (department, instant) pairs")
    _check_departments(tuple([pair[0] for pair in value]), field)


def _check_guard(case: object, event: object) -> None:
    """The arguments of a guard: a :class:`WhistleCase` and a :class:`CaseEvent`."""
    require_instance(case, WhistleCase, "case", code="bad_case")
    require_instance(event, CaseEvent, "event", code="bad_event")


def same_case(case: WhistleCase, event: CaseEvent) -> bool:
    """Guard: whether ``event`` is for ``case``.

    >>> from datetime import datetime, timezone
    >>> t = datetime(2022, 3, 25, tzinfo=timezone.utc)
    >>> case = WhistleCase("C1", "G1", CaseTopic.HAZARD, CaseUrgency.DAILY, t)
    >>> same_case(case, CaseEvent(id="e", at=t, case_id="C2", kind=CaseEventKind.ACCEPT))
    False
    >>> same_case("C1", CaseEvent(id="e", at=t, case_id="C1", kind=CaseEventKind.ACCEPT))
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: case: expected WhistleCase, got str [bad_case]
    """
    _check_guard(case, event)
    return case.id == event.case_id


def department_awaited(case: WhistleCase, event: CaseEvent) -> bool:
    """Guard: whether a check-in is by a department still awaited (other kinds: always).

    >>> from datetime import datetime, timezone
    >>> t = datetime(2022, 3, 25, tzinfo=timezone.utc)
    >>> case = WhistleCase("C1", "G1", CaseTopic.HAZARD, CaseUrgency.DAILY, t,
    ...                    CaseState.DISPATCHED, dispatched=(("fire", t),))
    >>> department_awaited(case, CaseEvent(id="e", at=t, case_id="C1",
    ...                    kind=CaseEventKind.CHECK_IN, department="police"))
    False
    """
    _check_guard(case, event)
    return event.kind is not CaseEventKind.CHECK_IN or event.department in case.pending_departments


def case_event_kind(case: WhistleCase | None, event: CaseEvent) -> CaseEventKind:
    """The table kind of ``event``: ``CHECK_IN_LAST`` for the last awaited check-in.

    >>> from datetime import datetime, timezone
    >>> t = datetime(2022, 3, 25, tzinfo=timezone.utc)
    >>> case = WhistleCase("C1", "G1", CaseTopic.HAZARD, CaseUrgency.DAILY, t,
    ...                    CaseState.DISPATCHED, dispatched=(("fire", t),))
    >>> case_event_kind(case, CaseEvent(id="e", at=t, case_id="C1",
    ...                 kind=CaseEventKind.CHECK_IN, department="fire"))
    <CaseEventKind.CHECK_IN_LAST: 'check_in_last'>
    """
    require_instance(event, CaseEvent, "event", code="bad_event")
    if case is not None:
        require_instance(case, WhistleCase, "case", code="bad_case")
    if (
        event.kind is CaseEventKind.CHECK_IN
        and case is not None
        and case.pending_departments == (event.department,)
    ):
        return CaseEventKind.CHECK_IN_LAST
    return event.kind


def apply_case_event(case: WhistleCase | None, event: CaseEvent) -> WhistleCase:
    """The case after ``event`` (``None`` before it is raised); raises ``IllegalTransition``.

    The guards beside the table run first: an event for another case is
    ``wrong_case`` (``InvalidInput``), a check-in by a department not awaited
    an ``IllegalTransition``. The table then gets :func:`case_event_kind`.

    >>> from datetime import datetime, timezone
    >>> e = CaseEvent(id="e", at=datetime(2022, 3, 25, tzinfo=timezone.utc), case_id="C",
    ...               kind=CaseEventKind.VERIFY)
    >>> apply_case_event(None, e)
    Traceback (most recent call last):
    ...
    gridcare.errors.IllegalTransition: whistle_case: event 'verify' is not allowed in state 'new'...
    """
    if not isinstance(event, CaseEvent):
        raise InvalidInput("bad_event", "event", "expected a CaseEvent")
    if case is not None and not isinstance(case, WhistleCase):
        raise InvalidInput("bad_case", "case", "expected a WhistleCase or None")
    held = () if case is None else case.event_ids
    return _next_case(case, event, (*held, event.id))


def _replay_step(case: WhistleCase | None, event: CaseEvent) -> WhistleCase:
    """The case after ``event`` with its ids as they were: the replay stamps them once."""
    return _next_case(case, event, () if case is None else case.event_ids)


def _stamp(case: WhistleCase, event_ids: tuple[str, ...]) -> WhistleCase:
    return attrs.evolve(case, event_ids=event_ids)


def _next_case(
    case: WhistleCase | None, event: CaseEvent, event_ids: tuple[str, ...]
) -> WhistleCase:
    """The rules of :func:`apply_case_event`; the new case holds ``event_ids``."""
    if case is None:
        target = WHISTLE_CASE_MACHINE.next(NEW, case_event_kind(None, event), detail=event.id)
        return _raised(event, target, event_ids)
    if not same_case(case, event):
        raise InvalidInput(
            "wrong_case", "case_id", "event is for another case", value=event.case_id
        )
    if not department_awaited(case, event):
        raise IllegalTransition(
            case.state.value,
            event.kind.value,
            machine=WHISTLE_CASE_MACHINE.name,
            detail=f"department {event.department!r} is not awaited",
        )
    target = WHISTLE_CASE_MACHINE.next(case.state, case_event_kind(case, event), detail=event.id)
    changes = _changes(case, event, target)
    changes["event_ids"] = event_ids
    changes["last_event_at"] = event.at
    return attrs.evolve(case, **changes)  # type: ignore[arg-type]


def _raised(event: CaseEvent, state: CaseState, event_ids: tuple[str, ...]) -> WhistleCase:
    """The record the entry edge creates (the event checked its own fields: a raise names
    its grid, topic and urgency)."""
    assert event.grid is not None
    assert event.topic is not None
    assert event.urgency is not None
    return WhistleCase(
        event.case_id,
        event.grid,
        event.topic,
        event.urgency,
        event.at,
        state,
        note=event.note,
        event_ids=event_ids,
        last_event_at=event.at,
    )


def _changes(case: WhistleCase, event: CaseEvent, state: CaseState) -> dict[str, object]:
    """The fields ``event`` changes on ``case`` (the table already allowed it)."""
    kind = event.kind
    at = event.at
    changes: dict[str, object] = {"state": state}
    if kind is CaseEventKind.ACCEPT:
        changes["accepted_at"] = at
    elif kind is CaseEventKind.REJECT:
        changes["note"] = event.note
    elif kind is CaseEventKind.DISPATCH:
        current = dict(case.dispatched)
        for dep in event.departments:
            current[dep] = at
        changes["dispatched"] = tuple(sorted(current.items()))
    elif kind is CaseEventKind.CHECK_IN and event.department is not None:
        done = dict(case.checked_in)
        done[event.department] = at
        changes["checked_in"] = tuple(sorted(done.items()))
    elif kind is CaseEventKind.HANDLE:
        changes["handled_at"] = at
    elif kind is CaseEventKind.VERIFY:
        changes["closed_at"] = at
    elif kind is CaseEventKind.REOPEN:
        changes["reopened_at"] = at
        changes["closed_at"] = None
        changes["reopen_count"] = case.reopen_count + 1
        changes["note"] = event.note
    return changes


def _subject(event: CaseEvent) -> str:
    return event.case_id


def _case_key(case: WhistleCase) -> str:
    return case.id


def replay_cases(
    events: Iterable[CaseEvent], *, records: Mapping[str, WhistleCase] | None = None
) -> Replay[str, WhistleCase, CaseEvent]:
    """Replay case events into cases by case id.

    This is :func:`gridcare.machine.replay` with :func:`apply_case_event`:
    events in (``at``, ``id``) order, a repeated id is a duplicate and changes
    nothing, an id naming two different events is rejected
    (``conflicting_id``), a refused event is returned with its reason;
    ``applied`` and ``rejected`` list the events case by case, each case's in
    (``at``, ``id``) order. ``records`` holds stored cases to resume from
    (case id -> :class:`WhistleCase`; anything else is ``InvalidInput``,
    ``wrong_type``): an event a case holds is a duplicate, a new event before
    its case's last is ``out_of_order``.

    >>> replay_cases([]).total
    0
    >>> replay_cases([], records="C1")
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: records: expected a mapping of id -> record [wrong_type]
    """
    start = None if records is None else check_records(records, WhistleCase, _case_key)
    if isinstance(events, (str, bytes)) or not isinstance(events, Iterable):
        raise InvalidInput("wrong_type", "events", "expected a collection of events")
    log = read_once(events, "events")
    for i, event in enumerate(log):
        if not isinstance(event, CaseEvent):
            raise InvalidInput("bad_event", f"events.{i}", "expected a CaseEvent")
    return replay(log, subject=_subject, apply=_replay_step, records=start, stamp=_stamp)


@attrs.frozen(field_transformer=masked_field_reprs)
class OverdueCheckIn:
    """A department that has not checked in by its deadline.

    ``case_id`` keeps the text rules of an id, ``department`` those of a
    place (:func:`gridcare.text.kind_problem`).

    >>> from datetime import datetime, timezone
    >>> OverdueCheckIn("C", "fire", datetime(2022, 3, 25, tzinfo=timezone.utc)).department
    'fire'
    """

    case_id: str
    department: str = attrs.field(metadata=personal(mask_numbers))
    due: datetime

    def __attrs_post_init__(self) -> None:
        _check_overdue(self.case_id, self.due)
        check_text_of(self.department, "department", "place")


@attrs.frozen(field_transformer=masked_field_reprs)
class OverdueCase:
    """A case past a deadline: ``stage`` is ``"accept"`` or ``"close"``.

    >>> from datetime import datetime, timezone
    >>> OverdueCase("C", "close", datetime(2022, 3, 25, tzinfo=timezone.utc)).stage
    'close'
    """

    case_id: str
    stage: str
    due: datetime

    def __attrs_post_init__(self) -> None:
        _check_overdue(self.case_id, self.due)
        if type(self.stage) is not str or self.stage not in _STAGES:
            raise InvalidInput("bad_stage", "stage", "the stage is 'accept' or 'close'")


#: The deadlines a case as a whole can miss (:attr:`OverdueCase.stage`).
_STAGES = ("accept", "close")


def _check_overdue(case_id: object, due: object) -> None:
    check_text_of(case_id, "case_id")
    require_aware(due, "due")


def _cases(cases: Iterable[WhistleCase], deadlines: CaseDeadlines) -> Sequence[WhistleCase]:
    """The arguments of the overdue lists, checked: the cases, one by one, and the deadlines."""
    require_instance(deadlines, CaseDeadlines, "deadlines", code="bad_deadline")
    return require_items(cases, WhistleCase, "cases")


def overdue_check_ins(
    cases: Iterable[WhistleCase],
    as_of: datetime,
    deadlines: CaseDeadlines = DEFAULT_CASE_DEADLINES,
) -> list[OverdueCheckIn]:
    """Departments of open cases whose check-in deadline is at or before ``as_of``.

    >>> overdue_check_ins([], datetime(2022, 3, 25).astimezone())
    []
    """
    require_aware(as_of, "as_of")
    found = []
    for case in _cases(cases, deadlines):
        if not case.state.open:
            continue
        limit = deadlines.for_urgency(case.urgency).check_in
        sent = dict(case.dispatched)
        for dep in case.pending_departments:
            due = sent[dep] + limit
            if due <= as_of:
                found.append(OverdueCheckIn(case.id, dep, due))
    found.sort(key=lambda o: (o.due, o.case_id, o.department))
    return found


def overdue_cases(
    cases: Iterable[WhistleCase],
    as_of: datetime,
    deadlines: CaseDeadlines = DEFAULT_CASE_DEADLINES,
) -> list[OverdueCase]:
    """Open cases not accepted, or not closed, by their deadline (at or before ``as_of``).

    >>> overdue_cases([], datetime(2022, 3, 25).astimezone())
    []
    """
    require_aware(as_of, "as_of")
    found = []
    for case in _cases(cases, deadlines):
        if not case.state.open:
            continue
        limits = deadlines.for_urgency(case.urgency)
        if case.state is CaseState.RAISED:
            due = case.raised_at + limits.accept
            if due <= as_of:
                found.append(OverdueCase(case.id, "accept", due))
                continue
        start = case.reopened_at if case.reopened_at is not None else case.raised_at
        due = start + limits.close
        if due <= as_of:
            found.append(OverdueCase(case.id, "close", due))
    found.sort(key=lambda o: (o.due, o.case_id))
    return found
