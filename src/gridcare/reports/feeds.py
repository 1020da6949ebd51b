"""Feeds: what the workflows' records count in the daily report list.

Each function turns one kind of record into :class:`~gridcare.reports.rollups.Count`
values keyed by node, metric and report day, aggregated per grid first so a
tally holds a few keys per grid, never one per household. A new record type
needs a new feed (or a ``counts()`` method), never a change to the rollup code.

* :func:`declaration_counts`: received, reviewed, late and proxy declarations
  (flows) per grid, and reviews overdue at the cutoff (a stock); unrouted
  declarations are attached to ``unrouted_node`` (the hierarchy's root by
  default), so nothing is lost to a bad address;
* :func:`visit_counts`: households knocked, reached and found vacant (on the
  day each first happened), person-visits and findings (on the day of the
  attempt), households in scope (a stock);
* :func:`assessment_counts`: people under each measure at the cutoff (stocks);
* :func:`case_counts`: whistle cases raised (flow), open and overdue (stocks).

>>> from datetime import datetime
>>> from gridcare.timeutil import DEFAULT_ZONE
>>> from gridcare.reports.rollups import Tally
>>> cutoff = datetime(2022, 3, 27, 8, tzinfo=DEFAULT_ZONE)
>>> counts = list(stock_counts({"G1": 4}, "cases_open", cutoff))
>>> Tally.from_counts(counts).get("G1", "cases_open", cutoff.date())
4
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from itertools import accumulate, chain, compress, repeat
from operator import add, attrgetter, is_, is_not, itemgetter, mul, truth
from typing import Any, TypeVar

from gridcare._bulk import paused
from gridcare.cases import (
    DEFAULT_CASE_DEADLINES,
    CaseDeadlines,
    CaseState,
    WhistleCase,
    overdue_cases,
)
from gridcare.declarations import DeclarationRecord, DeclarationState
from gridcare.hierarchy import Hierarchy, NodeKind
from gridcare.reports._days import Days, OutOfWindow
from gridcare.reports.rollups import Count, ReportClock
from gridcare.risk import Assessment, MeasureKind
from gridcare.timeutil import require_aware
from gridcare.visits.lifecycle import HouseholdVisit, HouseholdVisitState, VisitAttempt

__all__ = [
    "MEASURE_METRICS",
    "assessment_counts",
    "case_counts",
    "declaration_counts",
    "stock_counts",
    "visit_counts",
]

#: The stock metric counting people under each kind of measure.
MEASURE_METRICS: Mapping[MeasureKind, str] = {
    MeasureKind.CENTRALIZED_QUARANTINE: "under_centralized_quarantine",
    MeasureKind.HOME_ISOLATION: "under_home_isolation",
    MeasureKind.HOME_HEALTH_MONITORING: "under_home_health_monitoring",
    MeasureKind.SELF_HEALTH_MONITORING: "under_self_health_monitoring",
}

_DEFAULT_CLOCK = ReportClock()

_Counted = TypeVar("_Counted", bound=Mapping[str, Mapping[int, int]])
_R = TypeVar("_R")

# Field readers (C level), one per column a feed reads.
_HOUSEHOLD = attrgetter("household")
_AT = attrgetter("at")
_STATE = attrgetter("state")
_FIRST_AT = attrgetter("first_attempt_at")
_REACHED_AT = attrgetter("reached_at")
_PERSONS_AND_FINDINGS = attrgetter("persons_seen", "findings")
_FIRST = itemgetter(0)
_SECOND = itemgetter(1)
_GRID_ID = attrgetter("grid_id")
_SUBMITTED_AT = attrgetter("submitted_at")
_REVIEWED_AT = attrgetter("reviewed_at")
_ASSIGNED_AT = attrgetter("assigned_at")
_LATE = attrgetter("late")
_PROXY = attrgetter("proxy")
#: The metric of each kind of finding, and how to read it from ``Findings``.
_FINDING_KINDS: tuple[tuple[str, Callable[[Any], tuple[Any, ...]]], ...] = (
    ("arrivals_found", attrgetter("arrivals")),
    ("hazards", attrgetter("hazards")),
    ("disputes", attrgetter("disputes")),
    ("services", attrgetter("services")),
)
#: Up to this many persons seen, an attempt's key is counted once per person.
_PERSONS_REPEAT = 64


def _flows(acc: Counter[tuple[str, str, datetime]], clock: ReportClock) -> Iterator[Count]:
    """Aggregate (node, metric, instant) tallies into per-report-day counts."""
    keys = list(acc)
    days = clock.report_days([k[2] for k in keys])
    per_day: Counter[tuple[str, str, date]] = Counter()
    for (node, name, _), day, n in zip(keys, days, (acc[k] for k in keys), strict=True):
        per_day[(node, name, day)] += n
    for (node, name, day), n in per_day.items():
        yield Count(node, name, n, day=day)


def _windowed(
    clock: ReportClock, count: Callable[[Days], _Counted], width: int
) -> tuple[_Counted, Days]:
    """Run ``count`` over a window of report days; over the exact span if that is too narrow.

    ``count`` gives, per metric, counts of keys ``day index * width + slot``.
    """
    days = Days(clock)
    try:
        counted = count(days)
        days.check(counted, width)
        return counted, days
    except OutOfWindow:
        probe = Days.probe(clock)
        count(probe)
        span = probe.span
        assert span is not None  # something fell outside the window, so something was seen
        days = Days(clock, span=span)
        return count(days), days


def _check_instants(rows: Iterable[object], fields: Sequence[str]) -> None:
    """Raise ``InvalidInput`` naming the first field of a row that holds a non-instant."""
    for row in rows:
        for field in fields:
            value = getattr(row, field)
            if value is not None:
                require_aware(value, field)


def _with_instant(rows: Sequence[_R], read: Callable[[_R], datetime | None]) -> list[_R]:
    """The rows whose field (read by ``read``) holds an instant.

    A naive instant among them makes the count raise ``TypeError``, which the
    callers turn into ``InvalidInput`` naming the field (:func:`_check_instants`).
    """
    return [row for row in rows if read(row) is not None]


class _Keys:
    """Integer keys ``day index * nodes + grid position`` for records keyed by node id.

    One dict lookup per record (:meth:`Hierarchy.ancestor_index`) and integer
    keys, which ``Counter`` hashes at C level far faster than tuples.
    """

    __slots__ = ("_hierarchy", "_index", "width")

    def __init__(self, hierarchy: Hierarchy) -> None:
        self._hierarchy = hierarchy
        self._index = hierarchy.ancestor_index(NodeKind.GRID)
        self.width = len(hierarchy)

    def grids(self, rows: Sequence[Any], read: Callable[[Any], str] | None = None) -> list[int]:
        """Position of the grid of each node id (of the node itself above grid level).

        ``rows`` are node ids, or records whose id ``read`` gives: then the ids
        are read and looked up in one C-level pass. Raises ``UnknownNode`` for
        an id the hierarchy does not hold.
        """
        try:
            found = list(map(self._index.__getitem__, rows if read is None else map(read, rows)))
        except (KeyError, TypeError):
            self._hierarchy.positions(self._ids(rows, read))  # raises UnknownNode
            raise  # pragma: no cover - positions raised
        if found and min(found) < 0:  # above grid level: the node counts at itself
            own = self._hierarchy.positions(self._ids(rows, read))
            found = [g if g >= 0 else p for g, p in zip(found, own, strict=True)]
        return found

    @staticmethod
    def _ids(rows: Sequence[Any], read: Callable[[Any], str] | None) -> list[str]:
        return list(rows) if read is None else list(map(read, rows))

    def node_id(self, position: int) -> str:
        """The id of the node at a position of the hierarchy."""
        return self._hierarchy.at(position).id

    def of(self, grids: Iterable[int], days: Iterable[int]) -> list[int]:
        """``day * width + grid`` for each pair."""
        return list(map(add, map(mul, days, repeat(self.width)), grids))


def _emit(
    name: str,
    counted: Mapping[int, int],
    width: int,
    node_id: Callable[[int], str],
    days: Sequence[date],
    out: list[Count],
) -> None:
    """Append one :class:`Count` per non-zero key ``day * width + k``, at node ``node_id(k)``."""
    for key, n in counted.items():
        if n:
            d, k = divmod(key, width)
            out.append(Count(node_id(k), name, n, day=days[d]))


def stock_counts(
    levels: Mapping[str, int], metric_name: str, cutoff: datetime, clock: ReportClock | None = None
) -> Iterator[Count]:
    """Counts of a stock metric measured at ``cutoff``, one per node with a non-zero level."""
    use = clock or _DEFAULT_CLOCK
    day = use.report_day(require_aware(cutoff, "cutoff") - timedelta(microseconds=1))
    for node, n in levels.items():
        if n:
            yield Count(node, metric_name, n, day=day)


@paused  # bulk counting builds no cycles (gridcare._bulk)
def declaration_counts(
    records: Iterable[DeclarationRecord],
    *,
    hierarchy: Hierarchy,
    cutoff: datetime | None = None,
    review_hours: float = 24.0,
    unrouted_node: str | None = None,
    clock: ReportClock | None = None,
) -> list[Count]:
    """Counts of declarations: received, reviewed, late, proxy; overdue at ``cutoff``.

    A declaration counts at its grid (``grid_id``); one not routed (yet)
    counts at ``unrouted_node``, the hierarchy's root by default. Overdue means
    assigned at least ``review_hours`` before the cutoff and not reviewed
    before it.

    >>> from datetime import datetime, timedelta
    >>> from gridcare.declarations import DeclarationRecord, DeclarationState
    >>> from gridcare.hierarchy import Hierarchy, Node, NodeKind
    >>> from gridcare.timeutil import DEFAULT_ZONE
    >>> h = Hierarchy([Node("C", NodeKind.CITY, "c"), Node("G", NodeKind.GRID, "g", "C")])
    >>> t = datetime(2022, 3, 26, 9, tzinfo=DEFAULT_ZONE)
    >>> r = DeclarationRecord(declaration_id="D1", state=DeclarationState.ASSIGNED,
    ...                       submitted_at=t, updated_at=t, grid_id="G", assigned_at=t)
    >>> [(c.node, c.metric, c.n) for c in declaration_counts([r], hierarchy=h,
    ...                                                         cutoff=t + timedelta(days=1))]
    [('G', 'declarations_received', 1), ('G', 'declarations_overdue', 1)]
    """
    use = clock or _DEFAULT_CLOCK
    fallback = unrouted_node if unrouted_node is not None else hierarchy.root.id
    grid_of = _Resolver(hierarchy, fallback)
    rows = records if isinstance(records, list | tuple) else list(records)
    # Resolve each distinct grid id once to a small integer, then map the column at C level.
    given = list(map(_GRID_ID, rows))
    resolved = {g: grid_of(g) for g in set(given)}
    names = sorted(set(resolved.values()))
    code = {node: k for k, node in enumerate(names)}
    nodes = list(map(code.__getitem__, map(resolved.__getitem__, given)))
    width = max(len(names), 1)
    reviewed_at = list(map(_REVIEWED_AT, rows))
    has_review = list(map(is_not, reviewed_at, repeat(None)))
    reviewed_nodes = list(compress(nodes, has_review))
    review_times = list(compress(reviewed_at, has_review))

    def count(days: Days) -> dict[str, Counter[int]]:
        keys = list(
            map(add, map(mul, days.column(lambda: map(_SUBMITTED_AT, rows)), repeat(width)), nodes)
        )
        return {
            "declarations_received": Counter(keys),
            "declarations_reviewed": Counter(
                map(add, map(mul, days.column(lambda: review_times), repeat(width)), reviewed_nodes)
            ),
            "declarations_late": Counter(compress(keys, map(_LATE, rows))),
            "declarations_proxy": Counter(compress(keys, map(_PROXY, rows))),
        }

    try:
        counted, days = _windowed(use, count, width)
    except TypeError:  # an instant that is not one: name it
        _check_instants(rows, ("submitted_at", "reviewed_at"))
        raise
    counts: list[Count] = []
    for name, per_key in counted.items():
        _emit(name, per_key, width, names.__getitem__, days.days, counts)
    if cutoff is not None:
        limit = timedelta(hours=review_hours)
        withdrawn = DeclarationState.WITHDRAWN
        overdue: Counter[str] = Counter(
            names[node]
            for node, record, assigned, done in zip(
                nodes, rows, map(_ASSIGNED_AT, rows), reviewed_at, strict=True
            )
            if assigned is not None
            and assigned + limit <= cutoff
            and (done is None or done >= cutoff)
            and not (record.state is withdrawn and record.updated_at < cutoff)
        )
        counts.extend(stock_counts(overdue, "declarations_overdue", cutoff, use))
    return counts


class _Resolver:
    """Node id -> its grid (itself above grid level, ``fallback`` off the map), cached."""

    __slots__ = ("_at", "_cache", "_fallback", "_index")

    def __init__(self, hierarchy: Hierarchy, fallback: str) -> None:
        self._index = hierarchy.ancestor_index(NodeKind.GRID)
        self._at = hierarchy.at
        self._fallback = fallback
        self._cache: dict[str, str] = {}

    def __call__(self, node_id: str | None) -> str:
        if node_id is None:
            return self._fallback
        found = self._cache.get(node_id)
        if found is None:
            pos = self._index.get(node_id)
            if pos is None:
                found = self._fallback
            elif pos < 0:  # above grid level: the node counts at itself
                found = node_id
            else:
                found = self._at(pos).id
            self._cache[node_id] = found
        return found


class _VisitColumns:
    """The columns of a campaign's records that the counts need, each read once.

    Grid positions do not depend on the window of report days, so they are looked
    up here; :meth:`count` turns instants into day indices (at C level, reading
    the instants straight from the records) and counts integer keys.
    """

    __slots__ = (
        "_adds",
        "_found",
        "_found_at",
        "_keys",
        "_knocked",
        "_knocked_grids",
        "_reached_grids",
        "_seen",
        "_small",
        "_tried",
        "_tried_grids",
        "_vacant_at",
        "_vacant_grids",
    )

    def __init__(
        self,
        keys: _Keys,
        knocked: Sequence[HouseholdVisit],
        tried: Sequence[VisitAttempt],
        states: Sequence[HouseholdVisitState] | None = None,
    ) -> None:
        """``states``, if given, is ``knocked``'s column of states, already read."""
        self._keys = keys
        self._knocked = knocked
        self._knocked_grids = grids = keys.grids(knocked, _HOUSEHOLD)
        # Reading a pointer field touches the object it points to (its reference
        # count), so the reached instants are not kept in a list to be walked
        # again: the mask is one pass, and count() reads and bisects them in another.
        has = list(map(is_not, map(_REACHED_AT, knocked), repeat(None)))
        self._reached_grids = list(compress(grids, has))
        vacant = [
            (g, s.last_attempt_at)
            for g, s in compress(
                zip(grids, knocked, strict=True),
                map(
                    is_,
                    map(_STATE, knocked) if states is None else states,
                    repeat(HouseholdVisitState.VACANT),
                ),
            )
            if s.last_attempt_at is not None
        ]
        self._vacant_grids = [g for g, _ in vacant]
        self._vacant_at = [t for _, t in vacant]
        # persons_seen and findings point to shared objects (small ints, None): read
        # both in one pass over the attempts, then split the pairs.
        pairs = list(map(_PERSONS_AND_FINDINGS, tried))
        persons = list(map(_FIRST, pairs))
        found = list(map(_SECOND, pairs))
        del pairs
        found_at = list(compress(range(len(found)), found))
        # Only an attempt that saw someone or found something adds to a count: the
        # others (nobody home, vacant: a third of a city's attempts) are not read
        # further, which spares their household lookup and their report day.
        adds = list(map(truth, persons))
        for i in found_at:
            adds[i] = True
        self._tried = tried
        self._adds = adds
        self._tried_grids = keys.grids(list(map(_HOUSEHOLD, compress(tried, adds))))
        self._seen = seen = list(compress(persons, adds))
        # Where the attempts with findings sit among those that add (a few percent).
        if found_at:
            rank = list(accumulate(adds))
            self._found_at = [rank[i] - 1 for i in found_at]
        else:
            self._found_at = []
        self._found = list(compress(found, found))
        # persons_seen takes a few small values: count each key once per person.
        self._small = not seen or (min(seen) >= 0 and max(seen) <= _PERSONS_REPEAT)

    def count(self, days: Days) -> dict[str, Mapping[int, int]]:
        """Per metric, the count of each ``day * width + grid`` key."""
        keys = self._keys
        out: dict[str, Mapping[int, int]] = {
            "households_knocked": Counter(
                keys.of(self._knocked_grids, days.column(lambda: map(_FIRST_AT, self._knocked)))
            ),
            "households_reached": Counter(
                keys.of(
                    self._reached_grids,
                    days.column(lambda: filter(None, map(_REACHED_AT, self._knocked))),
                )
            ),
            "households_vacant": Counter(
                keys.of(self._vacant_grids, days.column(lambda: self._vacant_at))
            ),
        }
        on = keys.of(
            self._tried_grids, days.column(lambda: map(_AT, compress(self._tried, self._adds)))
        )
        visits: Counter[int]
        if self._small:
            # Each attempt counts its key once per person seen: a weighted count at
            # C level, with no per-attempt arithmetic.
            visits = Counter(chain.from_iterable(map(repeat, on, self._seen)))
        else:
            visits = Counter()
            for key, seen in zip(on, self._seen, strict=True):
                visits[key] += seen
        out["person_visits"] = visits
        found_on = list(map(on.__getitem__, self._found_at))
        for name, read in _FINDING_KINDS:
            per_key: Counter[int] = Counter()
            for key, f in zip(found_on, self._found, strict=True):
                items = read(f)
                if items:
                    per_key[key] += len(items)
            out[name] = per_key
        return out


@paused  # bulk counting builds no cycles (gridcare._bulk)
def visit_counts(
    states: Iterable[HouseholdVisit],
    *,
    hierarchy: Hierarchy,
    attempts: Sequence[VisitAttempt] = (),
    scope: str | None = None,
    cutoff: datetime | None = None,
    clock: ReportClock | None = None,
) -> list[Count]:
    """Counts of a campaign: knocked, reached, vacant, person-visits, findings, in scope.

    Household firsts come from the folded ``states`` (a household is knocked
    on the day of its first attempt, reached on the day it was first reached:
    never twice); person-visits and findings from the ``attempts``, on the day
    of each attempt. With ``cutoff``, the households in ``scope`` (the root by
    default) are counted as a stock per grid.

    Every record is read once per field it contributes, at C level: a city's
    day (1.39 million attempts, a million household states) is counted in
    a few seconds (see the performance notes). An attempt that saw nobody and
    found nothing adds to no count and is read no further: its household is
    not looked up (its state's is).

    >>> from datetime import datetime, timedelta
    >>> from gridcare.hierarchy import Hierarchy, Node, NodeKind
    >>> from gridcare.timeutil import DEFAULT_ZONE
    >>> from gridcare.visits.lifecycle import Campaign, VisitAttempt, VisitOutcome, replay_visits
    >>> h = Hierarchy([Node("C", NodeKind.CITY, "c"), Node("G", NodeKind.GRID, "g", "C"),
    ...                Node("H", NodeKind.HOUSEHOLD, "h", "G")])
    >>> t = datetime(2022, 3, 26, 9, tzinfo=DEFAULT_ZONE)
    >>> c = Campaign(id="K", scope="C", round=1, start=t, end=t + timedelta(days=2))
    >>> log = [VisitAttempt(id="a", campaign_id="K", household="H", team="T", at=t,
    ...                     outcome=VisitOutcome.REACHED, persons_seen=2)]
    >>> states = list(replay_visits(log, c).households.values())
    >>> sorted((x.metric, x.n) for x in visit_counts(states, hierarchy=h, attempts=log))
    [('households_knocked', 1), ('households_reached', 1), ('person_visits', 2)]
    """
    use = clock or _DEFAULT_CLOCK
    rows = states if isinstance(states, list | tuple) else list(states)
    tried = attempts if isinstance(attempts, list | tuple) else list(attempts)
    keys = _Keys(hierarchy)
    # A household is knocked once it has a first attempt. States straight from a
    # replay all have one: look at the (cheap, shared) state first, read once.
    read = list(map(_STATE, rows))
    state_of: list[HouseholdVisitState] | None = read
    if HouseholdVisitState.NOT_STARTED in read:
        rows = _with_instant(rows, _FIRST_AT)
        state_of = None
    try:
        counted, days = _windowed(use, _VisitColumns(keys, rows, tried, state_of).count, keys.width)
    except TypeError:  # a state without a first attempt, or an instant that is not one
        _check_instants(rows, ("first_attempt_at", "reached_at", "last_attempt_at"))
        _check_instants(tried, ("at",))
        rows = _with_instant(rows, _FIRST_AT)
        counted, days = _windowed(use, _VisitColumns(keys, rows, tried).count, keys.width)
    counts: list[Count] = []
    for name, per_key in counted.items():
        _emit(name, per_key, keys.width, keys.node_id, days.days, counts)
    if cutoff is not None:
        top = scope if scope is not None else hierarchy.root.id
        counts.extend(
            stock_counts(_households_per_grid(hierarchy, top), "households_in_scope", cutoff, use)
        )
    return counts


def _households_per_grid(hierarchy: Hierarchy, top: str) -> Counter[str]:
    """Households strictly below ``top``, per grid (per household above grid level)."""
    out: Counter[str] = Counter()
    if hierarchy.node(top).kind is NodeKind.HOUSEHOLD:
        return out
    total = hierarchy.count_below(top, NodeKind.HOUSEHOLD)
    if not total:
        return out
    grid = hierarchy.grid_of(top)
    if grid is not None:  # the scope is a grid or lies inside one
        out[grid.id] = total
        return out
    covered = 0
    for g in hierarchy.descendants(top, NodeKind.GRID):
        n = hierarchy.count_below(g.id, NodeKind.HOUSEHOLD)
        if n:
            out[g.id] = n
            covered += n
    if covered < total:  # households outside any grid count at themselves
        for household in hierarchy.descendants(top, NodeKind.HOUSEHOLD):
            if hierarchy.grid_of(household.id) is None:
                out[household.id] += 1
    return out


def assessment_counts(
    assessed: Iterable[tuple[str, Assessment]],
    *,
    hierarchy: Hierarchy,
    cutoff: datetime,
    clock: ReportClock | None = None,
) -> list[Count]:
    """People under each measure at ``cutoff``, per grid of the node each person belongs to.

    ``assessed`` pairs a node id (the person's household or grid) with the
    person's assessment; the step in force at the cutoff is counted.
    """
    require_aware(cutoff, "cutoff")
    # Count by the node given first, then move each distinct node's count to its grid.
    given: dict[str, Counter[str]] = {name: Counter() for name in MEASURE_METRICS.values()}
    for node, assessment in assessed:
        plan = assessment.plan
        if plan is None:
            continue
        for step in plan.steps:
            if step.start <= cutoff and (step.end is None or cutoff < step.end):
                given[MEASURE_METRICS[step.kind]][node] += 1
                break
    resolve = _Resolver(hierarchy, hierarchy.root.id)
    counts: list[Count] = []
    for name, per_node in given.items():
        levels: Counter[str] = Counter()
        for node, n in per_node.items():
            levels[resolve(node)] += n
        counts.extend(stock_counts(levels, name, cutoff, clock))
    return counts


def case_counts(
    cases: Iterable[WhistleCase],
    *,
    cutoff: datetime,
    deadlines: CaseDeadlines | None = None,
    clock: ReportClock | None = None,
) -> list[Count]:
    """Whistle cases raised (on their day), open and overdue at ``cutoff`` (per raising grid)."""
    use = clock or _DEFAULT_CLOCK
    all_cases = list(cases)
    acc: Counter[tuple[str, str, datetime]] = Counter()
    open_now: Counter[str] = Counter()
    for case in all_cases:
        if case.raised_at >= cutoff:
            continue
        acc[(case.grid, "cases_raised", case.raised_at)] += 1
        closed = case.state is CaseState.CLOSED and (
            case.closed_at is not None and case.closed_at < cutoff
        )
        if not closed:
            open_now[case.grid] += 1
    late: Counter[str] = Counter()
    chosen = {c.id: c for c in all_cases if c.raised_at < cutoff}
    found = overdue_cases(chosen.values(), cutoff, deadlines or DEFAULT_CASE_DEADLINES)
    for case_id in {item.case_id for item in found}:
        late[chosen[case_id].grid] += 1
    counts = list(_flows(acc, use))
    counts.extend(stock_counts(open_now, "cases_open", cutoff, use))
    counts.extend(stock_counts(late, "cases_overdue", cutoff, use))
    return counts
