"""The exception tree of gridcare.

Every error the library raises on purpose derives from :class:`GridcareError`.
Any other exception escaping a public function is a bug.

::

    GridcareError
    ├── InvalidInput (also ValueError)   bad input: stable code, field path, masked value
    ├── IllegalTransition                a state machine refused an event
    ├── OutOfScope (also PermissionError) a principal read outside its subtree
    ├── UnknownNode (also LookupError)   a node id the hierarchy does not hold
    └── PolicyError (also ValueError)    a policy that contradicts itself

>>> try:
...     raise InvalidInput("bad_length", "citizen_id", "expected 18 characters", value="1234")
... except ValueError as exc:
...     (exc.code, exc.field)
('bad_length', 'citizen_id')

No chained input: an error raised because another library refused the
input (pydantic's ``ValidationError``, a parser's ``ValueError``, a lookup's
``KeyError``) is raised outside the handler that caught it, so that it
carries no ``__context__`` or ``__cause__``. Those exceptions hold the raw
input (pydantic's errors hold each value, ``datetime.fromisoformat`` quotes
its text), which the error itself shows masked, and a caller, a logger or an
error tracker can read a chained exception even where a printed traceback
leaves it out.

>>> from gridcare.serial import from_dict
>>> from gridcare.visits import Campaign
>>> try:
...     from_dict(Campaign, {"start": "13812345678"})
... except InvalidInput as exc:
...     exc.__context__ is None, "13812345678" in str(exc)
(True, False)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import EnumType, StrEnum
from fractions import Fraction
from typing import Any, TypeVar

import attrs

from gridcare.masking import mask_numbers, masked_field_reprs

__all__ = [
    "MAX_SHOWN",
    "Choice",
    "FieldError",
    "GridcareError",
    "IllegalTransition",
    "InvalidInput",
    "OutOfScope",
    "PolicyError",
    "UnknownNode",
    "require_callable",
    "require_finite",
    "require_flag",
    "require_instance",
    "require_int",
    "require_items",
    "safe_text",
    "safe_value",
]

#: The most characters an error shows of a value, a field path or a message.
MAX_SHOWN = 120

_MAX_MESSAGE = 400

#: Whole numbers shorter than this many digits are shown as they are.
_PLAIN_INT_LIMIT = 10**10


#: More than the characters one number the masks look for can span, its marks included: an
#: ID number's 18 characters in at most six pieces, joined by at most 16 marks each (98). A
#: run of digits joined by separators alone is masked whatever its length, keeping only its
#: first and last digits, which lie beyond the cut when the run crosses it.
_NUMBER_SPAN = 200


def safe_text(text: str, limit: int = MAX_SHOWN) -> str:
    """``text`` as an error may show it: digit runs masked, at most ``limit`` characters
    of it, no character that does not print.

    A run of digits long enough to be a phone or ID number is masked
    (:func:`gridcare.masking.mask_numbers`); a longer text is cut and ends in
    ``...`` (also once escaped, so that what it gives is given back
    unchanged). Every character that does not print (``str.isprintable``: all
    but the plain space among the spaces) is shown as its code point in
    hexadecimal between braces (``\\u{1b}``, ``\\u{202e}``): C0 and C1
    controls (ESC, NUL, DEL, tab ...), line and paragraph separators,
    zero-width and bidirectional format characters, other spaces, lone
    surrogates, private use and unassigned code points. So the text always
    encodes, cannot restyle a terminal or reorder a log line, hides nothing
    between two digits, and ``repr`` has nothing left to escape; no escape's
    digits run on into the digits after it (the closing brace ends them).

    >>> safe_text("call 13812345678")
    'call 138****5678'
    >>> len(safe_text("x" * 10_000))
    120
    >>> print(safe_text("\\x1b[31mred\\u202e"))
    \\u{1b}[31mred\\u{202e}
    >>> safe_text(13812345678)
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: text: expected str, got int [wrong_type]
    """
    require_instance(text, str, "text")
    require_int(limit, "limit", low=3)
    if len(text) > limit:
        # Masked before it is cut, so that a number the cut splits is masked whole (what
        # the cut left of it would be too short to read as one). A number and what joins
        # its groups span less than _NUMBER_SPAN characters: masking that much is enough.
        text = mask_numbers(text[: limit + _NUMBER_SPAN])[: limit - 3] + "..."
    shown = mask_numbers(text)
    if shown.isprintable():
        return shown
    shown = "".join(_shown_char(ch) for ch in shown)
    if len(shown) > limit:  # the escapes lengthened it: cut again, and mask what the cut left
        shown = mask_numbers(shown[: limit - 3] + "...")
    return shown


def _shown_text(value: object) -> str:
    """A code, field path or message as an error keeps it (text expected, anything survives)."""
    if isinstance(value, str):
        return safe_text(value, _MAX_MESSAGE)
    return str(safe_value(value))


def _shown_char(ch: str) -> str:
    """``ch`` as an error shows it: as it is if it prints, else its escape."""
    return ch if ch.isprintable() else f"\\u{{{ord(ch):x}}}"


def safe_value(value: object) -> object:
    """What an error keeps of a value it was given: never personal data, never unbounded.

    ``None``, booleans, small whole numbers, dates and times are kept. Text is
    kept with digit runs masked and cut to :data:`MAX_SHOWN` characters
    (:func:`safe_text`); a large whole number or a decimal is shown the same
    way as text; anything else (a list, a mapping, an object) is described by
    its type and size only, so a deep or huge value costs nothing to show.

    >>> safe_value(13812345678), safe_value("13812345678"), safe_value(7)
    ('138****5678', '138****5678', 7)
    >>> safe_value([[1, 2], 3])
    '<list of 2 items>'
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        shown = safe_text(value)
        return value if shown == value else shown
    if isinstance(value, int):
        if -_PLAIN_INT_LIMIT < value < _PLAIN_INT_LIMIT:
            return value
        if value.bit_length() > 400:
            return f"<int of {value.bit_length()} bits>"
        return safe_text(str(int(value)))
    if isinstance(value, (date, time, timedelta)):
        return value
    if isinstance(value, float):
        return safe_text(repr(value))
    if isinstance(value, Decimal):
        return safe_text(str(value))
    name = safe_text(type(value).__name__, 40)
    if isinstance(value, (list, tuple, dict, set, frozenset, bytes, bytearray)):
        return f"<{name} of {len(value)} items>"
    return f"<{name}>"


class GridcareError(Exception):
    """Base class of every error gridcare raises on purpose.

    >>> issubclass(InvalidInput, GridcareError)
    True
    """


@attrs.frozen(field_transformer=masked_field_reprs)
class FieldError:
    """One problem with one field of one input.

    ``field`` is a dotted path (``"legs.0.arrival"``). Whatever ``value`` was
    given, the error keeps only :func:`safe_value` of it: digit runs that may
    be phone or ID numbers masked, text cut to :data:`MAX_SHOWN` characters,
    containers described by type and size. Code, field and message are cut
    and masked the same way.

    >>> FieldError("bad_phone", "tel", "not a phone", 13812345678).value
    '138****5678'

    >>> str(FieldError("bad_checksum", "citizen_id", "check character mismatch", "4302**"))
    'citizen_id: check character mismatch [bad_checksum]'
    """

    code: str = attrs.field(converter=_shown_text)
    field: str = attrs.field(converter=_shown_text)
    message: str = attrs.field(converter=_shown_text)
    value: object = attrs.field(default=None, converter=safe_value)

    def __str__(self) -> str:
        where = self.field or "<input>"
        return f"{where}: {self.message} [{self.code}]"


class InvalidInput(GridcareError, ValueError):
    """Bad input: a stable ``code``, the ``field`` path and a masked ``value``.

    When several problems were found at once (bulk validation, a whole form),
    ``errors`` lists every one; ``code``, ``field`` and ``value`` are those of
    the first.

    >>> err = InvalidInput.collect([
    ...     FieldError("missing", "name", "required"),
    ...     FieldError("bad_length", "phone", "expected 11 digits", "138****"),
    ... ])
    >>> err.code, len(err.errors)
    ('missing', 2)
    """

    code: str
    field: str
    value: object
    errors: tuple[FieldError, ...]

    def __init__(
        self,
        code: str,
        field: str,
        message: str,
        *,
        value: object = None,
        errors: Sequence[FieldError] = (),
    ) -> None:
        first = FieldError(code, field, message, value)
        self.code = first.code
        self.field = first.field
        self.value = first.value
        self.message = first.message
        self.errors = tuple(require_items(errors, FieldError, "errors")) or (first,)
        if len(self.errors) == 1:
            text = str(self.errors[0])
        else:
            text = f"{len(self.errors)} problems: " + "; ".join(str(e) for e in self.errors)
        super().__init__(text)

    @classmethod
    def collect(cls, errors: Iterable[FieldError]) -> InvalidInput:
        """One exception carrying several field errors (at least one).

        >>> InvalidInput.collect([FieldError("missing", "name", "required")]).field
        'name'
        """
        found = tuple(errors)
        if not found:
            raise ValueError("InvalidInput.collect needs at least one FieldError")
        head = found[0]
        return cls(head.code, head.field, head.message, value=head.value, errors=found)

    def within(self, prefix: str) -> InvalidInput:
        """The same errors with their field paths placed under ``prefix``.

        >>> InvalidInput("missing", "name", "required").within("rows.3").field
        'rows.3.name'
        """
        moved = [
            FieldError(e.code, f"{prefix}.{e.field}" if e.field else prefix, e.message, e.value)
            for e in self.errors
        ]
        return InvalidInput.collect(moved)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_invalid_input, (self.errors,))


def _rebuild_invalid_input(errors: tuple[FieldError, ...]) -> InvalidInput:
    return InvalidInput.collect(errors)


class IllegalTransition(GridcareError):
    """A state machine refused an event in the current state.

    >>> str(IllegalTransition("verified", "submit", machine="declaration"))
    "declaration: event 'submit' is not allowed in state 'verified'"
    """

    def __init__(self, state: str, event: str, *, machine: str = "", detail: str = "") -> None:
        # Like every error, it keeps only the safe form of what it was given.
        self.state = _shown_text(state)
        self.event = _shown_text(event)
        self.machine = _shown_text(machine)
        self.detail = _shown_text(detail)
        prefix = f"{self.machine}: " if self.machine else ""
        suffix = f" ({self.detail})" if self.detail else ""
        super().__init__(
            f"{prefix}event {self.event!r} is not allowed in state {self.state!r}{suffix}"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild_illegal,
            (self.state, self.event, self.machine, self.detail),
        )


def _rebuild_illegal(state: str, event: str, machine: str, detail: str) -> IllegalTransition:
    return IllegalTransition(state, event, machine=machine, detail=detail)


class OutOfScope(GridcareError, PermissionError):
    """A principal asked for a record outside the subtree it is assigned to.

    >>> print(OutOfScope("worker W1", "430211001001-G02"))
    worker W1 may not read 430211001001-G02: outside its assigned subtree
    """

    def __init__(self, principal: str, node_id: str) -> None:
        self.principal = _shown_text(principal)
        self.node_id = _shown_text(node_id)
        super().__init__(
            f"{self.principal} may not read {self.node_id}: outside its assigned subtree"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (OutOfScope, (self.principal, self.node_id))


class UnknownNode(GridcareError, LookupError):
    """A node id the hierarchy does not hold.

    >>> str(UnknownNode("G-404"))
    "unknown node 'G-404'"
    """

    def __init__(self, node_id: object) -> None:
        self.node_id = safe_value(node_id)
        super().__init__(self.__str__())

    def __str__(self) -> str:  # LookupError would quote the whole message again
        return f"unknown node {self.node_id!r}"

    def __reduce__(self) -> tuple[Any, ...]:
        return (UnknownNode, (self.node_id,))


class PolicyError(GridcareError, ValueError):
    """A policy that contradicts itself, naming where (``where``) and what (``problem``).

    >>> str(PolicyError("categories.high_risk_area.steps.1", "overlaps the previous step"))
    'policy categories.high_risk_area.steps.1: overlaps the previous step'
    """

    def __init__(self, where: str, problem: str) -> None:
        self.where = _shown_text(where)
        self.problem = _shown_text(problem)
        super().__init__(f"policy {self.where}: {self.problem}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (PolicyError, (self.where, self.problem))


class _ChoiceType(EnumType):
    """The metaclass of :class:`Choice`: looks a value up without ever rendering it.

    The standard lookup formats an unknown value with ``%r`` before asking
    ``_missing_``, which fails on a value too deep to render; this one looks
    the text up in the members' table and refuses anything else with a coded
    error. Creating an enumeration (``Choice("Name", "A B")``) is left to the
    standard machinery.
    """

    def __call__(cls, value: object, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs:
            return super().__call__(value, *args, **kwargs)
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            member: object = cls._value2member_map_.get(value)
            if member is not None:
                return member
        allowed = ", ".join(str(text) for text in cls._value2member_map_)
        raise InvalidInput("unknown_choice", cls.__name__, f"not one of: {allowed}", value=value)


class Choice(StrEnum, metaclass=_ChoiceType):
    """A closed set of text values whose unknown value is ``InvalidInput``, not a bare error.

    Every enumeration of gridcare derives from it: looking a value up by calling
    the class (``NodeKind("grid")``) either gives the member or raises
    ``InvalidInput`` with the code ``unknown_choice``, the class's name as the
    field and the allowed values in the message, whatever the value (a number,
    ``None``, a deep list). Members compare equal to their text, as with any
    ``StrEnum``.

    >>> class Light(Choice):
    ...     RED = "red"
    ...     GREEN = "green"
    >>> Light("red") is Light.RED
    True
    >>> try:
    ...     Light("blue")
    ... except InvalidInput as err:
    ...     print(err.code, err.field, err.message)
    unknown_choice Light not one of: red, green
    """


# ----------------------------------------------------------------------------- argument checks

_T = TypeVar("_T")
_K = TypeVar("_K")
_V = TypeVar("_V")


def require_instance(value: object, kind: type[_T], field: str, *, code: str = "wrong_type") -> _T:
    """``value`` if it is an instance of ``kind``; ``InvalidInput`` (``code``) otherwise.

    The error names the type expected and the type given, never the value.

    >>> from datetime import date
    >>> require_instance(date(2022, 3, 27), date, "day").isoformat()
    '2022-03-27'
    >>> require_instance("2022-03-27", date, "day")
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: day: expected date, got str [wrong_type]
    """
    _require_class(kind)
    if not isinstance(value, kind):
        raise InvalidInput(
            code, field, f"expected {kind.__name__}, got {type(value).__name__}", value=value
        )
    return value


def _require_class(kind: object) -> None:
    """The ``kind`` a check is asked for is a class (a caller's slip is a coded error too)."""
    if not isinstance(kind, type):
        raise InvalidInput(
            "wrong_type", "kind", f"expected a class, got {type(kind).__name__}", value=kind
        )


def _unreadable(field: str, what: str, failed: str | None) -> InvalidInput:
    """The refusal of a caller's collection or mapping that raised ``failed`` (the name of
    its exception's type: its message may quote what the caller's store held)."""
    return InvalidInput("unreadable", field, f"the {what} failed while it was read ({failed})")


def read_once(values: Iterable[_T], field: str) -> list[_T]:
    """An iterable read into a list; ``InvalidInput`` code ``unreadable`` if reading it fails.

    A caller's collection or generator may raise while it is read: that is
    bad input, named by ``field``, not an error of the library. Public for the
    library's modules; not part of the documented interface.

    >>> read_once(iter((1, 2)), "events")
    [1, 2]
    >>> read_once((1 // n for n in (1, 0)), "events")
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: events: the collection failed while it was read ... [unreadable]
    """
    failed: str | None = None
    try:
        return list(values)
    except Exception as exc:  # the caller's iterator: raised outside the handler, unchained
        failed = type(exc).__name__
    raise _unreadable(field, "collection", failed)


def read_mapping(values: Mapping[_K, _V], field: str) -> Mapping[_K, _V]:
    """A mapping whose reading cannot fail: a ``dict`` as it is, any other mapping read once
    into a ``dict``; ``InvalidInput`` code ``unreadable`` if reading it fails.

    The mapping counterpart of :func:`read_once`, for a caller's mapping that
    may be a store's view. Public for the library's modules; not part of the
    documented interface.

    >>> from types import MappingProxyType
    >>> read_mapping(MappingProxyType({"a": 1}), "counts")
    {'a': 1}
    """
    if type(values) is dict:
        return values
    failed: str | None = None
    try:
        return dict(values.items())
    except Exception as exc:  # the caller's mapping: raised outside the handler, unchained
        failed = type(exc).__name__
    raise _unreadable(field, "mapping", failed)


def read_entry(values: Mapping[_K, _V], key: _K, field: str) -> _V | None:
    """``values.get(key)`` from a caller's mapping that is asked entry by entry (it may
    build its values on access, so it is not read whole); ``InvalidInput`` code
    ``unreadable`` if it fails to answer.

    >>> read_entry({"R1": 1}, "R1", "residents"), read_entry({}, "R2", "residents")
    (1, None)
    """
    failed: str | None = None
    try:
        return values.get(key)
    except Exception as exc:  # the caller's mapping: raised outside the handler, unchained
        failed = type(exc).__name__
    raise _unreadable(field, "mapping", failed)


def read_mappings(named: Mapping[str, object]) -> dict[str, object]:
    """``named`` with each mapping among its values read once by :func:`read_mapping`,
    named by its key: for a model's keyword arguments, which its validator reads later.

    >>> from types import MappingProxyType
    >>> read_mappings({"a": 1, "b": MappingProxyType({"c": 2})})
    {'a': 1, 'b': {'c': 2}}
    """
    return {
        name: read_mapping(value, name) if isinstance(value, Mapping) else value
        for name, value in named.items()
    }


def require_items(values: object, kind: type[_T], field: str) -> Sequence[_T]:
    """``values`` as a list or tuple whose every item is a ``kind``.

    A list or tuple is returned as it is, any other iterable read once into a
    list. Text, bytes and mappings are not lists of items. Codes:
    ``not_list``, and ``wrong_type`` with the field ``<field>.<i>`` of the
    first item of another type. The items are checked in one pass at C speed
    (the set of their types), so a million records cost milliseconds.

    >>> require_items((1, 2), int, "sizes")
    (1, 2)
    >>> require_items([1, "2"], int, "sizes")
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: sizes.1: expected int, got str [wrong_type]
    >>> require_items("12", int, "sizes")
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: sizes: expected a list of int, got str [not_list]
    """
    _require_class(kind)
    if isinstance(values, (str, bytes, bytearray, Mapping)) or not isinstance(values, Iterable):
        raise InvalidInput(
            "not_list",
            field,
            f"expected a list of {kind.__name__}, got {type(values).__name__}",
            value=values,
        )
    items: Sequence[Any] = values if isinstance(values, (list, tuple)) else read_once(values, field)
    if not all(issubclass(seen, kind) for seen in set(map(type, items))):
        for i, item in enumerate(items):
            require_instance(item, kind, f"{field}.{i}")
    return items


def require_flag(value: object, field: str) -> bool:
    """``value`` if it is ``True`` or ``False``; ``InvalidInput`` code ``bad_flag`` otherwise.

    Nothing else is read as a flag: not ``1``, not ``"yes"``, not ``None``.
    The error quotes the value's type only.

    >>> require_flag(True, "strict")
    True
    >>> require_flag(1, "strict")
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: strict: expected True or False [bad_flag]
    """
    if value is not True and value is not False:
        raise InvalidInput("bad_flag", field, "expected True or False", value=type(value).__name__)
    return value


def require_int(
    value: object, field: str, *, low: int | None = None, high: int | None = None
) -> int:
    """``value`` if it is a whole number (an ``int``, not a ``bool``) from ``low`` to ``high``.

    Codes: ``not_integer``; ``negative`` below a ``low`` of 0, ``out_of_range``
    outside any other bound.

    >>> require_int(3, "n", low=0)
    3
    >>> require_int(-1, "n", low=0)
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: n: must not be negative [negative]
    >>> require_int(2.5, "n")
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: n: expected a whole number, got float [not_integer]
    """
    for name, bound in (("low", low), ("high", high)):
        if bound is not None and type(bound) is not int:
            raise InvalidInput(
                "not_integer",
                name,
                f"a bound is a whole number or None, got {type(bound).__name__}",
            )
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(
            "not_integer",
            field,
            f"expected a whole number, got {type(value).__name__}",
            value=value,
        )
    if low is not None and value < low:
        if low == 0:
            raise InvalidInput("negative", field, "must not be negative", value=value)
        raise InvalidInput("out_of_range", field, f"must be at least {low}", value=value)
    if high is not None and value > high:
        raise InvalidInput("out_of_range", field, f"must be at most {high}", value=value)
    return value


def utc_offset(value: datetime) -> timedelta | None:
    """``value.utcoffset()``, or ``None`` where there is none to read.

    ``None`` for a naive ``datetime``, and also where its ``tzinfo`` fails or
    gives an offset Python refuses (a day or more): such a zone names no
    instant, and asking it again later would fail in the middle of a replay.
    The one reading of an instant's offset where instants enter. Public for the
    library's modules; not part of the documented interface.

    >>> from datetime import timezone
    >>> utc_offset(datetime(2022, 3, 27, tzinfo=timezone.utc)), utc_offset(datetime(2022, 3, 27))
    (datetime.timedelta(0), None)
    """
    try:
        return value.utcoffset()
    except Exception:  # a caller's tzinfo that raises, or an offset out of range
        return None


def require_finite(value: object, field: str, *, code: str = "not_number") -> float:
    """``value`` as a float if it is a finite real number: an ``int``, ``float``,
    ``Fraction`` or ``Decimal`` (not a ``bool``, NaN or an infinity); ``InvalidInput``
    (``code``) otherwise.

    >>> require_finite(95, "below"), require_finite(Decimal("2.5"), "below")
    (95.0, 2.5)
    >>> require_finite(Decimal("NaN"), "below", code="bad_threshold")
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: below: expected a finite number, got Decimal [bad_threshold]
    """
    shown = f"expected a finite number, got {type(value).__name__}"
    if isinstance(value, bool) or not isinstance(value, (int, float, Fraction, Decimal)):
        raise InvalidInput(code, field, shown, value=value)
    if isinstance(value, Decimal) and not value.is_finite():
        raise InvalidInput(code, field, shown, value=value)
    try:
        number = float(value)
    except OverflowError:  # an int or a Fraction beyond any float: refused below
        number = math.inf
    if not math.isfinite(number):
        raise InvalidInput(code, field, shown, value=value)
    return number


def missing_extra(caller: str, package: str, extra: str) -> ModuleNotFoundError:
    """The error of ``caller`` used without ``package``, naming the extra that installs it.

    The one wording of that message, for every module that imports an optional package
    (``plot``, ``pandas``, ``testing``). Public for the library's modules; not part of the
    documented interface.

    >>> str(missing_extra("to_figure", "matplotlib", "plot"))
    'to_figure needs matplotlib: install it with pip install "gridcare[plot]"'
    """
    return ModuleNotFoundError(
        f'{caller} needs {package}: install it with pip install "gridcare[{extra}]"',
        name=package,
    )


def require_callable(value: object, field: str) -> Callable[..., object]:
    """``value`` if it can be called; ``InvalidInput`` code ``not_callable`` otherwise.

    >>> require_callable(len, "progress") is len
    True
    >>> require_callable("len", "progress")
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: progress: expected a function, got str [not_callable]
    """
    if not callable(value):
        raise InvalidInput(
            "not_callable", field, f"expected a function, got {type(value).__name__}", value=value
        )
    return value


def trusted(cls: type[_T], *values: object, **named: object) -> _T:
    """An instance of the attrs class ``cls`` built by its attrs initializer alone.

    The one way the library builds a value without the checks of its
    constructor: ``cls`` is an attrs class with ``init=False`` whose
    ``__init__`` checks its arguments, and ``values`` were checked where they
    entered (or built from checked ones). Not for values from outside: those
    go through the constructor.

    It is two steps, ``object.__new__(cls)`` then the instance's
    ``__attrs_init__``. A loop that builds millions of one class (a testing
    round's events, its residents' records, a census's entries) writes the
    two steps out instead of calling this: the call, with the values packed
    and unpacked again, cost a fifth of a resident's record and 0.4 of an
    event given by keyword.

    >>> import attrs
    >>> @attrs.frozen(init=False)
    ... class Box:
    ...     size: int
    ...     def __init__(self, size: int) -> None:
    ...         raise AssertionError("checked")
    >>> trusted(Box, 3).size
    3
    """
    built = object.__new__(cls)
    built.__attrs_init__(*values, **named)  # type: ignore[attr-defined]
    return built
