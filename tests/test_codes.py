"""CitizenId, AreaCode and PhoneNumber: parsing, error codes, containment, pydantic."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import jsonschema
import pydantic
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from gridcare.codes import (
    PROVINCE_CODES,
    YUNLONG,
    ZHUZHOU,
    ZHUZHOU_COUNTIES,
    AreaCode,
    AreaLevel,
    CitizenId,
    PhoneNumber,
    Sex,
)
from gridcare.errors import InvalidInput
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
    assert str(cid.area_code) == first17[:6]
    assert cid.area_code == AreaCode.parse(first17[:6])


_CHANGES = "0123456789XxYZ -١٢０"


@given(citizen_ids(), st.integers(0, 17), st.sampled_from(_CHANGES))
def test_every_single_character_change_is_caught(cid: CitizenId, where: int, new: str) -> None:
    old = cid.number[where]
    assume(new.upper() != old)  # writing X as x is the same number
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
        ("13812345678\n", "bad_characters"),
        ("\t13812345678", "bad_characters"),
        ("13812345678-", "bad_characters"),
        ("+ 8613812345678", "bad_characters"),
    ],
)
def test_phone_problems_have_their_codes(text: str, code: str) -> None:
    err = parse_error(PhoneNumber.parse, text)
    assert (err.code, err.field) == (code, "phone")


def test_phone_not_text() -> None:
    assert parse_error(PhoneNumber.parse, 13812345678).code == "not_string"


@pytest.mark.parametrize(("text", "flag"), [("13812345678", False), ("15412345678", True)])
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
