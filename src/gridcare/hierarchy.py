"""The grid hierarchy: city > district > street > community > grid > building > unit > household.

A province's report sits one level higher: a province root over its cities
(:attr:`NodeKind.PROVINCE`), holding only the top of each city.

Rules this module obeys:

* exactly one root; every other node has a parent in the hierarchy;
* kinds descend strictly in :class:`NodeKind` order: a level may be skipped
  (households directly under a rural grid) but a kind never sits under the
  same or a lower kind;
* a node's division code, when it has one, lies inside the code of its
  nearest ancestor that has one;
* a bulk build reports every bad row at once and builds nothing partial.

Lookups never walk the tree: nodes are stored in depth-first preorder, so a
subtree is one contiguous range, and each node keeps its ancestor at every
kind in flat integer arrays. ``ancestors``, ``grid_of`` and ``is_within`` cost a
few list reads whatever the depth.

>>> h = Hierarchy([
...     Node("C", NodeKind.CITY, "株洲市", code=AreaCode.parse("430200")),
...     Node("D", NodeKind.DISTRICT, "天元区", "C", AreaCode.parse("430211")),
...     Node("G", NodeKind.GRID, "第1网格", "D"),
...     Node("H", NodeKind.HOUSEHOLD, "101", "G"),
... ])
>>> len(h), h.grid_of("H").id, [n.id for n in h.ancestors("H")]
(4, 'G', ['G', 'D', 'C'])
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import attrs

from gridcare.codes import AreaCode
from gridcare.errors import Choice, FieldError, InvalidInput, UnknownNode, read_once, require_flag
from gridcare.masking import mask_numbers, mask_text, masked_field_reprs, masked_repr
from gridcare.text import TEXT_LIMITS, is_plain, kind_problem

__all__ = ["MAX_ID_LENGTH", "MAX_NAME_LENGTH", "Hierarchy", "Node", "NodeKind"]


class NodeKind(Choice):
    """The levels of the hierarchy, coarsest first; ``rank`` gives the order.

    ``PROVINCE`` is the root of a province's report over its cities; a city's
    own hierarchy is rooted at ``CITY``.

    >>> NodeKind.GRID.rank < NodeKind.BUILDING.rank, NodeKind.PROVINCE.rank < NodeKind.CITY.rank
    (True, True)
    """

    PROVINCE = "province"
    CITY = "city"
    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"
    GRID = "grid"
    BUILDING = "building"
    UNIT = "unit"
    HOUSEHOLD = "household"

    @property
    def rank(self) -> int:
        """0 for ``PROVINCE``, 1 for ``CITY``, up to 8 for ``HOUSEHOLD``."""
        return _RANK[self]


_KINDS: tuple[NodeKind, ...] = tuple(NodeKind)
_RANK: dict[NodeKind, int] = {kind: i for i, kind in enumerate(_KINDS)}
#: Kinds whose names are part of an address below community level (masked in repr).
_PRIVATE_KINDS = frozenset({NodeKind.BUILDING, NodeKind.UNIT, NodeKind.HOUSEHOLD})
#: The longest node id and node name accepted: the limits of an id and of a place's name.
MAX_ID_LENGTH = TEXT_LIMITS["id"]
MAX_NAME_LENGTH = TEXT_LIMITS["place"]


def _node_errors(
    node_id: object, kind: object, name: object, parent_id: object, code: object, where: str = ""
) -> list[FieldError]:
    """Every problem with the fields of one node (empty: none); paths under ``where``."""
    prefix = f"{where}." if where else ""
    errors: list[FieldError] = []
    for field, value, text_kind, empty_ok in (
        ("id", node_id, "id", False),
        ("name", name, "place", True),
    ):
        problem = kind_problem(value, prefix + field, text_kind, allow_empty=empty_ok)
        if problem is not None:
            errors.append(problem)
    if not isinstance(kind, NodeKind):
        errors.append(FieldError("bad_kind", prefix + "kind", "expected a NodeKind", kind))
    if parent_id is not None:
        problem = kind_problem(parent_id, prefix + "parent_id")
        if problem is not None:
            errors.append(problem)
    if code is not None and not isinstance(code, AreaCode):
        errors.append(FieldError("bad_code", prefix + "code", "expected an AreaCode", code))
    return errors


def _kind_argument(kind: object, field: str = "kind") -> NodeKind:
    """``kind`` as a :class:`NodeKind` (its value is accepted); ``InvalidInput`` otherwise."""
    if isinstance(kind, NodeKind):
        return kind
    found = _KIND_BY_VALUE.get(kind) if isinstance(kind, str) else None
    if found is None:
        raise InvalidInput("bad_kind", field, "expected a NodeKind", value=kind)
    return found


_KIND_BY_VALUE: dict[str, NodeKind] = {kind.value: kind for kind in _KINDS}


@attrs.frozen(repr=False, field_transformer=masked_field_reprs, init=False)
class Node:
    """One place in the hierarchy.

    ``id`` is unique in its hierarchy; ``code`` is the division code (or local
    code) where the node has one. Names below the community are part of an
    address and are masked in ``repr``. The id and the parent's id keep the
    text rules of an id, the name those of a place's name, which may be empty
    (:func:`gridcare.text.kind_problem`: at most :data:`MAX_ID_LENGTH` and
    :data:`MAX_NAME_LENGTH` characters, no control or bidirectional control
    character, and in an id nothing but printable characters). A field of the
    wrong type or a text that breaks its rules is ``InvalidInput`` naming
    every problem.

    >>> Node("H1", NodeKind.HOUSEHOLD, "3栋2单元301", "U1")
    Node('H1', household, '3栋***', parent='U1')
    >>> Node("H1", NodeKind.HOUSEHOLD, 123)
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: name: expected text, got int [not_string]
    """

    id: str
    kind: NodeKind
    name: str
    parent_id: str | None = None
    code: AreaCode | None = None

    def __init__(
        self,
        id: str,
        kind: NodeKind,
        name: str,
        parent_id: str | None = None,
        code: AreaCode | None = None,
    ) -> None:
        # The quick test of the text rules for the usual node; the full check names every problem.
        if not (
            type(kind) is NodeKind
            and (code is None or type(code) is AreaCode)
            and is_plain(id, MAX_ID_LENGTH)
            and is_plain(name, MAX_NAME_LENGTH)
            and (parent_id is None or is_plain(parent_id, MAX_ID_LENGTH))
        ):
            errors = _node_errors(id, kind, name, parent_id, code)
            if errors:
                raise InvalidInput.collect(errors)
        self.__attrs_init__(id, kind, name, parent_id, code)

    def masked_name(self) -> str:
        """The name as ``repr`` and masked paths show it.

        A building's, unit's or household's name is an address: only its first
        two characters are kept (:func:`gridcare.masking.mask_text`). Any
        other name is shown with its phone and ID numbers masked, by content
        (:func:`gridcare.masking.mask_numbers`): a grid board often names its
        worker and their mobile number.

        >>> Node("G", NodeKind.GRID, "第1网格 张三13812345678").masked_name()
        '第1网格 张三138****5678'
        >>> Node("H", NodeKind.HOUSEHOLD, "3栋301", "G").masked_name()
        '3栋***'
        """
        return mask_text(self.name) if self.kind in _PRIVATE_KINDS else mask_numbers(self.name)

    def __repr__(self) -> str:
        shown = self.masked_name()
        parent = f", parent={masked_repr(self.parent_id)}" if self.parent_id is not None else ""
        code = f", code={str(self.code)!r}" if self.code is not None else ""
        return f"Node({masked_repr(self.id)}, {self.kind.value}, {shown!r}{parent}{code})"

    def to_row(self) -> dict[str, str | None]:
        """The node as a plain row (``id``, ``kind``, ``name``, ``parent_id``, ``code``).

        >>> Node("G", NodeKind.GRID, "第1网格", "D").to_row()
        {'id': 'G', 'kind': 'grid', 'name': '第1网格', 'parent_id': 'D', 'code': None}
        """
        return {
            "id": self.id,
            "kind": self.kind.value,
            "name": self.name,
            "parent_id": self.parent_id,
            "code": None if self.code is None else str(self.code),
        }


_EMPTY_CHAIN: tuple[int, ...] = (-1,) * len(_KINDS)


class Hierarchy:
    """An immutable, validated tree of :class:`Node` in depth-first preorder.

    Iterating yields the nodes in preorder (root first, children in the order
    they were given). Build from nodes or with :meth:`from_rows`; any bad input
    raises one :class:`~gridcare.errors.InvalidInput` listing every problem,
    with field paths ``nodes.<i>.<field>`` (``i`` = position in the input).

    >>> h = Hierarchy.from_rows([
    ...     {"id": "C", "kind": "city", "name": "株洲市", "code": "430200"},
    ...     {"id": "G", "kind": "grid", "name": "第1网格", "parent_id": "C"},
    ... ])
    >>> [n.id for n in h.children("C")], h.root.name
    (['G'], '株洲市')
    >>> Hierarchy.from_rows([
    ...     {"id": "C", "kind": "city", "name": "株洲市"},
    ...     {"id": "X", "kind": "grid", "name": "x", "parent_id": "nope"},
    ... ])
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: nodes.1.parent_id: unknown parent 'nope' [unknown_parent]
    """

    __slots__ = (
        "_by_kind",
        "_cache",
        "_chain",
        "_end",
        "_id_cache",
        "_index",
        "_nodes",
        "_parent",
    )

    _nodes: list[Node]
    _index: dict[str, int]
    _parent: array[int]
    _end: array[int]
    _chain: list[tuple[int, ...]]
    _by_kind: dict[NodeKind, array[int]]
    _cache: dict[NodeKind, array[int]]
    _id_cache: dict[NodeKind, dict[str, int]]

    def __init__(self, nodes: Iterable[Node]) -> None:
        if isinstance(nodes, (str, bytes, Mapping)) or not isinstance(nodes, Iterable):
            raise InvalidInput(
                "not_list", "nodes", f"expected nodes, got {type(nodes).__name__}", value=nodes
            )
        given = nodes if isinstance(nodes, list) else read_once(nodes, "nodes")
        if not self._index_preorder(given):
            # Unordered or faulty input: the full check reports every problem, or
            # gives the preorder, after which the fast pass cannot fail.
            order = _validated_preorder(given)
            given = [given[i] for i in order]
            if not self._index_preorder(given):  # pragma: no cover - guarded by the check
                raise AssertionError("preorder indexing failed after validation")
        self._cache = {}
        self._id_cache = {}

    # ------------------------------------------------------------------ building

    def _index_preorder(self, nodes: list[Node]) -> bool:
        """Index ``nodes`` if they are a valid hierarchy given in preorder; else return False.

        One pass with a stack of open nodes: a node's parent must be open (seen
        and not yet closed), which is exactly the preorder condition; closing a
        node records the end of its subtree range.
        """
        n = len(nodes)
        if n == 0:
            return False
        index: dict[str, int] = {}
        parent = array("i", [-1]) * n
        end = array("i", [n]) * n
        chain: list[tuple[int, ...]] = [()] * n
        child_chain: dict[int, tuple[int, ...]] = {}
        by_kind: dict[NodeKind, list[int]] = {kind: [] for kind in _KINDS}
        rank_of = _RANK
        stack: list[int] = []
        for pos, node in enumerate(nodes):
            if type(node) is not Node:
                return False
            node_id = node.id
            # Types first: an unhashable id must not reach the dict lookups.
            if type(node_id) is not str or not node_id or node_id in index:
                return False
            kind = node.kind
            if type(kind) is not NodeKind:
                return False
            rank = rank_of[kind]
            pid = node.parent_id
            if pid is None:
                if pos != 0:
                    return False
                chain[0] = _EMPTY_CHAIN
            else:
                p = index.get(pid) if type(pid) is str else None
                if p is None:
                    return False
                while stack and stack[-1] != p:
                    end[stack.pop()] = pos
                if not stack or rank <= rank_of[nodes[p].kind]:
                    return False
                parent[pos] = p
                shared = child_chain.get(p)
                if shared is None:
                    above = list(chain[p])
                    above[rank_of[nodes[p].kind]] = p
                    shared = child_chain[p] = tuple(above)
                chain[pos] = shared
            index[node_id] = pos
            by_kind[kind].append(pos)
            stack.append(pos)
        if _code_errors(nodes, parent):
            return False
        self._nodes = nodes
        self._index = index
        self._parent = parent
        self._end = end
        self._chain = chain
        self._by_kind = {kind: array("i", found) for kind, found in by_kind.items()}
        return True

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, Any]]) -> Hierarchy:
        """Build from plain rows with keys ``id``, ``kind``, ``name``, ``parent_id``, ``code``.

        ``parent`` is accepted for ``parent_id``; empty strings mean "none". Every
        bad row is reported at once.

        >>> Hierarchy.from_rows([{"id": "C", "kind": "town", "name": "x"}])
        Traceback (most recent call last):
        ...
        gridcare.errors.InvalidInput: nodes.0.kind: unknown kind 'town' [bad_kind]
        """
        if isinstance(rows, (str, bytes, Mapping)) or not isinstance(rows, Iterable):
            raise InvalidInput(
                "not_list", "nodes", f"expected rows, got {type(rows).__name__}", value=rows
            )
        nodes: list[Node] = []
        positions: list[int] = []
        errors: list[FieldError] = []
        bad_ids: set[str] = set()
        kinds = {kind.value: kind for kind in _KINDS}
        for i, row in enumerate(read_once(rows, "nodes")):
            where = f"nodes.{i}"
            if not isinstance(row, Mapping):
                errors.append(
                    FieldError("bad_row", where, "expected a mapping", type(row).__name__)
                )
                continue
            row_errors: list[FieldError] = []
            node_id = row.get("id")
            if not isinstance(node_id, str) or not node_id:
                row_errors.append(
                    FieldError("missing", f"{where}.id", "a non-empty id is required")
                )
            raw_kind = row.get("kind")
            kind = kinds.get(raw_kind) if isinstance(raw_kind, str) else None
            if kind is None:
                row_errors.append(
                    FieldError("bad_kind", f"{where}.kind", f"unknown kind {raw_kind!r}", raw_kind)
                )
            name = row.get("name", "")
            if not isinstance(name, str):
                row_errors.append(FieldError("bad_name", f"{where}.name", "name must be text"))
            parent = row.get("parent_id", row.get("parent"))
            if parent == "":
                parent = None
            if parent is not None and not isinstance(parent, str):
                row_errors.append(
                    FieldError("bad_parent", f"{where}.parent_id", "parent id must be text", parent)
                )
            raw_code = row.get("code")
            code: AreaCode | None = None
            if raw_code not in (None, ""):
                try:
                    code = AreaCode.parse(raw_code)
                except InvalidInput as exc:
                    row_errors.append(
                        FieldError("bad_code", f"{where}.code", exc.message, exc.value)
                    )
            if not row_errors:  # the types are right: lengths are what is left to check
                row_errors.extend(_node_errors(node_id, kind, name, parent, code, where))
            if row_errors:
                errors.extend(row_errors)
                if isinstance(node_id, str):
                    bad_ids.add(node_id)
                continue
            nodes.append(Node(node_id, kind, name, parent, code))  # type: ignore[arg-type]
            positions.append(i)
        if not errors:
            return cls(nodes)
        # Also check the structure of the rows that parsed, so every problem shows at once.
        try:
            _validated_preorder(nodes, positions)
        except InvalidInput as exc:
            # Not echoes of the rows already reported: a missing root, a parent that failed.
            errors.extend(
                e
                for e in exc.errors
                if e.code != "no_root" and not (e.code == "unknown_parent" and e.value in bad_ids)
            )
        errors.sort(key=lambda e: _row_number(e.field))
        raise InvalidInput.collect(errors)

    def to_rows(self) -> list[dict[str, str | None]]:
        """Every node as a plain row, in preorder; ``from_rows`` rebuilds an equal hierarchy.

        >>> h = Hierarchy([Node("C", NodeKind.CITY, "c"), Node("G", NodeKind.GRID, "g", "C")])
        >>> Hierarchy.from_rows(h.to_rows()) == h
        True
        """
        return [node.to_row() for node in self._nodes]

    # ------------------------------------------------------------------ protocol

    def __iter__(self) -> Iterator[Node]:
        return iter(self._nodes)

    def __len__(self) -> int:
        return len(self._nodes)

    def __contains__(self, node_id: object) -> bool:
        return isinstance(node_id, str) and node_id in self._index

    def __eq__(self, other: object) -> bool:
        """Equal when both hold the same nodes; the order of siblings does not matter."""
        if not isinstance(other, Hierarchy):
            return NotImplemented
        if self is other:
            return True
        return len(self._nodes) == len(other._nodes) and set(self._nodes) == set(other._nodes)

    def __hash__(self) -> int:
        return hash((len(self._nodes), self._nodes[0]))

    def __repr__(self) -> str:
        counts = ", ".join(
            f"{kind.value}={len(found)}" for kind, found in self._by_kind.items() if found
        )
        return f"Hierarchy(root={masked_repr(self.root.id)}, {counts})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Hierarchy, (self._nodes,))

    # ------------------------------------------------------------------ lookups

    def _pos(self, node_id: str, field: str = "node_id") -> int:
        if not isinstance(node_id, str):
            raise InvalidInput(
                "not_string",
                field,
                f"expected a node id, got {type(node_id).__name__}",
                value=node_id,
            )
        pos = self._index.get(node_id)
        if pos is None:
            raise UnknownNode(node_id)
        return pos

    def _checked_position(self, position: object) -> int:
        if isinstance(position, bool) or not isinstance(position, int):
            raise InvalidInput(
                "not_integer",
                "position",
                f"expected a whole number, got {type(position).__name__}",
                value=position,
            )
        if not 0 <= position < len(self._nodes):
            raise InvalidInput(
                "out_of_range", "position", f"expected 0 to {len(self._nodes) - 1}", value=position
            )
        return position

    @property
    def root(self) -> Node:
        """The root node."""
        return self._nodes[0]

    def node(self, node_id: str) -> Node:
        """The node with this id; raises :class:`~gridcare.errors.UnknownNode`.

        >>> Hierarchy([Node("C", NodeKind.CITY, "c")]).node("C").name
        'c'
        """
        return self._nodes[self._pos(node_id)]

    def get(self, node_id: str) -> Node | None:
        """The node with this id, or ``None``; an id that is not text is ``InvalidInput``."""
        if not isinstance(node_id, str):
            self._pos(node_id)
        pos = self._index.get(node_id)
        return None if pos is None else self._nodes[pos]

    def position(self, node_id: str) -> int:
        """The node's preorder position (0 for the root): a dense integer key for arrays.

        >>> h = Hierarchy([Node("C", NodeKind.CITY, "c"), Node("G", NodeKind.GRID, "g", "C")])
        >>> h.position("G")
        1
        """
        return self._pos(node_id)

    def positions(self, node_ids: Iterable[str]) -> list[int]:
        """Preorder positions of many nodes at once (one C-level pass over the index).

        Raises :class:`~gridcare.errors.UnknownNode` naming the first unknown id.

        >>> h = Hierarchy([Node("C", NodeKind.CITY, "c"), Node("G", NodeKind.GRID, "g", "C")])
        >>> h.positions(["G", "C", "G"])
        [1, 0, 1]
        """
        if isinstance(node_ids, (str, bytes, Mapping)) or not isinstance(node_ids, Iterable):
            raise InvalidInput(
                "not_list",
                "node_ids",
                f"expected node ids, got {type(node_ids).__name__}",
                value=node_ids,
            )
        ids = node_ids if isinstance(node_ids, Sequence) else read_once(node_ids, "node_ids")
        try:
            return list(map(self._index.__getitem__, ids))
        except (KeyError, TypeError):
            pass  # looked up one at a time below, outside the handler: no chained input
        return [self._pos(node_id) for node_id in ids]  # UnknownNode names the first unknown

    def at(self, position: int) -> Node:
        """The node at a preorder position (``InvalidInput`` outside ``0 .. len - 1``)."""
        return self._nodes[self._checked_position(position)]

    def parent(self, node_id: str) -> Node | None:
        """The parent node (``None`` for the root)."""
        p = self._parent[self._pos(node_id)]
        return None if p < 0 else self._nodes[p]

    def parent_position(self, position: int) -> int:
        """The parent's preorder position, ``-1`` for the root."""
        return self._parent[self._checked_position(position)]

    def ancestors(self, node_id: str) -> tuple[Node, ...]:
        """The nodes above ``node_id``, nearest first (parent, grandparent, ..., root).

        >>> h = Hierarchy([Node("C", NodeKind.CITY, "c"), Node("G", NodeKind.GRID, "g", "C")])
        >>> [n.id for n in h.ancestors("G")], h.ancestors("C")
        (['C'], ())
        """
        pos = self._pos(node_id)
        nodes = self._nodes
        chain = self._chain[pos]
        return tuple(nodes[a] for a in reversed(chain) if a >= 0)

    def ancestor_of_kind(self, node_id: str, kind: NodeKind) -> Node | None:
        """The node of ``kind`` at or above ``node_id``; ``None`` if that level is skipped.

        >>> h = Hierarchy([Node("C", NodeKind.CITY, "c"), Node("G", NodeKind.GRID, "g", "C")])
        >>> h.ancestor_of_kind("G", NodeKind.CITY).id, h.ancestor_of_kind("G", NodeKind.STREET)
        ('C', None)
        """
        pos = self._pos(node_id)
        kind = _kind_argument(kind)
        node = self._nodes[pos]
        if node.kind is kind:
            return node
        a = self._chain[pos][_RANK[kind]]
        return None if a < 0 else self._nodes[a]

    def grid_of(self, node_id: str) -> Node | None:
        """The grid at or above ``node_id`` (``None`` above grid level)."""
        return self.ancestor_of_kind(node_id, NodeKind.GRID)

    def ancestor_positions(self, kind: NodeKind) -> array[int]:
        """For every preorder position, the position of its ancestor-or-self of ``kind`` (or -1).

        The fast path for bulk counting: ``grid = h.ancestor_positions(GRID)[pos]``.
        Built on first use for each kind, then kept.
        """
        kind = _kind_argument(kind)
        found = self._cache.get(kind)
        if found is None:
            r = _RANK[kind]
            nodes = self._nodes
            found = array(
                "i",
                (
                    pos if nodes[pos].kind is kind else chain[r]
                    for pos, chain in enumerate(self._chain)
                ),
            )
            self._cache[kind] = found
        return found

    def ancestor_index(self, kind: NodeKind) -> Mapping[str, int]:
        """Node id -> the position of its ancestor-or-self of ``kind`` (or -1), in one lookup.

        The fast path for counting records keyed by node id (1.39 million visit
        attempts by household): one dict lookup per record instead of
        :meth:`positions` followed by :meth:`ancestor_positions`. Built on first
        use for each kind, then kept (about 30 bytes per node: 42 MB for a city
        of 1.46 million nodes); a pickled hierarchy leaves it behind. Treat the
        mapping as read-only.

        >>> h = Hierarchy([Node("C", NodeKind.CITY, "c"), Node("G", NodeKind.GRID, "g", "C"),
        ...                Node("H", NodeKind.HOUSEHOLD, "h", "G")])
        >>> index = h.ancestor_index(NodeKind.GRID)
        >>> index["H"], index["G"], index["C"]
        (1, 1, -1)
        """
        kind = _kind_argument(kind)
        found = self._id_cache.get(kind)
        if found is None:
            # One int object per distinct value: millions of nodes share a few
            # thousand ancestors, and the mapping should not hold an int per node.
            shared: dict[int, int] = {}
            values = [shared.setdefault(v, v) for v in self.ancestor_positions(kind)]
            found = dict(zip(self._index, values, strict=True))
            self._id_cache[kind] = found
        return found

    def children(self, node_id: str) -> tuple[Node, ...]:
        """The nodes directly under ``node_id``, in input order."""
        pos = self._pos(node_id)
        nodes = self._nodes
        end = self._end
        found = []
        child = pos + 1
        stop = end[pos]
        while child < stop:  # preorder: the next sibling starts where a subtree ends
            found.append(nodes[child])
            child = end[child]
        return tuple(found)

    def descendants(self, node_id: str, kind: NodeKind | None = None) -> tuple[Node, ...]:
        """Every node strictly below ``node_id`` (only those of ``kind`` if given), in preorder.

        >>> h = Hierarchy([Node("C", NodeKind.CITY, "c"), Node("G", NodeKind.GRID, "g", "C"),
        ...                Node("H", NodeKind.HOUSEHOLD, "h", "G")])
        >>> [n.id for n in h.descendants("C")]
        ['G', 'H']
        >>> [n.id for n in h.descendants("C", NodeKind.HOUSEHOLD)]
        ['H']
        """
        pos = self._pos(node_id)
        start, stop = pos + 1, self._end[pos]
        nodes = self._nodes
        if kind is None:
            return tuple(nodes[start:stop])
        found = self._by_kind[_kind_argument(kind)]
        lo = bisect_left(found, start)
        hi = bisect_left(found, stop)
        return tuple(nodes[found[i]] for i in range(lo, hi))

    def count_below(self, node_id: str, kind: NodeKind) -> int:
        """How many nodes of ``kind`` are at or below ``node_id`` (two bisections)."""
        pos = self._pos(node_id)
        found = self._by_kind[_kind_argument(kind)]
        return bisect_left(found, self._end[pos]) - bisect_left(found, pos)

    def nodes_of(self, kind: NodeKind) -> tuple[Node, ...]:
        """Every node of ``kind``, in preorder (``InvalidInput`` code ``bad_kind`` for no kind).

        >>> Hierarchy([Node("C", NodeKind.CITY, "c")]).nodes_of("town")
        Traceback (most recent call last):
        ...
        gridcare.errors.InvalidInput: kind: expected a NodeKind [bad_kind]
        """
        nodes = self._nodes
        return tuple(nodes[i] for i in self._by_kind[_kind_argument(kind)])

    def is_within(self, node_id: str, ancestor_id: str) -> bool:
        """Whether ``node_id`` is ``ancestor_id`` or lies below it (constant time).

        >>> h = Hierarchy([Node("C", NodeKind.CITY, "c"), Node("G", NodeKind.GRID, "g", "C")])
        >>> h.is_within("G", "C"), h.is_within("C", "G"), h.is_within("G", "G")
        (True, False, True)
        """
        pos = self._pos(node_id)
        top = self._pos(ancestor_id, "ancestor_id")
        return top <= pos < self._end[top]

    def depth(self, node_id: str) -> int:
        """How many ancestors the node has (0 for the root)."""
        return len(self.ancestors(node_id))

    def path(self, node_id: str) -> tuple[Node, ...]:
        """The nodes from the root down to ``node_id`` inclusive."""
        return (*reversed(self.ancestors(node_id)), self.node(node_id))

    def path_names(self, node_id: str, *, masked: bool = True) -> tuple[str, ...]:
        """The names from the root down to ``node_id``, masked by default.

        Each name is masked as :meth:`Node.masked_name` says; ``masked=False``
        gives the names as they are.

        >>> h = Hierarchy([Node("C", NodeKind.CITY, "株洲市"),
        ...                Node("H", NodeKind.HOUSEHOLD, "3栋301", "C")])
        >>> h.path_names("H"), h.path_names("H", masked=False)
        (('株洲市', '3栋***'), ('株洲市', '3栋301'))
        """
        require_flag(masked, "masked")
        return tuple(n.masked_name() if masked else n.name for n in self.path(node_id))


def _row_number(field: str) -> int:
    parts = field.split(".")
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else -1


def _validated_preorder(nodes: Sequence[Node], positions: Sequence[int] | None = None) -> list[int]:
    """Check the structure of ``nodes``; return their indices in depth-first preorder.

    Raises one ``InvalidInput`` listing every problem: ``bad_node``, ``missing``,
    ``bad_parent``, ``duplicate_id``, ``unknown_parent``, ``kind_order``,
    ``code_outside_parent``, ``bad_code``, ``cycle``, ``no_root``, ``several_roots``.
    Each problem is reported on the row that has it: a node that is fine itself
    but hangs under a faulty one (an unknown parent, a second root, a cycle) is
    not reported again.
    """
    where = positions if positions is not None else range(len(nodes))
    errors: list[FieldError] = []
    index: dict[str, int] = {}
    usable: list[int] = []  # nodes whose own fields allow a structural check
    for i, node in enumerate(nodes):
        if not isinstance(node, Node) or not isinstance(node.kind, NodeKind):
            errors.append(FieldError("bad_node", f"nodes.{where[i]}", "expected a Node"))
            continue
        if not isinstance(node.id, str) or not node.id:
            errors.append(
                FieldError("missing", f"nodes.{where[i]}.id", "a non-empty id is required")
            )
            continue
        if node.parent_id is not None and not isinstance(node.parent_id, str):
            errors.append(
                FieldError(
                    "bad_parent", f"nodes.{where[i]}.parent_id", "parent id must be text", None
                )
            )
            continue
        if node.id in index:
            # Keep checking the rest: the first node with the id is the one others refer to.
            errors.append(
                FieldError(
                    "duplicate_id",
                    f"nodes.{where[i]}.id",
                    f"id {node.id!r} already used by nodes.{where[index[node.id]]}",
                    node.id,
                )
            )
            continue
        index[node.id] = i
        usable.append(i)
    roots: list[int] = []
    kids: dict[int, list[int]] = {}
    parent_of: dict[int, int] = {}
    for i in usable:
        node = nodes[i]
        if node.parent_id is None:
            roots.append(i)
            continue
        p = index.get(node.parent_id)
        if p is None:
            errors.append(
                FieldError(
                    "unknown_parent",
                    f"nodes.{where[i]}.parent_id",
                    f"unknown parent {node.parent_id!r}",
                    node.parent_id,
                )
            )
            continue
        parent = nodes[p]
        if _RANK[node.kind] <= _RANK[parent.kind]:
            errors.append(
                FieldError(
                    "kind_order",
                    f"nodes.{where[i]}.kind",
                    f"a {node.kind.value} cannot sit under a {parent.kind.value} ({parent.id!r})",
                    node.kind.value,
                )
            )
        kids.setdefault(p, []).append(i)
        parent_of[i] = p
    if not roots:
        errors.append(FieldError("no_root", "nodes", "no node without a parent"))
    elif len(roots) > 1:
        errors.extend(
            FieldError(
                "several_roots",
                f"nodes.{where[i]}.parent_id",
                f"second root {nodes[i].id!r} (the first is {nodes[roots[0]].id!r})",
                nodes[i].id,
            )
            for i in roots[1:]
        )
    # Depth-first preorder from the (first) root; children in input order.
    order: list[int] = []
    if roots:
        stack = [roots[0]]
        while stack:
            i = stack.pop()
            order.append(i)
            below = kids.get(i)
            if below:
                stack.extend(reversed(below))
    errors.extend(_cycle_errors(nodes, parent_of, set(order), where))
    # Codes are checked wherever the chain up to the root is sound.
    parents = [-1] * len(nodes)
    for i in order:
        parents[i] = parent_of.get(i, -1)
    errors.extend(_code_errors(nodes, parents, where, only=order))
    if errors:
        errors.sort(key=lambda e: _row_number(e.field))
        raise InvalidInput.collect(errors)
    return order


def _cycle_errors(
    nodes: Sequence[Node], parent_of: Mapping[int, int], reached: set[int], where: Sequence[int]
) -> list[FieldError]:
    """A ``cycle`` error for each node whose chain of parents comes back to itself.

    Each unreached node is walked up once (linear time): a walk stops at a node
    already settled, at a node without a known parent, or where it meets itself,
    which closes a cycle.
    """
    settled = set(reached)
    on_cycle: list[int] = []
    for start in parent_of:
        if start in settled:
            continue
        path: dict[int, int] = {}  # node -> its place on this walk
        i: int | None = start
        while i is not None and i not in settled and i not in path:
            path[i] = len(path)
            i = parent_of.get(i)
        if i is not None and i in path:
            walk = list(path)
            on_cycle.extend(walk[path[i] :])
        settled.update(path)
    return [
        FieldError(
            "cycle",
            f"nodes.{where[i]}.parent_id",
            f"{nodes[i].id!r} is its own ancestor (its parents form a cycle)",
            nodes[i].id,
        )
        for i in sorted(on_cycle)
    ]


def _code_errors(
    nodes: Sequence[Node],
    parent: Sequence[int],
    where: Sequence[int] | None = None,
    *,
    only: Iterable[int] | None = None,
) -> list[FieldError]:
    """Division codes must nest: each lies inside the code of its nearest coded ancestor.

    Only coded nodes are visited (a few thousand in a city), each walking up to
    its nearest coded ancestor. ``only`` limits the check to those positions
    (whose parent chains must be sound), in that order.
    """
    errors: list[FieldError] = []
    for i in range(len(nodes)) if only is None else only:
        node = nodes[i]
        code = node.code
        if code is None:
            continue
        row = where[i] if where is not None else i
        if not isinstance(code, AreaCode):
            errors.append(FieldError("bad_code", f"nodes.{row}.code", "expected an AreaCode"))
            continue
        up = parent[i]
        while up >= 0 and nodes[up].code is None:
            up = parent[up]
        if up >= 0:
            above = nodes[up].code
            if isinstance(above, AreaCode) and not above.contains(code):
                errors.append(
                    FieldError(
                        "code_outside_parent",
                        f"nodes.{row}.code",
                        f"code {code} is not inside {above}",
                        str(code),
                    )
                )
    return errors
