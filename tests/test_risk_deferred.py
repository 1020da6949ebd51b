"""`assess_many` builds plans, colours and reasons when read: the same values as `assess`.

An assessment made by `assess_many` finds its category and `needs_verification`
at once and its plan, code colour and reasons when one of them is first read.
Whatever is read first, and however (a field, `repr`, `hash`, `==`, `to_dict`,
pickling, copying), it is the value `assess` builds for the same person, under
every preset. `compare_policies` builds every assessment at once, and agrees too.
"""

from __future__ import annotations

import copy
import pickle
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridcare.codes import AreaCode
from gridcare.risk import (
    PRESETS,
    Assessment,
    Category,
    Contact,
    Policy,
    RiskDesignation,
    RiskHistory,
    RiskLevel,
    RiskRegister,
    Stay,
    assess,
    assess_many,
    compare_policies,
)
from gridcare.testing._risk_strategies import (
    RISK_PLACES,
    histories,
    risk_designations,
    risk_instants,
    risk_registers,
)
from gridcare.timeutil import DEFAULT_ZONE


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=DEFAULT_ZONE)


AS_OF = at("2022-07-15 12:00")
WINDOW = {"min_value": at("2022-06-20 00:00"), "max_value": at("2022-07-15 12:00")}


def _left_area_wide(policy: Policy) -> Policy:
    """``policy`` with its county and province matches putting people in a category counted
    from leaving the area (the presets count those from arrival): each such exposure has
    its own anchor, so none can be left out when only the category is wanted."""
    data = policy.to_dict()
    for rule in data["rules"]:
        if rule["match"] in ("county", "province_or_city"):
            rule["category"] = "high_risk_area" if rule["level"] == "high" else "medium_risk_area"
    names = {plan["category"] for plan in data["categories"]}
    data["rules"] = [r for r in data["rules"] if r["category"] in names]
    return Policy.from_dict({**data, "name": f"{policy.name}-left-area"})


def _short_medium_plan() -> Policy:
    """The 9th edition with one day of home isolation for medium-risk areas and a test
    within 48 hours of arrival: a plan whose step can be over while its window is open."""
    data = PRESETS["ninth-edition"].to_dict()
    for plan in data["categories"]:
        if plan["category"] == "medium_risk_area":
            plan["steps"][0].update(days=1, test_days=[1])
            plan["arrival_test"] = {"after_hours": 48, "source": plan["source"]}
    return Policy.from_dict({**data, "name": "ninth-edition-short-medium"})


#: The presets, each with county and province exposures counted from leaving the area, and
#: one whose plans can be over while a test window is still open.
POLICIES: dict[str, Policy] = {
    **PRESETS,
    **{f"{name}-left-area": _left_area_wide(p) for name, p in PRESETS.items()},
    "ninth-edition-short-medium": _short_medium_plan(),
}

#: Registers whose designations are raised within the window the histories are drawn in.
window_registers = risk_registers(risk_designations(**WINDOW), max_size=8)

#: Up to six people, with stays and contacts in the window.
people_strategy = st.dictionaries(
    st.integers(0, 30), histories(**WINDOW, max_contacts=2), min_size=1, max_size=6
)

#: Every way a caller may first touch an assessment.
READS: dict[str, Callable[[Assessment], object]] = {
    "category": lambda a: a.category,
    "needs_verification": lambda a: a.needs_verification,
    "plan": lambda a: a.plan,
    "code_color": lambda a: a.code_color,
    "reasons": lambda a: a.reasons,
    "measure": lambda a: a.measure,
    "repr": repr,
    "hash": hash,
    "to_dict": lambda a: a.to_dict(),
    "pickle": lambda a: pickle.dumps(a),
    "copy": copy.copy,
}


def _one(history: RiskHistory, register: RiskRegister, policy: Policy, as_of: datetime):
    return assess(history.stays, register=register, policy=policy, as_of=as_of,
                  arrived_at=history.arrived_at, contacts=history.contacts)  # fmt: skip


def _same_value(made: Assessment, built: Assessment) -> None:
    """``made`` is ``built`` in every observable way."""
    assert made == built
    assert hash(made) == hash(built)
    assert repr(made) == repr(built)
    assert made.to_dict() == built.to_dict()
    assert pickle.loads(pickle.dumps(made)) == built
    assert copy.deepcopy(made) == built
    assert made.category is built.category
    assert made.plan == built.plan
    assert made.code_color is built.code_color
    assert made.reasons == built.reasons
    assert [r.en for r in made.reasons] == [r.en for r in built.reasons]
    assert made.plan is None or made.plan.category is made.category


@settings(max_examples=150)
@given(
    people_strategy,
    window_registers,
    st.sampled_from(sorted(POLICIES)),
    risk_instants(**WINDOW),
    st.permutations(sorted(READS)),
)
def test_assess_many_builds_what_assess_builds_whatever_is_read_first(
    people, register, name, as_of, order
) -> None:
    """The fast path (assess_many, deferred) and the plain path (assess), under every preset."""
    policy = POLICIES[name]
    bulk = assess_many(people, register=register, policy=policy, as_of=as_of)
    keys = sorted(people)
    # Touch each assessment in a different order: the first read builds it.
    for i, key in enumerate(keys):
        for read in order[i % len(order) :] + order[: i % len(order)]:
            READS[read](bulk[key])
    for key in keys:
        _same_value(bulk[key], _one(people[key], register, policy, as_of))


@settings(max_examples=60)
@given(
    people_strategy,
    window_registers,
    st.sampled_from(sorted(POLICIES)),
    risk_instants(**WINDOW),
)
def test_deferred_assessments_read_later_than_others_agree(people, register, name, as_of) -> None:
    """Reading people in reverse order (combinations made in another order) changes nothing."""
    policy = POLICIES[name]
    bulk = assess_many(people, register=register, policy=policy, as_of=as_of)
    for key in sorted(people, reverse=True):
        _same_value(bulk[key], _one(people[key], register, policy, as_of))


@settings(max_examples=60)
@given(
    people_strategy,
    window_registers,
    st.sampled_from(sorted(POLICIES)),
    st.sampled_from(sorted(POLICIES)),
)
def test_compare_policies_builds_what_assess_builds(people, register, old, new) -> None:
    """compare_policies builds each assessment at once: the same values again."""
    result = compare_policies(people, POLICIES[old], POLICIES[new], AS_OF, register=register)
    for key, (before, after) in result.moved.items():
        _same_value(before, _one(people[key], register, POLICIES[old], AS_OF))
        _same_value(after, _one(people[key], register, POLICIES[new], AS_OF))
    bulk_old = assess_many(people, register=register, policy=POLICIES[old], as_of=AS_OF)
    bulk_new = assess_many(people, register=register, policy=POLICIES[new], as_of=AS_OF)
    moved = {
        k
        for k in people
        if bulk_old[k].category is not bulk_new[k].category
        or bulk_old[k].measure is not bulk_new[k].measure
    }
    assert set(result.moved) == moved


# ---------------------------------------------------------------------------- examples

HUNAN = PRESETS["hunan-2022-03"]
TOWN = AreaCode.parse("430211001")  # a designated town in Zhuzhou
CHANGSHA = AreaCode.parse("430102")  # another county of Hunan


def _hunan_case() -> tuple[dict[str, RiskHistory], RiskRegister, datetime]:
    """One person with a high-risk and an affected-area exposure, one with none."""
    t = at("2022-03-27 08:00")
    register = RiskRegister(
        [
            RiskDesignation(TOWN, RiskLevel.HIGH, t - timedelta(days=5)),
            RiskDesignation(CHANGSHA, RiskLevel.MEDIUM, t - timedelta(days=9)),
        ]
    )
    stays_ = (
        Stay("430211001002", t - timedelta(days=4), t - timedelta(days=3)),
        Stay("430103", t - timedelta(days=2), t - timedelta(days=1)),
    )
    medium = Stay("430102001", t - timedelta(days=3), t - timedelta(days=2))
    people = {
        "A": RiskHistory(stays_, t - timedelta(hours=3)),
        "B": RiskHistory((Stay("440304", t - timedelta(days=2), t - timedelta(days=1)),)),
        "M": RiskHistory((medium,), t - timedelta(hours=3)),
    }
    return people, register, t


def test_a_deferred_assessment_is_built_once_and_behaves_as_a_value() -> None:
    people, register, t = _hunan_case()
    bulk = assess_many(people, register=register, policy=HUNAN, as_of=t)
    a = bulk["A"]
    assert a.category is Category.HIGH_RISK_AREA
    assert {r.category for r in a.reasons} == {Category.HIGH_RISK_AREA, Category.AFFECTED_AREA}
    assert a.plan is a.plan  # built once, then kept
    assert a.reasons is a.reasons
    _same_value(a, _one(people["A"], register, HUNAN, t))
    assert attrs.evolve(a, needs_verification=True).plan == a.plan
    assert bulk["B"].category is Category.NONE
    assert bulk["B"].plan is None


def test_people_with_different_combinations_get_their_own_category() -> None:
    """Two people, each with an area exposure and an affected-area one, counted from the same
    date: the category of each combination is found, and remembered, apart."""
    people, register, t = _hunan_case()
    bulk = assess_many(people, register=register, policy=HUNAN, as_of=t)
    assert bulk["A"].category is Category.HIGH_RISK_AREA
    assert bulk["M"].category is Category.MEDIUM_RISK_AREA
    assert {r.category for r in bulk["M"].reasons} == {
        Category.MEDIUM_RISK_AREA,
        Category.AFFECTED_AREA,
    }
    for key in people:
        _same_value(bulk[key], _one(people[key], register, HUNAN, t))


def test_compare_policies_shares_combinations_and_keeps_each_category() -> None:
    """Built at once in one call, people with the same exposures share a combination made
    for the first of them; each still gets the category of the exposure governing."""
    people, register, t = _hunan_case()
    twins = {"A1": people["A"], "M": people["M"], "A2": people["A"], "M2": people["M"]}
    result = compare_policies(twins, HUNAN, PRESETS["twenty-measures"], t, register=register)
    assert set(result.moved) == set(twins)
    for key, (before, after) in result.moved.items():
        _same_value(before, _one(twins[key], register, HUNAN, t))
        _same_value(after, _one(twins[key], register, PRESETS["twenty-measures"], t))
    assert result.moved["A2"][0].category is Category.HIGH_RISK_AREA


def test_own_plans_made_for_one_person_serve_another_only_from_the_same_instant() -> None:
    """The category of a new combination is cut from its exposures' own plans, and a plan
    made for an earlier person serves again only if counted from the same instant.

    Both arrive after ``as_of`` on the same day, so each plan counts from the arrival. The
    second person's medium-risk exposure has the day 0 of the first's, but the plan starts
    at the second's arrival: there the secondary contact, as strict and more severe, governs.
    """
    ninth = PRESETS["ninth-edition"]
    register = RiskRegister(
        [RiskDesignation("440304001", RiskLevel.MEDIUM, at("2022-07-10 00:00"))]
    )
    stay = Stay("440304001001", at("2022-07-12 08:00"), at("2022-07-13 08:00"))

    def person(arrival: str, contact: str) -> RiskHistory:
        secondary = Contact(kind="secondary", last_exposure=at(contact))
        return RiskHistory((stay,), at(arrival), (secondary,))

    people = {
        "P1": person("2022-07-15 14:00", "2022-07-11 10:00"),
        "P2": person("2022-07-15 18:00", "2022-07-12 10:00"),
    }
    bulk = assess_many(people, register=register, policy=ninth, as_of=AS_OF)
    assert bulk["P2"].category is Category.SECONDARY_CONTACT
    for key, history in people.items():
        _same_value(bulk[key], _one(history, register, ninth, AS_OF))


def test_a_combination_with_no_step_left_is_not_shared() -> None:
    """With no step left, the category is the first plan's that still has a test window,
    else the most severe reason's: it depends on each person's arrival, so it is found
    for each person, not remembered for the next with the same exposures.

    Both left a high-risk and a medium-risk area on the same days; both plans are over.
    The first arrived recently: the medium-risk plan still has its test window (category
    medium). The second arrived a day earlier: nothing remains (category high).
    """
    policy = POLICIES["ninth-edition-short-medium"]
    register = RiskRegister(
        [
            RiskDesignation("440304001", RiskLevel.HIGH, at("2022-07-01 00:00")),
            RiskDesignation("440305001", RiskLevel.MEDIUM, at("2022-07-10 00:00")),
        ]
    )
    stays_ = (
        Stay("440304001001", at("2022-07-06 10:00"), at("2022-07-07 10:00")),
        Stay("440305001001", at("2022-07-11 10:00"), at("2022-07-12 10:00")),
    )
    people = {
        "recent": RiskHistory(stays_, at("2022-07-14 09:00")),
        "earlier": RiskHistory(stays_, at("2022-07-13 09:00")),
    }
    bulk = assess_many(people, register=register, policy=policy, as_of=AS_OF)
    assert bulk["recent"].category is Category.MEDIUM_RISK_AREA
    assert bulk["earlier"].category is Category.HIGH_RISK_AREA
    for key, history in people.items():
        _same_value(bulk[key], _one(history, register, policy, AS_OF))


def test_a_shared_combination_starts_at_each_persons_own_instant() -> None:
    """Regression: people with the same exposures share the steps of the first of them, but
    the first step starts at each one's own instant, as written: an arrival at ``as_of``
    given in UTC starts the plan in UTC, whoever was built first (``to_dict`` keeps it)."""
    contact = Contact(kind="secondary", last_exposure=at("2022-07-14 12:00"))
    in_utc = AS_OF.astimezone(UTC)
    people = {
        "local": RiskHistory((), None, (contact,)),
        "utc": RiskHistory((), in_utc, (contact,)),
    }
    register = RiskRegister()
    policy = PRESETS["ninth-edition"]
    bulk = assess_many(people, register=register, policy=policy, as_of=AS_OF)
    assert bulk["local"].plan is not None  # built first: its steps are shared
    # compare_policies builds at once, in order; the twenty measures drop secondary contacts.
    eager = compare_policies(people, policy, PRESETS["twenty-measures"], AS_OF, register=register)
    for made in (bulk["utc"], eager.moved["utc"][0]):
        assert made.plan is not None
        assert made.plan.steps[0].start.tzinfo is UTC
        _same_value(made, _one(people["utc"], register, policy, AS_OF))


def test_unknown_attributes_are_refused_as_usual() -> None:
    people, register, t = _hunan_case()
    a = assess_many(people, register=register, policy=HUNAN, as_of=t)["A"]
    assert not hasattr(a, "plans")
    with pytest.raises(AttributeError) as raised:
        a.plans  # noqa: B018
    assert str(raised.value) == "'Assessment' object has no attribute 'plans'"
    assert a.plan is not None  # a refused name builds nothing and breaks nothing


def test_deferred_assessments_do_not_see_later_changes_to_their_input() -> None:
    """Plain stay lists are copied when read in: changing them afterwards changes nothing."""
    people, register, t = _hunan_case()
    stays_ = list(people["A"].stays)
    given_: dict[str, list[Stay]] = {"A": stays_}
    bulk = assess_many(given_, register=register, policy=HUNAN, as_of=t)
    expected = assess(list(stays_), register=register, policy=HUNAN, as_of=t)
    stays_.clear()
    given_["A"] = []
    assert bulk["A"] == expected
    assert bulk["A"].plan == expected.plan


def test_reading_from_several_threads_gives_one_value() -> None:
    people, register, t = _hunan_case()
    many = {f"{k}{i}": h for i in range(50) for k, h in people.items()}
    bulk = assess_many(many, register=register, policy=HUNAN, as_of=t)
    expected = {k: _one(h, register, HUNAN, t) for k, h in people.items()}
    seen: list[bool] = []

    def read() -> None:
        seen.append(all(a == expected[k[0]] for k, a in bulk.items()))

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == [True] * 4


def test_county_exposures_counted_from_leaving_are_never_left_out() -> None:
    """Only the category is found at once, and a county match may then be skipped when it
    can only repeat an exposure already found: never when its plan counts from leaving the
    area, since a later exposure of a category already held can govern a later measure.

    Here the first stay's high-risk exposure (a county match) has a plan already over; the
    second stay, in a medium-risk town, is also in a county holding a high-risk area: that
    second high-risk exposure governs (centralized quarantine).
    """
    policy = POLICIES["ninth-edition-left-area"]
    register = RiskRegister(
        [
            RiskDesignation("440304001", RiskLevel.HIGH, at("2022-06-30 00:00")),
            RiskDesignation("440305001", RiskLevel.MEDIUM, at("2022-07-05 00:00")),
            RiskDesignation("440305002", RiskLevel.HIGH, at("2022-07-05 00:00")),
        ]
    )
    history = RiskHistory(
        (
            Stay("440304002", at("2022-06-30 08:00"), at("2022-07-01 10:00")),
            Stay("440305001", at("2022-07-07 08:00"), at("2022-07-08 08:00")),
        ),
        at("2022-07-08 09:00"),
    )
    as_of = at("2022-07-09 12:00")
    bulk = assess_many({"A": history}, register=register, policy=policy, as_of=as_of)
    assert bulk["A"].category is Category.HIGH_RISK_AREA
    _same_value(bulk["A"], _one(history, register, policy, as_of))


def test_a_county_scan_passes_over_designations_without_an_exposure() -> None:
    """County and province lists are scanned in order of raise and stop only where no later
    raise can count: a designation lifted before the stay began, or of a level the policy has
    no rule for, is passed over, and a later one still gives the exposure."""
    stay = Stay("440304002", at("2022-07-10 08:00"), at("2022-07-11 08:00"))
    register = RiskRegister(
        [
            RiskDesignation(
                "440304001", RiskLevel.HIGH, at("2022-07-01 00:00"), at("2022-07-05 00:00")
            ),
            RiskDesignation("440304003", RiskLevel.LOW, at("2022-07-02 00:00")),
            RiskDesignation("440304004", RiskLevel.MEDIUM, at("2022-07-03 00:00")),
        ]
    )
    for policy in (PRESETS["hunan-2022-03"], PRESETS["ninth-edition"]):
        for a in (
            assess_many({"A": [stay]}, register=register, policy=policy, as_of=AS_OF)["A"],
            assess([stay], register=register, policy=policy, as_of=AS_OF),
        ):
            (reason,) = a.reasons
            assert reason.designation is not None
            assert str(reason.designation.area) == "440304004"
            assert reason.exposure_end == stay.end


def test_a_contact_history_is_deferred_like_a_stay_history() -> None:
    t = at("2022-07-01 20:00")
    ninth = PRESETS["ninth-edition"]
    contact = Contact(kind="close", last_exposure=t - timedelta(days=1))
    people = {"C": RiskHistory((), None, (contact,))}
    bulk = assess_many(people, register=RiskRegister(), policy=ninth, as_of=t)
    _same_value(bulk["C"], _one(people["C"], RiskRegister(), ninth, t))


# ---------------------------------------------------------------------------- register


@settings(max_examples=80)
@given(risk_registers(max_size=8), st.permutations(RISK_PLACES))
def test_a_warm_register_reaches_as_a_fresh_one(register: RiskRegister, places) -> None:
    """Places that share an answer (siblings under one designated area) get the right one."""
    warm = RiskRegister(register.designations)
    for place in places:  # every place, in some order: the memos fill and are shared
        warm.reach(place)
    for place in RISK_PLACES:
        fresh = RiskRegister(register.designations)
        assert warm.reach(place) == fresh.reach(place)
        assert set(warm.candidates(place)) == set(fresh.candidates(place))
