"""The strategies of gridcare.testing are sound, check their arguments, and are registered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import gridcare.testing
from gridcare.codes import YUNLONG, ZHUZHOU, AreaCode, AreaLevel, CitizenId, PhoneNumber
from gridcare.errors import InvalidInput
from gridcare.hierarchy import Hierarchy, NodeKind
from gridcare.rates import Rate
from gridcare.testing import strategies as gst
from gridcare.testing.strategies import (
    INVALID_CITIZEN_ID_KINDS,
    area_codes,
    aware_datetimes,
    citizen_id_strings,
    citizen_ids,
    hierarchies,
    hierarchy_rows,
    node_kinds,
    phone_number_strings,
    phone_numbers,
    rates,
    register_type_strategies,
)
from gridcare.timeutil import zone

RANK = {level: i for i, level in enumerate(AreaLevel)}


def test_the_package_re_exports_the_strategies() -> None:
    for name in gst.__all__:
        assert getattr(gridcare.testing, name) is getattr(gst, name)


# --------------------------------------------------------------------------- citizen IDs


@given(citizen_ids())
def test_valid_ids_are_valid(cid: CitizenId) -> None:
    assert isinstance(cid, CitizenId)
    assert CitizenId.parse(cid.number).number == cid.number


@given(citizen_id_strings())
def test_id_strings_parse(text: str) -> None:
    assert len(text) in (15, 18)
    CitizenId.parse(text)


@given(citizen_id_strings(legacy=False, lower_case_x=False))
def test_id_strings_options(text: str) -> None:
    assert len(text) == 18
    assert "x" not in text


@pytest.mark.parametrize("kind", sorted(INVALID_CITIZEN_ID_KINDS))
@given(data=st.data())
def test_each_invalid_kind_fails_with_its_code(kind: str, data: st.DataObject) -> None:
    text = data.draw(citizen_ids(valid=False, invalid=kind))  # type: ignore[call-overload]
    with pytest.raises(InvalidInput) as info:
        CitizenId.parse(text)
    assert info.value.code == INVALID_CITIZEN_ID_KINDS[kind]
    assert info.value.field == "citizen_id"


@given(citizen_ids(valid=False))
def test_invalid_ids_are_invalid(text: str) -> None:
    assert not CitizenId.is_valid(text)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"invalid": "checksum"},
        {"valid": True, "invalid": "length"},
        {"valid": False, "invalid": "nonsense"},
        {"valid": "yes"},
    ],
)
def test_citizen_ids_check_arguments(kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgument):
        citizen_ids(**kwargs)


# --------------------------------------------------------------------------- area codes


@given(area_codes())
def test_area_codes_are_official_by_default(code: AreaCode) -> None:
    assert code.is_official
    assert AreaCode.parse(str(code)) == code


@given(area_codes(local=True))
def test_area_codes_round_trip(code: AreaCode) -> None:
    assert AreaCode.parse(str(code)) == code


@pytest.mark.parametrize("level", list(AreaLevel))
@given(data=st.data())
def test_area_codes_at_each_level(level: AreaLevel, data: st.DataObject) -> None:
    code = data.draw(area_codes(levels=[level], local=True))
    assert code.level is level


@pytest.mark.parametrize("within", [ZHUZHOU, YUNLONG, AreaCode.parse("430211001001"), "430281"])
@given(data=st.data())
def test_area_codes_within(within: AreaCode | str, data: st.DataObject) -> None:
    outer = within if isinstance(within, AreaCode) else AreaCode.parse(within)
    code = data.draw(area_codes(within=within, local=True))
    assert outer.contains(code)
    assert RANK[code.level] >= RANK[outer.level]


@pytest.mark.parametrize("within", ["430211001001-B1", "430200-YL"])
@given(data=st.data())
def test_area_codes_inside_a_local_code_are_local(within: str, data: st.DataObject) -> None:
    outer = AreaCode.parse(within)
    code = data.draw(area_codes(within=within))
    assert outer.contains(code)
    assert not code.is_official


@given(area_codes(within=ZHUZHOU, levels=[AreaLevel.COUNTY, AreaLevel.TOWN]))
def test_area_codes_within_official(code: AreaCode) -> None:
    assert code.is_official
    assert ZHUZHOU.contains(code)
    assert code.level in (AreaLevel.COUNTY, AreaLevel.TOWN)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"levels": []},
        {"levels": ["county"]},
        {"levels": AreaLevel.COUNTY},
        {"levels": [AreaLevel.PLACE]},  # needs local=True
        {"within": "nonsense"},
        {"within": 430200},
        {"within": "430211", "levels": [AreaLevel.PROVINCE]},
        {"local": 1},
    ],
)
def test_area_codes_check_arguments(kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgument):
        area_codes(**kwargs)


# --------------------------------------------------------------------------- phones


@given(phone_numbers())
def test_phone_numbers_are_allocated_by_default(phone: PhoneNumber) -> None:
    assert not phone.unallocated_prefix
    assert PhoneNumber.parse(phone.number) == phone


@given(phone_numbers(allocated=False))
def test_unallocated_phone_numbers(phone: PhoneNumber) -> None:
    assert phone.unallocated_prefix


@given(phone_number_strings(lenient=False))
def test_plain_phone_strings(text: str) -> None:
    assert text.isdigit()
    assert len(text) == 11
    PhoneNumber.parse(text)


@pytest.mark.parametrize("kwargs", [{"allocated": "yes"}, {"allocated": 0}])
def test_phone_numbers_check_arguments(kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgument):
        phone_numbers(**kwargs)


# --------------------------------------------------------------------------- time

LOW = datetime(2022, 3, 1, tzinfo=UTC)
HIGH = datetime(2022, 3, 27, 8, tzinfo=timezone(timedelta(hours=8)))


@given(aware_datetimes(LOW, HIGH))
def test_aware_datetimes_are_aware_real_and_in_range(t: datetime) -> None:
    assert t.tzinfo is not None
    assert t.utcoffset() is not None
    assert LOW <= t <= HIGH
    # Not imaginary: the wall time survives a round trip through UTC.
    assert t.astimezone(UTC).astimezone(t.tzinfo) == t
    assert t.astimezone(UTC).astimezone(t.tzinfo).replace(tzinfo=None) == t.replace(tzinfo=None)


@given(aware_datetimes(zones=["America/New_York", "Australia/Lord_Howe"]))
def test_aware_datetimes_in_daylight_saving_zones_are_never_imaginary(t: datetime) -> None:
    back = t.astimezone(UTC).astimezone(t.tzinfo)
    assert back.replace(tzinfo=None) == t.replace(tzinfo=None)


@given(aware_datetimes(zones=[zone("Asia/Shanghai")], min_value=LOW))
def test_aware_datetimes_zones(t: datetime) -> None:
    assert t.utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"min_value": datetime(2022, 1, 1)},
        {"max_value": datetime(2022, 1, 1)},
        {"min_value": HIGH, "max_value": LOW},
        {"min_value": "2022-01-01"},
        {"zones": []},
        {"zones": "Asia/Shanghai"},
        {"zones": ["Mars/Base"]},
    ],
)
def test_aware_datetimes_check_arguments(kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgument):
        aware_datetimes(**kwargs)


# --------------------------------------------------------------------------- hierarchies


@given(hierarchies(min_nodes=2, max_nodes=12))
def test_hierarchies_are_valid(h: Hierarchy) -> None:
    assert isinstance(h, Hierarchy)
    assert 1 <= len(h) <= 12
    assert Hierarchy(list(h)) == h


@given(hierarchy_rows(max_nodes=12))
def test_hierarchy_rows_build(rows: list[dict[str, Any]]) -> None:
    assert len(Hierarchy.from_rows(rows)) == len(rows)


@given(hierarchy_rows(max_nodes=12, shuffle=False))
def test_unshuffled_rows_put_parents_first(rows: list[dict[str, Any]]) -> None:
    seen: set[str] = set()
    for row in rows:
        assert not row["parent_id"] or row["parent_id"] in seen
        seen.add(row["id"])


def skips_a_level(h: Hierarchy) -> bool:
    return any(
        node.kind.rank > parent.kind.rank + 1
        for node in h
        if (parent := h.parent(node.id)) is not None
    )


def has_local_code(h: Hierarchy) -> bool:
    return any(node.code is not None and not node.code.is_official for node in h)


# Deterministic, and no shrinking: any example will do.
SEARCH = settings(max_examples=1000, database=None, derandomize=True, phases=[Phase.generate])


@pytest.mark.parametrize(
    "wanted",
    [
        skips_a_level,
        lambda h: not skips_a_level(h) and len(h) > 3,
        has_local_code,
        lambda h: h.root.code is not None and h.root.code.level is AreaLevel.COUNTY,
        lambda h: any(n.kind is NodeKind.HOUSEHOLD for n in h.children(h.root.id)),
    ],
)
def test_hierarchies_reach_the_interesting_shapes(wanted: Any) -> None:
    assert wanted(find(hierarchies(max_nodes=15), wanted, settings=SEARCH))


@given(node_kinds(min_kind=NodeKind.STREET, max_kind=NodeKind.GRID))
def test_node_kinds_range(kind: NodeKind) -> None:
    assert NodeKind.STREET.rank <= kind.rank <= NodeKind.GRID.rank


@pytest.mark.parametrize(
    ("strategy", "kwargs"),
    [
        (hierarchies, {"max_nodes": 0}),
        (hierarchies, {"min_nodes": 5, "max_nodes": 3}),
        (hierarchies, {"max_nodes": 2.5}),
        (hierarchies, {"max_nodes": True}),
        (hierarchy_rows, {"shuffle": None}),
        (node_kinds, {"min_kind": "grid"}),
        (node_kinds, {"min_kind": NodeKind.GRID, "max_kind": NodeKind.CITY}),
        (rates, {"max_count": 0}),
        (rates, {"defined": "no"}),
    ],
)
def test_structure_strategies_check_arguments(strategy: Any, kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgument):
        strategy(**kwargs)


# --------------------------------------------------------------------------- rates


@given(rates())
def test_rates_are_proper_by_default(rate: Rate) -> None:
    assert rate.numerator <= rate.denominator or rate.denominator == 0


@given(rates(defined=False, proper=False))
def test_undefined_rates(rate: Rate) -> None:
    assert rate.value is None


# --------------------------------------------------------------------------- from_type


@pytest.mark.parametrize("cls", [CitizenId, AreaCode, PhoneNumber, Hierarchy, Rate])
@given(data=st.data())
def test_from_type_works_for_public_value_types(cls: type, data: st.DataObject) -> None:
    assert isinstance(data.draw(st.from_type(cls)), cls)


def test_registration_is_idempotent() -> None:
    register_type_strategies()
    register_type_strategies()

    @given(st.from_type(CitizenId))
    def probe(cid: CitizenId) -> None:
        assert CitizenId.is_valid(cid.number)

    probe()
