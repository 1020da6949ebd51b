"""Routing declared addresses to grids through the address index."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridcare.codes import AreaCode
from gridcare.declarations import (
    AddressIndex,
    DeclaredAddress,
    RouteMethod,
    UnroutedReason,
    building_key,
    example_form,
    parse_form,
)
from gridcare.errors import InvalidInput
from gridcare.hierarchy import Hierarchy, Node, NodeKind
from gridcare.testing import FORM_RECEIVED_AT, declaration_forms


def city() -> Hierarchy:
    """A small slice: one community with two grids, two same-named single-grid communities.

    ::

        C 株洲市
        └── D 天元区 430211 ── S 嵩山街道 430211001
            ├── M1 大塘社区 430211001001
            │   ├── G1 ── B1 3栋 ── U1 2单元 ── H1 301
            │   └── G2 ── B2 5号楼 ── H2 101 ; B3 05栋 (same number as B2 after normalising)
            ├── M2 枫溪社区 ── G3 ── B4 1栋
            └── M3 枫溪社区 ── G4
    """
    return Hierarchy(
        [
            Node("C", NodeKind.CITY, "株洲市", None, AreaCode.parse("430200")),
            Node("D", NodeKind.DISTRICT, "天元区", "C", AreaCode.parse("430211")),
            Node("S", NodeKind.STREET, "嵩山街道", "D", AreaCode.parse("430211001")),
            Node("M1", NodeKind.COMMUNITY, "大塘社区", "S", AreaCode.parse("430211001001")),
            Node("G1", NodeKind.GRID, "第1网格", "M1"),
            Node("B1", NodeKind.BUILDING, "3栋", "G1"),
            Node("U1", NodeKind.UNIT, "2单元", "B1"),
            Node("H1", NodeKind.HOUSEHOLD, "301", "U1"),
            Node("G2", NodeKind.GRID, "第2网格", "M1"),
            Node("B2", NodeKind.BUILDING, "5号楼", "G2"),
            Node("H2", NodeKind.HOUSEHOLD, "101", "B2"),
            Node("B3", NodeKind.BUILDING, "05栋", "G2"),
            Node("M2", NodeKind.COMMUNITY, "枫溪社区", "S"),
            Node("G3", NodeKind.GRID, "第1网格", "M2"),
            Node("B4", NodeKind.BUILDING, "1栋", "G3"),
            Node("M3", NodeKind.COMMUNITY, "枫溪社区", "S"),
            Node("G4", NodeKind.GRID, "第1网格", "M3"),
        ]
    )


_BASES = [example_form() for _ in range(30)]
INDEX = AddressIndex.from_hierarchy(city(), qr_codes={"QR-H1": "H1", " QR-B2 ": "B2"})


@pytest.mark.parametrize(
    ("address", "grid", "method"),
    [
        (DeclaredAddress(household_id="H1"), "G1", RouteMethod.HOUSEHOLD_ID),
        (DeclaredAddress(unit_id="U1"), "G1", RouteMethod.UNIT_ID),
        (DeclaredAddress(building_id="B2"), "G2", RouteMethod.BUILDING_ID),
        (DeclaredAddress(door_code="QR-H1"), "G1", RouteMethod.DOOR_CODE),
        (DeclaredAddress(door_code="QR-B2"), "G2", RouteMethod.DOOR_CODE),
        (DeclaredAddress(community="M1", building="3"), "G1", RouteMethod.COMMUNITY_BUILDING),
        (
            DeclaredAddress(community="大塘社区", building="第3幢"),
            "G1",
            RouteMethod.COMMUNITY_BUILDING,
        ),
        (
            DeclaredAddress(community="430211001001", building="３栋"),
            "G1",
            RouteMethod.COMMUNITY_BUILDING,
        ),
        (DeclaredAddress(community="M2"), "G3", RouteMethod.COMMUNITY_ONLY),
        (DeclaredAddress(community="M2", building="1"), "G3", RouteMethod.COMMUNITY_BUILDING),
        # the most specific part wins; a bad id falls back to the next part
        (DeclaredAddress(household_id="H2", building_id="B1"), "G2", RouteMethod.HOUSEHOLD_ID),
        (DeclaredAddress(household_id="H404", door_code="QR-H1"), "G1", RouteMethod.DOOR_CODE),
    ],
)
def test_routes(address: DeclaredAddress, grid: str, method: RouteMethod) -> None:
    route = INDEX.route(address)
    assert (route.grid_id, route.method, route.reason) == (grid, method, None)
    assert route.routed


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        (DeclaredAddress(), UnroutedReason.NO_ADDRESS_KEYS),
        (DeclaredAddress(text="芦淞区建设南路"), UnroutedReason.FREE_TEXT_ONLY),
        (DeclaredAddress(room="301"), UnroutedReason.FREE_TEXT_ONLY),
        (DeclaredAddress(household_id="H404"), UnroutedReason.UNKNOWN_NODE),
        (DeclaredAddress(household_id="M1"), UnroutedReason.NOT_UNDER_A_GRID),
        (DeclaredAddress(door_code="QR-?"), UnroutedReason.UNKNOWN_DOOR_CODE),
        (DeclaredAddress(community="无名社区", building="1"), UnroutedReason.UNKNOWN_COMMUNITY),
        (DeclaredAddress(community="枫溪社区", building="1"), UnroutedReason.AMBIGUOUS_COMMUNITY),
        (DeclaredAddress(community="M1"), UnroutedReason.BUILDING_MISSING),
        (DeclaredAddress(community="M1", building="99"), UnroutedReason.UNKNOWN_BUILDING),
        (DeclaredAddress(community="M1", building="5"), UnroutedReason.AMBIGUOUS_BUILDING),
        # the reason of the most specific part that was given
        (DeclaredAddress(household_id="H404", community="M1"), UnroutedReason.UNKNOWN_NODE),
    ],
)
def test_unrouted_reasons(address: DeclaredAddress, reason: UnroutedReason) -> None:
    route = INDEX.route(address)
    assert (route.grid_id, route.reason) == (None, reason)


def test_building_key() -> None:
    assert {building_key(t) for t in ("3", "3栋", "3号楼", "03", " 第3幢 ", "３#")} == {"3"}
    assert building_key("0") == "0"
    assert building_key("A座") == "A"


def test_qr_codes_are_checked_when_indexing() -> None:
    with pytest.raises(InvalidInput) as caught:
        AddressIndex.from_hierarchy(city(), qr_codes={"A": "nope", "B": "M1", "C": "H1"})
    assert [e.code for e in caught.value.errors] == ["unknown_node", "not_under_a_grid"]
    with pytest.raises(InvalidInput, match="not_hierarchy"):
        AddressIndex.from_hierarchy("city")  # type: ignore[arg-type]


_ADDRESS_PARTS = st.fixed_dictionaries(
    {},
    optional={
        "community": st.sampled_from(["M1", "M2", "枫溪社区", "大塘社区", "x", "430211001001"]),
        "building": st.sampled_from(["3", "5", "1", "99", "第3栋"]),
        "household_id": st.sampled_from(["H1", "H2", "H404", "M1", "C"]),
        "unit_id": st.sampled_from(["U1", "B1", "nope"]),
        "door_code": st.sampled_from(["QR-H1", "QR-B2", "QR-?"]),
        "text": st.just("芦淞区某小区"),
    },
)


@given(st.lists(_ADDRESS_PARTS, max_size=30))
def test_nothing_is_lost_to_a_bad_address(parts: list[dict[str, Any]]) -> None:
    forms = [dict(base, address=p) for base, p in zip(_BASES, parts, strict=False)]
    declarations = [
        parse_form(f, declaration_id=f"D{i}", received_at=FORM_RECEIVED_AT)
        for i, f in enumerate(forms)
        if f["address"]
    ]
    result = INDEX.route_all(declarations)
    assert set(result.routes) == {d.id for d in declarations}
    routed = sum(len(ids) for ids in result.by_grid().values())
    assert routed + len(result.unrouted()) == len(declarations)
    for route in result.routes.values():
        assert (route.grid_id is None) == (route.reason is not None)


@given(
    st.lists(
        declaration_forms(
            addresses=[
                {"household_id": "H1"},
                {"community": "M1", "building": "3栋"},
                {"door_code": "QR-B2"},
                {"unit_id": "U1", "room": "301"},
            ]
        ),
        min_size=1,
        max_size=5,
    )
)
def test_forms_with_known_addresses_always_route(forms: list[dict[str, Any]]) -> None:
    declarations = [
        parse_form(f, declaration_id=f"D{i}", received_at=FORM_RECEIVED_AT)
        for i, f in enumerate(forms)
    ]
    result = INDEX.route_all(declarations)
    assert not result.unrouted()
    assert set(result.by_grid()) <= {"G1", "G2"}


def test_route_all_refuses_repeated_ids_and_reports_progress() -> None:
    d = parse_form(
        {**_BASES[0], "address": {"household_id": "H1"}},
        declaration_id="D1",
        received_at=FORM_RECEIVED_AT + timedelta(hours=1),
    )
    seen: list[tuple[int, int]] = []
    INDEX.route_all([d], progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 1)]
    with pytest.raises(InvalidInput, match="duplicate_id"):
        INDEX.route_all([d, d])
