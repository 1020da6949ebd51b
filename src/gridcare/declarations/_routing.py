"""Routing a declaration to the grid responsible for its address.

Rules this module obeys:

* the index is built once from the hierarchy (and the door QR codes handed out):
  node ids, community ids, codes and names, building numbers per community;
* an address is resolved by its most specific part first: household id, unit
  id, building id, door QR code, then community plus building number (or the
  community alone when it has a single grid);
* an address that cannot be resolved is *unrouted* with the reason, to be
  routed by hand: nothing is lost to a bad address
  (``len(routed) + len(unrouted) == len(declarations)``).

>>> from gridcare.hierarchy import Hierarchy, Node, NodeKind
>>> h = Hierarchy([
...     Node("C", NodeKind.CITY, "株洲市"),
...     Node("M", NodeKind.COMMUNITY, "大塘社区", "C"),
...     Node("G1", NodeKind.GRID, "第1网格", "M"),
...     Node("B3", NodeKind.BUILDING, "3栋", "G1"),
...     Node("H301", NodeKind.HOUSEHOLD, "301", "B3"),
... ])
>>> index = AddressIndex.from_hierarchy(h, qr_codes={"QR-9F2": "H301"})
>>> index.route(DeclaredAddress(community="大塘社区", building="3号楼")).grid_id
'G1'
>>> index.route(DeclaredAddress(door_code="QR-9F2")).method
<RouteMethod.DOOR_CODE: 'door_code'>
>>> index.route(DeclaredAddress(text="芦淞区某小区")).reason
<UnroutedReason.FREE_TEXT_ONLY: 'free_text_only'>
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from enum import Enum
from typing import TypeVar

import attrs

from gridcare.codes import AreaCode
from gridcare.declarations._checks import by_id, optional_text, trusted
from gridcare.declarations._domain import Declaration, DeclaredAddress
from gridcare.declarations._enums import RouteMethod, UnroutedReason
from gridcare.errors import FieldError, InvalidInput, read_mapping, read_once, require_instance
from gridcare.hierarchy import Hierarchy, NodeKind
from gridcare.masking import mask_text, masked_field_reprs
from gridcare.text import TEXT_LIMITS, text_problem

__all__ = ["AddressIndex", "Route", "RoutingResult", "building_key"]

_ROUTABLE = frozenset({NodeKind.BUILDING, NodeKind.UNIT, NodeKind.HOUSEHOLD, NodeKind.GRID})
_BUILDING_SUFFIX = re.compile(r"(号楼|栋|幢|座|楼|号|#)$")
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_AMBIGUOUS = ""
_C = TypeVar("_C", bound=Enum)


def building_key(text: str) -> str:
    """The comparable form of a building number: ``"3栋"``, ``"3号楼"``, ``"03"`` are all ``"3"``.

    >>> building_key(" 第12号楼 "), building_key("A座"), building_key("０３幢")
    ('12', 'A', '3')
    """
    if not isinstance(text, str):
        raise InvalidInput("not_string", "text", f"expected text, got {type(text).__name__}")
    key = text.strip().translate(_FULLWIDTH).replace(" ", "").upper()
    key = key.removeprefix("第")
    key = _BUILDING_SUFFIX.sub("", key)
    stripped = key.lstrip("0")
    return stripped if stripped or not key else "0"


def _optional_choice(value: object, kind: type[_C], field: str) -> _C | None:
    return None if value is None else require_instance(value, kind, field, code="bad_choice")


@attrs.frozen(init=False, field_transformer=masked_field_reprs)
class Route:
    """Where a declaration goes: a grid (``grid_id``) found by ``method``, or the reason it
    could not be routed.

    Checked on construction: ids are texts with the rules of an id
    (:mod:`gridcare.text`) or ``None``, ``method`` a :class:`RouteMethod` and
    ``reason`` an :class:`UnroutedReason` or ``None``.

    >>> Route(None, None, None, UnroutedReason.UNKNOWN_DOOR_CODE).routed
    False
    """

    grid_id: str | None
    node_id: str | None
    method: RouteMethod | None
    reason: UnroutedReason | None = None

    def __init__(
        self,
        grid_id: str | None,
        node_id: str | None,
        method: RouteMethod | None,
        reason: UnroutedReason | None = None,
    ) -> None:
        self.__attrs_init__(
            optional_text(grid_id, "grid_id"),
            optional_text(node_id, "node_id"),
            _optional_choice(method, RouteMethod, "method"),
            _optional_choice(reason, UnroutedReason, "reason"),
        )

    @property
    def routed(self) -> bool:
        """Whether a grid was found."""
        return self.grid_id is not None


@attrs.frozen(init=False, field_transformer=masked_field_reprs)
class RoutingResult:
    """The route of every declaration, by declaration id; nothing is lost.

    ``routes`` maps declaration ids (texts with the rules of an id) to
    :class:`Route` values; anything else is ``InvalidInput``.

    >>> r = RoutingResult({"D1": Route("G1", "H1", RouteMethod.HOUSEHOLD_ID),
    ...                    "D2": Route(None, None, None, UnroutedReason.NO_ADDRESS_KEYS)})
    >>> r.by_grid(), r.unrouted()
    ({'G1': ('D1',)}, {'D2': <UnroutedReason.NO_ADDRESS_KEYS: 'no_address_keys'>})
    """

    routes: dict[str, Route]

    def __init__(self, routes: Mapping[str, Route]) -> None:
        self.__attrs_init__(by_id(routes, Route, "routes"))

    def by_grid(self) -> dict[str, tuple[str, ...]]:
        """Declaration ids per grid, in input order."""
        grids: dict[str, list[str]] = {}
        for declaration_id, route in self.routes.items():
            if route.grid_id is not None:
                grids.setdefault(route.grid_id, []).append(declaration_id)
        return {grid: tuple(ids) for grid, ids in grids.items()}

    def unrouted(self) -> dict[str, UnroutedReason]:
        """The declarations to be routed by hand, with the reason."""
        return {
            declaration_id: route.reason
            for declaration_id, route in self.routes.items()
            if route.reason is not None
        }


#: The route of an address that could not be routed, one per reason (values are shared).
_UNROUTED: dict[UnroutedReason, Route] = {
    reason: trusted(Route, None, None, None, reason) for reason in UnroutedReason
}


class AddressIndex:
    """Resolves declared addresses to grids; built once per hierarchy with :meth:`from_hierarchy`.

    ``qr_codes`` maps a door QR code to the node (household, unit or building) it
    was printed for.

    >>> from gridcare.hierarchy import Hierarchy, Node, NodeKind
    >>> h = Hierarchy([Node("C", NodeKind.CITY, "c"), Node("G", NodeKind.GRID, "g", "C")])
    >>> AddressIndex.from_hierarchy(h, qr_codes={"X": "nope"})
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: qr_codes.X: unknown node 'nope' [unknown_node]
    """

    __slots__ = ("_buildings", "_communities", "_community_grids", "_hierarchy", "_qr")

    def __init__(
        self,
        hierarchy: Hierarchy,
        qr: dict[str, str],
        communities: dict[str, str],
        buildings: dict[tuple[str, str], str],
        community_grids: dict[str, str],
    ) -> None:
        # The indexes are built by from_hierarchy; a caller who builds them checks them.
        if not isinstance(hierarchy, Hierarchy):
            raise InvalidInput("not_hierarchy", "hierarchy", "expected a Hierarchy")
        for field, value in (
            ("qr", qr),
            ("communities", communities),
            ("buildings", buildings),
            ("community_grids", community_grids),
        ):
            if not isinstance(value, dict):
                raise InvalidInput("not_mapping", field, "expected a dict (see from_hierarchy)")
        self._hierarchy = hierarchy
        self._qr = qr
        self._communities = communities
        self._buildings = buildings
        self._community_grids = community_grids

    @classmethod
    def from_hierarchy(
        cls, hierarchy: Hierarchy, *, qr_codes: Mapping[str, str] | None = None
    ) -> AddressIndex:
        """Index ``hierarchy`` (and the door QR codes); unknown QR targets are refused at once."""
        if not isinstance(hierarchy, Hierarchy):
            raise InvalidInput("not_hierarchy", "hierarchy", "expected a Hierarchy")
        errors: list[FieldError] = []
        qr: dict[str, str] = {}
        if qr_codes is not None and not isinstance(qr_codes, Mapping):
            raise InvalidInput("not_mapping", "qr_codes", "expected a mapping of door codes")
        for code, node_id in read_mapping({} if qr_codes is None else qr_codes, "qr_codes").items():
            node = hierarchy.get(node_id) if isinstance(node_id, str) else None
            problem = text_problem(code, "", max_length=TEXT_LIMITS["code"])
            if problem is not None:
                errors.append(FieldError(problem.code, "qr_codes", problem.message))
                continue
            where = f"qr_codes.{mask_text(code) if len(code) > 8 else code}"
            if node is None:
                errors.append(FieldError("unknown_node", where, f"unknown node {node_id!r}"))
            elif hierarchy.grid_of(node.id) is None:
                errors.append(
                    FieldError("not_under_a_grid", where, f"node {node_id!r} is above grid level")
                )
            else:
                qr[code.strip()] = node.id
        if errors:
            raise InvalidInput.collect(errors)
        communities: dict[str, str] = {}
        community_grids: dict[str, str] = {}
        for node in hierarchy.nodes_of(NodeKind.COMMUNITY):
            keys = {node.id, node.name.strip()}
            if node.code is not None:
                keys.add(str(node.code))
            for key in keys:
                seen = communities.get(key)
                communities[key] = node.id if seen in (None, node.id) else _AMBIGUOUS
            grids = hierarchy.descendants(node.id, NodeKind.GRID)
            if len(grids) == 1:
                community_grids[node.id] = grids[0].id
        buildings: dict[tuple[str, str], str] = {}
        for node in hierarchy.nodes_of(NodeKind.BUILDING):
            community = hierarchy.ancestor_of_kind(node.id, NodeKind.COMMUNITY)
            if community is None or hierarchy.grid_of(node.id) is None:
                continue
            place = (community.id, building_key(node.name))
            seen = buildings.get(place)
            buildings[place] = node.id if seen is None else _AMBIGUOUS
        return cls(hierarchy, qr, communities, buildings, community_grids)

    def _by_id(self, node_id: str, method: RouteMethod) -> Route:
        node = self._hierarchy.get(node_id)
        if node is None:
            return _UNROUTED[UnroutedReason.UNKNOWN_NODE]
        grid = self._hierarchy.grid_of(node.id) if node.kind in _ROUTABLE else None
        if grid is None:
            return _UNROUTED[UnroutedReason.NOT_UNDER_A_GRID]
        return trusted(Route, grid.id, node.id, method, None)

    def _community(self, text: str) -> str | None:
        found = self._communities.get(text)
        if found is None and AreaCode.is_valid(text):
            found = self._communities.get(str(AreaCode.parse(text)))
        return found

    def route(self, address: DeclaredAddress) -> Route:
        """Resolve one address: the grid and how it was found, or why not.

        >>> from gridcare.hierarchy import Hierarchy, Node, NodeKind
        >>> h = Hierarchy([Node("C", NodeKind.CITY, "c"), Node("G", NodeKind.GRID, "g", "C")])
        >>> AddressIndex.from_hierarchy(h).route(DeclaredAddress(household_id="H9")).reason
        <UnroutedReason.UNKNOWN_NODE: 'unknown_node'>
        >>> AddressIndex.from_hierarchy(h).route("3栋")
        Traceback (most recent call last):
        ...
        gridcare.errors.InvalidInput: address: expected a DeclaredAddress, got str [not_address]
        """
        if not isinstance(address, DeclaredAddress):
            raise InvalidInput(
                "not_address",
                "address",
                f"expected a DeclaredAddress, got {type(address).__name__}",
            )
        return self._route(address)

    def _route(self, address: DeclaredAddress) -> Route:
        first: Route | None = None
        for node_id, method in (
            (address.household_id, RouteMethod.HOUSEHOLD_ID),
            (address.unit_id, RouteMethod.UNIT_ID),
            (address.building_id, RouteMethod.BUILDING_ID),
        ):
            if node_id is not None:
                found = self._by_id(node_id, method)
                if found.grid_id is not None:
                    return found
                first = first or found
        if address.door_code is not None:
            target = self._qr.get(address.door_code.strip())
            if target is not None:
                return self._by_id(target, RouteMethod.DOOR_CODE)
            first = first or _UNROUTED[UnroutedReason.UNKNOWN_DOOR_CODE]
        if address.community is not None:
            found = self._by_community(address.community, address.building)
            if found.grid_id is not None:
                return found
            first = first or found
        if first is not None:
            return first
        reason = (
            UnroutedReason.FREE_TEXT_ONLY
            if address.text is not None or address.room is not None or address.unit is not None
            else UnroutedReason.NO_ADDRESS_KEYS
        )
        return _UNROUTED[reason]

    def _by_community(self, community_text: str, building: str | None) -> Route:
        community = self._community(community_text.strip())
        if community is None:
            return _UNROUTED[UnroutedReason.UNKNOWN_COMMUNITY]
        if community == _AMBIGUOUS:
            return _UNROUTED[UnroutedReason.AMBIGUOUS_COMMUNITY]
        if building is None:
            grid = self._community_grids.get(community)
            if grid is not None:
                return trusted(Route, grid, community, RouteMethod.COMMUNITY_ONLY, None)
            return _UNROUTED[UnroutedReason.BUILDING_MISSING]
        node_id = self._buildings.get((community, building_key(building)))
        if node_id is None:
            return _UNROUTED[UnroutedReason.UNKNOWN_BUILDING]
        if node_id == _AMBIGUOUS:
            return _UNROUTED[UnroutedReason.AMBIGUOUS_BUILDING]
        return self._by_id(node_id, RouteMethod.COMMUNITY_BUILDING)

    def route_all(
        self,
        declarations: Iterable[Declaration],
        *,
        progress: Callable[[int, int], None] | None = None,
    ) -> RoutingResult:
        """Route every declaration; the result holds one route per declaration id.

        A repeated declaration id is refused (``duplicate_id``): routes are keyed by id;
        anything but declarations is ``not_declaration``.
        """
        if isinstance(declarations, str | bytes) or not isinstance(declarations, Iterable):
            raise InvalidInput("not_declaration", "declarations", "expected declarations")
        if progress is not None and not callable(progress):
            raise InvalidInput("not_callable", "progress", "expected a function (done, total)")
        items = read_once(declarations, "declarations")
        total = len(items)
        step = max(1, total // 100)
        routes: dict[str, Route] = {}
        route = self._route
        for i, declaration in enumerate(items):
            if not isinstance(declaration, Declaration):
                raise InvalidInput(
                    "not_declaration",
                    f"declarations.{i}",
                    f"expected a Declaration, got {type(declaration).__name__}",
                )
            if declaration.id in routes:
                raise InvalidInput(
                    "duplicate_id",
                    f"declarations.{i}.id",
                    "declaration id used twice",
                    value=declaration.id,
                )
            routes[declaration.id] = route(declaration.address)
            if progress is not None and (i + 1) % step == 0:
                progress(i + 1, total)
        if progress is not None and total % step:
            progress(total, total)
        return trusted(RoutingResult, routes)
