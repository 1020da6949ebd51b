"""Policies as data: JSON round trip, JSON Schema, and every contradiction refused by name."""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridcare.errors import PolicyError
from gridcare.risk import (
    PRESETS,
    Category,
    MeasureKind,
    Policy,
    Provenance,
    SourceKind,
    StepSpec,
)


def preset_data(name: str = "ninth-edition") -> dict[str, Any]:
    return copy.deepcopy(PRESETS[name].to_dict())


def plan_index(data: dict[str, Any], category: str) -> int:
    return next(i for i, p in enumerate(data["categories"]) if p["category"] == category)


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_json_round_trip(name: str) -> None:
    policy = PRESETS[name]
    again = Policy.from_json(policy.to_json())
    assert again == policy
    assert again.compiled == policy.compiled
    assert Policy.from_dict(json.loads(policy.to_json(indent=None))) == policy


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_presets_validate_against_the_json_schema(name: str) -> None:
    schema = Policy.json_schema()
    jsonschema.validate(PRESETS[name].to_dict(), schema)
    assert "categories" in schema["properties"]


def test_schema_refuses_what_the_model_refuses() -> None:
    data = preset_data()
    data["look_back_days"] = -1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, Policy.json_schema())
    with pytest.raises(PolicyError) as err:
        Policy.from_dict(data)
    assert err.value.where == "look_back_days"


def _mutate(path: list[Any], value: Any, name: str = "ninth-edition") -> dict[str, Any]:
    data = preset_data(name)
    node: Any = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


CLOSE = 0  # index of close_contact in the ninth-edition preset


S0 = ["categories", CLOSE, "steps", 0]  # ninth edition, close contact, centralized step
S1 = ["categories", CLOSE, "steps", 1]  # ... and its home health monitoring step
W0 = "categories.0.steps.0"
W1 = "categories.0.steps.1"

CONTRADICTIONS: list[tuple[list[Any], Any, str, str | None]] = [
    (["rules", 0, "category"], "quarantine_camp", "rules.0.category", "Input should be"),
    (["categories", 4, "category"], "affected_area", "rules.4.category", "unknown category"),
    ([*S1, "start_day"], 5, f"{W1}.start_day", "overlaps"),
    ([*S1, "start_day"], 9, f"{W1}.start_day", "gap"),
    ([*S0, "test_days"], [1, 8], f"{W0}.test_days.1", "outside its step"),
    ([*S1, "test_days"], [0], f"{W1}.test_days.0", "outside its step"),
    ([*S0, "test_days"], [1, 1], f"{W0}.test_days.1", "listed twice"),
    ([*S0, "days"], None, f"{W0}.days", "only the last step"),
    ([*S0, "alternatives"], ["centralized_quarantine"], f"{W0}.alternatives", "own kind"),
    (["categories", CLOSE, "anchor"], "left_area", "categories.0.anchor", "last_exposure"),
    (["categories", 2, "anchor"], "last_exposure", "categories.2.anchor", "for contacts"),
    (["categories", 1, "category"], "close_contact", "categories.1.category", "defined twice"),
    (["categories", 0, "category"], "none", "categories.0.category", "'none' has no plan"),
    (["categories", CLOSE, "steps"], [], "categories.0.steps", "at least 1"),
    (["rules", 1, "match"], "direct", "rules.1", "second rule"),
    (["rules", 0, "category"], "close_contact", "rules.0.category", "cannot assign"),
    (["zone"], "Mars/Olympus", "zone", "unknown time zone"),
    (["categories", 4, "green_after_tests"], True, "categories.4", None),
    (["categories", 2, "green_after_tests"], True, "categories.2.green_after_tests", "no req"),
    (["categories", 4, "requirements", 0, "min_gap_hours"], 100, "categories.4.requirements.0",
     "cannot fit"),
    (["look_back_source", "kind"], "regional", "look_back_source.kind", "Input should be"),
    (["surprise"], 1, "surprise", "Extra inputs"),
]  # fmt: skip


@pytest.mark.parametrize(("path", "value", "where", "problem"), CONTRADICTIONS)
def test_contradictions_are_refused_by_name(
    path: list[Any], value: Any, where: str, problem: str | None
) -> None:
    data = _mutate(path, value)
    if problem is None:  # a valid change
        Policy.from_dict(data)
        return
    with pytest.raises(PolicyError) as err:
        Policy.from_dict(data)
    assert err.value.where == where
    assert problem in err.value.problem


def test_removing_a_plan_leaves_its_rules_unknown() -> None:
    data = preset_data()
    data["categories"] = [p for p in data["categories"] if p["category"] != "medium_risk_area"]
    with pytest.raises(PolicyError) as err:
        Policy.from_dict(data)
    assert err.value.where == "rules.2.category"
    assert "unknown category 'medium_risk_area'" in err.value.problem


def test_arrival_test_needs_a_side() -> None:
    data = preset_data("hunan-2022-03")
    i = plan_index(data, "affected_area")
    data["categories"][i]["arrival_test"]["before_hours"] = None
    data["categories"][i]["arrival_test"]["after_hours"] = None
    with pytest.raises(PolicyError) as err:
        Policy.from_dict(data)
    assert err.value.where == f"categories.{i}.arrival_test"


@pytest.mark.parametrize("text", ["", "{", "[1]", '"x"', b"\xff"])
def test_from_json_refuses_non_objects(text: str | bytes) -> None:
    with pytest.raises(PolicyError):
        Policy.from_json(text)


def test_from_dict_refuses_non_mappings() -> None:
    with pytest.raises(PolicyError):
        Policy.from_dict([1, 2])  # type: ignore[arg-type]


def test_constructors_raise_policy_error_not_pydantic_errors() -> None:
    with pytest.raises(PolicyError) as err:
        Provenance(edition="", date="2022-06-28", source="s", kind="national")
    assert err.value.where == "edition"
    with pytest.raises(PolicyError):
        StepSpec(kind="walk", days=1, code_color="red", source=PRESETS["ninth-edition"].source)
    with pytest.raises(PolicyError):
        Policy(name="Bad Name")


def test_policies_are_immutable_and_hashable() -> None:
    policy = PRESETS["ninth-edition"]
    with pytest.raises(Exception):  # noqa: B017, PT011 - pydantic's frozen-instance error
        policy.look_back_days = 3  # type: ignore[misc]
    assert hash(policy) == hash(Policy.from_json(policy.to_json()))


def test_plan_for_and_compiled_form() -> None:
    policy = PRESETS["ninth-edition"]
    plan = policy.plan_for(Category.CLOSE_CONTACT)
    assert plan is not None
    assert plan.total_days == 10
    low = policy.plan_for(Category.LOW_RISK_AREA)
    assert low is not None
    assert low.total_days is None
    compiled = policy.compiled.plans[Category.CLOSE_CONTACT]
    assert [s.test_days for s in compiled.steps] == [(1, 2, 3, 5, 7), (10,)]
    assert compiled.steps[1].kind is MeasureKind.HOME_HEALTH_MONITORING
    assert policy.plan_for(Category.AFFECTED_AREA) is None


def test_provenance_kinds_exist_in_presets() -> None:
    kinds = {rule.source.kind for p in PRESETS.values() for rule in p.rules}
    assert kinds == {SourceKind.NATIONAL, SourceKind.LOCAL}


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 400),
    st.text(max_size=12),
    st.sampled_from(["high", "direct", "close_contact", "arrival", "red", "2022-06-28"]),
    st.lists(st.integers(-1, 20), max_size=4),
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


_NINTH_PATHS = _paths(PRESETS["ninth-edition"].to_dict())


@settings(max_examples=150)
@given(st.lists(st.tuples(st.sampled_from(_NINTH_PATHS), _SCALARS), min_size=1, max_size=3))
def test_no_pydantic_error_escapes(mutations: list[tuple[tuple[Any, ...], Any]]) -> None:
    data = preset_data()
    for path, value in mutations:
        node: Any = data
        try:
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    outcome: Policy | PolicyError
    try:
        outcome = Policy.from_dict(data)
    except PolicyError as exc:
        outcome = exc
    if isinstance(outcome, PolicyError):
        assert outcome.where
        assert outcome.problem
    else:
        assert Policy.from_json(outcome.to_json()) == outcome
