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

import string
from datetime import datetime, timezone
from typing import TypeVar

import attrs

from gridcare.codes import AreaCode, PhoneNumber
from gridcare.declarations._checks import trusted
from gridcare.declarations._enums import (
    CodeColor,
    FilledBy,
    IdKind,
    NatOutcome,
    Symptom,
    TravelMode,
)
from gridcare.declarations._form import MAX_CELSIUS, MAX_DOSES, MIN_CELSIUS, DeclarationForm
from gridcare.errors import (
    InvalidInput,
    require_finite,
    require_instance,
    require_int,
    require_items,
)
from gridcare.masking import (
    mask_id_number,
    mask_name,
    mask_numbers,
    mask_text,
    mask_whole,
    masked_field_reprs,
    masked_repr,
)
from gridcare.serial import JsonMixin, personal, personal_fields
from gridcare.text import check_text_of
from gridcare.timeutil import require_aware

__all__ = [
    "Declaration",
    "DeclaredAddress",
    "DeclaredLeg",
    "DeclaredNat",
    "DeclaredStay",
    "TemperatureReading",
]


_T = TypeVar("_T")
_ASCII_UPPER = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)


def _part(value: object, field: str, kind: str) -> str | None:
    """An optional text field: ``None``, blanks, or a text with the rules of its kind."""
    if value is None:
        return None
    return check_text_of(value, field, kind, allow_empty=True)


def _ordered(start: object, end: object, field: str) -> tuple[datetime, datetime]:
    """``(start, end)`` if both are aware instants and ``end`` is after ``start``."""
    # Fast path: validated forms carry fixed-offset instants (always aware).
    if (
        type(start) is datetime
        and type(end) is datetime
        and type(start.tzinfo) is timezone
        and type(end.tzinfo) is timezone
        and start < end
    ):
        return start, end
    first = require_aware(start, f"{field}.start")
    last = require_aware(end, f"{field}.end")
    if last <= first:
        raise InvalidInput("ends_before_start", field, "must end after it starts")
    return first, last


@attrs.frozen(init=False, field_transformer=masked_field_reprs)
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

    def __init__(self, place: AreaCode, start: datetime, end: datetime) -> None:
        self.__attrs_init__(
            require_instance(place, AreaCode, "stay.place"), *_ordered(start, end, "stay")
        )

    def as_tuple(self) -> tuple[AreaCode, datetime, datetime]:
        """``(place, start, end)``: the arguments of the risk engine's ``Stay``."""
        return (self.place, self.start, self.end)


@attrs.frozen(init=False, field_transformer=masked_field_reprs)
class DeclaredLeg:
    """One travelled leg: mode, number, places and instants (the seat is kept masked).

    >>> from datetime import datetime, timezone
    >>> from gridcare.timeutil import DEFAULT_ZONE as CST
    >>> DeclaredLeg(TravelMode.TRAIN, "G1234", "武汉", datetime(2022, 3, 19, 14, tzinfo=CST),
    ...             "株洲西", datetime(2022, 3, 19, 16, tzinfo=CST)).number
    'G1234'
    """

    mode: TravelMode
    # Free text a declarant types: a masked export shows any phone or ID number in it masked.
    number: str | None = attrs.field(metadata=personal(mask_numbers))
    departure_place: str = attrs.field(metadata=personal(mask_numbers))
    departed_at: datetime
    arrival_place: str = attrs.field(metadata=personal(mask_numbers))
    arrived_at: datetime
    seat: str | None = attrs.field(
        default=None,
        repr=lambda s: "None" if s is None else "'***'",
        metadata=personal(mask_text),
    )

    def __init__(
        self,
        mode: TravelMode,
        number: str | None,
        departure_place: str,
        departed_at: datetime,
        arrival_place: str,
        arrived_at: datetime,
        seat: str | None = None,
    ) -> None:
        departed_at, arrived_at = _ordered(departed_at, arrived_at, "leg")
        self.__attrs_init__(
            require_instance(mode, TravelMode, "leg.mode", code="bad_choice"),
            _part(number, "leg.number", "short"),
            check_text_of(departure_place, "leg.departure_place", "place"),
            departed_at,
            check_text_of(arrival_place, "leg.arrival_place", "place"),
            arrived_at,
            _part(seat, "leg.seat", "short"),
        )


@attrs.frozen(init=False, field_transformer=masked_field_reprs)
class TemperatureReading:
    """A body temperature in °C (:data:`MIN_CELSIUS` to :data:`MAX_CELSIUS`) at an instant.

    >>> from datetime import datetime, timezone
    >>> TemperatureReading(datetime(2022, 3, 19, tzinfo=timezone.utc), 36.5).fever
    False
    >>> TemperatureReading(datetime(2022, 3, 19, tzinfo=timezone.utc), 365)
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: temperature.celsius: expected 34.0 to 43.0 °C [...]
    """

    at: datetime
    celsius: float

    def __init__(self, at: datetime, celsius: float) -> None:
        degrees = require_finite(celsius, "temperature.celsius", code="not_number")
        if not MIN_CELSIUS <= degrees <= MAX_CELSIUS:
            raise InvalidInput(
                "temperature_out_of_range",
                "temperature.celsius",
                f"expected {MIN_CELSIUS} to {MAX_CELSIUS} °C",
                value=degrees,
            )
        self.__attrs_init__(require_aware(at, "temperature.at"), degrees)

    @property
    def fever(self) -> bool:
        """37.3 °C or more (the fever threshold of the prevention plans)."""
        return self.celsius >= 37.3


@attrs.frozen(init=False, field_transformer=masked_field_reprs)
class DeclaredNat:
    """A declared NAT result: when sampled, the outcome, the testing institution.

    >>> from datetime import datetime, timezone
    >>> DeclaredNat(datetime(2022, 3, 18, tzinfo=timezone.utc), NatOutcome.NEGATIVE, "x").result
    <NatOutcome.NEGATIVE: 'negative'>
    """

    sampled_at: datetime
    result: NatOutcome
    institution: str = attrs.field(metadata=personal(mask_numbers))

    def __init__(self, sampled_at: datetime, result: NatOutcome, institution: str) -> None:
        self.__attrs_init__(
            require_aware(sampled_at, "nat.sampled_at"),
            require_instance(result, NatOutcome, "nat.result", code="bad_choice"),
            check_text_of(institution, "nat.institution", "place"),
        )


@attrs.frozen(init=False, field_transformer=masked_field_reprs)
class DeclaredAddress:
    """The address as declared; ``repr`` shows the community only (docs/design.md, "Privacy").

    >>> DeclaredAddress(community="C1", building="3", room="301")
    DeclaredAddress(community='C1', building='***', room='***')
    """

    community: str | None = attrs.field(default=None, metadata=personal(mask_numbers))
    building: str | None = attrs.field(default=None, metadata=personal(mask_whole))
    unit: str | None = attrs.field(default=None, metadata=personal(mask_whole))
    room: str | None = attrs.field(default=None, metadata=personal(mask_whole))
    building_id: str | None = attrs.field(default=None, metadata=personal(mask_whole))
    unit_id: str | None = attrs.field(default=None, metadata=personal(mask_whole))
    household_id: str | None = attrs.field(default=None, metadata=personal(mask_whole))
    door_code: str | None = attrs.field(default=None, metadata=personal(mask_whole))
    text: str | None = attrs.field(default=None, metadata=personal(mask_whole))

    def __init__(
        self,
        community: str | None = None,
        building: str | None = None,
        unit: str | None = None,
        room: str | None = None,
        building_id: str | None = None,
        unit_id: str | None = None,
        household_id: str | None = None,
        door_code: str | None = None,
        text: str | None = None,
    ) -> None:
        self.__attrs_init__(
            _part(community, "address.community", "place"),
            _part(building, "address.building", "short"),
            _part(unit, "address.unit", "short"),
            _part(room, "address.room", "short"),
            _part(building_id, "address.building_id", "id"),
            _part(unit_id, "address.unit_id", "id"),
            _part(household_id, "address.household_id", "id"),
            _part(door_code, "address.door_code", "code"),
            _part(text, "address.text", "place"),
        )

    def __repr__(self) -> str:
        shown = [f"community={masked_repr(self.community)}"]
        below = [key for key in personal_fields(DeclaredAddress) if key != "community"]
        shown += [f"{key}='***'" for key in below if getattr(self, key) is not None]
        return f"DeclaredAddress({', '.join(shown)})"


def _key(value: str | None) -> str | None:
    if value is None:
        return None
    stripped = value.strip()
    return stripped or None


@attrs.frozen(init=False, repr=False, field_transformer=masked_field_reprs)
class Declaration(JsonMixin):
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
    name: str = attrs.field(metadata=personal(mask_name))
    document_kind: IdKind
    document_number: str = attrs.field(metadata=personal(mask_id_number))
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
    origin_detail: str | None = attrs.field(default=None, metadata=personal(mask_text))

    def __init__(
        self,
        id: str,
        received_at: datetime,
        name: str,
        document_kind: IdKind,
        document_number: str,
        phone: PhoneNumber,
        address: DeclaredAddress,
        origin: AreaCode,
        legs: tuple[DeclaredLeg, ...],
        stays: tuple[DeclaredStay, ...] = (),
        temperatures: tuple[TemperatureReading, ...] = (),
        symptoms: frozenset[Symptom] = frozenset(),
        nat_results: tuple[DeclaredNat, ...] = (),
        vaccination_doses: int = 0,
        health_code: CodeColor = CodeColor.GREEN,
        filled_by: FilledBy = FilledBy.SELF,
        proxy_worker_id: str | None = None,
        origin_detail: str | None = None,
    ) -> None:
        journey = tuple(require_items(legs, DeclaredLeg, "legs"))
        if not journey:
            raise InvalidInput("missing", "legs", "a declaration has at least one leg")
        self.__attrs_init__(
            check_text_of(id, "id", "id"),
            require_aware(received_at, "received_at"),
            check_text_of(name, "name", "name"),
            require_instance(document_kind, IdKind, "document_kind", code="bad_choice"),
            check_text_of(document_number, "document_number", "short"),
            require_instance(phone, PhoneNumber, "phone"),
            require_instance(address, DeclaredAddress, "address"),
            require_instance(origin, AreaCode, "origin"),
            journey,
            tuple(require_items(stays, DeclaredStay, "stays")),
            tuple(require_items(temperatures, TemperatureReading, "temperatures")),
            frozenset(require_items(symptoms, Symptom, "symptoms")),
            tuple(require_items(nat_results, DeclaredNat, "nat_results")),
            require_int(vaccination_doses, "vaccination_doses", low=0, high=MAX_DOSES),
            require_instance(health_code, CodeColor, "health_code", code="bad_choice"),
            require_instance(filled_by, FilledBy, "filled_by", code="bad_choice"),
            _part(proxy_worker_id, "proxy_worker_id", "id"),
            _part(origin_detail, "origin_detail", "place"),
        )

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
            f"Declaration({masked_repr(self.id)}, {mask_name(self.name)}, "
            f"{self.document_kind.value} "
            f"{mask_id_number(self.document_number)}, {self.phone.masked()}, "
            f"received {self.received_at.isoformat()})"
        )

    __str__ = __repr__

    @classmethod
    def from_form(
        cls, form: DeclarationForm, *, declaration_id: str, received_at: datetime
    ) -> Declaration:
        """Build the domain value from a validated form (no validation is repeated).

        ``form`` is a :class:`DeclarationForm` (its fields and the rules between
        them hold), ``declaration_id`` the text id and ``received_at`` the aware
        receipt instant; anything else is ``InvalidInput``. The ASCII letters of
        leg and document numbers are upper-cased; names and free text are
        stripped; symptoms become a set. The form has checked every rule the
        constructors check, so the values are built without checking them again
        (a test rebuilds every declaration its form makes through the checking
        constructors).

        >>> from gridcare.declarations import DeclarationForm, example_form
        >>> from datetime import datetime, timezone
        >>> from gridcare.timeutil import DEFAULT_ZONE as CST
        >>> at = datetime(2022, 3, 19, 9, tzinfo=CST)
        >>> form = DeclarationForm.model_validate(example_form(), context={"received_at": at})
        >>> Declaration.from_form(form, declaration_id="D1", received_at=at).legs[0].number
        'G1234'
        """
        require_instance(form, DeclarationForm, "form")
        check_text_of(declaration_id, "declaration_id", "id")
        return declaration_of(form, declaration_id, require_aware(received_at, "received_at"))


def declaration_of(
    form: DeclarationForm, declaration_id: str, received_at: datetime
) -> Declaration:
    """:meth:`Declaration.from_form` without checking its arguments (the parser's own path:
    it has checked the id and the instant, and validated the form)."""
    identity = form.identity
    address = form.address
    health = form.health
    legs = tuple(
        trusted(
            DeclaredLeg,
            leg.mode,
            None if leg.number is None else leg.number.translate(_ASCII_UPPER),
            leg.departure_place,
            leg.departed_at,
            leg.arrival_place,
            leg.arrived_at,
            leg.seat,
        )
        for leg in form.legs
    )
    return trusted(
        Declaration,
        declaration_id,
        received_at,
        identity.name.strip(),
        identity.id_kind,
        identity.id_number.translate(_ASCII_UPPER),
        form.phone,
        trusted(
            DeclaredAddress,
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
        form.origin.area,
        legs,
        tuple(trusted(DeclaredStay, s.place, s.start, s.end) for s in form.stays),
        tuple(trusted(TemperatureReading, t.at, t.celsius) for t in health.temperatures),
        frozenset(health.symptoms),
        tuple(
            trusted(DeclaredNat, n.sampled_at, n.result, n.institution) for n in health.nat_results
        ),
        health.vaccination_doses,
        form.health_code,
        form.filled_by,
        form.proxy_worker_id,
        form.origin.detail,
    )
