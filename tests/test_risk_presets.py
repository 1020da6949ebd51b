"""The presets reproduce the table of docs/risk.md: one test per cell, each built from the cell.

Each cell is transcribed below as data (measure steps, NAT days, anchor), then
a person is put in that row's situation (a stay in a designated area, a
contact, an arrival) and the engine's plan is checked against the cell.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from gridcare.codes import AreaCode
from gridcare.risk import (
    PRESETS,
    Anchor,
    Assessment,
    Category,
    CodeColor,
    Contact,
    MeasureKind,
    NatResult,
    RiskDesignation,
    RiskLevel,
    RiskRegister,
    SourceKind,
    Stay,
    TestKind,
    assess,
    code_color,
)
from gridcare.timeutil import DEFAULT_ZONE, midnight_after

CQ = MeasureKind.CENTRALIZED_QUARANTINE
HI = MeasureKind.HOME_ISOLATION
HHM = MeasureKind.HOME_HEALTH_MONITORING
SHM = MeasureKind.SELF_HEALTH_MONITORING


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=DEFAULT_ZONE)


# The event every case is anchored on: leaving the area, the last exposure or arrival.
EVENT = at("2022-07-01 15:00")
PLACE = AreaCode.parse("440304001")  # a town in Shenzhen, Guangdong

# docs/risk.md, "Presets and their provenance": (preset, row) -> the cell as data.
# steps: (kind, days, NAT days counted within the step); None = the cell has no measure.
TABLE: dict[tuple[str, str], dict[str, Any] | None] = {
    # March 2022 practice
    ("hunan-2022-03", "close contact"): {
        "steps": [(CQ, 14, [1, 4, 7, 14]), (HHM, 7, [])],
        "anchor": Anchor.LAST_EXPOSURE,
    },
    ("hunan-2022-03", "secondary contact"): {
        "steps": [(CQ, 7, [])],
        "anchor": Anchor.LAST_EXPOSURE,
    },
    ("hunan-2022-03", "high-risk area"): {
        "steps": [(CQ, 14, [1, 4, 7, 10, 14])],
        "anchor": Anchor.LEFT_AREA,
    },
    ("hunan-2022-03", "medium-risk area"): {
        "steps": [(CQ, 14, [])],
        "alternatives": [HI],
        "anchor": Anchor.LEFT_AREA,
    },
    ("hunan-2022-03", "low-risk area"): None,  # "local rules"
    ("hunan-2022-03", "affected province"): {
        "steps": [(SHM, 14, [])],
        "anchor": Anchor.ARRIVAL,
        "arrival": (48, 24),
    },
    # 9th edition
    ("ninth-edition", "close contact"): {
        "steps": [(CQ, 7, [1, 2, 3, 5, 7]), (HHM, 3, [3])],
        "anchor": Anchor.LAST_EXPOSURE,
    },
    ("ninth-edition", "secondary contact"): {
        "steps": [(HI, 7, [1, 4, 7])],
        "anchor": Anchor.LAST_EXPOSURE,
    },
    ("ninth-edition", "high-risk area"): {
        "steps": [(CQ, 7, [1, 2, 3, 5, 7])],
        "anchor": Anchor.LEFT_AREA,
    },
    ("ninth-edition", "medium-risk area"): {
        "steps": [(HI, 7, [1, 4, 7])],
        "anchor": Anchor.LEFT_AREA,
    },
    ("ninth-edition", "low-risk area"): {
        "steps": [(SHM, None, [])],
        "anchor": Anchor.ARRIVAL,
        "requirement": (2, 3, 24),
    },
    ("ninth-edition", "affected province"): None,  # empty cell
    # Twenty measures
    ("twenty-measures", "close contact"): {
        "steps": [(CQ, 5, [1, 2, 3, 5]), (HI, 3, [1, 3])],
        "anchor": Anchor.LAST_EXPOSURE,
    },
    ("twenty-measures", "secondary contact"): None,  # "not identified"
    ("twenty-measures", "high-risk area"): {
        "steps": [(HI, 7, [1, 3, 5, 7])],
        "anchor": Anchor.LEFT_AREA,
    },
    ("twenty-measures", "medium-risk area"): None,  # "category abolished"
    ("twenty-measures", "low-risk area"): {  # "continued locally"
        "steps": [(SHM, None, [])],
        "anchor": Anchor.ARRIVAL,
        "requirement": (2, 3, 24),
        "local": True,
    },
    ("twenty-measures", "affected province"): None,  # empty cell
}

CATEGORY_OF_ROW = {
    "close contact": Category.CLOSE_CONTACT,
    "secondary contact": Category.SECONDARY_CONTACT,
    "high-risk area": Category.HIGH_RISK_AREA,
    "medium-risk area": Category.MEDIUM_RISK_AREA,
    "low-risk area": Category.LOW_RISK_AREA,
    "affected province": Category.AFFECTED_AREA,
}


def situation(row: str, preset: str) -> Assessment:
    """Put a person in the row's situation; the anchor event is EVENT."""
    policy = PRESETS[preset]
    raised = EVENT - timedelta(days=3)
    if row in ("close contact", "secondary contact"):
        kind = "close" if row == "close contact" else "secondary"
        return assess(
            [],
            register=RiskRegister(),
            policy=policy,
            as_of=EVENT,
            contacts=[Contact(kind=kind, last_exposure=EVENT)],
        )
    if row == "low-risk area":
        # The rest of a county holding a high-risk area (and an explicit low designation).
        reg = RiskRegister(
            [
                RiskDesignation("440304002", RiskLevel.HIGH, raised),
                RiskDesignation(PLACE, RiskLevel.LOW, raised),
            ]
        )
    elif row == "affected province":
        reg = RiskRegister([RiskDesignation("440000", RiskLevel.AFFECTED, raised)])
    else:
        level = RiskLevel.HIGH if row == "high-risk area" else RiskLevel.MEDIUM
        reg = RiskRegister([RiskDesignation(PLACE, level, raised)])
    stay = Stay(PLACE, EVENT - timedelta(days=2), EVENT)
    return assess([stay], register=reg, policy=policy, as_of=EVENT, arrived_at=EVENT)


@pytest.mark.parametrize(("preset", "row"), list(TABLE), ids=[f"{p}:{r}" for p, r in TABLE])
def test_cell(preset: str, row: str) -> None:
    cell = TABLE[(preset, row)]
    result = situation(row, preset)
    category = CATEGORY_OF_ROW[row]
    if cell is None:
        assert PRESETS[preset].plan_for(category) is None
        assert result.category is not category
        return
    assert result.category is category
    plan = result.plan
    assert plan is not None
    assert plan.anchor_kind is cell["anchor"]
    assert plan.anchor == EVENT
    day0 = date(2022, 7, 1)
    expected_tests: list[date] = []
    offset = 0
    start = EVENT
    assert len(plan.steps) == len(cell["steps"])
    for step, (kind, days, tests) in zip(plan.steps, cell["steps"], strict=True):
        assert step.kind is kind
        assert step.start == start
        mine = [day0 + timedelta(days=offset + k) for k in tests]
        assert list(step.test_dates) == mine
        expected_tests += mine
        if days is None:
            assert step.end is None
            break
        offset += days
        assert step.end == midnight_after(EVENT, offset)
        start = step.end
    assert list(plan.test_dates) == expected_tests
    if "alternatives" in cell:
        assert list(plan.steps[0].alternatives) == cell["alternatives"]
    if "arrival" in cell:
        before, after = cell["arrival"]
        windows = {w.kind: w for w in plan.windows}
        assert windows[TestKind.BEFORE_ARRIVAL].start == EVENT - timedelta(hours=before)
        assert windows[TestKind.AFTER_ARRIVAL].end == EVENT + timedelta(hours=after)
    if "requirement" in cell:
        count, days, gap = cell["requirement"]
        (window,) = plan.windows
        assert (window.count, window.min_gap) == (count, timedelta(hours=gap))
        assert window.end == midnight_after(EVENT, days)
    if cell.get("local"):
        assert PRESETS[preset].plan_for(category).source.kind is SourceKind.LOCAL  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("preset", "days"), [("hunan-2022-03", 14), ("ninth-edition", 7), ("twenty-measures", 7)]
)
def test_look_back_cell(preset: str, days: int) -> None:
    """'Look-back: 14 days before 2022-06-28, 7 days after', traced back from the raise."""
    policy = PRESETS[preset]
    assert policy.look_back_days == days
    assert policy.trace_back_days == days


@pytest.mark.parametrize(
    ("row", "color"),
    [
        ("close contact", CodeColor.RED),
        ("secondary contact", CodeColor.YELLOW),
        ("high-risk area", CodeColor.RED),
        ("medium-risk area", CodeColor.YELLOW),
        ("low-risk area", CodeColor.YELLOW),
    ],
)
def test_health_code_practice_ninth(row: str, color: CodeColor) -> None:
    """'red for high-risk-area history and close contacts; yellow for medium ... secondary'."""
    assert situation(row, "ninth-edition").code_color is color


def test_yellow_turns_green_after_two_tests_in_three_days() -> None:
    result = situation("low-risk area", "ninth-edition")
    one = NatResult(EVENT + timedelta(hours=1))
    too_close = NatResult(EVENT + timedelta(hours=20))
    apart = NatResult(EVENT + timedelta(hours=25))
    later = EVENT + timedelta(days=2)
    assert code_color(result, [one], later) is CodeColor.YELLOW
    assert code_color(result, [one, too_close], later) is CodeColor.YELLOW
    assert code_color(result, [one, apart], later) is CodeColor.GREEN
    assert code_color(result, [one, NatResult(apart.sampled_at, negative=False)], later) is (
        CodeColor.YELLOW
    )


def test_affected_province_green_after_arrival_tests() -> None:
    result = situation("affected province", "hunan-2022-03")
    assert result.code_color is CodeColor.YELLOW
    before = NatResult(EVENT - timedelta(hours=30))
    after = NatResult(EVENT + timedelta(hours=10))
    assert code_color(result, [after], EVENT + timedelta(days=1)) is CodeColor.YELLOW
    assert code_color(result, [before, after], EVENT + timedelta(days=1)) is CodeColor.GREEN


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_every_value_has_provenance(preset: str) -> None:
    policy = PRESETS[preset]
    assert policy.source.edition
    for rule in policy.rules:
        assert rule.source.source
    for plan in policy.categories:
        assert plan.source.source
        for step in plan.steps:
            assert step.source.source
            assert step.color_source is not None
            assert step.color_source.kind is SourceKind.LOCAL
            if step.test_days:
                assert step.tests_source is not None
        for req in plan.requirements:
            assert req.source.source
        if plan.arrival_test is not None:
            assert plan.arrival_test.source.source


def test_hunan_is_marked_local_practice() -> None:
    policy = PRESETS["hunan-2022-03"]
    assert policy.source.kind is SourceKind.LOCAL
    assert all(plan.source.kind is SourceKind.LOCAL for plan in policy.categories)
    assert policy.source.date == date(2022, 3, 16)


def test_edition_dates() -> None:
    assert PRESETS["ninth-edition"].source.date == date(2022, 6, 28)
    assert PRESETS["twenty-measures"].source.date == date(2022, 11, 11)


def test_possible_exposure_rules_are_local_practice() -> None:
    for policy in PRESETS.values():
        for rule in policy.rules:
            if rule.match.value == "possible":
                assert rule.source.kind is SourceKind.LOCAL


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_trace_back_equal_to_look_back_is_stated_as_an_assumption(preset: str) -> None:
    """No document gives a trace-back window: each preset says it assumes the look-back."""
    policy = PRESETS[preset]
    assert policy.trace_back_days == policy.look_back_days
    note = policy.trace_back_source.note
    assert note.startswith("assumption:")
    assert f"equal to the look-back ({policy.look_back_days} days)" in note
    assert "trace-back window is assumed equal to it" in policy.look_back_source.note


def test_hunan_county_and_province_matches_are_stated_as_a_mapping() -> None:
    """Hunan's rules name provinces with local cases; the county level is the library's reading."""
    policy = PRESETS["hunan-2022-03"]
    wide = [r for r in policy.rules if r.match.value in ("county", "province_or_city")]
    assert {r.match.value for r in wide} == {"county", "province_or_city"}
    for rule in wide:
        assert rule.category is Category.AFFECTED_AREA
        assert rule.source.note.startswith("assumption:")
        assert "mapped to 'affected area'" in rule.source.note
    affected = policy.plan_for(Category.AFFECTED_AREA)
    assert affected is not None
    assert "county- and province-level matches" in affected.source.note


def test_an_unknown_preset_is_a_policy_error_naming_the_presets() -> None:
    from gridcare.errors import PolicyError

    with pytest.raises(PolicyError) as info:
        PRESETS["ninth"]
    for name in ("hunan-2022-03", "ninth-edition", "twenty-measures"):
        assert name in str(info.value)
    assert "ninth" not in PRESETS
    assert PRESETS.get("ninth") is None
    assert PRESETS.get(["not", "a", "name"]) is None  # type: ignore[arg-type]
    assert [1] not in PRESETS  # type: ignore[comparison-overlap]
    assert dict(PRESETS) == {name: PRESETS[name] for name in PRESETS}
