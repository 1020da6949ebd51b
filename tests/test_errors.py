"""The exception tree: classes, attributes, pickling, ``within`` and ``collect``."""

from __future__ import annotations

import pickle
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridcare.errors import (
    MAX_SHOWN,
    FieldError,
    GridcareError,
    IllegalTransition,
    InvalidInput,
    OutOfScope,
    PolicyError,
    UnknownNode,
)

SAMPLES: list[GridcareError] = [
    InvalidInput("bad_length", "citizen_id", "expected 18 characters", value="1101**"),
    InvalidInput.collect(
        [
            FieldError("missing", "name", "required"),
            FieldError("bad_length", "phone", "expected 11 digits", "138****"),
        ]
    ),
    IllegalTransition("verified", "submit", machine="declaration", detail="already verified"),
    IllegalTransition("open", "close"),
    OutOfScope("worker W1", "430211001001-G02"),
    UnknownNode("G-404"),
    PolicyError("categories.high.steps.1", "overlaps the previous step"),
]


@pytest.mark.parametrize(
    ("cls", "bases"),
    [
        (InvalidInput, (GridcareError, ValueError)),
        (IllegalTransition, (GridcareError,)),
        (OutOfScope, (GridcareError, PermissionError)),
        (UnknownNode, (GridcareError, LookupError)),
        (PolicyError, (GridcareError, ValueError)),
    ],
)
def test_hierarchy_of_classes(cls: type[Exception], bases: tuple[type[Exception], ...]) -> None:
    for base in bases:
        assert issubclass(cls, base)
    assert issubclass(cls, Exception)


def test_gridcare_error_catches_every_kind() -> None:
    for err in SAMPLES:
        with pytest.raises(GridcareError):
            raise err


def state(err: BaseException) -> tuple[object, ...]:
    return (type(err), str(err), tuple(sorted(vars(err).items())))


@pytest.mark.parametrize("err", SAMPLES, ids=lambda e: type(e).__name__)
def test_pickling_round_trip(err: GridcareError) -> None:
    again = pickle.loads(pickle.dumps(err))
    assert state(again) == state(err)
    assert again.args == err.args


def test_invalid_input_attributes() -> None:
    err = SAMPLES[0]
    assert isinstance(err, InvalidInput)
    assert (err.code, err.field, err.value, err.message) == (
        "bad_length",
        "citizen_id",
        "1101**",
        "expected 18 characters",
    )
    assert err.errors == (
        FieldError("bad_length", "citizen_id", "expected 18 characters", "1101**"),
    )
    assert str(err) == "citizen_id: expected 18 characters [bad_length]"


def test_collect_keeps_every_error_and_leads_with_the_first() -> None:
    err = SAMPLES[1]
    assert isinstance(err, InvalidInput)
    assert (err.code, err.field) == ("missing", "name")
    assert [e.code for e in err.errors] == ["missing", "bad_length"]
    assert str(err).startswith("2 problems: ")
    assert "phone: expected 11 digits [bad_length]" in str(err)


def test_collect_needs_an_error() -> None:
    with pytest.raises(ValueError, match="at least one"):
        InvalidInput.collect([])


field_errors = st.builds(
    FieldError,
    code=st.sampled_from(["missing", "bad_length", "bad_code"]),
    field=st.one_of(
        st.just(""),
        st.lists(
            st.sampled_from(["name", "legs", "0", "3", "arrival"]), min_size=1, max_size=3
        ).map(".".join),
    ),
    message=st.text(max_size=10),
    value=st.one_of(st.none(), st.text(max_size=5)),
)


@given(
    st.lists(field_errors, min_size=1, max_size=5),
    st.integers(0, 999).map(lambda i: f"rows.{i}"),
)
def test_within_prefixes_every_field(errors: list[FieldError], prefix: str) -> None:
    moved = InvalidInput.collect(errors).within(prefix)
    assert len(moved.errors) == len(errors)
    for before, after in zip(errors, moved.errors, strict=True):
        assert after.field == (f"{prefix}.{before.field}" if before.field else prefix)
        assert (after.code, after.message, after.value) == (
            before.code,
            before.message,
            before.value,
        )
    assert moved.field == moved.errors[0].field


@given(st.lists(field_errors, min_size=1, max_size=5))
def test_collected_errors_pickle(errors: list[FieldError]) -> None:
    err = InvalidInput.collect(errors)
    again = pickle.loads(pickle.dumps(err))
    assert again.errors == err.errors
    assert str(again) == str(err)


def test_illegal_transition_names_state_and_event() -> None:
    err = IllegalTransition("verified", "submit", machine="declaration")
    assert (err.state, err.event, err.machine) == ("verified", "submit", "declaration")
    assert "'verified'" in str(err)
    assert "'submit'" in str(err)


def test_unknown_node_is_not_quoted_twice() -> None:
    assert str(UnknownNode("G-404")) == "unknown node 'G-404'"


def test_field_error_without_field() -> None:
    assert str(FieldError("no_root", "", "no node without a parent")) == (
        "<input>: no node without a parent [no_root]"
    )


# ----------------------------------------------------------------------------- values are safe


def _deep_list(depth: int) -> list[object]:
    value: list[object] = []
    for _ in range(depth):
        value = [value]
    return value


PHONE = 13812345678
ID_NUMBER = 110105194912310020


@pytest.mark.parametrize(
    "value",
    [
        PHONE,
        ID_NUMBER,
        str(PHONE),
        str(ID_NUMBER),
        "11010519491231002X",
        float(PHONE),
        f"tel {PHONE}",
        [PHONE],
        {"phone": PHONE},
    ],
)
def test_personal_numbers_are_masked_whatever_the_field(value: object) -> None:
    for err in (
        FieldError("bad", "tel", "msg", value),
        InvalidInput("bad", "tel", "m", value=value),
    ):
        for text in (str(err), repr(err), repr(err.value), str(err.value)):
            assert str(PHONE) not in text
            assert str(ID_NUMBER) not in text
            assert "11010519491231002X" not in text


def test_a_deep_value_is_described_not_walked() -> None:
    deep = _deep_list(50_000)
    err = InvalidInput("bad", "f", "m", value=deep)
    assert err.value == "<list of 1 items>"
    assert repr(err)
    assert str(err)
    assert repr(FieldError("bad", "f", "m", deep))


def test_huge_values_are_cut() -> None:
    err = InvalidInput("bad", "f" * 10_000, "m" * 10_000, value="v" * 1_000_000)
    assert len(str(err.value)) <= MAX_SHOWN
    assert len(err.field) <= 400
    assert len(err.message) <= 400
    assert len(str(err)) < 1_000
    assert InvalidInput("bad", "f", "m", value=10**100_000).value == "<int of 332193 bits>"


def test_small_plain_values_are_kept() -> None:
    assert InvalidInput("bad", "f", "m", value=42).value == 42
    assert InvalidInput("bad", "f", "m", value="town").value == "town"
    assert InvalidInput("bad", "f", "m", value=None).value is None


def test_a_lone_surrogate_is_escaped_so_the_error_always_encodes() -> None:
    err = InvalidInput("bad", "origin.area", "bad \ud800 text", value="\ud800")
    str(err).encode("utf-8")
    repr(err).encode("utf-8")
    assert isinstance(err.value, str)
    err.value.encode("utf-8")


_ANYTHING = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(10**10, 10**19)
    | st.floats()
    | st.text()
    | st.from_regex(r"[0-9 ]{0,5}1[3-9][0-9]{9}[0-9xX ]{0,8}", fullmatch=True)
    | st.decimals(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=8,
)

_LONG_RUN = re.compile(r"(?<!\d)(\d{11}|\d{18})(?!\d)")


@given(_ANYTHING, st.text(max_size=30), st.text(max_size=30))
def test_no_error_leaks_an_11_or_18_digit_number(value: object, field: str, message: str) -> None:
    for err in (
        FieldError("bad", field, message, value),
        InvalidInput("bad", field, message, value=value),
    ):
        for text in (str(err), repr(err), repr(err.value), str(err.value)):
            assert not _LONG_RUN.search(text), text
