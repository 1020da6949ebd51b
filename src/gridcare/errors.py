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
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

import attrs

from gridcare.masking import mask_numbers

__all__ = [
    "MAX_SHOWN",
    "FieldError",
    "GridcareError",
    "IllegalTransition",
    "InvalidInput",
    "OutOfScope",
    "PolicyError",
    "UnknownNode",
    "safe_text",
    "safe_value",
]

#: The most characters an error shows of a value, a field path or a message.
MAX_SHOWN = 120

_MAX_MESSAGE = 400

#: Whole numbers shorter than this many digits are shown as they are.
_PLAIN_INT_LIMIT = 10**10


def safe_text(text: str, limit: int = MAX_SHOWN) -> str:
    """``text`` as an error may show it: digit runs masked, at most ``limit`` characters.

    A run of digits long enough to be a phone or ID number is masked
    (:func:`gridcare.masking.mask_numbers`); a longer text is cut and ends in
    ``...``; a lone surrogate is shown as an escape, so the text always encodes.

    >>> safe_text("call 13812345678")
    'call 138****5678'
    >>> len(safe_text("x" * 10_000))
    120
    """
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    shown = mask_numbers(text)
    if _has_surrogate(shown):
        shown = shown.encode("utf-8", "backslashreplace").decode("utf-8")
    return shown


def _shown_text(value: object) -> str:
    """A code, field path or message as an error keeps it (text expected, anything survives)."""
    if isinstance(value, str):
        return safe_text(value, _MAX_MESSAGE)
    return str(safe_value(value))


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in text)


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


@attrs.frozen
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
        self.errors = tuple(errors) or (first,)
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
        self.state = state
        self.event = event
        self.machine = machine
        self.detail = detail
        prefix = f"{_shown_text(machine)}: " if machine else ""
        suffix = f" ({_shown_text(detail)})" if detail else ""
        shown_event, shown_state = _shown_text(event), _shown_text(state)
        super().__init__(
            f"{prefix}event {shown_event!r} is not allowed in state {shown_state!r}{suffix}"
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
        self.principal = principal
        self.node_id = node_id
        who, where = _shown_text(principal), _shown_text(node_id)
        super().__init__(f"{who} may not read {where}: outside its assigned subtree")

    def __reduce__(self) -> tuple[Any, ...]:
        return (OutOfScope, (self.principal, self.node_id))


class UnknownNode(GridcareError, LookupError):
    """A node id the hierarchy does not hold.

    >>> str(UnknownNode("G-404"))
    "unknown node 'G-404'"
    """

    def __init__(self, node_id: str) -> None:
        self.node_id = node_id
        super().__init__(self.__str__())

    def __str__(self) -> str:  # LookupError would quote the whole message again
        return f"unknown node {safe_value(self.node_id)!r}"

    def __reduce__(self) -> tuple[Any, ...]:
        return (UnknownNode, (self.node_id,))


class PolicyError(GridcareError, ValueError):
    """A policy that contradicts itself, naming where (``where``) and what (``problem``).

    >>> str(PolicyError("categories.high_risk_area.steps.1", "overlaps the previous step"))
    'policy categories.high_risk_area.steps.1: overlaps the previous step'
    """

    def __init__(self, where: str, problem: str) -> None:
        self.where = where
        self.problem = problem
        super().__init__(f"policy {_shown_text(where)}: {_shown_text(problem)}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (PolicyError, (self.where, self.problem))
