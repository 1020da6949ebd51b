"""The review lifecycle of a declaration: one transition table, events, ``apply`` and ``replay``.

Rules this module obeys (DESIGN.md, "State machines"; issue 3, "Lifecycle"):

* :data:`DECLARATION_MACHINE` is the only place transitions are defined; the
  docs draw the diagram from :meth:`~gridcare.machine.Machine.transitions`;
* a ``submit`` event creates the record (state ``submitted``); any other event
  for a declaration without a record, and any (state, event) pair missing from
  the table, raises :class:`~gridcare.errors.IllegalTransition`;
* a transfer is an event, not a state: the declaration becomes ``assigned`` to
  the receiving grid, and its review clock restarts there;
* ``released`` is reached from ``verified`` when the person's measures end;
  the event carries that end instant (supplied by the risk engine);
* :func:`replay_declarations` sorts by (instant, id), treats a repeated event
  id as a no-op and returns the rejected events with reasons: nothing is
  dropped silently.

>>> from datetime import datetime
>>> from gridcare.timeutil import DEFAULT_ZONE as CST
>>> t = datetime(2022, 3, 19, 9, tzinfo=CST)
>>> r = apply(None, Submitted(id="e1", at=t, declaration_id="D1"))
>>> r = apply(r, Assigned(id="e2", at=t, declaration_id="D1", grid_id="G1"))
>>> r.state, r.grid_id
(<DeclarationState.ASSIGNED: 'assigned'>, 'G1')
>>> apply(r, Released(id="e3", at=t, declaration_id="D1", measures_ended_at=t))
Traceback (most recent call last):
...
gridcare.errors.IllegalTransition: declaration: event 'release' ... in state 'assigned' ...
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import ClassVar

import attrs

from gridcare.declarations._domain import Declaration
from gridcare.declarations._enums import (
    DeclarationState,
    UnroutedReason,
    VerificationMethod,
)
from gridcare.declarations._routing import Route
from gridcare.errors import IllegalTransition, InvalidInput
from gridcare.machine import Machine, Replay, replay
from gridcare.timeutil import require_aware

__all__ = [
    "DECLARATION_MACHINE",
    "NO_RECORD",
    "REVIEW_EVENTS",
    "Assigned",
    "CorrectionRequested",
    "DeclarationEvent",
    "DeclarationRecord",
    "MarkedDuplicate",
    "MarkedUnrouted",
    "Rejected",
    "Released",
    "Resubmitted",
    "ReviewStarted",
    "Submitted",
    "Transferred",
    "Verified",
    "Withdrawn",
    "apply",
    "replay_declarations",
    "routing_event",
]

S = DeclarationState

#: The one transition table: (state, event kind) -> next state.
DECLARATION_MACHINE: Machine[DeclarationState] = Machine(
    "declaration",
    {
        (S.SUBMITTED, "assign"): S.ASSIGNED,
        (S.SUBMITTED, "mark_unrouted"): S.UNROUTED,
        (S.SUBMITTED, "mark_duplicate"): S.DUPLICATE,
        (S.SUBMITTED, "withdraw"): S.WITHDRAWN,
        (S.UNROUTED, "assign"): S.ASSIGNED,
        (S.UNROUTED, "mark_duplicate"): S.DUPLICATE,
        (S.UNROUTED, "withdraw"): S.WITHDRAWN,
        (S.ASSIGNED, "start_review"): S.IN_REVIEW,
        (S.ASSIGNED, "transfer"): S.ASSIGNED,
        (S.ASSIGNED, "verify"): S.VERIFIED,
        (S.ASSIGNED, "request_correction"): S.CORRECTION_REQUESTED,
        (S.ASSIGNED, "reject"): S.REJECTED,
        (S.ASSIGNED, "mark_duplicate"): S.DUPLICATE,
        (S.ASSIGNED, "withdraw"): S.WITHDRAWN,
        (S.IN_REVIEW, "verify"): S.VERIFIED,
        (S.IN_REVIEW, "request_correction"): S.CORRECTION_REQUESTED,
        (S.IN_REVIEW, "reject"): S.REJECTED,
        (S.IN_REVIEW, "mark_duplicate"): S.DUPLICATE,
        (S.IN_REVIEW, "transfer"): S.ASSIGNED,
        (S.IN_REVIEW, "withdraw"): S.WITHDRAWN,
        (S.CORRECTION_REQUESTED, "resubmit"): S.RESUBMITTED,
        (S.CORRECTION_REQUESTED, "withdraw"): S.WITHDRAWN,
        (S.RESUBMITTED, "start_review"): S.IN_REVIEW,
        (S.RESUBMITTED, "verify"): S.VERIFIED,
        (S.RESUBMITTED, "request_correction"): S.CORRECTION_REQUESTED,
        (S.RESUBMITTED, "reject"): S.REJECTED,
        (S.RESUBMITTED, "mark_duplicate"): S.DUPLICATE,
        (S.RESUBMITTED, "transfer"): S.ASSIGNED,
        (S.RESUBMITTED, "withdraw"): S.WITHDRAWN,
        (S.VERIFIED, "release"): S.RELEASED,
    },
)

#: The state name used in errors for a declaration that has no record yet.
NO_RECORD = "(no record)"
#: Event kinds that record a review decision (the first one sets ``reviewed_at``).
REVIEW_EVENTS: frozenset[str] = frozenset(
    {"verify", "request_correction", "reject", "mark_duplicate"}
)


def _text(value: object, field: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("missing", field, "a non-empty text is required")


@attrs.frozen(kw_only=True)
class DeclarationEvent:
    """What every lifecycle event carries: its own ``id``, the instant ``at``, the declaration.

    Subclasses set ``kind``, the event name in :data:`DECLARATION_MACHINE`.

    >>> from datetime import datetime
    >>> Withdrawn(id="e9", at=datetime(2022, 3, 19), declaration_id="D1")
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: at: naive datetime: ... [naive_datetime]
    """

    kind: ClassVar[str] = ""

    id: str
    at: datetime
    declaration_id: str

    def __attrs_post_init__(self) -> None:
        _text(self.id, "id")
        require_aware(self.at, "at")
        _text(self.declaration_id, "declaration_id")


@attrs.frozen(kw_only=True)
class Submitted(DeclarationEvent):
    """A declaration was received; creates its record. ``late`` and ``proxy`` are its flags.

    >>> from datetime import datetime
    >>> from gridcare.declarations import example_form, parse_form
    >>> from gridcare.timeutil import DEFAULT_ZONE as CST
    >>> d = parse_form(example_form(), declaration_id="D1",
    ...                received_at=datetime(2022, 3, 20, tzinfo=CST))
    >>> Submitted.of(d, event_id="s1").late
    True
    """

    kind: ClassVar[str] = "submit"

    late: bool = False
    proxy: bool = False

    @classmethod
    def of(cls, declaration: Declaration, *, event_id: str) -> Submitted:
        """The submit event of a declaration, at its receipt instant."""
        return cls(
            id=event_id,
            at=declaration.received_at,
            declaration_id=declaration.id,
            late=declaration.late,
            proxy=declaration.proxy,
        )


@attrs.frozen(kw_only=True)
class Assigned(DeclarationEvent):
    """Routed (automatically or by hand) to the grid ``grid_id``.

    >>> from datetime import datetime, timezone
    >>> Assigned(id="a", at=datetime(2022, 3, 19, tzinfo=timezone.utc), declaration_id="D",
    ...          grid_id="G1").kind
    'assign'
    """

    kind: ClassVar[str] = "assign"

    grid_id: str

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        _text(self.grid_id, "grid_id")


@attrs.frozen(kw_only=True)
class MarkedUnrouted(DeclarationEvent):
    """The address could not be resolved; the declaration waits to be routed by hand.

    >>> MarkedUnrouted.kind
    'mark_unrouted'
    """

    kind: ClassVar[str] = "mark_unrouted"

    reason: UnroutedReason


@attrs.frozen(kw_only=True)
class ReviewStarted(DeclarationEvent):
    """A grid worker opened the declaration for review.

    >>> ReviewStarted.kind
    'start_review'
    """

    kind: ClassVar[str] = "start_review"

    worker_id: str | None = None


@attrs.frozen(kw_only=True)
class Verified(DeclarationEvent):
    """The declaration was verified, by door visit, phone or video.

    >>> Verified.kind
    'verify'
    """

    kind: ClassVar[str] = "verify"

    method: VerificationMethod


@attrs.frozen(kw_only=True)
class CorrectionRequested(DeclarationEvent):
    """The declarant was asked to correct ``fields`` (form field paths, at least one).

    >>> CorrectionRequested.kind
    'request_correction'
    """

    kind: ClassVar[str] = "request_correction"

    fields: tuple[str, ...] = attrs.field(converter=tuple)

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        if not self.fields:
            raise InvalidInput("missing", "fields", "name at least one field to correct")


@attrs.frozen(kw_only=True)
class Resubmitted(DeclarationEvent):
    """The declarant sent the corrected form.

    >>> Resubmitted.kind
    'resubmit'
    """

    kind: ClassVar[str] = "resubmit"


@attrs.frozen(kw_only=True)
class Rejected(DeclarationEvent):
    """The declaration was rejected; ``reason`` says why.

    >>> Rejected.kind
    'reject'
    """

    kind: ClassVar[str] = "reject"

    reason: str

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        _text(self.reason, "reason")


@attrs.frozen(kw_only=True)
class MarkedDuplicate(DeclarationEvent):
    """The declaration duplicates the declaration ``of``.

    >>> MarkedDuplicate.kind
    'mark_duplicate'
    """

    kind: ClassVar[str] = "mark_duplicate"

    of: str

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        _text(self.of, "of")
        if self.of == self.declaration_id:
            raise InvalidInput("self_duplicate", "of", "a declaration cannot duplicate itself")


@attrs.frozen(kw_only=True)
class Transferred(DeclarationEvent):
    """Handed over to the grid ``to_grid``: it becomes assigned there.

    >>> Transferred.kind
    'transfer'
    """

    kind: ClassVar[str] = "transfer"

    to_grid: str

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        _text(self.to_grid, "to_grid")


@attrs.frozen(kw_only=True)
class Withdrawn(DeclarationEvent):
    """The declarant withdrew the declaration (before a final decision).

    >>> Withdrawn.kind
    'withdraw'
    """

    kind: ClassVar[str] = "withdraw"


@attrs.frozen(kw_only=True)
class Released(DeclarationEvent):
    """The person's measures ended at ``measures_ended_at``; the declaration is closed.

    >>> Released.kind
    'release'
    """

    kind: ClassVar[str] = "release"

    measures_ended_at: datetime

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        require_aware(self.measures_ended_at, "measures_ended_at")


@attrs.frozen(kw_only=True)
class DeclarationRecord:
    """Where one declaration stands: its state and what the events said.

    ``assigned_at`` is the assignment to the current grid (a transfer restarts
    it), ``first_assigned_at`` the first assignment to any grid; ``reviewed_at``
    the first review decision (verify, request correction,
    reject, mark duplicate); ``previous_grids`` the grids it was transferred from.

    >>> from datetime import datetime, timezone
    >>> t = datetime(2022, 3, 19, tzinfo=timezone.utc)
    >>> apply(None, Submitted(id="e1", at=t, declaration_id="D1", proxy=True)).proxy
    True
    """

    declaration_id: str
    state: DeclarationState
    submitted_at: datetime
    updated_at: datetime
    late: bool = False
    proxy: bool = False
    grid_id: str | None = None
    assigned_at: datetime | None = None
    first_assigned_at: datetime | None = None
    reviewed_at: datetime | None = None
    verified_by: VerificationMethod | None = None
    correction_fields: tuple[str, ...] = ()
    rejection_reason: str | None = None
    duplicate_of: str | None = None
    unrouted_reason: UnroutedReason | None = None
    previous_grids: tuple[str, ...] = ()
    measures_ended_at: datetime | None = None
    events: int = 1

    @property
    def reviewed(self) -> bool:
        """Whether a review decision has been recorded."""
        return self.reviewed_at is not None


def apply(record: DeclarationRecord | None, event: DeclarationEvent) -> DeclarationRecord:
    """The record after ``event``; raises ``IllegalTransition`` when the table forbids it.

    >>> from datetime import datetime, timezone
    >>> t = datetime(2022, 3, 19, tzinfo=timezone.utc)
    >>> apply(None, Withdrawn(id="w", at=t, declaration_id="D1"))
    Traceback (most recent call last):
    ...
    gridcare.errors.IllegalTransition: declaration: event 'withdraw' is not allowed in state ...
    """
    kind = event.kind
    if record is None:
        if not isinstance(event, Submitted):
            raise IllegalTransition(NO_RECORD, kind, machine=DECLARATION_MACHINE.name)
        return DeclarationRecord(
            declaration_id=event.declaration_id,
            state=DeclarationState.SUBMITTED,
            submitted_at=event.at,
            updated_at=event.at,
            late=event.late,
            proxy=event.proxy,
        )
    if event.declaration_id != record.declaration_id:
        raise InvalidInput(
            "wrong_declaration",
            "declaration_id",
            f"event for {event.declaration_id!r} applied to {record.declaration_id!r}",
        )
    state = DECLARATION_MACHINE.next(record.state, kind, detail=f"event {event.id!r}")
    changes: dict[str, object] = {"state": state, "updated_at": event.at}
    if kind in REVIEW_EVENTS and record.reviewed_at is None:
        changes["reviewed_at"] = event.at
    if isinstance(event, Assigned):
        changes.update(grid_id=event.grid_id, assigned_at=event.at, unrouted_reason=None)
        if record.first_assigned_at is None:
            changes["first_assigned_at"] = event.at
    elif isinstance(event, MarkedUnrouted):
        changes["unrouted_reason"] = event.reason
    elif isinstance(event, Transferred):
        if event.to_grid == record.grid_id:
            raise InvalidInput("same_grid", "to_grid", "already assigned to that grid")
        previous = () if record.grid_id is None else (record.grid_id,)
        changes.update(
            grid_id=event.to_grid,
            assigned_at=event.at,
            previous_grids=record.previous_grids + previous,
        )
    elif isinstance(event, Verified):
        changes["verified_by"] = event.method
    elif isinstance(event, CorrectionRequested):
        changes["correction_fields"] = event.fields
    elif isinstance(event, Rejected):
        changes["rejection_reason"] = event.reason
    elif isinstance(event, MarkedDuplicate):
        changes["duplicate_of"] = event.of
    elif isinstance(event, Released):
        changes["measures_ended_at"] = event.measures_ended_at
    changes["events"] = record.events + 1
    return attrs.evolve(record, **changes)  # type: ignore[arg-type]


def _subject(event: DeclarationEvent) -> str:
    return event.declaration_id


def replay_declarations(
    events: Iterable[DeclarationEvent],
    *,
    records: Mapping[str, DeclarationRecord] | None = None,
    until: datetime | None = None,
) -> Replay[str, DeclarationRecord, DeclarationEvent]:
    """Replay a log of declaration events (per DESIGN.md) into records by declaration id.

    With ``until``, only events strictly before it are replayed (the state as of
    that instant); the others are not part of the replay's input.

    >>> from datetime import datetime, timedelta, timezone
    >>> t = datetime(2022, 3, 19, tzinfo=timezone.utc)
    >>> log = [Assigned(id="e2", at=t + timedelta(hours=1), declaration_id="D1", grid_id="G"),
    ...        Submitted(id="e1", at=t, declaration_id="D1"),
    ...        Submitted(id="e1", at=t, declaration_id="D1")]
    >>> out = replay_declarations(log)
    >>> out.records["D1"].state.value, len(out.applied), len(out.duplicates), len(out.rejected)
    ('assigned', 2, 1, 0)
    """
    if until is not None:
        require_aware(until, "until")
        events = [e for e in events if e.at < until]
    return replay(events, subject=_subject, apply=apply, records=records)


def routing_event(
    route: Route, *, declaration_id: str, event_id: str, at: datetime
) -> Assigned | MarkedUnrouted:
    """The lifecycle event a route calls for: assign to its grid, or mark unrouted.

    >>> from datetime import datetime, timezone
    >>> from gridcare.declarations import RouteMethod
    >>> routing_event(Route("G1", "H1", RouteMethod.HOUSEHOLD_ID), declaration_id="D1",
    ...               event_id="r1", at=datetime(2022, 3, 19, tzinfo=timezone.utc)).grid_id
    'G1'
    """
    if route.grid_id is not None:
        return Assigned(id=event_id, at=at, declaration_id=declaration_id, grid_id=route.grid_id)
    reason = route.reason if route.reason is not None else UnroutedReason.NO_ADDRESS_KEYS
    return MarkedUnrouted(id=event_id, at=at, declaration_id=declaration_id, reason=reason)
