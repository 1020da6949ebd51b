"""Whistle cases: "the grid blows the whistle, departments report in" (网格吹哨、部门报到).

Rules this module obeys (DESIGN.md, "State machines"):

* a case's lifecycle is ONE transition table, :data:`WHISTLE_CASE_MACHINE`,
  keyed by (:class:`CaseState`, :class:`CaseEventType`); the first event of a
  case raises it (from ``NOT_RAISED``);
* dispatching names departments; each department checks in once; the check-in
  of the last department still expected moves the case to ``CHECKED_IN``
  (the table event ``check_in_last``), earlier ones keep it ``DISPATCHED``;
* deadlines are a value (:class:`CaseDeadlines`), per case kind, measured from
  when the case was raised (acceptance, closing) or a department was
  dispatched (its check-in); a reopened case's closing deadline runs again
  from the reopening. Overdue = the deadline is at or before ``as_of``.

>>> from datetime import datetime, timedelta, timezone
>>> t = datetime(2022, 3, 25, 9, tzinfo=timezone.utc)
>>> log = [
...     CaseEvent(id="e1", at=t, case_id="C1", type=CaseEventType.RAISE, grid="G1",
...               topic=CaseTopic.HAZARD, kind=CaseKind.EMERGENCY),
...     CaseEvent(id="e2", at=t + timedelta(minutes=10), case_id="C1",
...               type=CaseEventType.ACCEPT),
...     CaseEvent(id="e3", at=t + timedelta(minutes=20), case_id="C1",
...               type=CaseEventType.DISPATCH, departments=("fire", "gas")),
... ]
>>> case = replay_cases(log).records["C1"]
>>> case.state.value, case.pending_departments
('dispatched', ('fire', 'gas'))
>>> [o.department for o in overdue_check_ins([case], t + timedelta(hours=3))]
['fire', 'gas']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import attrs

from gridcare.errors import IllegalTransition, InvalidInput
from gridcare.machine import Machine, Replay, replay
from gridcare.masking import mask_text
from gridcare.timeutil import require_aware

__all__ = [
    "DEFAULT_CASE_DEADLINES",
    "WHISTLE_CASE_MACHINE",
    "CaseDeadlines",
    "CaseEvent",
    "CaseEventType",
    "CaseKind",
    "CaseState",
    "CaseTopic",
    "KindDeadlines",
    "OverdueCase",
    "OverdueCheckIn",
    "WhistleCase",
    "apply_case_event",
    "overdue_cases",
    "overdue_check_ins",
    "replay_cases",
]


class CaseTopic(StrEnum):
    """What a grid blows the whistle about.

    >>> CaseTopic.EPIDEMIC_CLUE.value
    'epidemic_clue'
    """

    HAZARD = "hazard"
    DISPUTE = "dispute"
    EPIDEMIC_CLUE = "epidemic_clue"
    RESIDENT_NEED = "resident_need"


class CaseKind(StrEnum):
    """How urgent a case is; each kind has its own deadlines.

    >>> [k.value for k in CaseKind]
    ['daily', 'tough_problem', 'emergency']
    """

    DAILY = "daily"
    TOUGH_PROBLEM = "tough_problem"
    EMERGENCY = "emergency"


class CaseState(StrEnum):
    """States of a whistle case.

    >>> CaseState.CLOSED.open, CaseState.DISPATCHED.open
    (False, True)
    """

    NOT_RAISED = "not_raised"
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
        """Whether the case still runs (neither closed nor rejected, and raised)."""
        return self not in (CaseState.CLOSED, CaseState.REJECTED, CaseState.NOT_RAISED)


class CaseEventType(StrEnum):
    """What happens to a case. ``CHECK_IN`` is split by the table (see module doc).

    >>> CaseEventType.VERIFY.value
    'verify'
    """

    RAISE = "raise"
    ACCEPT = "accept"
    REJECT = "reject"
    DISPATCH = "dispatch"
    CHECK_IN = "check_in"
    HANDLE = "handle"
    VERIFY = "verify"
    REOPEN = "reopen"


_CHECK_IN_LAST = "check_in_last"


def _build_table() -> dict[tuple[CaseState, str], CaseState]:
    s = CaseState
    e = CaseEventType
    return {
        (s.NOT_RAISED, e.RAISE): s.RAISED,
        (s.RAISED, e.ACCEPT): s.ACCEPTED,
        (s.RAISED, e.REJECT): s.REJECTED,
        (s.ACCEPTED, e.DISPATCH): s.DISPATCHED,
        (s.DISPATCHED, e.DISPATCH): s.DISPATCHED,
        (s.DISPATCHED, e.CHECK_IN): s.DISPATCHED,
        (s.DISPATCHED, _CHECK_IN_LAST): s.CHECKED_IN,
        (s.CHECKED_IN, e.DISPATCH): s.DISPATCHED,
        (s.CHECKED_IN, e.HANDLE): s.HANDLED,
        (s.HANDLED, e.VERIFY): s.CLOSED,
        (s.HANDLED, e.REOPEN): s.REOPENED,
        (s.CLOSED, e.REOPEN): s.REOPENED,
        (s.REOPENED, e.DISPATCH): s.DISPATCHED,
        (s.REOPENED, e.HANDLE): s.HANDLED,
    }


#: The whistle-case transition table (docs draw it from here).
WHISTLE_CASE_MACHINE: Machine[CaseState] = Machine("whistle_case", _build_table())


def _positive(field: str) -> Callable[[Any, Any, Any], None]:
    def check(instance: Any, attribute: Any, value: Any) -> None:
        if not isinstance(value, timedelta) or value <= timedelta(0):
            raise InvalidInput(
                "bad_deadline", field, "a deadline is a positive timedelta", value=value
            )

    return check


@attrs.frozen
class KindDeadlines:
    """Deadlines of one case kind: accept, each department's check-in, close.

    >>> KindDeadlines(timedelta(hours=2), timedelta(hours=2), timedelta(hours=1))
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


@attrs.frozen
class CaseDeadlines:
    """Deadlines per case kind. The defaults are illustrative local practice, not a rule.

    >>> DEFAULT_CASE_DEADLINES.for_kind(CaseKind.EMERGENCY).check_in
    datetime.timedelta(seconds=7200)
    """

    daily: KindDeadlines = KindDeadlines(timedelta(days=1), timedelta(days=2), timedelta(days=7))
    tough_problem: KindDeadlines = KindDeadlines(
        timedelta(days=1), timedelta(days=3), timedelta(days=15)
    )
    emergency: KindDeadlines = KindDeadlines(
        timedelta(minutes=30), timedelta(hours=2), timedelta(hours=24)
    )

    def for_kind(self, kind: CaseKind) -> KindDeadlines:
        """The deadlines of one kind."""
        if kind is CaseKind.DAILY:
            return self.daily
        if kind is CaseKind.TOUGH_PROBLEM:
            return self.tough_problem
        if kind is CaseKind.EMERGENCY:
            return self.emergency
        raise InvalidInput("bad_enum", "kind", "expected a CaseKind", value=kind)


#: The default deadlines (illustrative; set your own ``CaseDeadlines``).
DEFAULT_CASE_DEADLINES = CaseDeadlines()


def _mask(value: str) -> str:
    return repr(mask_text(value)) if value else "''"


@attrs.frozen
class CaseEvent:
    """One event in a whistle case's life. Fields beyond ``type`` depend on it.

    ``RAISE`` needs ``grid``, ``topic`` and ``kind``; ``DISPATCH`` one or more
    ``departments``; ``CHECK_IN`` one ``department``; ``REJECT`` and
    ``REOPEN`` a ``note`` (the reason; masked in ``repr``).

    >>> from datetime import datetime, timezone
    >>> CaseEvent(id="e", at=datetime(2022, 3, 25, tzinfo=timezone.utc), case_id="C",
    ...           type=CaseEventType.CHECK_IN)
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: department: a check-in names its department [missing]
    """

    id: str
    at: datetime
    case_id: str
    type: CaseEventType
    grid: str | None = None
    topic: CaseTopic | None = None
    kind: CaseKind | None = None
    departments: tuple[str, ...] = ()
    department: str | None = None
    note: str = attrs.field(default="", repr=_mask)

    def __attrs_post_init__(self) -> None:
        for field in ("id", "case_id"):
            value = getattr(self, field)
            if not isinstance(value, str) or not value:
                raise InvalidInput("missing", field, f"{field} is required", value=value)
        require_aware(self.at, "at")
        t = self.type
        if not isinstance(t, CaseEventType):
            raise InvalidInput("bad_enum", "type", "expected a CaseEventType", value=t)
        if t is CaseEventType.RAISE:
            if not isinstance(self.grid, str) or not self.grid:
                raise InvalidInput("missing", "grid", "a case is raised by a grid")
            if not isinstance(self.topic, CaseTopic):
                raise InvalidInput("missing", "topic", "a case has a topic", value=self.topic)
            if not isinstance(self.kind, CaseKind):
                raise InvalidInput("missing", "kind", "a case has a kind", value=self.kind)
        if t is CaseEventType.DISPATCH:
            deps = self.departments
            if (
                type(deps) is not tuple
                or not deps
                or not all(isinstance(d, str) and d for d in deps)
                or len(set(deps)) != len(deps)
            ):
                raise InvalidInput(
                    "bad_departments",
                    "departments",
                    "dispatch names one or more distinct departments",
                    value=deps,
                )
        if t is CaseEventType.CHECK_IN and (
            not isinstance(self.department, str) or not self.department
        ):
            raise InvalidInput("missing", "department", "a check-in names its department")
        if t in (CaseEventType.REJECT, CaseEventType.REOPEN) and (
            not isinstance(self.note, str) or not self.note
        ):
            raise InvalidInput("missing", "note", f"{t.value} needs a reason")


@attrs.frozen
class WhistleCase:
    """A whistle case as its events left it.

    ``dispatched`` maps each department to when it was (last) dispatched,
    ``checked_in`` to when it checked in, both as sorted tuples of pairs.

    >>> from datetime import datetime, timezone
    >>> e = CaseEvent(id="e", at=datetime(2022, 3, 25, tzinfo=timezone.utc), case_id="C",
    ...     type=CaseEventType.RAISE, grid="G", topic=CaseTopic.DISPUTE, kind=CaseKind.DAILY)
    >>> apply_case_event(None, e).state
    <CaseState.RAISED: 'raised'>
    """

    id: str
    grid: str
    topic: CaseTopic
    kind: CaseKind
    raised_at: datetime
    state: CaseState = CaseState.RAISED
    accepted_at: datetime | None = None
    dispatched: tuple[tuple[str, datetime], ...] = ()
    checked_in: tuple[tuple[str, datetime], ...] = ()
    handled_at: datetime | None = None
    closed_at: datetime | None = None
    reopened_at: datetime | None = None
    reopen_count: int = 0
    note: str = attrs.field(default="", repr=_mask)

    @property
    def pending_departments(self) -> tuple[str, ...]:
        """Departments dispatched that have not checked in since."""
        done = dict(self.checked_in)
        return tuple(d for d, at in self.dispatched if d not in done or done[d] < at)


def apply_case_event(case: WhistleCase | None, event: CaseEvent) -> WhistleCase:
    """The case after ``event`` (``None`` before it is raised); raises ``IllegalTransition``.

    >>> from datetime import datetime, timezone
    >>> e = CaseEvent(id="e", at=datetime(2022, 3, 25, tzinfo=timezone.utc), case_id="C",
    ...               type=CaseEventType.VERIFY)
    >>> apply_case_event(None, e)
    Traceback (most recent call last):
    ...
    gridcare.errors.IllegalTransition: whistle_case: event 'verify' is not allowed in state ...
    """
    if not isinstance(event, CaseEvent):
        raise InvalidInput("bad_event", "event", "expected a CaseEvent")
    if case is not None and not isinstance(case, WhistleCase):
        raise InvalidInput("bad_case", "case", "expected a WhistleCase or None")
    state = CaseState.NOT_RAISED if case is None else case.state
    if case is not None and case.id != event.case_id:
        raise InvalidInput(
            "wrong_case", "case_id", "event is for another case", value=event.case_id
        )
    t = event.type
    key: str = t.value
    if t is CaseEventType.CHECK_IN and case is not None:
        pending = case.pending_departments
        if event.department not in pending:
            raise IllegalTransition(
                state.value,
                t.value,
                machine=WHISTLE_CASE_MACHINE.name,
                detail=f"department {event.department!r} is not awaited",
            )
        if len(pending) == 1:
            key = _CHECK_IN_LAST
    target = WHISTLE_CASE_MACHINE.next(state, key, detail=event.id)
    at = event.at
    if case is None:
        assert event.grid is not None
        assert event.topic is not None
        assert event.kind is not None
        return WhistleCase(event.case_id, event.grid, event.topic, event.kind, at, note=event.note)
    changes: dict[str, object] = {"state": target}
    if t is CaseEventType.ACCEPT:
        changes["accepted_at"] = at
    elif t is CaseEventType.REJECT:
        changes["note"] = event.note
    elif t is CaseEventType.DISPATCH:
        current = dict(case.dispatched)
        for dep in event.departments:
            current[dep] = at
        changes["dispatched"] = tuple(sorted(current.items()))
    elif t is CaseEventType.CHECK_IN:
        assert event.department is not None
        done = dict(case.checked_in)
        done[event.department] = at
        changes["checked_in"] = tuple(sorted(done.items()))
    elif t is CaseEventType.HANDLE:
        changes["handled_at"] = at
    elif t is CaseEventType.VERIFY:
        changes["closed_at"] = at
    elif t is CaseEventType.REOPEN:
        changes["reopened_at"] = at
        changes["closed_at"] = None
        changes["reopen_count"] = case.reopen_count + 1
        changes["note"] = event.note
    return attrs.evolve(case, **changes)  # type: ignore[arg-type]


def replay_cases(events: Iterable[CaseEvent]) -> Replay[str, WhistleCase, CaseEvent]:
    """Replay case events (by ``at`` then ``id``; repeated ids are no-ops) into cases.

    >>> replay_cases([]).total
    0
    """
    log = list(events)
    for i, event in enumerate(log):
        if not isinstance(event, CaseEvent):
            raise InvalidInput("bad_event", f"events.{i}", "expected a CaseEvent")
    return replay(log, subject=lambda e: e.case_id, apply=apply_case_event)


@attrs.frozen
class OverdueCheckIn:
    """A department that has not checked in by its deadline.

    >>> from datetime import datetime, timezone
    >>> OverdueCheckIn("C", "fire", datetime(2022, 3, 25, tzinfo=timezone.utc)).department
    'fire'
    """

    case_id: str
    department: str
    due: datetime


@attrs.frozen
class OverdueCase:
    """A case past a deadline: ``stage`` is ``"accept"`` or ``"close"``.

    >>> from datetime import datetime, timezone
    >>> OverdueCase("C", "close", datetime(2022, 3, 25, tzinfo=timezone.utc)).stage
    'close'
    """

    case_id: str
    stage: str
    due: datetime


def _cases(cases: Iterable[WhistleCase]) -> list[WhistleCase]:
    found = list(cases)
    for i, case in enumerate(found):
        if not isinstance(case, WhistleCase):
            raise InvalidInput("bad_case", f"cases.{i}", "expected a WhistleCase")
    return found


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
    for case in _cases(cases):
        if not case.state.open:
            continue
        limit = deadlines.for_kind(case.kind).check_in
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
    for case in _cases(cases):
        if not case.state.open:
            continue
        kind = deadlines.for_kind(case.kind)
        if case.state is CaseState.RAISED:
            due = case.raised_at + kind.accept
            if due <= as_of:
                found.append(OverdueCase(case.id, "accept", due))
                continue
        start = case.reopened_at if case.reopened_at is not None else case.raised_at
        due = start + kind.close
        if due <= as_of:
            found.append(OverdueCase(case.id, "close", due))
    found.sort(key=lambda o: (o.due, o.case_id))
    return found
