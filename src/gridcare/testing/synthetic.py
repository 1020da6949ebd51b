"""A deterministic synthetic city shaped like Zhuzhou (or Liling), for tests and demos.

``synthetic_city(profile, scale, seed)`` builds the whole hierarchy (city,
county-level units with their real codes, streets, communities, grids,
buildings, units, households), the residents of every household, and the
workers with their assignments. Same ``(profile, scale, seed)``, same city,
byte for byte (:meth:`City.fingerprint`).

How it stays fast and small at city scale (1.39 million households, about 4
million residents):

* the hierarchy holds real :class:`~gridcare.hierarchy.Node` objects, built in
  depth-first preorder so :class:`~gridcare.hierarchy.Hierarchy` takes its
  one-pass path; household names are shared strings;
* residents are *columns*: a birth day, a document sequence, a document area
  and a flag byte per resident, in compact arrays. :attr:`City.residents` is a
  sequence that materialises a :class:`~gridcare.people.Resident` on access;
  names, phones and document numbers are derived from the columns and a
  seeded 64-bit mix of the resident's index, never stored;
* households are columns too (first resident, size, vacancy);
* the build never touches the garbage collector; a caller building a whole
  city may pause it around the call (:func:`gridcare.bulk.collector_paused`).

Randomness comes only from :class:`random.Random` streams seeded from
``(profile, scale, seed, stream name)``, plus the seeded index mix.

>>> city = synthetic_city(scale=0.001)
>>> len(city.hierarchy.nodes_of(NodeKind.DISTRICT)), len(city.households) > 1000
(10, True)
>>> r = city.residents[0]
>>> CitizenId.is_valid(r.document.number) if r.id_kind == "citizen_id" else True
True
>>> city.fingerprint() == synthetic_city(scale=0.001).fingerprint()
True
"""

from __future__ import annotations

import hashlib
import math
import random
import sys
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime
from itertools import accumulate, chain
from typing import Any, TypeVar, overload

import attrs

from gridcare.codes import AreaCode, CitizenId, PhoneNumber, Sex
from gridcare.errors import InvalidInput, UnknownNode, read_mapping, require_callable, require_int
from gridcare.hierarchy import Hierarchy, Node, NodeKind
from gridcare.masking import masked_field_reprs
from gridcare.people import (
    ELDERLY_AGE,
    Assignment,
    CareNeed,
    Household,
    IdDocument,
    IdKind,
    Resident,
    Roster,
    Worker,
    WorkerRole,
)
from gridcare.testing._arguments import require_progress, require_seed
from gridcare.timeutil import DEFAULT_ZONE, require_aware, require_day

__all__ = ["PROFILES", "REFERENCE_DATE", "City", "synthetic_city"]

#: The date the synthetic population is "as of": ages are drawn relative to it
#: (the grid prevention code went live in Zhuzhou on 2022-03-16).
REFERENCE_DATE = date(2022, 3, 16)

Progress = Callable[[int, int], None]

# ----------------------------------------------------------------------------- profiles


@attrs.frozen(field_transformer=masked_field_reprs)
class CountyProfile:
    """A county-level unit of a synthetic city: its code, name, weight and street counts.

    >>> PROFILES["zhuzhou"].counties[0].name
    '荷塘区'
    """

    code: str
    name: str
    weight: float  # resident population, 10,000s (2020 census, rounded)
    streets: int  # 街道 (statistical codes 001-099)
    towns: int  # 镇 (100-199)
    townships: int  # 乡 (200-399)
    id_codes: tuple[str, ...]  # address codes in the citizen IDs of natives


@attrs.frozen(field_transformer=masked_field_reprs)
class CityProfile:
    """A synthetic city's shape: its counties, households, grids and household sizes.

    >>> PROFILES["zhuzhou"].households
    1389962
    """

    name: str
    counties: tuple[CountyProfile, ...]
    households: int
    grids: int
    grid_workers: int
    sizes_urban: tuple[float, ...]  # weights of household sizes 1, 2, ...
    sizes_rural: tuple[float, ...]
    vacant_urban: float
    vacant_rural: float
    code: str = "430200"  # the city's division code: the root's id and code
    city_name: str = "株洲市"


_ZHUZHOU_COUNTIES = (
    CountyProfile("430202", "荷塘区", 38, 6, 1, 0, ("430202",)),
    CountyProfile("430203", "芦淞区", 33, 7, 1, 0, ("430203",)),
    CountyProfile("430204", "石峰区", 30, 5, 1, 0, ("430204",)),
    CountyProfile("430211", "天元区", 43, 6, 3, 0, ("430211",)),
    # 渌口区 was 株洲县 (430221) until 2018: natives keep the old code in their IDs.
    CountyProfile("430212", "渌口区", 27, 0, 8, 0, ("430221",)),
    CountyProfile("430223", "攸县", 65, 3, 14, 3, ("430223",)),
    CountyProfile("430224", "茶陵县", 52, 4, 10, 3, ("430224",)),
    CountyProfile("430225", "炎陵县", 17, 1, 5, 4, ("430225",)),
    CountyProfile("430281", "醴陵市", 88, 4, 19, 0, ("430281",)),
    # 云龙示范区 has no official code; its people were registered in 荷塘区 and 石峰区.
    CountyProfile("430200-YL", "云龙示范区", 8, 3, 0, 0, ("430202", "430204")),
)

#: The synthetic profiles: name -> description (households, grids, grid workers at scale 1.0).
PROFILES: Mapping[str, CityProfile] = {
    "zhuzhou": CityProfile(
        "zhuzhou",
        _ZHUZHOU_COUNTIES,
        households=1_389_962,
        grids=2_694,
        grid_workers=2_796,
        sizes_urban=(0.17, 0.26, 0.27, 0.16, 0.09, 0.04, 0.01),
        sizes_rural=(0.11, 0.21, 0.20, 0.20, 0.15, 0.09, 0.04),
        vacant_urban=0.05,
        vacant_rural=0.07,
    ),
    "liling": CityProfile(
        "liling",
        (_ZHUZHOU_COUNTIES[8],),
        households=240_000,
        grids=465,
        grid_workers=482,
        sizes_urban=(0.08, 0.16, 0.21, 0.22, 0.17, 0.10, 0.06),
        sizes_rural=(0.06, 0.13, 0.19, 0.23, 0.19, 0.12, 0.08),
        vacant_urban=0.03,
        vacant_rural=0.03,
    ),
}

_MAX_SCALE = 2.0
#: The oldest ``elderly_age`` counts take, as ``gridcare.people.help_reasons``.
_MAX_AGE = 150
#: How many household shapes each style draws from (powers of two): fewer for a small city.
_TEMPLATES = 2048
_TEMPLATES_SMALL = 256
_STREET_WEIGHT = {"street": 3.0, "town": 1.0, "township": 0.5}

# Address codes of people born elsewhere (other Hunan prefectures, neighbouring provinces).
_OTHER_ID_CODES = (
    "430102", "430103", "430111", "430302", "430304", "430321", "430381", "430421",
    "430524", "430626", "431003", "431121", "360302", "360321", "440304", "440106",
    "420106", "500103",
)  # fmt: skip

# ----------------------------------------------------------------------------- names

_SURNAMES = (
    "刘王李张陈杨黄赵周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
    "顾侯邵孟龙万段洪钱汤尹黎易常武乔贺赖龚文"
)
# Frequent surnames appear several times so that they are drawn more often.
_SURNAME_TABLE: tuple[str, ...] = (
    *("刘王李张陈杨黄赵周吴" * 3),
    *_SURNAMES,
    "欧阳",
    "司马",
    "上官",
)
_GIVEN_MALE = "伟强磊军勇杰涛明超平刚建国华文斌志宏俊峰辉鹏飞龙海波林浩宇轩子豪博庆德福贵"
_GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀英华玲萍红梅琳燕婷雪慧颖倩欣怡佳桂兰凤珍月琴莉萱涵"
_PLACE_A = "荷芦石天渌攸茶炎醴云建新华桂金月白龙栗樟枫湘东西南北马枣仙泉井松柏竹青"
_PLACE_B = "塘山湖江溪桥田冲坪岭湾洲坝口源岗铺港园阳丰安兴宁和平丰乐"

_PHONE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
    "152", "153", "155", "156", "157", "158", "159", "166", "173", "177", "180",
    "181", "182", "183", "186", "187", "188", "189", "191", "198", "199",
)  # fmt: skip

# Resident flag bits (one byte per resident).
_MALE = 1
_PHONE = 2
_NO_SMARTPHONE = 4
_ALONE = 8
_DISABLED = 16
_CHRONIC = 32
_FOREIGN = 64
_OWN_SURNAME = 128

_EPOCH = date(1900, 1, 1)
_EPOCH_ORDINAL = _EPOCH.toordinal()


def _date_of(days: int) -> date:
    """The date a value of the birth column stands for (days since the epoch)."""
    return date.fromordinal(_EPOCH_ORDINAL + days)


_M64 = (1 << 64) - 1
# An odd multiplier not divisible by 5 maps indices below 10**8 one-to-one onto
# 8-digit phone suffixes, so no two synthetic people share a number.
_PHONE_MUL = 40_503_017
_PHONE_MOD = 10**8
_SEQ_SLOTS = 499  # sequences 001-997 (odd: male) and 002-998 (even: female)
_DAYS = 46_000  # days from 1900-01-01 a birth day may take (beyond 2025)


def _care_needs(flags: int) -> frozenset[CareNeed]:
    needs = []
    if flags & _NO_SMARTPHONE:
        needs.append(CareNeed.NO_SMARTPHONE)
    if flags & _ALONE:
        needs.append(CareNeed.LIVING_ALONE)
    if flags & _DISABLED:
        needs.append(CareNeed.DISABLED)
    if flags & _CHRONIC:
        needs.append(CareNeed.CHRONIC_ILLNESS)
    return frozenset(needs)


def _needs_of_flags() -> tuple[frozenset[CareNeed], ...]:
    """The care needs of each flag byte; bytes with equal needs share one set object."""
    shared: dict[frozenset[CareNeed], frozenset[CareNeed]] = {}
    return tuple(shared.setdefault(needs, needs) for needs in map(_care_needs, range(256)))


#: The care needs a resident's flag byte stands for (sixteen distinct sets, each shared).
_NEEDS_OF_FLAGS = _needs_of_flags()


def _ask(
    rule: Callable[[date, frozenset[CareNeed]], object], born: date, needs: frozenset[CareNeed]
) -> bool:
    """The caller's ``rule`` on one resident's facts, as a bool; a rule that fails is bad input."""
    try:
        return bool(rule(born, needs))
    except Exception as exc:  # a rule of the caller's that fails: bad input, not our bug
        raise InvalidInput(
            "bad_rule", "rule", f"the rule failed on a birth date and needs: {type(exc).__name__}"
        ) from exc


def _mix(x: int) -> int:
    """splitmix64's finaliser: a seeded, well-spread 64-bit function of an index."""
    x = (x + 0x9E3779B97F4A7C15) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def _given_name(h: int, male: bool) -> str:
    chars = _GIVEN_MALE if male else _GIVEN_FEMALE
    n = len(chars)
    first = chars[h % n]
    if (h >> 12) % 10 < 3:
        return first
    return first + chars[(h >> 20) % n]


def _le_bytes(column: array[int]) -> bytes:
    """A column's bytes in little-endian order, whatever the machine (canonical form)."""
    if sys.byteorder == "big":  # pragma: no cover - little-endian machines only in CI
        column = array(column.typecode, column)
        column.byteswap()
    return column.tobytes()


def apportion(total: int, weights: Sequence[float], minimum: int = 0) -> list[int]:
    """Split ``total`` by ``weights`` (largest remainder), each share at least ``minimum``.

    >>> apportion(10, [1, 1, 1])
    [4, 3, 3]
    """
    n = len(weights)
    spare = total - minimum * n
    if spare < 0:
        return [minimum] * n
    wsum = sum(weights)
    exact = [spare * w / wsum for w in weights]
    shares = [int(e) for e in exact]
    left = spare - sum(shares)
    order = sorted(range(n), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[:left]:
        shares[i] += 1
    return [s + minimum for s in shares]


_BAND_CACHE: dict[int, list[int]] = {}


def _flag_band(age: int) -> list[int]:
    """Flag bits for an age, indexed by 12 random bits (6 for phones, 6 for health)."""
    band = 0 if age < 12 else 1 if age < 45 else 2 if age < 60 else 3 if age < 75 else 4
    found = _BAND_CACHE.get(band)
    if found is not None:
        return found
    table = []
    for i in range(4096):
        u = (i & 63) / 64
        v = (i >> 6) / 64
        f = 0
        if band in (1, 2):
            f |= _PHONE if u < 62 / 64 else _NO_SMARTPHONE
        elif band == 3:
            f |= (_PHONE if u < 0.88 else 0) | (_NO_SMARTPHONE if u > 0.7 else 0)
        elif band == 4:
            f |= (_PHONE if u < 0.6 else 0) | (_NO_SMARTPHONE if u > 0.35 else 0)
        if v < 1 / 64:
            f |= _DISABLED
        if band >= 2 and v > 0.82:
            f |= _CHRONIC
        table.append(f)
    _BAND_CACHE[band] = table
    return table


# ----------------------------------------------------------------------------- the city


class _Residents(Sequence[Resident]):
    """The residents of a city, materialised from columns on access (index = resident number)."""

    __slots__ = ("_city",)

    def __init__(self, city: City) -> None:
        self._city = city

    def __len__(self) -> int:
        return len(self._city._birth)

    @overload
    def __getitem__(self, index: int) -> Resident: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Resident]: ...
    def __getitem__(self, index: int | slice) -> Resident | Sequence[Resident]:
        if isinstance(index, slice):
            return [self._city._resident(i) for i in range(*index.indices(len(self)))]
        n = len(self)
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError("resident index out of range")
        return self._city._resident(index)

    def __iter__(self) -> Iterator[Resident]:
        make = self._city._resident
        for i in range(len(self)):
            yield make(i)

    def __repr__(self) -> str:
        return f"<{len(self)} residents>"


_V = TypeVar("_V")


class _ById(Mapping[str, _V]):
    """A value per resident of a city by id, read from the columns on lookup.

    ``read`` makes the value of the resident at an index (a whole resident, or
    only its birth date); ``what`` names the values in the repr, which shows
    no id.
    """

    __slots__ = ("_city", "_read", "_what")

    def __init__(self, city: City, read: Callable[[int], _V], what: str) -> None:
        self._city = city
        self._read = read
        self._what = what

    def __len__(self) -> int:
        return len(self._city._birth)

    def __getitem__(self, resident_id: str) -> _V:
        index = None
        if isinstance(resident_id, str):
            index = self._city._resident_index(resident_id)
        if index is None:  # as for any mapping (``get`` and ``in`` rely on it); the id not echoed
            raise KeyError("no resident with this id")
        return self._read(index)

    def __iter__(self) -> Iterator[str]:
        make_id = self._city._format_id
        for i in range(len(self)):
            yield make_id(i)

    def __repr__(self) -> str:
        return f"<{len(self)} {self._what} by id>"


class _Households(Sequence[Household]):
    """The households of a city in preorder, materialised from columns on access."""

    __slots__ = ("_city",)

    def __init__(self, city: City) -> None:
        self._city = city

    def __len__(self) -> int:
        return len(self._city._hpos)

    @overload
    def __getitem__(self, index: int) -> Household: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Household]: ...
    def __getitem__(self, index: int | slice) -> Household | Sequence[Household]:
        if isinstance(index, slice):
            return [self._city._household(i) for i in range(*index.indices(len(self)))]
        n = len(self)
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError("household index out of range")
        return self._city._household(index)

    def __iter__(self) -> Iterator[Household]:
        make = self._city._household
        for i in range(len(self)):
            yield make(i)

    def __repr__(self) -> str:
        return f"<{len(self)} households>"


#: The city's columns: the arrays and their type codes, and the byte columns.
_ARRAY_COLUMNS = {"hpos": "i", "first": "I", "birth": "H", "seq": "H"}
_BYTE_COLUMNS = ("vacant", "area", "flags")


def _check_columns(columns: object, nodes: int) -> None:
    """The columns :func:`synthetic_city` writes, of their types and lengths, agreeing.

    Households: ``hpos`` (a node's position), ``vacant``, and ``first`` (each
    household's first resident, then the number of residents: from 0 up,
    never down). Residents: ``birth``, ``seq``, ``area`` (an index into
    ``codes``), ``flags``. ``key`` is the whole number the city's names and
    numbers are mixed from. Each check is one pass at C speed.
    """
    if not isinstance(columns, Mapping):
        raise InvalidInput("not_mapping", "columns", "expected the city's columns by name")
    columns = read_mapping(columns, "columns")
    for name, code in _ARRAY_COLUMNS.items():
        found = columns.get(name)
        if type(found) is not array or found.typecode != code:
            raise InvalidInput("bad_column", f"columns.{name}", f"expected array({code!r})")
    for name in _BYTE_COLUMNS:
        if type(columns.get(name)) is not bytearray:
            raise InvalidInput("bad_column", f"columns.{name}", "expected a bytearray")
    codes = columns.get("codes")
    if type(codes) is not tuple or not set(map(type, codes)) <= {str}:
        raise InvalidInput("bad_column", "columns.codes", "expected a tuple of area codes")
    require_int(columns.get("key"), "columns.key", low=0)
    hpos, first, birth = columns["hpos"], columns["first"], columns["birth"]
    households, residents = len(hpos), len(birth)
    lengths = {"first": households + 1, "vacant": households, "seq": residents}
    lengths.update(area=residents, flags=residents)
    for name, n in lengths.items():
        if len(columns[name]) != n:
            raise InvalidInput("bad_column", f"columns.{name}", f"expected {n} values")
    if first[0] != 0 or first[-1] != residents or list(first) != sorted(first):
        raise InvalidInput("bad_column", "columns.first", "expected 0 up to the residents")
    if households and not (min(hpos) >= 0 and max(hpos) < nodes):
        raise InvalidInput("bad_column", "columns.hpos", "expected positions in the hierarchy")
    if residents and max(columns["area"]) >= len(codes):
        raise InvalidInput("bad_column", "columns.area", "expected indexes into the codes")


class City:
    """A synthetic city: hierarchy, households, residents, workers, assignments, roster.

    ``households`` and ``residents`` are sequences that build each value on
    access from compact columns (iterating over 4 million residents builds 4
    million objects one at a time; counting needs by :meth:`help_counts` does
    not). Build one with :func:`synthetic_city`. The constructor, which that
    function calls, checks what it is given: the columns' types and lengths
    and that they agree (``InvalidInput`` code ``bad_column``, the field
    ``columns.<name>``).

    >>> city = synthetic_city(scale=0.001, seed=1)
    >>> h = city.households[0]
    >>> city.hierarchy.node(h.id).kind.value
    'household'
    >>> [r.household_id for r in city.residents_of(h.id)] == [h.id] * h.size
    True
    """

    __slots__ = (
        "_area",
        "_birth",
        "_codes",
        "_first",
        "_flags",
        "_hpos",
        "_key",
        "_seq",
        "_vacant",
        "_width",
        "assignments",
        "hierarchy",
        "households",
        "profile",
        "residents",
        "roster",
        "scale",
        "seed",
        "workers",
    )

    hierarchy: Hierarchy
    households: Sequence[Household]
    residents: Sequence[Resident]
    workers: tuple[Worker, ...]
    assignments: tuple[Assignment, ...]
    roster: Roster
    profile: str
    seed: int
    scale: float

    def __init__(
        self,
        *,
        profile: str,
        seed: int,
        scale: float,
        hierarchy: Hierarchy,
        workers: tuple[Worker, ...],
        assignments: tuple[Assignment, ...],
        columns: Mapping[str, Any],
    ) -> None:
        if not isinstance(profile, str):
            raise InvalidInput("not_string", "profile", "expected a profile's name")
        require_seed(seed)
        if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not scale > 0:
            raise InvalidInput("bad_number", "scale", "expected a number above 0")
        if not isinstance(hierarchy, Hierarchy):
            raise InvalidInput("wrong_type", "hierarchy", "expected a Hierarchy")
        _check_columns(columns, len(hierarchy))
        self.profile = profile
        self.seed = seed
        self.scale = scale
        self.hierarchy = hierarchy
        self.workers = workers
        self.assignments = assignments
        self.roster = Roster(hierarchy, workers, assignments)
        self._hpos: array[int] = columns["hpos"]
        self._first: array[int] = columns["first"]
        self._vacant: bytearray = columns["vacant"]
        self._birth: array[int] = columns["birth"]
        self._seq: array[int] = columns["seq"]
        self._area: bytearray = columns["area"]
        self._flags: bytearray = columns["flags"]
        self._codes: tuple[str, ...] = columns["codes"]
        self._key: int = columns["key"]
        self._width: int = max(7, len(str(len(self._birth))))
        self.households = _Households(self)
        self.residents = _Residents(self)

    def __repr__(self) -> str:
        return (
            f"City(profile={self.profile!r}, scale={self.scale}, seed={self.seed}, "
            f"households={len(self.households)}, residents={len(self.residents)}, "
            f"workers={len(self.workers)})"
        )

    # ------------------------------------------------------------------ materialising

    def _format_id(self, index: int) -> str:
        """A resident's id from its index: "R" and the index, zero-padded to the city's width.

        ``str.zfill`` pads: a bound ``"R{:07d}".format`` took 2.5 times as long
        (0.43 µs an id against 0.17 µs on the reference machine), a household's
        members 1.4 times.
        """
        return "R" + str(index).zfill(self._width)

    def _household(self, index: int) -> Household:
        first = self._first
        start, stop = first[index], first[index + 1]
        return Household.trusted(  # written from the city's own columns: nothing to check
            id=self.hierarchy.at(self._hpos[index]).id,
            members=tuple(map(self._format_id, range(start, stop))),
            vacant=bool(self._vacant[index]),
        )

    def _birth_date(self, index: int) -> date:
        return _date_of(self._birth[index])

    def _resident(self, index: int) -> Resident:
        flags = self._flags[index]
        h = _mix(self._key ^ index)
        hh = bisect_right(self._first, index) - 1
        male = bool(flags & _MALE)
        if flags & _OWN_SURNAME:
            surname = _SURNAME_TABLE[(h >> 40) % len(_SURNAME_TABLE)]
        else:
            hk = _mix(self._key ^ (hh << 32) ^ 0x5A5A)
            surname = _SURNAME_TABLE[hk % len(_SURNAME_TABLE)]
        name = surname + _given_name(h, male)
        born = self._birth_date(index)
        document: CitizenId | IdDocument
        if flags & _FOREIGN:
            if h & 1:
                document = IdDocument(IdKind.PASSPORT, f"E{(h >> 8) % 10**8:08d}")
            else:
                document = IdDocument(IdKind.TRAVEL_PERMIT, f"H{(h >> 8) % 10**10:010d}")
        else:
            # The birth date as YYYYMMDD: its ISO form without the dashes (cheaper than strftime).
            first17 = f"{self._codes[self._area[index]]}{born.isoformat().replace('-', '')}"
            first17 += f"{self._seq[index]:03d}"
            document = CitizenId.trusted(first17 + CitizenId.check_character(first17))
        phone = None
        if flags & _PHONE:
            suffix = (index * _PHONE_MUL + (self._key & 0xFFFFFF)) % _PHONE_MOD
            prefix = _PHONE_PREFIXES[(h >> 48) % len(_PHONE_PREFIXES)]
            phone = PhoneNumber.trusted(f"{prefix}{suffix:08d}")
        return Resident.trusted(
            id=self._format_id(index),
            household_id=self.hierarchy.at(self._hpos[hh]).id,
            name=name,
            document=document,
            birth_date=born,
            sex=Sex.MALE if male else Sex.FEMALE,
            phone=phone,
            care_needs=_NEEDS_OF_FLAGS[flags],
        )

    # ------------------------------------------------------------------ lookups

    def _household_index(self, household_id: str) -> int:
        node = self.hierarchy.get(household_id)
        if node is None or node.kind is not NodeKind.HOUSEHOLD:
            raise UnknownNode(household_id)
        pos = self.hierarchy.position(household_id)
        return bisect_right(self._hpos, pos) - 1

    def household(self, household_id: str) -> Household:
        """The household with this node id; :class:`~gridcare.errors.UnknownNode` if none.

        >>> city = synthetic_city(scale=0.001)
        >>> city.household(city.households[5].id) == city.households[5]
        True
        """
        return self._household(self._household_index(household_id))

    def residents_of(self, household_id: str) -> tuple[Resident, ...]:
        """The residents registered in a household (empty for a vacant one).

        >>> city = synthetic_city(scale=0.001)
        >>> h = city.households[0]
        >>> len(city.residents_of(h.id)) == h.size
        True
        """
        i = self._household_index(household_id)
        return tuple(self._resident(r) for r in range(self._first[i], self._first[i + 1]))

    def resident(self, resident_id: str) -> Resident:
        """The resident with this id (``R`` and a number); ``InvalidInput`` if none.

        >>> city = synthetic_city(scale=0.001)
        >>> city.resident(city.residents[3].id) == city.residents[3]
        True
        """
        if not isinstance(resident_id, str):
            raise InvalidInput(
                "not_string", "resident_id", f"expected text, got {type(resident_id).__name__}"
            )
        index = self._resident_index(resident_id)
        if index is None:
            raise InvalidInput(
                "unknown_resident", "resident_id", "no resident with this id", value=resident_id
            )
        return self._resident(index)

    def _resident_index(self, resident_id: str) -> int | None:
        """The index a resident id names, or ``None`` if it names none."""
        digits = resident_id[1:]
        # At most as many digits as the ids have: never an int() of a huge text.
        if (
            not resident_id.startswith("R")
            or not 0 < len(digits) <= self._width
            or not (digits.isascii() and digits.isdigit())
            or int(digits) >= len(self._birth)
        ):
            return None
        return int(digits)

    def residents_by_id(self) -> Mapping[str, Resident]:
        """The residents by id, each built when it is looked up.

        For a reader that needs a few residents of millions by id (a census's
        lists); iterating over it builds every resident, as :attr:`residents` does.

        >>> city = synthetic_city(scale=0.001)
        >>> register = city.residents_by_id()
        >>> r = city.residents[3]
        >>> register[r.id] == r, register.get("R-none"), len(register) == len(city.residents)
        (True, None, True)
        """
        return _ById(self, self._resident, "residents")

    def birth_dates_by_id(self) -> Mapping[str, date]:
        """The residents' birth dates by id, read from the birth column when looked up.

        What a reader that needs only ages asks for (the census: most of the
        residents it looks up are looked up for their age alone), without
        building a resident, a name or a document number.

        >>> city = synthetic_city(scale=0.001)
        >>> born = city.birth_dates_by_id()
        >>> r = city.residents[5]
        >>> born[r.id] == r.birth_date, born.get("R-none"), len(born) == len(city.residents)
        (True, None, True)
        """
        return _ById(self, self._birth_date, "birth dates")

    def ages_and_needs(self) -> Iterator[tuple[str, date, frozenset[CareNeed]]]:
        """Each resident's id, birth date and care needs, in resident order, from the columns.

        What a rule over ages and needs reads (who is sampled at home, who is
        served in person), without building whole residents.

        >>> city = synthetic_city(scale=0.001)
        >>> r = city.residents[7]
        >>> list(city.ages_and_needs())[7] == (r.id, r.birth_date, r.care_needs)
        True
        """
        make_id = self._format_id
        for index, (born, flags) in enumerate(zip(self._birth, self._flags, strict=True)):
            yield make_id(index), _date_of(born), _NEEDS_OF_FLAGS[flags]

    def residents_where(self, rule: Callable[[date, frozenset[CareNeed]], object]) -> list[str]:
        """The ids of the residents for whom ``rule(birth_date, care_needs)`` holds, in order.

        Read from the columns without building residents. ``rule`` is asked
        once per distinct birth date and set of needs (a fifth as often as
        there are residents in a city of 400,000), so it must depend on its
        two arguments alone; an id is made only for a resident it chooses.
        Anything but a function is ``InvalidInput`` (``not_callable``), and so
        is a rule that fails when asked or gives an answer that is not true or
        false (``bad_rule``; the rule's own error is kept as the cause).

        >>> from gridcare.people import CareNeed
        >>> city = synthetic_city(scale=0.001)
        >>> alone = city.residents_where(lambda born, needs: CareNeed.LIVING_ALONE in needs)
        >>> alone == [r.id for r in city.residents if CareNeed.LIVING_ALONE in r.care_needs]
        True
        """
        require_callable(rule, "rule")
        answers: dict[tuple[int, frozenset[CareNeed]], bool] = {}
        chosen: list[str] = []
        needs_of = _NEEDS_OF_FLAGS
        for index, (born, flags) in enumerate(zip(self._birth, self._flags, strict=True)):
            facts = (born, needs_of[flags])
            answer = answers.get(facts)
            if answer is None:
                answer = answers[facts] = _ask(rule, _date_of(born), facts[1])
            if answer:
                chosen.append(self._format_id(index))
        return chosen

    def household_sizes(self) -> array[int]:
        """The number of residents of each household, in household order.

        >>> city = synthetic_city(scale=0.001)
        >>> sum(city.household_sizes()) == len(city.residents)
        True
        """
        first = self._first
        return array("I", (first[i + 1] - first[i] for i in range(len(self._hpos))))

    def vacant_count(self) -> int:
        """How many households are registered vacant.

        >>> city = synthetic_city(scale=0.001)
        >>> city.vacant_count() == sum(h.vacant for h in city.households)
        True
        """
        return self._vacant.count(1)

    def help_counts(
        self, as_of: date | datetime, *, elderly_age: int = ELDERLY_AGE
    ) -> dict[str, int]:
        """Residents to serve in person on ``as_of``, counted from the columns (no objects).

        Keys: each need of :data:`~gridcare.people.IN_PERSON_NEEDS` (a resident
        counts under every need it has) and ``"any"`` (residents with at least
        one). Agrees with :func:`~gridcare.people.help_reasons` on every resident.

        >>> city = synthetic_city(scale=0.001)
        >>> counts = city.help_counts(date(2022, 3, 27))
        >>> counts["any"] <= len(city.residents) and counts["elderly"] <= counts["any"]
        True

        ``as_of`` is a date or an aware instant in 1900-2100, ``elderly_age`` a
        whole number of years from 0 to 150 (codes ``not_date``,
        ``out_of_range``, ``not_integer``, ``negative`` ...).
        """
        if isinstance(as_of, datetime):
            day = require_aware(as_of, "as_of").astimezone(DEFAULT_ZONE).date()
        else:
            day = require_day(as_of, "as_of")
        require_int(elderly_age, "elderly_age", low=0, high=_MAX_AGE)
        # Born on or before this day: elderly_age or older on ``day`` (29 Feb counts from 1 Mar).
        try:
            limit = day.replace(year=day.year - elderly_age)
        except ValueError:  # 29 February, in a year without it
            limit = date(day.year - elderly_age, 2, 28)
        cut = limit.toordinal() - _EPOCH_ORDINAL
        elderly = no_phone = alone = anyone = 0
        mask = _NO_SMARTPHONE | _ALONE
        for born, flags in zip(self._birth, self._flags, strict=True):
            old = born <= cut
            if old:
                elderly += 1
            if flags & mask:
                if flags & _NO_SMARTPHONE:
                    no_phone += 1
                if flags & _ALONE:
                    alone += 1
                anyone += 1
            elif old:
                anyone += 1
        return {
            CareNeed.ELDERLY.value: elderly,
            CareNeed.NO_SMARTPHONE.value: no_phone,
            CareNeed.LIVING_ALONE.value: alone,
            "any": anyone,
        }

    def fingerprint(self) -> str:
        """SHA-256 (hex) over a canonical serialisation: same city, same fingerprint.

        Covers the profile, scale and seed, every node, the household and
        resident columns (from which names, IDs and phones are derived) and
        every worker and assignment.

        >>> a, b = synthetic_city(scale=0.001), synthetic_city(scale=0.001, seed=1)
        >>> a.fingerprint() != b.fingerprint()
        True
        """
        digest = hashlib.sha256()
        head = (
            f"gridcare-city/1\x1f{self.profile}\x1f{self.scale!r}\x1f{self.seed}\x1f{self._key}\n"
        )
        digest.update(head.encode())
        chunk: list[str] = []
        for node in self.hierarchy:
            code = node.code
            chunk.append(
                f"{node.id}\x1f{node.kind.value}\x1f{node.name}\x1f{node.parent_id or ''}"
                f"\x1f{'' if code is None else str(code)}\n"
            )
            if len(chunk) >= 10_000:
                digest.update("".join(chunk).encode())
                chunk.clear()
        digest.update("".join(chunk).encode())
        for column in (self._hpos, self._first, self._birth, self._seq):
            digest.update(_le_bytes(column))
        for raw in (self._vacant, self._area, self._flags):
            digest.update(bytes(raw))
        digest.update("\x1f".join(self._codes).encode())
        for w in self.workers:
            phone = "" if w.phone is None else w.phone.number
            digest.update(f"{w.id}\x1f{w.name}\x1f{w.role.value}\x1f{phone}\n".encode())
        for a in self.assignments:
            digest.update(f"{a.worker_id}\x1f{a.node_id}\n".encode())
        return digest.hexdigest()


# ----------------------------------------------------------------------------- building


def check_city_arguments(profile: object, scale: object, seed: object) -> None:
    """Check :func:`synthetic_city`'s ``profile``, ``scale`` and ``seed`` without building
    the city: its own rules and codes (for a caller that checks options at start-up, such
    as the pytest plugin). Public for the library's modules; not part of the documented
    interface.

    >>> check_city_arguments("zhuzhou", 0.01, 0)
    >>> check_city_arguments("paris", 0.01, 0)
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: profile: unknown profile; choose from ... [unknown_profile]
    """
    _check_arguments(profile, scale, seed, None)


def _check_arguments(
    profile: object, scale: object, seed: object, progress: object
) -> tuple[CityProfile, float]:
    if isinstance(profile, CityProfile):
        chosen = profile
    elif isinstance(profile, str) and profile in PROFILES:
        chosen = PROFILES[profile]
    else:
        raise InvalidInput(
            "unknown_profile",
            "profile",
            f"unknown profile; choose from {', '.join(PROFILES)}",
            value=profile,
        )
    if isinstance(scale, bool) or not isinstance(scale, int | float):
        raise InvalidInput("bad_scale", "scale", "expected a number", value=scale)
    if not math.isfinite(scale) or not 0 < scale <= _MAX_SCALE:
        raise InvalidInput(
            "bad_scale", "scale", f"expected a number above 0 and at most {_MAX_SCALE}", value=scale
        )
    require_seed(seed)
    require_progress(progress)
    return chosen, float(scale)


def synthetic_city(
    profile: str | CityProfile = "zhuzhou",
    scale: float = 1.0,
    seed: int = 0,
    *,
    progress: Progress | None = None,
) -> City:
    """Build a deterministic synthetic city.

    ``profile`` is ``"zhuzhou"`` (ten county-level units, 2,694 grids,
    1,389,962 households, about 4 million residents and 2,796 grid workers at
    scale 1.0) or ``"liling"`` (醴陵市 alone: 465 grids, 240,000 households,
    about 910,000 residents), or a profile value: one of :data:`PROFILES`, or a
    city of a province (:func:`gridcare.testing.province.hunan_cities`, whose
    root is that city). ``scale`` (above 0, at most 2) multiplies the
    counts; every county keeps at least one street, community and grid.
    ``progress(done, total)`` is called at most about 100 times.
    Bad arguments raise :class:`~gridcare.errors.InvalidInput` (codes
    ``unknown_profile``, ``bad_scale``, ``bad_seed``, ``bad_progress``).

    >>> city = synthetic_city("liling", scale=0.001)
    >>> [n.name for n in city.hierarchy.nodes_of(NodeKind.DISTRICT)]
    ['醴陵市']
    >>> synthetic_city(scale=0)
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: scale: expected a number above 0 and at most 2.0 [bad_scale]
    """
    chosen, fscale = _check_arguments(profile, scale, seed, progress)
    return _Builder(chosen, fscale, seed, progress).build()


def _node(id: str, kind: NodeKind, name: str, parent_id: str) -> Node:
    """A building, unit or household node the builder wrote itself, built without the checks
    of ``Node(...)`` (the two steps of :func:`gridcare.errors.trusted`, written out).

    The builder writes 1.4 million such nodes at full scale from the checked grid id and
    its own name templates, and the checks were half of each node's cost (1.64 µs against
    0.86 µs). A test rebuilds every node of a city through the checking constructor.
    """
    node = object.__new__(Node)
    node.__attrs_init__(id, kind, name, parent_id, None)
    return node


def _household_id(grid_id: str, number: int) -> str:
    """The id of a grid's household ``number`` (from 1): the grid's id, ``-H`` and four digits
    (``str.zfill`` pads in half the time of a ``04d`` format)."""
    return f"{grid_id}-H{str(number).zfill(4)}"


class _Builder:
    """One build: the random streams, the growing node list and the columns."""

    def __init__(self, profile: CityProfile, scale: float, seed: int, progress: Progress | None):
        self.profile = profile
        self.scale = scale
        self.seed = seed
        self.progress = progress
        tag = f"gridcare.synthetic/{profile.name}/{scale!r}/{seed}"
        self.rng_shape = random.Random(f"{tag}/shape")
        self.rng_people = random.Random(f"{tag}/people")
        self.rng_workers = random.Random(f"{tag}/workers")
        self.key = random.Random(f"{tag}/derive").getrandbits(64)
        self.nodes: list[Node] = []
        # Household columns.
        self.hpos = array("i")
        self.first = array("I", [0])
        self.vacant = bytearray()
        # Resident columns.
        self.birth = array("H")
        self.seq = array("H")
        self.area = bytearray()
        self.flags = bytearray()
        self.codes: list[str] = []
        self.code_index: dict[str, int] = {}
        self.others = [self._code(c) for c in _OTHER_ID_CODES]
        for county in profile.counties:
            for c in (*county.id_codes, county.code):
                if not AreaCode.parse(c).local:
                    self._code(c)
        # Sequences taken so far, per (document area, birth day, sex).
        self.seq_used = array("H", bytes(2 * len(self.codes) * _DAYS * 2))
        ref_day = REFERENCE_DATE.toordinal() - _EPOCH_ORDINAL
        # Latest birth day of each age in whole years on the reference date.
        self.base_day = [ref_day - age * 365 - age // 4 - 1 for age in range(101)]
        self.late_day = date(2019, 1, 1).toordinal() - _EPOCH_ORDINAL
        small = profile.households * scale < 100_000
        self.template_mask = (_TEMPLATES_SMALL if small else _TEMPLATES) - 1
        self.templates_urban = self._templates(rural=False)
        self.templates_rural = self._templates(rural=True)
        self.flag_table = [_flag_band(age) for age in range(101)]
        self.room_names: dict[tuple[int, int, int, int], str] = {}
        # Worker material, gathered while the places are made.
        self.grid_info: list[tuple[str, bool, int, list[str], list[list[str]]]] = []
        self.community_info: list[tuple[str, bool, list[str]]] = []
        self.street_ids: list[str] = []

    def _code(self, code: str) -> int:
        found = self.code_index.get(code)
        if found is None:
            found = self.code_index[code] = len(self.codes)
            self.codes.append(code)
        return found

    def _report(self, done: int) -> None:
        if self.progress is not None:
            self.progress(done, 100)

    # ------------------------------------------------------------------ places

    def build(self) -> City:
        p = self.profile
        s = self.scale
        rng = self.rng_shape
        nodes = self.nodes
        nodes.append(Node(p.code, NodeKind.CITY, p.city_name, None, AreaCode.parse(p.code)))
        grids_total = max(1, round(p.grids * s))
        households_total = max(1, round(p.households * s))
        weights = [c.weight for c in p.counties]
        plans = []
        for county in p.counties:
            kinds = [("street", county.streets), ("town", county.towns)]
            kinds.append(("township", county.townships))
            streets = [(k, i + 1) for k, n in kinds for i in range(math.ceil(n * min(s, 1.0)))]
            plans.append((county, streets))
        street_counts = [len(st) for _, st in plans]
        county_grids = [
            max(n, g) for n, g in zip(street_counts, apportion(grids_total, weights), strict=True)
        ]
        county_households = [
            max(h, g)
            for h, g in zip(apportion(households_total, weights), county_grids, strict=True)
        ]
        total_grids = sum(county_grids)
        self.grids_done = 0
        self.total_grids = total_grids
        self.step = max(1, total_grids // 80)
        self._report(0)
        for (county, streets), n_grids, n_households in zip(
            plans, county_grids, county_households, strict=True
        ):
            self._county(county, streets, n_grids, n_households, rng)
        self._report(80)
        hierarchy = Hierarchy(nodes)
        self._report(90)
        workers, assignments = self._workers()
        city = City(
            profile=p.name,
            seed=self.seed,
            scale=s,
            hierarchy=hierarchy,
            workers=workers,
            assignments=assignments,
            columns={
                "hpos": self.hpos,
                "first": self.first,
                "vacant": self.vacant,
                "birth": self.birth,
                "seq": self.seq,
                "area": self.area,
                "flags": self.flags,
                "codes": tuple(self.codes),
                "key": self.key,
            },
        )
        self._report(100)
        return city

    def _county(
        self,
        county: CountyProfile,
        streets: list[tuple[str, int]],
        n_grids: int,
        n_households: int,
        rng: random.Random,
    ) -> None:
        nodes = self.nodes
        code = AreaCode.parse(county.code)
        county_id = county.code
        nodes.append(Node(county_id, NodeKind.DISTRICT, county.name, self.profile.code, code))
        natives = [self._code(c) for c in county.id_codes]
        # 渌口区 natives (old code 430221) born after the 2018 renaming carry the new code.
        old = late = -1
        if county.code == "430212":
            old, late = self._code("430221"), self._code("430212")
        # Urban streets hold most of the people: more grids than towns, towns more than townships.
        street_weights = [_STREET_WEIGHT[kind] * rng.uniform(0.6, 1.4) for kind, _ in streets]
        street_grids = apportion(n_grids, street_weights, minimum=1)
        grid_weights = [rng.uniform(0.45, 1.55) for _ in range(n_grids)]
        grid_households = apportion(n_households, grid_weights, minimum=1)
        used_names: set[str] = set()
        g_at = 0
        for (kind, number), n_street_grids in zip(streets, street_grids, strict=True):
            if code.local:
                street_code = code.child(f"S{number:02d}")
            else:
                base = {"street": 0, "town": 100, "township": 200}[kind]
                street_code = AreaCode.parse(f"{county.code}{base + number:03d}")
            street_id = str(street_code)
            suffix = {"street": "街道", "town": "镇", "township": "乡"}[kind]
            street_name = self._place_name(rng, used_names) + suffix
            nodes.append(Node(street_id, NodeKind.STREET, street_name, county_id, street_code))
            self.street_ids.append(street_id)
            n_comm = max(1, round(n_street_grids / 2))
            comm_grids = apportion(
                n_street_grids, [rng.uniform(0.5, 1.5) for _ in range(n_comm)], 1
            )
            for j, n_comm_grids in enumerate(comm_grids):
                # Street communities are urban; a town's first community is its seat
                # (mixed) when it has villages too; every other community is a village.
                if kind == "street":
                    style = "urban"
                elif kind == "town" and j == 0 and n_comm > 1:
                    style = "mixed"
                else:
                    style = "rural"
                if street_code.local:
                    comm_code = street_code.child(f"C{j + 1:03d}")
                else:
                    serial = j + 1 if style != "rural" else 200 + j + 1
                    comm_code = AreaCode.parse(f"{street_id}{serial:03d}")
                comm_id = str(comm_code)
                comm_name = self._place_name(rng, used_names) + (
                    "村" if style == "rural" else "社区"
                )
                nodes.append(Node(comm_id, NodeKind.COMMUNITY, comm_name, street_id, comm_code))
                grid_ids: list[str] = []
                for g in range(n_comm_grids):
                    grid_code = comm_code.child(f"G{g + 1:02d}")
                    grid_id = str(grid_code)
                    grid_ids.append(grid_id)
                    nodes.append(
                        Node(
                            grid_id, NodeKind.GRID, f"{comm_name}第{g + 1}网格", comm_id, grid_code
                        )
                    )
                    self._grid(grid_id, style, grid_households[g_at], natives, old, late)
                    g_at += 1
                self.community_info.append((comm_id, style == "rural", grid_ids))

    def _place_name(self, rng: random.Random, used: set[str]) -> str:
        for _ in range(50):
            name = rng.choice(_PLACE_A) + rng.choice(_PLACE_B)
            if name not in used:
                used.add(name)
                return name
        name = rng.choice(_PLACE_A) + rng.choice(_PLACE_B) + str(len(used))
        used.add(name)
        return name

    def _grid(
        self, grid_id: str, style: str, n: int, natives: list[int], old: int, late: int
    ) -> None:
        rng = self.rng_shape
        nodes = self.nodes
        hpos = self.hpos
        names = self.room_names
        HOUSEHOLD = NodeKind.HOUSEHOLD
        # The grid's buildings, units and households are written here from the checked grid
        # id and the builder's own name templates: built unchecked (_node).
        buildings: list[list[str]] = []  # per building: the nodes a building head answers for
        households: list[str] = []
        made = 0
        rural = style == "rural"
        if style == "urban":
            b = 0
            while made < n:
                b += 1
                units = rng.choice((1, 2, 2, 3, 3, 4))
                floors = rng.choice((5, 6, 6, 7, 7, 9, 11, 18, 26, 33))
                b_id = f"{grid_id}-B{b:02d}"
                nodes.append(_node(b_id, NodeKind.BUILDING, f"{b}栋", grid_id))
                heads: list[str] = []
                for u in range(1, units + 1):
                    if made >= n:
                        break
                    u_id = f"{b_id}-U{u}"
                    nodes.append(_node(u_id, NodeKind.UNIT, f"{u}单元", b_id))
                    heads.append(u_id)
                    for floor in range(1, floors + 1):
                        for room in (1, 2):
                            if made >= n:
                                break
                            made += 1
                            key = (b, u, floor, room)
                            name = names.get(key)
                            if name is None:
                                name = names[key] = f"{b}栋{u}单元{floor}{room:02d}室"
                            h_id = _household_id(grid_id, made)
                            hpos.append(len(nodes))
                            nodes.append(_node(h_id, HOUSEHOLD, name, u_id))
                            households.append(h_id)
                buildings.append(heads)
        elif style == "mixed":
            # A town seat: small buildings without units, and self-built houses on the grid.
            in_buildings = n // 2
            b = 0
            while made < in_buildings:
                b += 1
                floors = rng.choice((3, 4, 5, 6))
                per_floor = rng.choice((2, 3, 4))
                b_id = f"{grid_id}-B{b:02d}"
                nodes.append(_node(b_id, NodeKind.BUILDING, f"{b}栋", grid_id))
                for floor in range(1, floors + 1):
                    for room in range(1, per_floor + 1):
                        if made >= in_buildings:
                            break
                        made += 1
                        key = (b, 0, floor, room)
                        name = names.get(key)
                        if name is None:
                            name = names[key] = f"{b}栋{floor}{room:02d}室"
                        h_id = _household_id(grid_id, made)
                        hpos.append(len(nodes))
                        nodes.append(_node(h_id, HOUSEHOLD, name, b_id))
                        households.append(h_id)
                buildings.append([b_id])
            while made < n:
                made += 1
                h_id = _household_id(grid_id, made)
                key = (0, -1, 0, made)
                name = names.get(key)
                if name is None:
                    name = names[key] = f"民居{made}号"
                hpos.append(len(nodes))
                nodes.append(_node(h_id, HOUSEHOLD, name, grid_id))
                households.append(h_id)
        else:
            # A village: households directly under the grid, by village group (组).
            while made < n:
                made += 1
                h_id = _household_id(grid_id, made)
                key = (0, -2, 0, made)
                name = names.get(key)
                if name is None:
                    name = names[key] = f"{(made - 1) // 30 + 1}组{(made - 1) % 30 + 1}号"
                hpos.append(len(nodes))
                nodes.append(_node(h_id, HOUSEHOLD, name, grid_id))
                households.append(h_id)
        self._people(n, rural, natives, old, late)
        self.grid_info.append((grid_id, rural, n, households, buildings))
        self.grids_done += 1
        if self.grids_done % self.step == 0 and self.grids_done < self.total_grids:
            self._report(self.grids_done * 80 // self.total_grids)

    # ------------------------------------------------------------------ people

    def _templates(self, rural: bool) -> list[tuple[int, ...]]:
        """Household shapes to draw from: vacant ``()`` or members as ``age << 8 | flag bits``.

        Members are head first; the flag bits known from the household are male,
        living alone and own surname (a spouse). Households are drawn from
        these shapes (:data:`_TEMPLATES` of them); birthdays, flags and documents
        are drawn per resident, so no two households are alike.
        """
        p = self.profile
        rng = self.rng_people
        rand = rng.random
        sizes = rng.choices(
            range(1, 8), weights=p.sizes_rural if rural else p.sizes_urban, k=self.template_mask + 1
        )
        vacant_rate = p.vacant_rural if rural else p.vacant_urban
        found: list[tuple[int, ...]] = []
        ms: list[int] = []
        append = ms.append
        m_male, m_wife = _MALE, _OWN_SURNAME
        for size in sizes:
            if rand() < vacant_rate:
                found.append(())
                continue
            ms.clear()
            r = rand()
            if size == 1:
                span = 23 if r < 0.35 else 20 if r < 0.6 else 50
                age = (22 if r < 0.35 else 45) + int(rand() * span)
                append(age << 8 | _ALONE | (m_male if rand() < 0.5 else 0))
            elif size == 2 and r < 0.8:
                head = 58 + int(rand() * 35) if r < 0.45 else 23 + int(rand() * 18)
                append(head << 8 | m_male)
                append(max(20, head - 4 + int(rand() * 9)) << 8 | m_wife)
            elif size == 2:
                head = 38 + int(rand() * 35)
                append(head << 8 | (m_male if rand() < 0.4 else 0))
                append(max(0, head - 22 - int(rand() * 13)) << 8 | (m_male if rand() < 0.5 else 0))
            else:
                head = 27 + int(rand() * 36)
                append(head << 8 | m_male)
                append(max(20, head - 4 + int(rand() * 9)) << 8 | m_wife)
                elders = 0
                if size >= 5:
                    elders = 2 if rand() < 0.5 else 1
                elif size == 4 and rand() < 0.3:
                    elders = 1
                for _ in range(size - 2 - elders):
                    append(
                        max(0, head - 22 - int(rand() * 14)) << 8 | (m_male if rand() < 0.52 else 0)
                    )
                if elders:
                    append(min(100, head + 24 + int(rand() * 9)) << 8 | m_male)
                    if elders == 2:
                        append(min(100, head + 22 + int(rand() * 9)) << 8 | m_wife)
            found.append(tuple(ms))
        return found

    def _people(self, n: int, rural: bool, natives: list[int], old: int, late: int) -> None:
        """Residents of ``n`` households: sizes, ages, sexes, flags, document codes.

        Each household draws a shape from the style's templates; per resident,
        one 64-bit draw gives the day within the birth year, the flags (through
        a table per age band) and the document area (0.04% foreign documents,
        8% born elsewhere, the rest natives). ``seq_used`` counts the sequences
        taken per (area, birth day, sex) so that every citizen ID is unique.
        """
        rng = self.rng_people
        table = self.templates_rural if rural else self.templates_urban
        mask = self.template_mask
        picks = [table[x & mask] for x in array("H", rng.randbytes(2 * n))]
        first = self.first
        first.extend(accumulate([len(t) for t in picks], initial=first[-1]))
        del first[-n - 1]  # accumulate repeats the starting offset
        self.vacant.extend([0 if t else 1 for t in picks])
        ms = list(chain.from_iterable(picks))
        birth = self.birth
        seqs = self.seq
        area = self.area
        flags = self.flags
        used = self.seq_used
        base_day = self.base_day
        flag_table = self.flag_table
        late_day = self.late_day
        n_natives = len(natives)
        others = self.others
        n_others = len(others)
        n_people = len(ms)
        if not n_people:
            return
        draws = array("Q", rng.randbytes(8 * n_people))
        days = [base_day[m >> 8] - ((x & 0x1FF) * 365 >> 9) for m, x in zip(ms, draws, strict=True)]
        fl = [
            flag_table[m >> 8][(x >> 9) & 0xFFF] | (m & 0xFF)
            for m, x in zip(ms, draws, strict=True)
        ]
        areas = [
            natives[w % n_natives] if w >= 1311 else others[w % n_others] if w >= 7 else -1
            for w in [(x >> 21) & 0x3FFF for x in draws]
        ]
        if old >= 0:
            areas = [
                late if a == old and d >= late_day else a for a, d in zip(areas, days, strict=True)
            ]
        seq_append = seqs.append
        for i in range(n_people):
            a = areas[i]
            if a < 0:
                fl[i] |= _FOREIGN
                areas[i] = 0
                seq_append(0)
                continue
            male = fl[i] & 1
            key = ((a * _DAYS + days[i]) << 1) | male
            count = used[key]
            while count >= _SEQ_SLOTS:  # full: the day before (never at city scale)
                days[i] -= 1
                key -= 2
                count = used[key]
            used[key] = count + 1
            seq_append((key * 40_503 + count) % _SEQ_SLOTS * 2 + 2 - male)
        birth.extend(days)
        area.extend(areas)
        flags.extend(fl)

    # ------------------------------------------------------------------ workers

    def _workers(self) -> tuple[tuple[Worker, ...], tuple[Assignment, ...]]:
        rng = self.rng_workers
        rand = rng.random
        workers: list[Worker] = []
        assignments: list[Assignment] = []
        n_people = len(self.birth)
        counters: dict[str, int] = {}
        prefixes = {
            WorkerRole.GRID_WORKER_FULL_TIME: "GW",
            WorkerRole.GRID_WORKER_PART_TIME: "GW",
            WorkerRole.GRID_LEADER: "GL",
            WorkerRole.BUILDING_HEAD: "BH",
            WorkerRole.VOLUNTEER: "VO",
            WorkerRole.COMMUNITY_STAFF: "CS",
            WorkerRole.AUXILIARY_POLICE: "AP",
            WorkerRole.VILLAGE_DOCTOR: "VD",
        }

        def hire(role: WorkerRole, *node_ids: str) -> str:
            prefix = prefixes[role]
            n = counters[prefix] = counters.get(prefix, 0) + 1
            wid = f"{prefix}{n:06d}"
            male = rand() < 0.5
            h = _mix(self.key ^ (len(workers) + 1) << 34)
            name = _SURNAME_TABLE[h % len(_SURNAME_TABLE)] + _given_name(h >> 8, male)
            index = n_people + len(workers)  # past every resident: phones stay unique
            suffix = (index * _PHONE_MUL + (self.key & 0xFFFFFF)) % _PHONE_MOD
            phone = PhoneNumber(f"{_PHONE_PREFIXES[(h >> 50) % len(_PHONE_PREFIXES)]}{suffix:08d}")
            workers.append(Worker(id=wid, name=name, role=role, phone=phone))
            assignments.extend(Assignment(wid, node_id) for node_id in node_ids)
            return wid

        full, part = WorkerRole.GRID_WORKER_FULL_TIME, WorkerRole.GRID_WORKER_PART_TIME
        grid_info = self.grid_info
        # One grid worker per grid; the rest of the grid workers go, part-time, to
        # the largest grids, answering for the second half of their buildings.
        for grid_id, rural, _n, _hh, _bb in grid_info:
            hire(part if rural and rand() < 0.6 else full, grid_id)
        extra = max(0, round(self.profile.grid_workers * self.scale) - len(grid_info))
        largest = sorted(range(len(grid_info)), key=lambda i: (-grid_info[i][2], i))
        for i in largest[:extra]:
            grid_id, _rural, _n, _hh, buildings = grid_info[i]
            half = len(buildings) // 2
            if half:
                hire(part, *(f"{grid_id}-B{b + 1:02d}" for b in range(half, len(buildings))))
            else:
                hire(part, grid_id)
        for comm_id, rural, grid_ids in self.community_info:
            hire(WorkerRole.GRID_LEADER, *grid_ids)
            hire(WorkerRole.COMMUNITY_STAFF, comm_id)
            hire(WorkerRole.COMMUNITY_STAFF, comm_id)
            if rural:
                hire(WorkerRole.VILLAGE_DOCTOR, comm_id)
        for street_id in self.street_ids:
            hire(WorkerRole.AUXILIARY_POLICE, street_id)
        for _grid_id, rural, _n, households, buildings in grid_info:
            for heads in buildings:
                hire(WorkerRole.BUILDING_HEAD, *heads)
            # A resident volunteer for a few households (more often in villages).
            rate = 0.25 if rural else 0.1
            i = 0
            while i < len(households):
                size = 3 + int(rand() * 4)
                if rand() < rate:
                    hire(WorkerRole.VOLUNTEER, *households[i : i + size])
                i += size
        return tuple(workers), tuple(assignments)
