"""Constrained scalars: citizen ID numbers, division codes and mobile numbers.

Each type is a frozen value with a ``parse`` constructor that raises
:class:`~gridcare.errors.InvalidInput` with a stable code, and plugs into
pydantic as a field type (validation, masked serialization, JSON Schema with a
pattern and a Chinese and English description).

>>> CitizenId.parse("11010519491231002x").masked()
'110105********002X'
>>> AreaCode.parse("430211").contains(AreaCode.parse("430211001"))
True
>>> str(PhoneNumber.parse("+86 138-1234-5678"))
'138****5678'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from enum import StrEnum
from typing import Any, ClassVar, Self, TypeVar

import attrs
from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from gridcare.errors import InvalidInput
from gridcare.masking import mask_id_number, mask_phone, reveal_requested

__all__ = [
    "PROVINCE_CODES",
    "YUNLONG",
    "ZHUZHOU",
    "ZHUZHOU_COUNTIES",
    "AreaCode",
    "AreaLevel",
    "CitizenId",
    "PhoneNumber",
    "Sex",
]


class Sex(StrEnum):
    """Sex as recorded in a citizen ID number (odd sequence: male).

    >>> CitizenId.parse("11010519491231002X").sex is Sex.FEMALE
    True
    """

    MALE = "male"
    FEMALE = "female"


class AreaLevel(StrEnum):
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

#: GB/T 2260 province-level prefixes (two digits).
PROVINCE_CODES: frozenset[str] = frozenset(
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34",
        "35", "36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52",
        "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
    }
)  # fmt: skip

_T = TypeVar("_T")


def _core_schema(
    cls: type[_T],
    parse: Callable[[str], _T],
    reveal: Callable[[_T], str],
    masked: Callable[[_T], str],
) -> core_schema.CoreSchema:
    """The pydantic core schema shared by the scalar types of this module.

    Validation turns ``InvalidInput`` into a pydantic error whose type is our
    stable code; serialization is masked unless the context asks to reveal.
    """

    def validate(value: object) -> _T:
        if isinstance(value, cls):
            return value
        if not isinstance(value, str):
            raise PydanticCustomError(
                "not_string",
                "expected a string, got {type_name}",
                {"type_name": type(value).__name__},
            )
        try:
            return parse(value)
        except InvalidInput as exc:
            raise PydanticCustomError(
                exc.code, exc.message.replace("{", "{{").replace("}", "}}"), {"masked": exc.value}
            ) from None

    def serialize(value: _T, info: core_schema.SerializationInfo) -> str:
        return reveal(value) if reveal_requested(info.context) else masked(value)

    return core_schema.no_info_plain_validator_function(
        validate,
        serialization=core_schema.plain_serializer_function_ser_schema(
            serialize, info_arg=True, when_used="always"
        ),
    )


# --------------------------------------------------------------------------- CitizenId

# GB 11643-1999 / ISO 7064 MOD 11-2: weights 2^(17-i) mod 11 over the first 17 digits.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_PATTERN = r"^([0-9]{17}[0-9Xx]|[0-9]{15})$"
_ASCII_DIGITS = frozenset("0123456789")


def _id_check_character(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def _id_error(code: str, message: str, text: str) -> InvalidInput:
    return InvalidInput(code, "citizen_id", message, value=mask_id_number(text))


def _parse_birth(text: str, full: str) -> date:
    try:
        born = date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        # The message must not quote the date: it is in the masked part of the number.
        raise _id_error("bad_birth_date", "the birth date is not a real date", full) from None
    if born.year < 1850:
        raise _id_error("bad_birth_date", "the birth year is before 1850", full)
    return born


_CITIZEN_ID_JSON: dict[str, Any] = {
    "type": "string",
    "pattern": _ID_PATTERN,
    "description": "居民身份证号码（GB 11643，18位，末位校验码可为X；15位旧号自动升位）"
    " / Citizen ID number (GB 11643, 18 characters, MOD 11-2 check character; "
    "legacy 15-digit numbers are upgraded)",
    "examples": ["11010519491231002X"],
}


@attrs.frozen(repr=False)
class CitizenId:
    """A resident identity card number (GB 11643-1999), 18 characters, normalised.

    ``str`` and ``repr`` show the masked form; ``number`` holds the full number.
    ``upgraded`` says a legacy 15-digit number was converted to 18.

    >>> cid = CitizenId.parse("360426199101010071")
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

    @classmethod
    def parse(cls, text: str) -> Self:
        """Validate and normalise an ID number; raise ``InvalidInput`` naming the problem.

        Codes: ``not_string``, ``bad_length``, ``bad_characters``, ``bad_area_code``,
        ``bad_birth_date``, ``bad_checksum``.

        >>> CitizenId.parse("11010519491231002X").number
        '11010519491231002X'
        >>> CitizenId.parse("110105194912310021")
        Traceback (most recent call last):
        ...
        gridcare.errors.InvalidInput: citizen_id: check character should be X, not 1 [bad_checksum]
        """
        if not isinstance(text, str):
            raise InvalidInput(
                "not_string", "citizen_id", f"expected a string, got {type(text).__name__}"
            )
        n = len(text)
        if n not in (15, 18):
            raise _id_error("bad_length", f"expected 18 characters (or 15 legacy), got {n}", text)
        body = text[:17] if n == 18 else text
        if not _ASCII_DIGITS.issuperset(body) or (n == 18 and text[17] not in "0123456789Xx"):
            raise _id_error("bad_characters", "only digits, and X as the last character", text)
        if text[:2] not in PROVINCE_CODES:
            raise _id_error("bad_area_code", f"no province with code {text[:2]}", text)
        if n == 15:
            # Legacy numbers (before 1999): 2-digit year in the 20th century, no check character.
            _parse_birth("19" + text[6:12], text)
            first17 = text[:6] + "19" + text[6:]
            return cls(first17 + _id_check_character(first17), upgraded=True)
        _parse_birth(text[6:14], text)
        check = text[17].upper()
        expected = _id_check_character(body)
        if check != expected:
            raise _id_error(
                "bad_checksum", f"check character should be {expected}, not {check}", text
            )
        return cls(body + check)

    @classmethod
    def is_valid(cls, text: object) -> bool:
        """Whether ``text`` parses; never raises.

        >>> CitizenId.is_valid("11010519491231002X"), CitizenId.is_valid(42)
        (True, False)
        """
        try:
            cls.parse(text)  # type: ignore[arg-type]
        except InvalidInput:
            return False
        return True

    @staticmethod
    def check_character(first17: str) -> str:
        """The MOD 11-2 check character for 17 digits.

        >>> CitizenId.check_character("11010519491231002")
        'X'
        """
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

        Codes retired since issue (株洲县 430221) are kept as they are written.
        """
        return AreaCode.parse(self.number[:6])

    def masked(self) -> str:
        """The masked form: first 6 and last 4 characters."""
        return mask_id_number(self.number)

    def __str__(self) -> str:
        return self.masked()

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return _core_schema(cls, cls.parse, lambda v: v.number, lambda v: v.masked())

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return dict(_CITIZEN_ID_JSON)

    def __repr__(self) -> str:
        return f"CitizenId({self.masked()!r})"


# --------------------------------------------------------------------------- AreaCode

_LOCAL_SEGMENT = re.compile(r"^[0-9A-Za-z_\u4e00-\u9fff]{1,40}$")
_AREA_PATTERN = r"^[0-9]{6}([0-9]{3}([0-9]{3})?)?(-[0-9A-Za-z_\u4e00-\u9fff]{1,40})*$"


def _area_error(code: str, message: str, text: object) -> InvalidInput:
    return InvalidInput(code, "area_code", message, value=text)


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


_AREA_CODE_JSON: dict[str, Any] = {
    "type": "string",
    "pattern": _AREA_PATTERN,
    "description": "行政区划代码（GB/T 2260 六位，统计用区划代码九位或十二位），"
    "可附本地编码段 / Division code (GB/T 2260 6 digits, statistical 9 or 12 digits), "
    "optionally followed by local segments",
    "examples": ["430211", "430211001001", "430200-YL"],
}


@attrs.frozen(repr=False, cache_hash=True)
class AreaCode:
    """A division code (GB/T 2260, statistical 9 and 12 digits), or a local code under one.

    Containment is by prefix at level boundaries (2/4/6/9/12 digits); trailing
    zero groups are not significant, so ``430211000`` is the county ``430211``.
    A local code (a unit with no official code, a compound, a building) is an
    official code followed by ``-`` segments: ``430200-YL`` is 云龙示范区 under
    the city of Zhuzhou.

    >>> c = AreaCode.parse("430211001001")
    >>> c.level.value, str(c.parent), str(c.county)
    ('village', '430211001', '430211')
    >>> AreaCode.parse("430200").contains(c), c.contains(AreaCode.parse("430200"))
    (True, False)
    >>> AreaCode.parse("430200-YL").level.value
    'county'
    """

    key: str
    local: tuple[str, ...] = ()

    JSON_PATTERN: ClassVar[str] = _AREA_PATTERN

    @classmethod
    def parse(cls, text: str) -> Self:
        """Validate a code; raise ``InvalidInput`` naming the problem.

        Codes: ``not_string``, ``bad_length``, ``bad_characters``,
        ``unknown_province``, ``bad_local_segment``.

        >>> AreaCode.parse("4302")
        Traceback (most recent call last):
        ...
        gridcare.errors.InvalidInput: area_code: expected 6, 9 or 12 digits, got 4 [bad_length]
        """
        if not isinstance(text, str):
            raise InvalidInput(
                "not_string", "area_code", f"expected a string, got {type(text).__name__}"
            )
        official, *segments = text.split("-")
        if not _ASCII_DIGITS.issuperset(official):
            raise _area_error("bad_characters", "the official part must be digits only", text)
        if len(official) not in (6, 9, 12):
            raise _area_error(
                "bad_length", f"expected 6, 9 or 12 digits, got {len(official)}", text
            )
        if official[:2] not in PROVINCE_CODES:
            raise _area_error("unknown_province", f"no province with code {official[:2]}", text)
        for seg in segments:
            if not _LOCAL_SEGMENT.fullmatch(seg):
                raise _area_error(
                    "bad_local_segment",
                    f"local segment {seg!r} must be 1-40 letters, digits, _ or CJK",
                    text,
                )
        return cls(_significant(official), tuple(segments))

    @classmethod
    def is_valid(cls, text: object) -> bool:
        """Whether ``text`` parses; never raises.

        >>> AreaCode.is_valid("990000"), AreaCode.is_valid("430281")
        (False, True)
        """
        try:
            cls.parse(text)  # type: ignore[arg-type]
        except InvalidInput:
            return False
        return True

    def child(self, segment: str) -> AreaCode:
        """A local code directly under this one.

        >>> str(AreaCode.parse("430211001001").child("B12"))
        '430211001001-B12'
        """
        if not _LOCAL_SEGMENT.fullmatch(segment):
            raise _area_error("bad_local_segment", f"bad local segment {segment!r}", segment)
        return AreaCode(self.key, (*self.local, segment))

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
        return self if not self.local else AreaCode(self.key)

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
            return AreaCode(self.key, self.local[:-1])
        key = self.key
        for cut in (9, 6, 4, 2):
            if len(key) > cut:
                candidate = _significant(_official_text(key[:cut]))
                if len(candidate) < len(key):
                    return AreaCode(candidate)
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
        return AreaCode(_significant(_official_text(self.key[:6])))

    @property
    def province(self) -> AreaCode:
        """The province-level code.

        >>> str(AreaCode.parse("430211001").province)
        '430000'
        """
        return AreaCode(self.key[:2])

    def contains(self, other: AreaCode) -> bool:
        """Whether ``other`` is this area or lies inside it (reflexive).

        >>> AreaCode.parse("430200-YL").contains(AreaCode.parse("430200-YL-S1"))
        True
        >>> AreaCode.parse("430200-YL").contains(AreaCode.parse("430202"))
        False
        """
        if not other.key.startswith(self.key):
            return False
        if not self.local:
            return True
        return other.key == self.key and other.local[: len(self.local)] == self.local

    def prefixes(self) -> tuple[AreaCode, ...]:
        """This code and all its ancestors, coarsest first: the keys a prefix index probes.

        >>> [str(c) for c in AreaCode.parse("430211001").prefixes()]
        ['430000', '430200', '430211', '430211001']
        """
        return (*reversed(tuple(self.ancestors())), self)

    def __str__(self) -> str:
        text = _official_text(self.key)
        return "-".join((text, *self.local)) if self.local else text

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return _core_schema(cls, cls.parse, str, str)

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

# Lenient input: optional +86 / 0086 / 86 prefix, spaces or hyphens between digits.
_PHONE_PATTERN = r"^ *(\+86|0086|86)?[ \-]*1[ \-]*[3-9]([ \-]*[0-9]){9} *$"
_PHONE_RE = re.compile(_PHONE_PATTERN)

# Mobile prefixes allocated by MIIT (mobile, virtual operators, IoT-voice, satellite) as of 2022.
_ALLOCATED_PREFIXES: frozenset[str] = frozenset(
    [f"13{d}" for d in range(10)]
    + ["145", "146", "147", "148", "149"]
    + ["150", "151", "152", "153", "155", "156", "157", "158", "159"]
    + ["162", "165", "166", "167"]
    + ["170", "171", "172", "173", "174", "175", "176", "177", "178"]
    + [f"18{d}" for d in range(10)]
    + ["190", "191", "192", "193", "195", "196", "197", "198", "199"]
)


_PHONE_JSON: dict[str, Any] = {
    "type": "string",
    "pattern": _PHONE_PATTERN,
    "description": "中国大陆手机号码（11位，可带+86、空格或连字符） / Mainland China mobile "
    "number (11 digits; +86, spaces and hyphens accepted)",
    "examples": ["13812345678"],
}


@attrs.frozen(repr=False)
class PhoneNumber:
    """A mainland China mobile number, 11 digits; ``str`` and ``repr`` are masked.

    Input is lenient (``+86``, spaces, hyphens); ``unallocated_prefix`` flags
    numbers whose first three digits no operator holds.

    >>> p = PhoneNumber.parse("138 1234 5678")
    >>> p, p.number, p.unallocated_prefix
    (PhoneNumber('138****5678'), '13812345678', False)
    >>> PhoneNumber.parse("15412345678").unallocated_prefix
    True
    """

    number: str

    JSON_PATTERN: ClassVar[str] = _PHONE_PATTERN

    @classmethod
    def parse(cls, text: str) -> Self:
        """Validate and normalise a mobile number; raise ``InvalidInput`` naming the problem.

        Codes: ``not_string``, ``bad_characters``, ``bad_length``, ``bad_prefix``.

        >>> PhoneNumber.parse("12812345678")
        Traceback (most recent call last):
        ...
        gridcare.errors.InvalidInput: phone: mobile numbers start with 13-19, got 12 [bad_prefix]
        """
        if not isinstance(text, str):
            raise InvalidInput(
                "not_string", "phone", f"expected a string, got {type(text).__name__}"
            )
        # fullmatch: ``$`` alone would let a trailing newline through.
        if _PHONE_RE.fullmatch(text):
            digits = text.replace(" ", "").replace("-", "")
            return cls(digits[-11:])
        stripped = text.strip().replace(" ", "").replace("-", "")
        for prefix in ("+86", "0086"):
            if stripped.startswith(prefix):
                stripped = stripped[len(prefix) :]
        masked = mask_phone(stripped)
        if not _ASCII_DIGITS.issuperset(stripped):
            raise InvalidInput(
                "bad_characters", "phone", "only digits, spaces, hyphens and +86", value=masked
            )
        if len(stripped) == 13 and stripped.startswith("86"):
            stripped = stripped[2:]
        if len(stripped) != 11:
            raise InvalidInput(
                "bad_length", "phone", f"expected 11 digits, got {len(stripped)}", value=masked
            )
        if stripped[0] != "1" or stripped[1] not in "3456789":
            raise InvalidInput(
                "bad_prefix",
                "phone",
                f"mobile numbers start with 13-19, got {stripped[:2]}",
                value=masked,
            )
        # The digits are right but the layout is not (a tab, a stray + or trailing hyphen).
        raise InvalidInput(
            "bad_characters",
            "phone",
            "spaces and hyphens only between digits or after +86, spaces only around",
            value=masked,
        )

    @classmethod
    def is_valid(cls, text: object) -> bool:
        """Whether ``text`` parses; never raises.

        >>> PhoneNumber.is_valid("1381234567")
        False
        """
        try:
            cls.parse(text)  # type: ignore[arg-type]
        except InvalidInput:
            return False
        return True

    @property
    def unallocated_prefix(self) -> bool:
        """Whether the first three digits are outside the operators' allocation table."""
        return self.number[:3] not in _ALLOCATED_PREFIXES

    def masked(self) -> str:
        """The masked form: first 3 and last 4 digits."""
        return mask_phone(self.number)

    def __str__(self) -> str:
        return self.masked()

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return _core_schema(cls, cls.parse, lambda v: v.number, lambda v: v.masked())

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return dict(_PHONE_JSON)

    def __repr__(self) -> str:
        return f"PhoneNumber({self.masked()!r})"
