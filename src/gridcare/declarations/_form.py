"""The declaration form: untrusted input at the edge, validated by pydantic.

Rules this module obeys (docs/design.md, "Time" and "Errors"):

* field-level rules (types, lengths, patterns, ranges, choices) live on the
  fields, so the exported JSON Schema states them; rules between fields (order
  of legs and stays, identity number by document kind, train and flight
  numbers by mode, arrival against receipt, readings not after receipt, proxy
  needs a worker id) are checked in one pass after the fields, and every
  problem is reported at once, each at its own field path;
* naive local times are localised to the policy zone (``zone`` in the
  validation context, default ``Asia/Shanghai``); aware times are kept;
* the receipt instant and the limits come in the validation ``context``
  (``received_at``, ``max_advance_days``, ``zone``), never from a clock: use
  :func:`~gridcare.declarations.parse_form`, which builds that context;
* personal data (name, document number, phone, address below the community)
  is masked in ``repr`` and in exports unless ``context=REVEAL`` is passed;
* every text field has the limit of its kind (:data:`gridcare.text.TEXT_LIMITS`,
  stated as ``maxLength`` in the JSON Schema) and obeys the rules of
  :func:`gridcare.text.text_problem` (no control, bidirectional control or
  surrogate characters, something visible); texts are kept as given, not
  normalised.

>>> from gridcare.declarations import parse_form, example_form
>>> from datetime import datetime
>>> from gridcare.timeutil import DEFAULT_ZONE, localize
>>> d = parse_form(example_form(), declaration_id="D1",
...                received_at=datetime(2022, 3, 20, 10, tzinfo=DEFAULT_ZONE))
>>> d.arrived_at.isoformat(), d.late
('2022-03-19T18:30:00+08:00', True)
"""

from __future__ import annotations

import copy
import operator
import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone, tzinfo
from types import MappingProxyType
from typing import Annotated, Any, Literal, NamedTuple, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    WrapValidator,
    model_validator,
)
from pydantic._internal._model_construction import ModelMetaclass
from pydantic_core import PydanticCustomError

from gridcare.codes import PROVINCE_CODES, AreaCode, CitizenId, PhoneNumber
from gridcare.declarations._enums import (
    CodeColor,
    FilledBy,
    IdKind,
    NatOutcome,
    Symptom,
    TravelMode,
)
from gridcare.declarations._messages import field_errors
from gridcare.errors import InvalidInput, read_mappings, require_int
from gridcare.masking import mask_id_number, mask_name, mask_numbers, mask_text, mask_whole
from gridcare.serial import masked_text
from gridcare.text import TEXT_LIMITS, text_problem
from gridcare.timeutil import DEFAULT_ZONE, MAX_YEAR, MIN_YEAR, localize

__all__ = [
    "DEFAULT_MAX_ADVANCE_DAYS",
    "FLIGHT_NUMBER_PATTERN",
    "MAX_ADVANCE_DAYS_LIMIT",
    "MAX_CELSIUS",
    "MIN_CELSIUS",
    "PASSPORT_PATTERN",
    "TRAIN_NUMBER_PATTERN",
    "TRAVEL_PERMIT_PATTERN",
    "AddressForm",
    "DeclarationForm",
    "HealthForm",
    "IdentityForm",
    "LegForm",
    "NatForm",
    "OriginForm",
    "StayForm",
    "TemperatureForm",
    "check_max_advance_days",
    "declaration_json_schema",
    "fixed_offset_zone",
]

#: How many days ahead of arrival a declaration may be filed (local practice: two days
#: before arriving; one day of slack). Arrival exactly at the limit is accepted.
DEFAULT_MAX_ADVANCE_DAYS = 3
#: The largest ``max_advance_days`` a caller may set (a year); beyond it is ``out_of_range``.
MAX_ADVANCE_DAYS_LIMIT = 366
#: Plausible body temperatures in °C (outside: a typing error, not a fever).
MIN_CELSIUS = 34.0
MAX_CELSIUS = 43.0
#: The most vaccination doses a form may declare.
MAX_DOSES = 10

#: China Railway train numbers: a class letter (G D C Z T K Y S L) and 1-4 digits,
#: or 4 digits for ordinary trains; letters in either case.
TRAIN_NUMBER_PATTERN = r"^([GDCZTKYSLgdcztksyl][0-9]{1,4}|[0-9]{4})$"
#: IATA flight designators: a two-character airline code (not two digits) and 1-4 digits,
#: an optional suffix letter; letters in either case.
FLIGHT_NUMBER_PATTERN = r"^([A-Za-z]{2}|[A-Za-z][0-9]|[0-9][A-Za-z])[0-9]{1,4}[A-Za-z]?$"
PASSPORT_PATTERN = r"^[A-Za-z0-9]{5,17}$"
#: Mainland travel permits for Hong Kong, Macao and Taiwan residents (and exit permits).
TRAVEL_PERMIT_PATTERN = r"^[A-Za-z]{0,2}[0-9]{7,10}$"
_DOCUMENT_PATTERN = r"^[0-9A-Za-z]{5,20}$"

# ISO 8601 local or offset date-times as pydantic parses them; calendar validity
# (30 February) is beyond a pattern and is checked by the model.
_INSTANT_PATTERN = (
    r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"([Tt ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,9})?)?"
    r"([Zz]|[+-]([01][0-9]|2[0-3]):?[0-5][0-9])?)?$"
)
#: The longest instant text read (``2022-03-18T08:30:00.123456789+08:00`` has 35 characters).
_MAX_INSTANT_TEXT = 64
_INSTANT_JSON: dict[str, Any] = {
    "type": "string",
    "maxLength": _MAX_INSTANT_TEXT,
    "pattern": _INSTANT_PATTERN,
    "description": "ISO 8601 时间；无时区的按当地时区（默认 Asia/Shanghai）理解 / "
    "ISO 8601 date-time; without an offset it is local time in the policy zone",
    "examples": ["2022-03-18T08:30:00", "2022-03-18T08:30:00+08:00"],
}

_TRAIN_RE = re.compile(TRAIN_NUMBER_PATTERN)
_FLIGHT_RE = re.compile(FLIGHT_NUMBER_PATTERN)
_PASSPORT_RE = re.compile(PASSPORT_PATTERN)
_PERMIT_RE = re.compile(TRAVEL_PERMIT_PATTERN)


# --------------------------------------------------------------------------- field types


# Every offset in use is a whole quarter hour from -14:00 to +14:00: one shared zone object
# each, built once at import and never changed. Another offset gets a zone of its own.
_FIXED: Mapping[timedelta, timezone] = MappingProxyType(
    {timedelta(minutes=15 * q): timezone(timedelta(minutes=15 * q)) for q in range(-56, 57)}
)


def fixed_offset_zone(offset: timedelta) -> timezone:
    """One shared fixed-offset zone per offset in use: comparing instants that share a
    tzinfo object skips ``utcoffset`` calls.

    The shared zones are those of whole quarter hours from -14:00 to +14:00,
    built once; any other offset gets a new zone (nothing is remembered).

    >>> fixed_offset_zone(timedelta(hours=8)) is fixed_offset_zone(timedelta(hours=8))
    True
    """
    found = _FIXED.get(offset)
    return timezone(offset) if found is None else found


def _instant(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> datetime:
    """Parse an ISO date-time (or take a datetime); localise a naive one to the context zone.

    The result carries the fixed UTC offset in force at that instant (the same
    instant, the same offset: ``+08:00`` in Asia/Shanghai).
    """
    if isinstance(value, str):
        # pydantic also reads digit strings as Unix time: a form never means that; and it
        # reads any number of digits of a second's fraction, so the length is capped first.
        if value[4:5] != "-" or len(value) > _MAX_INSTANT_TEXT:
            raise PydanticCustomError("datetime_parsing", "expected an ISO 8601 date-time")
    elif not isinstance(value, datetime):
        raise PydanticCustomError("datetime_type", "expected an ISO 8601 date-time string")
    parsed: datetime = handler(value)
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise PydanticCustomError(
            "out_of_range", f"instants must fall in the years {MIN_YEAR} to {MAX_YEAR}"
        )
    offset = parsed.utcoffset()
    if offset is None:
        context = info.context
        zone = context.get("zone") if isinstance(context, dict) else None
        local = localize(parsed, zone if isinstance(zone, tzinfo) else DEFAULT_ZONE)
        offset = local.utcoffset()
        if offset is None:  # pragma: no cover - a tzinfo without offsets
            return local
    return parsed.replace(tzinfo=fixed_offset_zone(offset))


Instant = Annotated[datetime, WrapValidator(_instant), WithJsonSchema(_INSTANT_JSON)]


def _text_rules(value: str, *, printable: bool = False) -> str:
    """The rules of :func:`gridcare.text.text_problem` on a text field (its length is the
    field's ``max_length``, checked before; blanks are the field's own rules); an id's
    field keeps an id's rule too (``printable``)."""
    problem = text_problem(value, "", max_length=_LONGEST, allow_empty=True, printable=printable)
    if problem is None:
        return value
    raise PydanticCustomError(problem.code, problem.message.replace("{", "{{"))


def _id_rules(value: str) -> str:
    return _text_rules(value, printable=True)


_LONGEST = max(TEXT_LIMITS.values())
_TEXT_RULES = AfterValidator(_text_rules)
_ID_RULES = AfterValidator(_id_rules)

# Text that is not personal by its field may still hold a number typed into it (a phone
# number in a place's name): exports show its phone and ID numbers masked unless revealed.
PlainText = Annotated[str, _TEXT_RULES, masked_text(mask_numbers)]
PlainId = Annotated[str, _ID_RULES, masked_text(mask_numbers)]
PersonName = Annotated[str, _TEXT_RULES, masked_text(mask_name)]
DocumentNumber = Annotated[str, masked_text(mask_id_number)]
PrivateText = Annotated[str, _TEXT_RULES, masked_text(mask_text)]
# A part of an address below the community (a building, a room, a door code, their ids):
# nothing of it shown, as the address's repr shows it.
AddressPart = Annotated[str, _TEXT_RULES, masked_text(mask_whole)]
AddressId = Annotated[str, _ID_RULES, masked_text(mask_whole)]

_CONFIG = ConfigDict(
    extra="forbid",
    hide_input_in_errors=True,
    allow_inf_nan=False,
    frozen=True,
    use_enum_values=False,
)


def _title(zh: str, en: str) -> str:
    return f"{zh} / {en}"


_PRIVATE_FIELDS = frozenset({"seat", "detail"})


def _refusal(exc: ValidationError, model: type) -> InvalidInput:
    """A form's refusal as callers see it: every error, as :func:`parse_form` reports them
    (a section validated on its own masks its values as the whole form does)."""
    return InvalidInput.collect(field_errors(exc, within=_MASKED_AS.get(model.__name__, ())))


#: Sections whose every value is personal, by model: their path in the form.
_MASKED_AS: dict[str, tuple[str, ...]] = {
    "IdentityForm": ("identity",),
    "AddressForm": ("address",),
}


class _FormType(ModelMetaclass):
    """Calling a form class raises ``InvalidInput``, never a pydantic ``ValidationError``.

    Done in the metaclass rather than ``__init__``: pydantic calls a model's own
    ``__init__`` for every nested section it validates, which would slow every
    form down and convert each section's errors again.
    """

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        kwargs = read_mappings(kwargs)  # a caller's mapping that fails is refused where given
        try:
            return super().__call__(*args, **kwargs)
        except ValidationError as exc:
            refusal = _refusal(exc, cls)
        raise refusal  # outside the handler: no chained input (gridcare.errors)


class _FormModel(BaseModel, metaclass=_FormType):
    """The sections of the form: frozen and closed; building one directly, or validating it
    with ``model_validate`` or ``model_validate_json``, refuses bad values with
    ``InvalidInput`` (the errors of :func:`~gridcare.declarations.parse_form`)."""

    model_config = _CONFIG

    @classmethod
    def model_validate(cls, obj: Any, **options: Any) -> Self:
        """pydantic's ``model_validate``; a refusal is ``InvalidInput``."""
        try:
            return super().model_validate(obj, **options)
        except ValidationError as exc:
            refusal = _refusal(exc, cls)
        raise refusal

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **options: Any) -> Self:
        """pydantic's ``model_validate_json``; a refusal is ``InvalidInput``."""
        try:
            return super().model_validate_json(json_data, **options)
        except ValidationError as exc:
            refusal = _refusal(exc, cls)
        raise refusal

    def __repr_args__(self) -> Any:
        # Private fields are starred; any other text shows its phone and ID numbers masked (a
        # number typed into a place or a flight number), masked before it is quoted.
        for key, value in super().__repr_args__():
            if key in _PRIVATE_FIELDS and value is not None:
                yield key, "***"
            else:
                yield key, mask_numbers(value) if type(value) is str else value


# --------------------------------------------------------------------------- sections


class IdentityForm(_FormModel):
    """Who declares: name and identity document (``id_kind`` says which).

    >>> IdentityForm(name="刘晓娟", id_number="11010519491231002X")
    IdentityForm(name='刘*娟', id_kind='citizen_id', id_number='110105********002X')
    """

    model_config = ConfigDict(
        title=_title("身份信息", "Identity"),
        json_schema_extra={
            "allOf": [
                {
                    # an absent id_kind means citizen_id (the default)
                    "if": {"properties": {"id_kind": {"const": kind}}}
                    if kind == "citizen_id"
                    else {"properties": {"id_kind": {"const": kind}}, "required": ["id_kind"]},
                    "then": {"properties": {"id_number": {"pattern": pattern}}},
                }
                for kind, pattern in (
                    ("citizen_id", CitizenId.JSON_PATTERN),
                    ("passport", PASSPORT_PATTERN),
                    ("travel_permit", TRAVEL_PERMIT_PATTERN),
                )
            ]
        },
    )

    name: PersonName = Field(
        min_length=1, max_length=TEXT_LIMITS["name"], pattern=r"\S", title=_title("姓名", "Name")
    )
    id_kind: IdKind = Field(IdKind.CITIZEN_ID, title=_title("证件类型", "Identity document kind"))
    id_number: DocumentNumber = Field(
        max_length=TEXT_LIMITS["short"],
        pattern=_DOCUMENT_PATTERN,
        title=_title("证件号码", "Identity document number"),
        description="居民身份证号须通过 GB 11643 校验 / a citizen ID number must pass "
        "the GB 11643 check character",
    )

    def __repr_args__(self) -> Any:
        yield "name", mask_name(self.name)
        yield "id_kind", self.id_kind.value
        yield "id_number", mask_id_number(self.id_number)


class AddressForm(_FormModel):
    """Where the declarant stays in the city: ids from a QR code, or community and numbers.

    Every part is optional, but at least one must be given; an address that
    cannot be resolved is kept and routed by hand.

    >>> AddressForm(community="C1", building="3", room="301")
    AddressForm(community='C1', building='***', room='***')
    """

    model_config = ConfigDict(title=_title("现住址", "Address in the city"))

    community: PlainText | None = Field(
        None,
        max_length=TEXT_LIMITS["place"],
        title=_title("社区（编号、代码或名称）", "Community (id, code or name)"),
    )
    building: AddressPart | None = Field(
        None, max_length=TEXT_LIMITS["short"], title=_title("楼栋号", "Building number")
    )
    unit: AddressPart | None = Field(
        None, max_length=TEXT_LIMITS["short"], title=_title("单元号", "Unit number")
    )
    room: AddressPart | None = Field(
        None, max_length=TEXT_LIMITS["short"], title=_title("房号", "Room")
    )
    building_id: AddressId | None = Field(
        None, max_length=TEXT_LIMITS["id"], title=_title("楼栋编号", "Building id")
    )
    unit_id: AddressId | None = Field(
        None, max_length=TEXT_LIMITS["id"], title=_title("单元编号", "Unit id")
    )
    household_id: AddressId | None = Field(
        None, max_length=TEXT_LIMITS["id"], title=_title("户编号", "Household id")
    )
    door_code: AddressPart | None = Field(
        None, max_length=TEXT_LIMITS["code"], title=_title("门牌二维码", "Door QR code")
    )
    text: AddressPart | None = Field(
        None, max_length=TEXT_LIMITS["place"], title=_title("详细地址", "Free text")
    )

    def __repr_args__(self) -> Any:
        community = self.community
        yield "community", None if community is None else mask_numbers(community)
        for key in type(self).model_fields:
            if key != "community" and getattr(self, key) is not None:
                yield key, "***"


class OriginForm(_FormModel):
    """Where the declarant comes from: a division code and optional detail.

    >>> OriginForm(area="420106").area
    AreaCode('420106')
    """

    model_config = ConfigDict(title=_title("来源地", "Origin"))

    area: AreaCode = Field(title=_title("来源地区划代码", "Origin division code"))
    detail: PrivateText | None = Field(
        None, max_length=TEXT_LIMITS["place"], title=_title("详细地点", "Detail")
    )


class LegForm(_FormModel):
    """One leg of the itinerary; train and flight numbers are checked by ``mode``.

    >>> leg = LegForm(mode="train", number="G1234", departure_place="武汉",
    ...               departed_at="2022-03-19T14:00:00", arrival_place="株洲西",
    ...               arrived_at="2022-03-19T16:00:00")
    >>> leg.arrived_at.isoformat()
    '2022-03-19T16:00:00+08:00'
    """

    model_config = ConfigDict(
        title=_title("行程段", "Itinerary leg"),
        json_schema_extra={
            "allOf": [
                {
                    "if": {"properties": {"mode": {"const": mode}}},
                    "then": {
                        "required": ["number"],
                        "properties": {"number": {"type": "string", "pattern": pattern}},
                    },
                }
                for mode, pattern in (
                    ("train", TRAIN_NUMBER_PATTERN),
                    ("flight", FLIGHT_NUMBER_PATTERN),
                )
            ]
        },
    )

    mode: TravelMode = Field(title=_title("交通方式", "Mode of travel"))
    number: PlainText | None = Field(
        None,
        max_length=TEXT_LIMITS["short"],
        title=_title("车次/航班号/车牌", "Train, flight or vehicle number"),
    )
    seat: PrivateText | None = Field(
        None, max_length=TEXT_LIMITS["short"], title=_title("座位号", "Seat")
    )
    departure_place: PlainText = Field(
        min_length=1, max_length=TEXT_LIMITS["place"], title=_title("出发地", "From")
    )
    departed_at: Instant = Field(title=_title("出发时间", "Departure"))
    arrival_place: PlainText = Field(
        min_length=1, max_length=TEXT_LIMITS["place"], title=_title("到达地", "To")
    )
    arrived_at: Instant = Field(title=_title("到达时间", "Arrival"))


class StayForm(_FormModel):
    """A stay of the look-back period: where, from when, until when.

    >>> StayForm(place="420106", start="2022-03-10", end="2022-03-19T12:00").end.hour
    12
    """

    model_config = ConfigDict(title=_title("旅居史", "Stay"))

    place: AreaCode = Field(title=_title("旅居地区划代码", "Division code of the place"))
    detail: PrivateText | None = Field(
        None, max_length=TEXT_LIMITS["place"], title=_title("详细地点", "Detail")
    )
    start: Instant = Field(title=_title("起始时间", "From"))
    end: Instant = Field(title=_title("结束时间", "To"))


class TemperatureForm(_FormModel):
    """One body temperature reading (°C, 34.0 to 43.0).

    >>> TemperatureForm(at="2022-03-19T08:00", celsius=36.6).celsius
    36.6
    """

    model_config = ConfigDict(title=_title("体温", "Temperature reading"))

    at: Instant = Field(title=_title("测量时间", "Measured at"))
    celsius: float = Field(ge=MIN_CELSIUS, le=MAX_CELSIUS, title=_title("体温(℃)", "°C"))


class NatForm(_FormModel):
    """One nucleic-acid test (NAT) result as declared.

    >>> NatForm(sampled_at="2022-03-18T09:00", result="negative", institution="武汉协和").result
    <NatOutcome.NEGATIVE: 'negative'>
    """

    model_config = ConfigDict(title=_title("核酸检测", "Nucleic-acid test"))

    sampled_at: Instant = Field(title=_title("采样时间", "Sampled at"))
    result: NatOutcome = Field(title=_title("结果", "Result"))
    institution: PlainText = Field(
        min_length=1,
        max_length=TEXT_LIMITS["place"],
        title=_title("检测机构", "Testing institution"),
    )


class HealthForm(_FormModel):
    """Health status: temperatures, symptoms, NAT results and vaccination doses.

    >>> HealthForm().vaccination_doses
    0
    """

    model_config = ConfigDict(title=_title("健康状况", "Health"))

    temperatures: list[TemperatureForm] = Field(
        default_factory=list, max_length=60, title=_title("体温记录", "Temperature readings")
    )
    symptoms: list[Symptom] = Field(
        default_factory=list, max_length=7, title=_title("症状", "Symptoms")
    )
    nat_results: list[NatForm] = Field(
        default_factory=list, max_length=30, title=_title("核酸检测结果", "NAT results")
    )
    vaccination_doses: int = Field(
        0, ge=0, le=MAX_DOSES, title=_title("疫苗接种剂次", "Vaccination doses")
    )


_FILLER_RULES: dict[str, Any] = {
    "allOf": [
        {
            "if": {"properties": {"filled_by": {"const": "proxy"}}, "required": ["filled_by"]},
            "then": {
                "required": ["proxy_worker_id"],
                "properties": {"proxy_worker_id": {"type": "string"}},
            },
            "else": {"properties": {"proxy_worker_id": {"type": "null"}}},
        }
    ]
}


class DeclarationShape(_FormModel):
    """The form's fields with their field-level rules only (the bare model of the benchmark).

    Use :class:`DeclarationForm`, which adds the rules between fields.

    >>> sorted(DeclarationShape.model_fields)[:3]
    ['address', 'consent', 'filled_by']
    """

    model_config = ConfigDict(
        title=_title("来(返)株人员申报表", "Arrival declaration form"),
        json_schema_extra=_FILLER_RULES,
    )

    identity: IdentityForm = Field(title=_title("身份信息", "Identity"))
    phone: PhoneNumber = Field(title=_title("手机号码", "Mobile number"))
    address: AddressForm = Field(title=_title("现住址", "Address in the city"))
    origin: OriginForm = Field(title=_title("来源地", "Origin"))
    legs: list[LegForm] = Field(min_length=1, max_length=20, title=_title("行程", "Itinerary legs"))
    stays: list[StayForm] = Field(
        default_factory=list, max_length=30, title=_title("旅居史", "Stays of the look-back period")
    )
    health: HealthForm = Field(default_factory=HealthForm, title=_title("健康状况", "Health"))
    health_code: CodeColor = Field(
        title=_title("申报时健康码颜色", "Health code colour at submission")
    )
    filled_by: FilledBy = Field(FilledBy.SELF, title=_title("填报人", "Filled in by"))
    proxy_worker_id: PlainId | None = Field(
        None,
        min_length=1,
        max_length=TEXT_LIMITS["id"],
        title=_title("代报网格员编号", "Id of the grid worker who filled it in"),
    )
    consent: Literal[True] = Field(
        title=_title("承诺如实申报", "Consent and truthfulness pledge"),
        description="须为 true：虚假申报承担法律责任 / must be true: false declarations "
        "carry legal liability",
    )

    @property
    def arrived_at(self) -> datetime:
        """The arrival in the city: the end of the last leg."""
        return self.legs[-1].arrived_at


# --------------------------------------------------------------------------- cross-field rules


class Issue(NamedTuple):
    """One problem between fields: stable code, path, offending value, English message."""

    code: str
    loc: tuple[str | int, ...]
    value: object
    message: str


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _citizen_id_birth(number: str) -> date | None:
    """The birth date of a number in the common case of ``CitizenId.parse`` (18 characters,
    GB 11643) without building a value; ``None`` sends the number to ``CitizenId.parse``."""
    if len(number) != 18 or not number.isascii() or not number[:17].isdigit():
        return None
    if number[:2] not in PROVINCE_CODES:
        return None
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None
    if born.year < 1850:
        return None
    total = sum(map(operator.mul, map(int, number[:17]), _ID_WEIGHTS))
    return born if "10X98765432"[total % 11] == number[17].upper() else None


def identity_issues(identity: IdentityForm, received_on: date | None = None) -> list[Issue]:
    """The identity number must fit its document kind (checksum for citizen IDs); with
    ``received_on`` (the local day of receipt), a citizen ID's birth date must not be after it."""
    number = identity.id_number
    loc = ("identity", "id_number")
    kind = identity.id_kind
    if kind is IdKind.CITIZEN_ID:
        born = _citizen_id_birth(number)
        if born is None:
            try:
                born = CitizenId.parse(number).birth_date
            except InvalidInput as exc:
                return [Issue(exc.code, loc, number, exc.message)]
        if received_on is not None and born > received_on:
            # The message must not quote the date: it is in the masked part of the number.
            return [Issue("born_in_future", loc, number, "born after the form was received")]
        return []
    if kind is IdKind.PASSPORT:
        if not _PASSPORT_RE.match(number):
            return [Issue("bad_passport_number", loc, number, "not a passport number")]
    elif not _PERMIT_RE.match(number):
        return [Issue("bad_permit_number", loc, number, "not a travel permit number")]
    return []


def address_issues(address: AddressForm) -> list[Issue]:
    """At least one part of the address must be given."""
    for value in (
        address.household_id,
        address.door_code,
        address.community,
        address.building_id,
        address.unit_id,
        address.building,
        address.unit,
        address.room,
        address.text,
    ):
        if value is not None and value.strip():
            return []
    return [Issue("address_empty", ("address",), None, "give at least one part of the address")]


class _Spans(NamedTuple):
    """How the issues of one list of time spans (legs, stays) are named and worded."""

    section: str  # the list's field, also the prefix of the order codes
    start: str  # field names of a span's start and end
    end: str
    backwards: str  # code and message of a span that ends before it starts
    backwards_message: str
    starts: str  # "departs" / "starts"
    noun: str  # "leg" / "stay"
    ends: str  # "arrives" / "ends"


_LEG_SPANS = _Spans(
    "legs",
    "departed_at",
    "arrived_at",
    "leg_arrives_before_departure",
    "arrival must be after departure",
    "departs",
    "leg",
    "arrives",
)
_STAY_SPANS = _Spans(
    "stays",
    "start",
    "end",
    "stay_ends_before_start",
    "a stay must end after it starts",
    "starts",
    "stay",
    "ends",
)


def _span_issues(
    words: _Spans,
    i: int,
    start: datetime,
    end: datetime,
    previous: tuple[datetime, datetime] | None,
) -> list[Issue]:
    """Span ``i`` ends after it starts, and starts after span ``i - 1`` (``previous``) ends."""
    found: list[Issue] = []
    if end <= start:
        found.append(
            Issue(
                words.backwards,
                (words.section, i, words.end),
                end.isoformat(),
                words.backwards_message,
            )
        )
    if previous is not None:
        where = (words.section, i, words.start)
        if start < previous[0]:
            found.append(
                Issue(
                    f"{words.section}_out_of_order",
                    where,
                    start.isoformat(),
                    f"{words.starts} before {words.noun} {i - 1}",
                )
            )
        elif start < previous[1]:
            found.append(
                Issue(
                    f"{words.section}_overlap",
                    where,
                    start.isoformat(),
                    f"{words.starts} before {words.noun} {i - 1} {words.ends}",
                )
            )
    return found


def leg_issues(legs: list[LegForm], received_at: datetime, max_advance_days: int) -> list[Issue]:
    """Numbers by mode; each leg departs before it arrives; legs in order, not overlapping;
    arrival no more than ``max_advance_days`` after receipt."""
    issues: list[Issue] = []
    previous: LegForm | None = None
    for i, leg in enumerate(legs):
        mode = leg.mode
        if mode is TravelMode.TRAIN or mode is TravelMode.FLIGHT:
            number = leg.number
            if number is None:
                issues.append(
                    Issue("number_required", ("legs", i, "number"), None, f"{mode} needs a number")
                )
            elif mode is TravelMode.TRAIN and not _TRAIN_RE.match(number):
                issues.append(
                    Issue("bad_train_number", ("legs", i, "number"), number, "not a train number")
                )
            elif mode is TravelMode.FLIGHT and not _FLIGHT_RE.match(number):
                issues.append(
                    Issue("bad_flight_number", ("legs", i, "number"), number, "not a flight number")
                )
        issues.extend(
            _span_issues(
                _LEG_SPANS,
                i,
                leg.departed_at,
                leg.arrived_at,
                None if previous is None else (previous.departed_at, previous.arrived_at),
            )
        )
        previous = leg
    if previous is not None:
        limit = received_at + timedelta(days=max_advance_days)
        if previous.arrived_at > limit:
            issues.append(
                Issue(
                    "arrival_too_far_ahead",
                    ("legs", len(legs) - 1, "arrived_at"),
                    previous.arrived_at.isoformat(),
                    f"arrival more than {max_advance_days} days after the declaration",
                )
            )
    return issues


def stay_issues(stays: list[StayForm]) -> list[Issue]:
    """Each stay ends after it starts; stays in order and not overlapping."""
    issues: list[Issue] = []
    previous: StayForm | None = None
    for i, stay in enumerate(stays):
        issues.extend(
            _span_issues(
                _STAY_SPANS,
                i,
                stay.start,
                stay.end,
                None if previous is None else (previous.start, previous.end),
            )
        )
        previous = stay
    return issues


def health_issues(health: HealthForm, received_at: datetime) -> list[Issue]:
    """Readings and tests cannot lie after the declaration was received."""
    issues: list[Issue] = []
    for i, reading in enumerate(health.temperatures):
        if reading.at > received_at:
            issues.append(
                Issue(
                    "temperature_after_receipt",
                    ("health", "temperatures", i, "at"),
                    reading.at.isoformat(),
                    "measured after the declaration was received",
                )
            )
    for i, nat in enumerate(health.nat_results):
        if nat.sampled_at > received_at:
            issues.append(
                Issue(
                    "nat_after_receipt",
                    ("health", "nat_results", i, "sampled_at"),
                    nat.sampled_at.isoformat(),
                    "sampled after the declaration was received",
                )
            )
    return issues


def filler_issues(filled_by: FilledBy, worker_id: str | None) -> list[Issue]:
    """A proxy declaration names the grid worker; a self declaration names none."""
    if filled_by is FilledBy.PROXY and worker_id is None:
        return [
            Issue(
                "proxy_worker_missing",
                ("proxy_worker_id",),
                None,
                "a proxy declaration names the grid worker",
            )
        ]
    if filled_by is FilledBy.SELF and worker_id is not None:
        return [
            Issue(
                "worker_id_without_proxy",
                ("proxy_worker_id",),
                worker_id,
                "a worker id is only given with a proxy declaration",
            )
        ]
    return []


def check_max_advance_days(days: object, field: str = "max_advance_days") -> int:
    """``days`` if it is a whole number from 0 to :data:`MAX_ADVANCE_DAYS_LIMIT`, else
    ``InvalidInput`` (``not_integer``, ``negative``, ``out_of_range``).

    >>> check_max_advance_days(3)
    3
    >>> check_max_advance_days(10**9)
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: max_advance_days: must be at most 366 [out_of_range]
    """
    return require_int(days, field, low=0, high=MAX_ADVANCE_DAYS_LIMIT)


def receipt_day(received_at: datetime, zone: object) -> date:
    """The local day of the receipt instant in the policy zone (``DEFAULT_ZONE`` if ``zone``
    is not a ``tzinfo``).

    >>> receipt_day(datetime(2022, 3, 19, 20, tzinfo=timezone.utc), None).isoformat()
    '2022-03-20'
    """
    return received_at.astimezone(zone if isinstance(zone, tzinfo) else DEFAULT_ZONE).date()


def receipt_context(context: object) -> tuple[datetime, int, date]:
    """The receipt instant, advance limit and local day of receipt from a validation context,
    or a pydantic error."""
    if isinstance(context, dict):
        received_at = context.get("received_at")
        offset = received_at.utcoffset() if isinstance(received_at, datetime) else None
        if isinstance(received_at, datetime) and offset is not None:
            received_on = context.get("received_on")
            if not isinstance(received_on, date):
                received_on = receipt_day(received_at, context.get("zone"))
            if type(received_at.tzinfo) is not timezone:
                received_at = received_at.replace(tzinfo=fixed_offset_zone(offset))
            days = context.get("max_advance_days", DEFAULT_MAX_ADVANCE_DAYS)
            try:
                return received_at, check_max_advance_days(days), received_on
            except InvalidInput as exc:
                raise PydanticCustomError(exc.code, exc.message) from None
    raise PydanticCustomError(
        "missing_received_at",
        "validate with context={'received_at': <aware datetime>} (use parse_form)",
    )


def _as_line_errors(issues: list[Issue]) -> list[Any]:
    return [
        {
            "type": PydanticCustomError(
                issue.code, issue.message.replace("{", "{{"), {"rule": "between_fields"}
            ),
            "loc": issue.loc,
            "input": issue.value,
        }
        for issue in issues
    ]


class DeclarationForm(DeclarationShape):
    """An arrival's declaration as submitted: the fields plus the rules between them.

    Validate with :func:`~gridcare.declarations.parse_form` (it passes the
    receipt instant and limits and converts errors); validating directly needs
    ``context={"received_at": ...}``.

    >>> from gridcare.declarations import example_form
    >>> from datetime import datetime
    >>> from gridcare.timeutil import DEFAULT_ZONE, localize
    >>> form = DeclarationForm.model_validate(
    ...     example_form(), context={"received_at": datetime(2022, 3, 20, tzinfo=DEFAULT_ZONE)})
    >>> form.identity.name == "刘晓娟", form.model_dump()["identity"]["name"]
    (True, '刘*娟')
    """

    @model_validator(mode="after")
    def _between_fields(self, info: ValidationInfo) -> Self:
        received_at, max_advance_days, received_on = receipt_context(info.context)
        issues = identity_issues(self.identity, received_on)
        issues += address_issues(self.address)
        issues += leg_issues(self.legs, received_at, max_advance_days)
        if self.stays:
            issues += stay_issues(self.stays)
        health = self.health
        if health.temperatures or health.nat_results:
            issues += health_issues(health, received_at)
        if self.filled_by is FilledBy.PROXY or self.proxy_worker_id is not None:
            issues += filler_issues(self.filled_by, self.proxy_worker_id)
        if issues:
            raise ValidationError.from_exception_data("DeclarationForm", _as_line_errors(issues))
        return self


# --------------------------------------------------------------------------- JSON Schema

#: Rules of the form the JSON Schema cannot state; forms valid against the schema can
#: still be refused by the model with these codes.
NOT_IN_SCHEMA: frozenset[str] = frozenset(
    {
        # between fields, or against the receipt instant
        "leg_arrives_before_departure",
        "legs_out_of_order",
        "legs_overlap",
        "arrival_too_far_ahead",
        "stay_ends_before_start",
        "stays_out_of_order",
        "stays_overlap",
        "temperature_after_receipt",
        "nat_after_receipt",
        "address_empty",
        "born_in_future",
        # the rules of gridcare.text beyond the length (stated as maxLength)
        "control_character",
        "lone_surrogate",
        "bidi_control",
        "not_printable",
        "invisible",
        # check characters, calendars and registers
        "bad_checksum",
        "bad_birth_date",
        "bad_area_code",
        "unknown_province",
        "too_many_segments",
        "bad_datetime",
        # the supported years of an instant (1900 to 2100): a date-time format has no range
        "out_of_range",
    }
)

_SCHEMA_CACHE: dict[str, dict[str, Any]] = {}

# $defs name -> (Chinese title, English title, Chinese description, English description)
_DEF_TEXT: dict[str, tuple[str, str, str, str]] = {
    "IdentityForm": ("身份信息", "Identity", "姓名与证件", "name and identity document"),
    "AddressForm": (
        "现住址",
        "Address in the city",
        "至少填写一项；无法识别的地址转人工分派",
        "give at least one part; an unresolvable address is routed by hand",
    ),
    "OriginForm": ("来源地", "Origin", "区划代码与详细地点", "division code and detail"),
    "LegForm": (
        "行程段",
        "Itinerary leg",
        "火车须填车次，飞机须填航班号；到达晚于出发",
        "trains need a train number, flights a flight number; arrival after departure",
    ),
    "StayForm": ("旅居史", "Stay", "按时间先后、互不重叠", "in order and not overlapping"),
    "TemperatureForm": ("体温", "Temperature reading", "34.0至43.0℃", "34.0 to 43.0 °C"),
    "NatForm": ("核酸检测", "Nucleic-acid test", "采样不晚于申报", "sampled before receipt"),
    "HealthForm": (
        "健康状况",
        "Health",
        "体温、症状、核酸、疫苗",
        "readings, symptoms, NAT, doses",
    ),
    "IdKind": (
        "证件类型",
        "Identity document kind",
        "身份证、护照、通行证",
        "ID card, passport, travel permit",
    ),
    "TravelMode": (
        "交通方式",
        "Mode of travel",
        "火车、飞机、客车、自驾、轮船、其他",
        "train, flight, coach, car, ship, other",
    ),
    "Symptom": ("症状", "Symptom", "可多选", "tick any"),
    "NatOutcome": ("核酸结果", "NAT result", "阴性、阳性、待出", "negative, positive, pending"),
    "CodeColor": ("健康码颜色", "Health code colour", "绿、黄、红", "green, yellow, red"),
    "FilledBy": ("填报人", "Filled in by", "本人或网格员代报", "self, or a grid worker (proxy)"),
}


def declaration_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of :class:`DeclarationForm`, titled in Chinese and English.

    It states every field-level rule and the rules between fields that JSON
    Schema can express (number patterns by mode and by document kind, a proxy
    declaration's worker id); :data:`NOT_IN_SCHEMA` lists the codes of the rules
    it cannot state. A fresh copy is returned on every call.

    >>> schema = declaration_json_schema()
    >>> schema["$schema"]
    'https://json-schema.org/draft/2020-12/schema'
    >>> schema["title"]
    '来(返)株人员申报表 / Arrival declaration form'
    """
    cached = _SCHEMA_CACHE.get("v")
    if cached is None:
        body = DeclarationForm.model_json_schema(mode="validation")
        cached = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://gridcare.invalid/schemas/declaration.json",
            **body,
            "title": _title("来(返)株人员申报表", "Arrival declaration form"),
            "description": "格防码申报：身份、住址、行程、旅居史、健康状况 / Grid prevention code "
            "declaration: identity, address, itinerary, stays, health",
        }
        for key, prop in cached["properties"].items():
            title = DeclarationForm.model_fields[key].title
            if "title" not in prop and title is not None:
                prop["title"] = title  # pydantic drops titles beside a $ref
        for name, definition in cached.get("$defs", {}).items():
            text = _DEF_TEXT.get(name)
            if text is not None:
                definition["title"] = _title(text[0], text[1])
                definition["description"] = _title(text[2], text[3])
            else:
                definition.pop("description", None)
        _SCHEMA_CACHE["v"] = cached
    return copy.deepcopy(cached)
