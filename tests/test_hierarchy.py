"""The grid hierarchy: building, validation, lookups against brute-force oracles."""

from __future__ import annotations

import pickle
import random
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridcare.codes import AreaCode
from gridcare.errors import InvalidInput, UnknownNode
from gridcare.hierarchy import Hierarchy, Node, NodeKind
from gridcare.testing.strategies import hierarchies, hierarchy_rows, node_kinds
from helpers import codes_of, tiny_hierarchy, tiny_nodes, tiny_rows, walk_up

# --------------------------------------------------------------------------- oracles


def below(h: Hierarchy, node_id: str) -> list[Node]:
    """Every node strictly below ``node_id``, by walking up from each node, in iteration order."""
    return [n for n in h if node_id in {a.id for a in walk_up(h, n.id)}]


def is_preorder(h: Hierarchy) -> bool:
    """Root first, each parent before its children, each subtree one contiguous run."""
    order = [n.id for n in h]
    if h.root.parent_id is not None or order[0] != h.root.id:
        return False
    for i, node in enumerate(h):
        size = len(below(h, node.id))
        if {n.id for n in below(h, node.id)} != set(order[i + 1 : i + 1 + size]):
            return False
    return True


# --------------------------------------------------------------------------- building


def test_tiny_hierarchy_shape() -> None:
    h = tiny_hierarchy()
    assert len(h) == 12
    assert h.root.id == "C"
    assert [n.id for n in h.children("M")] == ["G1", "G2"]
    assert h.grid_of("H2").id == "G2"  # type: ignore[union-attr]
    assert h.ancestor_of_kind("H2", NodeKind.BUILDING) is None  # a skipped level
    assert [n.id for n in h.nodes_of(NodeKind.GRID)] == ["G1", "G2", "G3"]
    assert h.path_names("H1") == (
        *("株洲市", "天元区", "嵩山街道", "大塘社区", "第1网格"),
        *("**", "2单***", "30***"),  # building, unit and household names are masked
    )


@given(hierarchies(max_nodes=15))
def test_round_trip_through_rows(h: Hierarchy) -> None:
    again = Hierarchy.from_rows(h.to_rows())
    assert again == h
    assert again.to_rows() == h.to_rows()
    assert [n.id for n in again] == [n.id for n in h]


@given(hierarchy_rows(max_nodes=15), st.randoms(use_true_random=False))
def test_shuffled_input_equals_preorder_input(
    rows: list[dict[str, Any]], rnd: random.Random
) -> None:
    h = Hierarchy.from_rows(rows)
    assert len(h) == len(rows)
    assert is_preorder(h)
    preorder = Hierarchy.from_rows(h.to_rows())
    shuffled = h.to_rows()
    rnd.shuffle(shuffled)
    assert Hierarchy.from_rows(shuffled) == preorder == h
    assert [n.id for n in preorder] == [n.id for n in h]


@given(hierarchies(max_nodes=15))
def test_iteration_is_preorder(h: Hierarchy) -> None:
    assert is_preorder(h)
    for pos, node in enumerate(h):
        assert h.position(node.id) == pos
        assert h.at(pos) is node
        parent = h.parent(node.id)
        assert h.parent_position(pos) == (-1 if parent is None else h.position(parent.id))


# --------------------------------------------------------------------------- lookups


@given(hierarchies(max_nodes=15))
def test_ancestors_agree_with_repeated_parent(h: Hierarchy) -> None:
    for node in h:
        chain = list(walk_up(h, node.id))
        assert list(h.ancestors(node.id)) == chain
        assert h.depth(node.id) == len(chain)
        assert list(h.path(node.id)) == [*reversed(chain), node]
        if node.parent_id is None:
            assert h.parent(node.id) is None
        else:
            assert h.parent(node.id) == h.node(node.parent_id)


@given(hierarchies(max_nodes=15), node_kinds())
def test_ancestor_of_kind_and_grid_of(h: Hierarchy, kind: NodeKind) -> None:
    positions = h.ancestor_positions(kind)
    for node in h:
        chain = [node, *walk_up(h, node.id)]
        of_kind = next((n for n in chain if n.kind is kind), None)
        assert h.ancestor_of_kind(node.id, kind) == of_kind
        grid = next((n for n in chain if n.kind is NodeKind.GRID), None)
        assert h.grid_of(node.id) == grid
        assert positions[h.position(node.id)] == (-1 if of_kind is None else h.position(of_kind.id))
        assert h.ancestor_index(kind)[node.id] == positions[h.position(node.id)]
    assert len(h.ancestor_index(kind)) == len(h)
    assert h.ancestor_index(kind) is h.ancestor_index(kind)  # built once, kept


def test_ancestor_index_is_left_behind_by_pickle() -> None:
    h = tiny_hierarchy()
    index = h.ancestor_index(NodeKind.GRID)
    back = pickle.loads(pickle.dumps(h))
    assert back == h
    assert back.ancestor_index(NodeKind.GRID) == index
    assert back.ancestor_index(NodeKind.GRID) is not index


@given(hierarchies(max_nodes=15))
def test_is_within_agrees_with_ancestors(h: Hierarchy) -> None:
    for a in h:
        ancestors = {n.id for n in walk_up(h, a.id)}
        for b in h:
            assert h.is_within(a.id, b.id) == (a.id == b.id or b.id in ancestors)


@given(hierarchies(max_nodes=15), st.one_of(st.none(), node_kinds()))
def test_descendants_agree_with_brute_force(h: Hierarchy, kind: NodeKind | None) -> None:
    for node in h:
        expected = [n for n in below(h, node.id) if kind is None or n.kind is kind]
        assert list(h.descendants(node.id, kind)) == expected
        if kind is not None:
            assert h.count_below(node.id, kind) == len(expected) + (node.kind is kind)


@given(hierarchies(max_nodes=15))
def test_children_agree_with_parent(h: Hierarchy) -> None:
    for node in h:
        assert list(h.children(node.id)) == [n for n in h if n.parent_id == node.id]
    for kind in NodeKind:
        assert list(h.nodes_of(kind)) == [n for n in h if n.kind is kind]


@given(hierarchies(max_nodes=15))
def test_kinds_descend_and_codes_nest(h: Hierarchy) -> None:
    for node in h:
        coded = [a for a in walk_up(h, node.id) if a.code is not None]
        for a in walk_up(h, node.id):
            assert a.kind.rank < node.kind.rank
        if node.code is not None and coded:
            assert coded[0].code.contains(node.code)  # type: ignore[union-attr]


def test_lookups_of_unknown_ids_raise_unknown_node() -> None:
    h = tiny_hierarchy()
    for lookup in (h.node, h.parent, h.ancestors, h.children, h.descendants, h.grid_of):
        with pytest.raises(UnknownNode) as info:
            lookup("nope")
        assert info.value.node_id == "nope"
    with pytest.raises(UnknownNode):
        h.is_within("H1", "nope")
    assert h.get("nope") is None
    assert "nope" not in h
    assert "H1" in h


def test_node_repr_masks_names_below_the_community() -> None:
    h = tiny_hierarchy()
    assert repr(h.node("H1")) == "Node('H1', household, '30***', parent='U1')"
    assert "301" not in repr(h.node("H1"))
    assert "刘家" not in repr(h.node("H2"))
    assert repr(h.node("G1")) == "Node('G1', grid, '第1网格', parent='M')"
    assert repr(h.node("C")) == "Node('C', city, '株洲市', code='430200')"
    assert h.path_names("H1", masked=False)[-1] == "301室"


@given(hierarchies(max_nodes=15))
def test_pickling_round_trip(h: Hierarchy) -> None:
    again = pickle.loads(pickle.dumps(h))
    assert again == h
    assert [n.id for n in again] == [n.id for n in h]
    for node in h:
        assert again.ancestors(node.id) == h.ancestors(node.id)


def test_equality_ignores_sibling_order() -> None:
    nodes = tiny_nodes()
    swapped = [*nodes[:4], *nodes[8:10], *nodes[4:8], *nodes[10:]]  # G2 before G1
    assert Hierarchy(swapped) == tiny_hierarchy()
    assert hash(Hierarchy(swapped)) == hash(tiny_hierarchy())
    assert Hierarchy(nodes[:4]) != tiny_hierarchy()


# --------------------------------------------------------------------------- bad input


def build_errors(rows: list[dict[str, Any]]) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        Hierarchy.from_rows(rows)
    return info.value


def row(node_id: str, kind: str, parent: str | None, code: str | None = None) -> dict[str, Any]:
    return {"id": node_id, "kind": kind, "name": node_id, "parent_id": parent, "code": code}


@pytest.mark.parametrize(
    ("extra", "code", "field"),
    [
        ([row("X", "grid", "nope")], "unknown_parent", "parent_id"),
        ([row("G1", "grid", "M")], "duplicate_id", "id"),
        ([row("X", "district", "G2")], "kind_order", "kind"),
        ([row("X", "grid", "G2")], "kind_order", "kind"),
        ([row("X", "community", "S", "99")], "bad_code", "code"),
        ([row("X", "community", "S", "430202001001")], "code_outside_parent", "code"),
        ([row("X", "community", "Y", "430211001002")], "code_outside_parent", "code"),
        ([row("X", "town", "C")], "bad_kind", "kind"),
        ([row("X", "city", None)], "several_roots", "parent_id"),
        ([row("X", "city", "")], "several_roots", "parent_id"),
        ([{"kind": "grid", "name": "x", "parent_id": "C"}], "missing", "id"),
        ([row("X", "grid", 5)], "bad_parent", "parent_id"),  # type: ignore[arg-type]
        (["not a row"], "bad_row", None),
    ],
)
def test_each_bad_row_has_its_code_and_field(
    extra: list[Any], code: str, field: str | None
) -> None:
    err = build_errors([*tiny_rows(), *extra])
    assert [(e.code, e.field) for e in err.errors] == [
        (code, "nodes.12" if field is None else f"nodes.12.{field}")
    ]


def test_a_cycle_is_reported() -> None:
    cycle = [row("P", "building", "Q"), row("Q", "unit", "P")]
    err = build_errors([*tiny_rows(), *cycle])
    assert {(e.code, e.field) for e in err.errors} == {
        ("cycle", "nodes.12.parent_id"),
        ("cycle", "nodes.13.parent_id"),
        ("kind_order", "nodes.12.kind"),  # a cycle always climbs somewhere
    }


def test_every_bad_row_is_reported_at_once() -> None:
    rows = [
        *tiny_rows(),  # 0-11, valid
        row("X1", "grid", "nope"),  # 12
        row("P", "building", "Q"),  # 13
        row("Q", "unit", "P"),  # 14
        row("G1", "grid", "M"),  # 15
        row("K", "district", "G2"),  # 16
        row("BC", "community", "S", "99"),  # 17
        row("CO", "community", "S", "430202001001"),  # 18
        row("BK", "town", "C"),  # 19
        row("R2", "city", None),  # 20
        row("X2", "household", "X1"),  # 21: fine itself, under a row with a problem
        row("BK2", "grid", "BK"),  # 22: fine itself, under a row with a problem
        row("R2G", "grid", "R2"),  # 23: fine itself, under the second root
    ]
    err = build_errors(rows)
    assert [(e.code, e.field) for e in err.errors] == [
        ("unknown_parent", "nodes.12.parent_id"),
        ("kind_order", "nodes.13.kind"),
        ("cycle", "nodes.13.parent_id"),
        ("cycle", "nodes.14.parent_id"),
        ("duplicate_id", "nodes.15.id"),
        ("kind_order", "nodes.16.kind"),
        ("bad_code", "nodes.17.code"),
        ("code_outside_parent", "nodes.18.code"),
        ("bad_kind", "nodes.19.kind"),
        ("several_roots", "nodes.20.parent_id"),
    ]
    assert err.code == "unknown_parent"
    assert str(err).startswith("10 problems")


def test_no_rows_and_no_root() -> None:
    assert codes_of(build_errors([]).errors) == ["no_root"]
    err = build_errors([row("A", "city", "B"), row("B", "grid", "A")])
    assert "no_root" in codes_of(err.errors)
    assert "cycle" in codes_of(err.errors)


def test_nodes_are_checked_like_rows() -> None:
    nodes = tiny_nodes()
    bad = [
        *nodes,
        Node("G1", NodeKind.GRID, "dup", "M"),
        Node("Z", NodeKind.GRID, "z", "nowhere"),
        Node("W", NodeKind.COMMUNITY, "w", "S", AreaCode.parse("430281001001")),
        "not a node",
    ]
    before = list(bad)
    with pytest.raises(InvalidInput) as info:
        Hierarchy(bad)  # type: ignore[arg-type]
    assert [(e.code, e.field) for e in info.value.errors] == [
        ("duplicate_id", "nodes.12.id"),
        ("unknown_parent", "nodes.13.parent_id"),
        ("code_outside_parent", "nodes.14.code"),
        ("bad_node", "nodes.15"),
    ]
    assert bad == before  # nothing partial, nothing changed


@given(hierarchy_rows(min_nodes=2, max_nodes=15), st.data())
def test_a_broken_parent_link_is_always_reported(
    rows: list[dict[str, Any]], data: st.DataObject
) -> None:
    victim = data.draw(st.sampled_from([r for r in rows if r["parent_id"]]))
    victim["parent_id"] = victim["parent_id"] + "-missing"
    err = build_errors(rows)
    assert [(e.code, e.value) for e in err.errors] == [("unknown_parent", victim["parent_id"])]


@pytest.mark.parametrize(
    "fields",
    [
        (["x"], NodeKind.GRID, "g", "C"),
        ("X", "grid", "g", "C"),
        ("X", NodeKind.GRID, "g", ["C"]),
    ],
)
def test_badly_typed_nodes_raise_invalid_input(fields: tuple[Any, ...]) -> None:
    # A badly typed node is refused where it is built, before any hierarchy sees it.
    with pytest.raises(InvalidInput):
        Hierarchy([*tiny_nodes(), Node(*fields)])


# ----------------------------------------------------------------------------- wrong types


def _deep(depth: int = 50_000) -> list[object]:
    value: list[object] = []
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        (("H", NodeKind.HOUSEHOLD, 123), "not_string", "name"),
        ((123, NodeKind.GRID, "g"), "not_string", "id"),
        (("", NodeKind.GRID, "g"), "missing", "id"),
        (("G", "town", "g"), "bad_kind", "kind"),
        (("G", NodeKind.GRID, "g", ""), "missing", "parent_id"),
        (("G", NodeKind.GRID, "g", None, "430211"), "bad_code", "code"),
        (("G" * 65, NodeKind.GRID, "g"), "too_long", "id"),
        (("G", NodeKind.GRID, "n" * 201), "too_long", "name"),
    ],
)
def test_a_node_refuses_bad_fields(fields: tuple[Any, ...], code: str, field: str) -> None:
    with pytest.raises(InvalidInput) as err:
        Node(*fields)
    assert (err.value.code, err.value.field) == (code, field)


def test_rows_with_overlong_fields_are_reported_with_their_row() -> None:
    rows = tiny_rows()
    rows[3]["name"] = "n" * 201
    with pytest.raises(InvalidInput) as err:
        Hierarchy.from_rows(rows)
    assert (err.value.code, err.value.field) == ("too_long", "nodes.3.name")


@pytest.mark.parametrize("kind", ["town", 3, ["grid"], _deep(100)])
def test_an_unknown_kind_is_invalid_input(kind: object) -> None:
    h = tiny_hierarchy()
    calls = [
        lambda: h.nodes_of(kind),  # type: ignore[arg-type]
        lambda: h.descendants(h.root.id, kind),  # type: ignore[arg-type]
        lambda: h.count_below(h.root.id, kind),  # type: ignore[arg-type]
        lambda: h.ancestor_of_kind(h.root.id, kind),  # type: ignore[arg-type]
        lambda: h.ancestor_positions(kind),  # type: ignore[arg-type]
        lambda: h.ancestor_index(kind),  # type: ignore[arg-type]
    ]
    for call in calls:
        with pytest.raises(InvalidInput) as err:
            call()
        assert (err.value.code, err.value.field) == ("bad_kind", "kind")


def test_a_kind_may_be_given_by_its_value() -> None:
    h = tiny_hierarchy()
    with pytest.raises(InvalidInput):
        h.nodes_of(None)  # type: ignore[arg-type]
    assert h.nodes_of("grid") == h.nodes_of(NodeKind.GRID)  # type: ignore[arg-type]


@pytest.mark.parametrize("node_id", [None, 7, _deep(), ["C"], b"C"])
def test_a_node_id_that_is_not_text_is_invalid_input(node_id: object) -> None:
    h = tiny_hierarchy()
    for call in (h.node, h.parent, h.ancestors, h.children, h.descendants, h.position, h.get):
        with pytest.raises(InvalidInput) as err:
            call(node_id)  # type: ignore[operator]
        assert (err.value.code, err.value.field) == ("not_string", "node_id")
    with pytest.raises(InvalidInput):
        h.positions([h.root.id, node_id])  # type: ignore[list-item]
    assert node_id not in h


def test_an_unknown_text_id_is_still_unknown_node() -> None:
    h = tiny_hierarchy()
    with pytest.raises(UnknownNode):
        h.node("X" * 10_000)
    assert len(str(UnknownNode("X" * 10_000))) < 200


@pytest.mark.parametrize("nodes", [None, 5, "C", {"id": "C"}])
def test_a_hierarchy_needs_a_list_of_nodes(nodes: object) -> None:
    for build in (Hierarchy, Hierarchy.from_rows):
        with pytest.raises(InvalidInput) as err:
            build(nodes)  # type: ignore[arg-type]
        assert (err.value.code, err.value.field) == ("not_list", "nodes")


@pytest.mark.parametrize("position", [-1, 10**6, None, 1.0, True])
def test_positions_are_checked(position: object) -> None:
    h = tiny_hierarchy()
    for call in (h.at, h.parent_position):
        with pytest.raises(InvalidInput) as err:
            call(position)  # type: ignore[arg-type]
        assert err.value.field == "position"


def _unchecked(*fields: Any) -> Node:
    """A node built by the two unchecked steps the synthetic city's builder uses."""
    node = object.__new__(Node)
    node.__attrs_init__(*fields)
    return node


@given(hierarchies(max_nodes=15))
def test_unchecked_node_is_the_checked_one(h: Hierarchy) -> None:
    """Built without the checks, a node whose fields pass them is the same node."""
    for node in h:
        fields = (node.id, node.kind, node.name, node.parent_id, node.code)
        built = _unchecked(*fields)
        checked = Node(*fields)
        assert built == checked
        assert repr(built) == repr(checked)
        assert hash(built) == hash(checked)
        assert type(built) is Node


def test_unchecked_node_does_not_check() -> None:
    """What a builder vouches for is not checked again: a slip gives a wrong node."""
    built = _unchecked("H\x00", NodeKind.HOUSEHOLD, "1栋101室", None, None)
    assert built.id == "H\x00"
    with pytest.raises(InvalidInput):
        Node("H\x00", NodeKind.HOUSEHOLD, "1栋101室")


def test_node_keywords_and_checks_are_as_before() -> None:
    node = Node(id="G1", kind=NodeKind.GRID, name="第1网格", parent_id="C", code=None)
    assert node == Node("G1", NodeKind.GRID, "第1网格", "C")
    with pytest.raises(InvalidInput) as caught:
        Node("G1", "grid", 5)  # type: ignore[arg-type]
    assert {e.field for e in caught.value.errors} == {"kind", "name"}
