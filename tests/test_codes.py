"""CitizenId, AreaCode and PhoneNumber: parsing, error codes, containment, pydantic."""

from __future__ import annotations

import copy
import pickle
import re
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import jsonschema
import pydantic
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from gridcare.codes import (
    AREA_CODE_MAX_LENGTH,
    MAX_LOCAL_SEGMENTS,
    PHONE_MAX_LENGTH,
    PROVINCE_CODES,
    YUNLONG,
    ZHUZHOU,
    ZHUZHOU_COUNTIES,
    AreaCode,
    AreaLevel,
    CitizenId,
    Division,
    PhoneNumber,
    Sex,
    normalise_area_code,
    normalise_citizen_id,
    normalise_phone_number,
)
from gridcare.errors import FieldError, GridcareError, InvalidInput
from gridcare.masking import REVEAL
from gridcare.testing.strategies import (
    area_codes,
    citizen_id_strings,
    citizen_ids,
    phone_number_strings,
    phone_numbers,
)
from helpers import VALID_IDS

# --------------------------------------------------------------------------- oracles


def mod11_2(first17: str) -> str:
    """ISO 7064 MOD 11-2 written from the standard: weight of position i is 2^(17-i) mod 11."""
    total = sum(int(c) * pow(2, 17 - i, 11) for i, c in enumerate(first17))
    return "10X98765432"[total % 11]


def parse_error(parse: Any, text: object) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        parse(text)
    return info.value


# --------------------------------------------------------------------------- CitizenId


@pytest.mark.parametrize("number", VALID_IDS)
def test_domain_examples_are_valid(number: str) -> None:
    cid = CitizenId.parse(number)
    assert cid.number == number
    assert not cid.upgraded
    assert CitizenId.is_valid(number)


def test_known_fields_of_the_domain_examples() -> None:
    a = CitizenId.parse("11010519491231002X")
    assert (a.birth_date, a.sex, str(a.area_code)) == (date(1949, 12, 31), Sex.FEMALE, "110105")
    b = CitizenId.parse("360426199101010071")
    assert (b.birth_date, b.sex, str(b.area_code)) == (date(1991, 1, 1), Sex.MALE, "360426")


@given(
    st.sampled_from(sorted(PROVINCE_CODES)),
    st.integers(0, 9999),
    st.dates(min_value=date(1850, 1, 1), max_value=date(2099, 12, 31)),
    st.integers(0, 999),
)
def test_fields_are_read_back(province: str, rest: int, born: date, sequence: int) -> None:
    first17 = f"{province}{rest:04d}{born:%Y%m%d}{sequence:03d}"
    cid = CitizenId.parse(first17 + mod11_2(first17))
    assert CitizenId.check_character(first17) == mod11_2(first17)
    assert cid.birth_date == born
    assert cid.sex is (Sex.MALE if sequence % 2 else Sex.FEMALE)
    assert cid.area_code.gb_code == first17[:6]
    if first17[:6] != "430271":  # 云龙示范区 is written 430200-YL
        assert str(cid.area_code) == first17[:6]
    assert cid.area_code == AreaCode.parse(first17[:6])


_CHANGES = "0123456789XxYZ -١٢０"
FULL_WIDTH = str.maketrans("０１２３４５６７８９Ｘ", "0123456789X")


@given(citizen_ids(), st.integers(0, 17), st.sampled_from(_CHANGES))
def test_every_single_character_change_is_caught(cid: CitizenId, where: int, new: str) -> None:
    old = cid.number[where]
    # Writing X as x, or a character in full width, is the same number.
    assume(new.upper().translate(FULL_WIDTH) != old)
    changed = cid.number[:where] + new + cid.number[where + 1 :]
    assert not CitizenId.is_valid(changed)


@pytest.mark.parametrize("number", VALID_IDS)
def test_every_digit_substitution_is_caught_exhaustively(number: str) -> None:
    for where in range(18):
        for new in "0123456789X":
            if new != number[where]:
                changed = number[:where] + new + number[where + 1 :]
                assert not CitizenId.is_valid(changed), changed


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "bad_length"),
        ("1101051949123100", "bad_length"),
        ("11010519491231002X1", "bad_length"),
        ("11010519491231002Y", "bad_characters"),
        ("1101051949123100X2", "bad_characters"),
        ("11010519491231O02X", "bad_characters"),
        ("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", "bad_characters"),
        ("990105194912310023", "bad_area_code"),
        ("110105194913310021", "bad_birth_date"),
        ("110105184001010027", "bad_birth_date"),
        ("110105491331002", "bad_birth_date"),
        ("110105194912310021", "bad_checksum"),
        ("430211199001010024", "bad_checksum"),
    ],
)
def test_each_problem_has_its_code(text: str, code: str) -> None:
    err = parse_error(CitizenId.parse, text)
    assert (err.code, err.field) == (code, "citizen_id")
    assert not CitizenId.is_valid(text)


@pytest.mark.parametrize("value", [None, 11010519491231002, b"11010519491231002X", ["1"]])
def test_non_text_is_refused_with_not_string(value: object) -> None:
    assert parse_error(CitizenId.parse, value).code == "not_string"
    assert CitizenId.is_valid(value) is False


@given(st.one_of(st.text(), st.from_type(object), st.binary(), st.integers(), st.none()))
def test_is_valid_never_raises(value: object) -> None:
    assert CitizenId.is_valid(value) in (True, False)
    assert AreaCode.is_valid(value) in (True, False)
    assert PhoneNumber.is_valid(value) in (True, False)


@given(st.text(alphabet="0123456789Xx", min_size=14, max_size=19))
def test_near_misses_raise_only_invalid_input(text: str) -> None:
    if CitizenId.is_valid(text):
        cid = CitizenId.parse(text)
        assert cid.number[-1] == mod11_2(cid.number[:17])
    else:
        assert parse_error(CitizenId.parse, text).field == "citizen_id"


@given(citizen_id_strings())
def test_parsed_numbers_are_normalised(text: str) -> None:
    cid = CitizenId.parse(text)
    assert len(cid.number) == 18
    assert cid.number[-1] == mod11_2(cid.number[:17])
    assert cid.upgraded == (len(text) == 15)
    assert CitizenId.parse(cid.number).number == cid.number


def test_lower_case_x_is_normalised() -> None:
    lower = CitizenId.parse("11010519491231002x")
    assert lower == CitizenId.parse("11010519491231002X")
    assert lower.number.endswith("X")


def test_legacy_number_is_upgraded_and_flagged() -> None:
    cid = CitizenId.parse("430211900101002")
    first17 = "43021119900101002"
    assert cid.number == first17 + mod11_2(first17)
    assert cid.upgraded
    assert cid.birth_date == date(1990, 1, 1)
    assert cid.sex is Sex.FEMALE


@given(citizen_id_strings(lower_case_x=False).filter(lambda t: len(t) == 15))
def test_legacy_upgrade_keeps_every_digit(text: str) -> None:
    cid = CitizenId.parse(text)
    assert cid.number[:6] == text[:6]
    assert cid.number[6:8] == "19"
    assert cid.number[8:17] == text[6:]
    assert cid.birth_date.strftime("%y%m%d") == text[6:12]


@given(citizen_ids())
def test_id_repr_and_str_are_masked(cid: CitizenId) -> None:
    expected = cid.number[:6] + "********" + cid.number[-4:]
    assert cid.masked() == str(cid) == expected
    assert repr(cid) == f"CitizenId({expected!r})"
    assert cid.number not in repr(cid)


@given(citizen_ids(valid=False))
def test_id_errors_do_not_leak_the_masked_part(text: str) -> None:
    err = parse_error(CitizenId.parse, text)
    if len(text) >= 15:
        hidden = text[6:-4]
        shown = f"{err} {err.value} {err.message} {err!r}"
        assert hidden not in shown.replace(text[:6], "").replace(text[-4:], "")


# --------------------------------------------------------------------------- AreaCode

RANK = {level: i for i, level in enumerate(AreaLevel)}


@st.composite
def nested_codes(draw: st.DrawFn, depth: int = 3) -> list[AreaCode]:
    """A chain of codes each inside the previous one (and sometimes unrelated ones)."""
    chain = [draw(area_codes(local=True))]
    for _ in range(depth - 1):
        if draw(st.booleans()):
            chain.append(draw(area_codes(within=chain[-1], local=True)))
        else:
            chain.append(draw(area_codes(local=True)))
    return chain


@given(nested_codes())
def test_containment_is_a_partial_order(codes: list[AreaCode]) -> None:
    a, b, c = codes
    for x in codes:
        assert x.contains(x)
    for x, y in [(a, b), (b, c), (a, c)]:
        if x.contains(y) and y.contains(x):
            assert x == y
    if a.contains(b) and b.contains(c):
        assert a.contains(c)


@given(nested_codes(depth=2))
def test_containment_is_ancestry(codes: list[AreaCode]) -> None:
    a, b = codes
    assert a.contains(b) == (a == b or a in set(b.ancestors()))
    assert a.contains(b) == (a in b.prefixes())


@given(area_codes(local=True))
def test_parent_contains_child_one_level_up(code: AreaCode) -> None:
    parent = code.parent
    if parent is None:
        assert code.level is AreaLevel.PROVINCE
        return
    assert parent.contains(code)
    assert not code.contains(parent)
    assert next(iter(code.ancestors())) == parent
    if code.local:
        assert RANK[parent.level] <= RANK[code.level]
    else:
        assert RANK[parent.level] < RANK[code.level]


@given(area_codes(local=True))
def test_codes_round_trip_through_text(code: AreaCode) -> None:
    assert AreaCode.parse(str(code)) == code
    assert repr(code) == f"AreaCode({str(code)!r})"


@given(area_codes(local=True))
def test_county_holds_the_code(code: AreaCode) -> None:
    county = code.county
    if county is None:
        assert code.level in (AreaLevel.PROVINCE, AreaLevel.PREFECTURE)
    else:
        assert county.contains(code)


@pytest.mark.parametrize(
    ("text", "same_as", "level"),
    [
        ("430211000", "430211", AreaLevel.COUNTY),
        ("430211000000", "430211", AreaLevel.COUNTY),
        ("430211001000", "430211001", AreaLevel.TOWN),
        ("430200", "430200", AreaLevel.PREFECTURE),
        ("430000000000", "430000", AreaLevel.PROVINCE),
    ],
)
def test_trailing_zero_groups_are_not_significant(
    text: str, same_as: str, level: AreaLevel
) -> None:
    code = AreaCode.parse(text)
    assert code == AreaCode.parse(same_as)
    assert str(code) == same_as
    assert code.level is level


def test_a_zero_group_is_skipped_by_parent() -> None:
    town = AreaCode.parse("430200001")  # a town straight under the prefecture
    assert town.level is AreaLevel.TOWN
    assert str(town.parent) == "430200"
    village = AreaCode.parse("430211000001")
    assert str(village.parent) == "430211"


def test_local_codes() -> None:
    assert YUNLONG.level is AreaLevel.COUNTY
    assert YUNLONG.parent == ZHUZHOU
    assert ZHUZHOU.contains(YUNLONG)
    assert not YUNLONG.contains(AreaCode.parse("430202"))
    building = AreaCode.parse("430211001001").child("B12")
    assert str(building) == "430211001001-B12"
    assert building.level is AreaLevel.PLACE
    assert building.official == AreaCode.parse("430211001001")
    assert not building.is_official
    with pytest.raises(InvalidInput) as info:
        YUNLONG.child("bad segment")
    assert info.value.code == "bad_local_segment"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("4302", "bad_length"),
        ("4302110011", "bad_length"),
        ("43021a", "bad_characters"),
        ("４３０２００", "bad_characters"),
        ("990000", "unknown_province"),
        ("430200-", "bad_local_segment"),
        ("430200-YL\n", "bad_local_segment"),
        ("430200-Y L", "bad_local_segment"),
    ],
)
def test_area_code_problems_have_their_codes(text: str, code: str) -> None:
    err = parse_error(AreaCode.parse, text)
    assert (err.code, err.field) == (code, "area_code")


def test_zhuzhou_has_ten_county_level_units_with_their_real_codes() -> None:
    expected = {
        "430202": "荷塘区",
        "430203": "芦淞区",
        "430204": "石峰区",
        "430211": "天元区",
        "430212": "渌口区",
        "430223": "攸县",
        "430224": "茶陵县",
        "430225": "炎陵县",
        "430281": "醴陵市",
        "430200-YL": "云龙示范区",
    }
    assert len(ZHUZHOU_COUNTIES) == 10
    assert {str(code): zh for code, (zh, _) in ZHUZHOU_COUNTIES.items()} == expected
    for code, (_, en) in ZHUZHOU_COUNTIES.items():
        assert en
        assert code.level is AreaLevel.COUNTY
        assert code.county == code
        assert ZHUZHOU.contains(code)
        assert code.parent == ZHUZHOU


# --------------------------------------------------------------------------- PhoneNumber


@pytest.mark.parametrize(
    "text",
    [
        "13812345678",
        "+86 138-1234-5678",
        "0086 13812345678",
        "8613812345678",
        " 138 1234 5678 ",
        "+8613812345678",
        "1 3812345678",
        # What a person types (libphonenumber reads these too).
        "13812345678\n",
        "\t13812345678",
        "13812345678-",
        "+ 8613812345678",
        "+86 (0)138 1234 5678",
        "(+86)13812345678",
        "+ 86 138 1234 5678",
        "(138) 1234 5678",
        "138.1234.5678",
        "138\t1234\t5678",
        "013812345678",
        "0086 0138 1234 5678",
        "86 0138 1234 5678",
        "１３８１２３４５６７８",
        "＋８６ １３８－１２３４－５６７８",
        "（０１３８）１２３４．５６７８\u3000",
    ],
)
def test_lenient_forms(text: str) -> None:
    assert PhoneNumber.parse(text).number == "13812345678"


@given(phone_number_strings())
def test_lenient_forms_keep_the_last_eleven_digits(text: str) -> None:
    digits = "".join(c for c in text if c in "0123456789")
    assert PhoneNumber.parse(text).number == digits[-11:]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("1381234567", "bad_length"),
        ("138123456789", "bad_length"),
        ("", "bad_length"),
        ("12812345678", "bad_prefix"),
        ("23812345678", "bad_prefix"),
        ("+86 12812345678", "bad_prefix"),
        ("138a2345678", "bad_characters"),
        ("13812345678x", "bad_characters"),
        ("++8613812345678", "bad_characters"),
        ("+4413812345678", "bad_characters"),
        ("138+12345678", "bad_characters"),
        ("١٣٨١٢٣٤٥٦٧٨", "bad_characters"),
        ("0013812345678", "bad_length"),
        ("86138123456789", "bad_length"),
        ("+86 0 0138 1234 5678", "bad_length"),
        ("012812345678", "bad_prefix"),
        ("1" * 65, "too_long"),
        (" " * 60 + "13812345678", "too_long"),
    ],
)
def test_phone_problems_have_their_codes(text: str, code: str) -> None:
    err = parse_error(PhoneNumber.parse, text)
    assert (err.code, err.field) == (code, "phone")


def test_phone_not_text() -> None:
    assert parse_error(PhoneNumber.parse, 13812345678).code == "not_string"


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("13812345678", False),
        ("15412345678", True),
        ("14512345678", False),
        ("14712345678", False),
        # data-only ranges: no calls or texts
        ("14612345678", True),
        ("14812345678", True),
        ("14912345678", True),
        # 174: only 17400-17405 is allocated
        ("17400123456", False),
        ("17405999999", False),
        ("17406000000", True),
        ("17490000000", True),
    ],
)
def test_unallocated_prefix_flag(text: str, flag: bool) -> None:
    assert PhoneNumber.parse(text).unallocated_prefix is flag


@given(phone_numbers(allocated=None))
def test_phone_repr_is_masked(phone: PhoneNumber) -> None:
    expected = phone.number[:3] + "****" + phone.number[-4:]
    assert str(phone) == phone.masked() == expected
    assert repr(phone) == f"PhoneNumber({expected!r})"


# --------------------------------------------------------------------------- pydantic


class Form(pydantic.BaseModel):
    citizen_id: CitizenId
    area: AreaCode
    phone: PhoneNumber


GOOD = {"citizen_id": "11010519491231002x", "area": "430211001", "phone": "+86 138-1234-5678"}


def test_model_validates_and_masks_by_default() -> None:
    form = Form.model_validate(GOOD)
    assert form.citizen_id.number == "11010519491231002X"
    assert form.model_dump() == {
        "citizen_id": "110105********002X",
        "area": "430211001",
        "phone": "138****5678",
    }
    assert "19491231" not in form.model_dump_json()
    assert "19491231" not in repr(form)


def test_model_dump_reveals_with_context() -> None:
    form = Form.model_validate(GOOD)
    assert form.model_dump(context=REVEAL) == {
        "citizen_id": "11010519491231002X",
        "area": "430211001",
        "phone": "13812345678",
    }
    assert Form.model_validate_json(form.model_dump_json(context=REVEAL)) == form


def test_model_accepts_instances() -> None:
    form = Form.model_validate(GOOD)
    again = Form(citizen_id=form.citizen_id, area=form.area, phone=form.phone)
    assert again == form


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("citizen_id", "110105194912310021", "bad_checksum"),
        ("citizen_id", "1101", "bad_length"),
        ("citizen_id", 42, "not_string"),
        ("area", "990000", "unknown_province"),
        ("phone", "12812345678", "bad_prefix"),
    ],
)
def test_model_errors_carry_our_codes(field: str, value: object, code: str) -> None:
    with pytest.raises(pydantic.ValidationError) as info:
        Form.model_validate({**GOOD, field: value})
    (error,) = info.value.errors()
    assert error["type"] == code
    assert error["loc"] == (field,)


def test_model_reports_every_bad_field() -> None:
    bad = {"citizen_id": "1101", "area": "4302", "phone": "1"}
    with pytest.raises(pydantic.ValidationError) as info:
        Form.model_validate(bad)
    assert {e["loc"][0]: e["type"] for e in info.value.errors()} == {
        "citizen_id": "bad_length",
        "area": "bad_length",
        "phone": "bad_length",
    }


def test_json_schema_has_pattern_and_bilingual_description() -> None:
    schema = Form.model_json_schema()
    for name in ("citizen_id", "area", "phone"):
        prop = schema["properties"][name]
        assert prop["type"] == "string"
        re.compile(prop["pattern"])
        assert re.search(r"[\u4e00-\u9fff]", prop["description"])
        assert re.search(r"[A-Za-z]{4}", prop["description"])


_VALIDATOR = jsonschema.Draft202012Validator(Form.model_json_schema())


@given(
    citizen_id_strings(),
    area_codes(local=True).map(str),
    phone_number_strings(allocated=None),
)
def test_schema_accepts_everything_the_parsers_accept(cid: str, area: str, phone: str) -> None:
    instance = {"citizen_id": cid, "area": area, "phone": phone}
    assert Form.model_validate(instance)
    assert _VALIDATOR.is_valid(instance), list(_VALIDATOR.iter_errors(instance))


@given(st.text(alphabet="0123456789Xx-+ ABY\n", max_size=20))
def test_schema_patterns_accept_every_parsed_text(text: str) -> None:
    # Anything a parser accepts must match its (stricter-looking) JSON Schema pattern.
    for cls in (CitizenId, AreaCode, PhoneNumber):
        if cls.is_valid(text):
            assert re.fullmatch(cls.JSON_PATTERN.strip("^$"), text), (cls, text)


# --------------------------------------------------------------------------- every way in validates

SCALARS: list[tuple[type[Any], Callable[[object], object], str]] = [
    (CitizenId, normalise_citizen_id, "citizen_id"),
    (AreaCode, normalise_area_code, "area_code"),
    (PhoneNumber, normalise_phone_number, "phone"),
]


@pytest.mark.parametrize(
    ("cls", "text", "code", "field"),
    [
        (CitizenId, "garbage", "bad_length", "citizen_id"),
        (CitizenId, "110105194912310021", "bad_checksum", "citizen_id"),
        (CitizenId, None, "not_string", "citizen_id"),
        (AreaCode, "zz", "bad_characters", "area_code"),
        (AreaCode, "430200-", "bad_local_segment", "area_code"),
        (AreaCode, 430211, "not_string", "area_code"),
        (PhoneNumber, "x", "bad_characters", "phone"),
        (PhoneNumber, "12812345678", "bad_prefix", "phone"),
        (PhoneNumber, None, "not_string", "phone"),
    ],
)
def test_constructors_validate(cls: type[Any], text: object, code: str, field: str) -> None:
    for make in (cls, cls.parse):
        err = parse_error(make, text)
        assert (err.code, err.field) == (code, field)


@given(citizen_id_strings())
def test_citizen_id_constructor_is_parse(text: str) -> None:
    made = CitizenId(text)
    assert made == CitizenId.parse(text)
    assert (made.number, made.upgraded) == normalise_citizen_id(text)


@given(area_codes(local=True).map(str), st.sampled_from(["", "000", "000000"]))
def test_area_code_constructor_is_parse(text: str, zeros: str) -> None:
    if "-" not in text and len(text) + len(zeros) in (9, 12):
        text += zeros  # trailing zero groups are not significant
    made = AreaCode(text)
    assert made == AreaCode.parse(text)
    assert (made.key, made.local) == normalise_area_code(text)


@given(phone_number_strings(allocated=None))
def test_phone_constructor_is_parse(text: str) -> None:
    made = PhoneNumber(text)
    assert made == PhoneNumber.parse(text)
    assert made.number == normalise_phone_number(text)


# Inputs an attacker (or a careless import) may pass: any text, text rich in digits,
# real ID and phone numbers wrapped in junk, numbers, None and other objects.
_DIGITS_AND_JUNK = st.text(st.sampled_from("0123456789Xx -+\n\t٠١２汉Y"), max_size=40)
_WRAPPED = st.tuples(
    st.one_of(st.text(max_size=4), st.sampled_from(["430200-", "430200-YL-", "+86 "])),
    st.one_of(citizen_id_strings(), phone_number_strings(allocated=None)),
    st.text(max_size=4),
).map("".join)
hostile = st.one_of(
    st.text(),
    _DIGITS_AND_JUNK,
    _WRAPPED,
    st.integers(),
    st.none(),
    st.floats(),
    st.binary(),
    st.lists(st.integers(), max_size=3),
)


def phone_or_id_numbers(text: str) -> list[str]:
    """Unmasked runs of digits (any script, final X included) as long as a phone number (11)
    or an ID number (13 characters and more)."""
    runs = re.findall(r"\d+[Xx]?", text)
    return [r for r in runs if len(r.rstrip("Xx")) >= 11 and not (len(r) == 12 and r.isdigit())]


def assert_masked(err: InvalidInput) -> None:
    shown = " ".join([str(err), repr(err), repr(err.value), *(repr(e) for e in err.errors)])
    assert phone_or_id_numbers(shown) == [], shown


@pytest.mark.parametrize(("cls", "normalise", "field"), SCALARS)
@given(value=hostile)
def test_hostile_input_raises_only_invalid_input_masked(
    cls: type[Any], normalise: Callable[[object], object], field: str, value: object
) -> None:
    problem = normalise(value)
    assert cls.is_valid(value) is not isinstance(problem, FieldError)
    for make in (cls, cls.parse):
        if isinstance(problem, FieldError):
            # Anything but InvalidInput (a GridcareError) escapes pytest.raises and fails.
            with pytest.raises(InvalidInput) as info:
                make(value)
            err = info.value
            assert isinstance(err, GridcareError)
            assert (err.code, err.field, err.value) == (problem.code, field, problem.value)
            assert_masked(err)
        else:
            assert isinstance(make(value), cls)


@pytest.mark.parametrize(("cls", "normalise", "field"), SCALARS)
@given(value=hostile)
def test_pydantic_uses_the_same_rule(
    cls: type[Any], normalise: Callable[[object], object], field: str, value: object
) -> None:
    adapter = pydantic.TypeAdapter(cls)
    outcome = normalise(value)
    if isinstance(outcome, FieldError):
        with pytest.raises(pydantic.ValidationError) as info:
            adapter.validate_python(value)
        (error,) = info.value.errors()
        assert error["type"] == outcome.code
        assert error["ctx"] == {"masked": outcome.value}
    else:
        assert adapter.validate_python(value) == cls(value)


@given(area_codes(local=True))
def test_navigation_builds_what_the_constructor_builds(code: AreaCode) -> None:
    # parent, official, county and province skip the check: they must agree with it.
    derived = [code.official, code.province, *code.ancestors()]
    if code.county is not None:
        derived.append(code.county)
    for other in derived:
        assert AreaCode(str(other)) == other
        assert (other.key, other.local) == normalise_area_code(str(other))


def test_a_bad_child_segment_is_masked() -> None:
    for segment in ("13812345678 ", "", "a/b", 42):
        with pytest.raises(InvalidInput) as info:
            YUNLONG.child(segment)  # type: ignore[arg-type]
        assert (info.value.code, info.value.field) == ("bad_local_segment", "area_code")
        assert_masked(info.value)


@given(citizen_ids())
def test_trusted_citizen_id_equals_the_checked_one(cid: CitizenId) -> None:
    assert CitizenId.trusted(cid.number, cid.upgraded) == cid
    assert CitizenId.trusted(cid.number) == CitizenId(cid.number)


@given(phone_numbers(allocated=None))
def test_trusted_phone_equals_the_checked_one(phone: PhoneNumber) -> None:
    assert PhoneNumber.trusted(phone.number) == PhoneNumber(phone.number) == phone


@given(st.text(st.sampled_from("0123456789"), min_size=17, max_size=17))
def test_check_character_fast_path_agrees_with_the_standard(first17: str) -> None:
    # Fast path: one base-13 read; plain path: the weights of the standard.
    assert CitizenId.check_character(first17) == mod11_2(first17)


@pytest.mark.parametrize("bad", ["", "1101051949123100", "1101051949123100a", "１" * 17, 17])
def test_check_character_refuses_anything_but_17_digits(bad: object) -> None:
    with pytest.raises(InvalidInput) as info:
        CitizenId.check_character(bad)  # type: ignore[arg-type]
    assert info.value.code in ("bad_length", "bad_characters")


@given(st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99))
def test_birth_date_fast_path_agrees_with_the_calendar(year: int, month: int, day: int) -> None:
    # Fast path: the days-in-month table; plain path: datetime.date.
    first17 = f"430211{year:04d}{month:02d}{day:02d}001"
    number = first17 + mod11_2(first17)
    try:
        born: date | None = date(year, month, day)
    except ValueError:
        born = None
    expected = born is not None and born.year >= 1850
    assert CitizenId.is_valid(number) is expected
    if not expected:
        assert parse_error(CitizenId, number).code == "bad_birth_date"


@given(st.text(st.sampled_from("0123456789"), min_size=11, max_size=11))
def test_phone_fast_path_agrees_with_the_lenient_pattern(text: str) -> None:
    # Fast path: 11 bare digits; plain path: the lenient pattern (the JSON Schema's).
    matches = re.fullmatch(PhoneNumber.JSON_PATTERN.strip("^$"), text) is not None
    assert PhoneNumber.is_valid(text) is matches
    if matches:
        assert PhoneNumber(text).number == text


@given(citizen_ids(), area_codes(local=True), phone_numbers(allocated=None))
def test_values_copy_and_pickle_without_a_second_check(
    cid: CitizenId, code: AreaCode, phone: PhoneNumber
) -> None:
    for value in (cid, code, phone, CitizenId("430211900101002")):
        assert pickle.loads(pickle.dumps(value)) == value
        assert copy.deepcopy(value) == value
        assert hash(copy.copy(value)) == hash(value)


# --------------------------------------------------------------------------- GB/T 2260 list


@pytest.mark.parametrize(
    ("number", "area", "name"),
    [
        ("810000199001010019", "810000", "香港特别行政区"),
        ("820000199001010010", "820000", "澳门特别行政区"),
        ("830000199001010012", "830000", "台湾居民居住证"),
    ],
)
def test_residence_permit_area_codes_are_accepted_and_known(
    number: str, area: str, name: str
) -> None:
    cid = CitizenId.parse(number, strict=True)
    assert cid.area_known
    assert str(cid.area_code) == area
    assert cid.area_code.name == name
    assert CitizenId.is_valid(number, strict=True)


@pytest.mark.parametrize(
    ("number", "known"),
    [
        ("425667199001010014", False),  # province 42 exists, 425667 never did
        ("110199199001010010", False),
        ("430221199001010010", True),  # 株洲县, retired in 2018: still known
        ("430212199001010014", True),  # 渌口区, since 2018
        ("11010519491231002X", True),
    ],
)
def test_unknown_area_is_flagged_by_default_and_refused_on_request(
    number: str, known: bool
) -> None:
    cid = CitizenId.parse(number)
    assert cid.area_known is known
    assert cid.area_code.is_known is known
    assert CitizenId.is_valid(number, strict=True) is known
    if not known:
        err = parse_error(lambda text: CitizenId.parse(text, strict=True), number)
        assert (err.code, err.field) == ("unknown_area", "citizen_id")
        assert number[6:14] not in str(err)
        assert normalise_citizen_id(number, strict=True) == FieldError(
            "unknown_area", "citizen_id", err.message, err.value
        )
    else:
        assert CitizenId.parse(number, strict=True) == cid


@given(citizen_id_strings())
def test_strict_is_lenient_plus_a_known_area(text: str) -> None:
    cid = CitizenId.parse(text)
    assert CitizenId.is_valid(text, strict=True) is cid.area_known
    assert cid.area_known is cid.area_code.is_known
    if cid.area_known:
        assert CitizenId.parse(text, strict=True) == cid


def test_names_and_years_come_from_the_shipped_list() -> None:
    county = AreaCode.parse("430221")
    assert (county.name, county.is_known) == ("株洲县", True)
    assert county.division == Division("430221", "株洲县", 1980, 2018)
    assert AreaCode.parse("430212").division == Division("430212", "渌口区", 2018, None)
    assert AreaCode.parse("430000").name == "湖南省"
    assert AreaCode.parse("430200").name == "株洲市"
    assert AreaCode.parse("425667").is_known is False
    assert AreaCode.parse("425667").name is None
    # towns, villages and places have no GB/T 2260 entry; their county decides is_known
    assert AreaCode.parse("430211001001").name is None
    assert AreaCode.parse("430211001001").is_known
    assert not AreaCode.parse("425667001").is_known
    assert AreaCode.parse("430211-B1").name is None
    assert AreaCode.parse("430211-B1").gb_code == "430211"
    assert all(code.is_known for code in ZHUZHOU_COUNTIES)
    assert {code.name for code in ZHUZHOU_COUNTIES} == {
        chinese for chinese, _ in ZHUZHOU_COUNTIES.values()
    }


def test_area_code_strict() -> None:
    assert AreaCode.parse("430221", strict=True) == AreaCode.parse("430221")
    assert AreaCode.parse("430271001", strict=True) == YUNLONG.child("001")
    assert AreaCode.is_valid("425667")
    assert not AreaCode.is_valid("425667", strict=True)
    err = parse_error(lambda text: AreaCode.parse(text, strict=True), "425667001")
    assert (err.code, err.field) == ("unknown_area", "area_code")


def test_the_list_is_read_on_first_use_only() -> None:
    # In a fresh interpreter: parsing reads no file; the first name look-up reads the list once.
    script = """
import sys
opened = []
sys.addaudithook(lambda event, args: event == "open" and opened.append(str(args[0])))
from gridcare.codes import AreaCode, CitizenId, PhoneNumber
CitizenId.parse(" 430221199001010010 "); AreaCode.parse("430271001")
PhoneNumber("+86 138 1234 5678")
before = [p for p in opened if p.endswith("gb2260.csv")]
names = AreaCode.parse("430221").name, AreaCode.parse("430211").name
after = [p for p in opened if p.endswith("gb2260.csv")]
print(len(before), len(after), *names)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["0", "1", "株洲县", "天元区"]


# --------------------------------------------------------------------------- Yunlong: one unit


@pytest.mark.parametrize(
    ("statistical", "local"),
    [
        ("430271", "430200-YL"),
        ("430271000", "430200-YL"),
        ("430271000000", "430200-YL"),
        ("430271001", "430200-YL-001"),
        ("430271001000", "430200-YL-001"),
        ("430271001002", "430200-YL-001-002"),
        ("430271-B1", "430200-YL-B1"),
        ("430271001-B1", "430200-YL-001-B1"),
    ],
)
def test_yunlong_statistical_codes_are_its_local_codes(statistical: str, local: str) -> None:
    code = AreaCode.parse(statistical)
    assert code == AreaCode.parse(local)
    assert str(code) == local
    assert hash(code) == hash(AreaCode.parse(local))
    assert YUNLONG.contains(code)
    assert ZHUZHOU.contains(code)
    assert YUNLONG in code.prefixes()
    assert code.county == YUNLONG
    assert code.gb_code == "430271"
    assert normalise_area_code(statistical) == normalise_area_code(local)


def test_yunlong_is_one_unit_both_ways() -> None:
    gb = AreaCode.parse("430271")
    assert gb == YUNLONG
    assert gb.contains(YUNLONG)
    assert YUNLONG.contains(gb)
    assert gb.level is AreaLevel.COUNTY
    assert gb.parent == ZHUZHOU
    assert gb.name == YUNLONG.name == "云龙示范区"
    assert YUNLONG.is_known
    assert YUNLONG.division == Division("430271", "云龙示范区", 2018, 2018)
    assert AreaCode.parse("430271001").level is AreaLevel.TOWN
    assert AreaCode.parse("430271001001").level is AreaLevel.VILLAGE
    assert AreaCode.parse("430271001001").parent == AreaCode.parse("430271001")
    # its neighbours stay themselves
    assert not gb.contains(AreaCode.parse("430202"))
    assert not gb.contains(ZHUZHOU)
    first17 = "43027119900101001"
    cid = CitizenId.parse(first17 + CitizenId.check_character(first17), strict=True)
    assert cid.area_code == YUNLONG
    assert cid.area_known


@given(st.integers(0, 999), st.integers(0, 999), st.sampled_from(["", "-B1", "-S2-3"]))
def test_yunlong_codes_agree_however_written(town: int, village: int, tail: str) -> None:
    for digits in (f"430271{town:03d}", f"430271{town:03d}{village:03d}"):
        key = digits
        while len(key) > 6 and key.endswith("000"):  # trailing zero groups
            key = key[:-3]
        groups = [key[i : i + 3] for i in range(6, len(key), 3)]
        code = AreaCode.parse(digits + tail)
        assert code == AreaCode.parse("-".join(["430200-YL", *groups]) + tail)
        assert YUNLONG.contains(code)
        assert not code.is_official
        assert AreaCode.parse(str(code)) == code
        assert code.gb_code == "430271"
        assert code.is_known


# --------------------------------------------------------------------------- lenient reading

_FULL = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")


@st.composite
def typed_ids(draw: st.DrawFn) -> tuple[str, str]:
    """(a valid number as typed: blanks around, some characters full width; the number)."""
    text = draw(citizen_id_strings())
    typed = "".join(c.translate(_FULL) if draw(st.booleans()) else c for c in text)
    blanks = st.text(st.sampled_from(" \t\n\r\u3000\u00a0\u2003"), max_size=3)
    return draw(blanks) + typed + draw(blanks), text


@given(typed_ids())
def test_parse_is_lenient_about_blanks_around_and_full_width(typed: tuple[str, str]) -> None:
    text, plain = typed
    assert CitizenId.parse(text) == CitizenId.parse(plain)
    assert normalise_citizen_id(text) == normalise_citizen_id(plain)
    assert CitizenId.is_canonical(text) is (text == CitizenId.parse(plain).number)
    assert re.fullmatch(CitizenId.JSON_PATTERN.strip("^$"), text)


@given(citizen_ids())
def test_canonical_form_is_the_number(cid: CitizenId) -> None:
    assert CitizenId.is_canonical(cid.number)
    assert not CitizenId.is_canonical(cid.number + " ")
    assert not CitizenId.is_canonical(cid.number.translate(_FULL))
    assert not CitizenId.is_canonical(cid.number.lower()) or "X" not in cid.number


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("110105 19491231002X", "bad_length"),  # blanks inside are not dropped
        ("110105-19491231-002X", "bad_length"),
        ("11010519491231002X\x00", "bad_length"),
        ("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", "bad_characters"),  # only full-width digits are read
        (" 110105194912310021 ", "bad_checksum"),
    ],
)
def test_lenient_reading_has_limits(text: str, code: str) -> None:
    assert parse_error(CitizenId.parse, text).code == code
    assert not CitizenId.is_canonical(text)


# --------------------------------------------------------------------------- phones as typed

_COUNTRY = ["", "+86", "+86 ", "+ 86 ", "(+86)", "(+86) ", "0086", "0086-", "86", "86 ", "＋８６"]
_TRUNK = ["", "0", "(0)", " (0) "]
_SEPARATORS = ["", " ", "-", ".", "\t", " - ", "．", "－", "\u3000"]


@st.composite
def typed_phones(draw: st.DrawFn) -> tuple[str, str]:
    """(a mobile number as a person types it; its 11 digits)."""
    number = draw(phone_numbers(allocated=None)).number
    head, middle, tail = number[:3], number[3:7], number[7:]
    if draw(st.booleans()):
        head = f"({head})"
    sep = draw(st.sampled_from(_SEPARATORS))
    country = draw(st.sampled_from(_COUNTRY))
    trunk = draw(st.sampled_from(_TRUNK)) if country else draw(st.sampled_from(["", "0"]))
    body = country + trunk + head + sep + middle + sep + tail
    body = "".join(c.translate(_FULL) if draw(st.booleans()) else c for c in body)
    around = st.sampled_from(["", " ", "\n", "-", "\t", " \r\n"])
    return draw(around) + body + draw(around), number


@given(typed_phones())
def test_phones_are_read_as_typed(typed: tuple[str, str]) -> None:
    text, number = typed
    assert PhoneNumber.parse(text).number == number
    assert re.fullmatch(PhoneNumber.JSON_PATTERN.strip("^$"), text)


@given(st.text(alphabet="0123456789０１８６+＋ -.()（）\t\nx", max_size=24))
def test_phone_parser_and_pattern_read_the_same_language(text: str) -> None:
    # Plain path (the one-pass parser) and the JSON Schema pattern agree on every text.
    matches = re.fullmatch(PhoneNumber.JSON_PATTERN.strip("^$"), text) is not None
    assert PhoneNumber.is_valid(text) is matches


#: Texts of the JSON Schema pattern, each of its 14 runs of separators at most 6 long. Drawn
#: from the unbounded pattern, the runs average 5 each and most texts exceed PHONE_MAX_LENGTH
#: and were thrown away; longer runs are the explicit examples of the test.
_PATTERN_TEXTS = st.from_regex(PhoneNumber.JSON_PATTERN.replace("]*", "]{0,6}"), fullmatch=True)


@settings(suppress_health_check=[HealthCheck.filter_too_much])  # the pattern has no length cap
@example(" " * 53 + "13812345678")
@example("\u3000" * 20 + "(+86)" + "-" * 12 + "138．" + "\t" * 10 + "1234 5678\n")
@given(_PATTERN_TEXTS)
def test_every_text_of_the_pattern_parses(text: str) -> None:
    assert re.fullmatch(PhoneNumber.JSON_PATTERN.strip("^$"), text)
    assume(len(text) <= PHONE_MAX_LENGTH)
    digits = PhoneNumber.parse(text).number
    assert len(digits) == 11
    assert digits.isascii()


@pytest.mark.parametrize(
    "text",
    [
        " " * 50 + "1" * 14,
        "+86" + " -" * 30 + "x",
        "1" + "-" * 62 + "x",
        "(" * 64,
    ],
)
def test_phone_reading_takes_linear_time(text: str) -> None:
    assert len(text) <= PHONE_MAX_LENGTH
    started = time.perf_counter()
    for _ in range(1000):
        normalise_phone_number(text)
    assert time.perf_counter() - started < 1.0
    # The JSON Schema pattern too, even far beyond the parser's cap.
    long = text * 500
    started = time.perf_counter()
    re.fullmatch(PhoneNumber.JSON_PATTERN.strip("^$"), long)
    assert time.perf_counter() - started < 1.0
    assert parse_error(PhoneNumber.parse, long).code == "too_long"


# --------------------------------------------------------------------------- limits on free text


@pytest.mark.parametrize("n", [8_000, 16_000, 32_000, 1_000_000])
def test_a_huge_phone_is_refused_by_its_length_alone(n: int) -> None:
    # The length is checked before any character is read: refused with the length code.
    for text in (" " * n + "x", "1" * n, "+86" + "-" * n):
        problem = normalise_phone_number(text)
        assert isinstance(problem, FieldError)
        assert problem.code == "too_long"
        assert parse_error(PhoneNumber.parse, text).code == "too_long"
    assert normalise_phone_number(" " * (PHONE_MAX_LENGTH - 11) + "13812345678") == "13812345678"


def test_local_segments_are_capped_in_number_and_length() -> None:
    eight = "430211" + "-a" * MAX_LOCAL_SEGMENTS
    assert len(AreaCode.parse(eight).local) == MAX_LOCAL_SEGMENTS
    assert parse_error(AreaCode.parse, eight + "-a").code == "too_many_segments"
    for n in (100, 1_000, 100_000):
        assert parse_error(AreaCode.parse, "430211" + "-a" * n).code == "too_long"
    longest = "430211001001-" + "-".join(["x" * 40, "y" * 40, "z" * 33])
    assert len(longest) == AREA_CODE_MAX_LENGTH
    assert str(AreaCode.parse(longest)) == longest
    assert parse_error(AreaCode.parse, longest + "z").code == "too_long"
    # written with an alias's GB/T 2260 code, the local code is longer: the cap holds for it too
    alias = "430271001001" + "-a" * 7
    assert parse_error(AreaCode.parse, alias).code == "too_many_segments"
    assert normalise_area_code("430271001" + "-a" * 6) == ("4302", ("YL", "001", *"aaaaaa"))


def test_child_keeps_to_the_caps() -> None:
    code = AreaCode.parse("430211" + "-a" * (MAX_LOCAL_SEGMENTS - 1)).child("b")
    with pytest.raises(InvalidInput) as info:
        code.child("c")
    assert info.value.code == "too_many_segments"
    with pytest.raises(InvalidInput) as info:
        AreaCode.parse("430211001001-" + "x" * 40 + "-" + "y" * 40).child("z" * 40)
    assert info.value.code == "too_long"


@given(area_codes(local=True))
def test_prefixes_are_the_ancestors_and_str_parses_again(code: AreaCode) -> None:
    prefixes = code.prefixes()
    assert prefixes == (*reversed(tuple(code.ancestors())), code)
    assert len(prefixes) <= 5 + MAX_LOCAL_SEGMENTS
    assert AreaCode.parse(str(code)) == code
    assert len(str(code)) <= AREA_CODE_MAX_LENGTH


def test_prefixes_of_the_deepest_code_are_one_per_level() -> None:
    deepest = AreaCode.parse("430211001001" + "-a" * MAX_LOCAL_SEGMENTS)
    prefixes = deepest.prefixes()
    assert [len(p.local) for p in prefixes] == [0] * 5 + list(range(1, MAX_LOCAL_SEGMENTS + 1))
    assert all(p.contains(deepest) for p in prefixes)


def test_the_schemas_state_the_caps() -> None:
    schema = Form.model_json_schema()
    assert schema["properties"]["area"]["maxLength"] == AREA_CODE_MAX_LENGTH
    assert schema["properties"]["phone"]["maxLength"] == PHONE_MAX_LENGTH
    pattern = re.compile(AreaCode.JSON_PATTERN)
    assert pattern.match("430211" + "-a" * MAX_LOCAL_SEGMENTS)
    assert not pattern.match("430211" + "-a" * (MAX_LOCAL_SEGMENTS + 1))
