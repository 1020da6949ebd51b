"""Garbage into the risk rules and the area-code helpers they use: only coded errors come out.

The reproducers found by ``tests/hostile.py`` and by hand, one test per kind of
bug (a value rendered before it is checked, a bound missing, a panic or a
recursion inside a parser, a constructor taking anything), then the promises
that came with the fixes: what the engine builds without the constructors'
checks passes them, and ``diff`` pairs exactly as the plain quadratic rule,
in one pass.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hostile
from gridcare.codes import AreaCode, Division
from gridcare.errors import InvalidInput, PolicyError
from gridcare.risk import (
    PRESETS,
    Anchor,
    Assessment,
    Category,
    ChangeKind,
    CodeColor,
    Contact,
    DesignationChange,
    MatchKind,
    MeasureKind,
    MissedTest,
    NatResult,
    Policy,
    PolicyComparison,
    Presets,
    RegisterDiff,
    RiskDesignation,
    RiskHistory,
    RiskLevel,
    RiskPlan,
    RiskReach,
    RiskReason,
    RiskRegister,
    RiskStep,
    Stay,
    TestKind,
    TestWindow,
    assess,
    assess_many,
    code_color,
    diff,
    exposure_end,
    match_kind,
    missed_tests,
    opens_after,
)
from gridcare.risk import register as register_module
from gridcare.testing._risk_strategies import histories, risk_designations, risk_instants
from gridcare.timeutil import DEFAULT_ZONE as CST

NINTH = PRESETS["ninth-edition"]
T0 = datetime(2022, 7, 1, 12, tzinfo=CST)
DEEP = hostile.HOSTILE["deep list"]


def code_and_field(call: object) -> tuple[str, str]:
    with pytest.raises(InvalidInput) as err:
        call()  # type: ignore[operator]
    return err.value.code, err.value.field


def high(area: str = "440304", raised: datetime = T0, lifted: datetime | None = None):
    return RiskDesignation(area, RiskLevel.HIGH, raised, lifted)


def a_stay(place: str = "440304", hours: int = 5) -> Stay:
    return Stay(place, T0 - timedelta(hours=hours), T0)


def an_assessment() -> Assessment:
    """A close contact with a high-risk stay: a plan of two steps, two reasons."""
    register = RiskRegister([high(raised=T0 - timedelta(days=2))])
    contact = Contact(kind="close", last_exposure=T0 - timedelta(days=1))
    return assess([a_stay()], register=register, policy=NINTH, as_of=T0, contacts=[contact])


# ---------------------------------------------------------------------------- the scanner


def test_the_scanner_finds_nothing_in_the_risk_rules_and_area_helpers() -> None:
    figures = hostile.run(
        [
            "gridcare.risk",
            "gridcare.codes.AreaCode.contains",
            "gridcare.codes.AreaCode.child",
            "gridcare.codes.Division",
        ]
    )
    assert figures.entry_points >= 60
    assert [str(f) for f in figures.findings] == []


# ---------------------------------------------------------------------------- policies


@pytest.mark.parametrize(
    ("indent", "code"),
    [(2**63, "out_of_range"), (-1, "negative"), ("2", "not_integer"), (True, "not_integer")],
)
def test_to_json_bounds_its_indent(indent: object, code: str) -> None:
    """2**63 used to panic inside pydantic (a PanicException: capacity overflow)."""
    assert code_and_field(lambda: NINTH.to_json(indent=indent)) == (code, "indent")
    assert Policy.from_json(NINTH.to_json(indent=16)) == NINTH
    assert Policy.from_json(NINTH.to_json(indent=None)) == NINTH


@pytest.mark.parametrize(
    "text",
    ["[" * 100_000, '{"a":' * 100_000, "\ud800", '"\ud800"', b"\xff\x00", None, 3, ["{}"]],
)
def test_from_json_refuses_what_is_not_a_shallow_json_object(text: object) -> None:
    """``"[" * 100_000`` used to raise RecursionError from the standard JSON parser."""
    with pytest.raises(PolicyError) as err:
        Policy.from_json(text)  # type: ignore[arg-type]
    assert err.value.where == "<policy>"


def test_from_json_reads_bytes_and_text_alike() -> None:
    text = NINTH.to_json()
    assert Policy.from_json(text) == Policy.from_json(text.encode("utf-8")) == NINTH


def test_a_policy_part_given_a_deep_list_is_a_policy_error() -> None:
    with pytest.raises(PolicyError):
        Policy.from_dict({**NINTH.to_dict(), "source": {**NINTH.to_dict()["source"], "kind": DEEP}})


def test_presets_check_names_and_policies() -> None:
    assert code_and_field(lambda: Presets(None)) == ("not_mapping", "policies")  # type: ignore[arg-type]
    assert code_and_field(lambda: Presets({"a": 1})) == ("not_policy", "policies.0")  # type: ignore[dict-item]
    assert code_and_field(lambda: Presets({1: NINTH})) == ("not_string", "policies.0")  # type: ignore[dict-item]
    assert Presets({"x": NINTH})["x"] is NINTH
    # A name keeps the text rules of a code: a control character, nothing, or a thousand
    # characters would reach every repr and error that names the presets.
    assert code_and_field(lambda: Presets({"a\x1b[2J": NINTH})) == (
        "control_character",
        "policies.0",
    )
    assert code_and_field(lambda: Presets({"": NINTH})) == ("missing", "policies.0")
    assert code_and_field(lambda: Presets({"x": NINTH, "y" * 129: NINTH})) == (
        "too_long",
        "policies.1",
    )
    assert "13812345678" not in repr(Presets({"13812345678": NINTH}))


# ---------------------------------------------------------------------------- stays, designations


def test_a_stay_ending_in_year_9999_is_refused_where_it_enters() -> None:
    """It used to be reported accepted, then assess_many raised OverflowError for everyone."""
    end = datetime(9999, 12, 30, tzinfo=UTC)
    assert code_and_field(lambda: Stay("440304", T0, end)) == ("out_of_range", "end")
    assert code_and_field(lambda: Stay("440304", datetime(1, 1, 1, tzinfo=UTC), T0)) == (
        "out_of_range",
        "start",
    )
    # So a batch only ever holds stays the engine can count with.
    people = {"A": [a_stay()], "B": RiskHistory((a_stay("310115"),))}
    out = assess_many(people, register=RiskRegister([high()]), policy=NINTH, as_of=T0)
    assert out["A"].category is Category.HIGH_RISK_AREA


@pytest.mark.parametrize(
    ("delta", "code"),
    [
        (timedelta.max, "out_of_range"),
        (timedelta.min, "out_of_range"),
        (timedelta(days=365 * 90), "out_of_range"),
        (object(), "wrong_type"),
        (1, "wrong_type"),
    ],
)
def test_shifting_a_stay_stays_in_the_supported_years(delta: object, code: str) -> None:
    assert code_and_field(lambda: a_stay().shifted(delta)) == (code, "delta")  # type: ignore[arg-type]
    assert a_stay().shifted(timedelta(days=-1)).end == T0 - timedelta(days=1)


@pytest.mark.parametrize("level", [DEEP, None, 3, "extreme", b"high"])
def test_a_level_that_is_not_one_is_refused_without_rendering_it(level: object) -> None:
    assert code_and_field(lambda: RiskDesignation("440304", level, T0)) == (
        "unknown_level",
        "level",
    )


@pytest.mark.parametrize("kind", [DEEP, None, "distant"])
def test_a_contact_kind_that_is_not_one_is_refused_without_rendering_it(kind: object) -> None:
    assert code_and_field(lambda: Contact(kind=kind, last_exposure=T0)) == (  # type: ignore[arg-type]
        "unknown_contact_kind",
        "kind",
    )


def test_nat_result_and_histories_render_no_value() -> None:
    assert code_and_field(lambda: NatResult(T0, negative=DEEP)) == ("not_bool", "negative")  # type: ignore[arg-type]
    assert code_and_field(lambda: RiskHistory(object())) == ("not_sequence", "stays")  # type: ignore[arg-type]
    key = (((),),)
    with pytest.raises(InvalidInput) as err:
        assess_many({key: 5}, register=RiskRegister(), policy=NINTH, as_of=T0)  # type: ignore[dict-item]
    assert err.value.code == "not_sequence"
    assert err.value.field == "histories['<tuple of 1 items>']"


def test_designation_methods_check_their_arguments() -> None:
    d = high()
    assert code_and_field(lambda: d.in_force("2022-07-01")) == ("not_datetime", "at")  # type: ignore[arg-type]
    assert code_and_field(lambda: d.in_force(datetime(2022, 7, 1))) == ("naive_datetime", "at")
    for days in (10**100, 2**63, -1, 367, DEEP, 1.5, True):
        assert code_and_field(lambda: d.window(days)) == ("bad_days", "trace_back_days")  # type: ignore[arg-type]  # noqa: B023
        assert code_and_field(lambda: d.exposure(a_stay(), days)) == ("bad_days", "trace_back_days")  # type: ignore[arg-type]  # noqa: B023
    assert code_and_field(lambda: d.exposure("440304")) == ("not_stay", "stay")  # type: ignore[arg-type]
    assert d.window(366)[0] == T0 - timedelta(days=366)


def test_the_rule_functions_check_their_arguments() -> None:
    d, s, week = high(), a_stay(), timedelta(days=7)
    assert code_and_field(lambda: opens_after(None, T0, week)) == ("not_designation", "designation")  # type: ignore[arg-type]
    assert code_and_field(lambda: opens_after(d, date(2022, 7, 1), week)) == (
        "not_datetime",
        "instant",
    )  # type: ignore[arg-type]
    assert code_and_field(lambda: opens_after(d, T0, timedelta.max)) == (
        "out_of_range",
        "trace_back",
    )
    assert code_and_field(lambda: opens_after(d, T0, -week)) == ("out_of_range", "trace_back")
    assert code_and_field(lambda: exposure_end(s, d, 7)) == ("wrong_type", "trace_back")  # type: ignore[arg-type]
    assert code_and_field(lambda: exposure_end(DEEP, d, week)) == ("not_stay", "stay")  # type: ignore[arg-type]
    assert code_and_field(lambda: exposure_end(s, "x", week)) == ("not_designation", "designation")  # type: ignore[arg-type]
    assert code_and_field(lambda: match_kind("440304", d.area)) == ("not_area_code", "place")  # type: ignore[arg-type]
    assert code_and_field(lambda: match_kind(d.area, None)) == ("not_area_code", "area")  # type: ignore[arg-type]
    assert exposure_end(s, d, week) == s.end
    assert opens_after(d, T0 - week, week)


def test_register_queries_check_their_arguments() -> None:
    reg = RiskRegister([high()])
    place = AreaCode.parse("440304")
    assert code_and_field(lambda: RiskRegister(None)) == ("not_list", "designations")  # type: ignore[arg-type]
    assert code_and_field(lambda: RiskRegister("440304")) == ("not_list", "designations")  # type: ignore[arg-type]
    assert code_and_field(lambda: reg.reach("440304")) == ("not_area_code", "place")  # type: ignore[arg-type]
    assert code_and_field(lambda: reg.candidates(None)) == ("not_area_code", "place")  # type: ignore[arg-type]
    for kinds, code in (
        (99, "out_of_range"),
        (-1, "negative"),
        ([None], "not_integer"),
        (1.0, "not_integer"),
    ):
        assert code_and_field(lambda: reg.reach(place, kinds)) == (code, "kinds")  # type: ignore[arg-type]  # noqa: B023
    assert code_and_field(lambda: reg.matches(a_stay(), kinds=[None])) == ("wrong_type", "kinds.0")  # type: ignore[list-item]
    assert code_and_field(lambda: reg.matches(a_stay(), kinds=5)) == ("not_list", "kinds")  # type: ignore[arg-type]
    assert code_and_field(lambda: reg.matches(a_stay(), trace_back_days=DEEP)) == (  # type: ignore[arg-type]
        "bad_days",
        "trace_back_days",
    )
    assert code_and_field(lambda: reg.overlapping(a_stay(), trace_back_days=10**100)) == (
        "bad_days",
        "trace_back_days",
    )
    assert [k for _, k in reg.matches(a_stay(), trace_back_days=1, kinds=[MatchKind.DIRECT])] == [
        MatchKind.DIRECT
    ]


def test_reach_values_are_checked_when_built_by_hand() -> None:
    d = high()
    assert RiskReach([(d, MatchKind.DIRECT)], [d], ()).near == ((d, MatchKind.DIRECT),)
    assert code_and_field(lambda: RiskReach([(d, MatchKind.COUNTY)], (), ())) == (
        "bad_pair",
        "near.0",
    )
    assert code_and_field(lambda: RiskReach(DEEP, (), ())) == ("wrong_type", "near.0")  # type: ignore[arg-type]
    assert code_and_field(lambda: RiskReach((), DEEP, ())) == ("wrong_type", "county.0")  # type: ignore[arg-type]
    assert code_and_field(lambda: RiskReach((), (), None)) == ("not_list", "province")  # type: ignore[arg-type]


def test_changes_and_diffs_are_checked_when_built_by_hand() -> None:
    old, new = high(), high(raised=T0 - timedelta(days=1))
    other = high("310115")
    assert DesignationChange(ChangeKind.BACKDATED, old, new).versions == (old, new)
    bad = [
        ((ChangeKind.RAISED, old, new), ("bad_change", "old")),
        ((ChangeKind.WITHDRAWN, old, new), ("bad_change", "new")),
        ((ChangeKind.LIFTED, None, new), ("bad_change", "old")),
        ((ChangeKind.AMENDED, old, None), ("bad_change", "new")),
        ((ChangeKind.RAISED, None, None), ("bad_change", "new")),
        ((ChangeKind.AMENDED, old, other), ("bad_change", "new")),
        (("raised", None, new), ("wrong_type", "kind")),
        ((ChangeKind.RAISED, None, DEEP), ("not_designation", "new")),
    ]
    for args, expected in bad:
        assert code_and_field(lambda: DesignationChange(*args)) == expected  # type: ignore[arg-type]  # noqa: B023
    assert code_and_field(lambda: RegisterDiff(None)) == ("not_list", "changes")  # type: ignore[arg-type]
    assert code_and_field(lambda: RegisterDiff([old])) == ("wrong_type", "changes.0")  # type: ignore[list-item]
    change = DesignationChange(ChangeKind.RAISED, None, new)
    assert RegisterDiff([change]).changes == (change,)
    assert code_and_field(lambda: RegisterDiff([change]).affects(None)) == ("not_list", "stays")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- engine results


def test_engine_result_methods_check_their_arguments() -> None:
    a = an_assessment()
    assert a.plan is not None
    step = a.plan.steps[0]
    assert code_and_field(lambda: a.plan.measure_at("x")) == ("not_datetime", "at")  # type: ignore[union-attr, arg-type]
    assert code_and_field(lambda: step.in_force(datetime(2022, 7, 1))) == ("naive_datetime", "at")
    assert code_and_field(lambda: a.governing(None)) == ("wrong_type", "step")  # type: ignore[arg-type]
    stranger = attrs.evolve(step, start=step.start - timedelta(minutes=1))
    assert code_and_field(lambda: a.governing(stranger)) == ("not_in_plan", "step")
    nothing = assess([], register=RiskRegister(), policy=NINTH, as_of=T0)
    assert code_and_field(lambda: nothing.governing(step)) == ("not_in_plan", "step")
    assert a.governing(step) in a.reasons


def test_every_result_constructor_refuses_a_deep_list_in_every_argument() -> None:
    """A deep list used to be kept, then rendering the value raised RecursionError."""
    a = an_assessment()
    assert a.plan is not None
    samples: list[object] = [
        a,
        a.plan,
        a.plan.steps[0],
        TestWindow(TestKind.AFTER_ARRIVAL, T0, T0 + timedelta(hours=24), 1),
        a.reasons[0],
        a.reasons[-1],
        MissedTest(TestKind.SCHEDULED, T0, date(2022, 7, 1)),
    ]
    for value in samples:
        for field in attrs.fields(type(value)):
            if not field.init:
                continue
            with pytest.raises(InvalidInput):
                attrs.evolve(value, **{field.name: DEEP})


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (
            lambda: RiskStep(MeasureKind.HOME_ISOLATION, T0, T0, CodeColor.YELLOW),
            ("end_not_after_start", "end"),
        ),
        (
            lambda: RiskStep(MeasureKind.HOME_ISOLATION, T0, None, "yellow"),
            ("wrong_type", "code_color"),
        ),
        (
            lambda: RiskStep(MeasureKind.HOME_ISOLATION, T0, None, CodeColor.RED, (date(1, 1, 1),)),
            ("out_of_range", "test_dates.0"),
        ),
        (
            lambda: RiskStep(MeasureKind.HOME_ISOLATION, T0, None, CodeColor.RED, governed_by=-1),
            ("negative", "governed_by"),
        ),
        (
            lambda: TestWindow(TestKind.AFTER_ARRIVAL, T0, T0 - timedelta(hours=1), 1),
            ("ends_before_start", "end"),
        ),
        (lambda: TestWindow(TestKind.AFTER_ARRIVAL, T0, T0, 0), ("out_of_range", "count")),
        (
            lambda: TestWindow(TestKind.AFTER_ARRIVAL, T0, T0, 1, timedelta.max),
            ("out_of_range", "min_gap"),
        ),
        (
            lambda: RiskPlan(
                Category.CLOSE_CONTACT, Anchor.LAST_EXPOSURE, T0, T0, (), (), (), False, "c", "Mars"
            ),
            ("unknown_zone", "zone"),
        ),
        (
            lambda: RiskReason(Category.CLOSE_CONTACT, "c", NINTH.source),
            ("bad_reason", "stay"),
        ),
        (
            lambda: RiskReason(
                Category.CLOSE_CONTACT,
                "c",
                NINTH.source,
                MatchKind.DIRECT,
                contact=Contact(kind="close", last_exposure=T0),
            ),
            ("bad_reason", "contact"),
        ),
        (
            lambda: Assessment(Category.NONE, None, CodeColor.GREEN, False, (), T0, 7),
            ("not_string", "policy"),
        ),
        (
            lambda: MissedTest(TestKind.WITHIN_WINDOW, T0, None, needed=2, taken=2),
            ("out_of_range", "taken"),
        ),
        (
            lambda: MissedTest(TestKind.SCHEDULED, T0, datetime(2022, 7, 1, tzinfo=CST)),
            ("not_date", "day"),
        ),
        (
            lambda: PolicyComparison(1, 2, {}, {}, {}),
            ("out_of_range", "unchanged"),
        ),
        (
            lambda: PolicyComparison(1, 1, {("a", "b"): 1}, {}, {}),
            ("bad_move", "category_moves"),
        ),
        (
            lambda: PolicyComparison(1, 0, {}, {}, {"A": (1, 2)}),
            ("bad_move", "moved"),
        ),
    ],
)
def test_result_constructors_hold_their_invariants(
    build: object, expected: tuple[str, str]
) -> None:
    assert code_and_field(build) == expected


def test_an_assessment_naming_a_reason_it_lacks_is_refused() -> None:
    a = an_assessment()
    with pytest.raises(InvalidInput) as err:
        Assessment(a.category, a.plan, a.code_color, False, a.reasons[:1], a.as_of, a.policy)
    assert err.value.code == "out_of_range"
    assert err.value.field.startswith("plan.steps.")


WINDOW = {
    "min_value": datetime(2022, 6, 20, tzinfo=CST),
    "max_value": datetime(2022, 7, 15, 12, tzinfo=CST),
}


def _rebuilt(value: object) -> object:
    """``value`` built again through its checked constructor (``evolve`` calls ``__init__``)."""
    return attrs.evolve(value)  # type: ignore[misc]


@settings(max_examples=150, deadline=None)
@given(
    people=st.dictionaries(st.integers(0, 5), histories(**WINDOW, max_contacts=2), max_size=4),
    designations=st.lists(risk_designations(**WINDOW), max_size=6),
    name=st.sampled_from(sorted(PRESETS)),
    as_of=risk_instants(**WINDOW),
)
def test_what_the_engine_builds_unchecked_passes_the_checked_constructors(
    people: dict[int, RiskHistory],
    designations: list[RiskDesignation],
    name: str,
    as_of: datetime,
) -> None:
    """The engine builds its results without the constructors' checks (its hot path); every
    value it builds is one the checked constructors accept, equal to the original."""
    register = RiskRegister(designations)
    out = assess_many(people, register=register, policy=PRESETS[name], as_of=as_of)
    for a in out.values():
        parts: list[object] = [a, *a.reasons]
        if a.plan is not None:
            parts += [a.plan, *a.plan.steps, *a.plan.windows]
            for step in a.plan.steps:
                assert a.governing(step) is a.reasons[step.governed_by]
        parts += missed_tests(a, [], as_of + timedelta(days=20))
        for part in parts:
            assert _rebuilt(part) == part


# ---------------------------------------------------------------------------- diff


def reference_diff(old: RiskRegister, new: RiskRegister) -> list[tuple[ChangeKind, object, object]]:
    """The pairing rule as it was first written: for each new designation, a scan of the old
    ones still unpaired (quadratic within one area and level)."""

    def order(d: RiskDesignation) -> tuple[datetime, bool, datetime]:
        lifted = d.lifted_at
        return (d.raised_at, lifted is None, lifted if lifted is not None else d.raised_at)

    def overlap(a: RiskDesignation, b: RiskDesignation) -> bool:
        return (b.lifted_at is None or a.raised_at < b.lifted_at) and (
            a.lifted_at is None or b.raised_at < a.lifted_at
        )

    def kind(o: RiskDesignation, n: RiskDesignation) -> ChangeKind:
        if n.raised_at < o.raised_at:
            return ChangeKind.BACKDATED
        if n.lifted_at is not None and (o.lifted_at is None or n.lifted_at < o.lifted_at):
            return ChangeKind.LIFTED
        return ChangeKind.AMENDED

    rank = {level: i for i, level in enumerate(RiskLevel)}
    olds_all, news_all = set(old) - set(new), set(new) - set(old)
    groups: dict[tuple[AreaCode, RiskLevel], tuple[list, list]] = {}
    for d in sorted(olds_all, key=order):
        groups.setdefault((d.area, d.level), ([], []))[0].append(d)
    for d in sorted(news_all, key=order):
        groups.setdefault((d.area, d.level), ([], []))[1].append(d)
    changes: list[tuple[ChangeKind, object, object]] = []
    for key in sorted(groups, key=lambda k: (k[0], rank[k[1]])):
        olds, news = groups[key]
        unpaired = list(olds)
        for n in news:
            match = next((o for o in unpaired if overlap(o, n)), None)
            if match is None:
                changes.append((ChangeKind.RAISED, None, n))
            else:
                unpaired.remove(match)
                changes.append((kind(match, n), match, n))
        changes.extend((ChangeKind.WITHDRAWN, o, None) for o in unpaired)
    return changes


@st.composite
def crowded_designations(draw: st.DrawFn) -> RiskDesignation:
    """Few areas and levels, instants on an hourly grid: many overlaps, ties and re-raises."""
    area = draw(st.sampled_from(["430211", "430211001", "440304"]))
    level = draw(st.sampled_from([RiskLevel.HIGH, RiskLevel.MEDIUM]))
    raised = T0 + timedelta(hours=draw(st.integers(0, 12)))
    hours = draw(st.none() | st.integers(1, 6))
    return RiskDesignation(
        area, level, raised, None if hours is None else raised + timedelta(hours=hours)
    )


@settings(max_examples=400, deadline=None)
@given(
    common=st.lists(crowded_designations(), max_size=8),
    only_old=st.lists(crowded_designations(), max_size=25),
    only_new=st.lists(crowded_designations(), max_size=25),
)
def test_diff_pairs_exactly_as_the_quadratic_rule(
    common: list[RiskDesignation],
    only_old: list[RiskDesignation],
    only_new: list[RiskDesignation],
) -> None:
    old, new = RiskRegister(common + only_old), RiskRegister(common + only_new)
    found = [(c.kind, c.old, c.new) for c in diff(old, new).changes]
    assert found == reference_diff(old, new)


def test_diff_pairs_in_one_pass_however_many_share_an_area_and_level(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Once quadratic: 4,000 old and 4,000 new designations of one area and level took 12 s
    when no new one overlapped an old one. Now each new one is compared once."""
    calls = Counter[str]()
    overlap = register_module._overlap

    def counted(a: RiskDesignation, b: RiskDesignation) -> bool:
        calls["overlap"] += 1
        return overlap(a, b)

    monkeypatch.setattr(register_module, "_overlap", counted)
    n = 2000
    hour = timedelta(hours=1)
    olds = [high(raised=T0 + 2 * i * hour, lifted=T0 + (2 * i + 1) * hour) for i in range(n)]
    later = T0 + 2 * n * hour
    news = [high(raised=later + 2 * i * hour, lifted=later + (2 * i + 1) * hour) for i in range(n)]
    result = diff(RiskRegister(olds), RiskRegister(news))
    assert Counter(c.kind for c in result.changes) == {
        ChangeKind.RAISED: n,
        ChangeKind.WITHDRAWN: n,
    }
    assert calls["overlap"] <= n


# ---------------------------------------------------------------------------- area codes


@pytest.mark.parametrize("read", [code_color, missed_tests])
def test_the_result_readers_name_the_argument_they_refuse(read: object) -> None:
    a = assess([Stay("440304", T0, T0 + timedelta(hours=2))], register=RiskRegister([high()]),
               policy=NINTH, as_of=T0 + timedelta(hours=3))  # fmt: skip
    later = T0 + timedelta(days=2)
    assert code_and_field(lambda: read(a, [], datetime(2022, 7, 3))) == ("naive_datetime", "as_of")  # type: ignore[operator]
    assert code_and_field(lambda: read(a, [T0], later)) == ("not_natresult", "tests.0")  # type: ignore[operator]


def test_area_helpers_check_their_arguments() -> None:
    code = AreaCode.parse("430211")
    for other in (None, "430211001", DEEP, 430211):
        assert code_and_field(lambda: code.contains(other)) == ("not_area_code", "other")  # type: ignore[arg-type]  # noqa: B023
    assert code_and_field(lambda: code.child(DEEP))[0] == "bad_local_segment"  # type: ignore[arg-type]
    assert code_and_field(lambda: code.child(None))[0] == "bad_local_segment"  # type: ignore[arg-type]
    assert code.contains(code.child("B1"))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("43021", "株洲", 1980, None), ("bad_code", "code")),
        ((DEEP, "株洲", 1980, None), ("bad_code", "code")),
        (("430211", DEEP, 1980, None), ("not_string", "name")),
        (("430211", "", 1980, None), ("missing", "name")),
        (("430211", "a\x00", 1980, None), ("control_character", "name")),
        (("430211", "\u200b", 1980, None), ("invisible", "name")),
        (("430211", "区" * 51, 1980, None), ("too_long", "name")),
        (("430211", "天元区", 1979, None), ("out_of_range", "since")),
        (("430211", "天元区", 2**63, None), ("out_of_range", "since")),
        (("430211", "天元区", 1980.0, None), ("not_integer", "since")),
        (("430211", "天元区", 2018, 2017), ("out_of_range", "until")),
        (("430211", "天元区", 2018, DEEP), ("not_integer", "until")),
    ],
)
def test_division_checks_its_values(args: tuple[object, ...], expected: tuple[str, str]) -> None:
    assert code_and_field(lambda: Division(*args)) == expected  # type: ignore[arg-type]
    assert Division("430211", "天元区", 1983, None).since == 1983
