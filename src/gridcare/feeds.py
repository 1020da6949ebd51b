"""Feeds: what the workflows' records count in the daily report list.

Each function turns one kind of record into :class:`~gridcare.rollups.Count`
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
>>> from gridcare.rollups import Tally
>>> cutoff = datetime(2022, 3, 27, 8, tzinfo=DEFAULT_ZONE)
>>> counts = list(stock_counts({"G1": 4}, "cases_open", cutoff))
>>> Tally.from_counts(counts).get("G1", "cases_open", cutoff.date())
4
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from functools import partial
from itertools import compress
from operator import attrgetter

from gridcare.cases import (
    DEFAULT_CASE_DEADLINES,
    CaseDeadlines,
    CaseState,
    WhistleCase,
    overdue_cases,
)
from gridcare.declarations import DeclarationRecord, DeclarationState
from gridcare.hierarchy import Hierarchy, NodeKind
from gridcare.risk import Assessment, MeasureKind
from gridcare.rollups import Count, ReportClock
from gridcare.timeutil import require_aware
from gridcare.visits import HouseholdVisit, HouseholdVisitState, VisitAttempt

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


def _flows(acc: Counter[tuple[str, str, datetime]], clock: ReportClock) -> Iterator[Count]:
    """Aggregate (node, metric, instant) tallies into per-report-day counts."""
    keys = list(acc)
    days = clock.report_days([k[2] for k in keys])
    per_day: Counter[tuple[str, str, date]] = Counter()
    for (node, name, _), day, n in zip(keys, days, (acc[k] for k in keys), strict=True):
        per_day[(node, name, day)] += n
    for (node, name, day), n in per_day.items():
        yield Count(node, name, n, day=day)


class _Days:
    """Report days of many instants: one bisection each over the cutoffs spanning them.

    Instants in the clock's own ``tzinfo`` object compare field by field (no
    UTC-offset lookups, which cost microseconds with ``dateutil`` zones), so a
    city's 1.39 million attempts find their report days in a fraction of a
    second. Records are first grouped by (grid position, day index) at C level
    (``Counter`` over ``zip``) and turned into ids and dates once per group.
    """

    __slots__ = ("_cutoffs", "days")

    def __init__(self, clock: ReportClock, columns: Iterable[Sequence[datetime]]) -> None:
        lows = []
        highs = []
        for column in columns:
            if column:
                lows.append(min(column))
                highs.append(max(column))
        if not lows:
            self.days: list[date] = []
            self._cutoffs: list[datetime] = []
            return
        first = clock.report_day(min(lows))
        span = (clock.report_day(max(highs)) - first).days + 1
        self.days = [first + timedelta(days=k) for k in range(span)]
        self._cutoffs = [clock.cutoff_of(d) for d in self.days]

    def indices(self, instants: Iterable[datetime]) -> list[int]:
        """The index into :attr:`days` of each instant's report day."""
        return list(map(partial(bisect_right, self._cutoffs), instants))


def _grid_positions(hierarchy: Hierarchy, node_ids: Sequence[str]) -> list[int]:
    """Preorder position of each node's grid (of the node itself above grid level).

    Raises ``UnknownNode`` for an id the hierarchy does not hold.
    """
    positions = hierarchy.positions(node_ids)  # one C-level pass, not a call per household
    grids = hierarchy.ancestor_positions(NodeKind.GRID)
    found = list(map(grids.__getitem__, positions))
    if found and min(found) < 0:
        found = [g if g >= 0 else p for g, p in zip(found, positions, strict=True)]
    return found


def _emit(
    acc: Mapping[tuple[int, str, int], int],
    hierarchy: Hierarchy,
    days: Sequence[date],
) -> list[Count]:
    """Counts from (grid position, metric, day index) totals: ids and dates once per key."""
    at = hierarchy.at
    ids: dict[int, str] = {}
    out = []
    for (pos, name, d), n in acc.items():
        if n:
            node = ids.get(pos)
            if node is None:
                node = ids[pos] = at(pos).id
            out.append(Count(node, name, n, day=days[d]))
    return out


def _add_pairs(
    acc: dict[tuple[int, str, int], int], name: str, pairs: Iterable[tuple[int, int]]
) -> None:
    """Count (grid position, day index) pairs under ``name`` (C-level ``Counter``)."""
    for (pos, d), n in Counter(pairs).items():
        key = (pos, name, d)
        acc[key] = acc.get(key, 0) + n


_HOUSEHOLD = attrgetter("household")
_AT = attrgetter("at")


def stock_counts(
    levels: Mapping[str, int], metric_name: str, cutoff: datetime, clock: ReportClock | None = None
) -> Iterator[Count]:
    """Counts of a stock metric measured at ``cutoff``, one per node with a non-zero level."""
    use = clock or _DEFAULT_CLOCK
    day = use.report_day(require_aware(cutoff, "cutoff") - timedelta(microseconds=1))
    for node, n in levels.items():
        if n:
            yield Count(node, metric_name, n, day=day)


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
    """
    use = clock or _DEFAULT_CLOCK
    fallback = unrouted_node if unrouted_node is not None else hierarchy.root.id
    grid_of = _Resolver(hierarchy, fallback)
    rows = records if isinstance(records, list | tuple) else list(records)
    # Resolve each distinct grid id once, then map the column at C level.
    given = list(map(attrgetter("grid_id"), rows))
    resolved = {g: grid_of(g) for g in set(given)}
    nodes = list(map(resolved.__getitem__, given))
    submitted = list(map(attrgetter("submitted_at"), rows))
    reviewed_at = list(map(attrgetter("reviewed_at"), rows))
    reviewed = [(node, t) for node, t in zip(nodes, reviewed_at, strict=True) if t is not None]
    review_times = [t for _, t in reviewed]
    days = _Days(use, (submitted, review_times))
    on = days.indices(submitted)
    acc: dict[tuple[str, str, int], int] = {}

    def add(name: str, pairs: Iterable[tuple[str, int]]) -> None:
        for (node, d), n in Counter(pairs).items():
            acc[(node, name, d)] = n

    add("declarations_received", zip(nodes, on, strict=True))
    add(
        "declarations_reviewed",
        zip([n for n, _ in reviewed], days.indices(review_times), strict=True),
    )
    add("declarations_late", compress(zip(nodes, on, strict=True), map(attrgetter("late"), rows)))
    add("declarations_proxy", compress(zip(nodes, on, strict=True), map(attrgetter("proxy"), rows)))
    counts = [Count(node, name, n, day=days.days[d]) for (node, name, d), n in acc.items()]
    if cutoff is not None:
        limit = timedelta(hours=review_hours)
        withdrawn = DeclarationState.WITHDRAWN
        overdue: Counter[str] = Counter(
            node
            for node, record, assigned, done in zip(
                nodes, rows, map(attrgetter("assigned_at"), rows), reviewed_at, strict=True
            )
            if assigned is not None
            and assigned + limit <= cutoff
            and (done is None or done >= cutoff)
            and not (record.state is withdrawn and record.updated_at < cutoff)
        )
        counts.extend(stock_counts(overdue, "declarations_overdue", cutoff, use))
    return counts


class _Resolver:
    """Node id -> its grid (or itself above grid level), cached per call."""

    __slots__ = ("_cache", "_fallback", "_hierarchy")

    def __init__(self, hierarchy: Hierarchy, fallback: str) -> None:
        self._hierarchy = hierarchy
        self._fallback = fallback
        self._cache: dict[str | None, str] = {None: fallback}

    def __call__(self, node_id: str | None) -> str:
        found = self._cache.get(node_id)
        if found is None:
            assert node_id is not None
            if node_id not in self._hierarchy:
                found = self._fallback
            else:
                grid = self._hierarchy.grid_of(node_id)
                found = grid.id if grid is not None else node_id
            self._cache[node_id] = found
        return found


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
    """
    use = clock or _DEFAULT_CLOCK
    rows = states if isinstance(states, list | tuple) else list(states)
    knocked = [s for s in rows if s.first_attempt_at is not None]
    reached = [s for s in knocked if s.reached_at is not None]
    vacant = [
        s
        for s in knocked
        if s.state is HouseholdVisitState.VACANT and s.last_attempt_at is not None
    ]
    first_at = list(map(attrgetter("first_attempt_at"), knocked))
    reached_at = list(map(attrgetter("reached_at"), reached))
    vacant_at = list(map(attrgetter("last_attempt_at"), vacant))
    tried = attempts if isinstance(attempts, list | tuple) else list(attempts)
    tried_at = list(map(_AT, tried))
    days = _Days(use, (first_at, reached_at, vacant_at, tried_at))
    acc: dict[tuple[int, str, int], int] = {}
    for name, group, instants in (
        ("households_knocked", knocked, first_at),
        ("households_reached", reached, reached_at),
        ("households_vacant", vacant, vacant_at),
    ):
        grids = _grid_positions(hierarchy, list(map(_HOUSEHOLD, group)))
        _add_pairs(acc, name, zip(grids, days.indices(instants), strict=True))
    grids = _grid_positions(hierarchy, list(map(_HOUSEHOLD, tried)))
    on = days.indices(tried_at)
    # persons_seen takes a few small values: count (grid, day, persons) triples at
    # C level, then multiply.
    for (pos, d, seen), n in Counter(
        zip(grids, on, map(attrgetter("persons_seen"), tried), strict=True)
    ).items():
        if seen:
            key = (pos, "person_visits", d)
            acc[key] = acc.get(key, 0) + seen * n
    found = list(map(attrgetter("findings"), tried))
    for pos, d, f in compress(zip(grids, on, found, strict=True), found):
        for name, items in (
            ("arrivals_found", f.arrivals),
            ("hazards", f.hazards),
            ("disputes", f.disputes),
            ("services", f.services),
        ):
            if items:
                key = (pos, name, d)
                acc[key] = acc.get(key, 0) + len(items)
    counts = _emit(acc, hierarchy, days.days)
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
    resolve = _Resolver(hierarchy, hierarchy.root.id)
    levels: dict[str, Counter[str]] = {name: Counter() for name in MEASURE_METRICS.values()}
    for node, assessment in assessed:
        plan = assessment.plan
        if plan is None:
            continue
        for step in plan.steps:
            if step.start <= cutoff and (step.end is None or cutoff < step.end):
                levels[MEASURE_METRICS[step.kind]][resolve(node)] += 1
                break
    counts: list[Count] = []
    for name, per_node in levels.items():
        counts.extend(stock_counts(per_node, name, cutoff, clock))
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
