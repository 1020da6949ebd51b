"""Hostile arguments to the declarations' models, functions and values: only coded errors.

The form models built directly (or through ``model_validate``) refuse with the
field errors ``parse_form`` reports; the lifecycle and domain functions check
their arguments at entry; every value class checks its fields, so a deep list
never reaches a ``repr``; and what the package builds for itself without the
checks passes them.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

import hostile
from gridcare.declarations import (
    AddressForm,
    AddressIndex,
    Assigned,
    BatchResult,
    Declaration,
    DeclarationForm,
    DeclarationRecord,
    DeclarationShape,
    DeclaredAddress,
    DeclaredLeg,
    DeclaredNat,
    DeclaredStay,
    DuplicateBasis,
    DuplicateEvidence,
    DuplicateGroup,
    GridReviewMetrics,
    HealthForm,
    IdentityForm,
    LegForm,
    NatForm,
    NatOutcome,
    OriginForm,
    RejectedForm,
    ReviewMetrics,
    Route,
    RouteMethod,
    RoutingResult,
    StayForm,
    Submitted,
    TemperatureForm,
    TemperatureReading,
    Transferred,
    apply_declaration_event,
    example_form,
    find_duplicates,
    history_of,
    message,
    parse_form,
    parse_forms,
    replay_declarations,
    review_metrics,
    review_metrics_from_events,
    routing_event,
    same_declaration,
    transfer_moves,
)
from gridcare.errors import FieldError, GridcareError, InvalidInput
from gridcare.testing import synthetic_city
from gridcare.testing.scenario import synthetic_day
from gridcare.timeutil import DEFAULT_ZONE

T = datetime(2022, 3, 20, 10, tzinfo=DEFAULT_ZONE)
#: The fields of a form without the rules between them: no validated form.
SHAPE = DeclarationShape.model_validate(example_form())
DEEP = hostile.HOSTILE["deep list"]
DECLARATION = parse_form(example_form(), declaration_id="D1", received_at=T)
FORM = DeclarationForm.model_validate(example_form(), context={"received_at": T})
SUBMITTED = apply_declaration_event(None, Submitted.of(DECLARATION, event_id="s1"))
RECORD = apply_declaration_event(
    SUBMITTED, Assigned(id="a1", at=T, declaration_id="D1", grid_id="G1")
)
TRANSFER = Transferred(id="t1", at=T, declaration_id="D1", to_grid="G2")
ROUTE = Route("G1", "H1", RouteMethod.HOUSEHOLD_ID)
FIGURES = GridReviewMetrics("G1", 2, 1, 0, 0, 0, 0, timedelta(hours=1), timedelta(hours=2))
EVIDENCE = DuplicateEvidence(DuplicateBasis.NAME_AND_PHONE, "刘*娟 138****5678", ("D1", "D2"), T, T)


def _fields(value: Any) -> dict[str, Any]:
    """The fields of an attrs value as keyword arguments of its constructor."""
    return {f.name: getattr(value, f.name) for f in attrs.fields(type(value))}


def _refused(call: Callable[[], object]) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        call()
    return info.value


# --------------------------------------------------------------------------- the form models

#: (model, the section's path in the example form, its field to spoil, a bad value)
SECTIONS: list[tuple[type[BaseModel], tuple[str | int, ...], str, object]] = [
    (IdentityForm, ("identity",), "name", "\x00刘"),
    (IdentityForm, ("identity",), "id_kind", "passport13812345678"),
    (AddressForm, ("address",), "room", DEEP),
    (AddressForm, ("address",), "building", "3" * 21),
    (OriginForm, ("origin",), "detail", "x" * 201),
    (LegForm, ("legs", 0), "number", 1234),
    (LegForm, ("legs", 0), "seat", "05车12A" * 5),
    (StayForm, ("stays", 0), "start", "yesterday"),
    (TemperatureForm, ("health", "temperatures", 0), "celsius", 99.0),
    (NatForm, ("health", "nat_results", 0), "result", "maybe"),
    (HealthForm, ("health",), "vaccination_doses", 11),
    (DeclarationShape, (), "phone", "12345"),
    (DeclarationForm, (), "consent", False),
]


def _section(form: dict[str, Any], path: tuple[str | int, ...]) -> Any:
    target: Any = form
    for part in path:
        target = target[part]
    return target


def _shown(errors: tuple[FieldError, ...], prefix: str = "") -> list[tuple[object, ...]]:
    return [(e.code, prefix + e.field, e.message, e.value) for e in errors]


@pytest.mark.parametrize(
    ("model", "path", "field", "bad"), SECTIONS, ids=[f"{s[0].__name__}.{s[2]}" for s in SECTIONS]
)
def test_a_form_model_built_directly_refuses_as_parse_form_does(
    model: type[BaseModel], path: tuple[str | int, ...], field: str, bad: object
) -> None:
    form = example_form()
    section = _section(form, path)
    section[field] = bad
    direct = _refused(lambda: model(**section))
    parsed = _refused(lambda: parse_form(form, declaration_id="D1", received_at=T))
    prefix = "".join(f"{part}." for part in path)
    assert _shown(direct.errors, prefix) == _shown(parsed.errors)
    assert direct.field == field


def test_model_validate_and_its_json_form_refuse_with_the_same_errors() -> None:
    form = example_form()
    form["phone"] = "12345"
    form["legs"][0]["number"] = DEEP
    parsed = _refused(lambda: parse_form(form, declaration_id="D1", received_at=T))
    context = {"received_at": T}
    direct = _refused(lambda: DeclarationForm.model_validate(form, context=context))
    assert _shown(direct.errors) == _shown(parsed.errors)
    form["legs"][0]["number"] = 1234
    text = json.dumps(form, ensure_ascii=False)
    parsed = _refused(lambda: parse_form(text, declaration_id="D1", received_at=T))
    direct = _refused(lambda: DeclarationForm.model_validate_json(text, context=context))
    assert _shown(direct.errors) == _shown(parsed.errors)
    assert [e.code for e in direct.errors] == ["bad_length", "wrong_type"]


def test_a_form_without_its_receipt_context_is_a_coded_refusal() -> None:
    refusal = _refused(lambda: DeclarationForm(**example_form()))
    assert (refusal.code, refusal.field) == ("missing_received_at", "")


_MODELS: list[type[BaseModel]] = [
    DeclarationForm,
    DeclarationShape,
    IdentityForm,
    AddressForm,
    OriginForm,
    LegForm,
    StayForm,
    TemperatureForm,
    NatForm,
    HealthForm,
]


def test_nested_sections_are_validated_by_pydantic_not_by_a_custom_init() -> None:
    """A model's own ``__init__`` would be called for every nested section it validates."""
    for model in _MODELS:
        assert not model.__pydantic_custom_init__


_ANY_VALUE = st.sampled_from(list(hostile.HOSTILE.values())) | st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)


@given(st.sampled_from(_MODELS), st.data(), _ANY_VALUE)
def test_any_value_in_any_field_of_a_form_model_is_a_coded_refusal(
    model: type[BaseModel], data: st.DataObject, value: object
) -> None:
    field = data.draw(st.sampled_from(sorted(model.model_fields)))
    try:
        model(**{field: value})
    except InvalidInput as err:
        refusal = err
    else:
        return
    assert refusal.errors
    str(refusal).encode("utf-8")


# --------------------------------------------------------------------------- functions


#: (function, positional arguments, keyword arguments, code, field)
FUNCTIONS: list[tuple[Callable[..., object], tuple[object, ...], dict[str, object], str, str]] = [
    (
        routing_event,
        (None,),
        {"declaration_id": "D", "event_id": "e", "at": T},
        "wrong_type",
        "route",
    ),
    (transfer_moves, (RECORD, SUBMITTED), {}, "wrong_type", "event"),
    (transfer_moves, (DEEP, TRANSFER), {}, "wrong_type", "record"),
    (same_declaration, (RECORD, "e"), {}, "wrong_type", "event"),
    (apply_declaration_event, (RECORD, None), {}, "wrong_type", "event"),
    (apply_declaration_event, ({"a": 1}, TRANSFER), {}, "wrong_type", "record"),
    (Submitted.of, (DEEP,), {"event_id": "s"}, "wrong_type", "declaration"),
    (history_of, (FORM,), {}, "wrong_type", "declaration"),
    (
        Declaration.from_form,
        (DEEP,),
        {"declaration_id": "D", "received_at": T},
        "wrong_type",
        "form",
    ),
    # a shape has not passed the rules between fields: it is no validated form
    (
        Declaration.from_form,
        (SHAPE,),
        {"declaration_id": "D", "received_at": T},
        "wrong_type",
        "form",
    ),
    (
        Declaration.from_form,
        (FORM,),
        {"declaration_id": "D\x1b", "received_at": T},
        "control_character",
        "declaration_id",
    ),
    (
        Declaration.from_form,
        (FORM,),
        {"declaration_id": "D", "received_at": T.replace(tzinfo=None)},
        "naive_datetime",
        "received_at",
    ),
    (find_duplicates, (DEEP,), {}, "wrong_type", "declarations.0"),
    (find_duplicates, ([DECLARATION, None],), {}, "wrong_type", "declarations.1"),
    (find_duplicates, ("D1",), {}, "not_list", "declarations"),
    (find_duplicates, ([],), {"progress": 3}, "not_callable", "progress"),
    (review_metrics, ([RECORD, DEEP],), {"as_of": T}, "wrong_type", "records.1"),
    (review_metrics, ({"a": 1},), {"as_of": T}, "not_list", "records"),
    (review_metrics, ([],), {"as_of": T, "overdue_after": DEEP}, "bad_duration", "overdue_after"),
    (
        review_metrics_from_events,
        ([],),
        {"as_of": T, "overdue_after": timedelta(-1)},
        "bad_duration",
        "overdue_after",
    ),
    (review_metrics_from_events, (DEEP,), {"as_of": T}, "bad_event", "events.0"),
    (message, (DEEP,), {}, "wrong_type", "code"),
    (message, ("missing", "fr"), {}, "unknown_choice", "lang"),
]


@pytest.mark.parametrize(
    ("function", "args", "kwargs", "code", "field"),
    FUNCTIONS,
    ids=[f"{f[0].__qualname__}-{f[4]}-{f[3]}" for f in FUNCTIONS],
)
def test_functions_check_their_arguments_at_entry(
    function: Callable[..., object],
    args: tuple[object, ...],
    kwargs: dict[str, object],
    code: str,
    field: str,
) -> None:
    refusal = _refused(lambda: function(*args, **kwargs))
    assert (refusal.code, refusal.field) == (code, field)


# --------------------------------------------------------------------------- values

VALUES: list[tuple[type, dict[str, object], str, object, str]] = [
    # class, valid arguments, the argument spoilt, its value, the code expected
    (BatchResult, {"results": (DECLARATION,)}, "results", DEEP, "wrong_type"),
    (
        RejectedForm,
        {"row": 1, "declaration_id": "D1", "errors": (FieldError("a", "b", "c"),)},
        "errors",
        (),
        "missing",
    ),
    (
        RejectedForm,
        {"row": 1, "declaration_id": "D1", "errors": (FieldError("a", "b", "c"),)},
        "row",
        -1,
        "negative",
    ),
    (DeclarationRecord, _fields(RECORD), "event_ids", DEEP, "wrong_type"),
    (DeclarationRecord, _fields(RECORD), "correction_fields", DEEP, "not_string"),
    (DeclarationRecord, _fields(RECORD), "correction_fields", ["phone"] * 101, "too_long"),
    (DeclarationRecord, _fields(RECORD), "declaration_id", "D\x1b[31m", "control_character"),
    (DeclarationRecord, _fields(RECORD), "grid_id", "G" * 65, "too_long"),
    (DeclarationRecord, _fields(RECORD), "rejection_reason", "\u202e", "bidi_control"),
    (DeclarationRecord, _fields(RECORD), "previous_grids", ("G1", None), "wrong_type"),
    (DeclarationRecord, _fields(RECORD), "state", DEEP, "bad_choice"),
    (DeclarationRecord, _fields(RECORD), "events", 0, "out_of_range"),
    (GridReviewMetrics, _fields(FIGURES), "time_to_review_p90", DEEP, "wrong_type"),
    (GridReviewMetrics, _fields(FIGURES), "received", -1, "negative"),
    (GridReviewMetrics, _fields(FIGURES), "time_to_review_median", timedelta(-1), "negative"),
    (
        ReviewMetrics,
        {"grids": {"G1": FIGURES}, "city": FIGURES, "unassigned": 0},
        "grids",
        {"G1": DEEP},
        "wrong_type",
    ),
    (
        ReviewMetrics,
        {"grids": {"G1": FIGURES}, "city": FIGURES, "unassigned": 0},
        "grids",
        DEEP,
        "not_mapping",
    ),
    (DuplicateEvidence, _fields(EVIDENCE), "declaration_ids", ("D1",), "bad_length"),
    (DuplicateEvidence, _fields(EVIDENCE), "overlap_end", T - timedelta(1), "ends_before_start"),
    (DuplicateEvidence, _fields(EVIDENCE), "key", DEEP, "not_string"),
    (
        DuplicateGroup,
        {"declaration_ids": ("D1", "D2"), "evidence": ()},
        "declaration_ids",
        ("D1",),
        "too_short",
    ),
    (
        DuplicateGroup,
        {"declaration_ids": ("D1", "D2"), "evidence": ()},
        "evidence",
        DEEP,
        "wrong_type",
    ),
    (Route, _fields(ROUTE), "grid_id", DEEP, "not_string"),
    (Route, _fields(ROUTE), "method", "household_id", "bad_choice"),
    (RoutingResult, {"routes": {"D1": ROUTE}}, "routes", {"D1": DEEP}, "wrong_type"),
    (RoutingResult, {"routes": {"D1": ROUTE}}, "routes", {1: ROUTE}, "not_string"),
    (TemperatureReading, {"at": T, "celsius": 36.5}, "celsius", DEEP, "not_number"),
    (TemperatureReading, {"at": T, "celsius": 36.5}, "celsius", 365, "temperature_out_of_range"),
    (TemperatureReading, {"at": T, "celsius": 36.5}, "at", DEEP, "not_datetime"),
    (
        DeclaredNat,
        {"sampled_at": T, "result": NatOutcome.NEGATIVE, "institution": "x"},
        "result",
        DEEP,
        "bad_choice",
    ),
    (
        DeclaredNat,
        {"sampled_at": T, "result": NatOutcome.NEGATIVE, "institution": "x"},
        "sampled_at",
        T.replace(tzinfo=None),
        "naive_datetime",
    ),
    (DeclaredStay, _fields(DECLARATION.stays[0]), "place", "420106", "wrong_type"),
    (DeclaredLeg, _fields(DECLARATION.legs[0]), "mode", "train", "bad_choice"),
    (Declaration, _fields(DECLARATION), "stays", DEEP, "wrong_type"),
    (Declaration, _fields(DECLARATION), "symptoms", ["cough"], "wrong_type"),
    (Declaration, _fields(DECLARATION), "vaccination_doses", 11, "out_of_range"),
    (Declaration, _fields(DECLARATION), "address", DEEP, "wrong_type"),
]


@pytest.mark.parametrize(
    ("cls", "valid", "name", "bad", "code"),
    VALUES,
    ids=[f"{v[0].__name__}.{v[2]}-{v[4]}" for v in VALUES],
)
def test_values_check_their_fields(
    cls: type, valid: dict[str, object], name: str, bad: object, code: str
) -> None:
    cls(**valid)
    refusal = _refused(lambda: cls(**{**valid, name: bad}))
    assert refusal.code == code
    assert refusal.field.split(".")[0] in (name, "leg", "nat", "stay", "temperature")
    assert repr(refusal)


#: Every entry of the package checked above, with valid arguments for each parameter.
ENTRIES: dict[str, tuple[Callable[..., object], dict[str, object]]] = {
    "routing_event": (
        routing_event,
        {"route": ROUTE, "declaration_id": "D1", "event_id": "e", "at": T},
    ),
    "transfer_moves": (transfer_moves, {"record": RECORD, "event": TRANSFER}),
    "same_declaration": (same_declaration, {"record": RECORD, "event": TRANSFER}),
    "apply_declaration_event": (apply_declaration_event, {"record": RECORD, "event": TRANSFER}),
    "Submitted.of": (Submitted.of, {"declaration": DECLARATION, "event_id": "s"}),
    "history_of": (history_of, {"declaration": DECLARATION}),
    "Declaration.from_form": (
        Declaration.from_form,
        {"form": FORM, "declaration_id": "D", "received_at": T},
    ),
    "find_duplicates": (find_duplicates, {"declarations": [DECLARATION], "progress": None}),
    "review_metrics": (
        review_metrics,
        {"records": [RECORD], "as_of": T + timedelta(1), "overdue_after": timedelta(1)},
    ),
    "review_metrics_from_events": (
        review_metrics_from_events,
        {"events": [TRANSFER], "as_of": T + timedelta(1), "overdue_after": timedelta(1)},
    ),
    "message": (message, {"code": "missing", "lang": "en"}),
    **{v[0].__name__: (v[0], v[1]) for v in VALUES},
    "DeclaredAddress": (DeclaredAddress, {"community": "C1", "building": "3"}),
}


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_every_hostile_value_in_every_argument_is_a_coded_refusal(name: str) -> None:
    """The scanner's hostile values, each argument in turn, the others valid."""
    call, valid = ENTRIES[name]
    call(**valid)
    parameters = [inspect.Parameter(key, inspect.Parameter.KEYWORD_ONLY) for key in valid]
    figures = hostile.Figures()
    hostile.call_hostile(hostile.Entry(name, call, parameters, valid), figures)
    assert [str(finding) for finding in figures.findings] == []
    assert figures.outcomes["InvalidInput"] > 0


# --------------------------------------------------------------------------- trusted builds


@pytest.fixture(scope="module")
def day() -> Any:
    return synthetic_day(synthetic_city(scale=0.001, seed=3), seed=3)


def test_what_the_package_builds_unchecked_passes_the_checks(day: Any) -> None:
    """The replay, routing, duplicates, metrics and batches build their values without the
    constructors' checks: the checking constructors accept every one of them."""
    replayed = replay_declarations(day.declaration_events)
    assert replayed.records
    for record in replayed.records.values():
        assert attrs.evolve(record) == record
    declarations = list(day.declarations)
    index = AddressIndex.from_hierarchy(day.city.hierarchy)
    routing = index.route_all(declarations)
    assert RoutingResult(routing.routes) == routing
    for route in routing.routes.values():
        assert attrs.evolve(route) == route
    twins = [attrs.evolve(d, id=d.id + "-again") for d in declarations[:20]]
    groups = find_duplicates(declarations + twins)
    assert groups
    for group in groups:
        assert attrs.evolve(group) == group
        for evidence in group.evidence:
            assert attrs.evolve(evidence) == evidence
    metrics = review_metrics(replayed.records.values(), as_of=day.cutoff)
    assert attrs.evolve(metrics) == metrics
    assert attrs.evolve(metrics.city) == metrics.city
    for figures in metrics.grids.values():
        assert attrs.evolve(figures) == figures
    for declaration in declarations:
        for part in (*declaration.stays, *declaration.temperatures, *declaration.nat_results):
            assert attrs.evolve(part) == part


def test_batch_results_built_unchecked_pass_the_checks() -> None:
    bad = example_form()
    bad["phone"] = DEEP
    batch = parse_forms([example_form(), bad, "{", None], received_at=T)  # type: ignore[list-item]
    assert BatchResult(batch.results) == batch
    assert len(batch.rejected) == 3
    for row in batch.rejected:
        assert attrs.evolve(row) == row


def test_a_refused_value_is_never_half_built() -> None:
    """A coded refusal, whatever the argument, and only a ``GridcareError``."""
    for bad in (DEEP, None, "x" * 100_000, "\ud800"):
        with pytest.raises(GridcareError):
            DeclarationRecord(**{**_fields(RECORD), "event_ids": (bad,)})
