"""A whole-population testing round (全员核酸检测): scope, window, pooling rule, exemptions.

The lowest module of :mod:`gridcare.screening`. It holds the round itself
and the list of residents it is due for (:class:`DueList`), plus the small
checks the other modules of the package share (:func:`require_id`,
:func:`require_note`, :func:`require_instant`).

Rules this module obeys:

* every value checks its fields at the boundary and raises
  :class:`~gridcare.errors.InvalidInput` with a stable code; ids and notes
  keep the library's text rules for their kind (:mod:`gridcare.text`), and
  what an error quotes is masked;
* *due* means registered in a household of the round's scope at the round's
  start: everyone due ends the round in exactly one outcome (see
  :mod:`gridcare.screening.lifecycle`);
* the pooling rule says how many swabs a pooled tube holds (10 in most 2022
  rounds, 20 in some) and who must be sampled in a single tube: residents
  under a control measure in :attr:`PoolingRule.single_tube_measures`, and the
  key groups the caller names.

>>> from datetime import datetime, timedelta, timezone
>>> t0 = datetime(2022, 3, 27, 7, 30, tzinfo=timezone(timedelta(hours=8)))
>>> r = ScreeningRound(id="S1", scope="C", start=t0, end=t0 + timedelta(hours=5))
>>> r.pooling.pool_size, r.covers(t0), r.covers(r.end)
(10, True, False)
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

import attrs

from gridcare.errors import (
    Choice,
    InvalidInput,
    UnknownNode,
    read_mapping,
    read_once,
    trusted,
    utc_offset,
)
from gridcare.hierarchy import Hierarchy, Node, NodeKind
from gridcare.masking import id_repr, mask_text, masked_field_reprs, masked_repr
from gridcare.people import CareNeed, Household, Resident, age_on
from gridcare.risk.policy import MeasureKind
from gridcare.serial import personal
from gridcare.text import TEXT_LIMITS, check_text_of, kind_problem, plain_texts
from gridcare.timeutil import local_date, require_aware

__all__ = [
    "DEFAULT_SINGLE_TUBE_MEASURES",
    "DOOR_SAMPLING_AGE",
    "MAX_ID_LENGTH",
    "MAX_NOTE_LENGTH",
    "MAX_POOL_SIZE",
    "AwayReason",
    "DueList",
    "Exemption",
    "ExemptionReason",
    "PoolingRule",
    "ScreeningRound",
    "TubeKind",
    "due_list",
    "needs_door_sampling",
    "require_count",
    "require_id",
    "require_instant",
    "require_kind",
    "require_node",
    "require_note",
]

#: The longest id accepted (round, resident, tube, site, event ids): the limit of an id.
MAX_ID_LENGTH = TEXT_LIMITS["id"]
#: The longest free-text note accepted (a reason given in words): the limit of a note.
MAX_NOTE_LENGTH = TEXT_LIMITS["note"]
#: The largest pool a rule may set (20-in-1 was the largest in common use).
MAX_POOL_SIZE = 50
#: Residents this old or older are sampled at home by default (with the disabled).
DOOR_SAMPLING_AGE = 80
#: Control measures whose residents are sampled in single tubes by default.
DEFAULT_SINGLE_TUBE_MEASURES: frozenset[MeasureKind] = frozenset(
    {
        MeasureKind.CENTRALIZED_QUARANTINE,
        MeasureKind.HOME_ISOLATION,
        MeasureKind.HOME_HEALTH_MONITORING,
    }
)


def require_id(value: object, field: str) -> str:
    """``value`` if it is an id: the text rules of an id (:func:`gridcare.text.kind_problem`).

    At most 64 characters, something visible, nothing but printable
    characters; :class:`~gridcare.errors.InvalidInput` with the rule's code
    otherwise (``not_string``, ``too_long``, ``lone_surrogate``,
    ``control_character``, ``bidi_control``, ``not_printable``, ``missing``,
    ``invisible``). The error never quotes the value; a ``str`` subclass
    comes back as a plain ``str``.

    >>> require_id("T0001", "tube_id")
    'T0001'
    >>> require_id("T\\x00", "tube_id")
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: tube_id: control character U+0000 at ... [control_character]
    """
    return check_text_of(value, field)


def require_node(hierarchy: Hierarchy, node_id: object, field: str) -> Node:
    """The node ``node_id`` names: an id (:func:`require_id`) the hierarchy holds.

    An unknown id raises :class:`~gridcare.errors.UnknownNode` quoting it
    masked: every long run of digits masked, and only the first two
    characters of text that is not ASCII (a caller may pass an ID number or a
    name by mistake).

    >>> from gridcare.hierarchy import Node
    >>> h = Hierarchy([Node("C", NodeKind.CITY, "c")])
    >>> require_node(h, "C", "scope").id
    'C'
    >>> require_node(h, "430202193903070024", "scope")
    Traceback (most recent call last):
    ...
    gridcare.errors.UnknownNode: unknown node '430202********0024'
    """
    text = require_id(node_id, field)
    found = hierarchy.get(text)
    if found is None:
        raise UnknownNode(text if text.isascii() else mask_text(text))  # the error masks digits
    return found


def require_kind(kind: object, field: str = "kind") -> NodeKind:
    """``kind`` if it is a :class:`~gridcare.hierarchy.NodeKind`; ``InvalidInput`` otherwise.

    >>> require_kind(NodeKind.GRID).value
    'grid'
    >>> require_kind("grid")
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: kind: expected a NodeKind [bad_enum]
    """
    if not isinstance(kind, NodeKind):
        raise InvalidInput("bad_enum", field, "expected a NodeKind")
    return kind


def require_note(value: object, field: str) -> str:
    """``value`` if it is a note: the text rules of a note, which may be empty.

    At most :data:`MAX_NOTE_LENGTH` (1,000) characters; line breaks and tabs
    allowed, no other control character (:func:`gridcare.text.kind_problem`).

    >>> require_note("在外地务工", "note")
    '在外地务工'
    >>> require_note("x" * 1001, "note")
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: note: at most 1000 characters, got 1001 [too_long]
    """
    return check_text_of(value, field, "note", allow_empty=True)


def require_instant(value: object, field: str) -> datetime:
    """``value`` if it is an aware ``datetime``; ``InvalidInput`` otherwise (never a crash).

    >>> require_instant(datetime(2022, 3, 27, 8), "at")
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: at: naive datetime: a UTC offset or zone is required [...]
    """
    if not isinstance(value, datetime):
        raise InvalidInput(
            "not_datetime", field, f"expected a datetime, got {type(value).__name__}"
        )
    if utc_offset(value) is None:  # naive, or a tzinfo of the caller's that fails
        raise InvalidInput(
            "naive_datetime", field, "naive datetime: a UTC offset or zone is required"
        )
    return value


def require_count(value: object, field: str, *, low: int = 0, high: int = 10**9) -> int:
    """``value`` if it is a whole number from ``low`` to ``high`` (``bool`` is not a number).

    >>> require_count(10, "pool_size", low=1)
    10
    >>> require_count(True, "pool_size")
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: pool_size: expected a whole number from 0 to 1000000000 [...]
    """
    if type(low) is not int or type(high) is not int:
        raise InvalidInput(
            "bad_number", "low" if type(low) is not int else "high", "a bound is a whole number"
        )
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(
            "bad_number",
            field,
            f"expected a whole number from {low} to {high}",
            value=value if isinstance(value, int) and abs(value) < 10**12 else None,
        )
    return int(value)


class TubeKind(Choice):
    """A pooled tube (混采, several swabs) or a single tube (单管, one swab).

    >>> TubeKind("pooled").value
    'pooled'
    """

    POOLED = "pooled"
    SINGLE = "single"


class ExemptionReason(Choice):
    """Why a resident due in the round is not to be sampled in it.

    >>> ExemptionReason.IN_HOSPITAL.value
    'in_hospital'
    """

    IN_HOSPITAL = "in_hospital"  # sampled by the hospital's own schedule
    IN_QUARANTINE_FACILITY = "in_quarantine_facility"  # the facility samples its residents
    MEDICAL_CONTRAINDICATION = "medical_contraindication"
    INFANT = "infant"
    DECEASED = "deceased"
    OTHER = "other"


class AwayReason(Choice):
    """Why a resident due in the round was accounted for as away (not missed).

    >>> AwayReason.SAMPLED_ELSEWHERE.value
    'sampled_elsewhere'
    """

    OUT_OF_AREA = "out_of_area"  # away from the city during the round
    SAMPLED_ELSEWHERE = "sampled_elsewhere"  # sampled in the same round at another site
    WORKPLACE_SAMPLING = "workplace_sampling"  # sampled with their employer's group
    OTHER = "other"


def _measures(value: object) -> frozenset[MeasureKind]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidInput("bad_measures", "single_tube_measures", "expected a set of measures")
    found = tuple(read_once(value, "single_tube_measures"))
    for item in found:
        if not isinstance(item, MeasureKind):
            raise InvalidInput(
                "bad_measures", "single_tube_measures", "expected MeasureKind members"
            )
    return frozenset(found)


@attrs.frozen(kw_only=True, field_transformer=masked_field_reprs)
class PoolingRule:
    """How swabs go into tubes: ``pool_size`` per pooled tube, and who gets a single tube.

    A resident under any control measure in ``single_tube_measures`` (by
    default centralised quarantine, home isolation and home health monitoring)
    is sampled in a single tube, as are the key groups the caller lists when it
    builds the :class:`DueList`. ``pool_size`` is 1 to 50 (10 by default).

    >>> rule = PoolingRule(pool_size=20)
    >>> rule.single_tube({MeasureKind.HOME_ISOLATION}), rule.single_tube(())
    (True, False)
    >>> PoolingRule(pool_size=0)
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: pool_size: expected a whole number from 1 to 50 [bad_number]
    """

    pool_size: int = 10
    single_tube_measures: frozenset[MeasureKind] = DEFAULT_SINGLE_TUBE_MEASURES

    def __attrs_post_init__(self) -> None:
        require_count(self.pool_size, "pool_size", low=1, high=MAX_POOL_SIZE)
        object.__setattr__(self, "single_tube_measures", _measures(self.single_tube_measures))

    def single_tube(self, measures: Iterable[MeasureKind]) -> bool:
        """Whether a resident under ``measures`` (now) is sampled in a single tube."""
        if isinstance(measures, (str, bytes)) or not isinstance(measures, Iterable):
            raise InvalidInput("bad_measures", "measures", "expected a collection of measures")
        chosen = self.single_tube_measures
        return any(isinstance(m, MeasureKind) and m in chosen for m in measures)

    def capacity(self, kind: TubeKind) -> int:
        """How many swabs a tube of ``kind`` holds: the pool size if ``POOLED``, else one.

        >>> PoolingRule().capacity(TubeKind.POOLED), PoolingRule().capacity(TubeKind.SINGLE)
        (10, 1)
        """
        if type(kind) is not TubeKind:
            raise InvalidInput("bad_enum", "kind", "expected a TubeKind")
        return self.pool_size if kind is TubeKind.POOLED else 1


@attrs.frozen(kw_only=True, field_transformer=masked_field_reprs)
class Exemption:
    """A resident exempt from the round from its start, with the reason.

    >>> Exemption(resident_id="R1", reason=ExemptionReason.IN_HOSPITAL).reason.value
    'in_hospital'
    """

    resident_id: str = attrs.field(repr=id_repr)
    reason: ExemptionReason
    note: str = attrs.field(
        default="", repr=lambda v: repr(mask_text(v)) if v else "''", metadata=personal(mask_text)
    )

    def __attrs_post_init__(self) -> None:
        require_id(self.resident_id, "resident_id")
        if not isinstance(self.reason, ExemptionReason):
            raise InvalidInput("bad_enum", "reason", "expected an ExemptionReason")
        require_note(self.note, "note")


def _exemptions(value: object) -> tuple[Exemption, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidInput("bad_exemptions", "exemptions", "expected Exemption values")
    found = tuple(read_once(value, "exemptions"))
    seen: set[str] = set()
    for i, item in enumerate(found):
        if not isinstance(item, Exemption):
            raise InvalidInput("bad_exemptions", f"exemptions.{i}", "expected an Exemption")
        if item.resident_id in seen:
            raise InvalidInput(
                "duplicate_exemption", f"exemptions.{i}", "a resident is exempted twice"
            )
        seen.add(item.resident_id)
    return found


@attrs.frozen(kw_only=True, field_transformer=masked_field_reprs)
class ScreeningRound:
    """One round: ``id``, ``scope`` (a node id), sampling window ``[start, end)``, rules.

    The window is for first samples (registration and swabs); lab results,
    re-tests of positive pools and the accounting of absent residents may come
    later. The window is at most 7 days.

    >>> from datetime import datetime, timedelta, timezone
    >>> t0 = datetime(2022, 3, 27, 7, 30, tzinfo=timezone.utc)
    >>> ScreeningRound(id="S1", scope="C", start=t0, end=t0)
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: end: the window ends after it starts [bad_window]
    """

    id: str
    scope: str
    start: datetime
    end: datetime
    pooling: PoolingRule = attrs.field(factory=PoolingRule)
    exemptions: tuple[Exemption, ...] = attrs.field(default=(), converter=_exemptions)

    def __attrs_post_init__(self) -> None:
        require_id(self.id, "id")
        require_id(self.scope, "scope")
        require_instant(self.start, "start")
        require_instant(self.end, "end")
        if not self.end > self.start:
            raise InvalidInput("bad_window", "end", "the window ends after it starts")
        if self.end - self.start > timedelta(days=7):
            raise InvalidInput("bad_window", "end", "a round's window is at most 7 days")
        if not isinstance(self.pooling, PoolingRule):
            raise InvalidInput("bad_pooling", "pooling", "expected a PoolingRule")

    def covers(self, instant: datetime) -> bool:
        """Whether ``instant`` falls in the sampling window (start inclusive, end exclusive)."""
        return self.start <= instant < self.end

    @property
    def hours(self) -> float:
        """The window's length in hours.

        >>> from datetime import datetime, timedelta, timezone
        >>> t0 = datetime(2022, 3, 27, 7, 30, tzinfo=timezone.utc)
        >>> ScreeningRound(id="S", scope="C", start=t0, end=t0 + timedelta(hours=5)).hours
        5.0
        """
        return (self.end - self.start).total_seconds() / 3600


@attrs.frozen(kw_only=True, repr=False, init=False, field_transformer=masked_field_reprs)
class DueList:
    """Who the round is due for: every resident of the scope at the round's start.

    ``household_of`` maps each due resident to its household id (both ids
    in the sense of :func:`require_id`),
    ``place_of`` to the preorder position its counts go to (its grid, or the
    scope for a household above grid level). ``single_tube`` and
    ``door_sampling`` are the residents to sample in single tubes and at home;
    ``exempt`` the round's exemptions within the scope. Build one with
    :func:`due_list`.

    >>> d = DueList(round_id="S1", scope_position=0, household_of={"R1": "H1"},
    ...             place_of={"R1": 0})
    >>> len(d), "R1" in d, d
    (1, True, DueList('S1', due=1, single_tube=0, door_sampling=0, exempt=0))
    """

    round_id: str
    scope_position: int
    household_of: Mapping[str, str]
    place_of: Mapping[str, int]
    single_tube: frozenset[str] = frozenset()
    door_sampling: frozenset[str] = frozenset()
    exempt: Mapping[str, ExemptionReason] = attrs.field(factory=dict)

    def __init__(
        self,
        *,
        round_id: str,
        scope_position: int,
        household_of: Mapping[str, str],
        place_of: Mapping[str, int],
        single_tube: frozenset[str] = frozenset(),
        door_sampling: frozenset[str] = frozenset(),
        exempt: Mapping[str, ExemptionReason] | None = None,
    ) -> None:
        self.__attrs_init__(
            round_id=round_id,
            scope_position=scope_position,
            household_of=household_of,
            place_of=place_of,
            single_tube=single_tube,
            door_sampling=door_sampling,
            exempt={} if exempt is None else exempt,
        )
        self._check()

    def _check(self) -> None:
        require_id(self.round_id, "round_id")
        require_count(self.scope_position, "scope_position", low=0, high=10**9)
        households = self.household_of
        places = self.place_of
        if not isinstance(households, Mapping):
            raise InvalidInput("bad_due", "household_of", "expected a mapping by resident id")
        if not isinstance(places, Mapping):
            raise InvalidInput("bad_due", "place_of", "expected a mapping by resident id")
        households = read_mapping(households, "household_of")
        places = read_mapping(places, "place_of")
        # C-level passes over the types: a city's due list has 4 million entries.
        if not set(map(type, households.keys())) | set(map(type, households.values())) <= {str}:
            raise InvalidInput("bad_due", "household_of", "expected resident id -> household id")
        if not (_all_ids(households.keys()) and _all_ids(households.values())):
            raise InvalidInput(
                "bad_due", "household_of", "resident and household ids are ids (see require_id)"
            )
        if not set(map(type, places.values())) <= {int} or households.keys() != places.keys():
            raise InvalidInput("bad_due", "place_of", "expected the same residents -> positions")
        for field in ("single_tube", "door_sampling"):
            value = getattr(self, field)
            if not isinstance(value, frozenset) or not set(map(type, value)) <= {str}:
                raise InvalidInput("bad_due", field, "expected a frozenset of resident ids")
        exempt = self.exempt
        if isinstance(exempt, Mapping):
            exempt = read_mapping(exempt, "exempt")
        if not isinstance(exempt, Mapping) or not set(map(type, exempt.values())) <= {
            ExemptionReason
        }:
            raise InvalidInput("bad_due", "exempt", "expected resident id -> ExemptionReason")

    def __len__(self) -> int:
        return len(self.household_of)

    def __contains__(self, resident_id: object) -> bool:
        return isinstance(resident_id, str) and resident_id in self.household_of

    def __repr__(self) -> str:
        return (
            f"DueList({masked_repr(self.round_id)}, due={len(self)}, "
            f"single_tube={len(self.single_tube)}, "
            f"door_sampling={len(self.door_sampling)}, exempt={len(self.exempt)})"
        )


def _all_ids(texts: Collection[str]) -> bool:
    """Whether every text is an id (:func:`require_id`'s rule); the quick test first, in
    passes at C speed, then the full rules only if some text fails it."""
    return plain_texts(texts, MAX_ID_LENGTH) or all(
        kind_problem(text, "") is None for text in texts
    )


def _id_set(value: object, field: str) -> frozenset[str]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidInput("bad_ids", field, "expected a collection of resident ids")
    found = tuple(value)
    for item in found:
        if not isinstance(item, str):
            raise InvalidInput("bad_ids", field, "expected resident ids (text)")
    return frozenset(found)


def _measure_map(value: object) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidInput("bad_measures", "measures", "expected resident id -> measures")
    return value


class HouseholdPlaces:
    """Where the households of a scope are counted: the rule of :attr:`DueList.place_of`.

    :meth:`of` gives the preorder position a household's counts go to: its
    grid when the grid lies in the scope, else the scope itself (a scope below
    grid level, or no grid above the household); :data:`OUTSIDE` for a
    household outside the scope, ``None`` for an id the hierarchy does not hold.
    Whether a grid lies in the scope is asked once per grid, not once per
    household (a grid's households lie in the scope exactly when the grid does,
    once the grid is at or after the scope in preorder). Built for one scope,
    by callers that checked the hierarchy and the scope (:func:`due_list`, the
    census); public for them, not part of the documented interface.

    >>> from gridcare.hierarchy import Node
    >>> h = Hierarchy([Node("C", NodeKind.CITY, "c"),
    ...                Node("G1", NodeKind.GRID, "g", "C"),
    ...                Node("H1", NodeKind.HOUSEHOLD, "1", "G1"),
    ...                Node("G2", NodeKind.GRID, "g", "C"),
    ...                Node("H2", NodeKind.HOUSEHOLD, "2", "G2")])
    >>> places = HouseholdPlaces(h, h.node("G1"))
    >>> places.of("H1"), places.of("H2") == HouseholdPlaces.OUTSIDE, places.of("H9")
    (1, True, None)
    """

    __slots__ = ("_grid_in_scope", "_grid_index", "_hierarchy", "_scope", "_scope_position")

    #: The place of a household outside the scope (places are preorder positions).
    OUTSIDE = -1

    def __init__(self, hierarchy: Hierarchy, scope: Node) -> None:
        self._hierarchy = hierarchy
        self._scope = scope
        self._scope_position = hierarchy.position(scope.id)
        self._grid_index = hierarchy.ancestor_index(NodeKind.GRID)
        self._grid_in_scope: dict[int, bool] = {}

    def of(self, household_id: str) -> int | None:
        """The place of the household ``household_id`` (see the class)."""
        grid = self._grid_index.get(household_id)
        if grid is None:
            return None
        top = self._scope_position
        if grid >= top:  # the grid is in the scope or after its subtree, and so is the household
            inside = self._grid_in_scope.get(grid)
            if inside is None:
                grid_id = self._hierarchy.at(grid).id
                inside = self._grid_in_scope[grid] = self._hierarchy.is_within(
                    grid_id, self._scope.id
                )
            return grid if inside else self.OUTSIDE
        if self._hierarchy.is_within(household_id, self._scope.id):
            return top
        return self.OUTSIDE


def due_list(
    screening: ScreeningRound,
    hierarchy: Hierarchy,
    households: Iterable[Household],
    *,
    measures: Mapping[str, Collection[MeasureKind]] | None = None,
    single_tube: Collection[str] = (),
    door_sampling: Collection[str] = (),
) -> DueList:
    """The residents ``screening`` is due for: the members of the households in its scope.

    ``households`` may be the whole city's: those outside the scope are left
    out. ``measures`` gives the control measures residents are under now
    (resident id -> measures): the pooling rule turns them into single tubes;
    ``single_tube`` adds key groups by id; ``door_sampling`` lists residents to
    sample at home (see :func:`needs_door_sampling`). A household id the
    hierarchy does not hold raises :class:`~gridcare.errors.UnknownNode`; a
    resident listed in two households ``InvalidInput`` (``duplicate_resident``).

    >>> from datetime import datetime, timedelta, timezone
    >>> from gridcare.hierarchy import Node
    >>> h = Hierarchy([Node("C", NodeKind.CITY, "c"), Node("G", NodeKind.GRID, "g", "C"),
    ...                Node("H1", NodeKind.HOUSEHOLD, "1", "G")])
    >>> t0 = datetime(2022, 3, 27, 7, 30, tzinfo=timezone.utc)
    >>> r = ScreeningRound(id="S1", scope="G", start=t0, end=t0 + timedelta(hours=5))
    >>> d = due_list(r, h, [Household(id="H1", members=("R1", "R2"))],
    ...              measures={"R2": {MeasureKind.HOME_ISOLATION}})
    >>> len(d), sorted(d.single_tube), d.place_of["R1"]
    (2, ['R2'], 1)
    """
    if not isinstance(screening, ScreeningRound):
        raise InvalidInput("bad_round", "screening", "expected a ScreeningRound")
    if not isinstance(hierarchy, Hierarchy):
        raise InvalidInput("bad_hierarchy", "hierarchy", "expected a Hierarchy")
    if isinstance(households, (str, bytes)) or not isinstance(households, Iterable):
        raise InvalidInput("bad_households", "households", "expected Household values")
    scope = require_node(hierarchy, screening.scope, "scope")
    scope_pos = hierarchy.position(scope.id)
    places = HouseholdPlaces(hierarchy, scope)
    outside = HouseholdPlaces.OUTSIDE
    household_of: dict[str, str] = {}
    place_of: dict[str, int] = {}
    for i, house in enumerate(households):
        if not isinstance(house, Household):
            raise InvalidInput("bad_households", f"households.{i}", "expected a Household")
        if not house.members:
            continue
        house_id = house.id
        place = places.of(house_id)
        if place is None:
            raise UnknownNode(house_id)
        if place == outside:
            continue
        for member in house.members:
            if member in household_of:
                raise InvalidInput(
                    "duplicate_resident",
                    f"households.{i}.members",
                    "a resident is registered in two households",
                    value=member,  # the error masks it (gridcare.errors.safe_value)
                )
            household_of[member] = house_id
            place_of[member] = place
    rule = screening.pooling
    singles = set(_id_set(single_tube, "single_tube") & household_of.keys())
    for resident_id, under in _measure_map(measures or {}).items():
        if resident_id in household_of:
            if isinstance(under, (str, bytes)) or not isinstance(under, Iterable):
                raise InvalidInput("bad_measures", "measures", "expected a set of measures")
            if rule.single_tube(under):
                singles.add(resident_id)
    door = _id_set(door_sampling, "door_sampling") & household_of.keys()
    exempt = {
        e.resident_id: e.reason for e in screening.exemptions if e.resident_id in household_of
    }
    # Every field is built here from checked values (the households' ids and members, the
    # round's exemptions, positions from the hierarchy): the list is built unchecked, which
    # spares passes over the millions of ids of a city's round.
    return trusted(
        DueList,
        round_id=screening.id,
        scope_position=scope_pos,
        household_of=household_of,
        place_of=place_of,
        single_tube=frozenset(singles),
        door_sampling=frozenset(door),
        exempt=exempt,
    )


def needs_door_sampling(
    resident: Resident, as_of: date | datetime, *, elderly_age: int = DOOR_SAMPLING_AGE
) -> bool:
    """Whether ``resident`` is sampled at home (上门采样): disabled, or ``elderly_age`` or older.

    >>> from gridcare.codes import CitizenId, Sex
    >>> r = Resident(id="R1", household_id="H1", name="刘晓娟", sex=Sex.FEMALE,
    ...              document=CitizenId.parse("430202193903070024"),
    ...              birth_date=date(1939, 3, 7))
    >>> needs_door_sampling(r, date(2022, 3, 27)), needs_door_sampling(r, date(2022, 3, 27),
    ...                                                                 elderly_age=90)
    (True, False)
    """
    if not isinstance(resident, Resident):
        raise InvalidInput("bad_resident", "resident", "expected a Resident")
    require_count(elderly_age, "elderly_age", low=0, high=150)
    if isinstance(as_of, datetime):
        # A supported instant (years 1900-2100): year 9999 in UTC has no local date here.
        day = local_date(require_aware(as_of, "as_of"))
    elif isinstance(as_of, date):
        day = as_of
    else:
        raise InvalidInput("not_date", "as_of", "expected a date or an aware datetime")
    return trusted_door_sampling(resident.care_needs, resident.birth_date, day, elderly_age)


def trusted_door_sampling(
    care_needs: Collection[CareNeed], birth_date: date, day: date, elderly_age: int
) -> bool:
    """The rule of :func:`needs_door_sampling` on facts already checked: no check repeated.

    For callers that hold a resident's needs and birth date without the
    :class:`~gridcare.people.Resident` (a city's columns). Public for them;
    not part of the documented interface.

    >>> trusted_door_sampling(frozenset(), date(1942, 3, 27), date(2022, 3, 27), 80)
    True
    """
    return CareNeed.DISABLED in care_needs or age_on(birth_date, day) >= elderly_age
