"""Results as JSON: one cattrs converter for every result type, and JSON Schema from its fields.

Every result a service returns (an assessment, a declaration, a visit, a case,
a daily report row) is a frozen attrs class. This module turns any of them
into JSON-ready data and back, and describes that data as a JSON Schema, with
one set of rules read off the classes' fields and type hints:

* an instant is ISO 8601 text with its UTC offset (``2022-07-01T15:00:00+08:00``);
  the offset is kept, the zone's name is not. Reading it back gives the same
  instant at the same offset: it compares equal to the original, except that
  Python never finds an instant in the repeated hour of a daylight-saving
  change equal to one in another ``tzinfo`` (PEP 495). Asia/Shanghai has had
  no such hour since 1991. Reading refuses a naive instant
  (``naive_datetime``) and a year outside 1900-2100 (``out_of_range``);
* a date is ISO 8601 text (``2022-07-01``), a duration ISO 8601 text of days,
  hours, minutes and seconds (``P1DT2H``, ``PT0S``), a decimal its exact text
  (``"0.95"``), an enumeration its value;
* a tuple or a list is a list; a set is a list in sorted order; a mapping is
  an object (date keys as ISO text; a tuple key, such as a pair of
  categories, as the compact JSON text of its list, ``"[\"low\",\"high\"]"``,
  since an object's keys are texts);
* an attrs class is an object of its fields (a :class:`~gridcare.rates.Rate`
  is ``{"numerator": 1, "denominator": 3, "share": true}``); a division code
  is its text; a pydantic model (a policy's provenance) is its own JSON form;
* personal data is masked unless the caller passes
  :data:`gridcare.masking.REVEAL`: citizen ID and phone numbers (the types),
  and every text field a class marks with :func:`personal`. A masked result
  says so at its top level, ``"masked": true``, and reading such a result
  back raises ``InvalidInput`` code ``masked``: the real values are not in it.

Reading (``from_dict``) checks everything and raises only
:class:`~gridcare.errors.InvalidInput`, listing every problem with its code and
dotted field path (``plan.steps.0.start``), values shown masked as every error
shows them. Unknown keys are refused (``unknown_field``), missing required
ones reported (``missing``).

A class gets ``to_dict``, ``from_dict`` and ``json_schema`` by deriving from
:class:`JsonMixin`; :func:`to_dict`, :func:`from_dict` and :func:`json_schema`
do the same for any attrs class or type.

>>> from gridcare.masking import mask_name
>>> @attrs.frozen
... class Visit(JsonMixin):
...     at: datetime
...     who: str = attrs.field(metadata=personal(mask_name))
>>> from gridcare.timeutil import DEFAULT_ZONE as CST
>>> v = Visit(datetime(2022, 7, 1, 15, tzinfo=CST), "刘晓娟")
>>> v.to_dict()
{'at': '2022-07-01T15:00:00+08:00', 'who': '刘*娟', 'masked': True}
>>> from gridcare.masking import REVEAL
>>> Visit.from_dict(v.to_dict(REVEAL)) == v
True
>>> Visit.from_dict({"at": "2022-07-01T15:00:00", "who": "x"})
Traceback (most recent call last):
...
gridcare.errors.InvalidInput: at: naive datetime: a UTC offset or zone is required [naive_datetime]
"""

from __future__ import annotations

import functools
import json
import math
import re
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import Enum, IntEnum, StrEnum
from types import NoneType, UnionType
from typing import Any, Self, TypeVar, overload

import attrs
import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from pydantic import BaseModel, PlainSerializer, SerializationInfo, ValidationError

from gridcare.codes import AreaCode, CitizenId, PhoneNumber
from gridcare.errors import FieldError, InvalidInput, read_mapping
from gridcare.masking import PERSONAL_MASK_KEY, REVEAL, reveal_requested
from gridcare.timeutil import require_aware, require_day

__all__ = [
    "MASKED_KEY",
    "MAX_DEPTH",
    "JsonMixin",
    "from_dict",
    "holds_personal_data",
    "json_schema",
    "personal",
    "personal_fields",
    "to_dict",
]

#: The key a masked result carries at its top level (``"masked": true``).
MASKED_KEY = "masked"

#: The dialect of the schemas :func:`json_schema` gives.
_DIALECT = "https://json-schema.org/draft/2020-12/schema"


_T = TypeVar("_T")


def personal(mask: Callable[[Any], Any]) -> dict[str, object]:
    """Field metadata marking a field as personal data, masked by ``mask`` unless revealed.

    ``mask`` takes the field's value (never ``None``: that stays ``None``) and gives
    it back masked, in the same shape: a text for a text, a tuple of texts for a
    tuple of texts; the export then writes it as it writes the field's values.

    >>> from gridcare.masking import mask_name
    >>> @attrs.frozen
    ... class Person:
    ...     name: str = attrs.field(metadata=personal(mask_name))
    >>> to_dict(Person("刘晓娟"))
    {'name': '刘*娟', 'masked': True}
    """
    if not callable(mask):
        raise InvalidInput("wrong_type", "mask", "expected a masking function of a text")
    return {PERSONAL_MASK_KEY: mask}


def masked_text(mask: Callable[[str], str]) -> PlainSerializer:
    """A pydantic serializer of a personal text: ``mask`` applied unless the export is given
    :data:`~gridcare.masking.REVEAL` as its context.

    What :func:`personal` is to an attrs field, this is to a pydantic field:
    ``Annotated[str, masked_text(mask_name)]``. Public for the library's models;
    not part of the documented interface.

    >>> from typing import Annotated
    >>> from pydantic import BaseModel
    >>> from gridcare.masking import mask_numbers
    >>> class Note(BaseModel):
    ...     text: Annotated[str, masked_text(mask_numbers)]
    >>> n = Note(text="call 13812345678")
    >>> n.model_dump()["text"], n.model_dump(context=REVEAL)["text"]
    ('call 138****5678', 'call 13812345678')
    """

    def serialize(value: str, info: SerializationInfo) -> str:
        return value if reveal_requested(info.context) else mask(value)

    return PlainSerializer(serialize, return_type=str, when_used="always")


def personal_fields(cls: type) -> tuple[str, ...]:
    """The fields of an attrs class marked :func:`personal`, in order.

    >>> from gridcare.masking import mask_name
    >>> @attrs.frozen
    ... class Person:
    ...     id: str
    ...     name: str = attrs.field(metadata=personal(mask_name))
    >>> personal_fields(Person)
    ('name',)
    """
    if not (isinstance(cls, type) and attrs.has(cls)):
        raise InvalidInput("wrong_type", "cls", "expected an attrs class")
    return tuple(f.name for f in attrs.fields(cls) if _mask_of(f) is not None)


def _mask_of(field: attrs.Attribute[Any]) -> Callable[[Any], Any] | None:
    mask: Callable[[Any], Any] | None = field.metadata.get(PERSONAL_MASK_KEY)
    return mask


# --------------------------------------------------------------------------- type hints


def _hints(cls: type) -> dict[str, Any]:
    """Field name -> resolved type hint of an attrs class (only the fields set at init)."""
    hints = typing.get_type_hints(cls)
    return {f.name: hints.get(f.name, Any) for f in attrs.fields(cls) if f.init}


def _init_fields(cls: type) -> list[attrs.Attribute[Any]]:
    return [f for f in attrs.fields(cls) if f.init]


def _is_union(tp: object) -> bool:
    return typing.get_origin(tp) in (typing.Union, UnionType)


def _is_tuple(tp: object) -> bool:
    return typing.get_origin(tp) is tuple


def _is_set(tp: object) -> bool:
    return typing.get_origin(tp) in (frozenset, set, Set)


def _is_mapping(tp: object) -> bool:
    return typing.get_origin(tp) in (dict, Mapping)


def _is_sequence(tp: object) -> bool:
    return typing.get_origin(tp) in (list, Sequence)


def _is_model(tp: object) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _is_record(tp: object) -> bool:
    """An attrs class read and written field by field (not a scalar with its own text)."""
    return isinstance(tp, type) and attrs.has(tp) and tp not in _SCALARS


def holds_personal_data(tp: object) -> bool:
    """Whether values of ``tp`` can carry personal data (a field marked :func:`personal`,
    a citizen ID or phone number, at any depth).

    >>> from gridcare.rates import Rate
    >>> holds_personal_data(Rate), holds_personal_data(tuple[PhoneNumber, ...])
    (False, True)
    """
    return _holds_personal(_require_hint(tp, "tp"), set())


def _require_hint(tp: object, field: str) -> Any:
    """``tp`` if it is a type or a type hint (``tuple[int, ...]``, ``X | None``)."""
    if tp is None or isinstance(tp, type) or typing.get_origin(tp) is not None:
        return tp
    raise InvalidInput("wrong_type", field, "expected a type", value=type(tp).__name__)


#: The deepest nesting of plain lists and mappings :func:`to_dict` writes.
MAX_DEPTH = 64


def _require_shallow(value: object) -> None:
    """Plain lists, tuples and mappings nested at most :data:`MAX_DEPTH` deep (one walk)."""
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, tuple, set, frozenset)):
            children: Iterable[object] = item
        elif isinstance(item, dict):
            children = item.values()
        else:
            continue
        if depth >= MAX_DEPTH:
            raise InvalidInput("too_deep", "value", f"nested more than {MAX_DEPTH} deep")
        stack.extend((child, depth + 1) for child in children)


@functools.cache
def _marked(cls: Any) -> bool:
    """:func:`holds_personal_data` of a class, worked out once per class."""
    return holds_personal_data(cls)


def _holds_personal(tp: object, seen: set[object]) -> bool:
    if tp in (CitizenId, PhoneNumber):
        return True
    if tp in seen:
        return False
    seen.add(tp)
    if isinstance(tp, type) and _is_record(tp):
        hints = _hints(tp)
        return any(
            _mask_of(f) is not None or _holds_personal(hints[f.name], seen)
            for f in _init_fields(tp)
        )
    return any(_holds_personal(arg, seen) for arg in typing.get_args(tp))


# --------------------------------------------------------------------------- scalar rules


def _problem(code: str, message: str, value: object = None) -> InvalidInput:
    """A problem with the value in hand; its field path is added by the caller that knows it."""
    return InvalidInput(code, "", message, value=value)


_INSTANT_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
    r"([+-][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?|Z)$"
)
_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_INSTANT = re.compile(_INSTANT_PATTERN)
_DATE = re.compile(_DATE_PATTERN)


def _instant_to_text(value: datetime) -> str:
    return value.isoformat()


def _instant_from_text(value: object, _: object = None) -> datetime:
    """An instant from ISO 8601 text with its offset (``YYYY-MM-DDTHH:MM[:SS[.ffffff]]±HH:MM``)."""
    if not isinstance(value, str):
        raise _problem("bad_instant", "expected ISO 8601 text with a UTC offset", value)
    try:
        parsed: datetime | None = datetime.fromisoformat(value)
    except ValueError:
        parsed = None  # refused below, outside the handler: no chained input
    if parsed is None:
        raise _problem("bad_instant", "expected ISO 8601 text with a UTC offset", value)
    require_aware(parsed, "")  # naive, or out of the supported years
    if not _INSTANT.fullmatch(value):  # aware, but not in the extended form the schema states
        raise _problem("bad_instant", "expected ISO 8601 text with a UTC offset", value)
    return parsed


def _date_from_text(value: object, _: object = None) -> date:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise _problem("bad_date", "expected an ISO 8601 date (YYYY-MM-DD)", value)
    try:
        parsed: date | None = date.fromisoformat(value)
    except ValueError:
        parsed = None  # refused below, outside the handler: no chained input
    if parsed is None:
        raise _problem("bad_date", "expected an ISO 8601 date (YYYY-MM-DD)", value)
    return require_day(parsed, "")


_DURATION = re.compile(
    r"^(-)?P(?:([0-9]{1,9})D)?"
    r"(?:T(?:([0-9]{1,9})H)?(?:([0-9]{1,9})M)?(?:([0-9]{1,9})(?:\.([0-9]{1,6}))?S)?)?$"
)
_DURATION_PATTERN = _DURATION.pattern


def _duration_to_text(value: timedelta) -> str:
    """ISO 8601 duration in days, hours, minutes and seconds: ``P1DT2H``, ``-PT30M``, ``PT0S``."""
    sign = "-" if value < timedelta(0) else ""
    whole = -value if sign else value
    hours, rest = divmod(whole.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    clock = ""
    if hours:
        clock += f"{hours}H"
    if minutes:
        clock += f"{minutes}M"
    if seconds or whole.microseconds:
        fraction = f".{whole.microseconds:06d}".rstrip("0") if whole.microseconds else ""
        clock += f"{seconds}{fraction}S"
    days = f"{whole.days}D" if whole.days else ""
    if not days and not clock:
        return "PT0S"
    return f"{sign}P{days}" + (f"T{clock}" if clock else "")


def _duration_from_text(value: object, _: object = None) -> timedelta:
    found = _DURATION.fullmatch(value) if isinstance(value, str) else None
    if found is None or not any(found.group(i) for i in range(2, 6)):
        raise _problem("bad_duration", "expected an ISO 8601 duration such as P1DT2H", value)
    sign, days, hours, minutes, seconds, fraction = found.groups()
    try:
        whole: timedelta | None = timedelta(
            days=int(days or 0),
            hours=int(hours or 0),
            minutes=int(minutes or 0),
            seconds=int(seconds or 0),
            microseconds=int((fraction or "").ljust(6, "0")),
        )
    except OverflowError:
        whole = None  # refused below, outside the handler: no chained input
    if whole is None:
        raise _problem("out_of_range", "duration too long", value)
    return -whole if sign else whole


_DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"
_DECIMAL = re.compile(_DECIMAL_PATTERN)


def _decimal_from_text(value: object, _: object = None) -> Decimal:
    if not isinstance(value, str) or len(value) > 100 or not _DECIMAL.fullmatch(value):
        raise _problem("bad_decimal", 'expected a decimal number as text, such as "0.95"', value)
    try:
        return Decimal(value)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
        raise _problem("bad_decimal", "expected a decimal number as text", value) from None


def _text(value: object, _: object = None) -> str:
    if not isinstance(value, str):
        raise _problem("not_string", f"expected text, got {type(value).__name__}", value)
    return value


#: The largest whole number read (a signed 64-bit integer): what JSON readers agree on.
_MAX_INTEGER = 2**63 - 1


def _integer(value: object, _: object = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _problem("not_integer", f"expected a whole number, got {type(value).__name__}", value)
    if not -_MAX_INTEGER <= value <= _MAX_INTEGER:
        raise _problem("out_of_range", "a whole number beyond 64 bits", value)
    return value


def _number(value: object, _: object = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _problem("not_number", f"expected a number, got {type(value).__name__}", value)
    try:
        number = float(value)
    except OverflowError:
        number = math.inf  # refused below, outside the handler: no chained input
    if not math.isfinite(number):  # NaN and infinities are no JSON numbers
        raise _problem("not_number", "expected a finite number", value)
    return number


def _flag(value: object, _: object = None) -> bool:
    if not isinstance(value, bool):
        raise _problem("not_bool", f"expected true or false, got {type(value).__name__}", value)
    return value


def _choice(value: object, cls: type[Enum]) -> Enum:
    kinds = {type(member.value) for member in cls}
    if type(value) in kinds:
        try:
            return cls(value)
        except (ValueError, InvalidInput):
            pass
    allowed = ", ".join(str(member.value) for member in cls)
    raise _problem("unknown_choice", f"not one of: {allowed}", value)


def _choice_value(value: Enum) -> object:
    return value.value


def _coded(parse: Callable[[str], _T], masked_when: Callable[[str], bool]) -> Callable[..., _T]:
    """The structure hook of a value type written as text: its own parser, its own errors."""

    def structure(value: object, _: object = None) -> _T:
        if not isinstance(value, str):
            raise _problem("not_string", f"expected text, got {type(value).__name__}", value)
        if masked_when(value):
            raise _problem("masked", "a masked value cannot be read back: ask with REVEAL", value)
        try:
            return parse(value)
        except InvalidInput as exc:
            raise InvalidInput.collect(
                FieldError(e.code, "", e.message, e.value) for e in exc.errors
            ) from None

    return structure


def _has_star(text: str) -> bool:
    return "*" in text


def _never(text: str) -> bool:
    return False


_SCALARS: dict[type, Callable[..., object]] = {
    CitizenId: _coded(CitizenId.parse, _has_star),
    PhoneNumber: _coded(PhoneNumber.parse, _has_star),
    AreaCode: _coded(AreaCode.parse, _never),
}


def _text_or_record(tp: object) -> tuple[type, type] | None:
    """For a union of one type written as text (a citizen ID) and one attrs record (an
    identity document), optionally ``None``: the two, text first; else ``None``."""
    if not _is_union(tp):
        return None
    members = [member for member in typing.get_args(tp) if member is not NoneType]
    texts = [member for member in members if member in _SCALARS]
    records = [m for m in members if isinstance(m, type) and attrs.has(m) and m not in _SCALARS]
    if len(members) == 2 and len(texts) == 1 and len(records) == 1:
        return texts[0], records[0]
    return None


def _text_or_record_structurer(converter: cattrs.Converter, tp: Any) -> Callable[..., Any]:
    """A union of a text type and a record (see :func:`_text_or_record`), read by its JSON
    shape: a text is the text type, an object the record. (cattrs tells records apart by
    their keys, and refused the text.)"""
    found = _text_or_record(tp)
    assert found is not None  # the factory's predicate chose this union
    text_type, record_type = found
    optional = NoneType in typing.get_args(tp)
    text_hook = converter.get_structure_hook(text_type)
    record_hook = converter.get_structure_hook(record_type)

    def structure(value: object, _: object = None) -> Any:
        if value is None and optional:
            return None
        if isinstance(value, str):
            return text_hook(value, text_type)
        if isinstance(value, Mapping):
            return record_hook(value, record_type)
        raise _problem(
            "wrong_type", f"expected text or an object, got {type(value).__name__}", value
        )

    return structure


# --------------------------------------------------------------------------- structuring


def _collect(exc: BaseException, path: str, out: list[FieldError]) -> None:
    """Every problem inside ``exc`` as field errors under ``path``; a bug is re-raised."""
    if isinstance(exc, InvalidInput):
        out.extend(exc.within(path).errors if path else exc.errors)
    elif isinstance(exc, ForbiddenExtraKeysError):
        for key in sorted(map(_key_text, exc.extra_fields)):
            out.append(FieldError("unknown_field", _join(path, key), "not a field of this object"))
    elif isinstance(exc, ClassValidationError | IterableValidationError):
        with_notes, without_notes = exc.group_exceptions()
        for inner, note in with_notes:
            if isinstance(note, AttributeValidationNote):
                step = note.name
            elif isinstance(note, IterableValidationNote):
                step = str(note.index)
            else:  # pragma: no cover - cattrs gives one of the two
                step = ""
            _collect(inner, _join(path, step), out)
        for inner in without_notes:
            _collect(inner, path, out)
    elif isinstance(exc, KeyError):
        out.append(FieldError("missing", path, "required"))
    elif isinstance(exc, TypeError | ValueError | OverflowError):
        out.append(FieldError("invalid", path, "not a valid value here"))
    else:  # anything else escaping a hook is a bug: let it show
        raise exc


def _key_items(key: object) -> object:
    """A tuple key read back: the JSON text of its list (see :func:`to_dict`)."""
    if not isinstance(key, str):
        return key  # the key's own hook says what is wrong with it
    try:
        items = json.loads(key)
    except ValueError:
        items = None
    if not isinstance(items, list):
        raise _problem("bad_key", "expected the JSON text of a list of the key's items", key)
    return items


def _key_text(key: object) -> str:
    """A key as a field path shows it: text as it is, anything else by its type."""
    return key if isinstance(key, str) else f"<{type(key).__name__}>"


def _join(path: str, step: str) -> str:
    if not step:
        return path
    return f"{path}.{step}" if path else step


def _items_structurer(converter: cattrs.Converter, tp: Any) -> Callable[[object, Any], Any]:
    """Tuples, lists and sets: a JSON list, each item read by the item type."""
    args = typing.get_args(tp)
    fixed = _is_tuple(tp) and not (len(args) == 2 and args[1] is Ellipsis)
    if fixed:
        hooks = [converter.get_structure_hook(a) for a in args]
        item_types: list[Any] = list(args)
    else:
        item = args[0] if args else Any
        hooks = [converter.get_structure_hook(item)]
        item_types = [item]
    make: Callable[[list[Any]], Any] = frozenset if _is_set(tp) else tuple
    if _is_sequence(tp):
        make = list

    def structure(value: object, _: object = None) -> Any:
        if not isinstance(value, list | tuple):
            raise _problem("not_list", f"expected a list, got {type(value).__name__}", value)
        if fixed and len(value) != len(hooks):
            raise _problem("bad_length", f"expected a list of {len(hooks)} items", value)
        out: list[Any] = []
        errors: list[FieldError] = []
        for i, item_value in enumerate(value):
            k = i if fixed else 0
            try:
                out.append(hooks[k](item_value, item_types[k]))
            except Exception as exc:
                _collect(exc, str(i), errors)
        if errors:
            raise InvalidInput.collect(errors)
        return make(out)

    return structure


def _mapping_structurer(converter: cattrs.Converter, tp: Any) -> Callable[[object, Any], Any]:
    """A JSON object, keys and values read by the key and value types."""
    args = typing.get_args(tp)
    key_type, value_type = args if len(args) == 2 else (str, Any)
    key_hook = converter.get_structure_hook(key_type)
    value_hook = converter.get_structure_hook(value_type)
    tuple_keys = _is_tuple(key_type)

    def structure(value: object, _: object = None) -> dict[Any, Any]:
        if not isinstance(value, Mapping):
            raise _problem("not_mapping", f"expected an object, got {type(value).__name__}", value)
        out: dict[Any, Any] = {}
        errors: list[FieldError] = []
        for raw_key, raw_value in read_mapping(value, "").items():
            where = _key_text(raw_key)
            try:
                key = key_hook(_key_items(raw_key) if tuple_keys else raw_key, key_type)
                out[key] = value_hook(raw_value, value_type)
            except Exception as exc:
                _collect(exc, where, errors)
        if errors:
            raise InvalidInput.collect(errors)
        return out

    return structure


def _record_structurer(converter: cattrs.Converter, cls: type) -> Callable[[object, Any], Any]:
    """An attrs class from a JSON object: cattrs' generated reader, after the checks around it."""
    build: Callable[[Mapping[str, Any], Any], Any] = make_dict_structure_fn(
        cls, converter, _cattrs_forbid_extra_keys=True, _cattrs_detailed_validation=True
    )
    marks = _marked(cls)

    def structure(value: object, _: object = None) -> Any:
        if not isinstance(value, Mapping):
            raise _problem("not_mapping", f"expected an object, got {type(value).__name__}", value)
        value = read_mapping(value, "")
        if marks and MASKED_KEY in value:
            if value[MASKED_KEY] is True:
                raise InvalidInput(
                    "masked",
                    MASKED_KEY,
                    "a masked result cannot be read back: export it with REVEAL",
                )
            raise InvalidInput("not_bool", MASKED_KEY, "only ever true", value=value[MASKED_KEY])
        if marks:
            value = {k: v for k, v in value.items() if k != MASKED_KEY}
        return build(value, cls)

    return structure


_PYDANTIC_PROBLEMS = {
    "missing": ("missing", "required"),
    "extra_forbidden": ("unknown_field", "not a field of this object"),
}


def _model_structurer(cls: type[BaseModel]) -> Callable[[object, Any], Any]:
    """A pydantic model (a policy's provenance) from its JSON form, errors as field errors."""

    def structure(value: object, _: object = None) -> Any:
        if not isinstance(value, Mapping):
            raise _problem("not_mapping", f"expected an object, got {type(value).__name__}", value)
        try:
            return cls.model_validate(value)
        except ValidationError as exc:
            errors = []
            for e in exc.errors():
                code, message = _PYDANTIC_PROBLEMS.get(e["type"], ("invalid", e["msg"]))
                where = ".".join(str(p) for p in e["loc"])
                errors.append(FieldError(code, where, message, e.get("input")))
        raise InvalidInput.collect(errors)  # outside the handler: no chained input

    return structure


# --------------------------------------------------------------------------- unstructuring


def _items_unstructurer(converter: cattrs.Converter) -> Callable[[Any], Any]:
    """A list of the items; a set's in sorted order, so equal sets write equal lists."""

    def unstructure(value: Iterable[Any]) -> list[Any]:
        out = [converter.unstructure(item) for item in value]
        if isinstance(value, Set):
            try:
                out.sort()
            except TypeError:
                out.sort(key=repr)
        return out

    return unstructure


def _mapping_unstructurer(converter: cattrs.Converter) -> Callable[[Any], Any]:
    """An object of the unstructured keys and values (a date key as ISO text)."""

    def unstructure(value: Mapping[Any, Any]) -> dict[Any, Any]:
        return {
            _object_key(converter.unstructure(k)): converter.unstructure(v)
            for k, v in value.items()
        }

    return unstructure


def _object_key(key: Any) -> Any:
    """A key as a JSON object holds it: a list (a tuple key) as its compact JSON text."""
    if isinstance(key, list):
        return json.dumps(key, ensure_ascii=False, separators=(",", ":"))
    return key


def _record_unstructurer(
    converter: cattrs.Converter, cls: type, *, reveal: bool
) -> Callable[[Any], Any]:
    overrides: dict[str, Any] = {}
    if not reveal:
        for field in _init_fields(cls):
            mask = _mask_of(field)
            if mask is not None:
                overrides[field.name] = override(unstruct_hook=_masking(converter, mask))
    hook: Callable[[Any], Any] = make_dict_unstructure_fn(cls, converter, **overrides)
    return hook


def _masking(converter: cattrs.Converter, mask: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A field's export: its value masked, then written as the field's values are."""

    def masked(value: Any) -> Any:
        if value is None:
            return None
        shown = mask(value)
        # A masked text is written as it is (most personal fields, millions in a city's
        # export); a tuple of texts, or of names and instants, as the field's values are.
        return shown if type(shown) is str else converter.unstructure(shown)

    return masked


def _model_unstructurer(*, reveal: bool) -> Callable[[BaseModel], Any]:
    context = REVEAL if reveal else None

    def unstructure(value: BaseModel) -> Any:
        return value.model_dump(mode="json", context=context)

    return unstructure


def _as_is(value: object) -> object:
    return value


def _no_json_form(tp: Any) -> Callable[[Any], Any]:
    """What writing a value of a type without a JSON form does: refuse, naming the type."""
    name = getattr(tp, "__name__", None) or str(tp)

    def refuse(value: object) -> Any:
        raise InvalidInput("not_serializable", "value", f"no JSON form for {name}")

    return refuse


def _converter(*, reveal: bool) -> cattrs.Converter:
    """The converter: the same rules for reading, and for writing masked or revealed."""
    conv = cattrs.Converter(
        forbid_extra_keys=True,
        detailed_validation=True,
        unstructure_fallback_factory=_no_json_form,
    )
    for plain in (str, int, float, bool, NoneType):
        conv.register_unstructure_hook(plain, _as_is)
    conv.register_unstructure_hook(bytes, _no_json_form(bytes))
    for cls, parse in _SCALARS.items():
        conv.register_structure_hook(cls, parse)
    if reveal:
        conv.register_unstructure_hook(CitizenId, lambda v: v.number)
        conv.register_unstructure_hook(PhoneNumber, lambda v: v.number)
    else:
        conv.register_unstructure_hook(CitizenId, lambda v: v.masked())
        conv.register_unstructure_hook(PhoneNumber, lambda v: v.masked())
    conv.register_unstructure_hook(AreaCode, str)
    conv.register_structure_hook(datetime, _instant_from_text)
    conv.register_unstructure_hook(datetime, _instant_to_text)
    conv.register_structure_hook(date, _date_from_text)
    conv.register_unstructure_hook(date, date.isoformat)
    conv.register_structure_hook(timedelta, _duration_from_text)
    conv.register_unstructure_hook(timedelta, _duration_to_text)
    conv.register_structure_hook(Decimal, _decimal_from_text)
    conv.register_unstructure_hook(Decimal, str)
    conv.register_structure_hook(str, _text)
    conv.register_structure_hook(int, _integer)
    conv.register_structure_hook(float, _number)
    conv.register_structure_hook(bool, _flag)
    # By class, and each kind of enumeration by name: cattrs asks the classes
    # first, and a text enumeration would otherwise be found as text.
    for kind in (Enum, StrEnum, IntEnum):
        conv.register_structure_hook(kind, _choice)
        conv.register_unstructure_hook(kind, _choice_value)
    conv.register_structure_hook_factory(_is_model, _model_structurer)
    conv.register_unstructure_hook_func(_is_model, _model_unstructurer(reveal=reveal))
    conv.register_structure_hook_factory(
        lambda t: _is_tuple(t) or _is_set(t) or _is_sequence(t),
        lambda t: _items_structurer(conv, t),
    )
    conv.register_unstructure_hook_factory(
        lambda t: _is_tuple(t) or _is_set(t) or _is_sequence(t),
        lambda t: _items_unstructurer(conv),
    )
    conv.register_unstructure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, tuple | list | frozenset | set),
        _items_unstructurer(conv),
    )
    conv.register_structure_hook_factory(_is_mapping, lambda t: _mapping_structurer(conv, t))
    conv.register_structure_hook_factory(
        lambda t: _text_or_record(t) is not None, lambda t: _text_or_record_structurer(conv, t)
    )
    conv.register_unstructure_hook_factory(_is_mapping, lambda t: _mapping_unstructurer(conv))
    conv.register_unstructure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, dict), _mapping_unstructurer(conv)
    )
    conv.register_structure_hook_factory(_is_record, lambda t: _record_structurer(conv, t))
    conv.register_unstructure_hook_factory(
        _is_record, lambda t: _record_unstructurer(conv, t, reveal=reveal)
    )
    return conv


# Two instances of the one configuration: cattrs hooks take no context, so the
# revealing one is a second converter rather than a flag read while writing.
_MASKED = _converter(reveal=False)
_REVEALED = _converter(reveal=True)


# --------------------------------------------------------------------------- the entry points


def to_dict(value: object, context: object = None) -> Any:
    """``value`` as JSON-ready data: personal data masked unless ``context`` is ``REVEAL``.

    A masked result of a type that can hold personal data carries
    ``"masked": true`` at its top level.

    >>> from gridcare.rates import Rate
    >>> to_dict(Rate(1, 3))
    {'numerator': 1, 'denominator': 3, 'share': True}
    >>> to_dict({date(2022, 3, 27): timedelta(hours=36)})
    {'2022-03-27': 'P1DT12H'}
    """
    reveal = reveal_requested(context)
    if isinstance(value, Mapping):
        value = read_mapping(value, "value")
    _require_shallow(value)
    data = (_REVEALED if reveal else _MASKED).unstructure(value)
    kind: Any = type(value)
    if not reveal and isinstance(data, dict) and _marked(kind):
        data[MASKED_KEY] = True
    return data


@overload
def from_dict(cls: type[_T], data: object, *, name: str | None = None) -> _T: ...
@overload
def from_dict(cls: Any, data: object, *, name: str | None = None) -> Any: ...
def from_dict(cls: Any, data: object, *, name: str | None = None) -> Any:
    """Read ``data`` (JSON-ready, as :func:`to_dict` writes it) as a value of ``cls``.

    Every problem is reported at once in one ``InvalidInput``, each with its
    code and dotted field path; a problem with the whole input is reported at
    ``name`` (by default the type's name).

    >>> from gridcare.rates import Rate
    >>> from_dict(Rate, {"numerator": 1, "denominator": 3}) == Rate(1, 3)
    True
    >>> from_dict(Rate, {"numerator": "1", "denominator": 3, "ratio": 2})
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: 2 problems: numerator: expected a whole number, got str [not_integer]; ratio: not a field of this object [unknown_field]
    """  # noqa: E501
    if cls is None:  # a hint for "nothing" inside a union, but nothing to read as
        raise InvalidInput("wrong_type", "cls", "expected a type", value="NoneType")
    cls = _require_hint(cls, "cls")
    if name is None:
        name = str(getattr(cls, "__name__", None) or cls)
    elif not isinstance(name, str):
        raise InvalidInput("not_string", "name", "expected a field name", value=name)
    try:
        hook = _REVEALED.get_structure_hook(cls)
    except cattrs.errors.StructureHandlerNotFoundError:
        hook = None  # refused below, outside the handler: no chained input
    if hook is None:
        raise InvalidInput("not_serializable", "cls", f"no JSON form for {name}")
    errors: list[FieldError] = []
    try:
        return hook(data, cls)
    except Exception as exc:
        _collect(exc, "", errors)
    raise InvalidInput.collect(
        FieldError(e.code, e.field or name, e.message, e.value) for e in errors
    ) from None


# --------------------------------------------------------------------------- JSON Schema


_PLAIN: dict[object, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
    NoneType: {"type": "null"},
    datetime: {
        "type": "string",
        "format": "date-time",
        "pattern": _INSTANT_PATTERN,
        "description": "ISO 8601 instant with its UTC offset",
    },
    date: {"type": "string", "format": "date", "pattern": _DATE_PATTERN},
    timedelta: {
        "type": "string",
        "pattern": _DURATION_PATTERN,
        "description": "ISO 8601 duration in days, hours, minutes and seconds",
    },
    Decimal: {"type": "string", "pattern": _DECIMAL_PATTERN, "description": "exact decimal"},
    CitizenId: {
        "type": "string",
        "description": "citizen ID number; masked (430211********0022) unless revealed",
    },
    PhoneNumber: {
        "type": "string",
        "description": "mobile number; masked (138****5678) unless revealed",
    },
    AreaCode: {"type": "string", "pattern": AreaCode.JSON_PATTERN, "description": "division code"},
}


class _SchemaWalk:
    """One walk over type hints, collecting a definition per class and enumeration."""

    def __init__(self) -> None:
        self.defs: dict[str, dict[str, Any]] = {}
        self.names: dict[object, str] = {}

    def ref(self, tp: type) -> dict[str, Any]:
        name = self.names.get(tp)
        if name is None:
            name = tp.__name__
            n = 2
            while name in self.defs:
                name = f"{tp.__name__}_{n}"
                n += 1
            self.names[tp] = name
            self.defs[name] = {}  # reserved first, so a class that refers to itself ends
            self.defs[name] = self.define(tp)
        return {"$ref": f"#/$defs/{name}"}

    def define(self, tp: type) -> dict[str, Any]:
        doc = (tp.__doc__ or "").strip().split("\n\n")[0]
        title = {"title": tp.__name__, "description": " ".join(doc.split())}
        if issubclass(tp, Enum):
            values = [member.value for member in tp]
            kinds = {type(v) for v in values}
            plain = {"type": "string"} if kinds == {str} else {}
            return {**title, **plain, "enum": values}
        if issubclass(tp, BaseModel):
            found = tp.model_json_schema(ref_template="#/$defs/{model}")
            for key, value in found.pop("$defs", {}).items():
                self.defs.setdefault(key, value)
            return found
        hints = _hints(tp)
        properties: dict[str, Any] = {}
        required: list[str] = []
        for field in _init_fields(tp):
            schema = self.schema(hints[field.name])
            if _mask_of(field) is not None:
                schema = {**schema, "description": "personal data: masked unless revealed"}
            if field.default is attrs.NOTHING:
                required.append(field.name)
            elif not isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
                schema = {**schema, "default": _REVEALED.unstructure(field.default)}
            properties[field.name] = schema
        if holds_personal_data(tp):
            properties[MASKED_KEY] = {
                "const": True,
                "description": "present, and true, when personal data is masked",
            }
        return {
            **title,
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        }

    def schema(self, tp: Any) -> dict[str, Any]:
        if tp is Any or tp is object:
            return {}
        plain = _PLAIN.get(tp)
        if plain is not None:
            return dict(plain)
        if _is_union(tp):
            return {"anyOf": [self.schema(arg) for arg in typing.get_args(tp)]}
        if isinstance(tp, type) and (issubclass(tp, Enum | BaseModel) or attrs.has(tp)):
            return self.ref(tp)
        args = typing.get_args(tp)
        if _is_tuple(tp) and not (len(args) == 2 and args[1] is Ellipsis):
            items = [self.schema(arg) for arg in args]
            return {
                "type": "array",
                "prefixItems": items,
                "items": False,
                "minItems": len(items),
                "maxItems": len(items),
            }
        if _is_tuple(tp) or _is_set(tp) or _is_sequence(tp):
            found: dict[str, Any] = {
                "type": "array",
                "items": self.schema(args[0] if args else Any),
            }
            if _is_set(tp):
                found["uniqueItems"] = True
            return found
        if _is_mapping(tp):
            key, value = args if len(args) == 2 else (str, Any)
            found = {"type": "object", "additionalProperties": self.schema(value)}
            if _is_tuple(key):  # the JSON text of the key's items
                found["propertyNames"] = {"pattern": "^\\[.*\\]$"}
            elif key is not str:
                keys = self.schema(key)
                found["propertyNames"] = {k: v for k, v in keys.items() if k != "type"}
            return found
        raise InvalidInput("not_serializable", "cls", f"no JSON Schema for {tp!r}")


def json_schema(cls: Any) -> dict[str, Any]:
    """The JSON Schema (2020-12) of what :func:`to_dict` writes for ``cls``, from its type hints.

    Masked and revealed results both validate against it; required are the
    fields without a default, and no other key is allowed.

    >>> from gridcare.rates import Rate
    >>> schema = json_schema(Rate)
    >>> schema["$ref"], schema["$defs"]["Rate"]["required"]
    ('#/$defs/Rate', ['numerator', 'denominator'])
    """
    walk = _SchemaWalk()
    top = walk.schema(_require_hint(cls, "cls"))
    out: dict[str, Any] = {"$schema": _DIALECT}
    name = getattr(cls, "__name__", None)
    if isinstance(name, str) and "$ref" not in top:
        out["title"] = name
    out.update(top)
    if walk.defs:
        out["$defs"] = walk.defs
    return out


class JsonMixin:
    """Gives an attrs result class ``to_dict``, ``from_dict`` and ``json_schema``, all through
    the one converter of this module.

    >>> from gridcare.timeutil import DEFAULT_ZONE as CST
    >>> @attrs.frozen
    ... class Seen(JsonMixin):
    ...     at: datetime
    >>> Seen.from_dict({"at": "2022-07-01T15:00:00+08:00"}).at.hour
    15
    >>> Seen.json_schema()["$defs"]["Seen"]["required"]
    ['at']
    """

    __slots__ = ()

    def to_dict(self, context: object = None) -> dict[str, Any]:
        """This value as JSON-ready data; personal data masked unless ``context`` is ``REVEAL``."""
        data: dict[str, Any] = to_dict(self, context)
        return data

    @classmethod
    def from_dict(cls, data: object) -> Self:
        """Read a value from :meth:`to_dict` output (revealed); ``InvalidInput`` otherwise."""
        return from_dict(cls, data)

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        """The JSON Schema of :meth:`to_dict` output."""
        return json_schema(cls)
