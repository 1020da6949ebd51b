"""Principals and views: subtree scope, masking above the community."""

from __future__ import annotations

from operator import attrgetter

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridcare.errors import InvalidInput, OutOfScope, UnknownNode
from gridcare.hierarchy import Hierarchy, Node, NodeKind
from gridcare.masking import mask_name
from gridcare.scope import Access, Listing, Principal, View, redact

CITY = Hierarchy(
    [
        Node("C", NodeKind.CITY, "株洲市"),
        Node("S", NodeKind.STREET, "嵩山街道", "C"),
        Node("M", NodeKind.COMMUNITY, "大塘社区", "S"),
        Node("G1", NodeKind.GRID, "一网格", "M"),
        Node("H1", NodeKind.HOUSEHOLD, "101", "G1"),
        Node("G2", NodeKind.GRID, "二网格", "M"),
        Node("H2", NodeKind.HOUSEHOLD, "102", "G2"),
    ]
)


@attrs.frozen
class Note:
    node: str
    name: str

    def redacted(self) -> Note:
        return Note(self.node, mask_name(self.name))


RECORDS = [Note("H1", "刘晓娟"), Note("H2", "王伟"), Note("G1", "李娜")]


def node_of(note: Note) -> str:
    return note.node


@pytest.mark.parametrize(
    ("node", "access"),
    [("G1", Access.FULL), ("M", Access.FULL), ("S", Access.MASKED), ("C", Access.MASKED)],
)
def test_access_follows_the_assigned_level(node: str, access: Access) -> None:
    assert Principal.assigned("P", node, CITY).access is access


@given(st.sampled_from([n.id for n in CITY]), st.sampled_from([n.id for n in CITY]))
def test_a_principal_reads_exactly_its_subtree(assigned: str, target: str) -> None:
    principal = Principal.assigned("P", assigned, CITY)
    inside = assigned == target or assigned in {a.id for a in CITY.ancestors(target)}
    assert principal.can_read(target, CITY) is inside
    if inside:
        principal.check(target, CITY)
    else:
        with pytest.raises(OutOfScope) as err:
            principal.check(target, CITY)
        assert target in str(err.value)


def test_grid_worker_sees_its_grid_in_full_and_nothing_else() -> None:
    view = View(CITY, Principal.assigned("W1", "G1", CITY))
    assert list(view.visible(RECORDS, node_of=node_of)) == [RECORDS[0], RECORDS[2]]
    with pytest.raises(OutOfScope):
        view.read(RECORDS[1], node_of=node_of)


def test_supervisor_sees_everything_masked() -> None:
    view = View(CITY, Principal.assigned("S1", "C", CITY))
    shown = list(view.visible(RECORDS, node_of=node_of))
    assert [n.name for n in shown] == ["刘*娟", "王*", "李*"]  # type: ignore[attr-defined]
    for note in RECORDS:
        assert note.name not in repr(shown)


def test_records_without_personal_data_are_unchanged_by_redaction() -> None:
    assert redact(("G1", 3)) == ("G1", 3)


# ----------------------------------------------------------------------------- least privilege


def test_a_principal_without_an_access_level_reads_masked() -> None:
    assert Principal("P", "G1").access is Access.MASKED
    view = View(CITY, Principal("P", "G1"))
    assert [n.name for n in view.visible(RECORDS, node_of=node_of)] == ["刘*娟", "李*"]  # type: ignore[attr-defined]
    full = View(CITY, Principal("P", "G1", Access.FULL))
    assert list(full.visible(RECORDS, node_of=node_of)) == [RECORDS[0], RECORDS[2]]


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ((None, "G1"), "missing"),
        (("P", ["G1"]), "not_string"),
        (("P\x00", "G1"), "control_character"),
        (("P", "G\u200b1"), "not_printable"),
        ((" ", "G1"), "missing"),
        (("P", "G1", "full"), "bad_access"),
    ],
)
def test_a_principal_checks_its_fields(fields: tuple[object, ...], code: str) -> None:
    with pytest.raises(InvalidInput) as err:
        Principal(*fields)  # type: ignore[arg-type]
    assert err.value.code == code


def test_a_view_checks_its_fields() -> None:
    with pytest.raises(InvalidInput):
        View("h", Principal("P", "G1"))  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        View(CITY, "P")  # type: ignore[arg-type]
    with pytest.raises(UnknownNode):
        View(CITY, Principal("P", "nowhere"))
    view = View(CITY, Principal("P", "C"))
    with pytest.raises(InvalidInput):
        view.read(RECORDS[0], node_of=None)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        view.listing(None, node_of=node_of)  # type: ignore[arg-type]


# ------------------------------------------------------------------ unknown nodes in a listing


def test_a_listing_skips_and_reports_unknown_nodes() -> None:
    view = View(CITY, Principal("P", "C", Access.FULL))
    records = [RECORDS[0], Note("X", "某某"), RECORDS[1], Note("Y", "某某")]
    assert list(view.visible(records, node_of=node_of)) == [RECORDS[0], RECORDS[1]]
    found = view.listing(records, node_of=node_of)
    assert found == Listing(records=(RECORDS[0], RECORDS[1]), unknown=("X", "Y"))


def test_a_listing_reports_unknown_nodes_of_any_type_safely() -> None:
    view = View(CITY, Principal("P", "G1", Access.FULL))
    deep: list[object] = []
    for _ in range(50_000):
        deep = [deep]
    records: list[object] = ["G1", "G2", None, deep, "13812345678"]
    found = view.listing(records, node_of=lambda r: r)  # type: ignore[arg-type,return-value]
    assert found.records == ("G1",)  # G2 is out of scope: in neither list
    assert found.unknown == ("None", "<list of 1 items>", "138****5678")


@given(st.lists(st.sampled_from([*(n.id for n in CITY), "X", "Y"]), max_size=12))
def test_listing_and_visible_agree(nodes: list[str]) -> None:
    view = View(CITY, Principal.assigned("S1", "M", CITY))
    records = [Note(n, "刘晓娟") for n in nodes]
    found = view.listing(records, node_of=node_of)
    assert list(found.records) == list(view.visible(records, node_of=node_of))
    assert list(found.unknown) == [n for n in nodes if n not in CITY]


def test_a_principals_refusals_name_the_argument_given() -> None:
    h = Hierarchy([Node("C", NodeKind.CITY, "c"), Node("G", NodeKind.GRID, "g", "C")])
    worker = Principal("W1", "G")
    calls = [
        (lambda: Principal.assigned(object(), "G", h), "not_string", "principal_id"),  # type: ignore[arg-type]
        (lambda: Principal.assigned("W1", 5, h), "not_string", "node"),  # type: ignore[arg-type]
        (lambda: worker.can_read(object(), h), "not_string", "node"),  # type: ignore[arg-type]
        (lambda: worker.check("", h), "missing", "node"),
        (lambda: worker.check("G\u202e", h), "bidi_control", "node"),
    ]
    for call, code, field in calls:
        with pytest.raises(InvalidInput) as err:
            call()
        assert (err.value.code, err.value.field) == (code, field)


def test_redact_masks_a_caller_s_record_with_personal_fields_and_passes_the_rest() -> None:
    from gridcare.serial import personal

    @attrs.frozen
    class Visit:
        grid: str
        who: str = attrs.field(metadata=personal(mask_name))

    @attrs.frozen
    class Plain:
        grid: str

    @attrs.frozen
    class Unresolved:
        grid: NoSuchType  # type: ignore[name-defined]  # noqa: F821

    assert redact(Visit("G1", "刘晓娟")) == {"grid": "G1", "who": "刘*娟", "masked": True}
    plain, unresolved = Plain("G1"), Unresolved("G1")
    assert redact(plain) is plain
    assert redact(unresolved) is unresolved  # hints that do not resolve: no fields known
    view = View(CITY, Principal("P", "C"))
    records = [Visit("G1", "刘晓娟"), plain, Visit("G1", "王芳")]
    shown = view.listing(records, node_of=attrgetter("grid"))
    assert shown.records == (
        {"grid": "G1", "who": "刘*娟", "masked": True},
        plain,
        {"grid": "G1", "who": "王*", "masked": True},
    )
