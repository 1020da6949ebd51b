"""Hostile input to the declaration form, its events and its records: the limits on free text.

Every text a person or a caller types passes the rules of ``gridcare.text`` with the
limit of its kind; a batch never loses a row, whatever the row; no error echoes a
refused text or an unmasked number.
"""

from __future__ import annotations

import copy
import json
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridcare.codes import CitizenId
from gridcare.declarations import (
    FORM_CODES,
    MAX_ADVANCE_DAYS_LIMIT,
    MAX_CORRECTION_FIELDS,
    NOT_IN_SCHEMA,
    AddressIndex,
    Assigned,
    CorrectionRequested,
    Declaration,
    DeclarationForm,
    DeclaredAddress,
    DeclaredLeg,
    DeclaredNat,
    MarkedUnrouted,
    NatOutcome,
    Rejected,
    ReviewStarted,
    Submitted,
    TravelMode,
    UnroutedReason,
    VerificationMethod,
    Verified,
    declaration_json_schema,
    event_from_dict,
    event_to_dict,
    example_form,
    parse_form,
    parse_forms,
)
from gridcare.errors import FieldError, InvalidInput
from gridcare.hierarchy import Hierarchy, Node, NodeKind
from gridcare.testing import CORRUPTIONS, FORM_RECEIVED_AT, form_payloads
from gridcare.text import TEXT_CODES, TEXT_LIMITS, check_text, kind_problem, text_problem
from gridcare.timeutil import DEFAULT_ZONE, zone
from gridcare.visits.findings import ArrivalFound

T = datetime(2022, 3, 20, 10, tzinfo=DEFAULT_ZONE)
EVENT = {"id": "e1", "at": T, "declaration_id": "D1"}
# An 11-digit run (a phone number) or an 18-character ID number, unmasked.
UNMASKED = re.compile(r"(?<![0-9*])([0-9]{17}[0-9Xx]|1[3-9][0-9]{9})(?![0-9])")


def _form(path: str, value: object) -> dict[str, Any]:
    """The example form with the field at dotted ``path`` set to ``value``."""
    form = example_form()
    target: Any = form
    parts = path.split(".")
    for part in parts[:-1]:
        target = target[int(part)] if part.isdigit() else target[part]
    last = parts[-1]
    target[int(last) if last.isdigit() else last] = value
    return form


def _row_codes(form: object) -> tuple[tuple[str, ...], int]:
    """The codes of ``form`` rejected in a batch beside a valid form, and how many were accepted."""
    batch = parse_forms([example_form(), form], received_at=T)
    assert batch.submitted == 2 == len(batch.accepted) + len(batch.rejected)
    assert isinstance(batch.results[0], Declaration)
    codes = batch.rejected[0].codes if batch.rejected else ()
    return codes, len(batch.accepted)


def _citizen_id(born: str) -> str:
    first17 = f"110105{born}002"
    return first17 + CitizenId.check_character(first17)


# --------------------------------------------------------------------------- the text rules


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("x" * 51, "too_long"),
        ("刘\ud800", "lone_surrogate"),
        ("\udc00", "lone_surrogate"),
        ("刘\x00娟", "control_character"),
        ("\x1b[31mred\x1b[0m", "control_character"),
        ("\x7f", "control_character"),
        ("a\x85b", "control_character"),  # C1: next line
        ("a\u2028b", "control_character"),  # line separator
        ("a\nb", "control_character"),  # single-line text
        ("a\u202eb", "bidi_control"),
        ("\u2066刘\u2069", "bidi_control"),
        ("", "missing"),
        ("   ", "missing"),
        ("\u3000", "missing"),
        ("\u200b", "invisible"),
        ("\u200b\u200c\u200d", "invisible"),
        (" \ufeff ", "invisible"),
        ("\u3164", "invisible"),  # Hangul filler: a letter that draws nothing
        ("\u2800\u2800", "invisible"),  # blank braille pattern
        ("\u0301", "invisible"),  # a combining accent with nothing to sit on
        ("\u200e", "invisible"),  # a left-to-right mark alone
        # several problems: the first rule in TEXT_CODES order is reported
        ("\x00\ud800", "lone_surrogate"),
        ("\u202e\x00", "control_character"),
    ],
)
def test_each_rule_has_its_code(text: str, code: str) -> None:
    problem = text_problem(text, "name", max_length=TEXT_LIMITS["name"])
    assert problem is not None
    assert problem.code == code
    assert problem.field == "name"
    with pytest.raises(InvalidInput) as info:
        check_text(text, "name", max_length=TEXT_LIMITS["name"])
    assert info.value.code == code


@pytest.mark.parametrize(
    "text",
    [
        "刘晓娟",
        "Li Na",
        "x" * 50,
        "欧阳 晓娟",
        "\u200b刘",  # something visible besides
        "e\u0301",  # decomposed: kept as given
        "\uf900",  # a CJK compatibility ideograph: kept as given
        "\ue000",  # private use (rare characters of names)
        "刘\u200d娟",
        "\u3000刘\u3000",
    ],
)
def test_acceptable_text_is_returned_as_given(text: str) -> None:
    assert check_text(text, "name", max_length=TEXT_LIMITS["name"]) is text
    assert unicodedata.normalize("NFC", text) == text or text in ("e\u0301", "\uf900")


def test_blanks_may_be_allowed_and_line_breaks_in_notes() -> None:
    assert text_problem("", "room", max_length=20, allow_empty=True) is None
    assert text_problem("  ", "room", max_length=20, allow_empty=True) is None
    assert text_problem("\u200b", "room", max_length=20, allow_empty=True).code == "invisible"  # type: ignore[union-attr]
    assert text_problem(None, "room", max_length=20).code == "missing"  # type: ignore[union-attr]
    assert text_problem(3, "room", max_length=20).code == "not_string"  # type: ignore[union-attr]
    note = "第一行\r\n\t第二行"
    assert text_problem(note, "reason", max_length=1000, multiline=True) is None
    assert text_problem(note, "reason", max_length=1000).code == "control_character"  # type: ignore[union-attr]
    assert text_problem("a\x00", "reason", max_length=9, multiline=True).code == (  # type: ignore[union-attr]
        "control_character"
    )


def test_the_limit_is_a_whole_number() -> None:
    for limit in (None, -1, 2.5, True, 10**9):
        with pytest.raises(InvalidInput):
            text_problem("x", "f", max_length=limit)  # type: ignore[arg-type]


def test_the_limits_table() -> None:
    assert dict(TEXT_LIMITS) == {
        "name": 50,
        "short": 20,
        "id": 64,
        "code": 128,
        "place": 200,
        "note": 1000,
    }


@given(st.one_of(st.text(), st.none(), st.integers(), st.binary()), st.integers(0, 60))
def test_text_problem_never_raises_and_names_a_known_code(value: object, limit: int) -> None:
    problem = text_problem(value, "f", max_length=limit)
    if problem is None:
        assert isinstance(value, str)
        assert 0 < len(value) <= limit
        assert value.isprintable() or any(
            unicodedata.category(c) in ("Zs", "Cf", "Co", "Cn") for c in value
        )
    else:
        assert problem.code in TEXT_CODES


_CONTROLS = st.sampled_from(["\x00", "\x1b", "\x07", "\x7f", "\x9b", "\u2028"])
_BIDI = st.sampled_from(["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2069"])
_LETTERS = st.text(st.sampled_from("刘晓娟abcXYZ012 -"), min_size=1, max_size=30)


@given(
    _LETTERS,
    _LETTERS,
    st.one_of(
        _CONTROLS.map(lambda c: (c, "control_character")), _BIDI.map(lambda c: (c, "bidi_control"))
    ),
)
def test_one_bad_character_anywhere_is_found_and_never_echoed(
    head: str, tail: str, bad: tuple[str, str]
) -> None:
    character, code = bad
    text = head + character + tail
    problem = text_problem(text, "place", max_length=200)
    assert problem is not None
    assert problem.code == code
    assert f"U+{ord(character):04X} at position {len(head)}" in problem.message
    assert problem.value is None  # the refused text is never kept
    assert character not in str(problem)


@given(st.text(min_size=1, max_size=40))
def test_an_accepted_text_shows_something(text: str) -> None:
    if text_problem(text, "f", max_length=40) is None:
        assert any(
            not c.isspace()
            and unicodedata.category(c) not in ("Cf", "Mn", "Me")
            and c not in "\u115f\u1160\u3164\uffa0\u2800"
            for c in text
        )


# --------------------------------------------------------------------------- the form


@pytest.mark.parametrize("path", ["origin.area", "stays.0.place"])
def test_a_lone_surrogate_in_a_division_code_rejects_only_its_row(path: str) -> None:
    codes, accepted = _row_codes(_form(path, "4201\udc06"))
    assert accepted == 1
    assert codes == ("bad_characters",)
    codes, _ = _row_codes(_form(path, "420106-\ud800"))
    assert codes == ("bad_local_segment",)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("\u200b", "invisible"),
        ("\x00", "control_character"),
        ("刘\x00娟", "control_character"),
        ("\x1b[31m刘晓娟\x1b[0m", "control_character"),
        ("刘\u202e娟", "bidi_control"),
        ("刘\ud800", "lone_surrogate"),
        ("刘" * 51, "too_long"),
        ("   ", "bad_format"),  # blank: the field's own pattern
    ],
)
def test_hostile_names_are_rejected_with_codes(name: str, code: str) -> None:
    assert _row_codes(_form("identity.name", name)) == ((code,), 1)


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("legs.0.departure_place", "place"),
        ("legs.0.arrival_place", "place"),
        ("legs.0.seat", "short"),
        ("origin.detail", "place"),
        ("stays.0.detail", "place"),
        ("health.nat_results.0.institution", "place"),
        ("address.community", "place"),
        ("address.building", "short"),
        ("address.room", "short"),
        ("address.household_id", "id"),
        ("address.door_code", "code"),
        ("address.text", "place"),
    ],
)
def test_every_text_field_has_the_limit_and_rules_of_its_kind(path: str, kind: str) -> None:
    limit = TEXT_LIMITS[kind]
    parse_form(_form(path, "区" * limit), declaration_id="D1", received_at=T)
    assert _row_codes(_form(path, "区" * (limit + 1))) == (("too_long",), 1)
    assert _row_codes(_form(path, "区\x1b区")) == (("control_character",), 1)
    assert _row_codes(_form(path, "\u200b")) == ((kind_problem("\u200b", "f", kind).code,), 1)  # type: ignore[union-attr]
    zero_width_inside = _row_codes(_form(path, "区\u200b1"))
    assert zero_width_inside == ((("not_printable",), 1) if kind == "id" else ((), 2))


def test_an_id_in_a_form_keeps_an_ids_rules() -> None:
    for path in ("address.unit_id", "address.building_id", "proxy_worker_id"):
        assert _row_codes(_form(path, "U\u200b1")) == (("not_printable",), 1)
        assert _row_codes(_form(path, "U\u30001")) == (("not_printable",), 1)


def test_every_text_rule_a_form_meets_has_its_messages_and_withholds_the_text() -> None:
    assert set(TEXT_CODES) <= FORM_CODES.keys()
    for text in ("U\u200b1", "U\x001", "U\u202e1", "\u3164"):
        batch = parse_forms([_form("address.household_id", text)], received_at=T)
        (error,) = batch.rejected[0].errors
        zh, _ = FORM_CODES[error.code]
        assert error.message.startswith(f"{zh} / ")
        assert "U" not in str(error.value)  # not even the part before the bad character


def test_division_codes_in_the_form_are_capped() -> None:
    for path in ("origin.area", "stays.0.place"):
        assert _row_codes(_form(path, "420106" + "-a" * 1000)) == (("too_long",), 1)
        assert _row_codes(_form(path, "420106" + "-a" * 9)) == (("too_many_segments",), 1)
        parse_form(_form(path, "420106" + "-a" * 8), declaration_id="D1", received_at=T)


@pytest.mark.parametrize("n", [8_000, 16_000, 32_000, 1_000_000])
def test_a_huge_phone_is_refused_by_its_length_before_it_is_read(n: int) -> None:
    # The length is checked before any character is read: the cost does not grow with n.
    assert _row_codes(_form("phone", " " * n + "x")) == (("too_long",), 1)
    assert _row_codes(_form("phone", "1" * n)) == (("too_long",), 1)


@pytest.mark.parametrize(
    "text",
    ["2022-03-19T16:30:00" + " " * 10**6, "2022-03-19T16:30:00." + "1" * 10**6, "2022-" + "x" * 99],
)
def test_a_huge_instant_is_refused(text: str) -> None:
    assert _row_codes(_form("legs.0.departed_at", text)) == (("bad_datetime",), 1)


def test_a_citizen_born_after_receipt_is_refused() -> None:
    assert _row_codes(_form("identity.id_number", _citizen_id("20990101"))) == (
        ("born_in_future",),
        1,
    )
    # born on the local day of receipt: age 0, accepted; the day after: refused
    parse_form(
        _form("identity.id_number", _citizen_id("20220320")), declaration_id="D", received_at=T
    )
    assert _row_codes(_form("identity.id_number", _citizen_id("20220321"))) == (
        ("born_in_future",),
        1,
    )
    # the local day in the policy zone: 2022-03-19 20:00 UTC is 2022-03-20 in Shanghai
    utc_evening = datetime(2022, 3, 19, 20, tzinfo=UTC)
    form = _form("identity.id_number", _citizen_id("20220320"))
    parse_form(form, declaration_id="D", received_at=utc_evening)
    with pytest.raises(InvalidInput, match="born_in_future"):
        parse_form(form, declaration_id="D", received_at=utc_evening, zone=zone("Europe/London"))


def test_a_leg_in_year_one_is_out_of_range() -> None:
    assert _row_codes(_form("legs.0.departed_at", "0001-03-19T16:30:00")) == (
        ("out_of_range",),
        1,
    )


def test_the_receipt_limits_are_bounded() -> None:
    with pytest.raises(InvalidInput) as info:
        parse_form(example_form(), declaration_id="D", received_at=T, max_advance_days=10**9)
    assert info.value.code == "out_of_range"
    with pytest.raises(InvalidInput) as info:
        parse_forms([example_form()], received_at=T, max_advance_days=2**63)
    assert info.value.code == "out_of_range"
    parse_form(
        example_form(), declaration_id="D", received_at=T, max_advance_days=MAX_ADVANCE_DAYS_LIMIT
    )
    # validating the model directly with a bad context is a validation error, not an overflow
    with pytest.raises(ValueError, match="out_of_range"):
        DeclarationForm.model_validate(
            example_form(), context={"received_at": T, "max_advance_days": 10**9}
        )


def test_ids_of_a_batch_have_the_rules_of_ids() -> None:
    with pytest.raises(InvalidInput) as info:
        parse_forms([example_form()], received_at=T, declaration_ids=["D\x00"])
    assert info.value.code == "control_character"
    with pytest.raises(InvalidInput) as info:
        parse_forms([example_form()], received_at=T, declaration_ids=["D" * 65])
    assert info.value.code == "too_long"
    with pytest.raises(InvalidInput) as info:
        parse_forms([example_form()], received_at=T, id_prefix="P" * 64)
    assert (info.value.code, info.value.field) == ("too_long", "id_prefix")
    with pytest.raises(InvalidInput) as info:
        parse_forms([example_form()], received_at=T, id_prefix=None)  # type: ignore[arg-type]
    assert info.value.code == "not_string"
    with pytest.raises(InvalidInput) as info:
        parse_form(example_form(), declaration_id="\u200b", received_at=T)
    assert info.value.code == "not_printable"  # an id holds printable characters only


def test_texts_are_kept_as_given_not_normalised() -> None:
    form = _form(
        "identity", {"name": "Zoe\u0301 Li", "id_kind": "passport", "id_number": "E123456"}
    )
    form["legs"][0]["departure_place"] = "\uf900林"
    d = parse_form(form, declaration_id="D1", received_at=T)
    assert d.name == "Zoe\u0301 Li"
    assert d.legs[0].departure_place == "\uf900林"


def test_the_schema_states_every_text_limit() -> None:
    def strings(node: object, path: str) -> list[tuple[str, dict[str, Any]]]:
        found = []
        if isinstance(node, dict):
            if node.get("type") == "string" and "enum" not in node and "const" not in node:
                found.append((path, node))
            for key, value in node.items():
                found += strings(value, f"{path}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                found += strings(value, f"{path}/{i}")
        return found

    texts = [(p, n) for p, n in strings(declaration_json_schema(), "") if "allOf" not in p]
    assert len(texts) >= 25
    for path, node in texts:
        assert isinstance(node.get("maxLength"), int), path
        assert node["maxLength"] <= max(TEXT_LIMITS.values()), path
    assert {"control_character", "bidi_control", "invisible", "born_in_future"} <= NOT_IN_SCHEMA


# --------------------------------------------------------------------------- batches

_GARBAGE = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.text(),
        st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), max_size=3),
        st.sampled_from(["\x00", "\x1b[31m", "\u200b", "13812345678", "11010519491231002X"]),
        st.builds(lambda n: "1" * n, st.sampled_from([11, 18, 70_000])),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
_FIELDS = st.sampled_from(
    [
        "identity.name",
        "identity.id_number",
        "phone",
        "origin.area",
        "stays.0.place",
        "legs.0.departure_place",
        "legs.0.number",
        "address.room",
        "address.door_code",
        "health.nat_results.0.institution",
        "proxy_worker_id",
    ]
)


def _deep(depth: int) -> object:
    value: object = {}
    for _ in range(depth):
        value = {"identity": value}
    return value


@st.composite
def _rows(draw: st.DrawFn) -> object:
    kind = draw(st.integers(0, 4))
    if kind == 0:
        return example_form()
    if kind == 1:
        return _form(draw(_FIELDS), draw(_GARBAGE))
    if kind == 2:
        return json.dumps(_form(draw(_FIELDS), draw(_GARBAGE)), default=str).encode(
            "utf-8", "surrogatepass"
        )
    if kind == 3:
        return draw(st.sampled_from([_deep(2_000), "[" * 10_000, b"\xff\xfe", "x" * 100_000]))
    return draw(_GARBAGE)


@given(st.lists(_rows(), max_size=6))
def test_every_row_of_a_batch_is_accepted_or_rejected(rows: list[object]) -> None:
    batch = parse_forms(rows, received_at=T)  # type: ignore[arg-type]
    assert batch.submitted == len(rows) == len(batch.accepted) + len(batch.rejected)
    for i, result in enumerate(batch.results):
        if isinstance(result, Declaration):
            assert result.id == f"D{i}"
        else:
            assert result.row == i
            assert result.codes
    shown = repr(batch)
    assert UNMASKED.search(shown) is None, UNMASKED.search(shown)
    shown.encode("utf-8")  # no lone surrogate escapes into the rendering
    assert "\x1b" not in shown
    assert "\x00" not in shown


def test_hostile_rows_leave_no_number_and_no_escape_in_the_rendering() -> None:
    rows: list[object] = [
        _form("identity.name", "\x1b[31m13812345678\x1b[0m"),
        _form("identity.id_number", "11010519491231002X\u200b"),
        _form("legs.0.departure_place", "\x0013812345678"),
        _form("address.room", "\u202e11010519491231002X"),
        _form("phone", "1381234567\x00"),
        {"tel": "13812345678", "idno": "11010519491231002X"},
        example_form(),
    ]
    batch = parse_forms(rows, received_at=T)  # type: ignore[arg-type]
    assert len(batch.accepted) == 1
    assert len(batch.rejected) == 6
    shown = repr(batch) + str([str(e) for r in batch.rejected for e in r.errors])
    assert UNMASKED.search(shown) is None
    assert "\x1b" not in shown
    assert "\x00" not in shown
    assert "\u202e" not in shown


def test_a_batch_must_be_a_collection() -> None:
    with pytest.raises(InvalidInput) as info:
        parse_forms(None, received_at=T)  # type: ignore[arg-type]
    assert info.value.code == "wrong_type"


@pytest.mark.parametrize("code", sorted(CORRUPTIONS))
def test_every_corruption_applies_to_every_generated_payload(code: str) -> None:
    payloads = form_payloads(40, seed=11)
    corrupted = []
    for payload in payloads:
        form = copy.deepcopy(payload)
        CORRUPTIONS[code](form, FORM_RECEIVED_AT, 3)
        corrupted.append(form)
    batch = parse_forms(corrupted, received_at=FORM_RECEIVED_AT)
    assert not batch.accepted
    assert {r.codes for r in batch.rejected} == {(code,)}


# --------------------------------------------------------------------------- the records


def test_every_declaration_a_form_makes_passes_its_own_checks() -> None:
    """``from_form`` builds without checking again: the checking constructors agree."""
    batch = parse_forms(form_payloads(300, seed=5), received_at=FORM_RECEIVED_AT)
    assert len(batch.accepted) == 300
    for d in batch.accepted:
        assert attrs.evolve(d) == d
        assert attrs.evolve(d.address) == d.address
        for leg in d.legs:
            assert attrs.evolve(leg) == leg
        for nat in d.nat_results:
            assert attrs.evolve(nat) == nat


def test_leg_numbers_are_upper_cased_in_ascii_only() -> None:
    form = _form("legs.0.mode", "car")
    form["legs"][0]["number"] = "湘b12345ß"
    d = parse_form(form, declaration_id="D1", received_at=T)
    assert d.legs[0].number == "湘B12345ß"  # "ß".upper() would be "SS": longer than given


def test_records_built_by_hand_obey_the_text_rules() -> None:
    t = T
    with pytest.raises(InvalidInput) as info:
        DeclaredLeg(TravelMode.CAR, None, "武\x00汉", t - timedelta(hours=1), "株洲", t)
    assert (info.value.code, info.value.field) == ("control_character", "leg.departure_place")
    with pytest.raises(InvalidInput) as info:
        DeclaredAddress(room="3" * 21)
    assert (info.value.code, info.value.field) == ("too_long", "address.room")
    with pytest.raises(InvalidInput) as info:
        DeclaredNat(t, NatOutcome.NEGATIVE, "\u200b")
    assert info.value.code == "invisible"
    d = parse_form(example_form(), declaration_id="D1", received_at=T)
    for field, value, code in [
        ("name", "\u200b", "invisible"),
        ("id", "D" * 65, "too_long"),
        ("document_number", None, "missing"),
        ("proxy_worker_id", "W\u202e1", "bidi_control"),
    ]:
        with pytest.raises(InvalidInput) as info:
            attrs.evolve(d, **{field: value})
        assert (info.value.code, info.value.field) == (code, field)


def test_an_arrival_found_holds_masked_values_only() -> None:
    a = ArrivalFound(
        "p:1",
        "H1",
        T,
        masked_name="刘晓娟",
        masked_id="11010519491231002X",
        masked_phone="13812345678",
    )
    assert (a.masked_name, a.masked_id, a.masked_phone) == (
        "刘*娟",
        "110105********002X",
        "138****5678",
    )
    assert UNMASKED.search(repr(a)) is None
    kept = ArrivalFound("p:1", "H1", T, masked_name="刘*娟", masked_id="110105********002X")
    assert (kept.masked_name, kept.masked_id) == ("刘*娟", "110105********002X")
    for changes, code in [
        ({"masked_name": "\x1b[31m"}, "control_character"),
        ({"masked_phone": None}, "not_string"),
        ({"person_key": "k" * 129}, "too_long"),
        ({"household": ""}, "missing"),
        ({"from_area": "13812345678"}, "bad_length"),
    ]:
        with pytest.raises(InvalidInput) as info:
            ArrivalFound(**{"person_key": "p:1", "household": "H1", "found_at": T, **changes})
        assert info.value.code == code


@given(st.text(max_size=30))
def test_masking_an_arrival_twice_changes_nothing(text: str) -> None:
    try:
        a = ArrivalFound(
            "p:1", "H1", T, masked_name=text, masked_id=text[:20], masked_phone=text[:20]
        )
    except InvalidInput:
        return
    again = ArrivalFound(
        "p:1",
        "H1",
        T,
        masked_name=a.masked_name,
        masked_id=a.masked_id,
        masked_phone=a.masked_phone,
    )
    assert again == a


# --------------------------------------------------------------------------- events


@pytest.mark.parametrize(
    ("build", "code", "field"),
    [
        (lambda: Verified(**EVENT, method="telepathy"), "bad_choice", "method"),
        (lambda: Verified(**EVENT, method=None), "bad_choice", "method"),
        (lambda: MarkedUnrouted(**EVENT, reason=42), "bad_choice", "reason"),
        (lambda: CorrectionRequested(**EVENT, fields=None), "missing", "fields"),
        (lambda: CorrectionRequested(**EVENT, fields="phone"), "bad_list", "fields"),
        (lambda: CorrectionRequested(**EVENT, fields=b"phone"), "bad_list", "fields"),
        (lambda: CorrectionRequested(**EVENT, fields=["phone", 3]), "not_string", "fields.1"),
        (
            lambda: CorrectionRequested(**EVENT, fields=["phone"] * (MAX_CORRECTION_FIELDS + 1)),
            "too_long",
            "fields",
        ),
        (lambda: Assigned(**EVENT, grid_id="G\x00"), "control_character", "grid_id"),
        (lambda: Assigned(**EVENT, grid_id="G" * 65), "too_long", "grid_id"),
        (lambda: Assigned(**{**EVENT, "id": "\u200b"}, grid_id="G"), "not_printable", "id"),
        (lambda: Assigned(**{**EVENT, "id": "\u3164"}, grid_id="G"), "invisible", "id"),
        (
            lambda: Assigned(**{**EVENT, "declaration_id": 7}, grid_id="G"),
            "not_string",
            "declaration_id",
        ),
        (lambda: Rejected(**EVENT, reason="r" * 1001), "too_long", "reason"),
        (lambda: Rejected(**EVENT, reason="\u202e假"), "bidi_control", "reason"),
        (lambda: ReviewStarted(**EVENT, worker_id="W\x1b"), "control_character", "worker_id"),
        (lambda: Submitted(**EVENT, late="yes"), "bad_bool", "late"),
    ],
)
def test_events_refuse_hostile_fields(build: Any, code: str, field: str) -> None:
    with pytest.raises(InvalidInput) as info:
        build()
    assert (info.value.code, info.value.field) == (code, field)


def test_events_take_choices_by_value_and_notes_with_line_breaks() -> None:
    assert Verified(**EVENT, method="phone").method is VerificationMethod.PHONE
    assert MarkedUnrouted(**EVENT, reason="free_text_only").reason is UnroutedReason.FREE_TEXT_ONLY
    assert CorrectionRequested(**EVENT, fields=("phone", "legs.0.number")).fields == (
        "phone",
        "legs.0.number",
    )
    reason = "证件号码与姓名不符；\n请重新填写"
    event = Rejected(**EVENT, reason=reason)
    assert event_from_dict(json.loads(json.dumps(event_to_dict(event)))) == event


def test_a_stored_event_has_few_keys_and_checked_texts() -> None:
    row = event_to_dict(Assigned(**EVENT, grid_id="G1"))
    with pytest.raises(InvalidInput) as info:
        event_from_dict({**row, **{f"k{i}": i for i in range(100_000)}})
    assert info.value.code == "too_long"
    assert len(info.value.errors) == 1
    with pytest.raises(InvalidInput) as info:
        event_from_dict({**row, "grid_id": "G\x00"})
    assert info.value.code == "control_character"
    with pytest.raises(InvalidInput) as info:
        event_from_dict({"kind": "request_correction", **row, "grid_id": None, "fields": "ab"})
    assert info.value.code in ("unknown_field", "bad_list")


# --------------------------------------------------------------------------- routing


def _index() -> AddressIndex:
    h = Hierarchy(
        [
            Node("C", NodeKind.CITY, "株洲市"),
            Node("M", NodeKind.COMMUNITY, "大塘社区", "C"),
            Node("G1", NodeKind.GRID, "第1网格", "M"),
            Node("B3", NodeKind.BUILDING, "3栋", "G1"),
        ]
    )
    return AddressIndex.from_hierarchy(h)


def test_routing_refuses_what_is_not_an_address() -> None:
    index = _index()
    for bad in ("3栋", None, {"building": "3"}, 42):
        with pytest.raises(InvalidInput) as info:
            index.route(bad)  # type: ignore[arg-type]
        assert info.value.code == "not_address"
    with pytest.raises(InvalidInput) as info:
        index.route_all(["D1"])  # type: ignore[list-item]
    assert (info.value.code, info.value.field) == ("not_declaration", "declarations.0")
    with pytest.raises(InvalidInput) as info:
        index.route_all(None)  # type: ignore[arg-type]
    assert info.value.code == "not_declaration"
    assert index.route(DeclaredAddress(community="大塘社区", building="3号楼")).grid_id == "G1"


def test_door_codes_given_to_the_index_are_checked() -> None:
    h = Hierarchy([Node("C", NodeKind.CITY, "c"), Node("G", NodeKind.GRID, "g", "C")])
    for codes, code in [
        ({3: "G"}, "not_string"),
        ({"QR\x00": "G"}, "control_character"),
        ({"Q" * 129: "G"}, "too_long"),
        (["QR"], "not_mapping"),
    ]:
        with pytest.raises(InvalidInput) as info:
            AddressIndex.from_hierarchy(h, qr_codes=codes)  # type: ignore[arg-type]
        assert info.value.code == code


def test_field_errors_of_text_rules_keep_no_value() -> None:
    problem = text_problem("刘\x1b晓娟13812345678", "name", max_length=50)
    assert isinstance(problem, FieldError)
    assert problem.value is None
    assert "13812345678" not in str(problem)


def test_batch_arguments_of_the_wrong_kind_are_refused() -> None:
    rows = [example_form()]
    for kwargs, code in [
        ({"received_at": None}, "not_datetime"),
        ({"received_at": "2022-03-20"}, "not_datetime"),
        ({"received_at": T, "declaration_ids": True}, "not_list"),
        ({"received_at": T, "declaration_ids": "D1"}, "not_list"),
        ({"received_at": T, "progress": 1}, "not_callable"),
    ]:
        with pytest.raises(InvalidInput) as info:
            parse_forms(rows, **kwargs)  # type: ignore[arg-type]
        assert info.value.code == code
    with pytest.raises(InvalidInput) as info:
        _index().route_all([], progress="x")  # type: ignore[arg-type]
    assert info.value.code == "not_callable"
    d = parse_form(example_form(), declaration_id="D1", received_at=T)
    for field, value in [("document_kind", "passport"), ("phone", "13812345678")]:
        with pytest.raises(InvalidInput) as info:
            attrs.evolve(d, **{field: value})
        assert info.value.field == field
