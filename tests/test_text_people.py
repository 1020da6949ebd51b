"""The text rules of a kind kept by the people of a city (gridcare.people).

Each text field of each public class answers exactly as
:func:`gridcare.text.kind_problem` does for its kind (the same refusals, the
same code, the same field): the ids of residents, households, workers and
nodes are ids, a person's name (and its masked form) a name, a masked
document number or phone a short text. A terminal escape or a bidirectional
override in a name or an id is refused, and no refusal quotes it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridcare.codes import CitizenId, PhoneNumber, Sex
from gridcare.errors import InvalidInput
from gridcare.people import (
    Assignment,
    ChainLink,
    Household,
    IdDocument,
    IdKind,
    RedactedResident,
    RedactedWorker,
    Resident,
    ResponsibilityChain,
    Worker,
    WorkerRole,
)
from gridcare.text import TEXT_LIMITS, kind_problem
from helpers import text_cases

# The texts of the text rules' properties, masked forms, and texts at the limits of the kinds.
_AT_LIMITS = [
    c * n
    for c in ("G", "刘")
    for limit in sorted(set(TEXT_LIMITS.values()) - {1000})
    for n in (limit, limit + 1)
]
TEXTS = text_cases(
    st.sampled_from(["刘*娟", "*", "L***a", "110105********002X", "138****5678", *_AT_LIMITS])
)

ESCAPE_ID = "G\x1b[2J1"  # a terminal escape: clear the screen
OVERRIDE_ID = "G\u202e1"  # a bidirectional override
ESCAPE_NAME = "刘\x1b[2J430202193903070024"  # a name with an escape and an ID number in it

CID = CitizenId.parse("430202193903070024")
PHONE = PhoneNumber.parse("13812345678")
VOLUNTEER = WorkerRole.VOLUNTEER


def outcome(build: Callable[[], object]) -> tuple[str, str] | None:
    """The code and field ``build()`` is refused with, ``None`` if it is accepted."""
    try:
        build()
    except InvalidInput as exc:
        return exc.code, exc.field
    return None


def expected(text: object, field: str, kind: str = "id") -> tuple[str, str] | None:
    problem = kind_problem(text, field, kind)
    return None if problem is None else (problem.code, problem.field)


def refusal(build: Callable[[], object]) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        build()
    return info.value


def not_quoted(error: InvalidInput, *texts: str) -> None:
    shown = str(error)
    assert "\x1b" not in shown
    assert "\u202e" not in shown
    assert "[2J" not in shown
    for text in texts:
        assert text not in shown
    for problem in error.errors:
        assert problem.value is None  # a refused text is never kept in the error


# --------------------------------------------------------------------------- Resident

RESIDENT: dict[str, object] = {
    "id": "R1",
    "household_id": "H1",
    "name": "刘晓娟",
    "document": CID,
    "birth_date": date(1939, 3, 7),
    "sex": Sex.FEMALE,
    "phone": PHONE,
}


@given(TEXTS)
def test_a_resident_refuses_a_text_exactly_when_its_kind_does(text: str) -> None:
    for field, kind in (("id", "id"), ("household_id", "id"), ("name", "name")):
        found = outcome(lambda: Resident(**{**RESIDENT, field: text}))  # type: ignore[arg-type]  # noqa: B023
        assert found == expected(text, field, kind)


@given(TEXTS)
def test_a_residents_masked_form_is_always_a_masked_resident(text: str) -> None:
    try:
        resident = Resident(**{**RESIDENT, "name": text})  # type: ignore[arg-type]
    except InvalidInput:
        return
    assert resident.redacted().id == "R1"  # the mask of a name keeps the rules of a name


def test_a_resident_refuses_an_escape_in_its_name_or_id_without_quoting_it() -> None:
    error = refusal(lambda: Resident(**{**RESIDENT, "name": ESCAPE_NAME}))  # type: ignore[arg-type]
    assert (error.code, error.field) == ("control_character", "name")
    not_quoted(error, "4302021939")
    error = refusal(lambda: Resident(**{**RESIDENT, "id": ESCAPE_ID, "household_id": OVERRIDE_ID}))  # type: ignore[arg-type]
    assert {(e.code, e.field) for e in error.errors} == {
        ("control_character", "id"),
        ("bidi_control", "household_id"),
    }
    not_quoted(error)


def test_a_residents_limits_are_those_of_an_id_and_a_name() -> None:
    ids, name = "R" * TEXT_LIMITS["id"], "刘" * TEXT_LIMITS["name"]
    assert (ids, name) == ("R" * 64, "刘" * 50)  # 40 for each before
    Resident(**{**RESIDENT, "id": ids, "household_id": ids, "name": name})  # type: ignore[arg-type]
    error = refusal(lambda: Resident(**{**RESIDENT, "id": ids + "1", "name": name + "娟"}))  # type: ignore[arg-type]
    assert {(e.code, e.field) for e in error.errors} == {("too_long", "id"), ("too_long", "name")}
    not_quoted(error, name)


# --------------------------------------------------------------------------- Household


@given(TEXTS)
def test_a_household_refuses_a_text_exactly_when_its_kind_does(text: str) -> None:
    assert outcome(lambda: Household(id=text)) == expected(text, "id")
    assert outcome(lambda: Household(id="H1", members=(text,))) == expected(text, "members.0")
    if text != "R1":
        found = outcome(lambda: Household(id="H1", members=("R1", text)))
        assert found == expected(text, "members.1")


def test_a_household_refuses_an_escape_in_its_id_or_a_member_without_quoting_it() -> None:
    error = refusal(lambda: Household(id=ESCAPE_ID, members=("R1", OVERRIDE_ID)))
    assert {(e.code, e.field) for e in error.errors} == {
        ("control_character", "id"),
        ("bidi_control", "members.1"),
    }
    not_quoted(error)


# --------------------------------------------------------------------------- Worker


@given(TEXTS)
def test_a_worker_refuses_a_text_exactly_when_its_kind_does(text: str) -> None:
    assert outcome(lambda: Worker(id=text, name="周建国", role=VOLUNTEER)) == expected(text, "id")
    found = outcome(lambda: Worker(id="W1", name=text, role=VOLUNTEER, phone=PHONE))
    assert found == expected(text, "name", "name")
    if found is None:
        assert Worker(id="W1", name=text, role=VOLUNTEER).redacted().id == "W1"


def test_a_worker_refuses_an_escape_in_its_name_or_id_without_quoting_it() -> None:
    error = refusal(lambda: Worker(id="W1", name=ESCAPE_NAME, role=VOLUNTEER))
    assert (error.code, error.field) == ("control_character", "name")
    not_quoted(error, "4302021939")
    error = refusal(lambda: Worker(id=ESCAPE_ID, name="周建国", role=VOLUNTEER))
    assert (error.code, error.field) == ("control_character", "id")
    not_quoted(error)


# --------------------------------------------------------------------------- Assignment


@given(TEXTS)
def test_an_assignment_refuses_a_text_exactly_when_its_kind_does(text: str) -> None:
    assert outcome(lambda: Assignment(text, "G1")) == expected(text, "worker_id")
    assert outcome(lambda: Assignment("W1", text)) == expected(text, "node_id")


def test_an_assignment_refuses_an_escape_in_an_id_without_quoting_it() -> None:
    error = refusal(lambda: Assignment(ESCAPE_ID, OVERRIDE_ID))
    assert {(e.code, e.field) for e in error.errors} == {
        ("control_character", "worker_id"),
        ("bidi_control", "node_id"),
    }
    not_quoted(error)


# --------------------------------------------------------------------------- ChainLink


@given(TEXTS)
def test_a_chain_link_refuses_a_text_exactly_when_its_kind_does(text: str) -> None:
    assert outcome(lambda: ChainLink(VOLUNTEER, text, ("W1",))) == expected(text, "node_id")
    found = outcome(lambda: ChainLink(VOLUNTEER, "H1", ("W1", text)))
    assert found == expected(text, "worker_ids.1")


def test_a_chain_link_refuses_an_escape_in_an_id_without_quoting_it() -> None:
    error = refusal(lambda: ChainLink(VOLUNTEER, ESCAPE_ID, (OVERRIDE_ID,)))
    assert {(e.code, e.field) for e in error.errors} == {
        ("control_character", "node_id"),
        ("bidi_control", "worker_ids.0"),
    }
    not_quoted(error)
    assert outcome(lambda: ChainLink(VOLUNTEER, "H1", ())) == ("bad_workers", "worker_ids")


# --------------------------------------------------------------------------- ResponsibilityChain


@given(TEXTS)
def test_a_responsibility_chain_refuses_a_text_exactly_when_its_kind_does(text: str) -> None:
    assert outcome(lambda: ResponsibilityChain(text, ())) == expected(text, "node_id")


def test_a_responsibility_chain_refuses_an_escape_in_its_node_id_without_quoting_it() -> None:
    error = refusal(lambda: ResponsibilityChain(ESCAPE_ID, ()))
    assert (error.code, error.field) == ("control_character", "node_id")
    not_quoted(error)


# --------------------------------------------------------------------------- masked forms

MASKED_RESIDENT: dict[str, object] = {
    "id": "R1",
    "household_id": "H1",
    "name": "刘*娟",
    "id_kind": IdKind.CITIZEN_ID,
    "document": "430202********0024",
    "phone": "138****5678",
    "care_needs": frozenset(),
}
MASKED_RESIDENT_KINDS = {
    "id": "id",
    "household_id": "id",
    "name": "name",
    "document": "short",
    "phone": "short",
}


@given(TEXTS)
def test_a_redacted_resident_refuses_a_text_exactly_when_its_kind_does(text: str) -> None:
    for field, kind in MASKED_RESIDENT_KINDS.items():
        found = outcome(lambda: RedactedResident(**{**MASKED_RESIDENT, field: text}))  # type: ignore[arg-type]  # noqa: B023
        assert found == expected(text, field, kind)
    assert RedactedResident(**{**MASKED_RESIDENT, "phone": None}).phone is None  # type: ignore[arg-type]


def test_a_redacted_resident_refuses_an_escape_without_quoting_it() -> None:
    error = refusal(
        lambda: RedactedResident(**{**MASKED_RESIDENT, "id": ESCAPE_ID, "name": "刘\x1b[2J*娟"})  # type: ignore[arg-type]
    )
    assert {(e.code, e.field) for e in error.errors} == {
        ("control_character", "id"),
        ("control_character", "name"),
    }
    not_quoted(error)


@given(TEXTS)
def test_a_redacted_worker_refuses_a_text_exactly_when_its_kind_does(text: str) -> None:
    masked = {"id": "W1", "role": VOLUNTEER, "name": "周*国", "phone": "139****5678"}
    for field, kind in (("id", "id"), ("name", "name"), ("phone", "short")):
        found = outcome(lambda: RedactedWorker(**{**masked, field: text}))  # type: ignore[arg-type]  # noqa: B023
        assert found == expected(text, field, kind)


def test_a_redacted_worker_refuses_an_escape_without_quoting_it() -> None:
    error = refusal(lambda: RedactedWorker(id=ESCAPE_ID, role=VOLUNTEER, name="周*国", phone=None))
    assert (error.code, error.field) == ("control_character", "id")
    not_quoted(error)
    error = refusal(lambda: RedactedWorker(id="W1", role=VOLUNTEER, name="周\x1b[2J*", phone=None))
    assert (error.code, error.field) == ("control_character", "name")
    not_quoted(error)


# --------------------------------------------------------------------------- IdDocument


def test_a_document_number_keeps_its_own_stricter_rule_without_quoting_an_escape() -> None:
    """Five to twenty letters or digits: stricter than any kind of text, so it stays."""
    error = refusal(lambda: IdDocument(IdKind.PASSPORT, "E123\x1b[2J4567"))
    assert (error.code, error.field) == ("bad_document_number", "document.number")
    assert "\x1b" not in str(error)
    assert outcome(lambda: IdDocument(IdKind.PASSPORT, "E12345678\n")) is None  # blanks stripped
