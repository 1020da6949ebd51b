"""The register: designations, stays, the prefix index and diffs."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from gridcare.codes import AreaCode
from gridcare.errors import InvalidInput
from gridcare.risk import (
    ChangeKind,
    MatchKind,
    RegisterDiff,
    RiskDesignation,
    RiskLevel,
    RiskRegister,
    Stay,
    diff,
)
from gridcare.risk.register import match_kind
from gridcare.testing._risk_strategies import (
    RISK_PLACES,
    risk_designations,
    risk_registers,
    stays,
)
from gridcare.timeutil import DEFAULT_ZONE


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=DEFAULT_ZONE)


T0 = at("2022-07-01 12:00")


def des(area: str, level: str = "high", raised: datetime = T0, lifted: datetime | None = None):
    return RiskDesignation(area, level, raised, lifted)


# ---------------------------------------------------------------------------- values


def test_designation_refuses_naive_and_backwards_instants() -> None:
    with pytest.raises(InvalidInput) as err:
        RiskDesignation("430211", "high", datetime(2022, 7, 1))
    assert (err.value.code, err.value.field) == ("naive_datetime", "raised_at")
    with pytest.raises(InvalidInput) as err:
        RiskDesignation("430211", "high", T0, datetime(2022, 7, 2))
    assert (err.value.code, err.value.field) == ("naive_datetime", "lifted_at")
    for lifted in (T0, T0 - timedelta(minutes=1)):
        with pytest.raises(InvalidInput) as err:
            RiskDesignation("430211", "high", T0, lifted)
        assert err.value.code == "lifted_not_after_raised"


@pytest.mark.parametrize(
    ("area", "level", "code"),
    [
        ("4302", "high", "bad_length"),
        (430211, "high", "not_area_code"),
        ("430211", "extreme", "unknown_level"),
    ],
)
def test_designation_refuses_bad_area_or_level(area: object, level: object, code: str) -> None:
    with pytest.raises(InvalidInput) as err:
        RiskDesignation(area, level, T0)  # type: ignore[arg-type]
    assert err.value.code == code


def test_stay_validation() -> None:
    with pytest.raises(InvalidInput, match="naive_datetime"):
        Stay("430211", datetime(2022, 7, 1), T0)
    with pytest.raises(InvalidInput, match="end_not_after_start"):
        Stay("430211", T0, T0)
    with pytest.raises(InvalidInput, match="bad_length"):
        Stay("43", T0, T0 + timedelta(hours=1))
    assert Stay("430211001", T0, T0 + timedelta(hours=1)).place == AreaCode.parse("430211001")


def test_register_refuses_non_designations() -> None:
    with pytest.raises(InvalidInput) as err:
        RiskRegister([des("430211"), "430211"])  # type: ignore[list-item]
    assert (err.value.code, err.value.field) == ("not_designation", "designations.1")


# ---------------------------------------------------------------------------- queries


def test_level_at_takes_the_most_severe_in_force() -> None:
    reg = RiskRegister(
        [
            des("440000", "affected", T0 - timedelta(days=10)),
            des("440304", "medium", T0, T0 + timedelta(days=7)),
            des("440304001", "high", T0 + timedelta(days=1)),
        ]
    )
    place = AreaCode.parse("440304001001")
    assert reg.level_at(place, T0 - timedelta(minutes=1)) is RiskLevel.AFFECTED
    assert reg.level_at(place, T0) is RiskLevel.MEDIUM
    assert reg.level_at(place, T0 + timedelta(days=1)) is RiskLevel.HIGH
    assert reg.level_at(AreaCode.parse("440304002"), T0 + timedelta(days=7)) is RiskLevel.AFFECTED
    assert reg.level_at(AreaCode.parse("430211"), T0) is None


def test_local_place_under_a_designated_community() -> None:
    reg = RiskRegister([des("440304001001-B3")])
    building = AreaCode.parse("440304001001-B3")
    assert reg.level_at(building, T0) is RiskLevel.HIGH
    assert reg.level_at(AreaCode.parse("440304001001-B4"), T0) is None
    kinds = {str(d.area): k for d, k in reg.candidates(AreaCode.parse("440304001001"))}
    assert kinds == {"440304001001-B3": MatchKind.POSSIBLE}


def test_candidates_classify_each_kind() -> None:
    reg = RiskRegister(
        [des("440304001"), des("440304002"), des("440305001"), des("310115001"), des("440304")]
    )
    found = {str(d.area): k for d, k in reg.candidates(AreaCode.parse("440304001"))}
    assert found == {
        "440304": MatchKind.DIRECT,
        "440304001": MatchKind.DIRECT,
        "440304002": MatchKind.COUNTY,
        "440305001": MatchKind.PROVINCE_OR_CITY,
    }
    only_direct = reg.candidates(AreaCode.parse("440304001"), kinds=1)
    assert {k for _, k in only_direct} == {MatchKind.DIRECT}


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2022-06-24 00:00", "2022-06-24 12:00", False),  # ends exactly when the window opens
        ("2022-06-24 00:00", "2022-06-24 12:01", True),
        ("2022-07-08 12:00", "2022-07-09 00:00", False),  # starts exactly when lifted
        ("2022-07-08 11:59", "2022-07-09 00:00", True),
    ],
)
def test_overlapping_is_half_open(start: str, end: str, expected: bool) -> None:
    reg = RiskRegister([des("440304", lifted=T0 + timedelta(days=7))])
    stay = Stay("440304001", at(start), at(end))
    assert bool(reg.overlapping(stay, trace_back_days=7)) is expected


def test_exposure_is_clipped_to_the_window() -> None:
    d = des("440304", lifted=T0 + timedelta(days=1))
    stay = Stay("440304", T0 - timedelta(days=10), T0 + timedelta(days=3))
    assert d.exposure(stay, 7) == (T0 - timedelta(days=7), T0 + timedelta(days=1))


def test_matches_refuses_bad_arguments() -> None:
    with pytest.raises(InvalidInput, match="not_stay"):
        RiskRegister().matches("x")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="bad_days"):
        RiskRegister().matches(Stay("430211", T0, T0 + timedelta(hours=1)), trace_back_days=-1)


@settings(max_examples=80)
@given(risk_registers(max_size=8), stays(), st.integers(0, 14))
def test_index_agrees_with_a_naive_scan(register: RiskRegister, stay: Stay, trace: int) -> None:
    naive = set()
    for d in register:
        kind = match_kind(stay.place, d.area)
        if kind is not None and d.exposure(stay, trace) is not None:
            naive.add((d, kind))
    assert set(register.matches(stay, trace_back_days=trace)) == naive
    direct = {d for d, k in naive if k is MatchKind.DIRECT}
    assert set(register.overlapping(stay, trace_back_days=trace)) == direct


@settings(max_examples=40)
@given(st.lists(risk_designations(), max_size=6), st.sampled_from(RISK_PLACES))
def test_level_at_agrees_with_a_naive_scan(designations, place) -> None:
    register = RiskRegister(designations)
    for d in designations:
        for instant in (d.raised_at, d.raised_at - timedelta(minutes=1)):
            levels = [
                x.level for x in designations if x.area.contains(place) and x.in_force(instant)
            ]
            expected = min(levels, key=list(RiskLevel).index) if levels else None
            assert register.level_at(place, instant) is expected


def test_register_equality_and_container() -> None:
    a, b = des("440304"), des("310115")
    assert RiskRegister([a, b]) == RiskRegister([b, a])
    assert hash(RiskRegister([a, b])) == hash(RiskRegister([b, a]))
    assert a in RiskRegister([a])
    assert b not in RiskRegister([a])
    assert len(RiskRegister([a, b])) == 2
    assert "2 designations" in repr(RiskRegister([a, b]))


# ---------------------------------------------------------------------------- diff


def test_diff_kinds() -> None:
    old = RiskRegister(
        [
            des("440304"),
            des("440305"),
            des("310115", lifted=T0 + timedelta(days=7)),
            des("430211"),
            des("440306"),
        ]
    )
    new = RiskRegister(
        [
            des("440304", raised=T0 - timedelta(days=2)),  # back-dated
            des("440305", lifted=T0 + timedelta(days=3)),  # lifted
            des("310115", lifted=T0 + timedelta(days=9)),  # amended (lifted later)
            des("430211"),  # unchanged
            des("440307"),  # raised (and 440306 withdrawn)
        ]
    )
    result = diff(old, new)
    kinds = {str(c.area): c.kind for c in result.changes}
    assert kinds == {
        "440304": ChangeKind.BACKDATED,
        "440305": ChangeKind.LIFTED,
        "310115": ChangeKind.AMENDED,
        "440307": ChangeKind.RAISED,
        "440306": ChangeKind.WITHDRAWN,
    }
    assert [str(c.area) for c in result.raised] == ["440307"]
    assert [str(c.area) for c in result.lifted] == ["440305"]
    assert [str(c.area) for c in result.backdated] == ["440304"]
    assert result.changed
    assert not diff(old, old).changed


def test_diff_pairs_by_period_and_keeps_reraises_apart() -> None:
    first = des("440304", raised=T0, lifted=T0 + timedelta(days=5))
    second = des("440304", raised=T0 + timedelta(days=20))
    result = diff(RiskRegister([first]), RiskRegister([first, second]))
    assert [(c.kind, c.new) for c in result.changes] == [(ChangeKind.RAISED, second)]


def test_diff_refuses_non_registers() -> None:
    with pytest.raises(InvalidInput, match="not_register"):
        diff(RiskRegister(), [])  # type: ignore[arg-type]


@settings(max_examples=40)
@given(risk_registers(), risk_registers())
def test_diff_accounts_for_every_difference(old: RiskRegister, new: RiskRegister) -> None:
    result = diff(old, new)
    olds = {c.old for c in result.changes if c.old is not None}
    news = {c.new for c in result.changes if c.new is not None}
    assert olds == set(old) - set(new)
    assert news == set(new) - set(old)


def test_affects_uses_both_versions_and_trace_back() -> None:
    change = RegisterDiff(
        diff(
            RiskRegister([des("440304", raised=T0)]),
            RiskRegister([des("440304", raised=T0 - timedelta(days=3))]),
        ).changes
    )
    early = Stay("440304001", T0 - timedelta(days=9), T0 - timedelta(days=8))
    assert not change.affects([early], trace_back_days=0)
    assert change.affects([early], trace_back_days=7)
    assert not change.affects([early], trace_back_days=7, kinds=[MatchKind.COUNTY])


@pytest.mark.parametrize(
    "build",
    [
        lambda: stays(places=[]),
        lambda: stays(max_hours=0),
        lambda: stays(min_value=T0, max_value=T0),
        lambda: stays(min_value=datetime(2022, 1, 1), max_value=T0),
        lambda: risk_designations(levels=[]),
        lambda: risk_registers(max_size=-1),
    ],
)
def test_strategies_check_their_arguments_up_front(build) -> None:
    with pytest.raises(InvalidArgument):
        build()


@settings(max_examples=30)
@given(risk_designations(places=[AreaCode.parse("430211")], levels=[RiskLevel.LOW]))
def test_designation_strategy_respects_its_arguments(d: RiskDesignation) -> None:
    assert str(d.area) == "430211"
    assert d.level is RiskLevel.LOW
