"""Who may read what: principals, their subtree, and masked views.

Rules (docs/design.md, "Privacy"): a principal sees records inside the subtree of
the node it is assigned to; reading outside raises
:class:`~gridcare.errors.OutOfScope`. A grid worker reads the records of its
grid and community staff those of their community in full; supervisors
assigned above the community read rollups and *masked* records only.

A record says where it belongs through a ``node_of`` function the caller
passes (a declaration's grid, a visit's household), and how it looks masked
through a ``redacted()`` method (:class:`Redactable`).

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
from enum import StrEnum
from typing import Protocol, TypeVar, runtime_checkable

import attrs

from gridcare.errors import OutOfScope
from gridcare.hierarchy import Hierarchy, NodeKind

__all__ = ["Access", "Principal", "Redactable", "View", "redact"]

T = TypeVar("T")


class Access(StrEnum):
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

    >>> redact(42)
    42
    """
    if isinstance(record, Redactable):
        return record.redacted()
    return record


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


@attrs.frozen
class Principal:
    """Someone reading records: an id, the node assigned, and the access it gives.

    >>> Principal("W1", "G1")
    Principal(id='W1', node='G1', access=<Access.FULL: 'full'>)
    """

    id: str
    node: str
    access: Access = Access.FULL

    @classmethod
    def assigned(cls, principal_id: str, node: str, hierarchy: Hierarchy) -> Principal:
        """A principal whose access follows the level of its node.

        At a community or below: full access to its subtree; above (street,
        district, city supervisors): masked records and rollups.
        """
        kind = hierarchy.node(node).kind
        access = Access.FULL if kind in _FULL_ACCESS_KINDS else Access.MASKED
        return cls(principal_id, node, access)

    def can_read(self, node: str, hierarchy: Hierarchy) -> bool:
        """Whether ``node`` lies in this principal's subtree."""
        return hierarchy.is_within(node, self.node)

    def check(self, node: str, hierarchy: Hierarchy) -> None:
        """Raise :class:`~gridcare.errors.OutOfScope` unless ``node`` is in scope."""
        if not hierarchy.is_within(node, self.node):
            raise OutOfScope(f"principal {self.id}", node)


@attrs.frozen
class View:
    """A principal's window on records: scoped reads, filtered listings, masked when due.

    >>> from gridcare.hierarchy import Hierarchy, Node, NodeKind
    >>> h = Hierarchy([Node("C", NodeKind.CITY, "c"), Node("G1", NodeKind.GRID, "g", "C"),
    ...                Node("G2", NodeKind.GRID, "g", "C")])
    >>> view = View(h, Principal("W1", "G1"))
    >>> rows = [("G1", "a"), ("G2", "b")]
    >>> list(view.visible(rows, node_of=lambda r: r[0]))
    [('G1', 'a')]
    >>> view.read(("G2", "b"), node_of=lambda r: r[0])
    Traceback (most recent call last):
    ...
    gridcare.errors.OutOfScope: principal W1 may not read G2: outside its assigned subtree
    """

    hierarchy: Hierarchy
    principal: Principal

    def _shown(self, record: T) -> T | object:
        return record if self.principal.access is Access.FULL else redact(record)

    def read(self, record: T, *, node_of: Callable[[T], str]) -> T | object:
        """One record, masked if the principal's access is masked; ``OutOfScope`` outside."""
        self.principal.check(node_of(record), self.hierarchy)
        return self._shown(record)

    def visible(self, records: Iterable[T], *, node_of: Callable[[T], str]) -> Iterator[T | object]:
        """The records in scope (masked when due); the others are skipped, not errors."""
        top = self.principal.node
        within = self.hierarchy.is_within
        for record in records:
            if within(node_of(record), top):
                yield self._shown(record)
