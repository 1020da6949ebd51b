"""The enumerations of declarations: every member has Chinese and English labels in ``LABELS``.

All are ``StrEnum`` so they are cheap dictionary and counting keys (docs/design.md).

>>> TravelMode("train").value, DeclarationState.IN_REVIEW.value
('train', 'in_review')
"""

from __future__ import annotations

from gridcare.errors import Choice

# One concept, one name: the document kinds are people's, the colours the risk rules'.
from gridcare.people import IdKind
from gridcare.risk import CodeColor

__all__ = [
    "CodeColor",
    "DeclarationEventKind",
    "DeclarationState",
    "DuplicateBasis",
    "FilledBy",
    "IdKind",
    "NatOutcome",
    "RouteMethod",
    "Symptom",
    "TravelMode",
    "UnroutedReason",
    "VerificationMethod",
]


class TravelMode(Choice):
    """How one leg of an itinerary was travelled.

    >>> TravelMode.FLIGHT.value
    'flight'
    """

    TRAIN = "train"
    FLIGHT = "flight"
    COACH = "coach"
    CAR = "car"
    SHIP = "ship"
    OTHER = "other"


class Symptom(Choice):
    """Symptoms a declarant can tick.

    >>> Symptom("cough")
    <Symptom.COUGH: 'cough'>
    """

    FEVER = "fever"
    COUGH = "cough"
    SORE_THROAT = "sore_throat"
    FATIGUE = "fatigue"
    LOSS_OF_SMELL_OR_TASTE = "loss_of_smell_or_taste"
    DIARRHOEA = "diarrhoea"
    OTHER = "other"


class NatOutcome(Choice):
    """The result of a nucleic-acid test (NAT) as declared.

    >>> NatOutcome.PENDING.value
    'pending'
    """

    NEGATIVE = "negative"
    POSITIVE = "positive"
    PENDING = "pending"


class FilledBy(Choice):
    """Who filled in the form: the person, or a grid worker on their behalf (proxy declaration).

    >>> FilledBy.PROXY.value
    'proxy'
    """

    SELF = "self"
    PROXY = "proxy"


class DeclarationState(Choice):
    """The states of a declaration's review lifecycle (the table is in ``_lifecycle``).

    >>> DeclarationState.CORRECTION_REQUESTED.value
    'correction_requested'
    """

    SUBMITTED = "submitted"
    ASSIGNED = "assigned"
    UNROUTED = "unrouted"
    IN_REVIEW = "in_review"
    VERIFIED = "verified"
    CORRECTION_REQUESTED = "correction_requested"
    RESUBMITTED = "resubmitted"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    WITHDRAWN = "withdrawn"
    RELEASED = "released"


class DeclarationEventKind(Choice):
    """What happens to a declaration: the event kinds of its review lifecycle.

    Each event class carries one as ``kind``; the table in ``_lifecycle`` is
    keyed by (state, kind).

    >>> DeclarationEventKind.REQUEST_CORRECTION.value
    'request_correction'
    """

    SUBMIT = "submit"
    ASSIGN = "assign"
    MARK_UNROUTED = "mark_unrouted"
    START_REVIEW = "start_review"
    VERIFY = "verify"
    REQUEST_CORRECTION = "request_correction"
    RESUBMIT = "resubmit"
    REJECT = "reject"
    MARK_DUPLICATE = "mark_duplicate"
    TRANSFER = "transfer"
    WITHDRAW = "withdraw"
    RELEASE = "release"


class VerificationMethod(Choice):
    """How a grid worker verified a declaration.

    >>> VerificationMethod.DOOR_VISIT.value
    'door_visit'
    """

    DOOR_VISIT = "door_visit"
    PHONE = "phone"
    VIDEO = "video"


class RouteMethod(Choice):
    """Which part of the address resolved the declaration to a grid.

    >>> RouteMethod.DOOR_CODE.value
    'door_code'
    """

    HOUSEHOLD_ID = "household_id"
    UNIT_ID = "unit_id"
    BUILDING_ID = "building_id"
    DOOR_CODE = "door_code"
    COMMUNITY_BUILDING = "community_building"
    COMMUNITY_ONLY = "community_only"
    MANUAL = "manual"


class UnroutedReason(Choice):
    """Why an address could not be resolved to a grid (it waits to be routed by hand).

    >>> UnroutedReason.UNKNOWN_DOOR_CODE.value
    'unknown_door_code'
    """

    NO_ADDRESS_KEYS = "no_address_keys"
    UNKNOWN_NODE = "unknown_node"
    NOT_UNDER_A_GRID = "not_under_a_grid"
    UNKNOWN_DOOR_CODE = "unknown_door_code"
    UNKNOWN_COMMUNITY = "unknown_community"
    AMBIGUOUS_COMMUNITY = "ambiguous_community"
    BUILDING_MISSING = "building_missing"
    UNKNOWN_BUILDING = "unknown_building"
    AMBIGUOUS_BUILDING = "ambiguous_building"
    FREE_TEXT_ONLY = "free_text_only"


class DuplicateBasis(Choice):
    """What made two declarations candidates for being the same person's same journey.

    >>> DuplicateBasis.NAME_AND_PHONE.value
    'name_and_phone'
    """

    DOCUMENT_NUMBER = "document_number"
    NAME_AND_PHONE = "name_and_phone"
