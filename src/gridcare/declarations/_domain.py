"""The declaration as a domain value: built once from a validated form, never re-validated.

The values here are attrs frozen slotted classes. Stays, legs and tests are plain
values (area code, start, end; result, sampling instant) that the risk engine can
take as they are.

>>> from datetime import datetime, timezone
>>> from gridcare.timeutil import DEFAULT_ZONE as CST
>>> s = DeclaredStay(AreaCode.parse("420106"), datetime(2022, 3, 10, tzinfo=CST),
...                  datetime(2022, 3, 19, 12, tzinfo=CST))
>>> str(s.place), s.as_tuple()[0] == s.place
('420106', True)
"""

from __future__ import annotations

from datetime import datetime, timezone

import attrs

from gridcare.codes import AreaCode, PhoneNumber
from gridcare.declarations._enums import (
    CodeColor,
    FilledBy,
    IdKind,
    NatOutcome,
    Symptom,
    TravelMode,
)
from gridcare.declarations._form import DeclarationShape
from gridcare.errors import InvalidInput
from gridcare.masking import mask_id_number, mask_name
from gridcare.timeutil import require_aware

__all__ = [
    "Declaration",
    "DeclaredAddress",
    "DeclaredLeg",
    "DeclaredNat",
    "DeclaredStay",
    "TemperatureReading",
]


def _ordered(start: datetime, end: datetime, field: str) -> None:
    # Fast path: validated forms carry fixed-offset instants (always aware).
    fixed = type(getattr(start, "tzinfo", None)) is timezone
    if fixed and type(getattr(end, "tzinfo", None)) is timezone and start < end:
        return
    require_aware(start, f"{field}.start")
    require_aware(end, f"{field}.end")
    if end <= start:
        raise InvalidInput("ends_before_start", field, "must end after it starts")


@attrs.frozen
class DeclaredStay:
    """A declared stay: the place (division code) and the half-open period ``[start, end)``.

    Maps one to one onto the risk engine's ``Stay(place, start, end)``.

    >>> from datetime import datetime, timezone
    >>> t = datetime(2022, 3, 10, tzinfo=timezone.utc)
    >>> DeclaredStay(AreaCode.parse("420106"), t, t)
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: stay: must end after it starts [ends_before_start]
    """

    place: AreaCode
    start: datetime
    end: datetime

    def __attrs_post_init__(self) -> None:
        _ordered(self.start, self.end, "stay")

    def as_tuple(self) -> tuple[AreaCode, datetime, datetime]:
        """``(place, start, end)``: the arguments of the risk engine's ``Stay``."""
        return (self.place, self.start, self.end)


@attrs.frozen
class DeclaredLeg:
    """One travelled leg: mode, number, places and instants (the seat is kept masked).

    >>> from datetime import datetime, timezone
    >>> from gridcare.timeutil import DEFAULT_ZONE as CST
    >>> DeclaredLeg(TravelMode.TRAIN, "G1234", "武汉", datetime(2022, 3, 19, 14, tzinfo=CST),
    ...             "株洲西", datetime(2022, 3, 19, 16, tzinfo=CST)).number
    'G1234'
    """

    mode: TravelMode
    number: str | None
    departure_place: str
    departed_at: datetime
    arrival_place: str
    arrived_at: datetime
    seat: str | None = attrs.field(default=None, repr=lambda s: "None" if s is None else "'***'")

    def __attrs_post_init__(self) -> None:
        _ordered(self.departed_at, self.arrived_at, "leg")


@attrs.frozen
class TemperatureReading:
    """A body temperature in °C at an instant.

    >>> from datetime import datetime, timezone
    >>> TemperatureReading(datetime(2022, 3, 19, tzinfo=timezone.utc), 36.5).fever
    False
    """

    at: datetime
    celsius: float

    @property
    def fever(self) -> bool:
        """37.3 °C or more (the fever threshold of the prevention plans)."""
        return self.celsius >= 37.3


@attrs.frozen
class DeclaredNat:
    """A declared NAT result: when sampled, the outcome, the testing institution.

    >>> from datetime import datetime, timezone
    >>> DeclaredNat(datetime(2022, 3, 18, tzinfo=timezone.utc), NatOutcome.NEGATIVE, "x").result
    <NatOutcome.NEGATIVE: 'negative'>
    """

    sampled_at: datetime
    result: NatOutcome
    institution: str


_HIDDEN_PARTS = (
    "building",
    "unit",
    "room",
    "building_id",
    "unit_id",
    "household_id",
    "door_code",
    "text",
)


@attrs.frozen
class DeclaredAddress:
    """The address as declared; ``repr`` shows the community only (docs/design.md, "Privacy").

    >>> DeclaredAddress(community="C1", building="3", room="301")
    DeclaredAddress(community='C1', building='***', room='***')
    """

    community: str | None = None
    building: str | None = None
    unit: str | None = None
    room: str | None = None
    building_id: str | None = None
    unit_id: str | None = None
    household_id: str | None = None
    door_code: str | None = None
    text: str | None = None

    def __repr__(self) -> str:
        shown = [f"community={self.community!r}"]
        shown += [f"{key}='***'" for key in _HIDDEN_PARTS if getattr(self, key) is not None]
        return f"DeclaredAddress({', '.join(shown)})"


def _key(value: str | None) -> str | None:
    if value is None:
        return None
    stripped = value.strip()
    return stripped or None


@attrs.frozen(repr=False)
class Declaration:
    """A received declaration: who, where, from where, the journey, health, and flags.

    ``late`` says it was filed after arriving (retroactive declarations are kept,
    and flagged). ``repr`` and ``str`` mask the name, document number and phone.

    >>> from gridcare.declarations import parse_form, example_form
    >>> from datetime import datetime, timezone
    >>> from gridcare.timeutil import DEFAULT_ZONE as CST
    >>> d = parse_form(example_form(), declaration_id="D1",
    ...                received_at=datetime(2022, 3, 19, 9, tzinfo=CST))
    >>> d  # doctest: +ELLIPSIS
    Declaration('D1', 刘*娟, citizen_id 110105********002X, 138****5678, received 2022-03-19T09...)
    >>> d.late, d.proxy, [str(s.place) for s in d.stays]
    (False, False, ['420106'])
    """

    id: str
    received_at: datetime
    name: str
    document_kind: IdKind
    document_number: str
    phone: PhoneNumber
    address: DeclaredAddress
    origin: AreaCode
    legs: tuple[DeclaredLeg, ...]
    stays: tuple[DeclaredStay, ...] = ()
    temperatures: tuple[TemperatureReading, ...] = ()
    symptoms: frozenset[Symptom] = frozenset()
    nat_results: tuple[DeclaredNat, ...] = ()
    vaccination_doses: int = 0
    health_code: CodeColor = CodeColor.GREEN
    filled_by: FilledBy = FilledBy.SELF
    proxy_worker_id: str | None = None
    origin_detail: str | None = None

    def __attrs_post_init__(self) -> None:
        require_aware(self.received_at, "received_at")
        if not self.legs:
            raise InvalidInput("missing", "legs", "a declaration has at least one leg")

    @property
    def arrived_at(self) -> datetime:
        """The arrival in the city: the end of the last leg."""
        return self.legs[-1].arrived_at

    @property
    def departed_at(self) -> datetime:
        """The start of the journey: the departure of the first leg."""
        return self.legs[0].departed_at

    @property
    def journey(self) -> tuple[datetime, datetime]:
        """``(start, end)`` of the journey: the earliest stay or departure, and the arrival."""
        start = self.legs[0].departed_at
        if self.stays and self.stays[0].start < start:
            start = self.stays[0].start
        return (start, self.legs[-1].arrived_at)

    @property
    def late(self) -> bool:
        """Filed after arriving (a retroactive declaration)."""
        return self.legs[-1].arrived_at < self.received_at

    @property
    def proxy(self) -> bool:
        """Filled in by a grid worker on the person's behalf."""
        return self.filled_by is FilledBy.PROXY

    def stay_tuples(self) -> tuple[tuple[AreaCode, datetime, datetime], ...]:
        """The stays as ``(place, start, end)``, ready for the risk engine's ``Stay``."""
        return tuple(s.as_tuple() for s in self.stays)

    def __repr__(self) -> str:
        return (
            f"Declaration({self.id!r}, {mask_name(self.name)}, {self.document_kind.value} "
            f"{mask_id_number(self.document_number)}, {self.phone.masked()}, "
            f"received {self.received_at.isoformat()})"
        )

    __str__ = __repr__

    @classmethod
    def from_form(
        cls, form: DeclarationShape, *, declaration_id: str, received_at: datetime
    ) -> Declaration:
        """Build the domain value from a validated form (no validation is repeated).

        Train and flight numbers and document numbers are upper-cased; names and
        free text are stripped; symptoms become a set.

        >>> from gridcare.declarations import DeclarationForm, example_form
        >>> from datetime import datetime, timezone
        >>> from gridcare.timeutil import DEFAULT_ZONE as CST
        >>> at = datetime(2022, 3, 19, 9, tzinfo=CST)
        >>> form = DeclarationForm.model_validate(example_form(), context={"received_at": at})
        >>> Declaration.from_form(form, declaration_id="D1", received_at=at).legs[0].number
        'G1234'
        """
        identity = form.identity
        address = form.address
        health = form.health
        legs = tuple(
            DeclaredLeg(
                leg.mode,
                None if leg.number is None else leg.number.upper(),
                leg.departure_place,
                leg.departed_at,
                leg.arrival_place,
                leg.arrived_at,
                leg.seat,
            )
            for leg in form.legs
        )
        return cls(
            id=declaration_id,
            received_at=received_at,
            name=identity.name.strip(),
            document_kind=identity.id_kind,
            document_number=identity.id_number.upper(),
            phone=form.phone,
            address=DeclaredAddress(
                _key(address.community),
                _key(address.building),
                _key(address.unit),
                _key(address.room),
                _key(address.building_id),
                _key(address.unit_id),
                _key(address.household_id),
                _key(address.door_code),
                _key(address.text),
            ),
            origin=form.origin.area,
            legs=legs,
            stays=tuple(DeclaredStay(s.place, s.start, s.end) for s in form.stays),
            temperatures=tuple(TemperatureReading(t.at, t.celsius) for t in health.temperatures),
            symptoms=frozenset(health.symptoms),
            nat_results=tuple(
                DeclaredNat(n.sampled_at, n.result, n.institution) for n in health.nat_results
            ),
            vaccination_doses=health.vaccination_doses,
            health_code=form.health_code,
            filled_by=form.filled_by,
            proxy_worker_id=form.proxy_worker_id,
            origin_detail=form.origin.detail,
        )
