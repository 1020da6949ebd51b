"""Door-knocking campaigns (敲门行动): visit attempts and the household visit machine.

Rules this module obeys (docs/design.md, "State machines"):

* a household's state in a campaign follows ONE literal transition table,
  :data:`HOUSEHOLD_VISIT_MACHINE`, keyed by (state or ``NEW``,
  :class:`VisitEventKind`); the first attempt on a household is the entry
  edge from ``NEW``. A household with no record shows as ``NOT_STARTED``;
* an attempt's kind comes from its channel and outcome
  (:attr:`VisitAttempt.kind`): a resident scanning the door code (left on the
  door after "nobody home") reaches the household remotely. One guard,
  declared beside the table, turns the "nobody home" attempt that reaches the
  campaign's attempt limit into ``nobody_home_at_limit``
  (:func:`reaches_attempt_limit`);
* *revisit due* is derived, never stored: :func:`revisit_due` is the one rule
  (a "nobody home" household is due once the campaign's revisit interval has
  passed since its last attempt, an appointment once its time has come);
* *vacant* is a finding of a visit: a vacant household has been knocked, a
  household never visited is *not started*;
* :func:`apply_visit_event` applies one attempt; :func:`replay_visits` is
  :func:`gridcare.machine.replay` with it: order by (``at``, ``id``), a repeated
  id changes nothing, an id naming two different attempts is rejected, and
  what the table refuses, attempts of another campaign, outside the
  campaign's window or scope are rejected, never dropped. A record keeps the
  ids of its attempts, so a replay resumed from stored records skips what
  they hold.

>>> from datetime import datetime, timedelta, timezone
>>> from gridcare.visits.campaign import Campaign
>>> t0 = datetime(2022, 3, 20, tzinfo=timezone.utc)
>>> c = Campaign(id="K1", scope="D", round=1, start=t0, end=t0 + timedelta(days=8))
>>> log = [
...     VisitAttempt(id="a1", campaign_id="K1", household="H1", team="T1",
...                  at=t0 + timedelta(hours=1), outcome=VisitOutcome.NOBODY_HOME),
...     VisitAttempt(id="a2", campaign_id="K1", household="H1", team="T1",
...                  at=t0 + timedelta(hours=3), outcome=VisitOutcome.REACHED,
...                  channel=VisitChannel.DOOR_CODE_SCAN, persons_seen=3),
... ]
>>> out = replay_visits(log, c)
>>> out.records["H1"].state, out.records["H1"].person_visits, out.total
(<HouseholdVisitState.REACHED_REMOTELY: 'reached_remotely'>, 3, 2)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timezone
from operator import attrgetter
from typing import Final
from zoneinfo import ZoneInfo

import attrs

from gridcare.errors import (
    Choice,
    GridcareError,
    InvalidInput,
    read_once,
    require_callable,
    require_instance,
    require_int,
    require_items,
    utc_offset,
)
from gridcare.machine import (
    NEW,
    History,
    Machine,
    Rejection,
    Replay,
    check_records,
    group_by_subject,
    held_elsewhere,
    sort_out_ids,
    trusted_group_by_subject,
    trusted_sort_in_replay_order,
    trusted_sort_out_ids,
)
from gridcare.masking import id_repr, ids_repr, mask_text, masked_field_reprs
from gridcare.serial import JsonMixin, personal
from gridcare.text import TEXT_LIMITS, check_text_of, is_plain
from gridcare.timeutil import require_aware
from gridcare.visits.campaign import Campaign
from gridcare.visits.findings import Findings

__all__ = [
    "HOUSEHOLD_VISIT_MACHINE",
    "HouseholdReplay",
    "HouseholdVisit",
    "HouseholdVisitState",
    "VisitAttempt",
    "VisitChannel",
    "VisitEventKind",
    "VisitOutcome",
    "VisitReplay",
    "apply_visit_event",
    "attempt_kind",
    "reaches_attempt_limit",
    "replay_household",
    "replay_visits",
    "revisit_due",
    "visit_event_kind",
]

#: A progress callback: ``progress(done, total)``.
Progress = Callable[[int, int], None]


class VisitChannel(Choice):
    """How an attempt was made.

    >>> VisitChannel.DOOR_CODE_SCAN.remote
    True
    """

    DOOR = "door"
    PHONE = "phone"
    WECHAT_GROUP = "wechat_group"
    DOOR_CODE_SCAN = "door_code_scan"

    @property
    def remote(self) -> bool:
        """Whether contact by this channel is remote (not at the door)."""
        return self is not VisitChannel.DOOR


class VisitOutcome(Choice):
    """What an attempt achieved.

    >>> VisitOutcome("nobody_home")
    <VisitOutcome.NOBODY_HOME: 'nobody_home'>
    """

    REACHED = "reached"
    NOBODY_HOME = "nobody_home"  # code sticker and a message left on the door
    REFUSED = "refused"
    VACANT = "vacant"
    APPOINTMENT = "appointment"


class HouseholdVisitState(Choice):
    """A household's state in one campaign.

    ``NOT_STARTED`` is the state shown for a household with no record (the
    table's ``NEW``); ``REVISIT_DUE`` is derived as of an instant
    (:func:`revisit_due`), never stored.

    >>> HouseholdVisitState.REACHED_REMOTELY.reached, HouseholdVisitState.VACANT.reached
    (True, False)
    """

    NOT_STARTED = "not_started"
    REACHED = "reached"
    REACHED_REMOTELY = "reached_remotely"
    NOBODY_HOME = "nobody_home"
    REVISIT_DUE = "revisit_due"
    APPOINTMENT = "appointment"
    REFUSED = "refused"
    VACANT = "vacant"
    ESCALATED = "escalated"

    @property
    def reached(self) -> bool:
        """Whether the household counts as reached (in person or remotely)."""
        return self in _REACHED_STATES

    @property
    def needs_visit(self) -> bool:
        """Whether the household still needs a visit (not reached, not vacant)."""
        return self not in _SETTLED_STATES


_REACHED_STATES = frozenset({HouseholdVisitState.REACHED, HouseholdVisitState.REACHED_REMOTELY})
_SETTLED_STATES = _REACHED_STATES | {HouseholdVisitState.VACANT}


class VisitEventKind(Choice):
    """The kind of an attempt in the transition table (:attr:`VisitAttempt.kind`).

    ``NOBODY_HOME_AT_LIMIT`` is no attempt's own kind: the guard
    :func:`reaches_attempt_limit` turns ``NOBODY_HOME`` into it.

    >>> VisitEventKind.SCAN_DOOR_CODE.value
    'scan_door_code'
    """

    REACH = "reach"
    REACH_REMOTELY = "reach_remotely"
    SCAN_DOOR_CODE = "scan_door_code"
    NOBODY_HOME = "nobody_home"
    NOBODY_HOME_AT_LIMIT = "nobody_home_at_limit"
    REFUSE = "refuse"
    FIND_VACANT = "find_vacant"
    MAKE_APPOINTMENT = "make_appointment"


S = HouseholdVisitState
K = VisitEventKind

# The members the replay's per-attempt rules compare with, read once here. On Python 3.11
# reading a member off its enumeration goes through the enumeration metaclass's attribute
# hook: 0.10 µs, against 0.02 µs for a module's name, and a city's replay reads about four
# per attempt (1.39 million attempts).
_NOBODY_HOME_KIND: Final = K.NOBODY_HOME
_NOBODY_HOME: Final = S.NOBODY_HOME
_APPOINTMENT: Final = S.APPOINTMENT
_REVISIT_DUE: Final = S.REVISIT_DUE
_REFUSED_OUTCOME: Final = VisitOutcome.REFUSED

#: The household-visit transition table (the one source of truth; the docs draw it).
#:
#: * The first attempt is the entry edge from ``NEW``; a scan of the door code
#:   is not among them: the code is only on the door once a "nobody home"
#:   visit left it there (nor can a refused or vacant household scan it).
#: * ``nobody_home``, ``revisit_due`` and ``appointment`` are open: anything
#:   can happen at the next attempt.
#: * Reached is final; a later contact (follow-up, delivery) keeps it reached,
#:   and meeting a remotely reached household at the door upgrades it.
#: * A refusal can be overcome (persuaded later) or rescheduled; a vacant home
#:   whose people come back (an arrival!) is reached after all; an escalated
#:   household is handed up, but further attempts still count and may succeed.
HOUSEHOLD_VISIT_MACHINE: Machine[HouseholdVisitState, VisitEventKind] = Machine(
    "household_visit",
    {
        (NEW, K.REACH): S.REACHED,
        (NEW, K.REACH_REMOTELY): S.REACHED_REMOTELY,
        (NEW, K.NOBODY_HOME): S.NOBODY_HOME,
        (NEW, K.NOBODY_HOME_AT_LIMIT): S.ESCALATED,
        (NEW, K.REFUSE): S.REFUSED,
        (NEW, K.FIND_VACANT): S.VACANT,
        (NEW, K.MAKE_APPOINTMENT): S.APPOINTMENT,
        (S.NOBODY_HOME, K.REACH): S.REACHED,
        (S.NOBODY_HOME, K.REACH_REMOTELY): S.REACHED_REMOTELY,
        (S.NOBODY_HOME, K.SCAN_DOOR_CODE): S.REACHED_REMOTELY,
        (S.NOBODY_HOME, K.NOBODY_HOME): S.NOBODY_HOME,
        (S.NOBODY_HOME, K.NOBODY_HOME_AT_LIMIT): S.ESCALATED,
        (S.NOBODY_HOME, K.REFUSE): S.REFUSED,
        (S.NOBODY_HOME, K.FIND_VACANT): S.VACANT,
        (S.NOBODY_HOME, K.MAKE_APPOINTMENT): S.APPOINTMENT,
        (S.REVISIT_DUE, K.REACH): S.REACHED,
        (S.REVISIT_DUE, K.REACH_REMOTELY): S.REACHED_REMOTELY,
        (S.REVISIT_DUE, K.SCAN_DOOR_CODE): S.REACHED_REMOTELY,
        (S.REVISIT_DUE, K.NOBODY_HOME): S.NOBODY_HOME,
        (S.REVISIT_DUE, K.NOBODY_HOME_AT_LIMIT): S.ESCALATED,
        (S.REVISIT_DUE, K.REFUSE): S.REFUSED,
        (S.REVISIT_DUE, K.FIND_VACANT): S.VACANT,
        (S.REVISIT_DUE, K.MAKE_APPOINTMENT): S.APPOINTMENT,
        (S.APPOINTMENT, K.REACH): S.REACHED,
        (S.APPOINTMENT, K.REACH_REMOTELY): S.REACHED_REMOTELY,
        (S.APPOINTMENT, K.SCAN_DOOR_CODE): S.REACHED_REMOTELY,
        (S.APPOINTMENT, K.NOBODY_HOME): S.NOBODY_HOME,
        (S.APPOINTMENT, K.NOBODY_HOME_AT_LIMIT): S.ESCALATED,
        (S.APPOINTMENT, K.REFUSE): S.REFUSED,
        (S.APPOINTMENT, K.FIND_VACANT): S.VACANT,
        (S.APPOINTMENT, K.MAKE_APPOINTMENT): S.APPOINTMENT,
        (S.REACHED, K.REACH): S.REACHED,
        (S.REACHED, K.REACH_REMOTELY): S.REACHED,
        (S.REACHED, K.SCAN_DOOR_CODE): S.REACHED,
        (S.REACHED_REMOTELY, K.REACH): S.REACHED,
        (S.REACHED_REMOTELY, K.REACH_REMOTELY): S.REACHED_REMOTELY,
        (S.REACHED_REMOTELY, K.SCAN_DOOR_CODE): S.REACHED_REMOTELY,
        (S.REFUSED, K.REACH): S.REACHED,
        (S.REFUSED, K.REACH_REMOTELY): S.REACHED_REMOTELY,
        (S.REFUSED, K.REFUSE): S.REFUSED,
        (S.REFUSED, K.MAKE_APPOINTMENT): S.APPOINTMENT,
        (S.VACANT, K.REACH): S.REACHED,
        (S.VACANT, K.REACH_REMOTELY): S.REACHED_REMOTELY,
        (S.VACANT, K.FIND_VACANT): S.VACANT,
        (S.ESCALATED, K.REACH): S.REACHED,
        (S.ESCALATED, K.REACH_REMOTELY): S.REACHED_REMOTELY,
        (S.ESCALATED, K.SCAN_DOOR_CODE): S.REACHED_REMOTELY,
        (S.ESCALATED, K.NOBODY_HOME): S.ESCALATED,
        (S.ESCALATED, K.NOBODY_HOME_AT_LIMIT): S.ESCALATED,
        (S.ESCALATED, K.REFUSE): S.REFUSED,
        (S.ESCALATED, K.FIND_VACANT): S.VACANT,
        (S.ESCALATED, K.MAKE_APPOINTMENT): S.APPOINTMENT,
    },
)


def reaches_attempt_limit(attempts_before: int, campaign: Campaign) -> bool:
    """Guard: whether the next attempt, after ``attempts_before``, reaches the attempt limit.

    A "nobody home" attempt that does is ``nobody_home_at_limit`` in the table.

    >>> from datetime import datetime, timedelta, timezone
    >>> t0 = datetime(2022, 3, 20, tzinfo=timezone.utc)
    >>> c = Campaign(id="K", scope="D", round=1, start=t0, end=t0 + timedelta(days=1))
    >>> reaches_attempt_limit(1, c), reaches_attempt_limit(2, c)
    (False, True)
    >>> reaches_attempt_limit(-1, c)
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: attempts_before: must not be negative [negative]
    """
    require_int(attempts_before, "attempts_before", low=0)
    require_instance(campaign, Campaign, "campaign", code="bad_campaign")
    return _reaches_attempt_limit(attempts_before, campaign)


def _reaches_attempt_limit(attempts_before: int, campaign: Campaign) -> bool:
    """:func:`reaches_attempt_limit` for arguments already checked (the replay's)."""
    return attempts_before + 1 >= campaign.attempt_limit


#: An attempt's kind for an outcome other than reached (reached depends on the channel).
_KIND_OF_OUTCOME: dict[VisitOutcome, VisitEventKind] = {
    VisitOutcome.NOBODY_HOME: K.NOBODY_HOME,
    VisitOutcome.REFUSED: K.REFUSE,
    VisitOutcome.VACANT: K.FIND_VACANT,
    VisitOutcome.APPOINTMENT: K.MAKE_APPOINTMENT,
}


def attempt_kind(outcome: VisitOutcome, channel: VisitChannel) -> VisitEventKind:
    """The kind of an attempt with ``outcome`` by ``channel`` (:attr:`VisitAttempt.kind`).

    Reached at the door is ``reach``, by phone or WeChat ``reach_remotely``, a
    resident scanning the door code ``scan_door_code``; the other outcomes
    name their kind whatever the channel.

    >>> attempt_kind(VisitOutcome.REACHED, VisitChannel.PHONE).value
    'reach_remotely'
    >>> attempt_kind(VisitOutcome.REFUSED, VisitChannel.DOOR).value
    'refuse'
    >>> attempt_kind("refused", VisitChannel.DOOR)
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: outcome: expected VisitOutcome, got str [bad_enum]
    """
    require_instance(outcome, VisitOutcome, "outcome", code="bad_enum")
    require_instance(channel, VisitChannel, "channel", code="bad_enum")
    return _attempt_kind(outcome, channel)


def _attempt_kind(outcome: VisitOutcome, channel: VisitChannel) -> VisitEventKind:
    """:func:`attempt_kind` for arguments already checked (an attempt's own)."""
    if outcome is VisitOutcome.REACHED:
        if channel is VisitChannel.DOOR_CODE_SCAN:
            return K.SCAN_DOOR_CODE
        return K.REACH_REMOTELY if channel.remote else K.REACH
    return _KIND_OF_OUTCOME[outcome]


#: tzinfo types whose ``utcoffset`` is never ``None`` for a datetime: checking the
#: type spares a zone-file lookup per attempt (a million attempts at city scale).
_FIXED_AWARE: frozenset[type] = frozenset({timezone, ZoneInfo})


#: The most characters of an id (a household, attempt, campaign, worker, team, resident id)
#: and of a note (a refusal reason): the limits of their kinds in :mod:`gridcare.text`.
_ID = TEXT_LIMITS["id"]
_NOTE = TEXT_LIMITS["note"]

#: The counts a household's record adds up (whole numbers, never negative).
_COUNTS = ("attempts", "person_visits", "arrivals_found", "hazards", "disputes", "services")


def _mask_optional(value: str) -> str:
    return repr(mask_text(value)) if value else "''"


def _persons_default(self: VisitAttempt) -> int:
    ids = self.resident_ids
    return len(ids) if type(ids) is tuple else 0  # anything else is refused by the checks


@attrs.frozen(field_transformer=masked_field_reprs)
class VisitAttempt:
    """One attempt to visit a household (an event of the household visit machine).

    Made by a ``worker`` or a ``team`` (at least one); ``persons_seen``
    defaults to the number of ``resident_ids`` seen. A refusal carries a
    ``reason`` (free text, masked in ``repr``); an appointment its time
    ``appointment_for``. A resident scanning the door code is always a
    ``REACHED`` outcome; nobody home and vacant see nobody. ``kind`` is the
    attempt's kind in the table (:func:`attempt_kind`), derived from its
    outcome and channel.

    The ids (``id``, ``campaign_id``, ``household``, ``worker``, ``team`` and
    each of ``resident_ids``, named ``resident_ids.<i>``) keep the text rules
    of an id and the ``reason`` those of a note, which may be empty unless
    the attempt is a refusal (:func:`gridcare.text.kind_problem`): a text that
    breaks them is ``InvalidInput`` with the rule's code, never quoting it.

    >>> from datetime import datetime, timezone
    >>> t = datetime(2022, 3, 20, 9, tzinfo=timezone.utc)
    >>> VisitAttempt(id="a1", campaign_id="K1", household="H1", worker="W1", at=t,
    ...              outcome=VisitOutcome.REACHED, resident_ids=("R1", "R2")).persons_seen
    2
    >>> VisitAttempt(id="a2", campaign_id="K1", household="H1", worker="W1", at=t,
    ...              outcome=VisitOutcome.VACANT, channel=VisitChannel.DOOR_CODE_SCAN)
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: outcome: a door-code scan always reaches the household [...]
    >>> VisitAttempt(id="a3", campaign_id="K1", household="H1", worker="W1", at=t,
    ...              outcome=VisitOutcome.REACHED, channel=VisitChannel.PHONE).kind.value
    'reach_remotely'
    >>> VisitAttempt(id="a4", campaign_id="K1", household="H1\\x1b[2J", worker="W1", at=t,
    ...              outcome=VisitOutcome.REACHED)
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: household: control character U+001B at ... [control_character]
    """

    id: str
    campaign_id: str
    household: str = attrs.field(repr=id_repr)
    at: datetime
    outcome: VisitOutcome
    channel: VisitChannel = VisitChannel.DOOR
    worker: str | None = attrs.field(default=None, repr=id_repr)
    team: str | None = None
    resident_ids: tuple[str, ...] = attrs.field(default=(), repr=ids_repr)
    persons_seen: int = attrs.field(default=attrs.Factory(_persons_default, takes_self=True))
    reason: str = attrs.field(default="", repr=_mask_optional, metadata=personal(mask_text))
    appointment_for: datetime | None = None
    findings: Findings | None = None
    #: The attempt's kind in the table, from its outcome and channel (before the guards).
    kind: VisitEventKind = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        # One cheap test for the usual shape (a city logs 1.39 million attempts, each checked
        # here once: the replay trusts a VisitAttempt), the texts by the quick test of the text
        # rules (gridcare.text.is_plain); anything unusual goes through the field-by-field
        # checks that say what is wrong, the full text rules among them.
        at = self.at
        worker = self.worker
        team = self.team
        seen = self.persons_seen
        residents = self.resident_ids
        reason = self.reason
        if not (
            is_plain(self.id, _ID)
            and is_plain(self.campaign_id, _ID)
            and is_plain(self.household, _ID)
            and type(at) is datetime
            and type(at.tzinfo) in _FIXED_AWARE
            and type(self.outcome) is VisitOutcome
            and type(self.channel) is VisitChannel
            and (worker is None or is_plain(worker, _ID))
            and (team is None or is_plain(team, _ID))
            and (worker is not None or team is not None)
            and type(residents) is tuple
            and (not residents or all(is_plain(r, _ID) for r in residents))
            and type(seen) is int
            and seen >= len(residents)
            and ((type(reason) is str and not reason) or is_plain(reason, _NOTE))
        ):
            self._check_fields()
        outcome = self.outcome
        if self.appointment_for is not None and outcome is not VisitOutcome.APPOINTMENT:
            raise InvalidInput(
                "unexpected_appointment",
                "appointment_for",
                "only an appointment outcome carries an appointment time",
            )
        if outcome is VisitOutcome.REACHED:
            pass
        elif self.channel is VisitChannel.DOOR_CODE_SCAN:
            raise InvalidInput(
                "scan_not_reached",
                "outcome",
                "a door-code scan always reaches the household",
                value=outcome.value,
            )
        elif outcome is VisitOutcome.NOBODY_HOME or outcome is VisitOutcome.VACANT:
            if seen:
                raise InvalidInput(
                    "persons_when_absent",
                    "persons_seen",
                    f"nobody is seen when the outcome is {outcome.value}",
                    value=seen,
                )
        elif outcome is VisitOutcome.REFUSED:
            check_text_of(reason, "reason", "note")  # a refusal gives its reason
        else:  # an appointment
            when = self.appointment_for
            if when is None:
                raise InvalidInput("missing", "appointment_for", "an appointment needs a time")
            require_aware(when, "appointment_for")
            if when <= at:
                raise InvalidInput(
                    "appointment_in_past",
                    "appointment_for",
                    "an appointment is for a later time",
                    value=when.isoformat(),
                )
        found = self.findings
        if found is not None and type(found) is not Findings and not isinstance(found, Findings):
            raise InvalidInput("bad_findings", "findings", "expected Findings")
        # A derived field of a frozen class is set once, here, after the checks.
        object.__setattr__(self, "kind", _attempt_kind(outcome, self.channel))

    def _check_fields(self) -> None:
        check_text_of(self.id, "id")
        check_text_of(self.campaign_id, "campaign_id")
        check_text_of(self.household, "household")
        at = self.at
        if not isinstance(at, datetime) or utc_offset(at) is None:
            require_aware(at, "at")
        if not isinstance(self.outcome, VisitOutcome):
            raise InvalidInput("bad_enum", "outcome", "expected a VisitOutcome", value=self.outcome)
        if not isinstance(self.channel, VisitChannel):
            raise InvalidInput("bad_enum", "channel", "expected a VisitChannel", value=self.channel)
        if self.worker is None and self.team is None:
            raise InvalidInput("missing", "worker", "an attempt is made by a worker or a team")
        for field in ("worker", "team"):
            who = getattr(self, field)
            if who is not None:
                check_text_of(who, field)
        ids = self.resident_ids
        if not isinstance(ids, tuple):
            raise InvalidInput("bad_residents", "resident_ids", "expected a tuple of resident ids")
        for i, resident in enumerate(ids):
            check_text_of(resident, f"resident_ids.{i}")
        seen = self.persons_seen
        if isinstance(seen, bool) or not isinstance(seen, int) or seen < len(self.resident_ids):
            raise InvalidInput(
                "bad_persons_seen",
                "persons_seen",
                "persons seen is a whole number, at least the resident ids given",
                value=seen,
            )
        check_text_of(self.reason, "reason", "note", allow_empty=True)

    @property
    def actor(self) -> str:
        """Who made the attempt: the worker if named, else the team."""
        return self.worker if self.worker is not None else str(self.team)


def visit_event_kind(
    attempt: VisitAttempt, attempts_before: int, campaign: Campaign
) -> VisitEventKind:
    """The table kind of ``attempt`` after the guards, the household having had ``attempts_before``.

    >>> from datetime import datetime, timedelta, timezone
    >>> t0 = datetime(2022, 3, 20, tzinfo=timezone.utc)
    >>> c = Campaign(id="K", scope="D", round=1, start=t0, end=t0 + timedelta(days=1))
    >>> a = VisitAttempt(id="a", campaign_id="K", household="H", team="T",
    ...     at=t0, outcome=VisitOutcome.NOBODY_HOME)
    >>> visit_event_kind(a, 0, c), visit_event_kind(a, 2, c)
    (<VisitEventKind.NOBODY_HOME: 'nobody_home'>, <VisitEventKind.NOBODY_HOME_AT_LIMIT: ...>)
    >>> visit_event_kind(a, 0, object())
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: campaign: expected Campaign, got object [bad_campaign]
    """
    require_instance(attempt, VisitAttempt, "attempt", code="bad_attempt")
    require_int(attempts_before, "attempts_before", low=0)
    require_instance(campaign, Campaign, "campaign", code="bad_campaign")
    return _visit_event_kind(attempt, attempts_before, campaign)


def _visit_event_kind(
    attempt: VisitAttempt, attempts_before: int, campaign: Campaign
) -> VisitEventKind:
    """:func:`visit_event_kind` for arguments already checked (the replay's)."""
    kind = attempt.kind
    if kind is _NOBODY_HOME_KIND and _reaches_attempt_limit(attempts_before, campaign):
        return K.NOBODY_HOME_AT_LIMIT
    return kind


@attrs.frozen(repr=False, init=False, field_transformer=masked_field_reprs)
class HouseholdVisit(JsonMixin):
    """A household's record in one campaign: stored state and what its attempts added up to.

    ``state`` is never ``NOT_STARTED`` once an attempt is applied, and never
    ``REVISIT_DUE``: ask :meth:`state_as_of`. ``event_ids`` are the ids of the
    attempts applied, in replay order, and ``last_attempt_at`` the instant of
    the last (``last_event_at``): what a replay resumed from stored records
    needs (:class:`gridcare.machine.Tracked`).

    The constructor checks every field (``InvalidInput``): ``household``,
    ``campaign_id``, ``last_attempt_id`` and each of ``event_ids`` (named
    ``event_ids.<i>``) keep the text rules of an id, ``refusal_reason`` those
    of a note (:func:`gridcare.text.kind_problem`). The replay, which
    builds one record per household (240,000 in a city), builds its records
    from checked attempts without repeating the checks, and a record coming
    back in is checked where it enters (a resumed replay).

    >>> from datetime import datetime, timedelta, timezone
    >>> t0 = datetime(2022, 3, 20, tzinfo=timezone.utc)
    >>> c = Campaign(id="K", scope="D", round=1, start=t0, end=t0 + timedelta(days=8))
    >>> a = VisitAttempt(id="a", campaign_id="K", household="H", team="T",
    ...                  at=t0, outcome=VisitOutcome.NOBODY_HOME)
    >>> r = apply_visit_event(None, a, c)
    >>> r.state_as_of(c, t0 + timedelta(hours=1)), r.state_as_of(c, t0 + timedelta(hours=4))
    (<HouseholdVisitState.NOBODY_HOME: 'nobody_home'>, <HouseholdVisitState.REVISIT_DUE: ...>)
    """

    household: str
    campaign_id: str
    state: HouseholdVisitState = HouseholdVisitState.NOT_STARTED
    attempts: int = 0
    first_attempt_at: datetime | None = None
    last_attempt_at: datetime | None = None
    reached_at: datetime | None = None
    person_visits: int = 0
    arrivals_found: int = 0
    hazards: int = 0
    disputes: int = 0
    services: int = 0
    appointment_for: datetime | None = None
    refusal_reason: str = attrs.field(default="", metadata=personal(mask_text))
    last_attempt_id: str | None = None
    event_ids: tuple[str, ...] = ()

    def __init__(
        self,
        household: str,
        campaign_id: str,
        state: HouseholdVisitState = HouseholdVisitState.NOT_STARTED,
        attempts: int = 0,
        first_attempt_at: datetime | None = None,
        last_attempt_at: datetime | None = None,
        reached_at: datetime | None = None,
        person_visits: int = 0,
        arrivals_found: int = 0,
        hazards: int = 0,
        disputes: int = 0,
        services: int = 0,
        appointment_for: datetime | None = None,
        refusal_reason: str = "",
        last_attempt_id: str | None = None,
        event_ids: tuple[str, ...] = (),
    ) -> None:
        self.__attrs_init__(
            household,
            campaign_id,
            state,
            attempts,
            first_attempt_at,
            last_attempt_at,
            reached_at,
            person_visits,
            arrivals_found,
            hazards,
            disputes,
            services,
            appointment_for,
            refusal_reason,
            last_attempt_id,
            event_ids,
        )
        self._check_fields()

    def _check_fields(self) -> None:
        if not (is_plain(self.household, _ID) and is_plain(self.campaign_id, _ID)):
            check_text_of(self.household, "household")
            check_text_of(self.campaign_id, "campaign_id")
        require_instance(self.state, HouseholdVisitState, "state", code="bad_enum")
        for field in _COUNTS:
            require_int(getattr(self, field), field, low=0)
        for field in ("first_attempt_at", "last_attempt_at", "reached_at", "appointment_for"):
            value = getattr(self, field)
            if value is not None:
                require_aware(value, field)
        reason = self.refusal_reason
        if not ((type(reason) is str and not reason) or is_plain(reason, _NOTE)):
            check_text_of(reason, "refusal_reason", "note", allow_empty=True)
        last = self.last_attempt_id
        if last is not None and not is_plain(last, _ID):
            check_text_of(last, "last_attempt_id")
        ids = self.event_ids
        if type(ids) is not tuple:
            raise InvalidInput("bad_record", "event_ids", "expected a tuple of attempt ids")
        for i, attempt_id in enumerate(ids):
            check_text_of(attempt_id, f"event_ids.{i}")

    @property
    def last_event_at(self) -> datetime | None:
        """The instant of the last attempt applied (``last_attempt_at``)."""
        return self.last_attempt_at

    def __repr__(self) -> str:
        return (
            f"HouseholdVisit({id_repr(self.household)}, {self.state.value}, "
            f"attempts={self.attempts}, person_visits={self.person_visits})"
        )

    def state_as_of(self, campaign: Campaign, as_of: datetime) -> HouseholdVisitState:
        """The state as of ``as_of``: ``REVISIT_DUE`` when :func:`revisit_due` says so."""
        _check_campaign_as_of(campaign, as_of)
        if _revisit_due(self.state, self.last_attempt_at, self.appointment_for, campaign, as_of):
            return HouseholdVisitState.REVISIT_DUE
        return self.state


def revisit_due(
    state: HouseholdVisitState,
    last_attempt_at: datetime | None,
    appointment_for: datetime | None,
    campaign: Campaign,
    as_of: datetime,
) -> bool:
    """Whether a household in stored ``state`` is due another visit as of ``as_of`` (the one rule).

    A "nobody home" household is due once the campaign's ``revisit_interval``
    has passed since its last attempt; an appointment once its time has come
    (both boundaries inclusive). No other state is ever due.
    :meth:`HouseholdVisit.state_as_of`, the replay and the progress report all
    ask this function.

    >>> from datetime import datetime, timedelta, timezone
    >>> t0 = datetime(2022, 3, 20, tzinfo=timezone.utc)
    >>> c = Campaign(id="K", scope="D", round=1, start=t0, end=t0 + timedelta(days=8),
    ...              revisit_interval=timedelta(hours=4))
    >>> away = HouseholdVisitState.NOBODY_HOME
    >>> revisit_due(away, t0, None, c, t0 + timedelta(hours=3))
    False
    >>> revisit_due(away, t0, None, c, t0 + timedelta(hours=4))
    True
    """
    require_instance(state, HouseholdVisitState, "state", code="bad_enum")
    for field, value in (
        ("last_attempt_at", last_attempt_at),
        ("appointment_for", appointment_for),
    ):
        if value is not None:
            require_aware(value, field)
    _check_campaign_as_of(campaign, as_of)
    return _revisit_due(state, last_attempt_at, appointment_for, campaign, as_of)


def _check_campaign_as_of(campaign: object, as_of: object) -> None:
    """A campaign and an aware instant (the arguments of *revisit due*), cheaply when usual."""
    if type(campaign) is not Campaign:
        require_instance(campaign, Campaign, "campaign", code="bad_campaign")
    if not _quick_instant(as_of) or as_of is None:
        require_aware(as_of, "as_of")


def _quick_instant(value: object) -> bool:
    """Whether ``value`` is ``None`` or plainly an aware ``datetime`` (no zone-rule lookup)."""
    return value is None or (type(value) is datetime and type(value.tzinfo) in _FIXED_AWARE)


def _revisit_due(
    state: HouseholdVisitState,
    last_attempt_at: datetime | None,
    appointment_for: datetime | None,
    campaign: Campaign,
    as_of: datetime,
) -> bool:
    """:func:`revisit_due` for arguments already checked (the replay's, the report's)."""
    if state is _NOBODY_HOME:
        return last_attempt_at is not None and as_of >= last_attempt_at + campaign.revisit_interval
    if state is _APPOINTMENT:
        return appointment_for is not None and as_of >= appointment_for
    return False


def _check_in_campaign(attempt: VisitAttempt, campaign: Campaign) -> None:
    if attempt.campaign_id != campaign.id:
        raise InvalidInput(
            "wrong_campaign",
            "campaign_id",
            f"attempt belongs to campaign {attempt.campaign_id!r}, not {campaign.id!r}",
            value=attempt.campaign_id,
        )
    if not campaign.start <= attempt.at < campaign.end:
        raise InvalidInput(
            "outside_campaign",
            "at",
            "attempt is outside the campaign's window",
            value=attempt.at.isoformat(),
        )


def _state_after(
    state: HouseholdVisitState | None,
    attempts_before: int,
    last_attempt_at: datetime | None,
    appointment_for: datetime | None,
    attempt: VisitAttempt,
    campaign: Campaign,
) -> HouseholdVisitState:
    """The state after ``attempt`` on a household in ``state`` (``None``: no record yet).

    The one path from an attempt to a state: the campaign's window, the
    attempt's kind after the guards, *revisit due* as of the attempt's
    instant, the table. Raises ``InvalidInput`` or ``IllegalTransition``.
    """
    _check_in_campaign(attempt, campaign)
    kind = _visit_event_kind(attempt, attempts_before, campaign)
    if state is None:
        return HOUSEHOLD_VISIT_MACHINE.next(NEW, kind, detail=attempt.id)
    if _revisit_due(state, last_attempt_at, appointment_for, campaign, attempt.at):
        state = _REVISIT_DUE
    return HOUSEHOLD_VISIT_MACHINE.next(state, kind, detail=attempt.id)


def _record_after(
    before: HouseholdVisit | None,
    household: str,
    campaign_id: str,
    attempts: Sequence[VisitAttempt],
    state: HouseholdVisitState,
    reached_at: datetime | None,
) -> HouseholdVisit:
    """The record after ``attempts`` (applied, in replay order) on top of ``before``.

    The one place a record adds up its attempts, in one pass: their count,
    instants, person-visits and findings, the last appointment and refusal
    reason. ``state`` and ``reached_at`` come from the table, attempt by attempt.
    """
    persons = arrivals = hazards = disputes = services = 0
    refusal_reason = ""
    event_ids = tuple([attempt.id for attempt in attempts])
    for attempt in attempts:
        persons += attempt.persons_seen
        found = attempt.findings
        if found is not None:
            arrivals += found.arrival_count
            hazards += found.hazard_count
            disputes += found.dispute_count
            services += found.service_count
        if attempt.outcome is _REFUSED_OUTCOME:
            refusal_reason = attempt.reason
    first = attempts[0].at
    count = len(attempts)
    if before is not None:
        first = before.first_attempt_at or first
        count += before.attempts
        persons += before.person_visits
        arrivals += before.arrivals_found
        hazards += before.hazards
        disputes += before.disputes
        services += before.services
        refusal_reason = refusal_reason or before.refusal_reason
        event_ids = before.event_ids + event_ids
    last = attempts[-1]
    # Built from checked attempts and a checked record: the constructor's checks not repeated
    # (the two steps of errors.trusted, written out in this loop over every household).
    built: HouseholdVisit = object.__new__(HouseholdVisit)
    built.__attrs_init__(
        household,
        campaign_id,
        state,
        count,
        first,
        last.at,
        reached_at,
        persons,
        arrivals,
        hazards,
        disputes,
        services,
        last.appointment_for,
        refusal_reason,
        last.id,
        event_ids,
    )
    return built


def _check_arguments(
    record: HouseholdVisit | None, attempt: VisitAttempt, campaign: Campaign
) -> None:
    if not isinstance(attempt, VisitAttempt):
        raise InvalidInput("bad_attempt", "attempt", "expected a VisitAttempt")
    if not isinstance(campaign, Campaign):
        raise InvalidInput("bad_campaign", "campaign", "expected a Campaign")
    if record is None:
        return
    if not isinstance(record, HouseholdVisit):
        raise InvalidInput("bad_record", "record", "expected a HouseholdVisit or None")
    if record.household != attempt.household:
        raise InvalidInput(
            "wrong_household",
            "household",
            "attempt is for another household",
            value=attempt.household,
        )


def apply_visit_event(
    record: HouseholdVisit | None, attempt: VisitAttempt, campaign: Campaign
) -> HouseholdVisit:
    """The household's record after ``attempt``; raises ``IllegalTransition`` or ``InvalidInput``.

    ``record`` is ``None`` for a household not started: the attempt is then
    the table's entry edge from ``NEW``. Otherwise the table is read with the
    state as of the attempt's instant (*revisit due* derived then) and the
    attempt's kind after the guards (:func:`visit_event_kind`). The attempt
    must belong to ``campaign`` and fall inside its window.

    >>> from datetime import datetime, timedelta, timezone
    >>> t0 = datetime(2022, 3, 20, tzinfo=timezone.utc)
    >>> c = Campaign(id="K", scope="D", round=1, start=t0, end=t0 + timedelta(days=8))
    >>> knock = VisitAttempt(id="k", campaign_id="K", household="H", team="T", at=t0,
    ...     outcome=VisitOutcome.NOBODY_HOME)
    >>> scan = VisitAttempt(id="s", campaign_id="K", household="H", team="T",
    ...     at=t0 + timedelta(hours=1), outcome=VisitOutcome.REACHED,
    ...     channel=VisitChannel.DOOR_CODE_SCAN)
    >>> apply_visit_event(apply_visit_event(None, knock, c), scan, c).state.value
    'reached_remotely'
    >>> apply_visit_event(None, scan, c)
    Traceback (most recent call last):
    ...
    gridcare.errors.IllegalTransition: household_visit: event 'scan_door_code' is not allowed ...
    """
    _check_arguments(record, attempt, campaign)
    if record is None:
        state = _state_after(None, 0, None, None, attempt, campaign)
        reached_at = attempt.at if state.reached else None
        return _record_after(None, attempt.household, campaign.id, (attempt,), state, reached_at)
    state = _state_after(
        record.state,
        record.attempts,
        record.last_attempt_at,
        record.appointment_for,
        attempt,
        campaign,
    )
    reached_at = record.reached_at
    if reached_at is None and state.reached:
        reached_at = attempt.at
    return _record_after(record, record.household, campaign.id, (attempt,), state, reached_at)


@attrs.frozen(field_transformer=masked_field_reprs)
class HouseholdReplay:
    """One household's attempts replayed: its record (``None`` if none) and the split.

    What :func:`replay_household` returns; :func:`replay_visits` gathers them.
    ``duplicates`` are the attempts the starting record held already.

    >>> HouseholdReplay(None, (), ()).record is None
    True
    """

    record: HouseholdVisit | None
    applied: tuple[VisitAttempt, ...]
    rejected: tuple[Rejection[VisitAttempt], ...]
    duplicates: tuple[VisitAttempt, ...] = ()

    def __attrs_post_init__(self) -> None:
        if self.record is not None:
            require_instance(self.record, HouseholdVisit, "record", code="bad_record")
        require_instance(self.applied, tuple, "applied")
        require_instance(self.rejected, tuple, "rejected")
        require_instance(self.duplicates, tuple, "duplicates")


def replay_household(
    household: str,
    attempts: Sequence[VisitAttempt],
    campaign: Campaign,
    record: HouseholdVisit | None = None,
) -> HouseholdReplay:
    """Fold one household's ``attempts`` (in replay order, no repeated id) onto ``record``.

    ``record`` is the household's stored record (``None``: not started).
    Equal to folding the attempts with :func:`apply_visit_event` and
    rejecting what it raises, but the record is built once, at the end, from
    the applied attempts: the state goes attempt by attempt through the same
    rule (window, guards, *revisit due*, table), the sums once over the list.
    An attempt the stored record holds is a duplicate, a new one before its
    last attempt ``out_of_order`` (:class:`gridcare.machine.History`).
    ``household`` keeps the text rules of an id (:func:`gridcare.text.check_text_of`).

    >>> from datetime import datetime, timedelta, timezone
    >>> t0 = datetime(2022, 3, 20, tzinfo=timezone.utc)
    >>> c = Campaign(id="K", scope="D", round=1, start=t0, end=t0 + timedelta(days=8))
    >>> away = VisitAttempt(id="a", campaign_id="K", household="H", team="T", at=t0,
    ...     outcome=VisitOutcome.NOBODY_HOME)
    >>> met = VisitAttempt(id="b", campaign_id="K", household="H", team="T",
    ...     at=t0 + timedelta(hours=5), outcome=VisitOutcome.REACHED, persons_seen=3)
    >>> out = replay_household("H", [away, met], c)
    >>> out.record.state.value, out.record.attempts, out.record.person_visits, out.rejected
    ('reached', 2, 3, ())
    >>> len(replay_household("H", [met], c, out.record).duplicates)
    1
    """
    check_text_of(household, "household")
    require_instance(campaign, Campaign, "campaign", code="bad_campaign")
    log, _ = _checked_attempts(attempts)
    built, applied, rejected, duplicates = _replay_household(household, log, campaign, record)
    return HouseholdReplay(built, tuple(applied), tuple(rejected), tuple(duplicates))


def _replay_household(
    household: str,
    attempts: Sequence[VisitAttempt],
    campaign: Campaign,
    record: HouseholdVisit | None,
) -> tuple[
    HouseholdVisit | None, list[VisitAttempt], list[Rejection[VisitAttempt]], list[VisitAttempt]
]:
    """:func:`replay_household` on arguments already checked (the replay's loop), as the
    record (the starting one when none applies) and the lists of a :class:`HouseholdReplay`."""
    applied: list[VisitAttempt] = []
    rejected: list[Rejection[VisitAttempt]] = []
    duplicates: list[VisitAttempt] = []
    state: HouseholdVisitState | None = None
    before = 0
    last_attempt_at: datetime | None = None
    appointment_for: datetime | None = None
    reached_at: datetime | None = None
    history: History | None = None
    if record is not None:
        if not isinstance(record, HouseholdVisit) or record.household != household:
            raise InvalidInput("bad_record", "record", "expected the household's HouseholdVisit")
        history = History.of(record)
        state = record.state
        before = record.attempts
        last_attempt_at = record.last_attempt_at
        appointment_for = record.appointment_for
        reached_at = record.reached_at
    for attempt in attempts:
        try:
            if history is not None and history.already_applied(attempt):
                duplicates.append(attempt)
                continue
            after = _state_after(
                state, before + len(applied), last_attempt_at, appointment_for, attempt, campaign
            )
        except GridcareError as exc:
            rejected.append(Rejection(attempt, exc))
            continue
        applied.append(attempt)
        state = after
        last_attempt_at = attempt.at
        appointment_for = attempt.appointment_for
        if reached_at is None and after in _REACHED_STATES:
            reached_at = attempt.at
    if state is None or not applied:
        return record, applied, rejected, duplicates
    built = _record_after(record, household, campaign.id, applied, state, reached_at)
    return built, applied, rejected, duplicates


@attrs.frozen(repr=False, field_transformer=masked_field_reprs)
class VisitReplay(Replay[str, HouseholdVisit, VisitAttempt]):
    """A :class:`gridcare.machine.Replay` of one campaign's attempts, with the campaign.

    ``records`` maps each household with at least one applied attempt to its
    :class:`HouseholdVisit`; ``applied``, ``duplicates`` and ``rejected``
    partition the input (nothing is dropped silently).

    >>> from datetime import datetime, timedelta, timezone
    >>> t0 = datetime(2022, 3, 20, tzinfo=timezone.utc)
    >>> c = Campaign(id="K", scope="D", round=1, start=t0, end=t0 + timedelta(days=1))
    >>> out = replay_visits([], c)
    >>> out.total, len(out.records), out.state_of("H1").value
    (0, 0, 'not_started')
    """

    campaign: Campaign

    def __attrs_post_init__(self) -> None:
        Replay.__attrs_post_init__(self)
        require_instance(self.campaign, Campaign, "campaign", code="bad_campaign")

    def state_of(self, household: str) -> HouseholdVisitState:
        """The stored state of ``household`` (``NOT_STARTED`` for a household never attempted).

        ``household`` keeps the text rules of an id (:func:`gridcare.text.check_text_of`).
        """
        check_text_of(household, "household")
        record = self.records.get(household)
        return HouseholdVisitState.NOT_STARTED if record is None else record.state

    def __repr__(self) -> str:
        return (
            f"VisitReplay(campaign={self.campaign.id!r}, households={len(self.records)}, "
            f"applied={len(self.applied)}, duplicates={len(self.duplicates)}, "
            f"rejected={len(self.rejected)})"
        )


def _checked_attempts(attempts: Iterable[VisitAttempt]) -> tuple[list[VisitAttempt], bool]:
    """The log as a list, and whether every attempt is a :class:`VisitAttempt` itself (not
    of a subclass): those checked their ``id`` and ``at`` when built, so the replay's steps
    need not check them again (:func:`gridcare.machine.trusted_sort_out_ids`)."""
    if isinstance(attempts, (str, bytes)) or not isinstance(attempts, Iterable):
        raise InvalidInput("wrong_type", "attempts", "expected a collection of VisitAttempt")
    log = read_once(attempts, "attempts")
    kinds = set(map(type, log))  # one pass at C speed; the attempt at fault looked for on failure
    if kinds <= {VisitAttempt}:
        return log, True
    if all(issubclass(kind, VisitAttempt) for kind in kinds):
        return log, False
    position = next(i for i, attempt in enumerate(log) if not isinstance(attempt, VisitAttempt))
    raise InvalidInput("bad_attempt", f"attempts.{position}", "expected a VisitAttempt")


#: The household of an attempt or of a record (a C-level getter: the replay asks it per attempt).
_household_of = attrgetter("household")


def _stored(records: object, campaign: Campaign) -> dict[str, HouseholdVisit]:
    """Stored records checked where they come back in: household id -> this campaign's record."""
    checked = check_records(records, HouseholdVisit, _household_of)
    for household, record in checked.items():
        if record.campaign_id != campaign.id:
            raise InvalidInput(
                "wrong_campaign",
                f"records.{household}",
                f"the record belongs to campaign {record.campaign_id!r}, not {campaign.id!r}",
            )
    return checked


def _outside_scope(household: str, campaign: Campaign) -> InvalidInput:
    return InvalidInput(
        "household_outside_scope",
        "household",
        f"household is not in campaign {campaign.id!r}'s scope",
        value=household,
    )


def replay_visits(
    attempts: Iterable[VisitAttempt],
    campaign: Campaign,
    *,
    households: Iterable[str] | None = None,
    progress: Progress | None = None,
    records: Mapping[str, HouseholdVisit] | None = None,
) -> VisitReplay:
    """Replay an attempt log of ``campaign`` into household records.

    The same result as :func:`gridcare.machine.replay` with
    :func:`apply_visit_event`, and the same steps: repeated ids sorted out by
    :func:`gridcare.machine.sort_out_ids` (a re-delivered attempt is a
    duplicate that changes nothing; every copy of an id naming two different
    attempts is rejected, ``conflicting_id``), grouping per household by
    :func:`gridcare.machine.group_by_subject` (order by (``at``, ``id``)),
    then each household by :func:`replay_household`, which builds its record
    once. ``applied`` and ``rejected`` list the attempts household by
    household (the conflicting copies first). When ``households`` (the ids in
    the campaign's scope) is given, attempts on other households are rejected
    (code ``household_outside_scope``). ``records`` holds this campaign's
    stored records to resume from (household id -> :class:`HouseholdVisit`;
    anything else is ``InvalidInput``): an attempt a record holds is a
    duplicate, one another record holds a conflict, a new one before its
    record's last ``out_of_order``. ``progress(done, total)`` is called about
    20 times over the households.

    >>> from datetime import datetime, timedelta, timezone
    >>> t0 = datetime(2022, 3, 20, tzinfo=timezone.utc)
    >>> c = Campaign(id="K", scope="D", round=1, start=t0, end=t0 + timedelta(days=8))
    >>> a = VisitAttempt(id="a", campaign_id="K", household="H9", team="T", at=t0,
    ...                  outcome=VisitOutcome.VACANT)
    >>> out = replay_visits([a, a], c, households={"H1"})
    >>> len(out.duplicates), out.rejected[0].error.code
    (1, 'household_outside_scope')
    >>> first = replay_visits([a], c)
    >>> len(replay_visits([a], c, records=first.records).duplicates)
    1
    """
    if not isinstance(campaign, Campaign):
        raise InvalidInput("bad_campaign", "campaign", "expected a Campaign")
    stored = {} if records is None else _stored(records, campaign)
    log, exact = _checked_attempts(attempts)
    batch = trusted_sort_out_ids(log) if exact else sort_out_ids(log)
    if stored:
        batch = batch.set_aside(held_elsewhere(stored, batch.firsts, _household_of))
    group = trusted_group_by_subject if exact else group_by_subject
    groups = group(batch.firsts, _household_of)
    scope = None if households is None else frozenset(require_items(households, str, "households"))
    if progress is not None:
        require_callable(progress, "progress")
    out: dict[str, HouseholdVisit] = dict(stored)
    applied: list[VisitAttempt] = []
    duplicates: list[VisitAttempt] = list(batch.duplicates)
    rejected: list[Rejection[VisitAttempt]] = list(batch.rejections())
    total = len(groups)
    every = max(1, total // 20)
    for done, (household, attempts_of) in enumerate(groups.items(), start=1):
        if scope is not None and household not in scope:
            error = _outside_scope(household, campaign)
            rejected.extend(Rejection(attempt, error) for attempt in attempts_of)
        else:
            record, done_here, refused, repeated = _replay_household(
                household, attempts_of, campaign, stored.get(household)
            )
            if record is not None:
                out[household] = record
            applied.extend(done_here)
            duplicates.extend(repeated)
            rejected.extend(refused)
        if progress is not None and (done % every == 0 or done == total):
            progress(done, total)
    if len(duplicates) > len(batch.duplicates):
        trusted_sort_in_replay_order(duplicates)
    return VisitReplay(out, tuple(applied), tuple(duplicates), tuple(rejected), campaign)
