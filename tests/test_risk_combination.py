"""More evidence never makes the outcome milder: every exposure's own plan, combined.

Each qualifying exposure (a stay against a designation, or a contact) has its
own remaining plan; the person's plan is their combination (docs/risk.md,
"Combining exposures"). Here: the three outcomes that used to get milder with
more evidence, the monotonicity property under every preset, and the
combination restated plainly (each exposure's plan computed from the policy
text with no engine code, then combined instant by instant) against what
``assess`` and ``assess_many`` return.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridcare.risk import (
    PRESETS,
    SEVERITY,
    Anchor,
    Assessment,
    Category,
    CodeColor,
    Contact,
    MeasureKind,
    Policy,
    RiskDesignation,
    RiskHistory,
    RiskLevel,
    RiskPlan,
    RiskReason,
    RiskRegister,
    Stay,
    assess,
    assess_many,
    code_color,
)
from gridcare.testing._risk_strategies import (
    histories,
    risk_designations,
    risk_instants,
    risk_registers,
    stays_or_contacts,
)
from gridcare.timeutil import DEFAULT_ZONE, midnight_after, zone

NINTH = PRESETS["ninth-edition"]
HUNAN = PRESETS["hunan-2022-03"]
SZ = "440304"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=DEFAULT_ZONE)


def d(text: str) -> date:
    return date.fromisoformat(text)


def high(area: str = SZ, raised: str = "2022-06-28 00:00") -> RiskDesignation:
    return RiskDesignation(area, RiskLevel.HIGH, at(raised))


def shape(a: Assessment) -> list[tuple[MeasureKind, datetime, datetime | None, CodeColor]]:
    assert a.plan is not None
    return [(s.kind, s.start, s.end, s.code_color) for s in a.plan.steps]


# ---------------------------------------------------------------------------- the three cases

CQ = MeasureKind.CENTRALIZED_QUARANTINE
HI = MeasureKind.HOME_ISOLATION
HHM = MeasureKind.HOME_HEALTH_MONITORING


def test_ninth_high_risk_stay_plus_secondary_contact() -> None:
    """9th edition: the high-risk stay's quarantine stays; the contact's isolation follows it."""
    as_of = at("2022-07-03 18:00")
    stay = Stay(SZ, at("2022-07-02 09:00"), at("2022-07-03 15:00"))
    contact = Contact(kind="secondary", last_exposure=at("2022-07-04 10:00"))
    register = RiskRegister([high()])
    alone = assess([stay], register=register, policy=NINTH, as_of=as_of)
    assert shape(alone) == [(CQ, as_of, at("2022-07-11 00:00"), CodeColor.RED)]
    both = assess([stay], register=register, policy=NINTH, as_of=as_of, contacts=[contact])
    assert shape(both) == [
        (CQ, as_of, at("2022-07-11 00:00"), CodeColor.RED),
        (HI, at("2022-07-11 00:00"), at("2022-07-12 00:00"), CodeColor.YELLOW),
    ]
    assert both.category is Category.HIGH_RISK_AREA
    assert both.code_color is CodeColor.RED
    assert both.plan is not None
    quarantine, isolation = both.plan.steps
    assert both.governing(quarantine).stay == stay
    assert both.governing(isolation).contact == contact
    # Every exposure is a reason, and the union of both plans' tests is kept.
    assert {r.category for r in both.reasons} == {
        Category.SECONDARY_CONTACT,
        Category.HIGH_RISK_AREA,
    }
    assert alone.plan is not None
    assert set(alone.plan.test_dates) < set(both.plan.test_dates)
    assert both.plan.test_dates == tuple(d(f"2022-07-{k:02d}") for k in (4, 5, 6, 8, 10, 11))


def test_hunan_high_risk_stay_plus_an_ended_secondary_contact() -> None:
    """Hunan: a secondary contact whose 7 days are over no longer hides the 14 days' quarantine."""
    as_of = at("2022-03-20 12:00")
    stay = Stay(SZ, at("2022-03-18 09:00"), at("2022-03-19 15:00"))
    contact = Contact(kind="secondary", last_exposure=at("2022-03-10 10:00"))  # plan over 03-18
    register = RiskRegister([high(raised="2022-03-15 00:00")])
    alone = assess([stay], register=register, policy=HUNAN, as_of=as_of)
    both = assess([stay], register=register, policy=HUNAN, as_of=as_of, contacts=[contact])
    expected = [(CQ, as_of, at("2022-04-03 00:00"), CodeColor.RED)]
    assert shape(alone) == expected
    assert shape(both) == expected
    assert both.category is Category.HIGH_RISK_AREA
    assert both.code_color is CodeColor.RED
    # The contact still qualifies (14-day look-back) and is listed, governing nothing.
    assert [r.category for r in both.reasons] == [
        Category.SECONDARY_CONTACT,
        Category.HIGH_RISK_AREA,
    ]
    assert both.plan is not None
    assert all(both.governing(s) is both.reasons[1] for s in both.plan.steps)


def test_ninth_recent_secondary_plus_older_close_contact() -> None:
    """9th edition: the close contact's monitoring does not cut the secondary's isolation short."""
    as_of = at("2022-07-10 10:00")
    secondary = Contact(kind="secondary", last_exposure=at("2022-07-08 20:00"))
    close = Contact(kind="close", last_exposure=at("2022-07-01 15:00"))  # monitoring to 07-12
    alone = assess([], register=RiskRegister(), policy=NINTH, as_of=as_of, contacts=[secondary])
    assert shape(alone) == [(HI, as_of, at("2022-07-16 00:00"), CodeColor.YELLOW)]
    both = assess(
        [], register=RiskRegister(), policy=NINTH, as_of=as_of, contacts=[secondary, close]
    )
    # Home isolation throughout; red while the close contact's red monitoring runs.
    assert shape(both) == [
        (HI, as_of, at("2022-07-12 00:00"), CodeColor.RED),
        (HI, at("2022-07-12 00:00"), at("2022-07-16 00:00"), CodeColor.YELLOW),
    ]
    assert both.category is Category.SECONDARY_CONTACT
    assert both.code_color is CodeColor.RED
    assert both.plan is not None
    assert {both.governing(s).contact for s in both.plan.steps} == {secondary}
    assert both.plan.test_dates == (d("2022-07-11"), d("2022-07-12"), d("2022-07-15"))


def test_the_worked_example_of_the_docs() -> None:
    """docs/risk.md, "Combining exposures": a close contact and a stay in a medium-risk town."""
    as_of = at("2022-07-05 09:00")
    register = RiskRegister(
        [
            RiskDesignation("440304001", RiskLevel.MEDIUM, at("2022-07-01 00:00")),
            RiskDesignation("440304002", RiskLevel.HIGH, at("2022-07-01 00:00")),
        ]
    )
    stay = Stay("440304001", at("2022-07-03 08:00"), at("2022-07-04 20:00"))
    close = Contact(kind="close", last_exposure=at("2022-06-29 21:00"))
    a = assess([stay], register=register, policy=NINTH, as_of=as_of, contacts=[close])
    assert [r.category for r in a.reasons] == [
        Category.CLOSE_CONTACT,
        Category.MEDIUM_RISK_AREA,
        Category.LOW_RISK_AREA,
    ]
    assert shape(a) == [
        (CQ, as_of, at("2022-07-07 00:00"), CodeColor.RED),
        (HI, at("2022-07-07 00:00"), at("2022-07-10 00:00"), CodeColor.RED),
        (HI, at("2022-07-10 00:00"), at("2022-07-12 00:00"), CodeColor.YELLOW),
        (MeasureKind.SELF_HEALTH_MONITORING, at("2022-07-12 00:00"), None, CodeColor.YELLOW),
    ]
    assert a.plan is not None
    assert [a.governing(s).category for s in a.plan.steps] == [
        Category.CLOSE_CONTACT,
        Category.MEDIUM_RISK_AREA,
        Category.MEDIUM_RISK_AREA,
        Category.LOW_RISK_AREA,
    ]
    assert a.category is Category.CLOSE_CONTACT
    assert a.code_color is CodeColor.RED
    assert a.plan.test_dates == tuple(d(f"2022-07-{k:02d}") for k in (5, 6, 8, 9, 11))
    assert [s.green_after_tests for s in a.plan.steps] == [False, False, False, True]
    # The low-risk area's window (2 tests within 3 days of arrival) is kept.
    assert [w.count for w in a.plan.windows] == [2]


# ---------------------------------------------------------------------------- monotonicity

WINDOW = {"min_value": at("2022-06-20 00:00"), "max_value": at("2022-07-15 12:00")}
registers = risk_registers(risk_designations(**WINDOW), max_size=6)
STRICTNESS = {kind: i for i, kind in enumerate(MeasureKind)}
NO_MEASURE = len(STRICTNESS)
COLOR_RANK = {color: i for i, color in enumerate(CodeColor)}


def measure_rank(plan: RiskPlan | None, t: datetime) -> int:
    """How strict the measure in force at ``t`` is (0 strictest; no measure is the weakest)."""
    if plan is None:
        return NO_MEASURE
    for step in plan.steps:
        if step.in_force(t):
            return STRICTNESS[step.kind]
    return NO_MEASURE


def instants(*plans: RiskPlan | None) -> set[datetime]:
    """Every instant a step starts or ends: the measures are constant between them."""
    found: set[datetime] = set()
    for plan in plans:
        for step in plan.steps if plan is not None else ():
            found.add(step.start)
            if step.end is not None:
                found.add(step.end)
    return found


def last_end(plan: RiskPlan | None, rank: int) -> datetime | None:
    """When the last measure at least as strict as ``rank`` ends (``datetime.max`` if open)."""
    latest: datetime | None = None
    for step in plan.steps if plan is not None else ():
        if STRICTNESS[step.kind] <= rank:
            end = datetime.max.replace(tzinfo=DEFAULT_ZONE) if step.end is None else step.end
            latest = end if latest is None or end > latest else latest
    return latest


def assert_not_milder(base: Assessment, more: Assessment) -> None:
    """``more`` (one more stay or contact) is nowhere milder than ``base``."""
    for t in instants(base.plan, more.plan) | {base.as_of}:
        assert measure_rank(more.plan, t) <= measure_rank(base.plan, t), t
        before = code_color(base, [], t)
        after = code_color(more, [], t)
        assert COLOR_RANK[after] <= COLOR_RANK[before], t
    for rank in range(NO_MEASURE):
        ends_before = last_end(base.plan, rank)
        if ends_before is not None:
            ends_after = last_end(more.plan, rank)
            assert ends_after is not None
            assert ends_after >= ends_before
    assert COLOR_RANK[more.code_color] <= COLOR_RANK[base.code_color]
    if base.plan is not None:
        assert more.plan is not None
        assert set(base.plan.test_dates) <= set(more.plan.test_dates)
    assert set(base.reasons) <= set(more.reasons)
    assert more.needs_verification or not base.needs_verification


def _plus(history: RiskHistory, extra: Stay | Contact) -> RiskHistory:
    if isinstance(extra, Stay):
        return RiskHistory((*history.stays, extra), history.arrived_at, history.contacts)
    return RiskHistory(history.stays, history.arrived_at, (*history.contacts, extra))


@pytest.mark.parametrize("name", sorted(PRESETS))
@settings(max_examples=150)
@given(
    history=histories(**WINDOW, max_stays=3, max_contacts=2),
    register=registers,
    extra=stays_or_contacts(**WINDOW),
    as_of=risk_instants(**WINDOW),
)
def test_one_more_stay_or_contact_never_makes_the_outcome_milder(
    name: str, history: RiskHistory, register: RiskRegister, extra: Stay | Contact, as_of: datetime
) -> None:
    policy = PRESETS[name]
    more = _plus(history, extra)
    base_a = assess(history.stays, register=register, policy=policy, as_of=as_of,
                    arrived_at=history.arrived_at, contacts=history.contacts)  # fmt: skip
    more_a = assess(more.stays, register=register, policy=policy, as_of=as_of,
                    arrived_at=more.arrived_at, contacts=more.contacts)  # fmt: skip
    assert_not_milder(base_a, more_a)
    # The batch gives the same answers (one implementation for both paths).
    both = assess_many({0: history, 1: more}, register=register, policy=policy, as_of=as_of)
    assert both == {0: base_a, 1: more_a}


# ---------------------------------------------------------------------------- the rule, plainly


def anchor_of(reason: RiskReason, policy: Policy, reference: datetime) -> datetime:
    """The instant an exposure's own plan counts from (its local date is day 0)."""
    spec = policy.plan_for(reason.category)
    assert spec is not None
    if spec.anchor is Anchor.ARRIVAL:
        return reference
    if reason.contact is not None:
        return reason.contact.last_exposure
    assert reason.exposure_end is not None
    return reason.exposure_end


PlainStep = tuple[MeasureKind, datetime, datetime | None, CodeColor]


def plain_in_force(step: PlainStep, t: datetime) -> bool:
    return step[1] <= t and (step[2] is None or t < step[2])


def plain_own_plan(
    reason: RiskReason, policy: Policy, reference: datetime, counted_from: datetime
) -> tuple[list[PlainStep], set[date]]:
    """One exposure's remaining steps and test dates, straight from the policy's text."""
    spec = policy.plan_for(reason.category)
    assert spec is not None
    tz = zone(policy.zone)
    anchor = anchor_of(reason, policy, reference)
    day0 = anchor.astimezone(tz).date()
    today = counted_from.astimezone(tz).date()
    steps: list[PlainStep] = []
    tests: set[date] = set()
    start, offset = anchor, 0
    for i, step in enumerate(spec.steps):
        end = None if step.days is None else midnight_after(anchor, offset + step.days, tz)
        if end is None or end > counted_from:
            steps.append((step.kind, max(start, counted_from), end, step.code_color))
            first = 0 if i == 0 else 1
            tests |= {day0 + timedelta(days=offset + k) for k in step.test_days if k >= first}
        if end is None:
            break
        offset += step.days or 0
        start = end
    return steps, {t for t in tests if t >= today}


@settings(max_examples=200)
@given(
    people=st.dictionaries(st.integers(0, 9), histories(**WINDOW, max_contacts=2), max_size=4),
    register=registers,
    name=st.sampled_from(sorted(PRESETS)),
    as_of=risk_instants(**WINDOW),
)
def test_the_plan_is_the_combination_of_every_exposures_own_plan(
    people: dict[int, RiskHistory], register: RiskRegister, name: str, as_of: datetime
) -> None:
    """At every instant the strictest measure in force in any own plan, and so on."""
    policy = PRESETS[name]
    bulk = assess_many(people, register=register, policy=policy, as_of=as_of)
    for key, h in people.items():
        a = assess(h.stays, register=register, policy=policy, as_of=as_of,
                   arrived_at=h.arrived_at, contacts=h.contacts)  # fmt: skip
        assert bulk[key] == a
        reference = as_of if h.arrived_at is None else h.arrived_at
        counted_from = max(as_of, reference)
        owns = [plain_own_plan(r, policy, reference, counted_from) for r in a.reasons]
        plan = a.plan
        if plan is None:
            assert all(not steps for steps, _ in owns)
            assert a.category is (a.reasons[0].category if a.reasons else Category.NONE)
            continue
        assert plan.test_dates == tuple(sorted(set().union(*(tests for _, tests in owns))))
        bounds = {t for steps, _ in owns for s in steps for t in (s[1], s[2]) if t is not None}
        assert instants(plan) <= bounds
        for t in bounds:
            in_force = [s for steps, _ in owns for s in steps if plain_in_force(s, t)]
            expected = min((STRICTNESS[s[0]] for s in in_force), default=NO_MEASURE)
            assert measure_rank(plan, t) == expected, t
            upcoming = [
                next(s for s in steps if s[2] is None or t < s[2])
                for steps, _ in owns
                if any(s[2] is None or t < s[2] for s in steps)
            ]
            shown = next((s for s in plan.steps if s.end is None or t < s.end), None)
            if shown is not None:
                assert COLOR_RANK[shown.code_color] == min(COLOR_RANK[s[3]] for s in upcoming)
        for step in plan.steps:
            assert 0 <= step.governed_by < len(a.reasons)
            own_steps, _ = owns[step.governed_by]
            # The governing exposure has this very measure in force over the whole step.
            assert any(
                s[0] is step.kind
                and s[1] <= step.start
                and (s[2] is None or (step.end is not None and step.end <= s[2]))
                for s in own_steps
            )
        # Each test date is held by the step in force when its day starts, else the next
        # (the last when every step is over by then); no date is held twice.
        tz = zone(plan.zone_name)
        for day in plan.test_dates:
            starts = midnight_after(day, -1, tz)
            holder = next((s for s in plan.steps if s.end is None or starts < s.end), None)
            assert day in (holder or plan.steps[-1]).test_dates, day
        assert sorted(d for s in plan.steps for d in s.test_dates) == list(plan.test_dates)
        strictest = min(plan.steps, key=lambda s: (STRICTNESS[s.kind], COLOR_RANK[s.code_color]))
        assert a.category is a.governing(strictest).category is plan.category
        assert SEVERITY[a.category] < SEVERITY[Category.NONE]


def _shifted(history: RiskHistory, minutes: int) -> RiskHistory:
    delta = timedelta(minutes=minutes)
    return RiskHistory(
        tuple(s.shifted(delta) for s in history.stays),
        None if history.arrived_at is None else history.arrived_at + delta,
        tuple(
            Contact(kind=c.kind, last_exposure=c.last_exposure + delta) for c in history.contacts
        ),
    )


@settings(max_examples=150)
@given(
    history=histories(**WINDOW, max_stays=3, max_contacts=2),
    register=registers,
    name=st.sampled_from(sorted(PRESETS)),
    as_of=risk_instants(**WINDOW),
    step=st.integers(1, 90),
)
def test_people_with_the_same_exposures_get_what_each_would_alone(
    history: RiskHistory, register: RiskRegister, name: str, as_of: datetime, step: int
) -> None:
    """A batch reuses a combination already made for the same exposures and dates (the fast
    path of assess_many); each person still gets exactly what assess gives them alone."""
    policy = PRESETS[name]
    people = {i: _shifted(history, i * step) for i in range(-3, 4)}
    people[9] = history  # the same history twice in one batch
    bulk = assess_many(people, register=register, policy=policy, as_of=as_of)
    for key, h in people.items():
        alone = assess(h.stays, register=register, policy=policy, as_of=as_of,
                       arrived_at=h.arrived_at, contacts=h.contacts)  # fmt: skip
        assert bulk[key] == alone
