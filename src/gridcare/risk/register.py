"""The dated risk-area register: designations, stays and the prefix index that matches them.

Rules this module obeys (docs/design.md, "Exposure"):

* a designation raises an area to a level at ``raised_at`` (R) and lifts it at
  ``lifted_at`` (L, or never); with a trace-back of T days a stay counts
  against it where the stay overlaps the half-open window ``[R - T days, L)``
  (T days of 24 hours, instant arithmetic); the exposure ends where that
  overlap ends: :func:`exposure_end` (unchecked: :func:`trusted_exposure_end`),
  the one statement of the rule;
* matching is by area code: a stay inside the designated area is a
  ``DIRECT`` match, a stay known only at a coarser area containing it is
  ``POSSIBLE``, a stay elsewhere in the same county is ``COUNTY``, elsewhere in
  the same province ``PROVINCE_OR_CITY``; each (stay, designation) pair gets at
  most one kind, the closest: :func:`match_kind` states it plainly, and the
  indexes find the same kinds;
* every public function and constructor checks its arguments where they
  enter (``InvalidInput``); the engine's loops call the rules through
  :func:`trusted_exposure_end` and :func:`trusted_opens_after`, which skip
  the checks for values already checked on the way in;
* the register is immutable and indexed by area key, so finding the
  designations a stay may match costs a few dictionary probes per level of the
  stay's code (:meth:`~gridcare.codes.AreaCode.prefixes`), never a scan.

>>> from datetime import datetime
>>> from gridcare.codes import AreaCode
>>> from gridcare.timeutil import DEFAULT_ZONE as CST
>>> high = RiskDesignation(
...     AreaCode.parse("430211001"), RiskLevel.HIGH, datetime(2022, 7, 5, 9, tzinfo=CST)
... )
>>> register = RiskRegister([high])
>>> register.level_at(AreaCode.parse("430211001002"), datetime(2022, 7, 6, tzinfo=CST))
<RiskLevel.HIGH: 'high'>
>>> stay = Stay(
...     AreaCode.parse("430211001002"),
...     datetime(2022, 7, 1, 8, tzinfo=CST),
...     datetime(2022, 7, 1, 18, tzinfo=CST),
... )
>>> [str(d.area) for d in register.overlapping(stay, trace_back_days=7)]
['430211001']
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta

import attrs

from gridcare.codes import AreaCode, AreaLevel
from gridcare.errors import (
    Choice,
    InvalidInput,
    require_instance,
    require_int,
    require_items,
    trusted,
)
from gridcare.masking import masked_field_reprs
from gridcare.timeutil import MAX_YEAR, MIN_YEAR, require_aware

__all__ = [
    "ChangeKind",
    "DesignationChange",
    "MatchKind",
    "RegisterDiff",
    "RiskDesignation",
    "RiskLevel",
    "RiskReach",
    "RiskRegister",
    "Stay",
    "diff",
    "exposure_end",
    "match_kind",
    "opens_after",
]


class RiskLevel(Choice):
    """The level an area is raised to, most severe first.

    ``AFFECTED`` is the wider level of local rules: a province or city with
    local cases (Hunan's practice in early 2022).

    >>> [level.value for level in RiskLevel]
    ['high', 'medium', 'low', 'affected']
    """

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    AFFECTED = "affected"


_LEVEL_RANK: dict[RiskLevel, int] = {level: i for i, level in enumerate(RiskLevel)}


class MatchKind(Choice):
    """How a stay's place relates to a designated area.

    >>> [kind.value for kind in MatchKind]
    ['direct', 'possible', 'county', 'province_or_city']
    """

    DIRECT = "direct"
    POSSIBLE = "possible"
    COUNTY = "county"
    PROVINCE_OR_CITY = "province_or_city"


# A bit per match kind, so that a compiled policy can ask for only the kinds it has rules for.
_KIND_BIT: dict[MatchKind, int] = {kind: 1 << i for i, kind in enumerate(MatchKind)}
ALL_KINDS_MASK = sum(_KIND_BIT.values())


def kinds_mask(kinds: Iterable[MatchKind]) -> int:
    """The bit mask of a set of match kinds (internal helper for compiled policies).

    >>> kinds_mask([MatchKind.DIRECT, MatchKind.POSSIBLE])
    3
    """
    mask = 0
    for kind in kinds:
        mask |= _KIND_BIT[kind]
    return mask


def _to_area(value: object, field: str) -> AreaCode:
    if isinstance(value, AreaCode):
        return value
    if isinstance(value, str):
        try:
            return AreaCode.parse(value)
        except InvalidInput as exc:
            raise InvalidInput(exc.code, field, exc.message, value=exc.value) from None
    raise InvalidInput(
        "not_area_code", field, f"expected an AreaCode, got {type(value).__name__}", value=value
    )


def _to_level(value: object) -> RiskLevel:
    if isinstance(value, RiskLevel):
        return value
    if isinstance(value, str):
        try:
            return RiskLevel(value)
        except InvalidInput:
            pass
    raise InvalidInput(
        "unknown_level", "level", f"expected one of {', '.join(RiskLevel)}", value=value
    )


#: The longest trace-back, in days, a window may be counted with (a policy's bound too).
MAX_TRACE_BACK_DAYS = 366

_NO_TIME = timedelta(0)
_MAX_TRACE_BACK = timedelta(days=MAX_TRACE_BACK_DAYS)
#: No shift of a supported instant by more than this stays in the supported years.
_MAX_SHIFT = timedelta(days=(MAX_YEAR - MIN_YEAR + 1) * 366)


def _check_days(value: object, field: str) -> int:
    """A trace-back in whole days, 0 to :data:`MAX_TRACE_BACK_DAYS` (code ``bad_days``)."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not 0 <= value <= MAX_TRACE_BACK_DAYS
    ):
        raise InvalidInput(
            "bad_days",
            field,
            f"expected a whole number of days from 0 to {MAX_TRACE_BACK_DAYS}",
            value=value,
        )
    return value


def _check_trace_back(value: object, field: str = "trace_back") -> timedelta:
    """A trace-back as a duration from 0 to :data:`MAX_TRACE_BACK_DAYS` days."""
    trace_back = require_instance(value, timedelta, field)
    if not _NO_TIME <= trace_back <= _MAX_TRACE_BACK:
        raise InvalidInput(
            "out_of_range",
            field,
            f"expected a duration from 0 to {MAX_TRACE_BACK_DAYS} days",
            value=trace_back,
        )
    return trace_back


def _check_stay(value: object, field: str = "stay") -> Stay:
    return require_instance(value, Stay, field, code="not_stay")


def _check_designation(value: object, field: str = "designation") -> RiskDesignation:
    return require_instance(value, RiskDesignation, field, code="not_designation")


def _check_area(value: object, field: str) -> AreaCode:
    return require_instance(value, AreaCode, field, code="not_area_code")


def _kinds_of(kinds: object, field: str = "kinds") -> int:
    """The bit mask of match kinds given by a caller: a list of :class:`MatchKind` (checked)."""
    found = require_items(kinds, MatchKind, field)
    return kinds_mask(found)


def _area_place(value: object) -> AreaCode:
    return _to_area(value, "place")


def _area_area(value: object) -> AreaCode:
    return _to_area(value, "area")


@attrs.frozen(field_transformer=masked_field_reprs)
class Stay:
    """A stay in one place during the half-open interval ``[start, end)``.

    ``place`` is an :class:`~gridcare.codes.AreaCode` (a code string is parsed);
    ``end`` is required and must be after ``start``: a stay is a past or
    declared visit, not a residence still in progress (docs/risk.md,
    "Decisions"). Both instants must be timezone-aware, in the years 1900-2100
    (``out_of_range`` otherwise), so the engine's day counting never leaves
    the range ``datetime`` holds.

    >>> from datetime import datetime
    >>> from gridcare.timeutil import DEFAULT_ZONE as CST
    >>> Stay("440304", datetime(2022, 7, 1, tzinfo=CST), datetime(2022, 7, 2, tzinfo=CST)).place
    AreaCode('440304')
    >>> Stay("440304", datetime(2022, 7, 2, tzinfo=CST), datetime(2022, 7, 2, tzinfo=CST))
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: end: a stay must end after it starts [end_not_after_start]
    """

    place: AreaCode = attrs.field(converter=_area_place)
    start: datetime
    end: datetime

    def __attrs_post_init__(self) -> None:
        require_aware(self.start, "start")
        require_aware(self.end, "end")
        if self.end <= self.start:
            raise InvalidInput(
                "end_not_after_start",
                "end",
                "a stay must end after it starts",
                value=self.end.isoformat(),
            )

    def shifted(self, delta: timedelta) -> Stay:
        """The same stay moved by ``delta``, which must keep it within the supported years.

        >>> from datetime import datetime
        >>> from gridcare.timeutil import DEFAULT_ZONE as CST
        >>> s = Stay("440304", datetime(2022, 7, 1, tzinfo=CST), datetime(2022, 7, 2, tzinfo=CST))
        >>> s.shifted(timedelta(days=1)).start.day
        2
        >>> s.shifted(timedelta(days=365 * 100))
        Traceback (most recent call last):
        ...
        gridcare.errors.InvalidInput: delta: year 2122 is outside 1900-2100 [out_of_range]
        """
        require_instance(delta, timedelta, "delta")
        if not -_MAX_SHIFT <= delta <= _MAX_SHIFT:
            raise InvalidInput("out_of_range", "delta", "moves the stay out of 1900-2100")
        start = require_aware(self.start + delta, "delta")
        end = require_aware(self.end + delta, "delta")
        return Stay(self.place, start, end)


@attrs.frozen(cache_hash=True, field_transformer=masked_field_reprs)
class RiskDesignation:
    """An area raised to a risk level at ``raised_at`` and lifted at ``lifted_at`` (or never).

    The area may be any level of code, or a local place under one. Naive
    instants are refused (``naive_datetime``), and so is a lift at or before
    the raise (``lifted_not_after_raised``).

    >>> from datetime import datetime
    >>> from gridcare.timeutil import DEFAULT_ZONE as CST
    >>> d = RiskDesignation("430211", "medium", datetime(2022, 7, 1, 12, tzinfo=CST))
    >>> d.level, d.in_force(datetime(2022, 7, 1, 12, tzinfo=CST))
    (<RiskLevel.MEDIUM: 'medium'>, True)
    >>> RiskDesignation("430211", "high", datetime(2022, 7, 1, 12))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: raised_at: naive datetime: ... [naive_datetime]
    """

    area: AreaCode = attrs.field(converter=_area_area)
    level: RiskLevel = attrs.field(converter=_to_level)
    raised_at: datetime
    lifted_at: datetime | None = None

    def __attrs_post_init__(self) -> None:
        require_aware(self.raised_at, "raised_at")
        if self.lifted_at is not None:
            require_aware(self.lifted_at, "lifted_at")
            if self.lifted_at <= self.raised_at:
                raise InvalidInput(
                    "lifted_not_after_raised",
                    "lifted_at",
                    "a designation must be lifted after it is raised",
                    value=self.lifted_at.isoformat(),
                )

    def in_force(self, at: datetime) -> bool:
        """Whether the level holds at ``at``: ``raised_at <= at < lifted_at``.

        >>> from datetime import datetime
        >>> from gridcare.timeutil import DEFAULT_ZONE as CST
        >>> t = datetime(2022, 7, 1, tzinfo=CST)
        >>> week = RiskDesignation("430211", "high", t, t + timedelta(days=7))
        >>> week.in_force(t + timedelta(days=7))
        False
        """
        return _in_force(self, require_aware(at, "at"))

    def window(self, trace_back_days: int = 0) -> tuple[datetime, datetime | None]:
        """The window ``[raised_at - T days, lifted_at)`` a stay is counted against.

        >>> from datetime import datetime
        >>> from gridcare.timeutil import DEFAULT_ZONE as CST
        >>> d = RiskDesignation("430211", "high", datetime(2022, 7, 8, 9, tzinfo=CST))
        >>> d.window(7)[0].isoformat(), d.window(7)[1]
        ('2022-07-01T09:00:00+08:00', None)
        """
        days = _check_days(trace_back_days, "trace_back_days")
        return self.raised_at - timedelta(days=days), self.lifted_at

    def exposure(self, stay: Stay, trace_back_days: int = 0) -> tuple[datetime, datetime] | None:
        """The part of ``stay`` inside :meth:`window`, as ``(start, end)``, or ``None``.

        Half-open on both sides: a stay that ends exactly when the window
        opens, or starts exactly when the area is lifted, does not count.

        >>> from datetime import datetime
        >>> from gridcare.timeutil import DEFAULT_ZONE as CST
        >>> t = datetime(2022, 7, 8, 9, tzinfo=CST)
        >>> d = RiskDesignation("430211", "high", t, t + timedelta(days=2))
        >>> s = Stay("430211", t + timedelta(days=2), t + timedelta(days=3))
        >>> d.exposure(s) is None
        True
        """
        _check_stay(stay)
        trace_back = timedelta(days=_check_days(trace_back_days, "trace_back_days"))
        end = trusted_exposure_end(stay, self, trace_back)
        if end is None:
            return None
        opens = self.raised_at - trace_back
        return (stay.start if stay.start > opens else opens), end


def _in_force(designation: RiskDesignation, at: datetime) -> bool:
    return designation.raised_at <= at and (
        designation.lifted_at is None or at < designation.lifted_at
    )


def opens_after(designation: RiskDesignation, instant: datetime, trace_back: timedelta) -> bool:
    """Whether the window ``[R - T, L)`` of ``designation`` opens at or after ``instant``.

    A stay ending at ``instant`` then has no exposure to it, nor to any
    designation raised later (the basis of scans sorted by ``raised_at``).
    ``trace_back`` is a duration from 0 to :data:`MAX_TRACE_BACK_DAYS` days.

    >>> from datetime import datetime
    >>> from gridcare.timeutil import DEFAULT_ZONE as CST
    >>> t = datetime(2022, 7, 8, 9, tzinfo=CST)
    >>> d = RiskDesignation("430211", "high", t)
    >>> opens_after(d, t - timedelta(days=7), timedelta(days=7))
    True
    """
    _check_designation(designation)
    require_aware(instant, "instant")
    _check_trace_back(trace_back)
    return trusted_opens_after(designation, instant, trace_back)


def trusted_opens_after(
    designation: RiskDesignation, instant: datetime, trace_back: timedelta
) -> bool:
    """:func:`opens_after` for arguments already checked (the engine's scans): no check.

    >>> from datetime import datetime
    >>> from gridcare.timeutil import DEFAULT_ZONE as CST
    >>> t = datetime(2022, 7, 8, 9, tzinfo=CST)
    >>> trusted_opens_after(RiskDesignation("430211", "high", t), t, timedelta(0))
    True
    """
    return instant <= designation.raised_at - trace_back


def exposure_end(
    stay: Stay, designation: RiskDesignation, trace_back: timedelta
) -> datetime | None:
    """Where ``stay``'s exposure to ``designation`` ends, or ``None`` when there is none.

    The exposure rule, used by every path (the engine's one-person and bulk
    assessments, :meth:`RiskRegister.matches`, :meth:`RegisterDiff.affects`):
    with a trace-back of T, the stay ``[start, end)`` counts against a
    designation raised at R and lifted at L (or never) where it overlaps
    ``[R - T, L)``, both half-open; the exposure ends where that overlap ends,
    at the end of the stay or at the lift if the area was lifted while the
    person was there.

    >>> from datetime import datetime
    >>> from gridcare.timeutil import DEFAULT_ZONE as CST
    >>> t = datetime(2022, 7, 8, 9, tzinfo=CST)
    >>> d = RiskDesignation("430211", "high", t, t + timedelta(days=2))
    >>> exposure_end(Stay("430211", t, t + timedelta(days=3)), d, timedelta(days=7)).isoformat()
    '2022-07-10T09:00:00+08:00'
    >>> exposure_end(Stay("430211", t - timedelta(days=9), t - timedelta(days=7)), d,
    ...              timedelta(days=7)) is None  # ends exactly when the window opens
    True
    """
    _check_stay(stay)
    _check_designation(designation)
    _check_trace_back(trace_back)
    return trusted_exposure_end(stay, designation, trace_back)


def trusted_exposure_end(
    stay: Stay, designation: RiskDesignation, trace_back: timedelta
) -> datetime | None:
    """:func:`exposure_end` for arguments already checked (the engine's loops): no check.

    >>> from datetime import datetime
    >>> from gridcare.timeutil import DEFAULT_ZONE as CST
    >>> t = datetime(2022, 7, 8, 9, tzinfo=CST)
    >>> d = RiskDesignation("430211", "high", t)
    >>> trusted_exposure_end(Stay("430211", t, t + timedelta(hours=2)), d, timedelta(0)).hour
    11
    """
    end = stay.end
    if trusted_opens_after(designation, end, trace_back):
        return None  # the stay was over before the window opened
    lifted = designation.lifted_at
    if lifted is None or end < lifted:
        return end
    if stay.start >= lifted:
        return None  # the stay began once the area was lifted
    return lifted


def match_kind(place: AreaCode, area: AreaCode) -> MatchKind | None:
    """The closest match kind between a stay's place and a designated area, or ``None``.

    The matching rule stated plainly; :meth:`RiskRegister.reach` finds the
    same kinds through its indexes.

    >>> match_kind(AreaCode.parse("430211001"), AreaCode.parse("430211")).value
    'direct'
    >>> match_kind(AreaCode.parse("430211"), AreaCode.parse("430211001")).value
    'possible'
    >>> match_kind(AreaCode.parse("430211002"), AreaCode.parse("430211001")).value
    'county'
    >>> match_kind(AreaCode.parse("430281"), AreaCode.parse("430211001")).value
    'province_or_city'
    """
    return _match_kind(_check_area(place, "place"), _check_area(area, "area"))


def _match_kind(place: AreaCode, area: AreaCode) -> MatchKind | None:
    if area.contains(place):
        return MatchKind.DIRECT
    if place.contains(area):
        return MatchKind.POSSIBLE
    county = place.county
    if county is not None and county == area.county:
        return MatchKind.COUNTY
    if place.key[:2] == area.key[:2]:
        return MatchKind.PROVINCE_OR_CITY
    return None


_ABOVE_COUNTY = frozenset({AreaLevel.PROVINCE, AreaLevel.PREFECTURE})

#: How the register's indexes key an area (see :func:`_area_key`).
_AreaKey = str | AreaCode


def _area_key(area: AreaCode) -> _AreaKey:
    """An official code by its digits, a local code by itself: the two never compare equal.

    A str hashes and compares without a Python call, an ``AreaCode`` does not;
    most codes in a batch are official.
    """
    return area if area.local else area.key


#: Candidate matches for one place: (designation, kind) pairs, most specific first.
Candidates = tuple[tuple[RiskDesignation, MatchKind], ...]


@attrs.frozen(init=False, field_transformer=masked_field_reprs)
class RiskReach:
    """The designations a place may match, ignoring time (see :meth:`RiskRegister.reach`).

    ``near`` holds (designation, kind) pairs of kind ``DIRECT`` or
    ``POSSIBLE``; ``county`` and ``province`` hold designations. ``wide`` pairs
    each non-empty wide list with its kind, county first. The constructor
    checks every item (codes ``not_list``, ``wrong_type``, ``bad_pair``).

    >>> RiskReach((), (), ()).near
    ()
    >>> RiskReach([("440304", "direct")], (), ())
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: near.0: expected a (RiskDesignation, ...) pair [bad_pair]
    """

    near: Candidates
    county: tuple[RiskDesignation, ...]
    province: tuple[RiskDesignation, ...]
    wide: tuple[tuple[MatchKind, tuple[RiskDesignation, ...]], ...] = attrs.field(
        init=False, eq=False, repr=False
    )

    def __init__(
        self,
        near: Candidates,
        county: tuple[RiskDesignation, ...],
        province: tuple[RiskDesignation, ...],
    ) -> None:
        pairs = require_items(near, tuple, "near")
        for i, pair in enumerate(pairs):
            if (
                len(pair) != 2
                or not isinstance(pair[0], RiskDesignation)
                or pair[1] not in _NEAR_KINDS
            ):
                raise InvalidInput(
                    "bad_pair", f"near.{i}", "expected a (RiskDesignation, DIRECT|POSSIBLE) pair"
                )
        self.__attrs_init__(
            tuple(pairs),
            tuple(require_items(county, RiskDesignation, "county")),
            tuple(require_items(province, RiskDesignation, "province")),
        )

    @classmethod
    def _trusted(
        cls,
        near: Candidates,
        county: tuple[RiskDesignation, ...],
        province: tuple[RiskDesignation, ...],
    ) -> RiskReach:
        """Build from tuples the register made itself: no check (its indexes' hot path)."""
        return trusted(cls, near, county, province)

    def __attrs_post_init__(self) -> None:
        wide = ((MatchKind.COUNTY, self.county), (MatchKind.PROVINCE_OR_CITY, self.province))
        object.__setattr__(self, "wide", tuple((k, ds) for k, ds in wide if ds))


_NEAR_KINDS = frozenset({MatchKind.DIRECT, MatchKind.POSSIBLE})


def _index_order(d: RiskDesignation) -> tuple[datetime, int, str, tuple[str, ...], bool, datetime]:
    """The order a register indexes its designations in, set by the designations alone.

    Raised first, then the higher level, then the area code, then the earlier
    lift (never lifted last): a total order, so equal registers given in any
    order answer alike, and every list of an index is sorted by ``raised_at``.
    """
    lifted = d.lifted_at
    return (
        d.raised_at,
        _LEVEL_RANK[d.level],
        d.area.key,
        d.area.local,
        lifted is None,
        d.raised_at if lifted is None else lifted,
    )


_MEMO_LIMIT = 200_000


class RiskRegister:
    """An immutable set of designations, indexed by area key.

    Four indexes are built once: designations by their exact area, by every
    area strictly above them (for possible matches), by county and by
    province. A place's candidate matches are found by probing its prefixes
    and are remembered per place, so a batch of histories sharing places
    pays for each place once. Equality is equality of the designation sets.

    >>> from datetime import datetime
    >>> from gridcare.timeutil import DEFAULT_ZONE as CST
    >>> t = datetime(2022, 7, 1, tzinfo=CST)
    >>> reg = RiskRegister([RiskDesignation("430211001", "high", t)])
    >>> len(reg), reg.level_at(AreaCode.parse("430211"), t)
    (1, None)
    >>> [(str(d.area), k.value) for d, k in reg.candidates(AreaCode.parse("430211"))]
    [('430211001', 'possible')]
    """

    __slots__ = (
        "_below",
        "_by_area",
        "_by_county",
        "_by_province",
        "_designations",
        "_memo",
        "_near",
        "_outside",
        "_plain",
        "_up",
    )

    def __init__(self, designations: Iterable[RiskDesignation] = ()) -> None:
        found: list[RiskDesignation] = []
        # A list (or any iterable read once) of anything; each item is checked just below.
        for i, d in enumerate(require_items(designations, object, "designations")):
            if not isinstance(d, RiskDesignation):
                raise InvalidInput(
                    "not_designation",
                    f"designations.{i}",
                    f"expected a RiskDesignation, got {type(d).__name__}",
                )
            found.append(d)
        # A set of designations: an equal one given twice is held once.
        self._designations: tuple[RiskDesignation, ...] = tuple(dict.fromkeys(found))
        by_area: dict[_AreaKey, list[RiskDesignation]] = {}
        below: dict[_AreaKey, list[RiskDesignation]] = {}
        by_county: dict[_AreaKey, list[RiskDesignation]] = {}
        by_province: dict[str, list[RiskDesignation]] = {}
        # Indexed in an order of their own, not the order given: each index then lists
        # the same designations the same way for equal registers (a scan cites the first
        # of equal exposures; near reasons keep this order), sorted by raised_at, so a
        # time scan over a county or province can stop early.
        for d in sorted(self._designations, key=_index_order):
            by_area.setdefault(_area_key(d.area), []).append(d)
            for up in d.area.ancestors():
                below.setdefault(_area_key(up), []).append(d)
            county = d.area.county
            if county is not None:
                by_county.setdefault(_area_key(county), []).append(d)
            by_province.setdefault(d.area.key[:2], []).append(d)
        self._by_area = {k: tuple(v) for k, v in by_area.items()}
        self._below = {k: tuple(v) for k, v in below.items()}
        self._by_county = {k: tuple(v) for k, v in by_county.items()}
        self._by_province = {k: tuple(v) for k, v in by_province.items()}
        # Remembered answers, per match-kind mask then place; see reach().
        self._memo: dict[int, dict[_AreaKey, RiskReach]] = {}
        self._plain: dict[tuple[_AreaKey | None, str, int], RiskReach] = {}
        self._near: dict[tuple[object, ...], RiskReach] = {}
        self._outside: dict[tuple[str, _AreaKey | None], tuple[RiskDesignation, ...]] = {}
        self._up: dict[_AreaKey, tuple[tuple[RiskDesignation, ...], AreaCode | None]] = {}

    # ------------------------------------------------------------------ container protocol

    @property
    def designations(self) -> tuple[RiskDesignation, ...]:
        """The designations, in the order given."""
        return self._designations

    def __len__(self) -> int:
        return len(self._designations)

    def __iter__(self) -> Iterator[RiskDesignation]:
        return iter(self._designations)

    def __contains__(self, item: object) -> bool:
        if not isinstance(item, RiskDesignation):
            return False
        return item in self._by_area.get(_area_key(item.area), ())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RiskRegister):
            return NotImplemented
        return frozenset(self._designations) == frozenset(other._designations)

    def __hash__(self) -> int:
        return hash(frozenset(self._designations))

    def __repr__(self) -> str:
        return f"RiskRegister(<{len(self._designations)} designations>)"

    def __reduce__(self) -> tuple[type[RiskRegister], tuple[tuple[RiskDesignation, ...]]]:
        # Pickle the designations only (Dask, multiprocessing): indexes are rebuilt.
        return (RiskRegister, (self._designations,))

    # ------------------------------------------------------------------ queries

    def reach(self, place: AreaCode, kinds: int = ALL_KINDS_MASK) -> RiskReach:
        """What ``place`` may match, ignoring time: near pairs, county and province lists.

        ``near`` holds the ``DIRECT`` and ``POSSIBLE`` (designation, kind)
        pairs; ``county`` and ``province`` the designations matched by the
        wider kinds, each sorted by ``raised_at`` so that a time scan can stop
        early. ``kinds`` is a bit mask of :class:`MatchKind` (all by default).
        The result is remembered per (place, kinds); this is the engine's
        hot path, so the checks are an exact type test of ``place``
        (``not_area_code``) and, on a mask's first use, of ``kinds``
        (``not_integer``, ``negative``, ``out_of_range``).

        >>> RiskRegister().reach(AreaCode.parse("430211"))
        RiskReach(near=(), county=(), province=())
        """
        if type(place) is not AreaCode:
            _check_area(place, "place")
        memo = self._memo.get(kinds) if type(kinds) is int else None
        if memo is None:
            require_int(kinds, "kinds", low=0, high=ALL_KINDS_MASK)
            memo = self._memo[kinds] = {}
        key = _area_key(place)
        found = memo.get(key)
        if found is None:
            found = self._reach(place, kinds)
            if len(memo) >= _MEMO_LIMIT:
                memo.clear()
            memo[key] = found
        return found

    def _reach(self, place: AreaCode, kinds: int) -> RiskReach:
        """:meth:`reach` without the memo."""
        containing, county = self._walk_up(place)
        inside = self._below.get(_area_key(place), ())
        wide = kinds & (_KIND_BIT[MatchKind.COUNTY] | _KIND_BIT[MatchKind.PROVINCE_OR_CITY])
        if wide and county is None:
            county = place.county  # above the county, or a shape the walk does not settle
        if not containing and not inside:
            # Most places: nothing designated above or below them, so all such places
            # of a county share one answer.
            return self._plain_reach(county, place.key[:2], kinds)
        return self._near_reach(containing, inside, county, place.key[:2], kinds)

    def _near_reach(
        self,
        containing: tuple[RiskDesignation, ...],
        inside: tuple[RiskDesignation, ...],
        county: AreaCode | None,
        province: str,
        kinds: int,
    ) -> RiskReach:
        """The reach of a place with designations above or below it.

        It depends on those designations, the county and the province only, so
        places that share them (the communities of one designated town) share
        one answer. Designations are keyed by identity: the register holds each
        once, for as long as it lives.
        """
        county_key = None if county is None else _area_key(county)
        key = (tuple(map(id, containing)), tuple(map(id, inside)), county_key, province, kinds)
        found = self._near.get(key)
        if found is not None:
            return found
        near: list[tuple[RiskDesignation, MatchKind]] = []
        if kinds & _KIND_BIT[MatchKind.DIRECT]:
            near.extend((d, MatchKind.DIRECT) for d in containing)
        if kinds & _KIND_BIT[MatchKind.POSSIBLE]:
            near.extend((d, MatchKind.POSSIBLE) for d in inside)
        county_list: tuple[RiskDesignation, ...] = ()
        province_list: tuple[RiskDesignation, ...] = ()
        if kinds & (_KIND_BIT[MatchKind.COUNTY] | _KIND_BIT[MatchKind.PROVINCE_OR_CITY]):
            # Identity sets: the register holds each designation once, and ids hash for free.
            seen = {id(d) for d in containing}
            seen.update(id(d) for d in inside)
            if kinds & _KIND_BIT[MatchKind.COUNTY] and county_key is not None:
                same_county = self._by_county.get(county_key, ())
                county_list = tuple(d for d in same_county if id(d) not in seen)
            if kinds & _KIND_BIT[MatchKind.PROVINCE_OR_CITY]:
                province_list = self._outside_county(province, county)
                if not seen.isdisjoint(map(id, province_list)):
                    province_list = tuple(d for d in province_list if id(d) not in seen)
        found = RiskReach._trusted(tuple(near), county_list, province_list)
        if len(self._near) >= _MEMO_LIMIT:
            self._near.clear()
        self._near[key] = found
        return found

    def _plain_reach(self, county: AreaCode | None, province: str, kinds: int) -> RiskReach:
        """The reach of a place with no designation above or below it (shared per county)."""
        key = (None if county is None else _area_key(county), province, kinds)
        found = self._plain.get(key)
        if found is None:
            county_list: tuple[RiskDesignation, ...] = ()
            province_list: tuple[RiskDesignation, ...] = ()
            if kinds & _KIND_BIT[MatchKind.COUNTY] and county is not None:
                county_list = self._by_county.get(_area_key(county), ())
            if kinds & _KIND_BIT[MatchKind.PROVINCE_OR_CITY]:
                province_list = self._outside_county(province, county)
            found = RiskReach._trusted((), county_list, province_list)
            self._plain[key] = found
        return found

    def _walk_up(self, area: AreaCode) -> tuple[tuple[RiskDesignation, ...], AreaCode | None]:
        """The designations of ``area`` and every code above it, and the county met going up.

        The designations come coarsest first (the order of ``area.prefixes()``).
        The county is the first code at county level met walking up from
        ``area`` before any level above the county: ``area.county`` in every
        case it settles; ``None`` leaves the rest to :attr:`AreaCode.county`.
        A parent's answer is remembered: the places of a batch share their towns.
        """
        parent = area.parent
        if parent is None:
            above: tuple[RiskDesignation, ...] = ()
            county: AreaCode | None = None
        else:
            key = _area_key(parent)
            found = self._up.get(key)
            if found is None:
                found = self._walk_up(parent)
                if len(self._up) >= _MEMO_LIMIT:
                    self._up.clear()
                self._up[key] = found
            above, county = found
        here = self._by_area.get(_area_key(area), ())
        level = area.level
        if level is AreaLevel.COUNTY:
            county = area
        elif level in _ABOVE_COUNTY:
            county = None
        return (above + here if here else above), county

    def _outside_county(
        self, province: str, county: AreaCode | None
    ) -> tuple[RiskDesignation, ...]:
        """The province's designations outside ``county``, sorted by raise (cached per county)."""
        county_key = None if county is None else _area_key(county)
        key = (province, county_key)
        found = self._outside.get(key)
        if found is None:
            inside = {id(d) for d in self._by_county.get(county_key, ())} if county_key else set()
            found = tuple(d for d in self._by_province.get(province, ()) if id(d) not in inside)
            self._outside[key] = found
        return found

    def candidates(self, place: AreaCode, kinds: int = ALL_KINDS_MASK) -> Candidates:
        """Every designation ``place`` may match, with its match kind, ignoring time.

        ``kinds`` is a bit mask of :class:`MatchKind` (all by default).

        >>> RiskRegister().candidates(AreaCode.parse("430211"))
        ()
        """
        found = self.reach(place, kinds)
        return (
            *found.near,
            *((d, MatchKind.COUNTY) for d in found.county),
            *((d, MatchKind.PROVINCE_OR_CITY) for d in found.province),
        )

    def level_at(self, place: AreaCode, at: datetime) -> RiskLevel | None:
        """The most severe level in force at ``at`` over designations containing ``place``.

        >>> from datetime import datetime
        >>> from gridcare.timeutil import DEFAULT_ZONE as CST
        >>> RiskRegister().level_at(AreaCode.parse("430211"), datetime(2022, 7, 1, tzinfo=CST))
        """
        place = _to_area(place, "place")
        require_aware(at, "at")
        best: RiskLevel | None = None
        for prefix in place.prefixes():
            for d in self._by_area.get(_area_key(prefix), ()):
                if _in_force(d, at) and (best is None or _LEVEL_RANK[d.level] < _LEVEL_RANK[best]):
                    best = d.level
        return best

    def overlapping(self, stay: Stay, *, trace_back_days: int = 0) -> tuple[RiskDesignation, ...]:
        """Designations containing the stay's place whose window the stay overlaps.

        The window is ``[raised_at - trace_back_days, lifted_at)``.

        >>> from datetime import datetime
        >>> from gridcare.timeutil import DEFAULT_ZONE as CST
        >>> t = datetime(2022, 7, 8, tzinfo=CST)
        >>> reg = RiskRegister([RiskDesignation("430211", "high", t)])
        >>> s = Stay("430211001", t - timedelta(days=8), t - timedelta(days=7))
        >>> reg.overlapping(s, trace_back_days=7)
        ()
        """
        return tuple(
            d
            for d, _ in self.matches(
                stay, trace_back_days=trace_back_days, kinds=[MatchKind.DIRECT]
            )
        )

    def matches(
        self,
        stay: Stay,
        *,
        trace_back_days: int = 0,
        kinds: Iterable[MatchKind] = tuple(MatchKind),
    ) -> tuple[tuple[RiskDesignation, MatchKind], ...]:
        """Designations the stay overlaps in time, with the kind of area match.

        >>> from datetime import datetime
        >>> from gridcare.timeutil import DEFAULT_ZONE as CST
        >>> t = datetime(2022, 7, 8, tzinfo=CST)
        >>> reg = RiskRegister([RiskDesignation("430211001", "high", t)])
        >>> s = Stay("430211002", t, t + timedelta(hours=1))
        >>> [k.value for _, k in reg.matches(s)]
        ['county']
        """
        _check_stay(stay)
        trace_back = timedelta(days=_check_days(trace_back_days, "trace_back_days"))
        mask = _kinds_of(kinds)
        return tuple(
            (d, kind)
            for d, kind in self.candidates(stay.place, mask)
            if trusted_exposure_end(stay, d, trace_back) is not None
        )


# ---------------------------------------------------------------------------- diff


class ChangeKind(Choice):
    """What happened to a designation between two registers.

    ``BACKDATED``: raised earlier than before; ``LIFTED``: lifted, or lifted
    earlier; ``AMENDED``: any other change to the same designation (raised
    later, lifted later or un-lifted); ``WITHDRAWN``: gone from the new register.

    >>> ChangeKind.BACKDATED.value
    'backdated'
    """

    RAISED = "raised"
    LIFTED = "lifted"
    BACKDATED = "backdated"
    AMENDED = "amended"
    WITHDRAWN = "withdrawn"


@attrs.frozen(field_transformer=masked_field_reprs)
class DesignationChange:
    """One change: the designation before (``old``) and after (``new``); either may be ``None``.

    A ``RAISED`` change has no ``old``, a ``WITHDRAWN`` one no ``new``; the
    others have both, of the same area and level. Anything else is refused
    (codes ``wrong_type``, ``not_designation``, ``bad_change``).

    >>> from datetime import datetime
    >>> from gridcare.timeutil import DEFAULT_ZONE as CST
    >>> d = RiskDesignation("430211", "high", datetime(2022, 7, 1, tzinfo=CST))
    >>> DesignationChange(ChangeKind.RAISED, None, d).area
    AreaCode('430211')
    >>> DesignationChange(ChangeKind.LIFTED, None, d)
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: old: a lifted change needs its old designation [bad_change]
    """

    kind: ChangeKind
    old: RiskDesignation | None
    new: RiskDesignation | None

    def __attrs_post_init__(self) -> None:
        kind = require_instance(self.kind, ChangeKind, "kind")
        needs_old, needs_new = _SIDES.get(kind, (True, True))
        for field, side, needed in (("old", self.old, needs_old), ("new", self.new, needs_new)):
            if side is not None:
                _check_designation(side, field)
            if (side is not None) != needed:
                verb = "needs its" if needed else "has no"
                raise InvalidInput(
                    "bad_change", field, f"a {kind.value} change {verb} {field} designation"
                )
        old, new = self.old, self.new
        if old is not None and new is not None and (old.area, old.level) != (new.area, new.level):
            raise InvalidInput("bad_change", "new", "old and new are of another area or level")

    @property
    def area(self) -> AreaCode:
        """The area concerned."""
        found = self.new if self.new is not None else self.old
        assert found is not None  # a change always has one side
        return found.area

    @property
    def versions(self) -> tuple[RiskDesignation, ...]:
        """The old and new designations that exist."""
        return tuple(d for d in (self.old, self.new) if d is not None)


#: Which designations a change of each kind has, (old, new); the other kinds have both.
_SIDES: dict[ChangeKind, tuple[bool, bool]] = {
    ChangeKind.RAISED: (False, True),
    ChangeKind.WITHDRAWN: (True, False),
}


def _changes(values: object) -> tuple[DesignationChange, ...]:
    return tuple(require_items(values, DesignationChange, "changes"))


@attrs.frozen(field_transformer=masked_field_reprs)
class RegisterDiff:
    """The changes between two registers; see :func:`diff`.

    ``changes`` is a list of :class:`DesignationChange` (kept as a tuple).

    >>> RegisterDiff(()).changed
    False
    """

    changes: tuple[DesignationChange, ...] = attrs.field(converter=_changes)

    @property
    def changed(self) -> bool:
        """Whether anything changed."""
        return bool(self.changes)

    def of_kind(self, kind: ChangeKind) -> tuple[DesignationChange, ...]:
        """The changes of one kind.

        >>> RegisterDiff(()).of_kind(ChangeKind.RAISED)
        ()
        """
        return tuple(c for c in self.changes if c.kind is kind)

    @property
    def raised(self) -> tuple[DesignationChange, ...]:
        """Designations new in the later register."""
        return self.of_kind(ChangeKind.RAISED)

    @property
    def lifted(self) -> tuple[DesignationChange, ...]:
        """Designations lifted (or lifted earlier) in the later register."""
        return self.of_kind(ChangeKind.LIFTED)

    @property
    def backdated(self) -> tuple[DesignationChange, ...]:
        """Designations raised earlier than the earlier register said."""
        return self.of_kind(ChangeKind.BACKDATED)

    def affects(
        self,
        stays: Sequence[Stay],
        *,
        trace_back_days: int = 0,
        kinds: Iterable[MatchKind] = tuple(MatchKind),
    ) -> bool:
        """Whether any stay matches a changed designation (old or new version) in time and area.

        Conservative: look-back and ``as_of`` are ignored, so a person this
        says ``False`` for cannot be assessed differently under the new register.

        >>> RegisterDiff(()).affects([])
        False
        """
        checked = require_items(stays, Stay, "stays")
        trace_back = timedelta(days=_check_days(trace_back_days, "trace_back_days"))
        mask = _kinds_of(kinds)
        for change in self.changes:
            for version in change.versions:
                for stay in checked:
                    kind = _match_kind(stay.place, version.area)
                    if kind is None or not mask & _KIND_BIT[kind]:
                        continue
                    if trusted_exposure_end(stay, version, trace_back) is not None:
                        return True
        return False


def _lifted_by(d: RiskDesignation, instant: datetime) -> bool:
    """Whether ``d`` was lifted at or before ``instant`` (then no period from then overlaps it)."""
    return d.lifted_at is not None and d.lifted_at <= instant


def _overlap(a: RiskDesignation, b: RiskDesignation) -> bool:
    a_before_b_ends = b.lifted_at is None or a.raised_at < b.lifted_at
    b_before_a_ends = a.lifted_at is None or b.raised_at < a.lifted_at
    return a_before_b_ends and b_before_a_ends


def _pair_kind(old: RiskDesignation, new: RiskDesignation) -> ChangeKind:
    if new.raised_at < old.raised_at:
        return ChangeKind.BACKDATED
    if new.lifted_at is not None and (old.lifted_at is None or new.lifted_at < old.lifted_at):
        return ChangeKind.LIFTED
    return ChangeKind.AMENDED


def diff(old: RiskRegister, new: RiskRegister) -> RegisterDiff:
    """The designations raised, lifted, back-dated, amended or withdrawn from ``old`` to ``new``.

    Designations of the same area and level are paired when their periods
    overlap; an unpaired new one was raised, an unpaired old one withdrawn.
    The designations are grouped by area and level and each group paired in
    one pass (:func:`_pair`): the time grows as the registers' size (sorting
    aside), however many designations one area and level holds.

    >>> from datetime import datetime
    >>> from gridcare.timeutil import DEFAULT_ZONE as CST
    >>> t = datetime(2022, 7, 8, tzinfo=CST)
    >>> before = RiskRegister([RiskDesignation("430211", "high", t)])
    >>> after = RiskRegister([RiskDesignation("430211", "high", t - timedelta(days=2))])
    >>> [c.kind.value for c in diff(before, after).changes]
    ['backdated']
    """
    for name, value in (("old", old), ("new", new)):
        if not isinstance(value, RiskRegister):
            raise InvalidInput(
                "not_register", name, f"expected a RiskRegister, got {type(value).__name__}"
            )
    old_set = frozenset(old.designations)
    new_set = frozenset(new.designations)
    groups: dict[tuple[AreaCode, RiskLevel], tuple[list[RiskDesignation], list[RiskDesignation]]]
    groups = {}
    for d in sorted(old_set - new_set, key=_index_order):
        groups.setdefault((d.area, d.level), ([], []))[0].append(d)
    for d in sorted(new_set - old_set, key=_index_order):
        groups.setdefault((d.area, d.level), ([], []))[1].append(d)
    changes: list[DesignationChange] = []
    for key in sorted(groups, key=lambda k: (k[0], _LEVEL_RANK[k[1]])):
        olds, news = groups[key]
        _pair(olds, news, changes)
    return RegisterDiff(tuple(changes))


def _pair(
    olds: Sequence[RiskDesignation],
    news: Sequence[RiskDesignation],
    changes: list[DesignationChange],
) -> None:
    """Pair the old and new designations of one area and level, each list in index order.

    (:func:`_index_order`: by raise, then by lift, within one area and level.)

    The rule: each new designation, in order, is paired with the first old one
    still unpaired whose period overlaps its own (:func:`_overlap`); an
    unpaired new one was raised; the old ones left unpaired, in order, were
    withdrawn. Found in one pass over each list: the new ones come in order of
    raise, so an old one already lifted when a new one is raised overlaps no
    later new one and is set aside as withdrawn for good. The first old one
    left is then the only candidate: every old one after it is raised no
    earlier, so if the first does not overlap, none does.
    """
    waiting = deque(olds)
    withdrawn: list[RiskDesignation] = []
    for n in news:
        while waiting and _lifted_by(waiting[0], n.raised_at):
            withdrawn.append(waiting.popleft())
        if waiting and _overlap(waiting[0], n):
            o = waiting.popleft()
            changes.append(DesignationChange(_pair_kind(o, n), o, n))
        else:
            changes.append(DesignationChange(ChangeKind.RAISED, None, n))
    withdrawn.extend(waiting)
    changes.extend(DesignationChange(ChangeKind.WITHDRAWN, o, None) for o in withdrawn)
