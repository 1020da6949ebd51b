"""Constrained scalars: citizen ID numbers, division codes and mobile numbers.

Each type is a frozen value whose constructor validates and normalises its
text: ``CitizenId(text)`` is ``CitizenId.parse(text)``, and both raise
:class:`~gridcare.errors.InvalidInput` with a stable code and a masked value.
Each rule lives in one pure function that returns the normalised form or the
problem without raising (:func:`normalise_citizen_id`,
:func:`normalise_area_code`, :func:`normalise_phone_number`); the constructor,
``parse``, ``is_valid`` and the pydantic field type all use it. The types plug
into pydantic as field types (validation, masked serialization, JSON Schema
with a pattern and a Chinese and English description).

>>> CitizenId.parse("11010519491231002x").masked()
'110105********002X'
>>> CitizenId("garbage")
Traceback (most recent call last):
...
gridcare.errors.InvalidInput: citizen_id: expected 18 characters (or 15 legacy), got 7 [bad_length]
>>> AreaCode.parse("430211").contains(AreaCode.parse("430211001"))
True
>>> str(PhoneNumber.parse("+86 138-1234-5678"))
'138****5678'

The division codes of every GB/T 2260 revision ship with the package
(``gridcare/data/gb2260.csv``: code, name, first and last year in force). The
file is read once, on the first question that needs it (:attr:`AreaCode.name`,
:attr:`AreaCode.is_known`, :attr:`CitizenId.area_known`, ``strict=True``);
parsing never reads it.

>>> AreaCode.parse("430221").name, AreaCode.parse("430221").division.until
('株洲县', 2018)
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from importlib import resources
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar

import attrs
from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from gridcare.errors import (
    Choice,
    FieldError,
    InvalidInput,
    require_flag,
    require_instance,
    require_int,
)
from gridcare.masking import (
    PROVINCE_CODES,
    mask_id_number,
    mask_numbers,
    mask_phone,
    masked_field_reprs,
    reveal_requested,
)
from gridcare.text import check_text_of

__all__ = [
    "AREA_CODE_MAX_LENGTH",
    "MAX_LOCAL_SEGMENTS",
    "PHONE_MAX_LENGTH",
    "PROVINCE_CODES",
    "YUNLONG",
    "ZHUZHOU",
    "ZHUZHOU_COUNTIES",
    "AreaCode",
    "AreaLevel",
    "CitizenId",
    "Division",
    "PhoneNumber",
    "Sex",
    "normalise_area_code",
    "normalise_citizen_id",
    "normalise_phone_number",
]


class Sex(Choice):
    """Sex as recorded in a citizen ID number (odd sequence: male).

    >>> CitizenId.parse("11010519491231002X").sex is Sex.FEMALE
    True
    """

    MALE = "male"
    FEMALE = "female"


class AreaLevel(Choice):
    """The level of a division code; ``PLACE`` is a local place below a village.

    >>> AreaCode.parse("430211001").level is AreaLevel.TOWN
    True
    """

    PROVINCE = "province"
    PREFECTURE = "prefecture"
    COUNTY = "county"
    TOWN = "town"
    VILLAGE = "village"
    PLACE = "place"


_LEVEL_ORDER = tuple(AreaLevel)
_LEVEL_RANK = {level: i for i, level in enumerate(_LEVEL_ORDER)}
_KEY_LEVEL = {
    2: AreaLevel.PROVINCE,
    4: AreaLevel.PREFECTURE,
    6: AreaLevel.COUNTY,
    9: AreaLevel.TOWN,
    12: AreaLevel.VILLAGE,
}


# Every character ``str.isspace`` holds (what ``str.strip()`` drops and ``\s`` matches).
_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
    "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


# --------------------------------------------------------------------------- GB/T 2260 list


@attrs.frozen(field_transformer=masked_field_reprs)
class Division:
    """A division code as the GB/T 2260 lists give it: name, first and last year in force.

    ``since`` 1980 means "in the first edition already"; ``until`` is ``None``
    while the code is in force. Returned by :attr:`AreaCode.division`. The
    constructor checks its values: six ASCII digits (``bad_code``), a name
    that keeps the text rules of a person's or a place's name, at most 50
    characters (:func:`gridcare.text.check_text_of`, kind ``name``: its codes,
    never quoting the text), years from 1980 to 2100 with ``until`` not before
    ``since`` (``not_integer``, ``out_of_range``).

    >>> d = AreaCode.parse("430212").division
    >>> d.code, d.name, d.since, d.until
    ('430212', '渌口区', 2018, None)
    >>> Division("430212", "渌口区", 2018, 2017)
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: until: must be at least 2018 [out_of_range]
    """

    code: str
    name: str
    since: int
    until: int | None

    def __attrs_post_init__(self) -> None:
        code = self.code
        if not (isinstance(code, str) and len(code) == 6 and code.isascii() and code.isdigit()):
            raise InvalidInput("bad_code", "code", "expected six digits", value=code)
        check_text_of(self.name, "name", "name")
        since = require_int(self.since, "since", low=_FIRST_EDITION, high=_LAST_YEAR)
        if self.until is not None:
            require_int(self.until, "until", low=since, high=_LAST_YEAR)


#: The years a GB/T 2260 code may be in force: from the first edition to the supported end.
_FIRST_EDITION = 1980
_LAST_YEAR = 2100


@functools.cache
def _divisions() -> Mapping[str, Division]:
    """The shipped list, read once on first use (the package's own data, not the caller's)."""
    text = resources.files("gridcare").joinpath("data/gb2260.csv").read_text(encoding="utf-8")
    table: dict[str, Division] = {}
    for code, name, since, until in csv.reader(text.splitlines()[1:]):
        table[code] = Division(code, name, int(since), int(until) if until else None)
    return table


_T = TypeVar("_T")
_N = TypeVar("_N")


def _core_schema(
    cls: type[_T],
    normalise: Callable[[object], _N | FieldError],
    build: Callable[[_N], _T],
    reveal: Callable[[_T], str],
    masked: Callable[[_T], str],
) -> core_schema.CoreSchema:
    """The pydantic core schema shared by the scalar types of this module.

    Validation runs the type's rule (``normalise``) and turns its problem into a
    pydantic error whose type is our stable code, or builds the value from the
    normalised form (``build``); serialization is masked unless the context
    asks to reveal.
    """

    def validate(value: object) -> _T:
        if isinstance(value, cls):
            return value
        normalised = normalise(value)
        if isinstance(normalised, FieldError):
            raise PydanticCustomError(
                normalised.code,
                normalised.message.replace("{", "{{").replace("}", "}}"),
                {"masked": normalised.value},
            )
        return build(normalised)

    def serialize(value: _T, info: core_schema.SerializationInfo) -> str:
        return reveal(value) if reveal_requested(info.context) else masked(value)

    return core_schema.no_info_plain_validator_function(
        validate,
        serialization=core_schema.plain_serializer_function_ser_schema(
            serialize, info_arg=True, when_used="always"
        ),
    )


# --------------------------------------------------------------------------- CitizenId

_ID_CHECK = "10X98765432"
# What parse accepts: 18 or 15 digits (ASCII or full-width), blanks around.
_ID_PATTERN = r"^\s*([0-9０-９]{17}[0-9０-９XxＸｘ]|[0-9０-９]{15})\s*$"
_DAYS_IN_MONTH = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_FULL_WIDTH_ID = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")


def _is_ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _id_check_character(first17: str) -> str:
    """The GB 11643 / ISO 7064 MOD 11-2 check character of 17 ASCII digits.

    The standard weighs digit ``i`` by ``2**(17 - i) mod 11``, so the weighted
    sum is ``2 * sum(d[i] * 2**(16 - i))`` modulo 11. Read in base 13 (13 is 2
    modulo 11), ``int(first17, 13)`` is that inner sum modulo 11: one C call in
    place of seventeen multiplications. Only for digits already checked.
    """
    return _ID_CHECK[2 * int(first17, 13) % 11]


def _is_real_date(year: int, month: int, day: int) -> bool:
    if not 1 <= month <= 12 or day < 1:
        return False
    leap = month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return day <= _DAYS_IN_MONTH[month] + leap


def _id_problem(code: str, message: str, text: str) -> FieldError:
    return FieldError(code, "citizen_id", message, mask_id_number(text))


def _birth_problem(yyyymmdd: int, text: str) -> FieldError | None:
    # The message must not quote the date: it is in the masked part of the number.
    year, month, day = yyyymmdd // 10000, yyyymmdd // 100 % 100, yyyymmdd % 100
    if not _is_real_date(year, month, day):
        return _id_problem("bad_birth_date", "the birth date is not a real date", text)
    if year < 1850:
        return _id_problem("bad_birth_date", "the birth year is before 1850", text)
    return None


def _tidy_id_text(text: str) -> str:
    """The lenient reading: blanks around removed, full-width digits and X made ASCII."""
    return text.strip().translate(_FULL_WIDTH_ID)


def _id_layout_problem(
    problem: FieldError, text: str, strict: bool
) -> tuple[str, bool] | FieldError:
    """A length or character problem, unless the tidied text (blanks, full width) is a number."""
    tidy = _tidy_id_text(text)
    if tidy == text:
        return problem
    return normalise_citizen_id(tidy, strict=strict)


def _strict_problem(strict: object) -> FieldError | None:
    """What is wrong with a ``strict`` flag, as a normaliser (which never raises) reports it."""
    try:
        require_flag(strict, "strict")
    except InvalidInput as exc:
        return exc.errors[0]
    return None


def normalise_citizen_id(text: object, strict: bool = False) -> tuple[str, bool] | FieldError:
    """The rule of :class:`CitizenId`: ``(number, upgraded)`` normalised, or the problem.

    Never raises. ``number`` has 18 characters, ``x`` written ``X``; a legacy
    15-digit number is upgraded (``19`` inserted before the year, check
    character added) and ``upgraded`` is then true. Blanks around the number
    are dropped and full-width digits and ``Ｘ`` read as ASCII (blanks inside
    are refused). The area code must have a known province; with ``strict``
    it must also be listed in a GB/T 2260 revision (or be 830000). The
    problem's ``code`` is one of ``not_string``, ``bad_length``,
    ``bad_characters``, ``bad_area_code``, ``bad_birth_date``,
    ``bad_checksum``, ``unknown_area`` (strict only), or ``bad_flag`` when
    ``strict`` is neither ``True`` nor ``False``; its ``value`` is the input
    masked.

    >>> normalise_citizen_id("11010519491231002x")
    ('11010519491231002X', False)
    >>> normalise_citizen_id(" １１０１０５１９４９１２３１００２Ｘ\\n")
    ('11010519491231002X', False)
    >>> normalise_citizen_id("430211900101002")
    ('430211199001010026', True)
    >>> normalise_citizen_id("110105194912310021")
    FieldError(code='bad_checksum', field='citizen_id', message='check character should be X, not 1', value='110105********0021')
    >>> normalise_citizen_id("425667199001010014", strict=True).code
    'unknown_area'
    """  # noqa: E501
    flag_problem = _strict_problem(strict)
    if flag_problem is not None:
        return flag_problem
    if not isinstance(text, str):
        return FieldError(
            "not_string", "citizen_id", f"expected a string, got {type(text).__name__}"
        )
    n = len(text)
    if n == 18:
        first17 = text[:17]
        last = text[17]
        if not (first17.isascii() and first17.isdigit()) or last not in "0123456789Xx":
            problem = _id_problem(
                "bad_characters", "only digits, and X as the last character", text
            )
            return _id_layout_problem(problem, text, strict)
    elif n == 15:
        # Legacy numbers (before 1999): 2-digit year in the 20th century, no check character.
        if not _is_ascii_digits(text):
            problem = _id_problem(
                "bad_characters", "only digits, and X as the last character", text
            )
            return _id_layout_problem(problem, text, strict)
        first17 = text[:6] + "19" + text[6:]
        last = ""  # no check character to compare: it is computed below
    else:
        problem = _id_problem("bad_length", f"expected 18 characters (or 15 legacy), got {n}", text)
        return _id_layout_problem(problem, text, strict)
    if text[:2] not in PROVINCE_CODES:
        return _id_problem("bad_area_code", f"no province with code {text[:2]}", text)
    birth_problem = _birth_problem(int(first17[6:14]), text)
    if birth_problem is not None:
        return birth_problem
    expected = _id_check_character(first17)
    if n == 18 and last.upper() != expected:
        return _id_problem(
            "bad_checksum", f"check character should be {expected}, not {last.upper()}", text
        )
    if strict and text[:6] not in _divisions():
        return _id_problem(
            "unknown_area", f"no GB/T 2260 revision lists the area code {text[:6]}", text
        )
    return first17 + expected, n == 15


_CITIZEN_ID_JSON: dict[str, Any] = {
    "type": "string",
    "pattern": _ID_PATTERN,
    "description": "居民身份证号码（GB 11643，18位，末位校验码可为X；15位旧号自动升位；"
    "首尾空白忽略，全角数字按半角读） / Citizen ID number (GB 11643, 18 characters, "
    "MOD 11-2 check character; legacy 15-digit numbers are upgraded; blanks around "
    "are ignored, full-width digits read as ASCII)",
    "examples": ["11010519491231002X"],
}


@attrs.frozen(repr=False, field_transformer=masked_field_reprs)
class CitizenId:
    """A resident identity card number (GB 11643-1999), 18 characters, normalised.

    ``CitizenId(text)`` validates and normalises like :meth:`parse` (the rule is
    :func:`normalise_citizen_id`). ``str`` and ``repr`` show the masked form;
    ``number`` holds the full number. ``upgraded`` says a legacy 15-digit
    number was converted to 18. ``area_known`` says whether a GB/T 2260
    revision lists the area code of issue (flagged, not refused: see
    :meth:`parse` with ``strict``).

    >>> cid = CitizenId("360426199101010071")
    >>> cid
    CitizenId('360426********0071')
    >>> cid.birth_date.isoformat(), cid.sex.value, str(cid.area_code)
    ('1991-01-01', 'male', '360426')
    >>> CitizenId.is_valid("360426199101010072")
    False
    >>> CitizenId.parse("430211900101002").upgraded
    True
    """

    number: str
    upgraded: bool = False

    JSON_PATTERN: ClassVar[str] = _ID_PATTERN

    if TYPE_CHECKING:  # generated by attrs (the class defines its own __init__)

        def __attrs_init__(self, number: str, upgraded: bool = False) -> None: ...

    def __init__(self, text: str) -> None:
        normalised = normalise_citizen_id(text)
        if isinstance(normalised, FieldError):
            raise InvalidInput.collect([normalised])
        self.__attrs_init__(*normalised)

    @classmethod
    def trusted(cls, number: str, upgraded: bool = False) -> Self:
        """Build from a normalised 18-character number without checking it.

        Only for numbers a program has built and checked itself (the synthetic
        city computes the check character as it writes each number): a wrong
        number gives a wrong value here, not an error. Anything read from
        outside goes through ``CitizenId(text)``, which is several times slower.

        >>> CitizenId.trusted("11010519491231002X") == CitizenId("11010519491231002x")
        True
        """
        cid = cls.__new__(cls)
        cid.__attrs_init__(number, upgraded)
        return cid

    @classmethod
    def parse(cls, text: str, *, strict: bool = False) -> Self:
        """Validate and normalise an ID number; raise ``InvalidInput`` naming the problem.

        The same as ``CitizenId(text)``: blanks around are dropped, full-width
        digits read as ASCII. Codes: ``not_string``, ``bad_length``,
        ``bad_characters``, ``bad_area_code``, ``bad_birth_date``,
        ``bad_checksum``. With ``strict``, an area code that no GB/T 2260
        revision lists is refused too (``unknown_area``); without, it is only
        flagged (:attr:`area_known`).

        >>> CitizenId.parse(" 11010519491231002X ").number
        '11010519491231002X'
        >>> CitizenId.parse("110105194912310021")
        Traceback (most recent call last):
        ...
        gridcare.errors.InvalidInput: citizen_id: check character should be X, not 1 [bad_checksum]
        >>> CitizenId.parse("425667199001010014").area_known
        False
        >>> CitizenId.parse("425667199001010014", strict=True)
        Traceback (most recent call last):
        ...
        gridcare.errors.InvalidInput: citizen_id: no GB/T 2260 revision lists the area code 425667 [unknown_area]
        """  # noqa: E501
        if not require_flag(strict, "strict"):
            return cls(text)
        normalised = normalise_citizen_id(text, strict=True)
        if isinstance(normalised, FieldError):
            raise InvalidInput.collect([normalised])
        return cls.trusted(*normalised)

    @classmethod
    def is_valid(cls, text: object, *, strict: bool = False) -> bool:
        """Whether ``text`` parses (with ``strict``: strictly); never raises.

        >>> CitizenId.is_valid("11010519491231002X"), CitizenId.is_valid(42)
        (True, False)
        """
        return not isinstance(normalise_citizen_id(text, strict=strict), FieldError)

    @classmethod
    def is_canonical(cls, text: object) -> bool:
        """Whether ``text`` is a valid number written exactly in its normal form.

        The strict reading of the layout: 18 ASCII characters, upper-case
        ``X``, nothing around; ``parse`` is lenient and accepts more.

        >>> CitizenId.is_canonical("11010519491231002X")
        True
        >>> [CitizenId.is_canonical(t) for t in ("11010519491231002x", " 11010519491231002X")]
        [False, False]
        """
        normalised = normalise_citizen_id(text)
        return not isinstance(normalised, FieldError) and normalised == (text, False)

    @staticmethod
    def check_character(first17: str) -> str:
        """The MOD 11-2 check character for 17 digits.

        Anything but 17 ASCII digits raises ``InvalidInput`` (``bad_length`` or
        ``bad_characters``, field ``first17``).

        >>> CitizenId.check_character("11010519491231002")
        'X'
        """
        if not isinstance(first17, str) or len(first17) != 17:
            raise InvalidInput("bad_length", "first17", "expected 17 digits")
        if not _is_ascii_digits(first17):
            raise InvalidInput("bad_characters", "first17", "expected 17 digits")
        return _id_check_character(first17)

    @property
    def birth_date(self) -> date:
        """The date of birth encoded in characters 7 to 14."""
        n = self.number
        return date(int(n[6:10]), int(n[10:12]), int(n[12:14]))

    @property
    def sex(self) -> Sex:
        """Odd sequence (character 17) is male, even is female."""
        return Sex.MALE if int(self.number[16]) % 2 else Sex.FEMALE

    @property
    def area_code(self) -> AreaCode:
        """The division code of registration (first 6 digits).

        Codes retired since issue (株洲县 430221) are kept as they are written;
        430271 is 云龙示范区, written ``430200-YL`` (:data:`YUNLONG`).
        """
        return AreaCode.parse(self.number[:6])

    @property
    def area_known(self) -> bool:
        """Whether a GB/T 2260 revision lists the area code of issue (or it is 830000).

        A code retired since is known (numbers keep it for life); a code that
        never existed is not. Reads the shipped list on first use.

        >>> CitizenId("430221199001010010").area_known, CitizenId("425667199001010014").area_known
        (True, False)
        """
        return self.number[:6] in _divisions()

    def masked(self) -> str:
        """The masked form: first 6 and last 4 characters."""
        return mask_id_number(self.number)

    def __str__(self) -> str:
        return self.masked()

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return _core_schema(
            cls,
            normalise_citizen_id,
            lambda normalised: cls.trusted(*normalised),
            lambda v: v.number,
            lambda v: v.masked(),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return dict(_CITIZEN_ID_JSON)

    def __repr__(self) -> str:
        return f"CitizenId({self.masked()!r})"


# --------------------------------------------------------------------------- AreaCode

#: The longest division code text read (official digits and local segments); longer text is
#: refused (``too_long``) before it is split.
AREA_CODE_MAX_LENGTH = 128
#: The most local segments under an official code (``430200-YL-S01-C001-G01`` has four);
#: more is ``too_many_segments``.
MAX_LOCAL_SEGMENTS = 8

_LOCAL_SEGMENT = re.compile(r"^[0-9A-Za-z_\u4e00-\u9fff]{1,40}$")
_AREA_PATTERN = (
    r"^[0-9]{6}([0-9]{3}([0-9]{3})?)?(-[0-9A-Za-z_\u4e00-\u9fff]{1,40})"
    f"{{0,{MAX_LOCAL_SEGMENTS}}}$"
)


def _area_problem(code: str, message: str, text: str) -> FieldError:
    # A code is not personal data, but the text given in its place may be a phone or ID number.
    return FieldError(code, "area_code", message, mask_numbers(text))


def _segment_problem(segment: object, text: str) -> FieldError | None:
    if isinstance(segment, str) and _LOCAL_SEGMENT.fullmatch(segment):
        return None
    shown = mask_numbers(segment) if isinstance(segment, str) else type(segment).__name__
    return _area_problem(
        "bad_local_segment", f"local segment {shown!r} must be 1-40 letters, digits, _ or CJK", text
    )


def _significant(digits: str) -> str:
    """Strip trailing all-zero groups at level boundaries (12 > 9 > 6 > 4 > 2)."""
    key = digits
    if len(key) == 12 and key.endswith("000"):
        key = key[:9]
    if len(key) == 9 and key.endswith("000"):
        key = key[:6]
    if len(key) == 6 and key.endswith("00"):
        key = key[:4]
    if len(key) == 4 and key.endswith("00"):
        key = key[:2]
    return key


def _official_text(key: str) -> str:
    return key.ljust(6, "0") if len(key) <= 6 else key


#: Units that carry a GB/T 2260 code and a local code: the GB/T 2260 code (and the
#: statistical town and village codes under it) is read as the local code
#: ``key``-``segment``. 430271 云龙示范区 (GB/T 2260, 2018-10) is ``430200-YL``.
_ALIASES: Mapping[str, tuple[str, str]] = {"430271": ("4302", "YL")}
_ALIAS_PREFIXES: tuple[str, ...] = tuple(_ALIASES)
_ALIAS_CODES: Mapping[tuple[str, str], str] = {alias: code for code, alias in _ALIASES.items()}


def _as_local(key: str, segments: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """The local code of a code written with an alias's GB/T 2260 code (``430271001`` is
    ``430200-YL-001``)."""
    parent_key, segment = _ALIASES[key[:6]]
    groups = tuple(key[i : i + 3] for i in range(6, len(key), 3))
    return parent_key, (segment, *groups, *segments)


def normalise_area_code(
    text: object, strict: bool = False
) -> tuple[str, tuple[str, ...]] | FieldError:
    """The rule of :class:`AreaCode`: ``(key, local)`` normalised, or the problem.

    Never raises. ``key`` is the official part without its trailing all-zero
    groups (``430200`` has the key ``4302``), ``local`` the ``-`` segments. A
    unit with both a GB/T 2260 code and a local code is normalised to the
    local code: ``430271`` (云龙示范区) is ``430200-YL``, and its town
    ``430271001`` is ``430200-YL-001``. With ``strict``, the official part must
    be listed in a GB/T 2260 revision (see :attr:`AreaCode.is_known`). The
    problem's ``code`` is one of ``not_string``, ``too_long`` (over
    :data:`AREA_CODE_MAX_LENGTH` characters, checked before the text is read),
    ``bad_length``, ``bad_characters``, ``unknown_province``,
    ``too_many_segments`` (over :data:`MAX_LOCAL_SEGMENTS`),
    ``bad_local_segment``, ``unknown_area`` (strict only), or ``bad_flag``
    when ``strict`` is neither ``True`` nor ``False``; its ``value`` is
    the input with any phone or ID number in it masked. The limits hold for
    the normalised code too, so ``str`` of every code parses again.

    >>> normalise_area_code("430200-YL")
    ('4302', ('YL',))
    >>> normalise_area_code("430271001")
    ('4302', ('YL', '001'))
    >>> normalise_area_code("13812345678").value
    '138****5678'
    >>> normalise_area_code("425667", strict=True).code
    'unknown_area'
    """
    flag_problem = _strict_problem(strict)
    if flag_problem is not None:
        return flag_problem
    if not isinstance(text, str):
        return FieldError(
            "not_string", "area_code", f"expected a string, got {type(text).__name__}"
        )
    if len(text) > AREA_CODE_MAX_LENGTH:
        return _area_problem(
            "too_long",
            f"expected at most {AREA_CODE_MAX_LENGTH} characters, got {len(text)}",
            text[:AREA_CODE_MAX_LENGTH],
        )
    parts = text.split("-")
    official = parts[0]
    segments = tuple(parts[1:])
    if not _is_ascii_digits(official):
        if official:
            return _area_problem("bad_characters", "the official part must be digits only", text)
        return _area_problem("bad_length", "expected 6, 9 or 12 digits, got 0", text)
    if len(official) not in (6, 9, 12):
        return _area_problem("bad_length", f"expected 6, 9 or 12 digits, got {len(official)}", text)
    if official[:2] not in PROVINCE_CODES:
        return _area_problem("unknown_province", f"no province with code {official[:2]}", text)
    if len(segments) > MAX_LOCAL_SEGMENTS:
        return _too_many_segments(len(segments), text)
    for segment in segments:
        problem = _segment_problem(segment, text)
        if problem is not None:
            return problem
    if strict and official[:6] not in _divisions():
        return _area_problem(
            "unknown_area", f"no GB/T 2260 revision lists the code {official[:6]}", text
        )
    if official.startswith(_ALIAS_PREFIXES):
        key, local = _as_local(_significant(official), segments)
        if len(local) > MAX_LOCAL_SEGMENTS:
            return _too_many_segments(len(local), text)
        if len(_official_text(key)) + sum(1 + len(s) for s in local) > AREA_CODE_MAX_LENGTH:
            return _area_problem(
                "too_long", f"written as a local code, over {AREA_CODE_MAX_LENGTH} characters", text
            )
        return key, local
    return _significant(official), segments


def _too_many_segments(count: int, text: str) -> FieldError:
    return _area_problem(
        "too_many_segments", f"at most {MAX_LOCAL_SEGMENTS} local segments, got {count}", text
    )


_AREA_CODE_JSON: dict[str, Any] = {
    "type": "string",
    "maxLength": AREA_CODE_MAX_LENGTH,
    "pattern": _AREA_PATTERN,
    "description": "行政区划代码（GB/T 2260 六位，统计用区划代码九位或十二位），"
    "可附本地编码段 / Division code (GB/T 2260 6 digits, statistical 9 or 12 digits), "
    f"optionally followed by at most {MAX_LOCAL_SEGMENTS} local segments",
    "examples": ["430211", "430211001001", "430200-YL"],
}


@attrs.frozen(repr=False, field_transformer=masked_field_reprs)
class AreaCode:
    """A division code (GB/T 2260, statistical 9 and 12 digits), or a local code under one.

    ``AreaCode(text)`` validates and normalises like :meth:`parse` (the rule is
    :func:`normalise_area_code`). Containment is by prefix at level boundaries
    (2/4/6/9/12 digits); trailing zero groups are not significant, so
    ``430211000`` is the county ``430211``. A local code (a unit with no
    official code, a compound, a building) is an official code followed by
    ``-`` segments: ``430200-YL`` is 云龙示范区 under the city of Zhuzhou.
    云龙示范区 also has the GB/T 2260 code 430271 (2018-10 revision): that
    code, and the statistical codes under it, parse to ``430200-YL`` and the
    codes under it, so both spellings are one unit.

    :attr:`is_known`, :attr:`name` and :attr:`division` answer from the
    shipped GB/T 2260 list (read on first use).

    >>> AreaCode("430211000") == AreaCode("430211")
    True
    >>> c = AreaCode.parse("430211001001")
    >>> c.level.value, str(c.parent), str(c.county)
    ('village', '430211001', '430211')
    >>> AreaCode.parse("430200").contains(c), c.contains(AreaCode.parse("430200"))
    (True, False)
    >>> AreaCode.parse("430200-YL").level.value
    'county'
    >>> AreaCode.parse("430271") == AreaCode.parse("430200-YL")
    True
    """

    key: str
    local: tuple[str, ...] = ()

    JSON_PATTERN: ClassVar[str] = _AREA_PATTERN

    if TYPE_CHECKING:  # generated by attrs (the class defines its own __init__)

        def __attrs_init__(self, key: str, local: tuple[str, ...] = ()) -> None: ...

    def __init__(self, text: str) -> None:
        normalised = normalise_area_code(text)
        if isinstance(normalised, FieldError):
            raise InvalidInput.collect([normalised])
        self.__attrs_init__(*normalised)

    @classmethod
    def _trusted(cls, key: str, local: tuple[str, ...] = ()) -> Self:
        """Build from a key and segments already checked (the navigation below)."""
        code = cls.__new__(cls)
        code.__attrs_init__(key, local)
        return code

    @classmethod
    def parse(cls, text: str, *, strict: bool = False) -> Self:
        """Validate a code; raise ``InvalidInput`` naming the problem.

        The same as ``AreaCode(text)``. Codes: ``not_string``, ``too_long``
        (over :data:`AREA_CODE_MAX_LENGTH` characters), ``bad_length``,
        ``bad_characters``, ``unknown_province``, ``too_many_segments`` (over
        :data:`MAX_LOCAL_SEGMENTS`), ``bad_local_segment``; with ``strict``,
        also ``unknown_area`` (the first six digits are in no GB/T 2260
        revision).

        >>> AreaCode.parse("4302")
        Traceback (most recent call last):
        ...
        gridcare.errors.InvalidInput: area_code: expected 6, 9 or 12 digits, got 4 [bad_length]
        >>> AreaCode.parse("425667").is_known
        False
        """
        if not require_flag(strict, "strict"):
            return cls(text)
        normalised = normalise_area_code(text, strict=True)
        if isinstance(normalised, FieldError):
            raise InvalidInput.collect([normalised])
        return cls._trusted(*normalised)

    @classmethod
    def is_valid(cls, text: object, *, strict: bool = False) -> bool:
        """Whether ``text`` parses (with ``strict``: strictly); never raises.

        >>> AreaCode.is_valid("990000"), AreaCode.is_valid("430281")
        (False, True)
        """
        return not isinstance(normalise_area_code(text, strict=strict), FieldError)

    def child(self, segment: str) -> AreaCode:
        """A local code directly under this one, within the limits :meth:`parse` reads.

        >>> str(AreaCode.parse("430211001001").child("B12"))
        '430211001001-B12'
        """
        # Only text is rendered: a segment of another type (a deep list, say) is named by type.
        shown = f"{self}-{segment}" if isinstance(segment, str) else str(self)
        problem = _segment_problem(segment, shown)
        if problem is None:
            text = f"{self}-{segment}"
            if len(self.local) >= MAX_LOCAL_SEGMENTS:
                problem = _too_many_segments(len(self.local) + 1, text)
            elif len(text) > AREA_CODE_MAX_LENGTH:
                problem = _area_problem(
                    "too_long",
                    f"over {AREA_CODE_MAX_LENGTH} characters",
                    text[:AREA_CODE_MAX_LENGTH],
                )
        if problem is not None:
            raise InvalidInput.collect([problem])
        return AreaCode._trusted(self.key, (*self.local, segment))

    @property
    def gb_code(self) -> str:
        """The six-digit GB/T 2260 code this code is written with or lies under.

        For a local code, that of its official part, except under an alias
        (``430200-YL`` is written 430271).

        >>> AreaCode.parse("430211001001").gb_code, AreaCode.parse("430200-YL-S1").gb_code
        ('430211', '430271')
        """
        alias = _ALIAS_CODES.get((self.key, self.local[0])) if self.local else None
        if alias is not None:
            return alias
        return _official_text(self.key) if len(self.key) <= 6 else self.key[:6]

    @property
    def division(self) -> Division | None:
        """This unit as a GB/T 2260 revision lists it; ``None`` for a town, village or place.

        >>> AreaCode.parse("430200-YL").division
        Division(code='430271', name='云龙示范区', since=2018, until=2018)
        >>> AreaCode.parse("430211001").division is None
        True
        """
        if len(self.key) > 6 or len(self.local) > 1:
            return None
        if self.local and (self.key, self.local[0]) not in _ALIAS_CODES:
            return None
        return _divisions().get(self.gb_code)

    @property
    def name(self) -> str | None:
        """The name in the latest GB/T 2260 revision that lists this unit; else ``None``.

        >>> AreaCode.parse("430211").name, AreaCode.parse("430211001").name
        ('天元区', None)
        """
        division = self.division
        return None if division is None else division.name

    @property
    def is_known(self) -> bool:
        """Whether a GB/T 2260 revision lists :attr:`gb_code` (the first six digits).

        A code retired since is known; one that never existed is not. The
        statistical town and village digits are not checked (no list of them
        ships).

        >>> AreaCode.parse("430221").is_known, AreaCode.parse("425667").is_known
        (True, False)
        """
        return self.gb_code in _divisions()

    @property
    def is_official(self) -> bool:
        """Whether this is an official code (no local segments)."""
        return not self.local

    @property
    def official(self) -> AreaCode:
        """The official code this one is, or lies under.

        >>> str(AreaCode.parse("430211001001-B3").official)
        '430211001001'
        """
        return self if not self.local else AreaCode._trusted(self.key)

    @property
    def level(self) -> AreaLevel:
        """The level; a local code sits one level below its parent (at most ``PLACE``)."""
        base = _LEVEL_RANK[_KEY_LEVEL[len(self.key)]]
        return _LEVEL_ORDER[min(base + len(self.local), len(_LEVEL_ORDER) - 1)]

    @property
    def parent(self) -> AreaCode | None:
        """The code one level up, skipping all-zero groups; ``None`` for a province.

        >>> str(AreaCode.parse("430211").parent), AreaCode.parse("430000").parent
        ('430200', None)
        """
        if self.local:
            return AreaCode._trusted(self.key, self.local[:-1])
        key = self.key
        for cut in (9, 6, 4, 2):
            if len(key) > cut:
                candidate = _significant(_official_text(key[:cut]))
                if len(candidate) < len(key):
                    return AreaCode._trusted(candidate)
        return None

    def ancestors(self) -> Iterator[AreaCode]:
        """The codes above this one, nearest first.

        >>> [str(a) for a in AreaCode.parse("430211001").ancestors()]
        ['430211', '430200', '430000']
        """
        up = self.parent
        while up is not None:
            yield up
            up = up.parent

    @property
    def county(self) -> AreaCode | None:
        """The county-level unit holding this code (itself if county level); ``None`` above.

        >>> str(AreaCode.parse("430281101001").county), AreaCode.parse("430200").county
        ('430281', None)
        """
        rank = _LEVEL_RANK[self.level]
        if rank < _LEVEL_RANK[AreaLevel.COUNTY]:
            return None
        node: AreaCode | None = self
        while node is not None:
            if node.level is AreaLevel.COUNTY:
                return node
            if _LEVEL_RANK[node.level] < _LEVEL_RANK[AreaLevel.COUNTY]:
                break
            node = node.parent
        # A town directly under a prefecture without counties: its 6-digit unit.
        return AreaCode._trusted(_significant(_official_text(self.key[:6])))

    @property
    def province(self) -> AreaCode:
        """The province-level code.

        >>> str(AreaCode.parse("430211001").province)
        '430000'
        """
        return AreaCode._trusted(self.key[:2])

    def contains(self, other: AreaCode) -> bool:
        """Whether ``other`` is this area or lies inside it (reflexive).

        >>> AreaCode.parse("430200-YL").contains(AreaCode.parse("430200-YL-S1"))
        True
        >>> AreaCode.parse("430200-YL").contains(AreaCode.parse("430202"))
        False
        >>> AreaCode.parse("430200").contains("430202")
        Traceback (most recent call last):
        ...
        gridcare.errors.InvalidInput: other: expected AreaCode, got str [not_area_code]
        """
        if type(other) is not AreaCode:
            require_instance(other, AreaCode, "other", code="not_area_code")
        if not other.key.startswith(self.key):
            return False
        if not self.local:
            return True
        return other.key == self.key and other.local[: len(self.local)] == self.local

    def prefixes(self) -> tuple[AreaCode, ...]:
        """This code and all its ancestors, coarsest first: the keys a prefix index probes.

        Built level by level from the code itself: the cost is that of the
        codes returned (at most five official levels and
        :data:`MAX_LOCAL_SEGMENTS` local ones).

        >>> [str(c) for c in AreaCode.parse("430211001").prefixes()]
        ['430000', '430200', '430211', '430211001']
        >>> [str(c) for c in AreaCode.parse("430200-YL-S1").prefixes()]
        ['430000', '430200', '430200-YL', '430200-YL-S1']
        """
        if not self.local:
            return (*reversed(tuple(self.ancestors())), self)
        official = AreaCode._trusted(self.key)
        key, local = self.key, self.local
        below = tuple(AreaCode._trusted(key, local[:i]) for i in range(1, len(local)))
        return (*reversed(tuple(official.ancestors())), official, *below, self)

    def __str__(self) -> str:
        text = _official_text(self.key)
        return "-".join((text, *self.local)) if self.local else text

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return _core_schema(
            cls, normalise_area_code, lambda normalised: cls._trusted(*normalised), str, str
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return dict(_AREA_CODE_JSON)

    def __repr__(self) -> str:
        return f"AreaCode({str(self)!r})"

    def __lt__(self, other: AreaCode) -> bool:
        if not isinstance(other, AreaCode):
            return NotImplemented
        return (self.key, self.local) < (other.key, other.local)


#: The city of Zhuzhou (株洲市).
ZHUZHOU = AreaCode.parse("430200")
#: 云龙示范区: a county-level unit with no official code, given a local one under the city.
YUNLONG = AreaCode.parse("430200-YL")

#: The ten county-level units of Zhuzhou: code -> (Chinese name, English name).
#: Nine have GB/T 2260 codes (430212 渌口区 was 430221 株洲县 until 2018);
#: 云龙示范区 has none and uses the local code ``430200-YL``.
ZHUZHOU_COUNTIES: Mapping[AreaCode, tuple[str, str]] = {
    AreaCode.parse("430202"): ("荷塘区", "Hetang District"),
    AreaCode.parse("430203"): ("芦淞区", "Lusong District"),
    AreaCode.parse("430204"): ("石峰区", "Shifeng District"),
    AreaCode.parse("430211"): ("天元区", "Tianyuan District"),
    AreaCode.parse("430212"): ("渌口区", "Lukou District"),
    AreaCode.parse("430223"): ("攸县", "You County"),
    AreaCode.parse("430224"): ("茶陵县", "Chaling County"),
    AreaCode.parse("430225"): ("炎陵县", "Yanling County"),
    AreaCode.parse("430281"): ("醴陵市", "Liling City"),
    YUNLONG: ("云龙示范区", "Yunlong Demonstration Zone"),
}


# --------------------------------------------------------------------------- PhoneNumber

# What a person types: separators anywhere (blanks, hyphens, dots, brackets, in ASCII or
# full width), an optional +86 / 0086 / 86, an optional trunk 0, full-width digits.
# The parser does not use this pattern (it is the JSON Schema's); it reads the same
# language in one pass: every quantified part is followed by a disjoint class.
_PHONE_SEPARATORS = _WHITESPACE + ".-()（）．－"
_SEP = r"[\s.\-()（）．－]*"
_PHONE_PATTERN = (
    rf"^{_SEP}(?:[+＋]{_SEP}[8８]{_SEP}[6６]{_SEP}"
    rf"|[0０]{_SEP}[0０]{_SEP}[8８]{_SEP}[6６]{_SEP}"
    rf"|[8８]{_SEP}[6６]{_SEP})?"
    rf"(?:[0０]{_SEP})?[1１]{_SEP}[3-9３-９](?:{_SEP}[0-9０-９]){{9}}{_SEP}$"
)
#: Longer input is refused (``too_long``) before it is read.
PHONE_MAX_LENGTH = 64
# Full-width digits and plus to ASCII; separators dropped.
_PHONE_FOLD = str.maketrans("０１２３４５６７８９＋", "0123456789+", _PHONE_SEPARATORS)
# The ASCII separators, for the common ASCII text (a bytes table is several times faster).
_ASCII_PHONE_SEPARATORS = bytes(c for c in _PHONE_SEPARATORS.encode("utf-8") if c < 128)


def _fold_phone_text(text: str) -> str:
    """The text without separators, full-width digits and plus made ASCII."""
    if text.isascii():
        return text.encode("ascii").translate(None, _ASCII_PHONE_SEPARATORS).decode("ascii")
    return text.translate(_PHONE_FOLD)


# Mobile prefixes allocated by MIIT (mobile, virtual operators, IoT-voice, satellite), as
# libphonenumber has them. Not here: 146, 148 and 149 (data-only: no calls or texts), and
# 161 and 174, allocated only in the blocks of _ALLOCATED_BLOCKS.
_ALLOCATED_PREFIXES: frozenset[str] = frozenset(
    [f"13{d}" for d in range(10)]
    + ["145", "147"]
    + ["150", "151", "152", "153", "155", "156", "157", "158", "159"]
    + ["162", "165", "166", "167"]
    + ["170", "171", "172", "173", "175", "176", "177", "178"]
    + [f"18{d}" for d in range(10)]
    + ["190", "191", "192", "193", "195", "196", "197", "198", "199"]
)
# Blocks allocated under an otherwise unallocated prefix: 1610, and 17400-17405 (satellite).
_ALLOCATED_BLOCKS: frozenset[str] = frozenset(["1610", *(f"1740{d}" for d in range(6))])


def _is_plain_mobile(text: str) -> bool:
    """The common case, 11 bare digits starting 13-19: what the lenient pattern accepts then."""
    return len(text) == 11 and _is_ascii_digits(text) and text[0] == "1" and text[1] in "3456789"


def _phone_problem(code: str, message: str, digits: str) -> FieldError:
    return FieldError(code, "phone", message, mask_phone(digits))


def _national_number(folded: str) -> str:
    """The digits after the country code (``+86``, ``0086``, or ``86`` before 11 or 12
    digits) and a trunk ``0``; a ``+`` before another country code is kept (and refused)."""
    if folded.startswith("+86"):
        rest = folded[3:]
    elif folded.startswith("0086"):
        rest = folded[4:]
    elif folded.startswith("86") and len(folded) in (13, 14):
        rest = folded[2:]
    else:
        rest = folded
    if len(rest) == 12 and rest.startswith("0"):
        return rest[1:]
    return rest


def normalise_phone_number(text: object) -> str | FieldError:
    """The rule of :class:`PhoneNumber`: the 11 digits, or the problem.

    Never raises. Input is what a person types: an optional ``+86``, ``0086``
    or ``86`` (``+ 86``, ``(+86)``), an optional trunk ``0`` (``+86 (0)``),
    separators anywhere (blanks, tab, newline, ``-``, ``.``, brackets, ASCII or
    full width) and full-width digits. The problem's ``code`` is one of
    ``not_string``, ``too_long`` (over 64 characters), ``bad_characters``,
    ``bad_length``, ``bad_prefix``; its ``value`` is the input's digits masked.

    >>> normalise_phone_number("+86 138-1234-5678")
    '13812345678'
    >>> normalise_phone_number("(+86) (0)138.1234.5678\\n")
    '13812345678'
    >>> normalise_phone_number("１３８ １２３４ ５６７８")
    '13812345678'
    >>> normalise_phone_number("1381234567").code
    'bad_length'
    """
    if not isinstance(text, str):
        return FieldError("not_string", "phone", f"expected a string, got {type(text).__name__}")
    if _is_plain_mobile(text):
        return text
    if len(text) > PHONE_MAX_LENGTH:
        return _phone_problem(
            "too_long",
            f"expected at most {PHONE_MAX_LENGTH} characters, got {len(text)}",
            text[:PHONE_MAX_LENGTH],
        )
    digits = _national_number(_fold_phone_text(text))
    if not _is_ascii_digits(digits):
        if digits.startswith("+"):
            return _phone_problem("bad_characters", "a + must start the country code +86", digits)
        if digits:
            return _phone_problem(
                "bad_characters", "only digits, +86, blanks, hyphens, dots and brackets", digits
            )
        return _phone_problem("bad_length", "expected 11 digits, got 0", digits)
    if len(digits) != 11:
        return _phone_problem("bad_length", f"expected 11 digits, got {len(digits)}", digits)
    if digits[0] != "1" or digits[1] not in "3456789":
        return _phone_problem(
            "bad_prefix", f"mobile numbers start with 13-19, got {digits[:2]}", digits
        )
    return digits


_PHONE_JSON: dict[str, Any] = {
    "type": "string",
    "maxLength": PHONE_MAX_LENGTH,
    "pattern": _PHONE_PATTERN,
    "description": "中国大陆手机号码（11位，可带+86、中继0、空格、连字符、点或括号，"
    "全角数字按半角读） / Mainland China mobile number (11 digits; +86, a trunk 0, "
    "blanks, hyphens, dots and brackets accepted, full-width digits read as ASCII)",
    "examples": ["13812345678"],
}


@attrs.frozen(repr=False, field_transformer=masked_field_reprs)
class PhoneNumber:
    """A mainland China mobile number, 11 digits; ``str`` and ``repr`` are masked.

    Input is lenient (``+86``, a trunk ``0``, blanks, hyphens, dots, brackets,
    full-width digits); ``unallocated_prefix`` flags numbers no operator can
    call or text: prefixes no operator holds, the data-only 146, 148 and 149,
    161 outside 1610 and 174 outside 17400-17405.

    ``PhoneNumber(text)`` validates and normalises like :meth:`parse` (the rule
    is :func:`normalise_phone_number`).

    >>> p = PhoneNumber("138 1234 5678")
    >>> p, p.number, p.unallocated_prefix
    (PhoneNumber('138****5678'), '13812345678', False)
    >>> PhoneNumber.parse("15412345678").unallocated_prefix
    True
    """

    number: str

    JSON_PATTERN: ClassVar[str] = _PHONE_PATTERN

    if TYPE_CHECKING:  # generated by attrs (the class defines its own __init__)

        def __attrs_init__(self, number: str) -> None: ...

    def __init__(self, text: str) -> None:
        normalised = normalise_phone_number(text)
        if isinstance(normalised, FieldError):
            raise InvalidInput.collect([normalised])
        self.__attrs_init__(normalised)

    @classmethod
    def trusted(cls, number: str) -> Self:
        """Build from 11 normalised digits without checking them.

        Only for numbers a program has built and checked itself (the synthetic
        city writes an allocated prefix and eight digits): a wrong number gives
        a wrong value here, not an error. Anything read from outside goes
        through ``PhoneNumber(text)``.

        >>> PhoneNumber.trusted("13812345678") == PhoneNumber("+86 138 1234 5678")
        True
        """
        phone = cls.__new__(cls)
        phone.__attrs_init__(number)
        return phone

    @classmethod
    def parse(cls, text: str) -> Self:
        """Validate and normalise a mobile number; raise ``InvalidInput`` naming the problem.

        The same as ``PhoneNumber(text)``. Codes: ``not_string``, ``too_long``,
        ``bad_characters``, ``bad_length``, ``bad_prefix``.

        >>> PhoneNumber.parse("12812345678")
        Traceback (most recent call last):
        ...
        gridcare.errors.InvalidInput: phone: mobile numbers start with 13-19, got 12 [bad_prefix]
        """
        return cls(text)

    @classmethod
    def is_valid(cls, text: object) -> bool:
        """Whether ``text`` parses; never raises.

        >>> PhoneNumber.is_valid("1381234567")
        False
        """
        return not isinstance(normalise_phone_number(text), FieldError)

    @property
    def unallocated_prefix(self) -> bool:
        """Whether the number is outside the operators' allocation table for calls and texts.

        >>> [PhoneNumber(n).unallocated_prefix for n in ("17405123456", "17406123456")]
        [False, True]
        >>> PhoneNumber("14812345678").unallocated_prefix
        True
        """
        number = self.number
        return (
            number[:3] not in _ALLOCATED_PREFIXES
            and number[:4] not in _ALLOCATED_BLOCKS
            and number[:5] not in _ALLOCATED_BLOCKS
        )

    def masked(self) -> str:
        """The masked form: first 3 and last 4 digits."""
        return mask_phone(self.number)

    def __str__(self) -> str:
        return self.masked()

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return _core_schema(
            cls, normalise_phone_number, cls.trusted, lambda v: v.number, lambda v: v.masked()
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return dict(_PHONE_JSON)

    def __repr__(self) -> str:
        return f"PhoneNumber({self.masked()!r})"
