"""The review lifecycle of a declaration: one transition table, its guards, events, replay.

Rules this module obeys (the state-machine convention of :mod:`gridcare.machine`):

* :data:`DECLARATION_MACHINE` is the only place transitions are defined, as
  one literal table keyed by (state or :data:`~gridcare.machine.NEW`,
  :class:`DeclarationEventKind`); the docs draw the diagram from
  :meth:`~gridcare.machine.Machine.transitions`;
* the entry edge is in the table: ``(NEW, SUBMIT) -> SUBMITTED``. Any other
  event for a declaration without a record, and any (state, kind) pair missing
  from the table, raises :class:`~gridcare.errors.IllegalTransition`;
* what the table allows may still depend on the event's content: the guards
  (:func:`same_declaration`, :func:`transfer_moves`) are named predicates
  beside the table, checked by :func:`apply_declaration_event` first;
* a transfer is an event, not a state: the declaration becomes ``assigned`` to
  the receiving grid, and its review clock restarts there;
* ``released`` is reached from ``verified`` when the person's measures end;
  the event carries that end instant (supplied by the risk engine);
* :func:`replay_declarations` is :func:`gridcare.machine.replay`: it sorts by
  (instant, id), treats a repeated event id as a no-op, rejects an id that
  names two different events, and returns the rejected events with reasons:
  nothing is dropped silently. A record keeps the ids of the events applied
  to it, so a replay resumed from stored records skips what they hold.

>>> from datetime import datetime
>>> from gridcare.timeutil import DEFAULT_ZONE as CST
>>> t = datetime(2022, 3, 19, 9, tzinfo=CST)
>>> r = apply_declaration_event(None, Submitted(id="e1", at=t, declaration_id="D1"))
>>> r = apply_declaration_event(r, Assigned(id="e2", at=t, declaration_id="D1", grid_id="G1"))
>>> r.state, r.grid_id
(<DeclarationState.ASSIGNED: 'assigned'>, 'G1')
>>> apply_declaration_event(
...     r, Released(id="e3", at=t, declaration_id="D1", measures_ended_at=t))
Traceback (most recent call last):
...
gridcare.errors.IllegalTransition: declaration: event 'release' ... in state 'assigned' ...
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from enum import Enum
from typing import ClassVar, TypeVar

import attrs

from gridcare.declarations._checks import checked_ids, optional_text, trusted
from gridcare.declarations._domain import Declaration
from gridcare.declarations._enums import (
    DeclarationEventKind,
    DeclarationState,
    UnroutedReason,
    VerificationMethod,
)
from gridcare.declarations._routing import Route
from gridcare.errors import InvalidInput, read_once, require_instance, require_int
from gridcare.machine import NEW, Machine, Replay, check_records, replay, trusted_replay
from gridcare.masking import mask_numbers_in_each, mask_text, masked_field_reprs
from gridcare.serial import JsonMixin, personal
from gridcare.text import check_text_of
from gridcare.timeutil import require_aware

__all__ = [
    "DECLARATION_EVENT_CLASSES",
    "DECLARATION_MACHINE",
    "MAX_CORRECTION_FIELDS",
    "REVIEW_KINDS",
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
    "apply_declaration_event",
    "replay_declarations",
    "routing_event",
    "same_declaration",
    "transfer_moves",
]

S = DeclarationState
K = DeclarationEventKind

#: The one transition table: (state or NEW, event kind) -> next state.
DECLARATION_MACHINE: Machine[DeclarationState, DeclarationEventKind] = Machine(
    "declaration",
    {
        (NEW, K.SUBMIT): S.SUBMITTED,
        (S.SUBMITTED, K.ASSIGN): S.ASSIGNED,
        (S.SUBMITTED, K.MARK_UNROUTED): S.UNROUTED,
        (S.SUBMITTED, K.MARK_DUPLICATE): S.DUPLICATE,
        (S.SUBMITTED, K.WITHDRAW): S.WITHDRAWN,
        (S.UNROUTED, K.ASSIGN): S.ASSIGNED,
        (S.UNROUTED, K.MARK_DUPLICATE): S.DUPLICATE,
        (S.UNROUTED, K.WITHDRAW): S.WITHDRAWN,
        (S.ASSIGNED, K.START_REVIEW): S.IN_REVIEW,
        (S.ASSIGNED, K.TRANSFER): S.ASSIGNED,
        (S.ASSIGNED, K.VERIFY): S.VERIFIED,
        (S.ASSIGNED, K.REQUEST_CORRECTION): S.CORRECTION_REQUESTED,
        (S.ASSIGNED, K.REJECT): S.REJECTED,
        (S.ASSIGNED, K.MARK_DUPLICATE): S.DUPLICATE,
        (S.ASSIGNED, K.WITHDRAW): S.WITHDRAWN,
        (S.IN_REVIEW, K.VERIFY): S.VERIFIED,
        (S.IN_REVIEW, K.REQUEST_CORRECTION): S.CORRECTION_REQUESTED,
        (S.IN_REVIEW, K.REJECT): S.REJECTED,
        (S.IN_REVIEW, K.MARK_DUPLICATE): S.DUPLICATE,
        (S.IN_REVIEW, K.TRANSFER): S.ASSIGNED,
        (S.IN_REVIEW, K.WITHDRAW): S.WITHDRAWN,
        (S.CORRECTION_REQUESTED, K.RESUBMIT): S.RESUBMITTED,
        (S.CORRECTION_REQUESTED, K.WITHDRAW): S.WITHDRAWN,
        (S.RESUBMITTED, K.START_REVIEW): S.IN_REVIEW,
        (S.RESUBMITTED, K.VERIFY): S.VERIFIED,
        (S.RESUBMITTED, K.REQUEST_CORRECTION): S.CORRECTION_REQUESTED,
        (S.RESUBMITTED, K.REJECT): S.REJECTED,
        (S.RESUBMITTED, K.MARK_DUPLICATE): S.DUPLICATE,
        (S.RESUBMITTED, K.TRANSFER): S.ASSIGNED,
        (S.RESUBMITTED, K.WITHDRAW): S.WITHDRAWN,
        (S.VERIFIED, K.RELEASE): S.RELEASED,
    },
)

#: Event kinds that record a review decision (the first one sets ``reviewed_at``).
REVIEW_KINDS: frozenset[DeclarationEventKind] = frozenset(
    {K.VERIFY, K.REQUEST_CORRECTION, K.REJECT, K.MARK_DUPLICATE}
)


def same_declaration(record: DeclarationRecord, event: DeclarationEvent) -> bool:
    """Guard: whether ``event`` is for the declaration ``record`` holds.

    >>> from datetime import datetime, timezone
    >>> t = datetime(2022, 3, 19, tzinfo=timezone.utc)
    >>> record = apply_declaration_event(None, Submitted(id="e1", at=t, declaration_id="D1"))
    >>> same_declaration(record, Withdrawn(id="e2", at=t, declaration_id="D2"))
    False
    """
    return _same_declaration(_record(record), _event(event))


def _same_declaration(record: DeclarationRecord, event: DeclarationEvent) -> bool:
    return event.declaration_id == record.declaration_id


def transfer_moves(record: DeclarationRecord, event: Transferred) -> bool:
    """Guard: whether the transfer goes to another grid than the current one.

    >>> from datetime import datetime, timezone
    >>> t = datetime(2022, 3, 19, tzinfo=timezone.utc)
    >>> record = DeclarationRecord(declaration_id="D1", state=DeclarationState.ASSIGNED,
    ...                            submitted_at=t, updated_at=t, grid_id="G1")
    >>> transfer_moves(record, Transferred(id="e", at=t, declaration_id="D1", to_grid="G1"))
    False
    """
    return _transfer_moves(_record(record), require_instance(event, Transferred, "event"))


def _transfer_moves(record: DeclarationRecord, event: Transferred) -> bool:
    return event.to_grid != record.grid_id


def _record(value: object) -> DeclarationRecord:
    return require_instance(value, DeclarationRecord, "record")


def _event(value: object) -> DeclarationEvent:
    return require_instance(value, DeclarationEvent, "event")


def _optional_aware(value: object, field: str) -> datetime | None:
    return None if value is None else require_aware(value, field)


def _flag(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput("bad_bool", field, "expected true or false", value=value)
    return value


_E = TypeVar("_E", bound=Enum)


def _choice(kind: type[_E], field: str, value: object) -> _E:
    """The member of ``kind`` that ``value`` is or names; else ``bad_choice``."""
    if isinstance(value, kind):
        return value
    if isinstance(value, str):
        for member in kind:
            if member.value == value:
                return member
    allowed = ", ".join(str(member.value) for member in kind)
    raise InvalidInput("bad_choice", field, f"not one of: {allowed}", value=value)


def _unrouted_reason(value: object) -> UnroutedReason:
    return _choice(UnroutedReason, "reason", value)


def _verification_method(value: object) -> VerificationMethod:
    return _choice(VerificationMethod, "method", value)


#: The most fields one correction request may name.
MAX_CORRECTION_FIELDS = 100


def _field_paths(value: object, field: str = "fields") -> tuple[str, ...]:
    """The ``fields`` of a correction request: a list or tuple of field paths (never one
    text read as its characters)."""
    if value is None:
        raise InvalidInput("missing", field, "name at least one field to correct")
    if not isinstance(value, list | tuple):
        raise InvalidInput("bad_list", field, "expected a list of field paths", value=value)
    if len(value) > MAX_CORRECTION_FIELDS:
        raise InvalidInput(
            "too_long", field, f"at most {MAX_CORRECTION_FIELDS} fields", value=len(value)
        )
    return tuple([check_text_of(path, f"{field}.{i}") for i, path in enumerate(value)])


@attrs.frozen(kw_only=True, field_transformer=masked_field_reprs)
class DeclarationEvent:
    """What every lifecycle event carries: its own ``id``, the instant ``at``, the declaration.

    Each subclass sets ``kind``, its :class:`DeclarationEventKind` (the key in
    :data:`DECLARATION_MACHINE`); :data:`DECLARATION_EVENT_CLASSES` maps each
    kind back to its class. Every field is checked at construction: ids are
    text with the rules and limit of an id (:mod:`gridcare.text`), a reason
    is a note, choices are members of their enumeration (or their values),
    instants are aware.

    >>> from datetime import datetime
    >>> Withdrawn(id="e9", at=datetime(2022, 3, 19), declaration_id="D1")
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: at: naive datetime: ... [naive_datetime]
    """

    kind: ClassVar[DeclarationEventKind]

    id: str
    at: datetime
    declaration_id: str

    def __attrs_post_init__(self) -> None:
        check_text_of(self.id, "id")
        require_aware(self.at, "at")
        check_text_of(self.declaration_id, "declaration_id")


@attrs.frozen(kw_only=True, field_transformer=masked_field_reprs)
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

    kind: ClassVar[DeclarationEventKind] = K.SUBMIT

    late: bool = False
    proxy: bool = False

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        _flag(self.late, "late")
        _flag(self.proxy, "proxy")

    @classmethod
    def of(cls, declaration: Declaration, *, event_id: str) -> Submitted:
        """The submit event of a declaration, at its receipt instant (``declaration`` a
        :class:`~gridcare.declarations.Declaration`, else ``InvalidInput``)."""
        require_instance(declaration, Declaration, "declaration")
        return cls(
            id=event_id,
            at=declaration.received_at,
            declaration_id=declaration.id,
            late=declaration.late,
            proxy=declaration.proxy,
        )


@attrs.frozen(kw_only=True, field_transformer=masked_field_reprs)
class Assigned(DeclarationEvent):
    """Routed (automatically or by hand) to the grid ``grid_id``.

    >>> from datetime import datetime, timezone
    >>> Assigned(id="a", at=datetime(2022, 3, 19, tzinfo=timezone.utc), declaration_id="D",
    ...          grid_id="G1").kind
    <DeclarationEventKind.ASSIGN: 'assign'>
    """

    kind: ClassVar[DeclarationEventKind] = K.ASSIGN

    grid_id: str

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        check_text_of(self.grid_id, "grid_id")


@attrs.frozen(kw_only=True, field_transformer=masked_field_reprs)
class MarkedUnrouted(DeclarationEvent):
    """The address could not be resolved; the declaration waits to be routed by hand.

    >>> MarkedUnrouted.kind
    <DeclarationEventKind.MARK_UNROUTED: 'mark_unrouted'>
    """

    kind: ClassVar[DeclarationEventKind] = K.MARK_UNROUTED

    reason: UnroutedReason = attrs.field(converter=_unrouted_reason)


@attrs.frozen(kw_only=True, field_transformer=masked_field_reprs)
class ReviewStarted(DeclarationEvent):
    """A grid worker opened the declaration for review.

    >>> ReviewStarted.kind
    <DeclarationEventKind.START_REVIEW: 'start_review'>
    """

    kind: ClassVar[DeclarationEventKind] = K.START_REVIEW

    worker_id: str | None = None

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        if self.worker_id is not None:
            check_text_of(self.worker_id, "worker_id")


@attrs.frozen(kw_only=True, field_transformer=masked_field_reprs)
class Verified(DeclarationEvent):
    """The declaration was verified, by door visit, phone or video.

    >>> Verified.kind
    <DeclarationEventKind.VERIFY: 'verify'>
    """

    kind: ClassVar[DeclarationEventKind] = K.VERIFY

    method: VerificationMethod = attrs.field(converter=_verification_method)


@attrs.frozen(kw_only=True, field_transformer=masked_field_reprs)
class CorrectionRequested(DeclarationEvent):
    """The declarant was asked to correct ``fields``: a list of form field paths, at least
    one and at most :data:`MAX_CORRECTION_FIELDS`.

    >>> CorrectionRequested.kind
    <DeclarationEventKind.REQUEST_CORRECTION: 'request_correction'>
    """

    kind: ClassVar[DeclarationEventKind] = K.REQUEST_CORRECTION

    fields: tuple[str, ...] = attrs.field(
        converter=_field_paths, metadata=personal(mask_numbers_in_each)
    )

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        if not self.fields:
            raise InvalidInput("missing", "fields", "name at least one field to correct")


@attrs.frozen(kw_only=True, field_transformer=masked_field_reprs)
class Resubmitted(DeclarationEvent):
    """The declarant sent the corrected form.

    >>> Resubmitted.kind
    <DeclarationEventKind.RESUBMIT: 'resubmit'>
    """

    kind: ClassVar[DeclarationEventKind] = K.RESUBMIT


@attrs.frozen(kw_only=True, field_transformer=masked_field_reprs)
class Rejected(DeclarationEvent):
    """The declaration was rejected; ``reason`` says why (a note: up to 1,000 characters, line
    breaks allowed).

    >>> Rejected.kind
    <DeclarationEventKind.REJECT: 'reject'>
    """

    kind: ClassVar[DeclarationEventKind] = K.REJECT

    reason: str = attrs.field(metadata=personal(mask_text))  # free text: a worker's note

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        check_text_of(self.reason, "reason", "note")


@attrs.frozen(kw_only=True, field_transformer=masked_field_reprs)
class MarkedDuplicate(DeclarationEvent):
    """The declaration duplicates the declaration ``of``.

    >>> MarkedDuplicate.kind
    <DeclarationEventKind.MARK_DUPLICATE: 'mark_duplicate'>
    """

    kind: ClassVar[DeclarationEventKind] = K.MARK_DUPLICATE

    of: str

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        check_text_of(self.of, "of")
        if self.of == self.declaration_id:
            raise InvalidInput("self_duplicate", "of", "a declaration cannot duplicate itself")


@attrs.frozen(kw_only=True, field_transformer=masked_field_reprs)
class Transferred(DeclarationEvent):
    """Handed over to the grid ``to_grid``: it becomes assigned there.

    >>> Transferred.kind
    <DeclarationEventKind.TRANSFER: 'transfer'>
    """

    kind: ClassVar[DeclarationEventKind] = K.TRANSFER

    to_grid: str

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        check_text_of(self.to_grid, "to_grid")


@attrs.frozen(kw_only=True, field_transformer=masked_field_reprs)
class Withdrawn(DeclarationEvent):
    """The declarant withdrew the declaration (before a final decision).

    >>> Withdrawn.kind
    <DeclarationEventKind.WITHDRAW: 'withdraw'>
    """

    kind: ClassVar[DeclarationEventKind] = K.WITHDRAW


@attrs.frozen(kw_only=True, field_transformer=masked_field_reprs)
class Released(DeclarationEvent):
    """The person's measures ended at ``measures_ended_at``; the declaration is closed.

    The end is an aware instant no later than the event and at most
    :data:`MAX_RELEASE_DELAY` before it (``out_of_range``): a release is
    recorded when the measures end, not a year after.

    >>> Released.kind
    <DeclarationEventKind.RELEASE: 'release'>
    """

    kind: ClassVar[DeclarationEventKind] = K.RELEASE

    measures_ended_at: datetime

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        ended = require_aware(self.measures_ended_at, "measures_ended_at")
        if not self.at - MAX_RELEASE_DELAY <= ended <= self.at:
            raise InvalidInput(
                "out_of_range",
                "measures_ended_at",
                "the measures end at most 366 days before the release, and not after it",
                value=ended.isoformat(),
            )


#: The longest a release may be recorded after the measures ended.
MAX_RELEASE_DELAY = timedelta(days=366)


@attrs.frozen(kw_only=True, init=False, field_transformer=masked_field_reprs)
class DeclarationRecord(JsonMixin):
    """Where one declaration stands: its state and what the events said.

    ``assigned_at`` is the assignment to the current grid (a transfer restarts
    it), ``first_assigned_at`` the first assignment to any grid; ``reviewed_at``
    the first review decision (verify, request correction,
    reject, mark duplicate); ``previous_grids`` the grids it was transferred from.
    ``event_ids`` are the ids of the events applied, in replay order, and
    ``updated_at`` the instant of the last (``last_event_at``): what a replay
    resumed from stored records needs (:class:`gridcare.machine.Tracked`).

    Every field is checked on construction (``InvalidInput``): ids and grids are
    texts with the rules of an id, the rejection reason a note, instants aware,
    choices members of their enumeration (or their values), ``events`` from 1.
    The lifecycle builds its records from checked events without checking again.

    >>> from datetime import datetime, timezone
    >>> t = datetime(2022, 3, 19, tzinfo=timezone.utc)
    >>> apply_declaration_event(None, Submitted(id="e1", at=t, declaration_id="D1", proxy=True)
    ...                         ).proxy
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
    correction_fields: tuple[str, ...] = attrs.field(
        default=(), metadata=personal(mask_numbers_in_each)
    )
    rejection_reason: str | None = attrs.field(default=None, metadata=personal(mask_text))
    duplicate_of: str | None = None
    unrouted_reason: UnroutedReason | None = None
    previous_grids: tuple[str, ...] = ()
    measures_ended_at: datetime | None = None
    events: int = 1
    event_ids: tuple[str, ...] = ()

    def __init__(
        self,
        *,
        declaration_id: str,
        state: DeclarationState,
        submitted_at: datetime,
        updated_at: datetime,
        late: bool = False,
        proxy: bool = False,
        grid_id: str | None = None,
        assigned_at: datetime | None = None,
        first_assigned_at: datetime | None = None,
        reviewed_at: datetime | None = None,
        verified_by: VerificationMethod | None = None,
        correction_fields: tuple[str, ...] = (),
        rejection_reason: str | None = None,
        duplicate_of: str | None = None,
        unrouted_reason: UnroutedReason | None = None,
        previous_grids: tuple[str, ...] = (),
        measures_ended_at: datetime | None = None,
        events: int = 1,
        event_ids: tuple[str, ...] = (),
    ) -> None:
        self.__attrs_init__(
            declaration_id=check_text_of(declaration_id, "declaration_id"),
            state=_choice(DeclarationState, "state", state),
            submitted_at=require_aware(submitted_at, "submitted_at"),
            updated_at=require_aware(updated_at, "updated_at"),
            late=_flag(late, "late"),
            proxy=_flag(proxy, "proxy"),
            grid_id=optional_text(grid_id, "grid_id"),
            assigned_at=_optional_aware(assigned_at, "assigned_at"),
            first_assigned_at=_optional_aware(first_assigned_at, "first_assigned_at"),
            reviewed_at=_optional_aware(reviewed_at, "reviewed_at"),
            verified_by=None
            if verified_by is None
            else _choice(VerificationMethod, "verified_by", verified_by),
            correction_fields=_field_paths(correction_fields, "correction_fields"),
            rejection_reason=optional_text(rejection_reason, "rejection_reason", "note"),
            duplicate_of=optional_text(duplicate_of, "duplicate_of"),
            unrouted_reason=None
            if unrouted_reason is None
            else _choice(UnroutedReason, "unrouted_reason", unrouted_reason),
            previous_grids=checked_ids(previous_grids, "previous_grids"),
            measures_ended_at=_optional_aware(measures_ended_at, "measures_ended_at"),
            events=require_int(events, "events", low=1),
            event_ids=checked_ids(event_ids, "event_ids"),
        )

    @property
    def reviewed(self) -> bool:
        """Whether a review decision has been recorded."""
        return self.reviewed_at is not None

    @property
    def last_event_at(self) -> datetime:
        """The instant of the last event applied (``updated_at``)."""
        return self.updated_at


#: The event class of each kind: what a stored event's ``kind`` names.
DECLARATION_EVENT_CLASSES: Mapping[DeclarationEventKind, type[DeclarationEvent]] = {
    K.SUBMIT: Submitted,
    K.ASSIGN: Assigned,
    K.MARK_UNROUTED: MarkedUnrouted,
    K.START_REVIEW: ReviewStarted,
    K.VERIFY: Verified,
    K.REQUEST_CORRECTION: CorrectionRequested,
    K.RESUBMIT: Resubmitted,
    K.REJECT: Rejected,
    K.MARK_DUPLICATE: MarkedDuplicate,
    K.TRANSFER: Transferred,
    K.WITHDRAW: Withdrawn,
    K.RELEASE: Released,
}


def apply_declaration_event(
    record: DeclarationRecord | None, event: DeclarationEvent
) -> DeclarationRecord:
    """The record after ``event``; raises ``IllegalTransition`` when the table forbids it.

    ``record`` is ``None`` for a declaration with no record yet: the table's
    entry edge ``(NEW, SUBMIT)`` creates it. The guards beside the table run
    first: an event for another declaration is ``wrong_declaration``, a
    transfer to the current grid ``same_grid`` (both
    :class:`~gridcare.errors.InvalidInput`). The new record's ``event_ids``
    end with ``event.id``.

    >>> from datetime import datetime, timezone
    >>> t = datetime(2022, 3, 19, tzinfo=timezone.utc)
    >>> apply_declaration_event(None, Withdrawn(id="w", at=t, declaration_id="D1"))
    Traceback (most recent call last):
    ...
    gridcare.errors.IllegalTransition: declaration: event 'withdraw' ... in state 'new'...
    """
    if record is not None:
        _record(record)
    _event(event)
    held = () if record is None else record.event_ids
    return _next_record(record, event, (*held, event.id))


def _replay_step(record: DeclarationRecord | None, event: DeclarationEvent) -> DeclarationRecord:
    """The record after ``event`` with its ids as they were: the replay stamps them once."""
    return _next_record(record, event, () if record is None else record.event_ids)


def _stamp(record: DeclarationRecord, event_ids: tuple[str, ...]) -> DeclarationRecord:
    return _evolve(record, {"event_ids": event_ids})


_RECORD_FIELDS = tuple(field.name for field in attrs.fields(DeclarationRecord))
_record_values = operator.attrgetter(*_RECORD_FIELDS)
_set = object.__setattr__


def _evolve(record: DeclarationRecord, changes: dict[str, object]) -> DeclarationRecord:
    """``attrs.evolve(record, **changes)`` without the checks, as the replay needs it once
    per event: the record's fields are copied and ``changes`` (taken from a checked event)
    set over them."""
    built = object.__new__(DeclarationRecord)
    for name, value in zip(_RECORD_FIELDS, _record_values(record), strict=True):
        _set(built, name, value)
    for name, value in changes.items():
        _set(built, name, value)
    return built


def _next_record(
    record: DeclarationRecord | None, event: DeclarationEvent, event_ids: tuple[str, ...]
) -> DeclarationRecord:
    """The rules of :func:`apply_declaration_event`; the new record holds ``event_ids``."""
    if record is None:
        state = DECLARATION_MACHINE.next(NEW, event.kind, detail=f"event {event.id!r}")
        return trusted(
            DeclarationRecord,
            declaration_id=event.declaration_id,
            state=state,
            submitted_at=event.at,
            updated_at=event.at,
            late=isinstance(event, Submitted) and event.late,
            proxy=isinstance(event, Submitted) and event.proxy,
            event_ids=event_ids,
        )
    if not _same_declaration(record, event):
        raise InvalidInput(
            "wrong_declaration",
            "declaration_id",
            f"event for {event.declaration_id!r} applied to {record.declaration_id!r}",
        )
    if isinstance(event, Transferred) and not _transfer_moves(record, event):
        raise InvalidInput("same_grid", "to_grid", "already assigned to that grid")
    state = DECLARATION_MACHINE.next(record.state, event.kind, detail=f"event {event.id!r}")
    changes = _changes(record, event, state)
    changes["event_ids"] = event_ids
    return _evolve(record, changes)


def _changes(
    record: DeclarationRecord, event: DeclarationEvent, state: DeclarationState
) -> dict[str, object]:
    """The fields ``event`` changes on ``record`` (the table already allowed it)."""
    at = event.at
    changes: dict[str, object] = {"state": state, "updated_at": at, "events": record.events + 1}
    if event.kind in REVIEW_KINDS and record.reviewed_at is None:
        changes["reviewed_at"] = at
    if isinstance(event, Assigned):
        changes.update(grid_id=event.grid_id, assigned_at=at, unrouted_reason=None)
        if record.first_assigned_at is None:
            changes["first_assigned_at"] = at
    elif isinstance(event, MarkedUnrouted):
        changes["unrouted_reason"] = event.reason
    elif isinstance(event, Transferred):
        previous = () if record.grid_id is None else (record.grid_id,)
        changes.update(
            grid_id=event.to_grid, assigned_at=at, previous_grids=record.previous_grids + previous
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
    return changes


def _subject(event: DeclarationEvent) -> str:
    return event.declaration_id


def _record_key(record: DeclarationRecord) -> str:
    return record.declaration_id


#: The event classes of this module: their constructors check ``id`` and ``at``.
_EVENT_TYPES: frozenset[type] = frozenset(DECLARATION_EVENT_CLASSES.values())


def _checked_events(events: Iterable[DeclarationEvent]) -> tuple[list[DeclarationEvent], bool]:
    """The log as a list, and whether every event is of one of this module's classes itself
    (not of a subclass): those checked their ``id`` and ``at`` when built, so the replay need
    not check them again (:func:`gridcare.machine.trusted_replay`)."""
    if isinstance(events, (str, bytes)) or not isinstance(events, Iterable):
        raise InvalidInput("wrong_type", "events", "expected a collection of events")
    log = read_once(events, "events")
    exact = True
    for i, event in enumerate(log):
        if type(event) not in _EVENT_TYPES:
            if not isinstance(event, DeclarationEvent):
                raise InvalidInput("bad_event", f"events.{i}", "expected a DeclarationEvent")
            exact = False
    return log, exact


def replay_declarations(
    events: Iterable[DeclarationEvent],
    *,
    records: Mapping[str, DeclarationRecord] | None = None,
    until: datetime | None = None,
) -> Replay[str, DeclarationRecord, DeclarationEvent]:
    """Replay a log of declaration events into records by declaration id.

    This is :func:`gridcare.machine.replay` with :func:`apply_declaration_event`:
    events in (``at``, ``id``) order, a repeated id is a duplicate, an id
    naming two different events is rejected (``conflicting_id``), a refused
    event is returned with its reason; ``applied`` and ``rejected`` list the
    events declaration by declaration, each declaration's in (``at``, ``id``)
    order. ``records`` holds stored records to resume from (declaration id ->
    :class:`DeclarationRecord`; anything else is ``InvalidInput``,
    ``wrong_type``): an event a record holds is a duplicate, a new event
    before its record's last is ``out_of_order``, and the records come out as
    one replay of the whole log would leave them. With ``until``, only events
    strictly before it are replayed (the state as of that instant); the
    others are not part of the replay's input.

    >>> from datetime import datetime, timedelta, timezone
    >>> t = datetime(2022, 3, 19, tzinfo=timezone.utc)
    >>> log = [Assigned(id="e2", at=t + timedelta(hours=1), declaration_id="D1", grid_id="G"),
    ...        Submitted(id="e1", at=t, declaration_id="D1"),
    ...        Submitted(id="e1", at=t, declaration_id="D1")]
    >>> out = replay_declarations(log)
    >>> out.records["D1"].state.value, len(out.applied), len(out.duplicates), len(out.rejected)
    ('assigned', 2, 1, 0)
    >>> again = replay_declarations(log[:1], records=out.records)
    >>> again.records == out.records, len(again.duplicates)
    (True, 1)
    """
    start = None if records is None else check_records(records, DeclarationRecord, _record_key)
    log, exact = _checked_events(events)
    if until is not None:
        require_aware(until, "until")
        log = [e for e in log if e.at < until]
    fold = trusted_replay if exact else replay
    return fold(log, subject=_subject, apply=_replay_step, records=start, stamp=_stamp)


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
    require_instance(route, Route, "route")
    if route.grid_id is not None:
        return Assigned(id=event_id, at=at, declaration_id=declaration_id, grid_id=route.grid_id)
    reason = route.reason if route.reason is not None else UnroutedReason.NO_ADDRESS_KEYS
    return MarkedUnrouted(id=event_id, at=at, declaration_id=declaration_id, reason=reason)
