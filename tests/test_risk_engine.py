"""The engine: the worked example of docs/risk.md, every boundary, and its properties."""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridcare.codes import AreaCode
from gridcare.errors import InvalidInput
from gridcare.risk import (
    PRESETS,
    SEVERITY,
    Anchor,
    Assessment,
    Category,
    CodeColor,
    Contact,
    ContactKind,
    MatchKind,
    MeasureKind,
    NatResult,
    Policy,
    RiskDesignation,
    RiskHistory,
    RiskLevel,
    RiskReason,
    RiskRegister,
    Stay,
    TestKind,
    assess,
    assess_many,
    code_color,
    compare_policies,
    diff,
    missed_tests,
    needs_reassessment,
)
from gridcare.testing._risk_strategies import (
    contacts,
    histories,
    risk_designations,
    risk_instants,
    risk_policies,
    risk_registers,
    stays,
)
from gridcare.timeutil import DEFAULT_ZONE, Midnights, midnight_after, zone

NINTH = PRESETS["ninth-edition"]
HUNAN = PRESETS["hunan-2022-03"]
TWENTY = PRESETS["twenty-measures"]
SZ = AreaCode.parse("440304")  # Futian district, Shenzhen


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=DEFAULT_ZONE)


def d(text: str) -> date:
    return date.fromisoformat(text)


def high(area: str | AreaCode = SZ, raised: str = "2022-06-28 00:00", lifted: str | None = None):
    return RiskDesignation(area, RiskLevel.HIGH, at(raised), None if lifted is None else at(lifted))


def one_stay(start: str, end: str, place: str | AreaCode = SZ) -> list[Stay]:
    return [Stay(place, at(start), at(end))]


def contacts_only(policy: Policy, as_of: str, *contacts: Contact) -> Assessment:
    """The assessment of a person with contacts and no stays."""
    return assess([], register=RiskRegister(), policy=policy, as_of=at(as_of), contacts=contacts)


# ---------------------------------------------------------------------------- worked example


def test_design_worked_example() -> None:
    """Left a high-risk area 2022-07-01 15:00, 9th edition (docs/risk.md, "Day counting")."""
    result = assess(
        one_stay("2022-06-30 09:00", "2022-07-01 15:00"),
        register=RiskRegister([high()]),
        policy=NINTH,
        as_of=at("2022-07-01 15:00"),
    )
    assert result.category is Category.HIGH_RISK_AREA
    plan = result.plan
    assert plan is not None
    (step,) = plan.steps
    assert step.kind is MeasureKind.CENTRALIZED_QUARANTINE
    assert step.start == at("2022-07-01 15:00")
    assert step.end == at("2022-07-09 00:00")
    assert plan.test_dates == tuple(
        d(x) for x in ("2022-07-02", "2022-07-03", "2022-07-04", "2022-07-06", "2022-07-08")
    )
    assert result.code_color is CodeColor.RED
    assert not result.needs_verification
    (reason,) = result.reasons
    assert reason.match is MatchKind.DIRECT
    assert "440304" in reason.zh
    assert "440304" in reason.en
    assert "rules.0" in reason.en
    assert "高风险区" in reason.zh


def test_design_example_given_in_utc() -> None:
    result = assess(
        [Stay(SZ, datetime(2022, 6, 30, 1, tzinfo=UTC), datetime(2022, 7, 1, 7, tzinfo=UTC))],
        register=RiskRegister([high()]),
        policy=NINTH,
        as_of=datetime(2022, 7, 1, 7, tzinfo=UTC),
    )
    assert result.plan is not None
    assert result.plan.steps[0].end == at("2022-07-09 00:00")


# ---------------------------------------------------------------------------- boundaries


@pytest.mark.parametrize(
    ("reference", "qualifies"),
    [("2022-07-08 15:00", True), ("2022-07-08 15:01", False)],
)
def test_look_back_ends_at_the_exact_instant(reference: str, qualifies: bool) -> None:
    """Exposure ended 07-01 15:00; 7-day look-back: exactly 7 days later still qualifies."""
    result = assess(
        one_stay("2022-07-01 09:00", "2022-07-01 15:00"),
        register=RiskRegister([high()]),
        policy=NINTH,
        as_of=at("2022-07-10 10:00"),
        arrived_at=at(reference),
    )
    assert (result.category is Category.HIGH_RISK_AREA) is qualifies


@pytest.mark.parametrize(
    ("end", "counts"), [("2022-06-21 00:00", False), ("2022-06-21 00:01", True)]
)
def test_stay_touching_trace_back_start(end: str, counts: bool) -> None:
    """Raised 06-28 00:00, trace back 7 days: the window opens 06-21 00:00 (half-open)."""
    result = assess(
        one_stay("2022-06-20 12:00", end),
        register=RiskRegister([high()]),
        policy=NINTH,
        as_of=at("2022-06-28 10:00"),
        arrived_at=at("2022-06-21 12:00"),
    )
    assert (result.category is Category.HIGH_RISK_AREA) is counts
    if counts:
        assert result.plan is not None
        assert result.plan.anchor == at(end)


@pytest.mark.parametrize(
    ("start", "counts"), [("2022-07-01 12:00", False), ("2022-07-01 11:59", True)]
)
def test_designation_lifted_the_moment_the_stay_begins(start: str, counts: bool) -> None:
    register = RiskRegister([high(lifted="2022-07-01 12:00")])
    result = assess(
        one_stay(start, "2022-07-02 12:00"),
        register=register,
        policy=NINTH,
        as_of=at("2022-07-03 08:00"),
    )
    assert (result.category is Category.HIGH_RISK_AREA) is counts
    if counts:
        # The exposure ends when the area is lifted, not when the stay ends.
        assert result.plan is not None
        assert result.plan.anchor == at("2022-07-01 12:00")
        assert result.reasons[0].exposure_end == at("2022-07-01 12:00")


@pytest.mark.parametrize(
    ("left", "end"),
    [
        ("2022-07-01 23:59", "2022-07-09 00:00"),
        ("2022-07-02 00:00", "2022-07-10 00:00"),
        ("2022-07-01 00:00", "2022-07-09 00:00"),
    ],
)
def test_day_zero_before_and_after_local_midnight(left: str, end: str) -> None:
    result = assess(
        one_stay("2022-06-30 09:00", left),
        register=RiskRegister([high()]),
        policy=NINTH,
        as_of=at(left),
    )
    assert result.plan is not None
    assert result.plan.steps[0].end == at(end)
    assert result.plan.test_dates[0] == at(left).date() + timedelta(days=1)


def test_assessed_after_part_of_the_plan_has_passed() -> None:
    """Left 07-01 15:00, assessed 07-05 09:00: only the remaining days, nothing past invented."""
    result = assess(
        one_stay("2022-06-30 09:00", "2022-07-01 15:00"),
        register=RiskRegister([high()]),
        policy=NINTH,
        as_of=at("2022-07-05 09:00"),
    )
    plan = result.plan
    assert plan is not None
    assert plan.anchor == at("2022-07-01 15:00")
    assert plan.counted_from == at("2022-07-05 09:00")
    (step,) = plan.steps
    assert (step.start, step.end) == (at("2022-07-05 09:00"), at("2022-07-09 00:00"))
    assert plan.test_dates == (d("2022-07-06"), d("2022-07-08"))


def test_test_day_today_is_kept() -> None:
    """Assessed during day 3 (07-04): that day's test is still due."""
    result = assess(
        one_stay("2022-06-30 09:00", "2022-07-01 15:00"),
        register=RiskRegister([high()]),
        policy=NINTH,
        as_of=at("2022-07-04 23:00"),
    )
    assert result.plan is not None
    assert result.plan.test_dates[0] == d("2022-07-04")


def test_assessed_during_the_second_step() -> None:
    """9th edition close contact, last exposure 07-01 15:00, assessed 07-10 10:00."""
    result = assess(
        [],
        register=RiskRegister(),
        policy=NINTH,
        as_of=at("2022-07-10 10:00"),
        contacts=[Contact(kind=ContactKind.CLOSE, last_exposure=at("2022-07-01 15:00"))],
    )
    assert result.category is Category.CLOSE_CONTACT
    plan = result.plan
    assert plan is not None
    (step,) = plan.steps
    assert step.kind is MeasureKind.HOME_HEALTH_MONITORING
    assert (step.start, step.end) == (at("2022-07-10 10:00"), at("2022-07-12 00:00"))
    assert plan.test_dates == (d("2022-07-11"),)  # home day 3 = day 10
    assert result.code_color is CodeColor.RED


def test_contact_after_its_plan_is_over_is_no_longer_a_category() -> None:
    result = contacts_only(
        NINTH, "2022-07-12 00:00", Contact(kind="close", last_exposure=at("2022-07-01 15:00"))
    )
    assert result.category is Category.NONE
    assert result.plan is None


def test_pre_arrival_declaration_counts_from_arrival() -> None:
    """Declared two days before arriving: the plan starts at arrival, tests from that day."""
    result = assess(
        one_stay("2022-06-30 09:00", "2022-07-01 15:00"),
        register=RiskRegister([high()]),
        policy=NINTH,
        as_of=at("2022-07-01 20:00"),
        arrived_at=at("2022-07-03 12:00"),
    )
    plan = result.plan
    assert plan is not None
    assert plan.steps[0].start == at("2022-07-03 12:00")
    assert plan.steps[0].end == at("2022-07-09 00:00")
    assert plan.test_dates == (d("2022-07-03"), d("2022-07-04"), d("2022-07-06"), d("2022-07-08"))


def test_designation_raised_after_as_of_is_not_known_yet() -> None:
    register = RiskRegister([high(raised="2022-07-02 10:00")])
    stays_ = one_stay("2022-06-30 09:00", "2022-07-01 15:00")
    before = assess(stays_, register=register, policy=NINTH, as_of=at("2022-07-02 09:59"))
    after = assess(stays_, register=register, policy=NINTH, as_of=at("2022-07-02 10:00"))
    assert before.category is Category.NONE
    assert after.category is Category.HIGH_RISK_AREA


# ---------------------------------------------------------------------------- matching


def test_possible_exposure_needs_verification() -> None:
    """A stay known only at the district containing a high-risk town."""
    result = assess(
        one_stay("2022-06-30 09:00", "2022-07-01 15:00", place="440304"),
        register=RiskRegister([high("440304001")]),
        policy=NINTH,
        as_of=at("2022-07-01 15:00"),
    )
    assert result.category is Category.HIGH_RISK_AREA
    assert result.needs_verification
    assert result.reasons[0].match is MatchKind.POSSIBLE


def test_county_exposure_is_low_risk_under_ninth_edition() -> None:
    result = assess(
        one_stay("2022-06-30 09:00", "2022-07-01 15:00", place="440304002"),
        register=RiskRegister([high("440304001")]),
        policy=NINTH,
        as_of=at("2022-07-01 15:00"),
        arrived_at=at("2022-07-01 18:00"),
    )
    assert result.category is Category.LOW_RISK_AREA
    assert result.reasons[0].match is MatchKind.COUNTY
    assert result.plan is not None
    assert result.plan.anchor == at("2022-07-01 18:00")  # arrival
    assert result.code_color is CodeColor.YELLOW


def test_arrival_anchor_without_arrival_uses_as_of() -> None:
    result = assess(
        one_stay("2022-06-30 09:00", "2022-07-01 15:00", place="440304002"),
        register=RiskRegister([high("440304001")]),
        policy=NINTH,
        as_of=at("2022-07-02 08:00"),
    )
    assert result.plan is not None
    assert result.plan.anchor_kind is Anchor.ARRIVAL
    assert result.plan.anchor == at("2022-07-02 08:00")


def test_province_match_under_hunan() -> None:
    """Hunan 2022-03: elsewhere in a province holding a high-risk area."""
    result = assess(
        one_stay("2022-03-10 09:00", "2022-03-12 15:00", place="440305"),
        register=RiskRegister([high("440304001", raised="2022-03-05 00:00")]),
        policy=HUNAN,
        as_of=at("2022-03-12 20:00"),
        arrived_at=at("2022-03-12 20:00"),
    )
    assert result.category is Category.AFFECTED_AREA
    assert result.reasons[0].match is MatchKind.PROVINCE_OR_CITY
    assert result.plan is not None
    assert result.plan.steps[0].end == at("2022-03-27 00:00")


# ------------------------------------------------------------------ county and province scans
# A stay at 440304002 (a street of Futian) matches designations of other streets of
# Futian as COUNTY and of other counties of Guangdong as PROVINCE_OR_CITY; under the
# Hunan preset (look-back and trace-back 14 days) both give "affected area".

FUTIAN_STREET = "440304002"


def _wide_reasons(
    register: RiskRegister,
    policy: Policy = HUNAN,
    *,
    start: str = "2022-03-05 09:00",
    end: str = "2022-03-10 09:00",
    as_of: str = "2022-03-10 20:00",
    arrived: str | None = None,
) -> list[RiskReason]:
    """The reasons of one stay at FUTIAN_STREET, checked against the plain rule first."""
    arrived_at = None if arrived is None else at(arrived)
    history = RiskHistory(stays=(Stay(FUTIAN_STREET, at(start), at(end)),), arrived_at=arrived_at)
    _check_against_the_plain_rule({0: history}, register, policy, at(as_of))
    return list(
        assess(history.stays, register=register, policy=policy, as_of=at(as_of),
               arrived_at=arrived_at).reasons
    )  # fmt: skip


def county(area: str, raised: str, lifted: str | None = None) -> RiskDesignation:
    return RiskDesignation(area, RiskLevel.HIGH, at(raised), None if lifted is None else at(lifted))


def test_a_county_scan_cites_the_exposure_ending_last_not_the_last_scanned() -> None:
    first = county("440304001", "2022-03-01 00:00", lifted="2022-03-08 12:00")
    later = county("440304003", "2022-03-02 00:00", lifted="2022-03-06 00:00")
    [reason] = _wide_reasons(RiskRegister([first, later]))
    assert (reason.match, reason.designation, reason.exposure_end) == (
        MatchKind.COUNTY, first, at("2022-03-08 12:00"),
    )  # fmt: skip


def test_a_later_exposure_ending_with_the_stay_replaces_one_ending_earlier() -> None:
    lifted = county("440304001", "2022-03-01 00:00", lifted="2022-03-06 00:00")
    standing = county("440304003", "2022-03-02 00:00")
    [reason] = _wide_reasons(RiskRegister([lifted, standing]))
    assert (reason.designation, reason.exposure_end) == (standing, at("2022-03-10 09:00"))


def test_exposures_ending_together_cite_the_first_raised() -> None:
    first = county("440304005", "2022-03-01 00:00", lifted="2022-03-08 12:00")
    second = county("440304001", "2022-03-02 00:00", lifted="2022-03-08 12:00")
    for in_order in ([first, second], [second, first]):
        [reason] = _wide_reasons(RiskRegister(in_order))
        assert reason.designation == first


def test_a_county_scan_stopped_by_a_later_designation_keeps_what_it_found() -> None:
    """The scan stops at a designation raised after as_of (none after it is known either)."""
    found = county("440304001", "2022-03-01 00:00", lifted="2022-03-08 12:00")
    unknown = county("440304003", "2022-03-11 00:00")
    [reason] = _wide_reasons(RiskRegister([found, unknown]))
    assert reason.designation == found
    opens_later = county("440304003", "2022-03-25 00:00")  # window opens after the stay ends
    [reason] = _wide_reasons(
        RiskRegister([found, opens_later]), as_of="2022-03-25 08:00", arrived="2022-03-10 20:00"
    )
    assert reason.designation == found


def test_an_exposure_past_the_look_back_does_not_end_a_county_scan() -> None:
    old = county("440304001", "2022-02-02 00:00", lifted="2022-02-05 00:00")  # ended 33 days ago
    new = county("440304003", "2022-03-01 00:00")
    [reason] = _wide_reasons(RiskRegister([old, new]), start="2022-02-01 09:00")
    assert reason.designation == new


def test_a_province_category_is_looked_for_after_the_county_settled_its_own() -> None:
    """Province matches are scanned unless the county gave every category they can give."""
    rules = [
        {**r, "category": "medium_risk_area"} if r["match"] == "province_or_city" else r
        for r in HUNAN.to_dict()["rules"]
    ]
    policy = Policy.from_dict({**HUNAN.to_dict(), "name": "hunan-wide-split", "rules": rules})
    in_county = county("440304001", "2022-03-01 00:00")  # ends with the stay: settled
    in_province = county("440305001", "2022-03-01 00:00")
    reasons = _wide_reasons(RiskRegister([in_county, in_province]), policy)
    assert {(r.match, r.category, r.designation) for r in reasons} == {
        (MatchKind.COUNTY, Category.AFFECTED_AREA, in_county),
        (MatchKind.PROVINCE_OR_CITY, Category.MEDIUM_RISK_AREA, in_province),
    }


def test_an_assessment_does_not_depend_on_the_order_of_the_register() -> None:
    """Two designations raised together: the higher level is cited, whichever came first."""
    high_ = RiskDesignation("440304001", RiskLevel.HIGH, at("2022-03-05 00:00"))
    medium = RiskDesignation("440304003", RiskLevel.MEDIUM, at("2022-03-05 00:00"))
    both = [_wide_reasons(RiskRegister(given)) for given in ([high_, medium], [medium, high_])]
    assert both[0] == both[1]
    assert [r.designation for r in both[0]] == [high_]


# ---------------------------------------------------------------------------- contacts


def test_a_contact_kind_without_a_plan_does_not_hide_the_next_contact() -> None:
    """The twenty measures identify close contacts only: a secondary one is passed over."""
    result = contacts_only(
        TWENTY,
        "2022-07-02 08:00",
        Contact(kind="secondary", last_exposure=at("2022-07-01 15:00")),
        Contact(kind="close", last_exposure=at("2022-07-01 15:00")),
    )
    assert result.category is Category.CLOSE_CONTACT


def test_a_contact_whose_plan_is_over_does_not_hide_the_next_contact() -> None:
    result = contacts_only(
        NINTH,
        "2022-07-20 08:00",
        Contact(kind="close", last_exposure=at("2022-07-01 15:00")),  # plan over on 07-12
        Contact(kind="secondary", last_exposure=at("2022-07-19 15:00")),
    )
    assert result.category is Category.SECONDARY_CONTACT
    assert [r.category for r in result.reasons] == [Category.SECONDARY_CONTACT]


@pytest.mark.parametrize(
    ("as_of", "counts"), [("2022-07-12 23:59", True), ("2022-07-13 00:00", False)]
)
def test_a_contact_plan_past_the_look_back_counts_days_in_the_policy_zone(
    as_of: str, counts: bool
) -> None:
    """02:00 in Beijing is the day before in UTC: the plan's ten days run from the local date.

    Past the seven-day look-back a ninth-edition close contact still counts
    until midnight after day 10 of the local date (2022-07-02), 2022-07-13
    00:00, whatever zone the instant was given in.
    """
    last = at("2022-07-02 02:00").astimezone(UTC)
    result = contacts_only(NINTH, as_of, Contact(kind="close", last_exposure=last))
    assert (result.category is Category.CLOSE_CONTACT) is counts


def test_strictest_measure_governs_and_every_exposure_is_listed() -> None:
    """Reasons stay most severe category first; the category is the strictest step's."""
    register = RiskRegister(
        [
            RiskDesignation("440304001", RiskLevel.MEDIUM, at("2022-06-28 00:00")),
            RiskDesignation("310115001", RiskLevel.HIGH, at("2022-06-28 00:00")),
        ]
    )
    stays_ = [
        Stay("440304001", at("2022-06-29 09:00"), at("2022-06-30 09:00")),
        Stay("310115001", at("2022-06-30 12:00"), at("2022-07-01 10:00")),
    ]
    contact = Contact(kind="secondary", last_exposure=at("2022-07-01 09:00"))
    result = assess(
        stays_, register=register, policy=NINTH, as_of=at("2022-07-01 15:00"), contacts=[contact]
    )
    # Centralized quarantine (the high-risk stay) is stricter than the secondary contact's
    # home isolation, which ends no later: the high-risk stay governs the whole plan.
    assert result.category is Category.HIGH_RISK_AREA
    assert [r.category for r in result.reasons] == [
        Category.SECONDARY_CONTACT,
        Category.HIGH_RISK_AREA,
        Category.MEDIUM_RISK_AREA,
    ]
    assert result.plan is not None
    assert result.plan.anchor == at("2022-07-01 10:00")
    (step,) = result.plan.steps
    assert step.kind is MeasureKind.CENTRALIZED_QUARANTINE
    assert result.governing(step) is result.reasons[1]
    assert step.governed_by == 1
    # Every exposure's tests: the contact's days 1, 4, 7 and the medium-risk stay's too.
    assert result.plan.test_dates == tuple(d(f"2022-07-0{k}") for k in range(1, 9))


def test_a_combined_step_keeps_the_alternatives_of_its_measure() -> None:
    """Hunan: a medium-risk stay (quarantine, or isolation at home) and a province match
    (self monitoring). The quarantine governs and keeps its alternative, which no other
    quarantine in force forbids; the monitoring that follows has none."""
    result = assess(
        [
            Stay("440304001", at("2022-03-10 09:00"), at("2022-03-11 09:00")),
            Stay("440305002", at("2022-03-11 09:00"), at("2022-03-12 15:00")),
        ],
        register=RiskRegister(
            [
                RiskDesignation("440304001", RiskLevel.MEDIUM, at("2022-03-05 00:00")),
                RiskDesignation("440305001", RiskLevel.HIGH, at("2022-03-05 00:00")),
            ]
        ),
        policy=HUNAN,
        as_of=at("2022-03-12 20:00"),
        arrived_at=at("2022-03-12 20:00"),
    )
    assert result.plan is not None
    assert len({r.category for r in result.reasons}) == 2  # two plans combined
    assert [(s.kind, s.alternatives) for s in result.plan.steps] == [
        (MeasureKind.CENTRALIZED_QUARANTINE, (MeasureKind.HOME_ISOLATION,)),
        (MeasureKind.SELF_HEALTH_MONITORING, ()),
    ]


def test_a_stricter_step_starting_later_names_the_combined_plan() -> None:
    """Assessed while still in a high-risk area it leaves later: monitoring (from the
    county exposure) comes first, quarantine from leaving after it. The quarantine is the
    strictest step, so its plan gives the combined plan's category and anchor."""
    result = assess(
        [
            Stay("440304002", at("2022-06-29 09:00"), at("2022-06-30 09:00")),
            Stay("440304001", at("2022-07-01 09:00"), at("2022-07-03 09:00")),
        ],
        register=RiskRegister([high("440304001")]),
        policy=NINTH,
        as_of=at("2022-07-01 12:00"),
    )
    plan = result.plan
    assert plan is not None
    tested = tuple(d(f"2022-07-{n:02d}") for n in (4, 5, 6, 8, 10))  # days 1, 2, 3, 5, 7
    assert [(s.kind, s.test_dates) for s in plan.steps] == [
        (MeasureKind.SELF_HEALTH_MONITORING, ()),
        (MeasureKind.CENTRALIZED_QUARANTINE, tested),
        (MeasureKind.SELF_HEALTH_MONITORING, ()),
    ]
    assert (plan.category, plan.anchor_kind, plan.anchor) == (
        Category.HIGH_RISK_AREA, Anchor.LEFT_AREA, at("2022-07-03 09:00"),
    )  # fmt: skip


def test_each_test_date_of_a_combined_plan_is_held_by_the_step_of_its_day() -> None:
    """Ninth edition: a close contact (quarantine to day 7, home monitoring to day 10) and a
    secondary one (home isolation): each date goes to the step in force when its day starts."""
    result = contacts_only(
        NINTH,
        "2022-07-01 18:00",
        Contact(kind="close", last_exposure=at("2022-07-01 15:00")),
        Contact(kind="secondary", last_exposure=at("2022-07-01 16:00")),
    )
    assert result.plan is not None
    quarantine, monitoring = result.plan.steps
    assert quarantine.end == monitoring.start == at("2022-07-09 00:00")
    assert quarantine.test_dates == tuple(d(f"2022-07-0{n}") for n in (2, 3, 4, 5, 6, 8))
    assert monitoring.test_dates == (d("2022-07-11"),)


def test_anchor_is_the_latest_exposure_of_the_winning_category() -> None:
    register = RiskRegister([high(), high("310115001")])
    stays_ = [
        Stay(SZ, at("2022-06-29 09:00"), at("2022-06-30 09:00")),
        Stay("310115001", at("2022-06-30 12:00"), at("2022-07-01 10:00")),
    ]
    result = assess(stays_, register=register, policy=NINTH, as_of=at("2022-07-01 15:00"))
    assert result.plan is not None
    assert result.plan.anchor == at("2022-07-01 10:00")


def test_twenty_measures_ignores_medium_and_secondary() -> None:
    register = RiskRegister([RiskDesignation(SZ, RiskLevel.MEDIUM, at("2022-11-10 00:00"))])
    result = assess(
        one_stay("2022-11-11 09:00", "2022-11-12 09:00"),
        register=register,
        policy=TWENTY,
        as_of=at("2022-11-12 10:00"),
        contacts=[Contact(kind="secondary", last_exposure=at("2022-11-12 08:00"))],
    )
    assert result.category is Category.NONE
    assert result.reasons == ()


# ---------------------------------------------------------------------------- code colour and tests


def _county_case() -> Assessment:
    """A ninth-edition county exposure: self monitoring, yellow until two tests a day apart."""
    return assess(
        one_stay("2022-06-30 09:00", "2022-07-01 15:00", place="440304002"),
        register=RiskRegister([high("440304001")]),
        policy=NINTH,
        as_of=at("2022-07-01 18:00"),
        arrived_at=at("2022-07-01 18:00"),
    )


def _high_case(as_of: str = "2022-07-01 15:00", policy: Policy = NINTH) -> Assessment:
    return assess(
        one_stay("2022-06-30 09:00", "2022-07-01 15:00"),
        register=RiskRegister([high()]),
        policy=policy,
        as_of=at(as_of),
    )


def test_red_never_turns_green_by_tests_but_does_after_the_plan() -> None:
    result = _high_case()
    tests = [NatResult(at(f"2022-07-0{k} 09:00")) for k in range(2, 9)]
    assert code_color(result, tests, at("2022-07-08 23:59")) is CodeColor.RED
    assert code_color(result, tests, at("2022-07-09 00:00")) is CodeColor.GREEN


def test_yellow_waiting_for_tests_turns_green_when_the_plan_is_over() -> None:
    """Hunan, a province match: 14 days of self monitoring, yellow until the arrival tests.
    Untested, the code stays yellow to the plan's last instant and is green after it."""
    result = assess(
        [Stay("440305002", at("2022-03-10 09:00"), at("2022-03-12 15:00"))],
        register=RiskRegister([high("440304001", raised="2022-03-05 00:00")]),
        policy=HUNAN,
        as_of=at("2022-03-12 20:00"),
        arrived_at=at("2022-03-12 20:00"),
    )
    assert result.plan is not None
    assert result.plan.windows
    assert result.plan.green_after_tests
    [step] = result.plan.steps
    assert step.end == at("2022-03-27 00:00")
    assert code_color(result, [], at("2022-03-26 23:59")) is CodeColor.YELLOW
    assert code_color(result, [], at("2022-03-27 00:00")) is CodeColor.GREEN


def test_missed_scheduled_tests() -> None:
    result = _high_case()
    taken = [NatResult(at("2022-07-02 09:00")), NatResult(at("2022-07-04 09:00"), negative=False)]
    missed = missed_tests(result, taken, at("2022-07-07 10:00"))
    assert [(m.kind, m.day) for m in missed] == [
        (TestKind.SCHEDULED, d("2022-07-03")),
        (TestKind.SCHEDULED, d("2022-07-06")),
    ]
    assert missed[0].deadline == at("2022-07-04 00:00")
    assert (missed[0].needed, missed[0].taken) == (1, 0)
    # The day of a test is not over until local midnight, and over at it.
    assert missed_tests(result, taken, at("2022-07-03 23:59")) == ()
    assert [m.day for m in missed_tests(result, taken, at("2022-07-04 00:00"))] == [d("2022-07-03")]


def test_test_days_are_days_in_the_policy_zone() -> None:
    """The ninth edition kept in UTC: a test day ends at UTC midnight, and a test sampled
    at 20:00 UTC (04:00 the next day in Beijing) is taken on its UTC day."""
    policy = Policy.from_dict({**NINTH.to_dict(), "name": "ninth-edition-utc", "zone": "UTC"})
    result = _high_case(policy=policy)
    assert result.plan is not None
    assert result.plan.test_dates[0] == d("2022-07-02")
    day_over = datetime(2022, 7, 3, tzinfo=UTC)
    assert missed_tests(result, [], day_over - timedelta(minutes=1)) == ()
    [missed] = missed_tests(result, [], day_over)
    assert (missed.day, missed.deadline) == (d("2022-07-02"), day_over)
    assert missed_tests(result, [NatResult(datetime(2022, 7, 2, 20, tzinfo=UTC))], day_over) == ()


def test_overdue_window() -> None:
    result = _county_case()
    one = [NatResult(at("2022-07-02 09:00"))]
    assert missed_tests(result, one, at("2022-07-04 23:59")) == ()
    assert missed_tests(result, one, at("2022-07-05 00:00")) == ()  # a test then still counts
    two = [*one, NatResult(at("2022-07-05 00:00"))]
    assert missed_tests(result, two, at("2022-07-05 00:01")) == ()
    (late,) = missed_tests(result, one, at("2022-07-05 00:01"))
    assert (late.kind, late.needed, late.taken) == (TestKind.WITHIN_WINDOW, 2, 1)
    assert late.deadline == at("2022-07-05 00:00")


@pytest.mark.parametrize(
    ("early", "late", "color"),
    [
        (timedelta(0), timedelta(0), CodeColor.GREEN),  # both edges count: the window is closed
        (timedelta(seconds=-1), timedelta(0), CodeColor.YELLOW),
        (timedelta(0), timedelta(seconds=1), CodeColor.YELLOW),
    ],
)
def test_a_window_holds_tests_at_both_of_its_edges(
    early: timedelta, late: timedelta, color: CodeColor
) -> None:
    """A ninth-edition county exposure: yellow until two tests a day apart in the window."""
    result = _county_case()
    assert result.plan is not None
    [window] = result.plan.windows
    assert (window.start, window.end) == (at("2022-07-01 18:00"), at("2022-07-05 00:00"))
    taken = [NatResult(window.start + early), NatResult(window.end + late)]
    assert code_color(result, taken, window.end + late) is color  # a test at as_of counts


def test_no_plan_means_green_and_nothing_missed() -> None:
    result = assess([], register=RiskRegister(), policy=NINTH, as_of=at("2022-07-01 00:00"))
    assert code_color(result, [], at("2022-07-02 00:00")) is CodeColor.GREEN
    assert missed_tests(result, [], at("2022-07-02 00:00")) == ()


# ---------------------------------------------------------------------------- errors


def test_naive_as_of_is_refused() -> None:
    with pytest.raises(InvalidInput) as err:
        assess([], register=RiskRegister(), policy=NINTH, as_of=datetime(2022, 7, 1))
    assert err.value.code == "naive_datetime"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"register": "nope"}, "not_register"),
        ({"policy": {"name": "x"}}, "not_policy"),
        ({"arrived_at": datetime(2022, 7, 1)}, "naive_datetime"),
        ({"contacts": ["close"]}, "not_contact"),
        ({"stays": [1]}, "not_stay"),
        ({"stays": "440304"}, "not_sequence"),
    ],
)
def test_bad_arguments_raise_invalid_input(kwargs: dict[str, object], code: str) -> None:
    args: dict[str, object] = {
        "stays": [],
        "register": RiskRegister(),
        "policy": NINTH,
        "as_of": at("2022-07-01 00:00"),
    }
    args.update(kwargs)
    stays_ = args.pop("stays")
    with pytest.raises(InvalidInput) as err:
        assess(stays_, **args)  # type: ignore[arg-type]
    assert err.value.code == code


def test_bad_values_raise_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="unknown_contact_kind"):
        Contact(kind="distant", last_exposure=at("2022-07-01 00:00"))
    with pytest.raises(InvalidInput, match="naive_datetime"):
        NatResult(datetime(2022, 7, 1))
    with pytest.raises(InvalidInput, match="not_bool"):
        NatResult(at("2022-07-01 00:00"), negative="yes")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="not_assessment"):
        code_color("x", [], at("2022-07-01 00:00"))  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="not_mapping"):
        assess_many([], register=RiskRegister(), policy=NINTH, as_of=at("2022-07-01 00:00"))  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- batches


def test_assess_many_matches_assess_and_reports_progress() -> None:
    register = RiskRegister([high(), high("310115001")])
    people = {
        i: RiskHistory(one_stay("2022-06-30 09:00", "2022-07-01 15:00", place=place))
        for i, place in enumerate(["440304", "440304001", "310115", "430211", "440305"] * 50)
    }
    calls: list[tuple[int, int]] = []
    as_of = at("2022-07-01 16:00")
    out = assess_many(
        people,
        register=register,
        policy=NINTH,
        as_of=as_of,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert len(out) == 250
    for key, history in people.items():
        assert out[key] == assess(history.stays, register=register, policy=NINTH, as_of=as_of)
    assert calls[-1] == (250, 250)
    assert len(calls) <= 101
    assert [c[0] for c in calls] == sorted(c[0] for c in calls)


def test_assess_many_accepts_plain_stay_lists_and_empty_input() -> None:
    calls: list[tuple[int, int]] = []
    out = assess_many(
        {}, register=RiskRegister(), policy=NINTH, as_of=at("2022-07-01 00:00"),
        progress=lambda a, b: calls.append((a, b)),
    )  # fmt: skip
    assert out == {}
    assert calls == [(0, 0)]
    out2 = assess_many(
        {"a": one_stay("2022-06-30 09:00", "2022-07-01 15:00")},
        register=RiskRegister([high()]),
        policy=NINTH,
        as_of=at("2022-07-01 15:00"),
    )
    assert out2["a"].category is Category.HIGH_RISK_AREA


def test_compare_policies_counts_moves_and_names_people() -> None:
    register = RiskRegister(
        [
            RiskDesignation(SZ, RiskLevel.MEDIUM, at("2022-11-10 00:00")),
            RiskDesignation("310115001", RiskLevel.HIGH, at("2022-11-10 00:00")),
        ]
    )
    people = {
        "medium": one_stay("2022-11-11 09:00", "2022-11-12 09:00"),
        "high": one_stay("2022-11-11 09:00", "2022-11-12 09:00", place="310115001"),
        "none": one_stay("2022-11-11 09:00", "2022-11-12 09:00", place="430211"),
    }
    result = compare_policies(people, NINTH, TWENTY, at("2022-11-12 10:00"), register=register)
    assert result.total == 3
    assert result.unchanged == 1
    assert set(result.moved) == {"medium", "high"}
    assert result.category_moves == {(Category.MEDIUM_RISK_AREA, Category.NONE): 1}
    assert result.measure_moves == {
        (MeasureKind.HOME_ISOLATION, None): 1,
        (MeasureKind.CENTRALIZED_QUARANTINE, MeasureKind.HOME_ISOLATION): 1,
    }


def test_needs_reassessment_after_backdating() -> None:
    old = RiskRegister([high(raised="2022-07-08 00:00")])
    new = RiskRegister([high(raised="2022-07-05 00:00")])
    people = {
        "touched": one_stay("2022-06-27 09:00", "2022-06-28 12:00"),  # inside the new window only
        "elsewhere": one_stay("2022-06-27 09:00", "2022-06-28 12:00", place="310115"),
        "too_early": one_stay("2022-06-20 09:00", "2022-06-21 12:00"),
    }
    changes = diff(old, new)
    assert needs_reassessment(changes, people, policy=NINTH) == ("touched",)
    # And the touched person is indeed assessed differently.
    as_of = at("2022-07-08 12:00")
    arrived = at("2022-06-28 18:00")
    before = assess(people["touched"], register=old, policy=NINTH, as_of=as_of, arrived_at=arrived)
    after = assess(people["touched"], register=new, policy=NINTH, as_of=as_of, arrived_at=arrived)
    assert before.category is Category.NONE
    assert after.category is Category.HIGH_RISK_AREA


# ---------------------------------------------------------------------------- properties

AS_OF = at("2022-07-15 12:00")
WINDOW = {"min_value": at("2022-06-20 00:00"), "max_value": at("2022-07-15 12:00")}


def _anchor_of(reason: RiskReason, policy: Policy, reference: datetime) -> datetime:
    """The instant an exposure's own plan counts from (arrival, last exposure, or leaving)."""
    spec = policy.plan_for(reason.category)
    assert spec is not None
    if spec.anchor is Anchor.ARRIVAL:
        return reference
    if reason.contact is not None:
        return reason.contact.last_exposure
    assert reason.exposure_end is not None
    return reason.exposure_end


def _plan_invariants(a: Assessment, policy: Policy, reference: datetime) -> None:
    plan = a.plan
    assert plan is not None
    assert plan.steps or plan.windows
    for prev, nxt in zip(plan.steps, plan.steps[1:], strict=False):
        assert prev.end is not None
        if prev.end != nxt.start:
            # Not contiguous only where no exposure has a measure in force: the next
            # measure starts at its own anchor, a declared exposure ending later.
            assert prev.end < nxt.start == _anchor_of(a.governing(nxt), policy, reference)
    for step in plan.steps:
        assert 0 <= step.governed_by < len(a.reasons)
        assert step.start >= _anchor_of(a.governing(step), policy, reference)
        assert step.start >= plan.counted_from
        assert step.end is None or step.end > step.start
    tz = DEFAULT_ZONE
    for day in plan.test_dates:
        holders = [
            s
            for s in plan.steps
            if s.start.astimezone(tz).date() <= day
            and (s.end is None or day < s.end.astimezone(tz).date())
        ]
        assert holders, day


small_registers = risk_registers(
    st.builds(
        RiskDesignation,
        st.sampled_from(["440304", "440304001", "440304001001", "310115001", "430211", "440000"]),
        st.sampled_from(list(RiskLevel)),
        risk_instants(**WINDOW),
    ),
    max_size=5,
)


@settings(max_examples=60)
@given(
    st.lists(stays(**WINDOW), max_size=3),
    st.lists(contacts(**WINDOW), max_size=1),
    small_registers,
    risk_policies(),
    stays(**WINDOW),
    contacts(**WINDOW),
)
def test_adding_a_stay_or_contact_never_lowers_the_category(
    stays_, contacts_, register, policy, extra_stay, extra_contact
) -> None:
    base = assess(stays_, register=register, policy=policy, as_of=AS_OF, contacts=contacts_)
    more_stays = assess(
        [*stays_, extra_stay], register=register, policy=policy, as_of=AS_OF, contacts=contacts_
    )
    more_contacts = assess(
        stays_, register=register, policy=policy, as_of=AS_OF, contacts=[*contacts_, extra_contact]
    )
    # The most severe category identified among the reasons never lowers (the reported
    # category is the strictest step's; tests/test_risk_combination.py holds the measures).
    assert _most_severe(more_stays) <= _most_severe(base)
    assert _most_severe(more_contacts) <= _most_severe(base)


def _most_severe(a: Assessment) -> int:
    return min((SEVERITY[r.category] for r in a.reasons), default=SEVERITY[Category.NONE])


@settings(max_examples=60)
@given(histories(**WINDOW), small_registers, risk_policies(), st.integers(-40, 40))
def test_shifting_every_instant_by_whole_days_shifts_the_plan(history, register, policy, days):
    delta = timedelta(days=days)
    shifted_register = RiskRegister(
        RiskDesignation(
            x.area,
            x.level,
            x.raised_at + delta,
            None if x.lifted_at is None else x.lifted_at + delta,
        )
        for x in register
    )
    shifted = RiskHistory(
        tuple(s.shifted(delta) for s in history.stays),
        None if history.arrived_at is None else history.arrived_at + delta,
        tuple(
            Contact(kind=c.kind, last_exposure=c.last_exposure + delta) for c in history.contacts
        ),
    )
    a = assess(history.stays, register=register, policy=policy, as_of=AS_OF,
               arrived_at=history.arrived_at, contacts=history.contacts)  # fmt: skip
    b = assess(shifted.stays, register=shifted_register, policy=policy, as_of=AS_OF + delta,
               arrived_at=shifted.arrived_at, contacts=shifted.contacts)  # fmt: skip
    assert a.category is b.category
    assert a.needs_verification == b.needs_verification
    assert a.code_color is b.code_color
    assert (a.plan is None) == (b.plan is None)
    if a.plan is not None and b.plan is not None:
        assert b.plan.anchor == a.plan.anchor + delta
        moved = [
            (s.kind, s.start + delta, None if s.end is None else s.end + delta)
            for s in a.plan.steps
        ]
        assert moved == [(s.kind, s.start, s.end) for s in b.plan.steps]
        assert [x + delta for x in a.plan.test_dates] == list(b.plan.test_dates)


@settings(max_examples=60)
@given(small_registers, risk_policies(), st.data())
def test_stays_outside_every_window_give_no_measure(register, policy, data) -> None:
    trace = timedelta(days=policy.trace_back_days)
    opens = min((x.raised_at for x in register), default=AS_OF) - trace
    outside = data.draw(
        st.lists(
            stays(min_value=at("2022-05-01 00:00"), max_value=at("2022-06-01 00:00")), max_size=3
        )
    )
    outside = [s for s in outside if s.end <= opens]
    result = assess(outside, register=register, policy=policy, as_of=AS_OF)
    assert result.category is Category.NONE
    assert result.plan is None


@settings(max_examples=80)
@given(histories(**WINDOW), small_registers, risk_policies(), risk_instants(**WINDOW))
def test_plan_steps_are_contiguous_anchored_and_hold_every_test(history, register, policy, as_of):
    result = assess(history.stays, register=register, policy=policy, as_of=as_of,
                    arrived_at=history.arrived_at, contacts=history.contacts)  # fmt: skip
    if result.plan is not None:
        reference = as_of if history.arrived_at is None else history.arrived_at
        _plan_invariants(result, policy, reference)
    again = assess(history.stays, register=register, policy=policy, as_of=as_of,
                   arrived_at=history.arrived_at, contacts=history.contacts)  # fmt: skip
    assert again == result
    assert result.needs_verification == any(r.match is MatchKind.POSSIBLE for r in result.reasons)
    if result.category is Category.NONE:
        assert result.plan is None
        assert result.reasons == ()


@settings(max_examples=40)
@given(
    st.dictionaries(st.integers(0, 50), histories(**WINDOW, max_contacts=2), max_size=6),
    small_registers,
    risk_policies(),
)
def test_assess_many_equals_assess(people, register, policy) -> None:
    out = assess_many(people, register=register, policy=policy, as_of=AS_OF)
    for key, h in people.items():
        assert out[key] == assess(h.stays, register=register, policy=policy, as_of=AS_OF,
                                  arrived_at=h.arrived_at, contacts=h.contacts)  # fmt: skip


#: Designations around Futian raised and lifted at a few instants, so that equal
#: raises and equal exposure ends (the ties a scan must break by a rule) are common.
_FEW_INSTANTS = [at("2022-06-25 00:00"), at("2022-06-29 12:00"), at("2022-07-02 00:00")]
_AROUND_FUTIAN = [AreaCode.parse(a) for a in ("440304002", "440304001", "440305002", "440304")]


@st.composite
def tied_designations(draw: st.DrawFn) -> RiskDesignation:
    raised = draw(st.sampled_from(_FEW_INSTANTS))
    lifted = draw(st.sampled_from([None, *(t for t in _FEW_INSTANTS if t > raised)]))
    area = draw(st.sampled_from(["440304001", "440304003", "440304005", "440305001", "440304"]))
    return RiskDesignation(area, draw(st.sampled_from(list(RiskLevel))), raised, lifted)


@settings(max_examples=60)
@given(
    st.lists(tied_designations(), max_size=8),
    st.dictionaries(st.integers(0, 9), histories(_AROUND_FUTIAN, **WINDOW), max_size=4),
    st.sampled_from(sorted(PRESETS)),
    st.randoms(use_true_random=False),
)
def test_equal_registers_in_any_order_give_equal_assessments(designations, people, name, rnd):
    """A register is a set: its order changes no reason, no cited designation, no plan."""
    shuffled = list(designations)
    rnd.shuffle(shuffled)
    policy = PRESETS[name]
    in_order = RiskRegister(designations)
    out_of_order = RiskRegister(shuffled)
    assert assess_many(people, register=in_order, policy=policy, as_of=AS_OF) == assess_many(
        people, register=out_of_order, policy=policy, as_of=AS_OF
    )


def test_policy_from_json_assesses_like_the_preset() -> None:
    copy = Policy.from_json(NINTH.to_json())
    a = _high_case()
    b = assess(
        one_stay("2022-06-30 09:00", "2022-07-01 15:00"),
        register=RiskRegister([high()]),
        policy=copy,
        as_of=at("2022-07-01 15:00"),
    )
    assert a == b


def test_values_pickle_for_partitioned_runs() -> None:
    """Dask or Spark ship the register, the policy and the results between processes."""
    register = RiskRegister([high()])
    result = _high_case()
    assert pickle.loads(pickle.dumps(register)) == register
    again = pickle.loads(pickle.dumps(NINTH))
    assert again == NINTH
    assert pickle.loads(pickle.dumps(result)) == result
    stays_ = one_stay("2022-06-30 09:00", "2022-07-01 15:00")
    assert assess(stays_, register=pickle.loads(pickle.dumps(register)), policy=again,
                  as_of=at("2022-07-01 15:00")) == result  # fmt: skip


# ---------------------------------------------------------------------------- one rule, every path
#
# Each rule is stated once in the library and applied by every path. Here each is
# restated plainly, as the docs state it, over every designation of the register (no
# index, no early stop), and the bulk path (assess_many) and the one-person path (assess)
# must both agree with that plain statement.

NEAR = (MatchKind.DIRECT, MatchKind.POSSIBLE)
WIDE = (MatchKind.COUNTY, MatchKind.PROVINCE_OR_CITY)

#: Registers whose designations are raised within the window the histories are drawn in.
window_registers = risk_registers(risk_designations(**WINDOW), max_size=8)

#: The presets with a look-back longer than any drawn interval: every exposure qualifies,
#: so the matching rule is seen alone.
ALL_QUALIFY = {
    name: Policy.from_dict({**p.to_dict(), "name": f"{name}-all", "look_back_days": 366})
    for name, p in PRESETS.items()
}


def _plain_kind(place: AreaCode, area: AreaCode) -> MatchKind | None:
    """Inside the designated area, a coarser area holding it, elsewhere in its county, province."""
    if area.contains(place):
        return MatchKind.DIRECT
    if place.contains(area):
        return MatchKind.POSSIBLE
    if place.county is not None and place.county == area.county:
        return MatchKind.COUNTY
    if place.key[:2] == area.key[:2]:
        return MatchKind.PROVINCE_OR_CITY
    return None


def _plain_end(stay: Stay, x: RiskDesignation, trace_back: timedelta) -> datetime | None:
    """The end of the overlap of [start, end) with [R - T, L), or None."""
    opens = x.raised_at - trace_back
    closes = x.lifted_at
    start = max(stay.start, opens)
    end = stay.end if closes is None else min(stay.end, closes)
    return end if start < end else None


NearExposure = tuple[Stay, RiskDesignation, MatchKind, datetime]


def _plain_exposures(
    history: RiskHistory, register: RiskRegister, policy: Policy, as_of: datetime
) -> tuple[set[NearExposure], dict[tuple[Stay, Category], datetime]]:
    """Every qualifying near exposure, and the latest qualifying wide exposure per category."""
    rules = {(r.match, r.level): r.category for r in policy.rules}
    trace_back = timedelta(days=policy.trace_back_days)
    look_back = timedelta(days=policy.look_back_days)
    reference = as_of if history.arrived_at is None else history.arrived_at
    near: set[NearExposure] = set()
    wide: dict[tuple[Stay, Category], datetime] = {}
    for stay in history.stays:
        for x in register:
            kind = _plain_kind(stay.place, x.area)
            category = rules.get((kind, x.level)) if kind is not None else None
            if kind is None or category is None or x.raised_at > as_of:
                continue
            end = _plain_end(stay, x, trace_back)
            if end is None or reference - end > look_back:
                continue
            if kind in NEAR:
                near.add((stay, x, kind, end))
            elif (stay, category) not in wide or end > wide[(stay, category)]:
                wide[(stay, category)] = end
    return near, wide


def _check_against_the_plain_rule(
    people: dict[int, RiskHistory], register: RiskRegister, policy: Policy, as_of: datetime
) -> None:
    bulk = assess_many(people, register=register, policy=policy, as_of=as_of)
    for key, h in people.items():
        one = assess(h.stays, register=register, policy=policy, as_of=as_of,
                     arrived_at=h.arrived_at, contacts=h.contacts)  # fmt: skip
        assert bulk[key] == one
        near, wide = _plain_exposures(h, register, policy, as_of)
        stay_reasons = [r for r in one.reasons if r.stay is not None]
        found_near = {
            (r.stay, r.designation, r.match, r.exposure_end)
            for r in stay_reasons
            if r.match in NEAR
        }
        assert found_near == near
        found_wide = {(r.stay, r.category): r.exposure_end for r in stay_reasons if r.match in WIDE}
        assert found_wide == wide
        for r in stay_reasons:
            assert r.stay is not None
            assert r.designation is not None
            assert _plain_kind(r.stay.place, r.designation.area) is r.match
            trace_back = timedelta(days=policy.trace_back_days)
            assert _plain_end(r.stay, r.designation, trace_back) == r.exposure_end
        possible = any(kind is MatchKind.POSSIBLE for _, _, kind, _ in near)
        assert one.needs_verification is possible


@settings(max_examples=80)
@given(
    st.dictionaries(st.integers(0, 20), histories(**WINDOW), min_size=1, max_size=4),
    window_registers,
    st.sampled_from(sorted(ALL_QUALIFY)),
    risk_instants(**WINDOW),
)
def test_exposure_matching_agrees_with_a_plain_scan(people, register, name, as_of) -> None:
    """The exposure rule: [R - T, L) overlap, closest match kind, raised by as_of."""
    _check_against_the_plain_rule(people, register, ALL_QUALIFY[name], as_of)


@settings(max_examples=80)
@given(
    st.dictionaries(st.integers(0, 20), histories(**WINDOW), min_size=1, max_size=4),
    window_registers,
    risk_policies(),
    risk_instants(**WINDOW),
)
def test_qualification_agrees_with_the_plain_rule(people, register, policy, as_of) -> None:
    """The qualification rule: arrival (else as_of) at most the look-back after the end."""
    _check_against_the_plain_rule(people, register, policy, as_of)


@settings(max_examples=60)
@given(histories(**WINDOW), small_registers, risk_policies(), risk_instants(**WINDOW))
def test_plan_ends_are_midnight_after_the_anchor(history, register, policy, as_of) -> None:
    """Day counting: a step ends at midnight_after(anchor, its last day), and nowhere else.

    With one exposure's plan (or several with the same category and anchor) the
    plan's ends are exactly those of its category's steps; combined, every end is
    one of some exposure's own ends, or where a stricter measure starts at its anchor.
    """
    result = assess(history.stays, register=register, policy=policy, as_of=as_of,
                    arrived_at=history.arrived_at, contacts=history.contacts)  # fmt: skip
    plan = result.plan
    if plan is None:
        return
    reference = as_of if history.arrived_at is None else history.arrived_at
    zone_of = zone(policy.zone)
    own_ends: dict[tuple[Category, datetime], list[datetime | None]] = {}
    for reason in result.reasons:
        anchor = _anchor_of(reason, policy, reference)
        spec = policy.plan_for(reason.category)
        assert spec is not None
        ends: list[datetime | None] = []
        last_day = 0
        for step in spec.steps:
            if step.days is None:
                ends.append(None)
                break
            last_day += step.days
            ends.append(midnight_after(anchor, last_day, zone_of))
        remaining = [e for e in ends if e is None or e > plan.counted_from]
        own_ends[(reason.category, anchor)] = remaining
        for w in plan.windows:
            if w.kind is TestKind.WITHIN_WINDOW and w.start == anchor and spec.requirements:
                (req,) = spec.requirements
                assert w.end == midnight_after(anchor, req.within_days, zone_of)
    if len([e for e in own_ends.values() if e]) == 1:
        (remaining,) = [e for e in own_ends.values() if e]
        assert [s.end for s in plan.steps] == remaining
    every_end = {e for ends in own_ends.values() for e in ends}
    starts = {s.start for s in plan.steps}
    for step in plan.steps:
        assert step.end in every_end or step.end in starts


@settings(max_examples=60)
@given(risk_instants(), st.integers(0, 30), st.sampled_from(["Asia/Shanghai", "UTC"]))
def test_midnight_after_a_date_is_midnight_after_an_instant_on_it(instant, days, name) -> None:
    """The engine passes day 0 as a local date; an instant on that date gives the same end."""
    tzone = zone(name)
    day0 = instant.astimezone(tzone).date()
    end = midnight_after(day0, days, tzone)
    assert end == midnight_after(instant, days, tzone)
    assert end.astimezone(tzone).time() == datetime.min.time()
    assert end.astimezone(tzone).date() == day0 + timedelta(days=days + 1)


@settings(max_examples=60)
@given(
    risk_instants(),
    st.lists(st.integers(-1, 30), max_size=6),
    st.sampled_from(["Asia/Shanghai", "UTC"]),
)
def test_a_calls_midnights_are_midnight_after(instant, days, name) -> None:
    """The memo one engine call keeps (timeutil.Midnights) gives midnight_after's answer."""
    tzone = zone(name)
    memo = Midnights(tzone)
    day0 = instant.astimezone(tzone).date()
    for n in [*days, *days]:  # asked twice: computed, then remembered
        assert memo.after(day0, n) == midnight_after(day0, n, tzone)
