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
from collections.abc import Sequence
from typing import Any

import attrs

__all__ = [
    "NOT_TEXT",
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


# What may stand between the digit groups of one number: a dot, a hyphen, any space or line
# break, and every character that draws nothing (C0 and C1 controls, the soft hyphen, the
# zero-width and bidirectional format characters, the byte order mark). A number split by
# characters a reader does not see still reads as the number, so it is masked as one.
_SEPARATOR = (
    "[.\\-\\s\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]"
)
# A digit of any script, or a star: a digit already masked. So a masked number masked again
# is read as the number it was and comes out the same (masking twice is masking once), and a
# star typed into a number ("138*12345678") does not split it.
_DIGIT = r"[\d*]"
# A run of digits, with the X an ID number may end in; digit groups joined by one to three
# separators ("138 1234 5678", "+86-138-1234-5678", "138\u200b12345678") are one run. A
# separator is never a digit, so the pattern is linear in the text's length.
_DIGIT_RUN = re.compile(rf"(?<!{_DIGIT}){_DIGIT}+(?:{_SEPARATOR}{{1,3}}{_DIGIT}+)*[Xx]?")
# Splits a run into its digit groups and, between them, the separators kept.
_SEPARATED = re.compile(f"({_SEPARATOR}+)")

#: Fewer digits than this in a run are kept: no phone or ID number is that short.
_PERSONAL_DIGITS = 11


def _mask_digit_run(match: re.Match[str]) -> str:
    run = match.group()
    if sum(ch.isdigit() for ch in run) < _PERSONAL_DIGITS:
        # Too few digits to be a number (ten digits and an X are no phone and no ID
        # number), or a number masked already.
        return run
    parts = _SEPARATED.split(run)  # separators hold no digit, so only groups count below
    if len(parts) == 1:
        return _mask_plain_run(run)
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

    A run of 11 digits is masked as a phone number, a longer run (an ID number,
    which may end in ``X``) as an ID number. A run of exactly 12 ASCII digits
    (a village's division code) and shorter runs are kept, and so is other
    text; digits of other scripts count as digits, so 12 of them, or a phone
    number with one more digit of another script beside it, are masked.
    Groups of digits joined by one to three separators count as one run: dots,
    hyphens, spaces and line breaks, as phone numbers are often typed, and
    characters that draw nothing (controls, zero-width and bidirectional format
    characters), which would otherwise let a number split by them read whole.
    A group of 11 digits or more is masked on its own, all but its first 3 and
    last 4 digits starred (a division code before it stays); otherwise, if the
    groups hold 11 digits or more together, all but the first 3 and the last 4
    digits of the run are starred. A star is a digit already masked: a run
    that shows fewer than 11 digits is kept, and in one that shows more the
    stars count as digits. So masking a masked text changes nothing, and a
    star typed into a number does not split it. This is how errors about bad
    input quote what they were given.

    >>> mask_numbers("430200-13812345678 x")
    '430200-138****5678 x'
    >>> mask_numbers("+86 138 1234 5678, 2022-03-27")
    '+86 1** **** 5678, 2022-03-27'
    >>> mask_numbers("id 11010519491231002X, code 430211001001")
    'id 110105********002X, code 430211001001'
    >>> mask_numbers("138\\u200b12345678") == "138\\u200b****5678"
    True
    >>> mask_numbers("430202 193903070024")
    '430202 193*****0024'
    >>> mask_numbers("13812345678\u0dee")  # a Sinhala digit after a phone number
    '13********8\u0dee'
    >>> mask_numbers("13812345678.2022-03-27"), mask_numbers("138****5678.2022-03-27")
    ('138****5678.2022-03-27', '138****5678.2022-03-27')
    >>> mask_numbers("138*12345678")
    '13********78'
    """
    if not isinstance(text, str):
        return NOT_TEXT
    return _DIGIT_RUN.sub(_mask_digit_run, text)


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


def masked_field_reprs(cls: type, fields: list[attrs.Attribute[Any]]) -> list[attrs.Attribute[Any]]:
    """An attrs ``field_transformer``: each field shown by plain ``repr`` is shown by
    :func:`masked_repr` instead; fields with a ``repr`` of their own, or none, keep it.

    Every attrs class of the library is declared with it, so no ``repr`` shows
    a phone or ID number whole, whichever field it was typed into.

    >>> @attrs.frozen(field_transformer=masked_field_reprs)
    ... class Place:
    ...     name: str
    >>> Place("天元区 13812345678")
    Place(name='天元区 138****5678')
    """
    return [field.evolve(repr=masked_repr) if field.repr is True else field for field in fields]


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
