"""The texts of the reports' counts and metrics and of the risk engine's results and policies
keep the rules of their kind, stated once in gridcare.text.

Each class refuses a text exactly when :func:`gridcare.text.kind_problem` does, with the same
code: a node id, a metric's name and a policy's name are ids; labels, titles, an edition and a
clause (one line) are places; a unit is a short text; a source and a note are free text with
line breaks (a note's). No error quotes the text it refuses.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import given, settings

from gridcare.errors import InvalidInput, PolicyError
from gridcare.reports import Count, Tally, TallyBuilder
from gridcare.reports.metrics import METRICS, Metric, MetricKind, metric
from gridcare.risk.engine import Assessment, Contact, ContactKind, RiskPlan, RiskReason
from gridcare.risk.policy import Anchor, Category, CodeColor, Policy, Provenance
from gridcare.risk.presets import PRESETS
from gridcare.text import TEXT_CODES, TEXT_LIMITS, kind_problem
from gridcare.timeutil import DEFAULT_ZONE as CST
from helpers import text_cases

TEXTS = text_cases()  # the texts of the text rules' properties, each limit among them

ESCAPE = "G\x1b[2J1"  # a terminal escape: clears the screen of whoever reads it raw
D = date(2022, 3, 27)
T = datetime(2022, 7, 1, 20, tzinfo=CST)
NINTH = PRESETS["ninth-edition"]
SOURCE = NINTH.source


def _expected(
    text: object, field: str, kind: str, *, allow_empty: bool = False
) -> tuple[str, str] | None:
    """What :func:`kind_problem` says of ``text``: (code, field), ``None`` if it keeps the rules."""
    problem = kind_problem(text, field, kind, allow_empty=allow_empty)
    return None if problem is None else (problem.code, field)


def _refused(build: Callable[..., object], *args: Any, **kwargs: Any) -> tuple[str, str] | None:
    """The (code, field) ``build(*args, **kwargs)`` is refused with, ``None`` if accepted."""
    try:
        build(*args, **kwargs)
    except InvalidInput as exc:
        return exc.code, exc.field
    return None


def _rule_of(error: PolicyError) -> tuple[str, str] | None:
    """The text rule's code a policy error ends with (``[code]``) and where; ``None`` if none."""
    code = error.problem.rsplit("[", 1)[-1].rstrip("]") if error.problem.endswith("]") else ""
    return (code, error.where) if code in TEXT_CODES else None


def _policy_refused(
    build: Callable[..., object], *args: Any, **kwargs: Any
) -> tuple[str, str] | None:
    """The text rule a ``PolicyError`` of ``build(*args, **kwargs)`` names, ``None`` if none."""
    try:
        build(*args, **kwargs)
    except PolicyError as exc:
        return _rule_of(exc) or ("not a text rule: " + exc.problem, exc.where)
    return None


# ---------------------------------------------------------------------------- reports


@given(TEXTS)
def test_a_count_keeps_the_rules_of_a_node_id(text: str) -> None:
    expected = _expected(text, "node", "id")
    assert _refused(Count, text, "hazards", day=D) == expected
    assert _refused(Count, text, "hazards", at=T) == expected


@given(TEXTS)
def test_a_tally_keeps_the_rules_of_a_node_id_where_it_is_read_and_added_to(text: str) -> None:
    expected = _expected(text, "node", "id")
    tally = Tally.empty().add("G1", "hazards", day=D)
    assert _refused(tally.get, text, "hazards", D) == expected
    assert _refused(tally.add, text, "hazards", day=D) == expected
    assert _refused(TallyBuilder().add, text, "hazards", day=D) == expected
    assert _refused(Tally, {(text, "hazards", D): 1}) == _expected(text, "counts.0.node", "id")


@settings(max_examples=60)
@given(TEXTS)
def test_a_metric_keeps_the_rules_of_its_texts(text: str) -> None:
    fields: dict[str, Any] = {"name": "m", "zh": "指标", "en": "metric", "unit": "人"}
    for field, kind, empty_ok in (
        ("name", "id", False),
        ("zh", "place", False),
        ("en", "place", False),
        ("unit", "short", False),
        ("meaning", "place", True),
    ):
        assert _refused(Metric, kind=MetricKind.FLOW, **{**fields, field: text}) == _expected(
            text, field, kind, allow_empty=empty_ok
        )
    for field in ("numerator", "denominator"):
        parts = {"numerator": "a", "denominator": "b", field: text}
        assert _refused(Metric, "r", "率", "rate", "%", MetricKind.RATE, **parts) == _expected(
            text, field, "id"
        )


def test_the_catalogue_keeps_the_rules_it_states() -> None:
    for m in METRICS.values():
        assert Metric(m.name, m.zh, m.en, m.unit, m.kind, m.numerator, m.denominator, m.meaning)


# ---------------------------------------------------------------------------- engine results


@given(TEXTS)
def test_an_assessment_keeps_the_rules_of_a_policy_name(text: str) -> None:
    assert _refused(
        Assessment, Category.NONE, None, CodeColor.GREEN, False, (), T, text
    ) == _expected(text, "policy", "id")


@given(TEXTS)
def test_a_plan_keeps_the_rules_of_a_clause(text: str) -> None:
    assert _refused(
        RiskPlan, Category.CLOSE_CONTACT, Anchor.LAST_EXPOSURE, T, T, (), (), (), False, text, "UTC"
    ) == _expected(text, "clause", "place")


@given(TEXTS)
def test_a_reason_keeps_the_rules_of_a_clause(text: str) -> None:
    contact = Contact(kind=ContactKind.CLOSE, last_exposure=T)
    assert _refused(RiskReason, Category.CLOSE_CONTACT, text, SOURCE, contact=contact) == _expected(
        text, "clause", "place"
    )


# ---------------------------------------------------------------------------- policies


@settings(max_examples=60)
@given(TEXTS)
def test_a_policy_keeps_the_rules_of_its_titles_and_zone(text: str) -> None:
    data = NINTH.to_dict()
    for field in ("title_zh", "title_en"):
        assert _policy_refused(Policy.from_dict, {**data, field: text}) == _expected(
            text, field, "place"
        )
    expected = _expected(text, "zone", "id")
    found = _policy_refused(Policy.from_dict, {**data, "zone": text})
    if expected is None and found is not None:  # an id, but perhaps not a zone's
        assert found[0].startswith("not a text rule: unknown time zone")
    else:
        assert found == expected


@given(TEXTS)
def test_a_provenance_keeps_the_rules_of_its_texts(text: str) -> None:
    fields: dict[str, Any] = {"edition": "9th", "date": "2022-06-28", "source": "s"}
    for field, kind, empty_ok in (
        ("edition", "place", False),
        ("source", "note", False),
        ("note", "note", True),
    ):
        assert _policy_refused(Provenance, kind="national", **{**fields, field: text}) == _expected(
            text, field, kind, allow_empty=empty_ok
        )


@pytest.mark.parametrize("value", [3, None, b"s", ["s"]])
def test_a_provenance_refuses_what_is_not_text_as_the_rules_do(value: object) -> None:
    with pytest.raises(PolicyError) as info:
        Provenance(edition="9th", date="2022-06-28", source=value, kind="national")
    assert _rule_of(info.value) == _expected(value, "source", "note")


def test_a_source_and_a_note_may_span_lines_and_round_trip() -> None:
    source = "《方案》第三条\n第二款"
    made = Provenance(edition="9th", date="2022-06-28", source=source, kind="local", note="a\nb")
    assert made.source == source
    data = NINTH.to_dict()
    data["source"] = {**data["source"], "source": source, "note": "第一行\r\n第二行"}
    assert Policy.from_json(Policy.from_dict(data).to_json()) == Policy.from_dict(data)


def test_the_schema_states_the_limits_of_the_texts() -> None:
    schema = Policy.json_schema()
    assert schema["properties"]["title_zh"]["maxLength"] == TEXT_LIMITS["place"]
    assert schema["properties"]["zone"]["maxLength"] == TEXT_LIMITS["id"]
    provenance = schema["$defs"]["Provenance"]["properties"]
    assert (provenance["edition"]["maxLength"], provenance["edition"]["minLength"]) == (200, 1)
    assert (provenance["source"]["maxLength"], provenance["note"]["maxLength"]) == (1000, 1000)
    assert all(part["type"] == "string" for part in provenance.values() if "type" in part)


def test_the_presets_keep_the_rules() -> None:
    for policy in PRESETS.values():
        assert Policy.from_json(policy.to_json()) == policy


# ---------------------------------------------------------------------------- escapes


def _contact_reason(clause: str) -> RiskReason:
    return RiskReason(
        Category.CLOSE_CONTACT, clause, SOURCE, contact=Contact(kind="close", last_exposure=T)
    )


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Count(ESCAPE, "hazards", day=D), "node"),
        (lambda: Tally.empty().get(ESCAPE, "hazards", D), "node"),
        (lambda: Tally.empty().add(ESCAPE, "hazards", day=D), "node"),
        (lambda: Metric(ESCAPE, "指标", "metric", "人", MetricKind.FLOW), "name"),
        (lambda: Metric("m", ESCAPE, "metric", "人", MetricKind.FLOW), "zh"),
        (lambda: Metric("m", "指标", ESCAPE, "人", MetricKind.FLOW), "en"),
        (lambda: Metric("m", "指标", "metric", ESCAPE, MetricKind.FLOW), "unit"),
        (lambda: Metric("m", "指标", "metric", "人", MetricKind.FLOW, meaning=ESCAPE), "meaning"),
        (lambda: Assessment(Category.NONE, None, CodeColor.GREEN, False, (), T, ESCAPE), "policy"),
        (
            lambda: RiskPlan(
                Category.CLOSE_CONTACT, Anchor.LAST_EXPOSURE, T, T, (), (), (), False, ESCAPE, "UTC"
            ),
            "clause",
        ),
        (lambda: _contact_reason(ESCAPE), "clause"),
    ],
)
def test_a_terminal_escape_is_refused_without_being_shown(
    build: Callable[[], object], field: str
) -> None:
    with pytest.raises(InvalidInput) as info:
        build()
    assert (info.value.code, info.value.field) == ("control_character", field)
    assert "\x1b" not in str(info.value)
    assert "[2J" not in str(info.value)


@pytest.mark.parametrize(
    ("build", "where"),
    [
        (lambda: Policy.from_dict({**NINTH.to_dict(), "title_zh": ESCAPE}), "title_zh"),
        (lambda: Policy.from_dict({**NINTH.to_dict(), "title_en": ESCAPE}), "title_en"),
        (
            lambda: Provenance(edition=ESCAPE, date="2022-06-28", source="s", kind="national"),
            "edition",
        ),
        (
            lambda: Provenance(edition="9th", date="2022-06-28", source=ESCAPE, kind="national"),
            "source",
        ),
        (
            lambda: Provenance(
                edition="9th", date="2022-06-28", source="s", kind="national", note=ESCAPE
            ),
            "note",
        ),
    ],
)
def test_a_policy_refuses_a_terminal_escape_without_being_shown(
    build: Callable[[], object], where: str
) -> None:
    with pytest.raises(PolicyError) as info:
        build()
    assert _rule_of(info.value) == ("control_character", where)
    assert "\x1b" not in str(info.value)
    assert "[2J" not in str(info.value)


def test_a_bidirectional_override_is_refused_everywhere_it_was_taken() -> None:
    override = "G\u202e1"
    for build in (
        lambda: Count(override, "hazards", day=D),
        lambda: Tally.empty().get(override, "hazards", D),
        lambda: Metric("m", override, "metric", "人", MetricKind.FLOW),
        lambda: Assessment(Category.NONE, None, CodeColor.GREEN, False, (), T, override),
        lambda: _contact_reason(override),
    ):
        with pytest.raises(InvalidInput) as info:
            build()
        assert info.value.code == "bidi_control"
    with pytest.raises(PolicyError) as err:
        Policy.from_dict({**NINTH.to_dict(), "title_en": override})
    assert _rule_of(err.value) == ("bidi_control", "title_en")
    assert "\u202e" not in str(err.value)


def test_an_unknown_metric_name_is_shown_only_when_plain() -> None:
    with pytest.raises(InvalidInput) as info:
        metric("bogus")
    assert "'bogus'" in str(info.value)
    with pytest.raises(InvalidInput) as info:
        metric(ESCAPE)
    assert info.value.code == "unknown_metric"
    assert "\x1b" not in str(info.value)
    assert "[2J" not in str(info.value)
