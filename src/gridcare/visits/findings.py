"""What a visit finds: arrivals, hazards, disputes, services and premises inspected.

Findings ride on a :class:`~gridcare.visits.lifecycle.VisitAttempt` and are counted by
the campaign progress (docs/glossary.md: 41,950 arrivals, 2,228 hazards, 1,001
disputes and 651,892 services logged by the Zhuzhou campaign).

An arrival found on a visit becomes a *proxy declaration* (代报) through the
declarations workflow. This module does not import that workflow: it exposes
each arrival as plain, already-masked values and :func:`proxy_declaration_payload`
turns one into the payload dict the declarations module accepts.

>>> from datetime import datetime, timezone
>>> t = datetime(2022, 3, 25, 10, tzinfo=timezone.utc)
>>> f = Findings(hazards=(Hazard(HazardKind.GAS, Severity.HIGH),),
...              services=(Service(ServiceKind.NAT_AT_HOME),))
>>> f.hazard_count, f.service_count, f.arrival_count
(1, 1, 0)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from enum import StrEnum
from typing import Any

import attrs

from gridcare.codes import normalise_area_code
from gridcare.errors import Choice, FieldError, InvalidInput, read_once, require_flag
from gridcare.masking import (
    id_repr,
    mask_id_number,
    mask_name,
    mask_phone,
    mask_text,
    masked_field_reprs,
)
from gridcare.serial import personal
from gridcare.text import check_text_of
from gridcare.timeutil import require_aware

__all__ = [
    "ArrivalFound",
    "Dispute",
    "DisputeResolution",
    "Findings",
    "Hazard",
    "HazardKind",
    "PremisesCheck",
    "PremisesInspection",
    "Service",
    "ServiceKind",
    "Severity",
    "proxy_declaration_payload",
]


class HazardKind(Choice):
    """Kinds of safety hazard (安全隐患) found on a visit.

    >>> HazardKind("fire")
    <HazardKind.FIRE: 'fire'>
    """

    FIRE = "fire"
    GAS = "gas"
    ELECTRICAL = "electrical"
    STRUCTURAL = "structural"
    SANITATION = "sanitation"
    GATHERING = "gathering"
    OTHER = "other"


class Severity(Choice):
    """How serious a hazard is.

    >>> [s.value for s in Severity]
    ['low', 'medium', 'high']
    """

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class DisputeResolution(Choice):
    """What became of a dispute (矛盾纠纷): mediated on the spot or escalated.

    >>> DisputeResolution.ESCALATED.value
    'escalated'
    """

    MEDIATED_ON_SPOT = "mediated_on_spot"
    ESCALATED = "escalated"


class ServiceKind(Choice):
    """Services to residents (服务群众) given during a visit.

    >>> ServiceKind.PROXY_DECLARATION.value
    'proxy_declaration'
    """

    SUPPLIES_DELIVERED = "supplies_delivered"
    HEALTH_CODE_HELP = "health_code_help"
    NAT_AT_HOME = "nat_at_home"
    PROXY_DECLARATION = "proxy_declaration"


class PremisesCheck(Choice):
    """What an inspection of premises (a shop, a mahjong parlour) checks.

    >>> len(PremisesCheck)
    4
    """

    TEMPERATURE_CHECKS = "temperature_checks"
    CODE_SCANNING = "code_scanning"
    MASKS = "masks"
    DISINFECTION_RECORDS = "disinfection_records"


def _mask_note(value: str) -> str:
    return repr(mask_text(value)) if value else "''"


def _require_enum(value: object, enum_cls: type[StrEnum], field: str) -> None:
    if not isinstance(value, enum_cls):
        raise InvalidInput("bad_enum", field, f"expected a {enum_cls.__name__}", value=value)


def _checks(value: object, field: str) -> frozenset[PremisesCheck]:
    """``passed`` or ``failed`` as a frozenset: any list, tuple or set of checks is taken."""
    if type(value) is frozenset and all(type(check) is PremisesCheck for check in value):
        return value
    if not isinstance(value, (list, tuple, set, frozenset)):
        raise InvalidInput("bad_enum", field, "expected a set of PremisesCheck")
    for check in value:
        _require_enum(check, PremisesCheck, field)
    return frozenset(value)


@attrs.frozen(field_transformer=masked_field_reprs)
class Hazard:
    """A safety hazard found on a visit; ``note`` is free text, masked in ``repr``.

    >>> Hazard(HazardKind.FIRE, Severity.MEDIUM, "楼道堆放杂物")
    Hazard(kind=<HazardKind.FIRE: 'fire'>, severity=<Severity.MEDIUM: 'medium'>, note='楼道***')
    """

    kind: HazardKind
    severity: Severity
    note: str = attrs.field(default="", repr=_mask_note, metadata=personal(mask_text))

    def __attrs_post_init__(self) -> None:
        _require_enum(self.kind, HazardKind, "kind")
        _require_enum(self.severity, Severity, "severity")
        check_text_of(self.note, "note", "note", allow_empty=True)


@attrs.frozen(field_transformer=masked_field_reprs)
class Dispute:
    """A dispute met on a visit and how it was resolved.

    >>> Dispute(DisputeResolution.MEDIATED_ON_SPOT).resolution.value
    'mediated_on_spot'
    """

    resolution: DisputeResolution
    note: str = attrs.field(default="", repr=_mask_note, metadata=personal(mask_text))

    def __attrs_post_init__(self) -> None:
        _require_enum(self.resolution, DisputeResolution, "resolution")
        check_text_of(self.note, "note", "note", allow_empty=True)


@attrs.frozen(field_transformer=masked_field_reprs)
class Service:
    """A service given to residents; ``count`` for several of the same kind.

    >>> Service(ServiceKind.SUPPLIES_DELIVERED, 3).count
    3
    """

    kind: ServiceKind
    count: int = 1

    def __attrs_post_init__(self) -> None:
        _require_enum(self.kind, ServiceKind, "kind")
        if isinstance(self.count, bool) or not isinstance(self.count, int) or self.count < 1:
            raise InvalidInput(
                "bad_count", "count", "a service count is a whole number >= 1", value=self.count
            )


@attrs.frozen(field_transformer=masked_field_reprs)
class PremisesInspection:
    """Premises inspected on a visit: the checks that passed, failed, and rectification.

    ``premises`` is a node id or a local name (masked in ``repr``). A check
    cannot both pass and fail; rectification is demanded only when one failed.

    >>> p = PremisesInspection("麻将馆A", passed=frozenset({PremisesCheck.MASKS}),
    ...     failed=frozenset({PremisesCheck.CODE_SCANNING}), rectification_demanded=True)
    >>> p.compliant
    False

    ``passed`` and ``failed`` may be given as any list, tuple or set of
    checks; they are kept as frozensets.

    >>> PremisesInspection("p", passed=[PremisesCheck.MASKS]).passed
    frozenset({<PremisesCheck.MASKS: 'masks'>})
    """

    premises: str = attrs.field(repr=_mask_note, metadata=personal(mask_text))
    passed: frozenset[PremisesCheck] = frozenset()
    failed: frozenset[PremisesCheck] = frozenset()
    rectification_demanded: bool = False

    def __attrs_post_init__(self) -> None:
        check_text_of(self.premises, "premises", "place")
        object.__setattr__(self, "passed", _checks(self.passed, "passed"))
        object.__setattr__(self, "failed", _checks(self.failed, "failed"))
        require_flag(self.rectification_demanded, "rectification_demanded")
        both = self.passed & self.failed
        if both:
            raise InvalidInput(
                "check_both_ways",
                "failed",
                "a check cannot both pass and fail",
                value=sorted(both),
            )
        if self.rectification_demanded and not self.failed:
            raise InvalidInput(
                "rectification_without_failure",
                "rectification_demanded",
                "rectification is demanded only when a check failed",
                value=True,
            )

    @property
    def compliant(self) -> bool:
        """Whether no check failed."""
        return not self.failed


def _masked(value: object, mask: Callable[[str], str], kind: str, field: str) -> str:
    """Text with the rules and limit of ``kind``, masked by ``mask`` (which leaves a masked
    value as it is)."""
    return mask(check_text_of(value, field, kind, allow_empty=True))


def _masked_name(value: object) -> str:
    return _masked(value, mask_name, "name", "masked_name")


def _masked_id(value: object) -> str:
    return _masked(value, mask_id_number, "short", "masked_id")


def _masked_phone(value: object) -> str:
    return _masked(value, mask_phone, "short", "masked_phone")


@attrs.frozen(field_transformer=masked_field_reprs)
class ArrivalFound:
    """An arrival from outside met on a visit, as plain already-masked values.

    ``person_key`` is a stable pseudonymous key (a hash of the ID number, made
    by the caller); ``masked_name``, ``masked_id`` and ``masked_phone`` are the
    masked forms only: a value given unmasked is masked at construction (the
    masks leave a masked value as it is). ``from_area`` is a division code.
    No unmasked personal data is held, so ``repr`` is safe. Texts obey the
    rules and limits of :mod:`gridcare.text` (a key: ``code``, the household:
    ``id``, the masked name: ``name``, the masked numbers: ``short``).

    >>> from datetime import datetime, timezone
    >>> a = ArrivalFound(person_key="p:9f2c", household="H1", found_at=datetime(
    ...     2022, 3, 25, 10, tzinfo=timezone.utc), masked_name="刘*娟",
    ...     masked_id="430211********0022", from_area="420100")
    >>> a.masked_name, a.from_area
    ('刘*娟', '420100')
    >>> ArrivalFound("p:1", "H1", a.found_at, masked_name="刘晓娟", masked_phone="13812345678")
    ... # doctest: +ELLIPSIS
    ArrivalFound(..., masked_name='刘*娟', masked_id='', masked_phone='138****5678', ...)
    """

    person_key: str
    household: str = attrs.field(repr=id_repr)
    found_at: datetime
    masked_name: str = attrs.field(default="", converter=_masked_name)
    masked_id: str = attrs.field(default="", converter=_masked_id)
    masked_phone: str = attrs.field(default="", converter=_masked_phone)
    from_area: str | None = None
    arrived_at: datetime | None = None

    def __attrs_post_init__(self) -> None:
        check_text_of(self.person_key, "person_key", "code")
        check_text_of(self.household, "household", "id")
        if self.from_area is not None:
            problem = normalise_area_code(self.from_area)
            if isinstance(problem, FieldError):
                raise InvalidInput(problem.code, "from_area", problem.message, value=problem.value)
        require_aware(self.found_at, "found_at")
        if self.arrived_at is not None:
            require_aware(self.arrived_at, "arrived_at")
            if self.arrived_at > self.found_at:
                raise InvalidInput(
                    "arrived_after_found",
                    "arrived_at",
                    "an arrival cannot be found before it arrived",
                    value=self.arrived_at.isoformat(),
                )


def proxy_declaration_payload(arrival: ArrivalFound, *, worker: str) -> dict[str, object]:
    """The payload of a proxy declaration (代报) for an arrival found on a visit.

    A plain dict with ISO instants, for the declarations workflow to validate
    (the lead wires it there); ``worker`` is the grid worker declaring on the
    person's behalf.

    >>> from datetime import datetime, timezone
    >>> a = ArrivalFound("p:1", "H1", datetime(2022, 3, 25, 2, tzinfo=timezone.utc))
    >>> p = proxy_declaration_payload(a, worker="W7")
    >>> p["channel"], p["declared_by"], p["household"], p["declared_at"]
    ('proxy', 'W7', 'H1', '2022-03-25T02:00:00+00:00')
    """
    if not isinstance(arrival, ArrivalFound):
        raise InvalidInput("bad_arrival", "arrival", "expected an ArrivalFound")
    if not isinstance(worker, str) or not worker:
        raise InvalidInput("missing", "worker", "the declaring worker is required", value=worker)
    return {
        "channel": "proxy",
        "declared_by": worker,
        "declared_at": arrival.found_at.isoformat(),
        "person_key": arrival.person_key,
        "household": arrival.household,
        "masked_name": arrival.masked_name,
        "masked_id": arrival.masked_id,
        "masked_phone": arrival.masked_phone,
        "from_area": arrival.from_area,
        "arrived_at": None if arrival.arrived_at is None else arrival.arrived_at.isoformat(),
        "source": "door_knocking",
    }


def _tuple_of(kind: type, field: str) -> Callable[[Any, Any, Any], None]:
    def check(instance: Any, attribute: Any, value: Any) -> None:
        if not isinstance(value, tuple) or not all(isinstance(v, kind) for v in value):
            raise InvalidInput(
                "bad_findings", field, f"expected a tuple of {kind.__name__}", value=None
            )

    return check


def _as_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidInput("bad_findings", "findings", "expected a sequence of findings")
    return value if isinstance(value, tuple) else tuple(read_once(value, "findings"))


@attrs.frozen(field_transformer=masked_field_reprs)
class Findings:
    """Everything one visit found. Each part is a tuple (lists are converted).

    >>> Findings().empty, Findings(disputes=(Dispute(DisputeResolution.ESCALATED),)).empty
    (True, False)
    """

    arrivals: tuple[ArrivalFound, ...] = attrs.field(
        default=(), converter=_as_tuple, validator=_tuple_of(ArrivalFound, "arrivals")
    )
    hazards: tuple[Hazard, ...] = attrs.field(
        default=(), converter=_as_tuple, validator=_tuple_of(Hazard, "hazards")
    )
    disputes: tuple[Dispute, ...] = attrs.field(
        default=(), converter=_as_tuple, validator=_tuple_of(Dispute, "disputes")
    )
    services: tuple[Service, ...] = attrs.field(
        default=(), converter=_as_tuple, validator=_tuple_of(Service, "services")
    )
    inspections: tuple[PremisesInspection, ...] = attrs.field(
        default=(), converter=_as_tuple, validator=_tuple_of(PremisesInspection, "inspections")
    )

    @property
    def empty(self) -> bool:
        """Whether nothing was found."""
        return not (
            self.arrivals or self.hazards or self.disputes or self.services or self.inspections
        )

    @property
    def arrival_count(self) -> int:
        """How many arrivals were found."""
        return len(self.arrivals)

    @property
    def hazard_count(self) -> int:
        """How many hazards were found."""
        return len(self.hazards)

    @property
    def dispute_count(self) -> int:
        """How many disputes were met (mediated or escalated)."""
        return len(self.disputes)

    @property
    def service_count(self) -> int:
        """How many services were given (a ``Service`` with ``count`` n counts n)."""
        return sum(s.count for s in self.services)

    @property
    def rectifications(self) -> int:
        """How many inspected premises were told to rectify."""
        return sum(1 for p in self.inspections if p.rectification_demanded)
