"""Planning a round: stations and sites needed for a scope and a window, and a seeded check.

The model (the same in the plan and the simulation, so each checks the other):

* the residents due arrive over the sampling window: on average
  ``due / hours`` an hour, ``peak_factor`` times that in the busiest hour;
* one station samples ``swabs_per_station_hour`` residents an hour (120 by
  default: 30 s per resident for the health-code scan, the tube barcode, the
  swab and the queue moving up; a planning assumption, not a measured fact);
* stations are kept below ``utilisation`` (0.85 by default) of their capacity
  in the busiest hour, so queues stay short: an M/M/c queue at that load with
  tens of stations waits a few minutes at most;
* ``stations = ceil(due * peak_factor / (hours * swabs_per_station_hour * utilisation))``,
  in exact arithmetic with each number as written (``0.7`` is seven tenths), so
  that a load that fills its stations exactly needs no extra one;
  sites hold ``stations_per_site`` stations (6 by default); pooled tubes are
  ``ceil(pooled residents / pool size)``.

For a city of Liling's size (910,000 residents, 07:30 to 12:30) the defaults
give 1,785 stations, about 298 sites and 91,000 tubes at 10-in-1.
:func:`simulate_round` runs each node's queue with seeded exponential service
and uniform arrivals, and reports who reached a station by the window's end.

>>> plan = plan_stations(910_000, 5.0)
>>> plan.stations, plan.sites, plan.tubes
(1785, 298, 91000)
"""

from __future__ import annotations

import heapq
import math
import random
from collections import Counter
from datetime import datetime, timedelta
from fractions import Fraction

import attrs

from gridcare.errors import InvalidInput, require_finite
from gridcare.hierarchy import Hierarchy, NodeKind
from gridcare.masking import masked_field_reprs
from gridcare.rates import Rate
from gridcare.screening.lifecycle import (
    LabResult,
    MarkedAway,
    Registered,
    ScreeningEvent,
    SwabAdded,
    TubeResult,
    TubeSealed,
)
from gridcare.screening.round import (
    MAX_ID_LENGTH,
    AwayReason,
    DueList,
    ScreeningRound,
    TubeKind,
    require_count,
    require_id,
)
from gridcare.screening.sites import DEFAULT_SWABS_PER_HOUR

__all__ = [
    "NodePlan",
    "RoundPlan",
    "RoundSimulation",
    "StationPlan",
    "ThroughputModel",
    "plan_round",
    "plan_stations",
    "simulate_round",
    "simulated_round_log",
]


def _fraction(value: object, field: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidInput("bad_number", field, "expected a number")
    number = float(value)
    if not math.isfinite(number) or not low < number <= high:
        raise InvalidInput("bad_number", field, f"expected a number above {low}, at most {high}")
    return number


def _as_written(number: float) -> Fraction:
    """``number`` as its shortest decimal reads it (``0.7`` is seven tenths, not the float
    nearest to it): the value the caller wrote."""
    return Fraction(repr(number))


def _share(value: object, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidInput("bad_number", field, "expected a share from 0 to 1")
    number = float(value)
    if not 0.0 <= number <= 1.0:  # NaN fails both comparisons
        raise InvalidInput("bad_number", field, "expected a share from 0 to 1")
    return number


@attrs.frozen(kw_only=True, field_transformer=masked_field_reprs)
class ThroughputModel:
    """The planning assumptions (see the module doc).

    >>> ThroughputModel().swabs_per_station_hour, ThroughputModel().pool_size
    (120, 10)
    >>> ThroughputModel(utilisation=1.5)
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: utilisation: expected a number above 0.0, at most 1.0 [...]
    """

    swabs_per_station_hour: int = DEFAULT_SWABS_PER_HOUR
    pool_size: int = 10
    utilisation: float = 0.85
    peak_factor: float = 1.0
    stations_per_site: int = 6

    def __attrs_post_init__(self) -> None:
        require_count(self.swabs_per_station_hour, "swabs_per_station_hour", low=1, high=10_000)
        require_count(self.pool_size, "pool_size", low=1, high=50)
        _fraction(self.utilisation, "utilisation", 0.0, 1.0)
        _fraction(self.peak_factor, "peak_factor", 0.0, 10.0)
        if self.peak_factor < 1.0:
            raise InvalidInput("bad_number", "peak_factor", "the busiest hour is at least average")
        require_count(self.stations_per_site, "stations_per_site", low=1, high=1_000)


@attrs.frozen(field_transformer=masked_field_reprs)
class StationPlan:
    """Stations, sites and tubes for ``due`` residents in ``hours``.

    >>> p = plan_stations(1_000, 2.0)
    >>> p.stations, str(p.load)
    (5, '83.33%')
    """

    due: int
    hours: float
    stations: int
    sites: int
    tubes: int
    model: ThroughputModel

    def __attrs_post_init__(self) -> None:
        for field in ("due", "stations", "sites", "tubes"):
            require_count(getattr(self, field), field)
        _hours(self.hours)
        if not isinstance(self.model, ThroughputModel):
            raise InvalidInput("bad_model", "model", "expected a ThroughputModel")

    @property
    def arrivals_per_hour(self) -> float:
        """Average arrivals an hour over the window."""
        return self.due / self.hours

    @property
    def load(self) -> Rate:
        """Residents due over the stations' capacity in the window (exact)."""
        capacity = self.stations * self.model.swabs_per_station_hour * self.hours
        whole = math.floor(capacity) if capacity >= 1 else 0
        return Rate.ratio(self.due, whole)  # a load: may exceed one


#: The shortest span a plan is made for: a minute (a shorter one would ask for more stations
#: than there are numbers to count them).
_MIN_HOURS = 1 / 60


def _hours(value: object) -> float:
    hours = _fraction(value, "hours", 0.0, 24.0 * 7)
    if hours < _MIN_HOURS:
        raise InvalidInput("bad_number", "hours", "expected at least a minute (1/60 of an hour)")
    return hours


def plan_stations(
    due: int, hours: float, model: ThroughputModel | None = None, *, single_tube: int = 0
) -> StationPlan:
    """Stations needed to sample ``due`` residents in ``hours`` (see the module doc).

    ``single_tube`` residents each use a tube of their own; the others are
    pooled ``model.pool_size`` to a tube.

    >>> plan_stations(0, 5.0).stations, plan_stations(1, 5.0).stations
    (0, 1)
    """
    require_count(due, "due", low=0, high=10**9)
    span = _hours(hours)
    used = model if model is not None else ThroughputModel()
    if not isinstance(used, ThroughputModel):
        raise InvalidInput("bad_model", "model", "expected a ThroughputModel")
    require_count(single_tube, "single_tube", low=0, high=due)
    # In exact arithmetic, each number as written: in floats a load that fills its stations
    # exactly (5,103 residents at 3 h x 30 an hour x 0.7 = 81 stations) asked for one more.
    per_station = _as_written(span) * used.swabs_per_station_hour * _as_written(used.utilisation)
    stations = math.ceil(due * _as_written(used.peak_factor) / per_station) if due else 0
    sites = math.ceil(stations / used.stations_per_site)
    tubes = single_tube + math.ceil((due - single_tube) / used.pool_size)
    return StationPlan(due, span, stations, sites, tubes, used)


@attrs.frozen(field_transformer=masked_field_reprs)
class NodePlan:
    """The plan of one node (a community by default) of the round's scope.

    >>> NodePlan("M1", plan_stations(600, 5.0)).plan.stations
    2
    """

    node_id: str
    plan: StationPlan

    def __attrs_post_init__(self) -> None:
        require_id(self.node_id, "node_id")
        if not isinstance(self.plan, StationPlan):
            raise InvalidInput("bad_plan", "plan", "expected a StationPlan")


@attrs.frozen(field_transformer=masked_field_reprs)
class RoundPlan:
    """A round's plan: one :class:`NodePlan` per node of the planning level, and the totals.

    >>> RoundPlan("S1", ()).stations
    0
    """

    round_id: str
    nodes: tuple[NodePlan, ...]

    def __attrs_post_init__(self) -> None:
        require_id(self.round_id, "round_id")
        if not isinstance(self.nodes, tuple) or not all(
            isinstance(n, NodePlan) for n in self.nodes
        ):
            raise InvalidInput("bad_plan", "nodes", "expected a tuple of NodePlan")

    @property
    def stations(self) -> int:
        """Stations over every node."""
        return sum(n.plan.stations for n in self.nodes)

    @property
    def sites(self) -> int:
        """Sites over every node."""
        return sum(n.plan.sites for n in self.nodes)

    @property
    def due(self) -> int:
        """Residents due over every node."""
        return sum(n.plan.due for n in self.nodes)


def _due_per_node(
    hierarchy: Hierarchy, due: DueList, kind: NodeKind
) -> tuple[Counter[str], Counter[str]]:
    """Residents due and single-tubed per node of ``kind`` (the scope for those above it)."""
    scope_id = hierarchy.at(due.scope_position).id
    index = hierarchy.ancestor_index(kind)
    counts: Counter[int] = Counter(index[h] for h in due.household_of.values())
    singles: Counter[int] = Counter(index[due.household_of[r]] for r in due.single_tube)
    scope_pos = due.scope_position

    def named(found: Counter[int]) -> Counter[str]:
        out: Counter[str] = Counter()
        for pos, n in found.items():
            out[hierarchy.at(pos).id if pos >= scope_pos else scope_id] += n
        return out

    return named(counts), named(singles)


def plan_round(
    hierarchy: Hierarchy,
    screening: ScreeningRound,
    due: DueList,
    model: ThroughputModel | None = None,
    *,
    kind: NodeKind = NodeKind.COMMUNITY,
) -> RoundPlan:
    """Stations and sites per node of ``kind`` for the round's window (residents go to a site
    of their own community by default).

    >>> from datetime import datetime, timedelta, timezone
    >>> from gridcare.hierarchy import Node
    >>> from gridcare.people import Household
    >>> from gridcare.screening.round import due_list
    >>> h = Hierarchy([Node("M", NodeKind.COMMUNITY, "m"), Node("G", NodeKind.GRID, "g", "M"),
    ...                Node("H1", NodeKind.HOUSEHOLD, "1", "G")])
    >>> t0 = datetime(2022, 3, 27, 7, 30, tzinfo=timezone.utc)
    >>> rnd = ScreeningRound(id="S", scope="M", start=t0, end=t0 + timedelta(hours=5))
    >>> d = due_list(rnd, h, [Household(id="H1", members=("R1", "R2"))])
    >>> [(n.node_id, n.plan.stations) for n in plan_round(h, rnd, d).nodes]
    [('M', 1)]
    """
    if not isinstance(hierarchy, Hierarchy):
        raise InvalidInput("bad_hierarchy", "hierarchy", "expected a Hierarchy")
    if not isinstance(screening, ScreeningRound):
        raise InvalidInput("bad_round", "screening", "expected a ScreeningRound")
    if not isinstance(due, DueList) or due.round_id != screening.id:
        raise InvalidInput("bad_due", "due", "expected the round's DueList")
    if not isinstance(kind, NodeKind):
        raise InvalidInput("bad_enum", "kind", "expected a NodeKind")
    used = model if model is not None else ThroughputModel(pool_size=screening.pooling.pool_size)
    counts, singles = _due_per_node(hierarchy, due, kind)
    nodes = tuple(
        NodePlan(node_id, plan_stations(n, screening.hours, used, single_tube=singles[node_id]))
        for node_id, n in sorted(counts.items(), key=lambda item: hierarchy.position(item[0]))
    )
    return RoundPlan(screening.id, nodes)


@attrs.frozen(field_transformer=masked_field_reprs)
class RoundSimulation:
    """What a seeded simulation of a plan found.

    ``served_in_window`` is the share of residents who reached a station by
    the window's end (the queue kept up: whoever arrives in time is sampled);
    ``last_done_hours`` the hour (from the start) the last swab was done;
    ``p95_wait_minutes`` the 95th percentile of waits in the queue.

    >>> s = simulate_round(RoundPlan("S", (NodePlan("M", plan_stations(200, 2.0)),)), seed=1)
    >>> s.residents, s.served_in_window.defined
    (200, True)
    """

    round_id: str
    seed: int
    residents: int
    served_in_window: Rate
    last_done_hours: float
    p95_wait_minutes: float
    max_wait_minutes: float

    def __attrs_post_init__(self) -> None:
        require_id(self.round_id, "round_id")
        require_count(self.seed, "seed", low=0, high=2**63 - 1)
        require_count(self.residents, "residents", low=0, high=10**9)
        if not isinstance(self.served_in_window, Rate):
            raise InvalidInput("bad_rate", "served_in_window", "expected a Rate")
        for field in ("last_done_hours", "p95_wait_minutes", "max_wait_minutes"):
            if require_finite(getattr(self, field), field, code="bad_number") < 0:
                raise InvalidInput("bad_number", field, "expected a finite number >= 0")

    @property
    def plan_holds(self) -> bool:
        """Whether at least 99% reached a station by the window's end."""
        share = self.served_in_window
        return share.denominator == 0 or share.numerator * 100 >= share.denominator * 99


def _simulate_node(plan: StationPlan, rng: random.Random) -> tuple[int, float, list[float]]:
    """One node's queue: (served by the end, last done hour, waits in hours)."""
    n = plan.due
    if n == 0:
        return 0, 0.0, []
    hours = plan.hours
    arrivals = sorted(rng.random() * hours for _ in range(n))
    rate = plan.model.swabs_per_station_hour
    free = [0.0] * max(1, plan.stations)
    heapq.heapify(free)
    waits: list[float] = []
    served_in_window = 0
    last = 0.0
    for arrival in arrivals:
        ready = heapq.heappop(free)
        start = ready if ready > arrival else arrival
        done = start + rng.expovariate(rate)
        heapq.heappush(free, done)
        waits.append(start - arrival)
        if start <= hours:
            served_in_window += 1
        if done > last:
            last = done
    return served_in_window, last, waits


def simulate_round(plan: RoundPlan, *, seed: int = 0) -> RoundSimulation:
    """Seeded simulation of ``plan``: each node's residents arrive uniformly over the window
    and queue for its stations (first come, first served; exponential service at the model's
    rate). Same plan and seed, same result.

    >>> p = RoundPlan("S", (NodePlan("M", plan_stations(500, 2.0)),))
    >>> simulate_round(p, seed=3) == simulate_round(p, seed=3)
    True
    """
    if not isinstance(plan, RoundPlan):
        raise InvalidInput("bad_plan", "plan", "expected a RoundPlan")
    require_count(seed, "seed", low=0, high=2**63 - 1)
    require_id(plan.round_id, "round_id")
    done = total = 0
    last = 0.0
    waits: list[float] = []
    for node in plan.nodes:
        rng = random.Random(f"gridcare.screening/{plan.round_id}/{node.node_id}/{seed}")
        node_done, node_last, node_waits = _simulate_node(node.plan, rng)
        done += node_done
        total += node.plan.due
        last = max(last, node_last)
        waits.extend(node_waits)
    waits.sort()
    p95 = waits[min(len(waits) - 1, int(0.95 * len(waits)))] * 60 if waits else 0.0
    worst = waits[-1] * 60 if waits else 0.0
    return RoundSimulation(plan.round_id, seed, total, Rate(done, total), last, p95, worst)


def _places(due: DueList) -> dict[int, list[str]]:
    """The residents due per place, places in preorder, residents in household order."""
    by_place: dict[int, list[tuple[str, str]]] = {}
    place_of = due.place_of
    for resident_id, house in due.household_of.items():
        by_place.setdefault(place_of[resident_id], []).append((house, resident_id))
    return {place: [rid for _, rid in sorted(rows)] for place, rows in sorted(by_place.items())}


#: A simulated swab takes this long; a tube is sealed this long after its last swab and
#: reported this long after it is sealed.
_SWAB_TIME = timedelta(seconds=30)
_SEAL_DELAY = timedelta(minutes=1)
_RESULT_DELAY = timedelta(hours=6)


#: A simulated log's event ids are its round's id, this mark and this many digits.
_EVENT_MARK = "-E"
_EVENT_DIGITS = 8
_MOST_EVENTS = 10**_EVENT_DIGITS
_LONGEST_ROUND_ID = MAX_ID_LENGTH - len(_EVENT_MARK) - _EVENT_DIGITS


class _Log:
    """The growing event list of one simulated round, with its id counters."""

    def __init__(self, screening: ScreeningRound) -> None:
        self.screening = screening
        self.events: list[ScreeningEvent] = []
        self.event_count = 0
        self.tube_count = 0
        self._event_prefix = f"{screening.id}{_EVENT_MARK}"
        self._tube_prefix = f"{screening.id}-T"

    # The counters are zero-padded by str.zfill, which takes half the time of a
    # format spec such as "08d" and gives the same digits for a count that is not negative.
    def event_id(self) -> str:
        self.event_count += 1
        return self._event_prefix + str(self.event_count).zfill(_EVENT_DIGITS)

    def tube_id(self) -> str:
        self.tube_count += 1
        return self._tube_prefix + str(self.tube_count).zfill(7)

    def tube(
        self,
        members: list[str],
        start: datetime,
        kind: TubeKind,
        result: LabResult,
        *,
        place: str,
        door: bool = False,
        register: bool = False,
        retest_of: str | None = None,
    ) -> tuple[str, datetime]:
        """Swabs of ``members`` into a new tube from ``start``, its seal and its result."""
        tube_id = self.tube_id()
        rid = self.screening.id
        site_id, door_team_id = (None, place) if door else (place, None)
        events = self.events
        event_id = self.event_id
        at = start
        # Ids and instants made here from the checked round: the events are built unchecked,
        # by the two steps of gridcare.errors.trusted written out (see its docstring).
        new = object.__new__
        for member in members:
            if register:
                registered = new(Registered)
                registered.__attrs_init__(
                    id=event_id(), at=at, round_id=rid, resident_id=member, door_team_id=place
                )
                events.append(registered)
            swab = new(SwabAdded)
            swab.__attrs_init__(
                id=event_id(),
                at=at,
                round_id=rid,
                resident_id=member,
                tube_id=tube_id,
                tube_kind=kind,
                retest_of=retest_of,
                site_id=site_id,
                door_team_id=door_team_id,
            )
            events.append(swab)
            at += _SWAB_TIME
        sealed = new(TubeSealed)
        sealed.__attrs_init__(id=event_id(), at=at + _SEAL_DELAY, round_id=rid, tube_id=tube_id)
        reported = new(TubeResult)
        reported.__attrs_init__(
            id=event_id(),
            at=sealed.at + _RESULT_DELAY,
            round_id=rid,
            tube_id=tube_id,
            result=result,
        )
        events += (sealed, reported)
        return tube_id, reported.at


def simulated_round_log(
    screening: ScreeningRound,
    due: DueList,
    *,
    seed: int = 0,
    away_share: float = 0.02,
    missed_share: float = 0.01,
    positive_tubes: int = 3,
    invalid_tubes: int = 2,
) -> list[ScreeningEvent]:
    """A seeded, legal event log of ``screening`` over ``due``, for tests, demos and benchmarks.

    Per place (grid), in household order: exempt residents have no event; a
    share is marked away, a share is missed (never registered); residents
    for door sampling are registered and swabbed at home in pooled tubes of
    their own; single-tube residents get a tube each; the others fill pooled
    tubes of the round's pool size at the place's site. Every tube is sealed
    and reported six hours later; ``positive_tubes`` pooled tubes come back
    positive and ``invalid_tubes`` invalid, and their members are re-tested in
    single tubes (the first member of the first positive pool is positive).
    Same arguments, same log. Event ids are the round's id, ``-E`` and eight
    digits, so the round's id has at most 54 characters
    (:class:`~gridcare.errors.InvalidInput` code ``too_long`` otherwise).

    >>> from datetime import datetime, timedelta, timezone
    >>> t0 = datetime(2022, 3, 27, 7, 30, tzinfo=timezone.utc)
    >>> rnd = ScreeningRound(id="S", scope="G", start=t0, end=t0 + timedelta(hours=5))
    >>> ids = {f"R{i}": f"H{i // 3}" for i in range(60)}
    >>> due = DueList(round_id="S", scope_position=0, household_of=ids,
    ...               place_of=dict.fromkeys(ids, 0))
    >>> log = simulated_round_log(rnd, due, seed=1, positive_tubes=1, invalid_tubes=0)
    >>> log == simulated_round_log(rnd, due, seed=1, positive_tubes=1, invalid_tubes=0)
    True
    """
    if not isinstance(screening, ScreeningRound):
        raise InvalidInput("bad_round", "screening", "expected a ScreeningRound")
    if not isinstance(due, DueList) or due.round_id != screening.id:
        raise InvalidInput("bad_due", "due", "expected the round's DueList")
    require_count(seed, "seed", low=0, high=2**63 - 1)
    # The log's ids are the round's id and a counter; it builds its events unchecked.
    if len(screening.id) > _LONGEST_ROUND_ID:
        raise InvalidInput(
            "too_long",
            "screening",
            f"a round id of at most {_LONGEST_ROUND_ID} characters leaves room for event ids",
            value=len(screening.id),
        )
    away = _share(away_share, "away_share")
    missed = _share(missed_share, "missed_share")
    if away + missed > 1.0:
        raise InvalidInput(
            "bad_number", "missed_share", "away and missed shares add up to at most 1"
        )
    require_count(positive_tubes, "positive_tubes", low=0, high=10**6)
    require_count(invalid_tubes, "invalid_tubes", low=0, high=10**6)
    rng = random.Random(f"gridcare.screening/log/{screening.id}/{seed}")
    log = _Log(screening)
    pool = screening.pooling.pool_size
    window = (screening.end - screening.start).total_seconds()
    latest = max(0.0, window - (pool + 4) * 30.0)
    start = screening.start
    # Each pooled tube: its id, its members and where its result stands in the log.
    pooled: list[tuple[str, list[str], int]] = []
    negative = LabResult.NEGATIVE

    def fill_pooled_tube(batch: list[str], site: str, *, door: bool) -> None:
        """One pooled tube of ``batch`` at a random instant; door tubes register at home."""
        begin = start + timedelta(seconds=rng.random() * latest)
        tube_id, _ = log.tube(
            batch, begin, TubeKind.POOLED, negative, place=site, door=door, register=door
        )
        pooled.append((tube_id, list(batch), len(log.events) - 1))  # the result is last

    exempt, single_tube, door_sampling = due.exempt, due.single_tube, due.door_sampling
    for place, residents in _places(due).items():
        site = f"P{place}"
        tube: list[str] = []
        door: list[str] = []
        for resident_id in residents:
            if resident_id in exempt:
                continue
            draw = rng.random()
            if draw < away:
                at = start + timedelta(seconds=rng.random() * window)
                log.events.append(
                    MarkedAway(
                        id=log.event_id(),
                        at=at,
                        round_id=screening.id,
                        resident_id=resident_id,
                        reason=AwayReason.OUT_OF_AREA,
                    )
                )
                continue
            if draw < away + missed:
                continue
            if resident_id in single_tube:
                begin = start + timedelta(seconds=rng.random() * latest)
                log.tube([resident_id], begin, TubeKind.SINGLE, negative, place=site)
                continue
            batch = door if resident_id in door_sampling else tube
            batch.append(resident_id)
            if len(batch) == pool:
                fill_pooled_tube(batch, site, door=batch is door)
                batch.clear()
        for batch, is_door in ((tube, False), (door, True)):
            if batch:
                fill_pooled_tube(batch, site, door=is_door)
    _add_retests(log, rng, pooled, positive_tubes, invalid_tubes)
    if log.event_count >= _MOST_EVENTS:  # the counter would outgrow its digits
        raise InvalidInput("too_many", "due", f"at most {_MOST_EVENTS - 1} events in a log")
    return log.events


def _add_retests(
    log: _Log,
    rng: random.Random,
    pooled: list[tuple[str, list[str], int]],
    positive_tubes: int,
    invalid_tubes: int,
) -> None:
    """Turn some pooled tubes positive or invalid and re-test their members in single tubes."""
    chosen = rng.sample(range(len(pooled)), min(len(pooled), positive_tubes + invalid_tubes))
    for rank, which in enumerate(chosen):
        tube_id, members, at = pooled[which]
        result = LabResult.POSITIVE if rank < positive_tubes else LabResult.INVALID
        old = log.events[at]
        assert isinstance(old, TubeResult)
        assert old.tube_id == tube_id
        log.events[at] = attrs.evolve(old, result=result)
        retest_at = old.at + timedelta(hours=2)
        for k, member in enumerate(members):
            found = (
                LabResult.POSITIVE
                if rank == 0 and k == 0 and positive_tubes
                else (LabResult.NEGATIVE)
            )
            log.tube(
                [member],
                retest_at + timedelta(minutes=k),
                TubeKind.SINGLE,
                found,
                place="retest-team",
                door=True,
                retest_of=tube_id,
            )
