"""The exception tree: classes, attributes, pickling, ``within`` and ``collect``."""

from __future__ import annotations

import pickle
import re

import pytest
from hypothesis import example, given
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
    safe_text,
)
from gridcare.masking import mask_numbers

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


# ----------------------------------------------------------------------------- no raw controls

#: Characters no error may carry raw: everything that does not print (C0 and C1 controls,
#: DEL, the line and paragraph separators, format characters such as the zero-width space
#: and the bidirectional controls, spaces other than U+0020, lone surrogates, private use,
#: unassigned code points).
_CONTROLS = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))]
_SEPARATORS_AND_BIDI = list("\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff"]
_OTHER_UNPRINTED = ["\u200b", "\ufeff", "\u00ad", "\u00a0", "\u3000", "\ue000", "\U00087010"]
_UNSHOWN = [*_CONTROLS, *_SEPARATORS_AND_BIDI, *_SURROGATES, *_OTHER_UNPRINTED]


def _raw_control(text: str) -> bool:
    return not text.isprintable()


def _escaped(ch: str) -> str:
    return ch if ch.isprintable() else f"\\u{{{ord(ch):x}}}"


_HOSTILE_TEXT = st.lists(
    st.text(max_size=6) | st.sampled_from(_UNSHOWN) | st.from_regex(r"1[3-9][0-9]{9}"),
    max_size=12,
).map("".join)


@given(_HOSTILE_TEXT, st.integers(3, 200))
# Masked, then escaped: the control that joined the two runs is gone when shown again.
@example("130000000000\x0f0", 18)
@example("13812345678.2022-03-20", 120)
def test_safe_text_escapes_every_control_and_keeps_the_rest(text: str, limit: int) -> None:
    shown = safe_text(text, limit)
    assert not _raw_control(shown)
    shown.encode("utf-8")
    assert len(shown) <= limit
    # Shown once more, it is the same: an error keeps what it is given through safe_text, and
    # an error built from another's value must show that value unchanged.
    assert safe_text(shown, limit) == shown
    if len(text) <= limit:
        # each character that does not print is replaced by its escape; everything else
        # is as masking leaves it, cut again if the escapes made it longer than the limit
        escaped = "".join(_escaped(ch) for ch in mask_numbers(text))
        if len(escaped) <= limit:
            assert shown == escaped
        else:
            assert shown.endswith("...")
            assert shown == mask_numbers(escaped[: limit - 3] + "...")


_DIGITS = st.text(st.sampled_from("0123456789"), min_size=1, max_size=12)


@given(st.sampled_from(_UNSHOWN), _DIGITS, _DIGITS)
def test_no_escape_runs_on_into_the_digits_around_it(ch: str, before: str, after: str) -> None:
    # An escape is its code point between braces, so its hex digits never join a digit run:
    # no run in what is shown is longer than the longest run of digits in the text itself.
    shown = safe_text(f"x{before}{ch}{after}x")
    longest = max(len(before), len(after))
    for text in (shown, repr(shown)):
        assert max(map(len, re.findall(r"\d+", text)), default=0) <= max(longest, 6), text


@given(_HOSTILE_TEXT, _HOSTILE_TEXT, _HOSTILE_TEXT)
def test_no_error_value_or_message_carries_a_raw_control(
    field: str, message: str, value: str
) -> None:
    invalid = InvalidInput(message, field, message, value=value)
    errors: list[GridcareError] = [
        invalid,
        InvalidInput.collect(
            [FieldError(field, field, message, value), FieldError("x", "y", value)]
        ),
        IllegalTransition(value, message, machine=field, detail=value),
        OutOfScope(field, value),
        UnknownNode(value),
        PolicyError(field, message),
    ]
    for err in errors:
        assert not _raw_control(str(err)), str(err)
        assert not _raw_control(repr(err))
    for shown in (invalid.code, invalid.field, invalid.message, str(invalid.value)):
        assert not _raw_control(shown)
    for e in invalid.errors:
        assert not _raw_control(f"{e.code}{e.field}{e.message}{e.value}")


def test_controls_are_shown_as_their_escapes() -> None:
    assert safe_text("a\x1bb\x00c\x7f\x85") == "a\\u{1b}b\\u{0}c\\u{7f}\\u{85}"
    assert safe_text("\u202eabc\u2066\u2028") == "\\u{202e}abc\\u{2066}\\u{2028}"
    assert safe_text("x\ud800") == "x\\u{d800}"
    assert safe_text("\x1b13812345678") == "\\u{1b}138****5678"
    assert safe_text("\u200b\u3000\U00087010") == "\\u{200b}\\u{3000}\\u{87010}"
    assert safe_text("plain 中文 text") == "plain 中文 text"
    err = InvalidInput("bad", "name", "got \x1b[31mred", value="\x1b[2J\u202e")
    assert err.value == "\\u{1b}[2J\\u{202e}"
    assert str(err) == "name: got \\u{1b}[31mred [bad]"


@pytest.mark.parametrize(
    "between",
    ["\u200b", "\x00", "\u00a0", "\u3000", "\t", "\n", "\u00ad", "\ufeff", "\u202e", "  "],
)
def test_a_number_split_by_what_a_reader_does_not_see_is_masked(between: str) -> None:
    # Split by characters that draw nothing (or by spaces), a number still reads whole:
    # it is masked as one number, in the error as everywhere. What is hidden stays hidden:
    # the middle of a phone number, the birth date and sequence of an ID number.
    for number, hidden in (("13812345678", "1234"), ("430202193903070024", "19390307")):
        for at in (3, 6):
            split = number[:at] + between + number[at:]
            masked = mask_numbers(split)
            err = InvalidInput("bad", "phone", "m", value=split)
            for shown in (masked, str(err.value), repr(err.value)):
                assert hidden not in shown.replace(between, ""), shown
                assert hidden not in re.sub(r"\\u\{[0-9a-f]+\}|\\[a-z]", "", shown), shown
            assert masked.replace("*", "").replace(between, "") != number


@given(_HOSTILE_TEXT)
def test_every_error_keeps_only_the_safe_form_of_what_it_was_given(text: str) -> None:
    """Not only the message: the attributes a handler might log hold the masked, escaped and
    cut form too, and an error rebuilt from them (as pickling does) is the same."""
    shown = safe_text(text, 400)
    errors = [
        (UnknownNode(text), [("node_id", safe_text(text))]),
        (OutOfScope(text, text), [("principal", shown), ("node_id", shown)]),
        (PolicyError(text, text), [("where", shown), ("problem", shown)]),
        (
            IllegalTransition(text, text, machine=text, detail=text),
            [("state", shown), ("event", shown), ("machine", shown), ("detail", shown)],
        ),
    ]
    for err, kept in errors:
        for name, value in kept:
            assert getattr(err, name) == value, name
            assert "13812345678" not in getattr(err, name)
        again = pickle.loads(pickle.dumps(err))
        assert str(again) == str(err)
        assert [getattr(again, name) for name, _ in kept] == [v for _, v in kept]


@given(
    st.integers(80, 125),
    st.sampled_from(["13812345678", "430211199001010022", "138 1234 5678", "430211/19900101/0022"]),
)
@example(107, "13812345678")
@example(105, "430211199001010022")
def test_a_number_the_cut_splits_is_masked_as_a_whole(before: int, number: str) -> None:
    """A long text is cut to 120 characters: cut first and masked after, a number across the
    cut left 10 of a phone's 11 digits, too few to read as a phone, and showed them."""
    shown = safe_text("x" * before + number + " tail")
    digits = "".join(ch for ch in shown if ch.isdigit())
    middle = "".join(ch for ch in number if ch.isdigit())[3:-4]
    assert middle not in digits
    assert len(digits) <= 7 if len(middle) == 4 else len(digits) <= 10
