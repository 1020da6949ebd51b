"""Hypothesis strategies for gridcare's value types and hierarchies.

Rules these strategies obey (docs/tutorial-testing.md):

* names are plural nouns (``citizen_ids()``, ``area_codes()``, ``hierarchies()``);
* they are sound: they never produce invalid data unless asked for it, and what
  they produce has been through the library's own parsers;
* their arguments are checked when the strategy is built, not when it is
  first drawn from: a bad one raises :class:`~gridcare.errors.InvalidInput`
  (a code, the argument's name as field) that is also hypothesis's
  :class:`hypothesis.errors.InvalidArgument`.

``register_type_strategies()`` (called through the ``hypothesis`` entry point)
makes ``st.from_type(CitizenId)`` and friends work in any test suite.

>>> from hypothesis import given
>>> @given(citizen_ids())
... def test_round_trip(cid):
...     assert CitizenId.parse(cid.number).number == cid.number
>>> test_round_trip()
"""

from __future__ import annotations

# Defined before hypothesis is imported: when this module is the first to import
# hypothesis, hypothesis runs its entry points (ours calls this function) while
# this module is still half-initialised; the call is then finished at the end.
_IMPORTED = False
_REGISTER_WHEN_IMPORTED = False


def register_type_strategies() -> None:
    """Register a strategy for each public value type, for ``st.from_type``.

    Types: ``CitizenId``, ``AreaCode``, ``PhoneNumber``, ``Hierarchy``, ``Rate``.
    Idempotent: registering again replaces the same strategies.

    >>> from hypothesis import given
    >>> register_type_strategies()
    >>> @given(st.from_type(CitizenId))
    ... def test(cid):
    ...     assert isinstance(cid, CitizenId)
    >>> test()
    """
    global _REGISTER_WHEN_IMPORTED
    if not _IMPORTED:
        _REGISTER_WHEN_IMPORTED = True
        return
    st.register_type_strategy(CitizenId, citizen_ids())
    st.register_type_strategy(AreaCode, area_codes())
    st.register_type_strategy(PhoneNumber, phone_numbers(allocated=None))
    st.register_type_strategy(Hierarchy, hierarchies(max_nodes=20))
    st.register_type_strategy(Rate, rates())


import functools  # noqa: E402
from collections.abc import Callable, Iterable, Sequence  # noqa: E402
from datetime import UTC, date, datetime, timedelta, tzinfo  # noqa: E402
from typing import Any, Final, Literal, ParamSpec, TypeVar, cast, overload  # noqa: E402

from gridcare.testing._arguments import require_extra  # noqa: E402

require_extra("hypothesis", __name__)  # a plain install: say which extra brings it

from hypothesis import assume  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.errors import InvalidArgument  # noqa: E402

from gridcare.codes import (  # noqa: E402
    MAX_LOCAL_SEGMENTS,
    PROVINCE_CODES,
    AreaCode,
    AreaLevel,
    CitizenId,
    PhoneNumber,
)
from gridcare.errors import FieldError, InvalidInput, require_instance, require_int  # noqa: E402
from gridcare.hierarchy import Hierarchy, Node, NodeKind  # noqa: E402
from gridcare.rates import Rate  # noqa: E402
from gridcare.screening.round import require_kind  # noqa: E402
from gridcare.testing._arguments import (  # noqa: E402
    require_ordered,
    require_size,
    require_some,
)
from gridcare.timeutil import require_aware, zone  # noqa: E402

__all__ = [
    "INVALID_CITIZEN_ID_KINDS",
    "area_codes",
    "aware_datetimes",
    "citizen_id_strings",
    "citizen_ids",
    "hierarchies",
    "hierarchy_rows",
    "node_kinds",
    "phone_number_strings",
    "phone_numbers",
    "rates",
    "register_type_strategies",
]

InvalidCitizenIdKind = Literal["length", "characters", "birth_date", "checksum", "area_code"]

#: The kinds of invalid ID number ``citizen_ids(valid=False, invalid=...)`` can make,
#: each with the ``InvalidInput`` code ``CitizenId.parse`` gives it.
INVALID_CITIZEN_ID_KINDS: Final[dict[str, str]] = {
    "length": "bad_length",
    "characters": "bad_characters",
    "birth_date": "bad_birth_date",
    "checksum": "bad_checksum",
    "area_code": "bad_area_code",
}

_DIGITS = "0123456789"
_PROVINCES: tuple[str, ...] = tuple(sorted(PROVINCE_CODES))
_NOT_PROVINCES: tuple[str, ...] = tuple(
    f"{i:02d}" for i in range(100) if f"{i:02d}" not in PROVINCE_CODES
)
# Every value a check character can take (GB 11643: the MOD 11-2 remainder 10 is X).
_CHECK_CHARACTERS = "0123456789X"
_OFFICIAL_LEVELS: tuple[AreaLevel, ...] = (
    AreaLevel.PROVINCE,
    AreaLevel.PREFECTURE,
    AreaLevel.COUNTY,
    AreaLevel.TOWN,
    AreaLevel.VILLAGE,
)
_LEVEL_RANK: dict[AreaLevel, int] = {level: i for i, level in enumerate(AreaLevel)}
_DEFAULT_ZONE_NAMES: tuple[str, ...] = (
    "Asia/Shanghai",
    "UTC",
    "Asia/Urumqi",
    "Asia/Tokyo",
    "Europe/London",
    "America/New_York",
    "America/Santiago",
    "Australia/Lord_Howe",
    "Pacific/Kiritimati",
)
# Local segments: letters, digits, underscore and CJK (codes.py, ``_LOCAL_SEGMENT``).
_SEGMENT_ALPHABET = st.sampled_from(
    "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz0123456789_栋单元号楼区园村组"
)
_UP_TO_TWO = st.integers(0, 2)
_SEGMENTS = st.text(_SEGMENT_ALPHABET, min_size=1, max_size=6)
_NAMES = st.text(
    st.sampled_from("株洲天元荷塘芦淞石峰醴陵攸县茶炎云龙第一二三四五网格社区村栋单元户号楼"),
    min_size=1,
    max_size=6,
)


# --------------------------------------------------------------------------- checked builders

P = ParamSpec("P")
R = TypeVar("R")


class InvalidStrategyArgument(InvalidInput, InvalidArgument):
    """A strategy builder's bad argument: ``InvalidInput`` and hypothesis's ``InvalidArgument``.

    Every builder of :mod:`gridcare.testing` raises it when called with a bad
    argument, so callers catching either keep working.

    >>> err = InvalidStrategyArgument("out_of_range", "max_nodes", "must be at most 1000")
    >>> isinstance(err, InvalidArgument), err.code, err.field
    (True, 'out_of_range', 'max_nodes')
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return (_strategy_error, (self.errors,))


def _strategy_error(errors: tuple[FieldError, ...]) -> InvalidStrategyArgument:
    return cast(InvalidStrategyArgument, InvalidStrategyArgument.collect(errors))


def checked(build: Callable[P, R]) -> Callable[P, R]:
    """``build`` raising its ``InvalidInput`` as an :class:`InvalidStrategyArgument`.

    A builder checks its arguments when called (the checks raise
    ``InvalidInput``); this makes the error hypothesis's too.

    >>> @checked
    ... def strategy(n):
    ...     return require_int(n, "n", low=0)
    >>> strategy(-1)
    Traceback (most recent call last):
    ...
    gridcare.testing.strategies.InvalidStrategyArgument: n: must not be negative [negative]
    """

    @functools.wraps(build)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return build(*args, **kwargs)
        except InvalidStrategyArgument:
            raise
        except InvalidInput as err:
            raise _strategy_error(err.errors) from None

    return call


# --------------------------------------------------------------------------- helpers


#: The largest count ``rates(max_count=...)`` takes (a signed 64-bit count).
_MAX_COUNT = 2**63 - 1


def _check_bool(name: str, value: object) -> bool:
    return require_instance(value, bool, name, code="bad_flag")


def _area_code_argument(name: str, value: object) -> AreaCode | None:
    if value is None or isinstance(value, AreaCode):
        return value
    if not isinstance(value, str):
        raise InvalidInput(
            "wrong_type",
            name,
            f"expected an AreaCode, a code text or None, got {type(value).__name__}",
            value=value,
        )
    try:
        return AreaCode.parse(value)
    except InvalidInput as err:  # the parser's own code, at this argument
        raise InvalidInput(err.code, name, err.message, value=value) from None


@functools.cache
def _digits(size: int, *, nonzero: bool = False) -> st.SearchStrategy[str]:
    """``size`` ASCII digits; with ``nonzero`` never all zeros (a significant code group)."""
    low = 1 if nonzero else 0
    return st.integers(low, 10**size - 1).map(lambda n: f"{n:0{size}d}")


# --------------------------------------------------------------------------- citizen IDs


def _id_body(draw: st.DrawFn, born: date) -> str:
    area = draw(st.sampled_from(_PROVINCES)) + draw(_digits(4))
    sequence = draw(_digits(3))
    return area + born.strftime("%Y%m%d") + sequence


_BIRTH_DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2022, 12, 31))


@st.composite
def _valid_numbers(draw: st.DrawFn) -> str:
    body = _id_body(draw, draw(_BIRTH_DATES))
    return body + CitizenId.check_character(body)


@st.composite
def _legacy_numbers(draw: st.DrawFn) -> str:
    """Valid 15-digit numbers: 6-digit area, YYMMDD in the 1900s, 3-digit sequence."""
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)))
    area = draw(st.sampled_from(_PROVINCES)) + draw(_digits(4))
    return area + born.strftime("%y%m%d") + draw(_digits(3))


@st.composite
def _lower_case_x(draw: st.DrawFn, number: str) -> str:
    if number.endswith("X") and draw(st.booleans()):
        return number[:-1] + "x"
    return number


@st.composite
def _bad_length_numbers(draw: st.DrawFn) -> str:
    size = draw(st.integers(0, 30).filter(lambda n: n not in (15, 18)))
    base = draw(_valid_numbers())
    if size <= 18 and draw(st.booleans()):
        return base[:size]  # a truncated real number
    return draw(st.text(alphabet=_DIGITS + "Xx", min_size=size, max_size=size))


@st.composite
def _bad_character_numbers(draw: st.DrawFn) -> str:
    number = draw(st.one_of(_valid_numbers(), _legacy_numbers()))
    where = draw(st.integers(0, len(number) - 1))
    last_of_18 = len(number) == 18 and where == 17
    allowed = set(_DIGITS) | ({"X", "x"} if last_of_18 else set())
    # Full-width digits and X are read as ASCII, blanks at either end dropped: not bad.
    allowed |= set("０１２３４５６７８９Ｘｘ")
    at_end = where in (0, len(number) - 1)
    bad = draw(
        st.one_of(
            st.sampled_from("xX 一二-_.;/\\\n\t"),
            st.characters(codec="utf-8"),
        ).filter(lambda c: c not in allowed and not (at_end and c.isspace()))
    )
    return number[:where] + bad + number[where + 1 :]


def _is_birth_date(year: int, month: int, day: int) -> bool:
    """Whether ``CitizenId.parse`` takes this as a birth date: a real date from 1850 on."""
    try:
        date(year, month, day)
    except ValueError:
        return False
    return year >= 1850


@st.composite
def _bad_birth_date_numbers(draw: st.DrawFn) -> str:
    legacy = draw(st.booleans())
    # Legacy numbers have YYMMDD read as 19YY: only the month and day can be wrong.
    year = draw(st.integers(1900, 1999) if legacy else st.integers(0, 9999))
    month = draw(st.one_of(st.integers(1, 12), st.integers(0, 99)))
    day = draw(st.one_of(st.integers(28, 31), st.integers(0, 99)))
    if _is_birth_date(year, month, day):
        day = 0  # a real date: break the day (no month has a day 0)
    birth = f"{year % 100:02d}" if legacy else f"{year:04d}"
    area = draw(st.sampled_from(_PROVINCES)) + draw(_digits(4))
    body = area + f"{birth}{month:02d}{day:02d}" + draw(_digits(3))
    if legacy:
        return body
    return body + CitizenId.check_character(body)


@st.composite
def _bad_checksum_numbers(draw: st.DrawFn) -> str:
    number = draw(_valid_numbers())
    wrong = draw(st.sampled_from(_CHECK_CHARACTERS).filter(lambda c: c != number[17]))
    if wrong == "X" and draw(st.booleans()):
        wrong = "x"
    return number[:17] + wrong


@st.composite
def _bad_area_code_numbers(draw: st.DrawFn) -> str:
    number = draw(st.one_of(_valid_numbers(), _legacy_numbers()))
    province = draw(st.sampled_from(_NOT_PROVINCES))
    number = province + number[2:]
    if len(number) == 18:  # keep the check character right: only the area is wrong
        number = number[:17] + CitizenId.check_character(number[:17])
    return number


_INVALID_NUMBER_STRATEGIES: dict[str, st.SearchStrategy[str]] = {
    "length": _bad_length_numbers(),
    "characters": _bad_character_numbers(),
    "birth_date": _bad_birth_date_numbers(),
    "checksum": _bad_checksum_numbers(),
    "area_code": _bad_area_code_numbers(),
}


@checked
def citizen_id_strings(*, legacy: bool = True, lower_case_x: bool = True) -> st.SearchStrategy[str]:
    """Texts that ``CitizenId.parse`` accepts: 18-character numbers, optionally with a
    lower-case ``x`` check character, and (with ``legacy``) 15-digit numbers.

    >>> from hypothesis import given
    >>> @given(citizen_id_strings())
    ... def test(text):
    ...     assert CitizenId.is_valid(text)
    >>> test()
    """
    _check_bool("legacy", legacy)
    _check_bool("lower_case_x", lower_case_x)
    full = _valid_numbers()
    if lower_case_x:
        full = full.flatmap(_lower_case_x)
    return st.one_of(full, _legacy_numbers()) if legacy else full


@overload
def citizen_ids(
    valid: Literal[True] = ..., invalid: None = ...
) -> st.SearchStrategy[CitizenId]: ...
@overload
def citizen_ids(
    valid: Literal[False], invalid: InvalidCitizenIdKind | None = ...
) -> st.SearchStrategy[str]: ...
@checked
def citizen_ids(
    valid: bool = True, invalid: str | None = None
) -> st.SearchStrategy[CitizenId] | st.SearchStrategy[str]:
    """Citizen ID numbers (GB 11643-1999).

    ``citizen_ids()`` gives valid :class:`~gridcare.codes.CitizenId` values (some
    upgraded from 15 digits). ``citizen_ids(valid=False)`` gives texts that
    ``CitizenId.parse`` refuses; ``invalid`` picks one kind, each failing with
    exactly its code (``INVALID_CITIZEN_ID_KINDS``): ``"length"`` (``bad_length``),
    ``"characters"`` (``bad_characters``), ``"birth_date"`` (``bad_birth_date``),
    ``"checksum"`` (``bad_checksum``), ``"area_code"`` (``bad_area_code``).

    >>> from hypothesis import given
    >>> @given(citizen_ids(valid=False, invalid="checksum"))
    ... def test(text):
    ...     assert not CitizenId.is_valid(text)
    >>> test()
    """
    _check_bool("valid", valid)
    if invalid is not None and (
        not isinstance(invalid, str) or invalid not in INVALID_CITIZEN_ID_KINDS
    ):
        raise InvalidInput(
            "unknown_choice",
            "invalid",
            f"expected None or one of: {', '.join(INVALID_CITIZEN_ID_KINDS)}",
            value=invalid,
        )
    if valid:
        if invalid is not None:
            raise InvalidInput("bad_arguments", "invalid", "an invalid kind needs valid=False")
        return citizen_id_strings(lower_case_x=False).map(CitizenId.parse)
    if invalid is None:
        return st.one_of(*_INVALID_NUMBER_STRATEGIES.values())
    return _INVALID_NUMBER_STRATEGIES[invalid]


# --------------------------------------------------------------------------- area codes


def _official_steps(key_length: int, need: int) -> list[tuple[int, str]]:
    """The official steps down from a code whose significant key has ``key_length`` digits.

    Each step is ``(levels descended, how to extend the key)``; a step of two
    levels skips an all-zero group (a town directly under a prefecture).
    """
    steps: list[tuple[int, str]] = {
        2: [(1, "pp"), (2, "00cc")],
        4: [(1, "cc"), (2, "00ttt")],
        6: [(1, "ttt"), (2, "000vvv")],
        9: [(1, "vvv")],
    }.get(key_length, [])
    return [step for step in steps if step[0] <= need]


def _extension(draw: st.DrawFn, shape: str) -> str:
    """Digits for one step: the leading zeros of ``shape`` stay, the rest is a nonzero group."""
    zeros = len(shape) - len(shape.lstrip("0"))
    return "0" * zeros + draw(_digits(len(shape) - zeros, nonzero=True))


@st.composite
def _area_codes(
    draw: st.DrawFn, levels: tuple[AreaLevel, ...], within: AreaCode | None, local: bool
) -> AreaCode:
    target = draw(st.sampled_from(levels))
    code = (
        within if within is not None else AreaCode.parse(draw(st.sampled_from(_PROVINCES)) + "0000")
    )
    goal = _LEVEL_RANK[target]
    while _LEVEL_RANK[code.level] < goal:
        need = goal - _LEVEL_RANK[code.level]
        options: list[tuple[int, str]] = []
        if code.is_official:
            options = _official_steps(len(code.key), need)
        if local or not code.is_official:
            options.append((1, "local"))
        _, shape = draw(st.sampled_from(options))
        if shape == "local":
            code = code.child(draw(_SEGMENTS))
        else:
            code = AreaCode.parse((code.key + _extension(draw, shape)).ljust(6, "0"))
            # A GB/T 2260 code with a local alias (430271 is 430200-YL) reads as local.
            assume(local or code.is_official)
    if target is AreaLevel.PLACE:  # a place may sit several local levels down (to the cap)
        for _ in range(min(draw(_UP_TO_TWO), MAX_LOCAL_SEGMENTS - len(code.local))):
            code = code.child(draw(_SEGMENTS))
    return code


@checked
def area_codes(
    *,
    levels: Iterable[AreaLevel] | None = None,
    within: AreaCode | str | None = None,
    local: bool = False,
) -> st.SearchStrategy[AreaCode]:
    """Division codes (:class:`~gridcare.codes.AreaCode`), optionally inside ``within``.

    ``levels`` restricts the :class:`~gridcare.codes.AreaLevel` of the codes
    (default: every official level, plus ``PLACE`` with ``local``). With
    ``local=True`` codes may carry local segments (units with no official code,
    compounds, buildings); inside a local ``within`` every code is local. Codes
    include all-zero groups skipped (a town directly under a prefecture).

    >>> from hypothesis import given
    >>> from gridcare.codes import ZHUZHOU
    >>> @given(area_codes(within=ZHUZHOU, levels=[AreaLevel.TOWN]))
    ... def test(code):
    ...     assert ZHUZHOU.contains(code) and code.level is AreaLevel.TOWN
    >>> test()
    """
    _check_bool("local", local)
    base = _area_code_argument("within", within)
    # Everything inside a local code is local.
    local = local or (base is not None and not base.is_official)
    if levels is None:
        wanted = _OFFICIAL_LEVELS + ((AreaLevel.PLACE,) if local else ())
    else:
        wanted = require_some(levels, AreaLevel, "levels")
    reachable = tuple(
        level
        for level in dict.fromkeys(wanted)
        if (base is None or _LEVEL_RANK[level] >= _LEVEL_RANK[base.level])
        and (level is not AreaLevel.PLACE or local)
    )
    if not reachable:
        raise InvalidInput(
            "bad_range",
            "levels",
            f"no code at levels {', '.join(wanted)} can lie inside {base or 'the country'}"
            + ("" if local else " without local codes (pass local=True)"),
        )
    return _area_codes(reachable, base, local)


# --------------------------------------------------------------------------- phone numbers

_PREFIXES: tuple[str, ...] = tuple(f"1{a}{b}" for a in range(3, 10) for b in range(10))
# A prefix allocated only in part (161: 1610; 174: 17400-17405) is in neither list.
_ALLOCATED: tuple[str, ...] = tuple(
    p
    for p in _PREFIXES
    if not PhoneNumber(p + "00000000").unallocated_prefix
    and not PhoneNumber(p + "99999999").unallocated_prefix
)
_UNALLOCATED: tuple[str, ...] = tuple(
    p
    for p in _PREFIXES
    if PhoneNumber(p + "00000000").unallocated_prefix
    and PhoneNumber(p + "99999999").unallocated_prefix
)


@checked
def phone_numbers(*, allocated: bool | None = True) -> st.SearchStrategy[PhoneNumber]:
    """Mainland mobile numbers (:class:`~gridcare.codes.PhoneNumber`).

    ``allocated=True`` (the default) gives numbers whose prefix an operator
    holds, ``False`` numbers flagged ``unallocated_prefix``, ``None`` either.

    >>> from hypothesis import given
    >>> @given(phone_numbers(allocated=False))
    ... def test(phone):
    ...     assert phone.unallocated_prefix
    >>> test()
    """
    if allocated is not None:
        _check_bool("allocated", allocated)
    prefixes = _PREFIXES if allocated is None else _ALLOCATED if allocated else _UNALLOCATED
    return st.builds(
        lambda p, rest: PhoneNumber.parse(p + rest), st.sampled_from(prefixes), _digits(8)
    )


@st.composite
def _lenient_form(draw: st.DrawFn, number: str) -> str:
    country = draw(st.sampled_from(["", "", "+86", "0086", "86", "+86 ", "0086-"]))
    separators = st.sampled_from(["", "", "", " ", "-", " - "])
    body = number[0]
    for digit in number[1:]:
        body += draw(separators) + digit
    outer = draw(st.sampled_from(["", "", " ", "  "]))
    return outer + country + body + draw(st.sampled_from(["", "", " "]))


@checked
def phone_number_strings(
    *, allocated: bool | None = None, lenient: bool = True
) -> st.SearchStrategy[str]:
    """Texts ``PhoneNumber.parse`` accepts; with ``lenient``, also with ``+86``/``0086``/``86``,
    spaces and hyphens.

    >>> from hypothesis import given
    >>> @given(phone_number_strings())
    ... def test(text):
    ...     assert PhoneNumber.is_valid(text)
    >>> test()
    """
    _check_bool("lenient", lenient)
    plain = phone_numbers(allocated=allocated).map(lambda p: p.number)
    return plain.flatmap(_lenient_form) if lenient else plain


# --------------------------------------------------------------------------- time


def _zone_argument(value: object, field: str) -> tzinfo:
    if isinstance(value, tzinfo):
        return value
    if not isinstance(value, str):
        raise InvalidInput(
            "wrong_type",
            field,
            f"expected a tzinfo or a zone name, got {type(value).__name__}",
            value=value,
        )
    try:
        return zone(value)
    except InvalidInput as err:  # the zone's own code, at this item
        raise InvalidInput(err.code, field, err.message, value=value) from None


@checked
def aware_datetimes(
    min_value: datetime | None = None,
    max_value: datetime | None = None,
    *,
    zones: Sequence[tzinfo | str] | None = None,
) -> st.SearchStrategy[datetime]:
    """Aware instants between ``min_value`` and ``max_value`` (both aware, inclusive).

    The bounds are aware instants in 1900-2100 (default 1970 to 2050), in order;
    ``zones`` is a non-empty list of ``tzinfo`` values or IANA zone names.

    Never naive and never imaginary: an instant is drawn in UTC, then shown in
    one of ``zones`` (default: Asia/Shanghai, UTC and a few zones with daylight
    saving time or unusual offsets), so it always names a time that exists.

    >>> from hypothesis import given
    >>> low = datetime(2000, 1, 1, tzinfo=UTC)
    >>> @given(aware_datetimes(min_value=low, zones=["Asia/Shanghai"]))
    ... def test(t):
    ...     assert t.utcoffset() == timedelta(hours=8)
    >>> test()
    """
    bounds: list[datetime] = []
    for name, value, default in (
        ("min_value", min_value, datetime(1970, 1, 1, tzinfo=UTC)),
        ("max_value", max_value, datetime(2050, 12, 31, 23, 59, 59, tzinfo=UTC)),
    ):
        given = default if value is None else require_aware(value, name)
        bounds.append(given.astimezone(UTC).replace(tzinfo=None))
    low, high = bounds
    if max_value is None:
        high = max(high, low)
    if min_value is None:
        low = min(low, high)
    require_ordered(low, high, "min_value")
    if zones is None:
        chosen = tuple(zone(name) for name in _DEFAULT_ZONE_NAMES)
    else:
        named = require_some(zones, object, "zones")
        chosen = tuple(_zone_argument(z, f"zones.{i}") for i, z in enumerate(named))
    # Stay clear of datetime.min/max so that converting to any offset cannot overflow.
    low = max(low, datetime.min + timedelta(days=2))
    high = min(high, datetime.max - timedelta(days=2))
    return st.builds(
        lambda utc, tzone: utc.replace(tzinfo=UTC).astimezone(tzone),
        st.datetimes(min_value=low, max_value=high),
        st.sampled_from(chosen),
    )


# --------------------------------------------------------------------------- hierarchies


@checked
def node_kinds(
    *, min_kind: NodeKind = NodeKind.PROVINCE, max_kind: NodeKind = NodeKind.HOUSEHOLD
) -> st.SearchStrategy[NodeKind]:
    """Members of :class:`~gridcare.hierarchy.NodeKind` from ``min_kind`` down to ``max_kind``.

    >>> from hypothesis import given
    >>> @given(node_kinds(min_kind=NodeKind.GRID))
    ... def test(kind):
    ...     assert kind.rank >= NodeKind.GRID.rank
    >>> test()
    """
    require_kind(min_kind, "min_kind")
    require_kind(max_kind, "max_kind")
    require_ordered(min_kind.rank, max_kind.rank, "min_kind")
    return st.sampled_from([k for k in NodeKind if min_kind.rank <= k.rank <= max_kind.rank])


_KINDS: tuple[NodeKind, ...] = tuple(NodeKind)
#: A division code can sit on the administrative levels only (a grid has none officially).
_KINDS_BELOW: dict[NodeKind, st.SearchStrategy[NodeKind]] = {
    kind: st.sampled_from(_KINDS[kind.rank + 1 :]) for kind in _KINDS[:-1]
}
_TOP_CODES = st.deferred(lambda: area_codes(levels=[AreaLevel.PREFECTURE, AreaLevel.COUNTY]))
_CODED_KINDS = frozenset({NodeKind.CITY, NodeKind.DISTRICT, NodeKind.STREET, NodeKind.COMMUNITY})


@st.composite
def _child_code(draw: st.DrawFn, above: AreaCode | None) -> AreaCode | None:
    """A code for a new node whose nearest coded ancestor has ``above``: inside it, or none."""
    if not draw(st.booleans()):
        return None
    if above is None:
        return draw(_TOP_CODES)
    # Straight to the composite: the arguments are known good, and this runs per node.
    deeper = tuple(level for level in AreaLevel if _LEVEL_RANK[level] >= _LEVEL_RANK[above.level])
    return draw(_area_codes(deeper, above, True))


@st.composite
def _hierarchy_nodes(draw: st.DrawFn, min_nodes: int, max_nodes: int) -> list[Node]:
    size = draw(st.integers(min_nodes, max_nodes))
    # Any kind down to community roots a tree (a province's too); a lone node may be anything.
    top = _KINDS[: NodeKind.COMMUNITY.rank + 1]
    root_kind = draw(st.sampled_from(top) if size > 1 else st.sampled_from(_KINDS))
    nodes = [Node("n0", root_kind, draw(_NAMES), None, draw(_child_code(None)))]
    coded_above: list[AreaCode | None] = [nodes[0].code]
    for i in range(1, size):
        open_parents = [j for j, node in enumerate(nodes) if node.kind is not NodeKind.HOUSEHOLD]
        if not open_parents:
            break
        p = draw(st.sampled_from(open_parents))
        parent = nodes[p]
        kind = draw(_KINDS_BELOW[parent.kind])
        above = coded_above[p]
        code = draw(_child_code(above)) if kind in _CODED_KINDS else None
        nodes.append(Node(f"n{i}", kind, draw(_NAMES), parent.id, code))
        coded_above.append(code if code is not None else above)
    # Ids are opaque: give them a random, still unique, spelling.
    prefix = draw(st.text(_SEGMENT_ALPHABET, max_size=3))
    return [
        Node(f"{prefix}{node.id}", node.kind, node.name,
             None if node.parent_id is None else f"{prefix}{node.parent_id}", node.code)
        for node in nodes
    ]  # fmt: skip


def _check_sizes(min_nodes: object, max_nodes: object) -> tuple[int, int]:
    low = require_size(min_nodes, "min_nodes", low=1)
    high = require_size(max_nodes, "max_nodes", low=1)
    require_ordered(low, high, "min_nodes")
    return low, high


@checked
def hierarchies(*, min_nodes: int = 1, max_nodes: int = 30) -> st.SearchStrategy[Hierarchy]:
    """Valid :class:`~gridcare.hierarchy.Hierarchy` values of ``min_nodes`` to ``max_nodes`` nodes.

    Kinds descend with levels skipped at random (households straight under a
    grid, grids under a district); division codes nest, including local codes;
    siblings arrive in no particular order. A tree may stop short of
    ``min_nodes`` when every node is a household. ``min_nodes`` and
    ``max_nodes`` are whole numbers from 1 to 1,000, in order.

    >>> from hypothesis import given
    >>> @given(hierarchies(max_nodes=10))
    ... def test(h):
    ...     assert Hierarchy.from_rows(h.to_rows()) == h
    >>> test()
    """
    low, high = _check_sizes(min_nodes, max_nodes)
    return _hierarchy_nodes(low, high).map(Hierarchy)


@checked
def hierarchy_rows(
    *, min_nodes: int = 1, max_nodes: int = 30, shuffle: bool = True
) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Plain rows (``id``, ``kind``, ``name``, ``parent_id``, ``code``) that
    ``Hierarchy.from_rows`` accepts; with ``shuffle`` in any order, the root's
    ``parent_id`` either ``None`` or ``""``. Sizes as :func:`hierarchies`.

    >>> from hypothesis import given
    >>> @given(hierarchy_rows(max_nodes=10))
    ... def test(rows):
    ...     assert len(Hierarchy.from_rows(rows)) == len(rows)
    >>> test()
    """
    low, high = _check_sizes(min_nodes, max_nodes)
    _check_bool("shuffle", shuffle)

    @st.composite
    def rows(draw: st.DrawFn) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = [node.to_row() for node in draw(_hierarchy_nodes(low, high))]
        if draw(st.booleans()):
            found[0]["parent_id"] = ""
        return draw(st.permutations(found)) if shuffle else found

    return rows()


# --------------------------------------------------------------------------- rates


@checked
def rates(
    *, max_count: int = 10**7, defined: bool | None = None, proper: bool = True
) -> st.SearchStrategy[Rate]:
    """Rates (:class:`~gridcare.rates.Rate`) with counts up to ``max_count`` (1 to 2**63 - 1).

    ``defined=True`` excludes a zero denominator, ``False`` gives only ``0/0``-style
    undefined rates, ``None`` either. With ``proper`` the numerator never exceeds
    the denominator (a share of something, like a review rate); without it the
    rates are built with :meth:`~gridcare.rates.Rate.ratio` and may exceed one.

    >>> from hypothesis import given
    >>> @given(rates(defined=True))
    ... def test(rate):
    ...     assert 0 <= rate.value <= 1
    >>> test()
    """
    high = require_int(max_count, "max_count", low=1, high=_MAX_COUNT)
    _check_bool("proper", proper)
    if defined is not None:
        _check_bool("defined", defined)
    if defined is False:
        numerators = st.just(0) if proper else st.integers(0, high)
        return numerators.map(lambda n: Rate(n, 0))
    denominators = st.integers(1 if defined else 0, high)
    if proper:
        return denominators.flatmap(lambda d: st.integers(0, d).map(lambda n: Rate(n, d)))
    return st.builds(Rate.ratio, st.integers(0, high), denominators)


# Registration last: the real work needs every strategy above.
_IMPORTED = True
if _REGISTER_WHEN_IMPORTED:
    register_type_strategies()
