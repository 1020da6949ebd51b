"""Who may read what: principals, their subtree, and masked views.

Rules (docs/design.md, "Privacy"): a principal sees records inside the subtree of
the node it is assigned to; reading outside raises
:class:`~gridcare.errors.OutOfScope`. A grid worker reads the records of its
grid and community staff those of their community in full; supervisors
assigned above the community read rollups and *masked* records only.

A record says where it belongs through a ``node_of`` function the caller
passes (a declaration's grid, a visit's household), and how it looks masked
through a ``redacted()`` method (:class:`Redactable`; residents and workers
have one). Any other attrs record whose fields can hold personal data (a
declaration, a whistle case, a household's visit: fields marked
:func:`~gridcare.serial.personal`, ID or phone numbers) is shown masked as
its masked export, :func:`~gridcare.serial.to_dict` without ``REVEAL``, and
a pydantic model (a declaration form) as its export without ``REVEAL``: a
masked read of the library's records never hands out personal data in full.
A text is shown with its phone and ID numbers masked; a record of any other
kind is handed as it is, since nothing says which of its parts are personal:
give it a ``redacted()`` method.

Least privilege by default: a :class:`Principal` built without an access level
reads masked records; full access is given explicitly, or by
:meth:`Principal.assigned` at a community or below. A listing never fails on
a record whose node the hierarchy does not hold: :meth:`View.visible` skips
it and :meth:`View.listing` reports its node id in ``unknown``.

>>> from gridcare.hierarchy import Hierarchy, Node, NodeKind
>>> h = Hierarchy([Node("C", NodeKind.CITY, "c"), Node("M", NodeKind.COMMUNITY, "m", "C"),
...                Node("G1", NodeKind.GRID, "g1", "M"), Node("G2", NodeKind.GRID, "g2", "M")])
>>> worker = Principal.assigned("W1", "G1", h)
>>> worker.access.value, worker.can_read("G1", h), worker.can_read("G2", h)
('full', True, False)
>>> Principal.assigned("S1", "C", h).access.value
'masked'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Protocol, TypeVar, runtime_checkable

import attrs
from pydantic import BaseModel

from gridcare.errors import Choice, InvalidInput, OutOfScope, safe_value
from gridcare.hierarchy import Hierarchy, NodeKind
from gridcare.masking import mask_numbers, masked_field_reprs
from gridcare.serial import holds_personal_data, to_dict
from gridcare.text import check_text_of

__all__ = ["Access", "Listing", "Principal", "Redactable", "View", "redact"]

T = TypeVar("T")


class Access(Choice):
    """How much of a record in scope a principal sees.

    >>> [a.value for a in Access]
    ['full', 'masked']
    """

    FULL = "full"
    MASKED = "masked"


@runtime_checkable
class Redactable(Protocol):
    """A record carrying personal data that can give its masked form."""

    def redacted(self) -> object:
        """The record with every personal field masked."""
        ...


def redact(record: T) -> T | object:
    """The masked form of a record (itself if it carries no personal data).

    A :class:`Redactable` record gives its ``redacted()`` form; an attrs
    record whose fields can hold personal data gives its masked export
    (:func:`~gridcare.serial.to_dict` without ``REVEAL``: personal fields
    masked, ``"masked": True``). A pydantic model gives its export without
    ``REVEAL`` (a declaration form masks its personal fields there) with any
    phone or ID number left in its texts masked, and a text gives itself
    with its phone and ID numbers masked
    (:func:`~gridcare.masking.mask_numbers`). Anything else is itself: the
    view cannot know which of its parts are personal, so give such a record
    a ``redacted()`` method.

    >>> redact(42)
    42
    >>> from datetime import datetime
    >>> from gridcare.declarations import example_form, parse_form
    >>> from gridcare.timeutil import DEFAULT_ZONE
    >>> declaration = parse_form(example_form(), declaration_id="D1",
    ...                          received_at=datetime(2022, 3, 19, 9, tzinfo=DEFAULT_ZONE))
    >>> shown = redact(declaration)
    >>> shown["masked"], shown["name"], shown["document_number"]
    (True, '刘*娟', '110105********002X')
    """
    return _redact(record, {})


def _redact(record: T, personal_types: dict[type, bool]) -> T | object:
    """:func:`redact`, with what is known of each type's personal fields (one question each)."""
    if isinstance(record, Redactable):
        return record.redacted()
    if isinstance(record, BaseModel):
        # The model's own masking (a declaration form's), then any phone or ID number left
        # in its texts: a model of the caller's may mark nothing personal.
        return _numbers_masked(to_dict(record))
    if isinstance(record, str):
        return mask_numbers(record)
    kind = type(record)
    holds = personal_types.get(kind)
    if holds is None:
        holds = personal_types[kind] = attrs.has(kind) and _holds_personal(kind)
    return to_dict(record) if holds else record


def _numbers_masked(data: object) -> object:
    """JSON-ready ``data`` with every text's phone and ID numbers masked, keys included."""
    if isinstance(data, str):
        return mask_numbers(data)
    if isinstance(data, dict):
        return {_numbers_masked(key): _numbers_masked(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_numbers_masked(item) for item in data]
    return data


def _holds_personal(kind: type) -> bool:
    try:
        return holds_personal_data(kind)
    except (NameError, TypeError):  # a caller's class whose hints do not resolve: no fields known
        return False


#: Principals assigned at or below these kinds read records in full.
_FULL_ACCESS_KINDS = frozenset(
    {
        NodeKind.COMMUNITY,
        NodeKind.GRID,
        NodeKind.BUILDING,
        NodeKind.UNIT,
        NodeKind.HOUSEHOLD,
    }
)


def _check_text(value: object, field: str) -> None:
    check_text_of(value, field)  # the rules of an id


def _check_hierarchy(value: object) -> None:
    if not isinstance(value, Hierarchy):
        raise InvalidInput(
            "not_hierarchy",
            "hierarchy",
            f"expected a Hierarchy, got {type(value).__name__}",
            value=value,
        )


def _check_access(value: object) -> None:
    if not isinstance(value, Access):
        raise InvalidInput("bad_access", "access", "expected an Access", value=value)


@attrs.frozen(field_transformer=masked_field_reprs)
class Principal:
    """Someone reading records: an id, the node assigned, and the access it gives.

    Without an access level a principal reads masked records (least
    privilege); full access is asked for explicitly.

    >>> Principal("W1", "G1")
    Principal(id='W1', node='G1', access=<Access.MASKED: 'masked'>)
    >>> Principal("W1", "G1", Access.FULL).access.value
    'full'
    """

    id: str = attrs.field(validator=lambda _, a, v: _check_text(v, a.name))
    node: str = attrs.field(validator=lambda _, a, v: _check_text(v, a.name))
    access: Access = attrs.field(default=Access.MASKED, validator=lambda _, a, v: _check_access(v))

    @classmethod
    def assigned(cls, principal_id: str, node: str, hierarchy: Hierarchy) -> Principal:
        """A principal whose access follows the level of its node.

        At a community or below: full access to its subtree; above (street,
        district, city supervisors): masked records and rollups.
        """
        _check_text(principal_id, "principal_id")
        _check_text(node, "node")
        _check_hierarchy(hierarchy)
        kind = hierarchy.node(node).kind
        access = Access.FULL if kind in _FULL_ACCESS_KINDS else Access.MASKED
        return cls(principal_id, node, access)

    def can_read(self, node: str, hierarchy: Hierarchy) -> bool:
        """Whether ``node`` lies in this principal's subtree."""
        _check_text(node, "node")
        _check_hierarchy(hierarchy)
        return hierarchy.is_within(node, self.node)

    def check(self, node: str, hierarchy: Hierarchy) -> None:
        """Raise :class:`~gridcare.errors.OutOfScope` unless ``node`` is in scope."""
        _check_text(node, "node")
        _check_hierarchy(hierarchy)
        if not hierarchy.is_within(node, self.node):
            raise OutOfScope(f"principal {self.id}", node)


@attrs.frozen(field_transformer=masked_field_reprs)
class Listing:
    """What a principal may see of many records, and the node ids nobody could place.

    ``records`` are the records in scope, masked when due, in input order;
    ``unknown`` the node ids (as text, at most 120 characters, digit runs
    masked) of records whose node the hierarchy does not hold, in input order.
    Records out of scope are in neither.

    >>> Listing(records=("a",), unknown=("X",)).unknown
    ('X',)
    """

    records: tuple[object, ...] = attrs.field(validator=lambda _, a, v: _check_tuple(v, a.name))
    unknown: tuple[str, ...] = attrs.field(validator=lambda _, a, v: _check_tuple(v, a.name))

    def __attrs_post_init__(self) -> None:
        if not all(isinstance(node, str) for node in self.unknown):
            raise InvalidInput("not_string", "unknown", "expected node ids as text")


def _check_tuple(value: object, field: str) -> None:
    if not isinstance(value, tuple):
        raise InvalidInput(
            "not_tuple", field, f"expected a tuple, got {type(value).__name__}", value=value
        )


def _check_node_of(value: object) -> None:
    if not callable(value):
        raise InvalidInput("not_callable", "node_of", "expected a function", value=value)


@attrs.frozen(field_transformer=masked_field_reprs)
class View:
    """A principal's window on records: scoped reads, filtered listings, masked when due.

    >>> from gridcare.hierarchy import Hierarchy, Node, NodeKind
    >>> h = Hierarchy([Node("C", NodeKind.CITY, "c"), Node("G1", NodeKind.GRID, "g", "C"),
    ...                Node("G2", NodeKind.GRID, "g", "C")])
    >>> view = View(h, Principal("W1", "G1", Access.FULL))
    >>> rows = [("G1", "a"), ("G2", "b")]
    >>> list(view.visible(rows, node_of=lambda r: r[0]))
    [('G1', 'a')]
    >>> view.read(("G2", "b"), node_of=lambda r: r[0])
    Traceback (most recent call last):
    ...
    gridcare.errors.OutOfScope: principal W1 may not read G2: outside its assigned subtree
    """

    hierarchy: Hierarchy = attrs.field(validator=lambda _, a, v: _check_hierarchy(v))
    principal: Principal

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.principal, Principal):
            raise InvalidInput(
                "not_principal",
                "principal",
                f"expected a Principal, got {type(self.principal).__name__}",
                value=self.principal,
            )
        self.hierarchy.node(self.principal.node)  # UnknownNode for a principal placed nowhere

    def _shown(self, record: T, personal_types: dict[type, bool]) -> T | object:
        """The record as this principal sees it; ``personal_types`` is what is known so far of
        which types hold personal data (a listing asks once per type)."""
        if self.principal.access is Access.FULL:
            return record
        return _redact(record, personal_types)

    def read(self, record: T, *, node_of: Callable[[T], str]) -> T | object:
        """One record, masked if the principal's access is masked; ``OutOfScope`` outside.

        A record whose node the hierarchy does not hold is
        :class:`~gridcare.errors.UnknownNode`.
        """
        _check_node_of(node_of)
        self.principal.check(node_of(record), self.hierarchy)
        return self._shown(record, {})

    def visible(self, records: Iterable[T], *, node_of: Callable[[T], str]) -> Iterator[T | object]:
        """The records in scope (masked when due); the others are skipped, not errors.

        A record whose node the hierarchy does not hold is skipped too;
        :meth:`listing` reports those.
        """
        for shown, unknown in self._sorted(records, node_of):
            if unknown is None:
                yield shown

    def listing(self, records: Iterable[T], *, node_of: Callable[[T], str]) -> Listing:
        """The records in scope (masked when due) and the node ids the hierarchy does not hold.

        >>> from gridcare.hierarchy import Hierarchy, Node, NodeKind
        >>> h = Hierarchy([Node("C", NodeKind.CITY, "c"), Node("G1", NodeKind.GRID, "g", "C")])
        >>> View(h, Principal("W1", "C")).listing(["G1", "X", "C"], node_of=str)
        Listing(records=('G1', 'C'), unknown=('X',))
        """
        shown: list[object] = []
        unknown: list[str] = []
        for record, node in self._sorted(records, node_of):
            if node is None:
                shown.append(record)
            else:
                unknown.append(node)
        return Listing(records=tuple(shown), unknown=tuple(unknown))

    def _sorted(
        self, records: Iterable[T], node_of: Callable[[T], str]
    ) -> Iterator[tuple[T | object, str | None]]:
        """Each record in scope as ``(shown, None)``, each unplaced one as ``(None, its node)``."""
        _check_node_of(node_of)
        if isinstance(records, (str, bytes)) or not isinstance(records, Iterable):
            raise InvalidInput(
                "not_list",
                "records",
                f"expected records, got {type(records).__name__}",
                value=records,
            )
        hierarchy = self.hierarchy
        top = self.principal.node
        personal_types: dict[type, bool] = {}
        for record in records:
            node = node_of(record)
            if node not in hierarchy:  # text only: anything else is not held either
                yield None, str(safe_value(node))
            elif hierarchy.is_within(node, top):
                yield self._shown(record, personal_types), None
