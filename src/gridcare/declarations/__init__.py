"""Declarations: the arrival's form, routing to a grid, the review lifecycle, duplicates and
review metrics.

The flow: a submitted payload is validated by :func:`parse_form` (or a batch by
:func:`parse_forms`) into a :class:`Declaration`; an :class:`AddressIndex` built
from the hierarchy routes it to a grid; lifecycle events (:class:`Submitted`,
:class:`Assigned`, ..., :class:`Released`, each with its
:class:`DeclarationEventKind` as ``kind``) are applied by
:func:`apply_declaration_event` through the one table :data:`DECLARATION_MACHINE`;
:func:`find_duplicates` and :func:`review_metrics` work over a city's declarations
and records.

>>> from datetime import datetime
>>> from gridcare.timeutil import DEFAULT_ZONE as CST
>>> d = parse_form(example_form(), declaration_id="D1",
...                received_at=datetime(2022, 3, 19, 9, tzinfo=CST))
>>> d.arrived_at.isoformat(), str(d.phone)
('2022-03-19T18:30:00+08:00', '138****5678')
"""

from gridcare.declarations._codec import event_from_dict, event_to_dict
from gridcare.declarations._domain import (
    Declaration,
    DeclaredAddress,
    DeclaredLeg,
    DeclaredNat,
    DeclaredStay,
    TemperatureReading,
)
from gridcare.declarations._duplicates import DuplicateEvidence, DuplicateGroup, find_duplicates
from gridcare.declarations._enums import (
    CodeColor,
    DeclarationEventKind,
    DeclarationState,
    DuplicateBasis,
    FilledBy,
    IdKind,
    NatOutcome,
    RouteMethod,
    Symptom,
    TravelMode,
    UnroutedReason,
    VerificationMethod,
)
from gridcare.declarations._examples import example_form
from gridcare.declarations._form import (
    DEFAULT_MAX_ADVANCE_DAYS,
    FLIGHT_NUMBER_PATTERN,
    MAX_ADVANCE_DAYS_LIMIT,
    MAX_CELSIUS,
    MIN_CELSIUS,
    NOT_IN_SCHEMA,
    TRAIN_NUMBER_PATTERN,
    AddressForm,
    DeclarationForm,
    DeclarationShape,
    HealthForm,
    IdentityForm,
    LegForm,
    NatForm,
    OriginForm,
    StayForm,
    TemperatureForm,
    check_max_advance_days,
    declaration_json_schema,
)
from gridcare.declarations._history import history_of
from gridcare.declarations._lifecycle import (
    DECLARATION_EVENT_CLASSES,
    DECLARATION_MACHINE,
    MAX_CORRECTION_FIELDS,
    Assigned,
    CorrectionRequested,
    DeclarationEvent,
    DeclarationRecord,
    MarkedDuplicate,
    MarkedUnrouted,
    Rejected,
    Released,
    Resubmitted,
    ReviewStarted,
    Submitted,
    Transferred,
    Verified,
    Withdrawn,
    apply_declaration_event,
    replay_declarations,
    routing_event,
    same_declaration,
    transfer_moves,
)
from gridcare.declarations._messages import FORM_CODES, message
from gridcare.declarations._metrics import (
    DEFAULT_OVERDUE_AFTER,
    GridReviewMetrics,
    ReviewMetrics,
    review_metrics,
    review_metrics_from_events,
    review_overdue,
)
from gridcare.declarations._metrics import (
    trusted_review_overdue as trusted_review_overdue,  # for the bulk counts; not in __all__
)
from gridcare.declarations._parse import (
    BatchResult,
    Payload,
    RejectedForm,
    parse_form,
    parse_forms,
)
from gridcare.declarations._routing import AddressIndex, Route, RoutingResult, building_key

__all__ = [
    "DECLARATION_EVENT_CLASSES",
    "DECLARATION_MACHINE",
    "DEFAULT_MAX_ADVANCE_DAYS",
    "DEFAULT_OVERDUE_AFTER",
    "FLIGHT_NUMBER_PATTERN",
    "FORM_CODES",
    "MAX_ADVANCE_DAYS_LIMIT",
    "MAX_CELSIUS",
    "MAX_CORRECTION_FIELDS",
    "MIN_CELSIUS",
    "NOT_IN_SCHEMA",
    "TRAIN_NUMBER_PATTERN",
    "AddressForm",
    "AddressIndex",
    "Assigned",
    "BatchResult",
    "CodeColor",
    "CorrectionRequested",
    "Declaration",
    "DeclarationEvent",
    "DeclarationEventKind",
    "DeclarationForm",
    "DeclarationRecord",
    "DeclarationShape",
    "DeclarationState",
    "DeclaredAddress",
    "DeclaredLeg",
    "DeclaredNat",
    "DeclaredStay",
    "DuplicateBasis",
    "DuplicateEvidence",
    "DuplicateGroup",
    "FilledBy",
    "GridReviewMetrics",
    "HealthForm",
    "IdKind",
    "IdentityForm",
    "LegForm",
    "MarkedDuplicate",
    "MarkedUnrouted",
    "NatForm",
    "NatOutcome",
    "OriginForm",
    "Payload",
    "Rejected",
    "RejectedForm",
    "Released",
    "Resubmitted",
    "ReviewMetrics",
    "ReviewStarted",
    "Route",
    "RouteMethod",
    "RoutingResult",
    "StayForm",
    "Submitted",
    "Symptom",
    "TemperatureForm",
    "TemperatureReading",
    "Transferred",
    "TravelMode",
    "UnroutedReason",
    "VerificationMethod",
    "Verified",
    "Withdrawn",
    "apply_declaration_event",
    "building_key",
    "check_max_advance_days",
    "declaration_json_schema",
    "event_from_dict",
    "event_to_dict",
    "example_form",
    "find_duplicates",
    "history_of",
    "message",
    "parse_form",
    "parse_forms",
    "replay_declarations",
    "review_metrics",
    "review_metrics_from_events",
    "review_overdue",
    "routing_event",
    "same_declaration",
    "transfer_moves",
]
