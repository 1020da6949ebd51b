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
from typing import Any

import attrs

__all__ = [
    "FieldError",
    "GridcareError",
    "IllegalTransition",
    "InvalidInput",
    "OutOfScope",
    "PolicyError",
    "UnknownNode",
]


class GridcareError(Exception):
    """Base class of every error gridcare raises on purpose.

    >>> issubclass(InvalidInput, GridcareError)
    True
    """


@attrs.frozen
class FieldError:
    """One problem with one field of one input.

    ``field`` is a dotted path (``"legs.0.arrival"``); ``value`` is already
    masked when it is personal data.

    >>> str(FieldError("bad_checksum", "citizen_id", "check character mismatch", "4302**"))
    'citizen_id: check character mismatch [bad_checksum]'
    """

    code: str
    field: str
    message: str
    value: object = None

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
        self.code = code
        self.field = field
        self.value = value
        self.message = message
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
        prefix = f"{machine}: " if machine else ""
        suffix = f" ({detail})" if detail else ""
        super().__init__(f"{prefix}event {event!r} is not allowed in state {state!r}{suffix}")

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
        super().__init__(f"{principal} may not read {node_id}: outside its assigned subtree")

    def __reduce__(self) -> tuple[Any, ...]:
        return (OutOfScope, (self.principal, self.node_id))


class UnknownNode(GridcareError, LookupError):
    """A node id the hierarchy does not hold.

    >>> str(UnknownNode("G-404"))
    "unknown node 'G-404'"
    """

    def __init__(self, node_id: str) -> None:
        self.node_id = node_id
        super().__init__(f"unknown node {node_id!r}")

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
        self.where = where
        self.problem = problem
        super().__init__(f"policy {where}: {problem}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (PolicyError, (self.where, self.problem))
