"""The events of a screening round, its two transition tables, and the replay.

A round has two kinds of subject, so two literal tables, both in the
project's convention (:mod:`gridcare.machine`): one event-kind enum
(:class:`ScreeningEventKind`), ``NEW`` as the source of each entry edge,
guards as named functions beside the tables.

* :data:`TUBE_MACHINE`: a tube is *open* from its first swab, *sealed*, then
  *negative*, *positive* or *invalid* when the lab reports. Guard: a tube never
  holds more swabs than its capacity (:func:`pool_has_room`: the round's pool
  size for a pooled tube, one for a single tube), nor one resident twice.
* :data:`RESIDENT_MACHINE`: a resident is *registered* (at a site or at home),
  *sampled* (a swab in a tube; scanning the resident's code and the tube's
  barcode registers and binds in one act, so a swab may be the entry edge),
  *away* or *exempt*; a resident whose tube came back positive from a pool,
  or invalid, is *retest due* (derived as of the event's instant from the
  tube's record, never stored) and is then *resampled* in a single tube.
  Guards: a resident due for a single tube is never pooled
  (:func:`single_tube_respected`); a swab binds only if its tube accepted it
  (:func:`tube_accepted`); a re-test names the tube it re-tests
  (:func:`retest_matches`). The table has no edge from *sampled* to another
  swab, and *retest due* (:func:`retest_due`) is the only way to a second
  tube: a resident is never in two tubes of a round without a re-test between.

:func:`replay_round` replays the tube events first, then the resident events:
order by (``at``, ``id``), a repeated id changes nothing, an id naming two
different events is rejected (``conflicting_id``), whatever the tables or
guards refuse is rejected with its reason, never dropped. The round's
exemptions are the residents' starting records. Tube and resident records
keep the ids of the events applied to them, so a replay resumed from stored
records (``tubes=``, ``residents=``) skips what they hold. Each resident due
then ends in exactly one :class:`Outcome` (:func:`resident_outcome`).
:func:`replay_round_plain` does the same with :func:`gridcare.machine.replay`
and the two apply functions; :func:`replay_round` folds each subject's events
directly (one draft per tube instead of one record per swab), and the tests
hold the two to the same results.

>>> from datetime import datetime, timedelta, timezone
>>> from gridcare.screening.round import DueList, ScreeningRound
>>> t0 = datetime(2022, 3, 27, 7, 30, tzinfo=timezone.utc)
>>> rnd = ScreeningRound(id="S1", scope="G", start=t0, end=t0 + timedelta(hours=5))
>>> due = DueList(round_id="S1", scope_position=0, household_of={"R1": "H1", "R2": "H1"},
...               place_of={"R1": 0, "R2": 0})
>>> m = timedelta(minutes=1)
>>> log = [
...     SwabAdded(id="e1", at=t0, round_id="S1", resident_id="R1", tube_id="T1"),
...     TubeSealed(id="e2", at=t0 + m, round_id="S1", tube_id="T1"),
...     TubeResult(id="e3", at=t0 + 60 * m, round_id="S1", tube_id="T1",
...                result=LabResult.NEGATIVE),
... ]
>>> out = replay_round(log, rnd, due)
>>> out.outcome_of("R1").value, out.outcome_of("R2").value
('sampled_negative', 'missed')
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timezone
from typing import ClassVar, TypeAlias
from zoneinfo import ZoneInfo

import attrs

from gridcare.errors import (
    Choice,
    GridcareError,
    InvalidInput,
    read_once,
    require_instance,
)
from gridcare.machine import (
    NEW,
    Batch,
    History,
    Machine,
    Rejection,
    Replay,
    check_records,
    conflicting_id,
    held_elsewhere,
    replay,
    trusted_sort_in_replay_order,
    trusted_sort_out_ids,
)
from gridcare.masking import id_repr, ids_repr, mask_text, masked_field_reprs, masked_repr
from gridcare.screening.round import (
    MAX_ID_LENGTH,
    AwayReason,
    DueList,
    ExemptionReason,
    ScreeningRound,
    TubeKind,
    require_count,
    require_id,
    require_instant,
    require_note,
)
from gridcare.serial import JsonMixin, personal
from gridcare.text import is_plain

__all__ = [
    "RESIDENT_MACHINE",
    "TUBE_MACHINE",
    "LabResult",
    "MarkedAway",
    "MarkedExempt",
    "Outcome",
    "Registered",
    "ResidentEvent",
    "ResidentRecord",
    "ResidentState",
    "RoundReplay",
    "ScreeningEvent",
    "ScreeningEventKind",
    "SwabAdded",
    "TubeEvent",
    "TubeRecord",
    "TubeResult",
    "TubeSealed",
    "TubeState",
    "apply_screening_event",
    "apply_tube_event",
    "pool_has_room",
    "replay_round",
    "replay_round_plain",
    "resident_outcome",
    "resident_state_as_of",
    "retest_due",
    "retest_matches",
    "single_tube_respected",
    "tube_accepted",
]

#: A progress callback: ``progress(done, total)``.
Progress = Callable[[int, int], None]


class ScreeningEventKind(Choice):
    """The kind of a screening event, in the tables (every event's ``kind``).

    >>> ScreeningEventKind.RESWAB.value
    'reswab'
    """

    REGISTER = "register"
    SWAB = "swab"
    RESWAB = "reswab"
    SEAL = "seal"
    REPORT_NEGATIVE = "report_negative"
    REPORT_POSITIVE = "report_positive"
    REPORT_INVALID = "report_invalid"
    MARK_AWAY = "mark_away"
    MARK_EXEMPT = "mark_exempt"


class TubeState(Choice):
    """A tube's state.

    >>> TubeState.POSITIVE.reported, TubeState.SEALED.reported
    (True, False)
    """

    OPEN = "open"
    SEALED = "sealed"
    NEGATIVE = "negative"
    POSITIVE = "positive"
    INVALID = "invalid"

    @property
    def reported(self) -> bool:
        """Whether the lab has reported on the tube."""
        return self in _REPORTED


_REPORTED = frozenset({TubeState.NEGATIVE, TubeState.POSITIVE, TubeState.INVALID})


class ResidentState(Choice):
    """A resident's stored state in a round (``RETEST_DUE`` is derived, never stored).

    >>> ResidentState("resampled")
    <ResidentState.RESAMPLED: 'resampled'>
    """

    REGISTERED = "registered"
    SAMPLED = "sampled"
    RETEST_DUE = "retest_due"
    RESAMPLED = "resampled"
    AWAY = "away"
    EXEMPT = "exempt"


class LabResult(Choice):
    """A lab's result for one tube.

    >>> LabResult.INVALID.kind.value
    'report_invalid'
    """

    NEGATIVE = "negative"
    POSITIVE = "positive"
    INVALID = "invalid"

    @property
    def kind(self) -> ScreeningEventKind:
        """The event kind that reports this result."""
        return _REPORT_KIND[self]


_REPORT_KIND = {
    LabResult.NEGATIVE: ScreeningEventKind.REPORT_NEGATIVE,
    LabResult.POSITIVE: ScreeningEventKind.REPORT_POSITIVE,
    LabResult.INVALID: ScreeningEventKind.REPORT_INVALID,
}


class Outcome(Choice):
    """How a resident due ends the round: exactly one per resident.

    The six end outcomes are ``SAMPLED_NEGATIVE``, ``UNDER_RETEST`` (in a
    positive pool or an invalid tube, re-test not yet negative), ``POSITIVE``
    (a positive single tube), ``AWAY``, ``EXEMPT`` and ``MISSED`` (not
    sampled: never registered, or registered and left). While the labs work,
    a sampled resident whose tube has no result yet is ``AWAITING_RESULT``;
    once every tube is reported there is none.

    >>> Outcome.UNDER_RETEST.sampled, Outcome.AWAY.sampled
    (True, False)
    """

    SAMPLED_NEGATIVE = "sampled_negative"
    UNDER_RETEST = "under_retest"
    POSITIVE = "positive"
    AWAITING_RESULT = "awaiting_result"
    AWAY = "away"
    EXEMPT = "exempt"
    MISSED = "missed"

    @property
    def sampled(self) -> bool:
        """Whether the resident was sampled in the round (the coverage numerator)."""
        return self in _SAMPLED


_SAMPLED = frozenset(
    {Outcome.SAMPLED_NEGATIVE, Outcome.UNDER_RETEST, Outcome.POSITIVE, Outcome.AWAITING_RESULT}
)

K = ScreeningEventKind
T = TubeState
S = ResidentState

#: The tube table. A re-test tube is a single tube: no second swab ever fits it.
TUBE_MACHINE: Machine[TubeState, ScreeningEventKind] = Machine(
    "screening_tube",
    {
        (NEW, K.SWAB): T.OPEN,
        (NEW, K.RESWAB): T.OPEN,
        (T.OPEN, K.SWAB): T.OPEN,
        (T.OPEN, K.SEAL): T.SEALED,
        (T.SEALED, K.REPORT_NEGATIVE): T.NEGATIVE,
        (T.SEALED, K.REPORT_POSITIVE): T.POSITIVE,
        (T.SEALED, K.REPORT_INVALID): T.INVALID,
    },
)

#: The resident table. Sampled is left only through a re-test (retest due, derived).
RESIDENT_MACHINE: Machine[ResidentState, ScreeningEventKind] = Machine(
    "screening_resident",
    {
        (NEW, K.REGISTER): S.REGISTERED,
        (NEW, K.SWAB): S.SAMPLED,
        (NEW, K.MARK_AWAY): S.AWAY,
        (NEW, K.MARK_EXEMPT): S.EXEMPT,
        (S.REGISTERED, K.REGISTER): S.REGISTERED,
        (S.REGISTERED, K.SWAB): S.SAMPLED,
        (S.REGISTERED, K.MARK_AWAY): S.AWAY,
        (S.REGISTERED, K.MARK_EXEMPT): S.EXEMPT,
        (S.AWAY, K.REGISTER): S.REGISTERED,
        (S.AWAY, K.SWAB): S.SAMPLED,
        (S.AWAY, K.MARK_AWAY): S.AWAY,
        (S.EXEMPT, K.MARK_EXEMPT): S.EXEMPT,
        (S.RETEST_DUE, K.RESWAB): S.RESAMPLED,
    },
)

#: tzinfo types whose ``utcoffset`` is never ``None``: checking the type spares a
#: zone lookup per event (a city round logs millions of swabs).
_FIXED_AWARE: frozenset[type] = frozenset({timezone, ZoneInfo})


def _quick_at(value: object) -> bool:
    return type(value) is datetime and type(value.tzinfo) in _FIXED_AWARE


def _note_repr(value: str) -> str:
    return repr(mask_text(value)) if value else "''"


def _check_common(event: object, subject_fields: tuple[str, ...]) -> None:
    for field in ("id", "round_id", *subject_fields):
        require_id(getattr(event, field), field)
    require_instant(getattr(event, "at", None), "at")


@attrs.frozen(kw_only=True, init=False, field_transformer=masked_field_reprs)
class Registered:
    """A resident registered for the round at a site, or at home by a door team.

    Exactly one of ``site_id`` and ``door_team_id`` is given.

    >>> from datetime import datetime, timezone
    >>> t = datetime(2022, 3, 27, 8, tzinfo=timezone.utc)
    >>> Registered(id="e1", at=t, round_id="S1", resident_id="R1", door_team_id="D1").at_home
    True
    """

    id: str
    at: datetime
    round_id: str
    resident_id: str = attrs.field(repr=id_repr)
    site_id: str | None = None
    door_team_id: str | None = None

    def __init__(
        self,
        *,
        id: str,
        at: datetime,
        round_id: str,
        resident_id: str,
        site_id: str | None = None,
        door_team_id: str | None = None,
    ) -> None:
        self.__attrs_init__(
            id=id,
            at=at,
            round_id=round_id,
            resident_id=resident_id,
            site_id=site_id,
            door_team_id=door_team_id,
        )
        _check_common(self, ("resident_id",))
        if (self.site_id is None) == (self.door_team_id is None):
            raise InvalidInput(
                "bad_place", "site_id", "give exactly one of site_id and door_team_id"
            )
        if self.site_id is not None:
            require_id(self.site_id, "site_id")
        if self.door_team_id is not None:
            require_id(self.door_team_id, "door_team_id")

    #: Always ``REGISTER`` (a constant of the class).
    kind: ClassVar[ScreeningEventKind] = K.REGISTER

    @property
    def at_home(self) -> bool:
        """Whether a door team registered the resident at home."""
        return self.door_team_id is not None


def _swab_kind(swab: SwabAdded) -> ScreeningEventKind:
    return K.SWAB if swab.retest_of is None else K.RESWAB


@attrs.frozen(kw_only=True, init=False, field_transformer=masked_field_reprs)
class SwabAdded:
    """A resident's swab added to a tube (kind ``SWAB``, or ``RESWAB`` for a re-test).

    ``retest_of`` names the tube whose result calls for this re-test; a re-test
    goes in a single tube. ``site_id`` or ``door_team_id`` may say where.

    >>> from datetime import datetime, timezone
    >>> t = datetime(2022, 3, 28, 8, tzinfo=timezone.utc)
    >>> SwabAdded(id="e9", at=t, round_id="S1", resident_id="R1", tube_id="T9",
    ...           tube_kind=TubeKind.SINGLE, retest_of="T1").kind.value
    'reswab'
    >>> SwabAdded(id="e9", at=t, round_id="S1", resident_id="R1", tube_id="T9",
    ...           retest_of="T1")
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: tube_kind: a re-test goes in a single tube [retest_not_single]
    """

    id: str
    at: datetime
    round_id: str
    resident_id: str = attrs.field(repr=id_repr)
    tube_id: str
    tube_kind: TubeKind = TubeKind.POOLED
    retest_of: str | None = None
    site_id: str | None = None
    door_team_id: str | None = None
    #: ``RESWAB`` for a re-test, else ``SWAB``: set once when the event is built
    #: (the replays read it for every swab), not compared, not shown.
    kind: ScreeningEventKind = attrs.field(
        init=False, eq=False, repr=False, default=attrs.Factory(_swab_kind, takes_self=True)
    )

    def __init__(
        self,
        *,
        id: str,
        at: datetime,
        round_id: str,
        resident_id: str,
        tube_id: str,
        tube_kind: TubeKind = TubeKind.POOLED,
        retest_of: str | None = None,
        site_id: str | None = None,
        door_team_id: str | None = None,
    ) -> None:
        self.__attrs_init__(
            id=id,
            at=at,
            round_id=round_id,
            resident_id=resident_id,
            tube_id=tube_id,
            tube_kind=tube_kind,
            retest_of=retest_of,
            site_id=site_id,
            door_team_id=door_team_id,
        )
        # One cheap test for the usual shape (a city round logs about 4 million swabs).
        if not (
            is_plain(self.id, MAX_ID_LENGTH)
            and is_plain(self.round_id, MAX_ID_LENGTH)
            and is_plain(self.resident_id, MAX_ID_LENGTH)
            and is_plain(self.tube_id, MAX_ID_LENGTH)
            and _quick_at(self.at)
            and type(self.tube_kind) is TubeKind
            and self.retest_of is None
            and (self.site_id is None or is_plain(self.site_id, MAX_ID_LENGTH))
            and self.door_team_id is None
        ):
            self._check_fields()

    def _check_fields(self) -> None:
        _check_common(self, ("resident_id", "tube_id"))
        if not isinstance(self.tube_kind, TubeKind):
            raise InvalidInput("bad_enum", "tube_kind", "expected a TubeKind")
        for field in ("retest_of", "site_id", "door_team_id"):
            value = getattr(self, field)
            if value is not None:
                require_id(value, field)
        if self.site_id is not None and self.door_team_id is not None:
            raise InvalidInput("bad_place", "site_id", "a swab is taken at a site or at home")
        if self.retest_of is not None:
            if self.tube_kind is not TubeKind.SINGLE:
                raise InvalidInput(
                    "retest_not_single", "tube_kind", "a re-test goes in a single tube"
                )
            if self.retest_of == self.tube_id:
                raise InvalidInput("retest_same_tube", "retest_of", "a re-test uses a new tube")

    @property
    def at_home(self) -> bool:
        """Whether the swab was taken at home by a door team."""
        return self.door_team_id is not None


@attrs.frozen(kw_only=True, init=False, field_transformer=masked_field_reprs)
class TubeSealed:
    """A tube sealed and sent to the lab: no more swabs go in.

    >>> from datetime import datetime, timezone
    >>> TubeSealed(id="e2", at=datetime(2022, 3, 27, 9, tzinfo=timezone.utc), round_id="S1",
    ...            tube_id="T1").kind.value
    'seal'
    """

    id: str
    at: datetime
    round_id: str
    tube_id: str

    def __init__(self, *, id: str, at: datetime, round_id: str, tube_id: str) -> None:
        self.__attrs_init__(id=id, at=at, round_id=round_id, tube_id=tube_id)
        if not (
            is_plain(self.id, MAX_ID_LENGTH)
            and is_plain(self.round_id, MAX_ID_LENGTH)
            and is_plain(self.tube_id, MAX_ID_LENGTH)
            and _quick_at(self.at)
        ):
            _check_common(self, ("tube_id",))

    #: Always ``SEAL`` (a constant of the class).
    kind: ClassVar[ScreeningEventKind] = K.SEAL


@attrs.frozen(kw_only=True, init=False, field_transformer=masked_field_reprs)
class TubeResult:
    """A lab's result for a sealed tube.

    >>> from datetime import datetime, timezone
    >>> TubeResult(id="e3", at=datetime(2022, 3, 27, 14, tzinfo=timezone.utc), round_id="S1",
    ...            tube_id="T1", result=LabResult.POSITIVE).kind.value
    'report_positive'
    """

    id: str
    at: datetime
    round_id: str
    tube_id: str
    result: LabResult

    def __init__(
        self, *, id: str, at: datetime, round_id: str, tube_id: str, result: LabResult
    ) -> None:
        self.__attrs_init__(id=id, at=at, round_id=round_id, tube_id=tube_id, result=result)
        if not (
            is_plain(self.id, MAX_ID_LENGTH)
            and is_plain(self.round_id, MAX_ID_LENGTH)
            and is_plain(self.tube_id, MAX_ID_LENGTH)
            and _quick_at(self.at)
            and type(self.result) is LabResult
        ):
            _check_common(self, ("tube_id",))
            if not isinstance(self.result, LabResult):
                raise InvalidInput("bad_enum", "result", "expected a LabResult")

    @property
    def kind(self) -> ScreeningEventKind:
        """The ``REPORT_*`` kind of the result."""
        return _REPORT_KIND[self.result]


@attrs.frozen(kw_only=True, field_transformer=masked_field_reprs)
class MarkedAway:
    """A resident accounted for as away (out of the area, sampled elsewhere, ...).

    ``note`` is free text, masked in ``repr``.

    >>> from datetime import datetime, timezone
    >>> MarkedAway(id="e4", at=datetime(2022, 3, 27, 12, tzinfo=timezone.utc), round_id="S1",
    ...            resident_id="R2", reason=AwayReason.OUT_OF_AREA, note="长沙务工")
    MarkedAway(id='e4', at=..., round_id='S1', resident_id='R2', reason=..., note='长沙***')
    """

    id: str
    at: datetime
    round_id: str
    resident_id: str = attrs.field(repr=id_repr)
    reason: AwayReason
    note: str = attrs.field(default="", repr=_note_repr, metadata=personal(mask_text))

    def __attrs_post_init__(self) -> None:
        _check_common(self, ("resident_id",))
        if not isinstance(self.reason, AwayReason):
            raise InvalidInput("bad_enum", "reason", "expected an AwayReason")
        require_note(self.note, "note")

    #: Always ``MARK_AWAY`` (a constant of the class).
    kind: ClassVar[ScreeningEventKind] = K.MARK_AWAY


@attrs.frozen(kw_only=True, field_transformer=masked_field_reprs)
class MarkedExempt:
    """A resident exempted during the round, with the reason.

    >>> from datetime import datetime, timezone
    >>> MarkedExempt(id="e5", at=datetime(2022, 3, 27, 12, tzinfo=timezone.utc),
    ...              round_id="S1", resident_id="R3", reason=ExemptionReason.INFANT).kind.value
    'mark_exempt'
    """

    id: str
    at: datetime
    round_id: str
    resident_id: str = attrs.field(repr=id_repr)
    reason: ExemptionReason
    note: str = attrs.field(default="", repr=_note_repr, metadata=personal(mask_text))

    def __attrs_post_init__(self) -> None:
        _check_common(self, ("resident_id",))
        if not isinstance(self.reason, ExemptionReason):
            raise InvalidInput("bad_enum", "reason", "expected an ExemptionReason")
        require_note(self.note, "note")

    #: Always ``MARK_EXEMPT`` (a constant of the class).
    kind: ClassVar[ScreeningEventKind] = K.MARK_EXEMPT


#: The events of a tube's lifecycle.
TubeEvent: TypeAlias = SwabAdded | TubeSealed | TubeResult
#: The events of a resident's lifecycle.
ResidentEvent: TypeAlias = Registered | SwabAdded | MarkedAway | MarkedExempt
#: Any event of a screening round.
ScreeningEvent: TypeAlias = (
    Registered | SwabAdded | TubeSealed | TubeResult | MarkedAway | MarkedExempt
)

_EVENT_TYPES = (Registered, SwabAdded, TubeSealed, TubeResult, MarkedAway, MarkedExempt)
_TUBE_TYPES = (SwabAdded, TubeSealed, TubeResult)


#: What each field of a stored record holds: exactly this type, this type or
#: ``None``, an id (text with the rules of an id) or ``None``, a tuple of ids, or
#: an aware instant or ``None``.
_Rule = tuple[str, str, type | None]

_EXPECTED = {"id": "an id (text)", "id or None": "an id (text) or None", "ids": "a tuple of ids"}


def _check_fields(record: object, rules: tuple[_Rule, ...]) -> None:
    """``InvalidInput`` naming the first field that breaks its rule: ``bad_record`` for a
    value of another type, the code of the text rule an id breaks (:func:`require_id`;
    an item of a tuple is named ``<field>.<i>``)."""
    for field, rule, kind in rules:
        value = getattr(record, field)
        if rule == "exactly":
            fits = type(value) is kind
        elif rule == "id" or rule == "id or None":
            fits = type(value) is str or (value is None and rule == "id or None")
            if fits and value is not None and not is_plain(value, MAX_ID_LENGTH):
                require_id(value, field)
        elif rule == "ids":
            fits = type(value) is tuple
            if fits:
                for item in value:  # the quick test of each id, then the full rules if one fails it
                    if not is_plain(item, MAX_ID_LENGTH):
                        fits = _ids_fit(value, field)
                        break
        elif rule == "or None":
            fits = value is None or type(value) is kind
        else:  # "instant or None"
            if value is not None and not _quick_at(value):
                require_instant(value, field)
            continue
        if not fits:
            shown = _EXPECTED.get(rule) or f"a {getattr(kind, '__name__', kind)}"
            if rule == "or None":
                shown += " or None"
            raise InvalidInput("bad_record", field, f"expected {shown}")


def _ids_fit(ids: tuple[object, ...], field: str) -> bool:
    """Whether ``ids`` are all texts; if so, each keeps the rules of an id (``InvalidInput``
    naming ``<field>.<i>`` otherwise)."""
    if not set(map(type, ids)) <= {str}:
        return False
    for i, item in enumerate(ids):
        require_id(item, f"{field}.{i}")
    return True


_TUBE_FIELDS: tuple[_Rule, ...] = (
    ("tube_id", "id", None),
    ("kind", "exactly", TubeKind),
    ("state", "exactly", TubeState),
    ("members", "ids", None),
    ("sealed_at", "instant or None", None),
    ("result_at", "instant or None", None),
    ("retest_of", "id or None", None),
    ("event_ids", "ids", None),
    ("last_event_at", "instant or None", None),
    ("round_id", "id or None", None),
)
_RESIDENT_FIELDS: tuple[_Rule, ...] = (
    ("resident_id", "id", None),
    ("state", "exactly", ResidentState),
    ("tube_id", "id or None", None),
    ("first_tube_id", "id or None", None),
    ("registered_at", "instant or None", None),
    ("sampled_at", "instant or None", None),
    ("at_home", "exactly", bool),
    ("retests", "exactly", int),
    ("away_reason", "or None", AwayReason),
    ("exempt_reason", "or None", ExemptionReason),
    ("event_ids", "ids", None),
    ("last_event_at", "instant or None", None),
    ("round_id", "id or None", None),
)


@attrs.frozen(init=False, field_transformer=masked_field_reprs)
class TubeRecord(JsonMixin):
    """A tube's record: kind, state, the residents whose swabs it holds, when sealed and reported.

    ``event_ids`` are the ids of the events applied, in replay order, and
    ``last_event_at`` the instant of the last: what a replay resumed from
    stored records needs (:class:`gridcare.machine.Tracked`). ``round_id``
    names the round the record was replayed in (``None`` for one built by
    hand): a replay of another round refuses it (``wrong_round``).

    The constructor checks every field, as :class:`ResidentRecord`'s does: a
    value of another type is ``bad_record``; the tube's id, ``retest_of``, the
    members and the event ids keep the text rules of an id
    (:func:`~gridcare.screening.round.require_id`, with its codes; an item of a
    tuple is named ``members.<i>``). The replay builds its own records without
    repeating the checks.

    >>> TubeRecord("T1", TubeKind.POOLED, TubeState.OPEN, ("R1",)).size
    1
    >>> TubeRecord("T\x1b[2J1", TubeKind.POOLED, TubeState.OPEN)
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: tube_id: control character U+001B at ... [control_character]
    """

    tube_id: str
    kind: TubeKind
    state: TubeState
    members: tuple[str, ...] = attrs.field(default=(), repr=ids_repr)
    sealed_at: datetime | None = None
    result_at: datetime | None = None
    retest_of: str | None = None
    event_ids: tuple[str, ...] = ()
    last_event_at: datetime | None = None
    round_id: str | None = None

    def __init__(
        self,
        tube_id: str,
        kind: TubeKind,
        state: TubeState,
        members: tuple[str, ...] = (),
        sealed_at: datetime | None = None,
        result_at: datetime | None = None,
        retest_of: str | None = None,
        event_ids: tuple[str, ...] = (),
        last_event_at: datetime | None = None,
        round_id: str | None = None,
    ) -> None:
        self.__attrs_init__(
            tube_id,
            kind,
            state,
            members,
            sealed_at,
            result_at,
            retest_of,
            event_ids,
            last_event_at,
            round_id,
        )
        self._check()

    def _check(self) -> None:
        _check_fields(self, _TUBE_FIELDS)

    @property
    def size(self) -> int:
        """How many swabs the tube holds."""
        return len(self.members)

    @property
    def calls_for_retest(self) -> bool:
        """Whether the tube's members are to be re-tested: a positive pool, or invalid."""
        state = self.state
        return state is T.INVALID or (state is T.POSITIVE and self.kind is TubeKind.POOLED)


@attrs.frozen(init=False, field_transformer=masked_field_reprs)
class ResidentRecord(JsonMixin):
    """A resident's record in a round: stored state, current tube, where, why away or exempt.

    The constructor checks every field (``InvalidInput`` code ``bad_record``
    for a value of another type); the resident's id, its tubes' ids and the
    event ids keep the text rules of an id, with their codes
    (:func:`~gridcare.screening.round.require_id`: the rule the events' ids
    keep). The replay, which builds millions in a city round, builds its own
    without repeating the checks, and a record coming back in is checked where
    it enters (:func:`apply_screening_event`, :func:`resident_outcome`, a
    resumed replay).
    ``event_ids`` are the ids of the events applied, in replay order, and
    ``last_event_at`` the instant of the last (:class:`gridcare.machine.Tracked`).
    ``round_id`` names the round the record was replayed in (``None`` for one
    built by hand): a replay of another round refuses it (``wrong_round``).

    >>> ResidentRecord("R1", ResidentState.SAMPLED, tube_id="T1").retests
    0
    """

    resident_id: str = attrs.field(repr=id_repr)
    state: ResidentState
    tube_id: str | None = None
    first_tube_id: str | None = None
    registered_at: datetime | None = None
    sampled_at: datetime | None = None
    at_home: bool = False
    retests: int = 0
    away_reason: AwayReason | None = None
    exempt_reason: ExemptionReason | None = None
    event_ids: tuple[str, ...] = ()
    last_event_at: datetime | None = None
    round_id: str | None = None

    def __init__(
        self,
        resident_id: str,
        state: ResidentState,
        tube_id: str | None = None,
        first_tube_id: str | None = None,
        registered_at: datetime | None = None,
        sampled_at: datetime | None = None,
        at_home: bool = False,
        retests: int = 0,
        away_reason: AwayReason | None = None,
        exempt_reason: ExemptionReason | None = None,
        event_ids: tuple[str, ...] = (),
        last_event_at: datetime | None = None,
        round_id: str | None = None,
    ) -> None:
        self.__attrs_init__(
            resident_id,
            state,
            tube_id,
            first_tube_id,
            registered_at,
            sampled_at,
            at_home,
            retests,
            away_reason,
            exempt_reason,
            event_ids,
            last_event_at,
            round_id,
        )
        _check_resident_record(self)


def _resident(
    resident_id: str,
    state: ResidentState,
    tube_id: str | None = None,
    first_tube_id: str | None = None,
    registered_at: datetime | None = None,
    sampled_at: datetime | None = None,
    at_home: bool = False,
    retests: int = 0,
    away_reason: AwayReason | None = None,
    exempt_reason: ExemptionReason | None = None,
    event_ids: tuple[str, ...] = (),
    last_event_at: datetime | None = None,
    round_id: str | None = None,
) -> ResidentRecord:
    """A :class:`ResidentRecord` the replay built from checked events: no checks repeated.

    The two steps of :func:`gridcare.errors.trusted`, written out (see its
    docstring): a replay builds one record per resident.
    """
    record = object.__new__(ResidentRecord)
    record.__attrs_init__(
        resident_id,
        state,
        tube_id,
        first_tube_id,
        registered_at,
        sampled_at,
        at_home,
        retests,
        away_reason,
        exempt_reason,
        event_ids,
        last_event_at,
        round_id,
    )
    return record


def _with_ids(r: ResidentRecord, event_ids: tuple[str, ...]) -> ResidentRecord:
    """``r`` holding ``event_ids`` (the replay sets a resident's ids once, at the end)."""
    return _resident(
        r.resident_id,
        r.state,
        r.tube_id,
        r.first_tube_id,
        r.registered_at,
        r.sampled_at,
        r.at_home,
        r.retests,
        r.away_reason,
        r.exempt_reason,
        event_ids,
        r.last_event_at,
        r.round_id,
    )


def _check_resident_record(record: object) -> ResidentRecord:
    """``record`` if it is a well-formed :class:`ResidentRecord` (checked where one comes in)."""
    if type(record) is not ResidentRecord:
        raise InvalidInput("bad_record", "record", "expected a ResidentRecord or None")
    _check_fields(record, _RESIDENT_FIELDS)
    if record.event_ids and record.last_event_at is None:
        raise InvalidInput("bad_record", "last_event_at", "a record with events has their instant")
    return record


def pool_has_room(size: int, kind: TubeKind, screening: ScreeningRound) -> bool:
    """Guard: whether a tube of ``kind`` holding ``size`` swabs can take one more.

    Its capacity is the round's pool size for a pooled tube, one for a single tube.

    >>> from datetime import datetime, timedelta, timezone
    >>> from gridcare.screening.round import PoolingRule
    >>> t0 = datetime(2022, 3, 27, tzinfo=timezone.utc)
    >>> rnd = ScreeningRound(id="S", scope="C", start=t0, end=t0 + timedelta(hours=5),
    ...                      pooling=PoolingRule(pool_size=2))
    >>> pool_has_room(1, TubeKind.POOLED, rnd), pool_has_room(2, TubeKind.POOLED, rnd)
    (True, False)
    >>> pool_has_room(1, TubeKind.SINGLE, rnd)
    False
    >>> pool_has_room(1, "pooled", rnd)
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: kind: expected TubeKind, got str [bad_enum]
    """
    require_count(size, "size")
    require_instance(kind, TubeKind, "kind", code="bad_enum")
    require_instance(screening, ScreeningRound, "screening", code="bad_round")
    return _pool_has_room(size, kind, screening)


def _pool_has_room(size: int, kind: TubeKind, screening: ScreeningRound) -> bool:
    """:func:`pool_has_room` for arguments the replay already holds checked."""
    return size < screening.pooling.capacity(kind)


def _check_swab_guard(event: object) -> None:
    """The event a swab guard reads: a :class:`SwabAdded`."""
    require_instance(event, SwabAdded, "event", code="bad_event")


def _check_tubes(tubes: object) -> None:
    """The tube records a guard reads: a mapping of tube id to :class:`TubeRecord`."""
    if not isinstance(tubes, Mapping):
        raise InvalidInput("bad_tubes", "tubes", "expected tube id -> TubeRecord")


def single_tube_respected(due: DueList, event: SwabAdded) -> bool:
    """Guard: a resident due for a single tube is not swabbed into a pooled one.

    >>> from datetime import datetime, timezone
    >>> d = DueList(round_id="S", scope_position=0, household_of={"R1": "H"},
    ...             place_of={"R1": 0}, single_tube=frozenset({"R1"}))
    >>> e = SwabAdded(id="e", at=datetime(2022, 3, 27, tzinfo=timezone.utc), round_id="S",
    ...               resident_id="R1", tube_id="T1")
    >>> single_tube_respected(d, e)
    False
    """
    require_instance(due, DueList, "due", code="bad_due")
    _check_swab_guard(event)
    return _single_tube_respected(due, event)


def _single_tube_respected(due: DueList, event: SwabAdded) -> bool:
    """:func:`single_tube_respected` for arguments the replay already holds checked."""
    return event.tube_kind is TubeKind.SINGLE or event.resident_id not in due.single_tube


def tube_accepted(tubes: Mapping[str, TubeRecord], event: SwabAdded) -> bool:
    """Guard: the swab's tube (after the tube replay) holds this swab of the resident.

    A tube record that keeps its event ids must hold the swab's id: a swab the
    tube refused does not bind the resident, even if a later swab put them
    in the tube. A record without ids (built by hand) is asked for the
    resident only.

    >>> from datetime import datetime, timezone
    >>> e = SwabAdded(id="e", at=datetime(2022, 3, 27, tzinfo=timezone.utc), round_id="S",
    ...               resident_id="R1", tube_id="T1")
    >>> tube_accepted({"T1": TubeRecord("T1", TubeKind.POOLED, TubeState.OPEN, ("R1",))}, e)
    True
    >>> tube = TubeRecord("T1", TubeKind.POOLED, TubeState.OPEN, ("R1",), event_ids=("e0",),
    ...                   last_event_at=e.at)
    >>> tube_accepted({"T1": tube}, e), tube_accepted({}, e)
    (False, False)
    """
    _check_tubes(tubes)
    _check_swab_guard(event)
    return _tube_accepted(tubes, event)


def _tube_accepted(tubes: Mapping[str, TubeRecord], event: SwabAdded) -> bool:
    """:func:`tube_accepted` for arguments the replay already holds checked."""
    tube = tubes.get(event.tube_id)
    if type(tube) is not TubeRecord or event.resident_id not in tube.members:
        return False
    return not tube.event_ids or event.id in tube.event_ids


def retest_matches(record: ResidentRecord, event: SwabAdded) -> bool:
    """Guard: a re-test names the resident's current tube (the one that calls for it).

    >>> from datetime import datetime, timezone
    >>> e = SwabAdded(id="e", at=datetime(2022, 3, 28, tzinfo=timezone.utc), round_id="S",
    ...               resident_id="R1", tube_id="T9", tube_kind=TubeKind.SINGLE, retest_of="T1")
    >>> retest_matches(ResidentRecord("R1", ResidentState.SAMPLED, tube_id="T1"), e)
    True
    """
    _check_resident_record(record)
    _check_swab_guard(event)
    return _retest_matches(record, event)


def _retest_matches(record: ResidentRecord, event: SwabAdded) -> bool:
    """:func:`retest_matches` for arguments the replay already holds checked."""
    return event.retest_of == record.tube_id


def retest_due(record: ResidentRecord, tubes: Mapping[str, TubeRecord], at: datetime) -> bool:
    """Guard: whether the resident may take another tube at ``at`` (the one rule for it).

    Only after the lab has reported the resident's current tube positive (a
    pooled tube) or invalid, from the next instant on: a resident is never in
    two tubes of one round without a re-test between. Strictly after, so that
    a log replayed in parts gives what the whole gives: the result that calls
    for a re-test always comes before it in replay order, in any part that
    holds the re-test.

    >>> from datetime import datetime, timedelta, timezone
    >>> t = datetime(2022, 3, 27, 14, tzinfo=timezone.utc)
    >>> tube = TubeRecord("T1", TubeKind.POOLED, TubeState.POSITIVE, ("R1",), t, t)
    >>> r = ResidentRecord("R1", ResidentState.SAMPLED, tube_id="T1")
    >>> retest_due(r, {"T1": tube}, t), retest_due(r, {"T1": tube}, t + timedelta(seconds=1))
    (False, True)
    """
    _check_as_of(record, tubes, at)
    return _retest_due(record, tubes, at)


def _check_as_of(record: object, tubes: object, at: object) -> None:
    """The arguments of :func:`retest_due` and :func:`resident_state_as_of`."""
    _check_resident_record(record)
    _check_tubes(tubes)
    require_instant(at, "at")


def _retest_due(record: ResidentRecord, tubes: Mapping[str, TubeRecord], at: datetime) -> bool:
    """:func:`retest_due` for arguments the replay already holds checked."""
    state = record.state
    if state is not S.SAMPLED and state is not S.RESAMPLED:
        return False
    tube = tubes.get(record.tube_id or "")
    return (
        type(tube) is TubeRecord
        and tube.calls_for_retest
        and tube.result_at is not None
        and tube.result_at < at
    )


def resident_state_as_of(
    record: ResidentRecord, tubes: Mapping[str, TubeRecord], at: datetime
) -> ResidentState:
    """The resident's state at ``at``: ``RETEST_DUE`` when :func:`retest_due` says so.

    >>> from datetime import datetime, timedelta, timezone
    >>> t = datetime(2022, 3, 27, 14, tzinfo=timezone.utc)
    >>> tube = TubeRecord("T1", TubeKind.POOLED, TubeState.POSITIVE, ("R1",), t, t)
    >>> r = ResidentRecord("R1", ResidentState.SAMPLED, tube_id="T1")
    >>> resident_state_as_of(r, {"T1": tube}, t + timedelta(minutes=1)).value
    'retest_due'
    """
    _check_as_of(record, tubes, at)
    return _resident_state_as_of(record, tubes, at)


def _resident_state_as_of(
    record: ResidentRecord, tubes: Mapping[str, TubeRecord], at: datetime
) -> ResidentState:
    """:func:`resident_state_as_of` for arguments the replay already holds checked."""
    if _retest_due(record, tubes, at):
        return S.RETEST_DUE
    return record.state


def _check_round(
    event: ScreeningEvent, kind: ScreeningEventKind, screening: ScreeningRound
) -> None:
    if event.round_id != screening.id:
        raise InvalidInput("wrong_round", "round_id", "event belongs to another round")
    at = event.at
    if kind is K.SWAB or kind is K.REGISTER:
        if not screening.start <= at < screening.end:
            raise InvalidInput("outside_window", "at", "first samples fall in the round's window")
    elif at < screening.start:
        raise InvalidInput("before_round", "at", "the event is before the round starts")


def apply_tube_event(
    record: TubeRecord | None, event: TubeEvent, screening: ScreeningRound
) -> TubeRecord:
    """The tube's record after ``event``; raises ``IllegalTransition`` or ``InvalidInput``.

    Guards: :func:`pool_has_room` (code ``pool_full``), a resident once per
    tube (``already_in_tube``), one kind per tube (``tube_kind_mismatch``).

    >>> from datetime import datetime, timedelta, timezone
    >>> t0 = datetime(2022, 3, 27, 8, tzinfo=timezone.utc)
    >>> rnd = ScreeningRound(id="S", scope="C", start=t0, end=t0 + timedelta(hours=5))
    >>> one = SwabAdded(id="a", at=t0, round_id="S", resident_id="R1", tube_id="T",
    ...                 tube_kind=TubeKind.SINGLE)
    >>> two = SwabAdded(id="b", at=t0, round_id="S", resident_id="R2", tube_id="T",
    ...                 tube_kind=TubeKind.SINGLE)
    >>> apply_tube_event(apply_tube_event(None, one, rnd), two, rnd)
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: tube_id: the tube holds its pool size already [pool_full]
    """
    if not isinstance(event, _TUBE_TYPES):
        raise InvalidInput("bad_event", "event", "expected a tube event")
    if type(screening) is not ScreeningRound and not isinstance(screening, ScreeningRound):
        raise InvalidInput("bad_round", "screening", "expected a ScreeningRound")
    if record is not None and type(record) is not TubeRecord:
        raise InvalidInput("bad_record", "record", "expected a TubeRecord or None")
    if record is not None:
        _check_record_round(record, screening.id, "record")
    draft = _TubeDraft(record)
    draft.step(event, screening)
    return draft.freeze()


class _TubeDraft:
    """A tube's record while its events are folded: the one place the tube rules live.

    :meth:`step` checks everything before it changes anything, so a refused
    event leaves the draft as it was.
    """

    __slots__ = (
        "ids",
        "kind",
        "last_at",
        "members",
        "result_at",
        "retest_of",
        "round_id",
        "sealed_at",
        "state",
        "tube_id",
    )

    def __init__(self, record: TubeRecord | None) -> None:
        self.tube_id: str | None = None
        self.kind = TubeKind.POOLED
        self.state: TubeState | None = None
        self.members: list[str] = []
        self.sealed_at: datetime | None = None
        self.result_at: datetime | None = None
        self.retest_of: str | None = None
        self.ids: list[str] = []
        self.last_at: datetime | None = None
        self.round_id: str | None = None
        if record is not None:
            self.tube_id = record.tube_id
            self.kind = record.kind
            self.state = record.state
            self.members = list(record.members)
            self.sealed_at = record.sealed_at
            self.result_at = record.result_at
            self.retest_of = record.retest_of
            self.ids = list(record.event_ids)
            self.last_at = record.last_event_at
            self.round_id = record.round_id

    def step(self, event: TubeEvent, screening: ScreeningRound) -> None:
        kind = event.kind
        _check_round(event, kind, screening)
        current = self.state
        if current is None:
            state = TUBE_MACHINE.next(NEW, kind, detail=event.id)
            assert isinstance(event, SwabAdded)  # the table's entry edges are swabs only
            self.tube_id = event.tube_id
            self.kind = event.tube_kind
            self.state = state
            self.members.append(event.resident_id)
            self.retest_of = event.retest_of
            self.ids.append(event.id)
            self.last_at = event.at
            self.round_id = event.round_id
            return
        if self.tube_id != event.tube_id:
            raise InvalidInput("wrong_tube", "tube_id", "event is for another tube")
        state = TUBE_MACHINE.next(current, kind, detail=event.id)
        if kind is K.SWAB:
            assert isinstance(event, SwabAdded)
            if event.tube_kind is not self.kind:
                raise InvalidInput("tube_kind_mismatch", "tube_kind", "a tube has one kind")
            if not _pool_has_room(len(self.members), self.kind, screening):
                raise InvalidInput("pool_full", "tube_id", "the tube holds its pool size already")
            if event.resident_id in self.members:
                raise InvalidInput(
                    "already_in_tube", "resident_id", "one swab per resident per tube"
                )
            self.members.append(event.resident_id)
        elif kind is K.SEAL:
            self.sealed_at = event.at
        else:
            self.result_at = event.at
        self.state = state
        self.ids.append(event.id)
        self.last_at = event.at

    def freeze(self) -> TubeRecord:
        """The tube's record: built from checked events, so not checked again
        (:func:`gridcare.errors.trusted`'s two steps, as for a resident's record)."""
        assert self.tube_id is not None
        assert self.state is not None
        record = object.__new__(TubeRecord)
        record.__attrs_init__(
            self.tube_id,
            self.kind,
            self.state,
            tuple(self.members),
            self.sealed_at,
            self.result_at,
            self.retest_of,
            tuple(self.ids),
            self.last_at,
            self.round_id,
        )
        return record


def apply_screening_event(
    record: ResidentRecord | None,
    event: ResidentEvent,
    screening: ScreeningRound,
    due: DueList,
    tubes: Mapping[str, TubeRecord],
) -> ResidentRecord:
    """The resident's record after ``event``; raises ``IllegalTransition`` or ``InvalidInput``.

    ``tubes`` are the tube records after the tube replay. The table is read
    with the state as of the event's instant (:func:`resident_state_as_of`).
    Guards: the resident is due (``not_due``), :func:`single_tube_respected`
    (``single_tube_required``), :func:`tube_accepted` (``swab_not_in_tube``),
    :func:`retest_matches` (``wrong_retest``).

    >>> from datetime import datetime, timedelta, timezone
    >>> t0 = datetime(2022, 3, 27, 8, tzinfo=timezone.utc)
    >>> rnd = ScreeningRound(id="S", scope="C", start=t0, end=t0 + timedelta(hours=5))
    >>> due = DueList(round_id="S", scope_position=0, household_of={"R1": "H"},
    ...               place_of={"R1": 0})
    >>> tubes = {"T1": TubeRecord("T1", TubeKind.POOLED, TubeState.NEGATIVE, ("R1",)),
    ...          "T2": TubeRecord("T2", TubeKind.POOLED, TubeState.OPEN, ("R1",))}
    >>> first = SwabAdded(id="a", at=t0, round_id="S", resident_id="R1", tube_id="T1")
    >>> again = SwabAdded(id="b", at=t0, round_id="S", resident_id="R1", tube_id="T2")
    >>> r = apply_screening_event(None, first, rnd, due, tubes)
    >>> r.state.value
    'sampled'
    >>> apply_screening_event(r, again, rnd, due, tubes)
    Traceback (most recent call last):
    ...
    gridcare.errors.IllegalTransition: screening_resident: event 'swab' is not allowed in ...
    """
    if not isinstance(event, (Registered, SwabAdded, MarkedAway, MarkedExempt)):
        raise InvalidInput("bad_event", "event", "expected a resident event")
    if type(screening) is not ScreeningRound and not isinstance(screening, ScreeningRound):
        raise InvalidInput("bad_round", "screening", "expected a ScreeningRound")
    if type(due) is not DueList and not isinstance(due, DueList):
        raise InvalidInput("bad_due", "due", "expected a DueList")
    if record is not None:
        _check_resident_record(record)
        _check_record_round(record, screening.id, "record")
    if not isinstance(tubes, Mapping):
        raise InvalidInput("bad_tubes", "tubes", "expected tube id -> TubeRecord")
    after = _resident_step(record, event, screening, due, tubes)
    event_ids = (event.id,) if record is None else (*record.event_ids, event.id)
    return after if after.event_ids == event_ids else _with_ids(after, event_ids)


def _resident_step(
    record: ResidentRecord | None,
    event: ResidentEvent,
    screening: ScreeningRound,
    due: DueList,
    tubes: Mapping[str, TubeRecord],
) -> ResidentRecord:
    """The resident rules, once the arguments are known to be of the right types.

    A first record holds the event's id; a later one keeps the ids it had (the
    caller adds the new ones: once per resident in a replay). Either holds the
    event's instant as ``last_event_at``.
    """
    kind = event.kind
    _check_round(event, kind, screening)
    resident_id = event.resident_id
    if resident_id not in due.household_of:
        raise InvalidInput("not_due", "resident_id", "the resident is not due in this round")
    if record is None:
        state = RESIDENT_MACHINE.next(NEW, kind, detail=event.id)
        return _first_resident_record(event, kind, state, due, tubes)
    if record.resident_id != resident_id:
        raise InvalidInput("wrong_resident", "resident_id", "event is for another resident")
    source = _resident_state_as_of(record, tubes, event.at)
    state = RESIDENT_MACHINE.next(source, kind, detail=event.id)
    return _next_resident_record(record, event, kind, state, due, tubes)


def _check_swab(event: SwabAdded, due: DueList, tubes: Mapping[str, TubeRecord]) -> None:
    if not _single_tube_respected(due, event):
        raise InvalidInput(
            "single_tube_required", "tube_kind", "the resident is sampled in a single tube"
        )
    if not _tube_accepted(tubes, event):
        raise InvalidInput("swab_not_in_tube", "tube_id", "the tube did not take this swab")


def _first_resident_record(
    event: ResidentEvent,
    kind: ScreeningEventKind,
    state: ResidentState,
    due: DueList,
    tubes: Mapping[str, TubeRecord],
) -> ResidentRecord:
    """The record a resident's first event creates (the entry edge)."""
    resident_id = event.resident_id
    if kind is K.SWAB:
        assert isinstance(event, SwabAdded)
        _check_swab(event, due, tubes)
        tube_id = event.tube_id
        at_home = event.door_team_id is not None
        at = event.at
        return _resident(
            resident_id,
            state,
            tube_id,
            tube_id,
            None,
            at,
            at_home,
            0,
            None,
            None,
            (event.id,),
            at,
            event.round_id,
        )
    ids = (event.id,)
    if kind is K.REGISTER:
        assert isinstance(event, Registered)
        return _resident(
            resident_id,
            state,
            registered_at=event.at,
            at_home=event.at_home,
            event_ids=ids,
            last_event_at=event.at,
            round_id=event.round_id,
        )
    if kind is K.MARK_AWAY:
        assert isinstance(event, MarkedAway)
        return _resident(
            resident_id,
            state,
            away_reason=event.reason,
            event_ids=ids,
            last_event_at=event.at,
            round_id=event.round_id,
        )
    assert isinstance(event, MarkedExempt)
    return _resident(
        resident_id,
        state,
        exempt_reason=event.reason,
        event_ids=ids,
        last_event_at=event.at,
        round_id=event.round_id,
    )


def _next_resident_record(
    record: ResidentRecord,
    event: ResidentEvent,
    kind: ScreeningEventKind,
    state: ResidentState,
    due: DueList,
    tubes: Mapping[str, TubeRecord],
) -> ResidentRecord:
    """``record`` after one more event that leaves the resident in ``state``."""
    r = record
    if kind is K.SWAB or kind is K.RESWAB:
        assert isinstance(event, SwabAdded)
        _check_swab(event, due, tubes)
        tube_id = event.tube_id
        if kind is K.RESWAB:
            if not _retest_matches(record, event):
                raise InvalidInput("wrong_retest", "retest_of", "a re-test names the tube")
            return _resident(
                r.resident_id,
                state,
                tube_id,
                r.first_tube_id,
                r.registered_at,
                r.sampled_at,
                r.at_home,
                r.retests + 1,
                r.away_reason,
                r.exempt_reason,
                r.event_ids,
                event.at,
                event.round_id,
            )
        at_home = r.at_home or event.door_team_id is not None
        return _resident(
            r.resident_id,
            state,
            tube_id,
            tube_id,
            r.registered_at,
            event.at,
            at_home,
            r.retests,
            None,
            r.exempt_reason,
            r.event_ids,
            event.at,
            event.round_id,
        )
    if kind is K.REGISTER:
        assert isinstance(event, Registered)
        return _resident(
            r.resident_id,
            state,
            r.tube_id,
            r.first_tube_id,
            event.at,
            r.sampled_at,
            event.at_home,
            r.retests,
            None,
            r.exempt_reason,
            r.event_ids,
            event.at,
            event.round_id,
        )
    if kind is K.MARK_AWAY:
        assert isinstance(event, MarkedAway)
        return _resident(
            r.resident_id,
            state,
            r.tube_id,
            r.first_tube_id,
            r.registered_at,
            r.sampled_at,
            r.at_home,
            r.retests,
            event.reason,
            r.exempt_reason,
            r.event_ids,
            event.at,
            event.round_id,
        )
    assert isinstance(event, MarkedExempt)
    return _resident(
        r.resident_id,
        state,
        r.tube_id,
        r.first_tube_id,
        r.registered_at,
        r.sampled_at,
        r.at_home,
        r.retests,
        r.away_reason,
        event.reason,
        r.event_ids,
        event.at,
        event.round_id,
    )


def resident_outcome(record: ResidentRecord | None, tubes: Mapping[str, TubeRecord]) -> Outcome:
    """The one outcome of a resident due, from its record and the tube records.

    No record, or registered only: ``MISSED``. Sampled: from the current
    tube: negative ``SAMPLED_NEGATIVE``; a positive pool or an invalid tube
    ``UNDER_RETEST``; a positive single tube ``POSITIVE``; not yet reported
    ``AWAITING_RESULT``, or ``UNDER_RETEST`` for a re-test tube.

    >>> tube = TubeRecord("T1", TubeKind.POOLED, TubeState.POSITIVE, ("R1",))
    >>> resident_outcome(ResidentRecord("R1", ResidentState.SAMPLED, tube_id="T1"),
    ...                  {"T1": tube}).value
    'under_retest'
    >>> resident_outcome(None, {}).value
    'missed'
    """
    if record is not None:
        _check_resident_record(record)
    if not isinstance(tubes, Mapping):
        raise InvalidInput("bad_tubes", "tubes", "expected tube id -> TubeRecord")
    return _outcome(record, tubes)


def _outcome(record: ResidentRecord | None, tubes: Mapping[str, TubeRecord]) -> Outcome:
    """:func:`resident_outcome` for records the replay built."""
    if record is None:
        return Outcome.MISSED
    state = record.state
    if state is S.SAMPLED or state is S.RESAMPLED:
        tube = tubes.get(record.tube_id or "")
        if type(tube) is not TubeRecord:
            tube = None
        tube_state = T.OPEN if tube is None else tube.state
        if tube_state is T.NEGATIVE:
            return Outcome.SAMPLED_NEGATIVE
        if tube_state is T.POSITIVE:
            return (
                Outcome.UNDER_RETEST
                if tube is not None and tube.kind is TubeKind.POOLED
                else (Outcome.POSITIVE)
            )
        if tube_state is T.INVALID:
            return Outcome.UNDER_RETEST
        return Outcome.UNDER_RETEST if state is S.RESAMPLED else Outcome.AWAITING_RESULT
    if state is S.AWAY:
        return Outcome.AWAY
    if state is S.EXEMPT:
        return Outcome.EXEMPT
    return Outcome.MISSED


@attrs.frozen(repr=False, field_transformer=masked_field_reprs)
class RoundReplay:
    """The replay of a round's log: the tube and resident replays, the round, who is due.

    ``tubes`` and ``residents`` are :class:`gridcare.machine.Replay` values (a
    swab is replayed in both). ``rejected`` lists both replays' rejections.
    ``outcome_by_resident`` holds every resident due with its outcome
    (:func:`resident_outcome` of its record).

    >>> from datetime import datetime, timedelta, timezone
    >>> from gridcare.screening.round import DueList
    >>> t0 = datetime(2022, 3, 27, 8, tzinfo=timezone.utc)
    >>> rnd = ScreeningRound(id="S", scope="C", start=t0, end=t0 + timedelta(hours=5))
    >>> due = DueList(round_id="S", scope_position=0, household_of={"R1": "H"},
    ...               place_of={"R1": 0})
    >>> replay_round([], rnd, due)
    RoundReplay('S', due=1, tubes=0, residents=0, rejected=0)
    """

    screening: ScreeningRound
    due: DueList
    tubes: Replay[str, TubeRecord, TubeEvent]
    residents: Replay[str, ResidentRecord, ResidentEvent]
    outcome_by_resident: Mapping[str, Outcome]

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.screening, ScreeningRound):
            raise InvalidInput("bad_round", "screening", "expected a ScreeningRound")
        if not isinstance(self.due, DueList):
            raise InvalidInput("bad_due", "due", "expected a DueList")
        for field in ("tubes", "residents"):
            if not isinstance(getattr(self, field), Replay):
                raise InvalidInput("bad_replay", field, "expected a gridcare.machine.Replay")
        if not isinstance(self.outcome_by_resident, Mapping):
            raise InvalidInput("bad_outcomes", "outcome_by_resident", "expected id -> Outcome")

    @property
    def rejected(self) -> tuple[Rejection[ScreeningEvent], ...]:
        """Every rejected event of both replays, with its reason."""
        found: list[Rejection[ScreeningEvent]] = []
        found.extend(self.tubes.rejected)  # type: ignore[arg-type]
        found.extend(self.residents.rejected)  # type: ignore[arg-type]
        return tuple(found)

    def outcome_of(self, resident_id: str) -> Outcome:
        """The outcome of one resident due; ``InvalidInput`` (``not_due``) for another."""
        if resident_id not in self.due:
            raise InvalidInput("not_due", "resident_id", "the resident is not due in this round")
        return self.outcome_by_resident[resident_id]

    def outcomes(self) -> Mapping[str, Outcome]:
        """Every resident due with its outcome (see :func:`resident_outcome`)."""
        return self.outcome_by_resident

    def retest_members(self) -> dict[str, tuple[str, ...]]:
        """Each tube that calls for re-tests (a positive pool, an invalid tube) and its members."""
        return {
            tube_id: tube.members
            for tube_id, tube in self.tubes.records.items()
            if tube.calls_for_retest
        }

    def __repr__(self) -> str:
        return (
            f"RoundReplay({masked_repr(self.screening.id)}, due={len(self.due)}, "
            f"tubes={len(self.tubes.records)}, residents={len(self.residents.records)}, "
            f"rejected={len(self.tubes.rejected) + len(self.residents.rejected)})"
        )


def _outcomes(
    due: DueList, records: Mapping[str, ResidentRecord], tubes: Mapping[str, TubeRecord]
) -> dict[str, Outcome]:
    """Every resident due with its outcome, in one pass over the records."""
    found = dict.fromkeys(due.household_of, Outcome.MISSED)
    for resident_id, record in records.items():
        if resident_id in found:
            found[resident_id] = _outcome(record, tubes)
    return found


def _tube_of(event: TubeEvent) -> str:
    return event.tube_id


def _resident_of(event: ResidentEvent) -> str:
    return event.resident_id


def _checked_log(events: Iterable[ScreeningEvent]) -> list[ScreeningEvent]:
    if isinstance(events, (str, bytes)) or not isinstance(events, Iterable):
        raise InvalidInput("bad_events", "events", "expected screening events")
    log = read_once(events, "events")
    for position, event in enumerate(log):
        if type(event) not in _EVENT_TYPES:
            raise InvalidInput("bad_event", f"events.{position}", "expected a screening event")
    return log


def _split(events: Iterable[ScreeningEvent]) -> tuple[list[TubeEvent], list[ResidentEvent]]:
    """The tube events and the resident events of a log (a swab is both), in log order."""
    tube_log: list[TubeEvent] = []
    resident_log: list[ResidentEvent] = []
    for event in events:
        kind = type(event)
        if kind is SwabAdded:
            tube_log.append(event)  # type: ignore[arg-type]
            resident_log.append(event)  # type: ignore[arg-type]
        elif kind is TubeSealed or kind is TubeResult:
            tube_log.append(event)  # type: ignore[arg-type]
        else:
            resident_log.append(event)  # type: ignore[arg-type]
    return tube_log, resident_log


def _exempt_records(due: DueList) -> dict[str, ResidentRecord]:
    return {
        resident_id: _resident(resident_id, S.EXEMPT, exempt_reason=reason, round_id=due.round_id)
        for resident_id, reason in due.exempt.items()
    }


def _check_arguments(screening: ScreeningRound, due: DueList, progress: Progress | None) -> None:
    if not isinstance(screening, ScreeningRound):
        raise InvalidInput("bad_round", "screening", "expected a ScreeningRound")
    if not isinstance(due, DueList):
        raise InvalidInput("bad_due", "due", "expected a DueList")
    if due.round_id != screening.id:
        raise InvalidInput("wrong_round", "due", "the due list is another round's")
    if progress is not None and not callable(progress):
        raise InvalidInput("bad_progress", "progress", "expected a callable or None")


def _tube_key(record: TubeRecord) -> str:
    return record.tube_id


def _resident_key(record: ResidentRecord) -> str:
    return record.resident_id


def _stored(
    tubes: object, residents: object, round_id: str
) -> tuple[dict[str, TubeRecord], dict[str, ResidentRecord]]:
    """Stored tube and resident records checked where they come back in, each of the round
    replayed (or of none named)."""
    tube_start = {} if tubes is None else check_records(tubes, TubeRecord, _tube_key, field="tubes")
    resident_start = (
        {}
        if residents is None
        else check_records(residents, ResidentRecord, _resident_key, field="residents")
    )
    for tube_id, tube in tube_start.items():
        _check_record_round(tube, round_id, f"tubes.{tube_id}")
    for resident_id, record in resident_start.items():
        _check_resident_record(record)
        _check_record_round(record, round_id, f"residents.{resident_id}")
    return tube_start, resident_start


def _check_record_round(record: TubeRecord | ResidentRecord, round_id: str, field: str) -> None:
    """A stored record names the round it was replayed in; one of another round is refused.

    A record built by hand may name none (``round_id=None``): it is taken as this round's.
    """
    if record.round_id is not None and record.round_id != round_id:
        raise InvalidInput(
            "wrong_round",
            f"{field}.round_id",
            f"the record belongs to round {record.round_id!r}, not {round_id!r}",
            value=record.round_id,
        )


def _tube_or_none(event: ScreeningEvent) -> str | None:
    return event.tube_id if type(event) in _TUBE_TYPES else None  # type: ignore[union-attr]


def _resident_or_none(event: ScreeningEvent) -> str | None:
    kind = type(event)
    return None if kind is TubeSealed or kind is TubeResult else event.resident_id  # type: ignore[union-attr]


def _sorted_out(
    log: list[ScreeningEvent],
    tubes: Mapping[str, TubeRecord],
    residents: Mapping[str, ResidentRecord],
) -> Batch[ScreeningEvent]:
    """The log sorted out by id over the whole round, then against the stored records.

    An id names one event of the round whatever its kind: one that a stored
    tube or resident record holds for another event is a conflict.
    """
    batch = trusted_sort_out_ids(log)  # the log's events are of this module's types
    if tubes or residents:
        batch = batch.set_aside(
            held_elsewhere(tubes, batch.firsts, _tube_or_none)
            | held_elsewhere(residents, batch.firsts, _resident_or_none)
            | _swabs_naming_another(batch.firsts, tubes, residents)
        )
    return batch


def _swabs_naming_another(
    events: Sequence[ScreeningEvent],
    tubes: Mapping[str, TubeRecord],
    residents: Mapping[str, ResidentRecord],
) -> set[str]:
    """The ids of swabs that the stored record of their tube or of their resident holds for
    another event (:meth:`gridcare.machine.History.names_another`).

    A swab belongs to two records. Judged by each alone, one side applied it (a
    new tube) while the other refused it as a conflict (a resident's record
    holding the id for a registration): set aside here, both refuse it, as one
    replay of the whole log does.
    """
    found: set[str] = set()
    # A tube's history is read once, not once per swab of its pool.
    tube_histories: dict[str, History | None] = {}
    for event in events:
        if type(event) is not SwabAdded:
            continue
        tube_id = event.tube_id
        if tube_id not in tube_histories:
            tube = tubes.get(tube_id)
            tube_histories[tube_id] = None if tube is None else History.of(tube)
        resident = residents.get(event.resident_id)
        for history in (
            tube_histories[tube_id],
            None if resident is None else History.of(resident),
        ):
            if history is not None and history.names_another(event):
                found.add(event.id)
    return found


def _conflicts(events: list[TubeEvent] | list[ResidentEvent]) -> list[Rejection[ScreeningEvent]]:
    return [Rejection(event, conflicting_id(event)) for event in events]


def _in_order(
    first: list[ScreeningEvent], more: tuple[ScreeningEvent, ...]
) -> tuple[ScreeningEvent, ...]:
    """Two lists of duplicates as one, in replay order (``first`` is in that order already)."""
    if not more:
        return tuple(first)
    merged = [*first, *more]
    trusted_sort_in_replay_order(merged)
    return tuple(merged)


def replay_round_plain(
    events: Iterable[ScreeningEvent],
    screening: ScreeningRound,
    due: DueList,
    *,
    progress: Progress | None = None,
    tubes: Mapping[str, TubeRecord] | None = None,
    residents: Mapping[str, ResidentRecord] | None = None,
) -> RoundReplay:
    """The plain replay: :func:`gridcare.machine.replay` with :func:`apply_tube_event`, then
    with :func:`apply_screening_event`.

    The reference :func:`replay_round` is checked against (same records,
    outcomes, duplicates and rejections). Repeated ids are sorted out over
    the whole log first (:func:`gridcare.machine.sort_out_ids`), so an id
    names one event of the round whatever its kind. ``tubes`` and
    ``residents`` are stored records to resume from, as for
    :func:`replay_round`.

    >>> from datetime import datetime, timedelta, timezone
    >>> from gridcare.screening.round import DueList
    >>> t0 = datetime(2022, 3, 27, 8, tzinfo=timezone.utc)
    >>> rnd = ScreeningRound(id="S", scope="C", start=t0, end=t0 + timedelta(hours=5))
    >>> due = DueList(round_id="S", scope_position=0, household_of={"R1": "H"},
    ...               place_of={"R1": 0})
    >>> swab = SwabAdded(id="e", at=t0, round_id="S", resident_id="R1", tube_id="T1")
    >>> replay_round_plain([swab, swab], rnd, due).outcomes()
    {'R1': <Outcome.AWAITING_RESULT: 'awaiting_result'>}
    """
    _check_arguments(screening, due, progress)
    tube_start, resident_start = _stored(tubes, residents, screening.id)
    batch = _sorted_out(_checked_log(events), tube_start, resident_start)
    tube_log, resident_log = _split(batch.firsts)
    tube_repeats, resident_repeats = _split(batch.duplicates)
    tube_conflicts, resident_conflicts = _split(batch.conflicts)

    def apply_tube(record: TubeRecord | None, event: TubeEvent) -> TubeRecord:
        return apply_tube_event(record, event, screening)

    tubes_out = replay(
        tube_log, subject=_tube_of, apply=apply_tube, records=tube_start, progress=progress
    )
    tube_records = tubes_out.records

    def apply_resident(record: ResidentRecord | None, event: ResidentEvent) -> ResidentRecord:
        return apply_screening_event(record, event, screening, due, tube_records)

    start = _exempt_records(due)
    start.update(resident_start)
    residents_out = replay(
        resident_log,
        subject=_resident_of,
        apply=apply_resident,
        records=start,
        progress=progress,
    )
    return RoundReplay(
        screening,
        due,
        Replay(
            tubes_out.records,
            tubes_out.applied,
            _in_order(tube_repeats, tubes_out.duplicates),  # type: ignore[arg-type]
            (*_conflicts(tube_conflicts), *tubes_out.rejected),  # type: ignore[arg-type]
        ),
        Replay(
            residents_out.records,
            residents_out.applied,
            _in_order(resident_repeats, residents_out.duplicates),  # type: ignore[arg-type]
            (*_conflicts(resident_conflicts), *residents_out.rejected),  # type: ignore[arg-type]
        ),
        _outcomes(due, residents_out.records, tubes_out.records),
    )


def _groups(
    events: list[ScreeningEvent],
) -> tuple[dict[str, list[TubeEvent]], dict[str, list[ResidentEvent]]]:
    """Each tube's and each resident's events, subjects in first-seen order (one pass)."""
    tubes: dict[str, list[TubeEvent]] = {}
    residents: dict[str, list[ResidentEvent]] = {}
    tube_get = tubes.get
    resident_get = residents.get
    for event in events:
        kind = type(event)
        if kind is SwabAdded or kind is TubeSealed or kind is TubeResult:
            key = event.tube_id  # type: ignore[union-attr]
            group = tube_get(key)
            if group is None:
                tubes[key] = [event]  # type: ignore[list-item]
            else:
                group.append(event)  # type: ignore[arg-type]
            if kind is not SwabAdded:
                continue
        key = event.resident_id  # type: ignore[union-attr]
        found = resident_get(key)
        if found is None:
            residents[key] = [event]  # type: ignore[list-item]
        else:
            found.append(event)  # type: ignore[arg-type]
    return tubes, residents


def _fold_tubes(
    groups: dict[str, list[TubeEvent]],
    screening: ScreeningRound,
    stored: Mapping[str, TubeRecord],
) -> Replay[str, TubeRecord, TubeEvent]:
    """Each tube's events folded on one draft in replay order (rules: :class:`_TubeDraft`),
    from its stored record if any; ``duplicates`` are the events a stored record holds."""
    records: dict[str, TubeRecord] = dict(stored)
    applied: list[TubeEvent] = []
    duplicates: list[TubeEvent] = []
    rejected: list[Rejection[TubeEvent]] = []
    for tube_id, group in groups.items():
        if len(group) > 1:
            trusted_sort_in_replay_order(group)
        before = records.get(tube_id)
        history = None if before is None else History.of(before)
        draft = _TubeDraft(before)
        changed = False
        for event in group:
            try:
                if history is not None and history.already_applied(event):
                    duplicates.append(event)
                    continue
                draft.step(event, screening)
            except GridcareError as exc:
                rejected.append(Rejection(event, exc))
                continue
            applied.append(event)
            changed = True
        if changed:
            records[tube_id] = draft.freeze()
    return Replay(records, tuple(applied), tuple(duplicates), tuple(rejected))


def _fold_residents(
    groups: dict[str, list[ResidentEvent]],
    screening: ScreeningRound,
    due: DueList,
    tubes: Mapping[str, TubeRecord],
    stored: Mapping[str, ResidentRecord],
) -> tuple[Replay[str, ResidentRecord, ResidentEvent], dict[str, Outcome]]:
    """Each resident's events folded in replay order with the resident rules, from its
    stored record if any; each folded resident's outcome is taken while its record is at
    hand, and its new ids are set once."""
    start = _exempt_records(due)
    start.update(stored)
    outcomes = _outcomes(due, start, tubes)
    records = dict(start)
    applied: list[ResidentEvent] = []
    duplicates: list[ResidentEvent] = []
    rejected: list[Rejection[ResidentEvent]] = []
    for resident_id, group in groups.items():
        if len(group) > 1:
            trusted_sort_in_replay_order(group)
        # Each resident is folded once, so its record starts from the stored or exempt one
        # (a small mapping) rather than from the growing result.
        record = start.get(resident_id)
        history = None if record is None else History.of(record)
        fresh: list[str] = []
        for event in group:
            try:
                if history is not None and history.already_applied(event):
                    duplicates.append(event)
                    continue
                record = _resident_step(record, event, screening, due, tubes)
            except GridcareError as exc:
                rejected.append(Rejection(event, exc))
                continue
            applied.append(event)
            fresh.append(event.id)
        if fresh and record is not None:
            event_ids = (*history.ids, *fresh) if history is not None else tuple(fresh)
            if record.event_ids != event_ids:
                record = _with_ids(record, event_ids)
            records[resident_id] = record
            outcomes[resident_id] = _outcome(record, tubes)
    return Replay(records, tuple(applied), tuple(duplicates), tuple(rejected)), outcomes


def replay_round(
    events: Iterable[ScreeningEvent],
    screening: ScreeningRound,
    due: DueList,
    *,
    progress: Progress | None = None,
    tubes: Mapping[str, TubeRecord] | None = None,
    residents: Mapping[str, ResidentRecord] | None = None,
) -> RoundReplay:
    """Replay a round's log: the tubes first, then the residents.

    Order by (``at``, ``id``); a repeated id (over the whole log) is a
    duplicate that changes nothing; every copy of an id naming two different
    events is rejected (``conflicting_id``); whatever a table or guard
    refuses is rejected with its reason, never dropped. The round's
    exemptions (``due.exempt``) are the residents' starting records. Anything
    but a screening event in the log raises ``InvalidInput`` (``bad_event``).
    ``progress(done, total)`` is called after each of the two passes.

    ``tubes`` and ``residents`` are stored records to resume from (tube id ->
    :class:`TubeRecord`, resident id -> :class:`ResidentRecord`, as a replay's
    ``tubes.records`` and ``residents.records``; anything else is
    ``InvalidInput``): an event a record holds is a duplicate, an id another
    record holds a conflict, a new event before its record's last
    ``out_of_order`` (:class:`gridcare.machine.History`).

    Gives the same records, outcomes, duplicates and rejections as
    :func:`replay_round_plain` (:func:`gridcare.machine.replay` with the
    apply functions), in one pass over the log: each tube's events are folded
    on one draft instead of one record per swab, and ``applied`` and
    ``rejected`` list the events subject by subject in the order the subjects
    first appear in the log (the copies of conflicting ids first).

    >>> from datetime import datetime, timedelta, timezone
    >>> from gridcare.screening.round import DueList
    >>> t0 = datetime(2022, 3, 27, 8, tzinfo=timezone.utc)
    >>> rnd = ScreeningRound(id="S", scope="C", start=t0, end=t0 + timedelta(hours=5))
    >>> due = DueList(round_id="S", scope_position=0, household_of={"R1": "H"},
    ...               place_of={"R1": 0})
    >>> away = MarkedAway(id="e", at=t0, round_id="S", resident_id="R1",
    ...                   reason=AwayReason.OUT_OF_AREA)
    >>> first = replay_round([away, away], rnd, due)
    >>> first.outcomes()
    {'R1': <Outcome.AWAY: 'away'>}
    >>> again = replay_round([away], rnd, due, residents=first.residents.records)
    >>> len(again.residents.duplicates), again.residents.records == first.residents.records
    (1, True)
    """
    _check_arguments(screening, due, progress)
    tube_start, resident_start = _stored(tubes, residents, screening.id)
    batch = _sorted_out(_checked_log(events), tube_start, resident_start)
    tube_groups, resident_groups = _groups(batch.firsts)
    tube_repeats, resident_repeats = _split(batch.duplicates)
    tube_conflicts, resident_conflicts = _split(batch.conflicts)
    tubes_out = _fold_tubes(tube_groups, screening, tube_start)
    if progress is not None:
        progress(1, 2)
    residents_out, outcomes = _fold_residents(
        resident_groups, screening, due, tubes_out.records, resident_start
    )
    if progress is not None:
        progress(2, 2)
    return RoundReplay(
        screening,
        due,
        Replay(
            tubes_out.records,
            tubes_out.applied,
            _in_order(tube_repeats, tubes_out.duplicates),  # type: ignore[arg-type]
            (*_conflicts(tube_conflicts), *tubes_out.rejected),  # type: ignore[arg-type]
        ),
        Replay(
            residents_out.records,
            residents_out.applied,
            _in_order(resident_repeats, residents_out.duplicates),  # type: ignore[arg-type]
            (*_conflicts(resident_conflicts), *residents_out.rejected),  # type: ignore[arg-type]
        ),
        outcomes,
    )
