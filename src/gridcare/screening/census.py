"""The census from door-knocking: each resident's testing and vaccination status, per node.

A door-knocking visit "precisely grasps each person's testing, vaccination
and travel history, leaving out no household and no person". A
:class:`CensusEntry` records what was found for one resident seen on a visit:
the instant of the last sample, the vaccine doses and whether the resident
needs door sampling. These are the census's own records, kept apart from the
visit's findings.

Semantics of :func:`census`:

* a resident's status is that of its latest entry at or before ``as_of``
  (by instant, then id); a repeated entry id changes nothing;
* *known*: residents with an entry; *unvaccinated 60+*: known residents with
  no dose who are 60 or older on ``as_of``'s local date (age from the birth
  dates when given and holding the resident, else from the resident
  register; a resident neither holds is not counted there);
* *overdue* under an :class:`OverdueRule` of ``days``: known residents with no
  sample, or whose last sample is more than ``days`` days before ``as_of``
  (a sample exactly ``days`` days before is still in time);
* counts per grid, summed up to the scope; lists per grid, masked.

>>> from datetime import datetime, timedelta, timezone
>>> t = datetime(2022, 3, 22, 10, tzinfo=timezone.utc)
>>> rule = OverdueRule(days=7)
>>> rule.overdue(t - timedelta(days=7), t), rule.overdue(t - timedelta(days=7, seconds=1), t)
(False, True)
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from itertools import accumulate
from operator import itemgetter

import attrs

from gridcare.errors import InvalidInput, read_entry, read_once, require_flag
from gridcare.hierarchy import Hierarchy, Node, NodeKind
from gridcare.machine import (
    first_of_each_id,
    replay_order,
    trusted_first_of_each_id,
    trusted_replay_order,
)
from gridcare.masking import id_repr, masked_field_reprs, masked_repr
from gridcare.people import Resident, age_on
from gridcare.screening.coverage import MaskedResident
from gridcare.screening.lifecycle import RoundReplay
from gridcare.screening.round import (
    HouseholdPlaces,
    require_count,
    require_id,
    require_instant,
    require_kind,
    require_node,
)
from gridcare.timeutil import local_date

__all__ = [
    "CENSUS_METRICS",
    "UNVACCINATED_AGE",
    "CensusEntry",
    "CensusReport",
    "NodeCensus",
    "OverdueRule",
    "census",
    "simulated_census",
]

#: The age from which an unvaccinated resident is listed (60 and over).
UNVACCINATED_AGE = 60

#: Every metric of :meth:`CensusReport.counts`, with its Chinese and English labels.
CENSUS_METRICS: Mapping[str, tuple[str, str]] = {
    "census_known": ("已掌握情况人数", "residents with known status"),
    "census_vaccinated": ("已接种疫苗人数", "residents vaccinated"),
    "census_unvaccinated": ("未接种疫苗人数", "residents unvaccinated"),
    "census_unvaccinated_60_plus": ("60岁以上未接种疫苗人数", "unvaccinated residents aged 60+"),
    "census_overdue": ("超期未检人数", "residents overdue for testing"),
    "census_door_sampling_needed": ("需上门采样人数", "residents needing door sampling"),
}


@attrs.frozen(kw_only=True, init=False, field_transformer=masked_field_reprs)
class CensusEntry:
    """What a door-knocking visit found about one resident.

    ``last_sample_at`` is the instant of the resident's last sample (``None``:
    never sampled, or unknown), at or before ``at``; ``vaccine_doses`` 0 to 10.

    >>> from datetime import datetime, timezone
    >>> t = datetime(2022, 3, 22, 10, tzinfo=timezone.utc)
    >>> CensusEntry(id="c1", at=t, resident_id="R1", household_id="H1", vaccine_doses=3,
    ...             visit_id="a17").door_sampling_needed
    False
    >>> CensusEntry(id="c1", at=t, resident_id="R1", household_id="H1", vaccine_doses=-1)
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: vaccine_doses: expected a whole number from 0 to 10 [bad_number]
    """

    id: str
    at: datetime
    resident_id: str = attrs.field(repr=id_repr)
    household_id: str = attrs.field(repr=id_repr)
    vaccine_doses: int = 0
    last_sample_at: datetime | None = None
    door_sampling_needed: bool = False
    visit_id: str | None = None

    def __init__(
        self,
        *,
        id: str,
        at: datetime,
        resident_id: str,
        household_id: str,
        vaccine_doses: int = 0,
        last_sample_at: datetime | None = None,
        door_sampling_needed: bool = False,
        visit_id: str | None = None,
    ) -> None:
        self.__attrs_init__(
            id=id,
            at=at,
            resident_id=resident_id,
            household_id=household_id,
            vaccine_doses=vaccine_doses,
            last_sample_at=last_sample_at,
            door_sampling_needed=door_sampling_needed,
            visit_id=visit_id,
        )
        self._check()

    def _check(self) -> None:
        for field in ("id", "resident_id", "household_id"):
            require_id(getattr(self, field), field)
        require_instant(self.at, "at")
        require_count(self.vaccine_doses, "vaccine_doses", low=0, high=10)
        if self.last_sample_at is not None:
            require_instant(self.last_sample_at, "last_sample_at")
            if self.last_sample_at > self.at:
                raise InvalidInput(
                    "sample_after_visit", "last_sample_at", "the last sample is before the visit"
                )
        require_flag(self.door_sampling_needed, "door_sampling_needed")
        if self.visit_id is not None:
            require_id(self.visit_id, "visit_id")

    @property
    def kind(self) -> str:
        """Always ``"census"`` (an observation, not a state-machine event).

        >>> from datetime import datetime, timezone
        >>> CensusEntry(id="c", at=datetime(2022, 3, 22, tzinfo=timezone.utc),
        ...             resident_id="R", household_id="H").kind
        'census'
        """
        return "census"


@attrs.frozen(kw_only=True, field_transformer=masked_field_reprs)
class OverdueRule:
    """Overdue for testing: no sample within ``days`` days as of an instant (1 to 365).

    >>> from datetime import datetime, timezone
    >>> OverdueRule(days=3).overdue(None, datetime(2022, 3, 22, tzinfo=timezone.utc))
    True
    """

    days: int = 7

    def __attrs_post_init__(self) -> None:
        require_count(self.days, "days", low=1, high=365)

    def overdue(self, last_sample_at: datetime | None, as_of: datetime) -> bool:
        """Whether a resident last sampled at ``last_sample_at`` is overdue at ``as_of``."""
        require_instant(as_of, "as_of")
        if last_sample_at is not None:
            require_instant(last_sample_at, "last_sample_at")
        return _sampled_before(last_sample_at, self._earliest_in_time(as_of))

    def _earliest_in_time(self, as_of: datetime) -> datetime:
        """The earliest last sample still in time at ``as_of`` (a census takes it once)."""
        return as_of - timedelta(days=self.days)


def _sampled_before(last_sample_at: datetime | None, earliest: datetime) -> bool:
    """Overdue: never sampled, or last sampled before the earliest instant still in time."""
    return last_sample_at is None or last_sample_at < earliest


_CENSUS_FIELDS = (
    "known",
    "vaccinated",
    "unvaccinated",
    "unvaccinated_60_plus",
    "overdue",
    "door_sampling_needed",
)


@attrs.frozen(field_transformer=masked_field_reprs)
class NodeCensus:
    """A node's census counts (a monoid).

    >>> (NodeCensus(known=2, overdue=1) + NodeCensus(known=1)).known
    3
    """

    known: int = 0
    vaccinated: int = 0
    unvaccinated: int = 0
    unvaccinated_60_plus: int = 0
    overdue: int = 0
    door_sampling_needed: int = 0

    def __attrs_post_init__(self) -> None:
        for field in _CENSUS_FIELDS:
            value = getattr(self, field)
            if type(value) is not int:
                require_count(value, field)

    def __add__(self, other: object) -> NodeCensus:
        if not isinstance(other, NodeCensus):
            return NotImplemented
        return NodeCensus(*(getattr(self, f) + getattr(other, f) for f in _CENSUS_FIELDS))

    def metrics(self) -> dict[str, int]:
        """The counts under their metric names (``census_*``).

        >>> NodeCensus(known=4).metrics()["census_known"]
        4
        """
        return {
            "census_known": self.known,
            "census_vaccinated": self.vaccinated,
            "census_unvaccinated": self.unvaccinated,
            "census_unvaccinated_60_plus": self.unvaccinated_60_plus,
            "census_overdue": self.overdue,
            "census_door_sampling_needed": self.door_sampling_needed,
        }


class CensusReport:
    """The census of a scope as of an instant (see :func:`census`).

    ``unvaccinated_60_plus`` and ``overdue`` map each grid id to its residents,
    masked; ``outside_scope`` counts entries for households outside the scope.

    >>> from datetime import datetime, timezone
    >>> from gridcare.hierarchy import Node
    >>> h = Hierarchy([Node("G", NodeKind.GRID, "g"), Node("H1", NodeKind.HOUSEHOLD, "1", "G")])
    >>> t = datetime(2022, 3, 22, 10, tzinfo=timezone.utc)
    >>> e = CensusEntry(id="c1", at=t, resident_id="R1", household_id="H1")
    >>> report = census(h, [e], scope="G", as_of=t, residents={})
    >>> report.node("G").known, report.node("G").overdue, report.overdue["G"][0].resident_id
    (1, 1, 'R1')
    """

    __slots__ = (
        "_hier",
        "_totals",
        "as_of",
        "latest",
        "outside_scope",
        "overdue",
        "scope",
        "unvaccinated_60_plus",
    )

    def __init__(
        self,
        hierarchy: Hierarchy,
        scope: Node,
        as_of: datetime,
        latest: Mapping[str, CensusEntry],
        totals: dict[int, NodeCensus],
        lists: tuple[dict[str, tuple[MaskedResident, ...]], dict[str, tuple[MaskedResident, ...]]],
        outside_scope: int,
    ) -> None:
        if not isinstance(hierarchy, Hierarchy):
            raise InvalidInput("bad_hierarchy", "hierarchy", "expected a Hierarchy")
        if not isinstance(scope, Node):
            raise InvalidInput("bad_hierarchy", "scope", "expected the scope's Node")
        require_instant(as_of, "as_of")
        if not isinstance(latest, Mapping):
            raise InvalidInput("bad_report", "latest", "expected resident id -> CensusEntry")
        if not isinstance(totals, dict):
            raise InvalidInput("bad_report", "totals", "expected position -> NodeCensus")
        if not isinstance(lists, tuple) or len(lists) != 2:
            raise InvalidInput("bad_report", "lists", "expected the two lists")
        require_count(outside_scope, "outside_scope")
        self._hier = hierarchy
        self.scope = scope
        self.as_of = as_of
        self.latest = latest
        self._totals = totals
        self.unvaccinated_60_plus, self.overdue = lists
        self.outside_scope = outside_scope

    def node(self, node_id: str) -> NodeCensus:
        """The census of a node at grid level or above in the scope (zeros: nobody seen)."""
        require_node(self._hier, node_id, "node_id")
        if not self._hier.is_within(node_id, self.scope.id):
            raise InvalidInput("outside_scope", "node_id", "node is outside the census scope")
        return self._totals.get(self._hier.position(node_id), NodeCensus())

    def nodes(self, kind: NodeKind) -> tuple[tuple[Node, NodeCensus], ...]:
        """Every node of ``kind`` in the scope with its census."""
        require_kind(kind)
        found: list[Node] = list(self._hier.descendants(self.scope.id, kind))
        if self.scope.kind is kind:
            found.insert(0, self.scope)
        return tuple((n, self.node(n.id)) for n in found)

    def counts(self) -> dict[tuple[str, str], int]:
        """Per-node counts keyed by ``(node id, metric)`` for every node at grid level or above.

        >>> from datetime import datetime, timezone
        >>> from gridcare.hierarchy import Node
        >>> h = Hierarchy([Node("G", NodeKind.GRID, "g")])
        >>> t = datetime(2022, 3, 22, tzinfo=timezone.utc)
        >>> census(h, [], scope="G", as_of=t, residents={}).counts()[("G", "census_known")]
        0
        """
        out: dict[tuple[str, str], int] = {}
        for kind in NodeKind:
            if kind.rank > NodeKind.GRID.rank:
                break
            for node, counted in self.nodes(kind):
                for metric, n in counted.metrics().items():
                    out[(node.id, metric)] = n
        return out

    def __repr__(self) -> str:
        t = self.node(self.scope.id)
        return (
            f"CensusReport(scope={masked_repr(self.scope.id)}, as_of={self.as_of.isoformat()}, "
            f"known={t.known}, unvaccinated_60_plus={t.unvaccinated_60_plus}, overdue={t.overdue})"
        )


def _latest(entries: Iterable[CensusEntry], as_of: datetime) -> dict[str, CensusEntry]:
    """Each resident's latest entry at or before ``as_of`` (the first copy of each entry id)."""
    if isinstance(entries, (str, bytes)) or not isinstance(entries, Iterable):
        raise InvalidInput("bad_entries", "entries", "expected CensusEntry values")
    log = entries if isinstance(entries, list) else read_once(entries, "entries")
    # One pass at C speed over the types; the entry at fault is looked for only on failure.
    kinds = set(map(type, log))
    if not all(issubclass(kind, CensusEntry) for kind in kinds):
        for i, entry in enumerate(log):
            if not isinstance(entry, CensusEntry):
                raise InvalidInput("bad_entries", f"entries.{i}", "expected a CensusEntry")
    # Entries of the class itself checked their id and instant when built: not checked again
    # (a subclass's constructor might not check them).
    exact = kinds <= {CensusEntry}
    firsts, _ = trusted_first_of_each_id(log) if exact else first_of_each_id(log)
    order = trusted_replay_order if exact else replay_order
    latest: dict[str, CensusEntry] = {}
    for entry in firsts:
        if entry.at > as_of:
            continue
        held = latest.get(entry.resident_id)
        if held is None or order(entry) > order(held):
            latest[entry.resident_id] = entry
    return latest


#: A listed resident before masking: resident id, household id, the register's resident.
_Listed = tuple[str, str, Resident | None]
_by_resident_id = itemgetter(0)


def census(
    hierarchy: Hierarchy,
    entries: Iterable[CensusEntry],
    *,
    scope: str,
    as_of: datetime,
    residents: Mapping[str, Resident],
    rule: OverdueRule | None = None,
    birth_dates: Mapping[str, date] | None = None,
) -> CensusReport:
    """The census of ``scope`` as of ``as_of`` from door-knocking entries (see the module doc).

    ``residents`` is the resident register used for ages and the masked names
    of the lists (id -> :class:`~gridcare.people.Resident`). ``birth_dates``
    (id -> date), where a register of birth dates alone is at hand, gives the
    ages instead: the resident register is then asked only for the residents
    a list names (least privilege, and far cheaper where building a resident
    costs more than reading a date). A value that is not a date counts as
    missing, and the register is asked.

    >>> from datetime import datetime, timezone
    >>> from gridcare.hierarchy import Node
    >>> h = Hierarchy([Node("G", NodeKind.GRID, "g"), Node("H1", NodeKind.HOUSEHOLD, "1", "G")])
    >>> t = datetime(2022, 3, 22, 10, tzinfo=timezone.utc)
    >>> e = CensusEntry(id="c1", at=t, resident_id="R1", household_id="H1", vaccine_doses=2,
    ...                 last_sample_at=t)
    >>> census(h, [e], scope="G", as_of=t, residents={}).node("G")
    NodeCensus(known=1, vaccinated=1, unvaccinated=0, unvaccinated_60_plus=0, overdue=0, ...)
    """
    if not isinstance(hierarchy, Hierarchy):
        raise InvalidInput("bad_hierarchy", "hierarchy", "expected a Hierarchy")
    top = require_node(hierarchy, scope, "scope")
    require_instant(as_of, "as_of")
    if not isinstance(residents, Mapping):
        raise InvalidInput("bad_residents", "residents", "expected resident id -> Resident")
    used = rule if rule is not None else OverdueRule()
    if not isinstance(used, OverdueRule):
        raise InvalidInput("bad_rule", "rule", "expected an OverdueRule")
    if birth_dates is not None and not isinstance(birth_dates, Mapping):
        raise InvalidInput("bad_birth_dates", "birth_dates", "expected resident id -> date")
    day = local_date(as_of)  # the ages' day, once for every resident
    earliest = used._earliest_in_time(as_of)  # the rule's bound, once for every entry
    top_pos = hierarchy.position(top.id)
    latest = _latest(entries, as_of)
    places = HouseholdPlaces(hierarchy, top)
    per_place: dict[int, list[int]] = {}
    old: dict[int, list[_Listed]] = {}
    late: dict[int, list[_Listed]] = {}
    outside = 0
    for resident_id, entry in latest.items():
        house = entry.household_id
        place = places.of(house)
        if place is None or place == HouseholdPlaces.OUTSIDE:  # unknown households count outside
            outside += 1
            continue
        counts = per_place.get(place)
        if counts is None:
            counts = per_place[place] = [0, 0, 0, 0, 0, 0]
        counts[0] += 1
        # The register is asked only where an age or a list needs the resident, once.
        person: Resident | None = None
        asked = False
        if entry.vaccine_doses:
            counts[1] += 1
        else:
            counts[2] += 1
            born = None if birth_dates is None else _birth_date(birth_dates, resident_id)
            if born is None:
                person, asked = _person(residents, resident_id), True
                born = None if person is None else person.birth_date
            if born is not None and age_on(born, day) >= UNVACCINATED_AGE:
                counts[3] += 1
                if not asked:
                    person, asked = _person(residents, resident_id), True
                old.setdefault(place, []).append((resident_id, house, person))
        if _sampled_before(entry.last_sample_at, earliest):  # instants checked above and when built
            counts[4] += 1
            if not asked:
                person = _person(residents, resident_id)
            late.setdefault(place, []).append((resident_id, house, person))
        if entry.door_sampling_needed:
            counts[5] += 1
    totals: dict[int, NodeCensus] = {}
    for place, counts in per_place.items():
        counted = NodeCensus(*counts)
        pos = place
        while True:
            held = totals.get(pos)
            totals[pos] = counted if held is None else held + counted
            if pos == top_pos:
                break
            pos = hierarchy.parent_position(pos)

    def named(found: dict[int, list[_Listed]]) -> dict[str, tuple[MaskedResident, ...]]:
        """Per place id in preorder, its residents masked, by resident id."""
        out: dict[str, tuple[MaskedResident, ...]] = {}
        for p in sorted(found):
            place_id = hierarchy.at(p).id
            rows = sorted(found[p], key=_by_resident_id)
            out[place_id] = tuple(MaskedResident.of(r, h, place_id, who) for r, h, who in rows)
        return out

    return CensusReport(hierarchy, top, as_of, latest, totals, (named(old), named(late)), outside)


def _birth_date(birth_dates: Mapping[str, date], resident_id: str) -> date | None:
    """The birth date of this id, or ``None`` (also for anything but a plain date)."""
    born = read_entry(birth_dates, resident_id, "birth_dates")
    return born if type(born) is date else None


def _person(residents: Mapping[str, Resident], resident_id: str) -> Resident | None:
    """The register's resident of this id, or ``None`` (also for anything but a Resident)."""
    person = read_entry(residents, resident_id, "residents")
    return person if isinstance(person, Resident) else None


#: Vaccine doses drawn by :func:`simulated_census` and their weights.
_DOSES = (0, 1, 2, 3)
_DOSE_WEIGHTS = (8, 3, 29, 60)
_DOSE_CUM_WEIGHTS = tuple(accumulate(_DOSE_WEIGHTS))
_by_household = itemgetter(1)


def _draw_doses(rng: random.Random) -> int:
    """Doses drawn by their weights: one uniform draw placed on the summed weights.

    The draw ``rng.choices(_DOSES, _DOSE_WEIGHTS)`` makes, without summing the
    weights and building a list on each call (a census draws once per resident).
    """
    return _DOSES[bisect(_DOSE_CUM_WEIGHTS, rng.random() * _DOSE_CUM_WEIGHTS[-1])]


def simulated_census(
    replay: RoundReplay,
    *,
    after: datetime,
    seed: int = 0,
    seen_share: float = 0.9,
    hours: int = 10,
) -> list[CensusEntry]:
    """Seeded census entries for the residents of a replayed round, for tests and demos.

    Each resident due is seen with probability ``seen_share`` on a visit
    within ``hours`` of ``after`` (which is at or after the round's end): the
    last sample is the round's first sample when it was sampled (else
    unknown), doses are 0, 1, 2 or 3 (weights 8, 3, 29, 60), and door
    sampling is needed for the round's door-sampling residents. Same
    arguments, same entries.

    >>> from datetime import timedelta, timezone
    >>> from gridcare.screening.lifecycle import replay_round
    >>> from gridcare.screening.round import DueList, ScreeningRound
    >>> t0 = datetime(2022, 3, 27, 7, 30, tzinfo=timezone.utc)
    >>> rnd = ScreeningRound(id="S", scope="G", start=t0, end=t0 + timedelta(hours=5))
    >>> due = DueList(round_id="S", scope_position=0, household_of={"R1": "H1"},
    ...               place_of={"R1": 0})
    >>> entries = simulated_census(replay_round([], rnd, due), after=rnd.end, seen_share=1.0)
    >>> [(e.resident_id, e.last_sample_at) for e in entries]
    [('R1', None)]
    """
    if not isinstance(replay, RoundReplay):
        raise InvalidInput("bad_replay", "replay", "expected a RoundReplay")
    require_instant(after, "after")
    if after < replay.screening.end:
        raise InvalidInput("bad_instant", "after", "the census follows the round's end")
    require_count(seed, "seed", low=0, high=2**63 - 1)
    require_count(hours, "hours", low=1, high=24 * 7)
    if isinstance(seen_share, bool) or not isinstance(seen_share, (int, float)):
        raise InvalidInput("bad_number", "seen_share", "expected a share from 0 to 1")
    if not 0.0 <= seen_share <= 1.0:
        raise InvalidInput("bad_number", "seen_share", "expected a share from 0 to 1")
    round_id = replay.screening.id
    rng = random.Random(f"gridcare.screening/census/{round_id}/{seed}")
    due = replay.due
    door_sampling = due.door_sampling
    records = replay.residents.records
    span = hours * 3600
    # A visit falls on a whole second of the span: each second's instant is made once and
    # shared by the entries that fall on it (a city's census has a hundred per second).
    instants: dict[int, datetime] = {}
    out: list[CensusEntry] = []
    for resident_id, house in sorted(due.household_of.items(), key=_by_household):
        if rng.random() >= seen_share:
            continue
        second = rng.randrange(span)
        at = instants.get(second)
        if at is None:
            at = instants[second] = after + timedelta(seconds=second)
        record = records.get(resident_id)
        # Built from the checked round and replay: no check repeated (gridcare.errors.trusted's
        # two steps, written out in this loop over every resident: see its docstring).
        entry = object.__new__(CensusEntry)
        entry.__attrs_init__(
            id=f"{round_id}-C{str(len(out) + 1).zfill(8)}",  # zfill: half of "08d"'s time
            at=at,
            resident_id=resident_id,
            household_id=house,
            vaccine_doses=_draw_doses(rng),
            last_sample_at=None if record is None else record.sampled_at,
            door_sampling_needed=resident_id in door_sampling,
        )
        out.append(entry)
    return out
