"""Masking of personal data: names, ID numbers, phone numbers, addresses.

Everything that carries personal data shows only its masked form in ``repr``,
``str``, exports and reports (docs/design.md, "Privacy"). The rules:

* name: first and last character kept, the rest starred (``刘*``, ``刘*娟``);
* citizen ID number: first 6 and last 4 kept (``430211********0022``);
* phone number: first 3 and last 4 kept (``138****5678``);
* address: kept down to the community, everything finer starred;
* any other text that may quote a number (an error about bad input): every run
  of digits long enough to be a phone or ID number masked as one;
* masking never fails: a value that is not text masks to :data:`NOT_TEXT`
  (whoever renders a bad value must neither crash nor reveal it).

>>> mask_name("刘娟"), mask_name("刘晓娟"), mask_id_number("430211199001010022")
('刘*', '刘*娟', '430211********0022')
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

import attrs

__all__ = [
    "NOT_TEXT",
    "PROVINCE_CODES",
    "REVEAL",
    "id_repr",
    "ids_repr",
    "mask_address",
    "mask_id_number",
    "mask_name",
    "mask_numbers",
    "mask_numbers_in_each",
    "mask_phone",
    "mask_text",
    "mask_whole",
    "masked_repr",
    "reveal_requested",
]

#: Pass as pydantic serialization ``context`` to export personal data unmasked,
#: e.g. ``form.model_dump(context=REVEAL)``, or to a result's ``to_dict(REVEAL)``;
#: without it exports are masked.
REVEAL: dict[str, bool] = {"reveal_personal_data": True}

#: What every masking function shows for a value that is not text.
NOT_TEXT = "***"


def reveal_requested(context: object) -> bool:
    """Whether a serialization context asks for unmasked personal data.

    >>> reveal_requested(REVEAL), reveal_requested(None)
    (True, False)
    """
    return isinstance(context, dict) and context.get("reveal_personal_data") is True


def mask_name(name: str) -> str:
    """Mask a person's name: keep the first character, and the last when there are three or more.

    >>> mask_name("刘"), mask_name("刘娟"), mask_name("欧阳晓娟")
    ('*', '刘*', '欧**娟')
    >>> mask_name("Li Na"), mask_name(None)
    ('L***a', '***')
    """
    if not isinstance(name, str):
        return NOT_TEXT
    text = name.strip()
    n = len(text)
    if n == 0:
        return ""
    if n == 1:
        return "*"
    if n == 2:
        return text[0] + "*"
    return text[0] + "*" * (n - 2) + text[-1]


def mask_id_number(number: str) -> str:
    """Mask an identity document number: first 6 and last 4 characters kept.

    Short numbers (passports) keep the first 2 and last 2.

    >>> mask_id_number("11010519491231002X")
    '110105********002X'
    >>> mask_id_number("E12345678")
    'E1*****78'
    """
    if not isinstance(number, str):
        return NOT_TEXT
    text = number.strip()
    n = len(text)
    if n >= 15:
        return text[:6] + "*" * (n - 10) + text[-4:]
    if n > 4:
        return text[:2] + "*" * (n - 4) + text[-2:]
    return "*" * n


def mask_phone(number: str) -> str:
    """Mask a phone number: first 3 and last 4 digits kept.

    >>> mask_phone("13812345678"), mask_phone(13812345678)
    ('138****5678', '***')
    """
    if not isinstance(number, str):
        return NOT_TEXT
    text = number.strip()
    n = len(text)
    if n >= 8:
        return text[:3] + "*" * (n - 7) + text[-4:]
    return "*" * n


#: GB/T 2260 province-level prefixes (two digits), and 83: the residence permits
#: of Taiwan residents carry 830000, as those of Hong Kong and Macau residents
#: carry 810000 and 820000. An ID number starts with one of them.
PROVINCE_CODES: frozenset[str] = frozenset(
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34",
        "35", "36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52",
        "53", "54", "61", "62", "63", "64", "65", "71", "81", "82", "83",
    }
)  # fmt: skip

#: Fewer digits than this in a run are kept: no phone or ID number is that short.
_PERSONAL_DIGITS = 11

# Characters that draw nothing: C0 and C1 controls, every format character (the soft hyphen,
# the zero-width and bidirectional marks, the byte order mark, the tags) and the other
# characters Unicode asks a renderer to ignore (the combining grapheme joiner, the Hangul
# fillers, the variation selectors). A number split by them still reads as the number.
_INVISIBLE = (
    "\x00-\x1f\x7f-\x9f\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891"
    "\u08e2\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u2028-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
    # Marks that combine with the digit before them (an overline, a keycap's frame), and code
    # points that show nothing of their own (private use, surrogates, noncharacters).
    "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
    "\ud800-\udfff\ue000-\uf8ff\ufdd0-\ufdef\ufffe\uffff"
    "\U000f0000-\U0010ffff"
)
# What may stand between the digit groups of one number, whatever its digits: a dot, a
# hyphen, any space or line break, and the characters that draw nothing.
_SEPARATORS = ".\\-\\s" + _INVISIBLE
_SEPARATOR = "[" + _SEPARATORS + "]"
# Marks people also type inside a phone or ID number ("(138)1234-5678", "138/1234/5678",
# "430202_19900101_1234", the full-width and small forms of Chinese text, the dashes, the
# minus and fraction slashes), but which figures and instants are written with too
# ("7,178 (+882)", "08:00:00+08:00"). Digits joined by them are masked only where they have
# the shape of a mobile or an ID number (_mobile_keeps, _looks_like_id_number). ASCII
# braces are not among them: an error shows a character that does not print as its code
# point between braces (``\u{36680}``), and those digits join no others.
_WIDE_SEPARATOR = (
    "["
    + _SEPARATORS
    + "/\\\\_,;:+()\\[\\]<>|~'\"#·、。〈〉《》「」『』【】〔〕〖〗〘〙〚〛‐-―−⁄∕・〜…•ー=@"
    + "\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\ufe50-\ufe6b]"
)
# A digit: any character Python counts as one (``str.isdigit``: the decimal digits of every
# script, and superscript, subscript and circled digits), or a star: a digit already masked.
# So a masked number masked again is read as the number it was and comes out the same
# (masking twice is masking once), and a star typed into a number ("138*12345678") does not
# split it.
_DIGIT = (
    "[\\d*\u00b2\u00b3\u00b9\u1369-\u1371\u19da\u2070\u2074-\u2079\u2080-\u2089"
    "\u2460-\u2468\u2474-\u247c\u2488-\u2490\u24ea\u24f5-\u24fd\u24ff\u2776-\u277e"
    "\u2780-\u2788\u278a-\u2792\U00010a40-\U00010a43\U00010e60-\U00010e68"
    "\U00011052-\U0001105a\U0001f100-\U0001f10a]"
)
# A run of digits, with the X an ID number may end in; digit groups joined by one to three
# separators ("138 1234 5678", "+86-138-1234-5678", "138\u200b12345678") are one run. A
# separator is never a digit, so the pattern is linear in the text's length.
# (The lookahead skips, inside the regular expression engine, every run too short to hold 11
# digits: most digits in text are a house number or a date.)
_DIGIT_RUN = re.compile(
    f"(?<!{_DIGIT})(?=(?:{_DIGIT}|{_SEPARATOR}){{{_PERSONAL_DIGITS}}})"
    f"{_DIGIT}+(?:{_SEPARATOR}{{1,3}}{_DIGIT}+)*[Xx]?"
)
# Splits a run into its digit groups and, between them, the separators kept.
_SEPARATED = re.compile(f"({_SEPARATOR}+)")
# Digit groups joined by one to 16 of the wider marks: where a number may hide in pieces.
# At least two groups, or one and an ID number's X standing apart ("...1234 X").
_WIDE_RUN = re.compile(
    f"(?<!{_DIGIT})(?=(?:{_DIGIT}|{_WIDE_SEPARATOR}){{{_PERSONAL_DIGITS}}})"
    f"{_DIGIT}+(?:(?:{_WIDE_SEPARATOR}{{1,16}}{_DIGIT}+)+(?:{_WIDE_SEPARATOR}{{0,16}}[Xx])?"
    f"|{_WIDE_SEPARATOR}{{1,16}}[Xx])"
)
_GROUP = re.compile(f"{_DIGIT}+[Xx]?|[Xx]")
# What joins two groups of one :data:`_DIGIT_RUN`.
_NARROW_JOIN = re.compile(f"{_SEPARATOR}{{1,3}}")

#: The most digits a number the masks look for has (an ID number).
_LONGEST_NUMBER = 18
#: The digits of an ID number's area, which its mask keeps.
_ID_AREA = 6


def _mask_digit_run(match: re.Match[str]) -> str:
    run = match.group()
    if sum(ch.isdigit() for ch in run) < _PERSONAL_DIGITS:
        # Too few digits to be a number (ten digits and an X are no phone and no ID
        # number), or a number masked already.
        return run
    parts = _SEPARATED.split(run)  # separators hold no digit, so only groups count below
    if len(parts) == 1:
        return _mask_plain_run(run)
    if _looks_like_id_number(_digit_values("".join(parts[::2]))):
        # An ID number split by spaces or hyphens is masked as one: its area kept.
        return _mask_inner_digits(run, keep_first=_ID_AREA, keep_last=4)
    if any(_digits(part) >= _PERSONAL_DIGITS for part in parts):
        return "".join(
            # A long group is a number of its own (a phone after a division code), or a
            # part of one (an ID number split after its area): either way, all but its
            # first 3 and last 4 digits are starred, a 12-digit group too.
            _mask_inner_digits(part, keep_first=3, keep_last=4)
            if _digits(part) >= _PERSONAL_DIGITS
            else part
            for part in parts
        )
    return _mask_inner_digits(run, keep_first=3, keep_last=4)


def _mask_wide_run(match: re.Match[str]) -> str:
    """Mask each stretch of a run's groups that reads as a mobile or an ID number.

    Only stretches joined by at least one of the wider marks are read here (a stretch joined
    by separators alone is one run of :data:`_DIGIT_RUN`, masked already if long enough).
    From each group, the stretch :func:`_number_at` finds is masked as the number it looks
    like (a mobile's first 3 and last 4 digits kept, an ID number's first 6 and last 4) and
    the reading goes on after it; a stretch holds at most six groups and 19 characters, so
    the reading is linear in the run's length.
    """
    run = match.group()
    groups = [(group.start(), group.end()) for group in _GROUP.finditer(run)]
    if len(groups) < 2:
        return run
    digits = [_digit_values(run[start:end]) for start, end in groups]
    wide_join = [
        _NARROW_JOIN.fullmatch(run, groups[k][1], groups[k + 1][0]) is None
        for k in range(len(groups) - 1)
    ]
    if not any(wide_join):
        return run  # one run of the first reading, masked there if it holds a number
    shown = list(run)
    i = 0
    while i < len(groups):
        found = _number_at(digits, wide_join, i)
        if found is None:
            i += 1
            continue
        last, keep_first = found
        start, end = groups[i][0], groups[last][1]
        shown[start:end] = _mask_inner_digits(run[start:end], keep_first=keep_first, keep_last=4)
        i = last + 1
    return "".join(shown)


#: The most groups a mobile number is typed in ("(138)1234-5678"), and one with the country
#: code ("+86 (138) 1234-5678"); the most an ID number is. Figures and instants with the
#: same digits come in more pieces ("15,000,000,000", "13 15:30:45,123").
_MOBILE_GROUPS = 3
_ID_GROUPS = 6


def _number_at(digits: list[str], wide_join: list[bool], i: int) -> tuple[int, int] | None:
    """The stretch of groups from group ``i`` that reads as a number, joined by at least one
    of the wider marks: its last group and how many of its first digits the mask keeps.

    Where a mobile number and a longer ID number both start there, the ID number is taken,
    unless another mobile number starts right after the first: two mobiles side by side
    have an ID number's length, and an ID number may begin with a mobile's digits.
    ``None`` if neither starts there.
    """
    mobile, id_number = _stretches_at(digits, wide_join, i)
    if mobile is not None and id_number is not None:
        following, _ = _stretches_at(digits, wide_join, mobile[0] + 1)
        return mobile if following is not None else id_number
    return mobile or id_number


def _stretches_at(
    digits: list[str], wide_join: list[bool], i: int
) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
    """The shortest stretch from group ``i`` that reads as a mobile number and the one that
    reads as an ID number, each as (its last group, the first digits its mask keeps)."""
    mobile: tuple[int, int] | None = None
    id_number: tuple[int, int] | None = None
    stretch = ""
    for j in range(i, min(len(digits), i + _ID_GROUPS)):
        stretch += digits[j]
        if len(stretch) > _LONGEST_NUMBER + 1:
            break
        if not any(wide_join[i:j]):
            continue
        keep = _mobile_keeps(stretch, j - i + 1)
        if keep and mobile is None:
            mobile = (j, keep)
        if id_number is None and _looks_like_id_number(stretch):
            id_number = (j, _ID_AREA)
    return mobile, id_number


def _digit_values(group: str) -> str:
    """A group's digits as ASCII digits (a star and an ID number's X kept as they are)."""
    if group.isascii():
        return group
    return "".join(ch if ch in "*Xx" else str(unicodedata.digit(ch)) for ch in group)


# A stretch's digits are read by :func:`_digit_values`: ASCII digits, stars for digits masked
# and an X only at the end. Only a stretch's length, its number of groups, its last character
# and its first four digits are read: a mask keeps every digit's place and the first digits
# those rules read (three of a mobile, five after 86, six of an ID number), so a number
# masked reads as it did (masking twice is masking once). A star among them is a digit
# masked as part of another number: none starts there.


def _mobile_keeps(digits: str, groups: int) -> int:
    """How many first digits a mobile number's mask keeps, if ``digits`` (in ``groups``
    pieces) read as one; else 0.

    A mainland mobile number: 11 digits, 1 then 3 to 9, in at most three pieces (3 kept),
    or the same after the country code 86 in at most four (5 kept: 86 and the 3). An X
    after it (a stray letter) does not hide it.
    """
    number = digits[:-1] if digits[-1:] in ("X", "x") else digits
    if len(number) == _PERSONAL_DIGITS and groups <= _MOBILE_GROUPS:
        return 3 if number[0] == "1" and number[1] in "3456789" else 0
    if len(number) == _PERSONAL_DIGITS + 2 and groups <= _MOBILE_GROUPS + 1:
        return 5 if number[:3] == "861" and number[3] in "3456789" else 0
    return 0


def _looks_like_id_number(digits: str) -> bool:
    """Whether a stretch reads as an ID number: 18 characters, a province's code first."""
    return len(digits) == _LONGEST_NUMBER and digits[:2] in PROVINCE_CODES


def _digits(run: str) -> int:
    """How many digits ``run`` holds, masked ones included (an ID number's final X is not one)."""
    return sum(ch.isdigit() or ch == "*" for ch in run)


def _mask_plain_run(run: str) -> str:
    """A run of one group that shows 11 digits or more."""
    if len(run) == _PERSONAL_DIGITS:
        return mask_phone(run)
    if len(run) == 12 and run.isascii() and run.isdigit():
        return run  # a village's division code (ASCII digits only): not personal data
    return mask_id_number(run)


def _mask_inner_digits(run: str, *, keep_first: int, keep_last: int) -> str:
    """Star every digit of ``run`` but the first and last few; separators stay."""
    total = sum(ch.isdigit() or ch in "Xx*" for ch in run)
    seen = 0
    out = []
    for ch in run:
        if ch.isdigit() or ch in "Xx*":
            seen += 1
            out.append(ch if seen <= keep_first or seen > total - keep_last else "*")
        else:
            out.append(ch)
    return "".join(out)


def mask_numbers(text: str) -> str:
    """Mask every run of digits in ``text`` that could be a phone or an ID number.

    Two readings, the second over what the first leaves:

    1. *Runs.* Groups of digits joined by one to three separators count as one
       run: dots, hyphens, spaces and line breaks, as phone numbers are often
       typed, and characters that draw nothing (controls, format characters
       such as zero-width and bidirectional marks, variation selectors, the
       other characters Unicode asks a renderer to ignore), which would
       otherwise let a number split by them read whole; so do marks that
       combine with the digit before them (an overline, a keycap's frame)
       and code points that show nothing of their own (private use,
       surrogates, noncharacters). A run of 11 digits is
       masked as a phone number, a longer run (an ID number, which may end in
       ``X``) as an ID number. A run of exactly 12 ASCII digits (a village's
       division code) and shorter runs are kept. A run of several groups that
       reads as an ID number (18 characters, a province's code first) keeps
       its first 6 and last 4; otherwise a group of 11 digits or more is
       masked on its own, all but its first 3 and last 4 digits starred (a
       division code before it stays), and if the groups hold 11 digits or
       more together, all but the first 3 and the last 4 digits of the run
       are starred.
    2. *Numbers in pieces.* Groups joined by up to 16 of the wider marks
       people type inside a number as well (slashes, underscores, commas,
       colons, plus signs, brackets, four spaces or more, the full-width
       forms of Chinese text) are masked where a stretch of them, joined by
       at least one such mark, reads as a mainland mobile number (11 digits,
       1 then 3 to 9, in at most three pieces: first 3 and last 4 kept; after
       the country code 86, in at most four: first 5 kept) or as an ID
       number (18 characters, a province's code first, in at most six
       pieces: first 6 and last 4 kept). Where both start at one group, the
       ID number is taken unless another mobile follows the first (two
       mobiles side by side have an ID number's length). Figures and
       instants are written with the same marks ("7,178 (+882)",
       "15,000,000,000", "2022-03-13 15:30:45,123") and have neither shape
       in so few pieces, so they stay readable.

    A digit is any character Python counts as one (``str.isdigit``: the
    digits of every script, superscripts, circled digits), so a phone number
    with one more digit of another script beside it is masked. A star is a
    digit already masked: a run that shows fewer than 11 digits is kept, and
    in one that shows more the stars count as digits. So masking a masked
    text changes nothing, and a star typed into a number does not split it.
    This is how errors about bad input quote what they were given.

    >>> mask_numbers("430200-13812345678 x")
    '430200-138****5678 x'
    >>> mask_numbers("+86 138 1234 5678, 2022-03-27")
    '+86 1** **** 5678, 2022-03-27'
    >>> mask_numbers("id 11010519491231002X, code 430211001001")
    'id 110105********002X, code 430211001001'
    >>> mask_numbers("138\\u200b12345678") == "138\\u200b****5678"
    True
    >>> mask_numbers("430202 193903070024")
    '430202 ********0024'
    >>> mask_numbers("(138)1234-5678, 430202/19900101/1234, 7,178 (+882)")
    '(138)****-5678, 430202/********/1234, 7,178 (+882)'
    >>> mask_numbers("13812345678\u0dee")  # a Sinhala digit after a phone number
    '13********8\u0dee'
    >>> mask_numbers("13812345678.2022-03-27"), mask_numbers("138****5678.2022-03-27")
    ('138****5678.2022-03-27', '138****5678.2022-03-27')
    >>> mask_numbers("138*12345678")
    '13********78'
    """
    if not isinstance(text, str):
        return NOT_TEXT
    return _WIDE_RUN.sub(_mask_wide_run, _DIGIT_RUN.sub(_mask_digit_run, text))


def id_repr(value: object) -> str:
    """``repr`` of an id as a display shows it: any phone or ID number in it masked.

    For the ``repr`` of fields that hold a resident's, a household's or a
    worker's id: ids should mean nothing, but a register keyed by ID number
    would otherwise show it in every ``repr``.

    Anything but text or ``None`` (which a checked field never holds) is
    shown as ``'***'``, never by its own ``repr``.

    >>> id_repr("R1"), id_repr("430202193903070024"), id_repr(None), id_repr([[1]])
    ("'R1'", "'430202********0024'", 'None', "'***'")
    """
    if value is None:
        return "None"
    return repr(mask_numbers(value) if isinstance(value, str) else NOT_TEXT)


def ids_repr(values: object) -> str:
    """``repr`` of a tuple of ids, each shown as :func:`id_repr` shows it.

    Anything but a tuple (which a checked field never holds) is shown as
    ``'***'``, and so is an item of it that is not text.

    >>> ids_repr(("R1", "13812345678")), ids_repr(None)
    ("('R1', '138****5678')", "'***'")
    """
    if not isinstance(values, tuple):
        return repr(NOT_TEXT)
    return repr(tuple(mask_numbers(v) for v in values))


def masked_repr(value: object) -> str:
    """``repr`` of any value with every phone or ID number in it masked (:func:`mask_numbers`).

    Text (``str`` itself) is masked before it is quoted, so an escape in the quoted form (a
    zero-width space shown as ``\\u200b``) cannot split a number out of sight
    of the mask; tuples, lists and dicts are shown item by item the same way;
    any other value by its own ``repr``, masked. It never raises: containers
    nested deeper than eight levels show ``[...]`` there, and a value whose own
    ``repr`` fails shows as ``'***'``. The ``repr`` of every field of
    the library's records goes through this (:func:`masked_field_reprs`), so
    a phone number typed into a place name, a note or an id never shows whole.

    >>> masked_repr("K-13812345678"), masked_repr(("R1", "430202193903070024"))
    ("'K-138****5678'", "('R1', '430202********0024')")
    >>> masked_repr("138\\u200b12345678") == "'138\\\\u200b****5678'", masked_repr(3)
    (True, '3')
    """
    try:
        return _masked_repr(value, _REPR_DEPTH)
    except Exception:  # a value whose own repr fails is shown as not text, never raised
        return repr(NOT_TEXT)


#: How deep :func:`masked_repr` shows tuples, lists and dicts inside each other.
_REPR_DEPTH = 8


def _masked_repr(value: object, depth: int) -> str:
    if type(value) is str:  # an enum's member is shown as its repr, which it shows anyway
        return repr(mask_numbers(value))
    if type(value) is dict:
        if depth == 0:
            return "{...}"
        pairs = ", ".join(
            f"{_masked_repr(k, depth - 1)}: {_masked_repr(v, depth - 1)}" for k, v in value.items()
        )
        return "{" + pairs + "}"
    if type(value) is list:
        return "[...]" if depth == 0 else f"[{_masked_items(value, depth - 1)}]"
    if type(value) is tuple:
        if depth == 0:
            return "(...)"
        comma = "," if len(value) == 1 else ""
        return f"({_masked_items(value, depth - 1)}{comma})"
    return mask_numbers(repr(value))


def _masked_items(values: list[object] | tuple[object, ...], depth: int) -> str:
    return ", ".join(_masked_repr(item, depth) for item in values)


#: The attrs field metadata key under which a personal field keeps its mask (set by
#: :func:`gridcare.serial.personal`; read here, so that ``repr`` masks as exports do).
PERSONAL_MASK_KEY = "gridcare.personal"


def masked_field_reprs(cls: type, fields: list[attrs.Attribute[Any]]) -> list[attrs.Attribute[Any]]:
    """An attrs ``field_transformer``: each field shown by plain ``repr`` is shown masked;
    fields with a ``repr`` of their own, or none, keep it.

    A field marked personal (:func:`gridcare.serial.personal`) is shown through
    its own mask, as its masked export shows it (a note typed by a worker keeps
    its first two characters); any other through :func:`masked_repr`. Every
    attrs class of the library is declared with it, so no ``repr`` shows a
    phone or ID number whole, whichever field it was typed into, nor a personal
    field more than its export does.

    >>> @attrs.frozen(field_transformer=masked_field_reprs)
    ... class Place:
    ...     name: str
    ...     note: str = attrs.field(default="", metadata={PERSONAL_MASK_KEY: mask_text})
    >>> Place("天元区 13812345678", note="刘晓娟不在家")
    Place(name='天元区 138****5678', note='刘晓***')
    """
    return [
        field.evolve(repr=_repr_of(field.metadata.get(PERSONAL_MASK_KEY)))
        if field.repr is True
        else field
        for field in fields
    ]


def _repr_of(mask: Any) -> Any:
    """The ``repr`` of a field: :func:`masked_repr`, after the field's own mask if it has one."""
    if mask is None:
        return masked_repr
    return _PersonalRepr(mask)


@attrs.frozen
class _PersonalRepr:
    """A personal field's ``repr``: its mask, then :func:`masked_repr` (``None`` stays)."""

    mask: Any = attrs.field(repr=False)

    def __call__(self, value: object) -> str:
        return masked_repr(value if value is None else self.mask(value))


def mask_address(parts: Sequence[str], keep: int) -> str:
    """Join an address from coarse to fine, starring every part after the first ``keep``.

    ``keep`` is the number of parts down to and including the community. The
    parts kept are places, but a phone or ID number typed into one is masked
    all the same (:func:`mask_numbers`).

    >>> mask_address(["天元区", "嵩山街道", "大塘社区", "3栋", "2单元", "301"], keep=3)
    '天元区嵩山街道大塘社区***'
    >>> mask_address(["天元区 13812345678", "嵩山街道"], keep=2)
    '天元区 138****5678嵩山街道'
    """
    if (
        isinstance(parts, str)
        or not isinstance(parts, Sequence)
        or not all(isinstance(part, str) for part in parts)
        or isinstance(keep, bool)
        or not isinstance(keep, int)
        or keep < 0
    ):
        return NOT_TEXT
    shown = mask_numbers("".join(parts[:keep]))
    return shown + ("***" if len(parts) > keep else "")


def mask_numbers_in_each(texts: tuple[str, ...]) -> tuple[str, ...]:
    """:func:`mask_numbers` over each text of a tuple (names, field paths): the texts stay
    readable, their phone and ID numbers masked. Anything but a tuple of texts gives
    ``(NOT_TEXT,)``, as the other masks show a value that is not text.

    >>> mask_numbers_in_each(("王师傅13812345678", "gas"))
    ('王师傅138****5678', 'gas')
    """
    if type(texts) is not tuple or not all(type(text) is str for text in texts):
        return (NOT_TEXT,)
    return tuple(mask_numbers(text) for text in texts)


def mask_whole(text: str) -> str:
    """Mask a text whole: nothing of it shown (a part of an address below the community).

    >>> mask_whole("3栋1单元301"), mask_whole(None)
    ('***', '***')
    """
    return NOT_TEXT


def mask_text(text: str) -> str:
    """Mask free text that may hold personal data: keep the first 2 characters only.

    >>> mask_text("芦淞区建设南路12号3栋")
    '芦淞***'
    """
    if not isinstance(text, str):
        return NOT_TEXT
    stripped = text.strip()
    if len(stripped) <= 2:
        return "*" * len(stripped)
    return stripped[:2] + "***"
