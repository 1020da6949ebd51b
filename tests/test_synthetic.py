"""The synthetic city (gridcare.testing.synthetic): determinism, shape, validity, privacy."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import date

import pytest

from gridcare.codes import PROVINCE_CODES, CitizenId
from gridcare.errors import InvalidInput, UnknownNode
from gridcare.hierarchy import Node, NodeKind
from gridcare.people import CareNeed, Household, IdDocument, WorkerRole, help_reasons
from gridcare.testing.synthetic import PROFILES, City, synthetic_city

TINY = 0.001
AS_OF = date(2022, 3, 27)


@pytest.fixture(scope="module")
def city() -> City:
    return synthetic_city(scale=TINY, seed=7)


@pytest.fixture(scope="module")
def liling() -> City:
    return synthetic_city("liling", scale=0.002, seed=3)


# ----------------------------------------------------------------------------- determinism


@pytest.mark.parametrize(("profile", "scale", "seed"), [("zhuzhou", TINY, 0), ("liling", 0.002, 5)])
def test_same_arguments_same_city(profile: str, scale: float, seed: int) -> None:
    a = synthetic_city(profile, scale, seed)
    b = synthetic_city(profile, scale, seed)
    assert a.fingerprint() == b.fingerprint()
    assert [repr(n) for n in a.hierarchy] == [repr(n) for n in b.hierarchy]
    assert list(a.residents[:50]) == list(b.residents[:50])


_PRINT_CITY = """
import hashlib
from gridcare.testing.synthetic import synthetic_city
city = synthetic_city(scale=0.001, seed=9)
people = "|".join(f"{r.name}{r.document.number}{r.phone}" for r in city.residents)
print(city.fingerprint(), hashlib.sha256(people.encode()).hexdigest())
"""


def test_same_city_in_other_processes_whatever_the_hash_seed() -> None:
    outputs = set()
    for hash_seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run(
            [sys.executable, "-c", _PRINT_CITY], env=env, capture_output=True, text=True, check=True
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1


def test_other_seed_or_scale_other_city() -> None:
    base = synthetic_city(scale=TINY, seed=0).fingerprint()
    assert synthetic_city(scale=TINY, seed=1).fingerprint() != base
    assert synthetic_city(scale=0.0011, seed=0).fingerprint() != base


# ----------------------------------------------------------------------------- shape


def test_tiny_city_has_every_level(city: City, liling: City) -> None:
    for c in (city, liling):
        for kind in NodeKind:
            if kind is NodeKind.PROVINCE:  # above a city: a province's report has it
                assert not c.hierarchy.nodes_of(kind)
                continue
            assert c.hierarchy.nodes_of(kind), kind
        assert len(c.hierarchy.nodes_of(NodeKind.CITY)) == 1


def test_zhuzhou_has_the_ten_county_level_units(city: City) -> None:
    districts = city.hierarchy.nodes_of(NodeKind.DISTRICT)
    assert [str(d.code) for d in districts] == [
        "430202", "430203", "430204", "430211", "430212",
        "430223", "430224", "430225", "430281", "430200-YL",
    ]  # fmt: skip
    assert districts[-1].name == "云龙示范区"
    for street in city.hierarchy.nodes_of(NodeKind.STREET):
        code = street.code
        assert code is not None
        if code.local:  # 云龙 has no official code: local children
            assert str(code).startswith("430200-YL-")
        else:
            assert len(code.key) == 9
    for community in city.hierarchy.nodes_of(NodeKind.COMMUNITY):
        assert community.code is not None
        assert community.code.local or len(community.code.key) == 12


def test_liling_is_one_county(liling: City) -> None:
    districts = liling.hierarchy.nodes_of(NodeKind.DISTRICT)
    assert [(d.name, str(d.code)) for d in districts] == [("醴陵市", "430281")]


@pytest.mark.parametrize("profile", list(PROFILES))
def test_counts_follow_the_scale(profile: str) -> None:
    spec = PROFILES[profile]
    small = synthetic_city(profile, 0.002)
    double = synthetic_city(profile, 0.004)
    assert len(small.households) == round(spec.households * 0.002)
    assert len(double.households) == round(spec.households * 0.004)
    ratio = len(double.residents) / len(small.residents)
    assert 1.8 < ratio < 2.2
    grids = len(double.hierarchy.nodes_of(NodeKind.GRID))
    assert grids >= round(spec.grids * 0.004)


def test_residents_per_household() -> None:
    zhuzhou = synthetic_city(scale=0.01)
    mean = len(zhuzhou.residents) / len(zhuzhou.households)
    assert 2.7 < mean < 3.1  # about 2.9 (4.07 million person-visits / 1.39 million households)
    liling = synthetic_city("liling", scale=0.01)
    assert 3.6 < len(liling.residents) / len(liling.households) < 4.0  # 910,000 / 240,000


def test_every_household_has_a_grid_and_a_column(city: City) -> None:
    h = city.hierarchy
    households = list(city.households)
    assert [x.id for x in households] == [n.id for n in h.nodes_of(NodeKind.HOUSEHOLD)]
    assert sum(x.size for x in households) == len(city.residents)
    for household in households:
        assert h.grid_of(household.id) is not None
    sizes = city.household_sizes()
    assert list(sizes) == [x.size for x in households]
    vacant = [x for x in households if x.vacant]
    assert vacant
    assert all(x.size == 0 for x in vacant)
    assert city.vacant_count() == len(vacant)


def test_households_pass_the_checked_constructor(city: City, liling: City) -> None:
    """The city writes its households unchecked: each is what the checking constructor builds."""
    for town in (city, liling):
        for household in town.households:
            rebuilt = Household(
                id=household.id, members=list(household.members), vacant=household.vacant
            )
            assert rebuilt == household
            assert repr(rebuilt) == repr(household)
        assert town.households[-1] == town.household(town.households[-1].id)


def test_nodes_pass_the_checked_constructor(city: City, liling: City) -> None:
    """The city writes its buildings, units and households unchecked: each node is what the
    checking constructor builds."""
    for town in (city, liling):
        for node in town.hierarchy:
            assert Node(node.id, node.kind, node.name, node.parent_id, node.code) == node


def test_rural_households_sit_directly_under_their_grid(city: City) -> None:
    parents = Counter(city.hierarchy.parent(x.id).kind for x in city.households)  # type: ignore[union-attr]
    assert parents[NodeKind.GRID] > 0
    assert parents[NodeKind.UNIT] > 0


def test_ids_are_unique(city: City) -> None:
    residents = list(city.residents)
    assert len({r.id for r in residents}) == len(residents)
    numbers = [r.document.number for r in residents]
    assert len(set(numbers)) == len(numbers)
    phones = [r.phone.number for r in residents if r.phone is not None]
    phones += [w.phone.number for w in city.workers if w.phone is not None]
    assert len(set(phones)) == len(phones)
    assert len({w.id for w in city.workers}) == len(city.workers)
    members = [m for x in city.households for m in x.members]
    assert members == [r.id for r in residents]


def test_every_citizen_id_is_valid(city: City, liling: City) -> None:
    for c in (city, liling):
        for r in c.residents:
            if isinstance(r.document, IdDocument):
                continue
            parsed = CitizenId.parse(r.document.number)
            assert parsed.birth_date == r.birth_date
            assert parsed.sex is r.sex
            assert parsed.number[:2] in PROVINCE_CODES
            assert r.birth_date <= date(2022, 3, 16)


def test_realistic_mix_of_people() -> None:
    c = synthetic_city(scale=0.004, seed=2)
    residents = list(c.residents)
    without_phone = sum(r.phone is None for r in residents)
    assert 0.05 < without_phone / len(residents) < 0.4
    needs = Counter(n for r in residents for n in r.care_needs)
    assert needs[CareNeed.NO_SMARTPHONE]
    assert needs[CareNeed.LIVING_ALONE]
    assert needs[CareNeed.DISABLED]
    assert needs[CareNeed.CHRONIC_ILLNESS]
    assert any(isinstance(r.document, IdDocument) for r in residents)
    elderly = sum(r.age_on(AS_OF) >= 80 for r in residents)
    assert 0.01 < elderly / len(residents) < 0.15
    surnames = Counter(r.name[0] for r in residents)
    assert len(surnames) > 50


def test_help_counts_agree_with_help_reasons(city: City) -> None:
    counts = city.help_counts(AS_OF)
    reasons = [help_reasons(r, AS_OF) for r in city.residents]
    assert counts["any"] == sum(bool(x) for x in reasons)
    for need in (CareNeed.ELDERLY, CareNeed.NO_SMARTPHONE, CareNeed.LIVING_ALONE):
        assert counts[need.value] == sum(need in x for x in reasons)
    assert city.help_counts(date(2024, 2, 29), elderly_age=70)["elderly"] > counts["elderly"]


def test_ages_and_needs_are_the_residents_facts(city: City) -> None:
    facts = list(city.ages_and_needs())
    assert len(facts) == len(city.residents)
    assert facts == [(r.id, r.birth_date, r.care_needs) for r in city.residents]


def test_door_sampling_from_the_columns_agrees_with_the_rule(city: City) -> None:
    from gridcare.screening import DOOR_SAMPLING_AGE, needs_door_sampling
    from gridcare.screening.round import trusted_door_sampling

    for age in (DOOR_SAMPLING_AGE, 60):
        from_columns = city.residents_where(
            lambda born, needs, age=age: trusted_door_sampling(needs, born, AS_OF, age)
        )
        from_residents = [
            r.id for r in city.residents if needs_door_sampling(r, AS_OF, elderly_age=age)
        ]
        assert from_columns == from_residents
        assert 0 < len(from_columns) < len(city.residents)


@pytest.mark.parametrize("cut", [date(1940, 1, 1), date(1990, 6, 15), date(2030, 1, 1)])
def test_residents_where_chooses_as_the_facts_say(city: City, cut: date) -> None:
    asked: list[tuple[date, frozenset[CareNeed]]] = []

    def rule(born: date, needs: frozenset[CareNeed]) -> bool:
        asked.append((born, needs))
        return born < cut or CareNeed.NO_SMARTPHONE in needs

    chosen = city.residents_where(rule)
    facts = list(city.ages_and_needs())
    assert chosen == [rid for rid, born, needs in facts if rule(born, needs)]
    distinct = {(born, needs) for _, born, needs in facts}
    assert len(asked) == len(facts) + len(distinct)  # once per distinct pair, then the oracle


def test_residents_where_refuses_a_rule_that_is_not_a_function(city: City) -> None:
    with pytest.raises(InvalidInput) as caught:
        city.residents_where("born < 1940")  # type: ignore[arg-type]
    assert (caught.value.code, caught.value.field) == ("not_callable", "rule")


class _NoAnswer:
    def __bool__(self) -> bool:
        raise ValueError("R0000001 430202193903070024")  # personal data in the rule's own error


@pytest.mark.parametrize(
    "rule",
    [len, lambda born: True, lambda born, needs: 1 / 0, lambda born, needs: _NoAnswer()],
)
def test_residents_where_refuses_a_rule_that_fails(city: City, rule: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        city.residents_where(rule)  # type: ignore[arg-type]
    assert (caught.value.code, caught.value.field) == ("bad_rule", "rule")
    assert "4302021939" not in str(caught.value)
    assert caught.value.__cause__ is not None


def test_residents_by_id_builds_on_lookup(city: City) -> None:
    register = city.residents_by_id()
    assert len(register) == len(city.residents)
    some = city.residents[11]
    assert register[some.id] == some
    assert some.id in register
    for missing in ("R", "X0000001", f"R{len(city.residents):07d}", "R" + "9" * 40, 7, None):
        assert register.get(missing) is None  # type: ignore[call-overload]
        assert missing not in register
    with pytest.raises(KeyError) as caught:
        register["R-13800138000"]
    assert "13800138000" not in str(caught.value)  # the key is never echoed
    assert list(register)[:3] == [r.id for r in city.residents[:3]]
    assert "residents by id" in repr(register)


# ----------------------------------------------------------------------------- privacy


def test_reprs_are_masked(city: City) -> None:
    for r in city.residents[:200]:
        text = repr(r)
        assert r.name not in text
        assert r.document.number not in text
        assert r.phone is None or r.phone.number not in text
    for w in city.workers[:50]:
        assert w.name not in repr(w)
    assert "residents" in repr(city.residents)
    assert "City(" in repr(city)


# ----------------------------------------------------------------------------- workers


def test_every_household_reaches_a_grid_worker(city: City) -> None:
    roster = city.roster
    for household in city.households:
        chain = roster.chain(household.id)
        assert chain.grid_workers, household.id
        assert chain.grid_leader is not None
        assert chain.community_staff


def test_workers_per_role(city: City) -> None:
    roles = Counter(w.role for w in city.workers)
    assert set(roles) == set(WorkerRole)
    grid_workers = roles[WorkerRole.GRID_WORKER_FULL_TIME] + roles[WorkerRole.GRID_WORKER_PART_TIME]
    assert grid_workers >= len(city.hierarchy.nodes_of(NodeKind.GRID))
    assert roles[WorkerRole.BUILDING_HEAD] == len(city.hierarchy.nodes_of(NodeKind.BUILDING))
    volunteers = [w for w in city.workers if w.role is WorkerRole.VOLUNTEER]
    sizes = {len(city.roster.nodes_of(v.id)) for v in volunteers}
    assert sizes <= {1, 2, 3, 4, 5, 6}  # a few households each


def test_grid_workers_at_full_scale_is_the_reported_figure() -> None:
    # 2,796 grid workers for 2,694 grids (DOMAIN.md): the profile carries both.
    spec = PROFILES["zhuzhou"]
    assert (spec.grids, spec.grid_workers, spec.households) == (2_694, 2_796, 1_389_962)


# ----------------------------------------------------------------------------- lookups


def test_lookups(city: City) -> None:
    h = city.households[3]
    assert city.household(h.id) == h
    assert [r.id for r in city.residents_of(h.id)] == list(h.members)
    r = city.residents[-1]
    assert city.resident(r.id) == r
    assert city.residents[len(city.residents) - 1] == r
    assert city.households[-1] == city.households[len(city.households) - 1]
    assert len(city.households[2:5]) == 3
    with pytest.raises(IndexError):
        city.residents[len(city.residents)]
    with pytest.raises(IndexError):
        city.households[-len(city.households) - 1]
    with pytest.raises(UnknownNode):
        city.household(city.hierarchy.root.id)
    with pytest.raises(UnknownNode):
        city.residents_of("nope")
    for bad in ("R99999999", "X1", "R", 5):
        with pytest.raises(InvalidInput):
            city.resident(bad)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- arguments, progress


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"profile": "changsha"}, "unknown_profile"),
        ({"scale": 0}, "bad_scale"),
        ({"scale": -1.0}, "bad_scale"),
        ({"scale": 2.5}, "bad_scale"),
        ({"scale": float("nan")}, "bad_scale"),
        ({"scale": True}, "bad_scale"),
        ({"scale": "1"}, "bad_scale"),
        ({"seed": -1}, "bad_seed"),
        ({"seed": 1.5}, "bad_seed"),
        ({"seed": True}, "bad_seed"),
        ({"progress": 42}, "bad_progress"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], code: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        synthetic_city(**kwargs)  # type: ignore[arg-type]
    assert caught.value.code == code


def test_progress_is_bounded_and_monotone() -> None:
    calls: list[tuple[int, int]] = []
    synthetic_city(scale=0.005, progress=lambda done, total: calls.append((done, total)))
    assert 2 <= len(calls) <= 101
    assert calls[-1][0] == calls[-1][1]
    done = [d for d, _ in calls]
    assert done == sorted(done)


@pytest.fixture
def collector_off() -> Iterator[None]:
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def test_collector_state_is_restored(collector_off: None) -> None:
    synthetic_city(scale=TINY)
    assert not gc.isenabled()


def test_collector_is_enabled_again() -> None:
    assert gc.isenabled()
    synthetic_city(scale=TINY)
    assert gc.isenabled()
